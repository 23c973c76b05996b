package python

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/internal/leakcheck"
)

// testPrefix names every /dev/shm segment the tests' drivers create.
var testPrefix = fmt.Sprintf("mpbench-pytest-%d", os.Getpid())

// groups are the process groups of every driver the tests started; none
// may survive the tests.
var (
	groupsMu sync.Mutex
	groups   []int
)

// TestMain: after the tests, leftovers (the drivers' groups, the test
// prefix), then leakcheck: nothing new in /dev/shm, whatever its name
// (multiprocessing's sem.mp-…, psm_…), and no process of the tests.
func TestMain(m *testing.M) {
	os.Exit(leakcheck.Main(func() int {
		code := m.Run()
		if err := leftovers(10 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: leftovers after the tests:", err)
			code = 1
		}
		return code
	}, leakcheck.Options{}))
}

// leftovers waits up to grace for every driver process group to be empty
// and checks that no /dev/shm segment with the test prefix remains; it
// kills whatever it finds so that a failing run still leaves nothing.
func leftovers(grace time.Duration) error {
	var errs []string
	groupsMu.Lock()
	gs := append([]int(nil), groups...)
	groupsMu.Unlock()
	deadline := time.Now().Add(grace)
	for _, g := range gs {
		for syscall.Kill(-g, 0) == nil {
			if time.Now().After(deadline) {
				errs = append(errs, fmt.Sprintf("process group %d still has processes (killed now)", g))
				syscall.Kill(-g, syscall.SIGKILL)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	segs, _ := filepath.Glob("/dev/shm/" + testPrefix + "*")
	for _, s := range segs {
		errs = append(errs, "shm segment "+s+" left behind (removed now)")
		os.Remove(s)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// start runs cmd in its own process group (recorded for the leftover
// check), dying with the test binary.
func start(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	groupsMu.Lock()
	groups = append(groups, cmd.Process.Pid)
	groupsMu.Unlock()
}

// run runs cmd to completion (bounded by timeout) and returns its output.
func run(t *testing.T, cmd *exec.Cmd, timeout time.Duration) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start(t, cmd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return stdout.String(), stderr.String(), err
	case <-time.After(timeout):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		return stdout.String(), stderr.String(), fmt.Errorf("timed out after %v", timeout)
	}
}

func cpython(t *testing.T) *Impl {
	t.Helper()
	p := New("cpython", "")
	if err := p.Available(); err != nil {
		t.Fatalf("cpython must be available: %v", err)
	}
	return p
}

// TestIntegrity sends patterned payloads both ways over every channel under
// every start method and checks every byte and the order (driver --check).
func TestIntegrity(t *testing.T) {
	p := cpython(t)
	all := []int64{0, 1, 64, 64 << 10, 1 << 20, 16 << 20}
	small := all[:5] // 16 MiB through the pickling queues under every method is slow
	for _, m := range bench.Methods {
		for _, ch := range bench.Chans {
			sizes := all
			if (ch == "simplequeue" || ch == "queue") && m != "fork" {
				sizes = small
			}
			t.Run(m+"/"+ch, func(t *testing.T) {
				cmd, err := p.CheckCommand(m, ch, sizes, testPrefix)
				if err != nil {
					t.Fatal(err)
				}
				out, errOut, err := run(t, cmd, 60*time.Second)
				if err != nil || strings.TrimSpace(out) != "ok" {
					t.Fatalf("check failed: %v\nstdout: %s\nstderr: %s", err, out, errOut)
				}
				if strings.TrimSpace(errOut) != "" {
					t.Errorf("unexpected stderr: %s", errOut)
				}
			})
		}
	}
}

// TestIntegrityCatchesCorruption makes the child flip one byte of its
// answer (a test-only driver flag): the check must fail and say where.
func TestIntegrityCatchesCorruption(t *testing.T) {
	p := cpython(t)
	for _, ch := range bench.Chans {
		cmd, err := p.CheckCommand("fork", ch, []int64{0, 64, 70000}, testPrefix)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Args = append(cmd.Args, "--check-corrupt")
		out, errOut, err := run(t, cmd, 60*time.Second)
		if err == nil || strings.Contains(out, "ok") || !strings.Contains(errOut, "byte 35000") {
			t.Errorf("%s: corrupted answer not caught: err %v, stdout %q, stderr %q", ch, err, out, errOut)
		}
	}
}

// TestIntegrityTorch checks torch tensors (and bytes) through torch's
// reductions over the pickling channels.
func TestIntegrityTorch(t *testing.T) {
	p := New("torch", "")
	if err := p.Available(); err != nil {
		t.Skip(err)
	}
	// Every method over pipe, and SimpleQueue once (each run imports torch).
	for _, mc := range []struct{ method, ch string }{
		{"fork", "pipe"}, {"spawn", "pipe"}, {"forkserver", "pipe"}, {"fork", "simplequeue"},
	} {
		cmd, err := p.CheckCommand(mc.method, mc.ch, []int64{0, 64, 64 << 10, 1 << 20}, testPrefix)
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, err := run(t, cmd, 60*time.Second)
		if err != nil || strings.TrimSpace(out) != "ok" {
			t.Errorf("torch %s/%s: %v\nstdout: %s\nstderr: %s", mc.method, mc.ch, err, out, errOut)
		}
	}
}

// TestFreshTensorPerMessage checks that payload=tensor sends a fresh
// tensor per message: a reused tensor moves its storage to shared memory
// once and every later send passes only the handle. It counts
// distinct storages over the messages the driver would send.
func TestFreshTensorPerMessage(t *testing.T) {
	p := New("torch", "")
	if err := p.Available(); err != nil {
		t.Skip(err)
	}
	drv, err := DriverPath()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p.Interpreter(), "-c", `import sys
sys.path.insert(0, sys.argv[1])
import driver
class Cell: payload = "tensor"
msg = driver.make_payload(Cell, 4096)
ts = [msg() for _ in range(50)]
print(len({t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr() for t in ts}), ts[0].numel())
class Bytes: payload = "bytes"
print(len(driver.make_payload(Bytes, 64)))
`, filepath.Dir(drv))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "50 1024\n64" {
		t.Errorf("50 tensor messages: distinct storages and elements, then bytes length = %q, want \"50 1024\\n64\"", got)
	}
}

// units are the metrics each workload's result lines must carry.
var units = map[string][]string{
	"startup":  {"ns/op", "join-ns/op"},
	"pingpong": {"ns/op", "p50-ns", "p99-ns", "user-ns/op", "sys-ns/op"},
	"stream":   {"ns/op", "MB/s", "msgs/s", "user-ns/op", "sys-ns/op"},
	"pool":     {"ns/op", "tasks/s", "efficiency", "overhead-ns/op"},
	"gather":   {"ns/op", "MB/s", "msgs/s"},
	"memory":   {"ns/op", "pss-B", "uss-B", "pool-pss-B"},
}

// tiny are the options of the test cells: a short cpu task (its loop count
// would come from SpinCommand; the tests check shapes, not timings).
var tiny = impl.Options{Count: 2, Warmup: 1, Benchtime: 5 * time.Millisecond, ShmPrefix: testPrefix, CPUTaskSpin: 20000}

// runCell runs one cell and checks its output against the contract:
// exactly Count results under the cell's name, with the workload's units.
func runCell(t *testing.T, p *Impl, name string, o impl.Options) {
	t.Helper()
	c, err := bench.ParseName(name)
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := p.Command(c, o)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, cmd, 120*time.Second)
	if err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", name, err, out, errOut)
	}
	if strings.TrimSpace(errOut) != "" {
		t.Errorf("%s: unexpected stderr: %s", name, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != o.Count {
		t.Fatalf("%s: %d stdout lines, want %d:\n%s", name, len(lines), o.Count, out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, c.Benchmark()+" ") {
			t.Errorf("%s: stray stdout line %q", name, l)
		}
	}
	r := benchfmt.NewReader(strings.NewReader(out), name)
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("%s: %v", name, rec)
		case *benchfmt.Result:
			n++
			if got := strings.TrimPrefix(string(rec.Name.Full()), "Benchmark"); got != c.Name() {
				t.Errorf("result name %q, want %q", got, c.Name())
			}
			if rec.Iters < 1 {
				t.Errorf("%s: iters %d", name, rec.Iters)
			}
			if c.Workload == "stream" && rec.Iters < 2 {
				t.Errorf("%s: stream iters %d < 2", name, rec.Iters)
			}
			// The reader tidies units (ns/op → sec/op); check the originals.
			vals := map[string]float64{}
			var order []string
			for _, v := range rec.Values {
				u, x := v.Unit, v.Value
				if v.OrigUnit != "" {
					u, x = v.OrigUnit, v.OrigValue
				}
				vals[u] = x
				order = append(order, u)
			}
			if len(order) == 0 || order[0] != "ns/op" {
				t.Errorf("%s: units %v, want ns/op first", name, order)
			}
			for _, u := range units[c.Workload] {
				v, ok := vals[u]
				if !ok {
					t.Errorf("%s: missing unit %s in %q", name, u, out)
				} else if v != v || (v < 0 && !bench.Signed(u)) {
					t.Errorf("%s: %s = %v", name, u, v)
				}
			}
			if len(vals) != len(units[c.Workload]) {
				t.Errorf("%s: units %v, want exactly %v", name, order, units[c.Workload])
			}
			if vals["ns/op"] <= 0 {
				t.Errorf("%s: ns/op = %v, want > 0", name, vals["ns/op"])
			}
			// Worker-measured task time over P × makespan: a definition
			// that cannot exceed 1 beyond measurement error (14.3).
			if e, ok := vals["efficiency"]; ok && (e <= 0 || e > 1.05) {
				t.Errorf("%s: efficiency %v outside (0, 1.05]", name, e)
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if n != o.Count {
		t.Errorf("%s: %d results, want %d", name, n, o.Count)
	}
}

// TestWorkloads runs a tiny cell of every workload over every channel
// (start methods rotate so that each appears with each workload).
func TestWorkloads(t *testing.T) {
	p := cpython(t)
	params := map[string]string{
		"startup":  "rss=0",
		"pingpong": "size=64B",
		"stream":   "size=64KiB",
		"pool":     "workers=2/tasks=5/task=sleep",
		"gather":   "workers=3/size=4KiB",
	}
	for wi, w := range bench.Workloads {
		if w == bench.Memory {
			continue // no chan: among the other shapes below
		}
		for ci, ch := range bench.Chans {
			m := bench.Methods[(wi+ci)%len(bench.Methods)]
			key := "chan=" + ch
			if w == "pool" {
				key = "exec=loop/" + key
			}
			name := fmt.Sprintf("%s/impl=cpython/method=%s/%s/%s/cores=2",
				strings.ToUpper(w[:1])+w[1:], m, key, params[w])
			t.Run(name, func(t *testing.T) { runCell(t, p, name, tiny) })
		}
	}
	// The other shapes: touched memory before fork, 16 MiB chunked over
	// shm, CPU tasks with more workers than tasks per worker.
	for _, name := range []string{
		"Startup/impl=cpython/method=fork/chan=shm/rss=256MiB/cores=2",
		"Stream/impl=cpython/method=fork/chan=shm/size=16MiB/cores=2",
		"Pingpong/impl=cpython/method=spawn/chan=pipe/size=64KiB/cores=1",
		"Pool/impl=cpython/method=fork/exec=loop/chan=shm/workers=3/tasks=8/task=cpu/cores=2",
		"Pool/impl=cpython/method=spawn/exec=pool/workers=3/tasks=8/task=cpu/cores=2",
		"Pool/impl=cpython/method=forkserver/exec=ppe/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=cpython/method=fork/exec=ppe/workers=2/tasks=4/task=sleep/cores=1",
		"Pingpong/impl=cpython/method=fork/chan=pipe/payload=rawbytes/size=64B/cores=1",
		"Stream/impl=cpython/method=spawn/chan=pipe/payload=rawbytes/size=64KiB/cores=2",
		"Gather/impl=cpython/method=fork/chan=shm/workers=2/size=1536KiB/cores=2",
		"Gather/impl=cpython/method=spawn/chan=pipe/workers=1/size=0/cores=1",
		"Pool/impl=cpython/method=fork/exec=pool-cold/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=cpython/method=forkserver/exec=ppe-cold/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=300/task=tiny/chunksize=7/cores=2",
		"Pool/impl=cpython/method=spawn/exec=ppe/workers=2/tasks=300/task=tiny/cores=1",
		"Memory/impl=cpython/method=forkserver/touch=none/rss=0/workers=2/cores=2",
		"Memory/impl=cpython/method=fork/touch=gc-frozen/rss=4MiB/workers=1/cores=1",
		"Pingpong/impl=cpython/method=spawn/chan=queue/payload=objects/size=64B/cores=2",
		"Stream/impl=cpython/method=fork/chan=shm/payload=objects/size=1MiB/cores=2",
	} {
		t.Run(name, func(t *testing.T) { runCell(t, p, name, tiny) })
	}
}

// TestSkip checks the skip paths: missing interpreters and unsupported
// combinations give a readable reason, never a number.
func TestSkip(t *testing.T) {
	err := New("pypy", "/nonexistent/pypy3").Available()
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/pypy3") {
		t.Errorf("pypy with a missing interpreter: err = %v", err)
	}
	t.Logf("missing pypy: %v", err)
	if cfg := New("pypy", "/nonexistent/pypy3").Config(); cfg["pypy-unavailable"] == "" {
		t.Errorf("config of an unavailable impl: %v", cfg)
	}
	if cfg := cpython(t).Config(); cfg["cpython-python"] == "" || cfg["cpython-version"] == "" {
		t.Errorf("cpython config: %v", cfg)
	} else {
		t.Logf("cpython config: %v", cfg)
	}
	// The pyenv python3 has no torch; pick any interpreter that lacks it.
	noTorch := ""
	for _, cand := range []string{cpython(t).Interpreter(), "pypy3"} {
		if exec.Command(cand, "-c", "import torch").Run() != nil {
			noTorch = cand
			break
		}
	}
	if noTorch == "" {
		t.Log("every interpreter here has torch; torch skip path not exercised")
	} else {
		err := New("torch", noTorch).Available()
		if err == nil || !strings.Contains(err.Error(), "torch") {
			t.Errorf("torch under %s: err = %v", noTorch, err)
		}
		t.Logf("torch under %s: %v", noTorch, err)
	}
	if err := New("jython", "").Available(); err == nil {
		t.Error("unknown impl name is available")
	}
	if _, err := New("pypy", "/nonexistent/pypy3").Command(bench.Cell{
		Workload: "startup", Impl: "pypy", Method: "fork", Chan: "pipe", Cores: 1,
	}, tiny); err == nil {
		t.Error("Command of an unavailable impl succeeded")
	}

	// Unsupported combination → the driver's SKIP line, exit 0.
	tp := New("torch", "")
	if err := tp.Available(); err != nil {
		t.Skipf("torch unavailable (%v): tensor-over-shm skip line not checked", err)
	}
	c, _ := bench.ParseName("Stream/impl=torch/method=fork/chan=shm/payload=tensor/size=64KiB/cores=1")
	cmd, err := tp.Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, cmd, 60*time.Second)
	want := "--- SKIP: " + c.Benchmark() + ": "
	if err != nil || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("tensor over shm: err %v, stdout %q (want %q...), stderr %q", err, out, want, errOut)
	}
}

// TestLoky runs loky's executors under the system interpreter (Debian's
// python3-joblib vendors loky) and checks the skip line where loky is
// missing.
func TestLoky(t *testing.T) {
	sys := New("cpython", "/usr/bin/python3")
	if err := sys.Available(); err != nil {
		t.Skip(err)
	}
	if exec.Command("/usr/bin/python3", "-c", "import joblib.externals.loky").Run() != nil {
		t.Skip("/usr/bin/python3 has no joblib")
	}
	for _, ex := range []string{"loky-cold", "loky-warm"} {
		name := "Pool/impl=cpython/method=loky/exec=" + ex + "/workers=2/tasks=4/task=sleep/cores=2"
		t.Run(name, func(t *testing.T) { runCell(t, sys, name, tiny) })
	}
	// The default python3 (pyenv) has no joblib: a SKIP line with the reason.
	c, _ := bench.ParseName("Pool/impl=cpython/method=loky/exec=loky-warm/workers=2/tasks=4/task=sleep/cores=2")
	cmd, err := cpython(t).Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if exec.Command(cpython(t).Interpreter(), "-c", "import joblib").Run() == nil {
		t.Skip("the default python3 has joblib: skip path not exercised")
	}
	out, errOut, err := run(t, cmd, 60*time.Second)
	if err != nil || !strings.HasPrefix(out, "--- SKIP: "+c.Benchmark()+": loky is not importable") {
		t.Errorf("loky without joblib: err %v, stdout %q, stderr %q", err, out, errOut)
	}
}

// TestModule runs the driver with another multiprocessing module (the
// module is a parameter of the implementation, not a copy of the driver).
func TestModule(t *testing.T) {
	for _, mod := range []string{"billiard", "multiprocess"} {
		p := NewLibrary(mod, "/usr/bin/python3")
		if err := p.Available(); err != nil {
			t.Logf("%s: %v", mod, err)
			continue
		}
		if cfg := p.Config(); cfg[mod+"-module"] != mod || cfg[mod+"-module-version"] == "" {
			t.Errorf("%s config: %v", mod, cfg)
		}
		name := "Pingpong/impl=" + mod + "/method=fork/chan=pipe/size=64B/cores=2"
		c := bench.Cell{Workload: "pingpong", Impl: mod, Method: "fork", Chan: "pipe", Size: 64, Cores: 2}
		cmd, err := p.Command(c, tiny)
		if err != nil {
			t.Logf("%s: %v (impl not in bench's matrix)", mod, err)
			continue
		}
		if !strings.Contains(strings.Join(cmd.Args, " "), "--mp-module "+mod) {
			t.Errorf("%s: args %q lack --mp-module", mod, cmd.Args)
		}
		out, errOut, err := run(t, cmd, 60*time.Second)
		if err != nil || !strings.HasPrefix(out, "Benchmark"+name+" ") {
			t.Errorf("%s: err %v, stdout %q, stderr %q", mod, err, out, errOut)
		}
	}
}

// TestOtherImpls runs one cell under PyPy and torch where installed.
func TestOtherImpls(t *testing.T) {
	for _, tc := range []struct{ impl, cell string }{
		{"pypy", "Pingpong/impl=pypy/method=forkserver/chan=shm/size=4KiB/cores=2"},
		{"pypy", "Startup/impl=pypy/method=spawn/chan=simplequeue/rss=0/cores=2"},
		{"torch", "Stream/impl=torch/method=fork/chan=queue/payload=tensor/size=64KiB/cores=2"},
		{"torch", "Pingpong/impl=torch/method=fork/chan=pipe/payload=tensor/size=4KiB/cores=2"},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			p := New(tc.impl, "")
			if err := p.Available(); err != nil {
				t.Skip(err)
			}
			cfg := p.Config()
			if cfg[tc.impl+"-python"] == "" || cfg[tc.impl+"-version"] == "" {
				t.Errorf("config %v lacks %s-python or %s-version", cfg, tc.impl, tc.impl)
			}
			t.Logf("config: %v", cfg)
			runCell(t, p, tc.cell, tiny)
		})
	}
}

