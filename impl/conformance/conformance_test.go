// Package conformance checks that every implementation available here
// measures what the contract of package impl defines: the shape of one
// sample (one start, one map, or a mean over a calibrated number of
// operations), the metrics each workload must carry, the calibration
// program of the cpu task (one positive loop count), the nearest-rank
// percentile, the pool efficiency and the pool overhead — the same in Go
// and in the Python core (impl/python/mpcore.py).
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/native"
	"github.com/mpbench/mpbench/impl/python"
)

// TestMain makes this test binary the native measured program too:
// native.Impl.Command re-executes the running binary as
// `<binary> __native-cell …`, and native spawn children and forkserver
// re-execute it in their hidden roles.
func TestMain(m *testing.M) {
	native.ChildMain()
	if len(os.Args) > 1 && os.Args[1] == "__native-cell" {
		if err := native.CellMain(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "conformance: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// implementations are every implementation the conformance test runs.
func implementations() []impl.Impl {
	return []impl.Impl{native.New(), python.New("cpython", "")}
}

// cells are tiny cells of every workload; the CPU pool runs twice as many
// workers as cores, where task times measured as wall time instead of CPU
// time would add up to more than the cores can give. The Python
// implementations also start a child of a fork server that preloads
// nothing under a main module with stdlib imports (the main and preload
// keys; impl=native has no main module) and run a cold pool (native has
// exec=loop only). Gather runs W = 2 × cores workers over pipe and 2 over
// simplequeue (native prints skip lines: not implemented there). Memory
// starts 2 fork workers from a parent of 16 MiB of objects that they read
// (native: a skip line); the Python implementations also stream a list of
// dicts (payload=objects; the numpy payloads skip without numpy).
func cells(im string, cores int) []string {
	cs := []string{
		fmt.Sprintf("Startup/impl=%s/method=fork/chan=pipe/rss=0/cores=%d", im, cores),
		fmt.Sprintf("Pingpong/impl=%s/method=fork/chan=simplequeue/size=64B/cores=%d", im, cores),
		fmt.Sprintf("Stream/impl=%s/method=fork/chan=queue/size=4KiB/cores=%d", im, cores),
		fmt.Sprintf("Pool/impl=%s/method=fork/exec=loop/chan=pipe/workers=%d/tasks=%d/task=cpu/cores=%d",
			im, 2*cores, bench.PoolTasks(2*cores), cores),
		fmt.Sprintf("Pool/impl=%s/method=fork/exec=loop/chan=queue/workers=2/tasks=16/task=sleep/cores=%d", im, cores),
		fmt.Sprintf("Gather/impl=%s/method=fork/chan=pipe/workers=%d/size=64B/cores=%d", im, 2*cores, cores),
		fmt.Sprintf("Gather/impl=%s/method=fork/chan=simplequeue/workers=2/size=4KiB/cores=%d", im, cores),
		fmt.Sprintf("Memory/impl=%s/method=fork/touch=read/rss=16MiB/workers=2/cores=%d", im, cores),
	}
	if im != "native" {
		cs = append(cs, fmt.Sprintf("Startup/impl=%s/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=%d", im, cores),
			fmt.Sprintf("Pool/impl=%s/method=fork/exec=pool-cold/workers=2/tasks=16/task=cpu/cores=%d", im, cores),
			fmt.Sprintf("Memory/impl=%s/method=spawn/touch=none/rss=0/workers=1/cores=%d", im, cores),
			fmt.Sprintf("Stream/impl=%s/method=fork/chan=pipe/payload=objects/size=4KiB/cores=%d", im, cores),
			fmt.Sprintf("Pingpong/impl=%s/method=fork/chan=shm/payload=ndarray-oob/size=64KiB/cores=%d", im, cores))
	}
	return cs
}

const samplesPerRun = 3

// TestDefinitions runs each implementation on each tiny cell and checks
// the definitions on its output.
func TestDefinitions(t *testing.T) {
	cores := runtime.NumCPU() // no affinity is set: the cell's cores are the process's
	for _, im := range implementations() {
		t.Run("impl="+im.Name(), func(t *testing.T) {
			if err := im.Available(); err != nil {
				t.Skipf("%s is not available here: %v", im.Name(), err)
			}
			spin := calibrateSpin(t, im)
			for i, name := range cells(im.Name(), cores) {
				t.Run(name, func(t *testing.T) {
					c, err := bench.ParseName(name)
					if err != nil {
						t.Fatal(err)
					}
					o := impl.Options{Count: samplesPerRun, Warmup: 1, Benchtime: 10 * time.Millisecond,
						ShmPrefix: fmt.Sprintf("mpbench-conformance-%d-%s-%d", os.Getpid(), im.Name(), i), CPUTaskSpin: spin}
					out := measure(t, im, c, o)
					for _, p := range checkOutput(c, o, out) {
						t.Error(p)
					}
				})
			}
		})
	}
}

// calibrateSpin runs the implementation's calibration program of the cpu
// task, which must print exactly one line with a positive loop count.
func calibrateSpin(t *testing.T, im impl.Impl) int64 {
	t.Helper()
	cmd, err := im.SpinCommand()
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, cmd)
	n, err := strconv.ParseInt(strings.TrimSuffix(string(out), "\n"), 10, 64)
	if err != nil || n < 1 || strings.Count(string(out), "\n") != 1 {
		t.Fatalf("calibration of the cpu task printed %q, want one line with a positive integer", out)
	}
	return n
}

// measure runs the measured program of one cell and returns its stdout.
func measure(t *testing.T, im impl.Impl, c bench.Cell, o impl.Options) []byte {
	t.Helper()
	cmd, err := im.Command(c, o)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, cmd)
	if s := string(out); strings.HasPrefix(s, "--- SKIP") {
		t.Skipf("%s", strings.TrimSpace(s))
	}
	return out
}

// run runs a command of an implementation (its environment and folder
// kept) and returns its stdout; a failure fails the test.
func run(t *testing.T, cmd *exec.Cmd) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r := exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	r.Env, r.Dir = cmd.Env, cmd.Dir
	var stdout, stderr bytes.Buffer
	r.Stdout, r.Stderr = &stdout, &stderr
	if err := r.Run(); err != nil {
		t.Fatalf("%v: %v\nstderr:\n%s", cmd.Args, err, stderr.String())
	}
	return stdout.Bytes()
}

