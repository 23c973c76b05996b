package bench

import "golang.org/x/perf/benchfmt"

// Metric returns a result value's unit and value as the measured program
// printed them (benchfmt tidies units, e.g. ns/op into sec/op; mpbench
// names metrics by their printed units everywhere).
func Metric(v benchfmt.Value) (unit string, value float64) {
	if v.OrigUnit != "" {
		return v.OrigUnit, v.OrigValue
	}
	return v.Unit, v.Value
}
