package stats

import (
	"math"
	"sort"
)

// Effect sizes: how two options compare, not only whether they differ.
//
// CompareRatio estimates the ratio A/B of two cells from their per-run
// medians with the Hodges–Lehmann estimator on the log scale — the median
// of the m·n pairwise log ratios log(aᵢ/bⱼ) — and its distribution-free
// 95% confidence interval [d₍k₎, d₍mn+1−k₎] over the sorted pairwise log
// ratios, k from the exact Mann–Whitney U distribution (the interval that
// inverts the test Compare runs; Hollander & Wolfe, §4.3). It assumes
// that the two cells' run medians differ by a scale factor; it uses
// every run, never drops one.
//
// The outcome has one definition for every consumer (report, guide,
// claims, advise):
//   - NoCI: either cell has fewer than MinRuns runs (or a value ≤ 0);
//   - Equal: the CI of the ratio lies inside [1−EqualBand, 1+EqualBand];
//   - Less / Greater: the CI lies entirely below / above 1 (A's value is
//     lower / higher than B's; whether lower is better is the metric's
//     direction, bench.Metrics);
//   - Undecided: neither; NeedRuns estimates the runs per cell that would
//     decide, assuming the CI's half-width (log scale) shrinks with √runs.

// EqualBand is the half-width of the practical-equivalence band of a ratio.
const EqualBand = 0.05

// Outcome is the verdict of a comparison of two cells.
type Outcome int

// The outcomes of CompareRatio.
const (
	NoCI Outcome = iota
	Less
	Greater
	Equal
	Undecided
)

var outcomeNames = [...]string{"no CI", "less", "greater", "equal", "undecided"}

func (o Outcome) String() string { return outcomeNames[o] }

// Effect is the comparison of cell A with cell B.
type Effect struct {
	Ratio, Lo, Hi float64 // A/B: Hodges–Lehmann estimate and its 95% CI (NaN when NoCI)
	RunsA, RunsB  int
	Confidence    float64 // actual coverage of [Lo, Hi] (≥ Confidence)
	Outcome       Outcome
	NeedRuns      int // Undecided: about how many runs per cell would decide
}

// CompareRatio compares A with B by the ratio of their per-run medians.
func CompareRatio(a, b [][]float64) Effect {
	ma, mb := RunMedians(a), RunMedians(b)
	nan := math.NaN()
	e := Effect{Ratio: nan, Lo: nan, Hi: nan, RunsA: len(ma), RunsB: len(mb)}
	d, ok := logRatios(ma, mb)
	if !ok {
		return e
	}
	e.Ratio = math.Exp(Median(d))
	if len(ma) < MinRuns || len(mb) < MinRuns {
		return e
	}
	k, coverage := hlRank(len(ma), len(mb), Confidence)
	if k < 1 {
		return e
	}
	sort.Float64s(d)
	lo, hi := d[k-1], d[len(d)-k]
	e.Lo, e.Hi, e.Confidence = math.Exp(lo), math.Exp(hi), coverage
	e.Outcome, e.NeedRuns = classify(Median(d), lo, hi, max(len(ma), len(mb)))
	return e
}

// logRatios are the pairwise log(aᵢ/bⱼ); false when a value is not positive
// or either side is empty.
func logRatios(a, b []float64) ([]float64, bool) {
	if len(a) == 0 || len(b) == 0 {
		return nil, false
	}
	d := make([]float64, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			if !(x > 0) || !(y > 0) {
				return nil, false
			}
			d = append(d, math.Log(x/y))
		}
	}
	return d, true
}

// classify turns the log-ratio estimate c and CI [lo, hi] of n runs into
// an outcome and, when undecided, the runs that would decide.
func classify(c, lo, hi float64, n int) (Outcome, int) {
	up, down := math.Log(1+EqualBand), math.Log(1-EqualBand)
	switch {
	case lo >= down && hi <= up:
		return Equal, 0
	case hi < 0:
		return Less, 0
	case lo > 0:
		return Greater, 0
	}
	// The narrower half-width that decides: one that excludes 1 (|c|) or
	// one that fits inside the band around c (up−|c|); the larger is the
	// cheaper to reach. It is never below up/2.
	h := (hi - lo) / 2
	target := math.Max(math.Abs(c), up-math.Abs(c))
	need := int(math.Ceil(float64(n) * (h / target) * (h / target)))
	return Undecided, max(need, n+1)
}

// hlRank is the largest k with P(U ≤ k−1) ≤ (1−conf)/2 under the exact
// Mann–Whitney U distribution of sizes m, n (no ties), and the coverage
// 1 − 2·P(U ≤ k−1) of [d₍k₎, d₍mn+1−k₎]. k = 0 when no interval reaches conf.
func hlRank(m, n int, conf float64) (int, float64) {
	cdf := uCDF(m, n)
	alpha := (1 - conf) / 2
	k := 0
	for k < len(cdf) && cdf[k] <= alpha {
		k++
	}
	if k == 0 {
		return 0, math.NaN()
	}
	return k, 1 - 2*cdf[k-1]
}

// uCDF is P(U ≤ u) for u = 0..m·n under H₀ (exact, by the recursion
// N(m,n,u) = N(m−1,n,u−n) + N(m,n−1,u) over counts of arrangements).
func uCDF(m, n int) []float64 {
	// cnt[j][u]: arrangements of i x's and j y's with U = u, for the current i.
	cnt := make([][]float64, n+1)
	for j := range cnt {
		cnt[j] = make([]float64, m*n+1)
		cnt[j][0] = 1
	}
	for i := 1; i <= m; i++ {
		next := make([][]float64, n+1)
		for j := 0; j <= n; j++ {
			next[j] = make([]float64, m*n+1)
			for u := 0; u <= i*j; u++ {
				v := 0.0
				if u >= j {
					v += cnt[j][u-j] // the largest value is an x: it beats all j y's
				}
				if j > 0 {
					v += next[j-1][u] // the largest value is a y
				}
				next[j][u] = v
			}
		}
		cnt = next
	}
	total, run := 0.0, 0.0
	for _, c := range cnt[n] {
		total += c
	}
	cdf := make([]float64, m*n+1)
	for u, c := range cnt[n] {
		run += c
		cdf[u] = run / total
	}
	return cdf
}
