// Package report turns mpbench results folders into tables, plots and a
// report. It is a set of pure functions of the files: nothing here runs or
// measures anything, and the same input always gives byte-identical
// output.
//
// Contract:
//
//   - Input: DIR/raw.bench in Go benchmark format (DESIGN.md, "Results
//     format"): configuration lines, `Unit … better=…` lines, one result
//     line per sample under the canonical cell name (bench.ParseName), and
//     `--- SKIP: <name>: <reason>` / `--- FAIL: <name>: <reason>` lines for
//     cells that could not run or failed. Malformed lines and a truncated
//     last line are skipped with a warning naming file and line; the report
//     is still produced.
//   - Statistics (stats.go): per cell and metric the sample count, median
//     with its 95% confidence interval (benchmath.AssumeNothing, i.e. order
//     statistics), min/max, and outliers by modified z-score > 3.5 (counted,
//     never dropped). Comparisons use the ratio of medians and the
//     Mann–Whitney U test; a difference with p ≥ 0.05 is shown as "~".
//   - Output of Generate (format "md"): OUT/REPORT.md, OUT/tables/*.md,
//     OUT/plots/*.svg and *.png. Formats "text", "csv" and "json" print
//     the tables or per-cell statistics to stdout instead.
//   - Compare prints a benchstat-style comparison of two runs, or of the
//     values of one dimension within a run (each impl vs native, …).
//
// Iteration is always over sorted keys, never over maps, so that tables,
// plots and the report are deterministic.
package report
