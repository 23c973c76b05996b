// Package python runs the real Python multiprocessing module — CPython,
// PyPy, and torch.multiprocessing — as mpbench implementations.
//
// Contract (see impl/impl.go): for each cell, Command returns
//
//	<interpreter> -u <folder>/<main> --cell <name> --count N --warmup K
//	    --benchtime <dur> --shm-prefix <prefix> [--spin S] [--mp-module <module>]
//
// (--spin: Options.CPUTaskSpin, required for task=cpu pool cells), and
// SpinCommand returns `<interpreter> -u <folder>/main.py --calibrate-spin`,
// which prints the loop count of one cpu task for that interpreter;
// <folder> is a private content-addressed folder in the user cache
// directory holding the measured program embedded in this package: the
// __main__ module of the cell's main weight (<main> = main.py, a tiny stub,
// for main=stub; main_<weight>.py, the stub preceded by the top-level
// imports bench.MainImports[weight], otherwise: spawn and forkserver
// children re-run it), driver.py (the stdlib-only driver) and mpcore.py
// (the shared core), the modules precompiled to bytecode for the
// interpreter. The driver prints
// exactly Count result lines under the cell's name, or one "--- SKIP:" line
// for an unsupported combination (for example payload=tensor over shm).
// Every process it creates arms PR_SET_PDEATHSIG(SIGKILL); /dev/shm
// segments are named <prefix>-<pid>-<n> and unlinked as soon as the
// children have attached; a child that dies fails the cell within about a
// second with its exit status as the reason.
//
// Interpreters: "cpython" is python3 on PATH, "pypy" is pypy3 on PATH,
// "torch" is /usr/bin/python3 when it can import torch (Debian's
// python3-torch), else python3 on PATH when that can. scripts/setup
// installs pypy3 and python3-torch from Debian packages. Other
// implementations (interpreter versions, the multiprocessing forks billiard
// and multiprocess) are built with NewVersion and NewLibrary (variants.go):
// a name, an interpreter and the multiprocessing module the driver imports.
//
// The workloads' definitions (what ns/op and each extra metric mean, the
// pool's efficiency formula, the shm ring) are documented at the top of
// driver.py.
package python

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// Impl is one Python implementation: an impl name, an interpreter and the
// multiprocessing module the driver uses.
type Impl struct {
	name        string
	interpreter string // as configured ("" = default)
	module      string // "" = multiprocessing (torch: torch.multiprocessing)

	variant *variant // version or library impl (variants.go), or nil

	once  sync.Once
	probe probeResult
}

var _ impl.Impl = (*Impl)(nil)

// New returns the implementation name ("cpython", "pypy" or "torch") run by
// interpreter; "" selects the default interpreter of that implementation.
// Nothing is executed until Available, Config or Command is called.
func New(name, interpreter string) *Impl {
	return &Impl{name: name, interpreter: interpreter}
}

// Module is the multiprocessing module the driver imports ("" = default).
func (p *Impl) Module() string { return p.module }

// Name is the impl dimension value.
func (p *Impl) Name() string { return p.name }

// Available reports why the implementation cannot run here (interpreter
// missing or broken, torch not importable), or nil. The probe runs once.
func (p *Impl) Available() error {
	return p.get().err
}

// Interpreter is the absolute path of the resolved interpreter
// (sys.executable, so a pyenv shim resolves to the real binary), or the
// best guess when it is not available.
func (p *Impl) Interpreter() string {
	r := p.get()
	if r.executable != "" {
		return r.executable
	}
	return r.path
}

// Config returns run-level facts: <name>-python (interpreter path),
// <name>-version (CPython, PyPy or torch version), <name>-python-version
// (language level, pypy and torch), <name>-driver (driver hash), or
// <name>-unavailable with the reason.
func (p *Impl) Config() map[string]string {
	r := p.get()
	m := map[string]string{}
	if r.err != nil {
		m[p.name+"-unavailable"] = r.err.Error()
		return m
	}
	m[p.name+"-python"] = r.executable
	switch p.name {
	case "pypy":
		m["pypy-version"] = r.pypyVersion
		m["pypy-python-version"] = r.pythonVersion
	case "torch":
		m["torch-version"] = r.torchVersion
		m["torch-python-version"] = r.pythonVersion
	default:
		m[p.name+"-version"] = r.pythonVersion
	}
	if p.module != "" {
		m[p.name+"-module"] = p.module
		if r.moduleVersion != "" {
			m[p.name+"-module-version"] = r.moduleVersion
		}
	}
	m[p.name+"-driver"] = driverHash()
	return m
}

