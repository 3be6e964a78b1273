package analysis

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// The arrow colours of the PlantUML ladder; the image writer uses the
// same ones.
const (
	umlRetxColor = "#1F5FBF" // a retransmission: blue
	umlLostColor = "#CC0000" // a lost message: red
	umlTimerNote = "#FFE8C0" // a timer's note: orange
	umlHostNote  = "#FFD0D0" // a host crash or recovery: pink
)

// umlDelay is the least gap between two rows that the PlantUML ladder
// shows as a delay ("... 1970 ms ...").
const umlDelay = 1_000_000_000

// umlReserved are words that PlantUML or Mermaid read as keywords where
// a participant's alias goes; a node so named gets an alias like "n3".
var umlReserved = []string{
	"activate", "actor", "alt", "and", "autonumber", "box", "boundary",
	"break", "collections", "control", "create", "critical", "database",
	"deactivate", "destroy", "else", "end", "entity", "group", "hide",
	"left", "legend", "link", "links", "loop", "note", "of", "opt", "over",
	"par", "participant", "properties", "queue", "rect", "ref", "right",
	"title",
}

// umlAliases returns the identifier of each column in PlantUML and
// Mermaid: the node's name when it is a plain identifier (a letter, then
// letters, digits and "_") that is no keyword, "n" and the column's
// number from 1 otherwise, unique either way.
func umlAliases(cols []string) []string {
	used := map[string]bool{}
	out := make([]string, len(cols))
	for i, c := range cols {
		a := c
		if !plainIdent(a) || used[strings.ToLower(a)] || isReserved(a) {
			a = "n" + strconv.Itoa(i+1)
			for used[strings.ToLower(a)] {
				a += "_"
			}
		}
		used[strings.ToLower(a)] = true
		out[i] = a
	}
	return out
}

func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

