package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/internal/leakcheck"
)

// The test binary doubles as a fake measured program: with MPBENCH_FAKE
// set it behaves as the mode says and exits, instead of running tests.
// The tests fail when they leave a process, segment or semaphore
// (package leakcheck).
func TestMain(m *testing.M) {
	if mode := os.Getenv("MPBENCH_FAKE"); mode != "" {
		os.Exit(fakeProgram(mode, os.Args[1:]))
	}
	os.Exit(leakcheck.Main(m.Run, leakcheck.Options{}))
}

// fakeProgram implements the protocol of package impl in several ways,
// good and bad. Args: --cell NAME --count N --shm-prefix P.
func fakeProgram(mode string, args []string) int {
	flags := map[string]string{}
	for i := 0; i+1 < len(args); i += 2 {
		flags[strings.TrimPrefix(args[i], "--")] = args[i+1]
	}
	name := "Benchmark" + flags["cell"]
	count, _ := strconv.Atoi(flags["count"])
	switch mode {
	case "ok":
		for i := 0; i < count; i++ {
			fmt.Printf("%s 1 %d ns/op %d join-ns/op\n", name, 1000+i, 10)
		}
	case "offset":
		// Every process adds its own constant offset (100 × its index
		// among the processes of this cell); samples within one process
		// are identical.
		counter := filepath.Join(os.Getenv("MPBENCH_FAKE_DIR"), strings.NewReplacer("/", "_", "=", "-").Replace(name))
		data, _ := os.ReadFile(counter)
		k, _ := strconv.Atoi(string(data))
		os.WriteFile(counter, []byte(strconv.Itoa(k+1)), 0o600)
		for i := 0; i < count; i++ {
			fmt.Printf("%s 1 %d ns/op %d join-ns/op\n", name, 1000+100*k, 10)
		}
	case "bimodal":
		// Two regimes: every third process of the cell is three times
		// slower (as a process that lands on a busy CPU); samples within
		// one process agree.
		counter := filepath.Join(os.Getenv("MPBENCH_FAKE_DIR"), strings.NewReplacer("/", "_", "=", "-").Replace(name))
		data, _ := os.ReadFile(counter)
		k, _ := strconv.Atoi(string(data))
		os.WriteFile(counter, []byte(strconv.Itoa(k+1)), 0o600)
		v := 1000 + k
		if k%3 == 2 {
			v = 3000 + k
		}
		for i := 0; i < count; i++ {
			fmt.Printf("%s 1 %d ns/op %d join-ns/op\n", name, v, 10)
		}
	case "pool":
		// A pool cell whose makespan is the loop count it was given.
		spin, err := strconv.Atoi(flags["spin"])
		if err != nil || spin < 1 {
			fmt.Fprintln(os.Stderr, "no --spin")
			return 3
		}
		for i := 0; i < count; i++ {
			fmt.Printf("%s 1 %d ns/op 1 tasks/s 0.9 efficiency -5 overhead-ns/op\n", name, spin)
		}
	case "spin":
		fmt.Println(os.Getenv("MPBENCH_FAKE_SPIN"))
	case "skip":
		fmt.Printf("--- SKIP: %s: not on this machine\n", name)
	case "garbage":
		fmt.Println("hello, I am not a benchmark line")
	case "crash":
		fmt.Fprintln(os.Stderr, "something broke")
		return 3
	case "hang":
		time.Sleep(time.Hour)
	case "leak":
		// A segment and a grandchild that would outlive the cell if the
		// harness did not clean up; then hang so the cell times out.
		os.WriteFile(filepath.Join(ShmDir, flags["shm-prefix"]+"-seg"), []byte("x"), 0o600)
		gc := exec.Command("sleep", "3600")
		gc.Start()
		os.WriteFile(os.Getenv("MPBENCH_FAKE_PIDFILE"), []byte(strconv.Itoa(gc.Process.Pid)), 0o600)
		time.Sleep(time.Hour)
	}
	return 0
}

// fakeImpl runs the test binary in a mode chosen per cell channel.
type fakeImpl struct {
	modes     map[string]string // chan → mode
	unavail   string
	env       []string
	spinCalls int
}

