package uri

import (
	"net/netip"
	"strconv"
	"strings"
)

// Limits of [Parse]. They bound the work done on hostile input: parsing is
// linear in the input length, and the pairwise checks on parameters
// (duplicates, [URI.Equal]) are quadratic in their count.
const (
	// MaxLength is the longest input, in bytes, that Parse accepts. RFC 3261
	// sets no limit; 8 KiB is far above any URI seen in practice (the long
	// URIs of RFC 4475 3.1.1.7 are under 600 bytes).
	MaxLength = 8192
	// MaxParams is the largest number of uri-parameters, and separately of
	// headers, that Parse accepts in one URI.
	MaxParams = 64
)

// Schemes that this package knows, as they appear in [URI.Scheme].
const (
	SchemeSIP  = "sip"  // RFC 3261 19.1.1
	SchemeSIPS = "sips" // RFC 3261 19.1.1, 26.2.2
	SchemeTel  = "tel"  // RFC 3966
)

// URI is a parsed SIP, SIPS or tel URI, or any other absolute URI kept
// opaque. The zero URI is empty and serializes as "".
//
// A URI built by [Parse] is valid. A URI built by hand is serialized as its
// fields say, without checks: Params and Headers are written as they are and
// must already be well-formed and escaped, and Port must be 0 to 65535.
// Build parameters with [URI.WithParam] to have them escaped.
//
// Fields refer to the parsed input: they are substrings of it, except User
// and Password when they held %-escapes.
type URI struct {
	// Scheme is the scheme in lower case: "sip", "sips", "tel", or another.
	Scheme string
	// User is the user part of a SIP or SIPS URI, unescaped once
	// (RFC 3261 19.1.1, RFC 4475 3.1.1.3); it may hold ";" (RFC 4475
	// 3.1.1.9) and any byte, NUL included (RFC 4475 3.1.1.4). For tel it is
	// the telephone-subscriber number as written, visual separators kept,
	// such as "+1-201-555-0123" or "7042" (RFC 3966 3). "" when absent.
	User string
	// Password is the password of a SIP or SIPS URI, unescaped once; "" when
	// absent. RFC 3261 19.1.1 advises against its use.
	Password string
	// Host is the host of a SIP or SIPS URI as written (case kept): a
	// hostname, an IPv4 address, or an IPv6 reference with its brackets,
	// such as "[2001:db8::1]".
	Host string
	// Port is the port of a SIP or SIPS URI, 1 to 65535, or 0 when absent.
	// An absent port differs from port 5060 (RFC 3261 19.1.4).
	Port int
	// Params holds the raw uri-parameters (RFC 3261 19.1.1) of a SIP or SIPS
	// URI, or the parameters of a tel URI (RFC 3966 3), with their leading
	// ";" and escapes as written, such as ";transport=tcp;lr"; "" when there
	// are none. Read them with [URI.Param].
	Params string
	// Headers holds the raw header component of a SIP or SIPS URI
	// (RFC 3261 19.1.1) with its leading "?" and escapes as written, such as
	// "?subject=project%20x"; "" when there is none. Read it with
	// [URI.Header].
	Headers string
	// Opaque is, for a scheme other than sip, sips and tel, everything after
	// "scheme:", as written, such as "//192.0.2.103:3002" for
	// "soap.beep://192.0.2.103:3002" (RFC 4475 3.3.3).
	Opaque string
}

// kind classifies a scheme.
type kind uint8

const (
	kindOther kind = iota
	kindSIP
	kindSIPS
	kindTel
)

// kind returns the kind of u's scheme, matched ignoring case.
func (u URI) kind() kind {
	switch u.Scheme { // fast path: Parse stores these constants
	case SchemeSIP:
		return kindSIP
	case SchemeSIPS:
		return kindSIPS
	case SchemeTel:
		return kindTel
	}
	switch {
	case strings.EqualFold(u.Scheme, SchemeSIP):
		return kindSIP
	case strings.EqualFold(u.Scheme, SchemeSIPS):
		return kindSIPS
	case strings.EqualFold(u.Scheme, SchemeTel):
		return kindTel
	}
	return kindOther
}

// IsSIP reports whether u is a SIP or SIPS URI.
func (u URI) IsSIP() bool {
	k := u.kind()
	return k == kindSIP || k == kindSIPS
}

// IsSIPS reports whether u is a SIPS URI (RFC 3261 19.1.1, 26.2.2).
func (u URI) IsSIPS() bool { return u.kind() == kindSIPS }

// IsTel reports whether u is a tel URI (RFC 3966).
func (u URI) IsTel() bool { return u.kind() == kindTel }

// IsZero reports whether u is the zero URI.
func (u URI) IsZero() bool { return u == URI{} }

// String returns the canonical serialization of u; see [URI.AppendTo].
func (u URI) String() string {
	if u.IsZero() {
		return ""
	}
	return string(u.AppendTo(make([]byte, 0, u.size())))
}

