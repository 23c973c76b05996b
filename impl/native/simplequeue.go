package native

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// SimpleQueue: a one-way pipe(2) guarded by process-shared locks, as
// multiprocessing.SimpleQueue: put takes the writer lock around one whole
// message, get takes the reader lock around one whole message, so that
// concurrent producers never interleave bytes and concurrent consumers
// never split a message. No helper threads.
//
// A channel of this kind is a pair of queues, one per direction (down:
// parent → children, up: children → parent), and one 4 KiB shared page
// (a memfd mapped MAP_SHARED) holding the four lock words, each on its own
// cache line. The locks are futex mutexes (sys.go).

// Offsets of the lock words in the lock page.
const (
	lockDownRead  = 0 * 64
	lockDownWrite = 1 * 64
	lockUpRead    = 2 * 64
	lockUpWrite   = 3 * 64
	lockPageSize  = 4096
)

// newQueuePipes creates the pipes and the lock page of a SimpleQueue or
// Queue channel. The child receives [down read end, up write end, lock
// memfd].
func newQueuePipes(ch *channel) error {
	var down, up [2]int
	if err := unix.Pipe2(down[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	ch.own = append(ch.own, down[0], down[1])
	if err := unix.Pipe2(up[:], unix.O_CLOEXEC); err != nil {
		return err
	}
	ch.own = append(ch.own, up[0], up[1])
	fd, mem, err := sharedMapping(ch.name+"-locks", lockPageSize)
	if err != nil {
		return err
	}
	ch.own = append(ch.own, fd)
	ch.mem = mem
	ch.parent.wfd, ch.parent.wlock = down[1], word(mem, lockDownWrite)
	ch.parent.rfd, ch.parent.rlock = up[0], word(mem, lockUpRead)
	ch.childFds = []int{down[0], up[1], fd}
	return nil
}

// queueEndpoint is the child's side of a SimpleQueue/Queue channel; mem
// is the mapping of the lock page (made by the caller from fds[2]).
func queueEndpoint(e *endpoint, fds []int, mem []byte) {
	e.rfd, e.rlock = fds[0], word(mem, lockDownRead)
	e.wfd, e.wlock = fds[1], word(mem, lockUpWrite)
}

func word(mem []byte, off int) *uint32 { return (*uint32)(unsafe.Pointer(&mem[off])) }

// sharedMapping creates a memfd of the given size named name and maps it
// MAP_SHARED. memfds have no /dev/shm entry: nothing to unlink, they
// vanish with their last fd and mapping.
func sharedMapping(name string, size int) (int, []byte, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return -1, nil, err
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	return fd, mem, nil
}

// mapFd maps a memfd received from the parent.
func mapFd(fd int) ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, err
	}
	return unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
}
