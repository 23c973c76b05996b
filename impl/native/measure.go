package native

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/impl"
)

// Metric is one extra value of a result line.
type Metric struct {
	Value float64
	Unit  string
}

// Result is one sample of a cell: Iters operations, NsPerOp the headline.
type Result struct {
	Iters   int
	NsPerOp float64
	Extra   []Metric
}

// Line formats r as a Go benchmark result line of cell c.
func (r Result) Line(c bench.Cell) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s ns/op", c.Benchmark(), r.Iters, formatValue(r.NsPerOp))
	for _, m := range r.Extra {
		fmt.Fprintf(&b, " %s %s", formatValue(m.Value), m.Unit)
	}
	return b.String()
}

func formatValue(v float64) string {
	switch {
	case v == 0 || math.Abs(v) >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case math.Abs(v) >= 1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// Session is an opened cell: children started (pingpong, stream, pool),
// ballast touched (startup), ready to run samples.
type Session struct {
	cell   bench.Cell
	w      workload
	st     starter
	broken bool // a run failed: its children are gone (reaped or killed)
}

type workload interface {
	run(n int) (Result, error)
	// procs are the children a failed run leaves (startup: none, its run
	// handles its own child).
	procs() []proc
	// close stops the children and releases everything; release only
	// releases fds and mappings (the children are already reaped).
	close() error
	release()
}

// Open prepares a native cell for measurement. The caller must Close it.
func Open(c bench.Cell, o impl.Options) (*Session, error) {
	if c.Impl != "native" {
		return nil, fmt.Errorf("native: cell %s is not a native cell", c.Name())
	}
	if c.Workload == bench.Pool && c.Exec != "" && c.Exec != bench.ExecLoop {
		return nil, fmt.Errorf("native: pool exec=%s: the native implementation has only exec=%s (a worker loop over a channel)", c.Exec, bench.ExecLoop)
	}
	kind, ok := kindNames[c.Chan]
	if !ok {
		return nil, fmt.Errorf("native: unknown chan %q", c.Chan)
	}
	prefix := o.ShmPrefix
	if prefix == "" {
		prefix = "mpbench-native-" + strconv.Itoa(os.Getpid())
	}
	env := cellEnv{kind: kind, prefix: prefix, spin: spinBudget()}
	// The forkserver is started first, before the parent touches memory.
	st, err := newStarter(c.Method)
	if err != nil {
		return nil, err
	}
	s := &Session{cell: c, st: st}
	switch c.Workload {
	case bench.Startup:
		s.w, err = openStartup(c, env, st)
	case bench.Pingpong, bench.Stream:
		s.w, err = openMessages(c, env, st)
	case bench.Pool:
		s.w, err = openPool(c, env, st, o.CPUTaskSpin)
	default:
		err = fmt.Errorf("native: unknown workload %q", c.Workload)
	}
	if err != nil {
		st.close()
		return nil, err
	}
	return s, nil
}

// Run measures one sample of n operations. When it fails, the error
// carries how the children ended (exit status or signal), and the session
// can only be closed.
func (s *Session) Run(n int) (Result, error) {
	if s.broken {
		return Result{}, fmt.Errorf("native: session of %s failed before", s.cell.Name())
	}
	if n < 1 {
		n = 1
	}
	r, err := s.w.run(n)
	if err != nil {
		s.broken = true
		if procs := s.w.procs(); len(procs) > 0 {
			err = fmt.Errorf("%w; %s", err, failure(procs))
		}
	}
	return r, err
}

// Close stops the children and the forkserver and releases everything.
func (s *Session) Close() error {
	var err error
	if s.broken {
		s.w.release()
	} else {
		err = s.w.close()
	}
	if e := s.st.close(); err == nil {
		err = e
	}
	return err
}

// Measure runs a whole cell as the protocol of package impl describes,
// passing each sample to emit as a result line.
//
// One sample (the same in every implementation): for startup exactly one
// start (one child), for pool exactly one map; Warmup whole samples are
// discarded first. For pingpong and stream a sample is the mean over a
// number of operations calibrated to about Benchtime (as go test
// -benchtime does), after Warmup operations and the calibration runs,
// which are discarded; the iters column is that number.
func Measure(c bench.Cell, o impl.Options, emit func(line string)) (err error) {
	s, err := Open(c, o)
	if err != nil {
		return err
	}
	defer func() {
		if e := s.Close(); err == nil {
			err = e
		}
	}()
	n := 1
	if oneOpPerSample(c.Workload) {
		for i := 0; i < o.Warmup; i++ {
			if _, err := s.Run(1); err != nil {
				return err
			}
		}
	} else {
		if o.Warmup > 0 {
			if _, err := s.Run(o.Warmup); err != nil {
				return err
			}
		}
		if n, err = calibrate(s, o.Benchtime); err != nil {
			return err
		}
	}
	for i := 0; i < o.Count; i++ {
		r, err := s.Run(n)
		if err != nil {
			return err
		}
		emit(r.Line(c))
	}
	return nil
}

// oneOpPerSample: a sample of the workload is one operation (a startup
// sample one start, a pool sample one map: the registry's Sample).
func oneOpPerSample(workload string) bool {
	w, _ := bench.LookupWorkload(workload)
	return w.Sample != ""
}

// calibrate grows the iteration count until a sample lasts about
// benchtime (as go test -benchtime does); a sample is predicted to last
// at most 1.2 × benchtime, or one operation when one operation is longer.
func calibrate(s *Session, benchtime time.Duration) (int, error) {
	if benchtime <= 0 {
		benchtime = 100 * time.Millisecond
	}
	n := 1
	for {
		t := time.Now()
		if _, err := s.Run(n); err != nil {
			return 0, err
		}
		d := time.Since(t)
		if d >= benchtime || n >= 1e9 {
			return n, nil
		}
		perOp := float64(d) / float64(n)
		if perOp < 1 {
			perOp = 1
		}
		next := int(1.2 * float64(benchtime) / perOp)
		next = min(max(next, n+1), 100*n)
		if float64(next)*perOp > 5*float64(benchtime) { // never more than ≈ 5× benchtime
			next = max(n+1, int(5*float64(benchtime)/perOp))
		}
		n = next
	}
}

func newStarter(method string) (starter, error) {
	switch method {
	case "fork":
		if raceEnabled {
			return nil, fmt.Errorf("native fork children cannot run under the race detector")
		}
		return forkStarter{}, nil
	case "spawn":
		return spawnStarter{}, nil
	case "forkserver":
		if raceEnabled {
			return nil, fmt.Errorf("native forkserver children cannot run under the race detector")
		}
		return startForkserver()
	}
	return nil, fmt.Errorf("native: unknown method %q", method)
}

// cellEnv is what every workload needs to create channels.
type cellEnv struct {
	kind   int
	prefix string
	spin   int
}

func (e cellEnv) newChannel() (*channel, error) { return newChannel(e.kind, e.prefix, e.spin) }

// spinBudget is shmSpin when this process may run on more than one CPU.
func spinBudget() int {
	if cpusAllowed() > 1 {
		return shmSpin
	}
	return 0
}

func cpusAllowed() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 1
	}
	return max(set.Count(), 1)
}

