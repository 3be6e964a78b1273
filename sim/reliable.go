package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// TCPConfig configures the stream transport: SIP over TCP, reduced to what
// shapes delay. Zero fields take the defaults given with each field;
// negative values are invalid.
//
// Messages sent with Transport TCP travel over a connection between their
// two socket addresses. One connection serves both directions of a pair:
// the connection opened by A:p for a message to B:q also carries B:q's
// messages to A:p, as a SIP response returns over the connection of its
// request (RFC 3261 18.2.2). A connection is created by the first message
// between the pair; with TCPConfig.Handshake it first exchanges SYN and
// SYN-ACK (the initiator retransmits its SYN on its RTO timer, the responder
// answers every SYN it receives; the initiator then sends an ACK and its
// data). Without Handshake both ends are open at once.
//
// Each message is cut into segments of at most MSS bytes (MSS = the smallest
// MTU on the path at creation, minus 40 bytes of IPv4 and TCP headers);
// segments never span two messages (as with TCP_NODELAY and one write per
// message). The sender keeps at most TCPConfig.Window bytes unacknowledged
// (a fixed receive window; no congestion control is modelled). The receiver
// acknowledges every segment at once with a cumulative ACK (no delayed
// ACKs), keeps out-of-order segments, and passes each message up whole, in
// stream order, exactly once (message boundaries are known to the transport,
// as if the receiver framed them by Content-Length, RFC 3261 18.3). Every
// segment is its payload + 40 bytes on the wire (20 TCP, 20 IPv4; no TCP
// options, so a SYN is 40 bytes). Segments and ACKs cross the same links as
// datagrams and suffer the same loss, delay, queues and filters; loss thus
// shows up as delay and head-of-line blocking, never as a lost message
// (within the retry bounds below).
//
// Retransmission follows RFC 6298: RTO starts at 1 s (2.1); the first RTT
// sample R sets SRTT = R, RTTVAR = R/2 (2.2); later samples update
// RTTVAR = 3/4 RTTVAR + 1/4 |SRTT-R| and SRTT = 7/8 SRTT + 1/8 R (2.3);
// RTO = SRTT + max(G, 4 RTTVAR) with the clock granularity G = 1 ns, bounded
// to [MinRTO = 1 s (2.4), MaxRTO = 60 s (2.5)]. Segments that were
// retransmitted give no sample (Karn's algorithm, section 3); a sample is
// taken from the newest segment an ACK newly covers, when none of the
// segments it covers was retransmitted. The timer runs while data is
// outstanding (5.1-5.3); on expiry the earliest unacknowledged segment is
// retransmitted (5.4), RTO doubles up to MaxRTO (5.5) and the timer restarts
// (5.6). The other segments sent before the expiry are then presumed lost,
// as TCP does after a timeout (RFC 5681 3.1: it goes back to the oldest
// unacknowledged segment and sends on from there): each is retransmitted as
// soon as an ACK of new data arrives, rather than waiting for a further,
// doubled RTO of its own, so one outage costs one backoff and not one per
// queued message. With no congestion window modelled they go out at once.
// After a SYN timeout RTO is re-initialised to 3 s when data transmission
// begins (5.7).
//
// Fast retransmit follows RFC 5681 3.2: the third duplicate ACK (a pure
// ACK that acknowledges nothing new while data is outstanding, section 2)
// retransmits the earliest unacknowledged segment at once. Until the data
// outstanding at that moment is acknowledged, each ACK that covers only
// part of it retransmits the next unacknowledged segment at once (NewReno's
// partial ACKs, RFC 6582 3.2 step 3), so that several losses in one window
// cost one round trip each rather than a timeout each. A timeout ends this
// recovery. SACK and congestion control (cwnd, ssthresh, fast recovery's
// window inflation) are not modelled: the window is fixed.
//
// Bounds: after MaxRetries consecutive expiries for the same data (or
// MaxSYNRetries for a SYN) the connection gives up; its undelivered messages
// are reported as drops with ReasonTimeout and the next message between the
// pair opens a new connection.
//
// A host crash resets every connection with an end on the host, at both
// ends at once (as if the peer learned of it by an RST): messages not yet
// delivered in either direction, queued or in flight, are reported as drops
// with ReasonReset, and segments of the old connection still on the links
// are dropped with ReasonReset when they arrive. Messages sent afterwards
// open a new connection.
//
// A message written while its host is down is dropped with ReasonHostDown,
// one to an address of no host or with no path to it with ReasonNoRoute.
//
// Every such message-level drop (KindDrop with Transport TCP and a zero
// Seg) is also told to the host that wrote the message, as a failed write
// or a connection error tells a socket's owner: see [Host.SetLossHandler],
// which receives the id [Network.SendID] gave the message. The handler runs
// as an event of its own at the instant of the drop, so that it may send
// (a SIP transaction turns it into a transport error, RFC 3261 17.1.4,
// 17.2.4). Delivery is not acknowledged to the sender: a message delivered
// just before its connection resets is not reported.
type TCPConfig struct {
	// Handshake makes each new connection exchange SYN and SYN-ACK before
	// data (one extra round trip, itself subject to loss).
	Handshake bool
	// InitialRTO is the RTO before the first RTT sample; default 1 s
	// (RFC 6298 2.1).
	InitialRTO time.Duration
	// MinRTO is the lower bound of a computed RTO; default 1 s (RFC 6298
	// 2.4).
	MinRTO time.Duration
	// MaxRTO bounds the RTO, backoff included; default 60 s (RFC 6298 2.5).
	MaxRTO time.Duration
	// MaxRetries is the number of consecutive retransmission timeouts of
	// data after which a connection gives up; default 15 (as Linux
	// tcp_retries2).
	MaxRetries int
	// MaxSYNRetries is the number of SYN retransmissions after which a
	// connection attempt gives up; default 6 (as Linux tcp_syn_retries).
	MaxSYNRetries int
	// Window is the most unacknowledged data a sender keeps in flight, in
	// bytes; default 65535 (the largest window without RFC 7323 scaling).
	// One segment is always allowed when nothing is in flight.
	Window int
}