func isReserved(s string) bool {
	for _, w := range umlReserved {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// umlTarget returns the column where a message row's arrow ends: the
// receiver's, or for a lost message the column before which it was lost
// (its own when it never left the sender).
func umlTarget(r *LadderRow) int {
	if r.Lost {
		return r.LostAt
	}
	return r.To
}

// umlLabel returns the text of a row in PlantUML and Mermaid, before
// escaping: the virtual time in brackets, then the note, or the message,
// its number if any, the node it was for when it was lost before it, and
// "(retransmission)", "(lost: why)" or "(retransmission, lost: why)".
func (l *Ladder) umlLabel(r *LadderRow) string {
	var b strings.Builder
	b.WriteString("[" + formatMs(r.TimeNs) + " ms] ")
	b.WriteString(r.Text)
	if r.Kind == RowNote {
		return b.String()
	}
	if r.Number > 0 {
		b.WriteString(" F" + strconv.Itoa(r.Number))
	}
	if r.Lost && umlTarget(r) != r.To {
		b.WriteString(" for " + l.cols[r.To])
	}
	switch {
	case r.Retransmission && r.Lost:
		b.WriteString(" (retransmission, lost: " + r.LostWhy + ")")
	case r.Retransmission:
		b.WriteString(" (retransmission)")
	case r.Lost:
		b.WriteString(" (lost: " + r.LostWhy + ")")
	}
	return b.String()
}

// marks reports whether the ladder has a retransmission and a lost
// message.
func (l *Ladder) marks() (retx, lost bool) {
	for _, r := range l.rows {
		retx = retx || r.Retransmission
		lost = lost || r.Lost
	}
	return retx, lost
}

// WritePlantUML writes the ladder as a PlantUML sequence diagram
// (@startuml ... @enduml): one participant per column, left to right,
// named by the node and its address when known; one arrow per message,
// labelled with its virtual time in milliseconds ("[10.000 ms] INVITE");
// a retransmission as a blue dotted arrow marked "(retransmission)"; a
// lost message as a red arrow ending in a cross ("->x") at the column
// before which it was lost, marked "(lost: why)"; timers, decisions and
// host events as notes over the node's column (timers in orange); a
// delay divider ("... 1970 ms ...") where a second or more passes between
// two rows; and a legend when there are retransmissions or losses. Text is
// escaped so that PlantUML shows it as written (creole markup, "<", "\"
// and line breaks). The error is the first of w.
func (l *Ladder) WritePlantUML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	alias := umlAliases(l.cols)
	bw.WriteString("@startuml\nhide footbox\nskinparam sequenceMessageAlign center\n")
	for i, c := range l.cols {
		name := pumlText(c)
		if l.addrs[i] != "" {
			name += `\n` + pumlText(l.addrs[i])
		}
		bw.WriteString("participant \"" + name + "\" as " + alias[i] + "\n")
	}
	for i := range l.rows {
		r := &l.rows[i]
		if i > 0 {
			if gap := r.TimeNs - l.rows[i-1].TimeNs; gap >= umlDelay {
				bw.WriteString("... " + formatMsShort(gap) + " ms ...\n")
			}
		}
		text := pumlText(l.umlLabel(r))
		if r.Kind == RowNote {
			bw.WriteString("note over " + alias[r.From])
			switch r.Event {
			case EventTimer:
				bw.WriteString(" " + umlTimerNote)
			case EventHostDown, EventHostUp:
				bw.WriteString(" " + umlHostNote)
			}
			bw.WriteString(" : " + text + "\n")
			continue
		}
		var arrow string
		switch {
		case r.Lost && r.Retransmission:
			arrow = "-[" + umlLostColor + "]->x"
		case r.Lost:
			arrow = "-[" + umlLostColor + "]>x"
		case r.Retransmission:
			arrow = "-[" + umlRetxColor + "]->"
		default:
			arrow = "->"
		}
		bw.WriteString(alias[r.From] + " " + arrow + " " + alias[umlTarget(r)] + " : " + text + "\n")
	}
	if retx, lost := l.marks(); retx || lost {
		bw.WriteString("legend right\n")
		if retx {
			bw.WriteString("<color:" + umlRetxColor + ">dotted blue arrow</color>: retransmission\n")
		}
		if lost {
			bw.WriteString("<color:" + umlLostColor + ">red arrow ending in x</color>: lost message\n")
		}
		bw.WriteString("endlegend\n")
	}
	bw.WriteString("@enduml\n")
	return bw.Flush()
}

// WriteMermaid writes the ladder as a Mermaid sequenceDiagram with the
// content of [Ladder.WritePlantUML]: participants named by node and
// address ("participant user1 as user1<br/>10.0.1.1"), a solid arrow
// ("->>") per message labelled with its virtual time, a dotted one
// ("-->>") for a retransmission, an arrow ending in a cross ("-x", "--x"
// when retransmitted) for a lost message, and notes ("Note over") for
// timers, decisions and host events. Mermaid has no delays nor colours
// per arrow: the labels say what the styles do not. Text is escaped with
// Mermaid's entity codes ("#59;" for ";", "#35;" for "#", "#quot;",
// "#lt;", "#gt;", "#amp;"). The error is the first of w.
func (l *Ladder) WriteMermaid(w io.Writer) error {
	bw := bufio.NewWriter(w)
	alias := umlAliases(l.cols)
	bw.WriteString("sequenceDiagram\n")
	for i, c := range l.cols {
		name := mmdText(c)
		if l.addrs[i] != "" {
			name += "<br/>" + mmdText(l.addrs[i])
		}
		bw.WriteString("    participant " + alias[i] + " as " + name + "\n")
	}
	for i := range l.rows {
		r := &l.rows[i]
		text := mmdText(l.umlLabel(r))
		if r.Kind == RowNote {
			bw.WriteString("    Note over " + alias[r.From] + ": " + text + "\n")
			continue
		}
		var arrow string
		switch {
		case r.Lost && r.Retransmission:
			arrow = "--x"
		case r.Lost:
			arrow = "-x"
		case r.Retransmission:
			arrow = "-->>"
		default:
			arrow = "->>"
		}
		bw.WriteString("    " + alias[r.From] + arrow + alias[umlTarget(r)] + ": " + text + "\n")
	}
	return bw.Flush()
}

// formatMsShort formats a span in nanoseconds as milliseconds without
// the decimals that are zero ("1970", "2.5").
func formatMsShort(ns int64) string {
	s := formatMs(ns)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// pumlText escapes s for a PlantUML label: a line break becomes "\n",
// other control characters a space; "\", "&", "<" (which opens a tag),
// "~" (creole's escape) and '"' become numeric character references, as does the second of two equal
// creole markup characters ("**", "//", "--", "__", "==", "^^", "[[",
// "]]"), so that the text shows as written.
func pumlText(s string) string {
	var b strings.Builder
	prev := rune(-1)
	for _, c := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case c == '\n' || c == '\r':
			b.WriteString(`\n`)
		case c < ' ' || c == 0x7f:
			b.WriteByte(' ')
		case strings.ContainsRune(`\&<~"`, c),
			c == prev && strings.ContainsRune(`*/-_=^[]`, c):
			b.WriteString("&#" + strconv.Itoa(int(c)) + ";")
			c = -1 // the next one starts a new pair
		default:
			b.WriteRune(c)
		}
		prev = c
	}
	return b.String()
}

// mmdText escapes s for a Mermaid label with its entity codes: ";" (which
// ends a statement), "#" (which starts an entity code), '"', "<", ">" and
// "&"; a line break becomes "<br/>", other control characters a space.
func mmdText(s string) string {
	var b strings.Builder
	for _, c := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch c {
		case '\n', '\r':
			b.WriteString("<br/>")
		case ';':
			b.WriteString("#59;")
		case '#':
			b.WriteString("#35;")
		case '"':
			b.WriteString("#quot;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		default:
			if c < ' ' || c == 0x7f {
				c = ' '
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}
