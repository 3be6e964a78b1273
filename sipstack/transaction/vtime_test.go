package transaction_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// Property tests in virtual time: two transaction layers, a UAC and a UAS,
// bound to a sim.Network of two hosts joined by one link. Send actions
// become datagrams (UDP) or stream messages (TCP), timer actions become
// scheduled events (cancelled when stopped or replaced), deliveries are
// parsed with sipstack.ParseMessage and fed to Layer.ReceiveMessage, and a
// TCP message the stream transport gives up on becomes a transport error
// of the transaction that sent it.
//
// The UAC sends an INVITE and an OPTIONS; its user hangs up after 5 s (a
// CANCEL, once a provisional response has come). The UAS answers 180, then
// 200, 486 or nothing (the INVITE's Expires then draws a 487), and
// retransmits its 2xx with a transaction.UAS2xx; the UAC core acknowledges
// every 2xx. Whatever the loss, every transaction must terminate, both
// tables must empty, and no event may stay scheduled.
//
// When no final response to the INVITE ever reaches the UAC after a
// provisional one (all 2xx retransmissions lost, or a TCP connection that
// gave up), the INVITE client transaction stays in "Proceeding", where RFC
// 3261 17.1.1.2 runs no timer; the UAC core then destroys it with
// Layer.Abandon 64*T1 after its CANCEL, as RFC 3261 9.1 says.

var (
	vtUACAddr = netip.MustParseAddrPort("10.0.0.1:5060")
	vtUASAddr = netip.MustParseAddrPort("10.0.0.2:5060")
)

const (
	vtDelay = 20 * time.Millisecond
	// vtExpires is the Expires of the INVITE, in seconds: a UAS whose
	// user never answers sends 487 when it passes (RFC 3261 13.3.1 step
	// 1).
	vtExpires = 6
	// vtHangUp is when the UAC's user gives up on the INVITE and the
	// UAC core CANCELs it (RFC 3261 9.1), a second before the UAS's own
	// Expires timer would answer 487.
	vtHangUp = (vtExpires - 1) * time.Second
	// vtHorizon bounds the run of the schedule test.
	vtHorizon = sim.Time(30 * time.Minute)
	// vtTimerSpan bounds how long timers run after the last message
	// arrives: the UAS answers within Expires (6 s), and every timer
	// then started (H, L, M, D, I, K, J, the 2xx retransmissions) ends
	// within 64*T1 = 32 s; a timer that keeps restarting breaks it.
	vtTimerSpan = (vtExpires + 32 + 1) * time.Second
)

// vtTimerKey names a running timer of a node: a transaction's, or (with a
// zero tx) one of the UAS core's UAS2xx.
type vtTimerKey struct {
	tx  transaction.ID
	t   transaction.Timer
	u2x transaction.UAS2xxTimer
}

// vtFiring is the argument of a timer event.
type vtFiring struct {
	n   *vtNode
	key vtTimerKey
}

// vtNode is a layer bound to a host, with its TU.
type vtNode struct {
	w      *vtWorld
	name   string
	addr   netip.AddrPort
	layer  *transaction.Layer
	timers map[vtTimerKey]sim.EventID
	seen   map[transaction.ID]bool // transactions that acted
	ended  map[transaction.ID]bool // transactions that terminated
	tu     func(a transaction.Action)
}

// vtWorld is one run: the simulator, the network, both nodes and the
// record of what the TUs saw.
type vtWorld struct {
	t      testing.TB
	s      *sim.Simulator
	net    *sim.Network
	rec    *sim.Recorder
	tr     transaction.Transport
	uac    *vtNode
	uas    *vtNode
	rng    *rand.Rand
	final  int // the UAS user's answer: 200, 486, or 0 for none
	errs   []string
	fireFn func(any)
	// lastTimer is the time of the last timer firing.
	lastTimer sim.Time
	// sent holds the sender of each message, by network id - 1.
	sent []vtOwner
	// transportErrors counts the transport errors reported.
	transportErrors int

	// UAC core.
	inviteBody          int // size of the INVITE's body in bytes
	inviteID, optionsID transaction.ID
	invite              *sipstack.Request
	uacDest             transaction.Destination
	ack                 []byte // the ACK of the 2xx, built once
	uacFinals           []int  // final responses to the INVITE passed up
	uacOK               int    // 2xx passed up (first and retransmissions)
	uacTimeout          sim.Time
	uacTimedOut         bool   // the INVITE failed: timeout or transport error
	uacFailure          string // "timeout" or "transport error"
	optionsDone         bool
	gotProvisional      bool
	cancelWanted        bool
	cancelID            transaction.ID
	abandoned           bool     // the UAC core destroyed the INVITE transaction (RFC 3261 9.1)
	abandonedAt         sim.Time // when it did
	cancelResult        string   // "200", "481", "timeout", "transport error"; "" while pending

	// UAS core.
	uasInvites, uasOptions int
	uasInvite              *sipstack.Request
	u2                     *transaction.UAS2xx
	u2Done                 bool
	u2End                  sim.Time
}

