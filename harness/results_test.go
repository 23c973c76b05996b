package harness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResultsAppendAndReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	r, err := CreateResults(dir, []ConfigLine{{"goos", "linux"}, {"profile", "quick"}})
	if err != nil {
		t.Fatal(err)
	}
	a := "BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1"
	if err := r.RecordSamples(a, []string{a + " 1 100 ns/op 5 join-ns/op", a + " 1 101 ns/op 5 join-ns/op"}); err != nil {
		t.Fatal(err)
	}
	r.RecordSkip("BenchmarkX/impl=pypy", "pypy3 not found\non PATH")
	r.RecordFail("BenchmarkY/impl=cpython", "timeout after 1s")
	r.Close()

	// A torn line at the end, as after kill -9 in the middle of a write.
	path := filepath.Join(dir, RawFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(a + " 1 10")
	f.Close()

	r2, err := OpenResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if r2.Samples[a] != 2 || r2.Config["profile"] != "quick" || r2.Config["goos"] != "linux" {
		t.Errorf("state after reopen: %+v %+v", r2.Samples, r2.Config)
	}
	if r2.Skipped["BenchmarkX/impl=pypy"] != "pypy3 not found on PATH" {
		t.Errorf("skip reason not one line: %q", r2.Skipped["BenchmarkX/impl=pypy"])
	}
	if r2.Failed["BenchmarkY/impl=cpython"] != "timeout after 1s" {
		t.Errorf("failed: %v", r2.Failed)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(data), "timeout after 1s\n") {
		t.Errorf("torn line not cut: %q", data[len(data)-40:])
	}
	for _, u := range unitLines {
		if !strings.Contains(string(data), u+"\n") {
			t.Errorf("missing %q", u)
		}
	}
}

func FuzzScanResults(f *testing.F) {
	f.Add([]byte("goos: linux\nBenchmarkA 1 2 ns/op\n--- SKIP: BenchmarkB: why\n--- FAIL: BenchmarkC: timeout\n"))
	f.Add([]byte("BenchmarkA 1 2 ns/op\nkey: late\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newResults("")
		r.scan(data)
		total := 0
		for _, n := range r.Samples {
			total += n
		}
		if total > strings.Count(string(data), "Benchmark") {
			t.Fatalf("counted %d samples in %q", total, data)
		}
	})
}
