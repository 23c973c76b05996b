// Package claims measures the claims of the guide mpbench grew out of
// (shared/seed/CLAIMS.md, C1–C14) and writes a verdict for each.
//
// `mpbench claims --out DIR [--only C3,C7]` calls Run, which writes
//
//   - DIR/claims.bench — every measurement, in Go benchmark format
//     (benchfmt/benchstat readable), named BenchmarkClaim/id=<ID>/<k>=<v>…;
//   - DIR/CLAIMS.md — Render(claims.bench): per claim the claim, the
//     experiment, the numbers (median and 95% CI, golang.org/x/perf
//     benchmath AssumeNothing), a verdict and the command reproducing it.
//
// Contracts:
//
//   - Every experiment is one run of a measured program through
//     harness.Exec: own process group, CPU affinity, parent-death signal,
//     timeout (the outer safety net: C7's deadlock is ended by a timeout
//     inside the experiment). Its /dev/shm segments and, for claims.py,
//     its named semaphores (sem.<prefix>-…) carry a per-experiment prefix
//     and are removed after it; every process of it carries
//     MarkerEnv=<pid of Run's caller> so leak checks can find it. The
//     harness never measures.
//   - Dedicated experiments (C3–C10, C12–C14) live in claims.py (stdlib
//     only, embedded, written to a content-addressed cache file), run as
//     `python3 -u claims.py --claim ID --count N --shm-prefix P`. Claims
//     that the matrix already covers (C1, C2, C5, C6, C11, C14) run
//     matrix cells through the Python implementation's driver and record
//     its lines renamed: Startup/impl=cpython/… becomes
//     Claim/id=C1/workload=startup/impl=cpython/…. A cell is measured once
//     per Run and its lines reused by every claim that needs it.
//   - Qualitative outcomes are metrics: ok, raised, deadlock (0/1 per
//     sample), threads, duplex, … . The text of an exception or probe is a
//     `--- NOTE: BenchmarkClaim/…: text` line; cells or claims that cannot
//     run here get `--- SKIP: BenchmarkClaim/…: reason`, failed experiments
//     `--- FAIL: BenchmarkClaim/…: reason`. benchfmt readers ignore these
//     lines, as they ignore `go test`'s; Render reads them. So claims.bench
//     is the single source of CLAIMS.md.
//   - claims.bench is append-only and synced after each experiment: a
//     crash loses at most the running experiment. A new DIR (or an empty
//     one) starts a new claims.bench. An existing claims.bench is only
//     extended with --only naming claims it does not hold yet; anything
//     else is refused (InputError) and nothing is written. CLAIMS.md is
//     regenerated from the whole file after every Run.
//   - Verdicts are pure functions of claims.bench with thresholds written
//     in verdicts.go; Render is deterministic (byte-identical re-runs).
package claims

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/impl"
)

// File names inside the output folder.
const (
	BenchFile = "claims.bench"
	MDFile    = "CLAIMS.md"
)

// DefaultTimeout bounds one claims.py experiment (the matrix cells use
// harness.DefaultTimeout of their workload).
const DefaultTimeout = 5 * time.Minute

