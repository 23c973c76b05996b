package view

import (
	"sort"

	"github.com/mpbench/mpbench/bench"
)

// Rank is the position of v in a canonical list (bench.Methods,
// bench.Chans, …); values the list does not have come last (len(list)).
func Rank(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return len(list)
}

// PayloadOf is the payload of a matrix cell, "bytes" when its name has none.
func PayloadOf(c bench.Cell) string {
	if c.Payload == "" {
		return "bytes"
	}
	return c.Payload
}

// Less orders cells as bench.Expand does (workload, impl, method,
// preload, main, chan, payload, parameter, cores); cells whose name does
// not parse come last, by name.
func Less(a, b *Cell) bool {
	if a.Parsed != b.Parsed {
		return a.Parsed
	}
	if !a.Parsed {
		return a.Name < b.Name
	}
	x, y := a.Cell, b.Cell
	type key struct{ a, b int64 }
	keys := []key{
		{int64(Rank(bench.Workloads, x.Workload)), int64(Rank(bench.Workloads, y.Workload))},
		{int64(Rank(bench.Impls, x.Impl)), int64(Rank(bench.Impls, y.Impl))},
		{int64(Rank(bench.Methods, x.Method)), int64(Rank(bench.Methods, y.Method))},
		{int64(Rank(bench.Preloads, x.PreloadOf())), int64(Rank(bench.Preloads, y.PreloadOf()))},
		{int64(Rank(bench.MainWeights, x.MainWeight())), int64(Rank(bench.MainWeights, y.MainWeight()))},
		{int64(Rank(bench.Chans, x.Chan)), int64(Rank(bench.Chans, y.Chan))},
		{int64(Rank(bench.Payloads, PayloadOf(x))), int64(Rank(bench.Payloads, PayloadOf(y)))},
		{int64(Rank(bench.TaskKinds, x.Task)), int64(Rank(bench.TaskKinds, y.Task))},
		{x.Size, y.Size},
		{x.RSS, y.RSS},
		{int64(x.Cores), int64(y.Cores)},
		{int64(x.Workers), int64(y.Workers)},
		{int64(x.Tasks), int64(y.Tasks)},
	}
	for _, k := range keys {
		if k.a != k.b {
			return k.a < k.b
		}
	}
	return a.Name < b.Name
}

// SortCells sorts cells in canonical order (Less), stably.
func SortCells(cs []*Cell) {
	sort.SliceStable(cs, func(i, j int) bool { return Less(cs[i], cs[j]) })
}
