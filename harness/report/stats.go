package report

import (
	"fmt"
	"math"
	"sort"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every confidence interval in the report.
const Confidence = 0.95

// Alpha is the significance level of comparisons (as benchstat).
const Alpha = 0.05

// MinSamples is the sample count below which a cell is flagged
// (DESIGN.md: at least 10 samples per cell).
const MinSamples = 10

// OutlierZ is the modified z-score above which a sample is an outlier
// (Iglewicz and Hoaglin).
const OutlierZ = 3.5

// Stats summarises one metric of one cell.
type Stats struct {
	N        int
	Median   float64
	Lo, Hi   float64 // 95% CI of the median; ±Inf when N is too small (CIValid false)
	CIValid  bool
	Min, Max float64
	Outliers int      // samples with modified z-score > OutlierZ (never dropped)
	Warnings []string // e.g. "need >= 6 samples for confidence interval at level 0.95"
}

// Summarize computes the statistics of a sample. An empty sample gives
// N == 0 and NaN fields.
func Summarize(xs []float64) Stats {
	if len(xs) == 0 {
		nan := math.NaN()
		return Stats{Median: nan, Lo: nan, Hi: nan, Min: nan, Max: nan}
	}
	sorted := append([]float64(nil), xs...)
	sort.Float64s(sorted)
	s := benchmath.NewSample(sorted, &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, Confidence)
	med, _ := stats.Median(sorted)
	st := Stats{
		N:      len(sorted),
		Median: med,
		Lo:     sum.Lo,
		Hi:     sum.Hi,
		Min:    sorted[0],
		Max:    sorted[len(sorted)-1],
	}
	st.CIValid = !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) && !math.IsNaN(sum.Lo)
	for _, w := range append(s.Warnings, sum.Warnings...) {
		st.Warnings = append(st.Warnings, w.Error())
	}
	st.Outliers = len(Outliers(sorted))
	return st
}

// ModifiedZ returns the modified z-scores 0.6745·(x−median)/MAD of the
// sample. When the MAD is zero (more than half the samples are equal), the
// mean absolute deviation scaled by 1.253314 is used instead (Iglewicz and
// Hoaglin); when that is zero too, every score is zero.
func ModifiedZ(xs []float64) []float64 {
	z := make([]float64, len(xs))
	if len(xs) == 0 {
		return z
	}
	med, _ := stats.Median(xs)
	mad, _ := stats.MedianAbsoluteDeviationPopulation(xs)
	if mad > 0 {
		for i, x := range xs {
			z[i] = 0.6745 * (x - med) / mad
		}
		return z
	}
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	meanAD, _ := stats.Mean(dev)
	if meanAD == 0 {
		return z
	}
	for i, x := range xs {
		z[i] = (x - med) / (1.253314 * meanAD)
	}
	return z
}

// Outliers returns the indexes of the samples whose modified z-score
// exceeds OutlierZ in absolute value.
func Outliers(xs []float64) []int {
	var out []int
	for i, z := range ModifiedZ(xs) {
		if math.Abs(z) > OutlierZ {
			out = append(out, i)
		}
	}
	return out
}

// Percentile is the p-th percentile (0 < p ≤ 100) of xs.
func Percentile(xs []float64, p float64) float64 {
	v, err := stats.Percentile(xs, p)
	if err != nil {
		return math.NaN()
	}
	return v
}

// Comparison of a cell against a baseline cell.
type Comparison struct {
	Base, New   float64 // medians
	Ratio       float64 // New / Base
	Delta       float64 // (New−Base)/Base in percent
	P           float64 // Mann–Whitney U p-value
	Significant bool    // P < Alpha
	Warnings    []string
}

// CompareSamples compares two samples: ratio of medians and Mann–Whitney U test.
func CompareSamples(base, new []float64) Comparison {
	b := benchmath.NewSample(sortedCopy(base), &benchmath.DefaultThresholds)
	n := benchmath.NewSample(sortedCopy(new), &benchmath.DefaultThresholds)
	mb, _ := stats.Median(b.Values)
	mn, _ := stats.Median(n.Values)
	cmp := benchmath.AssumeNothing.Compare(b, n)
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

// PString formats the p-value and sample sizes.
func (c Comparison) PString() string {
	return fmt.Sprintf("p=%.3f", c.P)
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
	g, err := stats.GeometricMean(pos)
	if err != nil {
		return math.NaN()
	}
	return g
}

// sig3 formats a number with three significant digits, without exponent
// for the magnitudes of this report: 0.00123, 1.23, 12.3, 123, 12300.
func sig3(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "-∞"
	}
	a := math.Abs(x)
	switch {
	case a == 0:
		return "0"
	case a >= 1000:
		// Round to 3 significant digits, then print as an integer.
		e := math.Pow(10, math.Floor(math.Log10(a))-2)
		return fmt.Sprintf("%.0f", math.Round(x/e)*e)
	case a >= 100:
		return fmt.Sprintf("%.0f", x)
	case a >= 10:
		return fmt.Sprintf("%.1f", x)
	case a >= 1:
		return fmt.Sprintf("%.2f", x)
	}
	d := 2 - int(math.Floor(math.Log10(a)))
	return fmt.Sprintf("%.*f", d, x)
}

// decimals is the number of decimals sig3 prints for x.
func decimals(x float64) int {
	a := math.Abs(x)
	switch {
	case a == 0 || math.IsNaN(a) || math.IsInf(a, 0) || a >= 100:
		return 0
	case a >= 10:
		return 1
	case a >= 1:
		return 2
	}
	return 2 - int(math.Floor(math.Log10(a)))
}

// fixed formats x with d decimals.
func fixed(x float64, d int) string {
	return fmt.Sprintf("%.*f", d, x)
}
