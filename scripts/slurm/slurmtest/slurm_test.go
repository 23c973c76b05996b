// Package slurmtest is the integration test of mpbench on Slurm: it starts
// the one-node cluster of scripts/slurm/local-cluster, submits a two-shard
// job array of a tiny selection with scripts/slurm/mpbench.sbatch, waits,
// merges the shards and compares them with the same cells run unsharded.
// It is skipped, with the reason, where Slurm is not installed or the test
// does not run as root.
package slurmtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mpbench/mpbench/harness/report"
	"github.com/mpbench/mpbench/harness/view"
	"github.com/mpbench/mpbench/internal/leakcheck"
)

// selection is the tiny matrix of the test: native and cpython, fork,
// pipe, start-up and 64 B ping-pong on one core — four cells, and the
// variants the profile adds to them.
var (
	cellFlags = []string{"--impl", "native,cpython", "--workload", "startup,pingpong", "--method", "fork",
		"--chan", "pipe", "--rss", "0", "--size", "64B", "--cores", "1"}
	selection = append(append([]string(nil), cellFlags...), "--count", "2", "--runs", "2", "--max-runs", "2", "--benchtime", "20ms")
)

const token = "MPBENCH_TEST_TOKEN=slurmtest"

// harnessSegment is the name of a segment of a harness run: the harness's
// pid follows the prefix.
var harnessSegment = regexp.MustCompile(`^(?:sem\.)?mpbench-(\d+)-`)

// TestMain: the test fails when it leaves a process or anything new in
// /dev/shm, whatever its name (package leakcheck). The jobs run under
// slurmd, not under the test, with an environment of their own: they are
// the test's by the token.
func TestMain(m *testing.M) {
	os.Exit(leakcheck.Main(m.Run, leakcheck.Options{Markers: []string{token}}))
}

