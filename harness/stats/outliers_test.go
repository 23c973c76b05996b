package stats

import (
	"slices"
	"testing"
)

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
		if got := Outliers(tt.xs); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Outliers = %v, want %v", tt.name, got, tt.want)
		}
	}
}
