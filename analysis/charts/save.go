package charts

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// formats lists the file formats of [Save] and [Write], by extension.
const formats = ".png, .svg, .pdf"

// Save draws p at [Width] × [Height] into the file path, in the format its
// extension names: .png (at [DPI] dots per inch), .svg or .pdf. An unknown
// extension is an error naming the supported ones, and no file is created.
func Save(p *plot.Plot, path string) (err error) {
	format := strings.ToLower(filepath.Ext(path))
	if _, err := canvas(format); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if e := f.Close(); err == nil {
			err = e
		}
	}()
	return Write(p, f, format)
}

// Write draws p at [Width] × [Height] to w in format, the extension of one
// of the formats of [Save] (".png", ".svg" or ".pdf").
// The same plot gives the same SVG bytes.
func Write(p *plot.Plot, w io.Writer, format string) error {
	c, err := canvas(format)
	if err != nil {
		return err
	}
	// plot.Draw keeps the data inside the canvas but lets the label of
	// the last x tick run past its right edge: keep a margin there, and a
	// little one everywhere.
	m := vg.Points(6)
	p.Draw(draw.Crop(draw.New(c), m, -3*m, m, -m))
	_, err = c.WriteTo(w)
	return err
}

func canvas(format string) (vg.CanvasWriterTo, error) {
	switch format {
	case ".png":
		return vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))}, nil
	case ".svg":
		return vgsvg.New(Width, Height), nil
	case ".pdf":
		return vgpdf.New(Width, Height), nil
	}
	return nil, fmt.Errorf("unsupported format %q (supported: %s)", format, formats)
}
