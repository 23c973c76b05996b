package report

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The remaining questions of the evaluation: Python versions, hosts and
// cores, and the hazard of threads with fork.

func (d *Data) evalVersions(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	vs := d.versionsOf(r)
	b := &evalBlock{V: map[string]string{"version": r.ConfigValue("cpython-version")}}
	if len(vs) < 2 {
		links := siblingReports(r, filepath.Base(filepath.Clean(r.Dir))+"-variants")
		if len(links) == 0 {
			return nil
		}
		b.Method = fmt.Sprintf("This run measured one CPython version (%s); the variants run measures the headline cells under each installed CPython version: %s.",
			orDash(r.ConfigValue("cpython-version")), strings.Join(links, ", "))
		return b
	}
	var cells []*view.Cell
	for _, c := range r.Cells {
		if versionImpl.MatchString(implOf(c)) {
			cells = append(cells, c)
		}
	}
	cores := d.maxCoresOf(r, vs)
	b.Method = methodText(r, cells, fmt.Sprintf("the headline cells under each CPython version found (%s … %s)", vs[0], vs[len(vs)-1])) +
		fmt.Sprintf(" The table compares each version with the next at cores=%d; a jump is shown where the ratio of run medians decides.", cores)
	b.fig = d.pickFigure(r, figs, "versions", fmt.Sprintf("versions-cores%d", cores))
	var rows [][]string
	for _, m := range versionMetrics(int64(cores)) {
		row, ok := d.versionRow(r, vs, m)
		if ok {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return nil // the version cells measure other main modules (their own section)
	}
	b.Table = mdTable([]string{"metric", "oldest", "newest", "jumps the CI decides (ratio new/old)"}, 1, rows)
	b.Change = append(b.Change, "The default start method: CPython 3.14 changed Linux's default from `fork` to `forkserver`; a program that does not choose changes cost with it (the start cost question).")
	return b
}

// versionRow is a metric over the versions: the oldest and newest values
// and every adjacent jump whose ratio the CI decides.
func (d *Data) versionRow(r *view.Run, vs []string, m vmetric) ([]string, bool) {
	type pt struct {
		v string
		s view.Stats
	}
	var pts []pt
	unit := m.unit
	for _, v := range vs {
		if c := d.versionCell(r, v, m); c != nil {
			if s, u := d.metricStat(c, m.unit); s.N > 0 {
				pts, unit = append(pts, pt{strings.TrimPrefix(v, "cpython"), s}), u
			}
		}
	}
	if len(pts) < 2 {
		return nil, false
	}
	var jumps []string
	for i := 1; i < len(pts); i++ {
		if decides(pts[i].s, pts[i-1].s) {
			jumps = append(jumps, fmt.Sprintf("%s → %s: %s", pts[i-1].v, pts[i].v, ratioCI(pts[i].s, pts[i-1].s)))
		}
	}
	j := "none"
	if len(jumps) > 0 {
		j = strings.Join(jumps, "; ")
	}
	first, last := pts[0], pts[len(pts)-1]
	return []string{m.label, first.v + ": " + compact(unit, first.s), last.v + ": " + compact(unit, last.s), j}, true
}

func (d *Data) evalCores(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	pp := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	cores := coresList(pp)
	b := &evalBlock{V: map[string]string{"impl": g.Impl, "machine": machineShort(r)}}
	var hosts []string
	if !d.Multi { // several runs: the section's introduction has the hosts
		hosts = siblingReports(r, "hosts-*")
	}
	if len(cores) < 2 && len(hosts) == 0 {
		return nil
	}
	if all := coresList(view.Select(onlyRun(d.Cells, r), func(c *view.Cell) bool { return c.Parsed })); len(cores) < 2 && len(all) > 0 {
		b.Method = fmt.Sprintf("This run measured its cells at %s; other machines and core counts are in the reports linked below.", plural(len(all), "CPU-set size", "CPU-set sizes")+" (cores="+joinInts(all)+")")
	}
	if len(cores) >= 2 {
		size := presentInts(pp, func(c bench.Cell) int64 { return c.Size })[0]
		m := prefer(present(bench.Methods, pp, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
		at := view.Filter(pp, func(c bench.Cell) bool { return c.Method == m && c.Size == size })
		u := rttUnit(at...) // the figure's and the key figure's round trip
		b.Method = methodText(r, pp, fmt.Sprintf("ping-pong cells of %s under CPU sets of %s cores", g.Impl, joinInts(cores))) +
			fmt.Sprintf(" The table shows the %s (%s; the figure's metric too) at size=%s, method=%s.", rttName(u), rttDoc(u), sizeLabel(size), m)
		b.fig = d.pickFigure(r, figs, bench.Pingpong, "cores-pingpong-"+g.Impl)
		var rows [][]string
		for _, ch := range present(bench.Chans, pp, func(c bench.Cell) string { return c.Chan }) {
			row := []string{ch}
			var first, last view.Stats
			for i, k := range cores {
				s := d.Stat(d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: m, Chan: ch, Size: size, Cores: k}), u)
				row = append(row, compact(u, s))
				if i == 0 {
					first = s
				}
				last = s
			}
			rows = append(rows, append(row, ratioCI(last, first)))
		}
		hdr := []string{rttName(u)}
		for _, k := range cores {
			hdr = append(hdr, fmt.Sprintf("cores=%d", k))
		}
		b.Table = mdTable(append(hdr, fmt.Sprintf("cores=%d / cores=%d", cores[len(cores)-1], cores[0])), 1, rows)
	}
	if len(hosts) > 0 {
		b.Findings = append(b.Findings, "Hosts side by side: "+strings.Join(hosts, ", ")+".")
	}
	b.Change = append(b.Change, "Another machine: the core count, the CPU's wake-up latency and the kernel decide the round trip; the hosts comparison measures the same cells on each host.")
	return b
}

func joinInts(xs []int) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ", ")
}

func (d *Data) evalHazards(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	held, real := c7Trials(r)
	if len(held) == 0 && len(real) == 0 {
		return nil
	}
	b := &evalBlock{V: map[string]string{}}
	b.Method = "Claim C7 of `mpbench claims` (the run's claims.bench): per start method, children started while a parent thread holds a lock (held: by construction) " +
		"or while a background thread takes and releases a lock in a loop (real); a child still running a grace period after it reached the lock counts as deadlocked."
	var rows [][]string
	for _, m := range bench.Methods {
		row := []string{m}
		for _, t := range []map[string]*c7Tally{held, real} {
			if x := t[m]; x != nil {
				row = append(row, fmt.Sprintf("%d of %d (%s)", x.dead, x.n, rateCI(x)))
			} else {
				row = append(row, "—")
			}
		}
		rows = append(rows, row)
	}
	b.Table = mdTable([]string{"method", "lock held at fork time", "a thread taking the lock in a loop"}, 1, rows)
	if x := real["fork"]; x != nil {
		b.V["forkReal"] = fmt.Sprintf("%d of %d", x.dead, x.n)
	}
	b.Change = append(b.Change, "No thread that could hold a lock when the children start (threads started only after the pool, or none): then fork is safe.",
		"CPython 3.12 and later warn (DeprecationWarning) when a process with threads forks; 3.14's default on Linux, `forkserver`, forks from a server without the parent's threads.")
	return b
}
