#!/bin/sh
# Reference measurements for mpbench's native implementation: plain C pipe
# ping-pong (64 B) at 1 core and 2 cores, single-core memcpy bandwidth of
# 1 MiB, and `perf bench sched pipe` when linux-perf is installed.
#
#     scripts/reference/run.sh [ROUNDTRIPS]
#
# Builds into a temporary directory (removed on exit); needs gcc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
gcc -O2 -Wall -o "$tmp/pipe_pingpong" "$here/pipe_pingpong.c"
gcc -O2 -Wall -o "$tmp/memcpy_bw" "$here/memcpy_bw.c"
ncpu=$(nproc)
echo "# $(uname -srm), $ncpu CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
for kind in pipe socketpair; do
	echo "$kind ping-pong 64B, cores=1 (taskset -c 0): $(taskset -c 0 "$tmp/pipe_pingpong" "$n" 64 $kind)"
	if [ "$ncpu" -ge 2 ]; then
		echo "$kind ping-pong 64B, cores=2 (taskset -c 0,1): $(taskset -c 0,1 "$tmp/pipe_pingpong" "$n" 64 $kind)"
	fi
done
echo "memcpy 1MiB, 1 core (taskset -c 0): $(taskset -c 0 "$tmp/memcpy_bw" 1048576 1)"
if command -v perf >/dev/null 2>&1; then
	echo "perf bench sched pipe, cores=1:"
	taskset -c 0 perf bench sched pipe -l "$n" 2>&1 | sed 's/^/    /'
	if [ "$ncpu" -ge 2 ]; then
		echo "perf bench sched pipe, cores=2:"
		taskset -c 0,1 perf bench sched pipe -l "$n" 2>&1 | sed 's/^/    /'
	fi
else
	echo "perf: not installed (optional: apt-get install linux-perf)"
fi
