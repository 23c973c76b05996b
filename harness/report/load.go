package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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

// Cell holds the samples of one benchmark name in one run.
type Cell struct {
	Name    string     // without the "Benchmark" prefix
	Parsed  bool       // Name parsed with bench.ParseName
	Cell    bench.Cell // valid when Parsed
	Keys    []KV       // key=value parts of the name, in order
	Kind    string     // first part of the name: Startup, Pingpong, Stream, Pool, Claim, …
	Units   []string   // metric units in first-seen order
	Samples map[string][]float64
	RunIDs  map[string][]int // program run of each sample, parallel to Samples (see runID)
	Iters   []int
	Notes   []string      // `--- NOTE: <name>: <text>` lines, in file order
	Stop    rawbench.Stop // what ended the cell's runs while its CI was wider than the target (a NOTE), or none
	Status  string        // ok, skipped, failed
	Reason  string        // skip or failure reason
	Run     *Run

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
	run, err := parse(data, RawFile)
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

// parse reads the contents of a results file (rawbench.Parse) into the
// report's view; name is used in warnings.
func parse(data []byte, name string) (*Run, error) {
	f, err := rawbench.Parse(data, name)
	if err != nil {
		return nil, err
	}
	run := &Run{Better: f.Better, Warnings: f.Warnings, PerRun: f.HasRuns}
	for _, kv := range f.Config {
		run.Config = append(run.Config, KV{kv.Key, kv.Value})
	}
	var order []*Cell
	for _, rc := range f.Cells {
		c := newCell(rc.Name, run)
		c.line = rc.Line
		c.Status, c.Reason = rc.Status(), rc.Reason()
		c.Notes = rc.Notes
		c.Stop = rc.Stop()
		c.Units = rc.Units
		c.Iters = rc.Iters()
		for _, u := range rc.Units {
			for _, r := range rc.Runs {
				for _, smp := range r.Samples {
					if v, ok := smp.Values[u]; ok {
						c.Samples[u] = append(c.Samples[u], v)
						c.RunIDs[u] = append(c.RunIDs[u], r.K)
					}
				}
			}
		}
		order = append(order, c)
	}
	for _, c := range order {
		if !c.Parsed {
			run.Warnings = append(run.Warnings, fmt.Sprintf("%s:%d: cell %s: name does not parse (%v); shown under other results", name, c.line, c.Name, c.parseErr))
		}
	}
	sortCells(order)
	run.Cells = order
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
