package sim

import (
	"errors"
	"net/netip"
	"strconv"
)

// Header sizes and size limits, in bytes, as on the wire without options.
const (
	// IPv4HeaderSize is the size of an IPv4 header without options
	// (RFC 791 3.1: IHL = 5 words).
	IPv4HeaderSize = 20
	// UDPHeaderSize is the size of a UDP header (RFC 768).
	UDPHeaderSize = 8
	// TCPHeaderSize is the size of a TCP header without options
	// (RFC 9293 3.1: data offset = 5 words).
	TCPHeaderSize = 20
	// DefaultMTU is the MTU of a link direction whose LinkConfig.MTU is 0:
	// the Ethernet MTU (RFC 894).
	DefaultMTU = 1500
	// MinMTU is the smallest MTU a link may have: RFC 791 3.2 requires
	// every internet module to forward a datagram of 68 octets without
	// further fragmentation.
	MinMTU = 68
	// MaxMTU is the largest MTU a link may have: the largest IPv4 total
	// length (RFC 791 3.1, a 16-bit field).
	MaxMTU = 65535
	// MaxUDPPayload is the largest UDP payload IPv4 can carry:
	// 65535 - 20 (IPv4) - 8 (UDP).
	MaxUDPPayload = MaxMTU - IPv4HeaderSize - UDPHeaderSize
	// MaxStreamMessage bounds one message sent over the stream transport
	// (16 MiB), so that a wrong size cannot make a run schedule billions
	// of segments.
	MaxStreamMessage = 16 << 20
)

// Errors returned by [Network.Send] for a datagram that cannot be sent at
// all. Conditions of the network itself (no route, a host down, loss) are
// not errors: they are reported as drops to the trace sink.
var (
	ErrBadAddress    = errors.New("sim: datagram source or destination is not a valid IPv4 address and port")
	ErrUnknownSource = errors.New("sim: datagram source address belongs to no host")
	ErrBadSize       = errors.New("sim: datagram size is negative, smaller than its payload, or too large for its transport")
	ErrBadTransport  = errors.New("sim: unknown transport")
)

// Transport selects how [Network.Send] carries a datagram.
type Transport uint8

const (
	// UDP carries the datagram as one UDP/IPv4 datagram, fragmented per
	// RFC 791 when larger than a link's MTU; it may be lost.
	UDP Transport = iota
	// TCP carries the datagram as one message of the reliable stream
	// transport (see reliable.go): it is delivered exactly once, in order,
	// unless its connection is reset or gives up.
	TCP
)

// String returns "UDP" or "TCP".
func (t Transport) String() string {
	switch t {
	case UDP:
		return "UDP"
	case TCP:
		return "TCP"
	}
	return "Transport(" + strconv.Itoa(int(t)) + ")"
}

// Datagram is the unit that upper layers hand to [Network.Send] and receive
// from it: opaque bytes between two IPv4 socket addresses. The network never
// looks inside Payload.
//
// Payload is carried by reference, never copied: the network, the trace
// sinks and the receiver all see the sender's slice. A sender must not
// modify a payload after sending it.
type Datagram struct {
	// Src and Dst are the source and destination socket addresses (IPv4,
	// such as 192.0.2.1:5060). Src must belong to a host of the network.
	Src, Dst netip.AddrPort
	// Payload holds the bytes carried (the serialized SIP message).
	Payload []byte
	// Size is the payload size in bytes, which drives serialization delay,
	// fragmentation and segmentation. Zero means len(Payload); a larger
	// value models a message whose bytes are not materialised. Send sets it,
	// so delivered datagrams and trace events always carry the actual size.
	Size int
	// Label is an opaque tag for traces and drop filters, such as "INVITE"
	// or "200/INVITE". The network never interprets it.
	Label string
	// Transport selects UDP (the zero value) or the TCP stream transport.
	Transport Transport
}

