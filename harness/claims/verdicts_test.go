package claims

import (
	"errors"
	"fmt"
	"github.com/mpbench/mpbench/harness/stats"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// fixture builds a claims.bench for verdict tests. Without `run:` lines
// every sample counts as its own program run (rawbench's rule for old
// files), so a value list is a list of run medians.
type fixture struct{ b strings.Builder }

// add appends one sample line per value of unit (ns/op is set to 1 when
// unit is another metric).
func (f *fixture) add(name, unit string, vals ...float64) *fixture {
	for _, v := range vals {
		if unit == "ns/op" {
			fmt.Fprintf(&f.b, "BenchmarkClaim/%s 1 %g ns/op\n", name, v)
		} else {
			fmt.Fprintf(&f.b, "BenchmarkClaim/%s 1 1 ns/op %g %s\n", name, v, unit)
		}
	}
	return f
}

func (f *fixture) raw(line string) *fixture { f.b.WriteString(line + "\n"); return f }

func (f *fixture) data(t *testing.T, id string) *claimData {
	t.Helper()
	p, err := load([]byte(f.b.String()))
	if err != nil {
		t.Fatal(err)
	}
	d := p.claims[id]
	if d == nil {
		t.Fatalf("no data for %s in\n%s", id, f.b.String())
	}
	return d
}

// spreadBy is 10 values around center, ±width.
func spreadBy(center, width float64) []float64 {
	out := make([]float64, 10)
	for i := range out {
		out[i] = center * (1 + width*float64(i-5)/5)
	}
	return out
}

func spread(center float64) []float64 { return spreadBy(center, 0.05) }

func startupW(f *fixture, id, rss string, width, spawn, fs, fork float64) *fixture {
	for _, m := range []struct {
		m string
		v float64
	}{{"spawn", spawn}, {"forkserver", fs}, {"fork", fork}} {
		f.add("id="+id+"/workload=startup/impl=cpython/method="+m.m+"/chan=pipe/rss="+rss+"/cores=2", "ns/op", spreadBy(m.v, width)...)
	}
	return f
}

func startup(f *fixture, id, rss string, spawn, fs, fork float64) *fixture {
	return startupW(f, id, rss, 0.05, spawn, fs, fork)
}

type verdictCase struct {
	name   string
	f      *fixture
	want   string
	whyHas string
}

// checkVerdicts runs the cases of one claim (settled as Render settles
// them, so SKIP-only data reads as untestable).
func checkVerdicts(t *testing.T, id string, fn func(*claimData) verdict, cases []verdictCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.f.data(t, id)
			v := settle(fn(d), d)
			if v.kind != tc.want {
				t.Errorf("verdict %q (%s), want %q", v.kind, v.why, tc.want)
			}
			if !strings.Contains(v.why+v.extra, tc.whyHas) {
				t.Errorf("why %q does not mention %q", v.why+v.extra, tc.whyHas)
			}
		})
		seen[tc.want] = true
	}
	for _, k := range []string{Confirmed, Partly, Refuted} {
		if !seen[k] && id != "C12" {
			t.Errorf("%s: no fixture reaches %q", id, k)
		}
	}
}

func TestVerdictC1(t *testing.T) {
	bare := func(f *fixture, v float64) *fixture {
		return f.add("id=C1/workload=startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=0/cores=2", "ns/op", spread(v)...)
	}
	checkVerdicts(t, "C1", verdictC1, []verdictCase{
		{"every part holds (spawn 3× both)", startup(&fixture{}, "C1", "0", 9e6, 3e6, 3e6), Confirmed, "spawn takes 3.0× fork and 3.0× forkserver"},
		{"rather slow but not slightly", startup(&fixture{}, "C1", "0", 95e6, 23e6, 3e6), Partly, "spawn takes 31.7× fork"},
		{"spawn fastest: every part refuted", startup(&fixture{}, "C1", "0", 2e6, 23e6, 3e6), Refuted, "spawn takes 0.7× fork"},
		{"missing", (&fixture{}).add("id=C1/workload=startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2", "ns/op", 1), Failed, "method=spawn"},
		// forkserver preloading nothing (preload=none) is the one read.
		{"bare forkserver read", bare(startup(&fixture{}, "C1", "0", 9e6, 3e6, 3e6), 5e6), Partly,
			"forkserver takes 1.7× fork (forkserver preloading nothing; with the main module's imports preloaded it takes 1.0× fork)"},
	})
}