// checkOutput lists every way out breaks the definitions of cell c.
func checkOutput(c bench.Cell, o impl.Options, out []byte) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	r := benchfmt.NewReader(bytes.NewReader(out), c.Name())
	n := 0
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			bad("not a result line: %v", r.Result())
			continue
		}
		n++
		if got := string(res.Name.Full()); got != c.Name() {
			bad("result name %q, want %q", got, c.Name())
		}
		vals := map[string]float64{}
		var units []string
		for _, v := range res.Values {
			u, x := bench.Metric(v)
			vals[u] = x
			units = append(units, u)
		}
		for _, u := range bench.RequiredUnits(c.Workload) {
			if _, ok := vals[u]; !ok {
				bad("sample %d: required metric %s missing (have %v)", n, u, units)
			}
		}
		switch c.Workload {
		case "startup", "pool", bench.Memory:
			if res.Iters != 1 {
				bad("sample %d: %s sample over %d operations, want exactly one (one start / one map / one start of the workers)", n, c.Workload, res.Iters)
			}
		default:
			if res.Iters < 1 {
				bad("sample %d: iters %d", n, res.Iters)
			}
		}
		switch c.Workload {
		case "pingpong":
			if p50, p99 := vals["p50-ns"], vals["p99-ns"]; p50 > p99 {
				bad("sample %d: p50 %.0f ns > p99 %.0f ns", n, p50, p99)
			}
		case bench.Gather:
			problems = append(problems, checkGather(c, n, res.Iters, vals)...)
		case bench.Memory:
			problems = append(problems, checkMemory(c, n, vals)...)
		case "pool":
			e := vals["efficiency"]
			if !(e > 0 && e <= 1.05) {
				bad("sample %d: efficiency %.3f outside (0, 1.05]", n, e)
			}
			// Both derive from the same measured task times: overhead =
			// makespan − ceil(T/P) × Σtask/T with Σtask = efficiency × P ×
			// makespan (up to the printed digits of efficiency).
			par := impl.CellParallelism(c)
			ms := vals["ns/op"]
			want := impl.PoolOverhead(e*float64(par)*ms, ms, c.Tasks, par)
			if got := vals["overhead-ns/op"]; math.Abs(got-want) > 1e-3*ms {
				bad("sample %d: overhead %.0f ns, want %.0f ns from makespan %.0f ns and efficiency %.4f", n, got, want, ms, e)
			}
		}
		for u, x := range vals {
			if (x < 0 && !bench.Signed(u)) || math.IsNaN(x) || math.IsInf(x, 0) {
				bad("sample %d: %s = %v", n, u, x)
			}
		}
	}
	if err := r.Err(); err != nil {
		bad("reading the output: %v", err)
	}
	if lines := strings.Count(string(out), "\n"); n != o.Count || lines != o.Count {
		bad("%d result lines (%d lines), want exactly %d (samples per run):\n%s", n, lines, o.Count, out)
	}
	return problems
}

