"""mpbench's shared Python core: what every measured Python program of
mpbench needs once (impl/python's driver.py and harness/claims's claims.py
both import it; the Go side writes it next to them in the private script
folder).

Standard library only; must import on CPython 3.8-3.13 and PyPy 3.9.  Cheap
to import: no module beyond os, sys and time at import time.

Definitions stated once here (impl/impl.go states the same contract):
  * spin(n): the CPU task, a plain interpreter loop (xor keeps x a small
    int, so the cost per iteration does not grow with n).
  * calibrate_spin(target_us): loop count of spin() lasting target_us of
    this thread's CPU time.  ONE policy: a rough rate from a run of >= 20
    ms, then two rounds of 9 timed runs at the target length, each rescaling
    n by target / median of the 9; every run timed in the thread's CPU time
    (as the workers time the task), so a run that waits for a CPU does not
    shrink the count.
    The harness calls it once per invocation (the driver's --calibrate-spin
    run) and passes the count to every program run (--spin).
  * pool_overhead(task_ns, makespan_ns, tasks, par): makespan - ceil(tasks /
    par) * task_ns / tasks (impl.PoolOverhead).
  * percentile(sorted_xs, p): nearest rank, x[ceil(p/100 * n) - 1] on the
    sorted values (p99 of 1..100 is 99, p50 of 1..100 is 50).
  * sizes: "0", "64B", "4KiB", "1MiB", "1GiB" (binary units; the largest
    unit dividing the size exactly), as bench.FormatSize / ParseSize.
  * result lines: Go benchmark format, "Benchmark<name> <iters> <v> ns/op
    [<v> <unit>]...", numbers formatted by fmt(); status lines "--- SKIP:
    Benchmark<name>: <reason>" and "--- NOTE: Benchmark<name>: <text>", one
    line each (skip_line, note_line); an exception as text: exc_text().
  * grow_iters(run, target_ns, n): the iterations of one sample, Go-style:
    grow n until run(n) lasts >= target_ns (each prediction aims at 1.2 x
    the target, at most 100x the previous n).
  * death-signal guard: every process a measured program creates calls
    guard() first: PR_SET_PDEATHSIG(SIGKILL), exit if the parent is already
    gone, and (forkserver children) drop the server's "alive" pipe.
  * memory: parse_smaps_rollup(text) = (Pss, Private_Clean + Private_Dirty)
    in bytes (kB x 1024) of a /proc/<pid>/smaps_rollup (impl.SmapsRollup).
  * segment prefix: /dev/shm segments are named <prefix>-<pid>-<n> and named
    semaphores sem.<prefix>-..., so the harness can remove leftovers.
"""

import os
import sys
import time

PR_SET_PDEATHSIG = 1
SIGKILL = 9

# ---------------------------------------------------------------- death signal

_libc = None


def libc():
    """libc through ctypes (about 1 ms to import ctypes: callers that must
    not pay it inside a measured window load it earlier)."""
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def pdeathsig():
    """Ask the kernel to SIGKILL this process when its parent dies."""
    if libc().prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_PDEATHSIG) failed")


