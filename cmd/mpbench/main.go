// Command mpbench measures process start-up and IPC costs of several
// implementations of multiprocessing primitives, and reports on them.
//
//	mpbench run     [selection flags] --out DIR [--resume]
//	mpbench list    [selection flags]
//	mpbench report  [--format md|text|csv|json] DIR [DIR...]
//	mpbench report  [--readme README.md] [--artifact ARTIFACT.md] DIR
//	mpbench compare [--by impl] OLD [NEW]
//	mpbench claims  --out DIR [--only C3,C7]
//	mpbench dimension [--doc docs/dimensioning.md] [--readme README.md] DIR
//	mpbench advise  [--time-budget 5m] [--python PATH] [--rss SIZE] [--format text|json] [--out DIR] [--resume]
//	mpbench verify  --against PUBLISHED [--time-budget 15m] [--python PATH] [--out DIR]
//	mpbench verify  --against PUBLISHED DIR
//
// Bad input gets one line on stderr and exit status 2; nothing is written.
// An interrupted run exits 130 (SIGINT) or 143 (SIGTERM) and can be resumed.
// run and claims end with a leak check: anything new in /dev/shm or any
// process of theirs still running is a warning line on stderr, and exit
// status 1 when $CI is set (leaks.go).
package main

import (
	"errors"
	"fmt"
	"os"

	// The implementations: each package registers its own (impl.Register).
	"github.com/mpbench/mpbench/impl/native"
	_ "github.com/mpbench/mpbench/impl/python"
)

func main() {
	native.ChildMain() // the hidden roles of native spawn children and forkserver
	os.Exit(exitCode(dispatch(os.Args[1:])))
}

// usageError is bad input: exit status 2.
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries a specific exit status (interrupted runs).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "mpbench: "+err.Error())
	var ee exitError
	var ue usageError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// dispatch runs the command named by args[0] with the rest of args.
func dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("missing command (run, list, report, compare, claims, advise, verify, dimension); see README.md")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return withLeakCheck(runCmd, rest)
	case "list":
		return listCmd(rest)
	case "report":
		return reportCmd(rest)
	case "compare":
		return compareCmd(rest)
	case "claims":
		return withLeakCheck(claimsCmd, rest)
	case "advise":
		return withLeakCheck(adviseCmd, rest)
	case "verify":
		return withLeakCheck(verifyCmd, rest)
	case "dimension":
		return dimensionCmd(rest)
	case "__native-cell":
		return native.CellMain(rest)
	case "help", "-h", "--help":
		fmt.Println("usage: mpbench run|list|report|compare|claims|advise|verify|dimension [flags]; see README.md")
		return nil
	}
	return usagef("unknown command %q (want run, list, report, compare, claims, advise, verify, dimension)", cmd)
}
