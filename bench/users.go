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
// Chunksize (a map of ChunkTasks tiny tasks, task=tiny: an empty body,
// so the map costs the executor's work per task and per chunk): cpython,
// fork, workers = cores = nproc — exec=pool at chunksize 1, the default
// (ceil(tasks / (4 × workers))) and TunedChunksize (one chunk per worker);
// exec=ppe at its default (1) and TunedChunksize (5 cells).
//
// Quick profile: cpython fork gather over pipe at 64B with nproc workers,
// both cold executors under QuickPoolMethod at workers = nproc, and the
// ppe chunksize maps (5 cells).
//
// A selection narrows them like any other cell (each dimension selected
// explicitly keeps the part's values that it names; a part left with none
// of a dimension's values gives no cells); --main and --preload set their
// program as for the matrix cells. A cell that the matrix already lists
// (a cold executor selected with --exec) is listed once.

// QPoolLife is the guide's question on a pool's life (harness/report,
// poollife.go): the cold executors and the chunksize maps; like QMemory,
// not one of the decision Questions.
var QPoolLife = Question{"pool-life", "A pool for one map, or for many tiny tasks"}

// GatherSizes are the message sizes of the full profile's gather cells.
var GatherSizes = []int64{64, 64 << 10}

// userPart is one set of user cells of a profile.
type userPart struct {
	workload string // Gather or pool (cold executors, chunksize maps)
	impl     string
	methods  []string
	chans    []string // gather
	execs    []string // pool
	sizes    []int64  // gather
	workers  func(nproc int) []int
	task     string // pool: "" = cpu
	tasks    int    // pool: 0 = PoolTasks(workers)
	chunked  bool   // pool: chunksize 1, the default and TunedChunksize (ppe: its default is 1)
}

func workersCores(nproc int) []int { return []int{nproc} }
func workersSweep(nproc int) []int { return PoolWorkers(nproc, "cpu", false) }

var usersFull = []userPart{
	{workload: Gather, impl: "cpython", methods: []string{"fork"}, chans: Chans, sizes: GatherSizes, workers: workersSweep},
	{workload: Gather, impl: "cpython", methods: []string{"spawn"}, chans: Chans, sizes: GatherSizes[:1], workers: workersCores},
	{workload: Gather, impl: "native", methods: []string{"fork"}, chans: Chans, sizes: GatherSizes, workers: workersCores},
	{workload: "pool", impl: "cpython", methods: Methods, execs: ColdExecs, workers: workersCores},
	{workload: "pool", impl: "cpython", methods: []string{"fork"}, execs: []string{ExecPool, ExecPPE}, workers: workersCores,
		task: TinyTask, tasks: ChunkTasks, chunked: true},
}

var usersQuick = []userPart{
	{workload: Gather, impl: "cpython", methods: []string{"fork"}, chans: []string{"pipe"}, sizes: GatherSizes[:1], workers: workersCores},
	{workload: "pool", impl: "cpython", methods: []string{QuickPoolMethod}, execs: ColdExecs, workers: workersCores},
	{workload: "pool", impl: "cpython", methods: []string{"fork"}, execs: []string{ExecPPE}, workers: workersCores,
		task: TinyTask, tasks: ChunkTasks, chunked: true},
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
		task := p.task
		if task == "" {
			task = "cpu"
		}
		if sel.Chans != nil || (sel.Tasks != nil && !contains(sel.Tasks, task)) {
			continue // executors without a chan key
		}
		for _, e := range narrow(p.execs, sel.Execs) {
			for _, n := range cores {
				for _, w := range narrow(p.workers(n), sel.Workers) {
					c := Cell{Workload: "pool", Impl: p.impl, Method: m, Exec: e, Workers: w, Tasks: PoolTasks(w), Task: task, Cores: n}
					if p.tasks > 0 {
						c.Tasks = p.tasks
					}
					for _, k := range p.chunksizes(e, c.Tasks, w) {
						c.Chunksize = k
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}

// chunksizes are the chunksize values of a part's exec=e maps (0: the
// executor's default): one value, the default, unless the part is chunked.
func (p userPart) chunksizes(e string, tasks, workers int) []int {
	switch {
	case !p.chunked:
		return []int{0}
	case e == ExecPPE: // its default is 1
		return []int{0, TunedChunksize(tasks, workers)}
	}
	return []int{1, 0, TunedChunksize(tasks, workers)}
}
