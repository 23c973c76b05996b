// Package bench holds the fixed workload matrix of mpbench as data: the
// dimensions (impl, method, chan, workload, parameters, cores), the cell
// type, its canonical benchmark name, and the profiles (quick, full) that
// expand to a list of cells. The workloads are registered once, in
// WorkloadRegistry (workloads.go): name, cell-name kind, parameters,
// metrics, definitions, report section, timeout.
//
// Contract: a Cell's Name is the one identity used everywhere — in
// raw.bench result lines, in `mpbench list`, in `go test -bench`, in
// tables and plots. ParseName(c.Name()) == c for every valid cell, and the
// measured programs (the Python driver, the native child) receive the name
// and print result lines under exactly that name.
//
// Name layout (keys in this fixed order, absent keys omitted):
//
//	Startup/impl=I/method=M[/preload=none][/main=W]/chan=C[/payload=tensor]/rss=R/cores=N
//	Pingpong/impl=I/method=M[/preload=none][/main=W]/chan=C[/payload=tensor]/size=S/cores=N
//	Stream/impl=I/method=M[/preload=none][/main=W]/chan=C[/payload=tensor]/size=S/cores=N
//	Pool/impl=I/method=M[/preload=none][/main=W]/exec=E[/chan=C]/workers=W/tasks=T/task=cpu|sleep|tiny[/chunksize=K]/cores=N
//	Gather/impl=I/method=M[/preload=none][/main=W]/chan=C/workers=W/size=S/cores=N
//	Memory/impl=I/method=M[/preload=none][/main=W]/touch=T/rss=R/workers=W/cores=N
//
// followed, for a cell that carries its own replication settings (the
// dimension profile), by [/benchtime=D][/count=K]: the sample length
// (pingpong, stream and gather only: one startup sample is one start, one
// pool sample one map) and the samples per program run of that cell, which
// then replace the run's --benchtime and --count for it (Cell.Settings).
// The settings are part of the identity: each (cell, setting) is a cell
// of its own in raw.bench, with its own runs.
//
// The "Benchmark" prefix is added by Cell.Benchmark().
//
// main (Python impls only) is the weight of the measured program's
// __main__ module: absent = stub (the driver's few-line stub alone, the
// only main module of names written before the key existed); stdlib,
// numpy, torch = a main module that also imports MainImports[W] at its top
// level, as a user's script does. preload (method=forkserver only) is
// what the fork server imports before it forks a child: absent = the main
// module's imports, given to set_forkserver_preload (the driver's
// behaviour, and the only one of names written before the key existed);
// none = nothing (set_forkserver_preload([])), which is what a program
// that does not call set_forkserver_preload gets from CPython before
// 3.13.8 and 3.14.1 — every version measured here: their fork server
// never loads __main__ (from those releases on, the default preload list
// ['__main__'] does load it in the server). So every forkserver child
// re-runs the main module's top level (as __mp_main__) in both cases;
// what preload decides is whether its imports are already loaded when it
// does (impl/impl.go). spawn
// children re-run the main module and all its imports, fork children
// neither: those methods have no preload key. Explicit defaults
// (main=stub, preload=main) are not canonical: a name omits them.
//
// exec (pool only) is the executor that runs the map: loop = a hand-written
// worker loop over chan (the only executor with a chan key, and the only one
// of impl=native); pool = multiprocessing.Pool; ppe =
// concurrent.futures.ProcessPoolExecutor(mp_context=method); loky-cold /
// loky-warm = loky's reusable executor, first map in a fresh executor / a
// later map on the same executor (method=loky, valid only for these two);
// pool-cold / ppe-cold = the whole life of a multiprocessing.Pool / a
// ProcessPoolExecutor(mp_context=method): create, first map, close + join
// / shutdown, all timed. Pool names written before exec existed (chan key,
// no exec key) still parse, as a cell with Exec == "".
// chunksize (exec=pool and ppe only) is the chunksize argument of the
// executor's map (tasks per chunk); absent = the executor's default
// (Pool.map: ceil(tasks / (4 × workers)); ProcessPoolExecutor.map: 1).
// task=tiny (Python impls) is a task with an empty body, for the maps of
// many tiny tasks whose cost is the executor's per-task and per-chunk work.
//
// gather is the many-to-one workload: workers processes each stream
// messages of size bytes into the one parent over chan (simplequeue,
// queue: one queue shared by every worker; pipe: one Pipe per worker;
// shm: one ring shared by every worker). It has no exec, payload, rss or
// task key; main and preload apply as to every Python cell.
//
// memory is the memory per worker (bench/memory.go): workers children
// started by method from a parent holding rss bytes of Python objects, each
// child touching them as touch says, their PSS and USS read from
// /proc/<pid>/smaps_rollup. It has no chan, exec, payload, size or task key.
//
// payload (pingpong and stream, Python impls) is what one message is:
// absent = bytes; ndarray, ndarray-oob, ndarray-shm, objects are the
// users' payloads of bench/payload.go (PayloadsUsers).
package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dimension values, in canonical order.
var (
	Methods   = []string{"spawn", "fork", "forkserver"}
	Chans     = []string{"simplequeue", "queue", "pipe", "shm"}
	Workloads = workloadNames(false) // the registry's (bench/workloads.go)
	// MatrixWorkloads are the workloads of the primary matrix; gather
	// cells come from their own part of the profiles (UserCells).
	MatrixWorkloads = workloadNames(true)
	TaskKinds       = []string{"cpu", "sleep"}                                         // the matrix's; TinyTask is the user cells'
	Payloads        = append([]string{"bytes", "tensor", "rawbytes"}, UserPayloads...) // rawbytes: pipe send_bytes/recv_bytes (python)
	Execs           = []string{ExecLoop, ExecPool, ExecPPE, ExecLokyCold, ExecLokyWarm, ExecPoolCold, ExecPPECold}
	// ColdExecs are the executors whose every map is a whole life-cycle.
	ColdExecs = []string{ExecPoolCold, ExecPPECold}
	// MainWeights are the values of the main key (MainStub: no key).
	MainWeights = []string{MainStub, MainStdlib, MainNumpy, MainTorch}
	// Preloads are the values of the preload key (PreloadMain: no key).
	Preloads = []string{PreloadMain, PreloadNone}
)

