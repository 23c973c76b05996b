package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// synthRuns writes the program runs of one cell with a known structure:
// run k's samples lie symmetrically around the centre μ·(1 + between·e_k),
// e the normal quantiles of n points scaled to mean 0 and SD 1, with a
// pooled within-run SD of μ·within; so the per-run medians are the centres
// (their SD relative to their median is exactly between), √MSW / mean is
// exactly within, and every run took wall.
func synthRuns(b *strings.Builder, name string, n, count int, mu, between, within float64, wall time.Duration) {
	e := make([]float64, n)
	ss := 0.0
	for i := range e {
		e[i] = math.Sqrt2 * math.Erfinv(2*(float64(i)+0.5)/float64(n)-1)
		ss += e[i] * e[i]
	}
	m := float64(count-1) / 2
	sj := 0.0
	for j := 0; j < count; j++ {
		sj += (float64(j) - m) * (float64(j) - m)
	}
	c := 0.0
	if count > 1 {
		c = within * mu / math.Sqrt(sj/float64(count-1))
	}
	for k := 0; k < n; k++ {
		centre := mu * (1 + between*e[k]/math.Sqrt(ss/float64(n-1)))
		fmt.Fprintf(b, "run: %d\n", k+1)
		for j := 0; j < count; j++ {
			fmt.Fprintf(b, "Benchmark%s 1 %.6f ns/op\n", name, centre+(float64(j)-m)*c)
		}
		if wall > 0 {
			fmt.Fprintf(b, "--- WALL: Benchmark%s: run %d took %v\n", name, k+1, wall)
		}
	}
}

// dimDesign are the settings of the synthetic pingpong cells: between-run
// CV and wall time per run, chosen so that each precision has a different
// cheapest setting.
var dimDesign = []struct {
	count   int
	bt      time.Duration
	between float64
	wall    time.Duration
}{
	{2, 25 * time.Millisecond, 0.30, 100 * time.Millisecond},
	{5, 25 * time.Millisecond, 0.25, 150 * time.Millisecond},
	{2, 100 * time.Millisecond, 0.09, 250 * time.Millisecond},
	{5, 100 * time.Millisecond, 0.05, 450 * time.Millisecond},
	{2, 400 * time.Millisecond, 0.06, 900 * time.Millisecond},
	{5, 400 * time.Millisecond, 0.03, 2100 * time.Millisecond},
}

const dimWithin = 0.04

// synthDimension is a raw.bench of a dimension run: three pingpong cells
// at the settings of dimDesign, a startup cell at counts 2 and 5, four
// stream cells of which one is ten times noisier, a failed cell and a
// cell with a single run.
func synthDimension() string {
	var b strings.Builder
	b.WriteString("profile: dimension\ncount: 2\nbenchtime: 25ms\nshuffle-seed: 7\nstart: 2026-12-01T00:00:00Z\nrun-end: 2026-12-01T00:40:00Z\n")
	for i, ch := range []string{"pipe", "queue", "shm"} {
		for _, s := range dimDesign {
			c := bench.Cell{Workload: "pingpong", Impl: "native", Method: "fork", Chan: ch, Size: 64, Cores: 1, Count: s.count, Benchtime: s.bt}
			synthRuns(&b, c.Name(), 12, s.count, 1000*float64(i+1), s.between, dimWithin, s.wall)
		}
	}
	for _, n := range []int{2, 5} {
		c := bench.Cell{Workload: "startup", Impl: "cpython", Method: "fork", Chan: "pipe", Cores: 2, Count: n}
		synthRuns(&b, c.Name(), 12, n, 3e6, 0.1, 0.2, time.Duration(200+50*n)*time.Millisecond)
	}
	for i, size := range []int64{64, 4 << 10, 64 << 10, 1 << 20} {
		c := bench.Cell{Workload: "stream", Impl: "native", Method: "fork", Chan: "pipe", Size: size, Cores: 2, Count: 2, Benchtime: 100 * time.Millisecond}
		between := 0.05
		if i == 3 {
			between = 0.5
		}
		synthRuns(&b, c.Name(), 12, 2, 5000, between, 0.01, 300*time.Millisecond)
	}
	b.WriteString("--- FAIL: BenchmarkPool/impl=native/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1/count=2: timeout after 1s\n")
	one := bench.Cell{Workload: "pool", Impl: "native", Method: "fork", Exec: "loop", Chan: "pipe", Workers: 1, Tasks: 8, Task: "cpu", Cores: 1, Count: 5}
	synthRuns(&b, one.Name(), 1, 5, 2e7, 0, 0.01, time.Second)
	return b.String()
}

