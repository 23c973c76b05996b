package bench

import "fmt"

// The user cells: measurements of what users do with workers beside the
// primary matrix, added to the quick and full profiles by UserCells, kept
// small and at cores = nproc.
//
// gather (many-to-one): W workers each stream messages into one parent.
// Full profile (36 cells at nproc = 2; 4 channels each):
//
//	cpython  fork × size 64B, 64KiB × workers 1, nproc, 2×nproc   (24)
//	cpython  spawn × size 64B × workers nproc                       (4: whether the start
//	         method still matters once the workers are up)
//	native   fork × size 64B, 64KiB × workers nproc                 (8: the limit row; skip
//	         lines until the native implementation has the workload)
//
// Cold pools (exec=pool-cold, ppe-cold: a whole pool life-cycle per map):
// cpython, every start method, task=cpu, workers = cores = nproc (6 cells).
//
// Quick profile: cpython fork gather over pipe at 64B with nproc workers,
// and both cold executors under QuickPoolMethod at workers = nproc (3 cells).
//
// A selection narrows them like any other cell (each dimension selected
// explicitly keeps the part's values that it names; a part left with none
// of a dimension's values gives no cells); --main and --preload set their
// program as for the matrix cells. A cell that the matrix already lists
// (a cold executor selected with --exec) is listed once.

// GatherSizes are the message sizes of the full profile's gather cells.
var GatherSizes = []int64{64, 64 << 10}

// userPart is one set of user cells of a profile.
type userPart struct {
	workload string // Gather or pool (cold executors)
	impl     string
	methods  []string
	chans    []string // gather
	execs    []string // pool
	sizes    []int64  // gather
	workers  func(nproc int) []int
}

func workersCores(nproc int) []int { return []int{nproc} }
func workersSweep(nproc int) []int { return PoolWorkers(nproc, "cpu", false) }

var usersFull = []userPart{
	{workload: Gather, impl: "cpython", methods: []string{"fork"}, chans: Chans, sizes: GatherSizes, workers: workersSweep},
	{workload: Gather, impl: "cpython", methods: []string{"spawn"}, chans: Chans, sizes: GatherSizes[:1], workers: workersCores},
	{workload: Gather, impl: "native", methods: []string{"fork"}, chans: Chans, sizes: GatherSizes, workers: workersCores},
	{workload: "pool", impl: "cpython", methods: Methods, execs: ColdExecs, workers: workersCores},
}

var usersQuick = []userPart{
	{workload: Gather, impl: "cpython", methods: []string{"fork"}, chans: []string{"pipe"}, sizes: GatherSizes[:1], workers: workersCores},
	{workload: "pool", impl: "cpython", methods: []string{QuickPoolMethod}, execs: ColdExecs, workers: workersCores},
}

// UserCells are the user cells of a selection's profile (see above); none
// for the variants and dimension profiles.
func UserCells(sel Selection, nproc int) ([]Cell, error) {
	parts := usersFull
	switch sel.Profile {
	case "", Full:
	case Quick:
		parts = usersQuick
	case VariantsOnly, Dimension:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown profile %q (want quick, full, variants or dimension)", sel.Profile)
	}
	var cells []Cell
	for _, p := range parts {
		if (sel.Impls != nil && !contains(sel.Impls, p.impl)) || (sel.Workloads != nil && !contains(sel.Workloads, p.workload)) {
			continue
		}
		cells = append(cells, p.cells(sel, nproc)...)
	}
	cells = expandPrograms(cells, sel.Mains, sel.Preloads)
	for _, c := range cells {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return cells, nil
}

// cells expands one part over the values the selection keeps.
func (p userPart) cells(sel Selection, nproc int) []Cell {
	var out []Cell
	cores := narrow([]int{nproc}, sel.Cores)
	for _, m := range narrow(p.methods, sel.Methods) {
		if p.workload == Gather {
			for _, ch := range narrow(p.chans, sel.Chans) {
				for _, n := range cores {
					for _, w := range narrow(p.workers(n), sel.Workers) {
						for _, s := range narrow(p.sizes, sel.Sizes) {
							out = append(out, Cell{Workload: Gather, Impl: p.impl, Method: m, Chan: ch, Workers: w, Size: s, Cores: n})
						}
					}
				}
			}
			continue
		}
		if sel.Chans != nil || (sel.Tasks != nil && !contains(sel.Tasks, "cpu")) {
			continue // executors without a chan key; cpu tasks only
		}
		for _, e := range narrow(p.execs, sel.Execs) {
			for _, n := range cores {
				for _, w := range narrow(p.workers(n), sel.Workers) {
					out = append(out, Cell{Workload: "pool", Impl: p.impl, Method: m, Exec: e, Workers: w, Tasks: PoolTasks(w), Task: "cpu", Cores: n})
				}
			}
		}
	}
	return out
}
