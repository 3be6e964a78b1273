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
}

// rowKind is what a ladder row draws.
type rowKind uint8

const (
	rowMessage rowKind = iota // an arrow between two columns
	rowSelf                   // a message a node sent to itself
	rowNote                   // a note in one column
)

// ladderRow is one row of a ladder.
type ladderRow struct {
	kind     rowKind
	t        int64
	from, to int    // columns; the note's column in from
	text     string // the arrow's label or the note
	lost     bool   // the message was dropped
	lostAt   int    // column before which a lost message ends
	why      string // why it was lost
	retx     bool   // the message is a retransmission
	num      int    // the message's number, 0 when not numbered
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
	cols []string
	rows []ladderRow
}

// NewLadder builds the ladder of records, which are in trace order.
func NewLadder(records []Record, opts LadderOptions) *Ladder {
	l := &Ladder{cols: slices.Clone(opts.Columns)}
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
		return len(l.cols) - 1
	}
	sent := map[uint64]int{} // message id -> row of its send
	for i := range records {
		r := &records[i]
		switch r.Event {
		case EventSend:
			row := ladderRow{kind: rowMessage, t: r.TimeNs, from: col(r.From), to: col(r.To), text: r.MessageText(), retx: r.Retransmission}
			if row.from == row.to {
				row.kind = rowSelf
			}
			if r.ID != 0 {
				sent[r.ID] = len(l.rows)
			}
			l.rows = append(l.rows, row)
		case EventDrop:
			if j, ok := sent[r.ID]; ok && r.ID != 0 {
				if row := &l.rows[j]; !row.lost {
					row.lost = true
					row.lostAt = lostColumn(r.Hop, row.from, row.to, index)
					row.why = r.Reason
				}
				continue
			}
			// Lost before it was sent (its host was down, no route).
			row := ladderRow{kind: rowMessage, t: r.TimeNs, from: col(r.From), to: col(r.To), text: r.MessageText(), lost: true, why: r.Reason}
			row.lostAt = lostColumn(r.Hop, row.from, row.to, index)
			if row.from == row.to {
				row.kind = rowSelf
			}
			l.rows = append(l.rows, row)
		case EventTimer:
			if opts.Timers {
				l.rows = append(l.rows, ladderRow{kind: rowNote, t: r.TimeNs, from: col(r.Node), text: noteText(r)})
			}
		case EventDecision, EventHostDown, EventHostUp:
			if opts.Decisions {
				l.rows = append(l.rows, ladderRow{kind: rowNote, t: r.TimeNs, from: col(r.Node), text: noteText(r)})
			}
		}
	}
	if opts.Numbered {
		n := 0
		for i := range l.rows {
			if l.rows[i].kind != rowNote {
				n++
				l.rows[i].num = n
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

// label returns the text over a message's arrow: the message, its
// number if any ("F3"), then "(retx)", "(lost: why)" or "(retx, lost: why)".
func (r *ladderRow) label() string {
	text := r.text
	if r.num > 0 {
		text += " F" + strconv.Itoa(r.num)
	}
	switch {
	case r.retx && r.lost:
		return text + " (retx, lost: " + r.why + ")"
	case r.retx:
		return text + " (retx)"
	case r.lost:
		return text + " (lost: " + r.why + ")"
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
		if r.kind != rowMessage {
			continue
		}
		if g := senderGap(r); g >= 0 && g < len(gaps) {
			gaps[g] = max(gaps[g], len(r.label())+2*labelMargin+1)
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
func senderGap(r ladderRow) int {
	if r.to > r.from {
		return r.from
	}
	return r.from - 1
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
		tw = max(tw, len(formatMs(r.t)))
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
		switch r.kind {
		case rowMessage:
			a, b := pos[r.from], pos[r.to]
			lo, hi := min(a, b), max(a, b)
			// Label line: centred over the arrow's first stretch, between
			// the sender's lifeline and the next one.
			g := senderGap(r)
			glo, ghi := pos[g], pos[g+1]
			lab := blank()
			text := r.label()
			at := glo + 1 + (ghi-glo-1-len(text))/2
			lab = put(lab, max(at, glo+1), text)
			emit(lab)
			// Arrow line.
			ar := putTime(blank(), r.t)
			switch {
			case r.lost && r.lostAt == r.from && a < b:
				// Never left its sender.
				ar[a+1], ar[a+2] = '-', 'x'
			case r.lost && r.lostAt == r.from:
				ar[a-1], ar[a-2] = '-', 'x'
			case r.lost && a < b:
				end := pos[r.lostAt]
				for x := a + 1; x < end-3; x++ {
					ar[x] = '-'
				}
				ar[end-3] = 'x'
			case r.lost:
				end := pos[r.lostAt]
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
		case rowSelf:
			ln := putTime(blank(), r.t)
			p := pos[r.from]
			ln = put(ln, p+1, "--+ "+r.label())
			emit(ln)
			ln = blank()
			emit(put(ln, p+1, "<-+"))
		case rowNote:
			ln := putTime(blank(), r.t)
			p := pos[r.from]
			ln[p] = '*'
			emit(put(ln, p+2, r.text))
		}
	}
	emit(blank())
	return bw.Flush()
}