// size returns the length of u's serialization, so that String sizes its
// buffer once.
func (u URI) size() int {
	n := len(u.Scheme) + 1
	switch u.kind() {
	case kindSIP, kindSIPS:
		if u.User != "" || u.Password != "" {
			n += escapedLen(u.User, userLo, userHi) + 1
			if u.Password != "" {
				n += 1 + escapedLen(u.Password, passwordLo, passwordHi)
			}
		}
		n += len(u.Host) + len(u.Params) + len(u.Headers)
		if u.Port != 0 {
			n += 1 + decimalLen(u.Port)
		}
	case kindTel:
		n += len(u.User) + len(u.Params)
	default:
		n += len(u.Opaque)
	}
	return n
}

// decimalLen returns the length of the decimal form of n.
func decimalLen(n int) int {
	l := 1
	if n < 0 {
		l++
		n = -n
	}
	for ; n >= 10; n /= 10 {
		l++
	}
	return l
}

// AppendTo appends the canonical serialization of u to b and returns the
// extended buffer; it does not allocate when b has room.
//
// SIP and SIPS (RFC 3261 19.1.1, 25.1): the scheme in lower case, then the
// user part and password escaped where the grammar demands it (every byte
// outside user or password characters, "%" included, becomes an upper-case
// "%" HEX HEX), "@", the host as written, ":port" when Port is not 0, then
// Params and Headers as they are. Tel (RFC 3966 3): "tel:", the number and
// Params as they are. Other schemes: Scheme, ":" and Opaque. The zero URI
// appends nothing.
func (u URI) AppendTo(b []byte) []byte {
	if u.IsZero() {
		return b
	}
	k := u.kind()
	switch k {
	case kindSIP:
		b = append(b, SchemeSIP...)
	case kindSIPS:
		b = append(b, SchemeSIPS...)
	case kindTel:
		b = append(b, SchemeTel...)
	default:
		b = append(b, u.Scheme...)
	}
	b = append(b, ':')
	switch k {
	case kindSIP, kindSIPS:
		if u.User != "" || u.Password != "" {
			b = appendEscaped(b, u.User, userLo, userHi)
			if u.Password != "" {
				b = append(b, ':')
				b = appendEscaped(b, u.Password, passwordLo, passwordHi)
			}
			b = append(b, '@')
		}
		b = append(b, u.Host...)
		if u.Port != 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(u.Port), 10)
		}
		b = append(b, u.Params...)
		b = append(b, u.Headers...)
	case kindTel:
		b = append(b, u.User...)
		b = append(b, u.Params...)
	default:
		b = append(b, u.Opaque...)
	}
	return b
}

// HostPort returns the host and, when present, ":port" of a SIP or SIPS
// URI, such as "biloxi.example.com:5061" or "[2001:db8::1]"
// (RFC 3261 25.1 hostport).
func (u URI) HostPort() string {
	if u.Port == 0 {
		return u.Host
	}
	return u.Host + ":" + strconv.Itoa(u.Port)
}

// AOR returns the address-of-record key of u, for a registrar's location
// service (RFC 3261 10.3 step 5): the URI with all parameters, headers and
// the password removed, escapes in canonical form, the host in lower case
// (an IPv6 reference in its RFC 5952 form) and the port kept when present,
// such as "sip:bob@biloxi.example.com". Two SIP URIs of equal AOR name the
// same binding set. For tel it is "tel:" with the number in lower case
// without visual separators, and for a local number its phone-context
// (RFC 3966 4); other schemes give String.
func (u URI) AOR() string {
	switch u.kind() {
	case kindSIP, kindSIPS:
		v := URI{Scheme: strings.ToLower(u.Scheme), User: u.User, Host: canonicalHost(u.Host), Port: u.Port}
		return v.String()
	case kindTel:
		b := make([]byte, 0, len(SchemeTel)+1+len(u.User)+len(u.Params))
		b = append(b, SchemeTel...)
		b = append(b, ':')
		b = appendPhoneDigits(b, u.User)
		if ctx, ok := u.Param(paramPhoneContext); ok && !strings.HasPrefix(u.User, "+") {
			b = append(b, ";"+paramPhoneContext+"="...)
			if strings.HasPrefix(ctx, "+") {
				b = appendPhoneDigits(b, ctx)
			} else {
				b = append(b, strings.ToLower(ctx)...)
			}
		}
		return string(b)
	}
	return u.String()
}

// canonicalHost returns host in lower case, an IPv6 reference in the
// RFC 5952 text form.
func canonicalHost(host string) string {
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		if a, err := netip.ParseAddr(host[1 : len(host)-1]); err == nil {
			return "[" + a.String() + "]"
		}
	}
	return strings.ToLower(host)
}

// appendPhoneDigits appends the number s without its visual separators
// (RFC 3966 3), letters in lower case.
func appendPhoneDigits(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !in(c, visualLo, 0) {
			b = append(b, lower(c))
		}
	}
	return b
}
