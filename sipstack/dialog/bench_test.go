package dialog

import (
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

// benchDialog returns Alice's dialog of RFC 3665 3.2, through two loose
// routers.
func benchDialog(b *testing.B) (*Dialog, *sipstack.Request) {
	inv := invite(b, "CSeq: 2 INVITE", "Route: <sip:ss1.atlanta.example.com;lr>")
	d, err := NewUAC(inv, response(b, "SIP/2.0 200 OK", "CSeq: 2 INVITE",
		"To: Bob <sip:bob@biloxi.example.com>;tag=314159",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>",
		"Contact: <sip:bob@client.biloxi.example.com>"))
	if err != nil {
		b.Fatal(err)
	}
	return d, inv
}

func BenchmarkNewRequestBYE(b *testing.B) {
	d, _ := benchDialog(b)
	b.ReportAllocs()
	for b.Loop() {
		d.localSeq = 2 // stay far from 2**32-1
		if _, err := d.NewRequest(sipstack.BYE); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewRequestReINVITE(b *testing.B) {
	d, _ := benchDialog(b)
	b.ReportAllocs()
	for b.Loop() {
		d.localSeq = 2
		if _, err := d.NewRequest(sipstack.INVITE); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewACK(b *testing.B) {
	d, inv := benchDialog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.NewACK(inv); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewRequestAppend builds a BYE and serializes it into a reused
// buffer, what a UA does per request.
func BenchmarkNewRequestAppend(b *testing.B) {
	d, _ := benchDialog(b)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		d.localSeq = 2
		r, err := d.NewRequest(sipstack.BYE)
		if err != nil {
			b.Fatal(err)
		}
		buf = r.AppendTo(buf[:0])
	}
}

func BenchmarkReceiveRequest(b *testing.B) {
	inv := invite(b, "CSeq: 5 INVITE")
	d, err := NewUAS(inv, answer(b, inv, 200, "b1", "<sip:bob@client.biloxi.example.com>"))
	if err != nil {
		b.Fatal(err)
	}
	info := inDialog(b, sipstack.INFO, 6)
	b.ReportAllocs()
	for b.Loop() {
		d.remoteSeq = 5
		if status, err := d.ReceiveRequest(info); status != 0 || err != nil {
			b.Fatal(status, err)
		}
	}
}

func BenchmarkNewCancel(b *testing.B) {
	inv := req(b, "", f1Lines...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewCancel(inv); err != nil {
			b.Fatal(err)
		}
	}
}
