package charts

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// MaxBins bounds the number of bins of a [Histogram].
const MaxBins = 10000

// Bins counts the values of each series into bins equal-width bins shared
// by all of them, from the smallest value of any series to the largest
// (the last bin includes its upper edge). It returns one slice of bins per
// series, in the order of series; a bin's Weight is the total weight of
// its values. All values equal make one bin of width 1 around them.
func Bins(series []Series, bins int) ([][]plotter.HistogramBin, error) {
	if bins < 1 || bins > MaxBins {
		return nil, fmt.Errorf("bins: %d is not between 1 and %d", bins, MaxBins)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		if _, err := s.total(); err != nil {
			return nil, err
		}
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo == hi {
		lo, hi, bins = lo-0.5, hi+0.5, 1
	}
	width := (hi - lo) / float64(bins)
	out := make([][]plotter.HistogramBin, len(series))
	for i, s := range series {
		out[i] = make([]plotter.HistogramBin, bins)
		for b := range out[i] {
			out[i][b].Min = lo + float64(b)*width
			out[i][b].Max = lo + float64(b+1)*width
		}
		out[i][bins-1].Max = hi
		for k, v := range s.Values {
			b := min(int((v-lo)/width), bins-1)
			w := 1.0
			if s.Weights != nil {
				w = s.Weights[k]
			}
			out[i][b].Weight += w
		}
	}
	return out, nil
}

// Histogram draws the values of each series counted into bins shared by
// all series (see [Bins]): bars filled in a light shade of the series'
// colour and outlined in it, so that overlapping series stay readable. The
// y axis is the total weight per bin ("count", or Options.YLabel).
func Histogram(series []Series, bins int, opts Options) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, errors.New("no series to draw")
	}
	if opts.LogX || opts.LogY {
		return nil, errors.New("a histogram's axes are linear")
	}
	counts, err := Bins(series, bins)
	if err != nil {
		return nil, err
	}
	p := newPlot(opts, "")
	p.X.Label.Text = opts.XLabel
	p.Y.Label.Text = "count"
	if opts.YLabel != "" {
		p.Y.Label.Text = opts.YLabel
	}
	var obs obstacles
	top := 0.0
	for i, bs := range counts {
		// Empty bins are not drawn: their outline would run along the axis.
		var full []plotter.HistogramBin
		for _, b := range bs {
			if b.Weight > 0 {
				full = append(full, b)
				top = math.Max(top, b.Weight)
			}
		}
		h := &plotter.Histogram{Bins: full, Width: bs[0].Max - bs[0].Min}
		h.LineStyle, _ = seriesStyle(i)
		h.LineStyle.Width = vg.Points(2)
		h.FillColor = translucent(seriesColor(i))
		if len(series) == 1 {
			h.FillColor = lighten(seriesColor(i))
		}
		p.Add(h)
		for _, b := range bs {
			// The whole bar, not only its top, is data the legend must not hide.
			for f := 0.0; f <= 1; f += 0.25 {
				obs.segment(plotter.XY{X: b.Min, Y: f * b.Weight}, plotter.XY{X: b.Max, Y: f * b.Weight})
			}
		}
		if series[i].Name != "" || len(series) > 1 {
			total, _ := series[i].total()
			p.Legend.Add(legendName(series[i].Name, total), h)
		}
	}
	p.Y.Min, p.Y.Max = 0, top*1.05 // room above the tallest bar
	placeLegend(p, obs)
	return p, nil
}

// translucent returns c at one third opacity, premultiplied as
// color.RGBA requires.
func translucent(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	const a = 0x55
	return color.RGBA{R: uint8(r >> 8 * a / 0xff), G: uint8(g >> 8 * a / 0xff), B: uint8(b >> 8 * a / 0xff), A: a}
}

// lighten returns c mixed with two parts of white.
func lighten(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 2*0xff) / 3) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 0xff}
}
