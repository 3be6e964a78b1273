package diagram

import (
	"bytes"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/sipsim/sipsim/analysis"
)

// Options says how a [Diagram] looks. The zero value is a good default.
type Options struct {
	// FontSize is the size of the arrows' labels; every other dimension
	// of the picture is in proportion to it. 0 means 11 points.
	FontSize vg.Length
	// DPI is the resolution of a PNG image ([Diagram.WritePNG]) in dots
	// per inch; 0 means 144, sharp on a slide. It does not change an SVG.
	DPI int
}

// The defaults of Options.
const (
	DefaultFontSize = 11 * vg.Length(1)
	DefaultDPI      = 144
)

// The colours of the picture. Retransmissions and losses have the colours
// of analysis's PlantUML ladder.
var (
	inkColor      = color.RGBA{0x20, 0x20, 0x20, 0xff}
	timeColor     = color.RGBA{0x70, 0x70, 0x70, 0xff}
	lifeColor     = color.RGBA{0xa0, 0xa0, 0xa0, 0xff}
	headFill      = color.RGBA{0xe3, 0xec, 0xf8, 0xff}
	retxColor     = color.RGBA{0x1f, 0x5f, 0xbf, 0xff}
	lostColor     = color.RGBA{0xcc, 0x00, 0x00, 0xff}
	timerFill     = color.RGBA{0xff, 0xe8, 0xc0, 0xff}
	timerStroke   = color.RGBA{0xd9, 0x82, 0x2b, 0xff}
	noteFill      = color.RGBA{0xf2, 0xf2, 0xf2, 0xff}
	noteStroke    = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
	hostFill      = color.RGBA{0xff, 0xd0, 0xd0, 0xff}
	whiteColor    = color.RGBA{0xff, 0xff, 0xff, 0xff}
	legendStroke  = color.RGBA{0xc8, 0xc8, 0xc8, 0xff}
	timeGapColor  = color.RGBA{0x90, 0x90, 0x90, 0xff}
	timeGapStroke = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
)

// timeGap is the least time between two rows that the picture marks with
// extra space and the time that passed ("+1980 ms").
const timeGap = 1_000_000_000

// fonts holds the Liberation fonts, parsed once.
var fonts = sync.OnceValue(func() *font.Cache { return font.NewCache(liberation.Collection()) })

func face(size float64, bold bool) font.Face {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return fonts().Lookup(f, vg.Length(size))
}

// Diagram is a ladder laid out as a picture: the positions of its
// lifelines, rows and notes, computed from the text they carry so that no
// label overlaps another. Draw it on any canvas with [Diagram.DrawOn], or
// write it with [Diagram.WriteSVG] and [Diagram.WritePNG].
type Diagram struct {
	cols, addrs []string
	rows        []analysis.LadderRow
	dpi         int

	fs                         float64 // the labels' font size, the unit of every length
	label, small, bold         font.Face
	w, h                       float64 // the picture's size
	pos                        []float64
	headW                      []float64
	headTop, headBottom        float64
	lifeEnd                    float64
	timeRight                  float64
	decimals                   int
	y                          []float64 // per row: the arrow's y, a note's centre
	noteX                      []float64 // per note row: the left of its box
	gapY                       []float64 // the centre of each time gap's space
	gapText                    []string
	legendY                    float64 // the centre of the legend's line, 0 for none
	hasRetx, hasLost, hasTimer bool
}

// Draw lays out the ladder l as a picture with opts. The result keeps no
// reference to l.
func Draw(l *analysis.Ladder, opts Options) *Diagram {
	if opts.FontSize <= 0 {
		opts.FontSize = DefaultFontSize
	}
	if opts.DPI <= 0 {
		opts.DPI = DefaultDPI
	}
	fs := opts.FontSize.Points()
	d := &Diagram{
		cols: l.Columns(), addrs: l.Addresses(), rows: l.Rows(), dpi: opts.DPI, fs: fs,
		label: face(fs, false), small: face(0.9*fs, false), bold: face(1.1*fs, true),
	}
	d.layout()
	return d
}

// Size returns the picture's width and height.
func (d *Diagram) Size() (w, h vg.Length) { return vg.Length(d.w), vg.Length(d.h) }

// width returns the width of s in f, in points.
func width(f font.Face, s string) float64 { return f.Width(s).Points() }