// Main-module weights (the main key) and forkserver preloads (the preload key).
const (
	MainStub    = "stub"   // the driver's stub alone (no key)
	MainStdlib  = "stdlib" // the stub plus MainImports["stdlib"]
	MainNumpy   = "numpy"  // the stub plus import numpy
	MainTorch   = "torch"  // the stub plus import torch
	PreloadMain = "main"   // set_forkserver_preload(the main module's imports) (no key)
	PreloadNone = "none"   // nothing preloaded: the default before CPython 3.13.8 / 3.14.1
)

// MainImports are the modules the main module of each weight imports at its
// top level, in this order, besides the driver (impl/python writes one
// __main__ file per weight from this table). The stdlib set is a fixed list
// of standard-library modules a plain script commonly imports, present in
// CPython 3.8–3.13 and PyPy 3.9.
var MainImports = map[string][]string{
	MainStub: nil,
	MainStdlib: {"asyncio", "concurrent.futures", "decimal", "email.message", "http.client",
		"json", "logging", "subprocess", "urllib.request", "xml.etree.ElementTree"},
	MainNumpy: {"numpy"},
	MainTorch: {"torch"},
}

// Pool executors (the exec key) and loky's method value.
const (
	ExecLoop     = "loop"
	ExecPool     = "pool"
	ExecPPE      = "ppe"
	ExecLokyCold = "loky-cold"
	ExecLokyWarm = "loky-warm"
	ExecPoolCold = "pool-cold" // multiprocessing.Pool: create + first map + close/join
	ExecPPECold  = "ppe-cold"  // ProcessPoolExecutor: create + first map + shutdown
	MethodLoky   = "loky"      // valid only with exec=loky-cold|loky-warm
)

// TinyTask is the pool task with an empty body (UserCells' chunksize maps).
const TinyTask = "tiny"

// ChunkTasks is the number of tasks of the chunksize maps (UserCells).
const ChunkTasks = 10000

// TunedChunksize is the chunksize of the chunksize maps beside 1 and the
// executor's default: one chunk per worker, ceil(tasks / workers), the
// fewest messages for tasks of equal length.
func TunedChunksize(tasks, workers int) int { return (tasks + workers - 1) / workers }

// Impls are the implementations of the primary matrix, in canonical order:
// those registered with RegisterImpl (impls.go) but for a Variant's.
var Impls = implNames(false)

