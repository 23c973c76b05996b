// Package leakcheck finds what a command or a test package left behind:
// POSIX shared-memory segments and named semaphores in /dev/shm (any
// name: the run's own mpbench-…, multiprocessing's sem.mp-…, psm_…,
// torch_…) and processes.
//
// Use: s := Take() before, s.Check(opts) after; or Main(m.Run, opts) in
// a TestMain, which fails the package (exit status 1) on a leak and names
// every leaked entry and process on stderr.
//
// Contract:
//
//   - Take records every /dev/shm entry (name and inode) and every process
//     (pid and start time), and marks the calling process: it appends its
//     pid to $MPBENCH_LEAKCHECK_OWNERS (OwnersEnv). Every process started
//     afterwards with the inherited environment, and every process those
//     start, carries the mark, also after it was re-parented.
//   - A process is ours when it is a descendant of the process that took
//     the snapshot, or its environment carries that pid in OwnersEnv, or it
//     carries one of Options.Markers (KEY=VALUE: for programs started with
//     an environment of their own, e.g. under Slurm). Check reports every
//     process of ours that is new since the snapshot and alive (zombies,
//     already dead, are not counted).
//   - An entry of /dev/shm is reported when it is new since the snapshot
//     (a name, or the same name with a new inode) and it is not someone
//     else's: an entry that a live process not ours holds (an open file or a
//     mapping, as named semaphores are held) is that process's business; so
//     is one named with the project's convention, [sem.]mpbench-[word-]PID-…,
//     whose PID is a live process not ours (another run or test binary; the
//     harness removes such names once their PID is gone). Anything else new
//     — held by a process of ours, or by nobody — is a leak, whatever its
//     name.
//   - Check does not count what is still going away: it polls every
//     100 ms for up to Options.Grace (DefaultGrace) and reports only what
//     is still there at the end; when nothing is left it returns at once.
//   - Check removes and kills nothing; it only reports.
//
// Why this is not flaky under `go test ./...`, which runs packages in
// parallel (and other programs run on the machine): another package's
// test binary and the programs it starts are neither our descendants nor
// carry our pid, so its processes are never ours; its segments and
// semaphores are held by its live processes, or carry its live pid in the
// project's naming convention, or are transient (a resource tracker
// unlinking at exit, glibc's temporary sem.XXXXXX) and gone within the
// grace period. What remains reported is an entry nobody holds and whose
// creator is unknown or dead: a real leak on the machine, even when a
// parallel package made it (the message names it, so it can be traced).
package leakcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ShmDir is where POSIX shared-memory segments and named semaphores live.
const ShmDir = "/dev/shm"

// OwnersEnv lists, comma-separated, the pids of the processes that took a
// snapshot in the ancestry of a process.
const OwnersEnv = "MPBENCH_LEAKCHECK_OWNERS"

// DefaultGrace is how long Check waits for new things to go away.
const DefaultGrace = 10 * time.Second

const pollEvery = 100 * time.Millisecond

// Snapshot is what /dev/shm and the process table held when it was taken.
type Snapshot struct {
	pid   int
	shm   map[string]uint64 // name → inode
	procs map[int]string    // pid → start time
}

// Options say what else marks a process as ours and how long to wait.
type Options struct {
	Markers []string      // KEY=VALUE environment entries of our processes
	Grace   time.Duration // 0: DefaultGrace
}

// Leak is one thing left behind.
type Leak struct {
	Kind string // "process", "segment" or "semaphore"
	Name string // /dev/shm/NAME, or "pid N (command line)"
	Why  string // why it counts as ours
}

func (l Leak) String() string { return l.Kind + " " + l.Name + " (" + l.Why + ")" }

// Format joins leaks into one line.
func Format(leaks []Leak) string {
	s := make([]string, len(leaks))
	for i, l := range leaks {
		s[i] = l.String()
	}
	return strings.Join(s, "; ")
}

// Take snapshots /dev/shm and the processes, and marks the calling
// process (OwnersEnv) so that what it starts can be told apart.
func Take() *Snapshot {
	pid := os.Getpid()
	owners := os.Getenv(OwnersEnv)
	if !slices.Contains(strings.Split(owners, ","), strconv.Itoa(pid)) {
		if owners != "" {
			owners += ","
		}
		os.Setenv(OwnersEnv, owners+strconv.Itoa(pid))
	}
	s := &Snapshot{pid: pid, shm: shmEntries(), procs: map[int]string{}}
	for _, p := range processes() {
		s.procs[p.pid] = p.start
	}
	return s
}

// Check reports what is new since s and ours (package comment), after
// waiting up to o.Grace for it to go away.
func (s *Snapshot) Check(o Options) []Leak {
	grace := o.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	deadline := time.Now().Add(grace)
	for {
		leaks := s.leaks(o)
		if len(leaks) == 0 || time.Now().After(deadline) {
			return leaks
		}
		time.Sleep(pollEvery)
	}
}

// Main takes a snapshot, calls run (a TestMain's m.Run) and checks; a
// leak is printed on stderr, one line each, and turns a 0 into 1.
func Main(run func() int, o Options) int {
	s := Take()
	code := run()
	if leaks := s.Check(o); len(leaks) > 0 {
		for _, l := range leaks {
			fmt.Fprintln(os.Stderr, "FAIL: leakcheck: left behind:", l)
		}
		if code == 0 {
			code = 1
		}
	}
	return code
}

