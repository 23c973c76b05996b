package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// KeyFindingsName is the six-panel figure at the top of the README
// (plots/key-findings.svg and .png).
const KeyFindingsName = "key-findings"

// keyFindingsMinPanels: a run with fewer panels that have data (a
// variants or program run) gets no key-findings figure.
const keyFindingsMinPanels = 3

// keyFindings is the six-panel figure of the report's first run that has
// start-up cells (the guide's implementation at its largest CPU set):
// (a) the fork in the road, (b) the small-message round trip by channel,
// (c) stream throughput vs size, (d) pool speedup vs workers and cores,
// (e) start + join by CPython version, (f) hosts side by side, or cores=1
// vs the largest cores when the report has one host. A panel without data
// says so; nil when fewer than keyFindingsMinPanels panels have data.
func (d *Data) keyFindings() *figure {
	var r *view.Run
	for _, x := range d.Runs {
		if len(onlyRun(d.workload(bench.Startup), x)) > 0 {
			r = x
			break
		}
	}
	if r == nil {
		return nil
	}
	g := d.Guide(r)
	im, k := g.Impl, g.Cores
	f := &figure{
		name:  KeyFindingsName,
		title: fmt.Sprintf("Key findings on %s: implementation and cores per panel as labelled", figMachine(r, "")),
		cols:  2,
		ownY:  true,
	}
	road, roadCapt, ok := d.forkRoadPanel(r, im, bench.DecisionChan, k)
	if !ok {
		road = panel{note: "no parent-rss sweep in this run"}
	}
	road.title = "(a) A fork in the road: " + road.title
	if d.Multi {
		f.title += " — panels (a)–(e): " + r.Label
	}
	f.panels = append(f.panels, road, d.keyPingpong(r, im, k), d.keyStream(r, im, k), d.keyPool(r), d.keyVersions(r), d.keySpread(r, im, k))
	n := 0
	for i := range f.panels {
		if f.panels[i].series = nonEmpty(f.panels[i].series); len(f.panels[i].series) > 0 {
			n++
		}
	}
	if n < keyFindingsMinPanels {
		return nil
	}
	f.caption = "Six headline results of the run; every point is the median of per-run medians with its 95% CI " +
		"(dashed whiskers without caps: the range of the run medians of a cell with too few runs for a CI). (a) " + roadCapt +
		" (b) The smallest message's round trip (p50) by start method, one marker per channel. (c) One-way throughput by message size (log–log). " +
		"(d) Speedup of the worker-loop pool = tasks/s ÷ tasks/s of the same pool's smallest map " +
		"(the ratio of the median makespans the Pools table shows, scaled by the task counts; whiskers: the 95% CI of the Hodges–Lehmann ratio of per-run makespans where it contains that ratio, else dashed: the range over the runs); grey: the ideal, tasks / ⌈tasks / P⌉ with P = min(workers, tasks, cores). " +
		"(e) Start + join (chan=pipe, rss=0) by CPython version. (f) The smallest message's round trip (p50; the mean where a cell has no percentiles) by channel (method=" + bench.DecisionMethod + ") across hosts, or at the smallest and largest CPU set. " +
		"Implementations: " + implVersions(r, present(bench.Impls, onlyRun(d.Cells, r), func(c bench.Cell) string { return c.Impl })) + "."
	return f
}

// categoryTicks are x ticks 0, 1, … labelled by names.
func categoryTicks(names []string) ([]plot.Tick, float64, float64) {
	var t []plot.Tick
	for i, n := range names {
		t = append(t, plot.Tick{Value: float64(i), Label: n})
	}
	return t, -0.5, float64(len(names)) - 0.5
}

// offset spreads the series of a categorical panel around each category.
func offset(i, n int) float64 { return (float64(i) - float64(n-1)/2) * 0.16 }

// roundTrip is a ping-pong cell's p50 (its mean when it has no
// percentiles) in µs.
func (d *Data) roundTrip(x float64, c *view.Cell) (pt, bool) {
	if u := rttUnit(c); c.Has(u) {
		return statPt(x, d.Stat(c, u), 1e3), true
	}
	return pt{}, false
}

