package report

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mpbench/mpbench/harness/view"
)

// TestPublishedReportsRegenerate checks that every published run under
// results/ carries exactly the report its raw.bench produces: REPORT.md,
// tables/ and plots/ are regenerated into a temporary folder and compared
// byte for byte (`make report` must be a no-op on a clean checkout).
func TestPublishedReportsRegenerate(t *testing.T) {
	raws, _ := filepath.Glob("../../results/*/raw.bench")
	published := 0
	for _, raw := range raws {
		dir := filepath.Dir(raw)
		if _, err := os.Stat(filepath.Join(dir, "REPORT.md")); err != nil {
			continue // a scratch run without a committed report
		}
		published++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r, err := view.Load(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			errorf, fails := t.Errorf, 0
			if !r.PerRun {
				// A run recorded before program runs were marked: its
				// committed report is checked, but a difference is one
				// skip with a clear message, not a failure.
				errorf = func(format string, args ...any) { fails++; t.Logf(format, args...) }
				defer func() {
					if fails > 0 {
						t.Skipf("%s predates run markers (no `run:` lines): its format is older than the report code and its committed report "+
							"differs in %d files; regenerate it (`make report LATEST=%s`) or replace it by a run recorded with run markers", dir, fails, dir)
					}
				}()
			}
			out := t.TempDir()
			if err := Generate([]string{dir}, Options{OutDir: out}, nil); err != nil {
				t.Fatal(err)
			}
			err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(out, path)
				want, rerr := os.ReadFile(filepath.Join(dir, rel))
				if rerr != nil {
					errorf("%s: generated but not published", rel)
					return nil
				}
				got, _ := os.ReadFile(path)
				if !bytes.Equal(got, want) {
					errorf("%s: published file differs from what raw.bench produces (run `make report`)", rel)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// And nothing stale: every published table and figure is generated.
			for _, sub := range []string{"tables", "plots"} {
				files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
				for _, f := range files {
					if _, err := os.Stat(filepath.Join(out, sub, filepath.Base(f))); err != nil {
						errorf("%s/%s: published but no longer generated", sub, filepath.Base(f))
					}
				}
			}
		})
	}
	if published == 0 {
		t.Skip("no published run under results/")
	}
}

// TestHeadlineFiguresArePublished checks that every figure in plots/ (the
// ones README.md shows) is byte for byte a figure of a published run.
func TestHeadlineFiguresArePublished(t *testing.T) {
	figs, _ := filepath.Glob("../../plots/*.png")
	svgs, _ := filepath.Glob("../../plots/*.svg")
	for _, f := range append(figs, svgs...) {
		got, _ := os.ReadFile(f)
		matches, _ := filepath.Glob(filepath.Join("../../results/*/plots", filepath.Base(f)))
		found := false
		for _, m := range matches {
			if want, _ := os.ReadFile(m); bytes.Equal(got, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("plots/%s is not a figure of any published run (run `make figures`)", filepath.Base(f))
		}
	}
}
