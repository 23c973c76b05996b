"""mpbench claim experiments: the dedicated small experiments behind the
claims C3-C14 of docs/claims-source.md (C1, C2 and the latency of C5 and C6
and C14's start-up reuse matrix cells measured by impl/python's driver).

Embedded in the Go package github.com/mpbench/mpbench/harness/claims and run,
one claim per program run, as

    claims.py --claim C3 --shm-prefix P

Standard library only (CPython 3.11; torch is only probed by C12).  Spawned
children and the forkserver re-import this file as __mp_main__, so the module
top level only defines things (and arms the parent-death signal there).

What every measured Python program of mpbench needs comes from the shared core
mpcore.py (written next to this file, as for impl/python's driver): the
death-signal guard every child calls first (child_guard: mpcore.guard with the
pid of this program run, inherited through MPBENCH_CLAIMS_ROOT), result, SKIP
and NOTE lines, exception text, the iterations of a sample (grow_iters), the
CPU task and the segment prefix.  A failed experiment exits non-zero with the
traceback on stderr; the harness records its FAIL line.

Output protocol (stdout; diagnostics on stderr; non-zero exit on error):

    BenchmarkClaim/id=<ID>/<key>=<value>... <iters> <v> ns/op [<v> <unit>]...
    --- NOTE: BenchmarkClaim/id=<ID>/<key>=<value>...: <one line of text>
    --- SKIP: BenchmarkClaim/id=<ID>[/...]: <reason>

Shared memory: segments are named <shm-prefix>-..., named semaphores
sem.<shm-prefix>-...; the harness removes both after each experiment.

Result lines are Go benchmark format.  Qualitative outcomes are numbers:
`ok` (1 = the operation succeeded), `raised` (1 = it raised an exception),
`deadlock` (1 = the child was still blocked when its timeout expired),
`threads` (extra OS threads).  The text of an exception or a probe goes on a
NOTE line, which benchfmt readers ignore like the `--- SKIP:` lines of
`go test`.
"""

import os
import sys
import threading
import time

import mpcore  # the shared core, written next to this file (impl/python/mpcore.py)

C3_TASK_S = 0.1  # the guide's 1 s sleep, scaled down 10x
_C7_LOCK = threading.Lock()  # held by a parent thread while the parent forks


ROOT_ENV = "MPBENCH_CLAIMS_ROOT"  # pid of the claims.py program run (set in __main__)


def child_guard():
    """First thing every child of the program run does (mpcore.guard): die
    with its parent, exit if the parent is already gone or is neither the
    program run nor its fork server, and (forkserver children) drop the
    server's "alive" pipe."""
    root = os.environ.get(ROOT_ENV)
    mpcore.guard(int(root) if root else None)


def any_guard():
    """The guard of a process whose parent may be another child (C8's
    grandchildren, a fork server a child starts): the death signal only."""
    mpcore.guard(None)


if __name__ == "__mp_main__":
    # A spawned child or a fork server (maybe a child's) importing this file.
    any_guard()


def _noop():
    child_guard()


# ---------------------------------------------------------------- output


def emit(name, iters, nsop, metrics=()):
    mpcore.emit("Claim/" + name, iters, max(nsop, 1), metrics)


def note(name, text):
    print(mpcore.note_line("Claim/" + name, text), flush=True)


def skip(name, reason):
    print(mpcore.skip_line("Claim/" + name, reason), flush=True)


exc_text = mpcore.exc_text
fmt_size = mpcore.format_size


def reap(p, timeout):
    """Join p for up to timeout seconds; kill it if it is still running."""
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()


pc = time.perf_counter_ns
METHODS = ("spawn", "fork", "forkserver")


def ctx_of(method):
    import multiprocessing

    return multiprocessing.get_context(method)


# ---------------------------------------------------------------- C3

C3_VARIANTS = (("default", None), ("1", 1), ("5", 5))  # chunksize of the map


def c3_init(ready):
    child_guard()
    ready.put(os.getpid())


def c3_f(x):
    time.sleep(C3_TASK_S)
    return x * x


def c3_nop(x):
    return x * x