type rusage struct{ user, sys int64 }

func selfRusage() rusage {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return rusage{ru.Utime.Nano(), ru.Stime.Nano()}
}

func childRusage(b []byte) rusage {
	return rusage{int64(get64(b[0:8])), int64(get64(b[8:16]))}
}

func monotonicNs() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// ---- startup ----

type startupWorkload struct {
	env     cellEnv
	st      starter
	ballast []byte
	hello   [ctlSize]byte
	live    *liveness // shm: of the child being started
}

func openStartup(c bench.Cell, env cellEnv, st starter) (*startupWorkload, error) {
	w := &startupWorkload{env: env, st: st, live: newLiveness(make([]proc, 1))}
	if c.RSS > 0 {
		w.ballast = make([]byte, c.RSS)
		for i := 0; i < len(w.ballast); i += 4096 {
			w.ballast[i] = 1
		}
	}
	return w, nil
}

func (w *startupWorkload) run(n int) (Result, error) {
	var start, join time.Duration
	p := childParams{Workload: wStartup, Kind: w.env.kind, Spin: w.env.spin}
	if testKill.on {
		p.Die = 1 // the child dies before its hello (see testKillEnv)
	}
	for i := 0; i < n; i++ {
		ch, err := w.env.newChannel()
		if err != nil {
			return Result{}, err
		}
		t0 := time.Now()
		pr, err := w.st.start(p, ch)
		if err != nil {
			ch.close()
			return Result{}, err
		}
		ch.closeChildFds()
		if ch.kind == kindShm {
			w.live.procs[0] = pr
			ch.parent.live = w.live
		}
		err = ch.recvExact(w.hello[:helloSize])
		t1 := time.Now()
		if err != nil {
			err = fmt.Errorf("first message: %w; %s", err, failure([]proc{pr}))
			ch.close()
			return Result{}, err
		}
		err = pr.join()
		t2 := time.Now()
		ch.close()
		if err != nil {
			return Result{}, err
		}
		start += t1.Sub(t0)
		join += t2.Sub(t1)
	}
	return Result{Iters: n, NsPerOp: float64(start) / float64(n),
		Extra: []Metric{{float64(join) / float64(n), "join-ns/op"}}}, nil
}

