package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
)

// RawFile is the name of the results file inside a run folder.
const RawFile = "raw.bench"

// Status of a cell.
const (
	StatusOK      = "ok"
	StatusSkipped = "skipped"
	StatusFailed  = "failed"
)

// KV is one configuration line or one key=value of a benchmark name.
type KV struct {
	Key, Value string
}

// Run is one results folder.
type Run struct {
	Dir      string
	Config   []KV           // configuration lines in file order (first value of each key)
	Better   map[string]int // unit → +1 higher is better, -1 lower is better (from Unit lines)
	Cells    []*Cell        // in canonical order (see cellLess)
	Warnings []string       // parse warnings, "file:line: message"
	Label    string         // run label when several runs are combined ("" for one run)
	Claims   bool           // the folder also holds claims.bench (mpbench claims): REPORT.md links CLAIMS.md
	PerRun   bool           // the file marks program runs (`run:` config lines); else every sample is its own run
}

// RunKey is the configuration key that precedes every program-run block
// of a cell in raw.bench (`run: k`, k = 1, 2, … per cell).
const RunKey = "run"

// runID is the program run a sample belongs to: the block's `run:` value,
// or, in files without run lines, a run of its own (the negative line
// number, unique per sample) — old files read as one sample per run.
func runID(v string, line int) int {
	if k, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && k > 0 {
		return k
	}
	return -line
}

// Cell holds the samples of one benchmark name in one run.
type Cell struct {
	Name     string     // without the "Benchmark" prefix
	Parsed   bool       // Name parsed with bench.ParseName
	Cell     bench.Cell // valid when Parsed
	Keys     []KV       // key=value parts of the name, in order
	Kind     string     // first part of the name: Startup, Pingpong, Stream, Pool, Claim, …
	Units    []string   // metric units in first-seen order
	Samples  map[string][]float64
	RunIDs   map[string][]int // program run of each sample, parallel to Samples (see runID)
	Iters    []int
	Notes    []string // `--- NOTE: <name>: <text>` lines, in file order
	Unstable bool     // a NOTE line says "unstable: …" (the cell hit the run cap)
	Status   string   // ok, skipped, failed
	Reason   string   // skip or failure reason
	Run      *Run

	line     int   // first line of the cell in raw.bench
	parseErr error // why bench.ParseName refused the name
}

