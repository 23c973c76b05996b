package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestSizeRoundTrip(t *testing.T) {
	tests := []struct {
		in    string
		want  int64
		canon string
	}{
		{"0", 0, "0"}, {"64", 64, "64B"}, {"64B", 64, "64B"}, {"4KiB", 4096, "4KiB"},
		{"1MiB", 1 << 20, "1MiB"}, {"16MiB", 16 << 20, "16MiB"}, {"1GiB", 1 << 30, "1GiB"},
		{"256MiB", 256 << 20, "256MiB"}, {"1536KiB", 1536 << 10, "1536KiB"}, {"1000", 1000, "1000B"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if s := FormatSize(got); s != tt.canon {
			t.Errorf("FormatSize(%d) = %q, want %q", got, s, tt.canon)
		}
	}
	for _, bad := range []string{"", "B", "-1", "1.5MiB", "1MB", "1 KiB", "+5", "KiB", "99999999999999GiB", "0x10"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
}

func TestNameRoundTrip(t *testing.T) {
	for _, profile := range []string{Quick, Full} {
		cells, err := Expand(Selection{Profile: profile}, 2)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range cells {
			n := c.Benchmark()
			if seen[n] {
				t.Errorf("duplicate cell %s", n)
			}
			seen[n] = true
			back, err := ParseName(n)
			if err != nil || back != c {
				t.Errorf("ParseName(%s) = %+v, %v", n, back, err)
			}
		}
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		c    Cell
		want string
	}{
		{Cell{Workload: "stream", Impl: "cpython", Method: "fork", Chan: "pipe", Size: 64 << 10, Cores: 2},
			"BenchmarkStream/impl=cpython/method=fork/chan=pipe/size=64KiB/cores=2"},
		{Cell{Workload: "startup", Impl: "cpython", Method: "spawn", Chan: "simplequeue", Cores: 2},
			"BenchmarkStartup/impl=cpython/method=spawn/chan=simplequeue/rss=0/cores=2"},
		{Cell{Workload: "startup", Impl: "native", Method: "fork", Chan: "pipe", RSS: 1 << 30, Cores: 1},
			"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=1GiB/cores=1"},
		{Cell{Workload: "pool", Impl: "native", Method: "fork", Exec: "loop", Chan: "queue", Workers: 2, Tasks: 16, Task: "cpu", Cores: 2},
			"BenchmarkPool/impl=native/method=fork/exec=loop/chan=queue/workers=2/tasks=16/task=cpu/cores=2"},
		{Cell{Workload: "pool", Impl: "cpython", Method: "spawn", Exec: "pool", Workers: 3, Tasks: 24, Task: "sleep", Cores: 2},
			"BenchmarkPool/impl=cpython/method=spawn/exec=pool/workers=3/tasks=24/task=sleep/cores=2"},
		{Cell{Workload: "pool", Impl: "pypy", Method: "forkserver", Exec: "ppe", Workers: 1, Tasks: 8, Task: "cpu", Cores: 1},
			"BenchmarkPool/impl=pypy/method=forkserver/exec=ppe/workers=1/tasks=8/task=cpu/cores=1"},
		{Cell{Workload: "pool", Impl: "cpython", Method: "loky", Exec: "loky-warm", Workers: 2, Tasks: 16, Task: "cpu", Cores: 2},
			"BenchmarkPool/impl=cpython/method=loky/exec=loky-warm/workers=2/tasks=16/task=cpu/cores=2"},
		// A pool name written before the exec key existed.
		{Cell{Workload: "pool", Impl: "cpython", Method: "fork", Chan: "simplequeue", Workers: 2, Tasks: 16, Task: "cpu", Cores: 2},
			"BenchmarkPool/impl=cpython/method=fork/chan=simplequeue/workers=2/tasks=16/task=cpu/cores=2"},
		{Cell{Workload: "pingpong", Impl: "torch", Method: "spawn", Chan: "queue", Payload: "tensor", Size: 64, Cores: 1},
			"BenchmarkPingpong/impl=torch/method=spawn/chan=queue/payload=tensor/size=64B/cores=1"},
		{Cell{Workload: "startup", Impl: "cpython", Method: "forkserver", Preload: "none", Main: "stdlib", Chan: "pipe", Cores: 2},
			"BenchmarkStartup/impl=cpython/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2"},
		{Cell{Workload: "startup", Impl: "multiprocessing", Method: "spawn", Main: "torch", Chan: "pipe", Cores: 2},
			"BenchmarkStartup/impl=multiprocessing/method=spawn/main=torch/chan=pipe/rss=0/cores=2"},
		{Cell{Workload: "pool", Impl: "cpython", Method: "forkserver", Preload: "none", Exec: "pool", Workers: 2, Tasks: 16, Task: "cpu", Cores: 2},
			"BenchmarkPool/impl=cpython/method=forkserver/preload=none/exec=pool/workers=2/tasks=16/task=cpu/cores=2"},
		// The defaults are the names without the keys (every name written before them).
		{Cell{Workload: "startup", Impl: "cpython", Method: "forkserver", Chan: "pipe", Cores: 2}.WithProgram(MainStub, PreloadMain),
			"BenchmarkStartup/impl=cpython/method=forkserver/chan=pipe/rss=0/cores=2"},
		{Cell{Workload: "startup", Impl: "cpython", Method: "fork", Chan: "pipe", Cores: 2}.WithProgram(MainNumpy, PreloadNone),
			"BenchmarkStartup/impl=cpython/method=fork/main=numpy/chan=pipe/rss=0/cores=2"},
		{Cell{Workload: Gather, Impl: "cpython", Method: "fork", Chan: "queue", Workers: 4, Size: 64 << 10, Cores: 2},
			"BenchmarkGather/impl=cpython/method=fork/chan=queue/workers=4/size=64KiB/cores=2"},
		{Cell{Workload: Gather, Impl: "native", Method: "spawn", Chan: "shm", Workers: 1, Size: 64, Cores: 1, Benchtime: 10 * time.Millisecond},
			"BenchmarkGather/impl=native/method=spawn/chan=shm/workers=1/size=64B/cores=1/benchtime=10ms"},
		{Cell{Workload: "pool", Impl: "cpython", Method: "forkserver", Exec: ExecPPECold, Workers: 2, Tasks: 16, Task: "cpu", Cores: 2},
			"BenchmarkPool/impl=cpython/method=forkserver/exec=ppe-cold/workers=2/tasks=16/task=cpu/cores=2"},
		{Cell{Workload: "pool", Impl: "cpython", Method: "fork", Exec: ExecPool, Workers: 2, Tasks: 10000, Task: TinyTask, Chunksize: 5000, Cores: 2},
			"BenchmarkPool/impl=cpython/method=fork/exec=pool/workers=2/tasks=10000/task=tiny/chunksize=5000/cores=2"},
	}
	for _, tt := range tests {
		if got := tt.c.Benchmark(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
	for _, bad := range []string{"Startup/impl=cobol/method=fork/chan=pipe/rss=0/cores=1",
		"Startup/impl=native/method=fork/chan=pipe/rss=0", "Warp/impl=native",
		"Stream/impl=native/method=fork/chan=pipe/size=64/cores=1", // not canonical (64B)
		"Stream/impl=native/method=fork/chan=pipe/payload=tensor/size=64B/cores=1",
		"Pool/impl=native/method=fork/exec=pool/workers=2/tasks=16/task=cpu/cores=2",            // native: loop only
		"Pool/impl=cpython/method=fork/exec=pool/chan=pipe/workers=2/tasks=16/task=cpu/cores=2", // chan only with loop
		"Pool/impl=cpython/method=fork/exec=loop/workers=2/tasks=16/task=cpu/cores=2",           // loop needs a chan
		"Pool/impl=cpython/method=loky/exec=ppe/workers=2/tasks=16/task=cpu/cores=2",            // loky method only for loky
		"Pool/impl=cpython/method=fork/exec=loky-cold/workers=2/tasks=16/task=cpu/cores=2",      // loky exec needs method=loky
		"Pool/impl=cpython/method=fork/exec=threads/workers=2/tasks=16/task=cpu/cores=2",        // unknown exec
		"Pool/impl=cpython/method=fork/chan=pipe/exec=loop/workers=2/tasks=16/task=cpu/cores=2", // key order
		"Stream/impl=native/method=fork/exec=loop/chan=pipe/size=64B/cores=1",                   // exec is a pool key
		"Startup/impl=native/method=loky/chan=pipe/rss=0/cores=1",
		"Startup/impl=cpython/method=fork/preload=none/chan=pipe/rss=0/cores=1",                   // preload: forkserver only
		"Startup/impl=cpython/method=forkserver/preload=main/chan=pipe/rss=0/cores=1",             // the default is written without the key
		"Startup/impl=cpython/method=forkserver/preload=all/chan=pipe/rss=0/cores=1",              // unknown preload
		"Startup/impl=cpython/method=fork/main=stub/chan=pipe/rss=0/cores=1",                      // the default is written without the key
		"Startup/impl=cpython/method=fork/main=scipy/chan=pipe/rss=0/cores=1",                     // unknown main
		"Startup/impl=native/method=fork/main=stdlib/chan=pipe/rss=0/cores=1",                     // native has no main module
		"Startup/impl=native/method=forkserver/preload=none/chan=pipe/rss=0/cores=1",              // nor a preload
		"Startup/impl=cpython/method=forkserver/main=stdlib/preload=none/chan=pipe/rss=0/cores=1", // key order
		"Startup/impl=cpython/method=forkserver/chan=pipe/preload=none/rss=0/cores=1",             // key order

		"Gather/impl=cpython/method=fork/workers=2/size=64B/cores=2",                                        // gather needs a chan
		"Gather/impl=cpython/method=fork/chan=pipe/size=64B/workers=2/cores=2",                              // key order
		"Gather/impl=cpython/method=fork/chan=pipe/workers=0/size=64B/cores=2",                              // no workers
		"Gather/impl=cpython/method=fork/exec=loop/chan=pipe/workers=2/size=64B/cores=2",                    // exec is a pool key
		"Gather/impl=torch/method=fork/chan=pipe/payload=tensor/workers=2/size=64B/cores=2",                 // bytes only
		"Gather/impl=cpython/method=fork/chan=pipe/workers=2/tasks=16/size=64B/cores=2",                     // tasks is a pool key
		"Pool/impl=native/method=fork/exec=pool-cold/workers=2/tasks=16/task=cpu/cores=2",                   // native: loop only
		"Pool/impl=cpython/method=loky/exec=ppe-cold/workers=2/tasks=16/task=cpu/cores=2",                   // loky method only for loky
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=16/task=cpu/chunksize=0/cores=2",           // the default is written without the key
		"Pool/impl=cpython/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=cpu/chunksize=4/cores=2", // chunksize: pool and ppe only
		"Pool/impl=cpython/method=fork/exec=ppe/workers=2/tasks=16/chunksize=4/task=cpu/cores=2",            // key order
		"Pool/impl=native/method=fork/exec=loop/chan=pipe/workers=2/tasks=16/task=tiny/cores=2",             // tiny: Python only
		"Gather/impl=cpython/method=fork/chan=pipe/workers=2/size=64B/chunksize=4/cores=2"} {                // chunksize is a pool key
		if _, err := ParseName(bad); err == nil {
			t.Errorf("ParseName(%q) accepted", bad)
		}
	}
}

func TestExpandProfiles(t *testing.T) {
	primary, _ := Expand(Selection{Profile: Full}, 2)
	variants, _ := Expand(Selection{Profile: VariantsOnly}, 2)
	full := primary
	for _, c := range variants {
		if c.Exec == "" || contains(ProfileExecs, c.Exec) { // the executor comparison is the variants profile's alone
			full = append(full, c)
		}
	}
	quick, _ := Expand(Selection{Profile: Quick}, 2)
	cover := func(cells []Cell) map[string]bool {
		m := map[string]bool{}
		for _, c := range cells {
			for _, v := range []string{"impl=" + c.Impl, "method=" + c.Method, "chan=" + c.Chan, "workload=" + c.Workload, "exec=" + c.Exec} {
				m[v] = true
			}
		}
		return m
	}
	if f, q := cover(full), cover(quick); len(q) != len(f) || len(f) != len(KnownImpls())+len(Methods)+len(Chans)+len(Workloads)-1+len(ProfileExecs)+len(ColdExecs)+1+2 { // -1: memory is the users profile's; +1: ppe (the chunksize maps)
		t.Errorf("quick covers %d values, full %d", len(q), len(f))
	}
	if len(quick) >= len(full)/10 {
		t.Errorf("quick (%d cells) is not much smaller than full (%d)", len(quick), len(full))
	}
	// Filters narrow only the workloads that have the parameter.
	cells, _ := Expand(Selection{Profile: Full, Impls: []string{"native"}, Sizes: []int64{1 << 20}}, 2)
	kinds := map[string]int{}
	for _, c := range cells {
		kinds[c.Workload]++
		if (c.Workload == "stream" || c.Workload == "pingpong") && c.Size != 1<<20 {
			t.Errorf("size filter not applied to %s", c.Name())
		}
	}
	if kinds["startup"] == 0 || kinds["pool"] == 0 {
		t.Errorf("--size removed startup or pool cells: %v", kinds)
	}
	if _, err := Expand(Selection{Cores: []int{4}}, 2); err == nil || !strings.Contains(err.Error(), "exceed") {
		t.Errorf("cores > nproc accepted: %v", err)
	}
	if got := CoreCounts(6); len(got) != 4 || got[3] != 6 {
		t.Errorf("CoreCounts(6) = %v", got)
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "64B", "4KiB", "1MiB", "1GiB", "-1", "1.5", "KiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("negative size %d from %q", n, s)
		}
		back, err := ParseSize(FormatSize(n))
		if err != nil || back != n {
			t.Fatalf("%q → %d → %q → %d, %v", s, n, FormatSize(n), back, err)
		}
	})
}

func FuzzParseName(f *testing.F) {
	f.Add("Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1")
	f.Add("BenchmarkPool/impl=native/method=fork/chan=queue/workers=2/tasks=16/task=cpu/cores=2")
	f.Add("BenchmarkPool/impl=cpython/method=loky/exec=loky-cold/workers=2/tasks=16/task=cpu/cores=2")
	f.Add("BenchmarkStartup/impl=cpython/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2")
	f.Add("Startup/impl=multiprocessing/method=fork/main=torch/chan=pipe/rss=64MiB/cores=1")
	f.Add("Pingpong/impl=cpython/method=fork/chan=shm/size=64B/cores=2/benchtime=100ms/count=5")
	f.Add("Gather/impl=cpython/method=fork/chan=pipe/workers=4/size=64KiB/cores=2")
	f.Add("BenchmarkGather/impl=cpython/method=forkserver/preload=none/chan=shm/workers=1/size=0/cores=1/count=3")
	f.Add("Pool/impl=cpython/method=spawn/exec=pool-cold/workers=2/tasks=16/task=cpu/cores=2")
	f.Add("Pool/impl=cpython/method=fork/exec=ppe/workers=2/tasks=10000/task=tiny/chunksize=5000/cores=2")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseName(s)
		if err != nil {
			return
		}
		if c.Name() != strings.TrimPrefix(s, "Benchmark") {
			t.Fatalf("%q parsed to %q", s, c.Name())
		}
	})
}

