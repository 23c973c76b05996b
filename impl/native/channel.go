package native

import (
	"fmt"
	"slices"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// channel is the parent's handle of one channel instance (of any kind):
// it owns every fd and mapping, sends to the child(ren) and receives from
// them. The child's side is rebuilt from childFds (spawn, forkserver) or
// inherited (fork).
type channel struct {
	kind     int
	name     string
	parent   endpoint // parent's side, raw = false
	childFds []int    // what a child needs, in the order childEndpoint expects
	own      []int    // every fd to close
	mem      []byte   // lock page or shm segment
	feed     *feeder  // Queue only, started at the first send
}

var chanSeq atomic.Int64

// newChannel creates a channel of the given kind; prefix names its memfd.
func newChannel(kind int, prefix string, spin int) (*channel, error) {
	ch := &channel{kind: kind, name: fmt.Sprintf("%s-%d", prefix, chanSeq.Add(1))}
	ch.parent.kind, ch.parent.spin = kind, spin
	var err error
	switch kind {
	case kindPipe:
		err = newPipe(ch)
	case kindSimpleQueue, kindQueue:
		err = newQueuePipes(ch)
	case kindShm:
		err = newShm(ch)
	default:
		err = fmt.Errorf("unknown channel kind %d", kind)
	}
	if err != nil {
		ch.close()
		return nil, err
	}
	return ch, nil
}

// send sends one message to the child side (Queue: buffered, returns at
// once; the message must not be modified until sent).
func (ch *channel) send(p []byte) error {
	if ch.kind == kindQueue {
		if ch.feed == nil {
			f, err := newFeeder(&ch.parent)
			if err != nil {
				return err
			}
			ch.feed = f
		}
		return ch.feed.put(p)
	}
	return errnoErr(ch.parent.send(p))
}

// recv receives one message from the child side into p.
func (ch *channel) recv(p []byte) (int, error) {
	n, err := ch.parent.recv(p)
	return n, errnoErr(err)
}

// recvExact receives one message that must be exactly len(p) bytes.
func (ch *channel) recvExact(p []byte) error {
	n, err := ch.recv(p)
	if err != nil {
		return err
	}
	if n != len(p) {
		return fmt.Errorf("received %d bytes, want %d", n, len(p))
	}
	return nil
}

// closeChildFds closes the parent's copies of the child's fds once every
// child of the channel has been started (each child has its own copy), so
// that a child that dies makes the parent's reads end with EOF instead of
// blocking forever (pipes with one child; shm and pools check the
// children's liveness instead, see liveness.go).
func (ch *channel) closeChildFds() {
	for _, fd := range ch.childFds {
		unix.Close(fd)
		if i := slices.Index(ch.own, fd); i >= 0 {
			ch.own = slices.Delete(ch.own, i, i+1)
		}
	}
	ch.childFds = nil
}

// close flushes a Queue's feeder and releases every fd and mapping.
func (ch *channel) close() error {
	var err error
	if ch.feed != nil {
		err = ch.feed.close()
		ch.feed = nil
	}
	for _, fd := range ch.own {
		unix.Close(fd)
	}
	ch.own = nil
	if ch.mem != nil {
		unix.Munmap(ch.mem)
		ch.mem = nil
	}
	return err
}

// childEndpoint builds the child's side of a channel of the given kind
// from the fds in childFds order; mem is the child's mapping of the memfd
// (nil for a pipe). Normal Go code: it runs before the fork or in the
// spawned child.
func childEndpoint(kind int, fds []int, mem []byte, spin int, raw bool) (endpoint, error) {
	e := endpoint{kind: kind, raw: raw, spin: spin}
	switch kind {
	case kindPipe:
		if err := pipeEndpoint(&e, fds); err != nil {
			return e, err
		}
	case kindSimpleQueue, kindQueue:
		if len(fds) != 3 || len(mem) < lockPageSize {
			return e, errFds(kind, fds)
		}
		queueEndpoint(&e, fds, mem)
	case kindShm:
		if len(fds) != 1 || len(mem) < shmSize {
			return e, errFds(kind, fds)
		}
		shmEndpoint(&e, mem)
	default:
		return e, fmt.Errorf("unknown channel kind %d", kind)
	}
	return e, nil
}

// memFd is the index in childFds of the memfd to map, or -1.
func memFd(kind int) int {
	switch kind {
	case kindSimpleQueue, kindQueue:
		return 2
	case kindShm:
		return 0
	}
	return -1
}

func errFds(kind int, fds []int) error {
	return fmt.Errorf("channel kind %d: bad child fds %v", kind, fds)
}

func errnoErr(e syscall.Errno) error {
	switch e {
	case 0:
		return nil
	case errPeerDied:
		return errChildEnded
	}
	return e
}
