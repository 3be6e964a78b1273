package diagram

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

	"github.com/sipsim/sipsim/analysis"
)

// painter draws on a canvas in the layout's coordinates: points, y down
// from the top of the picture.
type painter struct {
	c vg.Canvas
	h float64
}

func (p painter) pt(x, y float64) vg.Point { return vg.Point{X: vg.Length(x), Y: vg.Length(p.h - y)} }

// line strokes a polyline through xy pairs, dashed when dash > 0.
func (p painter) line(clr color.Color, w, dash float64, xy ...float64) {
	var path vg.Path
	for i := 0; i+1 < len(xy); i += 2 {
		if i == 0 {
			path.Move(p.pt(xy[i], xy[i+1]))
		} else {
			path.Line(p.pt(xy[i], xy[i+1]))
		}
	}
	p.c.SetColor(clr)
	p.c.SetLineWidth(vg.Length(w))
	if dash > 0 {
		p.c.SetLineDash([]vg.Length{vg.Length(dash), vg.Length(dash * 0.6)}, 0)
	} else {
		p.c.SetLineDash(nil, 0)
	}
	p.c.Stroke(path)
}

// rect fills (and strokes, when stroke is not nil) a rectangle.
func (p painter) rect(x, y, w, h float64, fill, stroke color.Color, lw float64) {
	var path vg.Path
	path.Move(p.pt(x, y))
	path.Line(p.pt(x+w, y))
	path.Line(p.pt(x+w, y+h))
	path.Line(p.pt(x, y+h))
	path.Close()
	if fill != nil {
		p.c.SetColor(fill)
		p.c.Fill(path)
	}
	if stroke != nil {
		p.c.SetColor(stroke)
		p.c.SetLineWidth(vg.Length(lw))
		p.c.SetLineDash(nil, 0)
		p.c.Stroke(path)
	}
}

// circle fills and strokes a circle.
func (p painter) circle(x, y, r float64, fill, stroke color.Color, lw float64) {
	var path vg.Path
	path.Move(p.pt(x+r, y))
	path.Arc(p.pt(x, y), vg.Length(r), 0, 2*math.Pi)
	path.Close()
	p.c.SetColor(fill)
	p.c.Fill(path)
	p.c.SetColor(stroke)
	p.c.SetLineWidth(vg.Length(lw))
	p.c.SetLineDash(nil, 0)
	p.c.Stroke(path)
}

// head fills the arrowhead with its tip at (x, y), pointing right
// when dir is 1, left when -1.
func (p painter) head(clr color.Color, x, y, dir, length float64) {
	var path vg.Path
	half := length * 0.4
	path.Move(p.pt(x, y))
	path.Line(p.pt(x-dir*length, y-half))
	path.Line(p.pt(x-dir*length, y+half))
	path.Close()
	p.c.SetColor(clr)
	p.c.Fill(path)
}

// Text alignments.
const (
	alignLeft = iota
	alignCenter
	alignRight
)

// text draws s with its baseline at y, aligned on x.
func (p painter) text(f font.Face, clr color.Color, x, y float64, align int, s string) {
	w := f.Width(s).Points()
	switch align {
	case alignCenter:
		x -= w / 2
	case alignRight:
		x -= w
	}
	p.c.SetColor(clr)
	p.c.FillString(f, p.pt(x, y), s)
}

// labelOver draws s centred on x with its baseline at y over a white box,
// so that the lifelines it crosses do not cross the text.
func (p painter) labelOver(f font.Face, clr color.Color, x, y float64, s string) {
	w := f.Width(s).Points()
	e := f.Extents()
	pad := 2.0
	p.rect(x-w/2-pad, y-e.Ascent.Points(), w+2*pad, e.Ascent.Points()+e.Descent.Points(), whiteColor, nil, 0)
	p.text(f, clr, x, y, alignCenter, s)
}

// baseline returns the baseline that centres a line of f on y.
func baseline(f font.Face, y float64) float64 {
	e := f.Extents()
	return y + (e.Ascent.Points()-e.Descent.Points())/2
}

// rowStyle returns the colour and dash length of a message's arrow.
func (d *Diagram) rowStyle(r *analysis.LadderRow) (color.Color, float64) {
	switch {
	case r.Lost:
		return lostColor, 0.5 * d.fs
	case r.Retransmission:
		return retxColor, 0
	}
	return inkColor, 0
}

