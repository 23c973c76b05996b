package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// The start-up of a program as users meet it (bench/program.go): cells
// with a main key (the weight of the measured main module) or a preload
// key (a fork server that preloads nothing). Data.workload leaves them out
// of the matrix's tables and figures; they have the guide's rows below,
// the section "Main module and preload" and its tables. A run without such
// cells (every run before the keys) gets none of this.

// programOption labels, one per way of starting a child of a main module.
const (
	optFork    = "fork"
	optPreload = "forkserver + preload"
	optBare    = "forkserver"
	optSpawn   = "spawn"
)

// programOpts are the four ways of starting a child of one main weight at
// chan=pipe, rss=0: fork, a fork server that preloads the main module's
// imports, one that preloads nothing, spawn (nil: not measured).
type programOpts struct {
	weight, impl           string
	fork, pre, bare, spawn *option
}

func (p programOpts) all() []*option { return []*option{p.fork, p.pre, p.bare, p.spawn} }

// programOptsOf are the options of main weight w for impl at cores.
func (d *Data) programOptsOf(r *view.Run, impl, w string, cores int) programOpts {
	base := bench.Cell{Workload: bench.Startup, Impl: impl, Method: "fork", Chan: "pipe", Cores: cores}
	get := func(label, method, preload string) *option {
		c := base
		c.Method = method
		if c := d.find(r, c.WithProgram(w, preload)); c.Has("ns/op") {
			return &option{label, d.startJoin(c)}
		}
		return nil
	}
	return programOpts{weight: w, impl: impl,
		fork: get(optFork, "fork", bench.PreloadMain), pre: get(optPreload, "forkserver", bench.PreloadMain),
		bare: get(optBare, "forkserver", bench.PreloadNone), spawn: get(optSpawn, "spawn", bench.PreloadMain)}
}

// apart reports whether a is cheaper than b: the CI of the ratio of their
// run medians lies below 1 (as pick decides).
func apart(a, b *option) bool {
	return a != nil && b != nil && effect(a.s, b.s).Outcome == stats.Less
}

// heavyMain is the guide's row for a main module with heavy imports: per
// main weight other than the stub (impl g.Impl where it has the weight's
// cells, else bench.ProgramImpl, the interpreter with numpy and torch), a
// child's start + join under fork, a fork server that preloads the main
// module's imports, one that preloads nothing, and spawn.
func (g *Guide) heavyMain(d *Data, r *view.Run) {
	var ws []programOpts
	for _, w := range bench.MainWeights[1:] { // g.Impl's where measured (bench.HeavyMain: a decision cell), else bench.ProgramImpl's
		for _, im := range []string{g.Impl, bench.ProgramImpl} {
			if p := d.programOptsOf(r, im, w, g.Cores); p.pre != nil && p.bare != nil {
				ws = append(ws, p)
				break
			}
		}
	}
	if len(ws) == 0 {
		return
	}
	row := newRow(bench.QHeavyMain, "(cost of one child: start + join)")
	const good = "`fork`, or `forkserver` with `set_forkserver_preload([...])` (the main module's imports): not bare `forkserver` or `spawn`"
	var decided, open, noCI, costs, deltas []string
	fewest := 0 // the fewest runs of a compared cell without a CI
	for _, p := range ws {
		ok, ci := true, true
		for _, good := range []*option{p.fork, p.pre} {
			for _, bad := range []*option{p.bare, p.spawn} {
				if good == nil || bad == nil {
					continue
				}
				if e := effect(good.s, bad.s); e.Outcome == stats.NoCI {
					ci = false
					if n := min(e.RunsA, e.RunsB); fewest == 0 || n < fewest {
						fewest = n
					}
				}
				if !apart(good, bad) {
					ok = false
				}
			}
		}
		switch {
		case !ci:
			noCI = append(noCI, p.weight)
		case ok:
			decided = append(decided, p.weight)
			if p.weight == bench.HeavyMain && p.impl == g.Impl { // the decision cells' answer
				row.Answer = chosen(good + " (main=" + p.weight + ")")
			}
		default:
			open = append(open, p.weight)
		}
		var parts []string
		for _, o := range p.all() {
			if o != nil {
				parts = append(parts, o.label+" "+ciText("ns/op", o.s))
			}
		}
		costs = append(costs, fmt.Sprintf("main=%s (impl=%s): %s", p.weight, p.impl, strings.Join(parts, ", ")))
		deltas = append(deltas, fmt.Sprintf("%s at main=%s", signedNs(p.bare.s.Median-p.pre.s.Median), p.weight))
	}
	row.Choice = heavyChoice(good, decided, open, noCI, fewest)
	row.Cost = strings.Join(costs, "; ") + " (chan=pipe, parent rss=0)"
	row.Flip = "a fork server that preloads nothing and spawn run the main module's imports again in every child: a bare forkserver child costs " +
		strings.Join(deltas, ", ") + " more than one of a preloading server (medians)"
	if stub := d.programOptsOf(r, g.Impl, bench.MainStub, g.Cores); stub.pre != nil && stub.bare != nil {
		row.Flip += fmt.Sprintf(", %s with the stub alone (impl=%s)", signedNs(stub.bare.s.Median-stub.pre.s.Median), g.Impl)
	}
	row.Flip += "; threads in the parent rule out fork (row Parent with threads)"
	g.Rows = append(g.Rows, row)
}