func TestSlurmArray(t *testing.T) {
	for _, b := range []string{"sbatch", "squeue", "slurmctld", "slurmd", "munged"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("Slurm is not installed (%s not found): `sudo scripts/slurm/local-cluster start` installs slurm-wlm and munge", b)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root: the local cluster runs munged as the munge user and slurmd as root")
	}
	repo, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "mpbench")
	build := exec.Command("go", "build", "-o", bin, "./cmd/mpbench")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	shmBefore := segments()
	mungedBefore := pgrep("munged")

	// One such test at a time on a machine (they share munged), on free
	// ports of its own (a cluster started by hand may be up).
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "mpbench-slurmtest.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	ports := freePorts(t, 2)
	cluster := filepath.Join(repo, "scripts", "slurm", "local-cluster")
	slurmDir := filepath.Join(tmp, "slurm")
	env := append(cleanEnv(), "MPBENCH_SLURM_DIR="+slurmDir, "MPBENCH_SLURMCTLD_PORT="+ports[0], "MPBENCH_SLURMD_PORT="+ports[1],
		"SLURM_CONF="+filepath.Join(slurmDir, "etc", "slurm.conf"), token)
	run := func(timeout time.Duration, dir string, name string, args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env, cmd.Dir = env, dir
		return cmd.CombinedOutput()
	}
	t0 := time.Now()
	if out, err := run(5*time.Minute, repo, cluster, "start"); err != nil {
		t.Fatalf("local-cluster start: %v\n%s", err, out)
	}
	tStart := time.Since(t0)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			if out, err := run(2*time.Minute, repo, cluster, "stop"); err != nil {
				t.Errorf("local-cluster stop: %v\n%s", err, out)
			}
		}
	}
	defer stop()

	// The array job: two shards, as a user submits it.
	arrayOut := filepath.Join(tmp, "array")
	env = append(env, "MPBENCH="+bin, "MPBENCH_OUT="+arrayOut)
	t0 = time.Now()
	sbatch := append([]string{"--parsable", "--wait", "--array=1-2", "--output=" + filepath.Join(tmp, "slurm-%A_%a.out"),
		filepath.Join(repo, "scripts", "slurm", "mpbench.sbatch")}, selection...)
	out, err := run(5*time.Minute, tmp, "sbatch", sbatch...)
	tArray := time.Since(t0)
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(tmp, "slurm-*.out"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", filepath.Base(l), b)
		}
		t.Fatalf("sbatch: %v\n%s", err, out)
	}
	jobID := strings.TrimSpace(strings.Split(string(out), ";")[0])

	// Every cell of the selection in exactly one shard.
	listCmd := exec.Command(bin, append([]string{"list"}, cellFlags...)...)
	listCmd.Env = cleanEnv()
	listOut, err := listCmd.Output()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	want := strings.Fields(string(listOut))
	shardDirs := []string{filepath.Join(arrayOut, "shard-1-of-2"), filepath.Join(arrayOut, "shard-2-of-2")}
	count := map[string]int{}
	measured := 0
	var shards []*view.Run
	for k, d := range shardDirs {
		r, err := view.Load(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, r)
		for key, v := range map[string]string{"shard": fmt.Sprintf("%d/2", k+1), "run-id": "slurm-" + jobID,
			"slurm-array-job-id": jobID, "slurm-array-task-id": fmt.Sprint(k + 1)} {
			if got := r.ConfigValue(key); got != v {
				t.Errorf("%s: %s = %q, want %q", filepath.Base(d), key, got, v)
			}
		}
		if r.ConfigValue("host-label") == "" || r.ConfigValue("slurm-job-id") == "" {
			t.Errorf("%s: no host-label or slurm-job-id line", filepath.Base(d))
		}
		for _, c := range r.Cells {
			// Skipped cells (a variant this interpreter cannot run) are
			// compared with the unsharded run below; none may fail.
			if c.Status == view.StatusFailed || (c.Status == view.StatusOK && len(c.Units) == 0) {
				t.Errorf("%s: cell %s %s: %s", filepath.Base(d), c.Name, c.Status, c.Reason)
			}
			if c.Status == view.StatusOK {
				measured++
			}
			count["Benchmark"+c.Name]++
		}
		if len(r.Cells) == 0 {
			t.Errorf("%s: empty shard", filepath.Base(d))
		}
		// The shard is what `mpbench list --shard` announced.
		lc := exec.Command(bin, append([]string{"list", "--shard", fmt.Sprintf("%d/2", k+1)}, cellFlags...)...)
		lc.Env = cleanEnv()
		lo, err := lc.Output()
		if err != nil {
			t.Fatalf("list --shard: %v", err)
		}
		var got []string
		for _, c := range r.Cells {
			got = append(got, "Benchmark"+c.Name)
		}
		sort.Strings(got)
		planned := strings.Fields(string(lo))
		sort.Strings(planned)
		if strings.Join(got, " ") != strings.Join(planned, " ") {
			t.Errorf("shard %d ran %q, list --shard %d/2 says %q", k+1, got, k+1, planned)
		}
	}
	if measured < 4 {
		t.Errorf("%d cells measured, want the 4 of native and cpython at least", measured)
	}
	for _, name := range want {
		if count[name] != 1 {
			t.Errorf("cell %s in %d shards, want exactly 1", name, count[name])
		}
	}
	if len(count) != len(want) {
		t.Errorf("shards hold %d cells, the selection has %d", len(count), len(want))
	}

	// Merge: the report command, as a user runs it.
	merged := filepath.Join(tmp, "merged")
	t0 = time.Now()
	rep := exec.Command(bin, append([]string{"report", "--out", merged}, shardDirs...)...)
	rep.Env = cleanEnv()
	if out, err := rep.CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	tMerge := time.Since(t0)
	if b, err := os.ReadFile(filepath.Join(merged, "REPORT.md")); err != nil || bytes.Contains(b, []byte("Runs, by host label")) {
		t.Errorf("merged report: err %v; shards of one run must not show as several runs", err)
	}
	runs, err := report.MergeShards(shards)
	if err != nil || len(runs) != 1 {
		t.Fatalf("MergeShards: %d runs, %v", len(runs), err)
	}

	// The same cells unsharded, outside Slurm.
	single := filepath.Join(tmp, "single")
	one := exec.Command(bin, append([]string{"run", "--out", single}, selection...)...)
	one.Env = append(cleanEnv(), token)
	if out, err := one.CombinedOutput(); err != nil {
		t.Fatalf("unsharded run: %v\n%s", err, out)
	}
	ref, err := view.Load(single, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := cellNames(runs[0]), cellNames(ref); a != b {
		t.Errorf("cells: merged shards\n%s\nunsharded\n%s", a, b)
	}
	if a, b := configKeys(runs[0]), configKeys(ref); a != b {
		t.Errorf("config keys: merged shards\n%s\nunsharded\n%s", a, b)
	}

	stop()
	for _, p := range []string{"slurmctld", "slurmd", "slurmstepd"} {
		if left := pgrep(p); left != "" {
			t.Errorf("%s left running: %s", p, left)
		}
	}
	if mungedBefore == "" && pgrep("munged") != "" {
		t.Errorf("munged left running")
	}
	if left := withToken(); len(left) > 0 {
		t.Errorf("processes left: %q", left)
	}
	// Segments of a harness (mpbench-<pid>-…) that are new and whose
	// harness is gone: other tests on this machine may hold live ones, and
	// the harness removes stale ones of dead processes when it starts.
	had := map[string]bool{}
	for _, s := range strings.Fields(shmBefore) {
		had[s] = true
	}
	for _, s := range strings.Fields(segments()) {
		m := harnessSegment.FindStringSubmatch(filepath.Base(s))
		if had[s] || m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); syscall.Kill(pid, 0) == nil {
			continue // a live harness: not one of this test's (all ended)
		}
		t.Errorf("shared-memory segment left: %s", s)
	}
	if _, err := os.Stat(slurmDir); err == nil {
		t.Errorf("%s left behind", slurmDir)
	}
	t.Logf("timings (this machine, contended): cluster start %v, array job (%d cells in 2 shards) %v, merge (mpbench report) %v",
		tStart.Round(time.Millisecond), len(want), tArray.Round(time.Millisecond), tMerge.Round(time.Millisecond))
	fmt.Printf("slurmtest: cluster start %v, array job %v, merge %v\n",
		tStart.Round(time.Millisecond), tArray.Round(time.Millisecond), tMerge.Round(time.Millisecond))
}

