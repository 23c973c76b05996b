// Package native is the native Go implementation of mpbench's start
// methods (spawn, fork, forkserver) and channels (SimpleQueue, Queue,
// Pipe, shm): the "limit" row every other implementation is read
// against. It follows the semantics of CPython's multiprocessing (one
// mechanism per start method and channel, described below), with nothing
// but system calls (golang.org/x/sys/unix) in between.
//
// Files: one per start method (spawn.go, fork.go, forkserver.go), one per
// channel (pipe.go, simplequeue.go, queue.go, shm.go); child.go is the
// child's side of every workload, measure.go the parent's side and the
// sample/calibration logic, sys.go the raw system-call helpers.
//
// # Contract
//
// New returns the impl.Impl the harness uses; its Command runs the
// hidden subcommand `mpbench __native-cell --cell … --count N --warmup K
// --benchtime D --shm-prefix P [--spin S]`, whose body is CellMain: it
// prints exactly N result lines of the cell (package impl lists the
// metrics). --spin is the loop count of one cpu task (required for
// task=cpu pool cells); SpinCommand runs `mpbench __native-cell
// --calibrate-spin`, which prints it (CalibrateSpin). Measure is
// the same measurement as a function (used by CellMain), Open/Run/Close a
// session of one cell with a fixed iteration count (used by go test
// -bench). ChildMain must be the first call of main() and of TestMain in
// any test binary that starts native children: spawn children and the
// forkserver are re-executions of the running binary in a hidden role.
//
// # Rules of the restricted child code (fork, forkserver)
//
// After a raw fork(2) without exec only the forking thread exists in the
// child; every other Go thread — the GC workers, sysmon, the threads that
// held the heap or scheduler locks at the time of the fork — is gone,
// with its locks possibly held forever. The child therefore runs only
// restricted code, from rawFork to exit_group:
//
//   - no heap allocation, no goroutines, no Go channels, no maps, no
//     runtime locks, no defer, no closures, no fmt, no interfaces that
//     could allocate: everything (buffers, endpoint, parameters) is
//     prepared in a childState before the fork, and the child only writes
//     bytes and integers into it — never a pointer (no write barrier: the
//     GC might have been marking at the time of the fork);
//   - every function is //go:nosplit (no stack growth: the fork sequence
//     sets stackguard0 so that any stack check throws, exactly as for
//     syscall.forkAndExecInChild; the linker proves the nosplit chain fits)
//     and //go:norace;
//   - system calls are syscall.RawSyscall/RawSyscall6 (no scheduler
//     hooks), memory copies are copy() (runtime.memmove, nosplit
//     assembly), shared words use sync/atomic (compiler intrinsics);
//   - the fork is bracketed by the runtime's own fork hooks (signals
//     blocked across clone, handlers reset to the default in the child so
//     no signal ever enters the Go runtime there), with the thread locked
//     and syscall.ForkLock held for reading;
//   - the child sets PR_SET_PDEATHSIG(SIGKILL) by raw prctl, checks that
//     its parent is still the one it expects, and leaves with exit_group.
//
// TestForkStress forks 1000+ such children from several goroutines while
// others allocate and force garbage collections, and checks that each
// one exchanges its messages and exits with status 0.
//
// Under the race detector the child would call into ThreadSanitizer, so
// fork and forkserver are refused in race builds (their tests skip);
// spawn, the channels and the parent side are race-tested.
//
// # Channel semantics (as CPython's)
//
// Pipe: duplex socketpair, length-prefixed whole messages. SimpleQueue:
// one pipe per direction with process-shared futex reader and writer
// locks, no helper threads. Queue: SimpleQueue plus a sender-side buffer
// and a feeder goroutine in the parent, so put never blocks (an idle
// feeder with an empty buffer: put writes inline without blocking); children
// (which must not start goroutines) run the feeder's work inline.
// shm: memfd segment with rings of 8 × 512 KiB slots, futex signalling and
// brief spinning when more than one CPU is available, payload copied in
// and copied out.
//
// # Measurement
//
// Child protocol: child.go. One sample is one start (startup) or one map
// (pool), and the mean over a calibrated number of operations for
// pingpong and stream (see Measure). startup creates a fresh channel per
// start (outside the timed span), times start → first message and,
// separately, the join; pingpong and stream keep one child for the cell
// and time n round trips (per-trip p50/p99, nearest-rank: impl.Percentile)
// or n messages (timed at the receiver, which reports CLOCK_MONOTONIC
// after the last byte); pool keeps W workers and times whole maps, each
// worker timing each task it runs (CPU time for cpu tasks, wall time for
// sleep tasks; impl.PoolEfficiency). user-ns/op and sys-ns/op are
// getrusage of the parent (all threads) plus the child's own raw
// getrusage. On the pingpong/stream hot loop the parent (its only busy
// goroutine) blocks in raw system calls, keeping its P as a C program
// keeps its CPU; not with Queue, whose feeder goroutine must be able to
// run. gather (many-to-one) cells are not implemented: the measured
// program prints a skip line with GatherSkipReason; memory cells likewise
// with MemorySkipReason.
//
// # Dead children
//
// Every wait of the parent notices a child that died within about 100 ms
// (liveness.go), and the cell fails with the child's exit status or
// signal in the error, which the measured program prints on stderr
// before it exits non-zero.
package native

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// GatherSkipReason is why every native gather (many-to-one) cell is a
// skip: the measured program prints it as the cell's skip line.
const GatherSkipReason = "the native implementation has no many-to-one (gather) workload yet: " +
	"its restricted fork children (child.go) have no mode that streams to a parent shared with other children"

