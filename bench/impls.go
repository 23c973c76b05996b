package bench

import (
	"fmt"
	"slices"
	"time"
)

// The registry of implementations. Each implementation is declared once,
// as an ImplSpec: its name (the impl dimension value), its display name,
// whether it runs the Python driver (and so which executors, keys and
// payloads its cells can have), the part of the full profile it runs and
// its cost model for a-priori estimates. The profiles (Expand), cell
// validation, the estimates (harness), the report and the CLI read it;
// none of them keeps a list of implementations or of these facts.
//
// How an implementation is built and run (its interpreter, its discovery,
// its measured program) is declared under the same name in impl's
// registry (impl.Register), by the package that implements it (impl/native,
// impl/python); bench imports no implementation.
//
// Adding an implementation: its ImplSpec in builtinImpls below (or a
// RegisterImpl call of its own), its impl.Constructor in the package that
// runs it and, for a new package, the import that links it into
// cmd/mpbench and bench/bench_test.go.

// ImplSpec declares one implementation.
type ImplSpec struct {
	Name string // the impl dimension value
	// Display is the implementation's name in reports ("PyPy"); "" = Name.
	Display string
	// Python: it runs the Python driver (impl/python), so its cells can
	// have a main module and a forkserver preload (the main and preload
	// keys), every pool executor (bench.Execs), task=tiny and the users'
	// payloads. false: exec=loop only, bytes only, no main module
	// (impl=native).
	Python bool
	// Variant: its cells come from a registered Variant (the CPython
	// versions, the libraries): it is listed in ExtraImpls, not in Impls,
	// and the primary matrix does not expand it.
	Variant bool
	// Full is the part of the full profile a secondary implementation
	// runs (see Subset); nil: the whole matrix.
	Full *Subset
	// Tensors: it also carries torch tensors (payload=tensor) through
	// the channels that pickle objects, for pingpong and stream.
	Tensors bool
	// The cost model of the a-priori estimates (harness): RunOverhead is
	// what a program run costs besides its samples (the interpreter's
	// start, the driver's imports, the calibration and the exit),
	// StartCost one child start per start method, StreamPerByte what a
	// stream run costs per byte of its message size besides its samples'
	// benchtime (the calibration's and warm-up's messages, which at 16 MiB
	// outlast the benchtime). CostOf names the implementation whose model
	// this one shares ("" = its own).
	RunOverhead   time.Duration
	StartCost     map[string]time.Duration
	StreamPerByte time.Duration
	CostOf        string
}

// DisplayName is Display, or Name when it has none.
func (s ImplSpec) DisplayName() string {
	if s.Display != "" {
		return s.Display
	}
	return s.Name
}

// ipcFork keeps fork alone for the workloads timed once the children are
// up (ping-pong, stream, pool maps): a secondary implementation's start
// methods differ in its start-up cells, and its program runs are the
// slowest of the profile (each pays the interpreter's start again).
var ipcFork = map[string][]string{Pingpong: {"fork"}, Stream: {"fork"}, Pool: {"fork"}}

// builtinImpls are the implementations of the primary matrix, in its
// canonical order (Impls). The cost models are fitted to the program
// runs' wall times (the WALL lines) of results/dimension-vm-2026-12-06,
// measured on a quiet 2-vCPU VM, and refitted to the full-profile run
// results/budget-vm-2026-12-06 (harness's TestEstimateMatchesRecordedWalls
// and cmd/mpbench's TestFullProfileFitsBudget check them).
var builtinImpls = []ImplSpec{
	{Name: "native", RunOverhead: 60 * time.Millisecond, StreamPerByte: 10,
		StartCost: map[string]time.Duration{"fork": time.Millisecond, "spawn": 5 * time.Millisecond, "forkserver": 3 * time.Millisecond}},
	{Name: "cpython", Python: true, RunOverhead: 240 * time.Millisecond, StreamPerByte: 50,
		StartCost: map[string]time.Duration{"fork": 10 * time.Millisecond, "spawn": 100 * time.Millisecond, "forkserver": 30 * time.Millisecond}},
	{Name: "pypy", Display: "PyPy", Python: true,
		Full: &Subset{
			RSS: []int64{0}, PingpongSizes: []int64{64}, StreamSizes: []int64{64, 1 << 20},
			Tasks: []string{"cpu"}, Methods: ipcFork,
		},
		RunOverhead: 600 * time.Millisecond, StreamPerByte: 80,
		StartCost: map[string]time.Duration{"fork": 20 * time.Millisecond, "spawn": 200 * time.Millisecond, "forkserver": 60 * time.Millisecond}},
	{Name: "torch", Python: true, Tensors: true,
		// Tensors travel through the pickling channels; bytes behave as in
		// cpython (same interpreter, same channels), so torch runs tensor
		// payloads only, over torch.multiprocessing's Queue, at the smallest and the largest
		// stream sizes. Its start-up cost is the import of torch in every
		// start method, the same over every channel, so start-up runs over
		// pipe, and the pool runs the stdlib Pool only (exec=pool: what a
		// torch user calls; the worker loops over channels are cpython's).
		Full: &Subset{
			Chans: map[string][]string{Startup: {"pipe"}, Pingpong: {"queue"}, Stream: {"queue"}, Pool: {}},
			RSS:   []int64{0}, PingpongSizes: []int64{64}, StreamSizes: []int64{64 << 10, 16 << 20},
			Tasks: []string{"cpu"}, TensorOnly: true, Methods: ipcFork,
		},
		RunOverhead: 2800 * time.Millisecond, StreamPerByte: 40,
		StartCost: map[string]time.Duration{"fork": 20 * time.Millisecond, "spawn": 1500 * time.Millisecond, "forkserver": 200 * time.Millisecond}},
}

