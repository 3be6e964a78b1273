package sipstack

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func benchData(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func benchParse(b *testing.B, name string) {
	data := benchData(b, name)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMessage(data); err != nil {
			b.Fatal(err)
		}
	}
}

func benchSerialize(b *testing.B, name string) {
	data := benchData(b, name)
	m, err := ParseMessage(data)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 2048)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf = m.AppendTo(buf[:0])
	}
}

// BenchmarkParseInvite parses testdata/invite.sip, an 870-octet INVITE with
// two Via, Record-Route, Contact, Allow and an SDP offer of three codecs.
func BenchmarkParseInvite(b *testing.B) { benchParse(b, "invite.sip") }

// BenchmarkParse200OK parses the 200 OK answering that INVITE.
func BenchmarkParse200OK(b *testing.B) { benchParse(b, "ok200.sip") }

// BenchmarkParseAck parses the ACK for that 200 OK.
func BenchmarkParseAck(b *testing.B) { benchParse(b, "ack.sip") }

// BenchmarkSerializeInvite serializes the parsed INVITE into a reused
// buffer.
func BenchmarkSerializeInvite(b *testing.B) { benchSerialize(b, "invite.sip") }

// BenchmarkSerialize200OK serializes the parsed 200 OK into a reused buffer.
func BenchmarkSerialize200OK(b *testing.B) { benchSerialize(b, "ok200.sip") }

// BenchmarkSerializeAck serializes the parsed ACK into a reused buffer.
func BenchmarkSerializeAck(b *testing.B) { benchSerialize(b, "ack.sip") }

// BenchmarkProxyHop does what a stateless proxy does to the INVITE (RFC
// 3261 16.6, 16.11): parse, decrement Max-Forwards, prepend its Via, remove
// the top Route if any, serialize into a reused buffer.
func BenchmarkProxyHop(b *testing.B) {
	data := benchData(b, "invite.sip")
	via := Via{Transport: "UDP", Host: "p2.example.com", Port: 5060, Params: ";branch=z9hG4bK7f3a9c2"}
	buf := make([]byte, 0, 2048)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		buf = proxyHop(b, data, via, buf[:0])
	}
}

func proxyHop(b *testing.B, data []byte, via Via, buf []byte) []byte {
	r, err := ParseRequest(data)
	if err != nil {
		b.Fatal(err)
	}
	h := &r.Header
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
	return r.AppendTo(buf)
}

// BenchmarkScanFloor finds every line end and colon of the INVITE: the
// least work any parser does, a floor to compare the parser with.
func BenchmarkScanFloor(b *testing.B) {
	data := benchData(b, "invite.sip")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := 0; i < len(data); {
			e := bytes.IndexByte(data[i:], '\n')
			if e < 0 {
				break
			}
			if bytes.IndexByte(data[i:i+e], ':') >= 0 {
				n++
			}
			i += e + 1
		}
	}
	if n == 0 {
		b.Fatal("no colon found")
	}
}

// TestAllocs pins the allocation counts that the benchmarks report: two
// for parsing (the copy of the message with the header fields after it,
// and the Request), none for serializing into a buffer with room, two for
// a proxy hop: its new Via value, and the header's table of values set
// after parsing (Max-Forwards, Via, Record-Route).
func TestAllocs(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "invite.sip"))
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { ParseMessage(data) }); n != 2 {
		t.Errorf("ParseMessage(invite.sip): %v allocations, want 2", n)
	}
	m, err := ParseMessage(data)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = m.AppendTo(buf[:0]) }); n != 0 {
		t.Errorf("AppendTo into a reused buffer: %v allocations, want 0", n)
	}
	via := Via{Transport: "UDP", Host: "p2.example.com", Port: 5060, Params: ";branch=z9hG4bK7f3a9c2"}
	if n := testing.AllocsPerRun(100, func() {
		r, _ := ParseRequest(data)
		h := &r.Header
		mf, _ := h.MaxForwards()
		h.SetMaxForwards(mf - 1)
		h.PrependVia(via)
		h.Prepend("Record-Route", "<sip:p2.example.com;lr>")
		buf = r.AppendTo(buf[:0])
	}); n != 4 {
		t.Errorf("proxy hop: %v allocations, want 4 (the Via value and the table of set values are new)", n)
	}
}
