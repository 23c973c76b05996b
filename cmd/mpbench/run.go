package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/claims"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/python"
)

// selectionFlags are the matrix filters shared by run and list.
type selectionFlags struct {
	profile, impls, methods, chans, execs, workloads string
	sizes, rss, cores, workers, tasks                string
	mains, preloads                                  string
}

func (s *selectionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.profile, "profile", bench.Full, "quick, full, variants (the CPython versions and the libraries), dimension (replication settings measured side by side) or users (memory per worker, payloads, and the user and program cells)")
	fs.StringVar(&s.impls, "impl", "", "implementations, e.g. native,cpython (default: all)")
	fs.StringVar(&s.methods, "method", "", "start methods: spawn,fork,forkserver")
	fs.StringVar(&s.chans, "chan", "", "channels: simplequeue,queue,pipe,shm")
	fs.StringVar(&s.execs, "exec", "", "pool executors: loop,pool,ppe,loky-cold,loky-warm,pool-cold,ppe-cold (default: loop,pool; with --chan: loop)")
	fs.StringVar(&s.workloads, "workload", "", "workloads: startup,pingpong,stream,pool,gather,memory")
	fs.StringVar(&s.sizes, "size", "", "message sizes of pingpong, stream and gather, e.g. 64B,4KiB,1MiB")
	fs.StringVar(&s.rss, "rss", "", "parent memory of startup and memory, e.g. 0,256MiB,1GiB")
	fs.StringVar(&s.cores, "cores", "", "CPU-affinity set sizes, e.g. 1,2")
	fs.StringVar(&s.workers, "workers", "", "pool and gather workers, e.g. 1,2,4")
	fs.StringVar(&s.tasks, "task", "", "pool task kinds: cpu,sleep")
	fs.StringVar(&s.mains, "main", "", "weight of the Python main module: stub,stdlib,numpy,torch (default: stub)")
	fs.StringVar(&s.preloads, "preload", "", "what the fork server preloads: main (the main module's imports),none (default: main; forkserver cells only)")
}

// cells expands the selection; every error is bad input.
func (s *selectionFlags) cells() ([]bench.Cell, error) {
	sel := bench.Selection{Profile: s.profile}
	var err error
	lists := []struct {
		flag, val string
		allowed   []string
		dst       *[]string
	}{
		{"impl", s.impls, bench.KnownImpls(), &sel.Impls},
		{"method", s.methods, bench.KnownMethods(), &sel.Methods},
		{"chan", s.chans, bench.Chans, &sel.Chans},
		{"exec", s.execs, bench.Execs, &sel.Execs},
		{"workload", s.workloads, bench.Workloads, &sel.Workloads},
		{"task", s.tasks, bench.TaskKinds, &sel.Tasks},
		{"main", s.mains, bench.MainWeights, &sel.Mains},
		{"preload", s.preloads, bench.Preloads, &sel.Preloads},
	}
	for _, l := range lists {
		if l.val != "" {
			if *l.dst, err = bench.ParseList(l.flag, l.val, l.allowed); err != nil {
				return nil, usagef("--%s: %w", l.flag, err)
			}
		}
	}
	if s.sizes != "" {
		if sel.Sizes, err = bench.ParseSizeList(s.sizes); err != nil {
			return nil, usagef("--size: %v", err)
		}
	}
	if s.rss != "" {
		if sel.RSS, err = bench.ParseSizeList(s.rss); err != nil {
			return nil, usagef("--rss: %v", err)
		}
	}
	if s.cores != "" {
		if sel.Cores, err = bench.ParseIntList("cores", s.cores); err != nil {
			return nil, usagef("--cores: %w", err)
		}
		for _, n := range sel.Cores {
			if n > runtime.NumCPU() {
				return nil, usagef("--cores: %d cores exceed the %d CPUs of this machine", n, runtime.NumCPU())
			}
		}
	}
	if s.workers != "" {
		if sel.Workers, err = bench.ParseIntList("workers", s.workers); err != nil {
			return nil, usagef("--workers: %w", err)
		}
	}
	cells, err := bench.Expand(sel, runtime.NumCPU())
	if err != nil {
		return nil, usageError{err}
	}
	if len(cells) == 0 {
		return nil, usagef("the selection is empty")
	}
	return cells, nil
}

