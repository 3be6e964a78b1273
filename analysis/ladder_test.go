package analysis_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
)

func anText(t *testing.T, l *analysis.Ladder) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, l.WriteText(&b))
	return b.String()
}

// TestLadderShapes draws each kind of row once: a request to the right, a
// response to the left across a column, a retransmission, a loss on the
// first link, a loss on a later link (before the router's column), a loss
// before the message left (its host down), a message to itself, and notes.
func TestLadderShapes(t *testing.T) {
	recs := []analysis.Record{
		{TimeNs: 0, Event: "send", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{TimeNs: 1_000_000, Event: "recv", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{TimeNs: 2_000_000, Event: "send", ID: 2, From: "c", To: "a", Method: "INVITE", Status: 302, Reason: "Moved Temporarily"},
		{TimeNs: 2_500_000, Event: "timer", Node: "c", Label: "timeout", Detail: "transaction 3: B"},
		{TimeNs: 3_000_000, Event: "send", ID: 3, From: "a", To: "c", Method: "ACK", Retransmission: true},
		{TimeNs: 3_000_000, Event: "drop", ID: 3, From: "a", To: "c", Method: "ACK", Reason: "loss", Hop: "a->b"},
		{TimeNs: 4_000_000, Event: "send", ID: 4, From: "a", To: "c", Method: "BYE"},
		{TimeNs: 4_500_000, Event: "drop", ID: 4, From: "a", To: "c", Method: "BYE", Reason: "queue-overflow", Hop: "b->c"},
		{TimeNs: 5_000_000, Event: "drop", ID: 5, From: "c", To: "a", Method: "BYE", Status: 200, Reason: "host-down"},
		{TimeNs: 6_000_000, Event: "send", ID: 6, From: "b", To: "b", Method: "OPTIONS"},
		{TimeNs: 7_000_000, Event: "decision", Node: "b", Label: "route", Detail: "to c"},
		{TimeNs: 8_000_000, Event: "host-down", Node: "d"},
	}
	l := analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"a", "b", "c"}})
	assert.Equal(t, []string{"a", "b", "c"}, l.Columns(), "notes are off: d never appears")
	assert.Equal(t, 6, l.Len(), "one row per message sent")
	want := `t (ms)      a                              b                            c
            |                              |                            |
            |            INVITE            |                            |
 0.000      |----------------------------->|                            |
            |                              |   302 Moved Temporarily    |
 2.000      |<----------------------------------------------------------|
            |    ACK (retx, lost: loss)    |                            |
 3.000      |---------------------------x  |                            |
            |  BYE (lost: queue-overflow)  |                            |
 4.000      |--------------------------------------------------------x  |
            |                              |  200 OK (lost: host-down)  |
 5.000      |                              |                          x-|
 6.000      |                              |--+ OPTIONS                 |
            |                              |<-+                         |
            |                              |                            |
`
	got := anText(t, l)
	assert.Equal(t, want, got)
}

// TestLadderNotes shows timers and decisions when asked, in the node's
// column; a node missing from Columns gets a column of its own.
func TestLadderNotes(t *testing.T) {
	recs := []analysis.Record{
		{TimeNs: 0, Event: "decision", Node: "a", Label: "call-placed"},
		{TimeNs: 1_000_000, Event: "send", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{TimeNs: 33_000_000, Event: "timer", Node: "a", Label: "timeout", Detail: "transaction 1: B"},
		{TimeNs: 34_000_000, Event: "host-down", Node: "c"},
	}
	only := func(o analysis.LadderOptions) string { return anText(t, analysis.NewLadder(recs, o)) }
	none := only(analysis.LadderOptions{Columns: []string{"a"}})
	assert.NotContains(t, none, "*")
	timers := only(analysis.LadderOptions{Columns: []string{"a"}, Timers: true})
	assert.Contains(t, timers, "33.000      * timeout: transaction 1: B")
	assert.NotContains(t, timers, "call-placed")
	all := analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"a"}, Timers: true, Decisions: true})
	assert.Equal(t, []string{"a", "b", "c"}, all.Columns())
	assert.Equal(t, 4, all.Len())
	text := anText(t, all)
	assert.Contains(t, text, "* call-placed")
	assert.Contains(t, text, "* host-down")
}

// TestLadderEmpty draws a ladder of no records without failing.
func TestLadderEmpty(t *testing.T) {
	assert.Equal(t, "t (ms)\n\n\n", anText(t, analysis.NewLadder(nil, analysis.LadderOptions{})))
	assert.Equal(t, "t (ms)      a\n            |\n            |\n", anText(t, analysis.NewLadder(nil, analysis.LadderOptions{Columns: []string{"a"}})))
}

// TestMessageText names requests, responses and unparsed messages.
func TestMessageText(t *testing.T) {
	tests := []struct {
		r    analysis.Record
		want string
	}{
		{analysis.Record{Event: "send", Method: "INVITE"}, "INVITE"},
		{analysis.Record{Event: "send", Method: "INVITE", Status: 302, Reason: "Moved Temporarily"}, "302 Moved Temporarily"},
		{analysis.Record{Event: "send", Method: "INVITE", Status: 180}, "180"},
		{analysis.Record{Event: "drop", Method: "BYE", Status: 200, Reason: "loss"}, "200 OK"},
		{analysis.Record{Event: "drop", Method: "BYE", Status: 599, Reason: "loss"}, "599"},
		{analysis.Record{Event: "send", Label: "INVITE"}, "INVITE"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.r.MessageText(), "%+v", tt.r)
	}
}

// TestLadderNumbered numbers the messages as RFC 3665 does, notes aside.
func TestLadderNumbered(t *testing.T) {
	recs := []analysis.Record{
		{Event: "send", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{Event: "timer", Node: "a", Label: "timeout"},
		{TimeNs: 500_000_000, Event: "send", ID: 2, From: "a", To: "b", Method: "INVITE", Retransmission: true},
		{TimeNs: 500_000_000, Event: "drop", ID: 2, From: "a", To: "b", Method: "INVITE", Reason: "loss", Hop: "a->b"},
		{TimeNs: 510_000_000, Event: "send", ID: 3, From: "b", To: "a", Method: "INVITE", Status: 100, Reason: "Trying"},
	}
	text := anText(t, analysis.NewLadder(recs, analysis.LadderOptions{Timers: true, Numbered: true}))
	assert.Contains(t, text, "  INVITE F1  ")
	assert.Contains(t, text, "INVITE F2 (retx, lost: loss)")
	assert.Contains(t, text, "100 Trying F3")
}
