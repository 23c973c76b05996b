package view

import (
	"path/filepath"

	"github.com/mpbench/mpbench/harness/rawbench"
)

// The writer face: a package that appends to a results file of its own
// (claims.bench) writes through rawbench's writer, reached here so that it
// reads and writes the file through this one package.

// Writer appends to a results file (rawbench.Writer): every append is one
// write followed by fsync; its File is the file as recorded so far.
type Writer = rawbench.Writer

// Status line prefixes of the results format.
const (
	SkipPrefix = rawbench.SkipPrefix
	NotePrefix = rawbench.NotePrefix
)

// CreateFile starts a new results file at path with a header of
// configuration lines and Unit lines (rawbench.CreateFile); it refuses an
// existing file.
func CreateFile(path string, config []KV, unitLines []string) (*Writer, error) {
	return rawbench.CreateFile(path, config, unitLines)
}

// Resume reopens an existing results file for appending, cutting a torn
// last line (rawbench.Resume).
func Resume(path string) (*Writer, error) { return rawbench.Resume(path) }

// Written is the view of what a writer's file holds so far.
func Written(w *Writer) *Run { return fromFile(w.File, filepath.Base(w.File.Path)) }

// SampleLine is the result line of sample s under name, with the values
// of units in that order (rawbench.SampleLine).
func SampleLine(name string, units []string, s Sample) string {
	return rawbench.SampleLine(name, units, s)
}

// ParseSamples parses result lines of one cell as a measured program
// printed them (rawbench.ParseSamples).
func ParseSamples(lines []string) ([]Sample, error) { return rawbench.ParseSamples(lines) }

// OneLine condenses a reason to one line, as status lines need
// (rawbench.OneLine).
func OneLine(s string) string { return rawbench.OneLine(s) }