def claim_c3(args):
    """Pool(2).map(f, [1..5]) with f sleeping C3_TASK_S, once both workers
    are up.  The competing answers are 3 waves (3.0 task times), perfect
    packing (2.5, impossible with indivisible tasks), serial (5.0) and
    chunking: chunksize=1 explicit and the default (which Pool computes
    as ceil(5 / (2 * 4)) = 1), and chunksize=5 (all tasks in one chunk:
    serial, a control that must land on 5.0).  The map's own overhead,
    the same map of a task that does not sleep, is measured in the same
    pool right before and subtracted (overhead-ns is recorded), so
    task-times counts task times only.  Methods and variants run in a
    shuffled order per run (seeded by --run)."""
    import random

    rng = random.Random(args.run)
    task_ns = C3_TASK_S * 1e9
    methods = list(METHODS)
    rng.shuffle(methods)
    for method in methods:
        ctx = ctx_of(method)
        ready = ctx.SimpleQueue()
        t0 = pc()
        with ctx.Pool(2, initializer=c3_init, initargs=(ready,)) as p:
            ready.get()  # both workers are up: time the maps alone
            ready.get()
            up = pc() - t0
            p.map(c3_nop, [1, 2, 3, 4, 5])  # warm-up
            for _ in range(args.count):
                order = list(C3_VARIANTS)
                rng.shuffle(order)
                for label, cs in order:
                    t1 = pc()
                    p.map(c3_nop, [1, 2, 3, 4, 5], chunksize=cs)
                    t2 = pc()
                    got = p.map(c3_f, [1, 2, 3, 4, 5], chunksize=cs)
                    t3 = pc()
                    if got != [1, 4, 9, 16, 25]:
                        raise RuntimeError("Pool.map returned %r" % (got,))
                    over = t2 - t1
                    name = "id=C3/method=%s/workers=2/tasks=5/chunksize=%s/task-ms=%d" % (method, label, int(C3_TASK_S * 1000))
                    emit(name, 1, t3 - t2, [((t3 - t2 - over) / task_ns, "task-times"), (over, "overhead-ns"), (up, "pool-start-ns")])


# ---------------------------------------------------------------- C4

C4_SIZES = [1 << k for k in (10, 14, 18, 22, 26)]  # 1 KiB ... 64 MiB, x16 steps


def c4_signal_child(kind, obj, sig, ack):
    """Persistent receiver of the shared-memory mechanisms: on each size
    message, look at the shared block (no copy) and acknowledge."""
    child_guard()
    while True:
        n = sig.recv()
        if n is None:
            return
        if kind == "value":
            x = obj.value
        elif kind == "array":
            with obj.get_lock():
                x = obj.get_obj()[n - 1]
        elif kind == "rawarray":
            x = obj[n - 1]
        else:  # shared_memory, inherited through fork
            x = obj.buf[n - 1]
        ack.send_bytes(b"%d" % (int(x) & 1))


def c4_queue_child(q, ack):
    child_guard()
    while True:
        data = q.get()
        if data is None:
            return
        ack.send_bytes(b"%d" % len(data))


def c4_args_child(data, ack):
    child_guard()
    ack.send_bytes(b"%d" % len(data))


C4_SAMPLE_NS = 10e6  # one sample: about 10 ms of operations


def c4_measure(name, size, op, count):
    """One warm-up operation, the iterations of a sample grown to
    C4_SAMPLE_NS (mpcore.grow_iters, as the driver's samples), then count
    samples."""

    def run(n):
        t = pc()
        for _ in range(n):
            op()
        return pc() - t

    op()  # warm-up
    iters = mpcore.grow_iters(run, C4_SAMPLE_NS)
    for _ in range(count):
        d = max(1, run(iters))
        emit(name, iters, d / iters, [(size * iters / d * 1e3, "MB/s")])


def claim_c4(args):
    import ctypes
    import random
    from multiprocessing import shared_memory, sharedctypes

    fork = ctx_of("fork")
    maxn = C4_SIZES[-1]
    datas = {}

    def data_of(n):
        if n not in datas:
            datas.clear()
            datas[n] = b"\x5a" * n
        return datas[n]

    ackr, ackw = fork.Pipe(duplex=False)

    def queue_part():
        # Pickled: through a Queue (feeder thread pickles, pipe, unpickle).
        q = fork.Queue()
        p = fork.Process(target=c4_queue_child, args=(q, ackw), daemon=True)
        p.start()
        for n in C4_SIZES:
            d = data_of(n)

            def op(d=d):
                q.put(d)
                ackr.recv_bytes()

            c4_measure("id=C4/mech=queue/method=fork/size=%s" % fmt_size(n), n, op, args.count)
        q.put(None)
        p.join()
        q.close()
        q.join_thread()
        datas.clear()

    def args_part(method):
        # Pickled with the Process object (spawn) vs inherited (fork): a
        # new child per operation, so start-up is included (args at 1 KiB
        # is the start-up baseline).
        ctx = ctx_of(method)
        for n in C4_SIZES:
            d = data_of(n)

            def op(d=d, ctx=ctx):
                pr = ctx.Process(target=c4_args_child, args=(d, ackw), daemon=True)
                pr.start()
                ackr.recv_bytes()
                pr.join()

            c4_measure("id=C4/mech=args/method=%s/size=%s" % (method, fmt_size(n)), n, op, args.count)
        datas.clear()

    # Shared (no pickling): the parent copies the new data into the shared
    # block once and sends only its size; the child looks at it in place.
    def shared_part(kind):
        if kind == "rawarray":
            obj = sharedctypes.RawArray(ctypes.c_ubyte, maxn)
            view = memoryview(obj).cast("B")
        elif kind == "array":
            obj = fork.Array(ctypes.c_ubyte, maxn)
            view = memoryview(obj.get_obj()).cast("B")
        elif kind == "shared_memory":
            obj = shared_memory.SharedMemory(name=args.shm_prefix + "-c4", create=True, size=maxn)
            view = obj.buf
        else:
            obj = fork.Value(ctypes.c_double, 0.0)
            view = None
        sigr, sigw = fork.Pipe(duplex=False)
        ackr2, ackw2 = fork.Pipe(duplex=False)
        p = fork.Process(target=c4_signal_child, args=(kind, obj, sigr, ackw2), daemon=True)
        p.start()
        if kind == "shared_memory":
            obj.unlink()  # the child has it mapped (inherited); no name left behind
        sizes = [8] if kind == "value" else C4_SIZES
        for n in sizes:
            d = b"" if kind == "value" else data_of(n)

            if kind == "value":

                def op():
                    obj.value = obj.value + 1.0
                    sigw.send(n)
                    ackr2.recv_bytes()

            elif kind == "array":

                def op(d=d, n=n):
                    with obj.get_lock():
                        view[:n] = d
                    sigw.send(n)
                    ackr2.recv_bytes()

            else:

                def op(d=d, n=n):
                    view[:n] = d
                    sigw.send(n)
                    ackr2.recv_bytes()

            c4_measure("id=C4/mech=%s/method=fork/size=%s" % (kind, fmt_size(n)), n, op, args.count)
        sigw.send(None)
        p.join()
        datas.clear()
        if view is not None:
            view.release()
        if kind == "shared_memory":
            obj.close()
        del obj

    parts = [queue_part, lambda: args_part("spawn"), lambda: args_part("fork")]
    parts += [lambda k=k: shared_part(k) for k in ("rawarray", "array", "shared_memory", "value")]
    random.Random(args.run).shuffle(parts)  # interleaved: a new order per program run
    for part in parts:
        part()


