package bench

import (
	"strings"
	"testing"
	"time"
)

func TestSettingsInName(t *testing.T) {
	for _, tc := range []struct {
		name      string
		count     int
		benchtime time.Duration
	}{
		{"Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=2/benchtime=100ms/count=5", 5, 100 * time.Millisecond},
		{"Stream/impl=native/method=fork/chan=pipe/size=64KiB/cores=1/benchtime=1.5s", 0, 1500 * time.Millisecond},
		{"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1/count=2", 2, 0},
		{"Pool/impl=cpython/method=fork/exec=pool/workers=1/tasks=8/task=cpu/cores=2/count=5", 5, 0},
	} {
		c, err := ParseName(tc.name)
		if err != nil {
			t.Errorf("ParseName(%q): %v", tc.name, err)
			continue
		}
		if c.Count != tc.count || c.Benchtime != tc.benchtime || c.Name() != tc.name || !c.HasSettings() {
			t.Errorf("%q parsed to count %d benchtime %v name %q", tc.name, c.Count, c.Benchtime, c.Name())
		}
		if b := c.Base(); b.HasSettings() || strings.Contains(b.Name(), "count=") || strings.Contains(b.Name(), "benchtime=") {
			t.Errorf("Base of %q is %q", tc.name, b.Name())
		}
		// The cell's own settings replace the run's; absent ones keep them.
		n, bt := c.Settings(3, 25*time.Millisecond)
		wantN, wantBt := tc.count, tc.benchtime
		if wantN == 0 {
			wantN = 3
		}
		if wantBt == 0 {
			wantBt = 25 * time.Millisecond
		}
		if n != wantN || bt != wantBt {
			t.Errorf("%q: Settings(3, 25ms) = %d, %v; want %d, %v", tc.name, n, bt, wantN, wantBt)
		}
	}
	for _, bad := range []string{
		"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1/benchtime=25ms", // one start per sample
		"Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=1/tasks=8/task=cpu/cores=1/benchtime=25ms",
		"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1/count=5/benchtime=25ms", // key order
		"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1/benchtime=1000ms",       // not canonical (1s)
		"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1/count=-1",
		"Pingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1/benchtime=soon",
	} {
		if _, err := ParseName(bad); err == nil {
			t.Errorf("ParseName(%q) accepted", bad)
		}
	}
}

func TestDimensionProfile(t *testing.T) {
	cells, err := Expand(Selection{Profile: Dimension}, 2)
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cells {
		if !c.HasSettings() || c.Count == 0 {
			t.Errorf("%s carries no count", c.Name())
		}
		if (c.Benchtime != 0) != (c.Workload == "pingpong" || c.Workload == "stream") {
			t.Errorf("%s: benchtime only and always for pingpong and stream", c.Name())
		}
		bases[c.Base().Name()]++
		seen["workload="+c.Workload] = true
		seen["impl="+c.Impl] = true
		seen["cores="+string(rune('0'+c.Cores))] = true
	}
	if len(bases) != len(DimensionBase) || len(DimensionBase) < 36 || len(DimensionBase) > 44 {
		t.Errorf("%d base cells (DimensionBase %d), want about 40", len(bases), len(DimensionBase))
	}
	for _, b := range DimensionBase {
		want := len(DimensionCounts)
		if b.Workload == "pingpong" || b.Workload == "stream" {
			want *= len(DimensionBenchtimes)
		}
		if b.HasSettings() || bases[b.Name()] != want {
			t.Errorf("%s: %d settings, want %d", b.Name(), bases[b.Name()], want)
		}
	}
	for _, v := range []string{"workload=startup", "workload=pingpong", "workload=stream", "workload=pool",
		"impl=native", "impl=cpython", "cores=1", "cores=2"} {
		if !seen[v] {
			t.Errorf("the dimension profile has no %s cell", v)
		}
	}
	// The bimodal cell the issue names is in.
	if bases["Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=2"] == 0 {
		t.Error("cpython fork shm 64B pingpong at cores=2 is missing")
	}
}

func TestDimensionSelection(t *testing.T) {
	for _, tc := range []struct {
		sel   Selection
		nproc int
		bases int
	}{
		{Selection{Profile: Dimension, Impls: []string{"native"}, Workloads: []string{"startup"}, Cores: []int{1}}, 2, 2},
		{Selection{Profile: Dimension, Workloads: []string{"pingpong"}, Sizes: []int64{64 << 10}}, 2, 1},
		{Selection{Profile: Dimension, Chans: []string{"shm"}}, 2, 6},
		{Selection{Profile: Dimension, Workloads: []string{"pool"}, Chans: []string{"simplequeue"}}, 2, 3}, // not exec=pool (no chan)
		{Selection{Profile: Dimension, Workloads: []string{"pool"}, Tasks: []string{"sleep"}}, 2, 2},
		{Selection{Profile: Dimension, Workloads: []string{"startup"}, RSS: []int64{256 << 20}}, 2, 1},
		{Selection{Profile: Dimension, Impls: []string{"pypy"}}, 2, 0},
	} {
		cells, err := Expand(tc.sel, tc.nproc)
		if err != nil {
			t.Fatal(err)
		}
		bases := map[string]bool{}
		for _, c := range cells {
			bases[c.Base().Name()] = true
		}
		if len(bases) != tc.bases {
			t.Errorf("%+v: %d base cells %v, want %d", tc.sel, len(bases), bases, tc.bases)
		}
	}
	// One CPU: the cores=2 cells are left out; asking for them is an error.
	cells, _ := Expand(Selection{Profile: Dimension}, 1)
	for _, c := range cells {
		if c.Cores > 1 {
			t.Errorf("%s on a 1-CPU machine", c.Name())
		}
	}
	if _, err := Expand(Selection{Profile: Dimension, Cores: []int{2}}, 1); err == nil {
		t.Error("--cores 2 on a 1-CPU machine accepted")
	}
}
