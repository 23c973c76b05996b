package report

// What `mpbench advise` reads of a run folder: the decision guide REPORT.md
// shows (the same Guide, computed by the same code) and the machine line.

// GuideOf loads the run folder dir and computes its decision guide. The
// Run it returns carries the status (skipped, failed) of every cell.
func GuideOf(dir string) (*Guide, *Run, error) {
	r, err := Load(dir, nil)
	if err != nil {
		return nil, nil, err
	}
	return newData([]*Run{r}).Guide(r), r, nil
}

// MachineLine is the one-line description of a run's machine: CPU, CPUs,
// kernel, interpreter version, host.
func MachineLine(r *Run) string { return machineLine(r) }

// Find returns the cell of the run with the given name (without the
// "Benchmark" prefix), or nil.
func (r *Run) Find(name string) *Cell {
	for _, c := range r.Cells {
		if c.Name == name {
			return c
		}
	}
	return nil
}
