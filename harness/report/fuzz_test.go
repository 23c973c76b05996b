package report

import (
	"io"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// FuzzParse: any input parses without panic, and the tables and
// statistics of whatever was read can be built.
func FuzzParse(f *testing.F) {
	f.Add([]byte("goos: linux\nBenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 2 ns/op\n--- SKIP: BenchmarkStartup/impl=pypy/method=fork/chan=pipe/rss=0/cores=1: why\n"))
	f.Add([]byte("BenchmarkPool/impl=native/method=fork/chan=pipe/workers=2/tasks=16/task=cpu/cores=2 1 5 ns/op 0.5 efficiency\n--- FAIL: BenchmarkX: timeout\nBenchmarkClaim/id=C1 1 2 ns/op"))
	f.Add([]byte("BenchmarkStream/impl=cpython/method=fork/chan=shm/size=1MiB/cores=2 10 100 ns/op 9000 MB/s\nBenchmarkPingpong/impl=native/method=spawn/chan=queue/size=64B/cores=1 1 -3 ns/op 1 p50-ns\n"))
	f.Add([]byte("BenchmarkStartup/impl=cpython/method=forkserver/preload=none/main=stdlib/chan=pipe/rss=0/cores=2 1 9 ns/op 1 join-ns/op\n" +
		"BenchmarkStartup/impl=cpython/method=forkserver/main=stdlib/chan=pipe/rss=0/cores=2 1 3 ns/op\n" +
		"BenchmarkStartup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=1GiB/cores=2 1 5 ns/op\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := view.Parse(data, view.RawFile)
		if err != nil {
			return
		}
		d := newData([]*view.Run{r})
		d.Tables()
		d.CellStats()
		for _, run := range d.Runs {
			d.pingpongFindings(run)
			d.streamFindings(run)
			d.poolFindings(run)
			d.programFindings(run)
			d.Guide(run)
		}
		if err := d.writeReport(io.Discard, d.Tables(), d.Figures()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEdgeValuesRender: zero, negative and single samples must not break
// the plots (log axes drop non-positive points) nor the report.
func TestEdgeValuesRender(t *testing.T) {
	in := "" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1 1 0 ns/op\n" +
		"BenchmarkStartup/impl=native/method=spawn/chan=pipe/rss=0/cores=1 1 -5 ns/op\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=1GiB/cores=1 1 5 ns/op\n" +
		"BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=2 1 1e300 ns/op\n" +
		"BenchmarkStream/impl=native/method=fork/chan=pipe/size=64B/cores=1 1 5 ns/op 0 MB/s\n" +
		"BenchmarkStream/impl=native/method=fork/chan=pipe/size=64B/cores=2 1 5 ns/op 1 MB/s\n" +
		"BenchmarkPingpong/impl=native/method=fork/chan=pipe/size=64B/cores=1 1 5 ns/op\n" +
		"BenchmarkPingpong/impl=cpython/method=fork/chan=pipe/size=64B/cores=2 1 5 ns/op 4 p50-ns\n" +
		"BenchmarkPool/impl=native/method=fork/chan=pipe/workers=1/tasks=1/task=sleep/cores=1 1 5 ns/op\n"
	r, err := view.Parse([]byte(in), view.RawFile)
	if err != nil {
		t.Fatal(err)
	}
	d := newData([]*view.Run{r})
	for _, f := range d.Figures() {
		if _, _, err := f.render(); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	out := t.TempDir()
	if err := d.writeAll(out); err != nil {
		t.Fatal(err)
	}
}
