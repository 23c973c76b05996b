// Package claims measures the claims of the guide mpbench grew out of
// (docs/claims-source.md, C1–C14) and writes a verdict for each.
//
// `mpbench claims --out DIR [--only C3,C7]` calls Run, which writes
//
//   - DIR/claims.bench — every measurement, in the results format of
//     package rawbench (Go benchmark format, benchstat readable), named
//     BenchmarkClaim/id=<ID>/<k>=<v>…, each program run's block preceded
//     by `run: k`;
//   - DIR/CLAIMS.md — Render(claims.bench): per claim the claim, the
//     experiment, the numbers (median of per-run medians and its 95% CI
//     over runs, package stats), a verdict and the command reproducing it.
//
// Data flows one way: Run → measured programs (harness) → claims.bench →
// Render, which reads it through package view (the one read model of the
// results format; numbers formatted through bench.Metrics). Render never
// runs anything; `mpbench report` regenerates CLAIMS.md with WriteMarkdown.
//
// Contracts:
//
//   - The program run is the unit of replication (as in `mpbench run`):
//     every quantitative experiment runs Runs (DefaultRuns) independent programs
//     per configuration; its statistic is computed over per-run medians.
//     Qualitative experiments (an exception raised or not) run once.
//   - Claims that the matrix covers (C1, C2, C5, C6, C14) measure their matrix
//     cells of the default interpreter with harness.Run — the one runner: shuffled interleaved rounds,
//     process group, affinity, death signal, timeout, segment cleanup,
//     output validation — into a scratch raw.bench, and record its runs
//     renamed: Startup/impl=cpython/… becomes
//     Claim/id=C1/workload=startup/impl=cpython/…. A cell is measured once
//     per Run and its runs reused by every claim that needs it.
//   - C14's per-version start-up is not measured again: it is read from a
//     run of the variants profile given with --variants (Options.Variants,
//     recorded as VariantsKey).
//   - Dedicated experiments (C3, C4, C7–C14) live in claims.py (stdlib
//     only, on the shared core mpcore.py — guard, result/SKIP/NOTE lines,
//     sample iterations, CPU task — embedded, written with it to a
//     content-addressed cache folder), run
//     through harness.Exec as `python3 -u claims.py --claim ID --count S
//     --run K --shm-prefix P`. Their /dev/shm segments and named
//     semaphores carry the prefix and are removed after each program run;
//     every process carries MarkerEnv=<pid of Run's caller>.
//   - Qualitative outcomes are metrics: ok, raised, deadlock (0/1 per
//     sample), threads, … . The text of an exception or probe is a NOTE
//     line; what cannot run here gets a SKIP line, failed experiments a
//     FAIL line.
//   - claims.bench is written through package view's writer face
//     (rawbench's writer: header, program runs, SKIP/FAIL/NOTE lines),
//     append-only and synced after each program run. A new
//     DIR (or one without claims.bench) starts a new claims.bench. An
//     existing one is only extended with claims it does not hold yet;
//     anything else is refused (InputError) and nothing is written.
//   - Verdicts are pure functions of claims.bench (verdicts.go, one
//     function per claim) and of the other runs it names (Sources: C14's
//     variants run, C12's GPU run); each claim's rule is a variable of
//     verdicts.go beside its function, and CLAIMS.md prints it from there.
package claims

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/python"
)

// File names inside the output folder.
const (
	BenchFile = "claims.bench"
	MDFile    = "CLAIMS.md"
)

// DefaultTimeout bounds one claims.py program run.
const DefaultTimeout = 5 * time.Minute

// DefaultRuns is the number of program runs per configuration of a
// quantitative claim: 6, the fewest whose order-statistic interval over
// the run medians reaches 95% coverage; --runs 5 or fewer gives only their
// range (shown as "range" and used as such).
const DefaultRuns = 6

// Matrix cells of the claims: samples per program run, and the target
// duration of one sample.
const (
	cellSamples   = 3
	cellBenchtime = 30 * time.Millisecond
)

// Interp is a CPython interpreter found for one minor version (C14).
type Interp struct {
	Minor string // "3.12"
	Path  string // "" when missing
	Err   error  // why it is missing
}