// heavyChoice is the heavy-main row's choice: good at the main weights
// where every preloaded option is cheaper than every bare one (decided),
// "not decided" where a ratio does not decide (open), "no CI" where a
// compared cell has fewer runs than a CI needs (noCI; fewest: its runs).
func heavyChoice(good string, decided, open, noCI []string, fewest int) string {
	if len(open) == 0 && len(noCI) == 0 {
		return good
	}
	if len(decided) == 0 && len(noCI) == 0 {
		return "not decided: at every main weight measured, a preloaded option (fork, forkserver + preload) is not cheaper than a bare one (forkserver, spawn) by a ratio of run medians whose CI excludes 1"
	}
	var parts []string
	if len(noCI) > 0 {
		parts = append(parts, fmt.Sprintf("no CI (a compared cell has %s) at main=%s: fork and forkserver + preload against forkserver and spawn",
			plural(fewest, "run", "runs"), strings.Join(noCI, ", ")))
	}
	if len(decided) > 0 {
		parts = append(parts, good+" at main="+strings.Join(decided, ", "))
	}
	if len(open) > 0 {
		parts = append(parts, "not decided at main="+strings.Join(open, ", "))
	}
	return strings.Join(parts, "; ")
}

// signedNs is "+1.2 ms" / "−0.3 ms".
func signedNs(ns float64) string {
	if ns < 0 {
		return "−" + bench.Format("ns/op", -ns)
	}
	return "+" + bench.Format("ns/op", ns)
}

// programImpls are the impls of a run with start-up cells of another main
// weight or preload, in report order; their cores: the largest.
func (d *Data) programImpls(r *view.Run) ([]string, int) {
	seen := map[string]bool{}
	var impls []string
	cores := 0
	for _, c := range d.anyProgram(bench.Startup) {
		if c.Run != r || !programVariant(c) {
			continue
		}
		cores = max(cores, c.Cell.Cores)
		if !seen[c.Cell.Impl] {
			seen[c.Cell.Impl] = true
			impls = append(impls, c.Cell.Impl)
		}
	}
	return orderImpls(impls), cores
}

// programTables: per run with program cells, start + join and start-up by
// impl × method × preload (rows) and main weight (columns) at chan=pipe,
// rss=0 and the largest cores; and the fork/forkserver rss sweep of both
// preloads.
func (d *Data) programTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		impls, cores := d.programImpls(r)
		if len(impls) == 0 {
			continue
		}
		for _, spec := range []struct{ name, title, unit string }{
			{"program-join", "Start + join per child by main module and fork-server preload", "ns/op+join"},
			{"program-startup", "Start-up (start() → first message) by main module and fork-server preload", "ns/op"},
		} {
			if t := d.programTable(r, impls, cores, spec.name, spec.title, spec.unit); t != nil {
				ts = append(ts, t)
			}
		}
		if t := d.programRSSTable(r, cores); t != nil {
			ts = append(ts, t)
		}
	}
	return ts
}

var programCaption = statNote + " main: the measured program's __main__ module — stub = the driver's stub alone; stdlib, numpy, torch = the stub preceded by " +
	"the top-level imports of a user's script (stdlib: " + strings.Join(bench.MainImports[bench.MainStdlib], ", ") + "). " +
	"preload (forkserver): main = `set_forkserver_preload` with the main module's imports before the server starts; none = nothing preloaded, what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1. " +
	"Every forkserver and spawn child runs the main module's top level again (the fork server of CPython before 3.13.8 / 3.14.1 never loads `__main__`); " +
	"a spawn child and the child of a server that preloads nothing also run its imports; a fork child runs nothing again."

