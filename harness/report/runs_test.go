package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// rawRuns writes a raw.bench text: for each run k of a cell, a `run: k`
// line and the samples of that run.
func rawRuns(cells map[string][][]float64, extra ...string) string {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\nUnit ns/op better=lower\n")
	for _, name := range sortedKeys(cells) {
		for k, run := range cells[name] {
			fmt.Fprintf(&b, "run: %d\n", k+1)
			for _, v := range run {
				fmt.Fprintf(&b, "Benchmark%s 1 %g ns/op\n", name, v)
			}
		}
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	return b.String()
}

// TestRunOffsetWidensCI: a fake measured program whose runs differ by a
// constant offset per process, with identical samples within a process.
// The CI over per-run medians must widen to cover the spread between the
// runs; the old method (every sample independent) gives a narrow interval
// that misses most runs.
func TestRunOffsetWidensCI(t *testing.T) {
	offsets := []float64{-20, -10, -5, 0, 5, 10, 15, 20}
	var runs [][]float64
	for _, o := range offsets {
		runs = append(runs, []float64{100 + o, 100 + o, 100 + o, 100 + o, 100 + o})
	}
	name := "Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1"
	r, err := view.Parse([]byte(rawRuns(map[string][][]float64{name: runs})), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	if !r.PerRun || len(r.Cells) != 1 {
		t.Fatalf("PerRun=%v cells=%d", r.PerRun, len(r.Cells))
	}
	d := newData([]*view.Run{r})
	s := d.Stat(r.Cells[0], "ns/op")
	if s.Runs != len(offsets) || s.N != 5*len(offsets) {
		t.Fatalf("runs=%d samples=%d", s.Runs, s.N)
	}
	if !s.CIValid || s.Lo > 90 || s.Hi < 115 {
		t.Errorf("CI over runs [%v, %v] does not cover the between-run spread 90..115", s.Lo, s.Hi)
	}
	if math.Abs(s.VarShare-1) > 1e-9 {
		t.Errorf("between-run share = %v, want 1 (no variance within a run)", s.VarShare)
	}
	_, plo, phi := stats.Pooled(runs)
	if phi-plo >= (s.Hi-s.Lo)/2 {
		t.Errorf("pooled CI [%v, %v] should be much narrower than the per-run CI [%v, %v]", plo, phi, s.Lo, s.Hi)
	}
	inside := 0
	for _, o := range offsets {
		if v := 100 + o; v >= plo && v <= phi {
			inside++
		}
	}
	if inside > len(offsets)/2 {
		t.Errorf("pooled CI covers %d of %d runs; the test would not show the difference", inside, len(offsets))
	}
	// The report lists the cell as dominated by between-run variance.
	found := false
	for _, w := range d.warningList() {
		if w.kind == "between-run variance dominates" && w.cell == name {
			found = true
		}
	}
	if !found {
		t.Error("no between-run warning for the cell")
	}
}

func TestOldFileEverySampleARun(t *testing.T) {
	in := "goos: linux\nBenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 10 ns/op\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 11 ns/op\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 12 ns/op\n"
	r, err := view.Parse([]byte(in), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	s := newData([]*view.Run{r}).Stat(r.Cells[0], "ns/op")
	if r.PerRun || s.Runs != 3 || !math.IsNaN(s.VarShare) {
		t.Errorf("PerRun=%v runs=%d share=%v; want false, 3, NaN", r.PerRun, s.Runs, s.VarShare)
	}
}

// TestStopNote: a cell flagged with a wide CI is marked with what ended
// its runs — the run cap or the time budget — whether the NOTE is in the
// current form or in the form of published files ("unstable: …", with
// " (time budget)" for the budget); a cell without such a NOTE is not
// marked.
func TestStopNote(t *testing.T) {
	name := "Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1"
	runs := [][]float64{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}, {11, 12}}
	for _, tc := range []struct {
		note, mark, warning string
	}{
		{"unstable: CI ±31% after 12 runs", "run cap: CI > ±5%", "CI wider than ±5%: stopped by the run cap"},
		{"unstable: CI ±31.0% after 6 runs (time budget)", "time budget: CI > ±5%", "CI wider than ±5%: stopped by the time budget"},
		{rawbench.StopNote(view.StopRunCap, "±31.0%", 12), "run cap: CI > ±5%", "CI wider than ±5%: stopped by the run cap"},
		{rawbench.StopNote(view.StopBudget, "±31.0%", 6), "time budget: CI > ±5%", "CI wider than ±5%: stopped by the time budget"},
		{"steal: nothing to do with stopping", "", ""},
	} {
		in := rawRuns(map[string][][]float64{name: runs}, "--- NOTE: Benchmark"+name+": "+tc.note)
		r, err := view.Parse([]byte(in), "raw.bench")
		if err != nil {
			t.Fatal(err)
		}
		c := r.Cells[0]
		d := newData([]*view.Run{r})
		got := d.inline(c, "ns/op", 1)
		if tc.mark == "" {
			if strings.Contains(got, "run cap") || strings.Contains(got, "time budget") || c.Stop != view.StopNone {
				t.Errorf("%q: inline %q, stop %q; want no stop mark", tc.note, got, c.Stop)
			}
			continue
		}
		if !strings.Contains(got, tc.mark) {
			t.Errorf("%q: inline = %q, want %q", tc.note, got, tc.mark)
		}
		other := map[string]string{"run cap: CI > ±5%": "time budget", "time budget: CI > ±5%": "run cap"}[tc.mark]
		if strings.Contains(got, other) || strings.Contains(got, "unstable") {
			t.Errorf("%q: inline = %q names another stop", tc.note, got)
		}
		tb := d.warningsTable()
		if tb == nil || !strings.Contains(fmt.Sprint(tb.Rows), tc.warning) {
			t.Errorf("%q: warnings table lacks %q: %v", tc.note, tc.warning, tb)
		}
	}
}

func TestCrossAt(t *testing.T) {
	rss := []int64{0, 100, 200, 300}
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		{"crosses between 100 and 200", []float64{1, 5, 15, 25}, []float64{10, 10, 10, 10}, 150},
		{"equal at a point, above after it", []float64{1, 10, 20, 30}, []float64{10, 10, 10, 10}, 100},
		{"never crosses", []float64{1, 2, 3, 4}, []float64{10, 10, 10, 10}, math.NaN()},
		{"above from the start", []float64{11, 12, 13, 14}, []float64{10, 10, 10, 10}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := crossAt(rss, tt.a, tt.b)
			if math.IsNaN(tt.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tt.want) > 1e-9) {
				t.Errorf("crossAt = %v, want %v", got, tt.want)
			}
		})
	}
}

