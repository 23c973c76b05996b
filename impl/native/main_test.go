package native

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/mpbench/mpbench/internal/leakcheck"
)

// testCellEnv makes the test binary act as the measured program (the body
// of `mpbench __native-cell`, with its exit status and stderr): the value
// is the argument list, separated by spaces.
const testCellEnv = "MPBENCH_NATIVE_TEST_CELL"

func TestMain(m *testing.M) {
	ChildMain()
	if args := os.Getenv(testCellEnv); args != "" {
		if err := CellMain(strings.Fields(args)); err != nil {
			fmt.Fprintf(os.Stderr, "mpbench: %v\n", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The tests fail when they leave a process, segment or semaphore.
	os.Exit(leakcheck.Main(m.Run, leakcheck.Options{}))
}

func runtimeGC() { runtime.GC() }

func syscallKill(pid int) { unix.Kill(pid, unix.SIGKILL) }
