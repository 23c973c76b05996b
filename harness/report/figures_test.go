package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// figureByName returns the figure of d named name (nil: none).
func figureByName(d *Data, name string) *figure {
	for _, f := range d.Figures() {
		if f.name == name {
			return f
		}
	}
	return nil
}

// checkLegend requires of every panel what its legend shows: each series
// has a point (no entry for a series that does not exist), names are
// unique, and no two series share colour, marker and line style.
func checkLegend(t *testing.T, f *figure) {
	t.Helper()
	for _, p := range f.panels {
		names, styles := map[string]bool{}, map[string]string{}
		for _, s := range p.series {
			if s.empty() {
				t.Errorf("%s / %s: legend entry %q has no point", f.name, p.title, s.name)
			}
			if names[s.name] {
				t.Errorf("%s / %s: two series named %q", f.name, p.title, s.name)
			}
			names[s.name] = true
			dash := s.dash
			if s.noLine {
				dash = -1
			}
			key := fmt.Sprint(s.color%len(palette), s.shape%8, dash)
			if other, ok := styles[key]; ok {
				t.Errorf("%s / %s: %q and %q share colour, marker and line style", f.name, p.title, other, s.name)
			}
			styles[key] = s.name
		}
	}
}

// TestFiguresFullRun: the figures of the full-run fixture, every legend
// clean, and the key-findings figure with its six panels.
func TestFiguresFullRun(t *testing.T) {
	d := testData(t)
	figs := d.Figures()
	if len(figs) == 0 {
		t.Fatal("no figures for the full-run fixture")
	}
	for _, f := range figs {
		checkLegend(t, f)
		if strings.Contains(f.title, "CPython") && !strings.Contains(f.name, "cpython") && f.name != KeyFindingsName {
			t.Errorf("%s: title %q names CPython over a figure that is not of cpython alone", f.name, f.title)
		}
	}
	kf := figureByName(d, KeyFindingsName)
	if kf == nil {
		t.Fatal("no key-findings figure for a full run")
	}
	if figs[0].name != kf.name {
		t.Errorf("key-findings is not the first figure")
	}
	if len(kf.panels) != 6 {
		t.Fatalf("key-findings has %d panels, want 6", len(kf.panels))
	}
	for i, p := range kf.panels {
		if want := fmt.Sprintf("(%c)", 'a'+i); !strings.HasPrefix(p.title, want) {
			t.Errorf("panel %d title %q, want prefix %s", i, p.title, want)
		}
	}
	withData := map[int]bool{0: true, 1: true, 2: true, 3: true, 5: true} // the fixture has no CPython versions
	for i, p := range kf.panels {
		if got := len(p.series) > 0; got != withData[i] {
			t.Errorf("panel %s: has series %v, want %v (note %q)", p.title, got, withData[i], p.note)
		}
	}
	if n := kf.panels[4].note; n != "no CPython versions in this run" {
		t.Errorf("panel (e) note %q", n)
	}
	// (a): log₂ rss axis: 256 MiB at 8, 1 GiB at 10, rss 0 one step left.
	want := map[string]float64{"0": 7, "256MiB": 8, "1GiB": 10}
	for _, tk := range kf.panels[0].xticks {
		if w, ok := want[tk.Label]; ok && tk.Value != w {
			t.Errorf("(a) tick %s at %g, want %g", tk.Label, tk.Value, w)
		}
		delete(want, tk.Label)
	}
	if len(want) > 0 {
		t.Errorf("(a) ticks missing: %v", want)
	}
	if !kf.panels[2].logX || !kf.panels[2].logY {
		t.Errorf("(c) stream panel is not log–log")
	}
	if !strings.Contains(kf.panels[3].title, "strong scaling (tasks = 16)") {
		t.Errorf("(d) title %q does not state the fixture's scaling rule", kf.panels[3].title)
	}
	if !strings.Contains(kf.panels[5].title, "cores=1 vs cores=2") {
		t.Errorf("(f) title %q: a one-host run shows cores=1 vs cores=2", kf.panels[5].title)
	}
	// The title names what every panel shares, not an implementation or a
	// CPU set that (d) and (f) are not restricted to; the panels that are
	// restricted say to what, and (f) which round trip it plots.
	if strings.Contains(kf.title, "CPython") || strings.Contains(kf.title, "cores=") || !strings.Contains(kf.title, "per panel as labelled") {
		t.Errorf("key-findings title %q", kf.title)
	}
	for _, p := range kf.panels[:3] {
		if !strings.Contains(p.title, "cpython") || !strings.Contains(p.title, "cores=2") {
			t.Errorf("panel %q does not name its implementation and cores", p.title)
		}
	}
	if !strings.Contains(kf.panels[5].title, "round trip (p50)") {
		t.Errorf("(f) title %q does not name its metric", kf.panels[5].title)
	}
	// The start-up figure plots start + join, coloured by start method.
	st := figureByName(d, "startup-latency-cores2")
	if st == nil {
		t.Fatal("no startup-latency-cores2")
	}
	for _, p := range st.panels {
		if p.ylabel != "start + join per child (ms)" {
			t.Errorf("start-up figure y label %q", p.ylabel)
		}
		for _, s := range p.series {
			if s.color != view.Rank(bench.Methods, s.name) {
				t.Errorf("start-up series %q not coloured by its start method", s.name)
			}
		}
	}
}

