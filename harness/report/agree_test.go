package report

import (
	"strings"
	"testing"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

func TestAgreeAnswers(t *testing.T) {
	fork, spawn := chosen("`fork`"), chosen("spawn")
	eq := Answer{Kind: EqualPair, Options: []string{"pipe", "queue"}}
	eq2 := Answer{Kind: EqualPair, Options: []string{"pipe", "shm"}}
	none := Answer{}
	tests := []struct {
		name string
		a, b Answer
		want Verdict
		why  string
	}{
		{"same choice", fork, chosen("fork"), Reproduced, "same answer: fork"},
		{"other choice", fork, spawn, NotReproduced, "A: fork; B: spawn"},
		{"both equal, same pair", eq, Answer{Kind: EqualPair, Options: []string{"pipe", "queue"}}, Reproduced, "same answer: pipe and queue equal within ±5%"},
		{"both equal, other pair", eq, eq2, NotReproduced, "A: pipe and queue equal within ±5%; B: pipe and shm equal within ±5%"},
		{"chosen vs equal", chosen("pipe"), eq, NotReproduced, "A: pipe; B: pipe and queue equal within ±5%"},
		{"equal vs chosen", eq, chosen("pipe"), NotReproduced, "A: pipe and queue equal within ±5%; B: pipe"},
		{"A undecided", none, fork, NotComparable, "A does not answer: see its choice"},
		{"B undecided", fork, none, NotComparable, "B does not answer: see its choice"},
		{"neither", none, none, NotComparable, "neither run answers: see their choices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, why := agreeAnswers(tt.a, tt.b, "A", "B")
			if v != tt.want || why != tt.why {
				t.Errorf("got %v, %q; want %v, %q", v, why, tt.want, tt.why)
			}
		})
	}
}

// TestAnswerOfMatchesChoose: a row's answer is what its choice text says
// (pick and choose on the outcomes of TestChooseOutcomes).
func TestAnswerOfMatchesChoose(t *testing.T) {
	steady := []float64{10, 10.1, 9.9, 10.05, 9.95, 10}
	scale := func(f float64, xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = f * x
		}
		return out
	}
	tests := []struct {
		name string
		a, b []float64
		want Answer
	}{
		{"clear winner", steady, scale(2, steady), chosen("a")},
		{"equal", steady, scale(1.01, steady), Answer{Kind: EqualPair, Options: []string{"a", "b"}}},
		{"bimodal", []float64{13.9, 13.6, 13.6, 50.5, 46.1, 13.7}, scale(3, steady), Answer{}},
		{"wide", []float64{6, 14, 9, 12, 8, 11}, []float64{7, 15, 10, 12.5, 8.5, 11.5}, Answer{}},
		{"five runs", steady[:5], scale(2, steady[:5]), Answer{}},
		{"one option", steady, nil, Answer{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []option{{"`a`", view.Summarize(tt.a)}}
			if tt.b != nil {
				opts = append(opts, option{"b", view.Summarize(tt.b)})
			}
			var row GuideRow
			row.setChoice(pick(opts, false))
			if row.Answer.String() != tt.want.String() || row.Answer.Kind != tt.want.Kind {
				t.Errorf("answer %v (%v), want %v; choice %q", row.Answer, row.Answer.Kind, tt.want, row.Choice)
			}
			// The choice text and the answer say the same.
			if got := strings.HasPrefix(row.Choice, "equal within"); got != (row.Answer.Kind == EqualPair) {
				t.Errorf("choice %q, answer kind %v", row.Choice, row.Answer.Kind)
			}
			if got := row.Choice == "`a`"; got != (row.Answer.Kind == Chosen) {
				t.Errorf("choice %q, answer kind %v", row.Choice, row.Answer.Kind)
			}
		})
	}
}

// TestCompareGuides: every question gets one verdict, in bench.Questions
// order; a question without a row is not comparable.
func TestCompareGuides(t *testing.T) {
	pub := &Guide{Rows: []GuideRow{
		{Key: bench.QShortLived.Key, Choice: "`fork`", Answer: chosen("fork")},
		{Key: bench.QSmallMessages.Key, Choice: "`shm`", Answer: chosen("shm")},
		{Key: bench.QThreads.Key, Choice: "not `fork`: `forkserver` or `spawn`", Answer: chosen("not `fork`: `forkserver` or `spawn`")},
	}}
	here := &Guide{Rows: []GuideRow{
		{Key: bench.QShortLived.Key, Choice: "`fork`", Answer: chosen("fork")},
		{Key: bench.QSmallMessages.Key, Choice: "`pipe`", Answer: chosen("pipe")},
		{Key: bench.QThreads.Key, Choice: "not measured in this run"},
	}}
	rows := CompareGuides(pub, here, "published", "this machine")
	if len(rows) != len(bench.Questions) {
		t.Fatalf("%d rows, want %d", len(rows), len(bench.Questions))
	}
	want := map[string]RowAgreement{
		bench.QShortLived.Key:    {A: "fork", B: "fork", Verdict: Reproduced, Why: "same answer: fork"},
		bench.QSmallMessages.Key: {A: "shm", B: "pipe", Verdict: NotReproduced, Why: "published: shm; this machine: pipe"},
		bench.QThreads.Key: {A: "not fork: forkserver or spawn", B: "not measured in this run", Verdict: NotComparable,
			Why: "this machine does not answer: see its choice"},
		bench.QBigParent.Key: {A: noRow, B: noRow, Verdict: NotComparable,
			Why: "neither run answers: see their choices"},
	}
	for i, r := range rows {
		if r.Question != bench.Questions[i] {
			t.Errorf("row %d is %q, want %q", i, r.Question.Key, bench.Questions[i].Key)
		}
		w, ok := want[r.Question.Key]
		if !ok {
			continue
		}
		if r.A != w.A || r.B != w.B || r.Verdict != w.Verdict || r.Why != w.Why {
			t.Errorf("%s: got %+v, want %+v", r.Question.Key, r, w)
		}
	}
	n := Tally(rows)
	if n[Reproduced] != 1 || n[NotReproduced] != 1 || n[NotComparable] != len(bench.Questions)-2 {
		t.Errorf("tally %v", n)
	}
}