// newFlagSet returns a flag set that reports errors as one line.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
			return exitError{2, fs.Name() + ": help requested"}
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func listCmd(args []string) error {
	fs := newFlagSet("list")
	var sel selectionFlags
	var cl clusterFlags
	sel.register(fs)
	cl.register(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("list: unexpected argument %q", fs.Arg(0))
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	if sh, ok, err := cl.resolve(); err != nil {
		return err
	} else if ok {
		cost := shardCost(sel.profile)
		shardSummary(os.Stderr, cells, sh, cost)
		cells = sh.Select(cells, cost)
	}
	for _, c := range cells {
		fmt.Println(c.Benchmark())
	}
	// The estimate goes to stderr: stdout is the list of names.
	d := harness.ProfileDefaults(sel.profile)
	cfg := harness.Config{Cells: cells, Count: d.Count, Runs: d.Runs,
		MaxRuns: d.MaxRuns, Budget: d.Budget, Warmup: 1, Benchtime: d.Benchtime,
		Decision: decisionSet(cells, d.DecisionRuns), DecisionRuns: d.DecisionRuns}
	expected, minRuns := harness.Estimate(cfg)
	settings := fmt.Sprintf("%d–%d runs of %d samples, benchtime %v", d.Runs, d.MaxRuns, d.Count, d.Benchtime)
	if d.Runs == d.MaxRuns && len(cells) > 0 && cells[0].HasSettings() {
		settings = fmt.Sprintf("%d runs of every cell at its own count and benchtime", d.Runs)
	}
	base := fmt.Sprintf("the first %d runs of every cell", d.Runs)
	if n := len(cfg.Decision); n > 0 {
		base = fmt.Sprintf("the base runs (%d of the %d decision cells, %d of the others)", d.DecisionRuns, n, d.Runs)
	}
	split := fmt.Sprintf(": %v for %s, the rest for the adaptive runs", minRuns.Round(time.Second), base)
	if d.MaxRuns <= d.Runs {
		split = " (no adaptive runs)"
	}
	fmt.Fprintf(os.Stderr, "mpbench: %d cells; with the %s profile's settings (%s) an estimated %v%s\n",
		len(cells), sel.profile, settings, expected.Round(time.Second), split)
	by := harness.EstimateByImpl(cfg)
	var parts []string
	for _, im := range bench.KnownImpls() {
		if t, ok := by[im]; ok {
			parts = append(parts, fmt.Sprintf("%s %v", im, t.Round(time.Second)))
		}
	}
	fmt.Fprintf(os.Stderr, "mpbench: base runs by impl: %s\n", strings.Join(parts, ", "))
	return nil
}

// interpreterFlags are the flags that name the interpreters of the
// implementations that take one (impl.Constructor.Flag), by impl name.
type interpreterFlags map[string]*string

func (f *interpreterFlags) register(fs *flag.FlagSet) {
	*f = interpreterFlags{}
	for _, c := range impl.Constructors() {
		if c.Flag != "" {
			(*f)[c.Name] = fs.String(c.Flag, "", c.Help)
		}
	}
}

// of is the interpreter named for implementation name ("" = its default).
func (f interpreterFlags) of(name string) string {
	if p := f[name]; p != nil {
		return *p
	}
	return ""
}

// flagOf is the flag that names the interpreter of implementation name.
func flagOf(name string) string {
	c, _ := impl.Lookup(name)
	return c.Flag
}

// impls builds the implementations a selection needs (impl.Lookup; the
// harness refuses a cell whose impl has none). An interpreter
// named explicitly, or an implementation selected explicitly, that
// cannot run is bad input; otherwise an unavailable implementation's
// cells are recorded as skipped.
func (f interpreterFlags) impls(cells []bench.Cell, explicit []string) (map[string]impl.Impl, error) {
	out := map[string]impl.Impl{}
	for _, c := range cells {
		if _, done := out[c.Impl]; done {
			continue
		}
		if ctor, ok := impl.Lookup(c.Impl); ok {
			out[c.Impl] = ctor.New(f.of(c.Impl))
		}
	}
	for name, im := range out {
		err := im.Available()
		if err == nil {
			continue
		}
		if f.of(name) != "" || contains(explicit, name) {
			return nil, usagef("impl %s: %v", name, err)
		}
	}
	return out, nil
}

// pythonVersions finds the interpreter of every CPython version measured
// (bench.PythonVersions) as the version impls find theirs
// (python.FindVersion): the newest <root>/versions/<minor>.<patch>/bin/python3
// under python.PyenvRoot() — $MPBENCH_PYENV_ROOT, else $PYENV_ROOT, else
// ~/.pyenv. A version that is not installed carries the reason.
func pythonVersions() []claims.Interp {
	root := python.PyenvRoot()
	out := make([]claims.Interp, 0, len(bench.PythonVersions))
	for _, v := range bench.PythonVersions {
		path, err := python.FindVersion(root, v)
		out = append(out, claims.Interp{Minor: v, Path: path, Err: err})
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// runFlags are the flags of `mpbench run`.
type runFlags struct {
	fs                                       *flag.FlagSet
	sel                                      selectionFlags
	interp                                   interpreterFlags
	cl                                       clusterFlags
	count, runs, maxRuns, decisionRuns, warm *int
	ciTarget                                 *float64
	benchtime, timeout, budget               *time.Duration
	out                                      *string
	resume                                   bool
}

func parseRunFlags(args []string) (*runFlags, error) {
	f := &runFlags{fs: newFlagSet("run")}
	fs := f.fs
	f.sel.register(fs)
	f.interp.register(fs)
	f.cl.register(fs, true)
	f.count = fs.Int("count", 0, "samples per program run (default: 2)")
	f.runs = fs.Int("runs", 0, "program runs per cell before adaptive stopping (default: 6 full, 2 quick)")
	f.decisionRuns = fs.Int("decision-runs", 0, "base runs of the cells the decision guide's answers read (bench.AnswerCells; default: 12 full, none otherwise; 0: none)")
	f.maxRuns = fs.Int("max-runs", 0, "cap of program runs per cell; above --runs, cells whose CI is wider than --ci-target get more runs (default: 12 full, 2 quick)")
	f.ciTarget = fs.Float64("ci-target", harness.DefaultCITarget, "adaptive stopping: target CI half-width as a share of the median")
	f.budget = fs.Duration("time-budget", 0, "no adaptive round starts that would end after this time (default: 45m full, none quick; 0s: none)")
	f.warm = fs.Int("warmup", 1, "warm-up iterations/samples discarded per program run")
	f.benchtime = fs.Duration("benchtime", 0, "target duration of one sample (default: 25ms full, 50ms quick)")
	f.timeout = fs.Duration("timeout", 0, "timeout of one program run (default per workload)")
	f.out = fs.String("out", "", "run folder (required)")
	fs.BoolVar(&f.resume, "resume", false, "continue the interrupted run in --out")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("run: unexpected argument %q", fs.Arg(0))
	}
	if *f.out == "" {
		return nil, usagef("run: --out DIR is required")
	}
	return f, nil
}

func runCmd(args []string) error {
	f, args, err := parseRunCmd(args)
	if err != nil {
		return err
	}
	f.applyDefaults()
	if err := f.check(); err != nil {
		return err
	}
	cells, err := f.sel.cells()
	if err != nil {
		return err
	}
	if err := ownSettings(f.fs, cells); err != nil {
		return err
	}
	sh, sharded, err := f.cl.resolve()
	if err != nil {
		return err
	}
	all := cells // the whole selection, recorded with a shard
	if sharded {
		cells = sh.Select(cells, shardCost(f.sel.profile))
		if !isSet(f.fs, "shard") { // from Slurm: recorded, so that --resume picks the same shard
			args = append(args, "--shard", sh.String())
		}
		if len(cells) == 0 {
			return usagef("run: shard %s of this selection is empty (%d shards for fewer cells)", sh, sh.N)
		}
	}
	explicit := []string{}
	if f.sel.impls != "" {
		explicit, _ = bench.ParseList("impl", f.sel.impls, bench.KnownImpls())
	}
	impls, err := f.interp.impls(cells, explicit)
	if err != nil {
		return err
	}
	if !f.resume {
		if err := rawbench.CheckFresh(*f.out); err != nil {
			return outError(*f.out, err)
		}
	}

	ctx, stop, caught := interruptible()
	defer stop()
	sum, err := harness.Run(ctx, harness.Config{
		Cells: cells, Impls: impls, Profile: f.sel.profile,
		Count: *f.count, Runs: *f.runs, MaxRuns: *f.maxRuns, CITarget: *f.ciTarget, Budget: *f.budget,
		Decision: decisionSet(cells, *f.decisionRuns), DecisionRuns: *f.decisionRuns,
		Warmup: *f.warm, Benchtime: *f.benchtime,
		Timeout: *f.timeout, Out: *f.out, Resume: f.resume,
		Args: recordable(args), Progress: os.Stderr,
		Extra: f.cl.configLines(sh, sharded, all, recordable(args)),
	})
	if err != nil {
		var in *harness.InputError
		if errors.As(err, &in) {
			return outError(*f.out, err)
		}
		return err
	}
	return runDone(sum, *f.out, caught)
}

// parseRunCmd parses the flags of `mpbench run`. `mpbench run --resume
// --out DIR` alone takes the rest of its flags from the command line the
// run recorded; those are the args it returns. An advise run is not
// resumed by run.
func parseRunCmd(args []string) (*runFlags, []string, error) {
	f, err := parseRunFlags(args)
	if err != nil {
		return nil, nil, err
	}
	if !f.resume {
		return f, args, nil
	}
	if res, err := rawbench.ReadDir(*f.out); err == nil && res.ConfigValue("profile") == AdviseProfile {
		return nil, nil, usagef("run --resume: %s is an advise run: continue it with mpbench advise --resume --out %s", *f.out, *f.out)
	}
	if !onlyOutAndResume(f.fs) {
		return f, args, nil
	}
	recorded, err := recordedArgs(*f.out)
	if err != nil {
		return nil, nil, err
	}
	if f, err = parseRunFlags(append(recorded, "--resume")); err != nil {
		return nil, nil, err
	}
	return f, recorded, nil
}

// applyDefaults gives every replication flag not set on the command line
// the profile's value (harness.ProfileDefaults). --runs alone says how
// many runs every cell gets: no decision runs, and no adaptive rounds
// where the profile has none.
func (f *runFlags) applyDefaults() {
	def := harness.ProfileDefaults(f.sel.profile)
	for _, d := range []struct {
		flag string
		dst  *int
		val  int
	}{{"count", f.count, def.Count}, {"runs", f.runs, def.Runs}, {"max-runs", f.maxRuns, def.MaxRuns}, {"decision-runs", f.decisionRuns, def.DecisionRuns}} {
		if !isSet(f.fs, d.flag) {
			*d.dst = d.val
		}
	}
	if !isSet(f.fs, "decision-runs") && isSet(f.fs, "runs") {
		*f.decisionRuns = 0
	}
	if !isSet(f.fs, "max-runs") && isSet(f.fs, "runs") && (*f.maxRuns < *f.runs || def.Runs == def.MaxRuns) {
		*f.maxRuns = *f.runs
	}
	if !isSet(f.fs, "benchtime") {
		*f.benchtime = def.Benchtime
	}
	if !isSet(f.fs, "time-budget") {
		*f.budget = def.Budget
	}
}

// check refuses replication settings out of range.
func (f *runFlags) check() error {
	switch {
	case *f.count < 1:
		return usagef("run: --count must be ≥ 1, got %d", *f.count)
	case *f.runs < 1:
		return usagef("run: --runs must be ≥ 1, got %d", *f.runs)
	case *f.decisionRuns < 0:
		return usagef("run: --decision-runs must be ≥ 0, got %d", *f.decisionRuns)
	case *f.maxRuns < *f.runs:
		return usagef("run: --max-runs (%d) must be ≥ --runs (%d)", *f.maxRuns, *f.runs)
	case *f.ciTarget <= 0:
		return usagef("run: --ci-target must be > 0")
	case *f.warm < 0:
		return usagef("run: --warmup must be ≥ 0")
	case *f.benchtime <= 0:
		return usagef("run: --benchtime must be > 0")
	case *f.timeout < 0:
		return usagef("run: --timeout must be > 0")
	case *f.budget < 0:
		return usagef("run: --time-budget must be ≥ 0")
	}
	return nil
}

// runDone reports what a finished or interrupted run did: one line on
// stderr, or an exitError with the signal's status and how to resume.
func runDone(sum harness.Summary, out string, caught func() os.Signal) error {
	line := fmt.Sprintf("%d program runs: %d measured, %d skipped, %d failed; %d cells with a CI wider than the target (%d stopped by the run cap, %d by the time budget); in %v → %s",
		sum.Runs, sum.Measured, sum.Skipped, sum.Failed, sum.Unstable, sum.Unstable-sum.Budget, sum.Budget, sum.Elapsed.Round(time.Second),
		filepath.Join(out, harness.RawFile))
	if sum.Interrupted {
		sig := caught()
		return exitError{signalStatus(sig), "interrupted (" + sig.String() + "): " + line +
			"; resume with: mpbench run --resume --out " + out}
	}
	fmt.Fprintln(os.Stderr, "mpbench: "+line)
	if sum.FirstFailure != "" {
		fmt.Fprintln(os.Stderr, "mpbench: first failure: "+sum.FirstFailure)
	}
	return nil
}

// ownSettings refuses --count and --benchtime for cells that carry their
// own (the dimension profile): the flag would change nothing for them.
func ownSettings(fs *flag.FlagSet, cells []bench.Cell) error {
	for _, name := range []string{"count", "benchtime"} {
		if !isSet(fs, name) {
			continue
		}
		for _, c := range cells {
			if c.HasSettings() {
				return usagef("run: --%s: the cells of this selection carry their own count and benchtime (e.g. %s)", name, c.Name())
			}
		}
	}
	return nil
}

// outError maps an error about the run folder to the flags that caused it.
func outError(dir string, err error) error {
	switch {
	case errors.Is(err, rawbench.ErrNotEmpty):
		return usagef("run: --out %s exists and is not empty (use --resume to continue it, or choose another folder)", dir)
	case errors.Is(err, rawbench.ErrNoResults):
		return usagef("--resume: no run to resume in %s", dir)
	case errors.Is(err, harness.ErrSettingsDiffer):
		return usagef("--resume: %v", err)
	}
	return usagef("run: --out %s: %v", dir, err)
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// onlyOutAndResume reports whether --out and --resume are the only flags.
func onlyOutAndResume(fs *flag.FlagSet) bool {
	n := 0
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "out" && f.Name != "resume" {
			n++
		}
	})
	return n == 0
}

// recordable drops --resume from the recorded command line.
func recordable(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--resume" && a != "-resume" {
			out = append(out, a)
		}
	}
	return out
}

