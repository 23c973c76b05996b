package report

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// versionImpl matches the per-version CPython implementations
// (cpython3.8 … cpython3.13).
var versionImpl = regexp.MustCompile(`^cpython3\.(\d+)$`)

// libraryImpls are the drop-in forks of multiprocessing, with the stdlib
// under the same interpreter (impl=multiprocessing) as their reference and
// the default interpreter's cpython beside them.
var libraryImpls = append(append([]string(nil), bench.LibraryImpls...), "cpython")

// implOf is a cell's implementation, read from the name so that values
// newer than this build's bench.Impls still group correctly.
func implOf(c *view.Cell) string {
	if c.Parsed {
		return c.Cell.Impl
	}
	return c.Get("impl")
}

// cellsOf returns a run's cells of a workload by name key (parsed or not),
// so that implementations unknown to bench.ParseName are still reported;
// like Data.workload, only the cells of the driver's own main module.
func (d *Data) cellsOf(r *view.Run, workload string) []*view.Cell {
	var out []*view.Cell
	for _, c := range r.Cells {
		if strings.EqualFold(c.Kind, workload) && !programVariant(c) {
			out = append(out, c)
		}
	}
	return out
}

// key is a name key of a cell as int (0 when absent or malformed).
func keyInt(c *view.Cell, k string) int64 {
	v := c.Get(k)
	if n, err := bench.ParseSize(v); err == nil {
		return n
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// summaryTables: one table per workload at its headline point, rows =
// method × chan (× exec), columns = implementations (versions excluded:
// they have their own section).
func (d *Data) summaryTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		for _, w := range bench.Workloads {
			if t := d.summaryTable(r, w); t != nil {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// summaryTable is the summary table of one workload of a run (nil when the
// run has no cells of it with results at its headline point).
func (d *Data) summaryTable(r *view.Run, w string) *Table {
	cells := d.cellsOf(r, w)
	impls := summaryImpls(cells)
	if len(impls) == 0 {
		return nil
	}
	maxCores := maxKey(cells, "cores")
	at := view.Select(cells, func(c *view.Cell) bool { return keyInt(c, "cores") == maxCores && c.Get("payload") == "" })
	at, unit, point, what := headline(w, at, maxCores)
	if len(at) == 0 {
		return nil
	}
	hdr := []string{"method", "chan"}
	hasExec := slices.ContainsFunc(at, func(c *view.Cell) bool { return c.Get("exec") != "" })
	if hasExec {
		hdr = append(hdr, "exec")
	}
	t := &Table{
		Name:    fmt.Sprintf("summary-%s%s", w, d.suffix(r)),
		Section: "summary",
		Title:   fmt.Sprintf("%s: %s, %s, cores=%d%s", sectionHeading(w), what, point, maxCores, d.titleSuffix(r)),
		Header:  append(hdr, impls...),
		Left:    len(hdr),
	}
	keys, idx := summaryRows(at)
	for _, k := range keys {
		row := []string{k.m, k.ch}
		if k.ch == "" {
			row[1] = "—"
		}
		if hasExec {
			row = append(row, k.ex)
		}
		for _, im := range impls {
			row = append(row, d.summaryValue(w, unit, idx[k][im]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// summaryImpls are the columns of a summary table: the implementations
// with results among cells, versions excluded, in orderImpls order.
func summaryImpls(cells []*view.Cell) []string {
	var impls []string
	seen := map[string]bool{}
	for _, c := range cells {
		im := implOf(c)
		if !seen[im] && !versionImpl.MatchString(im) && len(c.Units) > 0 {
			seen[im] = true
			impls = append(impls, im)
		}
	}
	return orderImpls(impls)
}

// summaryRow is a row of a summary table: method, channel and executor.
type summaryRow struct{ m, ch, ex string }

// summaryRows are the rows of a summary table (methods in bench.Methods
// order, then channels in bench.Chans order, then executors) and per row
// the cell of each implementation.
func summaryRows(at []*view.Cell) ([]summaryRow, map[summaryRow]map[string]*view.Cell) {
	var keys []summaryRow
	idx := map[summaryRow]map[string]*view.Cell{}
	for _, c := range at {
		k := summaryRow{c.Get("method"), c.Get("chan"), c.Get("exec")}
		if idx[k] == nil {
			idx[k] = map[string]*view.Cell{}
			keys = append(keys, k)
		}
		idx[k][implOf(c)] = c
	}
	less := func(i, j int) bool {
		a, b := keys[i], keys[j]
		if x, y := view.Rank(bench.Methods, a.m), view.Rank(bench.Methods, b.m); x != y {
			return x < y
		}
		if a.m != b.m {
			return a.m < b.m
		}
		if x, y := view.Rank(bench.Chans, a.ch), view.Rank(bench.Chans, b.ch); x != y {
			return x < y
		}
		return a.ex < b.ex
	}
	sortSlice(len(keys), less, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys, idx
}

// summaryValue is a summary table's entry for cell c: start + join for
// start-up cells that time the join, else unit; the status where c has
// no samples of it, "" where there is no cell.
func (d *Data) summaryValue(w, unit string, c *view.Cell) string {
	switch {
	case c == nil:
		return ""
	case w == bench.Startup && c.Has("join-ns/op"):
		s, _ := d.sumStat(c, "ns/op", "join-ns/op")
		return fmtStat("ns/op", s) + marks(c, s)
	case c.Has(unit):
		return fmtStat(unit, d.Stat(c, unit)) + marks(c, d.Stat(c, unit))
	default:
		return statusText(c, unit)
	}
}

// maxKey is the largest value of a name key among cells (0 when none).
func maxKey(cells []*view.Cell, k string) int64 {
	m := int64(0)
	for _, c := range cells {
		m = max(m, keyInt(c, k))
	}
	return m
}

func marks(c *view.Cell, s view.Stats) string {
	m := runMarks(c, s)
	if len(m) == 0 {
		return ""
	}
	return " (" + strings.Join(m, ", ") + ")"
}

// headline narrows a workload's cells at the largest core count to its
// headline point of the summary: the cells, the unit shown, the point and
// what the value is.
func headline(w string, at []*view.Cell, maxCores int64) (cells []*view.Cell, unit, point, what string) {
	maxWorkers := func(at []*view.Cell) ([]*view.Cell, int64) {
		wk := maxKey(at, "workers")
		return view.Select(at, func(c *view.Cell) bool { return keyInt(c, "workers") == wk }), wk
	}
	unit = bench.HeadlineUnit(w)
	switch w {
	case bench.Startup:
		rss := minKey(at, "rss")
		at = view.Select(at, func(c *view.Cell) bool { return keyInt(c, "rss") == rss })
		point, what = "parent rss="+sizeLabel(rss), "start + join per child"
	case bench.Pingpong:
		size := minKey(at, "size")
		at = view.Select(at, func(c *view.Cell) bool { return keyInt(c, "size") == size })
		point, what = "size="+sizeLabel(size), "mean round trip"
	case bench.Stream:
		var sizes []int64
		for _, c := range at {
			sizes = append(sizes, keyInt(c, "size"))
		}
		size := closestSize(sizes, 1<<20)
		at = view.Select(at, func(c *view.Cell) bool { return keyInt(c, "size") == size })
		point, what = "size="+sizeLabel(size), "throughput"
	case bench.Pool:
		var wk int64
		at, wk = maxWorkers(view.Select(at, func(c *view.Cell) bool { return c.Get("task") == "cpu" && keyInt(c, "workers") <= maxCores }))
		point, what = fmt.Sprintf("task=cpu, workers=%d", wk), "makespan of one map"
	case bench.Gather:
		size := minKey(at, "size")
		var wk int64
		at, wk = maxWorkers(view.Select(at, func(c *view.Cell) bool { return keyInt(c, "size") == size && keyInt(c, "workers") <= maxCores }))
		point, what = fmt.Sprintf("size=%s, workers=%d", sizeLabel(size), wk), "messages received per second by the parent"
	case bench.Memory:
		rss := int64(-1)
		at = view.Select(at, func(c *view.Cell) bool { return c.Get("touch") == bench.TouchNone })
		for _, c := range at {
			rss = max(rss, keyInt(c, "rss"))
		}
		at, _ = maxWorkers(view.Select(at, func(c *view.Cell) bool { return keyInt(c, "rss") == rss }))
		point, what = "touch=none, parent rss="+sizeLabel(rss), "USS per worker"
	default: // a workload without a summary of its own: the parameters of its first cell
		if len(at) > 0 {
			p := strings.Join(at[0].Cell.Params(), ", ")
			at = view.Select(at, func(c *view.Cell) bool { return strings.Join(c.Cell.Params(), ", ") == p })
			point, what = p, unit
		}
	}
	return at, unit, point, what
}

func minKey(cells []*view.Cell, k string) int64 {
	m := int64(-1)
	for _, c := range cells {
		if v := keyInt(c, k); m < 0 || v < m {
			m = v
		}
	}
	return m
}

// orderImpls sorts implementations: bench.Impls order, then libraries,
// then the rest by name.
func orderImpls(impls []string) []string {
	rank := func(s string) int {
		if i := view.Rank(bench.Impls, s); i < len(bench.Impls) {
			return i
		}
		if i := view.Rank(libraryImpls, s); i < len(libraryImpls) {
			return len(bench.Impls) + i
		}
		if m := versionImpl.FindStringSubmatch(s); m != nil {
			n, _ := strconv.Atoi(m[1])
			return 100 + n
		}
		return 1000
	}
	out := append([]string(nil), impls...)
	sortSlice(len(out), func(i, j int) bool {
		if a, b := rank(out[i]), rank(out[j]); a != b {
			return a < b
		}
		return out[i] < out[j]
	}, func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// sortSlice is a stable insertion sort (tiny slices; deterministic).
func sortSlice(n int, less func(i, j int) bool, swap func(i, j int)) {
	for i := 1; i < n; i++ {
		for j := i; j > 0 && less(j, j-1); j-- {
			swap(j, j-1)
		}
	}
}

// --- Python versions (cpython3.8 … cpython3.13) ---

// versionsOf lists the version impls present in a run, oldest first.
func (d *Data) versionsOf(r *view.Run) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range r.Cells {
		if im := implOf(c); versionImpl.MatchString(im) && !seen[im] && len(c.Units) > 0 {
			seen[im] = true
			out = append(out, im)
		}
	}
	return orderImpls(out)
}

// headlineMetrics of the versions table: what, workload, selector, unit.
type vmetric struct {
	label, workload, unit string
	match                 func(c *view.Cell) bool
}

func versionMetrics(cores int64) []vmetric {
	at := func(w string, f func(c *view.Cell) bool) func(c *view.Cell) bool {
		return func(c *view.Cell) bool {
			return strings.EqualFold(c.Kind, w) && keyInt(c, "cores") == cores && c.Get("payload") == "" && f(c)
		}
	}
	var ms []vmetric
	for _, m := range bench.Methods {
		m := m
		ms = append(ms, vmetric{m + " start+join (pipe, rss=0)", bench.Startup, "ns/op+join", at(bench.Startup, func(c *view.Cell) bool {
			return c.Get("method") == m && c.Get("chan") == "pipe" && keyInt(c, "rss") == 0
		})})
	}
	for _, ch := range bench.Chans {
		ch := ch
		ms = append(ms, vmetric{ch + " 64B round trip (fork)", bench.Pingpong, "ns/op", at(bench.Pingpong, func(c *view.Cell) bool {
			return c.Get("method") == "fork" && c.Get("chan") == ch && keyInt(c, "size") == 64
		})})
	}
	for _, sz := range []int64{64 << 10, 1 << 20} {
		sz := sz
		ms = append(ms, vmetric{"pipe " + sizeLabel(sz) + " stream (fork)", bench.Stream, "MB/s", at(bench.Stream, func(c *view.Cell) bool {
			return c.Get("method") == "fork" && c.Get("chan") == "pipe" && keyInt(c, "size") == sz
		})})
	}
	ms = append(ms, vmetric{"pool makespan (fork, cpu, workers=cores)", bench.Pool, "ns/op", at(bench.Pool, func(c *view.Cell) bool {
		ex := c.Get("exec")
		return c.Get("method") == "fork" && c.Get("task") == "cpu" && keyInt(c, "workers") == cores &&
			(ex == "pool" || ((ex == "" || ex == "loop") && (c.Get("chan") == "" || c.Get("chan") == "simplequeue")))
	})})
	for _, m := range bench.Methods {
		m := m
		ms = append(ms, vmetric{m + " start+join (pipe, rss=1GiB)", bench.Startup, "ns/op+join", at(bench.Startup, func(c *view.Cell) bool {
			return c.Get("method") == m && c.Get("chan") == "pipe" && keyInt(c, "rss") == 1<<30
		})})
	}
	return ms
}

func (d *Data) metricStat(c *view.Cell, unit string) (view.Stats, string) {
	if unit == "ns/op+join" {
		if s, ok := d.sumStat(c, "ns/op", "join-ns/op"); ok {
			return s, "ns/op"
		}
		return d.Stat(c, "ns/op"), "ns/op"
	}
	return d.Stat(c, unit), unit
}

func (d *Data) versionCell(r *view.Run, impl string, m vmetric) *view.Cell {
	for _, c := range r.Cells {
		if implOf(c) == impl && !programVariant(c) && m.match(c) && len(c.Units) > 0 {
			return c
		}
	}
	return nil
}

func (d *Data) versionTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		vs := d.versionsOf(r)
		if len(vs) == 0 {
			continue
		}
		cores := d.maxCoresOf(r, vs)
		t := &Table{Name: "versions" + d.suffix(r), Section: "versions",
			Title:  fmt.Sprintf("Headline metrics by CPython version, cores=%d%s", cores, d.titleSuffix(r)),
			Header: append([]string{"metric"}, vs...), Left: 1, Caption: statNote}
		for _, m := range versionMetrics(cores) {
			row := []string{m.label}
			any := false
			for _, v := range vs {
				c := d.versionCell(r, v, m)
				if c == nil {
					row = append(row, "")
					continue
				}
				any = true
				row = append(row, d.statEntry(c, m.unit))
			}
			if any {
				t.Rows = append(t.Rows, row)
			}
		}
		ts = append(ts, t)
	}
	return ts
}

func (d *Data) maxCoresOf(r *view.Run, impls []string) int64 {
	var m int64
	for _, c := range r.Cells {
		if view.Rank(impls, implOf(c)) < len(impls) {
			m = max(m, keyInt(c, "cores"))
		}
	}
	return m
}

func (d *Data) versionFigures(r *view.Run) []*figure {
	vs := d.versionsOf(r)
	if len(vs) < 2 {
		return nil
	}
	cores := d.maxCoresOf(r, vs)
	var ticks []plot.Tick
	for i, v := range vs {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: strings.TrimPrefix(v, "cpython")})
	}
	ms := versionMetrics(cores)
	mk := func(title, ylabel string, sel []vmetric, scale float64) panel {
		pn := panel{title: title, xlabel: "CPython version", ylabel: ylabel, xticks: ticks, xmin: -0.5, xmax: float64(len(vs)) - 0.5}
		for i, m := range sel {
			s := series{name: strings.SplitN(m.label, " ", 2)[0], color: i, shape: i}
			for j, v := range vs {
				if c := d.versionCell(r, v, m); c != nil {
					if st, _ := d.metricStat(c, m.unit); st.N > 0 {
						s.pts = append(s.pts, statPt(float64(j), st, scale))
					}
				}
			}
			pn.series = append(pn.series, s)
		}
		pn.logY = spansDecade(pn.series)
		return pn
	}
	return []*figure{{
		name:    fmt.Sprintf("versions-cores%d%s", cores, d.suffix(r)),
		title:   fmt.Sprintf("Start-up and round trip by CPython version (cores=%d, %s)%s", cores, machineShort(r), d.titleSuffix(r)),
		caption: "Left: start+join per child by start method (chan=pipe, rss=0). Right: 64 B round trip by channel (method=fork). Medians of per-run medians; whiskers: 95% CI.",
		cols:    2,
		panels:  []panel{mk("start + join by method", "start + join (ms)", ms[:3], 1e6), mk("64 B round trip by channel", "round trip (µs)", ms[3:7], 1e3)},
	}}
}

// sectionHeading is the report heading of a section key (a workload
// without a section of its own: its registry entry's).
func sectionHeading(key string) string {
	for _, s := range sections {
		if s.key == key {
			return s.heading
		}
	}
	return bench.WorkloadSection(key)
}

// statEntry is a table entry of a cell's metric: its statistic with the
// cell's marks, or the cell's status when it has no samples of it.
func (d *Data) statEntry(c *view.Cell, metric string) string {
	s, u := d.metricStat(c, metric)
	if s.N == 0 {
		return statusText(c, u)
	}
	return fmtStat(u, s) + marks(c, s)
}
