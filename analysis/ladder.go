package analysis

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"
)

// LadderOptions says what a [Ladder] shows.
type LadderOptions struct {
	// Columns names the nodes, left to right. A node that sends, receives
	// or notes something but is not listed gets a column after them, in
	// order of first appearance.
	Columns []string
	// Timers shows timer firings (EventTimer) as notes in the node's
	// column.
	Timers bool
	// Decisions shows decisions and host crashes and recoveries
	// (EventDecision, EventHostDown, EventHostUp) as notes in the node's
	// column.
	Decisions bool
	// Numbered appends the message's number to each arrow's label, as the
	// call flows of RFC 3665 do ("INVITE F1", "100 Trying F2"): messages
	// are numbered from 1 in the order they were sent.
	Numbered bool
	// Addresses gives the address of each node of Columns, in the same
	// order ("10.0.1.1"), for the writers that show them under the names
	// (PlantUML, Mermaid, images); it may be shorter than Columns or
	// empty, and "" means unknown. The text ladder does not show them.
	Addresses []string
}

// RowKind is what a [LadderRow] draws.
type RowKind uint8

const (
	// RowMessage is an arrow from one column to another.
	RowMessage RowKind = iota
	// RowSelf is a message a node sent to itself: an arrow that leaves
	// its column and comes back.
	RowSelf
	// RowNote is a note in one column: a timer, a decision, or a host
	// crash or recovery.
	RowNote
)

// LadderRow is one row of a [Ladder], in the terms of its columns, for
// writers that draw a ladder their own way (see [Ladder.Rows]).
type LadderRow struct {
	// Kind says what the row draws.
	Kind RowKind
	// TimeNs is the virtual time of the row in nanoseconds since the run
	// started: when the message was sent (or, if it never left, dropped),
	// or when the note's event happened.
	TimeNs int64
	// From is the column of the message's sender, or of the note's node.
	From int
	// To is the column of the node the message is addressed to; of a note,
	// the same as From.
	To int
	// Text is the message as [Record.MessageText] names it ("INVITE",
	// "180 Ringing"), or the note ("timeout: transaction 3: B").
	Text string
	// Event is, for a note, the event it shows: EventTimer,
	// EventDecision, EventHostDown or EventHostUp; "" for a message.
	Event string
	// Retransmission reports that the message is a SIP retransmission
	// ([Record].Retransmission).
	Retransmission bool
	// Lost reports that the message was dropped.
	Lost bool
	// LostAt is, for a lost message, the column before which its arrow
	// ends: the column of the node at the far end of the link where it
	// was lost when that node is on the arrow's way, From when it never
	// left its sender, To otherwise.
	LostAt int
	// LostWhy is why a lost message was dropped ("loss",
	// "queue-overflow", "host-down", ...; see [Record].Reason).
	LostWhy string
	// Number is the message's number when the ladder is
	// [LadderOptions].Numbered (from 1, in the order sent), 0 otherwise
	// and for notes.
	Number int
}

// Ladder is the sequence diagram of a trace, in the style of the call
// flows of RFC 3665: one column per node, one row per SIP message sent,
// an arrow from the sender's column to the column of the node it was
// addressed to, labelled with the method of a request or the status and
// reason of a response, and the virtual time in milliseconds at the left.
// A retransmission is labelled "(retx)"; a message that was lost ends in
// "x" and says why ("(lost: loss)"), before the column of the node where
// it was lost when that node is on its way; timers and decisions can be shown as
// notes ("* timeout: transaction 3: B").
//
// A Ladder is built from records ([Collector], or [ReadRecords] of a saved
// trace), so the same picture comes from a live run and from its file.
type Ladder struct {
	cols  []string
	addrs []string // parallel to cols, "" when unknown
	rows  []LadderRow
}

