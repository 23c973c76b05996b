package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// statPt makes a plot point from a metric's statistics scaled by 1/scale:
// the median with its 95% CI, or with the range of its run medians when
// the cell has too few runs for a CI (drawn differently, see pt.rng).
func statPt(x float64, s view.Stats, scale float64) pt {
	if s.N == 0 {
		return pt{x: x, y: math.NaN(), lo: math.NaN(), hi: math.NaN()}
	}
	q := pt{x: x, y: s.Median / scale, lo: math.NaN(), hi: math.NaN()}
	switch {
	case s.CIValid:
		q.lo, q.hi = s.Lo/scale, s.Hi/scale
	case len(s.RunMedians) > 1:
		q.lo, q.hi, q.rng = slices.Min(s.RunMedians)/scale, slices.Max(s.RunMedians)/scale, true
	}
	return q
}

// dodge is the x offset of the i-th of n markers drawn side by side at
// one category, so that they do not hide each other.
func dodge(i, n int) float64 { return (float64(i) - float64(n-1)/2) * 0.15 }

// figMachine is the machine in a figure title: CPU, CPU count and, for a
// figure of one implementation, that implementation and its version
// (implLabel); a figure of several implementations names their versions
// in its caption (implVersions).
func figMachine(r *view.Run, impl string) string {
	var p []string
	if v := r.ConfigValue("cpu"); v != "" {
		p = append(p, v)
	}
	if v := r.ConfigValue("nproc"); v != "" {
		p = append(p, v+" CPUs")
	}
	if impl != "" {
		p = append(p, implLabel(r, impl))
	}
	return strings.Join(p, ", ")
}

// implLabel names an implementation with the versions the run recorded:
// "CPython 3.11.7", "PyPy 7.3.11 (Python 3.9.16)", "torch 1.13.0 (Python
// 3.11.2)", "native (Go go1.26.8)"; the bare name when none is recorded.
func implLabel(r *view.Run, impl string) string {
	switch impl {
	case "cpython":
		if v := r.ConfigValue("cpython-version"); v != "" {
			return "CPython " + v
		}
	case "native":
		if v := r.ConfigValue("native-go"); v != "" {
			return "native (Go " + v + ")"
		}
	}
	name := bench.DisplayName(impl)
	if v := r.ConfigValue(impl + "-version"); v != "" {
		name += " " + v
	}
	if v := r.ConfigValue(impl + "-python-version"); v != "" {
		name += " (Python " + v + ")"
	}
	return name
}

// implVersions is "native (Go go1.26.8); CPython 3.11.7; …" for impls.
func implVersions(r *view.Run, impls []string) string {
	var p []string
	for _, im := range impls {
		p = append(p, implLabel(r, im))
	}
	return strings.Join(p, "; ")
}

func (s series) empty() bool {
	for _, p := range s.pts {
		if !math.IsNaN(p.y) {
			return false
		}
	}
	return true
}

func nonEmpty(ss []series) []series {
	var out []series
	for _, s := range ss {
		if !s.empty() {
			out = append(out, s)
		}
	}
	return out
}

// sizeTicks are ticks at the sizes present, labelled 64B, 4KiB, …
func sizeTicks(sizes []int64) []plot.Tick {
	var t []plot.Tick
	for _, s := range sizes {
		t = append(t, plot.Tick{Value: float64(s), Label: sizeLabel(s)})
	}
	return t
}

// chanSeriesName names a series of a chan, with the payload when not bytes.
func chanSeriesName(ch, pay string) string {
	if pay != "" && pay != "bytes" {
		return ch + " (" + pay + ")"
	}
	return ch
}

