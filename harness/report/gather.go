package report

import (
	"fmt"
	"strconv"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The many-to-one section: the gather cells (workers streaming into one
// parent), one table per message size and core count, rows impl × method
// × channel × workers. A run without gather cells has no such section.

// gatherNote explains the gather tables.
const gatherNote = "Each of `workers` processes streams messages of the table's size back to back into the one parent over `chan` " +
	"(simplequeue, queue: one queue shared by every worker; pipe: one Pipe per worker, the parent waiting on all of them; " +
	"shm: one ring shared by every worker, a whole message under its lock); the parent's clock runs from its start signal to the last message of all workers. " +
	"messages/s and throughput (10⁶ payload bytes/s) count all workers together; time per message = 1 / messages/s."

// gatherTables: one table per message size and core count.
func (d *Data) gatherTables() []*Table {
	var ts []*Table
	for _, r := range d.Runs {
		cells := onlyRun(d.workload(bench.Gather), r)
		for _, g := range view.GroupBy(cells, func(c *view.Cell) string { return sizeLabel(c.Cell.Size) + "/" + strconv.Itoa(c.Cell.Cores) }) {
			c0 := g.Cells[0].Cell
			t := &Table{
				Name:    fmt.Sprintf("gather-%s-cores%d%s", sizeLabel(c0.Size), c0.Cores, d.suffix(r)),
				Section: bench.Gather,
				Title:   fmt.Sprintf("Many-to-one: workers streaming %s messages into one parent, cores=%d%s", sizeLabel(c0.Size), c0.Cores, d.titleSuffix(r)),
				Header:  []string{"impl", "method", "chan", "workers", "messages/s", "throughput", "time per message", "runs (samples)", "between-run var", "notes"},
				Left:    4,
				Notes:   true,
				Caption: statNote + " " + gatherNote,
			}
			for _, c := range g.Cells {
				row := []string{c.Cell.Impl, c.Cell.Method, c.Cell.Chan, strconv.Itoa(c.Cell.Workers)}
				if st := statusText(c, "ns/op"); st != "" {
					row = append(row, st, "—", "—", "—", "—", "")
				} else {
					s := d.Stat(c, "ns/op")
					row = append(row, fmtStat("msgs/s", d.Stat(c, "msgs/s")), fmtStat("MB/s", d.Stat(c, "MB/s")), fmtStat("ns/op", s),
						runsText(s), shareText(s), d.notes(c, "ns/op"))
				}
				t.Rows = append(t.Rows, row)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
