#!/usr/bin/env bash
# Issue #2's check: mpbench's CPython cells against an independent
# measurement (independent.py, written without the driver) in the same run.
# Usage: scripts/crosscheck/run.sh [OUT] [CORES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-results/tmp-crosscheck}
cores=${2:-2}
bin=${MPBENCH:-bin/mpbench}
$bin run --impl cpython --method fork,spawn,forkserver --chan simplequeue --workload startup --rss 0 \
  --cores "$cores" --count 10 --out "$out/startup"
$bin run --impl cpython --method fork,spawn,forkserver --chan pipe,simplequeue,queue,shm --workload stream \
  --size 64B,64KiB,1MiB --cores "$cores" --count 10 --out "$out/stream"
python3 "$here/independent.py" "$cores" > "$out/independent.txt"
cat "$out/startup/raw.bench" "$out/stream/raw.bench" > "$out/both.bench"
python3 "$here/compare.py" "$out/both.bench" "$out/independent.txt"
