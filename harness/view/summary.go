package view

import (
	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
)

// Stats summarises one metric of one cell (stats.Summarize). The
// replication unit is the program run: every statistic of the centre and
// its interval is over the per-run medians, never over the pooled
// samples (samples of one process are not independent).
type Stats struct {
	N          int       // samples
	Runs       int       // program runs (each contributes its median)
	RunMedians []float64 // per-run medians, sorted
	Median     float64   // median of the per-run medians
	Lo, Hi     float64   // 95% CI of that median (order statistics over runs); not valid when Runs < stats.MinRuns (CIValid false)
	CIValid    bool
	Confidence float64      // actual confidence level of [Lo, Hi] (≥ stats.Confidence when valid)
	Min, Max   float64      // over all samples
	VarShare   float64      // share of the variance that lies between runs (one-way ANOVA, 0..1); NaN when not estimable
	Outliers   int          // samples with modified z-score > stats.OutlierZ (never dropped)
	Modes      []stats.Mode // groups of runs when they form two or more (stats.Modes); nil otherwise
	Warnings   []string
}

// Summarize computes the statistics of a sample whose values are each a
// program run of their own (one sample per run). An empty sample gives
// N == 0 and NaN fields.
func Summarize(xs []float64) Stats {
	runs := make([][]float64, len(xs))
	for i, x := range xs {
		runs[i] = []float64{x}
	}
	return SummarizeRuns(runs)
}

// SummarizeRuns computes the statistics of samples grouped by program run
// (stats.Summarize), with the outliers among all samples (stats.Outliers).
func SummarizeRuns(runs [][]float64) Stats { return summaryOf(stats.Summarize(runs), runs) }

// SummarizeUnit is SummarizeRuns for a metric: a rate (bench.Rate: MB/s,
// msgs/s, tasks/s) takes each run's centre at the run's median time
// (stats.SummarizeRate), every other metric its median.
func SummarizeUnit(unit string, runs [][]float64) Stats {
	if m, ok := bench.LookupMetric(unit); ok && m.Kind == bench.Rate {
		return summaryOf(stats.SummarizeRate(runs), runs)
	}
	return SummarizeRuns(runs)
}

// summaryOf is sum with the outliers among the samples of runs.
func summaryOf(sum stats.Summary, runs [][]float64) Stats {
	st := Stats{
		N:          sum.Samples,
		Runs:       sum.Runs,
		RunMedians: sum.RunMedians,
		Median:     sum.Median,
		Lo:         sum.Lo,
		Hi:         sum.Hi,
		CIValid:    sum.CIValid,
		Confidence: sum.Confidence,
		Min:        sum.Min,
		Max:        sum.Max,
		VarShare:   sum.BetweenShare,
		Warnings:   sum.Warnings,
		Modes:      sum.Modes,
	}
	var all []float64
	for _, r := range runs {
		all = append(all, r...)
	}
	st.Outliers = len(stats.Outliers(all))
	return st
}

// Stats is the summary of one metric of the cell over its program runs
// (SummarizeUnit), computed once and cached.
func (c *Cell) Stats(unit string) Stats {
	return c.cached(unit, func() Stats { return SummarizeUnit(unit, c.ByRun(unit)) })
}

// SumStats is the summary of the per-sample sum of two metrics of the
// cell (start-up + join: what a program pays per child), computed once
// and cached; ok is false when the two metrics are not recorded on the
// same samples.
func (c *Cell) SumStats(a, b string) (s Stats, ok bool) {
	x, y := c.Values(a), c.Values(b)
	if len(x) == 0 || len(x) != len(y) {
		return Summarize(nil), false
	}
	return c.cached(a+"+"+b, func() Stats {
		var runs [][]float64
		i := 0
		for _, r := range c.ByRun(a) {
			sum := make([]float64, len(r))
			for j := range r {
				sum[j] = x[i] + y[i]
				i++
			}
			runs = append(runs, sum)
		}
		return SummarizeRuns(runs)
	}), true
}

// cached returns the summary under key, computing it the first time.
func (c *Cell) cached(key string, compute func() Stats) Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stats[key]; ok {
		return s
	}
	s := compute()
	if c.stats == nil {
		c.stats = map[string]Stats{}
	}
	c.stats[key] = s
	return s
}