// Figures builds every figure of the report.
func (d *Data) Figures() []*figure {
	var fs []*figure
	for _, r := range d.Runs {
		fs = append(fs, d.startupFigures(r)...)
		fs = append(fs, d.sizeFigures(r, bench.Pingpong)...)
		fs = append(fs, d.sizeFigures(r, bench.Stream)...)
		fs = append(fs, d.coresFigures(r)...)
		fs = append(fs, d.poolFigures(r)...)
		fs = append(fs, d.forkRoadFigures(r)...)
		fs = append(fs, d.versionFigures(r)...)
		fs = append(fs, d.libraryFigures(r)...)
	}
	fs = append(fs, d.hostFigures()...) // several runs side by side (hosts.go)
	if f := d.keyFindings(); f != nil {
		fs = append([]*figure{f}, fs...)
	}
	var out []*figure
	for _, f := range fs {
		var ps []panel
		for _, p := range f.panels {
			p.series = nonEmpty(p.series)
			if len(p.series) > 0 || p.note != "" {
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 { // no empty figures
			f.panels = ps
			out = append(out, f)
		}
	}
	return out
}

func coresList(cells []*view.Cell) []int {
	var out []int
	for _, v := range presentInts(cells, func(c bench.Cell) int64 { return int64(c.Cores) }) {
		out = append(out, int(v))
	}
	return out
}

func (d *Data) startupFigures(r *view.Run) []*figure {
	cells := onlyRun(d.workload(bench.Startup), r)
	if len(cells) == 0 {
		return nil
	}
	var fs []*figure
	chans := present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan })
	rssList := presentInts(cells, func(c bench.Cell) int64 { return c.RSS })
	for _, cores := range coresList(cells) {
		cc := view.Filter(cells, func(c bench.Cell) bool { return c.Cores == cores })
		if f := d.startJoinFigure(r, cc, chans, rssList[0], cores); f != nil {
			fs = append(fs, f)
		}

		// Fork cost vs parent RSS: per impl, one panel per chan, a line per method.
		if len(rssList) < 2 {
			continue
		}
		for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
			if ic := view.Filter(cc, func(c bench.Cell) bool { return c.Impl == impl }); len(presentInts(ic, func(c bench.Cell) int64 { return c.RSS })) < 2 {
				continue // one rss value: nothing to show against parent memory
			}
			f := &figure{
				name:    fmt.Sprintf("startup-rss-%s-cores%d%s", impl, cores, d.suffix(r)),
				title:   fmt.Sprintf("Start-up latency vs parent memory (cores=%d; %s)%s", cores, figMachine(r, impl), d.titleSuffix(r)),
				caption: fmt.Sprintf("Start-up latency of %s as the parent's touched memory grows, one line per start method, one panel per channel (cores=%d). Fork copies page tables, so it should grow; spawn and forkserver children do not inherit the parent's memory.", impl, cores),
				cols:    min(len(chans), 2),
			}
			for _, ch := range chans {
				ticks := rssTicks(rssList)
				maxMiB := float64(rssList[len(rssList)-1]) / (1 << 20)
				pn := panel{title: fmt.Sprintf("%s, chan=%s", impl, ch), xlabel: "memory touched by the parent before start()",
					ylabel: "start-up latency (ms)", xticks: ticks, xmin: -0.06 * maxMiB, xmax: 1.06 * maxMiB}
				for _, m := range bench.Methods {
					s := series{name: m, color: view.Rank(bench.Methods, m), shape: view.Rank(bench.Methods, m)}
					for _, rss := range rssList {
						c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: impl, Method: m, Chan: ch, RSS: rss, Cores: cores})
						if c.Has("ns/op") {
							s.pts = append(s.pts, statPt(float64(rss)/(1<<20), d.Stat(c, "ns/op"), 1e6))
						}
					}
					pn.series = append(pn.series, s)
				}
				pn.logY = spansDecade(pn.series)
				f.panels = append(f.panels, pn)
			}
			if len(f.panels) > 1 { // one panel, series = method / chan
				merged := f.panels[0]
				merged.series = nil
				for pi, p := range f.panels {
					for _, s := range p.series {
						s.name += " / " + chans[pi]
						s.dash = pi
						merged.series = append(merged.series, s)
					}
				}
				merged.title = impl + ", every channel"
				merged.logY = spansDecade(merged.series)
				f.panels, f.cols = []panel{merged}, 1
				f.caption = fmt.Sprintf("Start-up latency of %s as the parent's touched memory grows (cores=%d); colour = start method, line style = channel. Fork copies page tables, so it should grow; spawn and forkserver children do not inherit the parent's memory.", impl, cores)
			}
			fs = append(fs, f)
		}
	}
	return fs
}

// startJoinFigure: the cost of one child (start + join, as the start-up
// summary table) by implementation at the smallest rss, one panel per
// channel, colour and marker by start method (nil: no cell with samples).
func (d *Data) startJoinFigure(r *view.Run, cc []*view.Cell, chans []string, rss int64, cores int) *figure {
	impls := present(bench.Impls, view.Filter(cc, func(c bench.Cell) bool { return c.RSS == rss }), func(c bench.Cell) string { return c.Impl })
	if len(impls) == 0 {
		return nil
	}
	var ticks []plot.Tick
	for i, im := range impls {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: im})
	}
	f := &figure{
		name:  fmt.Sprintf("startup-latency-cores%d%s", cores, d.suffix(r)),
		title: fmt.Sprintf("Cost of one child: start + join by start method (parent rss=%s, cores=%d; %s)%s", sizeLabel(rss), cores, figMachine(r, ""), d.titleSuffix(r)),
		caption: fmt.Sprintf("Start-up (start() → the child's first message) + join per child, as in the start-up summary table, by implementation (%s), "+
			"one panel per channel, colour and marker = start method; parent rss=%s, cores=%d; whiskers: 95%% CI of the median of per-run medians.", implVersions(r, impls), sizeLabel(rss), cores),
		cols: min(len(chans), 2), sharedLegend: true,
	}
	for _, ch := range chans {
		pn := panel{title: "chan=" + ch, ylabel: "start + join per child (ms)", xticks: ticks, xmin: -0.5, xmax: float64(len(impls)) - 0.5}
		for mi, m := range bench.Methods {
			s := series{name: m, color: mi, shape: mi, noLine: true}
			off := (float64(mi) - float64(len(bench.Methods)-1)/2) * 0.18
			for i, im := range impls {
				c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: im, Method: m, Chan: ch, RSS: rss, Cores: cores})
				if c.Has("ns/op") {
					s.pts = append(s.pts, statPt(float64(i)+off, d.startJoin(c), 1e6))
				}
			}
			pn.series = append(pn.series, s)
		}
		pn.logY = spansDecade(pn.series)
		f.panels = append(f.panels, pn)
	}
	return f
}

