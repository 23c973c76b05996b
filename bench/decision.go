package bench

import "sort"

// The decision cells: the cells whose values the rows of the decision
// guide (harness/report, guide.go) read, named here once. The guide takes
// its fixed choices (the channel of the start-up rows, the methods of the
// crossover, the executors of the pool row, the method of the message
// rows) from the constants below; a test of the report checks that every
// cell the guide reads on a full run at cores = nproc is one of them. The
// full profile measures DecisionCells (mpbench run --decision-runs).
//
// The answer cells (Answers, AnswerCells) are the part of the decision
// cells that each row's answer and its flip read — what `mpbench advise`
// and `mpbench verify` measure, so that a short time budget gives every
// cell the runs a CI needs. They leave out the coverage counts of the
// rows ("in N of M channel × cores cells": the other channels of the
// short-lived row, the other methods of the message rows; the guide keeps
// them in GuideRow.Coverage) and thin the parent-memory sweep to
// AnswerRSS; a test of the report checks that the guide gives the same
// answers from the answer cells as from all decision cells.

// Question is one situation of the decision guide, the key of its row.
type Question struct {
	Key   string // stable identifier (advise's json)
	Title string // the situation, as the guide's row starts it
}

// The questions of the decision guide, in the order of its rows.
var (
	QShortLived    = Question{"short-lived", "Many short-lived children"}
	QBigParent     = Question{"big-parent", "Big parent"}
	QHeavyMain     = Question{"heavy-main", "Your main module imports heavy modules"}
	QLongLived     = Question{"long-lived", "Long-lived workers"}
	QThreads       = Question{"threads", "Parent with threads"}
	QSmallMessages = Question{"small-messages", "Small messages, one-to-one"}
	QLargeMessages = Question{"large-messages", "Large messages, one-to-one"}
	QManyToOne     = Question{"many-to-one", "Many-to-one"}
	Questions      = []Question{QShortLived, QBigParent, QHeavyMain, QLongLived, QThreads, QSmallMessages, QLargeMessages, QManyToOne}
)

// The guide's fixed choices.
const (
	// DecisionChan carries the first message of the start-up answers and
	// of the parent-memory sweep (a big parent costs the start method,
	// not the channel).
	DecisionChan = RSSChan
	// DecisionMethod is the start method of the message rows and of the
	// many-to-one row (the default on Linux before Python 3.14).
	DecisionMethod = "fork"
	// DecisionTask is the pool task kind of the pool rows.
	DecisionTask = "cpu"
)

// CrossoverMethods are the two start methods whose start + join the
// big-parent row compares over the parent's memory.
var CrossoverMethods = [2]string{"fork", "forkserver"}

// DecisionExecs are the pool executors the long-lived row compares (where
// measured); the many-to-one row reads the gather cells, or exec=loop
// alone in a run without them.
var DecisionExecs = []string{ExecLoop, ExecPool, ExecPPE, ExecLokyWarm}

// DecisionRSS are the parent sizes of the crossover sweep: StartupRSS and
// DenseRSS, plus extra points (a user's parent size), sorted, once each.
func DecisionRSS(extra []int64) []int64 { return sortedRSS(StartupRSS, DenseRSS, extra) }

// AnswerRSS are the parent sizes of the answer cells' crossover sweep:
// StartupRSS (0 to 1 GiB: a linear interpolation needs the two points
// around the crossover, not the dense ones, whose big parents cost most
// of a short budget), plus extra points (a user's parent size), sorted,
// once each.
func AnswerRSS(extra []int64) []int64 { return sortedRSS(StartupRSS, extra) }

