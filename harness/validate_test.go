package harness

import (
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
)

func TestParseOutput(t *testing.T) {
	c := bench.Cell{Workload: "stream", Impl: "cpython", Method: "fork", Chan: "pipe", Size: 64 << 10, Cores: 2}
	n := c.Benchmark()
	good := n + " 1000 15234 ns/op 4302.1 MB/s 65641 msgs/s 900 user-ns/op 400 sys-ns/op"
	tests := []struct {
		name    string
		out     string
		count   int
		wantErr string
		skip    string
	}{
		{"two good lines", good + "\n" + good + "\n", 2, "", ""},
		{"tabs", strings.ReplaceAll(good, " ", "\t") + "\n", 1, "", ""},
		{"skip", "--- SKIP: " + n + ": no tensors here\n", 1, "", "no tensors here"},
		{"too few", good + "\n", 2, "printed 1 result lines, want 2", ""},
		{"garbage", "hello\n", 1, "unexpected output line 1", ""},
		{"other name", strings.Replace(good, "size=64KiB", "size=4KiB", 1) + "\n", 1, "unexpected output line", ""},
		{"missing unit", n + " 1000 15234 ns/op 4302.1 MB/s\n", 1, "missing metric msgs/s", ""},
		{"negative", strings.Replace(good, "15234 ns/op", "-1 ns/op", 1) + "\n", 1, "not a finite", ""},
		{"zero ns", strings.Replace(good, "15234 ns/op", "0 ns/op", 1) + "\n", 1, "ns/op must be > 0", ""},
		{"nan", strings.Replace(good, "4302.1 MB/s", "NaN MB/s", 1) + "\n", 1, "not a finite", ""},
		{"zero iters", strings.Replace(good, " 1000 ", " 0 ", 1) + "\n", 1, "", ""},
		{"malformed", n + " x ns/op\n", 1, "malformed", ""},
		{"skip after results", good + "\n--- SKIP: " + n + ": x\n", 1, "unexpected output line 2", ""},
		{"empty", "", 1, "printed 0 result lines", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseOutput(c, []byte(tt.out), tt.count)
			checkParsed(t, tt.name, p, err, tt.wantErr, tt.skip)
		})
	}
}

// TestParseOutputPool: a pool line must carry the overhead, which may be
// below zero (a difference: measurement error), unlike the other metrics.
func TestParseOutputPool(t *testing.T) {
	c := bench.Cell{Workload: "pool", Impl: "native", Method: "fork", Exec: "loop", Chan: "pipe", Workers: 2, Tasks: 16, Task: "cpu", Cores: 2}
	n := c.Benchmark()
	for _, tt := range []struct{ name, out, wantErr string }{
		{"good", n + " 1 16800000 ns/op 952 tasks/s 0.95 efficiency 840000 overhead-ns/op\n", ""},
		{"negative overhead", n + " 1 16800000 ns/op 952 tasks/s 1.01 efficiency -150000 overhead-ns/op\n", ""},
		{"no overhead", n + " 1 16800000 ns/op 952 tasks/s 0.95 efficiency\n", "missing metric overhead-ns/op"},
		{"negative efficiency", n + " 1 16800000 ns/op 952 tasks/s -0.95 efficiency 840000 overhead-ns/op\n", "not a finite"},
	} {
		p, err := ParseOutput(c, []byte(tt.out), 1)
		checkParsed(t, tt.name, p, err, tt.wantErr, "")
	}
}

func checkParsed(t *testing.T, name string, p Parsed, err error, wantErr, skip string) {
	t.Helper()
	if name == "zero iters" {
		if err == nil {
			t.Errorf("%s: accepted 0 iterations", name)
		}
		return
	}
	switch {
	case wantErr == "" && err != nil:
		t.Errorf("%s: unexpected error %v", name, err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Errorf("%s: error %v, want %q", name, err, wantErr)
	}
	if p.SkipReason != skip {
		t.Errorf("%s: skip reason %q, want %q", name, p.SkipReason, skip)
	}
}

func FuzzParseOutput(f *testing.F) {
	c := bench.Cell{Workload: "startup", Impl: "native", Method: "fork", Chan: "pipe", Cores: 1}
	f.Add([]byte(c.Benchmark()+" 1 100 ns/op 5 join-ns/op\n"), 1)
	f.Add([]byte("--- SKIP: "+c.Benchmark()+": x\n"), 1)
	f.Add([]byte("garbage"), 2)
	f.Fuzz(func(t *testing.T, out []byte, count int) {
		if count < 0 || count > 100 {
			return
		}
		p, err := ParseOutput(c, out, count)
		if err == nil && p.SkipReason == "" && len(p.Lines) != count {
			t.Fatalf("accepted %d lines for count %d", len(p.Lines), count)
		}
	})
}