func (c TCPConfig) withDefaults() (TCPConfig, error) {
	if c.InitialRTO < 0 || c.MinRTO < 0 || c.MaxRTO < 0 || c.MaxRetries < 0 || c.MaxSYNRetries < 0 || c.Window < 0 {
		return c, fmt.Errorf("sim: TCP configuration has a negative value: %+v", c)
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.InitialRTO, time.Second)
	def(&c.MinRTO, time.Second)
	def(&c.MaxRTO, 60*time.Second)
	if c.MaxRetries == 0 {
		c.MaxRetries = 15
	}
	if c.MaxSYNRetries == 0 {
		c.MaxSYNRetries = 6
	}
	if c.Window == 0 {
		c.Window = 65535
	}
	if c.MinRTO > c.MaxRTO {
		return c, fmt.Errorf("sim: TCP MinRTO %v exceeds MaxRTO %v", c.MinRTO, c.MaxRTO)
	}
	return c, nil
}

// Validate reports whether c is usable (after defaults).
func (c TCPConfig) Validate() error {
	_, err := c.withDefaults()
	return err
}

// rtoAfterSYNTimeout is the RTO data transmission starts with after a SYN
// timed out (RFC 6298 5.7).
const rtoAfterSYNTimeout = 3 * time.Second

// connKey names a connection by its two socket addresses, smaller first.
type connKey struct{ a, b netip.AddrPort }

func makeKey(local, remote netip.AddrPort) (connKey, int) {
	if local.Compare(remote) <= 0 {
		return connKey{local, remote}, 0
	}
	return connKey{remote, local}, 1
}

// conn is one connection: both ends, since the simulator sees both. The
// ends only learn of each other through segments.
type conn struct {
	key       connKey
	ep        [2]endpoint
	initiator int
	mss       int
	dead      bool

	synSentAt Time
	synTries  int // SYN transmissions so far
	synRetx   bool
	synTimer  EventID
}

