"""mpbench measured program for Python multiprocessing (CPython, PyPy, torch).

Embedded in the Go package github.com/mpbench/mpbench/impl/python and run as

    driver.py --cell NAME --count N --warmup K --benchtime 100ms --shm-prefix P
    driver.py --check --method M --chan C --sizes 0,1,64 [--impl torch] [--shm-prefix P]

Benchmark mode prints exactly N result lines "Benchmark<NAME> <iters> <v> ns/op
[<v> <unit>]..." on stdout (or one "--- SKIP: Benchmark<NAME>: <reason>" line),
see impl/impl.go for the contract.  Check mode sends patterned payloads both
ways over one channel and prints "ok" when every byte arrived in order.

Standard library only; the Python 3.9 language level (PyPy 7.3.11).  torch is
imported only for impl=torch.  Spawned children re-import this file as
__mp_main__, so the module top level only defines things (and, in those
children, arms the parent-death signal).

Definitions (documented here because reports quote them):
  * startup: t0 = perf_counter_ns() before Process(...).start(); ns/op = the
    moment the parent has received the child's first message over the cell's
    channel - t0.  join-ns/op = sending "stop" over the channel + join().
    Before the samples the parent touches rss bytes (one write per 4 KiB page)
    and keeps them alive, so fork must copy the page tables.
  * pingpong: ns/op = mean round trip (full-size message parent->child->
    parent); p50-ns/p99-ns = nearest-rank percentiles of the individual round
    trips of the sample; user-ns/op, sys-ns/op = getrusage(RUSAGE_SELF) deltas
    of parent + child (all threads) per round trip.
  * stream: the parent takes t0 and sends n messages; the child takes t1 after
    the last message has been received in full and reports t1 and its rusage
    delta on a separate control pipe.  ns/op = (t1-t0)/n, MB/s = n*size/(t1-t0)
    *1e3 (1e6 bytes/s), msgs/s, user-ns/op, sys-ns/op.  perf_counter_ns is
    CLOCK_MONOTONIC on Linux, so t0 and t1 are comparable across processes.
  * pool: one map of T tasks over W workers; ns/op = makespan; tasks/s;
    efficiency = ideal / measured with ideal = ceil(T / min(W, cores)) * d for
    cpu tasks (d = CPU_TASK_US of calibrated busy loop; at most `cores`
    workers can run at once) and ceil(T / W) * d for sleep tasks (d =
    SLEEP_TASK_MS; sleeping needs no CPU).  chan=simplequeue is the stdlib
    ctx.Pool (which uses SimpleQueues); queue/pipe/shm are explicit worker
    loops of the same shape (same chunking as Pool.map, results in order).
    Workers are started once and signal readiness before the warm-up map.
    The CPU task is calibrated once in the parent (median of 9 timed runs).
  * shm: a multiprocessing.shared_memory segment named <prefix>-<pid>-<n>
    holding two rings (one per direction) of slots (8 x 1 MiB; 2 x 4 KiB for
    startup; 16 x 4 KiB for pool, with locks on the shared side); ctx
    semaphores count free and full slots; the payload is copied in
    (buf[a:b] = payload) and out (bytes(buf[a:b])); messages larger than a
    slot are chunked.  The parent unlinks the segment as soon as every child
    has signalled that it attached.
  * payload=tensor (impl=torch): a float32 tensor of `size` bytes sent with
    send()/put(), i.e. through torch's ForkingPickler reductions (storage
    moved to shared memory, file descriptors passed); the receiver reads one
    element.
  * Sample sizing (pingpong, stream): K warm-up iterations, then n grows
    Go-style until a sample lasts >= --benchtime, then n is fixed for all N
    samples.  startup and pool: iters = 1, K (>= 1) whole samples discarded.

Process hygiene: every child (and the forkserver's children, and Pool
workers) calls prctl(PR_SET_PDEATHSIG, SIGKILL) first and exits if its
parent is already gone; forkserver children drop their copy of the server's
"alive" pipe so the server exits when the driver dies; the resource tracker
exits when the last holder of its pipe is gone.  On CPython 3.11 the
forkserver never preloads __main__ (its main_path key is never passed), so
every forkserver child re-runs this file's top level (and, for impl=torch,
imports torch itself, as a torch program would).
"""

