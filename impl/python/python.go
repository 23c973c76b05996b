// Package python runs the real Python multiprocessing module — CPython,
// PyPy, and torch.multiprocessing — as mpbench implementations.
//
// Contract (see impl/impl.go): for each cell, Command returns
//
//	<interpreter> -u <driver.py> --cell <name> --count N --warmup K
//	    --benchtime <dur> --shm-prefix <prefix>
//
// where driver.py is the stdlib-only measured program embedded in this
// package (go:embed) and written once to a content-addressed file in the
// user cache directory (spawn re-imports the main module, so it must be a
// real file). The driver prints exactly Count result lines under the cell's
// name, or one "--- SKIP:" line for an unsupported combination (for example
// payload=tensor over shm). Every process it creates arms
// PR_SET_PDEATHSIG(SIGKILL) first; /dev/shm segments are named
// <prefix>-<pid>-<n> and unlinked as soon as the children have attached.
//
// Interpreters: "cpython" is python3 on PATH, "pypy" is pypy3 on PATH,
// "torch" is /usr/bin/python3 when it can import torch (Debian's
// python3-torch), else python3 on PATH when that can. scripts/setup
// installs pypy3 and python3-torch from Debian packages.
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

// Impl is one Python implementation: an impl name and an interpreter.
type Impl struct {
	name        string
	interpreter string // as configured ("" = default)

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
	if p.variant != nil {
		p.variant.config(p.name, r, m)
	}
	m[p.name+"-driver"] = driverHash()
	return m
}

// Command returns the driver invocation measuring cell c. The harness sets
// process group, affinity, death signal and output; the environment gets
// PYTHONDONTWRITEBYTECODE=1 (no .pyc next to the cached driver).
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
	if err := p.Available(); err != nil {
		return nil, err
	}
	drv, err := DriverPath()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(p.Interpreter(), "-u", drv,
		"--cell", c.Name(),
		"--count", fmt.Sprint(o.Count),
		"--warmup", fmt.Sprint(o.Warmup),
		"--benchtime", o.Benchtime.String(),
		"--shm-prefix", o.ShmPrefix)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	return cmd, nil
}

// CheckCommand returns the driver's integrity check: payloads of the given
// sizes sent both ways over chan under method, verified byte by byte and in
// order; it prints "ok" and exits 0 when everything arrived intact.
func (p *Impl) CheckCommand(method, chanName string, sizes []int64, shmPrefix string) (*exec.Cmd, error) {
	if err := p.Available(); err != nil {
		return nil, err
	}
	drv, err := DriverPath()
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
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	return cmd, nil
}

// probeResult is what the interpreter said about itself.
type probeResult struct {
	path          string // interpreter as found (may be a shim)
	executable    string // sys.executable
	pythonVersion string // platform.python_version()
	pypyVersion   string
	torchVersion  string
	err           error
}

// probeScript runs under Python ≥ 3.8; torch is imported only when asked.
const probeScript = `import sys, platform
import multiprocessing.shared_memory, ctypes
v = getattr(sys, "pypy_version_info", None)
print(sys.executable)
print(platform.python_version())
print(".".join(map(str, v[:3])) if v else "-")
if sys.argv[1:] == ["torch"]:
    import torch, torch.multiprocessing
    print(torch.__version__)
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
		return runProbe(p.name, orDefault(p.interpreter, "python3"), false)
	case "pypy":
		r := runProbe(p.name, orDefault(p.interpreter, "pypy3"), false)
		if r.err == nil && r.pypyVersion == "" {
			r.err = fmt.Errorf("%s is not PyPy", r.executable)
		}
		return r
	case "torch":
		if p.interpreter != "" {
			return runProbe(p.name, p.interpreter, true)
		}
		// Debian's python3-torch is for /usr/bin/python3; a pyenv python3
		// first on PATH usually lacks torch.
		r := runProbe(p.name, "/usr/bin/python3", true)
		if r.err == nil {
			return r
		}
		r2 := runProbe(p.name, "python3", true)
		if r2.err == nil {
			return r2
		}
		r.err = fmt.Errorf("torch not importable by /usr/bin/python3 nor python3 on PATH (install python3-torch: scripts/setup)")
		return r
	}
	return probeResult{err: fmt.Errorf("unknown python implementation %q (want cpython, pypy or torch)", p.name)}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func runProbe(name, interp string, torch bool) probeResult {
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
	if torch {
		args = append(args, "torch")
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
		} else {
			r.err = fmt.Errorf("%s interpreter %s does not run: %s", name, path, reason)
		}
		return r
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := 3
	if torch {
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
	if torch {
		r.torchVersion = strings.TrimSpace(lines[3])
	}
	return r
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