// sortedRSS is the union of lists, sorted.
func sortedRSS(lists ...[]int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, list := range lists {
		for _, r := range list {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Decision is a question and the cells its row reads.
type Decision struct {
	Question
	Cells []Cell // nil: not a matrix measurement (threads: claim C7)
}

// HeavyMain is the main weight of the heavy-main question's cells.
const HeavyMain = MainStdlib

// Decisions lists, per question, the cells the guide's row reads for one
// implementation at cores = nproc, with the crossover sweep extended by
// extraRSS. Cells that impl cannot express (executors other than loop for
// native; a main module or a preload for native, which has no heavy-main
// question) are left out. For a Python impl the start-up rows read the
// fork server that preloads nothing beside the preloaded one, and the
// heavy-main row the four ways of starting a child of a main module of
// weight HeavyMain (the guide also shows bench.ProgramImpl's numpy and
// torch weights where a run has them; they are not decision cells).
func Decisions(impl string, nproc int, extraRSS []int64) []Decision {
	startup := func(m, ch string, rss int64) Cell {
		return Cell{Workload: Startup, Impl: impl, Method: m, Chan: ch, RSS: rss, Cores: nproc}
	}
	python := RunsPython(impl)
	// Start + join of every method over every channel at rss=0: the
	// answer reads DecisionChan, the coverage the other channels.
	var short []Cell
	for _, m := range Methods {
		for _, ch := range Chans {
			short = append(short, startup(m, ch, 0))
		}
	}
	var sweep []Cell
	for _, rss := range DecisionRSS(extraRSS) {
		for _, m := range CrossoverMethods {
			sweep = append(sweep, startup(m, DecisionChan, rss))
		}
		if python { // the fork server that preloads nothing
			sweep = append(sweep, startup(CrossoverMethods[1], DecisionChan, rss).WithProgram(MainStub, PreloadNone))
		}
	}
	if python {
		short = append(short, startup("forkserver", DecisionChan, 0).WithProgram(MainStub, PreloadNone))
	}
	var heavy []Cell
	for _, m := range Methods {
		heavy = append(heavy, startup(m, DecisionChan, 0).WithProgram(HeavyMain, PreloadMain))
		if m == "forkserver" {
			heavy = append(heavy, startup(m, DecisionChan, 0).WithProgram(HeavyMain, PreloadNone))
		}
	}
	pool, loops := decisionPool(impl, nproc)
	// The long-lived row's flip reads the start + join of each method.
	var flip []Cell
	for _, m := range Methods {
		flip = append(flip, startup(m, DecisionChan, 0))
	}
	var small, large []Cell
	for _, m := range Methods {
		for _, ch := range Chans {
			small = append(small, Cell{Workload: Pingpong, Impl: impl, Method: m, Chan: ch, Size: PingpongSizes[0], Cores: nproc})
			for _, s := range StreamSizes {
				large = append(large, Cell{Workload: Stream, Impl: impl, Method: m, Chan: ch, Size: s, Cores: nproc})
			}
		}
	}
	out := []Decision{
		{QShortLived, short},
		{QBigParent, sweep},
		{QHeavyMain, heavy},
		{QLongLived, append(pool, flip...)},
		{QThreads, nil},
		{QSmallMessages, small},
		{QLargeMessages, large},
		{QManyToOne, decisionManyToOne(impl, nproc, loops)},
	}
	if !python {
		out = append(out[:2], out[3:]...) // no main module, no heavy-main question
	}
	return out
}

// DecisionCells are the cells of Decisions, each once, in canonical order
// (workload, then as listed).
func DecisionCells(impl string, nproc int, extraRSS []int64) []Cell {
	return cellsOf(Decisions(impl, nproc, extraRSS))
}

// Answers lists, per question, the cells that its row's answer and flip
// read: the cells of Decisions(impl, nproc, extraRSS) without the
// coverage cells and with the sweep thinned —
//   - short-lived: the start methods over DecisionChan (the answer's
//     options; the other channels are the coverage);
//   - big parent: the crossover sweep at AnswerRSS(extraRSS);
//   - small and large messages: the channels at DecisionMethod (the other
//     methods are the coverage; the large-message flip reads every stream
//     size at DecisionMethod);
//   - heavy main, long-lived, many-to-one: all of their decision cells
//     (every option of the answer, the flips' start + join and sizes).
func Answers(impl string, nproc int, extraRSS []int64) []Decision {
	sweep := map[int64]bool{}
	for _, rss := range AnswerRSS(extraRSS) {
		sweep[rss] = true
	}
	atMethod := func(c Cell) bool { return c.Method == DecisionMethod }
	keep := map[string]func(Cell) bool{
		QShortLived.Key:    func(c Cell) bool { return c.Chan == DecisionChan },
		QBigParent.Key:     func(c Cell) bool { return sweep[c.RSS] },
		QSmallMessages.Key: atMethod,
		QLargeMessages.Key: atMethod,
	}
	out := Decisions(impl, nproc, extraRSS)
	for i, d := range out {
		if k := keep[d.Key]; k != nil {
			var cells []Cell
			for _, c := range d.Cells {
				if k(c) {
					cells = append(cells, c)
				}
			}
			out[i].Cells = cells
		}
	}
	return out
}

// AnswerCells are the cells of Answers, each once, in canonical order: what
// `mpbench advise` measures.
func AnswerCells(impl string, nproc int, extraRSS []int64) []Cell {
	return cellsOf(Answers(impl, nproc, extraRSS))
}

// cellsOf are the cells of ds, each once, in canonical order (workload,
// then as listed).
func cellsOf(ds []Decision) []Cell {
	seen := map[string]bool{}
	var out []Cell
	for _, d := range ds {
		out = appendNew(out, seen, d.Cells)
	}
	rank := map[string]int{}
	for i, w := range Workloads {
		rank[w] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Workload] < rank[out[j].Workload] })
	return out
}

// decisionManyToOne are the cells of the many-to-one row: the gather
// cells (every channel at GatherSizes, nproc workers, DecisionMethod),
// and the worker loops of DecisionMethod the row falls back on in a run
// without gather cells.
func decisionManyToOne(impl string, nproc int, loops []Cell) []Cell {
	var out []Cell
	for _, ch := range Chans {
		for _, s := range GatherSizes {
			out = append(out, Cell{Workload: Gather, Impl: impl, Method: DecisionMethod, Chan: ch, Workers: nproc, Size: s, Cores: nproc})
		}
	}
	for _, c := range loops {
		if c.Method == DecisionMethod {
			out = append(out, c)
		}
	}
	return out
}

// decisionPool are the pool cells of the long-lived row (every executor
// of DecisionExecs that impl has, at workers = cores = nproc: the guide
// reads the largest worker count ≤ cores) and among them the worker
// loops over each channel.
func decisionPool(impl string, nproc int) (pool, loops []Cell) {
	for _, e := range DecisionExecs {
		base := Cell{Workload: Pool, Impl: impl, Exec: e, Workers: nproc, Tasks: PoolTasks(nproc), Task: DecisionTask, Cores: nproc}
		switch {
		case e == ExecLoop:
			for _, m := range Methods {
				for _, ch := range Chans {
					c := base
					c.Method, c.Chan = m, ch
					loops = append(loops, c)
				}
			}
			pool = append(pool, loops...)
		case !RunsPython(impl): // exec=loop only
		case e == ExecLokyWarm || e == ExecLokyCold:
			c := base
			c.Method = MethodLoky
			pool = append(pool, c)
		default:
			for _, m := range Methods {
				c := base
				c.Method = m
				pool = append(pool, c)
			}
		}
	}
	return pool, loops
}
