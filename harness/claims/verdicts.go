package claims

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// Verdict kinds.
const (
	Confirmed  = "confirmed"
	Refuted    = "refuted"
	Partly     = "partly"
	Untestable = "untestable"
	Failed     = "failed"       // the experiment did not produce what the verdict needs
	NotRun     = "not measured" // claims.bench holds nothing for the claim
)

// verdict is the outcome of one claim: its kind, why (the conditions, in
// one paragraph), and the numbers behind it.
type verdict struct {
	kind  string
	why   string
	rows  []row
	extra string // markdown shown after the numbers (e.g. a size sweep)
	parts []part // separate verdicts of a claim with several statements (C1)
}

// part is the verdict on one statement of a claim, by its own rule.
type part struct{ name, kind, rule, why string }

// combine is the kind of a claim made of parts: confirmed when every part
// is, refuted when every part is, partly otherwise.
func combine(parts []part) string {
	n := map[string]int{}
	for _, p := range parts {
		n[p.kind]++
	}
	switch {
	case n[Confirmed] == len(parts):
		return Confirmed
	case n[Refuted] == len(parts):
		return Refuted
	}
	return Partly
}

// row is one line of a claim's numbers table.
type row struct{ what, value, ci, n string }

func statRow(what string, s stat) row {
	return row{what, bench.Format(unitText(s.unit), s.med), fmtCI(s), strconv.Itoa(s.n)}
}

func countRow(what string, s stat) row {
	return row{what, s.count(), "", strconv.Itoa(s.samples)}
}

// missing is the verdict when the needed data is absent.
func missing(what string) verdict { return verdict{kind: Failed, why: "missing measurement: " + what} }

// Thresholds of the verdicts (documented here, used below).
const (
	// flatGrowth: a start-up whose median at rss=1GiB is below 1.5× its
	// median at rss=0 counts as flat (C2).
	flatGrowth = 1.5
	// c1Lo, c1Hi: the guide's "slightly slower" (살짝, line 68) read as a
	// band of spawn / fork start-up: at least 10% slower (measurably), at
	// most 3×; its "rather slow" (line 228) as beyond that band.
	c1Lo, c1Hi = 1.1, 3.0
	// c5Slower: Queue's 64 B round trip must exceed SimpleQueue's by this
	// factor (CIs apart) for the feeder thread to count as a measurable
	// cost (C5).
	c5Slower = 1.1
	// c4Factor: shared memory "avoids the cost" at a size when the pickled
	// Queue is slower by this factor with non-overlapping CIs (C4).
	c4Factor = 2.0
	// c13MaxEfficiency: a CPU-bound pool map cannot beat its ideal
	// makespan by more than noise (15%) unless the busy loop ran faster
	// than calibrated (a machine whose load changes).
	c13MaxEfficiency = 1.15
)

var startupMethods = []string{"spawn", "forkserver", "fork"}

// ruleC1Order, ruleC1Rather and ruleC1Slightly are C1's three rules:
// the order, and the magnitude read from each of the guide's two words.
var (
	ruleC1Order    = "order: confirmed when spawn is slower than both fork and forkserver (non-overlapping 95% CIs) — line 228 names both, line 68 fork; refuted when spawn is faster than either (CIs apart); partly otherwise. The guide does not rank forkserver against fork (line 65 calls it minor): that step is reported, not judged. forkserver is the fork server that preloads nothing (preload=none, what a program without set_forkserver_preload gets) where measured, the preloaded one otherwise."
	ruleC1Rather   = fmt.Sprintf("magnitude, \"rather slow compared to fork or forkserver\" (line 228): confirmed when spawn takes ≥ %.0f× both fork and forkserver (CIs apart: more than a slight difference); refuted when it takes < %.1f× either; partly otherwise.", c1Hi, c1Lo)
	ruleC1Slightly = fmt.Sprintf("magnitude, \"살짝 느리다\" = slightly slower than fork (line 68): confirmed when spawn / fork lies within [%.1f, %.0f]× with CIs apart; refuted when it exceeds %.0f× (CIs apart) or spawn is faster than fork (CIs apart); partly otherwise.", c1Lo, c1Hi, c1Hi)
)

// ruleC1 is C1's rule: its three parts and how they combine.
var ruleC1 = "three parts, each by its own rule; the claim is confirmed when every part is, refuted when every part is, partly otherwise. " +
	ruleC1Order + " " + ruleC1Rather + " " + ruleC1Slightly

// verdictC1 decides C1 by ruleC1: a part each by ruleC1Order, ruleC1Rather
// and ruleC1Slightly, combined (combine).
func verdictC1(d *claimData) verdict {
	st := map[string]stat{}
	var v verdict
	bare, hasBare := d.stat("ns/op", "workload", bench.Startup, "method", "forkserver", "preload", bench.PreloadNone, "main", "", "rss", "0")
	for _, m := range startupMethods {
		s, ok := d.stat("ns/op", "workload", bench.Startup, "method", m, "preload", "", "main", "", "rss", "0")
		if !ok {
			return missing("startup rss=0 method=" + m)
		}
		st[m] = s
		if m == "forkserver" && hasBare {
			v.rows = append(v.rows, statRow("start → first message, method=forkserver, nothing preloaded (no set_forkserver_preload, before CPython 3.13.8 / 3.14.1)", bare),
				statRow("start → first message, method=forkserver, the main module's imports preloaded (set_forkserver_preload)", s))
			continue
		}
		v.rows = append(v.rows, statRow("start → first message, method="+m, s))
	}
	preloaded := ""
	if hasBare {
		preloaded = fmt.Sprintf(" (forkserver preloading nothing; with the main module's imports preloaded it takes %.1f× fork)", ratio(st["forkserver"], st["fork"]))
		st["forkserver"] = bare
	}
	sp, fs, fk := st["spawn"], st["forkserver"], st["fork"]
	mag := fmt.Sprintf("spawn takes %.1f× fork and %.1f× forkserver; forkserver takes %.1f× fork", ratio(sp, fk), ratio(sp, fs), ratio(fs, fk)) + preloaded
	v.parts = []part{c1Order(sp, fs, fk), c1Rather(sp, fs, fk), c1Slightly(sp, fk)}
	v.kind = combine(v.parts)
	v.why = "Medians: " + mag + "."
	return v
}

// c1Order is C1's order part (ruleC1Order).
func c1Order(sp, fs, fk stat) part {
	p := part{name: "order", rule: ruleC1Order}
	step := "forkserver vs fork (not judged): "
	switch {
	case below(fk, fs):
		step += "forkserver is slower (CIs apart)."
	case below(fs, fk):
		step += "forkserver is faster (CIs apart)."
	default:
		step += "not separated (overlapping CIs)."
	}
	switch {
	case below(sp, fk) || below(sp, fs):
		p.kind, p.why = Refuted, "spawn is faster than fork or forkserver (CIs apart). "+step
	case below(fk, sp) && below(fs, sp):
		p.kind, p.why = Confirmed, "spawn is slower than fork and than forkserver (CIs apart). "+step
	default:
		p.kind, p.why = Partly, "spawn is not separated from fork or forkserver (overlapping CIs). "+step
	}
	return p
}

// c1Rather is C1's magnitude part for "rather slow" (ruleC1Rather).
func c1Rather(sp, fs, fk stat) part {
	p := part{name: "magnitude, \"rather slow\" (line 228)", rule: ruleC1Rather}
	rk, rs := ratio(sp, fk), ratio(sp, fs)
	txt := fmt.Sprintf("spawn / fork %.1f×, spawn / forkserver %.1f×", rk, rs)
	switch {
	case rk >= c1Hi && rs >= c1Hi && below(fk, sp) && below(fs, sp):
		p.kind, p.why = Confirmed, txt+": rather slow, as line 228 says."
	case rk < c1Lo || rs < c1Lo:
		p.kind, p.why = Refuted, txt+": hardly slower than one of them."
	default:
		p.kind, p.why = Partly, txt+": slower, but not by that margin against both (or CIs overlap)."
	}
	return p
}

// c1Slightly is C1's magnitude part for "살짝" (ruleC1Slightly).
func c1Slightly(sp, fk stat) part {
	p := part{name: "magnitude, \"살짝\" = slightly (line 68)", rule: ruleC1Slightly}
	r := ratio(sp, fk)
	txt := fmt.Sprintf("spawn / fork %.1f×", r)
	switch {
	case below(fk, sp) && r >= c1Lo && r <= c1Hi:
		p.kind, p.why = Confirmed, txt+": slightly slower, as line 68 says."
	case (below(fk, sp) && r > c1Hi) || below(sp, fk):
		p.kind, p.why = Refuted, txt+": not \"slightly\" — far more (or spawn is the faster)."
	default:
		p.kind, p.why = Partly, txt+": not separated from fork, or barely slower."
	}
	return p
}