func (f *fakeImpl) Name() string { return "native" }
func (f *fakeImpl) Available() error {
	if f.unavail != "" {
		return fmt.Errorf("%s", f.unavail)
	}
	return nil
}
func (f *fakeImpl) Config() map[string]string { return map[string]string{"fake-impl": "yes"} }
func (f *fakeImpl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	cmd := exec.Command(os.Args[0], "--cell", c.Name(), "--count", strconv.Itoa(o.Count), "--shm-prefix", o.ShmPrefix)
	if o.CPUTaskSpin > 0 {
		cmd.Args = append(cmd.Args, "--spin", strconv.FormatInt(o.CPUTaskSpin, 10))
	}
	cmd.Env = append(os.Environ(), append(f.env, "MPBENCH_FAKE="+f.modes[c.Chan])...)
	return cmd, nil
}

// SpinCommand prints MPBENCH_FAKE_SPIN (from env); it counts its calls.
func (f *fakeImpl) SpinCommand() (*exec.Cmd, error) {
	f.spinCalls++
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), append(f.env, "MPBENCH_FAKE=spin")...)
	return cmd, nil
}

func startupCells(chans ...string) []bench.Cell {
	var cells []bench.Cell
	for _, ch := range chans {
		cells = append(cells, bench.Cell{Workload: "startup", Impl: "native", Method: "fork", Chan: ch, Cores: 1})
	}
	return cells
}

