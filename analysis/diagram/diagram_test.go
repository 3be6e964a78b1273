package diagram_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/analysis/diagram"
)

// The reference scenario's columns and their addresses.
var (
	seedColumns   = []string{"user1", "proxy1", "redirect", "stateless", "proxy2", "user2"}
	seedAddresses = []string{"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.3.1", "10.0.2.2", "10.0.2.1"}
)

// ladder returns the ladder of analysis/testdata/name with timers shown.
func ladder(t testing.TB, name string) *analysis.Ladder {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", name))
	require.NoError(t, err)
	recs, err := analysis.ReadRecords(bytes.NewReader(data))
	require.NoError(t, err)
	return analysis.NewLadder(recs, analysis.LadderOptions{Columns: seedColumns, Addresses: seedAddresses, Timers: true})
}

// TestPNG draws the seed and lossy runs as PNG images: they decode, and
// their size is the diagram's at 144 dpi, neither a thumbnail nor a poster.
func TestPNG(t *testing.T) {
	for _, name := range []string{"seed.jsonl", "lossy.jsonl"} {
		d := diagram.Draw(ladder(t, name), diagram.Options{})
		var b bytes.Buffer
		require.NoError(t, d.WritePNG(&b))
		assert.Greater(t, b.Len(), 20_000, name)
		assert.Less(t, b.Len(), 1_000_000, name)
		img, err := png.Decode(&b)
		require.NoError(t, err, name)
		w, h := d.Size()
		size := img.Bounds().Size()
		assert.InDelta(t, w.Dots(diagram.DefaultDPI), size.X, 1, name)
		assert.InDelta(t, h.Dots(diagram.DefaultDPI), size.Y, 1, name)
		assert.True(t, size.X >= 1000 && size.X <= 2500, "%s: %d pixels wide", name, size.X)
		assert.True(t, size.Y >= 1200 && size.Y <= 4000, "%s: %d pixels high", name, size.Y)
		assert.Greater(t, size.Y, size.X, "%s: a ladder is taller than wide", name)
	}
}

// TestPNGDPI halves the resolution: half the pixels each way.
func TestPNGDPI(t *testing.T) {
	l := ladder(t, "seed.jsonl")
	var hi, lo bytes.Buffer
	require.NoError(t, diagram.Draw(l, diagram.Options{}).WritePNG(&hi))
	require.NoError(t, diagram.Draw(l, diagram.Options{DPI: diagram.DefaultDPI / 2}).WritePNG(&lo))
	a, err := png.DecodeConfig(&hi)
	require.NoError(t, err)
	b, err := png.DecodeConfig(&lo)
	require.NoError(t, err)
	assert.InDelta(t, a.Width/2, b.Width, 1)
	assert.InDelta(t, a.Height/2, b.Height, 1)
}

// svgText walks the tokens of an SVG document, failing on malformed XML,
// and returns the root element's name and the text of its <text> elements.
func svgText(t *testing.T, doc []byte) (root string, texts []string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	depth, inText := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = tok.Name.Local
			}
			depth++
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			depth--
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
	assert.Zero(t, depth, "every element is closed")
	return root, texts
}

// TestSVG draws the lossy run as SVG: well-formed XML whose texts carry
// the names, addresses, times, labels and legend.
func TestSVG(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, diagram.Draw(ladder(t, "lossy.jsonl"), diagram.Options{}).WriteSVG(&b))
	assert.Greater(t, b.Len(), 5_000)
	assert.Less(t, b.Len(), 500_000)
	root, texts := svgText(t, b.Bytes())
	assert.Equal(t, "svg", root)
	for _, want := range []string{
		"t (ms)", "user1", "10.0.1.1", "user2", "10.0.2.1", "1500", "+1000 ms",
		"INVITE (lost: loss)", "INVITE (retx)", "180 Ringing (lost: loss)",
		"message", "retransmission (retx)", "lost message",
	} {
		assert.Contains(t, texts, want)
	}
	assert.NotContains(t, texts, "timer fired", "no timer fires in this run")
	assert.Contains(t, b.String(), "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;", "fallback fonts")
	assert.NotContains(t, b.String(), "font-family:Liberation Sans;")
	assert.Equal(t, strings.Count(b.String(), "<text "), strings.Count(b.String(), `lengthAdjust="spacingAndGlyphs"`), "every text has its width")
}

// TestSVGDeterministic draws the same ladder twice: the same bytes.
func TestSVGDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, diagram.Draw(ladder(t, "lossy.jsonl"), diagram.Options{}).WriteSVG(&a))
	require.NoError(t, diagram.Draw(ladder(t, "lossy.jsonl"), diagram.Options{}).WriteSVG(&b))
	assert.True(t, bytes.Equal(a.Bytes(), b.Bytes()), "two drawings of one ladder differ")
}

