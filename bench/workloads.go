package bench

import (
	"strconv"
	"strings"
	"time"
)

// The workloads of mpbench, registered once. Each entry of
// WorkloadRegistry declares what the rest of the code reads about a
// workload: the value of the workload dimension and the Go benchmark kind
// that begins its cell names, the name keys of its own parameters, the
// units its result lines carry (their meanings: Metrics), what one sample
// is, where the definitions its implementations follow are, its section of
// the report and the timeout of one program run. Workloads,
// MatrixWorkloads, Cell.Name, ParseName, RequiredUnits, the harness's
// timeouts and the report's generic tables read this table; code that
// does per-workload work (the profiles, the measured programs, the
// estimates, the report's handwritten sections) names a workload by its
// constant below.
//
// Adding a workload: its constant and entry here; the units it records
// that are new, in Metrics (metric.go); the part of a profile that expands
// its cells (profile.go, users.go, usersprofile.go or variants.go); its
// measurement in the implementations that run it (impl/python/driver.py;
// impl/native, or a skip line there); its definitions in the contract of
// impl/impl.go. Optional: a cost model in harness/progress.go (else the
// estimate follows Sample) and a section of its own in harness/report
// (else the report gives it a summary table of its own under Section). A
// new name key also needs its Cell field and ParseName case (matrix.go)
// and its entry of ParamKeys.

// Workload names (the workload key), in canonical order.
const (
	Startup  = "startup"  // start of one child
	Pingpong = "pingpong" // round trip parent → child → parent
	Stream   = "stream"   // one-way throughput parent → child
	Pool     = "pool"     // one map over a pool of workers
	Gather   = "gather"   // many-to-one: workers stream into the parent
	Memory   = "memory"   // memory per worker (bench/memory.go)
)

// Workload is one entry of the registry.
type Workload struct {
	Name string // the workload key's value, e.g. "pingpong"
	Kind string // first element of its cell names, its Go benchmark: "Pingpong" (strings.ToLower(Kind) == Name)

	// Params are the name keys of its own parameters, in name order, after
	// the shared keys (impl, method, preload, main, exec, chan, payload,
	// touch) and before cores. Each is a field of Cell (ParamKeys).
	Params []string

	// Units are the units every result line carries, ns/op first; their
	// meaning, direction and format are the entries of Metrics.
	Units []string

	// Headline is the unit of its row in the report's summary tables.
	Headline string

	// Sample is what one sample is when it is one operation ("start",
	// "map", …); "" for a sample that is the mean over a calibrated number
	// of operations, whose length --benchtime sets.
	Sample string

	// Definitions names the definitions its implementations follow: the
	// paragraphs of the contract in impl/impl.go and the functions of
	// impl/definitions.go.
	Definitions string

	// Section is the heading of its section in the report (the anchor is
	// the heading in lower case, spaces as '-').
	Section string

	Matrix  bool          // a workload of the primary matrix (MatrixWorkloads)
	Timeout time.Duration // default timeout of one program run of a cell
}

// WorkloadRegistry is every workload, in canonical order (the order of
// Workloads, of the report's tables and of sorted cells).
var WorkloadRegistry = []Workload{
	{Name: Startup, Kind: "Startup", Params: []string{"rss"}, Units: []string{"ns/op", "join-ns/op"}, Headline: "ns/op",
		Sample: "start", Definitions: "impl/impl.go: One sample (startup: exactly one start)",
		Section: "Start-up", Matrix: true, Timeout: 120 * time.Second},
	{Name: Pingpong, Kind: "Pingpong", Params: []string{"size"}, Units: []string{"ns/op", "p50-ns", "p99-ns", "user-ns/op", "sys-ns/op"}, Headline: "ns/op",
		Definitions: "impl/impl.go: One sample, Percentiles (impl.Percentile), Payloads, Calibration, user-ns/op and sys-ns/op",
		Section:     "Ping-pong", Matrix: true, Timeout: 90 * time.Second},
	{Name: Stream, Kind: "Stream", Params: []string{"size"}, Units: []string{"ns/op", "MB/s", "msgs/s", "user-ns/op", "sys-ns/op"}, Headline: "MB/s",
		Definitions: "impl/impl.go: One sample, Payloads, Calibration, user-ns/op and sys-ns/op",
		Section:     "Stream", Matrix: true, Timeout: 120 * time.Second},
	{Name: Pool, Kind: "Pool", Params: []string{"workers", "tasks", "task", "chunksize"}, Units: []string{"ns/op", "tasks/s", "efficiency", "overhead-ns/op"}, Headline: "ns/op",
		Sample: "map", Definitions: "impl/impl.go: Pool (impl.PoolParallelism, PoolEfficiency, PoolOverhead, PoolRounds, IdealMakespan)",
		Section: "Pool", Matrix: true, Timeout: 120 * time.Second},
	{Name: Gather, Kind: "Gather", Params: []string{"workers", "size"}, Units: []string{"ns/op", "MB/s", "msgs/s"}, Headline: "msgs/s",
		Definitions: "impl/impl.go: Gather (many-to-one), Calibration",
		Section:     "Many-to-one", Timeout: 120 * time.Second},
	{Name: Memory, Kind: "Memory", Params: []string{"rss", "workers"}, Units: []string{"ns/op", "pss-B", "uss-B", "pool-pss-B"}, Headline: "uss-B",
		Sample: "start of the workers", Definitions: "impl/impl.go: Memory (impl.SmapsRollup); bench/memory.go",
		Section: "Memory per worker", Timeout: 120 * time.Second},
}