// endpoint is one end of a connection: the sender of one direction of data
// and the receiver of the other.
type endpoint struct {
	c             *conn
	side          int
	host          *Host
	local, remote netip.AddrPort
	established   bool
	synAckSent    bool

	// Sender: out[head:] are the segments not yet acknowledged, the first
	// sent of them already transmitted at least once.
	out            []*segment
	head, sent     int
	una, nxt, tail uint64 // oldest unacked, next to send, end of queued data
	rto            time.Duration
	srtt, rttvar   time.Duration
	sampled        bool
	timer          EventID
	retries        int
	// recover is the end of the data sent when the retransmission timer
	// last expired, and expiredAt that expiry's time: segments below
	// recover last sent before expiredAt are presumed lost.
	recover   uint64
	expiredAt Time
	// dupAcks counts the duplicate ACKs in a row; while fastRecovery is
	// set, ACKs below frRecover (the end of the data sent when fast
	// retransmit fired) are partial.
	dupAcks      int
	fastRecovery bool
	frRecover    uint64

	// Receiver.
	rcvNxt uint64
	ooo    []*segment // received beyond rcvNxt, sorted by seq
}

// segment is one data segment of a message.
type segment struct {
	msg    *message
	seq    uint64
	off, n int
	last   bool
	sentAt Time
	retx   bool
}

// message is one message written to a connection.
type message struct {
	d         Datagram
	id        uint64
	delivered bool
	one       [1]segment // the segment of a one-segment message
}

// payload returns the segment's slice of its message's bytes (shorter, or
// empty, when the message's Size exceeds its materialised payload).
func (s *segment) payload() []byte {
	p := s.msg.d.Payload
	lo, hi := min(s.off, len(p)), min(s.off+s.n, len(p))
	return p[lo:hi:hi]
}

// write queues a message on its connection, creating the connection if
// needed.
func (n *Network) write(src *Host, d Datagram, id uint64) {
	n.emitMsg(KindWrite, ReasonNone, &d, id)
	if !src.up {
		n.lose(src, &d, id, ReasonHostDown)
		return
	}
	dst := n.byAddr[d.Dst.Addr()]
	if dst == nil {
		n.lose(src, &d, id, ReasonNoRoute)
		return
	}
	path, ok := n.route(src, dst)
	if !ok {
		n.lose(src, &d, id, ReasonNoRoute)
		return
	}
	key, side := makeKey(d.Src, d.Dst)
	c := n.conns[key]
	if c == nil {
		c = n.newConn(key, side, src, dst, path)
	}
	ep := &c.ep[side]
	// One allocation for a message of one segment (the common SIP case),
	// two otherwise.
	m := &message{d: d, id: id}
	segs := m.one[:]
	if nseg := (d.Size + c.mss - 1) / c.mss; nseg > 1 {
		segs = make([]segment, nseg)
	}
	for i, off := 0, 0; off < d.Size; i, off = i+1, off+c.mss {
		sz := min(c.mss, d.Size-off)
		segs[i] = segment{msg: m, seq: ep.tail, off: off, n: sz, last: off+sz == d.Size}
		ep.out = append(ep.out, &segs[i])
		ep.tail += uint64(sz)
	}
	n.trySend(ep)
}

func (n *Network) newConn(key connKey, side int, src, dst *Host, path []*direction) *conn {
	mtu := DefaultMTU
	if len(path) > 0 {
		mtu = MaxMTU
		for _, d := range path {
			mtu = min(mtu, d.cfg.mtu())
		}
	}
	c := &conn{key: key, initiator: side, mss: mtu - IPv4HeaderSize - TCPHeaderSize}
	hosts := [2]*Host{src, dst}
	addrs := [2]netip.AddrPort{key.a, key.b}
	if side == 1 {
		hosts[0], hosts[1] = dst, src
	}
	for i := range c.ep {
		c.ep[i] = endpoint{
			c: c, side: i, host: hosts[i], local: addrs[i], remote: addrs[1-i],
			established: !n.tcp.Handshake, rto: n.tcp.InitialRTO,
		}
	}
	n.conns[key] = c
	src.conns = append(src.conns, c)
	if dst != src {
		dst.conns = append(dst.conns, c)
	}
	return c
}

