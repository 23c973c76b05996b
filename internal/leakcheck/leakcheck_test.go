package leakcheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A failing case waits the whole grace period; a passing one returns as
// soon as nothing new is left, so it gets the default (room for what
// other programs on the machine create and remove meanwhile).
const shortGrace = 300 * time.Millisecond

// name is a /dev/shm name of this test: the project's convention with
// this process's pid, so that parallel checks of other packages leave it
// to us.
func name(s string) string { return fmt.Sprintf("mpbench-leakchecktest-%d-%s", os.Getpid(), s) }

// leakedSemaphore creates a real named semaphore in a Python process that
// exits without unlinking it (what a library that fails half-way does).
func leakedSemaphore(t *testing.T, n string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on PATH to create a named semaphore")
	}
	out, err := exec.Command(py, "-c", "import _multiprocessing as m; m.SemLock(1, 1, 1, '/"+n+"', False)").CombinedOutput()
	if err != nil {
		t.Fatalf("create semaphore: %v\n%s", err, out)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(ShmDir, "sem."+n)) })
}

// detached starts `sh -c script` whose background process outlives the
// shell (re-parented, no longer our descendant) and returns its pid; env
// nil: ours (inherits OwnersEnv); else exactly env.
func detached(t *testing.T, script string, env []string) int {
	t.Helper()
	cmd := exec.Command("sh", "-c", script+" >/dev/null 2>&1 </dev/null & echo $!")
	if env != nil {
		cmd.Env = env
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

// foreignEnv is this environment without the mark of Take.
func foreignEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, OwnersEnv+"=") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never appeared", path)
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		// setup makes what the check is to see; it returns the
		// substrings of the leaks it expects (none: the check passes).
		setup   func(t *testing.T) []string
		markers []string
	}{
		{"nothing", func(t *testing.T) []string { return nil }, nil},
		{"created and removed, child reaped", func(t *testing.T) []string {
			p := filepath.Join(ShmDir, name("gone"))
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			os.Remove(p)
			if err := exec.Command("true").Run(); err != nil {
				t.Fatal(err)
			}
			return nil
		}, nil},
		{"leaked semaphore", func(t *testing.T) []string {
			leakedSemaphore(t, name("sem"))
			return []string{"semaphore /dev/shm/sem." + name("sem") + " (held by no process"}
		}, nil},
		{"leaked segment of any name", func(t *testing.T) []string {
			p := filepath.Join(ShmDir, fmt.Sprintf("psm_leakchecktest%d", os.Getpid()))
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(p) })
			return []string{"segment " + p + " (held by no process)"}
		}, nil},
		{"child left running", func(t *testing.T) []string {
			c := exec.Command("sleep", "30")
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Process.Kill(); c.Wait() })
			return []string{fmt.Sprintf("process pid %d (sleep 30) (a descendant of this process)", c.Process.Pid)}
		}, nil},
		{"re-parented process of ours", func(t *testing.T) []string {
			pid := detached(t, "sleep 31", nil)
			return []string{fmt.Sprintf("process pid %d (sleep 31) (started under this process", pid)}
		}, nil},
		{"process with a marker", func(t *testing.T) []string {
			pid := detached(t, "sleep 32", foreignEnv("LEAKCHECK_TEST_TOKEN=x"))
			return []string{fmt.Sprintf("process pid %d (sleep 32) (carries LEAKCHECK_TEST_TOKEN=x)", pid)}
		}, []string{"LEAKCHECK_TEST_TOKEN=x"}},
		{"segment held by a child of ours", func(t *testing.T) []string {
			p := filepath.Join(ShmDir, "leakchecktest-held-"+strconv.Itoa(os.Getpid()))
			c := exec.Command("sh", "-c", "exec 3>"+p+"; exec sleep 33")
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Process.Kill(); c.Wait(); os.Remove(p) })
			waitFor(t, p)
			return []string{"segment " + p + " (held by pid " + strconv.Itoa(c.Process.Pid), "process pid " + strconv.Itoa(c.Process.Pid)}
		}, nil},
		{"segment held by someone else", func(t *testing.T) []string {
			p := filepath.Join(ShmDir, "leakchecktest-foreign-"+strconv.Itoa(os.Getpid()))
			t.Cleanup(func() { os.Remove(p) })
			detached(t, "exec 3>"+p+"; exec sleep 34", foreignEnv())
			waitFor(t, p)
			return nil
		}, nil},
		{"project name of a live run", func(t *testing.T) []string {
			pid := detached(t, "sleep 35", foreignEnv())
			p := filepath.Join(ShmDir, fmt.Sprintf("sem.mpbench-%d-7-x", pid))
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(p) })
			return nil
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Take()
			want := c.setup(t)
			grace := DefaultGrace
			if len(want) > 0 {
				grace = shortGrace
			}
			got := Format(s.Check(Options{Markers: c.markers, Grace: grace}))
			if len(want) == 0 && got != "" {
				t.Errorf("check failed, want it to pass: %s", got)
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("leaks %q\nwant one with %q", got, w)
				}
			}
		})
	}
}

// TestStaleProjectName: a name of the project's convention is left to
// its live owner, and is a leak once the owner is gone.
func TestStaleProjectName(t *testing.T) {
	s := Take()
	pid := detached(t, "sleep 36", foreignEnv())
	p := filepath.Join(ShmDir, fmt.Sprintf("mpbench-%d-1-seg", pid))
	if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	if got := Format(s.Check(Options{Grace: shortGrace})); strings.Contains(got, p) {
		t.Errorf("segment of a live run reported: %s", got)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if got := Format(s.Check(Options{Grace: shortGrace})); !strings.Contains(got, p+" (held by no process; named after pid") {
		t.Errorf("segment of a dead run not reported: %q", got)
	}
}

// TestMainFailsOnLeak: a test package whose tests leave a semaphore
// fails (exit status 1, the semaphore named on stderr); one that leaves
// nothing keeps its status.
func TestMainFailsOnLeak(t *testing.T) {
	for _, c := range []struct {
		mode, wantErr string
		wantCode      int
	}{
		{"leak", "FAIL: leakcheck: left behind: semaphore /dev/shm/sem.mpbench-leakchecktest-", 1},
		{"clean", "", 0},
		{"fail", "", 3},
	} {
		t.Run(c.mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^$")
			cmd.Env = append(os.Environ(), "LEAKCHECK_TEST_MAIN="+c.mode)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != c.wantCode || (c.wantErr != "" && !strings.Contains(stderr.String(), c.wantErr)) ||
				(c.wantErr == "" && strings.Contains(stderr.String(), "leakcheck")) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr.String(), c.wantCode, c.wantErr)
			}
			// The child's semaphore, named after the child's pid.
			os.Remove(filepath.Join(ShmDir, fmt.Sprintf("sem.mpbench-leakchecktest-%d-main", cmd.Process.Pid)))
		})
	}
}

func TestMain(m *testing.M) {
	mode := os.Getenv("LEAKCHECK_TEST_MAIN")
	if mode == "" {
		os.Exit(m.Run())
	}
	os.Exit(Main(func() int {
		switch mode {
		case "leak":
			exec.Command("python3", "-c", "import _multiprocessing as m; m.SemLock(1, 1, 1, '/"+name("main")+"', False)").Run()
		case "fail":
			return 3
		}
		return 0
	}, Options{Grace: shortGrace}))
}
