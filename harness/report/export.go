package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
)

// CellStat is the exported statistics of one metric of one cell (formats
// csv and json). CI bounds are null/empty when there are too few samples.
type CellStat struct {
	Run      string            `json:"run,omitempty"`
	Name     string            `json:"name"`
	Keys     map[string]string `json:"keys"`
	Status   string            `json:"status"`
	Reason   string            `json:"reason,omitempty"`
	Metric   string            `json:"metric"`
	Unit     string            `json:"unit"`
	N        int               `json:"n"`
	Runs     int               `json:"runs"`
	Between  *float64          `json:"between_run_share"`
	Stopped  string            `json:"stopped,omitempty"` // CI wider than the target when its runs ended: "run cap" or "time budget"
	Median   *float64          `json:"median"`
	CILow    *float64          `json:"ci_low"`
	CIHigh   *float64          `json:"ci_high"`
	Min      *float64          `json:"min"`
	Max      *float64          `json:"max"`
	Outliers int               `json:"outliers"`
}

// metricName splits a unit into metric and unit: "join-ns/op" → join, ns/op.
func metricName(unit string) (metric, u string) {
	switch unit {
	case "ns/op":
		return "time", "ns/op"
	case "join-ns/op":
		return "join", "ns/op"
	case "p50-ns":
		return "p50", "ns"
	case "p99-ns":
		return "p99", "ns"
	case "user-ns/op":
		return "user", "ns/op"
	case "sys-ns/op":
		return "sys", "ns/op"
	case "MB/s":
		return "throughput", "MB/s"
	case "msgs/s":
		return "rate", "msgs/s"
	case "tasks/s":
		return "rate", "tasks/s"
	case "efficiency":
		return "efficiency", "ratio"
	case "overhead-ns/op":
		return "overhead", "ns/op"
	}
	return unit, unit
}

func fptr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// CellStats lists the statistics of every cell and metric; a cell
// without samples gives one row with n=0 and its status.
func (d *Data) CellStats() []CellStat {
	var out []CellStat
	for _, c := range d.Cells {
		keys := map[string]string{"workload": strings.ToLower(c.Kind)}
		for _, kv := range c.Keys {
			keys[kv.Key] = kv.Value
		}
		base := CellStat{Run: c.Run.Label, Name: "Benchmark" + c.Name, Keys: keys, Status: c.Status, Reason: c.Reason}
		if len(c.Units) == 0 {
			out = append(out, base)
			continue
		}
		for _, u := range c.Units {
			s := d.Stat(c, u)
			cs := base
			cs.Metric, cs.Unit = metricName(u)
			cs.N, cs.Runs, cs.Between, cs.Stopped = s.N, s.Runs, fptr(s.VarShare), string(c.Stop)
			cs.Median, cs.Min, cs.Max = fptr(s.Median), fptr(s.Min), fptr(s.Max)
			if s.CIValid {
				cs.CILow, cs.CIHigh = fptr(s.Lo), fptr(s.Hi)
			}
			cs.Outliers = s.Outliers
			out = append(out, cs)
		}
	}
	return out
}

// keyColumns is the fixed column order of the csv key columns.
var keyColumns = []string{"workload", "impl", "method", "preload", "main", "exec", "chan", "payload", "size", "rss", "workers", "tasks", "task", "cores", "id"}

func writeJSON(w io.Writer, stats []CellStat) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if stats == nil {
		stats = []CellStat{}
	}
	return enc.Encode(stats) // encoding/json sorts map keys: deterministic
}

func writeCSV(w io.Writer, stats []CellStat, multi bool) error {
	cw := csv.NewWriter(w)
	hdr := []string{}
	if multi {
		hdr = append(hdr, "run")
	}
	hdr = append(hdr, "name")
	hdr = append(hdr, keyColumns...)
	hdr = append(hdr, "status", "reason", "metric", "unit", "n", "runs", "between_run_share", "median", "ci_low", "ci_high", "min", "max", "outliers")
	if err := cw.Write(hdr); err != nil {
		return err
	}
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	for _, s := range stats {
		row := []string{}
		if multi {
			row = append(row, s.Run)
		}
		row = append(row, s.Name)
		for _, k := range keyColumns {
			row = append(row, s.Keys[k])
		}
		row = append(row, s.Status, s.Reason, s.Metric, s.Unit, strconv.Itoa(s.N), strconv.Itoa(s.Runs), f(s.Between), f(s.Median), f(s.CILow), f(s.CIHigh), f(s.Min), f(s.Max), strconv.Itoa(s.Outliers))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
