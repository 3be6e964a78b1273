package transaction

import (
	"errors"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

func TestNewACKHeaders(t *testing.T) {
	// RFC 3261 17.1.1.3: same Request-URI, Call-ID and From as the
	// INVITE, To of the response (with its tag), a single Via equal to the
	// INVITE's top Via, CSeq number with method ACK, the INVITE's Route
	// headers, and Max-Forwards 70. The INVITE here went through a proxy:
	// only its top Via belongs in the ACK.
	req := invite(t)
	req.Header.Insert(1, "Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKold")
	req.Header.Set("Max-Forwards", "12")
	resp := response(req, 486, "8321234356")
	ack, err := NewACK(req, resp)
	if err != nil {
		t.Fatal(err)
	}
	want := "ACK sip:bob@biloxi.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\r\n" +
		"Route: <sip:p1.example.com;lr>\r\n" +
		"Route: <sip:p2.example.com;lr>\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
		"To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\r\n" +
		"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
		"CSeq: 314159 ACK\r\n" +
		"Content-Length: 0\r\n\r\n"
	if got := ack.String(); got != want {
		t.Errorf("ACK =\n%s\nwant\n%s", got, want)
	}
	// The ACK parses, and matches the INVITE's server transaction.
	parsed, err := sipstack.ParseRequest([]byte(ack.String()))
	if err != nil {
		t.Fatalf("the ACK does not parse: %v", err)
	}
	k1, _ := ServerKey(req)
	k2, _ := ServerKey(parsed)
	if k1 != k2 {
		t.Errorf("ACK key %v, INVITE key %v", k2, k1)
	}
}

func TestNewACKNoRoute(t *testing.T) {
	req := invite(t)
	req.Header.Del("Route")
	ack, err := NewACK(req, response(req, 603, "x"))
	if err != nil {
		t.Fatal(err)
	}
	if ack.Header.Has("Route") {
		t.Errorf("ACK has Route without Route in the INVITE:\n%s", ack)
	}
}

func TestNewACKErrors(t *testing.T) {
	o := options(t)
	if _, err := NewACK(o, response(o, 486, "x")); !errors.Is(err, ErrMethod) {
		t.Errorf("ACK for OPTIONS: error %v, want ErrMethod", err)
	}
	req := invite(t)
	req.Header.Del("Via")
	if _, err := NewACK(req, response(req, 486, "x")); !errors.Is(err, ErrMessage) {
		t.Errorf("ACK for INVITE without Via: error %v, want ErrMessage", err)
	}
}

func TestInviteClientSendsACK(t *testing.T) {
	// The ACK goes to the INVITE's destination, even over TCP, and its
	// retransmission is the same slice.
	for _, dest := range []Destination{udpPeer, tcpPeer} {
		req := invite(t)
		c, _ := NewInviteClient(Config{}, req, dest)
		c.Start(nil)
		resp := response(req, 486, "8321234356")
		out := c.ReceiveResponse(resp, nil)
		var ack []byte
		for _, a := range out {
			if a.Kind == ActionSend {
				ack = a.Data
				if a.Dest != dest {
					t.Errorf("ACK sent to %v, want %v", a.Dest, dest)
				}
			}
		}
		if want := mustACK(t, req, resp).String(); string(ack) != want {
			t.Errorf("%v: ACK sent\n%s\nwant\n%s", dest.Transport, ack, want)
		}
		if dest.Transport == UDP {
			out = c.ReceiveResponse(resp, nil)
			if len(out) != 1 || &out[0].Data[0] != &ack[0] {
				t.Errorf("retransmitted ACK is not the same slice: %v", out)
			}
		}
	}
}
