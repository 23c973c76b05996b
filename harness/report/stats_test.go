package report

import (
	"math"
	"testing"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name             string
		xs               []float64
		median, lo, hi   float64
		ciValid          bool
		min, max         float64
		outliers         int
		warningSubstring string
	}{
		// n=10: P(X≤1)=11/1024 so [x(2), x(9)] has confidence 0.979 ≥ 0.95,
		// while [x(3), x(8)] only 0.891.
		{name: "1..10", xs: []float64{7, 2, 9, 1, 5, 3, 10, 4, 8, 6}, median: 5.5, lo: 2, hi: 9, ciValid: true, min: 1, max: 10},
		{name: "n=3 has no CI", xs: []float64{3, 1, 2}, median: 2, ciValid: false, min: 1, max: 3,
			warningSubstring: "3 runs: need ≥ 6 for a 95% confidence interval"},
		// sorted 9.8 9.9 9.9 10 10 10 10.1 10.1 10.2 30: CI [x(2), x(9)] = [9.9, 10.2];
		// median 10, MAD 0.1: z(30) = 0.6745·20/0.1 = 134.9; z(10.2) = 1.35.
		{name: "one outlier", xs: []float64{10, 10.1, 9.9, 10.2, 9.8, 10, 10.1, 9.9, 10, 30}, median: 10, lo: 9.9, hi: 10.2,
			ciValid: true, min: 9.8, max: 30, outliers: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.xs)
			if s.N != len(tt.xs) || s.Median != tt.median || s.Min != tt.min || s.Max != tt.max || s.Outliers != tt.outliers {
				t.Errorf("got n=%d median=%v min=%v max=%v outliers=%d", s.N, s.Median, s.Min, s.Max, s.Outliers)
			}
			if s.CIValid != tt.ciValid {
				t.Fatalf("CIValid = %v, want %v (lo=%v hi=%v)", s.CIValid, tt.ciValid, s.Lo, s.Hi)
			}
			if tt.ciValid && (s.Lo != tt.lo || s.Hi != tt.hi) {
				t.Errorf("CI = [%v, %v], want [%v, %v]", s.Lo, s.Hi, tt.lo, tt.hi)
			}
			if tt.warningSubstring != "" && (len(s.Warnings) == 0 || s.Warnings[0] != tt.warningSubstring) {
				t.Errorf("warnings = %q, want %q", s.Warnings, tt.warningSubstring)
			}
		})
	}
	if s := Summarize(nil); s.N != 0 || !math.IsNaN(s.Median) {
		t.Errorf("empty sample: %+v", s)
	}
}

func TestOutliers(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want []int
	}{
		{"none", []float64{1, 2, 3, 4, 5}, nil},
		{"high", []float64{10, 10.1, 9.9, 10.2, 9.8, 10, 10.1, 9.9, 10, 30}, []int{9}},
		{"low", []float64{1, 100, 101, 99, 100, 102, 98, 100}, []int{0}},
		// MAD = 0: mean absolute deviation 4/7, z(9) = 4/(1.253314·4/7) = 5.58.
		{"mad zero", []float64{5, 5, 5, 5, 5, 5, 9}, []int{6}},
		{"all equal", []float64{5, 5, 5, 5}, nil},
	}
	for _, tt := range tests {
		got := Outliers(tt.xs)
		if len(got) != len(tt.want) {
			t.Errorf("%s: Outliers = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: Outliers = %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

func TestCompareSamples(t *testing.T) {
	a := []float64{10, 11, 12, 10, 11, 12, 10, 11, 12, 11}
	b := []float64{20, 22, 24, 20, 22, 24, 20, 22, 24, 22}
	c := CompareSamples(a, b)
	if !c.Significant || c.Ratio != 2 || c.RatioString() != "2.00×" || c.DeltaString() != "+100.00%" {
		t.Errorf("a vs 2a: %+v %s %s", c, c.RatioString(), c.DeltaString())
	}
	c = CompareSamples(a, a)
	if c.Significant || c.DeltaString() != "~" || c.RatioString() != "~" {
		t.Errorf("a vs a: %+v", c)
	}
}

func TestSig3(t *testing.T) {
	tests := []struct {
		x    float64
		want string
	}{
		{0, "0"}, {0.0012345, "0.00123"}, {0.5, "0.500"}, {1.2345, "1.23"}, {12.345, "12.3"},
		{123.45, "123"}, {12345, "12300"}, {-2.5, "-2.50"}, {math.NaN(), "—"}, {math.Inf(1), "∞"},
	}
	for _, tt := range tests {
		if got := sig3(tt.x); got != tt.want {
			t.Errorf("sig3(%v) = %q, want %q", tt.x, got, tt.want)
		}
	}
}