// Options configure Run.
type Options struct {
	Out  string   // output folder
	Only []string // claim ids to run (nil: all)
	// Python is the CPython interpreter running claims.py.
	Python string
	// CPython measures the matrix cells reused by C1, C2, C5, C6 and C14
	// (impl/python's "cpython"); nil or unavailable: those cells are
	// recorded as skipped with the reason.
	CPython impl.Impl
	// Variants is a run folder of the variants profile whose per-version
	// start-up cells C14 reads ("" = none); recorded in claims.bench
	// (VariantsKey, relative to Out) so that every rendering finds it.
	Variants string
	// GPU is a claims run folder from a GPU machine whose C12 verdict is
	// quoted beside this run's ("" = none); recorded as GPUKey.
	GPU string
	// TorchPython is an interpreter that imports torch, for C11 and C12
	// ("": C11 is untestable, C12 probes with Python).
	TorchPython string
	// TorchErr says why there is no TorchPython.
	TorchErr error
	// LibPython runs C9's library row (billiard, multiprocess): Debian's
	// /usr/bin/python3 ("" = skip the row with LibErr).
	LibPython string
	LibErr    error
	// Versions are the CPython versions C14 runs its probe under.
	Versions []Interp
	Runs     int           // program runs per quantitative configuration (0: DefaultRuns)
	Timeout  time.Duration // per claims.py program run (0: DefaultTimeout)
	Args     []string      // command line, recorded in claims.bench
	Progress io.Writer     // progress lines (nil: discarded)
}

// InputError is an error caused by the options (unknown claim, an
// existing claims.bench): nothing was written.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// ErrInterrupted is returned when ctx was cancelled: what finished is on
// disk (and in CLAIMS.md), the running experiment was killed and dropped.
var ErrInterrupted = errors.New("interrupted")

// IDs lists the claim ids in order.
func IDs() []string {
	out := make([]string, len(catalog))
	for i, c := range catalog {
		out[i] = c.id
	}
	return out
}

