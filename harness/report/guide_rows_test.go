package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// rawOf writes a raw.bench text of one sample per run: for each cell, its
// runs' values in unit (ns/op cells carry only ns/op; MB/s cells a fixed
// ns/op beside it).
func rawOf(cells map[string][]float64, unit string) string {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\nUnit ns/op better=lower\nUnit MB/s better=higher\n")
	for _, name := range sortedKeys(cells) {
		for k, v := range cells[name] {
			fmt.Fprintf(&b, "run: %d\n", k+1)
			if unit == "MB/s" {
				fmt.Fprintf(&b, "Benchmark%s 1 1000 ns/op %g MB/s\n", name, v)
			} else {
				fmt.Fprintf(&b, "Benchmark%s 1 %g ns/op\n", name, v)
			}
		}
	}
	return b.String()
}

// six is six runs around v (±3%).
func six(v float64) []float64 {
	var out []float64
	for k := 0; k < 6; k++ {
		out = append(out, v*(1+0.01*float64(k-3)))
	}
	return out
}

// guideOf computes the guide of a fake run.
func guideOf(t *testing.T, raw string) *Guide {
	t.Helper()
	r, err := view.Parse([]byte(raw), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	return newData([]*view.Run{r}).Guide(r)
}

// TestSmallMessagesModes: the small-message row never crowns an option
// whose lead rests on the modes of a cell's runs (the published cpython
// fork 64 B round trips: shm 13.7 µs in 4 runs and 48 µs in 2), crowns it
// where it leads in every mode, and counts the method × cores cells
// where another channel wins.
func TestSmallMessagesModes(t *testing.T) {
	bimodalShm := []float64{13.9e3, 13.6e3, 13.6e3, 50.5e3, 46.1e3, 13.7e3}
	bimodalPipe := []float64{47e3, 48e3, 47.5e3, 76e3, 75e3, 47.2e3}
	tests := []struct {
		name       string
		shm, pipe  []float64
		want       string
		chosen     bool
		coverage   string
		spawnPipe  float64 // spawn's pipe (spawn's shm: 30 µs)
		coverOther string
	}{
		{"winner bimodal", bimodalShm, bimodalPipe, "not decided: `shm` splits into modes 13.7 µs (4 of 6 runs) / 48.3 µs (2 of 6 runs)", false,
			"in 0 of 2 method × cores cells", 10e3, "faster: pipe at method=spawn, cores=2"},
		{"runner-up bimodal, lead in every mode", six(13.7e3), bimodalPipe, "`shm`", true, "in 1 of 2 method × cores cells", 10e3, "pipe at method=spawn"},
		{"no modes", six(13.7e3), six(47e3), "`shm`", true, "in 2 of 2 method × cores cells", 60e3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := map[string][]float64{
				"Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=2":   tt.shm,
				"Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2":  tt.pipe,
				"Pingpong/impl=cpython/method=spawn/chan=shm/size=64B/cores=2":  six(30e3),
				"Pingpong/impl=cpython/method=spawn/chan=pipe/size=64B/cores=2": six(tt.spawnPipe),
			}
			row := guideRowOf(guideOf(t, rawOf(cells, "ns/op")), bench.QSmallMessages)
			if row == nil {
				t.Fatal("no small-message row")
			}
			if !strings.HasPrefix(row.Choice, tt.want) || (row.Answer.Kind == Chosen) != tt.chosen {
				t.Errorf("choice %q (answer %v), want prefix %q, chosen %v", row.Choice, row.Answer, tt.want, tt.chosen)
			}
			if !strings.Contains(row.Coverage, tt.coverage) || !strings.Contains(row.Coverage, tt.coverOther) {
				t.Errorf("coverage %q, want %q and %q", row.Coverage, tt.coverage, tt.coverOther)
			}
			if !strings.HasPrefix(row.Cost, "method=fork, cores=2: ") {
				t.Errorf("cost %q does not lead with its method", row.Cost)
			}
		})
	}
}

