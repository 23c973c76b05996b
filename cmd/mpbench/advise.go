package main

// mpbench advise: the decision guide of this machine. It measures the
// answer cells (bench.Answers: the cells each row's answer and flip read,
// not the coverage counts of the full profile) through the one runner (harness.Run:
// interleaved rounds, adaptive stopping, time budget, resume), writes the
// ordinary report of the run folder, and prints the guide that the report
// computes (report.GuideOf) — nothing here decides anything.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// AdviseProfile is the profile name an advise run records; `mpbench
// advise --resume` continues only such a run.
const AdviseProfile = "advise"

// DefaultAdviseBudget is advise's default time budget.
const DefaultAdviseBudget = 5 * time.Minute

// AdviseCITarget is advise's adaptive-stopping target: a cell stops
// getting runs once its CI half-width is within 2.5% of its median. Two
// cells that close can be told "equal within ±5%"; the budget goes to the
// cells that are not there yet.
const AdviseCITarget = 0.025

// adviseFlags are the flags of `mpbench advise`.
type adviseFlags struct {
	fs      *flag.FlagSet
	interp  interpreterFlags
	impl    string
	rss     string
	format  string
	out     string
	budget  time.Duration
	timeout time.Duration
	resume  bool
}

func parseAdviseFlags(args []string) (*adviseFlags, error) {
	f := &adviseFlags{fs: newFlagSet("advise")}
	fs := f.fs
	f.interp.register(fs)
	fs.StringVar(&f.impl, "impl", "cpython", "the implementation to advise on: "+fmt.Sprint(bench.Impls))
	fs.StringVar(&f.rss, "rss", "", "your parent's memory, e.g. 300MiB: adds that point to the fork/forkserver sweep")
	fs.StringVar(&f.format, "format", "text", "text or json (on stdout)")
	fs.StringVar(&f.out, "out", "", "run folder to keep (default: a new temporary folder)")
	fs.DurationVar(&f.budget, "time-budget", DefaultAdviseBudget, "no adaptive round starts that would end after this time")
	fs.DurationVar(&f.timeout, "timeout", 0, "timeout of one program run (default per workload)")
	fs.BoolVar(&f.resume, "resume", false, "continue the interrupted advise run in --out")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, usagef("advise: unexpected argument %q", fs.Arg(0))
	case f.format != "text" && f.format != "json":
		return nil, usagef("advise: unknown --format %q (want text or json)", f.format)
	case !contains(bench.Impls, f.impl):
		return nil, usagef("advise: --impl: unknown impl %q (want one of %v; another CPython: --python PATH)", f.impl, bench.Impls)
	case f.budget <= 0:
		return nil, usagef("advise: --time-budget must be > 0")
	case f.timeout < 0:
		return nil, usagef("advise: --timeout must be > 0")
	case f.resume && f.out == "":
		return nil, usagef("advise: --resume needs --out DIR")
	}
	return f, nil
}

// extraRSS is the --rss point (none when not given).
func (f *adviseFlags) extraRSS() ([]int64, error) {
	if f.rss == "" {
		return nil, nil
	}
	rss, err := bench.ParseSizeList(f.rss)
	if err != nil {
		return nil, usagef("advise: --rss: %v", err)
	}
	return rss, nil
}

// policy is the replication plan of an advise run.
type policy struct {
	Count, Warmup, Runs, MaxRuns int
	Benchtime, Round             time.Duration // Round: estimated time of one run of every cell
	Fit                          int           // rounds of every cell the budget holds, by the estimate
}

