package report

import (
	"bytes"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// pt is one plotted point: y with its confidence interval [lo, hi]
// (NaN when unknown); rng marks [lo, hi] as the range of the run medians
// of a cell with too few runs for a CI, drawn dashed without caps.
type pt struct {
	x, y, lo, hi float64
	rng          bool
}

// series is one line (or set of points) of a panel.
type series struct {
	name   string
	color  int // palette index
	dash   int // 0 solid, else plotutil.Dashes(dash)
	shape  int
	pts    []pt
	noLine bool // points with whiskers only (categorical plots)
}

// panel is one plot of a figure.
type panel struct {
	title          string
	xlabel, ylabel string
	logX, logY     bool
	xticks         []plot.Tick // nil: automatic
	xmin, xmax     float64     // used when xticks is set
	rotateX        bool
	series         []series
	legendBottom   bool
	hlines         []float64 // horizontal reference lines (efficiency = 1)
	ideal          *series   // a reference line drawn dashed grey (ideal scaling)
	ideals         []series  // more such lines, each in its series' dash (ideal per cores)
	marks          []vmark   // vertical markers (a crossover with its CI)
	note           string    // drawn in the data area (a panel without data says why)
}

// vmark is a vertical reference at x with an optional band [lo, hi];
// style 0 draws the line dashed, 1 dotted, 2 dash-dot (a second and
// third marker); color is a palette index, or black when negative.
type vmark struct {
	x, lo, hi float64
	label     string
	style     int
	color     int
}

// figure is one output file (SVG and PNG) made of panels in a grid.
type figure struct {
	name    string // plots/<name>.svg, .png
	title   string
	caption string
	cols    int
	panels  []panel
	// sharedLegend: every panel plots the same series, so only the first
	// panel's legend is drawn (right of the first row).
	sharedLegend bool
	// ownY: each panel keeps its own y range (panels of different
	// questions); otherwise panels with the same y label share one.
	ownY bool
}

const (
	panelW  = 4.6 * vg.Inch
	panelH  = 3.4 * vg.Inch
	titleH  = 0.45 * vg.Inch
	minFigW = 8 * vg.Inch
	dpi     = 96
)

func (f *figure) size() (vg.Length, vg.Length) {
	cols := f.cols
	if cols <= 0 || cols > len(f.panels) {
		cols = len(f.panels)
	}
	rows := (len(f.panels) + cols - 1) / cols
	w := vg.Length(cols) * (panelW + f.legendW())
	if f.sharedLegend {
		w = vg.Length(cols)*panelW + f.legendW()
	}
	if tw := vg.Length(float64(len([]rune(f.title)))*0.105+0.4) * vg.Inch; w < tw {
		w = tw
	}
	if w < minFigW {
		w = minFigW
	}
	return w, vg.Length(rows)*panelH + titleH
}

// embedSVGFonts: gonum can embed the Liberation fonts in every SVG
// (≈ 0.5 MB per file). We do not: the SVGs name the font family and
// viewers without it substitute a sans-serif face; the PNGs (embedded in
// REPORT.md) are rasterised with the real fonts.
const embedSVGFonts = false

func init() {
	// Sans-serif reads better at embedded size than the default serif.
	plot.DefaultFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
}

// render draws the figure and returns the SVG and PNG bytes.
func (f *figure) render() (svg, png []byte, err error) {
	w, h := f.size()
	sc := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(embedSVGFonts))
	if err := f.draw(draw.New(sc)); err != nil {
		return nil, nil, err
	}
	var sb bytes.Buffer
	if _, err := sc.WriteTo(&sb); err != nil {
		return nil, nil, err
	}
	ic := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	if err := f.draw(draw.New(ic)); err != nil {
		return nil, nil, err
	}
	var pb bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: ic}).WriteTo(&pb); err != nil {
		return nil, nil, err
	}
	return sb.Bytes(), pb.Bytes(), nil
}

// legendW is the width of the legend strip right of every panel: the
// legend lives outside the data area.
func (f *figure) legendW() vg.Length {
	n := 0
	for _, p := range f.panels {
		for _, s := range p.series {
			n = max(n, len([]rune(s.name)))
		}
		for _, m := range p.marks {
			n = max(n, len([]rune(m.label)))
		}
		for _, id := range p.allIdeals() {
			n = max(n, len([]rune(id.name)))
		}
	}
	if n == 0 {
		return 0
	}
	return vg.Length(float64(n)*0.078+0.55) * vg.Inch
}

