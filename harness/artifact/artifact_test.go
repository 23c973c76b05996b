package artifact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
)

// TestArtifactUpToDate fails when ARTIFACT.md differs from what the
// Makefile's PUBLISHED run produces (`make figures`), and checks that it
// has a row for every question, claim, headline figure and table.
func TestArtifactUpToDate(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	run := MakeVar(mk, "PUBLISHED")
	if run == "" {
		t.Fatal("the Makefile names no PUBLISHED run")
	}
	want, err := Render("../..", run)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../ARTIFACT.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("ARTIFACT.md differs from what %s produces (run `make figures`)", run)
	}
	var rows []string
	for _, q := range bench.Questions {
		rows = append(rows, "| Guide: "+q.Title+" | `make verify` |")
	}
	if _, err := os.Stat(filepath.Join("../..", run, "claims.bench")); err == nil {
		rows = append(rows, "| Claim [C1](", "| Claim [C14](")
	}
	for _, f := range strings.Fields(MakeVar(mk, "HEADLINE")) {
		rows = append(rows, "| Figure ["+f+"](")
	}
	tables, _ := filepath.Glob(filepath.Join("../..", run, "tables", "*.md"))
	for _, tb := range tables {
		rows = append(rows, "| Table ["+strings.TrimSuffix(filepath.Base(tb), ".md")+"](")
	}
	for _, r := range rows {
		if !bytes.Contains(want, []byte(r)) {
			t.Errorf("the appendix has no row %q", r)
		}
	}
}

// TestRenderFixture: a run without claims, rerun or variants: its
// configuration becomes the requirements, a missing run-end line "not
// recorded", and a headline figure the run lacks an error.
func TestRenderFixture(t *testing.T) {
	root := t.TempDir()
	run := filepath.Join("results", "x")
	raw := "goos: linux\ncpu: test cpu\nnproc: 2\nkernel: 6.1.0\ngo: go1.26.8\n" +
		"cpython-python: /usr/bin/python3\ncpython-version: 3.11.7\ncpython-driver: abc123\n" +
		"start: 2026-01-01T00:00:00Z\nUnit ns/op better=lower\n" +
		"run: 1\nBenchmarkStartup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2 1 1e+06 ns/op\n"
	files := map[string]string{
		"Makefile":                               "PUBLISHED := results/x\nHEADLINE  := fig-a \\\n             fig-b\nVERIFY_BUDGET ?= 15m\n",
		filepath.Join(run, "raw.bench"):          raw,
		filepath.Join(run, "plots", "fig-a.png"): "png",
		filepath.Join(run, "plots", "fig-b.png"): "png",
		filepath.Join(run, "tables", "start.md"): "| a |",
	}
	for name, text := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755)
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	md, err := Render(root, run)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `nproc` | 2 |",
		"| `kernel` | 6.1.0 |",
		"| results/x | `cpython` | `/usr/bin/python3` | cpython-version 3.11.7 |",
		"`make bench` not recorded for the full profile; `make claims` not recorded (no claims.bench); `make verify` within its time budget of 15m",
		"| Guide: Many short-lived children | `make verify` | not recorded (time budget 15m) | published: only fork was measured: nothing to compare |",
		"| Guide: Parent with threads | `make verify` | not recorded (time budget 15m) | published: not measured in this run |",
		"| Figure [fig-b](results/x/plots/fig-b.png) | `make report RUN=results/x`; measured again: `make bench` | not recorded (the whole run) | regenerated: byte for byte |",
		"| Table [start](results/x/tables/start.md) |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("appendix lacks %q", want)
		}
	}
	if strings.Contains(string(md), "abc123") || strings.Contains(string(md), "rerun") {
		t.Errorf("appendix shows the driver hash or a rerun:\n%s", md)
	}
	if t.Failed() {
		t.Logf("appendix:\n%s", md)
	}
	os.WriteFile(filepath.Join(root, "Makefile"), []byte("HEADLINE := fig-c\n"), 0o644)
	if _, err := Render(root, run); err == nil || !strings.Contains(err.Error(), "fig-c") {
		t.Errorf("a headline figure the run lacks: err = %v", err)
	}
}

func TestMakeVar(t *testing.T) {
	mk := []byte("# comment\nA := one\nB ?= two  three\nLIST := x \\\n\ty \\\n\tz\nEMPTY :=\nAB = wrong\nC=d\n")
	tests := []struct{ name, want string }{
		{"A", "one"},
		{"B", "two three"},
		{"LIST", "x y z"},
		{"EMPTY", ""},
		{"C", "d"},
		{"MISSING", ""},
	}
	for _, tt := range tests {
		if got := MakeVar(mk, tt.name); got != tt.want {
			t.Errorf("MakeVar(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
