package sim

import "net/netip"

// Receiver is the owner of a host (a SIP node): the network calls Receive
// for every datagram delivered to the host, and for every whole message of
// the stream transport, in stream order.
type Receiver interface {
	// Receive handles one delivered datagram. It runs inside a simulator
	// event at the delivery time and may call Network.Send. The payload is
	// the sender's slice: the receiver must not modify it.
	Receive(d Datagram)
}

// ReceiverFunc adapts a function to [Receiver].
type ReceiverFunc func(d Datagram)

// Receive calls f(d).
func (f ReceiverFunc) Receive(d Datagram) { f(d) }

// Host is a named machine with one IPv4 address. Create hosts with
// [Network.AddHost]. A host is up until it crashes (see [Host.Crash]).
type Host struct {
	net     *Network
	name    string
	addr    netip.Addr
	index   int
	up      bool
	recv    Receiver
	onState func(h *Host, up bool)
	onLoss  func(d Datagram, id uint64, r Reason)
	links   []*direction // outgoing directions, sorted by peer name
	conns   []*conn      // stream connections with an end on this host
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Addr returns the host's IPv4 address.
func (h *Host) Addr() netip.Addr { return h.addr }

// AddrPort returns the host's address with the given port, such as the
// SIP port 5060.
func (h *Host) AddrPort(port uint16) netip.AddrPort { return netip.AddrPortFrom(h.addr, port) }

// Up reports whether the host is running (not crashed).
func (h *Host) Up() bool { return h.up }

// SetReceiver sets the receiver of the host's deliveries (nil discards
// them, after the delivery is traced).
func (h *Host) SetReceiver(r Receiver) { h.recv = r }

// SetStateHandler sets the function told when the host crashes (up = false)
// and when it recovers (up = true), so that its owner can drop its state on
// a crash. It runs after the network has applied the change. Nil removes
// it.
func (h *Host) SetStateHandler(f func(h *Host, up bool)) { h.onState = f }

// SetLossHandler sets the function told when a message the host sent with
// Transport TCP is lost for good, as a socket's owner learns of a failed
// write or a broken connection. f receives the message as it was sent
// (Payload is the sender's slice), the id that [Network.SendID] returned
// for it, and the reason of the drop:
//
//   - ReasonTimeout: its connection gave up after MaxRetries (or
//     MaxSYNRetries) expiries of the retransmission timer;
//   - ReasonReset: its connection was reset by a crash of either host
//     before the message was delivered whole;
//   - ReasonNoRoute: its destination is no host, or no path leads there
//     (the connection could not be opened);
//   - ReasonHostDown: it was written while the host was down.
//
// These are exactly the message-level drops of the stream transport that
// the trace sink sees (KindDrop with Transport TCP and a zero Seg); each
// message is reported at most once, and a message that was delivered is
// never reported. f runs as an event of its own, scheduled at the virtual
// time of the drop, so after the event that caused it has finished (never
// synchronously inside Send, a timer or a crash): it may call
// [Network.Send]. Losses of one instant are reported in the order of their
// drops. A drop caused by the host's own crash is reported too, after the
// state handler ran; [Host.Up] tells the owner whether the host is still
// down. The handler in place when the event runs is called; if none was
// set when the message was dropped, nothing is scheduled (so a network
// whose hosts have no loss handler runs exactly as before).
//
// Datagrams sent with Transport UDP are never reported: their loss is
// silent, and ICMP (destination unreachable and the like) is not modelled.
// Nil removes the handler.
func (h *Host) SetLossHandler(f func(d Datagram, id uint64, r Reason)) { h.onLoss = f }

// Crash stops the host now, if it is up: from now on everything addressed to
// it or forwarded through it is dropped on arrival (ReasonHostDown) and it
// sends nothing (Send from it is dropped with ReasonHostDown). Datagrams it
// had already put on a link complete their transit. The trace gets
// KindHostDown; then its stream connections are reset, which reports their
// undelivered messages as drops with ReasonReset (see [TCPConfig]); then
// the state handler is called.
func (h *Host) Crash() {
	if !h.up {
		return
	}
	h.up = false
	n := h.net
	if n.sink != nil {
		e := n.event(KindHostDown)
		e.Host = h.name
		n.sink.Event(e)
	}
	for len(h.conns) > 0 {
		n.abort(h.conns[0], ReasonReset)
	}
	if h.onState != nil {
		h.onState(h, false)
	}
}

// Recover restarts a crashed host now, with no stream connection. The trace
// gets KindHostUp, then the state handler is called.
func (h *Host) Recover() {
	if h.up {
		return
	}
	h.up = true
	n := h.net
	if n.sink != nil {
		e := n.event(KindHostUp)
		e.Host = h.name
		n.sink.Event(e)
	}
	if h.onState != nil {
		h.onState(h, true)
	}
}
