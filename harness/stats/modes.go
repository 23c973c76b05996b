package stats

import "sort"

// Modes: a cell whose runs fall into separate groups (one process lands in
// one regime, the next in another: CPU placement, frequency, a page-cache
// state) is not described by one median and a wide interval. Modes splits
// the sorted per-run medians at every gap where the next value exceeds the
// previous by more than ModeGap; groups of at least MinModeRuns runs are
// modes, smaller groups are stray runs (kept in the cell's statistics,
// never dropped). A cell is multimodal when it has two or more modes.

// ModeGap is the relative gap between neighbouring run medians that
// separates two groups (x₍ᵢ₊₁₎ > (1+ModeGap)·x₍ᵢ₎).
const ModeGap = 0.25

// MinModeRuns is the number of runs a group needs to count as a mode.
const MinModeRuns = 2

// Mode is one group of runs.
type Mode struct {
	Median float64 // median of the group's run medians
	Runs   int     // runs in the group
	Share  float64 // Runs / all runs of the cell
}

// Modes returns the modes of a cell's per-run medians when there are two
// or more, lowest first; nil otherwise (one regime, or too few runs).
func Modes(runMedians []float64) []Mode {
	xs := append([]float64(nil), runMedians...)
	sort.Float64s(xs)
	var groups [][]float64
	start := 0
	for i := 1; i <= len(xs); i++ {
		if i == len(xs) || !(xs[i] <= (1+ModeGap)*xs[i-1]) {
			groups = append(groups, xs[start:i])
			start = i
		}
	}
	var modes []Mode
	for _, g := range groups {
		if len(g) >= MinModeRuns {
			modes = append(modes, Mode{Median: Median(g), Runs: len(g), Share: float64(len(g)) / float64(len(xs))})
		}
	}
	if len(modes) < 2 {
		return nil
	}
	return modes
}
