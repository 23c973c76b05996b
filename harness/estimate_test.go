package harness

import (
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// TestEstimateMatchesRecordedWalls checks the estimate's cost model
// against the wall times a quiet machine recorded: per workload and impl
// of the committed dimensioning run, the sum of the estimates of its
// program runs is within 30% of the sum of their WALL lines, and within
// 15% over the whole run. It is a check of data, not a timing: the walls
// are read from the file.
func TestEstimateMatchesRecordedWalls(t *testing.T) {
	f, err := rawbench.ReadDir("../results/dimension-vm-2026-12-06")
	if err != nil {
		t.Fatal(err)
	}
	type sums struct{ wall, est time.Duration }
	by := map[string]*sums{}
	var all sums
	for _, rc := range f.Cells {
		c, err := bench.ParseName(rc.Name)
		if err != nil {
			t.Fatal(err)
		}
		k := c.Workload + "/" + c.Impl
		if by[k] == nil {
			by[k] = &sums{}
		}
		for _, r := range rc.Runs {
			if r.Wall == 0 {
				continue
			}
			est := EstimateCell(c, 2, 1, 25*time.Millisecond)
			by[k].wall += r.Wall
			by[k].est += est
			all.wall += r.Wall
			all.est += est
		}
	}
	check := func(k string, s sums, tol float64) {
		if s.wall == 0 {
			t.Fatalf("%s: no WALL lines", k)
		}
		if r := float64(s.est) / float64(s.wall); r < 1/(1+tol) || r > 1+tol {
			t.Errorf("%s: estimate %v for recorded %v (ratio %.2f, want within %.0f%%)", k, s.est.Round(time.Second), s.wall.Round(time.Second), r, tol*100)
		}
	}
	for k, s := range by {
		if k == "startup/native" {
			continue // a few seconds in all: their relative error does not matter
		}
		check(k, *s, 0.30)
	}
	check("all", all, 0.15)
}