func TestAnalyzeDimensionRecovers(t *testing.T) {
	f, err := view.Parse([]byte(synthDimension()), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	d, err := AnalyzeDimension(f, []DimTarget{{0.10, 0.75}, {0.05, 0.9}, {0.01, 0.9}, {0.005, 0.9}})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Walls || len(d.Problems) != 2 || len(d.Cells) != 3*len(dimDesign)+2+4 {
		t.Fatalf("walls %v, problems %v, %d cells", d.Walls, d.Problems, len(d.Cells))
	}
	near := func(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }
	for _, c := range d.Cells {
		if c.Base.Workload != "pingpong" {
			continue
		}
		for _, s := range dimDesign {
			if c.Setting != (DimSetting{s.count, s.bt}) {
				continue
			}
			if !near(c.BetweenSD, s.between, 1e-6) || !near(c.WithinCV, dimWithin, 1e-6) || c.Wall != s.wall || c.Runs != 12 {
				t.Errorf("%s %v: between SD %v within %v wall %v runs %d; want %v %v %v 12",
					c.Base.Name(), c.Setting, c.BetweenSD, c.WithinCV, c.Wall, c.Runs, s.between, dimWithin, s.wall)
			}
			// The robust between-run CV (IQR / 1.349) of normal quantiles is close to the SD.
			if !near(c.BetweenCV, s.between, 0.05) {
				t.Errorf("%s %v: robust between-run CV %v, want ≈ %v", c.Base.Name(), c.Setting, c.BetweenCV, s.between)
			}
			if want := stats.ExpectedHalfWidth(c.BetweenCV, 12); c.Predicted != want {
				t.Errorf("predicted half-width %v, want %v", c.Predicted, want)
			}
		}
	}
	want := map[string]string{ // workload / target → setting chosen ("": none within DimMaxRuns)
		"startup/±10% for 75% of cells":   "count=2", // same CV at both counts: the cheaper runs
		"startup/±5% for 90% of cells":    "count=2",
		"startup/±1% for 90% of cells":    "",
		"startup/±0.5% for 90% of cells":  "",
		"pingpong/±10% for 75% of cells":  "count=2 benchtime=100ms",
		"pingpong/±5% for 90% of cells":   "count=5 benchtime=100ms",
		"pingpong/±1% for 90% of cells":   "count=5 benchtime=400ms",
		"pingpong/±0.5% for 90% of cells": "",
		"stream/±10% for 75% of cells":    "count=2 benchtime=100ms", // the noisy cell is above the 75th percentile
		"stream/±5% for 90% of cells":     "",                        // and is the 90th
		"stream/±1% for 90% of cells":     "",
		"stream/±0.5% for 90% of cells":   "",
	}
	got := 0
	for _, ch := range d.Choices {
		key := ch.Workload + "/" + ch.Target.String()
		w, ok := want[key]
		if !ok {
			t.Errorf("unexpected choice %s", key)
			continue
		}
		got++
		if setting := map[bool]string{true: ch.Setting.String()}[ch.Found]; setting != w {
			t.Errorf("%s: chose %q, want %q", key, setting, w)
		}
		if ch.Found && ch.Need.Cost != time.Duration(ch.Need.Runs)*wallOf(d, ch.Workload, ch.Setting) {
			t.Errorf("%s: cost %v is not %d runs × the wall time", key, ch.Need.Cost, ch.Need.Runs)
		}
		if ch.Found && ch.Need.Share < ch.Target.Share {
			t.Errorf("%s: %v of the cells reach it at %d runs, fewer than asked", key, ch.Need.Share, ch.Need.Runs)
		}
	}
	if got != len(want) {
		t.Errorf("%d choices, want %d (the pool cells were not analysed)", got, len(want))
	}
	for _, ch := range d.Choices {
		if ch.Workload == "stream" && ch.Target.HalfWidth == 0.05 && (ch.BestShare != 0.75 || ch.BestSetting.Count != 2) {
			t.Errorf("stream ±5%%: best share %v at %v, want 0.75 (three of four cells)", ch.BestShare, ch.BestSetting)
		}
		// What ±0.5% would take: D (CV 5%) ≈ (1.96 · 1.2533 · 10)² ≈ 604 runs of 0.45 s beats
		// F (CV 3%) ≈ 218 runs of 2.1 s.
		if ch.Workload == "pingpong" && ch.Target.HalfWidth == 0.005 {
			runs := float64(stats.LargeRuns(0.05, 0.005))
			if math.Abs(float64(ch.Far.Runs)/runs-1) > 0.1 || ch.FarSetting != (DimSetting{5, 100 * time.Millisecond}) ||
				ch.Far.Cost != time.Duration(ch.Far.Runs)*450*time.Millisecond {
				t.Errorf("pingpong ±0.5%%: would take %+v at %v, want ≈ %v runs of 450ms at count=5 benchtime=100ms", ch.Far, ch.FarSetting, runs)
			}
		}
	}
	checkKJ(t, d)
}

func wallOf(d *Dimensioning, w string, s DimSetting) time.Duration {
	for _, r := range d.Rows {
		if r.Workload == w && r.Setting == s {
			return r.Wall
		}
	}
	return -1
}

// checkKJ: at benchtime 100ms, c_sample = (450 − 250) / 3 ms, c_run = 250 −
// 2 c_sample, and at count 5 σ²_w / σ²_b = w² / (b² − w²/5) (the ANOVA's
// between component excludes the within noise left in the run means).
func checkKJ(t *testing.T, d *Dimensioning) {
	t.Helper()
	sample := 200.0 / 3
	run := 250 - 2*sample
	ratio := dimWithin * dimWithin / (0.05*0.05 - dimWithin*dimWithin/5)
	for _, k := range d.KJ {
		if k.Workload != "pingpong" || k.Benchtime != 100*time.Millisecond {
			continue
		}
		if k.Cells != 3 || math.Abs(float64(k.SampleCost)/1e6-sample) > 1e-3 || math.Abs(float64(k.RunCost)/1e6-run) > 1e-3 ||
			math.Abs(k.Ratio-ratio) > 1e-6*ratio || math.Abs(k.Count-math.Sqrt(run/sample*ratio)) > 1e-6 {
			t.Errorf("KJ at 100ms: %+v; want c_run %vms c_sample %vms ratio %v r* %v", k, run, sample, ratio, math.Sqrt(run/sample*ratio))
		}
		return
	}
	t.Errorf("no Kalibera–Jones row for pingpong at 100ms: %+v", d.KJ)
}

// TestAnalyzeRunWithoutSettings: a run of another profile is analysed at
// its one count and benchtime; without wall times nothing is costed.
func TestAnalyzeRunWithoutSettings(t *testing.T) {
	var b strings.Builder
	b.WriteString("count: 2\nbenchtime: 25ms\n")
	c := bench.Cell{Workload: "pingpong", Impl: "native", Method: "fork", Chan: "pipe", Size: 64, Cores: 1}
	synthRuns(&b, c.Name(), 6, 2, 1000, 0.02, 0.01, 0)
	f, _ := view.Parse([]byte(b.String()), "raw.bench")
	if IsDimensionRun(f) {
		t.Error("a run without settings keys taken for a dimension run")
	}
	d, err := AnalyzeDimension(f, DimTargets)
	if err != nil {
		t.Fatal(err)
	}
	if d.Walls || len(d.Rows) != 1 || d.Rows[0].Setting != (DimSetting{2, 25 * time.Millisecond}) || len(d.KJ) != 0 {
		t.Fatalf("walls %v rows %+v kj %+v", d.Walls, d.Rows, d.KJ)
	}
	for _, ch := range d.Choices {
		if ch.Found {
			t.Errorf("%v chosen without a wall time", ch)
		}
	}
	if _, err := AnalyzeDimension(&view.Run{}, DimTargets); err == nil {
		t.Error("an empty run analysed")
	}
}

// TestDimensionReport: `mpbench report` of a dimension run writes the
// analysis (REPORT.md and its figure), text prints its tables, and the
// README block is written, found and replaced.
func TestDimensionReport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dim")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, view.RawFile), []byte(synthDimension()), 0o644)
	if err := Generate([]string{dir}, Options{Format: "md"}, nil); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	for _, want := range []string{"# Dimensioning", "](plots/dimensioning-cv.png)", "[.](./raw.bench)", "`Pool/impl=native", "timeout after 1s"} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if !regexp.MustCompile(`\| pingpong \| ±5% for 90% of cells +\| count=5 benchtime=100ms +\| +9 \| +4\.05 s \|`).Match(doc) {
		t.Errorf("REPORT.md lacks the choice for pingpong at ±5%%:\n%s", doc)
	}
	for _, ext := range []string{".svg", ".png"} {
		if _, err := os.Stat(filepath.Join(dir, "plots", DimFigure+ext)); err != nil {
			t.Error(err)
		}
	}
	var text bytes.Buffer
	if err := Generate([]string{dir}, Options{Format: "text"}, &text); err != nil || !strings.Contains(text.String(), "count=5 benchtime=100ms") {
		t.Errorf("text: %v\n%s", err, text.String())
	}
	if err := Generate([]string{dir, dir}, Options{Format: "md"}, nil); err == nil {
		t.Error("a dimension run reported together with another run")
	}

	f, _ := view.ReadDir(dir)
	d, _ := AnalyzeDimension(f, DimTargets)
	block, err := d.ReadmeBlock("results/dim", "docs/dimensioning.md", "mpbench dimension --readme README.md results/dim", "full 6 runs")
	if err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(readme, []byte("# x\n\n<!-- BEGIN generated:dimensioning -->\nplaceholder\n<!-- END generated:dimensioning -->\n\nrest\n"), 0o644)
	if err := UpdateReadmeDim(readme, block); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(readme)
	run, got, _, _, err := ReadmeDimBlock(data)
	if err != nil || run != "results/dim" || !bytes.Equal(got, block) || !strings.HasSuffix(string(data), "\n\nrest\n") ||
		!strings.Contains(string(got), "| pingpong | ") {
		t.Errorf("README after update (run %q, err %v):\n%s", run, err, data)
	}
}

// TestReadmeDimensioningBlock: README.md has the dimensioning block; when
// it names a run, it is what that run produces.
func TestReadmeDimensioningBlock(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Skip("no README.md")
	}
	run, block, _, _, err := ReadmeDimBlock(data)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if run == "" {
		return // the placeholder: no dimensioning run analysed yet
	}
	f, err := view.ReadDir(filepath.Join("../..", run))
	if err != nil {
		t.Fatalf("README.md names %s: %v", run, err)
	}
	d, err := AnalyzeDimension(f, DimTargets)
	if err != nil {
		t.Fatal(err)
	}
	_, defaults, _ := strings.Cut(string(block), "the profiles' settings when this was generated: ")
	defaults, _, _ = strings.Cut(defaults, ".\n")
	want, _ := d.ReadmeBlock(run, "docs/dimensioning.md", "mpbench dimension --readme README.md "+run, defaults)
	if !bytes.Equal(block, want) {
		t.Errorf("README.md's dimensioning block differs from what %s produces (run `mpbench dimension --readme README.md %s`)", run, run)
	}
}
