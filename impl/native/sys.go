package native

import (
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Low-level helpers shared by the parent and by restricted child code.
//
// Every function in this file that a child may run is //go:nosplit (it
// never grows the stack: a raw-fork child has stackguard0 = stackFork and
// would crash on any stack check), //go:norace (no race-detector calls),
// allocates nothing and stores no pointer into the heap (no write
// barriers). The raw flag selects syscall.RawSyscall (restricted child:
// no scheduler hooks) or syscall.Syscall (normal Go process: the blocking
// call hands its P to another thread so other goroutines keep running).

// Futex operations of linux/futex.h (golang.org/x/sys/unix only exports
// the syscall number). The non-_PRIVATE variants are used on purpose: the
// words live in MAP_SHARED memory shared by several processes.
const (
	futexWait = 0 // FUTEX_WAIT
	futexWake = 1 // FUTEX_WAKE
)

// errTooBig is returned when a message does not fit the receive buffer.
const errTooBig = syscall.EMSGSIZE

// errEOF is returned for an end of stream in the middle of a message.
const errEOF = syscall.ECONNRESET

//go:nosplit
//go:norace
func sys3(raw bool, trap, a1, a2, a3 uintptr) (uintptr, syscall.Errno) {
	if raw {
		r, _, e := syscall.RawSyscall(trap, a1, a2, a3)
		return r, e
	}
	return cooked3(trap, a1, a2, a3)
}

// cooked3 and cooked6 are the scheduler-aware system calls of normal Go
// processes. They are deliberately not nosplit: the linker's nosplit
// analysis of the child's call chain stops here instead of following
// syscall.Syscall into the scheduler, which restricted code never
// reaches (raw is true there). Not inlined, for the same reason.
//
//go:noinline
func cooked3(trap, a1, a2, a3 uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.Syscall(trap, a1, a2, a3)
	return r, e
}

//go:noinline
func cooked6(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, syscall.Errno) {
	r, _, e := syscall.Syscall6(trap, a1, a2, a3, a4, a5, a6)
	return r, e
}

//go:nosplit
//go:norace
func sys6(raw bool, trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, syscall.Errno) {
	if raw {
		r, _, e := syscall.RawSyscall6(trap, a1, a2, a3, a4, a5, a6)
		return r, e
	}
	return cooked6(trap, a1, a2, a3, a4, a5, a6)
}

// bptr is the address of a byte slice's backing array (valid for empty
// slices too). The caller keeps the slice reachable for the duration of
// the system call (all buffers are owned by long-lived structs).
//
//go:nosplit
//go:norace
func bptr(p []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(p))) }

//go:nosplit
//go:norace
func put32(b []byte, v uint32) {
	_ = b[3]
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

//go:nosplit
//go:norace
func get32(b []byte) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

//go:nosplit
//go:norace
func put64(b []byte, v uint64) {
	put32(b[0:4], uint32(v))
	put32(b[4:8], uint32(v>>32))
}

//go:nosplit
//go:norace
func get64(b []byte) uint64 { return uint64(get32(b[0:4])) | uint64(get32(b[4:8]))<<32 }

// writeFull writes all of p, retrying on EINTR and partial writes.
//
//go:nosplit
//go:norace
func writeFull(raw bool, fd int, p []byte) syscall.Errno {
	for len(p) > 0 {
		r, e := sys3(raw, unix.SYS_WRITE, uintptr(fd), bptr(p), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		p = p[r:]
	}
	return 0
}

// readFull fills p, retrying on EINTR and short reads.
//
//go:nosplit
//go:norace
func readFull(raw bool, fd int, p []byte) syscall.Errno {
	for len(p) > 0 {
		r, e := sys3(raw, unix.SYS_READ, uintptr(fd), bptr(p), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		if r == 0 {
			return errEOF
		}
		p = p[r:]
	}
	return 0
}

//go:nosplit
//go:norace
func futexWaitOn(raw bool, w *uint32, val uint32) {
	sys6(raw, unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWait, uintptr(val), 0, 0, 0)
}

// futexWaitTimeout is futexWaitOn with a relative timeout (ETIMEDOUT when
// it expired).
//
//go:nosplit
//go:norace
func futexWaitTimeout(raw bool, w *uint32, val uint32, ts *unix.Timespec) syscall.Errno {
	_, e := sys6(raw, unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWait, uintptr(val), uintptr(unsafe.Pointer(ts)), 0, 0)
	return e
}

//go:nosplit
//go:norace
func futexWakeOn(raw bool, w *uint32, n int) {
	sys6(raw, unix.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWake, uintptr(n), 0, 0, 0)
}

// Process-shared mutex on a word of shared memory (Drepper, "Futexes are
// tricky", mutex 2): 0 unlocked, 1 locked, 2 locked with waiters.
const (
	lockFree      = 0
	lockHeld      = 1
	lockContended = 2
)

//go:nosplit
//go:norace
func lockWord(raw bool, w *uint32) {
	if atomic.CompareAndSwapUint32(w, lockFree, lockHeld) {
		return
	}
	for atomic.SwapUint32(w, lockContended) != lockFree {
		futexWaitOn(raw, w, lockContended)
	}
}

//go:nosplit
//go:norace
func unlockWord(raw bool, w *uint32) {
	if atomic.SwapUint32(w, lockFree) == lockContended {
		futexWakeOn(raw, w, 1)
	}
}

// burn is the CPU task of the pool workload: n steps of a linear
// congruential generator (the result is sent back so it is not optimised
// away). Not inlined, so that the calibration in the parent times the
// very code the child runs.
//
//go:nosplit
//go:norace
//go:noinline
func burn(n int64, seed uint64) uint64 {
	x := seed
	for i := int64(0); i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}
