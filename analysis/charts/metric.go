package charts

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// xKind is how the cells of an x column are read.
type xKind int

const (
	xNumber      xKind = iota // every cell is a number
	xDuration                 // every cell is a Go duration ("50ms"), drawn in milliseconds
	xCategorical              // anything else: evenly spaced labels
)

// xAxis is the x column of a metric figure, read.
type xAxis struct {
	kind xKind
	// categories holds the distinct labels of a categorical column, in
	// order of first appearance, which is the order of a sweep's values.
	categories []string
	// values holds each row's x, NaN for an empty cell.
	values []float64
}

// readX reads the x column col of t.
func readX(t *Table, col int) xAxis {
	a := xAxis{values: make([]float64, len(t.Rows))}
	allNum, allDur := true, true
	for r := range t.Rows {
		s := strings.TrimSpace(t.Cell(r, col))
		if s == "" {
			continue
		}
		if _, ok := t.Float(r, col); !ok {
			allNum = false
		}
		if _, err := time.ParseDuration(s); err != nil {
			allDur = false
		}
	}
	kind := xCategorical
	switch {
	case allNum:
		kind = xNumber
	case allDur:
		kind = xDuration
	}
	a.kind = kind
	index := map[string]int{}
	for r := range t.Rows {
		s := strings.TrimSpace(t.Cell(r, col))
		a.values[r] = math.NaN()
		if s == "" {
			continue
		}
		switch kind {
		case xNumber:
			a.values[r], _ = strconv.ParseFloat(s, 64)
		case xDuration:
			d, _ := time.ParseDuration(s)
			a.values[r] = float64(d) / float64(time.Millisecond)
		case xCategorical:
			i, ok := index[s]
			if !ok {
				i = len(a.categories)
				index[s] = i
				a.categories = append(a.categories, s)
			}
			a.values[r] = float64(i)
		}
	}
	return a
}

// A metricPoint is one point of a metric figure.
type metricPoint struct {
	x, y   float64
	lo, hi float64 // the 95% confidence interval, when hasCI
	hasCI  bool
	row    int
}

// A metricLine is one series of a metric figure.
type metricLine struct {
	name string
	pts  []metricPoint
}

// metricData prepares the lines of [Metric]: the rows of t grouped by the
// values of the series columns (in order of first appearance), each
// group's points sorted by x. A row with an empty y is left out.
func metricData(t *Table, x, y string, series []string) ([]metricLine, xAxis, error) {
	xc, err := t.lookup(x)
	if err != nil {
		return nil, xAxis{}, err
	}
	yc, err := t.lookup(y)
	if err != nil {
		return nil, xAxis{}, err
	}
	sc := make([]int, len(series))
	for i, s := range series {
		if sc[i], err = t.lookup(s); err != nil {
			return nil, xAxis{}, err
		}
	}
	loName, hiName := CIColumns(y)
	lc, hasLo := t.Column(loName)
	hc, hasHi := t.Column(hiName)
	hasCI := hasLo && hasHi

	xa := readX(t, xc)
	var lines []metricLine
	index := map[string]int{}
	for r := range t.Rows {
		key, name := seriesKey(t, r, sc)
		yv, ok, err := t.number(r, yc)
		if err != nil {
			return nil, xAxis{}, err
		}
		if !ok {
			continue
		}
		xv := xa.values[r]
		if math.IsNaN(xv) {
			return nil, xAxis{}, fmt.Errorf("line %d, column %s: empty cell", t.Line(r), x)
		}
		pt := metricPoint{x: xv, y: yv, row: r}
		if hasCI {
			lo, lok, err := t.number(r, lc)
			if err != nil {
				return nil, xAxis{}, err
			}
			hi, hok, err := t.number(r, hc)
			if err != nil {
				return nil, xAxis{}, err
			}
			if lok && hok {
				// A bootstrap interval may exclude its estimate: that is
				// drawn as it is. Bounds the wrong way round are not.
				if lo > hi {
					return nil, xAxis{}, fmt.Errorf("line %d: confidence interval of %s has lower bound %g above upper bound %g (%s, %s)",
						t.Line(r), y, lo, hi, loName, hiName)
				}
				pt.lo, pt.hi, pt.hasCI = lo, hi, true
			}
		}
		i, ok := index[key]
		if !ok {
			i = len(lines)
			index[key] = i
			lines = append(lines, metricLine{name: name})
		}
		lines[i].pts = append(lines[i].pts, pt)
	}
	if len(lines) == 0 {
		return nil, xAxis{}, fmt.Errorf("column %s has no value", y)
	}
	for i := range lines {
		pts := lines[i].pts
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].x < pts[b].x })
		for k := 1; k < len(pts); k++ {
			if pts[k].x == pts[k-1].x {
				return nil, xAxis{}, fmt.Errorf("lines %d and %d have the same %s (%s)%s; "+
					"name the other varied columns in the series (%s)",
					t.Line(pts[k-1].row), t.Line(pts[k].row), x, t.Cell(pts[k].row, xc),
					inSeries(lines[i].name), strings.Join(otherParams(t, x, series), ", "))
			}
		}
	}
	return lines, xa, nil
}

