package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpbench/mpbench/internal/leakcheck"
)

// TestCheckedRun: run and claims end with the leak check; a leak is a
// warning line, and an error in CI unless the command failed already.
func TestCheckedRun(t *testing.T) {
	defer func(g time.Duration) { leakGrace = g }(leakGrace)
	sem := filepath.Join(leakcheck.ShmDir, fmt.Sprintf("sem.mpbench-clitest-%d-x", os.Getpid()))
	leak := func([]string) error { return os.WriteFile(sem, make([]byte, 32), 0o600) }
	clean := func([]string) error { return nil }
	interrupted := exitError{130, "interrupted"}
	cases := []struct {
		name    string
		cmd     func([]string) error
		ci      bool
		wantErr error // nil: none; errLeak: the leak's
		warn    bool
	}{
		{"clean", clean, true, nil, false},
		{"leak, not CI", leak, false, nil, true},
		{"leak, CI", leak, true, errLeak, true},
		{"leak after an interrupt, CI", func(a []string) error { leak(a); return interrupted }, true, interrupted, true},
		{"bad input is not checked", func(a []string) error { leak(a); return usagef("bad") }, true, usageError{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer os.Remove(sem)
			// A leak waits the whole grace period; a clean run returns at
			// once, and gets the default (what other programs create and
			// remove meanwhile is not counted).
			leakGrace = 0
			if c.warn {
				leakGrace = 300 * time.Millisecond
			}
			var stderr bytes.Buffer
			err := checkedRun(c.cmd, nil, c.ci, &stderr)
			switch {
			case c.wantErr == nil && err != nil, c.wantErr != nil && err == nil:
				t.Errorf("error %v, want %v", err, c.wantErr)
			case c.wantErr == errLeak && !strings.Contains(err.Error(), "leak check: 1 left behind (CI is set"):
				t.Errorf("error %v, want the leak's", err)
			case c.wantErr == interrupted && !errors.Is(err, interrupted):
				t.Errorf("error %v, want the command's own", err)
			}
			warned := strings.HasPrefix(stderr.String(), "mpbench: warning: left behind 1: semaphore "+sem+" (")
			if warned != c.warn {
				t.Errorf("stderr %q, want a warning: %v", stderr.String(), c.warn)
			}
		})
	}
}

var errLeak = errors.New("the leak")
