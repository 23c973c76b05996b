package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/impl"
)

// fakeBase is the fake measured program's value of a cell (ns/op), or the reason
// it skips the cell. Designed so that every kind of row shows:
//   - start-up: fork 1 ms + 1 ms per 64 MiB of parent, forkserver 3 ms,
//     spawn 30 ms (short-lived: fork clearly; crossover at 128 MiB);
//   - pool: fork's loop over pipe 20 ms, over simplequeue 20 ms ± 12%
//     from run to run (fakeNoise), over queue 60 ms, everything else
//     45–50 ms (long-lived: pipe vs simplequeue, not decided);
//   - ping-pong: pipe and queue 10 µs (equal), simplequeue 40 µs;
//   - gather: pipe 10 µs per message, simplequeue 20 µs, queue 40 µs
//     (many-to-one: pipe clearly);
//   - stream: skipped, "no stream in this fake" (a row without samples);
//   - shm everywhere and loky: skipped (a row answered from part of its cells).
func fakeBase(c bench.Cell) (float64, string) {
	switch {
	case c.Workload == "stream":
		return 0, "no stream in this fake"
	case c.Chan == "shm":
		return 0, "no shm in this fake"
	case c.Exec == bench.ExecLokyWarm:
		return 0, "loky is not installed"
	case c.Workload == "startup":
		return map[string]float64{"spawn": 30e6, "fork": 1e6 + float64(c.RSS)/(64<<20)*1e6, "forkserver": 3e6}[c.Method], ""
	case c.Workload == "pool" && c.Exec == bench.ExecLoop && c.Method == "fork":
		return map[string]float64{"pipe": 20e6, "simplequeue": 20e6, "queue": 60e6}[c.Chan], ""
	case c.Workload == "pool" && c.Exec == bench.ExecLoop:
		return 50e6, ""
	case c.Workload == "pool":
		return 45e6, ""
	case c.Workload == bench.Gather:
		return map[string]float64{"pipe": 10e3, "simplequeue": 20e3, "queue": 40e3}[c.Chan], ""
	}
	return map[string]float64{"pipe": 10e3, "queue": 10e3, "simplequeue": 40e3}[c.Chan], ""
}

// fakeNoise is the run-to-run factor of the one noisy fake cell.
var fakeNoise = []float64{1.0, 1.12, 0.9, 1.08, 0.93, 1.1}

// fakeOutput is what the fake measured program prints for the k-th run
// of a cell (k from 0): its skip line, or count samples in the measured
// programs' format, value × (1 + 0.2% × (k mod 3)) (or × fakeNoise), with every unit the
// workload requires.
func fakeOutput(c bench.Cell, k, count int) string {
	base, skip := fakeBase(c)
	if skip != "" {
		return fmt.Sprintf("--- SKIP: %s: %s\n", c.Benchmark(), skip)
	}
	v := base * (1 + 0.002*float64(k%3))
	if c.Workload == "pool" && c.Exec == bench.ExecLoop && c.Method == "fork" && c.Chan == "simplequeue" {
		v = base * fakeNoise[k%len(fakeNoise)]
	}
	return fakeLines(c, v, count)
}

