package harness

import (
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// TestUsersEstimate: by the estimate model (fitted to recorded wall times,
// the users run among them), the users profile's runs (6 per cell, no
// adaptive runs) fit half an hour on a 2-CPU machine, and its memory cells cost more the bigger the parent and the
// more of it a child walks.
func TestUsersEstimate(t *testing.T) {
	const nproc = 2
	d := ProfileDefaults(bench.Users)
	if d.Runs != 6 || d.MaxRuns != d.Runs || d.DecisionRuns != 0 {
		t.Errorf("users defaults %+v: want 6 runs, no adaptive or decision runs", d)
	}
	cells, err := bench.Expand(bench.Selection{Profile: bench.Users}, nproc)
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := Estimate(Config{Cells: cells, Count: d.Count, Runs: d.Runs, MaxRuns: d.MaxRuns, Warmup: 1, Benchtime: d.Benchtime})
	t.Logf("users profile: %d cells, estimated %v", len(cells), exp.Round(time.Second))
	if exp > 30*time.Minute {
		t.Errorf("users profile: estimated %v > 30m", exp)
	}
	mem := func(touch string, rss int64) time.Duration {
		return EstimateCell(bench.Cell{Workload: bench.Memory, Impl: "cpython", Method: "fork", Touch: touch, RSS: rss, Workers: 2, Cores: 2}, 2, 1, d.Benchtime)
	}
	if !(mem(bench.TouchNone, 0) < mem(bench.TouchNone, 1<<30) && mem(bench.TouchNone, 1<<30) < mem(bench.TouchRead, 1<<30)) {
		t.Errorf("memory estimates: none/0 %v, none/1GiB %v, read/1GiB %v: want increasing", mem(bench.TouchNone, 0), mem(bench.TouchNone, 1<<30), mem(bench.TouchRead, 1<<30))
	}
}
