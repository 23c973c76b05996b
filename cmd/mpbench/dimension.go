package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/view"
)

// DefaultDimDoc is where `mpbench dimension` writes its document.
const DefaultDimDoc = "docs/dimensioning.md"

// dimensionCmd analyses a run of the dimension profile: the document
// (default docs/dimensioning.md) with its figure beside it, and with
// --readme the README's generated dimensioning block.
func dimensionCmd(args []string) error {
	fs := newFlagSet("dimension")
	doc := fs.String("doc", DefaultDimDoc, "the document to write; its figure goes beside it")
	readme := fs.String("readme", "", "also rewrite the generated dimensioning block of this README")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("dimension: want one results folder DIR (a run of --profile dimension), got %d", fs.NArg())
	}
	dir := fs.Arg(0)
	f, err := view.ReadDir(dir)
	if err != nil {
		return usagef("dimension: no results in %s: %v", dir, err)
	}
	if !report.IsDimensionRun(f) {
		fmt.Fprintf(os.Stderr, "mpbench: %s is not a run of the dimension profile: its cells are analysed at the run's one count and benchtime\n", dir)
	}
	command := dimCommand(*doc, *readme, dir)
	docDir := filepath.Dir(*doc)
	d, err := report.WriteDimensioning(dir, report.DimOptions{Doc: *doc, Run: relPath(docDir, dir), Command: command, Defaults: harness.DefaultsText()})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "mpbench: wrote %s and %s.{svg,png} (%d cell settings analysed)\n", *doc, filepath.Join(docDir, report.DimFigure), len(d.Cells))
	if *readme == "" {
		return nil
	}
	base := filepath.Dir(*readme)
	block, err := d.ReadmeBlock(relPath(base, dir), relPath(base, *doc), command, harness.DefaultsText())
	if err != nil {
		return err
	}
	if err := report.UpdateReadmeDim(*readme, block); err != nil {
		return fmt.Errorf("dimension --readme: %w", err)
	}
	fmt.Fprintf(os.Stderr, "mpbench: rewrote the dimensioning block of %s\n", *readme)
	return nil
}

// dimCommand is the canonical command line that writes a document.
func dimCommand(doc, readme, dir string) string {
	p := []string{"mpbench dimension"}
	if doc != DefaultDimDoc {
		p = append(p, "--doc "+filepath.ToSlash(doc))
	}
	if readme != "" {
		p = append(p, "--readme "+filepath.ToSlash(readme))
	}
	return strings.Join(append(p, filepath.ToSlash(filepath.Clean(dir))), " ")
}

// relPath is path relative to base, slash-separated.
func relPath(base, path string) string {
	ab, err1 := filepath.Abs(base)
	ap, err2 := filepath.Abs(path)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(ab, ap); err == nil {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.ToSlash(path)
}
