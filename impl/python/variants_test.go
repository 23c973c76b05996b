package python

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
)

// fakePyenv builds a pyenv root whose versions/ holds the given entries:
// "3.12.1" is a directory with an executable bin/python3 (a shell script
// that fails: FindVersion never runs it), "3.12.1:noexec" one whose
// python3 is not executable, "3.12.1:nobin" one without bin/python3.
func fakePyenv(t *testing.T, entries ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, e := range entries {
		name, kind, _ := strings.Cut(e, ":")
		bin := filepath.Join(root, "versions", name, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if kind == "nobin" {
			continue
		}
		mode := os.FileMode(0o755)
		if kind == "noexec" {
			mode = 0o644
		}
		if err := os.WriteFile(filepath.Join(bin, "python3"), []byte("#!/bin/sh\nexit 3\n"), mode); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFindVersion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []string
		minor   string
		want    string // version directory chosen; "" = not found
	}{
		{"one", []string{"3.12.1"}, "3.12", "3.12.1"},
		{"highest patch numerically", []string{"3.12.9", "3.12.10", "3.12.2"}, "3.12", "3.12.10"},
		{"other minors ignored", []string{"3.1.5", "3.11.7", "3.12.1", "3.13.0"}, "3.1", "3.1.5"},
		{"3.1 is not 3.11", []string{"3.11.7"}, "3.1", ""},
		{"not releases", []string{"3.12-dev", "3.13.0t", "3.12.1rc1", "3.12."}, "3.12", ""},
		{"pre-release beside release", []string{"3.13.0t", "3.13.0"}, "3.13", "3.13.0"},
		{"not executable", []string{"3.12.3:noexec", "3.12.1"}, "3.12", "3.12.1"},
		{"no bin", []string{"3.8.18:nobin"}, "3.8", ""},
		{"empty", nil, "3.12", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fakePyenv(t, tc.entries...)
			got, err := FindVersion(root, tc.minor)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("found %s, want none", got)
				}
				if !strings.Contains(err.Error(), "CPython "+tc.minor+" not installed") {
					t.Errorf("reason %q does not say which version is missing", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(root, "versions", tc.want, "bin", "python3"); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	if _, err := FindVersion(filepath.Join(t.TempDir(), "nothing"), "3.12"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing root: err = %v", err)
	}
}

func TestIsVersionImpl(t *testing.T) {
	for _, tc := range []struct {
		name, minor string
	}{
		{"cpython3.8", "3.8"}, {"cpython3.13", "3.13"}, {"cpython", ""}, {"cpython3", ""},
		{"cpython3.", ""}, {"cpython3.x", ""}, {"pypy3.9", ""}, {"cpython3.12.1", ""}, {"billiard", ""},
	} {
		minor, ok := IsVersionImpl(tc.name)
		if minor != tc.minor || ok != (tc.minor != "") {
			t.Errorf("IsVersionImpl(%q) = %q, %v; want %q", tc.name, minor, ok, tc.minor)
		}
	}
	if NewVariant("cpython", "") != nil || NewVariant("torch", "") != nil {
		t.Error("NewVariant accepts an impl that is not a variant")
	}
	if p := NewVariant("cpython3.12", "/r"); p == nil || p.Name() != "cpython3.12" {
		t.Errorf("NewVariant(cpython3.12) = %v", p)
	}
	if p := NewVariant("billiard", ""); p == nil || p.Name() != "billiard" {
		t.Errorf("NewVariant(billiard) = %v", p)
	}
}

// TestVersionMissing hides versions through the prefix override: a
// missing version is unavailable with a reason that names it, its config
// records that reason, and it gives no command.
func TestVersionMissing(t *testing.T) {
	t.Setenv(PyenvRootEnv, fakePyenv(t, "3.12.1:nobin"))
	cell := bench.Cell{Workload: "startup", Impl: "cpython3.12", Method: "fork", Chan: "pipe", Cores: 1}
	for _, minor := range []string{"3.8", "3.12"} {
		p := NewVersion(minor, "")
		err := p.Available()
		if err == nil || !strings.Contains(err.Error(), "CPython "+minor+" not installed") {
			t.Errorf("%s: err = %v", p.Name(), err)
			continue
		}
		t.Logf("%s: %v", p.Name(), err)
		if cfg := p.Config(); cfg[p.Name()+"-unavailable"] != err.Error() {
			t.Errorf("%s: config %v", p.Name(), cfg)
		}
		cell.Impl = p.Name()
		if _, cerr := p.Command(cell, tiny); cerr == nil {
			t.Errorf("%s: Command of a missing version succeeded", p.Name())
		}
	}
}

// TestVersionWrongInterpreter: a pyenv directory whose python3 is another
// version (or does not run) is not taken for the version it claims.
func TestVersionWrongInterpreter(t *testing.T) {
	real := cpython(t) // python3 on PATH
	cfg := real.Config()
	ver := cfg["cpython-version"]
	root := t.TempDir()
	bin := filepath.Join(root, "versions", "3.99.0", "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real.Interpreter(), filepath.Join(bin, "python3")); err != nil {
		t.Fatal(err)
	}
	err := NewVersion("3.99", root).Available()
	if err == nil || !strings.Contains(err.Error(), "is CPython "+ver+", not 3.99") {
		t.Errorf("err = %v", err)
	}
	broken := fakePyenv(t, "3.12.1")
	if err := NewVersion("3.12", broken).Available(); err == nil || !strings.Contains(err.Error(), "does not run") {
		t.Errorf("broken interpreter: err = %v", err)
	}
}

// TestLibraryMissing: an interpreter without the module makes the library
// unavailable with the reason.
func TestLibraryMissing(t *testing.T) {
	p := NewLibrary("billiard", "")
	p.variant.module, p.module = "mpbench_no_such_module", "mpbench_no_such_module"
	if err := p.Available(); err == nil || !strings.Contains(err.Error(), "mpbench_no_such_module not importable") {
		t.Errorf("err = %v", err)
	} else {
		t.Logf("missing library: %v", err)
	}
	if err := NewLibrary("billiard", "/nonexistent/python3").Available(); err == nil || !strings.Contains(err.Error(), "/nonexistent/python3") {
		t.Errorf("missing interpreter: err = %v", err)
	}
}

// TestVersionsPresent probes every version installed here (the others are
// skipped with the reason) and checks the version it reports.
func TestVersionsPresent(t *testing.T) {
	for _, minor := range Versions {
		p := NewVersion(minor, "")
		t.Run(p.Name(), func(t *testing.T) {
			if err := p.Available(); err != nil {
				t.Skip(err)
			}
			cfg := p.Config()
			if !strings.HasPrefix(cfg[p.Name()+"-version"], minor+".") || cfg[p.Name()+"-python"] == "" {
				t.Errorf("config %v", cfg)
			}
			t.Logf("config %v", cfg)
		})
	}
}

// TestLibrariesPresent probes every library installed here.
func TestLibrariesPresent(t *testing.T) {
	for _, lib := range Libraries {
		p := NewLibrary(lib, "")
		t.Run(lib, func(t *testing.T) {
			if err := p.Available(); err != nil {
				t.Skip(err)
			}
			cfg := p.Config()
			// The stdlib's multiprocessing has no version of its own.
			if (cfg[lib+"-module-version"] == "") != (lib == "multiprocessing") || cfg[lib+"-version"] == "" || cfg[lib+"-module"] != lib {
				t.Errorf("config %v", cfg)
			}
			t.Logf("config %v", cfg)
		})
	}
}

// TestVersionsDriver runs the one driver under every CPython version
// installed here (tiny cells; missing versions are skipped with the
// reason): a spawn child re-imports the driver under that version, shm
// needs its multiprocessing.shared_memory, pingpong its hot paths.
func TestVersionsDriver(t *testing.T) {
	for _, minor := range Versions {
		p := NewVersion(minor, "")
		t.Run(p.Name(), func(t *testing.T) {
			if err := p.Available(); err != nil {
				t.Skip(err)
			}
			for _, name := range []string{
				"Startup/impl=" + p.Name() + "/method=spawn/chan=shm/rss=0/cores=2",
				"Pingpong/impl=" + p.Name() + "/method=forkserver/chan=pipe/size=64B/cores=2",
				"Pool/impl=" + p.Name() + "/method=fork/exec=pool/workers=2/tasks=16/task=cpu/cores=2",
			} {
				runCell(t, p, name, tiny)
			}
		})
	}
}

// partialRoot builds a pyenv root that links the first CPython version
// installed here, and nothing else; it returns that version ("" when none
// is installed) and the root.
func partialRoot(t *testing.T) (keep, root string) {
	t.Helper()
	var dir string
	for _, minor := range Versions {
		if py, err := FindVersion(PyenvRoot(), minor); err == nil {
			keep, dir = minor, filepath.Dir(filepath.Dir(py))
			break
		}
	}
	root = t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "versions"), 0o755); err != nil {
		t.Fatal(err)
	}
	if keep == "" {
		return "", root
	}
	if err := os.Symlink(dir, filepath.Join(root, "versions", filepath.Base(dir))); err != nil {
		t.Fatal(err)
	}
	return keep, root
}

// TestVersionsPartialRoot simulates a machine with one version only: a
// pyenv root (through the prefix override) that links one real version.
// That version is found and runs a cell; every other one is unavailable.
func TestVersionsPartialRoot(t *testing.T) {
	keep, root := partialRoot(t)
	if keep == "" {
		t.Skipf("no CPython version under %s to keep", PyenvRoot())
	}
	t.Setenv(PyenvRootEnv, root)
	for _, minor := range Versions {
		p := NewVersion(minor, "")
		err := p.Available()
		if minor != keep {
			if err == nil || !strings.Contains(err.Error(), "CPython "+minor+" not installed") {
				t.Errorf("%s hidden: err = %v", p.Name(), err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s kept: %v", p.Name(), err)
		}
		runCell(t, p, "Startup/impl="+p.Name()+"/method=fork/chan=pipe/rss=0/cores=1", tiny)
	}
}

// TestVariantsThroughHarness runs variant cells through the harness as
// `mpbench run` does, with versions hidden by the prefix override: the
// hidden versions' cells are recorded as skipped with the reason, the kept
// one measured, and a start method that fails for a user of a library
// (multiprocess spawn here) as failed with the library's error.
func TestVariantsThroughHarness(t *testing.T) {
	keep, root := partialRoot(t)
	t.Setenv(PyenvRootEnv, root)
	var cells []bench.Cell
	impls := map[string]impl.Impl{}
	for _, name := range bench.VersionImpls {
		cells = append(cells, bench.Cell{Workload: "startup", Impl: name, Method: "fork", Chan: "pipe", Cores: 1})
		impls[name] = NewVariant(name, "")
	}
	mp := NewVariant("multiprocess", "")
	wantFail := ""
	if mp.Available() == nil {
		wantFail = startsChild(t, mp, "spawn")
		cells = append(cells, bench.Cell{Workload: "startup", Impl: "multiprocess", Method: "spawn", Chan: "pipe", Cores: 1})
		impls["multiprocess"] = mp
	}
	out := filepath.Join(t.TempDir(), "run")
	sum, err := harness.Run(context.Background(), harness.Config{
		Cells: cells, Impls: impls, Profile: bench.Quick,
		Count: 1, Runs: 1, MaxRuns: 1, Warmup: 1, Benchtime: time.Millisecond,
		Timeout: 60 * time.Second, Out: out,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("summary: %+v", sum)
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cells {
		rc := res.Cell(c.Name())
		if rc == nil {
			t.Errorf("%s: not recorded", c.Name())
			continue
		}
		minor, isVersion := IsVersionImpl(c.Impl)
		switch {
		case isVersion && minor == keep:
			if rc.Status() == rawbench.StatusSkipped || rc.Status() == rawbench.StatusFailed || len(rc.Runs) != 1 {
				t.Errorf("%s (kept): status %s, %d runs, skip %q, fail %q", c.Name(), rc.Status(), len(rc.Runs), rc.Skip, rc.Fail)
			}
		case isVersion:
			if rc.Status() != rawbench.StatusSkipped || !strings.Contains(rc.Skip, "CPython "+minor+" not installed") {
				t.Errorf("%s (hidden): status %s, skip %q", c.Name(), rc.Status(), rc.Skip)
			}
		case wantFail != "":
			if rc.Status() != rawbench.StatusFailed || !strings.HasSuffix(rc.Fail, wantFail) {
				t.Errorf("%s: status %s, fail %q; want the library's %q", c.Name(), rc.Status(), rc.Fail, wantFail)
			}
		default:
			if rc.Status() == rawbench.StatusSkipped || rc.Status() == rawbench.StatusFailed {
				t.Errorf("%s: status %s (%s%s), but a child starts for a user", c.Name(), rc.Status(), rc.Skip, rc.Fail)
			}
		}
	}
	raw, _ := os.ReadFile(filepath.Join(out, harness.RawFile))
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(l, "--- SKIP") || strings.HasPrefix(l, "--- FAIL") {
			t.Log(l)
		}
	}
}

// startsChild runs a few lines under the library impl's interpreter that
// start one child by method with the library, as a user would, and
// returns "" when that works or the last line of its error.
func startsChild(t *testing.T, p *Impl, method string) string {
	t.Helper()
	script := `import sys, importlib
mp = importlib.import_module(sys.argv[1])
if __name__ == "__main__":
    p = mp.get_context(sys.argv[2]).Process(target=print, args=())
    p.start()
    p.join()
    sys.exit(p.exitcode)
`
	f := filepath.Join(t.TempDir(), "start.py")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p.Interpreter(), f, p.Module(), method)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, errOut, err := run(t, cmd, 60*time.Second)
	if err == nil {
		return ""
	}
	if r := lastLine(errOut); r != "" {
		return r
	}
	return err.Error() + " " + out
}

// TestLibrariesDriver runs the driver with each library installed here, and
// checks that the driver reports a start method's failure exactly as the
// library gives it to a user (multiprocess's spawn and forkserver on
// Debian's 3.11: "TypeError: fork_exec() takes exactly 23 arguments (21
// given)"): non-zero exit, no result line, that error as the last line of
// stderr (the harness's FAIL reason).
func TestLibrariesDriver(t *testing.T) {
	for _, lib := range Libraries {
		p := NewLibrary(lib, "")
		t.Run(lib, func(t *testing.T) {
			if err := p.Available(); err != nil {
				t.Skip(err)
			}
			for _, m := range bench.Methods {
				name := "Startup/impl=" + lib + "/method=" + m + "/chan=pipe/rss=0/cores=2"
				want := startsChild(t, p, m)
				if want == "" {
					runCell(t, p, name, tiny)
					continue
				}
				t.Logf("%s: %s fails for a user: %s", lib, m, want)
				c, err := bench.ParseName(name)
				if err != nil {
					t.Fatal(err)
				}
				cmd, err := p.Command(c, tiny)
				if err != nil {
					t.Fatal(err)
				}
				out, errOut, err := run(t, cmd, 60*time.Second)
				if err == nil || strings.TrimSpace(out) != "" {
					t.Errorf("%s: err %v, stdout %q; want a failure without results", name, err, out)
				}
				if got := lastLine(errOut); !strings.HasSuffix(got, want) {
					t.Errorf("%s: reason %q, want the library's %q", name, got, want)
				}
			}
		})
	}
}