// vtNewWorld builds a run: two hosts, one link with cfg, the given
// transport, the UAS user's answer.
func vtNewWorld(tb testing.TB, seed uint64, tr transaction.Transport, final int, link sim.LinkConfig) *vtWorld {
	tb.Helper()
	w := &vtWorld{t: tb, s: sim.New(seed), rec: &sim.Recorder{}, tr: tr, final: final,
		rng: rand.New(rand.NewPCG(seed, 0x5eed)), uacTimeout: -1}
	w.fireFn = w.fire
	var err error
	w.net, err = sim.NewNetwork(w.s, sim.Options{Sink: sim.Tee(w.rec, sim.SinkFunc(w.onEvent))})
	if err != nil {
		tb.Fatal(err)
	}
	w.uac = w.addNode("uac", vtUACAddr)
	w.uas = w.addNode("uas", vtUASAddr)
	if err := w.net.AddSymmetricLink("uac", "uas", link); err != nil {
		tb.Fatal(err)
	}
	w.uac.tu = w.uacTU
	w.uas.tu = w.uasTU
	w.s.SetMaxEvents(1_000_000)
	return w
}

func (w *vtWorld) addNode(name string, addr netip.AddrPort) *vtNode {
	h, err := w.net.AddHost(name, addr.Addr())
	if err != nil {
		w.t.Fatal(err)
	}
	l, err := transaction.NewLayer(transaction.Config{})
	if err != nil {
		w.t.Fatal(err)
	}
	n := &vtNode{w: w, name: name, addr: addr, layer: l,
		timers: map[vtTimerKey]sim.EventID{},
		seen:   map[transaction.ID]bool{}, ended: map[transaction.ID]bool{}}
	h.SetReceiver(sim.ReceiverFunc(n.receive))
	return n
}

// fail records a broken invariant.
func (w *vtWorld) fail(format string, args ...any) {
	w.errs = append(w.errs, w.s.Now().String()+": "+fmt.Sprintf(format, args...))
}

// vtLabel labels a message for traces and drop filters: the method of a
// request, "code/method" of a response.
func vtLabel(data []byte) string {
	msg, err := sipstack.ParseMessage(data)
	if err != nil {
		return "unparsable"
	}
	switch m := msg.(type) {
	case *sipstack.Request:
		return m.Method
	case *sipstack.Response:
		cseq, _ := m.Header.CSeq()
		return strconv.Itoa(m.StatusCode) + "/" + cseq.Method
	}
	return ""
}

// send puts a message of transaction tx (0: of the core) on the network.
func (n *vtNode) send(tx transaction.ID, dest transaction.Destination, data []byte) {
	tr := sim.UDP
	if dest.Transport.Reliable() {
		tr = sim.TCP
	}
	// The network numbers what it accepts 1, 2, ... in call order, and
	// may report its loss during Send: record the owner first.
	n.w.sent = append(n.w.sent, vtOwner{n, tx})
	err := n.w.net.Send(sim.Datagram{Src: n.addr, Dst: dest.Addr, Payload: data, Label: vtLabel(data), Transport: tr})
	if err != nil {
		n.w.sent = n.w.sent[:len(n.w.sent)-1]
		n.w.fail("%s: send to %v: %v", n.name, dest, err)
	}
}

// vtOwner is the sender of a message: a node, and the transaction whose
// send it was (0 for the core's own sends).
type vtOwner struct {
	n  *vtNode
	tx transaction.ID
}

// onEvent watches the trace for TCP messages the stream transport lost
// (written on a host that is down, or on a connection that timed out or
// was reset), and reports a transport error to the transaction that sent
// them (RFC 3261 17.1.4, 17.2.4; RFC 6026 7.1), as a socket error would.
// It runs as an event of its own: a sink must not call back into the
// network.
func (w *vtWorld) onEvent(e *sim.Event) {
	if e.Kind != sim.KindDrop || e.Transport != sim.TCP || e.Seg != (sim.Segment{}) {
		return
	}
	switch e.Reason {
	case sim.ReasonTimeout, sim.ReasonReset, sim.ReasonHostDown:
	default:
		return
	}
	if e.ID == 0 || e.ID > uint64(len(w.sent)) {
		w.fail("drop of an unknown message %d", e.ID)
		return
	}
	o := w.sent[e.ID-1]
	if o.tx == 0 {
		return
	}
	w.transportErrors++
	w.s.At(w.s.Now(), func() { o.n.apply(o.n.layer.TransportError(o.tx, nil)) })
}

