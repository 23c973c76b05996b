package claims

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/harness/view"
)

const sample = `goos: linux
nproc: 2
claims-python: /usr/bin/python3
Unit MB/s better=higher
run: 1
BenchmarkClaim/id=C3/method=spawn/workers=2/tasks=5/chunksize=default/task-ms=100 1 302000000 ns/op 3.01 task-times 500000 overhead-ns
BenchmarkClaim/id=C3/method=fork/workers=2/tasks=5/chunksize=default/task-ms=100 1 301000000 ns/op 3.005 task-times 500000 overhead-ns
BenchmarkClaim/id=C3/method=forkserver/workers=2/tasks=5/chunksize=default/task-ms=100 1 303000000 ns/op 3.015 task-times 500000 overhead-ns
BenchmarkClaim/id=C3/method=spawn/workers=2/tasks=5/chunksize=5/task-ms=100 1 502000000 ns/op 5.01 task-times 500000 overhead-ns
BenchmarkClaim/id=C3/method=fork/workers=2/tasks=5/chunksize=5/task-ms=100 1 501000000 ns/op 5.005 task-times 500000 overhead-ns
BenchmarkClaim/id=C3/method=forkserver/workers=2/tasks=5/chunksize=5/task-ms=100 1 503000000 ns/op 5.015 task-times 500000 overhead-ns
BenchmarkClaim/id=C7/case=held/lock=plain/method=fork 1 1004126451 ns/op 1 deadlock 0 ok 0 deprecation-warning 2 threads-at-start
--- NOTE: BenchmarkClaim/id=C7/case=held/lock=plain/method=fork: Python 3.12.1 warned: This process is multi-threaded
BenchmarkClaim/id=C7/case=real/lock=plain/method=fork 1 2004126451 ns/op 1 deadlock 0 ok 0 deprecation-warning 2 threads-at-start
--- SKIP: BenchmarkClaim/id=C11: torch is not usable here: no module named torch
--- FAIL: BenchmarkClaim/id=C4: timeout after 5m0s
`

func TestRenderDeterministicAndComplete(t *testing.T) {
	a, err := Render([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("Render is not deterministic")
	}
	md := string(a)
	for _, want := range []string{
		"| [C3](#c3) | **confirmed** |",
		"| [C7](#c7) | **confirmed** |",
		"| [C11](#c11) | **untestable** |",
		"| [C4](#c4) | **failed** |",
		"| [C1](#c1) | **not measured** |",
		"torch is not usable here: no module named torch",
		"timeout after 5m0s",
		"mpbench claims --only C3 --out DIR",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("CLAIMS.md lacks %q", want)
		}
	}
	for _, id := range IDs() {
		if !strings.Contains(md, "\n## "+id+"\n") {
			t.Errorf("CLAIMS.md has no section for %s", id)
		}
	}
}

// benchfmt (and so benchstat) must read claims.bench: the NOTE, SKIP and
// FAIL lines are ignored, every result line parses.
func TestClaimsBenchIsGoBenchmarkFormat(t *testing.T) {
	r := benchfmt.NewReader(strings.NewReader(sample), "claims.bench")
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		case *benchfmt.Result:
			n++
		}
	}
	if n != 8 {
		t.Errorf("benchfmt read %d results, want 8", n)
	}
	f, err := load([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.claims["C7"].notes); got != 1 {
		t.Errorf("C7 notes = %d, want 1", got)
	}
	if f.config["nproc"] != "2" {
		t.Errorf("config nproc = %q", f.config["nproc"])
	}
}

