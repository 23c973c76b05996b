package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// shardFile builds a raw.bench of one shard.
func shardFile(config map[string]string, lines ...string) string {
	var b strings.Builder
	for _, k := range []string{"cpu", "nproc", "host", "host-label", "run-id", "shard", "shard-selection", "start", "slurm-array-task-id"} {
		if v, ok := config[k]; ok {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func writeRun(t *testing.T, root, name, content string) string {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, view.RawFile), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const (
	cellA = "BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1"
	cellB = "BenchmarkStartup/impl=native/method=spawn/chan=pipe/rss=0/cores=1"
	cellC = "BenchmarkPingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1"
)

func TestHostLabelOfRun(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"recorded", map[string]string{"host": "vm", "host-label": "big-box"}, "big-box"},
		{"derived", map[string]string{"host": "vm", "cpu": "AMD EPYC", "nproc": "2"}, "vm-amd-epyc-2c"},
		{"derived 16", map[string]string{"host": "vm", "cpu": "Intel(R) Xeon(R) Processor", "nproc": "16"}, "vm-intel-r-xeon-r-processor-16c"},
	} {
		r, err := view.Parse([]byte(shardFile(tc.config, cellA+" 1 100 ns/op")), view.RawFile)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.HostLabel(); got != tc.want {
			t.Errorf("%s: HostLabel = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestMergeShards(t *testing.T) {
	host := map[string]string{"host": "vm", "cpu": "X", "nproc": "4", "host-label": "node-a"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range host {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	shard1 := shardFile(with("run-id", "slurm-7", "shard", "1/2", "start", "t1", "slurm-array-task-id", "1"), cellA+" 1 100 ns/op", cellA+" 1 110 ns/op")
	shard2 := shardFile(with("run-id", "slurm-7", "shard", "2/2", "start", "t2", "slurm-array-task-id", "2"), cellB+" 1 200 ns/op", "--- SKIP: "+cellC+": no reason")
	for _, tc := range []struct {
		name    string
		files   []string
		runs    int    // runs after merging
		cells   []int  // cells per run
		wantErr string // substring of the error
		warn    string // substring of a warning of the merged run
	}{
		{"two shards", []string{shard2, shard1}, 1, []int{3}, "", ""},
		{"a shard missing", []string{shard1, shardFile(with("run-id", "slurm-7", "shard", "3/3"), cellB+" 1 200 ns/op")}, 1, []int{2}, "", "shard 2/3 not given"},
		{"same shard twice", []string{shard1, shard1, shard2}, 1, []int{3}, "", ""},
		{"conflict", []string{shard1, shardFile(with("run-id", "slurm-7", "shard", "2/2"), cellA+" 1 999 ns/op")}, 0, nil,
			"Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1 is recorded by both", ""},
		{"other selection", []string{shard1, shardFile(with("run-id", "slurm-7", "shard", "2/2", "shard-selection", "9 cells, abc"), cellB+" 1 200 ns/op")}, 0, nil,
			"are shards of different selections", ""},
		{"other run id", []string{shard1, shardFile(with("run-id", "slurm-8", "shard", "2/2"), cellA+" 1 999 ns/op")}, 2, []int{1, 1}, "", ""},
		{"other host, same run id", []string{shard1, shardFile(with("host-label", "node-b", "run-id", "slurm-7"), cellA+" 1 999 ns/op")}, 2, []int{1, 1}, "", ""},
		{"no run id: folder is the run", []string{shardFile(host, cellA+" 1 100 ns/op"), shardFile(host, cellA+" 1 120 ns/op")}, 2, []int{1, 1}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			var runs []*view.Run
			for i, f := range tc.files {
				r, err := view.Load(writeRun(t, root, fmt.Sprintf("s%d", i), f), nil)
				if err != nil {
					t.Fatal(err)
				}
				runs = append(runs, r)
			}
			got, err := MergeShards(runs)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.runs {
				t.Fatalf("%d runs, want %d", len(got), tc.runs)
			}
			warned := strings.Join(got[0].Warnings, "\n")
			if (tc.warn == "") != (warned == "") || !strings.Contains(warned, tc.warn) {
				t.Errorf("warnings %q, want %q", warned, tc.warn)
			}
			for i, r := range got {
				if len(r.Cells) != tc.cells[i] {
					t.Errorf("run %d: %d cells, want %d", i, len(r.Cells), tc.cells[i])
				}
				for _, c := range r.Cells {
					if c.Run != r {
						t.Errorf("cell %s does not point to its merged run", c.Name)
					}
				}
			}
		})
	}
	// The merged configuration: common values once, differing ones per
	// shard in shard order, the shard folders listed.
	root := t.TempDir()
	r2, _ := view.Load(writeRun(t, root, "b", shard2), nil)
	r1, _ := view.Load(writeRun(t, root, "a", shard1), nil)
	got, err := MergeShards([]*view.Run{r2, r1})
	if err != nil {
		t.Fatal(err)
	}
	m := got[0]
	if m.Dir != root {
		t.Errorf("merged run's folder %q, want the shards' parent %q", m.Dir, root)
	}
	for k, want := range map[string]string{"host-label": "node-a", "run-id": "slurm-7", "shard": "1/2 | 2/2", "start": "t1 | t2", "shard-folders": "a b"} {
		if v := m.ConfigValue(k); v != want {
			t.Errorf("merged %s = %q, want %q", k, v, want)
		}
	}
	if c := d0find(m, cellA); c == nil || len(c.Values("ns/op")) != 2 {
		t.Errorf("cell A after merging: %+v", c)
	}
}

// The published 2-vCPU run and the 16-vCPU reference data: two machines
// called "vm", shown side by side.
func TestHostsSideBySide(t *testing.T) {
	published := filepath.Join("testdata", "hosts2")
	if _, err := os.Stat(filepath.Join(published, view.RawFile)); err != nil {
		t.Skip("no published run:", err)
	}
	dirs := []string{published}
	for _, f := range []string{"pp", "pool", "stream", "startup-rss"} {
		dirs = append(dirs, filepath.Join("testdata", "hosts16", f))
	}
	var runs []*view.Run
	for _, d := range dirs {
		r, err := view.Load(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	runs, err := MergeShards(runs)
	if err != nil {
		t.Fatal(err)
	}
	d := newData(runs)
	if runs[0].Host() != runs[1].Host() {
		t.Fatalf("test data: hosts %q and %q should share a name", runs[0].Host(), runs[1].Host())
	}
	small, big := "vm-amd-epyc-2c", "vm-intel-r-xeon-r-processor-16c"
	tables := map[string]*Table{}
	for _, tb := range d.hostTables() {
		tables[tb.Name] = tb
	}
	for _, w := range []string{"startup", "pingpong", "stream", "pool"} {
		tb := tables["hosts-"+w]
		if tb == nil {
			t.Errorf("no side-by-side table for %s", w)
			continue
		}
		want := []string{"cell", small, big, "ratio"}
		if strings.Join(tb.Header, ",") != strings.Join(want, ",") {
			t.Errorf("%s header %q, want %q", w, tb.Header, want)
		}
		if len(tb.Rows) == 0 {
			t.Errorf("%s: no rows", w)
		}
		all := 0
		for _, row := range tb.Rows {
			if row[1] == "—" || row[2] == "—" {
				t.Errorf("%s: row %q is not measured on both hosts", w, row)
			}
			if strings.HasSuffix(row[0], "/cores=all") {
				all++
			}
		}
		if all == 0 {
			t.Errorf("%s: no cores=all row (2 vs 16 CPUs)", w)
		}
	}
	// The reference startup cells were measured at cores=16 only: the
	// table compares them with the 2-vCPU run at cores=2.
	for _, row := range tables["hosts-startup"].Rows {
		if !strings.HasSuffix(row[0], "/cores=all") {
			t.Errorf("startup row %q: the hosts share no core count", row[0])
		}
	}
	figs := map[string]*figure{}
	for _, f := range d.hostFigures() {
		figs[f.name] = f
	}
	for _, name := range []string{"hosts-startup", "hosts-cores-pingpong-cpython", "hosts-cores-pingpong-native", "hosts-cores-stream-cpython", "hosts-cores-pool-cpython"} {
		f := figs[name]
		if f == nil {
			t.Errorf("no figure %s (have %d)", name, len(figs))
			continue
		}
		for _, pn := range f.panels {
			var names []string
			for _, s := range pn.series {
				if !s.empty() {
					names = append(names, s.name)
				}
			}
			if strings.Join(names, ",") != small+","+big {
				t.Errorf("%s panel %q: series %q, want both hosts", name, pn.title, names)
			}
		}
	}
	svg, png, err := figs["hosts-cores-pool-cpython"].render()
	if err != nil || !bytes.Contains(svg, []byte(big)) || len(png) < 1000 {
		t.Errorf("render: err %v, svg %d bytes, png %d bytes", err, len(svg), len(png))
	}

	// End to end: REPORT.md has the section, the files exist.
	out := t.TempDir()
	if err := Generate(dirs, Options{OutDir: out}, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Hosts and cores", "- **", "plots/hosts-cores-pingpong-cpython.png", "Ping-pong side by side"} {
		if !bytes.Contains(rep, []byte(want)) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	for _, f := range []string{"tables/hosts-pool.md", "plots/hosts-cores-stream-native.svg", "plots/hosts-cores-stream-native.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// One run: no side-by-side view.
func TestHostsSingleRun(t *testing.T) {
	r, err := view.Load(filepath.Join("testdata", "hosts16", "pp"), nil)
	if err != nil {
		t.Fatal(err)
	}
	d := newData([]*view.Run{r})
	if n := len(d.hostTables()) + len(d.hostFigures()); n != 0 {
		t.Errorf("%d side-by-side tables and figures for one run", n)
	}
}

func d0find(r *view.Run, bname string) *view.Cell {
	for _, c := range r.Cells {
		if "Benchmark"+c.Name == bname {
			return c
		}
	}
	return nil
}

func TestHostRows(t *testing.T) {
	pp := func(cores int, ns int) string {
		return fmt.Sprintf("BenchmarkPingpong/impl=native/method=fork/chan=pipe/size=64B/cores=%d 1 %d ns/op", cores, ns)
	}
	for _, tc := range []struct {
		name   string
		a, b   string // raw.bench of two hosts
		rows   []string
		single int
	}{
		{"same core counts",
			shardFile(map[string]string{"host-label": "a", "nproc": "2"}, pp(1, 10), pp(2, 20)),
			shardFile(map[string]string{"host-label": "b", "nproc": "2"}, pp(2, 30)),
			[]string{"impl=native/method=fork/chan=pipe/size=64B/cores=2"}, 1},
		{"all CPUs of each",
			shardFile(map[string]string{"host-label": "a", "nproc": "2"}, pp(2, 20)),
			shardFile(map[string]string{"host-label": "b", "nproc": "16"}, pp(1, 5), pp(16, 30)),
			[]string{"impl=native/method=fork/chan=pipe/size=64B/cores=all"}, 3},
		{"nothing shared",
			shardFile(map[string]string{"host-label": "a", "nproc": "4"}, pp(1, 20)),
			shardFile(map[string]string{"host-label": "b", "nproc": "16"}, pp(2, 5)),
			nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			ra, err := view.Load(writeRun(t, root, "a", tc.a), nil)
			if err != nil {
				t.Fatal(err)
			}
			rb, err := view.Load(writeRun(t, root, "b", tc.b), nil)
			if err != nil {
				t.Fatal(err)
			}
			d := newData([]*view.Run{ra, rb})
			rows, single := hostRows(d, "pingpong", d.Runs)
			var got []string
			for _, r := range rows {
				got = append(got, r.label)
				if r.cells[0] == nil || r.cells[1] == nil {
					t.Errorf("row %s lacks a host", r.label)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.rows, ",") || single != tc.single {
				t.Errorf("rows %q single %d, want %q single %d", got, single, tc.rows, tc.single)
			}
		})
	}
}
