package report

import (
	"math"

	"github.com/mpbench/mpbench/bench"
)

// humanScale picks the display unit of a metric for a value: the divisor
// and the suffix ("ms", "GB/s", "k tasks/s"). The kind of a metric comes
// from the one metric table (bench.Metrics) and digits from bench.Sig3;
// an interval [lo, hi] is printed in the unit of its median, so the
// report needs the scale itself, not only the formatted string.
func humanScale(unit string, v float64) (scale float64, suffix string) {
	a := math.Abs(v)
	// Choose the unit on the value rounded to 3 significant digits, so
	// that 999,700 ns reads "1.00 ms" as in bench.FormatNs.
	if a > 0 && !math.IsInf(a, 0) {
		e := math.Pow(10, math.Floor(math.Log10(a))-2)
		a = math.Round(a/e) * e
	}
	m, known := bench.LookupMetric(unit)
	switch {
	case known && m.Kind == bench.Duration:
		switch {
		case a >= 1e9:
			return 1e9, " s"
		case a >= 1e6:
			return 1e6, " ms"
		case a >= 1e3:
			return 1e3, " µs"
		}
		return 1, " ns"
	case unit == "MB/s":
		switch {
		case a >= 1e3:
			return 1e3, " GB/s"
		case a < 1 && a > 0:
			return 1e-3, " kB/s"
		}
		return 1, " MB/s"
	case known && m.Kind == bench.Rate:
		switch {
		case a >= 1e6:
			return 1e6, "M " + unit
		case a >= 1e3:
			return 1e3, "k " + unit
		}
		return 1, " " + unit
	case known && m.Kind == bench.Bytes:
		s, u := bench.BytesScale(a)
		return s, " " + u
	case (known && m.Kind == bench.Ratio) || unit == "" || unit == "ratio":
		return 1, ""
	}
	return 1, " " + unit
}

// sumStat is the statistics of the per-sample sum of two metrics of a cell
// (start-up + join = what a program pays per child); ok is false when the
// two metrics are not recorded on the same samples.
func (d *Data) sumStat(c *Cell, a, b string) (Stats, bool) {
	if c == nil {
		return Stats{}, false
	}
	if d.read != nil {
		d.read(c)
	}
	x, y := c.Samples[a], c.Samples[b]
	if len(x) == 0 || len(x) != len(y) {
		return Summarize(nil), false
	}
	key := a + "+" + b
	if m := d.stats[c]; m != nil {
		if s, ok := m[key]; ok {
			return s, true
		}
	}
	s := make([]float64, len(x))
	for i := range x {
		s[i] = x[i] + y[i]
	}
	st := SummarizeRuns(s, c.RunIDs[a])
	if d.stats[c] == nil {
		d.stats[c] = map[string]Stats{}
	}
	d.stats[c][key] = st
	return st, true
}