// ruleC2 is C2's rule.
var ruleC2 = fmt.Sprintf("confirmed when fork is the fastest start method (non-overlapping 95%% CIs) at every parent RSS measured; partly when it is the fastest at the smallest RSS but not at every RSS (named), or not separated even there; refuted when it is clearly slower than another method at the smallest RSS. Each method's growth from the smallest to the largest RSS is reported (flat: below %.1f×).", flatGrowth)

// verdictC2 decides C2 by ruleC2.
func verdictC2(d *claimData) verdict {
	var v verdict
	rssVals := d.values("rss", "workload", bench.Startup)
	if len(rssVals) < 2 {
		return missing("startup cells at two or more rss values")
	}
	sortSizes(rssVals)
	get := func(m, rss string) (stat, bool) {
		return d.stat("ns/op", "workload", bench.Startup, "method", m, "rss", rss)
	}
	fastestAt := map[string]bool{}
	for _, rss := range rssVals {
		for _, m := range []string{"fork", "forkserver", "spawn"} {
			if s, ok := get(m, rss); ok {
				v.rows = append(v.rows, statRow("rss="+rss+", method="+m, s))
			}
		}
		fk, ok1 := get("fork", rss)
		fs, ok2 := get("forkserver", rss)
		sp, ok3 := get("spawn", rss)
		if !ok1 || !ok2 || !ok3 {
			return missing("startup rss=" + rss + " for all three methods")
		}
		fastestAt[rss] = below(fk, fs) && below(fk, sp)
	}
	lo, hi := rssVals[0], rssVals[len(rssVals)-1]
	clearlySlower := func(rss string) bool {
		fk, _ := get("fork", rss)
		fs, _ := get("forkserver", rss)
		sp, _ := get("spawn", rss)
		return below(fs, fk) || below(sp, fk)
	}
	var growth []string
	for _, m := range []string{"fork", "forkserver", "spawn"} {
		a, _ := get(m, lo)
		b, _ := get(m, hi)
		g := ratio(b, a)
		desc := "grows"
		if g < flatGrowth {
			desc = "flat"
		}
		growth = append(growth, fmt.Sprintf("%s %.2f× (%s, %s)", m, g, desc, fmtDelta(b.med-a.med)))
	}
	gtxt := "From rss=" + lo + " to rss=" + hi + ": " + strings.Join(growth, "; ") + "."
	var slow []string
	for _, rss := range rssVals {
		if !fastestAt[rss] {
			slow = append(slow, rss)
			fk, _ := get("fork", rss)
			for _, m := range []string{"forkserver", "spawn"} {
				if s, _ := get(m, rss); below(s, fk) {
					gtxt += fmt.Sprintf(" At rss=%s %s (%s) is clearly faster than fork (%s).", rss, m, bench.FormatNs(s.med), bench.FormatNs(fk.med))
				}
			}
		}
	}
	switch {
	case len(slow) == 0:
		v.kind, v.why = Confirmed, "fork is the fastest start method at every parent size measured (non-overlapping CIs). "+gtxt
	case fastestAt[lo]:
		v.kind, v.why = Partly, "fork is the fastest at rss="+lo+" but not clearly at rss="+strings.Join(slow, ", ")+": inheriting a big parent costs page-table copies. "+gtxt
	case clearlySlower(lo):
		v.kind, v.why = Refuted, "fork is clearly slower than another start method even at rss="+lo+". "+gtxt
	default:
		v.kind, v.why = Partly, "fork is not clearly the fastest even at rss="+lo+" (overlapping CIs). "+gtxt
	}
	return v
}

// ruleC3 is C3's rule.
var ruleC3 = "each method's default-chunksize map (the map's own overhead subtracted) is classified by the nearest model — perfect packing 2.5, 3 waves 3.0, serial 5.0 task times — and the serial control (chunksize=5) must land on 5.0: confirmed when every method's whole CI lies nearer 3 waves than any other model; partly when the medians do but a CI reaches past a midpoint; refuted when some median lies nearer another model; failed when the control misses 5.0 (the experiment cannot tell the models apart)."

// verdictC3 decides C3 by ruleC3.
func verdictC3(d *claimData) verdict {
	var v verdict
	var in, straddle, out, ctl []string
	var over []string
	for _, m := range bench.Methods {
		s, ok := d.stat("task-times", "method", m, "chunksize", "default")
		if !ok {
			return missing("C3 method=" + m + " chunksize=default")
		}
		v.rows = append(v.rows, statRow("map, default chunksize, method="+m, s))
		if one, ok := d.stat("task-times", "method", m, "chunksize", "1"); ok {
			v.rows = append(v.rows, statRow("map, chunksize=1, method="+m, one))
		}
		c, ok := d.stat("task-times", "method", m, "chunksize", "5")
		if !ok {
			return missing("C3 method=" + m + " chunksize=5 (serial control)")
		}
		v.rows = append(v.rows, statRow("map, chunksize=5 (serial control), method="+m, c))
		if o, ok := d.stat("overhead-ns", "method", m, "chunksize", "default"); ok {
			over = append(over, m+" "+bench.FormatNs(o.med))
		}
		if nearest(c.med, c3Models) != 5.0 {
			ctl = append(ctl, fmt.Sprintf("%s %.2f", m, c.med))
		}
		switch {
		case nearest(s.med, c3Models) != 3.0:
			out = append(out, fmt.Sprintf("%s %.2f (nearest %.1f)", m, s.med, nearest(s.med, c3Models)))
		case nearest(s.lo, c3Models) != 3.0 || nearest(s.hi, c3Models) != 3.0:
			straddle = append(straddle, fmt.Sprintf("%s %.2f (CI %.2f … %.2f)", m, s.med, s.lo, s.hi))
		default:
			in = append(in, fmt.Sprintf("%s %.2f", m, s.med))
		}
	}
	task := "the task time"
	if s := d.find(); len(s) > 0 {
		task = s[0].kv["task-ms"] + " ms (the guide's 1 s scaled down)"
	}
	base := fmt.Sprintf("Unit: %s; the map's own overhead (the same map of a task that does not sleep: %s) is subtracted. Models: perfect packing 2.5, 3 waves 3.0, serial 5.0 task times; a value is classified by the nearest (midpoints 2.75 and 4.0). Default chunksize nearest 3 waves with its whole CI: %s.", task, orNone(over), orNone(in))
	switch {
	case len(ctl) > 0:
		v.kind, v.why = Failed, base+" The serial control (chunksize=5) did not land on 5.0 ("+strings.Join(ctl, ", ")+"): the experiment cannot separate the models."
	case len(out) > 0:
		v.kind, v.why = Refuted, base+" Nearer another model: "+strings.Join(out, ", ")+"."
	case len(straddle) > 0:
		v.kind, v.why = Partly, base+" Median at 3 waves but the CI reaches past a midpoint: "+strings.Join(straddle, ", ")+"."
	default:
		v.kind, v.why = Confirmed, base+" The serial control lands on 5.0, so 3.0 is not an artefact of the method."
	}
	return v
}

// c3Models are the makespans, in task times, that C3 tells apart.
var c3Models = []float64{2.5, 3.0, 5.0}

// nearest returns the model nearest to x.
func nearest(x float64, models []float64) float64 {
	best := models[0]
	for _, m := range models {
		if math.Abs(x-m) < math.Abs(x-best) {
			best = m
		}
	}
	return best
}

var c4Shared = []string{"rawarray", "array", "shared_memory"}

// ruleC4 is C4's rule.
var ruleC4 = fmt.Sprintf("confirmed when, at the largest size, the pickled Queue is ≥ %.0f× slower than every shared mechanism (RawArray, Array, shared_memory) with non-overlapping 95%% CIs; partly when than some; refuted when than none. The crossover is the smallest size from which the Queue is slower (CIs apart) than every shared mechanism at every larger size.", c4Factor)