import os
import sys
import time

CPU_TASK_US = 2000  # bench.CPUTaskMicros
SLEEP_TASK_MS = 20  # bench.SleepTaskMillis
PR_SET_PDEATHSIG = 1
SIGKILL = 9

_libc = None


def _pdeathsig_libc():
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _pdeathsig():
    """Ask the kernel to SIGKILL this process when its parent dies."""
    if _pdeathsig_libc().prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_PDEATHSIG) failed")


def _ppid_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _guard(driver_pid):
    """First thing every child does: die with the parent, or exit now if the
    parent is already gone.  The parent is the driver (fork, spawn) or the
    forkserver, itself a child of the driver.

    A forkserver child also closes its copy of the write end of the server's
    "alive" pipe (CPython hands it to every child so that children could use
    the server too).  Otherwise the server, which exits on EOF of that pipe,
    would wait for its children while they wait for it to die."""
    p = os.getppid()
    _pdeathsig()
    if os.getppid() != p or (p != driver_pid and _ppid_of(p) != driver_pid):
        os._exit(1)
    if p != driver_pid:
        from multiprocessing import forkserver

        fs = forkserver._forkserver
        fd = getattr(fs, "_forkserver_alive_fd", None)
        if fd is not None:
            fs._forkserver_alive_fd = None
            try:
                os.close(fd)
            except OSError:
                pass


_DRIVER_PID = os.environ.get("MPBENCH_DRIVER_PID")
if __name__ == "__mp_main__" and _DRIVER_PID:
    # A spawned child, or a forkserver child (CPython 3.11 re-runs the main
    # file there: it never preloads __main__ in the server), importing this
    # file: arm the death signal at once.
    _guard(int(_DRIVER_PID))
    if os.environ.get("MPBENCH_TORCH") == "1":
        # Like a torch program with `import torch` at the top: spawn and
        # forkserver children import it too.
        import torch.multiprocessing  # noqa: F401


def _rusage_ns():
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return int(r.ru_utime * 1e9), int(r.ru_stime * 1e9)


# ---------------------------------------------------------------- names


class Cell(object):
    def __init__(self, name):
        self.name = name
        parts = name.split("/")
        self.workload = parts[0].lower()
        if self.workload not in ("startup", "pingpong", "stream", "pool"):
            raise ValueError("cell %r: unknown workload %r" % (name, parts[0]))
        self.impl = "cpython"
        self.method = "fork"
        self.chan = "pipe"
        self.payload = "bytes"
        self.size = 0
        self.rss = 0
        self.workers = 1
        self.tasks = 1
        self.task = "cpu"
        self.cores = 1
        for p in parts[1:]:
            k, sep, v = p.partition("=")
            if not sep:
                raise ValueError("cell %r: %r is not key=value" % (name, p))
            if k in ("impl", "method", "chan", "payload", "task"):
                setattr(self, k, v)
            elif k in ("size", "rss"):
                setattr(self, k, parse_size(v))
            elif k in ("workers", "tasks", "cores"):
                setattr(self, k, int(v))
            else:
                raise ValueError("cell %r: unknown key %r" % (name, k))
        if self.method not in ("spawn", "fork", "forkserver"):
            raise ValueError("cell %r: unknown method %r" % (name, self.method))
        if self.chan not in ("simplequeue", "queue", "pipe", "shm"):
            raise ValueError("cell %r: unknown chan %r" % (name, self.chan))
        if self.task not in ("cpu", "sleep"):
            raise ValueError("cell %r: unknown task %r" % (name, self.task))


_UNITS = (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1))


def parse_size(s):
    for suf, mul in _UNITS:
        if s.endswith(suf):
            return int(s[: -len(suf)]) * mul
    return int(s)


def parse_duration(s):
    """Go duration ("100ms", "1.5s", "1m30s") -> nanoseconds."""
    import re

    units = {"ns": 1, "us": 1e3, "\u00b5s": 1e3, "\u03bcs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)", s)
    if not parts or "".join(a + b for a, b in parts) != s:
        raise ValueError("bad duration %r" % s)
    return int(sum(float(a) * units[b] for a, b in parts))


def fmt(v):
    if v != v:
        return "NaN"
    if abs(v) >= 1000 or v == int(v):
        return "%.0f" % v
    return "%.4g" % v


