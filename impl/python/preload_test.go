package python

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// fixtureModule stands in for a heavy import of a user's main module: each
// execution of its top level appends "import <pid> <ppid>" to the log.
const fixtureModule = `import os
with open(os.environ["MPBENCH_FIXTURE_LOG"], "a") as _f:
    _f.write("import %d %d\n" % (os.getpid(), os.getppid()))
`

// mainProbe, the first statement of the fixture's main module, appends
// "main <pid> <ppid>" on each execution of the main module's top level.
const mainProbe = `import os as _os
with open(_os.environ["MPBENCH_FIXTURE_LOG"], "a") as _f:
    _f.write("main %d %d\n" % (_os.getpid(), _os.getppid()))
`

// TestForkserverPreload counts, with fixtures and no timing, what the
// children of each start method execute again of their main module: the
// measured program's main module of weight stdlib (mainSource, as the
// harness writes it) with the fixture as its only import, plus a probe
// that logs every run of its top level. One start-up program run starts
// 3 children (1 warm-up, 2 samples), under python3 and every CPython version
// installed (3.8.18 … 3.13.0 here; driver.py, impl/impl.go):
//
//   - fork: the children run nothing of the main module again;
//   - spawn: every child re-runs the main module's top level and its
//     imports;
//   - forkserver: every child re-runs the main module's top level, with or
//     without a preload (the server never loads __main__: neither list
//     names it); with preload=none (nothing preloaded) every child executes
//     the main module's imports again, with preload=main
//     (set_forkserver_preload with the imports) the server executes them
//     once and no child does.
func TestForkserverPreload(t *testing.T) {
	type counts = execCounts
	const children = 3
	cases := []struct {
		method, preload string
		want            counts
	}{
		{"fork", bench.PreloadMain, counts{1, 1, 0, 0, 0, 0}},
		{"spawn", bench.PreloadMain, counts{1, 1, 0, 0, children, children}},
		{"forkserver", bench.PreloadNone, counts{1, 1, 0, 0, children, children}},
		{"forkserver", bench.PreloadMain, counts{1, 1, 0, 1, children, 0}},
	}
	dir := fixtureFolder(t)
	for _, interp := range fixtureInterpreters(t) {
		t.Run(interp.name, func(t *testing.T) {
			for i, tc := range cases {
				c := bench.Cell{Workload: "startup", Impl: "cpython", Method: tc.method, Chan: "pipe", Cores: 1}.WithProgram(bench.MainStdlib, tc.preload)
				label := tc.method
				if p := c.PreloadOf(); p != "" {
					label += "/preload=" + p
				}
				t.Run(label, func(t *testing.T) {
					log := filepath.Join(t.TempDir(), "log")
					got, err := runFixture(t, interp.path, dir, c, log, fmt.Sprintf("%s-preload-%d", testPrefix, i))
					if err != nil {
						t.Fatal(err)
					}
					if got != tc.want {
						t.Errorf("%s: executions (main top level / the main module's import) parent %d/%d, fork server %d/%d, children %d/%d; "+
							"want %d/%d, %d/%d, %d/%d", c.Name(), got.parentMain, got.parentImport, got.serverMain, got.serverImport, got.childMain, got.childImport,
							tc.want.parentMain, tc.want.parentImport, tc.want.serverMain, tc.want.serverImport, tc.want.childMain, tc.want.childImport)
					}
				})
			}
		})
	}
	// The fixture's main module is the harness's own, plus the probe.
	if src := mainSource(bench.MainStdlib, bench.MainImports[bench.MainStdlib]); !strings.Contains(src, "import xml.etree.ElementTree\n") ||
		!strings.Contains(src, `driver.cli("stdlib", ("asyncio", `) {
		t.Errorf("main module of main=stdlib:\n%s", src)
	}
}