// checkGather checks one gather sample against the definitions: iters is
// the messages of all workers together (a positive multiple of workers),
// and msgs/s = 1e9 / ns/op, MB/s = size × 1e3 / ns/op — the same span t1 −
// t0 over the same messages (up to the printed digits).
func checkGather(c bench.Cell, n, iters int, vals map[string]float64) []string {
	var out []string
	if iters < c.Workers || iters%c.Workers != 0 {
		out = append(out, fmt.Sprintf("sample %d: %d messages, want a positive multiple of the %d workers", n, iters, c.Workers))
	}
	ns := vals["ns/op"]
	for _, m := range []struct {
		unit string
		want float64
	}{{"msgs/s", 1e9 / ns}, {"MB/s", float64(c.Size) * 1e3 / ns}} {
		if got := vals[m.unit]; math.Abs(got-m.want) > 1e-3*m.want {
			out = append(out, fmt.Sprintf("sample %d: %s = %v, want %v from %v ns per message", n, m.unit, got, m.want, ns))
		}
	}
	return out
}

// checkMemory checks one memory sample against the definitions
// (impl.SmapsRollup): 0 < uss ≤ pss per worker (a private page counts
// whole in both), and the pool's pss is workers × the mean (up to the
// printed digits).
func checkMemory(c bench.Cell, n int, vals map[string]float64) []string {
	var out []string
	pss, uss, pool := vals["pss-B"], vals["uss-B"], vals["pool-pss-B"]
	if !(uss > 0 && uss <= pss) {
		out = append(out, fmt.Sprintf("sample %d: uss %v, pss %v: want 0 < uss ≤ pss", n, uss, pss))
	}
	if want := float64(c.Workers) * pss; math.Abs(pool-want) > 1e-3*want {
		out = append(out, fmt.Sprintf("sample %d: pool-pss-B %v, want %d × %v", n, pool, c.Workers, pss))
	}
	return out
}