# ---------------------------------------------------------------- shm rings

_HDR = 64  # per-ring header: write index, read index (u64 each), padded
_SLOT_HDR = 16  # per-slot header: chunk length, message length (u64 each)

import struct as _struct  # noqa: E402  (cheap; precompiled for the hot path)

_U64 = _struct.Struct("<Q")  # ring header words: write index, read index
_SLOTHDR = _struct.Struct("<QQ")  # slot header: chunk length, message length


class Ring(object):
    """One direction of a shared-memory channel: nslots slots of slotsize
    bytes in segment seg at offset off.  free/full count slots; the optional
    locks make several senders (or receivers) take whole messages in turn."""

    def __init__(self, ctx, off, nslots, slotsize, send_lock=False, recv_lock=False):
        self.off = off
        self.nslots = nslots
        self.slotsize = slotsize
        self.free = ctx.Semaphore(nslots)
        self.full = ctx.Semaphore(0)
        self.slock = ctx.Lock() if send_lock else None
        self.rlock = ctx.Lock() if recv_lock else None
        self.buf = None

    @staticmethod
    def nbytes(nslots, slotsize):
        return _HDR + nslots * (_SLOT_HDR + slotsize)

    def __getstate__(self):
        d = dict(self.__dict__)
        d["buf"] = None
        return d

    def _slot(self, i):
        return self.off + _HDR + (i % self.nslots) * (_SLOT_HDR + self.slotsize)

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
                self.free.acquire()
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
            self.full.acquire()
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
                self.full.acquire()
                a = self._slot(r)
                n, total2 = _SLOTHDR.unpack_from(buf, a)
                if total2 != total or o + n > total:
                    raise RuntimeError("shm ring: corrupt chunk header")
        finally:
            if self.rlock is not None:
                self.rlock.release()


class ShmSegment(object):
    """A shared-memory segment holding rings; the parent creates it, each
    child attaches (by name) and releases `attached`; the parent unlinks it
    once all expected children attached."""

    def __init__(self, ctx, name, size):
        from multiprocessing import shared_memory

        self.shm = shared_memory.SharedMemory(name=name, create=True, size=size)
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
            from multiprocessing import shared_memory

            # Registers with the resource tracker too (CPython < 3.13). All
            # processes of one driver share one tracker whose cache is a set,
            # so this is a no-op there and the parent's unlink() unregisters
            # the name exactly once: no warnings, nothing leaked.
            self.shm = shared_memory.SharedMemory(name=self.name)
        self.attached.release()
        return self.shm.buf

    def wait_attached(self, n=1):
        """Parent side: wait for n attachments, then unlink the name."""
        for _ in range(n):
            self.attached.acquire()
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
    def __init__(self, conn, objects):
        self.conn = conn
        self.objects = objects
        self.seg = None

    def open(self):
        if self.objects:
            self.send = self.conn.send
            self.recv = self.conn.recv
        else:
            self.send = self.conn.send_bytes
            self.recv = self.conn.recv_bytes

    def __getstate__(self):
        return {"conn": self.conn, "objects": self.objects, "seg": None}

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

    def __getstate__(self):
        return {"seg": self.seg, "tx": self.tx, "rx": self.rx, "is_child": self.is_child}

    def close_child_copy(self):
        pass


class Names(object):
    def __init__(self, prefix):
        self.prefix = prefix
        self.n = 0

    def next(self):
        self.n += 1
        return "%s-%d-%d" % (self.prefix, os.getpid(), self.n)


SHM_SLOTS = 8
SHM_SLOT = 1 << 20


def make_channel(ctx, chan, objects, names, nslots=SHM_SLOTS, slotsize=SHM_SLOT):
    """Returns (parent_end, child_end): a duplex channel over chan."""
    if chan == "pipe":
        a, b = ctx.Pipe(duplex=True)
        return PipeEnd(a, objects), PipeEnd(b, objects)
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


def release_channel(end):
    """Parent side, after the child(ren) are gone."""
    if end.seg is not None:
        end.tx.buf = end.rx.buf = None
        end.seg.unlink()
        end.seg.close()


# ---------------------------------------------------------------- payloads