func TestParseOnlyAndRecorded(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"C3", []string{"C3"}, false},
		{"c7, C3,C3", []string{"C3", "C7"}, false},
		{"C14,C1", []string{"C1", "C14"}, false},
		{"C15", nil, true},
		{" , ", nil, true},
	}
	for _, tc := range tests {
		got, err := ParseOnly(tc.in)
		if (err != nil) != tc.err || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseOnly(%q) = %v, %v; want %v, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	rf, err := view.Parse([]byte(sample), BenchFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recordedIDs(rf), []string{"C3", "C4", "C7", "C11"}; !reflect.DeepEqual(got, want) {
		t.Errorf("RecordedIDs = %v, want %v", got, want)
	}
}

func TestCheckScriptOutput(t *testing.T) {
	tests := []struct {
		name  string
		out   string
		lines int
		err   bool
	}{
		{"results and notes", "BenchmarkClaim/id=C9/api=process/method=fork 1 5 ns/op 0 raised 1 ok\n--- NOTE: BenchmarkClaim/id=C9/api=process/method=fork: text\n", 2, false},
		{"skip of the claim", "--- SKIP: BenchmarkClaim/id=C9: no reason\n", 1, false},
		{"other claim", "BenchmarkClaim/id=C8/method=fork 1 5 ns/op\n", 0, true},
		{"stray print", "BenchmarkClaim/id=C9/a=b 1 5 ns/op\nhello\n", 1, true},
		{"malformed", "BenchmarkClaim/id=C9/a=b one 5 ns/op\n", 0, true},
	}
	for _, tc := range tests {
		got, err := checkScriptOutput("C9", []byte(tc.out))
		if len(got) != tc.lines || (err != nil) != tc.err {
			t.Errorf("%s: %d lines, err %v; want %d lines, err %v", tc.name, len(got), err, tc.lines, tc.err)
		}
	}
}

func TestRunRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, BenchFile), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, only := range [][]string{nil, {"C3"}, {"C99"}} {
		err := Run(t.Context(), Options{Out: dir, Only: only, Python: "/bin/false"})
		var in *InputError
		if err == nil || !errorsAs(err, &in) {
			t.Errorf("Run(only=%v) on an existing claims.bench: %v, want an InputError", only, err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, BenchFile))
	if string(data) != sample {
		t.Error("claims.bench was modified")
	}
	if _, err := os.Stat(filepath.Join(dir, MDFile)); err == nil {
		t.Error("CLAIMS.md written although the run was refused")
	}
}

