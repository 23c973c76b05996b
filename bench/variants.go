package bench

import "fmt"

// Variants of CPython measured beside the primary matrix: other CPython
// versions and drop-in replacements of multiprocessing.
// Each runs a subset of the matrix chosen to answer one question — what
// changes with the interpreter version, what changes with the library —
// at cores = nproc; the primary impls cover the cores and RSS sweeps.
//
// Full profile, per version impl (25 cells):
//
//	startup   spawn, fork, forkserver × chan=pipe × rss 0, 1GiB
//	startup   main=stdlib: spawn, fork, forkserver preload=main|none × chan=pipe × rss 0
//	          (whether the version's fork server runs the main module's imports again)
//	pingpong  method=fork × every chan × 64B
//	stream    method=fork × every chan × 64KiB, 1MiB
//	pool      exec=pool × spawn, fork, forkserver × workers=nproc, task=cpu
//
// Full profile, per library impl (51 cells):
//
//	startup   every method × every chan × rss 0
//	pingpong  every method × every chan × 64B
//	stream    every method × every chan × 64KiB, 1MiB
//	pool      exec=pool × every method × workers=nproc, task=cpu
//
// Quick profile: one start-up cell per impl (fork, pipe, rss 0), so that
// the taste shows every interpreter and library once.
//
// A dimension selected explicitly (sel.Methods, sel.Chans, sizes, …) is
// never narrowed: it replaces the subset's values, as for pypy and torch.
// sel.Workloads picks among the four parts; sel.Impls picks among the
// variant impls (none of them: no cells).

// PythonVersions are the CPython minor versions measured as impls
// cpython<minor> (interpreters from pyenv, see impl/python). 3.6 and 3.7
// are left out: multiprocessing.shared_memory (chan=shm) is new in 3.8.
var PythonVersions = []string{"3.8", "3.9", "3.10", "3.11", "3.12", "3.13"}

// VersionImpls are the impl names of PythonVersions: cpython3.8 … cpython3.13.
var VersionImpls = func() []string {
	out := make([]string, len(PythonVersions))
	for i, v := range PythonVersions {
		out[i] = "cpython" + v
	}
	return out
}()

// LibraryImpls are the multiprocessing replacements measured as impls; the
// name is the module the driver imports in place of multiprocessing.
// "multiprocessing" is the stdlib itself under the same interpreter, the
// reference the libraries are compared with (the default cpython is
// another build of CPython).
var LibraryImpls = []string{"multiprocessing", "billiard", "multiprocess"}

// LibraryForks are the libraries of LibraryImpls proper: every one but
// the stdlib multiprocessing (LibraryImpls[0]), their reference.
var LibraryForks = LibraryImpls[1:]

// variantImpls are the specs of the version and library impls: they run
// the Python driver under another interpreter or module, and their program
// runs cost as cpython's.
func variantImpls() []ImplSpec {
	var out []ImplSpec
	for _, name := range append(append([]string(nil), VersionImpls...), LibraryImpls...) {
		out = append(out, ImplSpec{Name: name, Python: true, Variant: true, CostOf: "cpython"})
	}
	return out
}

func init() {
	Variants = append(Variants, VersionCells, LibraryCells)
}

// part is one workload of a variant's cell set: its default values of the
// dimensions (nil = every value; cores, workers: nproc; task: cpu).
type part struct {
	workload string
	methods  []string
	chans    []string
	rss      []int64
	sizes    []int64
	execs    []string
	mains    []string // nil: the stub
	preloads []string // nil: the main module's imports
}

var versionParts = []part{
	{workload: Startup, chans: []string{"pipe"}, rss: []int64{0, 1 << 30}},
	{workload: Startup, chans: []string{"pipe"}, rss: []int64{0}, mains: []string{MainStdlib}, preloads: Preloads},
	{workload: Pingpong, methods: []string{"fork"}, sizes: []int64{64}},
	{workload: Stream, methods: []string{"fork"}, sizes: []int64{64 << 10, 1 << 20}},
	{workload: Pool, execs: []string{ExecPool}},
}

var libraryParts = []part{
	{workload: Startup, rss: []int64{0}},
	{workload: Pingpong, sizes: []int64{64}},
	{workload: Stream, sizes: []int64{64 << 10, 1 << 20}},
	{workload: Pool, execs: []string{ExecPool}},
}

// quickPart is the one cell per impl of the quick profile.
var quickPart = part{workload: Startup, methods: []string{"fork"}, chans: []string{"pipe"}, rss: []int64{0}}