// guideRun builds startup cells of cpython: fork grows with rss, forkserver
// and spawn stay flat, 6 runs each with a small run-to-run spread.
func guideRun(t *testing.T, forkAt0, forkserver float64) *Data {
	t.Helper()
	cells := map[string][][]float64{}
	add := func(method string, rss string, v float64) {
		var runs [][]float64
		for k := 0; k < 6; k++ {
			x := v * (1 + 0.01*float64(k-3))
			runs = append(runs, []float64{x, x * 1.001})
		}
		cells["Startup/impl=cpython/method="+method+"/chan=pipe/rss="+rss+"/cores=2"] = runs
	}
	for i, rss := range []string{"0", "256MiB", "512MiB", "1GiB"} {
		add("fork", rss, forkAt0*float64(1+3*i))
		add("forkserver", rss, forkserver)
		add("spawn", rss, 5*forkserver)
	}
	r, err := view.Parse([]byte(rawRuns(cells)), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	return newData([]*view.Run{r})
}

func TestGuide(t *testing.T) {
	tests := []struct {
		name             string
		fork, forkserver float64
		short            string  // choice of the short-lived row
		cross            float64 // crossover in MiB (NaN: none)
		ci               bool    // a bootstrap interval exists (≥ 95% of resamples cross)
	}{
		// fork 1, 4, 7, 10 ms at 0, 256, 512, 1024 MiB; forkserver 5.5 ms:
		// crosses between 256 (4) and 512 (7) MiB at 256 + 256·1.5/3 = 384 MiB.
		{"fork wins small, crossover", 1e6, 5.5e6, "`fork`", 384, true},
		// forkserver 0.9 ms below fork's 1 ms at rss=0: no crossover, forkserver everywhere.
		{"forkserver always", 1e6, 0.9e6, "`forkserver`", math.NaN(), false},
		// fork 1 ms vs forkserver 1.005 ms at rss=0: the ratio's CI lies inside
		// ±5%, equal; fork crosses almost at once (0.005/3 of 256 MiB ≈ 0.43 MiB).
		{"too close to call", 1e6, 1.005e6, "equal within ±5%: `fork` and `forkserver`", 256.0 * 0.005 / 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := guideRun(t, tt.fork, tt.forkserver)
			g := d.Guide(d.Runs[0])
			if len(g.Rows) == 0 || !strings.HasPrefix(g.Rows[0].Situation, "Many short-lived") {
				t.Fatalf("rows = %+v", g.Rows)
			}
			if g.Rows[0].Choice != tt.short {
				t.Errorf("short-lived choice = %q, want %q", g.Rows[0].Choice, tt.short)
			}
			got := g.Crossover / (1 << 20)
			if math.IsNaN(tt.cross) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tt.cross) > 1) {
				t.Errorf("crossover = %v MiB, want %v", got, tt.cross)
			}
			if tt.ci && (math.IsNaN(g.CrossLo) || g.CrossLo > g.Crossover || g.CrossHi < g.Crossover) {
				t.Errorf("crossover CI [%v, %v] does not hold %v", g.CrossLo, g.CrossHi, g.Crossover)
			}
			if !tt.ci && !math.IsNaN(g.CrossLo) {
				t.Errorf("crossover CI [%v, %v] given where too few resamples cross", g.CrossLo, g.CrossHi)
			}
			var b strings.Builder
			g.Markdown(&b)
			if !strings.Contains(b.String(), "| Parent with threads | not measured in this run |") {
				t.Errorf("without claims.bench the threads row must say it is not measured:\n%s", b.String())
			}
		})
	}
}

