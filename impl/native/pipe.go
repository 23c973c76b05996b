package native

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Pipe: a duplex connection (socketpair AF_UNIX SOCK_STREAM) carrying
// length-prefixed whole messages, as multiprocessing.Pipe() with
// send_bytes/recv_bytes. A message is a 4-byte little-endian length
// followed by the payload, written with one writev(2) (header + payload,
// no copy) and read with two read(2)s (header, then exactly the payload,
// never more: several readers may share a SimpleQueue pipe).

// msgHeader is the size of the length prefix.
const msgHeader = 4

// iovec mirrors struct iovec with the base as uintptr, so that filling it
// in a restricted child stores no pointer (no write barrier).
type iovec struct {
	base uintptr
	n    uint64
}

// Channel kinds (the chan dimension).
const (
	kindPipe = iota + 1
	kindSimpleQueue
	kindQueue
	kindShm
)

var kindNames = map[string]int{"pipe": kindPipe, "simplequeue": kindSimpleQueue, "queue": kindQueue, "shm": kindShm}

// endpoint is one side of a channel: it sends to and receives from the
// other side. Its methods are restricted code (see sys.go): a raw-fork
// child uses them with raw = true. It holds no Go-managed resources; the
// channel (parent) or the child set-up owns the fds and mappings.
type endpoint struct {
	kind   int
	raw    bool
	spin   int       // shm: busy-wait iterations before blocking (0 at one core)
	rfd    int       // pipe: the socket; queues: read end of the incoming pipe
	wfd    int       // pipe: the socket; queues: write end of the outgoing pipe
	rlock  *uint32   // queues: process-shared reader lock of the incoming pipe
	wlock  *uint32   // queues: process-shared writer lock of the outgoing pipe
	rx, tx ring      // shm: incoming and outgoing rings
	rbuf   []byte    // pipe: read buffer (single reader)
	rpos   int       // pipe: first unread byte of rbuf
	rend   int       // pipe: end of buffered bytes
	live   *liveness // parent only, nil in children: see liveness.go
	rhdr   [8]byte
	whdr   [8]byte
	iov    [2]iovec
}

// send sends one whole message.
//
//go:nosplit
//go:norace
func (e *endpoint) send(p []byte) syscall.Errno {
	if e.kind == kindShm {
		return e.tx.send(e.raw, e.spin, e.live, p)
	}
	if e.wlock != nil {
		lockWord(e.raw, e.wlock)
	}
	err := e.writeMsg(p)
	if e.wlock != nil {
		unlockWord(e.raw, e.wlock)
	}
	return err
}

// recv receives one whole message into p and returns its length.
//
//go:nosplit
//go:norace
func (e *endpoint) recv(p []byte) (int, syscall.Errno) {
	if e.kind == kindShm {
		return e.rx.recv(e.raw, e.spin, e.live, p)
	}
	if e.live != nil && e.rpos == e.rend {
		if err := e.live.waitReadable(e.rfd); err != 0 {
			return 0, err
		}
	}
	if e.rlock != nil {
		lockWord(e.raw, e.rlock)
	}
	n, err := e.readMsg(p)
	if e.rlock != nil {
		unlockWord(e.raw, e.rlock)
	}
	return n, err
}

//go:nosplit
//go:norace
func (e *endpoint) writeMsg(p []byte) syscall.Errno {
	put32(e.whdr[:msgHeader], uint32(len(p)))
	e.iov[0] = iovec{uintptr(unsafe.Pointer(&e.whdr[0])), msgHeader}
	e.iov[1] = iovec{bptr(p), uint64(len(p))}
	total := msgHeader + len(p)
	for {
		r, errno := sys3(e.raw, unix.SYS_WRITEV, uintptr(e.wfd), uintptr(unsafe.Pointer(&e.iov[0])), 2)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		n := int(r)
		if n == total {
			return 0
		}
		if n < msgHeader {
			if err := writeFull(e.raw, e.wfd, e.whdr[n:msgHeader]); err != 0 {
				return err
			}
			n = msgHeader
		}
		return writeFull(e.raw, e.wfd, p[n-msgHeader:])
	}
}

//go:nosplit
//go:norace
func (e *endpoint) readMsg(p []byte) (int, syscall.Errno) {
	if e.rbuf != nil {
		return e.readBuffered(p)
	}
	if err := readFull(e.raw, e.rfd, e.rhdr[:msgHeader]); err != 0 {
		return 0, err
	}
	n := int(get32(e.rhdr[:msgHeader]))
	if n > len(p) {
		return n, errTooBig
	}
	return n, readFull(e.raw, e.rfd, p[:n])
}

// pipeReadBuf is the read buffer of a Pipe end.
const pipeReadBuf = 64 << 10

// fill reads at least want (≤ len(rbuf)) buffered bytes, moving what is
// left to the front of the buffer first when needed.
//
//go:nosplit
//go:norace
func (e *endpoint) fill(want int) syscall.Errno {
	if e.rpos == e.rend {
		e.rpos, e.rend = 0, 0
	}
	if e.rpos+want > len(e.rbuf) {
		e.rend = copy(e.rbuf, e.rbuf[e.rpos:e.rend])
		e.rpos = 0
	}
	for e.rend-e.rpos < want {
		r, errno := sys3(e.raw, unix.SYS_READ, uintptr(e.rfd), bptr(e.rbuf[e.rend:]), uintptr(len(e.rbuf)-e.rend))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		if r == 0 {
			return errEOF
		}
		e.rend += int(r)
	}
	return 0
}

//go:nosplit
//go:norace
func (e *endpoint) readBuffered(p []byte) (int, syscall.Errno) {
	if err := e.fill(msgHeader); err != 0 {
		return 0, err
	}
	n := int(get32(e.rbuf[e.rpos : e.rpos+msgHeader]))
	e.rpos += msgHeader
	if n > len(p) {
		return n, errTooBig
	}
	got := copy(p[:n], e.rbuf[e.rpos:e.rend])
	e.rpos += got
	if n-got > len(e.rbuf)/2 {
		return n, readFull(e.raw, e.rfd, p[got:n])
	}
	if got < n {
		if err := e.fill(n - got); err != 0 {
			return n, err
		}
		e.rpos += copy(p[got:n], e.rbuf[e.rpos:e.rend])
	}
	return n, 0
}

// newPipe creates the socketpair of a Pipe channel: index 0 is the
// parent's side, 1 the child's.
func newPipe(ch *channel) error {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	ch.own = append(ch.own, fds[0], fds[1])
	ch.parent.rfd, ch.parent.wfd = fds[0], fds[0]
	ch.parent.rbuf = make([]byte, pipeReadBuf)
	ch.childFds = []int{fds[1]}
	return nil
}

// pipeEndpoint is the child's side of a Pipe from its fds.
func pipeEndpoint(e *endpoint, fds []int) error {
	if len(fds) != 1 {
		return errFds(kindPipe, fds)
	}
	e.rfd, e.wfd = fds[0], fds[0]
	e.rbuf = make([]byte, pipeReadBuf)
	return nil
}
