package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// The evaluation part of REPORT.md: one section per research question
// (start cost, a big parent, small messages, large messages, pools,
// Python versions, hosts and cores, the hazards), each in the order
// question → method → result → why → what would change the answer. The
// prose is in evaluation.md.tmpl; every number in it comes from a
// section's values (V), which are computed here from the samples. A
// question the run has no cells for is left out.

//go:embed evaluation.md.tmpl
var evalTemplateText string

var evalTemplate = template.Must(template.New("evaluation").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(evalTemplateText))

// evalSection is one research question of the report.
type evalSection struct {
	Key, Title string
	Intro      string      // markdown before the blocks (the hosts of a report on several runs)
	Blocks     []evalBlock // one per run that has cells for the question
	Why        string      // the mechanism (template "why-<Key>" over the first block's values)
}

// evalBlock is what one run says about a question.
type evalBlock struct {
	Label    string // the run's label when the report has several runs
	Method   string // cells, runs, settings
	Figure   *figRef
	fig      *figure
	Table    string   // compact markdown table with CIs
	Findings []string // generated sentences
	Change   []string // what would change the answer
	More     []string // links: further figures and detail tables
	V        map[string]string
}

// figRef is a figure as the template shows it.
type figRef struct{ Name, Title, Caption string }

func ref(f *figure) *figRef {
	if f == nil {
		return nil
	}
	return &figRef{f.name, f.title, f.caption}
}