// SegFlag is a set of TCP control flags carried by a stream segment.
type SegFlag uint8

const (
	// FlagSYN marks a connection request (SYN) or its answer (SYN-ACK),
	// RFC 9293 3.5.
	FlagSYN SegFlag = 1 << iota
	// FlagACK marks a segment whose Ack field is significant.
	FlagACK
)

// String returns the flags as "SYN", "ACK", "SYN|ACK" or "" for none.
func (f SegFlag) String() string {
	switch f {
	case 0:
		return ""
	case FlagSYN:
		return "SYN"
	case FlagACK:
		return "ACK"
	case FlagSYN | FlagACK:
		return "SYN|ACK"
	}
	return "SegFlag(" + strconv.Itoa(int(f)) + ")"
}

// Segment describes a TCP segment of the stream transport. It is the zero
// value for UDP datagrams.
type Segment struct {
	// Flags are the segment's control flags.
	Flags SegFlag
	// Seq is the stream offset of the first payload byte (streams start at
	// offset 0 in each direction; SYNs consume no offset in this model).
	Seq uint64
	// Ack is the cumulative acknowledgement, the next stream offset the
	// sender of the segment expects, when Flags has FlagACK.
	Ack uint64
	// Len is the number of payload bytes in the segment.
	Len int
	// Retransmit reports that this segment was sent before: an RTO
	// retransmission of data or of a SYN.
	Retransmit bool
}

// Hop names one link direction by its two host names. The zero Hop names
// none (a datagram that has not entered a link, or a delivery to the
// sender's own host).
type Hop struct {
	From, To string
}

// IsZero reports whether h names no link direction.
func (h Hop) IsZero() bool { return h.From == "" && h.To == "" }

// String returns "from->to", or "" for the zero Hop.
func (h Hop) String() string {
	if h.IsZero() {
		return ""
	}
	return h.From + "->" + h.To
}

// Packet is what a [DropFilter] sees of a datagram or segment about to enter
// a link direction. It must not be retained or modified.
type Packet struct {
	// Datagram is the UDP datagram, or for TCP the segment as a datagram:
	// Payload is the segment's slice of its message, Size its length, Label
	// the message's label (empty for control segments).
	Datagram
	// Seg describes a TCP segment; zero for UDP.
	Seg Segment
	// Hop is the link direction the datagram is entering.
	Hop Hop
	// ID is the id Send gave the datagram or message (0 for TCP control
	// segments).
	ID uint64
}

// IsData reports whether the packet is a UDP datagram or a TCP segment that
// carries data (as opposed to a SYN, SYN-ACK or pure ACK).
func (p *Packet) IsData() bool { return p.Transport == UDP || p.Seg.Len > 0 }

// udpWire returns the IPv4 total length of a UDP datagram with n payload
// bytes, before fragmentation.
func udpWire(n int) int { return n + UDPHeaderSize + IPv4HeaderSize }

// tcpWire returns the IPv4 total length of a TCP segment with n payload
// bytes.
func tcpWire(n int) int { return n + TCPHeaderSize + IPv4HeaderSize }

// fragments returns how an IPv4 datagram of total length total (header
// included) crosses a link of the given MTU: the number of fragments, the
// total length of each fragment but the last (full), and of the last one.
//
// RFC 791 2.3 and 3.2: every fragment carries its own 20-byte header, and
// the data of every fragment but the last is a multiple of 8 bytes (the
// fragment offset counts 8-octet units), so a fragment carries
// floor((MTU-20)/8)*8 data bytes. A datagram that fits is one "fragment" of
// its own size.
func fragments(total, mtu int) (n, full, last int) {
	if total <= mtu {
		return 1, total, total
	}
	data := total - IPv4HeaderSize
	per := (mtu - IPv4HeaderSize) &^ 7
	n = (data + per - 1) / per
	return n, per + IPv4HeaderSize, data - (n-1)*per + IPv4HeaderSize
}
