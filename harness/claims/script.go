package claims

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed claims.py
var script []byte

// ScriptHash is the first 12 hex digits of the SHA-256 of claims.py; it is
// recorded in claims.bench and names the cached copy.
func ScriptHash() string {
	sum := sha256.Sum256(script)
	return hex.EncodeToString(sum[:])[:12]
}

// ScriptPath writes claims.py once to a content-addressed file,
// <user cache dir>/mpbench/claims-<sha12>.py (spawn and forkserver
// children re-import the main module, so it must be a real file), and
// returns its path. An existing file with that name is reused when its
// content matches.
func ScriptPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "mpbench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("claims: %v", err)
	}
	path := filepath.Join(dir, "claims-"+ScriptHash()+".py")
	if old, err := os.ReadFile(path); err == nil && string(old) == string(script) {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, ".claims-*.py")
	if err != nil {
		return "", fmt.Errorf("claims: %v", err)
	}
	_, werr := tmp.Write(script)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("claims: write %s: %v %v", tmp.Name(), werr, cerr)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("claims: %v", err)
	}
	return path, nil
}
