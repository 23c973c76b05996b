package report

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// The decision guide: for each common situation, the recommended start
// method and channel, its measured cost with CI, and the condition under
// which the recommendation flips — every number computed from the run,
// "the data does not decide" where the intervals do not separate. Its
// rows are the questions of bench.Questions; the cells they read at the
// largest core count are bench.Decisions (what `mpbench advise` measures;
// advice_test.go checks that the two agree), and its fixed choices
// (channel, methods, executors) come from there.

// GuideRow is one situation of the decision guide. Coverage is how far
// the choice holds beyond the cells its answer reads (the other channels,
// methods, sizes and core counts of the run: "in N of M channel × cores
// cells"); empty for a row without such a count. The table shows Coverage
// and Flip in one column (column).
type GuideRow struct {
	Key                                     string // the question's key (bench.Questions)
	Situation, Choice, Cost, Flip, Coverage string
	Answer                                  Answer // Choice in the form two guides are compared by (agree.go)
	table                                   string // the table's column where it is not "Coverage; Flip"
}

// newRow starts the row of a question: its situation is the question's
// title and detail.
func newRow(q bench.Question, detail string) GuideRow {
	s := q.Title
	if detail != "" {
		s += " " + detail
	}
	return GuideRow{Key: q.Key, Situation: s}
}

// Guide is the decision guide of one run.
type Guide struct {
	Impl  string // the implementation the guide speaks for (cpython)
	Cores int
	Rows  []GuideRow
	Notes []string // scope and crossover details
	// Crossover of fork vs forkserver start+join over parent RSS (bytes);
	// NaN when the sweep shows none. CrossoverBare is the same against a
	// fork server that preloads nothing (preload=none).
	Crossover, CrossLo, CrossHi             float64
	CrossoverBare, CrossBareLo, CrossBareHi float64
	// crossBare is the bare crossing itself (its rss points, its runs),
	// the one computation the evaluation's text reads too; no rss points
	// where the run has no such sweep.
	crossBare crossing
}

// guideImpl is the implementation a Python developer asks about:
// cpython, else the standard library's multiprocessing of a run of
// library variants, else the first implementation measured.
func guideImpl(cells []*view.Cell) string {
	impls := present(bench.KnownImpls(), cells, func(c bench.Cell) string { return c.Impl })
	if slices.Contains(impls, "cpython") {
		return "cpython"
	}
	return prefer(impls, "multiprocessing")
}

// ciText is "1.61 ms [1.58, 1.66]" for a metric.
func ciText(unit string, s view.Stats) string { return fmtStat(unit, s) }

// option is a candidate of a situation with its statistics.
type option struct {
	label string
	s     view.Stats
}

// pick sorts options (lower is better unless higher) and compares the
// best with the runner-up by the ratio of their run medians
// (stats.CompareRatio); decided means the ratio's CI excludes 1 in the
// best's favour and does not lie wholly inside the ±5% equivalence band.
func pick(opts []option, higher bool) (best, second *option, decided bool) {
	var ok []option
	for _, o := range opts {
		if o.s.N > 0 {
			ok = append(ok, o)
		}
	}
	if len(ok) == 0 {
		return nil, nil, false
	}
	sort.SliceStable(ok, func(i, j int) bool {
		if higher {
			return ok[i].s.Median > ok[j].s.Median
		}
		return ok[i].s.Median < ok[j].s.Median
	})
	if len(ok) == 1 {
		return &ok[0], nil, false
	}
	e := effect(ok[0].s, ok[1].s)
	won := e.Outcome == stats.Less && !higher || e.Outcome == stats.Greater && higher
	return &ok[0], &ok[1], won && !modesExplain(ok[0].s, ok[1].s, higher)
}

// modesExplain reports whether the modes of two cells' runs explain the
// best's lead: its worst mode is no better than the runner-up's best mode
// (a cell without modes is one mode at its median), so the lead rests on
// the regimes the runs fell into, not on the options.
func modesExplain(best, second view.Stats, higher bool) bool {
	if len(best.Modes) == 0 && len(second.Modes) == 0 {
		return false
	}
	span := func(s view.Stats) (lo, hi float64) {
		if len(s.Modes) == 0 {
			return s.Median, s.Median
		}
		return s.Modes[0].Median, s.Modes[len(s.Modes)-1].Median
	}
	bLo, bHi := span(best)
	sLo, sHi := span(second)
	if higher {
		return bLo <= sHi
	}
	return bHi >= sLo
}

// effect compares two cells' statistics by the ratio of their run medians.
func effect(a, b view.Stats) stats.Effect {
	return stats.CompareRatio(asRuns(a.RunMedians), asRuns(b.RunMedians))
}

// Guide computes the decision guide of a run.
func (d *Data) Guide(r *view.Run) *Guide {
	g := &Guide{Crossover: math.NaN(), CrossLo: math.NaN(), CrossHi: math.NaN(),
		CrossoverBare: math.NaN(), CrossBareLo: math.NaN(), CrossBareHi: math.NaN()}
	st := onlyRun(d.workload(bench.Startup), r)
	all := append(append(append(append([]*view.Cell(nil), st...), onlyRun(d.workload(bench.Pingpong), r)...), onlyRun(d.workload(bench.Stream), r)...), onlyRun(d.workload(bench.Pool), r)...)
	all = append(all, onlyRun(d.workload(bench.Gather), r)...)
	all = append(all, onlyRun(d.workload(bench.Memory), r)...)
	if len(all) == 0 {
		return g
	}
	g.Impl = guideImpl(all)
	cores := coresList(all)
	g.Cores = cores[len(cores)-1]
	g.Notes = append(g.Notes, fmt.Sprintf("Scope: impl=%s at cores=%d (the largest CPU set measured); costs are medians of per-run medians with 95%% CIs as [lo, hi]; "+
		"an option is chosen where the ratio of its run medians to the runner-up's (Hodges–Lehmann, 95%% CI) excludes 1 (a ratio whose CI lies inside [%.2f, %.2f] counts as equal first); "+
		"\"equal within ±%.0f%%\" where it does; \"not decided\" otherwise, with the runs that would decide (or the modes the runs split into); "+
		"\"no CI\" below %d runs.", g.Impl, g.Cores, 1-stats.EqualBand, 1+stats.EqualBand, stats.EqualBand*100, MinRuns))
	g.shortLived(d, r, st)
	g.bigParent(d, r, st)
	g.heavyMain(d, r)
	g.longLived(d, r)
	g.threads(r)
	g.messages(d, r)
	g.manyToOne(d, r)
	g.memoryRow(d, r)   // memory.go
	g.payloadRow(d, r)  // payload.go
	g.poolLifeRow(d, r) // poollife.go
	return g
}

