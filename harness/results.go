package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RawFile is the name of the results file inside a run folder.
const RawFile = "raw.bench"

// Status lines of cells that produced no (or not all) samples. They are
// written in the style of `go test` so that benchfmt readers (benchstat)
// ignore them and the report can show them.
const (
	skipPrefix = "--- SKIP: "
	failPrefix = "--- FAIL: "
)

// Results is an append-only raw.bench. Lines are only ever appended, each
// batch followed by fsync, so a crash loses at most the cell that was
// running; a torn last line (crash in the middle of a write) is cut off
// when the file is reopened for resuming.
type Results struct {
	f    *os.File
	Path string

	Config  map[string]string // configuration lines at the top
	Samples map[string]int    // samples recorded per benchmark name
	Skipped map[string]string // benchmark name → reason
	Failed  map[string]string // benchmark name → reason
}

// ErrExists reports an existing non-empty run folder without --resume.
var ErrExists = errors.New("exists")

// CreateResults starts a new run folder. It refuses a folder that exists
// and is not empty, and leaves it untouched.
func CreateResults(dir string, config []ConfigLine) (*Results, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("--out %s: %w and is not empty (use --resume to continue that run, or choose another folder)", dir, ErrExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--out %s: %v", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: %v", dir, err)
	}
	path := filepath.Join(dir, RawFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--out %s: %v", dir, err)
	}
	r := newResults(path)
	r.f = f
	var header []string
	for _, c := range config {
		r.Config[c.Key] = c.Value
		header = append(header, c.Key+": "+c.Value)
	}
	header = append(header, unitLines...)
	if err := r.Append(header...); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// unitLines tell benchstat which metrics are better when higher.
var unitLines = []string{
	"Unit MB/s better=higher",
	"Unit msgs/s better=higher",
	"Unit tasks/s better=higher",
	"Unit efficiency better=higher",
}

// OpenResults reopens an existing run folder for resuming: it reads what
// was recorded, cuts a torn last line, and positions for appending.
func OpenResults(dir string) (*Results, error) {
	r, torn, err := readResults(dir)
	if err != nil {
		return nil, fmt.Errorf("--resume: no run to resume in %s: %v", dir, err)
	}
	if torn >= 0 {
		// A torn line: the harness died in the middle of a write.
		if err := os.Truncate(r.Path, torn); err != nil {
			return nil, fmt.Errorf("--resume: cut torn last line of %s: %v", r.Path, err)
		}
	}
	r.f, err = os.OpenFile(r.Path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("--resume: %v", err)
	}
	return r, nil
}

// OpenResultsReadOnly reads the recorded state of a run folder without
// changing anything.
func OpenResultsReadOnly(dir string) (*Results, error) {
	r, _, err := readResults(dir)
	if err != nil {
		return nil, fmt.Errorf("no run in %s: %v", dir, err)
	}
	return r, nil
}

// readResults reads the state of DIR/raw.bench, ignoring a torn last line
// (torn is the length to cut the file to, or -1 when it ends cleanly).
func readResults(dir string) (r *Results, torn int64, err error) {
	path := filepath.Join(dir, RawFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, -1, err
	}
	r, torn = newResults(path), -1
	if i := bytes.LastIndexByte(data, '\n'); i+1 < len(data) {
		torn, data = int64(i+1), data[:i+1]
	}
	r.scan(data)
	return r, torn, nil
}

func newResults(path string) *Results {
	return &Results{Path: path, Config: map[string]string{},
		Samples: map[string]int{}, Skipped: map[string]string{}, Failed: map[string]string{}}
}

// scan reads the state of a raw.bench: config lines before the first
// result, samples per name, skipped and failed cells.
func (r *Results) scan(data []byte) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inHeader := true
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Benchmark"):
			inHeader = false
			if f := strings.Fields(line); len(f) > 0 {
				r.Samples[f[0]]++
			}
		case strings.HasPrefix(line, skipPrefix):
			name, reason := splitStatus(strings.TrimPrefix(line, skipPrefix))
			r.Skipped[name] = reason
		case strings.HasPrefix(line, failPrefix):
			name, reason := splitStatus(strings.TrimPrefix(line, failPrefix))
			r.Failed[name] = reason
		case inHeader:
			if k, v, ok := strings.Cut(line, ": "); ok && !strings.ContainsAny(k, " \t") {
				r.Config[k] = v
			}
		}
	}
}

func splitStatus(s string) (name, reason string) {
	name, reason, _ = strings.Cut(s, ": ")
	return name, reason
}

// Append writes lines and syncs them to disk before returning.
func (r *Results) Append(lines ...string) error {
	if len(lines) == 0 {
		return nil
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if _, err := r.f.WriteString(b.String()); err != nil {
		return fmt.Errorf("write %s: %v", r.Path, err)
	}
	if err := r.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %v", r.Path, err)
	}
	return nil
}

// RecordSamples appends a cell's validated result lines.
func (r *Results) RecordSamples(name string, lines []string) error {
	if err := r.Append(lines...); err != nil {
		return err
	}
	r.Samples[name] += len(lines)
	return nil
}

// RecordSkip appends a skip line for a cell that cannot run here.
func (r *Results) RecordSkip(name, reason string) error {
	if err := r.Append(skipPrefix + name + ": " + oneLine(reason)); err != nil {
		return err
	}
	r.Skipped[name] = reason
	return nil
}

// RecordFail appends a fail line for a cell that failed or timed out.
func (r *Results) RecordFail(name, reason string) error {
	if err := r.Append(failPrefix + name + ": " + oneLine(reason)); err != nil {
		return err
	}
	r.Failed[name] = reason
	return nil
}

// Close closes the file.
func (r *Results) Close() error { return r.f.Close() }
