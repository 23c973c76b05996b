package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
)

// RawFile is the name of the results file inside a run folder.
const RawFile = rawbench.RawFile

// Config describes an invocation of Run: the cells, their
// implementations, the replication settings and the run folder.
type Config struct {
	Cells     []bench.Cell
	Impls     map[string]impl.Impl // by impl name
	Profile   string
	Count     int           // samples per program run (impl.Options.Count)
	Runs      int           // program runs per cell before adaptive stopping (min runs)
	MaxRuns   int           // cap of program runs per cell (≤ Runs: no adaptive rounds)
	CITarget  float64       // adaptive stopping: CI half-width / median to reach (0: DefaultCITarget)
	Budget    time.Duration // no adaptive round starts that would end after Budget (0: none); counts this invocation
	Warmup    int           // warm-up iterations per program run
	Benchtime time.Duration // target duration of one sample
	Timeout   time.Duration // per program run; 0: DefaultTimeout per workload
	Out       string        // run folder
	Resume    bool
	Args      []string  // the command line, recorded for resuming
	Progress  io.Writer // progress and warnings (stderr); never stdout
	Seed      uint64    // shuffle seed (0: from the clock, recorded)

	// Decision names the cells (by benchmark name) whose values the
	// decision guide's answers read (bench.AnswerCells): they get DecisionRuns
	// base runs instead of Runs (when larger), in rounds that the time
	// budget does not end; only adaptive runs are subject to the budget.
	Decision     map[string]bool
	DecisionRuns int

	// Extra configuration lines of a new run (host label, shard, job ids).
	Extra []ConfigLine
}

// Defaults of a profile.
type Defaults struct {
	Count, Runs, MaxRuns int
	DecisionRuns         int // base runs of the decision cells (0: none)
	Benchtime            time.Duration
	Budget               time.Duration
}

// DimensionRuns is the number of program runs of every cell of the
// dimension profile: enough for the order-statistic CI of the median
// ([x(3), x(10)] at 12 runs) and for the spread of the run medians.
const DimensionRuns = 12

// DefaultCITarget is the adaptive stopping target: CI half-width ≤ 5% of
// the median.
const DefaultCITarget = 0.05

// ProfileDefaults are the replication settings of a profile. The full
// profile spends its time on program runs rather than samples (the
// samples of one run share its process and agree more with each other
// than runs do): 6 runs (the fewest that give a 95% CI of the median) of
// 2 samples of 25 ms, 12 runs for the decision cells (CI [x(3), x(10)],
// robust to two outlying runs), up to 12 runs for the cells whose CI is
// still wider than 5% of the median, within a 40-minute budget that the
// base runs leave room in.
//
// What these settings buy, measured: docs/dimensioning.md, written by
// `mpbench dimension` from a run of the dimension profile, gives per
// workload the within-run and between-run variation at each setting and
// the cheapest runs × count × benchtime that reaches a ±5% and a ±10%
// CI; the README's generated dimensioning block names its choice beside
// these defaults. More samples per run (count=5) buy more precision per
// minute there, but at count=5 the base runs of the full profile alone
// would not fit its time limit, so the count is 2.
//
// The dimension profile runs DimensionRuns rounds without adaptive
// stopping or budget; its cells carry their own count and benchtime
// (bench.Cell.Settings), so Count and Benchtime here are unused by them.
func ProfileDefaults(profile string) Defaults {
	switch profile {
	case bench.Quick:
		return Defaults{Count: 2, Runs: 2, MaxRuns: 2, Benchtime: 50 * time.Millisecond}
	case bench.Dimension:
		return Defaults{Count: 2, Runs: DimensionRuns, MaxRuns: DimensionRuns, Benchtime: 25 * time.Millisecond}
	case bench.Users:
		// The full profile's samples, 6 runs (a 95% CI) and no adaptive
		// runs: the users profile is sized to its base runs.
		return Defaults{Count: 2, Runs: 6, MaxRuns: 6, Benchtime: 25 * time.Millisecond}
	}
	return Defaults{Count: 2, Runs: 6, MaxRuns: 12, DecisionRuns: 12, Benchtime: 25 * time.Millisecond, Budget: 45 * time.Minute}
}

