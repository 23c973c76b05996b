package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// Table is one rendered table: a file name, a title, a header, rows and a
// caption. Columns listed in Left are left-aligned, the others right.
type Table struct {
	Name    string // file name without extension (tables/<Name>.md)
	Section string // startup, pingpong, stream, pool, compare, status, other
	Title   string
	Header  []string
	Left    int  // the first Left columns are labels (left-aligned)
	Notes   bool // the last column is a notes column (left-aligned)
	Rows    [][]string
	Caption string
}

// render writes the table with tablewriter; md selects the markdown
// renderer, else the text (box) renderer.
func (t *Table) render(w io.Writer, md bool) error {
	align := make([]tw.Align, len(t.Header))
	for i := range align {
		align[i] = tw.AlignRight
		if i < t.Left || (t.Notes && i == len(align)-1) {
			align[i] = tw.AlignLeft
		}
	}
	var r tw.Renderer = renderer.NewBlueprint()
	if md {
		r = renderer.NewMarkdown()
	}
	tb := tablewriter.NewTable(w,
		tablewriter.WithRenderer(r),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
	)
	esc := func(s string) string {
		if md {
			return strings.ReplaceAll(s, "|", `\|`)
		}
		return s
	}
	hdr := make([]any, len(t.Header))
	for i, h := range t.Header {
		hdr[i] = esc(h)
	}
	tb.Header(hdr...)
	for _, row := range t.Rows {
		cells := make([]any, len(row))
		for i, c := range row {
			cells[i] = esc(c)
		}
		if err := tb.Append(cells...); err != nil {
			return err
		}
	}
	return tb.Render()
}

// Markdown renders the table with a heading and caption.
func (t *Table) Markdown(w io.Writer, level int) error {
	fmt.Fprintf(w, "%s %s\n\n", strings.Repeat("#", level), t.Title)
	if len(t.Rows) == 0 {
		fmt.Fprintln(w, "(no cells)")
	} else if err := t.render(w, true); err != nil {
		return err
	}
	if t.Caption != "" {
		fmt.Fprintf(w, "\n%s\n", t.Caption)
	}
	fmt.Fprintln(w)
	return nil
}

// Text renders the table as plain text with its title.
func (t *Table) Text(w io.Writer) error {
	fmt.Fprintf(w, "%s\n", t.Title)
	if err := t.render(w, false); err != nil {
		return err
	}
	if t.Caption != "" {
		fmt.Fprintf(w, "%s\n", t.Caption)
	}
	fmt.Fprintln(w)
	return nil
}

// --- cell formatting ---

// statusText is the table text of a cell without samples of unit
// ("skipped: reason", "failed: reason") or "" when there are samples.
func statusText(c *view.Cell, unit string) string {
	if c == nil {
		return "—"
	}
	if c.Has(unit) {
		return ""
	}
	switch c.Status {
	case view.StatusSkipped:
		return "skipped: " + c.Reason
	case view.StatusFailed:
		return "failed: " + c.Reason
	}
	return "—"
}

// fmtStatScaled formats median [lo, hi] divided by scale, with suffix.
func fmtStatScaled(s view.Stats, scale float64, suffix string) string {
	if s.N == 0 {
		return "—"
	}
	out := sig3(s.Median/scale) + suffix
	if s.CIValid {
		out += " [" + sig3(s.Lo/scale) + ", " + sig3(s.Hi/scale) + "]"
	} else {
		out += " (no CI)"
	}
	for i, m := range s.Modes {
		sep := ", "
		if i == 0 {
			sep = " (modes: "
		}
		out += fmt.Sprintf("%s%s%s in %d of %d runs", sep, sig3(m.Median/scale), suffix, m.Runs, s.Runs)
		if i == len(s.Modes)-1 {
			out += ")"
		}
	}
	return out
}

// fmtStat formats median [lo, hi] of a metric in its human unit
// ("1.61 ms [1.58, 1.66]", "1.52 GB/s [1.50, 1.55]").
func fmtStat(unit string, s view.Stats) string {
	if s.N == 0 {
		return "—"
	}
	scale, suffix := bench.Scale(unit, s.Median)
	return fmtStatScaled(s, scale, suffix)
}

