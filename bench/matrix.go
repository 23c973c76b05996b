// Package bench holds the fixed workload matrix of mpbench as data: the
// dimensions (impl, method, chan, workload, parameters, cores), the cell
// type, its canonical benchmark name, and the profiles (quick, full) that
// expand to a list of cells.
//
// Contract: a Cell's Name is the one identity used everywhere — in
// raw.bench result lines, in `mpbench list`, in `go test -bench`, in
// tables and plots. ParseName(c.Name()) == c for every valid cell, and the
// measured programs (the Python driver, the native child) receive the name
// and print result lines under exactly that name.
//
// Name layout (keys in this fixed order, absent keys omitted):
//
//	Startup/impl=I/method=M/chan=C[/payload=tensor]/rss=R/cores=N
//	Pingpong/impl=I/method=M/chan=C[/payload=tensor]/size=S/cores=N
//	Stream/impl=I/method=M/chan=C[/payload=tensor]/size=S/cores=N
//	Pool/impl=I/method=M/chan=C/workers=W/tasks=T/task=cpu|sleep/cores=N
//
// The "Benchmark" prefix is added by Cell.Benchmark().
package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// Dimension values, in canonical order.
var (
	Impls     = []string{"native", "cpython", "pypy", "torch"}
	Methods   = []string{"spawn", "fork", "forkserver"}
	Chans     = []string{"simplequeue", "queue", "pipe", "shm"}
	Workloads = []string{"startup", "pingpong", "stream", "pool"}
	TaskKinds = []string{"cpu", "sleep"}
	Payloads  = []string{"bytes", "tensor"}
)

// Fixed parameter sets of the full matrix (DESIGN.md).
var (
	StartupRSS    = []int64{0, 256 << 20, 1 << 30}
	PingpongSizes = []int64{64, 4 << 10, 64 << 10}
	StreamSizes   = []int64{64, 4 << 10, 64 << 10, 1 << 20, 16 << 20}
)

// Pool task shapes. CPU tasks are a calibrated busy loop; sleep tasks
// scale the guide's Pool(2).map(f, range(5)) with 1 s sleeps down to
// SleepTaskMillis.
const (
	CPUTaskMicros   = 2000 // one CPU task ≈ 2 ms of busy work
	CPUTasks        = 16   // tasks per map for task=cpu
	SleepTaskMillis = 20   // one sleep task
	SleepTasks      = 5    // tasks per map for task=sleep (as in the guide)
)

// Cell is one point of the matrix. Zero values mean "not applicable".
type Cell struct {
	Workload string // startup, pingpong, stream, pool
	Impl     string
	Method   string
	Chan     string
	Payload  string // "" or "bytes" = opaque bytes; "tensor" = torch tensor
	Size     int64  // pingpong, stream: message size in bytes
	RSS      int64  // startup: parent memory touched before start
	Workers  int    // pool
	Tasks    int    // pool
	Task     string // pool: cpu | sleep
	Cores    int    // size of the CPU affinity set
}

// Name is the canonical benchmark name without the "Benchmark" prefix.
func (c Cell) Name() string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(c.Workload[:1]) + c.Workload[1:])
	kv := func(k, v string) { b.WriteString("/" + k + "=" + v) }
	kv("impl", c.Impl)
	kv("method", c.Method)
	kv("chan", c.Chan)
	if c.Payload != "" && c.Payload != "bytes" {
		kv("payload", c.Payload)
	}
	switch c.Workload {
	case "startup":
		kv("rss", FormatSize(c.RSS))
	case "pingpong", "stream":
		kv("size", FormatSize(c.Size))
	case "pool":
		kv("workers", strconv.Itoa(c.Workers))
		kv("tasks", strconv.Itoa(c.Tasks))
		kv("task", c.Task)
	}
	kv("cores", strconv.Itoa(c.Cores))
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
	if !contains(Workloads, c.Workload) {
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
		case "chan":
			c.Chan = v
		case "payload":
			c.Payload = v
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
		case "cores":
			c.Cores, err = strconv.Atoi(v)
		default:
			return Cell{}, fmt.Errorf("cell %q: unknown key %q", name, k)
		}
		if err != nil {
			return Cell{}, fmt.Errorf("cell %q: %v", name, err)
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
	case !contains(Impls, c.Impl):
		return bad("unknown impl %q", c.Impl)
	case !contains(Methods, c.Method):
		return bad("unknown method %q", c.Method)
	case !contains(Chans, c.Chan):
		return bad("unknown chan %q", c.Chan)
	case c.Payload != "" && !contains(Payloads, c.Payload):
		return bad("unknown payload %q", c.Payload)
	case c.Payload == "tensor" && c.Impl != "torch":
		return bad("payload=tensor needs impl=torch")
	case c.Cores < 1:
		return bad("cores must be ≥ 1")
	}
	switch c.Workload {
	case "pingpong", "stream":
		if c.Size < 0 {
			return bad("negative size")
		}
	case "startup":
		if c.RSS < 0 {
			return bad("negative rss")
		}
	case "pool":
		if c.Workers < 1 || c.Tasks < 1 || !contains(TaskKinds, c.Task) {
			return bad("pool needs workers ≥ 1, tasks ≥ 1, task cpu|sleep")
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
