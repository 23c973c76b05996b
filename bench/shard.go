package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Shard is one part K of N (1 ≤ K ≤ N) of a selection of cells, for
// running a matrix on several machines (a Slurm job array).
type Shard struct{ K, N int }

// String is "K/N".
func (s Shard) String() string { return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N) }

// ParseShard parses "K/N" with 1 ≤ K ≤ N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q: want K/N, e.g. 1/4", s)
	}
	if n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("shard %q: want 1 ≤ K ≤ N", s)
	}
	return Shard{k, n}, nil
}

// ShardFromSlurm derives the shard of a Slurm array task from its
// environment (getenv: os.Getenv): K = SLURM_ARRAY_TASK_ID −
// SLURM_ARRAY_TASK_MIN + 1, N = SLURM_ARRAY_TASK_COUNT. ok is false
// outside a job array.
func ShardFromSlurm(getenv func(string) string) (s Shard, ok bool, err error) {
	id, count := getenv("SLURM_ARRAY_TASK_ID"), getenv("SLURM_ARRAY_TASK_COUNT")
	if id == "" || count == "" {
		return Shard{}, false, nil
	}
	k, err1 := strconv.Atoi(id)
	n, err2 := strconv.Atoi(count)
	lo := 0
	var err3 error
	if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
		lo, err3 = strconv.Atoi(m)
	}
	if err1 != nil || err2 != nil || err3 != nil {
		return Shard{}, false, fmt.Errorf("slurm array task %q of %q: not numbers", id, count)
	}
	s = Shard{k - lo + 1, n}
	if s.K < 1 || s.K > s.N {
		// A stepped or sparse array (--array=0-9:2, 1,5,7): the ids do
		// not number the tasks 1..N.
		return Shard{}, false, fmt.Errorf("slurm array task id %d (min %d) is not one of %d consecutive tasks; use a contiguous --array=1-N or give the shard explicitly", k, lo, n)
	}
	return s, true, nil
}

// Partition splits cells into n shards balanced by cost (an estimate of
// each cell's run time): longest cells first, each to the shard with the
// least estimated time so far (ties: the lower shard). Every cell lands
// in exactly one shard; within a shard the cells keep their order in
// cells. The result depends only on the cells (as a set, with their
// names) and the cost function, never on what a run has recorded, so a
// resumed shard is the same shard.
func Partition(cells []Cell, n int, cost func(Cell) float64) [][]Cell {
	if n < 1 {
		n = 1
	}
	idx := make([]int, len(cells))
	costs := make([]float64, len(cells))
	for i, c := range cells {
		idx[i], costs[i] = i, cost(c)
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if costs[ia] != costs[ib] {
			return costs[ia] > costs[ib]
		}
		return cells[ia].Name() < cells[ib].Name()
	})
	load := make([]float64, n)
	owner := make([]int, len(cells))
	for _, i := range idx {
		best := 0
		for s := 1; s < n; s++ {
			if load[s] < load[best] {
				best = s
			}
		}
		owner[i] = best
		load[best] += costs[i]
	}
	out := make([][]Cell, n)
	for i, c := range cells {
		out[owner[i]] = append(out[owner[i]], c)
	}
	return out
}

// Select returns the cells of shard s (see Partition).
func (s Shard) Select(cells []Cell, cost func(Cell) float64) []Cell {
	return Partition(cells, s.N, cost)[s.K-1]
}

// SelectionDigest identifies a set of cells (12 hex digits of the SHA-256
// of their sorted names): shards of one run record it, so that shards cut
// from different selections (another profile, another CPU count) are
// not merged as one run.
func SelectionDigest(cells []Cell) string {
	names := make([]string, len(cells))
	for i, c := range cells {
		names[i] = c.Name()
	}
	sort.Strings(names)
	h := sha256.Sum256([]byte(strings.Join(names, "\n")))
	return hex.EncodeToString(h[:6])
}

var labelJunk = regexp.MustCompile(`[^a-z0-9.]+`)

// HostLabel is the default label of a machine: its name, CPU model and
// CPU count, lower-cased with every run of other characters turned into
// one '-' ("vm", "Intel(R) Xeon(R) Processor", 16 →
// "vm-intel-r-xeon-r-processor-16c"). Machines of a cluster often share
// a name (every VM here is "vm"): the CPU model and count tell them
// apart where the name does not.
func HostLabel(host, cpu string, nproc int) string {
	var parts []string
	for _, p := range []string{host, cpu} {
		if p = SanitizeLabel(p); p != "" {
			parts = append(parts, p)
		}
	}
	if nproc > 0 {
		parts = append(parts, strconv.Itoa(nproc)+"c")
	}
	if len(parts) == 0 {
		return "unknown-host"
	}
	return strings.Join(parts, "-")
}

// SanitizeLabel lower-cases a label and replaces every run of characters
// other than a-z, 0-9 and '.' with one '-' (no leading or trailing '-'),
// so that it fits a benchfmt configuration value, a file name and a
// table header.
func SanitizeLabel(s string) string {
	return strings.Trim(labelJunk.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
