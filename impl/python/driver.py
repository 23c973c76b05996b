"""mpbench measured program for Python multiprocessing (CPython, PyPy, torch,
billiard, multiprocess).

Embedded in the Go package github.com/mpbench/mpbench/impl/python and written,
with mpcore.py (the shared core) and one __main__ module per main weight (main.py,
a tiny stub; main_stdlib.py, main_numpy.py, main_torch.py: the stub preceded by
the top-level imports of a user's script), into a private content-addressed
folder whose bytecode is precompiled.  Run as

    main[_W].py --cell NAME --count N --warmup K --benchtime 100ms --shm-prefix P
            [--spin S] [--mp-module multiprocessing|billiard|multiprocess|torch.multiprocessing]
    main.py --calibrate-spin
    main.py --check --method M --chan C --sizes 0,1,64 [--impl torch] [--shm-prefix P]

The main module calls cli(weight, imports, missing): the cell's main key
must name the weight of the main module that runs it (the harness picks the
file per cell); when one of its imports failed (numpy or torch not
installed) the cell is skipped with the reason.

Benchmark mode prints exactly N result lines "Benchmark<NAME> <iters> <v> ns/op
[<v> <unit>]..." on stdout (or one "--- SKIP: Benchmark<NAME>: <reason>" line),
see impl/impl.go for the contract; --spin (required for task=cpu pool cells)
is the loop count of one cpu task.  Calibrate mode prints that loop count for
this interpreter on this machine (mpcore.calibrate_spin of CPU_TASK_US): the
harness runs it once per invocation and passes the count to every program
run, so every run does the same work per task.  Check mode sends patterned
payloads both ways over one channel and prints "ok" when every byte arrived
in order.

Standard library only; CPython 3.8-3.13 and PyPy 3.9.  torch is imported
only for impl=torch (and by main_torch.py), loky (joblib's) only for
exec=loky-*.  Spawned and forkserver children re-run the main module as
__mp_main__ and import this module from its cached bytecode, so start-up
measures multiprocessing and the main module's imports, not the compilation
of this file.

What a child runs again (read in the multiprocessing/forkserver.py, spawn.py
and popen_forkserver.py of the CPython versions installed here -- 3.8.18,
3.9.18, 3.10.13, 3.11.7, 3.12.1, 3.13.0; the same in every one):
  * spawn: a fresh interpreter; spawn.prepare() re-runs the main module's top
    level as __mp_main__ (_fixup_main_from_path), imports included.
  * fork: nothing; the child is a copy of the parent.
  * forkserver: the server is started with `python -c 'from
    multiprocessing.forkserver import main; main(...)'` and imports the
    modules of set_forkserver_preload (default ['__main__']) with its own
    sys.path (the parent's sys_path is passed but not applied).  It never
    imports __main__: ensure_running() keeps only the keys {'main_path',
    'sys_path'} of spawn.get_preparation_data(), which names the main module
    'init_main_from_path' (or 'init_main_from_name'), so main_path is always
    None and `if '__main__' in preload and main_path is not None` never
    holds; __import__('__main__') in the server returns the server's own
    `-c` module.  Every child forked by the server then runs spawn._main(),
    whose prepare() re-runs the main module's top level as __mp_main__ (the
    server's __main__ has no __file__, so _fixup_main_from_path never finds
    it already loaded) -- with or without a preload.  What the preload
    decides is whether the main module's imports are in sys.modules already
    (imported once by the server) or executed again in every child.
    CPython fixed the server's loading of __main__ in 3.13.8 and 3.14.1
    (gh-126631, gh-137996; per its tracker, not installed here): there the
    default preload list ['__main__'] loads the main module in the server.
  * preload (forkserver cells): main (no key) = the driver calls
    ctx.set_forkserver_preload(["driver"] + the main module's imports)
    before the server starts; none = it calls set_forkserver_preload([]):
    nothing preloaded, every child imports the driver and the main module's
    imports itself -- what a program that never calls set_forkserver_preload
    gets before 3.13.8 / 3.14.1, on every version, so that the cell means
    the same under a later release.

Definitions (documented here because reports quote them).  One sample:
startup = one start (one child); pool = one map; pingpong/stream/gather = the
mean over a calibrated number of operations (the iters column; gather: the
messages of all workers together).
  * startup: t0 = perf_counter_ns() before Process(...).start(); ns/op = the
    moment the parent has received the child's first message over the cell's
    channel - t0.  Right after start() the parent closes its copy of the
    child's end (pipe), as a user program would.  The child blocks after
    that first message and arms its death-signal guard only when the parent
    tells it to (the guard is the harness's hygiene, not part of what a start
    method costs), then acknowledges; join-ns/op = sending "stop" over the
    channel + join().
    Before the samples the parent touches rss bytes (one write per 4 KiB page)
    and keeps them alive, so fork must copy the page tables.
  * pingpong: ns/op = mean round trip (full-size message parent->child->
    parent); p50-ns/p99-ns = nearest-rank percentiles (mpcore.percentile) of
    the individual round trips of the sample; user-ns/op, sys-ns/op =
    getrusage(RUSAGE_SELF) deltas of parent + child (all threads) per round
    trip.
  * stream: the parent takes t0 and sends n messages; the child takes t1 after
    the last message has been received in full and reports t1 and its rusage
    delta on a separate control pipe.  ns/op = (t1-t0)/n, MB/s = n*size/(t1-t0)
    *1e3 (1e6 bytes/s), msgs/s, user-ns/op, sys-ns/op.  perf_counter_ns is
    CLOCK_MONOTONIC on Linux, so t0 and t1 are comparable across processes.
  * pool: one map of T tasks over W workers by the executor `exec`; ns/op =
    makespan; tasks/s; efficiency = sum of the task durations the workers
    measured themselves around the task body (thread_time_ns, the worker
    thread's CPU time, for cpu tasks; perf_counter_ns for sleep tasks) / (P
    x makespan) with P = min(W, T, cores) for cpu tasks and P = min(W, T)
    for sleep tasks (sleeping needs no core).  It cannot exceed 1 beyond
    measurement error.  overhead-ns/op = makespan - ceil(T / P) x (the
    mean measured task duration) (mpcore.pool_overhead).  Executors (the
    same task function run_task for all):
      - loop: hand-written worker loop over chan (simplequeue, queue, pipe,
        shm): Pool.map's default chunking, one message per chunk each way;
      - pool: the stdlib ctx.Pool(W).map (default chunking, SimpleQueues);
      - ppe: concurrent.futures.ProcessPoolExecutor(W, mp_context=ctx).map
        (chunksize 1: one pickled call item per task);
      - loky-cold / loky-warm (method=loky): joblib's loky reusable executor;
        cold = creating a fresh executor and its first map (worker start-up
        included; the executor is shut down before the next sample, outside
        the timed span), warm = a later map on the same executor;
      - pool-cold / ppe-cold: the whole life of a fresh ctx.Pool(W) /
        ProcessPoolExecutor(W, mp_context=ctx) per sample, all timed:
        creation (workers arm the death-signal guard as their initializer),
        one map, close() + join() / shutdown(wait=True).  The workers are
        watched by a watchdog thread started inside the timed span (a dead
        Pool worker would hang the map; a thread start, about 0.1 ms).
        The makespan includes starting and stopping the workers, so the
        efficiency and the overhead of a cold cell count them too.
    task=tiny: an empty body, timed as a cpu task (thread_time_ns around
    it; P as for cpu tasks), for maps of 10,000 tasks whose makespan is the
    executor's work per task and per chunk; a measured time of 0 is valid.
    chunksize (exec=pool|ppe): passed to Pool.map / ProcessPoolExecutor.map;
    without the key the executor's default (Pool: ceil(T / (4 x W)); PPE: 1).
    Workers of loop/pool/ppe signal readiness before the first timed map.
    The CPU task is spin(n) with n = --spin, calibrated once per mpbench
    invocation by this driver's --calibrate-spin run (mpcore.calibrate_spin)
    and the same in every program run; its duration in a worker is
    measured, not assumed.
  * gather (many-to-one): W workers (started once per program run; each
    signals readiness first) each send n messages of `size` bytes back to
    back when the parent sends it n over its control pipe.  One sample: t0 =
    perf_counter_ns() before the parent sends the first of the W start
    signals (in turn, over W control pipes); t1 when the parent holds the
    last of the W x n messages; iters = W x n; ns/op = (t1-t0)/(W x n), MB/s =
    W x n x size/(t1-t0)*1e3, msgs/s = W x n/(t1-t0)*1e9.  n grows as for
    stream (per worker).  Channels: simplequeue/queue = one queue every
    worker puts to, the parent gets; pipe = one ctx.Pipe(duplex=False) per
    worker, the parent receives one message from each connection that
    multiprocessing.connection.wait() reports ready, again until all are
    in; shm = one ring of the driver's (8 x 1 MiB slots) shared by every
    worker, whole messages under the ring's send lock: the driver's ring
    waits on a semaphore, and a parent cannot wait on one semaphore per
    worker without polling, so the workers share one ring as they share a
    queue.
  * shm: a shared_memory segment named <prefix>-<pid>-<n> holding two rings
    (one per direction) of slots (8 x 1 MiB; 2 x 4 KiB for startup; 16 x 4
    KiB for pool, with locks on the shared side); ctx semaphores count free
    and full slots; the payload is copied in (buf[a:b] = payload) and out
    (bytes(buf[a:b])); messages larger than a slot are chunked.  The parent
    unlinks the segment as soon as every child has signalled that it attached.
  * payload=tensor (impl=torch): a float32 tensor of `size` bytes sent with
    send()/put(), i.e. through torch's ForkingPickler reductions (storage
    moved to shared memory, file descriptors passed); the receiver reads one
    element.
  * payload=rawbytes (chan=pipe, pingpong and stream only): send_bytes /
    recv_bytes instead of send / recv: the same pipe without pickling.
  * payload=ndarray, ndarray-oob, ndarray-shm, objects (pingpong and stream,
    bench/payload.go): a float64 numpy array of `size` bytes (every page
    written) pickled in-band by the channel (over shm: ForkingPickler.dumps
    into the ring, pickle.loads out); the same array pickled with protocol 5
    and buffer_callback: one message (buffer count + pickle), then each
    buffer as it lies in memory (pipe: send_bytes/recv_bytes; shm: the
    ring); the array placed once per program run in a shared_memory segment
    named <prefix>-<pid>-<n>, a message carrying (name, length) and the
    receiver making a view of it (attaching at the first message); a list
    of k dicts whose protocol-4 pickle is about `size` bytes.  The receiver
    reads one element of an array (stream: of the last message), the length
    of the others.  numpy payloads skip where numpy is not importable.
  * memory (bench/memory.go): the parent builds rss // MEM_ENTRY entries
    [i, 1000-byte bytes] (then gc.collect()); one sample starts W children
    by the cell's method (gc.freeze() first for the -frozen touches), each
    child touches the entries (none; read: len() of every entry's bytes,
    reference counts written; gc: gc.collect()) and reports over its
    control pipe; t1 when all W have; then the parent reads each child's
    /proc/<pid>/smaps_rollup (mpcore.smaps_rollup: Pss, Private_Clean +
    Private_Dirty) while all are alive, stops and joins them.  ns/op = t1 -
    t0 (t0 before the first start()), pss-B / uss-B = means over the
    children, pool-pss-B = sum of their Pss; K (>= 1) whole samples
    discarded.
  * Sample sizing (pingpong, stream): K warm-up iterations, then n grows
    Go-style until a sample lasts >= --benchtime (each prediction aims at 1.2
    x benchtime, at most 100x the previous n), then n is fixed for all N
    samples.  There is no separate cap for large messages: the count follows
    from the duration.  startup and pool: iters = 1, K (>= 1) whole samples
    discarded.

What one message costs, per channel (bytes payload of s bytes, CPython's
multiprocessing; copies counted in user space, plus the kernel's copy in and
out of a pipe):
  * pipe (send/recv, as users call it): send pickles the object
    (ForkingPickler.dumps: one copy of the payload into the pickle); for s up
    to 16 KiB the 4-byte length header is prepended (one more copy) and
    written with one write(), above that header and body are two write()s.
    recv reads the header, then the body (one or more read()s into a
    BytesIO: one copy), then unpickles (one copy into a new bytes).  About
    2 syscalls per side for small messages, 3 copies + the kernel's 2.
  * pipe, payload=rawbytes (send_bytes/recv_bytes): as pipe without pickle
    and unpickle: 1-2 copies + the kernel's 2, the same syscalls.
  * simplequeue (put/get): put pickles in the caller and writes like
    send_bytes under the queue's write lock (a POSIX semaphore: a futex
    syscall only when contended); get reads under the read lock and
    unpickles.  Pipe's copies and syscalls plus two lock operations.
  * queue (put/get): put takes the queue's BoundedSemaphore, appends the
    object to a deque and notifies the feeder thread (a thread wake-up:
    futex syscalls), which pickles it and writes it under the write lock;
    get reads under the read lock, unpickles and releases the semaphore.
    What simplequeue costs plus a thread hand-off and one more semaphore.
  * shm (the driver's rings): no pickling and no syscall for the data: one
    copy in (slice assignment into the mapped segment) and one copy out
    (bytes(slice)); the hand-off is two POSIX semaphores per message (futex
    syscalls only when a side actually sleeps); larger messages than a slot
    go in chunks.
  * payload=tensor (torch): the tensor's storage is moved to shared memory
    (once per tensor: a copy into a new shm file) and its file descriptor
    passed over a Unix socket (torch's reductions); only a small handle is
    pickled per message.

Liveness (no wait without a check): start-up waits for the first message
together with the child's sentinel (a shm wait polls in 0.2 s slices); every
other phase runs under a watchdog thread that waits on the sentinels of the
children and, when one exits unexpectedly, prints the child's exit status to
stderr and ends the driver with status 1 within milliseconds (the watchdog
is blocked in poll() while the cell runs: no cost on the measured path).
MPBENCH_TEST_CHILD_EXIT=<code> (test-only) makes every child exit with that
code mid-exchange: a startup child before its first message, a
pingpong/stream/check child after its first received message, a pool worker
at its first task, a gather worker after its first sent message, a memory
worker before its touch.

Process hygiene: every child (and the forkserver's children, and pool
workers) arms mpcore.guard (PR_SET_PDEATHSIG) and exits if its parent is
already gone; forkserver children drop their copy of the server's "alive"
pipe so the server exits when the driver dies; the resource tracker exits
when the last holder of its pipe is gone.
"""

