package main

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// fakeImplName is the implementation that exists only in this test.
const fakeImplName = "fakeimpl"

// registerFakeImpl declares the test-only implementation in the two
// registries, for the test's duration, and touches nothing else: its
// bench.ImplSpec (display name, the part of the full profile it runs, its
// cost model) and its impl.Constructor (with an interpreter flag). That
// is all a new implementation takes besides its own code.
func registerFakeImpl(t *testing.T) bench.ImplSpec {
	t.Helper()
	spec := bench.ImplSpec{Name: fakeImplName, Display: "FakeImpl",
		Full: &bench.Subset{
			Chans: map[string][]string{"startup": {"pipe"}, "pingpong": {"pipe"}, "stream": {"pipe"}, "pool": {"pipe"}},
			RSS:   []int64{0}, PingpongSizes: []int64{64}, StreamSizes: []int64{64 << 10}, Tasks: []string{"cpu"},
		},
		RunOverhead: time.Second,
		StartCost:   map[string]time.Duration{"spawn": 300 * time.Millisecond, "fork": 100 * time.Millisecond, "forkserver": 200 * time.Millisecond},
	}
	t.Cleanup(bench.RegisterImpl(spec))
	t.Cleanup(impl.Register(impl.Constructor{Name: fakeImplName, Flag: "fakeimpl-printf", Help: "the printf(1) of the fake implementation",
		New: func(interpreter string) impl.Impl { return &printfImpl{printf: cmp.Or(interpreter, "printf")} }}))
	return spec
}

// printfImpl is the test-only implementation: the measured program of a
// cell is printf(1) printing count result lines of value printfValue(c)
// (fakeLines), its calibration program printf printing a loop count, so
// that the harness runs, validates and records real processes without
// measuring anything.
type printfImpl struct{ printf string }

func (p *printfImpl) Name() string { return fakeImplName }

func (p *printfImpl) Available() error {
	_, err := exec.LookPath(p.printf)
	return err
}

func (p *printfImpl) Config() map[string]string {
	return map[string]string{fakeImplName + "-version": "9.9.9"}
}

func (p *printfImpl) SpinCommand() (*exec.Cmd, error) { return exec.Command(p.printf, "1000\n"), nil }

func (p *printfImpl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	return exec.Command(p.printf, "%s", fakeLines(c, printfValue(c), o.Count)), nil
}

// printfValue is the fake's ns/op of a cell: distinct per start method
// and workload.
func printfValue(c bench.Cell) float64 {
	return float64(1+slices.Index(bench.Methods, c.Method))*1e6 + float64(1+slices.Index(bench.Workloads, c.Workload))*1e3
}

// TestNewImplementationEndToEnd: an implementation registered from a test
// alone (registerFakeImpl) is in the full profile with the subset it
// declares, costs what its model says in the estimate, is run by
// `mpbench run` (runCmd, with its own interpreter flag) into a results
// folder, and is in the report: view.Load finds every cell with the
// values its program printed, and REPORT.md (reportCmd) names it by its
// display name and recorded version.
func TestNewImplementationEndToEnd(t *testing.T) {
	registerFakeImpl(t)
	nproc := runtime.NumCPU()
	cells, err := bench.Expand(bench.Selection{Profile: bench.Full, Impls: []string{fakeImplName}}, nproc)
	if err != nil {
		t.Fatal(err)
	}
	// Its Full subset: 4 workloads × 3 methods over pipe, one size, rss
	// 0, workers = cores = nproc; no executor but the loop (not Python).
	if len(cells) != 12 {
		t.Fatalf("full profile of %s: %d cells, want 12:\n%v", fakeImplName, len(cells), cells)
	}
	for _, c := range cells {
		if c.Impl != fakeImplName || c.Chan != "pipe" || c.Cores != nproc || c.RSS != 0 ||
			(c.Workload == "pool" && (c.Exec != bench.ExecLoop || c.Workers != nproc || c.Task != "cpu")) {
			t.Errorf("cell %s is outside the fake's subset", c.Name())
		}
	}
	all, err := bench.Expand(bench.Selection{Profile: bench.Full}, nproc)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(slices.DeleteFunc(all, func(c bench.Cell) bool { return c.Impl != fakeImplName })); n != len(cells) {
		t.Errorf("the full profile holds %d cells of %s, want its %d", n, fakeImplName, len(cells))
	}
	// Its cost model: a start-up program run of 2 samples and 1 warm-up
	// costs RunOverhead + 3 × max(StartCost, benchtime).
	fork := bench.Cell{Workload: "startup", Impl: fakeImplName, Method: "fork", Chan: "pipe", Cores: nproc}
	if got, want := harness.EstimateCell(fork, 2, 1, 25*time.Millisecond), time.Second+3*100*time.Millisecond; got != want {
		t.Errorf("estimate of %s: %v, want %v", fork.Name(), got, want)
	}

	out := filepath.Join(t.TempDir(), "run")
	if err := runCmd([]string{"--impl", fakeImplName, "--fakeimpl-printf", "printf",
		"--runs", "2", "--max-runs", "2", "--count", "2", "--out", out}); err != nil {
		t.Fatal(err)
	}
	r, err := view.Load(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := r.ConfigValue(fakeImplName + "-version"); v != "9.9.9" {
		t.Errorf("recorded version %q, want 9.9.9", v)
	}
	byName := map[string]*view.Cell{}
	for _, c := range r.Cells {
		byName[c.Name] = c
	}
	for _, c := range cells {
		rc := byName[c.Name()]
		if rc == nil {
			t.Errorf("%s: not in the results", c.Name())
			continue
		}
		got := rc.Values("ns/op")
		if rc.Status != view.StatusOK || len(got) != 4 || slices.ContainsFunc(got, func(v float64) bool { return v != printfValue(c) }) {
			t.Errorf("%s: %s, ns/op samples %v, want 2 runs × 2 samples of %g", c.Name(), rc.Status, got, printfValue(c))
		}
	}
	if len(r.Cells) != len(cells) {
		t.Errorf("%d cells in the results, want %d", len(r.Cells), len(cells))
	}

	if err := reportCmd([]string{out}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "FakeImpl 9.9.9") {
		t.Errorf("REPORT.md does not name the implementation by its display name and version (FakeImpl 9.9.9)")
	}
}

// TestRegistriesAgree: the implementations this binary links declare a
// constructor (impl) for every spec (bench) and no other, each building
// an implementation of its own name; the interpreter flags are those of
// the constructors.
func TestRegistriesAgree(t *testing.T) {
	var specs, ctors []string
	for _, s := range bench.ImplSpecs() {
		specs = append(specs, s.Name)
	}
	for _, c := range impl.Constructors() {
		ctors = append(ctors, c.Name)
		if got := c.New("").Name(); got != c.Name {
			t.Errorf("the constructor of %s builds impl %s", c.Name, got)
		}
	}
	slices.Sort(specs)
	slices.Sort(ctors)
	if !slices.Equal(specs, ctors) {
		t.Errorf("specs %v, constructors %v", specs, ctors)
	}
	var interp interpreterFlags
	fs := newFlagSet("test")
	interp.register(fs)
	for _, name := range []string{"python", "pypy", "torch-python"} {
		if fs.Lookup(name) == nil {
			t.Errorf("no --%s flag", name)
		}
	}
}
