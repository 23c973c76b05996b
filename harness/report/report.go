package report

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
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
	var runs []*view.Run
	for _, dir := range dirs {
		r, err := view.Load(dir, o.Warn)
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
	{bench.Startup, bench.WorkloadSection(bench.Startup), "**startup** — one sample is one child process: the clock starts when the parent calls `start()` " +
		"(Python `Process.start()`, native: the equivalent fork/exec/forkserver request) and stops when the parent has received " +
		"the child's first message over `chan`. Join/teardown (child exit → `join()` returns) is the separate metric `join-ns/op`. " +
		"Parameter `rss`: memory the parent touched before starting (the values measured are in the tables), which fork must copy page tables for. " +
		"The decision guide's cost of a child is start-up + join (`ns/op` + `join-ns/op` of each sample)."},
	{"program", "Main module and preload", "**main module and preload** — start-up cells with a `main` key (the measured program's `__main__` imports, at its top level, " +
		"a stdlib-heavy set of modules, numpy or torch before the driver, as a user's script does; no key: the driver's stub alone) or a `preload` key " +
		"(forkserver: `none` = the server preloads nothing, what a program without `set_forkserver_preload` gets before CPython 3.13.8 / 3.14.1; no key: the main module's imports are given to `set_forkserver_preload`). " +
		"Every forkserver and spawn child runs the main module's top level again — the fork server of CPython before 3.13.8 / 3.14.1 never loads `__main__` — " +
		"so a spawn child and the child of a server that preloads nothing run its imports again too; a fork child runs nothing again."},
	{bench.Pingpong, bench.WorkloadSection(bench.Pingpong), "**pingpong** — round trip parent→child→parent of a full-size message over `chan`, child already running. " +
		"`ns/op` is the mean round trip of a sample; `p50-ns`/`p99-ns` are percentiles of the round trips within a sample; " +
		"`user-ns/op` + `sys-ns/op` are the CPU time of both processes per round trip (spinning shows up here)."},
	{bench.Stream, bench.WorkloadSection(bench.Stream), "**stream** — one-way throughput parent→child: the parent sends messages back to back, the clock is read " +
		"at the receiver when the last byte has arrived. `ns/op` is time per message; MB/s is 10⁶ bytes/s."},
	{bench.Pool, bench.WorkloadSection(bench.Pool), "**pool** — one map of `tasks` tasks over `workers` worker processes: makespan of the map (`ns/op`), " +
		"tasks/s and parallel efficiency = Σ measured task time / (P × makespan), P = min(workers, tasks, cores) for cpu tasks and min(workers, tasks) for sleep tasks, each task timed by its worker (cpu: the worker thread's CPU time; sleep: wall time); values above 1.05 are listed under Warnings. `task=cpu` is a calibrated busy loop; " +
		"`task=sleep` scales the guide's `Pool(2).map(f, range(5))` with 1 s sleeps down."},
	{bench.Gather, bench.WorkloadSection(bench.Gather), "**gather** — many-to-one: `workers` processes, started once, each stream messages of `size` bytes back to back into one parent over `chan` " +
		"(simplequeue, queue: one queue shared by every worker; pipe: one Pipe per worker, the parent waiting on all; shm: one ring shared by every worker). " +
		"The parent's clock runs from its start signal to the last message of all workers; `ns/op` is time per message, msgs/s and MB/s count all workers together."},
	{bench.Memory, bench.WorkloadSection(bench.Memory), "**memory** — memory per worker: `workers` children started by `method` from a parent holding `rss` bytes of Python objects, each touching them as `touch` says " +
		"(none; read: every object read, reference counts written; gc: one full gc.collect(); -frozen: after gc.freeze() in the parent); USS and PSS of each child from /proc/<pid>/smaps_rollup while all are alive, `ns/op` = first start() until every child has touched."},
	{"payload", "Payloads", "**payload** — ping-pong and stream of what users send (`payload=`): numpy arrays pickled in-band, with protocol-5 out-of-band buffers, or placed in shared memory (a message is its name and length), and lists of dicts, beside bytes of the same size."},
	{"versions", "Python versions", "**versions** — the headline cells of start-up, ping-pong, stream and pool under each CPython version found (`impl=cpython3.8` … `cpython3.13`; plain `cpython` is the default interpreter)."},
	{"libraries", "Libraries and executors", "**libraries** — the same driver with `billiard` or `multiprocess` imported instead of `multiprocessing`, and the pool workload under each executor (`exec=`): `loop` a hand-written worker loop over `chan`; `pool` multiprocessing.Pool; `ppe` concurrent.futures.ProcessPoolExecutor; `loky-cold`/`loky-warm` the first map of a fresh loky executor / a later map on the same one."},
}

