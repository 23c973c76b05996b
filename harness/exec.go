package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
	"github.com/mpbench/mpbench/impl"
)

// Kind of a program run's result.
type Kind int

const (
	OK          Kind = iota
	Skipped          // the program printed a skip line
	Failed           // it failed, timed out, could not start, or printed bad output
	Interrupted      // ctx was cancelled: nothing to record
)

// Result is the validated outcome of one program run.
type Result struct {
	Kind    Kind
	Reason  string            // skip or failure reason, one line
	Lines   []string          // result lines as printed (OK)
	Samples []rawbench.Sample // the same, parsed (OK)
	Wall    time.Duration     // from the program's start to its exit (0 when it did not start)
}

// RunProgram executes one program run of cell c (the program measures;
// RunProgram only starts it, waits and checks): it asks im for the
// command of cell c, runs it with Exec (own process group, pinned to cpus,
// parent-death signal, timeout), and validates its output against the
// protocol of package impl (ParseOutput). The caller removes the program
// run's shared-memory segments (RemoveSegments(opts.ShmPrefix)) and
// records the result. A cell that carries its own replication settings
// (bench.Cell.Settings) runs with them instead of opts.Count and
// opts.Benchtime. Used by `mpbench run`, `mpbench claims` and the go test
// -bench entry points.
func RunProgram(ctx context.Context, im impl.Impl, c bench.Cell, opts impl.Options, cpus []int, timeout time.Duration) Result {
	opts.Count, opts.Benchtime = c.Settings(opts.Count, opts.Benchtime)
	cmd, err := im.Command(c, opts)
	if err != nil {
		return Result{Kind: Failed, Reason: rawbench.OneLine(err.Error())}
	}
	out := Exec(ctx, cmd, cpus, timeout)
	if ctx.Err() != nil && errors.Is(out.Err, ctx.Err()) {
		return Result{Kind: Interrupted}
	}
	if out.Err != nil {
		return Result{Kind: Failed, Reason: out.Reason(), Wall: out.Wall}
	}
	parsed, err := ParseOutput(c, out.Stdout, opts.Count)
	if err != nil {
		return Result{Kind: Failed, Reason: rawbench.OneLine("bad output: " + err.Error())}
	}
	if parsed.SkipReason != "" {
		return Result{Kind: Skipped, Reason: rawbench.OneLine(parsed.SkipReason)}
	}
	samples, err := rawbench.ParseSamples(parsed.Lines)
	if err != nil {
		return Result{Kind: Failed, Reason: rawbench.OneLine("bad output: " + err.Error())}
	}
	return Result{Kind: OK, Lines: parsed.Lines, Samples: samples, Wall: out.Wall}
}

// maxStdout bounds what a measured program may print; more is garbage.
const maxStdout = 4 << 20

// Outcome is what one run of a measured program produced.
type Outcome struct {
	Stdout   []byte
	Stderr   string // last lines of stderr, for failure reasons
	TimedOut bool
	Err      error         // non-nil when the program failed (exit status, signal, timeout, start)
	Wall     time.Duration // from its start until it exited or was killed (0: it did not start)
}

// Exec runs cmd as a measured program: in its own process group, pinned
// to cpus (inherited by everything it starts), with SIGKILL as its
// parent-death signal, and killed — with its whole process group — when
// timeout passes or ctx is cancelled. The harness does nothing else while
// it runs: it only waits.
//
// The death signal of a child is tied to the OS thread that forked it, so
// the forking goroutine stays locked to its thread until the child has
// been reaped; the same locked thread carries the affinity mask that the
// child inherits at fork time.
func Exec(ctx context.Context, cmd *exec.Cmd, cpus []int, timeout time.Duration) Outcome {
	var stdout limitedBuffer
	var stderr tailBuffer
	stdout.limit = maxStdout
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	if err := startPinned(cmd, cpus); err != nil {
		return Outcome{Err: fmt.Errorf("start %s: %w", cmd.Path, err)}
	}
	pgid := cmd.Process.Pid

	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	var out Outcome
	select {
	case err := <-done:
		out.Err = err
	case <-timer.C:
		out.TimedOut = true
		killGroup(pgid)
		<-done
		out.Err = fmt.Errorf("timeout after %v", timeout)
	case <-ctx.Done():
		killGroup(pgid)
		<-done
		out.Err = ctx.Err()
	}
	out.Wall = time.Since(start)
	// Whatever the outcome, nothing of the cell may outlive it.
	killGroup(pgid)
	out.Stdout = stdout.Bytes()
	out.Stderr = stderr.String()
	if out.Err == nil && stdout.overflow {
		out.Err = fmt.Errorf("printed more than %d bytes on stdout", maxStdout)
	}
	return out
}

// startPinned starts cmd from the current (locked) thread with that
// thread's affinity temporarily set to cpus.
func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) == 0 {
		return cmd.Start()
	}
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return err
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("set affinity %v: %w", cpus, err)
	}
	err := cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil && err == nil {
		err = rerr
	}
	return err
}

// killGroup sends SIGKILL to a whole process group; a group that is
// already gone is fine.
func killGroup(pgid int) {
	if err := unix.Kill(-pgid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		_ = err // nothing more we can do; the leak check will show it
	}
}

// Reason condenses an outcome's failure into one line: the error, and the
// last non-empty line of stderr when there is one.
func (o Outcome) Reason() string {
	if o.Err == nil {
		return ""
	}
	msg := o.Err.Error()
	if last := lastLine(o.Stderr); last != "" && !o.TimedOut {
		msg += ": " + last
	}
	return rawbench.OneLine(msg)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

type limitedBuffer struct {
	bytes.Buffer
	limit    int
	overflow bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - b.Len(); len(p) > room {
		b.overflow = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// tailBuffer keeps the last 8 KiB written.
type tailBuffer struct{ buf []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if n := len(t.buf); n > 8<<10 {
		t.buf = append(t.buf[:0], t.buf[n-8<<10:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