// receive parses a delivery and hands it to the layer.
func (n *vtNode) receive(d sim.Datagram) {
	msg, err := sipstack.ParseMessage(d.Payload)
	if err != nil {
		n.w.fail("%s: received an unparsable message: %v", n.name, err)
		return
	}
	tr := transaction.UDP
	if d.Transport == sim.TCP {
		tr = transaction.TCP
	}
	n.apply(n.layer.ReceiveMessage(msg, transaction.Destination{Addr: d.Src, Transport: tr}, nil))
}

// schedule starts (or replaces) a timer.
func (n *vtNode) schedule(key vtTimerKey, d time.Duration) {
	n.w.s.Cancel(n.timers[key])
	n.timers[key] = n.w.s.AfterArg(d, n.w.fireFn, &vtFiring{n, key})
}

// cancel stops a timer the machine says is running.
func (n *vtNode) cancel(key vtTimerKey) {
	id, ok := n.timers[key]
	if !ok {
		n.w.fail("%s: stop of %+v, which is not running", n.name, key)
		return
	}
	n.w.s.Cancel(id)
	delete(n.timers, key)
}

// fire runs a timer.
func (w *vtWorld) fire(arg any) {
	f := arg.(*vtFiring)
	n := f.n
	delete(n.timers, f.key)
	w.lastTimer = max(w.lastTimer, w.s.Now())
	if f.key.u2x != 0 {
		w.applyU2(w.u2.Timer(f.key.u2x, nil))
		return
	}
	n.apply(n.layer.Timer(f.key.tx, f.key.t, nil))
}

// apply carries out a layer's actions.
func (n *vtNode) apply(out []transaction.Action) {
	for _, a := range out {
		if a.Tx != 0 {
			if n.ended[a.Tx] {
				n.w.fail("%s: %v after the transaction terminated", n.name, a)
			}
			n.seen[a.Tx] = true
		}
		switch a.Kind {
		case transaction.ActionSend:
			n.send(a.Tx, a.Dest, a.Data)
		case transaction.ActionStartTimer:
			n.schedule(vtTimerKey{tx: a.Tx, t: a.Timer}, a.Duration)
		case transaction.ActionStopTimer:
			n.cancel(vtTimerKey{tx: a.Tx, t: a.Timer})
		case transaction.ActionTerminated:
			n.ended[a.Tx] = true
			for k := range n.timers {
				if k.tx == a.Tx && k.u2x == 0 {
					n.w.fail("%s: tx %d terminated with %v still scheduled", n.name, a.Tx, k.t)
				}
			}
			if _, live := n.layer.State(a.Tx); live {
				n.w.fail("%s: tx %d terminated but still in the layer", n.name, a.Tx)
			}
		case transaction.ActionPassUp, transaction.ActionTimeout, transaction.ActionTransportError:
			n.tu(a)
		case transaction.ActionState:
			if a.State == transaction.Terminated {
				n.w.fail("%s: ActionState Terminated", n.name)
			}
		default:
			n.w.fail("%s: unknown action %v", n.name, a)
		}
	}
}

// applyU2 carries out the actions of the UAS core's UAS2xx.
func (w *vtWorld) applyU2(out []transaction.UAS2xxAction) {
	n := w.uas
	for _, a := range out {
		if w.u2Done {
			w.fail("uas: %v after the UAS2xx terminated", a)
		}
		switch a.Kind {
		case transaction.ActionSend:
			n.send(0, a.Dest, a.Data)
		case transaction.ActionStartTimer:
			n.schedule(vtTimerKey{u2x: a.Timer}, a.Duration)
		case transaction.ActionStopTimer:
			n.cancel(vtTimerKey{u2x: a.Timer})
		case transaction.ActionTimeout:
			// RFC 3261 13.3.1.4: the core would now send a BYE.
		case transaction.ActionTerminated:
			w.u2Done, w.u2End = true, w.s.Now()
			for k := range n.timers {
				if k.u2x != 0 {
					w.fail("uas: UAS2xx terminated with %v still scheduled", k.u2x)
				}
			}
		default:
			w.fail("uas: unknown UAS2xx action %v", a)
		}
	}
}

