package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/impl"
	"github.com/mpbench/mpbench/impl/native"
	"github.com/mpbench/mpbench/impl/python"
)

// selectionFlags are the matrix filters shared by run and list.
type selectionFlags struct {
	profile, impls, methods, chans, execs, workloads string
	sizes, rss, cores, workers, tasks                string
}

func (s *selectionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.profile, "profile", bench.Full, "quick or full")
	fs.StringVar(&s.impls, "impl", "", "implementations, e.g. native,cpython (default: all)")
	fs.StringVar(&s.methods, "method", "", "start methods: spawn,fork,forkserver")
	fs.StringVar(&s.chans, "chan", "", "channels: simplequeue,queue,pipe,shm")
	fs.StringVar(&s.execs, "exec", "", "pool executors: loop,pool,ppe,loky-cold,loky-warm (default: loop,pool; with --chan: loop)")
	fs.StringVar(&s.workloads, "workload", "", "workloads: startup,pingpong,stream,pool")
	fs.StringVar(&s.sizes, "size", "", "message sizes of pingpong and stream, e.g. 64B,4KiB,1MiB")
	fs.StringVar(&s.rss, "rss", "", "parent memory of startup, e.g. 0,256MiB,1GiB")
	fs.StringVar(&s.cores, "cores", "", "CPU-affinity set sizes, e.g. 1,2")
	fs.StringVar(&s.workers, "workers", "", "pool workers, e.g. 1,2,4")
	fs.StringVar(&s.tasks, "task", "", "pool task kinds: cpu,sleep")
}

// cells expands the selection; every error is bad input.
func (s *selectionFlags) cells() ([]bench.Cell, error) {
	sel := bench.Selection{Profile: s.profile}
	var err error
	lists := []struct {
		flag, val string
		allowed   []string
		dst       *[]string
	}{
		{"impl", s.impls, bench.KnownImpls(), &sel.Impls},
		{"method", s.methods, bench.KnownMethods(), &sel.Methods},
		{"chan", s.chans, bench.Chans, &sel.Chans},
		{"exec", s.execs, bench.Execs, &sel.Execs},
		{"workload", s.workloads, bench.Workloads, &sel.Workloads},
		{"task", s.tasks, bench.TaskKinds, &sel.Tasks},
	}
	for _, l := range lists {
		if l.val != "" {
			if *l.dst, err = bench.ParseList(l.flag, l.val, l.allowed); err != nil {
				return nil, usagef("--%s: %w", l.flag, err)
			}
		}
	}
	if s.sizes != "" {
		if sel.Sizes, err = bench.ParseSizeList(s.sizes); err != nil {
			return nil, usagef("--size: %v", err)
		}
	}
	if s.rss != "" {
		if sel.RSS, err = bench.ParseSizeList(s.rss); err != nil {
			return nil, usagef("--rss: %v", err)
		}
	}
	if s.cores != "" {
		if sel.Cores, err = bench.ParseIntList("cores", s.cores); err != nil {
			return nil, usagef("--cores: %w", err)
		}
		for _, n := range sel.Cores {
			if n > runtime.NumCPU() {
				return nil, usagef("--cores: %d cores exceed the %d CPUs of this machine", n, runtime.NumCPU())
			}
		}
	}
	if s.workers != "" {
		if sel.Workers, err = bench.ParseIntList("workers", s.workers); err != nil {
			return nil, usagef("--workers: %w", err)
		}
	}
	cells, err := bench.Expand(sel, runtime.NumCPU())
	if err != nil {
		return nil, usageError{err}
	}
	if len(cells) == 0 {
		return nil, usagef("the selection is empty")
	}
	return cells, nil
}

// newFlagSet returns a flag set that reports errors as one line.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
			return exitError{2, fs.Name() + ": help requested"}
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

func listCmd(args []string) error {
	fs := newFlagSet("list")
	var sel selectionFlags
	sel.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("list: unexpected argument %q", fs.Arg(0))
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	for _, c := range cells {
		fmt.Println(c.Benchmark())
	}
	return nil
}

// interpreterFlags choose the interpreters of the Python implementations.
type interpreterFlags struct{ python, pypy, torch string }

func (f *interpreterFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.python, "python", "", "CPython interpreter (default: python3 on PATH)")
	fs.StringVar(&f.pypy, "pypy", "", "PyPy interpreter (default: pypy3 on PATH)")
	fs.StringVar(&f.torch, "torch-python", "", "interpreter with torch (default: /usr/bin/python3 or python3 with torch)")
}