// trySend transmits the queued segments the window allows, or starts the
// handshake.
func (n *Network) trySend(ep *endpoint) {
	c := ep.c
	if c.dead {
		return
	}
	if !ep.established {
		if c.initiator == ep.side && c.synTries == 0 {
			n.sendSYN(c, false)
		}
		return
	}
	for ep.head+ep.sent < len(ep.out) {
		s := ep.out[ep.head+ep.sent]
		inflight := ep.nxt - ep.una
		if inflight > 0 && inflight+uint64(s.n) > uint64(n.tcp.Window) {
			break
		}
		ep.sent++
		ep.nxt += uint64(s.n)
		n.sendData(ep, s, false)
		if c.dead { // a filter or sink cannot do this, but be safe
			return
		}
	}
}

// sendData transmits a data segment and starts the retransmission timer if
// it is not running (RFC 6298 5.1).
func (n *Network) sendData(ep *endpoint, s *segment, retx bool) {
	s.sentAt = n.sim.now
	if retx {
		s.retx = true
	}
	fl := n.newFlight()
	fl.Datagram = Datagram{Src: ep.local, Dst: ep.remote, Payload: s.payload(), Size: s.n, Label: s.msg.d.Label, Transport: TCP}
	fl.Seg = Segment{Flags: FlagACK, Seq: s.seq, Ack: ep.rcvNxt, Len: s.n, Retransmit: retx}
	fl.ID = s.msg.id
	fl.conn, fl.seg, fl.end = ep.c, s, 1-ep.side
	if ep.timer.IsZero() {
		ep.timer = n.sim.AfterArg(ep.rto, n.rtoFn, ep)
	}
	n.launch(fl, ep.host)
}

// sendCtl transmits a control segment (SYN, SYN-ACK or pure ACK).
func (n *Network) sendCtl(ep *endpoint, flags SegFlag, retx bool) {
	fl := n.newFlight()
	fl.Datagram = Datagram{Src: ep.local, Dst: ep.remote, Transport: TCP}
	fl.Seg = Segment{Flags: flags, Retransmit: retx}
	if flags&FlagACK != 0 {
		fl.Seg.Ack = ep.rcvNxt
	}
	fl.conn, fl.end = ep.c, 1-ep.side
	n.launch(fl, ep.host)
}

func (n *Network) sendSYN(c *conn, retx bool) {
	ep := &c.ep[c.initiator]
	c.synTries++
	c.synSentAt = n.sim.now
	c.synTimer = n.sim.AfterArg(ep.rto, n.synFn, c)
	n.sendCtl(ep, FlagSYN, retx)
}

// onSYNTimer retransmits an unanswered SYN with a doubled RTO, or gives up.
func (n *Network) onSYNTimer(a any) {
	c := a.(*conn)
	c.synTimer = EventID{}
	ep := &c.ep[c.initiator]
	if c.dead || ep.established {
		return
	}
	if c.synTries > n.tcp.MaxSYNRetries {
		n.abort(c, ReasonTimeout)
		return
	}
	ep.rto = min(2*ep.rto, n.tcp.MaxRTO)
	c.synRetx = true
	n.sendSYN(c, true)
}

// onRTO handles the expiry of an endpoint's retransmission timer
// (RFC 6298 5.4-5.6).
func (n *Network) onRTO(a any) {
	ep := a.(*endpoint)
	ep.timer = EventID{}
	c := ep.c
	if c.dead || ep.una == ep.nxt {
		return
	}
	if ep.retries >= n.tcp.MaxRetries {
		n.abort(c, ReasonTimeout)
		return
	}
	ep.retries++
	ep.rto = min(2*ep.rto, n.tcp.MaxRTO) // 5.5
	ep.dupAcks, ep.fastRecovery = 0, false
	ep.recover, ep.expiredAt = ep.nxt, n.sim.now
	n.sendData(ep, ep.out[ep.head], true) // 5.4, and 5.6 (timer is off)
}

// resendLost retransmits, after an ACK of new data during recovery from a
// timeout, the outstanding segments sent before the timeout (go-back-N, see
// TCPConfig).
func (n *Network) resendLost(ep *endpoint) {
	if ep.una >= ep.recover {
		return
	}
	for k := 0; k < ep.sent && !ep.c.dead; k++ {
		s := ep.out[ep.head+k]
		if s.seq >= ep.recover {
			break
		}
		if s.sentAt < ep.expiredAt {
			n.sendData(ep, s, true)
		}
	}
}