// spansDecade reports whether the plotted values span more than 10×.
func spansDecade(ss []series) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.pts {
			if p.y > 0 {
				lo, hi = math.Min(lo, p.y), math.Max(hi, p.y)
			}
		}
	}
	return hi/lo > 10
}

// sizeFigures: latency (pingpong) or throughput (stream) vs message size,
// one figure per impl and cores, one panel per method, a line per chan.
func (d *Data) sizeFigures(r *view.Run, w string) []*figure {
	cells := onlyRun(d.workload(w), r)
	if len(cells) == 0 {
		return nil
	}
	var fs []*figure
	for _, cores := range coresList(cells) {
		cc := view.Filter(cells, func(c bench.Cell) bool { return c.Cores == cores })
		for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
			ic := view.Filter(cc, func(c bench.Cell) bool { return c.Impl == impl })
			sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
			methods := present(bench.Methods, ic, func(c bench.Cell) string { return c.Method })
			if w == bench.Pingpong {
				fs = append(fs, d.pingpongFigure(r, impl, cores, ic, sizes, methods))
			} else {
				fs = append(fs, d.streamFigure(r, impl, cores, ic, sizes, methods))
			}
		}
	}
	return fs
}

// streamFigure: one-way throughput vs message size of one impl and
// cores in one panel, a series per channel × payload × start method that
// has cells (colour = channel and payload, line style and marker = start
// method).
func (d *Data) streamFigure(r *view.Run, impl string, cores int, ic []*view.Cell, sizes []int64, methods []string) *figure {
	pn := panel{title: impl + ", every start method", xlabel: "message size (bytes)", ylabel: "throughput (MB/s)", logX: true, logY: true,
		xticks: sizeTicks(sizes), xmin: float64(sizes[0]) / 2, xmax: float64(sizes[len(sizes)-1]) * 2}
	pn.series = sizeSeries(ic, sizes, methods, func(c *view.Cell, size int64) (pt, bool) {
		if c.Has("MB/s") {
			return statPt(float64(size), d.Stat(c, "MB/s"), 1), true
		}
		return pt{}, false
	})
	return &figure{
		name:  fmt.Sprintf("stream-throughput-%s-cores%d%s", impl, cores, d.suffix(r)),
		title: fmt.Sprintf("Stream throughput vs message size (cores=%d; %s)%s", cores, figMachine(r, impl), d.titleSuffix(r)),
		caption: fmt.Sprintf("One-way throughput parent→child of %s by message size (log–log), cores=%d; colour = channel (and payload), "+
			"line style and marker = start method (solid ○ spawn, dashed □ fork, dotted △ forkserver); whiskers: 95%% CI of the median of per-run medians.", impl, cores),
		cols:   1,
		panels: []panel{pn},
	}
}

// chanPay is a channel and payload pair with its palette index.
type chanPay struct {
	ch, pay string
	color   int
}

// chanPayloads lists the channel × payload pairs the cells have, in
// canonical order: bytes payloads take the channel's colour, the others
// the colours after the channels', one each.
func chanPayloads(cells []*view.Cell) []chanPay {
	var out []chanPay
	next := len(bench.Chans)
	for _, ch := range present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan }) {
		cc := view.Filter(cells, func(c bench.Cell) bool { return c.Chan == ch })
		for _, pay := range present(bench.Payloads, cc, func(c bench.Cell) string { return view.PayloadOf(c) }) {
			cp := chanPay{ch: ch, pay: pay, color: view.Rank(bench.Chans, ch)}
			if pay != "bytes" {
				cp.color, next = next, next+1
			}
			out = append(out, cp)
		}
	}
	return out
}

// cellAt is the cell among cells of method m, channel and payload cp and
// size (nil: none).
func cellAt(cells []*view.Cell, m string, cp chanPay, size int64) *view.Cell {
	for _, c := range cells {
		if c.Cell.Method == m && c.Cell.Chan == cp.ch && view.PayloadOf(c.Cell) == cp.pay && c.Cell.Size == size {
			return c
		}
	}
	return nil
}