// ExtraImpls are the implementations registered (RegisterImpl) as a
// Variant's (see Variants): valid in cell names and selections, but not
// expanded by the primary matrix.
var ExtraImpls = implNames(true)

// KnownImpls are Impls and ExtraImpls.
func KnownImpls() []string { return append(append([]string(nil), Impls...), ExtraImpls...) }

// KnownMethods are Methods and loky's method value.
func KnownMethods() []string { return append(append([]string(nil), Methods...), MethodLoky) }

// Fixed parameter sets of the full matrix (README.md, "Profiles").
var (
	StartupRSS = []int64{0, 256 << 20, 1 << 30}
	// DenseRSS are the extra parent sizes of fork and forkserver start-up
	// at cores = nproc (with StartupRSS: 0, 64, 128, 256, 512 MiB, 1, 2 GiB).
	DenseRSS      = []int64{64 << 20, 128 << 20, 512 << 20, 2 << 30}
	PingpongSizes = []int64{64, 4 << 10, 64 << 10}
	StreamSizes   = []int64{64, 4 << 10, 64 << 10, 1 << 20, 16 << 20}
)

// Pool task shapes. CPU tasks are a calibrated busy loop; sleep tasks
// scale the guide's Pool(2).map(f, sleep-1s tasks) down to SleepTaskMillis.
// A map has TasksPerWorker tasks per worker (cpu and sleep alike), so that
// every worker count has the same amount of work per worker.
const (
	CPUTaskMicros   = 2000 // one CPU task ≈ 2 ms of busy work
	SleepTaskMillis = 20   // one sleep task
	TasksPerWorker  = 8    // tasks per map = TasksPerWorker × workers
)

// PoolTasks is the number of tasks of one map over workers workers.
func PoolTasks(workers int) int { return TasksPerWorker * workers }

// Cell is one point of the matrix. Zero values mean "not applicable".
type Cell struct {
	Workload string // a name of the registry: startup, pingpong, stream, pool, gather, memory
	Impl     string
	Method   string
	Preload  string // forkserver: "" = the main module's imports preloaded (PreloadMain), "none"
	Main     string // Python impls: "" = stub; stdlib, numpy, torch (MainWeights)
	Exec     string // pool: loop, pool, ppe, loky-cold, loky-warm, pool-cold, ppe-cold ("" = name without exec key)
	Chan     string // "" for pool executors other than loop
	Payload  string // "" or "bytes" = opaque bytes; "tensor" = torch tensor; UserPayloads
	Touch    string // memory: what each child reads of the parent's objects (MemoryTouches)
	Size     int64  // pingpong, stream, gather: message size in bytes
	RSS      int64  // startup: parent memory touched before start
	Workers  int    // pool, gather
	Tasks    int    // pool
	Task     string // pool: cpu | sleep | tiny
	Cores    int    // size of the CPU affinity set

	// Chunksize is the chunksize of an exec=pool or ppe map (0: the
	// executor's default, no key).
	Chunksize int

	// Replication settings carried by the cell (0: the run's). Benchtime
	// applies to pingpong, stream and gather only.
	Benchtime time.Duration // target duration of one sample
	Count     int           // samples per program run
}

// Settings are the samples per program run and the sample length of a
// program run of c: the cell's own where it carries them, else the run's
// (count, benchtime).
func (c Cell) Settings(count int, benchtime time.Duration) (int, time.Duration) {
	if c.Count > 0 {
		count = c.Count
	}
	if c.Benchtime > 0 {
		benchtime = c.Benchtime
	}
	return count, benchtime
}

// Base is the cell without its own replication settings.
func (c Cell) Base() Cell {
	c.Benchtime, c.Count = 0, 0
	return c
}

// HasSettings reports whether the cell carries its own replication settings.
func (c Cell) HasSettings() bool { return c.Benchtime != 0 || c.Count != 0 }

// Name is the canonical benchmark name without the "Benchmark" prefix.
func (c Cell) Name() string {
	var b strings.Builder
	b.WriteString(kindOf(c.Workload))
	kv := func(k, v string) { b.WriteString("/" + k + "=" + v) }
	kv("impl", c.Impl)
	kv("method", c.Method)
	if c.Preload != "" {
		kv("preload", c.Preload)
	}
	if c.Main != "" {
		kv("main", c.Main)
	}
	if c.Exec != "" {
		kv("exec", c.Exec)
	}
	if c.Chan != "" {
		kv("chan", c.Chan)
	}
	if c.Payload != "" && c.Payload != "bytes" {
		kv("payload", c.Payload)
	}
	if c.Touch != "" {
		kv("touch", c.Touch)
	}
	for _, p := range c.Params() {
		b.WriteString("/" + p)
	}
	kv("cores", strconv.Itoa(c.Cores))
	if c.Benchtime != 0 {
		kv("benchtime", c.Benchtime.String())
	}
	if c.Count != 0 {
		kv("count", strconv.Itoa(c.Count))
	}
	return b.String()
}