// Layout lengths, in multiples of the font size.
const (
	margin      = 1.2 // around the picture
	headPadX    = 0.9 // inside a header box, left and right
	minGap      = 7.0 // least distance between two lifelines
	headSpace   = 1.5 // least space between two header boxes
	labelMargin = 1.2 // least arrow on each side of a label
	headLen     = 0.8 // an arrowhead's length
	crossOff    = 1.3 // from a lost message's cross to the lifeline it did not reach
	stubLen     = 3.5 // the arrow of a message that never left its sender
	stubGap     = 0.9 // from its cross to its label
	loopW       = 2.5 // the width of a message to itself
	notePad     = 0.5 // inside a note, left and right
	clockR      = 0.6 // a timer's clock
	msgH        = 2.4 // the height of a message row
	selfH       = 3.2 // of a message to itself
	noteH       = 2.2 // of a note
	gapH        = 1.4 // the extra height of a time gap
)

// messageLabel returns the text over a message's arrow.
func messageLabel(r *analysis.LadderRow) string { return r.Label() }

// layout places everything.
func (d *Diagram) layout() {
	fs := d.fs
	n := len(d.cols)
	for _, r := range d.rows {
		d.hasRetx = d.hasRetx || r.Retransmission
		d.hasLost = d.hasLost || r.Lost
		d.hasTimer = d.hasTimer || r.Kind == analysis.RowNote && r.Event == analysis.EventTimer
	}

	// The time column.
	d.decimals = msDecimals(d.rows)
	d.timeRight = margin*fs + width(d.small, "t (ms)")
	for i, r := range d.rows {
		d.timeRight = max(d.timeRight, margin*fs+width(d.small, formatMs(r.TimeNs, d.decimals)))
		if i > 0 {
			if gap := r.TimeNs - d.rows[i-1].TimeNs; gap >= timeGap {
				d.timeRight = max(d.timeRight, margin*fs+width(d.small, gapText(gap)))
			}
		}
	}

	// Columns: header boxes, then the gaps that the labels need.
	d.headW = make([]float64, n)
	for i := range n {
		d.headW[i] = max(width(d.bold, d.cols[i]), width(d.small, d.addrs[i])) + 2*headPadX*fs
	}
	gaps := make([]float64, max(n-1, 0))
	for i := range gaps {
		gaps[i] = max(minGap*fs, (d.headW[i]+d.headW[i+1])/2+headSpace*fs)
	}
	type need struct {
		lo, hi int
		w      float64
	}
	var needs []need
	rightNeed := 0.0 // room after the last lifeline
	for i := range d.rows {
		r := &d.rows[i]
		lw := width(d.label, messageLabel(r))
		switch {
		case r.Kind == analysis.RowSelf:
			w := (loopW+0.6+labelMargin)*fs + lw
			if r.From < n-1 {
				needs = append(needs, need{r.From, r.From + 1, w})
			} else {
				rightNeed = max(rightNeed, w)
			}
		case r.Kind != analysis.RowMessage:
		case r.Lost && r.LostAt == r.From:
			// A stub towards the receiver, its label beyond it.
			w := (stubLen+stubGap+labelMargin)*fs + lw
			if r.To > r.From {
				needs = append(needs, need{r.From, r.From + 1, w})
			} else if r.From > 0 {
				needs = append(needs, need{r.From - 1, r.From, w})
			}
		default:
			end := r.To
			extra := headLen * fs
			if r.Lost {
				end, extra = r.LostAt, crossOff*fs
			}
			lo, hi := min(r.From, end), max(r.From, end)
			if lo != hi {
				needs = append(needs, need{lo, hi, lw + 2*labelMargin*fs + extra})
			}
		}
	}
	// Narrow spans first: a wide one then only widens what is still short.
	slices.SortStableFunc(needs, func(a, b need) int { return (a.hi - a.lo) - (b.hi - b.lo) })
	for _, nd := range needs {
		have := 0.0
		for g := nd.lo; g < nd.hi; g++ {
			have += gaps[g]
		}
		if have < nd.w {
			add := (nd.w - have) / float64(nd.hi-nd.lo)
			for g := nd.lo; g < nd.hi; g++ {
				gaps[g] += add
			}
		}
	}
	d.pos = make([]float64, n)
	if n > 0 {
		d.pos[0] = d.timeRight + 1.5*fs + max(d.headW[0]/2, 2*fs)
		for i := 1; i < n; i++ {
			d.pos[i] = d.pos[i-1] + gaps[i-1]
		}
	}
	right := d.timeRight + 4*fs
	if n > 0 {
		right = max(d.pos[n-1]+d.headW[n-1]/2, d.pos[n-1]+rightNeed)
	}
	contentRight := right

	// Rows, top to bottom.
	d.headTop = margin * fs
	d.headBottom = d.headTop + 3.0*fs
	y := d.headBottom + 0.6*fs
	d.y = make([]float64, len(d.rows))
	d.noteX = make([]float64, len(d.rows))
	for i := range d.rows {
		r := &d.rows[i]
		if i > 0 {
			if gap := r.TimeNs - d.rows[i-1].TimeNs; gap >= timeGap {
				d.gapY = append(d.gapY, y+gapH*fs/2)
				d.gapText = append(d.gapText, gapText(gap))
				y += gapH * fs
			}
		}
		switch r.Kind {
		case analysis.RowMessage:
			d.y[i] = y + 1.65*fs
			y += msgH * fs
		case analysis.RowSelf:
			d.y[i] = y + 1.45*fs
			y += selfH * fs
		case analysis.RowNote:
			d.y[i] = y + noteH*fs/2
			y += noteH * fs
			// The box goes right of the lifeline, or left of it when it
			// would pass the last column and fits there.
			bw := width(d.label, r.Text) + 2*notePad*fs
			off := 0.5 * fs
			if r.Event == analysis.EventTimer {
				off = (clockR + 0.4) * fs
			}
			x := d.pos[r.From] + off
			if left := d.pos[r.From] - off - bw; x+bw > contentRight && left >= d.timeRight+fs {
				x = left
			}
			d.noteX[i] = x
			right = max(right, x+bw)
		}
	}
	y += 0.8 * fs
	d.lifeEnd = y
	if d.hasRetx || d.hasLost || d.hasTimer {
		d.legendY = y + 1.6*fs
		y = d.legendY + 1.2*fs
		right = max(right, d.timeRight+1.5*fs+d.legendWidth())
	}
	d.w = math.Ceil(right + margin*fs)
	d.h = math.Ceil(y + margin*fs)
}

