package harness

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
)

// progress reports on stderr: a progress bar (program runs done / total,
// ETA) on a terminal, one line per program run otherwise (logs, CI). It
// is idle while a program runs. The total grows when an adaptive round
// adds runs.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	total int
	done  int
	start time.Time
}

func newProgress(w io.Writer, total int, sum Summary) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	fmt.Fprintf(w, "mpbench: %d cells, %d program runs to do before adaptive rounds (%d cells already recorded), estimated %v\n",
		sum.Cells, total, sum.AlreadyRecordedCells, sum.EstimatedBeforeLaunch.Round(time.Second))
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) && total > 0 {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionFullWidth(),
		)
	}
	return p
}

// grow adds the program runs of adaptive round `round` (1-based run index).
func (p *progress) grow(n, round int) {
	p.total += n
	msg := fmt.Sprintf("mpbench: adaptive round: run #%d of the %d cells whose CI is still above the target", round, n)
	if p.bar != nil {
		p.bar.ChangeMax(p.total)
		p.bar.Clear()
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) begin(name string) {
	if p.bar != nil {
		p.bar.Describe(name)
	}
}

func (p *progress) step(name, status string) {
	p.done++
	if p.bar != nil {
		if status != "ok" {
			p.bar.Clear()
			fmt.Fprintf(p.w, "%s: %s\n", name, status)
		}
		p.bar.Add(1)
		return
	}
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done))
	fmt.Fprintf(p.w, "[%d/%d %v, eta %v] %s %s\n", p.done, p.total,
		elapsed.Round(time.Second), eta.Round(time.Second), name, status)
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}

// estimatePlan is a rough a-priori duration of program runs, from
// per-impl costs measured on a 2-core VM (interpreter start, process start
// per method) and the sample sizing rules; the progress bar refines it as
// runs end.
func estimatePlan(runs []bench.Cell, cfg Config) time.Duration {
	var total time.Duration
	for _, c := range runs {
		total += estimateRun(c, cfg.Count, cfg)
	}
	return total
}

// AdaptiveShare is the share of the adaptive runs (from Runs up to
// MaxRuns for every cell) the estimate expects to be needed. It is an
// assumption, not a measurement; the time budget bounds what it can cost.
const AdaptiveShare = 0.3

// adaptiveAllowance is the expected duration of the adaptive rounds:
// AdaptiveShare of the runs they could take, at most what the time budget
// leaves after the min-runs rounds.
func adaptiveAllowance(p *planner, cfg Config) time.Duration {
	if cfg.MaxRuns <= cfg.Runs {
		return 0
	}
	var all time.Duration
	for _, c := range cfg.Cells {
		if p.done(c) || p.stopped(c) {
			continue
		}
		extra := max(0, cfg.MaxRuns-max(p.base(c), p.runs(c)))
		all += time.Duration(extra) * estimateRun(c, cfg.Count, cfg)
	}
	d := time.Duration(float64(all) * AdaptiveShare)
	if cfg.Budget > 0 {
		d = min(d, max(0, cfg.Budget-estimatePlan(p.minRunsLeft(), cfg)))
	}
	return d
}

// Estimate is the a-priori duration of a run of cells with the given
// settings from scratch: the min-runs rounds plus the expected adaptive
// rounds (see AdaptiveShare), and the min-runs rounds alone.
func Estimate(cfg Config) (expected, minRuns time.Duration) {
	if cfg.MaxRuns < cfg.Runs {
		cfg.MaxRuns = cfg.Runs
	}
	p := &planner{cfg: cfg, st: emptyFile()}
	minRuns = estimatePlan(p.minRunsLeft(), cfg)
	return minRuns + adaptiveAllowance(p, cfg), minRuns
}

// EstimateByImpl is the duration of the min-runs rounds of a run from
// scratch, per implementation (where the time goes).
func EstimateByImpl(cfg Config) map[string]time.Duration {
	out := map[string]time.Duration{}
	p := &planner{cfg: cfg, st: emptyFile()}
	for _, c := range cfg.Cells {
		out[c.Impl] += time.Duration(max(p.base(c), 1)) * estimateRun(c, cfg.Count, cfg)
	}
	return out
}