func (d *Data) programTable(r *view.Run, impls []string, cores int, name, title, unit string) *Table {
	var weights []string
	for _, w := range bench.MainWeights {
		for _, c := range d.anyProgram(bench.Startup) {
			if c.Run == r && c.Cell.MainWeight() == w && c.Cell.Cores == cores && view.Rank(impls, c.Cell.Impl) < len(impls) {
				weights = append(weights, "main="+w)
				break
			}
		}
	}
	t := &Table{Name: fmt.Sprintf("%s-cores%d%s", name, cores, d.suffix(r)), Section: "program",
		Title:  fmt.Sprintf("%s, chan=pipe, rss=0, cores=%d%s", title, cores, d.titleSuffix(r)),
		Header: append([]string{"impl", "method", "preload"}, weights...), Left: 3, Caption: programCaption}
	for _, im := range impls {
		for _, m := range bench.Methods {
			preloads := []string{bench.PreloadMain}
			if m == "forkserver" {
				preloads = bench.Preloads
			}
			for _, p := range preloads {
				pl := "—"
				if m == "forkserver" {
					pl = p
				}
				row := []string{im, m, pl}
				any := false
				for _, w := range weights {
					c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: im, Method: m, Chan: "pipe", Cores: cores}.WithProgram(strings.TrimPrefix(w, "main="), p))
					if c == nil {
						row = append(row, "")
						continue
					}
					any = true
					row = append(row, d.statEntry(c, unit))
				}
				if any {
					t.Rows = append(t.Rows, row)
				}
			}
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// programRSSTable is the rss sweep of fork and forkserver (preloaded and
// not) at main=stub, chan=pipe: the data of both crossovers.
func (d *Data) programRSSTable(r *view.Run, cores int) *Table {
	impl := guideImpl(onlyRun(d.workload(bench.Startup), r))
	fork := bench.Cell{Workload: bench.Startup, Impl: impl, Method: "fork", Chan: "pipe", Cores: cores}
	pre, bare := fork, fork
	pre.Method, bare.Method, bare.Preload = "forkserver", "forkserver", bench.PreloadNone
	return d.rssRows(r, fork, pre, bare, cores, impl)
}

// rssRows fills the rss sweep table; nil when the bare server has fewer
// than two rss points.
func (d *Data) rssRows(r *view.Run, fork, pre, bare bench.Cell, cores int, impl string) *Table {
	t := &Table{Name: fmt.Sprintf("program-rss-cores%d%s", cores, d.suffix(r)), Section: "program",
		Title:  fmt.Sprintf("Start + join per child vs parent memory: fork and forkserver with and without preload, impl=%s, main=stub, chan=pipe, cores=%d%s", impl, cores, d.titleSuffix(r)),
		Header: []string{"rss", "fork", "forkserver, preload=main", "forkserver, preload=none"}, Left: 1, Caption: statNote}
	bareN := 0
	for _, rss := range presentInts(onlyRun(d.anyProgram(bench.Startup), r), func(c bench.Cell) int64 { return c.RSS }) {
		row := []string{sizeLabel(rss)}
		any := false
		for _, base := range []bench.Cell{fork, pre, bare} {
			base.RSS = rss
			c := d.find(r, base)
			if c == nil {
				row = append(row, "")
				continue
			}
			any = true
			if base.Preload != "" {
				bareN++
			}
			row = append(row, d.statEntry(c, "ns/op+join"))
		}
		if any {
			t.Rows = append(t.Rows, row)
		}
	}
	if bareN < 2 {
		return nil
	}
	return t
}

// programFindings: per impl and main weight, what a fork server that
// preloads nothing costs a child over one that preloads the main module's
// imports, and both fork/forkserver crossovers.
func (d *Data) programFindings(r *view.Run) []string {
	impls, cores := d.programImpls(r)
	var out []string
	for _, im := range impls {
		for _, w := range bench.MainWeights {
			p := d.programOptsOf(r, im, w, cores)
			if p.pre == nil || p.bare == nil {
				continue
			}
			cmp := CompareStats(p.pre.s, p.bare.s)
			change := "not significantly different (~)"
			if cmp.Significant {
				change = sig3(cmp.Ratio) + "× (" + signedNs(p.bare.s.Median-p.pre.s.Median) + ")"
			}
			f := fmt.Sprintf("impl=%s, main=%s: a forkserver child costs %s when the server preloads nothing vs %s when it preloads the main module's imports: %s",
				im, w, fmtStat("ns/op", p.bare.s), fmtStat("ns/op", p.pre.s), change)
			var more []string
			for _, o := range []*option{p.fork, p.spawn} {
				if o != nil {
					more = append(more, o.label+" "+fmtStat("ns/op", o.s))
				}
			}
			if len(more) > 0 {
				f += "; " + strings.Join(more, ", ")
			}
			out = append(out, f+" (start + join, chan=pipe, rss=0, cores="+strconv.Itoa(cores)+").")
		}
	}
	impl := guideImpl(onlyRun(d.workload(bench.Startup), r))
	fork := bench.Cell{Workload: bench.Startup, Impl: impl, Method: "fork", Chan: "pipe", Cores: cores}
	pre, bare := fork, fork
	pre.Method, bare.Method, bare.Preload = "forkserver", "forkserver", bench.PreloadNone
	if crb := d.crossover(r, fork, bare); len(crb.rss) >= 2 {
		cr := d.crossover(r, fork, pre)
		f := fmt.Sprintf("impl=%s, main=stub, chan=pipe, cores=%d: fork's start + join overtakes a forkserver's at %s without preload", impl, cores, crossFlip(crb))
		if len(cr.rss) >= 2 {
			f += " and at " + crossFlip(cr) + " with the main module's imports preloaded"
		}
		out = append(out, f+" (the decision guide's notes give the bootstrap details).")
	}
	return out
}
