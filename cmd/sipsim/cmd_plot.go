package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"gonum.org/v1/plot"

	"github.com/sipsim/sipsim/analysis/charts"
)

func init() {
	register(&command{
		name:    "plot",
		summary: "draw a figure from a sweep, distribution or per-call CSV file",
		usage:   "FILE.csv -o OUT (--x COL --y COL | --cdf COL | --hist COL)",
		detail: `
Draws one figure from a CSV file that sipsim wrote and saves it as OUT,
in the format its extension names: .png (1600x1000 pixels), .svg or .pdf,
8in x 5in, with fonts sized for slides.

  --x COL --y COL   the metric column COL of a sweep summary against a
                    parameter, one line per series, with 95% confidence
                    intervals as error bars when the summary has them; the
                    title says how many replications and calls stand behind
                    each point
  --cdf COL         the empirical distribution function of COL, one step
                    line per series (--weight count for a sweep --dist file)
  --hist COL        a histogram of COL in --bins equal bins shared by the
                    series

--series names the columns whose values tell the lines apart, such as
transport. Empty cells (undefined values, unanswered calls) are left out.
For example:

  sipsim plot sweep.csv --x loss --y setup_p95_s --series transport -o p95.png
  sipsim plot dist.csv --cdf setup_s --weight count --series transport -o cdf.pdf
  sipsim plot calls.csv --hist setup_s --bins 40 -o setup.svg`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			o := &plotOptions{}
			fs.StringVarP(&o.out, "output", "o", "", "write the figure to `OUT` (.png, .svg or .pdf); required")
			fs.StringVar(&o.x, "x", "", "draw the metric against the column `COL`, such as loss")
			fs.StringVar(&o.y, "y", "", "the metric column `COL`, such as setup_mean_s")
			fs.StringVar(&o.cdf, "cdf", "", "draw the CDF of the column `COL`, such as setup_s")
			fs.StringVar(&o.hist, "hist", "", "draw a histogram of the column `COL`")
			fs.IntVar(&o.bins, "bins", 20, "number of histogram bins (1 to 10000)")
			fs.StringVar(&o.weight, "weight", "", "with --cdf or --hist: the column `COL` that counts each row, such as count")
			fs.StringSliceVar(&o.series, "series", nil, "draw one line per distinct value of the columns `COL[,COL]`")
			fs.StringVar(&o.title, "title", "", "the first line of the figure's `TITLE`")
			fs.BoolVar(&o.logX, "log-x", false, "logarithmic x axis")
			fs.BoolVar(&o.logY, "log-y", false, "logarithmic y axis (metric figures)")
			return o.run
		},
	})
}

// plotOptions are the flags of sipsim plot.
type plotOptions struct {
	out, x, y, cdf, hist, weight, title string
	bins                                int
	series                              []string
	logX, logY                          bool
}

func (o *plotOptions) run(e *env, args []string) int {
	if len(args) != 1 {
		return fail(e, &usageError{"plot: give one CSV FILE"})
	}
	kinds := 0
	for _, set := range []bool{o.x != "" || o.y != "", o.cdf != "", o.hist != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return fail(e, &usageError{"plot: say what to draw: --x COL --y COL, --cdf COL or --hist COL"})
	case kinds > 1:
		return fail(e, &usageError{"plot: --x/--y, --cdf and --hist draw different figures: give one of them"})
	case (o.x == "") != (o.y == ""):
		return fail(e, &usageError{"plot: a metric figure needs both --x and --y"})
	case o.weight != "" && o.cdf == "" && o.hist == "":
		return fail(e, &usageError{"plot: --weight applies to --cdf and --hist"})
	case o.out == "":
		return fail(e, &usageError{"plot: no output file: give -o OUT.png, .svg or .pdf"})
	}
	if ext := strings.ToLower(filepath.Ext(o.out)); ext != ".png" && ext != ".svg" && ext != ".pdf" {
		return fail(e, &usageError{fmt.Sprintf("plot: -o %s: unsupported format %q (supported: .png, .svg, .pdf)", o.out, ext)})
	}
	for _, s := range o.series {
		if s == "" {
			return fail(e, &usageError{"plot: --series: empty column name"})
		}
	}

	f, err := os.Open(args[0])
	if err != nil {
		return fail(e, err)
	}
	t, err := charts.ReadTable(f)
	f.Close()
	if err != nil {
		return fail(e, fmt.Errorf("%s: %w", args[0], err))
	}
	opts := charts.Options{Title: o.title, LogX: o.logX, LogY: o.logY}
	var p *plot.Plot
	switch {
	case o.cdf != "":
		p, err = charts.CDFFromTable(t, o.cdf, o.weight, o.series, opts)
	case o.hist != "":
		var ss []charts.Series
		ss, err = charts.SeriesFromTable(t, o.hist, o.weight, o.series)
		if err == nil {
			opts.XLabel = charts.Label(o.hist)
			if o.weight != "" {
				opts.YLabel = charts.Label(o.weight)
			}
			p, err = charts.Histogram(ss, o.bins, opts)
		}
	default:
		p, err = charts.Metric(t, o.x, o.y, o.series, opts)
	}
	if err != nil {
		return fail(e, fmt.Errorf("%s: %w", args[0], err))
	}
	if err := charts.Save(p, o.out); err != nil {
		return fail(e, err)
	}
	return exitOK
}
