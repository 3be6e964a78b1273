package charts

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
)

func TestSaveFormats(t *testing.T) {
	p, err := Metric(readString(t, small), "loss", "setup_mean_s", []string{"transport"}, Options{Title: "Set-up delay"})
	require.NoError(t, err)
	dir := t.TempDir()
	for _, name := range []string{"m.png", "m.svg", "m.pdf", "UPPER.PNG"} {
		path := filepath.Join(dir, name)
		require.NoError(t, Save(p, path), name)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		assert.NotZero(t, fi.Size(), name)
	}
	f, err := os.Open(filepath.Join(dir, "m.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 1600, img.Bounds().Dx())
	assert.Equal(t, 1000, img.Bounds().Dy())

	data, err := os.ReadFile(filepath.Join(dir, "m.pdf"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("%PDF-")))
	data, err = os.ReadFile(filepath.Join(dir, "m.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(data), "<svg")
}

func TestSaveRejectsUnknownFormat(t *testing.T) {
	p, err := Metric(readString(t, small), "loss", "setup_mean_s", []string{"transport"}, Options{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.jpg")
	err = Save(p, path)
	assert.EqualError(t, err, path+`: unsupported format ".jpg" (supported: .png, .svg, .pdf)`)
	_, statErr := os.Stat(path)
	assert.True(t, os.IsNotExist(statErr), "no file is created for an unknown format")
}

// TestSVGDeterministic draws each kind of figure twice from the same input
// and expects the same bytes.
func TestSVGDeterministic(t *testing.T) {
	draw := func() [][]byte {
		tab := readFile(t, "testdata/sweep.csv")
		dist := readFile(t, "testdata/dist.csv")
		m, err := Metric(tab, "loss", "setup_p95_s", []string{"transport"}, Options{Title: "p95"})
		require.NoError(t, err)
		c, err := CDFFromTable(dist, "setup_s", "count", []string{"transport"}, Options{})
		require.NoError(t, err)
		ss, err := SeriesFromTable(dist, "setup_s", "count", []string{"transport"})
		require.NoError(t, err)
		h, err := Histogram(ss, 20, Options{XLabel: "set-up delay (s)"})
		require.NoError(t, err)
		var out [][]byte
		for _, p := range []*plot.Plot{m, c, h} {
			var b bytes.Buffer
			require.NoError(t, Write(p, &b, ".svg"))
			out = append(out, b.Bytes())
		}
		return out
	}
	a, b := draw(), draw()
	for i := range a {
		assert.NotEmpty(t, a[i])
		assert.True(t, bytes.Equal(a[i], b[i]), "figure %d: SVG bytes differ between two identical runs", i)
	}
}
