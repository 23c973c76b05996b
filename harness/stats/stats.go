// Package stats is the one statistics summary of mpbench, used by the
// harness (adaptive stopping), the report, claims and compare.
//
// The unit of replication is the program run: samples of one process are
// not independent (they share its calibration, its memory layout, its
// scheduling luck), so a cell's statistic is computed over per-run values.
// Summarize takes a cell's samples grouped by run and returns the median
// of the per-run medians with its distribution-free confidence interval
// (benchmath.AssumeNothing: the order-statistic interval of the median,
// which needs at least 6 runs at 95%). Compare tests two cells with the
// Mann–Whitney U test over their per-run medians. BetweenShare splits the
// variance into between runs and within runs (one-way ANOVA estimate).
// CompareRatio (effect.go) states how two cells compare: the ratio of
// their run medians with a CI and one of the outcomes less, greater,
// equal within ±EqualBand, undecided (with the runs that would decide) or
// no CI. Modes (modes.go) finds the groups of runs of a cell whose
// processes fell into different regimes.
//
// Small-n policy (one rule for every consumer): with fewer than MinRuns
// runs, the CI is not valid (CIValid false, Lo = Hi = NaN) and the summary
// carries a warning; the median is still given.
package stats

import (
	"fmt"
	"math"
	"sort"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every confidence interval.
const Confidence = 0.95

// Alpha is the significance level of comparisons (as benchstat).
const Alpha = 0.05

// MinRuns is the number of runs a 95% order-statistic CI of the median needs.
const MinRuns = 6

// BetweenWarn is the share of variance between runs above which a cell
// is flagged: its runs disagree more than its samples do.
const BetweenWarn = 0.5

// Summary summarizes one metric of one cell.
type Summary struct {
	Runs       int       // program runs with a value
	Samples    int       // samples over all runs
	RunMedians []float64 // per-run medians, sorted
	Median     float64   // median of RunMedians
	Lo, Hi     float64   // 95% CI of Median over runs; NaN when !CIValid
	CIValid    bool
	Confidence float64 // actual confidence level of [Lo, Hi] (≥ Confidence when valid)
	Min, Max   float64 // of all samples
	// BetweenShare is the share of the variance that lies between runs
	// (0..1; NaN when it cannot be estimated: fewer than 2 runs, or no
	// run with 2 samples).
	BetweenShare float64
	// Modes are the groups of runs when they form two or more (Modes);
	// nil for a cell with one regime.
	Modes    []Mode
	Warnings []string
}

// HalfWidth is the CI's half-width relative to the median ((Hi-Lo)/2/|Median|);
// +Inf when the CI is not valid.
func (s Summary) HalfWidth() float64 {
	if !s.CIValid || s.Median == 0 {
		return math.Inf(1)
	}
	return (s.Hi - s.Lo) / 2 / math.Abs(s.Median)
}

// BetweenDominates reports whether the between-run variance is more than
// BetweenWarn of the total.
func (s Summary) BetweenDominates() bool { return s.BetweenShare > BetweenWarn }

// Median is the median of xs (NaN for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// RateMedian is the centre of a run's samples of a rate (a quantity per
// unit of time: MB/s, msgs/s, tasks/s): the rate at the run's median
// time, 1 / Median(1/x). For an odd number of samples it is their median;
// for an even number it is the rate of the mean of the two middle times,
// where Median would average the two rates — so that a run's rate and its
// time per operation (ns/op, whose centre is Median) say the same. With
// a value ≤ 0 among xs it is Median(xs).
func RateMedian(xs []float64) float64 {
	inv := make([]float64, len(xs))
	for i, x := range xs {
		if x <= 0 {
			return Median(xs)
		}
		inv[i] = 1 / x
	}
	return 1 / Median(inv)
}

// RunMedians is the median of each run (runs without values are dropped).
func RunMedians(runs [][]float64) []float64 { return runCentres(runs, Median) }

func runCentres(runs [][]float64, centre func([]float64) float64) []float64 {
	var out []float64
	for _, r := range runs {
		if len(r) > 0 {
			out = append(out, centre(r))
		}
	}
	return out
}

// Summarize computes the statistic of a cell from its samples grouped by
// program run. No runs give Runs == 0 and NaN fields.
func Summarize(runs [][]float64) Summary { return summarize(runs, Median) }

// SummarizeRate is Summarize for a rate: each run's centre is RateMedian.
func SummarizeRate(runs [][]float64) Summary { return summarize(runs, RateMedian) }

func summarize(runs [][]float64, centre func([]float64) float64) Summary {
	nan := math.NaN()
	meds := runCentres(runs, centre)
	sort.Float64s(meds)
	s := Summary{Runs: len(meds), RunMedians: meds, Median: nan, Lo: nan, Hi: nan, Min: nan, Max: nan,
		BetweenShare: BetweenShare(runs)}
	if len(meds) == 0 {
		return s
	}
	s.Min, s.Max = math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		for _, x := range r {
			s.Samples++
			s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
		}
	}
	s.Median = Median(meds)
	s.Modes = Modes(meds)
	sample := benchmath.NewSample(meds, &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(sample, Confidence)
	if len(meds) >= MinRuns && !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) && !math.IsNaN(sum.Lo) {
		s.Lo, s.Hi, s.CIValid, s.Confidence = sum.Lo, sum.Hi, true, sum.Confidence
	} else {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d runs: need ≥ %d for a %.0f%% confidence interval", len(meds), MinRuns, Confidence*100))
	}
	if s.BetweenDominates() {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%.0f%% of the variance lies between runs", s.BetweenShare*100))
	}
	return s
}

