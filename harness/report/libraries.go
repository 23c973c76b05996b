package report

import (
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// libsOf lists the libraries present in a run (in the order of
// libraryImpls), or nil when none of bench.LibraryForks was measured.
func (d *Data) libsOf(r *view.Run) []string {
	seen := map[string]bool{}
	for _, c := range r.Cells {
		seen[implOf(c)] = true
	}
	if !slices.ContainsFunc(bench.LibraryForks, func(l string) bool { return seen[l] }) {
		return nil
	}
	var out []string
	for _, l := range libraryImpls {
		if seen[l] {
			out = append(out, l)
		}
	}
	return out
}

func (d *Data) libCell(r *view.Run, lib, w, method string, cores int64) *view.Cell {
	if w == bench.Pool {
		for _, c := range d.cellsOf(r, w) {
			if implOf(c) == lib && c.Get("method") == method && c.Get("exec") == "pool" && c.Get("task") == "cpu" &&
				keyInt(c, "cores") == cores && keyInt(c, "workers") == cores {
				return c
			}
		}
		return nil
	}
	for _, c := range d.cellsOf(r, w) {
		if implOf(c) == lib && c.Get("method") == method && c.Get("chan") == "pipe" && keyInt(c, "cores") == cores && c.Get("payload") == "" &&
			((w == bench.Startup && keyInt(c, "rss") == 0) || (w == bench.Pingpong && keyInt(c, "size") == 64)) {
			return c
		}
	}
	return nil
}

// executorCells are the pool cells of the executor comparison
// (bench.ExecutorImpl: the stdlib under the interpreter that has loky).
func (d *Data) executorCells(r *view.Run) []*view.Cell {
	var out []*view.Cell
	for _, c := range d.cellsOf(r, bench.Pool) {
		if implOf(c) == bench.ExecutorImpl && c.Get("exec") != "" && c.Get("task") == "cpu" {
			out = append(out, c)
		}
	}
	return out
}

func (d *Data) libraryTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		if libs := d.libsOf(r); libs != nil {
			cores := d.maxCoresOf(r, libs)
			t := &Table{Name: "libraries" + d.suffix(r), Section: "libraries",
				Title:  fmt.Sprintf("Start-up, 64 B round trip (chan=pipe) and pool makespan by library and start method, cores=%d%s", cores, d.titleSuffix(r)),
				Header: []string{"library", "method", "start + join (rss=0)", "64 B round trip", "pool makespan (exec=pool, workers=cores)"}, Left: 2, Caption: statNote}
			for _, l := range libs {
				for _, m := range bench.Methods {
					row := []string{l, m}
					any := false
					for _, w := range []string{bench.Startup, bench.Pingpong, bench.Pool} {
						c := d.libCell(r, l, w, m, cores)
						if c == nil {
							row = append(row, "")
							continue
						}
						any = true
						row = append(row, d.statEntry(c, map[string]string{bench.Startup: "ns/op+join", bench.Pingpong: "ns/op", bench.Pool: "ns/op"}[w]))
					}
					if any {
						t.Rows = append(t.Rows, row)
					}
				}
			}
			ts = append(ts, t)
		}
		ex := d.executorCells(r)
		if len(ex) == 0 {
			continue
		}
		cores := int64(0)
		for _, c := range ex {
			cores = max(cores, keyInt(c, "cores"))
		}
		ex = view.Select(ex, func(c *view.Cell) bool { return keyInt(c, "cores") == cores })
		t := &Table{Name: "executors" + d.suffix(r), Section: "libraries",
			Title:  fmt.Sprintf("Pool makespan and efficiency by executor, method and workers (cpython, task=cpu, cores=%d)%s", cores, d.titleSuffix(r)),
			Header: []string{"exec", "method", "chan", "workers", "tasks", "makespan", "efficiency", "runs (samples)", "between-run var"}, Left: 3, Caption: statNote}
		overhead := anySamples(ex, "overhead-ns/op") // results recorded before the metric existed have none
		if overhead {
			t.Header = slices.Insert(t.Header, 6, "overhead")
			t.Caption += " " + overheadNote
		}
		for _, c := range ex {
			s := d.Stat(c, "ns/op")
			row := []string{c.Get("exec"), c.Get("method"), c.Get("chan"), c.Get("workers"), c.Get("tasks")}
			if s.N == 0 {
				row = append(row, statusText(c, "ns/op"), "—", "—", "—")
			} else {
				row = append(row, fmtStat("ns/op", s)+marks(c, s), fmtStat("efficiency", d.Stat(c, "efficiency")), runsText(s), shareText(s))
			}
			if overhead {
				row = slices.Insert(row, 6, d.overheadText(c))
			}
			t.Rows = append(t.Rows, row)
		}
		ts = append(ts, t)
	}
	return ts
}