// TestSmapsRollup: impl.SmapsRollup and mpcore.parse_smaps_rollup read the
// same numbers from the same smaps_rollup text (this process's), and a
// text without one of the lines is an error.
func TestSmapsRollup(t *testing.T) {
	text, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Skipf("no smaps_rollup here: %v", err)
	}
	pss, uss, err := impl.SmapsRollup(string(text))
	if err != nil || uss <= 0 || uss > pss {
		t.Fatalf("SmapsRollup: pss %d, uss %d, %v", pss, uss, err)
	}
	js, _ := json.Marshal(string(text))
	out := pythonCore(t, fmt.Sprintf("print(json.dumps(list(mpcore.parse_smaps_rollup(%s))))", js))
	var got [2]int64
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got != [2]int64{pss, uss} {
		t.Errorf("Python pss, uss = %v, Go %v", got, [2]int64{pss, uss})
	}
	if _, _, err := impl.SmapsRollup("Rss: 4 kB\nPss: 4 kB\nPrivate_Clean: 0 kB\n"); err == nil {
		t.Error("a text without Private_Dirty was accepted")
	}
}

// percentileCases are the sorted inputs 1..n of the percentile checks.
var percentileCases = []int{1, 2, 3, 7, 10, 99, 100, 101, 200, 1000, 1001}

// TestPercentileGo: the Go definition, impl.Percentile, is the nearest
// rank x[ceil(q·n)−1].
func TestPercentileGo(t *testing.T) {
	for _, tc := range []struct {
		n    int
		q    float64
		want int
	}{
		{100, 0.99, 99}, {100, 0.50, 50}, {10, 0.99, 10}, {10, 0.50, 5}, {1, 0.99, 1}, {1, 0.50, 1},
		{2, 0.50, 1}, {3, 0.50, 2}, {101, 0.99, 100}, {200, 0.99, 198}, {1000, 0.99, 990}, {1001, 0.50, 501},
	} {
		if got := impl.Percentile(seq(tc.n), tc.q); got != tc.want {
			t.Errorf("Percentile(1..%d, %v) = %d, want %d", tc.n, tc.q, got, tc.want)
		}
	}
}

// TestPercentilePython: mpcore.percentile gives the same value as
// impl.Percentile for every case.
func TestPercentilePython(t *testing.T) {
	ns, _ := json.Marshal(percentileCases)
	out := pythonCore(t, fmt.Sprintf(`out = []
for n in %s:
    xs = list(range(1, n + 1))
    out.append([mpcore.percentile(xs, 50), mpcore.percentile(xs, 99)])
print(json.dumps(out))`, ns))
	var got [][2]int
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != len(percentileCases) {
		t.Fatalf("%d answers for %d cases", len(got), len(percentileCases))
	}
	for i, n := range percentileCases {
		want := [2]int{impl.Percentile(seq(n), 0.50), impl.Percentile(seq(n), 0.99)}
		if got[i] != want {
			t.Errorf("1..%d: Python p50, p99 = %v, Go %v", n, got[i], want)
		}
	}
}

// pythonCore runs a script with mpcore imported (and json) under the
// default CPython and returns its stdout; it skips without one.
func pythonCore(t *testing.T, script string) []byte {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "python"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mpcore.py")); err != nil {
		t.Skipf("no Python core to check: %v", err)
	}
	py := python.New("cpython", "")
	if err := py.Available(); err != nil {
		t.Skipf("cpython is not available here: %v", err)
	}
	cmd := exec.Command(py.Interpreter(), "-c", fmt.Sprintf("import json, sys\nsys.path.insert(0, %q)\nimport mpcore\n", dir)+script)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	return out
}

