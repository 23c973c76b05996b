package report

import (
	"sort"

	"github.com/mpbench/mpbench/bench"
)

// index is the position of v in the canonical list (unknown values last).
func index(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return len(list)
}

// cellLess orders cells as bench.Expand does (workload, impl, method,
// preload, main, chan, payload, parameter, cores); cells whose name does not parse come
// last, by name.
func cellLess(a, b *Cell) bool {
	if a.Parsed != b.Parsed {
		return a.Parsed
	}
	if !a.Parsed {
		return a.Name < b.Name
	}
	x, y := a.Cell, b.Cell
	type key struct{ a, b int64 }
	keys := []key{
		{int64(index(bench.Workloads, x.Workload)), int64(index(bench.Workloads, y.Workload))},
		{int64(index(bench.Impls, x.Impl)), int64(index(bench.Impls, y.Impl))},
		{int64(index(bench.Methods, x.Method)), int64(index(bench.Methods, y.Method))},
		{int64(index(bench.Preloads, x.PreloadOf())), int64(index(bench.Preloads, y.PreloadOf()))},
		{int64(index(bench.MainWeights, x.MainWeight())), int64(index(bench.MainWeights, y.MainWeight()))},
		{int64(index(bench.Chans, x.Chan)), int64(index(bench.Chans, y.Chan))},
		{int64(index(bench.Payloads, payload(x))), int64(index(bench.Payloads, payload(y)))},
		{int64(index(bench.TaskKinds, x.Task)), int64(index(bench.TaskKinds, y.Task))},
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

func payload(c bench.Cell) string {
	if c.Payload == "" {
		return "bytes"
	}
	return c.Payload
}

func sortCells(cs []*Cell) {
	sort.SliceStable(cs, func(i, j int) bool { return cellLess(cs[i], cs[j]) })
}

// sortedKeys returns the keys of a map in ascending order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
