package impl

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// The definitions every implementation computes the same way, and the one
// Go copy of each: percentiles, pool parallelism, efficiency, overhead,
// the ideal makespan and the memory of a process (SmapsRollup). Go code
// (the native implementation, the estimates, the report's figures) calls
// these functions rather than restating them. The Python measured program
// has its own copy in impl/python/mpcore.py, because it must compute them
// itself; the conformance test (impl/conformance) checks that both agree
// with these functions.

// Percentile is the nearest-rank percentile of sorted (ascending) values:
// x[ceil(q·n) − 1], clamped to the first and last element, so that the
// p99 of 1..100 is 99 and the p50 of 1..100 is 50. It panics on an empty
// slice.
func Percentile[T cmp.Ordered](sorted []T, q float64) T {
	n := len(sorted)
	k := int(math.Ceil(q * float64(n)))
	return sorted[min(max(k, 1), n)-1]
}

// PoolParallelism is the number of tasks of a pool map that can run at
// the same time: min(workers, tasks, cores) for CPU tasks; a sleeping
// task needs no CPU, so min(workers, tasks) for sleep tasks.
func PoolParallelism(workers, tasks, cores int, cpu bool) int {
	p := min(workers, tasks)
	if cpu {
		p = min(p, cores)
	}
	return max(p, 1)
}

// CellParallelism is the PoolParallelism of a pool cell: its workers,
// tasks and cores, CPU-bound unless its task sleeps (cpu and tiny tasks
// run on a core).
func CellParallelism(c bench.Cell) int {
	return PoolParallelism(c.Workers, c.Tasks, c.Cores, c.Task != "sleep")
}

// PoolEfficiency is Σ measured task time / (parallelism × makespan), where
// each worker measures each task around its body: CPU time of the
// worker's thread for a cpu task (a task waiting for a core does not
// count the wait), wall time for a sleep task. 1
// when the pool keeps every usable worker busy with task bodies for the
// whole map, less for the pool's own overhead. Above 1 only by
// measurement error; the report flags values above 1.05.
func PoolEfficiency(taskNs, makespanNs float64, parallelism int) float64 {
	if makespanNs <= 0 || parallelism < 1 {
		return 0
	}
	return taskNs / (float64(parallelism) * makespanNs)
}

// PoolOverhead is the part of a pool map's makespan beyond its ideal:
// makespan − ceil(tasks / parallelism) × (taskNs / tasks), with taskNs the
// Σ measured task time (as for PoolEfficiency) and parallelism
// PoolParallelism. The ideal is the makespan of the same tasks, as the
// workers timed them, dealt in rounds of parallelism with nothing in
// between: what remains is what the pool itself costs (dispatch, results,
// waking workers) plus any imbalance. 0 for a perfect pool; below 0 only
// by measurement error.
func PoolOverhead(taskNs, makespanNs float64, tasks, parallelism int) float64 {
	if tasks < 1 || parallelism < 1 {
		return 0
	}
	return makespanNs - float64(PoolRounds(tasks, parallelism))*taskNs/float64(tasks)
}

// PoolRounds is the number of rounds of a pool map in which every usable
// worker runs one task: ceil(tasks / parallelism), with parallelism
// PoolParallelism (at least 1).
func PoolRounds(tasks, parallelism int) int {
	return (tasks + parallelism - 1) / parallelism
}

// IdealMakespan is the shortest possible map of a pool cell with tasks of
// their nominal duration d (bench.CPUTaskMicros for cpu tasks,
// bench.SleepTaskMillis for sleep tasks): PoolRounds(tasks, P) × d, with P
// the cell's CellParallelism. Time estimates use it; the overhead metric
// measures against the task durations the workers measured instead
// (PoolOverhead). Zero for other workloads and for tiny tasks (an empty
// body).
func IdealMakespan(c bench.Cell) time.Duration {
	if c.Workload != "pool" || c.Workers < 1 || c.Tasks < 1 || c.Task == bench.TinyTask {
		return 0
	}
	d := time.Duration(bench.CPUTaskMicros) * time.Microsecond
	if c.Task == "sleep" {
		d = time.Duration(bench.SleepTaskMillis) * time.Millisecond
	}
	return d * time.Duration(PoolRounds(c.Tasks, CellParallelism(c)))
}

// SmapsRollup reads the memory of one process from the text of its
// /proc/<pid>/smaps_rollup: pss = the Pss line (a page mapped by k
// processes counts 1/k), uss = Private_Clean + Private_Dirty (the pages
// only this process maps: what its exit frees), in bytes (the kernel
// prints kB, 1024 bytes). The memory workload reports, per sample, the
// mean pss and uss over its worker children and the sum of their pss
// (pss-B, uss-B, pool-pss-B); uss ≤ pss always. Python's copy:
// mpcore.parse_smaps_rollup.
func SmapsRollup(text string) (pss, uss int64, err error) {
	vals := map[string]int64{}
	for _, line := range strings.Split(text, "\n") {
		k, rest, ok := strings.Cut(line, ":")
		if !ok || (k != "Pss" && k != "Private_Clean" && k != "Private_Dirty") {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, 0, fmt.Errorf("smaps_rollup: %q has no value", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("smaps_rollup: %q: %w", line, err)
		}
		vals[k] = n * 1024
	}
	for _, k := range []string{"Pss", "Private_Clean", "Private_Dirty"} {
		if _, ok := vals[k]; !ok {
			return 0, 0, fmt.Errorf("smaps_rollup: no %s line", k)
		}
	}
	return vals["Pss"], vals["Private_Clean"] + vals["Private_Dirty"], nil
}