// planRuns chooses the replication of advise's cells for a budget:
// the full profile's samples (count, benchtime, warm-up) and one base
// round; every further round is an adaptive round of the runner, which
// starts only when its estimate ends within the budget (counted from the
// real time spent so far, so a machine slower than the estimate gets
// fewer rounds, not a longer run). A cell takes part until it has the
// MinRuns a CI needs (no CI is narrow enough before), then while its CI
// is wider than AdviseCITarget, up to as many rounds as the budget holds
// by the estimate (at least MinRuns). A budget that does not hold one
// round is bad input. With the answer cells (bench.AnswerCells) and
// DefaultAdviseBudget the estimate holds more than MinRuns rounds on a
// 2-CPU machine (a test checks it).
func planRuns(cells []bench.Cell, budget time.Duration) (policy, error) {
	d := harness.ProfileDefaults(bench.Full)
	p := policy{Count: d.Count, Warmup: 1, Benchtime: d.Benchtime}
	p.Round, _ = harness.Estimate(harness.Config{Cells: cells, Count: p.Count, Runs: 1, MaxRuns: 1, Warmup: p.Warmup, Benchtime: p.Benchtime})
	p.Fit = int(budget / max(p.Round, time.Millisecond))
	if p.Fit < 1 {
		return p, usagef("advise: --time-budget %v is shorter than one run of each of the %d answer cells (estimated %v)", budget, len(cells), p.Round.Round(time.Second))
	}
	p.Runs = 1
	p.MaxRuns = max(stats.MinRuns, p.Fit)
	return p, nil
}

// advice is one advise invocation, ready to run.
type advice struct {
	impl      string
	nproc     int
	rss       []int64          // the user's parent sizes (--rss)
	decisions []bench.Decision // bench.Answers
	cells     []bench.Cell     // bench.AnswerCells
	pol       policy
	budget    time.Duration
	timeout   time.Duration
	out       string
	temp      bool // out is a temporary folder advise made
	resume    bool
	format    string
	args      []string // recorded for --resume
}

// newAdvice resolves the flags into cells, a plan and a run folder.
func newAdvice(f *adviseFlags, args []string) (*advice, error) {
	rss, err := f.extraRSS()
	if err != nil {
		return nil, err
	}
	a := &advice{impl: f.impl, nproc: runtime.NumCPU(), rss: rss, budget: f.budget, timeout: f.timeout,
		out: f.out, resume: f.resume, format: f.format, args: recordable(args)}
	a.decisions = bench.Answers(a.impl, a.nproc, rss)
	a.cells = bench.AnswerCells(a.impl, a.nproc, rss)
	if a.pol, err = planRuns(a.cells, a.budget); err != nil {
		return nil, err
	}
	return a, nil
}

func adviseCmd(args []string) error {
	ctx, stop, caught := interruptible()
	defer stop()
	interrupted, a, err := advise(ctx, args, nil, os.Stdout, os.Stderr)
	if err != nil || !interrupted {
		return err
	}
	return exitError{signalStatus(caught()), "interrupted (" + caught().String() + "): the guide above is what was decided so far; resume with: mpbench advise --resume --out " + a.out}
}

// advise runs `mpbench advise args`; impls replaces the implementations
// the flags choose (tests: a fake measured program).
func advise(ctx context.Context, args []string, impls map[string]impl.Impl, stdout, stderr io.Writer) (bool, *advice, error) {
	f, err := parseAdviseFlags(args)
	if err != nil {
		return false, nil, err
	}
	if f.resume && onlyOutAndResume(f.fs) {
		// `mpbench advise --resume --out DIR`: the rest comes from the run.
		if err := checkAdviseRun(f.out); err != nil {
			return false, nil, err
		}
		recorded, err := recordedArgs(f.out)
		if err != nil {
			return false, nil, err
		}
		if f, err = parseAdviseFlags(append(recorded, "--resume")); err != nil {
			return false, nil, err
		}
		args = recorded
	}
	a, impls, err := prepareAdvice(f, args, impls)
	if err != nil {
		return false, nil, err
	}
	interrupted, err := a.run(ctx, impls, stdout, stderr)
	return interrupted, a, err
}

// prepareAdvice resolves parsed flags (args: their command line) into an
// advice ready to measure: its cells, plan, implementations (impls, when
// not nil, replaces them) and run folder. advise and verify both start
// here.
func prepareAdvice(f *adviseFlags, args []string, impls map[string]impl.Impl) (*advice, map[string]impl.Impl, error) {
	a, err := newAdvice(f, args)
	if err != nil {
		return nil, nil, err
	}
	if impls == nil {
		explicit := []string{}
		if isSet(f.fs, "impl") {
			explicit = []string{f.impl}
		}
		if impls, err = f.interp.impls(a.cells, explicit); err != nil {
			return nil, nil, err
		}
	}
	if err := a.prepareOut(); err != nil {
		return nil, nil, err
	}
	return a, impls, nil
}

