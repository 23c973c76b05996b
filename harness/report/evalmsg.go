package report

import (
	"fmt"
	"strings"

	"github.com/mpbench/mpbench/bench"
	"github.com/mpbench/mpbench/harness/view"
)

// The message questions of the evaluation: the round trip of a small
// message and the throughput of large ones, by channel.

func (d *Data) evalSmall(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	pp := view.Filter(onlyRun(d.workload(bench.Pingpong), r), func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	if len(pp) == 0 {
		return nil
	}
	size := presentInts(pp, func(c bench.Cell) int64 { return c.Size })[0]
	methods := present(bench.Methods, pp, func(c bench.Cell) string { return c.Method })
	m := prefer(methods, bench.DecisionMethod)
	chans := present(bench.Chans, pp, func(c bench.Cell) string { return c.Chan })
	cores := coresList(pp)
	at := func(ch, mm string, k int) view.Stats {
		return d.Stat(d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: mm, Chan: ch, Size: size, Cores: k}), "ns/op")
	}
	b := &evalBlock{V: map[string]string{"impl": g.Impl, "size": sizeLabel(size), "method": m, "cores": fmt.Sprint(g.Cores)}}
	b.Method = methodText(r, pp, fmt.Sprintf("ping-pong cells of %s (every size, method and core count)", g.Impl)) +
		fmt.Sprintf(" A sample is the mean round trip parent → child → parent of many messages; the table shows size=%s.", sizeLabel(size))
	b.fig = d.pickFigure(r, figs, bench.Pingpong, fmt.Sprintf("pingpong-latency-%s-cores%d", g.Impl, g.Cores))
	hdr := []string{rttName("ns/op")}
	for _, mm := range methods {
		hdr = append(hdr, fmt.Sprintf("%s, cores=%d", mm, g.Cores))
	}
	if cores[0] < g.Cores {
		hdr = append(hdr, fmt.Sprintf("%s, cores=%d", m, cores[0]))
	}
	var rows [][]string
	for _, ch := range chans {
		row := []string{ch}
		for _, mm := range methods {
			row = append(row, compact("ns/op", at(ch, mm, g.Cores)))
		}
		if cores[0] < g.Cores {
			row = append(row, compact("ns/op", at(ch, m, cores[0])))
		}
		rows = append(rows, row)
	}
	b.Table = mdTable(hdr, 1, rows)
	b.Findings = d.pingpongFindings(r)
	split, n := 0, 0
	for _, c := range pp {
		if c.Cell.Size == size && c.Has("ns/op") {
			n++
			if len(d.Stat(c, "ns/op").Modes) > 0 {
				split++
			}
		}
	}
	for _, ch := range chans {
		if s := at(ch, m, g.Cores); s.N > 0 {
			b.V[ch] = rttName("ns/op") + " " + plain("ns/op", s)
			if c := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: m, Chan: ch, Size: size, Cores: g.Cores}); c != nil {
				if cpu, ok := sumMetric(c, "user-ns/op", "sys-ns/op"); ok {
					b.V[ch+"CPU"] = bench.Format("ns/op", cpu)
				}
			}
		}
	}
	if cores[0] < g.Cores {
		for _, ch := range chans {
			// across CPU sets: the round trip of section Hosts and cores
			clo := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: m, Chan: ch, Size: size, Cores: cores[0]})
			chi := d.find(r, bench.Cell{Workload: bench.Pingpong, Impl: g.Impl, Method: m, Chan: ch, Size: size, Cores: g.Cores})
			u := rttUnit(clo, chi)
			if lo, hi := d.Stat(clo, u), d.Stat(chi, u); lo.N > 0 && hi.N > 0 {
				b.Change = append(b.Change, fmt.Sprintf("The CPU set: %s's %s at cores=%d is %s of cores=%d (method=%s).", ch, rttName(u), g.Cores, ratioCI(hi, lo), cores[0], m))
			}
		}
	}
	if split > 0 {
		b.Change = append(b.Change, fmt.Sprintf("Luck of placement: in %d of %d cells at %s the runs split into modes (two or more groups of runs far apart); a ranking that rests on such a cell can flip from one run to the next.", split, n, sizeLabel(size)))
	}
	b.Change = append(b.Change, "Message size: from some size on the copy dominates the hand-off (the next question).")
	return b
}

