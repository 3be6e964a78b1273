package transaction

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// Two-node scenarios: a UAC layer and a UAS layer joined by a fake network
// with a fixed one-way delay, on one virtual clock. Every message crosses
// the network as bytes and is parsed on arrival, so these tests also check
// that what the machines send can be matched back. The network can drop
// chosen messages.

const netDelay = 10 * time.Millisecond

// simNode is a layer with an address and a TU.
type simNode struct {
	name string
	addr Destination
	l    *Layer
	// tu handles an action for the TU (pass up, timeout, transport
	// error).
	tu func(w *world, a Action)
}

// simEvent is a timer firing, a datagram arrival, or a later action of a
// TU.
type simEvent struct {
	at   time.Duration
	seq  uint64
	node *simNode
	// a TU's action, when not nil
	fn func(w *world)
	// timer firing
	tx    ID
	timer Timer
	// arrival
	data []byte
	from Destination
}

// world is the clock, the nodes and the event queue.
type world struct {
	t     *testing.T
	now   time.Duration
	seq   uint64
	nodes []*simNode
	queue []simEvent
	// drop reports whether to lose a datagram, given its first line and
	// how many datagrams with that first line were sent before.
	drop  func(line string, nth int) bool
	count map[string]int
	trace []string // "t node event"
	buf   []Action
}

func newWorld(t *testing.T) *world { return &world{t: t, count: map[string]int{}} }

func (w *world) addNode(name, addr string) *simNode {
	l, err := NewLayer(Config{})
	if err != nil {
		w.t.Fatal(err)
	}
	n := &simNode{name: name, addr: Destination{netip.MustParseAddrPort(addr), UDP}, l: l}
	w.nodes = append(w.nodes, n)
	return n
}

func (w *world) schedule(e simEvent) {
	w.seq++
	e.seq = w.seq
	i, _ := slices.BinarySearchFunc(w.queue, e, func(x, y simEvent) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return int(x.seq) - int(y.seq)
	})
	w.queue = slices.Insert(w.queue, i, e)
}

func (w *world) log(n *simNode, format string, args ...any) {
	w.trace = append(w.trace, fmt.Sprintf("%v %s %s", w.now, n.name, fmt.Sprintf(format, args...)))
}

// send puts a datagram on the network from n.
func (w *world) send(n *simNode, data []byte, dest Destination) {
	line, _, _ := strings.Cut(string(data), "\r\n")
	k := w.count[line]
	w.count[line]++
	if w.drop != nil && w.drop(line, k) {
		w.log(n, "lost %s", line)
		return
	}
	w.log(n, "sent %s", line)
	for _, to := range w.nodes {
		if to.addr.Addr == dest.Addr {
			w.schedule(simEvent{at: w.now + netDelay, node: to, data: data, from: n.addr})
			return
		}
	}
	w.t.Fatalf("no node at %v", dest)
}

// apply carries out the actions of node n.
func (w *world) apply(n *simNode, out []Action) {
	for _, a := range out {
		switch a.Kind {
		case ActionSend:
			w.send(n, a.Data, a.Dest)
		case ActionStartTimer:
			w.cancel(n, a.Tx, a.Timer)
			w.schedule(simEvent{at: w.now + a.Duration, node: n, tx: a.Tx, timer: a.Timer})
		case ActionStopTimer:
			w.cancel(n, a.Tx, a.Timer)
		case ActionPassUp, ActionTimeout, ActionTransportError:
			if n.tu != nil {
				n.tu(w, a)
			}
		}
	}
}

func (w *world) cancel(n *simNode, tx ID, t Timer) {
	w.queue = slices.DeleteFunc(w.queue, func(e simEvent) bool {
		return e.node == n && e.fn == nil && e.data == nil && e.tx == tx && e.timer == t
	})
}

// run processes events until none is left.
func (w *world) run() {
	for i := 0; len(w.queue) > 0; i++ {
		if i > 100000 {
			w.t.Fatal("too many events")
		}
		e := w.queue[0]
		w.queue = w.queue[1:]
		w.now = e.at
		n := e.node
		if e.fn != nil {
			e.fn(w)
			continue
		}
		if e.data == nil {
			w.buf = n.l.Timer(e.tx, e.timer, w.buf[:0])
		} else {
			msg, err := sipstack.ParseMessage(e.data)
			if err != nil {
				w.t.Fatalf("%s cannot parse what it received: %v\n%s", n.name, err, e.data)
			}
			w.buf = n.l.ReceiveMessage(msg, e.from, w.buf[:0])
		}
		w.apply(n, w.buf)
	}
}

// checkTrace checks that the trace holds the lines of want in order.
func (w *world) checkTrace(want []string) {
	w.t.Helper()
	i := 0
	for _, line := range w.trace {
		if i < len(want) && line == want[i] {
			i++
		}
	}
	if i < len(want) {
		w.t.Errorf("trace lacks %q (in order); trace:\n%s", want[i], strings.Join(w.trace, "\n"))
	}
}

