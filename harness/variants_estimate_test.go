package harness

import (
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// TestVariantsEstimate: by the estimate model (fitted to recorded wall
// times, TestEstimateMatchesRecordedWalls), the CPython versions take at
// most about 20 minutes and the libraries at most about 8, the program
// cells of the full profile (main weights, preloads) at most about 6, and
// the user cells (gather, cold pools, chunksize maps) at most about 4, on a
// 2-CPU machine; the full profile's base runs fit its time budget.
func TestVariantsEstimate(t *testing.T) {
	const nproc = 2
	d := ProfileDefaults(bench.Full)
	estCells := func(cells []bench.Cell) (time.Duration, time.Duration, int) {
		exp, minRuns := Estimate(Config{Cells: cells, Count: d.Count, Runs: d.Runs, MaxRuns: d.MaxRuns,
			Warmup: 1, Benchtime: d.Benchtime, Budget: d.Budget})
		return exp, minRuns, len(cells)
	}
	est := func(impls []string) (time.Duration, time.Duration, int) {
		cells, err := bench.Expand(bench.Selection{Profile: bench.Full, Impls: impls}, nproc)
		if err != nil {
			t.Fatal(err)
		}
		return estCells(cells)
	}
	full := bench.Selection{Profile: bench.Full}
	versions, err := bench.VersionCells(full, nproc)
	if err != nil {
		t.Fatal(err)
	}
	libraries, _ := bench.LibraryCells(full, nproc)
	program, _ := bench.ProgramCells(full, nproc)
	users, _ := bench.UserCells(full, nproc)
	for _, tc := range []struct {
		name  string
		cells []bench.Cell
		limit time.Duration
	}{
		{"versions", versions, 20 * time.Minute},
		{"libraries", libraries, 8 * time.Minute},
		{"program cells", program, 6 * time.Minute},
		{"user cells (gather, cold pools, chunksize maps)", users, 4 * time.Minute},
	} {
		exp, minRuns, n := estCells(tc.cells)
		t.Logf("%s: %d cells, estimated %v (min runs %v, ≤ %d runs per cell: %v)", tc.name, n,
			exp.Round(time.Second), minRuns.Round(time.Second), d.MaxRuns,
			(minRuns * time.Duration(d.MaxRuns) / time.Duration(d.Runs)).Round(time.Second))
		if exp > tc.limit {
			t.Errorf("%s: estimated %v > %v", tc.name, exp, tc.limit)
		}
	}
	exp, minRuns, n := est(bench.Impls)
	t.Logf("primary matrix: %d cells, estimated %v (min runs %v)", n, exp.Round(time.Second), minRuns.Round(time.Second))
	exp, minRuns, n = est(nil)
	t.Logf("full profile: %d cells, estimated %v (min runs %v, budget %v)", n, exp.Round(time.Second), minRuns.Round(time.Second), d.Budget)
	if minRuns > d.Budget {
		t.Errorf("full profile: base runs estimated %v, more than the time budget %v", minRuns, d.Budget)
	}
}