// BetweenShare is the one-way ANOVA estimate of the share of variance
// between runs: σ²_b / (σ²_b + σ²_w) (see VarianceComponents). NaN when it
// cannot be estimated (fewer than 2 runs, or no within-run degrees of
// freedom); 0 when every sample is equal.
func BetweenShare(runs [][]float64) float64 {
	vb, vw, _, ok := VarianceComponents(runs)
	if !ok {
		return math.NaN()
	}
	if vb+vw == 0 {
		return 0
	}
	return vb / (vb + vw)
}

// VarianceComponents is the one-way random-effects ANOVA of samples
// grouped by run: the within-run variance σ²_w = MSW, the between-run
// variance σ²_b = max(0, (MSB − MSW) / n₀) with n₀ = (N − Σnᵢ²/N)/(k − 1),
// and the grand mean. ok is false when they cannot be estimated (fewer
// than 2 runs with samples, or no within-run degrees of freedom).
func VarianceComponents(runs [][]float64) (between, within, mean float64, ok bool) {
	var groups [][]float64
	N := 0
	for _, r := range runs {
		if len(r) > 0 {
			groups = append(groups, r)
			N += len(r)
		}
	}
	k := len(groups)
	if k < 2 || N <= k {
		return math.NaN(), math.NaN(), math.NaN(), false
	}
	grand := 0.0
	for _, g := range groups {
		for _, x := range g {
			grand += x
		}
	}
	grand /= float64(N)
	var ssb, ssw, sumN2 float64
	for _, g := range groups {
		m := 0.0
		for _, x := range g {
			m += x
		}
		m /= float64(len(g))
		ssb += float64(len(g)) * (m - grand) * (m - grand)
		for _, x := range g {
			ssw += (x - m) * (x - m)
		}
		sumN2 += float64(len(g) * len(g))
	}
	msb := ssb / float64(k-1)
	msw := ssw / float64(N-k)
	n0 := (float64(N) - sumN2/float64(N)) / float64(k-1)
	return math.Max(0, (msb-msw)/n0), msw, grand, true
}

// Compare tests whether two cells differ: Mann–Whitney U over their
// per-run medians (benchmath.AssumeNothing), at level Alpha.
func Compare(a, b [][]float64) benchmath.Comparison {
	sa := benchmath.NewSample(RunMedians(a), &benchmath.DefaultThresholds)
	sb := benchmath.NewSample(RunMedians(b), &benchmath.DefaultThresholds)
	c := benchmath.AssumeNothing.Compare(sa, sb)
	c.Alpha = Alpha
	return c
}

// Pooled is the CI of the median over all samples as if they were
// independent — the method before program runs were the unit. It exists
// to show (in tests and in the report's Method) what treating the samples
// of one process as independent does; nothing reports it as a result.
func Pooled(runs [][]float64) (median, lo, hi float64) {
	var all []float64
	for _, r := range runs {
		all = append(all, r...)
	}
	sort.Float64s(all)
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(all, &benchmath.DefaultThresholds), Confidence)
	return sum.Center, sum.Lo, sum.Hi
}

// CIOrders are the order statistics (1-based ranks in the sorted per-run
// medians) that bound the 95% CI of the median over n runs, as Summarize
// computes it; ok is false below MinRuns.
func CIOrders(n int) (lo, hi int, ok bool) {
	if n < MinRuns {
		return 0, 0, false
	}
	ranks := make([]float64, n)
	for i := range ranks {
		ranks[i] = float64(i + 1)
	}
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(ranks, &benchmath.DefaultThresholds), Confidence)
	if math.IsInf(sum.Lo, 0) || math.IsInf(sum.Hi, 0) {
		return 0, 0, false
	}
	return int(sum.Lo), int(sum.Hi), true
}

// ExpectedHalfWidth is the expected relative half-width of the 95% CI of
// the median over n runs (CIOrders) when the per-run medians are normal
// with coefficient of variation cv: cv × (E[z₍hi₎] − E[z₍lo₎]) / 2, with
// the expected normal order statistics by Blom's approximation
// E[z₍k:n₎] ≈ Φ⁻¹((k − 0.375) / (n + 0.25)). For large n it approaches
// the normal interval of a median, 1.96 × 1.2533 × cv / √n. +Inf below
// MinRuns.
func ExpectedHalfWidth(cv float64, n int) float64 {
	lo, hi, ok := CIOrders(n)
	if !ok {
		return math.Inf(1)
	}
	z := func(k int) float64 {
		p := (float64(k) - 0.375) / (float64(n) + 0.25)
		return math.Sqrt2 * math.Erfinv(2*p-1)
	}
	return cv * (z(hi) - z(lo)) / 2
}

// RunsFor is the fewest runs (MinRuns … maxRuns) whose ExpectedHalfWidth
// at cv is at most target; 0 when even maxRuns do not reach it.
func RunsFor(cv, target float64, maxRuns int) int {
	for n := MinRuns; n <= maxRuns; n++ {
		if ExpectedHalfWidth(cv, n) <= target {
			return n
		}
	}
	return 0
}

// LargeRuns is the runs the normal CI of a median needs to reach a
// relative half-width target at cv: ⌈(1.96 · √(π/2) · cv / target)²⌉ (the
// limit of ExpectedHalfWidth for many runs, within a few percent above
// 50 runs), at least MinRuns. For runs beyond what RunsFor searches.
func LargeRuns(cv, target float64) int {
	z := math.Sqrt2 * math.Erfinv(Confidence)
	n := math.Ceil(math.Pow(z*math.Sqrt(math.Pi/2)*cv/target, 2))
	if math.IsNaN(n) || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return max(int(n), MinRuns)
}