// DrawOn draws the picture on c, whose size should be [Diagram.Size]:
// on a larger canvas it sits in the top left corner.
func (d *Diagram) DrawOn(c vg.CanvasSizer) {
	_, ch := c.Size()
	p := painter{c: c, h: ch.Points()}
	fs := d.fs
	lw := max(1, fs/11)
	p.rect(0, 0, d.w, d.h, whiteColor, nil, 0)

	// The time column's head, the lifelines and their headers.
	headMid := (d.headTop + d.headBottom) / 2
	p.text(d.small, timeColor, d.timeRight, baseline(d.small, headMid), alignRight, "t (ms)")
	for i, x := range d.pos {
		p.line(lifeColor, lw, 0.4*fs, x, d.headBottom, x, d.lifeEnd)
		hw := d.headW[i]
		p.rect(x-hw/2, d.headTop, hw, d.headBottom-d.headTop, headFill, inkColor, lw)
		if d.addrs[i] == "" {
			p.text(d.bold, inkColor, x, baseline(d.bold, headMid), alignCenter, d.cols[i])
			continue
		}
		p.text(d.bold, inkColor, x, baseline(d.bold, headMid-0.6*fs), alignCenter, d.cols[i])
		p.text(d.small, inkColor, x, baseline(d.small, headMid+0.75*fs), alignCenter, d.addrs[i])
	}

	// Time gaps: a faint band across the lifelines and the time that
	// passed.
	for i, y := range d.gapY {
		if len(d.pos) > 0 {
			p.line(timeGapStroke, lw, 0.25*fs, d.timeRight+fs, y, d.pos[len(d.pos)-1]+fs, y)
		}
		p.text(d.small, timeGapColor, d.timeRight, baseline(d.small, y), alignRight, d.gapText[i])
	}

	for i := range d.rows {
		r := &d.rows[i]
		y := d.y[i]
		p.text(d.small, timeColor, d.timeRight, baseline(d.small, y), alignRight, formatMs(r.TimeNs, d.decimals))
		switch r.Kind {
		case analysis.RowMessage:
			d.drawMessage(p, r, y, lw)
		case analysis.RowSelf:
			d.drawSelf(p, r, y, lw)
		case analysis.RowNote:
			d.drawNote(p, r, d.noteX[i], y, lw)
		}
	}
	if d.legendY > 0 {
		d.drawLegend(p, lw)
	}
}

// drawMessage draws the arrow of a message between two columns, its
// label centred over it.
func (d *Diagram) drawMessage(p painter, r *analysis.LadderRow, y, lw float64) {
	fs := d.fs
	clr, dash := d.rowStyle(r)
	x0 := d.pos[r.From]
	dir := 1.0
	if r.To < r.From {
		dir = -1
	}
	labelY := y - 0.45*fs
	text := messageLabel(r)
	switch {
	case r.Lost && r.LostAt == r.From:
		// It never left its sender: a stub ending in a cross, the label
		// beyond the cross on the arrow's line.
		x1 := x0 + dir*stubLen*fs
		p.line(clr, 1.5*lw, dash, x0, y, x1, y)
		d.cross(p, x1, y, lw)
		align := alignLeft
		if dir < 0 {
			align = alignRight
		}
		p.text(d.label, clr, x1+dir*stubGap*fs, baseline(d.label, y), align, text)
	case r.Lost:
		x1 := d.pos[r.LostAt] - dir*crossOff*fs
		p.line(clr, 1.5*lw, dash, x0, y, x1, y)
		d.cross(p, x1, y, lw)
		p.labelOver(d.label, clr, (x0+x1)/2, labelY, text)
	default:
		x1 := d.pos[r.To]
		hl := headLen * fs
		p.line(clr, 1.5*lw, dash, x0, y, x1-dir*hl*0.9, y)
		p.head(clr, x1, y, dir, hl)
		p.labelOver(d.label, clr, (x0+x1)/2, labelY, text)
	}
}

// cross draws the cross that ends a lost message.
func (d *Diagram) cross(p painter, x, y, lw float64) {
	s := 0.42 * d.fs
	p.line(lostColor, 2.2*lw, 0, x-s, y-s, x+s, y+s)
	p.line(lostColor, 2.2*lw, 0, x-s, y+s, x+s, y-s)
}

