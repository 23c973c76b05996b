package view

import "github.com/mpbench/mpbench/bench"

// Filter returns the cells (in order) whose matrix cell keep accepts.
func Filter(cells []*Cell, keep func(bench.Cell) bool) []*Cell {
	return Select(cells, func(c *Cell) bool { return keep(c.Cell) })
}

// Select returns the cells (in order) that keep accepts.
func Select(cells []*Cell, keep func(*Cell) bool) []*Cell {
	var out []*Cell
	for _, c := range cells {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// Filter returns the run's cells whose name parses as a matrix cell that
// keep accepts, in canonical order.
func (r *Run) Filter(keep func(bench.Cell) bool) []*Cell {
	return Select(r.Cells, func(c *Cell) bool { return c.Parsed && keep(c.Cell) })
}

// Group is an ordered set of cells sharing a key.
type Group struct {
	Key   string
	Cells []*Cell
}

// GroupBy splits cells (kept in order) by key, groups in first-seen order:
// GroupBy(cells, func(c *Cell) string { return c.Cell.Chan }) groups by
// channel.
func GroupBy(cells []*Cell, key func(*Cell) string) []Group {
	idx := map[string]int{}
	var out []Group
	for _, c := range cells {
		k := key(c)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Group{Key: k})
		}
		out[i].Cells = append(out[i].Cells, c)
	}
	return out
}
