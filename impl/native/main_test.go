package native

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) {
	ChildMain()
	os.Exit(m.Run())
}

func runtimeGC() { runtime.GC() }

func syscallKill(pid int) { unix.Kill(pid, unix.SIGKILL) }
