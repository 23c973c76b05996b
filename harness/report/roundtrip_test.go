package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// TestRoundTripAcrossCores: where the report compares round trips across
// CPU sets (section Hosts and cores, the CPU-set bullets of Small
// messages) it uses the p50, the metric of the figures and of the key
// figure's panel (f), and names it; the tables of a sample's mean say so.
// Here a tail makes the mean at cores=1 larger than at cores=2 while the
// p50 is smaller: the two metrics disagree on the direction.
func TestRoundTripAcrossCores(t *testing.T) {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\nUnit ns/op better=lower\nUnit p50-ns better=lower\n")
	for k := 1; k <= 6; k++ {
		fmt.Fprintf(&b, "run: %d\n", k)
		// a cell without percentiles, at a size the sections do not compare
		b.WriteString("BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=4KiB/cores=1 100 4e4 ns/op\n")
		for _, c := range []struct {
			cores     int
			mean, p50 float64
		}{{1, 33e3, 17.6e3}, {2, 20e3, 19.9e3}} {
			for i := 0; i < 2; i++ {
				x := 1 + 0.01*float64(k+i)
				fmt.Fprintf(&b, "BenchmarkPingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=%d 100 %g ns/op %g p50-ns\n", c.cores, c.mean*x, c.p50*x)
			}
		}
	}
	r, err := view.Parse([]byte(b.String()), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	d := newData([]*view.Run{r})
	g := &Guide{Impl: "cpython", Cores: 2}
	cores := d.evalCores(r, g, nil)
	if cores == nil {
		t.Fatal("no Hosts and cores block for two CPU sets")
	}
	if !strings.Contains(cores.Table, "p50 round trip") || !strings.Contains(cores.Table, "1.13×") || strings.Contains(cores.Table, "0.60") ||
		!strings.Contains(cores.Method, "p50 round trip (the median of the round trips within a sample") {
		t.Errorf("Hosts and cores does not compare the p50:\n%s\n%s", cores.Method, cores.Table)
	}
	small := d.evalSmall(r, g, nil)
	if small == nil {
		t.Fatal("no Small messages block")
	}
	if !strings.Contains(small.Table, "mean round trip") {
		t.Errorf("the Small messages table of ns/op does not say it is the mean:\n%s", small.Table)
	}
	if got := strings.Join(small.Change, "\n"); !strings.Contains(got, "The CPU set: shm's p50 round trip at cores=2 is 1.13×") {
		t.Errorf("the CPU-set bullet is not the p50 of Hosts and cores:\n%s", got)
	}
	// Cells without percentiles (older runs) compare the mean, and say so.
	shm := d.find(r, bench.Cell{Workload: "pingpong", Impl: "cpython", Method: "fork", Chan: "shm", Size: 64, Cores: 1})
	old := d.find(r, bench.Cell{Workload: "pingpong", Impl: "cpython", Method: "fork", Chan: "pipe", Size: 4096, Cores: 1})
	if shm == nil || old == nil {
		t.Fatal("fixture cells not found")
	}
	if u := rttUnit(shm, nil); u != "p50-ns" || rttName(u) != "p50 round trip" {
		t.Errorf("rttUnit of a cell with p50 = %s, want p50-ns", u)
	}
	if u := rttUnit(shm, old); u != "ns/op" || rttName(u) != "mean round trip" {
		t.Errorf("rttUnit with a cell without p50 = %s (%s), want ns/op", u, rttName(u))
	}
}