// fixtureFolder writes the driver, the core, the fixture module and the
// fixture's main module (weight stdlib) into a folder of its own.
func fixtureFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := []File{
		{"driver.py", driverSource}, Core(),
		{"mpbench_fixture_heavy.py", []byte(fixtureModule)},
		{mainFile(bench.MainStdlib), []byte(mainProbe + mainSource(bench.MainStdlib, []string{"mpbench_fixture_heavy"}))},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// execCounts are the executions of the main module's top level and of its
// import, by process.
type execCounts struct{ parentMain, parentImport, serverMain, serverImport, childMain, childImport int }

type fixtureInterp struct{ name, path string }

// fixtureInterpreters are python3 on PATH and every CPython version of the
// variants that is installed (each once).
func fixtureInterpreters(t *testing.T) []fixtureInterp {
	t.Helper()
	out := []fixtureInterp{{"cpython", cpython(t).Interpreter()}}
	seen := map[string]bool{out[0].path: true}
	for _, name := range bench.VersionImpls {
		p := NewVariant(name, "")
		if p == nil || p.Available() != nil || seen[p.Interpreter()] {
			continue
		}
		seen[p.Interpreter()] = true
		out = append(out, fixtureInterp{name, p.Interpreter()})
	}
	return out
}

// runFixture runs the fixture's main module as the measured program of
// cell c and counts the log's lines by process: the driver (parent), its
// direct children (a fork server, or spawn and fork children) and the
// children of its children (a fork server's).
func runFixture(t *testing.T, interp, dir string, c bench.Cell, log, prefix string) (got execCounts, err error) {
	t.Helper()
	cmd := exec.Command(interp, "-u", filepath.Join(dir, mainFile(bench.MainStdlib)), "--cell", c.Name(),
		"--count", "2", "--warmup", "1", "--benchtime", "5ms", "--shm-prefix", prefix)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "MPBENCH_FIXTURE_LOG="+log)
	stdout, stderr, rerr := run(t, cmd, time.Minute)
	if rerr != nil || strings.Count(stdout, "\n") != 2 || !strings.HasPrefix(stdout, c.Benchmark()+" ") {
		return got, fmt.Errorf("%s: %v\nstdout:\n%s\nstderr:\n%s", c.Name(), rerr, stdout, stderr)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		return got, err
	}
	driver := cmd.Process.Pid
	direct := c.Method == "forkserver" // its direct child is the server
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			return got, fmt.Errorf("log line %q", line)
		}
		pid, _ := strconv.Atoi(f[1])
		ppid, _ := strconv.Atoi(f[2])
		isMain := f[0] == "main"
		var main, imp *int
		switch {
		case pid == driver:
			main, imp = &got.parentMain, &got.parentImport
		case ppid == driver && direct:
			main, imp = &got.serverMain, &got.serverImport
		default:
			main, imp = &got.childMain, &got.childImport
		}
		if isMain {
			*main++
		} else {
			*imp++
		}
	}
	return got, nil
}

// TestMainWeights: the harness runs each cell under the main module of its
// weight; a weight whose imports the interpreter lacks is a skip with the
// reason; a cell run under another weight's main module fails.
func TestMainWeights(t *testing.T) {
	p := cpython(t)
	for _, w := range bench.MainWeights {
		c := bench.Cell{Workload: "startup", Impl: "cpython", Method: "fork", Chan: "pipe", Cores: 1}.WithProgram(w, bench.PreloadMain)
		cmd, err := p.Command(c, tiny)
		if err != nil {
			t.Fatal(err)
		}
		if got := filepath.Base(cmd.Args[2]); got != mainFile(w) {
			t.Errorf("%s runs under %s, want %s", c.Name(), got, mainFile(w))
		}
	}
	// python3 on PATH has no numpy: a skip line naming it.
	if exec.Command(p.Interpreter(), "-c", "import numpy").Run() == nil {
		t.Log("python3 on PATH has numpy: the skip path is not exercised")
	} else {
		c, _ := bench.ParseName("Startup/impl=cpython/method=forkserver/preload=none/main=numpy/chan=pipe/rss=0/cores=1")
		cmd, _ := p.Command(c, tiny)
		out, errOut, err := run(t, cmd, time.Minute)
		want := "--- SKIP: " + c.Benchmark() + ": main=numpy: numpy is not importable by "
		if err != nil || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
			t.Errorf("main=numpy without numpy: err %v, stdout %q (want %q…), stderr %q", err, out, want, errOut)
		}
	}
	// The stub's main module cannot measure a cell of main=stdlib.
	c, _ := bench.ParseName("Startup/impl=cpython/method=fork/main=stdlib/chan=pipe/rss=0/cores=1")
	cmd, _ := p.Command(c, tiny)
	stub, _ := DriverMain(bench.MainStub)
	cmd.Args[2] = stub
	if out, errOut, err := run(t, cmd, time.Minute); err == nil || out != "" || !strings.Contains(errOut, "runs under the main module of main=stub") {
		t.Errorf("main=stdlib under the stub: err %v, stdout %q, stderr %q", err, out, errOut)
	}
	// Debian's python3 has numpy: the cell measures.
	mp := NewVariant(bench.ProgramImpl, "")
	if mp == nil || mp.Available() != nil || exec.Command(mp.Interpreter(), "-c", "import numpy").Run() != nil {
		t.Skipf("impl=%s with numpy unavailable here", bench.ProgramImpl)
	}
	c, _ = bench.ParseName("Startup/impl=" + bench.ProgramImpl + "/method=forkserver/main=numpy/chan=pipe/rss=0/cores=1")
	runCell(t, mp, c.Name(), tiny)
}
