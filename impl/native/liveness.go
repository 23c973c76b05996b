package native

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Dead peers (every wait of the parent ends within about a second when a
// child dies):
//
//   - Pipe, SimpleQueue and Queue with one child (startup, pingpong,
//     stream): the parent closes its copy of the child's ends right after
//     the start (channel.closeChildFds), so a read from a dead child ends
//     with end of file and a write with EPIPE at once.
//   - Every shm channel, and every channel of a pool (several workers, and
//     fork workers inherit each other's ends, so one death gives no end of
//     file): the parent's endpoint carries a liveness of its children.
//     shm futex waits time out every livenessSlice, pipe reads first wait
//     in poll(2) for at most livenessSlice; after each slice the parent
//     checks whether a child has ended (waitid WNOHANG|WNOWAIT, or the
//     forkserver's status socket) and fails with errPeerDied if so.
//
// The cell then fails with the child's exit status in the error
// (Session.failure): the measured program prints it on stderr and exits
// non-zero, so the harness records it as the FAIL reason.

// livenessSlice is the longest a parent waits without checking its
// children.
const livenessSlice = 100 * time.Millisecond

// errPeerDied is returned by a wait (restricted-code errno) that found a
// child ended; channel methods return it as errChildEnded.
const errPeerDied = syscall.EOWNERDEAD

var errChildEnded = errors.New("a child at the other end has ended")

// liveness is the set of children at the other end of a parent endpoint.
type liveness struct {
	procs []proc
	slice unix.Timespec
}

func newLiveness(procs []proc) *liveness {
	return &liveness{procs: procs, slice: unix.NsecToTimespec(int64(livenessSlice))}
}

// dead reports whether a child has ended. Parent only (normal Go code:
// a restricted child never has a liveness).
//
//go:noinline
func (l *liveness) dead() bool {
	for _, p := range l.procs {
		if p.exited() {
			return true
		}
	}
	return false
}

// waitReadable waits until fd is readable, checking the children every
// livenessSlice.
//
//go:noinline
func (l *liveness) waitReadable(fd int) syscall.Errno {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(pfd, int(livenessSlice/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err.(syscall.Errno)
		}
		if n > 0 {
			return 0 // readable, end of file or error: the read tells
		}
		if l.dead() {
			return errPeerDied
		}
	}
}

// exitedPid reports whether the child pid (of this process) has ended,
// without reaping it.
func exitedPid(pid int) bool {
	var info unix.Siginfo
	err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return err == nil && info.Signo == int32(unix.SIGCHLD)
}

// failure describes how the children of a failed exchange ended: it waits
// up to a second for one of them to be seen ended (a dead child's pipe
// ends close before it becomes waitable), reaps those with their exit
// status, kills and reaps the others.
func failure(procs []proc) string {
	deadline := time.Now().Add(time.Second)
	var ended []proc
	for {
		ended = ended[:0]
		for _, p := range procs {
			if p.exited() {
				ended = append(ended, p)
			}
		}
		if len(ended) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var msgs []string
	for _, p := range procs {
		dead := false
		for _, e := range ended {
			dead = dead || e == p
		}
		if !dead {
			p.kill()
			p.join()
			continue
		}
		if err := p.join(); err != nil {
			msgs = append(msgs, err.Error())
		} else {
			msgs = append(msgs, fmt.Sprintf("child %d exited with status 0 in the middle of the exchange", p.pid()))
		}
	}
	if len(msgs) == 0 {
		return "no child had ended after 1 s (all killed)"
	}
	return strings.Join(msgs, "; ")
}

// testKillEnv is a test-only hook: when set to 1, the parent kills a child
// in the middle of the first exchange of the cell (after a send, before
// the matching receive) and waits until it has ended (startup: the child
// kills itself before its hello), so that the tests can check that every
// wait notices a dead child.
const testKillEnv = "MPBENCH_NATIVE_TEST_KILL_CHILD"

var testKill = struct {
	on   bool
	done bool
}{on: os.Getenv(testKillEnv) == "1"}

// testKillChild runs the hook (see testKillEnv) once per process.
func testKillChild(p proc) {
	if !testKill.on || testKill.done {
		return
	}
	testKill.done = true
	p.kill()
	for !p.exited() {
		time.Sleep(time.Millisecond)
	}
}
