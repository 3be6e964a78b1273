package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plotFixtures are the CSV files of the charts package's tests: a sweep
// summary (loss × transport) and its distribution file.
const (
	plotSweep = "../../analysis/charts/testdata/sweep.csv"
	plotDist  = "../../analysis/charts/testdata/dist.csv"
)

func TestPlotDrawsEachKindOfFigure(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		out  string
		args []string
	}{
		{"metric.png", []string{plotSweep, "--x", "loss", "--y", "setup_mean_s", "--series", "transport", "--title", "Set-up delay"}},
		{"metric.svg", []string{plotSweep, "--x", "transport", "--y", "retransmissions_per_call", "--series", "loss"}},
		{"cdf.pdf", []string{plotDist, "--cdf", "setup_s", "--weight", "count", "--series", "transport"}},
		{"hist.png", []string{plotDist, "--hist", "setup_s", "--weight", "count", "--bins", "30", "--series", "transport"}},
	} {
		out := filepath.Join(dir, tc.out)
		stdout, stderr, code := runInProcess("", append([]string{"plot", "-o", out}, tc.args...)...)
		require.Equal(t, 0, code, "%s: %s", tc.out, stderr)
		assert.Empty(t, stdout)
		assert.Empty(t, stderr)
		fi, err := os.Stat(out)
		require.NoError(t, err)
		assert.NotZero(t, fi.Size(), tc.out)
	}
	f, err := os.Open(filepath.Join(dir, "metric.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 1600, img.Bounds().Dx())
	assert.Equal(t, 1000, img.Bounds().Dy())
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.png")
	for _, tc := range []struct {
		args []string
		want string // the first line of standard error
	}{
		{[]string{plotSweep, "--x", "loss", "--y", "setup_mean_s"}, "sipsim: plot: no output file: give -o OUT.png, .svg or .pdf"},
		{[]string{"--x", "loss", "--y", "setup_mean_s", "-o", out}, "sipsim: plot: give one CSV FILE"},
		{[]string{plotSweep, "-o", out}, "sipsim: plot: say what to draw: --x COL --y COL, --cdf COL or --hist COL"},
		{[]string{plotSweep, "--x", "loss", "-o", out}, "sipsim: plot: a metric figure needs both --x and --y"},
		{[]string{plotSweep, "--x", "loss", "--y", "ser", "--cdf", "ser", "-o", out}, "sipsim: plot: --x/--y, --cdf and --hist draw different figures: give one of them"},
		{[]string{plotSweep, "--x", "loss", "--y", "ser", "-o", filepath.Join(dir, "out.jpg")}, `sipsim: plot: -o ` + filepath.Join(dir, "out.jpg") + `: unsupported format ".jpg" (supported: .png, .svg, .pdf)`},
		{[]string{filepath.Join(dir, "missing.csv"), "--x", "loss", "--y", "ser", "-o", out}, "sipsim: open " + filepath.Join(dir, "missing.csv") + ": no such file or directory"},
		{[]string{plotSweep, "--x", "lost", "--y", "setup_mean_s", "--series", "transport", "-o", out}, `sipsim: ` + plotSweep + `: unknown column "lost" (columns: loss, transport, reps,`},
		{[]string{plotSweep, "--x", "loss", "--y", "setup_mean_s", "-o", out}, "sipsim: " + plotSweep + ": lines 2 and 3 have the same loss (0); name the other varied columns in the series (transport)"},
		{[]string{plotDist, "--cdf", "setup_s", "--weight", "weight", "-o", out}, `sipsim: ` + plotDist + `: unknown column "weight" (columns: loss, transport, setup_s, count)`},
		{[]string{plotDist, "--hist", "setup_s", "--bins", "0", "-o", out}, "sipsim: " + plotDist + ": bins: 0 is not between 1 and 10000"},
		{[]string{plotSweep, "--x", "loss", "--y", "ser", "--log-x", "--series", "transport", "-o", out}, "sipsim: " + plotSweep + ": log x axis: x value 0 is not positive"},
		{[]string{plotSweep, "--x", "loss", "--y", "ser", "--bins", "x", "-o", out}, `sipsim: plot: invalid argument "x" for "--bins" flag`},
	} {
		stdout, stderr, code := runInProcess("", append([]string{"plot"}, tc.args...)...)
		assert.Equal(t, 2, code, "%q", tc.args)
		assert.Empty(t, stdout)
		first, _, _ := strings.Cut(stderr, "\n")
		assert.True(t, strings.HasPrefix(first, tc.want), "%q:\n got %q\nwant %q", tc.args, first, tc.want)
		assert.LessOrEqual(t, strings.Count(stderr, "\n"), 2, "%q: one error line (and the help hint)", tc.args)
	}
	_, err := os.Stat(out)
	assert.True(t, os.IsNotExist(err), "no figure is written for bad input")
}

// TestPlotBinaryExitStatus runs the built binary once: bad input exits 2
// with one line and no stack trace.
func TestPlotBinaryExitStatus(t *testing.T) {
	out := filepath.Join(t.TempDir(), "p.svg")
	_, stderr, code := runBin(t, "", "plot", plotSweep, "--x", "loss", "--y", "nope", "-o", out)
	assert.Equal(t, 2, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.NotContains(t, stderr, "panic")

	_, stderr, code = runBin(t, "", "plot", plotSweep, "--x", "loss", "--y", "setup_p95_s", "--series", "transport", "-o", out)
	assert.Equal(t, 0, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<svg")
}

func TestPlotHelp(t *testing.T) {
	stdout, _, code := runInProcess("", "help", "plot")
	assert.Equal(t, 0, code)
	for _, flag := range []string{"--x", "--y", "--series", "--cdf", "--weight", "--hist", "--bins", "--title", "--output"} {
		assert.Contains(t, stdout, flag)
	}
}
