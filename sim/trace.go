package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"net/netip"
	"strconv"
)

// Kind is the kind of a trace [Event].
type Kind uint8

const (
	// KindSend: a UDP datagram or a TCP segment leaves its source host.
	// Hop is its first link direction (zero when sent to its own host). A
	// TCP retransmission is a send with Seg.Retransmit set.
	KindSend Kind = iota + 1
	// KindWrite: an upper layer handed a message to the stream transport
	// (Network.Send with Transport TCP); its segments follow as KindSend
	// events, possibly later (connection set-up, window).
	KindWrite
	// KindArrive: a TCP segment reached the transport of its destination
	// host. Hop is the last link direction.
	KindArrive
	// KindDeliver: a UDP datagram, or a whole TCP message in stream order,
	// was handed to the destination host's receiver. Hop is the last link
	// direction for a datagram, zero for a TCP message (its segments may
	// have arrived at different times: see their KindArrive events).
	KindDeliver
	// KindDrop: a datagram, segment or message was lost; Reason says why and
	// Hop where (zero when it never entered a link). A drop is reported when
	// the network decides it: at the entry into the link direction for
	// link-down, filter, queue-overflow, loss and mtu; at the arrival for
	// host-down and for segments of a reset connection. TCP messages (not
	// segments) are reported dropped only when their connection is reset or
	// gives up, with Seg zero.
	KindDrop
	// KindHostDown: Host crashed.
	KindHostDown
	// KindHostUp: Host recovered.
	KindHostUp
	// KindAnnotation: an upper layer's own event (a timer, a state change, a
	// SIP message), reported with [Network.Annotate]: Host, Label and Detail
	// are free text.
	KindAnnotation
)

var kindNames = [...]string{
	KindSend:       "send",
	KindWrite:      "write",
	KindArrive:     "arrive",
	KindDeliver:    "deliver",
	KindDrop:       "drop",
	KindHostDown:   "host-down",
	KindHostUp:     "host-up",
	KindAnnotation: "annotation",
}

// String returns the kind's name, such as "send" or "drop".
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Reason says why a datagram was dropped.
type Reason uint8

const (
	// ReasonNone is the reason of every event that is not a drop.
	ReasonNone Reason = iota
	// ReasonLoss: the link's loss model lost the (unfragmented) datagram.
	ReasonLoss
	// ReasonQueueOverflow: the link direction's queue was full (tail drop).
	ReasonQueueOverflow
	// ReasonMTU: the datagram was fragmented (RFC 791) and the loss model
	// lost at least one of its fragments.
	ReasonMTU
	// ReasonLinkDown: the link direction was down when the datagram entered
	// it.
	ReasonLinkDown
	// ReasonHostDown: the sending, an intermediate or the destination host
	// was down.
	ReasonHostDown
	// ReasonNoRoute: no host has the destination address, or no path of
	// links leads to it.
	ReasonNoRoute
	// ReasonFilter: a drop filter (Network.AddDropFilter) chose to drop it.
	ReasonFilter
	// ReasonReset: a TCP message or segment was lost because its connection
	// was reset by a host crash.
	ReasonReset
	// ReasonTimeout: a TCP message was lost because its connection gave up
	// after its retransmission limit (TCPConfig.MaxRetries).
	ReasonTimeout
)

var reasonNames = [...]string{
	ReasonNone:          "",
	ReasonLoss:          "loss",
	ReasonQueueOverflow: "queue-overflow",
	ReasonMTU:           "mtu",
	ReasonLinkDown:      "link-down",
	ReasonHostDown:      "host-down",
	ReasonNoRoute:       "no-route",
	ReasonFilter:        "filter",
	ReasonReset:         "reset",
	ReasonTimeout:       "timeout",
}

// String returns the reason's name, such as "loss" or "no-route" ("" for
// ReasonNone).
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// Event is one trace record. Which fields are set depends on Kind; unset
// fields are zero. Payload references the sender's bytes (never copied).
type Event struct {
	// Time is the virtual time of the event.
	Time Time
	// Kind says what happened.
	Kind Kind
	// Reason says why, for KindDrop.
	Reason Reason
	// ID is the id Network.Send gave the datagram or message (1, 2, ... in
	// call order); every segment of a TCP message carries its message's id,
	// control segments carry 0.
	ID uint64
	// Src and Dst are the datagram's socket addresses.
	Src, Dst netip.AddrPort
	// Hop is the link direction where it happened (see each Kind).
	Hop Hop
	// Size is the payload size in bytes (of the datagram, segment or
	// message).
	Size int
	// Wire is the number of bytes put on the wire of Hop for a datagram or
	// segment (IPv4 total length, summed over fragments), 0 otherwise.
	Wire int
	// Frags is the number of IPv4 fragments on Hop (1 when unfragmented),
	// 0 when no link is concerned.
	Frags int
	// Label is the datagram's label.
	Label string
	// Transport is UDP or TCP.
	Transport Transport
	// Payload references the datagram's bytes (the segment's slice for a TCP
	// segment). Sinks must not modify it.
	Payload []byte
	// Seg describes a TCP segment (zero for UDP and for messages).
	Seg Segment
	// Host names the host of KindHostDown, KindHostUp and KindAnnotation.
	Host string
	// Detail is free text of annotations.
	Detail string
	// Subject names what an annotation is about (Network.AnnotateSubject),
	// "" otherwise.
	Subject string
}

