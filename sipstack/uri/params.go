package uri

import (
	"iter"
	"strings"
)

// Names of the uri-parameters of RFC 3261 19.1.1, for [URI.Param] and
// [URI.WithParam].
const (
	ParamTransport = "transport" // transport to use: udp, tcp, sctp, tls or another
	ParamUser      = "user"      // "phone" when the user part is a telephone number
	ParamMethod    = "method"    // method of the request built from the URI
	ParamTTL       = "ttl"       // time-to-live of UDP multicast packets
	ParamMaddr     = "maddr"     // server address to contact instead of the host
	ParamLR        = "lr"        // the element does loose routing (RFC 3261 16.12)
)

// nextField splits the first field off list, a ";"-separated parameter list
// or a "&"-separated header list whose leading separator has been removed:
// it returns the raw name and value, whether there was "=", and the rest of
// the list after the separator sep. It accepts any text without panicking.
func nextField(list string, sep byte) (name, value string, hasValue bool, rest string) {
	field := list
	if k := strings.IndexByte(list, sep); k >= 0 {
		field, rest = list[:k], list[k+1:]
	}
	if eq := strings.IndexByte(field, '='); eq >= 0 {
		return field[:eq], field[eq+1:], true, rest
	}
	return field, "", false, rest
}

// trimLead removes the leading separator c of a raw Params or Headers.
func trimLead(s string, c byte) string {
	if s != "" && s[0] == c {
		return s[1:]
	}
	return s
}

// rawParam returns the raw value of the parameter of u named name, matched
// ignoring case and escapes, and whether it is present.
func rawParam(params, name string) (value string, ok bool) {
	for rest := trimLead(params, ';'); rest != ""; {
		var n string
		n, value, _, rest = nextField(rest, ';')
		if equalFoldName(n, name) {
			return value, true
		}
	}
	return "", false
}

// Param returns the value of the uri-parameter (or, for tel, the
// parameter) named name, and whether it is present. Names are matched
// ignoring ASCII case and after unescaping, so Param("lr") finds ";%6C%72"
// (RFC 3261 19.1.4, RFC 4475 3.1.1.3). The value is unescaped once
// (";n%61me=v%61lue%25%34%31" gives "value%41"); a parameter without a value,
// such as ";lr", gives "", true. Param allocates only to unescape.
func (u URI) Param(name string) (value string, ok bool) {
	v, ok := rawParam(u.Params, name)
	return unescape(v), ok
}

// HasParam reports whether u has the parameter named name, matched as
// [URI.Param] matches it.
func (u URI) HasParam(name string) bool {
	_, ok := rawParam(u.Params, name)
	return ok
}

// AllParams returns an iterator over u's parameters in order, yielding each
// name and value unescaped; a parameter without a value yields "".
func (u URI) AllParams() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for rest := trimLead(u.Params, ';'); rest != ""; {
			var n, v string
			n, v, _, rest = nextField(rest, ';')
			if !yield(unescape(n), unescape(v)) {
				return
			}
		}
	}
}

// Transport returns the value of the transport parameter in lower case,
// such as "tcp", or "" when absent (RFC 3261 19.1.1; transport names are
// case-insensitive, RFC 3261 19.1.4).
func (u URI) Transport() string {
	v, _ := u.Param(ParamTransport)
	return strings.ToLower(v)
}

// Maddr returns the value of the maddr parameter, the address to contact
// instead of the host (RFC 3261 19.1.1), or "" when absent.
func (u URI) Maddr() string {
	v, _ := u.Param(ParamMaddr)
	return v
}

// UserParam returns the value of the user parameter in lower case, such as
// "phone" or "ip", or "" when absent (RFC 3261 19.1.1).
func (u URI) UserParam() string {
	v, _ := u.Param(ParamUser)
	return strings.ToLower(v)
}

// LooseRouting reports whether u has the lr parameter: the element it names
// implements the routing of RFC 3261 16.12 (RFC 3261 19.1.1).
func (u URI) LooseRouting() bool { return u.HasParam(ParamLR) }

// WithParam returns a copy of u with the parameter name set to value,
// replacing any parameter of that name (RFC 3261 19.1.1 allows one). The
// name and value are escaped as RFC 3261 25.1 paramchar requires; an empty
// value gives a parameter without "=", such as ";lr". An empty name returns
// u unchanged. For tel URIs the caller keeps to RFC 3966 pname characters.
// The result may hold more than [MaxParams] parameters, which Parse would
// then refuse. URIs of other schemes do not serialize Params.
func (u URI) WithParam(name, value string) URI {
	if name == "" {
		return u
	}
	u = u.WithoutParam(name)
	n := len(u.Params) + 1 + escapedLen(name, paramLo, paramHi)
	if value != "" {
		n += 1 + escapedLen(value, paramLo, paramHi)
	}
	b := make([]byte, 0, n)
	b = append(b, u.Params...)
	b = append(b, ';')
	b = appendEscaped(b, name, paramLo, paramHi)
	if value != "" {
		b = append(b, '=')
		b = appendEscaped(b, value, paramLo, paramHi)
	}
	u.Params = string(b)
	return u
}

// WithoutParam returns a copy of u without the parameter named name,
// matched as [URI.Param] matches it. Other parameters keep their order and
// spelling.
func (u URI) WithoutParam(name string) URI {
	if !u.HasParam(name) {
		return u
	}
	b := make([]byte, 0, len(u.Params))
	for rest := trimLead(u.Params, ';'); rest != ""; {
		field := rest
		if k := strings.IndexByte(rest, ';'); k >= 0 {
			field, rest = rest[:k], rest[k+1:]
		} else {
			rest = ""
		}
		n, _, _, _ := nextField(field, ';')
		if equalFoldName(n, name) {
			continue
		}
		b = append(b, ';')
		b = append(b, field...)
	}
	u.Params = string(b)
	return u
}

// Header returns the value of the first header of u named name, matched
// ignoring ASCII case and after unescaping, and whether it is present. The
// value is unescaped once: "?Route=%3Csip:sip.example.com%3E" gives
// "<sip:sip.example.com>" (RFC 4475 3.3.14).
func (u URI) Header(name string) (value string, ok bool) {
	for rest := trimLead(u.Headers, '?'); rest != ""; {
		var n string
		n, value, _, rest = nextField(rest, '&')
		if equalFoldName(n, name) {
			return unescape(value), true
		}
	}
	return "", false
}

// AllHeaders returns an iterator over u's headers in order, yielding each
// name and value unescaped.
func (u URI) AllHeaders() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for rest := trimLead(u.Headers, '?'); rest != ""; {
			var n, v string
			n, v, _, rest = nextField(rest, '&')
			if !yield(unescape(n), unescape(v)) {
				return
			}
		}
	}
}
