package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The memory section and guide row: the memory cells (bench/memory.go),
// the PSS and USS of each worker by start method, touch and parent size.
// A run without memory cells has neither.

// memoryNote explains the memory tables.
const memoryNote = "Each sample starts `workers` children from a parent holding `rss` bytes of Python objects (a list of [int, 1000-byte bytes] entries, collected once into the oldest generation) and reads every child's /proc/<pid>/smaps_rollup while all are alive. " +
	"USS = Private_Clean + Private_Dirty, the pages only that child maps (what its exit frees); PSS counts a page shared by k processes as 1/k; the pool's total PSS is workers × the mean. " +
	"touch: none = the child reads nothing of the parent's objects; read = it reads every entry (reference counts written: copy-on-write copies the pages); gc = it runs one full gc.collect(); -frozen = the same after gc.freeze() in the parent (fork only: spawn and forkserver children do not have the parent's objects)."

// memoryTables: per run and core count, USS and PSS per worker, rows impl
// × method × touch, columns the parent sizes.
func (d *Data) memoryTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		cells := onlyRun(d.workload(bench.Memory), r)
		for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return fmt.Sprint(c.Cell.Cores) }) {
			cores := g.Cells[0].Cell.Cores
			rss := presentInts(g.Cells, func(c bench.Cell) int64 { return c.RSS })
			for _, spec := range []struct{ unit, what string }{{"uss-B", "USS"}, {"pss-B", "PSS"}} {
				t := &Table{Name: fmt.Sprintf("memory-%s-cores%d%s", strings.ToLower(spec.what), cores, d.suffix(r)), Section: bench.Memory,
					Title:  fmt.Sprintf("Memory per worker: %s by start method, touch and parent rss, cores=%d%s", spec.what, cores, d.titleSuffix(r)),
					Header: []string{"impl", "method", "touch", "workers"}, Left: 4, Caption: statNote + " " + memoryNote}
				for _, v := range rss {
					t.Header = append(t.Header, "rss="+sizeLabel(v))
				}
				groups := view.GroupBy(g.Cells, func(c *view.Cell) string {
					return c.Cell.Impl + "/" + c.Cell.Method + "/" + c.Cell.Touch + "/" + fmt.Sprint(c.Cell.Workers)
				})
				slices.SortStableFunc(groups, func(a, b view.Group) int { return memoryOrder(a.Cells[0].Cell) - memoryOrder(b.Cells[0].Cell) })
				for _, k := range groups {
					c0 := k.Cells[0].Cell
					row := []string{c0.Impl, c0.Method, c0.Touch, fmt.Sprint(c0.Workers)}
					for _, v := range rss {
						c0.RSS = v
						if c := d.find(r, c0); c != nil {
							row = append(row, d.statEntry(c, spec.unit))
						} else {
							row = append(row, "")
						}
					}
					t.Rows = append(t.Rows, row)
				}
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// memoryOrder sorts memory rows by method, then touch (bench.Methods,
// bench.MemoryTouches order; impls keep their order).
func memoryOrder(c bench.Cell) int {
	return 10*slices.Index(bench.Methods, c.Method) + slices.Index(bench.MemoryTouches, c.Touch)
}

// memoryRow is the guide's row on memory per worker: at the largest
// parent measured, the start methods' USS per worker with touch=none
// compared by the ratio of run medians; what reading the parent's objects
// does to a fork child, and what gc.freeze() changes.
func (g *Guide) memoryRow(d *Data, r *view.Run) {
	cells := view.Select(onlyRun(d.workload(bench.Memory), r), func(c *view.Cell) bool { return c.Has("uss-B") })
	if len(cells) == 0 {
		return
	}
	impl := prefer(present(bench.KnownImpls(), cells, func(c bench.Cell) string { return c.Impl }), "cpython")
	cells = view.Select(cells, func(c *view.Cell) bool { return c.Cell.Impl == impl && c.Cell.Touch == bench.TouchNone })
	if len(cells) == 0 {
		return
	}
	base := cells[0].Cell
	for _, c := range cells {
		if c.Cell.RSS > base.RSS || (c.Cell.RSS == base.RSS && c.Cell.Cores > base.Cores) {
			base = c.Cell
		}
	}
	var uss, pss []option
	for _, m := range bench.Methods {
		b := base
		b.Method = m
		if c := d.find(r, b); c.Has("uss-B") {
			uss = append(uss, option{m, d.Stat(c, "uss-B")})
			pss = append(pss, option{m, d.Stat(c, "pss-B")})
		}
	}
	best, second, decided := pick(uss, false)
	row := newRow(bench.QMemory, fmt.Sprintf("(what one of %d workers adds, parent rss=%s)", base.Workers, sizeLabel(base.RSS)))
	row.setChoice(best, second, decided)
	row.Cost = fmt.Sprintf("USS per worker (the pages only it maps): %s%s; PSS per worker: %s (impl=%s, touch=none, cores=%d)",
		optionsText(uss, "uss-B"), ratioText(best, second, false), optionsText(pss, "pss-B"), impl, base.Cores)
	row.Flip = g.memoryFlip(d, r, base)
	g.Rows = append(g.Rows, row)
}

// memoryFlip is what changes a fork worker's memory: reading the parent's
// objects (touch=read vs none) and gc.freeze() (read-frozen vs read,
// gc-frozen vs gc), each as a ratio of USS run medians with its CI.
func (g *Guide) memoryFlip(d *Data, r *view.Run, base bench.Cell) string {
	base.Method = "fork"
	stat := func(touch string) (view.Stats, bool) {
		b := base
		b.Touch = touch
		c := d.find(r, b)
		if !c.Has("uss-B") {
			return view.Stats{}, false
		}
		return d.Stat(c, "uss-B"), true
	}
	var parts []string
	for _, p := range []struct{ a, b, what string }{
		{bench.TouchRead, bench.TouchNone, "a fork child that reads every object of the parent"},
		{bench.TouchGC, bench.TouchNone, "one that runs a full gc.collect()"},
		{bench.TouchReadFrozen, bench.TouchRead, "gc.freeze() in the parent, then reading every object"},
		{bench.TouchGCFrozen, bench.TouchGC, "gc.freeze() in the parent, then gc.collect()"},
	} {
		a, okA := stat(p.a)
		b, okB := stat(p.b)
		if !okA || !okB {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s: USS %s (touch=%s/%s = %s)", p.what, fmtStat("uss-B", a), p.a, p.b, ratioCI(a, b)))
	}
	if len(parts) == 0 {
		return "fork children share the parent's pages until they write them; no fork cells with other touches in this run"
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(" (rss=%s)", sizeLabel(base.RSS))
}

// optionsText is "fork 3.1 MiB [3.0, 3.2], spawn …".
func optionsText(opts []option, unit string) string {
	var out []string
	for _, o := range opts {
		out = append(out, o.label+" "+fmtStat(unit, o.s))
	}
	return strings.Join(out, ", ")
}