// reportData is what evaluation.md.tmpl renders REPORT.md from.
type reportData struct {
	Machines, Contents []string
	KeyFig             string
	Guides             []labelled
	Sections           []evalSection
	Further            []furtherSection
	Warnings           []string
	TableLinks         []string
	Comparisons        string
	Status             string
	Other              []string
	Claims             bool
	Workloads          []string
	Stats              string
	Envs               []envBlock
	NTables, NFigs     int
}

type labelled struct{ Label, Text string }

// envBlock is the environment of one run: its folder and header.
type envBlock struct {
	Label, Folder, Same string // Same: the run whose equal header lines are left out
	Cells               int
	Config              []view.KV
}

// envBlocks are the runs' environments; a run on the machine of an
// earlier run lists only the header lines that differ from that run's.
func (d *Data) envBlocks() []envBlock {
	var out []envBlock
	first := map[string]*view.Run{}
	for _, r := range d.Runs {
		e := envBlock{Label: d.label(r), Folder: filepath.Base(filepath.Clean(r.Dir)), Cells: len(r.Cells), Config: r.Config}
		m := machineLine(r)
		if f := first[m]; f != nil {
			e.Same, e.Config = f.Label, nil
			for _, kv := range r.Config {
				if f.ConfigValue(kv.Key) != kv.Value {
					e.Config = append(e.Config, kv)
				}
			}
		} else {
			first[m] = r
		}
		out = append(out, e)
	}
	return out
}

// furtherSection is a workload section outside the research questions
// (main module and preload, many-to-one, libraries): findings, one
// figure, in-line tables and links to the rest.
type furtherSection struct {
	Heading, Inline string
	Findings, Links []string
	Figure          *figRef
}

// further are the workload sections outside the research questions that
// the run has tables or figures for.
var further = []string{"program", bench.Gather, bench.Memory, "payload", "libraries"}

func (d *Data) writeReport(w io.Writer, tables []*Table, figs []*figure) error {
	rd := reportData{NTables: len(tables), NFigs: len(figs), Machines: d.machineLines()}
	for _, f := range figs {
		if f.name == "key-findings" {
			rd.KeyFig = f.name
		}
	}
	secs, err := d.evalSections(tables, figs)
	if err != nil {
		return err
	}
	rd.Sections = secs
	rd.Further, err = d.furtherSections(tables, figs)
	if err != nil {
		return err
	}
	rd.Contents = reportContents(secs, rd.Further)
	for _, r := range d.Runs {
		var b bytes.Buffer
		d.Guide(r).Markdown(&b)
		rd.Guides = append(rd.Guides, labelled{d.label(r), b.String()})
		rd.Claims = rd.Claims || (r.Claims && !d.Multi)
	}
	rd.Envs = d.envBlocks()
	rd.Warnings = d.warningCounts()
	rd.TableLinks, rd.Comparisons, rd.Other = tableLinks(tables)
	var b bytes.Buffer
	d.writeStatusSummary(&b, tables)
	rd.Status = b.String()
	rd.Workloads = sectionMethods(tables, figs)
	if rd.Stats, err = d.methodStats(); err != nil {
		return err
	}
	return evalTemplate.ExecuteTemplate(w, "report", rd)
}

// label is a run's label in a report on several runs, else "".
func (d *Data) label(r *view.Run) string {
	if d.Multi {
		return r.Label
	}
	return ""
}

