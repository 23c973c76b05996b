package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// Options of Generate.
type Options struct {
	Format     string      // "md" (default: write files), "text", "csv", "json"
	OutDir     string      // "" = the first results folder
	Warn       io.Writer   // parse warnings (nil: discarded)
	Companions []Companion // further files rendered next to REPORT.md (format md)
}

// Companion renders a further file of a results folder from a results
// file of its own (CLAIMS.md from claims.bench). The report knows only
// this interface: it never runs or imports the code behind it.
type Companion interface {
	Input() string           // the results file it reads, e.g. "claims.bench"
	Render(dir string) error // writes its file(s) into dir
}

// Generate reads the results folders and, for format "md", writes
// OutDir/REPORT.md, OutDir/tables/*.md and OutDir/plots/*.svg, *.png; for
// "text", "csv" and "json" it prints the tables or the per-cell
// statistics to stdout. Several folders are combined: each run keeps its
// environment block, and the run (host) becomes a dimension.
func Generate(dirs []string, o Options, stdout io.Writer) error {
	if len(dirs) == 0 {
		return fmt.Errorf("report: no results folder given")
	}
	var runs []*Run
	for _, dir := range dirs {
		r, err := Load(dir, o.Warn)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	runs, err := MergeShards(runs) // shards of one run → one run (hosts.go)
	if err != nil {
		return err
	}
	if done, err := generateDimension(dirs, runs, o, stdout); done { // dimension_doc.go
		return err
	}
	d := newData(runs)
	switch o.Format {
	case "", "md":
		out := o.OutDir
		if out == "" {
			out = dirs[0]
		}
		if err := d.writeAll(out); err != nil {
			return err
		}
		for _, dir := range dirs {
			for _, c := range o.Companions {
				if _, err := os.Stat(filepath.Join(dir, c.Input())); err == nil {
					if err := c.Render(dir); err != nil {
						return fmt.Errorf("%s: %w", c.Input(), err)
					}
				}
			}
		}
		return nil
	case "text":
		for _, t := range d.Tables() {
			if err := t.Text(stdout); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		return writeCSV(stdout, d.CellStats(), d.Multi)
	case "json":
		return writeJSON(stdout, d.CellStats())
	}
	return fmt.Errorf("report: unknown format %q (want md, text, csv or json)", o.Format)
}

// writeAll writes REPORT.md, tables/ and plots/ under out. Files are
// written only when their content changed, so that a second run leaves
// everything byte-identical (and untouched).
func (d *Data) writeAll(out string) error {
	tables := d.Tables()
	figs := d.Figures()
	for _, sub := range []string{"tables", "plots"} {
		if err := os.MkdirAll(filepath.Join(out, sub), 0o755); err != nil {
			return err
		}
	}
	for _, t := range tables {
		var b bytes.Buffer
		if err := t.Markdown(&b, 1); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(out, "tables", t.Name+".md"), b.Bytes()); err != nil {
			return err
		}
	}
	for _, f := range figs {
		svg, png, err := f.render()
		if err != nil {
			return fmt.Errorf("plot %s: %v", f.name, err)
		}
		if err := writeFile(filepath.Join(out, "plots", f.name+".svg"), svg); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(out, "plots", f.name+".png"), png); err != nil {
			return err
		}
	}
	if err := removeStale(out, tables, figs); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := d.writeReport(&b, tables, figs); err != nil {
		return err
	}
	return writeFile(filepath.Join(out, "REPORT.md"), b.Bytes())
}