// prose renders a named template of evaluation.md.tmpl over data.
func prose(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := evalTemplate.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// evalSections builds the sections of the research questions.
func (d *Data) evalSections(tables []*Table, figs []*figure) ([]evalSection, error) {
	builders := []struct {
		key, title string
		build      func(r *view.Run, g *Guide, figs []*figure) *evalBlock
	}{
		{"start", "Start cost: what does one child cost?", d.evalStart},
		{"bigparent", "A big parent: when does fork stop being cheapest?", d.evalBigParent},
		{"small", "Small messages: which channel has the shortest round trip?", d.evalSmall},
		{"large", "Large messages: which channel moves bytes fastest?", d.evalLarge},
		{"pool", "Pools: does the start method matter for long-lived workers?", d.evalPool},
		{"versions", "Python versions: does the answer change with the interpreter?", d.evalVersions},
		{"cores", "Hosts and cores: does the answer change with the machine?", d.evalCores},
		{"hazards", "The hazards: threads and fork", d.evalHazards},
	}
	var out []evalSection
	for _, b := range builders {
		s := evalSection{Key: b.key, Title: b.title}
		if b.key == "cores" {
			s.Intro = d.hostsIntro(tables, figs)
		}
		said := map[string]bool{} // what would change the answer, said once per section
		for _, r := range d.Runs {
			blk := b.build(r, d.Guide(r), figs)
			if blk == nil {
				continue
			}
			if d.Multi {
				blk.Label = r.Label
			}
			blk.Figure = ref(blk.fig)
			blk.Change = slices.DeleteFunc(blk.Change, func(c string) bool { return said[c] })
			for _, c := range blk.Change {
				said[c] = true
			}
			blk.More = append(blk.More, d.detailLinks(r, tables, figs, b.key, blk.fig)...)
			s.Blocks = append(s.Blocks, *blk)
		}
		if len(s.Blocks) == 0 && s.Intro == "" {
			continue
		}
		if len(s.Blocks) == 0 {
			s.Blocks = append(s.Blocks, evalBlock{V: map[string]string{}})
		}
		why, err := prose("why-"+b.key, s.Blocks[0])
		if err != nil {
			return nil, err
		}
		s.Why = why
		out = append(out, s)
	}
	return out, nil
}

// sectionKeys: which workload sections' tables and figures a research
// question links to.
var questionSections = map[string][]string{
	"start": {bench.Startup}, "bigparent": {bench.Startup}, "small": {bench.Pingpong}, "large": {bench.Stream},
	"pool": {bench.Pool}, "versions": {"versions"},
}

// detailLinks are the further figures and detail tables of a question in
// one run, one link each, without the figure the section shows.
func (d *Data) detailLinks(r *view.Run, tables []*Table, figs []*figure, key string, shown *figure) []string {
	var out []string
	sfx := d.suffix(r)
	for _, sec := range questionSections[key] {
		var fl, tl []string
		for _, f := range figs {
			if figSection(f) == sec && f != shown && strings.HasSuffix(f.name, sfx) && (key != "bigparent" || strings.Contains(f.name, "rss") || strings.Contains(f.name, "road")) &&
				(key != "start" || !(strings.Contains(f.name, "rss") || strings.Contains(f.name, "road"))) {
				fl = append(fl, fmt.Sprintf("[%s](plots/%s.png)", f.name, f.name))
			}
		}
		for _, t := range tables {
			if t.Section == sec && strings.HasSuffix(t.Name, sfx) {
				tl = append(tl, fmt.Sprintf("[%s](tables/%s.md)", t.Name, t.Name))
			}
		}
		if len(fl) > 0 {
			out = append(out, "figures: "+strings.Join(fl, " · "))
		}
		if len(tl) > 0 {
			out = append(out, "tables: "+strings.Join(tl, " · "))
		}
	}
	return out
}

// pickFigure is the first of the named figures (with the run's suffix)
// the report has, else the first figure of section sec of the run.
func (d *Data) pickFigure(r *view.Run, figs []*figure, sec string, names ...string) *figure {
	sfx := d.suffix(r)
	for _, n := range names {
		for _, f := range figs {
			if f.name == n+sfx {
				return f
			}
		}
	}
	for _, f := range figs {
		if figSection(f) == sec && strings.HasSuffix(f.name, sfx) {
			return f
		}
	}
	return nil
}

// ratioCI is "2.49× [1.83, 2.92]" for a/b by the ratio of run medians,
// "2.49× (no CI)" below MinRuns runs.
func ratioCI(a, b view.Stats) string {
	e := effect(a, b)
	if math.IsNaN(e.Ratio) {
		return "—"
	}
	if e.Outcome == stats.NoCI {
		return sig3(e.Ratio) + "× (no CI)"
	}
	return fmt.Sprintf("%s× [%s, %s]", sig3(e.Ratio), sig3(e.Lo), sig3(e.Hi))
}

// decides reports whether the ratio of a to b is decided (its CI excludes
// 1 and does not lie inside the ±5% band).
func decides(a, b view.Stats) bool {
	o := effect(a, b).Outcome
	return o == stats.Less || o == stats.Greater
}

// mdTable renders a compact table (labels: the first left columns).
func mdTable(header []string, left int, rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	var b bytes.Buffer
	t := &Table{Header: header, Left: left, Rows: rows}
	if err := t.render(&b, true); err != nil {
		return ""
	}
	out := strings.TrimRight(b.String(), "\n")
	if strings.Contains(out, modeMark) {
		out += "\n\n" + modeMark + " the cell's runs split into two or more modes (groups of runs far apart); the modes are in the detail tables."
	}
	return out
}

// modeMark marks a compact entry whose runs split into modes.
const modeMark = "‡"

// plain is median [lo, hi] of a metric without the modes, for prose.
func plain(unit string, s view.Stats) string {
	s.Modes = nil
	return fmtStat(unit, s)
}

// compact is median [lo, hi] of a metric without the modes (marked ‡).
func compact(unit string, s view.Stats) string {
	if s.N == 0 {
		return "—"
	}
	s2 := s
	s2.Modes = nil
	out := fmtStat(unit, s2)
	if len(s.Modes) > 0 {
		out += " " + modeMark
	}
	return out
}

// methodText is the method line of a question: which cells, how many
// program runs, which settings (from the run's header).
func methodText(r *view.Run, cells []*view.Cell, what string) string {
	var runs []float64
	impls := map[string]bool{}
	for _, c := range cells {
		if !c.Parsed || len(c.Units) == 0 {
			continue
		}
		impls[c.Cell.Impl] = true
		runs = append(runs, float64(statRuns(c)))
	}
	if what != "" {
		what = strings.ToUpper(what[:1]) + what[1:]
	}
	if len(runs) == 0 {
		return what + "."
	}
	var im []string
	for _, i := range bench.KnownImpls() {
		if impls[i] {
			im = append(im, i)
		}
	}
	rr := fmt.Sprintf("%g runs each", minf(runs))
	if minf(runs) != maxf(runs) {
		rr = fmt.Sprintf("%g–%g runs each (median %g)", minf(runs), maxf(runs), median(runs))
	}
	set := []string{}
	for _, k := range []string{"count", "benchtime", "warmup", "time-budget"} {
		if v := r.ConfigValue(k); v != "" {
			set = append(set, k+" "+v)
		}
	}
	out := fmt.Sprintf("%s: %s cells (impl %s), %s", what, fmt.Sprint(len(runs)), strings.Join(im, ", "), rr)
	if len(set) > 0 {
		out += "; run settings: " + strings.Join(set, ", ")
	}
	return out + "."
}

// siblingReports are the REPORT.md of sibling results folders whose name
// matches pattern (e.g. "*-variants"), as links relative to a report in
// dir; none when the run has no folder.
func siblingReports(r *view.Run, pattern string) []string {
	if r.Dir == "" {
		return nil
	}
	parent := filepath.Dir(filepath.Clean(r.Dir))
	matches, _ := filepath.Glob(filepath.Join(parent, pattern, "REPORT.md"))
	sort.Strings(matches)
	var out []string
	for _, m := range matches {
		name := filepath.Base(filepath.Dir(m))
		if name == filepath.Base(filepath.Clean(r.Dir)) {
			continue
		}
		if _, err := os.Stat(m); err == nil {
			out = append(out, fmt.Sprintf("[%s](../%s/REPORT.md)", name, name))
		}
	}
	return out
}
