package rawbench

import (
	"fmt"
	"strings"
)

// Stop says what ended the program runs of a cell while its 95% CI was
// still wider than the run's target (adaptive stopping, package harness).
// It is recorded as a NOTE on the cell:
//
//	--- NOTE: Benchmark<name>: CI wider than the target: ±8.1% after 12 runs (stopped by the run cap)
//	--- NOTE: Benchmark<name>: CI wider than the target: ±8.1% after 6 runs (stopped by the time budget)
//
// Files written before this form say "unstable: CI ±8.1% after 12 runs"
// for the run cap and append " (time budget)" for the time budget; StopOf
// reads both forms.
type Stop string

const (
	StopNone   Stop = ""            // not flagged: the CI reached the target, or no adaptive stopping
	StopRunCap Stop = "run cap"     // the cell reached the run cap (max-runs)
	StopBudget Stop = "time budget" // the time budget ended the adaptive rounds before its cap
)

const (
	stopPrefix    = "CI wider than the target: "
	oldStopPrefix = "unstable: "
)

// StopNote is the NOTE text of a cell stopped by s after runs program
// runs, ci the CI's half-width as text ("±8.1%", or "no CI").
func StopNote(s Stop, ci string, runs int) string {
	return fmt.Sprintf("%s%s after %d runs (stopped by the %s)", stopPrefix, ci, runs, s)
}

// StopOf is what stopped the cell that note is about, or StopNone when the
// note is not a stop note.
func StopOf(note string) Stop {
	switch {
	case strings.HasPrefix(note, stopPrefix):
		if strings.HasSuffix(note, "(stopped by the "+string(StopBudget)+")") {
			return StopBudget
		}
		return StopRunCap
	case strings.HasPrefix(note, oldStopPrefix):
		if strings.HasSuffix(note, "("+string(StopBudget)+")") {
			return StopBudget
		}
		return StopRunCap
	}
	return StopNone
}

// Stop is what stopped the cell with its CI wider than the target (its
// first stop note), or StopNone.
func (c *Cell) Stop() Stop {
	for _, n := range c.Notes {
		if s := StopOf(n); s != StopNone {
			return s
		}
	}
	return StopNone
}