// impls builds the implementations a selection needs. An interpreter
// named explicitly, or an implementation selected explicitly, that
// cannot run is bad input; otherwise an unavailable implementation's
// cells are recorded as skipped.
func (f *interpreterFlags) impls(cells []bench.Cell, explicit []string) (map[string]impl.Impl, error) {
	all := map[string]impl.Impl{
		"native":  native.New(),
		"cpython": python.New("cpython", f.python),
		"pypy":    python.New("pypy", f.pypy),
		"torch":   python.New("torch", f.torch),
	}
	for _, name := range bench.ExtraImpls { // CPython versions, libraries
		if p := python.NewVariant(name, ""); p != nil {
			all[name] = p
		}
	}
	chosen := map[string]string{"cpython": f.python, "pypy": f.pypy, "torch": f.torch}
	out := map[string]impl.Impl{}
	for _, c := range cells {
		out[c.Impl] = all[c.Impl]
	}
	for name, im := range out {
		err := im.Available()
		if err == nil {
			continue
		}
		if chosen[name] != "" || contains(explicit, name) {
			return nil, usagef("impl %s: %v", name, err)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func runCmd(args []string) error {
	fs := newFlagSet("run")
	var sel selectionFlags
	var interp interpreterFlags
	sel.register(fs)
	interp.register(fs)
	count := fs.Int("count", 0, "samples per cell (default: 10 full, 3 quick)")
	rounds := fs.Int("rounds", 0, "interleaved rounds (default: 2 when count ≥ 6)")
	warmup := fs.Int("warmup", 1, "warm-up iterations/samples discarded per program run")
	benchtime := fs.Duration("benchtime", 100*time.Millisecond, "target duration of one sample")
	timeout := fs.Duration("timeout", 0, "timeout of one program run (default per workload)")
	out := fs.String("out", "", "run folder (required)")
	resume := fs.Bool("resume", false, "continue the interrupted run in --out")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("run: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usagef("run: --out DIR is required")
	}
	if *resume && onlyOutAndResume(fs) {
		// `mpbench run --resume --out DIR`: take the rest from the run.
		recorded, err := recordedArgs(*out)
		if err != nil {
			return err
		}
		return runCmd(append(recorded, "--resume"))
	}
	if !isSet(fs, "count") {
		*count = bench.DefaultCount(sel.profile)
	}
	if !isSet(fs, "rounds") {
		*rounds = harness.Rounds(*count)
	}
	switch {
	case *count < 1:
		return usagef("run: --count must be ≥ 1, got %d", *count)
	case *warmup < 0:
		return usagef("run: --warmup must be ≥ 0")
	case *benchtime <= 0:
		return usagef("run: --benchtime must be > 0")
	case *timeout < 0:
		return usagef("run: --timeout must be > 0")
	case *rounds < 1 || *rounds > *count:
		return usagef("run: --rounds must be between 1 and --count")
	}
	cells, err := sel.cells()
	if err != nil {
		return err
	}
	explicit := []string{}
	if sel.impls != "" {
		explicit, _ = bench.ParseList("impl", sel.impls, bench.KnownImpls())
	}
	impls, err := interp.impls(cells, explicit)
	if err != nil {
		return err
	}
	if !*resume {
		if err := checkFreshOut(*out); err != nil {
			return err
		}
	}

	ctx, stop, caught := interruptible()
	defer stop()
	sum, err := harness.Run(ctx, harness.Config{
		Cells: cells, Impls: impls, Profile: sel.profile,
		Count: *count, Rounds: *rounds, Warmup: *warmup, Benchtime: *benchtime,
		Timeout: *timeout, Out: *out, Resume: *resume,
		Args: recordable(args), Progress: os.Stderr,
	})
	if err != nil {
		var in *harness.InputError
		if errors.As(err, &in) {
			return usageError{err}
		}
		return err
	}
	line := fmt.Sprintf("%d program runs: %d measured, %d skipped, %d failed in %v → %s",
		sum.Runs, sum.Measured, sum.Skipped, sum.Failed, sum.Elapsed.Round(time.Second),
		filepath.Join(*out, harness.RawFile))
	if sum.Interrupted {
		sig := caught()
		code := 130
		if sig == syscall.SIGTERM {
			code = 143
		}
		return exitError{code, "interrupted (" + sig.String() + "): " + line +
			"; resume with: mpbench run --resume --out " + *out}
	}
	fmt.Fprintln(os.Stderr, "mpbench: "+line)
	if sum.FirstFailure != "" {
		fmt.Fprintln(os.Stderr, "mpbench: first failure: "+sum.FirstFailure)
	}
	return nil
}

// isSet reports whether a flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// onlyOutAndResume reports whether --out and --resume are the only flags.
func onlyOutAndResume(fs *flag.FlagSet) bool {
	n := 0
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "out" && f.Name != "resume" {
			n++
		}
	})
	return n == 0
}

// recordable drops --resume from the recorded command line.
func recordable(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--resume" && a != "-resume" {
			out = append(out, a)
		}
	}
	return out
}

// recordedArgs reads the command line a run was started with.
func recordedArgs(dir string) ([]string, error) {
	res, err := harness.OpenResultsReadOnly(dir)
	if err != nil {
		return nil, usageError{err}
	}
	var args []string
	if err := json.Unmarshal([]byte(res.Config["mpbench-args"]), &args); err != nil || len(args) == 0 {
		return nil, usagef("--resume: %s does not record its command line; repeat the original flags", dir)
	}
	return args, nil
}

// checkFreshOut refuses an existing non-empty folder and an unwritable
// parent before anything is written.
func checkFreshOut(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usagef("run: --out %s exists and is not empty (use --resume to continue it, or choose another folder)", dir)
	}
	// The folder is created with its parents: check the nearest one that exists.
	parent := filepath.Dir(filepath.Clean(dir))
	for {
		if _, err := os.Stat(parent); err == nil || parent == filepath.Dir(parent) {
			break
		}
		parent = filepath.Dir(parent)
	}
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return usagef("run: --out %s: %s is not a folder", dir, parent)
	}
	if err := unix.Access(parent, unix.W_OK); err != nil {
		return usagef("run: --out %s: parent folder is not writable", dir)
	}
	return nil
}

// interruptible returns a context cancelled by SIGINT or SIGTERM and a
// function telling which signal arrived.
func interruptible() (context.Context, func(), func() os.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	var got os.Signal = syscall.SIGINT
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			got = s
			cancel()
		case <-done:
		}
	}()
	stop := func() { signal.Stop(ch); close(done); cancel() }
	return ctx, stop, func() os.Signal { return got }
}
