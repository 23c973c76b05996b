package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// TestCellCounts: one count of a run's cells for the README, the report's
// Method and results/README.md; a failed cell whose runs were partly
// recorded counts among the cells with samples, with its runs, and is
// named as such, as it counts among the failed.
func TestCellCounts(t *testing.T) {
	raw := "goos: linux\nnproc: 2\nUnit ns/op better=lower\n" +
		"run: 1\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 1000 ns/op\n" +
		"BenchmarkStream/impl=native/method=spawn/chan=simplequeue/size=16MiB/cores=2 1 5e7 ns/op\n" +
		"run: 2\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 1100 ns/op\n" +
		"BenchmarkStream/impl=native/method=spawn/chan=simplequeue/size=16MiB/cores=2 1 5e7 ns/op\n" +
		"--- FAIL: BenchmarkStream/impl=native/method=spawn/chan=simplequeue/size=16MiB/cores=2: broken pipe\n" +
		"--- SKIP: BenchmarkStartup/impl=pypy/method=fork/chan=pipe/rss=0/cores=1: pypy3 not found on PATH\n"
	r, err := view.Parse([]byte(raw), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	n := countCells(r)
	if want := (cellCounts{cells: 2, runs: 4, partial: 1, skipped: 1, failed: 1}); n != want {
		t.Fatalf("countCells = %+v, want %+v", n, want)
	}
	want := "2 cells with samples (1 of them a failed cell, counted with the program runs it recorded before it failed)"
	if got := n.withSamples(); got != want {
		t.Errorf("withSamples = %q, want %q", got, want)
	}
	var b bytes.Buffer
	runSummary(&b, "x", "x", r)
	if !strings.Contains(b.String(), "- "+want+", 4 program runs; 1 cells skipped, 1 failed") {
		t.Errorf("results/README.md's summary does not state the count:\n%s", b.String())
	}
	ms, err := newData([]*view.Run{r}).methodStats()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ms, "This run: "+want+", median 2 runs per cell") {
		t.Errorf("the report's Method does not state the count:\n%s", ms)
	}
}