def make_payload(cell, size):
    if cell.payload == "tensor":
        import torch

        return torch.zeros(size // 4, dtype=torch.float32)
    return b"\x5a" * size


def touch(x):
    """Make sure a received payload arrived (tensor: read one element)."""
    if hasattr(x, "numel"):
        if x.numel() > 0:
            return float(x[-1])
        return 0
    return len(x)


# ---------------------------------------------------------------- children


def child_startup(driver_pid, end, payload):
    _guard(driver_pid)
    end.open()
    if payload == "tensor":
        import torch

        first = torch.zeros(16, dtype=torch.float32)
    else:
        first = b"\x01"
    end.send(first)
    end.recv()  # stop


def child_pingpong(driver_pid, end, ctrl):
    _guard(driver_pid)
    end.open()
    ctrl.send(0)  # ready
    while True:
        n = ctrl.recv()
        if n is None:
            break
        u0, s0 = _rusage_ns()
        for _ in range(n):
            m = end.recv()
            touch(m)
            end.send(m)
        u1, s1 = _rusage_ns()
        ctrl.send((u1 - u0, s1 - s0))


def child_stream(driver_pid, end, ctrl):
    _guard(driver_pid)
    end.open()
    ctrl.send(0)  # ready
    while True:
        n = ctrl.recv()
        if n is None:
            break
        u0, s0 = _rusage_ns()
        for _ in range(n):
            m = end.recv()
        touch(m)
        t1 = time.perf_counter_ns()
        u1, s1 = _rusage_ns()
        ctrl.send((t1, u1 - u0, s1 - s0))


def spin(n):
    """The CPU task: a plain interpreter loop (xor keeps x a small int, so
    the cost per iteration does not grow with n)."""
    x = 0
    for i in range(n):
        x ^= i
    return x


def run_task(kind, param, i):
    if kind == "cpu":
        spin(param)
    else:
        time.sleep(param)
    return i


def pool_init(driver_pid, ready):
    _guard(driver_pid)
    ready.release()


def pool_worker(driver_pid, ready, chan, end, kind, param):
    import struct

    _guard(driver_pid)
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


def child_check(driver_pid, end, ctrl, sizes, reps, tensors, corrupt):
    _guard(driver_pid)
    end.open()
    try:
        k = 0
        for size in sizes:  # ping-pong phase: verify, answer with own pattern
            for _ in range(reps):
                got = end.recv()
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
    ctx = get_context(args.impl, args.method)
    tensors = args.impl == "torch" and args.chan != "shm"
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    reps = 3
    names = Names(args.shm_prefix)
    pend, cend = make_channel(ctx, args.chan, tensors, names)
    ctrl, cctrl = ctx.Pipe()
    p = ctx.Process(target=child_check, args=(os.getpid(), cend, cctrl, sizes, reps, tensors, args.check_corrupt), daemon=True)
    p.start()
    cend.close_child_copy()
    cctrl.close()
    if pend.seg is not None:
        pend.seg.wait_attached()
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
    res = ctrl.recv()
    p.join()
    release_channel(pend)
    if res != "ok":
        raise AssertionError(res)
    if p.exitcode != 0:
        raise AssertionError("child exit code %s" % p.exitcode)
    print("ok", flush=True)


# ---------------------------------------------------------------- benchmark


def get_context(impl, method):
    """The start-method context (never the global default); the processes it
    creates learn the driver's pid (see _DRIVER_PID)."""
    os.environ["MPBENCH_DRIVER_PID"] = str(os.getpid())
    if impl == "torch":
        os.environ["MPBENCH_TORCH"] = "1"
        import torch.multiprocessing as mp
    else:
        os.environ.pop("MPBENCH_TORCH", None)
        import multiprocessing as mp
    ctx = mp.get_context(method)
    # The death-signal guard every child runs needs libc through ctypes
    # (about 1 ms to import).  That is the harness's hygiene, not part of
    # what a start method costs: load it here so fork children inherit it,
    # and have the forkserver preload it so its children do too.  Spawn
    # children import it with the driver file (documented in the report).
    _pdeathsig_libc()
    if method == "forkserver":
        ctx.set_forkserver_preload(["ctypes"])
    return ctx


class Bench(object):
    def __init__(self, cell, args):
        self.cell = cell
        self.count = args.count
        self.warmup = args.warmup
        self.benchtime = parse_duration(args.benchtime)
        self.names = Names(args.shm_prefix)
        self.ctx = get_context(cell.impl, cell.method)
        self.pid = os.getpid()
        self.objects = cell.payload == "tensor"
        self.procs = []

    def emit(self, iters, nsop, extra):
        line = "Benchmark%s %d %s ns/op" % (self.cell.name, iters, fmt(nsop))
        for v, unit in extra:
            line += " %s %s" % (fmt(v), unit)
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def start(self, target, args):
        p = self.ctx.Process(target=target, args=(self.pid,) + tuple(args), daemon=True)
        p.start()
        self.procs.append(p)
        return p

    # ---- startup
    def startup(self):
        c = self.cell
        global _ballast
        if c.rss > 0:
            _ballast = bytearray(c.rss)
            _ballast[::4096] = b"\x01" * len(range(0, c.rss, 4096))
        for i in range(max(1, self.warmup) + self.count):
            pend, cend = make_channel(self.ctx, c.chan, self.objects, self.names, nslots=2, slotsize=4096)
            pend.open()
            t0 = time.perf_counter_ns()
            p = self.ctx.Process(target=child_startup, args=(self.pid, cend, c.payload), daemon=True)
            p.start()
            touch(pend.recv())
            t1 = time.perf_counter_ns()
            if pend.seg is not None:
                pend.seg.wait_attached()
            cend.close_child_copy()
            tj = time.perf_counter_ns()
            pend.send(b"")
            p.join()
            t2 = time.perf_counter_ns()
            release_channel(pend)
            if p.exitcode != 0:
                raise RuntimeError("startup child exited with %s" % p.exitcode)
            if i >= max(1, self.warmup):
                self.emit(1, t1 - t0, [(t2 - tj, "join-ns/op")])

    # ---- pingpong and stream
    def two_party(self, target, sample):
        c = self.cell
        pend, cend = make_channel(self.ctx, c.chan, self.objects, self.names)
        ctrl, cctrl = self.ctx.Pipe()
        p = self.start(target, (cend, cctrl))
        cend.close_child_copy()
        cctrl.close()
        self.child = p
        ctrl_recv(ctrl, p)  # child ready (attached, for shm)
        if pend.seg is not None:
            pend.seg.wait_attached()
        pend.open()
        payload = make_payload(c, c.size)
        minn = 2 if c.workload == "stream" else 1
        if self.warmup > 0:
            sample(pend, ctrl, payload, max(minn, self.warmup))
        n = self.calibrate(lambda n: sample(pend, ctrl, payload, n)[0], minn)
        for _ in range(self.count):
            r = sample(pend, ctrl, payload, n)
            self.emit(n, r[0] / n, r[1])
        ctrl.send(None)
        p.join()
        release_channel(pend)
        if p.exitcode != 0:
            raise RuntimeError("child exited with %s" % p.exitcode)

    def calibrate(self, run, n):
        """Go-style: grow n until one sample lasts >= benchtime; the
        prediction aims at 1.2 x benchtime and grows at most 100x a step, so
        a sample needs at most a few x benchtime even if timings jitter."""
        while True:
            d = run(n)
            if d >= self.benchtime:
                return n
            if d <= 0:
                d = 1
            nxt = int(n * self.benchtime * 1.2 / d) + 1
            n = max(n + 1, min(nxt, 100 * n))

    def pp_sample(self, end, ctrl, payload, n):
        ctrl.send(n)
        u0, s0 = _rusage_ns()
        dts = [0] * n
        pc = time.perf_counter_ns
        send, recv = end.send, end.recv
        ts = pc()
        for i in range(n):
            t = pc()
            send(payload)
            touch(recv())
            dts[i] = pc() - t
        te = pc()
        u1, s1 = _rusage_ns()
        cu, cs = ctrl_recv(ctrl, self.child)
        dts.sort()
        p50 = dts[max(0, -(-50 * n // 100) - 1)]
        p99 = dts[max(0, -(-99 * n // 100) - 1)]
        d = te - ts
        return d, [(p50, "p50-ns"), (p99, "p99-ns"), ((u1 - u0 + cu) / n, "user-ns/op"), ((s1 - s0 + cs) / n, "sys-ns/op")]

    def st_sample(self, end, ctrl, payload, n):
        ctrl.send(n)
        u0, s0 = _rusage_ns()
        send = end.send
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(payload)
        t1, cu, cs = ctrl_recv(ctrl, self.child)
        u1, s1 = _rusage_ns()
        d = max(1, t1 - t0)
        size = self.cell.size
        return d, [
            (n * size / d * 1e3, "MB/s"),
            (n / d * 1e9, "msgs/s"),
            ((u1 - u0 + cu) / n, "user-ns/op"),
            ((s1 - s0 + cs) / n, "sys-ns/op"),
        ]

    # ---- pool
    def pool(self):
        c = self.cell
        if c.task == "cpu":
            param = calibrate_spin(CPU_TASK_US)
            d_ns = CPU_TASK_US * 1000
            ideal = -(-c.tasks // max(1, min(c.workers, c.cores))) * d_ns
        else:
            param = SLEEP_TASK_MS / 1000.0
            d_ns = SLEEP_TASK_MS * 1000000
            ideal = -(-c.tasks // c.workers) * d_ns
        # Pool.map's default chunking, used by every variant.
        cs, extra = divmod(c.tasks, c.workers * 4)
        if extra:
            cs += 1
        chunks = [(lo, min(lo + cs, c.tasks)) for lo in range(0, c.tasks, max(1, cs))]
        want = list(range(c.tasks))
        # Every worker signals once it is up, so that no sample (not even the
        # warm-up) runs while workers are still starting (a spawned torch
        # worker imports torch for a second or more).
        ready = self.ctx.Semaphore(0)
        if c.chan == "simplequeue":
            import functools

            pool = self.ctx.Pool(c.workers, initializer=pool_init, initargs=(self.pid, ready))
            f = functools.partial(run_task, c.task, param)
            mapper = lambda: pool.map(f, range(c.tasks))  # noqa: E731
            done = lambda: (pool.close(), pool.join())  # noqa: E731
        else:
            mapper, done = self.explicit_pool(c, param, chunks, ready)
        for _ in range(c.workers):
            ready.acquire()
        for i in range(max(1, self.warmup) + self.count):
            t0 = time.perf_counter_ns()
            got = mapper()
            d = time.perf_counter_ns() - t0
            if list(got) != want:
                raise RuntimeError("pool map returned wrong results")
            if i >= max(1, self.warmup):
                self.emit(1, d, [(c.tasks / d * 1e9, "tasks/s"), (ideal / d, "efficiency")])
        done()

    def explicit_pool(self, c, param, chunks, ready):
        import struct

        ctx = self.ctx
        procs = []
        if c.chan == "queue":
            tasks, results = ctx.Queue(), ctx.Queue()
            wend = QueueEnd(tasks, results)
            for _ in range(c.workers):
                procs.append(self.start(pool_worker, (ready, c.chan, wend, c.task, param)))

            def mapper():
                for ch in chunks:
                    tasks.put(ch)
                out = [None] * c.tasks
                for _ in chunks:
                    lo, res = results.get()
                    out[lo : lo + len(res)] = res
                return out

            def done():
                for _ in procs:
                    tasks.put((-1, -1))
                for p in procs:
                    p.join()

            return mapper, done

        if c.chan == "pipe":
            from multiprocessing.connection import wait

            conns = []
            for _ in range(c.workers):
                a, b = ctx.Pipe()
                procs.append(self.start(pool_worker, (ready, c.chan, PipeEnd(b, True), c.task, param)))
                b.close()
                conns.append(a)

            def mapper():
                todo = list(reversed(chunks))
                busy = set()
                out = [None] * c.tasks
                for conn in conns:
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

            def done():
                for conn in conns:
                    conn.send((-1, -1))
                for p in procs:
                    p.join()

            return mapper, done

        # shm: one task ring (workers take whole messages under a lock) and
        # one result ring (workers put under a lock); the parent keeps at most
        # nslots chunks outstanding so neither ring can fill up both ways.
        nslots, slotsize = 16, 4096
        rb = Ring.nbytes(nslots, slotsize)
        seg = ShmSegment(ctx, self.names.next(), 2 * rb)
        down = Ring(ctx, 0, nslots, slotsize, recv_lock=True)
        up = Ring(ctx, rb, nslots, slotsize, send_lock=True)
        pend, wend = ShmEnd(seg, down, up, False), ShmEnd(seg, up, down, True)
        for _ in range(c.workers):
            procs.append(self.start(pool_worker, (ready, c.chan, wend, c.task, param)))
        seg.wait_attached(c.workers)
        pend.open()

        def mapper():
            out = [None] * c.tasks
            sent = got = 0
            while got < len(chunks):
                if sent < len(chunks) and sent - got < nslots:
                    pend.send(struct.pack("<qq", *chunks[sent]))
                    sent += 1
                    continue
                m = pend.recv()
                v = struct.unpack("<%dq" % (len(m) // 8), m)
                out[v[0] : v[0] + len(v) - 1] = v[1:]
                got += 1
            return out

        def done():
            for _ in procs:
                pend.send(struct.pack("<qq", -1, -1))
            for p in procs:
                p.join()
            release_channel(pend)

        return mapper, done

    def run(self):
        w = self.cell.workload
        if w == "startup":
            self.startup()
        elif w == "pingpong":
            self.two_party(child_pingpong, self.pp_sample)
        elif w == "stream":
            self.two_party(child_stream, self.st_sample)
        else:
            self.pool()


_ballast = None


def ctrl_recv(ctrl, p):
    """Receive a control message from child p, or fail if p died instead
    (rather than waiting for the harness's timeout)."""
    from multiprocessing.connection import wait

    if ctrl not in wait([ctrl, p.sentinel]):
        p.join()
        raise RuntimeError("child exited with code %s" % p.exitcode)
    return ctrl.recv()


def calibrate_spin(target_us):
    """Loop count of spin() that takes about target_us in this process: a
    rough rate from a >= 20 ms run, then the median of 9 runs at the target
    length (robust to a preempted run), rescaled."""
    pc = time.perf_counter_ns
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
    for _ in range(2):
        ts = []
        for _ in range(9):
            t = pc()
            spin(n)
            ts.append(pc() - t)
        ts.sort()
        n = max(1, int(n * target / max(1, ts[len(ts) // 2])))
    return n


def skip_reason(cell):
    if cell.payload not in ("bytes", "tensor"):
        return "unknown payload %r" % cell.payload
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
            return "torch is not importable by %s: %s" % (sys.executable, str(e).splitlines()[0] if str(e) else type(e).__name__)
    return None


def parse_args(argv):
    import argparse

    ap = argparse.ArgumentParser(prog="driver.py")
    ap.add_argument("--cell")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--benchtime", default="100ms")
    ap.add_argument("--shm-prefix", default="mpbench-py")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--method", default="fork")
    ap.add_argument("--chan", default="pipe")
    ap.add_argument("--impl", default="cpython")
    ap.add_argument("--sizes", default="0,1,64,65536,1048576,16777216")
    ap.add_argument("--check-corrupt", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if getattr(args, "shm_prefix", None):
        # Named semaphores (spawn/forkserver keep them named until the
        # resource tracker unlinks them) carry the cell's prefix too, so the
        # harness can remove them after a kill: /dev/shm/sem.<prefix>-...
        import multiprocessing.process

        multiprocessing.process.current_process()._config["semprefix"] = "/" + args.shm_prefix
    if args.check:
        run_check(args)
        return 0
    if not args.cell:
        raise ValueError("--cell is required")
    if args.count < 1:
        raise ValueError("--count must be >= 1")
    cell = Cell(args.cell[len("Benchmark") :] if args.cell.startswith("Benchmark") else args.cell)
    reason = skip_reason(cell)
    if reason:
        print("--- SKIP: Benchmark%s: %s" % (cell.name, reason), flush=True)
        return 0
    Bench(cell, args).run()
    return 0


if __name__ == "__main__":
    try:
        rc = main(sys.argv[1:])
    except KeyboardInterrupt:
        rc = 130
    except BaseException as e:  # one readable line; children are daemons
        if isinstance(e, SystemExit):
            raise
        if os.environ.get("MPBENCH_DEBUG"):
            import traceback

            traceback.print_exc()
        msg = str(e).replace("\n", " ") or type(e).__name__
        sys.stderr.write("driver: %s: %s\n" % (type(e).__name__, msg))
        rc = 1
    sys.stdout.flush()
    sys.exit(rc)
