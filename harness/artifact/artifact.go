// Package artifact writes ARTIFACT.md, the artifact appendix of mpbench in
// the form of an ACM artifact appendix, for one published run.
//
// Contract: Render is a pure function of files in the repository — the
// Makefile (HEADLINE: the figures; VERIFY_BUDGET: `make verify`'s time
// budget), the run folder RUN (raw.bench, claims.bench, plots/, tables/)
// and, where present, its siblings RUN-rerun (the same profile again) and
// RUN-variants (`make bench`'s second profile). Every value in the
// appendix is read from them: the requirements from the raw.bench
// configuration lines, the times from their start and run-end lines ("not
// recorded" where a file lacks one), the guide rows from the decision
// guide (package report), the claims' verdicts from claims.bench (package
// claims), the tolerance of a re-measurement from the rerun's agreement.
// `mpbench report --artifact ARTIFACT.md RUN` (make figures) writes it; a
// test fails when the committed ARTIFACT.md differs from what the
// Makefile's PUBLISHED run produces.
package artifact

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

//go:embed artifact.md.tmpl
var pageText string

var pageTmpl = template.Must(template.New("artifact").Funcs(template.FuncMap{"cell": cell}).Parse(pageText))

// cell is text safe in a markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// page is what the template shows.
type page struct {
	Run, Version, Machine string
	Hardware, Software    []keyValue
	MaxRSS                string // the largest parent a cell of the run touches ("" when none)
	Interps               []interp
	BenchTime, RerunTime  string // the published run's time, its rerun's
	VariantsTime          string
	ClaimsTime            string
	VerifyBudget          string
	EqualBand             string // "±5%"
	Rerun                 string // the rerun folder ("" when there is none)
	RerunAgreement        string // its agreement with the run, one sentence
	Guide                 []item
	Reproduced, Answered  int // guide rows the rerun reproduces, of those both answer
	Claims                []item
	Figures, Tables       []item
}

type keyValue struct{ Key, Value string }

// interp is one interpreter of a run: the impl, its path and the versions
// recorded for it.
type interp struct{ Run, Impl, Python, Versions string }

// item is a row of the evaluation table.
type item struct{ Name, Command, Time, Expected string }

// Render returns ARTIFACT.md for the run folder run (relative to the
// repository root root, as the appendix names it).
func Render(root, run string) ([]byte, error) {
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, run)
	r, err := view.Load(dir, nil)
	if err != nil {
		return nil, err
	}
	p := &page{Run: filepath.ToSlash(run), Version: r.ConfigValue("mpbench-version"), Machine: report.MachineLine(r),
		BenchTime: elapsed(r), VerifyBudget: MakeVar(mk, "VERIFY_BUDGET"), EqualBand: fmt.Sprintf("±%.0f%%", stats.EqualBand*100)}
	p.requirements(r)
	if v, err := view.Load(dir+"-variants", nil); err == nil {
		p.VariantsTime = elapsed(v)
		p.interps(v, p.Run+"-variants")
	}
	if err := p.guide(dir, p.Run); err != nil {
		return nil, err
	}
	if err := p.claims(dir, p.Run); err != nil {
		return nil, err
	}
	if err := p.outputs(dir, p.Run, strings.Fields(MakeVar(mk, "HEADLINE"))); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// elapsed is the time from a run's start line to its run-end line.
func elapsed(r *view.Run) string {
	return report.Elapsed(r.ConfigValue("start"), r.ConfigValue("run-end"))
}

// requirements reads the machine and software of the run's configuration
// lines (keys it lacks are left out).
func (p *page) requirements(r *view.Run) {
	pick := func(keys ...string) []keyValue {
		var out []keyValue
		for _, k := range keys {
			if v := r.ConfigValue(k); v != "" {
				out = append(out, keyValue{k, v})
			}
		}
		return out
	}
	p.Hardware = pick("cpu-model", "cpu", "nproc", "host-label", "thp")
	var most int64
	for _, c := range r.Cells {
		if c.Parsed && c.Cell.RSS > most {
			most = c.Cell.RSS
		}
	}
	if most > 0 {
		p.MaxRSS = bench.FormatSize(most)
	}
	p.Software = pick("goos", "goarch", "kernel", "go", "native-go")
	p.interps(r, p.Run)
}

// interps adds the interpreters a run records: per `<impl>-python` line,
// the other `<impl>-…` lines but the driver's hash.
func (p *page) interps(r *view.Run, run string) {
	for _, kv := range r.Config {
		impl, ok := strings.CutSuffix(kv.Key, "-python")
		if !ok {
			continue
		}
		var vs []string
		for _, x := range r.Config {
			if strings.HasPrefix(x.Key, impl+"-") && x.Key != kv.Key && x.Key != impl+"-driver" {
				vs = append(vs, x.Key+" "+x.Value)
			}
		}
		p.Interps = append(p.Interps, interp{Run: run, Impl: impl, Python: kv.Value, Versions: strings.Join(vs, ", ")})
	}
}

var makeVarLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\s*(?::=|\?=|=)\s*(.*)$`)

// MakeVar is the value of a simple variable the Makefile assigns (NAME :=,
// ?= or = VALUE, continued by trailing backslashes), spaces collapsed; ""
// when it assigns none.
func MakeVar(makefile []byte, name string) string {
	lines := strings.Split(string(makefile), "\n")
	for i := 0; i < len(lines); i++ {
		m := makeVarLine.FindStringSubmatch(lines[i])
		if m == nil || m[1] != name {
			continue
		}
		val := m[2]
		for strings.HasSuffix(val, `\`) && i+1 < len(lines) {
			i++
			val = strings.TrimSuffix(val, `\`) + " " + lines[i]
		}
		return strings.Join(strings.Fields(strings.TrimSuffix(val, `\`)), " ")
	}
	return ""
}