// start makes the UAC send an INVITE and an OPTIONS at time 0.
func (w *vtWorld) start() {
	policy := transaction.TransportPolicy{Transport: w.tr}
	inv := vtRequest(sipstack.INVITE, "z9hG4bKvtinv", "vtcall-1")
	inv.Header.Add("Expires", strconv.Itoa(vtExpires))
	if w.inviteBody > 0 {
		inv.SetBody("text/plain", []byte(strings.Repeat("x", w.inviteBody)))
	}
	var err error
	w.uacDest, _, err = policy.PrepareRequest(inv, vtUASAddr)
	if err != nil {
		w.t.Fatal(err)
	}
	w.invite = inv
	w.s.After(vtHangUp, w.hangUp)
	var out []transaction.Action
	w.inviteID, out, err = w.uac.layer.SendRequest(inv, w.uacDest, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	w.uac.apply(out)

	opt := vtRequest(sipstack.OPTIONS, "z9hG4bKvtopt", "vtcall-2")
	dest, _, err := policy.PrepareRequest(opt, vtUASAddr)
	if err != nil {
		w.t.Fatal(err)
	}
	w.optionsID, out, err = w.uac.layer.SendRequest(opt, dest, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	w.uac.apply(out)
}

// vtRequest builds a request from the UAC (Via says UDP; PrepareRequest
// fixes it).
func vtRequest(method, branch, callID string) *sipstack.Request {
	req, err := sipstack.ParseRequest([]byte(method + " sip:bob@10.0.0.2 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" + branch + "\r\n" +
		"Max-Forwards: 70\r\n" +
		"To: <sip:bob@10.0.0.2>\r\n" +
		"From: <sip:alice@10.0.0.1>;tag=vtuac\r\n" +
		"Call-ID: " + callID + "\r\n" +
		"CSeq: 1 " + method + "\r\n" +
		"Contact: <sip:alice@10.0.0.1:5060>\r\n" +
		"Content-Length: 0\r\n\r\n"))
	if err != nil {
		panic(err) // a constant message: a bug of this file
	}
	return req
}

// uacTU is the UAC core: it acknowledges every 2xx (RFC 3261 13.2.2.4:
// "The ACK MUST be passed to the client transport every time a
// retransmission of the 2xx final response that triggered the ACK
// arrives") and records the outcomes.
func (w *vtWorld) uacTU(a transaction.Action) {
	switch a.Kind {
	case transaction.ActionTimeout, transaction.ActionTransportError:
		switch a.Tx {
		case w.inviteID:
			w.uacTimedOut, w.uacTimeout = true, w.s.Now()
			w.uacFailure = a.Kind.String()
		case w.optionsID:
			if w.optionsDone {
				w.fail("uac: OPTIONS timed out after its final response")
			}
			w.optionsDone = true
		case w.cancelID:
			if w.cancelResult != "" {
				w.fail("uac: CANCEL timed out after its final response")
			}
			w.cancelResult = a.Kind.String()
		}
	case transaction.ActionPassUp:
		r := a.Response
		if r == nil {
			w.fail("uac: request passed up: %v", a)
			return
		}
		cseq, _ := r.Header.CSeq()
		// A response with the zero ID matched no transaction: a late
		// one, after the transaction ended (RFC 3261 17.1.3, 18.1.2).
		// The core only acknowledges a stray 2xx to its INVITE (RFC
		// 3261 13.2.2.4; a real UAC would then send a BYE).
		stray := a.Tx == 0
		if cseq.Method == sipstack.OPTIONS {
			if stray {
				return
			}
			if a.Tx != w.optionsID {
				w.fail("uac: OPTIONS response on tx %d", a.Tx)
			}
			if r.StatusCode >= 200 {
				if w.optionsDone {
					w.fail("uac: OPTIONS final %d passed up twice", r.StatusCode)
				}
				w.optionsDone = true
			}
			return
		}
		if cseq.Method == sipstack.CANCEL {
			if !stray && r.StatusCode >= 200 {
				if w.cancelResult != "" || a.Tx != w.cancelID {
					w.fail("uac: CANCEL final %d passed up twice or off its transaction", r.StatusCode)
				}
				w.cancelResult = strconv.Itoa(r.StatusCode)
			}
			return
		}
		if !stray && a.Tx != w.inviteID {
			w.fail("uac: INVITE response on tx %d", a.Tx)
		}
		switch {
		case r.StatusCode < 200:
			if !stray {
				w.gotProvisional = true
				if w.cancelWanted {
					w.cancel()
				}
			}
		case r.StatusCode < 300:
			if w.ack == nil {
				w.ack = vtACK(w.invite, r).AppendTo(nil)
			}
			if !stray {
				w.uacOK++
				if w.uacOK == 1 {
					w.uacFinals = append(w.uacFinals, r.StatusCode)
				}
			}
			w.uac.send(0, w.uacDest, w.ack)
		case !stray:
			w.uacFinals = append(w.uacFinals, r.StatusCode)
		}
	}
}

// hangUp is the UAC's user giving up: RFC 3261 9.1, "If no provisional
// response has been received, the CANCEL request MUST NOT be sent; rather,
// the client MUST wait for the arrival of a provisional response before
// sending the request"; and a CANCEL after a final response has no
// purpose.
func (w *vtWorld) hangUp() {
	w.cancelWanted = true
	if w.gotProvisional {
		w.cancel()
	}
}

// cancel sends the CANCEL of the INVITE (RFC 3261 9.1) if it is still
// pending and no CANCEL was sent.
func (w *vtWorld) cancel() {
	if w.cancelID != 0 || w.uacTimedOut || len(w.uacFinals) != 0 {
		return
	}
	if st, ok := w.uac.layer.State(w.inviteID); !ok || st != transaction.Proceeding {
		return
	}
	inv := w.invite
	via, _ := inv.Header.Via()
	cseq, _ := inv.Header.CSeq()
	c := sipstack.NewRequest(sipstack.CANCEL, inv.RequestURI)
	c.Header.PrependVia(via)
	c.Header.Add("Max-Forwards", "70")
	c.Header.Add("From", inv.Header.Get("From"))
	c.Header.Add("To", inv.Header.Get("To"))
	c.Header.Add("Call-ID", inv.Header.CallID())
	c.Header.Add("CSeq", sipstack.CSeq{Seq: cseq.Seq, Method: sipstack.CANCEL}.String())
	id, out, err := w.uac.layer.SendRequest(c, w.uacDest, nil)
	if err != nil {
		w.fail("uac: CANCEL: %v", err)
		return
	}
	w.cancelID = id
	w.uac.apply(out)
	w.s.After(64*w.uac.layer.Config().T1, w.abandonInvite)
}

// abandonInvite is the UAC core's rule of RFC 3261 9.1: "If there is no
// final response for the original request in 64*T1 seconds ..., the client
// SHOULD then consider the original transaction cancelled and SHOULD
// destroy the client transaction handling the original request."
func (w *vtWorld) abandonInvite() {
	if len(w.uacFinals) != 0 || w.uacTimedOut {
		return
	}
	if _, ok := w.uac.layer.State(w.inviteID); !ok {
		return
	}
	w.abandoned, w.abandonedAt = true, w.s.Now()
	w.uac.apply(w.uac.layer.Abandon(w.inviteID, nil))
}

// vtACK builds the ACK of a 2xx (RFC 3261 13.2.2.4): a new branch, the To
// of the 2xx, the CSeq number of the INVITE.
func vtACK(inv *sipstack.Request, ok *sipstack.Response) *sipstack.Request {
	via, _ := inv.Header.Via()
	via.Params = via.Params.Set("branch", "z9hG4bKvtack")
	ack := sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	ack.Header.PrependVia(via)
	ack.Header.Add("Max-Forwards", "70")
	ack.Header.Add("From", inv.Header.Get("From"))
	ack.Header.Add("To", ok.Header.Get("To"))
	ack.Header.Add("Call-ID", inv.Header.CallID())
	ack.Header.Add("CSeq", "1 ACK")
	return ack
}

// uasTU is the UAS core: 180 at once, then the user's answer after a
// random delay (200, with its retransmissions by a UAS2xx; 486), or none,
// in which case the INVITE expires and gets a 487. OPTIONS get a 200.
func (w *vtWorld) uasTU(a transaction.Action) {
	switch a.Kind {
	case transaction.ActionTimeout, transaction.ActionTransportError:
		return
	case transaction.ActionPassUp:
	default:
		return
	}
	req := a.Request
	if req == nil {
		w.fail("uas: response passed up: %v", a)
		return
	}
	switch req.Method {
	case sipstack.ACK:
		if w.u2 != nil {
			w.applyU2(w.u2.ReceiveACK(req, nil))
		}
	case sipstack.OPTIONS:
		w.uasOptions++
		w.respond(a.Tx, req, 200)
	case sipstack.CANCEL:
		// RFC 3261 9.2: 200 to the CANCEL and 487 to the INVITE if it
		// has no final response yet; 481 when no transaction matches.
		target, ok := w.uas.layer.CancelTarget(req)
		if !ok {
			w.respond(a.Tx, req, 481)
			return
		}
		w.respond(a.Tx, req, 200)
		if st, _ := w.uas.layer.State(target); st == transaction.Proceeding {
			w.respond(target, w.uasInvite, 487)
		}
	case sipstack.INVITE:
		w.uasInvites++
		w.uasInvite = req
		w.respond(a.Tx, req, 180)
		delay := time.Duration(w.rng.Int64N(int64(3 * time.Second)))
		code := w.final
		if code == 0 {
			delay, code = vtExpires*time.Second, 487
		}
		id := a.Tx
		w.s.After(delay, func() {
			// A CANCEL may have answered it already.
			if st, _ := w.uas.layer.State(id); st == transaction.Proceeding {
				w.respond(id, req, code)
			}
		})
	default:
		w.fail("uas: unexpected %s", req.Method)
	}
}

// respond sends a response of the UAS core through server transaction id,
// if it is still waiting for one.
func (w *vtWorld) respond(id transaction.ID, req *sipstack.Request, code int) {
	if st, ok := w.uas.layer.State(id); !ok || st != transaction.Proceeding && st != transaction.Trying {
		w.fail("uas: tx %d cannot take a %d (state %v, live %v)", id, code, st, ok)
		return
	}
	resp := sipstack.NewResponse(req, code, "")
	if code > 100 {
		resp.Header.Set("To", req.Header.Get("To")+";tag=vtuas")
	}
	if code >= 200 && code < 300 && req.Method == sipstack.INVITE {
		resp.Header.Add("Contact", "<sip:bob@10.0.0.2:5060>")
	}
	out, err := w.uas.layer.Respond(id, resp, nil)
	if err != nil {
		w.fail("uas: respond %d: %v", code, err)
		return
	}
	// The server transaction's send is the first transmission of a 2xx;
	// the UAS2xx retransmits it to the same place (RFC 3261 13.3.1.4).
	var dest transaction.Destination
	for _, a := range out {
		if a.Kind == transaction.ActionSend {
			dest = a.Dest
		}
	}
	w.uas.apply(out)
	if code >= 200 && code < 300 && req.Method == sipstack.INVITE {
		w.u2, err = transaction.NewUAS2xx(transaction.Config{}, resp, dest, transaction.UAS2xxRetransmitAlways)
		if err != nil {
			w.fail("uas: %v", err)
			return
		}
		// The server transaction sent the 2xx (RFC 6026 8.5); the core
		// retransmits it.
		w.applyU2(w.u2.StartRetransmissions(nil))
	}
}

// run runs the world to the horizon and checks the properties.
func (w *vtWorld) run() {
	w.s.At(0, w.start)
	w.s.Run()
	if w.s.LimitReached() {
		w.fail("event limit reached")
	}
	if p := w.s.Pending(); p != 0 {
		w.fail("%d events still pending after Run", p)
	}
	var lastDelivery sim.Time
	for _, e := range w.rec.OfKind(sim.KindDeliver) {
		lastDelivery = max(lastDelivery, e.Time)
	}
	if bound := lastDelivery.Add(vtTimerSpan); w.lastTimer > bound {
		w.fail("a timer fired at %v, later than the last delivery (%v) + %v", w.lastTimer, lastDelivery, vtTimerSpan)
	}
	for _, n := range []*vtNode{w.uac, w.uas} {
		if len(n.timers) != 0 {
			w.fail("%s: timers left: %v", n.name, n.timers)
		}
		var open []transaction.ID
		for id := range n.seen {
			if !n.ended[id] {
				open = append(open, id)
			}
		}
		slices.Sort(open)
		if len(open) != 0 || n.layer.Len() != 0 {
			w.fail("%s: transactions %v never terminated; %d left in the layer", n.name, open, n.layer.Len())
		}
	}
	// What the TUs saw.
	if w.uacTimedOut && len(w.uacFinals) != 0 {
		w.fail("uac: INVITE timed out and got finals %v", w.uacFinals)
	}
	if len(w.uacFinals) > 1 {
		w.fail("uac: finals %v passed up, want at most one", w.uacFinals)
	}
	if !w.optionsDone {
		w.fail("uac: OPTIONS had no outcome")
	}
	if w.cancelID != 0 && w.cancelResult == "" {
		w.fail("uac: CANCEL had no outcome")
	}
	if w.uasInvites > 1 || w.uasOptions > 1 {
		w.fail("uas: %d INVITEs and %d OPTIONS passed up as new transactions, want at most 1 each", w.uasInvites, w.uasOptions)
	}
	if w.u2 != nil && !w.u2Done {
		w.fail("uas: the UAS2xx never ended")
	}
	if w.u2 != nil && !w.u2.Acknowledged() && w.deliveredBefore(vtUASAddr, "ACK", w.u2End) {
		w.fail("uas: an ACK arrived before %v but the UAS2xx was not acknowledged", w.u2End)
	}
	if !w.abandoned && !w.uacTimedOut && len(w.uacFinals) == 0 {
		w.fail("uac: INVITE had no outcome")
	}
	if w.abandoned && w.finalDeliveredBefore(w.abandonedAt) {
		w.fail("uac: INVITE abandoned at %v although a final response reached the UAC before", w.abandonedAt)
	}
	if w.uacTimedOut && w.finalDeliveredBefore(w.uacTimeout) {
		w.fail("uac: INVITE timed out although a final response reached it")
	}
}

// finalDeliveredBefore reports whether a final response to the INVITE
// reached the UAC host before t.
func (w *vtWorld) finalDeliveredBefore(t sim.Time) bool {
	for _, e := range w.rec.Events {
		if e.Time < t && e.Kind == sim.KindDeliver && e.Dst == vtUACAddr && strings.HasSuffix(e.Label, "/INVITE") && e.Label[0] >= '2' {
			return true
		}
	}
	return false
}

// deliveredBefore reports whether a message labelled label reached dst
// before t.
func (w *vtWorld) deliveredBefore(dst netip.AddrPort, label string, t sim.Time) bool {
	for _, e := range w.rec.Events {
		if e.Time < t && e.Kind == sim.KindDeliver && e.Dst == dst && e.Label == label {
			return true
		}
	}
	return false
}

// vtLoss is a loss pattern of the link.
type vtLoss struct {
	name   string
	link   func() (sim.LinkConfig, error)
	filter func() sim.DropFilter // nil: none
	// fault, when not nil, schedules faults on the network.
	fault func(n *sim.Network) error
}

func vtBernoulli(p float64) vtLoss {
	return vtLoss{name: fmt.Sprintf("bernoulli %.2f", p), link: func() (sim.LinkConfig, error) {
		return sim.LinkConfig{Delay: vtDelay, Loss: sim.Bernoulli{P: p}}, nil
	}}
}

func vtGilbert(rate, burst float64) vtLoss {
	return vtLoss{name: fmt.Sprintf("gilbert-elliott %.2f burst %.0f", rate, burst), link: func() (sim.LinkConfig, error) {
		g, err := sim.NewGilbertElliottFromRate(rate, burst)
		return sim.LinkConfig{Delay: vtDelay, Loss: g}, err
	}}
}

func vtDropFirst(k int, from, to, label string) vtLoss {
	return vtLoss{
		name: fmt.Sprintf("drop first %d %s %s->%s", k, label, from, to),
		link: func() (sim.LinkConfig, error) { return sim.LinkConfig{Delay: vtDelay}, nil },
		filter: func() sim.DropFilter {
			return sim.DropFirst(k, sim.OnHop(from, to, label))
		},
	}
}

func vtDown(from, to time.Duration) vtLoss {
	return vtLoss{name: fmt.Sprintf("link down [%v, %v)", from, to), link: func() (sim.LinkConfig, error) {
		return sim.LinkConfig{Delay: vtDelay, Down: []sim.Window{{From: sim.Time(from), To: sim.Time(to)}}}, nil
	}}
}

// vtHostDown makes a host unreachable during [from, to): datagrams to and
// from it are lost, and its TCP connections are reset (their undelivered
// messages become transport errors).
func vtHostDown(host string, from, to time.Duration) vtLoss {
	return vtLoss{
		name: fmt.Sprintf("host %s down [%v, %v)", host, from, to),
		link: func() (sim.LinkConfig, error) { return sim.LinkConfig{Delay: vtDelay}, nil },
		fault: func(n *sim.Network) error {
			return n.HostDown(host, sim.Time(from), sim.Time(to))
		},
	}
}

// vtLosses are the loss patterns of the property test.
func vtLosses() []vtLoss {
	return []vtLoss{
		vtBernoulli(0), vtBernoulli(0.1), vtBernoulli(0.3), vtBernoulli(0.5),
		vtGilbert(0.2, 3), vtGilbert(0.4, 8),
		vtDropFirst(1, "uac", "uas", "INVITE"),
		vtDropFirst(3, "uac", "uas", "INVITE"),
		vtDropFirst(2, "uas", "uac", "100/INVITE"),
		vtDropFirst(2, "uas", "uac", "180/INVITE"),
		vtDropFirst(3, "uas", "uac", "200/INVITE"),
		vtDropFirst(3, "uas", "uac", "486/INVITE"),
		vtDropFirst(3, "uas", "uac", "487/INVITE"),
		vtDropFirst(2, "uac", "uas", "ACK"),
		vtDropFirst(2, "uac", "uas", "OPTIONS"),
		vtDropFirst(2, "uas", "uac", "200/OPTIONS"),
		vtDown(10*time.Millisecond, 5*time.Second),
		vtDown(time.Second, 20*time.Second),
		vtHostDown("uas", 2*time.Second, 4*time.Second),
		vtHostDown("uac", 500*time.Millisecond, 3*time.Second),
	}
}

// TestVirtualTimeProperties runs every loss pattern, over UDP and TCP,
// with each answer of the UAS user, for several seeds, and checks that
// every transaction terminates, both tables empty, and no event is left.
func TestVirtualTimeProperties(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 3
	}
	runs := 0
	outcomes := map[string]int{}
	for _, loss := range vtLosses() {
		for _, tr := range []transaction.Transport{transaction.UDP, transaction.TCP} {
			for _, final := range []int{200, 486, 0} {
				for seed := range uint64(seeds) {
					link, err := loss.link()
					if err != nil {
						t.Fatal(err)
					}
					w := vtNewWorld(t, seed+1, tr, final, link)
					if loss.filter != nil {
						w.net.AddDropFilter(loss.filter())
					}
					if loss.fault != nil {
						if err := loss.fault(w.net); err != nil {
							t.Fatal(err)
						}
					}
					w.run()
					if w.abandoned {
						outcomes["abandoned after CANCEL"]++
					}
					runs++
					outcomes[vtOutcome(w)]++
					if w.cancelID != 0 {
						outcomes["CANCEL "+w.cancelResult]++
					}
					if w.transportErrors != 0 {
						outcomes["runs with transport errors"]++
					}
					if len(w.errs) != 0 {
						t.Errorf("%s, %v, answer %d, seed %d:\n  %s", loss.name, tr, final, seed+1, strings.Join(w.errs, "\n  "))
					}
				}
			}
		}
	}
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s:%d", k, outcomes[k])
	}
	t.Logf("%d runs; outcomes:%s", runs, b.String())
	// The loss patterns must exercise every outcome, or the test checks
	// less than it claims.
	for _, want := range []string{"200", "486", "487", "timeout", "CANCEL 200"} {
		if outcomes[want] == 0 {
			t.Errorf("no run ended with %s", want)
		}
	}
}

