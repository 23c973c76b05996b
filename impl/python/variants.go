package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mpbench/mpbench/bench"
)

// Variants of CPython measured beside the default interpreter: other
// CPython versions, and drop-in forks of multiprocessing.
//
//   - impl=cpython3.8 … cpython3.13: the same driver under the newest
//     <pyenv root>/versions/<minor>.<patch>/bin/python3 (pyenv's layout; the
//     root is $MPBENCH_PYENV_ROOT, else $PYENV_ROOT, else ~/.pyenv). A
//     version that is not installed is unavailable with the reason, so
//     every one of its cells is recorded as skipped. CPython 3.6 and 3.7
//     are left out: they lack multiprocessing.shared_memory (chan=shm,
//     new in 3.8), which the driver and its probe require.
//   - impl=billiard, impl=multiprocess: the same driver with the library's
//     module in place of multiprocessing (Celery's billiard, the dill-based
//     multiprocess), run by /usr/bin/python3, where Debian's
//     python3-billiard and python3-multiprocess install them (scripts/setup).
//     A library that cannot be imported is unavailable with the reason. A
//     library that imports but fails under a start method (multiprocess's
//     spawn and forkserver on Debian's 3.11.2: "TypeError: fork_exec() takes
//     exactly 23 arguments (21 given)") fails those cells with the error as
//     the reason: it is what a user of that library gets.

// PyenvRootEnv names the environment variable that overrides where the
// CPython versions are looked for (tests use it to hide versions).
const PyenvRootEnv = "MPBENCH_PYENV_ROOT"

// VersionPrefix is the impl name of a CPython version without the version.
const VersionPrefix = "cpython"

// LibraryInterpreter runs the library implementations: Debian's python3,
// for which python3-billiard and python3-multiprocess are packaged.
const LibraryInterpreter = "/usr/bin/python3"

// Versions are the CPython minor versions measured (bench.PythonVersions).
var Versions = bench.PythonVersions

// Libraries are the multiprocessing replacements measured as impls; the
// impl name is the module imported in place of multiprocessing
// (bench.LibraryImpls).
var Libraries = bench.LibraryImpls

// variant is what distinguishes a version or library impl from the
// interpreter-only impls of python.go.
type variant struct {
	minor  string // version impls: "3.12"
	root   string // version impls: pyenv root ("" = PyenvRoot())
	module string // library impls: "billiard" (also Impl.module)
}

// PyenvRoot is where the CPython versions are looked for:
// $MPBENCH_PYENV_ROOT, else $PYENV_ROOT, else ~/.pyenv.
func PyenvRoot() string {
	if r := os.Getenv(PyenvRootEnv); r != "" {
		return r
	}
	if r := os.Getenv("PYENV_ROOT"); r != "" {
		return r
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".pyenv"
	}
	return filepath.Join(home, ".pyenv")
}

// IsVersionImpl reports whether name is a CPython version impl
// ("cpython3.12") and returns its minor version ("3.12").
func IsVersionImpl(name string) (minor string, ok bool) {
	minor, ok = strings.CutPrefix(name, VersionPrefix)
	if !ok {
		return "", false
	}
	maj, min, ok := strings.Cut(minor, ".")
	if !ok || !isDigits(maj) || !isDigits(min) {
		return "", false
	}
	return minor, true
}

// IsLibraryImpl reports whether name is a library impl.
func IsLibraryImpl(name string) bool {
	for _, l := range Libraries {
		if l == name {
			return true
		}
	}
	return false
}

// NewVersion returns impl cpython<minor> ("3.12") run by the newest
// <root>/versions/<minor>.<patch>/bin/python3; root "" is PyenvRoot() at
// the time of the probe. Nothing is executed until Available, Config or
// Command is called.
func NewVersion(minor, root string) *Impl {
	return &Impl{name: VersionPrefix + minor, variant: &variant{minor: minor, root: root}}
}

// NewLibrary returns the library impl named after its module ("billiard",
// "multiprocess") run by interpreter ("" = LibraryInterpreter).
func NewLibrary(module, interpreter string) *Impl {
	return &Impl{name: module, interpreter: interpreter, module: module, variant: &variant{module: module}}
}

// NewVariant returns the version or library impl of that name, or nil when
// name is neither. root is the pyenv root of version impls ("" =
// PyenvRoot()).
func NewVariant(name, root string) *Impl {
	if minor, ok := IsVersionImpl(name); ok {
		return NewVersion(minor, root)
	}
	if IsLibraryImpl(name) {
		return NewLibrary(name, "")
	}
	return nil
}

// FindVersion returns the interpreter of CPython <minor> under a pyenv
// root: <root>/versions/<minor>.<patch>/bin/python3 with the highest patch
// (directories such as 3.12-dev or 3.13.0t are not releases and are not
// taken), or the reason there is none.
func FindVersion(root, minor string) (string, error) {
	dir := filepath.Join(root, "versions")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("CPython %s not installed: %s does not exist (pyenv install %s)", minor, dir, minor)
	}
	best, bestPatch := "", -1
	for _, e := range entries {
		patch, ok := strings.CutPrefix(e.Name(), minor+".")
		if !ok || !isDigits(patch) {
			continue
		}
		n, err := strconv.Atoi(patch)
		if err != nil || n <= bestPatch {
			continue
		}
		py := filepath.Join(dir, e.Name(), "bin", "python3")
		if st, err := os.Stat(py); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			continue
		}
		best, bestPatch = py, n
	}
	if best == "" {
		return "", fmt.Errorf("CPython %s not installed: no %s/%s.<patch>/bin/python3 (pyenv install %s)", minor, dir, minor, minor)
	}
	return best, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// resolve probes a version or library impl.
func (v *variant) resolve(p *Impl) probeResult {
	if v.module != "" {
		return v.resolveLibrary(p)
	}
	interp := p.interpreter
	if interp == "" {
		root := v.root
		if root == "" {
			root = PyenvRoot()
		}
		path, err := FindVersion(root, v.minor)
		if err != nil {
			return probeResult{path: filepath.Join(root, "versions", v.minor+".*", "bin", "python3"), err: err}
		}
		interp = path
	}
	r := runProbe(p.name, interp, p.module)
	if r.err != nil {
		return r
	}
	switch {
	case r.pypyVersion != "":
		r.err = fmt.Errorf("%s is PyPy %s, not CPython %s", r.executable, r.pypyVersion, v.minor)
	case !strings.HasPrefix(r.pythonVersion, v.minor+"."):
		r.err = fmt.Errorf("%s is CPython %s, not %s", r.executable, r.pythonVersion, v.minor)
	}
	return r
}

func (v *variant) resolveLibrary(p *Impl) probeResult {
	r := runProbe(p.name, orDefault(p.interpreter, LibraryInterpreter), p.module)
	if r.err != nil {
		if strings.Contains(r.err.Error(), "No module named") {
			r.err = fmt.Errorf("%s not importable by %s (Debian package python3-%s: scripts/setup)", p.module, r.path, p.module)
		}
		return r
	}
	if r.pypyVersion != "" {
		r.err = fmt.Errorf("%s is PyPy, not CPython", r.executable)
	}
	return r
}