func (f *figure) draw(dc draw.Canvas) error {
	cols := f.cols
	if cols <= 0 || cols > len(f.panels) {
		cols = len(f.panels)
	}
	rows := (len(f.panels) + cols - 1) / cols
	// Title band.
	ts := draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, 14), XAlign: text.XCenter, YAlign: text.YTop, Handler: plot.DefaultTextHandler}
	dc.FillText(ts, vg.Point{X: dc.Min.X + (dc.Max.X-dc.Min.X)/2, Y: dc.Max.Y - 0.1*vg.Inch}, f.title)
	body := draw.Crop(dc, 0, 0, 0, -titleH)

	plots := make([]*plot.Plot, len(f.panels))
	legends := make([]plot.Legend, len(f.panels))
	for i := range f.panels {
		p, err := f.panels[i].plot()
		if err != nil {
			return err
		}
		legends[i] = p.Legend
		p.Legend = plot.NewLegend()
		plots[i] = p
	}
	// Panels with the same y label share one y range, so that the eye
	// can compare them.
	for i := range f.panels {
		for j := range f.panels {
			if !f.ownY && f.panels[i].ylabel == f.panels[j].ylabel && f.panels[i].logY == f.panels[j].logY && len(f.panels[j].series) > 0 {
				plots[i].Y.Min, plots[i].Y.Max = math.Min(plots[i].Y.Min, plots[j].Y.Min), math.Max(plots[i].Y.Max, plots[j].Y.Max)
			}
		}
	}
	lw := f.legendW()
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 4, PadX: 8, PadY: 14}
	area, tileLW := body, lw
	if f.sharedLegend && lw > 0 {
		// One legend right of the grid, level with the first row.
		area, tileLW = draw.Crop(body, 0, -lw, 0, 0), 0
		top := tiles.At(body, 0, 0)
		lc := draw.Crop(body, body.Max.X-body.Min.X-lw+6, 0, top.Min.Y-body.Min.Y, -0.3*vg.Inch)
		leg := legends[0]
		leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, 0, 0
		leg.Draw(lc)
	}
	for i, p := range plots {
		c := tiles.At(area, i%cols, i/cols)
		p.Draw(draw.Crop(c, 0, -tileLW, 0, 0))
		if tileLW > 0 {
			lc := draw.Crop(c, c.Max.X-c.Min.X-lw+6, 0, 0, -0.3*vg.Inch)
			leg := legends[i]
			leg.Top, leg.Left, leg.XOffs, leg.YOffs = true, true, 0, 0
			leg.Draw(lc)
		}
	}
	return nil
}

// errPts adapts points to plotter.XYer and plotter.YErrorer.
type errPts []pt

func (e errPts) Len() int                    { return len(e) }
func (e errPts) XY(i int) (float64, float64) { return e[i].x, e[i].y }
func (e errPts) YError(i int) (float64, float64) {
	p := e[i]
	if math.IsNaN(p.lo) || math.IsNaN(p.hi) || math.IsInf(p.lo, 0) || math.IsInf(p.hi, 0) {
		return 0, 0
	}
	return p.y - p.lo, p.hi - p.y
}

func (pn *panel) plot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.title
	p.Title.TextStyle.Font.Size = 12
	p.X.Label.Text = pn.xlabel
	p.Y.Label.Text = pn.ylabel
	p.X.Label.TextStyle.Font.Size = 11
	p.Y.Label.TextStyle.Font.Size = 11
	p.X.Tick.Label.Font.Size = 10
	p.Y.Tick.Label.Font.Size = 10
	p.Legend.TextStyle.Font.Size = 10
	p.Legend.Top = !pn.legendBottom
	p.Legend.Left = true
	p.Legend.XOffs = 6
	p.Legend.YOffs = -4
	if pn.legendBottom {
		p.Legend.YOffs = 4
	}
	p.Add(plotter.NewGrid())

	ymin, ymax := math.Inf(1), math.Inf(-1)
	xmin, xmax := math.Inf(1), math.Inf(-1)
	anyRange := false
	for _, s := range pn.series {
		var pts errPts
		for _, q := range s.pts {
			if math.IsNaN(q.y) || (pn.logY && q.y <= 0) || (pn.logX && q.x <= 0) {
				continue
			}
			if pn.logY && !math.IsNaN(q.lo) && q.lo <= 0 {
				q.lo = q.y
			}
			pts = append(pts, q)
			lo, hi := q.y, q.y
			if l, h := (errPts{q}).YError(0); l != 0 || h != 0 {
				lo, hi = q.y-l, q.y+h
			}
			ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
			xmin, xmax = math.Min(xmin, q.x), math.Max(xmax, q.x)
		}
		if len(pts) == 0 {
			continue
		}
		r, err := addSeries(p, s, pts)
		if err != nil {
			return nil, err
		}
		anyRange = anyRange || r
	}
	if anyRange {
		ln := &plotter.Line{LineStyle: draw.LineStyle{Color: refGrey, Width: vg.Points(1), Dashes: rangeDashes}}
		p.Legend.Add("range (< "+strconv.Itoa(MinRuns)+" runs: no CI)", ln)
	}
	if math.IsInf(ymin, 1) {
		pn.drawNote(p)
		return p, nil
	}
	ymin, ymax = pn.setAxes(p, ymin, ymax, xmin, xmax)
	if err := pn.references(p, ymin, ymax); err != nil {
		return nil, err
	}
	if pn.rotateX {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return p, nil
}

