package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// compareUnits are the metrics compared, in order: the headline ns/op and
// the stream throughput.
var compareUnits = []string{"ns/op", "MB/s"}

// defaultBaseline is the baseline value of a dimension for `by`.
var defaultBaseline = map[string]string{
	"impl":   "native",
	"method": "fork",
	"chan":   "pipe",
	"cores":  "1",
}

// Compare writes a benchstat-style comparison. With by == "" it compares
// the cells of the run in oldDir with the same cells of newDir. With by ==
// "impl" (or "impl=cpython", "method", "method=spawn", "chan", "cores") it
// compares, within oldDir, each cell with the cell that differs only in
// that dimension and holds the baseline value (default: native, fork,
// pipe, 1); newDir is ignored. For each metric: old and new medians, the
// delta in percent, the Mann–Whitney U p-value ("~" when p ≥ 0.05), and
// the geometric mean of each column at the bottom.
func Compare(w io.Writer, oldDir, newDir string, by string) error {
	if by == "" {
		if newDir == "" {
			return fmt.Errorf("compare: need two results folders (or --by impl)")
		}
		a, err := view.Load(oldDir, nil)
		if err != nil {
			return err
		}
		b, err := view.Load(newDir, nil)
		if err != nil {
			return err
		}
		warnAll(w, a, b)
		return compareRuns(w, a, b, oldDir, newDir)
	}
	dim, base, _ := strings.Cut(by, "=")
	if base == "" {
		var ok bool
		if base, ok = defaultBaseline[dim]; !ok {
			return fmt.Errorf("compare: cannot compare by %q (want impl, method, chan or cores, optionally =baseline)", by)
		}
	}
	r, err := view.Load(oldDir, nil)
	if err != nil {
		return err
	}
	warnAll(w, r)
	return compareBy(w, r, dim, base)
}

func warnAll(w io.Writer, runs ...*view.Run) {
	for _, r := range runs {
		for _, m := range r.Warnings {
			fmt.Fprintf(w, "warning: %s%c%s\n", r.Dir, os.PathSeparator, m)
		}
	}
}

type cmpRow struct {
	name      string
	old, new_ view.Stats
}

func writeCompare(w io.Writer, title, oldName, newName, unit string, rows []cmpRow) error {
	t := &Table{
		Title:  title,
		Header: []string{"cell", oldName + " " + unit, newName + " " + unit, "vs base"},
		Left:   1,
	}
	var olds, news []float64
	for _, r := range rows {
		c := CompareStats(r.old, r.new_)
		olds, news = append(olds, c.Base), append(news, c.New)
		t.Rows = append(t.Rows, []string{r.name, cmpCell(unit, r.old), cmpCell(unit, r.new_), c.DeltaString()})
	}
	go_, gn := GeoMean(olds), GeoMean(news)
	t.Rows = append(t.Rows, []string{"geomean", bench.Format(unit, go_), bench.Format(unit, gn),
		fmt.Sprintf("%+.2f%%", (gn-go_)/go_*100)})
	t.Caption = fmt.Sprintf("Values: median of per-run medians ±%% (half-width of the 95%% CI relative to the median, larger side). "+
		"vs base: change of the median when the Mann–Whitney U test over per-run medians gives p < α = %.2f, \"~\" otherwise.", Alpha)
	return t.Text(w)
}

// cmpCell is "median ±pct%" as benchstat prints it.
func cmpCell(unit string, s view.Stats) string {
	out := bench.Format(unit, s.Median)
	if s.CIValid && s.Median != 0 {
		half := max(s.Hi-s.Median, s.Median-s.Lo)
		out += fmt.Sprintf(" ±%.0f%%", half/s.Median*100)
	} else {
		out += " ±∞"
	}
	return out
}

func compareRuns(w io.Writer, a, b *view.Run, oldName, newName string) error {
	idx := byName(b)
	for _, unit := range compareUnits {
		var rows []cmpRow
		for _, c := range a.Cells {
			n := idx[c.Name]
			if !c.Has(unit) || !n.Has(unit) {
				continue
			}
			rows = append(rows, cmpRow{c.Name, c.Stats(unit), n.Stats(unit)})
		}
		if len(rows) == 0 {
			continue
		}
		if err := writeCompare(w, "Comparison of "+oldName+" (old) and "+newName+" (new): "+unit, "old", "new", unit, rows); err != nil {
			return err
		}
	}
	return writeCalibration(w, a, b)
}

