package harness

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/harness/rawbench"
)

// ConfigLine is one `key: value` configuration line of raw.bench.
type ConfigLine = rawbench.KV

// Environment describes the machine and the build, as configuration lines
// in a fixed order: goos, goarch, cpu, nproc, kernel, host, go,
// mpbench-version.
func Environment() []ConfigLine {
	var uts unix.Utsname
	_ = unix.Uname(&uts)
	host, _ := os.Hostname()
	return []ConfigLine{
		kv("goos", runtime.GOOS),
		kv("goarch", runtime.GOARCH),
		kv("cpu", cpuModel()),
		kv("nproc", strconv.Itoa(runtime.NumCPU())),
		kv("kernel", unix.ByteSliceToString(uts.Release[:])),
		kv("host", host),
		kv("go", runtime.Version()),
		kv("mpbench-version", Version()),
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
		out = append(out, ConfigLine{Key: k, Value: rawbench.OneLine(m[k])})
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

func kv(k, v string) ConfigLine { return ConfigLine{Key: k, Value: v} }

// envSample is the state of the machine at the start of an invocation:
// configuration facts that can change the results, and the CPU counters
// from which the steal time over the run is computed.
type envSample struct {
	thp, governor, load string
	steal, total        uint64 // /proc/stat jiffies (all CPUs)
	ok                  bool   // the counters were read
}

func sampleEnv() envSample {
	e := envSample{
		thp:      readTHP(),
		governor: readFirstLine("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
		load:     loadAvg(),
	}
	e.steal, e.total, e.ok = cpuCounters()
	return e
}

// startLines are the environment lines of the header: thp (the selected
// transparent-hugepage mode), cpu-model, governor (where readable),
// load-start (1-minute load average).
func (e envSample) startLines() []ConfigLine {
	lines := []ConfigLine{kv("cpu-model", cpuModel()), kv("thp", e.thp)}
	if e.governor != "" {
		lines = append(lines, kv("governor", e.governor))
	}
	return append(lines, kv("load-start", e.load))
}

// recordEnd appends the block that closes an invocation: run-end (time),
// load-end and steal-ns (CPU time stolen by the hypervisor over the
// invocation, all CPUs), then a NOTE with the steal share.
func recordEnd(res interface {
	Config(...ConfigLine) error
	RecordNote(name, text string) error
}, start envSample) error {
	lines := []ConfigLine{kv("run-end", time.Now().UTC().Format(time.RFC3339)), kv("load-end", loadAvg())}
	steal, total, ok := cpuCounters()
	if !ok || !start.ok || total <= start.total {
		return res.Config(lines...)
	}
	ds, dt := steal-start.steal, total-start.total
	hz := uint64(100) // USER_HZ: /proc/stat counts in 1/100 s on Linux
	lines = append(lines, kv("steal-ns", strconv.FormatUint(ds*1e9/hz, 10)))
	if err := res.Config(lines...); err != nil {
		return err
	}
	return res.RecordNote("", fmt.Sprintf("steal: %.1f%% of CPU time was stolen by the hypervisor during this run (load %s at the start, %s at the end)",
		100*float64(ds)/float64(dt), start.load, loadAvg()))
}

// endKeys are the keys of the end block, with empty values (deleted).
func endKeys() []ConfigLine {
	return []ConfigLine{kv("run-end", ""), kv("load-end", ""), kv("steal-ns", "")}
}

// readTHP returns the selected mode of transparent hugepages ("madvise"
// from "always [madvise] never"), or "unknown".
func readTHP() string {
	s := readFirstLine("/sys/kernel/mm/transparent_hugepage/enabled")
	if i := strings.IndexByte(s, '['); i >= 0 {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	if s == "" {
		return "unknown"
	}
	return s
}

func loadAvg() string {
	f := strings.Fields(readFirstLine("/proc/loadavg"))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

func readFirstLine(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}

// cpuCounters reads the steal and total jiffies of the "cpu" line of
// /proc/stat (user nice system idle iowait irq softirq steal …).
func cpuCounters() (steal, total uint64, ok bool) {
	f := strings.Fields(readFirstLine("/proc/stat"))
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, s := range f[1:9] { // guest time is already in user
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		total += n
		if i == 7 {
			steal = n
		}
	}
	return steal, total, true
}
