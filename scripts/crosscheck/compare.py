"""Compare mpbench medians with the independent measurement.

Usage: python3 compare.py RAW.bench INDEPENDENT.txt
For each cell in INDEPENDENT.txt, takes the median of the same metric in
RAW.bench and prints the ratio; exits 1 unless ≥ 80% agree within ×1.5.
"""
import statistics
import sys


def load_raw(path):
    vals = {}
    for line in open(path):
        f = line.split()
        if not f or not f[0].startswith("Benchmark"):
            continue
        for i in range(2, len(f) - 1, 2):
            vals.setdefault((f[0], f[i + 1]), []).append(float(f[i]))
    return vals


def main():
    raw = load_raw(sys.argv[1])
    ok = total = 0
    for line in open(sys.argv[2]):
        name, value, unit = line.split()
        got = raw.get((name, unit))
        if not got:
            print("%-80s missing in raw.bench" % name)
            continue
        m = statistics.median(got)
        ratio = m / float(value)
        agree = 1 / 1.5 <= ratio <= 1.5
        ok += agree
        total += 1
        print("%-80s mpbench %12.1f  independent %12.1f %-6s ratio %.2f %s" % (name, m, float(value), unit, ratio, "" if agree else "DISAGREE"))
    share = ok / total if total else 0
    print("agree within x1.5: %d/%d = %.0f%%" % (ok, total, 100 * share))
    sys.exit(0 if share >= 0.8 else 1)


if __name__ == "__main__":
    main()