// TestShapes draws every kind of row (the rows of analysis's
// TestLadderShapes, with a timer, a decision and a crash shown) without
// failing, into a valid SVG with a legend for each style.
func TestShapes(t *testing.T) {
	recs := []analysis.Record{
		{TimeNs: 0, Event: "send", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{TimeNs: 2_000_000, Event: "send", ID: 2, From: "c", To: "a", Method: "INVITE", Status: 302, Reason: "Moved Temporarily"},
		{TimeNs: 2_500_000, Event: "timer", Node: "c", Label: "timeout", Detail: "transaction 3: B"},
		{TimeNs: 3_000_000, Event: "send", ID: 3, From: "a", To: "c", Method: "ACK", Retransmission: true},
		{TimeNs: 3_000_000, Event: "drop", ID: 3, From: "a", To: "c", Method: "ACK", Reason: "loss", Hop: "a->b"},
		{TimeNs: 5_000_000, Event: "drop", ID: 5, From: "c", To: "a", Method: "BYE", Status: 200, Reason: "host-down"},
		{TimeNs: 6_000_000, Event: "send", ID: 6, From: "c", To: "c", Method: "OPTIONS"},
		{TimeNs: 7_000_000, Event: "decision", Node: "b", Label: "route", Detail: "to c"},
		{TimeNs: 8_000_000, Event: "host-down", Node: "c"},
		// Markup in a text stays text, and does not pass for one of the
		// SVG's <text> elements.
		{TimeNs: 9_000_000, Event: "decision", Node: "a", Label: "odd", Detail: `<text x="1"> & </text>`},
	}
	l := analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"a", "b", "c"}, Timers: true, Decisions: true})
	var b bytes.Buffer
	require.NoError(t, diagram.Draw(l, diagram.Options{}).WriteSVG(&b))
	_, texts := svgText(t, b.Bytes())
	for _, want := range []string{"OPTIONS", "200 OK (lost: host-down)", "timeout: transaction 3: B", "route: to c", "host-down", "timer fired", "lost message", `odd: <text x="1"> & </text>`} {
		assert.Contains(t, texts, want)
	}
}

// TestEmpty draws ladders with nothing in them.
func TestEmpty(t *testing.T) {
	for _, cols := range [][]string{nil, {"a"}} {
		d := diagram.Draw(analysis.NewLadder(nil, analysis.LadderOptions{Columns: cols}), diagram.Options{})
		w, h := d.Size()
		assert.Positive(t, w)
		assert.Positive(t, h)
		var b bytes.Buffer
		require.NoError(t, d.WriteSVG(&b))
		svgText(t, b.Bytes())
		require.NoError(t, d.WritePNG(io.Discard))
	}
}

// TestWriteFile writes a ladder in each format its extension chooses: the
// text, PlantUML and Mermaid files are the ladder's own writers' bytes,
// the images start with their formats' signatures, and the extension's
// case does not matter.
func TestWriteFile(t *testing.T) {
	l := ladder(t, "seed.jsonl")
	dir := t.TempDir()
	var text, puml, mmd bytes.Buffer
	require.NoError(t, l.WriteText(&text))
	require.NoError(t, l.WritePlantUML(&puml))
	require.NoError(t, l.WriteMermaid(&mmd))
	for _, tt := range []struct {
		name   string
		prefix []byte
	}{
		{"ladder.txt", text.Bytes()},
		{"ladder.puml", puml.Bytes()},
		{"ladder.mmd", mmd.Bytes()},
		{"ladder.svg", []byte("<?xml")},
		{"ladder.png", []byte("\x89PNG\r\n\x1a\n")},
		{"LADDER.PNG", []byte("\x89PNG\r\n\x1a\n")},
	} {
		path := filepath.Join(dir, tt.name)
		require.NoError(t, diagram.WriteFile(path, l), tt.name)
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(got, tt.prefix), "%s starts with %q", tt.name, got[:min(len(got), 16)])
	}
}

// TestWriteFileUnsupported refuses an extension it does not know, names
// the supported ones, and writes nothing.
func TestWriteFileUnsupported(t *testing.T) {
	l := ladder(t, "seed.jsonl")
	for _, name := range []string{"ladder.pdf", "ladder", "ladder.svg.gz"} {
		path := filepath.Join(t.TempDir(), name)
		err := diagram.WriteFile(path, l)
		require.Error(t, err, name)
		assert.True(t, errors.Is(err, diagram.ErrUnsupported), "%s: %v", name, err)
		for _, ext := range diagram.Extensions() {
			assert.Contains(t, err.Error(), ext)
		}
		assert.Contains(t, err.Error(), name)
		_, statErr := os.Stat(path)
		assert.True(t, os.IsNotExist(statErr), "%s: no file written", name)
	}
	assert.ErrorIs(t, diagram.Write(io.Discard, ".jpeg", l), diagram.ErrUnsupported)
	assert.True(t, strings.HasPrefix(diagram.Write(io.Discard, ".jpeg", l).Error(), "unsupported ladder format .jpeg: use one of .txt"))
}
