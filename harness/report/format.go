package report

import "math"

// humanScale picks the display unit of a metric for a value: the divisor
// and the suffix ("ms", "GB/s", "k tasks/s"). Every number the report
// prints goes through it (via fmtValue and fmtStat), so that a table never
// shows a raw "ns/msg 11500000".
func humanScale(unit string, v float64) (scale float64, suffix string) {
	a := math.Abs(v)
	switch {
	case isNsUnit(unit):
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
	case unit == "msgs/s" || unit == "tasks/s":
		switch {
		case a >= 1e6:
			return 1e6, " M" + unit
		case a >= 1e3:
			return 1e3, " k" + unit
		}
		return 1, " " + unit
	case unit == "efficiency" || unit == "" || unit == "ratio":
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