// TestKillLeavesNothing kills the driver with SIGKILL in the middle of a
// pool cell and checks that its children, the forkserver and the resource
// tracker all disappear and no shm segment is left.
func TestKillLeavesNothing(t *testing.T) {
	p := cpython(t)
	for _, m := range bench.Methods {
		for _, ex := range []string{"exec=pool", "exec=loop/chan=shm"} {
			name := fmt.Sprintf("Pool/impl=cpython/method=%s/%s/workers=2/tasks=4/task=sleep/cores=2", m, ex)
			t.Run(name, func(t *testing.T) {
				c, _ := bench.ParseName(name)
				o := tiny
				o.Count = 10000
				cmd, err := p.Command(c, o)
				if err != nil {
					t.Fatal(err)
				}
				out, err := cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				// A file, not a buffer: Wait must not wait for survivors
				// holding stderr open.
				stderr, err := os.CreateTemp(t.TempDir(), "stderr")
				if err != nil {
					t.Fatal(err)
				}
				defer stderr.Close()
				cmd.Stderr = stderr
				start(t, cmd)
				buf := make([]byte, 1)
				if _, err := out.Read(buf); err != nil { // first result: workers are up
					b, _ := os.ReadFile(stderr.Name())
					t.Fatalf("no output: %v; stderr %s", err, b)
				}
				pg := cmd.Process.Pid
				members := groupMembers(pg)
				if len(members) < 3 {
					t.Errorf("expected driver + workers in the group, found %v", members)
				}
				cmd.Process.Kill() // the driver only, like kill -9 of the harness
				cmd.Wait()
				deadline := time.Now().Add(5 * time.Second)
				for syscall.Kill(-pg, 0) == nil {
					if time.Now().After(deadline) {
						t.Errorf("processes survive the driver: %v", describe(groupMembers(pg)))
						syscall.Kill(-pg, syscall.SIGKILL)
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
				if segs, _ := filepath.Glob("/dev/shm/" + testPrefix + "*"); len(segs) > 0 {
					t.Errorf("segments left: %v", segs)
				}
			})
		}
	}
}

// groupMembers lists the pids of process group pg (from /proc).
func groupMembers(pg int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		var g int
		if len(f) > 2 {
			fmt.Sscan(f[2], &g)
		}
		if g == pg {
			pids = append(pids, pid)
		}
	}
	return pids
}

func describe(pids []int) string {
	var b strings.Builder
	for _, pid := range pids {
		cl, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		fmt.Fprintf(&b, "%d:%q ", pid, strings.ReplaceAll(string(cl), "\x00", " "))
	}
	return b.String()
}

// TestDriverPath checks the content-addressed driver file.
func TestDriverPath(t *testing.T) {
	path, err := DriverPath()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(filepath.Dir(path)) != "driver-"+driverHash() {
		t.Errorf("driver folder of %s is not content-addressed", path)
	}
	c, _ := bench.ParseName("Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1")
	cmd, err := cpython(t).Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "main.py" {
		t.Errorf("driver entry %s is not the main.py stub", path)
	}
	for _, f := range driverFiles() {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(path), f.Name))
		if err != nil || !bytes.Equal(b, f.Src) {
			t.Errorf("%s in the driver folder differs from the embedded file (%v)", f.Name, err)
		}
	}
	want := []string{"-u", path, "--cell", c.Name(), "--count", "2", "--warmup", "1", "--benchtime", "5ms", "--shm-prefix", testPrefix}
	if got := cmd.Args[1:]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("args %q, want %q", got, want)
	}
	if !filepath.IsAbs(cmd.Path) {
		t.Errorf("interpreter %s is not absolute", cmd.Path)
	}
	if _, err := New("pypy", "").Command(c, tiny); err == nil {
		t.Error("Command accepted a cell of another impl")
	}
}

