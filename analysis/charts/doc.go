// Package charts draws sipsim's result tables as figures for design reviews:
// a metric against a varied parameter with 95% confidence intervals
// ([Metric]), empirical distribution functions ([CDF], [CDFFromTable]) and
// histograms ([Histogram]), saved as PNG, SVG or PDF at a size fit for
// slides ([Save]).
//
// The tables are the CSV files that sipsim writes ([ReadTable]): the summary
// of 'sipsim sweep' (one row per point of the parameter grid), its
// distribution file (--dist: the parameter columns, then setup_s and count)
// and the per-call file of 'sipsim run --calls-out'. An empty cell is an
// undefined value and is left out of a figure.
//
// Building a figure is kept apart from preparing its data, so that the
// numbers drawn can be tested without looking at pixels: [ECDF] computes
// the points of an empirical distribution function, and the drawing
// functions only turn such points into lines. Every figure is a pure
// function of its input: the same table gives the same SVG bytes.
package charts