// libraryFindings: per method, each library's start+join against cpython;
// per executor at workers = cores, the makespan against exec=pool.
func (d *Data) libraryFindings(r *view.Run) []string {
	var out []string
	if libs := d.libsOf(r); libs != nil {
		cores := d.maxCoresOf(r, libs)
		for _, m := range bench.Methods {
			base := d.libCell(r, "cpython", bench.Startup, m, cores)
			for _, l := range libs[1:] {
				c := d.libCell(r, l, bench.Startup, m, cores)
				if c == nil {
					continue
				}
				s, _ := d.metricStat(c, "ns/op+join")
				if s.N == 0 {
					out = append(out, fmt.Sprintf("%s, method=%s: %s.", l, m, statusText(c, "ns/op")))
					continue
				}
				if base == nil || !base.Has("ns/op") {
					continue
				}
				b, _ := d.metricStat(base, "ns/op+join")
				cmp := CompareStats(b, s)
				out = append(out, fmt.Sprintf("%s start+join with method=%s: %s vs cpython %s (%s; chan=pipe, rss=0, cores=%d).",
					l, m, fmtStat("ns/op", s), fmtStat("ns/op", b), ratioOrTilde(cmp), cores))
			}
		}
	}
	ex := d.executorCells(r)
	cores := int64(0)
	for _, c := range ex {
		cores = max(cores, keyInt(c, "cores"))
	}
	for _, g := range view.GroupBy(view.Select(ex, func(c *view.Cell) bool { return keyInt(c, "cores") == cores && keyInt(c, "workers") == cores }),
		func(c *view.Cell) string { return c.Get("method") }) {
		var base *view.Cell
		for _, c := range g.Cells {
			if c.Get("exec") == "pool" && c.Has("ns/op") {
				base = c
			}
		}
		for _, c := range g.Cells {
			if c == base || !c.Has("ns/op") {
				continue
			}
			s := fmt.Sprintf("exec=%s (method=%s, %s workers, cores=%d): makespan %s, efficiency %s", c.Get("exec"), c.Get("method"), c.Get("workers"), cores,
				fmtStat("ns/op", d.Stat(c, "ns/op")), fmtStat("efficiency", d.Stat(c, "efficiency")))
			if base != nil {
				s += fmt.Sprintf("; vs multiprocessing.Pool %s: %s", fmtStat("ns/op", d.Stat(base, "ns/op")), ratioOrTilde(CompareStats(d.Stat(base, "ns/op"), d.Stat(c, "ns/op"))))
			}
			out = append(out, s+".")
		}
	}
	return out
}

func ratioOrTilde(c Comparison) string {
	if !c.Significant {
		return "~ (no significant difference)"
	}
	return sig3(c.Ratio) + "×"
}

// libraryFigures: the libraries' start-up and round trip by start method,
// and the pool executors' makespan and efficiency by workers.
func (d *Data) libraryFigures(r *view.Run) []*figure {
	var fs []*figure
	if f := d.libraryFigure(r); f != nil {
		fs = append(fs, f)
	}
	if f := d.executorFigure(r); f != nil {
		fs = append(fs, f)
	}
	return fs
}