// fakeLines are count result lines of cell c in the measured programs'
// format: ns/op = v, with every unit the workload requires (throughputs
// 1e9 / v, efficiency 0.9, the others v / 10).
func fakeLines(c bench.Cell, v float64, count int) string {
	var b strings.Builder
	for i := 0; i < count; i++ {
		fmt.Fprintf(&b, "%s 1 %g ns/op", c.Benchmark(), v)
		for _, u := range bench.RequiredUnits(c.Workload)[1:] {
			x := v / 10
			switch u {
			case "MB/s", "msgs/s", "tasks/s":
				x = 1e9 / v
			case "efficiency":
				x = 0.9
			}
			fmt.Fprintf(&b, " %g %s", x, u)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// fakeImpl is a test-only implementation: the measured program of every
// cell is printf(1) printing fakeOutput, so the harness runs, validates
// and records real processes without measuring anything. After
// cancelAfter commands (when set) it cancels the run, as Ctrl-C does.
type fakeImpl struct {
	mu          sync.Mutex
	runs        map[string]int // program runs started per cell
	calls       int
	cancelAfter int
	cancel      context.CancelFunc
	unavailable string // Available's error, when set
}

func (f *fakeImpl) Name() string { return "cpython" }
func (f *fakeImpl) Available() error {
	if f.unavailable != "" {
		return fmt.Errorf("%s", f.unavailable)
	}
	return nil
}

// SpinCommand is the calibration program of the cpu task: a fixed count
// (the fake's pool samples are printed, not computed).
func (f *fakeImpl) SpinCommand() (*exec.Cmd, error) { return exec.Command("echo", "1000"), nil }

func (f *fakeImpl) Config() map[string]string {
	return map[string]string{"cpython-version": "3.99.0-fake"}
}
func (f *fakeImpl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.runs == nil {
		f.runs = map[string]int{}
	}
	k := f.runs[c.Name()]
	f.runs[c.Name()]++
	f.calls++
	if f.cancelAfter > 0 && f.calls == f.cancelAfter {
		f.cancel()
	}
	return exec.Command("printf", "%s", fakeOutput(c, k, o.Count)), nil
}

// runAdvise runs advise with the fake program, returning stdout and stderr.
func runAdvise(t *testing.T, ctx context.Context, fake *fakeImpl, args ...string) (string, string, bool) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	interrupted, _, err := advise(ctx, args, map[string]impl.Impl{"cpython": fake}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("advise %v: %v\nstderr:\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String(), interrupted
}

// TestAdviseEndToEnd: advise over the fake program measures the answer
// cells (bench.AnswerCells), each measured one to the runs a CI needs at
// the default budget, answers each row as the fake's values say, says
// which rows and cells were not measured and that the coverage counts are
// not, and leaves an ordinary run folder.
func TestAdviseEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "advice")
	fake := &fakeImpl{}
	text, _, interrupted := runAdvise(t, context.Background(), fake, "--out", out, "--rss", "96MiB")
	if interrupted {
		t.Fatal("interrupted")
	}
	for _, want := range []string{
		"Machine: ",
		"Many short-lived children (cost of one child: start + join)\n  choose: fork\n",
		"Big parent (memory touched before starting children)\n  choose: fork below the crossover, forkserver above\n",
		"  flips:  parent rss ≈ 128 MiB",
		"(chan=pipe, main=stub; 4 and 4 rss points)", // bench.AnswerRSS with --rss 96MiB, preloaded and bare fork servers
		// the fake's fork server costs the same with and without preload
		"Your main module imports heavy modules (cost of one child: start + join)\n  choose: not decided: ",
		// fork 1 ms + 1.5 ms at 96 MiB, ×1.1 with join: 2.75 ms, below forkserver's 3.3 ms.
		"  at your parent's size (rss=96MiB): fork; start + join at rss=96MiB: fork 2.7",
		"1 skipped: loky is not installed",
		"Small messages, one-to-one (64B round trip)\n  choose: equal within ±5%: queue and pipe\n",
		"without samples: 3 skipped: no shm in this fake",
		"Large messages, one-to-one\n  not measured: 20 of its 20 cells without samples: 20 skipped: no stream in this fake\n",
		// the coverage counts read cells advise does not measure
		"  flips:  a big parent or threads in the parent (rows below)\n  coverage: " + notMeasuredCoverage + "\n",
		"  flips:  —\n  coverage: " + notMeasuredCoverage + "\n  from 3 of its 4 cells",
		"Many-to-one (workers sending results to one parent)\n  choose: pipe\n",
		"Parent with threads\n  choose: not measured in this run\n",
		"The samples (raw.bench) and REPORT.md are in " + out,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Long-lived: the start method's cost per worker first (fork), then the
	// map's fork + pipe and fork + simplequeue, not decided; which of the
	// two leads depends on the runs the noisy cell got (the plan's rounds).
	longLived := "Long-lived workers (a pool map of CPU tasks)\n  choose: fork; the start method shows in the pool's start, not its maps"
	execs := "Executor and channel of the map: not decided between "
	if !strings.Contains(text, longLived) || !strings.Contains(text, execs+"fork + simplequeue (exec=loop) and fork + pipe (exec=loop): needs about ") &&
		!strings.Contains(text, execs+"fork + pipe (exec=loop) and fork + simplequeue (exec=loop): needs about ") {
		t.Errorf("output lacks %q with fork + pipe and fork + simplequeue", longLived)
	}
	if n := strings.Count(text, "  coverage: "); n != 2 {
		t.Errorf("%d rows with a coverage line, want 2 (short-lived, small messages)", n)
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
	checkAnswerCells(t, fake, []int64{96 << 20})
	checkRunFolder(t, out)
	// `mpbench run --resume` refuses it (its cells are advise's), with one line.
	var stderr bytes.Buffer
	cmd := mpbench(t, "advise-run-resume", "run", "--resume", "--out", out)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || !strings.Contains(stderr.String(), "is an advise run: continue it with mpbench advise --resume") {
		t.Errorf("run --resume of an advise folder: %v, %q", err, stderr.String())
	}

	// The same folder again, as json (a finished run: nothing left to measure).
	calls := fake.calls
	js, _, _ := runAdvise(t, context.Background(), fake, "--resume", "--out", out, "--rss", "96MiB", "--format", "json")
	if fake.calls != calls {
		t.Errorf("resuming a finished advise run measured %d more runs", fake.calls-calls)
	}
	checkJSON(t, js)
}

// checkAnswerCells: the fake ran exactly the answer cells.
func checkAnswerCells(t *testing.T, fake *fakeImpl, rss []int64) {
	t.Helper()
	want := map[string]bool{}
	for _, c := range bench.AnswerCells("cpython", runtime.NumCPU(), rss) {
		want[c.Name()] = true
		if fake.runs[c.Name()] == 0 {
			t.Errorf("answer cell %s not run", c.Name())
		}
	}
	for name := range fake.runs {
		if !want[name] {
			t.Errorf("%s run, not an answer cell", name)
		}
	}
}

func checkRunFolder(t *testing.T, out string) {
	t.Helper()
	for _, f := range []string{"raw.bench", "REPORT.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("run folder: %v", err)
		}
	}
	f, err := os.Open(filepath.Join(out, "raw.bench"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := benchfmt.NewReader(f, "raw.bench")
	results := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("raw.bench: %v", rec)
		case *benchfmt.Result:
			results++
			if rec.GetConfig("profile") != AdviseProfile {
				t.Errorf("%s: profile %q", rec.Name.Full(), rec.GetConfig("profile"))
			}
		}
	}
	if results == 0 {
		t.Error("raw.bench holds no results")
	}
	// mpbench compare reads it like any run.
	cmd := mpbench(t, "advise-compare", "compare", out, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("mpbench compare: %v\n%s", err, b)
	}
}

func checkJSON(t *testing.T, js string) {
	t.Helper()
	var v adviceView
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatalf("json: %v\n%s", err, js)
	}
	if v.Impl != "cpython" || v.Cells != len(bench.AnswerCells("cpython", v.Cores, []int64{96 << 20})) || v.Machine == "" || v.Interrupted {
		t.Errorf("json header: %+v", v)
	}
	// The default budget's plan: every measured cell gets the runs of a CI.
	if v.RunsMin < stats.MinRuns || v.Measured == 0 {
		t.Errorf("json: %d cells measured, %d–%d runs each; want at least %d", v.Measured, v.RunsMin, v.RunsMax, stats.MinRuns)
	}
	if v.Crossover == nil || v.Crossover.RSS < 127<<20 || v.Crossover.RSS > 129<<20 {
		t.Errorf("json crossover %+v, want 128 MiB", v.Crossover)
	}
	want := map[string]struct {
		answered bool
		choice   string
		coverage string
	}{
		bench.QShortLived.Key:    {true, "`fork`", notMeasuredCoverage},
		bench.QSmallMessages.Key: {true, "equal within ±5%: `queue` and `pipe`", notMeasuredCoverage},
		bench.QLargeMessages.Key: {false, "", ""},
		bench.QManyToOne.Key:     {true, "`pipe`", ""},
	}
	if len(v.Rows) != len(bench.Questions) {
		t.Errorf("json: %d rows, want one per question (%d)", len(v.Rows), len(bench.Questions))
	}
	for _, row := range v.Rows {
		w, ok := want[row.Question]
		if ok && (row.Answered != w.answered || !strings.HasPrefix(row.Choice, w.choice) || (w.choice == "") != (row.Choice == "") || row.Coverage != w.coverage) {
			t.Errorf("json row %s: answered %v, choice %q, coverage %q; want %v, %q, %q", row.Question, row.Answered, row.Choice, row.Coverage, w.answered, w.choice, w.coverage)
		}
		if row.Question == bench.QBigParent.Key {
			if len(row.AtRSS) != 1 || row.AtRSS[0].RSS != 96<<20 || row.AtRSS[0].Outcome != "less" || row.AtRSS[0].Ratio == nil ||
				*row.AtRSS[0].Ratio < 0.82 || *row.AtRSS[0].Ratio > 0.84 {
				t.Errorf("json at_rss %+v, want fork/forkserver ≈ 2.75/3.3 = 0.833, less", row.AtRSS)
			}
		}
		if row.Question == bench.QLargeMessages.Key && (row.Measured != 0 || len(row.Missing) != 1) {
			t.Errorf("json row %s: measured %d, missing %v", row.Question, row.Measured, row.Missing)
		}
	}
}

// TestAdviseInterruptAndResume: an interrupted advise prints the rows
// decided so far and says how to resume; the resumed run finishes them.
func TestAdviseInterruptAndResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "advice")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fake := &fakeImpl{cancelAfter: 150, cancel: cancel}
	text, _, interrupted := runAdvise(t, ctx, fake, "--out", out)
	if !interrupted {
		t.Fatal("not interrupted")
	}
	if !strings.Contains(text, "Interrupted: what follows is decided from the runs so far; resume with: mpbench advise --resume --out "+out) ||
		!strings.Contains(text, "Many short-lived children") {
		t.Errorf("interrupted output:\n%s", text)
	}
	text, _, interrupted = runAdvise(t, context.Background(), &fakeImpl{runs: fake.runs}, "--resume", "--out", out)
	if interrupted || strings.Contains(text, "Interrupted") || strings.Contains(text, "not run yet") {
		t.Errorf("resumed output:\n%s", text)
	}
	if !strings.Contains(text, "Many-to-one (workers sending results to one parent)\n  choose: pipe\n") {
		t.Errorf("resumed run does not answer many-to-one:\n%s", text)
	}
}

