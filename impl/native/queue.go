package native

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Queue: a SimpleQueue (same pipes, same process-shared locks, see
// simplequeue.go) plus a sender-side buffer drained by a feeder
// goroutine, as multiprocessing.Queue with its feeder thread: put appends
// the message to the buffer and returns at once; the feeder writes the
// buffered messages under the writer lock.
//
// Where the feeder runs:
//   - in the parent (a normal Go process), put never blocks. When the
//     feeder is idle and its buffer is empty, put writes the message
//     inline, without blocking: the parent's write end of the pipe is
//     O_NONBLOCK, and whatever does not fit into the pipe now is left to
//     the feeder goroutine (the writer lock stays held until the feeder
//     has written the rest). Otherwise put appends the message to the
//     buffer and the feeder goroutine (started lazily at the first put,
//     as CPython starts its feeder thread) writes it; Close flushes and
//     stops it (join_thread). The inline write keeps the hand-off to the
//     feeder goroutine off the common path: with one CPU (GOMAXPROCS=1)
//     a goroutine that is only runnable while the measuring goroutine
//     blocks in read(2) waits for sysmon to retake the P (tens of µs to
//     ms), which measured the Go scheduler rather than the queue.
//   - in every child (fork and forkserver children run restricted code:
//     no goroutines; spawn children share that code), put runs the
//     feeder's work inline: take the writer lock, write the message. This
//     is reported in Config() as native-queue-child-put: inline.
//
// Like a Python bytes object, a message handed to put is not copied: the
// caller must not modify it until the feeder has sent it.

// feeder is the parent-side buffer and feeder goroutine of a Queue.
type feeder struct {
	fd    int     // parent's write end (O_NONBLOCK)
	wlock *uint32 // process-shared writer lock of that pipe

	mu   sync.Mutex
	cond sync.Cond
	busy bool // a writer (an inline put or the feeder goroutine) owns the pipe
	buf  [][]byte
	next [][]byte
	part []byte // message an inline put could not finish (writer lock held)
	off  int    // bytes of part's frame (header + payload) already written
	hdr  [msgHeader]byte
	shut bool
	err  syscall.Errno
	done chan struct{}
}

func newFeeder(ep *endpoint) (*feeder, error) {
	if err := unix.SetNonblock(ep.wfd, true); err != nil {
		return nil, err
	}
	f := &feeder{fd: ep.wfd, wlock: ep.wlock, done: make(chan struct{})}
	f.cond.L = &f.mu
	go f.run()
	return f, nil
}

// put sends one message or buffers it; it never blocks on the pipe.
func (f *feeder) put(p []byte) error {
	f.mu.Lock()
	if f.err != 0 {
		f.mu.Unlock()
		return f.err
	}
	if f.busy || len(f.buf) > 0 || f.part != nil {
		f.buf = append(f.buf, p)
		if len(f.buf) == 1 {
			f.cond.Signal()
		}
		f.mu.Unlock()
		return nil
	}
	f.busy = true
	f.mu.Unlock()
	lockWord(false, f.wlock)
	put32(f.hdr[:], uint32(len(p)))
	off, err := f.write(p, 0)
	if err == 0 {
		unlockWord(false, f.wlock)
	}
	f.mu.Lock()
	switch err {
	case 0:
	case syscall.EAGAIN: // the pipe is full: the feeder writes the rest
		f.part, f.off = p, off
		err = 0
	default:
		unlockWord(false, f.wlock)
		f.err = err
	}
	f.busy = false
	if len(f.buf) > 0 || f.part != nil {
		f.cond.Signal()
	}
	f.mu.Unlock()
	if err != 0 {
		return err
	}
	return nil
}

// write writes the frame (f.hdr, then p) from byte off on, without
// blocking: it returns the new offset and EAGAIN when the pipe is full.
func (f *feeder) write(p []byte, off int) (int, syscall.Errno) {
	total := msgHeader + len(p)
	for off < total {
		var iov [2]unix.Iovec
		n := 0
		if off < msgHeader {
			iov[0].Base = &f.hdr[off]
			iov[0].SetLen(msgHeader - off)
			n = 1
			if len(p) > 0 {
				iov[1].Base = &p[0]
				iov[1].SetLen(len(p))
				n = 2
			}
		} else {
			iov[0].Base = &p[off-msgHeader]
			iov[0].SetLen(total - off)
			n = 1
		}
		r, _, e := syscall.RawSyscall(unix.SYS_WRITEV, uintptr(f.fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(n))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return off, e
		}
		off += int(r)
	}
	return off, 0
}

// finish writes the rest of a frame, waiting in poll(2) while the pipe
// is full (a pipe whose reader is gone reports EPIPE).
func (f *feeder) finish(p []byte, off int) syscall.Errno {
	for {
		var err syscall.Errno
		if off, err = f.write(p, off); err != syscall.EAGAIN {
			return err
		}
		pfd := []unix.PollFd{{Fd: int32(f.fd), Events: unix.POLLOUT}}
		if _, err := unix.Poll(pfd, -1); err != nil && err != unix.EINTR {
			return err.(syscall.Errno)
		}
	}
}

func (f *feeder) run() {
	defer close(f.done)
	for {
		f.mu.Lock()
		for f.busy || (!f.shut && len(f.buf) == 0 && f.part == nil) {
			f.cond.Wait()
		}
		if len(f.buf) == 0 && f.part == nil {
			f.mu.Unlock()
			return // shut, and everything written
		}
		f.busy = true
		part, off := f.part, f.off
		f.part = nil
		batch := f.buf
		f.buf, f.next = f.next[:0], nil
		f.mu.Unlock()
		var err syscall.Errno
		if part != nil {
			err = f.finish(part, off)
			unlockWord(false, f.wlock)
		}
		for i, p := range batch {
			if err == 0 {
				lockWord(false, f.wlock)
				put32(f.hdr[:], uint32(len(p)))
				err = f.finish(p, 0)
				unlockWord(false, f.wlock)
			}
			batch[i] = nil
		}
		f.mu.Lock()
		if err != 0 && f.err == 0 {
			f.err = err
		}
		f.next = batch[:0]
		f.busy = false
		f.mu.Unlock()
	}
}

// close flushes the buffer and stops the feeder (Queue.close +
// join_thread).
func (f *feeder) close() error {
	f.mu.Lock()
	f.shut = true
	f.cond.Signal()
	f.mu.Unlock()
	<-f.done
	if f.err != 0 {
		return f.err
	}
	return nil
}