// verdictC4 decides C4 by ruleC4.
func verdictC4(d *claimData) verdict {
	var v verdict
	sizes := d.values("size", "mech", "queue")
	if len(sizes) == 0 {
		return missing("C4 mech=queue")
	}
	sortSizes(sizes)
	slowerAt := map[string]bool{}
	for _, sz := range sizes {
		q, ok := d.stat("ns/op", "mech", "queue", "size", sz)
		if !ok {
			continue
		}
		all := true
		for _, m := range c4Shared {
			s, ok := d.stat("ns/op", "mech", m, "size", sz)
			if !ok || !below(s, q) {
				all = false
			}
		}
		slowerAt[sz] = all
	}
	cross := ""
	for i := len(sizes) - 1; i >= 0 && slowerAt[sizes[i]]; i-- {
		cross = sizes[i]
	}
	largest := sizes[len(sizes)-1]
	q, _ := d.stat("ns/op", "mech", "queue", "size", largest)
	v.rows = append(v.rows, statRow("Queue (pickled), size="+largest, q))
	var beat, lose []string
	for _, m := range c4Shared {
		s, ok := d.stat("ns/op", "mech", m, "size", largest)
		if !ok {
			lose = append(lose, m+" (missing)")
			continue
		}
		v.rows = append(v.rows, statRow(m+", size="+largest, s))
		if below(s, q) && ratio(q, s) >= c4Factor {
			beat = append(beat, fmt.Sprintf("%s %.0f×", m, ratio(q, s)))
		} else {
			lose = append(lose, fmt.Sprintf("%s %.1f×", m, ratio(q, s)))
		}
	}
	for _, m := range []string{"spawn", "fork"} {
		a, ok1 := d.stat("ns/op", "mech", "args", "method", m, "size", sizes[0])
		b, ok2 := d.stat("ns/op", "mech", "args", "method", m, "size", largest)
		if ok1 && ok2 {
			v.rows = append(v.rows, statRow("new Process with the data as args, method="+m+", size="+sizes[0], a), statRow("… size="+largest, b))
		}
	}
	if s, ok := d.stat("ns/op", "mech", "value"); ok {
		v.rows = append(v.rows, statRow("Value (one double) update + notify", s))
	}
	var why strings.Builder
	if q1, ok := d.stat("ns/op", "mech", "queue", "size", sizes[0]); ok {
		fmt.Fprintf(&why, "The pickled Queue's time grows from %s at %s to %s at %s (%.0f MB/s at the largest size). ", bench.FormatNs(q1.med), sizes[0], bench.FormatNs(q.med), largest, bytesOf(largest)/q.med*1e3)
	}
	fmt.Fprintf(&why, "At %s the Queue takes, relative to the shared mechanisms (data copied once into the shared block, only its size sent): %s. ", largest, strings.Join(append(beat, lose...), ", "))
	if cross != "" {
		fmt.Fprintf(&why, "Crossover: from %s up, every shared mechanism is faster than the Queue (non-overlapping CIs)", cross)
		if cross == sizes[0] {
			why.WriteString(" — already at the smallest size measured, because the Queue's feeder thread and pickling cost even for small messages")
		}
		why.WriteString(". ")
	} else {
		why.WriteString("No crossover: the Queue is not slower than every shared mechanism at the largest size. ")
	}
	why.WriteString(c4Args(d, sizes[0], largest))
	v.extra = c4Sweep(d, sizes)
	switch {
	case len(lose) == 0:
		v.kind = Confirmed
	case len(beat) > 0:
		v.kind = Partly
	default:
		v.kind = Refuted
	}
	v.why = strings.TrimSpace(why.String())
	return v
}

// c4Args is C4's sentence on passing the data as Process args: what the
// largest size costs beyond the smallest, under spawn and fork.
func c4Args(d *claimData, smallest, largest string) string {
	a, ok1 := d.stat("ns/op", "mech", "args", "method", "spawn", "size", largest)
	b, ok2 := d.stat("ns/op", "mech", "args", "method", "spawn", "size", smallest)
	if !ok1 || !ok2 {
		return ""
	}
	txt := fmt.Sprintf("Passing the data as Process args costs %s more at %s than at %s under spawn (pickled)", bench.FormatNs(a.med-b.med), largest, smallest)
	c, ok1 := d.stat("ns/op", "mech", "args", "method", "fork", "size", largest)
	e, ok2 := d.stat("ns/op", "mech", "args", "method", "fork", "size", smallest)
	if ok1 && ok2 {
		txt += fmt.Sprintf(" and %s more under fork (inherited, not pickled: page tables only)", bench.FormatNs(c.med-e.med))
	}
	return txt + ". "
}