// removeStale deletes tables and figures of an earlier report that this
// one no longer produces, so that the folder always holds exactly the
// report of its raw.bench. Only the report's own file kinds in tables/
// and plots/ are touched.
func removeStale(out string, tables []*Table, figs []*figure) error {
	keep := map[string]bool{}
	for _, t := range tables {
		keep[filepath.Join("tables", t.Name+".md")] = true
	}
	for _, f := range figs {
		keep[filepath.Join("plots", f.name+".svg")] = true
		keep[filepath.Join("plots", f.name+".png")] = true
	}
	for _, pattern := range []string{"tables/*.md", "plots/*.svg", "plots/*.png"} {
		files, _ := filepath.Glob(filepath.Join(out, pattern))
		for _, f := range files {
			rel, _ := filepath.Rel(out, f)
			if !keep[rel] {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

// sections of the report: key, heading, what the workload measures.
var sections = []struct {
	key, heading, method string
}{
	{"startup", "Start-up", "**startup** — one sample is one child process: the clock starts when the parent calls `start()` " +
		"(Python `Process.start()`, native: the equivalent fork/exec/forkserver request) and stops when the parent has received " +
		"the child's first message over `chan`. Join/teardown (child exit → `join()` returns) is the separate metric `join-ns/op`. " +
		"Parameter `rss`: memory the parent touched before starting (the values measured are in the tables), which fork must copy page tables for. " +
		"The decision guide's cost of a child is start-up + join (`ns/op` + `join-ns/op` of each sample)."},
	{"program", "Main module and preload", "**main module and preload** — start-up cells with a `main` key (the measured program's `__main__` imports, at its top level, " +
		"a stdlib-heavy set of modules, numpy or torch before the driver, as a user's script does; no key: the driver's stub alone) or a `preload` key " +
		"(forkserver: `none` = the server preloads nothing, what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1; no key: the main module's imports are given to `set_forkserver_preload`). " +
		"Every forkserver and spawn child runs the main module's top level again — the fork server of CPython before 3.13.8 / 3.14.1 never loads `__main__` — " +
		"so a spawn child and the child of a server that preloads nothing run its imports again too; a fork child runs nothing again."},
	{"pingpong", "Ping-pong", "**pingpong** — round trip parent→child→parent of a full-size message over `chan`, child already running. " +
		"`ns/op` is the mean round trip of a sample; `p50-ns`/`p99-ns` are percentiles of the round trips within a sample; " +
		"`user-ns/op` + `sys-ns/op` are the CPU time of both processes per round trip (spinning shows up here)."},
	{"stream", "Stream", "**stream** — one-way throughput parent→child: the parent sends messages back to back, the clock is read " +
		"at the receiver when the last byte has arrived. `ns/op` is time per message; MB/s is 10⁶ bytes/s."},
	{"pool", "Pool", "**pool** — one map of `tasks` tasks over `workers` worker processes: makespan of the map (`ns/op`), " +
		"tasks/s and parallel efficiency = Σ measured task time / (P × makespan), P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks, each task timed by its worker (cpu: the worker thread's CPU time; sleep: wall time); values above 1.05 are listed under Warnings. `task=cpu` is a calibrated busy loop; " +
		"`task=sleep` scales the guide's `Pool(2).map(f, range(5))` with 1 s sleeps down."},
	{bench.Gather, "Many-to-one", "**gather** — many-to-one: `workers` processes, started once, each stream messages of `size` bytes back to back into one parent over `chan` " +
		"(simplequeue, queue: one queue shared by every worker; pipe: one Pipe per worker, the parent waiting on all; shm: one ring shared by every worker). " +
		"The parent's clock runs from its start signal to the last message of all workers; `ns/op` is time per message, msgs/s and MB/s count all workers together."},
	{bench.Memory, "Memory per worker", "**memory** — memory per worker: `workers` children started by `method` from a parent holding `rss` bytes of Python objects, each touching them as `touch` says " +
		"(none; read: every object read, reference counts written; gc: one full gc.collect(); -frozen: after gc.freeze() in the parent); USS and PSS of each child from /proc/<pid>/smaps_rollup while all are alive, `ns/op` = first start() until every child has touched."},
	{"payload", "Payloads", "**payload** — ping-pong and stream of what users send (`payload=`): numpy arrays pickled in-band, with protocol-5 out-of-band buffers, or placed in shared memory (a message is its name and length), and lists of dicts, beside bytes of the same size."},
	{"versions", "Python versions", "**versions** — the headline cells of start-up, ping-pong, stream and pool under each CPython version found (`impl=cpython3.8` … `cpython3.13`; plain `cpython` is the default interpreter)."},
	{"libraries", "Libraries and executors", "**libraries** — the same driver with `billiard` or `multiprocess` imported instead of `multiprocessing`, and the pool workload under each executor (`exec=`): `loop` a hand-written worker loop over `chan`; `pool` multiprocessing.Pool; `ppe` concurrent.futures.ProcessPoolExecutor; `loky-cold`/`loky-warm` the first map of a fresh loky executor / a later map on the same one."},
}

func (d *Data) writeReport(w io.Writer, tables []*Table, figs []*figure) error {
	fmt.Fprintln(w, "# mpbench report")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Generated by `mpbench report` from `raw.bench` — every number below is computed from the samples; "+
		"running the report again gives byte-identical files.")
	fmt.Fprintln(w)
	for _, r := range d.Runs {
		fmt.Fprintf(w, "Machine: %s.\n\n", machineLine(r))
	}

	// Contents.
	parts := []string{"[Decision guide](#decision-guide)", "[Summary](#summary)", "[Method](#method)", "[Warnings](#warnings)"}
	if d.Multi {
		parts = append(parts, "[Hosts side by side](#hosts-side-by-side)")
	}
	for _, s := range sections {
		if sectionHas(tables, figs, s.key) {
			parts = append(parts, fmt.Sprintf("[%s](#%s)", s.heading, anchor(s.heading)))
		}
	}
	parts = append(parts, "[Comparisons](#comparisons)", "[Skipped and failed cells](#skipped-and-failed-cells)", "[Environment](#environment)")
	fmt.Fprintln(w, "Contents: "+strings.Join(parts, " · "))
	fmt.Fprintln(w)

	// Decision guide.
	fmt.Fprintln(w, "## Decision guide")
	fmt.Fprintln(w)
	for _, r := range d.Runs {
		if d.Multi {
			fmt.Fprintf(w, "### %s\n\n", r.Label)
		}
		d.Guide(r).Markdown(w)
	}

	// Summary tables.
	fmt.Fprintln(w, "## Summary")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "One table per workload at its headline point: rows are start method × channel, columns are implementations; "+
		"each entry is the median of per-run medians with its 95% CI as [lo, hi]. The detail (every parameter, core count and metric) is in the tables linked from each section.")
	fmt.Fprintln(w)
	for _, t := range tables {
		if t.Section == "summary" {
			if err := t.Markdown(w, 3); err != nil {
				return err
			}
		}
	}

	// Method.
	fmt.Fprintln(w, "## Method")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every cell (implementation × start method × channel × workload parameters × cores) runs as its own process "+
		"group under a CPU-affinity set of `cores` CPUs; the harness never measures, the measured program prints one Go-benchmark "+
		"line per sample after discarding warm-up iterations. Workloads:")
	fmt.Fprintln(w)
	writeSectionMethods(w, tables, figs)
	fmt.Fprintln(w)
	d.writeMethodStats(w)

	// Warnings.
	d.writeWarnings(w)

	// Several runs side by side (hosts.go).
	if err := d.writeHosts(w, tables, figs); err != nil {
		return err
	}

	// Workload sections: findings, figures, links to the detail tables.
	for _, s := range sections {
		if !sectionHas(tables, figs, s.key) {
			continue
		}
		fmt.Fprintf(w, "## %s\n\n", s.heading)
		var finds []string
		for _, r := range d.Runs {
			var f []string
			switch s.key {
			case "startup":
				f = d.startupFindings(r)
			case "program":
				f = d.programFindings(r)
			case "pingpong":
				f = d.pingpongFindings(r)
			case "stream":
				f = d.streamFindings(r)
			case "pool":
				f = d.poolFindings(r)
			case "versions":
				f = d.versionFindings(r)
			case "libraries":
				f = d.libraryFindings(r)
			}
			for _, x := range f {
				if d.Multi {
					x = r.Label + ": " + x
				}
				finds = append(finds, x)
			}
		}
		if len(finds) > 0 {
			fmt.Fprintln(w, "**What this shows.**")
			fmt.Fprintln(w)
			for _, f := range finds {
				fmt.Fprintf(w, "- %s\n", f)
			}
			fmt.Fprintln(w)
		}
		for _, f := range figs {
			if figSection(f) == s.key {
				fmt.Fprintf(w, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n", f.title, f.name, f.caption, f.name)
			}
		}
		if err := writeInlineTables(w, tables, s.key); err != nil {
			return err
		}
		var links []string
		for _, t := range tables {
			if t.Section == s.key {
				links = append(links, fmt.Sprintf("[%s](tables/%s.md)", t.Title, t.Name))
			}
		}
		if len(links) > 0 {
			fmt.Fprintln(w, "Detail tables:")
			fmt.Fprintln(w)
			for _, l := range links {
				fmt.Fprintf(w, "- %s\n", l)
			}
			fmt.Fprintln(w)
		}
	}

	// Comparisons: counts here, the rows in tables/.
	fmt.Fprintln(w, "## Comparisons")
	fmt.Fprintln(w)
	n := 0
	for _, t := range tables {
		if t.Section != "compare" {
			continue
		}
		n++
		sig, faster, slower := 0, 0, 0
		for _, row := range t.Rows {
			v := row[len(row)-1]
			if v == "~" {
				continue
			}
			sig++
			if strings.HasPrefix(v, "-") {
				faster++
			} else {
				slower++
			}
		}
		fmt.Fprintf(w, "- [%s](tables/%s.md): %d pairs; %d differ (%d lower, %d higher than the baseline), %d show no significant difference (`~`).\n",
			t.Title, t.Name, len(t.Rows), sig, faster, slower, len(t.Rows)-sig)
	}
	if n == 0 {
		fmt.Fprintln(w, "No pair of cells to compare (no fork or native baseline with samples).")
	}
	fmt.Fprintln(w)

	// Skipped and failed: counts by reason, the list in tables/.
	fmt.Fprintln(w, "## Skipped and failed cells")
	fmt.Fprintln(w)
	d.writeStatusSummary(w, tables)

	// Other.
	for _, t := range tables {
		if t.Section == "other" {
			fmt.Fprintf(w, "## Other results\n\n%s: [tables/%s.md](tables/%s.md).\n\n", t.Title, t.Name, t.Name)
		}
	}

	// Claims, when `mpbench claims` wrote into the same folder.
	for _, r := range d.Runs {
		if r.Claims && !d.Multi {
			fmt.Fprintln(w, "## Claims of the source guide")
			fmt.Fprintln(w)
			fmt.Fprintln(w, "The verdicts on the guide's claims C1–C14, with their numbers and the command that reproduces each, are in [CLAIMS.md](CLAIMS.md) (generated from `claims.bench`); what the guide is: `docs/claims-source.md` in the repository.")
			fmt.Fprintln(w)
		}
	}

	// Environment.
	fmt.Fprintln(w, "## Environment")
	fmt.Fprintln(w)
	for _, r := range d.Runs {
		if d.Multi {
			fmt.Fprintf(w, "### %s\n\n", r.Label)
		}
		fmt.Fprintf(w, "Results folder `%s` (%d cells).\n\n", filepath.Base(filepath.Clean(r.Dir)), len(r.Cells))
		fmt.Fprintln(w, "```")
		for _, kv := range r.Config {
			fmt.Fprintf(w, "%s: %s\n", kv.Key, kv.Value)
		}
		fmt.Fprintln(w, "```")
		fmt.Fprintln(w)
	}

	// Files.
	fmt.Fprintln(w, "## Files")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Tables as separate files: `tables/*.md` (%d files). Figures: `plots/*.svg` and `plots/*.png` (%d figures). "+
		"Per-cell statistics: `mpbench report --format csv|json`.\n", len(tables), len(figs))
	return nil
}

// machineLine is the one-line description of the machine of a run: CPU,
// CPUs, kernel, interpreter version.
func machineLine(r *Run) string {
	var p []string
	if v := r.ConfigValue("cpu"); v != "" {
		p = append(p, v)
	}
	if v := r.ConfigValue("cpu-model"); v != "" && v != r.ConfigValue("cpu") {
		p = append(p, v)
	}
	if v := r.ConfigValue("nproc"); v != "" {
		p = append(p, v+" CPUs")
	}
	if v := r.ConfigValue("kernel"); v != "" {
		p = append(p, "Linux "+v)
	}
	if v := r.ConfigValue("cpython-version"); v != "" {
		p = append(p, "CPython "+v)
	}
	if v := r.ConfigValue("host"); v != "" {
		p = append(p, "host "+v)
	}
	if len(p) == 0 {
		return "not recorded"
	}
	return strings.Join(p, ", ")
}

// machineShort is the machine in a figure title: "AMD EPYC, 2 CPUs, CPython 3.11.7".
func machineShort(r *Run) string {
	var p []string
	if v := r.ConfigValue("cpu"); v != "" {
		p = append(p, v)
	}
	if v := r.ConfigValue("nproc"); v != "" {
		p = append(p, v+" CPUs")
	}
	if v := r.ConfigValue("cpython-version"); v != "" {
		p = append(p, "CPython "+v)
	}
	return strings.Join(p, ", ")
}

// writeMethodStats states the statistic and why, with this run's counts.
func (d *Data) writeMethodStats(w io.Writer) {
	fmt.Fprintf(w, "**Statistic.** The unit of replication is the *program run*: a cell is R independent runs of its measured program "+
		"(fresh parent, fresh children, its own calibration), each printing a few samples, and the runs of all cells are interleaved in shuffled rounds. "+
		"Samples of one process are not independent — they share its calibration, memory layout and CPU placement — so a cell's value is "+
		"the **median of its per-run medians**, and its %.0f%% confidence interval is the distribution-free order-statistic interval over those "+
		"per-run medians (benchmath's AssumeNothing, as benchstat uses). That interval needs at least %d runs; a cell with fewer shows \"no CI\". "+
		"Intervals are printed as **[lo, hi]** in the unit of the median (asymmetric intervals stay visible).\n\n",
		Confidence*100, MinRuns)
	fmt.Fprintf(w, "**Comparisons** (the `vs base` columns, `mpbench compare`) give the ratio or change of the medians when the "+
		"Mann–Whitney U test over the two cells' per-run medians gives p < α = %.2f, and `~` otherwise — the test and α are stated here once, not per row.\n\n", Alpha)
	fmt.Fprintf(w, "**What the uncertainty is made of.** Per cell the tables give the runs (samples) and the share of the variance that lies "+
		"*between* runs (one-way random-effects ANOVA: σ²_between / (σ²_between + σ²_within)). Above %.0f%% the run-to-run variation dominates: "+
		"more samples per run would not narrow the interval, more runs would. A cell whose CI was still wider than the run's target (±5%% of its median "+
		"by default) when its runs ended is flagged with what ended them: **run cap** (it reached the most runs a cell may get) or **time budget** "+
		"(the time budget ended the adaptive rounds before its cap); without adaptive rounds nothing is flagged. "+
		"Outliers (modified z-score 0.6745·(x−median)/MAD above %.1f) are counted, never dropped.\n\n",
		VarShareWarn*100, OutlierZ)
	for _, r := range d.Runs {
		var cells, withCI, capped, budget, dominated int
		var runs []float64
		for _, c := range r.Cells {
			if !c.Parsed || len(c.Units) == 0 {
				continue
			}
			s := d.Stat(c, c.Units[0])
			if s.N == 0 {
				continue
			}
			cells++
			runs = append(runs, float64(s.Runs))
			if s.CIValid {
				withCI++
			}
			switch c.Stop {
			case rawbench.StopRunCap:
				capped++
			case rawbench.StopBudget:
				budget++
			}
			if s.VarShare > VarShareWarn {
				dominated++
			}
		}
		label := "This run"
		if d.Multi {
			label = r.Label
		}
		if !r.PerRun {
			fmt.Fprintf(w, "%s: the results file predates run markers (no `run:` lines), so every sample counts as its own run: "+
				"the intervals below treat correlated samples of one process as independent and are **too narrow** "+
				"(the between-run share cannot be estimated). %d of %d cells with samples have a CI.\n\n", label, withCI, cells)
			continue
		}
		fmt.Fprintf(w, "%s: %d cells with samples, median %s runs per cell (range %s–%s); %d have a CI (≥ %d runs); "+
			"%d ended with a CI wider than ±%s (%d at the run cap, %d by the time budget); "+
			"%d have more than %.0f%% of their variance between runs.\n\n",
			label, cells, strconv.FormatFloat(median(runs), 'f', -1, 64), strconv.FormatFloat(minf(runs), 'f', -1, 64), strconv.FormatFloat(maxf(runs), 'f', -1, 64), withCI, MinRuns,
			capped+budget, ciTargetText(r), capped, budget, dominated, VarShareWarn*100)
	}
}

func minf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = math.Min(m, x)
	}
	return m
}