// NewLadder builds the ladder of records, which are in trace order.
func NewLadder(records []Record, opts LadderOptions) *Ladder {
	l := &Ladder{cols: slices.Clone(opts.Columns)}
	l.addrs = make([]string, len(l.cols))
	copy(l.addrs, opts.Addresses)
	index := map[string]int{}
	for i, c := range l.cols {
		if _, dup := index[c]; !dup {
			index[c] = i
		}
	}
	col := func(name string) int {
		if i, ok := index[name]; ok {
			return i
		}
		index[name] = len(l.cols)
		l.cols = append(l.cols, name)
		l.addrs = append(l.addrs, "")
		return len(l.cols) - 1
	}
	sent := map[uint64]int{} // message id -> row of its send
	for i := range records {
		r := &records[i]
		switch r.Event {
		case EventSend:
			row := LadderRow{Kind: RowMessage, TimeNs: r.TimeNs, From: col(r.From), To: col(r.To), Text: r.MessageText(), Retransmission: r.Retransmission}
			if row.From == row.To {
				row.Kind = RowSelf
			}
			if r.ID != 0 {
				sent[r.ID] = len(l.rows)
			}
			l.rows = append(l.rows, row)
		case EventDrop:
			if j, ok := sent[r.ID]; ok && r.ID != 0 {
				if row := &l.rows[j]; !row.Lost {
					row.Lost = true
					row.LostAt = lostColumn(r.Hop, row.From, row.To, index)
					row.LostWhy = r.Reason
				}
				continue
			}
			// Lost before it was sent (its host was down, no route).
			row := LadderRow{Kind: RowMessage, TimeNs: r.TimeNs, From: col(r.From), To: col(r.To), Text: r.MessageText(), Lost: true, LostWhy: r.Reason}
			row.LostAt = lostColumn(r.Hop, row.From, row.To, index)
			if row.From == row.To {
				row.Kind = RowSelf
			}
			l.rows = append(l.rows, row)
		case EventTimer:
			if opts.Timers {
				l.rows = append(l.rows, noteRow(r, col(r.Node)))
			}
		case EventDecision, EventHostDown, EventHostUp:
			if opts.Decisions {
				l.rows = append(l.rows, noteRow(r, col(r.Node)))
			}
		}
	}
	if opts.Numbered {
		n := 0
		for i := range l.rows {
			if l.rows[i].Kind != RowNote {
				n++
				l.rows[i].Number = n
			}
		}
	}
	return l
}

// lostColumn returns the column before which the arrow of a message from
// column from to column to, dropped on hop ("a->b" host names), ends: the
// column of b when it is on the arrow's way (a router that is also a
// node, or the receiver), the sender's when the message never entered a
// link, the receiver's otherwise.
func lostColumn(hop string, from, to int, index map[string]int) int {
	if hop == "" {
		return from
	}
	_, b, ok := strings.Cut(hop, "->")
	if !ok {
		return to
	}
	c, ok := index[b]
	onWay := c > from && c <= to
	if to < from {
		onWay = c < from && c >= to
	}
	if !ok || !onWay {
		return to
	}
	return c
}

// noteRow returns the row of a note about r in column c.
func noteRow(r *Record, c int) LadderRow {
	return LadderRow{Kind: RowNote, TimeNs: r.TimeNs, From: c, To: c, Text: noteText(r), Event: r.Event}
}

// Label returns the text the text ladder writes over a message's arrow:
// the message, its number if any ("F3"), then "(retx)", "(lost: why)" or
// "(retx, lost: why)". Of a note, it returns Text.
func (r *LadderRow) Label() string {
	if r.Kind == RowNote {
		return r.Text
	}
	text := r.Text
	if r.Number > 0 {
		text += " F" + strconv.Itoa(r.Number)
	}
	switch {
	case r.Retransmission && r.Lost:
		return text + " (retx, lost: " + r.LostWhy + ")"
	case r.Retransmission:
		return text + " (retx)"
	case r.Lost:
		return text + " (lost: " + r.LostWhy + ")"
	}
	return text
}

// noteText returns the text of a note: "label: detail".
func noteText(r *Record) string {
	label := r.Label
	if label == "" {
		label = r.Event
	}
	if r.Detail == "" {
		return label
	}
	return label + ": " + r.Detail
}

// Columns returns the ladder's node names, left to right.
func (l *Ladder) Columns() []string { return slices.Clone(l.cols) }

// Addresses returns the address of each column's node, parallel to
// [Ladder.Columns], "" where unknown ([LadderOptions].Addresses).
func (l *Ladder) Addresses() []string { return slices.Clone(l.addrs) }

// Rows returns the ladder's rows, top to bottom: a copy, for writers
// that draw the ladder their own way.
func (l *Ladder) Rows() []LadderRow { return slices.Clone(l.rows) }

// Len returns the number of rows: messages, and notes if asked for.
func (l *Ladder) Len() int { return len(l.rows) }

// Layout constants of the text ladder, in characters.
const (
	minGap      = 8 // least distance between two lifelines
	namePadding = 2 // least space between two column names
	labelMargin = 2 // least arrow on each side of a label
)

// layout returns the position of each lifeline, after the time column
// of width tw, so that names and arrow labels fit.
func (l *Ladder) layout(tw int) []int {
	n := len(l.cols)
	if n == 0 {
		return nil
	}
	gaps := make([]int, max(n-1, 0))
	for i := range gaps {
		gaps[i] = max(minGap, (len(l.cols[i])+len(l.cols[i+1])+1)/2+namePadding)
	}
	// Labels: each sits in the gap next to its sender, which must be
	// wide enough for it.
	for _, r := range l.rows {
		if r.Kind != RowMessage {
			continue
		}
		if g := senderGap(r); g >= 0 && g < len(gaps) {
			gaps[g] = max(gaps[g], len(r.Label())+2*labelMargin+1)
		}
	}
	pos := make([]int, n)
	pos[0] = tw + 2 + max(minGap/2, (len(l.cols[0])+1)/2)
	for i := 1; i < n; i++ {
		pos[i] = pos[i-1] + gaps[i-1]
	}
	return pos
}