import os
import sys
import time

import mpcore
from mpcore import emit, rusage_ns

CPU_TASK_US = 2000  # bench.CPUTaskMicros
SLEEP_TASK_MS = 20  # bench.SleepTaskMillis

# The multiprocessing library in use: set by setup_mp() in the driver and
# learnt by every child from the environment (spawned and forkserver children
# re-import this module).
MP = None
MP_ROOT = os.environ.get("MPBENCH_MP_ROOT", "multiprocessing")

_die = os.environ.get("MPBENCH_TEST_CHILD_EXIT")
TEST_CHILD_EXIT = int(_die) if _die else None


def child_guard(driver_pid):
    mpcore.guard(driver_pid, MP_ROOT + ".forkserver")


def test_exit():
    """The test-only hook: exit now with the requested code."""
    if TEST_CHILD_EXIT is not None:
        sys.stdout.flush()
        os._exit(TEST_CHILD_EXIT)


def on_child_import():
    """Run by the stub when a spawned or forkserver child re-runs it."""
    if os.environ.get("MPBENCH_TORCH") == "1":
        # Like a torch program with `import torch` at the top: spawn and
        # forkserver children import it too.
        import torch.multiprocessing  # noqa: F401


# ---------------------------------------------------------------- names

EXECS = ("loop", "pool", "ppe", "loky-cold", "loky-warm", "pool-cold", "ppe-cold")  # bench.Execs
MAIN_WEIGHTS = ("stub", "stdlib", "numpy", "torch")  # bench.MainWeights
TOUCHES = ("none", "read", "read-frozen", "gc", "gc-frozen")  # bench.MemoryTouches
USER_PAYLOADS = ("ndarray", "ndarray-oob", "ndarray-shm", "objects")  # bench.UserPayloads

# The main module running this driver: its weight and its top-level
# imports (set by cli(); the forkserver preload hands them to the server).
MAIN_WEIGHT = "stub"
MAIN_IMPORTS = ()


class Cell(object):
    def __init__(self, name):
        self.name = name
        parts = name.split("/")
        self.workload = parts[0].lower()
        if self.workload not in ("startup", "pingpong", "stream", "pool", "gather", "memory"):
            raise ValueError("cell %r: unknown workload %r" % (name, parts[0]))
        self.impl = "cpython"
        self.method = "fork"
        self.exec = None
        self.chan = None
        self.payload = "bytes"
        self.touch = None  # memory: what each child touches (TOUCHES)
        self.size = 0
        self.rss = 0
        self.workers = 1
        self.tasks = 1
        self.task = "cpu"
        self.chunksize = None  # pool, exec=pool|ppe: the map's chunksize (None: the default)
        self.cores = 1
        self.preload = "main"
        self.main = "stub"
        self.count = None  # the cell's own samples per run (dimension profile)
        self.benchtime = None  # the cell's own sample length, nanoseconds
        for p in parts[1:]:
            k, sep, v = p.partition("=")
            if not sep:
                raise ValueError("cell %r: %r is not key=value" % (name, p))
            if k in ("impl", "method", "chan", "payload", "task", "exec", "preload", "main", "touch"):
                setattr(self, k, v)
            elif k in ("size", "rss"):
                setattr(self, k, mpcore.parse_size(v))
            elif k in ("workers", "tasks", "cores", "count", "chunksize"):
                setattr(self, k, int(v))
            elif k == "benchtime":
                self.benchtime = mpcore.parse_duration(v)
            else:
                raise ValueError("cell %r: unknown key %r" % (name, k))
        if self.workload == "pool":
            if self.exec is None:
                self.exec = "loop"
            if self.exec not in EXECS:
                raise ValueError("cell %r: unknown exec %r" % (name, self.exec))
            if self.exec == "loop" and self.chan is None:
                raise ValueError("cell %r: exec=loop needs a chan" % name)
            if self.exec != "loop" and self.chan is not None:
                raise ValueError("cell %r: exec=%s takes no chan" % (name, self.exec))
            if self.chunksize is not None and self.exec not in ("pool", "ppe"):
                raise ValueError("cell %r: chunksize is a key of exec=pool and exec=ppe" % name)
            if (self.method == "loky") != self.exec.startswith("loky"):
                raise ValueError("cell %r: method=loky goes with exec=loky-cold|loky-warm only" % name)
        elif self.exec is not None:
            raise ValueError("cell %r: exec applies to pool only" % name)
        elif self.workload == "memory":
            if self.chan is not None or self.touch not in TOUCHES:
                raise ValueError("cell %r: memory has no chan and a touch of %s" % (name, ", ".join(TOUCHES)))
            if self.touch != "none" and self.method != "fork":
                raise ValueError("cell %r: touch=%s reads the parent's objects: fork only" % (name, self.touch))
        elif self.touch is not None:
            raise ValueError("cell %r: touch is a memory key" % name)
        elif self.chan is None:
            raise ValueError("cell %r: no chan" % name)
        if self.method not in ("spawn", "fork", "forkserver", "loky"):
            raise ValueError("cell %r: unknown method %r" % (name, self.method))
        if self.chan not in (None, "simplequeue", "queue", "pipe", "shm"):
            raise ValueError("cell %r: unknown chan %r" % (name, self.chan))
        if self.task not in ("cpu", "sleep", "tiny"):
            raise ValueError("cell %r: unknown task %r" % (name, self.task))
        if self.preload not in ("main", "none"):
            raise ValueError("cell %r: unknown preload %r" % (name, self.preload))
        if self.preload != "main" and self.method != "forkserver":
            raise ValueError("cell %r: preload is a forkserver key" % name)
        if self.main not in MAIN_WEIGHTS:
            raise ValueError("cell %r: unknown main %r" % (name, self.main))


