package native

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The child side of every workload: restricted code (see the package
// comment and sys.go) run by fork and forkserver children right after
// the raw fork, and by spawn children after their normal Go set-up.
//
// Protocol between parent and child over the cell's channel (all
// integers little-endian uint64):
//
//	startup:  child → parent  hello (8 B); the child exits.
//	pingpong: parent → child  cmd n (8 B; 0 = exit)
//	          child → parent  rusage (16 B: user ns, sys ns)
//	          n × { parent → child msg; child → parent same msg }
//	          child → parent  rusage (16 B)
//	stream:   parent → child  cmd n (8 B; 0 = exit)
//	          child → parent  rusage (16 B)
//	          n × parent → child msg
//	          child → parent  report (24 B: CLOCK_MONOTONIC ns after the
//	                          last byte, user ns, sys ns)
//	pool:     parent → child  task (16 B: id, op); op 0 = exit
//	          child → parent  result (24 B: id, checksum, task time in
//	                          ns around the task body: the thread's CPU
//	                          time for cpu tasks, CLOCK_MONOTONIC for
//	                          sleep tasks)
//	echo:     parent → child  any message of at most Size bytes, except
//	          the stop message (echoStop); child → parent  the same
//	          message (used by the tests: integrity, order, concurrency)

// Workloads of the child body.
const (
	wStartup = iota + 1
	wPingpong
	wStream
	wPool
	wEcho
)

// echoStop ends an echo child.
var echoStop = [...]byte{'s', 't', 'o', 'p', 0xff, 0, 0xff}

// Pool task operations.
const (
	opStop  = 0
	opCPU   = 1
	opSleep = 2
)

// Sizes of the protocol's small messages.
const (
	helloSize  = 8
	cmdSize    = 8
	rusageSize = 16
	reportSize = 24
	taskSize   = 16
	resultSize = 24
	ctlSize    = 64
)

// Exit statuses of a child (0 = success).
const (
	exitSendFailed = 10 + iota
	exitRecvFailed
	exitProtocol
	exitOrphan
	exitSetup
)

// childParams is everything a child needs besides its channel fds.
type childParams struct {
	Workload int
	Kind     int
	Size     int64 // pingpong, stream: message size
	CPUIters int64 // pool: burn iterations of one CPU task
	SleepNs  int64 // pool: duration of one sleep task
	Spin     int   // shm: spin budget
	Die      int64 // test hook (testKillEnv): 1 = startup child kills itself before its hello
}

func (p childParams) encode() string {
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d,%d", p.Workload, p.Kind, p.Size, p.CPUIters, p.SleepNs, p.Spin, p.Die)
}

func decodeParams(s string) (childParams, error) {
	f := strings.Split(s, ",")
	if len(f) != 7 {
		return childParams{}, fmt.Errorf("bad child params %q", s)
	}
	var v [7]int64
	for i := range f {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return childParams{}, fmt.Errorf("bad child params %q", s)
		}
		v[i] = n
	}
	return childParams{Workload: int(v[0]), Kind: int(v[1]), Size: v[2], CPUIters: v[3], SleepNs: v[4], Spin: int(v[5]), Die: v[6]}, nil
}

// childState is prepared by normal Go code before the child runs: after
// a raw fork the child only reads it and writes its byte/integer fields.
type childState struct {
	p    childParams
	ep   endpoint
	ppid int // the process that must stay alive (parent or forkserver)
	buf  []byte
	ctl  [ctlSize]byte
	ru   unix.Rusage
	ts   unix.Timespec
	ts2  unix.Timespec // monotonicRaw (ts is also nanosleep's argument)
}

func newChildState(p childParams, ep endpoint, ppid int) *childState {
	n := p.Size
	if n < ctlSize {
		n = ctlSize
	}
	return &childState{p: p, ep: ep, ppid: ppid, buf: make([]byte, n)}
}

// childMain is the whole life of a child after its start: death signal,
// workload, exit status. Restricted code.
//
//go:nosplit
//go:norace
func childMain(s *childState) int {
	syscall.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0)
	if r, _, _ := syscall.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); int(r) != s.ppid {
		return exitOrphan // the parent died before the death signal was set
	}
	switch s.p.Workload {
	case wStartup:
		if s.p.Die != 0 {
			pid, _, _ := syscall.RawSyscall(unix.SYS_GETPID, 0, 0, 0)
			syscall.RawSyscall(unix.SYS_KILL, pid, uintptr(unix.SIGKILL), 0)
		}
		put64(s.ctl[:helloSize], uint64(s.ppid))
		if s.ep.send(s.ctl[:helloSize]) != 0 {
			return exitSendFailed
		}
		return 0
	case wPingpong, wStream:
		return childLoop(s)
	case wPool:
		return childPool(s)
	case wEcho:
		return childEcho(s)
	}
	return exitProtocol
}

