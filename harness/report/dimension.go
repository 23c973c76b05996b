package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/impl"
)

// The dimensioning analysis (Kalibera and Jones, "Rigorous benchmarking in
// reasonable time", ISMM 2013) of a run whose cells carry their own
// replication settings (the dimension profile, bench.Dimension): per
// workload and setting (samples per run × sample length), how much the
// samples of one program run vary (within-run) and how much the per-run
// medians vary (between-run), what a program run costs, and from these the
// cheapest runs × setting that reaches a given precision of the cell's
// median. It is a pure function of raw.bench (AnalyzeDimension).
//
// Definitions (all of ns/op, the headline metric of every workload):
//   - within-run CV: √MSW / grand mean, the pooled SD of the samples
//     within a run relative to the mean (stats.VarianceComponents);
//   - between-run CV: the spread of the per-run medians as a
//     normal-consistent SD, their interquartile range / 1.349 (nearest-rank
//     quartiles, impl.Percentile), relative to their median. It is what the
//     CI of the cell's median is made of (it contains the within-run noise
//     left after taking each run's median), measured as robustly as the
//     order-statistic CI at 12 or more runs treats an outlying run; the
//     plain SD of the run medians is given beside it per cell;
//   - predicted CI half-width for n runs: stats.ExpectedHalfWidth, the
//     expected half-width of the order-statistic CI the project uses when
//     the per-run medians are normal with the between-run CV (a normal
//     approximation, stated as such in the document and checked against
//     the observed half-width);
//   - cost of a run: the wall time the harness recorded for each program
//     run (start of the measured program to its exit: interpreter and
//     children start-up, calibration, warm-up, samples, teardown),
//     median over the cell's runs.

// DimTarget is a precision to reach: a relative CI half-width of the
// median (e.g. 0.05 for ±5%) for at least a share of the workload's cells.
type DimTarget struct {
	HalfWidth float64
	Share     float64
}

func (t DimTarget) String() string {
	g := func(x float64) string { return strconv.FormatFloat(math.Round(x*1000)/10, 'g', -1, 64) }
	return fmt.Sprintf("±%s%% for %s%% of cells", g(t.HalfWidth), g(t.Share))
}

// DimTargets are the precisions the dimensioning document asks for.
var DimTargets = []DimTarget{{HalfWidth: 0.05, Share: 0.90}, {HalfWidth: 0.10, Share: 0.75}}

// DimMaxRuns is the most runs per cell the analysis considers.
const DimMaxRuns = 100

// DimSetting is a replication setting: samples per program run and the
// sample length (0 for startup and pool, whose sample is one start or one
// map whatever the benchtime).
type DimSetting struct {
	Count     int
	Benchtime time.Duration
}

func (s DimSetting) String() string {
	if s.Benchtime == 0 {
		return fmt.Sprintf("count=%d", s.Count)
	}
	return fmt.Sprintf("count=%d benchtime=%v", s.Count, s.Benchtime)
}

// DimCell is one base cell at one setting.
type DimCell struct {
	Base      bench.Cell // the cell without its settings
	Setting   DimSetting
	Runs      int     // program runs with samples
	Median    float64 // median of the per-run medians (ns/op)
	WithinCV  float64 // NaN when it cannot be estimated
	BetweenCV float64 // robust (IQR / 1.349); NaN below 2 runs
	BetweenSD float64 // plain SD of the run medians relative to their median; NaN below 2 runs
	Share     float64 // between-run share of the variance (stats.BetweenShare)
	Observed  float64 // relative CI half-width at Runs (+Inf: no CI)
	Predicted float64 // ExpectedHalfWidth(BetweenCV, Runs)
	Wall      time.Duration
	WallRuns  int // runs with a recorded wall time

	vb, vw float64 // variance components (stats.VarianceComponents); NaN when unknown
}

// DimNeed is what one setting of a workload needs for a target.
type DimNeed struct {
	Runs    int           // runs per cell; 0: not within DimMaxRuns
	Cost    time.Duration // Runs × the row's wall time per run; 0 when unknown
	Share   float64       // share of the row's cells that reach the target at Runs
	Reached float64       // share of the row's cells that reach it within DimMaxRuns
}

// DimRow is one workload at one setting, over its cells.
type DimRow struct {
	Workload      string
	Setting       DimSetting
	Cells         int
	Runs          int     // fewest runs of a cell of the row
	WithinCV      float64 // median over cells
	BetweenCV     float64 // median over cells
	BetweenCV90   float64 // 90th percentile (nearest rank) over cells
	Observed      float64 // median over cells of the observed CI half-width
	Predicted     float64 // median over cells of the predicted one at the same runs
	Wall          time.Duration
	Need          []DimNeed // per target, in the order of Dimensioning.Targets
	cells         []DimCell
	wallsComplete bool
}