# ---------------------------------------------------------------- liveness


def exit_status(p):
    """A finished child's exit status in words (waits up to 1 s for it to be
    reaped: another thread, such as Pool's, may be reaping it)."""
    code = p.exitcode
    deadline = time.monotonic() + 1.0
    while code is None and time.monotonic() < deadline:
        p.join(0.05)
        code = p.exitcode
    if code is None:
        return "exit status unknown"
    if code < 0:
        import signal

        try:
            return "killed by signal %d (%s)" % (-code, signal.Signals(-code).name)
        except ValueError:
            return "killed by signal %d" % -code
    return "exited with code %d" % code


class ChildDied(RuntimeError):
    pass


# Every child process of the driver (children, pool workers): when the
# driver fails, a child that exited is named as the reason.
WATCH = []


def failed_first(procs):
    """The child of procs to name as a failure: one that exited with a code
    of its own (> 0) before one killed by a signal (an executor terminates
    its other workers when one dies); None when none has failed."""
    killed = None
    for p in procs:
        try:
            code = p.exitcode
        except Exception:
            continue
        if code is not None and code > 0:
            return p
        if code is not None and code < 0 and killed is None:
            killed = p
    return killed


def dead_child(grace=0.5):
    """A reason naming a child of WATCH that exited (non-zero), or None;
    waits up to grace seconds for an exit in progress (the parent may see
    EOF before the child's exit status exists)."""
    deadline = time.monotonic() + grace
    while True:
        p = failed_first(WATCH)
        if p is not None:
            return "child (pid %s) %s" % (p.pid, exit_status(p))
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)


def died(p, what):
    return ChildDied("%s (pid %s) %s" % (what, p.pid, exit_status(p)))


def wait_readable(obj, p, what):
    """Wait until obj (a Connection or a queue's reader) has data, or fail
    when child p exits first."""
    from multiprocessing.connection import wait

    if obj not in wait([obj, p.sentinel]):
        raise died(p, what)


class Watchdog(object):
    """A thread blocked in poll() on the sentinels of procs: when one of them
    exits before stop(), it prints the reason to stderr and ends the driver
    (its children die with it: PR_SET_PDEATHSIG)."""

    def __init__(self, procs, what, clean_exit_ok=False):
        import threading

        self.procs = list(procs)
        self.what = what
        self.clean_exit_ok = clean_exit_ok
        self.r, self.w = os.pipe()
        self.t = threading.Thread(target=self._run, name="mpbench-watchdog")
        self.t.daemon = True
        self.t.start()

    def _run(self):
        from multiprocessing.connection import wait

        by = dict((p.sentinel, p) for p in self.procs)
        ready = wait(list(by) + [self.r])
        if self.r in ready:
            return
        dead = [by[s] for s in ready if s in by]
        p = dead[0]
        if len(dead) > 1:  # ended together: name the one that failed on its own
            for q in dead:
                q.join(0.1)
            p = failed_first(dead) or p
        if self.clean_exit_ok:
            p.join(1.0)
            if p.exitcode == 0:
                return  # done: the main thread's next wait checks liveness
        sys.stdout.flush()
        sys.stderr.write("driver: ChildDied: %s\n" % died(p, self.what))
        sys.stderr.flush()
        os._exit(1)

    def stop(self):
        os.write(self.w, b"x")
        self.t.join()
        os.close(self.r)
        os.close(self.w)


# ---------------------------------------------------------------- shm rings

_HDR = 64  # per-ring header: write index, read index (u64 each), padded
_SLOT_HDR = 16  # per-slot header: chunk length, message length (u64 each)

import struct as _struct  # noqa: E402  (cheap; precompiled for the hot path)

_U64 = _struct.Struct("<Q")  # ring header words: write index, read index
_SLOTHDR = _struct.Struct("<QQ")  # slot header: chunk length, message length


class Ring(object):
    """One direction of a shared-memory channel: nslots slots of slotsize
    bytes in segment seg at offset off.  free/full count slots; the optional
    locks make several senders (or receivers) take whole messages in turn.
    check, when set (parent side of start-up), is called every 0.2 s while a
    wait lasts; it raises when the peer is gone."""

    def __init__(self, ctx, off, nslots, slotsize, send_lock=False, recv_lock=False):
        self.off = off
        self.nslots = nslots
        self.slotsize = slotsize
        self.free = ctx.Semaphore(nslots)
        self.full = ctx.Semaphore(0)
        self.slock = ctx.Lock() if send_lock else None
        self.rlock = ctx.Lock() if recv_lock else None
        self.buf = None
        self.check = None

    @staticmethod
    def nbytes(nslots, slotsize):
        return _HDR + nslots * (_SLOT_HDR + slotsize)

    def __getstate__(self):
        d = dict(self.__dict__)
        d["buf"] = None
        d["check"] = None
        return d

    def _slot(self, i):
        return self.off + _HDR + (i % self.nslots) * (_SLOT_HDR + self.slotsize)

    def _wait(self, sem):
        if self.check is None:
            sem.acquire()
            return
        while not sem.acquire(True, 0.2):
            self.check()

    def send(self, data):
        if self.slock is not None:
            self.slock.acquire()
        try:
            buf = self.buf
            total = len(data) if type(data) is bytes else None
            if total is not None and total <= self.slotsize:
                mv = data  # one slot, no chunking: copy straight from the bytes
            else:
                mv = memoryview(data).cast("B")  # chunks are views, never copies
                total = len(mv)
            (w,) = _U64.unpack_from(buf, self.off)
            o = 0
            while True:
                n = min(total - o, self.slotsize)
                self._wait(self.free)
                a = self._slot(w)
                _SLOTHDR.pack_into(buf, a, n, total)
                buf[a + _SLOT_HDR : a + _SLOT_HDR + n] = mv if n == total else mv[o : o + n]
                w += 1
                _U64.pack_into(buf, self.off, w)
                self.full.release()
                o += n
                if o >= total:
                    break
        finally:
            if self.slock is not None:
                self.slock.release()

    def recv(self):
        if self.rlock is not None:
            self.rlock.acquire()
        try:
            buf = self.buf
            (r,) = _U64.unpack_from(buf, self.off + 8)
            self._wait(self.full)
            a = self._slot(r)
            n, total = _SLOTHDR.unpack_from(buf, a)
            if n == total:
                out = bytes(buf[a + _SLOT_HDR : a + _SLOT_HDR + n])
                _U64.pack_into(buf, self.off + 8, r + 1)
                self.free.release()
                return out
            out = bytearray(total)
            o = 0
            while True:
                out[o : o + n] = buf[a + _SLOT_HDR : a + _SLOT_HDR + n]
                o += n
                r += 1
                _U64.pack_into(buf, self.off + 8, r)
                self.free.release()
                if o >= total:
                    return out
                self._wait(self.full)
                a = self._slot(r)
                n, total2 = _SLOTHDR.unpack_from(buf, a)
                if total2 != total or o + n > total:
                    raise RuntimeError("shm ring: corrupt chunk header")
        finally:
            if self.rlock is not None:
                self.rlock.release()


def shared_memory_module():
    """The library's shared_memory when it has one (multiprocess), else the
    stdlib's (billiard has none; a segment is a segment)."""
    try:
        import importlib

        return importlib.import_module(MP_ROOT + ".shared_memory")
    except ImportError:
        from multiprocessing import shared_memory

        return shared_memory


class ShmSegment(object):
    """A shared-memory segment holding rings; the parent creates it, each
    child attaches (by name) and releases `attached`; the parent unlinks it
    once all expected children attached."""

    def __init__(self, ctx, name, size):
        self.shm = shared_memory_module().SharedMemory(name=name, create=True, size=size)
        self.name = self.shm.name
        self.attached = ctx.Semaphore(0)
        self.unlinked = False

    def __getstate__(self):
        d = dict(self.__dict__)
        d["shm"] = None
        return d

    def attach(self):
        """Child side: open the segment (inherited under fork) and signal."""
        if self.shm is None:
            # Registers with the resource tracker too (CPython < 3.13). All
            # processes of one driver share one tracker whose cache is a set,
            # so this is a no-op there and the parent's unlink() unregisters
            # the name exactly once: no warnings, nothing leaked.
            sm = shared_memory_module()
            if MP_ROOT != "multiprocessing" and sm.__name__ == "multiprocessing.shared_memory":
                # A library without shared_memory (billiard) under spawn or
                # forkserver: the child has no connection to the stdlib
                # tracker of the parent, would start one of its own (a new
                # process) and have it "clean up" the parent's segment at
                # exit.  The parent owns and unlinks the segment: attach
                # without registering.
                from multiprocessing import resource_tracker as rt

                reg = rt.register
                rt.register = lambda *a, **k: None
                try:
                    self.shm = sm.SharedMemory(name=self.name)
                finally:
                    rt.register = reg
            else:
                self.shm = sm.SharedMemory(name=self.name)
        self.attached.release()
        return self.shm.buf

    def wait_attached(self, n=1, check=None):
        """Parent side: wait for n attachments, then unlink the name."""
        for _ in range(n):
            if check is None:
                self.attached.acquire()
            else:
                while not self.attached.acquire(True, 0.2):
                    check()
        self.unlink()

    def unlink(self):
        if not self.unlinked:
            self.unlinked = True
            self.shm.unlink()

    def close(self):
        try:
            self.shm.close()
        except BufferError:  # PyPy may keep slices alive until a GC
            pass


# ---------------------------------------------------------------- channels


class PipeEnd(object):
    """chan=pipe: send/recv (pickled objects, as users call it); raw: the
    payload=rawbytes variant, send_bytes/recv_bytes."""

    def __init__(self, conn, raw):
        self.conn = conn
        self.raw = raw
        self.seg = None

    def open(self):
        if self.raw:
            self.send = self.conn.send_bytes
            self.recv = self.conn.recv_bytes
        else:
            self.send = self.conn.send
            self.recv = self.conn.recv

    def readable(self):
        return self.conn

    def __getstate__(self):
        return {"conn": self.conn, "raw": self.raw, "seg": None}

    def close_child_copy(self):
        self.conn.close()