// testdata/claims.bench is the output of a real `mpbench claims` run on
// the 2-core development VM (shared with other jobs, so its timings are
// noisy). Every claim must get a real verdict from it, and the recorded
// C3 must show three waves.
func TestRenderRecordedRun(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	md, err := Render(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := Render(data); !bytes.Equal(md, again) {
		t.Fatal("Render is not deterministic")
	}
	f, err := load(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range catalog {
		d := f.claims[c.id]
		if d == nil {
			t.Errorf("%s: not in the recorded run", c.id)
			continue
		}
		v := settle(c.verdict(d), d)
		switch v.kind {
		case Confirmed, Refuted, Partly, Untestable:
		default:
			t.Errorf("%s: verdict %q (%s)", c.id, v.kind, v.why)
		}
		if !strings.Contains(string(md), "mpbench claims --only "+c.id+" --out DIR") {
			t.Errorf("%s: no reproduce command", c.id)
		}
	}
	for _, m := range []string{"spawn", "fork", "forkserver"} {
		if s, ok := f.claims["C3"].stat("task-times", "method", m, "chunksize", "default"); !ok || nearest(s.med, c3Models) != 3 {
			t.Errorf("recorded C3 method=%s: %.2f task times", m, s.med)
		}
	}
	if s, _ := f.claims["C7"].stat("deadlock", "case", "held", "method", "fork"); !s.all() {
		t.Errorf("recorded C7: fork deadlocked %s", s.count())
	}
}

// TestExperimentOfData: CLAIMS.md states the experiment that produced the
// data — C1 and C14 data recorded before the fork server's preload was a
// dimension keep their experiment text.
func TestExperimentOfData(t *testing.T) {
	c1, cl14 := lookup("C1"), lookup("C14")
	old1 := startup(&fixture{}, "C1", "0", 7e6, 5e6, 3e6)
	new1 := startup(&fixture{}, "C1", "0", 7e6, 5e6, 3e6).
		add("id=C1/workload=startup/impl=cpython/method=forkserver/preload=none/chan=pipe/rss=0/cores=2", "ns/op", spread(5e6)...)
	old14 := c14(map[string]string{"3.11": "fork"})
	new14 := c14cells(c14probe(map[string]string{"3.11": "fork"}), "cpython", "stub", 3e6, 15e6, 5e6)
	for _, tc := range []struct {
		c    *claim
		f    *fixture
		want string
	}{
		{c1, old1, c1.older}, {c1, new1, c1.experiment}, {cl14, old14, cl14.older}, {cl14, new14, cl14.experiment},
	} {
		if got := tc.c.experimentOf(tc.f.data(t, tc.c.id)); got != tc.want {
			t.Errorf("%s: experiment %q, want %q", tc.c.id, got, tc.want)
		}
	}
	if c1.experimentOf(nil) != c1.experiment {
		t.Error("a claim without data states the current experiment")
	}
}

// TestVerdictsMatchRender: Verdicts gives, per claim of the catalog, the
// verdict and the first reproduce command that CLAIMS.md shows.
func TestVerdictsMatchRender(t *testing.T) {
	md, err := Render([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := Verdicts([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(IDs()) {
		t.Fatalf("%d verdicts, want %d", len(vs), len(IDs()))
	}
	want := map[string]string{"C3": Confirmed, "C4": Failed, "C11": Untestable, "C1": NotRun}
	for i, v := range vs {
		if v.ID != IDs()[i] {
			t.Errorf("verdict %d is %s, want %s", i, v.ID, IDs()[i])
		}
		if w, ok := want[v.ID]; ok && v.Kind != w {
			t.Errorf("%s: kind %q, want %q", v.ID, v.Kind, w)
		}
		row := "| [" + v.ID + "](#" + strings.ToLower(v.ID) + ") | **" + v.Kind + "** |"
		if !strings.Contains(string(md), row) || len(v.Reproduce) == 0 || !strings.Contains(string(md), v.Reproduce[0]) {
			t.Errorf("%s: %q or %v not in CLAIMS.md", v.ID, row, v.Reproduce)
		}
	}
}

// TestQuotesAndRules: every claim rests on the guide's words, quoted
// verbatim — on docs/claims-source.md, and at the stated line of the
// guide's text where it is at hand (../shared/seed beside the checkout) —
// and CLAIMS.md prints each verdict's rule from verdicts.go (the claim's,
// or each part's).
func TestQuotesAndRules(t *testing.T) {
	doc, err := os.ReadFile("../../docs/claims-source.md")
	if err != nil {
		t.Fatal(err)
	}
	guide, _ := os.ReadFile("../../../shared/seed/000_606ccd5e86365205.txt")
	lines := strings.Split(string(guide), "\n")
	md, err := Render([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range catalog {
		if len(c.quotes) == 0 {
			t.Errorf("%s quotes nothing of the guide", c.id)
		}
		for _, q := range c.quotes {
			if !strings.Contains(string(doc), "- line "+strconv.Itoa(q.line)+", ") || !strings.Contains(string(doc), "> "+q.text+"\n") {
				t.Errorf("%s: line %d %q is not on docs/claims-source.md", c.id, q.line, q.text)
			}
			if q.en != "" && !strings.Contains(string(doc), "“"+q.en+"”") {
				t.Errorf("%s: the rendering %q is not on docs/claims-source.md", c.id, q.en)
			}
			if len(guide) > 0 && (q.line > len(lines) || !strings.Contains(lines[q.line-1], q.text)) {
				t.Errorf("%s: %q is not at line %d of the guide", c.id, q.text, q.line)
			}
			if !strings.Contains(string(md), q.text) {
				t.Errorf("%s: CLAIMS.md does not quote %q", c.id, q.text)
			}
		}
		if c.rule == "" {
			t.Errorf("%s has no rule", c.id)
		}
		if c.rule != "" && !strings.Contains(string(md), "**Rule.** "+c.rule+"\n") {
			t.Errorf("%s: CLAIMS.md does not print its rule", c.id)
		}
	}
	if len(guide) == 0 {
		t.Log("the guide's text is not at ../shared/seed: quotes checked against docs/claims-source.md only")
	}
}