// TestSpin: the calibration run prints one positive loop count; a cpu
// pool cell passes Options.CPUTaskSpin as --spin and is refused without
// it, by Command and by the driver itself; other cells get no --spin.
func TestSpin(t *testing.T) {
	p := cpython(t)
	cmd, err := p.SpinCommand()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, cmd, 60*time.Second)
	if err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	if n, err := strconv.ParseInt(strings.TrimSuffix(out, "\n"), 10, 64); err != nil || n < 1 || strings.Count(out, "\n") != 1 {
		t.Errorf("calibration output %q, want one line with a positive integer", out)
	}
	c, _ := bench.ParseName("Pool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1")
	cmd, err = p.Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(cmd.Args, "--spin"); i < 0 || i+1 >= len(cmd.Args) || cmd.Args[i+1] != "20000" {
		t.Errorf("args %q, want --spin 20000", cmd.Args)
	}
	noSpin := tiny
	noSpin.CPUTaskSpin = 0
	if _, err := p.Command(c, noSpin); err == nil {
		t.Error("Command of a cpu pool cell without a spin count succeeded")
	}
	// The driver refuses it too, with a reason.
	i := slices.Index(cmd.Args, "--spin")
	direct := exec.Command(cmd.Path, append(append([]string{}, cmd.Args[1:i]...), cmd.Args[i+2:]...)...)
	direct.Env, direct.Dir = cmd.Env, cmd.Dir
	out, errOut, err = run(t, direct, 60*time.Second)
	if err == nil || out != "" || !strings.Contains(errOut, "--spin is required") {
		t.Errorf("driver without --spin: err %v, stdout %q, stderr %q", err, out, errOut)
	}
	sleep, _ := bench.ParseName("Pool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=sleep/cores=1")
	if cmd, err := p.Command(sleep, noSpin); err != nil {
		t.Errorf("sleep pool cell: %v", err)
	} else if slices.Contains(cmd.Args, "--spin") {
		t.Errorf("sleep pool cell: args %q; want no --spin", cmd.Args)
	}
}

