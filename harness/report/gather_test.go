package report

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// TestGatherSection: a run with gather cells gets the many-to-one section
// (its method line, one table per size with a row per channel × workers)
// and a many-to-one guide row read from them; a run without gather cells
// has neither the section nor its method line.
func TestGatherSection(t *testing.T) {
	d, r := decisionRun(t)
	tables := d.Tables()
	var buf bytes.Buffer
	if err := d.writeReport(&buf, tables, nil); err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, tb := range tables {
		if tb.Section == bench.Gather {
			rows[tb.Name] = len(tb.Rows)
		}
	}
	// decisionRun: fork, 2 workers, every channel at each of GatherSizes.
	want := map[string]int{"gather-64B-cores2": 4, "gather-64KiB-cores2": 4}
	if len(rows) != len(want) || rows["gather-64B-cores2"] != 4 || rows["gather-64KiB-cores2"] != 4 {
		t.Errorf("gather tables %v, want %v", rows, want)
	}
	rep := buf.String()
	for _, s := range []string{"## Many-to-one\n", "- **gather** — many-to-one", "[Many-to-one](#many-to-one)", "tables/gather-64B-cores2.md"} {
		if !strings.Contains(rep, s) {
			t.Errorf("report lacks %q", s)
		}
	}
	var row *GuideRow
	g := d.Guide(r)
	for i := range g.Rows {
		if g.Rows[i].Key == bench.QManyToOne.Key {
			row = &g.Rows[i]
		}
	}
	// The fake values make simplequeue the fastest channel at every size.
	if row == nil || row.Choice != "`simplequeue`" || !strings.HasPrefix(row.Cost, "messages received per second at 64B, 2 workers (method=fork): simplequeue ") ||
		!strings.HasPrefix(row.Flip, "at 64KiB: `simplequeue` (") {
		t.Errorf("many-to-one row %+v", row)
	}

	plain := testData(t)
	buf.Reset()
	if err := plain.writeReport(&buf, plain.Tables(), nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Many-to-one", "**gather**", "tables/gather-"} {
		if strings.Contains(buf.String(), s) {
			t.Errorf("a run without gather cells has %q in its report", s)
		}
	}
}

// TestPoolChunksizeColumn: a pool table of tiny tasks has a chunksize
// column ("default" without the key), before the makespan and in every
// row; a table of cpu tasks has none.
func TestPoolChunksizeColumn(t *testing.T) {
	cells := map[string][][]float64{}
	for _, name := range []string{
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=10000/task=tiny/chunksize=1/cores=2",
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=10000/task=tiny/cores=2",
		"Pool/impl=cpython/method=fork/exec=ppe/workers=2/tasks=10000/task=tiny/chunksize=5000/cores=2",
		"Pool/impl=cpython/method=fork/exec=pool/workers=2/tasks=16/task=cpu/cores=2",
	} {
		cells[name] = [][]float64{{1e6, 1e6}, {1.1e6, 1.1e6}}
	}
	r, err := view.Parse([]byte(rawRuns(cells)), "raw.bench")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{} // table → the chunksize column
	for _, tb := range newData([]*view.Run{r}).poolTables() {
		i := slices.Index(tb.Header, "chunksize")
		if i >= 0 && tb.Header[i+1] != "makespan" {
			t.Errorf("%s: header %q", tb.Name, tb.Header)
		}
		got[tb.Name] = nil
		for _, row := range tb.Rows {
			if len(row) != len(tb.Header) {
				t.Errorf("%s: row %q under header %q", tb.Name, row, tb.Header)
			}
			if i >= 0 {
				got[tb.Name] = append(got[tb.Name], row[i])
			}
		}
	}
	want := map[string][]string{"pool-tiny-cores2": {"1", "default", "5000"}, "pool-cpu-cores2": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chunksize columns %q, want %q", got, want)
	}
}
