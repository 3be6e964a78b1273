package charts

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
)

// A Series is a sample of one quantity, drawn as one line of a [CDF] or one
// set of bars of a [Histogram].
type Series struct {
	// Name is the series' legend entry; an unnamed series has none.
	Name string
	// Values holds the sample. Values must be finite numbers.
	Values []float64
	// Weights, when not nil, holds how many times each value counts (such
	// as the count column of a distribution file); it then has the length
	// of Values, and every weight is finite and not negative. Nil counts
	// each value once.
	Weights []float64
}

// total returns the sum of s's weights after checking them.
func (s Series) total() (float64, error) {
	if s.Weights != nil && len(s.Weights) != len(s.Values) {
		return 0, fmt.Errorf("series %q: %d weights for %d values", s.Name, len(s.Weights), len(s.Values))
	}
	sum := 0.0
	for i, v := range s.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("series %q: value %g is not a finite number", s.Name, v)
		}
		w := 1.0
		if s.Weights != nil {
			w = s.Weights[i]
		}
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return 0, fmt.Errorf("series %q: weight %g is not a finite, non-negative number", s.Name, w)
		}
		sum += w
	}
	if sum == 0 {
		return 0, fmt.Errorf("series %q: no values", s.Name)
	}
	return sum, nil
}

// ECDF returns the empirical cumulative distribution function of s: one
// point per distinct value x, in increasing order, with Y the fraction of
// the total weight carried by values up to and including x. The last point
// has Y = 1. Values of weight 0 still appear, as a point of no rise.
func ECDF(s Series) (plotter.XYs, error) {
	total, err := s.total()
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(s.Values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.Values[idx[a]] < s.Values[idx[b]] })
	var out plotter.XYs
	cum := 0.0
	for _, i := range idx {
		w := 1.0
		if s.Weights != nil {
			w = s.Weights[i]
		}
		cum += w
		if n := len(out); n > 0 && out[n-1].X == s.Values[i] {
			out[n-1].Y = cum / total
			continue
		}
		out = append(out, plotter.XY{X: s.Values[i], Y: cum / total})
	}
	out[len(out)-1].Y = 1 // no rounding short of 1
	return out, nil
}

// staircase returns the vertices of the step line of an ECDF: from 0 at
// the first value, up at each value, across to the next.
func staircase(ecdf plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, 0, 2*len(ecdf))
	prev := 0.0
	for _, pt := range ecdf {
		out = append(out, plotter.XY{X: pt.X, Y: prev}, pt)
		prev = pt.Y
	}
	return out
}

// CDF draws the empirical distribution function of each series as a step
// line, with the series' size in its legend entry ("udp (n = 990)"). The
// y axis is the fraction of values up to x, from 0 to 1.
func CDF(series []Series, opts Options) (*plot.Plot, error) {
	if len(series) == 0 {
		return nil, errors.New("no series to draw")
	}
	p := newPlot(opts, "")
	p.X.Label.Text = opts.XLabel
	p.Y.Label.Text = "fraction of calls ≤ x"
	if opts.YLabel != "" {
		p.Y.Label.Text = opts.YLabel
	}
	var obs obstacles
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for i, s := range series {
		pts, err := ECDF(s)
		if err != nil {
			return nil, err
		}
		if opts.LogX && pts[0].X <= 0 {
			return nil, fmt.Errorf("log x axis: series %q has value %g, which is not positive", s.Name, pts[0].X)
		}
		xmin, xmax = math.Min(xmin, pts[0].X), math.Max(xmax, pts[len(pts)-1].X)
		steps := staircase(pts)
		line, err := plotter.NewLine(steps)
		if err != nil {
			return nil, err
		}
		line.LineStyle, _ = seriesStyle(i)
		line.LineStyle.Dashes = plotutil.Dashes(i)
		p.Add(line)
		obs.polyline(steps)
		total, _ := s.total()
		p.Legend.Add(legendName(s.Name, total), line)
	}
	if opts.LogY {
		return nil, errors.New("log y axis: a CDF's y axis is linear")
	}
	p.Y.Min, p.Y.Max = 0, 1
	if !opts.LogX && xmin >= 0 && xmin <= xmax/4 {
		p.X.Min = 0 // a delay's distribution is read from 0, unless that squashes it
	}
	placeLegend(p, obs)
	return p, nil
}

// legendName is a series name with its size.
func legendName(name string, n float64) string {
	if name == "" {
		return fmt.Sprintf("n = %g", n)
	}
	return fmt.Sprintf("%s (n = %g)", name, n)
}

// SeriesFromTable returns the column value of t as series, one per
// distinct combination of values of the series columns (in order of
// first appearance; a single unnamed series when there is none). When
// weight is not empty, that column holds each row's weight (the count
// column of a distribution file). Rows with an empty value or weight are
// left out, as an unanswered call's empty setup_s.
func SeriesFromTable(t *Table, value, weight string, series []string) ([]Series, error) {
	vc, err := t.lookup(value)
	if err != nil {
		return nil, err
	}
	wc := -1
	if weight != "" {
		if wc, err = t.lookup(weight); err != nil {
			return nil, err
		}
	}
	sc := make([]int, len(series))
	for i, s := range series {
		if sc[i], err = t.lookup(s); err != nil {
			return nil, err
		}
	}
	var out []Series
	index := map[string]int{}
	for r := range t.Rows {
		v, ok, err := t.number(r, vc)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		w := 1.0
		if wc >= 0 {
			if w, ok, err = t.number(r, wc); err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if w < 0 {
				return nil, fmt.Errorf("line %d, column %s: negative weight %g", t.Line(r), weight, w)
			}
		}
		key, name := seriesKey(t, r, sc)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, Series{Name: name})
			if wc >= 0 {
				out[i].Weights = []float64{}
			}
		}
		out[i].Values = append(out[i].Values, v)
		if wc >= 0 {
			out[i].Weights = append(out[i].Weights, w)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("column %s has no value", value)
	}
	return out, nil
}

// CDFFromTable draws the [CDF] of the column value of t, one line per
// series as [SeriesFromTable] groups them, weighted by the column weight
// when it is not empty. The x axis is labelled after the value column.
func CDFFromTable(t *Table, value, weight string, series []string, opts Options) (*plot.Plot, error) {
	ss, err := SeriesFromTable(t, value, weight, series)
	if err != nil {
		return nil, err
	}
	if opts.XLabel == "" {
		opts.XLabel = Label(value)
	}
	return CDF(ss, opts)
}