//go:nosplit
//go:norace
func childLoop(s *childState) int {
	for {
		n, err := s.ep.recv(s.ctl[:])
		if err != 0 {
			return exitRecvFailed
		}
		if n != cmdSize {
			return exitProtocol
		}
		iters := get64(s.ctl[:cmdSize])
		if iters == 0 {
			return 0
		}
		if code := sendRusage(s, 0, rusageSize); code != 0 {
			return code
		}
		size := int(s.p.Size)
		for i := uint64(0); i < iters; i++ {
			n, err := s.ep.recv(s.buf)
			if err != 0 {
				return exitRecvFailed
			}
			if n != size {
				return exitProtocol
			}
			if s.p.Workload == wPingpong && s.ep.send(s.buf[:n]) != 0 {
				return exitSendFailed
			}
		}
		if s.p.Workload == wPingpong {
			if code := sendRusage(s, 0, rusageSize); code != 0 {
				return code
			}
			continue
		}
		put64(s.ctl[0:8], monotonicRaw(s))
		if code := sendRusage(s, 8, reportSize); code != 0 {
			return code
		}
	}
}

// sendRusage sends ctl[:size] after writing the child's user and system
// CPU time (ns) at ctl[off:off+16].
//
//go:nosplit
//go:norace
func sendRusage(s *childState, off, size int) int {
	syscall.RawSyscall(unix.SYS_GETRUSAGE, unix.RUSAGE_SELF, uintptr(unsafe.Pointer(&s.ru)), 0)
	put64(s.ctl[off:off+8], uint64(s.ru.Utime.Sec)*1e9+uint64(s.ru.Utime.Usec)*1e3)
	put64(s.ctl[off+8:off+16], uint64(s.ru.Stime.Sec)*1e9+uint64(s.ru.Stime.Usec)*1e3)
	if s.ep.send(s.ctl[:size]) != 0 {
		return exitSendFailed
	}
	return 0
}

//go:nosplit
//go:norace
func childPool(s *childState) int {
	for {
		n, err := s.ep.recv(s.ctl[:])
		if err != 0 {
			return exitRecvFailed
		}
		if n != taskSize {
			return exitProtocol
		}
		if get64(s.ctl[8:16]) == opStop {
			return 0
		}
		if !poolTask(s) {
			return exitProtocol
		}
		if s.ep.send(s.ctl[:resultSize]) != 0 {
			return exitSendFailed
		}
	}
}

// poolTask runs the task in s.ctl and writes the result in place: id
// (unchanged), checksum, task time in ns around the task body — CPU time
// of the worker's thread for a cpu task (a task that waits for a core
// does not count the wait, so the sum over tasks cannot exceed cores ×
// makespan), wall time (CLOCK_MONOTONIC) for a sleep task, which needs no
// core; the same as the Python driver's run_task. Not inlined: its frame
// stays off the receive path's stack.
//
//go:nosplit
//go:norace
//go:noinline
func poolTask(s *childState) bool {
	clock := uintptr(unix.CLOCK_MONOTONIC)
	if get64(s.ctl[8:16]) == opCPU {
		clock = unix.CLOCK_THREAD_CPUTIME_ID
	}
	t0 := clockRaw(s, clock)
	var sum uint64
	switch get64(s.ctl[8:16]) {
	case opCPU:
		sum = burn(s.p.CPUIters, get64(s.ctl[0:8]))
	case opSleep:
		s.ts.Sec = s.p.SleepNs / 1e9
		s.ts.Nsec = s.p.SleepNs % 1e9
		for {
			_, _, e := syscall.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&s.ts)), uintptr(unsafe.Pointer(&s.ts)), 0)
			if e != syscall.EINTR {
				break
			}
		}
	default:
		return false
	}
	put64(s.ctl[16:24], clockRaw(s, clock)-t0)
	put64(s.ctl[8:16], sum)
	return true
}

//go:nosplit
//go:norace
func childEcho(s *childState) int {
	for {
		n, err := s.ep.recv(s.buf)
		if err != 0 {
			return exitRecvFailed
		}
		if isEchoStop(s.buf[:n]) {
			return 0
		}
		if s.ep.send(s.buf[:n]) != 0 {
			return exitSendFailed
		}
	}
}

//go:nosplit
//go:norace
func isEchoStop(b []byte) bool {
	if len(b) != len(echoStop) {
		return false
	}
	for i := range b {
		if b[i] != echoStop[i] {
			return false
		}
	}
	return true
}

// monotonicRaw is CLOCK_MONOTONIC in ns.
//
//go:nosplit
//go:norace
func monotonicRaw(s *childState) uint64 { return clockRaw(s, unix.CLOCK_MONOTONIC) }

// clockRaw reads a clock in ns by a raw system call (restricted code: no
// vDSO call through the runtime); it uses s.ts2.
//
//go:nosplit
//go:norace
func clockRaw(s *childState, clock uintptr) uint64 {
	syscall.RawSyscall(unix.SYS_CLOCK_GETTIME, clock, uintptr(unsafe.Pointer(&s.ts2)), 0)
	return uint64(s.ts2.Sec)*1e9 + uint64(s.ts2.Nsec)
}