# ---------------------------------------------------------------- C5


def nthreads():
    return len(os.listdir("/proc/self/task"))


def c5_child(q, out):
    child_guard()
    before = nthreads()
    q.get()
    after_get = nthreads()
    q.put(b"reply")
    time.sleep(0.05)  # a feeder thread, if any, is running by now
    after_put = nthreads()
    out.send((before, after_get, after_put))
    if hasattr(q, "join_thread"):  # Queue: flush the feeder thread
        q.close()
        q.join_thread()


def claim_c5(args):
    """Threads a Queue / SimpleQueue adds: OS threads of the parent (and of
    a fork child) before creating the queue and after the first put/get."""
    fork = ctx_of("fork")
    # SimpleQueue first: a Queue's feeder thread may still be ending when
    # the next measurement starts, which would count as a thread removed.
    for chan in ("simplequeue", "queue"):
        t0 = pc()
        before = nthreads()
        q = fork.Queue() if chan == "queue" else fork.SimpleQueue()
        outr, outw = fork.Pipe(duplex=False)
        p = fork.Process(target=c5_child, args=(q, outw), daemon=True)
        p.start()
        q.put(b"x" * 64)
        time.sleep(0.05)
        after_put = nthreads()
        cb, cg, cp = outr.recv()
        q.get()
        p.join()
        t1 = pc()
        emit("id=C5/chan=%s/side=parent" % chan, 1, t1 - t0, [(after_put - before, "threads"), (after_put, "total-threads")])
        emit("id=C5/chan=%s/side=child" % chan, 1, t1 - t0, [(cp - cb, "threads"), (cp, "total-threads")])
        note("id=C5/chan=%s/side=parent" % chan, "OS threads (/proc/self/task) before %d, after first put %d; fork child: start %d, after get %d, after put %d" % (before, after_put, cb, cg, cp))
        if chan == "queue":
            q.close()
            q.join_thread()


# ---------------------------------------------------------------- C6


def c6_child(conn):
    child_guard()
    x = conn.recv()
    conn.send(x + 1)
    conn.send(conn.recv() * 2)


def claim_c6(args):
    """Is Pipe() two-way? Both ends send and receive (the same for each
    method); Pipe(duplex=False) has a receive-only and a send-only end."""
    for method in METHODS:
        ctx = ctx_of(method)
        t0 = pc()
        a, b = ctx.Pipe()
        p = ctx.Process(target=c6_child, args=(b,), daemon=True)
        p.start()
        a.send(1)
        ok1 = a.recv() == 2
        a.send(21)
        ok2 = a.recv() == 42
        p.join()
        t1 = pc()
        r, w = ctx.Pipe(duplex=False)
        try:
            r.send(1)
            oneway = 0
        except Exception as e:
            oneway = 1
            note("id=C6/method=%s/pipe=oneway" % method, "Pipe(duplex=False): sending on the receive end raises " + exc_text(e))
        emit("id=C6/method=%s/pipe=duplex" % method, 1, t1 - t0, [(int(ok1 and ok2 and p.exitcode == 0), "duplex"), (oneway, "oneway-refused")])


# ---------------------------------------------------------------- C7

C7_REAL_N = 30  # forks per realistic case (fork)
C7_CONTROL_N = 10  # starts per control
C7_BATCH = 10  # children started together, then given C7_BATCH_WAIT_S
C7_BATCH_WAIT_S = 1.0  # a child not finished by then is deadlocked (killed)
C7_ARRIVE_S = 20.0  # the most a batch's children may take to start


