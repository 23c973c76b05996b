package claims

import (
	"fmt"
	"strings"
	"testing"
)

// bench builds a claims.bench from result lines "name: v1 v2 …" (one
// sample per value, unit given after the name) and raw lines.
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
	p, err := parse([]byte(f.b.String()))
	if err != nil {
		t.Fatal(err)
	}
	d := p.claims[id]
	if d == nil {
		t.Fatalf("no data for %s in\n%s", id, f.b.String())
	}
	return d
}

func spread(center float64) []float64 {
	out := make([]float64, 10)
	for i := range out {
		out[i] = center * (1 + float64(i-5)/100) // ±5%
	}
	return out
}

func startup(f *fixture, id, rss string, spawn, fs, fork float64) *fixture {
	for m, v := range map[string]float64{"spawn": spawn, "forkserver": fs, "fork": fork} {
		f.add("id="+id+"/workload=startup/impl=cpython/method="+m+"/chan=pipe/rss="+rss+"/cores=2", "ns/op", spread(v)...)
	}
	return f
}

func TestVerdicts(t *testing.T) {
	tests := []struct {
		name, id string
		f        *fixture
		verdict  func(*claimData) verdict
		want     string
		whyHas   string
	}{
		{"C1 order holds", "C1", startup(&fixture{}, "C1", "0", 95e6, 23e6, 3e6), verdictC1, Confirmed, "31.7× fork"},
		{"C1 forkserver not between", "C1", startup(&fixture{}, "C1", "0", 95e6, 3e6, 3e6), verdictC1, Partly, "not separated (overlapping CIs, a noisy machine or a real tie): forkserver > fork"},
		{"C1 spawn fastest", "C1", startup(&fixture{}, "C1", "0", 2e6, 23e6, 3e6), verdictC1, Refuted, "clearly faster"},
		{"C1 all tied", "C1", startup(&fixture{}, "C1", "0", 3e6, 3e6, 3e6), verdictC1, Partly, "Separated by non-overlapping CIs: none"},
		{"C2 fork fastest everywhere", "C2",
			startup(startup(&fixture{}, "C2", "0", 95e6, 23e6, 3e6), "C2", "1GiB", 96e6, 24e6, 20e6),
			verdictC2, Confirmed, "fork 6.67× (grows"},
		{"C2 fork loses at 1GiB", "C2",
			startup(startup(&fixture{}, "C2", "0", 95e6, 23e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6),
			verdictC2, Partly, "not clearly at rss=1GiB"},
		{"C2 fork slow at 0", "C2",
			startup(startup(&fixture{}, "C2", "0", 95e6, 2e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6),
			verdictC2, Refuted, "clearly slower"},
		{"C2 fork tied at 0", "C2",
			startup(startup(&fixture{}, "C2", "0", 95e6, 3e6, 3e6), "C2", "1GiB", 96e6, 14e6, 30e6),
			verdictC2, Partly, "overlapping CIs"},
		{"C3 three waves", "C3", (&fixture{}).
			add("id=C3/method=spawn/workers=2/tasks=5/task-ms=200", "task-times", 3.01, 3.02, 3.05).
			add("id=C3/method=fork/workers=2/tasks=5/task-ms=200", "task-times", 3.01, 3.02, 3.0).
			add("id=C3/method=forkserver/workers=2/tasks=5/task-ms=200", "task-times", 3.1, 3.02, 3.0),
			verdictC3, Confirmed, "200 ms"},
		{"C3 spawn too slow", "C3", (&fixture{}).
			add("id=C3/method=spawn/workers=2/tasks=5/task-ms=200", "task-times", 4.01, 4.02, 4.05).
			add("id=C3/method=fork/workers=2/tasks=5/task-ms=200", "task-times", 3.01, 3.02, 3.0).
			add("id=C3/method=forkserver/workers=2/tasks=5/task-ms=200", "task-times", 3.1, 3.02, 3.0),
			verdictC3, Partly, "spawn (4.02)"},
		{"C3 five waves", "C3", (&fixture{}).
			add("id=C3/method=spawn/workers=2/tasks=5/task-ms=200", "task-times", 5, 5, 5).
			add("id=C3/method=fork/workers=2/tasks=5/task-ms=200", "task-times", 5, 5, 5).
			add("id=C3/method=forkserver/workers=2/tasks=5/task-ms=200", "task-times", 5, 5, 5),
			verdictC3, Refuted, ""},
		{"C3 missing method", "C3", (&fixture{}).
			add("id=C3/method=fork/workers=2/tasks=5/task-ms=200", "task-times", 3),
			verdictC3, Failed, "method=spawn"},
		{"C7 deadlock under fork only", "C7", c7(3, 0), verdictC7, Confirmed, "3/3 runs"},
		{"C7 sometimes", "C7", c7(1, 0), verdictC7, Partly, "1/3"},
		{"C7 never", "C7", c7(0, 0), verdictC7, Refuted, ""},
		{"C7 spawn deadlocks too", "C7", c7(3, 1), verdictC7, Partly, "except in some runs"},
		{"C8 all methods", "C8", c8(true), verdictC8, Confirmed, "3 of 3"},
		{"C8 no error", "C8", c8(false), verdictC8, Refuted, "0 of 3"},
		{"C10 one-way interop", "C10", c10(1), verdictC10, Partly, "one direction only"},
		{"C10 no interop", "C10", c10(0), verdictC10, Confirmed, ""},
		{"C13 rule holds", "C13", c13(40e6, 32e6, 33e6, 45e6), verdictC13, Confirmed, "2 workers on 2 cores (1× per core)"},
		{"C13 oversubscription free", "C13", c13(64e6, 32e6, 33e6, 32.5e6), verdictC13, Partly, "did not measurably"},
		{"C13 best at 4x", "C13", c13(64e6, 40e6, 36e6, 30e6), verdictC13, Refuted, "8 workers"},
		{"C13 contended machine", "C13", c13(64e6, 40e6, 36e6, 30e6).
			add("id=C13/task=cpu/workers=8/tasks=128/cores=2", "efficiency", 1.3, 1.4, 1.35),
			verdictC13, Partly, "efficiency of 1.35 at workers=8"},
		{"C12 no GPU", "C12", (&fixture{}).
			raw("BenchmarkClaim/id=C12/check=cuda 1 5 ns/op 0 nvidia-devices 0 cuda 0 gpus").
			raw("--- NOTE: BenchmarkClaim/id=C12/check=cuda: 0 /dev/nvidia* device nodes; torch not importable"),
			verdictC12, Untestable, "No GPU on this machine: 0 /dev/nvidia*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.verdict(tc.f.data(t, tc.id))
			if v.kind != tc.want {
				t.Errorf("verdict %q (%s), want %q", v.kind, v.why, tc.want)
			}
			if !strings.Contains(v.why, tc.whyHas) {
				t.Errorf("why %q does not mention %q", v.why, tc.whyHas)
			}
		})
	}
}

func c7(forkDeadlocks, spawnDeadlocks int) *fixture {
	f := &fixture{}
	for _, m := range []string{"spawn", "fork", "forkserver"} {
		for i := 0; i < 3; i++ {
			dl := 0
			if (m == "fork" && i < forkDeadlocks) || (m == "spawn" && i < spawnDeadlocks) {
				dl = 1
			}
			fmt.Fprintf(&f.b, "BenchmarkClaim/id=C7/method=%s 1 5 ns/op %d deadlock %d ok 0 deprecation-warning 2 threads-at-start\n", m, dl, 1-dl)
		}
	}
	return f
}

func c8(raises bool) *fixture {
	f := &fixture{}
	r := 0
	if raises {
		r = 1
	}
	for _, m := range []string{"spawn", "fork", "forkserver"} {
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C8/method=%s/daemon=true 1 5 ns/op %d raised %d ok\n", m, r, 1-r)
		fmt.Fprintf(&f.b, "BenchmarkClaim/id=C8/method=%s/daemon=false 1 5 ns/op 0 raised 1 ok\n", m)
	}
	return f
}

func c10(mixOK int) *fixture {
	f := &fixture{}
	f.raw("BenchmarkClaim/id=C10/step=set-first 1 5 ns/op 0 raised 1 ok")
	f.raw("BenchmarkClaim/id=C10/step=set-twice 1 5 ns/op 1 raised 0 ok")
	f.raw("--- NOTE: BenchmarkClaim/id=C10/step=set-twice: RuntimeError: context has already been set")
	f.raw("BenchmarkClaim/id=C10/step=get-context 1 5 ns/op 0 raised 1 ok")
	f.raw("BenchmarkClaim/id=C10/step=set-force 1 5 ns/op 0 raised 1 ok")
	f.raw("BenchmarkClaim/id=C10/step=mix-fork-queue-spawn-child 1 5 ns/op 1 raised 0 ok")
	fmt.Fprintf(&f.b, "BenchmarkClaim/id=C10/step=mix-spawn-queue-fork-child 1 5 ns/op %d raised %d ok\n", 1-mixOK, mixOK)
	return f
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
