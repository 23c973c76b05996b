package rawbench

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// ErrNotEmpty is returned by Create (and CheckFresh) for a folder that
// exists and is not empty: a new run never mixes with another.
var ErrNotEmpty = errors.New("exists and is not empty")

// Writer appends to a results file. Every append is one write followed by
// fsync, so a crash loses at most the program run in progress; what was
// recorded is never rewritten or reordered. Its File is the state of the
// file, kept up to date with what the writer appends.
type Writer struct {
	f    *os.File
	File *File
}

// CheckFresh checks that dir can hold a new run: it does not exist or is
// empty, and the nearest existing parent is a writable folder. It writes
// nothing.
func CheckFresh(dir string) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s %w", dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Clean(dir)
	for {
		if _, err := os.Stat(parent); err == nil || parent == filepath.Dir(parent) {
			break
		}
		parent = filepath.Dir(parent)
	}
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return fmt.Errorf("%s: %s is not a folder", dir, parent)
	}
	if err := unix.Access(parent, unix.W_OK); err != nil {
		return fmt.Errorf("%s: parent folder %s is not writable", dir, parent)
	}
	return nil
}

// Create starts a new run folder: DIR/raw.bench with a header of
// configuration lines and Unit lines. It refuses a folder that exists and
// is not empty (ErrNotEmpty), and then leaves it untouched.
func Create(dir string, config []KV, unitLines []string) (*Writer, error) {
	if err := CheckFresh(dir); err != nil {
		return nil, err
	}
	return CreateFile(filepath.Join(dir, RawFile), config, unitLines)
}

// CreateFile starts a new results file at path (e.g. claims.bench next to
// a run's raw.bench), creating its folder; it refuses an existing file.
func CreateFile(path string, config []KV, unitLines []string) (*Writer, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, File: newFile(path)}
	var header []string
	for _, c := range config {
		header = append(header, configText(c))
	}
	header = append(header, unitLines...)
	if err := w.Append(header...); err != nil {
		f.Close()
		return nil, err
	}
	w.File, _ = Parse([]byte(strings.Join(header, "\n")+"\n"), name)
	w.File.Path = path
	return w, nil
}

// Resume reopens an existing results file for appending: it reads what
// was recorded and cuts a torn last line.
func Resume(path string) (*Writer, error) {
	f, err := Read(path)
	if err != nil {
		return nil, err
	}
	if f.Torn >= 0 {
		if err := os.Truncate(path, f.Torn); err != nil {
			return nil, fmt.Errorf("cut the torn last line of %s: %w", path, err)
		}
		f.Torn = -1
	}
	fd, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return &Writer{f: fd, File: f}, nil
}

// Append writes lines and syncs them to disk before returning. It does
// not update File: use the Record methods for samples and status lines.
func (w *Writer) Append(lines ...string) error {
	if len(lines) == 0 {
		return nil
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if _, err := w.f.WriteString(b.String()); err != nil {
		return fmt.Errorf("write %s: %w", w.File.Path, err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", w.File.Path, err)
	}
	return nil
}

func configText(kv KV) string {
	if kv.Value == "" {
		return kv.Key + ":"
	}
	return kv.Key + ": " + OneLine(kv.Value)
}

// Config appends configuration lines (a block: they apply to what
// follows). An empty value writes "key:", which benchfmt readers take as
// deleting the key from what follows.
func (w *Writer) Config(kvs ...KV) error {
	var lines []string
	for _, kv := range kvs {
		lines = append(lines, configText(kv))
	}
	if err := w.Append(lines...); err != nil {
		return err
	}
	for _, kv := range kvs {
		if w.File.ConfigValue(kv.Key) == "" && kv.Key != RunKey && kv.Value != "" {
			w.File.Config = append(w.File.Config, KV{kv.Key, OneLine(kv.Value)})
		}
	}
	return nil
}

// RecordRun appends one program run of a cell: `run: k` (k = the cell's
// next run index) and its result lines, in one append. It returns k.
func (w *Writer) RecordRun(name string, lines []string) (int, error) {
	return w.RecordRunWall(name, lines, 0)
}

// RecordRunWall is RecordRun with the program run's wall time, appended
// as its WALL line in the same append (none when wall is 0).
func (w *Writer) RecordRunWall(name string, lines []string, wall time.Duration) (int, error) {
	if wall < 0 {
		return 0, fmt.Errorf("negative wall time %v", wall)
	}
	samples, err := ParseSamples(lines)
	if err != nil {
		return 0, err
	}
	c := w.File.cell(name, 0)
	k := 1
	for _, r := range c.Runs {
		k = max(k, r.K+1)
	}
	block := append([]string{RunKey + ": " + strconv.Itoa(k)}, lines...)
	if wall > 0 {
		block = append(block, WallPrefix+statusName(name)+": "+wallText(k, wall))
	}
	if err := w.Append(block...); err != nil {
		return 0, err
	}
	w.File.HasRuns = true
	for i, s := range samples {
		s.Line = 0 // not known without rereading the file
		w.File.add(c, k, s, unitsOf(lines[i]))
	}
	if wall > 0 && len(samples) > 0 {
		w.File.runIdx[c][k].Wall = wall
	}
	return k, nil
}

// SampleLine writes s as a result line of name (with or without the
// "Benchmark" prefix), its metrics in the order of units (a unit s has no
// value for is left out); values keep their full precision, so the line
// parses back to s.
func SampleLine(name string, units []string, s Sample) string {
	var b strings.Builder
	b.WriteString(statusName(name) + " " + strconv.Itoa(s.Iters))
	for _, u := range units {
		if v, ok := s.Values[u]; ok {
			b.WriteString(" " + strconv.FormatFloat(v, 'g', -1, 64) + " " + u)
		}
	}
	return b.String()
}

// unitsOf lists the units of a result line in printed order.
func unitsOf(line string) []string {
	f := strings.Fields(line)
	var out []string
	for i := 3; i < len(f); i += 2 {
		out = append(out, f[i])
	}
	return out
}

func statusName(name string) string {
	if !strings.HasPrefix(name, "Benchmark") {
		return "Benchmark" + name
	}
	return name
}

// RecordSkip appends a SKIP line for a cell.
func (w *Writer) RecordSkip(name, reason string) error {
	reason = OneLine(reason)
	if err := w.Append(SkipPrefix + statusName(name) + ": " + reason); err != nil {
		return err
	}
	if c := w.File.cell(name, 0); !c.skipped {
		c.skipped, c.Skip = true, reason
	}
	return nil
}

// RecordFail appends a FAIL line for a cell.
func (w *Writer) RecordFail(name, reason string) error {
	reason = OneLine(reason)
	if err := w.Append(FailPrefix + statusName(name) + ": " + reason); err != nil {
		return err
	}
	if c := w.File.cell(name, 0); !c.failed {
		c.failed, c.Fail = true, reason
	}
	return nil
}

// RecordNote appends a NOTE line about a cell, or about the run when
// name is "".
func (w *Writer) RecordNote(name, text string) error {
	text = OneLine(text)
	if name == "" {
		if err := w.Append(NotePrefix + text); err != nil {
			return err
		}
		w.File.Notes = append(w.File.Notes, text)
		return nil
	}
	if err := w.Append(NotePrefix + statusName(name) + ": " + text); err != nil {
		return err
	}
	c := w.File.cell(name, 0)
	c.Notes = append(c.Notes, text)
	return nil
}

// Close closes the file.
func (w *Writer) Close() error { return w.f.Close() }
