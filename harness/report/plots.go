package report

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// statPt makes a plot point from a metric's statistics scaled by 1/scale.
func statPt(x float64, s Stats, scale float64) pt {
	if s.N == 0 {
		return pt{x: x, y: math.NaN(), lo: math.NaN(), hi: math.NaN()}
	}
	q := pt{x: x, y: s.Median / scale, lo: math.NaN(), hi: math.NaN()}
	if s.CIValid {
		q.lo, q.hi = s.Lo/scale, s.Hi/scale
	}
	return q
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
		fs = append(fs, d.sizeFigures(r, "pingpong")...)
		fs = append(fs, d.sizeFigures(r, "stream")...)
		fs = append(fs, d.coresFigures(r)...)
		fs = append(fs, d.poolFigures(r)...)
		fs = append(fs, d.forkRoadFigures(r)...)
		fs = append(fs, d.versionFigures(r)...)
		fs = append(fs, d.libraryFigures(r)...)
	}
	fs = append(fs, d.hostFigures()...) // several runs side by side (hosts.go)
	var out []*figure
	for _, f := range fs {
		var ps []panel
		for _, p := range f.panels {
			p.series = nonEmpty(p.series)
			if len(p.series) > 0 {
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

func coresList(cells []*Cell) []int {
	var out []int
	for _, v := range presentInts(cells, func(c bench.Cell) int64 { return int64(c.Cores) }) {
		out = append(out, int(v))
	}
	return out
}

func filterCells(cells []*Cell, keep func(bench.Cell) bool) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if keep(c.Cell) {
			out = append(out, c)
		}
	}
	return out
}

func (d *Data) startupFigures(r *Run) []*figure {
	cells := onlyRun(d.workload("startup"), r)
	if len(cells) == 0 {
		return nil
	}
	var fs []*figure
	chans := present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan })
	rssList := presentInts(cells, func(c bench.Cell) int64 { return c.RSS })
	for _, cores := range coresList(cells) {
		cc := filterCells(cells, func(c bench.Cell) bool { return c.Cores == cores })
		// Latency by impl and method at the smallest rss.
		rss := rssList[0]
		ims := implMethods(filterCells(cc, func(c bench.Cell) bool { return c.RSS == rss && hasSamples(d.find(r, c), "ns/op") }))
		if len(ims) == 0 {
			continue
		}
		var ticks []plot.Tick
		for i, im := range ims {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: im[0] + "\n" + im[1]})
		}
		pn := panel{
			title:  fmt.Sprintf("parent rss=%s, cores=%d", sizeLabel(rss), cores),
			ylabel: "start-up latency (ms)",
			xticks: ticks, xmin: -0.5, xmax: float64(len(ims)) - 0.5,
		}
		for ci, ch := range chans {
			s := series{name: ch, color: index(bench.Chans, ch), shape: index(bench.Chans, ch), noLine: true}
			off := (float64(ci) - float64(len(chans)-1)/2) * 0.12
			for i, im := range ims {
				c := d.find(r, bench.Cell{Workload: "startup", Impl: im[0], Method: im[1], Chan: ch, RSS: rss, Cores: cores})
				if hasSamples(c, "ns/op") {
					s.pts = append(s.pts, statPt(float64(i)+off, d.Stat(c, "ns/op"), 1e6))
				}
			}
			pn.series = append(pn.series, s)
		}
		pn.logY = spansDecade(pn.series)
		if len(ims) > 6 {
			pn.rotateX = true
		}
		f := &figure{
			name:    fmt.Sprintf("startup-latency-cores%d%s", cores, d.suffix(r)),
			title:   fmt.Sprintf("Start-up latency: start() → first message (cores=%d; %s)%s", cores, machineShort(r), d.titleSuffix(r)),
			caption: fmt.Sprintf("Start-up latency per implementation and start method, one marker per channel (parent rss=%s, cores=%d); whiskers: 95%% CI of the median.", sizeLabel(rss), cores),
			cols:    1,
			panels:  []panel{pn},
		}
		fs = append(fs, f)

		// Fork cost vs parent RSS: per impl, one panel per chan, a line per method.
		if len(rssList) < 2 {
			continue
		}
		for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
			if ic := filterCells(cc, func(c bench.Cell) bool { return c.Impl == impl }); len(presentInts(ic, func(c bench.Cell) int64 { return c.RSS })) < 2 {
				continue // one rss value: nothing to show against parent memory
			}
			f := &figure{
				name:    fmt.Sprintf("startup-rss-%s-cores%d%s", impl, cores, d.suffix(r)),
				title:   fmt.Sprintf("Start-up latency vs parent memory (%s, cores=%d; %s)%s", impl, cores, machineShort(r), d.titleSuffix(r)),
				caption: fmt.Sprintf("Start-up latency of %s as the parent's touched memory grows, one line per start method, one panel per channel (cores=%d). Fork copies page tables, so it should grow; spawn and forkserver children do not inherit the parent's memory.", impl, cores),
				cols:    min(len(chans), 2),
			}
			for _, ch := range chans {
				ticks := rssTicks(rssList)
				maxMiB := float64(rssList[len(rssList)-1]) / (1 << 20)
				pn := panel{title: fmt.Sprintf("%s, chan=%s", impl, ch), xlabel: "memory touched by the parent before start()",
					ylabel: "start-up latency (ms)", xticks: ticks, xmin: -0.06 * maxMiB, xmax: 1.06 * maxMiB}
				for _, m := range bench.Methods {
					s := series{name: m, color: index(bench.Methods, m), shape: index(bench.Methods, m)}
					for _, rss := range rssList {
						c := d.find(r, bench.Cell{Workload: "startup", Impl: impl, Method: m, Chan: ch, RSS: rss, Cores: cores})
						if hasSamples(c, "ns/op") {
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
func (d *Data) sizeFigures(r *Run, w string) []*figure {
	cells := onlyRun(d.workload(w), r)
	if len(cells) == 0 {
		return nil
	}
	var fs []*figure
	for _, cores := range coresList(cells) {
		cc := filterCells(cells, func(c bench.Cell) bool { return c.Cores == cores })
		for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
			ic := filterCells(cc, func(c bench.Cell) bool { return c.Impl == impl })
			sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
			methods := present(bench.Methods, ic, func(c bench.Cell) string { return c.Method })
			if w == "pingpong" {
				fs = append(fs, d.pingpongFigure(r, impl, cores, ic, sizes, methods))
				continue
			}
			f := &figure{cols: min(len(methods), 3)}
			onePanel := w == "stream"
			if onePanel {
				f.cols = 1
			}
			switch w {
			case "pingpong":
				f.name = fmt.Sprintf("pingpong-latency-%s-cores%d%s", impl, cores, d.suffix(r))
				f.title = fmt.Sprintf("Ping-pong round trip vs message size (%s, cores=%d; %s)%s", impl, cores, machineShort(r), d.titleSuffix(r))
				f.caption = fmt.Sprintf("Round-trip latency of %s by message size, one panel per start method, one colour per channel: solid p50, dashed p99 (medians over samples; whiskers: 95%% CI of the median p50), cores=%d.", impl, cores)
			case "stream":
				f.name = fmt.Sprintf("stream-throughput-%s-cores%d%s", impl, cores, d.suffix(r))
				f.title = fmt.Sprintf("Stream throughput vs message size (%s, cores=%d; %s)%s", impl, cores, machineShort(r), d.titleSuffix(r))
				f.caption = fmt.Sprintf("One-way throughput parent→child of %s by message size (log–log), one panel per start method, one line per channel; whiskers: 95%% CI of the median, cores=%d.", impl, cores)
			}
			var one *panel
			for _, m := range methods {
				mc := filterCells(ic, func(c bench.Cell) bool { return c.Method == m })
				pn := panel{title: fmt.Sprintf("%s, method=%s", impl, m), xlabel: "message size (bytes)", logX: true, logY: true,
					xticks: sizeTicks(sizes), xmin: float64(sizes[0]) / 2, xmax: float64(sizes[len(sizes)-1]) * 2}
				if w == "pingpong" {
					pn.ylabel = "round trip (µs)"
				} else {
					pn.ylabel = "throughput (MB/s)"
					pn.legendBottom = true
				}
				for _, ch := range present(bench.Chans, mc, func(c bench.Cell) string { return c.Chan }) {
					for _, pay := range present(bench.Payloads, mc, func(c bench.Cell) string { return payload(c) }) {
						col := index(bench.Chans, ch)
						if pay == "tensor" {
							col += len(bench.Chans)
						}
						name := chanSeriesName(ch, pay)
						main := series{name: name, color: col, shape: col}
						if onePanel {
							main = series{name: name + " / " + m, color: col, shape: index(bench.Methods, m), dash: index(bench.Methods, m)}
						}
						p99 := series{name: name + " p99", color: col, shape: col, dash: 1}
						for _, size := range sizes {
							bc := bench.Cell{Workload: w, Impl: impl, Method: m, Chan: ch, Size: size, Cores: cores}
							if pay == "tensor" {
								bc.Payload = pay
							}
							c := d.find(r, bc)
							if w == "pingpong" {
								if hasSamples(c, "p50-ns") {
									main.pts = append(main.pts, statPt(float64(size), d.Stat(c, "p50-ns"), 1e3))
									main.name = name + " p50"
								} else if hasSamples(c, "ns/op") {
									main.pts = append(main.pts, statPt(float64(size), d.Stat(c, "ns/op"), 1e3))
									main.name = name + " mean"
								}
								if hasSamples(c, "p99-ns") {
									q := statPt(float64(size), d.Stat(c, "p99-ns"), 1e3)
									q.lo, q.hi = math.NaN(), math.NaN()
									p99.pts = append(p99.pts, q)
								}
							} else if hasSamples(c, "MB/s") {
								main.pts = append(main.pts, statPt(float64(size), d.Stat(c, "MB/s"), 1))
							}
						}
						pn.series = append(pn.series, main)
						if w == "pingpong" {
							pn.series = append(pn.series, p99)
						}
					}
				}
				if onePanel {
					if one == nil {
						pn.title = fmt.Sprintf("%s, all start methods", impl)
						one = &pn
					} else {
						one.series = append(one.series, pn.series...)
					}
					continue
				}
				f.panels = append(f.panels, pn)
			}
			if one != nil {
				f.panels = append(f.panels, *one)
				f.caption = fmt.Sprintf("One-way throughput parent→child of %s by message size (log–log); colour = channel, line style = start method (solid spawn, dashed fork/forkserver); whiskers: 95%% CI of the median, cores=%d.", impl, cores)
			}
			fs = append(fs, f)
		}
	}
	return fs
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
func (d *Data) coresFigures(r *Run) []*figure {
	var fs []*figure
	for _, w := range []string{"pingpong", "stream"} {
		cells := onlyRun(d.workload(w), r)
		cores := coresList(cells)
		if len(cores) < 2 {
			continue
		}
		for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
			ic := filterCells(cells, func(c bench.Cell) bool { return c.Impl == impl && c.Payload == "" })
			if len(coresList(ic)) < 2 {
				continue // measured at one cores value only: no effect to show
			}
			sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
			size, unit, scale, ylabel := sizes[0], "p50-ns", 1e3, "round trip p50 (µs)"
			if w == "stream" {
				size, unit, scale, ylabel = closestSize(sizes, 64<<10), "MB/s", 1, "throughput (MB/s)"
			}
			type mc struct{ m, ch string }
			var cats []mc
			for _, m := range present(bench.Methods, ic, func(c bench.Cell) string { return c.Method }) {
				for _, ch := range present(bench.Chans, ic, func(c bench.Cell) string { return c.Chan }) {
					n := 0
					for _, k := range cores {
						if c := d.find(r, bench.Cell{Workload: w, Impl: impl, Method: m, Chan: ch, Size: size, Cores: k}); hasSamples(c, "ns/op") {
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
				off := (float64(k) - float64(len(cores)-1)/2) * 0.15
				for i, cat := range cats {
					c := d.find(r, bench.Cell{Workload: w, Impl: impl, Method: cat.m, Chan: cat.ch, Size: size, Cores: n})
					u := unit
					if !hasSamples(c, u) {
						u = "ns/op"
						if w == "stream" {
							continue
						}
					}
					if hasSamples(c, u) {
						s.pts = append(s.pts, statPt(float64(i)+off, d.Stat(c, u), scale))
					}
				}
				pn.series = append(pn.series, s)
			}
			pn.logY = spansDecade(pn.series)
			what := "Ping-pong round trip"
			if w == "stream" {
				what = "Stream throughput"
			}
			fs = append(fs, &figure{
				name:    fmt.Sprintf("cores-%s-%s%s", w, impl, d.suffix(r)),
				title:   fmt.Sprintf("Effect of the CPU set size: %s (%s; %s)%s", what, impl, machineShort(r), d.titleSuffix(r)),
				caption: fmt.Sprintf("%s of %s at size=%s by start method and channel, one marker per cores value (CPU affinity set size); whiskers: 95%% CI of the median.", what, impl, sizeLabel(size)),
				cols:    1,
				panels:  []panel{pn},
			})
		}
	}
	return fs
}

// poolFigures: makespan and efficiency vs workers, per task kind, impl and
// cores; panels per method (makespan row, efficiency row), a line per chan.
func (d *Data) poolFigures(r *Run) []*figure {
	cells := onlyRun(d.workload("pool"), r)
	var fs []*figure
	for _, task := range present(bench.TaskKinds, cells, func(c bench.Cell) string { return c.Task }) {
		tc := filterCells(cells, func(c bench.Cell) bool { return c.Task == task })
		for _, cores := range coresList(tc) {
			cc := filterCells(tc, func(c bench.Cell) bool { return c.Cores == cores })
			for _, impl := range present(bench.Impls, cc, func(c bench.Cell) string { return c.Impl }) {
				ic := filterCells(cc, func(c bench.Cell) bool { return c.Impl == impl })
				workers := presentInts(ic, func(c bench.Cell) int64 { return int64(c.Workers) })
				var ticks []plot.Tick
				for _, w := range workers {
					ticks = append(ticks, plot.Tick{Value: float64(w), Label: strconv.FormatInt(w, 10)})
				}
				f := &figure{
					name:    fmt.Sprintf("pool-%s-%s-cores%d%s", task, impl, cores, d.suffix(r)),
					title:   fmt.Sprintf("Pool map of %s tasks: scaling with workers (%s, cores=%d; %s)%s", task, impl, cores, machineShort(r), d.titleSuffix(r)),
					caption: fmt.Sprintf("Pool makespan (left) and parallel efficiency (right) of %s vs number of workers, %s tasks (the task count as in each cell's name), cores=%d; colour = channel or executor, line style = start method. Grey dashed: ideal scaling (⌈tasks / P⌉ × one task's time from the best one-worker map, P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks), and efficiency = 1.", impl, task, cores),
				}
				f.cols = 2
				var t1 float64 = math.Inf(1)
				for _, metric := range []string{"ns/op", "efficiency"} {
					pn := panel{title: fmt.Sprintf("%s, %s", impl, map[string]string{"ns/op": "makespan", "efficiency": "efficiency"}[metric]), xlabel: "workers",
						xticks: ticks, xmin: float64(workers[0]) - 0.5, xmax: float64(workers[len(workers)-1]) + 0.5}
					scale := 1e6
					pn.ylabel = "makespan (ms)"
					if metric == "efficiency" {
						scale, pn.ylabel = 1, "parallel efficiency"
						pn.hlines = []float64{1}
					}
					// One series per method × executor × channel (exec=loop
					// or no exec key: by channel; other executors by name).
					for _, g := range groupBy(ic, func(c *Cell) string { return c.Cell.Method + "/" + c.Get("exec") + "/" + c.Cell.Chan }) {
						c0 := g.cells[0]
						ex := c0.Get("exec")
						name, col := c0.Cell.Method+" / "+c0.Cell.Chan, index(bench.Chans, c0.Cell.Chan)
						if ex != "" && ex != "loop" {
							name, col = c0.Cell.Method+" / exec="+ex, len(bench.Chans)+index(bench.Execs, ex)
						}
						mi := index(bench.KnownMethods(), c0.Cell.Method)
						s := series{name: name, color: col, shape: mi, dash: mi}
						for _, c := range g.cells {
							if !hasSamples(c, metric) {
								continue
							}
							w := int64(c.Cell.Workers)
							q := statPt(float64(w), d.Stat(c, metric), scale)
							s.pts = append(s.pts, q)
							if metric == "ns/op" && w == workers[0] && c.Cell.Tasks > 0 {
								// time of one task if the one-worker map were ideal
								t1 = math.Min(t1, q.y/float64(rounds(c.Cell.Tasks, c.Cell.Workers, cores, task)))
							}
						}
						pn.series = append(pn.series, s)
					}
					if metric == "ns/op" && !math.IsInf(t1, 1) {
						// Ideal scaling: rounds of P parallel tasks × one task's time,
						// one task's time taken from the best one-worker map.
						id := series{name: "ideal scaling (from the best 1-worker map)"}
						for _, w := range workers {
							if tw := tasksAt(ic, w); tw > 0 {
								id.pts = append(id.pts, pt{x: float64(w), y: t1 * float64(rounds(int(tw), int(w), cores, task))})
							}
						}
						pn.ideal = &id
					}
					f.panels = append(f.panels, pn)
				}
				fs = append(fs, f)
			}
		}
	}
	return fs
}

// forkRoadFigures: start+join vs parent memory, methods as series, one
// figure per impl with an rss sweep of ≥ 3 points at the largest cores
// and chan=pipe; the fork/forkserver crossover is marked with its CI.
func (d *Data) forkRoadFigures(r *Run) []*figure {
	cells := onlyRun(d.workload("startup"), r)
	if len(cells) == 0 {
		return nil
	}
	cores := coresList(cells)
	k := cores[len(cores)-1]
	ch := prefer(present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan }), "pipe")
	var fs []*figure
	for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
		ic := filterCells(cells, func(c bench.Cell) bool { return c.Impl == impl && c.Chan == ch && c.Cores == k && c.Payload == "" })
		rssList := presentInts(ic, func(c bench.Cell) int64 { return c.RSS })
		if len(rssList) < 3 {
			continue
		}
		maxMiB := float64(rssList[len(rssList)-1]) / (1 << 20)
		ticks := rssTicks(rssList)
		pn := panel{title: fmt.Sprintf("%s, chan=%s, cores=%d", impl, ch, k), xlabel: "memory touched by the parent before start()",
			ylabel: "start + join per child (ms)", xticks: ticks, xmin: -0.04 * maxMiB, xmax: 1.04 * maxMiB}
		for _, m := range bench.Methods {
			s := series{name: m, color: index(bench.Methods, m), shape: index(bench.Methods, m)}
			for _, rss := range rssList {
				c := d.find(r, bench.Cell{Workload: "startup", Impl: impl, Method: m, Chan: ch, RSS: rss, Cores: k})
				if hasSamples(c, "ns/op") {
					s.pts = append(s.pts, statPt(float64(rss)/(1<<20), d.startJoin(c), 1e6))
				}
			}
			pn.series = append(pn.series, s)
		}
		fork := bench.Cell{Workload: "startup", Impl: impl, Method: "fork", Chan: ch, Cores: k}
		srv := fork
		srv.Method = "forkserver"
		cr := d.crossover(r, fork, srv)
		capt := fmt.Sprintf("What a program pays per child (start-up + join) as the parent's touched memory grows, %s, chan=%s, cores=%d; one line per start method, whiskers: 95%% CI of the median of per-run medians.", impl, ch, k)
		if !math.IsNaN(cr.x) {
			pn.marks = []vmark{{x: cr.x / (1 << 20), lo: cr.lo / (1 << 20), hi: cr.hi / (1 << 20), label: "fork = forkserver: " + mib(cr.x)}}
			capt += fmt.Sprintf(" The vertical line marks where fork's cost overtakes forkserver's: %s, shaded: its 95%% bootstrap interval %s.", mib(cr.x), crossCI(cr))
		} else {
			capt += " fork and forkserver do not cross inside the sweep."
		}
		capt += d.bareRoad(r, &pn, fork, srv, rssList)
		fs = append(fs, &figure{
			name:    fmt.Sprintf("fork-in-the-road-%s-cores%d%s", impl, k, d.suffix(r)),
			title:   fmt.Sprintf("A fork in the road: start + join vs parent memory (%s, %s)%s", impl, machineShort(r), d.titleSuffix(r)),
			caption: capt,
			cols:    1,
			panels:  []panel{pn},
		})
	}
	return fs
}

// bareRoad adds to a fork-in-the-road panel the fork server that preloads
// nothing (preload=none; main=stub), when the run has
// its sweep: its series, its crossover with fork as a dotted marker, and
// the caption's sentence (returned; "" without such cells).
func (d *Data) bareRoad(r *Run, pn *panel, fork, srv bench.Cell, rssList []int64) string {
	srv.Preload = bench.PreloadNone
	s := series{name: "forkserver, preload=none", color: len(bench.Methods), shape: len(bench.Methods)}
	for _, rss := range rssList {
		srv.RSS = rss
		if c := d.find(r, srv); hasSamples(c, "ns/op") {
			s.pts = append(s.pts, statPt(float64(rss)/(1<<20), d.startJoin(c), 1e6))
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
	pn.marks = append(pn.marks, vmark{x: cr.x / (1 << 20), lo: cr.lo / (1 << 20), hi: cr.hi / (1 << 20), label: "fork = forkserver, no preload: " + mib(cr.x), dotted: true})
	return capt + fmt.Sprintf(" the dotted line marks where fork overtakes it: %s, 95%% bootstrap interval %s.", mib(cr.x), crossCI(cr))
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
func tasksAt(cells []*Cell, w int64) int64 {
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
func (d *Data) pingpongFigure(r *Run, impl string, cores int, ic []*Cell, sizes []int64, methods []string) *figure {
	f := &figure{
		name:  fmt.Sprintf("pingpong-latency-%s-cores%d%s", impl, cores, d.suffix(r)),
		title: fmt.Sprintf("Ping-pong round trip vs message size (%s, cores=%d; %s)%s", impl, cores, machineShort(r), d.titleSuffix(r)),
		caption: fmt.Sprintf("Round trip parent→child→parent of %s by message size (log–log), cores=%d: left the median round trip (p50), right the 99th percentile (p99), "+
			"each the median of per-run values with its 95%% CI; colour = channel, line style = start method (solid spawn, dashed fork, dotted forkserver). "+
			"A cell without percentiles shows its mean.", impl, cores),
		cols: 2,
	}
	for _, q := range []struct{ unit, title string }{{"p50-ns", "p50"}, {"p99-ns", "p99"}} {
		pn := panel{title: fmt.Sprintf("%s, %s round trip", impl, q.title), xlabel: "message size (bytes)", ylabel: "round trip (µs)", logX: true, logY: true,
			xticks: sizeTicks(sizes), xmin: float64(sizes[0]) / 2, xmax: float64(sizes[len(sizes)-1]) * 2}
		for _, m := range methods {
			mc := filterCells(ic, func(c bench.Cell) bool { return c.Method == m })
			for _, ch := range present(bench.Chans, mc, func(c bench.Cell) string { return c.Chan }) {
				for _, pay := range present(bench.Payloads, mc, func(c bench.Cell) string { return payload(c) }) {
					col := index(bench.Chans, ch)
					if pay != "bytes" {
						col += len(bench.Chans) + index(bench.Payloads, pay)
					}
					mi := index(bench.Methods, m)
					s := series{name: chanSeriesName(ch, pay) + " / " + m, color: col, shape: mi, dash: mi}
					for _, size := range sizes {
						var c *Cell
						for _, x := range mc {
							if x.Cell.Chan == ch && payload(x.Cell) == pay && x.Cell.Size == size {
								c = x
							}
						}
						switch {
						case hasSamples(c, q.unit):
							s.pts = append(s.pts, statPt(float64(size), d.Stat(c, q.unit), 1e3))
						case q.unit == "p50-ns" && hasSamples(c, "ns/op"):
							s.pts = append(s.pts, statPt(float64(size), d.Stat(c, "ns/op"), 1e3))
						}
					}
					pn.series = append(pn.series, s)
				}
			}
		}
		f.panels = append(f.panels, pn)
	}
	return f
}

// rounds is the number of waves of a map in which every usable worker runs
// one task: ⌈tasks / P⌉ with P the pool parallelism (impl.PoolParallelism).
func rounds(tasks, workers, cores int, task string) int {
	p := impl.PoolParallelism(workers, tasks, cores, task == "cpu")
	return (tasks + p - 1) / p
}