// Sink receives every trace event of a network, in order. The *Event is
// valid only during the call and is reused afterwards: a sink that keeps
// events copies them (*e). A sink must not call back into the network.
type Sink interface {
	Event(e *Event)
}

// SinkFunc adapts a function to [Sink].
type SinkFunc func(e *Event)

// Event calls f(e).
func (f SinkFunc) Event(e *Event) { f(e) }

// Recorder is a [Sink] that keeps a copy of every event, for tests. Payloads
// are kept by reference.
type Recorder struct {
	// Events holds the events received so far, in order.
	Events []Event
}

// Event appends a copy of e.
func (r *Recorder) Event(e *Event) { r.Events = append(r.Events, *e) }

// Filter returns the recorded events for which keep returns true.
func (r *Recorder) Filter(keep func(*Event) bool) []Event {
	var out []Event
	for i := range r.Events {
		if keep(&r.Events[i]) {
			out = append(out, r.Events[i])
		}
	}
	return out
}

// OfKind returns the recorded events of kind k.
func (r *Recorder) OfKind(k Kind) []Event {
	return r.Filter(func(e *Event) bool { return e.Kind == k })
}

// HashSink is a [Sink] that keeps a running SHA-256 over a canonical binary
// encoding of every field of every event, payload bytes included, so that
// two runs can be proven identical by comparing Sum. It keeps no event.
// Cost: one encoding into a reused buffer and one hash update per event; no
// allocation in steady state.
//
// The encoding is, in order: time (int64), kind, reason, id, src, dst, hop
// from, hop to, size, wire, frags, label, transport, payload, seg flags,
// seq, ack, len, retransmit, host, detail. Integers are little-endian 64-bit
// (kind, reason, transport, flags and retransmit 1 byte); strings and the
// payload are a 64-bit length then the bytes; an address is its bit length
// (1 byte: 0, 32 or 128), its 16-byte form and its 16-bit port.
type HashSink struct {
	h   [32]byte
	sum hash.Hash
	buf []byte
	n   uint64
}

// NewHashSink returns a HashSink over no events.
func NewHashSink() *HashSink { return &HashSink{sum: sha256.New()} }

// Event adds e to the hash.
func (s *HashSink) Event(e *Event) {
	b := s.buf[:0]
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time))
	b = append(b, byte(e.Kind), byte(e.Reason))
	b = binary.LittleEndian.AppendUint64(b, e.ID)
	b = appendAddrPort(b, e.Src)
	b = appendAddrPort(b, e.Dst)
	b = appendString(b, e.Hop.From)
	b = appendString(b, e.Hop.To)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Size))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Wire))
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Frags))
	b = appendString(b, e.Label)
	b = append(b, byte(e.Transport))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(e.Payload)))
	s.buf = b
	s.sum.Write(b)
	s.sum.Write(e.Payload)
	b = b[:0]
	b = append(b, byte(e.Seg.Flags))
	b = binary.LittleEndian.AppendUint64(b, e.Seg.Seq)
	b = binary.LittleEndian.AppendUint64(b, e.Seg.Ack)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Seg.Len))
	if e.Seg.Retransmit {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, e.Host)
	b = appendString(b, e.Detail)
	s.sum.Write(b)
	s.buf = b
	s.n++
}

// Count returns the number of events hashed.
func (s *HashSink) Count() uint64 { return s.n }

// Sum returns the SHA-256 of the events so far. It does not change the
// running state: more events may follow.
func (s *HashSink) Sum() [32]byte {
	var out [32]byte
	copy(out[:], s.sum.Sum(s.h[:0]))
	return out
}

func appendString(b []byte, v string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(v)))
	return append(b, v...)
}

func appendAddrPort(b []byte, ap netip.AddrPort) []byte {
	a := ap.Addr()
	b = append(b, byte(a.BitLen()))
	a16 := a.As16()
	b = append(b, a16[:]...)
	return binary.LittleEndian.AppendUint16(b, ap.Port())
}

// Tee returns a Sink that passes every event to each of sinks in order.
// Nil sinks are skipped.
func Tee(sinks ...Sink) Sink {
	t := make(tee, 0, len(sinks))
	for _, s := range sinks {
		if s != nil {
			t = append(t, s)
		}
	}
	return t
}

// tee is the Sink returned by Tee.
type tee []Sink

// Event passes e to every sink in order.
func (t tee) Event(e *Event) {
	for _, s := range t {
		s.Event(e)
	}
}
