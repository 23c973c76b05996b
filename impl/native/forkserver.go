package native

import (
	"fmt"
	"os"
	"os/exec"
	"sync"

	"golang.org/x/sys/unix"
)

// forkserver: a small server started once per cell (spawned like a spawn
// child, in the forkserver role, before the parent touches its memory),
// which forks each child on request, as CPython's forkserver does. The
// parent sends a request over a unix SOCK_SEQPACKET control socket: the
// child's parameters as payload and, with SCM_RIGHTS, a status socket
// followed by the channel fds. The server maps the memfd if any, builds
// the child's endpoint, raw-forks the child (the same restricted child as
// fork.go: the server is a Go process too), closes its copies, and writes
// the child's pid to the status socket; a reaper goroutine writes the
// child's wait status there when the child exits (join). Children never
// inherit the big parent's memory, only the server's few MiB.
//
// The server dies with its parent (Pdeathsig SIGKILL, and it exits when
// the control socket reaches end of file); its children die with it
// (their own PR_SET_PDEATHSIG).

const maxFdsPerRequest = 8

// forkserverMain is the server role (fd 3 is the control socket).
func forkserverMain() error {
	ctl := firstExtraFd
	buf := make([]byte, 512)
	oob := make([]byte, unix.CmsgSpace(maxFdsPerRequest*4))

	var mu sync.Mutex
	waiting := map[int]int{}             // pid → status fd
	exited := map[int]unix.WaitStatus{}  // reaped before registration
	tokens := make(chan struct{}, 1<<16) // one per forked child
	report := func(fd int, ws unix.WaitStatus) {
		var b [8]byte
		put64(b[:], uint64(uint32(ws)))
		unix.Write(fd, b[:])
		unix.Close(fd)
	}
	go func() {
		for range tokens {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, 0, nil)
			for err == unix.EINTR {
				pid, err = unix.Wait4(-1, &ws, 0, nil)
			}
			if err != nil {
				continue
			}
			mu.Lock()
			if fd, ok := waiting[pid]; ok {
				delete(waiting, pid)
				report(fd, ws)
			} else {
				exited[pid] = ws
			}
			mu.Unlock()
		}
	}()

	for {
		n, oobn, _, _, err := unix.Recvmsg(ctl, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return nil // the parent closed the control socket or died
		}
		fds, err := receivedFds(oob[:oobn])
		if err != nil {
			return err
		}
		if len(fds) == 0 {
			return fmt.Errorf("request without status socket")
		}
		statusFd := fds[0]
		pid, err := serveOne(string(buf[:n]), fds[1:])
		for _, fd := range fds[1:] {
			unix.Close(fd)
		}
		var b [8]byte
		if err != nil {
			fmt.Fprintf(os.Stderr, "mpbench native forkserver: %v\n", err)
			put64(b[:], ^uint64(0))
			unix.Write(statusFd, b[:])
			unix.Close(statusFd)
			continue
		}
		put64(b[:], uint64(pid))
		unix.Write(statusFd, b[:])
		mu.Lock()
		if ws, ok := exited[pid]; ok {
			delete(exited, pid)
			report(statusFd, ws)
		} else {
			waiting[pid] = statusFd
		}
		mu.Unlock()
		tokens <- struct{}{}
	}
}

func receivedFds(oob []byte) ([]int, error) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for _, m := range msgs {
		f, err := unix.ParseUnixRights(&m)
		if err != nil {
			return nil, err
		}
		fds = append(fds, f...)
	}
	return fds, nil
}

// serveOne forks one child for a request.
func serveOne(params string, fds []int) (int, error) {
	p, err := decodeParams(params)
	if err != nil {
		return 0, err
	}
	var mem []byte
	if i := memFd(p.Kind); i >= 0 {
		if i >= len(fds) {
			return 0, errFds(p.Kind, fds)
		}
		if mem, err = mapFd(fds[i]); err != nil {
			return 0, err
		}
		defer unix.Munmap(mem) // the child keeps its copy of the mapping
	}
	ep, err := childEndpoint(p.Kind, fds, mem, p.Spin, true)
	if err != nil {
		return 0, err
	}
	return forkChild(newChildState(p, ep, os.Getpid()))
}

// forkserverStarter is the parent's client of a forkserver.
type forkserverStarter struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	ctl int
}

func startForkserver() (*forkserverStarter, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	cmd, err := spawnCommand([]string{roleEnv + "=" + roleForkserver}, fds[1:])
	unix.Close(fds[1])
	if err != nil {
		unix.Close(fds[0])
		return nil, err
	}
	return &forkserverStarter{cmd: cmd, ctl: fds[0]}, nil
}

func (*forkserverStarter) name() string { return "forkserver" }

func (f *forkserverStarter) start(p childParams, ch *channel) (proc, error) {
	sp, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	rights := unix.UnixRights(append([]int{sp[1]}, ch.childFds...)...)
	f.mu.Lock()
	err = unix.Sendmsg(f.ctl, []byte(p.encode()), rights, nil, 0)
	f.mu.Unlock()
	unix.Close(sp[1])
	if err != nil {
		unix.Close(sp[0])
		return nil, fmt.Errorf("forkserver request: %w", err)
	}
	var b [8]byte
	if e := readFull(false, sp[0], b[:]); e != 0 {
		unix.Close(sp[0])
		return nil, fmt.Errorf("forkserver reply: %w", e)
	}
	pid := get64(b[:])
	if pid == ^uint64(0) {
		unix.Close(sp[0])
		return nil, fmt.Errorf("forkserver could not fork (see its stderr)")
	}
	return &forkserverProc{id: int(pid), status: sp[0]}, nil
}

// close stops the server: end of file on its control socket.
func (f *forkserverStarter) close() error {
	unix.Close(f.ctl)
	return f.cmd.Wait()
}

// forkserverProc is a child of the forkserver; join reads its wait
// status from the status socket.
type forkserverProc struct {
	id     int
	status int
}

func (p *forkserverProc) join() error {
	defer unix.Close(p.status)
	var b [8]byte
	if e := readFull(false, p.status, b[:]); e != 0 {
		return fmt.Errorf("forkserver child %d: no exit status: %w", p.id, e)
	}
	return waitErr(p.id, unix.WaitStatus(uint32(get64(b[:]))))
}

func (p *forkserverProc) kill() { unix.Kill(p.id, unix.SIGKILL) }

// exited: the server writes the wait status to the status socket when
// the child has ended (end of file there: the server died).
func (p *forkserverProc) exited() bool {
	pfd := []unix.PollFd{{Fd: int32(p.status), Events: unix.POLLIN}}
	n, err := unix.Poll(pfd, 0)
	return err == nil && n > 0
}

func (p *forkserverProc) pid() int { return p.id }
