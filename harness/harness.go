// Package harness runs cells of the workload matrix and records their
// samples. It never measures anything itself: each cell is one run of a
// measured program (see package impl) in its own process group, pinned to
// the cell's CPU set, with a parent-death signal and a timeout; the
// harness only waits for it, validates what it printed and appends it to
// OUT/raw.bench (Go benchmark format), synced to disk as each cell ends.
//
// Contracts:
//   - raw.bench is append-only. A crash loses at most the running cell;
//     Resume continues a run without re-measuring finished cells and
//     without rewriting or reordering a recorded byte.
//   - A cell that cannot run is recorded as skipped with its reason, a
//     cell that fails or times out as failed with a one-line reason; the
//     run goes on.
//   - Repetitions are interleaved: the run is split into rounds, each
//     round measures every cell once (a share of its samples) in a
//     shuffled order, so slow drift of the machine does not bias one
//     method or channel (as golang.org/x/benchmarks/sweet does).
//   - Nothing of a cell outlives it: its process group is killed and its
//     shared-memory segments (named with the run's prefix) are removed.
package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// Config describes one run.
type Config struct {
	Cells     []bench.Cell
	Impls     map[string]impl.Impl // by impl name
	Profile   string
	Count     int           // samples per cell
	Rounds    int           // interleaved rounds (0: automatic)
	Warmup    int           // warm-up iterations per program run
	Benchtime time.Duration // target duration of one sample
	Timeout   time.Duration // per program run; 0: DefaultTimeout per workload
	Out       string        // run folder
	Resume    bool
	Args      []string  // the command line, recorded for resuming
	Progress  io.Writer // progress and warnings (stderr); never stdout
	Seed      uint64    // shuffle seed (0: from the clock, recorded)

	// Extra configuration lines of a new run (host label, shard, job ids).
	Extra []ConfigLine
}

// InputError is an error caused by the run's settings (an existing or
// unwritable folder, an impossible selection): nothing was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// DefaultTimeout is the per-run timeout of a workload's measured program.
var DefaultTimeout = map[string]time.Duration{
	"startup":  120 * time.Second,
	"pingpong": 90 * time.Second,
	"stream":   120 * time.Second,
	"pool":     120 * time.Second,
}

// Summary tells what a run did.
type Summary struct {
	Cells, Runs           int // cells selected, program runs planned
	Measured, Skipped     int // program runs that recorded samples / skips
	Failed                int
	Interrupted           bool
	Elapsed               time.Duration
	Out                   string
	FirstFailure          string
	AlreadyRecordedCells  int
	EstimatedBeforeLaunch time.Duration
}

// Rounds is the number of interleaved rounds for a sample count: one
// round below 6 samples, else two (each program run pays an interpreter
// start, so more rounds cost time).
func Rounds(count int) int {
	if count < 6 {
		return 1
	}
	return 2
}

// Run executes a run. It returns with Summary.Interrupted when ctx is
// cancelled (SIGINT/SIGTERM): what was measured is on disk, the running
// cell is killed and discarded.
func Run(ctx context.Context, cfg Config) (Summary, error) {
	start := time.Now()
	sum := Summary{Cells: len(cfg.Cells), Out: cfg.Out}
	if cfg.Rounds <= 0 {
		cfg.Rounds = Rounds(cfg.Count)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	allowed, err := AllowedCPUs()
	if err != nil {
		return sum, err
	}
	for _, c := range cfg.Cells {
		if c.Cores > len(allowed) {
			return sum, &InputError{fmt.Errorf("--cores: %d exceeds the %d CPUs this process may use", c.Cores, len(allowed))}
		}
		if cfg.Impls[c.Impl] == nil {
			return sum, fmt.Errorf("no implementation registered for impl=%s", c.Impl)
		}
	}
	if n := RemoveStaleSegments(); n > 0 {
		fmt.Fprintf(cfg.Progress, "mpbench: removed %d shared-memory segments left by an earlier killed run\n", n)
	}

	unavailable := map[string]string{}
	for name, im := range cfg.Impls {
		if err := im.Available(); err != nil {
			unavailable[name] = err.Error()
		}
	}

	var res *Results
	if cfg.Resume {
		res, err = OpenResults(cfg.Out)
		if err == nil {
			err = checkResumable(res, cfg)
		}
	} else {
		if cfg.Seed == 0 {
			cfg.Seed = uint64(time.Now().UnixNano())
		}
		res, err = CreateResults(cfg.Out, runConfig(cfg, allowed, unavailable))
	}
	if err != nil {
		return sum, &InputError{err}
	}
	defer res.Close()
	if cfg.Resume {
		cfg.Seed, _ = strconv.ParseUint(res.Config["shuffle-seed"], 10, 64)
	}

	for _, c := range cfg.Cells {
		name := c.Benchmark()
		if _, done := res.Skipped[name]; done {
			continue
		}
		if reason, ok := unavailable[c.Impl]; ok {
			if err := res.RecordSkip(name, reason); err != nil {
				return sum, err
			}
			sum.Skipped++
		}
	}

	plan := planRuns(cfg, res)
	sum.Runs = len(plan)
	for _, c := range cfg.Cells {
		if res.Samples[c.Benchmark()] > 0 || res.Failed[c.Benchmark()] != "" {
			sum.AlreadyRecordedCells++
		}
	}
	sum.EstimatedBeforeLaunch = estimate(plan, cfg)
	prog := newProgress(cfg.Progress, len(plan), sum)

	pid := osGetpid()
	for i, run := range plan {
		if ctx.Err() != nil {
			break
		}
		name := run.cell.Benchmark()
		if _, failed := res.Failed[name]; failed {
			prog.step(name, "failed in an earlier round, not retried")
			continue
		}
		if _, skipped := res.Skipped[name]; skipped {
			prog.step(name, "skipped")
			continue
		}
		prog.begin(i, name)
		prefix := shmPrefix(pid, i)
		status, err := runCell(ctx, cfg, res, run, allowed, prefix)
		RemoveSegments(prefix)
		if err != nil {
			return sum, err
		}
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
		prog.step(name, status.String())
	}
	prog.finish()
	sum.Interrupted = ctx.Err() != nil
	sum.Elapsed = time.Since(start)
	return sum, nil
}

type cellRun struct {
	cell  bench.Cell
	count int
}

// planRuns lists the program runs still needed: per round, every cell
// that has fewer than its round's share of samples, in shuffled order.
// It depends only on the recorded state and the seed, so a resumed run
// measures exactly what is missing.
func planRuns(cfg Config, res *Results) []cellRun {
	recorded := map[string]int{}
	for k, v := range res.Samples {
		recorded[k] = v
	}
	var plan []cellRun
	for r := 0; r < cfg.Rounds; r++ {
		target := (cfg.Count*(r+1) + cfg.Rounds - 1) / cfg.Rounds
		order := make([]bench.Cell, len(cfg.Cells))
		copy(order, cfg.Cells)
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(r)))
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, c := range order {
			name := c.Benchmark()
			if _, skip := res.Skipped[name]; skip {
				continue
			}
			if _, failed := res.Failed[name]; failed {
				continue
			}
			if need := target - recorded[name]; need > 0 {
				plan = append(plan, cellRun{c, need})
				recorded[name] += need
			}
		}
	}
	return plan
}

