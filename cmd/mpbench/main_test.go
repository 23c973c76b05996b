package main

// End-to-end tests of the mpbench binary: bad input, a tiny real run,
// SIGINT + resume, kill -9 of the harness. They build the binary once and
// run it as a user would.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/harness/rawbench"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mpbench-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "mpbench")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mpbench runs the binary with a unique environment token, so that every
// process it starts can be found afterwards.
func mpbench(t *testing.T, token string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "MPBENCH_TEST_TOKEN="+token)
	return cmd
}

func TestBadInput(t *testing.T) {
	tmp := t.TempDir()
	existing := filepath.Join(tmp, "existing")
	os.MkdirAll(existing, 0o755)
	os.WriteFile(filepath.Join(existing, "raw.bench"), []byte("goos: linux\n"), 0o644)
	readonly := filepath.Join(tmp, "ro")
	os.MkdirAll(readonly, 0o555)
	base := []string{"run", "--impl", "native", "--workload", "startup", "--method", "fork", "--chan", "pipe", "--rss", "0", "--count", "1"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "missing command"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown impl", []string{"run", "--impl", "cobol", "--out", tmp + "/a"}, "--impl: unknown impl \"cobol\""},
		{"unknown method", []string{"run", "--method", "vfork", "--out", tmp + "/a"}, "--method"},
		{"unknown chan", []string{"run", "--chan", "socket", "--out", tmp + "/a"}, "--chan"},
		{"unknown workload", []string{"run", "--workload", "sleep", "--out", tmp + "/a"}, "--workload"},
		{"malformed size", []string{"run", "--size", "12XB", "--out", tmp + "/a"}, "malformed size"},
		{"malformed rss", []string{"run", "--rss", "-1", "--out", tmp + "/a"}, "malformed size"},
		{"count zero", append(base, "--count", "0", "--out", tmp+"/a"), "--count"},
		{"count negative", append(base, "--count", "-3", "--out", tmp+"/a"), "--count"},
		{"runs zero", append(base, "--runs", "0", "--out", tmp+"/a"), "--runs"},
		{"cap below runs", append(base, "--runs", "6", "--max-runs", "3", "--out", tmp+"/a"), "--max-runs"},
		{"unknown exec", append(base, "--exec", "threads", "--out", tmp+"/a"), "--exec: unknown exec"},
		{"malformed duration", append(base, "--timeout", "soon", "--out", tmp+"/a"), "invalid value"},
		{"cores above nproc", append(base, "--cores", "4096", "--out", tmp+"/a"), "--cores: 4096 cores exceed"},
		{"missing out", base, "--out DIR is required"},
		{"existing out", append(base, "--out", existing), "is not empty"},
		{"unwritable out", append(base, "--out", readonly+"/x"), "not writable"},
		{"missing interpreter", []string{"run", "--impl", "cpython", "--python", "/nonexistent/python3", "--out", tmp + "/a"}, "impl cpython"},
		{"resume nothing", []string{"run", "--resume", "--out", tmp + "/nothing"}, "no run"},
		{"report missing dir", []string{"report", tmp + "/nothing"}, "no results folder"},
		{"list bad", []string{"list", "--chan", "carrier-pigeon"}, "--chan"},
		{"unknown main", append(base, "--main", "scipy", "--out", tmp+"/a"), "--main: unknown main \"scipy\""},
		{"unknown preload", []string{"list", "--preload", "all"}, "--preload: unknown preload"},
		{"main without a python impl", []string{"list", "--impl", "native", "--main", "numpy"}, "the selection is empty"},
		{"count with own settings", []string{"run", "--profile", "dimension", "--count", "3", "--out", tmp + "/a"}, "carry their own count and benchtime"},
		{"benchtime with own settings", []string{"run", "--profile", "dimension", "--workload", "startup", "--benchtime", "1s", "--out", tmp + "/a"}, "--benchtime"},
		{"dimension without dir", []string{"dimension"}, "want one results folder"},
		{"dimension missing dir", []string{"dimension", tmp + "/nothing"}, "no results in"},
		{"advise format", []string{"advise", "--format", "xml", "--out", tmp + "/a"}, "unknown --format"},
		{"advise impl", []string{"advise", "--impl", "cobol", "--out", tmp + "/a"}, "--impl: unknown impl"},
		{"advise rss", []string{"advise", "--rss", "12XB", "--out", tmp + "/a"}, "--rss: malformed size"},
		{"advise budget", []string{"advise", "--time-budget", "1s", "--out", tmp + "/a"}, "shorter than one run"},
		{"advise interpreter", []string{"advise", "--python", "/nonexistent/python3", "--out", tmp + "/a"}, "impl cpython"},
		{"advise existing out", []string{"advise", "--out", existing}, "is not empty"},
		{"advise resume nothing", []string{"advise", "--resume", "--out", tmp + "/nothing"}, "no run"},
		{"advise resume without out", []string{"advise", "--resume"}, "--resume needs --out"},
		{"advise resume a run", []string{"advise", "--resume", "--out", existing}, "not an advise run"},
		{"verify without against", []string{"verify", "--out", tmp + "/a"}, "missing --against"},
		{"verify missing against", []string{"verify", "--against", tmp + "/nothing", "--out", tmp + "/a"}, "no run folder " + tmp + "/nothing"},
		{"verify missing other", []string{"verify", "--against", existing, tmp + "/nothing"}, "no run folder " + tmp + "/nothing"},
		{"verify two others", []string{"verify", "--against", existing, existing, existing}, "unexpected argument"},
		{"verify out and other", []string{"verify", "--against", existing, "--out", tmp + "/a", existing}, "nothing is measured"},
		{"verify existing out", []string{"verify", "--against", existing, "--out", existing}, "is not empty"},
		{"verify against no guide", []string{"verify", "--against", existing, "--out", tmp + "/a"}, "verify: " + existing},
		{"verify budget", []string{"verify", "--against", "../../results/vm-2026-11-26", "--time-budget", "1s", "--out", tmp + "/a"}, "shorter than one run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "unwritable out" && os.Geteuid() == 0 {
				t.Skip("root can write anywhere")
			}
			var stderr bytes.Buffer
			cmd := mpbench(t, "bad", tt.args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 2 {
				t.Fatalf("exit %v, want status 2; stderr %q", err, stderr.String())
			}
			msg := strings.TrimRight(stderr.String(), "\n")
			if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, tt.want) {
				t.Errorf("stderr %q, want one line containing %q", msg, tt.want)
			}
			if _, err := os.Stat(tmp + "/a"); err == nil {
				t.Errorf("bad input created the out folder")
			}
		})
	}
	if data, _ := os.ReadFile(filepath.Join(existing, "raw.bench")); string(data) != "goos: linux\n" {
		t.Errorf("refused folder was changed")
	}
}

