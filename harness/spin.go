package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
)

// SpinTimeout bounds one calibration program of the cpu task when
// Config.Timeout is 0.
const SpinTimeout = 60 * time.Second

// SpinKey is the configuration key that records the loop count of the
// cpu task of an implementation: cpu-task-spin-<impl>.
func SpinKey(implName string) string { return "cpu-task-spin-" + implName }

// CalibrateSpin runs the calibration program of im's cpu task
// (impl.Impl.SpinCommand) like a measured program (Exec: own process
// group, pinned to cpus, parent-death signal, timeout) and returns the
// loop count it printed: exactly one line holding a positive integer.
func CalibrateSpin(ctx context.Context, im impl.Impl, cpus []int, timeout time.Duration) (int64, error) {
	cmd, err := im.SpinCommand()
	if err != nil {
		return 0, err
	}
	out := Exec(ctx, cmd, cpus, timeout)
	if out.Err != nil {
		if ctx.Err() != nil && errors.Is(out.Err, ctx.Err()) {
			return 0, ctx.Err()
		}
		return 0, errors.New(out.Reason())
	}
	text := strings.TrimSuffix(string(out.Stdout), "\n")
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad output of the calibration: %q, want one positive integer", rawbench.OneLine(clipText(text, 80)))
	}
	return n, nil
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func cpuTask(c bench.Cell) bool { return c.Workload == bench.Pool && c.Task == "cpu" }

// spinPlan is the loop count of the cpu task of each implementation this
// invocation runs task=cpu pool cells of, and why a calibration failed.
type spinPlan struct {
	spin   map[string]int64  // impl → loop count
	failed map[string]string // impl → reason its calibration failed
}

// planSpins settles the cpu task of every available implementation that
// still has task=cpu pool cells to run: the count recorded in the file
// when there is one; else, as long as the file holds no program run yet
// (a new run, or one interrupted during its calibration), one calibration
// whose count is appended as a configuration line before any result. A
// file with results but no recorded count (written before the count was
// fixed per invocation, or cells of another implementation added on
// resume) is refused: its runs would not all do the same work.
func planSpins(ctx context.Context, cfg Config, res *rawbench.Writer, cpus []int, unavailable map[string]string) (spinPlan, error) {
	plan := spinPlan{spin: map[string]int64{}, failed: map[string]string{}}
	st := res.File
	var names []string
	for _, c := range cfg.Cells {
		if _, na := unavailable[c.Impl]; !cpuTask(c) || na || slices.Contains(names, c.Impl) {
			continue
		}
		if cell := st.Cell(c.Benchmark()); cell != nil && (cell.Failed() || cell.Skipped()) {
			continue
		}
		names = append(names, c.Impl)
	}
	slices.Sort(names)
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = SpinTimeout
	}
	for _, name := range names {
		if v := st.ConfigValue(SpinKey(name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return plan, &InputError{fmt.Errorf("%s: %s: bad recorded value %q", cfg.Out, SpinKey(name), v)}
			}
			plan.spin[name] = n
			continue
		}
		if hasRuns(st) {
			return plan, &InputError{fmt.Errorf("%s: %w: it records no %s for the cpu pool cells of %s (written before the cpu task was fixed per invocation, or cells added on resume); start a new run",
				cfg.Out, ErrSettingsDiffer, SpinKey(name), name)}
		}
		n, err := CalibrateSpin(ctx, cfg.Impls[name], cpus, timeout)
		if ctx.Err() != nil {
			return plan, ctx.Err()
		}
		if err != nil {
			plan.failed[name] = rawbench.OneLine(err.Error())
			fmt.Fprintf(cfg.Progress, "mpbench: calibrating the cpu task of %s failed: %v\n", name, err)
			continue
		}
		if err := res.Config(kv(SpinKey(name), strconv.FormatInt(n, 10))); err != nil {
			return plan, err
		}
		plan.spin[name] = n
		fmt.Fprintf(cfg.Progress, "mpbench: cpu task of %s: %d loop iterations (%s: %d)\n", name, n, SpinKey(name), n)
	}
	return plan, nil
}

// hasRuns reports whether the file holds a program run of any cell.
func hasRuns(st *rawbench.File) bool {
	for _, c := range st.Cells {
		if len(c.Runs) > 0 {
			return true
		}
	}
	return false
}

// recordFailures fails every task=cpu pool cell of an implementation whose
// calibration failed (once; such a cell is not run) and counts them in sum.
func (p spinPlan) recordFailures(cfg Config, res *rawbench.Writer, sum *Summary) error {
	for _, c := range cfg.Cells {
		reason, ok := p.failed[c.Impl]
		if !ok || !cpuTask(c) {
			continue
		}
		if cell := res.File.Cell(c.Benchmark()); cell != nil && (cell.Failed() || cell.Skipped()) {
			continue
		}
		reason = "calibration of the cpu task failed: " + reason
		if err := res.RecordFail(c.Benchmark(), reason); err != nil {
			return err
		}
		sum.Failed++
		if sum.FirstFailure == "" {
			sum.FirstFailure = c.Benchmark() + ": " + reason
		}
	}
	return nil
}