// DimChoice is the cheapest setting of a workload for a target.
type DimChoice struct {
	Workload string
	Target   DimTarget
	Found    bool
	Setting  DimSetting
	Need     DimNeed
	// When !Found: the best share of cells reaching the target within
	// DimMaxRuns, and what the target would take beyond DimMaxRuns by the
	// large-n normal CI of a median (stats.LargeRuns; Far.Runs 0: no
	// setting has wall times).
	BestShare   float64
	BestSetting DimSetting
	Far         DimNeed
	FarSetting  DimSetting
}

// DimKJ is the Kalibera–Jones optimal count of a workload at a benchtime:
// r* = √((c_run / c_sample) × (σ²_w / σ²_b)) with c_run the cost of a
// program run without samples and c_sample the cost of one more sample
// (both from the recorded wall times of the two counts), σ²_w and σ²_b the
// within- and between-run variance components at the larger count. The
// medians over the workload's cells.
type DimKJ struct {
	Workload   string
	Benchtime  time.Duration
	Cells      int
	RunCost    time.Duration
	SampleCost time.Duration
	Ratio      float64 // σ²_w / σ²_b
	Count      float64 // r*; +Inf when σ²_b is 0
}

// DimProblem is a cell that was not analysed, with why.
type DimProblem struct{ Name, Why string }

// Dimensioning is the analysis of one run.
type Dimensioning struct {
	Targets  []DimTarget
	Cells    []DimCell
	Rows     []DimRow
	Choices  []DimChoice
	KJ       []DimKJ
	Problems []DimProblem
	Walls    bool // every analysed cell has wall times
}

// AnalyzeDimension analyses a run's cells by setting. Cells without their
// own settings count as the run's (config count and benchtime), so any
// run can be analysed; cells whose name does not parse are left out.
func AnalyzeDimension(r *view.Run, targets []DimTarget) (*Dimensioning, error) {
	count0, _ := strconv.Atoi(r.ConfigValue("count"))
	bt0, _ := time.ParseDuration(r.ConfigValue("benchtime"))
	d := &Dimensioning{Targets: targets, Walls: true}
	for _, c := range r.FileOrder() {
		if !c.Parsed {
			continue
		}
		if c.Status != view.StatusOK {
			d.Problems = append(d.Problems, DimProblem{c.Name, c.Status + ": " + c.Reason})
			continue
		}
		dc := dimCell(c, count0, bt0)
		if dc.Runs < 2 {
			d.Problems = append(d.Problems, DimProblem{c.Name, fmt.Sprintf("%d runs with samples: need ≥ 2 for a between-run CV", dc.Runs)})
			continue
		}
		d.Walls = d.Walls && dc.WallRuns == dc.Runs
		d.Cells = append(d.Cells, dc)
	}
	if len(d.Cells) == 0 {
		return nil, fmt.Errorf("no cell with 2 or more program runs to analyse")
	}
	d.Rows = dimRows(d.Cells, targets)
	d.Choices = dimChoices(d.Rows, targets)
	d.KJ = dimKJ(d.Cells)
	return d, nil
}

func dimCell(vc *view.Cell, count0 int, bt0 time.Duration) DimCell {
	c := vc.Cell
	count, bt := c.Settings(count0, bt0)
	if c.Workload != bench.Pingpong && c.Workload != bench.Stream {
		bt = 0
	}
	runs := vc.ByRun("ns/op")
	meds := stats.RunMedians(runs)
	sum := stats.Summarize(runs)
	dc := DimCell{Base: c.Base(), Setting: DimSetting{count, bt}, Runs: len(meds), Median: sum.Median,
		WithinCV: math.NaN(), BetweenCV: relIQR(meds), BetweenSD: relSD(meds), Share: sum.BetweenShare, Observed: sum.HalfWidth()}
	dc.vb, dc.vw = math.NaN(), math.NaN()
	if vb, vw, mean, ok := stats.VarianceComponents(runs); ok && mean != 0 {
		dc.WithinCV = math.Sqrt(vw) / math.Abs(mean)
		dc.vb, dc.vw = vb, vw
	}
	dc.Predicted = stats.ExpectedHalfWidth(dc.BetweenCV, dc.Runs)
	var walls []float64
	for _, r := range vc.ProgramRuns() {
		if r.Wall > 0 && len(r.Samples) > 0 {
			walls = append(walls, float64(r.Wall))
		}
	}
	dc.WallRuns = len(walls)
	if len(walls) > 0 {
		dc.Wall = time.Duration(stats.Median(walls))
	}
	return dc
}