// vtOutcome names the UAC's outcome of the INVITE.
func vtOutcome(w *vtWorld) string {
	switch {
	case w.uacTimedOut:
		return w.uacFailure
	case len(w.uacFinals) > 0:
		return strconv.Itoa(w.uacFinals[0])
	}
	return "none"
}

// TestVirtualTimeUnansweredInvite checks the schedule of an INVITE that
// nobody answers, over UDP, from the network trace: sent at 0, 0.5, 1.5,
// 3.5, 7.5, 15.5 and 31.5 s (RFC 3261 17.1.1.2, Timer A doubling), and the
// timeout reported to the TU at 32 s (Timer B = 64*T1).
func TestVirtualTimeUnansweredInvite(t *testing.T) {
	w := vtNewWorld(t, 1, transaction.UDP, 200, sim.LinkConfig{Delay: vtDelay})
	w.net.Host("uas").SetReceiver(nil) // nobody listens
	w.s.At(0, w.start)
	w.s.RunUntil(vtHorizon)
	var sends []time.Duration
	for _, e := range w.rec.OfKind(sim.KindSend) {
		if e.Label == "INVITE" {
			sends = append(sends, time.Duration(e.Time))
		}
	}
	want := []time.Duration{0, 500 * time.Millisecond, 1500 * time.Millisecond, 3500 * time.Millisecond,
		7500 * time.Millisecond, 15500 * time.Millisecond, 31500 * time.Millisecond}
	if !slices.Equal(sends, want) {
		t.Errorf("INVITE sent at %v, want %v", sends, want)
	}
	if !w.uacTimedOut || w.uacTimeout != sim.Time(32*time.Second) {
		t.Errorf("timeout reported: %v at %v, want at 32s", w.uacTimedOut, w.uacTimeout)
	}
	if w.uac.layer.Len() != 0 || len(w.uac.timers) != 0 || w.s.Pending() != 0 {
		t.Errorf("left: %d transactions, %d timers, %d events", w.uac.layer.Len(), len(w.uac.timers), w.s.Pending())
	}
	if len(w.errs) != 0 {
		t.Errorf("broken invariants:\n  %s", strings.Join(w.errs, "\n  "))
	}
}