// drawSelf draws a message a node sent to itself: a loop to the right of
// its lifeline, the label beside it.
func (d *Diagram) drawSelf(p painter, r *analysis.LadderRow, y, lw float64) {
	fs := d.fs
	clr, dash := d.rowStyle(r)
	x := d.pos[r.From]
	w, h := loopW*fs, 1.0*fs
	hl := headLen * fs
	p.line(clr, 1.5*lw, dash, x, y, x+w, y, x+w, y+h, x+hl*0.9, y+h)
	if r.Lost {
		d.cross(p, x+hl, y+h, lw)
	} else {
		p.head(clr, x, y+h, -1, hl)
	}
	p.text(d.label, clr, x+w+0.6*fs, baseline(d.label, y+h/2), alignLeft, messageLabel(r))
}

// drawNote draws a timer, decision or host event: a clock (a timer) or a
// dot on the lifeline, and the note's box at x.
func (d *Diagram) drawNote(p painter, r *analysis.LadderRow, x, y, lw float64) {
	fs := d.fs
	fill, stroke := noteFill, noteStroke
	switch r.Event {
	case analysis.EventTimer:
		fill, stroke = timerFill, timerStroke
	case analysis.EventHostDown, analysis.EventHostUp:
		fill, stroke = hostFill, lostColor
	}
	bw := width(d.label, r.Text) + 2*notePad*fs
	bh := 1.5 * fs
	p.rect(x, y-bh/2, bw, bh, fill, stroke, lw)
	p.text(d.label, inkColor, x+notePad*fs, baseline(d.label, y), alignLeft, r.Text)
	lx := d.pos[r.From]
	if r.Event == analysis.EventTimer {
		d.clock(p, lx, y, lw)
		return
	}
	p.circle(lx, y, 0.22*fs, stroke, stroke, lw)
}

// clock draws a timer's clock face centred on (x, y).
func (d *Diagram) clock(p painter, x, y, lw float64) {
	r := clockR * d.fs
	p.circle(x, y, r, whiteColor, timerStroke, 1.5*lw)
	p.line(inkColor, 1.2*lw, 0, x, y-0.7*r, x, y, x+0.5*r, y)
}

// legendItems returns the legend's entries that the picture uses.
func (d *Diagram) legendItems() []string {
	items := []string{"message"}
	if d.hasRetx {
		items = append(items, "retransmission (retx)")
	}
	if d.hasLost {
		items = append(items, "lost message")
	}
	if d.hasTimer {
		items = append(items, "timer fired")
	}
	return items
}

// Legend lengths, in multiples of the font size.
const (
	legendSample = 3.0 // the sample arrow
	legendSpace  = 1.8 // between two entries
)

// legendWidth returns the width of the legend's line.
func (d *Diagram) legendWidth() float64 {
	w := 0.0
	for _, s := range d.legendItems() {
		w += (legendSample+0.5+legendSpace)*d.fs + width(d.small, s)
	}
	return w + 1.0*d.fs
}

// drawLegend draws a sample of each style the picture uses and what it
// means, in a framed line under the lifelines.
func (d *Diagram) drawLegend(p painter, lw float64) {
	fs := d.fs
	y := d.legendY
	x := d.timeRight + 1.5*fs
	p.rect(x, y-1.0*fs, d.legendWidth(), 2.0*fs, whiteColor, legendStroke, lw)
	x += 0.8 * fs
	for _, item := range d.legendItems() {
		x0, x1 := x, x+legendSample*fs
		switch item {
		case "message":
			p.line(inkColor, 1.5*lw, 0, x0, y, x1-0.7*fs, y)
			p.head(inkColor, x1, y, 1, 0.8*fs)
		case "lost message":
			p.line(lostColor, 1.5*lw, 0.5*fs, x0, y, x1-0.4*fs, y)
			d.cross(p, x1-0.4*fs, y, lw)
		case "timer fired":
			d.clock(p, (x0+x1)/2, y, lw)
		default:
			p.line(retxColor, 1.5*lw, 0, x0, y, x1-0.7*fs, y)
			p.head(retxColor, x1, y, 1, 0.8*fs)
		}
		p.text(d.small, inkColor, x1+0.5*fs, baseline(d.small, y), alignLeft, item)
		x = x1 + 0.5*fs + width(d.small, item) + legendSpace*fs
	}
}
