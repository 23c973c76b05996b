package report

import (
	"fmt"
	"math"
	"sort"

	mstats "github.com/montanaflynn/stats"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
)

// The statistics policy lives in harness/stats (one summary for report,
// claims, compare and the harness); these are its constants.
const (
	Confidence   = stats.Confidence  // level of every confidence interval
	Alpha        = stats.Alpha       // significance level of comparisons
	MinRuns      = stats.MinRuns     // runs a 95% CI needs
	VarShareWarn = stats.BetweenWarn // between-run share above which a cell is listed
)

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
	Min, Max   float64      // over all samples
	VarShare   float64      // share of the variance that lies between runs (one-way ANOVA, 0..1); NaN when not estimable
	Outliers   int          // samples with modified z-score > OutlierZ (never dropped)
	Modes      []stats.Mode // groups of runs when they form two or more (stats.Modes); nil otherwise
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
// from program run runs[i] (stats.Summarize over the runs). An empty
// sample gives N == 0 and NaN fields.
func SummarizeRuns(xs []float64, runs []int) Stats {
	return summarizeRuns(xs, runs, stats.Summarize)
}

// SummarizeUnit is SummarizeRuns for a metric: a rate (bench.Rate: MB/s,
// msgs/s, tasks/s) takes each run's centre at the run's median time
// (stats.SummarizeRate), every other metric its median.
func SummarizeUnit(unit string, xs []float64, runs []int) Stats {
	if m, ok := bench.LookupMetric(unit); ok && m.Kind == bench.Rate {
		return summarizeRuns(xs, runs, stats.SummarizeRate)
	}
	return SummarizeRuns(xs, runs)
}

func summarizeRuns(xs []float64, runs []int, summarize func([][]float64) stats.Summary) Stats {
	groups := groupRuns(xs, runs)
	sum := summarize(groups)
	st := Stats{
		N:          sum.Samples,
		Runs:       sum.Runs,
		RunMedians: sum.RunMedians,
		Median:     sum.Median,
		Lo:         sum.Lo,
		Hi:         sum.Hi,
		CIValid:    sum.CIValid,
		Min:        sum.Min,
		Max:        sum.Max,
		VarShare:   sum.BetweenShare,
		Warnings:   sum.Warnings,
		Modes:      sum.Modes,
	}
	if len(xs) > 0 {
		st.Outliers = len(Outliers(sortedCopy(xs)))
	}
	return st
}

// groupRuns splits xs by run id, runs in first-seen order.
func groupRuns(xs []float64, runs []int) [][]float64 {
	idx := map[int]int{}
	var out [][]float64
	for i, x := range xs {
		id := -1 - i
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

func median(xs []float64) float64 { return stats.Median(xs) }

// ModifiedZ returns the modified z-scores 0.6745·(x−median)/MAD of the
// sample. When the MAD is zero (more than half the samples are equal), the
// mean absolute deviation scaled by 1.253314 is used instead (Iglewicz and
// Hoaglin); when that is zero too, every score is zero.
func ModifiedZ(xs []float64) []float64 {
	z := make([]float64, len(xs))
	if len(xs) == 0 {
		return z
	}
	med := stats.Median(xs)
	mad, _ := mstats.MedianAbsoluteDeviationPopulation(xs)
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
	meanAD, _ := mstats.Mean(dev)
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