// TestTinyRun: a small real run whose raw.bench parses with benchfmt,
// has config lines and exactly count samples per cell.
func TestTinyRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	cmd := mpbench(t, "tiny", "run", "--impl", "native,cpython", "--method", "fork", "--chan", "pipe,shm",
		"--workload", "startup,stream", "--size", "64KiB", "--rss", "0", "--cores", "1", "--count", "2",
		"--runs", "1", "--max-runs", "1", "--benchtime", "10ms", "--out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	f, err := os.Open(filepath.Join(out, "raw.bench"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := benchfmt.NewReader(f, "raw.bench")
	counts := map[string]int{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		case *benchfmt.Result:
			counts[string(rec.Name.Full())]++
			if rec.GetConfig("goos") != "linux" || rec.GetConfig("profile") == "" {
				t.Errorf("config missing on %s", rec.Name.Full())
			}
		}
	}
	// 2 impls × 2 chans × 2 workloads, plus cpython's stream over pipe
	// with payload=rawbytes (send_bytes, PLAN 4).
	if len(counts) != 9 {
		t.Errorf("%d cells recorded, want 9: %v", len(counts), counts)
	}
	for name, n := range counts {
		if n != 2 {
			t.Errorf("%s: %d samples, want 2", name, n)
		}
	}
	assertNothingLeft(t, "tiny")
}

// TestInterruptAndResume: SIGINT mid-run stops within seconds with exit
// 130 and a resume hint; --resume completes exactly --runs program runs
// of --count samples per cell without changing the bytes recorded before the interrupt.
func TestInterruptAndResume(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"run", "--impl", "cpython", "--method", "fork,spawn", "--chan", "pipe,queue",
		"--workload", "startup", "--rss", "0", "--cores", "1", "--count", "2", "--runs", "2", "--max-runs", "2", "--out", out}
	cmd := mpbench(t, "sigint", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForSamples(t, out, 1)
	cmd.Process.Signal(syscall.SIGINT)
	start := time.Now()
	err := cmd.Wait()
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %v to stop after SIGINT", time.Since(start))
	}
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130; stderr %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "resume with: mpbench run --resume --out "+out) {
		t.Errorf("no resume hint in %q", stderr.String())
	}
	assertNothingLeft(t, "sigint")
	before, _ := os.ReadFile(filepath.Join(out, "raw.bench"))

	if b, err := mpbench(t, "resume", "run", "--resume", "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, b)
	}
	after, _ := os.ReadFile(filepath.Join(out, "raw.bench"))
	if !bytes.HasPrefix(after, before) {
		t.Fatalf("resume rewrote recorded bytes")
	}
	res, _ := rawbench.ReadDir(out)
	if len(res.Cells) != 4 {
		t.Errorf("%d cells recorded, want 4", len(res.Cells))
	}
	for _, c := range res.Cells {
		if c.NumSamples() != 4 || len(c.Runs) != 2 {
			t.Errorf("%s: %d runs, %d samples, want exactly 2 and 4", c.Name, len(c.Runs), c.NumSamples())
		}
	}
	// Resuming a finished run measures nothing and changes nothing.
	if b, err := mpbench(t, "resume2", "run", "--resume", "--out", out).CombinedOutput(); err != nil {
		t.Fatalf("second resume: %v\n%s", err, b)
	}
	again, _ := os.ReadFile(filepath.Join(out, "raw.bench"))
	if !bytes.Equal(again, after) {
		t.Errorf("resuming a finished run changed raw.bench")
	}
}

