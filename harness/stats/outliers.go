package stats

import (
	"math"

	mstats "github.com/montanaflynn/stats"
)

// OutlierZ is the modified z-score above which a sample is an outlier
// (Iglewicz and Hoaglin). Outliers are counted and shown, never dropped.
const OutlierZ = 3.5

// ModifiedZ returns the modified z-scores 0.6745·(x−median)/MAD of the
// sample. When the MAD is zero (more than half the samples are equal), the
// mean absolute deviation scaled by 1.253314 is used instead (Iglewicz and
// Hoaglin); when that is zero too, every score is zero.
func ModifiedZ(xs []float64) []float64 {
	z := make([]float64, len(xs))
	if len(xs) == 0 {
		return z
	}
	med := Median(xs)
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
