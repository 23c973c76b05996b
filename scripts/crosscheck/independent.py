"""Independent measurement of a few mpbench cells, written without the driver.

Measures, under the first CPU set of size CORES:
  - start-up: ctx.Process.start() -> first item from a SimpleQueue (per method),
  - stream: one-way throughput parent -> child per channel, timed at the child.
Prints one line per cell: `<benchmark name> <median> <unit>`.
Usage: python3 independent.py CORES
"""
import multiprocessing as mp
import os
import statistics
import sys
import time
from multiprocessing import shared_memory

SAMPLES = 10


def startup_child(q):
    q.put(b"up")


def measure_startup(method):
    ctx = mp.get_context(method)
    times = []
    for i in range(SAMPLES + 1):
        q = ctx.SimpleQueue()
        t0 = time.perf_counter_ns()
        p = ctx.Process(target=startup_child, args=(q,))
        p.start()
        q.get()
        t1 = time.perf_counter_ns()
        p.join()
        if i:
            times.append(t1 - t0)
    return statistics.median(times)


SLOTS = 8  # shm ring depth, the same parameter as the driver's (its code not used)


def sink(kind, end, ctl, size, full, free):
    """The receiver: per sample, take n from ctl, receive n messages, reply
    with the clock after the last one."""
    if kind == "shm":
        seg = shared_memory.SharedMemory(name=end)
        slot = max(size, 1)
        ctl.send("attached")
    while True:
        n = ctl.recv()
        if n is None:
            break
        for i in range(n):
            if kind == "shm":
                full.acquire()
                off = (i % SLOTS) * slot
                bytes(seg.buf[off:off + size])
                free.release()
            elif kind == "pipe":
                end.recv_bytes()
            else:
                end.get()
        ctl.send(time.perf_counter_ns())
    if kind == "shm":
        seg.close()


def measure_stream(method, chan, size):
    """Median MB/s over SAMPLES samples of ~0.1 s, one warm child per cell,
    a warm-up sample discarded, timed from the first send (parent clock) to
    the last receive (child clock; CLOCK_MONOTONIC is system-wide)."""
    ctx = mp.get_context(method)
    payload = b"y" * size
    ctl, cctl = ctx.Pipe()
    full = free = seg = None
    if chan == "pipe":
        a, b = ctx.Pipe()
        end, send = b, a.send_bytes
    elif chan in ("queue", "simplequeue"):
        q = ctx.Queue() if chan == "queue" else ctx.SimpleQueue()
        end, send = q, q.put
    else:
        slot = max(size, 1)
        seg = shared_memory.SharedMemory(create=True, size=SLOTS * slot, name="mpbench-xcheck-%d" % os.getpid())
        full, free = ctx.Semaphore(0), ctx.Semaphore(SLOTS)
        end = seg.name
        state = {"i": 0}

        def send(data):
            free.acquire()
            off = (state["i"] % SLOTS) * slot
            seg.buf[off:off + size] = data
            state["i"] += 1
            full.release()
    p = ctx.Process(target=sink, args=(chan, end, cctl, size, full, free))
    p.start()
    if seg is not None:
        ctl.recv()
        seg.unlink()

    def sample(n):
        if seg is not None:
            state["i"] = 0
        ctl.send(n)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(payload)
        return ctl.recv() - t0

    n = 16
    d = sample(n)  # warm-up, and the first guess of the rate
    while d < 50_000_000:
        n = max(n * 2, int(n * 100_000_000 / max(d, 1)))
        d = sample(n)
    rates = [n * size / sample(n) * 1e3 for _ in range(SAMPLES)]  # MB/s = 1e6 B/s
    ctl.send(None)
    p.join()
    if seg is not None:
        seg.close()
    return statistics.median(rates)


def fmt_size(n):
    for unit, mult in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n % mult == 0 and n >= mult:
            return "%d%s" % (n // mult, unit)
    return "%dB" % n


def main():
    cores = int(sys.argv[1])
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
    for m in ("fork", "spawn", "forkserver"):
        v = measure_startup(m)
        print("BenchmarkStartup/impl=cpython/method=%s/chan=simplequeue/rss=0/cores=%d %.0f ns/op" % (m, cores, v), flush=True)
    for m in ("fork", "spawn", "forkserver"):
        for ch in ("pipe", "simplequeue", "queue", "shm"):
            for size in (64, 64 << 10, 1 << 20):
                v = measure_stream(m, ch, size)
                print("BenchmarkStream/impl=cpython/method=%s/chan=%s/size=%s/cores=%d %.1f MB/s" % (m, ch, fmt_size(size), cores, v), flush=True)


if __name__ == "__main__":
    main()