// Get returns the value of a name key ("" when absent).
func (c *Cell) Get(key string) string {
	for _, kv := range c.Keys {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// Host is the host of the run a cell belongs to.
func (r *Run) Host() string { return r.ConfigValue("host") }

// ConfigValue returns the first value of a configuration key.
func (r *Run) ConfigValue(key string) string {
	for _, kv := range r.Config {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

var (
	configLine = regexp.MustCompile(`^([a-z][^\s:]*):(?:\s+(.*))?$`)
	unitLine   = regexp.MustCompile(`^Unit\s+(\S+)\s+(.*)$`)
)

// Load parses DIR/raw.bench. Malformed lines are reported to warn (and in
// Run.Warnings) and skipped. A missing folder or file is an error with one
// clear line.
func Load(dir string, warn io.Writer) (*Run, error) {
	path := filepath.Join(dir, RawFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no results in %s: %s not found", dir, RawFile)
		}
		return nil, fmt.Errorf("no results in %s: %v", dir, err)
	}
	// Warnings name the file relative to the folder ("raw.bench:12: …")
	// so that the report does not depend on where the folder lives.
	run, err := parse(data, RawFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dir, err)
	}
	run.Dir = dir
	if _, err := os.Stat(filepath.Join(dir, "claims.bench")); err == nil {
		run.Claims = true
	}
	if warn != nil {
		for _, w := range run.Warnings {
			fmt.Fprintf(warn, "warning: %s%c%s\n", dir, os.PathSeparator, w)
		}
	}
	return run, nil
}

// parse reads the contents of a raw.bench file; name is used in warnings.
func parse(data []byte, name string) (*Run, error) {
	run := &Run{Better: map[string]int{}}
	warnf := func(line int, format string, a ...any) {
		run.Warnings = append(run.Warnings, fmt.Sprintf("%s:%d: ", name, line)+fmt.Sprintf(format, a...))
	}
	// A crash while writing leaves a last line without newline: drop it.
	if n := len(data); n > 0 && data[n-1] != '\n' {
		i := bytes.LastIndexByte(data, '\n')
		line := bytes.Count(data, []byte("\n")) + 1
		warnf(line, "truncated last line (no newline), skipped: %q", clip(string(data[i+1:]), 80))
		data = data[:i+1]
	}

	cells := map[string]*Cell{}
	var order []*Cell
	get := func(name string, line int) *Cell {
		if c, ok := cells[name]; ok {
			return c
		}
		c := newCell(name, run)
		c.line = line
		cells[name] = c
		order = append(order, c)
		return c
	}

	// Pass 1: configuration, unit metadata, skip and fail lines (benchfmt
	// ignores the latter).
	seenConfig := map[string]bool{}
	sawRunKey := false
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r")
		lineNo := i + 1
		switch {
		case strings.HasPrefix(line, "Benchmark"):
		case strings.HasPrefix(line, "--- NOTE: "):
			bname, text, _ := strings.Cut(line[len("--- NOTE: "):], ": ")
			bname = strings.TrimSpace(bname)
			if !strings.HasPrefix(bname, "Benchmark") || strings.ContainsAny(bname, " \t") {
				warnf(lineNo, "malformed NOTE line, skipped")
				continue
			}
			c := get(strings.TrimPrefix(bname, "Benchmark"), lineNo)
			text = strings.TrimSpace(text)
			c.Notes = append(c.Notes, text)
			if strings.HasPrefix(text, "unstable") {
				c.Unstable = true
			}
		case strings.HasPrefix(line, "--- SKIP: "), strings.HasPrefix(line, "--- FAIL: "):
			status := StatusSkipped
			if strings.HasPrefix(line, "--- FAIL: ") {
				status = StatusFailed
			}
			rest := line[len("--- SKIP: "):]
			bname, reason, _ := strings.Cut(rest, ": ")
			bname = strings.TrimSpace(bname)
			if !strings.HasPrefix(bname, "Benchmark") || strings.ContainsAny(bname, " \t") {
				warnf(lineNo, "malformed %s line, skipped", status)
				continue
			}
			c := get(strings.TrimPrefix(bname, "Benchmark"), lineNo)
			// failed beats skipped; the first reason of a status wins.
			if c.Status != StatusFailed {
				c.Status, c.Reason = status, strings.TrimSpace(reason)
			}
			if c.Reason == "" {
				c.Reason = "no reason given"
			}
		case unitLine.MatchString(line):
			m := unitLine.FindStringSubmatch(line)
			for _, f := range strings.Fields(m[2]) {
				switch f {
				case "better=higher":
					run.Better[m[1]] = +1
				case "better=lower":
					run.Better[m[1]] = -1
				}
			}
		case configLine.MatchString(line):
			// Configuration of the run: every key but the per-block
			// program-run index (RunKey), first value wins; keys written
			// after the first result (load-end, steal-ns of the final
			// block) are kept too.
			m := configLine.FindStringSubmatch(line)
			if m[1] == RunKey {
				sawRunKey = true
				continue
			}
			if !seenConfig[m[1]] {
				seenConfig[m[1]] = true
				run.Config = append(run.Config, KV{m[1], strings.TrimSpace(m[2])})
			}
		}
	}

	// Pass 2: result lines through benchfmt.
	r := benchfmt.NewReader(bytes.NewReader(data), name)
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			_, line := rec.Pos()
			warnf(line, "%s, line skipped", rec.Msg)
		case *benchfmt.Result:
			bname := strings.TrimPrefix(string(rec.Name), "Benchmark")
			_, line := rec.Pos()
			c := get(bname, line)
			c.Iters = append(c.Iters, rec.Iters)
			id := runID(rec.GetConfig(RunKey), line)
			for _, v := range rec.Values {
				unit, val := bench.Metric(v)
				if _, ok := c.Samples[unit]; !ok {
					c.Units = append(c.Units, unit)
				}
				c.Samples[unit] = append(c.Samples[unit], val)
				c.RunIDs[unit] = append(c.RunIDs[unit], id)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	for _, c := range order {
		if !c.Parsed && c.Kind != "Claim" {
			warnf(c.line, "cell %s: name does not parse (%v); shown under other results", c.Name, c.parseErr)
		}
	}
	sortCells(order)
	run.Cells = order
	run.PerRun = sawRunKey
	return run, nil
}

func newCell(name string, run *Run) *Cell {
	c := &Cell{Name: name, Samples: map[string][]float64{}, RunIDs: map[string][]int{}, Status: StatusOK, Run: run}
	parts := strings.Split(name, "/")
	c.Kind = parts[0]
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		c.Keys = append(c.Keys, KV{k, v})
	}
	if bc, err := bench.ParseName(name); err == nil {
		c.Parsed, c.Cell = true, bc
	} else {
		c.parseErr = err
	}
	return c
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
