package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"gonum.org/v1/plot"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

//go:embed dimensioning.md.tmpl
var dimTemplateText string

var dimTemplate = template.Must(template.New("dimensioning").Parse(dimTemplateText))

// DimFigure is the name of the dimensioning figure (.svg and .png).
const DimFigure = "dimensioning-cv"

// DimOptions say where a dimensioning document goes and what it names.
type DimOptions struct {
	Doc      string // the markdown file to write
	FigDir   string // folder of the figure, relative to the document's folder ("": beside it)
	Run      string // the run folder as the document links it (relative to the document's folder)
	Command  string // the command that generated the document
	Defaults string // the profiles' current replication settings, in words ("": not named)
}

// IsDimensionRun reports whether a results file holds cells that carry
// their own replication settings (a run of the dimension profile).
func IsDimensionRun(r *view.Run) bool {
	for _, c := range r.Cells {
		if c.Parsed && c.Cell.HasSettings() {
			return true
		}
	}
	return false
}

// WriteDimensioning analyses the run in dir and writes the document and
// its figure (files are rewritten only when their content changed).
func WriteDimensioning(dir string, o DimOptions) (*Dimensioning, error) {
	f, err := view.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	d, err := AnalyzeDimension(f, DimTargets)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	docDir := filepath.Dir(o.Doc)
	fig := d.Figure(machineShort(f))
	svg, png, err := fig.render()
	if err != nil {
		return nil, fmt.Errorf("plot %s: %v", fig.name, err)
	}
	if err := os.MkdirAll(filepath.Join(docDir, o.FigDir), 0o755); err != nil {
		return nil, err
	}
	for ext, data := range map[string][]byte{".svg": svg, ".png": png} {
		if err := writeFile(filepath.Join(docDir, o.FigDir, fig.name+ext), data); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := d.Markdown(&b, f, o, fig); err != nil {
		return nil, err
	}
	return d, writeFile(o.Doc, b.Bytes())
}

// generateDimension reports a run of the dimension profile: its analysis
// instead of the matrix tables, whose rows would repeat every cell once
// per setting. md writes REPORT.md and plots/ into the run folder (or
// OutDir); text prints the analysis's tables; csv and json stay per cell
// (every (cell, setting) a row of its own). It reports whether it handled
// the request.
func generateDimension(dirs []string, runs []*view.Run, o Options, stdout io.Writer) (bool, error) {
	dim := -1
	for i, r := range runs {
		for _, c := range r.Cells {
			if c.Parsed && c.Cell.HasSettings() {
				dim = i
			}
		}
	}
	if dim < 0 || o.Format == "csv" || o.Format == "json" {
		return false, nil
	}
	if len(runs) > 1 {
		return true, fmt.Errorf("%s is a dimensioning run (its cells carry their own count and benchtime): report it alone", runs[dim].Dir)
	}
	dir := runs[0].Dir
	if o.Format == "text" {
		d, err := AnalyzeDimension(runs[0], DimTargets)
		if err != nil {
			return true, err
		}
		for _, t := range []*Table{d.choiceTable(), d.rowTable(), d.kjTable()} {
			if err := t.Text(stdout); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	out := o.OutDir
	if out == "" {
		out = dirs[0]
	}
	doc := filepath.Join(out, "REPORT.md")
	// The report names the run by its folder's base name, whatever path it
	// was given as, so regenerating it anywhere gives the same bytes.
	_, err := WriteDimensioning(dir, DimOptions{Doc: doc, FigDir: "plots", Run: ".",
		Command: "mpbench report " + filepath.Base(filepath.Clean(dir))})
	return true, err
}

// dimView is what the template fills in: text and rendered tables.
type dimView struct {
	Command, Run, RunLink, Machine, RunLine string
	Notes                                   []string
	Choices, ChoiceCaption                  string
	Confidence, MinRuns, MaxRuns            int
	Shrink, CostSource, Check               string
	Rows, RowsCaption, KJ, KJCaption        string
	Figure, FigureTitle, FigureCaption      string
	Cells, CellsCaption                     string
	Problems                                []DimProblem
}

// Markdown renders the dimensioning document of the run f was read from.
func (d *Dimensioning) Markdown(w io.Writer, f *view.Run, o DimOptions, fig *figure) error {
	run := filepath.ToSlash(o.Run)
	v := dimView{Command: o.Command, Run: run, RunLink: run + "/" + view.RawFile, Machine: machineLine(f),
		RunLine: d.runLine(f), Notes: f.Notes, Confidence: int(stats.Confidence * 100), MinRuns: stats.MinRuns,
		MaxRuns: DimMaxRuns, Shrink: shrinkText(), CostSource: d.costSource(), Check: d.check(),
		Figure: filepath.ToSlash(filepath.Join(o.FigDir, fig.name)), FigureTitle: fig.title, FigureCaption: fig.caption,
		Problems: d.Problems}
	v.ChoiceCaption = "Runs per cell are the runs that give a share of the workload's cells the precision asked for " +
		"(predicted); time per cell is those runs × the wall time of one program run at that setting (mean over the " +
		"workload's cells); the last column is the share of the workload's cells whose predicted half-width at those runs " +
		"is within the precision. Where no setting reaches it within " + fmt.Sprint(DimMaxRuns) + " runs: what it would take, " +
		"by the normal CI of a median for many runs (⌈(1.96 · 1.2533 · CV / h)²⌉ runs per cell, same quantile and cost rule), and the " +
		"largest share of cells that reaches it within " + fmt.Sprint(DimMaxRuns) + " runs."
	if o.Defaults != "" {
		v.ChoiceCaption += " The profiles' settings when this was generated: " + o.Defaults + "."
	}
	v.RowsCaption = "CVs are medians over the workload's cells (between-run also the 90th percentile, nearest rank). " +
		"CI half-width: observed at the runs measured, and predicted by the normal approximation for the same runs (medians over cells). " +
		"Wall per run: mean over cells of each cell's median. Runs and time per cell for each precision as in the table above; " +
		"\"—\": not reached within " + fmt.Sprint(DimMaxRuns) + " runs."
	v.KJCaption = "Per base cell, from its smallest and largest count at one benchtime: the cost of one more sample " +
		"c_sample = Δwall / Δcount, the cost of a run without samples c_run = wall − count × c_sample, and σ²_w / σ²_b " +
		"(ANOVA components at the larger count); r* = √(c_run / c_sample × σ²_w / σ²_b) is the count per run that " +
		"minimises the cost of a given precision of the mean (Kalibera and Jones); below 1 it says one sample per run and more runs. " +
		"Medians over the cells; ∞: no variance between runs."
	v.CellsCaption = "Median of the per-run medians of ns/op; CI half-width: observed, relative to the median (\"no CI\" below " +
		fmt.Sprint(stats.MinRuns) + " runs); between share: σ²_b / (σ²_b + σ²_w); wall: median over the cell's runs."
	md := func(t *Table) (string, error) {
		var b bytes.Buffer
		err := t.render(&b, true)
		return strings.TrimRight(b.String(), "\n"), err
	}
	var err error
	if v.Choices, err = md(d.choiceTable()); err != nil {
		return err
	}
	if v.Rows, err = md(d.rowTable()); err != nil {
		return err
	}
	if v.Cells, err = md(d.cellTable()); err != nil {
		return err
	}
	if len(d.KJ) > 0 {
		if v.KJ, err = md(d.kjTable()); err != nil {
			return err
		}
	}
	return dimTemplate.Execute(w, v)
}

// runLine states what the run measured and when.
func (d *Dimensioning) runLine(f *view.Run) string {
	bases, settings := map[string]bool{}, map[string]bool{}
	programRuns, lo, hi := 0, math.MaxInt, 0
	for _, c := range d.Cells {
		bases[c.Base.Name()] = true
		settings[c.Setting.String()] = true
		programRuns += c.Runs
		lo, hi = min(lo, c.Runs), max(hi, c.Runs)
	}
	runs := fmt.Sprint(lo)
	if hi != lo {
		runs = fmt.Sprintf("%d–%d", lo, hi)
	}
	s := fmt.Sprintf("Run: profile `%s`, %d cells at %d settings, %d (cell, setting) pairs analysed with %s program runs each "+
		"(%d program runs), interleaved in shuffled rounds (seed %s)", orDash(f.ConfigValue("profile")), len(bases), len(settings),
		len(d.Cells), runs, programRuns, orDash(f.ConfigValue("shuffle-seed")))
	if st, end := f.ConfigValue("start"), f.ConfigValue("run-end"); st != "" && end != "" {
		s += fmt.Sprintf(", measured from %s to %s", st, end)
	}
	s += "."
	if lo < stats.MinRuns {
		s += fmt.Sprintf(" **Some pairs have fewer than %d runs: their spreads are rough and they have no CI.**", stats.MinRuns)
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// shrinkText shows how the predicted half-width shrinks with runs.
func shrinkText() string {
	var p []string
	for _, n := range []int{6, 12, 24, 48, 96} {
		p = append(p, fmt.Sprintf("%d runs ±%s%%", n, sig3(100*stats.ExpectedHalfWidth(0.10, n))))
	}
	return "at a between-run CV of 10%, " + strings.Join(p, ", ")
}

func (d *Dimensioning) costSource() string {
	s := "recorded by the harness for every program run (start of the measured program to its exit: interpreter and " +
		"children start-up, calibration, warm-up, the samples, teardown; the harness's own work between runs is not counted), " +
		"the median over a cell's runs, averaged over the workload's cells."
	if !d.Walls {
		s += " Some cells of this run have no recorded wall time (runs recorded before mpbench recorded it): their settings are not costed and not chosen."
	}
	return s
}

// check compares the predicted half-width with the observed one at the
// runs measured.
func (d *Dimensioning) check() string {
	var ratios []float64
	within := 0
	for _, c := range d.Cells {
		if math.IsInf(c.Observed, 0) || math.IsInf(c.Predicted, 0) || c.Predicted == 0 || math.IsNaN(c.Predicted) {
			continue
		}
		r := c.Observed / c.Predicted
		ratios = append(ratios, r)
		if r >= 1/1.5 && r <= 1.5 {
			within++
		}
	}
	if len(ratios) == 0 {
		return "no (cell, setting) pair has both a CI and a prediction."
	}
	return fmt.Sprintf("over the %d (cell, setting) pairs with a CI, the observed half-width divided by the predicted one "+
		"at the same runs has median %s (25th–75th percentile %s–%s); it is within a factor 1.5 for %.0f%% of them.",
		len(ratios), sig3(stats.Median(ratios)), sig3(nearestRank(ratios, 0.25)), sig3(nearestRank(ratios, 0.75)), pct(within, len(ratios)))
}

// pctText is a share as a percentage with three significant digits.
func pctText(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case math.IsInf(x, 1):
		return "no CI"
	}
	return sig3(100*x) + "%"
}

func durText(t time.Duration) string {
	if t <= 0 {
		return "—"
	}
	return bench.Format("ns/op", float64(t))
}

func (d *Dimensioning) choiceTable() *Table {
	t := &Table{Header: []string{"workload", "precision asked", "cheapest setting", "runs per cell", "time per cell", "cells reaching it at those runs"}, Left: 3}
	for _, c := range d.Choices {
		if !c.Found {
			far := ""
			if c.Far.Runs > 0 {
				far = fmt.Sprintf(" (would take ≈ %d runs × %s: %s per cell)", c.Far.Runs, c.FarSetting, durText(c.Far.Cost))
			}
			t.Rows = append(t.Rows, []string{c.Workload, c.Target.String(), fmt.Sprintf("none within %d runs%s", DimMaxRuns, far), "—", "—",
				fmt.Sprintf("at best %s within %d runs (%s)", pctText(c.BestShare), DimMaxRuns, c.BestSetting)})
			continue
		}
		t.Rows = append(t.Rows, []string{c.Workload, c.Target.String(), c.Setting.String(), fmt.Sprint(c.Need.Runs),
			durText(c.Need.Cost), pctText(c.Need.Share)})
	}
	return t
}

func (d *Dimensioning) rowTable() *Table {
	t := &Table{Header: []string{"workload", "setting", "cells", "runs", "within-run CV", "between-run CV (median / 90th pct)",
		"CI half-width observed / predicted", "wall per run"}, Left: 2}
	for _, tg := range d.Targets {
		t.Header = append(t.Header, tg.String()+": runs, time per cell")
	}
	for _, r := range d.Rows {
		row := []string{r.Workload, r.Setting.String(), fmt.Sprint(r.Cells), fmt.Sprint(r.Runs), pctText(r.WithinCV),
			pctText(r.BetweenCV) + " / " + pctText(r.BetweenCV90), pctText(r.Observed) + " / " + pctText(r.Predicted), durText(r.Wall)}
		for _, n := range r.Need {
			if n.Runs == 0 {
				row = append(row, "—")
				continue
			}
			row = append(row, fmt.Sprintf("%d, %s", n.Runs, durText(n.Cost)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (d *Dimensioning) kjTable() *Table {
	t := &Table{Header: []string{"workload", "benchtime", "cells", "run without samples", "one sample", "σ²_w / σ²_b", "optimal count r*"}, Left: 2}
	for _, k := range d.KJ {
		bt := "—"
		if k.Benchtime > 0 {
			bt = k.Benchtime.String()
		}
		t.Rows = append(t.Rows, []string{k.Workload, bt, fmt.Sprint(k.Cells), durText(k.RunCost), durText(k.SampleCost), sig3(k.Ratio), sig3(k.Count)})
	}
	return t
}

func (d *Dimensioning) cellTable() *Table {
	t := &Table{Header: []string{"cell", "setting", "runs", "median", "within-run CV", "between-run CV (robust / SD)", "between share",
		"CI half-width", "wall per run"}, Left: 2}
	cells := append([]DimCell(nil), d.Cells...)
	sort.SliceStable(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if a.Base.Name() != b.Base.Name() {
			return view.Rank(bench.Workloads, a.Base.Workload) < view.Rank(bench.Workloads, b.Base.Workload) ||
				(a.Base.Workload == b.Base.Workload && a.Base.Name() < b.Base.Name())
		}
		return a.Setting.Count < b.Setting.Count || (a.Setting.Count == b.Setting.Count && a.Setting.Benchtime < b.Setting.Benchtime)
	})
	for _, c := range cells {
		t.Rows = append(t.Rows, []string{"`" + c.Base.Name() + "`", c.Setting.String(), fmt.Sprint(c.Runs), bench.Format("ns/op", c.Median),
			pctText(c.WithinCV), pctText(c.BetweenCV) + " / " + pctText(c.BetweenSD), pctText(c.Share), pctText(c.Observed), durText(c.Wall)})
	}
	return t
}

// Figure is the CVs by setting: one panel per workload, the between-run
// and the within-run CV (median over the workload's cells, whiskers the
// 25th–75th percentile), against benchtime (pingpong, stream: one line
// per count) or count (startup, pool).
func (d *Dimensioning) Figure(machine string) *figure {
	f := &figure{name: DimFigure, cols: 2,
		title: "Run-to-run and within-run variation by setting",
		caption: "Coefficient of variation of ns/op, median over the workload's cells (whiskers: 25th–75th percentile over the cells; " +
			"log scale): solid, the between-run CV (the spread of the per-run medians, what the CI of a cell's median is made of); " +
			"dashed, the within-run CV (samples of one program run). Pingpong and stream by sample length (benchtime), one colour per count; " +
			"startup and pool by count (one sample is one start or one map)."}
	if machine != "" {
		f.title += " (" + machine + ")"
	}
	for _, w := range bench.Workloads {
		var cells []DimCell
		for _, c := range d.Cells {
			if c.Base.Workload == w {
				cells = append(cells, c)
			}
		}
		if len(cells) > 0 {
			f.panels = append(f.panels, dimPanel(w, cells))
		}
	}
	return f
}

func dimPanel(w string, cells []DimCell) panel {
	bases := map[string]bool{}
	for _, c := range cells {
		bases[c.Base.Name()] = true
	}
	pn := panel{title: fmt.Sprintf("%s (%d cells)", w, len(bases)), ylabel: "CV of ns/op (%)", logY: true}
	byBenchtime := w == bench.Pingpong || w == bench.Stream
	groups := map[int][]DimCell{} // by count (pingpong, stream), else one group
	var xs []float64
	for _, c := range cells {
		g, x := 0, float64(c.Setting.Count)
		if byBenchtime {
			g, x = c.Setting.Count, float64(c.Setting.Benchtime)/1e6
		}
		groups[g] = append(groups[g], c)
		if !slices.Contains(xs, x) {
			xs = append(xs, x)
		}
	}
	sort.Float64s(xs)
	var ticks []plot.Tick
	for _, x := range xs {
		label := strconv.FormatFloat(x, 'g', -1, 64)
		if byBenchtime {
			label = time.Duration(x * 1e6).String()
		}
		ticks = append(ticks, plot.Tick{Value: x, Label: label})
	}
	pn.xticks, pn.xmin, pn.xmax, pn.logX = ticks, xs[0]/1.6, xs[len(xs)-1]*1.6, true
	pn.xlabel = "samples per run (count)"
	if byBenchtime {
		pn.xlabel = "sample length (benchtime)"
	}
	keys := make([]int, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for i, k := range keys {
		name := ""
		if byBenchtime {
			name = fmt.Sprintf(", count=%d", k)
		}
		pn.series = append(pn.series,
			series{name: "between runs" + name, color: i, shape: i, pts: cvPoints(groups[k], byBenchtime, func(c DimCell) float64 { return c.BetweenCV })},
			series{name: "within runs" + name, color: i, shape: i, dash: 1, pts: cvPoints(groups[k], byBenchtime, func(c DimCell) float64 { return c.WithinCV })})
	}
	return pn
}

// cvPoints are the median (whiskers: 25th–75th percentile) of a CV over
// the cells at each x, in percent.
func cvPoints(cells []DimCell, byBenchtime bool, cv func(DimCell) float64) []pt {
	at := map[float64][]float64{}
	var xs []float64
	for _, c := range cells {
		x := float64(c.Setting.Count)
		if byBenchtime {
			x = float64(c.Setting.Benchtime) / 1e6
		}
		if v := cv(c); !math.IsNaN(v) {
			if at[x] == nil {
				xs = append(xs, x)
			}
			at[x] = append(at[x], 100*v)
		}
	}
	sort.Float64s(xs)
	var out []pt
	for _, x := range xs {
		v := at[x]
		out = append(out, pt{x: x, y: stats.Median(v), lo: nearestRank(v, 0.25), hi: nearestRank(v, 0.75)})
	}
	return out
}

// The README's dimensioning block, beside the profiles' settings:
//
//	<!-- BEGIN generated:dimensioning run=<folder> -->
//	<!-- END generated:dimensioning -->
//
// `mpbench dimension --readme README.md DIR` rewrites it; a block without
// run= is the placeholder of a README whose settings no dimensioning run
// has measured yet.

const dimBlockEnd = "<!-- END generated:dimensioning -->"

var dimBlockBegin = regexp.MustCompile(`<!-- BEGIN generated:dimensioning(?: run=(\S+))? -->\n`)

// ReadmeBlock renders the README block of an analysed run: per workload
// the chosen setting for each precision. run and doc are the run folder
// and the document as the README links them.
func (d *Dimensioning) ReadmeBlock(run, doc, command, defaults string) ([]byte, error) {
	run, doc = filepath.ToSlash(run), filepath.ToSlash(doc)
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!-- BEGIN generated:dimensioning run=%s -->\n", run)
	fmt.Fprintf(&b, "*Generated by `%s` from [%s](%s/%s); the measured variance, costs and conditions: [%s](%s). "+
		"Do not edit by hand.*\n\n", command, run, run, view.RawFile, doc, doc)
	t := &Table{Header: []string{"workload"}, Left: 1}
	for _, tg := range d.Targets {
		t.Header = append(t.Header, tg.String())
	}
	for _, w := range bench.Workloads {
		row := []string{w}
		for _, c := range d.Choices {
			if c.Workload != w {
				continue
			}
			if c.Found {
				row = append(row, fmt.Sprintf("%d runs × %s: %s per cell", c.Need.Runs, c.Setting, durText(c.Need.Cost)))
			} else {
				row = append(row, fmt.Sprintf("not within %d runs (at best %s of cells, %s)", DimMaxRuns, pctText(c.BestShare), c.BestSetting))
			}
		}
		if len(row) > 1 {
			t.Rows = append(t.Rows, row)
		}
	}
	if err := t.render(&b, true); err != nil {
		return nil, err
	}
	if defaults != "" {
		fmt.Fprintf(&b, "\nThe cheapest runs × setting per workload that reaches each precision (predicted from the measured between-run variation); "+
			"the profiles' settings when this was generated: %s.\n", defaults)
	}
	b.WriteString(dimBlockEnd + "\n")
	return b.Bytes(), nil
}

// ReadmeDimBlock finds the dimensioning block of a README: the run folder
// it names ("" for the placeholder) and where the block lies.
func ReadmeDimBlock(readme []byte) (run string, block []byte, start, end int, err error) {
	return findBlock(readme, dimBlockBegin, dimBlockEnd, "dimensioning")
}

// UpdateReadmeDim replaces the dimensioning block of the README at path.
func UpdateReadmeDim(path string, block []byte) error {
	return replaceBlock(path, ReadmeDimBlock, func() ([]byte, error) { return block, nil })
}
