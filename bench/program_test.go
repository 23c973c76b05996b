package bench

import (
	"strings"
	"testing"
)

// TestProgramCells checks the definition of the program cells of the
// full and quick profiles (program.go), cell by cell.
func TestProgramCells(t *testing.T) {
	names := func(cells []Cell) []string {
		var out []string
		for _, c := range cells {
			out = append(out, c.Name())
		}
		return out
	}
	full, err := ProgramCells(Selection{Profile: Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range Methods {
		for _, p := range []string{PreloadMain, PreloadNone} {
			if p == PreloadNone && m != "forkserver" {
				continue
			}
			for _, w := range []string{MainStub, MainStdlib} {
				want = append(want, Cell{Workload: "startup", Impl: "cpython", Method: m, Chan: "pipe", Cores: 2}.WithProgram(w, p).Name())
			}
		}
	}
	for _, rss := range BareSweepRSS[1:] {
		want = append(want, Cell{Workload: "startup", Impl: "cpython", Method: "forkserver", Preload: PreloadNone, Chan: "pipe", RSS: rss, Cores: 2}.Name())
	}
	for _, m := range Methods {
		for _, p := range Preloads {
			if p == PreloadNone && m != "forkserver" {
				continue
			}
			for _, w := range []string{MainStub, MainStdlib} { // numpy and torch: the users profile's
				want = append(want, Cell{Workload: "startup", Impl: ProgramImpl, Method: m, Chan: "pipe", Cores: 2}.WithProgram(w, p).Name())
			}
		}
	}
	if got := names(full); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("full program cells:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// In the full profile, the cells the matrix has already are listed once.
	all, err := Expand(Selection{Profile: Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, c := range all {
		if !c.DefaultProgram() || c.Impl == ProgramImpl {
			added++
		}
	}
	if added != 5+5+8 {
		t.Errorf("full profile: %d program cells beyond the matrix, want 18", added)
	}
	quick, _ := ProgramCells(Selection{Profile: Quick}, 2)
	if got := strings.Join(names(quick), " "); got != "Startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=0/cores=2 "+
		"Startup/impl=cpython/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2" {
		t.Errorf("quick program cells: %s", got)
	}
	for _, sel := range []Selection{{Profile: VariantsOnly}, {Profile: Full, Workloads: []string{"pool"}}, {Profile: Full, Impls: []string{"native", "pypy"}}} {
		if cells, _ := ProgramCells(sel, 2); len(cells) != 0 {
			t.Errorf("%+v: program cells %v", sel, names(cells))
		}
	}
}

// TestProgramSelection: --main and --preload replace the defaults of every
// cell they concern; preload concerns forkserver only, native has neither.
func TestProgramSelection(t *testing.T) {
	for _, tc := range []struct {
		name string
		sel  Selection
		want []string
	}{
		{"preload none: forkserver's, spawn and fork unchanged", Selection{Profile: Quick, Impls: []string{"native", "cpython"}, Workloads: []string{"startup"},
			Chans: []string{"pipe"}, RSS: []int64{0}, Cores: []int{1}, Preloads: []string{PreloadNone}}, []string{
			"Startup/impl=native/method=spawn/chan=pipe/rss=0/cores=1",
			"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1",
			"Startup/impl=cpython/method=spawn/chan=pipe/rss=0/cores=1",
			"Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=1",
			"Startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=0/cores=1",
			// (the quick profile's program cells are at cores = nproc = 2: not selected)
		}},
		{"a selection narrows the program cells", Selection{Impls: []string{"cpython"}, Workloads: []string{"startup"}, Methods: []string{"forkserver"},
			Chans: []string{"pipe"}, RSS: []int64{0, 1 << 30}, Cores: []int{2}, Preloads: []string{PreloadNone}}, []string{
			"Startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=0/cores=2",
			"Startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=1GiB/cores=2",
			"Startup/impl=cpython/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2",
		}},
		{"one cell (the README's example)", Selection{Impls: []string{"cpython"}, Workloads: []string{"startup"}, Methods: []string{"spawn"},
			Chans: []string{"simplequeue"}, RSS: []int64{0}, Cores: []int{2}}, []string{
			"Startup/impl=cpython/method=spawn/chan=simplequeue/rss=0/cores=2",
		}},
		{"a heavy main: no native cells", Selection{Impls: []string{"cpython", "native"}, Workloads: []string{"startup"}, Methods: []string{"forkserver"},
			Chans: []string{"pipe"}, RSS: []int64{0}, Cores: []int{1}, Mains: []string{MainNumpy}, Preloads: Preloads}, []string{
			"Startup/impl=cpython/method=forkserver/main=numpy/chan=pipe/rss=0/cores=1",
			"Startup/impl=cpython/method=forkserver/preload=none/main=numpy/chan=pipe/rss=0/cores=1",
		}},
		{"every workload takes the keys", Selection{Impls: []string{"pypy"}, Workloads: []string{"pool"}, Methods: []string{"spawn"}, Execs: []string{ExecPool},
			Workers: []int{1}, Tasks: []string{"cpu"}, Cores: []int{1}, Mains: []string{MainStdlib}}, []string{
			"Pool/impl=pypy/method=spawn/main=stdlib/exec=pool/workers=1/tasks=8/task=cpu/cores=1",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells, err := Expand(tc.sel, 2)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cells {
				got = append(got, c.Name())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	c := Cell{Workload: "startup", Impl: "cpython", Method: "forkserver", Chan: "pipe", Cores: 1}
	if c.MainWeight() != MainStub || c.PreloadOf() != PreloadMain || !c.DefaultProgram() {
		t.Errorf("defaults of %s: main %s, preload %s", c.Name(), c.MainWeight(), c.PreloadOf())
	}
	c.Method = "spawn"
	if c.PreloadOf() != "" {
		t.Errorf("spawn has no preload, got %q", c.PreloadOf())
	}
	for _, w := range MainWeights {
		if _, ok := MainImports[w]; !ok {
			t.Errorf("main weight %s has no imports entry", w)
		}
	}
}
