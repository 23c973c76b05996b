package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// TestSpeedupPtIsTheTablesRatio: a pool figure's speedup point is the
// ratio of the median makespans the Pools table shows (scaled by the task
// counts), also where the base cell's runs split into modes; its whisker
// holds the point: the ratio's CI where it contains it, else the range.
func TestSpeedupPtIsTheTablesRatio(t *testing.T) {
	for _, tc := range []struct {
		name string
		base []float64 // makespans of the 1-worker map (8 tasks), one per run
	}{
		{"one mode", []float64{15.8e6, 16e6, 16.1e6, 15.9e6, 16.2e6, 16e6, 15.7e6}},
		{"two modes", []float64{15.1e6, 15.2e6, 24.9e6, 15e6, 25.1e6, 15.1e6, 15.3e6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("goos: linux\nnproc: 2\nUnit ns/op better=lower\n")
			for k, v := range tc.base {
				fmt.Fprintf(&b, "run: %d\n", k+1)
				for i := 0; i < 2; i++ {
					fmt.Fprintf(&b, "BenchmarkPool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=2 1 %g ns/op\n", v*(1+0.001*float64(i)))
					fmt.Fprintf(&b, "BenchmarkPool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2 1 %g ns/op\n", 19e6*(1+0.01*float64(k-3))*(1+0.001*float64(i)))
				}
			}
			r, err := view.Parse([]byte(b.String()), "raw.bench")
			if err != nil {
				t.Fatal(err)
			}
			d := newData([]*view.Run{r})
			cell := func(w, n int) *view.Cell {
				c := d.find(r, bench.Cell{Workload: "pool", Impl: "cpython", Method: "fork", Exec: bench.ExecLoop, Chan: "pipe", Workers: w, Tasks: n, Task: "cpu", Cores: 2})
				if c == nil {
					t.Fatalf("no pool cell workers=%d", w)
				}
				return c
			}
			base, two := cell(1, 8), cell(2, 16)
			q := d.speedupPt(2, base, two)
			if want := 2 * d.Stat(base, "ns/op").Median / d.Stat(two, "ns/op").Median; math.Abs(q.y-want) > 1e-12 {
				t.Errorf("speedup %v, want the ratio of the medians %v", q.y, want)
			}
			if math.IsNaN(q.lo) || math.IsNaN(q.hi) || q.lo > q.y || q.hi < q.y {
				t.Errorf("whisker [%v, %v] (range %v) does not hold the point %v", q.lo, q.hi, q.rng, q.y)
			}
		})
	}
}
