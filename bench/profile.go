package bench

import (
	"fmt"
	"slices"
	"strconv"
)

// Profile names. The variants profile is the CPython versions and the
// multiprocessing libraries (Variants) alone; full is the primary matrix
// (and a variant impl named explicitly with Selection.Impls); quick is a
// taste of both.
const (
	Quick        = "quick"
	Full         = "full"
	VariantsOnly = "variants"
)

// Profiles are the profile names, in the order of the usage text.
var Profiles = []string{Quick, Full, VariantsOnly, Dimension}

// Selection narrows a profile. A nil field keeps the profile's values.
// Size, RSS, Workers and Task only concern the workloads that have that
// parameter: --size does not remove startup or pool cells.
type Selection struct {
	Profile   string
	Impls     []string
	Methods   []string
	Chans     []string
	Execs     []string // pool executors; nil: the profile's (with Chans set: loop only)
	Workloads []string
	Sizes     []int64 // pingpong and stream
	RSS       []int64 // startup
	Workers   []int   // pool
	Tasks     []string
	Cores     []int
	Mains     []string // main-module weights (MainWeights); nil: the stub
	Preloads  []string // forkserver preloads (Preloads); nil: the main module's imports
}

// CoreCounts is 1, 2, 4, … up to and including nproc.
func CoreCounts(nproc int) []int {
	var out []int
	for c := 1; c < nproc; c *= 2 {
		out = append(out, c)
	}
	return append(out, nproc)
}

// ParseList splits a comma-separated list and checks every item against
// the allowed values of a dimension (named in the error message).
func ParseList(dimension, s string, allowed []string) ([]string, error) {
	items := splitList(s)
	if len(items) == 0 {
		return nil, fmt.Errorf("empty list of %s values", dimension)
	}
	for _, it := range items {
		if !contains(allowed, it) {
			return nil, fmt.Errorf("unknown %s %q (want one of %v)", dimension, it, allowed)
		}
	}
	return items, nil
}

// ParseIntList parses a comma-separated list of positive integers.
func ParseIntList(dimension, s string) ([]int, error) {
	items := splitList(s)
	if len(items) == 0 {
		return nil, fmt.Errorf("empty list of %s values", dimension)
	}
	var out []int
	for _, it := range items {
		n, err := strconv.Atoi(it)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive integer", dimension, it)
		}
		out = append(out, n)
	}
	return out, nil
}

// Variant adds cells to the profiles beside the primary matrix (other
// interpreter versions, other libraries). Expand calls every registered
// variant with the selection and appends what it returns; a variant
// returns only cells of the implementations it owns (those it lists in
// ExtraImpls), honours the selection, and returns nothing for a selection
// that does not concern it. ExpandMatrix is the tool to build its cells.
type Variant func(sel Selection, nproc int) ([]Cell, error)

// Variants are the registered profile variants (see Variant).
var Variants []Variant

