package main

// mpbench verify: does this machine give the published decision guide's
// answers? It measures the answer cells (bench.AnswerCells) of the
// published guide's implementation exactly as advise does (prepareAdvice, advice.measure:
// the same cells, plan, runner and report), or, given a second run
// folder, reads that folder without measuring; then it prints, question
// by question, the published answer, the other run's answer and the
// verdict of report.CompareGuides, and a final count. Differences are
// what it reports, not an error: exit status 0. Bad input (a folder that
// is not a run, a --time-budget too short for one round) exits 2.

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// DefaultVerifyBudget is verify's default time budget: with the report,
// `make verify` ends within 20 minutes on a 2-vCPU machine.
const DefaultVerifyBudget = 15 * time.Minute

// verifyFlags are the flags of `mpbench verify`.
type verifyFlags struct {
	against, out, python string
	budget               time.Duration
	other                string // the second run folder: compare without measuring
}

func parseVerifyFlags(args []string) (*verifyFlags, error) {
	f := &verifyFlags{}
	fs := newFlagSet("verify")
	fs.StringVar(&f.against, "against", "", "the published run folder whose decision guide is checked (required)")
	fs.StringVar(&f.out, "out", "", "run folder to keep this machine's samples in (default: a new temporary folder)")
	fs.StringVar(&f.python, "python", "", "CPython interpreter (default: python3 on PATH)")
	fs.DurationVar(&f.budget, "time-budget", DefaultVerifyBudget, "no adaptive round starts that would end after this time")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	switch {
	case f.against == "":
		return nil, usagef("verify: missing --against DIR (the published run folder)")
	case fs.NArg() > 1:
		return nil, usagef("verify: unexpected argument %q (want at most one run folder to compare)", fs.Arg(1))
	case fs.NArg() == 1 && (isSet(fs, "out") || isSet(fs, "time-budget") || isSet(fs, "python")):
		return nil, usagef("verify: --out, --time-budget and --python measure; with a run folder to compare (%s) nothing is measured", fs.Arg(0))
	case f.budget <= 0:
		return nil, usagef("verify: --time-budget must be > 0")
	}
	f.other = fs.Arg(0)
	for _, d := range []string{f.against, f.other} {
		if st, err := os.Stat(d); d != "" && (err != nil || !st.IsDir()) {
			return nil, usagef("verify: no run folder %s", d)
		}
	}
	if f.out != "" {
		if err := rawbench.CheckFresh(f.out); err != nil {
			return nil, usagef("verify: --out: %v (a verify run continues with mpbench advise --resume --out %s, then mpbench verify --against %s %s)",
				err, f.out, f.against, f.out)
		}
	}
	return f, nil
}

func verifyCmd(args []string) error {
	ctx, stop, caught := interruptible()
	defer stop()
	next, interrupted, err := verify(ctx, args, nil, os.Stdout, os.Stderr)
	if err != nil || !interrupted {
		return err
	}
	return exitError{signalStatus(caught()), "interrupted (" + caught().String() + "): the comparison above is from the runs so far; continue with: " + next}
}

// verify runs `mpbench verify args`; impls replaces the implementations
// (tests: a fake measured program). It returns whether the measurement
// was interrupted, and the commands that would continue it.
func verify(ctx context.Context, args []string, impls map[string]impl.Impl, stdout, stderr io.Writer) (string, bool, error) {
	f, err := parseVerifyFlags(args)
	if err != nil {
		return "", false, err
	}
	pub, pubRun, err := guideOf(f.against)
	if err != nil {
		return "", false, err
	}
	if f.other != "" {
		g, r, err := guideOf(f.other)
		if err != nil {
			return "", false, err
		}
		printVerify(stdout, verifySide{"published", f.against, pubRun, pub}, verifySide{"reproduction", f.other, r, g})
		return "", false, nil
	}
	aargs := []string{"--impl", pub.Impl, "--time-budget", f.budget.String()}
	if f.out != "" {
		aargs = append(aargs, "--out", f.out)
	}
	if f.python != "" {
		aargs = append(aargs, "--python", f.python)
	}
	af, err := parseAdviseFlags(aargs)
	if err != nil {
		return "", false, err
	}
	a, impls, err := prepareAdvice(af, aargs, impls)
	if err != nil {
		return "", false, err
	}
	next := fmt.Sprintf("mpbench advise --resume --out %s, then: mpbench verify --against %s %s", a.out, f.against, a.out)
	sum, g, r, err := a.measure(ctx, impls, stderr)
	if err != nil {
		return next, sum.Interrupted, err
	}
	printVerify(stdout, verifySide{"published", f.against, pubRun, pub}, verifySide{"this machine", a.out, r, g})
	return next, sum.Interrupted, nil
}

// guideOf loads a run folder's decision guide; a folder without one is
// bad input.
func guideOf(dir string) (*report.Guide, *view.Run, error) {
	g, r, err := report.GuideOf(dir)
	if err != nil {
		return nil, nil, usagef("verify: %s: %v", dir, err)
	}
	if len(g.Rows) == 0 {
		return nil, nil, usagef("verify: %s has no cells the decision guide reads", dir)
	}
	return g, r, nil
}

// verifySide is one of the two runs verify compares.
type verifySide struct {
	name, dir string
	run       *view.Run
	guide     *report.Guide
}

// printVerify writes the comparison: the two runs, then per question
// both answers and the verdict, then the count.
func printVerify(w io.Writer, a, b verifySide) {
	fmt.Fprintln(w, "mpbench verify: the decision guide, question by question")
	for _, s := range []verifySide{a, b} {
		fmt.Fprintf(w, "  %s: %s (impl=%s at cores=%d; %s)\n", s.name, s.dir, s.guide.Impl, s.guide.Cores, report.MachineLine(s.run))
	}
	fmt.Fprintf(w, "  reproduced: the same option chosen, or the same two options equal within ±%.0f%%; not reproduced: both answer, differently; not comparable: a run has no answer\n",
		stats.EqualBand*100)
	rows := report.CompareGuides(a.guide, b.guide, a.name, b.name)
	width := max(len(a.name), len(b.name)) + 1
	for i, r := range rows {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, r.Question.Title)
		fmt.Fprintf(w, "   %-*s %s\n", width, a.name+":", r.A)
		fmt.Fprintf(w, "   %-*s %s\n", width, b.name+":", r.B)
		fmt.Fprintf(w, "   → %s (%s)\n", r.Verdict, r.Why)
	}
	n := report.Tally(rows)
	answered := n[report.Reproduced] + n[report.NotReproduced]
	fmt.Fprintf(w, "\n%d questions: %d reproduced, %d not reproduced, %d not comparable; %d of the %d that both runs answer reproduced.\n",
		len(rows), n[report.Reproduced], n[report.NotReproduced], n[report.NotComparable], n[report.Reproduced], answered)
	if a.guide.Impl != b.guide.Impl || a.guide.Cores != b.guide.Cores {
		fmt.Fprintf(w, "Note: the guides speak for impl=%s at cores=%d and impl=%s at cores=%d.\n", a.guide.Impl, a.guide.Cores, b.guide.Impl, b.guide.Cores)
	}
}
