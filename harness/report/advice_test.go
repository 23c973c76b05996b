package report

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// guideReads computes the guide of a run and returns the names of the
// cells whose statistics it asked for.
func guideReads(d *Data, r *view.Run) (*Guide, map[string]*view.Cell) {
	reads := map[string]*view.Cell{}
	d.read = func(c *view.Cell) { reads[c.Name] = c }
	defer func() { d.read = nil }()
	return d.Guide(r), reads
}

// TestDecisionCellsCoverGuideReads: on the published full run, every cell
// the decision guide reads at its core count (cores = nproc) is a decision
// cell, so `mpbench advise` measures everything the rows need. Reads at
// fewer cores are the coverage counts of the full matrix ("in 7 of 8
// channel × cores cells"), which advise does not measure.
func TestDecisionCellsCoverGuideReads(t *testing.T) {
	r, err := view.Load("../../results/vm-2026-11-26", nil)
	if err != nil {
		t.Skipf("published run not available: %v", err)
	}
	d := newData([]*view.Run{r})
	g, reads := guideReads(d, r)
	if g.Impl != "cpython" || g.Cores != 2 || len(reads) == 0 {
		t.Fatalf("guide of the published run: impl=%q cores=%d, %d cells read", g.Impl, g.Cores, len(reads))
	}
	decision := map[string]bool{}
	for _, c := range bench.DecisionCells(g.Impl, g.Cores, nil) {
		decision[c.Name()] = true
	}
	atCores, workloads := 0, map[string]bool{}
	for name, c := range reads {
		if !c.Parsed || c.Cell.Cores != g.Cores {
			continue
		}
		if c.Cell.Impl == bench.ProgramImpl && c.Cell.Impl != g.Impl {
			continue // the heavy-main row also shows numpy and torch where a run has them: not decision cells
		}
		atCores++
		workloads[c.Cell.Workload] = true
		if !decision[name] {
			t.Errorf("the guide reads %s, which is not a decision cell", name)
		}
	}
	measured := map[string]bool{} // the workloads of the run (it predates gather)
	for _, c := range r.Cells {
		if c.Parsed {
			measured[c.Cell.Workload] = true
		}
	}
	if len(workloads) != len(measured) {
		t.Errorf("the guide read cells of %d workloads at cores=%d, want all %d of the run", len(workloads), g.Cores, len(measured))
	}
	t.Logf("%d cells read at cores=%d, all among the %d decision cells; %d read at fewer cores (coverage)", atCores, g.Cores, len(decision), len(reads)-atCores)
}

// decisionRun is a run in which every decision cell of cpython at cores=2
// has 6 runs of every required unit, each option clearly apart from the
// next (shm fastest at every message size), so that every row decides.
func decisionRun(t *testing.T) (*Data, *view.Run) {
	t.Helper()
	return cellsRun(t, bench.DecisionCells("cpython", 2, nil), MinRuns)
}