// streamRaw is a raw.bench of stream cells (MB/s), one run each.
func streamRaw(cells map[bench.Cell]float64) string {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\n")
	for c, v := range cells {
		for k := 0; k < 6; k++ {
			fmt.Fprintf(&b, "run: %d\nBenchmark%s 1 1000 ns/op %g MB/s\n", k+1, c.Name(), v*(1+0.01*float64(k)))
		}
	}
	return b.String()
}

// TestStreamLegendNoPhantoms: the stream figure has a series for each
// channel × payload × method that has cells, no more: pipe with two
// payloads and queue with one give three series, each in its own colour.
func TestStreamLegendNoPhantoms(t *testing.T) {
	cells := map[bench.Cell]float64{}
	for _, size := range []int64{64, 65536} {
		for _, x := range []struct {
			ch, pay string
			v       float64
		}{{"pipe", "", 100}, {"pipe", "rawbytes", 300}, {"queue", "", 50}} {
			cells[bench.Cell{Workload: "stream", Impl: "cpython", Method: "fork", Chan: x.ch, Payload: x.pay, Size: size, Cores: 2}] = x.v * float64(size) / 64
		}
	}
	r, err := view.Parse([]byte(streamRaw(cells)), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	d := newData([]*view.Run{r})
	f := figureByName(d, "stream-throughput-cpython-cores2")
	if f == nil {
		t.Fatal("no stream figure")
	}
	checkLegend(t, f)
	var names []string
	for _, s := range f.panels[0].series {
		names = append(names, s.name)
		if s.name == "pipe (rawbytes) / fork" && s.pts[0].y < 250 {
			t.Errorf("pipe (rawbytes) plots %g MB/s at 64B: the bytes cell's value, not its own", s.pts[0].y)
		}
	}
	if got, want := strings.Join(names, ", "), "queue / fork, pipe / fork, pipe (rawbytes) / fork"; got != want {
		t.Errorf("series %s, want %s", got, want)
	}
	if strings.Contains(f.title, "CPython 3.11.7") != true {
		t.Errorf("title %q does not name the implementation plotted", f.title)
	}
}

// TestForkRoadCrossovers: both crossovers of a sweep where fork overtakes
// forkserver and then spawn are marked, each between the sweep points
// that bracket it on the log₂ axis.
func TestForkRoadCrossovers(t *testing.T) {
	d := guideRun(t, 1e6, 1.5e6) // fork 1, 4, 7, 10 ms; forkserver 1.5 ms; spawn 7.5 ms
	pn, capt, ok := d.forkRoadPanel(d.Runs[0], "cpython", "pipe", 2)
	if !ok {
		t.Fatal("no fork-in-the-road panel")
	}
	tests := []struct {
		label  string
		lo, hi float64 // axis positions that bracket it: rss 0 at 7, 256 MiB at 8, 512 MiB at 9, 1 GiB at 10
	}{{"fork = forkserver", 7, 8}, {"fork = spawn", 9, 10}}
	if len(pn.marks) != len(tests) {
		t.Fatalf("%d marks, want %d: %+v", len(pn.marks), len(tests), pn.marks)
	}
	for i, tt := range tests {
		m := pn.marks[i]
		if !strings.HasPrefix(m.label, tt.label+": ") || m.x <= tt.lo || m.x >= tt.hi {
			t.Errorf("mark %d: %q at %g, want %s in (%g, %g)", i, m.label, m.x, tt.label, tt.lo, tt.hi)
		}
		if m.style == pn.marks[1-i].style {
			t.Errorf("the two crossovers share a line style")
		}
	}
	if !strings.Contains(capt, "overtakes spawn's") || !strings.Contains(capt, "overtakes forkserver's") {
		t.Errorf("caption does not name both crossovers: %s", capt)
	}
}

// TestRSSAxis: rss on a log₂ axis, rss 0 one step left, values between
// sweep points placed linearly inside their segment.
func TestRSSAxis(t *testing.T) {
	ax := newRSSAxis([]int64{0, 64 << 20, 256 << 20})
	tests := []struct {
		bytes, want float64
	}{{0, 5}, {64 << 20, 6}, {256 << 20, 8}, {32 << 20, 5.5}, {160 << 20, 7}, {math.NaN(), math.NaN()}}
	for _, tt := range tests {
		got := ax.at(tt.bytes)
		if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("at(%g) = %g, want %g", tt.bytes, got, tt.want)
		}
	}
}

