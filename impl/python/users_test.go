package python

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
)

// memoryOf runs a memory cell (count 1) and returns its values by unit.
func memoryOf(t *testing.T, p *Impl, name string) map[string]float64 {
	t.Helper()
	c, err := bench.ParseName(name)
	if err != nil {
		t.Fatal(err)
	}
	o := tiny
	o.Count = 1
	cmd, err := p.Command(c, o)
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, cmd, 2*time.Minute)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, errOut)
	}
	r := benchfmt.NewReader(strings.NewReader(out), name)
	vals := map[string]float64{}
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			for _, v := range res.Values {
				u, x := bench.Metric(v)
				vals[u] = x
			}
		}
	}
	if len(vals) == 0 {
		t.Fatalf("%s: no result in %q", name, out)
	}
	return vals
}

// TestMemoryFirstPrinciples checks the memory workload against what
// copy-on-write implies, with real fork children of a parent holding
// 64 MiB of objects (2 workers): a child that touches nothing shares the
// parent's pages (its USS is a small fraction of them, its PSS at most
// half: each page is shared three ways); one that reads every object
// writes every reference count and so copies about every page, gc.freeze
// or not; a full collection copies the pages of the containers it walks,
// which gc.freeze() spares.
func TestMemoryFirstPrinciples(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 children of a 64 MiB parent")
	}
	p := cpython(t)
	const rss = 64 << 20
	uss := map[string]float64{}
	var pssNone float64
	for _, touch := range bench.MemoryTouches {
		v := memoryOf(t, p, fmt.Sprintf("Memory/impl=cpython/method=fork/touch=%s/rss=64MiB/workers=2/cores=2", touch))
		uss[touch] = v["uss-B"]
		if touch == bench.TouchNone {
			pssNone = v["pss-B"]
		}
	}
	t.Logf("USS per worker by touch (parent objects %d MiB): %v; PSS with touch=none %.0f", rss>>20, uss, pssNone)
	checks := []struct {
		ok   bool
		what string
	}{
		{uss[bench.TouchNone] < rss/8, "touch=none: USS < rss/8 (the child shares the parent's pages)"},
		{pssNone < rss/2, "touch=none: PSS < rss/2 (each page shared by the parent and two children)"},
		{uss[bench.TouchRead] > 0.8*rss, "touch=read: USS > 0.8 × rss (every page holds a reference count written)"},
		{uss[bench.TouchReadFrozen] > 0.8*rss, "touch=read-frozen: USS > 0.8 × rss (gc.freeze does not stop reference counts)"},
		{uss[bench.TouchGC]-uss[bench.TouchGCFrozen] > rss/32, "touch=gc − gc-frozen: USS > rss/32 (the collection writes the header of every list; frozen ones are skipped)"},
		{uss[bench.TouchGCFrozen] < rss/8, "touch=gc-frozen: USS < rss/8"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: USS %v, PSS(none) %.0f", c.what, uss, pssNone)
		}
	}
}

// numpyPython is an interpreter with numpy (Debian's python3), or a skip.
func numpyPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with numpy here")
	return ""
}

// TestOutOfBandOnce: an ndarray sent with payload=ndarray-oob writes its
// bytes to the channel once — the sender's writes add up to the array's
// size plus one small pickle (< 1 KiB), its data leaves as a view of the
// array (no copy), and the receiver's array equals the sent one — while
// the in-band pickle the channels make for payload=ndarray holds the
// whole array (one copy into the pickle before the write).
func TestOutOfBandOnce(t *testing.T) {
	py := numpyPython(t)
	drv, err := DriverPath()
	if err != nil {
		t.Fatal(err)
	}
	script := `import sys
sys.path.insert(0, sys.argv[1])
import numpy, driver
from multiprocessing.reduction import ForkingPickler
for size in (64, 65536, 16 << 20):
    a = driver.make_ndarray(size)
    sent = []
    driver.oob_send(sent.append)(a)
    views = [m for m in sent[1:] if isinstance(m, memoryview) and m.obj is not None]
    got = driver.oob_recv(iter([bytes(m) for m in sent]).__next__)()
    inband = len(ForkingPickler.dumps(a))
    print(size, a.nbytes, len(sent), sum(len(m) for m in sent), len(sent[0]), len(views), bool((got == a).all()), inband >= a.nbytes)
`
	cmd := exec.Command(py, "-c", script, filepath.Dir(drv))
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("output %q", out)
	}
	for _, l := range lines {
		var size, nbytes, msgs, total, head, views int
		var equal, inband string
		if _, err := fmt.Sscan(l, &size, &nbytes, &msgs, &total, &head, &views, &equal, &inband); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		t.Logf("array of %d bytes: %d messages, %d bytes written (pickle %d bytes)", nbytes, msgs, total, head)
		if nbytes != size || msgs != 2 || views != 1 || head >= 1024 || total != nbytes+head || equal != "True" || inband != "True" {
			t.Errorf("array of %d bytes: %d messages (want 2), %d bytes written (want %d + the %d-byte pickle, < 1 KiB), %d data views (want 1), equal %s, in-band pickle holds the array %s",
				size, msgs, total, nbytes, head, views, equal, inband)
		}
	}
}

// TestNumpyPayloads runs the numpy payloads under the interpreter that has
// numpy (impl=multiprocessing: Debian's python3) over each kind of
// channel, a message larger than a shm slot included, and checks that no
// segment of the run is left behind.
func TestNumpyPayloads(t *testing.T) {
	p := NewLibrary("multiprocessing", "")
	if err := p.Available(); err != nil {
		t.Skip(err)
	}
	numpyPython(t)
	for _, name := range []string{
		"Pingpong/impl=multiprocessing/method=fork/chan=pipe/payload=ndarray-shm/size=64KiB/cores=2",
		"Stream/impl=multiprocessing/method=forkserver/chan=shm/payload=ndarray-oob/size=1536KiB/cores=2",
		"Stream/impl=multiprocessing/method=spawn/chan=simplequeue/payload=ndarray/size=4KiB/cores=2",
		"Pingpong/impl=multiprocessing/method=fork/chan=pipe/payload=ndarray-oob/size=64B/cores=1",
		"Stream/impl=multiprocessing/method=spawn/chan=queue/payload=ndarray-shm/size=1MiB/cores=2",
	} {
		t.Run(name, func(t *testing.T) { runCell(t, p, name, tiny) })
	}
	left, _ := filepath.Glob("/dev/shm/*" + testPrefix + "*")
	if len(left) > 0 {
		t.Errorf("segments left behind: %v", left)
	}
}
