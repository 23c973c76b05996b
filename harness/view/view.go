// Package view is the one read model of a results file (raw.bench, and
// claims.bench, which has the same format): what the report, the claims'
// verdicts, compare, advise and the dimensioning analysis read, as
// golang.org/x/perf's benchproc sits between benchfmt and benchstat.
//
// Contract:
//
//   - It is built only on harness/rawbench, the one reader and writer of
//     the file; nothing else here knows the file's layout.
//   - A Run is one results folder (or file); a Cell is everything the file
//     records under one benchmark name: the parsed matrix cell (bench.Cell,
//     when the name parses), the key=value parts of the name, its status,
//     its notes and its program runs.
//   - A metric's summary of a cell (Cell.Stats) is computed once, through
//     harness/stats (the median of the per-run medians and its
//     distribution-free CI over program runs), and cached on the cell.
//   - Values are formatted only through bench.Metrics (bench.Format,
//     bench.Scale): this package holds no formatter.
//   - Filter, Select and GroupBy choose and group cells by their matrix
//     dimensions; Less orders them as the matrix does.
//   - The writer face (write.go) hands the file writer of rawbench to the
//     packages that append to a results file of their own (claims), so
//     that they read and write through one package.
package view

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// RawFile is the name of the results file inside a run folder.
const RawFile = rawbench.RawFile

// RunKey is the configuration key that numbers the program runs of a cell.
const RunKey = rawbench.RunKey

// Status of a cell.
const (
	StatusOK      = rawbench.StatusOK
	StatusSkipped = rawbench.StatusSkipped
	StatusFailed  = rawbench.StatusFailed
)

// Stop says what ended the program runs of a cell while its CI was wider
// than the run's target (rawbench.Stop).
type Stop = rawbench.Stop

// What stopped a cell (rawbench's constants).
const (
	StopNone   = rawbench.StopNone
	StopRunCap = rawbench.StopRunCap
	StopBudget = rawbench.StopBudget
)

// KV is one configuration line or one key=value part of a benchmark name.
type KV = rawbench.KV

// ProgramRun is the samples of one program run of a cell, with its wall
// time (0 when not recorded).
type ProgramRun = rawbench.Run

// Sample is one result line: its iteration count and its metrics by unit.
type Sample = rawbench.Sample

// Run is one results folder.
type Run struct {
	Dir      string
	Config   []KV           // configuration lines in file order (first value of each key)
	Better   map[string]int // unit → +1 higher is better, -1 lower is better (from Unit lines)
	Cells    []*Cell        // in canonical order (see Less)
	Warnings []string       // parse warnings, "file:line: message"
	Notes    []string       // NOTE lines about the run (not about one cell)
	Label    string         // run label when several runs are combined ("" for one run)
	Claims   bool           // the folder also holds claims.bench (mpbench claims): REPORT.md links CLAIMS.md
	PerRun   bool           // the file marks program runs (`run:` config lines); else every sample is its own run

	fileOrder []*Cell // the cells in order of first mention in the file
	fileWarn  int     // Warnings[:fileWarn] are the file's own (rawbench's)
}