// TestReadmeHeadlineUpToDate fails when README.md's generated headline
// block differs from what its run's data produces (`make figures`).
func TestReadmeHeadlineUpToDate(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	run, block, _, _, err := ReadmeBlock(data)
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	want, err := Headline(filepath.Join("../..", run), run)
	if err != nil {
		t.Fatal(err)
	}
	if string(block) != string(want) {
		t.Errorf("README.md's headline block differs from what %s produces (run `make figures`)", run)
	}
}

func TestReadmeBlock(t *testing.T) {
	in := "a\n<!-- BEGIN generated:headline run=results/x -->\nold\n<!-- END generated:headline -->\nb\n"
	run, block, start, end, err := ReadmeBlock([]byte(in))
	if err != nil || run != "results/x" || !strings.HasPrefix(string(block), "<!-- BEGIN") || in[:start] != "a\n" || in[end:] != "b\n" {
		t.Errorf("run=%q block=%q start=%d end=%d err=%v", run, block, start, end, err)
	}
	if _, _, _, _, err := ReadmeBlock([]byte("no block")); err == nil {
		t.Error("missing block accepted")
	}
	if _, _, _, _, err := ReadmeBlock([]byte("<!-- BEGIN generated:headline run=x -->\nunclosed\n")); err == nil {
		t.Error("unclosed block accepted")
	}
}

