package charts

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/plotter"
)

func TestECDF(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Series
		want plotter.XYs
	}{
		{"distinct", Series{Values: []float64{3, 1, 2, 4}},
			plotter.XYs{{X: 1, Y: 0.25}, {X: 2, Y: 0.5}, {X: 3, Y: 0.75}, {X: 4, Y: 1}}},
		{"ties rise once", Series{Values: []float64{0.2, 0.1, 0.2, 0.2}},
			plotter.XYs{{X: 0.1, Y: 0.25}, {X: 0.2, Y: 1}}},
		{"weights as counts", Series{Values: []float64{0.12, 0.62, 1.62}, Weights: []float64{6, 3, 1}},
			plotter.XYs{{X: 0.12, Y: 0.6}, {X: 0.62, Y: 0.9}, {X: 1.62, Y: 1}}},
		{"weight zero adds no rise", Series{Values: []float64{1, 2, 3}, Weights: []float64{1, 0, 1}},
			plotter.XYs{{X: 1, Y: 0.5}, {X: 2, Y: 0.5}, {X: 3, Y: 1}}},
		{"one value", Series{Values: []float64{7}}, plotter.XYs{{X: 7, Y: 1}}},
	} {
		got, err := ECDF(tc.s)
		require.NoError(t, err, tc.name)
		require.Len(t, got, len(tc.want), tc.name)
		for i := range got {
			assert.Equal(t, tc.want[i].X, got[i].X, "%s: point %d", tc.name, i)
			assert.InDelta(t, tc.want[i].Y, got[i].Y, 1e-12, "%s: point %d", tc.name, i)
		}
	}
}

func TestStaircase(t *testing.T) {
	got := staircase(plotter.XYs{{X: 1, Y: 0.25}, {X: 2, Y: 0.5}, {X: 4, Y: 1}})
	assert.Equal(t, plotter.XYs{
		{X: 1, Y: 0}, {X: 1, Y: 0.25},
		{X: 2, Y: 0.25}, {X: 2, Y: 0.5},
		{X: 4, Y: 0.5}, {X: 4, Y: 1},
	}, got)
}

func TestECDFErrors(t *testing.T) {
	for _, tc := range []struct {
		s    Series
		want string
	}{
		{Series{Name: "a"}, `series "a": no values`},
		{Series{Name: "a", Values: []float64{1}, Weights: []float64{}}, `series "a": 0 weights for 1 values`},
		{Series{Name: "a", Values: []float64{1}, Weights: []float64{-1}}, `series "a": weight -1 is not a finite, non-negative number`},
		{Series{Name: "a", Values: []float64{1, 2}, Weights: []float64{0, 0}}, `series "a": no values`},
	} {
		_, err := ECDF(tc.s)
		assert.EqualError(t, err, tc.want)
	}
}

func TestSeriesFromTable(t *testing.T) {
	tab := readString(t, "call,transport,setup_s,count\n1,udp,0.1,5\n2,udp,,1\n3,tcp,0.2,3\n4,udp,0.3,2\n")
	ss, err := SeriesFromTable(tab, "setup_s", "count", []string{"transport"})
	require.NoError(t, err)
	assert.Equal(t, []Series{
		{Name: "transport = udp", Values: []float64{0.1, 0.3}, Weights: []float64{5, 2}},
		{Name: "transport = tcp", Values: []float64{0.2}, Weights: []float64{3}},
	}, ss)

	// No weight, no series: one unnamed series of every defined value.
	ss, err = SeriesFromTable(tab, "setup_s", "", nil)
	require.NoError(t, err)
	assert.Equal(t, []Series{{Values: []float64{0.1, 0.2, 0.3}}}, ss)

	_, err = SeriesFromTable(tab, "setup", "", nil)
	assert.EqualError(t, err, `unknown column "setup" (columns: call, transport, setup_s, count)`)
	_, err = SeriesFromTable(tab, "transport", "", nil)
	assert.EqualError(t, err, `line 2, column transport: "udp" is not a number`)
	_, err = SeriesFromTable(readString(t, "setup_s\n\n"), "setup_s", "", nil)
	assert.EqualError(t, err, "column setup_s has no value")
}

func TestCDFFromTable(t *testing.T) {
	p, err := CDFFromTable(readFile(t, "testdata/dist.csv"), "setup_s", "count", []string{"transport"}, Options{})
	require.NoError(t, err)
	assert.Equal(t, "set-up delay (s)", p.X.Label.Text)
	assert.Equal(t, 0.0, p.Y.Min)
	assert.Equal(t, 1.0, p.Y.Max)
}

func TestBins(t *testing.T) {
	bins, err := Bins([]Series{
		{Values: []float64{0, 1, 2, 4}},
		{Values: []float64{2, 3}, Weights: []float64{10, 1}},
	}, 2)
	require.NoError(t, err)
	// Shared edges 0, 2, 4; the last bin holds its upper edge.
	assert.Equal(t, [][]plotter.HistogramBin{
		{{Min: 0, Max: 2, Weight: 2}, {Min: 2, Max: 4, Weight: 2}},
		{{Min: 0, Max: 2, Weight: 0}, {Min: 2, Max: 4, Weight: 11}},
	}, bins)

	bins, err = Bins([]Series{{Values: []float64{5, 5}}}, 10)
	require.NoError(t, err)
	assert.Equal(t, [][]plotter.HistogramBin{{{Min: 4.5, Max: 5.5, Weight: 2}}}, bins)

	_, err = Bins([]Series{{Values: []float64{1}}}, 0)
	assert.EqualError(t, err, "bins: 0 is not between 1 and 10000")
}