// DefaultsText names the replication settings of the full and quick
// profiles in words, as the dimensioning document and README block cite
// them beside the measured choice.
func DefaultsText() string {
	f, q := ProfileDefaults(bench.Full), ProfileDefaults(bench.Quick)
	return fmt.Sprintf("full %d runs, %d for the decision cells (up to %d where the CI is wider than ±%s%%, within %v) of count=%d benchtime=%v; quick %d runs of count=%d benchtime=%v",
		f.Runs, f.DecisionRuns, f.MaxRuns, strconv.FormatFloat(DefaultCITarget*100, 'g', -1, 64), f.Budget, f.Count, f.Benchtime, q.Runs, q.Count, q.Benchtime)
}

// InputError is an error caused by the run's settings (an existing or
// unwritable folder, an impossible selection): nothing was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrNotEmpty: a new run's folder exists and is not empty.
var ErrNotEmpty = rawbench.ErrNotEmpty

// ErrSettingsDiffer: a resumed run was started with other settings.
var ErrSettingsDiffer = errors.New("settings differ from the recorded run")

// DefaultTimeout is the per-run timeout of a workload's measured program.
var DefaultTimeout = map[string]time.Duration{
	"startup":  120 * time.Second,
	"pingpong": 90 * time.Second,
	"stream":   120 * time.Second,
	"pool":     120 * time.Second,
	"gather":   120 * time.Second,
	"memory":   120 * time.Second,
}

// Summary tells what an invocation of Run did.
type Summary struct {
	Cells                 int // cells selected
	Runs                  int // program runs started (planned ones, counted as they come)
	Measured, Skipped     int // program runs that recorded samples / skips
	Failed                int
	Unstable              int // cells flagged with their CI above the target (at the run cap or the time budget)
	Budget                int // of those, the cells stopped by the time budget
	Interrupted           bool
	Elapsed               time.Duration
	Out                   string
	FirstFailure          string
	AlreadyRecordedCells  int
	EstimatedBeforeLaunch time.Duration // the min-runs rounds plus the expected adaptive share
}

// Run is one invocation: it measures, round by round, the program runs
// the cells of cfg still need in the run folder cfg.Out (a new one, or
// with cfg.Resume the one an earlier invocation left). It returns with
// Summary.Interrupted when ctx is cancelled (SIGINT/SIGTERM): what was
// measured is on disk, the running program is killed and discarded.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	start := time.Now()
	sum := Summary{Cells: len(cfg.Cells), Out: cfg.Out}
	cfg = cfg.withDefaults()
	allowed, err := checkConfig(cfg)
	if err != nil {
		return sum, err
	}
	if n := RemoveStaleSegments(); n > 0 {
		fmt.Fprintf(cfg.Progress, "mpbench: removed %d shared-memory segments left by an earlier killed run\n", n)
	}
	unavailable := unavailableImpls(cfg.Impls)
	env := sampleEnv()
	res, err := openResults(&cfg, allowed, unavailable, env)
	if err != nil {
		return sum, &InputError{err}
	}
	defer res.Close()
	spins, err := planSpins(ctx, cfg, res, allowed[:1], unavailable)
	if ctx.Err() != nil {
		sum.Interrupted = true
		return sum, nil
	}
	if err != nil {
		return sum, err
	}
	if err := spins.recordFailures(cfg, res, &sum); err != nil {
		return sum, err
	}
	if err := recordUnavailable(cfg.Cells, res, unavailable, &sum); err != nil {
		return sum, err
	}
	sum.AlreadyRecordedCells = recordedCells(cfg.Cells, res.File)

	p := &planner{cfg: cfg, st: res.File}
	minLeft := p.minRunsLeft()
	sum.EstimatedBeforeLaunch = estimatePlan(minLeft, cfg) + adaptiveAllowance(p, cfg)
	inv := &invocation{
		ctx: ctx, cfg: cfg, res: res, plan: p, spin: spins.spin, allowed: allowed,
		sum: &sum, start: start, pid: osGetpid(),
		prog: newProgress(cfg.Progress, len(minLeft), sum),
	}
	if err := inv.rounds(); err != nil {
		return sum, err
	}
	if err := inv.finish(env); err != nil {
		return sum, err
	}
	return sum, nil
}