func TestNetworkInviteAccepted(t *testing.T) {
	// The first INVITE is lost and Timer A resends it at 0.5 s. The UAS
	// answers 180 then, a second later, 200; the UAC's TU sends the ACK of
	// the 2xx itself, and the UAS transaction passes it up in "Accepted".
	// The second 200 (a TU retransmission) reaches the UAC transaction in
	// "Accepted", which passes it up too. Timers L and M end both sides.
	w := newWorld(t)
	uac := w.addNode("uac", "192.0.2.1:5060")
	uas := w.addNode("uas", "192.0.2.10:5060")
	w.drop = func(line string, nth int) bool { return strings.HasPrefix(line, "INVITE") && nth == 0 }
	uas.tu = func(w *world, a Action) {
		if a.Kind != ActionPassUp || a.Request == nil {
			return
		}
		w.log(uas, "TU got %s", a.Request.Method)
		if a.Request.Method != sipstack.INVITE {
			return
		}
		id := a.Tx
		w.apply(uas, must(t)(uas.l.Respond(id, response(a.Request, 180, "uas"), nil)))
		ok := response(a.Request, 200, "uas")
		w.schedule(simEvent{at: w.now + time.Second, node: uas, fn: func(w *world) {
			w.apply(uas, must(t)(uas.l.Respond(id, ok, nil)))
			// The TU retransmits its 2xx (RFC 3261 13.3.1.4) once.
			w.apply(uas, must(t)(uas.l.Respond(id, ok, nil)))
		}})
	}
	uac.tu = func(w *world, a Action) {
		if a.Kind != ActionPassUp || a.Response == nil {
			return
		}
		w.log(uac, "TU got %d", a.Response.StatusCode)
		if a.Response.StatusCode == 200 {
			req, _ := uac.l.Request(a.Tx)
			ack := sipstack.NewRequest(sipstack.ACK, req.RequestURI)
			ack.Header.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack1")
			ack.Header.Add("Max-Forwards", "70")
			ack.Header.Add("From", req.Header.Get("From"))
			ack.Header.Add("To", a.Response.Header.Get("To"))
			ack.Header.Add("Call-ID", req.Header.CallID())
			ack.Header.Add("CSeq", "314159 ACK")
			w.send(uac, ack.AppendTo(nil), uas.addr)
		}
	}
	req := invite(t)
	req.Header.Set("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnet1")
	_, out, err := uac.l.SendRequest(req, uas.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.apply(uac, out)
	w.run()
	w.checkTrace([]string{
		"0s uac lost INVITE sip:bob@biloxi.example.com SIP/2.0",
		"500ms uac sent INVITE sip:bob@biloxi.example.com SIP/2.0",
		"510ms uas sent SIP/2.0 100 Trying",
		"510ms uas TU got INVITE",
		"510ms uas sent SIP/2.0 180 Ringing",
		"520ms uac TU got 100",
		"520ms uac TU got 180",
		"1.51s uas sent SIP/2.0 200 OK",
		"1.51s uas sent SIP/2.0 200 OK",
		"1.52s uac TU got 200",
		"1.52s uac sent ACK sip:bob@biloxi.example.com SIP/2.0",
		"1.52s uac TU got 200",
		"1.53s uas TU got ACK",
		"1.53s uas TU got ACK",
	})
	if uac.l.Len() != 0 || uas.l.Len() != 0 {
		t.Errorf("transactions left: uac %d, uas %d", uac.l.Len(), uas.l.Len())
	}
	// The UAS ends at Timer L (1.51 s + 32 s), the UAC last, at Timer M
	// (1.52 s + 32 s).
	if w.now != 1520*time.Millisecond+32*time.Second {
		t.Errorf("last event at %v, want Timer M at 33.52s", w.now)
	}
}

func TestNetworkInviteRejectedACKLost(t *testing.T) {
	// The UAS rejects with 486; the first ACK is lost, so Timer G resends
	// the 486 at 0.51 s; the UAC transaction, in "Completed", resends the
	// ACK without passing the 486 up again. The UAS then waits Timer I,
	// the UAC Timer D.
	w := newWorld(t)
	uac := w.addNode("uac", "192.0.2.1:5060")
	uas := w.addNode("uas", "192.0.2.10:5060")
	w.drop = func(line string, nth int) bool { return strings.HasPrefix(line, "ACK") && nth == 0 }
	uas.tu = func(w *world, a Action) {
		if a.Kind == ActionPassUp && a.Request != nil && a.Request.Method == sipstack.INVITE {
			w.log(uas, "TU got INVITE")
			w.apply(uas, must(t)(uas.l.Respond(a.Tx, response(a.Request, 486, "uas"), nil)))
		}
	}
	uac.tu = func(w *world, a Action) {
		if a.Kind == ActionPassUp && a.Response != nil {
			w.log(uac, "TU got %d", a.Response.StatusCode)
		}
	}
	req := invite(t)
	req.Header.Set("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnet2")
	_, out, err := uac.l.SendRequest(req, uas.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.apply(uac, out)
	w.run()
	w.checkTrace([]string{
		"0s uac sent INVITE sip:bob@biloxi.example.com SIP/2.0",
		"10ms uas sent SIP/2.0 100 Trying",
		"10ms uas TU got INVITE",
		"10ms uas sent SIP/2.0 486 Busy Here",
		"20ms uac TU got 100",
		"20ms uac lost ACK sip:bob@biloxi.example.com SIP/2.0",
		"20ms uac TU got 486",
		"510ms uas sent SIP/2.0 486 Busy Here",
		"520ms uac sent ACK sip:bob@biloxi.example.com SIP/2.0",
	})
	got486 := 0
	for _, line := range w.trace {
		if strings.HasSuffix(line, "uac TU got 486") {
			got486++
		}
	}
	if got486 != 1 {
		t.Errorf("the UAC TU got the 486 %d times, want 1", got486)
	}
	if uac.l.Len() != 0 || uas.l.Len() != 0 {
		t.Errorf("transactions left: uac %d, uas %d", uac.l.Len(), uas.l.Len())
	}
	// The UAC ends last, at Timer D: 20 ms + 32 s.
	if w.now != 20*time.Millisecond+32*time.Second {
		t.Errorf("last event at %v", w.now)
	}
}
