package transaction

import (
	"testing"
)

// BenchmarkNonInviteClientLife measures one non-INVITE client transaction
// over UDP from creation to Timer K: create, send, a 200 arrives, Timer K
// fires. The allocations are the machine and the serialized request.
func BenchmarkNonInviteClientLife(b *testing.B) {
	req := options(b)
	resp := response(req, 200, "b")
	out := make([]Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		c, err := NewNonInviteClient(Config{}, req, udpPeer)
		if err != nil {
			b.Fatal(err)
		}
		out = c.Start(out[:0])
		out = c.ReceiveResponse(resp, out[:0])
		out = c.Timer(TimerK, out[:0])
		if c.State() != Terminated {
			b.Fatalf("state %v", c.State())
		}
	}
}

// BenchmarkLayerNonInviteClientLife is the same life through a Layer, which
// adds matching the response to the transaction.
func BenchmarkLayerNonInviteClientLife(b *testing.B) {
	req := options(b)
	resp := response(req, 200, "b")
	l, err := NewLayer(Config{})
	if err != nil {
		b.Fatal(err)
	}
	out := make([]Action, 0, 16)
	b.ReportAllocs()
	for b.Loop() {
		var id ID
		id, out, err = l.SendRequest(req, udpPeer, out[:0])
		if err != nil {
			b.Fatal(err)
		}
		out = l.ReceiveResponse(resp, out[:0])
		out = l.Timer(id, TimerK, out[:0])
		if l.Len() != 0 {
			b.Fatal("transaction left")
		}
	}
}
