package report

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

func TestAnchor(t *testing.T) {
	for _, tc := range []struct{ heading, want string }{
		{"Decision guide", "decision-guide"},
		{"Start cost: what does one child cost?", "start-cost-what-does-one-child-cost"},
		{"The hazards: threads and fork", "the-hazards-threads-and-fork"},
		{"Many-to-one", "many-to-one"},
	} {
		if got := anchor(tc.heading); got != tc.want {
			t.Errorf("anchor(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

func TestTasksPerWorker(t *testing.T) {
	pool := func(workers, tasks int) *view.Cell {
		c := &view.Cell{Parsed: true}
		c.Cell.Workers, c.Cell.Tasks, c.Cell.Task = workers, tasks, "cpu"
		return c
	}
	for _, tc := range []struct {
		name  string
		cells []*view.Cell
		k     int
		text  string
	}{
		{"weak scaling", []*view.Cell{pool(1, 8), pool(2, 16), pool(4, 32)}, 8, "8 cpu tasks per worker"},
		{"fixed count", []*view.Cell{pool(1, 16), pool(2, 16)}, 0, "16 cpu tasks"},
		{"neither", []*view.Cell{pool(1, 8), pool(2, 10)}, 0, "cpu tasks, 8–10 per map"},
		{"one cell", []*view.Cell{pool(2, 16)}, 8, "16 cpu tasks"},
	} {
		if k := tasksPerWorker(tc.cells); k != tc.k {
			t.Errorf("%s: tasksPerWorker = %d, want %d", tc.name, k, tc.k)
		}
		if s := tasksText(tc.cells); s != tc.text {
			t.Errorf("%s: tasksText = %q, want %q", tc.name, s, tc.text)
		}
	}
}

// TestEvaluationSections: every research question the test run has cells
// for is a section with its question, method and mechanism, and no
// template slot is left empty.
func TestEvaluationSections(t *testing.T) {
	for name, d := range map[string]*Data{"matrix": testData(t), "decision cells": func() *Data { d, _ := decisionRun(t); return d }()} {
		var b bytes.Buffer
		if err := d.writeReport(&b, d.Tables(), nil); err != nil {
			t.Fatal(err)
		}
		rep := b.String()
		for _, bad := range []string{"<no value>", "for  at", "impl= ", "=  ", " ()", "(impl )", "**Method.** .", "**Why.** \n"} {
			if strings.Contains(rep, bad) {
				t.Errorf("%s: REPORT.md contains %q", name, bad)
			}
		}
		secs := regexp.MustCompile(`(?m)^## (Start cost|A big parent|Small messages|Large messages|Pools|The hazards)[^\n]*\n`).FindAllStringIndex(rep, -1)
		if len(secs) < 3 {
			t.Errorf("%s: %d research-question sections, want at least 3", name, len(secs))
		}
		for _, s := range secs {
			body := rep[s[1]:]
			if next := strings.Index(body, "\n## "); next >= 0 {
				body = body[:next]
			}
			for _, part := range []string{"**Question.**", "**Method.**", "**Why.**"} {
				if !strings.Contains(body, part) {
					t.Errorf("%s: section %q lacks %s", name, strings.TrimSpace(rep[s[0]:s[1]]), part)
				}
			}
		}
	}
}

// TestPublishedReportLength: the published run's REPORT.md stays a
// readable evaluation (at most 600 lines).
func TestPublishedReportLength(t *testing.T) {
	b, err := os.ReadFile("../../results/vm-2026-11-26/REPORT.md")
	if err != nil {
		t.Skip("no published run")
	}
	if n := bytes.Count(b, []byte("\n")); n > 600 {
		t.Errorf("results/vm-2026-11-26/REPORT.md has %d lines, want ≤ 600", n)
	}
}
