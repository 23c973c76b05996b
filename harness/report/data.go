package report

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// Data is the combined view of one or more runs.
type Data struct {
	Runs  []*view.Run
	Multi bool         // more than one run: the run label is a dimension
	Cells []*view.Cell // all cells, by run then canonical order

	read func(*view.Cell) // when set, called with every cell whose statistics are asked for (tests)
}

// newData combines runs. When runs come from different hosts, the host
// name labels each run; runs of the same host are labelled host/folder.
func newData(runs []*view.Run) *Data {
	d := &Data{Runs: runs, Multi: len(runs) > 1}
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

// hostOf is the host label (view.Run.HostLabel): machines often share a name.
func hostOf(r *view.Run) string { return r.HostLabel() }

// Stat returns the statistics of one metric of a cell (computed once, by
// the cell); a cell the run does not have (nil) has none (N = 0, shown
// as "—").
func (d *Data) Stat(c *view.Cell, unit string) view.Stats {
	if c == nil {
		return view.Stats{}
	}
	if d.read != nil {
		d.read(c)
	}
	return c.Stats(unit)
}

// sumStat is the statistics of the per-sample sum of two metrics of a cell
// (start-up + join = what a program pays per child, computed once by the
// cell); ok is false when the two metrics are not recorded on the same
// samples.
func (d *Data) sumStat(c *view.Cell, a, b string) (view.Stats, bool) {
	if c == nil {
		return view.Stats{}, false
	}
	if d.read != nil {
		d.read(c)
	}
	return c.SumStats(a, b)
}

// workload returns the parsed cells of one workload that measure the
// driver's own main module (no main or preload key): the cells every
// table, figure and finding of the matrix is made of. The cells of other
// main weights and preloads have their own section (program.go).
func (d *Data) workload(w string) []*view.Cell {
	return view.Select(d.Cells, func(c *view.Cell) bool { return c.Parsed && c.Cell.Workload == w && !programVariant(c) })
}

// anyProgram returns the parsed cells of one workload, whatever their main
// module and preload.
func (d *Data) anyProgram(w string) []*view.Cell {
	return view.Select(d.Cells, func(c *view.Cell) bool { return c.Parsed && c.Cell.Workload == w })
}

// programVariant reports whether a cell's name has a main or a preload key
// (a main module other than the stub, or a fork server that preloads
// nothing), read from the name so that unparsed names count too.
func programVariant(c *view.Cell) bool { return c.Get("main") != "" || c.Get("preload") != "" }

// others returns the cells that are not of the four workloads (claims,
// names that do not parse).
func (d *Data) others() []*view.Cell {
	return view.Select(d.Cells, func(c *view.Cell) bool { return !c.Parsed })
}

// present returns the values of list that occur among the cells.
func present(list []string, cells []*view.Cell, get func(bench.Cell) string) []string {
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
func presentInts(cells []*view.Cell, get func(bench.Cell) int64) []int64 {
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
func (d *Data) find(r *view.Run, bc bench.Cell) *view.Cell { return r.Find(bc.Name()) }

// sizeLabel is the canonical size text (64B, 4KiB, 0).
func sizeLabel(n int64) string { return bench.FormatSize(n) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