// closestSize picks the size present closest (in log) to want.
func closestSize(sizes []int64, want int64) int64 {
	best := sizes[0]
	for _, s := range sizes {
		if math.Abs(math.Log(float64(s)/float64(want))) < math.Abs(math.Log(float64(best)/float64(want))) {
			best = s
		}
	}
	return best
}

// coresFigures: effect of the cores count on ping-pong (smallest size)
// and stream (size nearest 64 KiB), per impl: categories method/chan, a
// marker per cores value.
func (d *Data) coresFigures(r *view.Run) []*figure {
	var fs []*figure
	for _, w := range []string{bench.Pingpong, bench.Stream} {
		cells := onlyRun(d.workload(w), r)
		cores := coresList(cells)
		if len(cores) < 2 {
			continue
		}
		for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
			ic := view.Filter(cells, func(c bench.Cell) bool { return c.Impl == impl && c.Payload == "" })
			if len(coresList(ic)) < 2 {
				continue // measured at one cores value only: no effect to show
			}
			sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
			size, unit, scale, ylabel := sizes[0], "p50-ns", 1e3, "round trip p50 (µs)"
			if w == bench.Stream {
				size, unit, scale, ylabel = closestSize(sizes, 64<<10), "MB/s", 1, "throughput (MB/s)"
			}
			type mc struct{ m, ch string }
			var cats []mc
			for _, m := range present(bench.Methods, ic, func(c bench.Cell) string { return c.Method }) {
				for _, ch := range present(bench.Chans, ic, func(c bench.Cell) string { return c.Chan }) {
					n := 0
					for _, k := range cores {
						if c := d.find(r, bench.Cell{Workload: w, Impl: impl, Method: m, Chan: ch, Size: size, Cores: k}); c.Has("ns/op") {
							n++
						}
					}
					if n > 0 {
						cats = append(cats, mc{m, ch})
					}
				}
			}
			if len(cats) == 0 {
				continue
			}
			var ticks []plot.Tick
			for i, c := range cats {
				ticks = append(ticks, plot.Tick{Value: float64(i), Label: c.m + "\n" + c.ch})
			}
			pn := panel{title: fmt.Sprintf("%s, size=%s", impl, sizeLabel(size)), ylabel: ylabel,
				xticks: ticks, xmin: -0.5, xmax: float64(len(cats)) - 0.5, rotateX: len(cats) > 6}
			for k, n := range cores {
				s := series{name: "cores=" + strconv.Itoa(n), color: k, shape: k, noLine: true}
				off := dodge(k, len(cores))
				for i, cat := range cats {
					c := d.find(r, bench.Cell{Workload: w, Impl: impl, Method: cat.m, Chan: cat.ch, Size: size, Cores: n})
					u := unit
					if !c.Has(u) {
						u = "ns/op"
						if w == bench.Stream {
							continue
						}
					}
					if c.Has(u) {
						s.pts = append(s.pts, statPt(float64(i)+off, d.Stat(c, u), scale))
					}
				}
				pn.series = append(pn.series, s)
			}
			pn.logY = spansDecade(pn.series)
			what := "Ping-pong round trip"
			if w == bench.Stream {
				what = "Stream throughput"
			}
			fs = append(fs, &figure{
				name:    fmt.Sprintf("cores-%s-%s%s", w, impl, d.suffix(r)),
				title:   fmt.Sprintf("Effect of the CPU set size: %s (%s)%s", what, figMachine(r, impl), d.titleSuffix(r)),
				caption: fmt.Sprintf("%s of %s at size=%s by start method and channel, one marker per cores value (CPU affinity set size); whiskers: 95%% CI of the median.", what, impl, sizeLabel(size)),
				cols:    1,
				panels:  []panel{pn},
			})
		}
	}
	return fs
}