// TestPlanRuns: one base round, then adaptive rounds up to as many rounds
// as the budget holds by the estimate, never fewer than a CI needs; a
// budget below one round is refused. The default budget holds the rounds
// of a CI for the answer cells on a 2-CPU machine, by the estimate.
func TestPlanRuns(t *testing.T) {
	cells := bench.AnswerCells("cpython", 2, nil)
	p, err := planRuns(cells, DefaultAdviseBudget)
	if err != nil || p.Fit < stats.MinRuns || p.MaxRuns != p.Fit {
		t.Errorf("default budget %v: %d rounds of the %d answer cells fit (one ≈ %v), max runs %d, err %v; want at least %d",
			DefaultAdviseBudget, p.Fit, len(cells), p.Round, p.MaxRuns, err, stats.MinRuns)
	}
	t.Logf("default budget %v: %d runs per cell by the estimate (%d answer cells, one round ≈ %v)", DefaultAdviseBudget, p.Fit, len(cells), p.Round.Round(time.Millisecond))
	round, _ := planRuns(cells, time.Hour)
	tests := []struct {
		budget  time.Duration
		maxRuns int // 0: refused
	}{
		{round.Round / 2, 0},
		{round.Round, stats.MinRuns},
		{2*round.Round + round.Round/2, stats.MinRuns},
		{20 * round.Round, 20},
	}
	for _, tt := range tests {
		p, err := planRuns(cells, tt.budget)
		if (err != nil) != (tt.maxRuns == 0) {
			t.Errorf("budget %v: err %v", tt.budget, err)
			continue
		}
		if err == nil && (p.Runs != 1 || p.MaxRuns != tt.maxRuns || p.Fit != int(tt.budget/p.Round)) {
			t.Errorf("budget %v (round %v): runs %d, max %d, fit %d; want 1, %d, %d", tt.budget, p.Round, p.Runs, p.MaxRuns, p.Fit, tt.maxRuns, int(tt.budget/p.Round))
		}
	}
}