// withDefaults fills in the settings left at zero: Progress discards,
// Count and Runs are at least 1, MaxRuns at least Runs, CITarget
// DefaultCITarget.
func (cfg Config) withDefaults() Config {
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.Count < 1 {
		cfg.Count = 1
	}
	if cfg.Runs < 1 {
		cfg.Runs = 1
	}
	if cfg.MaxRuns < cfg.Runs {
		cfg.MaxRuns = cfg.Runs
	}
	if cfg.CITarget <= 0 {
		cfg.CITarget = DefaultCITarget
	}
	return cfg
}

// checkConfig returns the CPUs this process may use after checking that
// every cell fits in them and has a registered implementation.
func checkConfig(cfg Config) ([]int, error) {
	allowed, err := AllowedCPUs()
	if err != nil {
		return nil, err
	}
	for _, c := range cfg.Cells {
		if c.Cores > len(allowed) {
			return nil, &InputError{fmt.Errorf("%d cores exceed the %d CPUs this process may use", c.Cores, len(allowed))}
		}
		if cfg.Impls[c.Impl] == nil {
			return nil, fmt.Errorf("no implementation registered for impl=%s", c.Impl)
		}
	}
	return allowed, nil
}

// unavailableImpls maps each implementation that cannot run here to the
// reason (impl.Impl.Available).
func unavailableImpls(impls map[string]impl.Impl) map[string]string {
	out := map[string]string{}
	for name, im := range impls {
		if err := im.Available(); err != nil {
			out[name] = err.Error()
		}
	}
	return out
}

// openResults creates the run folder's raw.bench (a new run: the seed is
// drawn from the clock when cfg.Seed is 0) or reopens it for appending
// (Resume: the settings must match, the seed is the recorded one). It
// sets cfg.Seed to the seed the rounds are shuffled with.
func openResults(cfg *Config, allowed []int, unavailable map[string]string, env envSample) (*rawbench.Writer, error) {
	if !cfg.Resume {
		if cfg.Seed == 0 {
			cfg.Seed = uint64(time.Now().UnixNano())
		}
		return rawbench.Create(cfg.Out, headerConfig(*cfg, allowed, unavailable, env), bench.UnitLines())
	}
	res, err := rawbench.Resume(filepath.Join(cfg.Out, RawFile))
	if err != nil {
		return nil, err
	}
	if err := checkResumable(res.File, *cfg); err != nil {
		res.Close()
		return nil, err
	}
	cfg.Seed, _ = strconv.ParseUint(res.File.ConfigValue("shuffle-seed"), 10, 64)
	return res, nil
}

// recordUnavailable records every cell of an unavailable implementation
// as skipped with the reason (once: a cell skipped already is left alone)
// and counts them in sum.
func recordUnavailable(cells []bench.Cell, res *rawbench.Writer, unavailable map[string]string, sum *Summary) error {
	for _, c := range cells {
		name := c.Benchmark()
		if cell := res.File.Cell(name); cell != nil && cell.Skipped() {
			continue
		}
		if reason, ok := unavailable[c.Impl]; ok {
			if err := res.RecordSkip(name, reason); err != nil {
				return err
			}
			sum.Skipped++
		}
	}
	return nil
}

// recordedCells counts the cells that already have a program run or a
// failure in the file.
func recordedCells(cells []bench.Cell, st *rawbench.File) int {
	n := 0
	for _, c := range cells {
		if cell := st.Cell(c.Benchmark()); cell != nil && (len(cell.Runs) > 0 || cell.Failed()) {
			n++
		}
	}
	return n
}

// invocation is one call of Run while it goes through the rounds: what it
// measures with, and what it has done so far.
type invocation struct {
	ctx     context.Context
	cfg     Config
	res     *rawbench.Writer
	plan    *planner
	prog    *progress
	spin    map[string]int64 // loop count of the cpu task per impl (spinPlan.spin)
	allowed []int
	sum     *Summary
	start   time.Time

	pid, seq   int  // the shared-memory prefix of the next program run (shmPrefix)
	budgetStop bool // the time budget has ended the adaptive rounds
	reopened   bool // the end block of an earlier invocation is deleted (or there was none)
}