// rttUnit is the round trip of ping-pong cells in the figures and
// wherever round trips are compared across CPU sets or hosts: the p50
// (p50-ns, the median round trip within a sample) where every cell given
// that has samples has it, else the mean (ns/op, a sample's mean).
func rttUnit(cells ...*view.Cell) string {
	for _, c := range cells {
		if c.Has("ns/op") && !c.Has("p50-ns") {
			return "ns/op"
		}
	}
	return "p50-ns"
}

// rttName names a round-trip unit: "p50 round trip" or "mean round trip".
func rttName(unit string) string {
	if unit == "p50-ns" {
		return "p50 round trip"
	}
	return "mean round trip"
}

// rttDoc says what a round-trip unit is.
func rttDoc(unit string) string {
	if unit == "p50-ns" {
		return "the median of the round trips within a sample"
	}
	return "a sample's mean round trip"
}

// keyPingpong is panel (b): the smallest message's round trip by start
// method, a series per channel.
func (d *Data) keyPingpong(r *view.Run, im string, k int) panel {
	ic := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool { return c.Impl == im && c.Cores == k && c.Payload == "" })
	if len(ic) == 0 {
		return panel{title: "(b) Ping-pong round trip", note: "no ping-pong cells in this run"}
	}
	size := presentInts(ic, func(c bench.Cell) int64 { return c.Size })[0]
	methods := present(bench.Methods, ic, func(c bench.Cell) string { return c.Method })
	ticks, lo, hi := categoryTicks(methods)
	pn := panel{title: fmt.Sprintf("(b) %s round trip (p50) by channel, %s, cores=%d", sizeLabel(size), im, k), xlabel: "start method", ylabel: "round trip (µs)", xticks: ticks, xmin: lo, xmax: hi}
	chans := present(bench.Chans, ic, func(c bench.Cell) string { return c.Chan })
	for ci, ch := range chans {
		s := series{name: ch, color: ci, shape: ci, noLine: true}
		for i, m := range methods {
			if q, ok := d.roundTrip(float64(i)+offset(ci, len(chans)), d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: im, Method: m, Chan: ch, Size: size, Cores: k})); ok {
				s.pts = append(s.pts, q)
			}
		}
		pn.series = append(pn.series, s)
	}
	pn.logY = spansDecade(pn.series)
	return pn
}

