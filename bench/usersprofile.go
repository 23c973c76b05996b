package bench

// The users profile (`mpbench run --profile users`): the children users
// write, alone, at cores = nproc — the memory cells and the payload cells
// of this profile, then the user cells (gather, cold pools, chunksize
// maps: UserCells) and the program cells (main weights and preloads:
// ProgramCells) of the full profile. At nproc = 2 (a selection narrows
// each part as it narrows the others; --chan drops the memory cells,
// which have no chan):
//
//	memory   cpython fork × touch none, read, read-frozen, gc, gc-frozen ×
//	         rss 0, 256MiB, 1GiB × workers = nproc                      (15)
//	memory   cpython spawn, forkserver × touch=none × the same rss        (6)
//	pingpong multiprocessing (Debian's python3, which has numpy) fork ×
//	         pipe, shm × payload bytes, ndarray, ndarray-oob, ndarray-shm,
//	         objects × 64B, 64KiB                                       (20)
//	stream   the same × 64B, 64KiB, 1MiB, 16MiB                         (40)
//	the full profile's UserCells and ProgramCells                       (74)
//
// The primary matrix, the variants and the decision cells are not in it:
// it answers the users' questions (guide rows "Memory per worker",
// "numpy and object payloads", "Your main module imports heavy
// modules", "Many-to-one", the cold pools and chunksize tables).

// Users is the profile of the children users write.
const Users = "users"

func init() { Profiles = append(Profiles, Users) }

// PayloadImpl is the implementation of the payload cells: the standard
// library's multiprocessing under Debian's python3, the interpreter that
// has numpy (python3 on PATH, impl=cpython, has none), so that the bytes
// baseline and the numpy payloads share one interpreter.
const PayloadImpl = "multiprocessing"

// Payload cells of the users profile.
var (
	PayloadChans         = []string{"pipe", "shm"}
	PayloadPingpongSizes = []int64{64, 64 << 10}
	PayloadStreamSizes   = []int64{64, 64 << 10, 1 << 20, 16 << 20}
)

// UsersCells are the cells of the users profile (see above).
func UsersCells(sel Selection, nproc int) ([]Cell, error) {
	var cells []Cell
	seen := map[string]bool{}
	cells = appendNew(cells, seen, expandPrograms(memoryCells(sel, nproc), sel.Mains, sel.Preloads))
	cells = appendNew(cells, seen, expandPrograms(payloadCells(sel, nproc), sel.Mains, sel.Preloads))
	full := sel
	full.Profile = Full
	users, err := UserCells(full, nproc)
	if err != nil {
		return nil, err
	}
	progSel := sel
	progSel.Profile = Users
	program, err := ProgramCells(progSel, nproc)
	if err != nil {
		return nil, err
	}
	cells = appendNew(cells, seen, append(users, program...))
	return cells, checkCells(cells)
}

// memoryCells are the memory cells of the users profile.
func memoryCells(sel Selection, nproc int) []Cell {
	if (sel.Impls != nil && !contains(sel.Impls, "cpython")) || (sel.Workloads != nil && !contains(sel.Workloads, Memory)) || sel.Chans != nil {
		return nil
	}
	var out []Cell
	for _, m := range narrow(Methods, sel.Methods) {
		touches := []string{TouchNone}
		if m == "fork" {
			touches = MemoryTouches
		}
		for _, t := range touches {
			for _, r := range narrow(MemoryRSS, sel.RSS) {
				for _, n := range narrow([]int{nproc}, sel.Cores) {
					for _, w := range narrow([]int{n}, sel.Workers) {
						out = append(out, Cell{Workload: Memory, Impl: "cpython", Method: m, Touch: t, RSS: r, Workers: w, Cores: n})
					}
				}
			}
		}
	}
	return out
}

// payloadCells are the payload cells of the users profile.
func payloadCells(sel Selection, nproc int) []Cell {
	if sel.Impls != nil && !contains(sel.Impls, PayloadImpl) {
		return nil
	}
	var out []Cell
	for _, w := range narrow([]string{"pingpong", "stream"}, sel.Workloads) {
		sizes := PayloadPingpongSizes
		if w == "stream" {
			sizes = PayloadStreamSizes
		}
		for _, m := range narrow([]string{"fork"}, sel.Methods) {
			for _, ch := range narrow(PayloadChans, sel.Chans) {
				for _, p := range append([]string{""}, UserPayloads...) {
					for _, s := range narrow(sizes, sel.Sizes) {
						for _, n := range narrow([]int{nproc}, sel.Cores) {
							out = append(out, Cell{Workload: w, Impl: PayloadImpl, Method: m, Chan: ch, Payload: p, Size: s, Cores: n})
						}
					}
				}
			}
		}
	}
	return out
}