// sample folds one RTT measurement into the estimator (RFC 6298 2.2-2.5).
func (n *Network) sample(ep *endpoint, r time.Duration) {
	if !ep.sampled {
		ep.srtt, ep.rttvar, ep.sampled = r, r/2, true
	} else {
		diff := ep.srtt - r
		if diff < 0 {
			diff = -diff
		}
		ep.rttvar = (3*ep.rttvar + diff) / 4
		ep.srtt = (7*ep.srtt + r) / 8
	}
	ep.rto = ep.srtt + max(time.Nanosecond, 4*ep.rttvar)
	ep.rto = min(max(ep.rto, n.tcp.MinRTO), n.tcp.MaxRTO)
}

// segmentArrived runs the receiving transport for a segment that reached
// its destination host.
func (n *Network) segmentArrived(fl *flight) {
	c := fl.conn
	if c.dead {
		n.drop(fl, ReasonReset)
		return
	}
	n.emitFlight(KindArrive, ReasonNone, fl)
	ep := &c.ep[fl.end]
	seg, s := fl.Seg, fl.seg
	n.release(fl)

	if seg.Flags&FlagSYN != 0 {
		if seg.Flags&FlagACK == 0 { // SYN at the responder: answer it.
			n.sendCtl(ep, FlagSYN|FlagACK, ep.synAckSent)
			ep.synAckSent = true
			return
		}
		// SYN-ACK at the initiator.
		if !ep.established {
			n.sim.Cancel(c.synTimer)
			c.synTimer = EventID{}
			if !c.synRetx {
				n.sample(ep, n.sim.now.Sub(c.synSentAt))
			} else if n.tcp.InitialRTO < rtoAfterSYNTimeout {
				ep.rto = min(rtoAfterSYNTimeout, n.tcp.MaxRTO) // RFC 6298 5.7
			}
			ep.established = true
		}
		n.sendCtl(ep, FlagACK, false)
		n.trySend(ep)
		return
	}
	// An ACK or data from the peer completes the responder's handshake.
	ep.established = true
	if seg.Flags&FlagACK != 0 {
		n.onAck(ep, seg.Ack, s == nil)
	}
	if s != nil {
		n.onData(ep, s)
	}
	n.trySend(ep)
}

// dupAckThreshold is the number of duplicate ACKs that trigger fast
// retransmit (RFC 5681 3.2).
const dupAckThreshold = 3

// onAck processes a cumulative acknowledgement at the data sender; pure
// tells an ACK without data, the only kind that counts as a duplicate.
func (n *Network) onAck(ep *endpoint, ack uint64, pure bool) {
	if ack == ep.una && ep.una < ep.nxt && pure && ep.sent > 0 {
		ep.dupAcks++
		if ep.dupAcks == dupAckThreshold && !ep.fastRecovery {
			ep.fastRecovery, ep.frRecover = true, ep.nxt
			n.sendData(ep, ep.out[ep.head], true) // RFC 5681 3.2 step 2
		}
		return
	}
	if ack <= ep.una || ack > ep.nxt {
		return // old or impossible
	}
	ep.dupAcks = 0
	retx := false
	var newest Time
	k := 0
	for k < ep.sent {
		s := ep.out[ep.head+k]
		if s.seq+uint64(s.n) > ack {
			break
		}
		retx = retx || s.retx
		newest = max(newest, s.sentAt)
		ep.out[ep.head+k] = nil
		k++
	}
	ep.head += k
	ep.sent -= k
	ep.una = ack
	if ep.head == len(ep.out) {
		ep.out, ep.head = ep.out[:0], 0
	} else if ep.head >= 64 && 2*ep.head >= len(ep.out) {
		m := copy(ep.out, ep.out[ep.head:])
		clear(ep.out[m:])
		ep.out, ep.head = ep.out[:m], 0
	}
	if !retx {
		n.sample(ep, n.sim.now.Sub(newest))
	}
	ep.retries = 0
	n.sim.Cancel(ep.timer)
	ep.timer = EventID{}
	if ep.una < ep.nxt {
		ep.timer = n.sim.AfterArg(ep.rto, n.rtoFn, ep) // 5.3
	} // else 5.2: all data acknowledged, timer off
	if ep.fastRecovery {
		if ack >= ep.frRecover {
			ep.fastRecovery = false
		} else if ep.sent > 0 {
			n.sendData(ep, ep.out[ep.head], true) // RFC 6582 3.2 step 3: a partial ACK
		}
	}
	n.resendLost(ep)
}