// machineLines name each machine once: the runs of one host share a line.
func (d *Data) machineLines() []string {
	var order []string
	runs := map[string][]string{}
	for _, r := range d.Runs {
		m := machineLine(r)
		if _, ok := runs[m]; !ok {
			order = append(order, m)
		}
		runs[m] = append(runs[m], r.Label)
	}
	var out []string
	for _, m := range order {
		if d.Multi {
			out = append(out, fmt.Sprintf("Machine: %s (%s).", m, strings.Join(runs[m], ", ")))
		} else {
			out = append(out, "Machine: "+m+".")
		}
	}
	return out
}

// reportContents is the contents line.
func reportContents(secs []evalSection, fs []furtherSection) []string {
	parts := []string{"[Decision guide](#decision-guide)"}
	for _, s := range secs {
		parts = append(parts, fmt.Sprintf("[%s](#%s)", strings.SplitN(s.Title, ":", 2)[0], anchor(s.Title)))
	}
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("[%s](#%s)", f.Heading, anchor(f.Heading)))
	}
	return append(parts, "[Warnings](#warnings)", "[Detail tables](#detail-tables)", "[Method](#method)", "[Environment](#environment)")
}

// furtherSections builds the sections of the program, gather, memory,
// payload and library cells.
func (d *Data) furtherSections(tables []*Table, figs []*figure) ([]furtherSection, error) {
	var out []furtherSection
	for _, s := range sections {
		if !slices.Contains(further, s.key) || !sectionHas(tables, figs, s.key) {
			continue
		}
		fs := furtherSection{Heading: s.heading}
		for _, r := range d.Runs {
			var f []string
			switch s.key {
			case "program":
				f = d.programFindings(r)
			case "libraries":
				f = d.libraryFindings(r)
			}
			for _, x := range f {
				if d.Multi {
					x = r.Label + ": " + x
				}
				fs.Findings = append(fs.Findings, x)
			}
		}
		for _, f := range figs {
			if figSection(f) != s.key {
				continue
			}
			if fs.Figure == nil {
				fs.Figure = ref(f)
			} else {
				fs.Links = append(fs.Links, fmt.Sprintf("[%s](plots/%s.png)", f.name, f.name))
			}
		}
		var b bytes.Buffer
		if err := writeInlineTables(&b, tables, s.key); err != nil {
			return nil, err
		}
		fs.Inline = b.String()
		for _, t := range tables {
			if t.Section == s.key {
				fs.Links = append(fs.Links, fmt.Sprintf("[%s](tables/%s.md)", t.Title, t.Name))
			}
		}
		out = append(out, fs)
	}
	return out, nil
}

// tableLinks lists the summary and host tables, the comparisons (with
// counts) and the other results, each linked to its file under tables/.
func tableLinks(tables []*Table) (links []string, comparisons string, other []string) {
	for _, t := range tables {
		switch t.Section {
		case "summary":
			links = append(links, fmt.Sprintf("Summary, every implementation × method × channel: [%s](tables/%s.md)", t.Title, t.Name))
		case "hosts":
			links = append(links, fmt.Sprintf("Hosts side by side: [%s](tables/%s.md)", t.Title, t.Name))
		case "other":
			other = append(other, fmt.Sprintf("%s: [tables/%s.md](tables/%s.md).", t.Title, t.Name, t.Name))
		}
	}
	var b strings.Builder
	n := 0
	for _, t := range tables {
		if t.Section != "compare" {
			continue
		}
		n++
		sig, faster := 0, 0
		for _, row := range t.Rows {
			if v := row[len(row)-1]; v != "~" {
				sig++
				if strings.HasPrefix(v, "-") {
					faster++
				}
			}
		}
		fmt.Fprintf(&b, "- [%s](tables/%s.md): %d pairs; %d differ (%d lower, %d higher than the baseline), %d show no significant difference (`~`).\n",
			t.Title, t.Name, len(t.Rows), sig, faster, sig-faster, len(t.Rows)-sig)
	}
	if n == 0 {
		b.WriteString("No pair of cells to compare (no fork or native baseline with samples).\n")
	}
	return links, "Comparisons (Mann–Whitney U over the per-run medians):\n\n" + b.String(), other
}