// libraryFigure: start + join and the 64 B round trip of each library by
// start method, at the libraries' largest core count (nil without
// library cells).
func (d *Data) libraryFigure(r *view.Run) *figure {
	libs := d.libsOf(r)
	if libs == nil {
		return nil
	}
	cores := d.maxCoresOf(r, libs)
	ticks, lo, hi := categoryTicks(bench.Methods)
	mk := func(w, title, ylabel, unit string, scale float64) panel {
		pn := panel{title: title, xlabel: "start method", ylabel: ylabel, xticks: ticks, xmin: lo, xmax: hi}
		for k, l := range libs {
			s := series{name: l, color: k, shape: k, noLine: true}
			off := dodge(k, len(libs))
			for i, m := range bench.Methods {
				if c := d.libCell(r, l, w, m, cores); c != nil {
					if st, _ := d.metricStat(c, unit); st.N > 0 {
						s.pts = append(s.pts, statPt(float64(i)+off, st, scale))
					}
				}
			}
			pn.series = append(pn.series, s)
		}
		pn.logY = spansDecade(pn.series)
		return pn
	}
	return &figure{
		name:    fmt.Sprintf("libraries-cores%d%s", cores, d.suffix(r)),
		title:   fmt.Sprintf("multiprocessing, billiard, multiprocess (chan=pipe, cores=%d, %s)%s", cores, machineShort(r), d.titleSuffix(r)),
		caption: "Start+join per child (rss=0) and 64 B round trip by library and start method; a missing marker is a skipped or failed cell (see the table). Whiskers: 95% CI.",
		cols:    2,
		panels:  []panel{mk(bench.Startup, "start + join", "start + join (ms)", "ns/op+join", 1e6), mk(bench.Pingpong, "64 B round trip", "round trip (µs)", "ns/op", 1e3)},
	}
}

// executorFigure: makespan and parallel efficiency of each executor by
// workers, at the largest core count of the executor cells (nil without
// them).
func (d *Data) executorFigure(r *view.Run) *figure {
	ex := d.executorCells(r)
	if len(ex) == 0 {
		return nil
	}
	cores := maxKey(ex, "cores")
	ex = view.Select(ex, func(c *view.Cell) bool { return keyInt(c, "cores") == cores })
	var workers []int64
	seen := map[int64]bool{}
	for _, c := range ex {
		if w := keyInt(c, "workers"); !seen[w] {
			seen[w] = true
			workers = append(workers, w)
		}
	}
	sortSlice(len(workers), func(i, j int) bool { return workers[i] < workers[j] }, func(i, j int) { workers[i], workers[j] = workers[j], workers[i] })
	var ticks []plot.Tick
	for _, w := range workers {
		ticks = append(ticks, plot.Tick{Value: float64(w), Label: strconv.FormatInt(w, 10)})
	}
	mk := func(metric, ylabel string, scale float64) panel {
		pn := panel{title: ylabel + " by executor", xlabel: "workers", ylabel: ylabel, xticks: ticks,
			xmin: float64(workers[0]) - 0.5, xmax: float64(workers[len(workers)-1]) + 0.5}
		for i, g := range view.GroupBy(ex, func(c *view.Cell) string { return c.Get("exec") + "/" + c.Get("method") + "/" + c.Get("chan") }) {
			s := series{name: g.Key, color: i, shape: i}
			for _, c := range g.Cells {
				if c.Has(metric) {
					s.pts = append(s.pts, statPt(float64(keyInt(c, "workers")), d.Stat(c, metric), scale))
				}
			}
			pn.series = append(pn.series, s)
		}
		if metric == "efficiency" {
			pn.hlines = []float64{1}
		}
		return pn
	}
	return &figure{
		name:    fmt.Sprintf("executors-cores%d%s", cores, d.suffix(r)),
		title:   fmt.Sprintf("Pool executors: makespan and efficiency vs workers (cpython, task=cpu, cores=%d, %s)%s", cores, machineShort(r), d.titleSuffix(r)),
		caption: "exec=pool multiprocessing.Pool, ppe ProcessPoolExecutor, loky-cold/-warm the first/a later map of a loky executor, loop a hand-written worker loop; series = exec/method/chan. Efficiency = Σ measured task time / (P × makespan), P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks; the line at 1 is perfect use of the CPUs.",
		cols:    2,
		panels:  []panel{mk("ns/op", "makespan (ms)", 1e6), mk("efficiency", "parallel efficiency", 1)},
	}
}
