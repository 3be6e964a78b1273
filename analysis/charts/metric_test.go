package charts

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// small is a sweep summary of two losses × two transports, with the CI
// columns of setup_mean_s; its rows are out of x order on purpose.
const small = `loss,transport,reps,calls,setup_mean_s,setup_ci95_lo_s,setup_ci95_hi_s
0.1,udp,10,1000,0.5,0.45,0.55
0,udp,10,1000,0.12,0.11,0.13
0,tcp,10,1000,0.13,,
0.1,tcp,10,1000,0.3,0.28,0.32
`

func readString(t *testing.T, s string) *Table {
	t.Helper()
	tab, err := ReadTable(strings.NewReader(s))
	require.NoError(t, err)
	return tab
}

func readFile(t *testing.T, path string) *Table {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	tab, err := ReadTable(f)
	require.NoError(t, err)
	return tab
}

func TestMetricData(t *testing.T) {
	lines, xa, err := metricData(readString(t, small), "loss", "setup_mean_s", []string{"transport"})
	require.NoError(t, err)
	assert.Equal(t, xNumber, xa.kind)
	require.Len(t, lines, 2)

	// Series in order of first appearance, points sorted by x.
	assert.Equal(t, "transport = udp", lines[0].name)
	assert.Equal(t, []metricPoint{
		{x: 0, y: 0.12, lo: 0.11, hi: 0.13, hasCI: true, row: 1},
		{x: 0.1, y: 0.5, lo: 0.45, hi: 0.55, hasCI: true, row: 0},
	}, lines[0].pts)
	// An empty CI cell is a point without an error bar.
	assert.Equal(t, "transport = tcp", lines[1].name)
	assert.Equal(t, []metricPoint{
		{x: 0, y: 0.13, row: 2},
		{x: 0.1, y: 0.3, lo: 0.28, hi: 0.32, hasCI: true, row: 3},
	}, lines[1].pts)
}

func TestMetricDataCategoricalX(t *testing.T) {
	lines, xa, err := metricData(readString(t, small), "transport", "setup_mean_s", []string{"loss"})
	require.NoError(t, err)
	assert.Equal(t, xCategorical, xa.kind)
	assert.Equal(t, []string{"udp", "tcp"}, xa.categories)
	require.Len(t, lines, 2)
	assert.Equal(t, "loss = 0.1", lines[0].name)
	assert.Equal(t, 0.0, lines[0].pts[0].x) // udp
	assert.Equal(t, 1.0, lines[0].pts[1].x) // tcp
}

func TestMetricDataDurationX(t *testing.T) {
	tab := readString(t, "delay,setup_mean_s\n50ms,0.2\n0,0.1\n1s,1.5\n")
	lines, xa, err := metricData(tab, "delay", "setup_mean_s", nil)
	require.NoError(t, err)
	assert.Equal(t, xDuration, xa.kind)
	require.Len(t, lines, 1)
	var xs []float64
	for _, pt := range lines[0].pts {
		xs = append(xs, pt.x)
	}
	assert.Equal(t, []float64{0, 50, 1000}, xs) // milliseconds
}

func TestMetricErrors(t *testing.T) {
	tab := readString(t, small)
	for _, tc := range []struct {
		x, y   string
		series []string
		want   string
	}{
		{"lost", "setup_mean_s", nil, `unknown column "lost" (columns: loss, transport, reps, calls, setup_mean_s, setup_ci95_lo_s, setup_ci95_hi_s)`},
		{"loss", "setup", nil, `unknown column "setup" (columns: loss,`},
		{"loss", "setup_mean_s", []string{"proto"}, `unknown column "proto"`},
		// Without the transport series, two rows share each loss.
		{"loss", "setup_mean_s", nil, "lines 3 and 4 have the same loss (0); name the other varied columns in the series (transport)"},
	} {
		_, err := Metric(tab, tc.x, tc.y, tc.series, Options{})
		if assert.Error(t, err) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	_, err := Metric(readString(t, "loss,setup_mean_s,setup_ci95_lo_s,setup_ci95_hi_s\n0,0.5,0.7,0.6\n"),
		"loss", "setup_mean_s", nil, Options{})
	assert.EqualError(t, err, "line 2: confidence interval of setup_mean_s has lower bound 0.7 above upper bound 0.6 (setup_ci95_lo_s, setup_ci95_hi_s)")
	// An interval that excludes its estimate, as a bootstrap one may, is drawn.
	_, err = Metric(readString(t, "loss,setup_p95_s,setup_p95_ci95_lo_s,setup_p95_ci95_hi_s\n0,0.5,0.6,0.7\n"),
		"loss", "setup_p95_s", nil, Options{})
	assert.NoError(t, err)
	_, err = Metric(tab, "loss", "setup_mean_s", []string{"transport"}, Options{LogX: true})
	assert.EqualError(t, err, "log x axis: x value 0 is not positive")
}

func TestCaption(t *testing.T) {
	assert.Equal(t, "10 replications, 1000 calls per point", caption(readString(t, small)))
	assert.Equal(t, "per point: 10 replications, 990–1000 calls",
		caption(readString(t, "loss,reps,calls\n0,10,1000\n0.1,10,990\n")))
	assert.Equal(t, "1 replication, 5 calls per point", caption(readString(t, "loss,reps,calls\n0,1,5\n")))
	assert.Equal(t, "", caption(readString(t, "loss,setup_mean_s\n0,1\n")))

	p, err := Metric(readString(t, small), "loss", "setup_mean_s", []string{"transport"}, Options{Title: "Set-up delay"})
	require.NoError(t, err)
	assert.Equal(t, "Set-up delay\n10 replications, 1000 calls per point", p.Title.Text)
	assert.Equal(t, "set-up delay, mean (s)", p.Y.Label.Text)
	assert.Equal(t, "packet loss probability", p.X.Label.Text)
}

// TestLegendAvoidsData checks that the legend goes to a corner free of
// data: set-up delay grows with loss, so the top left is free; a falling
// line leaves the top right.
func TestLegendAvoidsData(t *testing.T) {
	p, err := Metric(readFile(t, "testdata/sweep.csv"), "loss", "setup_mean_s", []string{"transport"}, Options{})
	require.NoError(t, err)
	assert.True(t, p.Legend.Top && p.Legend.Left, "legend top left")

	p, err = Metric(readString(t, "x,y,s\n0,10,a\n1,9,a\n2,1,a\n0,9.5,b\n1,8,b\n2,0.5,b\n"), "x", "y", []string{"s"}, Options{})
	require.NoError(t, err)
	assert.True(t, p.Legend.Top && !p.Legend.Left, "legend top right")
}
