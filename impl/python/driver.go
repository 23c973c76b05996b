package python

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// driverSource is the measured program (stdlib-only Python).
//
//go:embed driver.py
var driverSource []byte

var (
	driverOnce sync.Once
	driverPath string
	driverErr  error
)

// driverHash is the first 12 hex digits of the driver's SHA-256.
func driverHash() string { return SourceHash(driverSource) }

// DriverPath writes the embedded driver, once per process, to
// <user cache dir>/mpbench/driver-<sha256[:12]>.py and returns that path.
func DriverPath() (string, error) {
	driverOnce.Do(func() { driverPath, driverErr = CachedScript("driver", driverSource) })
	return driverPath, driverErr
}

// SourceHash is the first 12 hex digits of the SHA-256 of a script.
func SourceHash(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])[:12]
}

// CachedScript writes an embedded Python script to the content-addressed
// file <user cache dir>/mpbench/<name>-<SourceHash>.py and returns its
// path. It must be a real file: spawn and forkserver children re-import
// the main module. The file is written through a temporary file and a
// rename, so concurrent runs never see a partial script and different
// versions never collide; an existing file with the right content is
// reused.
func CachedScript(name string, src []byte) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "mpbench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("%s.py: %v", name, err)
	}
	path := filepath.Join(dir, name+"-"+SourceHash(src)+".py")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, src) {
		return path, nil
	}
	f, err := os.CreateTemp(dir, "."+name+"-*.tmp")
	if err != nil {
		return "", fmt.Errorf("%s.py: %v", name, err)
	}
	tmp := f.Name()
	_, werr := f.Write(src)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("%s.py: %v", name, werr)
	}
	return path, nil
}