// keyStream is panel (c): throughput vs message size at the decision
// method, a series per channel and payload.
func (d *Data) keyStream(r *view.Run, im string, k int) panel {
	ic := view.Filter(onlyRun(d.workload(bench.Stream), r), func(c bench.Cell) bool { return c.Impl == im && c.Cores == k })
	m := prefer(present(bench.Methods, ic, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	ic = view.Filter(ic, func(c bench.Cell) bool { return c.Method == m })
	if len(ic) == 0 {
		return panel{title: "(c) Stream throughput", note: "no stream cells in this run"}
	}
	sizes := presentInts(ic, func(c bench.Cell) int64 { return c.Size })
	pn := panel{title: fmt.Sprintf("(c) Stream throughput vs size, %s, method=%s, cores=%d", im, m, k), xlabel: "message size (bytes)", ylabel: "throughput (MB/s)", logX: true, logY: true,
		xticks: sizeTicks(sizes), xmin: float64(sizes[0]) / 2, xmax: float64(sizes[len(sizes)-1]) * 2}
	for _, cp := range chanPayloads(ic) {
		s := series{name: chanSeriesName(cp.ch, cp.pay), color: cp.color, shape: cp.color}
		for _, size := range sizes {
			if c := cellAt(ic, m, cp, size); c.Has("MB/s") {
				s.pts = append(s.pts, statPt(float64(size), d.Stat(c, "MB/s"), 1))
			}
		}
		pn.series = append(pn.series, s)
	}
	return pn
}

// keyPool is panel (d): the speedup of the decision pool (cpu tasks,
// method=fork, the worker loop over pipe) vs workers, a series per
// implementation × cores, with the ideal speedup of each cores value.
func (d *Data) keyPool(r *view.Run) panel {
	pc := view.Filter(onlyRun(d.workload(bench.Pool), r), func(c bench.Cell) bool {
		return c.Task == bench.DecisionTask && c.Method == bench.DecisionMethod && (c.Exec == "" || c.Exec == bench.ExecLoop)
	})
	ch := prefer(present(bench.Chans, pc, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	pc = view.Filter(pc, func(c bench.Cell) bool { return c.Chan == ch })
	if len(pc) == 0 {
		return panel{title: "(d) Pool speedup", note: "no pool cells in this run"}
	}
	ticks, lo, hi := workerTicks(pc)
	pn := panel{title: "(d) Pool speedup, " + scalingRule(pc), xlabel: fmt.Sprintf("workers (%s tasks, method=%s, chan=%s)", bench.DecisionTask, bench.DecisionMethod, ch),
		ylabel: "speedup (tasks/s ÷ 1-worker map's)", xticks: ticks, xmin: lo, xmax: hi}
	impls := filterStrings(present(bench.Impls, pc, func(c bench.Cell) string { return c.Impl }), func(s string) bool { return s == "native" || s == guideImpl(pc) })
	for ii, im := range impls {
		for ki, k := range coresList(pc) {
			cs := view.Filter(pc, func(c bench.Cell) bool { return c.Impl == im && c.Cores == k })
			if len(cs) < 2 || !cs[0].Has("ns/op") {
				continue // one worker count: no speedup to show
			}
			s := series{name: fmt.Sprintf("%s, cores=%d", im, k), color: ii, shape: ki, dash: ki}
			for _, c := range cs {
				if c.Has("ns/op") {
					s.pts = append(s.pts, d.speedupPt(float64(c.Cell.Workers), cs[0], c))
				}
			}
			pn.series = append(pn.series, s)
			if ii == 0 {
				id := series{name: fmt.Sprintf("ideal, cores=%d", k), dash: ki + 1, pts: idealSpeedup(cs)}
				pn.ideals = append(pn.ideals, id)
			}
		}
	}
	return pn
}

// keyVersions is panel (e): start + join by CPython version, a series per
// start method, from the run or, when the run has no version cells, its
// companion variants run (<run>-variants) when there is one.
func (d *Data) keyVersions(r *view.Run) panel {
	src, from := r, ""
	if len(d.versionsOf(r)) < 2 && r.Dir != "" {
		for _, dir := range variantsDirs(r) {
			if v, err := view.Load(dir, nil); err == nil && len(d.versionsOf(v)) > 1 {
				src, from = v, filepath.Base(dir)+", kernel "+v.ConfigValue("kernel")
				break
			}
		}
	}
	vs := d.versionsOf(src)
	if len(vs) < 2 {
		return panel{title: "(e) CPython versions", note: "no CPython versions in this run"}
	}
	cores := d.maxCoresOf(src, vs)
	var names []string
	for _, v := range vs {
		names = append(names, strings.TrimPrefix(v, "cpython"))
	}
	ticks, lo, hi := categoryTicks(names)
	title, xlabel := fmt.Sprintf("(e) Start + join by CPython version, cores=%d", cores), "CPython version"
	if from != "" {
		title, xlabel = title+" (variants run)", xlabel+" ("+from+")"
	}
	pn := panel{title: title, xlabel: xlabel, ylabel: "start + join per child (ms)",
		xticks: ticks, xmin: lo, xmax: hi}
	for i, m := range versionMetrics(cores)[:len(bench.Methods)] {
		s := series{name: bench.Methods[i], color: i, shape: i}
		for j, v := range vs {
			if c := d.versionCell(src, v, m); c != nil {
				if st, _ := d.metricStat(c, m.unit); st.N > 0 {
					s.pts = append(s.pts, statPt(float64(j), st, 1e6))
				}
			}
		}
		pn.series = append(pn.series, s)
	}
	pn.logY = spansDecade(pn.series)
	return pn
}

// variantsDirs are the folders of a run's variants, in order: its
// companion <run>-variants, then the variants run its claims read (the
// claims-variants line of claims.bench, relative to the run folder).
func variantsDirs(r *view.Run) []string {
	dirs := []string{filepath.Clean(r.Dir) + "-variants"}
	if cr := claimsRun(r); cr != nil {
		if v := cr.ConfigValue("claims-variants"); v != "" {
			if !filepath.IsAbs(v) {
				v = filepath.Join(r.Dir, v)
			}
			dirs = append(dirs, filepath.Clean(v))
		}
	}
	return dirs
}

// keySpread is panel (f): the smallest message's round trip by channel
// (method=fork) on each host when the report has several, else at
// cores=1 and at the largest cores, a series per implementation × cores.
func (d *Data) keySpread(r *view.Run, im string, k int) panel {
	if p, ok := d.keyHosts(im); ok {
		return p
	}
	pp := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool { return c.Method == bench.DecisionMethod && c.Payload == "" })
	cores := coresList(pp)
	if len(cores) < 2 {
		return panel{title: "(f) Cores", note: "one CPU set size and one host in this run"}
	}
	size := presentInts(pp, func(c bench.Cell) int64 { return c.Size })[0]
	chans := present(bench.Chans, pp, func(c bench.Cell) string { return c.Chan })
	ticks, lo, hi := categoryTicks(chans)
	pn := panel{title: fmt.Sprintf("(f) %s round trip (p50): cores=%d vs cores=%d, method=%s", sizeLabel(size), cores[0], cores[len(cores)-1], bench.DecisionMethod),
		xlabel: "channel", ylabel: "round trip (µs)", xticks: ticks, xmin: lo, xmax: hi}
	impls := present(bench.Impls, pp, func(c bench.Cell) string { return c.Impl })
	impls = filterStrings(impls, func(s string) bool { return s == im || s == "native" })
	n := len(impls) * 2
	for ii, x := range impls {
		for ki, kk := range []int{cores[0], cores[len(cores)-1]} {
			// colour = implementation; hollow marker cores=1, filled the largest
			s := series{name: fmt.Sprintf("%s, cores=%d", x, kk), color: ii, shape: ii + 5*ki, noLine: true}
			for ci, ch := range chans {
				if q, ok := d.roundTrip(float64(ci)+offset(2*ii+ki, n), d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: x, Method: bench.DecisionMethod, Chan: ch, Size: size, Cores: kk})); ok {
					s.pts = append(s.pts, q)
				}
			}
			pn.series = append(pn.series, s)
		}
	}
	pn.logY = spansDecade(pn.series)
	return pn
}

// keyHosts is panel (f) for a report of several hosts: the smallest
// message's round trip of impl by channel (method=fork, each host's
// largest cores), a series per host (false: fewer than two hosts have it).
func (d *Data) keyHosts(im string) (panel, bool) {
	if !d.Multi {
		return panel{}, false
	}
	type hostRun struct {
		label string
		r     *view.Run
		k     int
		size  int64
	}
	var hs []hostRun
	seen := map[string]bool{}
	for _, r := range d.Runs {
		pp := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool {
			return c.Impl == im && c.Method == bench.DecisionMethod && c.Payload == ""
		})
		if h := hostOf(r); len(pp) > 0 && !seen[h] {
			seen[h] = true
			cores := coresList(pp)
			hs = append(hs, hostRun{h, r, cores[len(cores)-1], presentInts(pp, func(c bench.Cell) int64 { return c.Size })[0]})
		}
	}
	if len(hs) < 2 {
		return panel{}, false
	}
	ticks, lo, hi := categoryTicks(bench.Chans)
	pn := panel{title: fmt.Sprintf("(f) Hosts side by side: %s round trip (p50), %s, method=%s", sizeLabel(hs[0].size), im, bench.DecisionMethod),
		xlabel: "channel", ylabel: "round trip (µs)", xticks: ticks, xmin: lo, xmax: hi}
	for i, h := range hs {
		s := series{name: fmt.Sprintf("%s, cores=%d", h.label, h.k), color: i, shape: i, noLine: true}
		for ci, ch := range bench.Chans {
			if q, ok := d.roundTrip(float64(ci)+offset(i, len(hs)), d.find(h.r, bench.Cell{Workload: bench.Pingpong, Impl: im, Method: bench.DecisionMethod, Chan: ch, Size: h.size, Cores: h.k})); ok {
				s.pts = append(s.pts, q)
			}
		}
		pn.series = append(pn.series, s)
	}
	pn.logY = spansDecade(pn.series)
	return pn, true
}

// filterStrings keeps the strings keep accepts.
func filterStrings(xs []string, keep func(string) bool) []string {
	var out []string
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
