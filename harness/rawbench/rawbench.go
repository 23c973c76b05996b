// Package rawbench reads and writes raw.bench, the one results file of a
// run folder (and claims.bench, which has the same format). It is the
// only code that knows the file's layout; the harness writes through it,
// and the report, claims, compare and tests read through it.
//
// The file is in the Go benchmark format (golang.org/x/perf/benchfmt), so
// benchstat reads it:
//
//	key: value                      configuration lines (header, and blocks later on)
//	Unit MB/s better=higher         unit metadata (from bench.Metrics)
//	run: 3                          the program run the next samples come from
//	BenchmarkStream/... 1000 52.1 ns/op 1228 MB/s ...   one sample
//	--- SKIP: BenchmarkX: reason    a cell that cannot run here
//	--- FAIL: BenchmarkX: reason    a cell that failed (a program run did)
//	--- NOTE: BenchmarkX: text      a remark on a cell; "--- NOTE: text" on the run
//	--- WALL: BenchmarkX: run 3 took 812.5ms   the wall time of a program run
//
// Every program run of a cell writes `run: k` (k = 1, 2, … per cell) before
// its samples, and the WALL line after them, in one append. The wall time
// is the harness's clock from the start of the measured program to its
// exit: what the program run cost, not a measurement of the cell (files
// written before it was recorded have no WALL lines; Run.Wall is then 0). A file without `run:` lines (written before
// runs were recorded) counts every sample as its own run. benchfmt treats
// `run` as a configuration key: `benchstat -ignore run raw.bench` pools the
// runs of a cell, `benchstat -col run` shows them side by side.
//
// Readers ignore configuration keys they do not know and cut a torn last
// line (one without a newline, left by a crash in the middle of a write);
// the writer (Resume) truncates it away before appending.
package rawbench

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
)

// RawFile is the name of the results file inside a run folder.
const RawFile = "raw.bench"

// Status line prefixes, in the style of `go test` so that benchfmt
// readers (benchstat) ignore them.
const (
	SkipPrefix = "--- SKIP: "
	FailPrefix = "--- FAIL: "
	NotePrefix = "--- NOTE: "
	WallPrefix = "--- WALL: "
)

// RunKey is the configuration key that numbers the program runs of a cell.
const RunKey = "run"

// KV is one configuration line.
type KV struct{ Key, Value string }

// Sample is one result line: its iteration count and its metrics by the
// unit the measured program printed (bench.Metric).
type Sample struct {
	Iters  int
	Values map[string]float64
	Line   int // line number in the file (1-based; 0 when not read from a file)
}

// Run is the samples of one program run of a cell.
type Run struct {
	K       int // the recorded run index (for files without run lines: the sample's position)
	Samples []Sample
	Wall    time.Duration // wall time of the program run (0: not recorded)
}

// Cell is everything a file records under one benchmark name.
type Cell struct {
	Name  string   // canonical name without the "Benchmark" prefix
	Units []string // metric units in first-seen order
	Runs  []*Run   // in order of first appearance
	Skip  string   // first skip reason ("" when none)
	Fail  string   // first failure reason ("" when none)
	Notes []string // NOTE texts in file order
	Line  int      // first line that mentions the cell

	skipped, failed bool
}

// Keys are the key=value parts of the cell's name, in order (the first
// part, e.g. "Startup" or "Claim", is Kind).
func (c *Cell) Keys() []KV {
	parts := strings.Split(c.Name, "/")
	out := make([]KV, 0, len(parts)-1)
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		out = append(out, KV{k, v})
	}
	return out
}

// Kind is the first part of the name: Startup, Pingpong, Stream, Pool, Claim, …
func (c *Cell) Kind() string {
	kind, _, _ := strings.Cut(c.Name, "/")
	return kind
}