// TestVerdictC1Parts: each of C1's three rules (order, "rather slow",
// "살짝") reaches each verdict.
func TestVerdictC1Parts(t *testing.T) {
	tight := func(spawn, fs, fork float64) *fixture { return startupW(&fixture{}, "C1", "0", 0.002, spawn, fs, fork) }
	cases := []struct {
		name string
		f    *fixture
		part int // 0 order, 1 rather slow, 2 slightly
		want string
	}{
		{"order holds", startup(&fixture{}, "C1", "0", 7e6, 5e6, 3e6), 0, Confirmed},
		{"order: spawn fastest", startup(&fixture{}, "C1", "0", 2e6, 23e6, 3e6), 0, Refuted},
		{"order: tied", startup(&fixture{}, "C1", "0", 3e6, 3e6, 3e6), 0, Partly},
		{"rather slow: 31× and 4×", startup(&fixture{}, "C1", "0", 95e6, 23e6, 3e6), 1, Confirmed},
		{"rather slow: only 2.3× fork", startup(&fixture{}, "C1", "0", 7e6, 5e6, 3e6), 1, Partly},
		{"rather slow: hardly slower", tight(3.15e6, 3.08e6, 3e6), 1, Refuted},
		{"slightly: 2.3×", startup(&fixture{}, "C1", "0", 7e6, 5e6, 3e6), 2, Confirmed},
		{"slightly: 31×", startup(&fixture{}, "C1", "0", 95e6, 23e6, 3e6), 2, Refuted},
		{"slightly: 1.05×", tight(3.15e6, 3.08e6, 3e6), 2, Partly},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := verdictC1(tc.f.data(t, "C1"))
			if len(v.parts) != 3 {
				t.Fatalf("%d parts, want 3", len(v.parts))
			}
			p := v.parts[tc.part]
			if p.kind != tc.want {
				t.Errorf("%s: %q (%s), want %q", p.name, p.kind, p.why, tc.want)
			}
			if p.rule != []string{ruleC1Order, ruleC1Rather, ruleC1Slightly}[tc.part] {
				t.Errorf("%s: the part does not carry its rule", p.name)
			}
		})
	}
}

