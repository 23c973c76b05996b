package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Options of Generate.
type Options struct {
	Format string    // "md" (default: write files), "text", "csv", "json"
	OutDir string    // "" = the first results folder
	Warn   io.Writer // parse warnings (nil: discarded)
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
	d := newData(runs)
	switch o.Format {
	case "", "md":
		out := o.OutDir
		if out == "" {
			out = dirs[0]
		}
		return d.writeAll(out)
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
		"Parameter `rss`: memory the parent touched before starting (0, 256 MiB, 1 GiB), which fork must copy page tables for."},
	{"pingpong", "Ping-pong", "**pingpong** — round trip parent→child→parent of a full-size message over `chan`, child already running. " +
		"`ns/op` is the mean round trip of a sample; `p50-ns`/`p99-ns` are percentiles of the round trips within a sample; " +
		"`user-ns/op` + `sys-ns/op` are the CPU time of both processes per round trip (spinning shows up here)."},
	{"stream", "Stream", "**stream** — one-way throughput parent→child: the parent sends messages back to back, the clock is read " +
		"at the receiver when the last byte has arrived. `ns/op` is time per message; MB/s is 10⁶ bytes/s."},
	{"pool", "Pool", "**pool** — a Pool-style map of `tasks` tasks over `workers` worker processes: makespan of one map (`ns/op`), " +
		"tasks/s and parallel efficiency as reported by the measured program. `task=cpu` is a calibrated busy loop; " +
		"`task=sleep` scales the guide's `Pool(2).map(f, range(5))` with 1 s sleeps down."},
}

func (d *Data) writeReport(w io.Writer, tables []*Table, figs []*figure) error {
	fmt.Fprintln(w, "# mpbench report")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Generated by `mpbench report` from `raw.bench` — every number below is computed from the samples; "+
		"running the report again gives byte-identical files.")
	fmt.Fprintln(w)

	// Contents.
	fmt.Fprintln(w, "Contents: [Environment](#environment) · [Method](#method) · [Warnings](#warnings)")
	var present []string
	if d.Multi {
		present = append(present, "[Hosts side by side](#hosts-side-by-side)")
	}
	for _, s := range sections {
		if sectionHas(tables, figs, s.key) {
			present = append(present, fmt.Sprintf("[%s](#%s)", s.heading, anchor(s.heading)))
		}
	}
	present = append(present, "[Comparisons](#comparisons)", "[Skipped and failed cells](#skipped-and-failed-cells)")
	if sectionHas(tables, nil, "other") {
		present = append(present, "[Other results](#other-results)")
	}
	fmt.Fprintln(w, "· "+strings.Join(present, " · "))
	fmt.Fprintln(w)

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

	// Method.
	fmt.Fprintln(w, "## Method")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every cell (implementation × start method × channel × workload parameters × cores) runs as its own process "+
		"group under a CPU-affinity set of `cores` CPUs; the harness never measures, the measured program prints one Go-benchmark "+
		"line per sample after discarding warm-up iterations. Workloads:")
	fmt.Fprintln(w)
	for _, s := range sections {
		fmt.Fprintf(w, "- %s\n", s.method)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Statistics: per cell and metric, the median of the samples with its %.0f%% confidence interval "+
		"(order statistics, no distributional assumption; needs ≥ 6 samples), min and max. Outliers are samples with a modified z-score "+
		"0.6745·(x−median)/MAD above %.1f; they are counted and flagged, never dropped. Cells with fewer than %d samples are flagged. "+
		"Comparisons give the ratio of medians and the Mann–Whitney U test p-value; `~` means p ≥ %.2f (no significant difference), as in benchstat.\n\n",
		Confidence*100, OutlierZ, MinSamples, Alpha)

	// Warnings.
	d.writeWarnings(w)

	// Several runs side by side (hosts.go).
	if err := d.writeHosts(w, tables, figs); err != nil {
		return err
	}

	// Workload sections.
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
			case "pingpong":
				f = d.pingpongFindings(r)
			case "stream":
				f = d.streamFindings(r)
			case "pool":
				f = d.poolFindings(r)
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
		for _, t := range tables {
			if t.Section == s.key {
				if err := t.Markdown(w, 3); err != nil {
					return err
				}
			}
		}
	}

	// Comparisons.
	fmt.Fprintln(w, "## Comparisons")
	fmt.Fprintln(w)
	n := 0
	for _, t := range tables {
		if t.Section == "compare" {
			n++
			fmt.Fprintf(w, "### %s\n\n%s\n\n<details><summary>%s</summary>\n\n", t.Title, t.Caption, plural(len(t.Rows), "comparison", "comparisons"))
			if err := t.render(w, true); err != nil {
				return err
			}
			fmt.Fprintf(w, "\n</details>\n\n")
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "No pair of cells to compare (no fork or native baseline with samples).")
		fmt.Fprintln(w)
	}

	// Skipped and failed.
	fmt.Fprintln(w, "## Skipped and failed cells")
	fmt.Fprintln(w)
	n = 0
	for _, t := range tables {
		if t.Section == "status" {
			n++
			fmt.Fprintln(w, "Every cell that could not run (skipped) or failed, with its reason; cells without samples also show their reason in the tables above.")
			fmt.Fprintln(w)
			if err := t.render(w, true); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "None: every cell ran.")
		fmt.Fprintln(w)
	}

	// Other.
	for _, t := range tables {
		if t.Section == "other" {
			fmt.Fprintln(w, "## Other results")
			fmt.Fprintln(w)
			if t.Caption != "" {
				fmt.Fprintln(w, t.Caption)
				fmt.Fprintln(w)
			}
			if err := t.render(w, true); err != nil {
				return err
			}
			fmt.Fprintln(w)
		}
	}

	// Claims, when `mpbench claims` wrote into the same folder.
	for _, r := range d.Runs {
		if r.Claims && !d.Multi {
			fmt.Fprintln(w, "## Claims of the source guide")
			fmt.Fprintln(w)
			fmt.Fprintln(w, "The verdicts on the guide's claims C1–C14, with their numbers and the command that reproduces each, are in [CLAIMS.md](CLAIMS.md) (generated from `claims.bench`).")
			fmt.Fprintln(w)
		}
	}

	// Files.
	fmt.Fprintln(w, "## Files")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Tables as separate files: `tables/*.md` (%d files). Figures: `plots/*.svg` and `plots/*.png` (%d figures). "+
		"Per-cell statistics: `mpbench report --format csv|json`.\n", len(tables), len(figs))
	return nil
}

