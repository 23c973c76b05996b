package bench

import (
	"slices"
	"strings"
	"testing"
)

// TestWorkloadRegistry: every entry declares what the rest of the code
// reads, consistently with the metric table and the cell type.
func TestWorkloadRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, w := range WorkloadRegistry {
		switch {
		case seen[w.Name] || w.Name == "":
			t.Errorf("%q: empty or registered twice", w.Name)
		case strings.ToLower(w.Kind) != w.Name:
			t.Errorf("%s: kind %q is not the name's", w.Name, w.Kind)
		case len(w.Units) == 0 || w.Units[0] != "ns/op":
			t.Errorf("%s: units %v do not begin with ns/op", w.Name, w.Units)
		case !slices.Contains(w.Units, w.Headline):
			t.Errorf("%s: headline %q is not one of its units", w.Name, w.Headline)
		case w.Definitions == "" || w.Section == "" || w.Timeout <= 0:
			t.Errorf("%s: no definitions, section or timeout", w.Name)
		case !slices.Equal(RequiredUnits(w.Name), w.Units):
			t.Errorf("%s: RequiredUnits %v, want its units in table order %v", w.Name, RequiredUnits(w.Name), w.Units)
		}
		seen[w.Name] = true
		for _, k := range w.Params {
			if ParamKeys[k] == nil {
				t.Errorf("%s: parameter %q is not a key of ParamKeys", w.Name, k)
			}
		}
	}
	if want := []string{Startup, Pingpong, Stream, Pool, Gather, Memory}; !slices.Equal(Workloads, want) {
		t.Errorf("Workloads %v, want %v", Workloads, want)
	}
	if want := []string{Startup, Pingpong, Stream, Pool}; !slices.Equal(MatrixWorkloads, want) {
		t.Errorf("MatrixWorkloads %v, want %v", MatrixWorkloads, want)
	}
	if got := sayList(timedWorkloads()); got != "pingpong, stream and gather" {
		t.Errorf("timed workloads %q", got)
	}
}

// TestWorkloadParams: the parameters of each workload's names, in order,
// as the registry declares them.
func TestWorkloadParams(t *testing.T) {
	for _, tc := range []struct {
		cell Cell
		want string
	}{
		{Cell{Workload: Startup, Impl: "native", Method: "fork", Chan: "pipe", RSS: 256 << 20, Cores: 2}, "rss=256MiB"},
		{Cell{Workload: Pingpong, Impl: "native", Method: "fork", Chan: "pipe", Size: 64, Cores: 2}, "size=64B"},
		{Cell{Workload: Pool, Impl: "cpython", Method: "fork", Exec: ExecPool, Workers: 2, Tasks: 16, Task: "cpu", Chunksize: 4, Cores: 2}, "workers=2/tasks=16/task=cpu/chunksize=4"},
		{Cell{Workload: Pool, Impl: "cpython", Method: "fork", Exec: ExecPool, Workers: 2, Tasks: 16, Task: "cpu", Cores: 2}, "workers=2/tasks=16/task=cpu"},
		{Cell{Workload: Gather, Impl: "cpython", Method: "fork", Chan: "pipe", Workers: 2, Size: 64, Cores: 2}, "workers=2/size=64B"},
		{Cell{Workload: Memory, Impl: "cpython", Method: "fork", Touch: TouchNone, RSS: 0, Workers: 2, Cores: 2}, "rss=0/workers=2"},
	} {
		if got := strings.Join(tc.cell.Params(), "/"); got != tc.want {
			t.Errorf("%s: params %q, want %q", tc.cell.Name(), got, tc.want)
		}
		if !strings.Contains(tc.cell.Name(), "/"+tc.want+"/cores=") {
			t.Errorf("%s: the name does not carry %q before cores", tc.cell.Name(), tc.want)
		}
	}
}

// TestRegisterWorkload: a workload registered from a test has cell names
// that parse and validate, its units are required, and unregistering
// restores the registry.
func TestRegisterWorkload(t *testing.T) {
	before := append([]string(nil), Workloads...)
	unregister := RegisterWorkload(Workload{Name: "fake", Kind: "Fake", Params: []string{"size", "workers"},
		Units: []string{"ns/op", "widgets/s"}, Headline: "widgets/s", Definitions: "this test", Section: "Fake workload"})
	c := Cell{Workload: "fake", Impl: "native", Method: "fork", Chan: "pipe", Size: 64, Workers: 3, Cores: 1}
	if got, want := c.Name(), "Fake/impl=native/method=fork/chan=pipe/size=64B/workers=3/cores=1"; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
	if p, err := ParseName(c.Name()); err != nil || p != c {
		t.Errorf("ParseName: %+v, %v", p, err)
	}
	if got := RequiredUnits("fake"); !slices.Equal(got, []string{"ns/op", "widgets/s"}) {
		t.Errorf("RequiredUnits %v", got)
	}
	if !slices.Contains(Workloads, "fake") || slices.Contains(MatrixWorkloads, "fake") || WorkloadTimeout("fake") <= 0 {
		t.Errorf("Workloads %v, MatrixWorkloads %v, timeout %v", Workloads, MatrixWorkloads, WorkloadTimeout("fake"))
	}
	unregister()
	if _, err := ParseName(c.Name()); err == nil || !slices.Equal(Workloads, before) {
		t.Errorf("after unregister: Workloads %v, ParseName error %v", Workloads, err)
	}
}