func (w *startupWorkload) procs() []proc { return nil }
func (w *startupWorkload) close() error  { return nil }
func (w *startupWorkload) release()      {}

// ---- pingpong and stream ----

type messageWorkload struct {
	stream bool
	size   int
	ch     *channel
	pr     proc
	msg    []byte
	buf    []byte
	cmd    []byte
	ctl    [ctlSize]byte
	lat    []time.Duration
}

func openMessages(c bench.Cell, env cellEnv, st starter) (*messageWorkload, error) {
	w := &messageWorkload{stream: c.Workload == bench.Stream, size: int(c.Size)}
	w.msg = make([]byte, c.Size)
	for i := range w.msg {
		w.msg[i] = byte(i*7 + 1)
	}
	w.buf = make([]byte, c.Size)
	w.cmd = make([]byte, cmdSize)
	ch, err := env.newChannel()
	if err != nil {
		return nil, err
	}
	wl := wPingpong
	if w.stream {
		wl = wStream
	}
	pr, err := st.start(childParams{Workload: wl, Kind: env.kind, Size: c.Size, Spin: env.spin}, ch)
	if err != nil {
		ch.close()
		return nil, err
	}
	w.ch, w.pr = ch, pr
	ch.closeChildFds()
	// The measuring goroutine is the only one that has work in this
	// process, so on its hot loop it blocks in raw system calls keeping
	// its P, as a C program would: with scheduler-aware calls, sysmon
	// hands the P off during every blocking read and the single-CPU round
	// trip pays a thread switch more. Not for Queue, whose feeder
	// goroutine must run.
	ch.parent.raw = env.kind != kindQueue
	if env.kind == kindShm {
		ch.parent.live = newLiveness([]proc{pr})
	}
	return w, nil
}