func maxf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = math.Max(m, x)
	}
	return m
}

// writeWarnings summarises the warnings per workload and implementation;
// the full list is tables/warnings.md.
func (d *Data) writeWarnings(w io.Writer) {
	fmt.Fprintln(w, "## Warnings")
	fmt.Fprintln(w)
	ws := d.warningList()
	if len(ws) == 0 {
		fmt.Fprintln(w, "None.")
		fmt.Fprintln(w)
		return
	}
	type key struct{ kind, group string }
	count := map[key]int{}
	var order []key
	for _, x := range ws {
		k := key{x.kind, x.group}
		if count[k] == 0 {
			order = append(order, k)
		}
		count[k]++
	}
	kinds := map[string]int{}
	for _, k := range order {
		if _, ok := kinds[k.kind]; !ok {
			kinds[k.kind] = len(kinds)
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return kinds[order[i].kind] < kinds[order[j].kind] })
	fmt.Fprintln(w, "| warning | workload / implementation | cells |")
	fmt.Fprintln(w, "|:--|:--|--:|")
	for _, k := range order {
		fmt.Fprintf(w, "| %s | %s | %d |\n", k.kind, k.group, count[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "The full list, one line per cell: [tables/warnings.md](tables/warnings.md).\n\n")
}

// warning is one line of tables/warnings.md.
type warning struct {
	kind, group, cell, detail string
}

// warningList collects every warning: parse problems, cells without a CI,
// cells stopped with a wide CI (by the run cap or the time budget), cells
// dominated by between-run variance, outliers,
// efficiencies above 1.05.
func (d *Data) warningList() []warning {
	var out []warning
	for _, r := range d.Runs {
		for _, m := range r.Warnings {
			if d.Multi {
				m = r.Label + ": " + m
			}
			out = append(out, warning{"parse", "—", "—", m})
		}
	}
	for _, c := range d.Cells {
		if len(c.Units) == 0 {
			continue
		}
		u := c.Units[0]
		s := d.Stat(c, u)
		if s.N == 0 {
			continue
		}
		group := strings.ToLower(c.Kind)
		if c.Parsed {
			group += " / " + c.Cell.Impl
		}
		if d.Multi {
			group = c.Run.Label + ": " + group
		}
		add := func(kind, detail string) {
			out = append(out, warning{kind, group, c.Name, detail})
		}
		if !s.CIValid {
			add("no CI (fewer than 6 runs)", fmt.Sprintf("%s: %s", u, plural(s.Runs, "run", "runs")))
		}
		if c.Stop != rawbench.StopNone {
			add("CI wider than ±"+ciTargetText(c.Run)+": stopped by the "+string(c.Stop), strings.Join(c.Notes, "; "))
		}
		if s.VarShare > VarShareWarn {
			add("between-run variance dominates", fmt.Sprintf("%s: %.0f%% of the variance between runs", u, s.VarShare*100))
		}
		if s.Outliers > 0 {
			add("outliers (counted, kept)", fmt.Sprintf("%s: %s", u, plural(s.Outliers, "outlier", "outliers")))
		}
		if e := d.Stat(c, "efficiency"); e.N > 0 && e.Median > 1.05 {
			add("efficiency > 1.05", fmt.Sprintf("efficiency %s", sig3(e.Median)))
		}
	}
	return out
}

// warningsTable is tables/warnings.md.
func (d *Data) warningsTable() *Table {
	ws := d.warningList()
	if len(ws) == 0 {
		return nil
	}
	t := &Table{Name: "warnings", Section: "warnings", Title: "Warnings, one line per cell",
		Header: []string{"warning", "workload / impl", "cell", "detail"}, Left: 3, Notes: true}
	for _, x := range ws {
		t.Rows = append(t.Rows, []string{x.kind, x.group, x.cell, x.detail})
	}
	return t
}

// writeStatusSummary counts skipped and failed cells by reason.
func (d *Data) writeStatusSummary(w io.Writer, tables []*Table) {
	type key struct{ status, reason string }
	count := map[key]int{}
	var order []key
	for _, c := range d.Cells {
		if c.Status == StatusOK {
			continue
		}
		k := key{c.Status, c.Reason}
		if count[k] == 0 {
			order = append(order, k)
		}
		count[k]++
	}
	if len(order) == 0 {
		fmt.Fprintln(w, "None: every cell ran.")
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintln(w, "| status | reason | cells |")
	fmt.Fprintln(w, "|:--|:--|--:|")
	for _, k := range order {
		fmt.Fprintf(w, "| %s | %s | %d |\n", k.status, strings.ReplaceAll(k.reason, "|", `\|`), count[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every cell with its reason: [tables/skipped-failed.md](tables/skipped-failed.md).")
	fmt.Fprintln(w)
}

// writeSectionMethods lists what each section's workload measures; the
// section of the program cells only in runs that have them.
func writeSectionMethods(w io.Writer, tables []*Table, figs []*figure) {
	for _, s := range sections {
		if (s.key == "program" || s.key == bench.Gather || s.key == bench.Memory || s.key == "payload") && !sectionHas(tables, figs, s.key) {
			continue
		}
		fmt.Fprintf(w, "- %s\n", s.method)
	}
}

// writeInlineTables writes the tables a section shows in REPORT.md itself
// (the program section's start + join table, the memory section's USS
// table; the others link theirs).
func writeInlineTables(w io.Writer, tables []*Table, key string) error {
	for _, t := range tables {
		if t.Section == key && ((key == "program" && strings.HasPrefix(t.Name, "program-join-")) || (key == bench.Memory && strings.HasPrefix(t.Name, "memory-uss-"))) {
			if err := t.Markdown(w, 3); err != nil {
				return err
			}
		}
	}
	return nil
}

func sectionHas(tables []*Table, figs []*figure, key string) bool {
	for _, t := range tables {
		if t.Section == key {
			return true
		}
	}
	for _, f := range figs {
		if figSection(f) == key {
			return true
		}
	}
	return false
}

// figSection maps a figure to its report section by name.
func figSection(f *figure) string {
	for _, p := range []struct{ prefix, key string }{
		{"startup-", "startup"}, {"pingpong-", "pingpong"}, {"cores-pingpong", "pingpong"},
		{"stream-", "stream"}, {"cores-stream", "stream"}, {"pool-", "pool"},
		{"versions-", "versions"}, {"libraries-", "libraries"}, {"executors-", "libraries"}, {"fork-in-the-road", "startup"},
	} {
		if strings.HasPrefix(f.name, p.prefix) {
			return p.key
		}
	}
	return ""
}

// anchor is the GitHub markdown anchor of a heading.
func anchor(h string) string {
	return strings.ReplaceAll(strings.ToLower(h), " ", "-")
}
