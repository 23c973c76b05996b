package bench_test

// go test -bench entry points over the workload matrix: one Benchmark
// function per workload, one nested b.Run level per key of the cell name,
// so that names and units are those of `mpbench run`, e.g.
//
//	go test -run '^$' -bench 'Startup/impl=native/method=fork' -benchtime 1x ./bench/
//	BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=2  1  312345 ns/op  95000 join-ns/op
//
// Every cell runs its measured program through the harness's one runner
// (harness.RunProgram: own process group, pinned to the cell's cores,
// parent-death signal, timeout, output validation), with Count 1, and
// reports its figures with b.ReportMetric. The measured program calibrates
// its own iteration count (from -benchtime when it is a duration, else
// 100ms), so the iteration column shows 1 (one or more program runs,
// averaged). The loop count of the cpu task is calibrated once per
// implementation and test binary (harness.CalibrateSpin), as `mpbench
// run` does once per invocation. Implementations that are not installed are skipped with
// their reason. Native cells run this test binary's hidden __native-cell
// role, as `mpbench run` runs its own binary's.
//
// The testing package appends -GOMAXPROCS to names; run with -cpu 1 for
// names identical to those of mpbench run.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/native"
	"github.com/mpbench/mpbench/impl/python"
)

func TestMain(m *testing.M) {
	native.ChildMain() // native spawn children and forkserver re-execute this binary
	if len(os.Args) > 1 && os.Args[1] == "__native-cell" {
		if err := native.CellMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func BenchmarkStartup(b *testing.B)  { benchWorkload(b, "startup") }
func BenchmarkPingpong(b *testing.B) { benchWorkload(b, "pingpong") }
func BenchmarkStream(b *testing.B)   { benchWorkload(b, "stream") }
func BenchmarkPool(b *testing.B)     { benchWorkload(b, "pool") }
func BenchmarkGather(b *testing.B)   { benchWorkload(b, bench.Gather) }

// benchWorkload expands the full profile for one workload and runs its
// cells as a tree of sub-benchmarks, one level per name key.
func benchWorkload(b *testing.B, workload string) {
	cells, err := bench.Expand(bench.Selection{Profile: bench.Full, Workloads: []string{workload}}, runtime.NumCPU())
	if err != nil {
		b.Fatal(err)
	}
	benchTree(b, cells, 1)
}

// benchTree runs b.Run for each distinct key=value at name level depth,
// in the matrix's order, down to the cells themselves.
func benchTree(b *testing.B, cells []bench.Cell, depth int) {
	var order []string
	groups := map[string][]bench.Cell{}
	for _, c := range cells {
		parts := strings.Split(c.Name(), "/")
		k := parts[depth]
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], c)
	}
	for _, k := range order {
		g := groups[k]
		b.Run(k, func(b *testing.B) {
			if len(strings.Split(g[0].Name(), "/")) == depth+1 {
				benchCell(b, g[0])
				return
			}
			benchTree(b, g, depth+1)
		})
	}
}

var (
	impls  sync.Map // impl name → impl.Impl
	spins  sync.Map // impl name → func() (int64, error), calibrated once
	runSeq atomic.Int64
)

// spinFor is the loop count of the cpu task of an implementation,
// calibrated on its first use (pinned to one CPU).
func spinFor(name string, im impl.Impl, cpus []int) (int64, error) {
	f, _ := spins.LoadOrStore(name, sync.OnceValues(func() (int64, error) {
		return harness.CalibrateSpin(context.Background(), im, cpus[:1], harness.SpinTimeout)
	}))
	return f.(func() (int64, error))()
}

func implFor(name string) impl.Impl {
	var im impl.Impl
	if name == "native" {
		im = native.New()
	} else if v := python.NewVariant(name, ""); v != nil {
		im = v // a CPython version or a library
	} else {
		im = python.New(name, "")
	}
	v, _ := impls.LoadOrStore(name, im)
	return v.(impl.Impl)
}

// benchCell runs the cell's measured program once (with a count
// -benchtime) or until the call lasts the -benchtime duration, so that
// the testing package asks for no larger b.N, and reports the mean of
// each metric.
func benchCell(b *testing.B, c bench.Cell) {
	im := implFor(c.Impl)
	if err := im.Available(); err != nil {
		b.Skip(err)
	}
	cpus, err := harness.AllowedCPUs()
	if err != nil {
		b.Fatal(err)
	}
	if len(cpus) < c.Cores {
		b.Skipf("cores=%d: only %d CPUs allowed", c.Cores, len(cpus))
	}
	var spin int64
	if c.Workload == "pool" && c.Task == "cpu" {
		if spin, err = spinFor(c.Impl, im, cpus); err != nil {
			b.Fatalf("%s: calibration of the cpu task: %v", c.Name(), err)
		}
	}
	d, isDuration := benchtimeFlag()
	start := time.Now()
	var units []string
	sums := map[string]float64{}
	runs := 0
	for runs == 0 || (isDuration && time.Since(start) < d) {
		prefix := fmt.Sprintf("mpbench-gotest-%d-%d", os.Getpid(), runSeq.Add(1))
		r := harness.RunProgram(context.Background(), im, c,
			impl.Options{Count: 1, Warmup: 1, Benchtime: d, ShmPrefix: prefix, CPUTaskSpin: spin},
			cpus[:c.Cores], harness.DefaultTimeout[c.Workload])
		harness.RemoveSegments(prefix)
		switch r.Kind {
		case harness.Skipped:
			b.Skip(r.Reason)
		case harness.Failed, harness.Interrupted:
			b.Fatalf("%s: %s", c.Name(), r.Reason)
		}
		for i, s := range r.Samples {
			f := strings.Fields(r.Lines[i])
			for j := 3; j < len(f); j += 2 { // name iters (value unit)…: units in printed order
				if _, ok := sums[f[j]]; !ok {
					units = append(units, f[j])
				}
				sums[f[j]] += s.Values[f[j]]
			}
		}
		runs++
	}
	for _, u := range units {
		b.ReportMetric(sums[u]/float64(runs), u)
	}
}

// benchtimeFlag is -test.benchtime when it is a duration; otherwise
// (a count such as 20x) 100ms and false.
func benchtimeFlag() (time.Duration, bool) {
	if f := flag.Lookup("test.benchtime"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil {
			return d, true
		}
	}
	return 100 * time.Millisecond, false
}