func inSeries(name string) string {
	if name == "" {
		return ""
	}
	return " in series " + name
}

// otherParams returns the parameter columns of a summary table (those
// before reps) that are neither x nor a series column and take more than
// one value.
func otherParams(t *Table, x string, series []string) []string {
	var out []string
	for c, h := range t.Header {
		if h == "reps" {
			break
		}
		if h == x || contains(series, h) {
			continue
		}
		for r := 1; r < len(t.Rows); r++ {
			if t.Cell(r, c) != t.Cell(0, c) {
				out = append(out, h)
				break
			}
		}
	}
	if len(out) == 0 {
		out = []string{"--series"}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// seriesKey returns the identity of row r's series (its values of the
// columns cols) and the series' legend name, "transport = udp, proxy =
// stateful".
func seriesKey(t *Table, r int, cols []int) (key, name string) {
	var k, n []string
	for _, c := range cols {
		v := t.Cell(r, c)
		k = append(k, v)
		n = append(n, t.Header[c]+" = "+v)
	}
	return strings.Join(k, "\x00"), strings.Join(n, ", ")
}

// caption says how many replications and calls stand behind each point,
// from the reps and calls columns: "10 replications, 1000 calls per
// point", or "per point: 10 replications, 990–1000 calls" when they vary.
// It is empty when t has neither column.
func caption(t *Table) string {
	var parts []string
	varies := false
	for _, c := range []struct{ col, one, many string }{
		{"reps", "replication", "replications"},
		{"calls", "call", "calls"},
	} {
		i, ok := t.Column(c.col)
		if !ok {
			continue
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for r := range t.Rows {
			if v, ok := t.Float(r, i); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		if lo > hi {
			continue
		}
		unit := c.many
		if lo == 1 && hi == 1 {
			unit = c.one
		}
		if lo == hi {
			parts = append(parts, fmt.Sprintf("%g %s", lo, unit))
		} else {
			varies = true
			parts = append(parts, fmt.Sprintf("%g–%g %s", lo, hi, unit))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if varies {
		return "per point: " + strings.Join(parts, ", ")
	}
	return strings.Join(parts, ", ") + " per point"
}

// Metric draws the column y of t against the column x: one line with
// points per distinct combination of values of the series columns (such
// as udp and tcp), with the 95% confidence interval of each point as an
// error bar when t has the columns [CIColumns] names for y. Rows with an
// empty y are left out. The x column may be numeric, durations ("50ms",
// drawn in milliseconds) or categorical (evenly spaced, labelled, in the
// order the values first appear). Within a series, two rows may not share
// an x: name the other varied columns in series. The title ends with how
// many replications and calls stand behind each point (the reps and calls
// columns).
func Metric(t *Table, x, y string, series []string, opts Options) (*plot.Plot, error) {
	lines, xa, err := metricData(t, x, y, series)
	if err != nil {
		return nil, err
	}
	if err := checkLog(opts, lines); err != nil {
		return nil, err
	}
	p := newPlot(opts, caption(t))
	p.X.Label.Text = Label(x)
	if xa.kind == xDuration {
		p.X.Label.Text += " (ms)"
	}
	p.Y.Label.Text = Label(y)
	if opts.XLabel != "" {
		p.X.Label.Text = opts.XLabel
	}
	if opts.YLabel != "" {
		p.Y.Label.Text = opts.YLabel
	}

	dodge := dodger(lines, xa, opts.LogX)
	var obs obstacles
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, l := range lines {
		ls, gs := seriesStyle(i)
		xys := make(plotter.XYs, len(l.pts))
		var bars plotter.XYs
		var errs plotter.YErrors
		for k, pt := range l.pts {
			xys[k] = plotter.XY{X: dodge(i, pt.x), Y: pt.y}
			ymin, ymax = math.Min(ymin, pt.y), math.Max(ymax, pt.y)
			if pt.hasCI {
				// The bar hangs from lo, so that an interval that excludes
				// y is still drawn where it is.
				bars = append(bars, plotter.XY{X: xys[k].X, Y: pt.lo})
				errs = append(errs, struct{ Low, High float64 }{0, pt.hi - pt.lo})
				obs.segment(plotter.XY{X: xys[k].X, Y: pt.lo}, plotter.XY{X: xys[k].X, Y: pt.hi})
				ymin, ymax = math.Min(ymin, pt.lo), math.Max(ymax, pt.hi)
			}
		}
		line, scatter, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.LineStyle, scatter.GlyphStyle = ls, gs
		obs.polyline(xys)
		if len(bars) > 0 {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{bars, errs})
			if err != nil {
				return nil, err
			}
			eb.LineStyle = ls
			eb.LineStyle.Width = vg.Points(1.75)
			eb.CapWidth = vg.Points(12)
			p.Add(eb)
		}
		p.Add(line, scatter)
		if l.name != "" {
			p.Legend.Add(l.name, line, scatter)
		}
	}
	if xa.kind == xCategorical {
		ticks := make([]plot.Tick, len(xa.categories))
		for i, c := range xa.categories {
			ticks[i] = plot.Tick{Value: float64(i), Label: c}
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
		p.X.Min, p.X.Max = -0.5, float64(len(xa.categories))-0.5
	}
	if !opts.LogY && ymin >= 0 && ymin <= ymax/4 {
		p.Y.Min = 0 // a quantity that cannot be negative starts at 0, unless that squashes it
	}
	placeLegend(p, obs)
	return p, nil
}

// dodger returns a function that shifts the points of series i
// sideways, so that the error bars of several series at one x stay apart:
// by a fraction of the x range on a linear axis, a factor on a log axis.
func dodger(lines []metricLine, xa xAxis, logX bool) func(i int, x float64) float64 {
	n := len(lines)
	anyCI := false
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, l := range lines {
		for _, pt := range l.pts {
			anyCI = anyCI || pt.hasCI
			xmin, xmax = math.Min(xmin, pt.x), math.Max(xmax, pt.x)
		}
	}
	if n < 2 || !anyCI || xmin == xmax {
		return func(_ int, x float64) float64 { return x }
	}
	const spread = 0.012 // of the x range, between neighbouring series
	off := func(i int) float64 { return (float64(i) - float64(n-1)/2) * spread }
	if xa.kind == xCategorical {
		return func(i int, x float64) float64 { return x + off(i)*float64(len(xa.categories)) }
	}
	if logX {
		span := math.Log(xmax / xmin)
		return func(i int, x float64) float64 { return x * math.Exp(off(i)*span) }
	}
	return func(i int, x float64) float64 { return x + off(i)*(xmax-xmin) }
}

// checkLog refuses a logarithmic axis for values that are not positive.
func checkLog(opts Options, lines []metricLine) error {
	for _, l := range lines {
		for _, pt := range l.pts {
			if opts.LogX && pt.x <= 0 {
				return fmt.Errorf("log x axis: x value %g is not positive", pt.x)
			}
			if opts.LogY && (pt.y <= 0 || pt.hasCI && pt.lo <= 0) {
				return fmt.Errorf("log y axis: y value %g (or its confidence interval) is not positive", pt.y)
			}
		}
	}
	return nil
}
