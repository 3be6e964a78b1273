package transaction

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

var src = Destination{netip.MustParseAddrPort("198.51.100.7:5060"), UDP}

func newLayer(t *testing.T, cfg Config) *Layer {
	t.Helper()
	l, err := NewLayer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// txOf returns the Tx of the actions, failing unless all share one.
func txOf(t *testing.T, out []Action) ID {
	t.Helper()
	if len(out) == 0 {
		t.Fatal("no actions")
	}
	id := out[0].Tx
	for _, a := range out {
		if a.Tx != id {
			t.Fatalf("actions of several transactions: %v", out)
		}
	}
	return id
}

func TestLayerClientMatching(t *testing.T) {
	l := newLayer(t, Config{})
	req := invite(t)
	id, out, err := l.SendRequest(req, udpPeer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != 1 || txOf(t, out) != id {
		t.Fatalf("id %d, actions %v", id, out)
	}
	// RFC 3261 17.1.3: a response with the same branch and CSeq method
	// matches.
	out = l.ReceiveResponse(response(req, 180, "b"), nil)
	if txOf(t, out) != id {
		t.Errorf("180 not matched: %v", out)
	}
	// A different branch: a stray response, passed up with the zero ID.
	other := response(req, 200, "b")
	other.Header.Set("Via", "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKother")
	out = l.ReceiveResponse(other, nil)
	check(t, "stray", out, "pass 200")
	if out[0].Tx != 0 {
		t.Errorf("stray response has Tx %d", out[0].Tx)
	}
	// Same branch, CSeq method CANCEL: the CANCEL's transaction, which
	// does not exist.
	c := response(req, 200, "b")
	c.Header.Set("CSeq", "314159 CANCEL")
	if out = l.ReceiveResponse(c, nil); out[0].Tx != 0 {
		t.Errorf("CANCEL response matched the INVITE: %v", out)
	}
	// A second request with the same branch and method is refused.
	if _, _, err := l.SendRequest(invite(t), udpPeer, nil); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate branch: error %v, want ErrExists", err)
	}
	// The CANCEL with the same branch is a transaction of its own.
	cancelID, _, err := l.SendRequest(request(t, inviteText, "CANCEL"), udpPeer, nil)
	if err != nil || cancelID != 2 {
		t.Fatalf("CANCEL: id %d, error %v", cancelID, err)
	}
	out = l.ReceiveResponse(c, nil)
	if txOf(t, out) != cancelID {
		t.Errorf("200 to CANCEL not matched to the CANCEL: %v", out)
	}
	if _, _, err := l.SendRequest(request(t, inviteText, "ACK"), udpPeer, nil); !errors.Is(err, ErrMethod) {
		t.Errorf("ACK through a client transaction: error %v, want ErrMethod", err)
	}
	noCookie := options(t)
	noCookie.Header.Set("Via", "SIP/2.0/UDP a.example.com;branch=1234")
	if _, _, err := l.SendRequest(noCookie, udpPeer, nil); !errors.Is(err, ErrMessage) {
		t.Errorf("branch without cookie: error %v, want ErrMessage", err)
	}
}

func TestLayerServerMatching(t *testing.T) {
	l := newLayer(t, Config{})
	req := invite(t)
	out := l.ReceiveRequest(req, src, nil)
	check(t, "new INVITE", out, "state Proceeding", "send 100", "pass INVITE")
	id := txOf(t, out)
	// The 100 goes to the sent-by (a host name: the source address) and
	// its port.
	if got := out[1].Dest.String(); got != "198.51.100.7:5060/UDP" {
		t.Errorf("100 sent to %s", got)
	}
	// A retransmission matches (branch, sent-by, method) and is answered
	// with the 100.
	out = l.ReceiveRequest(invite(t), src, nil)
	check(t, "retransmission", out, "send 100")
	if txOf(t, out) != id || l.Len() != 1 {
		t.Errorf("retransmission created a transaction: %v, Len %d", out, l.Len())
	}
	// Sent-by host compares without case; a different port is another
	// transaction.
	upper := request(t, strings.Replace(inviteText, "pc33.atlanta.example.com:5060;", "PC33.Atlanta.Example.COM:5060;", 1), "")
	if out = l.ReceiveRequest(upper, src, nil); txOf(t, out) != id {
		t.Errorf("sent-by case: %v", out)
	}
	otherPort := request(t, strings.Replace(inviteText, "pc33.atlanta.example.com:5060;", "pc33.atlanta.example.com:5062;", 1), "")
	if out = l.ReceiveRequest(otherPort, src, nil); txOf(t, out) == id {
		t.Errorf("another sent-by matched: %v", out)
	}
	l = newLayer(t, Config{})
	id = txOf(t, l.ReceiveRequest(req, src, nil))

	// CANCEL: its own transaction, and CancelTarget finds the INVITE.
	cancel := request(t, inviteText, "CANCEL")
	out = l.ReceiveRequest(cancel, src, nil)
	check(t, "CANCEL", out, "state Trying", "pass CANCEL")
	if txOf(t, out) == id {
		t.Error("CANCEL matched the INVITE transaction")
	}
	if got, ok := l.CancelTarget(cancel); !ok || got != id {
		t.Errorf("CancelTarget = %d, %v; want %d", got, ok, id)
	}
	if _, ok := l.CancelTarget(options(t)); ok {
		t.Error("CancelTarget of an OPTIONS succeeded")
	}
	stray := request(t, strings.Replace(inviteText, "z9hG4bK776asdhds", "z9hG4bKzzz", 1), "CANCEL")
	if _, ok := l.CancelTarget(stray); ok {
		t.Error("CancelTarget of an unmatched CANCEL succeeded")
	}

	// The TU answers 486; the ACK (same branch) confirms the transaction.
	resp := response(req, 486, "b")
	out, err := l.Respond(id, resp, nil)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 3261 17.2.1: over UDP, Timer G at T1 and Timer H at 64*T1.
	check(t, "486", out, "send 486", "state Completed", "start Timer G 500ms", "start Timer H 32s")
	out = l.ReceiveRequest(mustACK(t, req, resp), src, nil)
	check(t, "ACK", out, "stop Timer G", "stop Timer H", "state Confirmed", "start Timer I 5s")
	if txOf(t, out) != id {
		t.Errorf("ACK not matched")
	}
	// An ACK with another branch is the ACK of a 2xx: to the TU, no
	// transaction.
	ack2xx := request(t, strings.Replace(inviteText, "z9hG4bK776asdhds", "z9hG4bKack2xx", 1), "ACK")
	out = l.ReceiveRequest(ack2xx, src, nil)
	check(t, "ACK of 2xx", out, "pass ACK")
	if out[0].Tx != 0 {
		t.Errorf("ACK of 2xx has Tx %d", out[0].Tx)
	}
	// Respond errors.
	if _, err := l.Respond(99, resp, nil); !errors.Is(err, ErrNoTransaction) {
		t.Errorf("Respond to unknown ID: %v", err)
	}
	cid, _, _ := l.SendRequest(options(t), udpPeer, nil)
	if _, err := l.Respond(cid, resp, nil); !errors.Is(err, ErrNoTransaction) {
		t.Errorf("Respond to a client transaction: %v", err)
	}
}

func TestLayerRFC2543Matching(t *testing.T) {
	// Requests without the magic cookie match by Request-URI, tags,
	// Call-ID, CSeq and top Via (RFC 3261 17.2.3).
	text := strings.Replace(inviteText, ";branch=z9hG4bK776asdhds", "", 1)
	l := newLayer(t, Config{})
	req := request(t, text, "")
	id := txOf(t, l.ReceiveRequest(req, src, nil))
	if k, _ := l.Key(id); !k.RFC2543() {
		t.Fatalf("key %v is not an RFC 2543 key", k)
	}
	if out := l.ReceiveRequest(request(t, text, ""), src, nil); txOf(t, out) != id {
		t.Errorf("2543 retransmission not matched: %v", out)
	}
	// A different CSeq number is a new transaction.
	if out := l.ReceiveRequest(request(t, strings.Replace(text, "314159", "314160", 1), ""), src, nil); txOf(t, out) == id {
		t.Error("another CSeq matched")
	}
	cancel := request(t, text, "CANCEL")
	if got, ok := l.CancelTarget(cancel); !ok || got != id {
		t.Errorf("2543 CancelTarget = %d, %v", got, ok)
	}
	resp := response(req, 404, "t404")
	if _, err := l.Respond(id, resp, nil); err != nil {
		t.Fatal(err)
	}
	// An ACK whose To tag is not the response's does not match.
	wrong := mustACK(t, req, response(req, 404, "other"))
	if out := l.ReceiveRequest(wrong, src, nil); out[0].Tx != 0 {
		t.Errorf("ACK with another To tag matched: %v", out)
	}
	// The ACK with the response's To tag matches.
	out := l.ReceiveRequest(mustACK(t, req, resp), src, nil)
	check(t, "2543 ACK", out, "stop Timer G", "stop Timer H", "state Confirmed", "start Timer I 5s")

	// A re-INVITE (To tag in the request) and its ACK.
	reText := strings.Replace(text, "To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com>;tag=dlg", 1)
	reText = strings.Replace(reText, "314159", "314161", 1)
	re := request(t, reText, "")
	rid := txOf(t, l.ReceiveRequest(re, src, nil))
	rresp := response(re, 488, "")
	if _, err := l.Respond(rid, rresp, nil); err != nil {
		t.Fatal(err)
	}
	if out := l.ReceiveRequest(mustACK(t, re, rresp), src, nil); txOf(t, out) != rid {
		t.Errorf("re-INVITE ACK not matched: %v", out)
	}
}

func TestLayerStaleInputs(t *testing.T) {
	l := newLayer(t, Config{})
	if out := l.Timer(7, TimerA, nil); len(out) != 0 {
		t.Errorf("timer of unknown transaction: %v", out)
	}
	if out := l.TransportError(7, nil); len(out) != 0 {
		t.Errorf("transport error of unknown transaction: %v", out)
	}
	id, _, _ := l.SendRequest(options(t), tcpPeer, nil)
	// Timer E does not run over TCP: its firing is ignored.
	if out := l.Timer(id, TimerE, nil); len(out) != 0 {
		t.Errorf("Timer E over TCP: %v", out)
	}
	out := l.TransportError(id, nil)
	check(t, "transport error", out, "stop Timer F", "transport error", "terminated")
	if l.Len() != 0 {
		t.Errorf("Len %d after termination", l.Len())
	}
	if _, ok := l.State(id); ok {
		t.Error("State of a terminated transaction")
	}
	if out := l.Timer(id, TimerF, nil); len(out) != 0 {
		t.Errorf("Timer F after termination: %v", out)
	}
	// IDs are never reused.
	if id2, _, _ := l.SendRequest(options(t), tcpPeer, nil); id2 == id {
		t.Errorf("ID %d reused", id)
	}
}

func TestLayerAccessors(t *testing.T) {
	l := newLayer(t, Config{T1: 100 * time.Millisecond})
	if l.Config().T2 != DefaultT2 || l.Config().T1 != 100*time.Millisecond {
		t.Errorf("Config() = %+v", l.Config())
	}
	req := options(t)
	id, _, _ := l.SendRequest(req, udpPeer, nil)
	if k, ok := l.Kind(id); !ok || k != NonInviteClientKind {
		t.Errorf("Kind = %v, %v", k, ok)
	}
	if s, ok := l.State(id); !ok || s != Trying {
		t.Errorf("State = %v, %v", s, ok)
	}
	if r, ok := l.Request(id); !ok || r != req {
		t.Errorf("Request = %v, %v", r, ok)
	}
	if k, ok := l.Key(id); !ok || k.Branch != "z9hG4bKhjhs8ass877" || k.Method != "OPTIONS" || k.Server {
		t.Errorf("Key = %v, %v", k, ok)
	}
	if _, ok := l.Kind(99); ok {
		t.Error("Kind of unknown ID")
	}
	if _, ok := l.Request(99); ok {
		t.Error("Request of unknown ID")
	}
	if _, ok := l.Key(99); ok {
		t.Error("Key of unknown ID")
	}
	if _, err := NewLayer(Config{T1: -1}); err == nil {
		t.Error("NewLayer with negative T1 succeeded")
	}
}

func TestLayerReceiveMessage(t *testing.T) {
	l := newLayer(t, Config{})
	req := invite(t)
	id, _, _ := l.SendRequest(req, udpPeer, nil)
	var m sipstack.Message = response(req, 180, "")
	if out := l.ReceiveMessage(m, udpPeer, nil); txOf(t, out) != id {
		t.Errorf("response via ReceiveMessage: %v", out)
	}
	m = options(t)
	if out := l.ReceiveMessage(m, src, nil); txOf(t, out) == id || l.Len() != 2 {
		t.Errorf("request via ReceiveMessage: %v", out)
	}
}

// TestLayerAbandon destroys an INVITE client transaction stuck in
// "Proceeding", as the UAC core does 64*T1 after its CANCEL when no final
// response came (RFC 3261 9.1): its timers stop, nothing is sent or passed
// up, and it leaves the layer. Abandoning it again, or an unknown ID, does
// nothing.
func TestLayerAbandon(t *testing.T) {
	l := newLayer(t, Config{})
	req := invite(t)
	id, _, err := l.SendRequest(req, udpPeer, nil)
	if err != nil {
		t.Fatal(err)
	}
	l.ReceiveResponse(response(req, 180, "b"), nil)
	if st, _ := l.State(id); st != Proceeding {
		t.Fatalf("state %v, want Proceeding", st)
	}
	out := l.Abandon(id, nil)
	check(t, "abandon in Proceeding", out, "terminated")
	if txOf(t, out) != id {
		t.Errorf("actions not tagged with the transaction: %v", out)
	}
	if l.Len() != 0 {
		t.Errorf("Len() = %d after Abandon, want 0", l.Len())
	}
	if out := l.Abandon(id, nil); len(out) != 0 {
		t.Errorf("second Abandon: %v, want nothing", out)
	}

	// In "Calling" the running Timers A and B are stopped.
	id, _, err = l.SendRequest(invite(t), udpPeer, nil)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "abandon in Calling", l.Abandon(id, nil), "stop Timer A", "stop Timer B", "terminated")
	if l.Len() != 0 {
		t.Errorf("Len() = %d after Abandon, want 0", l.Len())
	}
}
