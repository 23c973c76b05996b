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

// RemoveSegments unlinks every segment whose name starts with prefix and
// returns how many it removed.
func RemoveSegments(prefix string) int {
	matches, _ := filepath.Glob(filepath.Join(ShmDir, prefix+"*"))
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
	n := 0
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), segmentPrefix)
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
