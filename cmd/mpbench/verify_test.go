package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/impl"
)

// runVerify runs verify with the fake program (nil: offline), returning stdout.
func runVerify(t *testing.T, fake *fakeImpl, args ...string) string {
	t.Helper()
	var impls map[string]impl.Impl
	if fake != nil {
		impls = map[string]impl.Impl{"cpython": fake}
	}
	var stdout, stderr bytes.Buffer
	if _, _, err := verify(context.Background(), args, impls, &stdout, &stderr); err != nil {
		t.Fatalf("verify %v: %v\nstderr:\n%s", args, err, stderr.String())
	}
	return stdout.String()
}

// TestVerifyEndToEnd: a "published" run made by advise over the fake
// program, verified by measuring with the same fake (every row both
// answer is reproduced), then offline against the measured folder (the
// same verdicts, nothing measured), then offline against a copy in which
// fork starts 20× slower (the short-lived row is not reproduced).
func TestVerifyEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	pub, here := filepath.Join(tmp, "pub"), filepath.Join(tmp, "here")
	runAdvise(t, context.Background(), &fakeImpl{}, "--out", pub)

	fake := &fakeImpl{}
	text := runVerify(t, fake, "--against", pub, "--out", here, "--time-budget", DefaultAdviseBudget.String()) // advise's plan: the same runs
	if fake.calls == 0 {
		t.Fatal("verify measured nothing")
	}
	checkAnswerCells(t, fake, nil)
	for _, want := range []string{
		"  published: " + pub + " (impl=cpython at cores=",
		"  this machine: " + here + " (impl=cpython at cores=",
		"1. Many short-lived children\n   published:    fork\n   this machine: fork\n   → reproduced (same answer: fork)\n",
		"2. Big parent\n   published:    fork below the crossover, forkserver above\n",
		"   → reproduced (same answer: pipe and queue equal within ±5%)\n",
		"5. Parent with threads\n   published:    not measured in this run\n   this machine: not measured in this run\n   → not comparable (neither run answers: see their choices)\n",
		"7. Large messages, one-to-one\n   published:    no row: the guide has no samples to answer it from\n",
		"8. Many-to-one\n   published:    pipe\n   this machine: pipe\n   → reproduced (same answer: pipe)\n", // the gather cells' answer
		"4. Long-lived workers\n   published:    fork; the start method shows in the pool's start",            // the start method per worker, not the map
		"\n8 questions: 5 reproduced, 0 not reproduced, 3 not comparable; 5 of the 5 that both runs answer reproduced.\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}

	calls := fake.calls
	offline := runVerify(t, nil, "--against", pub, here)
	if fake.calls != calls {
		t.Error("offline verify measured")
	}
	if !strings.Contains(offline, "   reproduction: fork\n") || !strings.Contains(offline, "5 of the 5 that both runs answer reproduced.") {
		t.Errorf("offline output:\n%s", offline)
	}

	slow := filepath.Join(tmp, "slow-fork")
	slowFork(t, filepath.Join(pub, "raw.bench"), slow, 20)
	text = runVerify(t, nil, "--against", pub, slow)
	want := "1. Many short-lived children\n   published:    fork\n   reproduction: forkserver\n   → not reproduced (published: fork; reproduction: forkserver)\n"
	if !strings.Contains(text, want) {
		t.Errorf("output lacks %q:\n%s", want, text)
	}
}

// slowFork copies the raw.bench at src into a new run folder dst with the
// ns/op of every start-up sample of fork at rss=0 multiplied by f.
func slowFork(t *testing.T, src, dst string, f float64) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "BenchmarkStartup/impl=cpython/method=fork/") || !strings.Contains(l, "/rss=0/") {
			continue
		}
		fields := strings.Fields(l)
		v, err := strconv.ParseFloat(fields[2], 64)
		if err != nil || fields[3] != "ns/op" {
			t.Fatalf("unexpected sample line %q", l)
		}
		fields[2] = strconv.FormatFloat(v*f, 'g', -1, 64)
		lines[i] = strings.Join(fields, " ")
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "raw.bench"), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}