// rounds measures every round of the plan in turn, until the plan is done
// or ctx is cancelled.
func (in *invocation) rounds() error {
	for r := 0; r < in.plan.lastRound(); r++ {
		for _, c := range in.roundCells(r) {
			if in.ctx.Err() != nil {
				return nil
			}
			if err := in.measure(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// roundCells are the cells round r measures: its base runs, and its
// adaptive runs unless they would end after the time budget — counting
// every base run still to come, this round's and the later rounds' (the
// decision cells' runs beyond Runs), since the budget never ends those.
// From then on, no adaptive run starts.
func (in *invocation) roundCells(r int) []bench.Cell {
	round, base := in.plan.round(r, true), in.plan.round(r, false)
	if adaptive := len(round) - len(base); adaptive > 0 {
		extra := estimatePlan(round, in.cfg) - estimatePlan(base, in.cfg)
		if in.budgetStop || in.cfg.Budget > 0 && time.Since(in.start)+estimatePlan(in.plan.minRunsLeft(), in.cfg)+extra > in.cfg.Budget {
			in.budgetStop = true
			round = base
		} else {
			in.prog.grow(adaptive, r+1)
		}
	}
	return round
}

// measure runs one program run of cell c, unless the cell has failed or
// been skipped meanwhile, and records and counts its outcome.
func (in *invocation) measure(c bench.Cell) error {
	name := c.Benchmark()
	if cell := in.res.File.Cell(name); cell != nil && (cell.Failed() || cell.Skipped()) {
		in.prog.step(name, "not run: "+cell.Status()+" earlier")
		return nil
	}
	if !in.reopened && in.res.File.ConfigValue("run-end") != "" {
		// The end block of an earlier invocation: delete its keys
		// (benchfmt "key:") so that benchstat keeps the runs that
		// follow in the same configuration as those before.
		if err := in.res.Config(endKeys()...); err != nil {
			return err
		}
	}
	in.reopened = true
	in.prog.begin(name)
	prefix := shmPrefix(in.pid, in.seq)
	in.seq++
	in.sum.Runs++
	status, err := recordProgramRun(in.ctx, in.cfg, in.res, c, in.allowed, prefix, in.spin[c.Impl])
	RemoveSegments(prefix)
	if err != nil {
		return err
	}
	in.sum.count(name, status)
	in.prog.step(name, status.String())
	return nil
}

// count adds the outcome of one program run of cell name.
func (sum *Summary) count(name string, status programStatus) {
	switch status.kind {
	case "interrupted":
	case "ok":
		sum.Measured++
	case "skip":
		sum.Skipped++
	case "fail":
		sum.Failed++
		if sum.FirstFailure == "" {
			sum.FirstFailure = name + ": " + status.reason
		}
	}
}

// finish ends the invocation: the progress display, the NOTEs of the
// cells whose CI is still above the target (unless interrupted), and the
// end block of the invocation.
func (in *invocation) finish(env envSample) error {
	in.prog.finish()
	in.sum.Interrupted = in.ctx.Err() != nil
	if !in.sum.Interrupted {
		var err error
		if in.sum.Unstable, in.sum.Budget, err = in.plan.flagUnstable(in.res, in.budgetStop); err != nil {
			return err
		}
	}
	if in.sum.Runs > 0 || in.sum.Unstable > 0 {
		// Only an invocation that measured something closes a block
		// (resuming a finished run changes nothing); an interrupted one
		// does too, for the load and steal over the time it ran.
		if err := recordEnd(in.res, env); err != nil {
			return err
		}
	}
	in.sum.Elapsed = time.Since(in.start)
	return nil
}

// planner decides which cells each round measures, from the recorded
// state (st) and the seed only.
type planner struct {
	cfg Config
	st  *rawbench.File
}

func (p *planner) runs(c bench.Cell) int {
	if cell := p.st.Cell(c.Benchmark()); cell != nil {
		return len(cell.Runs)
	}
	return 0
}

func (p *planner) done(c bench.Cell) bool {
	cell := p.st.Cell(c.Benchmark())
	return cell != nil && (cell.Failed() || cell.Skipped())
}

// stopped reports whether an earlier invocation flagged the cell with its
// CI above the target (the cap or the budget ended its rounds): it gets no
// further runs.
func (p *planner) stopped(c bench.Cell) bool {
	cell := p.st.Cell(c.Benchmark())
	return cell != nil && cell.Stop() != rawbench.StopNone
}

// unsettled reports whether a cell's CI half-width (per-run medians of
// ns/op) is above the target.
func (p *planner) unsettled(c bench.Cell) bool {
	cell := p.st.Cell(c.Benchmark())
	return cell != nil && cell.Summary("ns/op").HalfWidth() > p.cfg.CITarget
}

// order is the shuffled order of round r.
func (p *planner) order(r int) []bench.Cell {
	order := append([]bench.Cell(nil), p.cfg.Cells...)
	rng := rand.New(rand.NewPCG(p.cfg.Seed, uint64(r)))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	return order
}

// base is the number of base runs of a cell: DecisionRuns for a decision
// cell (when above Runs), Runs otherwise.
func (p *planner) base(c bench.Cell) int {
	if p.cfg.Decision[c.Benchmark()] {
		return max(p.cfg.Runs, p.cfg.DecisionRuns)
	}
	return p.cfg.Runs
}

// lastRound is one past the last round any cell can take part in.
func (p *planner) lastRound() int {
	n := p.cfg.MaxRuns
	if len(p.cfg.Decision) > 0 {
		n = max(n, p.cfg.DecisionRuns)
	}
	return n
}

// round lists the cells that still need their (r+1)-th run in round r
// (0-based), in the round's shuffled order. Base runs: every cell with
// fewer than r+1 runs while r is below its base. Adaptive runs (only when
// adaptive is true): every cell that took part in every earlier round (it
// has exactly r runs), is past its base, below the cap and still
// unsettled. A cell stops once it is settled, so a resumed round plans
// exactly the runs it had left.
func (p *planner) round(r int, adaptive bool) []bench.Cell {
	var out []bench.Cell
	for _, c := range p.order(r) {
		if p.done(c) || p.stopped(c) {
			continue
		}
		n, b := p.runs(c), p.base(c)
		switch {
		case r < b && n < r+1:
			out = append(out, c)
		case adaptive && r >= b && r < p.cfg.MaxRuns && n == r && p.unsettled(c):
			out = append(out, c)
		}
	}
	return out
}

// minRunsLeft is every program run the min-runs rounds still need.
func (p *planner) minRunsLeft() []bench.Cell {
	var out []bench.Cell
	for _, c := range p.cfg.Cells {
		if p.done(c) {
			continue
		}
		for n := p.runs(c); n < p.base(c); n++ {
			out = append(out, c)
		}
	}
	return out
}

// flagUnstable writes a NOTE for every measured cell whose CI is still
// wider than the target after its last run, once, saying what stopped it:
// the run cap (it has MaxRuns runs) or the time budget (budget: the budget
// ended the adaptive rounds before its cap). It returns the cells flagged
// and, of those, the ones stopped by the budget.
func (p *planner) flagUnstable(res *rawbench.Writer, budget bool) (flagged, byBudget int, err error) {
	if p.cfg.MaxRuns <= p.cfg.Runs {
		return 0, 0, nil // no adaptive stopping asked for
	}
	for _, c := range p.cfg.Cells {
		cell := p.st.Cell(c.Benchmark())
		if cell == nil || p.done(c) || p.stopped(c) || len(cell.Runs) < p.base(c) {
			continue
		}
		s := cell.Summary("ns/op")
		if s.HalfWidth() <= p.cfg.CITarget {
			continue
		}
		stop := rawbench.StopRunCap
		if len(cell.Runs) < max(p.cfg.MaxRuns, p.base(c)) {
			if !budget {
				continue // not stopped: an interrupted round left it short (resume goes on)
			}
			stop = rawbench.StopBudget
		}
		ci := "no CI"
		if s.CIValid {
			ci = fmt.Sprintf("±%.1f%%", s.HalfWidth()*100)
		}
		if err := res.RecordNote(c.Benchmark(), rawbench.StopNote(stop, ci, len(cell.Runs))); err != nil {
			return flagged, byBudget, err
		}
		flagged++
		if stop == rawbench.StopBudget {
			byBudget++
		}
	}
	return flagged, byBudget, nil
}

type programStatus struct{ kind, reason string }

func (s programStatus) String() string {
	if s.reason == "" {
		return s.kind
	}
	return s.kind + ": " + s.reason
}

// recordProgramRun runs one program run of a cell and records its outcome.
// spin is the loop count of the implementation's cpu task (0: none).
func recordProgramRun(ctx context.Context, cfg Config, res *rawbench.Writer, c bench.Cell, allowed []int, prefix string, spin int64) (programStatus, error) {
	name := c.Benchmark()
	opts := impl.Options{Count: cfg.Count, Warmup: cfg.Warmup, Benchtime: cfg.Benchtime, ShmPrefix: prefix, CPUTaskSpin: spin}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout[c.Workload]
	}
	r := RunProgram(ctx, cfg.Impls[c.Impl], c, opts, allowed[:c.Cores], timeout)
	switch r.Kind {
	case Interrupted:
		return programStatus{kind: "interrupted"}, nil
	case Failed:
		return programStatus{"fail", r.Reason}, res.RecordFail(name, r.Reason)
	case Skipped:
		return programStatus{"skip", r.Reason}, res.RecordSkip(name, r.Reason)
	}
	_, err := res.RecordRunWall(name, r.Lines, r.Wall)
	return programStatus{kind: "ok"}, err
}

// headerConfig is the configuration block of a new raw.bench.
func headerConfig(cfg Config, allowed []int, unavailable map[string]string, env envSample) []ConfigLine {
	lines := Environment()
	lines = append(lines, env.startLines()...)
	args, _ := json.Marshal(cfg.Args)
	lines = append(lines,
		kv("profile", cfg.Profile),
		kv("start", time.Now().UTC().Format(time.RFC3339)),
		kv("count", strconv.Itoa(cfg.Count)), // samples per program run
		kv("runs", strconv.Itoa(cfg.Runs)),
		kv("max-runs", strconv.Itoa(cfg.MaxRuns)),
		kv("ci-target", strconv.FormatFloat(cfg.CITarget, 'g', -1, 64)),
		kv("warmup", strconv.Itoa(cfg.Warmup)),
		kv("benchtime", cfg.Benchtime.String()),
		kv("shuffle-seed", strconv.FormatUint(cfg.Seed, 10)),
		kv("mpbench-args", string(args)),
	)
	if cfg.Budget > 0 {
		lines = append(lines, kv("time-budget", cfg.Budget.String()))
	}
	if len(cfg.Decision) > 0 {
		lines = append(lines, kv("decision-runs", strconv.Itoa(cfg.DecisionRuns)), kv("decision-cells", strconv.Itoa(len(cfg.Decision))))
	}
	lines = append(lines, cfg.Extra...)
	for _, n := range bench.CoreCounts(len(allowed)) {
		lines = append(lines, kv("cpus-cores-"+strconv.Itoa(n), formatCPUs(allowed[:n])))
	}
	facts := map[string]string{}
	for name, im := range cfg.Impls {
		if reason, ok := unavailable[name]; ok {
			facts[name+"-unavailable"] = reason
			continue
		}
		for k, v := range im.Config() {
			facts[k] = v
		}
	}
	return append(lines, sortedConfig(facts)...)
}

// checkResumable refuses to resume with settings that would mix samples
// of different methods into one cell, or change the plan.
func checkResumable(st *rawbench.File, cfg Config) error {
	for _, kv := range []ConfigLine{
		kv("count", strconv.Itoa(cfg.Count)),
		kv("benchtime", cfg.Benchtime.String()),
		kv("warmup", strconv.Itoa(cfg.Warmup)),
		kv("runs", strconv.Itoa(cfg.Runs)),
		kv("max-runs", strconv.Itoa(cfg.MaxRuns)),
		kv("ci-target", strconv.FormatFloat(cfg.CITarget, 'g', -1, 64)),
	} {
		got := st.ConfigValue(kv.Key)
		if got == "" && (kv.Key == "runs" || kv.Key == "max-runs" || kv.Key == "ci-target") {
			return fmt.Errorf("%s: %w: it was recorded before program runs were counted; start a new run", cfg.Out, ErrSettingsDiffer)
		}
		if got != "" && got != kv.Value {
			return fmt.Errorf("%s: %w: %s was %s, not %s", cfg.Out, ErrSettingsDiffer, kv.Key, got, kv.Value)
		}
	}
	return nil
}