// TestKill9LeavesNothing: kill -9 of the harness while cells with shared
// memory and forkservers run leaves no process and no segment behind.
func TestKill9LeavesNothing(t *testing.T) {
	for _, impl := range []string{"cpython", "native"} {
		t.Run(impl, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			token := "kill9-" + impl
			cmd := mpbench(t, token, "run", "--impl", impl, "--method", "forkserver,spawn,fork", "--chan", "shm,queue",
				"--workload", "stream,pingpong", "--size", "1MiB", "--cores", "1", "--count", "3", "--benchtime", "300ms", "--out", out)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitForSamples(t, out, 1)
			time.Sleep(200 * time.Millisecond) // into the next cell
			cmd.Process.Kill()
			cmd.Wait()
			assertNothingLeft(t, token)
		})
	}
}

func waitForSamples(t *testing.T, out string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := rawbench.ReadDir(out); err == nil {
			total := 0
			for _, c := range res.Cells {
				total += c.NumSamples()
			}
			if total >= n {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no samples in %s after 60s", out)
}

// assertNothingLeft waits a few seconds for every process carrying the
// token to disappear and checks /dev/shm holds no mpbench segment of a
// dead run.
func assertNothingLeft(t *testing.T, token string) {
	t.Helper()
	var left []string
	for i := 0; i < 100; i++ {
		left = processesWithToken("MPBENCH_TEST_TOKEN=" + token)
		if len(left) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("processes left behind: %v", left)
		for _, p := range left {
			var pid int
			fmt.Sscan(p, &pid)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	segs, _ := filepath.Glob("/dev/shm/mpbench-*")
	sems, _ := filepath.Glob("/dev/shm/sem.mpbench-*")
	for _, s := range append(segs, sems...) {
		var pid int
		fmt.Sscanf(strings.TrimPrefix(strings.TrimPrefix(filepath.Base(s), "sem."), "mpbench-"), "%d", &pid)
		if pid > 0 && syscall.Kill(pid, 0) == syscall.ESRCH {
			t.Errorf("segment left behind: %s", s)
			os.Remove(s)
		}
	}
}

func processesWithToken(token string) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(token+"\x00")) {
			continue
		}
		stat, _ := os.ReadFile(d + "/stat")
		if s := string(stat); strings.Contains(s, ") Z ") {
			continue // a zombie waiting for its (dead) parent's reaper
		}
		cmdline, _ := os.ReadFile(d + "/cmdline")
		out = append(out, filepath.Base(d)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}

// TestDimensionCommand: `mpbench dimension` writes the document, its
// figure beside it and the README block, with links relative to them.
func TestDimensionCommand(t *testing.T) {
	tmp := t.TempDir()
	run := filepath.Join(tmp, "results", "dim")
	os.MkdirAll(run, 0o755)
	var b strings.Builder
	b.WriteString("profile: dimension\ncount: 2\nbenchtime: 25ms\n")
	for _, n := range []int{2, 5} {
		name := fmt.Sprintf("BenchmarkStartup/impl=native/method=fork/chan=pipe/rss=0/cores=1/count=%d", n)
		for k := 1; k <= 6; k++ {
			fmt.Fprintf(&b, "run: %d\n", k)
			for j := 0; j < n; j++ {
				fmt.Fprintf(&b, "%s 1 %d ns/op\n", name, 1000+10*k+j)
			}
			fmt.Fprintf(&b, "--- WALL: %s: run %d took %dms\n", name, k, 50+10*n)
		}
	}
	os.WriteFile(filepath.Join(run, "raw.bench"), []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(tmp, "README.md"), []byte("<!-- BEGIN generated:dimensioning -->\nnone yet\n<!-- END generated:dimensioning -->\n"), 0o644)
	cmd := mpbench(t, "dim", "dimension", "--doc", "docs/dimensioning.md", "--readme", "README.md", "results/dim")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	doc, _ := os.ReadFile(filepath.Join(tmp, "docs", "dimensioning.md"))
	readme, _ := os.ReadFile(filepath.Join(tmp, "README.md"))
	for _, want := range []string{"[../results/dim](../results/dim/raw.bench)", "](dimensioning-cv.png)", "| startup  | count=2 "} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/dimensioning.md lacks %q", want)
		}
	}
	if !strings.Contains(string(readme), "<!-- BEGIN generated:dimensioning run=results/dim -->") ||
		!strings.Contains(string(readme), "[docs/dimensioning.md](docs/dimensioning.md)") || strings.Contains(string(readme), "none yet") {
		t.Errorf("README.md:\n%s", readme)
	}
	if _, err := os.Stat(filepath.Join(tmp, "docs", "dimensioning-cv.png")); err != nil {
		t.Error(err)
	}
}