// LookupWorkload returns the registry entry of a workload name.
func LookupWorkload(name string) (Workload, bool) {
	for _, w := range WorkloadRegistry {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// RegisterWorkload adds w to the end of the registry (and of Workloads,
// and of MatrixWorkloads when w.Matrix) and returns the function that
// removes it again. It is for tests: a workload of the suite is an entry
// of WorkloadRegistry.
func RegisterWorkload(w Workload) (unregister func()) {
	for _, k := range w.Params {
		if ParamKeys[k] == nil {
			panic("bench.RegisterWorkload: " + w.Name + ": parameter " + k + " is not a key of ParamKeys")
		}
	}
	if _, dup := LookupWorkload(w.Name); dup || strings.ToLower(w.Kind) != w.Name {
		panic("bench.RegisterWorkload: " + w.Name + " is registered already or its kind " + w.Kind + " is not its name")
	}
	saved := WorkloadRegistry
	WorkloadRegistry = append(append([]Workload(nil), WorkloadRegistry...), w)
	Workloads, MatrixWorkloads = workloadNames(false), workloadNames(true)
	return func() {
		WorkloadRegistry = saved
		Workloads, MatrixWorkloads = workloadNames(false), workloadNames(true)
	}
}

// workloadNames are the names of the registry, of the primary matrix's
// workloads only when matrix.
func workloadNames(matrix bool) []string {
	var out []string
	for _, w := range WorkloadRegistry {
		if w.Matrix || !matrix {
			out = append(out, w.Name)
		}
	}
	return out
}

// timedWorkloads are the workloads whose sample length --benchtime sets.
func timedWorkloads() []string {
	var out []string
	for _, w := range WorkloadRegistry {
		if w.Sample == "" {
			out = append(out, w.Name)
		}
	}
	return out
}

// WorkloadTimeout is the default timeout of one program run of a cell of
// workload (two minutes for a name outside the registry).
func WorkloadTimeout(workload string) time.Duration {
	if w, ok := LookupWorkload(workload); ok && w.Timeout > 0 {
		return w.Timeout
	}
	return 2 * time.Minute
}

// HeadlineUnit is the unit of a workload's row in the report's summary
// tables (ns/op for a name outside the registry).
func HeadlineUnit(workload string) string {
	if w, ok := LookupWorkload(workload); ok && w.Headline != "" {
		return w.Headline
	}
	return "ns/op"
}

// ParamKeys are the name keys a workload may declare as a parameter, with
// the text of the cell's value; ok is false where the key is left out of
// the name (chunksize 0: the executor's default).
var ParamKeys = map[string]func(c Cell) (v string, ok bool){
	"rss":       func(c Cell) (string, bool) { return FormatSize(c.RSS), true },
	"size":      func(c Cell) (string, bool) { return FormatSize(c.Size), true },
	"workers":   func(c Cell) (string, bool) { return strconv.Itoa(c.Workers), true },
	"tasks":     func(c Cell) (string, bool) { return strconv.Itoa(c.Tasks), true },
	"task":      func(c Cell) (string, bool) { return c.Task, true },
	"chunksize": func(c Cell) (string, bool) { return strconv.Itoa(c.Chunksize), c.Chunksize != 0 },
}

// Params are the key=value pairs of the cell's own workload parameters,
// in name order (none for a workload outside the registry).
func (c Cell) Params() []string {
	w, _ := LookupWorkload(c.Workload)
	var out []string
	for _, k := range w.Params {
		if v, ok := ParamKeys[k](c); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// kindOf is the first element of a cell name of workload.
func kindOf(workload string) string {
	if w, ok := LookupWorkload(workload); ok {
		return w.Kind
	}
	return strings.ToUpper(workload[:1]) + workload[1:]
}

// sayList joins names as a sentence does: "a", "a and b", "a, b and c".
func sayList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// WorkloadSection is the heading of a workload's section in the report
// (the name itself for a name outside the registry).
func WorkloadSection(workload string) string {
	if w, ok := LookupWorkload(workload); ok && w.Section != "" {
		return w.Section
	}
	return workload
}
