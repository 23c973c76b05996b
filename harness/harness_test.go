package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// The test binary doubles as a fake measured program: with MPBENCH_FAKE
// set it behaves as the mode says and exits, instead of running tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("MPBENCH_FAKE"); mode != "" {
		os.Exit(fakeProgram(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
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
	modes   map[string]string // chan → mode
	unavail string
	env     []string
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
	cmd.Env = append(os.Environ(), append(f.env, "MPBENCH_FAKE="+f.modes[c.Chan])...)
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
		Count: 4, Rounds: 2, Warmup: 1, Benchtime: time.Millisecond, Timeout: 20 * time.Second,
		Out: out, Args: []string{"--count", "4"},
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := OpenResultsReadOnly(out)
	if err != nil {
		t.Fatal(err)
	}
	cells := cfg.Cells
	if got := res.Samples[cells[0].Benchmark()]; got != 4 {
		t.Errorf("ok cell: %d samples, want 4", got)
	}
	if _, ok := res.Skipped[cells[1].Benchmark()]; !ok {
		t.Errorf("skip cell not recorded as skipped")
	}
	if r := res.Failed[cells[2].Benchmark()]; !strings.Contains(r, "bad output") {
		t.Errorf("garbage cell: failure %q, want bad output", r)
	}
	if r := res.Failed[cells[3].Benchmark()]; !strings.Contains(r, "something broke") {
		t.Errorf("crash cell: failure %q, want the stderr line", r)
	}
	if sum.Failed != 2 || sum.Skipped != 1 {
		t.Errorf("summary %+v", sum)
	}
	for _, k := range []string{"goos", "nproc", "profile", "count", "cpus-cores-1", "fake-impl", "mpbench-args"} {
		if res.Config[k] == "" {
			t.Errorf("config line %s missing", k)
		}
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
	res, _ := OpenResultsReadOnly(out)
	if r := res.Skipped[startupCells("pipe")[0].Benchmark()]; r != "interpreter not found" {
		t.Errorf("skip reason %q", r)
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
	res, _ := OpenResultsReadOnly(out)
	if r := res.Failed[startupCells("pipe")[0].Benchmark()]; !strings.HasPrefix(r, "timeout after 2s") {
		t.Errorf("failure %q, want timeout", r)
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
		Count: 6, Rounds: 2, Warmup: 1, Benchtime: time.Millisecond, Out: out, Seed: 7}

	// Interrupt after the first recorded batch.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if res, err := OpenResultsReadOnly(out); err == nil && len(res.Samples) > 0 {
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
	res, _ := OpenResultsReadOnly(out)
	for _, c := range cells {
		if got := res.Samples[c.Benchmark()]; got != 6 {
			t.Errorf("%s: %d samples after resume, want 6", c.Name(), got)
		}
	}
	if strings.Contains(string(after), "chan=pi\n") || strings.Contains(string(after), "chan=piBenchmark") {
		t.Errorf("torn line survived")
	}
}

func TestCreateRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	keep := filepath.Join(dir, "keep.txt")
	os.WriteFile(keep, []byte("precious"), 0o644)
	if _, err := CreateResults(dir, nil); err == nil {
		t.Fatal("CreateResults accepted a non-empty folder")
	}
	if data, _ := os.ReadFile(keep); string(data) != "precious" {
		t.Fatal("existing file changed")
	}
	if _, err := os.Stat(filepath.Join(dir, RawFile)); err == nil {
		t.Fatal("raw.bench written into a refused folder")
	}
}

func TestPlanRunsRounds(t *testing.T) {
	cells := startupCells("pipe", "queue")
	res := &Results{Samples: map[string]int{cells[0].Benchmark(): 3}, Skipped: map[string]string{}, Failed: map[string]string{}}
	tests := []struct {
		count, rounds int
		want          map[string]int // runs per cell
		total         map[string]int // samples per cell
	}{
		{10, 2, map[string]int{"pipe": 2, "queue": 2}, map[string]int{"pipe": 7, "queue": 10}},
		{3, 1, map[string]int{"pipe": 0, "queue": 1}, map[string]int{"pipe": 0, "queue": 3}},
		{6, 3, map[string]int{"pipe": 2, "queue": 3}, map[string]int{"pipe": 3, "queue": 6}},
	}
	for _, tt := range tests {
		plan := planRuns(Config{Cells: cells, Count: tt.count, Rounds: tt.rounds, Seed: 1}, res)
		runs, samples := map[string]int{}, map[string]int{}
		for _, r := range plan {
			runs[r.cell.Chan]++
			samples[r.cell.Chan] += r.count
		}
		for ch := range tt.want {
			if runs[ch] != tt.want[ch] || samples[ch] != tt.total[ch] {
				t.Errorf("count %d rounds %d %s: %d runs/%d samples, want %d/%d",
					tt.count, tt.rounds, ch, runs[ch], samples[ch], tt.want[ch], tt.total[ch])
			}
		}
	}
}
