package bench

import "testing"

// TestUserCells: the user cells of each profile and how a selection
// narrows them (counts at nproc = 2: workers 1, 2, 4).
func TestUserCells(t *testing.T) {
	tests := []struct {
		name                string
		sel                 Selection
		gather, cold, chunk int
		native, stdlib      int // of them: impl=native cells, main=stdlib cells
	}{
		// cpython fork 4 chans × 2 sizes × 3 workers + spawn 4 × 1 × 1;
		// native 4 × 2 × 1; cold 2 execs × 3 methods; chunksize: pool
		// 1, default, tuned + ppe default, tuned.
		{"full", Selection{Profile: Full}, 24 + 4 + 8, 6, 5, 8, 0},
		{"quick", Selection{Profile: Quick}, 1, 2, 2, 0, 0},
		{"variants", Selection{Profile: VariantsOnly}, 0, 0, 0, 0, 0},
		{"dimension", Selection{Profile: Dimension}, 0, 0, 0, 0, 0},
		{"--chan pipe", Selection{Profile: Full, Chans: []string{"pipe"}}, 6 + 1 + 2, 0, 0, 2, 0},
		{"--workload pool", Selection{Profile: Full, Workloads: []string{"pool"}}, 0, 6, 5, 0, 0},
		{"--workload gather", Selection{Profile: Full, Workloads: []string{Gather}}, 36, 0, 0, 8, 0},
		{"--impl native", Selection{Profile: Full, Impls: []string{"native"}}, 8, 0, 0, 8, 0},
		{"--exec pool", Selection{Profile: Full, Execs: []string{ExecPool}}, 36, 0, 3, 8, 0},
		{"--exec ppe-cold", Selection{Profile: Full, Execs: []string{ExecPPECold}}, 36, 3, 0, 8, 0},
		{"--task sleep", Selection{Profile: Full, Tasks: []string{"sleep"}}, 36, 0, 0, 8, 0},
		{"--size 64B", Selection{Profile: Full, Sizes: []int64{64}}, 12 + 4 + 4, 6, 5, 4, 0},
		{"--size 1MiB", Selection{Profile: Full, Sizes: []int64{1 << 20}}, 0, 6, 5, 0, 0},
		{"--workers 4", Selection{Profile: Full, Workers: []int{4}}, 8, 0, 0, 0, 0},
		{"--cores 1", Selection{Profile: Full, Cores: []int{1}}, 0, 0, 0, 0, 0},
		{"--method spawn", Selection{Profile: Full, Methods: []string{"spawn"}}, 4, 2, 0, 0, 0},
		// native has no main module: its cells go; the others take main=stdlib.
		{"--main stdlib", Selection{Profile: Full, Mains: []string{MainStdlib}}, 28, 6, 5, 0, 39},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells, err := UserCells(tt.sel, 2)
			if err != nil {
				t.Fatal(err)
			}
			var gather, cold, chunk, native, stdlib int
			for _, c := range cells {
				if err := c.Validate(); err != nil {
					t.Error(err)
				}
				switch {
				case c.Workload == Gather:
					gather++
				case c.Workload == "pool" && contains(ColdExecs, c.Exec) && c.Cores == 2 && c.Workers == 2 && c.Task == "cpu":
					cold++
				case c.Workload == "pool" && c.Task == TinyTask && c.Tasks == ChunkTasks && c.Workers == 2 && c.Method == "fork" &&
					(c.Chunksize == 0 || c.Chunksize == 1 || c.Chunksize == ChunkTasks/2):
					chunk++
				default:
					t.Errorf("%s: not a user cell", c.Name())
				}
				if c.Impl == "native" {
					native++
				}
				if c.Main == MainStdlib {
					stdlib++
				}
			}
			if gather != tt.gather || cold != tt.cold || chunk != tt.chunk || native != tt.native || stdlib != tt.stdlib {
				t.Errorf("gather %d, cold %d, chunksize %d, native %d, main=stdlib %d; want %d, %d, %d, %d, %d",
					gather, cold, chunk, native, stdlib, tt.gather, tt.cold, tt.chunk, tt.native, tt.stdlib)
			}
		})
	}
	// Expand lists them once, after the matrix, and a cold executor that
	// --exec selects over the whole matrix is not listed twice.
	for _, sel := range []Selection{{Profile: Full}, {Profile: Full, Execs: []string{ExecPoolCold}, Impls: []string{"cpython"}}} {
		all, err := Expand(sel, 2)
		if err != nil {
			t.Fatalf("%+v: %v", sel, err)
		}
		users, _ := UserCells(sel, 2)
		seen := map[string]bool{}
		for _, c := range all {
			seen[c.Name()] = true
		}
		for _, c := range users {
			if !seen[c.Name()] {
				t.Errorf("%+v: Expand lacks %s", sel, c.Name())
			}
		}
	}
}
