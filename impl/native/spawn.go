package native

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// spawn: a fresh program image. The child is a re-exec of the running
// binary (/proc/self/exe) in the hidden child role, selected by the
// environment (roleEnv=roleChild); it receives only what it needs: the
// channel fds as fds 3, 4, … (exec.Cmd.ExtraFiles) and its parameters in
// paramsEnv — no other environment. ChildMain (first thing in main, and
// in TestMain of test binaries) takes the role, maps the memfd, builds
// its endpoint and runs the same child body as a fork child, here with
// ordinary (scheduler-aware) system calls. Pdeathsig is SIGKILL.

// Environment of the hidden roles.
const (
	roleEnv        = "MPBENCH_NATIVE_ROLE"
	paramsEnv      = "MPBENCH_NATIVE_PARAMS"
	roleChild      = "child"
	roleForkserver = "forkserver"
	selfExe        = "/proc/self/exe"
	firstExtraFd   = 3
)

// ChildMain runs the hidden roles of the native implementation (spawn
// child, forkserver) and exits the process; it returns at once when the
// process has no such role. Call it first thing in main() and in TestMain
// of every test binary that starts native children.
func ChildMain() {
	role := os.Getenv(roleEnv)
	if role == "" {
		return
	}
	var err error
	code := 0
	switch role {
	case roleChild:
		code, err = spawnChildMain()
	case roleForkserver:
		err = forkserverMain()
	default:
		err = fmt.Errorf("unknown role %q", role)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "mpbench native %s: %v\n", role, err)
		if code == 0 {
			code = exitSetup
		}
	}
	os.Exit(code)
}

// spawnChildMain is the spawn child role.
func spawnChildMain() (int, error) {
	p, err := decodeParams(os.Getenv(paramsEnv))
	if err != nil {
		return exitSetup, err
	}
	var fds []int
	switch p.Kind {
	case kindPipe:
		fds = []int{firstExtraFd}
	case kindSimpleQueue, kindQueue:
		fds = []int{firstExtraFd, firstExtraFd + 1, firstExtraFd + 2}
	case kindShm:
		fds = []int{firstExtraFd}
	}
	var mem []byte
	if i := memFd(p.Kind); i >= 0 {
		if mem, err = mapFd(fds[i]); err != nil {
			return exitSetup, err
		}
	}
	ep, err := childEndpoint(p.Kind, fds, mem, p.Spin, false)
	if err != nil {
		return exitSetup, err
	}
	s := newChildState(p, ep, os.Getppid())
	// The child body stays on one OS thread, as in a fork child: a pool
	// worker's CPU task time is its thread's CPU time.
	runtime.LockOSThread()
	code := childMain(s)
	if code != 0 {
		return code, fmt.Errorf("child body exited with status %d", code)
	}
	return 0, nil
}

// spawnStarter starts children by re-executing the binary.
type spawnStarter struct{}

func (spawnStarter) name() string { return "spawn" }

func (spawnStarter) start(p childParams, ch *channel) (proc, error) {
	cmd, err := spawnCommand([]string{roleEnv + "=" + roleChild, paramsEnv + "=" + p.encode()}, ch.childFds)
	if err != nil {
		return nil, err
	}
	return &spawnProc{cmd: cmd}, nil
}

func (spawnStarter) close() error { return nil }

// spawnCommand starts /proc/self/exe with exactly env as environment and
// fds as fds 3, 4, …, dying with its parent.
func spawnCommand(env []string, fds []int) (*exec.Cmd, error) {
	files := make([]*os.File, 0, len(fds))
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for _, fd := range fds {
		// The *os.File owns a duplicate: closing it (or its finalizer)
		// never closes the channel's own fd.
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, os.NewSyscallError("fcntl", err)
		}
		files = append(files, os.NewFile(uintptr(dup), "chan"))
	}
	role, _ := strings.CutPrefix(env[0], roleEnv+"=")
	cmd := &exec.Cmd{
		Path:        selfExe,
		Args:        []string{"mpbench-native-" + role},
		Env:         env,
		ExtraFiles:  files,
		Stderr:      os.Stderr,
		SysProcAttr: &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd, nil
}

// spawnProc is a spawned child.
type spawnProc struct{ cmd *exec.Cmd }

func (p *spawnProc) join() error {
	err := p.cmd.Wait()
	if p.cmd.ProcessState == nil {
		return fmt.Errorf("spawn child %d: %w", p.cmd.Process.Pid, err)
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		return waitErr(p.cmd.Process.Pid, unix.WaitStatus(ws))
	}
	if err != nil {
		return fmt.Errorf("spawn child %d: %w", p.cmd.Process.Pid, err)
	}
	return nil
}

func (p *spawnProc) kill() { p.cmd.Process.Kill() }

func (p *spawnProc) exited() bool { return exitedPid(p.cmd.Process.Pid) }

func (p *spawnProc) pid() int { return p.cmd.Process.Pid }