// recordedArgs reads the command line a run was started with.
func recordedArgs(dir string) ([]string, error) {
	res, err := rawbench.ReadDir(dir)
	if err != nil {
		return nil, outError(dir, err)
	}
	var args []string
	if err := json.Unmarshal([]byte(res.ConfigValue("mpbench-args")), &args); err != nil || len(args) == 0 {
		return nil, usagef("--resume: %s does not record its command line; repeat the original flags", dir)
	}
	return args, nil
}

// interruptible returns a context cancelled by SIGINT or SIGTERM and a
// function telling which signal arrived.
func interruptible() (context.Context, func(), func() os.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	var got os.Signal = syscall.SIGINT
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			got = s
			cancel()
		case <-done:
		}
	}()
	stop := func() { signal.Stop(ch); close(done); cancel() }
	return ctx, stop, func() os.Signal { return got }
}

// signalStatus is the exit status of a command stopped by sig: 143 for
// SIGTERM, 130 for SIGINT (128 + the signal number, as shells report it).
func signalStatus(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return 143
	}
	return 130
}

// decisionSet names the selected cells whose values the decision guide's
// answers read (bench.AnswerCells for cpython at the largest core count
// selected, with the whole parent-memory sweep of bench.DenseRSS): they
// get the decision runs; the cells the guide reads only for its coverage
// counts get the base runs. nil when runs is 0.
func decisionSet(cells []bench.Cell, runs int) map[string]bool {
	nproc := 0
	for _, c := range cells {
		nproc = max(nproc, c.Cores)
	}
	if runs <= 0 || nproc == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, c := range bench.AnswerCells("cpython", nproc, bench.DenseRSS) {
		want[c.Benchmark()] = true
	}
	set := map[string]bool{}
	for _, c := range cells {
		if want[c.Benchmark()] {
			set[c.Benchmark()] = true
		}
	}
	return set
}