def ppid_of(pid):
    """Parent pid of pid from /proc, or -1."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def guard(driver_pid, forkserver_module="multiprocessing.forkserver"):
    """First thing every child does: die with the parent, or exit now if the
    parent is already gone.  The parent is the driver (fork, spawn) or a
    forkserver, itself a child of the driver (driver_pid None: no check of
    the parent's identity).

    A forkserver child also closes its copy of the write end of the server's
    "alive" pipe (CPython hands it to every child so that children could use
    the server too).  Otherwise the server, which exits on EOF of that pipe,
    would wait for its children while they wait for it to die.
    forkserver_module names the forkserver module of the multiprocessing
    library in use (stdlib, billiard, multiprocess)."""
    p = os.getppid()
    pdeathsig()
    if driver_pid is None:
        return
    if os.getppid() != p or (p != driver_pid and ppid_of(p) != driver_pid):
        os._exit(1)
    if p != driver_pid:
        fs = sys.modules.get(forkserver_module)
        server = getattr(fs, "_forkserver", None)
        fd = getattr(server, "_forkserver_alive_fd", None)
        if fd is not None:
            server._forkserver_alive_fd = None
            try:
                os.close(fd)
            except OSError:
                pass


# ---------------------------------------------------------------- result lines


def fmt(v):
    """A number of a result line: integers (and values >= 1000) without a
    fraction, others with 6 significant digits."""
    if isinstance(v, int):
        return str(v)
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    if abs(v) >= 1000 or v == int(v):
        return "%.0f" % v
    return "%.6g" % v


def result_line(name, iters, nsop, extra=()):
    """'Benchmark<name> <iters> <nsop> ns/op [<v> <unit>]...'."""
    line = "Benchmark%s %d %s ns/op" % (name, iters, fmt(nsop))
    for v, unit in extra:
        line += " %s %s" % (fmt(v), unit)
    return line


def emit(name, iters, nsop, extra=()):
    """Write one result line to stdout and flush it."""
    sys.stdout.write(result_line(name, iters, nsop, extra) + "\n")
    sys.stdout.flush()


def one_line(text):
    """text with every run of whitespace (newlines included) as one space."""
    return " ".join(str(text).split())


def skip_line(name, reason):
    return "--- SKIP: Benchmark%s: %s" % (name, one_line(reason))


NOTE_MAX = 300  # characters of a NOTE text; longer ones end in "..."


def note_line(name, text):
    """'--- NOTE: Benchmark<name>: <text>' (one line, clipped to NOTE_MAX)."""
    text = one_line(text)
    if len(text) > NOTE_MAX:
        text = text[:NOTE_MAX] + "..."
    return "--- NOTE: Benchmark%s: %s" % (name, text)


def first_line(e):
    """The first line of an exception's message (its type name when empty)."""
    s = str(e)
    return s.splitlines()[0] if s else type(e).__name__


def exc_text(e):
    """'<Type>: <first line of the message>'."""
    return "%s: %s" % (type(e).__name__, first_line(e))


# ---------------------------------------------------------------- iterations


def grow_iters(run, target_ns, n=1):
    """Go-style: grow n until run(n) (the ns that n operations took) lasts
    >= target_ns; the prediction aims at 1.2 x target_ns and grows at most
    100x a step, so a sample needs at most a few x target_ns even if timings
    jitter."""
    while True:
        d = run(n)
        if d >= target_ns:
            return n
        if d <= 0:
            d = 1
        nxt = int(n * target_ns * 1.2 / d) + 1
        n = max(n + 1, min(nxt, 100 * n))


# ---------------------------------------------------------------- CPU task


def spin(n):
    """The CPU task: a plain interpreter loop (xor keeps x a small int, so
    the cost per iteration does not grow with n)."""
    x = 0
    for i in range(n):
        x ^= i
    return x


CALIBRATION_RUNS = 9  # runs per round; the median of them rescales n
CALIBRATION_ROUNDS = 2


def calibrate_spin(target_us):
    """Loop count of spin() that takes about target_us of this thread's CPU
    time: a rough rate from a >= 20 ms run, then CALIBRATION_ROUNDS rounds of
    CALIBRATION_RUNS timed runs at the target length, rescaled by the
    median."""
    pc = time.thread_time_ns
    n = 1000
    while True:
        t = pc()
        spin(n)
        d = pc() - t
        if d >= 20000000:
            break
        n *= 2
    target = target_us * 1000
    n = max(1, int(n * target / d))
    for _ in range(CALIBRATION_ROUNDS):
        ts = []
        for _ in range(CALIBRATION_RUNS):
            t = pc()
            spin(n)
            ts.append(pc() - t)
        ts.sort()
        n = max(1, int(n * target / max(1, ts[len(ts) // 2])))
    return n


# ---------------------------------------------------------------- pool


def pool_overhead(task_ns, makespan_ns, tasks, par):
    """The makespan of a pool map beyond its ideal: makespan - ceil(tasks /
    par) * (task_ns / tasks), task_ns the sum of the measured task times and
    par the tasks that can run at once (impl.PoolOverhead)."""
    if tasks < 1 or par < 1:
        return 0.0
    rounds = -(-tasks // par)
    return makespan_ns - rounds * task_ns / float(tasks)


# ---------------------------------------------------------------- statistics


def percentile(sorted_xs, p):
    """Nearest-rank percentile p (0 < p <= 100) of sorted values:
    x[ceil(p/100 * n) - 1] (integer arithmetic for integer p)."""
    n = len(sorted_xs)
    if n == 0:
        raise ValueError("percentile of no values")
    if isinstance(p, int):
        k = -(-p * n // 100)
    else:
        import math

        k = int(math.ceil(p * n / 100.0 - 1e-9))
    return sorted_xs[min(n, max(1, k)) - 1]


# ---------------------------------------------------------------- sizes

_UNITS = (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1))


def parse_size(s):
    """"64B", "4KiB", "1MiB", "1GiB" or a plain integer -> bytes."""
    for suf, mul in _UNITS:
        if s.endswith(suf):
            return int(s[: -len(suf)]) * mul
    return int(s)


def format_size(n):
    """The inverse of parse_size for canonical names: 0 -> "0", 64 ->
    "64B", 4096 -> "4KiB"."""
    if n == 0:
        return "0"
    for suf, mul in _UNITS:
        if n % mul == 0:
            return "%d%s" % (n // mul, suf)
    return "%dB" % n


def parse_duration(s):
    """Go duration ("100ms", "1.5s", "1m30s") -> nanoseconds."""
    import re

    units = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise ValueError("bad duration %r" % s)
    return int(sum(float(a) * units[b] for a, b in parts))


# ---------------------------------------------------------------- names under /dev/shm


def set_segment_prefix(prefix, mp_root="multiprocessing"):
    """Named semaphores (spawn/forkserver keep them named until the resource
    tracker unlinks them) carry the run's prefix too, so the harness can
    remove them after a kill: /dev/shm/sem.<prefix>-...  mp_root is the
    multiprocessing library in use (multiprocessing, billiard, multiprocess)."""
    import importlib

    proc = importlib.import_module(mp_root + ".process")
    cfg = getattr(proc.current_process(), "_config", None)
    if isinstance(cfg, dict):
        cfg["semprefix"] = "/" + prefix


class Names(object):
    """Segment names <prefix>-<pid>-<n>."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.n = 0

    def next(self):
        self.n += 1
        return "%s-%d-%d" % (self.prefix, os.getpid(), self.n)


# ---------------------------------------------------------------- misc


def rusage_ns():
    """(user, system) CPU time of this process (all threads) in ns."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return int(r.ru_utime * 1e9), int(r.ru_stime * 1e9)


# ---------------------------------------------------------------- memory


def smaps_rollup(pid):
    """(Pss, USS) of process pid in bytes from /proc/<pid>/smaps_rollup."""
    with open("/proc/%d/smaps_rollup" % pid) as f:
        return parse_smaps_rollup(f.read())


def parse_smaps_rollup(text):
    """(Pss, USS) in bytes of a smaps_rollup text: Pss, and Private_Clean +
    Private_Dirty (the pages only this process maps); the kernel prints kB
    (1024 bytes).  impl.SmapsRollup is the same definition."""
    vals = {}
    for line in text.splitlines():
        k, _, rest = line.partition(":")
        if k in ("Pss", "Private_Clean", "Private_Dirty"):
            vals[k] = int(rest.split()[0]) * 1024
    return vals["Pss"], vals["Private_Clean"] + vals["Private_Dirty"]
