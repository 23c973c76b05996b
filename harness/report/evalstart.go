package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The start-up questions of the evaluation: what one child costs, and
// where a big parent makes fork lose.

// startCells are the start-up cells of the driver's own main module of a
// run at one rss.
func (d *Data) startCells(r *view.Run, rss int64) []*view.Cell {
	return view.Filter(onlyRun(d.workload(bench.Startup), r), func(c bench.Cell) bool { return c.RSS == rss && c.Payload == "" })
}

func (d *Data) evalStart(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	st := onlyRun(d.workload(bench.Startup), r)
	if len(st) == 0 || g.Impl == "" {
		return nil
	}
	rss0 := presentInts(st, func(c bench.Cell) int64 { return c.RSS })[0]
	cells := d.startCells(r, rss0)
	ch := prefer(present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	impls := present(bench.KnownImpls(), cells, func(c bench.Cell) string { return c.Impl })
	methods := present(bench.Methods, cells, func(c bench.Cell) string { return c.Method })
	b := &evalBlock{V: map[string]string{"impl": g.Impl, "chan": ch, "cores": fmt.Sprint(g.Cores)}}
	b.Method = methodText(r, cells, fmt.Sprintf("start-up cells at parent rss=%s (every channel and core count)", sizeLabel(rss0))) +
		fmt.Sprintf(" One sample is one child: `start()` until its first message arrives, plus `join()`; the table shows chan=%s at cores=%d.", ch, g.Cores)
	b.fig = d.pickFigure(r, figs, bench.Startup, fmt.Sprintf("startup-latency-cores%d", g.Cores))
	cost := func(impl, m string) view.Stats {
		return d.startJoin(d.find(r, bench.Cell{Workload: bench.Startup, Impl: impl, Method: m, Chan: ch, RSS: rss0, Cores: g.Cores}))
	}
	var rows [][]string
	for _, m := range methods {
		row := []string{m}
		for _, im := range impls {
			row = append(row, compact("ns/op", cost(im, m)))
		}
		rows = append(rows, row)
	}
	b.Table = mdTable(append([]string{"start + join"}, impls...), 1, rows)
	for _, im := range impls {
		fork := cost(im, "fork")
		if fork.N == 0 {
			continue
		}
		var parts []string
		for _, m := range methods {
			if s := cost(im, m); m != "fork" && s.N > 0 {
				parts = append(parts, fmt.Sprintf("%s/fork = %s", m, ratioCI(s, fork)))
			}
		}
		if len(parts) > 0 {
			b.Findings = append(b.Findings, fmt.Sprintf("%s: %s (ratio of run medians, 95%% CI).", im, strings.Join(parts, "; ")))
		}
	}
	for _, m := range methods {
		if s := cost(g.Impl, m); s.N > 0 {
			b.V[m] = plain("ns/op", s)
		}
	}
	if sp, nat := cost(g.Impl, "spawn"), cost("native", "spawn"); sp.N > 0 && nat.N > 0 && g.Impl != "native" {
		b.V["nativeSpawn"] = plain("ns/op", nat)
		b.V["interpShare"] = fmt.Sprintf("%.0f%%", 100*(1-nat.Median/sp.Median))
	}
	if fs, fk := cost(g.Impl, "forkserver"), cost(g.Impl, "fork"); fs.N > 0 && fk.N > 0 {
		b.V["fsRatio"] = ratioCI(fs, fk)
		b.Change = append(b.Change, fmt.Sprintf("The Python version's default: CPython 3.14 made `forkserver` the default on Linux; a program that does not choose pays forkserver/fork = %s per child here (%s, chan=%s, cores=%d).", b.V["fsRatio"], g.Impl, ch, g.Cores))
	}
	b.Change = append(b.Change, "A parent that holds memory: fork's cost grows with it (the next question).",
		"Threads in the parent: fork is unsafe whatever it costs (the hazards).")
	if len(onlyRun(d.anyProgram(bench.Startup), r)) > len(st) {
		b.Change = append(b.Change, "A main module with heavy imports: spawn and forkserver children run its imports again (section [Main module and preload](#main-module-and-preload)).")
	}
	return b
}

func (d *Data) evalBigParent(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	st := onlyRun(d.workload(bench.Startup), r)
	if len(st) == 0 || g.Impl == "" {
		return nil
	}
	ch := prefer(present(bench.Chans, st, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	fork := bench.Cell{Workload: bench.Startup, Impl: g.Impl, Method: "fork", Chan: ch, Cores: g.Cores}
	srv, spw := fork, fork
	srv.Method, spw.Method = "forkserver", "spawn"
	cr := d.crossover(r, fork, srv)
	if len(cr.rss) < 2 {
		return nil
	}
	b := &evalBlock{V: map[string]string{"impl": g.Impl}}
	var sweep []*view.Cell
	for _, c := range st {
		if c.Cell.Impl == g.Impl && c.Cell.Chan == ch && c.Cell.Cores == g.Cores {
			sweep = append(sweep, c)
		}
	}
	b.Method = methodText(r, sweep, fmt.Sprintf("start-up cells of %s (chan=%s, cores=%d) at %d parent sizes: the parent touches rss bytes before it starts the child", g.Impl, ch, g.Cores, len(cr.rss))) +
		" The crossover is interpolated between the sizes, its interval bootstrapped from the per-run medians."
	b.fig = d.pickFigure(r, figs, bench.Startup, fmt.Sprintf("fork-in-the-road-%s-cores%d", g.Impl, g.Cores))
	var rows [][]string
	for _, rss := range cr.rss {
		row := []string{sizeLabel(rss)}
		for _, m := range bench.Methods {
			c := fork
			c.Method, c.RSS = m, rss
			row = append(row, compact("ns/op", d.startJoin(d.find(r, c))))
		}
		rows = append(rows, row)
	}
	b.Table = mdTable(append([]string{"parent rss"}, bench.Methods...), 1, rows)
	last := len(cr.rss) - 1
	b.Findings = append(b.Findings, "fork vs forkserver: "+crossFlip(cr)+".")
	crs := d.crossover(r, fork, spw)
	if len(crs.rss) >= 2 {
		if n := len(crs.rss) - 1; math.IsNaN(crs.x) {
			f := fmt.Sprintf("no crossover up to rss=%s", sizeLabel(crs.rss[n]))
			if crs.a[n].Median > crs.b[n].Median {
				f = fmt.Sprintf("spawn is cheaper already at rss=%s", sizeLabel(crs.rss[0]))
			}
			b.Findings = append(b.Findings, "fork vs spawn: "+f+fmt.Sprintf(" (at rss=%s fork %s, spawn %s).", sizeLabel(crs.rss[len(crs.rss)-1]), plain("ns/op", crs.a[len(crs.rss)-1]), plain("ns/op", crs.b[len(crs.rss)-1])))
		} else {
			b.Findings = append(b.Findings, "fork vs spawn: fork costs more than spawn above "+crossFlip(crs)+".")
		}
	}
	span := float64(cr.rss[last]-cr.rss[0]) / (1 << 20)
	if span > 0 {
		b.V["slope"] = bench.Format("ns/op", (cr.a[last].Median-cr.a[0].Median)/span)
		b.V["rssHi"] = sizeLabel(cr.rss[last])
		b.V["ptes"] = mib(float64(cr.rss[last]) / 4096 * 8)
		b.V["forkLo"], b.V["forkHi"] = plain("ns/op", cr.a[0]), plain("ns/op", cr.a[last])
		b.V["srvLo"], b.V["srvHi"] = plain("ns/op", cr.b[0]), plain("ns/op", cr.b[last])
	}
	b.V["thp"] = r.ConfigValue("thp")
	switch {
	case math.IsNaN(cr.x):
		b.Change = append(b.Change, "Parent memory: "+crossFlip(cr)+" in this sweep.")
	case cr.minRuns < MinRuns || math.IsNaN(cr.lo) || math.IsNaN(cr.hi):
		b.Change = append(b.Change, "Parent memory: the medians of fork and forkserver cross at "+crossFlip(cr)+"; without an interval the data does not place the crossover.")
	default:
		b.Change = append(b.Change, "Parent memory: fork is cheapest below "+crossFlip(cr)+", forkserver above.")
	}
	if crb := g.crossBare; len(crb.rss) >= 2 && !math.IsNaN(crb.x) {
		b.Change = append(b.Change, fmt.Sprintf("A fork server that preloads nothing (before CPython 3.13.8 / 3.14.1, without `set_forkserver_preload`): the crossover moves to %s %s.", mib(crb.x), crossCI(crb)))
	}
	b.Change = append(b.Change, "Only memory the parent has touched has page-table entries for fork to copy; memory mapped but never touched is not part of this sweep.")
	return b
}
