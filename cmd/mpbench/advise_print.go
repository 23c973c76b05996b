package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/view"
)

// adviceView is what advise prints: the guide's rows as the report
// computed them, one per question, each with the state of its cells.
type adviceView struct {
	Machine     string      `json:"machine"`
	Impl        string      `json:"impl"`
	Cores       int         `json:"cores"`
	Folder      string      `json:"folder"`
	Temporary   bool        `json:"temporary"`
	Interrupted bool        `json:"interrupted"`
	Resume      string      `json:"resume,omitempty"` // the command that continues an interrupted run
	ElapsedS    float64     `json:"elapsed_s"`
	Cells       int         `json:"cells"`
	Measured    int         `json:"cells_measured"`
	RunsMin     int         `json:"runs_min"`
	RunsMax     int         `json:"runs_max"`
	Rows        []adviceRow `json:"rows"`
	Notes       []string    `json:"notes"`
	// Crossover is the parent rss (bytes) where fork's start + join
	// overtakes forkserver's, with its 95% interval; absent when none.
	Crossover *crossoverJSON `json:"crossover,omitempty"`
}

type crossoverJSON struct {
	RSS float64  `json:"rss_bytes"`
	Lo  *float64 `json:"lo_bytes"` // null: no interval
	Hi  *float64 `json:"hi_bytes"`
}

// adviceRow is one question: the guide's row (empty when the guide has
// none) and its answer cells. Coverage stands for the guide's coverage
// count ("in N of M channel × cores cells"), which reads cells advise does
// not measure: where the row has one, it says so (notMeasuredCoverage).
type adviceRow struct {
	Question  string   `json:"question"`
	Title     string   `json:"title"`
	Answered  bool     `json:"answered"` // the guide has a row
	Situation string   `json:"situation,omitempty"`
	Choice    string   `json:"choice,omitempty"`
	Cost      string   `json:"cost,omitempty"`
	Flip      string   `json:"flip,omitempty"`
	Coverage  string   `json:"coverage,omitempty"`
	Cells     int      `json:"cells"`
	Measured  int      `json:"cells_measured"`
	Missing   []string `json:"missing,omitempty"` // "<n> skipped: <reason>", "<n> failed: …", "<n> not run yet"
	// AtRSS: the big-parent question at the user's parent sizes (--rss).
	AtRSS []atRSSJSON `json:"at_rss,omitempty"`
}

// atRSSJSON is report.AtRSS for tools: the ratio is fork's start + join
// over forkserver's, with its 95% CI and outcome (stats.Outcome).
type atRSSJSON struct {
	RSS      int64    `json:"rss_bytes"`
	Choice   string   `json:"choice"`
	Cost     string   `json:"cost"`
	Ratio    *float64 `json:"ratio"`
	Lo       *float64 `json:"ratio_lo"`
	Hi       *float64 `json:"ratio_hi"`
	Outcome  string   `json:"outcome"`
	NeedRuns int      `json:"need_runs,omitempty"`
}

// notMeasuredCoverage stands for a row's coverage count: advise measures
// only the cells the answers read (bench.Answers), so the guide's count
// would be over the answer's own cells.
const notMeasuredCoverage = "not measured: advise measures only the cells the answer reads; the count over the other channels, methods and core counts is in the guide of a full run (mpbench run --profile full)"

// view joins the guide with the state of the answer cells in run r.
func (a *advice) view(g *report.Guide, r *view.Run, sum harness.Summary, elapsed time.Duration) *adviceView {
	v := &adviceView{Machine: report.MachineLine(r), Impl: a.impl, Cores: a.nproc, Folder: a.out, Temporary: a.temp,
		Interrupted: sum.Interrupted, ElapsedS: elapsed.Seconds(), Cells: len(a.cells), Notes: g.Notes}
	if v.Interrupted {
		v.Resume = "mpbench advise --resume --out " + a.out
	}
	rows := map[string]report.GuideRow{}
	for _, row := range g.Rows {
		rows[row.Key] = row
	}
	for _, c := range a.cells {
		if n := runsOf(r.Find(c.Name())); n > 0 {
			v.Measured++
			if v.RunsMin == 0 || n < v.RunsMin {
				v.RunsMin = n
			}
			v.RunsMax = max(v.RunsMax, n)
		}
	}
	for _, d := range a.decisions {
		ar := adviceRow{Question: d.Key, Title: d.Title, Cells: len(d.Cells)}
		ar.Measured, ar.Missing = cellStates(d.Cells, r)
		// A row of cells none of which has samples is not an answer,
		// whatever the guide makes of their absence.
		if row, ok := rows[d.Key]; ok && (ar.Measured > 0 || ar.Cells == 0) {
			ar.Answered, ar.Situation, ar.Choice, ar.Cost, ar.Flip = true, row.Situation, row.Choice, row.Cost, row.Flip
			if row.Coverage != "" {
				ar.Coverage = notMeasuredCoverage
			}
		}
		if d.Key == bench.QBigParent.Key {
			ar.AtRSS = a.atRSS(r)
		}
		v.Rows = append(v.Rows, ar)
	}
	if !math.IsNaN(g.Crossover) {
		v.Crossover = &crossoverJSON{RSS: g.Crossover, Lo: finite(g.CrossLo), Hi: finite(g.CrossHi)}
	}
	return v
}

