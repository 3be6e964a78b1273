package transaction

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
)

// Size limits of RFC 3261 18.1.1 for requests sent over UDP.
const (
	// UDPMTUMargin is the room, in bytes, that RFC 3261 18.1.1 keeps
	// between a request sent over UDP and the path MTU: "If a request is
	// within 200 bytes of the path MTU ... the request MUST be sent using
	// an RFC 2914 congestion controlled transport protocol, such as TCP."
	// The margin lets the response grow by about 170 bytes (Record-Route
	// values added by proxies) and still leaves the 28 bytes of IPv4 and
	// UDP headers unfragmented.
	UDPMTUMargin = 200
	// UDPMaxUnknownMTU is the largest request, in bytes, sent over UDP
	// when the path MTU is not known: RFC 3261 18.1.1 "or if it is larger
	// than 1300 bytes and the path MTU is not known". 1300 is the 1500-byte
	// Ethernet MTU less UDPMTUMargin.
	UDPMaxUnknownMTU = 1300
)

// Bounds of TransportPolicy.PathMTU: an IPv4 MTU is at least 68 bytes (RFC
// 791 3.2) and at most 65535, the largest IPv4 total length (RFC 791 3.1).
const (
	selMinMTU = 68
	selMaxMTU = 65535
)

// A TransportPolicy chooses the transport of the requests a client sends
// (RFC 3261 18.1.1). The zero value is valid: UDP, path MTU unknown.
//
// Responses are not subject to it: RFC 3261 18.2.2 sends a response over
// the transport its request came on (see [ResponseDestination]), whatever
// its size; the 200-byte margin on requests is what keeps most responses
// from being fragmented.
type TransportPolicy struct {
	// Transport is the configured transport: the one used unless the size
	// of a request forces another. The zero value is UDP, the default.
	Transport Transport

	// PathMTU is the path MTU to the next hop in bytes (IPv4 total length,
	// headers included), or 0 when it is not known. When set it must be
	// in [68, 65535].
	PathMTU int
}

// Validate reports whether p is usable: a known transport and a PathMTU
// that is 0 or in [68, 65535]. The error wraps [ErrConfig].
func (p TransportPolicy) Validate() error {
	if p.Transport > SCTP {
		return fmt.Errorf("%w: unknown transport %d", ErrConfig, uint8(p.Transport))
	}
	if p.PathMTU != 0 && (p.PathMTU < selMinMTU || p.PathMTU > selMaxMTU) {
		return fmt.Errorf("%w: path MTU %d bytes is not in [%d, %d]", ErrConfig, p.PathMTU, selMinMTU, selMaxMTU)
	}
	return nil
}

// MaxUDPRequest returns the size in bytes of the largest request that may
// be sent over UDP: the path MTU less UDPMTUMargin, or UDPMaxUnknownMTU
// when the path MTU is not known (RFC 3261 18.1.1). It may be negative for
// a tiny MTU: then no request fits.
//
// "Within 200 bytes of the path MTU" is read as "larger than the MTU less
// 200 bytes", so that a known 1500-byte MTU and an unknown MTU give the
// same limit, 1300 bytes, as the RFC's explanation of that figure says.
func (p TransportPolicy) MaxUDPRequest() int {
	if p.PathMTU == 0 {
		return UDPMaxUnknownMTU
	}
	return p.PathMTU - UDPMTUMargin
}

// Choose returns the transport of a request of size bytes (the serialized
// SIP message, without IP or UDP headers), and whether its size changed
// it. The configured transport is used, except that a request larger than
// MaxUDPRequest that would go over UDP goes over TCP instead (RFC 3261
// 18.1.1: it "MUST be sent using an RFC 2914 congestion controlled
// transport protocol, such as TCP"). TCP, TLS and SCTP are congestion
// controlled and are kept whatever the size.
//
// When bySize is true, RFC 3261 18.1.1 allows one fallback: "if the
// attempt to establish the connection generates either an ICMP Protocol
// Not Supported, or results in a TCP reset, the element SHOULD retry the
// request, using UDP."
func (p TransportPolicy) Choose(size int) (t Transport, bySize bool) {
	if p.Transport != UDP || size <= p.MaxUDPRequest() {
		return p.Transport, false
	}
	return TCP, true
}

// PrepareRequest chooses the transport of req, a request about to be
// passed to [Layer.SendRequest] or to the transport (an ACK of a 2xx), to
// be sent to addr. It returns the destination and whether the size of
// req forced the choice (see [TransportPolicy.Choose]).
//
// It makes the top Via of req name the chosen transport. RFC 3261 18.1.1:
// "If this causes a change in the transport protocol from the one
// indicated in the top Via, the value in the top Via MUST be changed."
// The top Via is rewritten in place (same field, same position, same
// parameters, so the branch and the transaction key are unchanged) when
// its transport token differs from the chosen one, whatever the reason.
// The size is measured on req as given: the transport tokens UDP, TCP and
// TLS have the same length, so the rewrite does not change it (SCTP is
// never chosen by size).
//
// The error wraps [ErrConfig] for an invalid p, and [ErrMessage] when req
// has no top Via that parses; req is then left unchanged.
func (p TransportPolicy) PrepareRequest(req *sipstack.Request, addr netip.AddrPort) (Destination, bool, error) {
	if err := p.Validate(); err != nil {
		return Destination{}, false, err
	}
	via, err := req.Header.Via()
	if err != nil {
		return Destination{}, false, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	size := len(req.AppendTo(make([]byte, 0, 1024)))
	tr, bySize := p.Choose(size)
	if !strings.EqualFold(via.Transport, tr.String()) {
		via.Transport = tr.String()
		selSetTopVia(&req.Header, via)
	}
	return Destination{Addr: addr, Transport: tr}, bySize, nil
}

// selSetTopVia replaces the top Via value of h, which must exist, with v,
// keeping the position of the field and any other value it holds. Field
// names are stored in canonical form (see [sipstack.Header.Add]), which is
// how [sipstack.Header.Via] finds the top Via too.
func selSetTopVia(h *sipstack.Header, v sipstack.Via) {
	i := 0
	for i < h.Len() && h.Field(i).Name != "Via" {
		i++
	}
	n := h.Len()
	h.PopValue("Via")
	if h.Len() == n {
		// The field held more values: the first one is gone.
		h.SetAt(i, v.String()+", "+h.Field(i).Value)
		return
	}
	h.Insert(i, "Via", v.String())
}
