package report

import (
	"fmt"
	"math"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// Findings are short sentences computed from the data ("what this
// shows"). Every number in them comes from the samples.

// prefer returns want if it is among vals, else the first of vals.
func prefer(vals []string, want string) string {
	for _, v := range vals {
		if v == want {
			return v
		}
	}
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

// cmpText describes b relative to a: "31.2× fork (p=0.000)" or
// "not significantly different from fork (p=0.412)".
func cmpText(cmp Comparison, baseName string) string {
	if !cmp.Significant {
		return fmt.Sprintf("not significantly different from %s (~)", baseName)
	}
	return fmt.Sprintf("%s× %s", sig3(cmp.Ratio), baseName)
}

// findingScope is what the findings of a message workload in a run read:
// its cells, their sizes and core counts (sorted), and the method they
// compare at (fork when measured); ok is false when the run has none.
func (d *Data) findingScope(r *view.Run, w string) (cells []*view.Cell, sizes []int64, cores []int, m string, ok bool) {
	cells = onlyRun(d.workload(w), r)
	if len(cells) == 0 {
		return nil, nil, nil, "", false
	}
	sizes = presentInts(cells, func(c bench.Cell) int64 { return c.Size })
	cores = coresList(cells)
	m = prefer(present(bench.Methods, cells, func(c bench.Cell) string { return c.Method }), "fork")
	return cells, sizes, cores, m, true
}

func (d *Data) pingpongFindings(r *view.Run) []string {
	cells, sizes, cores, m, ok := d.findingScope(r, bench.Pingpong)
	if !ok {
		return nil
	}
	var out []string
	maxCores := cores[len(cores)-1]
	unit := "p50-ns"
	chans := present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan })
	ch := prefer(chans, "pipe")
	for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
		// Fastest channel at the smallest size.
		var best *view.Cell
		n := 0
		for _, ch := range chans {
			c := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: impl, Method: m, Chan: ch, Size: sizes[0], Cores: maxCores})
			if c.Has(unit) {
				n++
				if best == nil || d.Stat(c, unit).Median < d.Stat(best, unit).Median {
					best = c
				}
			}
		}
		if best != nil && n > 1 {
			out = append(out, fmt.Sprintf("%s: fastest channel at size=%s is %s with a p50 round trip of %s (method=%s, cores=%d).",
				impl, sizeLabel(sizes[0]), best.Cell.Chan, bench.Format("ns/op", d.Stat(best, unit).Median), m, maxCores))
		}
		if len(cores) > 1 {
			a := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: impl, Method: m, Chan: ch, Size: sizes[0], Cores: cores[0]})
			b := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: impl, Method: m, Chan: ch, Size: sizes[0], Cores: maxCores})
			if a.Has(unit) && b.Has(unit) {
				cmp := CompareStats(d.Stat(a, unit), d.Stat(b, unit))
				out = append(out, fmt.Sprintf("%s: p50 round trip at cores=%d is %s: %s vs %s (method=%s, chan=%s, size=%s).",
					impl, maxCores, cmpText(cmp, fmt.Sprintf("cores=%d", cores[0])), bench.Format("ns/op", cmp.New), bench.Format("ns/op", cmp.Base), m, ch, sizeLabel(sizes[0])))
			}
		}
		if impl != "native" {
			a := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: "native", Method: m, Chan: ch, Size: sizes[0], Cores: maxCores})
			b := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: impl, Method: m, Chan: ch, Size: sizes[0], Cores: maxCores})
			if a.Has(unit) && b.Has(unit) {
				cmp := CompareStats(d.Stat(a, unit), d.Stat(b, unit))
				out = append(out, fmt.Sprintf("%s p50 round trip is %s (method=%s, chan=%s, size=%s, cores=%d).",
					impl, cmpText(cmp, "native"), m, ch, sizeLabel(sizes[0]), maxCores))
			}
		}
	}
	return out
}

