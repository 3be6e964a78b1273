package dialog

import (
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

// FuzzDialog feeds arbitrary INVITE and response pairs to both dialog
// constructors and every operation on the dialogs they accept. Nothing may
// panic, and every request a dialog builds must parse again once the
// transport has added its Via.
func FuzzDialog(f *testing.F) {
	inv := wire("", withLine(inviteLines, "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com>")...)
	ok := wire("", "SIP/2.0 200 OK",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>;tag=b1",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:bob@client.biloxi.example.com;method=INVITE?x=y>")
	f.Add(inv, ok)
	f.Add(wire("", f1Lines...), ok)
	f.Add(inv, []byte("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/TLS a;branch=z9hG4bK1\r\nFrom: <sips:a@b>;tag=1\r\nTo: <sips:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n"))
	f.Fuzz(func(t *testing.T, reqData, respData []byte) {
		req, err := sipstack.ParseRequest(reqData)
		if err != nil {
			return
		}
		if c, err := NewCancel(req); err == nil {
			reparse(t, c)
		}
		if r, err := NewRequestTerminated(req, "t1"); err == nil {
			reparse(t, r)
		}
		resp, err := sipstack.ParseResponse(respData)
		if err != nil {
			return
		}
		_, _ = UACID(resp)
		var table Table
		_, _ = table.MatchRequest(req)
		_, _ = table.MatchResponse(resp)
		for _, newDialog := range []func(*sipstack.Request, *sipstack.Response) (*Dialog, error){NewUAC, NewUAS} {
			d, err := newDialog(req, resp)
			if err != nil {
				continue
			}
			_ = d.Confirm(resp)
			_, _ = d.CheckRequest(req)
			_, _ = d.ReceiveRequest(req)
			_ = d.ReceiveResponse(req, resp)
			for _, m := range []string{sipstack.BYE, sipstack.INVITE, sipstack.UPDATE} {
				if r, err := d.NewRequest(m); err == nil {
					send(t, r, "fuzz.example.com", "z9hG4bKfuzz")
				}
			}
			if r, err := d.NewACK(req); err == nil {
				send(t, r, "fuzz.example.com", "z9hG4bKfuzz")
			}
		}
	})
}