type cellStatus struct{ kind, reason string }

func (s cellStatus) String() string {
	if s.reason == "" {
		return s.kind
	}
	return s.kind + ": " + s.reason
}

// runCell runs one measured program and records its outcome.
func runCell(ctx context.Context, cfg Config, res *Results, run cellRun, allowed []int, prefix string) (cellStatus, error) {
	c := run.cell
	name := c.Benchmark()
	opts := impl.Options{Count: run.count, Warmup: cfg.Warmup, Benchtime: cfg.Benchtime, ShmPrefix: prefix}
	cmd, err := cfg.Impls[c.Impl].Command(c, opts)
	if err != nil {
		st := cellStatus{"fail", oneLine(err.Error())}
		return st, res.RecordFail(name, st.reason)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout[c.Workload]
	}
	out := Exec(ctx, cmd, allowed[:c.Cores], timeout)
	if ctx.Err() != nil && errors.Is(out.Err, ctx.Err()) {
		return cellStatus{kind: "interrupted"}, nil
	}
	if out.Err != nil {
		st := cellStatus{"fail", out.Reason()}
		return st, res.RecordFail(name, st.reason)
	}
	parsed, err := ParseOutput(c, out.Stdout, run.count)
	if err != nil {
		st := cellStatus{"fail", oneLine("bad output: " + err.Error())}
		return st, res.RecordFail(name, st.reason)
	}
	if parsed.SkipReason != "" {
		return cellStatus{"skip", parsed.SkipReason}, res.RecordSkip(name, parsed.SkipReason)
	}
	return cellStatus{kind: "ok"}, res.RecordSamples(name, parsed.Lines)
}

// runConfig is the configuration block of a new raw.bench.
func runConfig(cfg Config, allowed []int, unavailable map[string]string) []ConfigLine {
	lines := Environment()
	args, _ := json.Marshal(cfg.Args)
	lines = append(lines,
		ConfigLine{"profile", cfg.Profile},
		ConfigLine{"start", time.Now().UTC().Format(time.RFC3339)},
		ConfigLine{"count", strconv.Itoa(cfg.Count)},
		ConfigLine{"rounds", strconv.Itoa(cfg.Rounds)},
		ConfigLine{"warmup", strconv.Itoa(cfg.Warmup)},
		ConfigLine{"benchtime", cfg.Benchtime.String()},
		ConfigLine{"shuffle-seed", strconv.FormatUint(cfg.Seed, 10)},
		ConfigLine{"mpbench-args", string(args)},
	)
	lines = append(lines, cfg.Extra...)
	for _, n := range bench.CoreCounts(len(allowed)) {
		lines = append(lines, ConfigLine{"cpus-cores-" + strconv.Itoa(n), formatCPUs(allowed[:n])})
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
// of different methods into one cell.
func checkResumable(res *Results, cfg Config) error {
	for key, want := range map[string]string{
		"count":     strconv.Itoa(cfg.Count),
		"benchtime": cfg.Benchtime.String(),
		"warmup":    strconv.Itoa(cfg.Warmup),
		"rounds":    strconv.Itoa(cfg.Rounds),
	} {
		if got, ok := res.Config[key]; ok && got != want {
			return fmt.Errorf("--resume: the run in %s used %s %s, not %s", cfg.Out, key, got, want)
		}
	}
	return nil
}
