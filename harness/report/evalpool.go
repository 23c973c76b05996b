package report

import (
	"fmt"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The pool question of the evaluation: does the start method matter for
// workers that live for a whole map?

// loopPool are the pool cells of a worker loop (exec=loop or no exec key)
// of an impl, task and core count.
func (d *Data) loopPool(r *view.Run, impl, task string, cores int) []*view.Cell {
	return view.Select(onlyRun(d.workload(bench.Pool), r), func(c *view.Cell) bool {
		e := c.Get("exec")
		return c.Cell.Impl == impl && c.Cell.Task == task && c.Cell.Cores == cores && (e == "" || e == bench.ExecLoop)
	})
}

// tasksPerWorker is k when every cell runs k tasks per worker (weak
// scaling), else 0.
func tasksPerWorker(cells []*view.Cell) int {
	k := 0
	for _, c := range cells {
		if c.Cell.Workers == 0 || c.Cell.Tasks%c.Cell.Workers != 0 {
			return 0
		}
		if x := c.Cell.Tasks / c.Cell.Workers; k == 0 || x == k {
			k = x
		} else {
			return 0
		}
	}
	return k
}

func (d *Data) evalPool(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	pc := d.loopPool(r, g.Impl, bench.DecisionTask, g.Cores)
	if len(pc) == 0 {
		return nil
	}
	ch := prefer(present(bench.Chans, pc, func(c bench.Cell) string { return c.Chan }), bench.DecisionChan)
	pc = view.Select(pc, func(c *view.Cell) bool { return c.Cell.Chan == ch })
	methods := present(bench.Methods, pc, func(c bench.Cell) string { return c.Method })
	m := prefer(methods, bench.DecisionMethod)
	b := &evalBlock{V: map[string]string{"impl": g.Impl, "chan": ch, "cores": fmt.Sprint(g.Cores)}}
	b.Method = methodText(r, onlyRun(d.workload(bench.Pool), r), "pool cells (every implementation, executor, channel, worker count and core count)") +
		fmt.Sprintf(" A sample is the makespan of one map of %s tasks, timed after every worker has reported ready; the table shows %s, chan=%s, exec=loop, cores=%d.", bench.DecisionTask, g.Impl, ch, g.Cores)
	if k := tasksPerWorker(pc); k > 0 {
		b.V["perWorker"] = fmt.Sprint(k)
		b.Method += fmt.Sprintf(" Each map has %d tasks per worker (weak scaling: the work grows with the workers).", k)
	}
	b.fig = d.pickFigure(r, figs, bench.Pool, fmt.Sprintf("pool-cpu-%s-cores%d", g.Impl, g.Cores))
	var rows [][]string
	for _, w := range presentInts(pc, func(c bench.Cell) int64 { return int64(c.Workers) }) {
		var c0 *view.Cell
		row := []string{fmt.Sprint(w)}
		for _, mm := range methods {
			var c *view.Cell
			for _, x := range pc {
				if x.Cell.Workers == int(w) && x.Cell.Method == mm {
					c = x
				}
			}
			if mm == m {
				c0 = c
			}
			row = append(row, compact("ns/op", d.Stat(c, "ns/op")))
		}
		if c0 == nil {
			continue
		}
		row = append([]string{row[0], fmt.Sprint(c0.Cell.Tasks)}, row[1:]...)
		rows = append(rows, append(row, compact("efficiency", d.Stat(c0, "efficiency"))))
	}
	b.Table = mdTable(append(append([]string{"workers", "tasks"}, methods...), "efficiency ("+m+")"), 2, rows)
	b.Findings = d.poolFindings(r)
	if starts, ref := d.workerStarts(r, g.Impl, g.Cores); len(starts) > 0 && ref != nil {
		b.V["makespan"] = plain("ns/op", d.Stat(ref, "ns/op"))
		b.Change = append(b.Change, fmt.Sprintf("The pool's lifetime: %s (the guide's pool row states the same). A pool that lives for fewer maps than that pays its start method; one that lives long amortises it.",
			d.startsInMaps(starts, ref)))
	}
	b.Change = append(b.Change, "More workers than cores: the workers share the cores, so a map of more tasks takes longer however the workers were started.",
		"Short tasks: when a task lasts about as long as sending it, the channel and the executor's dispatch show in the makespan (the executors' tables).")
	return b
}

// workerStarts is what starting and joining one worker costs by start
// method — the start-up cells of impl (one Process, chan=DecisionChan,
// rss=0, at cores), cheapest first — and the reference map it is stated
// in: the makespan of the decision pool (method=DecisionMethod, exec=loop,
// chan=DecisionChan, task=DecisionTask, the largest workers ≤ cores; nil
// when not measured). The guide's pool row and the Pools section both
// state it through startsInMaps.
func (d *Data) workerStarts(r *view.Run, impl string, cores int) (starts []option, ref *view.Cell) {
	for _, m := range bench.Methods {
		if c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: impl, Method: m, Chan: bench.DecisionChan, Cores: cores}); c.Has("ns/op") {
			starts = append(starts, option{m, d.startJoin(c)})
		}
	}
	for _, c := range d.poolAt(r, impl, cores, bench.ExecLoop) {
		if c.Cell.Method == bench.DecisionMethod && c.Cell.Chan == bench.DecisionChan && c.Has("ns/op") {
			ref = c
		}
	}
	return sortedOpts(starts), ref
}

// startsInMaps is "a worker's start+join (one Process, chan=pipe, rss=0)
// = fork 1.16, forkserver 1.83, spawn 5.32 maps of `fork` + pipe (exec=loop,
// 2 workers, 16 tasks: 19.1 ms [16.4, 20.5])": each start method's
// start+join over the reference map's makespan, medians.
func (d *Data) startsInMaps(starts []option, ref *view.Cell) string {
	span := d.Stat(ref, "ns/op")
	var parts []string
	for _, o := range starts {
		parts = append(parts, o.label+" "+sig3(o.s.Median/span.Median))
	}
	c := ref.Cell
	return fmt.Sprintf("a worker's start+join (one Process, chan=%s, rss=0) = %s maps of `%s` + %s (exec=%s, %d workers, %d %s tasks: %s)",
		bench.DecisionChan, strings.Join(parts, ", "), c.Method, c.Chan, bench.ExecLoop, c.Workers, c.Tasks, c.Task, plain("ns/op", span))
}