// Benchmark is the full Go benchmark name ("Benchmark" + Name).
func (c Cell) Benchmark() string { return "Benchmark" + c.Name() }

// String is the benchmark name.
func (c Cell) String() string { return c.Benchmark() }

// ParseName parses a cell name, with or without the "Benchmark" prefix,
// and validates every value.
func ParseName(name string) (Cell, error) {
	name = strings.TrimPrefix(name, "Benchmark")
	parts := strings.Split(name, "/")
	var c Cell
	c.Workload = strings.ToLower(parts[0])
	if _, ok := LookupWorkload(c.Workload); !ok {
		return Cell{}, fmt.Errorf("cell %q: unknown workload %q", name, parts[0])
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return Cell{}, fmt.Errorf("cell %q: %q is not key=value", name, p)
		}
		var err error
		switch k {
		case "impl":
			c.Impl = v
		case "method":
			c.Method = v
		case "preload":
			c.Preload = v
		case "main":
			c.Main = v
		case "exec":
			c.Exec = v
		case "chan":
			c.Chan = v
		case "payload":
			c.Payload = v
		case "touch":
			c.Touch = v
		case "size":
			c.Size, err = ParseSize(v)
		case "rss":
			c.RSS, err = ParseSize(v)
		case "workers":
			c.Workers, err = strconv.Atoi(v)
		case "tasks":
			c.Tasks, err = strconv.Atoi(v)
		case "task":
			c.Task = v
		case "chunksize":
			c.Chunksize, err = strconv.Atoi(v)
		case "cores":
			c.Cores, err = strconv.Atoi(v)
		case "benchtime":
			c.Benchtime, err = time.ParseDuration(v)
		case "count":
			c.Count, err = strconv.Atoi(v)
		default:
			return Cell{}, fmt.Errorf("cell %q: unknown key %q", name, k)
		}
		if err != nil {
			return Cell{}, fmt.Errorf("cell %q: %w", name, err)
		}
	}
	if err := c.Validate(); err != nil {
		return Cell{}, err
	}
	if got := c.Name(); got != name {
		return Cell{}, fmt.Errorf("cell %q: not in canonical form %q", name, got)
	}
	return c, nil
}

