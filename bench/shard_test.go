package bench

import (
	"math/rand/v2"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/4", Shard{1, 4}, true},
		{"4/4", Shard{4, 4}, true},
		{" 2/3 ", Shard{2, 3}, true},
		{"1/1", Shard{1, 1}, true},
		{"0/4", Shard{}, false},
		{"5/4", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
		{"-1/4", Shard{}, false},
	} {
		got, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != stripSpace(tc.in) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func stripSpace(s string) string {
	out := []rune{}
	for _, r := range s {
		if r != ' ' {
			out = append(out, r)
		}
	}
	return string(out)
}

func TestShardFromSlurm(t *testing.T) {
	for _, tc := range []struct {
		name   string
		env    map[string]string
		want   Shard
		ok     bool
		hasErr bool
	}{
		{"no array", map[string]string{"SLURM_JOB_ID": "7"}, Shard{}, false, false},
		{"0-based", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "0"}, Shard{1, 2}, true, false},
		{"1-based", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{4, 4}, true, false},
		{"no min", map[string]string{"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"}, Shard{2, 2}, true, false},
		{"sparse", map[string]string{"SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"}, Shard{}, false, true},
		{"garbage", map[string]string{"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "3"}, Shard{}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := ShardFromSlurm(func(k string) string { return tc.env[k] })
			if got != tc.want || ok != tc.ok || (err != nil) != tc.hasErr {
				t.Errorf("got %v ok=%v err=%v; want %v ok=%v err=%v", got, ok, err, tc.want, tc.ok, tc.hasErr)
			}
		})
	}
}

// cost is a deterministic stand-in for the harness's estimate.
func testCost(c Cell) float64 {
	h := 0.0
	for _, r := range c.Name() {
		h = h*31 + float64(r)
		for h > 1e6 {
			h -= 1e6
		}
	}
	return 1 + h/1e4
}

func TestPartition(t *testing.T) {
	cells, err := Expand(Selection{Profile: Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 3, 4, 7} {
		parts := Partition(cells, n, testCost)
		if len(parts) != n {
			t.Fatalf("n=%d: %d parts", n, len(parts))
		}
		seen := map[string]int{}
		pos := map[string]int{}
		for i, c := range cells {
			pos[c.Name()] = i
		}
		var loads []float64
		for _, p := range parts {
			load := 0.0
			for j, c := range p {
				seen[c.Name()]++
				load += testCost(c)
				if j > 0 && pos[p[j-1].Name()] > pos[c.Name()] {
					t.Errorf("n=%d: shard does not keep the selection order at %s", n, c.Name())
				}
			}
			loads = append(loads, load)
		}
		for _, c := range cells {
			if seen[c.Name()] != 1 {
				t.Errorf("n=%d: cell %s in %d shards", n, c.Name(), seen[c.Name()])
			}
		}
		if len(seen) != len(cells) {
			t.Errorf("n=%d: %d distinct cells in shards, want %d", n, len(seen), len(cells))
		}
		lo, hi := loads[0], loads[0]
		for _, l := range loads {
			lo, hi = min(lo, l), max(hi, l)
		}
		if hi/lo > 1.05 {
			t.Errorf("n=%d: shards unbalanced: %v", n, loads)
		}
		// The same set in another order gives the same shards.
		shuf := append([]Cell(nil), cells...)
		rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuf), func(i, j int) { shuf[i], shuf[j] = shuf[j], shuf[i] })
		again := Partition(shuf, n, testCost)
		for k := range parts {
			a, b := names(parts[k]), names(again[k])
			if len(a) != len(b) {
				t.Fatalf("n=%d shard %d: %d cells, reordered input gives %d", n, k+1, len(a), len(b))
			}
			for name := range a {
				if !b[name] {
					t.Errorf("n=%d shard %d: %s moved with the input order", n, k+1, name)
				}
			}
		}
		// Select agrees with Partition.
		for k := 1; k <= n; k++ {
			if got := (Shard{k, n}).Select(cells, testCost); len(got) != len(parts[k-1]) {
				t.Errorf("Select %d/%d: %d cells, want %d", k, n, len(got), len(parts[k-1]))
			}
		}
	}
}

func names(cells []Cell) map[string]bool {
	m := map[string]bool{}
	for _, c := range cells {
		m[c.Name()] = true
	}
	return m
}

func TestHostLabel(t *testing.T) {
	for _, tc := range []struct {
		host, cpu string
		nproc     int
		want      string
	}{
		{"vm", "Intel(R) Xeon(R) Processor", 16, "vm-intel-r-xeon-r-processor-16c"},
		{"vm", "AMD EPYC", 2, "vm-amd-epyc-2c"},
		{"node01.cluster", "", 64, "node01.cluster-64c"},
		{"", "", 0, "unknown-host"},
		{"  Weird__Name!! ", "x", 1, "weird-name-x-1c"},
	} {
		if got := HostLabel(tc.host, tc.cpu, tc.nproc); got != tc.want {
			t.Errorf("HostLabel(%q, %q, %d) = %q, want %q", tc.host, tc.cpu, tc.nproc, got, tc.want)
		}
	}
	if HostLabel("vm", "AMD EPYC", 2) == HostLabel("vm", "AMD EPYC", 16) {
		t.Error("machines with different CPU counts share a label")
	}
}