func TestVerdictC2(t *testing.T) {
	checkVerdicts(t, "C2", verdictC2, []verdictCase{
		{"fork fastest everywhere", startup(startup(&fixture{}, "C2", "0", 95e6, 23e6, 3e6), "C2", "1GiB", 96e6, 24e6, 20e6), Confirmed, "fork 6.67× (grows"},
		{"fork loses at 1GiB", startup(startup(&fixture{}, "C2", "0", 95e6, 23e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6), Partly, "not clearly at rss=1GiB"},
		{"fork slow at 0", startup(startup(&fixture{}, "C2", "0", 95e6, 2e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6), Refuted, "clearly slower"},
		{"fork tied at 0", startup(startup(&fixture{}, "C2", "0", 95e6, 3e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6), Partly, "overlapping CIs"},
	})
}

// c3 builds C3's makespans (task times) per method for the default
// chunksize and the serial control.
func c3(def, serial []float64) *fixture {
	f := &fixture{}
	for _, m := range []string{"spawn", "fork", "forkserver"} {
		f.add("id=C3/method="+m+"/workers=2/tasks=5/chunksize=default/task-ms=100", "task-times", def...)
		f.add("id=C3/method="+m+"/workers=2/tasks=5/chunksize=5/task-ms=100", "task-times", serial...)
	}
	return f
}

func TestVerdictC3(t *testing.T) {
	waves := []float64{3.01, 3.02, 3.0, 3.03, 3.01, 3.02}
	serial := []float64{5.01, 5.02, 5.0, 5.03, 5.01, 5.02}
	checkVerdicts(t, "C3", verdictC3, []verdictCase{
		{"three waves", c3(waves, serial), Confirmed, "The serial control lands on 5.0"},
		{"CI reaches perfect packing", c3([]float64{2.6, 3.0, 3.02, 3.03, 2.99, 3.1}, serial), Partly, "reaches past a midpoint"},
		{"perfect packing", c3([]float64{2.5, 2.51, 2.52, 2.49, 2.5, 2.5}, serial), Refuted, "nearest 2.5"},
		{"serial", c3(serial, serial), Refuted, "nearest 5.0"},
		{"control misses 5.0", c3(waves, waves), Failed, "cannot separate the models"},
		{"missing control", (&fixture{}).add("id=C3/method=spawn/workers=2/tasks=5/chunksize=default/task-ms=100", "task-times", 3), Failed, "serial control"},
	})
}

// c4 builds C4 at two sizes: the Queue's time and each shared mechanism's.
func c4(queueBig float64, sharedBig map[string]float64) *fixture {
	f := &fixture{}
	f.add("id=C4/mech=queue/method=fork/size=1KiB", "ns/op", spread(50e3)...)
	f.add("id=C4/mech=queue/method=fork/size=64MiB", "ns/op", spread(queueBig)...)
	for _, m := range c4Shared {
		f.add("id=C4/mech="+m+"/method=fork/size=1KiB", "ns/op", spread(20e3)...)
		f.add("id=C4/mech="+m+"/method=fork/size=64MiB", "ns/op", spread(sharedBig[m])...)
	}
	return f
}

func TestVerdictC4(t *testing.T) {
	checkVerdicts(t, "C4", verdictC4, []verdictCase{
		{"shared beats pickling", c4(250e6, map[string]float64{"rawarray": 7e6, "array": 8e6, "shared_memory": 7e6}), Confirmed, "Crossover: from 1KiB up"},
		{"one shared mechanism slow", c4(250e6, map[string]float64{"rawarray": 7e6, "array": 240e6, "shared_memory": 7e6}), Partly, "array 1.0×"},
		{"pickling as fast", c4(7e6, map[string]float64{"rawarray": 7e6, "array": 8e6, "shared_memory": 7e6}), Refuted, "No crossover"},
	})
}

// c5 builds C5's thread counts (a Queue's threads after put in parent and
// child, recv after the child's first get: -1 = no note) and latency cells.
func c5(queueThreads, recv int, qLat, sLat float64, cells bool) *fixture {
	f := &fixture{}
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C5/chan=queue/side=parent 1 5 ns/op %d threads\n", queueThreads)
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C5/chan=queue/side=child 1 5 ns/op %d threads\n", queueThreads)
	f.raw("BenchmarkClaim/id=C5/chan=simplequeue/side=parent 1 5 ns/op 0 threads")
	f.raw("BenchmarkClaim/id=C5/chan=simplequeue/side=child 1 5 ns/op 0 threads")
	if recv >= 0 {
		f.raw(fmt.Sprintf("--- NOTE: BenchmarkClaim/id=C5/chan=queue/side=parent: OS threads (/proc/self/task) before 1, after first put %d; fork child: start 1, after get %d, after put %d",
			1+queueThreads, 1+recv, 1+recv+queueThreads))
		f.raw("--- NOTE: BenchmarkClaim/id=C5/chan=simplequeue/side=parent: OS threads (/proc/self/task) before 1, after first put 1; fork child: start 1, after get 1, after put 1")
	}
	if cells {
		f.add("id=C5/workload=pingpong/impl=cpython/method=fork/chan=queue/size=64B/cores=2", "ns/op", spread(qLat)...)
		f.add("id=C5/workload=pingpong/impl=cpython/method=fork/chan=simplequeue/size=64B/cores=2", "ns/op", spread(sLat)...)
	}
	return f
}

// TestVerdictC5: confirmed only where the measurement shows what the
// quote says — threads to send and to receive, with a cost; one feeder
// thread in the sender alone (the published case) is partly, named.
func TestVerdictC5(t *testing.T) {
	checkVerdicts(t, "C5", verdictC5, []verdictCase{
		{"send and receive threads cost", c5(1, 1, 60e3, 30e3, true), Confirmed, "The threads cost measurably"},
		{"one feeder thread, none to receive", c5(1, 0, 60e3, 30e3, true), Partly,
			"Not observed: a thread for receiving: a fork child's first get on a Queue added 0, so what was measured is 1 thread(s) in each process that puts (the feeder) and none for receiving"},
		{"receiving not recorded", c5(1, -1, 60e3, 30e3, true), Partly, "whether receiving adds a thread"},
		{"feeder thread free", c5(1, 1, 31e3, 30e3, true), Partly, "costs nothing visible"},
		{"no latency cells", c5(1, 1, 0, 0, false), Partly, "the threads' cost (the latency cells are missing)"},
		{"no feeder thread", c5(0, 0, 60e3, 30e3, true), Refuted, "contradict"},
	})
	if !strings.Contains(ruleC5, "\"spawns multiple threads used to serialize, send and receive objects\"") {
		t.Error("C5's rule does not state the words it judges")
	}
}

func c6(duplex int, pipe, queue float64) *fixture {
	f := &fixture{}
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C6/method=fork/pipe=duplex 1 5 ns/op %d duplex 1 oneway-refused\n", duplex)
	f.add("id=C6/workload=pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2", "ns/op", spread(pipe)...)
	f.add("id=C6/workload=pingpong/impl=cpython/method=fork/chan=queue/size=64B/cores=2", "ns/op", spread(queue)...)
	return f
}

func TestVerdictC6(t *testing.T) {
	checkVerdicts(t, "C6", verdictC6, []verdictCase{
		{"duplex, pipe faster", c6(1, 20e3, 60e3), Confirmed, "faster than Queue at every size"},
		{"duplex, queue as fast: speed is not judged", c6(1, 20e3, 20e3), Confirmed, "Pipe is not clearly faster at pingpong 64B"},
		{"duplex under some methods", c6(1, 20e3, 60e3).raw("BenchmarkClaim/id=C6/method=spawn/pipe=duplex 1 5 ns/op 0 duplex 1 oneway-refused"), Partly, "duplex in 1/2 checks only"},
		{"not duplex", c6(0, 20e3, 60e3), Refuted, "duplex under no start method"},
	})
}

// c7 builds C7: the held-lock demo (2 fork children), the realistic case
// (40 fork children, realDead deadlocked) and controls (ctlDead deadlocks
// in the spawn control).
func c7(heldDead, realDead, ctlDead int) *fixture {
	f := &fixture{}
	line := func(name string, n, dead int) {
		for i := 0; i < n; i++ {
			dl := 0
			if i < dead {
				dl = 1
			}
			fmt.Fprintf(&f.b, "BenchmarkClaim/id=C7/%s 1 5 ns/op %d deadlock %d ok 0 deprecation-warning 2 threads-at-start\n", name, dl, 1-dl)
		}
	}
	line("case=nolock/lock=plain/method=fork", 10, 0)
	line("case=held/lock=plain/method=fork", 2, heldDead)
	line("case=real/lock=plain/method=fork", 40, realDead)
	line("case=real/lock=logging/method=fork", 40, 0)
	for _, m := range []string{"spawn", "forkserver"} {
		d := 0
		if m == "spawn" {
			d = ctlDead
		}
		line("case=held/lock=plain/method="+m, 5, d)
		line("case=real/lock=plain/method="+m, 10, 0)
		line("case=real/lock=logging/method="+m, 10, 0)
	}
	return f
}

func TestVerdictC7(t *testing.T) {
	checkVerdicts(t, "C7", verdictC7, []verdictCase{
		{"realistic deadlocks", c7(2, 33, 0), Confirmed, "plain lock 33/40 (82%, 95% CI 68–91%)"},
		{"realistic rate 0", c7(2, 0, 0), Partly, "not distinguishable from 0"},
		{"demo does not deadlock", c7(1, 33, 0), Refuted, "did not deadlock every fork child"},
		{"control deadlocks", c7(2, 33, 1), Failed, "held lock, spawn 1/5"},
	})
	if lo, hi := stats.Wilson(0, 10); lo != 0 || math.Abs(hi-0.2775) > 0.001 {
		t.Errorf("stats.Wilson(0, 10) = %.4f, %.4f; want 0, 0.2775", lo, hi)
	}
}

func c8(raises bool) *fixture {
	f := &fixture{}
	for i, m := range []string{"spawn", "fork", "forkserver"} {
		r := 0
		if raises || (i == 0 && !raises && false) {
			r = 1
		}
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C8/method=%s/daemon=true 1 5 ns/op %d raised %d ok\n", m, r, 1-r)
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C8/method=%s/daemon=false 1 5 ns/op 0 raised 1 ok\n", m)
	}
	return f
}

func TestVerdictC8(t *testing.T) {
	some := &fixture{}
	for _, m := range []string{"spawn", "fork", "forkserver"} {
		r := 0
		if m == "fork" {
			r = 1
		}
		fmt.Fprintf(&some.b, "BenchmarkClaim/id=C8/method=%s/daemon=true 1 5 ns/op %d raised %d ok\n", m, r, 1-r)
		fmt.Fprintf(&some.b, "BenchmarkClaim/id=C8/method=%s/daemon=false 1 5 ns/op 0 raised 1 ok\n", m)
	}
	checkVerdicts(t, "C8", verdictC8, []verdictCase{
		{"all methods", c8(true), Confirmed, "3 of 3"},
		{"one method", some, Partly, "1 of 3"},
		{"no error", c8(false), Refuted, "0 of 3"},
	})
}

// c9 builds C9's stdlib row (spawnRaises: the lambda target fails under
// spawn; forkRuns: it runs under fork) and the library rows.
func c9(spawnRaises, forkRuns bool) *fixture {
	f := &fixture{}
	b := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	row := func(lib, m string, raised, ok, perr int, note string) {
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C9/lib=%s/api=process/method=%s 1 5 ns/op %d raised %d ok %d pickle-error\n", lib, m, raised, ok, perr)
		if note != "" {
			fmt.Fprintf(&f.b, "--- NOTE: BenchmarkClaim/id=C9/lib=%s/api=process/method=%s: %s\n", lib, m, note)
		}
	}
	row("multiprocessing", "spawn", b(spawnRaises), b(!spawnRaises), b(spawnRaises), "AttributeError: Can't pickle local object")
	row("multiprocessing", "forkserver", 1, 0, 1, "AttributeError: Can't pickle local object")
	row("multiprocessing", "fork", b(!forkRuns), b(forkRuns), 0, "")
	row("multiprocess", "spawn", 1, 0, 0, "TypeError: fork_exec() takes exactly 23 arguments (21 given)")
	row("multiprocess", "forkserver", 1, 0, 0, "TypeError: fork_exec() takes exactly 23 arguments (21 given)")
	row("multiprocess", "fork", 0, 1, 0, "")
	f.raw("BenchmarkClaim/id=C9/lib=billiard/api=pool/method=fork 1 5 ns/op 0 raised 0 ok 0 pickle-error 1 hang")
	return f
}

func TestVerdictC9(t *testing.T) {
	checkVerdicts(t, "C9", verdictC9, []verdictCase{
		{"pattern holds", c9(true, true), Confirmed, "its spawn and forkserver are broken on this interpreter"},
		{"fork fails too", c9(true, false), Partly, "| multiprocess | fails (TypeError) / — |"},
		{"spawn pickles a lambda", c9(false, true), Refuted, "—"},
	})
	if got := c9Outcome(c9(true, true).data(t, "C9"), "billiard", "pool", "fork"); got != "hangs" {
		t.Errorf("billiard pool fork = %q, want hangs", got)
	}
}

func c10(setTwiceRaises, mixOK int) *fixture {
	f := &fixture{}
	f.raw("BenchmarkClaim/id=C10/step=set-first 1 5 ns/op 0 raised 1 ok")
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C10/step=set-twice 1 5 ns/op %d raised %d ok\n", setTwiceRaises, 1-setTwiceRaises)
	f.raw("--- NOTE: BenchmarkClaim/id=C10/step=set-twice: RuntimeError: context has already been set")
	f.raw("BenchmarkClaim/id=C10/step=get-context 1 5 ns/op 0 raised 1 ok")
	f.raw("BenchmarkClaim/id=C10/step=set-force 1 5 ns/op 0 raised 1 ok")
	f.raw("BenchmarkClaim/id=C10/step=mix-fork-queue-spawn-child 1 5 ns/op 1 raised 0 ok")
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C10/step=mix-spawn-queue-fork-child 1 5 ns/op %d raised %d ok\n", 1-mixOK, mixOK)
	return f
}

func TestVerdictC10(t *testing.T) {
	checkVerdicts(t, "C10", verdictC10, []verdictCase{
		{"no interop", c10(1, 0), Confirmed, ""},
		{"one-way interop", c10(1, 1), Partly, "one direction only"},
		{"second set works", c10(0, 0), Refuted, ""},
	})
}

// c11 builds C11 at 64 KiB and 16 MiB: tensor and bytes per message;
// fresh = share of tensors not yet shared before their put.
func c11(t0, t1, b0, b1, fresh float64) *fixture {
	f := &fixture{}
	for _, p := range []struct {
		sz     string
		tv, bv float64
	}{{"64KiB", t0, b0}, {"16MiB", t1, b1}} {
		for _, v := range spread(p.tv) {
			fmt.Fprintf(&f.b, "BenchmarkClaim/id=C11/method=fork/chan=queue/payload=tensor/size=%s 16 %g ns/op 16 storages 16 msgs %g fresh 1 moved\n", p.sz, v, fresh)
		}
		f.add("id=C11/method=fork/chan=queue/size="+p.sz, "ns/op", spread(p.bv)...)
	}
	return f
}

func TestVerdictC11(t *testing.T) {
	checkVerdicts(t, "C11", verdictC11, []verdictCase{
		{"handle travels, faster at every size", c11(20e3, 30e3, 30e3, 5e6, 1), Confirmed, "fresh tensor"},
		{"slower at 64 KiB", c11(100e3, 150e3, 30e3, 5e6, 1), Partly, "Where it does not hold: at 64KiB a tensor message is 3.3× slower than the bytes pickled (CIs apart)"},
		{"faster but grows", c11(100e3, 3e6, 1e6, 5e6, 1), Partly, "still grows"},
		{"bytes faster", c11(100e3, 9e6, 30e3, 5e6, 1), Refuted, "bytes/tensor"},
		{"not fresh", c11(100e3, 150e3, 30e3, 5e6, 0.5), Failed, "not all fresh"},
		{"no torch", (&fixture{}).raw("--- SKIP: BenchmarkClaim/id=C11: torch not importable by /usr/bin/python3"), Untestable, "torch not importable"},
	})
}

// c12 builds C12 with CUDA: raised per case (1 = the child's CUDA use
// raised).
func c12(afterInit, noInit, spawn int) *fixture {
	f := &fixture{}
	f.raw("BenchmarkClaim/id=C12/check=cuda 1 5 ns/op 8 nvidia-devices 1 cuda 1 gpus")
	f.raw("--- NOTE: BenchmarkClaim/id=C12/check=cuda: 8 /dev/nvidia* device nodes; torch 2.11.0: torch.cuda.is_available() = True")
	for _, c := range []struct {
		name   string
		raised int
	}{{"fork-after-init", afterInit}, {"fork-no-init", noInit}, {"spawn", spawn}, {"forkserver", 0}} {
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C12/case=%s/method=x 1 5e8 ns/op %d raised %d ok 0 parent-cuda-initialised\n", c.name, c.raised, 1-c.raised)
	}
	f.raw("--- NOTE: BenchmarkClaim/id=C12/case=fork-after-init/method=x: RuntimeError: Cannot re-initialize CUDA in forked subprocess")
	f.add("id=C12/handoff=cuda/method=spawn/chan=queue/size=64MiB", "ns/op", spread(0.65e6)...)
	f.add("id=C12/handoff=cpu/method=spawn/chan=queue/size=64MiB", "ns/op", spread(14e6)...)
	return f
}

func TestVerdictC12(t *testing.T) {
	checkVerdicts(t, "C12", verdictC12, []verdictCase{
		{"no GPU", (&fixture{}).
			raw("BenchmarkClaim/id=C12/check=cuda 1 5 ns/op 0 nvidia-devices 0 cuda 0 gpus").
			raw("--- NOTE: BenchmarkClaim/id=C12/check=cuda: 0 /dev/nvidia* device nodes; torch not importable"),
			Untestable, "No usable GPU for this run: 0 /dev/nvidia*"},
		{"fork fails only after init", c12(1, 0, 0), Partly, "not to fork as such"},
		{"fork always fails", c12(1, 1, 0), Confirmed, "even when the parent never touched CUDA"},
		{"fork works after init", c12(0, 0, 0), Refuted, "did not hold"},
		{"spawn fails", c12(1, 0, 1), Refuted, "did not hold"},
		{"no-init case not clean", c12(1, 1, 0).raw("BenchmarkClaim/id=C12/case=fork-no-init/method=x 1 5e8 ns/op 1 raised 0 ok 1 parent-cuda-initialised"), Failed, "did not test what it names"},
		{"is_available breaks fork", c12(1, 0, 0).raw("BenchmarkClaim/id=C12/case=fork-after-is-available/method=fork 1 5e6 ns/op 1 raised 0 ok 0 parent-cuda-initialised"), Partly, "is_available() in the parent was already enough"},
		{"hand-off reported", c12(1, 0, 0), Partly, "64MiB: CUDA 647 µs vs CPU 13.9 ms per message"},
	})
}

// c13 builds CPU-bound pool makespans for 1, 2, 4, 8 workers on 2 cores
// and an I/O-bound sweep where 8 workers win.
func c13(w1, w2, w4, w8 float64) *fixture {
	f := &fixture{}
	for _, p := range []struct {
		w int
		v float64
	}{{1, w1}, {2, w2}, {4, w4}, {8, w8}} {
		f.add(fmt.Sprintf("id=C13/task=cpu/workers=%d/tasks=128/cores=2", p.w), "ns/op", spread(p.v)...)
		f.add(fmt.Sprintf("id=C13/task=sleep/workers=%d/tasks=32/cores=2", p.w), "ns/op", spread(640e6/float64(p.w))...)
	}
	return f
}

func TestVerdictC13(t *testing.T) {
	checkVerdicts(t, "C13", verdictC13, []verdictCase{
		{"rule holds", c13(40e6, 32e6, 33e6, 45e6), Confirmed, "2 workers on 2 cores (1× per core)"},
		{"oversubscription free", c13(64e6, 32e6, 33e6, 32.5e6), Partly, "did not measurably"},
		{"best at 4x", c13(64e6, 40e6, 36e6, 30e6), Refuted, "8 workers"},
		{"contended machine", c13(64e6, 40e6, 36e6, 30e6).
			add("id=C13/task=cpu/workers=8/tasks=128/cores=2", "efficiency", 1.3, 1.4, 1.35),
			Partly, "efficiency of 1.35 at workers=8"},
	})
}

// c14 builds the probe of C14 for versions with their default method.
func c14(defaults map[string]string) *fixture {
	f := &fixture{}
	for _, ver := range slices.Sorted(maps.Keys(defaults)) {
		fk, fs := 0, 0
		switch defaults[ver] {
		case "fork":
			fk = 1
		case "forkserver":
			fs = 1
		}
		warn := 0
		if minorOf(ver) >= 312 {
			warn = 1
		}
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C14/python=%s/check=default-method 1 5 ns/op %d default-fork %d default-forkserver %d python-version %d fork-thread-warning\n", ver, fk, fs, minorOf(ver), warn)
		f.add("id=C14/python="+ver+"/method=fork/rss=0", "ns/op", spread(10e6)...)
		f.add("id=C14/python="+ver+"/method=forkserver/rss=0", "ns/op", spread(40e6)...)
	}
	return f
}

// c14cells adds C14's matrix cells of an impl and main weight: fork,
// forkserver preloading nothing, forkserver preloading the main module.
func c14cells(f *fixture, impl, main string, fork, bare, pre float64) *fixture {
	m := ""
	if main != "stub" {
		m = "/main=" + main
	}
	f.add("id=C14/workload=startup/impl="+impl+"/method=fork"+m+"/chan=pipe/rss=0/cores=2", "ns/op", spread(fork)...)
	f.add("id=C14/workload=startup/impl="+impl+"/method=forkserver/preload=none"+m+"/chan=pipe/rss=0/cores=2", "ns/op", spread(bare)...)
	return f.add("id=C14/workload=startup/impl="+impl+"/method=forkserver"+m+"/chan=pipe/rss=0/cores=2", "ns/op", spread(pre)...)
}

// c14probe is the default-method probe alone (the data of matrix-cell runs).
func c14probe(defaults map[string]string) *fixture {
	f := &fixture{}
	for _, ver := range slices.Sorted(maps.Keys(defaults)) {
		fk := 0
		if defaults[ver] == "fork" {
			fk = 1
		}
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C14/python=%s/check=default-method 1 5 ns/op %d default-fork %d default-forkserver %d python-version 0 fork-thread-warning\n", ver, fk, 1-fk, minorOf(ver))
	}
	return f
}

func TestVerdictC14(t *testing.T) {
	cells := func(f *fixture) *fixture {
		c14cells(f, "cpython", "stub", 3e6, 15e6, 5e6)
		c14cells(f, "cpython", "stdlib", 3e6, 60e6, 6e6)
		c14cells(f, "cpython3.11", "stdlib", 3e6, 62e6, 6e6)
		return f
	}
	linux := map[string]string{"3.11": "linux", "3.12": "linux"}
	both := map[string]string{"3.11": "linux", "3.12": "darwin"}
	forks := map[string]string{"3.11": "fork", "3.12": "fork"}
	checkVerdicts(t, "C14", verdictC14, []verdictCase{
		{"Linux and macOS observed, fork everywhere", on(c14probe(forks), both), Confirmed, "Observed: CPython 3.11, 3.12 on darwin, linux"},
		{"Linux only: macOS not observed", on(cells(c14probe(forks)), linux), Partly, "Not observed: macOS (not measured here; the Python documentation states spawn"},
		{"matrix cells: the cost per main weight", on(cells(c14probe(forks)), linux),
			Partly, "5.0× fork's start-up at main=stub (+11.9 ms per child; 1.7× with set_forkserver_preload); 20.0× fork's start-up at main=stdlib"},
		{"matrix cells: the version table", on(cells(c14probe(forks)), linux),
			Partly, "| 3.11 | fork | no | 2.99 ms (2.88 ms … 3.09 ms (98%)) | 61.7 ms"},
		{"matrix cells: a version without cells", on(cells(c14probe(forks)), linux),
			Partly, "| 3.12 | fork | no | — | — | — | — |"},
		{"no per-version cells: where they come from", on(c14cells(c14probe(forks), "cpython", "stub", 3e6, 15e6, 5e6), linux),
			Partly, "render with --variants DIR to include it"},
		{"matrix cells: 3.12 defaults to forkserver", on(cells(c14probe(map[string]string{"3.11": "fork", "3.12": "forkserver"})), linux), Refuted, "3.12 forkserver"},
		{"probe data (earlier runs)", on(c14(map[string]string{"3.8": "fork", "3.12": "fork", "3.13": "fork"}), map[string]string{"3.8": "linux", "3.12": "linux", "3.13": "linux"}).
			raw("--- SKIP: BenchmarkClaim/id=C14/python=3.9: no ~/.pyenv/versions/3.9.*/bin/python3"),
			Partly, "| 3.12 | fork | yes | 9.95 ms"},
		{"one version", on(c14(map[string]string{"3.11": "fork"}), linux), Partly, "more than one version"},
		{"3.12 defaults to forkserver", on(c14(map[string]string{"3.11": "fork", "3.12": "forkserver"}), linux), Refuted, "3.12 forkserver"},
		{"skip row", on(c14(forks), linux).raw("--- SKIP: BenchmarkClaim/id=C14/python=3.9: not installed"), Partly, "| 3.9 | skipped: not installed"},
	})
}

// on adds the probe's NOTE naming each version's platform.
func on(f *fixture, plats map[string]string) *fixture {
	for _, ver := range slices.Sorted(maps.Keys(plats)) {
		f.raw("--- NOTE: BenchmarkClaim/id=C14/python=" + ver + "/check=default-method: Python " + ver + ".0 on " + plats[ver] + ": multiprocessing.get_start_method() = 'fork'")
	}
	return f
}

// TestC14ReadsVariants: the per-version start-up columns come from the
// variants run given to the render (its cells renamed into C14, the run
// named); an unreadable one is said.
func TestC14ReadsVariants(t *testing.T) {
	f := on(c14cells(c14probe(map[string]string{"3.11": "fork", "3.12": "fork"}), "cpython", "stub", 3e6, 15e6, 5e6), map[string]string{"3.11": "linux", "3.12": "linux"})
	claims, err := load([]byte(f.b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var raw strings.Builder
	raw.WriteString("host-label: vm\nrun: 1\n")
	for _, c := range []string{"method=fork/main=stdlib", "method=forkserver/preload=none/main=stdlib", "method=forkserver/main=stdlib"} {
		for _, v := range spread(20e6) {
			fmt.Fprintf(&raw, "BenchmarkStartup/impl=cpython3.12/%s/chan=pipe/rss=0/cores=2 1 %g ns/op\n", c, v)
		}
	}
	raw.WriteString("BenchmarkStartup/impl=cpython3.12/method=fork/main=stdlib/chan=pipe/rss=1GiB/cores=2 1 9e9 ns/op\n")
	vf, err := view.Parse([]byte(raw.String()), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	claims.addVariants(Sources{VariantsName: "../variants", Variants: vf})
	v := verdictC14(claims.claims["C14"])
	for _, want := range []string{"| 3.12 | fork | no | 19.9 ms", "from the variants run ../variants (host-label vm;"} {
		if !strings.Contains(v.why+v.extra, want) {
			t.Errorf("C14 lacks %q:\n%s\n%s", want, v.why, v.extra)
		}
	}
	if strings.Contains(v.extra, "9.00 s") {
		t.Error("a variants cell at rss=1GiB was read")
	}
	// A variants run without C14's cells at main=stdlib: no column of
	// dashes presented as a result, but what it lacks and what it holds.
	raw.Reset()
	raw.WriteString("host-label: vm\nrun: 1\n")
	for _, c := range []string{"impl=cpython3.12/method=fork", "impl=cpython3.12/method=forkserver", "impl=cpython3.11/method=fork"} {
		fmt.Fprintf(&raw, "BenchmarkStartup/%s/chan=pipe/rss=0/cores=2 1 2e7 ns/op\n", c)
	}
	if vf, err = view.Parse([]byte(raw.String()), "raw.bench"); err != nil {
		t.Fatal(err)
	}
	claims, _ = load([]byte(f.b.String()))
	claims.addVariants(Sources{VariantsName: "../variants", Variants: vf})
	v = verdictC14(claims.claims["C14"])
	for _, want := range []string{"| 3.12 | fork | no |\n", "No per-version start-up: the variants run ../variants (host-label vm) holds none of the cells it needs",
		"it holds 3 cells (impl=cpython3.11, cpython3.12; method=fork, forkserver; main=stub; no cell with preload=…)"} {
		if !strings.Contains(v.why+v.extra, want) {
			t.Errorf("C14 lacks %q:\n%s\n%s", want, v.why, v.extra)
		}
	}
	if versions, _, _ := strings.Cut(v.extra, "The default interpreter"); strings.Contains(versions, "| — |") || strings.Contains(v.why, "in the table (main=stdlib)") || v.kind != Partly {
		t.Errorf("C14 presents empty per-version cells as a result (%s):\n%s\n%s", v.kind, v.why, v.extra)
	}
	claims, _ = load([]byte(f.b.String()))
	claims.addVariants(Sources{VariantsName: "../gone", VariantsErr: errors.New("no such folder")})
	if v := verdictC14(claims.claims["C14"]); !strings.Contains(v.why, "the variants run ../gone could not be read (no such folder)") {
		t.Errorf("an unreadable variants run is not said: %s", v.why)
	}
}

// Per-run medians: samples of one program run are one observation. Two
// runs whose samples differ by a constant offset per run must give a
// spread that covers both runs, not the within-run spread.
func TestStatIsOverRuns(t *testing.T) {
	f := &fixture{}
	for k := 1; k <= 6; k++ {
		fmt.Fprintf(&f.b, "run: %d\n", k)
		for i := 0; i < 5; i++ {
			fmt.Fprintf(&f.b, "BenchmarkClaim/id=C1/x=y 1 %d ns/op\n", 1000*k+i)
		}
	}
	s, ok := f.data(t, "C1").stat("ns/op")
	if !ok {
		t.Fatal("no stat")
	}
	if s.n != 6 || s.samples != 30 {
		t.Errorf("runs %d samples %d, want 6 and 30", s.n, s.samples)
	}
	if s.lo > 1002 || s.hi < 6002 {
		t.Errorf("CI %g … %g does not cover the run medians 1002 … 6002", s.lo, s.hi)
	}
}
