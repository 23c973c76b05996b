package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mpbench/mpbench/internal/leakcheck"
)

// leakGrace is how long the end-of-command check waits for what is still
// going away (0: leakcheck.DefaultGrace; tests shorten it).
var leakGrace time.Duration

// inCI says whether a leak fails the command: $CI set to anything but
// "", "0" or "false" (CI services set CI=true).
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// withLeakCheck runs a command that starts measured programs (run,
// claims) between a snapshot of /dev/shm and the processes and a check
// against it: whatever the command left (package leakcheck) is one
// warning line on stderr, and an error (exit status 1) in CI when the
// command itself succeeded. Bad input starts nothing and is not checked.
func withLeakCheck(cmd func([]string) error, args []string) error {
	return checkedRun(cmd, args, inCI(), os.Stderr)
}

func checkedRun(cmd func([]string) error, args []string, ci bool, stderr io.Writer) error {
	s := leakcheck.Take()
	err := cmd(args)
	var ue usageError
	if errors.As(err, &ue) {
		return err
	}
	leaks := s.Check(leakcheck.Options{Grace: leakGrace})
	if len(leaks) == 0 {
		return err
	}
	fmt.Fprintf(stderr, "mpbench: warning: left behind %d: %s\n", len(leaks), leakcheck.Format(leaks))
	if ci && err == nil {
		return fmt.Errorf("leak check: %d left behind (CI is set: a leak fails the command)", len(leaks))
	}
	return err
}