func TestSecondarySubset(t *testing.T) {
	count := func(sel Selection, impl string) int {
		cells, err := Expand(sel, 2)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range cells {
			if c.Impl == impl {
				n++
			}
		}
		return n
	}
	// The full profile narrows pypy and torch, never native or cpython
	// beyond LowCoresMethods: 241 cells of the matrix (357 less the 116
	// of spawn and forkserver at cores = 1 and with sleep tasks), the 8
	// extra parent sizes of the dense rss sweep (fork, forkserver × 4
	// sizes at cores = nproc) and the 10 program cells (ProgramCells), and
	// the 39 user cells (UserCells: 28 gather, 6 cold pools, 5 chunksize maps).
	if n := count(Selection{Profile: Full, Impls: []string{"cpython"}}, "cpython"); n != 241+8+10+39 {
		t.Errorf("cpython full: %d cells, want 241 + 8 + 10 + 39", n)
	}
	full, err := Expand(Selection{Profile: Full, Impls: []string{"native", "cpython"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range full {
		if (c.Cores < 2 || c.Task == "sleep") && c.Method != "fork" {
			t.Errorf("full profile: %s below nproc cores or with sleep tasks, not fork", c.Name())
		}
	}
	if n := count(Selection{Profile: Full, Impls: []string{"torch"}}, "torch"); n == 0 || n >= 408 {
		t.Errorf("torch full: %d cells, want a non-empty subset", n)
	}
	// Dimensions chosen explicitly are not narrowed.
	sel := Selection{Profile: Full, Impls: []string{"pypy", "torch"}, Methods: Methods, Chans: Chans,
		Workloads: []string{"startup", "stream"}, Sizes: []int64{64, 1 << 20}, RSS: []int64{0}, Cores: []int{2}}
	if p, tt := count(sel, "pypy"), count(sel, "torch"); p != 36 || tt != 54 {
		t.Errorf("explicit selection: pypy %d, torch %d cells, want 36 and 54", p, tt)
	}
}

func TestPoolExecs(t *testing.T) {
	cells, err := Expand(Selection{Profile: Full, Workloads: []string{"pool"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The matrix's pool cells (the cold executors and the chunksize maps
	// are UserCells', TestUserCells).
	users, _ := UserCells(Selection{Profile: Full, Workloads: []string{"pool"}}, 2)
	user := map[string]bool{}
	for _, c := range users {
		user[c.Name()] = true
	}
	execs := map[string]int{}
	for _, c := range cells {
		if user[c.Name()] {
			continue
		}
		execs[c.Impl+"/"+c.Exec]++
		if c.Tasks != TasksPerWorker*c.Workers {
			t.Errorf("%s: tasks %d, want %d × workers", c.Name(), c.Tasks, TasksPerWorker)
		}
		if (c.Exec == ExecLoop) != (c.Chan != "") {
			t.Errorf("%s: chan key iff exec=loop", c.Name())
		}
	}
	if execs["native/pool"] != 0 || execs["native/loop"] == 0 || execs["cpython/pool"] == 0 || execs["cpython/loop"] == 0 {
		t.Errorf("full profile executors: %v", execs)
	}
	if execs["cpython/ppe"] != 0 || execs["cpython/loky-cold"] != 0 {
		t.Errorf("ppe and loky are not in the default profile: %v", execs)
	}
	// Explicit executors, including loky (its own method).
	cells, err = Expand(Selection{Profile: Full, Workloads: []string{"pool"}, Impls: []string{"cpython", "native"},
		Execs: []string{ExecPPE, ExecLokyCold}, Cores: []int{2}, Workers: []int{2}, Tasks: []string{"cpu"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cells {
		names = append(names, c.Name())
	}
	want := []string{
		"Pool/impl=cpython/method=spawn/exec=ppe/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=cpython/method=fork/exec=ppe/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=cpython/method=forkserver/exec=ppe/workers=2/tasks=16/task=cpu/cores=2",
		"Pool/impl=cpython/method=loky/exec=loky-cold/workers=2/tasks=16/task=cpu/cores=2",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("explicit executors:\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	// A chan selection keeps to the loop executor.
	cells, _ = Expand(Selection{Profile: Full, Workloads: []string{"pool"}, Chans: []string{"pipe"}}, 2)
	for _, c := range cells {
		if c.Exec != ExecLoop || c.Chan != "pipe" {
			t.Errorf("--chan pipe gave %s", c.Name())
		}
	}
}

func TestVariantsHook(t *testing.T) {
	defer func(v []Variant, x []string) { Variants, ExtraImpls = v, x }(Variants, ExtraImpls)
	ExtraImpls = []string{"cpython3.99"}
	Variants = []Variant{func(sel Selection, nproc int) ([]Cell, error) {
		if sel.Impls != nil && !contains(sel.Impls, "cpython3.99") {
			return nil, nil
		}
		return ExpandMatrix(Selection{Profile: sel.Profile, Workloads: []string{"startup"}, RSS: []int64{0}, Cores: []int{nproc}}, nproc, []string{"cpython3.99"})
	}}
	cells, err := Expand(Selection{Profile: Quick, Impls: []string{"cpython3.99"}}, 2)
	if err != nil || len(cells) != 12 {
		t.Fatalf("variant cells: %d, %v", len(cells), err)
	}
	if _, err := ParseName(cells[0].Name()); err != nil {
		t.Errorf("variant impl does not parse: %v", err)
	}
	all, _ := Expand(Selection{Profile: Quick}, 2)
	if all[len(all)-1].Impl != "cpython3.99" {
		t.Errorf("variant cells not appended: last is %s", all[len(all)-1].Name())
	}
	// A variant cell that the profile lists already is listed once.
	Variants = append(Variants, func(sel Selection, nproc int) ([]Cell, error) {
		return []Cell{{Workload: "startup", Impl: "cpython", Method: "fork", Chan: "pipe", Cores: nproc}}, nil
	})
	if cells, err := Expand(Selection{Profile: Full, Impls: []string{"cpython"}, Workloads: []string{"startup"}}, 2); err != nil || len(cells) == 0 {
		t.Errorf("a variant cell that the matrix lists: %d cells, %v", len(cells), err)
	}
}

func TestFullProfileTrims(t *testing.T) {
	cells, err := Expand(Selection{Profile: Full, Impls: []string{"native", "cpython"}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	workers := map[string][]int{}
	for _, c := range cells {
		if c.Workload == "startup" && c.RSS != 0 && c.Chan != RSSChan {
			t.Errorf("rss sweep off %s: %s", RSSChan, c.Name())
		}
		if c.Workload == "pool" {
			if c.Task == "sleep" && c.Cores != 2 {
				t.Errorf("sleep tasks below nproc cores: %s", c.Name())
			}
			k := fmt.Sprintf("%s/%d", c.Task, c.Cores)
			if l := workers[k]; len(l) == 0 || l[len(l)-1] < c.Workers {
				workers[k] = append(l, c.Workers)
			}
		}
	}
	if got := fmt.Sprint(workers); got != "map[cpu/1:[1 2] cpu/2:[1 2 4] sleep/2:[2 4] tiny/2:[2]]" { // tiny: the chunksize maps
		t.Errorf("pool worker sweeps %s", got)
	}
	// Explicit selections are not trimmed (and the program cells, all
	// over pipe, are not selected).
	cells, _ = Expand(Selection{Profile: Full, Impls: []string{"cpython"}, Workloads: []string{"startup"}, Chans: []string{"queue"}}, 2)
	if len(cells) != 18 {
		t.Errorf("--chan queue startup: %d cells, want 3 methods × 3 rss × 2 cores", len(cells))
	}
	raw := 0
	cells, _ = Expand(Selection{Profile: Full, Impls: []string{"native", "cpython"}}, 2)
	for _, c := range cells {
		if c.Payload == "rawbytes" {
			raw++
			if c.Impl != RawBytesImpl || c.Chan != "pipe" || c.Cores != 2 {
				t.Errorf("rawbytes cell %s", c.Name())
			}
		}
	}
	if raw != 3*(len(PingpongSizes)+len(StreamSizes)) {
		t.Errorf("%d rawbytes cells, want pingpong and stream sizes × 3 methods", raw)
	}
	cells, _ = Expand(Selection{Profile: Full, Impls: []string{"torch"}}, 2)
	for _, c := range cells {
		if (c.Workload == "pingpong" || c.Workload == "stream") && c.Payload != "tensor" {
			t.Errorf("torch bytes payload in the full profile: %s", c.Name())
		}
		if c.Workload == "pool" && c.Exec != ExecPool {
			t.Errorf("torch pool beyond exec=pool: %s", c.Name())
		}
	}
}