// gapText returns the text that marks a time gap: "+1980 ms".
func gapText(gap int64) string { return "+" + formatMs(gap, 0) + " ms" }

// msDecimals returns the fewest decimals (0 to 3) that show every row's
// time in milliseconds exactly, to the microsecond.
func msDecimals(rows []analysis.LadderRow) int {
	d := 0
	for _, r := range rows {
		us := r.TimeNs / 1000 % 1000
		switch {
		case us%10 != 0:
			d = 3
		case us%100 != 0:
			d = max(d, 2)
		case us != 0:
			d = max(d, 1)
		}
	}
	return d
}

// formatMs formats ns as milliseconds with the given decimals (at most
// 3), truncating, in integer arithmetic.
func formatMs(ns int64, decimals int) string {
	sign := ""
	if ns < 0 {
		sign, ns = "-", -ns
	}
	s := sign + strconv.FormatInt(ns/1_000_000, 10)
	if decimals > 0 {
		frac := strconv.FormatInt(1000+ns/1000%1000, 10)[1:]
		s += "." + frac[:decimals]
	}
	return s
}

// WriteSVG writes the picture as an SVG document. Its font is named, not
// embedded: Liberation Sans, or else Arial, which has the same metrics,
// Helvetica or any sans-serif font; each text carries its width in
// Liberation Sans (textLength), so that in another font it is stretched
// or squeezed to fit its box rather than overflow it. The error is the
// first of w.
func (d *Diagram) WriteSVG(w io.Writer) error {
	c := &textRecorder{Canvas: vgsvg.New(d.Size())}
	d.DrawOn(c)
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return err
	}
	doc := bytes.ReplaceAll(b.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts))
	// vgsvg writes one <text> element per FillString, in order.
	parts := bytes.Split(doc, []byte("<text "))
	if len(parts)-1 != len(c.widths) {
		panic("diagram: vgsvg wrote " + strconv.Itoa(len(parts)-1) + " texts for " + strconv.Itoa(len(c.widths)) + " strings")
	}
	var out bytes.Buffer
	out.Write(parts[0])
	for i, p := range parts[1:] {
		out.WriteString(`<text textLength="` + strconv.FormatFloat(c.widths[i], 'f', 2, 64) + `" lengthAdjust="spacingAndGlyphs" `)
		out.Write(p)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// svgFonts is the font family of the SVG's text, with fallbacks.
const svgFonts = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// textRecorder is an SVG canvas that records the width of each string it
// draws, in order.
type textRecorder struct {
	*vgsvg.Canvas
	widths []float64
}

func (c *textRecorder) FillString(f font.Face, pt vg.Point, s string) {
	c.widths = append(c.widths, f.Width(s).Points())
	c.Canvas.FillString(f, pt, s)
}

// WritePNG writes the picture as a PNG image at the DPI of its options.
// The error is the first of w.
func (d *Diagram) WritePNG(w io.Writer) error {
	wd, ht := d.Size()
	c := vgimg.NewWith(vgimg.UseWH(wd, ht), vgimg.UseDPI(d.dpi), vgimg.UseBackgroundColor(whiteColor))
	d.DrawOn(c)
	_, err := vgimg.PngCanvas{Canvas: c}.WriteTo(w)
	return err
}