def c7_child(w):
    child_guard()
    w.send_bytes(b"1")  # arrived: about to take the lock
    _C7_LOCK.acquire()  # blocks forever if the lock was copied while held
    _C7_LOCK.release()


def c7_log_child(w):
    child_guard()
    import logging

    w.send_bytes(b"1")  # arrived: about to log
    logging.getLogger("mpbench.c7").info("child")  # takes the handler's lock


def c7_busy(kind, stop):
    """The realistic background thread: takes and releases a lock in a
    loop, doing a little work while holding it, as a logging handler
    does when it formats and writes a record."""
    if kind == "logging":
        import logging

        log = logging.getLogger("mpbench.c7")
        i = 0
        while not stop.is_set():
            log.info("record %d", i)
            i += 1
    else:
        while not stop.is_set():
            with _C7_LOCK:
                sum(range(200))


def c7_logger():
    import logging

    log = logging.getLogger("mpbench.c7")
    if not log.handlers:
        h = logging.StreamHandler(open(os.devnull, "w"))
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)
        log.propagate = False


def c7_trials(ctx, target, n):
    """Start n children (C7_BATCH at a time).  Each child reports that it
    arrived in its target, right before it takes the lock; once the
    batch has arrived (or C7_ARRIVE_S passed: a slow spawn start is not a
    deadlock), the children get C7_BATCH_WAIT_S to finish; one still
    running then is deadlocked and killed.  [(deadlocked, exitcode, ns)]"""
    import warnings

    out, warned = [], []
    for b in range(0, n, C7_BATCH):
        procs = []
        r, w = ctx.Pipe(duplex=False)
        for _ in range(min(C7_BATCH, n - b)):
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                t0 = pc()
                p = ctx.Process(target=target, args=(w,), daemon=True)
                p.start()
            warned += [str(x.message) for x in ws if issubclass(x.category, DeprecationWarning)]
            procs.append((p, t0))
        arrive = time.monotonic() + C7_ARRIVE_S
        got = 0
        while got < len(procs) and r.poll(max(0.0, arrive - time.monotonic())):
            r.recv_bytes()
            got += 1
        deadline = time.monotonic() + C7_BATCH_WAIT_S
        for p, t0 in procs:
            p.join(max(0.0, deadline - time.monotonic()))
            dead = p.is_alive()
            d = pc() - t0
            if dead:
                p.kill()
                p.join()
            out.append((int(dead), p.exitcode, d))
        r.close()
        w.close()
    return out, warned


def c7_emit(name, trials, warned, nthr):
    for dead, code, d in trials:
        emit(name, 1, d, [(dead, "deadlock"), (int(not dead and code == 0), "ok"), (int(bool(warned)), "deprecation-warning"), (nthr, "threads-at-start")])
    if warned:
        note(name, "Python %s warned: %s" % (sys.version.split()[0], warned[0]))