// machineLine is the one-line description of the machine of a run: CPU,
// CPUs, kernel, interpreter version.
func machineLine(r *view.Run) string {
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
func machineShort(r *view.Run) string {
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

// methodStats states the statistic and why (template "stats"), with
// each run's counts.
func (d *Data) methodStats() (string, error) {
	var b bytes.Buffer
	w := &b
	err := evalTemplate.ExecuteTemplate(w, "stats", map[string]any{
		"Confidence": Confidence * 100, "MinRuns": MinRuns, "Alpha": Alpha, "VarShareWarn": VarShareWarn * 100, "OutlierZ": OutlierZ, "Band": stats.EqualBand * 100,
	})
	if err != nil {
		return "", err
	}
	fmt.Fprint(w, "\n\n")
	for _, r := range d.Runs {
		var withCI, capped, budget, dominated int
		var runs []float64
		n := countCells(r) // the cells the README and results/README.md count
		for _, c := range r.Cells {
			if !hasHeadline(c) {
				continue
			}
			s := d.Stat(c, c.Units[0])
			runs = append(runs, float64(s.Runs))
			if s.CIValid {
				withCI++
			}
			switch c.Stop {
			case view.StopRunCap:
				capped++
			case view.StopBudget:
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
				"(the between-run share cannot be estimated). %d of the %s have a CI.\n\n", label, withCI, n.withSamples())
			continue
		}
		fmt.Fprintf(w, "%s: %s, median %s runs per cell (range %s–%s); %d have a CI (≥ %d runs); "+
			"%d ended with a CI wider than ±%s (%d at the run cap, %d by the time budget); "+
			"%d have more than %.0f%% of their variance between runs.\n\n",
			label, n.withSamples(), strconv.FormatFloat(median(runs), 'f', -1, 64), strconv.FormatFloat(minf(runs), 'f', -1, 64), strconv.FormatFloat(maxf(runs), 'f', -1, 64), withCI, MinRuns,
			capped+budget, ciTargetText(r), capped, budget, dominated, VarShareWarn*100)
	}
	return strings.TrimRight(b.String(), "\n") + "\n", nil
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

// warningCounts are the warnings by kind, cells counted; the list per
// workload and implementation is tables/warnings.md.
func (d *Data) warningCounts() []string {
	count := map[string]int{}
	var order []string
	for _, x := range d.warningList() {
		if count[x.kind] == 0 {
			order = append(order, x.kind)
		}
		count[x.kind]++
	}
	var out []string
	for _, k := range order {
		out = append(out, fmt.Sprintf("%s: %s", k, plural(count[k], "cell", "cells")))
	}
	return out
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
		if c.Stop != view.StopNone {
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
		if c.Status == view.StatusOK {
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

// sectionMethods lists what each section's workload measures; the
// sections of the program and gather cells only in runs that have them.
func sectionMethods(tables []*Table, figs []*figure) []string {
	var out []string
	for _, s := range sections {
		if (s.key == "program" || s.key == bench.Gather || s.key == bench.Memory || s.key == "payload") && !sectionHas(tables, figs, s.key) {
			continue
		}
		out = append(out, s.method)
	}
	return out
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
		{"startup-", bench.Startup}, {"pingpong-", bench.Pingpong}, {"cores-pingpong", bench.Pingpong},
		{"stream-", bench.Stream}, {"cores-stream", bench.Stream}, {"pool-", bench.Pool},
		{"versions-", "versions"}, {"libraries-", "libraries"}, {"executors-", "libraries"}, {"fork-in-the-road", bench.Startup},
	} {
		if strings.HasPrefix(f.name, p.prefix) {
			return p.key
		}
	}
	return ""
}

// anchor is the GitHub markdown anchor of a heading: lower case,
// punctuation other than hyphens dropped, spaces as hyphens.
func anchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