// leaks is one pass of Check.
func (s *Snapshot) leaks(o Options) []Leak {
	procs := processes()
	t := newTable(s.pid, procs, o.Markers)
	var out []Leak
	for _, p := range procs {
		if p.pid == s.pid || p.zombie || s.procs[p.pid] == p.start {
			continue
		}
		if why := t.ours(p.pid); why != "" {
			out = append(out, Leak{"process", fmt.Sprintf("pid %d (%s)", p.pid, p.cmdline()), why})
		}
	}
	var fresh []string
	for name, ino := range shmEntries() {
		if old, ok := s.shm[name]; !ok || old != ino {
			fresh = append(fresh, name)
		}
	}
	if len(fresh) == 0 {
		return out
	}
	slices.Sort(fresh)
	holders := shmHolders(procs)
	for _, name := range fresh {
		if why := t.entryOurs(name, holders[name]); why != "" {
			kind := "segment"
			if strings.HasPrefix(name, "sem.") {
				kind = "semaphore"
			}
			out = append(out, Leak{kind, filepath.Join(ShmDir, name), why})
		}
	}
	return out
}

// entryOurs says why a new /dev/shm entry is a leak of ours, or "" when it
// is someone else's.
func (t *table) entryOurs(name string, holders []int) string {
	for _, h := range holders {
		if why := t.ours(h); why != "" {
			return fmt.Sprintf("held by pid %d (%s), %s", h, t.procs[h].cmdline(), why)
		}
	}
	if len(holders) > 0 {
		return "" // held by live processes of someone else
	}
	if pid := namedPid(name); pid > 0 {
		if _, alive := t.procs[pid]; alive && pid != t.self && t.ours(pid) == "" {
			return "" // a live run's (its harness removes it)
		}
		return "held by no process; named after pid " + strconv.Itoa(pid) + ", ours or gone"
	}
	return "held by no process"
}

// namedPid is the PID of a name of the project's convention
// [sem.]mpbench-[word-]PID-… (or …-PID at the end), else 0.
func namedPid(name string) int {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "sem."), "mpbench-")
	if !ok {
		return 0
	}
	f := strings.SplitN(rest, "-", 3)
	for i := 0; i < len(f) && i < 2; i++ {
		if n, err := strconv.Atoi(f[i]); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

// proc is one process of the table.
type proc struct {
	pid, ppid int
	start     string // start time since boot, in clock ticks
	zombie    bool
}

func (p proc) cmdline() string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/cmdline")
	s := strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "?"
	}
	return s
}

// processes lists the processes of /proc (thread-group leaders).
func processes() []proc {
	ents, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone
		}
		// pid (comm) state ppid … starttime (field 22); comm may hold spaces.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 20 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		out = append(out, proc{pid: pid, ppid: ppid, start: f[19], zombie: f[0] == "Z" || f[0] == "X"})
	}
	return out
}

// table answers whether a process is ours.
type table struct {
	self    int
	procs   map[int]proc
	markers []string
	memo    map[int]string
}

func newTable(self int, procs []proc, markers []string) *table {
	t := &table{self: self, procs: map[int]proc{}, markers: markers, memo: map[int]string{}}
	for _, p := range procs {
		t.procs[p.pid] = p
	}
	return t
}

// ours says why process pid is ours ("" when it is not).
func (t *table) ours(pid int) string {
	if why, ok := t.memo[pid]; ok {
		return why
	}
	why := t.why(pid)
	t.memo[pid] = why
	return why
}

func (t *table) why(pid int) string {
	if pid == t.self {
		return "this process"
	}
	seen := map[int]bool{}
	for p := t.procs[pid].ppid; p > 0 && !seen[p]; p = t.procs[p].ppid {
		if p == t.self {
			return "a descendant of this process"
		}
		seen[p] = true
	}
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return ""
	}
	for _, kv := range bytes.Split(env, []byte{0}) {
		if owners, ok := bytes.CutPrefix(kv, []byte(OwnersEnv+"=")); ok {
			if slices.Contains(strings.Split(string(owners), ","), strconv.Itoa(t.self)) {
				return "started under this process (" + OwnersEnv + ")"
			}
		}
		if slices.Contains(t.markers, string(kv)) {
			return "carries " + string(kv)
		}
	}
	return ""
}

// shmEntries lists /dev/shm: name → inode.
func shmEntries() map[string]uint64 {
	out := map[string]uint64{}
	ents, _ := os.ReadDir(ShmDir)
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || info.IsDir() {
			continue
		}
		out[e.Name()] = inode(info)
	}
	return out
}

func inode(info os.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}

// shmHolders maps a /dev/shm name to the live processes that hold it
// open (a file descriptor) or mapped (named semaphores are only mapped).
func shmHolders(procs []proc) map[string][]int {
	out := map[string][]int{}
	prefix := ShmDir + "/"
	for _, p := range procs {
		if p.zombie {
			continue
		}
		dir := "/proc/" + strconv.Itoa(p.pid)
		held := map[string]bool{}
		fds, _ := os.ReadDir(dir + "/fd")
		for _, fd := range fds {
			if target, err := os.Readlink(dir + "/fd/" + fd.Name()); err == nil && strings.HasPrefix(target, prefix) {
				held[strings.TrimPrefix(target, prefix)] = true
			}
		}
		if f, err := os.Open(dir + "/maps"); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if _, path, ok := strings.Cut(sc.Text(), " "+prefix); ok {
					held[strings.TrimSuffix(path, " (deleted)")] = true
				}
			}
			f.Close()
		}
		for name := range held {
			out[name] = append(out[name], p.pid)
		}
	}
	return out
}