// poolFigures: speedup and parallel efficiency vs workers, per task
// kind, impl and cores; one figure of two stacked panels with one legend,
// a series per method × executor × channel.
func (d *Data) poolFigures(r *view.Run) []*figure {
	cells := onlyRun(d.workload(bench.Pool), r)
	var fs []*figure
	for _, task := range present(bench.TaskKinds, cells, func(c bench.Cell) string { return c.Task }) {
		tc := view.Filter(cells, func(c bench.Cell) bool { return c.Task == task })
		for _, cores := range coresList(tc) {
			cc := view.Filter(tc, func(c bench.Cell) bool { return c.Cores == cores })
			for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
				ic := view.Filter(cc, func(c bench.Cell) bool { return c.Impl == impl })
				rule := scalingRule(ic)
				f := &figure{
					name:  fmt.Sprintf("pool-%s-%s-cores%d%s", task, impl, cores, d.suffix(r)),
					title: fmt.Sprintf("Pool map of %s tasks: speedup with workers, %s (cores=%d; %s)%s", task, rule, cores, figMachine(r, impl), d.titleSuffix(r)),
					caption: fmt.Sprintf("Pool of %s, %s tasks, cores=%d, %s. Top: speedup = tasks/s of the map at w workers ÷ tasks/s of the same pool's smallest map "+
						"(the ratio of the median makespans the Pools table shows, scaled by the task counts; whiskers: the 95%% CI of the Hodges–Lehmann ratio of per-run makespans where it contains that ratio, else dashed without caps: the range over the runs); grey dashed: ideal, "+
						"(tasks / ⌈tasks / P⌉) relative to the smallest map with P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks. "+
						"Bottom: parallel efficiency, Σ measured task time / (P × makespan), ideal 1. Colour = channel or executor, line style and marker = start method.",
						impl, task, cores, rule),
					cols: 1, sharedLegend: true,
				}
				f.panels = append(f.panels, d.poolSpeedupPanel(impl, ic), d.poolEfficiencyPanel(impl, ic))
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// poolSeries groups pool cells into series: one per method × executor ×
// channel (exec=loop or no exec key: named by channel, coloured by it;
// the other executors by name), each group's cells in workers order.
func poolSeries(cells []*view.Cell) []struct {
	s     series
	cells []*view.Cell
} {
	var out []struct {
		s     series
		cells []*view.Cell
	}
	for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return c.Cell.Method + "/" + c.Get("exec") + "/" + c.Cell.Chan }) {
		c0 := g.Cells[0]
		ex := c0.Get("exec")
		name, col := c0.Cell.Method+" / "+c0.Cell.Chan, view.Rank(bench.Chans, c0.Cell.Chan)
		if ex != "" && ex != "loop" {
			name, col = c0.Cell.Method+" / exec="+ex, len(bench.Chans)+view.Rank(bench.Execs, ex)-1
		}
		mi := view.Rank(bench.KnownMethods(), c0.Cell.Method)
		cs := append([]*view.Cell(nil), g.Cells...)
		slices.SortStableFunc(cs, func(a, b *view.Cell) int { return a.Cell.Workers - b.Cell.Workers })
		out = append(out, struct {
			s     series
			cells []*view.Cell
		}{series{name: name, color: col, shape: mi, dash: mi}, cs})
	}
	return out
}

// workerTicks are x ticks at the worker counts of the cells.
func workerTicks(cells []*view.Cell) ([]plot.Tick, float64, float64) {
	workers := presentInts(cells, func(c bench.Cell) int64 { return int64(c.Workers) })
	var ticks []plot.Tick
	for _, w := range workers {
		ticks = append(ticks, plot.Tick{Value: float64(w), Label: strconv.FormatInt(w, 10)})
	}
	return ticks, float64(workers[0]) - 0.5, float64(workers[len(workers)-1]) + 0.5
}

// poolSpeedupPanel: each series' speedup over its own smallest map, with
// the ideal speedup of the smallest worker count's pool.
func (d *Data) poolSpeedupPanel(impl string, cells []*view.Cell) panel {
	ticks, lo, hi := workerTicks(cells)
	pn := panel{title: impl + ", speedup over the smallest map", xlabel: "workers", ylabel: "speedup (tasks/s ÷ smallest map's)", xticks: ticks, xmin: lo, xmax: hi}
	for _, g := range poolSeries(cells) {
		base := g.cells[0]
		if !base.Has("ns/op") {
			continue
		}
		s := g.s
		for _, c := range g.cells {
			if c.Has("ns/op") {
				s.pts = append(s.pts, d.speedupPt(float64(c.Cell.Workers), base, c))
			}
		}
		pn.series = append(pn.series, s)
		if pn.ideal == nil || len(g.cells) > len(pn.ideal.pts) {
			pn.ideal = &series{name: "ideal speedup", pts: idealSpeedup(g.cells)}
		}
	}
	return pn
}

// speedupPt is the speedup of pool cell c over base (the same pool at
// fewer workers): tasks/s of c ÷ tasks/s of base = (tasks_c / tasks_base)
// × makespan_base / makespan_c, from the two cells' medians (the numbers
// of the pool tables). Its whisker is the 95% CI of the Hodges–Lehmann
// ratio of their per-run medians (effect) where that CI contains the
// point; else (runs split into modes pull the two apart) and without a
// CI, the range over the runs (rng).
func (d *Data) speedupPt(x float64, base, c *view.Cell) pt {
	a, b := d.Stat(base, "ns/op"), d.Stat(c, "ns/op")
	k := float64(c.Cell.Tasks) / float64(base.Cell.Tasks)
	if base == c {
		return pt{x: x, y: 1, lo: math.NaN(), hi: math.NaN()}
	}
	q := pt{x: x, y: k * a.Median / b.Median, lo: math.NaN(), hi: math.NaN()}
	if e := effect(a, b); !math.IsNaN(e.Lo) && !math.IsNaN(e.Hi) && k*e.Lo <= q.y && q.y <= k*e.Hi {
		q.lo, q.hi = k*e.Lo, k*e.Hi
		return q
	}
	if len(a.RunMedians) > 1 || len(b.RunMedians) > 1 {
		q.lo, q.hi, q.rng = k*slices.Min(a.RunMedians)/slices.Max(b.RunMedians), k*slices.Max(a.RunMedians)/slices.Min(b.RunMedians), true
	}
	return q
}

// poolEfficiencyPanel: parallel efficiency vs workers, ideal 1.
func (d *Data) poolEfficiencyPanel(impl string, cells []*view.Cell) panel {
	ticks, lo, hi := workerTicks(cells)
	pn := panel{title: impl + ", parallel efficiency", xlabel: "workers", ylabel: "parallel efficiency", xticks: ticks, xmin: lo, xmax: hi, hlines: []float64{1}}
	for _, g := range poolSeries(cells) {
		s := g.s
		for _, c := range g.cells {
			if c.Has("efficiency") {
				s.pts = append(s.pts, statPt(float64(c.Cell.Workers), d.Stat(c, "efficiency"), 1))
			}
		}
		pn.series = append(pn.series, s)
	}
	return pn
}

// scalingRule states how a map's task count follows its workers: "weak
// scaling (tasks = 8 × workers)" when every cell has the same tasks per
// worker, "strong scaling (tasks = 16)" when every cell has the same
// task count, else "tasks as each cell names them".
func scalingRule(cells []*view.Cell) string {
	per, same := -1, -1
	for i, c := range cells {
		w, t := c.Cell.Workers, c.Cell.Tasks
		p := -1
		if w > 0 && t%w == 0 {
			p = t / w
		}
		if i == 0 {
			per, same = p, t
			continue
		}
		if p != per {
			per = -1
		}
		if t != same {
			same = -1
		}
	}
	ws := presentInts(cells, func(c bench.Cell) int64 { return int64(c.Workers) })
	switch {
	case len(ws) > 1 && per > 0:
		return fmt.Sprintf("weak scaling (tasks = %d × workers)", per)
	case same > 0:
		return fmt.Sprintf("strong scaling (tasks = %d)", same)
	}
	return "tasks as each cell's name gives them"
}

// forkRoadFigures: start+join vs parent memory, methods as series, one
// figure per impl with an rss sweep of ≥ 3 points at the largest cores
// and chan=pipe; the crossovers are marked with their CIs.
func (d *Data) forkRoadFigures(r *view.Run) []*figure {
	cells := onlyRun(d.workload(bench.Startup), r)
	if len(cells) == 0 {
		return nil
	}
	cores := coresList(cells)
	k := cores[len(cores)-1]
	ch := prefer(present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	var fs []*figure
	for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
		pn, capt, ok := d.forkRoadPanel(r, impl, ch, k)
		if !ok {
			continue
		}
		fs = append(fs, &figure{
			name:    fmt.Sprintf("fork-in-the-road-%s-cores%d%s", impl, k, d.suffix(r)),
			title:   fmt.Sprintf("A fork in the road: start + join vs parent memory (%s)%s", figMachine(r, impl), d.titleSuffix(r)),
			caption: capt,
			cols:    1,
			panels:  []panel{pn},
		})
	}
	return fs
}

// forkRoadPanel is the fork-in-the-road panel of an impl at chan ch and
// cores k (false: fewer than 3 rss points): start + join per start method
// on a log₂ rss axis, the fork/forkserver crossover and the fork/spawn
// crossover marked with their bootstrap intervals, and its caption.
func (d *Data) forkRoadPanel(r *view.Run, impl, ch string, k int) (panel, string, bool) {
	ic := view.Filter(onlyRun(d.workload(bench.Startup), r), func(c bench.Cell) bool {
		return c.Impl == impl && c.Chan == ch && c.Cores == k && c.Payload == ""
	})
	rssList := presentInts(ic, func(c bench.Cell) int64 { return c.RSS })
	if len(rssList) < 3 {
		return panel{}, "", false
	}
	ax := newRSSAxis(rssList)
	pn := panel{title: fmt.Sprintf("%s, chan=%s, cores=%d", impl, ch, k), xlabel: "memory the parent touched before start() (log₂ axis)",
		ylabel: "start + join per child (ms)", xticks: ax.ticks(), xmin: ax.pos[0] - 0.35, xmax: ax.pos[len(ax.pos)-1] + 0.35}
	for _, m := range bench.Methods {
		s := series{name: m, color: view.Rank(bench.Methods, m), shape: view.Rank(bench.Methods, m)}
		for i, rss := range rssList {
			c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: impl, Method: m, Chan: ch, RSS: rss, Cores: k})
			if c.Has("ns/op") {
				s.pts = append(s.pts, statPt(ax.pos[i], d.startJoin(c), 1e6))
			}
		}
		pn.series = append(pn.series, s)
	}
	capt := fmt.Sprintf("What a program pays per child (start-up + join) as the parent's touched memory grows, %s, chan=%s, cores=%d; one line per start method, "+
		"whiskers: 95%% CI of the median of per-run medians; x on a log₂ scale, rss=0 drawn one step left of the smallest non-zero rss.", impl, ch, k)
	fork := bench.Cell{Workload: bench.Startup, Impl: impl, Method: "fork", Chan: ch, Cores: k}
	for i, other := range []string{"forkserver", "spawn"} {
		b := fork
		b.Method = other
		capt += d.markCrossover(r, &pn, ax, fork, b, "fork = "+other, view.Rank(bench.Methods, other), 2*i)
	}
	capt += d.bareRoad(r, &pn, ax, fork, rssList)
	return pn, capt, true
}

