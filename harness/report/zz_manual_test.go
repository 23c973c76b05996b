package report

import (
	"os"
	"testing"
)

func TestManualGen(t *testing.T) {
	dir := os.Getenv("MPB_DIR")
	if dir == "" {
		t.Skip()
	}
	if err := Generate([]string{dir}, Options{Warn: os.Stderr}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}
