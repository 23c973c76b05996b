package bench

import "fmt"

// The start-up of a program as users meet it: the weight of its main
// module (main key) and whether the fork server preloads that module's
// imports (preload key). The primary matrix measures the driver's stub
// under a preloaded fork server; ProgramCells adds, to the quick and full
// profiles, the start-up cells that show what a user's own main module
// costs each start method — kept small, at cores = nproc over pipe:
//
// Full profile (27 cells on top of the matrix):
//
//	cpython          spawn, fork, forkserver preload=main|none × main=stub|stdlib, rss=0
//	                 (5 new: spawn, fork and preloaded forkserver with the stub are matrix cells)
//	cpython          forkserver preload=none, main=stub over the matrix's rss sweep
//	                 (64MiB … 2GiB: 6 new), for the fork/forkserver crossover of both preloads
//	multiprocessing  spawn, fork, forkserver preload=main|none × main=stub|stdlib|numpy|torch, rss=0
//	                 (16: Debian's python3, the interpreter that has numpy and torch)
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
	{impl: "cpython", methods: []string{"forkserver"}, mains: []string{MainStub}, preloads: []string{PreloadNone},
		rss: append(append([]int64(nil), StartupRSS...), DenseRSS...)},
	{impl: ProgramImpl, mains: MainWeights, preloads: Preloads, rss: []int64{0}},
}

var programQuick = []programPart{
	{impl: "cpython", methods: []string{"forkserver"}, mains: []string{MainStub, MainStdlib}, preloads: []string{PreloadNone}, rss: []int64{0}},
}

// ProgramCells are the program cells of a selection's profile (see above);
// none for the variants profile (the variant parts have their own).
func ProgramCells(sel Selection, nproc int) ([]Cell, error) {
	parts := programFull
	switch sel.Profile {
	case "", Full:
	case Quick:
		parts = programQuick
	case VariantsOnly:
		return nil, nil
	default:
		return nil, fmt.Errorf("unknown profile %q (want quick, full or variants)", sel.Profile)
	}
	if sel.Workloads != nil && !contains(sel.Workloads, Startup) {
		return nil, nil
	}
	var cells []Cell
	seen := map[string]bool{}
	for _, p := range parts {
		methods := p.methods
		if methods == nil {
			methods = Methods
		}
		sub := Selection{Profile: Full, Workloads: []string{Startup},
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
