package transaction

import (
	"strings"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

// FuzzLayer feeds a parsed message of any content to a layer on the server
// side and to one with a client transaction, plays the TU (answering every
// request, retransmitting, acknowledging), runs all timers out, and checks
// that nothing panics and that no transaction is left.
func FuzzLayer(f *testing.F) {
	f.Add([]byte(inviteText), uint8(0))
	f.Add([]byte(optionsText), uint8(1))
	f.Add([]byte(strings.Replace(inviteText, ";branch=z9hG4bK776asdhds", "", 1)), uint8(2))
	f.Add([]byte(request(f, inviteText, "ACK").String()), uint8(3))
	f.Add([]byte(request(f, inviteText, "CANCEL").String()), uint8(4))
	f.Add([]byte(response(invite(f), 486, "x").String()), uint8(5))
	f.Add([]byte(response(options(f), 100, "").String()), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, op uint8) {
		msg, err := sipstack.ParseMessage(data)
		if err != nil {
			return
		}
		source := udpPeer
		if op&1 != 0 {
			source = tcpPeer
		}
		l, err := NewLayer(Config{Trying: TryingPolicy(op >> 1 & 1)})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, l.Timer)
		// A client transaction that the message may match.
		if _, out, err := l.SendRequest(invite(t), source, nil); err == nil {
			h.apply(out)
		}
		if _, out, err := l.SendRequest(options(t), source, nil); err == nil {
			h.apply(out)
		}
		h.apply(l.ReceiveMessage(msg, source, nil))
		h.apply(l.ReceiveMessage(msg, source, nil)) // a retransmission
		if op&4 != 0 {
			h.apply(l.TransportError(3, nil))
		}
		// The TU answers every server transaction; the peer answers the
		// client INVITE.
		for id := ID(1); id <= l.last; id++ {
			req, ok := l.Request(id)
			kind, _ := l.Kind(id)
			if !ok {
				continue
			}
			if kind.Server() {
				code := 200
				if op&8 != 0 {
					code = 486
				}
				resp := response(req, code, "f")
				out, err := l.Respond(id, resp, nil)
				if err != nil {
					continue
				}
				h.apply(out)
				if req.Method == sipstack.INVITE && code >= 300 {
					if ack, err := NewACK(req, resp); err == nil {
						h.apply(l.ReceiveRequest(ack, source, nil))
					}
				}
			} else if kind == InviteClientKind {
				h.apply(l.ReceiveResponse(response(req, 487, "f"), nil))
			}
		}
		h.apply(l.ReceiveMessage(msg, source, nil)) // a late retransmission
		for id := ID(1); id <= l.last; id++ {
			if kind, ok := l.Kind(id); ok && kind.Server() {
				if req, _ := l.Request(id); req != nil {
					if out, err := l.Respond(id, response(req, 500, "late"), nil); err == nil {
						h.apply(out)
					}
				}
			}
		}
		h.runOut()
		if l.Len() != 0 {
			t.Fatalf("%d transactions left", l.Len())
		}
	})
}
