package view

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

const (
	forkPipe  = "Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2"
	spawnPipe = "Startup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=2"
	pingFork  = "Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2"
)

// sample is a results file with two program runs of one cell, a skipped
// and a failed cell, a stop note, a name that does not parse and a
// malformed line; the cells appear out of canonical order.
const sample = `host: h
nproc: 2
Unit ns/op better=lower
run: 1
BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2 10 100 ns/op 90 p50-ns
BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2 10 110 ns/op 95 p50-ns
run: 2
BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2 20 130 ns/op 99 p50-ns
--- NOTE: BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2: CI wider than the target: ±8.1% after 2 runs (stopped by the time budget)
--- SKIP: BenchmarkStartup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=2: not here
run: 1
BenchmarkStartup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2 1 500 ns/op 50 join-ns/op
--- FAIL: BenchmarkStartup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2: timeout after 30s
BenchmarkClaim/id=C3/method=fork 1 3.01 task-times
--- SKIP: not a benchmark name
`

func parseSample(t *testing.T) *Run {
	t.Helper()
	r, err := Parse([]byte(sample), RawFile)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func names(cells []*Cell) []string {
	var out []string
	for _, c := range cells {
		out = append(out, c.Name)
	}
	return out
}

// TestParse: the cells of a file, in canonical and in file order, with
// what each recorded.
func TestParse(t *testing.T) {
	r := parseSample(t)
	if got, want := names(r.Cells), []string{spawnPipe, forkPipe, pingFork, "Claim/id=C3/method=fork"}; !slices.Equal(got, want) {
		t.Errorf("Cells = %q, want %q", got, want)
	}
	if got, want := names(r.FileOrder()), []string{pingFork, spawnPipe, forkPipe, "Claim/id=C3/method=fork"}; !slices.Equal(got, want) {
		t.Errorf("FileOrder = %q, want %q", got, want)
	}
	if !r.PerRun || r.ConfigValue("host") != "h" || r.ConfigMap()["nproc"] != "2" || r.Better["ns/op"] != -1 {
		t.Errorf("run: PerRun=%v config=%v better=%v", r.PerRun, r.Config, r.Better)
	}
	if len(r.FileWarnings()) != 1 || len(r.Warnings) != 2 || !strings.Contains(r.Warnings[1], "Claim/id=C3/method=fork: name does not parse") {
		t.Errorf("warnings %q, file warnings %q", r.Warnings, r.FileWarnings())
	}
	tests := []struct {
		name           string
		status, reason string
		skip, fail     string
		stop           Stop
		runs           int
		iters          []int
	}{
		{pingFork, StatusOK, "", "", "", StopBudget, 2, []int{10, 10, 20}},
		{spawnPipe, StatusSkipped, "not here", "not here", "", StopNone, 0, nil},
		{forkPipe, StatusFailed, "timeout after 30s", "", "timeout after 30s", StopNone, 1, []int{1}},
	}
	for _, tt := range tests {
		c := r.Find(tt.name)
		if c == nil || !c.Parsed || c.Run != r {
			t.Fatalf("%s: %+v", tt.name, c)
		}
		if c.Status != tt.status || c.Reason != tt.reason || c.SkipReason() != tt.skip || c.FailReason() != tt.fail || c.Stop != tt.stop {
			t.Errorf("%s: status %q %q, skip %q, fail %q, stop %q", tt.name, c.Status, c.Reason, c.SkipReason(), c.FailReason(), c.Stop)
		}
		if len(c.ProgramRuns()) != tt.runs || !slices.Equal(c.Iters, tt.iters) {
			t.Errorf("%s: %d runs, iters %v", tt.name, len(c.ProgramRuns()), c.Iters)
		}
	}
	c := r.Find(pingFork)
	if c.Kind != "Pingpong" || c.Get("chan") != "pipe" || c.Get("size") != "64B" || c.Get("nope") != "" || c.Cell.Size != 64 {
		t.Errorf("keys %v, cell %+v", c.Keys, c.Cell)
	}
	if !slices.Equal(c.Units, []string{"ns/op", "p50-ns"}) || !slices.Equal(c.Values("ns/op"), []float64{100, 110, 130}) {
		t.Errorf("units %v, values %v", c.Units, c.Values("ns/op"))
	}
	if got := c.ByRun("p50-ns"); len(got) != 2 || !slices.Equal(got[0], []float64{90, 95}) || !slices.Equal(got[1], []float64{99}) {
		t.Errorf("ByRun = %v", got)
	}
	if !c.Has("p50-ns") || c.Has("MB/s") || r.Find(spawnPipe).Has("ns/op") || (*Cell)(nil).Has("ns/op") {
		t.Error("Has")
	}
	if u := r.Find("Claim/id=C3/method=fork"); u.Parsed || u.Kind != "Claim" || u.Get("id") != "C3" {
		t.Errorf("unparsed cell: %+v", u)
	}
}

// TestStats: a cell's summary is the summary of its program runs
// (stats.Summarize), computed once; the sum of two metrics pairs them per
// sample.
func TestStats(t *testing.T) {
	r := parseSample(t)
	c := r.Find(pingFork)
	s := c.Stats("ns/op")
	if s.N != 3 || s.Runs != 2 || s.Median != (105+130)/2.0 || s.Min != 100 || s.Max != 130 || s.CIValid {
		t.Errorf("Stats = %+v", s)
	}
	if again := c.Stats("ns/op"); &again.RunMedians[0] != &s.RunMedians[0] {
		t.Error("Stats computed twice")
	}
	if s := c.Stats("MB/s"); s.N != 0 || !math.IsNaN(s.Median) {
		t.Errorf("no samples: %+v", s)
	}
	f := r.Find(forkPipe)
	if sum, ok := f.SumStats("ns/op", "join-ns/op"); !ok || sum.Median != 550 || sum.Runs != 1 {
		t.Errorf("SumStats = %+v, %v", sum, ok)
	}
	if _, ok := c.SumStats("ns/op", "join-ns/op"); ok {
		t.Error("SumStats of metrics not on the same samples")
	}
}

// TestGroups: filters and groups keep the cells' order.
func TestGroups(t *testing.T) {
	r := parseSample(t)
	startup := r.Filter(func(c bench.Cell) bool { return c.Workload == "startup" })
	if got := names(startup); !slices.Equal(got, []string{spawnPipe, forkPipe}) {
		t.Errorf("Run.Filter = %q", got)
	}
	if got := names(Filter(r.Cells, func(c bench.Cell) bool { return c.Method == "spawn" })); !slices.Equal(got, []string{spawnPipe}) {
		t.Errorf("Filter = %q", got)
	}
	if got := names(Select(r.Cells, func(c *Cell) bool { return !c.Parsed })); !slices.Equal(got, []string{"Claim/id=C3/method=fork"}) {
		t.Errorf("Select = %q", got)
	}
	groups := GroupBy(r.Cells, func(c *Cell) string { return c.Kind })
	var keys []string
	for _, g := range groups {
		keys = append(keys, g.Key)
	}
	if !slices.Equal(keys, []string{"Startup", "Pingpong", "Claim"}) || len(groups[0].Cells) != 2 || groups[0].Cells[0].Name != spawnPipe {
		t.Errorf("GroupBy: %q, %+v", keys, groups)
	}
	if Rank(bench.Methods, "spawn") >= Rank(bench.Methods, "fork") || Rank(bench.Methods, "nope") != len(bench.Methods) {
		t.Error("Rank")
	}
	if PayloadOf(bench.Cell{}) != "bytes" || PayloadOf(bench.Cell{Payload: "numpy"}) != "numpy" {
		t.Error("PayloadOf")
	}
}

// TestReadErrors: Load names the folder and the missing file; ReadDir
// keeps rawbench's ErrNoResults.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir, nil); err == nil || !strings.Contains(err.Error(), "no results in "+dir+": raw.bench not found") {
		t.Errorf("Load: %v", err)
	}
	if _, err := ReadDir(dir); !errors.Is(err, rawbench.ErrNoResults) {
		t.Errorf("ReadDir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, RawFile), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "claims.bench"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var warn strings.Builder
	r, err := Load(dir, &warn)
	if err != nil || r.Dir != dir || !r.Claims || len(r.Cells) != 4 || strings.Count(warn.String(), "warning: ") != 2 {
		t.Errorf("Load: %v, %+v, warnings %q", err, r, warn.String())
	}
	if r, err := ReadDir(dir); err != nil || r.Dir != dir || r.Claims || len(r.Cells) != 4 {
		t.Errorf("ReadDir: %v, %+v", err, r)
	}
}

// TestWriter: what the writer face appends reads back through the view.
func TestWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "claims.bench")
	w, err := CreateFile(path, []KV{{Key: "host", Value: "h"}}, bench.UnitLines())
	if err != nil {
		t.Fatal(err)
	}
	samples, err := ParseSamples([]string{"BenchmarkClaim/id=C3/method=fork 1 3.01 task-times"})
	if err != nil || len(samples) != 1 {
		t.Fatalf("ParseSamples: %v %v", samples, err)
	}
	line := SampleLine("Claim/id=C3/method=fork", []string{"task-times"}, samples[0])
	if _, err := w.RecordRun("Claim/id=C3/method=fork", []string{line}); err != nil {
		t.Fatal(err)
	}
	if err := w.RecordSkip("Claim/id=C12", "no GPU\nhere"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w, err = Resume(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := Written(w)
	c, s := r.Find("Claim/id=C3/method=fork"), r.Find("Claim/id=C12")
	if r.ConfigValue("host") != "h" || c == nil || !slices.Equal(c.Values("task-times"), []float64{3.01}) || s == nil || s.SkipReason() != "no GPU here" {
		t.Errorf("written: %+v", r)
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name             string
		xs               []float64
		median, lo, hi   float64
		ciValid          bool
		min, max         float64
		outliers         int
		warningSubstring string
	}{
		// n=10: P(X≤1)=11/1024 so [x(2), x(9)] has confidence 0.979 ≥ 0.95,
		// while [x(3), x(8)] only 0.891.
		{name: "1..10", xs: []float64{7, 2, 9, 1, 5, 3, 10, 4, 8, 6}, median: 5.5, lo: 2, hi: 9, ciValid: true, min: 1, max: 10},
		{name: "n=3 has no CI", xs: []float64{3, 1, 2}, median: 2, ciValid: false, min: 1, max: 3,
			warningSubstring: "3 runs: need ≥ 6 for a 95% confidence interval"},
		// sorted 9.8 9.9 9.9 10 10 10 10.1 10.1 10.2 30: CI [x(2), x(9)] = [9.9, 10.2];
		// median 10, MAD 0.1: z(30) = 0.6745·20/0.1 = 134.9; z(10.2) = 1.35.
		{name: "one outlier", xs: []float64{10, 10.1, 9.9, 10.2, 9.8, 10, 10.1, 9.9, 10, 30}, median: 10, lo: 9.9, hi: 10.2,
			ciValid: true, min: 9.8, max: 30, outliers: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.xs)
			if s.N != len(tt.xs) || s.Median != tt.median || s.Min != tt.min || s.Max != tt.max || s.Outliers != tt.outliers {
				t.Errorf("got n=%d median=%v min=%v max=%v outliers=%d", s.N, s.Median, s.Min, s.Max, s.Outliers)
			}
			if s.CIValid != tt.ciValid {
				t.Fatalf("CIValid = %v, want %v (lo=%v hi=%v)", s.CIValid, tt.ciValid, s.Lo, s.Hi)
			}
			if tt.ciValid && (s.Lo != tt.lo || s.Hi != tt.hi) {
				t.Errorf("CI = [%v, %v], want [%v, %v]", s.Lo, s.Hi, tt.lo, tt.hi)
			}
			if tt.warningSubstring != "" && (len(s.Warnings) == 0 || s.Warnings[0] != tt.warningSubstring) {
				t.Errorf("warnings = %q, want %q", s.Warnings, tt.warningSubstring)
			}
		})
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Median) {
		t.Errorf("empty sample: %+v", s)
	}
}
