package bench

import (
	"fmt"
	"math"

	"golang.org/x/perf/benchfmt"
)

// Metric returns a result value's unit and value as the measured program
// printed them (benchfmt tidies units, e.g. ns/op into sec/op; mpbench
// names metrics by their printed units everywhere).
func Metric(v benchfmt.Value) (unit string, value float64) {
	if v.OrigUnit != "" {
		return v.OrigUnit, v.OrigValue
	}
	return v.Unit, v.Value
}

// Kind is how a metric's values are formatted.
type Kind int

const (
	Duration Kind = iota // nanoseconds: "1.00 ms"
	Rate                 // per second, printed with its unit: "1230 MB/s"
	Ratio                // dimensionless: "0.97"
	Bytes                // bytes: "12.3 MiB"
)

// MetricInfo describes one metric of the result lines.
type MetricInfo struct {
	Unit    string // as printed by the measured programs
	Meaning string // one line, for the contract and the report
	Better  int    // +1: higher is better, -1: lower is better
	Kind    Kind   // how values are formatted
	Signed  bool   // a difference: below zero is a valid value (measurement error), not a broken program
}

// Metrics is the one table of mpbench's metrics: validation, the Unit
// lines of raw.bench, the report's tables and exports and the claims all
// read it. The order is the printed order; ns/op is always first. Which
// workload records which metrics is its entry's Units (WorkloadRegistry).
var Metrics = []MetricInfo{
	{"ns/op", "time of one operation: startup = start() until the first message from the child; " +
		"pingpong = mean round trip; stream = per message, timed at the receiver; pool = makespan of one map; " +
		"gather = per message received by the parent, from its start signal to the last message of all workers; " +
		"memory = from the first start() until every worker has touched what it touches",
		-1, Duration, false},
	{"join-ns/op", "startup: time to join the child after its message", -1, Duration, false},
	{"p50-ns", "pingpong: median round trip (nearest rank)", -1, Duration, false},
	{"p99-ns", "pingpong: 99th-percentile round trip (nearest rank: x[ceil(0.99 n)-1])", -1, Duration, false},
	{"MB/s", "stream, gather: payload throughput, 1e6 bytes per second (gather: all workers together, at the parent)", +1, Rate, false},
	{"msgs/s", "stream, gather: messages per second (gather: all workers together, at the parent)", +1, Rate, false},
	{"tasks/s", "pool: tasks per second of one map", +1, Rate, false},
	{"efficiency", "pool: Σ measured task time (cpu, tiny: the worker thread's CPU time; sleep: wall time) / (P × makespan), P = min(workers, tasks, cores) for cpu and tiny, min(workers, tasks) for sleep", +1, Ratio, false},
	{"overhead-ns/op", "pool: makespan − ideal makespan, the ideal = ceil(tasks / P) × mean measured task time (impl.PoolOverhead)", -1, Duration, true},
	{"user-ns/op", "user CPU time of sender and receiver (all threads) per operation", -1, Duration, false},
	{"sys-ns/op", "system CPU time of sender and receiver (all threads) per operation", -1, Duration, false},
	{"pss-B", "memory: mean proportional set size of a child (smaps_rollup Pss: a page shared by k processes counts 1/k), in bytes", -1, Bytes, false},
	{"uss-B", "memory: mean unique set size of a child (smaps_rollup Private_Clean + Private_Dirty: what its exit frees), in bytes", -1, Bytes, false},
	{"pool-pss-B", "memory: Σ Pss of the workers children (the pool's share of memory; parent, fork server and resource tracker not counted), in bytes", -1, Bytes, false},
}

// LookupMetric returns the table entry of a unit.
func LookupMetric(unit string) (MetricInfo, bool) {
	for _, m := range Metrics {
		if m.Unit == unit {
			return m, true
		}
	}
	return MetricInfo{}, false
}

// RequiredUnits are the units every result line of a workload must
// carry (its registry entry's Units): those of Metrics in table order
// (ns/op first), then any others in the entry's order.
func RequiredUnits(workload string) []string {
	w, _ := LookupWorkload(workload)
	var out []string
	for _, m := range Metrics {
		if contains(w.Units, m.Unit) {
			out = append(out, m.Unit)
		}
	}
	for _, u := range w.Units {
		if _, ok := LookupMetric(u); !ok {
			out = append(out, u)
		}
	}
	return out
}