func (w *messageWorkload) run(n int) (Result, error) {
	put64(w.cmd, uint64(n))
	if err := w.ch.send(w.cmd); err != nil {
		return Result{}, err
	}
	if err := w.ch.recvExact(w.ctl[:rusageSize]); err != nil {
		return Result{}, fmt.Errorf("child rusage: %w", err)
	}
	c0, p0 := childRusage(w.ctl[:rusageSize]), selfRusage()
	if w.stream {
		return w.runStream(n, c0, p0)
	}
	if cap(w.lat) < n {
		w.lat = make([]time.Duration, 0, n)
	}
	lat := w.lat[:0]
	start := time.Now()
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := w.ch.send(w.msg); err != nil {
			return Result{}, fmt.Errorf("pingpong send: %w", err)
		}
		if i == 0 && testKill.on {
			testKillChild(w.pr)
		}
		if err := w.ch.recvExact(w.buf); err != nil {
			return Result{}, fmt.Errorf("pingpong receive: %w", err)
		}
		lat = append(lat, time.Since(t))
	}
	total := time.Since(start)
	if err := w.ch.recvExact(w.ctl[:rusageSize]); err != nil {
		return Result{}, fmt.Errorf("child rusage: %w", err)
	}
	c1, p1 := childRusage(w.ctl[:rusageSize]), selfRusage()
	slices.Sort(lat)
	fn := float64(n)
	return Result{Iters: n, NsPerOp: float64(total) / fn, Extra: []Metric{
		{float64(impl.Percentile(lat, 0.50)), "p50-ns"},
		{float64(impl.Percentile(lat, 0.99)), "p99-ns"},
		{float64(p1.user-p0.user+c1.user-c0.user) / fn, "user-ns/op"},
		{float64(p1.sys-p0.sys+c1.sys-c0.sys) / fn, "sys-ns/op"},
	}}, nil
}

func (w *messageWorkload) runStream(n int, c0, p0 rusage) (Result, error) {
	t0 := monotonicNs()
	for i := 0; i < n; i++ {
		if err := w.ch.send(w.msg); err != nil {
			return Result{}, fmt.Errorf("stream send: %w", err)
		}
		if i == 0 && testKill.on {
			testKillChild(w.pr)
		}
	}
	if err := w.ch.recvExact(w.ctl[:reportSize]); err != nil {
		return Result{}, fmt.Errorf("child report: %w", err)
	}
	tEnd := int64(get64(w.ctl[0:8]))
	c1, p1 := childRusage(w.ctl[8:reportSize]), selfRusage()
	d := float64(max(tEnd-t0, 1))
	fn := float64(n)
	return Result{Iters: n, NsPerOp: d / fn, Extra: []Metric{
		{float64(w.size) * fn / d * 1e3, "MB/s"},
		{fn / d * 1e9, "msgs/s"},
		{float64(p1.user-p0.user+c1.user-c0.user) / fn, "user-ns/op"},
		{float64(p1.sys-p0.sys+c1.sys-c0.sys) / fn, "sys-ns/op"},
	}}, nil
}

func (w *messageWorkload) procs() []proc { return []proc{w.pr} }

func (w *messageWorkload) release() { w.ch.close() }

func (w *messageWorkload) close() error {
	put64(w.cmd, 0)
	err := w.ch.send(w.cmd)
	if err == nil {
		err = w.ch.close() // flushes a Queue's feeder before the child is joined
	} else {
		w.pr.kill()
		w.ch.close()
	}
	if e := w.pr.join(); e != nil {
		return e // the child's exit status explains a failed send
	}
	return err
}

// ---- pool ----

var burnSink uint64

// CalibrateSpin is the burn count of one CPU task of bench.CPUTaskMicros on
// this machine (`__native-cell --calibrate-spin`; the harness runs it once
// per invocation and passes the count to every program run as
// impl.Options.CPUTaskSpin). Calibration policy "median of 9", the same as
// the Python driver's calibrate_spin: a rough rate from a run of at least
// 20 ms (doubling from 1000 iterations), then twice: time 9 runs at the
// target length and rescale by the median. Every run is timed in the
// thread's CPU time, as the workers time the task, so a run that waits
// for a CPU does not shrink the count. Whatever the calibration gives,
// the efficiency and overhead use the task times the workers measure, not
// the target.
func CalibrateSpin() int64 {
	runtime.LockOSThread() // the thread's CPU clock is this thread's
	defer runtime.UnlockOSThread()
	cpu := func() time.Duration {
		var ts unix.Timespec
		unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
		return time.Duration(ts.Nano())
	}
	timed := func(n int64) time.Duration {
		t := cpu()
		burnSink += burn(n, uint64(n))
		return max(cpu()-t, 1)
	}
	n := int64(1000)
	var d time.Duration
	for {
		if d = timed(n); d >= 20*time.Millisecond {
			break
		}
		n *= 2
	}
	target := float64(bench.CPUTaskMicros * time.Microsecond)
	n = max(1, int64(float64(n)*target/float64(d)))
	for range 2 {
		ts := make([]time.Duration, 9)
		for i := range ts {
			ts[i] = timed(n)
		}
		slices.Sort(ts)
		n = max(1, int64(float64(n)*target/float64(ts[len(ts)/2])))
	}
	return n
}