// Options configure Run.
type Options struct {
	Out  string   // output folder
	Only []string // claim ids to run (nil: all)
	// Python is the CPython interpreter running claims.py ("" = python3
	// on PATH).
	Python string
	// CPython measures the matrix cells reused by C1, C2, C5, C6, C13 and
	// C14 (impl/python's "cpython"); nil or unavailable: those cells are
	// recorded as skipped with the reason.
	CPython impl.Impl
	// Torch measures C11's cells (impl/python's "torch"); nil or
	// unavailable: C11 is untestable with the reason.
	Torch impl.Impl
	// TorchPython is the interpreter with torch, used for C12's CUDA
	// probe ("" = Python).
	TorchPython string
	Timeout     time.Duration // per claims.py experiment (0: DefaultTimeout)
	Args        []string      // command line, recorded in claims.bench
	Progress    io.Writer     // progress lines (nil: discarded)
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
			return nil, fmt.Errorf("--only: unknown claim %q (want C1…C%d)", f, len(catalog))
		}
		want[f] = true
	}
	if len(want) == 0 {
		return nil, errors.New("--only: empty list")
	}
	var out []string
	for _, id := range IDs() {
		if want[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// RecordedIDs lists the claims claims.bench already holds lines for.
func RecordedIDs(data []byte) []string {
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []string{"", skipPrefix, failPrefix, notePrefix} {
			if rest, ok := strings.CutPrefix(line, p+namePrefix); ok {
				id, _, _ := strings.Cut(rest, "/")
				id, _, _ = strings.Cut(id, ":")
				id, _, _ = strings.Cut(id, " ")
				seen[id] = true
			}
		}
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
		return &InputError{errors.New("--out DIR is required")}
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
	if o.Python == "" {
		p, err := exec.LookPath("python3")
		if err != nil {
			return &InputError{fmt.Errorf("claims: no python3 on PATH (use --python): %v", err)}
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
	f, err := openBench(o, ids)
	if err != nil {
		return err
	}
	defer f.Close()
	if n := harness.RemoveStaleSegments(); n > 0 {
		fmt.Fprintf(o.Progress, "claims: removed %d shared-memory segments left by an earlier killed run\n", n)
	}

	r := &runner{o: o, f: f, cpus: allowed, scriptPath: scriptPath, cache: map[string][]string{}, pid: os.Getpid()}
	start := time.Now()
	var runErr error
	for i, id := range ids {
		c := lookup(id)
		fmt.Fprintf(o.Progress, "claims: [%d/%d] %s …\n", i+1, len(ids), id)
		t := time.Now()
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

// WriteMarkdown regenerates DIR/CLAIMS.md from DIR/claims.bench.
func WriteMarkdown(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, BenchFile))
	if err != nil {
		return err
	}
	md, err := Render(data)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+MDFile+".tmp")
	if err := os.WriteFile(tmp, md, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, MDFile))
}

// openBench creates claims.bench with its configuration block, or opens
// an existing one for appending the claims in ids (none of which it may
// hold yet). A torn last line is cut.
func openBench(o Options, ids []string) (*os.File, error) {
	path := filepath.Join(o.Out, BenchFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil && len(data) > 0:
		if len(o.Only) == 0 {
			return nil, &InputError{fmt.Errorf("--out %s: %s exists (add claims to it with --only, or choose another folder)", o.Out, BenchFile)}
		}
		for _, id := range RecordedIDs(data) {
			if slices.Contains(ids, id) {
				return nil, &InputError{fmt.Errorf("--out %s: %s already holds %s (results are never overwritten; choose another folder)", o.Out, BenchFile, id)}
			}
		}
		if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
			if err := os.Truncate(path, int64(i+1)); err != nil {
				return nil, err
			}
		}
		return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil, &InputError{fmt.Errorf("--out %s: %v", o.Out, err)}
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, &InputError{fmt.Errorf("--out %s: %v", o.Out, err)}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, &InputError{fmt.Errorf("--out %s: %v", o.Out, err)}
	}
	args, _ := json.Marshal(o.Args)
	var b strings.Builder
	for _, c := range harness.Environment() {
		b.WriteString(c.Key + ": " + c.Value + "\n")
	}
	fmt.Fprintf(&b, "claims-python: %s\n", o.Python)
	fmt.Fprintf(&b, "claims-script: %s\n", ScriptHash())
	fmt.Fprintf(&b, "start: %s\n", time.Now().UTC().Format(time.RFC3339))
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		// Other processes' load at the start: CPU-bound results depend on it.
		f := strings.Fields(string(la))
		if len(f) >= 3 {
			fmt.Fprintf(&b, "loadavg-start: %s %s %s\n", f[0], f[1], f[2])
		}
	}
	fmt.Fprintf(&b, "mpbench-args: %s\n", args)
	b.WriteString("Unit MB/s better=higher\nUnit msgs/s better=higher\nUnit tasks/s better=higher\nUnit efficiency better=higher\n")
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return nil, err
	}
	return f, f.Sync()
}

// runner executes experiments and appends their lines.
type runner struct {
	o          Options
	f          *os.File
	cpus       []int
	scriptPath string
	cache      map[string][]string // cell name → its validated result lines
	pid        int
	seq        int
}

// appendLines writes lines and syncs them.
func (r *runner) appendLines(lines ...string) error {
	if len(lines) == 0 {
		return nil
	}
	if _, err := r.f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		return err
	}
	return r.f.Sync()
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
func (r *runner) skip(name, reason string) error {
	return r.appendLines(skipPrefix + "Benchmark" + name + ": " + oneLine(reason))
}

// script runs one claims.py experiment and records its lines; a failure
// records the valid lines printed before it and a FAIL line.
func (r *runner) script(ctx context.Context, id, interpreter string, count int) error {
	prefix := r.nextPrefix()
	cmd := exec.Command(interpreter, "-u", r.scriptPath, "--claim", id, "--count", strconv.Itoa(count), "--shm-prefix", prefix)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", r.marker())
	out := harness.Exec(ctx, cmd, r.cpus, r.o.Timeout)
	harness.RemoveSegments(prefix)
	harness.RemoveSegments("sem." + prefix) // claims.py names its semaphores so
	if ctx.Err() != nil {
		return ErrInterrupted
	}
	lines, perr := checkScriptOutput(id, out.Stdout)
	reason := out.Reason()
	if reason == "" && perr != nil {
		reason = "bad output: " + perr.Error()
	}
	if reason == "" && len(lines) == 0 {
		reason = "no result lines"
	}
	if reason != "" {
		lines = append(lines, failPrefix+namePrefix+id+": "+oneLine(reason))
	}
	return r.appendLines(lines...)
}

