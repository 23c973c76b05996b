package report

import (
	"math"
	"testing"
)

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