// startJoin is the cost of one child: start-up + join of a startup cell.
func (d *Data) startJoin(c *view.Cell) view.Stats {
	if s, ok := d.sumStat(c, "ns/op", "join-ns/op"); ok {
		return s
	}
	if c != nil {
		return d.Stat(c, "ns/op")
	}
	return view.Summarize(nil)
}

func (g *Guide) shortLived(d *Data, r *view.Run, st []*view.Cell) {
	row := newRow(bench.QShortLived, "(cost of one child: start + join)")
	ic := view.Filter(st, func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	if len(ic) == 0 {
		return
	}
	rss0 := presentInts(ic, func(c bench.Cell) int64 { return c.RSS })[0]
	ch := prefer(present(bench.Chans, ic, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	opts, bare, preloaded := d.startOptions(r, bench.Cell{Workload: bench.Startup, Impl: g.Impl, Chan: ch, RSS: rss0, Cores: g.Cores})
	best, second, decided := pick(opts, false)
	if best == nil {
		return
	}
	// Coverage: in how many chan × cores cells (same rss) is best cheapest, decided by the ratio?
	wins, total, bareN := 0, 0, 0
	for _, k := range coresList(ic) {
		for _, c2 := range present(bench.Chans, ic, func(c bench.Cell) string { return c.Chan }) {
			o, b, _ := d.startOptions(r, bench.Cell{Workload: bench.Startup, Impl: g.Impl, Chan: c2, RSS: rss0, Cores: k})
			if len(o) < 2 {
				continue
			}
			total++
			if b {
				bareN++
			}
			if b, _, dec := pick(o, false); b != nil && b.label == best.label && dec {
				wins++
			}
		}
	}
	row.setChoice(best, second, decided)
	costs := []string{}
	for _, o := range sortedOpts(opts) {
		costs = append(costs, o.label+" "+ciText("ns/op", o.s))
	}
	row.Cost = strings.Join(costs, "; ") + ratioText(best, second, false) + fmt.Sprintf(" (chan=%s, parent rss=%s)", ch, sizeLabel(rss0))
	if bare {
		row.Cost = strings.Join(costs, "; ") + ratioText(best, second, false) +
			fmt.Sprintf(" (chan=%s, parent rss=%s; forkserver: nothing preloaded, what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1)", ch, sizeLabel(rss0))
		if preloaded != nil {
			row.Cost += "; forkserver with the main module's imports preloaded (`set_forkserver_preload`) " + ciText("ns/op", preloaded.s)
		}
	}
	row.Coverage = fmt.Sprintf("%s is cheapest (the ratio to the runner-up decides) in %d of %d channel × cores cells at rss=%s", best.label, wins, total, sizeLabel(rss0))
	switch {
	case bareN == total && bareN > 0:
		row.Coverage += " (forkserver: nothing preloaded)"
	case bareN > 0:
		row.Coverage += fmt.Sprintf(" (forkserver: nothing preloaded in %d of them, the main module preloaded in the other %d)", bareN, total-bareN)
	}
	if best.label == "fork" {
		row.Flip = "a big parent or threads in the parent (rows below)"
	}
	g.Rows = append(g.Rows, row)
}

// startOptions are the start methods of a start-up cell (base without its
// method) as options, each with its start + join: forkserver as users meet
// it — a server that preloads nothing (preload=none) — where the run has
// that cell (bare is true; preloaded is then the preloaded server's
// option, or nil), else the preloaded server of every run before the
// preload key.
func (d *Data) startOptions(r *view.Run, base bench.Cell) (opts []option, bare bool, preloaded *option) {
	for _, m := range bench.Methods {
		base.Method = m
		c := d.find(r, base)
		if m == "forkserver" {
			none := base
			none.Preload = bench.PreloadNone
			if cn := d.find(r, none); cn.Has("ns/op") {
				if c.Has("ns/op") {
					preloaded = &option{m, d.startJoin(c)}
				}
				c, bare = cn, true
			}
		}
		if c.Has("ns/op") {
			opts = append(opts, option{m, d.startJoin(c)})
		}
	}
	return opts, bare, preloaded
}

func sortedOpts(o []option) []option {
	out := append([]option(nil), o...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].s.Median < out[j].s.Median })
	return out
}

// bigParent locates the parent RSS at which fork's start+join overtakes
// forkserver's, by linear interpolation between the rss points of the
// sweep, with a bootstrap CI over per-run medians — for the preloaded
// fork server, and for one that preloads nothing where the run has its
// sweep.
func (g *Guide) bigParent(d *Data, r *view.Run, st []*view.Cell) {
	row := newRow(bench.QBigParent, "(memory touched before starting children)")
	ch := prefer(present(bench.Chans, st, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	fork := bench.Cell{Workload: bench.Startup, Impl: g.Impl, Method: bench.CrossoverMethods[0], Chan: ch, Cores: g.Cores}
	srv := fork
	srv.Method = bench.CrossoverMethods[1]
	cr := d.crossover(r, fork, srv)
	if len(cr.rss) < 2 {
		return
	}
	last := len(cr.rss) - 1
	a, b := cr.a[last], cr.b[last]
	row.Cost = fmt.Sprintf("at rss=%s: fork %s vs forkserver %s (chan=%s; %d rss points)", sizeLabel(cr.rss[last]), ciText("ns/op", a), ciText("ns/op", b), ch, len(cr.rss))
	g.Crossover, g.CrossLo, g.CrossHi = cr.x, cr.lo, cr.hi
	row.Choice, row.Answer = crossChoice(cr) // the answer: the preloaded server's crossover, every run has it
	row.Flip = crossFlip(cr)
	bare := srv
	bare.Preload = bench.PreloadNone
	crb := d.crossover(r, fork, bare)
	if len(crb.rss) >= 2 {
		lb := len(crb.rss) - 1
		row.Cost = fmt.Sprintf("at rss=%s: fork %s vs forkserver %s with the main module's imports preloaded, %s without (chan=%s, main=stub; %d and %d rss points)",
			sizeLabel(cr.rss[last]), ciText("ns/op", a), ciText("ns/op", b), ciText("ns/op", crb.b[lb]), ch, len(cr.rss), len(crb.rss))
		g.CrossoverBare, g.CrossBareLo, g.CrossBareHi = crb.x, crb.lo, crb.hi
		g.crossBare = crb
		if choice, _ := crossChoice(crb); choice != row.Choice {
			row.Choice = "with the main module's imports preloaded: " + row.Choice + "; with a fork server that preloads nothing: " + choice
		}
		row.Flip = crossFlip(cr) + " with `set_forkserver_preload` (the main module's imports preloaded); " + crossFlip(crb) +
			" with a fork server that preloads nothing (what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1); both at main=stub: heavier imports in the main module raise the bare forkserver's cost per child, and so its crossover"
	}
	g.Rows = append(g.Rows, row)
	g.crossNote(cr, "Crossover: fork's start+join equals forkserver's")
	if len(crb.rss) >= 2 {
		g.crossNote(crb, "Crossover without preload: fork's start+join equals that of a fork server that preloads nothing "+
			"(what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1; main=stub, chan="+ch+", cores="+fmt.Sprint(g.Cores)+")")
	}
}

// crossNote adds the note of a crossing: where, and how it was computed.
func (g *Guide) crossNote(cr crossing, what string) {
	switch {
	case !math.IsNaN(cr.x) && cr.minRuns < MinRuns:
		g.Notes = append(g.Notes, fmt.Sprintf("%s at a parent rss of %s "+
			"(linear interpolation between the %d rss points of the sweep; no bootstrap interval: a cell of the sweep has %s, fewer than %d).",
			what, mib(cr.x), len(cr.rss), plural(cr.minRuns, "run", "runs"), MinRuns))
	case !math.IsNaN(cr.x):
		g.Notes = append(g.Notes, fmt.Sprintf("%s at a parent rss of %s, 95%% bootstrap interval %s "+
			"(linear interpolation between the %d rss points of the sweep; %d bootstrap resamples of the per-run medians of each cell, %.0f%% of them cross inside the sweep).",
			what, mib(cr.x), crossCI(cr), len(cr.rss), bootN, cr.crossShare*100))
	}
}

// crossMedians is what the medians of a fork/forkserver sweep say: fork
// below the crossover and forkserver above, or one of them at every rss.
func crossMedians(cr crossing) string {
	switch last := len(cr.rss) - 1; {
	case !math.IsNaN(cr.x):
		return "`fork` below the crossover, `forkserver` above"
	case cr.a[last].Median < cr.b[last].Median:
		return "`fork` at every rss measured"
	}
	return "`forkserver` at every rss measured"
}

// crossChoice is the choice and answer of a fork/forkserver crossing, by
// the rule of every row of the guide: with fewer than MinRuns runs in a
// cell of the sweep, "no CI" and the medians' reading, not an answer. A
// crossover decides where it has a bootstrap interval; a sweep whose
// medians do not cross decides where the two methods' ratio of run medians
// decides (pick) at the end of the sweep where they would cross: the
// largest rss for fork, the smallest for forkserver.
func crossChoice(cr crossing) (string, Answer) {
	medians := crossMedians(cr)
	switch {
	case cr.minRuns < MinRuns:
		return fmt.Sprintf("no CI (a cell of the sweep has %s); by the medians: %s", plural(cr.minRuns, "run", "runs"), medians), Answer{}
	case !math.IsNaN(cr.x) && (math.IsNaN(cr.lo) || math.IsNaN(cr.hi)):
		return "not decided (its crossover has no bootstrap interval); by the medians: " + medians, Answer{}
	case !math.IsNaN(cr.x):
		return medians, chosen(medians)
	}
	i, opts := len(cr.rss)-1, []option{{"fork", cr.a[len(cr.rss)-1]}, {"forkserver", cr.b[len(cr.rss)-1]}}
	if medians != "`fork` at every rss measured" {
		i, opts = 0, []option{{"forkserver", cr.b[0]}, {"fork", cr.a[0]}}
	}
	if best, second, decided := pick(opts, false); !decided || best.label != opts[0].label {
		return fmt.Sprintf("by the medians: %s; at rss=%s: %s", medians, sizeLabel(cr.rss[i]), choose(best, second, decided)), Answer{}
	}
	return medians, chosen(medians)
}

// crossFlip is "parent rss ≈ 75 MiB [49, 95] MiB", or where the sweep
// ends without a crossover.
func crossFlip(cr crossing) string {
	switch {
	case !math.IsNaN(cr.x):
		return "parent rss ≈ " + mib(cr.x) + " " + crossCI(cr)
	case crossMedians(cr) == "`fork` at every rss measured":
		return fmt.Sprintf("no crossover up to rss=%s", sizeLabel(cr.rss[len(cr.rss)-1]))
	}
	return fmt.Sprintf("forkserver is cheaper already at rss=%s", sizeLabel(cr.rss[0]))
}

func mib(b float64) string {
	return sig3(b/(1<<20)) + " MiB"
}

// crossCI is a crossing's 95% bootstrap interval, "[49, 95] MiB", or
// why it has none.
func crossCI(cr crossing) string {
	switch {
	case cr.minRuns < MinRuns:
		return fmt.Sprintf("(no CI: a cell of the sweep has %s, fewer than %d)", plural(cr.minRuns, "run", "runs"), MinRuns)
	case math.IsNaN(cr.lo) || math.IsNaN(cr.hi):
		return "(no interval: too few runs or too few resamples cross)"
	}
	return "[" + sig3(cr.lo/(1<<20)) + ", " + sig3(cr.hi/(1<<20)) + "] MiB"
}

// crossing is the result of crossover.
type crossing struct {
	rss        []int64
	a, b       []view.Stats // start+join of method A and B at each rss
	x, lo, hi  float64      // crossover rss (bytes) and its 95% bootstrap interval; NaN: none
	crossShare float64      // share of bootstrap resamples that cross inside the sweep
	minRuns    int          // the fewest runs of a cell of the sweep (no bootstrap below MinRuns)
}

const bootN = 2000

// crossover finds where cell a's start+join rises above cell b's over
// the parent rss (a and b: start-up cells without their rss).
func (d *Data) crossover(r *view.Run, a, b bench.Cell) crossing {
	cr := crossing{x: math.NaN(), lo: math.NaN(), hi: math.NaN()}
	var runsA, runsB [][]float64
	for _, rss := range presentInts(onlyRun(d.anyProgram(bench.Startup), r), func(c bench.Cell) int64 { return c.RSS }) {
		a.RSS, b.RSS = rss, rss
		ca, cb := d.find(r, a), d.find(r, b)
		if !ca.Has("ns/op") || !cb.Has("ns/op") {
			continue
		}
		sa, sb := d.startJoin(ca), d.startJoin(cb)
		cr.rss = append(cr.rss, rss)
		cr.a, cr.b = append(cr.a, sa), append(cr.b, sb)
		runsA, runsB = append(runsA, sa.RunMedians), append(runsB, sb.RunMedians)
		if m := min(sa.Runs, sb.Runs); len(cr.rss) == 1 || m < cr.minRuns {
			cr.minRuns = m
		}
	}
	if len(cr.rss) < 2 {
		return cr
	}
	med := func(s []view.Stats) []float64 {
		out := make([]float64, len(s))
		for i := range s {
			out[i] = s[i].Median
		}
		return out
	}
	cr.x = crossAt(cr.rss, med(cr.a), med(cr.b))
	if cr.minRuns < MinRuns {
		return cr // resamples of so few runs give no interval
	}
	// Bootstrap: resample each cell's per-run medians, take the median.
	rng := rand.New(rand.NewSource(1))
	var xs []float64
	ya, yb := make([]float64, len(cr.rss)), make([]float64, len(cr.rss))
	res := func(v []float64) float64 {
		s := make([]float64, len(v))
		for i := range s {
			s[i] = v[rng.Intn(len(v))]
		}
		return median(s)
	}
	for i := 0; i < bootN; i++ {
		for j := range cr.rss {
			ya[j], yb[j] = res(runsA[j]), res(runsB[j])
		}
		if x := crossAt(cr.rss, ya, yb); !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	cr.crossShare = float64(len(xs)) / bootN
	if len(xs) >= bootN*95/100 {
		sort.Float64s(xs)
		cr.lo, cr.hi = xs[int(0.025*float64(len(xs)))], xs[int(math.Ceil(0.975*float64(len(xs))))-1]
	}
	return cr
}

// crossAt is the first rss where a−b changes sign from ≤ 0 to > 0,
// interpolated linearly; NaN when a stays below or starts above b.
func crossAt(rss []int64, a, b []float64) float64 {
	if a[0]-b[0] > 0 {
		return math.NaN()
	}
	for i := 1; i < len(rss); i++ {
		d0, d1 := a[i-1]-b[i-1], a[i]-b[i]
		if d0 <= 0 && d1 > 0 {
			x0, x1 := float64(rss[i-1]), float64(rss[i])
			return x0 + (x1-x0)*(-d0)/(d1-d0)
		}
	}
	return math.NaN()
}

// poolCells are the pool cells of an impl at cores, task=cpu, exec=loop
// (or no exec key), at the largest workers ≤ cores.
func (d *Data) poolAt(r *view.Run, impl string, cores int, exec string) []*view.Cell {
	pc := view.Filter(onlyRun(d.workload(bench.Pool), r), func(c bench.Cell) bool {
		return c.Impl == impl && c.Cores == cores && c.Task == bench.DecisionTask
	})
	var out []*view.Cell
	for _, c := range pc {
		if e := c.Get("exec"); e == exec || (e == "" && exec == "loop") {
			out = append(out, c)
		}
	}
	best := 0
	for _, c := range out {
		if c.Cell.Workers <= cores && c.Cell.Workers > best {
			best = c.Cell.Workers
		}
	}
	return view.Select(out, func(c *view.Cell) bool { return c.Cell.Workers == best })
}

// longLived is the pool row. Its workers report ready before the timed
// map, so the makespans of the executors cannot show the start method:
// the row answers with the start method's cost per worker (start + join
// of a start-up cell, chan=DecisionChan, rss=0), stated in maps of the
// best executor's size; the executors and channels of the map follow,
// compared as every row compares options.
func (g *Guide) longLived(d *Data, r *view.Run) {
	row := newRow(bench.QLongLived, "(a pool map of CPU tasks)")
	opts, cells := g.poolOptions(d, r)
	best, second, decided := pick(opts, false)
	if best == nil {
		return
	}
	c0 := cells[0].Cell
	execChoice := choose(best, second, decided)
	if !decided && second != nil {
		eq, open := 0, 0
		for _, o := range opts {
			if o.label == best.label {
				continue
			}
			switch effect(o.s, best.s).Outcome {
			case stats.Equal:
				eq++
			case stats.Undecided, stats.NoCI:
				open++
			}
		}
		execChoice += fmt.Sprintf(" (of the %d other options, %d equal the best within ±%.0f%%, %d are not decided against it)", len(opts)-1, eq, stats.EqualBand*100, open)
	}
	makespan := fmt.Sprintf("a map: makespan %s for %d tasks on %d workers (%s)", ciText("ns/op", best.s), c0.Tasks, c0.Workers, best.label)
	for _, c := range cells {
		if d.Stat(c, "ns/op").Median == best.s.Median && c.Has("efficiency") {
			makespan += ", efficiency " + ciText("efficiency", d.Stat(c, "efficiency"))
			break
		}
	}
	starts, ref := d.workerStarts(r, g.Impl, g.Cores)
	sb, ss, sdec := pick(starts, false)
	if sb == nil {
		row.setChoice(best, second, decided)
		row.Cost, row.Flip = makespan, "—"
		g.Rows = append(g.Rows, row)
		return
	}
	var costs []string
	for _, o := range starts {
		costs = append(costs, o.label+" "+ciText("ns/op", o.s))
	}
	row.setChoice(sb, ss, sdec)
	row.Choice += "; the start method shows in the pool's start, not its maps (workers report ready before the timed map)"
	if ref != nil {
		row.Choice += ": " + d.startsInMaps(starts, ref)
	}
	row.Choice += ". Executor and channel of the map: " + execChoice
	row.Cost = fmt.Sprintf("a worker's start+join (one Process, chan=%s, rss=0: the start-up cells, not a pool): %s%s; %s", bench.DecisionChan, strings.Join(costs, "; "), ratioText(sb, ss, false), makespan)
	row.Flip = "workers start once per pool: a pool that lives for a few maps pays the start method's cost, one that lives long amortises it"
	g.Rows = append(g.Rows, row)
}

// poolOptions are the pool cells of the decision executors at the guide's
// cores (poolAt) as options, labelled by method, channel and executor.
func (g *Guide) poolOptions(d *Data, r *view.Run) ([]option, []*view.Cell) {
	var opts []option
	var cells []*view.Cell
	for _, exec := range bench.DecisionExecs {
		for _, c := range d.poolAt(r, g.Impl, g.Cores, exec) {
			if !c.Has("ns/op") {
				continue
			}
			lab := "`" + c.Cell.Method + "`"
			if c.Cell.Chan != "" && c.Get("exec") != "pool" && !strings.HasPrefix(c.Get("exec"), "ppe") && !strings.HasPrefix(c.Get("exec"), "loky") {
				lab += " + " + c.Cell.Chan
			}
			if e := c.Get("exec"); e != "" {
				lab += " (exec=" + e + ")"
			}
			opts = append(opts, option{lab, d.Stat(c, "ns/op")})
			cells = append(cells, c)
		}
	}
	return opts, cells
}

// c7Tally counts the trials of claim C7 of one start method and how many
// of them deadlocked.
type c7Tally struct{ dead, n int }

// c7Trials reads claim C7 (fork while another thread holds a lock) from
// claims.bench in the run folder, if `mpbench claims` wrote one: held
// are the trials with a lock held at fork time (case=held, or no case
// key), real those with a thread taking the lock in a loop, by method.
func c7Trials(r *view.Run) (held, real map[string]*c7Tally) {
	held, real = map[string]*c7Tally{}, map[string]*c7Tally{}
	cr := claimsRun(r)
	if cr == nil {
		return held, real
	}
	for _, c := range cr.Cells {
		if !strings.HasPrefix(c.Name, "Claim/id=C7/") {
			continue
		}
		into := held
		switch c.Get("case") {
		case "", "held":
		case "real":
			into = real
		default:
			continue // controls
		}
		m := c.Get("method")
		for _, v := range c.Values("deadlock") {
			if into[m] == nil {
				into[m] = &c7Tally{}
			}
			into[m].n++
			if v > 0 {
				into[m].dead++
			}
		}
	}
	return held, real
}

// threads is the row of a parent with threads (claim C7).
func (g *Guide) threads(r *view.Run) {
	row := newRow(bench.QThreads, "")
	t, real := c7Trials(r)
	if len(t) == 0 {
		row.Choice = "not measured in this run"
		row.Cost = "— (claim C7 of `mpbench claims` measures it; no claims.bench here)"
		row.Flip = "—"
		g.Rows = append(g.Rows, row)
		return
	}
	var parts []string
	forkDead := false
	for _, m := range bench.Methods {
		if x := t[m]; x != nil {
			parts = append(parts, fmt.Sprintf("%s child deadlocked in %d of %d trials", m, x.dead, x.n))
			if m == "fork" && x.dead > 0 {
				forkDead = true
			}
		}
	}
	if forkDead {
		row.Choice = "not `fork`: `forkserver` or `spawn`"
	} else {
		row.Choice = "no start method deadlocked in the trials"
	}
	row.Answer = chosen(row.Choice)
	row.Cost = "with a lock held at fork time by construction (claim C7): " + strings.Join(parts, "; ")
	if x := real["fork"]; x != nil {
		row.Cost = fmt.Sprintf("with a thread taking the lock in a loop, fork deadlocked in %d of %d (%s); ", x.dead, x.n, rateCI(x)) + row.Cost
	}
	row.Flip = "only when no thread can hold a lock at fork time (no threads started before the children)"
	g.Rows = append(g.Rows, row)
}

// rateCI is a deadlock rate with its 95% Wilson interval: "97% [89, 99]%".
func rateCI(x *c7Tally) string {
	lo, hi := stats.Wilson(x.dead, x.n)
	return fmt.Sprintf("%.0f%% [%.0f, %.0f]%%, 95%% Wilson interval", 100*float64(x.dead)/float64(x.n), 100*lo, 100*hi)
}

// claimsRun loads claims.bench of a run folder (nil when absent).
func claimsRun(r *view.Run) *view.Run {
	if !r.Claims || r.Dir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(r.Dir, "claims.bench"))
	if err != nil {
		return nil
	}
	cr, err := view.Parse(data, "claims.bench")
	if err != nil {
		return nil
	}
	return cr
}

func (g *Guide) messages(d *Data, r *view.Run) {
	g.smallMessages(d, r)
	g.largeMessages(d, r)
}

// smallMessages is the ping-pong row: the channels at the smallest size
// and the decision method; a lead that rests on the modes of a cell's runs
// is not decided (pick), and the coverage names the method × cores cells
// where another channel wins.
func (g *Guide) smallMessages(d *Data, r *view.Run) {
	pp := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	if len(pp) == 0 {
		return
	}
	size := presentInts(pp, func(c bench.Cell) int64 { return c.Size })[0]
	m := prefer(present(bench.Methods, pp, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	row := newRow(bench.QSmallMessages, fmt.Sprintf("(%s round trip)", sizeLabel(size)))
	opts := d.chanOptions(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: m, Size: size, Cores: g.Cores}, "ns/op")
	best, second, decided := pick(opts, false)
	if best == nil {
		return
	}
	wins, total := 0, 0
	var others []string
	for _, k := range coresList(pp) {
		for _, mm := range present(bench.Methods, pp, func(c bench.Cell) string { return c.Method }) {
			o := d.chanOptions(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: mm, Size: size, Cores: k}, "ns/op")
			if len(o) < 2 {
				continue
			}
			total++
			b, _, dec := pick(o, false)
			switch {
			case b != nil && b.label == best.label && dec:
				wins++
			case b != nil && dec:
				others = append(others, fmt.Sprintf("%s at method=%s, cores=%d", b.label, mm, k))
			}
		}
	}
	row.setChoice(best, second, decided)
	row.Choice = chooseIn("ns/op", best, second, decided)
	row.Cost = fmt.Sprintf("method=%s, cores=%d: %s %s%s", m, g.Cores, rttName("ns/op"), versus(best, second, "ns/op"), ratioText(best, second, false))
	row.Coverage = fmt.Sprintf("%s is fastest (the ratio to the runner-up decides, in every mode) in %d of %d method × cores cells at %s", best.label, wins, total, sizeLabel(size))
	if len(others) > 0 {
		row.Coverage += "; faster: " + strings.Join(others, "; ")
	}
	g.Rows = append(g.Rows, row)
}

// largeMessages is the stream row: the channels at the largest size, the
// leader at each size (leadOf, as the stream table of the evaluation
// shows it), the size from which the best leads at every larger size, and
// shm's throughput at the largest size against its peak.
func (g *Guide) largeMessages(d *Data, r *view.Run) {
	sc := view.Filter(onlyRun(d.workload(bench.Stream), r), func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	if len(sc) == 0 {
		return
	}
	sizes := presentInts(sc, func(c bench.Cell) int64 { return c.Size })
	methods := present(bench.Methods, sc, func(c bench.Cell) string { return c.Method })
	m := prefer(methods, bench.DecisionMethod)
	big := sizes[len(sizes)-1]
	row := newRow(bench.QLargeMessages, fmt.Sprintf("(stream, up to %s)", sizeLabel(big)))
	at := func(size int64) []option {
		return d.chanOptions(r, bench.Cell{Workload: bench.Stream, Impl: g.Impl, Method: m, Size: size, Cores: g.Cores}, "MB/s")
	}
	best, second, decided := pick(at(big), true)
	if best == nil {
		return
	}
	row.setChoice(best, second, decided)
	row.Choice = chooseIn("MB/s", best, second, decided)
	row.Cost = fmt.Sprintf("method=%s, cores=%d, at %s: %s%s", m, g.Cores, sizeLabel(big), versus(best, second, "MB/s"), ratioText(best, second, true))
	leads := make([]string, len(sizes))
	for i, sz := range sizes {
		leads[i] = leadOf(at(sz), true)
	}
	// from: the smallest size from which best leads at every larger size.
	from := int64(-1)
	for i := len(sizes) - 1; i >= 0 && leads[i] == code(best.label); i-- {
		from = sizes[i]
	}
	perSize := fmt.Sprintf("the leader by size (method=%s, cores=%d; the ratio to the runner-up decides): %s", m, g.Cores, sizeRuns(sizes, leads))
	if from < 0 {
		row.Flip = perSize
		row.table = joinNonEmpty(perSize, g.shmDrop(d, r, m, sizes))
		g.Rows = append(g.Rows, row)
		return
	}
	wins, total := 0, 0
	for _, k := range coresList(sc) {
		for _, mm := range methods {
			for _, sz := range sizes {
				o := d.chanOptions(r, bench.Cell{Workload: bench.Stream, Impl: g.Impl, Method: mm, Size: sz, Cores: k}, "MB/s")
				if sz < from || len(o) < 2 {
					continue
				}
				total++
				if leadOf(o, true) == code(best.label) {
					wins++
				}
			}
		}
	}
	row.Flip = perSize
	row.Coverage = fmt.Sprintf("at ≥ %s %s leads (the ratio decides) in %d of %d method × cores × size cells", sizeLabel(from), best.label, wins, total)
	row.table = joinNonEmpty(perSize, row.Coverage, g.shmDrop(d, r, m, sizes))
	g.Rows = append(g.Rows, row)
}

// joinNonEmpty joins the non-empty parts with "; ".
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// leadOf is the leader of one size as the tables state it: the best
// option in code where pick decides, "no CI" below MinRuns runs, "not
// decided" where the runs do not decide, "—" without options.
func leadOf(opts []option, higher bool) string {
	best, second, decided := pick(opts, higher)
	switch {
	case best != nil && decided:
		return code(best.label)
	case second != nil && effect(best.s, second.s).Outcome == stats.NoCI:
		return "no CI"
	case best != nil:
		return "not decided"
	}
	return "—"
}

// sizeRuns groups adjacent sizes of the same leader: "64B–4KiB not
// decided, 64KiB–16MiB `shm`".
func sizeRuns(sizes []int64, leads []string) string {
	var parts []string
	for i := 0; i < len(sizes); {
		j := i
		for j+1 < len(sizes) && leads[j+1] == leads[i] {
			j++
		}
		span := sizeLabel(sizes[i])
		if j > i {
			span += "–" + sizeLabel(sizes[j])
		}
		parts = append(parts, span+" "+leads[i])
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// shmDrop is shm's throughput at the largest size against its peak (the
// ratio of run medians with its CI), where the peak lies at a smaller
// size; shm is named as this project's own ring, not a stdlib channel.
func (g *Guide) shmDrop(d *Data, r *view.Run, m string, sizes []int64) string {
	const what = "shm is this project's own ring over shared_memory (impl/python/driver.py), not a channel of the standard library"
	at := func(size int64) view.Stats {
		return d.Stat(d.find(r, bench.Cell{Workload: bench.Stream, Impl: g.Impl, Method: m, Chan: "shm", Size: size, Cores: g.Cores}), "MB/s")
	}
	big := sizes[len(sizes)-1]
	s := at(big)
	peak, peakAt := view.Stats{}, int64(0)
	for _, size := range sizes {
		if x := at(size); x.N > 0 && x.Median > peak.Median {
			peak, peakAt = x, size
		}
	}
	if peak.N == 0 {
		return ""
	}
	if s.N == 0 || peakAt == big {
		return what
	}
	return fmt.Sprintf("%s; its throughput falls from %s at %s to %s at %s (%s/%s = %s)", what, plain("MB/s", peak), sizeLabel(peakAt),
		plain("MB/s", s), sizeLabel(big), sizeLabel(peakAt), sizeLabel(big), ratioCI(peak, s))
}

func (g *Guide) manyToOne(d *Data, r *view.Run) {
	row := newRow(bench.QManyToOne, "(workers sending results to one parent)")
	if g.gatherRow(d, r, &row) {
		g.Rows = append(g.Rows, row)
		return
	}
	cells := d.poolAt(r, g.Impl, g.Cores, "loop")
	m := prefer(present(bench.Methods, cells, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	var opts []option
	var c0 *view.Cell
	for _, c := range cells {
		if c.Cell.Method == m && c.Has("ns/op") {
			opts = append(opts, option{c.Cell.Chan, d.Stat(c, "ns/op")})
			c0 = c
		}
	}
	best, second, decided := pick(opts, false)
	if best == nil || second == nil {
		if len(onlyRun(d.workload(bench.Pool), r)) > 0 {
			row.Choice = "not measured in this run"
			row.Cost = fmt.Sprintf("— (no hand-written worker loop over two or more channels for %s at cores=%d: the pool cells use an executor, which picks its own channel)", g.Impl, g.Cores)
			row.Flip = "—"
			g.Rows = append(g.Rows, row)
		}
		return
	}
	row.setChoice(best, second, decided)
	row.Cost = fmt.Sprintf("pool makespan (%d tasks, %d workers, method=%s): %s%s", c0.Cell.Tasks, c0.Cell.Workers, m,
		versus(best, second, "ns/op"), ratioText(best, second, false))
	row.Flip = "Pipe is point-to-point (one pipe per worker); Queue/SimpleQueue take many writers on one object"
	g.Rows = append(g.Rows, row)
}

// gatherRow answers the many-to-one row from the gather cells of the run
// (impl, cores = g.Cores, the decision method where measured): the
// channels compared by messages/s at the smallest size and the largest
// worker count ≤ cores, and at every other size the same workers; false
// when the run has no such cells with samples (the row then reads the
// pool's worker loops).
func (g *Guide) gatherRow(d *Data, r *view.Run, row *GuideRow) bool {
	gc := view.Filter(onlyRun(d.workload(bench.Gather), r), func(c bench.Cell) bool {
		return c.Impl == g.Impl && c.Cores == g.Cores && c.Workers <= g.Cores
	})
	gc = view.Select(gc, func(c *view.Cell) bool { return c.Has("msgs/s") })
	if len(gc) == 0 {
		return false
	}
	m := prefer(present(bench.Methods, gc, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	gc = view.Select(gc, func(c *view.Cell) bool { return c.Cell.Method == m })
	workers := 0
	for _, c := range gc {
		workers = max(workers, c.Cell.Workers)
	}
	sizes := presentInts(gc, func(c bench.Cell) int64 { return c.Size })
	options := func(size int64) []option {
		return d.chanOptions(r, bench.Cell{Workload: bench.Gather, Impl: g.Impl, Method: m, Workers: workers, Size: size, Cores: g.Cores}, "msgs/s")
	}
	best, second, decided := pick(options(sizes[0]), true)
	if best == nil || second == nil {
		return false
	}
	row.setChoice(best, second, decided)
	row.Cost = fmt.Sprintf("messages received per second at %s, %d workers (method=%s): %s%s", sizeLabel(sizes[0]), workers, m,
		versus(best, second, "msgs/s"), ratioText(best, second, true))
	var parts []string
	for _, sz := range sizes[1:] {
		o := options(sz)
		if b, s, dec := pick(o, true); b != nil && s != nil {
			parts = append(parts, fmt.Sprintf("at %s: %s (%s)", sizeLabel(sz), choose(b, s, dec), versus(b, s, "msgs/s")))
		}
	}
	row.Flip = "Pipe is point-to-point (one pipe per worker, the parent waits on all); Queue/SimpleQueue take many writers on one object"
	if len(parts) > 0 {
		row.Flip = strings.Join(parts, "; ") + ". " + row.Flip
	}
	return true
}

// Markdown writes the guide as a table and its notes.
func (g *Guide) Markdown(w io.Writer) {
	if len(g.Rows) == 0 {
		fmt.Fprintln(w, "No start-up, ping-pong, stream or pool cells with samples: nothing to decide from.")
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "| situation | choose | measured cost, median [95% CI] | the choice flips when / coverage |")
	fmt.Fprintln(w, "|:--|:--|:--|:--|")
	esc := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, r := range g.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", esc(r.Situation), esc(r.Choice), esc(r.Cost), esc(r.column()))
	}
	fmt.Fprintln(w)
	for _, n := range g.Notes {
		fmt.Fprintln(w, n)
		fmt.Fprintln(w)
	}
}

// column is the table's last column: the coverage, then the flip.
func (r GuideRow) column() string {
	if r.table != "" {
		return r.table
	}
	var parts []string
	for _, s := range []string{r.Coverage, r.Flip} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// choose is the choice text: the best option when the ratio decides;
// otherwise why not — equal within ±5%, runs that split into modes, a
// ratio CI too wide (with the runs that would decide), too few runs for
// a CI, or only one option measured.
func choose(best, second *option, decided bool) string {
	return chooseIn("", best, second, decided)
}

// chooseIn is choose with the modes of a split stated in unit (none when
// unit is empty).
func chooseIn(unit string, best, second *option, decided bool) string {
	switch {
	case decided:
		return code(best.label)
	case second == nil:
		return fmt.Sprintf("only %s was measured: nothing to compare", code(best.label))
	}
	e := effect(best.s, second.s)
	pair := code(best.label) + " and " + code(second.label)
	switch {
	case e.Outcome == stats.Equal:
		return fmt.Sprintf("equal within ±%.0f%%: %s", stats.EqualBand*100, pair)
	case e.Outcome == stats.NoCI:
		return fmt.Sprintf("no CI (%d and %d runs): %s", e.RunsA, e.RunsB, pair)
	case len(best.s.Modes) > 0 || len(second.s.Modes) > 0:
		out := "not decided: " + modeSplit(unit, best, second)
		if e.Outcome == stats.Less || e.Outcome == stats.Greater {
			out += fmt.Sprintf(" — the ratio of run medians favours %s, but not in every mode", code(best.label))
		}
		return out
	}
	return fmt.Sprintf("not decided between %s: needs about %d runs each", pair, e.NeedRuns)
}

// code is label as inline code, unless it already holds some.
func code(label string) string {
	if strings.Contains(label, "`") {
		return label
	}
	return "`" + label + "`"
}

// modeSplit names the options whose runs fall into two or more modes:
// "`a`'s runs split into 2 modes (see its cost)", or with a unit "`a`
// splits into modes 13.7 µs (4 of 6 runs) / 48.3 µs (2 of 6 runs)".
func modeSplit(unit string, opts ...*option) string {
	var parts []string
	for _, o := range opts {
		if len(o.s.Modes) == 0 {
			continue
		}
		if unit == "" {
			parts = append(parts, fmt.Sprintf("%s's runs split into %d modes", code(o.label), len(o.s.Modes)))
			continue
		}
		var ms []string
		for _, m := range o.s.Modes {
			ms = append(ms, fmt.Sprintf("%s (%d of %d runs)", bench.Format(unit, m.Median), m.Runs, o.s.Runs))
		}
		parts = append(parts, code(o.label)+" splits into modes "+strings.Join(ms, " / "))
	}
	if unit == "" {
		return strings.Join(parts, ", ") + " (see its cost)"
	}
	return strings.Join(parts, "; ")
}

// ratioText is "best 2.31× faster [2.10, 2.52]" (the ratio of run
// medians with its 95% CI; throughput: higher is faster), or "" when
// there is no second option or no CI.
func ratioText(best, second *option, higher bool) string {
	if second == nil {
		return ""
	}
	e := effect(second.s, best.s)
	if higher {
		e = effect(best.s, second.s)
	}
	if e.Outcome == stats.NoCI {
		return ""
	}
	return fmt.Sprintf("; %s/%s = %s× [%s, %s]", second.label, best.label, sig3(e.Ratio), sig3(e.Lo), sig3(e.Hi))
}

// versus is "a 1.2 ms [..] vs b 3.4 ms [..]" (or just a when alone).
func versus(best, second *option, unit string) string {
	out := best.label + " " + ciText(unit, best.s)
	if second != nil {
		out += " vs " + second.label + " " + ciText(unit, second.s)
	}
	return out
}

// chanOptions are the channels of one cell (base with its Chan unset) that
// have samples of unit, as options for pick.
func (d *Data) chanOptions(r *view.Run, base bench.Cell, unit string) []option {
	var o []option
	for _, ch := range bench.Chans {
		base.Chan = ch
		if c := d.find(r, base); c.Has(unit) {
			o = append(o, option{ch, d.Stat(c, unit)})
		}
	}
	return o
}
