package claims

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"

	"github.com/mpbench/mpbench/bench"
)

// Line prefixes of the status lines of claims.bench, in the style of
// `go test` so that benchfmt readers (benchstat) ignore them.
const (
	skipPrefix = "--- SKIP: "
	failPrefix = "--- FAIL: "
	notePrefix = "--- NOTE: "
	namePrefix = "BenchmarkClaim/id="
)

// series is every sample of one benchmark name.
type series struct {
	name  string            // full name without "Benchmark"
	kv    map[string]string // key=value parts of the name (id, method, …)
	units []string          // in order of first appearance
	vals  map[string][]float64
}

// status is a SKIP, FAIL or NOTE line.
type status struct{ name, text string }

// claimData is everything claims.bench recorded for one claim.
type claimData struct {
	id     string
	series []*series
	byName map[string]*series
	notes  []status
	skips  []status
	fails  []status
}

// file is a parsed claims.bench.
type file struct {
	config map[string]string
	claims map[string]*claimData
}

// parse reads claims.bench: configuration lines, result lines (with
// benchfmt) and the SKIP/FAIL/NOTE status lines. A malformed result line
// is an error: claims.bench is only ever written by Run.
func parse(data []byte) (*file, error) {
	f := &file{config: map[string]string{}, claims: map[string]*claimData{}}
	get := func(id string) *claimData {
		d := f.claims[id]
		if d == nil {
			d = &claimData{id: id, byName: map[string]*series{}}
			f.claims[id] = d
		}
		return d
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []struct {
			prefix string
			dst    func(*claimData) *[]status
		}{
			{skipPrefix, func(d *claimData) *[]status { return &d.skips }},
			{failPrefix, func(d *claimData) *[]status { return &d.fails }},
			{notePrefix, func(d *claimData) *[]status { return &d.notes }},
		} {
			rest, ok := strings.CutPrefix(line, p.prefix)
			if !ok {
				continue
			}
			name, text, _ := strings.Cut(rest, ": ")
			name = strings.TrimPrefix(name, "Benchmark")
			if id := idOf(name); id != "" {
				d := get(id)
				*p.dst(d) = append(*p.dst(d), status{name, text})
			}
		}
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, "Benchmark") && !strings.HasPrefix(line, "--- ") && !strings.ContainsAny(k, " \t") {
			if _, seen := f.config[k]; !seen {
				f.config[k] = v
			}
		}
	}
	r := benchfmt.NewReader(bytes.NewReader(data), "claims.bench")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return nil, fmt.Errorf("claims.bench: %v", rec)
		case *benchfmt.Result:
			name := rec.Name.String()
			id := idOf(name)
			if id == "" {
				continue
			}
			d := get(id)
			s := d.byName[name]
			if s == nil {
				s = &series{name: name, kv: nameKV(name), vals: map[string][]float64{}}
				d.byName[name] = s
				d.series = append(d.series, s)
			}
			for _, v := range rec.Values {
				unit, val := bench.Metric(v)
				if _, ok := s.vals[unit]; !ok {
					s.units = append(s.units, unit)
				}
				s.vals[unit] = append(s.vals[unit], val)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// idOf returns the claim id of a name "Claim/id=C3/…", or "".
func idOf(name string) string {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "Benchmark"), "Claim/id=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	id, _, _ = strings.Cut(id, ":")
	return id
}

func nameKV(name string) map[string]string {
	kv := map[string]string{}
	for _, p := range strings.Split(name, "/")[1:] {
		if k, v, ok := strings.Cut(p, "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// find returns the series whose name has every key=value of filter; a
// filter value "" requires the key to be absent.
func (d *claimData) find(filter ...string) []*series {
	var out []*series
	for _, s := range d.series {
		if s.match(filter) {
			out = append(out, s)
		}
	}
	return out
}

func (s *series) match(filter []string) bool {
	for i := 0; i+1 < len(filter); i += 2 {
		if v, ok := s.kv[filter[i]]; (filter[i+1] == "" && ok) || (filter[i+1] != "" && v != filter[i+1]) {
			return false
		}
	}
	return true
}

// stat summarises the values of unit over the series matching filter
// (normally exactly one). ok is false when there is no value.
func (d *claimData) stat(unit string, filter ...string) (stat, bool) {
	var vals []float64
	for _, s := range d.find(filter...) {
		vals = append(vals, s.vals[unit]...)
	}
	if len(vals) == 0 {
		return stat{}, false
	}
	return summarize(vals, unit), true
}

// noteFor returns the text of the first NOTE whose name matches filter.
func (d *claimData) noteFor(filter ...string) string {
	for _, n := range d.notes {
		s := series{kv: nameKV(n.name)}
		if s.match(filter) {
			return n.text
		}
	}
	return ""
}

// stat is the summary of one metric: median with its confidence interval
// (golang.org/x/perf/benchmath, AssumeNothing: a distribution-free
// interval from order statistics), the number of samples and their sum.
// With fewer than 6 samples no such 95% interval exists; [lo, hi] is then
// the range of the samples (conf = 0), which makes every comparison
// (below) stricter, never looser.
type stat struct {
	unit           string
	med, lo, hi    float64
	conf           float64 // actual confidence level of [lo, hi]
	n              int
	sum, min, max_ float64
}

func summarize(vals []float64, unit string) stat {
	v := append([]float64(nil), vals...)
	sort.Float64s(v)
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &benchmath.DefaultThresholds), 0.95)
	st := stat{unit: unit, med: sum.Center, lo: sum.Lo, hi: sum.Hi, conf: sum.Confidence, n: len(v), min: v[0], max_: v[len(v)-1]}
	if math.IsInf(st.lo, 0) || math.IsInf(st.hi, 0) || math.IsNaN(st.lo) || math.IsNaN(st.hi) {
		// Too few samples for a distribution-free 95% interval (n < 6):
		// use the whole range of the samples, marked by conf = 0.
		st.lo, st.hi, st.conf = st.min, st.max_, 0
	}
	for _, x := range v {
		st.sum += x
	}
	return st
}

// below reports a < b with non-overlapping confidence intervals.
func below(a, b stat) bool { return a.hi < b.lo }

// ratio of medians.
func ratio(a, b stat) float64 {
	if b.med == 0 {
		return math.Inf(1)
	}
	return a.med / b.med
}

// all reports whether every sample of a 0/1 metric is 1.
func (s stat) all() bool { return s.n > 0 && s.sum == float64(s.n) }

// none reports whether every sample of a 0/1 metric is 0.
func (s stat) none() bool { return s.n > 0 && s.sum == 0 }

// count writes a 0/1 metric as "k/n".
func (s stat) count() string { return fmt.Sprintf("%d/%d", int(math.Round(s.sum)), s.n) }
