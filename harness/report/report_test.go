package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// testRun copies testdata/raw.bench into a temporary results folder.
func testRun(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", view.RawFile))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, view.RawFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestParse(t *testing.T) {
	in := strings.Join([]string{
		"goos: linux",
		"host: h1",
		"Unit MB/s better=higher",
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 1000 ns/op 50 join-ns/op",
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 not-a-number ns/op", // line 5: corrupt
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 1200 ns/op 60 join-ns/op",
		"--- SKIP: BenchmarkStartup/impl=pypy/method=fork/chan=pipe/rss=0/cores=1: pypy3 not found on PATH",
		"--- FAIL: BenchmarkStream/impl=cpython/method=spawn/chan=shm/size=16MiB/cores=1: timeout after 30s",
		"BenchmarkClaim/id=C3/impl=cpython 1 3000000000 ns/op",
		"BenchmarkStartup/impl=native/method=spawn/chan=pipe/rss=0/cores=1 1 20", // line 10: truncated, no newline
	}, "\n")
	r, err := view.Parse([]byte(in), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	wantWarn := []string{"raw.bench:10: truncated last line", "raw.bench:5: ", "raw.bench:9: cell Claim/id=C3/impl=cpython: name does not parse"}
	if len(r.Warnings) != len(wantWarn) {
		t.Fatalf("warnings = %q", r.Warnings)
	}
	for i, w := range wantWarn {
		if !strings.HasPrefix(r.Warnings[i], w) {
			t.Errorf("warning %d = %q, want prefix %q", i, r.Warnings[i], w)
		}
	}
	if got := r.ConfigValue("host"); got != "h1" {
		t.Errorf("host = %q", got)
	}
	if r.Better["MB/s"] != 1 {
		t.Errorf("Unit line not read: %v", r.Better)
	}
	byName := map[string]*view.Cell{}
	for _, c := range r.Cells {
		byName[c.Name] = c
	}
	fork := byName["Startup/impl=native/method=fork/chan=pipe/rss=0/cores=1"]
	if fork == nil || len(fork.Values("ns/op")) != 2 || fork.Values("ns/op")[1] != 1200 || fork.Values("join-ns/op")[0] != 50 {
		t.Errorf("fork cell = %+v", fork)
	}
	if c := byName["Startup/impl=pypy/method=fork/chan=pipe/rss=0/cores=1"]; c == nil || c.Status != view.StatusSkipped || c.Reason != "pypy3 not found on PATH" {
		t.Errorf("skip cell = %+v", c)
	}
	if c := byName["Stream/impl=cpython/method=spawn/chan=shm/size=16MiB/cores=1"]; c == nil || c.Status != view.StatusFailed || c.Reason != "timeout after 30s" {
		t.Errorf("fail cell = %+v", c)
	}
	if c := byName["Claim/id=C3/impl=cpython"]; c == nil || c.Parsed || c.Kind != "Claim" {
		t.Errorf("claim cell = %+v", c)
	}
	if _, ok := byName["Startup/impl=native/method=spawn/chan=pipe/rss=0/cores=1"]; ok {
		t.Errorf("truncated line was not dropped")
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := view.Load(dir, nil)
	if err == nil || err.Error() != "no results in "+dir+": raw.bench not found" {
		t.Errorf("err = %v", err)
	}
	if _, err := view.Load(filepath.Join(dir, "nope"), nil); err == nil || !strings.Contains(err.Error(), "raw.bench not found") {
		t.Errorf("missing dir: err = %v", err)
	}
}

func TestLoadWarnsCorruptLine(t *testing.T) {
	var w bytes.Buffer
	r, err := view.Load(testRun(t), &w)
	if err != nil {
		t.Fatal(err)
	}
	// testdata/raw.bench has a corrupt value at line 2927, a line without
	// unit at 2929 and a truncated last line 2930.
	for _, want := range []string{"raw.bench:2927: ", "raw.bench:2929: missing units", "raw.bench:2930: truncated last line"} {
		if !strings.Contains(w.String(), want) {
			t.Errorf("warnings %q lack %q", w.String(), want)
		}
	}
	if len(r.Cells) == 0 {
		t.Fatal("no cells")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run go test -update to accept):\n%s", name, got)
	}
}

func testData(t *testing.T) *Data {
	t.Helper()
	r, err := view.Load(testRun(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return newData([]*view.Run{r})
}

func TestGoldenTable(t *testing.T) {
	d := testData(t)
	for _, tb := range d.Tables() {
		if tb.Name == "startup-cores2-rss0" {
			var b bytes.Buffer
			if err := tb.Markdown(&b, 1); err != nil {
				t.Fatal(err)
			}
			golden(t, "startup-table.md", b.Bytes())
			return
		}
	}
	t.Fatal("table startup-cores2-rss0 not built")
}

func TestGoldenSVG(t *testing.T) {
	d := testData(t)
	for _, f := range d.Figures() {
		if f.name == "startup-rss-native-cores2" {
			svg, _, err := f.render()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "startup-rss.svg", svg)
			return
		}
	}
	t.Fatal("figure startup-rss-native-cores2 not built")
}

// TestDeterministic generates the report of testdata/raw.bench twice into
// two folders and requires byte-identical files.
func TestDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("renders every figure twice")
	}
	src := testRun(t)
	outs := []string{t.TempDir(), t.TempDir()}
	for _, out := range outs {
		if err := Generate([]string{src}, Options{OutDir: out}, nil); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{}
	n := 0
	err := filepath.Walk(outs[0], func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(outs[0], p)
		b, err := os.ReadFile(p)
		files[rel] = b
		n++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"REPORT.md", "tables/startup-cores2-rss0.md", "tables/skipped-failed.md", "plots/startup-latency-cores2.png",
		"plots/startup-latency-cores2.svg", "plots/stream-throughput-cpython-cores2.png", "plots/pool-cpu-native-cores2.png",
		"plots/startup-rss-cpython-cores2.svg", "plots/cores-pingpong-native.png", "plots/pingpong-latency-native-cores1.svg"} {
		if _, ok := files[want]; !ok {
			t.Errorf("missing output %s", want)
		}
	}
	for rel, a := range files {
		b, err := os.ReadFile(filepath.Join(outs[1], rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs (%v)", rel, err)
		}
	}
	rep := string(files["REPORT.md"])
	for _, want := range []string{"## Decision guide", "**Scope.** Linux", "## Start cost", "**Question.**", "**Method.**", "**Why.**",
		"**What would change the answer.**", "## Detail tables", "tables/summary-startup.md", "## Environment", "## Warnings",
		"| skipped | pypy3 not found on PATH |", "timeout after 30s", "![", "spawn/fork = ", "tables/warnings.md", "median of its per-run medians"} {
		if !strings.Contains(rep, want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	for file, want := range map[string]string{"tables/warnings.md": "raw.bench:2927", "tables/other.md": "Claim/id=C3"} {
		if !strings.Contains(string(files[file]), want) {
			t.Errorf("%s lacks %q", file, want)
		}
	}
}

func TestFormats(t *testing.T) {
	src := testRun(t)
	for _, f := range []string{"text", "csv", "json"} {
		var b bytes.Buffer
		if err := Generate([]string{src}, Options{Format: f}, &b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if b.Len() == 0 {
			t.Errorf("%s: no output", f)
		}
		if f == "json" {
			var v []CellStat
			if err := json.Unmarshal(b.Bytes(), &v); err != nil || len(v) == 0 {
				t.Errorf("json: %v (%d rows)", err, len(v))
			}
		}
	}
	if err := Generate([]string{src}, Options{Format: "xml"}, nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestCompareSelf(t *testing.T) {
	src := testRun(t)
	var b bytes.Buffer
	if err := Compare(&b, src, src, ""); err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, line := range strings.Split(b.String(), "\n") {
		if !strings.Contains(line, "/impl=") || strings.HasPrefix(line, "warning:") {
			continue
		}
		rows++
		if !strings.Contains(line, " ~ ") {
			t.Errorf("self-comparison not ~: %s", line)
		}
	}
	if rows == 0 || !strings.Contains(b.String(), "+0.00%") {
		t.Errorf("no comparison rows or geomean:\n%s", b.String())
	}
}

func TestCompareByImpl(t *testing.T) {
	src := testRun(t)
	var b bytes.Buffer
	if err := Compare(&b, src, "", "impl"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Pingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2") || !strings.Contains(b.String(), "geomean") {
		t.Errorf("by impl output:\n%s", b.String())
	}
	if err := Compare(&b, src, "", "colour"); err == nil {
		t.Error("unknown dimension accepted")
	}
}

func TestMultiHost(t *testing.T) {
	a := testRun(t)
	data, _ := os.ReadFile(filepath.Join(a, view.RawFile))
	b := t.TempDir()
	os.WriteFile(filepath.Join(b, view.RawFile), bytes.Replace(data, []byte("host: testhost"), []byte("host: otherhost"), 1), 0o644)
	out := t.TempDir()
	if err := Generate([]string{a, b}, Options{OutDir: out}, nil); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(filepath.Join(out, "REPORT.md"))
	cmp, _ := os.ReadFile(filepath.Join(out, "tables", "compare-method-vs-fork.md"))
	for _, want := range []string{"### testhost", "### otherhost"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("multi-host report lacks %q", want)
		}
	}
	if !strings.Contains(string(cmp), "| run ") {
		t.Errorf("multi-host comparison table lacks a run column")
	}
	// Runs are labelled by host label (host name, CPU model, CPU count).
	if m, _ := filepath.Glob(filepath.Join(out, "plots", "startup-latency-cores2-otherhost-*-2c.png")); len(m) != 1 {
		t.Errorf("figure of the second host: %q", m)
	}
}

func TestAgreement(t *testing.T) {
	// mk is a results file without run lines: every sample is a run of its own.
	type cell struct {
		name string
		xs   []float64
	}
	mk := func(cells ...cell) *view.Run {
		var b strings.Builder
		for _, c := range cells {
			for _, x := range c.xs {
				fmt.Fprintf(&b, "Benchmark%s 1 %g ns/op\n", c.name, x)
			}
		}
		r, err := view.Parse([]byte(b.String()), view.RawFile)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	ten := func(base float64) []float64 {
		var xs []float64
		for i := 0; i < 10; i++ {
			xs = append(xs, base+float64(i))
		}
		return xs
	}
	wide := []float64{100, 110, 120, 130, 140, 150, 160, 170, 180, 190}
	a := mk(cell{"Same", ten(100)}, cell{"Shifted", ten(100)}, cell{"Far", ten(100)}, cell{"Few", []float64{1, 2, 3}}, cell{"Wide", wide})
	b := mk(cell{"Same", ten(100)}, cell{"Shifted", ten(106)}, cell{"Far", ten(200)}, cell{"Few", []float64{1, 2, 3}}, cell{"Wide", wide})
	got := Agreement(a, b)
	// same: all four; shifted (medians 104.5 vs 110.5, CIs [101,108] and
	// [107,114]): overlap and within 10% only; far: none; few: no CI;
	// wide: agrees, but its CI [110, 180] is ±24% of 145 in both runs.
	want := AgreementStats{Cells: 4, MutualCI: 2, Overlap: 3, Within10: 3, Within50: 3, HalfWidth5: [2]int{3, 3}, HalfWidth10: [2]int{3, 3}}
	if got != want {
		t.Errorf("Agreement = %+v, want %+v", got, want)
	}
}

func TestReportRemovesStaleOutput(t *testing.T) {
	dir := testRun(t)
	os.MkdirAll(filepath.Join(dir, "plots"), 0o755)
	stale := filepath.Join(dir, "plots", "figure-of-an-older-report.png")
	other := filepath.Join(dir, "plots", "notes.txt")
	os.WriteFile(stale, []byte("old"), 0o644)
	os.WriteFile(other, []byte("mine"), 0o644)
	if err := Generate([]string{dir}, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("stale figure kept")
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file the report does not own was removed")
	}
}