// TestLargeMessagesPerSize: the large-message row states the leader at
// every size as the evaluation's stream table does (leadOf), the size from
// which the best leads, and shm's drop from its peak where it has one.
func TestLargeMessagesPerSize(t *testing.T) {
	tests := []struct {
		name                 string
		shm, pipe            [3]float64 // MB/s at 4KiB, 64KiB, 16MiB
		perSize, from, notIn string
		drop                 string
	}{
		{"pipe ahead at 4KiB", [3]float64{400, 8000, 2000}, [3]float64{600, 800, 900},
			"4KiB `pipe`, 64KiB–16MiB `shm`", "at ≥ 64KiB shm leads", "at ≥ 4KiB", "falls from 7.96 GB/s [7.76, 8.16] at 64KiB to 1.99 GB/s [1.94, 2.04] at 16MiB (64KiB/16MiB = 4.00×"},
		{"not decided at 4KiB", [3]float64{600, 8000, 9000}, [3]float64{600, 800, 900},
			"4KiB not decided, 64KiB–16MiB `shm`", "at ≥ 64KiB shm leads", "falls from", ""},
		{"shm ahead everywhere", [3]float64{1200, 8000, 9000}, [3]float64{600, 800, 900},
			"4KiB–16MiB `shm`", "at ≥ 4KiB shm leads", "falls from", ""},
	}
	sizes := []string{"4KiB", "64KiB", "16MiB"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := map[string][]float64{}
			for i, sz := range sizes {
				cells["Stream/impl=cpython/method=fork/chan=shm/size="+sz+"/cores=2"] = six(tt.shm[i])
				cells["Stream/impl=cpython/method=fork/chan=pipe/size="+sz+"/cores=2"] = six(tt.pipe[i])
			}
			row := guideRowOf(guideOf(t, rawOf(cells, "MB/s")), bench.QLargeMessages)
			if row == nil {
				t.Fatal("no large-message row")
			}
			col := row.column()
			for _, want := range []string{tt.perSize, tt.from, tt.drop, "shm is this project's own ring over shared_memory"} {
				if !strings.Contains(col, want) {
					t.Errorf("column %q lacks %q", col, want)
				}
			}
			if strings.Contains(col, tt.notIn) {
				t.Errorf("column %q states %q", col, tt.notIn)
			}
		})
	}
}

// TestPoolRowLeadsWithStart: the pool row answers with the start method's
// cost per worker in maps of the decision pool (the makespans cannot show
// it), the same numbers as the Pools section, and keeps the executors'
// comparison second.
func TestPoolRowLeadsWithStart(t *testing.T) {
	tests := []struct {
		name               string
		fork, spawn        float64 // start+join (ns)
		choice, maps, exec string
	}{
		{"fork cheapest", 1e6, 40e6, "`fork`; the start method shows in the pool's start",
			"a worker's start+join (one Process, chan=pipe, rss=0) = fork 0.100, forkserver 0.500, spawn 4.00 maps of `fork` + pipe (exec=loop, 2 workers, 16 cpu tasks: 9.95 ms",
			"Executor and channel of the map: equal within ±5%"},
		{"spawn as cheap as fork", 1e6, 1.01e6, "equal within ±5%: `fork` and `spawn`; the start method",
			"= fork 0.100, spawn 0.101, forkserver 0.500 maps of `fork` + pipe", "Executor and channel of the map: equal within ±5%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells := map[string][]float64{
				"Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2":                               six(tt.fork),
				"Startup/impl=cpython/method=forkserver/chan=pipe/rss=0/cores=2":                         six(5e6),
				"Startup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=2":                              six(tt.spawn),
				"Pool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2":  six(10e6),
				"Pool/impl=cpython/method=spawn/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2": six(10.01e6),
			}
			r, err := view.Parse([]byte(rawOf(cells, "ns/op")), "raw.bench")
			if err != nil {
				t.Fatal(err)
			}
			r.Dir = t.TempDir()
			d := newData([]*view.Run{r})
			g := d.Guide(r)
			row := guideRowOf(g, bench.QLongLived)
			if row == nil {
				t.Fatal("no pool row")
			}
			// The Pools section states the same start costs in the same maps.
			if blk := d.evalPool(r, g, nil); blk == nil || !strings.Contains(strings.Join(blk.Change, "\n"), tt.maps) {
				t.Errorf("the Pools section does not state %q", tt.maps)
			}
			if !strings.Contains(row.Cost, "a worker's start+join (one Process, chan=pipe, rss=0: the start-up cells, not a pool)") || strings.Contains(row.Cost, "pool start") {
				t.Errorf("cost %q does not say what the start cost is", row.Cost)
			}
			for _, want := range []string{tt.choice, tt.maps, tt.exec} {
				if !strings.Contains(row.Choice, want) {
					t.Errorf("choice %q lacks %q", row.Choice, want)
				}
			}
			if !strings.HasPrefix(row.Choice, tt.choice) || strings.Contains(row.Choice, "needs about") {
				t.Errorf("choice %q does not lead with the start method", row.Choice)
			}
		})
	}
}

// TestLeadOf: the leader of one size as the tables and the guide state it.
func TestLeadOf(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want string
	}{
		{"decided", six(2000), six(1000), "`a`"},
		{"equal", six(1000), six(1001), "not decided"},
		{"three runs", six(2000)[:3], six(1000)[:3], "no CI"},
		{"none", nil, nil, "—"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []option
			if tt.a != nil {
				opts = []option{{"a", view.Summarize(tt.a)}, {"b", view.Summarize(tt.b)}}
			}
			if got := leadOf(opts, true); got != tt.want {
				t.Errorf("leadOf = %q, want %q", got, tt.want)
			}
		})
	}
}