// Get is the value of a name key ("" when absent).
func (c *Cell) Get(key string) string {
	for _, kv := range c.Keys() {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Status values of a cell.
const (
	StatusOK      = "ok"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
)

// Status is failed (a FAIL line), else skipped (a SKIP line), else ok.
func (c *Cell) Status() string {
	switch {
	case c.failed:
		return StatusFailed
	case c.skipped:
		return StatusSkipped
	}
	return StatusOK
}

// Reason is the failure or skip reason of the cell's Status.
func (c *Cell) Reason() string {
	switch {
	case c.failed:
		return c.Fail
	case c.skipped:
		return c.Skip
	}
	return ""
}

// Failed and Skipped report the status lines the cell has.
func (c *Cell) Failed() bool  { return c.failed }
func (c *Cell) Skipped() bool { return c.skipped }

// NumSamples is the number of samples over all runs.
func (c *Cell) NumSamples() int {
	n := 0
	for _, r := range c.Runs {
		n += len(r.Samples)
	}
	return n
}

// Values is every sample's value of a unit, pooled over the runs, in
// file order.
func (c *Cell) Values(unit string) []float64 {
	var out []float64
	for _, r := range c.Runs {
		for _, s := range r.Samples {
			if v, ok := s.Values[unit]; ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// Iters is every sample's iteration count, in file order.
func (c *Cell) Iters() []int {
	var out []int
	for _, r := range c.Runs {
		for _, s := range r.Samples {
			out = append(out, s.Iters)
		}
	}
	return out
}

// ByRun is a unit's values grouped by program run (runs without the
// unit are left out).
func (c *Cell) ByRun(unit string) [][]float64 {
	var out [][]float64
	for _, r := range c.Runs {
		var xs []float64
		for _, s := range r.Samples {
			if v, ok := s.Values[unit]; ok {
				xs = append(xs, v)
			}
		}
		if len(xs) > 0 {
			out = append(out, xs)
		}
	}
	return out
}

// Summary is the cell's statistic of a unit over its program runs
// (package stats: median of per-run medians, distribution-free CI).
func (c *Cell) Summary(unit string) stats.Summary { return stats.Summarize(c.ByRun(unit)) }

// File is a parsed raw.bench.
type File struct {
	Path     string
	Config   []KV             // configuration lines in file order, first value of each key, without run
	Better   map[string]int   // unit → +1 higher is better, -1 lower is better (Unit lines)
	UnitMeta map[string][]KV  // unit → its Unit line's key=value pairs
	Cells    []*Cell          // in order of first appearance
	Notes    []string         // NOTE lines about the run (not about one cell)
	HasRuns  bool             // the file has run lines
	Warnings []string         // "name:line: message" for lines that were skipped
	Torn     int64            // length to cut the file to when its last line is torn; -1 when none
	byName   map[string]*Cell // by name without prefix
	runIdx   map[*Cell]map[int]*Run
}

// ConfigValue is the first value of a configuration key ("" when absent).
func (f *File) ConfigValue(key string) string {
	for _, kv := range f.Config {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// ConfigMap is the configuration as a map (first value of each key).
func (f *File) ConfigMap() map[string]string {
	m := map[string]string{}
	for _, kv := range f.Config {
		m[kv.Key] = kv.Value
	}
	return m
}

// Cell returns a cell by name, with or without the "Benchmark" prefix
// (nil when the file does not mention it).
func (f *File) Cell(name string) *Cell { return f.byName[strings.TrimPrefix(name, "Benchmark")] }

func (f *File) cell(name string, line int) *Cell {
	name = strings.TrimPrefix(name, "Benchmark")
	if c := f.byName[name]; c != nil {
		return c
	}
	c := &Cell{Name: name, Line: line}
	f.byName[name] = c
	f.Cells = append(f.Cells, c)
	return c
}

// add records a sample of a cell under run k (k ≤ 0: a run of its own);
// units are the sample's units in printed order.
func (f *File) add(c *Cell, k int, s Sample, units []string) {
	if f.runIdx[c] == nil {
		f.runIdx[c] = map[int]*Run{}
	}
	var r *Run
	if k > 0 {
		r = f.runIdx[c][k]
	} else {
		k = len(c.Runs) + 1
	}
	if r == nil {
		r = &Run{K: k}
		f.runIdx[c][k] = r
		c.Runs = append(c.Runs, r)
	}
	for _, u := range units {
		if !slices.Contains(c.Units, u) {
			c.Units = append(c.Units, u)
		}
	}
	r.Samples = append(r.Samples, s)
}

func newFile(path string) *File {
	return &File{Path: path, Better: map[string]int{}, UnitMeta: map[string][]KV{}, Torn: -1,
		byName: map[string]*Cell{}, runIdx: map[*Cell]map[int]*Run{}}
}

var (
	configLine = regexp.MustCompile(`^([a-z][^\s:]*):(?:\s+(.*))?$`)
	unitLine   = regexp.MustCompile(`^Unit\s+(\S+)\s+(.*)$`)
)

// ErrNoResults is returned by Read for a folder or file that does not exist.
var ErrNoResults = errors.New("no results")

// ReadDir reads DIR/raw.bench.
func ReadDir(dir string) (*File, error) { return Read(filepath.Join(dir, RawFile)) }

// Read reads and parses a results file. A missing file is ErrNoResults.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s not found", ErrNoResults, path)
		}
		return nil, err
	}
	f, err := Parse(data, filepath.Base(path))
	if err != nil {
		return nil, err
	}
	f.Path = path
	return f, nil
}

// Parse parses the contents of a results file; name is used in warnings.
// Malformed lines are skipped with a warning; a torn last line (no
// newline) is ignored and recorded in File.Torn.
func Parse(data []byte, name string) (*File, error) {
	p := &parser{f: newFile(name), name: name, seenConfig: map[string]bool{}}
	data = p.cutTorn(data)
	// Pass 1: configuration, Unit lines and status lines (benchfmt skips
	// the latter). Cells are created in order of first mention.
	for i, raw := range strings.Split(string(data), "\n") {
		p.line(strings.TrimRight(raw, "\r"), i+1)
	}
	// Pass 2: result lines through benchfmt, so that values and units are
	// read exactly as benchstat reads them.
	if err := p.results(data); err != nil {
		return nil, err
	}
	p.f.setWalls(p.walls, p.warnf)
	return p.f, nil
}

// parser is the state of Parse over one file.
type parser struct {
	f          *File
	name       string
	seenConfig map[string]bool // configuration keys read (the first value of a key wins)
	walls      []runWall
}

func (p *parser) warnf(line int, format string, a ...any) {
	p.f.Warnings = append(p.f.Warnings, fmt.Sprintf("%s:%d: ", p.name, line)+fmt.Sprintf(format, a...))
}

// cutTorn returns data without a torn last line (one without a newline),
// warning about it and recording where it starts in File.Torn.
func (p *parser) cutTorn(data []byte) []byte {
	n := len(data)
	if n == 0 || data[n-1] == '\n' {
		return data
	}
	i := bytes.LastIndexByte(data, '\n')
	p.warnf(bytes.Count(data, []byte("\n"))+1, "truncated last line (no newline), skipped: %q", clip(string(data[i+1:]), 80))
	p.f.Torn = int64(i + 1)
	return data[:i+1]
}

// line reads one line (number no) in the first pass.
func (p *parser) line(line string, no int) {
	f := p.f
	switch {
	case strings.HasPrefix(line, "Benchmark"):
		if fs := strings.Fields(line); len(fs) > 0 {
			f.cell(fs[0], no)
		}
	case strings.HasPrefix(line, SkipPrefix), strings.HasPrefix(line, FailPrefix):
		p.statusLine(line, no)
	case strings.HasPrefix(line, WallPrefix):
		p.walls = f.wallLine(p.walls, line, no, p.warnf)
	case strings.HasPrefix(line, NotePrefix):
		rest := line[len(NotePrefix):]
		bname, text, ok := strings.Cut(rest, ": ")
		if ok && strings.HasPrefix(bname, "Benchmark") && !strings.ContainsAny(bname, " \t") {
			c := f.cell(bname, no)
			c.Notes = append(c.Notes, strings.TrimSpace(text))
		} else {
			f.Notes = append(f.Notes, strings.TrimSpace(rest))
		}
	case unitLine.MatchString(line):
		p.unitLine(line)
	case configLine.MatchString(line):
		m := configLine.FindStringSubmatch(line)
		if m[1] == RunKey {
			f.HasRuns = true
			return
		}
		if !p.seenConfig[m[1]] && strings.TrimSpace(m[2]) != "" {
			p.seenConfig[m[1]] = true
			f.Config = append(f.Config, KV{m[1], strings.TrimSpace(m[2])})
		}
	}
}

// statusLine reads a SKIP or FAIL line: the first reason of each kind is
// the cell's.
func (p *parser) statusLine(line string, no int) {
	fail := strings.HasPrefix(line, FailPrefix)
	bname, reason, _ := strings.Cut(line[len(SkipPrefix):], ": ")
	bname = strings.TrimSpace(bname)
	if !strings.HasPrefix(bname, "Benchmark") || strings.ContainsAny(bname, " \t") {
		p.warnf(no, "malformed status line, skipped")
		return
	}
	c := p.f.cell(bname, no)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "no reason given"
	}
	if fail && !c.failed {
		c.failed, c.Fail = true, reason
	} else if !fail && !c.skipped {
		c.skipped, c.Skip = true, reason
	}
}

// unitLine reads a Unit line's metadata, and the direction of better=.
func (p *parser) unitLine(line string) {
	f := p.f
	m := unitLine.FindStringSubmatch(line)
	for _, kv := range strings.Fields(m[2]) {
		k, v, _ := strings.Cut(kv, "=")
		f.UnitMeta[m[1]] = append(f.UnitMeta[m[1]], KV{k, v})
		if k == "better" {
			switch v {
			case "higher":
				f.Better[m[1]] = +1
			case "lower":
				f.Better[m[1]] = -1
			}
		}
	}
}

// results reads the result lines (the second pass) into the runs of
// their cells.
func (p *parser) results(data []byte) error {
	r := benchfmt.NewReader(bytes.NewReader(data), p.name)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			_, line := rec.Pos()
			p.warnf(line, "%s, line skipped", rec.Msg)
		case *benchfmt.Result:
			_, line := rec.Pos()
			k := 0
			if v := rec.GetConfig(RunKey); v != "" {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 {
					p.warnf(line, "run %q is not a positive integer; sample counted as a run of its own", v)
				} else {
					k = n
				}
			}
			s, units := sampleOf(rec, line)
			p.f.add(p.f.cell(string(rec.Name), line), k, s, units)
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return nil
}

// runWall is a WALL line read in the first pass, applied to its run
// once the samples are read.
type runWall struct {
	cell *Cell
	k    int
	wall time.Duration
	line int
}

// wallLine parses a WALL line (a malformed one is warned about).
func (f *File) wallLine(walls []runWall, line string, no int, warnf func(int, string, ...any)) []runWall {
	name, k, wall, err := parseWall(line)
	if err != nil {
		warnf(no, "%v, skipped", err)
		return walls
	}
	return append(walls, runWall{f.cell(name, no), k, wall, no})
}

// setWalls gives each run its wall time; a WALL line of a run without
// samples is warned about.
func (f *File) setWalls(walls []runWall, warnf func(int, string, ...any)) {
	for _, w := range walls {
		if run := f.runIdx[w.cell][w.k]; run != nil {
			run.Wall = w.wall
		} else {
			warnf(w.line, "wall time of run %d of %s, which has no samples, skipped", w.k, w.cell.Name)
		}
	}
}

// wallText is the text of a WALL line after the cell's name.
func wallText(k int, wall time.Duration) string {
	return fmt.Sprintf("run %d took %v", k, wall)
}

// parseWall parses a WALL line: the benchmark name, the run index, the wall time.
func parseWall(line string) (name string, k int, wall time.Duration, err error) {
	name, text, ok := strings.Cut(line[len(WallPrefix):], ": ")
	var d string
	if ok && strings.HasPrefix(name, "Benchmark") && !strings.ContainsAny(name, " \t") {
		if _, err = fmt.Sscanf(text, "run %d took %s", &k, &d); err == nil {
			wall, err = time.ParseDuration(d)
		}
	}
	if !ok || err != nil || k < 1 || wall <= 0 || text != wallText(k, wall) {
		return "", 0, 0, fmt.Errorf("malformed wall line")
	}
	return name, k, wall, nil
}

func sampleOf(rec *benchfmt.Result, line int) (Sample, []string) {
	s := Sample{Iters: rec.Iters, Values: map[string]float64{}, Line: line}
	var units []string
	for _, v := range rec.Values {
		unit, val := bench.Metric(v)
		s.Values[unit] = val
		units = append(units, unit)
	}
	return s, units
}

// ParseSamples parses result lines of one cell (as a measured program
// printed them) into samples.
func ParseSamples(lines []string) ([]Sample, error) {
	r := benchfmt.NewReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), "output")
	var out []Sample
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("malformed result line: %v", rec)
		case *benchfmt.Result:
			_, line := rec.Pos()
			s, _ := sampleOf(rec, line)
			out = append(out, s)
		}
	}
	return out, r.Err()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// OneLine condenses a reason to one line of at most 300 bytes, as status
// lines need.
func OneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// Empty is an empty File (the state of a run not yet started).
func Empty() *File { return newFile("") }