// markCrossover marks on pn where cell a's start+join rises above cell
// b's (style: a vmark style) and returns the caption's sentence.
func (d *Data) markCrossover(r *view.Run, pn *panel, ax rssAxis, a, b bench.Cell, label string, col, style int) string {
	cr := d.crossover(r, a, b)
	if math.IsNaN(cr.x) {
		if len(cr.rss) == 0 {
			return fmt.Sprintf(" %s and %s are not both measured at any rss.", a.Method, b.Method)
		}
		return fmt.Sprintf(" %s's cost does not rise above %s's at the %s where both were measured (up to %s).", a.Method, b.Method, plural(len(cr.rss), "rss value", "rss values"), sizeLabel(cr.rss[len(cr.rss)-1]))
	}
	pn.marks = append(pn.marks, vmark{x: ax.at(cr.x), lo: ax.at(cr.lo), hi: ax.at(cr.hi), label: label + ": " + mib(cr.x), color: col, style: style})
	return fmt.Sprintf(" The %s line marks where %s's cost overtakes %s's: %s, shaded: its 95%% bootstrap interval %s.", markStyleNames[style], a.Method, b.Method, mib(cr.x), crossCI(cr))
}

// markStyleNames name the vmark styles in captions.
var markStyleNames = []string{"dashed", "dotted", "dash-dotted"}