// Command returns the driver invocation measuring cell c. The harness sets
// process group, affinity, death signal and output. The driver's modules
// are precompiled into the private folder once per interpreter; the
// environment gets PYTHONDONTWRITEBYTECODE=1, so nothing else is written
// (Python still reads the precompiled bytecode).
func (p *Impl) Command(c bench.Cell, o impl.Options) (*exec.Cmd, error) {
	if c.Impl != p.name {
		return nil, fmt.Errorf("python: cell %s is not for impl %s", c.Name(), p.name)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if o.Count < 1 {
		return nil, fmt.Errorf("python: count must be ≥ 1, got %d", o.Count)
	}
	if o.Warmup < 0 || o.Benchtime < 0 {
		return nil, errors.New("python: negative warm-up or benchtime")
	}
	if o.ShmPrefix == "" || strings.ContainsAny(o.ShmPrefix, "/ \t\n") {
		return nil, fmt.Errorf("python: bad shm prefix %q", o.ShmPrefix)
	}
	cpuTask := c.Workload == "pool" && c.Task == "cpu"
	if cpuTask && o.CPUTaskSpin < 1 {
		return nil, fmt.Errorf("python: cell %s needs the loop count of its cpu task (Options.CPUTaskSpin, from SpinCommand)", c.Name())
	}
	if err := p.Available(); err != nil {
		return nil, err
	}
	drv, err := p.driver(c.MainWeight())
	if err != nil {
		return nil, err
	}
	args := []string{"-u", drv,
		"--cell", c.Name(),
		"--count", fmt.Sprint(o.Count),
		"--warmup", fmt.Sprint(o.Warmup),
		"--benchtime", o.Benchtime.String(),
		"--shm-prefix", o.ShmPrefix}
	if cpuTask {
		args = append(args, "--spin", fmt.Sprint(o.CPUTaskSpin))
	}
	return p.command(drv, append(args, p.moduleArgs()...)...), nil
}

// SpinCommand returns the driver's calibration of the cpu task under this
// interpreter: it prints the loop count of one task of
// bench.CPUTaskMicros (mpcore.calibrate_spin).
func (p *Impl) SpinCommand() (*exec.Cmd, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	drv, err := p.driver(bench.MainStub)
	if err != nil {
		return nil, err
	}
	return p.command(drv, "-u", drv, "--calibrate-spin"), nil
}

// command runs the interpreter on the driver folder (see driverDirAsCwd).
func (p *Impl) command(drv string, args ...string) *exec.Cmd {
	cmd := exec.Command(p.Interpreter(), args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Dir = filepath.Dir(drv) // see driverDirAsCwd
	return cmd
}

// CheckCommand returns the driver's integrity check: payloads of the given
// sizes sent both ways over chan under method, verified byte by byte and in
// order; it prints "ok" and exits 0 when everything arrived intact.
func (p *Impl) CheckCommand(method, chanName string, sizes []int64, shmPrefix string) (*exec.Cmd, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	drv, err := p.driver(bench.MainStub)
	if err != nil {
		return nil, err
	}
	ss := make([]string, len(sizes))
	for i, s := range sizes {
		ss[i] = fmt.Sprint(s)
	}
	cmd := exec.Command(p.Interpreter(), "-u", drv, "--check",
		"--impl", p.name, "--method", method, "--chan", chanName,
		"--sizes", strings.Join(ss, ","), "--shm-prefix", shmPrefix)
	cmd.Args = append(cmd.Args, p.moduleArgs()...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	cmd.Dir = filepath.Dir(drv) // see driverDirAsCwd
	return cmd, nil
}

// driverDirAsCwd: the measured program runs in its own folder. The
// forkserver process starts as "python -c ..." with the current directory
// first on sys.path, and the driver has it preload the driver module: a
// driver.py in the caller's directory (impl/python itself, for the tests)
// must not be the one it finds.

// driver writes the driver folder and precompiles it for the interpreter;
// it returns the path of the main module of weight.
func (p *Impl) driver(weight string) (string, error) {
	drv, err := DriverMain(weight)
	if err != nil {
		return "", err
	}
	if err := Precompile(p.Interpreter(), drv); err != nil {
		return "", err
	}
	return drv, nil
}

func (p *Impl) moduleArgs() []string {
	if p.module == "" {
		return nil
	}
	return []string{"--mp-module", p.module}
}

// probeResult is what the interpreter said about itself.
type probeResult struct {
	path          string // interpreter as found (may be a shim)
	executable    string // sys.executable
	pythonVersion string // platform.python_version()
	pypyVersion   string
	torchVersion  string
	moduleVersion string // __version__ of a non-default module, or ""
	err           error
}

// probeScript runs under Python ≥ 3.8; torch (or another multiprocessing
// module, argv[1]) is imported only when asked. The fourth line is the
// module's version ("-" when it has none).
const probeScript = `import sys, platform
import multiprocessing.shared_memory, ctypes
v = getattr(sys, "pypy_version_info", None)
print(sys.executable)
print(platform.python_version())
print(".".join(map(str, v[:3])) if v else "-")
if sys.argv[1:]:
    import importlib
    m = importlib.import_module(sys.argv[1])
    if sys.argv[1].startswith("torch"):
        import torch as m
    print(getattr(m, "__version__", "-"))
`

// probeTimeout bounds one probe (importing torch takes seconds when cold).
const probeTimeout = 90 * time.Second

func (p *Impl) get() probeResult {
	p.once.Do(func() { p.probe = p.resolve() })
	return p.probe
}

func (p *Impl) resolve() probeResult {
	if p.variant != nil {
		return p.variant.resolve(p)
	}
	switch p.name {
	case "cpython":
		return runProbe(p.name, orDefault(p.interpreter, "python3"), p.module)
	case "pypy":
		r := runProbe(p.name, orDefault(p.interpreter, "pypy3"), p.module)
		if r.err == nil && r.pypyVersion == "" {
			r.err = fmt.Errorf("%s is not PyPy", r.executable)
		}
		return r
	case "torch":
		mod := orDefault(p.module, "torch.multiprocessing")
		if p.interpreter != "" {
			return runProbe(p.name, p.interpreter, mod)
		}
		// Debian's python3-torch is for /usr/bin/python3; a pyenv python3
		// first on PATH usually lacks torch.
		r := runProbe(p.name, "/usr/bin/python3", mod)
		if r.err == nil {
			return r
		}
		r2 := runProbe(p.name, "python3", mod)
		if r2.err == nil {
			return r2
		}
		r.err = fmt.Errorf("torch not importable by /usr/bin/python3 nor python3 on PATH (install python3-torch: scripts/setup)")
		return r
	}
	if p.interpreter == "" {
		return probeResult{err: fmt.Errorf("unknown python implementation %q (want cpython, pypy or torch, or an interpreter)", p.name)}
	}
	return runProbe(p.name, p.interpreter, p.module)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// runProbe asks interp about itself; module ("" = none) is imported too
// and its version reported (torch's for torch.multiprocessing).
func runProbe(name, interp, module string) probeResult {
	torch := strings.HasPrefix(module, "torch")
	r := probeResult{path: interp}
	path, err := exec.LookPath(interp)
	if err != nil {
		if strings.Contains(interp, "/") {
			r.err = fmt.Errorf("%s interpreter %s not found", name, interp)
		} else {
			r.err = fmt.Errorf("%s not found on PATH", interp)
		}
		return r
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	r.path = path
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	args := []string{"-c", probeScript}
	if module != "" {
		args = append(args, module)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		reason := lastLine(stderr.String())
		if reason == "" {
			reason = err.Error()
		}
		if torch && strings.Contains(reason, "No module named 'torch'") {
			r.err = fmt.Errorf("torch not importable by %s", path)
		} else if module != "" && strings.Contains(reason, "No module named") {
			r.err = fmt.Errorf("%s not importable by %s: %s", module, path, reason)
		} else {
			r.err = fmt.Errorf("%s interpreter %s does not run: %s", name, path, reason)
		}
		return r
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := 3
	if module != "" {
		want = 4
	}
	if len(lines) < want {
		r.err = fmt.Errorf("%s interpreter %s: unexpected probe output %q", name, path, stdout.String())
		return r
	}
	r.executable = strings.TrimSpace(lines[0])
	if r.executable == "" {
		r.executable = path
	}
	r.pythonVersion = strings.TrimSpace(lines[1])
	if v := strings.TrimSpace(lines[2]); v != "-" {
		r.pypyVersion = v
	}
	if module != "" {
		v := strings.TrimSpace(lines[3])
		if v == "-" {
			v = ""
		}
		if torch {
			r.torchVersion = v
		} else {
			r.moduleVersion = v
		}
	}
	return r
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