// checkScriptOutput keeps the leading lines of a claims.py output that
// follow the protocol (result lines of claim id that benchfmt parses, NOTE
// and SKIP lines of id) and reports the first line that does not.
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
			ok = parsesAsResult(l)
		case strings.HasPrefix(l, notePrefix+prefix), strings.HasPrefix(l, skipPrefix+prefix),
			strings.HasPrefix(l, skipPrefix+namePrefix+id+":"):
			ok = strings.Contains(l[4:], ": ")
		}
		if !ok {
			return lines, fmt.Errorf("unexpected output line %d: %q", i+1, clip(l))
		}
		lines = append(lines, l)
	}
	return lines, nil
}

func parsesAsResult(line string) bool {
	rd := benchfmt.NewReader(strings.NewReader(line+"\n"), "")
	n := 0
	for rd.Scan() {
		switch rd.Result().(type) {
		case *benchfmt.SyntaxError:
			return false
		case *benchfmt.Result:
			n++
		}
	}
	return rd.Err() == nil && n == 1
}

// cellCounts is the number of samples per matrix cell a claim runs.
// At least 6, so that benchmath gives a 95% confidence interval.
// Start-up gets more: one sample is one process start, cheap, and the
// noisiest of all (other processes' load shows directly).
var cellCounts = map[string]int{"startup": 20, "pingpong": 8, "stream": 8, "pool": 8}

// cells measures matrix cells with im (the driver) and records their
// lines renamed under claim id; a cell measured earlier in this Run is
// reused.
func (r *runner) cells(ctx context.Context, id string, im impl.Impl, cells []bench.Cell) error {
	var avail error = errors.New("implementation not configured")
	if im != nil {
		avail = im.Available()
	}
	for _, c := range cells {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		renamed := claimCellName(id, c)
		if avail != nil {
			if err := r.skip(renamed, fmt.Sprintf("impl %s unavailable: %v", c.Impl, avail)); err != nil {
				return err
			}
			continue
		}
		lines, status, err := r.measureCell(ctx, im, c)
		if err != nil {
			return err
		}
		var out []string
		switch {
		case status.kind == "skip":
			out = []string{skipPrefix + "Benchmark" + renamed + ": " + oneLine(status.reason)}
		case status.kind == "fail":
			out = []string{failPrefix + "Benchmark" + renamed + ": " + oneLine(status.reason)}
		default:
			old := c.Benchmark()
			for _, l := range lines {
				out = append(out, "Benchmark"+renamed+strings.TrimPrefix(l, old))
			}
		}
		if err := r.appendLines(out...); err != nil {
			return err
		}
	}
	return nil
}

type cellStatus struct{ kind, reason string }

func (r *runner) measureCell(ctx context.Context, im impl.Impl, c bench.Cell) ([]string, cellStatus, error) {
	name := c.Benchmark()
	if lines, ok := r.cache[name]; ok {
		return lines, cellStatus{kind: "ok"}, nil
	}
	count := cellCounts[c.Workload]
	prefix := r.nextPrefix()
	cmd, err := im.Command(c, impl.Options{Count: count, Warmup: 1, Benchtime: 100 * time.Millisecond, ShmPrefix: prefix})
	if err != nil {
		return nil, cellStatus{"fail", err.Error()}, nil
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, r.marker())
	cores := min(c.Cores, len(r.cpus))
	out := harness.Exec(ctx, cmd, r.cpus[:cores], harness.DefaultTimeout[c.Workload])
	harness.RemoveSegments(prefix)
	if ctx.Err() != nil {
		return nil, cellStatus{}, ErrInterrupted
	}
	if out.Err != nil {
		return nil, cellStatus{"fail", out.Reason()}, nil
	}
	p, err := harness.ParseOutput(c, out.Stdout, count)
	if err != nil {
		return nil, cellStatus{"fail", "bad output: " + err.Error()}, nil
	}
	if p.SkipReason != "" {
		return nil, cellStatus{"skip", p.SkipReason}, nil
	}
	r.cache[name] = p.Lines
	return p.Lines, cellStatus{kind: "ok"}, nil
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

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
