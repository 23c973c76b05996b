package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// programRun builds the start-up cells of a run with program cells:
// cpython's rss sweep (fork grows by 3 ms per step, forkserver flat —
// preloaded 5.5 ms, preloading nothing 8.5 ms —, spawn 27.5 ms) and the
// main weights stdlib (cpython) and numpy (multiprocessing) at rss=0, with
// the bare forkserver's cost at main=numpy given (bareNumpy).
func programRun(t *testing.T, bareNumpy float64) *Data {
	t.Helper()
	cells := map[string][][]float64{}
	add := func(name string, v float64) {
		var runs [][]float64
		for k := 0; k < 6; k++ {
			x := v * (1 + 0.01*(float64(k)-2.5)) // the median of the run medians is v·1.0005
			runs = append(runs, []float64{x, x * 1.001})
		}
		cells[name] = runs
	}
	for i, rss := range []string{"0", "256MiB", "512MiB", "1GiB"} {
		add("Startup/impl=cpython/method=fork/chan=pipe/rss="+rss+"/cores=2", 1e6*float64(1+3*i))
		add("Startup/impl=cpython/method=forkserver/chan=pipe/rss="+rss+"/cores=2", 5.5e6)
		add("Startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss="+rss+"/cores=2", 8.5e6)
		add("Startup/impl=cpython/method=spawn/chan=pipe/rss="+rss+"/cores=2", 27.5e6)
	}
	for _, w := range []struct {
		impl, main             string
		fork, pre, bare, spawn float64
	}{
		{"cpython", "stdlib", 1.2e6, 6e6, 60e6, 80e6},
		{"multiprocessing", "numpy", 1.5e6, 7e6, bareNumpy, 200e6},
	} {
		add("Startup/impl="+w.impl+"/method=fork/main="+w.main+"/chan=pipe/rss=0/cores=2", w.fork)
		add("Startup/impl="+w.impl+"/method=forkserver/main="+w.main+"/chan=pipe/rss=0/cores=2", w.pre)
		add("Startup/impl="+w.impl+"/method=forkserver/preload=none/main="+w.main+"/chan=pipe/rss=0/cores=2", w.bare)
		add("Startup/impl="+w.impl+"/method=spawn/main="+w.main+"/chan=pipe/rss=0/cores=2", w.spawn)
	}
	r, err := view.Parse([]byte(rawRuns(cells)), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	return newData([]*view.Run{r})
}

// TestGuideProgram: the guide of a run with program cells uses the bare
// fork server that preloads nothing for short-lived children,
// computes the fork/forkserver crossover for both preloads, and adds the
// row of a main module with heavy imports.
func TestGuideProgram(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bareNumpy float64
		choice    string
	}{
		{"every weight decided", 150e6, "`fork`, or `forkserver` with `set_forkserver_preload([...])` (the main module's imports): not bare `forkserver` or `spawn`"},
		{"numpy undecided", 7e6, "`fork`, or `forkserver` with `set_forkserver_preload([...])` (the main module's imports): not bare `forkserver` or `spawn` at main=stdlib; not decided at main=numpy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := programRun(t, tc.bareNumpy)
			g := d.Guide(d.Runs[0])
			rows := map[string]GuideRow{}
			for _, r := range g.Rows {
				rows[strings.SplitN(r.Situation, " (", 2)[0]] = r
			}
			short := rows["Many short-lived children"]
			if short.Choice != "`fork`" || !strings.Contains(short.Cost, "forkserver 8.50 ms") ||
				!strings.Contains(short.Cost, "forkserver: nothing preloaded, what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1") ||
				!strings.Contains(short.Cost, "forkserver with the main module's imports preloaded (`set_forkserver_preload`) 5.50 ms") {
				t.Errorf("short-lived row: %+v", short)
			}
			// fork 1, 4, 7, 10 ms at 0, 256, 512, 1024 MiB: crosses 5.5 ms at
			// 384 MiB and 8.5 ms at 512 + 512·1.5/3 = 768 MiB.
			if x := g.Crossover / (1 << 20); math.Abs(x-384) > 1 {
				t.Errorf("crossover with preload %v MiB, want 384", x)
			}
			if x := g.CrossoverBare / (1 << 20); math.Abs(x-768) > 1 {
				t.Errorf("crossover without preload %v MiB, want 768", x)
			}
			// The evaluation's big-parent block reads the guide's bare
			// crossing, interval included: the same sentence as the guide.
			if b := d.evalBigParent(d.Runs[0], g, nil); b == nil {
				t.Error("no big-parent block")
			} else if want := "the crossover moves to " + mib(g.CrossoverBare) + " " + crossCI(g.crossBare) + "."; !strings.Contains(strings.Join(b.Change, "\n"), want) ||
				strings.Contains(strings.Join(b.Change, "\n"), "no CI") || math.IsNaN(g.crossBare.lo) {
				t.Errorf("big-parent block %q lacks %q (the guide's interval)", b.Change, want)
			}
			big := rows["Big parent"]
			if !strings.Contains(big.Flip, "parent rss ≈ 384 MiB") || !strings.Contains(big.Flip, "parent rss ≈ 768 MiB") ||
				!strings.Contains(big.Flip, "with a fork server that preloads nothing (what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1)") {
				t.Errorf("big-parent row: %+v", big)
			}
			heavy, ok := rows["Your main module imports heavy modules"]
			if !ok {
				t.Fatalf("no heavy-main row: %+v", g.Rows)
			}
			if heavy.Choice != tc.choice {
				t.Errorf("heavy-main choice %q, want %q", heavy.Choice, tc.choice)
			}
			for _, want := range []string{"main=stdlib (impl=cpython): fork 1.20 ms", "forkserver + preload 6.00 ms", "forkserver 60.0 ms", "spawn 80.0 ms",
				"main=numpy (impl=multiprocessing)"} {
				if !strings.Contains(heavy.Cost, want) {
					t.Errorf("heavy-main cost lacks %q: %s", want, heavy.Cost)
				}
			}
			if !strings.Contains(heavy.Flip, "+54.0 ms at main=stdlib") || !strings.Contains(heavy.Flip, "+3.00 ms with the stub alone (impl=cpython)") {
				t.Errorf("heavy-main flip: %s", heavy.Flip)
			}
		})
	}
	// A run without program cells has neither the row nor the bare crossover.
	d := guideRun(t, 1e6, 5.5e6)
	g := d.Guide(d.Runs[0])
	for _, r := range g.Rows {
		if strings.HasPrefix(r.Situation, "Your main module") || strings.Contains(r.Cost, "nothing preloaded") {
			t.Errorf("row from cells the run does not have: %+v", r)
		}
	}
	if !math.IsNaN(g.CrossoverBare) {
		t.Errorf("bare crossover %v without its cells", g.CrossoverBare)
	}
}