// relSD is the sample SD of xs relative to their median (NaN below 2).
func relSD(xs []float64) float64 {
	if len(xs) < 2 {
		return math.NaN()
	}
	mean := 0.0
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	ss := 0.0
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	med := stats.Median(xs)
	if med == 0 {
		return math.NaN()
	}
	return math.Sqrt(ss/float64(len(xs)-1)) / math.Abs(med)
}

// relIQR is the interquartile range of xs / 1.349 (the SD for normal
// data) relative to their median (NaN below 2).
func relIQR(xs []float64) float64 {
	med := stats.Median(xs)
	if len(xs) < 2 || med == 0 {
		return math.NaN()
	}
	return (nearestRank(xs, 0.75) - nearestRank(xs, 0.25)) / 1.349 / math.Abs(med)
}

// nearestRank is the nearest-rank q-quantile of xs (impl.Percentile; NaN
// for none).
func nearestRank(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return impl.Percentile(sortedCopy(xs), q)
}

// dimRows groups the cells by workload and setting (canonical workload
// order, then count, then benchtime) and computes each row's needs.
func dimRows(cells []DimCell, targets []DimTarget) []DimRow {
	idx := map[string]int{}
	var rows []DimRow
	for _, c := range cells {
		k := c.Base.Workload + "/" + c.Setting.String()
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, DimRow{Workload: c.Base.Workload, Setting: c.Setting, wallsComplete: true})
		}
		rows[i].cells = append(rows[i].cells, c)
	}
	for i := range rows {
		rows[i].summarize(targets)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Workload != b.Workload {
			return view.Rank(bench.Workloads, a.Workload) < view.Rank(bench.Workloads, b.Workload)
		}
		if a.Setting.Count != b.Setting.Count {
			return a.Setting.Count < b.Setting.Count
		}
		return a.Setting.Benchtime < b.Setting.Benchtime
	})
	return rows
}

func (r *DimRow) summarize(targets []DimTarget) {
	var within, between, obs, pred, walls []float64
	r.Cells, r.Runs = len(r.cells), math.MaxInt
	for _, c := range r.cells {
		r.Runs = min(r.Runs, c.Runs)
		if !math.IsNaN(c.WithinCV) {
			within = append(within, c.WithinCV)
		}
		between = append(between, c.BetweenCV)
		obs = append(obs, c.Observed)
		pred = append(pred, c.Predicted)
		if c.WallRuns == c.Runs {
			walls = append(walls, float64(c.Wall))
		} else {
			r.wallsComplete = false
		}
	}
	r.WithinCV, r.BetweenCV = stats.Median(within), stats.Median(between)
	r.BetweenCV90 = nearestRank(between, 0.9)
	r.Observed, r.Predicted = stats.Median(obs), stats.Median(pred)
	if r.wallsComplete {
		// The mean over cells: the workload's time is the sum over its cells.
		sum := 0.0
		for _, w := range walls {
			sum += w
		}
		r.Wall = time.Duration(sum / float64(len(walls)))
	}
	for _, t := range targets {
		r.Need = append(r.Need, r.need(t, false))
	}
}

// need is the runs per cell with which at least t.Share of the row's cells
// reach t.HalfWidth (nearest rank over the cells' own run counts), and
// what that costs per cell. Each cell's runs: stats.RunsFor up to
// DimMaxRuns, or with far the large-n estimate stats.LargeRuns.
func (r *DimRow) need(t DimTarget, far bool) DimNeed {
	var ns []float64
	reached := 0
	for _, c := range r.cells {
		n := stats.RunsFor(c.BetweenCV, t.HalfWidth, DimMaxRuns)
		if far {
			n = stats.LargeRuns(c.BetweenCV, t.HalfWidth)
		}
		if n == 0 {
			ns = append(ns, math.Inf(1))
			continue
		}
		reached++
		ns = append(ns, float64(n))
	}
	out := DimNeed{Reached: float64(reached) / float64(len(r.cells))}
	if q := nearestRank(ns, t.Share); !math.IsInf(q, 1) {
		out.Runs = int(q)
		if r.wallsComplete {
			out.Cost = time.Duration(q) * r.Wall
		}
		at := 0
		for _, n := range ns {
			if n <= q {
				at++
			}
		}
		out.Share = float64(at) / float64(len(ns))
	}
	return out
}

