// Package impl is the contract between the harness and an implementation
// of the start methods and channels (native Go, CPython, PyPy, torch).
//
// The harness never measures. For each cell it asks the implementation for
// a Command, runs it as its own process group (CPU affinity already set,
// parent-death signal, timeout), and reads its standard output, which must
// consist of nothing but:
//
//   - exactly Options.Count result lines in Go benchmark format, under the
//     cell's own name:
//     Benchmark<cell.Name()> <iters> <v> ns/op [<v> <unit>]...
//   - or a single skip line, when the implementation cannot run this
//     combination at all (exit status 0):
//     --- SKIP: Benchmark<cell.Name()>: <one-line reason>
//
// Anything else on stdout, fewer or more lines, a different name, or a
// non-zero exit fails the cell (the last line of stderr becomes the
// reason). Diagnostics belong on stderr.
//
// Metrics each workload's result lines carry (ns/op is always first):
//
//	startup:  ns/op (start() → first message received by the parent), join-ns/op
//	pingpong: ns/op (mean round trip), p50-ns, p99-ns, user-ns/op, sys-ns/op
//	stream:   ns/op (per message, timed at the receiver), MB/s, msgs/s,
//	          user-ns/op, sys-ns/op
//	pool:     ns/op (makespan of one map), tasks/s, efficiency
//
// user-ns/op and sys-ns/op are the CPU time of sender plus receiver (all
// their threads) per operation. MB/s is 1e6 bytes per second, as in Go.
//
// Before the samples, every measured program discards Options.Warmup
// iterations (or whole warm-up samples for startup and pool), and sizes
// each sample to last about Options.Benchtime (calibrated iteration count,
// like Go's -benchtime), bounded so that a 16 MiB cell does not run
// forever.
//
// Every shared-memory segment a measured program creates under /dev/shm is
// named Options.ShmPrefix + "-" + anything, and is unlinked as soon as both
// sides have it open. Every process it creates arranges to die with its
// parent (PR_SET_PDEATHSIG) so that kill -9 of the harness leaves nothing.
package impl

import (
	"os/exec"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// Options are the per-invocation knobs of a measured program.
type Options struct {
	Count     int           // result lines to print
	Warmup    int           // warm-up iterations/samples to discard
	Benchtime time.Duration // target duration of one sample
	ShmPrefix string        // prefix of /dev/shm names, e.g. "mpbench-1234-17"
}

// Impl is one implementation of the primitives.
type Impl interface {
	// Name is the impl dimension value ("native", "cpython", …).
	Name() string
	// Available returns nil when the implementation can run on this
	// machine, or the reason it cannot (recorded as the skip reason of
	// every one of its cells).
	Available() error
	// Command returns the process that measures one cell. The harness
	// sets process group, affinity, death signal, stdout and stderr.
	Command(c bench.Cell, o Options) (*exec.Cmd, error)
	// Config returns run-level facts recorded as configuration lines in
	// raw.bench (interpreter path and version, feeder mode, …). Keys are
	// lower-case without spaces.
	Config() map[string]string
}