type poolWorkload struct {
	workers, tasks, cores int
	op                    uint64
	taskSum               int64      // Σ task time measured by the workers (this map)
	chans                 []*channel // one per worker (pipe) or one shared
	kids                  []proc
	task                  [][]byte
	stop                  []byte
	ctl                   [ctlSize]byte
	seen                  []bool
	pfds                  []unix.PollFd
	next                  []int
}

func openPool(c bench.Cell, env cellEnv, st starter, spin int64) (w *poolWorkload, err error) {
	w = &poolWorkload{workers: c.Workers, tasks: c.Tasks, cores: c.Cores}
	p := childParams{Workload: wPool, Kind: env.kind, Spin: env.spin}
	switch c.Task {
	case "cpu":
		w.op = opCPU
		if spin < 1 {
			return nil, fmt.Errorf("native: cell %s needs the loop count of its cpu task (--spin, from --calibrate-spin)", c.Name())
		}
		p.CPUIters = spin
	case "sleep":
		w.op = opSleep
		p.SleepNs = int64(bench.SleepTaskMillis * time.Millisecond)
	default:
		return nil, fmt.Errorf("native: unknown pool task %q", c.Task)
	}
	w.task = make([][]byte, w.tasks)
	for i := range w.task {
		w.task[i] = make([]byte, taskSize)
		put64(w.task[i][0:8], uint64(i))
		put64(w.task[i][8:16], w.op)
	}
	w.stop = make([]byte, taskSize)
	w.seen = make([]bool, w.tasks)
	defer func() {
		if err != nil {
			w.abort()
		}
	}()
	perWorker := env.kind == kindPipe
	for i := 0; i < w.workers; i++ {
		if i == 0 || perWorker {
			ch, err := env.newChannel()
			if err != nil {
				return nil, err
			}
			w.chans = append(w.chans, ch)
		}
		pr, err := st.start(p, w.chans[len(w.chans)-1])
		if err != nil {
			return nil, err
		}
		w.kids = append(w.kids, pr)
	}
	live := newLiveness(w.kids)
	for _, ch := range w.chans {
		ch.closeChildFds()
		ch.parent.live = live
	}
	if perWorker {
		for _, ch := range w.chans {
			w.pfds = append(w.pfds, unix.PollFd{Fd: int32(ch.parent.rfd), Events: unix.POLLIN})
		}
	}
	return w, nil
}

// run times n maps (Measure: n = 1, one map per sample). ns/op is the
// mean makespan; efficiency is impl.PoolEfficiency and overhead-ns/op the
// mean impl.PoolOverhead of the task times the workers measured around
// each task body (poolTask: CPU time for cpu tasks, wall time for sleep
// tasks).
func (w *poolWorkload) run(n int) (Result, error) {
	var total time.Duration
	var taskNs int64
	for m := 0; m < n; m++ {
		clear(w.seen)
		w.taskSum = 0
		t := time.Now()
		var err error
		if w.pfds != nil {
			err = w.mapPerWorker()
		} else {
			err = w.mapShared()
		}
		if err != nil {
			return Result{}, err
		}
		total += time.Since(t)
		taskNs += w.taskSum
		// A worker that died without taking a task leaves the map to
		// the others: check after every map (outside the timed span).
		if w.chans[0].parent.live.dead() {
			return Result{}, fmt.Errorf("pool worker: %w", errChildEnded)
		}
	}
	mean := float64(total) / float64(n)
	par := impl.PoolParallelism(w.workers, w.tasks, w.cores, w.op == opCPU)
	return Result{Iters: n, NsPerOp: mean, Extra: []Metric{
		{float64(w.tasks) / mean * 1e9, "tasks/s"},
		{impl.PoolEfficiency(float64(taskNs), float64(total), par), "efficiency"},
		{impl.PoolOverhead(float64(taskNs)/float64(n), mean, w.tasks, par), "overhead-ns/op"},
	}}, nil
}

