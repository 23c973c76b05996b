package report

import (
	"fmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
	"github.com/mpbench/mpbench/harness/view"
)

// What `mpbench advise` reads of a run folder: the decision guide REPORT.md
// shows (the same Guide, computed by the same code) and the machine line.

// GuideOf loads the run folder dir and computes its decision guide. The
// Run it returns carries the status (skipped, failed) of every cell.
func GuideOf(dir string) (*Guide, *view.Run, error) {
	r, err := view.Load(dir, nil)
	if err != nil {
		return nil, nil, err
	}
	return newData([]*view.Run{r}).Guide(r), r, nil
}

// MachineLine is the one-line description of a run's machine: CPU, CPUs,
// kernel, interpreter version, host.
func MachineLine(r *view.Run) string { return machineLine(r) }

// AtRSS is the big-parent question answered at one parent size (the
// user's, `mpbench advise --rss`): the two crossover methods' start + join
// compared as the guide compares options.
type AtRSS struct {
	RSS          int64
	Choice, Cost string       // as a guide row's
	Effect       stats.Effect // CrossoverMethods[0] / [1]
}

// CompareAtRSS answers the big-parent question at rss for impl at cores
// (ok false when either method has no samples there).
func CompareAtRSS(r *view.Run, impl string, cores int, rss int64) (AtRSS, bool) {
	d := newData([]*view.Run{r})
	var opts []option
	var st []view.Stats
	for _, m := range bench.CrossoverMethods {
		c := d.find(r, bench.Cell{Workload: bench.Startup, Impl: impl, Method: m, Chan: bench.DecisionChan, RSS: rss, Cores: cores})
		if !c.Has("ns/op") {
			return AtRSS{}, false
		}
		s := d.startJoin(c)
		opts, st = append(opts, option{m, s}), append(st, s)
	}
	best, second, decided := pick(opts, false)
	return AtRSS{
		RSS:    rss,
		Choice: choose(best, second, decided),
		Cost:   fmt.Sprintf("start + join at rss=%s: %s%s (chan=%s)", sizeLabel(rss), versus(best, second, "ns/op"), ratioText(best, second, false), bench.DecisionChan),
		Effect: effect(st[0], st[1]),
	}, true
}
