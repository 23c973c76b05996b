// Package impl is the contract between the harness and an implementation
// of the start methods and channels (native Go, CPython, PyPy, torch),
// and the registry of their constructors (registry.go): each
// implementation declares what it is in bench's registry (bench.ImplSpec)
// and how it is built here (Constructor), under the same name.
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
// One program run is the unit of replication: the harness runs each cell
// several times (fresh parent, fresh children, own calibration of the
// sample size), each run printing Options.Count samples, and computes the
// cell's statistic over per-run medians. Nothing may carry over from one
// run to the next, except the amount of work of a cpu task
// (Options.CPUTaskSpin), which is the same in every run of an invocation.
//
// The metrics, their meaning and direction are the one table
// bench.Metrics; the ones every result line of a workload must carry are
// its entry's Units in the workload registry bench.WorkloadRegistry
// (bench.RequiredUnits; ns/op is always first), whose Definitions point
// here. The definitions every implementation follows:
//
//   - One sample. startup: exactly one start (one child): ns/op = start()
//     until the parent has the child's first message, join-ns/op = the
//     join after it. pool: exactly one map. pingpong, stream and gather:
//     the mean over a calibrated number of operations (the iterations
//     column = operations; gather: messages of all workers together).
//   - Percentiles (p50-ns, p99-ns) are nearest-rank over the sample's
//     individual latencies: p_q = x[ceil(q·n) − 1] of the sorted x, so the
//     p99 of 1..100 is 99 and the p50 is 50.
//   - Pool: a map has bench.PoolTasks(workers) = 8 × workers tasks (cpu:
//     a busy loop of Options.CPUTaskSpin iterations, about
//     bench.CPUTaskMicros; sleep: bench.SleepTaskMillis). Each worker times
//     each task's own body and sends the duration back with the result:
//     the worker thread's CPU time for cpu tasks (so a worker waiting for a
//     core does not count its wait), the monotonic clock for sleep tasks.
//     efficiency = impl.PoolEfficiency = Σ measured task time / (P ×
//     makespan), P = impl.PoolParallelism = min(workers, tasks, cores) for
//     cpu tasks and min(workers, tasks) for sleep tasks (sleeping needs no
//     core); overhead-ns/op = impl.PoolOverhead = makespan − ceil(tasks /
//     P) × (Σ measured task time / tasks), the makespan beyond the ideal
//     one of the tasks as the workers timed them; ns/op = makespan of the
//     map; tasks/s = tasks / makespan. The nominal ideal makespan of a cell
//     (time estimates) is impl.IdealMakespan: ceil(tasks / P) × the
//     nominal task duration.
//     exec (bench.Execs) names the executor: loop = a hand-written worker
//     loop over chan; pool = multiprocessing.Pool; ppe =
//     concurrent.futures.ProcessPoolExecutor(mp_context=method);
//     loky-cold / loky-warm = the first map of a fresh loky executor / a
//     later map of the same one (loky-cold times the creation and the map;
//     the executor is shut down outside the timed span, before the next
//     sample); pool-cold / ppe-cold = the whole life of a fresh
//     multiprocessing.Pool(workers) / ProcessPoolExecutor(workers,
//     mp_context=method) per sample: creation, one map, then close() +
//     join() / shutdown(wait=True), all inside the timed span (the makespan
//     of a cold cell includes starting and stopping every worker, so its
//     efficiency and overhead count them too).
//     task=tiny (Python impls): a task with an empty body, timed like a
//     cpu task (the worker thread's CPU time around it, so P is cpu's),
//     for maps of bench.ChunkTasks tasks whose makespan is the executor's
//     work per task and per chunk; its nominal ideal makespan is 0.
//     chunksize (exec=pool and ppe): the chunksize argument of Pool.map /
//     ProcessPoolExecutor.map (tasks per message to a worker); without
//     the key the executor's default (Pool: ceil(tasks / (4 × workers));
//     ProcessPoolExecutor: 1).
//   - Gather (many-to-one): bench.Cell.Workers worker processes are
//     started once per program run and each sends n messages of
//     bench.Cell.Size bytes to the one parent over chan, back to back,
//     when the parent signals the start (one control message per worker,
//     sent in turn). simplequeue and queue: one queue shared by every
//     worker; pipe: one Pipe per worker, the parent waiting on all of them
//     (multiprocessing.connection.wait in Python) and receiving from each
//     one that is ready; shm: one ring shared by every worker, a whole
//     message under a lock (the parent cannot wait on one ring per worker
//     without polling). One sample: the parent takes t0 before its first
//     start signal and t1 when it holds the last of the W × n messages;
//     iters = W × n (n calibrated per run as for stream, so iters is a
//     multiple of W); ns/op = (t1 − t0) / (W × n); msgs/s = W × n / (t1 −
//     t0); MB/s = W × n × size / (t1 − t0) / 1e6.
//   - Memory (bench/memory.go): one sample starts bench.Cell.Workers
//     children by method from a parent holding about bench.Cell.RSS bytes
//     of Python objects, each child touching them as bench.Cell.Touch
//     says (none, read: every object read; gc: one full collection;
//     -frozen: after gc.freeze() in the parent), then reads every child's
//     /proc/<pid>/smaps_rollup while all are alive (SmapsRollup): pss-B,
//     uss-B = the means over the children, pool-pss-B = the sum of their
//     pss; ns/op = the first start() until every child has touched; iters
//     = 1. impl=native prints a skip line.
//   - Payloads (pingpong and stream, Python impls; bench/payload.go): the
//     message is a bytes object (no key), or an ndarray of size bytes
//     pickled in-band (ndarray), with protocol-5 out-of-band buffers
//     (ndarray-oob: a small pickle, then the buffer as it lies in memory;
//     pipe and shm only), placed once in shared memory with only its name
//     and length sent (ndarray-shm), or a list of dicts whose pickle is
//     about size bytes (objects); the receiver reads one element of an
//     array, the length of the others. size, MB/s and msgs/s count the
//     nominal size.
//   - Calibration: the iteration count of a pingpong, stream or gather sample is
//     calibrated within the program run (so every run has its own). The
//     loop count of a cpu task is not: the harness runs the
//     implementation's calibration program (Impl.SpinCommand) once per
//     invocation, records the count in raw.bench (cpu-task-spin-<impl>)
//     and passes it to every program run as Options.CPUTaskSpin, so every
//     run of a cell does the same work per task. Calibration policy (the
//     same in every implementation): a rough rate from a run of at least
//     20 ms, then twice: time 9 runs at the target length and rescale by
//     the median; every run timed in the thread's CPU time, as the workers
//     time the task, so a run that waits for a CPU does not shrink the
//     count.
//   - user-ns/op and sys-ns/op are the CPU time of sender plus receiver
//     (all their threads) per operation. MB/s is 1e6 bytes per second.
//   - Main module (bench.Cell.Main, Python impls): the measured program's
//     __main__ is the driver's stub (main=stub, no key) or the stub preceded
//     by the top-level imports bench.MainImports[weight] (stdlib, numpy,
//     torch) — one file per weight, as a user's script is; a weight whose
//     imports the interpreter lacks is a skip with the reason. What a child
//     runs again of it (multiprocessing/forkserver.py and spawn.py of the
//     CPython versions installed here, 3.8.18 … 3.13.0, the same in every
//     one; CPython 3.13.8 and 3.14.1 load __main__ in the fork server when
//     '__main__' is in its preload list, the default): a spawn child re-runs its top
//     level (as __mp_main__) and its imports; a fork child nothing; a
//     forkserver child re-runs its top level too — the fork server never
//     loads __main__ (ensure_running passes only the keys main_path and
//     sys_path of spawn.get_preparation_data, which names the main module
//     init_main_from_path, so main_path never reaches the server), and the
//     child's spawn.prepare re-runs the module — and its imports execute
//     again unless the server preloaded them. preload (bench.Cell.Preload,
//     forkserver only): main (no key) = the program calls
//     set_forkserver_preload with the main module's imports (and the driver)
//     before the server starts, so each child finds them loaded; none =
//     nothing (set_forkserver_preload([])), so each child imports them —
//     what a program that never calls set_forkserver_preload gets before
//     3.13.8 / 3.14.1. impl/python's TestForkserverPreload counts these
//     executions.
//   - Dead children: every wait has a liveness check; a child that dies
//     makes the program fail within about a second, with the child's exit
//     status in the last line of stderr.
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
	Count     int           // result lines (samples) to print in this program run
	Warmup    int           // warm-up iterations/samples to discard
	Benchtime time.Duration // target duration of one sample
	ShmPrefix string        // prefix of /dev/shm names, e.g. "mpbench-1234-17"
	// CPUTaskSpin is the loop count of one cpu task (pool cells with
	// task=cpu; required there, ignored elsewhere): the output of the
	// implementation's SpinCommand, the same for every run of an
	// invocation.
	CPUTaskSpin int64
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
	// SpinCommand returns the calibration program of the cpu task: a
	// program run of this implementation that prints one line, the loop
	// count of one cpu task lasting about bench.CPUTaskMicros in its
	// process (a positive integer), and exits 0. The harness runs it once
	// per invocation (pinned like a measured program) and passes the count
	// to every program run as Options.CPUTaskSpin.
	SpinCommand() (*exec.Cmd, error)
	// Config returns run-level facts recorded as configuration lines in
	// raw.bench (interpreter path and version, feeder mode, …). Keys are
	// lower-case without spaces.
	Config() map[string]string
}