// Rough costs, fitted to the program runs' wall times (the WALL lines) of
// results/dimension-vm-2026-12-06, measured on a quiet 2-vCPU VM
// (TestEstimateMatchesRecordedWalls checks the fit): runOverhead is what a
// program run costs besides its samples — the interpreter's start, the
// driver's imports, the calibration and the exit — and childStart one
// child start per impl and method. rssCost is the parent's memory: its
// allocation and first touch, and the page tables every fork copies.
var (
	runOverhead = map[string]time.Duration{"native": 60 * time.Millisecond, "cpython": 240 * time.Millisecond, "pypy": 600 * time.Millisecond, "torch": 2800 * time.Millisecond}
	childStart  = map[string]map[string]time.Duration{
		"native":  {"fork": time.Millisecond, "spawn": 5 * time.Millisecond, "forkserver": 3 * time.Millisecond},
		"cpython": {"fork": 10 * time.Millisecond, "spawn": 100 * time.Millisecond, "forkserver": 30 * time.Millisecond},
		"pypy":    {"fork": 20 * time.Millisecond, "spawn": 200 * time.Millisecond, "forkserver": 60 * time.Millisecond},
		"torch":   {"fork": 20 * time.Millisecond, "spawn": 1500 * time.Millisecond, "forkserver": 200 * time.Millisecond},
	}
	rssCostPerGiB = 4 * time.Second
	// streamPerByte: what a stream run costs per byte of its message size
	// besides its samples' benchtime — the calibration's and warm-up's
	// messages, which at 16 MiB outlast the benchtime (refitted to the
	// full-profile run results/budget-vm-2026-12-06).
	streamPerByte = map[string]time.Duration{"native": 10, "cpython": 50, "pypy": 80, "torch": 40}
	// tinyChunkCost, tinyTaskCost: an executor's work for one chunk (a
	// message each way, pickled) and for one task of an empty body in it.
	tinyChunkCost = 100 * time.Microsecond
	tinyTaskCost  = 2 * time.Microsecond
	// mainImport: the imports of a main module of each weight (bench.MainImports),
	// paid by the parent, by a preloading fork server once, and by every
	// spawn child and every child of a fork server that preloads nothing.
	mainImport = map[string]time.Duration{bench.MainStub: 0, bench.MainStdlib: 60 * time.Millisecond,
		bench.MainNumpy: 150 * time.Millisecond, bench.MainTorch: 1500 * time.Millisecond}
)

// EstimateCell is the a-priori time of one program run of a cell with
// count samples (the model above); sharding balances shards with it.
func EstimateCell(c bench.Cell, count, warmup int, benchtime time.Duration) time.Duration {
	return estimateRun(c, count, Config{Warmup: warmup, Benchtime: benchtime})
}

func estimateRun(c bench.Cell, count int, cfg Config) time.Duration {
	count, benchtime := c.Settings(count, cfg.Benchtime)
	samples := time.Duration(count + max(cfg.Warmup, 1))
	start := childStart[bench.BaseImpl(c.Impl)][c.Method]
	d := runOverhead[bench.BaseImpl(c.Impl)]
	switch c.Workload {
	case "startup":
		d += samples*max(start, benchtime) + time.Duration(float64(rssCostPerGiB)*float64(c.RSS)/(1<<30))
	case "pingpong", "stream":
		d += start + samples*max(benchtime*6/5, 2*messageCost(c))
		if c.Workload == "stream" {
			d += time.Duration(c.Size) * streamPerByte[bench.BaseImpl(c.Impl)]
		}
	case "pool":
		d += time.Duration(c.Workers)*start + samples*impl.IdealMakespan(c)
		if c.Exec == bench.ExecLokyCold || c.Exec == bench.ExecPoolCold || c.Exec == bench.ExecPPECold {
			d += samples * time.Duration(c.Workers) * start // a fresh executor per map
		}
		if c.Task == bench.TinyTask {
			d += samples * tinyMapCost(c) // the executor's work per task and per chunk
		}
	case bench.Gather:
		d += time.Duration(c.Workers)*start + samples*benchtime*6/5
	case bench.Memory:
		d += memoryCost(c, samples, start)
	}
	return d + mainCost(c, samples)
}

