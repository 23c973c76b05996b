package harness

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ConfigLine is one `key: value` configuration line of raw.bench.
type ConfigLine struct{ Key, Value string }

// Environment describes the machine and the build, as configuration lines
// in a fixed order: goos, goarch, cpu, nproc, kernel, host, go,
// mpbench-version.
func Environment() []ConfigLine {
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	host, _ := os.Hostname()
	return []ConfigLine{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"cpu", cpuModel()},
		{"nproc", strconv.Itoa(runtime.NumCPU())},
		{"kernel", unix.ByteSliceToString(uts.Release[:])},
		{"host", host},
		{"go", runtime.Version()},
		{"mpbench-version", Version()},
	}
}

// buildVersion is set by the Makefile (-ldflags -X) to `git describe
// --always --dirty`, since VCS stamping may be turned off (GOFLAGS).
var buildVersion string

// Version is the VCS revision the binary was built from (with "-dirty"
// when the tree had changes), or "devel" when unknown.
func Version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return rev + dirty
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// sortedConfig turns a map of facts into lines sorted by key.
func sortedConfig(m map[string]string) []ConfigLine {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]ConfigLine, 0, len(keys))
	for _, k := range keys {
		out = append(out, ConfigLine{k, oneLine(m[k])})
	}
	return out
}

// AllowedCPUs lists the CPUs this process may run on, ascending.
func AllowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := 0; c < len(set)*64; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// formatCPUs writes a CPU list as the kernel does ("0-1", "0,2").
func formatCPUs(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.Itoa(cpus[i])+"-"+strconv.Itoa(cpus[j]))
		} else {
			parts = append(parts, strconv.Itoa(cpus[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
