package native

import (
	"sync"
	"syscall"
)

// Queue: a SimpleQueue (same pipes, same process-shared locks, see
// simplequeue.go) plus a sender-side buffer drained by a feeder
// goroutine, as multiprocessing.Queue with its feeder thread: put appends
// the message to the buffer and returns at once; the feeder writes the
// buffered messages under the writer lock.
//
// Where the feeder runs:
//   - in the parent (a normal Go process), put never blocks: the feeder
//     goroutine is started lazily at the first put, as CPython starts its
//     feeder thread, and Close flushes and stops it (join_thread).
//   - in every child (fork and forkserver children run restricted code:
//     no goroutines; spawn children share that code), put runs the
//     feeder's work inline: take the writer lock, write the message. This
//     is reported in Config() as native-queue-child-put: inline.
//
// Like a Python bytes object, a message handed to put is not copied: the
// caller must not modify it until the feeder has sent it.

// feeder is the parent-side buffer and feeder goroutine of a Queue.
type feeder struct {
	ep   *endpoint
	mu   sync.Mutex
	cond sync.Cond
	buf  [][]byte
	next [][]byte
	shut bool
	err  syscall.Errno
	done chan struct{}
}

func newFeeder(ep *endpoint) *feeder {
	f := &feeder{ep: ep, done: make(chan struct{})}
	f.cond.L = &f.mu
	go f.run()
	return f
}

// put buffers one message; it never blocks on the pipe.
func (f *feeder) put(p []byte) error {
	f.mu.Lock()
	err := f.err
	f.buf = append(f.buf, p)
	if len(f.buf) == 1 {
		f.cond.Signal()
	}
	f.mu.Unlock()
	if err != 0 {
		return err
	}
	return nil
}

func (f *feeder) run() {
	defer close(f.done)
	for {
		f.mu.Lock()
		for len(f.buf) == 0 && !f.shut {
			f.cond.Wait()
		}
		if len(f.buf) == 0 {
			f.mu.Unlock()
			return
		}
		batch := f.buf
		f.buf, f.next = f.next[:0], nil
		f.mu.Unlock()
		for i, p := range batch {
			if err := f.ep.send(p); err != 0 {
				f.mu.Lock()
				f.err = err
				f.mu.Unlock()
			}
			batch[i] = nil
		}
		f.mu.Lock()
		f.next = batch[:0]
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
