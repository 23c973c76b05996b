package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// The full profile in four shards: every cell once, and the estimated
// times of the shards within 1.2× of each other.
func TestShardFullProfileBalanced(t *testing.T) {
	cells, err := bench.Expand(bench.Selection{Profile: bench.Full}, 2)
	if err != nil {
		t.Fatal(err)
	}
	cost := shardCost(bench.Full)
	for _, n := range []int{2, 4, 8} {
		seen := map[string]int{}
		lo, hi := 0.0, 0.0
		for k := 1; k <= n; k++ {
			part := bench.Shard{K: k, N: n}.Select(cells, cost)
			t0 := 0.0
			for _, c := range part {
				seen[c.Name()]++
				t0 += cost(c)
			}
			if k == 1 || t0 < lo {
				lo = t0
			}
			hi = max(hi, t0)
		}
		for _, c := range cells {
			if seen[c.Name()] != 1 {
				t.Errorf("N=%d: %s in %d shards", n, c.Name(), seen[c.Name()])
			}
		}
		if lo <= 0 || hi/lo > 1.2 {
			t.Errorf("N=%d: largest/smallest shard estimate %.3f (%.0fs/%.0fs), want ≤ 1.2", n, hi/lo, hi, lo)
		}
	}
}

func TestShardResolve(t *testing.T) {
	slurm := map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1",
		"SLURM_ARRAY_JOB_ID": "41", "SLURM_JOB_ID": "43", "SLURMD_NODENAME": "n1"}
	for _, tc := range []struct {
		name    string
		flag    string
		env     map[string]string
		want    string // "" = not sharded
		wantErr bool
	}{
		{"none", "", nil, "", false},
		{"flag", "3/4", nil, "3/4", false},
		{"slurm", "", slurm, "2/3", false},
		{"flag wins", "1/2", slurm, "1/2", false},
		{"bad flag", "0/2", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := clusterFlags{shard: tc.flag, getenv: func(k string) string { return tc.env[k] }}
			sh, ok, err := f.resolve()
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			got := ""
			if ok {
				got = sh.String()
			}
			if got != tc.want {
				t.Errorf("shard %q, want %q", got, tc.want)
			}
		})
	}
}