// messageCost is the rough cost of one message whose size makes it slow
// enough that the two messages a sample needs at least outlast the
// benchtime: a list of dicts (payload=objects) pickled and unpickled at
// about objectsPerByte; zero for the others.
func messageCost(c bench.Cell) time.Duration {
	if c.Payload != bench.PayloadObjects {
		return 0
	}
	return time.Duration(c.Size) * objectsPerByte
}

// objectsPerByte: pickling and unpickling a list of dicts, per pickled byte
// (about 8 MB/s, refitted to results/users-vm-2026-12-06).
const objectsPerByte = 120 * time.Nanosecond

// memoryCost is the rough cost of a memory cell's program run: building
// the parent's objects (about memObjectsPerGiB per GiB) once, then per
// sample the workers' starts (fork: as a start-up of that parent) and,
// for the touches that walk the objects, one walk per worker.
func memoryCost(c bench.Cell, samples, start time.Duration) time.Duration {
	gib := func(per time.Duration) time.Duration { return time.Duration(float64(per) * float64(c.RSS) / (1 << 30)) }
	d := gib(memObjectsPerGiB) + samples*time.Duration(c.Workers)*start
	if c.Method == "fork" {
		d += samples * time.Duration(c.Workers) * gib(memForkPerGiB)
	}
	d += samples * time.Duration(c.Workers) * gib(memTouchPerGiB[c.Touch])
	return d
}

// memObjectsPerGiB, memForkPerGiB, memTouchPerGiB: building a GiB of the
// memory workload's objects in the parent (about a million entries), a
// fork child's copy of its page tables, and one child's touch of them
// (read: a copy-on-write fault per page, a million entries; gc: a full
// collection; -frozen: after gc.freeze()), refitted to
// results/users-vm-2026-12-06.
const (
	memObjectsPerGiB = 6 * time.Second
	memForkPerGiB    = 100 * time.Millisecond
)

var memTouchPerGiB = map[string]time.Duration{bench.TouchRead: 3 * time.Second, bench.TouchReadFrozen: 3 * time.Second,
	bench.TouchGC: 2 * time.Second}

// tinyMapCost is the rough cost of one map of tiny tasks: its chunks (the
// cell's chunksize, else the executor's default: Pool ceil(tasks / (4 ×
// workers)), the others 1) and its tasks.
func tinyMapCost(c bench.Cell) time.Duration {
	chunk := c.Chunksize
	if chunk == 0 {
		chunk = 1
		if c.Exec == bench.ExecPool {
			chunk = max(1, (c.Tasks+4*c.Workers-1)/(4*c.Workers))
		}
	}
	chunks := (c.Tasks + chunk - 1) / chunk
	return time.Duration(chunks)*tinyChunkCost + time.Duration(c.Tasks)*tinyTaskCost
}

// mainCost is what the imports of a cell's main module add to a program run.
func mainCost(c bench.Cell, samples time.Duration) time.Duration {
	imp := mainImport[c.MainWeight()]
	if imp == 0 {
		return 0
	}
	children := time.Duration(1)
	switch c.Workload {
	case "startup":
		children = samples
	case "pool", bench.Gather:
		children = time.Duration(c.Workers)
	}
	switch {
	case c.Method == "fork":
		return imp
	case c.PreloadOf() == bench.PreloadMain:
		return 2 * imp // the parent and the fork server
	}
	return imp + children*imp
}

func osGetpid() int { return os.Getpid() }

func emptyFile() *rawbench.File { return rawbench.Empty() }
