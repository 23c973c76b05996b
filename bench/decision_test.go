package bench

import "testing"

func TestDecisions(t *testing.T) {
	tests := []struct {
		impl  string
		nproc int
		extra []int64
		cells int // DecisionCells, once each
	}{
		// startup 3×4 at rss 0 + fork/forkserver over pipe at 6 more rss
		// points (python: + the forkserver preloading nothing at each of
		// the 7, + main=stdlib under spawn, fork, forkserver with and
		// without preload); pool loop 3×4 + pool 3 + ppe 3 + loky-warm 1;
		// pingpong 3×4 at 64B; stream 3×4×5 sizes; gather 4 channels × 2
		// sizes (fork, nproc workers).
		{"cpython", 2, nil, 12 + 12 + 7 + 4 + 19 + 12 + 60 + 8},
		{"cpython", 16, []int64{300 << 20}, 12 + 14 + 8 + 4 + 19 + 12 + 60 + 8},
		{"cpython", 2, []int64{64 << 20}, 12 + 12 + 7 + 4 + 19 + 12 + 60 + 8}, // already a sweep point
		{"native", 4, nil, 12 + 12 + 12 + 12 + 60 + 8},                        // loop only, no program cells
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			cells := DecisionCells(tt.impl, tt.nproc, tt.extra)
			if len(cells) != tt.cells {
				t.Errorf("%d decision cells, want %d", len(cells), tt.cells)
			}
			seen := map[string]bool{}
			for _, c := range cells {
				if err := c.Validate(); err != nil {
					t.Error(err)
				}
				if seen[c.Name()] {
					t.Errorf("%s listed twice", c.Name())
				}
				seen[c.Name()] = true
				if c.Impl != tt.impl || c.Cores != tt.nproc {
					t.Errorf("%s: not impl=%s at cores=%d", c.Name(), tt.impl, tt.nproc)
				}
			}
			for _, d := range Decisions(tt.impl, tt.nproc, tt.extra) {
				if (len(d.Cells) == 0) != (d.Key == QThreads.Key) {
					t.Errorf("question %s has %d cells", d.Key, len(d.Cells))
				}
				for _, c := range d.Cells {
					if !seen[c.Name()] {
						t.Errorf("question %s: %s missing from DecisionCells", d.Key, c.Name())
					}
				}
			}
			for _, rss := range tt.extra {
				for _, m := range CrossoverMethods {
					c := Cell{Workload: "startup", Impl: tt.impl, Method: m, Chan: DecisionChan, RSS: rss, Cores: tt.nproc}
					if !seen[c.Name()] {
						t.Errorf("the sweep lacks the extra point %s", c.Name())
					}
				}
			}
		})
	}
	if len(Decisions("cpython", 2, nil)) != len(Questions) {
		t.Error("Decisions does not answer every question")
	}
}

func TestDecisionRSS(t *testing.T) {
	got := DecisionRSS([]int64{300 << 20, 0, 1 << 30})
	want := []int64{0, 64 << 20, 128 << 20, 256 << 20, 300 << 20, 512 << 20, 1 << 30, 2 << 30}
	if len(got) != len(want) {
		t.Fatalf("DecisionRSS = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("DecisionRSS = %v, want %v", got, want)
		}
	}
}

// TestAnswers: the answer cells are decision cells, question by question;
// they keep every question the decision cells answer, and leave out the
// coverage cells (other channels of the short-lived row, other methods of
// the message rows) and the dense points of the sweep.
func TestAnswers(t *testing.T) {
	tests := []struct {
		impl  string
		nproc int
		extra []int64
		cells int // AnswerCells, once each
	}{
		// startup 3 methods over DecisionChan at rss 0 (python: + the
		// forkserver preloading nothing), fork and forkserver (python: +
		// the bare forkserver) at the 2 other StartupRSS points, main=stdlib
		// 4 (python); pool as Decisions (19 python, 12 native); pingpong
		// 4 channels at fork; stream 4 channels × 5 sizes at fork; gather 8.
		{"cpython", 2, nil, 4 + 6 + 4 + 19 + 4 + 20 + 8},
		{"cpython", 16, []int64{300 << 20}, 4 + 9 + 4 + 19 + 4 + 20 + 8},
		{"cpython", 2, []int64{256 << 20}, 4 + 6 + 4 + 19 + 4 + 20 + 8}, // already a sweep point
		{"native", 4, nil, 3 + 4 + 12 + 4 + 20 + 8},
	}
	for _, tt := range tests {
		t.Run(tt.impl, func(t *testing.T) {
			cells := AnswerCells(tt.impl, tt.nproc, tt.extra)
			if len(cells) != tt.cells {
				t.Errorf("%d answer cells, want %d", len(cells), tt.cells)
			}
			decision := map[string]bool{}
			for _, c := range DecisionCells(tt.impl, tt.nproc, tt.extra) {
				decision[c.Name()] = true
			}
			seen := map[string]bool{}
			for _, c := range cells {
				if !decision[c.Name()] {
					t.Errorf("%s is not a decision cell", c.Name())
				}
				if seen[c.Name()] {
					t.Errorf("%s listed twice", c.Name())
				}
				seen[c.Name()] = true
			}
			answers, decisions := Answers(tt.impl, tt.nproc, tt.extra), Decisions(tt.impl, tt.nproc, tt.extra)
			if len(answers) != len(decisions) {
				t.Fatalf("%d questions answered, %d decided", len(answers), len(decisions))
			}
			for i, a := range answers {
				if a.Key != decisions[i].Key || (len(a.Cells) == 0) != (len(decisions[i].Cells) == 0) {
					t.Errorf("question %s: %d answer cells of %d decision cells", a.Key, len(a.Cells), len(decisions[i].Cells))
				}
				for _, c := range a.Cells {
					coverage := a.Key == QShortLived.Key && c.Chan != DecisionChan ||
						(a.Key == QSmallMessages.Key || a.Key == QLargeMessages.Key) && c.Method != DecisionMethod
					if coverage || !seen[c.Name()] {
						t.Errorf("question %s: %s (coverage %v, in AnswerCells %v)", a.Key, c.Name(), coverage, seen[c.Name()])
					}
				}
			}
			for _, rss := range AnswerRSS(tt.extra) {
				for _, m := range CrossoverMethods {
					if c := (Cell{Workload: "startup", Impl: tt.impl, Method: m, Chan: DecisionChan, RSS: rss, Cores: tt.nproc}); !seen[c.Name()] {
						t.Errorf("the sweep lacks %s", c.Name())
					}
				}
			}
		})
	}
}

func TestAnswerRSS(t *testing.T) {
	got := AnswerRSS([]int64{300 << 20, 0})
	want := []int64{0, 256 << 20, 300 << 20, 1 << 30}
	if len(got) != len(want) {
		t.Fatalf("AnswerRSS = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("AnswerRSS = %v, want %v", got, want)
		}
	}
}
