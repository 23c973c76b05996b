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
