package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestClaimsRender: `claims --render` regenerates CLAIMS.md from a
// published claims.bench (nothing is measured), with C14's per-version
// start-up from --variants; a --variants folder without raw.bench is bad
// input (status 2, one line, nothing written).
func TestClaimsRender(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../results/vm-2026-11-26/claims.bench")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "claims.bench"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"render", []string{"claims", "--render", "--out", dir}, 0, ""},
		{"render with variants", []string{"claims", "--render", "--variants", "../../results/program-vm-2026-12-06-versions", "--out", dir}, 0, ""},
		{"render with the GPU run", []string{"claims", "--render", "--gpu", "../../results/gpu-h200-claims", "--out", dir}, 0, ""},
		{"gpu without claims.bench", []string{"claims", "--render", "--gpu", dir + "/nothing", "--out", dir}, 2, "--gpu"},
		{"variants without raw.bench", []string{"claims", "--render", "--variants", dir + "/nothing", "--out", dir}, 2, "--variants"},
		{"measure with bad variants", []string{"claims", "--only", "C14", "--variants", dir + "/nothing", "--out", dir + "/new"}, 2, "--variants"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := mpbench(t, "claims", tc.args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			msg := strings.TrimRight(stderr.String(), "\n")
			if tc.code != 0 && (strings.Count(msg, "\n") != 0 || !strings.Contains(msg, tc.want)) {
				t.Errorf("stderr %q, want one line containing %q", msg, tc.want)
			}
		})
	}
	md, err := os.ReadFile(filepath.Join(dir, "CLAIMS.md"))
	if err != nil || !strings.Contains(string(md), "gpu-h200-claims/CLAIMS.md#c12) (") || !strings.Contains(string(md), "by the same rule: **partly.**") {
		t.Errorf("CLAIMS.md not rendered: %v", err)
	}
	if _, err := os.Stat(dir + "/new"); err == nil {
		t.Error("a refused claims run created its folder")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "claims.bench")); !bytes.Equal(got, data) {
		t.Error("rendering changed claims.bench")
	}
}
