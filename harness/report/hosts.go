package report

// Hosts and shards.
//
// A host is identified by its label (the `host-label` configuration line,
// or for older files one derived from the `host`, `cpu` and `nproc`
// lines), never by its name alone: machines of a cluster often share a
// name. A run is identified by its host label and its `run-id` line
// (written by sharded runs: the Slurm array job, or a digest of the
// command line). Folders of one host and one run are shards and are
// merged into one run; a folder without a run id is a run of its own.
// Different runs (different hosts, or runs of one host) are shown side
// by side: one table per workload with a column per run, figures with
// the runs as series.

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// ShardKeys are the configuration keys that differ between the shards of
// one run (or that an unsharded run does not have); a merged run shows
// them per shard.
var ShardKeys = []string{"shard", "shard-selection", "run-id", "slurm-job-id", "slurm-array-job-id", "slurm-array-task-id", "slurm-cluster", "slurm-node"}

// MergeShards merges the runs that are shards of one run (same host label,
// same non-empty run id) into one run, keeping the order of first
// appearance. A cell recorded by two shards is kept once when both
// recorded the same thing (a folder given twice) and refused otherwise:
// one run cannot have measured one cell twice.
func MergeShards(runs []*view.Run) ([]*view.Run, error) {
	type key struct{ host, id string }
	groups := map[key][]*view.Run{}
	var order []key
	var out []*view.Run
	for i, r := range runs {
		k := key{r.HostLabel(), r.RunID()}
		if k.id == "" {
			k.id = "\x00folder" + strconv.Itoa(i)
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		g := groups[k]
		if len(g) == 1 {
			out = append(out, g[0])
			continue
		}
		m, err := mergeRuns(g)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// mergeRuns merges the shards of one run, ordered by shard number.
func mergeRuns(shards []*view.Run) (*view.Run, error) {
	shards = append([]*view.Run(nil), shards...)
	sort.SliceStable(shards, func(i, j int) bool {
		return shardIndex(shards[i]) < shardIndex(shards[j])
	})
	first := shards[0]
	if err := sameSelection(shards); err != nil {
		return nil, err
	}
	m := &view.Run{Dir: mergedDir(shards), Better: map[string]int{}}
	if missing := missingShards(shards); missing != "" {
		m.Warnings = append(m.Warnings, fmt.Sprintf("run %s of %s: %s not given; the report covers the other shards' cells only",
			first.RunID(), first.HostLabel(), missing))
	}
	m.Config = mergedConfig(shards)
	if err := mergeShardCells(m, shards); err != nil {
		return nil, err
	}
	for _, c := range m.Cells {
		c.Run = m
	}
	view.SortCells(m.Cells)
	return m, nil
}

// mergedDir is the folder of a merged run: the one the shard folders
// share (results/slurm-<id>), else the first shard's.
func mergedDir(shards []*view.Run) string {
	first := shards[0]
	dir, parent := first.Dir, filepath.Dir(filepath.Clean(first.Dir))
	common := true
	for _, r := range shards {
		common = common && filepath.Dir(filepath.Clean(r.Dir)) == parent && !r.Claims
	}
	if common {
		dir = parent
	}
	return dir
}

// sameSelection checks that the shards partition one selection (shards of
// one run do).
func sameSelection(shards []*view.Run) error {
	first := shards[0]
	for _, r := range shards[1:] {
		if a, b := first.ConfigValue("shard-selection"), r.ConfigValue("shard-selection"); a != b {
			return fmt.Errorf("%s and %s (host %s, run %s) are shards of different selections (%q, %q): not one run",
				first.Dir, r.Dir, first.HostLabel(), first.RunID(), a, b)
		}
	}
	return nil
}

// mergedConfig is the configuration of a merged run: the first shard's
// keys in its order (then keys only other shards have); a value the
// shards do not agree on is listed per shard, "v1 | v2 | …"; last the
// shard-folders line.
func mergedConfig(shards []*view.Run) []view.KV {
	var keys []string
	seen := map[string]bool{}
	for _, r := range shards {
		for _, kv := range r.Config {
			if !seen[kv.Key] {
				seen[kv.Key] = true
				keys = append(keys, kv.Key)
			}
		}
	}
	var config []view.KV
	for _, k := range keys {
		var vals []string
		same := true
		for _, r := range shards {
			v := r.ConfigValue(k)
			vals = append(vals, v)
			same = same && v == vals[0]
		}
		v := vals[0]
		if !same {
			v = strings.Join(vals, " | ")
		}
		config = append(config, view.KV{Key: k, Value: v})
	}
	var dirs []string
	for _, r := range shards {
		dirs = append(dirs, filepath.Base(filepath.Clean(r.Dir)))
	}
	return append(config, view.KV{Key: "shard-folders", Value: strings.Join(dirs, " ")})
}

// mergeShardCells adds the shards' cells, warnings and flags to m. A cell
// recorded by two shards is kept once when both recorded the same thing,
// else it is an error.
func mergeShardCells(m *view.Run, shards []*view.Run) error {
	first := shards[0]
	byName := map[string]*view.Cell{}
	for _, r := range shards {
		for u, b := range r.Better {
			m.Better[u] = b
		}
		m.Claims = m.Claims || r.Claims
		m.PerRun = m.PerRun || r.PerRun
		for _, w := range r.Warnings {
			m.Warnings = append(m.Warnings, filepath.Base(filepath.Clean(r.Dir))+"/"+w)
		}
		for _, c := range r.Cells {
			if prev, ok := byName[c.Name]; ok {
				if !sameCell(prev, c) {
					return fmt.Errorf("cell %s is recorded by both %s and %s (host %s, run %s) with different results: shards of one run must not overlap",
						c.Name, prev.Run.Dir, r.Dir, first.HostLabel(), first.RunID())
				}
				continue
			}
			byName[c.Name] = c
			m.Cells = append(m.Cells, c)
		}
	}
	return nil
}

// missingShards names the shards 1..N of a run that are not among the
// given ones ("" when all are there or the shards do not say N).
func missingShards(shards []*view.Run) string {
	have := map[int]bool{}
	n := 0
	for _, r := range shards {
		k, ns, _ := strings.Cut(r.ConfigValue("shard"), "/")
		ki, _ := strconv.Atoi(k)
		ni, _ := strconv.Atoi(ns)
		have[ki] = true
		n = max(n, ni)
	}
	var miss []string
	for k := 1; k <= n; k++ {
		if !have[k] {
			miss = append(miss, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(miss) == 0 {
		return ""
	}
	return "shard " + strings.Join(miss, ", ")
}

// shardIndex is K of a "shard: K/N" line (0 when absent).
func shardIndex(r *view.Run) int {
	k, _, _ := strings.Cut(r.ConfigValue("shard"), "/")
	n, _ := strconv.Atoi(k)
	return n
}

// sameCell reports whether two records of a cell are identical.
func sameCell(a, b *view.Cell) bool {
	if a.Status != b.Status || a.Reason != b.Reason || len(a.Units) != len(b.Units) || len(a.Iters) != len(b.Iters) {
		return false
	}
	for i := range a.Iters {
		if a.Iters[i] != b.Iters[i] {
			return false
		}
	}
	for _, u := range a.Units {
		x, y := a.Values(u), b.Values(u)
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
	}
	return true
}

// hostMetric is the headline metric of a workload in the side-by-side
// view: unit (with a fallback), scale and the text of its unit.
type hostMetric struct {
	unit, fallback string
	scale          float64
	what           string // axis label, in the figure's unit
	name           string // table title (table cells carry their units)
}

var hostMetrics = map[string]hostMetric{
	bench.Startup:  {"ns/op", "", 1e6, "start-up latency, ms", "start-up latency"},
	bench.Pingpong: {"p50-ns", "ns/op", 1e3, "round trip p50, µs", "round trip p50"},
	bench.Stream:   {"MB/s", "", 1, "throughput, MB/s", "throughput"},
	bench.Pool:     {"ns/op", "", 1e6, "makespan of one map, ms", "makespan of one map"},
	bench.Gather:   {"msgs/s", "", 1, "messages per second at the parent", "messages per second at the parent"},
	bench.Memory:   {"uss-B", "", 1 << 20, "USS per worker, MiB", "USS per worker"},
}

// metricOf returns the unit a cell shows in the side-by-side view.
func (m hostMetric) metricOf(c *view.Cell) string {
	if c != nil && !c.Has(m.unit) && m.fallback != "" && c.Has(m.fallback) {
		return m.fallback
	}
	return m.unit
}

// hostRuns returns the runs that have cells of a workload.
func (d *Data) hostRuns(w string) []*view.Run {
	var out []*view.Run
	for _, r := range d.Runs {
		if len(onlyRun(d.workload(w), r)) > 0 {
			out = append(out, r)
		}
	}
	return out
}

// hostLabels names the columns of a workload's runs: the host label, with
// the folder when one host has several runs there.
func hostLabels(runs []*view.Run) []string {
	n := map[string]int{}
	for _, r := range runs {
		n[r.HostLabel()]++
	}
	var out []string
	for _, r := range runs {
		l := r.HostLabel()
		if n[l] > 1 {
			l += "/" + filepath.Base(filepath.Clean(r.Dir))
		}
		out = append(out, l)
	}
	return out
}

// hostTables: per workload, one table with a row per cell and a column per
// run (and, for two runs, the ratio of their medians).
func (d *Data) hostTables() []*Table {
	if !d.Multi {
		return nil
	}
	var ts []*Table
	for _, w := range bench.Workloads {
		runs := d.hostRuns(w)
		if len(runs) < 2 {
			continue
		}
		m := hostMetrics[w]
		labels := hostLabels(runs)
		t := &Table{
			Name:    "hosts-" + w,
			Section: "hosts",
			Title:   fmt.Sprintf("%s side by side: %s", sectionHeading(w), m.name),
			Header:  append([]string{"cell"}, labels...),
			Left:    1,
			Caption: statNote + " — where a run did not measure the cell.",
		}
		if len(runs) == 2 {
			t.Header = append(t.Header, "ratio")
			t.Caption += fmt.Sprintf(" ratio = median of %s / median of %s.", labels[1], labels[0])
		}
		rows, single := hostRows(d, w, runs)
		t.Caption += fmt.Sprintf(" Rows: the cells measured by two or more of them; `cores=all`: each host with all its CPUs (cores = its nproc), where their counts differ. %s measured by one run only are in the per-run tables.",
			plural(single, "cell", "cells"))
		for _, row := range rows {
			line := []string{row.label}
			var meds []float64
			units := map[string]bool{}
			for _, rc := range row.cells {
				line = append(line, d.inline(rc, m.metricOf(rc), m.scale))
				if rc != nil {
					units[m.metricOf(rc)] = true
				}
				med := math.NaN()
				if rc != nil {
					if s := d.Stat(rc, m.metricOf(rc)); s.N > 0 {
						med = s.Median
					}
				}
				meds = append(meds, med)
			}
			if len(runs) == 2 {
				ratio := "—"
				if !math.IsNaN(meds[0]) && !math.IsNaN(meds[1]) && meds[0] != 0 && len(units) == 1 {
					ratio = sig3(meds[1]/meds[0]) + "×"
				}
				line = append(line, ratio)
			}
			t.Rows = append(t.Rows, line)
		}
		ts = append(ts, t)
	}
	return ts
}

// hostRow is one row of a side-by-side table: a cell per run (nil where
// the run did not measure it).
type hostRow struct {
	label string
	cells []*view.Cell
}

// hostRows lists the cells of a workload measured by at least two of the
// runs (same name), then the cells each run measured with all its CPUs
// ("cores=all") where the runs' CPU counts differ; single counts the
// cells measured by one run only.
func hostRows(d *Data, w string, runs []*view.Run) (rows []hostRow, single int) {
	type entry struct {
		label string
		first *view.Cell
		cells []*view.Cell
		all   bool
	}
	idx := map[string]*entry{}
	var order []*entry
	add := func(key, label string, all bool, i int, c *view.Cell) {
		e, ok := idx[key]
		if !ok {
			e = &entry{label: label, first: c, cells: make([]*view.Cell, len(runs)), all: all}
			idx[key] = e
			order = append(order, e)
		}
		if e.cells[i] == nil {
			e.cells[i] = c
		}
	}
	for i, r := range runs {
		nproc, _ := strconv.Atoi(r.ConfigValue("nproc"))
		for _, c := range onlyRun(d.workload(w), r) {
			label := strings.TrimPrefix(c.Name, c.Kind+"/")
			add(c.Name, label, false, i, c)
			if c.Cell.Cores == nproc {
				if j := strings.LastIndex(label, "/cores="); j >= 0 {
					label = label[:j] + "/cores=all"
					add("all\x00"+label, label, true, i, c)
				}
			}
		}
	}
	var exact, all []*entry
	for _, e := range order {
		n := 0
		cores := map[int]bool{}
		for _, c := range e.cells {
			if c != nil {
				n++
				cores[c.Cell.Cores] = true
			}
		}
		switch {
		case !e.all && n < 2:
			single++
		case !e.all:
			exact = append(exact, e)
		case n >= 2 && len(cores) > 1:
			all = append(all, e)
		}
	}
	for _, list := range [][]*entry{exact, all} {
		sort.SliceStable(list, func(i, j int) bool { return view.Less(list[i].first, list[j].first) })
		for _, e := range list {
			rows = append(rows, hostRow{e.label, e.cells})
		}
	}
	return rows, single
}

// hostFigures: the effect of the core count with the runs as series — per
// workload (ping-pong at the smallest size, stream at the size nearest
// 1 MiB, pool with as many workers as cores) and impl, one panel per
// start method and channel.
func (d *Data) hostFigures() []*figure {
	if !d.Multi {
		return nil
	}
	var fs []*figure
	if f := d.hostStartupFigure(); f != nil {
		fs = append(fs, f)
	}
	for _, w := range []string{bench.Pingpong, bench.Stream, bench.Pool} {
		runs := d.hostRuns(w)
		if len(runs) < 2 {
			continue
		}
		all := d.workload(w)
		for _, impl := range present(bench.KnownImpls(), all, func(c bench.Cell) string { return c.Impl }) {
			if f := d.hostCoresFigure(w, impl, runs, all); f != nil {
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// hostCoresFigure is the side-by-side figure of one workload and impl by
// core count (nil when fewer than two core counts or no panel of two
// points): a panel per start method, executor and channel, a series per
// run; where some panels have two runs with data, only those.
func (d *Data) hostCoresFigure(w, impl string, runs []*view.Run, all []*view.Cell) *figure {
	ic, size := hostCoresCells(w, impl, all)
	cores := coresList(ic)
	if len(cores) < 2 {
		return nil
	}
	m := hostMetrics[w]
	labels := hostLabels(runs)
	var ticks []plot.Tick
	for _, n := range cores {
		ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
	}
	frame := panel{xlabel: "cores (CPU affinity set)", ylabel: m.what, logX: true, xticks: ticks,
		xmin: float64(cores[0]) / 1.4, xmax: float64(cores[len(cores)-1]) * 1.4, legendBottom: w == bench.Stream}
	f := &figure{name: "hosts-cores-" + w + "-" + impl}
	var shared []panel
	for _, g := range view.GroupBy(ic, func(c *view.Cell) string { return c.Cell.Method + "/" + c.Cell.Exec + "/" + c.Cell.Chan }) {
		pn := frame
		pn.title = hostPanelTitle(impl, g.Cells[0].Cell)
		var points, withData int
		pn.series, points, withData = d.hostCoresSeries(g.Cells, runs, labels, m)
		if points < 2 {
			continue
		}
		if withData > 1 {
			shared = append(shared, pn)
		}
		f.panels = append(f.panels, pn)
	}
	if len(f.panels) == 0 {
		return nil
	}
	// Side by side means where two or more runs measured: panels of
	// one run only are in that run's own figures.
	onlyOne := len(f.panels) - len(shared)
	if len(shared) > 0 {
		f.panels = shared
	}
	shareLogY(f.panels)
	f.cols = min(len(f.panels), 2)
	f.title, f.caption = hostCoresText(w, impl, size)
	if len(shared) > 0 && onlyOne > 0 {
		f.caption += fmt.Sprintf(" %s measured by one run only are left out here.", plural(onlyOne, "method/channel", "methods/channels"))
	}
	return f
}

// hostCoresCells are the cells of a hosts-cores figure: an impl's cells
// without payload, of ping-pong at its smallest size and of stream at
// the size nearest 1 MiB (the size is returned), of pool with cpu tasks
// and as many workers as cores.
func hostCoresCells(w, impl string, all []*view.Cell) ([]*view.Cell, int64) {
	ic := view.Filter(all, func(c bench.Cell) bool { return c.Impl == impl && c.Payload == "" })
	if w == bench.Pool {
		ic = view.Filter(ic, func(c bench.Cell) bool { return c.Workers == c.Cores && c.Task == "cpu" })
	}
	if len(ic) == 0 || w == bench.Pool {
		return ic, 0
	}
	sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
	size := sizes[0]
	if w == bench.Stream {
		size = closestSize(sizes, 1<<20)
	}
	return view.Filter(ic, func(c bench.Cell) bool { return c.Size == size }), size
}

// hostPanelTitle names a panel by impl, start method, executor and channel.
func hostPanelTitle(impl string, c bench.Cell) string {
	title := impl + ", method=" + c.Method
	if c.Exec != "" {
		title += ", exec=" + c.Exec
	}
	if c.Chan != "" {
		title += ", chan=" + c.Chan
	}
	return title
}

// hostCoresSeries are the series of a hosts-cores panel, one per run (its
// cells by core count), with the number of points and of runs with data.
func (d *Data) hostCoresSeries(cells []*view.Cell, runs []*view.Run, labels []string, m hostMetric) (ss []series, points, withData int) {
	for i, r := range runs {
		s := series{name: labels[i], color: i, shape: i}
		for _, c := range onlyRun(cells, r) {
			if u := m.metricOf(c); c.Has(u) {
				s.pts = append(s.pts, statPt(float64(c.Cell.Cores), d.Stat(c, u), m.scale))
			}
		}
		sort.Slice(s.pts, func(a, b int) bool { return s.pts[a].x < s.pts[b].x })
		points += len(s.pts)
		if len(s.pts) > 0 {
			withData++
		}
		ss = append(ss, s)
	}
	return ss, points, withData
}

// hostCoresText is the title and caption of a hosts-cores figure.
func hostCoresText(w, impl string, size int64) (title, caption string) {
	switch w {
	case bench.Pingpong:
		return fmt.Sprintf("Ping-pong round trip vs cores, %s, size=%s: hosts side by side", impl, sizeLabel(size)),
			fmt.Sprintf("Round trip (p50; median of the per-run medians, whiskers: its 95%% CI) of %s at size=%s by CPU-set size, one line per host/run, one panel per start method and channel.", impl, sizeLabel(size))
	case bench.Stream:
		return fmt.Sprintf("Stream throughput vs cores, %s, size=%s: hosts side by side", impl, sizeLabel(size)),
			fmt.Sprintf("One-way throughput of %s at size=%s by CPU-set size, one line per host/run, one panel per start method and channel; median of the per-run medians, whiskers: its 95%% CI.", impl, sizeLabel(size))
	case bench.Pool:
		return fmt.Sprintf("Pool makespan with workers = cores, %s, cpu tasks: hosts side by side", impl),
			fmt.Sprintf("Makespan of one map of cpu tasks of %s with as many workers as cores, by core count, one line per host/run, one panel per start method and channel; median of the per-run medians, whiskers: its 95%% CI.", impl)
	}
	return "", ""
}

// shareLogY gives the panels of a figure one y scale: logarithmic when
// their values together span more than a decade.
func shareLogY(panels []panel) {
	var all []series
	for _, pn := range panels {
		all = append(all, pn.series...)
	}
	for i := range panels {
		panels[i].logY = spansDecade(all)
	}
}

// hostCat is a category of the side-by-side start-up figure
// ("impl\nmethod\nchan") at one parent rss.
type hostCat struct {
	cat string
	rss int64
}

func hostCatOf(c *view.Cell, rss int64) hostCat {
	return hostCat{c.Cell.Impl + "\n" + c.Cell.Method + "\n" + c.Cell.Chan, rss}
}

// hostStartupFigure: start-up latency of every host with all its CPUs
// (cores = nproc), one panel per parent rss (smallest and largest), the
// impl/method/chan combinations at least two hosts measured as
// categories, a marker per host.
func (d *Data) hostStartupFigure() *figure {
	runs := d.hostRuns(bench.Startup)
	if len(runs) < 2 {
		return nil
	}
	at, cells := d.hostStartupCells(runs)
	rssList := presentInts(cells, func(c bench.Cell) int64 { return c.RSS })
	if len(rssList) == 0 {
		return nil
	}
	if len(rssList) > 2 {
		rssList = []int64{rssList[0], rssList[len(rssList)-1]}
	}
	f := &figure{
		name:  "hosts-startup",
		title: "Start-up latency with all CPUs of each host: hosts side by side",
		caption: "Start-up latency (start() → first message) of each host at cores = its CPU count, by implementation, start method and channel " +
			"measured on two or more hosts; one marker per host; median of the per-run medians, whiskers: its 95% CI.",
		cols: 1,
	}
	labels := hostLabels(runs)
	for _, rss := range rssList {
		if cats := hostStartupCats(cells, at, rss); len(cats) > 0 {
			f.panels = append(f.panels, d.hostStartupPanel(rss, cats, at, labels))
		}
	}
	if len(f.panels) == 0 {
		return nil
	}
	shareLogY(f.panels)
	return f
}

// hostStartupCells are the start-up cells of each run with all its CPUs,
// without payload and with samples: per category and rss the cell of
// each run (nil where it has none), and one cell per category and rss in
// cell order.
func (d *Data) hostStartupCells(runs []*view.Run) (map[hostCat][]*view.Cell, []*view.Cell) {
	at := map[hostCat][]*view.Cell{}
	var cells []*view.Cell
	for i, r := range runs {
		nproc, _ := strconv.Atoi(r.ConfigValue("nproc"))
		for _, c := range onlyRun(d.workload(bench.Startup), r) {
			if c.Cell.Cores != nproc || c.Cell.Payload != "" || !c.Has("ns/op") {
				continue
			}
			k := hostCatOf(c, c.Cell.RSS)
			if at[k] == nil {
				at[k] = make([]*view.Cell, len(runs))
				cells = append(cells, c)
			}
			at[k][i] = c
		}
	}
	view.SortCells(cells)
	return at, cells
}

// hostStartupCats are the categories at rss that two or more runs
// measured, in cell order.
func hostStartupCats(cells []*view.Cell, at map[hostCat][]*view.Cell, rss int64) []string {
	var cats []string
	seen := map[string]bool{}
	for _, c := range cells {
		k := hostCatOf(c, rss)
		n := 0
		for _, x := range at[k] {
			if x != nil {
				n++
			}
		}
		if n >= 2 && !seen[k.cat] {
			seen[k.cat] = true
			cats = append(cats, k.cat)
		}
	}
	return cats
}

// hostStartupPanel is the panel of one parent rss: the categories along
// x, a marker per run (labels) beside each other.
func (d *Data) hostStartupPanel(rss int64, cats []string, at map[hostCat][]*view.Cell, labels []string) panel {
	ticks, lo, hi := categoryTicks(cats)
	pn := panel{title: "parent rss=" + sizeLabel(rss), ylabel: "start-up latency (ms)", xticks: ticks,
		xmin: lo, xmax: hi, rotateX: len(cats) > 8}
	for i := range labels {
		sr := series{name: labels[i], color: i, shape: i, noLine: true}
		off := dodge(i, len(labels))
		for j, cat := range cats {
			if c := at[hostCat{cat, rss}][i]; c != nil {
				sr.pts = append(sr.pts, statPt(float64(j)+off, d.Stat(c, "ns/op"), 1e6))
			}
		}
		pn.series = append(pn.series, sr)
	}
	return pn
}

// hostsIntro is the side-by-side part of a report on several runs: the
// runs by host, the first side-by-side figure, links to the others and
// to the side-by-side tables ("" for a report on one run).
func (d *Data) hostsIntro(tables []*Table, figs []*figure) string {
	if !d.Multi {
		return ""
	}
	var w strings.Builder
	fmt.Fprintln(&w, "Runs, by host label (host name, CPU model and CPU count unless given with `--host-label`); shards of one run are merged:")
	fmt.Fprintln(&w)
	for _, r := range d.Runs {
		shards := ""
		if f := r.ConfigValue("shard-folders"); f != "" {
			shards = fmt.Sprintf(", merged from %d shards (%s)", len(strings.Fields(f)), f)
		}
		fmt.Fprintf(&w, "- **%s**: host label `%s`, folder `%s`, %d cells%s\n", r.Label, r.HostLabel(),
			filepath.Base(filepath.Clean(r.Dir)), len(r.Cells), shards)
	}
	fmt.Fprintln(&w)
	var links []string
	shown := false
	for _, f := range figs {
		if !strings.HasPrefix(f.name, "hosts-") {
			continue
		}
		if !shown {
			fmt.Fprintf(&w, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n", f.title, f.name, f.caption, f.name)
			shown = true
			continue
		}
		links = append(links, fmt.Sprintf("[%s](plots/%s.png)", f.name, f.name))
	}
	for _, t := range tables {
		if t.Section == "hosts" {
			links = append(links, fmt.Sprintf("[%s](tables/%s.md) (%s)", t.Title, t.Name, plural(len(t.Rows), "cell", "cells")))
		}
	}
	if len(links) > 0 {
		fmt.Fprintf(&w, "Side by side: %s.\n\n", strings.Join(links, "; "))
	}
	return w.String()
}