// Expand lists the cells of a selection in canonical order (workload,
// impl, method, exec, chan, payload, parameter, cores), the cells of the
// ProgramCells of the quick and full profiles after those of the primary
// implementations (Impls), then their UserCells (gather, cold pools), the
// cells of the Variants last. The full
// profile leaves the Variants out unless one of their impls is selected;
// the variants profile is the Variants alone; the dimension profile is
// DimensionCells (its own order: base cell, then setting). nproc
// bounds the cores dimension. The harness reorders them for interleaving;
// the order here is the stable one used by `mpbench list` and reports.
func Expand(sel Selection, nproc int) ([]Cell, error) {
	impls := Impls
	if sel.Impls != nil {
		impls = nil
		for _, im := range sel.Impls {
			if contains(Impls, im) {
				impls = append(impls, im)
			}
		}
	}
	var cells []Cell
	vsel := sel
	switch sel.Profile {
	case Dimension:
		// A fixed set of cells at several settings: no variants.
		cells, err := DimensionCells(sel, nproc)
		if err != nil {
			return nil, err
		}
		return cells, checkCells(cells)
	case Users:
		return UsersCells(sel, nproc)
	case VariantsOnly:
		vsel.Profile = Full
		cells = ExecutorCells(sel, nproc)
	case "", Full:
		if sel.Impls == nil {
			// The full profile is the primary matrix; the variant impls
			// run in their own profile, or when named explicitly.
			vsel.Impls = []string{}
		}
		fallthrough
	default:
		var err error
		if cells, err = ExpandMatrix(sel, nproc, impls); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for _, c := range cells {
		seen[c.Name()] = true
	}
	// The program cells (quick and full) come right after the matrix,
	// the variants' cells after them; a cell listed already is not
	// repeated (an executor cell that is also a library cell, a program
	// cell of impl=multiprocessing that is also a library cell).
	if sel.Profile != VariantsOnly {
		program, err := ProgramCells(sel, nproc)
		if err != nil {
			return nil, err
		}
		users, err := UserCells(sel, nproc)
		if err != nil {
			return nil, err
		}
		cells = appendNew(cells, seen, append(program, users...))
	}
	for _, v := range Variants {
		more, err := v(vsel, nproc)
		if err != nil {
			return nil, err
		}
		cells = appendNew(cells, seen, more)
	}
	return cells, checkCells(cells)
}

// appendNew appends to cells those of more whose names seen does not hold
// yet, and records them in seen.
func appendNew(cells []Cell, seen map[string]bool, more []Cell) []Cell {
	for _, c := range more {
		if !seen[c.Name()] {
			seen[c.Name()] = true
			cells = append(cells, c)
		}
	}
	return cells
}

// checkCells validates every cell and refuses a cell listed twice.
func checkCells(cells []Cell) error {
	seen := map[string]bool{}
	for _, c := range cells {
		if err := c.Validate(); err != nil {
			return err
		}
		if seen[c.Name()] {
			return fmt.Errorf("cell %s listed twice", c.Name())
		}
		seen[c.Name()] = true
	}
	return nil
}

// ExpandMatrix expands the primary matrix of a selection over the given
// implementations (sel.Impls is ignored), applying the SecondaryFull
// subsets of the full profile. It does not call the Variants.
func ExpandMatrix(sel Selection, nproc int, impls []string) ([]Cell, error) {
	if sel.Profile == "" {
		sel.Profile = Full
	}
	m, err := newMatrixExpansion(sel, nproc)
	if err != nil {
		return nil, err
	}
	var cells []Cell
	for wi, w := range m.workloads {
		if !contains(MatrixWorkloads, w) {
			continue // gather: UserCells
		}
		for _, impl := range impls {
			cells = append(cells, m.implCells(wi, w, impl)...)
		}
	}
	cells = expandPrograms(cells, sel.Mains, sel.Preloads)
	for _, c := range cells {
		if err := c.Validate(); err != nil {
			return nil, err
		}
	}
	return cells, nil
}

// matrixExpansion is a selection of the primary matrix with the values of
// each dimension it expands over: the selected ones, else the profile's.
type matrixExpansion struct {
	sel                                     Selection
	nproc                                   int
	quick                                   bool
	methods, chans, workloads, tasks, execs []string
	cores                                   []int
	rss, ppSizes, stSizes                   []int64
}

// newMatrixExpansion resolves the dimensions of a selection of the quick
// or full profile on a machine of nproc CPUs.
func newMatrixExpansion(sel Selection, nproc int) (matrixExpansion, error) {
	if sel.Profile != Quick && sel.Profile != Full {
		return matrixExpansion{}, fmt.Errorf("unknown profile %q (want quick, full, variants or dimension)", sel.Profile)
	}
	quick := sel.Profile == Quick
	pick := func(sel, def []string) []string {
		if sel != nil {
			return sel
		}
		return def
	}
	m := matrixExpansion{sel: sel, nproc: nproc, quick: quick,
		methods: pick(sel.Methods, Methods), chans: pick(sel.Chans, Chans),
		workloads: pick(sel.Workloads, MatrixWorkloads), tasks: pick(sel.Tasks, TaskKinds),
		execs: sel.Execs, cores: sel.Cores, rss: sel.RSS}
	if m.execs == nil {
		m.execs = ProfileExecs
		if sel.Chans != nil {
			m.execs = []string{ExecLoop}
		}
	}
	if m.cores == nil {
		m.cores = CoreCounts(nproc)
		if quick {
			m.cores = []int{nproc}
		}
	}
	for _, c := range m.cores {
		if c > nproc {
			return matrixExpansion{}, fmt.Errorf("%d cores exceed the %d CPUs of this machine", c, nproc)
		}
	}
	if m.rss == nil {
		m.rss = StartupRSS
		if quick {
			m.rss = []int64{0}
		}
	}
	m.ppSizes, m.stSizes = PingpongSizes, StreamSizes
	if quick {
		m.ppSizes, m.stSizes = []int64{64}, []int64{64 << 10}
	}
	if sel.Sizes != nil {
		m.ppSizes, m.stSizes = sel.Sizes, sel.Sizes
	}
	if sel.Tasks == nil && quick {
		m.tasks = []string{"cpu"}
	}
	return m, nil
}

// dims are the parameter values of impl's cells: the full profile's
// sweeps (the parent-memory sweep over RSSChan, the dense fork-in-the-road
// points, sleep tasks at cores = nproc, LowCoresMethods alone below
// nproc) unless a selection replaces them,
// narrowed to the SecondaryFull subset of a secondary implementation. It
// returns that subset and whether it applies.
func (m matrixExpansion) dims(impl string) (dims, Subset, bool) {
	sel := m.sel
	d := dims{rss: m.rss, ppSizes: m.ppSizes, stSizes: m.stSizes, tasks: m.tasks, workers: sel.Workers, cores: m.cores}
	if !m.quick && sel.RSS == nil && sel.Chans == nil {
		d.rssChan = RSSChan
		if sel.Cores == nil && impl != "native" {
			// The fork-in-the-road sweep: where fork's start-up
			// overtakes forkserver's, at cores = nproc (native,
			// the limit row, at StartupRSS alone).
			d.denseRSS, d.denseCores = DenseRSS, []int{m.nproc}
		}
	}
	if !m.quick && sel.Cores == nil {
		d.sleepCores = []int{m.nproc}
		if sel.Methods == nil && sel.Chans == nil {
			d.fewerCores = LowCoresMethods
		}
	}
	sub, secondary := SecondaryFull[impl]
	secondary = secondary && !m.quick
	if secondary {
		d = sub.narrow(d, sel, m.nproc)
		d.denseRSS = nil // the fork-in-the-road sweep is cpython's
	}
	return d, sub, secondary
}

// implCells are the cells of workload w (index wi in the selection) of
// one implementation: per start method, the cells over each channel (the
// quick profile's rotation and a secondary implementation's subset
// applied) and the pool executors without a channel, then loky's.
func (m matrixExpansion) implCells(wi int, w, impl string) []Cell {
	d, sub, secondary := m.dims(impl)
	var cells []Cell
	for mi, meth := range m.methods {
		if meth == MethodLoky || secondary && !sub.keepsMethod(w, meth, m.sel) {
			continue // loky cells come from their executors below
		}
		for ci, ch := range m.chans {
			if m.quick && m.sel.Workloads == nil && !quickCovers(wi, mi, ci) {
				continue
			}
			if secondary && !sub.keeps(w, ch, m.sel) {
				continue
			}
			if w == "pool" && !contains(m.execs, ExecLoop) {
				continue
			}
			cells = append(cells, m.chanCells(Cell{Workload: w, Impl: impl, Method: meth, Chan: ch}, d, secondary && sub.TensorOnly)...)
		}
		// Executors without a chan key: once per method.
		if w != "pool" || impl == "native" || (m.quick && m.sel.Execs == nil && meth != QuickPoolMethod) {
			continue
		}
		for _, e := range m.execs {
			if e == ExecLoop || e == ExecLokyCold || e == ExecLokyWarm {
				continue
			}
			cells = append(cells, variants(Cell{Workload: w, Impl: impl, Method: meth, Exec: e}, d, m.quick)...)
		}
	}
	if w != "pool" || impl == "native" || (m.sel.Methods != nil && !contains(m.sel.Methods, MethodLoky)) {
		return cells
	}
	for _, e := range m.execs {
		if e == ExecLokyCold || e == ExecLokyWarm {
			cells = append(cells, variants(Cell{Workload: w, Impl: impl, Method: MethodLoky, Exec: e}, d, m.quick)...)
		}
	}
	return cells
}

// chanCells are the cells of one (workload, impl, method, chan): each
// payload (payloadsFor; tensorOnly: a subset's tensor payloads only,
// unless channels are selected), and the raw-bytes path of RawBytesImpl's
// pipe at cores = nproc (full profile).
func (m matrixExpansion) chanCells(base Cell, d dims, tensorOnly bool) []Cell {
	if base.Workload == "pool" {
		base.Exec = ExecLoop
	}
	var cells []Cell
	for _, p := range payloadsFor(base.Impl, base.Workload, base.Chan, tensorOnly && m.sel.Chans == nil) {
		base.Payload = p
		cells = append(cells, variants(base, d, m.quick)...)
	}
	if base.Impl == RawBytesImpl && base.Chan == "pipe" && (base.Workload == "pingpong" || base.Workload == "stream") && !m.quick {
		// Pipe's send_bytes/recv_bytes path beside send/recv, at cores = nproc.
		rd := d
		if m.sel.Cores == nil {
			rd.cores = []int{m.nproc}
		}
		base.Payload = "rawbytes"
		cells = append(cells, variants(base, rd, m.quick)...)
	}
	return cells
}

// expandPrograms replaces each cell by its variants over the selected
// main-module weights and forkserver preloads (nil: the default alone).
// preload narrows forkserver cells only (spawn and fork have no preload
// key); a cell of impl=native, which has no main module, is kept only
// when the selection holds both defaults.
func expandPrograms(cells []Cell, mains, preloads []string) []Cell {
	if mains == nil && preloads == nil {
		return cells
	}
	if mains == nil {
		mains = []string{MainStub}
	}
	if preloads == nil {
		preloads = []string{PreloadMain}
	}
	var out []Cell
	for _, c := range cells {
		ps := preloads
		if c.Method != "forkserver" {
			ps = []string{PreloadMain}
		}
		if c.Impl == "native" {
			if contains(mains, MainStub) && contains(ps, PreloadMain) {
				out = append(out, c)
			}
			continue
		}
		for _, p := range ps {
			for _, m := range mains {
				out = append(out, c.WithProgram(m, p))
			}
		}
	}
	return out
}

// ProfileExecs are the pool executors the profiles run by default: the
// hand-written loop over every chan and the stdlib multiprocessing.Pool.
// ppe and loky run when selected explicitly.
var ProfileExecs = []string{ExecLoop, ExecPool}

// QuickPoolMethod is the start method of the quick profile's exec=pool cells.
const QuickPoolMethod = "forkserver"

// quickCovers is the rotation design of the quick profile: each
// (method, chan) pair runs one workload of the matrix, chosen so that
// every such workload, method and chan still appears (12 pairs over 4
// workloads, 3 each); gather is UserCells'.
// An explicit --workload selection turns the rotation off.
func quickCovers(workload, method, ch int) bool {
	return (method+ch)%len(MatrixWorkloads) == workload
}

// payloadsFor: torch also carries tensor payloads through the channels
// that pickle objects (Queue, SimpleQueue, Pipe), for pingpong and stream;
// tensorOnly leaves out its bytes payloads.
func payloadsFor(impl, workload, ch string, tensorOnly bool) []string {
	if impl == "torch" && (workload == "pingpong" || workload == "stream") && ch != "shm" {
		if tensorOnly {
			return []string{"tensor"}
		}
		return []string{"", "tensor"}
	}
	return []string{""}
}

// RawBytesImpl is the implementation whose full profile also measures
// Pipe's raw send_bytes/recv_bytes path (payload=rawbytes, pingpong and
// stream over pipe, at cores = nproc): chan=pipe is send/recv of pickled
// objects, as users call it; the raw path shows what pickling costs.
const RawBytesImpl = "cpython"

// RSSChan is the channel of the full profile's parent-memory sweep: the
// start-up cost of a large parent is the cost of the start method (fork
// copies the page tables), not of the channel that carries the first
// message, so the other channels run at rss=0 only (unless --rss or
// --chan is given).
const RSSChan = "pipe"

// dims are the parameter values a (workload, impl, method, chan) expands over.
type dims struct {
	rss, ppSizes, stSizes []int64
	tasks                 []string
	workers               []int // nil: PoolWorkers(cores)
	cores                 []int
	sleepCores            []int    // cores of task=sleep (nil: cores); sleeping needs no CPU
	rssChan               string   // "": every chan sweeps rss; else only this one (others: rss=0)
	denseRSS              []int64  // extra rss points of fork and forkserver over rssChan (DenseRSS)
	denseCores            []int    // the cores of the dense points
	fewerCores            []string // the methods measured at cores below the largest (nil: all)
}

// LowCoresMethods are the start methods the full profile measures at
// core counts below nproc: the cores question (a child on the parent's
// core or on another) is one of wake-ups and caches, which does not
// depend on how the child was started, so it is asked of fork (the Linux
// default before Python 3.14) alone; the other methods run at cores =
// nproc. Sleep tasks are asked of fork alone for the same reason: a
// sleeping task measures the executor's messages around it, not how its
// worker was started. An explicit --cores, --method or --chan measures
// every combination.
var LowCoresMethods = []string{"fork"}

// variants expands one (workload, impl, method, chan, payload) over its
// parameters and the cores dimension.
func variants(base Cell, d dims, quick bool) []Cell {
	var out []Cell
	add := func(c Cell) {
		for _, n := range d.cores {
			if d.fewerCores != nil && n < slices.Max(d.cores) && !contains(d.fewerCores, c.Method) {
				continue
			}
			c.Cores = n
			out = append(out, c)
		}
	}
	switch base.Workload {
	case "startup":
		for _, r := range d.rss {
			if r != 0 && d.rssChan != "" && base.Chan != d.rssChan {
				continue
			}
			c := base
			c.RSS = r
			add(c)
		}
		if base.Chan == d.rssChan && base.Method != "spawn" {
			for _, r := range d.denseRSS {
				for _, n := range d.denseCores {
					c := base
					c.RSS, c.Cores = r, n
					out = append(out, c)
				}
			}
		}
	case "pingpong", "stream":
		sizes := d.ppSizes
		if base.Workload == "stream" {
			sizes = d.stSizes
		}
		for _, s := range sizes {
			c := base
			c.Size = s
			add(c)
		}
	case "pool":
		for _, t := range d.tasks {
			cores := d.cores
			if t == "sleep" && d.sleepCores != nil {
				cores = d.sleepCores
			}
			for _, n := range cores {
				if d.fewerCores != nil && (n < slices.Max(cores) || t == "sleep") && !contains(d.fewerCores, base.Method) {
					continue
				}
				ws := d.workers
				if ws == nil {
					ws = PoolWorkers(n, t, quick)
				}
				for _, w := range ws {
					c := base
					c.Task, c.Workers, c.Cores = t, w, n
					c.Tasks = PoolTasks(w)
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Subset is the part of the full matrix a secondary implementation runs
// by default. native and cpython run the whole matrix; PyPy and torch
// each pay an interpreter start (torch: ≈1 s of import, again in every
// spawn/forkserver child) per program run, so the full profile gives them
// the cells that say something new — every start method and channel, the
// start-up cost, the message sizes where they differ — at cores = nproc,
// within the time budget of `make bench`. The cores dimension, the RSS
// sweep and the pool sweep are covered by native and cpython. A dimension
// selected explicitly on the command line is never narrowed.
type Subset struct {
	Chans         map[string][]string // per workload; absent: all channels
	Methods       map[string][]string // per workload; absent: all start methods
	RSS           []int64
	PingpongSizes []int64
	StreamSizes   []int64
	Tasks         []string
	TensorOnly    bool // pingpong and stream: tensor payloads only
}

// ipcFork keeps fork alone for the workloads timed once the children are
// up (ping-pong, stream, pool maps): a secondary implementation's start
// methods differ in its start-up cells, and its program runs are the
// slowest of the profile (each pays the interpreter's start again).
var ipcFork = map[string][]string{"pingpong": {"fork"}, "stream": {"fork"}, "pool": {"fork"}}

// SecondaryFull are the subsets of the full profile per secondary impl.
var SecondaryFull = map[string]Subset{
	"pypy": {
		RSS: []int64{0}, PingpongSizes: []int64{64}, StreamSizes: []int64{64, 1 << 20},
		Tasks: []string{"cpu"}, Methods: ipcFork,
	},
	"torch": {
		// Tensors travel through the pickling channels; bytes behave as in
		// cpython (same interpreter, same channels), so torch runs tensor
		// payloads only, over torch.multiprocessing's Queue, at the smallest and the largest
		// stream sizes. Its start-up cost is the import of torch in every
		// start method, the same over every channel, so start-up runs over
		// pipe, and the pool runs the stdlib Pool only (exec=pool: what a
		// torch user calls; the worker loops over channels are cpython's).
		Chans: map[string][]string{"startup": {"pipe"}, "pingpong": {"queue"}, "stream": {"queue"}, "pool": {}},
		RSS:   []int64{0}, PingpongSizes: []int64{64}, StreamSizes: []int64{64 << 10, 16 << 20},
		Tasks: []string{"cpu"}, TensorOnly: true, Methods: ipcFork,
	},
}

func (s Subset) keeps(workload, ch string, sel Selection) bool {
	chans, ok := s.Chans[workload]
	return sel.Chans != nil || !ok || contains(chans, ch)
}

func (s Subset) keepsMethod(workload, method string, sel Selection) bool {
	methods, ok := s.Methods[workload]
	return sel.Methods != nil || !ok || contains(methods, method)
}

func (s Subset) narrow(d dims, sel Selection, nproc int) dims {
	if sel.RSS == nil {
		d.rss = s.RSS
	}
	if sel.Sizes == nil {
		d.ppSizes, d.stSizes = s.PingpongSizes, s.StreamSizes
	}
	if sel.Tasks == nil {
		d.tasks = s.Tasks
	}
	if sel.Cores == nil {
		d.cores = []int{nproc}
	}
	if sel.Workers == nil {
		d.workers = []int{nproc}
	}
	return d
}

// PoolWorkers is the worker sweep of the pool workload for a core count:
// 1, cores and 2×cores — one worker, as many workers as cores, and
// oversubscribed (quick: just cores). Sleep tasks need no CPU, so their
// sweep starts at cores.
func PoolWorkers(cores int, task string, quick bool) []int {
	if quick {
		return []int{cores}
	}
	ws := []int{1}
	if task == "sleep" {
		ws = nil
	}
	for _, w := range []int{cores, 2 * cores} {
		if len(ws) == 0 || w > ws[len(ws)-1] {
			ws = append(ws, w)
		}
	}
	return ws
}