// bareRoad adds to a fork-in-the-road panel the fork server that preloads
// nothing (preload=none; main=stub), when the run has
// its sweep: its series, its crossover with fork as a dotted marker, and
// the caption's sentence (returned; "" without such cells).
func (d *Data) bareRoad(r *view.Run, pn *panel, ax rssAxis, fork bench.Cell, rssList []int64) string {
	srv := fork
	srv.Method, srv.Preload = "forkserver", bench.PreloadNone
	s := series{name: "forkserver, preload=none", color: len(bench.Methods), shape: len(bench.Methods)}
	for i, rss := range rssList {
		srv.RSS = rss
		if c := d.find(r, srv); c.Has("ns/op") {
			s.pts = append(s.pts, statPt(ax.pos[i], d.startJoin(c), 1e6))
		}
	}
	if len(s.pts) < 2 {
		return ""
	}
	pn.series = append(pn.series, s)
	srv.RSS = 0
	cr := d.crossover(r, fork, srv)
	capt := " forkserver, preload=none: a fork server that preloads nothing (what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1; the others preload the main module's imports);"
	if math.IsNaN(cr.x) {
		return capt + " it does not cross fork inside the sweep."
	}
	pn.marks = append(pn.marks, vmark{x: ax.at(cr.x), lo: ax.at(cr.lo), hi: ax.at(cr.hi), label: "fork = forkserver, no preload: " + mib(cr.x), style: 1, color: len(bench.Methods)})
	return capt + fmt.Sprintf(" the dotted line marks where fork overtakes it: %s, 95%% bootstrap interval %s.", mib(cr.x), crossCI(cr))
}

// rssAxis places parent rss values on a log₂ x axis: x = log₂(rss / MiB),
// rss 0 one step left of the smallest non-zero rss. Between two sweep
// points a value is placed linearly, so that a crossover interpolated
// linearly between them lands where the two drawn segments cross.
type rssAxis struct {
	rss []int64   // the sweep, ascending
	pos []float64 // x of each sweep point
}

func newRSSAxis(rss []int64) rssAxis {
	a := rssAxis{rss: rss, pos: make([]float64, len(rss))}
	for i, v := range rss {
		if v > 0 {
			a.pos[i] = math.Log2(float64(v) / (1 << 20))
		}
	}
	if len(rss) > 1 && rss[0] <= 0 {
		a.pos[0] = a.pos[1] - 1
	}
	return a
}

// at is the x of an rss in bytes (NaN stays NaN).
func (a rssAxis) at(b float64) float64 {
	if math.IsNaN(b) || len(a.rss) < 2 {
		return math.NaN()
	}
	for i := 1; i < len(a.rss); i++ {
		if x1 := float64(a.rss[i]); b <= x1 || i == len(a.rss)-1 {
			x0 := float64(a.rss[i-1])
			return a.pos[i-1] + (b-x0)/(x1-x0)*(a.pos[i]-a.pos[i-1])
		}
	}
	return math.NaN()
}

