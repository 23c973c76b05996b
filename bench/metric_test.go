package bench

import (
	"math"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		unit string
		v    float64
		want string
	}{
		{"ns/op", 999700, "1.00 ms"},
		{"ns/op", 999.7, "1.00 µs"},
		{"ns/op", 999_999_999, "1.00 s"},
		{"ns/op", 1234, "1.23 µs"},
		{"ns/op", 12, "12.0 ns"},
		{"ns/op", 0.5, "0.500 ns"},
		{"p99-ns", 45_600_000, "45.6 ms"},
		{"ns/op", 2.5e10, "25.0 s"},
		{"MB/s", 1234.5, "1.23 GB/s"},
		{"MB/s", 999.6, "1.00 GB/s"},
		{"MB/s", 0.5, "500 kB/s"},
		{"tasks/s", 12345, "12.3k tasks/s"},
		{"msgs/s", 2.5e6, "2.50M msgs/s"},
		{"uss-B", 1536, "1.50 KiB"},
		{"ns/op", math.NaN(), "—"},
		{"msgs/s", 99.96, "100 msgs/s"},
		{"efficiency", 0.9734, "0.973"},
		{"efficiency", 1, "1.00"},
		{"widgets", 3, "3.00 widgets"},
	}
	for _, tt := range tests {
		if got := Format(tt.unit, tt.v); got != tt.want {
			t.Errorf("Format(%s, %v) = %q, want %q", tt.unit, tt.v, got, tt.want)
		}
	}
	for _, x := range []float64{1e-9, 3e-5, 0.001234, 7e12} {
		if s := Sig3(x); strings.ContainsAny(s, "e+") {
			t.Errorf("Sig3(%v) = %q has an exponent", x, s)
		}
	}
}

func TestMetricTable(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Metrics {
		if seen[m.Unit] || m.Meaning == "" || (m.Better != 1 && m.Better != -1) {
			t.Errorf("bad entry %+v", m)
		}
		seen[m.Unit] = true
	}
	for _, w := range WorkloadRegistry {
		for _, u := range w.Units {
			if !seen[u] {
				t.Errorf("%s: unit %s is not in Metrics", w.Name, u)
			}
		}
	}
	for _, w := range Workloads {
		if u := RequiredUnits(w); len(u) < 2 || u[0] != "ns/op" {
			t.Errorf("RequiredUnits(%s) = %v", w, u)
		}
	}
	if got := strings.Join(RequiredUnits("pingpong"), ","); got != "ns/op,p50-ns,p99-ns,user-ns/op,sys-ns/op" {
		t.Errorf("pingpong units %s", got)
	}
	if got := strings.Join(RequiredUnits("pool"), ","); got != "ns/op,tasks/s,efficiency,overhead-ns/op" {
		t.Errorf("pool units %s", got)
	}
	for _, u := range []string{"ns/op", "efficiency", "overhead-ns/op", "unknown"} {
		if got, want := Signed(u), u == "overhead-ns/op"; got != want {
			t.Errorf("Signed(%s) = %v, want %v (only a difference may be below zero)", u, got, want)
		}
	}
	if len(UnitLines()) != len(Metrics) || UnitLines()[4] != "Unit MB/s better=higher" {
		t.Errorf("unit lines %v", UnitLines())
	}
}
