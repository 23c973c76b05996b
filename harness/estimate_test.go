package harness

import (
	"strconv"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// TestEstimateMatchesRecordedWalls checks the estimate's cost model
// against the wall times a quiet machine recorded (the WALL line of each
// program run) in committed runs of this machine: the dimensioning run,
// a full-profile run and a users-profile run. Per workload and impl the
// sum of the estimates of the recorded program runs is within 30% of the
// sum of their walls (classes under a minute in all are not checked: their
// relative error does not matter), and within 15% over each whole run. It
// is a check of data, not a timing: the walls are read from the files.
func TestEstimateMatchesRecordedWalls(t *testing.T) {
	for _, dir := range []string{"../results/dimension-vm-2026-12-06", "../results/budget-vm-2026-12-06", "../results/users-vm-2026-12-06"} {
		f, err := rawbench.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		by, all := recordedVsEstimate(t, f)
		for k, s := range by {
			t.Logf("%s %s: estimate %v, recorded %v (%.2f)", dir, k, s.est.Round(time.Second), s.wall.Round(time.Second), float64(s.est)/float64(s.wall))
			if s.wall > time.Minute {
				checkEstimate(t, dir+" "+k, *s, 0.30)
			}
		}
		t.Logf("%s all: estimate %v, recorded %v", dir, all.est.Round(time.Second), all.wall.Round(time.Second))
		checkEstimate(t, dir+" all", all, 0.15)
	}
}

type estSums struct{ wall, est time.Duration }

// recordedVsEstimate sums the recorded walls of a run's program runs and
// their estimates (at the run's count, warm-up and benchtime), per
// workload/impl and in all.
func recordedVsEstimate(t *testing.T, f *rawbench.File) (map[string]*estSums, estSums) {
	count, _ := strconv.Atoi(f.ConfigValue("count"))
	bt, err := time.ParseDuration(f.ConfigValue("benchtime"))
	if err != nil || count == 0 {
		count, bt = 2, 25*time.Millisecond
	}
	by := map[string]*estSums{}
	var all estSums
	for _, rc := range f.Cells {
		c, err := bench.ParseName(rc.Name)
		if err != nil {
			t.Fatal(err)
		}
		k := c.Workload + "/" + bench.BaseImpl(c.Impl)
		if by[k] == nil {
			by[k] = &estSums{}
		}
		for _, r := range rc.Runs {
			if r.Wall == 0 {
				continue
			}
			est := EstimateCell(c, count, 1, bt)
			by[k].wall += r.Wall
			by[k].est += est
			all.wall += r.Wall
			all.est += est
		}
	}
	return by, all
}

func checkEstimate(t *testing.T, k string, s estSums, tol float64) {
	t.Helper()
	if s.wall == 0 {
		t.Fatalf("%s: no WALL lines", k)
	}
	if r := float64(s.est) / float64(s.wall); r < 1/(1+tol) || r > 1+tol {
		t.Errorf("%s: estimate %v for recorded %v (ratio %.2f, want within %.0f%%)", k, s.est.Round(time.Second), s.wall.Round(time.Second), r, tol*100)
	}
}
