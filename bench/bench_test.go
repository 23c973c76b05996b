package bench_test

// go test -bench entry points over the workload matrix: one Benchmark
// function per workload, one nested b.Run level per key of the cell name,
// so that names and units are those of `mpbench run`, e.g.
//
//	go test -run '^$' -bench 'Startup/impl=native/method=fork' -benchtime 20x ./bench/
//	BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=2  20  312345 ns/op  95000 join-ns/op
//
// Native cells run in this process (b.N operations of a native.Session,
// with the process's CPU affinity narrowed to the cell's cores). Python
// cells (cpython, pypy, torch) run their measured program with Count 1
// and report its figures with b.ReportMetric: the driver calibrates its
// own iteration count (from -benchtime when it is a duration, else
// 100ms), so the iteration column shows 1 (one or more driver runs,
// averaged). Implementations that are not installed are skipped with
// their reason.
//
// The testing package appends -GOMAXPROCS to names; run with -cpu 1 for
// names identical to those of mpbench run (GOMAXPROCS follows each
// cell's cores while it runs, whatever -cpu says).

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/native"
	"github.com/mpbench/mpbench/impl/python"
)

func TestMain(m *testing.M) {
	native.ChildMain() // native spawn children and forkserver re-execute this binary
	os.Exit(m.Run())
}

func BenchmarkStartup(b *testing.B)  { benchWorkload(b, "startup") }
func BenchmarkPingpong(b *testing.B) { benchWorkload(b, "pingpong") }
func BenchmarkStream(b *testing.B)   { benchWorkload(b, "stream") }
func BenchmarkPool(b *testing.B)     { benchWorkload(b, "pool") }

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

func benchCell(b *testing.B, c bench.Cell) {
	restore, err := setAffinity(c.Cores)
	if err != nil {
		b.Skipf("cores=%d: %v", c.Cores, err)
	}
	defer restore()
	if c.Impl == "native" {
		benchNative(b, c)
		return
	}
	benchPython(b, c)
}

var shmSeq atomic.Int64

func shmPrefix() string {
	return fmt.Sprintf("mpbench-gotest-%d-%d", os.Getpid(), shmSeq.Add(1))
}

func benchNative(b *testing.B, c bench.Cell) {
	b.StopTimer()
	s, err := native.Open(c, impl.Options{ShmPrefix: shmPrefix()})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	}()
	if _, err := s.Run(1); err != nil { // warm-up
		b.Fatal(err)
	}
	b.StartTimer()
	r, err := s.Run(b.N)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.NsPerOp, "ns/op")
	for _, m := range r.Extra {
		b.ReportMetric(m.Value, m.Unit)
	}
}

var pythons sync.Map // impl name → *python.Impl

func benchPython(b *testing.B, c bench.Cell) {
	v, _ := pythons.LoadOrStore(c.Impl, python.New(c.Impl, ""))
	p := v.(*python.Impl)
	if err := p.Available(); err != nil {
		b.Skip(err)
	}
	// One driver run when -benchtime is a count; with a duration, runs
	// are repeated (and their figures averaged) until the call lasts the
	// benchtime, so that the testing package asks for no larger b.N.
	d, isDuration := benchtimeFlag()
	start := time.Now()
	var units []string
	sums := map[string]float64{}
	runs := 0
	for runs == 0 || (isDuration && time.Since(start) < d) {
		vals, skip, err := runDriver(p, c, d)
		if err != nil {
			b.Fatal(err)
		}
		if skip != "" {
			b.Skip(skip)
		}
		for _, v := range vals {
			if _, ok := sums[v.Unit]; !ok {
				units = append(units, v.Unit)
			}
			sums[v.Unit] += v.Value
		}
		runs++
	}
	for _, u := range units {
		b.ReportMetric(sums[u]/float64(runs), u)
	}
}

// runDriver runs the Python measured program for one sample of c and
// returns its figures (original units), or the skip reason.
func runDriver(p *python.Impl, c bench.Cell, benchtime time.Duration) ([]native.Metric, string, error) {
	prefix := shmPrefix()
	defer func() {
		m, _ := filepath.Glob(filepath.Join("/dev/shm", prefix+"*"))
		for _, f := range m {
			os.Remove(f)
		}
	}()
	cmd, err := p.Command(c, impl.Options{Count: 1, Warmup: 1, Benchtime: benchtime, ShmPrefix: prefix})
	if err != nil {
		return nil, "", err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	pgid := cmd.Process.Pid
	timer := time.AfterFunc(5*time.Minute, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
	err = cmd.Wait()
	timer.Stop()
	syscall.Kill(-pgid, syscall.SIGKILL) // anything the driver left behind
	if err != nil {
		return nil, "", fmt.Errorf("%v: %v\n%s", cmd.Args, err, lastLine(stderr.String()))
	}
	out := stdout.String()
	if strings.HasPrefix(out, "--- SKIP:") {
		return nil, strings.TrimSpace(strings.TrimPrefix(out, "--- SKIP: "+c.Benchmark()+":")), nil
	}
	r := benchfmt.NewReader(strings.NewReader(out), c.Name())
	if !r.Scan() {
		return nil, "", fmt.Errorf("no result line from %v: %v\n%s", cmd.Args, r.Err(), out)
	}
	res, ok := r.Result().(*benchfmt.Result)
	if !ok {
		return nil, "", fmt.Errorf("unexpected output from %v: %s", cmd.Args, out)
	}
	var vals []native.Metric
	for _, v := range res.Values {
		m := native.Metric{Value: v.OrigValue, Unit: v.OrigUnit}
		if m.Unit == "" {
			m = native.Metric{Value: v.Value, Unit: v.Unit}
		}
		vals = append(vals, m)
	}
	return vals, "", nil
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

func lastLine(s string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			last = t
		}
	}
	return last
}

// setAffinity narrows every thread of this process (and so every child
// started meanwhile) to the first n allowed CPUs and GOMAXPROCS to n, as
// the harness does for a cell's process; restore undoes it.
func setAffinity(n int) (restore func(), err error) {
	var orig unix.CPUSet
	if err := unix.SchedGetaffinity(0, &orig); err != nil {
		return nil, err
	}
	if orig.Count() < n {
		return nil, fmt.Errorf("only %d CPUs allowed", orig.Count())
	}
	var set unix.CPUSet
	for cpu, k := 0, 0; k < n; cpu++ {
		if orig.IsSet(cpu) {
			set.Set(cpu)
			k++
		}
	}
	procs := runtime.GOMAXPROCS(n)
	if err := setAllThreads(&set); err != nil {
		runtime.GOMAXPROCS(procs)
		return nil, err
	}
	return func() {
		setAllThreads(&orig)
		runtime.GOMAXPROCS(procs)
	}, nil
}

func setAllThreads(set *unix.CPUSet) error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		var tid int
		if _, err := fmt.Sscan(t.Name(), &tid); err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return err
		}
	}
	return nil
}
