package harness

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ShmDir is where POSIX shared-memory segments appear.
const ShmDir = "/dev/shm"

// segmentPrefix is the prefix of every segment of every run; a run's own
// segments are named segmentPrefix + "<harness pid>-<cell seq>-…", so
// concurrent runs never collide and segments of a dead run are found by
// their pid.
const segmentPrefix = "mpbench-"

// shmPrefix is the ShmPrefix handed to the measured program of one cell.
func shmPrefix(pid, seq int) string {
	return segmentPrefix + strconv.Itoa(pid) + "-" + strconv.Itoa(seq)
}

// semPrefix is how POSIX named semaphores appear in ShmDir: the measured
// programs name theirs with the cell's prefix too (Python: semprefix).
const semPrefix = "sem."

// RemoveSegments unlinks every segment and named semaphore whose name
// starts with prefix and returns how many it removed.
func RemoveSegments(prefix string) int {
	matches, _ := filepath.Glob(filepath.Join(ShmDir, prefix+"*"))
	sems, _ := filepath.Glob(filepath.Join(ShmDir, semPrefix+prefix+"*"))
	matches = append(matches, sems...)
	n := 0
	for _, m := range matches {
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

// RemoveStaleSegments unlinks the segments of runs whose harness process
// no longer exists (a run killed with kill -9 before its children could
// unlink them).
func RemoveStaleSegments() int {
	matches, _ := filepath.Glob(filepath.Join(ShmDir, segmentPrefix+"*"))
	sems, _ := filepath.Glob(filepath.Join(ShmDir, semPrefix+segmentPrefix+"*"))
	n := 0
	for _, m := range append(matches, sems...) {
		rest := strings.TrimPrefix(strings.TrimPrefix(filepath.Base(m), semPrefix), segmentPrefix)
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid <= 0 || processAlive(pid) {
			continue
		}
		if os.Remove(m) == nil {
			n++
		}
	}
	return n
}

func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || err == unix.EPERM
}