// TestPoolEfficiency: the efficiency of a fake pool with known task
// times, and the parallelism it is measured against.
func TestPoolEfficiency(t *testing.T) {
	const ms = 1e6
	for _, tc := range []struct {
		name                  string
		workers, tasks, cores int
		cpu                   bool
		taskMs                []float64
		makespanMs            float64
		want                  float64
	}{
		// 2 workers, 8 tasks of 10 ms, no overhead: 40 ms, efficiency 1.
		{"perfect", 2, 8, 2, true, repeat(8, 10), 40, 1},
		// the same map with 10 ms of pool overhead.
		{"overhead", 2, 8, 2, true, repeat(8, 10), 50, 0.8},
		// 4 CPU workers on 2 cores: at most 2 tasks run at once.
		{"cpu workers > cores", 4, 8, 2, true, repeat(8, 10), 40, 1},
		// 4 sleeping workers on 1 core: all 4 sleep at once.
		{"sleep workers > cores", 4, 8, 1, false, repeat(8, 10), 20, 1},
		// fewer tasks than workers: only 2 can run.
		{"tasks < workers", 4, 2, 4, true, repeat(2, 10), 10, 1},
		// one slow task dominates the makespan.
		{"straggler", 2, 4, 2, true, []float64{10, 10, 10, 30}, 40, 0.75},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sum float64
			for _, d := range tc.taskMs {
				sum += d * ms
			}
			par := impl.PoolParallelism(tc.workers, tc.tasks, tc.cores, tc.cpu)
			got := impl.PoolEfficiency(sum, tc.makespanMs*ms, par)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("efficiency %v, want %v (parallelism %d)", got, tc.want, par)
			}
			if got > 1.05 {
				t.Errorf("efficiency %v > 1.05 for a pool whose task times fit its makespan", got)
			}
		})
	}
}

// overheadCases are fake pool maps with known task times: Σ task time,
// makespan (ms), tasks, parallelism, and the overhead (ms).
var overheadCases = []struct {
	name               string
	taskMs, makespanMs float64
	tasks, parallelism int
	wantMs             float64
}{
	// 2 workers, 8 tasks of 10 ms: ideal 4 rounds × 10 ms = 40 ms.
	{"perfect", 80, 40, 8, 2, 0},
	{"10 ms of pool", 80, 50, 8, 2, 10},
	// 3 workers, 8 tasks of 10 ms: ceil(8/3) = 3 rounds, ideal 30 ms.
	{"last round not full", 80, 34, 8, 3, 4},
	// one worker: the tasks back to back.
	{"one worker", 80, 83, 8, 1, 3},
	// measured tasks longer than the makespan allows: below 0.
	{"measurement error", 84, 40, 8, 2, -2},
	{"no tasks", 0, 5, 0, 2, 0},
}

// TestPoolOverhead: the Go definition, impl.PoolOverhead = makespan −
// ceil(tasks / P) × mean task time.
func TestPoolOverhead(t *testing.T) {
	const ms = 1e6
	for _, tc := range overheadCases {
		got := impl.PoolOverhead(tc.taskMs*ms, tc.makespanMs*ms, tc.tasks, tc.parallelism)
		if math.Abs(got-tc.wantMs*ms) > 1e-6 {
			t.Errorf("%s: overhead %v ns, want %v ms", tc.name, got, tc.wantMs)
		}
	}
}

// TestPoolOverheadPython: mpcore.pool_overhead gives the same values.
func TestPoolOverheadPython(t *testing.T) {
	var args [][4]int64
	for _, tc := range overheadCases {
		args = append(args, [4]int64{int64(tc.taskMs * 1e6), int64(tc.makespanMs * 1e6), int64(tc.tasks), int64(tc.parallelism)})
	}
	js, _ := json.Marshal(args)
	out := pythonCore(t, fmt.Sprintf(`print(json.dumps([mpcore.pool_overhead(*a) for a in %s]))`, js))
	var got []float64
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(overheadCases) {
		t.Fatalf("%v: %s", err, out)
	}
	for i, a := range args {
		want := impl.PoolOverhead(float64(a[0]), float64(a[1]), int(a[2]), int(a[3]))
		if got[i] != want {
			t.Errorf("%s: Python %v, Go %v", overheadCases[i].name, got[i], want)
		}
	}
}

func seq(n int) []int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i + 1
	}
	return xs
}

func repeat(n int, v float64) []float64 {
	return slices.Repeat([]float64{v}, n)
}
