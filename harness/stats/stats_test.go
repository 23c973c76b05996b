package stats

import (
	"math"
	"testing"
)

func TestBetweenShare(t *testing.T) {
	tests := []struct {
		name string
		runs [][]float64
		want float64 // NaN: not estimable
	}{
		{"offsets only", [][]float64{{1, 1}, {2, 2}, {3, 3}}, 1},
		{"no difference between runs", [][]float64{{1, 3}, {1, 3}, {1, 3}}, 0},
		{"all equal", [][]float64{{5, 5}, {5, 5}}, 0},
		// Run means 1 and 3: SSB = 2·1 + 2·1 = 4, MSB = 4/1; SSW = 4·0.25 = 1,
		// MSW = 1/2; n₀ = 2; σ²b = (4 − 0.5)/2 = 1.75; share 1.75/2.25 = 7/9.
		{"mixed", [][]float64{{0.5, 1.5}, {2.5, 3.5}}, 7.0 / 9},
		{"one run", [][]float64{{1, 2, 3}}, math.NaN()},
		{"one sample per run", [][]float64{{1}, {2}, {3}}, math.NaN()},
	}
	for _, tt := range tests {
		got := BetweenShare(tt.runs)
		if math.IsNaN(tt.want) != math.IsNaN(got) || (!math.IsNaN(got) && math.Abs(got-tt.want) > 1e-12) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	// Five runs: no valid 95% CI (the small-n rule), median still given.
	s := Summarize([][]float64{{10, 11}, {12}, {9, 9}, {20}, {10}})
	if s.Runs != 5 || s.Samples != 7 || s.Median != 10.5 || s.CIValid || !math.IsNaN(s.Lo) || len(s.Warnings) == 0 || !math.IsInf(s.HalfWidth(), 1) {
		t.Errorf("5 runs: %+v", s)
	}
	// Six runs: the CI of the median of run medians is [min, max] (conf 96.9%).
	s = Summarize([][]float64{{100, 0}, {102}, {98}, {101}, {99}, {103}})
	if !s.CIValid || s.Lo != 50 || s.Hi != 103 || s.Confidence < 0.95 || s.Median != 100 {
		t.Errorf("6 runs: %+v", s)
	}
	if hw := s.HalfWidth(); math.Abs(hw-0.265) > 1e-9 {
		t.Errorf("half-width %v", hw)
	}
	if s := Summarize(nil); s.Runs != 0 || !math.IsNaN(s.Median) {
		t.Errorf("empty: %+v", s)
	}
	if Median([]float64{3, 1, 2, 10}) != 2.5 {
		t.Errorf("median")
	}
}

func TestCompareUsesRuns(t *testing.T) {
	// Many identical samples per run must not make a difference of run
	// medians significant: only 3 runs per side.
	a := [][]float64{{1, 1, 1, 1, 1}, {2, 2, 2, 2, 2}, {3, 3, 3, 3, 3}}
	b := [][]float64{{1.5, 1.5, 1.5, 1.5, 1.5}, {2.5, 2.5, 2.5, 2.5, 2.5}, {3.5, 3.5, 3.5, 3.5, 3.5}}
	if c := Compare(a, b); c.N1 != 3 || c.N2 != 3 || c.P < Alpha {
		t.Errorf("compare: %+v", c)
	}
}

func TestVarianceComponents(t *testing.T) {
	tests := []struct {
		name                  string
		runs                  [][]float64
		between, within, mean float64 // NaN: not estimable
	}{
		// The "mixed" case of TestBetweenShare: σ²b = 1.75, σ²w = 0.5.
		{"mixed", [][]float64{{0.5, 1.5}, {2.5, 3.5}}, 1.75, 0.5, 2},
		{"offsets only", [][]float64{{1, 1}, {2, 2}, {3, 3}}, 1, 0, 2},
		// Run means equal: MSB = 0 < MSW, so σ²b is clamped at 0.
		{"within only", [][]float64{{1, 3}, {1, 3}}, 0, 2, 2},
		{"one run", [][]float64{{1, 2}}, math.NaN(), math.NaN(), math.NaN()},
	}
	near := func(a, b float64) bool {
		return math.IsNaN(a) == math.IsNaN(b) && (math.IsNaN(a) || math.Abs(a-b) < 1e-12)
	}
	for _, tt := range tests {
		b, w, m, ok := VarianceComponents(tt.runs)
		if ok == math.IsNaN(tt.between) || !near(b, tt.between) || !near(w, tt.within) || !near(m, tt.mean) {
			t.Errorf("%s: between %v within %v mean %v ok %v; want %v %v %v", tt.name, b, w, m, ok, tt.between, tt.within, tt.mean)
		}
	}
}

func TestCIOrders(t *testing.T) {
	for _, tt := range []struct{ n, lo, hi int }{{5, 0, 0}, {6, 1, 6}, {12, 3, 10}, {20, 6, 15}} {
		lo, hi, ok := CIOrders(tt.n)
		if lo != tt.lo || hi != tt.hi || ok != (tt.lo > 0) {
			t.Errorf("CIOrders(%d) = %d, %d, %v; want %d, %d", tt.n, lo, hi, ok, tt.lo, tt.hi)
		}
		// The orders are those of Summarize: its CI over 1..n is [lo, hi].
		if ok {
			runs := make([][]float64, tt.n)
			for i := range runs {
				runs[i] = []float64{float64(i + 1)}
			}
			if s := Summarize(runs); s.Lo != float64(lo) || s.Hi != float64(hi) {
				t.Errorf("n=%d: Summarize gives [%v, %v], CIOrders [%d, %d]", tt.n, s.Lo, s.Hi, lo, hi)
			}
		}
	}
}

func TestExpectedHalfWidth(t *testing.T) {
	if h := ExpectedHalfWidth(0.1, 5); !math.IsInf(h, 1) {
		t.Errorf("5 runs: %v, want +Inf (no CI)", h)
	}
	// Six runs: the CI is [min, max]; half the expected range of 6 normals
	// is 1.27σ (Blom's approximation of E[z(6:6)] = 1.28).
	if h := ExpectedHalfWidth(1, 6); math.Abs(h-1.28) > 0.01 {
		t.Errorf("6 runs: %v, want ≈ 1.28", h)
	}
	for _, n := range []int{50, 200, 800} {
		normal := 1.96 * math.Sqrt(math.Pi/2) / math.Sqrt(float64(n))
		if h := ExpectedHalfWidth(1, n); math.Abs(h/normal-1) > 0.05 {
			t.Errorf("%d runs: %v, want ≈ the normal CI of a median %v", n, h, normal)
		}
	}
	if a, b := ExpectedHalfWidth(0.2, 12), ExpectedHalfWidth(0.1, 12); math.Abs(a-2*b) > 1e-12 {
		t.Errorf("not proportional to the CV: %v vs 2 × %v", a, b)
	}
	for _, tt := range []struct {
		cv, target float64
		max, want  int // want -1: check the definition only
	}{
		{0.01, 0.05, 100, 6},    // any valid CI suffices
		{0.10, 0.1282, 100, 6},  // 6 runs give ±12.82%
		{0.10, 0.0792, 100, 12}, // 12 runs give ±7.92%
		{0.10, 0.079, 11, 0},    // 12 runs needed, 11 allowed
		{0.50, 0.05, 100, 0},    // far more than 100 runs needed
		{0.10, 0.05, 100, -1},   // ≈ (1.96 · 1.25 · 10 / 5)² ≈ 24 by the normal CI
	} {
		got := RunsFor(tt.cv, tt.target, tt.max)
		if tt.want >= 0 && got != tt.want {
			t.Errorf("RunsFor(%v, %v, %d) = %d, want %d", tt.cv, tt.target, tt.max, got, tt.want)
		}
		// The definition: the first n from MinRuns whose half-width reaches the target.
		for n := MinRuns; n < got; n++ {
			if ExpectedHalfWidth(tt.cv, n) <= tt.target {
				t.Errorf("RunsFor(%v, %v) = %d, but %d runs reach it", tt.cv, tt.target, got, n)
			}
		}
		if got > 0 && ExpectedHalfWidth(tt.cv, got) > tt.target {
			t.Errorf("RunsFor(%v, %v) = %d does not reach it", tt.cv, tt.target, got)
		}
		if tt.want < 0 && (got < 20 || got > 30) {
			t.Errorf("RunsFor(%v, %v) = %d, want about 24", tt.cv, tt.target, got)
		}
	}
}

func TestLargeRuns(t *testing.T) {
	// Where RunsFor still searches, the large-n formula agrees within a few runs.
	for _, cv := range []float64{0.03, 0.05, 0.08} {
		n, big := RunsFor(cv, 0.01, 1000), LargeRuns(cv, 0.01)
		if n < 50 || math.Abs(float64(big-n)) > 0.06*float64(n) {
			t.Errorf("cv %v: RunsFor %d, LargeRuns %d", cv, n, big)
		}
	}
	if n := LargeRuns(0.01, 0.5); n != MinRuns {
		t.Errorf("tiny cv: %d runs, want the minimum %d", n, MinRuns)
	}
	if n := LargeRuns(math.NaN(), 0.05); n != math.MaxInt32 {
		t.Errorf("NaN cv: %d", n)
	}
}

// TestRateMedian: a run's rate is the rate at its median time, so that
// it agrees with the run's time per operation (the case the published
// 16 MiB queue cell showed: one slow and one fast sample per run, whose
// mean rate is far from the rate of their mean time).
func TestRateMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"odd: the median", []float64{100, 300, 200}, 200},
		{"even: the rate of the mean time", []float64{200, 600}, 300}, // times 1/200, 1/600: mean 1/300
		{"a slow and a fast sample", []float64{213.6, 954.3}, 2 / (1/213.6 + 1/954.3)},
		{"one sample", []float64{42}, 42},
		{"a zero: the plain median", []float64{0, 10}, 5},
	} {
		if got := RateMedian(tc.xs); math.Abs(got-tc.want) > 1e-9*tc.want {
			t.Errorf("%s: RateMedian(%v) = %v, want %v", tc.name, tc.xs, got, tc.want)
		}
	}
	// A run's rate centre and its time centre agree: rate = k / time.
	times := [][]float64{{10, 50}, {12, 48}, {11, 30, 70}}
	var rates [][]float64
	for _, r := range times {
		var q []float64
		for _, x := range r {
			q = append(q, 1000/x)
		}
		rates = append(rates, q)
	}
	rt, tt := SummarizeRate(rates), Summarize(times)
	for i := range tt.RunMedians {
		if want := 1000 / tt.RunMedians[len(tt.RunMedians)-1-i]; math.Abs(rt.RunMedians[i]-want) > 1e-9*want {
			t.Errorf("run centre %d: rate %v, want 1000/time = %v", i, rt.RunMedians[i], want)
		}
	}
}
