package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/analysis/charts"
)

// cdfSeries is one point's set-up delay distribution, for --cdf.
type cdfSeries = charts.Series

// checkImageName checks that path names an image format the charts
// package writes, before the sweep runs.
func checkImageName(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return fmt.Errorf("%s: want a file name ending in .png, .svg or .pdf", path)
}

// addCDFSeries keeps point p's set-up delays (as value and count pairs:
// a few hundred at most, whatever the number of calls) for --cdf.
func (o *sweepOptions) addCDFSeries(s *analysis.Sweep, p *analysis.Point) {
	var h analysis.Histogram
	for _, r := range p.Reps {
		h.Merge(&r.Setup)
	}
	parts := make([]string, len(p.Values))
	for k, v := range p.Values {
		parts[k] = s.Params[k].Name + "=" + s.Params[k].Values[v]
	}
	se := cdfSeries{Name: strings.Join(parts, " ")}
	for _, b := range h.Buckets() {
		se.Values = append(se.Values, float64(b.Max)/1e9)
		se.Weights = append(se.Weights, float64(b.Count))
	}
	o.cdfSeries = append(o.cdfSeries, se)
}

// drawPlots draws --plot from the summary table just written (so that it
// is the same figure 'sipsim plot' redraws from it) and --cdf from the
// distributions kept.
func (o *sweepOptions) drawPlots(s *analysis.Sweep) error {
	if o.plot != "" {
		f, err := os.Open(o.out)
		if err != nil {
			return fmt.Errorf("--plot: %v", err)
		}
		t, err := charts.ReadTable(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--plot: %s: %v", o.out, err)
		}
		var series []string
		for _, p := range s.Params[1:] {
			series = append(series, p.Name)
		}
		p, err := charts.Metric(t, s.Params[0].Name, "setup_mean_s", series, charts.Options{Title: o.topology + ": set-up delay"})
		if err != nil {
			return fmt.Errorf("--plot: %v", err)
		}
		if err := charts.Save(p, o.plot); err != nil {
			return fmt.Errorf("--plot: %v", err)
		}
	}
	if o.cdf != "" {
		opts := charts.Options{
			Title:  fmt.Sprintf("%s: set-up delay CDF (%d replications, %d calls each)", o.topology, o.reps, o.calls),
			XLabel: "set-up delay (s)",
		}
		p, err := charts.CDF(o.cdfSeries, opts)
		if err != nil {
			return fmt.Errorf("--cdf: %v", err)
		}
		if err := charts.Save(p, o.cdf); err != nil {
			return fmt.Errorf("--cdf: %v", err)
		}
	}
	return nil
}