func TestRunRecordsEveryOutcome(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	fake := &fakeImpl{modes: map[string]string{"pipe": "ok", "queue": "skip", "simplequeue": "garbage", "shm": "crash"}}
	cfg := Config{
		Cells: startupCells("pipe", "queue", "simplequeue", "shm"),
		Impls: map[string]impl.Impl{"native": fake}, Profile: "quick",
		Count: 2, Runs: 2, Warmup: 1, Benchtime: time.Millisecond, Timeout: 20 * time.Second,
		Out: out, Args: []string{"--count", "4"},
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	cells := cfg.Cells
	if c := res.Cell(cells[0].Benchmark()); c == nil || len(c.Runs) != 2 || c.NumSamples() != 4 {
		t.Errorf("ok cell: %+v, want 2 runs of 2 samples", c)
	}
	if c := res.Cell(cells[1].Benchmark()); c == nil || c.Status() != rawbench.StatusSkipped {
		t.Errorf("skip cell not recorded as skipped")
	}
	if c := res.Cell(cells[2].Benchmark()); c == nil || !strings.Contains(c.Fail, "bad output") {
		t.Errorf("garbage cell: %+v, want bad output", c)
	}
	if c := res.Cell(cells[3].Benchmark()); c == nil || !strings.Contains(c.Fail, "something broke") {
		t.Errorf("crash cell: %+v, want the stderr line", c)
	}
	if sum.Failed != 2 || sum.Skipped != 1 || sum.Measured != 2 {
		t.Errorf("summary %+v", sum)
	}
	for _, k := range []string{"goos", "nproc", "profile", "count", "runs", "max-runs", "cpus-cores-1", "fake-impl",
		"mpbench-args", "thp", "cpu-model", "load-start", "run-end", "load-end"} {
		if res.ConfigValue(k) == "" {
			t.Errorf("config line %s missing", k)
		}
	}
	data, _ := os.ReadFile(filepath.Join(out, RawFile))
	if !strings.Contains(string(data), "\nrun: 2\n"+cells[0].Benchmark()+" ") {
		t.Errorf("no run line before the second program run:\n%s", data)
	}
}

func TestRunUnavailableImplIsSkipped(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	fake := &fakeImpl{unavail: "interpreter not found", modes: map[string]string{"pipe": "ok"}}
	_, err := Run(context.Background(), Config{
		Cells: startupCells("pipe"), Impls: map[string]impl.Impl{"native": fake},
		Count: 2, Benchtime: time.Millisecond, Out: out,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := rawbench.ReadDir(out)
	if c := res.Cell(startupCells("pipe")[0].Benchmark()); c == nil || c.Skip != "interpreter not found" {
		t.Errorf("skip: %+v", c)
	}
}

func TestTimeoutKillsGroupAndSegments(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	pidfile := filepath.Join(t.TempDir(), "gc.pid")
	fake := &fakeImpl{modes: map[string]string{"pipe": "leak"}, env: []string{"MPBENCH_FAKE_PIDFILE=" + pidfile}}
	start := time.Now()
	_, err := Run(context.Background(), Config{
		Cells: startupCells("pipe"), Impls: map[string]impl.Impl{"native": fake},
		Count: 1, Benchtime: time.Millisecond, Timeout: 2 * time.Second, Out: out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > time.Minute {
		t.Fatalf("the timeout did not stop the cell")
	}
	res, _ := rawbench.ReadDir(out)
	if c := res.Cell(startupCells("pipe")[0].Benchmark()); c == nil || !strings.HasPrefix(c.Fail, "timeout after 2s") {
		t.Errorf("failure %+v, want timeout", c)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(string(data))
	waitGone(t, pid)
	if segs, _ := filepath.Glob(filepath.Join(ShmDir, shmPrefix(os.Getpid(), 0)+"*")); len(segs) > 0 {
		t.Errorf("segments left: %v", segs)
	}
}

// waitGone fails unless pid disappears (or becomes a zombie) soon.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if !processAlive(pid) || isZombie(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Errorf("process %d outlived its cell", pid)
}

func isZombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func TestInterruptThenResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cells := startupCells("pipe", "queue", "simplequeue", "shm")
	modes := map[string]string{"pipe": "ok", "queue": "ok", "simplequeue": "ok", "shm": "ok"}
	cfg := Config{Cells: cells, Impls: map[string]impl.Impl{"native": &fakeImpl{modes: modes}},
		Count: 3, Runs: 2, Warmup: 1, Benchtime: time.Millisecond, Out: out, Seed: 7}

	// Interrupt after the first recorded batch.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if res, err := rawbench.ReadDir(out); err == nil && len(res.Cells) > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	sum, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted {
		t.Skip("the run finished before it could be interrupted")
	}
	before, _ := os.ReadFile(filepath.Join(out, RawFile))
	// A torn line, as if killed in the middle of a write.
	f, _ := os.OpenFile(filepath.Join(out, RawFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("BenchmarkStartup/impl=native/method=fork/chan=pi")
	f.Close()

	cfg.Resume, cfg.Seed = true, 0
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(out, RawFile))
	if !strings.HasPrefix(string(after), string(before)) {
		t.Fatalf("resume changed recorded bytes")
	}
	res, _ := rawbench.ReadDir(out)
	for _, c := range cells {
		if got := res.Cell(c.Benchmark()); got == nil || len(got.Runs) != 2 || got.NumSamples() != 6 {
			t.Errorf("%s after resume: %+v, want 2 runs of 3 samples", c.Name(), got)
		}
	}
	if strings.Contains(string(after), "chan=pi\n") || strings.Contains(string(after), "chan=piBenchmark") {
		t.Errorf("torn line survived")
	}
	// The interrupted invocation closed its block (load-end, steal); the
	// resumed one deleted those keys again, so that benchstat sees every
	// sample of a cell under one configuration (but its run).
	if !strings.Contains(string(before), "\nload-end: ") || !strings.Contains(string(after), "\nload-end:\n") {
		t.Errorf("end block not written, or not deleted on resume")
	}
	r := benchfmt.NewReader(strings.NewReader(string(after)), RawFile)
	configs := map[string]string{}
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		var cfg []string
		for _, c := range res.Config {
			if c.Key != "run" {
				cfg = append(cfg, c.Key+"="+string(c.Value))
			}
		}
		key, got := string(res.Name), strings.Join(cfg, " ")
		if want, seen := configs[key]; seen && want != got {
			t.Errorf("%s: configuration changed within the cell:\n%s\n%s", key, want, got)
		}
		configs[key] = got
	}
}

func TestCreateRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	os.WriteFile(keep, []byte("precious"), 0o644)
	_, err := Run(context.Background(), Config{Cells: startupCells("pipe"),
		Impls: map[string]impl.Impl{"native": &fakeImpl{modes: map[string]string{"pipe": "ok"}}},
		Count: 1, Benchtime: time.Millisecond, Out: dir})
	var in *InputError
	if !errors.As(err, &in) || !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("Run into a non-empty folder: %v", err)
	}
	if data, _ := os.ReadFile(keep); string(data) != "precious" {
		t.Fatal("existing file changed")
	}
	if _, err := os.Stat(filepath.Join(dir, RawFile)); err == nil {
		t.Fatal("raw.bench written into a refused folder")
	}
}

// TestRunsAreTheUnit: a measured program whose processes differ by a
// constant offset, with identical samples within a process. The cell's CI
// over per-run medians covers the spread between runs; the old CI over
// pooled samples (as if the samples were independent) does not.
func TestRunsAreTheUnit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	fake := &fakeImpl{modes: map[string]string{"pipe": "offset"}, env: []string{"MPBENCH_FAKE_DIR=" + t.TempDir()}}
	cell := startupCells("pipe")[0]
	_, err := Run(context.Background(), Config{Cells: []bench.Cell{cell}, Impls: map[string]impl.Impl{"native": fake},
		Count: 3, Runs: 6, MaxRuns: 6, Benchtime: time.Millisecond, Out: out, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Cell(cell.Benchmark())
	runs := c.ByRun("ns/op")
	if len(runs) != 6 || len(runs[0]) != 3 {
		t.Fatalf("runs %v, want 6 runs of 3 samples", runs)
	}
	lo, hi := 1000.0, 1500.0 // the run values: 1000, 1100, …, 1500
	s := c.Summary("ns/op")
	if !s.CIValid || s.Lo > lo || s.Hi < hi {
		t.Errorf("CI over runs [%v, %v] does not cover the runs' spread [%v, %v]", s.Lo, s.Hi, lo, hi)
	}
	if s.BetweenShare != 1 {
		t.Errorf("between-run share %v, want 1 (no variance within runs)", s.BetweenShare)
	}
	_, plo, phi := stats.Pooled(runs)
	if plo <= lo || phi >= hi {
		t.Errorf("pooled CI [%v, %v] covers the spread; the test cannot tell the methods apart", plo, phi)
	}
	if phi-plo >= s.Hi-s.Lo {
		t.Errorf("pooled CI [%v, %v] not narrower than the CI over runs [%v, %v]", plo, phi, s.Lo, s.Hi)
	}
}

// TestAdaptiveStopping: a cell whose runs agree stops at the min runs; a
// cell whose runs disagree runs to the cap and is flagged as stopped by it. An
// interrupted run resumed plans exactly the same runs in the same order.
func TestAdaptiveStopping(t *testing.T) {
	skipShortRace(t)
	cells := startupCells("pipe", "queue", "shm")
	modes := map[string]string{"pipe": "ok", "queue": "offset", "shm": "offset"}
	run := func(out string, ctx context.Context, progress io.Writer, resume bool) string {
		t.Helper()
		fake := &fakeImpl{modes: modes, env: []string{"MPBENCH_FAKE_DIR=" + filepath.Join(out, "..", "counters")}}
		os.MkdirAll(filepath.Join(out, "..", "counters"), 0o755)
		_, err := Run(ctx, Config{Cells: cells, Impls: map[string]impl.Impl{"native": fake}, Progress: progress,
			Count: 2, Runs: 6, MaxRuns: 9, Benchtime: time.Millisecond, Out: out, Seed: 42, Resume: resume})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(out, RawFile))
		return string(data)
	}
	full := filepath.Join(t.TempDir(), "a", "run")
	whole := run(full, context.Background(), nil, false)
	res, _ := rawbench.ReadDir(full)
	for ch, want := range map[string]int{"pipe": 6, "queue": 9, "shm": 9} {
		c := res.Cell(startupCells(ch)[0].Benchmark())
		if len(c.Runs) != want {
			t.Errorf("%s: %d runs, want %d", ch, len(c.Runs), want)
		}
		capped := len(c.Notes) == 1 && c.Stop() == rawbench.StopRunCap && strings.HasSuffix(c.Notes[0], "after 9 runs (stopped by the run cap)")
		if capped != (want == 9) {
			t.Errorf("%s: notes %q", ch, c.Notes)
		}
	}

	// The same run, interrupted in the first adaptive round (after 20 of
	// its 18 + 2 + 2 + 2 program runs) and resumed.
	part := filepath.Join(t.TempDir(), "b", "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cut := run(part, ctx, &cancelAfter{n: 20, cancel: cancel}, false)
	if n := strings.Count(blocks(cut), "\n") + 1; n != 20 {
		t.Fatalf("interrupted after %d runs, want 20", n)
	}
	resumed := run(part, context.Background(), nil, true)
	if blocks(resumed) != blocks(whole) {
		t.Errorf("resumed run measured other runs or another order:\n%s\nwant\n%s", blocks(resumed), blocks(whole))
	}
}

// blocks lists the program-run blocks of a raw.bench: "run: k" and the
// cell name of its samples, in file order.
func blocks(data string) string {
	var out []string
	lines := strings.Split(data, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "run: ") && i+1 < len(lines) {
			name, _, _ := strings.Cut(lines[i+1], " ")
			out = append(out, l+" "+name)
		}
	}
	return strings.Join(out, "\n")
}

// cancelAfter cancels a run once n program runs have been reported.
type cancelAfter struct {
	n      int
	cancel func()
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), "[") {
		if c.n--; c.n == 0 {
			c.cancel()
		}
	}
	return len(p), nil
}