// checkAdviseRun refuses to resume a folder that advise did not start.
func checkAdviseRun(dir string) error {
	res, err := rawbench.ReadDir(dir)
	if err != nil {
		return outError(dir, err)
	}
	if p := res.ConfigValue("profile"); p != AdviseProfile {
		return usagef("advise --resume: %s is not an advise run (profile %q): continue it with mpbench run --resume --out %s", dir, p, dir)
	}
	return nil
}

// prepareOut checks --out (a new run needs a fresh folder) or makes a
// temporary folder when none was given.
func (a *advice) prepareOut() error {
	if a.out == "" {
		dir, err := os.MkdirTemp("", "mpbench-advise-")
		if err != nil {
			return fmt.Errorf("advise: temporary folder: %w", err)
		}
		a.out, a.temp = dir, true
		a.args = append(a.args, "--out", dir) // so that --resume finds it
		return nil
	}
	if !a.resume {
		if err := rawbench.CheckFresh(a.out); errors.Is(err, rawbench.ErrNotEmpty) {
			return usagef("advise: --out %s exists and is not empty (use --resume to continue it, or choose another folder)", a.out)
		} else if err != nil {
			return outError(a.out, err)
		}
	}
	return nil
}

// run measures the answer cells and prints the guide (also when
// interrupted: what was decided so far).
func (a *advice) run(ctx context.Context, impls map[string]impl.Impl, stdout, stderr io.Writer) (interrupted bool, err error) {
	start := time.Now()
	sum, g, r, err := a.measure(ctx, impls, stderr)
	if err != nil {
		return sum.Interrupted, err
	}
	v := a.view(g, r, sum, time.Since(start))
	if a.format == "json" {
		return sum.Interrupted, v.JSON(stdout)
	}
	v.Text(stdout)
	return sum.Interrupted, nil
}

// measure runs the answer cells into the run folder (the one runner,
// harness.Run, within the time budget), writes the folder's report and
// computes its decision guide (report.GuideOf), also when interrupted:
// the guide of the runs so far. Progress goes to stderr.
func (a *advice) measure(ctx context.Context, impls map[string]impl.Impl, stderr io.Writer) (harness.Summary, *report.Guide, *view.Run, error) {
	where := a.out
	if a.temp {
		where += " (a temporary folder; --out DIR keeps the run where you choose)"
	}
	fmt.Fprintf(stderr, "mpbench advise: %d answer cells of impl=%s at cores=%d; rounds of one run (%d samples × %v) per cell, up to %d runs, while the time budget %v lasts; one round ≈ %v (estimated); samples in %s\n",
		len(a.cells), a.impl, a.nproc, a.pol.Count, a.pol.Benchtime, a.pol.MaxRuns, a.budget, a.pol.Round.Round(time.Second), where)
	if a.pol.Fit < stats.MinRuns {
		fmt.Fprintf(stderr, "mpbench advise: the time budget holds about %d runs per cell; a 95%% CI needs %d, so costs will have no CI (--time-budget %v or more gives them one)\n",
			a.pol.Fit, stats.MinRuns, (time.Duration(stats.MinRuns)*a.pol.Round).Round(time.Minute)+time.Minute)
	}
	sum, err := harness.Run(ctx, harness.Config{
		Cells: a.cells, Impls: impls, Profile: AdviseProfile,
		Count: a.pol.Count, Runs: a.pol.Runs, MaxRuns: a.pol.MaxRuns, CITarget: AdviseCITarget, Budget: a.budget,
		Warmup: a.pol.Warmup, Benchtime: a.pol.Benchtime, Timeout: a.timeout,
		Out: a.out, Resume: a.resume, Args: a.args, Progress: stderr,
	})
	if err != nil {
		var in *harness.InputError
		if errors.As(err, &in) {
			return sum, nil, nil, outError(a.out, err)
		}
		return sum, nil, nil, err
	}
	opts := report.Options{Format: "md", Warn: io.Discard, Companions: []report.Companion{claimsMarkdown{}}}
	if err := report.Generate([]string{a.out}, opts, io.Discard); err != nil {
		return sum, nil, nil, fmt.Errorf("advise: report of %s: %w", a.out, err)
	}
	g, r, err := report.GuideOf(a.out)
	return sum, g, r, err
}
