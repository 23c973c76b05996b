package claims

import (
	_ "embed"
	"path/filepath"

	"github.com/mpbench/mpbench/impl/python"
)

//go:embed claims.py
var script []byte

// scriptFiles are claims.py and the shared core it imports (mpcore.py),
// written together into one folder.
func scriptFiles() []python.File {
	return []python.File{{Name: "claims.py", Src: script}, python.Core()}
}

// ScriptHash is the first 12 hex digits of the SHA-256 over claims.py and
// mpcore.py; it is recorded in claims.bench and names the cached folder.
func ScriptHash() string { return python.ScriptsHash(scriptFiles()...) }

// ScriptPath writes claims.py and mpcore.py once to the content-addressed
// folder <user cache dir>/mpbench/claims-<hash>/ and returns the path of
// claims.py.
func ScriptPath() (string, error) {
	dir, err := python.WriteScripts("claims", scriptFiles()...)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "claims.py"), nil
}
