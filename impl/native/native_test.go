package native

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

var (
	allMethods = []string{"spawn", "fork", "forkserver"}
	allChans   = []string{"pipe", "simplequeue", "queue", "shm"}
)

// testStarter opens a start method, skipping what the race detector
// cannot run.
func testStarter(t *testing.T, method string) starter {
	t.Helper()
	if raceEnabled && method != "spawn" {
		t.Skipf("%s children run restricted code that cannot run under the race detector", method)
	}
	st, err := newStarter(method)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.close(); err != nil {
			t.Errorf("closing %s: %v", method, err)
		}
	})
	return st
}

func testPrefix() string { return fmt.Sprintf("mpbench-nativetest-%d", os.Getpid()) }

// pattern fills a message so that any lost, reordered or interleaved
// byte is detected: the message index in the first 8 bytes, then bytes
// derived from the index and position.
func pattern(b []byte, idx int) {
	for i := range b {
		b[i] = byte(i*31 + idx*7 + 1)
	}
	if len(b) >= 8 {
		put64(b[:8], uint64(idx))
	}
}

func checkPattern(b []byte) (int, error) {
	idx := 0
	if len(b) >= 8 {
		idx = int(get64(b[:8]))
	}
	want := make([]byte, len(b))
	pattern(want, idx)
	if !bytes.Equal(b, want) {
		return idx, fmt.Errorf("message %d (%d B) corrupted", idx, len(b))
	}
	return idx, nil
}