// Validate checks that every dimension holds a known value and that the
// parameters fit the workload.
func (c Cell) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("cell %s: "+format, append([]any{c.Name()}, a...)...)
	}
	switch {
	case !contains(Workloads, c.Workload):
		return fmt.Errorf("unknown workload %q", c.Workload)
	case !contains(KnownImpls(), c.Impl):
		return bad("unknown impl %q", c.Impl)
	case !contains(KnownMethods(), c.Method):
		return bad("unknown method %q", c.Method)
	case c.Chan != "" && !contains(Chans, c.Chan):
		return bad("unknown chan %q", c.Chan)
	case c.Exec != "" && c.Workload != Pool:
		return bad("exec is a pool key")
	case c.Exec != "" && !contains(Execs, c.Exec):
		return bad("unknown exec %q", c.Exec)
	case c.Chan == "" && c.Workload != Memory && (c.Workload != Pool || c.Exec == ExecLoop || c.Exec == ""):
		return bad("needs a chan")
	case c.Chan != "" && c.Exec != "" && c.Exec != ExecLoop:
		return bad("exec=%s has no chan (chan is the channel of exec=loop)", c.Exec)
	case !RunsPython(c.Impl) && c.Exec != "" && c.Exec != ExecLoop:
		return bad("impl=%s has exec=loop only", c.Impl)
	case (c.Method == MethodLoky) != (c.Exec == ExecLokyCold || c.Exec == ExecLokyWarm):
		return bad("method=loky goes with exec=loky-cold|loky-warm, and only with them")
	case c.Payload != "" && !contains(Payloads, c.Payload):
		return bad("unknown payload %q", c.Payload)
	case c.Payload == "tensor" && !CarriesTensors(c.Impl):
		return bad("payload=tensor needs impl=%s", TensorImpl())
	case c.Payload == "rawbytes" && (c.Chan != "pipe" || (c.Workload != Pingpong && c.Workload != Stream)):
		return bad("payload=rawbytes is a pipe variant of pingpong and stream")
	case c.Payload != "" && c.Workload == Gather:
		return bad("gather sends bytes: no payload key")
	case c.Chunksize < 0:
		return bad("negative chunksize")
	case c.Chunksize != 0 && (c.Workload != Pool || (c.Exec != ExecPool && c.Exec != ExecPPE)):
		return bad("chunksize is a key of exec=pool and exec=ppe maps")
	case c.Task == TinyTask && !RunsPython(c.Impl):
		return bad("task=tiny is a task of the Python implementations")
	case c.Cores < 1:
		return bad("cores must be ≥ 1")
	case c.Count < 0 || c.Benchtime < 0:
		return bad("count and benchtime must not be negative")
	case c.Benchtime != 0 && !contains(timedWorkloads(), c.Workload):
		w, _ := LookupWorkload(c.Workload)
		return bad("benchtime sizes %s samples only (one %s sample is one %s)", sayList(timedWorkloads()), c.Workload, w.Sample)
	}
	if err := c.validateProgram(); err != nil {
		return bad("%v", err)
	}
	if err := c.validateMemory(); err != nil {
		return bad("%v", err)
	}
	if err := c.validateUserPayload(); err != nil {
		return bad("%v", err)
	}
	switch c.Workload {
	case Pingpong, Stream:
		if c.Size < 0 {
			return bad("negative size")
		}
	case Gather:
		if c.Size < 0 || c.Workers < 1 {
			return bad("gather needs workers ≥ 1 and a size ≥ 0")
		}
	case Startup:
		if c.RSS < 0 {
			return bad("negative rss")
		}
	case Pool:
		if c.Workers < 1 || c.Tasks < 1 || (!contains(TaskKinds, c.Task) && c.Task != TinyTask) {
			return bad("pool needs workers ≥ 1, tasks ≥ 1, task cpu|sleep|tiny")
		}
	}
	return nil
}

// validateProgram checks the main and preload keys.
func (c Cell) validateProgram() error {
	switch {
	case c.Main == MainStub:
		return fmt.Errorf("main=stub is the default: a name omits it")
	case c.Main != "" && !contains(MainWeights, c.Main):
		return fmt.Errorf("unknown main %q (want one of %v)", c.Main, MainWeights)
	case c.Preload == PreloadMain:
		return fmt.Errorf("preload=main is the default: a name omits it")
	case c.Preload != "" && !contains(Preloads, c.Preload):
		return fmt.Errorf("unknown preload %q (want one of %v)", c.Preload, Preloads)
	case c.Preload != "" && c.Method != "forkserver":
		return fmt.Errorf("preload is a forkserver key (spawn re-runs the main module and its imports in every child, fork never does)")
	case (c.Main != "" || c.Preload != "") && !RunsPython(c.Impl):
		return fmt.Errorf("main and preload are keys of the Python implementations (impl=%s has no main module)", c.Impl)
	}
	return nil
}

// MainWeight is the cell's main-module weight, MainStub when the name has no main key.
func (c Cell) MainWeight() string {
	if c.Main == "" {
		return MainStub
	}
	return c.Main
}

// PreloadOf is what the fork server of a forkserver cell preloads
// (PreloadMain when the name has no preload key); "" for other methods.
func (c Cell) PreloadOf() string {
	switch {
	case c.Method != "forkserver":
		return ""
	case c.Preload == "":
		return PreloadMain
	}
	return c.Preload
}

// DefaultProgram reports whether the cell measures the driver's own main
// module as every name before the main and preload keys did: the stub, and
// for forkserver the preloaded server.
func (c Cell) DefaultProgram() bool { return c.Main == "" && c.Preload == "" }

// WithProgram returns the cell with main weight main and preload preload
// given as values of MainWeights and Preloads (their defaults become the
// absent keys); preload is ignored for methods other than forkserver.
func (c Cell) WithProgram(main, preload string) Cell {
	c.Main, c.Preload = main, ""
	if main == MainStub {
		c.Main = ""
	}
	if c.Method == "forkserver" && preload != PreloadMain {
		c.Preload = preload
	}
	return c
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
