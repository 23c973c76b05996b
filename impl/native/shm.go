package native

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// shm: a memfd (named <shm-prefix>-shm-…, mapped MAP_SHARED) holding two
// rings, down (parent → children) and up (children → parent). A ring has
// shmSlots slots of shmSlotSize bytes (8 × 512 KiB: below 1 MiB, where
// Go's memmove switches to non-temporal stores that would push the
// payload out of the cache the receiver reads it from); a message is
// copied into one or more slots (larger messages are chunked) and copied out by the
// receiver, so sender and receiver overlap on different cores. Each slot
// has a state word used as a futex (FUTEX_WAIT/FUTEX_WAKE, shared, not
// _PRIVATE): a waiter sets slotWaiter before sleeping and the other side
// only calls FUTEX_WAKE when it sees that bit. Before sleeping a side
// busy-waits up to endpoint.spin loads (0 when the process may use only
// one CPU, where spinning only delays the other side); that CPU time
// shows in user-ns/op. Producer and consumer locks (futex mutexes) make a
// ring safe for several senders and receivers (pool workers): a whole
// message is sent or received under the lock.
//
// A memfd has no /dev/shm entry: there is nothing to unlink, the segment
// disappears with its last fd and mapping.

const (
	shmSlots    = 8
	shmSlotSize = 512 << 10

	slotEmpty  = 0
	slotFull   = 1
	slotWaiter = 2

	// shmSpin is the busy-wait budget (atomic loads) before blocking on
	// the futex when more than one CPU is available: tens of µs, about
	// the time to fill a 512 KiB slot and far less than a cross-CPU futex
	// wake-up on these VMs.
	shmSpin = 1 << 16

	ringCtlSize = 2048
	shmCtlSize  = 2 * ringCtlSize
	shmRingData = shmSlots * shmSlotSize
	shmSize     = shmCtlSize + 2*shmRingData
)

// slotHdr is one slot's control block, on its own cache line.
type slotHdr struct {
	state uint32
	n     uint32 // bytes in this chunk
	total uint64 // whole message length (every chunk carries it)
	_     [48]byte
}

// ringCtl is the shared control block of a ring.
type ringCtl struct {
	prodLock uint32
	_        [60]byte
	consLock uint32
	_        [60]byte
	head     uint32 // next slot to fill (under prodLock)
	_        [60]byte
	tail     uint32 // next slot to drain (under consLock)
	_        [60]byte
	slots    [shmSlots]slotHdr
}

// ring is a process-local view of a shared ring.
type ring struct {
	ctl  *ringCtl
	data []byte
}

var _ [ringCtlSize - unsafe.Sizeof(ringCtl{})]byte // ringCtl fits

func ringAt(mem []byte, ctlOff, dataOff int) ring {
	return ring{
		ctl:  (*ringCtl)(unsafe.Pointer(&mem[ctlOff])),
		data: mem[dataOff : dataOff+shmRingData : dataOff+shmRingData],
	}
}

// newShm creates the segment of a shm channel; the child receives the
// memfd.
func newShm(ch *channel) error {
	fd, mem, err := sharedMapping(ch.name+"-shm", shmSize)
	if err != nil {
		return err
	}
	ch.own = append(ch.own, fd)
	ch.mem = mem
	ch.parent.tx = ringAt(mem, 0, shmCtlSize)
	ch.parent.rx = ringAt(mem, ringCtlSize, shmCtlSize+shmRingData)
	ch.childFds = []int{fd}
	return nil
}

// shmEndpoint is the child's side of a shm channel on its mapping.
func shmEndpoint(e *endpoint, mem []byte) {
	e.rx = ringAt(mem, 0, shmCtlSize)
	e.tx = ringAt(mem, ringCtlSize, shmCtlSize+shmRingData)
}

// waitSlot waits until the slot's full bit equals full. With a liveness
// (parent), each futex wait lasts at most livenessSlice and a child found
// ended makes it return errPeerDied.
//
//go:nosplit
//go:norace
func waitSlot(raw bool, spin int, live *liveness, w *uint32, full uint32) syscall.Errno {
	for i := 0; i < spin; i++ {
		if atomic.LoadUint32(w)&slotFull == full {
			return 0
		}
	}
	for {
		s := atomic.LoadUint32(w)
		if s&slotFull == full {
			return 0
		}
		if s&slotWaiter == 0 {
			if !atomic.CompareAndSwapUint32(w, s, s|slotWaiter) {
				continue
			}
			s |= slotWaiter
		}
		if live == nil {
			futexWaitOn(raw, w, s)
			continue
		}
		// Timed out, or interrupted (the Go runtime's preemption signals
		// interrupt a wait that looks like a running goroutine): check.
		if e := futexWaitTimeout(raw, w, s, &live.slice); (e == syscall.ETIMEDOUT || e == syscall.EINTR) &&
			atomic.LoadUint32(w)&slotFull != full && live.dead() {
			return errPeerDied
		}
	}
}

// setSlot publishes a slot state and wakes the other side if it sleeps.
//
//go:nosplit
//go:norace
func setSlot(raw bool, w *uint32, state uint32) {
	if atomic.SwapUint32(w, state)&slotWaiter != 0 {
		futexWakeOn(raw, w, 1)
	}
}

// send copies p into the ring, chunk by chunk.
//
//go:nosplit
//go:norace
func (r *ring) send(raw bool, spin int, live *liveness, p []byte) syscall.Errno {
	c := r.ctl
	lockWord(raw, &c.prodLock)
	total := uint64(len(p))
	for first := true; first || len(p) > 0; first = false {
		i := atomic.LoadUint32(&c.head) % shmSlots
		s := &c.slots[i]
		if err := waitSlot(raw, spin, live, &s.state, slotEmpty); err != 0 {
			unlockWord(raw, &c.prodLock)
			return err
		}
		n := len(p)
		if n > shmSlotSize {
			n = shmSlotSize
		}
		off := int(i) * shmSlotSize
		copy(r.data[off:off+n], p[:n])
		s.n, s.total = uint32(n), total
		atomic.StoreUint32(&c.head, i+1)
		setSlot(raw, &s.state, slotFull)
		p = p[n:]
	}
	unlockWord(raw, &c.prodLock)
	return 0
}

// recv copies one whole message out of the ring into p. A message larger
// than p is drained and reported as errTooBig.
//
//go:nosplit
//go:norace
func (r *ring) recv(raw bool, spin int, live *liveness, p []byte) (int, syscall.Errno) {
	c := r.ctl
	lockWord(raw, &c.consLock)
	got := uint64(0)
	total := uint64(0)
	var err syscall.Errno
	for first := true; first || got < total; first = false {
		i := atomic.LoadUint32(&c.tail) % shmSlots
		s := &c.slots[i]
		if e := waitSlot(raw, spin, live, &s.state, slotFull); e != 0 {
			unlockWord(raw, &c.consLock)
			return 0, e
		}
		n := uint64(s.n)
		total = s.total
		if total > uint64(len(p)) {
			err = errTooBig
		} else {
			off := int(i) * shmSlotSize
			copy(p[got:got+n], r.data[off:off+int(n)])
		}
		got += n
		atomic.StoreUint32(&c.tail, i+1)
		setSlot(raw, &s.state, slotEmpty)
	}
	unlockWord(raw, &c.consLock)
	return int(total), err
}
