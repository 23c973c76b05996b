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

// stubSource is __main__ of the measured program. Spawn and forkserver
// children re-run the main script (as __mp_main__) on every start; keeping
// it this small means they re-run a few lines and import the driver from
// its precompiled bytecode, so start-up measures multiprocessing and not
// the compilation of a 1,000-line script.
const stubSource = `# mpbench measured program: __main__ stub (driver.py is next to it).
import driver

if __name__ == "__main__":
    driver.cli()
else:
    driver.on_child_import()
`

// File is one file of a script folder.
type File struct {
	Name string // base name, e.g. "driver.py"
	Src  []byte
}

// Core is mpcore.py, the shared Python core, to be written next to every
// script that imports it.
func Core() File { return File{"mpcore.py", coreSource} }

// driverFiles are the files of the measured program's folder.
func driverFiles() []File {
	return []File{{"main.py", []byte(stubSource)}, {"driver.py", driverSource}, Core()}
}

// driverMain is the entry file of the driver folder.
const driverMain = "main.py"

var (
	driverOnce sync.Once
	driverDir  string
	driverErr  error
)

// driverHash is the content hash of the driver folder (stub, driver and
// core), recorded as <impl>-driver.
func driverHash() string { return ScriptsHash(driverFiles()...) }

// DriverPath writes the measured program's folder, once per process, to
// <user cache dir>/mpbench/driver-<hash>/ and returns the path of its entry
// file (main.py).
func DriverPath() (string, error) {
	driverOnce.Do(func() { driverDir, driverErr = WriteScripts("driver", driverFiles()...) })
	if driverErr != nil {
		return "", driverErr
	}
	return filepath.Join(driverDir, driverMain), nil
}

// SourceHash is the first 12 hex digits of the SHA-256 of a script.
func SourceHash(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])[:12]
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
// for interpreter, once per interpreter and process (the main script itself
// is never read from bytecode by Python).
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
		if n := e.Name(); strings.HasSuffix(n, ".py") && filepath.Join(dir, n) != main {
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
