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


def sink_pipe(conn, n, back):
    for _ in range(n):
        conn.recv_bytes()
    back.send(time.perf_counter_ns())


def sink_queue(q, n, back):
    for _ in range(n):
        q.get()
    back.send(time.perf_counter_ns())


def sink_shm(name, size, n, full, empty, back):
    seg = shared_memory.SharedMemory(name=name)
    back.send(0)
    for _ in range(n):
        full.acquire()
        bytes(seg.buf[:size])
        empty.release()
    back.send(time.perf_counter_ns())
    seg.close()


def measure_stream(method, chan, size):
    ctx = mp.get_context(method)
    payload = b"x" * size
    n = max(4, min(20000, (64 << 20) // max(size, 1)))
    rates = []
    for i in range(SAMPLES + 1):
        back_r, back_w = ctx.Pipe(duplex=False)
        if chan == "pipe":
            a, b = ctx.Pipe()
            p = ctx.Process(target=sink_pipe, args=(b, n, back_w))
            p.start()
            send = a.send_bytes
        elif chan in ("queue", "simplequeue"):
            q = ctx.Queue() if chan == "queue" else ctx.SimpleQueue()
            p = ctx.Process(target=sink_queue, args=(q, n, back_w))
            p.start()
            send = q.put
        else:
            seg = shared_memory.SharedMemory(create=True, size=max(size, 1), name="mpbench-xcheck-%d" % os.getpid())
            full, empty = ctx.Semaphore(0), ctx.Semaphore(1)
            p = ctx.Process(target=sink_shm, args=(seg.name, size, n, full, empty, back_w))
            p.start()
            back_r.recv()
            seg.unlink()

            def send(data, seg=seg, full=full, empty=empty):
                empty.acquire()
                seg.buf[:size] = data
                full.release()
        # The child is up (queue/pipe: give it a moment); time from the first send.
        time.sleep(0.05)
        t0 = time.perf_counter_ns()
        for _ in range(n):
            send(payload)
        t1 = back_r.recv()
        p.join()
        if chan == "shm":
            seg.close()
        if i:
            rates.append(n * size / (t1 - t0) * 1e3)  # MB/s = 1e6 B/s
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
