package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl/python"
)

// TestPythonVersions: every measured CPython version is looked for under
// $MPBENCH_PYENV_ROOT, the newest patch release wins, directories that are
// not releases (3.9.2t) or lack an executable python3 are not taken, and a
// missing version carries its reason.
func TestPythonVersions(t *testing.T) {
	root := t.TempDir()
	mk := func(ver string, mode os.FileMode) string {
		p := filepath.Join(root, "versions", ver, "bin", "python3")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	mk("3.9.1", 0o755)
	want := mk("3.9.10", 0o755)
	mk("3.9.2t", 0o755)
	mk("3.9.11", 0o644) // not executable
	t.Setenv(python.PyenvRootEnv, root)
	t.Setenv("PYENV_ROOT", filepath.Join(root, "elsewhere"))

	got := pythonVersions()
	if len(got) != len(bench.PythonVersions) {
		t.Fatalf("%d versions, want %d", len(got), len(bench.PythonVersions))
	}
	for i, in := range got {
		if in.Minor != bench.PythonVersions[i] {
			t.Errorf("version %d is %s, want %s", i, in.Minor, bench.PythonVersions[i])
		}
		switch {
		case in.Minor == "3.9":
			if in.Path != want || in.Err != nil {
				t.Errorf("3.9: %q, %v; want %q", in.Path, in.Err, want)
			}
		case in.Path != "" || in.Err == nil || !strings.Contains(in.Err.Error(), root):
			t.Errorf("%s: %q, %v; want no path and a reason naming %s", in.Minor, in.Path, in.Err, root)
		}
	}
}
