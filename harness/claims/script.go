package claims

import (
	_ "embed"

	"github.com/mpbench/mpbench/impl/python"
)

//go:embed claims.py
var script []byte

// ScriptHash is the first 12 hex digits of the SHA-256 of claims.py; it is
// recorded in claims.bench and names the cached copy.
func ScriptHash() string { return python.SourceHash(script) }

// ScriptPath writes claims.py once to the content-addressed file
// <user cache dir>/mpbench/claims-<sha12>.py and returns its path.
func ScriptPath() (string, error) { return python.CachedScript("claims", script) }
