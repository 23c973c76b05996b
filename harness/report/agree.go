package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/stats"
)

// Agreement of two decision guides, question by question (`mpbench
// verify`): does a second run give the answer of the first?
//
// A guide row's Answer is one of three kinds: an option chosen (the ratio
// of its run medians to the runner-up's decides, as pick does), the two
// best options equal within ±stats.EqualBand, or no answer (not decided,
// no CI, one option measured, not measured, or no row at all). Two rows
// agree on the answer, not on costs or flips:
//
//   - reproduced: both choose the same option, or both find the same two
//     options equal within ±5%;
//   - not reproduced: both answer, and not alike (another option, or
//     chosen in one run and equal in the other);
//   - not comparable: either run has no answer; its choice says why.

// AnswerKind is the kind of a guide row's answer.
type AnswerKind int

// The kinds of answers.
const (
	NoAnswer  AnswerKind = iota // not decided, no CI, one option, not measured
	Chosen                      // one option, decided
	EqualPair                   // the two best options, equal within ±5%
)

// Answer is a guide row's choice in the form two guides are compared by.
type Answer struct {
	Kind    AnswerKind
	Options []string // Chosen: the option; EqualPair: the two, sorted; plain text (no backticks)
}

// answerOf is the answer of a choice made by pick (as choose states it).
func answerOf(best, second *option, decided bool) Answer {
	switch {
	case decided:
		return chosen(best.label)
	case second != nil && effect(best.s, second.s).Outcome == stats.Equal:
		pair := []string{plainText(best.label), plainText(second.label)}
		sort.Strings(pair)
		return Answer{Kind: EqualPair, Options: pair}
	}
	return Answer{}
}

// chosen is the answer that names one option (or a choice stated as text).
func chosen(choice string) Answer {
	return Answer{Kind: Chosen, Options: []string{plainText(choice)}}
}

// setChoice sets a row's choice (choose) and its answer.
func (row *GuideRow) setChoice(best, second *option, decided bool) {
	row.Choice = choose(best, second, decided)
	row.Answer = answerOf(best, second, decided)
}

// plainText is s without the backticks of inline code.
func plainText(s string) string { return strings.ReplaceAll(s, "`", "") }

// Verdict is the agreement of two answers to one question.
type Verdict int

// The verdicts.
const (
	Reproduced Verdict = iota
	NotReproduced
	NotComparable
)

func (v Verdict) String() string {
	return [...]string{"reproduced", "not reproduced", "not comparable"}[v]
}

// RowAgreement is one question of two guides compared.
type RowAgreement struct {
	Question bench.Question
	A, B     string // each guide's choice as it states it, plain text ("no row …" without one)
	Verdict  Verdict
	Why      string
}

// noRow is the choice text of a question a guide has no row for.
const noRow = "no row: the guide has no samples to answer it from"

// CompareGuides compares guide b with guide a for every question of
// bench.Questions, in order; nameA and nameB name the runs in the whys.
func CompareGuides(a, b *Guide, nameA, nameB string) []RowAgreement {
	var out []RowAgreement
	for _, q := range bench.Questions {
		ra, rb := rowOf(a, q.Key), rowOf(b, q.Key)
		v, why := agreeAnswers(ra.Answer, rb.Answer, nameA, nameB)
		out = append(out, RowAgreement{Question: q, A: ra.Choice, B: rb.Choice, Verdict: v, Why: why})
	}
	return out
}

// rowOf is the guide's row of a question, its choice in plain text; a
// row with Choice noRow when the guide has none.
func rowOf(g *Guide, key string) GuideRow {
	for _, r := range g.Rows {
		if r.Key == key {
			r.Choice = plainText(r.Choice)
			return r
		}
	}
	return GuideRow{Key: key, Choice: noRow}
}

// agreeAnswers is the verdict on two answers to one question and why
// (nameA, nameB: how the why names the runs).
func agreeAnswers(a, b Answer, nameA, nameB string) (Verdict, string) {
	switch {
	case a.Kind == NoAnswer && b.Kind == NoAnswer:
		return NotComparable, "neither run answers: see their choices"
	case a.Kind == NoAnswer:
		return NotComparable, nameA + " does not answer: see its choice"
	case b.Kind == NoAnswer:
		return NotComparable, nameB + " does not answer: see its choice"
	case a.Kind == b.Kind && slices.Equal(a.Options, b.Options):
		return Reproduced, "same answer: " + a.String()
	}
	return NotReproduced, fmt.Sprintf("%s: %s; %s: %s", nameA, a, nameB, b)
}

// String is the answer in a few words: the option chosen, or "a and b
// equal within ±5%" ("no answer" for none).
func (a Answer) String() string {
	switch a.Kind {
	case EqualPair:
		return fmt.Sprintf("%s equal within ±%.0f%%", strings.Join(a.Options, " and "), stats.EqualBand*100)
	case Chosen:
		return strings.Join(a.Options, ", ")
	}
	return "no answer"
}

// Tally counts the rows of each verdict.
func Tally(rows []RowAgreement) map[Verdict]int {
	n := map[Verdict]int{}
	for _, r := range rows {
		n[r.Verdict]++
	}
	return n
}