def claim_c7(args):
    """Three cases per start method.  held: a parent thread holds a lock
    while the main thread starts children that take the same module-level
    lock (the guide's demonstration: under fork it deadlocks by
    construction).  real: a background thread takes and releases a lock
    in a loop (lock=plain: a module lock held around a little work;
    lock=logging: logging's handler lock, by logging records) while the
    parent starts children that take it.  nolock: no other thread at all
    (control).  Every child gets C7_BATCH_WAIT_S; one still running then
    is deadlocked and killed.  The DeprecationWarning Python >= 3.12
    emits when forking a multi-threaded process is recorded."""
    c7_logger()
    fork = ctx_of("fork")
    # Control: a single-threaded parent.
    trials, warned = c7_trials(fork, c7_child, C7_CONTROL_N)
    c7_emit("id=C7/case=nolock/lock=plain/method=fork", trials, warned, threading.active_count())
    for method in METHODS:
        ctx = ctx_of(method)
        if method == "forkserver":
            p0 = ctx.Process(target=_noop, daemon=True)  # server up before any extra thread exists
            p0.start()
            p0.join()
        # The guide's demonstration: the lock is held across the start.
        held, release = threading.Event(), threading.Event()

        def holder():
            with _C7_LOCK:
                held.set()
                release.wait()

        t = threading.Thread(target=holder, daemon=True)
        t.start()
        held.wait()
        nthr = threading.active_count()
        trials, warned = c7_trials(ctx, c7_child, 2 if method == "fork" else C7_CONTROL_N // 2)
        release.set()
        t.join()
        c7_emit("id=C7/case=held/lock=plain/method=%s" % method, trials, warned, nthr)
        # The realistic case: the lock is taken and released in a loop.
        for kind, target in (("plain", c7_child), ("logging", c7_log_child)):
            stop = threading.Event()
            t = threading.Thread(target=c7_busy, args=(kind, stop), daemon=True)
            t.start()
            time.sleep(0.01)
            nthr = threading.active_count()
            trials, warned = c7_trials(ctx, target, C7_REAL_N if method == "fork" else C7_CONTROL_N)
            stop.set()
            t.join()
            c7_emit("id=C7/case=real/lock=%s/method=%s" % (kind, method), trials, warned, nthr)


# ---------------------------------------------------------------- C8


def c8_grandchild():
    any_guard()


def c8_child(method, out):
    child_guard()
    ctx = ctx_of(method)
    try:
        g = ctx.Process(target=c8_grandchild, daemon=True)
        g.start()
        g.join()
        out.send(("ok", g.exitcode))
    except BaseException as e:
        out.send(("raised", exc_text(e)))


def claim_c8(args):
    """A daemonic child (and, as control, a non-daemonic one) starts a
    grandchild."""
    for method in METHODS:
        ctx = ctx_of(method)
        for daemon in (True, False):
            outr, outw = ctx.Pipe(duplex=False)
            t0 = pc()
            p = ctx.Process(target=c8_child, args=(method, outw), daemon=daemon)
            p.start()
            kind, detail = outr.recv()
            p.join()
            t1 = pc()
            name = "id=C8/method=%s/daemon=%s" % (method, "true" if daemon else "false")
            emit(name, 1, t1 - t0, [(int(kind == "raised"), "raised"), (int(kind == "ok" and detail == 0), "ok")])
            if kind == "raised":
                note(name, detail)


# ---------------------------------------------------------------- C9


C9_POOL_TIMEOUT_S = 3  # a Pool.map still without a result then hangs (billiard)


def c9_pickle_error(e):
    """Did e come from pickling the lambda (not from something else)?"""
    import pickle

    t = "%s: %s" % (type(e).__name__, e)
    return int(isinstance(e, pickle.PicklingError) or "pickle" in t.lower() or "lambda" in t)


def claim_c9(args):
    """A lambda as Process target (pickled only by spawn/forkserver) and as
    the function of Pool.map (pickled by every method), for each library
    named by --libs: the stdlib multiprocessing, billiard (Celery's fork)
    and multiprocess (dill-based).  A library that is not importable is
    skipped with the reason; one that fails for another reason than
    pickling (multiprocess's Debian build on Python 3.11.2:
    `TypeError: fork_exec() ...`) is recorded as such (pickle-error 0).

    Every library names its semaphores after its own process module's
    semprefix, so each gets the run's prefix: a library that fails half-way
    leaves its names to the harness's cleanup, not in /dev/shm.  (That
    multiprocess build creates a pool's first Lock, sem_open and all, then
    fails to start its resource tracker inside SemLock.__init__ before the
    finaliser that would unlink the name is registered: one name per
    spawn/forkserver pool that nothing else would ever unlink.)"""
    import importlib

    for lib in args.libs.split(","):
        try:
            mp = importlib.import_module(lib)
            mpcore.set_segment_prefix(args.shm_prefix, lib)
        except Exception as e:
            skip("id=C9/lib=%s" % lib, "%s not importable by %s (%s)" % (lib, sys.executable, exc_text(e)))
            continue
        for method in METHODS:
            ctx = mp.get_context(method)
            name = "id=C9/lib=%s/api=process/method=%s" % (lib, method)
            t0 = pc()
            try:
                p = ctx.Process(target=lambda: child_guard(), daemon=True)  # noqa: E731
                p.start()
                reap(p, 30)
                raised, ok, perr, msg = 0, int(p.exitcode == 0), 0, None
            except Exception as e:
                raised, ok, perr, msg = 1, 0, c9_pickle_error(e), exc_text(e)
            emit(name, 1, pc() - t0, [(raised, "raised"), (ok, "ok"), (perr, "pickle-error")])
            if msg:
                note(name, msg)
        for method in METHODS:
            ctx = mp.get_context(method)
            name = "id=C9/lib=%s/api=pool/method=%s" % (lib, method)
            t0 = pc()
            try:
                with ctx.Pool(1) as pool:
                    r = pool.map_async(lambda x: x * x, [1, 2, 3])  # noqa: E731
                    ok = int(r.get(timeout=C9_POOL_TIMEOUT_S) == [1, 4, 9])
                raised, perr, msg = 0, 0, None
            except Exception as e:
                raised, ok, perr, msg = 1, 0, c9_pickle_error(e), exc_text(e)
                if type(e).__name__ == "TimeoutError":
                    msg = "Pool.map did not return within %d s (no exception reached the caller)" % C9_POOL_TIMEOUT_S
            hung = int(msg is not None and msg.startswith("Pool.map did not return"))
            emit(name, 1, pc() - t0, [(raised - hung, "raised"), (ok, "ok"), (perr, "pickle-error"), (hung, "hang")])
            if msg:
                note(name, msg)


# ---------------------------------------------------------------- C10


def c10_child(q):
    child_guard()
    q.put("hello")


def claim_c10(args):
    """set_start_method twice, get_context, force=True, and objects of one
    context used by a process of another."""
    import multiprocessing as mp

    def step(name, fn):
        t0 = pc()
        try:
            ok = int(bool(fn()))
            raised, msg = 0, None
        except Exception as e:
            ok, raised, msg = 0, 1, exc_text(e)
        emit("id=C10/step=%s" % name, 1, pc() - t0, [(raised, "raised"), (ok, "ok")])
        if msg:
            note("id=C10/step=%s" % name, msg)

    def run_child(ctx, q):
        p = ctx.Process(target=c10_child, args=(q,), daemon=True)
        p.start()
        try:
            got = q.get(timeout=30)
        finally:
            reap(p, 30)
        return got == "hello" and p.exitcode == 0

    step("set-first", lambda: mp.set_start_method("spawn") is None)
    step("set-twice", lambda: mp.set_start_method("fork") is None)
    step("get-context", lambda: run_child(mp.get_context("fork"), mp.get_context("fork").Queue()))
    step("set-force", lambda: mp.set_start_method("fork", force=True) is None and mp.get_start_method() == "fork")
    step("mix-fork-queue-spawn-child", lambda: run_child(mp.get_context("spawn"), mp.get_context("fork").Queue()))
    step("mix-spawn-queue-fork-child", lambda: run_child(mp.get_context("fork"), mp.get_context("spawn").Queue()))


# ---------------------------------------------------------------- C11

C11_SIZES = (64 << 10, 16 << 20)


def touch_and_ack(q, ack):
    """Receiver of C11 and C12: touch the last element of each message
    (the data arrived; for CUDA: synchronises), acknowledge, until None."""
    while True:
        x = q.get()
        if x is None:
            return
        if isinstance(x, bytes):
            x[-1]
        else:
            float(x[-1])
        del x
        ack.send_bytes(b"1")


def c11_child(q, ack):
    child_guard()
    touch_and_ack(q, ack)


def c11_msgs(size):
    return 4 if size >= (16 << 20) else 8


def claim_c11(args):
    """torch.multiprocessing Queue (fork): a stream of messages, each a
    FRESH float32 tensor (its own storage, not yet in shared memory, so
    every put moves a storage) vs the same number of bytes pickled.  Time
    per message: from the first put until the receiver acknowledged the
    last, divided by the messages.  storages = distinct storages sent,
    fresh = share of tensors not yet shared before their put; both must
    equal the message count / 1 for the move to be timed."""
    import random

    try:
        import torch
        import torch.multiprocessing as tmp
    except Exception as e:
        skip("id=C11", "torch not importable by %s (%s)" % (sys.executable, exc_text(e)))
        return
    rng = random.Random(args.run)
    ctx = tmp.get_context("fork")
    q = ctx.Queue()
    ackr, ackw = ctx.Pipe(duplex=False)
    p = ctx.Process(target=c11_child, args=(q, ackw), daemon=True)
    p.start()
    configs = [(s, kind) for s in C11_SIZES for kind in ("tensor", "bytes")]
    for _ in range(args.count):
        rng.shuffle(configs)
        for size, kind in configs:
            k = c11_msgs(size)
            if kind == "tensor":
                msgs = [torch.full((size // 4,), float(i)) for i in range(k)]
                storages = len(set(m.untyped_storage().data_ptr() if hasattr(m, "untyped_storage") else m.storage().data_ptr() for m in msgs))
                fresh = sum(1 for m in msgs if not m.is_shared())
            else:
                msgs = [bytes([i]) * size for i in range(k)]
                storages, fresh = k, k
            t0 = pc()
            for m in msgs:
                q.put(m)
            for _ in msgs:
                ackr.recv_bytes()
            d = pc() - t0
            extra = [(size * k / d * 1e3, "MB/s")]
            name = "id=C11/method=fork/chan=queue/size=%s" % fmt_size(size)
            if kind == "tensor":
                name = "id=C11/method=fork/chan=queue/payload=tensor/size=%s" % fmt_size(size)
                moved = sum(1 for m in msgs if m.is_shared())
                extra += [(storages, "storages"), (k, "msgs"), (fresh / k, "fresh"), (moved / k, "moved")]
            emit(name, k, d / k, extra)
            del msgs
    q.put(None)
    reap(p, 30)


# ---------------------------------------------------------------- C12

C12_SIZES = (1 << 20, 64 << 20)
C12_MSGS = 10


def c12_cuda_child(out):
    """Use CUDA in a child: a tensor on the GPU and one reduction."""
    child_guard()
    try:
        import torch

        x = torch.ones(4, device="cuda")
        out.send(("ok", float(x.sum().item())))
    except BaseException as e:
        out.send(("raised", exc_text(e)))


def c12_recv_child(q, ack):
    child_guard()
    import torch  # noqa: F401  (the tensors' rebuild needs it)

    touch_and_ack(q, ack)


def c12_case(ctx, name, extra=()):
    """Start a child that uses CUDA; record raised / ok and the time from
    start() to its answer."""
    r, w = ctx.Pipe(duplex=False)
    t0 = pc()
    p = ctx.Process(target=c12_cuda_child, args=(w,), daemon=True)
    p.start()
    w.close()
    if r.poll(120):
        try:
            kind, detail = r.recv()
        except EOFError:
            kind, detail = "died", "the child died without answering"
    else:
        kind, detail = "died", "no answer within 120 s"
    d = pc() - t0
    reap(p, 30)
    emit(name, 1, d, [(int(kind == "raised"), "raised"), (int(kind == "ok"), "ok")] + list(extra))
    if kind != "ok":
        note(name, detail)


def claim_c12(args):
    """CUDA and the start methods.  Without torch, NVIDIA devices or CUDA,
    only the check line (cuda 0) and the reason.  With devices: first a
    fork child uses CUDA while the parent has only imported torch (no CUDA
    call at all: case=fork-no-init); then, after torch.cuda.is_available()
    (which asks the driver but leaves torch.cuda.is_initialized() False),
    again (case=fork-after-is-available); spawn and forkserver children;
    then the parent initialises CUDA and a fork child uses it
    (case=fork-after-init).  Then a torch.multiprocessing Queue (spawn)
    carries fresh CUDA vs fresh CPU tensors, C12_MSGS per size, one at a
    time (put, receiver touches it, acknowledges)."""
    import glob
    import random

    t0 = pc()
    devs = sorted(glob.glob("/dev/nvidia[0-9]*"))
    try:
        import torch
        import torch.multiprocessing as tmp
    except Exception as e:
        emit("id=C12/check=cuda", 1, pc() - t0, [(len(devs), "nvidia-devices"), (0, "cuda"), (0, "gpus")])
        note("id=C12/check=cuda", "%d /dev/nvidia* device nodes; torch not importable by %s (%s)" % (len(devs), sys.executable, exc_text(e)))
        return
    rng = random.Random(args.run)
    if devs:
        # First, before this process makes any CUDA call (not even
        # is_available()): the parent only imported torch.
        c12_case(tmp.get_context("fork"), "id=C12/case=fork-no-init/method=fork", [(int(torch.cuda.is_initialized()), "parent-cuda-initialised")])
    cuda = int(bool(devs) and bool(torch.cuda.is_available()))
    ngpu = torch.cuda.device_count() if cuda else 0
    torch_txt = "torch %s: torch.cuda.is_available() = %s" % (torch.__version__, bool(cuda))
    emit("id=C12/check=cuda", 1, pc() - t0, [(len(devs), "nvidia-devices"), (cuda, "cuda"), (ngpu, "gpus")])
    if not cuda:
        note("id=C12/check=cuda", "%d /dev/nvidia* device nodes; %s" % (len(devs), torch_txt))
        return
    # is_available() asked the CUDA driver, but torch has not initialised
    # CUDA (is_initialized() is still False): does fork work now?
    c12_case(tmp.get_context("fork"), "id=C12/case=fork-after-is-available/method=fork", [(int(torch.cuda.is_initialized()), "parent-cuda-initialised")])
    for method in rng.sample(["spawn", "forkserver"], 2):
        c12_case(tmp.get_context(method), "id=C12/case=%s/method=%s" % (method, method))
    torch.ones(1, device="cuda").sum().item()  # the parent initialises CUDA
    note("id=C12/check=cuda", "%d /dev/nvidia* device nodes; %s, %s" % (len(devs), torch_txt, torch.cuda.get_device_name(0)))
    c12_case(tmp.get_context("fork"), "id=C12/case=fork-after-init/method=fork", [(int(torch.cuda.is_initialized()), "parent-cuda-initialised")])

    ctx = tmp.get_context("spawn")
    q = ctx.Queue()
    ackr, ackw = ctx.Pipe(duplex=False)
    p = ctx.Process(target=c12_recv_child, args=(q, ackw), daemon=True)
    p.start()
    configs = [(s, dev) for s in C12_SIZES for dev in ("cuda", "cpu")]
    for _ in range(args.count):
        rng.shuffle(configs)
        for size, dev in configs:
            msgs = [torch.full((size // 4,), float(i), device=dev) for i in range(C12_MSGS + 1)]
            if dev == "cuda":
                torch.cuda.synchronize()
            times = []
            for i, m in enumerate(msgs):
                t1 = pc()
                q.put(m)
                ackr.recv_bytes()
                if i > 0:  # the first is a warm-up
                    times.append(pc() - t1)
            times.sort()
            med = times[len(times) // 2]
            emit("id=C12/handoff=%s/method=spawn/chan=queue/size=%s" % (dev, fmt_size(size)), len(times), med, [(size / med * 1e3, "MB/s")])
            del msgs
    q.put(None)
    reap(p, 60)


# ---------------------------------------------------------------- C13


C13_CPU_US = 2000  # one CPU-bound task: a busy loop of about 2 ms
C13_SLEEP_S = 0.02  # one I/O-bound task: a 20 ms sleep
C13_TASKS = {"cpu": 128, "sleep": 32}


c13_spin = mpcore.spin  # the CPU task of the driver's pool


def c13_task(arg):
    kind, n = arg
    if kind == "cpu":
        c13_spin(n)
    else:
        time.sleep(C13_SLEEP_S)
    return 1


def claim_c13(args):
    """Pool sweep over workers per core, CPU-bound and I/O-bound tasks.
    The busy loop runs --spin iterations (about C13_CPU_US: the loop count
    of the driver's --calibrate-spin run, once per mpbench claims
    invocation), so every worker count and every program run runs the same
    tasks; the worker counts are interleaved in a shuffled order per
    round, so drifting load does not favour one of them.  The map is timed
    once every worker is up.  efficiency = ideal / makespan with ideal =
    ceil(T / min(W, cores)) * task (cpu) or ceil(T / W) * task (sleep)."""
    import random

    cores = len(os.sched_getaffinity(0))
    ctx = ctx_of("fork")
    n = args.spin
    if n < 1:
        raise ValueError("C13 needs --spin (the loop count of one cpu task, from the driver's --calibrate-spin)")
    workers = sorted(set([max(1, cores // 2), cores, 2 * cores, 4 * cores]))
    rng = random.Random(13)
    for _ in range(args.count):
        for kind in ("cpu", "sleep"):
            order = list(workers)
            rng.shuffle(order)
            for w in order:
                tasks = C13_TASKS[kind]
                ready = ctx.SimpleQueue()
                with ctx.Pool(w, initializer=c3_init, initargs=(ready,)) as pool:
                    for _ in range(w):
                        ready.get()
                    t0 = pc()
                    got = pool.map(c13_task, [(kind, n)] * tasks)
                    d = pc() - t0
                if sum(got) != tasks:
                    raise RuntimeError("pool map lost tasks")
                if kind == "cpu":
                    ideal = -(-tasks // min(w, cores)) * C13_CPU_US * 1000
                else:
                    ideal = -(-tasks // w) * C13_SLEEP_S * 1e9
                name = "id=C13/task=%s/workers=%d/tasks=%d/cores=%d" % (kind, w, tasks, cores)
                emit(name, 1, d, [(tasks / d * 1e9, "tasks/s"), (ideal / d, "efficiency")])


# ---------------------------------------------------------------- C14


def c14_sleep(stop):
    stop.wait()


def claim_c14(args):
    """This interpreter: its default start method, and whether starting a
    fork child while another thread runs emits a DeprecationWarning
    (Python >= 3.12 does).  The start-up of each method comes from matrix
    cells (the default interpreter's) and from the variants profile's run
    (every version's), not from here."""
    import multiprocessing as mp
    import warnings

    ver = "%d.%d" % sys.version_info[:2]
    t0 = pc()
    m = mp.get_start_method()
    stop = threading.Event()
    t = threading.Thread(target=c14_sleep, args=(stop,), daemon=True)
    t.start()
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        p = mp.get_context("fork").Process(target=_noop, daemon=True)
        p.start()
    p.join()
    stop.set()
    t.join()
    dep = [str(w.message) for w in ws if issubclass(w.category, DeprecationWarning)]
    name = "id=C14/python=%s/check=default-method" % ver
    emit(name, 1, pc() - t0, [(int(m == "fork"), "default-fork"), (int(m == "forkserver"), "default-forkserver"), (sys.version_info[0] * 100 + sys.version_info[1], "python-version"), (int(bool(dep)), "fork-thread-warning")])
    txt = "Python %s on %s: multiprocessing.get_start_method() = %r; fork with a running thread: %s" % (sys.version.split()[0], sys.platform, m, ("DeprecationWarning: " + dep[0]) if dep else "no warning")
    note(name, txt)


CLAIMS = {
    "C3": claim_c3,
    "C4": claim_c4,
    "C5": claim_c5,
    "C6": claim_c6,
    "C7": claim_c7,
    "C8": claim_c8,
    "C9": claim_c9,
    "C10": claim_c10,
    "C11": claim_c11,
    "C12": claim_c12,
    "C13": claim_c13,
    "C14": claim_c14,
}


def parse_args(argv):
    import argparse

    ap = argparse.ArgumentParser(prog="claims.py")
    ap.add_argument("--claim", required=True, choices=sorted(CLAIMS))
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--shm-prefix", default="mpbench-claims")
    ap.add_argument("--run", type=int, default=1)  # index of this program run (seeds shuffles)
    ap.add_argument("--libs", default="multiprocessing")  # C9: libraries to try
    ap.add_argument("--spin", type=int, default=0)  # C13: loop count of one cpu task
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args(sys.argv[1:])
    if a.count < 1:
        sys.exit("claims.py: --count must be >= 1")
    # Named POSIX semaphores of spawn/forkserver contexts get the run's
    # prefix (/dev/shm/sem.<prefix>-...) so that the harness can remove
    # them when the experiment is killed before Python cleaned them up.
    mpcore.set_segment_prefix(a.shm_prefix)
    os.environ[ROOT_ENV] = str(os.getpid())  # every child's guard checks its parent against it
    try:
        CLAIMS[a.claim](a)
    except KeyboardInterrupt:
        sys.exit(130)
