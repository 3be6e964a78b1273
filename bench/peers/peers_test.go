package peers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/sipsim/sipsim/sipstack"
)

// The messages come from sipstack's testdata, so both stacks and
// sipstack's own benchmarks read the same bytes.
func load(b testing.TB, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "sipstack", "testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

var messages = []struct{ bench, file string }{
	{"Invite", "invite.sip"},
	{"200OK", "ok200.sip"},
	{"Ack", "ack.sip"},
}

// TestSameMessage checks that both stacks read the benchmark messages and
// agree on what they say, so the benchmarks compare like with like.
func TestSameMessage(t *testing.T) {
	for _, m := range messages {
		data := load(t, m.file)
		gm, err := sip.ParseMessage(data)
		if err != nil {
			t.Fatalf("sipgo: %s: %v", m.file, err)
		}
		sm, err := sipstack.ParseMessage(data)
		if err != nil {
			t.Fatalf("sipsim: %s: %v", m.file, err)
		}
		if got, want := string(sm.Content()), string(gm.Body()); got != want {
			t.Errorf("%s: bodies differ:\n%s\n---\n%s", m.file, got, want)
		}
		if got, want := sm.Headers().CallID(), gm.CallID().Value(); got != want {
			t.Errorf("%s: Call-ID %q, sipgo %q", m.file, got, want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for _, m := range messages {
		data := load(b, m.file)
		b.Run(m.bench+"/sipgo", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sip.ParseMessage(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(m.bench+"/sipsim", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sipstack.ParseMessage(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSerialize(b *testing.B) {
	for _, m := range messages {
		data := load(b, m.file)
		b.Run(m.bench+"/sipgo", func(b *testing.B) {
			msg, err := sip.ParseMessage(data)
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			buf.Grow(2048)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				msg.StringWrite(&buf)
			}
		})
		b.Run(m.bench+"/sipsim", func(b *testing.B) {
			msg, err := sipstack.ParseMessage(data)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 2048)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf = msg.AppendTo(buf[:0])
			}
		})
	}
}

// BenchmarkProxyHop: parse the INVITE, decrement Max-Forwards, prepend a
// Via, remove the top Route if any, serialize into a reused buffer.
func BenchmarkProxyHop(b *testing.B) {
	data := load(b, "invite.sip")
	b.Run("sipgo", func(b *testing.B) {
		var buf bytes.Buffer
		buf.Grow(2048)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			msg, err := sip.ParseMessage(data)
			if err != nil {
				b.Fatal(err)
			}
			req := msg.(*sip.Request)
			if mf := req.MaxForwards(); mf != nil {
				mf.Dec()
			}
			via := &sip.ViaHeader{
				ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "UDP",
				Host: "p2.example.com", Port: 5060,
				Params: sip.NewParams(),
			}
			via.Params.Add("branch", "z9hG4bK7f3a9c2")
			req.PrependHeader(via)
			if req.Route() != nil {
				req.RemoveHeader("Route")
			}
			buf.Reset()
			req.StringWrite(&buf)
		}
	})
	b.Run("sipsim", func(b *testing.B) {
		via := sipstack.Via{Transport: "UDP", Host: "p2.example.com", Port: 5060, Params: ";branch=z9hG4bK7f3a9c2"}
		buf := make([]byte, 0, 2048)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			req, err := sipstack.ParseRequest(data)
			if err != nil {
				b.Fatal(err)
			}
			h := &req.Header
			mf, ok := h.MaxForwards()
			if !ok {
				mf = 70
			}
			h.SetMaxForwards(mf - 1)
			h.PrependVia(via)
			if h.Has("Route") {
				if _, err := h.PopRoute(); err != nil {
					b.Fatal(err)
				}
			}
			buf = req.AppendTo(buf[:0])
		}
	})
}