class QueueEnd(object):
    def __init__(self, inq, outq):
        self.inq = inq
        self.outq = outq
        self.seg = None

    def open(self):
        self.send = self.outq.put
        self.recv = self.inq.get

    def readable(self):
        return self.inq._reader

    def __getstate__(self):
        return {"inq": self.inq, "outq": self.outq, "seg": None}

    def close_child_copy(self):
        pass


class ShmEnd(object):
    def __init__(self, seg, tx, rx, is_child):
        self.seg = seg
        self.tx = tx
        self.rx = rx
        self.is_child = is_child

    def open(self):
        buf = self.seg.attach() if self.is_child else self.seg.shm.buf
        self.tx.buf = buf
        self.rx.buf = buf
        self.send = self.tx.send
        self.recv = self.rx.recv

    def readable(self):
        return None

    def __getstate__(self):
        return {"seg": self.seg, "tx": self.tx, "rx": self.rx, "is_child": self.is_child}

    def close_child_copy(self):
        pass


SHM_SLOTS = 8
SHM_SLOT = 1 << 20


def make_channel(ctx, chan, raw, names, nslots=SHM_SLOTS, slotsize=SHM_SLOT):
    """Returns (parent_end, child_end): a duplex channel over chan."""
    if chan == "pipe":
        a, b = ctx.Pipe(duplex=True)
        return PipeEnd(a, raw), PipeEnd(b, raw)
    if chan in ("simplequeue", "queue"):
        mk = ctx.SimpleQueue if chan == "simplequeue" else ctx.Queue
        pc, cp = mk(), mk()
        return QueueEnd(cp, pc), QueueEnd(pc, cp)
    if chan == "shm":
        rb = Ring.nbytes(nslots, slotsize)
        seg = ShmSegment(ctx, names.next(), 2 * rb)
        down = Ring(ctx, 0, nslots, slotsize)
        up = Ring(ctx, rb, nslots, slotsize)
        return ShmEnd(seg, down, up, False), ShmEnd(seg, up, down, True)
    raise ValueError("unknown chan %r" % chan)


def recv_alive(end, p, what):
    """Parent side: one message from child p, failing when p exits first."""
    r = end.readable()
    if r is not None:
        wait_readable(r, p, what)
        return end.recv()

    def check():
        if p.exitcode is not None or not p.is_alive():
            raise died(p, what)

    end.rx.check = check
    try:
        return end.recv()
    finally:
        end.rx.check = None


def release_channel(end):
    """Parent side, after the child(ren) are gone.  A Queue's feeder thread
    is ended too, so that the next fork happens in a single-threaded parent
    (as in a program that starts its children first)."""
    if isinstance(end, QueueEnd):
        for q in (end.inq, end.outq):
            if hasattr(q, "join_thread"):
                q.close()
                q.join_thread()
    if end.seg is not None:
        end.tx.buf = end.rx.buf = None
        end.seg.unlink()
        end.seg.close()


# ---------------------------------------------------------------- payloads


def make_payload(cell, size):
    """The message of pingpong and stream: the same bytes object every time
    (bytes are immutable: each send pickles or copies it anew), or for
    payload=tensor a callable that makes a fresh tensor per message.  A
    reused tensor would move its storage to shared memory once, at the
    first send, and every later send would only pass the handle again, so
    the per-message move would never be timed; the allocation
    of the fresh tensor is part of what a torch user pays per message."""
    if cell.payload == "tensor":
        import torch

        n = size // 4
        return lambda: torch.zeros(n, dtype=torch.float32)
    return b"\x5a" * size


def touch(x):
    """Make sure a received payload arrived (tensor, ndarray, ndarray-shm:
    read one element; bytes, objects: its length)."""
    if isinstance(x, ShmArray):
        x = x.array
    if hasattr(x, "numel"):
        if x.numel() > 0:
            return float(x[-1])
        return 0
    if hasattr(x, "dtype"):
        return float(x[-1]) if x.size else 0
    return len(x)


# ---- the users' payloads (bench/payload.go): ndarray, ndarray-oob,
# ndarray-shm, objects.

OBJECT_DICT = lambda i: {"id": i, "name": "item%07d" % i, "value": i * 0.5, "tags": ["a", "b"], "ok": True}  # noqa: E731


def make_objects(size):
    """payload=objects: a list of k dicts (OBJECT_DICT) whose pickle
    (protocol 4, as the channels pickle) is about size bytes: k = max(1,
    round(size / d)), d the pickled bytes one more dict adds."""
    import pickle

    def n(k):
        return len(pickle.dumps([OBJECT_DICT(1000000 + i) for i in range(k)], 4))

    per = (n(200) - n(100)) / 100.0
    k = max(1, int(round((size - n(0)) / per)))
    return [OBJECT_DICT(1000000 + i) for i in range(k)]


