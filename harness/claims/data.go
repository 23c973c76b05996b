package claims

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// namePrefix starts every benchmark name of claims.bench.
const namePrefix = "BenchmarkClaim/id="

// series is one benchmark name of a claim and everything recorded for it.
type series struct {
	name string            // full name without "Benchmark"
	kv   map[string]string // key=value parts of the name (id, method, …)
	cell *view.Cell
}

// status is a SKIP, FAIL or NOTE text of a name (kv: the name's keys).
type status struct {
	name, text string
	kv         map[string]string
}

// claimData is everything claims.bench recorded for one claim.
type claimData struct {
	id      string
	series  []*series
	notes   []status
	skips   []status
	fails   []status
	sources *Sources // the other runs the claim reads (C14); nil when none
}

// file is a parsed claims.bench.
type file struct {
	config  map[string]string
	claims  map[string]*claimData
	sources Sources
}

// load reads claims.bench through package view (the one read model of
// the results format) and groups its cells by claim id, in file order.
func load(data []byte) (*file, error) {
	rf, err := view.Parse(data, BenchFile)
	if err != nil {
		return nil, err
	}
	if w := rf.FileWarnings(); len(w) > 0 {
		// claims.bench is only ever written by Run: a malformed line is a bug.
		return nil, fmt.Errorf("%s", w[0])
	}
	f := &file{config: rf.ConfigMap(), claims: map[string]*claimData{}}
	for _, c := range rf.FileOrder() {
		id := idOf(c.Name)
		if id == "" {
			continue
		}
		d := f.claims[id]
		if d == nil {
			d = &claimData{id: id}
			f.claims[id] = d
		}
		kv := keyMap(c.Keys)
		for _, n := range c.Notes {
			d.notes = append(d.notes, status{c.Name, n, kv})
		}
		if r := c.SkipReason(); r != "" {
			d.skips = append(d.skips, status{c.Name, r, kv})
		}
		if r := c.FailReason(); r != "" {
			d.fails = append(d.fails, status{c.Name, r, kv})
		}
		if len(c.ProgramRuns()) > 0 {
			d.series = append(d.series, &series{name: c.Name, kv: kv, cell: c})
		}
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

// keyMap is the key=value parts of a name (view.Cell.Keys) as a map.
func keyMap(keys []view.KV) map[string]string {
	kv := make(map[string]string, len(keys))
	for _, p := range keys {
		kv[p.Key] = p.Value
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
// (normally exactly one), program run by program run. ok is false when
// there is no value.
func (d *claimData) stat(unit string, filter ...string) (stat, bool) {
	var runs [][]float64
	for _, s := range d.find(filter...) {
		runs = append(runs, s.cell.ByRun(unit)...)
	}
	if len(runs) == 0 {
		return stat{}, false
	}
	return summarize(runs, unit), true
}

// noteFor returns the text of the first NOTE whose name matches filter.
func (d *claimData) noteFor(filter ...string) string {
	for _, n := range d.notes {
		s := series{kv: n.kv}
		if s.match(filter) {
			return n.text
		}
	}
	return ""
}

// stat is the summary of one metric (package stats, the one summary of
// mpbench): the median of the per-run medians with its distribution-free
// 95% interval over runs (benchmath AssumeNothing). With fewer than
// stats.MinRuns runs no such interval exists; [lo, hi] is then the range
// of the per-run medians (conf = 0), which makes every comparison
// (below) stricter, never looser. n is the number of program runs;
// sum, min and max are over all samples (counts of 0/1 outcomes).
type stat struct {
	unit           string
	med, lo, hi    float64
	conf           float64 // actual confidence level of [lo, hi]
	n, samples     int
	sum, min, max_ float64
}

func summarize(runs [][]float64, unit string) stat {
	s := view.SummarizeUnit(unit, runs) // a rate's run centre is its rate at the run's median time
	st := stat{unit: unit, med: s.Median, lo: s.Lo, hi: s.Hi, conf: s.Confidence, n: s.Runs, samples: s.N, min: s.Min, max_: s.Max}
	if !s.CIValid {
		st.lo, st.hi, st.conf = s.RunMedians[0], s.RunMedians[len(s.RunMedians)-1], 0
	}
	for _, r := range runs {
		for _, x := range r {
			st.sum += x
		}
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
func (s stat) all() bool { return s.samples > 0 && s.sum == float64(s.samples) }

// none reports whether every sample of a 0/1 metric is 0.
func (s stat) none() bool { return s.samples > 0 && s.sum == 0 }

// count writes a 0/1 metric as "k/n" over samples.
func (s stat) count() string { return fmt.Sprintf("%d/%d", int(math.Round(s.sum)), s.samples) }

// Sources are the runs other than claims.bench that a claim reads: the
// variants run of C14's per-version start-up, and a claims run on a GPU
// machine whose C12 is quoted beside an untestable one.
type Sources struct {
	// VariantsName names the variants run as CLAIMS.md cites it (its
	// path relative to the claims folder); "" when none was given.
	VariantsName string
	Variants     *view.Run // nil when none was given or it could not be read
	VariantsErr  error     // why it could not be read
	// GPUName names the GPU claims run (relative to the claims folder).
	GPUName string
	GPU     *file // its claims.bench; nil when none was given or it could not be read
	GPUErr  error
}

// sourcesOf reads the other runs: variants and gpu are folders ("" = the
// one claims.bench records under VariantsKey / GPUKey, relative to
// claimsDir).
func sourcesOf(claimsDir, variants, gpu string, claimsBench []byte) (Sources, error) {
	rf, err := view.Parse(claimsBench, BenchFile)
	if err != nil {
		return Sources{}, err
	}
	var src Sources
	var dir string
	if src.VariantsName, dir = sourceDir(claimsDir, variants, rf.ConfigValue(VariantsKey)); dir != "" {
		src.Variants, src.VariantsErr = view.ReadDir(dir)
	}
	if src.GPUName, dir = sourceDir(claimsDir, gpu, rf.ConfigValue(GPUKey)); dir != "" {
		data, err := os.ReadFile(filepath.Join(dir, BenchFile))
		if err == nil {
			src.GPU, err = load(data)
		}
		src.GPUErr = err
	}
	return src, nil
}

// sourceDir is the name (relative to claimsDir, as recorded) and the path
// of another run: given (a path) or recorded (relative to claimsDir);
// both "" when there is none.
func sourceDir(claimsDir, given, recorded string) (name, dir string) {
	switch {
	case given != "":
		if rel, err := relSlash(claimsDir, given); err == nil {
			return rel, given
		}
		return given, given
	case recorded != "":
		return recorded, filepath.Join(claimsDir, filepath.FromSlash(recorded))
	}
	return "", ""
}

// addVariants adds the variants run's per-version start-up cells
// (Startup/impl=cpython3.N/…/chan=pipe/rss=0) to C14 as its own series
// Claim/id=C14/workload=startup/impl=cpython3.N/… with source=variants.
func (f *file) addVariants(src Sources) {
	f.sources = src
	d := f.claims["C14"]
	if d == nil {
		return
	}
	d.sources = &f.sources
	if src.Variants == nil {
		return
	}
	for _, c := range src.Variants.FileOrder() {
		if c.Kind != "Startup" || !strings.HasPrefix(c.Get("impl"), "cpython3.") || c.Get("chan") != "pipe" || c.Get("rss") != "0" || len(c.ProgramRuns()) == 0 {
			continue
		}
		_, rest, _ := strings.Cut(c.Name, "/")
		name := "Claim/id=C14/workload=startup/" + rest
		kv := keyMap(c.Keys)
		kv["id"], kv["workload"], kv["source"] = "C14", bench.Startup, "variants"
		d.series = append(d.series, &series{name: name, kv: kv, cell: c})
	}
}