// setAxes sets the panel's axes from the data's y range [ymin, ymax]
// (widened over the reference lines) and x range, and returns the y range
// drawn.
func (pn *panel) setAxes(p *plot.Plot, ymin, ymax, xmin, xmax float64) (float64, float64) {
	for _, h := range pn.hlines {
		ymin, ymax = math.Min(ymin, h), math.Max(ymax, h)
	}
	for _, id := range pn.allIdeals() {
		for _, q := range id.pts {
			ymin, ymax = math.Min(ymin, q.y), math.Max(ymax, q.y)
		}
	}
	// Fit the y range to the data and its CIs, with a small margin.
	if pn.logY {
		if ymax/ymin < 2 {
			c := math.Sqrt(2 / (ymax / ymin))
			ymin, ymax = ymin/c, ymax*c
		}
		ymin, ymax = ymin/1.15, ymax*1.15
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	} else {
		span := ymax - ymin
		if span == 0 {
			span = math.Max(math.Abs(ymax), 1) * 0.2
		}
		if ymin >= 0 && ymin < 0.35*ymax {
			ymin = 0
		} else {
			ymin -= 0.06 * span
		}
		ymax += 0.06 * span
	}
	p.Y.Min, p.Y.Max = ymin, ymax
	if pn.logX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
		p.X.Min, p.X.Max = xmin/1.6, xmax*1.6
	}
	if pn.xticks != nil {
		p.X.Tick.Marker = plot.ConstantTicks(pn.xticks)
		p.X.Min, p.X.Max = pn.xmin, pn.xmax
	}
	return ymin, ymax
}

// addSeries draws one series' points (marker, line, whiskers: CIs with
// caps, ranges dashed) and its legend entry; it reports whether a whisker
// is a range.
func addSeries(p *plot.Plot, s series, pts errPts) (bool, error) {
	col := paletteColor(s.color)
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return false, err
	}
	sc.GlyphStyle.Color = col
	sc.GlyphStyle.Shape = plotutil.Shape(s.shape)
	sc.GlyphStyle.Radius = vg.Points(3)
	var thumbs []plot.Thumbnailer
	if !s.noLine && distinctX(pts) > 1 {
		ln, err := plotter.NewLine(pts)
		if err != nil {
			return false, err
		}
		ln.LineStyle.Color = col
		ln.LineStyle.Width = vg.Points(1.5)
		if s.dash > 0 {
			ln.LineStyle.Dashes = plotutil.Dashes(s.dash)
		}
		p.Add(ln)
		thumbs = append(thumbs, ln)
	}
	ci, rng := splitRanges(pts)
	for _, e := range []errPts{ci, rng} {
		if len(e) == 0 {
			continue
		}
		eb, err := plotter.NewYErrorBars(e)
		if err != nil {
			return false, err
		}
		eb.LineStyle.Color = col
		eb.LineStyle.Width = vg.Points(1)
		eb.CapWidth = vg.Points(5)
		if e[0].rng {
			eb.LineStyle.Dashes, eb.CapWidth = rangeDashes, 0
		}
		p.Add(eb)
	}
	p.Add(sc)
	thumbs = append(thumbs, sc)
	p.Legend.Add(s.name, thumbs...)
	return len(rng) > 0, nil
}

// logTicks are plot.LogTicks that also label the 2× and 5× minor ticks
// when the axis spans less than three decades (otherwise a short axis
// may show a single labelled tick).
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	if math.Log10(max/min) >= 3 {
		return ticks
	}
	for i, t := range ticks {
		if t.Label != "" {
			continue
		}
		e := math.Pow(10, math.Floor(math.Log10(t.Value)))
		m := math.Round(t.Value / e)
		if (m == 2 || m == 5) && math.Abs(t.Value/e-m) < 1e-6 {
			ticks[i].Label = strconv.FormatFloat(m*e, 'f', -1, 64)
		}
	}
	return ticks
}

func distinctX(pts errPts) int {
	seen := map[float64]bool{}
	for _, q := range pts {
		seen[q.x] = true
	}
	return len(seen)
}

var refGrey = color.Gray{Y: 110}