// MemorySkipReason is why every native memory cell is a skip.
const MemorySkipReason = "the native implementation has no memory workload: a Go parent has no Python objects " +
	"for a child to read (touch=read, gc), and what fork(2) shares of untouched pages (touch=none) is what " +
	"the CPython fork cells measure with the same kernel"

// Impl is the native implementation.
type Impl struct{}

// ImplName is the impl dimension value of the native implementation.
const ImplName = "native"

func init() {
	impl.Register(impl.Constructor{Name: ImplName, New: func(string) impl.Impl { return New() }})
}

// New returns the native implementation.
func New() *Impl { return &Impl{} }

// Name is "native".
func (*Impl) Name() string { return ImplName }

// Available is nil on Linux.
func (*Impl) Available() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("native: needs Linux (memfd, futex, clone), have %s", runtime.GOOS)
	}
	return nil
}

// Config describes the implementation choices recorded in raw.bench.
func (*Impl) Config() map[string]string {
	return map[string]string{
		"native-go":                   runtime.Version(),
		"native-spawn":                "re-exec of /proc/self/exe in a hidden role, fds via ExtraFiles, Pdeathsig SIGKILL",
		"native-fork":                 "raw clone(SIGCHLD) without exec, restricted child (nosplit, no allocation, raw syscalls), PR_SET_PDEATHSIG",
		"native-forkserver":           "spawned server forks children on request, fds over SCM_RIGHTS",
		"native-pipe":                 "socketpair AF_UNIX SOCK_STREAM, 4-byte length prefix, writev",
		"native-simplequeue":          "pipe2 per direction, process-shared futex reader/writer locks",
		"native-queue-parent-put":     "inline non-blocking write when the feeder is idle and its buffer empty (rest of a message that does not fit: feeder), else buffer + feeder goroutine",
		"native-queue-fork-child-put": "inline",
		"native-queue-child-put":      "inline (all start methods: the child code runs no goroutines)",
		"native-parent-hot-loop":      "pingpong/stream parent blocks in raw syscalls holding its P (except Queue: feeder goroutine must run)",
		"native-shm":                  fmt.Sprintf("memfd, 2 rings x %d x %d KiB slots, futex, spin %d loads when >1 CPU", shmSlots, shmSlotSize>>10, shmSpin),
	}
}

// Command runs one cell through the hidden __native-cell subcommand of
// the running binary (cmd/mpbench dispatches it to CellMain).
func (*Impl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	cpuTask := c.Workload == bench.Pool && c.Task == "cpu"
	if cpuTask && o.CPUTaskSpin < 1 {
		return nil, fmt.Errorf("native: cell %s needs the loop count of its cpu task (Options.CPUTaskSpin, from SpinCommand)", c.Name())
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "__native-cell",
		"--cell", c.Name(),
		"--count", strconv.Itoa(o.Count),
		"--warmup", strconv.Itoa(o.Warmup),
		"--benchtime", o.Benchtime.String(),
		"--shm-prefix", o.ShmPrefix)
	if cpuTask {
		cmd.Args = append(cmd.Args, "--spin", strconv.FormatInt(o.CPUTaskSpin, 10))
	}
	return cmd, nil
}

// SpinCommand runs `__native-cell --calibrate-spin` of the running
// binary: it prints CalibrateSpin's loop count of one cpu task.
func (*Impl) SpinCommand() (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return exec.Command(exe, "__native-cell", "--calibrate-spin"), nil
}

// CellMain is the body of `mpbench __native-cell`: it parses the protocol
// flags, measures the cell and prints its result lines on stdout.
func CellMain(args []string) error {
	return cellMain(args, os.Stdout)
}

func cellMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("__native-cell", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	name := fs.String("cell", "", "cell name")
	var o impl.Options
	fs.IntVar(&o.Count, "count", 1, "result lines to print")
	fs.IntVar(&o.Warmup, "warmup", 1, "warm-up iterations to discard")
	fs.DurationVar(&o.Benchtime, "benchtime", 100*time.Millisecond, "target duration of one sample")
	fs.StringVar(&o.ShmPrefix, "shm-prefix", "", "prefix of shared-memory names")
	fs.Int64Var(&o.CPUTaskSpin, "spin", 0, "loop count of one cpu task (pool, task=cpu)")
	calib := fs.Bool("calibrate-spin", false, "print the loop count of one cpu task and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("__native-cell: unexpected arguments %v", fs.Args())
	}
	if *calib {
		_, err := fmt.Fprintln(stdout, CalibrateSpin())
		return err
	}
	if *name == "" {
		return errors.New("__native-cell: --cell is required")
	}
	if o.Count < 1 {
		return errors.New("__native-cell: --count must be ≥ 1")
	}
	c, err := bench.ParseName(*name)
	if err != nil {
		return err
	}
	if c.Impl != "native" {
		return fmt.Errorf("__native-cell: %s is not a native cell", c.Name())
	}
	if n, bt := c.Settings(o.Count, o.Benchtime); n != o.Count || bt != o.Benchtime {
		return fmt.Errorf("__native-cell: %s names count %d and benchtime %v, the flags say %d and %v", c.Name(), n, bt, o.Count, o.Benchtime)
	}
	if c.Workload == bench.Gather {
		_, err := fmt.Fprintf(stdout, "--- SKIP: %s: %s\n", c.Benchmark(), GatherSkipReason)
		return err
	}
	if c.Workload == bench.Memory {
		_, err := fmt.Fprintf(stdout, "--- SKIP: %s: %s\n", c.Benchmark(), MemorySkipReason)
		return err
	}
	return Measure(c, o, func(line string) { fmt.Fprintln(stdout, line) })
}