// ticks label every sweep point; a label closer than half a step to the
// previous one is left off, the tick stays.
func (a rssAxis) ticks() []plot.Tick {
	var out []plot.Tick
	last := math.Inf(-1)
	for i, v := range a.rss {
		t := plot.Tick{Value: a.pos[i]}
		if a.pos[i]-last >= 0.5 {
			t.Label, last = sizeLabel(v), a.pos[i]
		}
		out = append(out, t)
	}
	return out
}

// rssTicks are x ticks (in MiB) at the rss values of a sweep; a label that
// would crowd the previous one (closer than 7% of the axis) is left off,
// the tick stays.
func rssTicks(rss []int64) []plot.Tick {
	var out []plot.Tick
	maxMiB := float64(rss[len(rss)-1]) / (1 << 20)
	last := math.Inf(-1)
	for _, v := range rss {
		x := float64(v) / (1 << 20)
		t := plot.Tick{Value: x}
		if x-last >= 0.07*maxMiB {
			t.Label, last = sizeLabel(v), x
		}
		out = append(out, t)
	}
	return out
}

// tasksAt is the task count of the pool cells with w workers (0: none).
func tasksAt(cells []*view.Cell, w int64) int64 {
	for _, c := range cells {
		if int64(c.Cell.Workers) == w {
			return int64(c.Cell.Tasks)
		}
	}
	return 0
}

// pingpongFigure: round trip vs message size of one impl and cores, a
// p50 panel and a p99 panel (each with its CI), series = channel × start
// method (colour = channel, line style = method).
func (d *Data) pingpongFigure(r *view.Run, impl string, cores int, ic []*view.Cell, sizes []int64, methods []string) *figure {
	f := &figure{
		name:  fmt.Sprintf("pingpong-latency-%s-cores%d%s", impl, cores, d.suffix(r)),
		title: fmt.Sprintf("Ping-pong round trip vs message size (cores=%d; %s)%s", cores, figMachine(r, impl), d.titleSuffix(r)),
		caption: fmt.Sprintf("Round trip parent→child→parent of %s by message size (log–log), cores=%d: left the median round trip (p50), right the 99th percentile (p99), "+
			"each the median of per-run values with its 95%% CI; colour = channel, line style = start method (solid spawn, dashed fork, dotted forkserver). "+
			"A cell without percentiles shows its mean.", impl, cores),
		cols: 2,
	}
	for _, q := range []struct{ unit, title string }{{"p50-ns", "p50"}, {"p99-ns", "p99"}} {
		pn := panel{title: fmt.Sprintf("%s, %s round trip", impl, q.title), xlabel: "message size (bytes)", ylabel: "round trip (µs)", logX: true, logY: true,
			xticks: sizeTicks(sizes), xmin: float64(sizes[0]) / 2, xmax: float64(sizes[len(sizes)-1]) * 2}
		pn.series = sizeSeries(ic, sizes, methods, func(c *view.Cell, size int64) (pt, bool) {
			switch {
			case c.Has(q.unit):
				return statPt(float64(size), d.Stat(c, q.unit), 1e3), true
			case q.unit == "p50-ns" && c.Has("ns/op"):
				return statPt(float64(size), d.Stat(c, "ns/op"), 1e3), true
			}
			return pt{}, false
		})
		f.panels = append(f.panels, pn)
	}
	return f
}

// sizeSeries are the series of a panel over message size: one per start
// method × channel and payload of ic (colour = channel and payload, marker
// and line style = method), with the point at each size that at gives the
// cell there (none where it says so).
func sizeSeries(ic []*view.Cell, sizes []int64, methods []string, at func(c *view.Cell, size int64) (pt, bool)) []series {
	var out []series
	for _, m := range methods {
		mi := view.Rank(bench.Methods, m)
		for _, cp := range chanPayloads(ic) {
			s := series{name: chanSeriesName(cp.ch, cp.pay) + " / " + m, color: cp.color, shape: mi, dash: mi}
			for _, size := range sizes {
				if p, ok := at(cellAt(ic, m, cp, size), size); ok {
					s.pts = append(s.pts, p)
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// idealSpeedup is the ideal speedup of a pool's maps over the first
// (cells ordered by workers): a map's tasks per round, tasks / ⌈tasks /
// P⌉ (impl.PoolRounds, P the cell's impl.CellParallelism), relative to
// the first map's, a point per cell at its worker count.
func idealSpeedup(cells []*view.Cell) []pt {
	perRound := func(c *view.Cell) float64 {
		return float64(c.Cell.Tasks) / float64(impl.PoolRounds(c.Cell.Tasks, impl.CellParallelism(c.Cell)))
	}
	b0 := perRound(cells[0])
	var pts []pt
	for _, c := range cells {
		pts = append(pts, pt{x: float64(c.Cell.Workers), y: perRound(c) / b0})
	}
	return pts
}
