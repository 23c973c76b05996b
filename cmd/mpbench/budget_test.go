package main

import (
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
)

// budgetMargin is the share of the full profile's time budget its base
// runs may be estimated at: the rest is for the estimate's error (the
// model is fitted to recorded program runs, TestEstimateMatchesRecordedWalls)
// and for the adaptive runs. Only the adaptive runs are subject to the
// budget, so a plan whose base runs do not fit ends after it.
const budgetMargin = 0.9

// TestFullProfileFitsBudget: on the machine the defaults are made for
// (nproc = 2), the full profile's base runs — every cell's first runs and
// the decision cells' 12 — are estimated within budgetMargin of its time
// budget, as `mpbench list --profile full` computes them.
func TestFullProfileFitsBudget(t *testing.T) {
	cells, err := bench.Expand(bench.Selection{Profile: bench.Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	d := harness.ProfileDefaults(bench.Full)
	cfg := harness.Config{Cells: cells, Count: d.Count, Runs: d.Runs, MaxRuns: d.MaxRuns, Budget: d.Budget,
		Warmup: 1, Benchtime: d.Benchtime, Decision: decisionSet(cells, d.DecisionRuns), DecisionRuns: d.DecisionRuns}
	_, base := harness.Estimate(cfg)
	if limit := time.Duration(budgetMargin * float64(d.Budget)); base > limit {
		t.Errorf("full profile at nproc=2: %d cells, base runs estimated at %v, above %.0f%% of the %v budget (%v)",
			len(cells), base.Round(time.Second), budgetMargin*100, d.Budget, limit)
	}
}
