package impl

import (
	"testing"
	"time"

	"github.com/mpbench/mpbench/bench"
)

// TestPoolRounds: ceil(tasks / parallelism).
func TestPoolRounds(t *testing.T) {
	tests := []struct{ tasks, par, want int }{
		{32, 2, 16}, {32, 4, 8}, {7, 2, 4}, {1, 4, 1}, {8, 1, 8},
	}
	for _, tt := range tests {
		if got := PoolRounds(tt.tasks, tt.par); got != tt.want {
			t.Errorf("PoolRounds(%d, %d) = %d, want %d", tt.tasks, tt.par, got, tt.want)
		}
	}
}

// TestIdealMakespan: ceil(tasks / P) × the nominal task duration, P =
// min(workers, tasks, cores) for cpu tasks, min(workers, tasks) for sleep
// tasks; 0 outside the pool and for tiny tasks.
func TestIdealMakespan(t *testing.T) {
	tests := []struct {
		c    bench.Cell
		want time.Duration
	}{
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 4, Tasks: 32, Cores: 2}, 16 * bench.CPUTaskMicros * time.Microsecond},
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 1, Tasks: 8, Cores: 2}, 8 * bench.CPUTaskMicros * time.Microsecond},
		{bench.Cell{Workload: "pool", Task: "sleep", Workers: 4, Tasks: 32, Cores: 1}, 8 * bench.SleepTaskMillis * time.Millisecond},
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 3, Tasks: 7, Cores: 2}, 4 * bench.CPUTaskMicros * time.Microsecond},
		{bench.Cell{Workload: "pool", Task: bench.TinyTask, Workers: 2, Tasks: 10000, Cores: 2}, 0},
		{bench.Cell{Workload: "stream"}, 0},
	}
	for _, tt := range tests {
		if got := IdealMakespan(tt.c); got != tt.want {
			t.Errorf("%+v: %v, want %v", tt.c, got, tt.want)
		}
	}
}

// TestCellParallelism: min(workers, tasks, cores) for cpu and tiny tasks
// (they run on a core), min(workers, tasks) for sleep tasks, at least 1.
func TestCellParallelism(t *testing.T) {
	tests := []struct {
		c    bench.Cell
		want int
	}{
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 4, Tasks: 32, Cores: 2}, 2},
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 4, Tasks: 3, Cores: 8}, 3},
		{bench.Cell{Workload: "pool", Task: bench.TinyTask, Workers: 4, Tasks: 10000, Cores: 2}, 2},
		{bench.Cell{Workload: "pool", Task: "sleep", Workers: 4, Tasks: 32, Cores: 2}, 4},
		{bench.Cell{Workload: "pool", Task: "sleep", Workers: 4, Tasks: 2, Cores: 1}, 2},
		{bench.Cell{Workload: "pool", Task: "cpu", Workers: 0, Tasks: 8, Cores: 2}, 1},
	}
	for _, tt := range tests {
		if got := CellParallelism(tt.c); got != tt.want {
			t.Errorf("%+v: %d, want %d", tt.c, got, tt.want)
		}
	}
}