func TestShardConfigLines(t *testing.T) {
	get := func(lines []harness.ConfigLine, k string) string {
		for _, l := range lines {
			if l.Key == k {
				return l.Value
			}
		}
		return ""
	}
	slurm := map[string]string{"SLURM_ARRAY_JOB_ID": "41", "SLURM_JOB_ID": "43", "SLURM_ARRAY_TASK_ID": "2"}
	f := clusterFlags{hostLabel: "Big Box #1", getenv: func(k string) string { return slurm[k] }}
	lines := f.configLines(bench.Shard{K: 2, N: 3}, true, nil, nil)
	for k, want := range map[string]string{"host-label": "big-box-1", "run-id": "slurm-41", "shard": "2/3",
		"slurm-job-id": "43", "slurm-array-job-id": "41", "slurm-array-task-id": "2"} {
		if got := get(lines, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// By hand: shards of one command line share a run id, another
	// selection or shard count gets another.
	none := clusterFlags{getenv: func(string) string { return "" }}
	a := get(none.configLines(bench.Shard{K: 1, N: 2}, true, nil, []string{"--impl", "native", "--shard", "1/2", "--out", "r1"}), "run-id")
	b := get(none.configLines(bench.Shard{K: 2, N: 2}, true, nil, []string{"--impl", "native", "--shard=2/2", "--out=r2", "--host-label", "x"}), "run-id")
	c := get(none.configLines(bench.Shard{K: 1, N: 2}, true, nil, []string{"--impl", "cpython", "--shard", "1/2", "--out", "r1"}), "run-id")
	d := get(none.configLines(bench.Shard{K: 1, N: 3}, true, nil, []string{"--impl", "native", "--shard", "1/3", "--out", "r1"}), "run-id")
	if a == "" || a != b || a == c || a == d {
		t.Errorf("run ids: same command %q %q, other selection %q, other count %q", a, b, c, d)
	}
	if got := get(none.configLines(bench.Shard{}, false, nil, nil), "run-id"); got != "" {
		t.Errorf("unsharded run without Slurm has run-id %q", got)
	}
	if got := get(none.configLines(bench.Shard{}, false, nil, nil), "host-label"); got == "" || got != bench.SanitizeLabel(got) {
		t.Errorf("default host label %q", got)
	}
}

// `mpbench list --shard K/N` lists every cell of the selection in exactly
// one shard, and a Slurm array task's environment picks its shard.
func TestListShards(t *testing.T) {
	all := listNames(t, nil, "list", "--profile", "quick")
	seen := map[string]int{}
	for k := 1; k <= 3; k++ {
		for _, n := range listNames(t, nil, "list", "--profile", "quick", "--shard", bench.Shard{K: k, N: 3}.String()) {
			seen[n]++
		}
	}
	for _, n := range all {
		if seen[n] != 1 {
			t.Errorf("%s in %d shards", n, seen[n])
		}
	}
	if len(seen) != len(all) {
		t.Errorf("%d cells in shards, %d in the selection", len(seen), len(all))
	}
	env := []string{"SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=4", "SLURM_ARRAY_TASK_COUNT=3"}
	fromEnv := listNames(t, env, "list", "--profile", "quick")
	explicit := listNames(t, nil, "list", "--profile", "quick", "--shard", "2/3")
	if strings.Join(fromEnv, ",") != strings.Join(explicit, ",") {
		t.Errorf("Slurm task 5 of 4..6 lists %d cells, --shard 2/3 lists %d", len(fromEnv), len(explicit))
	}
}

func listNames(t *testing.T, env []string, args ...string) []string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(filteredEnv(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mpbench %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// filteredEnv is the environment without Slurm's variables (the tests
// may themselves run inside a Slurm job).
func filteredEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") {
			out = append(out, kv)
		}
	}
	return out
}

// A shard of a Slurm array task, outside Slurm: the shard and job ids are
// recorded, the shard is what `list --shard` announces, and `--resume`
// without the array's environment continues the same shard.
func TestRunShardRecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s2")
	sel := []string{"--impl", "native", "--workload", "startup", "--method", "fork,spawn,forkserver", "--chan", "pipe", "--rss", "0", "--cores", "1"}
	cmd := exec.Command(binary, append([]string{"run", "--out", out, "--count", "1", "--host-label", "Test Box"}, sel...)...)
	cmd.Env = append(filteredEnv(), "SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=2", "SLURM_ARRAY_TASK_MIN=1",
		"SLURM_ARRAY_JOB_ID=99", "SLURM_JOB_ID=101")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run: %v\n%s", err, b)
	}
	res, err := rawbench.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"shard": "2/2", "run-id": "slurm-99", "host-label": "test-box",
		"slurm-array-job-id": "99", "slurm-job-id": "101", "slurm-array-task-id": "2"} {
		if got := res.ConfigValue(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(res.ConfigValue("mpbench-args"), `"--shard","2/2"`) {
		t.Errorf("mpbench-args does not record the shard: %s", res.ConfigValue("mpbench-args"))
	}
	planned := listNames(t, nil, append([]string{"list", "--shard", "2/2"}, sel...)...)
	var got []string
	for _, c := range res.Cells {
		got = append(got, c.Name)
	}
	if len(got) != len(planned) || len(planned) == 0 {
		t.Fatalf("ran %q, list --shard 2/2 says %q", got, planned)
	}
	for _, p := range planned {
		if c := res.Cell(p); c == nil || c.NumSamples() == 0 {
			t.Errorf("%s of the shard not measured", p)
		}
	}
	// Resume outside the array: the same shard, nothing more to measure.
	before, _ := os.ReadFile(filepath.Join(out, harness.RawFile))
	re := exec.Command(binary, "run", "--resume", "--out", out)
	re.Env = filteredEnv()
	if b, err := re.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, b)
	}
	after, _ := os.ReadFile(filepath.Join(out, harness.RawFile))
	if string(before) != string(after) {
		t.Errorf("resume of a finished shard changed raw.bench:\n%s", after[len(before):])
	}
}
