package transaction

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
)

// A Transport is the transport protocol a message travels on (RFC 3261
// 18). Only whether it is reliable matters to transactions. The zero value
// is UDP.
type Transport uint8

// The transports of RFC 3261 18 and RFC 4168.
const (
	UDP Transport = iota
	TCP
	TLS
	SCTP
)

// String returns the transport token as written in a Via header: "UDP",
// "TCP", "TLS" or "SCTP".
func (t Transport) String() string {
	switch t {
	case UDP:
		return "UDP"
	case TCP:
		return "TCP"
	case TLS:
		return "TLS"
	case SCTP:
		return "SCTP"
	}
	return fmt.Sprintf("Transport(%d)", uint8(t))
}

// Reliable reports whether t delivers messages reliably. RFC 3261 17.1.1.2:
// "A reliable transport is one that ... such as TCP or SCTP, or TLS over
// those". Only UDP is unreliable.
func (t Transport) Reliable() bool { return t != UDP }

// DefaultPort returns the port used when a URI or Via gives none: 5061
// for TLS, 5060 otherwise (RFC 3261 18.2.2, 19.1.2).
func (t Transport) DefaultPort() uint16 {
	if t == TLS {
		return 5061
	}
	return 5060
}

// ParseTransport parses a transport token such as the one of a Via header
// (RFC 3261 20.42), ignoring case.
func ParseTransport(s string) (Transport, error) {
	switch {
	case strings.EqualFold(s, "UDP"):
		return UDP, nil
	case strings.EqualFold(s, "TCP"):
		return TCP, nil
	case strings.EqualFold(s, "TLS"):
		return TLS, nil
	case strings.EqualFold(s, "SCTP"):
		return SCTP, nil
	}
	return 0, fmt.Errorf("transaction: unknown transport %q", s)
}

// A Destination is where a message is sent: an address and port, and the
// transport to use. For a client transaction the caller chooses it when the
// transaction is created (RFC 3261 8.1.2, 16.6 step 7); for a server
// transaction [ResponseDestination] computes it from the request.
type Destination struct {
	// Addr is the IP address and port.
	Addr netip.AddrPort
	// Transport is the transport protocol.
	Transport Transport
}

// String returns "addr:port/TRANSPORT", such as "192.0.2.1:5060/UDP".
func (d Destination) String() string { return d.Addr.String() + "/" + d.Transport.String() }

// ErrUnresolved reports a response destination that names a host instead
// of an IP address: resolving it (RFC 3263) is the caller's job.
var ErrUnresolved = errors.New("transaction: destination is a host name, not an IP address")

// ResponseDestination returns where the responses to a request go, per RFC
// 3261 18.2.2 and RFC 3581 4. via is the top Via of the request as it was
// received (before any received or rport parameter was added by this
// node), and source is the address, port and transport it came from.
//
// The rules, in order:
//
//   - Reliable transport: RFC 3261 18.2.2: "the response MUST be sent using
//     the existing connection to the source of the original request". The
//     destination is source.
//   - maddr: RFC 3261 18.2.2: "if the Via header field value contains a
//     "maddr" parameter, the response MUST be forwarded to the address
//     listed there, using the port indicated in "sent-by", or port 5060 if
//     none is present." A maddr that is not an IP literal gives the port
//     and transport with the source address, and an error wrapping
//     [ErrUnresolved]. The TTL of a multicast response is not modelled.
//   - rport: RFC 3581 4: the response goes to the source IP address (or
//     received) and the source port (or the rport value when it has one).
//   - received: RFC 3261 18.2.2: "if it is receiver-tagged, the response
//     MUST be sent to the address in the "received" parameter, using the
//     port indicated in the "sent-by" value, or using port 5060 if none is
//     specified explicitly."
//   - otherwise the sent-by address and port (default port of the
//     transport). RFC 3261 18.2.1 has a server add "received" whenever the
//     sent-by host differs from the source address, and a host name always
//     differs from an address, so a sent-by host name gives the source
//     address with the sent-by port: the response goes where the request
//     came from, as if the received parameter had been added.
//
// The transport of the result is always the transport of source.
func ResponseDestination(via sipstack.Via, source Destination) (Destination, error) {
	tr := source.Transport
	if tr.Reliable() {
		return source, nil
	}
	port := uint16(via.Port)
	if port == 0 {
		port = tr.DefaultPort()
	}
	if m := via.Maddr(); m != "" {
		if a, ok := parseIP(m); ok {
			return Destination{netip.AddrPortFrom(a, port), tr}, nil
		}
		return Destination{netip.AddrPortFrom(source.Addr.Addr(), port), tr},
			fmt.Errorf("%w: maddr %q", ErrUnresolved, m)
	}
	addr := source.Addr.Addr()
	received, hasReceived := parseIP(via.Received())
	if rport, ok := via.RPort(); ok {
		if hasReceived {
			addr = received
		}
		p := source.Addr.Port()
		if rport != 0 {
			p = uint16(rport)
		}
		return Destination{netip.AddrPortFrom(addr, p), tr}, nil
	}
	if hasReceived {
		return Destination{netip.AddrPortFrom(received, port), tr}, nil
	}
	if a, ok := parseIP(via.Host); ok {
		addr = a
	}
	return Destination{netip.AddrPortFrom(addr, port), tr}, nil
}

// parseIP parses an IPv4 address or an IPv6 address with or without
// brackets.
func parseIP(s string) (netip.Addr, bool) {
	if len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