// mapShared: all tasks into the shared task queue, all results out of the
// shared result queue (as Pool with its SimpleQueues). As in Pool, the
// tasks are put by a task-handler goroutine while this one collects the
// results: a blocking put (SimpleQueue, shm with its 8 slots) must not
// wait for workers that wait for the result queue to drain. A Queue's put
// does not block (feeder), so it is called directly.
func (w *poolWorkload) mapShared() error {
	ch := w.chans[0]
	putAll := func() error {
		for _, t := range w.task {
			if err := ch.send(t); err != nil {
				return err
			}
		}
		return nil
	}
	var handler chan error
	if ch.kind == kindQueue {
		if err := putAll(); err != nil {
			return err
		}
	} else {
		handler = make(chan error, 1)
		go func() { handler <- putAll() }()
	}
	if testKill.on {
		testKillChild(w.kids[0])
	}
	var err error
	for i := 0; i < w.tasks && err == nil; i++ {
		err = w.result(ch)
	}
	if handler != nil && err == nil {
		err = <-handler
	}
	// On an error the task handler may still be blocked in a put; the
	// session is broken and the process about to exit.
	return err
}

// mapPerWorker: one Pipe per worker; a worker gets its next task when it
// returns a result (connection.wait-style dispatch with poll).
func (w *poolWorkload) mapPerWorker() error {
	next, done := 0, 0
	for i := 0; i < len(w.chans) && next < w.tasks; i++ {
		if err := w.chans[i].send(w.task[next]); err != nil {
			return err
		}
		next++
	}
	if testKill.on {
		testKillChild(w.kids[0])
	}
	live := w.chans[0].parent.live
	for done < w.tasks {
		n, err := unix.Poll(w.pfds, int(livenessSlice/time.Millisecond))
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return err
		}
		if n == 0 {
			if live.dead() {
				return fmt.Errorf("pool result: %w", errChildEnded)
			}
			continue
		}
		for i := range w.pfds {
			if w.pfds[i].Revents == 0 {
				continue
			}
			if err := w.result(w.chans[i]); err != nil {
				return err
			}
			done++
			if next < w.tasks {
				if err := w.chans[i].send(w.task[next]); err != nil {
					return err
				}
				next++
			}
		}
	}
	return nil
}

func (w *poolWorkload) result(ch *channel) error {
	if err := ch.recvExact(w.ctl[:resultSize]); err != nil {
		return fmt.Errorf("pool result: %w", err)
	}
	id := get64(w.ctl[0:8])
	if id >= uint64(w.tasks) || w.seen[id] {
		return fmt.Errorf("pool: unexpected result for task %d", id)
	}
	w.seen[id] = true
	w.taskSum += int64(get64(w.ctl[16:24]))
	return nil
}

// close stops the workers; a worker's exit status, when it failed, is
// the error (a failed send of the stop message is only its consequence).
func (w *poolWorkload) close() error {
	var err error
	for i := range w.kids {
		ch := w.chans[min(i, len(w.chans)-1)]
		if e := ch.send(w.stop); e != nil && err == nil {
			err = fmt.Errorf("pool stop: %w", e)
		}
	}
	for _, ch := range w.chans {
		if e := ch.close(); e != nil && err == nil {
			err = e
		}
	}
	var joinErr error
	for _, pr := range w.kids {
		if e := pr.join(); e != nil && joinErr == nil {
			joinErr = e
		}
	}
	if joinErr != nil {
		return joinErr
	}
	return err
}

func (w *poolWorkload) procs() []proc { return w.kids }

func (w *poolWorkload) release() {
	for _, ch := range w.chans {
		ch.close()
	}
}

// abort kills and reaps the workers started so far (error path of open).
func (w *poolWorkload) abort() {
	for _, pr := range w.kids {
		pr.kill()
		pr.join()
	}
	for _, ch := range w.chans {
		ch.close()
	}
}
