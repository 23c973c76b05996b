package harness

import (
	"fmt"
	"math"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/rawbench"
)

// Parsed is the validated output of one measured program.
type Parsed struct {
	Lines      []string // result lines, as printed
	SkipReason string   // set when the program skipped the cell
}

// ParseOutput validates a measured program's stdout for cell c against
// the protocol of package impl: exactly count result lines under the
// cell's name with the workload's units and sane values, or one skip
// line. Any other output is an error naming what was wrong.
func ParseOutput(c bench.Cell, stdout []byte, count int) (Parsed, error) {
	name := c.Benchmark()
	var p Parsed
	text := strings.TrimRight(string(stdout), "\n")
	if reason, ok := strings.CutPrefix(text, rawbench.SkipPrefix+name+": "); ok && !strings.Contains(reason, "\n") {
		if p.SkipReason = strings.TrimSpace(reason); p.SkipReason == "" {
			return p, fmt.Errorf("skip line without a reason")
		}
		return p, nil
	}
	var lines []string
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, "\r")
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, name+" ") && !strings.HasPrefix(l, name+"\t") {
			return p, fmt.Errorf("unexpected output line %d: %q", i+1, clipText(l, 120))
		}
		lines = append(lines, l)
	}
	if len(lines) != count {
		return p, fmt.Errorf("printed %d result lines, want %d", len(lines), count)
	}
	r := benchfmt.NewReader(strings.NewReader(strings.Join(lines, "\n")+"\n"), name)
	n := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			return p, fmt.Errorf("malformed result line: %v", rec)
		case *benchfmt.Result:
			if err := checkResult(c, rec); err != nil {
				return p, fmt.Errorf("result %d: %w", n+1, err)
			}
			n++
		}
	}
	if err := r.Err(); err != nil {
		return p, err
	}
	if n != count {
		return p, fmt.Errorf("parsed %d results, want %d", n, count)
	}
	p.Lines = lines
	return p, nil
}

func checkResult(c bench.Cell, r *benchfmt.Result) error {
	if r.Iters < 1 {
		return fmt.Errorf("iterations %d < 1", r.Iters)
	}
	have := map[string]float64{}
	for _, v := range r.Values {
		unit, val := bench.Metric(v)
		if math.IsNaN(val) || math.IsInf(val, 0) || (val < 0 && !bench.Signed(unit)) {
			return fmt.Errorf("%s = %v is not a finite non-negative number", unit, val)
		}
		have[unit] = val
	}
	for _, u := range bench.RequiredUnits(c.Workload) {
		if _, ok := have[u]; !ok {
			return fmt.Errorf("missing metric %s", u)
		}
	}
	if have["ns/op"] <= 0 {
		return fmt.Errorf("ns/op must be > 0")
	}
	return nil
}
