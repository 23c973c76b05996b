package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The guide's row on a pool's life: a pool that lives for one map pays
// its workers' start and stop in that map (exec=pool-cold, ppe-cold,
// loky-cold: create, one map of cpu tasks, shut down, all timed), and a
// map of many tiny tasks pays the executor's work per task and per chunk
// (task=tiny, the chunksize sweep of bench.UserCells). A run without such
// cells has no row.

// coldExecs are the executors whose every map is a whole pool life.
var coldExecs = append([]string{bench.ExecLokyCold}, bench.ColdExecs...)

// poolLifeRow compares the cold executors × start methods by the ratio of
// run medians of their makespans (one impl, the largest core count, the
// workers of the most cells) and says what chunksize does.
func (g *Guide) poolLifeRow(d *Data, r *view.Run) {
	pool := onlyRun(d.workload(bench.Pool), r)
	cold := view.Select(pool, func(c *view.Cell) bool { return slices.Contains(coldExecs, c.Cell.Exec) && c.Has("ns/op") })
	tiny := view.Select(pool, func(c *view.Cell) bool { return c.Cell.Task == bench.TinyTask && c.Has("ns/op") })
	if len(cold) == 0 && len(tiny) == 0 {
		return
	}
	row := newRow(bench.QPoolLife, "(create + one map + shut down; many tiny tasks)")
	if len(cold) == 0 {
		row.Choice = "not measured in this run"
		row.Cost = "— (no cold-pool cells: exec=" + strings.Join(coldExecs, ", ") + ")"
	} else {
		cold = coldScope(cold)
		c0 := cold[0].Cell
		var opts []option
		for _, c := range cold {
			opts = append(opts, option{c.Cell.Method + " + " + c.Cell.Exec, d.Stat(c, "ns/op")})
		}
		best, second, decided := pick(opts, false)
		row.setChoice(best, second, decided)
		row.Cost = fmt.Sprintf("a fresh pool's whole life (%d workers, one map of %d cpu tasks): %s%s (impl=%s, cores=%d)",
			c0.Workers, c0.Tasks, versus(best, second, "ns/op"), ratioText(best, second, false), c0.Impl, c0.Cores)
	}
	row.Flip = chunkFlip(d, r, tiny)
	g.Rows = append(g.Rows, row)
}

// coldScope narrows cold-pool cells to one impl (cpython first), the
// largest core count and, there, the largest worker count.
func coldScope(cells []*view.Cell) []*view.Cell {
	impl := prefer(present(bench.KnownImpls(), cells, func(c bench.Cell) string { return c.Impl }), "cpython")
	cells = view.Select(cells, func(c *view.Cell) bool { return c.Cell.Impl == impl })
	cores, workers := 0, 0
	for _, c := range cells {
		cores = max(cores, c.Cell.Cores)
	}
	cells = view.Select(cells, func(c *view.Cell) bool { return c.Cell.Cores == cores })
	for _, c := range cells {
		workers = max(workers, c.Cell.Workers)
	}
	return view.Select(cells, func(c *view.Cell) bool { return c.Cell.Workers == workers })
}

// chunkFlip is what chunksize does to a map of many tiny tasks, per
// executor: every chunksize measured, and the ratio of chunksize=1 (or the
// default) to the fastest.
func chunkFlip(d *Data, r *view.Run, tiny []*view.Cell) string {
	var parts []string
	for _, g := range view.GroupBy(tiny, func(c *view.Cell) string {
		return fmt.Sprint(c.Cell.Impl, "/", c.Cell.Method, "/", c.Cell.Exec, "/", c.Cell.Workers)
	}) {
		c0 := g.Cells[0].Cell
		var opts []option
		for _, c := range g.Cells {
			opts = append(opts, option{chunkLabel(c.Cell), d.Stat(c, "ns/op")})
		}
		best, second, decided := pick(opts, false)
		if best == nil || second == nil {
			continue
		}
		slowest := opts[0]
		for _, o := range opts {
			if o.s.N > 0 && o.s.Median > slowest.s.Median {
				slowest = o
			}
		}
		parts = append(parts, fmt.Sprintf("%s (method=%s, %d workers), a map of %d tiny tasks: %s; %s (%s/%s = %s)",
			c0.Exec, c0.Method, c0.Workers, c0.Tasks, choose(best, second, decided), optionsText(opts, "ns/op"),
			slowest.label, best.label, ratioCI(slowest.s, best.s)))
	}
	if len(parts) == 0 {
		return "a pool that lives for many maps pays its workers' start once (row Long-lived workers); no chunksize maps in this run"
	}
	return strings.Join(parts, "; ") + ". A pool that lives for many maps pays its workers' start once (row Long-lived workers)"
}

// chunkLabel is "chunksize=N", or "default chunksize (N)" with the
// executor's default (Pool.map: ceil(tasks / (4 × workers)); the others 1).
func chunkLabel(c bench.Cell) string {
	if c.Chunksize != 0 {
		return fmt.Sprintf("chunksize=%d", c.Chunksize)
	}
	n := 1
	if c.Exec == bench.ExecPool {
		n = (c.Tasks + 4*c.Workers - 1) / (4 * c.Workers)
	}
	return fmt.Sprintf("default chunksize (%d)", n)
}
