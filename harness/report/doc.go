// Package report turns mpbench results folders into a decision guide,
// tables, plots and a report. It is a set of pure functions of the files:
// nothing here runs or measures anything, and the same input always gives
// byte-identical output.
//
// Contract:
//
//   - Input: DIR/raw.bench, read only through harness/view (the one read
//     model of the results file, built on package rawbench): configuration
//     lines, `Unit … better=…` lines, `run: k` before every program run of
//     a cell, one result line per sample under the canonical cell name
//     (bench.ParseName), and `--- SKIP|FAIL|NOTE: <name>: <text>` lines. A
//     file without run lines counts every sample as its own run. Malformed
//     lines and a torn last line are skipped with a warning naming file
//     and line.
//   - Statistics (view.Cell.Stats, computed once per cell and metric
//     through harness/stats): the program run is the unit of replication.
//     Per cell and metric: the median of the per-run medians with its 95%
//     order-statistic CI over the runs (benchmath.AssumeNothing; needs ≥ 6
//     runs), the runs and samples, the share of variance between runs
//     (one-way ANOVA), what stopped a cell whose CI stayed wider than the
//     target (run cap or time budget, from its NOTE: view.Stop), outliers
//     by modified z-score > 3.5 (counted, never dropped). Pool tables show
//     the overhead (overhead-ns/op) beside the makespan when the cells
//     record it. Comparisons: ratio of the medians and the Mann–Whitney U
//     test over per-run medians; p ≥ 0.05 shows as "~".
//   - Numbers are formatted through bench.Metrics only (bench.Format,
//     bench.Scale).
//   - Output of Generate (format "md"): OUT/REPORT.md (decision guide,
//     one summary table per workload, method, warnings summary, findings
//     and figures per section, links to the detail), OUT/tables/*.md
//     (detail, comparisons, warnings.md, skipped-failed.md) and
//     OUT/plots/*.svg and *.png. Formats "text", "csv" and "json" print
//     the tables or per-cell statistics to stdout instead. Companion
//     renderers (CLAIMS.md) are called through an interface.
//   - Cells with a main or preload key (a user's main module, a fork
//     server that preloads nothing; bench/program.go) stay out of the
//     matrix's tables and figures; the guide reads them (short-lived
//     children: a fork server that preloads nothing where measured;
//     the big-parent crossover for both preloads; a main module with heavy
//     imports) and the section "Main module and preload" shows them
//     (program.go). A run without them reports as before, byte for byte.
//   - Headline / UpdateReadme render README.md's generated block from the
//     published run; a test fails when it drifts from the data.
//   - Compare prints a benchstat-style comparison of two runs with the
//     calibration table (share of medians inside the other run's CI), or
//     of the values of one dimension within a run.
//   - CompareGuides (agree.go) compares the decision guides of two runs
//     question by question: reproduced (the same option chosen, or the
//     same two options equal within ±5%), not reproduced, or not
//     comparable (a run without an answer, and why); `mpbench verify`
//     prints it.
//
// Iteration is always over sorted keys, never over maps, so that tables,
// plots and the report are deterministic.
package report
