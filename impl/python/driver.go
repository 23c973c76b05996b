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
func driverHash() string {
	sum := sha256.Sum256(driverSource)
	return hex.EncodeToString(sum[:])[:12]
}

// DriverPath writes the embedded driver, once per process, to
// <user cache dir>/mpbench/driver-<sha256[:12]>.py and returns that path.
// The name is content-addressed and the file is written through a
// temporary file and a rename, so concurrent runs never see a partial
// driver and different versions never collide.
func DriverPath() (string, error) {
	driverOnce.Do(func() { driverPath, driverErr = writeDriver() })
	return driverPath, driverErr
}

func writeDriver() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "mpbench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("python driver: %v", err)
	}
	path := filepath.Join(dir, "driver-"+driverHash()+".py")
	if b, err := os.ReadFile(path); err == nil && bytes.Equal(b, driverSource) {
		return path, nil
	}
	f, err := os.CreateTemp(dir, ".driver-*.tmp")
	if err != nil {
		return "", fmt.Errorf("python driver: %v", err)
	}
	tmp := f.Name()
	_, werr := f.Write(driverSource)
	cerr := f.Close()
	if werr == nil {
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
		return "", fmt.Errorf("python driver: %v", werr)
	}
	return path, nil
}