// UnitLines are the benchfmt Unit lines of raw.bench, one per metric,
// telling benchstat (and the report) which direction is better.
func UnitLines() []string {
	var out []string
	for _, m := range Metrics {
		dir := "lower"
		if m.Better > 0 {
			dir = "higher"
		}
		out = append(out, "Unit "+m.Unit+" better="+dir)
	}
	return out
}

// Better is +1 when higher values of unit are better, -1 when lower are
// (unknown units: lower, as benchstat assumes).
func Better(unit string) int {
	if m, ok := LookupMetric(unit); ok {
		return m.Better
	}
	return -1
}

// Signed reports whether values of unit below zero are valid.
func Signed(unit string) bool {
	m, ok := LookupMetric(unit)
	return ok && m.Signed
}

// IsDuration reports whether unit is a duration in nanoseconds.
func IsDuration(unit string) bool {
	m, ok := LookupMetric(unit)
	return ok && m.Kind == Duration
}

// Scale is the display unit of a value of unit: the divisor and the
// suffix ("ms", "GB/s", "k tasks/s"), chosen by the metric's kind in the
// table above on the value rounded to three significant digits (so that
// 999,700 ns reads "1.00 ms"). An interval [lo, hi] is printed in the
// unit of its median, so tables need the scale itself, not only Format.
func Scale(unit string, v float64) (scale float64, suffix string) {
	a := math.Abs(round3(v))
	m, known := LookupMetric(unit)
	switch {
	case known && m.Kind == Duration:
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
	case known && m.Kind == Rate:
		switch {
		case a >= 1e6:
			return 1e6, "M " + unit
		case a >= 1e3:
			return 1e3, "k " + unit
		}
		return 1, " " + unit
	case known && m.Kind == Bytes:
		s, u := BytesScale(a)
		return s, " " + u
	case (known && m.Kind == Ratio) || unit == "" || unit == "ratio":
		return 1, ""
	}
	return 1, " " + unit
}

// Format formats a value of a unit for tables and text, the one number
// format of mpbench: three significant digits (Sig3) in the unit Scale
// picks: "1.00 ms", "1.23 GB/s", "12.3k tasks/s", "0.973", "3.00 widgets";
// "—" for NaN.
func Format(unit string, v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	scale, suffix := Scale(unit, v)
	return Sig3(v/scale) + suffix
}

// FormatNs formats a duration in nanoseconds (Format of ns/op): three
// significant digits in the largest unit that keeps it ≥ 1 after
// rounding: 999700 → "1.00 ms", 1234 → "1.23 µs", 12 → "12.0 ns"; NaN
// and ±Inf without a unit.
func FormatNs(ns float64) string {
	if math.IsNaN(ns) || math.IsInf(ns, 0) {
		return Sig3(ns)
	}
	return Format("ns/op", ns)
}

// FormatBytes formats a byte count with three significant digits in the
// largest binary unit that keeps it ≥ 1: 1536 → "1.50 KiB".
func FormatBytes(b float64) string {
	s, u := BytesScale(b)
	return Sig3(b/s) + " " + u
}

// BytesScale is the divisor and the unit FormatBytes uses for b.
func BytesScale(b float64) (float64, string) {
	a := math.Abs(b)
	for _, u := range sizeUnits[:3] {
		if a >= float64(u.mult)*0.9995 {
			return float64(u.mult), u.suffix
		}
	}
	return 1, "B"
}

// round3 rounds x to three significant digits.
func round3(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	e := math.Pow(10, math.Floor(math.Log10(math.Abs(x)))-2)
	return math.Round(x/e) * e
}

// Sig3 prints x with three significant digits (integers from 100 on,
// never an exponent): 0.00123, 1.23, 12.3, 123, 1230.
func Sig3(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "-∞"
	case x == 0:
		return "0"
	}
	r := round3(x)
	a := math.Abs(r)
	switch {
	case a >= 100:
		return fmt.Sprintf("%.0f", r)
	case a >= 10:
		return fmt.Sprintf("%.1f", r)
	case a >= 1:
		return fmt.Sprintf("%.2f", r)
	}
	return fmt.Sprintf("%.*f", 2-int(math.Floor(math.Log10(a))), r)
}
