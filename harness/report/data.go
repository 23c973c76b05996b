package report

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/mpbench/mpbench/bench"
)

// Data is the combined view of one or more runs.
type Data struct {
	Runs  []*Run
	Multi bool    // more than one run: the run label is a dimension
	Cells []*Cell // all cells, by run then canonical order

	stats map[*Cell]map[string]Stats
	read  func(*Cell) // when set, called with every cell whose statistics are asked for (tests)
}

// newData combines runs. When runs come from different hosts, the host
// name labels each run; runs of the same host are labelled host/folder.
func newData(runs []*Run) *Data {
	d := &Data{Runs: runs, Multi: len(runs) > 1, stats: map[*Cell]map[string]Stats{}}
	if d.Multi {
		hosts := map[string]int{}
		for _, r := range runs {
			hosts[hostOf(r)]++
		}
		for _, r := range runs {
			r.Label = hostOf(r)
			if hosts[r.Label] > 1 {
				r.Label += "/" + filepath.Base(filepath.Clean(r.Dir))
			}
		}
	}
	for _, r := range runs {
		d.Cells = append(d.Cells, r.Cells...)
	}
	return d
}

// hostOf is the host label (hosts.go): machines often share a name.
func hostOf(r *Run) string { return r.HostLabel() }

// Stat returns the (memoised) statistics of one metric of a cell; a cell
// the run does not have (nil) has none (N = 0, shown as "—").
func (d *Data) Stat(c *Cell, unit string) Stats {
	if c == nil {
		return Stats{}
	}
	if d.read != nil {
		d.read(c)
	}
	m := d.stats[c]
	if m == nil {
		m = map[string]Stats{}
		d.stats[c] = m
	}
	if s, ok := m[unit]; ok {
		return s
	}
	s := SummarizeUnit(unit, c.Samples[unit], c.RunIDs[unit])
	m[unit] = s
	return s
}

// workload returns the parsed cells of one workload that measure the
// driver's own main module (no main or preload key): the cells every
// table, figure and finding of the matrix is made of. The cells of other
// main weights and preloads have their own section (program.go).
func (d *Data) workload(w string) []*Cell {
	var out []*Cell
	for _, c := range d.Cells {
		if c.Parsed && c.Cell.Workload == w && !programVariant(c) {
			out = append(out, c)
		}
	}
	return out
}

// anyProgram returns the parsed cells of one workload, whatever their main
// module and preload.
func (d *Data) anyProgram(w string) []*Cell {
	var out []*Cell
	for _, c := range d.Cells {
		if c.Parsed && c.Cell.Workload == w {
			out = append(out, c)
		}
	}
	return out
}

// programVariant reports whether a cell's name has a main or a preload key
// (a main module other than the stub, or a fork server that preloads
// nothing), read from the name so that unparsed names count too.
func programVariant(c *Cell) bool { return c.Get("main") != "" || c.Get("preload") != "" }

// others returns the cells that are not of the four workloads (claims,
// names that do not parse).
func (d *Data) others() []*Cell {
	var out []*Cell
	for _, c := range d.Cells {
		if !c.Parsed {
			out = append(out, c)
		}
	}
	return out
}

// group is an ordered set of cells sharing a key.
type group struct {
	key   string
	cells []*Cell
}

// groupBy splits cells (kept in order) by key, groups in first-seen order.
func groupBy(cells []*Cell, key func(*Cell) string) []group {
	idx := map[string]int{}
	var out []group
	for _, c := range cells {
		k := key(c)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, group{key: k})
		}
		out[i].cells = append(out[i].cells, c)
	}
	return out
}

// present returns the values of list that occur among the cells.
func present(list []string, cells []*Cell, get func(bench.Cell) string) []string {
	seen := map[string]bool{}
	for _, c := range cells {
		seen[get(c.Cell)] = true
	}
	var out []string
	for _, v := range list {
		if seen[v] {
			out = append(out, v)
		}
	}
	return out
}

// presentInts returns the sorted distinct values of an int parameter.
func presentInts(cells []*Cell, get func(bench.Cell) int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, c := range cells {
		v := get(c.Cell)
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// find returns the cell of a run with the given parsed cell (nil if none).
func (d *Data) find(r *Run, bc bench.Cell) *Cell {
	name := bc.Name()
	for _, c := range r.Cells {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// hasSamples reports whether the cell has samples of unit.
func hasSamples(c *Cell, unit string) bool {
	return c != nil && len(c.Samples[unit]) > 0
}

// fmtNs formats a duration in nanoseconds with a readable unit.
func fmtNs(ns float64) string { return fmtValue("ns/op", ns) }

// fmtValue formats a value of a metric in its human unit.
func fmtValue(unit string, v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	scale, suffix := humanScale(unit, v)
	return sig3(v/scale) + suffix
}

// sizeLabel is the canonical size text (64B, 4KiB, 0).
func sizeLabel(n int64) string { return bench.FormatSize(n) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