// ParseOnly parses a comma-separated list of claim ids (case-insensitive)
// into canonical, ordered, de-duplicated ids.
func ParseOnly(s string) ([]string, error) {
	want := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.ToUpper(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if lookup(f) == nil {
			return nil, fmt.Errorf("unknown claim %q (want C1…C%d)", f, len(catalog))
		}
		want[f] = true
	}
	if len(want) == 0 {
		return nil, errors.New("empty list of claims")
	}
	var out []string
	for _, id := range IDs() {
		if want[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// recordedIDs lists the claims a parsed claims.bench holds lines for.
func recordedIDs(r *view.Run) []string {
	seen := map[string]bool{}
	for _, c := range r.Cells {
		seen[idOf(c.Name)] = true
	}
	var out []string
	for _, id := range IDs() {
		if seen[id] {
			out = append(out, id)
		}
	}
	return out
}

// Run measures the selected claims into o.Out/claims.bench and writes
// o.Out/CLAIMS.md.
func Run(ctx context.Context, o Options) error {
	if o.Out == "" {
		return &InputError{errors.New("no output folder given")}
	}
	ids := IDs()
	if len(o.Only) > 0 {
		var err error
		if ids, err = ParseOnly(strings.Join(o.Only, ",")); err != nil {
			return &InputError{err}
		}
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Runs <= 0 {
		o.Runs = DefaultRuns
	}
	if err := o.relativeSources(); err != nil {
		return &InputError{err}
	}
	if o.Python == "" {
		p, err := exec.LookPath("python3")
		if err != nil {
			return &InputError{fmt.Errorf("no python3 on PATH: %w", err)}
		}
		o.Python = p
	}
	allowed, err := harness.AllowedCPUs()
	if err != nil {
		return err
	}
	scriptPath, err := ScriptPath()
	if err != nil {
		return err
	}
	w, err := openBench(o, ids)
	if err != nil {
		return err
	}
	defer w.Close()
	if n := harness.RemoveStaleSegments(); n > 0 {
		fmt.Fprintf(o.Progress, "claims: removed %d shared-memory segments left by an earlier killed run\n", n)
	}

	r := &runner{o: o, w: w, cpus: allowed, scriptPath: scriptPath, pid: os.Getpid()}
	start := time.Now()
	runErr := r.matrix(ctx, ids)
	for i, id := range ids {
		if runErr != nil {
			break
		}
		c := lookup(id)
		if c.run == nil {
			continue
		}
		t := time.Now()
		fmt.Fprintf(o.Progress, "claims: [%d/%d] %s …\n", i+1, len(ids), id)
		if err := c.run(ctx, r); err != nil {
			runErr = err
			break
		}
		if ctx.Err() != nil {
			runErr = ErrInterrupted
			break
		}
		fmt.Fprintf(o.Progress, "claims: [%d/%d] %s done in %v\n", i+1, len(ids), id, time.Since(t).Round(100*time.Millisecond))
	}
	if err := WriteMarkdown(o.Out); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(o.Progress, "claims: %d claims in %v → %s, %s\n", len(ids), time.Since(start).Round(time.Second),
		filepath.Join(o.Out, BenchFile), filepath.Join(o.Out, MDFile))
	return runErr
}

// openBench creates claims.bench with its configuration block (in a
// folder that may hold other files, e.g. the run's raw.bench), or resumes
// an existing one for appending the claims in ids, none of which it may
// hold yet.
func openBench(o Options, ids []string) (*view.Writer, error) {
	path := filepath.Join(o.Out, BenchFile)
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		if len(o.Only) == 0 {
			return nil, &InputError{fmt.Errorf("%s exists (add claims to it by naming them, or choose another folder)", path)}
		}
		w, err := view.Resume(path)
		if err != nil {
			return nil, &InputError{err}
		}
		done := view.Written(w)
		for _, id := range recordedIDs(done) {
			if slices.Contains(ids, id) {
				w.Close()
				return nil, &InputError{fmt.Errorf("%s already holds %s (results are never overwritten; choose another folder)", path, id)}
			}
		}
		for _, kv := range []view.KV{{Key: VariantsKey, Value: o.Variants}, {Key: GPUKey, Value: o.GPU}} {
			if kv.Value != "" && done.ConfigValue(kv.Key) != kv.Value {
				if err := w.Config(kv); err != nil {
					w.Close()
					return nil, err
				}
			}
		}
		return w, nil
	} else if err == nil {
		// An empty claims.bench (a run killed before its header) holds
		// nothing: start it anew.
		if err := os.Remove(path); err != nil {
			return nil, &InputError{err}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, &InputError{err}
	}
	args, err := json.Marshal(o.Args) // as `mpbench run` records its arguments
	if err != nil {
		return nil, err
	}
	config := append(harness.Environment(),
		view.KV{Key: "claims-python", Value: o.Python},
		view.KV{Key: "claims-script", Value: ScriptHash()},
		view.KV{Key: "claims-runs", Value: strconv.Itoa(o.Runs)},
		view.KV{Key: "start", Value: time.Now().UTC().Format(time.RFC3339)},
		view.KV{Key: "mpbench-args", Value: string(args)})
	for _, kv := range []view.KV{{Key: VariantsKey, Value: o.Variants}, {Key: GPUKey, Value: o.GPU}} {
		if kv.Value != "" {
			config = append(config, kv)
		}
	}
	w, err := view.CreateFile(path, config, append(bench.UnitLines(), "Unit task-times better=lower"))
	if err != nil {
		return nil, &InputError{err}
	}
	return w, nil
}

// VariantsKey and GPUKey are the configuration keys of claims.bench naming
// the variants run C14 reads and the GPU claims run C12 quotes, relative to
// the folder of claims.bench.
const (
	VariantsKey = "claims-variants"
	GPUKey      = "claims-gpu"
)

// relativeSources checks the other runs named (Variants: a folder with a
// raw.bench; GPU: one with a claims.bench) and makes their paths relative
// to Out, as claims.bench records them.
func (o *Options) relativeSources() error {
	if o.Variants != "" {
		rel, err := variantsRel(o.Out, o.Variants)
		if err != nil {
			return err
		}
		o.Variants = rel
	}
	if o.GPU != "" {
		if _, err := os.Stat(filepath.Join(o.GPU, BenchFile)); err != nil {
			return fmt.Errorf("--gpu %s: %w", o.GPU, err)
		}
		rel, err := relSlash(o.Out, o.GPU)
		if err != nil {
			return err
		}
		o.GPU = rel
	}
	return nil
}

// variantsRel checks that dir is a results folder (it holds a raw.bench)
// and returns its path relative to out, in slash form.
func variantsRel(out, dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, view.RawFile)); err != nil {
		return "", fmt.Errorf("--variants %s: %w", dir, err)
	}
	return relSlash(out, dir)
}

// relSlash is dir relative to out, in slash form.
func relSlash(out, dir string) (string, error) {
	a, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	b, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(a, b)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

// runner executes experiments and appends their lines.
type runner struct {
	o          Options
	w          *view.Writer
	cpus       []int
	scriptPath string
	pid        int
	seq        int
	last       []string // lines of the last claims.py program run
}

// MarkerEnv names the environment variable set, to the pid of the
// process calling Run, in every measured program of the claims (and so in
// every process they start): leak checks find them by it.
const MarkerEnv = "MPBENCH_CLAIMS_RUN"

func (r *runner) marker() string { return MarkerEnv + "=" + strconv.Itoa(r.pid) }

func (r *runner) nextPrefix() string {
	r.seq++
	return "mpbench-" + strconv.Itoa(r.pid) + "-claims" + strconv.Itoa(r.seq)
}

// skip records that a whole claim (or part) cannot run here.
func (r *runner) skip(name, reason string) error { return r.w.RecordSkip(name, reason) }

// script runs claims.py experiment id under interpreter `runs` times
// (program runs k = 1…runs, --count samples each) and records each run's
// lines after `run: k`; a failed program run records the valid lines
// printed before it and a FAIL line, and ends the claim.
func (r *runner) script(ctx context.Context, id, interpreter string, runs, count int, extra ...string) error {
	return r.scriptRuns(ctx, id, interpreter, 1, runs, count, extra...)
}

// scriptRuns is script for program runs first…last.
func (r *runner) scriptRuns(ctx context.Context, id, interpreter string, first, last, count int, extra ...string) error {
	for k := first; k <= last; k++ {
		prefix := r.nextPrefix()
		args := append([]string{"-u", r.scriptPath, "--claim", id, "--count", strconv.Itoa(count),
			"--run", strconv.Itoa(k), "--shm-prefix", prefix}, extra...)
		cmd := exec.Command(interpreter, args...)
		cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", r.marker())
		out := harness.Exec(ctx, cmd, r.cpus, r.o.Timeout)
		harness.RemoveSegments(prefix) // segments and claims.py's named semaphores (sem.<prefix>…)
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		lines, perr := checkScriptOutput(id, out.Stdout)
		r.last = lines
		reason := out.Reason()
		if reason == "" && perr != nil {
			reason = "bad output: " + perr.Error()
		}
		if reason == "" && len(lines) == 0 {
			reason = "no result lines"
		}
		if len(lines) > 0 {
			if err := r.w.Append(append([]string{view.RunKey + ": " + strconv.Itoa(k)}, lines...)...); err != nil {
				return err
			}
		}
		if reason != "" {
			return r.w.RecordFail("Claim/id="+id, reason)
		}
	}
	return nil
}

// runC13 runs the pool sweep of C13 with the cpu task of the matrix: its
// loop count calibrated once by the driver's calibration run under the
// claims' interpreter (harness.CalibrateSpin), recorded as a configuration
// line that holds for C13's results only, and passed to every program run.
func runC13(ctx context.Context, r *runner) error {
	const id = "C13"
	im := python.New("cpython", r.o.Python)
	spin, err := harness.CalibrateSpin(ctx, im, r.cpus[:1], r.o.Timeout)
	if ctx.Err() != nil {
		return ErrInterrupted
	}
	if err != nil {
		return r.w.RecordFail("Claim/id="+id, "calibration of the cpu task failed: "+err.Error())
	}
	key := harness.SpinKey(im.Name())
	if err := r.w.Config(view.KV{Key: key, Value: strconv.FormatInt(spin, 10)}); err != nil {
		return err
	}
	err = r.script(ctx, id, r.o.Python, r.o.Runs, 1, "--spin", strconv.FormatInt(spin, 10))
	if e := r.w.Config(view.KV{Key: key}); err == nil { // later claims do not carry it
		err = e
	}
	return err
}

// checkScriptOutput keeps the leading lines of a claims.py output that
// follow the protocol (result lines of claim id, NOTE and SKIP lines of
// id) and reports the first line that does not.
func checkScriptOutput(id string, stdout []byte) ([]string, error) {
	var lines []string
	prefix := namePrefix + id + "/"
	for i, l := range strings.Split(strings.TrimRight(string(stdout), "\n"), "\n") {
		if l == "" {
			continue
		}
		var ok bool
		switch {
		case strings.HasPrefix(l, prefix):
			_, err := view.ParseSamples([]string{l})
			ok = err == nil
		case strings.HasPrefix(l, view.NotePrefix+prefix), strings.HasPrefix(l, view.SkipPrefix+prefix),
			strings.HasPrefix(l, view.SkipPrefix+namePrefix+id+":"):
			ok = strings.Contains(l[len(view.NotePrefix):], ": ")
		}
		if !ok {
			return lines, fmt.Errorf("unexpected output line %d: %q", i+1, view.OneLine(l))
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// matrix measures, with harness.Run, the matrix cells of every selected
// claim (each cell once, however many claims use it) in shuffled
// interleaved rounds of o.Runs program runs, and records each claim's
// cells renamed.
func (r *runner) matrix(ctx context.Context, ids []string) error {
	type use struct {
		id    string
		cells []bench.Cell
	}
	var uses []use
	var all []bench.Cell
	seen := map[string]bool{}
	for _, id := range ids {
		c := lookup(id)
		if c.cells == nil {
			continue
		}
		cells := c.cells(r.nproc())
		uses = append(uses, use{id, cells})
		for _, cell := range cells {
			if !seen[cell.Benchmark()] {
				seen[cell.Benchmark()] = true
				all = append(all, cell)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	run, measured, unavailable := r.available(all)
	if len(run) == 0 {
		for _, u := range uses {
			for _, c := range u.cells {
				if err := r.skip(claimCellName(u.id, c), unavailable[c.Benchmark()]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	t := time.Now()
	var names []string
	for _, u := range uses {
		names = append(names, u.id)
	}
	fmt.Fprintf(r.o.Progress, "claims: matrix cells of %s: %d cells × %d program runs …\n", strings.Join(names, ", "), len(run), r.o.Runs)
	scratch, err := os.MkdirTemp("", "mpbench-claims-cells-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	out := filepath.Join(scratch, "run")
	sum, err := harness.Run(ctx, harness.Config{
		Cells: run, Impls: measured,
		Count: cellSamples, Runs: r.o.Runs, MaxRuns: r.o.Runs, Warmup: 0, Benchtime: cellBenchtime,
		Out: out, Seed: rand.Uint64() | 1,
	})
	if err != nil {
		return err
	}
	if sum.Interrupted || ctx.Err() != nil {
		return ErrInterrupted
	}
	st, err := view.ReadDir(out)
	if err != nil {
		return err
	}
	for _, u := range uses {
		for _, c := range u.cells {
			var err error
			if why, ok := unavailable[c.Benchmark()]; ok {
				err = r.skip(claimCellName(u.id, c), why)
			} else {
				err = r.copyCell(st, c, claimCellName(u.id, c))
			}
			if err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(r.o.Progress, "claims: matrix cells of %s done in %v\n", strings.Join(names, ", "), time.Since(t).Round(100*time.Millisecond))
	return nil
}

// available splits cells into those whose implementation (o.CPython) can
// run here — with the implementations they need — and the others, with
// the reason each is skipped.
func (r *runner) available(cells []bench.Cell) (run []bench.Cell, measured map[string]impl.Impl, unavailable map[string]string) {
	impls := map[string]impl.Impl{}
	if r.o.CPython != nil {
		impls[r.o.CPython.Name()] = r.o.CPython
	}
	measured, unavailable = map[string]impl.Impl{}, map[string]string{}
	for _, c := range cells {
		var avail error = errors.New("implementation not configured")
		if im := impls[c.Impl]; im != nil {
			if avail = im.Available(); avail == nil {
				measured[c.Impl] = im
				run = append(run, c)
				continue
			}
		}
		unavailable[c.Benchmark()] = fmt.Sprintf("impl %s unavailable: %v", c.Impl, avail)
	}
	return run, measured, unavailable
}

// copyCell records every program run of matrix cell c from st under name.
func (r *runner) copyCell(st *view.Run, c bench.Cell, name string) error {
	cell := st.Find(c.Name())
	if cell == nil {
		return r.w.RecordFail(name, "no result recorded")
	}
	for _, run := range cell.ProgramRuns() {
		var lines []string
		for _, s := range run.Samples {
			lines = append(lines, view.SampleLine(name, cell.Units, s))
		}
		if _, err := r.w.RecordRun(name, lines); err != nil {
			return err
		}
	}
	switch cell.Status {
	case view.StatusFailed:
		return r.w.RecordFail(name, cell.Reason)
	case view.StatusSkipped:
		return r.w.RecordSkip(name, cell.Reason)
	}
	for _, n := range cell.Notes {
		if err := r.w.RecordNote(name, n); err != nil {
			return err
		}
	}
	return nil
}

// claimCellName renames a matrix cell for a claim:
// Startup/impl=…  →  Claim/id=C1/workload=startup/impl=… .
func claimCellName(id string, c bench.Cell) string {
	_, rest, _ := strings.Cut(c.Name(), "/")
	return "Claim/id=" + id + "/workload=" + c.Workload + "/" + rest
}

// nproc is the number of CPUs a claim's cells use (all this process may
// use).
func (r *runner) nproc() int {
	if len(r.cpus) > 0 {
		return len(r.cpus)
	}
	return runtime.NumCPU()
}