// runMarks are the short per-cell markers of the replication: the number
// of runs when below MinRuns, what stopped a cell whose CI stayed wider
// than the target (stopMark), a dominant between-run variance share.
func runMarks(c *view.Cell, s view.Stats) []string {
	var m []string
	if s.N > 0 && s.Runs < MinRuns {
		m = append(m, plural(s.Runs, "run", "runs"))
	}
	if sm := stopMark(c); sm != "" {
		m = append(m, sm)
	}
	if s.VarShare > VarShareWarn {
		m = append(m, fmt.Sprintf("%.0f%% var between runs", s.VarShare*100))
	}
	return m
}

// notes lists what a reader must know about a cell's headline metric.
func (d *Data) notes(c *view.Cell, unit string) string {
	var out []string
	s := d.Stat(c, unit)
	if c.Status == view.StatusFailed && s.N > 0 {
		out = append(out, "failed: "+c.Reason)
	}
	out = append(out, runMarks(c, s)...)
	if s.Outliers > 0 {
		out = append(out, plural(s.Outliers, "outlier", "outliers"))
	}
	return strings.Join(out, "; ")
}

// inline is fmtStat plus short markers, for wide tables without a notes
// column; a cell without samples shows its status.
func (d *Data) inline(c *view.Cell, unit string, scale float64) string {
	if st := statusText(c, unit); st != "" {
		return st
	}
	s := d.Stat(c, unit)
	out := fmtStat(unit, s)
	marks := runMarks(c, s)
	if s.Runs >= MinRuns && c.Run != nil && c.Run.PerRun {
		marks = append([]string{plural(s.Runs, "run", "runs")}, marks...)
	}
	if c.Status == view.StatusFailed {
		marks = append(marks, "failed")
	}
	if len(marks) > 0 {
		out += " (" + strings.Join(marks, ", ") + ")"
	}
	return out
}

// runsText is the "runs" column: runs (samples).
func runsText(s view.Stats) string {
	if s.N == 0 {
		return "—"
	}
	return fmt.Sprintf("%d (%d)", s.Runs, s.N)
}

// shareText is the between-run variance share column.
func shareText(s view.Stats) string {
	if math.IsNaN(s.VarShare) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", s.VarShare*100)
}

// sumMetric is the median of the per-sample sum of two metrics (user+sys).
func sumMetric(c *view.Cell, a, b string) (float64, bool) {
	x, y := c.Values(a), c.Values(b)
	if len(x) == 0 || len(x) != len(y) {
		return math.NaN(), false
	}
	s := make([]float64, len(x))
	for i := range x {
		s[i] = x[i] + y[i]
	}
	return view.Summarize(s).Median, true
}

// --- table builders ---

func (d *Data) labelCols() []string {
	if d.Multi {
		return []string{"run"}
	}
	return nil
}

func (d *Data) labelVals(c *view.Cell) []string {
	if d.Multi {
		return []string{c.Run.Label}
	}
	return nil
}

func (d *Data) suffix(r *view.Run) string {
	if d.Multi {
		return "-" + slug(r.Label)
	}
	return ""
}

func (d *Data) titleSuffix(r *view.Run) string {
	if d.Multi {
		return " — " + r.Label
	}
	return ""
}

// slug makes a string safe for file names.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return b.String()
}

const statNote = "Median of the per-run medians [95% confidence interval] (order statistics over program runs); " +
	"\"no CI\" with fewer than 6 runs; runs (samples); between-run share of the variance, flagged above 50%; " +
	"\"run cap: CI > ±5%\" / \"time budget: CI > ±5%\" (the run's CI target): the cell's CI was still wider than the target when its runs ended, " +
	"because it reached the run cap / because the time budget ended the runs before its cap."

// stopMark is the marker of a cell whose CI was still wider than its run's
// target when its runs ended, saying what ended them: "run cap: CI > ±5%"
// or "time budget: CI > ±5%"; "" for other cells.
func stopMark(c *view.Cell) string {
	if c.Stop == view.StopNone {
		return ""
	}
	return string(c.Stop) + ": CI > ±" + ciTargetText(c.Run)
}

// ciTargetText is the run's adaptive-stopping target as a percentage of
// the median ("5%"; the default when the run does not record it).
func ciTargetText(r *view.Run) string {
	t := 0.05
	if r != nil {
		if v, err := strconv.ParseFloat(r.ConfigValue("ci-target"), 64); err == nil && v > 0 {
			t = v
		}
	}
	return strconv.FormatFloat(t*100, 'f', -1, 64) + "%"
}