// TestPrecompiled checks that the driver's modules are imported from
// bytecode precompiled into the private folder (14.1), not compiled again.
func TestPrecompiled(t *testing.T) {
	p := cpython(t)
	c, _ := bench.ParseName("Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1")
	cmd, err := p.Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	main := cmd.Args[2]
	probe := exec.Command(p.Interpreter(), "-c", `import sys, importlib.util
sys.path.insert(0, sys.argv[1])
for m in ("mpcore", "driver"):
    spec = importlib.util.find_spec(m)
    print(m, spec.cached, __import__("os").path.exists(spec.cached))
    mod = importlib.import_module(m)
    print(m, type(mod.__spec__.loader).__name__, mod.__spec__.origin)
`, filepath.Dir(main))
	probe.Env = cmd.Env
	out, err := probe.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, m := range []string{"mpcore", "driver"} {
		if !strings.Contains(string(out), m+" ") || !strings.Contains(string(out), ".pyc True") {
			t.Errorf("%s has no precompiled bytecode:\n%s", m, out)
		}
	}
}

// TestDeadChild makes every child exit mid-exchange (the test-only
// MPBENCH_TEST_CHILD_EXIT hook) and checks that the cell fails within 5 s
// with the child's exit status as the reason, for every method × channel
// (startup: before the first message; pingpong: after the first message the
// child received) and for pool, gather and memory workers.
func TestDeadChild(t *testing.T) {
	p := cpython(t)
	var names []string
	for _, m := range bench.Methods {
		for _, ch := range bench.Chans {
			names = append(names,
				fmt.Sprintf("Startup/impl=cpython/method=%s/chan=%s/rss=0/cores=2", m, ch),
				fmt.Sprintf("Pingpong/impl=cpython/method=%s/chan=%s/size=64B/cores=2", m, ch))
		}
	}
	names = append(names,
		"Stream/impl=cpython/method=fork/chan=simplequeue/size=64B/cores=2",
		"Pool/impl=cpython/method=fork/exec=loop/chan=shm/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=spawn/exec=loop/chan=queue/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=forkserver/exec=ppe/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=fork/exec=pool-cold/workers=2/tasks=4/task=sleep/cores=2",
		"Pool/impl=cpython/method=spawn/exec=ppe-cold/workers=2/tasks=4/task=sleep/cores=2",
		"Gather/impl=cpython/method=fork/chan=pipe/workers=2/size=64B/cores=2",
		"Gather/impl=cpython/method=forkserver/chan=shm/workers=2/size=64B/cores=2",
		"Gather/impl=cpython/method=spawn/chan=queue/workers=2/size=64B/cores=2",
		"Memory/impl=cpython/method=fork/touch=read/rss=0/workers=2/cores=2",
		"Memory/impl=cpython/method=forkserver/touch=none/rss=0/workers=2/cores=2",
		"Stream/impl=cpython/method=fork/chan=shm/payload=objects/size=64KiB/cores=2")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, err := bench.ParseName(name)
			if err != nil {
				t.Fatal(err)
			}
			cmd, err := p.Command(c, tiny)
			if err != nil {
				t.Fatal(err)
			}
			cmd.Env = append(cmd.Env, "MPBENCH_TEST_CHILD_EXIT=7")
			t0 := time.Now()
			out, errOut, err := run(t, cmd, 30*time.Second)
			d := time.Since(t0)
			if err == nil {
				t.Fatalf("cell succeeded although its child exited: %s", out)
			}
			if d > 5*time.Second {
				t.Errorf("failed after %v, want < 5 s", d)
			}
			if last := lastLine(errOut); !strings.Contains(last, "exited with code 7") {
				t.Errorf("last stderr line %q does not give the exit status; stderr:\n%s", last, errOut)
			}
		})
	}
}