// TestVirtualTimeLargeInvite sends an INVITE of over 1300 bytes with the
// default policy (UDP, path MTU unknown): RFC 3261 18.1.1 puts it on TCP
// with a TCP Via, its responses come back on TCP (RFC 3261 18.2.2), and
// the small OPTIONS sent beside it stays on UDP. The properties hold.
func TestVirtualTimeLargeInvite(t *testing.T) {
	for _, final := range []int{200, 486} {
		w := vtNewWorld(t, 7, transaction.UDP, final, sim.LinkConfig{Delay: vtDelay, Loss: sim.Bernoulli{P: 0.2}})
		w.inviteBody = 1400
		w.run()
		if w.abandoned {
			t.Errorf("answer %d: INVITE transaction abandoned", final)
		}
		if len(w.errs) != 0 {
			t.Errorf("answer %d: broken invariants:\n  %s", final, strings.Join(w.errs, "\n  "))
		}
		if via, _ := w.invite.Header.Via(); via.Transport != "TCP" || w.uacDest.Transport != transaction.TCP {
			t.Errorf("answer %d: INVITE Via transport %q, destination %v; want TCP", final, via.Transport, w.uacDest)
		}
		counts := map[string]int{}
		for _, e := range w.rec.OfKind(sim.KindDeliver) {
			counts[e.Label+" "+e.Transport.String()]++
		}
		for _, want := range []string{"INVITE TCP", "180/INVITE TCP", fmt.Sprintf("%d/INVITE TCP", final), "ACK TCP", "OPTIONS UDP", "200/OPTIONS UDP"} {
			if counts[want] == 0 {
				t.Errorf("answer %d: no %s delivered; deliveries %v", final, want, counts)
			}
		}
		for k := range counts {
			if strings.Contains(k, "INVITE UDP") || k == "ACK UDP" {
				t.Errorf("answer %d: %s delivered", final, k)
			}
		}
	}
}
