"""The reference for the driver's start-up: a minimal program
that starts a child over a Pipe, takes the time until the child's first
message arrives, as Startup/impl=cpython/method=M/chan=pipe/rss=0 does.

    python3 minimal_startup.py METHOD N [imports]

prints N result lines (after one warm-up start) under the name BenchmarkMinimal;
"imports" gives the parent the driver's extra imports (argparse, re, struct,
resource, threading, ctypes) to see whether the parent's image matters.
Compare medians of interleaved runs with the driver's cell (ratios only on
a busy machine).
"""
import multiprocessing as mp
import sys
import time


def child(c):
    c.send(b"\x01")
    c.recv()


if __name__ == "__main__":
    if len(sys.argv) > 3:
        import argparse, ctypes, re, resource, struct, threading  # noqa: F401,E401
    ctx = mp.get_context(sys.argv[1])
    n = int(sys.argv[2])
    for i in range(n + 1):
        a, b = ctx.Pipe()
        t0 = time.perf_counter_ns()
        p = ctx.Process(target=child, args=(b,), daemon=True)
        p.start()
        b.close()
        a.recv()
        t1 = time.perf_counter_ns()
        a.send(b"")
        p.join()
        if i:
            print("BenchmarkMinimal/method=%s 1 %d ns/op" % (sys.argv[1], t1 - t0))