// TestCore checks the definitions mpcore.py states once (percentile,
// sizes, result lines, the CPU task) under the default interpreter.
func TestCore(t *testing.T) {
	p := cpython(t)
	drv, err := DriverPath()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p.Interpreter(), "-c", `import sys
sys.path.insert(0, sys.argv[1])
import mpcore as m
xs = list(range(1, 101))
print(m.percentile(xs, 99), m.percentile(xs, 50), m.percentile(xs, 100), m.percentile([7], 99), m.percentile(list(range(1, 201)), 99.0))
print(m.format_size(0), m.format_size(64), m.format_size(4096), m.format_size(3 << 20), m.parse_size("1MiB"), m.parse_size("64B"))
print(m.result_line("X/a=1", 3, 1234.5, [(0.98765432, "efficiency"), (12, "p50-ns")]))
print(m.spin(1000) == (lambda: __import__("functools").reduce(lambda a, b: a ^ b, range(1000), 0))())
print(m.parse_duration("1.5s"), m.parse_duration("100ms"))
print(m.note_line("X/a=1", "two\n  lines"), "|", m.skip_line("X/a=1", "why\nnot"), "|", m.exc_text(ValueError("bad\nmore")), "|", m.exc_text(KeyError()))
print(m.grow_iters(lambda n: n * 1000, 10000), m.grow_iters(lambda n: n, 5))
`, filepath.Dir(drv))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := "99 50 100 7 198\n" +
		"0 64B 4KiB 3MiB 1048576 64\n" +
		"BenchmarkX/a=1 3 1234 ns/op 0.987654 efficiency 12 p50-ns\n" +
		"True\n" +
		"1500000000 100000000\n" +
		"--- NOTE: BenchmarkX/a=1: two lines | --- SKIP: BenchmarkX/a=1: why not | ValueError: bad | KeyError: KeyError\n" +
		"13 7\n"
	if string(out) != want {
		t.Errorf("mpcore definitions:\n got %q\nwant %q", out, want)
	}
}

// TestCellSettings: a cell that names its own count and benchtime (the
// dimension profile) runs under that name when the options agree, and
// fails with a reason when they do not.
func TestCellSettings(t *testing.T) {
	p := cpython(t)
	runCell(t, p, "Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=1/benchtime=5ms/count=2", tiny)
	runCell(t, p, "Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1/count=2", tiny)
	c, _ := bench.ParseName("Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1/count=5")
	cmd, err := p.Command(c, tiny)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, cmd, 60*time.Second)
	if err == nil || out != "" || !strings.Contains(errOut, "names its own count/benchtime") {
		t.Errorf("count 5 in the name, --count 2: err %v, stdout %q, stderr %q", err, out, errOut)
	}
}