func (d *Data) streamFindings(r *view.Run) []string {
	cells, sizes, cores, m, ok := d.findingScope(r, bench.Stream)
	if !ok {
		return nil
	}
	var out []string
	maxCores := cores[len(cores)-1]
	for _, impl := range present(bench.Impls, cells, func(c bench.Cell) string { return c.Impl }) {
		var best *view.Cell
		for _, c := range cells {
			if c.Cell.Impl == impl && c.Cell.Payload != "tensor" && c.Has("MB/s") && (best == nil || d.Stat(c, "MB/s").Median > d.Stat(best, "MB/s").Median) {
				best = c
			}
		}
		if best != nil {
			b := best.Cell
			out = append(out, fmt.Sprintf("%s: highest throughput of bytes through a channel %s with method=%s, chan=%s%s, size=%s, cores=%d.",
				impl, fmtStat("MB/s", d.Stat(best, "MB/s")), b.Method, b.Chan, payloadText(b), sizeLabel(b.Size), b.Cores))
		}
		// shm against pipe over every size: the range of the ratio and in
		// how many sizes shm is ahead, not one size picked at its best.
		var lo, hi float64 = math.Inf(1), math.Inf(-1)
		var loAt, hiAt int64
		ahead, behind, n := 0, 0, 0
		for _, size := range sizes {
			p := d.find(r, bench.Cell{Workload: bench.Stream, Impl: impl, Method: m, Chan: "pipe", Size: size, Cores: maxCores})
			s := d.find(r, bench.Cell{Workload: bench.Stream, Impl: impl, Method: m, Chan: "shm", Size: size, Cores: maxCores})
			if !p.Has("MB/s") || !s.Has("MB/s") {
				continue
			}
			n++
			cmp := CompareStats(d.Stat(p, "MB/s"), d.Stat(s, "MB/s"))
			if cmp.Ratio < lo {
				lo, loAt = cmp.Ratio, size
			}
			if cmp.Ratio > hi {
				hi, hiAt = cmp.Ratio, size
			}
			if cmp.Significant && cmp.Ratio > 1 {
				ahead++
			} else if cmp.Significant {
				behind++
			}
		}
		if n > 1 {
			out = append(out, fmt.Sprintf("%s: shared memory vs pipe throughput ranges from %s× (size=%s) to %s× (size=%s); shm is ahead in %d of %d sizes, behind in %d, not significantly different in %d (method=%s, cores=%d).",
				impl, sig3(lo), sizeLabel(loAt), sig3(hi), sizeLabel(hiAt), ahead, n, behind, n-ahead-behind, m, maxCores))
		}
	}
	return out
}

func payloadText(c bench.Cell) string {
	if c.Payload != "" {
		return ", payload=" + c.Payload
	}
	return ""
}

func (d *Data) poolFindings(r *view.Run) []string {
	cells := onlyRun(d.workload(bench.Pool), r)
	if len(cells) == 0 {
		return nil
	}
	var out []string
	for _, g := range view.GroupBy(cells, func(c *view.Cell) string {
		return fmt.Sprintf("%s/%s/%s/%s/%d", c.Cell.Impl, c.Cell.Method, c.Cell.Chan, c.Cell.Task, c.Cell.Cores)
	}) {
		c0 := g.Cells[0].Cell
		// Report one (method, chan) per impl: fork + simplequeue preferred.
		if !(c0.Method == prefer(present(bench.Methods, cells, func(c bench.Cell) string { return c.Method }), "fork") &&
			c0.Chan == prefer(present(bench.Chans, cells, func(c bench.Cell) string { return c.Chan }), "simplequeue")) {
			continue
		}
		var best *view.Cell
		for _, c := range g.Cells {
			if c.Has("ns/op") && (best == nil || d.Stat(c, "ns/op").Median < d.Stat(best, "ns/op").Median) {
				best = c
			}
		}
		if best == nil {
			continue
		}
		s := fmt.Sprintf("%s (%s, %s, %s, cores=%d): shortest makespan %s with %s (%d tasks)",
			c0.Impl, c0.Method, c0.Chan, tasksText(g.Cells), c0.Cores, bench.Format("ns/op", d.Stat(best, "ns/op").Median),
			plural(best.Cell.Workers, "worker", "workers"), best.Cell.Tasks)
		if best.Has("efficiency") {
			s += fmt.Sprintf(", efficiency %s", sig3(d.Stat(best, "efficiency").Median))
		}
		for _, c := range g.Cells {
			if c.Cell.Workers == 2*c0.Cores && c != best && c.Has("ns/op") {
				s += fmt.Sprintf("; with %d workers (2×cores, %d tasks) %s", c.Cell.Workers, c.Cell.Tasks, bench.Format("ns/op", d.Stat(c, "ns/op").Median))
			}
			if c0.Task == "sleep" && c.Cell.Workers == 2 && c.Has("ns/op") {
				waves := impl.PoolRounds(c.Cell.Tasks, impl.CellParallelism(c.Cell))
				s += fmt.Sprintf("; Pool(2) over %d sleep tasks takes %s = %s× one task of %d ms (ceil(%d/2) = %d waves expected)",
					c.Cell.Tasks, bench.Format("ns/op", d.Stat(c, "ns/op").Median), sig3(d.Stat(c, "ns/op").Median/(bench.SleepTaskMillis*1e6)),
					bench.SleepTaskMillis, c.Cell.Tasks, waves)
			}
		}
		out = append(out, s+".")
	}
	return out
}

// tasksText names the task count of a group of pool cells: "8 cpu tasks
// per worker" when every cell runs the same number per worker, "16 cpu
// tasks" when the count is fixed, else "cpu tasks, 8–32 per map".
func tasksText(cells []*view.Cell) string {
	task := cells[0].Cell.Task
	if k := tasksPerWorker(cells); k > 0 && len(cells) > 1 {
		return fmt.Sprintf("%d %s tasks per worker", k, task)
	}
	lo, hi := cells[0].Cell.Tasks, cells[0].Cell.Tasks
	for _, c := range cells {
		lo, hi = min(lo, c.Cell.Tasks), max(hi, c.Cell.Tasks)
	}
	if lo == hi {
		return fmt.Sprintf("%d %s tasks", lo, task)
	}
	return fmt.Sprintf("%s tasks, %d–%d per map", task, lo, hi)
}
