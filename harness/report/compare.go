package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mpbench/mpbench/bench"
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
		a, err := Load(oldDir, nil)
		if err != nil {
			return err
		}
		b, err := Load(newDir, nil)
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
	r, err := Load(oldDir, nil)
	if err != nil {
		return err
	}
	warnAll(w, r)
	return compareBy(w, r, dim, base)
}

func warnAll(w io.Writer, runs ...*Run) {
	for _, r := range runs {
		for _, m := range r.Warnings {
			fmt.Fprintf(w, "warning: %s%c%s\n", r.Dir, os.PathSeparator, m)
		}
	}
}

type cmpRow struct {
	name      string
	old, new_ []float64
}

func writeCompare(w io.Writer, title, oldName, newName, unit string, rows []cmpRow) error {
	t := &Table{
		Title:  title,
		Header: []string{"cell", oldName + " " + unit, newName + " " + unit, "vs base", "p"},
		Left:   1,
	}
	var olds, news []float64
	for _, r := range rows {
		c := CompareSamples(r.old, r.new_)
		olds, news = append(olds, c.Base), append(news, c.New)
		t.Rows = append(t.Rows, []string{r.name, cmpCell(unit, r.old), cmpCell(unit, r.new_), c.DeltaString(),
			fmt.Sprintf("p=%.3f n=%d+%d", c.P, len(r.old), len(r.new_))})
	}
	go_, gn := GeoMean(olds), GeoMean(news)
	t.Rows = append(t.Rows, []string{"geomean", fmtValue(unit, go_), fmtValue(unit, gn),
		fmt.Sprintf("%+.2f%%", (gn-go_)/go_*100), ""})
	t.Caption = "vs base: change of the median in percent, \"~\" when the Mann–Whitney U test gives p ≥ 0.05 (no significant difference)."
	return t.Text(w)
}

// cmpCell is "median ±pct%" as benchstat prints it.
func cmpCell(unit string, xs []float64) string {
	s := Summarize(xs)
	out := fmtValue(unit, s.Median)
	if s.CIValid && s.Median != 0 {
		half := max(s.Hi-s.Median, s.Median-s.Lo)
		out += fmt.Sprintf(" ±%.0f%%", half/s.Median*100)
	} else {
		out += " ±∞"
	}
	return out
}

func compareRuns(w io.Writer, a, b *Run, oldName, newName string) error {
	idx := byName(b)
	for _, unit := range compareUnits {
		var rows []cmpRow
		for _, c := range a.Cells {
			n := idx[c.Name]
			if !hasSamples(c, unit) || !hasSamples(n, unit) {
				continue
			}
			rows = append(rows, cmpRow{c.Name, c.Samples[unit], n.Samples[unit]})
		}
		if len(rows) == 0 {
			continue
		}
		if err := writeCompare(w, "Comparison of "+oldName+" (old) and "+newName+" (new): "+unit, "old", "new", unit, rows); err != nil {
			return err
		}
	}
	ag := Agreement(a, b)
	fmt.Fprintf(w, "Run-to-run agreement (headline metric of %d cells with 95%% CIs in both runs): "+
		"%d (%.0f%%) have each median inside the other run's CI; %d (%.0f%%) have overlapping CIs; "+
		"%d (%.0f%%) have medians within 10%%, %d (%.0f%%) within ×1.5.\n",
		ag.Cells, ag.MutualCI, pct(ag.MutualCI, ag.Cells), ag.Overlap, pct(ag.Overlap, ag.Cells),
		ag.Within10, pct(ag.Within10, ag.Cells), ag.Within50, pct(ag.Within50, ag.Cells))
	return nil
}

// AgreementStats measures how well two runs of the same cells agree.
type AgreementStats struct {
	Cells    int // cells with a valid CI of the headline metric in both runs
	MutualCI int // each median lies inside the other run's 95% CI
	Overlap  int // the two 95% CIs overlap
	Within10 int // medians within 10% of each other
	Within50 int // medians within a factor 1.5
}

// Agreement compares the headline metric (ns/op) of every cell two runs
// share: the reproduction figure of a second run against the first.
func Agreement(a, b *Run) AgreementStats {
	idx := byName(b)
	var ag AgreementStats
	for _, c := range a.Cells {
		n := idx[c.Name]
		if !hasSamples(c, "ns/op") || !hasSamples(n, "ns/op") {
			continue
		}
		x, y := Summarize(c.Samples["ns/op"]), Summarize(n.Samples["ns/op"])
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
	}
	return ag
}

func pct(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

// byName indexes a run's cells by name.
func byName(r *Run) map[string]*Cell {
	idx := make(map[string]*Cell, len(r.Cells))
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
		if v != "torch" {
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

func compareBy(w io.Writer, r *Run, dim, base string) error {
	idx := byName(r)
	for _, unit := range compareUnits {
		var rows []cmpRow
		for _, c := range r.Cells {
			if !c.Parsed || dimValue(c.Cell, dim) == base || !hasSamples(c, unit) {
				continue
			}
			bc, ok := withDim(c.Cell, dim, base)
			if !ok {
				continue
			}
			b := idx[bc.Name()]
			if !hasSamples(b, unit) {
				continue
			}
			rows = append(rows, cmpRow{c.Name, b.Samples[unit], c.Samples[unit]})
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
