package uri

import (
	"net/netip"
	"strings"
)

// Equal reports whether u and v are equivalent.
//
// SIP and SIPS URIs follow RFC 3261 19.1.4:
//   - a SIP and a SIPS URI are never equivalent;
//   - user and password must be equal, case-sensitively, after unescaping;
//     a URI without a user part never equals one with one;
//   - hosts are compared ignoring case (IPv6 references as addresses, so
//     "[2001:db8::1]" equals "[2001:DB8:0::1]"); a hostname never equals
//     the address it resolves to;
//   - ports must be equal, an absent port differing from 5060;
//   - a uri-parameter present in both must have equivalent values; a
//     transport, user, ttl, method or maddr parameter present in only one
//     makes them differ; other parameters present in only one are ignored,
//     so equality is not transitive;
//   - headers must be the same in both, in any order;
//   - parameter and header names and values are compared ignoring case, an
//     escape of a non-reserved character being equal to that character.
//
// Because User and Password are stored unescaped, an escaped reserved
// character there (such as "%3B") equals the character itself (";"), a
// simplification of RFC 3261 19.1.4 that no real user part relies on.
//
// Tel URIs follow RFC 3966 4: numbers are equal after removing visual
// separators, ignoring case (so a global number never equals a local one);
// both must have the same parameter names, with values equal ignoring case
// and phone-context and ext values compared without visual separators.
//
// Other schemes are equal when the schemes are equal ignoring case and the
// opaque parts are byte for byte equal (RFC 3986 6.2.1).
//
// Equal does not allocate.
func (u URI) Equal(v URI) bool {
	k := u.kind()
	if k != v.kind() {
		return false
	}
	switch k {
	case kindSIP, kindSIPS:
		return u.User == v.User && u.Password == v.Password &&
			hostEqual(u.Host, v.Host) && u.Port == v.Port &&
			sipParamsEqual(u.Params, v.Params) &&
			headersEqual(u.Headers, v.Headers)
	case kindTel:
		return telNumberEqual(u.User, v.User) && telParamsEqual(u.Params, v.Params)
	}
	return strings.EqualFold(u.Scheme, v.Scheme) && u.Opaque == v.Opaque
}

// hostEqual compares two hosts ignoring case; two IPv6 references compare
// as addresses.
func hostEqual(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	if len(a) > 2 && len(b) > 2 && a[0] == '[' && b[0] == '[' && a[len(a)-1] == ']' && b[len(b)-1] == ']' {
		x, err1 := netip.ParseAddr(a[1 : len(a)-1])
		y, err2 := netip.ParseAddr(b[1 : len(b)-1])
		return err1 == nil && err2 == nil && x == y
	}
	return false
}

// significant reports whether the uri-parameter name makes two URIs differ
// when only one of them has it (RFC 3261 19.1.4: user, ttl, method, maddr;
// and transport, by the rule on components with a default value and the
// example "sip:bob@biloxi.com" vs "sip:bob@biloxi.com;transport=udp").
func significant(name string) bool {
	return equalFoldName(name, ParamTransport) || equalFoldName(name, ParamUser) ||
		equalFoldName(name, ParamTTL) || equalFoldName(name, ParamMethod) ||
		equalFoldName(name, ParamMaddr)
}

// findParam returns the raw value of the parameter in params whose name is
// equivalent to name (RFC 3261 19.1.4), and whether there is one.
func findParam(params, name string) (value string, ok bool) {
	for rest := trimLead(params, ';'); rest != ""; {
		var n string
		n, value, _, rest = nextField(rest, ';')
		if equivEscaped(n, name) {
			return value, true
		}
	}
	return "", false
}

// sipParamsEqual compares uri-parameters by RFC 3261 19.1.4.
func sipParamsEqual(a, b string) bool {
	if a == b {
		return true
	}
	for rest := trimLead(a, ';'); rest != ""; {
		var n, va string
		n, va, _, rest = nextField(rest, ';')
		vb, ok := findParam(b, n)
		if ok && !equivEscaped(va, vb) || !ok && significant(n) {
			return false
		}
	}
	for rest := trimLead(b, ';'); rest != ""; {
		var n string
		n, _, _, rest = nextField(rest, ';')
		if significant(n) {
			if _, ok := findParam(a, n); !ok {
				return false
			}
		}
	}
	return true
}

// telParamsEqual compares tel parameters by RFC 3966 4: the same names in
// both, with equal values.
func telParamsEqual(a, b string) bool {
	if a == b {
		return true
	}
	na, nb := 0, 0
	for rest := trimLead(a, ';'); rest != ""; na++ {
		var n, va string
		n, va, _, rest = nextField(rest, ';')
		vb, ok := findParam(b, n)
		if !ok {
			return false
		}
		if equalFoldName(n, paramPhoneContext) || equalFoldName(n, paramExt) {
			if !telNumberEqual(va, vb) {
				return false
			}
		} else if !equivEscaped(va, vb) {
			return false
		}
	}
	for rest := trimLead(b, ';'); rest != ""; nb++ {
		_, _, _, rest = nextField(rest, ';')
	}
	return na == nb
}

// headersEqual compares header components by RFC 3261 19.1.4: every header
// of one must be in the other, so they must be equal as multisets of
// (name, value) pairs.
func headersEqual(a, b string) bool {
	if a == b {
		return true
	}
	a, b = trimLead(a, '?'), trimLead(b, '?')
	if countHeaders(a, "", "", false) != countHeaders(b, "", "", false) {
		return false
	}
	for rest := a; rest != ""; {
		var n, v string
		n, v, _, rest = nextField(rest, '&')
		if countHeaders(a, n, v, true) != countHeaders(b, n, v, true) {
			return false
		}
	}
	return true
}

// countHeaders counts the headers of list equivalent to name=value, or all
// of them when match is false.
func countHeaders(list, name, value string, match bool) int {
	c := 0
	for rest := list; rest != ""; {
		var n, v string
		n, v, _, rest = nextField(rest, '&')
		if !match || equivEscaped(n, name) && equivEscaped(v, value) {
			c++
		}
	}
	return c
}
