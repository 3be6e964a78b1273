package transaction_test

import (
	"net/netip"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// Benchmarks of one INVITE transaction's life, from creation to
// "Terminated", with every input given as a parsed message or a timer
// firing: what a node pays per call for the transaction layer, without
// parsing (see the sipstack benchmarks) or the network.

var vtBenchPeer = transaction.Destination{Addr: netip.MustParseAddrPort("192.0.2.10:5060"), Transport: transaction.UDP}

// vtBenchMessages holds the parsed inputs of the benchmarks: an INVITE,
// its 180, 200 and 486 responses with the To tag of the UAS, the ACK of
// the 486 and the ACK of the 200, and where the INVITE came from.
type vtBenchMessages struct {
	invite            *sipstack.Request
	ringing, ok, busy *sipstack.Response
	ackBusy, ack2xx   *sipstack.Request
	inviteSource      transaction.Destination
}

// vtBench builds the inputs of the benchmarks.
func vtBench(b *testing.B) *vtBenchMessages {
	b.Helper()
	inv, err := sipstack.ParseRequest([]byte("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbench1\r\n" +
		"Max-Forwards: 70\r\n" +
		"To: Bob <sip:bob@biloxi.example.com>\r\n" +
		"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
		"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
		"CSeq: 314159 INVITE\r\n" +
		"Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
		"Content-Type: application/sdp\r\n" +
		"Content-Length: 0\r\n\r\n"))
	if err != nil {
		b.Fatal(err)
	}
	resp := func(code int) *sipstack.Response {
		r := sipstack.NewResponse(inv, code, "")
		r.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf")
		r.Header.Add("Contact", "<sip:bob@192.0.2.4>")
		return r
	}
	m := &vtBenchMessages{invite: inv, ringing: resp(180), ok: resp(200), busy: resp(486),
		inviteSource: transaction.Destination{Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Transport: transaction.UDP}}
	m.ackBusy, err = transaction.NewACK(inv, m.busy)
	if err != nil {
		b.Fatal(err)
	}
	m.ack2xx = sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	m.ack2xx.Header.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKbench2")
	m.ack2xx.Header.Add("From", inv.Header.Get("From"))
	m.ack2xx.Header.Add("To", m.ok.Header.Get("To"))
	m.ack2xx.Header.Add("Call-ID", inv.Header.CallID())
	m.ack2xx.Header.Add("CSeq", "314159 ACK")
	return m
}

// vtBenchDone fails the benchmark unless out ends with ActionTerminated.
func vtBenchDone(b *testing.B, out []transaction.Action) {
	if len(out) == 0 || out[len(out)-1].Kind != transaction.ActionTerminated {
		b.Fatalf("not terminated: %v", out)
	}
}

// BenchmarkInviteClientLife2xx: create, send the INVITE, a 180 arrives, a
// 200 arrives ("Accepted", RFC 6026 7.2), Timer M fires.
func BenchmarkInviteClientLife2xx(b *testing.B) {
	m := vtBench(b)
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		c, err := transaction.NewInviteClient(transaction.Config{}, m.invite, vtBenchPeer)
		if err != nil {
			b.Fatal(err)
		}
		out = c.Start(out[:0])
		out = c.ReceiveResponse(m.ringing, out[:0])
		out = c.ReceiveResponse(m.ok, out[:0])
		out = c.Timer(transaction.TimerM, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkInviteClientLife486: create, send the INVITE, a 180 arrives, a
// 486 arrives (the ACK is built and sent, Timer D starts), Timer D fires.
func BenchmarkInviteClientLife486(b *testing.B) {
	m := vtBench(b)
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		c, err := transaction.NewInviteClient(transaction.Config{}, m.invite, vtBenchPeer)
		if err != nil {
			b.Fatal(err)
		}
		out = c.Start(out[:0])
		out = c.ReceiveResponse(m.ringing, out[:0])
		out = c.ReceiveResponse(m.busy, out[:0])
		out = c.Timer(transaction.TimerD, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkInviteServerLife2xx: the INVITE is received (100 Trying sent),
// the TU sends 180 then 200 ("Accepted", RFC 6026 7.1), Timer L fires.
func BenchmarkInviteServerLife2xx(b *testing.B) {
	m := vtBench(b)
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		s, err := transaction.NewInviteServer(transaction.Config{}, m.invite, m.inviteSource)
		if err != nil {
			b.Fatal(err)
		}
		out = s.Start(out[:0])
		if out, err = s.Respond(m.ringing, out[:0]); err != nil {
			b.Fatal(err)
		}
		if out, err = s.Respond(m.ok, out[:0]); err != nil {
			b.Fatal(err)
		}
		out = s.Timer(transaction.TimerL, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkInviteServerLife486: the INVITE is received, the TU sends 180
// then 486 (Timers G and H start), Timer G fires once (retransmission),
// the ACK arrives ("Confirmed", Timer I), Timer I fires.
func BenchmarkInviteServerLife486(b *testing.B) {
	m := vtBench(b)
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		s, err := transaction.NewInviteServer(transaction.Config{}, m.invite, m.inviteSource)
		if err != nil {
			b.Fatal(err)
		}
		out = s.Start(out[:0])
		if out, err = s.Respond(m.ringing, out[:0]); err != nil {
			b.Fatal(err)
		}
		if out, err = s.Respond(m.busy, out[:0]); err != nil {
			b.Fatal(err)
		}
		out = s.Timer(transaction.TimerG, out[:0])
		out = s.ReceiveRequest(m.ackBusy, out[:0])
		out = s.Timer(transaction.TimerI, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkLayerInviteClientLife2xx is BenchmarkInviteClientLife2xx
// through a Layer, which adds the table and matching the responses.
func BenchmarkLayerInviteClientLife2xx(b *testing.B) {
	m := vtBench(b)
	l, err := transaction.NewLayer(transaction.Config{})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		var id transaction.ID
		id, out, err = l.SendRequest(m.invite, vtBenchPeer, out[:0])
		if err != nil {
			b.Fatal(err)
		}
		out = l.ReceiveResponse(m.ringing, out[:0])
		out = l.ReceiveResponse(m.ok, out[:0])
		out = l.Timer(id, transaction.TimerM, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkLayerInviteServerLife486 is BenchmarkInviteServerLife486
// through a Layer, which adds creating the transaction from the request
// and matching the ACK.
func BenchmarkLayerInviteServerLife486(b *testing.B) {
	m := vtBench(b)
	l, err := transaction.NewLayer(transaction.Config{})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]transaction.Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		out = l.ReceiveRequest(m.invite, m.inviteSource, out[:0])
		if len(out) == 0 {
			b.Fatal("no server transaction")
		}
		id := out[0].Tx
		if out, err = l.Respond(id, m.ringing, out[:0]); err != nil {
			b.Fatal(err)
		}
		if out, err = l.Respond(id, m.busy, out[:0]); err != nil {
			b.Fatal(err)
		}
		out = l.Timer(id, transaction.TimerG, out[:0])
		out = l.ReceiveRequest(m.ackBusy, m.inviteSource, out[:0])
		out = l.Timer(id, transaction.TimerI, out[:0])
		vtBenchDone(b, out)
	}
}

// BenchmarkUAS2xxLife: the UAS core's retransmission of a 2xx (RFC 3261
// 13.3.1.4): created, started after the server transaction's send, three
// retransmissions, the ACK.
func BenchmarkUAS2xxLife(b *testing.B) {
	m := vtBench(b)
	out := make([]transaction.UAS2xxAction, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		u, err := transaction.NewUAS2xx(transaction.Config{}, m.ok, m.inviteSource, transaction.UAS2xxRetransmitAlways)
		if err != nil {
			b.Fatal(err)
		}
		out = u.StartRetransmissions(out[:0])
		for range 3 {
			out = u.Timer(transaction.UAS2xxTimerRetransmit, out[:0])
		}
		out = u.ReceiveACK(m.ack2xx, out[:0])
		if !u.Acknowledged() {
			b.Fatalf("not acknowledged: %v", out)
		}
	}
}