// TestAdviseInterpreterMissing: without an interpreter nothing runs, and
// every row says why it has no answer.
func TestAdviseInterpreterMissing(t *testing.T) {
	fake := &fakeImpl{unavailable: "python3 not found on PATH"}
	text, _, _ := runAdvise(t, context.Background(), fake, "--out", filepath.Join(t.TempDir(), "advice"))
	if fake.calls != 0 {
		t.Errorf("%d program runs without an interpreter", fake.calls)
	}
	for _, d := range bench.Answers("cpython", runtime.NumCPU(), nil) {
		want := fmt.Sprintf("%s\n  not measured: %d of its %d cells without samples: %d skipped: python3 not found on PATH\n", d.Title, len(d.Cells), len(d.Cells), len(d.Cells))
		if d.Key == bench.QThreads.Key {
			want = d.Title + "\n  choose: not measured in this run\n" // the guide's row: no claims.bench
		}
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
}

// TestAdviseNoCI: a guide decided from fewer runs than a CI needs (here:
// interrupted after the first round, one run per cell) says "no CI" in
// every row it answers, the crossover included, and names no winner.
func TestAdviseNoCI(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first program run of the second round cancels the run, and is lost.
	fake := &fakeImpl{cancelAfter: len(bench.AnswerCells("cpython", runtime.NumCPU(), nil)) + 1, cancel: cancel}
	text, _, interrupted := runAdvise(t, ctx, fake, "--out", filepath.Join(t.TempDir(), "advice"))
	if !interrupted || !strings.Contains(text, " (1 run each)") {
		t.Fatalf("not interrupted after one run of each cell:\n%s", text)
	}
	tests := []struct{ title, choice string }{
		{"Many short-lived children", "no CI (1 and 1 runs): fork and forkserver"},
		{"Big parent", "no CI (a cell of the sweep has 1 run); by the medians: fork below the crossover, forkserver above"},
		{"Your main module imports heavy modules", "no CI (a compared cell has 1 run) at main=stdlib: "},
		{"Long-lived workers", "no CI (1 and 1 runs): "},
		{"Small messages, one-to-one", "no CI (1 and 1 runs): "},
		{"Many-to-one", "no CI (1 and 1 runs): pipe and simplequeue"},
	}
	for _, tt := range tests {
		i := strings.Index(text, "\n"+tt.title)
		if i < 0 || !strings.Contains(text[i:], "\n  choose: "+tt.choice) || strings.Index(text[i:], "\n  choose: "+tt.choice) > strings.Index(text[i:], "\n  cost: ") {
			t.Errorf("%s: choice does not start %q", tt.title, tt.choice)
		}
	}
	if !strings.Contains(text, "  flips:  parent rss ≈ 128 MiB (no CI: a cell of the sweep has 1 run, fewer than 6) with set_forkserver_preload") {
		t.Error("the crossover's flip does not say it has no CI")
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
}
