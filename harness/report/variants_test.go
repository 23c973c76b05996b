package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// variantsRaw is a run with CPython versions, libraries and executors:
// 6 runs of 2 samples per cell; values scale with f.
func variantsRaw() string {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\n")
	cell := func(name, format string, v float64) {
		for k := 1; k <= 6; k++ {
			fmt.Fprintf(&b, "run: %d\n", k)
			for j := 0; j < 2; j++ {
				x := v * (1 + 0.01*float64(k) + 0.001*float64(j))
				fmt.Fprintf(&b, "Benchmark%s 1 "+format+"\n", name, x, x/10)
			}
		}
	}
	st := "%g ns/op %g join-ns/op"
	cell("Startup/impl=cpython3.8/method=fork/chan=pipe/rss=0/cores=2", st, 2e6)
	cell("Startup/impl=cpython3.13/method=fork/chan=pipe/rss=0/cores=2", st, 3e6)
	cell("Startup/impl=cpython3.8/method=forkserver/chan=pipe/rss=0/cores=2", st, 10e6)
	cell("Startup/impl=cpython3.13/method=forkserver/chan=pipe/rss=0/cores=2", st, 10.01e6)
	cell("Startup/impl=cpython/method=fork/chan=pipe/rss=0/cores=2", st, 2e6)
	cell("Startup/impl=multiprocessing/method=fork/chan=pipe/rss=0/cores=2", st, 2.05e6)
	cell("Startup/impl=billiard/method=fork/chan=pipe/rss=0/cores=2", st, 4e6)
	cell("Startup/impl=multiprocess/method=fork/chan=pipe/rss=0/cores=2", st, 2.1e6)
	b.WriteString("--- FAIL: BenchmarkStartup/impl=multiprocess/method=spawn/chan=pipe/rss=0/cores=2: TypeError: fork_exec() takes exactly 23 arguments (21 given)\n")
	pool := "%g ns/op %g efficiency"
	cell("Pool/impl=multiprocessing/method=fork/exec=pool/workers=2/tasks=16/task=cpu/cores=2", pool, 20e6)
	cell("Pool/impl=multiprocessing/method=fork/exec=ppe/workers=2/tasks=16/task=cpu/cores=2", pool, 22e6)
	cell("Pool/impl=multiprocessing/method=loky/exec=loky-warm/workers=2/tasks=16/task=cpu/cores=2", pool, 40e6)
	return b.String()
}

func TestVersionsLibrariesExecutors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, view.RawFile), []byte(variantsRaw()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := Generate([]string{dir}, Options{OutDir: out}, nil); err != nil {
		t.Fatal(err)
	}
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Errorf("missing %s", rel)
		}
		return string(b)
	}
	rep := read("REPORT.md")
	for _, want := range []string{
		"## Python versions",
		// fork start+join 2.2 ms → 3.3 ms: 1.5×, a jump the CI decides.
		"3.8 → 3.13: 1.50× [",
		"## Libraries and executors",
		"billiard start+join with method=fork:",
		"multiprocess, method=spawn: failed: TypeError: fork_exec() takes exactly 23 arguments (21 given).",
		"exec=ppe (method=fork, 2 workers, cores=2)",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	// Every adjacent jump the CI decides, none where the ratio does not
	// (forkserver 11.0 → 11.01 ms: within the run spread).
	for _, line := range strings.Split(rep, "\n") {
		fields := strings.Split(line, "|")
		if len(fields) < 5 {
			continue
		}
		switch strings.TrimSpace(fields[1]) {
		case "fork start+join (pipe, rss=0)":
			if !strings.HasPrefix(strings.TrimSpace(fields[4]), "3.8 → 3.13: 1.50×") {
				t.Errorf("fork row %q: want the jump 3.8 → 3.13", line)
			}
		case "forkserver start+join (pipe, rss=0)":
			if strings.TrimSpace(fields[4]) != "none" {
				t.Errorf("forkserver row %q: want no jump", line)
			}
		}
	}
	if v := read("tables/versions.md"); !strings.Contains(v, "| cpython3.8 ") || !strings.Contains(v, "| cpython3.13 ") {
		t.Errorf("versions table:\n%s", v)
	}
	if l := read("tables/executors.md"); !strings.Contains(l, "loky-warm") {
		t.Errorf("executors table:\n%s", l)
	}
	for _, f := range []string{"plots/versions-cores2.png", "plots/libraries-cores2.png", "plots/executors-cores2.png"} {
		read(f)
	}
}
