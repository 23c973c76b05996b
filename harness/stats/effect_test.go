package stats

import (
	"math"
	"testing"
)

// runsOf makes one single-sample run per value.
func runsOf(xs ...float64) [][]float64 {
	out := make([][]float64, len(xs))
	for i, x := range xs {
		out[i] = []float64{x}
	}
	return out
}

func TestCompareRatioOutcomes(t *testing.T) {
	base := []float64{100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100.1}
	scaled := func(f float64, xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = f * x
		}
		return out
	}
	noisy := []float64{60, 140, 95, 120, 80, 105}
	tests := []struct {
		name string
		a, b []float64
		want Outcome
	}{
		{"A half of B", scaled(0.5, base), base, Less},
		{"A twice B", scaled(2, base), base, Greater},
		{"within 1%", scaled(1.01, base), base, Equal},
		{"same", base, base, Equal},
		{"overlapping noise", noisy, scaled(1.1, noisy), Undecided},
		{"five runs", base[:5], base, NoCI},
		{"non-positive value", append([]float64{0}, base...), base, NoCI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := CompareRatio(runsOf(tt.a...), runsOf(tt.b...))
			if e.Outcome != tt.want {
				t.Fatalf("outcome %v, want %v (ratio %.3f [%.3f, %.3f])", e.Outcome, tt.want, e.Ratio, e.Lo, e.Hi)
			}
			if tt.want == Undecided && e.NeedRuns <= max(e.RunsA, e.RunsB) {
				t.Errorf("undecided with NeedRuns %d ≤ runs %d", e.NeedRuns, max(e.RunsA, e.RunsB))
			}
			if tt.want != NoCI && !(e.Lo <= e.Ratio && e.Ratio <= e.Hi) {
				t.Errorf("estimate %.3f outside its CI [%.3f, %.3f]", e.Ratio, e.Lo, e.Hi)
			}
		})
	}
}

// A ratio of exactly 1.02 with a CI inside ±5% is "equal", not "greater":
// practical equivalence is decided before the sign.
func TestCompareRatioEqualWithinBand(t *testing.T) {
	b := []float64{10, 10.1, 9.9, 10.05, 9.95, 10}
	a := make([]float64, len(b))
	for i, x := range b {
		a[i] = 1.02 * x
	}
	e := CompareRatio(runsOf(a...), runsOf(b...))
	if e.Outcome != Equal || math.Abs(e.Ratio-1.02) > 1e-9 {
		t.Fatalf("got %v ratio %.4f [%.4f, %.4f], want equal at 1.02", e.Outcome, e.Ratio, e.Lo, e.Hi)
	}
	if e.Lo < 1-EqualBand || e.Hi > 1+EqualBand {
		t.Fatalf("equal but CI [%.4f, %.4f] outside the band", e.Lo, e.Hi)
	}
}

// uCDF against brute-force enumeration of every arrangement.
func TestUCDFExact(t *testing.T) {
	for _, mn := range [][2]int{{1, 1}, {2, 3}, {3, 3}, {4, 2}, {5, 4}} {
		m, n := mn[0], mn[1]
		counts := make([]float64, m*n+1)
		total := 0.0
		// Each arrangement is a bitmask over m+n sorted positions with m ones (x's).
		for mask := 0; mask < 1<<(m+n); mask++ {
			if popcount(mask) != m {
				continue
			}
			u, ys := 0, 0
			for p := 0; p < m+n; p++ {
				if mask&(1<<p) != 0 {
					u += ys // an x beats every y below it
				} else {
					ys++
				}
			}
			counts[u]++
			total++
		}
		cdf, run := uCDF(m, n), 0.0
		for u := range counts {
			run += counts[u]
			if math.Abs(cdf[u]-run/total) > 1e-12 {
				t.Fatalf("m=%d n=%d: P(U≤%d) = %g, want %g", m, n, u, cdf[u], run/total)
			}
		}
	}
}

func popcount(x int) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// The 95% interval of 6 against 6 runs is [d₍₆₎, d₍₃₁₎] (tables of the
// Mann–Whitney critical values: P(U ≤ 5) = 19/924).
func TestHLRankSixBySix(t *testing.T) {
	k, cov := hlRank(6, 6, 0.95)
	if k != 6 || math.Abs(cov-(1-2*19.0/924)) > 1e-12 {
		t.Fatalf("k=%d coverage=%g, want 6 and %g", k, cov, 1-2*19.0/924)
	}
	if k, _ := hlRank(3, 3, 0.95); k != 0 {
		t.Fatalf("3 by 3 runs: k=%d, want 0 (no 95%% interval exists)", k)
	}
}

func TestModes(t *testing.T) {
	tests := []struct {
		name string
		meds []float64
		want []Mode
	}{
		// The published cpython fork shm 64 B round trip at cores=2 (µs).
		{"two regimes", []float64{13.9, 13.6, 13.6, 50.5, 46.1, 13.7},
			[]Mode{{13.65, 4, 4.0 / 6}, {48.3, 2, 2.0 / 6}}},
		{"one stray run", []float64{10, 10.2, 9.9, 10.1, 30, 10}, nil},
		{"spread without a gap", []float64{10, 12, 14, 16, 18, 20}, nil},
		{"three regimes", []float64{1, 1.1, 5, 5.2, 20, 21},
			[]Mode{{1.05, 2, 1.0 / 3}, {5.1, 2, 1.0 / 3}, {20.5, 2, 1.0 / 3}}},
		{"too few runs", []float64{1, 5}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Modes(tt.meds)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if math.Abs(got[i].Median-tt.want[i].Median) > 1e-9 || got[i].Runs != tt.want[i].Runs ||
					math.Abs(got[i].Share-tt.want[i].Share) > 1e-9 {
					t.Fatalf("mode %d: got %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