func (d *Data) writeWarnings(w io.Writer) {
	fmt.Fprintln(w, "## Warnings")
	fmt.Fprintln(w)
	var items []string
	for _, r := range d.Runs {
		for _, m := range r.Warnings {
			if d.Multi {
				m = r.Label + ": " + m
			}
			items = append(items, "parse: "+m)
		}
	}
	var low, outl []string
	skipped, failed := 0, 0
	for _, c := range d.Cells {
		switch c.Status {
		case StatusSkipped:
			skipped++
		case StatusFailed:
			failed++
		}
		if len(c.Units) == 0 {
			continue
		}
		s := d.Stat(c, c.Units[0])
		name := c.Name
		if d.Multi {
			name = c.Run.Label + ": " + name
		}
		if s.N < MinSamples {
			msg := fmt.Sprintf("`%s`: n=%d", name, s.N)
			if !s.CIValid {
				msg += " (no CI)"
			}
			low = append(low, msg)
		}
		if k := s.Outliers; k > 0 {
			outl = append(outl, fmt.Sprintf("`%s` %s: %s", name, c.Units[0], plural(k, "outlier", "outliers")))
		}
	}
	if skipped+failed > 0 {
		items = append(items, fmt.Sprintf("%s and %s — see [Skipped and failed cells](#skipped-and-failed-cells).",
			plural(skipped, "cell skipped", "cells skipped"), plural(failed, "cell failed", "cells failed")))
	}
	if len(low) > 0 {
		items = append(items, fmt.Sprintf("%s of %d with fewer than %d samples (benchstat: need >= 6 samples for confidence interval at level 0.95): "+
			"<details><summary>list</summary>\n\n  %s\n\n  </details>",
			plural(len(low), "cell", "cells"), len(d.Cells), MinSamples, strings.Join(low, "; ")))
	}
	if len(outl) > 0 {
		items = append(items, fmt.Sprintf("%s of %d have outliers in their headline metric (modified z-score > %.1f; kept in every statistic, "+
			"counted in the tables' notes): <details><summary>list</summary>\n\n  %s\n\n  </details>",
			plural(len(outl), "cell", "cells"), len(d.Cells), OutlierZ, strings.Join(outl, "; ")))
	}
	if len(items) == 0 {
		fmt.Fprintln(w, "None.")
	}
	for _, it := range items {
		fmt.Fprintf(w, "- %s\n", it)
	}
	fmt.Fprintln(w)
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