// Tables builds every table of the report, in report order.
func (d *Data) Tables() []*Table {
	var ts []*Table
	ts = append(ts, d.summaryTables()...)
	ts = append(ts, d.startupTables()...)
	ts = append(ts, d.programTables()...)
	ts = append(ts, d.pingpongTables()...)
	ts = append(ts, d.streamTables()...)
	ts = append(ts, d.poolTables()...)
	ts = append(ts, d.gatherTables()...)
	ts = append(ts, d.memoryTables()...)  // memory.go
	ts = append(ts, d.payloadTables()...) // payload.go
	ts = append(ts, d.versionTables()...)
	ts = append(ts, d.libraryTables()...)
	ts = append(ts, d.hostTables()...) // several runs side by side (hosts.go)
	ts = append(ts, d.compareTables()...)
	if t := d.warningsTable(); t != nil {
		ts = append(ts, t)
	}
	if t := d.statusTable(); t != nil {
		ts = append(ts, t)
	}
	if t := d.otherTable(); t != nil {
		ts = append(ts, t)
	}
	return ts
}

func (d *Data) startupTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		cells := onlyRun(d.workload(bench.Startup), r)
		if len(cells) == 0 {
			continue
		}
		chans := present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan })
		for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return strconv.Itoa(c.Cell.Cores) }) {
			cores := g.Cells[0].Cell.Cores
			for _, rss := range presentInts(g.Cells, func(c bench.Cell) int64 { return c.RSS }) {
				t := &Table{
					Name:    fmt.Sprintf("startup-cores%d-rss%s%s", cores, sizeLabel(rss), d.suffix(r)),
					Section: bench.Startup,
					Title:   fmt.Sprintf("Start-up latency (start() → first message), cores=%d, parent rss=%s%s", cores, sizeLabel(rss), d.titleSuffix(r)),
					Header:  append([]string{"impl", "method"}, chans...),
					Left:    2,
					Caption: statNote,
				}
				for _, im := range implMethods(view.Filter(g.Cells, func(c bench.Cell) bool { return c.RSS == rss })) {
					row := []string{im[0], im[1]}
					for _, ch := range chans {
						c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: im[0], Method: im[1], Chan: ch, RSS: rss, Cores: cores})
						row = append(row, d.inline(c, "ns/op", 1e6))
					}
					t.Rows = append(t.Rows, row)
				}
				ts = append(ts, t)
			}
			// Join/teardown time, all rss values in one table.
			t := &Table{
				Name:    fmt.Sprintf("startup-join-cores%d%s", cores, d.suffix(r)),
				Section: bench.Startup,
				Title:   fmt.Sprintf("Join/teardown time, cores=%d%s", cores, d.titleSuffix(r)),
				Header:  append([]string{"impl", "method", "rss"}, chans...),
				Left:    3,
				Caption: statNote,
			}
			for _, im := range implMethods(g.Cells) {
				for _, rss := range presentInts(g.Cells, func(c bench.Cell) int64 { return c.RSS }) {
					row := []string{im[0], im[1], sizeLabel(rss)}
					any := false
					for _, ch := range chans {
						c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: im[0], Method: im[1], Chan: ch, RSS: rss, Cores: cores})
						any = any || c != nil
						row = append(row, d.inline(c, "join-ns/op", 1e6))
					}
					if any {
						t.Rows = append(t.Rows, row)
					}
				}
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// implMethods lists the (impl, method) pairs present, in canonical order.
func implMethods(cells []*view.Cell) [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, impl := range bench.Impls {
		for _, m := range bench.Methods {
			for _, c := range cells {
				k := [2]string{impl, m}
				if c.Cell.Impl == impl && c.Cell.Method == m && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

func onlyRun(cells []*view.Cell, r *view.Run) []*view.Cell {
	var out []*view.Cell
	for _, c := range cells {
		if c.Run == r {
			out = append(out, c)
		}
	}
	return out
}

func hasPayload(cells []*view.Cell) bool {
	for _, c := range cells {
		if c.Cell.Payload != "" {
			return true
		}
	}
	return false
}

func (d *Data) pingpongTables() []*Table {
	return d.sizeTables(sizeTable{
		workload: bench.Pingpong,
		title:    "Ping-pong round trip parent→child→parent",
		caption:  statNote + " p50/p99: each sample's nearest-rank percentile of its round trips, summarised over runs like the mean.",
		metrics:  []string{"round trip (mean)", "p50", "p99", "CPU per round trip (user+sys)"},
		values: func(d *Data, c *view.Cell, cpu float64, hasCPU bool) []string {
			return []string{fmtStat("ns/op", d.Stat(c, "ns/op")), fmtStat("p50-ns", d.Stat(c, "p50-ns")),
				fmtStat("p99-ns", d.Stat(c, "p99-ns")), cpuText(cpu, hasCPU)}
		},
	})
}

func (d *Data) streamTables() []*Table {
	return d.sizeTables(sizeTable{
		workload: bench.Stream,
		title:    "Stream throughput parent→child (timed at the receiver)",
		caption: statNote + " MB/s is 10⁶ payload bytes per second. payload=tensor (torch): a tensor on a torch Queue moves to shared memory " +
			"and only a handle travels, so its MB/s is tensor bytes over time — no bytes are copied through the channel; it is marked and not compared with the byte channels.",
		metrics: []string{"throughput", "messages/s", "time per message", "CPU per message (user+sys)"},
		values: func(d *Data, c *view.Cell, cpu float64, hasCPU bool) []string {
			return []string{fmtStat("MB/s", d.Stat(c, "MB/s")), bench.Format("msgs/s", d.Stat(c, "msgs/s").Median),
				fmtStat("ns/op", d.Stat(c, "ns/op")), cpuText(cpu, hasCPU)}
		},
	})
}

// sizeTable describes a table of a workload with a message size: one row
// per impl × method × chan (× payload) × size, one table per cores value.
type sizeTable struct {
	workload, title, caption string
	metrics                  []string // the four metric columns
	values                   func(d *Data, c *view.Cell, cpu float64, hasCPU bool) []string
}

func cpuText(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return bench.Format("ns/op", v)
}

func (d *Data) sizeTables(spec sizeTable) []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		cells := onlyRun(d.workload(spec.workload), r)
		pay := hasPayload(cells)
		for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return strconv.Itoa(c.Cell.Cores) }) {
			cores := g.Cells[0].Cell.Cores
			hdr := []string{"impl", "method", "chan"}
			if pay {
				hdr = append(hdr, "payload")
			}
			hdr = append(append(hdr, "size"), spec.metrics...)
			hdr = append(hdr, "runs (samples)", "between-run var", "notes")
			t := &Table{
				Name:    fmt.Sprintf("%s-cores%d%s", spec.workload, cores, d.suffix(r)),
				Section: spec.workload,
				Title:   fmt.Sprintf("%s, cores=%d%s", spec.title, cores, d.titleSuffix(r)),
				Header:  hdr,
				Left:    len(hdr) - 8,
				Notes:   true,
				Caption: spec.caption,
			}
			for _, c := range g.Cells {
				row := []string{c.Cell.Impl, c.Cell.Method, c.Cell.Chan}
				if pay {
					row = append(row, view.PayloadOf(c.Cell))
				}
				row = append(row, sizeLabel(c.Cell.Size))
				if st := statusText(c, "ns/op"); st != "" {
					row = append(row, st, "—", "—", "—", "—", "—", "")
				} else {
					cpu, ok := sumMetric(c, "user-ns/op", "sys-ns/op")
					s := d.Stat(c, "ns/op")
					notes := d.notes(c, "ns/op")
					if c.Cell.Payload == "tensor" {
						notes = strings.TrimPrefix(notes+"; shared-memory handle: no bytes copied", "; ")
					}
					row = append(append(row, spec.values(d, c, cpu, ok)...), runsText(s), shareText(s), notes)
				}
				t.Rows = append(t.Rows, row)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

func (d *Data) poolTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		cells := onlyRun(d.workload(bench.Pool), r)
		for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return c.Cell.Task + "/" + strconv.Itoa(c.Cell.Cores) }) {
			c0 := g.Cells[0].Cell
			t := &Table{
				Name:    fmt.Sprintf("pool-%s-cores%d%s", c0.Task, c0.Cores, d.suffix(r)),
				Section: bench.Pool,
				Title:   fmt.Sprintf("Pool map of %s tasks, cores=%d%s", c0.Task, c0.Cores, d.titleSuffix(r)),
				Header:  []string{"impl", "method", "exec", "chan", "workers", "tasks", "makespan", "tasks/s", "efficiency", "runs (samples)", "between-run var", "notes"},
				Left:    4,
				Notes:   true,
				Caption: statNote + " Efficiency = Σ measured task time / (P × makespan), P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks (task time: the worker thread's CPU time for cpu tasks, wall time for sleep tasks), as reported by the measured program; above 1.05 it is listed under Warnings.",
			}
			overhead := anySamples(g.Cells, "overhead-ns/op") // results recorded before the metric existed have none
			if overhead {
				t.Header = slices.Insert(t.Header, 7, "overhead")
				t.Caption += " " + overheadNote
			}
			chunked := slices.ContainsFunc(g.Cells, func(c *view.Cell) bool { return c.Cell.Chunksize != 0 || c.Cell.Task == bench.TinyTask })
			if chunked {
				t.Header = slices.Insert(t.Header, 6, "chunksize")
				t.Caption += " " + chunkNote
			}
			for _, c := range g.Cells {
				ch := c.Cell.Chan
				if ch == "" {
					ch = "—"
				}
				ex := c.Get("exec")
				if ex == "" {
					ex = "—"
				}
				row := []string{c.Cell.Impl, c.Cell.Method, ex, ch, strconv.Itoa(c.Cell.Workers), strconv.Itoa(c.Cell.Tasks)}
				if st := statusText(c, "ns/op"); st != "" {
					row = append(row, st, "—", "—", "—", "—", "")
				} else {
					s := d.Stat(c, "ns/op")
					row = append(row, fmtStat("ns/op", s), bench.Format("tasks/s", d.Stat(c, "tasks/s").Median),
						fmtStat("efficiency", d.Stat(c, "efficiency")), runsText(s), shareText(s), d.notes(c, "ns/op"))
				}
				if overhead {
					row = slices.Insert(row, 7, d.overheadText(c))
				}
				if chunked {
					row = slices.Insert(row, 6, chunkText(c.Cell))
				}
				t.Rows = append(t.Rows, row)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// chunkNote explains the chunksize column of the pool tables.
const chunkNote = "chunksize: the chunksize argument of the map (tasks per message to a worker), exec=pool and ppe; " +
	"default: the executor's (Pool: ceil(tasks / (4 × workers)); ProcessPoolExecutor: 1). " +
	"Tiny tasks have an empty body, timed as cpu tasks are (P as for cpu tasks): their makespan is the executor's work per task and per chunk."

// chunkText is a pool cell's chunksize, "default" without the key.
func chunkText(c bench.Cell) string {
	if c.Chunksize == 0 {
		return "default"
	}
	return strconv.Itoa(c.Chunksize)
}

// overheadNote explains the overhead column of the pool tables.
const overheadNote = "Overhead = makespan − ideal makespan, the ideal = ceil(tasks / P) × the mean measured task time " +
	"(impl.PoolOverhead, per sample, as reported by the measured program): what the pool costs beyond running its tasks; " +
	"below 0 only by measurement error. \"—\": not recorded (results written before the metric existed)."

// overheadText is a pool cell's overhead, median [95% CI], or "—".
func (d *Data) overheadText(c *view.Cell) string {
	if statusText(c, "ns/op") != "" || !c.Has("overhead-ns/op") {
		return "—"
	}
	return fmtStat("overhead-ns/op", d.Stat(c, "overhead-ns/op"))
}

// anySamples reports whether any of cells has samples of unit.
func anySamples(cells []*view.Cell, unit string) bool {
	return slices.ContainsFunc(cells, func(c *view.Cell) bool { return c.Has(unit) })
}

// params is the text of a cell's workload parameters (size, rss, pool),
// after its main and preload keys when it has them.
func params(c bench.Cell) string {
	var p []string
	if c.Preload != "" {
		p = append(p, "preload="+c.Preload)
	}
	if c.Main != "" {
		p = append(p, "main="+c.Main)
	}
	if c.Payload != "" {
		p = append(p, "payload="+c.Payload)
	}
	switch c.Workload {
	case bench.Startup:
		p = append(p, "rss="+sizeLabel(c.RSS))
	case bench.Pingpong, bench.Stream:
		p = append(p, "size="+sizeLabel(c.Size))
	case bench.Pool:
		p = append(p, fmt.Sprintf("workers=%d tasks=%d task=%s", c.Workers, c.Tasks, c.Task))
		if c.Chunksize != 0 {
			p = append(p, fmt.Sprintf("chunksize=%d", c.Chunksize))
		}
	case bench.Gather:
		p = append(p, fmt.Sprintf("workers=%d size=%s", c.Workers, sizeLabel(c.Size)))
	}
	return strings.Join(p, " ")
}

// baselineRows compares every cell with the cell that differs only in
// one dimension (set by with) on the headline metric ns/op.
func (d *Data) baselineRows(dim, base string, with func(bench.Cell, string) bench.Cell, value func(bench.Cell) string) [][]string {
	var rows [][]string
	for _, c := range d.Cells {
		if !c.Parsed || value(c.Cell) == base || !c.Has("ns/op") {
			continue
		}
		b := d.find(c.Run, with(c.Cell, base))
		if !b.Has("ns/op") {
			continue
		}
		bs, cs := d.Stat(b, "ns/op"), d.Stat(c, "ns/op")
		cmp := CompareStats(bs, cs)
		row := d.labelVals(c)
		row = append(row, c.Cell.Workload, c.Cell.Impl, c.Cell.Method, c.Cell.Chan, params(c.Cell), strconv.Itoa(c.Cell.Cores),
			fmtStat("ns/op", bs), fmtStat("ns/op", cs), cmp.DeltaString())
		rows = append(rows, row)
	}
	return rows
}

func (d *Data) compareTables() []*Table {
	hdr := append(d.labelCols(), "workload", "impl", "method", "chan", "params", "cores")
	left := len(hdr)
	cap := "Headline metric ns/op (start-up latency, mean round trip, time per streamed message, pool makespan): " +
		"median [95% CI] of the baseline and of the cell; vs base: change of the median when the Mann–Whitney U test over per-run medians gives p < 0.05, \"~\" otherwise."
	var ts []*Table
	if rows := d.baselineRows("method", "fork", func(c bench.Cell, v string) bench.Cell { c.Method, c.Preload = v, ""; return c },
		func(c bench.Cell) string { return c.Method }); len(rows) > 0 {
		ts = append(ts, &Table{
			Name: "compare-method-vs-fork", Section: "compare",
			Title:  "Each start method vs fork (same impl, chan, parameters, cores)",
			Header: append(append([]string(nil), hdr...), "fork", "this", "vs base"),
			Left:   left, Rows: rows, Caption: cap,
		})
	}
	if rows := d.baselineRows("impl", "native", func(c bench.Cell, v string) bench.Cell { c.Impl = v; c.Payload = ""; return c },
		func(c bench.Cell) string { return c.Impl }); len(rows) > 0 {
		ts = append(ts, &Table{
			Name: "compare-impl-vs-native", Section: "compare",
			Title:  "Each implementation vs native Go (same method, chan, parameters, cores)",
			Header: append(append([]string(nil), hdr...), "native", "this", "vs base"),
			Left:   left, Rows: rows, Caption: cap,
		})
	}
	return ts
}

func (d *Data) statusTable() *Table {
	t := &Table{
		Name: "skipped-failed", Section: "status",
		Title:  "Skipped and failed cells",
		Header: append(d.labelCols(), "cell", "status", "samples", "reason"),
		Left:   len(d.labelCols()) + 2,
		Notes:  true,
	}
	for _, c := range d.Cells {
		if c.Status == view.StatusOK {
			continue
		}
		n := 0
		if len(c.Units) > 0 {
			n = len(c.Values(c.Units[0]))
		}
		t.Rows = append(t.Rows, append(d.labelVals(c), c.Name, c.Status, strconv.Itoa(n), c.Reason))
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

func (d *Data) otherTable() *Table {
	t := &Table{
		Name: "other", Section: "other",
		Title:  "Other results (claim experiments and names outside the matrix)",
		Header: append(d.labelCols(), "name", "metric", "n", "median", "95% CI", "min", "max", "outliers", "status"),
		Left:   len(d.labelCols()) + 2,
		Caption: "Claim experiments (BenchmarkClaim/…) are reported with their verdicts by `mpbench claims` (CLAIMS.md); " +
			"they are listed here only so that no result line is silently dropped.",
	}
	for _, c := range d.others() {
		status := c.Status
		if c.Reason != "" {
			status += ": " + c.Reason
		}
		if len(c.Units) == 0 {
			t.Rows = append(t.Rows, append(d.labelVals(c), c.Name, "—", "0", "—", "—", "—", "—", "—", status))
			continue
		}
		for _, u := range c.Units {
			s := d.Stat(c, u)
			ci := "—"
			if s.CIValid {
				ci = "[" + bench.Format(u, s.Lo) + ", " + bench.Format(u, s.Hi) + "]"
			}
			t.Rows = append(t.Rows, append(d.labelVals(c), c.Name, u, strconv.Itoa(s.N), bench.Format(u, s.Median), ci,
				bench.Format(u, s.Min), bench.Format(u, s.Max), strconv.Itoa(s.Outliers), status))
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}