// VersionCells are the cells of the CPython version impls (a Variant).
func VersionCells(sel Selection, nproc int) ([]Cell, error) {
	return variantCells(sel, nproc, VersionImpls, versionParts)
}

// LibraryCells are the cells of the library impls (a Variant).
func LibraryCells(sel Selection, nproc int) ([]Cell, error) {
	return variantCells(sel, nproc, LibraryImpls, libraryParts)
}

func variantCells(sel Selection, nproc int, owned []string, parts []part) ([]Cell, error) {
	impls := owned
	if sel.Impls != nil {
		impls = nil
		for _, im := range owned {
			if contains(sel.Impls, im) {
				impls = append(impls, im)
			}
		}
	}
	switch sel.Profile {
	case "", Full:
	case Quick:
		if sel.Workloads == nil {
			parts = []part{quickPart}
		}
	default:
		return nil, fmt.Errorf("unknown profile %q (want quick, full or variants)", sel.Profile)
	}
	if len(impls) == 0 {
		return nil, nil
	}
	pick := func(sel, def []string) []string {
		if sel != nil {
			return sel
		}
		return def
	}
	pickN := func(sel, def []int64) []int64 {
		if sel != nil {
			return sel
		}
		return def
	}
	pickI := func(sel []int, def int) []int {
		if sel != nil {
			return sel
		}
		return []int{def}
	}
	var cells []Cell
	seen := map[string]bool{} // parts of one workload coincide under explicit selections
	for _, p := range parts {
		if sel.Workloads != nil && !contains(sel.Workloads, p.workload) {
			continue
		}
		sub := Selection{
			Profile:   Full,
			Workloads: []string{p.workload},
			Methods:   pick(sel.Methods, p.methods),
			Chans:     pick(sel.Chans, p.chans),
			Execs:     pick(sel.Execs, p.execs),
			Sizes:     pickN(sel.Sizes, p.sizes),
			RSS:       pickN(sel.RSS, p.rss),
			Workers:   pickI(sel.Workers, nproc),
			Tasks:     pick(sel.Tasks, []string{"cpu"}),
			Cores:     pickI(sel.Cores, nproc),
			Mains:     pick(sel.Mains, p.mains),
			Preloads:  pick(sel.Preloads, p.preloads),
		}
		if p.workload == Pool && sel.Execs == nil && sel.Chans != nil {
			sub.Execs = []string{ExecLoop} // as in the matrix: a chan selection means the loop executor
		}
		more, err := ExpandMatrix(sub, nproc, impls)
		if err != nil {
			return nil, err
		}
		cells = appendNew(cells, seen, more)
	}
	return cells, nil
}

// ExecutorCells are the executor comparison of the variants profile:
// impl=multiprocessing (the stdlib under the interpreter that
// has Debian's joblib, whose loky is measured), task=cpu, at cores = nproc, workers 1, nproc
// and 2×nproc — the stdlib Pool, ProcessPoolExecutor and a hand-written
// loop over pipe for every start method, and loky's reusable executor cold
// (a fresh executor and its first map) and warm (a later map on the same
// executor). The same run holds them all so that they compare within it.
// A selection that excludes cpython or the pool workload gets none.
func ExecutorCells(sel Selection, nproc int) []Cell {
	// (ExecutorImpl's own exec=pool cell at workers = nproc is the same
	// cell as its library cell; Expand lists it once.)
	if (sel.Impls != nil && !contains(sel.Impls, ExecutorImpl)) || (sel.Workloads != nil && !contains(sel.Workloads, Pool)) {
		return nil
	}
	var cells []Cell
	add := func(c Cell) {
		for _, w := range PoolWorkers(nproc, "cpu", false) {
			c.Workers, c.Tasks, c.Task, c.Cores = w, PoolTasks(w), "cpu", nproc
			cells = append(cells, c)
		}
	}
	for _, m := range Methods {
		add(Cell{Workload: Pool, Impl: ExecutorImpl, Method: m, Exec: ExecLoop, Chan: "pipe"})
		add(Cell{Workload: Pool, Impl: ExecutorImpl, Method: m, Exec: ExecPool})
		add(Cell{Workload: Pool, Impl: ExecutorImpl, Method: m, Exec: ExecPPE})
	}
	for _, e := range []string{ExecLokyCold, ExecLokyWarm} {
		add(Cell{Workload: Pool, Impl: ExecutorImpl, Method: MethodLoky, Exec: e})
	}
	return cells
}

// ExecutorImpl is the impl of the executor comparison.
const ExecutorImpl = "multiprocessing"