// cellsRun is decisionRun's values for the given cells, with the given
// number of runs each.
func cellsRun(t *testing.T, cells []bench.Cell, runs int) (*Data, *view.Run) {
	t.Helper()
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\n")
	for _, u := range bench.UnitLines() {
		b.WriteString(u + "\n")
	}
	for _, c := range cells {
		base := 1000 * float64(1+indexOf(bench.Methods, c.Method)+3*indexOf(bench.Chans, c.Chan))
		if c.Workload == "startup" {
			base *= 1 + float64(c.RSS>>20)/64 // fork grows with the parent; all methods here do
			if c.Method == "forkserver" {
				base = 2500 * float64(1+3*indexOf(bench.Chans, c.Chan))
			}
		}
		if c.Chan == "shm" && (c.Workload == "pingpong" || c.Workload == "stream") {
			base = 100
		}
		if c.Workload == "pool" {
			// 13+: loky's method and the executors' channel are no index (−1)
			base = 1000 * float64(13+indexOf(bench.Execs, c.Exec)+3*indexOf(bench.Methods, c.Method)+9*indexOf(bench.Chans, c.Chan))
		}
		for k := 0; k < runs; k++ {
			fmt.Fprintf(&b, "run: %d\n", k+1)
			v := base * (1 + 0.001*float64(k))
			for s := 0; s < 2; s++ {
				fmt.Fprintf(&b, "%s 1 %g ns/op", c.Benchmark(), v)
				for _, u := range bench.RequiredUnits(c.Workload)[1:] {
					x := v / 10
					if u == "MB/s" || u == "msgs/s" || u == "tasks/s" {
						x = 1e9 / v
					}
					if u == "efficiency" {
						x = 0.9
					}
					fmt.Fprintf(&b, " %g %s", x, u)
				}
				b.WriteString("\n")
			}
		}
	}
	r, err := view.Parse([]byte(b.String()), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	r.Dir = t.TempDir()
	return newData([]*view.Run{r}), r
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestGuideReadsEveryDecisionCell: where every decision cell has samples
// and every row decides, the guide reads each of them — the decision set
// holds no cell that no row uses — and it answers every question that is
// a matrix measurement (threads reads claim C7 instead).
func TestGuideReadsEveryDecisionCell(t *testing.T) {
	d, r := decisionRun(t)
	g, reads := guideReads(d, r)
	var unread []string
	for _, c := range bench.DecisionCells("cpython", 2, nil) {
		if reads[c.Name()] == nil {
			unread = append(unread, c.Name())
		}
	}
	sort.Strings(unread)
	if len(unread) > 0 {
		t.Errorf("%d decision cells the guide does not read: %v", len(unread), unread)
	}
	keys := map[string]bool{}
	for _, row := range g.Rows {
		keys[row.Key] = true
		if !strings.HasPrefix(row.Situation, questionTitle(row.Key)) {
			t.Errorf("row %q: situation %q does not start with its question's title", row.Key, row.Situation)
		}
	}
	for _, q := range bench.Questions {
		if !keys[q.Key] {
			t.Errorf("no row for question %s", q.Key)
		}
	}
}

func questionTitle(key string) string {
	for _, q := range bench.Questions {
		if q.Key == key {
			return q.Title
		}
	}
	return "?"
}

// TestCrossoverNeedsRuns: with fewer runs than a CI needs, the crossover
// is located but gets no bootstrap interval (resampling one or two runs
// would give a degenerate one), and the note says why.
func TestCrossoverNeedsRuns(t *testing.T) {
	for _, runs := range []int{1, 2, MinRuns} {
		cells := map[string][][]float64{}
		for i, rss := range []string{"0", "256MiB", "512MiB"} {
			for m, v := range map[string]float64{"fork": 1e6 * float64(1+3*i), "forkserver": 5.5e6} {
				var rr [][]float64
				for k := 0; k < runs; k++ {
					x := v * (1 + 0.01*float64(k))
					rr = append(rr, []float64{x, x})
				}
				cells["Startup/impl=cpython/method="+m+"/chan=pipe/rss="+rss+"/cores=2"] = rr
			}
		}
		r, err := view.Parse([]byte(rawRuns(cells)), "raw.bench")
		if err != nil {
			t.Fatal(err)
		}
		r.Dir = t.TempDir()
		g := newData([]*view.Run{r}).Guide(r)
		notes := strings.Join(g.Notes, "\n")
		interval := !math.IsNaN(g.CrossLo)
		if math.IsNaN(g.Crossover) || interval != (runs >= MinRuns) || strings.Contains(notes, "no bootstrap interval") == (runs >= MinRuns) {
			t.Errorf("%d runs: crossover %v [%v, %v]; notes %q", runs, g.Crossover, g.CrossLo, g.CrossHi, notes)
		}
	}
}

// TestAnswerCellsGiveTheAnswers: the guide computed from the answer cells
// alone (what advise measures) gives every row the choice and answer it
// gives from all decision cells; the coverage counts, which the answer
// cells leave out, are the rows' Coverage.
func TestAnswerCellsGiveTheAnswers(t *testing.T) {
	full, fr := decisionRun(t)
	ans, ar := cellsRun(t, bench.AnswerCells("cpython", 2, nil), MinRuns)
	gf, ga := full.Guide(fr), ans.Guide(ar)
	rows := map[string]GuideRow{}
	for _, row := range ga.Rows {
		rows[row.Key] = row
	}
	coverage := map[string]bool{bench.QShortLived.Key: true, bench.QSmallMessages.Key: true, bench.QLargeMessages.Key: true}
	for _, want := range gf.Rows {
		got, ok := rows[want.Key]
		switch {
		case !ok:
			t.Errorf("%s: no row from the answer cells", want.Key)
		case got.Choice != want.Choice || !slices.Equal(got.Answer.Options, want.Answer.Options) || got.Answer.Kind != want.Answer.Kind:
			t.Errorf("%s: from the answer cells %q (%v), from the decision cells %q (%v)", want.Key, got.Choice, got.Answer, want.Choice, want.Answer)
		case (want.Coverage != "") != coverage[want.Key] || strings.Contains(want.Flip, " cells"):
			t.Errorf("%s: flip %q, coverage %q", want.Key, want.Flip, want.Coverage)
		}
		if want.Answer.Kind == NoAnswer && want.Key != bench.QHeavyMain.Key && want.Key != bench.QThreads.Key {
			t.Errorf("%s: no answer from the decision cells (%q): the test's run should decide it", want.Key, want.Choice)
		}
	}
}

// TestNoCIRows: a row whose answer rests on fewer runs than a CI needs
// says "no CI" and gives no answer — the big-parent row's crossover and
// the heavy-main row included; from MinRuns on, no row says it.
func TestNoCIRows(t *testing.T) {
	for _, runs := range []int{1, 3, MinRuns} {
		t.Run(fmt.Sprint(runs), func(t *testing.T) {
			d, r := cellsRun(t, bench.AnswerCells("cpython", 2, nil), runs)
			g := d.Guide(r)
			if len(g.Rows) != len(bench.Questions) {
				t.Fatalf("%d rows, want %d", len(g.Rows), len(bench.Questions))
			}
			for _, row := range g.Rows {
				if row.Key == bench.QThreads.Key {
					continue // claim C7's trials, not runs
				}
				noCI := strings.HasPrefix(row.Choice, "no CI (")
				if noCI != (runs < MinRuns) || runs < MinRuns && row.Answer.Kind != NoAnswer {
					t.Errorf("%d runs, %s: choice %q, answer %v", runs, row.Key, row.Choice, row.Answer)
				}
			}
		})
	}
}