// atRSS answers the big-parent question at each of the user's sizes.
func (a *advice) atRSS(r *view.Run) []atRSSJSON {
	var out []atRSSJSON
	for _, rss := range a.rss {
		x, ok := report.CompareAtRSS(r, a.impl, a.nproc, rss)
		if !ok {
			continue
		}
		e := x.Effect
		out = append(out, atRSSJSON{RSS: rss, Choice: x.Choice, Cost: x.Cost, Ratio: finite(e.Ratio), Lo: finite(e.Lo), Hi: finite(e.Hi),
			Outcome: e.Outcome.String(), NeedRuns: e.NeedRuns})
	}
	return out
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// runsOf is the number of program runs with samples of a cell (0: none).
func runsOf(c *view.Cell) int {
	if c == nil || len(c.Units) == 0 {
		return 0
	}
	u := c.Units[0]
	return c.Stats(u).Runs
}

// cellStates counts the cells with samples and tells why the others have
// none, grouped by reason, most frequent first.
func cellStates(cells []bench.Cell, r *view.Run) (measured int, missing []string) {
	why := map[string]int{}
	for _, bc := range cells {
		c := r.Find(bc.Name())
		switch {
		case runsOf(c) > 0:
			measured++
		case c != nil && c.Status == view.StatusSkipped:
			why["skipped: "+c.Reason]++
		case c != nil && c.Status == view.StatusFailed:
			why["failed: "+c.Reason]++
		default:
			why["not run yet"]++
		}
	}
	for k := range why {
		missing = append(missing, k)
	}
	sort.Slice(missing, func(i, j int) bool {
		if why[missing[i]] != why[missing[j]] {
			return why[missing[i]] > why[missing[j]]
		}
		return missing[i] < missing[j]
	})
	for i, k := range missing {
		missing[i] = fmt.Sprintf("%d %s", why[k], k)
	}
	return measured, missing
}

// JSON writes the view for tools.
func (v *adviceView) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Text writes the view for a terminal: the machine line, then each
// question with the guide's answer, its cost with CI and when it flips.
func (v *adviceView) Text(w io.Writer) {
	plain := strings.NewReplacer("`", "").Replace
	fmt.Fprintln(w, "Decision guide for this machine (mpbench advise)")
	fmt.Fprintf(w, "Machine: %s\n", v.Machine)
	runs := "no samples"
	switch {
	case v.RunsMax > v.RunsMin:
		runs = fmt.Sprintf("%d–%d runs each", v.RunsMin, v.RunsMax)
	case v.RunsMax == 1:
		runs = "1 run each"
	case v.RunsMax > 0:
		runs = fmt.Sprintf("%d runs each", v.RunsMax)
	}
	fmt.Fprintf(w, "Measured: impl=%s at cores=%d, %d of the %d cells the answers read (%s), in %v; run folder %s\n",
		v.Impl, v.Cores, v.Measured, v.Cells, runs, time.Duration(v.ElapsedS*float64(time.Second)).Round(time.Second), v.Folder)
	if v.Interrupted {
		fmt.Fprintln(w, "Interrupted: what follows is decided from the runs so far; resume with: "+v.Resume)
	}
	for _, row := range v.Rows {
		fmt.Fprintln(w)
		if !row.Answered {
			fmt.Fprintln(w, row.Title)
			fmt.Fprintf(w, "  not measured: %s\n", missingText(row))
			continue
		}
		fmt.Fprintln(w, plain(row.Situation))
		fmt.Fprintf(w, "  choose: %s\n", plain(row.Choice))
		fmt.Fprintf(w, "  cost:   %s\n", plain(row.Cost))
		flip := row.Flip
		if flip == "" {
			flip = "—"
		}
		fmt.Fprintf(w, "  flips:  %s\n", plain(flip))
		if row.Coverage != "" {
			fmt.Fprintf(w, "  coverage: %s\n", plain(row.Coverage))
		}
		for _, x := range row.AtRSS {
			fmt.Fprintf(w, "  at your parent's size (rss=%s): %s; %s\n", bench.FormatSize(x.RSS), plain(x.Choice), plain(x.Cost))
		}
		if len(row.Missing) > 0 {
			fmt.Fprintf(w, "  from %d of its %d cells; without samples: %s\n", row.Measured, row.Cells, strings.Join(row.Missing, "; "))
		}
	}
	fmt.Fprintln(w)
	for _, n := range v.Notes {
		fmt.Fprintln(w, plain(n))
	}
	if v.Temporary {
		fmt.Fprintf(w, "The samples (raw.bench) and REPORT.md are in the temporary folder %s; --out DIR keeps them where you choose.\n", v.Folder)
	} else {
		fmt.Fprintf(w, "The samples (raw.bench) and REPORT.md are in %s (mpbench compare and benchstat read it).\n", v.Folder)
	}
}

// missingText says why a question has no answer.
func missingText(row adviceRow) string {
	if row.Cells == 0 { // the threads row reads claim C7, not cells of the matrix
		return "claim C7 of mpbench claims measures it (mpbench claims --only C7 --out DIR, then mpbench report DIR)"
	}
	if len(row.Missing) == 0 {
		return fmt.Sprintf("its %d cells have samples, but too few options to compare", row.Cells)
	}
	return fmt.Sprintf("%d of its %d cells without samples: %s", row.Cells-row.Measured, row.Cells, strings.Join(row.Missing, "; "))
}
