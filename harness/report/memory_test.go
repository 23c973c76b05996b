package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// rawUnits is a raw.bench of cells with several units: per cell, 6 runs of
// 2 samples, run k's values = the cell's value × (1 + k/100).
func rawUnits(cells map[string]map[string]float64) string {
	var b strings.Builder
	b.WriteString("goos: linux\nhost: h\ncpu: test cpu\nnproc: 2\ncpython-version: 3.11.7\n")
	for _, name := range sortedKeys(cells) {
		for k := 0; k < 6; k++ {
			fmt.Fprintf(&b, "run: %d\n", k+1)
			for s := 0; s < 2; s++ {
				fmt.Fprintf(&b, "Benchmark%s 1", name)
				for _, m := range bench.Metrics {
					if v, ok := cells[name][m.Unit]; ok {
						fmt.Fprintf(&b, " %g %s", v*(1+float64(k)/100), m.Unit)
					}
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func guideRowOf(g *Guide, q bench.Question) *GuideRow {
	for i := range g.Rows {
		if g.Rows[i].Key == q.Key {
			return &g.Rows[i]
		}
	}
	return nil
}

// TestMemoryAndPayloadSections: a run with memory and payload cells gets
// both sections, their tables and the two guide rows computed from the
// fake values; a run without them gets none of it.
func TestMemoryAndPayloadSections(t *testing.T) {
	const mib = 1 << 20
	mem := func(method, touch string, rss int64, uss, pss float64) (string, map[string]float64) {
		c := bench.Cell{Workload: bench.Memory, Impl: "cpython", Method: method, Touch: touch, RSS: rss, Workers: 2, Cores: 2}
		return c.Name(), map[string]float64{"ns/op": 1e8, "uss-B": uss, "pss-B": pss, "pool-pss-B": 2 * pss}
	}
	cells := map[string]map[string]float64{}
	for _, m := range []struct {
		method, touch string
		uss           float64
	}{
		{"fork", "none", 3 * mib}, {"fork", "read", 1000 * mib}, {"fork", "read-frozen", 1000 * mib},
		{"fork", "gc", 40 * mib}, {"fork", "gc-frozen", 3 * mib}, {"spawn", "none", 9 * mib}, {"forkserver", "none", 6 * mib},
	} {
		for _, rss := range []int64{0, 1 << 30} {
			n, v := mem(m.method, m.touch, rss, m.uss, m.uss+float64(rss)/3)
			cells[n] = v
		}
	}
	stream := func(ch, payload string, size int64, mbs float64) {
		c := bench.Cell{Workload: "stream", Impl: bench.PayloadImpl, Method: "fork", Chan: ch, Payload: payload, Size: size, Cores: 2}
		if ch == "shm" {
			mbs *= 1.5
		}
		cells[c.Name()] = map[string]float64{"ns/op": float64(size) * 1e3 / mbs, "MB/s": mbs, "msgs/s": 1e9 / (float64(size) * 1e3 / mbs), "user-ns/op": 1, "sys-ns/op": 1}
	}
	for _, s := range []int64{64, 16 * mib} {
		big := s > 64
		for _, ch := range []string{"pipe", "shm"} {
			stream(ch, "", s, 500)
			stream(ch, bench.PayloadNdarray, s, 300)
			stream(ch, bench.PayloadNdarrayOOB, s, map[bool]float64{true: 900, false: 200}[big])
			stream(ch, bench.PayloadNdarrayShm, s, map[bool]float64{true: 50000, false: 100}[big])
			stream(ch, bench.PayloadObjects, s, 20)
		}
	}
	r, err := view.Parse([]byte(rawUnits(cells)), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	d := newData([]*view.Run{r})
	tables := d.Tables()
	names := map[string]int{}
	for _, tb := range tables {
		if tb.Section == bench.Memory || tb.Section == "payload" {
			names[tb.Name] = len(tb.Rows)
		}
	}
	want := map[string]int{"memory-uss-cores2": 7, "memory-pss-cores2": 7, "payload-stream-multiprocessing-fork-cores2": 10}
	for n, k := range want {
		if names[n] != k {
			t.Errorf("table %s has %d rows, want %d (tables %v)", n, names[n], k, names)
		}
	}
	var buf bytes.Buffer
	if err := d.writeReport(&buf, tables, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Memory per worker\n", "## Payloads\n", "- **memory** — memory per worker", "| read-frozen "} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("report lacks %q", s)
		}
	}
	g := d.Guide(r)
	if row := guideRowOf(g, bench.QMemory); row == nil || row.Choice != "`fork`" ||
		!strings.Contains(row.Situation, "of 2 workers adds, parent rss=1GiB") ||
		!strings.Contains(row.Cost, "USS per worker (the pages only it maps): spawn 9.") ||
		!strings.Contains(row.Flip, "gc.freeze() in the parent, then gc.collect(): USS 3.") {
		t.Errorf("memory row %+v", row)
	}
	// The choice is among the transports that move the bytes; ndarray-shm,
	// whose nominal MB/s is no transfer rate, is stated per message.
	if row := guideRowOf(g, bench.QPayloads); row == nil || row.Choice != "`ndarray-oob over shm`" ||
		!strings.HasPrefix(row.Cost, "at 16MiB: ndarray-oob over shm ") || !strings.Contains(row.Flip, "at 64B: `ndarray over shm` (") ||
		!strings.Contains(row.Flip, "moves no bytes: only its name travels, 4.") || !strings.Contains(row.Flip, "payload=objects") {
		t.Errorf("payload row %+v", row)
	}

	plain := testData(t)
	buf.Reset()
	if err := plain.writeReport(&buf, plain.Tables(), nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Memory per worker", "## Payloads", "**memory**"} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("a run without memory or payload cells has %q in its report", s)
		}
	}
	if g := plain.Guide(plain.Runs[0]); guideRowOf(g, bench.QMemory) != nil || guideRowOf(g, bench.QPayloads) != nil {
		t.Error("a run without memory or payload cells has their guide rows")
	}
}
