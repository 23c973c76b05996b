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
// (NaN when unknown).
type pt struct {
	x, y, lo, hi float64
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
}

// figure is one output file (SVG and PNG) made of panels in a grid.
type figure struct {
	name    string // plots/<name>.svg, .png
	title   string
	caption string
	cols    int
	panels  []panel
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
	w := vg.Length(cols) * panelW
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

	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for i := range f.panels {
		p, err := f.panels[i].plot()
		if err != nil {
			return err
		}
		plots[i/cols][i%cols] = p
	}
	// Panels with the same y label share one y range, so that the eye
	// can compare them.
	for i := range f.panels {
		pi := plots[i/cols][i%cols]
		for j := range f.panels {
			pj := plots[j/cols][j%cols]
			if f.panels[i].ylabel == f.panels[j].ylabel && f.panels[i].logY == f.panels[j].logY && len(f.panels[j].series) > 0 {
				pi.Y.Min, pi.Y.Max = math.Min(pi.Y.Min, pj.Y.Min), math.Max(pi.Y.Max, pj.Y.Max)
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 10, PadX: 14, PadY: 14}
	canvases := plot.Align(plots, tiles, body)
	for r := range plots {
		for c := range plots[r] {
			if plots[r][c] != nil {
				plots[r][c].Draw(canvases[r][c])
			}
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
		col := plotutil.Color(s.color)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Color = col
		sc.GlyphStyle.Shape = plotutil.Shape(s.shape)
		sc.GlyphStyle.Radius = vg.Points(3)
		var thumbs []plot.Thumbnailer
		if !s.noLine {
			ln, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			ln.LineStyle.Color = col
			ln.LineStyle.Width = vg.Points(1.5)
			if s.dash > 0 {
				ln.LineStyle.Dashes = plotutil.Dashes(s.dash)
			}
			p.Add(ln)
			thumbs = append(thumbs, ln)
		}
		eb, err := plotter.NewYErrorBars(pts)
		if err != nil {
			return nil, err
		}
		eb.LineStyle.Color = col
		eb.LineStyle.Width = vg.Points(1)
		eb.CapWidth = vg.Points(5)
		p.Add(sc, eb)
		thumbs = append(thumbs, sc)
		p.Legend.Add(s.name, thumbs...)
	}
	if math.IsInf(ymin, 1) {
		return p, nil
	}
	// Leave head room for the legend.
	nleg := float64(len(pn.series))
	frac := 0.12 + 0.075*nleg
	if pn.logY {
		if ymax/ymin < 10 {
			c := math.Sqrt(10 / (ymax / ymin))
			ymin, ymax = ymin/c, ymax*c
		}
		span := math.Log10(ymax / ymin)
		if pn.legendBottom {
			ymin /= math.Pow(10, span*frac/(1-frac))
			ymax *= 1.5
		} else {
			ymax *= math.Pow(10, span*frac/(1-frac))
		}
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	} else {
		if ymin > 0 {
			ymin = 0
		}
		span := ymax - ymin
		if span == 0 {
			span = math.Max(math.Abs(ymax), 1)
		}
		ymax += span * frac / (1 - frac)
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
	if pn.rotateX {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YCenter
	}
	return p, nil
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