func (d *Data) evalLarge(r *view.Run, g *Guide, figs []*figure) *evalBlock {
	sc := view.Filter(onlyRun(d.workload(bench.Stream), r), func(c bench.Cell) bool { return c.Impl == g.Impl && c.Payload == "" })
	if len(sc) == 0 {
		return nil
	}
	sizes := presentInts(sc, func(c bench.Cell) int64 { return c.Size })
	m := prefer(present(bench.Methods, sc, func(c bench.Cell) string { return c.Method }), bench.DecisionMethod)
	chans := present(bench.Chans, sc, func(c bench.Cell) string { return c.Chan })
	at := func(ch string, size int64) view.Stats {
		return d.Stat(d.find(r, bench.Cell{Workload: bench.Stream, Impl: g.Impl, Method: m, Chan: ch, Size: size, Cores: g.Cores}), "MB/s")
	}
	b := &evalBlock{V: map[string]string{"impl": g.Impl, "method": m}}
	b.Method = methodText(r, sc, fmt.Sprintf("stream cells of %s (every size, method and core count)", g.Impl)) +
		fmt.Sprintf(" The parent sends messages back to back; the clock stops when the receiver has the last byte. The table shows method=%s, cores=%d, in bytes per second.", m, g.Cores)
	b.fig = d.pickFigure(r, figs, bench.Stream, fmt.Sprintf("stream-throughput-%s-cores%d", g.Impl, g.Cores))
	var rows [][]string
	var leads []string
	for _, size := range sizes {
		row := []string{sizeLabel(size)}
		var opts []option
		for _, ch := range chans {
			s := at(ch, size)
			row = append(row, compact("MB/s", s))
			if s.N > 0 {
				opts = append(opts, option{ch, s})
			}
		}
		lead := leadOf(opts, true)
		leads = append(leads, lead)
		rows = append(rows, append(row, lead))
	}
	b.Table = mdTable(append(append([]string{"size"}, chans...), "fastest (where the ratio decides)"), 1, rows)
	b.Findings = d.streamFindings(r)
	if s := at("shm", sizes[len(sizes)-1]); s.N > 0 && len(sizes) > 1 {
		peak, peakAt := view.Stats{}, int64(0)
		for _, size := range sizes {
			if x := at("shm", size); x.N > 0 && x.Median > peak.Median {
				peak, peakAt = x, size
			}
		}
		b.V["shmPeak"], b.V["shmPeakSize"] = plain("MB/s", peak), sizeLabel(peakAt)
		b.V["shmBig"], b.V["bigSize"] = plain("MB/s", s), sizeLabel(sizes[len(sizes)-1])
		if peakAt != sizes[len(sizes)-1] {
			b.V["shmDrop"] = ratioCI(peak, s)
		}
	}
	var flips []string
	for i := 1; i < len(leads); i++ {
		if leads[i] != leads[i-1] {
			flips = append(flips, fmt.Sprintf("%s → %s: %s → %s", sizeLabel(sizes[i-1]), sizeLabel(sizes[i]), leads[i-1], leads[i]))
		}
	}
	if len(flips) > 0 {
		b.Change = append(b.Change, "Message size: the answer changes between adjacent sizes at "+strings.Join(flips, "; ")+".")
	}
	b.Change = append(b.Change, "A ready-made buffer: `shm` is this project's ring, not a stdlib channel; a program gets its speed only by writing such a ring over `multiprocessing.shared_memory` itself (and a tensor sent with torch's reductions is moved to shared memory once, then passed by handle).")
	return b
}