// dimChoices picks, per workload and target, the setting whose runs cost
// the least (ties: fewer runs); settings without wall times cannot be
// chosen.
func dimChoices(rows []DimRow, targets []DimTarget) []DimChoice {
	var out []DimChoice
	for _, w := range bench.Workloads {
		for ti, t := range targets {
			ch := DimChoice{Workload: w, Target: t, BestShare: -1}
			seen := false
			for _, r := range rows {
				if r.Workload != w {
					continue
				}
				seen = true
				n := r.Need[ti]
				if n.Reached > ch.BestShare {
					ch.BestShare, ch.BestSetting = n.Reached, r.Setting
				}
				if n.Runs == 0 || !r.wallsComplete {
					continue
				}
				if !ch.Found || n.Cost < ch.Need.Cost || (n.Cost == ch.Need.Cost && n.Runs < ch.Need.Runs) {
					ch.Found, ch.Setting, ch.Need = true, r.Setting, n
				}
			}
			if !seen {
				continue
			}
			if !ch.Found {
				ch.Far, ch.FarSetting = farNeed(rows, w, t)
			}
			out = append(out, ch)
		}
	}
	return out
}

// farNeed is the cheapest setting of a workload for a target by the
// large-n estimate (rows with wall times only).
func farNeed(rows []DimRow, w string, t DimTarget) (DimNeed, DimSetting) {
	var best DimNeed
	var at DimSetting
	for _, r := range rows {
		if r.Workload != w || !r.wallsComplete {
			continue
		}
		if n := r.need(t, true); n.Runs > 0 && (best.Runs == 0 || n.Cost < best.Cost) {
			best, at = n, r.Setting
		}
	}
	return best, at
}

// dimKJ computes the Kalibera–Jones optimal count per workload and
// benchtime from the cells measured at two counts or more (the smallest
// and the largest).
func dimKJ(cells []DimCell) []DimKJ {
	type key struct {
		workload, base string
		bt             time.Duration
	}
	by := map[key][]DimCell{}
	var order []key
	for _, c := range cells {
		k := key{c.Base.Workload, c.Base.Name(), c.Setting.Benchtime}
		if by[k] == nil {
			order = append(order, k)
		}
		by[k] = append(by[k], c)
	}
	type acc struct{ run, sample, ratio, count []float64 }
	accs := map[DimKJ]*acc{} // by workload and benchtime
	var out []DimKJ
	for _, k := range order {
		run, sample, ratio, ok := kjCell(by[k])
		if !ok {
			continue
		}
		row := DimKJ{Workload: k.workload, Benchtime: k.bt}
		a := accs[row]
		if a == nil {
			a = &acc{}
			accs[row] = a
			out = append(out, row)
		}
		a.run, a.sample, a.ratio = append(a.run, run), append(a.sample, sample), append(a.ratio, ratio)
		a.count = append(a.count, math.Sqrt(run/sample*ratio))
	}
	for i, row := range out {
		a := accs[row]
		out[i].Cells = len(a.run)
		out[i].RunCost, out[i].SampleCost = time.Duration(stats.Median(a.run)), time.Duration(stats.Median(a.sample))
		out[i].Ratio, out[i].Count = stats.Median(a.ratio), stats.Median(a.count)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Workload != out[j].Workload {
			return view.Rank(bench.Workloads, out[i].Workload) < view.Rank(bench.Workloads, out[j].Workload)
		}
		return out[i].Benchtime < out[j].Benchtime
	})
	return out
}

// kjCell is one base cell's cost of a run without samples and of one
// sample (from the wall times at its smallest and largest count) and its
// σ²_w / σ²_b at the largest count (+Inf when σ²_b is 0).
func kjCell(cs []DimCell) (run, sample, ratio float64, ok bool) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Setting.Count < cs[j].Setting.Count })
	lo, hi := cs[0], cs[len(cs)-1]
	if lo.Setting.Count == hi.Setting.Count || lo.WallRuns == 0 || hi.WallRuns == 0 || math.IsNaN(hi.vb) {
		return 0, 0, 0, false
	}
	sample = float64(hi.Wall-lo.Wall) / float64(hi.Setting.Count-lo.Setting.Count)
	run = float64(lo.Wall) - float64(lo.Setting.Count)*sample
	if sample <= 0 || run <= 0 {
		return 0, 0, 0, false
	}
	ratio = math.Inf(1)
	if hi.vb > 0 {
		ratio = hi.vw / hi.vb
	}
	return run, sample, ratio, true
}