// cleanEnv is this process's environment without Slurm's variables (the
// test may itself run in a Slurm job: an unsharded run must not pick up
// an array task).
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") && !strings.HasPrefix(kv, "MPBENCH_") {
			out = append(out, kv)
		}
	}
	return out
}

func cellNames(r *view.Run) string {
	var names []string
	for _, c := range r.Cells {
		names = append(names, c.Name+" "+c.Status)
	}
	sort.Strings(names)
	return strings.Join(names, "\n")
}

// configKeys are the configuration keys of a run without those that only
// shards have (shard, run id, job ids, the merged folders).
func configKeys(r *view.Run) string {
	skip := map[string]bool{"shard-folders": true}
	for _, k := range report.ShardKeys {
		skip[k] = true
	}
	var keys []string
	for _, kv := range r.Config {
		if !skip[kv.Key] {
			keys = append(keys, kv.Key)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

// freePorts are n distinct TCP ports nothing listens on now.
func freePorts(t *testing.T, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out = append(out, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return out
}

func pgrep(name string) string {
	out, _ := exec.Command("pgrep", "-x", name).Output()
	return strings.TrimSpace(string(out))
}

func segments() string {
	var out []string
	for _, pat := range []string{"/dev/shm/mpbench-*", "/dev/shm/sem.mpbench-*"} {
		m, _ := filepath.Glob(pat)
		out = append(out, m...)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// withToken lists the live processes that carry the test's token.
func withToken() []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(token+"\x00")) {
			continue
		}
		if stat, _ := os.ReadFile(d + "/stat"); strings.Contains(string(stat), ") Z ") {
			continue
		}
		cmdline, _ := os.ReadFile(d + "/cmdline")
		out = append(out, filepath.Base(d)+" "+strings.ReplaceAll(string(cmdline), "\x00", " "))
	}
	return out
}
