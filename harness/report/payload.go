package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The users' payloads (bench/payload.go): ping-pong and stream cells with
// a payload key of bench.UserPayloads, beside the bytes cells of the same
// impl and method. The section's tables and the guide's row appear in a
// run that has such cells.

// payloadNote explains the payload tables.
const payloadNote = "payload: bytes = a bytes object (no key); ndarray = a float64 numpy array pickled in-band (the channel's pickling; over shm, pickle.dumps into the ring); " +
	"ndarray-oob = the same array pickled with protocol 5, its data sent as an out-of-band buffer (pipe: send_bytes; shm: the ring); " +
	"ndarray-shm = the array placed once in a shared_memory segment, a message carrying only its (name, length); objects = a list of dicts whose pickle is about `size` bytes. " +
	"The receiver reads one element of an array (stream: of the last message), the length of bytes and objects: a transport that copies pays its copies, a zero-copy one does not."

// payloadLabels are the payload values in table order ("bytes" for no key).
var payloadLabels = append([]string{"bytes"}, bench.UserPayloads...)

func payloadLabel(p string) string {
	if p == "" {
		return "bytes"
	}
	return p
}

// payloadCells are a run's cells of workload w that share impl, method and
// cores with a cell of a user payload (the bytes baselines included).
func (d *Data) payloadCells(r *view.Run, w string) []*view.Cell {
	keys := map[string]bool{}
	key := func(c bench.Cell) string { return fmt.Sprint(c.Impl, "/", c.Method, "/", c.Cores) }
	all := onlyRun(d.workload(w), r)
	for _, c := range all {
		if slices.Contains(bench.UserPayloads, c.Cell.Payload) {
			keys[key(c.Cell)] = true
		}
	}
	return view.Select(all, func(c *view.Cell) bool {
		return keys[key(c.Cell)] && (c.Cell.Payload == "" || slices.Contains(bench.UserPayloads, c.Cell.Payload))
	})
}

