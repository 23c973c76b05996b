package python

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// driverSource is the measured program's module (stdlib-only Python).
//
//go:embed driver.py
var driverSource []byte

// coreSource is mpbench's shared Python core (death-signal guard, result
// lines, CPU task and its calibration, percentile, sizes, segment prefix),
// imported by driver.py and by harness/claims's claims.py.
//
//go:embed mpcore.py
var coreSource []byte

// The measured program's __main__ modules, one per main weight
// (bench.MainWeights): the driver's few-line stub (main.py), and the stub
// preceded by the top-level imports of a user's script (main_<weight>.py,
// bench.MainImports) — the real thing a user's main module is, selected
// per cell by the harness. Spawn children re-run the main module (as
// __mp_main__) on every start, and so do forkserver children: CPython's
// fork server never preloads __main__ (impl/impl.go). Keeping the stub this
// small means they re-run a few lines and import the driver from its
// precompiled bytecode, so start-up measures multiprocessing and a user's
// imports, not the compilation of a 1,000-line script.
//
// The imports sit in one try block so that an interpreter without numpy
// or torch gets a skip line from the driver instead of a traceback (a try
// costs nothing when the imports succeed); the driver is told the weight
// and the modules, which it checks against the cell and, for a preloading
// fork server, hands to set_forkserver_preload.

// mainFile is the entry file of a main weight in the driver folder.
func mainFile(weight string) string {
	if weight == bench.MainStub {
		return "main.py"
	}
	return "main_" + weight + ".py"
}

// isMainFile reports whether a file name is one of mainFile's.
func isMainFile(name string) bool {
	for _, w := range bench.MainWeights {
		if name == mainFile(w) {
			return true
		}
	}
	return false
}

// mainSource is the __main__ module of weight imports.
func mainSource(weight string, imports []string) string {
	var b strings.Builder
	if len(imports) == 0 {
		b.WriteString("# mpbench measured program: __main__ stub (driver.py is next to it).\n")
		b.WriteString("_missing = None\n")
	} else {
		fmt.Fprintf(&b, "# mpbench measured program: __main__ of main=%s, the top-level imports of a\n", weight)
		b.WriteString("# user's script before the driver (driver.py is next to it).\ntry:\n")
		for _, m := range imports {
			fmt.Fprintf(&b, "    import %s\n", m)
		}
		b.WriteString("except ImportError as e:\n    _missing = e\nelse:\n    _missing = None\n")
	}
	quoted := make([]string, len(imports))
	for i, m := range imports {
		quoted[i] = fmt.Sprintf("%q, ", m)
	}
	fmt.Fprintf(&b, `import driver

if __name__ == "__main__":
    driver.cli(%q, (%s), _missing)
else:
    driver.on_child_import()
`, weight, strings.TrimSuffix(strings.Join(quoted, ""), " "))
	return b.String()
}

// File is one file of a script folder.
type File struct {
	Name string // base name, e.g. "driver.py"
	Src  []byte
}

// Core is mpcore.py, the shared Python core, to be written next to every
// script that imports it.
func Core() File { return File{"mpcore.py", coreSource} }

// driverFiles are the files of the measured program's folder: a main
// module per weight, the driver and the core.
func driverFiles() []File {
	var fs []File
	for _, w := range bench.MainWeights {
		fs = append(fs, File{mainFile(w), []byte(mainSource(w, bench.MainImports[w]))})
	}
	return append(fs, File{"driver.py", driverSource}, Core())
}

var (
	driverOnce sync.Once
	driverDir  string
	driverErr  error
)

// driverHash is the content hash of the driver folder (main modules,
// driver and core), recorded as <impl>-driver.
func driverHash() string { return ScriptsHash(driverFiles()...) }

// DriverPath writes the measured program's folder, once per process, to
// <user cache dir>/mpbench/driver-<hash>/ and returns the path of its entry
// file for the stub (main.py).
func DriverPath() (string, error) { return DriverMain(bench.MainStub) }

// DriverMain is DriverPath for the main module of a main weight.
func DriverMain(weight string) (string, error) {
	if _, ok := bench.MainImports[weight]; !ok {
		return "", fmt.Errorf("python: unknown main weight %q", weight)
	}
	driverOnce.Do(func() { driverDir, driverErr = WriteScripts("driver", driverFiles()...) })
	if driverErr != nil {
		return "", driverErr
	}
	return filepath.Join(driverDir, mainFile(weight)), nil
}

// ScriptsHash is the first 12 hex digits of the SHA-256 over the names and
// contents of files (in name order).
func ScriptsHash(files ...File) string {
	fs := append([]File(nil), files...)
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	h := sha256.New()
	for _, f := range fs {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Src))
		h.Write(f.Src)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// WriteScripts writes embedded Python files into the private,
// content-addressed folder <user cache dir>/mpbench/<name>-<ScriptsHash>/
// and returns the folder. The files must be real files: spawn and
// forkserver children re-run the main script and import the modules next
// to it. Each file is written through a temporary file and a rename, so
// concurrent runs never see a partial file and different versions never
// collide; a file with the right content is kept (and so is its bytecode
// in __pycache__).
func WriteScripts(name string, files ...File) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "mpbench", name+"-"+ScriptsHash(files...))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("script folder for %s: %w", name, err)
	}
	for _, f := range files {
		if err := writeFile(dir, f); err != nil {
			return "", fmt.Errorf("script folder for %s: %w", name, err)
		}
	}
	return dir, nil
}

func writeFile(dir string, f File) error {
	path := filepath.Join(dir, f.Name)
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, f.Src) {
		return nil
	}
	tmp, err := os.CreateTemp(dir, "."+f.Name+"-*.tmp")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(f.Src)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// precompileScript compiles the modules given as arguments to bytecode in
// their __pycache__ (or PYTHONPYCACHEPREFIX), unless already there. The
// folder is content-addressed, so the bytecode never needs to be checked
// against the source (unchecked-hash .pyc, PEP 552).
const precompileScript = `import sys, os, importlib.util, py_compile
for f in sys.argv[1:]:
    c = importlib.util.cache_from_source(f)
    if not os.path.exists(c):
        py_compile.compile(f, cfile=c, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
`

var (
	compiledMu sync.Mutex
	compiled   = map[string]error{} // interpreter → result
)

// Precompile writes the bytecode of the modules of the folder holding main
// for interpreter, once per interpreter and process: every .py file but
// main and the measured program's other main modules (main.py,
// main_<weight>.py), which Python never reads from bytecode.
func Precompile(interpreter, main string) error {
	compiledMu.Lock()
	defer compiledMu.Unlock()
	key := interpreter + "\x00" + main
	if err, ok := compiled[key]; ok {
		return err
	}
	dir := filepath.Dir(main)
	ents, err := os.ReadDir(dir)
	if err != nil {
		compiled[key] = err
		return err
	}
	args := []string{"-c", precompileScript}
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".py") && filepath.Join(dir, n) != main && !isMainFile(n) {
			args = append(args, filepath.Join(dir, n))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		reason := lastLine(stderr.String())
		if reason == "" {
			reason = err.Error()
		}
		err = fmt.Errorf("precompiling the driver with %s: %s", interpreter, reason)
		compiled[key] = err
		return err
	}
	compiled[key] = nil
	return nil
}