// c4Sweep is the table of C4's medians: one row per size, one column per
// mechanism.
func c4Sweep(d *claimData, sizes []string) string {
	cols := []struct{ title, mech, method string }{
		{"Queue (pickled)", "queue", ""},
		{"args, spawn (pickled)", "args", "spawn"},
		{"args, fork (inherited)", "args", "fork"},
		{"RawArray", "rawarray", ""},
		{"Array (locked)", "array", ""},
		{"shared_memory", "shared_memory", ""},
	}
	var b strings.Builder
	b.WriteString("Median time to make N bytes available to a child (and hear back), by size:\n\n| size |")
	for _, c := range cols {
		b.WriteString(" " + c.title + " |")
	}
	b.WriteString("\n|---|")
	for range cols {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, sz := range sizes {
		b.WriteString("| " + sz + " |")
		for _, c := range cols {
			f := []string{"mech", c.mech, "size", sz}
			if c.method != "" {
				f = append(f, "method", c.method)
			}
			if s, ok := d.stat("ns/op", f...); ok {
				b.WriteString(" " + bench.FormatNs(s.med) + " |")
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ruleC5 is C5's rule.
var ruleC5 = fmt.Sprintf("the guide's words: a Queue \"spawns multiple threads used to serialize, send and receive objects\", a SimpleQueue \"doesn't use any additional threads\". "+
	"Confirmed when the measurement shows what the words say: a Queue adds an OS thread in each process that puts (serialize, send) and one in the process that gets (receive), "+
	"a SimpleQueue none (parent and child), and those threads have a measurable cost: Queue's 64 B round trip ≥ %.1f× SimpleQueue's with non-overlapping 95%% CIs; "+
	"partly when only part of it is observed (named: e.g. a sending thread but none for receiving, or threads without a measurable cost, or the cost not measured); "+
	"refuted when a Queue adds no thread in a process that puts, or a SimpleQueue adds one. CPU per streamed message is reported.", c5Slower)

// verdictC5 decides C5 by ruleC5.
func verdictC5(d *claimData) verdict {
	var v verdict
	qp, ok1 := d.stat("threads", "chan", "queue", "side", "parent")
	sp, ok2 := d.stat("threads", "chan", "simplequeue", "side", "parent")
	qc, ok3 := d.stat("threads", "chan", "queue", "side", "child")
	sc, ok4 := d.stat("threads", "chan", "simplequeue", "side", "child")
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return missing("C5 thread counts")
	}
	v.rows = append(v.rows,
		row{"extra threads after put, Queue (parent / child)", fmt.Sprintf("%g / %g", qp.med, qc.med), "", strconv.Itoa(qp.n)},
		row{"extra threads after put, SimpleQueue (parent / child)", fmt.Sprintf("%g / %g", sp.med, sc.med), "", strconv.Itoa(sp.n)})
	recvQ, okr := c5Receive(d, "queue")
	recvS, _ := c5Receive(d, "simplequeue")
	if okr {
		v.rows = append(v.rows, row{"extra threads after a fork child's first get, Queue / SimpleQueue", fmt.Sprintf("%d / %d", recvQ, recvS), "", strconv.Itoa(qp.n)})
	}
	var why strings.Builder
	fmt.Fprintf(&why, "A process that puts on a Queue gains %g OS thread(s) (the feeder, which serializes and sends); SimpleQueue adds %g. ", qp.med, sp.med)
	lat := map[string]stat{}
	cpu := map[string]float64{}
	for _, ch := range []string{"queue", "simplequeue"} {
		if s, ok := d.stat("ns/op", "workload", bench.Pingpong, "chan", ch); ok {
			lat[ch] = s
			v.rows = append(v.rows, statRow("round trip 64 B, chan="+ch, s))
		}
		u, ok1 := d.stat("user-ns/op", "workload", bench.Stream, "chan", ch)
		s, ok2 := d.stat("sys-ns/op", "workload", bench.Stream, "chan", ch)
		if ok1 && ok2 {
			cpu[ch] = u.med + s.med
			v.rows = append(v.rows, row{"CPU per message (user+sys, both sides), stream 64 B, chan=" + ch, bench.FormatNs(u.med + s.med), "", strconv.Itoa(u.n)})
		}
		if s, ok := d.stat("ns/op", "workload", bench.Stream, "chan", ch); ok {
			v.rows = append(v.rows, statRow("time per message, stream 64 B, chan="+ch, s))
		}
	}
	if q, ok := lat["queue"]; ok {
		if s, ok := lat["simplequeue"]; ok {
			fmt.Fprintf(&why, "Round trip of 64 B: Queue %s vs SimpleQueue %s (%.2f×). ", bench.FormatNs(q.med), bench.FormatNs(s.med), ratio(q, s))
		}
	}
	if q, ok := cpu["queue"]; ok && cpu["simplequeue"] > 0 {
		fmt.Fprintf(&why, "CPU per streamed message: Queue %s vs SimpleQueue %s (%.2f×).", bench.FormatNs(q), bench.FormatNs(cpu["simplequeue"]), q/cpu["simplequeue"])
	}
	q, okq := lat["queue"]
	s, oks := lat["simplequeue"]
	costs := okq && oks && below(s, q) && ratio(q, s) >= c5Slower
	var unseen []string
	switch {
	case !okr:
		unseen = append(unseen, "whether receiving adds a thread (claims.py's note on the fork child's first get is missing)")
	case recvQ < 1:
		unseen = append(unseen, fmt.Sprintf("a thread for receiving: a fork child's first get on a Queue added %d, so what was measured is %g thread(s) in each process that puts (the feeder) and none for receiving, not \"multiple threads … to … receive\"", recvQ, qp.med))
	}
	switch {
	case qp.min < 1 || qc.min < 1 || sp.max_ > 0 || sc.max_ > 0 || (okr && recvS > 0):
		v.kind = Refuted
		why.WriteString(" The thread counts contradict the claim.")
	case !okq || !oks:
		v.kind = Partly
		unseen = append(unseen, "the threads' cost (the latency cells are missing)")
	case !costs:
		v.kind = Partly
		fmt.Fprintf(&why, " Queue is not measurably slower per message (< %.1f× or overlapping CIs): the extra thread costs nothing visible here.", c5Slower)
	case len(unseen) > 0:
		v.kind = Partly
		fmt.Fprintf(&why, " The feeder thread costs measurably: Queue's round trip is ≥ %.1f× SimpleQueue's with CIs apart.", c5Slower)
	default:
		v.kind = Confirmed
		fmt.Fprintf(&why, " The threads cost measurably: Queue's round trip is ≥ %.1f× SimpleQueue's with CIs apart.", c5Slower)
	}
	if v.kind != Refuted && len(unseen) > 0 {
		why.WriteString(" Not observed: " + strings.Join(unseen, "; ") + ".")
	}
	v.why = strings.TrimSpace(why.String())
	return v
}

// c5Receive is the OS threads a fork child gained by its first get on a
// chan (queue, simplequeue), from claims.py's note on the parent's series
// ("… fork child: start S, after get G, after put P"); false without it.
func c5Receive(d *claimData, ch string) (int, bool) {
	_, rest, ok := strings.Cut(d.noteFor("chan", ch, "side", "parent"), "fork child: ")
	var start, get, put int
	if !ok {
		return 0, false
	}
	if _, err := fmt.Sscanf(rest, "start %d, after get %d, after put %d", &start, &get, &put); err != nil {
		return 0, false
	}
	return get - start, true
}

// ruleC6 is C6's rule. The guide says only that Pipe is two-way (line
// 90); how Pipe and Queue compare is the experiment's question, reported
// without a verdict.
var ruleC6 = "confirmed when both ends of Pipe() send and receive under every start method (and Pipe(duplex=False) refuses to send on its read end); partly when under some methods only; refuted when under none. The guide claims nothing about speed: Pipe vs Queue latency and throughput are reported, not judged."

// verdictC6 decides C6 by ruleC6.
func verdictC6(d *claimData) verdict {
	var v verdict
	dup, ok := d.stat("duplex")
	if !ok {
		return missing("C6 duplex check")
	}
	v.rows = append(v.rows, countRow("Pipe() sends and receives at both ends (all methods)", dup))
	var worse []string
	var ratios []string
	for _, w := range []string{bench.Pingpong, bench.Stream} {
		sizes := d.values("size", "workload", w, "chan", "pipe")
		sortSizes(sizes)
		for _, sz := range sizes {
			p, ok1 := d.stat("ns/op", "workload", w, "chan", "pipe", "size", sz)
			q, ok2 := d.stat("ns/op", "workload", w, "chan", "queue", "size", sz)
			if !ok1 || !ok2 {
				continue
			}
			what := "round trip"
			if w == bench.Stream {
				what = "per message (stream)"
			}
			v.rows = append(v.rows, statRow(what+" "+sz+", Pipe", p), statRow(what+" "+sz+", Queue", q))
			ratios = append(ratios, fmt.Sprintf("%s %s %.2f×", w, sz, ratio(q, p)))
			if !below(p, q) {
				worse = append(worse, w+" "+sz)
			}
		}
	}
	var why string
	switch {
	case dup.all():
		v.kind, why = Confirmed, "Pipe() is duplex under every start method: both ends send and receive"
	case dup.none():
		v.kind, why = Refuted, "Pipe() was duplex under no start method"
	default:
		v.kind, why = Partly, "Pipe() was duplex in "+dup.count()+" checks only"
	}
	if ow, ok := d.stat("oneway-refused"); ok {
		why += fmt.Sprintf("; Pipe(duplex=False) refused to send on its read end in %s checks", ow.count())
	}
	why += ". "
	if len(ratios) > 0 {
		why += "Not part of the claim (the guide says nothing on speed), reported: Queue time / Pipe time " + strings.Join(ratios, ", ") + "; "
		if len(worse) == 0 {
			why += "Pipe is faster than Queue at every size measured (CIs apart)."
		} else {
			why += "Pipe is not clearly faster at " + strings.Join(worse, ", ") + "."
		}
	}
	v.why = strings.TrimSpace(why)
	return v
}

// ruleC7 is C7's rule.
var ruleC7 = "confirmed when the held-lock demonstration deadlocks every fork child, every control (single-threaded parent; spawn and forkserver, held or looping lock) deadlocks none, and the realistic case (a lock taken in a loop by another thread) deadlocks fork children at a rate whose 95% Wilson interval excludes 0; partly when the demonstration and controls hold but the realistic rate is not distinguishable from 0; refuted when the demonstration's fork children do not deadlock; failed when a control deadlocks (the detector is wrong)."

// verdictC7 decides C7 by ruleC7.
func verdictC7(d *claimData) verdict {
	var v verdict
	held, ok := d.stat("deadlock", "case", "held", "method", "fork")
	if !ok {
		return missing("C7 case=held method=fork")
	}
	v.rows = append(v.rows, rateRow("held lock (the guide's demonstration), fork", held))
	var ctlBad []string
	ctl := func(what string, filter ...string) {
		if s, ok := d.stat("deadlock", filter...); ok {
			v.rows = append(v.rows, rateRow("control: "+what, s))
			if !s.none() {
				ctlBad = append(ctlBad, what+" "+s.count())
			}
		}
	}
	ctl("single-threaded parent, fork", "case", "nolock", "method", "fork")
	for _, m := range []string{"spawn", "forkserver"} {
		ctl("held lock, "+m, "case", "held", "method", m)
		for _, l := range []string{"plain", "logging"} {
			ctl("lock taken in a loop ("+l+"), "+m, "case", "real", "lock", l, "method", m)
		}
	}
	var real []string
	realHit := false
	for _, l := range []string{"plain", "logging"} {
		s, ok := d.stat("deadlock", "case", "real", "lock", l, "method", "fork")
		if !ok {
			continue
		}
		v.rows = append(v.rows, rateRow("lock taken in a loop by another thread ("+l+"), fork", s))
		lo, hi := stats.Wilson(int(math.Round(s.sum)), s.samples)
		real = append(real, fmt.Sprintf("%s lock %s (%.0f%%, 95%% CI %.0f–%.0f%%)", l, s.count(), 100*s.sum/float64(s.samples), 100*lo, 100*hi))
		if lo > 0 {
			realHit = true
		}
	}
	if len(real) == 0 {
		return missing("C7 case=real method=fork")
	}
	dep, _ := d.stat("deprecation-warning", "method", "fork")
	v.rows = append(v.rows, countRow("DeprecationWarning at fork (multi-threaded parent)", dep))
	why := fmt.Sprintf("The guide's demonstration (a thread holds the lock across the fork) deadlocked %s fork children, by construction. The realistic case — another thread takes and releases the lock in a loop while the parent forks — deadlocked: %s. ", held.count(), strings.Join(real, "; "))
	if n := d.noteFor("method", "fork", "case", "real"); n != "" {
		why += n + ". "
	} else if dep.none() {
		why += "This Python emitted no DeprecationWarning at fork (3.12+ does; C14 records it per version). "
	}
	switch {
	case len(ctlBad) > 0:
		v.kind, why = Failed, why+"A control deadlocked ("+strings.Join(ctlBad, ", ")+"): the detector or the setup is wrong."
	case !held.all():
		v.kind, why = Refuted, why+"The held-lock demonstration did not deadlock every fork child."
	case realHit:
		v.kind, why = Confirmed, why+"Every control (no other thread; spawn; forkserver) deadlocked none."
	default:
		v.kind, why = Partly, why+"Controls clean, but in the realistic case the deadlock rate is not distinguishable from 0 here: the danger needs the lock to be held at the fork."
	}
	v.why = why
	return v
}

// rateRow is a 0/1 metric as k/n with its 95% Wilson interval.
func rateRow(what string, s stat) row {
	lo, hi := stats.Wilson(int(math.Round(s.sum)), s.samples)
	return row{what, s.count(), fmt.Sprintf("%.0f%% … %.0f%% (Wilson)", 100*lo, 100*hi), strconv.Itoa(s.samples)}
}

// ruleC8 is C8's rule.
var ruleC8 = "confirmed when, under every start method, the daemonic child's start() of a grandchild raised and the non-daemonic control succeeded; partly when under some methods; refuted when under none."

// verdictC8 decides C8 by ruleC8.
func verdictC8(d *claimData) verdict {
	var v verdict
	n := 0
	for _, m := range bench.Methods {
		r, ok1 := d.stat("raised", "method", m, "daemon", "true")
		c, ok2 := d.stat("ok", "method", m, "daemon", "false")
		if !ok1 || !ok2 {
			return missing("C8 method=" + m)
		}
		v.rows = append(v.rows, countRow("daemonic child: start() of a grandchild raised, method="+m, r), countRow("non-daemonic child: grandchild ran, method="+m, c))
		if r.all() && c.all() {
			n++
		}
	}
	msg := d.noteFor("daemon", "true")
	why := fmt.Sprintf("Under %d of %d start methods a daemonic child could not start a child while a non-daemonic one could.", n, len(bench.Methods))
	if msg != "" {
		why += " The error: `" + msg + "`."
	}
	v.why = why
	switch n {
	case len(bench.Methods):
		v.kind = Confirmed
	case 0:
		v.kind = Refuted
	default:
		v.kind = Partly
	}
	return v
}

// ruleC9 is C9's rule.
var ruleC9 = "for the stdlib multiprocessing: confirmed when a lambda Process target raised a pickling error under spawn and forkserver and ran under fork; partly when spawn raised but not in that exact pattern; refuted when a lambda target started under spawn. The Pool.map variant and the library row (billiard, multiprocess, under each method) are reported."

// verdictC9 decides C9 by ruleC9.
func verdictC9(d *claimData) verdict {
	var v verdict
	pattern := true
	for _, m := range bench.Methods {
		r, ok := d.stat("raised", "lib", "multiprocessing", "api", "process", "method", m)
		o, _ := d.stat("ok", "lib", "multiprocessing", "api", "process", "method", m)
		if !ok {
			return missing("C9 lib=multiprocessing api=process method=" + m)
		}
		v.rows = append(v.rows, countRow("lambda as Process target raised, method="+m, r), countRow("… and ran, method="+m, o))
		if (m == "fork") != o.all() || (m != "fork") != r.all() {
			pattern = false
		}
	}
	poolRaised := 0
	for _, m := range bench.Methods {
		if r, ok := d.stat("raised", "lib", "multiprocessing", "api", "pool", "method", m); ok {
			v.rows = append(v.rows, countRow("lambda given to Pool.map raised, method="+m, r))
			if r.all() {
				poolRaised++
			}
		}
	}
	why := "A lambda as Process target: spawn and forkserver pickle the Process object and fail; fork copies it and the child runs it."
	if msg := d.noteFor("lib", "multiprocessing", "api", "process", "method", "spawn"); msg != "" {
		why += " The error: `" + msg + "`."
	}
	why += fmt.Sprintf(" Pool.map pickles each task's function under every method: a lambda raised there under %d of %d methods, fork included.", poolRaised, len(bench.Methods))
	if lib := c9Libraries(d); lib != "" {
		why += " " + lib
	}
	v.extra = c9Table(d)
	sp, _ := d.stat("raised", "lib", "multiprocessing", "api", "process", "method", "spawn")
	switch {
	case pattern:
		v.kind = Confirmed
	case sp.all():
		v.kind = Partly
	default:
		v.kind = Refuted
	}
	v.why = why
	return v
}

// c9Outcome is one library × api × method cell of C9's table.
func c9Outcome(d *claimData, lib, api, m string) string {
	f := []string{"lib", lib, "api", api, "method", m}
	ok, has := d.stat("ok", f...)
	if !has {
		return "—"
	}
	raised, _ := d.stat("raised", f...)
	perr, _ := d.stat("pickle-error", f...)
	hang, _ := d.stat("hang", f...)
	switch {
	case ok.all():
		return "runs"
	case hang.samples > 0 && hang.all():
		return "hangs"
	case perr.all():
		return "pickling error"
	case raised.all():
		msg := d.noteFor(f...)
		if i := strings.Index(msg, ":"); i > 0 {
			msg = msg[:i]
		}
		return "fails (" + msg + ")"
	}
	return "mixed"
}

// c9Libraries sums up the library row in a sentence.
func c9Libraries(d *claimData) string {
	var parts []string
	for _, lib := range bench.LibraryForks {
		if len(d.find("lib", lib)) == 0 {
			continue
		}
		var ms []string
		for _, m := range bench.Methods {
			ms = append(ms, m+": "+c9Outcome(d, lib, "process", m))
		}
		p := lib + " (lambda as Process target) — " + strings.Join(ms, ", ")
		if n := d.noteFor("lib", lib, "api", "process", "method", "spawn"); strings.Contains(n, "fork_exec") {
			p += " (its spawn and forkserver are broken on this interpreter: `" + n + "`)"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return ""
	}
	return "Libraries: " + strings.Join(parts, "; ") + "."
}

// c9Table is the library × method table of C9.
func c9Table(d *claimData) string {
	var b strings.Builder
	b.WriteString("A lambda by library and start method (Process target / Pool.map):\n\n| library | " + strings.Join(bench.Methods, " | ") + " |\n|---|")
	for range bench.Methods {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, lib := range bench.LibraryImpls {
		if len(d.find("lib", lib)) == 0 {
			for _, s := range d.skips {
				if strings.Contains(s.name, lib) {
					fmt.Fprintf(&b, "| %s | skipped: %s |\n", lib, cell(s.text))
				}
			}
			continue
		}
		b.WriteString("| " + lib + " |")
		for _, m := range bench.Methods {
			b.WriteString(" " + c9Outcome(d, lib, "process", m) + " / " + c9Outcome(d, lib, "pool", m) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// ruleC10 is C10's rule.
var ruleC10 = "confirmed when the second set_start_method raised \"context has already been set\", get_context (and force=True) worked, and both cross-context uses failed; partly when the first parts hold but a cross-context use worked (named); refuted when the second set did not raise."

// verdictC10 decides C10 by ruleC10.
func verdictC10(d *claimData) verdict {
	var v verdict
	steps := []struct{ step, what, unit string }{
		{"set-first", "first set_start_method('spawn') succeeded", "ok"},
		{"set-twice", "second set_start_method('fork') raised", "raised"},
		{"get-context", "get_context('fork') then a child with a Queue worked", "ok"},
		{"set-force", "set_start_method('fork', force=True) worked", "ok"},
		{"mix-fork-queue-spawn-child", "fork-context Queue given to a spawn child raised", "raised"},
		{"mix-spawn-queue-fork-child", "spawn-context Queue given to a fork child worked", "ok"},
	}
	st := map[string]stat{}
	for _, s := range steps {
		x, ok := d.stat(s.unit, "step", s.step)
		if !ok {
			return missing("C10 step=" + s.step)
		}
		st[s.step] = x
		v.rows = append(v.rows, countRow(s.what, x))
	}
	msg := d.noteFor("step", "set-twice")
	why := "The second set_start_method raised `" + msg + "`; get_context() and force=True do not."
	mixFail := st["mix-fork-queue-spawn-child"].all()
	mixOK := st["mix-spawn-queue-fork-child"].all()
	if m := d.noteFor("step", "mix-fork-queue-spawn-child"); m != "" && mixFail {
		why += " Mixing contexts: a fork-context Queue cannot go to a spawn child (`" + m + "`)"
	}
	if mixOK {
		why += "; but a spawn-context Queue works in a fork child, so \"different contexts do not interoperate\" holds in one direction only."
	} else {
		why += "."
	}
	first := st["set-twice"].all() && strings.Contains(msg, "context has already been set") && st["get-context"].all()
	switch {
	case first && mixFail && !mixOK:
		v.kind = Confirmed
	case first:
		v.kind = Partly
	default:
		v.kind = Refuted
	}
	v.why = why
	return v
}

// ruleC11 is C11's rule.
var ruleC11 = "sending a fresh tensor (own storage, not yet shared) per message: confirmed when a tensor message is faster than the same bytes pickled (non-overlapping 95% CIs) at every size measured and its time grows less than half as much as the bytes' from the smallest to the largest size; partly when that holds at the largest size but not at a smaller one (named: where moving a storage costs more than pickling its bytes), or the growth is not that much smaller, or the largest size is not separated; refuted when pickled bytes are clearly faster at the largest size; failed when the tensors were not fresh storages; untestable when torch cannot run (the skip reason)."

// verdictC11 decides C11 by ruleC11.
func verdictC11(d *claimData) verdict {
	var v verdict
	sizes := d.values("size", "payload", "tensor")
	if len(sizes) == 0 {
		return verdict{}
	}
	sortSizes(sizes)
	var ratios []string
	for _, sz := range sizes {
		t, ok1 := d.stat("ns/op", "payload", "tensor", "size", sz)
		b, ok2 := d.stat("ns/op", "payload", "", "size", sz)
		if !ok1 || !ok2 {
			continue
		}
		v.rows = append(v.rows, statRow("per message, tensor, "+sz, t), statRow("per message, bytes (pickled), "+sz, b))
		ratios = append(ratios, fmt.Sprintf("%s: bytes/tensor %.2f×", sz, ratio(b, t)))
	}
	lo, hi := sizes[0], sizes[len(sizes)-1]
	t0, ok1 := d.stat("ns/op", "payload", "tensor", "size", lo)
	t1, ok2 := d.stat("ns/op", "payload", "tensor", "size", hi)
	b0, ok3 := d.stat("ns/op", "payload", "", "size", lo)
	b1, ok4 := d.stat("ns/op", "payload", "", "size", hi)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return missing("C11 tensor and bytes at " + lo + " and " + hi)
	}
	for _, sz := range sizes {
		fr, ok1 := d.stat("fresh", "payload", "tensor", "size", sz)
		st, ok2 := d.stat("storages", "payload", "tensor", "size", sz)
		ms, ok3 := d.stat("msgs", "payload", "tensor", "size", sz)
		if !ok1 || !ok2 || !ok3 || fr.min < 1 || st.min < ms.max_ {
			return verdict{kind: Failed, why: "C11 at " + sz + ": the tensors sent were not all fresh storages (the per-message move to shared memory would not be timed)", rows: v.rows}
		}
	}
	gt, gb := ratio(t1, t0), ratio(b1, b0)
	v.why = fmt.Sprintf("torch.multiprocessing Queue, fork, stream of messages, a fresh tensor (own storage, not yet shared) per message. %s. From %s to %s the per-message time grows %.1f× for tensors and %.1f× for pickled bytes.", strings.Join(ratios, "; "), lo, hi, gt, gb)
	var notFaster []string
	for _, sz := range sizes {
		t, ok1 := d.stat("ns/op", "payload", "tensor", "size", sz)
		b, ok2 := d.stat("ns/op", "payload", "", "size", sz)
		switch {
		case !ok1 || !ok2 || below(t, b):
		case below(b, t):
			notFaster = append(notFaster, fmt.Sprintf("at %s a tensor message is %.1f× slower than the bytes pickled (CIs apart)", sz, ratio(t, b)))
		default:
			notFaster = append(notFaster, fmt.Sprintf("at %s tensor and bytes are not separated (overlapping CIs, tensor / bytes %.2f×)", sz, ratio(t, b)))
		}
	}
	if len(notFaster) > 0 {
		v.why += " Where it does not hold: " + strings.Join(notFaster, "; ") + " — a tensor message has a fixed cost (moving its storage to shared memory, passing a file descriptor) that small messages do not repay."
	}
	switch {
	case below(t1, b1) && gt < gb/2 && len(notFaster) == 0:
		v.kind = Confirmed
	case below(t1, b1):
		v.kind = Partly
		if gt >= gb/2 {
			v.why += " Tensors are faster at the largest size but their cost still grows with size."
		}
	case below(b1, t1):
		v.kind = Refuted
	default:
		v.kind = Partly
		v.why += " Tensor and bytes are not separated at the largest size (overlapping CIs)."
	}
	return v
}

// ruleC12 is C12's rule.
var ruleC12 = "untestable without CUDA (the probe's finding is the reason; a GPU run given with --gpu is quoted beside it); with CUDA: failed when the no-init case's parent had initialised CUDA after all; refuted when a fork child could use CUDA after the parent initialised it, or a spawn/forkserver child could not; confirmed when fork fails even in a parent that never touched CUDA; partly when fork fails only after the parent initialised CUDA (the restriction's real boundary) while spawn and forkserver work."

// verdictC12 decides C12 by ruleC12.
func verdictC12(d *claimData) verdict {
	s, ok := d.stat("cuda", "check", "cuda")
	if !ok {
		return verdict{}
	}
	g, _ := d.stat("nvidia-devices", "check", "cuda")
	v := verdict{rows: []row{countRow("CUDA available to torch", s), {"/dev/nvidia* device nodes", fmt.Sprintf("%g", g.med), "", strconv.Itoa(g.samples)}}}
	note := d.noteFor("check", "cuda")
	if !s.all() {
		v.kind = Untestable
		v.why = "No usable GPU for this run: " + note + ". The claim needs CUDA; nothing is faked."
		return v
	}
	type cs struct{ raised, ok stat }
	cases := map[string]cs{}
	for _, c := range []struct{ name, what string }{
		{"fork-after-init", "fork child uses CUDA after the parent initialised it"},
		{"fork-no-init", "fork child uses CUDA, parent imported torch but never touched CUDA"},
		{"spawn", "spawn child uses CUDA"},
		{"forkserver", "forkserver child uses CUDA"},
	} {
		r, ok1 := d.stat("raised", "case", c.name)
		o, ok2 := d.stat("ok", "case", c.name)
		if !ok1 || !ok2 {
			return missing("C12 case=" + c.name)
		}
		cases[c.name] = cs{r, o}
		v.rows = append(v.rows, countRow(c.what+": worked", o))
		if t, ok := d.stat("ns/op", "case", c.name); ok {
			v.rows = append(v.rows, statRow(c.what+": start() to the child's answer", t))
		}
	}
	fn := cases["fork-no-init"]
	availBreaks := false
	if r, ok := d.stat("raised", "case", "fork-after-is-available"); ok {
		o, _ := d.stat("ok", "case", "fork-after-is-available")
		v.rows = append(v.rows, countRow("fork child uses CUDA after the parent only called torch.cuda.is_available(): worked", o))
		if r.all() && fn.ok.all() {
			availBreaks = true
		}
	}
	var hand []string
	for _, sz := range sortedSizes(d.values("size", "handoff", "cuda")) {
		cu, ok1 := d.stat("ns/op", "handoff", "cuda", "size", sz)
		cp, ok2 := d.stat("ns/op", "handoff", "cpu", "size", sz)
		if !ok1 || !ok2 {
			continue
		}
		v.rows = append(v.rows, statRow("Queue hand-off (spawn), fresh CUDA tensor, "+sz, cu), statRow("Queue hand-off (spawn), fresh CPU tensor, "+sz, cp))
		hand = append(hand, fmt.Sprintf("%s: CUDA %s vs CPU %s per message", sz, bench.FormatNs(cu.med), bench.FormatNs(cp.med)))
	}
	why := "GPU: " + note + ". "
	if m := d.noteFor("case", "fork-after-init"); m != "" {
		why += "After the parent initialised CUDA, the fork child got `" + m + "`. "
	}
	if len(hand) > 0 {
		why += "A CUDA tensor through a torch.multiprocessing Queue sends only a handle: " + strings.Join(hand, "; ") + ". "
	}
	fa, sp, fs := cases["fork-after-init"], cases["spawn"], cases["forkserver"]
	pre, _ := d.stat("parent-cuda-initialised", "case", "fork-no-init")
	switch {
	case !pre.none():
		v.kind = Failed
		why += fmt.Sprintf("The parent had already initialised CUDA before the fork-no-init case (%s runs): that case did not test what it names.", pre.count())
	case !fa.raised.all() || !sp.ok.all() || !fs.ok.all():
		v.kind = Refuted
		why += "The restriction did not hold as stated: a fork child used CUDA after the parent's initialisation, or a spawn/forkserver child could not."
	case fn.raised.all():
		v.kind = Confirmed
		why += "fork failed even when the parent never touched CUDA; spawn and forkserver worked."
	default:
		v.kind = Partly
		why += fmt.Sprintf("But a fork child used CUDA fine (%s) when the parent had imported torch without initialising CUDA: the restriction applies once the parent has initialised CUDA, not to fork as such. spawn and forkserver worked.", fn.ok.count())
		if availBreaks {
			why += " Calling torch.cuda.is_available() in the parent was already enough to break fork."
		}
	}
	v.why = strings.TrimSpace(why)
	return v
}

// ruleC13 is C13's rule.
var ruleC13 = fmt.Sprintf("for CPU-bound tasks: confirmed when the fastest map uses 1–2 workers per core and 4 per core is slower than the fastest (non-overlapping 95%% CIs); partly when the fastest is at 1–2 per core but 4 per core is not clearly slower, or the fastest is elsewhere but not clearly faster than 1–2 per core; refuted when another worker count is clearly faster than every 1–2-per-core point. A median CPU-bound efficiency above %.2f is impossible on the cores measured and means a contended machine: then partly, with that caution, whatever the ranking. I/O-bound (sleeping) tasks are reported.", c13MaxEfficiency)

// verdictC13 decides C13 by ruleC13.
func verdictC13(d *claimData) verdict {
	var v verdict
	type pt struct {
		w  int
		st stat
	}
	byTask := map[string][]pt{}
	cores := 0
	for _, task := range bench.TaskKinds {
		for _, s := range d.find("task", task) {
			w, _ := strconv.Atoi(s.kv["workers"])
			cores, _ = strconv.Atoi(s.kv["cores"])
			st, _ := d.stat("ns/op", "task", task, "workers", s.kv["workers"])
			byTask[task] = append(byTask[task], pt{w, st})
		}
		sort.Slice(byTask[task], func(i, j int) bool { return byTask[task][i].w < byTask[task][j].w })
		for _, p := range byTask[task] {
			v.rows = append(v.rows, statRow(fmt.Sprintf("%s tasks, workers=%d (%s per core)", task, p.w, perCore(p.w, cores)), p.st))
		}
	}
	cpu := byTask["cpu"]
	if len(cpu) < 2 || cores == 0 {
		return missing("C13 pool sweep over workers (cpu tasks)")
	}
	best := cpu[0]
	for _, p := range cpu {
		if p.st.med < best.st.med {
			best = p
		}
	}
	var four *pt
	for i := range cpu {
		if cpu[i].w == 4*cores {
			four = &cpu[i]
		}
	}
	var why strings.Builder
	fmt.Fprintf(&why, "CPU-bound: the fastest map uses %d workers on %d cores (%s per core)", best.w, cores, perCore(best.w, cores))
	if four != nil && four.w != best.w {
		fmt.Fprintf(&why, "; %d workers (4 per core) take %.2f× as long", four.w, ratio(four.st, best.st))
	}
	why.WriteString(". ")
	if sl := byTask["sleep"]; len(sl) > 1 {
		bs := sl[0]
		for _, p := range sl {
			if p.st.med < bs.st.med {
				bs = p
			}
		}
		fmt.Fprintf(&why, "I/O-bound (sleeping) tasks: the fastest map uses %d workers (%s per core) — more workers than cores help when tasks wait, as the rule's \"perhaps more for I/O\" says.", bs.w, perCore(bs.w, cores))
	}
	good := best.w >= cores && best.w <= 2*cores
	// beatsRule: best is clearly faster than every 1–2-per-core point.
	beatsRule := func(best pt, all []pt) bool {
		for _, p := range all {
			if p.w >= cores && p.w <= 2*cores && !below(best.st, p.st) {
				return false
			}
		}
		return true
	}
	maxEff, effW := c13MaxEff(d)
	switch {
	case maxEff > c13MaxEfficiency:
		v.kind = Partly
		fmt.Fprintf(&why, " Caution: the CPU-bound map reached a median parallel efficiency of %.2f at workers=%d — faster than %d CPUs can run the calibrated tasks — so the speed of the busy loop changed between its calibration and the maps (on this shared VM other processes' load changes it by tens of percent). The CPU-bound ranking is not trustworthy from this run; re-run it on a quiet machine.", maxEff, effW, cores)
	case good && four != nil && below(best.st, four.st):
		v.kind = Confirmed
	case good:
		v.kind = Partly
		why.WriteString(" Too many workers did not measurably slow the CPU-bound map here.")
	case beatsRule(best, cpu):
		v.kind = Refuted
	default:
		v.kind = Partly
		why.WriteString(" The fastest is outside 1–2 workers per core, but not clearly faster than those (overlapping CIs).")
	}
	v.why = strings.TrimSpace(why.String())
	return v
}

// c13MaxEff is the highest median efficiency of C13's CPU-bound maps and
// its worker count.
func c13MaxEff(d *claimData) (float64, int) {
	maxEff, effW := 0.0, 0
	for _, s := range d.find("task", "cpu") {
		if e, ok := d.stat("efficiency", "task", "cpu", "workers", s.kv["workers"]); ok && e.med > maxEff {
			maxEff = e.med
			effW, _ = strconv.Atoi(s.kv["workers"])
		}
	}
	return maxEff, effW
}

// ruleC14 is C14's rule.
var ruleC14 = "the guide's claim is universal (\"on Unix\"): refuted when a CPython below 3.14 measured here does not default to fork; confirmed when at least two versions were measured, every one defaults to fork, and both Unix platforms whose default the Python documentation states (Linux and macOS) were measured; partly when every version measured defaults to fork but part of the claim's scope was not observed (named: a platform, Python 3.14, or a single version). The cost of 3.14's switch to forkserver on Linux is reported beside it, not judged."

// verdictC14 decides C14 by ruleC14.
func verdictC14(d *claimData) verdict {
	var v verdict
	vers := d.values("python", "check", "default-method")
	sort.Slice(vers, func(i, j int) bool { return minorOf(vers[i]) < minorOf(vers[j]) })
	if len(vers) == 0 {
		return missing("C14 default-method check")
	}
	cells := len(d.find("workload", bench.Startup)) > 0
	ncols := 3 // start-up columns: claims.py's own probe (earlier runs)
	if cells {
		ncols = 0 // C14's cells at main=stdlib: 4 where a version has them
		for _, ver := range vers {
			if _, _, _, ok := c14Stats(d, "cpython"+ver, bench.MainStdlib); ok {
				ncols = 4
			}
		}
	}
	var b strings.Builder
	b.WriteString(c14Header(ncols))
	var wrong, fork []string
	for _, ver := range vers {
		def, w := c14Probe(d, ver)
		if (minorOf(ver) < 314) != (def == "fork") {
			wrong = append(wrong, ver+" "+def)
		} else {
			fork = append(fork, ver)
		}
		var cols string
		switch ncols {
		case 0:
			fmt.Fprintf(&b, "| %s | %s | %s |\n", ver, def, w)
			continue
		case 4:
			cols = c14Columns(d, "cpython"+ver, bench.MainStdlib)
		default:
			cols = "— | — | —"
			fk, ok1 := d.stat("ns/op", "python", ver, "method", "fork")
			fs, ok2 := d.stat("ns/op", "python", ver, "method", "forkserver")
			if ok1 && ok2 {
				cols = fmt.Sprintf("%s (%s) | %s (%s) | %.1f×", bench.FormatNs(fk.med), fmtCI(fk), bench.FormatNs(fs.med), fmtCI(fs), ratio(fs, fk))
				v.rows = append(v.rows, statRow("Python "+ver+", fork start-up", fk), statRow("Python "+ver+", forkserver start-up", fs))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", ver, def, w, cols)
	}
	for _, s := range d.skips {
		if _, ver, ok := strings.Cut(s.name, "python="); ok {
			fmt.Fprintf(&b, "| %s | skipped: %s |%s\n", ver, cell(s.text), strings.Repeat(" |", 1+ncols))
		}
	}
	plats := c14Platforms(d, vers)
	why := fmt.Sprintf("Observed: CPython %s on %s", strings.Join(vers, ", "), orNone(plats))
	if len(fork) > 0 {
		why += "; fork is the default in " + strings.Join(fork, ", ")
	}
	why += ". Not observed: " + orNone(c14Unseen(plats, vers)) + ". "
	if cells {
		cost, rows := c14Default(d, &b)
		v.rows = append(v.rows, rows...)
		why += cost + " " + c14VersionSource(d, ncols > 0)
	} else {
		why += "The cost of the switch for a program that keeps the default is the forkserver / fork start-up ratio in the table (claims.py's own probe of each version)."
	}
	v.extra = b.String()
	switch {
	case len(wrong) > 0:
		v.kind = Refuted
		why += " Not as claimed: " + strings.Join(wrong, ", ") + "."
	case len(vers) >= 2 && slices.Contains(plats, "linux") && slices.Contains(plats, "darwin"):
		v.kind = Confirmed
	default:
		v.kind = Partly
	}
	v.why = strings.TrimSpace(why)
	return v
}

// c14Unseen names the parts of C14's scope the probe did not observe,
// given the platforms and the (sorted) versions it ran on.
func c14Unseen(plats, vers []string) []string {
	var unseen []string
	if !slices.Contains(plats, "darwin") {
		unseen = append(unseen, "macOS (not measured here; the Python documentation states spawn as its default since Python 3.8, so \"on Unix\" does not hold there)")
	}
	if !slices.Contains(plats, "linux") {
		unseen = append(unseen, "Linux")
	}
	if minorOf(vers[len(vers)-1]) < 314 {
		unseen = append(unseen, "Python 3.14 (not installed here; the documentation states forkserver as its default on Linux)")
	}
	if len(vers) < 2 {
		unseen = append(unseen, "more than one version")
	}
	return unseen
}

// c14Platforms lists the platforms (sys.platform) the probe ran on, from
// its NOTE "Python 3.11.7 on linux: …".
func c14Platforms(d *claimData, vers []string) []string {
	var out []string
	for _, ver := range vers {
		n := d.noteFor("python", ver, "check", "default-method")
		_, rest, ok := strings.Cut(n, " on ")
		plat, _, ok2 := strings.Cut(rest, ":")
		if ok && ok2 && plat != "" && !slices.Contains(out, plat) {
			out = append(out, plat)
		}
	}
	sort.Strings(out)
	return out
}

// c14Header is the head of C14's version table with n start-up columns:
// 4, C14's cells at main=stdlib; 3, claims.py's own probe (earlier runs);
// 0, none (no version has its start-up cells).
func c14Header(n int) string {
	switch n {
	case 4:
		return "Per CPython version (start-up at main=stdlib; forkserver: nothing preloaded / the main module's imports preloaded):\n\n" +
			"| python | default method | fork with a thread warns | fork start-up | forkserver, nothing preloaded | forkserver, preloaded | nothing preloaded / fork |\n|---|---|---|---|---|---|---|\n"
	case 3:
		return "Per CPython version:\n\n| python | default method | fork with a thread warns | fork start-up | forkserver start-up | forkserver / fork |\n|---|---|---|---|---|---|\n"
	}
	return "Per CPython version (the default-method probe only: no version has its start-up cells at main=stdlib, see the verdict):\n\n" +
		"| python | default method | fork with a thread warns |\n|---|---|---|\n"
}

// c14VersionSource says where the per-version start-up columns come from
// (the variants run), or, where no version has them (perVersion false),
// why: which cells they need, and what the variants run holds instead.
func c14VersionSource(d *claimData, perVersion bool) string {
	src := d.sources
	switch {
	case perVersion && len(d.find("source", "variants")) > 0:
		return "Per version (main=stdlib) in the table, from the variants run " + src.VariantsName + " (" + runLine(src.Variants) + "; another run than this one: compare within a table, not across)."
	case perVersion:
		return "Per version (main=stdlib) in the table, from matrix cells of this run."
	case src != nil && src.VariantsErr != nil:
		return "Per-version start-up: the variants run " + src.VariantsName + " could not be read (" + src.VariantsErr.Error() + ")."
	case src != nil && src.Variants != nil:
		return "No per-version start-up: the variants run " + src.VariantsName + " (" + runLine(src.Variants) + ") holds none of the cells it needs " +
			"(Startup/impl=cpython3.N/method=fork, method=forkserver/preload=none and method=forkserver, each at main=stdlib/chan=pipe/rss=0: `mpbench run " + variantsSelection + "`); " +
			"of start-up at chan=pipe, rss=0 it holds " + c14VariantsHolds(d) + "."
	}
	return "Per-version start-up is not measured by the claims: it is the variants profile's (`mpbench run " + variantsSelection + "`); render with --variants DIR to include it."
}

// c14VariantsHolds names the variants run's start-up cells C14 read
// (chan=pipe, rss=0): their number, versions, methods, main weights and
// fork-server preloads.
func c14VariantsHolds(d *claimData) string {
	ss := d.find("source", "variants")
	if len(ss) == 0 {
		return "no cell of a CPython version"
	}
	keys := func(key, absent string) string {
		var out []string
		for _, s := range ss {
			v, ok := s.kv[key]
			if !ok {
				v = absent
			}
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		if len(out) == 0 {
			return "no cell with " + key + "=…"
		}
		sort.SliceStable(out, func(i, j int) bool { // cpython3.8 before cpython3.10
			return minorOf(strings.TrimPrefix(out[i], "cpython")) < minorOf(strings.TrimPrefix(out[j], "cpython"))
		})
		return key + "=" + strings.Join(out, ", ")
	}
	return fmt.Sprintf("%d cells (%s; %s; %s; %s)", len(ss), keys("impl", ""), keys("method", ""), keys("main", bench.MainStub), keys("preload", ""))
}

// runLine names a results file's machine and time.
func runLine(f *view.Run) string {
	var parts []string
	for _, k := range []string{"host-label", "cpu", "nproc", "mpbench-version", "start"} {
		if v := f.ConfigValue(k); v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	return strings.Join(parts, ", ")
}

// c14Probe is a version's default start method (fork, forkserver, other)
// and whether fork with a running thread warns (yes, no).
func c14Probe(d *claimData, ver string) (def, warns string) {
	df, _ := d.stat("default-fork", "python", ver, "check", "default-method")
	dfs, _ := d.stat("default-forkserver", "python", ver, "check", "default-method")
	warn, _ := d.stat("fork-thread-warning", "python", ver, "check", "default-method")
	def, warns = "other", "no"
	switch {
	case df.all():
		def = "fork"
	case dfs.all():
		def = "forkserver"
	}
	if warn.all() {
		warns = "yes"
	}
	return def, warns
}

// c14Stats are the start-up statistics of C14's three cells of an impl
// and main weight: fork, forkserver preloading nothing, forkserver
// preloading the main module's imports.
func c14Stats(d *claimData, impl, main string) (fk, bare, pre stat, ok bool) {
	mainKey := main
	if main == bench.MainStub {
		mainKey = ""
	}
	get := func(method, preload string) (stat, bool) {
		return d.stat("ns/op", "workload", bench.Startup, "impl", impl, "method", method, "preload", preload, "main", mainKey, "rss", "0")
	}
	fk, ok1 := get("fork", "")
	bare, ok2 := get("forkserver", bench.PreloadNone)
	pre, ok3 := get("forkserver", "")
	return fk, bare, pre, ok1 && ok2 && ok3
}

// c14Columns are a version row's start-up columns (— when not measured).
func c14Columns(d *claimData, impl, main string) string {
	fk, bare, pre, ok := c14Stats(d, impl, main)
	if !ok {
		return "— | — | — | —"
	}
	return fmt.Sprintf("%s (%s) | %s (%s) | %s (%s) | %.1f×", bench.FormatNs(fk.med), fmtCI(fk), bench.FormatNs(bare.med), fmtCI(bare),
		bench.FormatNs(pre.med), fmtCI(pre), ratio(bare, fk))
}

// c14Default writes the default interpreter's table (impl=cpython, per
// main weight; the main=stub cells are C1's) and returns the sentence on
// the cost of the switch, and the numbers' rows.
func c14Default(d *claimData, b *strings.Builder) (string, []row) {
	var rows []row
	var parts []string
	b.WriteString("\nThe default interpreter (impl=cpython; the main=stub cells are C1's), start-up per child:\n\n" +
		"| main | fork | forkserver, nothing preloaded | forkserver, preloaded | nothing preloaded / fork | preloaded / fork |\n|---|---|---|---|---|---|\n")
	for _, w := range []string{bench.MainStub, bench.MainStdlib} {
		fk, bare, pre, ok := c14Stats(d, "cpython", w)
		if !ok {
			fmt.Fprintf(b, "| %s | — | — | — | — | — |\n", w)
			continue
		}
		fmt.Fprintf(b, "| %s | %s (%s) | %s (%s) | %s (%s) | %.1f× | %.1f× |\n", w, bench.FormatNs(fk.med), fmtCI(fk),
			bench.FormatNs(bare.med), fmtCI(bare), bench.FormatNs(pre.med), fmtCI(pre), ratio(bare, fk), ratio(pre, fk))
		rows = append(rows, statRow("main="+w+", fork start-up", fk), statRow("main="+w+", forkserver start-up, nothing preloaded", bare),
			statRow("main="+w+", forkserver start-up, main module's imports preloaded", pre))
		parts = append(parts, fmt.Sprintf("%.1f× fork's start-up at main=%s (%s per child; %.1f× with set_forkserver_preload)",
			ratio(bare, fk), w, fmtDelta(bare.med-fk.med), ratio(pre, fk)))
	}
	if len(parts) == 0 {
		return "The default interpreter's start-up cells are missing.", rows
	}
	return "Its cost, for a program that keeps the default without set_forkserver_preload (a fork server that preloads nothing; from CPython 3.13.8 / 3.14.1 on the server loads __main__ when it is in the preload list, whose default is ['__main__'] — per CPython's tracker, gh-126631; no such version is installed here), on the default interpreter: " +
		strings.Join(parts, "; ") + ".", rows
}

// minorOf turns "3.12" into 312 (0 when malformed).
func minorOf(ver string) int {
	a, b, _ := strings.Cut(ver, ".")
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x*100 + y
}

// ---------------------------------------------------------------- helpers

// values lists the distinct values of key among the series matching
// filter, in order of appearance.
func (d *claimData) values(key string, filter ...string) []string {
	var out []string
	for _, s := range d.find(filter...) {
		if v, ok := s.kv[key]; ok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func bytesOf(s string) float64 {
	n, err := bench.ParseSize(s)
	if err != nil {
		return math.NaN()
	}
	return float64(n)
}

func sortSizes(s []string) {
	sort.SliceStable(s, func(i, j int) bool { return bytesOf(s[i]) < bytesOf(s[j]) })
}

func sortedSizes(s []string) []string { sortSizes(s); return s }

func perCore(w, cores int) string {
	if cores == 0 {
		return "?"
	}
	return strconv.FormatFloat(float64(w)/float64(cores), 'g', 3, 64) + "×"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// fmtDelta writes a signed duration difference.
func fmtDelta(ns float64) string {
	if ns >= 0 {
		return "+" + bench.FormatNs(ns)
	}
	return "−" + bench.FormatNs(-ns)
}

// unitText is how CLAIMS.md names a unit that bench.Metrics does not
// have: task-times, the claims' own (a map's makespan in task times).
func unitText(unit string) string {
	if unit == "task-times" {
		return "task times"
	}
	return unit
}

// fmtCI writes the confidence interval through bench.Format (its ends
// with their unit for durations, bare numbers otherwise); benchmath's
// order-statistics interval can have a higher level than 95%, which is
// then named; with fewer than 6 runs it is the range of the per-run
// medians, marked so.
func fmtCI(s stat) string {
	if s.n < 2 {
		return "—"
	}
	f := func(x float64) string {
		if bench.IsDuration(s.unit) {
			return bench.Format(s.unit, x)
		}
		return bench.Format("", x)
	}
	txt := f(s.lo) + " … " + f(s.hi)
	if s.conf == 0 {
		txt += " (range)"
	} else if s.conf > 0.955 {
		txt += fmt.Sprintf(" (%.0f%%)", math.Floor(s.conf*1000)/10)
	}
	return txt
}
