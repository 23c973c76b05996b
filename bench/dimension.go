package bench

import (
	"fmt"
	"time"
)

// Dimension is the profile of the dimensioning experiment (Kalibera and
// Jones, "Rigorous benchmarking in reasonable time", ISMM 2013): a fixed
// set of representative cells (DimensionBase), each measured at every
// replication setting of DimensionBenchtimes × DimensionCounts, so that
// the within-run and the between-run variance of each workload, and the
// cost of a program run, are measured at each setting. Every (cell,
// setting) is a cell of its own (the settings are name keys, see
// Cell.Settings), so the runner interleaves all of them in its rounds
// and raw.bench keeps one record per program run. `mpbench dimension`
// analyses such a run.
const Dimension = "dimension"

// The replication settings of the dimension profile. Benchtime sizes
// pingpong and stream samples only: startup and pool cells vary the count.
var (
	DimensionBenchtimes = []time.Duration{25 * time.Millisecond, 100 * time.Millisecond, 400 * time.Millisecond}
	DimensionCounts     = []int{2, 5}
)

// DimensionBase are the representative cells of the dimension profile:
// every workload, native and cpython, cores 1 and 2, the common cases and
// cells whose run medians fell into two groups (bimodal) in the published
// full run of 2026-11-26 (marked "bimodal"). Their number is bounded by
// the time of the profile (about 40 minutes on a 2-vCPU machine by the
// harness's estimate: a pingpong or stream cell at all six settings costs
// about ten times a startup or pool cell at its two); the trimmed cells
// are the 4 KiB sizes, pypy and torch, and the rss sweep beyond 256 MiB.
var DimensionBase = mustParseAll(
	// startup: one sample is one start; fork, forkserver, spawn and a big parent.
	"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1", // bimodal
	"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=2",
	"Startup/impl=native/method=forkserver/chan=pipe/rss=0/cores=2",
	"Startup/impl=native/method=spawn/chan=pipe/rss=0/cores=1", // bimodal
	"Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1",
	"Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2",
	"Startup/impl=cpython/method=fork/chan=pipe/rss=256MiB/cores=2",
	"Startup/impl=cpython/method=forkserver/chan=pipe/rss=0/cores=2",
	"Startup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=1", // bimodal
	"Startup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=2", // bimodal
	// pingpong: small messages over every channel kind, one large.
	"Pingpong/impl=native/method=fork/chan=queue/size=64B/cores=2", // bimodal
	"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1",
	"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=2",
	"Pingpong/impl=native/method=fork/chan=shm/size=64B/cores=2", // bimodal
	"Pingpong/impl=cpython/method=spawn/chan=pipe/size=64B/cores=2",
	"Pingpong/impl=cpython/method=fork/chan=simplequeue/size=64B/cores=2", // bimodal
	"Pingpong/impl=cpython/method=fork/chan=queue/size=64B/cores=1",       // bimodal
	"Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=1",
	"Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2", // bimodal
	"Pingpong/impl=cpython/method=fork/chan=pipe/size=64KiB/cores=2",
	"Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=1",
	"Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=2", // bimodal
	// stream: small, medium and large messages over pipe, shm and queue.
	"Stream/impl=native/method=fork/chan=pipe/size=64KiB/cores=1",
	"Stream/impl=native/method=fork/chan=pipe/size=64KiB/cores=2",
	"Stream/impl=native/method=fork/chan=shm/size=1MiB/cores=2",
	"Stream/impl=cpython/method=fork/chan=queue/size=1MiB/cores=2",
	"Stream/impl=cpython/method=fork/chan=pipe/size=64B/cores=1", // bimodal
	"Stream/impl=cpython/method=fork/chan=pipe/size=64KiB/cores=1",
	"Stream/impl=cpython/method=fork/chan=pipe/size=64KiB/cores=2",
	"Stream/impl=cpython/method=fork/chan=pipe/size=1MiB/cores=2", // bimodal
	"Stream/impl=cpython/method=fork/chan=shm/size=64KiB/cores=2", // bimodal
	"Stream/impl=cpython/method=fork/chan=shm/size=16MiB/cores=2",
	// pool: one sample is one map; cpu tasks at 1 and 2 workers, sleep tasks, multiprocessing.Pool.
	"Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1",
	"Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2",
	"Pool/impl=cpython/method=fork/exec=loop/chan=simplequeue/workers=1/tasks=8/task=cpu/cores=1",
	"Pool/impl=cpython/method=fork/exec=loop/chan=simplequeue/workers=2/tasks=16/task=cpu/cores=2",
	"Pool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=sleep/cores=2",
	"Pool/impl=cpython/method=fork/exec=pool/workers=1/tasks=8/task=cpu/cores=2", // bimodal
	"Pool/impl=cpython/method=spawn/exec=pool/workers=2/tasks=16/task=cpu/cores=2",
	"Pool/impl=native/method=fork/exec=loop/chan=simplequeue/workers=2/tasks=16/task=sleep/cores=2",
)

// DimensionSettings are the settings a base cell is measured at.
func DimensionSettings(base Cell) []Cell {
	var out []Cell
	bts := DimensionBenchtimes
	if base.Workload != Pingpong && base.Workload != Stream {
		bts = []time.Duration{0}
	}
	for _, bt := range bts {
		for _, n := range DimensionCounts {
			c := base
			c.Benchtime, c.Count = bt, n
			out = append(out, c)
		}
	}
	return out
}

// DimensionCells are the cells of the dimension profile: the base cells
// the selection keeps (cores above nproc left out), each at every setting.
func DimensionCells(sel Selection, nproc int) ([]Cell, error) {
	for _, n := range sel.Cores {
		if n > nproc {
			return nil, fmt.Errorf("%d cores exceed the %d CPUs of this machine", n, nproc)
		}
	}
	var out []Cell
	for _, b := range DimensionBase {
		if b.Cores <= nproc && sel.keeps(b) {
			out = append(out, DimensionSettings(b)...)
		}
	}
	return out, nil
}

// keeps reports whether a cell passes the selection's filters. A
// parameter filter concerns only the workloads that have the parameter;
// a chan filter keeps only executors with a chan (as in the full profile).
func (sel Selection) keeps(c Cell) bool {
	switch {
	case !in(sel.Impls, c.Impl), !in(sel.Methods, c.Method), !in(sel.Workloads, c.Workload),
		!in(sel.Cores, c.Cores), !in(sel.Chans, c.Chan):
		return false
	case c.Workload == Pool && (!in(sel.Execs, c.Exec) || !in(sel.Workers, c.Workers) || !in(sel.Tasks, c.Task)):
		return false
	case (c.Workload == Pingpong || c.Workload == Stream) && !in(sel.Sizes, c.Size):
		return false
	case c.Workload == Startup && !in(sel.RSS, c.RSS):
		return false
	}
	return true
}

// in reports whether v is in a selection's list (nil: no filter).
func in[T comparable](list []T, v T) bool {
	if list == nil {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func mustParseAll(names ...string) []Cell {
	out := make([]Cell, len(names))
	for i, n := range names {
		c, err := ParseName(n)
		if err != nil {
			panic(err)
		}
		out[i] = c
	}
	return out
}
