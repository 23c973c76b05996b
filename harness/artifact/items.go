package artifact

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mpbench/mpbench/harness/claims"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/report"
)

// The rows of the evaluation table: guide rows, claims, figures, tables.

// guide adds a row per question of the decision guide: the published
// answer, checked by `make verify`, and whether the rerun reproduces it.
func (p *page) guide(dir, run string) error {
	pub, pubRun, err := report.GuideOf(dir)
	if err != nil {
		return err
	}
	other := pub
	if rr, rrRun, err := report.GuideOf(dir + "-rerun"); err == nil {
		other, p.Rerun, p.RerunTime = rr, run+"-rerun", elapsed(rrRun)
		ag := report.Agreement(pubRun, rrRun)
		p.RerunAgreement = fmt.Sprintf("of %d cells with a 95%% CI in both runs, %s have overlapping CIs, %s have each median inside the other run's CI, %s have medians within 10%% of each other",
			ag.Cells, share(ag.Overlap, ag.Cells), share(ag.MutualCI, ag.Cells), share(ag.Within10, ag.Cells))
	}
	rows := report.CompareGuides(pub, other, "published", "rerun")
	n := report.Tally(rows)
	p.Reproduced, p.Answered = n[report.Reproduced], n[report.Reproduced]+n[report.NotReproduced]
	for _, r := range rows {
		exp := "published: " + r.A
		if p.Rerun != "" {
			exp += "; the rerun: " + r.Verdict.String()
		}
		p.Guide = append(p.Guide, item{Name: "Guide: " + r.Question.Title, Command: "`make verify`",
			Time: "not recorded (time budget " + p.VerifyBudget + ")", Expected: exp})
	}
	return nil
}

// share is "97% (750)" of n in total.
func share(n, total int) string {
	if total == 0 {
		return "none"
	}
	return fmt.Sprintf("%.0f%% (%d)", 100*float64(n)/float64(total), n)
}

// claims adds a row per claim of claims.bench (none without one).
func (p *page) claims(dir, run string) error {
	data, err := os.ReadFile(filepath.Join(dir, claims.BenchFile))
	if errors.Is(err, fs.ErrNotExist) {
		p.ClaimsTime = "not recorded (no " + claims.BenchFile + ")"
		return nil
	} else if err != nil {
		return err
	}
	f, err := rawbench.Parse(data, claims.BenchFile)
	if err != nil {
		return err
	}
	p.ClaimsTime = report.Elapsed(f.ConfigValue("start"), f.ConfigValue("run-end"))
	vs, err := claims.Verdicts(data)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.Claims = append(p.Claims, item{
			Name:     fmt.Sprintf("Claim [%s](%s/%s#%s)", v.ID, run, claims.MDFile, strings.ToLower(v.ID)),
			Command:  "`" + v.Reproduce[0] + "`",
			Time:     p.ClaimsTime + " (all claims)",
			Expected: "verdict **" + v.Kind + "** (the same verdict, by the rules of harness/claims/verdicts.go)",
		})
	}
	return nil
}

// outputs adds a row per headline figure (the Makefile's HEADLINE) and
// per table of the run; a headline figure the run lacks is an error.
func (p *page) outputs(dir, run string, headline []string) error {
	cmd := "`make report RUN=" + run + "`; measured again: `make bench`"
	exp := "regenerated: byte for byte; measured again: as close as the rerun (see above)"
	if p.Rerun == "" {
		exp = "regenerated: byte for byte"
	}
	for _, f := range headline {
		if _, err := os.Stat(filepath.Join(dir, "plots", f+".png")); err != nil {
			return fmt.Errorf("the Makefile's HEADLINE names %s, which %s/plots does not hold", f, run)
		}
		p.Figures = append(p.Figures, item{Name: fmt.Sprintf("Figure [%s](%s/plots/%s.png)", f, run, f), Command: cmd, Time: p.BenchTime + " (the whole run)", Expected: exp})
	}
	tables, err := filepath.Glob(filepath.Join(dir, "tables", "*.md"))
	if err != nil {
		return err
	}
	for _, t := range tables {
		name := filepath.Base(t)
		p.Tables = append(p.Tables, item{Name: fmt.Sprintf("Table [%s](%s/tables/%s)", strings.TrimSuffix(name, ".md"), run, name), Command: cmd, Time: p.BenchTime + " (the whole run)", Expected: exp})
	}
	return nil
}
