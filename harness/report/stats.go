package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/montanaflynn/stats"
	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every confidence interval in the report.
const Confidence = 0.95

// Alpha is the significance level of comparisons (as benchstat).
const Alpha = 0.05

// MinRuns is the number of program runs a 95% confidence interval of a
// cell needs: the order-statistic interval over n per-run medians reaches
// 95% coverage from n = 6 on (benchmath.AssumeNothing).
const MinRuns = 6

// VarShareWarn is the share of variance between program runs above which
// a cell is listed as dominated by run-to-run variation.
const VarShareWarn = 0.5

// OutlierZ is the modified z-score above which a sample is an outlier
// (Iglewicz and Hoaglin).
const OutlierZ = 3.5

// Stats summarises one metric of one cell. The replication unit is the
// program run: every statistic of the centre and its interval is over
// the per-run medians, never over the pooled samples (samples of one
// process are not independent).
type Stats struct {
	N          int       // samples
	Runs       int       // program runs (each contributes its median)
	RunMedians []float64 // per-run medians, sorted
	Median     float64   // median of the per-run medians
	Lo, Hi     float64   // 95% CI of that median (order statistics over runs); ±Inf when Runs < MinRuns (CIValid false)
	CIValid    bool
	Min, Max   float64 // over all samples
	VarShare   float64 // share of the variance that lies between runs (one-way ANOVA, 0..1); NaN when not estimable
	Outliers   int     // samples with modified z-score > OutlierZ (never dropped)
	Warnings   []string
}

// Summarize computes the statistics of a sample whose values are each a
// program run of their own (one sample per run).
func Summarize(xs []float64) Stats {
	ids := make([]int, len(xs))
	for i := range ids {
		ids[i] = i
	}
	return SummarizeRuns(xs, ids)
}

// SummarizeRuns computes the statistics of samples xs, sample i coming
// from program run runs[i]. An empty sample gives N == 0 and NaN fields.
func SummarizeRuns(xs []float64, runs []int) Stats {
	nan := math.NaN()
	if len(xs) == 0 {
		return Stats{Median: nan, Lo: nan, Hi: nan, Min: nan, Max: nan, VarShare: nan}
	}
	groups := groupRuns(xs, runs)
	meds := make([]float64, len(groups))
	for i, g := range groups {
		meds[i] = median(g)
	}
	sort.Float64s(meds)
	s := benchmath.NewSample(meds, &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, Confidence)
	sorted := sortedCopy(xs)
	st := Stats{
		N:          len(xs),
		Runs:       len(groups),
		RunMedians: meds,
		Median:     sum.Center,
		Lo:         sum.Lo,
		Hi:         sum.Hi,
		Min:        sorted[0],
		Max:        sorted[len(sorted)-1],
		VarShare:   BetweenRunShare(groups),
	}
	st.CIValid = !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) && !math.IsNaN(sum.Lo)
	for _, w := range append(s.Warnings, sum.Warnings...) {
		st.Warnings = append(st.Warnings, strings.Replace(w.Error(), "samples", "runs", 1))
	}
	st.Outliers = len(Outliers(sorted))
	return st
}

// groupRuns splits xs by run id, runs in first-seen order.
func groupRuns(xs []float64, runs []int) [][]float64 {
	idx := map[int]int{}
	var out [][]float64
	for i, x := range xs {
		id := i
		if i < len(runs) {
			id = runs[i]
		}
		j, ok := idx[id]
		if !ok {
			j = len(out)
			idx[id] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], x)
	}
	return out
}

func median(xs []float64) float64 {
	m, err := stats.Median(xs)
	if err != nil {
		return math.NaN()
	}
	return m
}

// BetweenRunShare is the share of the variance of the samples that lies
// between program runs: the one-way random-effects ANOVA estimate
// σ²_between = max(0, (MSB − MSW)/n₀) over σ²_between + MSW, with n₀ the
// (unbalanced-design) effective samples per run. NaN when it cannot be
// estimated: fewer than two runs, or no run with two samples.
func BetweenRunShare(groups [][]float64) float64 {
	k := len(groups)
	n, sumSq := 0, 0.0
	var all []float64
	for _, g := range groups {
		n += len(g)
		sumSq += float64(len(g) * len(g))
		all = append(all, g...)
	}
	if k < 2 || n <= k {
		return math.NaN()
	}
	grand, _ := stats.Mean(all)
	var ssb, ssw float64
	for _, g := range groups {
		m, _ := stats.Mean(g)
		ssb += float64(len(g)) * (m - grand) * (m - grand)
		v, _ := stats.PopulationVariance(g)
		ssw += v * float64(len(g))
	}
	msb := ssb / float64(k-1)
	msw := ssw / float64(n-k)
	n0 := (float64(n) - sumSq/float64(n)) / float64(k-1)
	between := math.Max(0, (msb-msw)/n0)
	if between+msw == 0 {
		return 0
	}
	return between / (between + msw)
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
	return CompareStats(Summarize(base), Summarize(new))
}

// CompareStats compares two cells on their per-run medians: ratio of the
// medians of per-run medians and the Mann–Whitney U test over the runs.
func CompareStats(base, new Stats) Comparison {
	b := benchmath.NewSample(base.RunMedians, &benchmath.DefaultThresholds)
	n := benchmath.NewSample(new.RunMedians, &benchmath.DefaultThresholds)
	mb, mn := base.Median, new.Median
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
