package analysis_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

const anInvite = "INVITE sip:bob@b.example SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKlower\r\n" +
	"Max-Forwards: 70\r\n" +
	"From: <sip:alice@a.example>;tag=1\r\n" +
	"To: <sip:bob@b.example>\r\n" +
	"Call-ID: call-1@a.example\r\n" +
	"CSeq: 7 INVITE\r\n" +
	"Content-Length: 0\r\n\r\n"

const an302 = "SIP/2.0 302 Moved Temporarily\r\n" +
	"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtop\r\n" +
	"From: <sip:alice@a.example>;tag=1\r\n" +
	"To: <sip:bob@b.example>;tag=2\r\n" +
	"Call-ID: call-1@a.example\r\n" +
	"CSeq: 7 INVITE\r\n" +
	"Contact: <sip:bob@c.example>\r\n" +
	"Content-Length: 0\r\n\r\n"

var (
	anA     = netip.MustParseAddrPort("10.0.0.1:5060")
	anB     = netip.MustParseAddrPort("10.0.0.2:5060")
	anNames = analysis.Names{anA.Addr(): "alice", anB.Addr(): "bob"}
)

// TestMapperKinds checks the record of each kind of trace event.
func TestMapperKinds(t *testing.T) {
	invite := func(k sim.Kind) sim.Event {
		return sim.Event{Time: 1500, Kind: k, ID: 4, Src: anA, Dst: anB, Size: len(anInvite), Label: "INVITE", Payload: []byte(anInvite)}
	}
	inviteRec := func(ev string) analysis.Record {
		return analysis.Record{TimeNs: 1500, Event: ev, ID: 4, From: "alice", To: "bob", Transport: "UDP", Method: "INVITE",
			CallID: "call-1@a.example", CSeq: 7, Branch: "z9hG4bKtop", Size: len(anInvite), Label: "INVITE"}
	}
	tests := []struct {
		name string
		ev   sim.Event
		ok   bool
		want analysis.Record
	}{
		{name: "UDP send", ev: invite(sim.KindSend), ok: true, want: inviteRec("send")},
		{name: "UDP deliver", ev: invite(sim.KindDeliver), ok: true, want: inviteRec("recv")},
		{
			name: "UDP drop names reason and hop",
			ev: func() sim.Event {
				e := invite(sim.KindDrop)
				e.Reason, e.Hop = sim.ReasonLoss, sim.Hop{From: "alice", To: "r1"}
				return e
			}(),
			ok: true,
			want: func() analysis.Record {
				r := inviteRec("drop")
				r.Reason, r.Hop = "loss", "alice->r1"
				return r
			}(),
		},
		{
			name: "response: status, reason phrase, CSeq method",
			ev:   sim.Event{Time: 9, Kind: sim.KindSend, ID: 5, Src: anB, Dst: anA, Size: len(an302), Label: "302/INVITE", Payload: []byte(an302)},
			ok:   true,
			want: analysis.Record{TimeNs: 9, Event: "send", ID: 5, From: "bob", To: "alice", Transport: "UDP", Method: "INVITE", Status: 302,
				Reason: "Moved Temporarily", CallID: "call-1@a.example", CSeq: 7, Branch: "z9hG4bKtop", Size: len(an302), Label: "302/INVITE"},
		},
		{
			name: "TCP write is the send of the message",
			ev: func() sim.Event {
				e := invite(sim.KindWrite)
				e.Transport = sim.TCP
				return e
			}(),
			ok: true,
			want: func() analysis.Record {
				r := inviteRec("send")
				r.Transport = "TCP"
				return r
			}(),
		},
		{
			name: "TCP segment send has no record",
			ev:   sim.Event{Kind: sim.KindSend, Transport: sim.TCP, Src: anA, Dst: anB, Seg: sim.Segment{Flags: sim.FlagACK, Len: 100, Retransmit: true}},
		},
		{
			name: "TCP segment arrival has no record",
			ev:   sim.Event{Kind: sim.KindArrive, Transport: sim.TCP, Src: anA, Dst: anB, Seg: sim.Segment{Flags: sim.FlagACK, Len: 100}},
		},
		{
			name: "TCP segment drop has no record",
			ev:   sim.Event{Kind: sim.KindDrop, Reason: sim.ReasonLoss, Transport: sim.TCP, Src: anA, Dst: anB, Seg: sim.Segment{Flags: sim.FlagSYN}},
		},
		{
			name: "TCP message drop (connection reset)",
			ev: func() sim.Event {
				e := invite(sim.KindDrop)
				e.Transport, e.Reason = sim.TCP, sim.ReasonReset
				return e
			}(),
			ok: true,
			want: func() analysis.Record {
				r := inviteRec("drop")
				r.Transport, r.Reason = "TCP", "reset"
				return r
			}(),
		},
		{
			name: "unparsable payload keeps what the network knows; unknown address shown as itself",
			ev:   sim.Event{Time: 3, Kind: sim.KindSend, ID: 8, Src: anA, Dst: netip.MustParseAddrPort("10.9.9.9:5060"), Size: 4000, Label: "INVITE", Payload: []byte("garbage")},
			ok:   true,
			want: analysis.Record{TimeNs: 3, Event: "send", ID: 8, From: "alice", To: "10.9.9.9", Transport: "UDP", Size: 4000, Label: "INVITE"},
		},
		{
			name: "timeout annotation is a timer",
			ev:   sim.Event{Time: 32, Kind: sim.KindAnnotation, Host: "alice", Label: "timeout", Detail: "transaction 3: B"},
			ok:   true,
			want: analysis.Record{TimeNs: 32, Event: "timer", Node: "alice", Label: "timeout", Detail: "transaction 3: B"},
		},
		{
			name: "ring-timeout annotation is a timer",
			ev:   sim.Event{Kind: sim.KindAnnotation, Host: "bob", Label: "ring-timeout"},
			ok:   true,
			want: analysis.Record{Event: "timer", Node: "bob", Label: "ring-timeout"},
		},
		{
			name: "an INVITE's Expires is a timer",
			ev:   sim.Event{Kind: sim.KindAnnotation, Host: "bob", Label: "invite-expired", Detail: "c1"},
			ok:   true,
			want: analysis.Record{Event: "timer", Node: "bob", Label: "invite-expired", Detail: "c1"},
		},
		{
			name: "other annotations are decisions",
			ev:   sim.Event{Time: 1, Kind: sim.KindAnnotation, Host: "p1", Label: "route", Detail: "INVITE sip:b to 10.0.0.2:5060/UDP"},
			ok:   true,
			want: analysis.Record{TimeNs: 1, Event: "decision", Node: "p1", Label: "route", Detail: "INVITE sip:b to 10.0.0.2:5060/UDP"},
		},
		{name: "host down", ev: sim.Event{Time: 2, Kind: sim.KindHostDown, Host: "bob"}, ok: true, want: analysis.Record{TimeNs: 2, Event: "host-down", Node: "bob"}},
		{name: "host up", ev: sim.Event{Time: 3, Kind: sim.KindHostUp, Host: "bob"}, ok: true, want: analysis.Record{TimeNs: 3, Event: "host-up", Node: "bob"}},
		{name: "unknown kind", ev: sim.Event{Kind: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := analysis.NewMapper(anNames).Map(&tt.ev)
			require.Equal(t, tt.ok, ok, "Map(%v) ok", tt.ev.Kind)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestMapperRetransmission checks that the same bytes from the same sender
// to the same destination are a retransmission, and nothing else is.
func TestMapperRetransmission(t *testing.T) {
	m := analysis.NewMapper(anNames)
	send := func(at time.Duration, src, dst netip.AddrPort, payload string) bool {
		t.Helper()
		e := sim.Event{Time: sim.Time(at), Kind: sim.KindSend, Src: src, Dst: dst, Payload: []byte(payload)}
		r, ok := m.Map(&e)
		require.True(t, ok)
		return r.Retransmission
	}
	assert.False(t, send(0, anA, anB, anInvite), "first send")
	assert.True(t, send(500*time.Millisecond, anA, anB, anInvite), "Timer A retransmission")
	assert.False(t, send(500*time.Millisecond, anB, anA, anInvite), "same bytes, other sender")
	assert.False(t, send(600*time.Millisecond, anA, anB, an302), "other bytes")
	other := netip.MustParseAddrPort("10.0.0.2:5070")
	assert.False(t, send(700*time.Millisecond, anA, other, anInvite), "same bytes to another port")
	assert.False(t, send(time.Minute, anA, anB, anInvite), "sent again after the window: a new message")
	assert.True(t, send(time.Minute+time.Second, anA, anB, anInvite), "and its retransmission")
	// A payload that is not materialised cannot be compared.
	assert.False(t, send(2*time.Minute, anA, anB, ""))
	assert.False(t, send(2*time.Minute, anA, anB, ""))
}

// TestRecordRoundTrip writes records and reads them back unchanged,
// including strings that need escaping.
func TestRecordRoundTrip(t *testing.T) {
	recs := []analysis.Record{
		{TimeNs: 1, Event: "send", ID: 1<<63 + 5, From: "a", To: "b", Transport: "UDP", Method: "INVITE", CallID: "x@y", CSeq: 1<<32 - 1, Branch: "z9hG4bK1", Size: 449, Retransmission: true, Label: "INVITE"},
		{TimeNs: -7, Event: "drop", Status: 302, Reason: "loss", Hop: "a->b", Label: "302/INVITE"},
		{TimeNs: 1 << 62, Event: "decision", Node: "p\"1\\", Label: "route", Detail: "<sip:a@b>&\t\r\n\x00\x1f\x7f é ☎ \u2028"},
	}
	var buf bytes.Buffer
	for i := range recs {
		b := analysis.AppendJSON(nil, &recs[i])
		assert.True(t, json.Valid(b), "%s", b)
		buf.Write(append(b, '\n'))
	}
	got, err := analysis.ReadRecords(&buf)
	require.NoError(t, err)
	assert.Equal(t, recs, got)

	// Invalid UTF-8 becomes U+FFFD, as encoding/json does.
	b := analysis.AppendJSON(nil, &analysis.Record{Detail: "a\xffb"})
	var r analysis.Record
	require.NoError(t, json.Unmarshal(b, &r))
	assert.Equal(t, "a\uFFFDb", r.Detail)
}

// TestRecordFieldOrder pins the order of the fields, which the package
// documentation gives.
func TestRecordFieldOrder(t *testing.T) {
	b := analysis.AppendJSON(nil, &analysis.Record{})
	assert.Equal(t, `{"t_ns":0,"event":"","id":0,"node":"","from":"","to":"","transport":"","method":"","status":0,"reason":"","call_id":"","cseq":0,"branch":"","size":0,"retransmission":false,"hop":"","label":"","detail":""}`, string(b))
}

func TestReadRecordsErrors(t *testing.T) {
	tests := []struct {
		name, in string
		n        int // records read before the error
		line     string
	}{
		{"not JSON", `{"t_ns":1,"event":"send"}` + "\nnot json\n", 1, "line 2"},
		{"wrong type", `{"t_ns":"soon"}`, 0, "line 1"},
		{"line too long", `{"detail":"` + strings.Repeat("x", analysis.MaxLineSize) + `"}`, 0, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := analysis.ReadRecords(strings.NewReader(tt.in))
			require.ErrorIs(t, err, analysis.ErrBadRecord)
			assert.Contains(t, err.Error(), tt.line)
			assert.Len(t, got, tt.n)
		})
	}
	// Blank lines and unknown fields are accepted.
	got, err := analysis.ReadRecords(strings.NewReader("\n" + `{"t_ns":5,"event":"send","future":[1,2]}` + "\n\n"))
	require.NoError(t, err)
	assert.Equal(t, []analysis.Record{{TimeNs: 5, Event: "send"}}, got)
}

// anFailWriter fails every write.
type anFailWriter struct{ n int }

func (w *anFailWriter) Write(p []byte) (int, error) { w.n++; return 0, errors.New("disk full") }

func TestTraceWriterKeepsFirstError(t *testing.T) {
	fw := &anFailWriter{}
	tw := analysis.NewTraceWriter(fw, anNames)
	e := sim.Event{Kind: sim.KindAnnotation, Host: "alice", Label: "route"}
	tw.Event(&e)
	tw.Event(&e)
	require.EqualError(t, tw.Err(), "disk full")
	assert.Equal(t, 1, fw.n, "nothing is written after the first error")
	assert.Zero(t, tw.Records())
}

func TestTraceWriterSkipsSegments(t *testing.T) {
	var buf bytes.Buffer
	tw := analysis.NewTraceWriter(&buf, anNames)
	seg := sim.Event{Kind: sim.KindSend, Transport: sim.TCP, Seg: sim.Segment{Flags: sim.FlagSYN}}
	tw.Event(&seg)
	assert.Zero(t, buf.Len())
	assert.Zero(t, tw.Records())
	rr := analysis.NewRecordReader(&buf)
	_, err := rr.Next()
	assert.Equal(t, io.EOF, err)
}