// implSpecs are the registered implementations, in registration order:
// builtinImpls, then the variants' (variantImpls), then RegisterImpl's.
// They are set at variable initialisation, so that package-level cell
// names (DimensionBase) validate against them.
var implSpecs = append(slices.Clone(builtinImpls), variantImpls()...)

// implNames are the names of the registered specs that are (variant) or
// are not a Variant's.
func implNames(variant bool) []string {
	var out []string
	for _, s := range implSpecs {
		if s.Variant == variant {
			out = append(out, s.Name)
		}
	}
	return out
}

// RegisterImpl adds an implementation to the registry and to Impls (or,
// for a Variant's, to ExtraImpls), and returns the function that removes
// it again (a test registers a fake implementation for its own duration).
// Register at init time or before the registry is read: it is not safe
// for concurrent use. It panics on an empty or a duplicate name.
func RegisterImpl(s ImplSpec) (remove func()) {
	if s.Name == "" {
		panic("bench: RegisterImpl with an empty name")
	}
	if _, dup := LookupImpl(s.Name); dup {
		panic(fmt.Sprintf("bench: implementation %q registered twice", s.Name))
	}
	implSpecs = append(implSpecs, s)
	list := &Impls
	if s.Variant {
		list = &ExtraImpls
	}
	*list = append(*list, s.Name)
	return func() {
		implSpecs = slices.DeleteFunc(implSpecs, func(o ImplSpec) bool { return o.Name == s.Name })
		*list = slices.DeleteFunc(*list, func(n string) bool { return n == s.Name })
	}
}

// ImplSpecs are the registered implementations, in registration order
// (the primary matrix's first, in the order of Impls).
func ImplSpecs() []ImplSpec { return slices.Clone(implSpecs) }

// LookupImpl returns the spec of a registered implementation.
func LookupImpl(name string) (ImplSpec, bool) {
	for _, s := range implSpecs {
		if s.Name == name {
			return s, true
		}
	}
	return ImplSpec{}, false
}

// DisplayName is the name of implementation impl in reports (its spec's
// DisplayName; impl itself when it is not registered).
func DisplayName(impl string) string {
	if s, ok := LookupImpl(impl); ok {
		return s.DisplayName()
	}
	return impl
}

// RunsPython reports whether impl runs the Python driver (ImplSpec.Python);
// false for a name that is not registered.
func RunsPython(impl string) bool {
	s, _ := LookupImpl(impl)
	return s.Python
}

// CarriesTensors reports whether impl carries payload=tensor
// (ImplSpec.Tensors).
func CarriesTensors(impl string) bool {
	s, _ := LookupImpl(impl)
	return s.Tensors
}

// TensorImpl is the implementation that carries torch tensors (the one
// whose interpreter imports torch), or "" when none is registered.
func TensorImpl() string {
	for _, s := range implSpecs {
		if s.Tensors {
			return s.Name
		}
	}
	return ""
}

// BaseImpl is the implementation whose cost model impl's program runs
// follow (for a-priori estimates): ImplSpec.CostOf (cpython for the
// CPython versions and the libraries), impl itself otherwise.
func BaseImpl(impl string) string {
	if s, ok := LookupImpl(impl); ok && s.CostOf != "" {
		return s.CostOf
	}
	return impl
}

// CostModel is the spec of BaseImpl(impl), whose RunOverhead and
// StartCost a program run of impl costs; the zero spec (no cost) for a
// name that is not registered.
func CostModel(impl string) ImplSpec {
	s, _ := LookupImpl(BaseImpl(impl))
	return s
}
