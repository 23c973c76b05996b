package harness

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mpbench/mpbench/bench"
)

// progress reports on stderr: a progress bar (runs done / total, ETA) on
// a terminal, one line per program run otherwise (logs, CI). It is idle
// while a cell is being measured.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	total int
	done  int
	start time.Time
}

func newProgress(w io.Writer, total int, sum Summary) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	fmt.Fprintf(w, "mpbench: %d cells, %d program runs to do (%d cells already recorded), estimated %v\n",
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

func (p *progress) begin(i int, name string) {
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

// estimate is a rough a-priori duration of a plan, from per-impl costs
// measured on a 2-core VM (interpreter start, process start per method)
// and the sample sizing rules; the progress bar refines it as runs end.
func estimate(plan []cellRun, cfg Config) time.Duration {
	var total time.Duration
	for _, r := range plan {
		total += estimateRun(r.cell, r.count, cfg)
	}
	return total
}

// Rough costs: interpreter start and one child start per impl and method.
var (
	interpStart = map[string]time.Duration{"native": 5 * time.Millisecond, "cpython": 40 * time.Millisecond, "pypy": 80 * time.Millisecond, "torch": 1500 * time.Millisecond}
	childStart  = map[string]map[string]time.Duration{
		"native":  {"fork": time.Millisecond, "spawn": 5 * time.Millisecond, "forkserver": 3 * time.Millisecond},
		"cpython": {"fork": 10 * time.Millisecond, "spawn": 100 * time.Millisecond, "forkserver": 30 * time.Millisecond},
		"pypy":    {"fork": 20 * time.Millisecond, "spawn": 200 * time.Millisecond, "forkserver": 60 * time.Millisecond},
		"torch":   {"fork": 20 * time.Millisecond, "spawn": 1500 * time.Millisecond, "forkserver": 200 * time.Millisecond},
	}
)

func estimateRun(c bench.Cell, count int, cfg Config) time.Duration {
	samples := time.Duration(count + max(cfg.Warmup, 1))
	start := childStart[bench.BaseImpl(c.Impl)][c.Method]
	d := interpStart[bench.BaseImpl(c.Impl)]
	switch c.Workload {
	case "startup":
		d += samples*start + time.Duration(c.RSS>>30)*time.Second/2
	case "pingpong", "stream":
		d += start + samples*cfg.Benchtime*6/5
	case "pool":
		task := time.Duration(bench.CPUTaskMicros) * time.Microsecond
		par := min(c.Workers, c.Cores)
		if c.Task == "sleep" {
			task, par = time.Duration(bench.SleepTaskMillis)*time.Millisecond, c.Workers
		}
		d += time.Duration(c.Workers)*start + samples*task*time.Duration((c.Tasks+par-1)/par)
	}
	return d
}

func osGetpid() int { return os.Getpid() }
