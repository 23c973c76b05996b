// Package harness runs cells of the workload matrix and records their
// samples. It never measures anything itself: each program run is one
// run of a measured program (see package impl) in its own process group,
// pinned to the cell's CPU set, with a parent-death signal and a timeout;
// the harness only waits for it, validates what it printed and appends it
// to OUT/raw.bench (package rawbench), synced to disk as each program run
// ends.
//
// Contracts:
//   - The unit of replication is the program run: a cell is measured by
//     at least Config.Runs independent runs of its measured program (fresh
//     parent, fresh children, own calibration of the sample size), each
//     printing Config.Count samples after `run: k`. The cell's statistic
//     is computed over per-run medians (package stats).
//   - The cpu task of pool cells is the same in every run: before the
//     first round, each implementation with task=cpu pool cells runs its
//     calibration program once (impl.Impl.SpinCommand, CalibrateSpin); the
//     loop count is recorded in the header as cpu-task-spin-<impl> and
//     passed to every program run (impl.Options.CPUTaskSpin). Resume reuses
//     the recorded count. A failed calibration fails those cells.
//   - Runs are interleaved: round r measures every cell that needs an r-th
//     run once, in a shuffled order (seed recorded), so slow drift of the
//     machine does not bias one method or channel (as
//     golang.org/x/benchmarks/sweet does).
//   - Decision cells (Config.Decision) get DecisionRuns base runs, the
//     other cells Runs; base runs are never cut by the time budget.
//   - Adaptive stopping: after a cell's base runs, further rounds measure only
//     the cells whose 95% CI half-width (over per-run medians of ns/op) is
//     above CITarget of the median, until MaxRuns; a cell that ends above
//     the target gets a NOTE saying what stopped it (rawbench.StopNote): the
//     run cap, or the time budget (Budget), which ends the adaptive rounds
//     early. Without adaptive rounds (MaxRuns ≤ Runs) nothing is flagged.
//   - raw.bench is append-only. A crash loses at most the running program
//     run; Resume continues a run exactly as it would have gone on: the
//     plan of every round depends only on what is recorded and the seed.
//   - A cell that cannot run is recorded as skipped with its reason, a
//     cell whose run fails or times out as failed with a one-line reason
//     (and is not run again); the run goes on.
//   - Nothing of a program run outlives it: its process group is killed
//     and its shared-memory segments and semaphores (named with the
//     program run's prefix) are removed.
//
// Glossary (the words mean this throughout mpbench's code and documents):
//
//   - cell: one point of the workload matrix (bench.Cell): a workload, an
//     implementation, a start method, a channel or executor, the
//     workload's parameters and a core count. Its benchmark name
//     (bench.Cell.Benchmark) is its identity in raw.bench, tables and
//     figures.
//   - measured program: the process an implementation starts to measure
//     one cell (impl.Impl.Command); it prints the samples.
//   - program run: one execution of a cell's measured program, from its
//     start to its exit: fresh parent, fresh children, own calibration.
//     It is the unit of replication (Config.Runs, Config.MaxRuns) and is
//     recorded as `run: k` with its samples and a WALL line
//     (rawbench.Run).
//   - sample: one result line of a program run (Config.Count of them per
//     program run): one start, one map, or the mean over a calibrated
//     number of operations (impl's contract). A cell's statistic is
//     computed over the medians of its program runs (package stats).
//   - round: one pass over the cells in a shuffled order (seeded, the
//     seed recorded), in which every cell that still needs its r-th
//     program run gets it. Base rounds give every cell its base runs;
//     adaptive rounds give more runs only to the cells whose CI is still
//     wider than the target.
//   - invocation: one call of Run (one `mpbench run`, or the measuring
//     step of claims or advise), from its start to its end block
//     (run-end, load-end, steal-ns). An interrupted run is continued by
//     another invocation (Resume).
//   - run folder: the folder a run writes (Config.Out): raw.bench, and
//     later the report. "A run" is everything recorded there, over all
//     its invocations.
//
// In code, "Run" is the function Run (an invocation), RunProgram (it
// executes one program run), rawbench.Run (a program run's samples),
// Config.Runs and Summary.Runs (counts of program runs), and `mpbench
// run` (the command); the words above are the ones the comments use.
package harness
