package sipstack

import (
	"strconv"
)

// BranchMagicCookie starts every branch parameter created by an RFC 3261
// element (RFC 3261 8.1.1.7), which tells transactions to match on the
// branch alone.
const BranchMagicCookie = "z9hG4bK"

// A Via represents one value of a Via header field (RFC 3261 20.42): the
// transport and address where a response to the request is to be sent,
// with the parameters that identify the transaction.
//
// The protocol is always SIP/2.0; the parser rejects any other. A Via read
// from a message holds substrings of it; building one by hand and calling
// [Header.PrependVia] is how a client or proxy adds itself to a request.
type Via struct {
	// Transport is the transport token as written, such as "UDP", "TCP",
	// "TLS" or "SCTP" (RFC 3261 20.42); other tokens are allowed and
	// compare case-insensitively.
	Transport string

	// Host is the sent-by host: a host name, an IPv4 address or an IPv6
	// reference in brackets.
	Host string

	// Port is the sent-by port, or 0 when absent (RFC 3261 18.2.1 then
	// uses the transport's default port).
	Port int

	// Params are the via-params in canonical form: branch, received,
	// rport, maddr, ttl and any extension parameter, in order.
	Params Params
}

// Branch returns the branch parameter, or "" if absent.
func (v Via) Branch() string { s, _ := v.Params.Get("branch"); return s }

// Received returns the received parameter, the source address a server
// saw the request come from (RFC 3261 18.2.1), or "" if absent.
func (v Via) Received() string { s, _ := v.Params.Get("received"); return s }

// Maddr returns the maddr parameter, or "" if absent.
func (v Via) Maddr() string { s, _ := v.Params.Get("maddr"); return s }

// RPort returns the rport parameter of RFC 3581: present reports whether
// the parameter is there at all; port is its value, 0 for a bare ";rport"
// (a client asking for symmetric response routing).
func (v Via) RPort() (port int, present bool) {
	s, ok := v.Params.Get("rport")
	if !ok {
		return 0, false
	}
	n, ok := parseUint(s, 65535)
	if !ok {
		return 0, true
	}
	return int(n), true
}

// TTL returns the ttl parameter (RFC 3261 20.42: 0-255) and whether it is
// present and well-formed.
func (v Via) TTL() (int, bool) {
	s, ok := v.Params.Get("ttl")
	if !ok {
		return 0, false
	}
	n, ok := parseUint(s, 255)
	return int(n), ok
}

// SentBy returns host[:port] as it appears in the Via.
func (v Via) SentBy() string {
	if v.Port == 0 {
		return v.Host
	}
	return v.Host + ":" + strconv.Itoa(v.Port)
}

// AppendTo appends the Via value in canonical form,
// "SIP/2.0/UDP host:port;branch=...", to b and returns the extended buffer.
func (v Via) AppendTo(b []byte) []byte {
	b = append(b, "SIP/2.0/"...)
	b = append(b, v.Transport...)
	b = append(b, ' ')
	b = append(b, v.Host...)
	if v.Port != 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(v.Port), 10)
	}
	return append(b, v.Params...)
}

// String returns the Via value in canonical form.
func (v Via) String() string {
	return ownedString(v.AppendTo(make([]byte, 0, 32+len(v.Transport)+len(v.Host)+len(v.Params))))
}

// ParseVia parses one via-parm (RFC 3261 25.1):
//
//	via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
//	sent-protocol = protocol-name SLASH protocol-version SLASH transport
//	sent-by       = host [ COLON port ]
//
// LWS is allowed around SLASH, COLON, SEMI and EQUAL (RFC 4475 3.1.1.1).
// The protocol must be SIP/2.0. For a header value holding several
// comma-separated vias use [Header.Vias].
func ParseVia(s string) (Via, error) {
	v, msg := parseVia(s)
	if msg != "" {
		return Via{}, newError(ErrHeaderSyntax, 0, "Via", msg)
	}
	return v, nil
}

func parseVia(s string) (Via, string) {
	v, end, msg := parseViaAt(s, 0)
	if msg == "" && end != len(s) {
		return Via{}, "comma after via-parm"
	}
	return v, msg
}

// parseViaAt parses a via-parm that starts at s[i] (after optional LWS)
// and ends at a comma or at the end of s; end is the index of the comma or
// len(s).
func parseViaAt(s string, i int) (v Via, end int, msg string) {
	i = skipWS(s, i)
	// protocol-name SLASH protocol-version SLASH
	if len(s)-i >= 8 && s[i+3:i+8] == "/2.0/" && equalFold(s[i:i+3], "SIP") {
		// The way nearly every Via writes it, without LWS: what the
		// general path below does for it, without its steps.
		i = skipWS(s, i+8)
	} else {
		if len(s)-i < 3 || !equalFold(s[i:i+3], "SIP") {
			return v, i, "protocol is not SIP/2.0"
		}
		i = skipWS(s, i+3)
		if i >= len(s) || s[i] != '/' {
			return v, i, "protocol is not SIP/2.0"
		}
		i = skipWS(s, i+1)
		if len(s)-i < 3 || s[i:i+3] != "2.0" {
			return v, i, "protocol version is not 2.0"
		}
		i = skipWS(s, i+3)
		if i >= len(s) || s[i] != '/' {
			return v, i, "missing transport"
		}
		i = skipWS(s, i+1)
	}
	t := i
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == t {
		return v, i, "missing transport"
	}
	v.Transport = s[t:i]
	// LWS sent-by
	j := skipWS(s, i)
	if j == i {
		return v, i, "missing space before sent-by"
	}
	i = j
	h := i
	if i < len(s) && s[i] == '[' {
		for i < len(s) && s[i] != ']' {
			if !isIPv6Char(s[i]) && s[i] != '[' {
				return v, i, "bad IPv6 reference in sent-by"
			}
			i++
		}
		if i == len(s) {
			return v, i, "unterminated IPv6 reference in sent-by"
		}
		i++
	} else {
		i = spanClass(s, i, cHostname)
	}
	if i == h {
		return v, i, "missing sent-by host"
	}
	v.Host = s[h:i]
	i = skipWS(s, i)
	if i < len(s) && s[i] == ':' {
		i = skipWS(s, i+1)
		p := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		n, ok := parseUint(s[p:i], 65535)
		if !ok {
			return v, i, "bad sent-by port"
		}
		v.Port = int(n)
	}
	params, end, ok := parseParamsAt(s, i)
	if !ok {
		return v, end, "malformed via-params"
	}
	v.Params = params
	return v, end, ""
}

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIPv6Char(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F') || c == ':' || c == '.'
}
