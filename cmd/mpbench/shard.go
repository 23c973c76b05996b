package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness"
)

// clusterFlags are --shard (run, list) and --host-label (run).
type clusterFlags struct {
	shard, hostLabel string
	getenv           func(string) string // os.Getenv; replaced in tests
}

func (f *clusterFlags) register(fs *flag.FlagSet, withLabel bool) {
	fs.StringVar(&f.shard, "shard", "", "only shard K of N of the selection, e.g. 2/4 (default in a Slurm job array: its task)")
	if withLabel {
		fs.StringVar(&f.hostLabel, "host-label", "", "label of this machine in reports (default: host name, CPU model and count)")
	}
}

func (f *clusterFlags) env(k string) string {
	if f.getenv != nil {
		return f.getenv(k)
	}
	return os.Getenv(k)
}

// resolve returns the shard to run: --shard wins, else the task of a
// Slurm job array, else none (ok false).
func (f *clusterFlags) resolve() (sh bench.Shard, ok bool, err error) {
	if f.shard != "" {
		sh, err = bench.ParseShard(f.shard)
		if err != nil {
			return sh, false, usagef("--shard: %v", err)
		}
		return sh, true, nil
	}
	sh, ok, err = bench.ShardFromSlurm(f.env)
	if err != nil {
		return sh, false, usagef("--shard: %v", err)
	}
	return sh, ok, nil
}

// shardCost is the estimate the shards are balanced by: the profile's
// default settings (the minimum number of program runs of the default
// sample count and benchtime), not the run's own flags, so that a shard is
// the same cells in `mpbench list --shard` and in every run of the
// profile.
func shardCost(profile string) func(bench.Cell) float64 {
	d := harness.ProfileDefaults(profile)
	return func(c bench.Cell) float64 {
		return float64(d.Runs) * harness.EstimateCell(c, d.Count, 1, d.Benchtime).Seconds()
	}
}

// shardSummary tells the estimated time of every shard of the partition
// (one line, for stderr).
func shardSummary(w io.Writer, all []bench.Cell, sh bench.Shard, cost func(bench.Cell) float64) {
	parts := bench.Partition(all, sh.N, cost)
	var est []string
	lo, hi := 0.0, 0.0
	for i, p := range parts {
		t := 0.0
		for _, c := range p {
			t += cost(c)
		}
		if i == 0 || t < lo {
			lo = t
		}
		if t > hi {
			hi = t
		}
		est = append(est, fmt.Sprintf("%d:%d cells %v", i+1, len(p), time.Duration(t*float64(time.Second)).Round(time.Second)))
	}
	ratio := "∞"
	if lo > 0 {
		ratio = strconv.FormatFloat(hi/lo, 'f', 3, 64)
	}
	fmt.Fprintf(w, "mpbench: shard %s: %d of %d cells; estimated per shard: %s; largest/smallest %s\n",
		sh, len(parts[sh.K-1]), len(all), strings.Join(est, ", "), ratio)
}

// configLines are the run's host label and, for a shard, the shard, the
// run id its sibling shards share, the size and digest of the whole
// selection (all: the cells before sharding; shards of one run must have
// partitioned the same cells) and the Slurm job ids.
func (f *clusterFlags) configLines(sh bench.Shard, sharded bool, all []bench.Cell, args []string) []harness.ConfigLine {
	label := bench.SanitizeLabel(f.hostLabel)
	if label == "" {
		label = defaultHostLabel()
	}
	lines := []harness.ConfigLine{{Key: "host-label", Value: label}}
	runID := f.env("MPBENCH_RUN_ID")
	if runID == "" && f.env("SLURM_ARRAY_JOB_ID") != "" {
		runID = "slurm-" + f.env("SLURM_ARRAY_JOB_ID")
	}
	if runID == "" && sharded {
		runID = "args-" + argsDigest(args, sh.N)
	}
	if runID != "" {
		lines = append(lines, harness.ConfigLine{Key: "run-id", Value: runID})
	}
	if sharded {
		lines = append(lines,
			harness.ConfigLine{Key: "shard", Value: sh.String()},
			harness.ConfigLine{Key: "shard-selection", Value: fmt.Sprintf("%d cells, %s", len(all), bench.SelectionDigest(all))})
	}
	for _, kv := range [][2]string{
		{"slurm-job-id", "SLURM_JOB_ID"},
		{"slurm-array-job-id", "SLURM_ARRAY_JOB_ID"},
		{"slurm-array-task-id", "SLURM_ARRAY_TASK_ID"},
		{"slurm-cluster", "SLURM_CLUSTER_NAME"},
		{"slurm-node", "SLURMD_NODENAME"},
	} {
		if v := f.env(kv[1]); v != "" {
			lines = append(lines, harness.ConfigLine{Key: kv[0], Value: v})
		}
	}
	return lines
}

func defaultHostLabel() string {
	var host, cpu string
	nproc := 0
	for _, l := range harness.Environment() {
		switch l.Key {
		case "host":
			host = l.Value
		case "cpu":
			cpu = l.Value
		case "nproc":
			nproc, _ = strconv.Atoi(l.Value)
		}
	}
	return bench.HostLabel(host, cpu, nproc)
}

// argsDigest identifies the shards of one sharded command line run by
// hand (no Slurm): the arguments without --shard, --out, --host-label
// and --resume, and the shard count.
func argsDigest(args []string, n int) string {
	var keep []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		switch name {
		case "shard", "out", "host-label":
			if !hasValue {
				i++
			}
			continue
		case "resume":
			continue
		}
		keep = append(keep, a)
	}
	h := sha256.Sum256([]byte(strings.Join(keep, "\x00") + "\x00" + strconv.Itoa(n)))
	return hex.EncodeToString(h[:6])
}