func TestGuideThreadsFromClaims(t *testing.T) {
	d := guideRun(t, 1e6, 5.5e6)
	r := d.Runs[0]
	claims := "goos: linux\n" +
		"BenchmarkClaim/id=C7/case=held/lock=plain/method=fork 1 2e9 ns/op 1 deadlock 0 ok\n" +
		"BenchmarkClaim/id=C7/case=held/lock=plain/method=fork 1 2e9 ns/op 1 deadlock 0 ok\n" +
		"BenchmarkClaim/id=C7/case=held/lock=plain/method=spawn 1 5e7 ns/op 0 deadlock 1 ok\n" +
		"BenchmarkClaim/id=C7/case=nolock/lock=plain/method=fork 1 5e6 ns/op 0 deadlock 1 ok\n" +
		"BenchmarkClaim/id=C7/case=real/lock=plain/method=fork 1 5e6 ns/op 1 deadlock 0 ok\n" +
		"BenchmarkClaim/id=C7/case=real/lock=plain/method=fork 1 5e6 ns/op 0 deadlock 1 ok\n"
	if err := os.WriteFile(filepath.Join(r.Dir, "claims.bench"), []byte(claims), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Claims = true
	g := d.Guide(r)
	var row *GuideRow
	for i := range g.Rows {
		if g.Rows[i].Situation == "Parent with threads" {
			row = &g.Rows[i]
		}
	}
	if row == nil {
		t.Fatal("no threads row")
	}
	for _, want := range []string{"fork child deadlocked in 2 of 2 trials", "spawn child deadlocked in 0 of 1 trials", "in a loop, fork deadlocked in 1 of 2"} {
		if !strings.Contains(row.Cost, want) {
			t.Errorf("threads row %q lacks %q", row.Cost, want)
		}
	}
	if row.Choice != "not `fork`: `forkserver` or `spawn`" {
		t.Errorf("choice = %q", row.Choice)
	}
}

func TestUpdateReadme(t *testing.T) {
	d := guideRun(t, 1e6, 5.5e6)
	run := d.Runs[0].Dir
	if err := os.WriteFile(filepath.Join(run, view.RawFile), []byte(rawRunsOf(t, d)), 0o644); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join(t.TempDir(), "README.md")
	before, after := "# title\n\nintro\n\n", "\n## Next\n\ntext\n"
	old := "<!-- BEGIN generated:headline run=results/x -->\nstale numbers\n<!-- END generated:headline -->\n"
	if err := os.WriteFile(readme, []byte(before+old+after), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateReadme(readme, run, "results/x"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(readme)
	s := string(got)
	if !strings.HasPrefix(s, before) || !strings.HasSuffix(s, after) || strings.Contains(s, "stale numbers") {
		t.Errorf("README not rewritten in place:\n%s", s)
	}
	if !strings.Contains(s, "| Many short-lived children") || !strings.Contains(s, "run=results/x -->") {
		t.Errorf("block lacks the guide:\n%s", s)
	}
}

// rawRunsOf writes back the cells of guideRun as a raw.bench.
func rawRunsOf(t *testing.T, d *Data) string {
	t.Helper()
	cells := map[string][][]float64{}
	for _, c := range d.Runs[0].Cells {
		groups := c.ByRun("ns/op")
		cells[c.Name] = groups
	}
	return rawRuns(cells)
}

// choose states why a guide row has no winner: equal, modes, too wide a
// ratio CI (with the runs that would decide), too few runs.
func TestChooseOutcomes(t *testing.T) {
	steady := []float64{10, 10.1, 9.9, 10.05, 9.95, 10}
	scale := func(f float64, xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = f * x
		}
		return out
	}
	tests := []struct {
		name      string
		a, b      []float64
		want      string
		isDecided bool
	}{
		{"clear winner", steady, scale(2, steady), "`a`", true},
		{"equal", steady, scale(1.01, steady), "equal within ±5%: `a` and `b`", false},
		// The published cpython fork shm 64 B round trip (µs): two modes.
		{"bimodal", []float64{13.9, 13.6, 13.6, 50.5, 46.1, 13.7}, scale(3, steady), "not decided: `a`'s runs split into 2 modes (see its cost)", false},
		{"wide", []float64{6, 14, 9, 12, 8, 11}, []float64{7, 15, 10, 12.5, 8.5, 11.5}, "not decided between `a` and `b`: needs about", false},
		{"five runs", steady[:5], scale(2, steady[:5]), "no CI (5 and 5 runs): `a` and `b`", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			best, second, decided := pick([]option{{"a", view.Summarize(tt.a)}, {"b", view.Summarize(tt.b)}}, false)
			if best.label != "a" || decided != tt.isDecided {
				t.Fatalf("best %s decided %v, want a and %v", best.label, decided, tt.isDecided)
			}
			if got := choose(best, second, decided); !strings.HasPrefix(got, tt.want) {
				t.Fatalf("choose = %q, want prefix %q", got, tt.want)
			}
		})
	}
}

// TestPoolOverheadColumn: a pool table shows the overhead (median [CI] of
// overhead-ns/op) right after the makespan when its cells record it, and
// no such column for results written before the metric existed.
func TestPoolOverheadColumn(t *testing.T) {
	name := "Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=2"
	for _, withOverhead := range []bool{true, false} {
		var b strings.Builder
		b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\nUnit ns/op better=lower\n")
		for k := 1; k <= 6; k++ {
			fmt.Fprintf(&b, "run: %d\n", k)
			line := fmt.Sprintf("Benchmark%s 1 %d ns/op 900 tasks/s 0.9 efficiency", name, 17000000+1000*k)
			if withOverhead {
				line += fmt.Sprintf(" %d overhead-ns/op", 1000000+1000*k)
			}
			b.WriteString(line + "\n")
		}
		r, err := view.Parse([]byte(b.String()), "raw.bench")
		if err != nil {
			t.Fatal(err)
		}
		ts := newData([]*view.Run{r}).poolTables()
		if len(ts) != 1 || len(ts[0].Rows) != 1 {
			t.Fatalf("pool tables %v", ts)
		}
		tb := ts[0]
		i := slices.Index(tb.Header, "makespan")
		hasCol := i >= 0 && i+1 < len(tb.Header) && tb.Header[i+1] == "overhead"
		if hasCol != withOverhead || len(tb.Rows[0]) != len(tb.Header) {
			t.Errorf("overhead recorded %v: header %q, row %q", withOverhead, tb.Header, tb.Rows[0])
			continue
		}
		if withOverhead && !strings.HasPrefix(tb.Rows[0][i+1], "1.00 ms [") {
			t.Errorf("overhead cell %q, want the median 1.00 ms with its CI", tb.Rows[0][i+1])
		}
	}
}

// TestResultsReadmeUpToDate fails when results/README.md's generated
// published-run block drifts from what the runs it names produce.
func TestResultsReadmeUpToDate(t *testing.T) {
	data, err := os.ReadFile("../../results/README.md")
	if err != nil {
		t.Skipf("results/README.md: %v", err)
	}
	rel, block, _, _, err := PublishedBlockIn(data)
	if err != nil {
		t.Fatalf("results/README.md: %v", err)
	}
	want, err := PublishedBlock(filepath.Join("../../results", rel), rel)
	if err != nil {
		t.Fatal(err)
	}
	want = bytes.ReplaceAll(want, []byte("../../results/"), []byte("results/"))
	if !bytes.Equal(block, want) {
		t.Errorf("results/README.md's published block differs from what results/%s produces (run `make figures`)", rel)
	}
}
