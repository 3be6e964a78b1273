package charts

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// Options are the choices common to every figure. The zero value is a
// figure with labels taken from the data and linear axes.
type Options struct {
	// Title is the first line of the title. [Metric] adds a line beneath it
	// with the replications and calls per point; the title is that line
	// alone when Title is empty.
	Title string
	// XLabel and YLabel replace the axis labels derived from the data
	// when they are not empty.
	XLabel, YLabel string
	// LogX and LogY draw the axis on a logarithmic scale; every value on
	// such an axis must then be positive.
	LogX, LogY bool
}

// The figure size that [Save] uses: a 16:10 slide. Fonts are sized for it.
const (
	Width  = 8 * vg.Inch
	Height = 5 * vg.Inch
	// DPI is the resolution of PNG files: 8in × 5in at 200 dpi is 1600 ×
	// 1000 pixels.
	DPI = 200
)

// Text sizes, in points, for a figure of [Width] × [Height] shown on a
// slide.
const (
	titleSize  = 17
	labelSize  = 16
	tickSize   = 14
	legendSize = 14
)

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns an empty plot with the fonts, grid and axes of every
// figure of this package. caption is a line placed under opts.Title.
func newPlot(opts Options, caption string) *plot.Plot {
	p := plot.New()
	var title []string
	for _, s := range []string{opts.Title, caption} {
		if s != "" {
			title = append(title, s)
		}
	}
	p.Title.Text = strings.Join(title, "\n")
	p.Title.TextStyle.Font = font.From(sans, titleSize)
	p.Title.Padding = vg.Points(10)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, labelSize)
		a.Label.Padding = vg.Points(6)
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Padding = vg.Points(6)
		a.LineStyle.Width = vg.Points(1)
		a.Tick.LineStyle.Width = vg.Points(1)
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	if opts.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if opts.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Legend.TextStyle.Font = font.From(sans, legendSize)
	p.Legend.ThumbnailWidth = vg.Points(32)
	p.Legend.Padding = vg.Points(4)
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 220}
	grid.Horizontal.Color = color.Gray{Y: 220}
	grid.Vertical.Width = vg.Points(0.75)
	grid.Horizontal.Width = vg.Points(0.75)
	p.Add(grid)
	return p
}

// palette is the colour-blind safe palette of Okabe and Ito (2008), in the
// order that keeps the first colours furthest apart. plotutil's palette
// begins with red and green, the pair that colour-blind readers confuse
// most often.
var palette = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0x00, 0x9E, 0x73, 0xff}, // bluish green
	{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
}

// seriesColor returns the colour of the i-th series.
func seriesColor(i int) color.RGBA { return palette[i%len(palette)] }

// shapes are the glyphs of the series, which tell them apart on a grey
// print too; the first ones are filled, to stay visible at slide size.
var shapes = [...]draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
	draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.CrossGlyph{},
}

// seriesStyle returns the line and glyph styles of the i-th series.
func seriesStyle(i int) (draw.LineStyle, draw.GlyphStyle) {
	c := seriesColor(i)
	return draw.LineStyle{Color: c, Width: vg.Points(2.5)},
		draw.GlyphStyle{Color: c, Radius: vg.Points(5), Shape: shapes[(i/len(palette)+i)%len(shapes)]}
}

// obstacles are the points, in data coordinates, that the legend must not
// cover.
type obstacles []plotter.XY

// segment adds points along the segment from a to b, close enough that the
// legend box cannot fall between two of them unseen.
func (o *obstacles) segment(a, b plotter.XY) {
	const n = 32
	for k := 0; k <= n; k++ {
		f := float64(k) / n
		*o = append(*o, plotter.XY{X: a.X + f*(b.X-a.X), Y: a.Y + f*(b.Y-a.Y)})
	}
}

// polyline adds the segments between consecutive points of xys.
func (o *obstacles) polyline(xys plotter.XYs) {
	if len(xys) == 1 {
		*o = append(*o, xys[0])
	}
	for i := 1; i < len(xys); i++ {
		o.segment(xys[i-1], xys[i])
	}
}

// placeLegend puts the legend in the corner of the data area that covers
// none of the obstacles: top left, top right, bottom right, then bottom
// left. When every corner holds data, it raises the top of a linear y axis
// to make room for the legend in the top corner that needs least room.
// The axes' ranges must be final, except for that raise.
func placeLegend(p *plot.Plot, obs obstacles) {
	if len(obs) == 0 {
		return
	}
	da := p.DataCanvas(draw.NewCanvas(&recorder.Canvas{}, Width, Height))
	size := p.Legend.Rectangle(da).Size()
	margin := vg.Points(8)
	fw := float64(size.X+2*margin) / float64(da.Size().X)
	fh := float64(size.Y+2*margin) / float64(da.Size().Y)
	if fw >= 1 || fh >= 1 {
		return
	}
	type corner struct{ top, left bool }
	corners := []corner{{true, true}, {true, false}, {false, false}, {false, true}}
	inBand := func(c corner, nx float64) bool {
		if c.left {
			return nx <= fw
		}
		return nx >= 1-fw
	}
	set := func(c corner) {
		p.Legend.Top, p.Legend.Left = c.top, c.left
		p.Legend.XOffs, p.Legend.YOffs = -margin, margin
		if c.left {
			p.Legend.XOffs = margin
		}
		if c.top {
			p.Legend.YOffs = -margin
		}
	}
	for _, c := range corners {
		free := true
		for _, pt := range obs {
			nx, ny := p.X.Norm(pt.X), p.Y.Norm(pt.Y)
			inY := ny >= 1-fh
			if !c.top {
				inY = ny <= fh
			}
			if inBand(c, nx) && inY {
				free = false
				break
			}
		}
		if free {
			set(c)
			return
		}
	}
	if _, log := p.Y.Scale.(plot.LogScale); log {
		set(corners[0])
		return
	}
	// Raise the top of the y axis so that the highest obstacle under the
	// legend ends below it: (y-min)/(max'-min) <= 1-fh.
	best, bestMax := corners[0], math.Inf(1)
	for _, c := range corners[:2] {
		high := math.Inf(-1)
		for _, pt := range obs {
			if inBand(c, p.X.Norm(pt.X)) {
				high = math.Max(high, pt.Y)
			}
		}
		m := p.Y.Min + (high-p.Y.Min)/(1-fh)
		if m < bestMax {
			best, bestMax = c, m
		}
	}
	if bestMax > p.Y.Max {
		p.Y.Max = bestMax
	}
	set(best)
}