// payloadTables: per run, workload and (impl, method, cores), rows chan ×
// payload, columns the sizes: stream MB/s, ping-pong round trip.
func (d *Data) payloadTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		for _, spec := range []struct{ w, unit, what string }{{bench.Pingpong, "ns/op", "round trip"}, {bench.Stream, "MB/s", "throughput"}} {
			for _, g := range view.GroupBy(d.payloadCells(r, spec.w), func(c *view.Cell) string {
				return fmt.Sprint(c.Cell.Impl, "/", c.Cell.Method, "/", c.Cell.Cores)
			}) {
				c0 := g.Cells[0].Cell
				sizes := presentInts(g.Cells, func(c bench.Cell) int64 { return c.Size })
				t := &Table{Name: fmt.Sprintf("payload-%s-%s-%s-cores%d%s", spec.w, c0.Impl, c0.Method, c0.Cores, d.suffix(r)), Section: "payload",
					Title:  fmt.Sprintf("Payloads, %s %s by channel and payload, impl=%s, method=%s, cores=%d%s", spec.w, spec.what, c0.Impl, c0.Method, c0.Cores, d.titleSuffix(r)),
					Header: []string{"chan", "payload"}, Left: 2, Caption: statNote + " " + payloadNote}
				for _, s := range sizes {
					t.Header = append(t.Header, sizeLabel(s))
				}
				for _, ch := range bench.Chans {
					for _, p := range payloadLabels {
						b := c0
						b.Chan, b.Payload = ch, strings.TrimPrefix(p, "bytes")
						row := []string{ch, p}
						any := false
						for _, s := range sizes {
							b.Size = s
							if c := d.find(r, b); c != nil {
								any = true
								row = append(row, d.statEntry(c, spec.unit))
							} else {
								row = append(row, "")
							}
						}
						if any {
							t.Rows = append(t.Rows, row)
						}
					}
				}
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// payloadRow is the guide's row on sending numpy arrays and Python
// objects: among the ndarray transports (ndarray, ndarray-oob,
// ndarray-shm over every channel measured) the highest stream
// throughput at the largest size, compared by the ratio of run medians,
// the winners at the other sizes, and what objects cost against bytes.
func (g *Guide) payloadRow(d *Data, r *view.Run) {
	cells := view.Select(d.payloadCells(r, bench.Stream), func(c *view.Cell) bool { return c.Has("MB/s") })
	if len(cells) == 0 {
		return
	}
	impl := prefer(present(bench.KnownImpls(), cells, func(c bench.Cell) string { return c.Impl }), bench.PayloadImpl)
	cells = view.Select(cells, func(c *view.Cell) bool { return c.Cell.Impl == impl })
	m := prefer(present(bench.Methods, cells, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	cores := 0
	for _, c := range cells {
		if c.Cell.Method == m {
			cores = max(cores, c.Cell.Cores)
		}
	}
	cells = view.Select(cells, func(c *view.Cell) bool { return c.Cell.Method == m && c.Cell.Cores == cores })
	opts := func(size int64, payloads []string) []option {
		var o []option
		for _, c := range cells {
			if c.Cell.Size == size && slices.Contains(payloads, payloadLabel(c.Cell.Payload)) {
				o = append(o, option{payloadLabel(c.Cell.Payload) + " over " + c.Cell.Chan, d.Stat(c, "MB/s")})
			}
		}
		return o
	}
	// The transports that move the array's bytes; ndarray-shm moves only
	// the segment's name (its nominal MB/s is not a transfer rate).
	arrays := []string{bench.PayloadNdarray, bench.PayloadNdarrayOOB}
	sizes := presentInts(view.Select(cells, func(c *view.Cell) bool { return slices.Contains(arrays, c.Cell.Payload) }), func(c bench.Cell) int64 { return c.Size })
	row := newRow(bench.QPayloads, "(sending a numpy array: stream throughput of the bytes moved)")
	if len(sizes) == 0 {
		row.Choice = "not measured in this run"
		row.Cost = fmt.Sprintf("— (no ndarray cell with samples for impl=%s: numpy missing?)", impl)
	} else {
		top := sizes[len(sizes)-1]
		best, second, decided := pick(opts(top, arrays), true)
		row.setChoice(best, second, decided)
		row.Cost = fmt.Sprintf("at %s: %s%s (impl=%s, method=%s, cores=%d)", sizeLabel(top), versus(best, second, "MB/s"), ratioText(best, second, true), impl, m, cores)
		var parts []string
		for _, s := range sizes[:len(sizes)-1] {
			if b, s2, dec := pick(opts(s, arrays), true); b != nil && s2 != nil {
				parts = append(parts, fmt.Sprintf("at %s: %s (%s)", sizeLabel(s), choose(b, s2, dec), versus(b, s2, "MB/s")))
			}
		}
		row.Flip = strings.Join(parts, "; ")
	}
	if f := shmArrayText(d, cells, sizes); f != "" {
		row.Flip += ". " + f
	}
	if f := objectsText(d, r, cells); f != "" {
		if row.Flip != "" {
			row.Flip += ". "
		}
		row.Flip += f
	}
	g.Rows = append(g.Rows, row)
}

// objectsText compares objects with bytes of the same size over the same
// channel, at the largest size that has both (pipe first).
func objectsText(d *Data, r *view.Run, cells []*view.Cell) string {
	for _, ch := range []string{"pipe", "simplequeue", "queue", "shm"} {
		var best *view.Cell
		for _, c := range cells {
			if c.Cell.Chan == ch && c.Cell.Payload == bench.PayloadObjects && (best == nil || c.Cell.Size > best.Cell.Size) {
				b := c.Cell
				b.Payload = ""
				if d.find(r, b).Has("MB/s") {
					best = c
				}
			}
		}
		if best == nil {
			continue
		}
		b := best.Cell
		b.Payload = ""
		ob, by := d.Stat(best, "MB/s"), d.Stat(d.find(r, b), "MB/s")
		return fmt.Sprintf("A list of dicts (payload=objects) pickles and unpickles every object: at %s over %s, %s vs bytes %s (bytes/objects = %s)",
			sizeLabel(b.Size), ch, fmtStat("MB/s", ob), fmtStat("MB/s", by), ratioCI(by, ob))
	}
	return ""
}

// shmArrayText is what an array placed in shared memory costs per
// message (payload=ndarray-shm: only its name and length travel) at the
// largest size measured, beside the fastest transport that moves it.
func shmArrayText(d *Data, cells []*view.Cell, sizes []int64) string {
	if len(sizes) == 0 {
		return ""
	}
	top := sizes[len(sizes)-1]
	var opts []option
	for _, c := range cells {
		if c.Cell.Size == top && c.Cell.Payload == bench.PayloadNdarrayShm {
			opts = append(opts, option{"over " + c.Cell.Chan, d.Stat(c, "msgs/s")})
		}
	}
	best, _, _ := pick(opts, true)
	if best == nil {
		return ""
	}
	return fmt.Sprintf("An array created in a shared_memory segment (payload=ndarray-shm) moves no bytes: only its name travels, %s %s at %s whatever its size; "+
		"the other side must map the segment, and the sender must not reuse the array until it is read", fmtStat("msgs/s", best.s), best.label, sizeLabel(top))
}
