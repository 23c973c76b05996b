package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mpbench/mpbench/harness/artifact"
	"github.com/mpbench/mpbench/harness/claims"

	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/view"
)

func reportCmd(args []string) error {
	fs := newFlagSet("report")
	format := fs.String("format", "md", "md (write REPORT.md, tables/, plots/), text, csv or json (to stdout)")
	out := fs.String("out", "", "folder for REPORT.md, tables/ and plots/ (default: the first DIR)")
	readme := fs.String("readme", "", "also rewrite the generated headline block of this README from DIR (one DIR)")
	results := fs.String("results-readme", "", "also rewrite the generated published-run block of this file (results/README.md) from DIR and DIR-rerun (one DIR)")
	appendix := fs.String("artifact", "", "also write this artifact appendix (ARTIFACT.md, in the folder of the Makefile) for DIR, the published run (one DIR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *format {
	case "md", "text", "csv", "json":
	default:
		return usagef("report: unknown --format %q (want md, text, csv or json)", *format)
	}
	if fs.NArg() == 0 {
		return usagef("report: missing results folder DIR")
	}
	for _, d := range fs.Args() {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usagef("report: no results folder %s", d)
		}
	}
	if (*readme != "" || *results != "" || *appendix != "") && (fs.NArg() != 1 || *format != "md") {
		return usagef("report: --readme, --results-readme and --artifact take exactly one results folder and --format md")
	}
	opts := report.Options{Format: *format, OutDir: *out, Warn: os.Stderr, Companions: []report.Companion{claimsMarkdown{}}}
	if err := report.Generate(fs.Args(), opts, os.Stdout); err != nil {
		return err
	}
	if *format != "md" {
		return nil
	}
	for _, d := range fs.Args() {
		if f, err := view.ReadDir(d); err == nil && report.IsDimensionRun(f) {
			fmt.Fprintf(os.Stderr, "mpbench: %s is a run of the dimension profile: its REPORT.md is the dimensioning analysis; "+
				"`mpbench dimension %s` writes %s\n", d, d, DefaultDimDoc)
		}
	}
	if *readme != "" {
		if err := report.UpdateReadme(*readme, fs.Arg(0), report.ReadmeRel(*readme, fs.Arg(0))); err != nil {
			return fmt.Errorf("report --readme: %w", err)
		}
	}
	if *results != "" {
		if err := report.UpdatePublished(*results, fs.Arg(0), report.ReadmeRel(*results, fs.Arg(0))); err != nil {
			return fmt.Errorf("report --results-readme: %w", err)
		}
	}
	if *appendix != "" {
		md, err := artifact.Render(filepath.Dir(*appendix), report.ReadmeRel(*appendix, fs.Arg(0)))
		if err != nil {
			return fmt.Errorf("report --artifact: %w", err)
		}
		if err := os.WriteFile(*appendix, md, 0o644); err != nil {
			return fmt.Errorf("report --artifact: %w", err)
		}
	}
	return nil
}

// claimsMarkdown renders CLAIMS.md from claims.bench (a pure function of
// that file, like REPORT.md of raw.bench); the report sees it only as a
// report.Companion.
type claimsMarkdown struct{}

func (claimsMarkdown) Input() string           { return "claims.bench" }
func (claimsMarkdown) Render(dir string) error { return claims.WriteMarkdown(dir) }

func compareCmd(args []string) error {
	fs := newFlagSet("compare")
	by := fs.String("by", "", `"" compares two runs OLD NEW; "impl" compares impls within OLD against native`)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	want := 2
	if *by == "impl" {
		want = 1
	} else if *by != "" {
		return usagef("compare: unknown --by %q (want impl)", *by)
	}
	if fs.NArg() != want {
		return usagef("compare: want %d results folders, got %d", want, fs.NArg())
	}
	for _, d := range fs.Args() {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return usagef("compare: no results folder %s", d)
		}
	}
	newDir := ""
	if want == 2 {
		newDir = fs.Arg(1)
	}
	return report.Compare(os.Stdout, fs.Arg(0), newDir, *by)
}