// references draws the panel's reference lines: horizontal lines
// (efficiency = 1), the ideal-scaling series, vertical markers with a
// shaded interval (a crossover with its CI).
func (pn *panel) references(p *plot.Plot, ymin, ymax float64) error {
	for _, h := range pn.hlines {
		ln, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: h}, {X: p.X.Max, Y: h}})
		if err != nil {
			return err
		}
		ln.LineStyle.Color, ln.LineStyle.Width, ln.LineStyle.Dashes = refGrey, vg.Points(1.2), []vg.Length{vg.Points(6), vg.Points(3)}
		p.Add(ln)
		p.Legend.Add("= "+strconv.FormatFloat(h, 'g', -1, 64)+" (ideal)", ln)
	}
	for _, id := range pn.allIdeals() {
		if len(id.pts) < 2 {
			continue
		}
		var xy plotter.XYs
		for _, q := range id.pts {
			xy = append(xy, plotter.XY{X: q.x, Y: q.y})
		}
		ln, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		ln.LineStyle.Color, ln.LineStyle.Width, ln.LineStyle.Dashes = refGrey, vg.Points(1.2), []vg.Length{vg.Points(6), vg.Points(3)}
		if id.dash > 0 {
			ln.LineStyle.Dashes = plotutil.Dashes(id.dash)
		}
		p.Add(ln)
		p.Legend.Add(id.name, ln)
	}
	for _, m := range pn.marks {
		if !math.IsNaN(m.lo) && !math.IsNaN(m.hi) && m.hi > m.lo {
			band, err := plotter.NewPolygon(plotter.XYs{{X: m.lo, Y: ymin}, {X: m.hi, Y: ymin}, {X: m.hi, Y: ymax}, {X: m.lo, Y: ymax}})
			if err != nil {
				return err
			}
			band.Color = color.NRGBA{R: 120, G: 120, B: 120, A: 45}
			if m.color >= 0 {
				r, g, b, _ := paletteColor(m.color).RGBA()
				band.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 50}
			}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		ln, err := plotter.NewLine(plotter.XYs{{X: m.x, Y: ymin}, {X: m.x, Y: ymax}})
		if err != nil {
			return err
		}
		ln.LineStyle.Color, ln.LineStyle.Width = color.Color(color.Black), vg.Points(1.2)
		if m.color >= 0 {
			ln.LineStyle.Color = paletteColor(m.color)
		}
		ln.LineStyle.Dashes = markDashes[m.style%len(markDashes)]
		p.Add(ln)
		p.Legend.Add(m.label, ln)
	}
	return nil
}

// markDashes are the line styles of vertical markers: dashed, dotted,
// dash-dot.
var markDashes = [][]vg.Length{
	{vg.Points(4), vg.Points(3)},
	{vg.Points(1), vg.Points(2)},
	{vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// rangeDashes draw the whisker of a range (a cell with too few runs for a
// CI), so that it never reads as a confidence interval.
var rangeDashes = []vg.Length{vg.Points(2), vg.Points(2)}

// palette: ten colours that stay apart on screen and in print (Tableau
// 10); series index it modulo its length.
var palette = []color.NRGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x59, 0xa1, 0x4f, 0xff},
	{0xb0, 0x7a, 0xa1, 0xff}, {0x76, 0xb7, 0xb2, 0xff}, {0x9c, 0x75, 0x5f, 0xff}, {0xed, 0xc9, 0x48, 0xff},
	{0xff, 0x9d, 0xa7, 0xff}, {0x55, 0x55, 0x55, 0xff},
}

func paletteColor(i int) color.Color {
	if i < 0 {
		i = -i
	}
	return palette[i%len(palette)]
}

// allIdeals is the panel's ideal line and its other ideal lines.
func (pn *panel) allIdeals() []series {
	out := pn.ideals
	if pn.ideal != nil {
		out = append([]series{*pn.ideal}, out...)
	}
	return out
}

// splitRanges splits points into those whose whisker is a CI and those
// whose whisker is a range.
func splitRanges(pts errPts) (ci, rng errPts) {
	for _, q := range pts {
		if q.rng {
			rng = append(rng, q)
		} else {
			ci = append(ci, q)
		}
	}
	return ci, rng
}

// drawNote writes the panel's note in the middle of an empty data area.
func (pn *panel) drawNote(p *plot.Plot) {
	if pn.note == "" {
		return
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(nil), plot.ConstantTicks(nil)
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 0.5, Y: 0.5}}, Labels: []string{pn.note}})
	if err != nil {
		return
	}
	l.TextStyle[0].XAlign, l.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
	l.TextStyle[0].Font = font.From(plot.DefaultFont, 11)
	p.Add(l)
	p.HideAxes()
}