// senderGap returns the index of the gap between the sender's lifeline
// and the next one towards the receiver, where the label of the arrow of
// message row r goes.
func senderGap(r LadderRow) int {
	if r.To > r.From {
		return r.From
	}
	return r.From - 1
}

// formatMs formats a time in nanoseconds as milliseconds with three
// decimals ("1020.000"), in integer arithmetic.
func formatMs(ns int64) string {
	neg := ns < 0
	if neg {
		ns = -ns
	}
	us := ns / 1000
	s := strconv.FormatInt(us/1000, 10) + "." + strconv.FormatInt(1000+us%1000, 10)[1:]
	if neg {
		s = "-" + s
	}
	return s
}

// WriteText draws the ladder in ASCII: a header with the node names, then
// for each message a label line and an arrow line ("|------->|",
// "|<-------|", "|-----x  |" for a lost message) with the time at the
// left, and for each note one line with "*" on the node's lifeline. An
// arrow that spans several columns crosses the lifelines between them; its
// label sits between the sender and the next lifeline, and each gap is as
// wide as its longest label. Widths count bytes: a non-ASCII name or reason
// phrase (RFC 4475 3.1.1.12) is drawn, only misaligned. Trailing spaces are
// trimmed. The error is the first of w.
func (l *Ladder) WriteText(w io.Writer) error {
	const timeHead = "t (ms)"
	tw := len(timeHead)
	for _, r := range l.rows {
		tw = max(tw, len(formatMs(r.TimeNs)))
	}
	pos := l.layout(tw)
	width := 0
	if len(pos) > 0 {
		width = pos[len(pos)-1] + 1
	}
	bw := bufio.NewWriter(w)
	line := make([]byte, 0, 2*width)
	blank := func() []byte {
		line = line[:0]
		for range width {
			line = append(line, ' ')
		}
		for _, p := range pos {
			line[p] = '|'
		}
		return line
	}
	put := func(b []byte, at int, s string) []byte {
		for len(b) < at+len(s) {
			b = append(b, ' ')
		}
		copy(b[at:], s)
		return b
	}
	emit := func(b []byte) {
		bw.Write(append(bytes.TrimRight(b, " "), '\n'))
	}
	putTime := func(b []byte, t int64) []byte {
		s := formatMs(t)
		return put(b, tw-len(s), s)
	}

	// Header: the names centred on their lifelines.
	line = line[:0]
	line = put(line, 0, timeHead)
	for i, name := range l.cols {
		line = put(line, max(pos[i]-len(name)/2, 0), name)
	}
	emit(line)
	emit(blank())

	for _, r := range l.rows {
		switch r.Kind {
		case RowMessage:
			a, b := pos[r.From], pos[r.To]
			lo, hi := min(a, b), max(a, b)
			// Label line: centred over the arrow's first stretch, between
			// the sender's lifeline and the next one.
			g := senderGap(r)
			glo, ghi := pos[g], pos[g+1]
			lab := blank()
			text := r.Label()
			at := glo + 1 + (ghi-glo-1-len(text))/2
			lab = put(lab, max(at, glo+1), text)
			emit(lab)
			// Arrow line.
			ar := putTime(blank(), r.TimeNs)
			switch {
			case r.Lost && r.LostAt == r.From && a < b:
				// Never left its sender.
				ar[a+1], ar[a+2] = '-', 'x'
			case r.Lost && r.LostAt == r.From:
				ar[a-1], ar[a-2] = '-', 'x'
			case r.Lost && a < b:
				end := pos[r.LostAt]
				for x := a + 1; x < end-3; x++ {
					ar[x] = '-'
				}
				ar[end-3] = 'x'
			case r.Lost:
				end := pos[r.LostAt]
				for x := end + 4; x < a; x++ {
					ar[x] = '-'
				}
				ar[end+3] = 'x'
			default:
				for x := lo + 1; x < hi; x++ {
					ar[x] = '-'
				}
				if a < b {
					ar[b-1] = '>'
				} else {
					ar[b+1] = '<'
				}
			}
			emit(ar)
		case RowSelf:
			ln := putTime(blank(), r.TimeNs)
			p := pos[r.From]
			ln = put(ln, p+1, "--+ "+r.Label())
			emit(ln)
			ln = blank()
			emit(put(ln, p+1, "<-+"))
		case RowNote:
			ln := putTime(blank(), r.TimeNs)
			p := pos[r.From]
			ln[p] = '*'
			emit(put(ln, p+2, r.Text))
		}
	}
	emit(blank())
	return bw.Flush()
}
