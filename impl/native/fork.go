package native

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	_ "unsafe" // go:linkname

	"golang.org/x/sys/unix"
)

// fork: fork(2) without exec. The child is a copy of the parent (page
// tables copied: the cost grows with the parent's touched memory) and runs
// restricted code only, from rawFork to exit_group — see the package
// comment for the rules and why they are needed.
//
// The fork itself is the sequence syscall.forkAndExecInChild uses,
// reached through the runtime hooks package syscall uses
// (runtime_BeforeFork blocks signals and makes any stack growth throw,
// runtime_AfterForkInChild resets signal handlers to the default so a
// signal never enters the Go runtime in the child, runtime_AfterFork
// undoes it all in the parent). These are the linkname targets the Go
// runtime keeps for such users (go.dev/issue/67401).

//go:linkname runtimeBeforeFork syscall.runtime_BeforeFork
func runtimeBeforeFork()

//go:linkname runtimeAfterFork syscall.runtime_AfterFork
func runtimeAfterFork()

//go:linkname runtimeAfterForkInChild syscall.runtime_AfterForkInChild
func runtimeAfterForkInChild()

// forkChild forks a child that runs childMain(s) and exits with its
// status. s must be fully prepared (buffers allocated, endpoint built with
// raw = true, ppid = this process).
func forkChild(s *childState) (int, error) {
	if !s.ep.raw {
		return 0, fmt.Errorf("native: fork child endpoint must be raw")
	}
	// One OS thread from before the fork to after it (the child's death
	// signal is tied to this thread, which the runtime keeps).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// No fork of os/exec runs at the same time as ours.
	syscall.ForkLock.RLock()
	pid, errno := rawFork(s)
	syscall.ForkLock.RUnlock()
	if errno != 0 {
		return 0, os.NewSyscallError("clone", errno)
	}
	return pid, nil
}

// rawFork clones the process; the child never returns from it.
//
//go:nosplit
//go:norace
func rawFork(s *childState) (int, syscall.Errno) {
	runtimeBeforeFork()
	r, _, errno := syscall.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if errno != 0 {
		runtimeAfterFork()
		return 0, errno
	}
	if r == 0 {
		// Child: one thread, signals blocked until handlers are reset.
		runtimeAfterForkInChild()
		code := childMain(s)
		for {
			syscall.RawSyscall(unix.SYS_EXIT_GROUP, uintptr(code), 0, 0)
		}
	}
	runtimeAfterFork()
	return int(r), 0
}

// forkStarter starts children with rawFork.
type forkStarter struct{}

func (forkStarter) name() string { return "fork" }

func (forkStarter) start(p childParams, ch *channel) (proc, error) {
	ep, err := childEndpoint(ch.kind, ch.childFds, ch.mem, p.Spin, true)
	if err != nil {
		return nil, err
	}
	s := newChildState(p, ep, os.Getpid())
	pid, err := forkChild(s)
	if err != nil {
		return nil, err
	}
	return &forkProc{id: pid}, nil
}

func (forkStarter) close() error { return nil }

// forkProc is a forked child (it has its own copy of the childState);
// join reaps it with wait4.
type forkProc struct{ id int }

func (p *forkProc) join() error { return reap(p.id) }

func (p *forkProc) kill() { unix.Kill(p.id, unix.SIGKILL) }

func (p *forkProc) exited() bool { return exitedPid(p.id) }

func (p *forkProc) pid() int { return p.id }

// reap waits for pid and checks that it exited with status 0.
func reap(pid int) error {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait4 %d: %w", pid, err)
		}
		return waitErr(pid, ws)
	}
}

func waitErr(pid int, ws unix.WaitStatus) error {
	switch {
	case ws.Exited() && ws.ExitStatus() == 0:
		return nil
	case ws.Exited():
		return fmt.Errorf("child %d exited with status %d", pid, ws.ExitStatus())
	case ws.Signaled():
		return fmt.Errorf("child %d killed by signal %d (%v)", pid, int(ws.Signal()), ws.Signal())
	}
	return fmt.Errorf("child %d: wait status %#x", pid, uint32(ws))
}
