package harness

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/impl"
)

// fakeWorkload is a workload that only this file knows: its own name,
// parameters (size, then workers) and metric (widgets/s, higher is better).
var fakeWorkload = bench.Workload{Name: "fake", Kind: "Fake", Params: []string{"size", "workers"},
	Units: []string{"ns/op", "widgets/s"}, Headline: "widgets/s", Definitions: "TestHelperProcess",
	Section: "Fake workload", Timeout: 30 * time.Second}

var fakeMetric = bench.MetricInfo{Unit: "widgets/s", Meaning: "fake: widgets per second", Better: +1, Kind: bench.Rate}

// TestHelperProcess is not a test of its own: it is the measured program
// of helperImpl, run as os.Args[0] -test.run=^TestHelperProcess$ -- CELL
// COUNT with MPBENCH_HELPER_PROCESS=1. It prints COUNT deterministic
// result lines of the fake workload's cell and exits.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("MPBENCH_HELPER_PROCESS") != "1" {
		t.Skip("the measured program of TestFakeWorkloadEndToEnd")
	}
	args := os.Args
	for len(args) > 0 && args[0] != "--" {
		args = args[1:]
	}
	count := 0
	if len(args) == 3 {
		count, _ = strconv.Atoi(args[2])
	}
	if count < 1 {
		fmt.Fprintln(os.Stderr, "usage: -- CELL COUNT")
		os.Exit(2)
	}
	for i := 0; i < count; i++ {
		fmt.Printf("Benchmark%s 1 %d ns/op %d widgets/s\n", args[1], 1000+i, 500+i)
	}
	os.Exit(0)
}

// helperImpl is a fake implementation of the fake workload: every program
// run re-executes this test binary as TestHelperProcess.
type helperImpl struct{}

func (helperImpl) Name() string              { return "native" }
func (helperImpl) Available() error          { return nil }
func (helperImpl) Config() map[string]string { return map[string]string{"helper-impl": "yes"} }
func (helperImpl) SpinCommand() (*exec.Cmd, error) {
	return nil, fmt.Errorf("the fake workload has no cpu task")
}
func (helperImpl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--", c.Name(), strconv.Itoa(o.Count))
	cmd.Env = append(os.Environ(), "MPBENCH_HELPER_PROCESS=1")
	return cmd, nil
}

// TestFakeWorkloadEndToEnd: a workload registered from a test (registry
// entry and metric, nothing else) has cells that parse, run through the
// runner into a results folder with every sample recorded, and appear in
// the report — a summary table in its own section heading with its own
// metric, linked from REPORT.md — although the report has no code of its
// own for it.
func TestFakeWorkloadEndToEnd(t *testing.T) {
	defer bench.RegisterWorkload(fakeWorkload)()
	saved := bench.Metrics
	bench.Metrics = append(append([]bench.MetricInfo(nil), saved...), fakeMetric)
	defer func() { bench.Metrics = saved }()

	cell, err := bench.ParseName("Fake/impl=native/method=fork/chan=pipe/size=64B/workers=2/cores=1")
	if err != nil {
		t.Fatal(err)
	}
	if cell.Workload != "fake" || cell.Size != 64 || cell.Workers != 2 {
		t.Fatalf("parsed %+v", cell)
	}
	out := filepath.Join(t.TempDir(), "run")
	sum, err := Run(context.Background(), Config{Cells: []bench.Cell{cell}, Impls: map[string]impl.Impl{"native": helperImpl{}},
		Count: 2, Runs: 2, MaxRuns: 2, Benchtime: time.Millisecond, Out: out, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Measured != 2 || sum.Failed != 0 || sum.Skipped != 0 {
		t.Fatalf("summary %+v, want 2 measured program runs", sum)
	}
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	rc := res.Cell(cell.Benchmark())
	if rc == nil || len(rc.Runs) != 2 || rc.NumSamples() != 4 {
		t.Fatalf("cell %+v, want 2 runs of 2 samples", rc)
	}
	if s := rc.Summary("widgets/s"); s.Runs != 2 || s.Median < 500 || s.Median > 501 {
		t.Errorf("widgets/s summary %+v, want the median of 500 and 501", s)
	}

	if err := report.Generate([]string{out}, report.Options{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join(out, "tables", "summary-fake.md"))
	if err != nil {
		t.Fatalf("no summary table of the fake workload: %v", err)
	}
	for _, want := range []string{"Fake workload: widgets/s, size=64B, workers=2, cores=1", "fork", "pipe", " widgets/s"} {
		if !strings.Contains(string(table), want) {
			t.Errorf("the fake workload's table lacks %q:\n%s", want, table)
		}
	}
	doc, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "(tables/summary-fake.md)") {
		t.Errorf("REPORT.md does not link the fake workload's table")
	}
}