def make_ndarray(size):
    """The ndarray payloads: a float64 array of size bytes, every page written."""
    import numpy

    return numpy.full(size // 8, 1.5)


class ShmArray(object):
    """payload=ndarray-shm: an array living in a shared_memory segment and
    its descriptor (name, length), the only thing a message carries."""

    views = {}  # segment name -> (SharedMemory, pid of the process that created it)

    def __init__(self, desc, array):
        self.desc = desc
        self.array = array

    @classmethod
    def create(cls, name, size):
        """Sender side, once per program run: the segment and the array in it."""
        import numpy

        shm = shared_memory_module().SharedMemory(name=name, create=True, size=max(8, size))
        a = numpy.ndarray((size // 8,), dtype=numpy.float64, buffer=shm.buf)
        a[:] = 1.5
        cls.views[shm.name] = (shm, os.getpid())
        return cls((shm.name, size // 8), a)

    @classmethod
    def open(cls, desc):
        """Receiver side, per message: a view of the array the descriptor
        names (the segment is attached at the first message naming it)."""
        import numpy

        got = cls.views.get(desc[0])
        if got is None:
            got = (shared_memory_module().SharedMemory(name=desc[0]), None)
            cls.views[desc[0]] = got
        return cls(desc, numpy.ndarray((desc[1],), dtype=numpy.float64, buffer=got[0].buf))

    @classmethod
    def release(cls):
        """Drop this process's views; the creator unlinks its segment (a
        fork child inherits the creator's entry, and only closes it)."""
        import gc

        gc.collect()  # views held by cycles
        for shm, owner in cls.views.values():
            try:
                shm.close()
            except BufferError:
                pass
            if owner == os.getpid():
                shm.unlink()
        cls.views.clear()


def make_user_payload(cell, size, names):
    if cell.payload == "objects":
        return make_objects(size)
    if cell.payload == "ndarray-shm":
        return ShmArray.create(names.next(), size)
    return make_ndarray(size)


def oob_send(send_bytes):
    """payload=ndarray-oob, sending: pickle protocol 5 with the array's data
    as an out-of-band buffer: one message holding the buffer count and the
    small pickle, then each buffer as it lies in memory (no copy into a
    pickle)."""
    import pickle
    import struct

    hdr = struct.Struct("<I")

    def send(obj):
        bufs = []
        head = pickle.dumps(obj, protocol=5, buffer_callback=bufs.append)
        send_bytes(hdr.pack(len(bufs)) + head)
        for b in bufs:
            send_bytes(b.raw())

    return send


def oob_recv(recv_bytes):
    """payload=ndarray-oob, receiving: the pickle, then its buffers, which
    the unpickled array uses in place."""
    import pickle
    import struct

    hdr = struct.Struct("<I")

    def recv():
        m = recv_bytes()
        (k,) = hdr.unpack_from(m)
        bufs = [recv_bytes() for _ in range(k)]
        return pickle.loads(memoryview(m)[hdr.size :], buffers=bufs)

    return recv


def wrap_end(end, payload):
    """Puts a user payload's transport on an opened end: ndarray-oob's
    out-of-band framing (pipe: send_bytes/recv_bytes; shm: the rings);
    over shm, which carries bytes, ndarray and objects are pickled as the
    queues and pipes pickle them (ForkingPickler, protocol 4 on the
    versions here); ndarray-shm sends the descriptor and makes a view of
    the array of each descriptor received."""
    if payload not in USER_PAYLOADS:
        return
    shm = isinstance(end, ShmEnd)
    if payload == "ndarray-oob":
        if shm:
            end.send, end.recv = oob_send(end.tx.send), oob_recv(end.rx.recv)
        else:
            end.send, end.recv = oob_send(end.conn.send_bytes), oob_recv(end.conn.recv_bytes)
        return
    send, recv = end.send, end.recv
    if shm:
        import pickle

        from multiprocessing.reduction import ForkingPickler

        send, recv = (lambda o, tx=end.tx.send: tx(ForkingPickler.dumps(o))), (lambda rx=end.rx.recv: pickle.loads(rx()))
    if payload == "ndarray-shm":
        end.send = lambda o: send(o.desc)
        end.recv = lambda: ShmArray.open(recv())
    else:
        end.send, end.recv = send, recv


def user_payload_skip(cell):
    """Why a cell with a user payload cannot run here (None: it can)."""
    import pickle

    if cell.workload not in ("pingpong", "stream"):
        return "payload=%s is a payload of pingpong and stream" % cell.payload
    if cell.payload == "ndarray-oob" and cell.chan not in ("pipe", "shm"):
        return "payload=ndarray-oob needs a channel that carries raw bytes (pipe, shm)"
    if cell.payload == "ndarray-oob" and pickle.HIGHEST_PROTOCOL < 5:
        return "payload=ndarray-oob needs pickle protocol 5 (Python 3.8)"
    if cell.payload != "objects":
        if cell.size % 8:
            return "payload=%s is a float64 array: size must be a multiple of 8" % cell.payload
        try:
            import numpy  # noqa: F401
        except Exception as e:
            return "payload=%s needs numpy, which is not importable by %s: %s" % (cell.payload, sys.executable, first_line(e))
    return None


# ---------------------------------------------------------------- children


def child_startup(driver_pid, end, payload):
    # The guard comes after the first message: it is the harness's hygiene
    # (about 1 ms of ctypes import in a spawned child), not start-up.  The
    # child blocks right after its first message (as a minimal program's
    # child would) and arms the guard only when the parent says so: work
    # done by the child right after sending would compete with the waking
    # parent for a CPU and inflate the measured start-up.
    if TEST_CHILD_EXIT is not None:
        test_exit()
    end.open()
    if payload == "tensor":
        import torch

        first = torch.zeros(16, dtype=torch.float32)
    else:
        first = b"\x01"
    end.send(first)
    end.recv()  # go on
    child_guard(driver_pid)
    end.send(b"armed")
    end.recv()  # stop


def child_two_party(driver_pid, end, ctrl, echo, payload="bytes"):
    """The child of pingpong (echo: send every message back) and stream
    (receive only).  Per sample it reports the time after the last message
    (stream's t1) and its CPU time."""
    child_guard(driver_pid)
    end.open()
    wrap_end(end, payload)
    recv, send = end.recv, end.send
    ctrl.send(0)  # ready
    while True:
        n = ctrl.recv()
        if n is None:
            break
        u0, s0 = rusage_ns()
        for _ in range(n):
            m = recv()
            if TEST_CHILD_EXIT is not None:
                test_exit()
            if echo:
                touch(m)
                send(m)
        touch(m)
        t1 = time.perf_counter_ns()
        u1, s1 = rusage_ns()
        ctrl.send((t1, u1 - u0, s1 - s0))
    m = None
    ShmArray.release()


def run_task(kind, param, i):
    """The pool task, the same for every executor: returns the time the
    task took as the worker measured it around the task body (ns): CPU time
    of the worker's thread for cpu tasks and tiny ones (an empty body; a
    task that waits for a core does not count the wait: the sum over tasks
    can never exceed cores x makespan), wall time for sleep tasks (sleeping
    needs no core)."""
    if TEST_CHILD_EXIT is not None:
        test_exit()
    if kind == "tiny":  # an empty body, timed as a cpu task is
        clock = time.thread_time_ns
        t = clock()
        return clock() - t
    if kind == "cpu":
        clock = time.thread_time_ns
        t = clock()
        mpcore.spin(param)
    else:
        clock = time.perf_counter_ns
        t = clock()
        time.sleep(param)
    return clock() - t


def worker_pid(_):
    time.sleep(0.01)
    return os.getpid()


def pool_init(driver_pid, ready):
    child_guard(driver_pid)
    ready.release()


def pool_worker(driver_pid, ready, chan, end, kind, param):
    import struct

    child_guard(driver_pid)
    end.open()
    ready.release()
    while True:
        m = end.recv()
        if chan == "shm":
            lo, hi = struct.unpack("<qq", m)
        else:
            lo, hi = m
        if lo < 0:
            break
        res = [run_task(kind, param, i) for i in range(lo, hi)]
        if chan == "shm":
            end.send(struct.pack("<%dq" % (1 + len(res)), lo, *res))
        else:
            end.send((lo, res))


def child_gather(driver_pid, end, ctrl, size):
    """A gather worker: per sample, n messages of size bytes to the parent,
    back to back, once the parent sends n on ctrl; None ends it."""
    child_guard(driver_pid)
    end.open()
    payload = b"\x5a" * size
    send = end.send
    ctrl.send(0)  # ready (attached, for shm)
    while True:
        n = ctrl.recv()
        if n is None:
            break
        for _ in range(n):
            send(payload)
            if TEST_CHILD_EXIT is not None:
                test_exit()


def child_check(driver_pid, end, ctrl, sizes, reps, tensors, corrupt):
    child_guard(driver_pid)
    end.open()
    try:
        k = 0
        for size in sizes:  # ping-pong phase: verify, answer with own pattern
            for _ in range(reps):
                got = end.recv()
                if TEST_CHILD_EXIT is not None:
                    test_exit()
                verify(got, k, size, "parent->child")
                answer = pattern(k + 100000, size, tensors)
                if corrupt and size == max(sizes) and size > 0:
                    # --check-corrupt: prove that the checker catches a flip
                    b = bytearray(answer)
                    b[size // 2] ^= 0x40
                    answer = bytes(b)
                end.send(answer)
                k += 1
        for size in sizes:  # one-way burst phase
            for _ in range(reps):
                verify(end.recv(), k, size, "parent->child burst")
                k += 1
        ctrl.send("ok")
    except Exception as e:  # reported by the parent
        ctrl.send("child: %s" % e)


# ---------------------------------------------------------------- check mode

_PAT = bytes(range(251))


def pattern(k, size, tensors=False):
    off = (k * 31 + size) % 251
    reps = (off + size) // 251 + 1
    b = (_PAT * reps)[off : off + size]
    if tensors and size % 4 == 0 and size > 0 and k % 2 == 1:
        import torch

        return torch.frombuffer(bytearray(b), dtype=torch.uint8).view(torch.float32)
    return b


def verify(got, k, size, where):
    if hasattr(got, "numel"):
        got = got.view(-1).view(__import__("torch").uint8).numpy().tobytes()
    want = pattern(k, size)
    if len(got) != len(want):
        raise AssertionError("%s message %d: got %d bytes, want %d" % (where, k, len(got), len(want)))
    if bytes(got) != want:
        i = next(j for j in range(len(want)) if got[j] != want[j])
        raise AssertionError("%s message %d (size %d): byte %d is %d, want %d" % (where, k, size, i, got[i], want[i]))


def run_check(args):
    ctx = get_context(args.method)
    tensors = args.impl == "torch" and args.chan != "shm"
    sizes = [mpcore.parse_size(s) for s in args.sizes.split(",") if s]
    reps = 3
    names = mpcore.Names(args.shm_prefix)
    pend, cend = make_channel(ctx, args.chan, False, names)
    ctrl, cctrl = ctx.Pipe()
    p = ctx.Process(target=child_check, args=(os.getpid(), cend, cctrl, sizes, reps, tensors, args.check_corrupt), daemon=True)
    p.start()
    cend.close_child_copy()
    cctrl.close()
    if pend.seg is not None:
        pend.seg.wait_attached(check=lambda: check_alive(p, "check child"))
    dog = Watchdog([p], "check child", clean_exit_ok=True)  # exits once verified
    pend.open()
    k = 0
    for size in sizes:
        for _ in range(reps):
            pend.send(pattern(k, size, tensors))
            verify(pend.recv(), k + 100000, size, "child->parent")
            k += 1
    for size in sizes:
        for _ in range(reps):
            pend.send(pattern(k, size, tensors))
            k += 1
    dog.stop()  # the child exits right after its verdict
    wait_readable(ctrl, p, "check child")
    res = ctrl.recv()
    p.join()
    release_channel(pend)
    if res != "ok":
        raise AssertionError(res)
    if p.exitcode != 0:
        raise AssertionError("child %s" % exit_status(p))
    print("ok", flush=True)


def check_alive(p, what):
    if p.exitcode is not None or not p.is_alive():
        raise died(p, what)


# ---------------------------------------------------------------- benchmark


def setup_mp(module, impl):
    """Import the multiprocessing library (a parameter: the stdlib's,
    billiard, multiprocess, torch.multiprocessing) and tell future children
    which one it is (MPBENCH_MP_ROOT)."""
    global MP, MP_ROOT
    import importlib

    if not module:
        module = "torch.multiprocessing" if impl == "torch" else "multiprocessing"
    MP = importlib.import_module(module)
    ctxmod = type(MP.get_context()).__module__  # e.g. billiard.context
    MP_ROOT = ctxmod.split(".")[0]
    os.environ["MPBENCH_MP_ROOT"] = MP_ROOT
    if impl == "torch":
        os.environ["MPBENCH_TORCH"] = "1"
    else:
        os.environ.pop("MPBENCH_TORCH", None)
    return MP


def quiet_resource_tracker():
    """The resource tracker (a helper process that outlives the driver by a
    few milliseconds) warns about semaphores and segments it cleans up after
    a driver that failed; that warning would come after, and so replace, the
    driver's one-line reason as the last line of stderr.  Start the tracker
    with that UserWarning ignored (only the tracker: the option is added to
    sys.warnoptions just while it starts).  It still cleans up."""
    import importlib

    try:
        rt = importlib.import_module(MP_ROOT + ".resource_tracker")
    except ImportError:
        return
    tr = getattr(rt, "_resource_tracker", None)
    orig = getattr(tr, "ensure_running", None)
    if orig is None:
        return
    opt = "ignore::UserWarning:%s.resource_tracker" % MP_ROOT

    def ensure_running():
        saved = list(sys.warnoptions)
        sys.warnoptions.append(opt)
        try:
            return orig()
        finally:
            sys.warnoptions[:] = saved

    tr.ensure_running = ensure_running


def get_context(method, preload="main"):
    """The start-method context (never the global default).  For forkserver
    with preload=main the server imports this module (and so mpcore) and the
    main module's imports before it forks any child: every child still
    re-runs the __main__ module (the fork server of the versions measured
    here never loads __main__, see the top of this file), whose imports then
    find these modules loaded, as a user script's own functions are when the
    script calls set_forkserver_preload with its imports.  With preload=none
    nothing is preloaded (set_forkserver_preload([])): every child imports
    them again.  A spawned child imports them from scratch."""
    ctx = MP.get_context(method)
    if method == "forkserver" and preload == "none":
        ctx.set_forkserver_preload([])
    elif method == "forkserver" and __name__ == "driver":
        # The server starts with `python -c ...` and does not apply the
        # parent's sys.path before preloading: find the module through
        # PYTHONPATH (inherited by the server only: a forkserver cell spawns
        # nothing else but the resource tracker).
        here = os.path.dirname(os.path.abspath(__file__))
        pp = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = here + (os.pathsep + pp if pp else "")
        ctx.set_forkserver_preload(["driver"] + list(MAIN_IMPORTS))
    return ctx


class Bench(object):
    def __init__(self, cell, args):
        self.cell = cell
        self.count = args.count
        self.warmup = args.warmup
        self.benchtime = mpcore.parse_duration(args.benchtime)
        self.spin = args.spin
        self.names = mpcore.Names(args.shm_prefix)
        self.ctx = get_context(cell.method, cell.preload) if cell.method != "loky" else None
        self.pid = os.getpid()
        self.procs = []

    def emit(self, iters, nsop, extra):
        emit(self.cell.name, iters, nsop, extra)

    def start(self, target, args):
        p = self.ctx.Process(target=target, args=(self.pid,) + tuple(args), daemon=True)
        p.start()
        self.procs.append(p)
        WATCH.append(p)
        return p

    # ---- startup
    def startup(self):
        c = self.cell
        global _ballast
        if c.rss > 0:
            _ballast = bytearray(c.rss)
            _ballast[::4096] = b"\x01" * len(range(0, c.rss, 4096))
        raw = c.payload == "rawbytes"
        for i in range(max(1, self.warmup) + self.count):
            pend, cend = make_channel(self.ctx, c.chan, raw, self.names, nslots=2, slotsize=4096)
            pend.open()
            t0 = time.perf_counter_ns()
            p = self.ctx.Process(target=child_startup, args=(self.pid, cend, c.payload), daemon=True)
            p.start()
            cend.close_child_copy()
            WATCH[:] = [p]
            touch(recv_alive(pend, p, "startup child"))
            t1 = time.perf_counter_ns()
            if pend.seg is not None:
                pend.seg.wait_attached(check=lambda: check_alive(p, "startup child"))
            pend.send(b"")
            recv_alive(pend, p, "startup child")  # guard armed
            tj = time.perf_counter_ns()
            pend.send(b"")
            p.join()
            t2 = time.perf_counter_ns()
            release_channel(pend)
            if p.exitcode != 0:
                raise RuntimeError("startup child %s" % exit_status(p))
            if i >= max(1, self.warmup):
                self.emit(1, t1 - t0, [(t2 - tj, "join-ns/op")])

    # ---- pingpong and stream
    def two_party(self, sample):
        c = self.cell
        pend, cend = make_channel(self.ctx, c.chan, c.payload == "rawbytes", self.names)
        # Made before the child starts: an ndarray-shm segment registers
        # with the resource tracker, which every child must share (a fork
        # child started first would start a tracker of its own, which
        # would unlink the segment when that child exits).
        payload = make_user_payload(c, c.size, self.names) if c.payload in USER_PAYLOADS else make_payload(c, c.size)
        ctrl, cctrl = self.ctx.Pipe()
        p = self.start(child_two_party, (cend, cctrl, c.workload == "pingpong", c.payload))
        cend.close_child_copy()
        cctrl.close()
        self.child = p
        wait_readable(ctrl, p, c.workload + " child")
        ctrl.recv()  # child ready (attached, for shm)
        if pend.seg is not None:
            pend.seg.wait_attached(check=lambda: check_alive(p, c.workload + " child"))
        pend.open()
        wrap_end(pend, c.payload)
        dog = Watchdog([p], c.workload + " child")
        minn = 2 if c.workload == "stream" else 1
        if self.warmup > 0:
            sample(pend, ctrl, payload, max(minn, self.warmup))
        n = self.calibrate(lambda n: sample(pend, ctrl, payload, n)[0], minn)
        for _ in range(self.count):
            r = sample(pend, ctrl, payload, n)
            self.emit(n, r[0] / n, r[1])
        dog.stop()
        ctrl.send(None)
        p.join()
        release_channel(pend)
        payload = None
        ShmArray.release()
        if p.exitcode != 0:
            raise RuntimeError("child %s" % exit_status(p))

    def calibrate(self, run, n):
        """Iterations of one sample: n grown until run(n) lasts >= benchtime
        (mpcore.grow_iters)."""
        return mpcore.grow_iters(run, self.benchtime, n)

    def pp_sample(self, end, ctrl, payload, n):
        ctrl.send(n)
        u0, s0 = rusage_ns()
        dts = [0] * n
        pc = time.perf_counter_ns
        send, recv = end.send, end.recv
        ts = pc()
        if callable(payload):  # fresh tensors
            for i in range(n):
                t = pc()
                send(payload())
                touch(recv())
                dts[i] = pc() - t
        else:
            for i in range(n):
                t = pc()
                send(payload)
                touch(recv())
                dts[i] = pc() - t
        te = pc()
        u1, s1 = rusage_ns()
        _, cu, cs = ctrl.recv()
        dts.sort()
        p50 = mpcore.percentile(dts, 50)
        p99 = mpcore.percentile(dts, 99)
        d = te - ts
        return d, [(p50, "p50-ns"), (p99, "p99-ns"), ((u1 - u0 + cu) / n, "user-ns/op"), ((s1 - s0 + cs) / n, "sys-ns/op")]

    def st_sample(self, end, ctrl, payload, n):
        ctrl.send(n)
        u0, s0 = rusage_ns()
        send = end.send
        t0 = time.perf_counter_ns()
        if callable(payload):  # fresh tensors
            for _ in range(n):
                send(payload())
        else:
            for _ in range(n):
                send(payload)
        t1, cu, cs = ctrl.recv()
        u1, s1 = rusage_ns()
        d = max(1, t1 - t0)
        size = self.cell.size
        return d, [
            (n * size / d * 1e3, "MB/s"),
            (n / d * 1e9, "msgs/s"),
            ((u1 - u0 + cu) / n, "user-ns/op"),
            ((s1 - s0 + cs) / n, "sys-ns/op"),
        ]

    # ---- gather (many-to-one)
    def gather(self):
        c = self.cell
        g = Gather(self, c)
        if self.warmup > 0:
            g.sample(self.warmup)
        n = self.calibrate(g.sample, 1)  # messages per worker
        total = n * c.workers
        for _ in range(self.count):
            d = max(1, g.sample(n))
            self.emit(total, d / total, [
                (total * c.size / d * 1e3, "MB/s"),
                (total / d * 1e9, "msgs/s"),
            ])
        g.close()

    # ---- memory
    def memory(self):
        c = self.cell
        build_objects(c.rss)
        warm = max(1, self.warmup)
        for i in range(warm + self.count):
            d, pss, uss, total = memory_sample(self, c)
            if i >= warm:
                self.emit(1, d, [(pss, "pss-B"), (uss, "uss-B"), (total, "pool-pss-B")])

    # ---- pool
    def pool(self):
        import functools

        c = self.cell
        if c.task == "cpu":
            param = self.spin
            par = max(1, min(c.workers, c.tasks, c.cores))
        elif c.task == "tiny":
            param = 0
            par = max(1, min(c.workers, c.tasks, c.cores))
        else:
            param = SLEEP_TASK_MS / 1000.0
            par = max(1, min(c.workers, c.tasks))
        task = functools.partial(run_task, c.task, param)
        ex = make_executor(self, c, task, param)
        warm = max(1, self.warmup)
        try:
            for i in range(warm + self.count):
                if i == warm:
                    ex.ready()
                ex.before()
                t0 = time.perf_counter_ns()
                got = ex.map()
                d = time.perf_counter_ns() - t0
                if len(got) != c.tasks or min(got) < (0 if c.task == "tiny" else 1):
                    raise RuntimeError("pool map returned %d task times, want %d positive ones (tiny: not negative)" % (len(got), c.tasks))
                if i >= warm:
                    task_ns = sum(got)
                    self.emit(1, d, [
                        (c.tasks / d * 1e9, "tasks/s"),
                        (task_ns / (par * d), "efficiency"),
                        (mpcore.pool_overhead(task_ns, d, c.tasks, par), "overhead-ns/op"),
                    ])
        except BaseException:
            WATCH.extend(ex.procs)
            raise
        ex.close()

    def run(self):
        w = self.cell.workload
        if w == "startup":
            self.startup()
        elif w == "pingpong":
            self.two_party(self.pp_sample)
        elif w == "stream":
            self.two_party(self.st_sample)
        elif w == "gather":
            self.gather()
        elif w == "memory":
            self.memory()
        else:
            self.pool()


_ballast = None


# ---------------------------------------------------------------- executors


class Executor(object):
    """One pool under test: map() runs one map of the cell's tasks and
    returns the task durations; ready() waits (with liveness) until every
    worker is up; dead() names a worker that exited, if any; close()."""

    procs = ()
    dog = None

    def ready(self):
        pass

    def before(self):
        """Called before each timed map (not timed)."""

    def watch(self):
        self.dog = Watchdog(self.procs, "pool worker")

    def unwatch(self):
        if self.dog is not None:
            self.dog.stop()
            self.dog = None


def wait_ready(sem, n, procs):
    """Acquire sem n times (one per worker start), failing when a worker
    exits first."""
    for _ in range(n):
        while not sem.acquire(True, 0.2):
            for p in procs:
                if p.exitcode is not None:
                    raise died(p, "pool worker")


class StdlibPool(Executor):
    def __init__(self, b, c, task):
        self.c = c
        self.task = task
        self.sem = b.ctx.Semaphore(0)
        self.pool = b.ctx.Pool(c.workers, initializer=pool_init, initargs=(b.pid, self.sem))
        self.procs = list(self.pool._pool)
        wait_ready(self.sem, c.workers, self.procs)
        self.watch()

    def map(self):
        return self.pool.map(self.task, range(self.c.tasks), self.c.chunksize)  # None: Pool's default

    def close(self):
        self.unwatch()
        self.pool.close()
        self.pool.join()


class PPE(Executor):
    def __init__(self, b, c, task):
        from concurrent.futures import ProcessPoolExecutor

        self.c = c
        self.task = task
        self.sem = b.ctx.Semaphore(0)
        self.ex = ProcessPoolExecutor(c.workers, mp_context=b.ctx, initializer=pool_init, initargs=(b.pid, self.sem))

    def ready(self):
        # Workers start on demand: the warm-up map has started all of them.
        self.procs = list(self.ex._processes.values())
        wait_ready(self.sem, len(self.procs), self.procs)
        self.watch()

    def map(self):
        # submits every task (chunksize 1 is ProcessPoolExecutor.map's default)
        it = self.ex.map(self.task, range(self.c.tasks), chunksize=self.c.chunksize or 1)
        self.procs = list(self.ex._processes.values())
        return list(it)

    def close(self):
        self.unwatch()
        self.ex.shutdown(wait=True)


def loky_executor(workers, **kw):
    try:
        from joblib.externals.loky import get_reusable_executor
    except ImportError:
        from loky import get_reusable_executor
    return get_reusable_executor(max_workers=workers, **kw)


class Loky(Executor):
    """cold: every map in a fresh executor (created inside the timed map);
    warm: one executor, maps after the warm-up."""

    def __init__(self, b, c, task, cold):
        self.c = c
        self.task = task
        self.cold = cold
        self.pid = b.pid
        self.ex = None
        if not cold:
            self.ex = self._new()

    def _new(self):
        return loky_executor(self.c.workers, timeout=300, initializer=child_guard, initargs=(self.pid,))

    def ready(self):
        # loky starts its workers at the first map; the warm-up map may end
        # before the last of them is up: wait until every worker has run a
        # task (a loky worker that died breaks the executor, which raises).
        if self.cold:
            return
        for _ in range(200):
            if len(set(self.ex.map(worker_pid, range(self.c.workers)))) == self.c.workers:
                break
        self.procs = list(self.ex._processes.values())

    def before(self):
        if self.cold and self.ex is not None:
            # outside the timed map: the previous sample's executor goes
            self.ex.shutdown(wait=True)
            self.ex = None

    def map(self):
        if self.cold:
            self.ex = self._new()
        it = self.ex.map(self.task, range(self.c.tasks))  # submits every task
        self.procs = list(self.ex._processes.values())
        return list(it)

    def close(self):
        if self.ex is not None:
            self.ex.shutdown(wait=True)


class Loop(Executor):
    """The hand-written worker loops: Pool.map's default chunking, one
    message (lo, hi) per chunk to a worker, one (lo, [durations]) back."""

    def __init__(self, b, c, task, param):
        self.c = c
        cs, extra = divmod(c.tasks, c.workers * 4)
        if extra:
            cs += 1
        self.chunks = [(lo, min(lo + cs, c.tasks)) for lo in range(0, c.tasks, max(1, cs))]
        ctx = b.ctx
        self.sem = ctx.Semaphore(0)
        procs = []
        args = (self.sem, c.chan)
        if c.chan in ("queue", "simplequeue"):
            mk = ctx.Queue if c.chan == "queue" else ctx.SimpleQueue
            self.tasks_q, self.results_q = mk(), mk()
            wend = QueueEnd(self.tasks_q, self.results_q)
            for _ in range(c.workers):
                procs.append(b.start(pool_worker, args + (wend, c.task, param)))
            self._map = self._map_queue
        elif c.chan == "pipe":
            self.conns = []
            for _ in range(c.workers):
                a, w = ctx.Pipe()
                procs.append(b.start(pool_worker, args + (PipeEnd(w, False), c.task, param)))
                w.close()
                self.conns.append(a)
            self._map = self._map_pipe
        else:
            # shm: one task ring (workers take whole messages under a lock)
            # and one result ring (workers put under a lock); the parent keeps
            # at most nslots chunks outstanding so neither ring can fill up
            # both ways.
            self.nslots, slotsize = 16, 4096
            rb = Ring.nbytes(self.nslots, slotsize)
            seg = ShmSegment(ctx, b.names.next(), 2 * rb)
            down = Ring(ctx, 0, self.nslots, slotsize, recv_lock=True)
            up = Ring(ctx, rb, self.nslots, slotsize, send_lock=True)
            self.pend, wend = ShmEnd(seg, down, up, False), ShmEnd(seg, up, down, True)
            for _ in range(c.workers):
                procs.append(b.start(pool_worker, args + (wend, c.task, param)))

            def check():
                for p in procs:
                    if p.exitcode is not None:
                        raise died(p, "pool worker")

            seg.wait_attached(c.workers, check=check)
            self.pend.open()
            self._map = self._map_shm
        self.procs = procs
        wait_ready(self.sem, c.workers, procs)
        self.watch()

    def map(self):
        return self._map()

    def _map_queue(self):
        for ch in self.chunks:
            self.tasks_q.put(ch)
        out = [None] * self.c.tasks
        for _ in self.chunks:
            lo, res = self.results_q.get()
            out[lo : lo + len(res)] = res
        return out

    def _map_pipe(self):
        from multiprocessing.connection import wait

        todo = list(reversed(self.chunks))
        busy = set()
        out = [None] * self.c.tasks
        for conn in self.conns:
            if todo:
                conn.send(todo.pop())
                busy.add(conn)
        while busy:
            for conn in wait(list(busy)):
                lo, res = conn.recv()
                out[lo : lo + len(res)] = res
                busy.discard(conn)
                if todo:
                    conn.send(todo.pop())
                    busy.add(conn)
        return out

    def _map_shm(self):
        import struct

        chunks = self.chunks
        out = [None] * self.c.tasks
        sent = got = 0
        while got < len(chunks):
            if sent < len(chunks) and sent - got < self.nslots:
                self.pend.send(struct.pack("<qq", *chunks[sent]))
                sent += 1
                continue
            m = self.pend.recv()
            v = struct.unpack("<%dq" % (len(m) // 8), m)
            out[v[0] : v[0] + len(v) - 1] = v[1:]
            got += 1
        return out

    def close(self):
        import struct

        self.unwatch()
        c = self.c
        if c.chan in ("queue", "simplequeue"):
            for _ in self.procs:
                self.tasks_q.put((-1, -1))
        elif c.chan == "pipe":
            for conn in self.conns:
                conn.send((-1, -1))
        else:
            for _ in self.procs:
                self.pend.send(struct.pack("<qq", -1, -1))
        for p in self.procs:
            p.join()
        if c.chan == "shm":
            release_channel(self.pend)


class ColdPool(Executor):
    """pool-cold / ppe-cold: every map is a whole pool life-cycle, all of it
    timed: create a fresh multiprocessing.Pool(W) / ProcessPoolExecutor(W,
    mp_context=ctx) (its workers arm the death-signal guard as their
    initializer), one map, then close() + join() / shutdown(wait=True).
    The workers are watched by a watchdog thread started inside the timed
    span (a dead Pool worker would hang Pool.map; a dead executor worker
    is named at once, before the executor terminates the others)."""

    def __init__(self, b, c, task, ppe):
        self.b = b
        self.c = c
        self.task = task
        self.ppe = ppe

    def map(self):
        b, c = self.b, self.c
        if self.ppe:
            from concurrent.futures import ProcessPoolExecutor

            ex = ProcessPoolExecutor(c.workers, mp_context=b.ctx, initializer=child_guard, initargs=(b.pid,))
            it = ex.map(self.task, range(c.tasks))  # submits every task
            self.procs = list(ex._processes.values())
            dog = Watchdog(self.procs, "pool worker")
            out = list(it)
            dog.stop()  # before the workers exit on shutdown()
            ex.shutdown(wait=True)
            return out
        pool = b.ctx.Pool(c.workers, initializer=child_guard, initargs=(b.pid,))
        self.procs = list(pool._pool)
        dog = Watchdog(self.procs, "pool worker")
        out = pool.map(self.task, range(c.tasks))
        dog.stop()  # before the workers exit on close()
        pool.close()
        pool.join()
        return out

    def close(self):
        pass


def make_executor(b, c, task, param):
    if c.exec in ("pool-cold", "ppe-cold"):
        return ColdPool(b, c, task, c.exec == "ppe-cold")
    if c.exec == "loop":
        return Loop(b, c, task, param)
    if c.exec == "pool":
        return StdlibPool(b, c, task)
    if c.exec == "ppe":
        return PPE(b, c, task)
    return Loky(b, c, task, c.exec == "loky-cold")


# ---------------------------------------------------------------- gather


class Gather(object):
    """The many-to-one workload: W workers started once, each streaming n
    messages of `size` bytes into this parent per sample (the top of this
    file defines the sample).  simplequeue/queue: one queue that every
    worker puts to; pipe: one Pipe per worker, received from as
    multiprocessing.connection.wait() reports them ready; shm: one ring of
    the driver's (8 x 1 MiB slots) that every worker sends to under the
    ring's lock -- the parent cannot wait on one ring (semaphore) per
    worker without polling."""

    def __init__(self, b, c):
        ctx = b.ctx
        self.c = c
        self.q = self.seg = self.ring = None
        self.conns = []
        if c.chan in ("simplequeue", "queue"):
            self.q = (ctx.SimpleQueue if c.chan == "simplequeue" else ctx.Queue)()
            ends = [QueueEnd(self.q, self.q)] * c.workers
            self._recv = self._recv_queue
        elif c.chan == "pipe":
            from multiprocessing.connection import wait

            self._conn_wait = wait  # imported outside the timed span
            ends = []
            for _ in range(c.workers):
                r, w = ctx.Pipe(duplex=False)
                self.conns.append(r)
                ends.append(PipeEnd(w, False))
            self._recv = self._recv_pipe
        else:
            self.seg = ShmSegment(ctx, b.names.next(), Ring.nbytes(SHM_SLOTS, SHM_SLOT))
            self.ring = Ring(ctx, 0, SHM_SLOTS, SHM_SLOT, send_lock=True)
            ends = [ShmEnd(self.seg, self.ring, self.ring, True)] * c.workers
            self._recv = self._recv_shm
        self.ctrls, procs = [], []
        for end in ends:
            ctrl, cctrl = ctx.Pipe()
            procs.append(b.start(child_gather, (end, cctrl, c.size)))
            cctrl.close()
            end.close_child_copy()
            self.ctrls.append(ctrl)
        self.procs = procs
        for ctrl, p in zip(self.ctrls, procs):
            wait_readable(ctrl, p, "gather worker")
            ctrl.recv()  # ready (attached, for shm)
        if self.seg is not None:
            self.seg.wait_attached(c.workers, check=lambda: [check_alive(p, "gather worker") for p in procs])
            self.ring.buf = self.seg.shm.buf
        self.dog = Watchdog(procs, "gather worker")

    def sample(self, n):
        """One sample of n messages per worker: its duration in ns, from
        before the first start signal to the last message received."""
        t0 = time.perf_counter_ns()
        for ctrl in self.ctrls:
            ctrl.send(n)
        self._recv(n * self.c.workers)
        return time.perf_counter_ns() - t0

    def _recv_queue(self, total):
        get = self.q.get
        for _ in range(total):
            touch(get())

    def _recv_shm(self, total):
        recv = self.ring.recv
        for _ in range(total):
            touch(recv())

    def _recv_pipe(self, total):
        wait = self._conn_wait
        per = total // len(self.conns)
        left = dict((conn, per) for conn in self.conns)
        while left:
            for conn in wait(list(left)):
                touch(conn.recv())
                if left[conn] == 1:
                    del left[conn]
                else:
                    left[conn] -= 1

    def close(self):
        self.dog.stop()
        for ctrl in self.ctrls:
            ctrl.send(None)
        for p in self.procs:
            p.join()
        for conn in self.ctrls + self.conns:
            conn.close()
        if self.q is not None and hasattr(self.q, "join_thread"):
            self.q.close()
            self.q.join_thread()
        if self.seg is not None:
            self.ring.buf = None
            self.seg.unlink()
            self.seg.close()
        for p in self.procs:
            if p.exitcode != 0:
                raise RuntimeError("gather worker %s" % exit_status(p))


# ---------------------------------------------------------------- memory

# The memory workload's entries: [i, a bytes object of MEM_OBJ bytes].
MEM_OBJ = 1000
# Bytes one entry takes (list object with its GC header and item array,
# the int, the bytes object): the entries that fill rss bytes.
MEM_ENTRY = MEM_OBJ + 33 + 16 + 56 + 16 + 28

_objects = None  # the parent's objects, inherited by fork children


def build_objects(rss):
    """The parent's Python objects: rss // MEM_ENTRY entries [i, b], each b
    a distinct bytes object of MEM_OBJ bytes (every page written), then one
    full collection (every entry in the oldest generation)."""
    import gc

    global _objects
    _objects = [[i, (b"%08d" % i) * (MEM_OBJ // 8)] for i in range(rss // MEM_ENTRY)]
    gc.collect()


def child_memory(driver_pid, ctrl, touch):
    """A memory worker: touches the inherited objects as `touch` says,
    reports, and waits until the parent has read its smaps_rollup."""
    child_guard(driver_pid)
    if TEST_CHILD_EXIT is not None:
        test_exit()
    if touch in ("read", "read-frozen"):
        n = 0
        for e in _objects or ():
            n += len(e[1])  # reference counts of the entry and of its bytes written
    elif touch in ("gc", "gc-frozen"):
        import gc

        gc.collect()  # a full collection walks every tracked container not frozen
    ctrl.send(0)  # touched
    ctrl.recv()  # stop


def memory_skip(cell):
    import gc

    if not os.path.exists("/proc/self/smaps_rollup"):
        return "memory needs /proc/<pid>/smaps_rollup (Linux 4.14 or later)"
    if cell.touch.endswith("-frozen") and not hasattr(gc, "freeze"):
        return "touch=%s needs gc.freeze(), which %s lacks" % (cell.touch, sys.executable)
    return None


def memory_sample(b, c):
    """One sample of the memory workload: (ns, mean Pss, mean USS, sum Pss)."""
    import gc

    if c.touch.endswith("-frozen"):
        gc.freeze()
    t0 = time.perf_counter_ns()
    ctrls, procs = [], []
    for _ in range(c.workers):
        ctrl, cctrl = b.ctx.Pipe()
        procs.append(b.start(child_memory, (cctrl, c.touch)))
        cctrl.close()
        ctrls.append(ctrl)
    for ctrl, p in zip(ctrls, procs):
        wait_readable(ctrl, p, "memory worker")
        ctrl.recv()
    t1 = time.perf_counter_ns()
    dog = Watchdog(procs, "memory worker")
    mem = [mpcore.smaps_rollup(p.pid) for p in procs]
    dog.stop()
    for ctrl in ctrls:
        ctrl.send(None)
    for p in procs:
        p.join()
    for ctrl in ctrls:
        ctrl.close()
    for p in procs:
        if p.exitcode != 0:
            raise RuntimeError("memory worker %s" % exit_status(p))
    b.procs = []
    WATCH[:] = []
    pss = sum(m[0] for m in mem)
    return t1 - t0, pss / float(len(mem)), sum(m[1] for m in mem) / float(len(mem)), pss


# ---------------------------------------------------------------- skips


def skip_reason(cell):
    if cell.payload not in ("bytes", "tensor", "rawbytes") + USER_PAYLOADS:
        return "unknown payload %r" % cell.payload
    if cell.payload in USER_PAYLOADS:
        reason = user_payload_skip(cell)
        if reason:
            return reason
    if cell.workload == "memory":
        reason = memory_skip(cell)
        if reason:
            return reason
    if cell.workload == "gather" and cell.payload != "bytes":
        return "gather sends bytes: payload=%s does not apply" % cell.payload
    if cell.payload == "rawbytes":
        if cell.chan != "pipe" or cell.workload not in ("pingpong", "stream"):
            return "payload=rawbytes (send_bytes/recv_bytes) is a pipe variant of pingpong and stream"
    if cell.payload == "tensor":
        if cell.impl != "torch":
            return "payload=tensor needs impl=torch"
        if cell.chan == "shm":
            return "payload=tensor is sent by torch's reductions over queues and pipes, not over raw shm"
        if cell.workload == "pool":
            return "payload=tensor does not apply to pool"
        if cell.size % 4 != 0:
            return "payload=tensor needs a size that is a multiple of 4 (float32)"
    if cell.impl == "torch":
        try:
            import torch.multiprocessing  # noqa: F401
        except Exception as e:
            return "torch is not importable by %s: %s" % (sys.executable, first_line(e))
    if cell.workload == "pool" and cell.exec.startswith("loky"):
        try:
            try:
                import joblib.externals.loky  # noqa: F401
            except ImportError:
                import loky  # noqa: F401
        except Exception as e:
            return "loky is not importable by %s (neither joblib.externals.loky nor loky): %s" % (sys.executable, first_line(e))
    return None


first_line = mpcore.first_line


# ---------------------------------------------------------------- main


def parse_args(argv):
    import argparse

    ap = argparse.ArgumentParser(prog="driver")
    ap.add_argument("--cell")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--benchtime", default="100ms")
    ap.add_argument("--shm-prefix", default="mpbench-py")
    ap.add_argument("--mp-module", default="")
    ap.add_argument("--spin", type=int, default=0)  # loop count of one cpu task
    ap.add_argument("--calibrate-spin", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--method", default="fork")
    ap.add_argument("--chan", default="pipe")
    ap.add_argument("--impl", default="cpython")
    ap.add_argument("--sizes", default="0,1,64,65536,1048576,16777216")
    ap.add_argument("--check-corrupt", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv, missing=None):
    args = parse_args(argv)
    if args.calibrate_spin:
        print(mpcore.calibrate_spin(CPU_TASK_US), flush=True)
        return 0
    if args.check:
        setup_mp(args.mp_module, args.impl)
        mpcore.set_segment_prefix(args.shm_prefix, MP_ROOT)
        quiet_resource_tracker()
        run_check(args)
        return 0
    if not args.cell:
        raise ValueError("--cell is required")
    if args.count < 1:
        raise ValueError("--count must be >= 1")
    cell = Cell(args.cell[len("Benchmark") :] if args.cell.startswith("Benchmark") else args.cell)
    if (cell.count is not None and cell.count != args.count) or (
        cell.benchtime is not None and cell.benchtime != mpcore.parse_duration(args.benchtime)
    ):
        raise ValueError("cell %r names its own count/benchtime; --count %d --benchtime %s differ"
                         % (cell.name, args.count, args.benchtime))
    if cell.main != MAIN_WEIGHT:
        raise ValueError("cell %s has main=%s but runs under the main module of main=%s" % (cell.name, cell.main, MAIN_WEIGHT))
    if missing is not None:
        print(mpcore.skip_line(cell.name, "main=%s: %s is not importable by %s: %s" % (cell.main, ", ".join(MAIN_IMPORTS), sys.executable, first_line(missing))), flush=True)
        return 0
    reason = skip_reason(cell)
    if reason:
        print(mpcore.skip_line(cell.name, reason), flush=True)
        return 0
    try:
        setup_mp(args.mp_module, cell.impl)
    except ImportError as e:
        print(mpcore.skip_line(cell.name, "%s is not importable by %s: %s" % (args.mp_module, sys.executable, first_line(e))), flush=True)
        return 0
    if cell.workload == "pool" and cell.task == "cpu" and args.spin < 1:
        raise ValueError("--spin is required for task=cpu: the loop count of one cpu task (calibrated once per invocation by --calibrate-spin)")
    mpcore.set_segment_prefix(args.shm_prefix, MP_ROOT)
    quiet_resource_tracker()
    Bench(cell, args).run()
    return 0


def cli(weight="stub", imports=(), missing=None):
    """The measured program's entry point, called by the main module of main
    weight `weight` with its top-level imports and the ImportError of one
    of them (or None)."""
    global MAIN_WEIGHT, MAIN_IMPORTS
    MAIN_WEIGHT, MAIN_IMPORTS = weight, tuple(imports)
    try:
        rc = main(sys.argv[1:], missing)
    except KeyboardInterrupt:
        rc = 130
    except BaseException as e:  # one readable line; children are daemons
        if isinstance(e, SystemExit):
            raise
        if os.environ.get("MPBENCH_DEBUG"):
            import traceback

            traceback.print_exc()
        msg = str(e).replace("\n", " ") or type(e).__name__
        kind = type(e).__name__
        if not isinstance(e, ChildDied):
            # EOF on a pipe, a broken pool, ...: name the child that died.
            reason = dead_child()
            if reason:
                kind, msg = "ChildDied", "%s (%s: %s)" % (reason, kind, msg)
        sys.stderr.write("driver: %s: %s\n" % (kind, msg))
        rc = 1
    sys.stdout.flush()
    sys.exit(rc)