// A measured program with two regimes is reported as two modes with the
// share of runs in each — in the statistics and in the report's tables.
func TestBimodalProgramReportedAsModes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	fake := &fakeImpl{modes: map[string]string{"pipe": "bimodal"}, env: []string{"MPBENCH_FAKE_DIR=" + t.TempDir()}}
	cell := startupCells("pipe")[0]
	_, err := Run(context.Background(), Config{Cells: []bench.Cell{cell}, Impls: map[string]impl.Impl{"native": fake},
		Count: 2, Runs: 6, MaxRuns: 6, Benchtime: time.Millisecond, Out: out, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	modes := res.Cell(cell.Benchmark()).Summary("ns/op").Modes
	if len(modes) != 2 || modes[0].Runs != 4 || modes[1].Runs != 2 {
		t.Fatalf("modes %+v, want 4 runs near 1 µs and 2 runs near 3 µs", modes)
	}
	if err := report.Generate([]string{out}, report.Options{}, io.Discard); err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(filepath.Join(out, "tables", "summary-startup.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(table), "(modes: 1.01 µs in 4 of 6 runs, 3.01 µs in 2 of 6 runs)") {
		t.Errorf("the start-up table does not show the two modes:\n%s", table)
	}
}

func cpuPoolCells(chans ...string) []bench.Cell {
	var cells []bench.Cell
	for _, ch := range chans {
		cells = append(cells, bench.Cell{Workload: "pool", Impl: "native", Method: "fork", Exec: bench.ExecLoop, Chan: ch,
			Workers: 1, Tasks: bench.PoolTasks(1), Task: "cpu", Cores: 1})
	}
	return cells
}

// TestCPUTaskSpin: the cpu task is calibrated once per invocation, its
// loop count recorded in the header before any result and passed to every
// program run of the cpu pool cells; a resumed run reuses the recorded
// count without calibrating again.
func TestCPUTaskSpin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cells := append(startupCells("pipe"), cpuPoolCells("queue", "shm")...)
	modes := map[string]string{"pipe": "ok", "queue": "pool", "shm": "pool"}
	fake := &fakeImpl{modes: modes, env: []string{"MPBENCH_FAKE_SPIN=4242"}}
	cfg := Config{Cells: cells, Impls: map[string]impl.Impl{"native": fake},
		Count: 2, Runs: 3, Benchtime: time.Millisecond, Out: out, Seed: 5}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Progress = &cancelAfter{n: 4, cancel: cancel}
	sum, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || fake.spinCalls != 1 {
		t.Fatalf("interrupted %v, calibrations %d; want an interrupted run with one calibration", sum.Interrupted, fake.spinCalls)
	}
	// Resumed with a calibration that would give another count: the
	// recorded one is used, and no calibration runs.
	again := &fakeImpl{modes: modes, env: []string{"MPBENCH_FAKE_SPIN=9999"}}
	cfg.Impls, cfg.Resume, cfg.Progress, cfg.Seed = map[string]impl.Impl{"native": again}, true, nil, 0
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if again.spinCalls != 0 {
		t.Errorf("resume calibrated %d times, want 0", again.spinCalls)
	}
	data, _ := os.ReadFile(filepath.Join(out, RawFile))
	head, _, _ := strings.Cut(string(data), "\nrun: ")
	if !strings.Contains(head+"\n", "\n"+SpinKey("native")+": 4242\n") {
		t.Errorf("no %s: 4242 before the first result:\n%s", SpinKey("native"), head)
	}
	res, _ := rawbench.ReadDir(out)
	for _, c := range cells[1:] {
		rc := res.Cell(c.Benchmark())
		if rc == nil || len(rc.Runs) != 3 {
			t.Fatalf("%s: %+v, want 3 runs", c.Name(), rc)
		}
		for _, v := range rc.Values("ns/op") {
			if v != 4242 {
				t.Errorf("%s: a run got loop count %v, want 4242 in every run", c.Name(), v)
			}
		}
	}
	if rc := res.Cell(cells[0].Benchmark()); rc == nil || len(rc.Runs) != 3 {
		t.Errorf("startup cell: %+v, want 3 runs", rc)
	}
}

// TestCPUTaskSpinFails: a calibration that prints no count fails the cpu
// pool cells of that implementation (with the reason) and nothing else.
func TestCPUTaskSpinFails(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cells := append(startupCells("pipe"), cpuPoolCells("queue")...)
	fake := &fakeImpl{modes: map[string]string{"pipe": "ok", "queue": "pool"}, env: []string{"MPBENCH_FAKE_SPIN=lots"}}
	sum, err := Run(context.Background(), Config{Cells: cells, Impls: map[string]impl.Impl{"native": fake},
		Count: 1, Runs: 2, Benchtime: time.Millisecond, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := rawbench.ReadDir(out)
	if c := res.Cell(cells[1].Benchmark()); c == nil || !strings.Contains(c.Fail, "calibration of the cpu task failed: bad output") || len(c.Runs) != 0 {
		t.Errorf("cpu pool cell: %+v, want a calibration failure and no runs", c)
	}
	if c := res.Cell(cells[0].Benchmark()); c == nil || len(c.Runs) != 2 {
		t.Errorf("startup cell: %+v, want 2 runs", c)
	}
	if res.ConfigValue(SpinKey("native")) != "" || sum.Failed != 1 {
		t.Errorf("recorded %q, %d failures; want no count and 1 failure", res.ConfigValue(SpinKey("native")), sum.Failed)
	}
}

// TestCPUTaskSpinResumeRefused: resuming a run that has results but no
// recorded loop count for cpu pool cells is refused, and nothing is
// written.
func TestCPUTaskSpinResumeRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	fake := &fakeImpl{modes: map[string]string{"pipe": "ok", "queue": "pool"}, env: []string{"MPBENCH_FAKE_SPIN=4242"}}
	cfg := Config{Cells: startupCells("pipe"), Impls: map[string]impl.Impl{"native": fake},
		Count: 1, Runs: 2, Benchtime: time.Millisecond, Out: out}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(out, RawFile))
	cfg.Cells, cfg.Resume = append(cfg.Cells, cpuPoolCells("queue")...), true
	_, err := Run(context.Background(), cfg)
	var in *InputError
	if !errors.As(err, &in) || !errors.Is(err, ErrSettingsDiffer) || !strings.Contains(err.Error(), SpinKey("native")) {
		t.Fatalf("resume without a recorded count: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(out, RawFile)); string(after) != string(before) {
		t.Error("a refused resume changed raw.bench")
	}
	if fake.spinCalls != 0 {
		t.Errorf("a refused resume calibrated %d times", fake.spinCalls)
	}
}

// TestStopFlags: a cell whose CI stays wide is flagged with what stopped
// it — the run cap, or the time budget when the budget ended the rounds
// before its cap — and only when adaptive rounds were asked for.
func TestStopFlags(t *testing.T) {
	skipShortRace(t)
	for _, tc := range []struct {
		name          string
		runs, maxRuns int
		budget        time.Duration
		want          rawbench.Stop
		wantRuns      int
	}{
		{"run cap", 6, 7, 0, rawbench.StopRunCap, 7},
		{"time budget", 6, 12, time.Nanosecond, rawbench.StopBudget, 6},
		{"no adaptive rounds", 6, 6, 0, rawbench.StopNone, 6},
		{"no adaptive rounds, budget", 6, 6, time.Nanosecond, rawbench.StopNone, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			cells := startupCells("pipe", "queue")
			fake := &fakeImpl{modes: map[string]string{"pipe": "ok", "queue": "offset"}, env: []string{"MPBENCH_FAKE_DIR=" + t.TempDir()}}
			sum, err := Run(context.Background(), Config{Cells: cells, Impls: map[string]impl.Impl{"native": fake},
				Count: 1, Runs: tc.runs, MaxRuns: tc.maxRuns, Budget: tc.budget, Benchtime: time.Millisecond, Out: out, Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := rawbench.ReadDir(out)
			if c := res.Cell(cells[0].Benchmark()); c.Stop() != rawbench.StopNone || len(c.Notes) != 0 {
				t.Errorf("settled cell: notes %q, want none", c.Notes)
			}
			c := res.Cell(cells[1].Benchmark())
			if c.Stop() != tc.want || len(c.Runs) != tc.wantRuns {
				t.Errorf("wide cell: %d runs, notes %q; want %d runs stopped by %q", len(c.Runs), c.Notes, tc.wantRuns, tc.want)
			}
			wantBudget := 0
			if tc.want == rawbench.StopBudget {
				wantBudget = 1
			}
			if flagged := tc.want != rawbench.StopNone; sum.Unstable != map[bool]int{true: 1}[flagged] || sum.Budget != wantBudget {
				t.Errorf("summary: %d flagged, %d by the budget", sum.Unstable, sum.Budget)
			}
		})
	}
}

// optsImpl records the options each cell's command was asked with.
type optsImpl struct {
	fakeImpl
	seen map[string]impl.Options
}

func (o *optsImpl) Command(c bench.Cell, opts impl.Options) (*exec.Cmd, error) {
	o.seen[c.Name()] = opts
	return o.fakeImpl.Command(c, opts)
}

// TestCellSettingsTravel: a cell that carries its own count and benchtime
// (the dimension profile) is measured with them, whatever the run's;
// every (cell, setting) has its own runs, each with its wall time; and an
// interrupted run resumes into the same runs in the same order.
func TestCellSettingsTravel(t *testing.T) {
	pp := bench.Cell{Workload: "pingpong", Impl: "native", Method: "fork", Chan: "queue", Size: 64, Cores: 1,
		Count: 5, Benchtime: 100 * time.Millisecond}
	o := &optsImpl{fakeImpl: fakeImpl{modes: map[string]string{"queue": "skip"}}, seen: map[string]impl.Options{}}
	RunProgram(context.Background(), o, pp, impl.Options{Count: 2, Benchtime: 25 * time.Millisecond}, nil, 20*time.Second)
	if got := o.seen[pp.Name()]; got.Count != 5 || got.Benchtime != 100*time.Millisecond {
		t.Errorf("measured with count %d benchtime %v, want the cell's 5 and 100ms", got.Count, got.Benchtime)
	}

	base := startupCells("pipe")[0]
	var cells []bench.Cell
	for _, n := range []int{2, 5} {
		c := base
		c.Count = n
		cells = append(cells, c)
	}
	run := func(out string, ctx context.Context, progress io.Writer, resume bool) string {
		t.Helper()
		_, err := Run(ctx, Config{Cells: cells, Impls: map[string]impl.Impl{"native": &fakeImpl{modes: map[string]string{"pipe": "ok"}}},
			Progress: progress, Count: 3, Runs: 4, MaxRuns: 4, Benchtime: time.Millisecond, Out: out, Seed: 3, Resume: resume})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(out, RawFile))
		return string(data)
	}
	whole := filepath.Join(t.TempDir(), "run")
	data := run(whole, context.Background(), nil, false)
	res, _ := rawbench.ReadDir(whole)
	for _, c := range cells {
		rc := res.Cell(c.Benchmark())
		if rc == nil || len(rc.Runs) != 4 {
			t.Fatalf("%s: %+v, want 4 runs", c.Name(), rc)
		}
		for _, r := range rc.Runs {
			if len(r.Samples) != c.Count || r.Wall <= 0 {
				t.Errorf("%s run %d: %d samples, wall %v; want %d samples and a wall time", c.Name(), r.K, len(r.Samples), r.Wall, c.Count)
			}
		}
	}
	if res.ConfigValue("count") != "3" || strings.Count(data, "--- WALL: ") != 8 {
		t.Errorf("count %q, %d WALL lines", res.ConfigValue("count"), strings.Count(data, "--- WALL: "))
	}

	part := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run(part, ctx, &cancelAfter{n: 3, cancel: cancel}, false)
	if resumed := run(part, context.Background(), nil, true); blocks(resumed) != blocks(data) {
		t.Errorf("resumed run measured other runs or another order:\n%s\nwant\n%s", blocks(resumed), blocks(data))
	}
}

// TestEstimateUsesCellSettings: the time estimate of a cell that carries
// its own count and benchtime is that of the run settings it names.
func TestEstimateUsesCellSettings(t *testing.T) {
	base := bench.Cell{Workload: "pingpong", Impl: "cpython", Method: "fork", Chan: "pipe", Size: 64, Cores: 1}
	own := base
	own.Count, own.Benchtime = 5, 400*time.Millisecond
	if got, want := EstimateCell(own, 2, 1, 25*time.Millisecond), EstimateCell(base, 5, 1, 400*time.Millisecond); got != want {
		t.Errorf("estimate with the cell's settings %v, want %v", got, want)
	}
	d := ProfileDefaults(bench.Dimension)
	if d.Runs != DimensionRuns || d.MaxRuns != d.Runs || d.Budget != 0 {
		t.Errorf("dimension profile defaults %+v: want %d runs, no adaptive rounds, no budget", d, DimensionRuns)
	}
}

// Decision cells get their own base runs, which the time budget does not
// cut; the budget ends only adaptive runs.
func TestDecisionCellsBaseRuns(t *testing.T) {
	skipShortRace(t)
	cells := startupCells("pipe", "queue", "shm")
	modes := map[string]string{"pipe": "ok", "queue": "offset", "shm": "offset"}
	decision := map[string]bool{cells[0].Benchmark(): true, cells[2].Benchmark(): true}
	tests := []struct {
		name   string
		budget time.Duration
		want   map[string]int
		stop   map[string]rawbench.Stop
	}{
		{"budget spent at once", time.Nanosecond,
			map[string]int{"pipe": 8, "queue": 6, "shm": 8},
			map[string]rawbench.Stop{"pipe": rawbench.StopNone, "queue": rawbench.StopBudget, "shm": rawbench.StopBudget}},
		{"no budget", 0,
			map[string]int{"pipe": 8, "queue": 9, "shm": 9},
			map[string]rawbench.Stop{"pipe": rawbench.StopNone, "queue": rawbench.StopRunCap, "shm": rawbench.StopRunCap}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			fake := &fakeImpl{modes: modes, env: []string{"MPBENCH_FAKE_DIR=" + t.TempDir()}}
			_, err := Run(context.Background(), Config{Cells: cells, Impls: map[string]impl.Impl{"native": fake},
				Count: 2, Runs: 6, MaxRuns: 9, Budget: tt.budget, Decision: decision, DecisionRuns: 8,
				Benchtime: time.Millisecond, Out: out, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			res, _ := rawbench.ReadDir(out)
			for ch, want := range tt.want {
				c := res.Cell(startupCells(ch)[0].Benchmark())
				if len(c.Runs) != want || c.Stop() != tt.stop[ch] {
					t.Errorf("%s: %d runs, stop %q; want %d, %q (notes %q)", ch, len(c.Runs), c.Stop(), want, tt.stop[ch], c.Notes)
				}
			}
			if got := res.ConfigValue("decision-runs"); got != "8" {
				t.Errorf("decision-runs %q, want 8", got)
			}
		})
	}
}

// skipShortRace skips the runner tests that start many fake programs when
// run with -short: `make test` runs them in full without the race
// detector, then the race pass with -short (each is several times slower
// under -race and exercises no concurrency the other tests do not).
func skipShortRace(t *testing.T) {
	if testing.Short() {
		t.Skip("many program runs: run in full without -short")
	}
}
