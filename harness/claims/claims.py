"""mpbench claim experiments: the dedicated small experiments behind the
claims C3-C10 and C12-C14 of shared/seed/CLAIMS.md (the rest reuse matrix
cells measured by impl/python's driver).

Embedded in the Go package github.com/mpbench/mpbench/harness/claims and run,
one claim per program run, as

    claims.py --claim C3 --shm-prefix P

Standard library only (CPython 3.11; torch is only probed by C12).  Spawned
children and the forkserver re-import this file as __mp_main__, so the module
top level only defines things (and arms the parent-death signal there).

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

PR_SET_PDEATHSIG = 1
SIGKILL = 9
_libc = None

C3_TASK_S = 0.2  # the guide's 1 s sleep, scaled down 5x
C7_JOIN_TIMEOUT_S = 2.0  # a child still blocked after this is deadlocked
_C7_LOCK = threading.Lock()  # held by a parent thread while the parent forks


def _pdeathsig():
    """Ask the kernel to SIGKILL this process when its parent dies."""
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_PDEATHSIG) failed")


if __name__ == "__mp_main__":
    # A spawned child or the forkserver importing this file.
    _pdeathsig()


def _child_init():
    _pdeathsig()


def _noop():
    _pdeathsig()


# ---------------------------------------------------------------- output


def fmt(v):
    if isinstance(v, int):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return "%.6g" % v


def emit(name, iters, nsop, metrics=()):
    line = "BenchmarkClaim/%s %d %s ns/op" % (name, iters, fmt(max(nsop, 1)))
    for v, unit in metrics:
        line += " %s %s" % (fmt(v), unit)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def note(name, text):
    text = " ".join(str(text).split())
    if len(text) > 300:
        text = text[:300] + "..."
    sys.stdout.write("--- NOTE: BenchmarkClaim/%s: %s\n" % (name, text))
    sys.stdout.flush()


def exc_text(e):
    return "%s: %s" % (type(e).__name__, e)


def fmt_size(n):
    for suffix, mult in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n % mult == 0:
            return "%d%s" % (n // mult, suffix)
    return "%dB" % n


pc = time.perf_counter_ns
METHODS = ("spawn", "fork", "forkserver")


def ctx_of(method):
    import multiprocessing

    return multiprocessing.get_context(method)


# ---------------------------------------------------------------- C3


def c3_init(ready):
    _pdeathsig()
    ready.put(os.getpid())


def c3_f(x):
    time.sleep(C3_TASK_S)
    return x * x


def claim_c3(args):
    """Pool(2).map(f, [1..5]) with f sleeping C3_TASK_S: makespan of the map
    once both workers are up (task-times), and of the whole `with Pool(2)`
    block as the guide's %%time measures it (with-pool-task-times: includes
    starting the workers, which the 5x scaled-down task exaggerates 5x)."""
    task_ns = C3_TASK_S * 1e9
    for method in METHODS:
        ctx = ctx_of(method)
        name = "id=C3/method=%s/workers=2/tasks=5/task-ms=%d" % (method, int(C3_TASK_S * 1000))
        for i in range(1 + args.count):  # the first is a warm-up
            ready = ctx.SimpleQueue()
            t0 = pc()
            with ctx.Pool(2, initializer=c3_init, initargs=(ready,)) as p:
                ready.get()  # both workers are up: time the map alone
                ready.get()
                t1 = pc()
                got = p.map(c3_f, [1, 2, 3, 4, 5])
                t2 = pc()
            t3 = pc()
            if got != [1, 4, 9, 16, 25]:
                raise RuntimeError("Pool.map returned %r" % (got,))
            if i > 0:
                emit(name, 1, t2 - t1, [((t2 - t1) / task_ns, "task-times"), ((t3 - t0) / task_ns, "with-pool-task-times")])


# ---------------------------------------------------------------- C4

C4_SIZES = [1 << k for k in range(10, 29, 2)]  # 1 KiB ... 256 MiB


def c4_signal_child(kind, obj, sig, ack):
    """Persistent receiver of the shared-memory mechanisms: on each size
    message, look at the shared block (no copy) and acknowledge."""
    _pdeathsig()
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
    _pdeathsig()
    while True:
        data = q.get()
        if data is None:
            return
        ack.send_bytes(b"%d" % len(data))


def c4_args_child(data, ack):
    _pdeathsig()
    ack.send_bytes(b"%d" % len(data))


def c4_calibrate(op, size):
    """Iterations per sample (about 40 ms) and samples per size (fewer at
    the big sizes, where one operation is already long)."""
    op()  # warm-up
    t = pc()
    op()
    d = max(1, pc() - t)
    iters = max(1, min(2000, int(40e6 / d)))
    count = 8 if size <= (16 << 20) else 3  # >= 6: a 95% CI exists
    return iters, count


def c4_measure(name, size, op):
    iters, count = c4_calibrate(op, size)
    for _ in range(count):
        t = pc()
        for _ in range(iters):
            op()
        d = max(1, pc() - t)
        emit(name, iters, d / iters, [(size * iters / d * 1e3, "MB/s")])


def claim_c4(args):
    import ctypes
    from multiprocessing import shared_memory, sharedctypes

    fork = ctx_of("fork")
    maxn = C4_SIZES[-1]
    datas = {}

    def data_of(n):
        if n not in datas:
            datas.clear()
            datas[n] = b"\x5a" * n
        return datas[n]

    # Pickled: through a Queue (feeder thread pickles, pipe, unpickle).
    q = fork.Queue()
    ackr, ackw = fork.Pipe(duplex=False)
    p = fork.Process(target=c4_queue_child, args=(q, ackw), daemon=True)
    p.start()
    for n in C4_SIZES:
        d = data_of(n)

        def op(d=d):
            q.put(d)
            ackr.recv_bytes()

        c4_measure("id=C4/mech=queue/method=fork/size=%s" % fmt_size(n), n, op)
    q.put(None)
    p.join()
    q.close()
    q.join_thread()

    # Pickled with the Process object (spawn) vs inherited (fork): a new
    # child per operation, so start-up is included (args at 1 KiB is the
    # start-up baseline).
    for method in ("spawn", "fork"):
        ctx = ctx_of(method)
        for n in C4_SIZES:
            d = data_of(n)

            def op(d=d, ctx=ctx):
                pr = ctx.Process(target=c4_args_child, args=(d, ackw), daemon=True)
                pr.start()
                ackr.recv_bytes()
                pr.join()

            c4_measure("id=C4/mech=args/method=%s/size=%s" % (method, fmt_size(n)), n, op)
    datas.clear()

    # Shared (no pickling): the parent copies the new data into the shared
    # block once and sends only its size; the child looks at it in place.
    for kind in ("rawarray", "array", "shared_memory", "value"):
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

            c4_measure("id=C4/mech=%s/method=fork/size=%s" % (kind, fmt_size(n)), n, op)
        sigw.send(None)
        p.join()
        datas.clear()
        if view is not None:
            view.release()
        if kind == "shared_memory":
            obj.close()
        del obj


# ---------------------------------------------------------------- C5


def nthreads():
    return len(os.listdir("/proc/self/task"))


def c5_child(q, out):
    _pdeathsig()
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
    for chan in ("queue", "simplequeue"):
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
    _pdeathsig()
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


def c7_child():
    _pdeathsig()
    _C7_LOCK.acquire()  # blocks forever if the lock was copied while held
    _C7_LOCK.release()


def claim_c7(args):
    """A parent thread holds a lock while the main thread starts a child;
    the child takes the same (module-global) lock.  A child still blocked
    after C7_JOIN_TIMEOUT_S is deadlocked: it is killed and recorded."""
    import warnings

    for method in METHODS:
        ctx = ctx_of(method)
        if method == "forkserver":
            p0 = ctx.Process(target=_noop, daemon=True)  # server up before the holder thread exists
            p0.start()
            p0.join()
        for _ in range(args.count):
            held, release = threading.Event(), threading.Event()

            def holder():
                with _C7_LOCK:
                    held.set()
                    release.wait()

            t = threading.Thread(target=holder, daemon=True)
            t.start()
            held.wait()
            nthr = threading.active_count()
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always")
                t0 = pc()
                p = ctx.Process(target=c7_child, daemon=True)
                p.start()
            p.join(C7_JOIN_TIMEOUT_S)
            dead = p.is_alive()
            if dead:
                p.kill()
                p.join()
            t1 = pc()
            release.set()
            t.join()
            dep = [w for w in ws if issubclass(w.category, DeprecationWarning) and "fork" in str(w.message)]
            name = "id=C7/method=%s" % method
            emit(name, 1, t1 - t0, [(int(dead), "deadlock"), (int(not dead and p.exitcode == 0), "ok"), (int(bool(dep)), "deprecation-warning"), (nthr, "threads-at-start")])
        if dep:
            note(name, "Python %s warned: %s" % (sys.version.split()[0], dep[0].message))
        elif method == "fork":
            note(name, "Python %s emitted no DeprecationWarning when forking a process with %d threads (3.12+ does)" % (sys.version.split()[0], nthr))


# ---------------------------------------------------------------- C8


def c8_child(method, out):
    _pdeathsig()
    ctx = ctx_of(method)
    try:
        g = ctx.Process(target=_noop, daemon=True)
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


def claim_c9(args):
    """A lambda as Process target (pickled only by spawn/forkserver) and as
    the function of Pool.map (pickled by every method)."""
    for method in METHODS:
        ctx = ctx_of(method)
        name = "id=C9/api=process/method=%s" % method
        t0 = pc()
        try:
            p = ctx.Process(target=lambda: _pdeathsig(), daemon=True)  # noqa: E731
            p.start()
            p.join()
            raised, ok, msg = 0, int(p.exitcode == 0), None
        except Exception as e:
            raised, ok, msg = 1, 0, exc_text(e)
        emit(name, 1, pc() - t0, [(raised, "raised"), (ok, "ok")])
        if msg:
            note(name, msg)
    for method in METHODS:
        ctx = ctx_of(method)
        name = "id=C9/api=pool/method=%s" % method
        t0 = pc()
        try:
            with ctx.Pool(1, initializer=_child_init) as pool:
                ok = int(pool.map(lambda x: x * x, [1, 2, 3]) == [1, 4, 9])  # noqa: E731
            raised, msg = 0, None
        except Exception as e:
            raised, ok, msg = 1, 0, exc_text(e)
        emit(name, 1, pc() - t0, [(raised, "raised"), (ok, "ok")])
        if msg:
            note(name, msg)


# ---------------------------------------------------------------- C10


def c10_child(q):
    _pdeathsig()
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
            p.join(30)
            if p.is_alive():
                p.kill()
                p.join()
        return got == "hello" and p.exitcode == 0

    step("set-first", lambda: mp.set_start_method("spawn") is None)
    step("set-twice", lambda: mp.set_start_method("fork") is None)
    step("get-context", lambda: run_child(mp.get_context("fork"), mp.get_context("fork").Queue()))
    step("set-force", lambda: mp.set_start_method("fork", force=True) is None and mp.get_start_method() == "fork")
    step("mix-fork-queue-spawn-child", lambda: run_child(mp.get_context("spawn"), mp.get_context("fork").Queue()))
    step("mix-spawn-queue-fork-child", lambda: run_child(mp.get_context("fork"), mp.get_context("spawn").Queue()))


# ---------------------------------------------------------------- C12


def claim_c12(args):
    """Can CUDA's start-method restriction be tested here? Looks for NVIDIA
    device nodes and asks torch (when importable) whether CUDA works."""
    import glob

    t0 = pc()
    devs = sorted(glob.glob("/dev/nvidia[0-9]*"))
    try:
        import torch

        cuda = int(bool(torch.cuda.is_available()))
        ngpu = torch.cuda.device_count() if cuda else 0
        torch_txt = "torch %s: torch.cuda.is_available() = %s" % (torch.__version__, bool(cuda))
    except Exception as e:
        cuda, ngpu = 0, 0
        torch_txt = "torch not importable by %s (%s)" % (sys.executable, exc_text(e).splitlines()[0])
    emit("id=C12/check=cuda", 1, pc() - t0, [(len(devs), "nvidia-devices"), (cuda, "cuda"), (ngpu, "gpus")])
    note("id=C12/check=cuda", "%d /dev/nvidia* device nodes; %s" % (len(devs), torch_txt))


# ---------------------------------------------------------------- C13

C13_CPU_US = 2000  # one CPU-bound task: a busy loop of about 2 ms
C13_SLEEP_S = 0.02  # one I/O-bound task: a 20 ms sleep
C13_TASKS = {"cpu": 128, "sleep": 32}


def c13_spin(n):
    x = 0
    for i in range(n):
        x += i
    return x


def c13_calibrate():
    """Loop count of c13_spin lasting C13_CPU_US: a rough rate from a
    >= 20 ms run, then twice the median of 9 runs at the target length."""
    n = 1000
    while True:
        t = pc()
        c13_spin(n)
        d = pc() - t
        if d >= 20000000:
            break
        n *= 2
    n = max(1, int(n * C13_CPU_US * 1000 / d))
    for _ in range(2):
        ts = []
        for _ in range(9):
            t = pc()
            c13_spin(n)
            ts.append(pc() - t)
        ts.sort()
        n = max(1, int(n * C13_CPU_US * 1000 / max(1, ts[4])))
    return n


def c13_task(arg):
    kind, n = arg
    if kind == "cpu":
        c13_spin(n)
    else:
        time.sleep(C13_SLEEP_S)
    return 1


def claim_c13(args):
    """Pool sweep over workers per core, CPU-bound and I/O-bound tasks.
    The busy loop is calibrated once, so every worker count runs the same
    tasks; the worker counts are interleaved in a shuffled order per
    round, so drifting load does not favour one of them.  The map is timed
    once every worker is up.  efficiency = ideal / makespan with ideal =
    ceil(T / min(W, cores)) * task (cpu) or ceil(T / W) * task (sleep)."""
    import random

    cores = len(os.sched_getaffinity(0))
    ctx = ctx_of("fork")
    n = c13_calibrate()
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


def claim_c14(args):
    """The default start method of this interpreter."""
    import multiprocessing as mp

    t0 = pc()
    m = mp.get_start_method()
    emit("id=C14/check=default-method", 1, pc() - t0, [(int(m == "fork"), "default-fork"), (int(m == "forkserver"), "default-forkserver"), (sys.version_info[0] * 100 + sys.version_info[1], "python-version")])
    note("id=C14/check=default-method", "Python %s on %s: multiprocessing.get_start_method() = %r" % (sys.version.split()[0], sys.platform, m))


CLAIMS = {
    "C3": claim_c3,
    "C4": claim_c4,
    "C5": claim_c5,
    "C6": claim_c6,
    "C7": claim_c7,
    "C8": claim_c8,
    "C9": claim_c9,
    "C10": claim_c10,
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
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args(sys.argv[1:])
    if a.count < 1:
        sys.exit("claims.py: --count must be >= 1")
    # Named POSIX semaphores of spawn/forkserver contexts get the run's
    # prefix (/dev/shm/sem.<prefix>-...) so that the harness can remove
    # them when the experiment is killed before Python cleaned them up.
    import multiprocessing.process

    multiprocessing.process.current_process()._config["semprefix"] = "/" + a.shm_prefix
    try:
        CLAIMS[a.claim](a)
    except KeyboardInterrupt:
        sys.exit(130)
