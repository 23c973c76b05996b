package bench

import "fmt"

// The start-up of a program as users meet it: the weight of its main
// module (main key) and whether the fork server preloads that module's
// imports (preload key). The primary matrix measures the driver's stub
// under a preloaded fork server; ProgramCells adds, to the quick and full
// profiles, the start-up cells that show what a user's own main module
// costs each start method — kept small, at cores = nproc over pipe:
//
// Full profile (18 cells on top of the matrix):
//
//	cpython          spawn, fork, forkserver preload=main|none × main=stub|stdlib, rss=0
//	                 (5 new: spawn, fork and preloaded forkserver with the stub are matrix cells)
//	cpython          forkserver preload=none, main=stub over BareSweepRSS
//	                 (64MiB … 1GiB: 5 new), for the fork/forkserver crossover of both preloads
//	multiprocessing  spawn, fork, forkserver preload=main|none × main=stub|stdlib, rss=0
//	                 (8: Debian's python3, the interpreter that has numpy and torch)
//
// Users profile: the same, and multiprocessing × main=numpy|torch (8 more).
//
// Quick profile: cpython forkserver preload=none × main=stub|stdlib, rss=0
// (2 cells: the default forkserver of the decision guide, and its cost
// with a heavier main module).
//
// The pool workload gets no program cells: its maps are timed once every
// worker is up, so neither the main module nor the preload enters them.
// The program cells are points of the profile, so a selection narrows
// them like any other cell: each dimension selected explicitly keeps the
// part's values that it names (a part left with none of a dimension's
// values gives no cells), and --main/--preload, which set the main weight
// and preload of the matrix cells they select, keep the part's cells of
// those weights and preloads. A cell that the matrix or a variant
// already lists is listed once.

// ProgramImpl is the implementation of the heavy main modules (numpy,
// torch): the standard library's multiprocessing under Debian's python3,
// which has numpy and torch (python3 on PATH has neither). It is chosen
// over impl=torch because torch's children import torch whatever the main
// module (torch.multiprocessing's users do), so its main weights would not
// differ.
const ProgramImpl = "multiprocessing"

// programPart is one set of program cells of a profile.
type programPart struct {
	impl     string
	methods  []string // nil: every method
	mains    []string
	preloads []string
	rss      []int64
}

var programFull = []programPart{
	{impl: "cpython", mains: []string{MainStub, MainStdlib}, preloads: Preloads, rss: []int64{0}},
	{impl: "cpython", methods: []string{"forkserver"}, mains: []string{MainStub}, preloads: []string{PreloadNone}, rss: BareSweepRSS},
	{impl: ProgramImpl, mains: []string{MainStub, MainStdlib}, preloads: Preloads, rss: []int64{0}},
}

// programUsers are the users profile's program cells: the full profile's,
// and ProgramImpl's numpy and torch weights (the children users write;
// their program runs are the slowest of all: torch's import is about a
// second in every spawn child and every child of a bare fork server).
var programUsers = append(append([]programPart(nil), programFull...),
	programPart{impl: ProgramImpl, mains: []string{MainNumpy, MainTorch}, preloads: Preloads, rss: []int64{0}})

// BareSweepRSS is the parent-memory sweep of the fork server that
// preloads nothing: StartupRSS and DenseRSS up to 1 GiB. Its crossover
// with fork lies well inside it, and the 2 GiB point alone would cost a
// quarter of the program cells' time.
var BareSweepRSS = []int64{0, 64 << 20, 128 << 20, 256 << 20, 512 << 20, 1 << 30}

var programQuick = []programPart{
	{impl: "cpython", methods: []string{"forkserver"}, mains: []string{MainStub, MainStdlib}, preloads: []string{PreloadNone}, rss: []int64{0}},
}

// ProgramCells are the program cells of a selection's profile (see above);
// none for the variants profile (the variant parts have their own).
func ProgramCells(sel Selection, nproc int) ([]Cell, error) {
	parts := programFull
	switch sel.Profile {
	case "", Full:
	case Users:
		parts = programUsers
	case Quick:
		parts = programQuick
	case VariantsOnly:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown profile %q (want quick, full or variants)", sel.Profile)
	}
	if sel.Workloads != nil && !contains(sel.Workloads, "startup") {
		return nil, nil
	}
	var cells []Cell
	seen := map[string]bool{}
	for _, p := range parts {
		methods := p.methods
		if methods == nil {
			methods = Methods
		}
		sub := Selection{Profile: Full, Workloads: []string{"startup"},
			Methods: narrow(methods, sel.Methods), Chans: narrow([]string{RSSChan}, sel.Chans),
			RSS: narrow(p.rss, sel.RSS), Cores: narrow([]int{nproc}, sel.Cores),
			Mains: narrow(p.mains, sel.Mains), Preloads: narrow(p.preloads, sel.Preloads)}
		if (sel.Impls != nil && !contains(sel.Impls, p.impl)) || len(sub.Methods) == 0 || len(sub.Chans) == 0 ||
			len(sub.RSS) == 0 || len(sub.Cores) == 0 || len(sub.Mains) == 0 || len(sub.Preloads) == 0 {
			continue
		}
		more, err := ExpandMatrix(sub, nproc, []string{p.impl})
		if err != nil {
			return nil, err
		}
		cells = appendNew(cells, seen, more)
	}
	return cells, nil
}

// narrow keeps the values of part that sel names (all of them when sel is nil).
func narrow[T comparable](part, sel []T) []T {
	if sel == nil {
		return part
	}
	out := []T{}
	for _, v := range part {
		for _, s := range sel {
			if v == s {
				out = append(out, v)
				break
			}
		}
	}
	return out
}
