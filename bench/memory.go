package bench

import "fmt"

// The memory workload: what each worker costs in memory, as the kernel
// accounts it. One sample starts Workers children by Method from a parent
// that holds RSS bytes of Python objects, lets each child touch them as
// Touch says, then reads every child's /proc/<pid>/smaps_rollup while all
// of them are alive:
//
//	pss-B       mean over the children of Pss (a page shared by k processes
//	            counts 1/k in each of them)
//	uss-B       mean over the children of Private_Clean + Private_Dirty
//	            (the pages only that child maps: what its exit gives back)
//	pool-pss-B  the sum of the children's Pss (the pool's share; the parent,
//	            a fork server and the resource tracker are not counted)
//
// and ns/op is the time from the first start() until every child has
// reported that its touch is done (start + touch). The definitions of the
// touches and of the parent's objects: impl/definitions.go (MemoryTouch…)
// and the driver.

// Touches of the memory workload (the touch key).
const (
	TouchNone       = "none"        // the child reads nothing of the parent's objects
	TouchRead       = "read"        // it reads every object (reference counts written)
	TouchReadFrozen = "read-frozen" // the same after gc.freeze() in the parent
	TouchGC         = "gc"          // it runs one full gc.collect() and reads nothing
	TouchGCFrozen   = "gc-frozen"   // the same after gc.freeze() in the parent
)

// MemoryTouches are the values of the touch key, in canonical order.
var MemoryTouches = []string{TouchNone, TouchRead, TouchReadFrozen, TouchGC, TouchGCFrozen}

// ForkTouches are the touches that read the parent's objects: only a fork
// child has them (spawn and forkserver children start from a fresh
// interpreter or from the fork server, not from the parent).
var ForkTouches = []string{TouchRead, TouchReadFrozen, TouchGC, TouchGCFrozen}

// MemoryRSS are the parent sizes of the memory cells (StartupRSS: 0,
// 256 MiB, 1 GiB).
var MemoryRSS = StartupRSS

// validateMemory checks the keys of a memory cell and that no other
// workload has a touch key.
func (c Cell) validateMemory() error {
	switch {
	case c.Workload != Memory && c.Touch != "":
		return fmt.Errorf("touch is a key of the memory workload")
	case c.Workload != Memory:
		return nil
	case c.Chan != "" || c.Exec != "" || c.Payload != "" || c.Size != 0 || c.Task != "" || c.Tasks != 0 || c.Chunksize != 0:
		return fmt.Errorf("memory has no chan, exec, payload, size or task key")
	case !contains(MemoryTouches, c.Touch):
		return fmt.Errorf("memory needs a touch, one of %v", MemoryTouches)
	case contains(ForkTouches, c.Touch) && c.Method != "fork":
		return fmt.Errorf("touch=%s reads the parent's objects, which only a fork child has (spawn and forkserver children start without them): use touch=none", c.Touch)
	case c.Workers < 1 || c.RSS < 0:
		return fmt.Errorf("memory needs workers ≥ 1 and an rss ≥ 0")
	case c.Method == MethodLoky:
		return fmt.Errorf("method=loky is a pool executor's")
	}
	return nil
}

// QMemory is the guide's memory question (harness/report, memory.go). It
// is not one of the Questions: no decision cell answers it, so `mpbench
// advise` and the guides' comparison leave it out.
var QMemory = Question{"memory", "Memory per worker"}