// TestStatPtRange: a cell with a CI plots it; one with too few runs plots
// the range of its run medians, marked as a range.
func TestStatPtRange(t *testing.T) {
	tests := []struct {
		name        string
		s           view.Stats
		lo, hi      float64
		rng, nanLoH bool
	}{
		{"ci", view.Stats{N: 6, Runs: 6, Median: 5, Lo: 4, Hi: 6, CIValid: true, RunMedians: []float64{3, 4, 5, 5, 6, 7}}, 4, 6, false, false},
		{"range", view.Stats{N: 3, Runs: 3, Median: 5, Lo: math.Inf(-1), Hi: math.Inf(1), RunMedians: []float64{3, 5, 8}}, 3, 8, true, false},
		{"one run", view.Stats{N: 1, Runs: 1, Median: 5, Lo: math.Inf(-1), Hi: math.Inf(1), RunMedians: []float64{5}}, 0, 0, false, true},
	}
	for _, tt := range tests {
		q := statPt(1, tt.s, 1)
		if q.rng != tt.rng || (tt.nanLoH != (math.IsNaN(q.lo) && math.IsNaN(q.hi))) || (!tt.nanLoH && (q.lo != tt.lo || q.hi != tt.hi)) {
			t.Errorf("%s: %+v", tt.name, q)
		}
	}
}

// TestScalingRule: the rule stated over a pool figure follows the cells.
func TestScalingRule(t *testing.T) {
	mk := func(wt ...int) []*view.Cell {
		var out []*view.Cell
		for i := 0; i < len(wt); i += 2 {
			out = append(out, &view.Cell{Cell: bench.Cell{Workload: "pool", Workers: wt[i], Tasks: wt[i+1]}})
		}
		return out
	}
	tests := []struct {
		cells []*view.Cell
		want  string
	}{
		{mk(1, 8, 2, 16, 4, 32), "weak scaling (tasks = 8 × workers)"},
		{mk(1, 16, 2, 16, 4, 16), "strong scaling (tasks = 16)"},
		{mk(1, 8, 2, 20), "tasks as each cell's name gives them"},
	}
	for _, tt := range tests {
		if got := scalingRule(tt.cells); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.cells, got, tt.want)
		}
	}
}

// TestKeyFindingsHosts: a report of two hosts shows them side by side in
// panel (f), a series per host.
func TestKeyFindingsHosts(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "hosts2")}
	if _, err := os.Stat(filepath.Join(dirs[0], view.RawFile)); err != nil {
		t.Skip("no two-host test data:", err)
	}
	for _, f := range []string{"pp", "pool", "stream", "startup-rss"} {
		dirs = append(dirs, filepath.Join("testdata", "hosts16", f))
	}
	var runs []*view.Run
	for _, dir := range dirs {
		r, err := view.Load(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	runs, err := MergeShards(runs)
	if err != nil {
		t.Fatal(err)
	}
	kf := newData(runs).keyFindings()
	if kf == nil || len(kf.panels) != 6 {
		t.Fatalf("key-findings of two hosts: %+v", kf)
	}
	checkLegend(t, kf)
	f := kf.panels[5]
	if !strings.HasPrefix(f.title, "(f) Hosts side by side") || len(f.series) != 2 {
		t.Fatalf("(f) %q with %d series, want the two hosts", f.title, len(f.series))
	}
	for i, host := range []string{"vm-amd-epyc-2c", "vm-intel-r-xeon-r-processor-16c"} {
		if !strings.HasPrefix(f.series[i].name, host+", cores=") || f.series[i].empty() {
			t.Errorf("(f) series %d: %q, want host %s with points", i, f.series[i].name, host)
		}
	}
}