// writeCalibration is the calibration figure of two runs of the same
// profile: per workload and overall, the share of cells whose median lies
// inside the other run's 95% CI (both ways), whose CIs overlap, and whose
// medians are within 10%. With honest CIs the first is ≈ 80–85%.
func writeCalibration(w io.Writer, a, b *view.Run) error {
	t := &Table{
		Title: "Calibration: run-to-run agreement of the headline metric (ns/op) over cells with a 95% CI in both runs",
		Header: []string{"workload", "cells", "median inside the other's CI", "CIs overlap", "medians within 10%", "within ×1.5",
			"CI half-width ≤ 5% (old; new)", "≤ 10% (old; new)"},
		Left: 1,
	}
	row := func(name string, ag AgreementStats) []string {
		f := func(n int) string { return fmt.Sprintf("%d (%.0f%%)", n, pct(n, ag.Cells)) }
		return []string{name, fmt.Sprint(ag.Cells), f(ag.MutualCI), f(ag.Overlap), f(ag.Within10), f(ag.Within50),
			f(ag.HalfWidth5[0]) + "; " + f(ag.HalfWidth5[1]), f(ag.HalfWidth10[0]) + "; " + f(ag.HalfWidth10[1])}
	}
	for _, wl := range bench.Workloads {
		if ag := agreement(a, b, wl); ag.Cells > 0 {
			t.Rows = append(t.Rows, row(wl, ag))
		}
	}
	t.Rows = append(t.Rows, row("all", Agreement(a, b)))
	t.Caption = "Inside the other's CI: each run's median lies inside the other run's interval. If the intervals were honest 95% intervals of the same quantity, about 80–85% of cells would pass (two intervals of independent runs); far fewer means the interval ignores a source of variation (see the between-run share in the report)."
	return t.Text(w)
}

// AgreementStats measures how well two runs of the same cells agree.
type AgreementStats struct {
	Cells    int // cells with a valid CI of the headline metric in both runs
	MutualCI int // each median lies inside the other run's 95% CI
	Overlap  int // the two 95% CIs overlap
	Within10 int // medians within 10% of each other
	Within50 int // medians within a factor 1.5
	// Cells whose CI half-width is at most 5% / 10% of the median, in the
	// first and in the second run.
	HalfWidth5, HalfWidth10 [2]int
}

// Agreement compares the headline metric (ns/op) of every cell two runs
// share: the reproduction figure of a second run against the first.
func Agreement(a, b *view.Run) AgreementStats { return agreement(a, b, "") }

// agreement is Agreement restricted to one workload ("" = all).
func agreement(a, b *view.Run, workload string) AgreementStats {
	idx := byName(b)
	var ag AgreementStats
	for _, c := range a.Cells {
		n := idx[c.Name]
		if workload != "" && !strings.EqualFold(c.Kind, workload) {
			continue
		}
		if !c.Has("ns/op") || !n.Has("ns/op") {
			continue
		}
		x, y := c.Stats("ns/op"), n.Stats("ns/op")
		if !x.CIValid || !y.CIValid {
			continue
		}
		ag.Cells++
		if x.Median >= y.Lo && x.Median <= y.Hi && y.Median >= x.Lo && y.Median <= x.Hi {
			ag.MutualCI++
		}
		if x.Lo <= y.Hi && y.Lo <= x.Hi {
			ag.Overlap++
		}
		r := x.Median / y.Median
		if r >= 1/1.1 && r <= 1.1 {
			ag.Within10++
		}
		if r >= 1/1.5 && r <= 1.5 {
			ag.Within50++
		}
		for i, s := range []view.Stats{x, y} {
			hw := (s.Hi - s.Lo) / 2 / s.Median
			ag.HalfWidth5[i] += b2i(hw <= 0.05)
			ag.HalfWidth10[i] += b2i(hw <= 0.10)
		}
	}
	return ag
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pct(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

// byName indexes a run's cells by name.
func byName(r *view.Run) map[string]*view.Cell {
	idx := make(map[string]*view.Cell, len(r.Cells))
	for _, c := range r.Cells {
		idx[c.Name] = c
	}
	return idx
}

// withDim returns the cell name with dimension dim set to v.
func withDim(c bench.Cell, dim, v string) (bench.Cell, bool) {
	switch dim {
	case "impl":
		c.Impl = v
		if !bench.CarriesTensors(v) {
			c.Payload = ""
		}
	case "method":
		c.Method = v
	case "chan":
		c.Chan = v
	case "cores":
		var n int
		if _, err := fmt.Sscanf(v, "%d", &n); err != nil {
			return c, false
		}
		c.Cores = n
	default:
		return c, false
	}
	return c, true
}

func dimValue(c bench.Cell, dim string) string {
	switch dim {
	case "impl":
		return c.Impl
	case "method":
		return c.Method
	case "chan":
		return c.Chan
	case "cores":
		return fmt.Sprint(c.Cores)
	}
	return ""
}

func compareBy(w io.Writer, r *view.Run, dim, base string) error {
	idx := byName(r)
	for _, unit := range compareUnits {
		var rows []cmpRow
		for _, c := range r.Cells {
			if !c.Parsed || dimValue(c.Cell, dim) == base || !c.Has(unit) {
				continue
			}
			bc, ok := withDim(c.Cell, dim, base)
			if !ok {
				continue
			}
			b := idx[bc.Name()]
			if !b.Has(unit) {
				continue
			}
			rows = append(rows, cmpRow{c.Name, b.Stats(unit), c.Stats(unit)})
		}
		if len(rows) == 0 {
			continue
		}
		title := fmt.Sprintf("Each %s vs %s=%s in %s: %s", dim, dim, base, r.Dir, unit)
		if err := writeCompare(w, title, base, "cell", unit, rows); err != nil {
			return err
		}
	}
	return nil
}