// TestPayloads: every channel delivers intact payloads of 0 B … 16 MiB
// both ways, in order, under every start method.
func TestPayloads(t *testing.T) {
	sizes := []int{0, 1, 64, 1 << 20, 16 << 20}
	for _, method := range allMethods {
		t.Run("method="+method, func(t *testing.T) {
			st := testStarter(t, method)
			for _, chName := range allChans {
				t.Run("chan="+chName, func(t *testing.T) {
					kind := kindNames[chName]
					ch, err := newChannel(kind, testPrefix(), spinBudget())
					if err != nil {
						t.Fatal(err)
					}
					pr, err := st.start(childParams{Workload: wEcho, Kind: kind, Size: 16 << 20, Spin: spinBudget()}, ch)
					if err != nil {
						ch.close()
						t.Fatal(err)
					}
					ch.closeChildFds()
					watchdog := time.AfterFunc(20*time.Second, pr.kill) // a hang becomes a receive error
					defer watchdog.Stop()
					msgs := make([][]byte, 0, 2*len(sizes))
					for i, size := range append(sizes, sizes...) {
						m := make([]byte, size)
						pattern(m, i)
						msgs = append(msgs, m)
					}
					got := make([]byte, 16<<20)
					for i, m := range msgs {
						if err := ch.send(m); err != nil {
							t.Fatalf("send %d: %v", i, err)
						}
						n, err := ch.recv(got)
						if err != nil {
							t.Fatalf("recv %d: %v", i, err)
						}
						if !bytes.Equal(got[:n], m) {
							t.Fatalf("message %d of %d B came back as %d B, contents equal: %v", i, len(m), n, n == len(m) && bytes.Equal(got[:n], m))
						}
					}
					if err := ch.send(echoStop[:]); err != nil {
						t.Fatal(err)
					}
					if err := ch.close(); err != nil {
						t.Error(err)
					}
					if err := pr.join(); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

// TestConcurrentProducers: several children take messages from one
// SimpleQueue/Queue/shm channel and put them back concurrently (reader
// and writer locks); every message arrives whole, exactly once.
func TestConcurrentProducers(t *testing.T) {
	const children, messages = 3, 60
	for _, method := range []string{"fork", "spawn"} {
		for _, chName := range []string{"simplequeue", "queue", "shm"} {
			t.Run("method="+method+"/chan="+chName, func(t *testing.T) {
				st := testStarter(t, method)
				kind := kindNames[chName]
				ch, err := newChannel(kind, testPrefix(), spinBudget())
				if err != nil {
					t.Fatal(err)
				}
				var procs []proc
				defer func() {
					for range procs {
						if t.Failed() {
							break
						}
						ch.send(echoStop[:])
					}
					failed := t.Failed()
					if failed {
						for _, pr := range procs {
							pr.kill()
						}
					}
					ch.close()
					for _, pr := range procs {
						if err := pr.join(); err != nil && !failed {
							t.Error(err)
						}
					}
				}()
				const maxSize = 700 << 10 // > one shm slot, > a pipe buffer
				for i := 0; i < children; i++ {
					pr, err := st.start(childParams{Workload: wEcho, Kind: kind, Size: maxSize, Spin: spinBudget()}, ch)
					if err != nil {
						t.Fatal(err)
					}
					procs = append(procs, pr)
				}
				ch.closeChildFds()
				// Watchdog: a corrupted stream may leave the parent waiting
				// for bytes that never come; killing the children turns
				// that into a receive error.
				watchdog := time.AfterFunc(20*time.Second, func() {
					for _, pr := range procs {
						pr.kill()
					}
				})
				defer watchdog.Stop()
				msgs := make([][]byte, messages)
				for i := range msgs {
					msgs[i] = make([]byte, 8+(i*37919)%maxSize)
					pattern(msgs[i], i)
				}
				sendErr := make(chan error, 1)
				go func() {
					for _, m := range msgs {
						if err := ch.send(m); err != nil {
							sendErr <- err
							return
						}
					}
					sendErr <- nil
				}()
				seen := make([]bool, messages)
				buf := make([]byte, maxSize)
				for i := 0; i < messages; i++ {
					n, err := ch.recv(buf)
					if err != nil {
						t.Fatalf("recv: %v", err)
					}
					idx, err := checkPattern(buf[:n])
					if err != nil {
						t.Fatal(err)
					}
					if idx >= messages || seen[idx] || n != len(msgs[idx]) {
						t.Fatalf("unexpected message %d of %d B", idx, n)
					}
					seen[idx] = true
				}
				if err := <-sendErr; err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// openFds and shmEntries count the resources a test could leak.
func openFds(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		out = append(out, e.Name()+" -> "+target)
	}
	return out
}

func shmEntries(t *testing.T) []string {
	t.Helper()
	m, _ := filepath.Glob("/dev/shm/mpbench-nativetest-*")
	return m
}

// childPids lists the live children of this process.
func childPids(t *testing.T) []string {
	t.Helper()
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var out []string
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		out = append(out, strings.Fields(string(b))...)
	}
	return out
}

// TestCellMainOutput: every workload's output parses as Go benchmark
// format, with the cell's name, the right count and the right units; and
// nothing leaks (fds, /dev/shm entries, child processes).
func TestCellMainOutput(t *testing.T) {
	units := map[string][]string{
		"startup":  {"ns/op", "join-ns/op"},
		"pingpong": {"ns/op", "p50-ns", "p99-ns", "user-ns/op", "sys-ns/op"},
		"stream":   {"ns/op", "MB/s", "msgs/s", "user-ns/op", "sys-ns/op"},
		"pool":     {"ns/op", "tasks/s", "efficiency", "overhead-ns/op"},
	}
	cells := []string{
		"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=2",
		"Startup/impl=native/method=forkserver/chan=shm/rss=1MiB/cores=2",
		"Startup/impl=native/method=spawn/chan=queue/rss=0/cores=1",
		"Pingpong/impl=native/method=fork/chan=shm/size=64B/cores=2",
		"Pingpong/impl=native/method=spawn/chan=pipe/size=4KiB/cores=2",
		"Pingpong/impl=native/method=forkserver/chan=queue/size=64B/cores=1",
		"Stream/impl=native/method=fork/chan=simplequeue/size=64KiB/cores=2",
		"Stream/impl=native/method=spawn/chan=shm/size=1MiB/cores=2",
		"Stream/impl=native/method=forkserver/chan=queue/size=64B/cores=2",
		"Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=3/tasks=24/task=sleep/cores=2",
		"Pool/impl=native/method=spawn/exec=loop/chan=simplequeue/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=native/method=forkserver/exec=loop/chan=shm/workers=2/tasks=16/task=cpu/cores=1",
		"Pool/impl=native/method=fork/exec=loop/chan=queue/workers=2/tasks=16/task=sleep/cores=2",
	}
	fds0, shm0, kids0 := openFds(t), shmEntries(t), childPids(t)
	for _, name := range cells {
		t.Run(name, func(t *testing.T) {
			c, err := bench.ParseName(name)
			if err != nil {
				t.Fatal(err)
			}
			if raceEnabled && c.Method != "spawn" {
				t.Skip("restricted child code cannot run under the race detector")
			}
			var out bytes.Buffer
			args := []string{"--cell", name, "--count", "3", "--warmup", "1", "--benchtime", "5ms", "--shm-prefix", testPrefix()}
			if c.Task == "cpu" {
				args = append(args, "--spin", "20000") // a short task: the output's shape is checked, not its timing
			}
			if err := cellMain(args, &out); err != nil {
				t.Fatal(err)
			}
			r := benchfmt.NewReader(bytes.NewReader(out.Bytes()), name)
			n := 0
			for r.Scan() {
				res, ok := r.Result().(*benchfmt.Result)
				if !ok {
					t.Fatalf("not a result: %v\noutput:\n%s", r.Result(), out.String())
				}
				n++
				if got := string(res.Name.Full()); got != strings.TrimPrefix(c.Benchmark(), "Benchmark") {
					t.Errorf("name %q, want %q", got, c.Name())
				}
				var got []string
				for _, v := range res.Values {
					u := v.OrigUnit
					if u == "" {
						u = v.Unit
					}
					got = append(got, u)
					if v.Value < 0 && !bench.Signed(u) {
						t.Errorf("negative %s: %v", u, v.Value)
					}
				}
				if want := units[c.Workload]; !slices.Equal(got, want) {
					t.Errorf("units %v, want %v", got, want)
				}
				if res.Iters < 1 {
					t.Errorf("iters %d", res.Iters)
				}
				if oneOp := c.Workload == "startup" || c.Workload == "pool"; oneOp && res.Iters != 1 {
					t.Errorf("%s sample over %d operations, want exactly one", c.Workload, res.Iters)
				}
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 3 || strings.Count(out.String(), "\n") != 3 {
				t.Errorf("want exactly 3 result lines, got:\n%s", out.String())
			}
		})
	}
	if fds1 := openFds(t); len(fds1) != len(fds0) {
		t.Errorf("fd leak: before %v\nafter %v", fds0, fds1)
	}
	if shm1 := shmEntries(t); len(shm1) != len(shm0) {
		t.Errorf("/dev/shm leak: %v", shm1)
	}
	if kids1 := childPids(t); len(kids1) != len(kids0) {
		t.Errorf("children left: before %v, after %v", kids0, kids1)
	}
}

// TestCellMainErrors: bad invocations fail instead of printing results.
func TestCellMainErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--cell", "Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1"},
		{"--cell", "Startup/impl=native/method=fork/chan=pipe/rss=0"},
		{"--cell", "Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1", "--count", "0"},
		{"--cell", "Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1", "extra"},
		{"--cell", "Pool/impl=native/method=fork/exec=pool/workers=1/tasks=8/task=cpu/cores=1", "--spin", "1000"},
		{"--cell", "Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1"}, // no --spin
		{"--cell", "Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1", "--spin", "0"},
	} {
		var out bytes.Buffer
		if err := cellMain(args, &out); err == nil || out.Len() > 0 {
			t.Errorf("%v: err %v, output %q", args, err, out.String())
		}
	}
}

// TestCalibrateSpinOutput: --calibrate-spin prints one line, a positive
// loop count, and nothing else.
func TestCalibrateSpinOutput(t *testing.T) {
	var out bytes.Buffer
	if err := cellMain([]string{"--calibrate-spin"}, &out); err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSuffix(out.String(), "\n"), 10, 64)
	if err != nil || n < 1 || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("output %q, want one line with a positive integer", out.String())
	}
}

// TestCommand: the harness's command follows the protocol flags.
func TestCommand(t *testing.T) {
	c, _ := bench.ParseName("Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1")
	cmd, err := New().Command(c, impl.Options{Count: 10, Warmup: 2, Benchtime: 100 * time.Millisecond, ShmPrefix: "mpbench-1-2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"__native-cell", "--cell", c.Name(), "--count", "10", "--warmup", "2", "--benchtime", "100ms", "--shm-prefix", "mpbench-1-2"}
	if !slices.Equal(cmd.Args[1:], want) {
		t.Errorf("args %v, want %v", cmd.Args[1:], want)
	}
	pool, _ := bench.ParseName("Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/cores=1")
	o := impl.Options{Count: 1, Warmup: 1, Benchtime: time.Millisecond, ShmPrefix: "mpbench-1-3"}
	if _, err := New().Command(pool, o); err == nil {
		t.Error("a cpu pool cell without Options.CPUTaskSpin got a command")
	}
	o.CPUTaskSpin = 12345
	cmd, err = New().Command(pool, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cmd.Args); n < 2 || cmd.Args[n-2] != "--spin" || cmd.Args[n-1] != "12345" {
		t.Errorf("pool args %v, want --spin 12345 at the end", cmd.Args[1:])
	}
	spin, err := New().SpinCommand()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"__native-cell", "--calibrate-spin"}; !slices.Equal(spin.Args[1:], want) {
		t.Errorf("spin args %v, want %v", spin.Args[1:], want)
	}
	if New().Name() != "native" || New().Available() != nil || New().Config()["native-queue-fork-child-put"] != "inline" {
		t.Error("Name/Available/Config")
	}
}

// TestForkStress: 1000+ raw forks from several goroutines while others
// allocate and force garbage collections; every child exchanges a message
// and exits 0. A watchdog kills the children and fails the test instead
// of hanging.
func TestForkStress(t *testing.T) {
	if raceEnabled {
		t.Skip("restricted child code cannot run under the race detector")
	}
	const forkers, perForker = 4, 260
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc0 := ms.NumGC
	var live sync.Map // pid → struct{}
	stop := make(chan struct{})
	var alloc sync.WaitGroup
	for g := 0; g < 2; g++ {
		alloc.Add(1)
		go func() {
			defer alloc.Done()
			var keep [][]byte
			m := map[int][]byte{}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				keep = append(keep, make([]byte, 1+i%4096))
				m[i%1000] = make([]byte, 64)
				if len(keep) > 4096 {
					keep = nil
				}
				if i%20000 == 0 {
					go func() {}()
				}
			}
		}()
	}
	gcDone := make(chan struct{})
	go func() {
		defer close(gcDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
				runtimeGC()
			}
		}
	}()

	errs := make(chan error, forkers)
	var wg sync.WaitGroup
	for f := 0; f < forkers; f++ {
		wg.Add(1)
		go func(f int) {
			defer wg.Done()
			msg := make([]byte, 64)
			got := make([]byte, 64)
			for i := 0; i < perForker; i++ {
				ch, err := newChannel(kindPipe, testPrefix(), 0)
				if err != nil {
					errs <- err
					return
				}
				s := newChildState(childParams{Workload: wEcho, Kind: kindPipe, Size: 64}, mustChildEndpoint(ch), os.Getpid())
				pid, err := forkChild(s)
				if err != nil {
					ch.close()
					errs <- err
					return
				}
				live.Store(pid, struct{}{})
				pattern(msg, f*perForker+i)
				err = ch.send(msg)
				if err == nil {
					var n int
					n, err = ch.recv(got)
					if err == nil && !bytes.Equal(got[:n], msg) {
						err = fmt.Errorf("child %d echoed a corrupted message", pid)
					}
				}
				if err == nil {
					err = ch.send(echoStop[:])
				}
				if err != nil {
					syscallKill(pid)
				}
				if e := reap(pid); err == nil {
					err = e
				}
				live.Delete(pid)
				ch.close()
				if err != nil {
					errs <- fmt.Errorf("fork %d of forker %d: %w", i, f, err)
					return
				}
			}
		}(f)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(45 * time.Second):
		live.Range(func(k, _ any) bool { syscallKill(k.(int)); return true })
		<-done
		t.Errorf("watchdog: forks did not finish in 45 s (children killed)")
	}
	close(stop)
	alloc.Wait()
	<-gcDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	runtime.ReadMemStats(&ms)
	t.Logf("%d forks, %d garbage collections meanwhile", forkers*perForker, ms.NumGC-gc0)
	if ms.NumGC-gc0 < 10 {
		t.Errorf("only %d garbage collections during the stress test", ms.NumGC-gc0)
	}
}

func mustChildEndpoint(ch *channel) endpoint {
	ep, err := childEndpoint(ch.kind, ch.childFds, ch.mem, 0, true)
	if err != nil {
		panic(err)
	}
	return ep
}

// TestChildDeath: when a child dies, the parent's receive on a pipe-based
// channel ends with an error instead of blocking, and join reports how
// the child ended.
func TestChildDeath(t *testing.T) {
	for _, method := range allMethods {
		for _, chName := range []string{"pipe", "simplequeue", "queue"} {
			t.Run("method="+method+"/chan="+chName, func(t *testing.T) {
				st := testStarter(t, method)
				kind := kindNames[chName]
				ch, err := newChannel(kind, testPrefix(), 0)
				if err != nil {
					t.Fatal(err)
				}
				defer ch.close()
				pr, err := st.start(childParams{Workload: wEcho, Kind: kind, Size: 64}, ch)
				if err != nil {
					t.Fatal(err)
				}
				ch.closeChildFds()
				pr.kill()
				if _, err := ch.recv(make([]byte, 64)); err == nil {
					t.Error("recv from a dead child succeeded")
				}
				if err := pr.join(); err == nil || !strings.Contains(err.Error(), "kill") {
					t.Errorf("join of a killed child: %v", err)
				}
			})
		}
	}
}

// TestDeadChildFailsCell: a child killed in the middle of the first
// exchange (test hook MPBENCH_NATIVE_TEST_KILL_CHILD) makes the measured
// program exit non-zero within 5 s, with the child's fate (killed by
// signal 9) on the last line of stderr — for every workload, start method
// and channel.
func TestDeadChildFailsCell(t *testing.T) {
	cells := map[string]string{
		"startup":  "Startup/impl=native/method=%s/chan=%s/rss=0/cores=%d",
		"pingpong": "Pingpong/impl=native/method=%s/chan=%s/size=64B/cores=%d",
		"stream":   "Stream/impl=native/method=%s/chan=%s/size=64KiB/cores=%d",
		"pool":     "Pool/impl=native/method=%s/exec=loop/chan=%s/workers=2/tasks=16/task=sleep/cores=%d",
	}
	for _, workload := range bench.MatrixWorkloads { // native gather cells are skips
		for _, method := range allMethods {
			for _, chName := range allChans {
				name := fmt.Sprintf(cells[workload], method, chName, cpusAllowed())
				t.Run(name, func(t *testing.T) {
					if raceEnabled && method != "spawn" {
						t.Skip("restricted child code cannot run under the race detector")
					}
					cmd := exec.Command(os.Args[0], "-test.run=^$")
					cmd.Env = append(os.Environ(), testKillEnv+"=1", testCellEnv+"=--cell "+name+
						" --count 2 --warmup 1 --benchtime 20ms --shm-prefix "+testPrefix())
					var stdout, stderr bytes.Buffer
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					if err := cmd.Start(); err != nil {
						t.Fatal(err)
					}
					start := time.Now()
					watchdog := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
					err := cmd.Wait()
					watchdog.Stop()
					took := time.Since(start)
					lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
					last := lines[len(lines)-1]
					if err == nil {
						t.Fatalf("measured program succeeded after its child was killed; stdout:\n%s", stdout.String())
					}
					if took > 5*time.Second {
						t.Errorf("failed after %v, want < 5 s", took)
					}
					if !strings.Contains(last, "killed by signal 9") {
						t.Errorf("last line of stderr does not give the child's status: %q", last)
					}
					t.Logf("%v: %s", took.Round(time.Millisecond), last)
				})
			}
		}
	}
}

// TestCellSettingsAgree: the native cell program refuses a name whose own
// count or benchtime differs from its flags.
func TestCellSettingsAgree(t *testing.T) {
	name := "Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1/count=5"
	var out bytes.Buffer
	err := cellMain([]string{"--cell", name, "--count", "2", "--warmup", "1", "--benchtime", "5ms", "--shm-prefix", testPrefix()}, &out)
	if err == nil || !strings.Contains(err.Error(), "names count 5") || out.Len() != 0 {
		t.Errorf("count 5 in the name, --count 2: err %v, output %q", err, out.String())
	}
	name = "Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1/benchtime=10ms"
	if err := cellMain([]string{"--cell", name, "--count", "1", "--benchtime", "5ms", "--shm-prefix", testPrefix()}, &out); err == nil {
		t.Error("benchtime 10ms in the name, --benchtime 5ms: accepted")
	}
}

// TestGatherSkips: a native gather or memory cell is a skip line with its
// reason (the workload is not implemented here), never a number.
func TestGatherSkips(t *testing.T) {
	for _, tc := range []struct{ name, reason string }{
		{"Gather/impl=native/method=fork/chan=pipe/workers=2/size=64B/cores=1", GatherSkipReason},
		{"Memory/impl=native/method=fork/touch=none/rss=0/workers=2/cores=1", MemorySkipReason},
	} {
		var out bytes.Buffer
		err := cellMain([]string{"--cell", tc.name, "--count", "2", "--warmup", "1", "--benchtime", "5ms", "--shm-prefix", testPrefix()}, &out)
		want := "--- SKIP: Benchmark" + tc.name + ": " + tc.reason + "\n"
		if err != nil || out.String() != want {
			t.Errorf("native %s: err %v, output %q, want %q", tc.name, err, out.String(), want)
		}
	}
}
