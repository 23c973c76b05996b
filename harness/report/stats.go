package report

import (
	"fmt"
	"math"
	"sort"

	mstats "github.com/montanaflynn/stats"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// The statistics policy lives in harness/stats (one summary for report,
// claims, compare and the harness); these are its constants.
const (
	Confidence   = stats.Confidence  // level of every confidence interval
	Alpha        = stats.Alpha       // significance level of comparisons
	MinRuns      = stats.MinRuns     // runs a 95% CI needs
	VarShareWarn = stats.BetweenWarn // between-run share above which a cell is listed
	OutlierZ     = stats.OutlierZ    // modified z-score above which a sample is an outlier
)

func median(xs []float64) float64 { return stats.Median(xs) }

// Comparison of a cell against a baseline cell.
type Comparison struct {
	Base, New   float64 // medians
	Ratio       float64 // New / Base
	Delta       float64 // (New−Base)/Base in percent
	P           float64 // Mann–Whitney U p-value
	Significant bool    // P < Alpha
	Warnings    []string
}

// CompareSamples compares two samples whose values are each a program run
// of their own.
func CompareSamples(base, new []float64) Comparison {
	return CompareStats(view.Summarize(base), view.Summarize(new))
}

// CompareStats compares two cells on their per-run medians: ratio of the
// medians of per-run medians and the Mann–Whitney U test over the runs.
func CompareStats(base, new view.Stats) Comparison {
	mb, mn := base.Median, new.Median
	cmp := stats.Compare(asRuns(base.RunMedians), asRuns(new.RunMedians))
	c := Comparison{Base: mb, New: mn, Ratio: mn / mb, Delta: (mn - mb) / mb * 100, P: cmp.P}
	c.Significant = cmp.P < Alpha
	for _, w := range cmp.Warnings {
		c.Warnings = append(c.Warnings, w.Error())
	}
	return c
}

// DeltaString formats a comparison as benchstat does: "~" when not
// significant, else the signed percent change.
func (c Comparison) DeltaString() string {
	if !c.Significant {
		return "~"
	}
	return fmt.Sprintf("%+.2f%%", c.Delta)
}

// RatioString formats the ratio ("31.2×") or "~" when not significant.
func (c Comparison) RatioString() string {
	if !c.Significant {
		return "~"
	}
	return sig3(c.Ratio) + "×"
}

// asRuns turns per-run medians back into one-value runs for stats.Compare.
func asRuns(meds []float64) [][]float64 {
	out := make([][]float64, len(meds))
	for i, m := range meds {
		out[i] = []float64{m}
	}
	return out
}

func sortedCopy(xs []float64) []float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s
}

// GeoMean is the geometric mean of positive values (NaN if none).
func GeoMean(xs []float64) float64 {
	var pos []float64
	for _, x := range xs {
		if x > 0 {
			pos = append(pos, x)
		}
	}
	if len(pos) == 0 {
		return math.NaN()
	}
	g, err := mstats.GeometricMean(pos)
	if err != nil {
		return math.NaN()
	}
	return g
}

// sig3 formats a number with three significant digits (bench.Sig3, the
// one formatter of the metric table).
func sig3(x float64) string { return bench.Sig3(x) }