// Cell holds what one run recorded under one benchmark name.
type Cell struct {
	Name   string     // without the "Benchmark" prefix
	Parsed bool       // Name parsed with bench.ParseName
	Cell   bench.Cell // valid when Parsed
	Keys   []KV       // key=value parts of the name, in order
	Kind   string     // first part of the name: Startup, Pingpong, Stream, Pool, Claim, …
	Units  []string   // metric units in first-seen order
	Iters  []int      // every sample's iteration count, in file order
	Notes  []string   // `--- NOTE: <name>: <text>` lines, in file order
	Stop   Stop       // what ended the cell's runs while its CI was wider than the target (a NOTE), or none
	Status string     // ok, skipped, failed
	Reason string     // skip or failure reason
	Run    *Run

	raw      *rawbench.Cell
	parseErr error // why bench.ParseName refused the name

	mu    sync.Mutex
	stats map[string]Stats // Stats and SumStats, by unit ("a+b" for a sum)
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

// ProgramRuns are the cell's program runs in order of first appearance.
func (c *Cell) ProgramRuns() []*ProgramRun { return c.file().Runs }

// Values is every sample's value of unit, pooled over the program runs,
// in file order.
func (c *Cell) Values(unit string) []float64 { return c.file().Values(unit) }

// ByRun is unit's values grouped by program run (runs without the unit
// are left out).
func (c *Cell) ByRun(unit string) [][]float64 { return c.file().ByRun(unit) }

// Has reports whether the cell has samples of unit (false for nil).
func (c *Cell) Has(unit string) bool {
	if c == nil {
		return false
	}
	for _, r := range c.file().Runs {
		for _, s := range r.Samples {
			if _, ok := s.Values[unit]; ok {
				return true
			}
		}
	}
	return false
}

// SkipReason and FailReason are the first reason of the cell's SKIP and
// FAIL lines ("" when it has none); Status and Reason say which one counts.
func (c *Cell) SkipReason() string { return c.file().Skip }

// FailReason: see SkipReason.
func (c *Cell) FailReason() string { return c.file().Fail }

// Host is the host of the run a cell belongs to.
func (r *Run) Host() string { return r.ConfigValue("host") }

// HostLabel is the label of the machine a run was measured on: the
// `host-label` line, or for older files one derived from host, cpu and
// nproc (machines often share a name).
func (r *Run) HostLabel() string {
	if l := r.ConfigValue("host-label"); l != "" {
		return l
	}
	n, _ := strconv.Atoi(r.ConfigValue("nproc"))
	return bench.HostLabel(r.Host(), r.ConfigValue("cpu"), n)
}

// RunID is the identity shards of one run share ("" for a run that was
// not sharded: the folder is the run).
func (r *Run) RunID() string { return r.ConfigValue("run-id") }

// ConfigValue returns the first value of a configuration key.
func (r *Run) ConfigValue(key string) string {
	for _, kv := range r.Config {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}

// ConfigMap is the configuration as a map (first value of each key).
func (r *Run) ConfigMap() map[string]string {
	m := map[string]string{}
	for _, kv := range r.Config {
		m[kv.Key] = kv.Value
	}
	return m
}

// Find returns the cell of the run with the given name (without the
// "Benchmark" prefix), or nil.
func (r *Run) Find(name string) *Cell {
	for _, c := range r.Cells {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// FileOrder is the run's cells in the order the file first mentions them
// (Cells is in canonical order); a run not read from one file (merged from
// shards, or built by hand) has no such order: its Cells.
func (r *Run) FileOrder() []*Cell {
	if r.fileOrder == nil {
		return r.Cells
	}
	return r.fileOrder
}

// FileWarnings are the warnings about the file's lines (rawbench's), without
// those about cell names that do not parse as matrix cells.
func (r *Run) FileWarnings() []string { return r.Warnings[:r.fileWarn] }

// Load parses DIR/raw.bench through the one results-file package
// (harness/rawbench). Malformed lines are reported to warn (and in
// Run.Warnings) and skipped. A missing folder or file is an error with one
// clear line.
func Load(dir string, warn io.Writer) (*Run, error) {
	path := filepath.Join(dir, RawFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no results in %s: %s not found", dir, RawFile)
		}
		return nil, fmt.Errorf("no results in %s: %w", dir, err)
	}
	// Warnings name the file relative to the folder ("raw.bench:12: …")
	// so that the report does not depend on where the folder lives.
	run, err := Parse(data, RawFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
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

// ReadDir reads DIR/raw.bench with rawbench's errors (rawbench.ErrNoResults
// when it is missing), without Load's check for claims.bench.
func ReadDir(dir string) (*Run, error) {
	f, err := rawbench.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	run := fromFile(f, RawFile)
	run.Dir = dir
	return run, nil
}

// Parse reads the contents of a results file (rawbench.Parse); name is
// used in warnings. A cell whose name does not parse as a matrix cell is
// kept (Parsed false) and warned about.
func Parse(data []byte, name string) (*Run, error) {
	f, err := rawbench.Parse(data, name)
	if err != nil {
		return nil, err
	}
	return fromFile(f, name), nil
}

// fromFile is the view of a parsed file; name is used in warnings.
func fromFile(f *rawbench.File, name string) *Run {
	run := &Run{Config: append([]KV(nil), f.Config...), Better: f.Better, PerRun: f.HasRuns, Notes: f.Notes,
		Warnings: append([]string(nil), f.Warnings...), fileWarn: len(f.Warnings)}
	for _, rc := range f.Cells {
		c := newCell(rc, run)
		run.fileOrder = append(run.fileOrder, c)
		if !c.Parsed {
			run.Warnings = append(run.Warnings, fmt.Sprintf("%s:%d: cell %s: name does not parse (%v); shown under other results", name, rc.Line, c.Name, c.parseErr))
		}
	}
	run.Cells = append([]*Cell(nil), run.fileOrder...)
	SortCells(run.Cells)
	return run
}

func newCell(rc *rawbench.Cell, run *Run) *Cell {
	c := &Cell{Name: rc.Name, Kind: rc.Kind(), Keys: rc.Keys(), Units: rc.Units, Iters: rc.Iters(), Notes: rc.Notes,
		Stop: rc.Stop(), Status: rc.Status(), Reason: rc.Reason(), Run: run, raw: rc}
	if bc, err := bench.ParseName(rc.Name); err == nil {
		c.Parsed, c.Cell = true, bc
	} else {
		c.parseErr = err
	}
	return c
}

// noRecord is the record of a cell built by hand (tests): nothing.
var noRecord = &rawbench.Cell{}

// file is what the file records under the cell's name.
func (c *Cell) file() *rawbench.Cell {
	if c.raw == nil {
		return noRecord
	}
	return c.raw
}