// TestProgramSection: the report of a run with program cells has the
// section "Main module and preload" (its method line, findings, table and
// detail tables), and keeps those cells out of the matrix's tables.
func TestProgramSection(t *testing.T) {
	d := programRun(t, 150e6)
	dir := d.Runs[0].Dir
	if err := os.WriteFile(filepath.Join(dir, view.RawFile), []byte(rawRunsOf(t, d)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Generate([]string{dir}, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "REPORT.md"))
	rep := string(md)
	if dump := os.Getenv("MPBENCH_DUMP"); dump != "" {
		os.RemoveAll(dump)
		os.CopyFS(dump, os.DirFS(dir))
	}
	for _, want := range []string{
		"[Main module and preload](#main-module-and-preload)",
		"- **main module and preload** — ",
		"## Main module and preload",
		"- impl=cpython, main=stdlib: a forkserver child costs 60.0 ms [",
		"when it preloads the main module's imports: 10.0× (+54.0 ms)",
		"- impl=cpython, main=stdlib: a forkserver child costs",
		"fork's start + join overtakes a forkserver's at parent rss ≈ 768 MiB",
		"### Start + join per child by main module and fork-server preload, chan=pipe, rss=0, cores=2",
		"| cpython         | forkserver | none    |  8.50 ms [8.29, 8.72]",
		"[Start + join per child vs parent memory: fork and forkserver with and without preload",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	if !strings.Contains(rep, "forkserver, preload=none: a fork server that preloads nothing") || !strings.Contains(rep, "the dotted line marks where fork overtakes it: 768 MiB") {
		t.Errorf("the fork-in-the-road figure's caption lacks the bare fork server")
	}
	for _, f := range []string{"program-join-cores2.md", "program-startup-cores2.md", "program-rss-cores2.md"} {
		if _, err := os.Stat(filepath.Join(dir, "tables", f)); err != nil {
			t.Errorf("tables/%s: %v", f, err)
		}
	}
	// The matrix's start-up tables hold the default program only.
	st, _ := os.ReadFile(filepath.Join(dir, "tables", "startup-cores2-rss0.md"))
	if strings.Contains(string(st), "multiprocessing") || strings.Contains(string(st), "8.50 ms") || !strings.Contains(string(st), "5.50 ms") {
		t.Errorf("matrix start-up table with program cells:\n%s", st)
	}
	// A run without program cells has no trace of the section.
	g := guideRun(t, 1e6, 5.5e6)
	gdir := g.Runs[0].Dir
	os.WriteFile(filepath.Join(gdir, view.RawFile), []byte(rawRunsOf(t, g)), 0o644)
	if err := Generate([]string{gdir}, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	md, _ = os.ReadFile(filepath.Join(gdir, "REPORT.md"))
	if strings.Contains(string(md), "ain module and preload") {
		t.Errorf("a run without program cells mentions the section")
	}
}
