package diagram_test

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis/diagram"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSeedImageGolden draws the reference scenario's ladder and compares
// it with testdata/seed.png approximately, as gonum's plot tests do:
// renderers may differ in antialiasing, not in what they draw. Run
// go test ./analysis/diagram -update to rewrite it, and look at it.
func TestSeedImageGolden(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, diagram.Draw(ladder(t, "seed.jsonl"), diagram.Options{}).WritePNG(&b))
	path := filepath.Join("testdata", "seed.png")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
		return
	}
	f, err := os.Open(path)
	require.NoError(t, err, "run go test ./analysis/diagram -update to create it")
	defer f.Close()
	want, err := png.Decode(f)
	require.NoError(t, err)
	got, err := png.Decode(&b)
	require.NoError(t, err)
	require.Equal(t, want.Bounds(), got.Bounds(), "%s: the size differs; if intended, run with -update and look at the image", path)
	assert.Less(t, differentPixels(want, got), want.Bounds().Dx()*want.Bounds().Dy()/200,
		"%s: more than 0.5%% of the pixels differ; if intended, run with -update and look at the image", path)
}

// differentPixels counts the pixels of a and b (of the same bounds) whose
// colours differ by more than a little in some channel.
func differentPixels(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return n
}

func far(u, v uint32) bool { return max(u, v)-min(u, v) > 0x2000 }