// onData processes a data segment at the receiver, acknowledges, then
// passes completed messages up in order.
func (n *Network) onData(ep *endpoint, s *segment) {
	var buf [4]*message
	ready := buf[:0]
	end := s.seq + uint64(s.n)
	switch {
	case end <= ep.rcvNxt: // duplicate: acknowledge again
	case s.seq == ep.rcvNxt:
		ready = ep.accept(s, ready)
		for len(ep.ooo) > 0 && ep.ooo[0].seq <= ep.rcvNxt {
			o := ep.ooo[0]
			ep.ooo = slices.Delete(ep.ooo, 0, 1)
			if o.seq == ep.rcvNxt {
				ready = ep.accept(o, ready)
			}
		}
	default: // beyond a hole: keep it
		i, found := slices.BinarySearchFunc(ep.ooo, s.seq, func(x *segment, seq uint64) int {
			return cmpUint64(x.seq, seq)
		})
		if !found {
			ep.ooo = slices.Insert(ep.ooo, i, s)
		}
	}
	n.sendCtl(ep, FlagACK, false)
	c := ep.c
	for _, m := range ready {
		if c.dead || !ep.host.up {
			return // the receiver crashed its own host: abort reported the rest
		}
		n.deliverMsg(ep.host, m)
	}
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// accept appends s's bytes to the in-order stream.
func (ep *endpoint) accept(s *segment, ready []*message) []*message {
	ep.rcvNxt += uint64(s.n)
	if s.last {
		ready = append(ready, s.msg)
	}
	return ready
}

func (n *Network) deliverMsg(h *Host, m *message) {
	m.delivered = true
	n.emitMsg(KindDeliver, ReasonNone, &m.d, m.id)
	if h.recv != nil {
		h.recv.Receive(m.d)
	}
}

// abort tears a connection down at both ends and reports its undelivered
// messages as dropped with reason r.
func (n *Network) abort(c *conn, r Reason) {
	if c.dead {
		return
	}
	c.dead = true
	n.sim.Cancel(c.synTimer)
	for i := range c.ep {
		ep := &c.ep[i]
		n.sim.Cancel(ep.timer)
		var last *message
		for _, s := range ep.out[ep.head:] {
			if s.msg != last && !s.msg.delivered {
				n.lose(ep.host, &s.msg.d, s.msg.id, r)
			}
			last = s.msg
		}
	}
	delete(n.conns, c.key)
	for i := range c.ep {
		h := c.ep[i].host
		h.conns = slices.DeleteFunc(h.conns, func(x *conn) bool { return x == c })
	}
}

// lose reports message d (id) of the stream transport, written by src, as
// dropped for good with reason r, and schedules a call of src's loss
// handler at the current instant (see [Host.SetLossHandler]).
func (n *Network) lose(src *Host, d *Datagram, id uint64, r Reason) {
	n.emitMsg(KindDrop, r, d, id)
	if src.onLoss == nil {
		return
	}
	l := &lostMsg{h: src, d: *d, id: id, r: r}
	n.sim.AtArg(n.sim.now, lossFn, l)
}

// lostMsg is the argument of a loss handler's event.
type lostMsg struct {
	h  *Host
	d  Datagram
	id uint64
	r  Reason
}

// lossFn calls the loss handler of a lost message's host, if it has one.
func lossFn(a any) {
	l := a.(*lostMsg)
	if f := l.h.onLoss; f != nil {
		f(l.d, l.id, l.r)
	}
}

// emitMsg reports a message-level event of the stream transport.
func (n *Network) emitMsg(k Kind, r Reason, d *Datagram, id uint64) {
	if n.sink == nil {
		return
	}
	e := n.event(k)
	e.Reason = r
	e.ID = id
	e.Src, e.Dst = d.Src, d.Dst
	e.Size = d.Size
	e.Label = d.Label
	e.Transport = TCP
	e.Payload = d.Payload
	n.sink.Event(e)
}
