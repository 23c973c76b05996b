package rawbench

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const cellA = "BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1"

func TestWriteResumeRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	w, err := Create(dir, []KV{{"goos", "linux"}, {"profile", "quick"}}, []string{"Unit MB/s better=higher"})
	if err != nil {
		t.Fatal(err)
	}
	if k, err := w.RecordRun(cellA, []string{cellA + " 1 100 ns/op 5 join-ns/op", cellA + " 1 101 ns/op 5 join-ns/op"}); err != nil || k != 1 {
		t.Fatalf("RecordRun = %d, %v", k, err)
	}
	if k, _ := w.RecordRun(cellA, []string{cellA + " 1 200 ns/op 5 join-ns/op"}); k != 2 {
		t.Fatalf("second run k = %d", k)
	}
	w.RecordSkip("BenchmarkX/impl=pypy", "pypy3 not found\non PATH")
	w.RecordFail("Y/impl=cpython", "timeout after 1s")
	w.RecordNote(cellA, "unstable: CI ±7% after 12 runs")
	w.RecordNote("", "steal 3% of CPU time")
	w.Config(KV{"load-end", "0.5"})
	w.Close()
	if _, err := Create(dir, nil, nil); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("Create on a used folder: %v", err)
	}
	// A second file in the same folder (claims.bench beside raw.bench).
	cw, err := CreateFile(filepath.Join(dir, "claims.bench"), []KV{{"claims", "C1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cw.RecordNote("BenchmarkClaim/id=C1/method=fork", "verdict: confirmed")
	cw.Close()
	if _, err := CreateFile(filepath.Join(dir, "claims.bench"), nil, nil); err == nil {
		t.Errorf("CreateFile overwrote an existing file")
	}
	cf, _ := Read(filepath.Join(dir, "claims.bench"))
	if c := cf.Cells[0]; c.Kind() != "Claim" || c.Get("method") != "fork" || c.Get("id") != "C1" || len(c.Keys()) != 2 {
		t.Errorf("keys of %s: %v", c.Name, c.Keys())
	}

	// A torn line, as after kill -9 in the middle of a write.
	path := filepath.Join(dir, RawFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(cellA + " 1 10")
	f.Close()

	read, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if read.Torn < 0 || len(read.Warnings) != 1 {
		t.Errorf("torn line not seen: %d %v", read.Torn, read.Warnings)
	}
	w2, err := Resume(path)
	if err != nil {
		t.Fatal(err)
	}
	st := w2.File
	for _, file := range []*File{read, st} {
		c := file.Cell(cellA)
		if c == nil || len(c.Runs) != 2 || c.NumSamples() != 3 || !reflect.DeepEqual(c.Units, []string{"ns/op", "join-ns/op"}) {
			t.Fatalf("cell A: %+v", c)
		}
		if got := c.ByRun("ns/op"); !reflect.DeepEqual(got, [][]float64{{100, 101}, {200}}) {
			t.Errorf("by run: %v", got)
		}
		if !reflect.DeepEqual(c.Notes, []string{"unstable: CI ±7% after 12 runs"}) || !reflect.DeepEqual(file.Notes, []string{"steal 3% of CPU time"}) {
			t.Errorf("notes: %v %v", c.Notes, file.Notes)
		}
		if x := file.Cell("X/impl=pypy"); x == nil || x.Status() != StatusSkipped || x.Reason() != "pypy3 not found on PATH" {
			t.Errorf("skip: %+v", x)
		}
		if y := file.Cell("BenchmarkY/impl=cpython"); y == nil || y.Status() != StatusFailed {
			t.Errorf("fail: %+v", y)
		}
		if file.ConfigValue("profile") != "quick" || file.ConfigValue("load-end") != "0.5" || file.ConfigValue(RunKey) != "" {
			t.Errorf("config: %v", file.Config)
		}
		if file.Better["MB/s"] != 1 || !file.HasRuns {
			t.Errorf("units %v, runs %v", file.Better, file.HasRuns)
		}
	}
	if k, err := w2.RecordRun(cellA, []string{cellA + " 1 300 ns/op 5 join-ns/op"}); err != nil || k != 3 {
		t.Errorf("run after resume: %d, %v", k, err)
	}
	w2.Close()
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), " 1 10\n") || !strings.HasSuffix(string(data), "run: 3\n"+cellA+" 1 300 ns/op 5 join-ns/op\n") {
		t.Errorf("torn line not cut before appending:\n%s", data)
	}
}

func TestLegacyAndUnknownKeys(t *testing.T) {
	// Before run lines: each sample counts as its own run. Unknown
	// configuration keys anywhere are kept and ignored.
	data := "goos: linux\nfuture-key: 1\n" + cellA + " 1 100 ns/op\n" + cellA + " 1 110 ns/op\n" +
		"steal-ns: 77\n" + cellA + " 1 120 ns/op\n"
	f, err := Parse([]byte(data), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	c := f.Cell(cellA)
	if f.HasRuns || len(c.Runs) != 3 || c.Runs[2].K != 3 || len(f.Warnings) != 0 {
		t.Errorf("legacy runs: %+v, warnings %v", c.Runs, f.Warnings)
	}
	// Runs of a cell interleaved with other cells are regrouped by k.
	b := "BenchmarkB/x=1"
	data = "run: 1\n" + cellA + " 1 1 ns/op\n" + "run: 1\n" + b + " 1 5 ns/op\n" + "run: 2\n" + cellA + " 1 2 ns/op\n" + cellA + " 1 3 ns/op\n"
	f, _ = Parse([]byte(data), "raw.bench")
	if got := f.Cell(cellA).ByRun("ns/op"); !reflect.DeepEqual(got, [][]float64{{1}, {2, 3}}) {
		t.Errorf("interleaved runs: %v", got)
	}
	if got := f.Cell(b).ByRun("ns/op"); !reflect.DeepEqual(got, [][]float64{{5}}) {
		t.Errorf("cell b: %v", got)
	}
}

// FuzzParse: any input parses without panicking; samples are only ever
// attached to cells, and cutting a torn line leaves a newline-terminated prefix.
func FuzzParse(f *testing.F) {
	f.Add([]byte("goos: linux\nrun: 1\n" + cellA + " 1 100 ns/op\n--- SKIP: BenchmarkX: r\n"))
	f.Add([]byte("run: x\n" + cellA + " 1 1 ns/op\n--- NOTE: hello\n" + cellA + " 1 10"))
	f.Add([]byte("Unit MB/s better=higher\n--- FAIL: nope\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "fuzz")
		if err != nil {
			return
		}
		if file.Torn >= 0 && (file.Torn > int64(len(data)) || (file.Torn > 0 && data[file.Torn-1] != '\n')) {
			t.Fatalf("torn cut at %d of %q", file.Torn, data)
		}
		for _, c := range file.Cells {
			for _, r := range c.Runs {
				if len(r.Samples) == 0 || r.K < 1 {
					t.Fatalf("empty or unnumbered run in %s", c.Name)
				}
			}
		}
	})
}

// TestStopOf reads what stopped a cell from its NOTE, in the current form
// and in the form of files written before it ("unstable: …", at the run
// cap unless " (time budget)" follows).
func TestStopOf(t *testing.T) {
	for _, tc := range []struct {
		note string
		want Stop
	}{
		{StopNote(StopRunCap, "±8.1%", 12), StopRunCap},
		{StopNote(StopBudget, "±8.1%", 6), StopBudget},
		{StopNote(StopBudget, "no CI", 3), StopBudget},
		{"CI wider than the target: ±8.1% after 12 runs (stopped by the run cap)", StopRunCap},
		{"unstable: CI ±31.0% after 12 runs", StopRunCap},
		{"unstable: CI ±22.4% after 6 runs (time budget)", StopBudget},
		{"unstable: no CI after 3 runs (time budget)", StopBudget},
		{"steal: 1.2% of CPU time was stolen", StopNone},
		{"", StopNone},
	} {
		if got := StopOf(tc.note); got != tc.want {
			t.Errorf("StopOf(%q) = %q, want %q", tc.note, got, tc.want)
		}
	}
	c := &Cell{Notes: []string{"something else", "unstable: CI ±9.0% after 6 runs (time budget)"}}
	if c.Stop() != StopBudget {
		t.Errorf("cell stop %q, want %q", c.Stop(), StopBudget)
	}
}

// TestWallTimes: a program run's wall time is written with its samples and
// read back onto that run; malformed or orphaned WALL lines are warned
// about and skipped, and benchmark readers ignore them.
func TestWallTimes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	w, err := Create(dir, []KV{{"goos", "linux"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RecordRunWall(cellA, []string{cellA + " 1 100 ns/op"}, 812345678); err != nil {
		t.Fatal(err)
	}
	w.RecordRun(cellA, []string{cellA + " 1 200 ns/op"}) // no wall time
	if _, err := w.RecordRunWall(cellA, []string{cellA + " 1 300 ns/op"}, -1); err == nil {
		t.Error("negative wall time accepted")
	}
	if got := w.File.Cell(cellA).Runs; len(got) != 2 || got[0].Wall != 812345678 || got[1].Wall != 0 {
		t.Errorf("writer's view of the runs: %+v", got)
	}
	w.Close()
	data, _ := os.ReadFile(filepath.Join(dir, RawFile))
	if !strings.Contains(string(data), "run: 1\n"+cellA+" 1 100 ns/op\n--- WALL: "+cellA+": run 1 took 812.345678ms\nrun: 2\n") {
		t.Errorf("file:\n%s", data)
	}
	f, err := Parse(append(data, []byte("--- WALL: "+cellA+": run 9 took 1s\n--- WALL: "+cellA+": run 1 took soon\n")...), "x")
	if err != nil {
		t.Fatal(err)
	}
	runs := f.Cell(cellA).Runs
	if len(runs) != 2 || runs[0].Wall != 812345678 || runs[1].Wall != 0 {
		t.Errorf("read runs: %+v", runs)
	}
	if ws := strings.Join(f.Warnings, "\n"); len(f.Warnings) != 2 || !strings.Contains(ws, "x:7: wall time of run 9") || !strings.Contains(ws, "x:8: malformed wall line") {
		t.Errorf("warnings %q", f.Warnings)
	}
	if len(f.Notes) != 0 || len(f.Cell(cellA).Notes) != 0 || f.ConfigValue("run") != "" {
		t.Errorf("a WALL line became a note or configuration: %q %q", f.Notes, f.Cell(cellA).Notes)
	}
}
