package uri

import (
	"net/netip"
	"strings"
)

// Parse parses s as a bare URI: no angle brackets and no surrounding white
// space (RFC 4475 3.1.2.7, 3.1.2.8).
//
// SIP and SIPS URIs follow the RFC 3261 25.1 grammar strictly:
//
//	SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
//
// with these checks beyond the character classes: the host is a hostname, an
// IPv4 address (octets up to 255) or a bracketed IPv6 reference without a
// zone; the port is 1 to 65535 (leading zeros are accepted and dropped); a
// parameter name appears at most once (RFC 3261 19.1.1), compared as
// [URI.Equal] compares names; every "%" starts a "%" HEX HEX escape. The
// scheme is matched ignoring case (RFC 3261 19.1.4) and stored in lower
// case. A user part may hold ";", "?" and "/" (RFC 4475 3.1.1.9): the
// userinfo ends at the only "@", which no later component may hold
// unescaped. A telephone-subscriber in the userinfo is held to the same
// characters as a user part.
//
// Tel URIs follow RFC 3966 3: a global number ("+" and at least one digit)
// or a local number with a phone-context parameter, then parameters.
//
// Any other scheme is accepted as an RFC 3261 25.1 absoluteURI, kept opaque
// in [URI.Opaque] after checking that it is a non-empty run of uric
// characters (plus "[" and "]" of RFC 2732); see RFC 4475 3.3.2-3.3.4.
//
// Parse accepts headers in any SIP URI; a Request-URI must not carry them
// (RFC 3261 19.1.1 Table 1, RFC 4475 3.1.2.11), which the caller checks
// with Headers != "".
//
// Inputs longer than [MaxLength] bytes, or with more than [MaxParams]
// parameters or headers, are rejected. On failure Parse returns the zero URI
// and an [*Error]. Parse does not allocate when it succeeds and the user
// part and password hold no %-escape.
func Parse(s string) (URI, error) {
	if len(s) == 0 {
		return URI{}, newError(ErrEmpty, s, 0)
	}
	if len(s) > MaxLength {
		return URI{}, newError(ErrTooLong, s, MaxLength)
	}
	// Fast path for the scheme of nearly every URI parsed: "sip:" in any
	// case. It gives what the general path below gives for it.
	if len(s) > 4 && s[3] == ':' && s[0]|0x20 == 's' && s[1]|0x20 == 'i' && s[2]|0x20 == 'p' {
		return parseSIP(s, 4, SchemeSIP)
	}
	e, _ := scan(s, 0, schemeLo, schemeHi, false)
	if e == 0 || !isAlpha(s[0]) {
		return URI{}, fault(s, 0, ErrScheme)
	}
	if e == len(s) || s[e] != ':' {
		return URI{}, fault(s, e, ErrScheme)
	}
	var u URI
	var err error
	switch scheme := s[:e]; {
	case strings.EqualFold(scheme, SchemeSIP):
		u, err = parseSIP(s, e+1, SchemeSIP)
	case strings.EqualFold(scheme, SchemeSIPS):
		u, err = parseSIP(s, e+1, SchemeSIPS)
	case strings.EqualFold(scheme, SchemeTel):
		u, err = parseTel(s, e+1)
	default:
		u, err = parseOpaque(s, e+1, scheme)
	}
	if err != nil {
		return URI{}, err
	}
	return u, nil
}

// fault returns the error for the unexpected byte s[i] (or the end of s)
// in a component whose own error is def: white space, angle brackets and
// broken escapes get their own sentinel, since they are the usual mistakes.
func fault(s string, i int, def error) error {
	if i < len(s) {
		switch c := s[i]; {
		case isLWS(c):
			return newError(ErrWhitespace, s, i)
		case c == '<' || c == '>':
			return newError(ErrAngleBracket, s, i)
		case c == '%' && !escapeAt(s, i):
			return newError(ErrEscape, s, i)
		}
	}
	return newError(def, s, i)
}

// parseSIP parses the part of a SIP or SIPS URI after "scheme:", which
// starts at s[i] (RFC 3261 25.1 SIP-URI, SIPS-URI).
func parseSIP(s string, i int, scheme string) (URI, error) {
	u := URI{Scheme: scheme}
	// userinfo = ( user / telephone-subscriber ) [ ":" password ] "@".
	// No component after it may hold "@", so the first "@" ends it.
	if at := strings.IndexByte(s[i:], '@'); at >= 0 {
		at += i
		e, esc := scan(s, i, userLo, userHi, true)
		if e == i && (s[e] == ':' || s[e] == '@') {
			return URI{}, newError(ErrUser, s, i) // user = 1*( ... )
		}
		u.User = s[i:e]
		if esc {
			u.User = unescape(u.User)
		}
		if s[e] == ':' {
			p := e + 1
			e, esc = scan(s, p, passwordLo, passwordHi, true)
			if e != at {
				return URI{}, fault(s, e, ErrPassword)
			}
			u.Password = s[p:e]
			if esc {
				u.Password = unescape(u.Password)
			}
		} else if e != at {
			return URI{}, fault(s, e, ErrUser)
		}
		i = at + 1
	}

	// hostport = host [ ":" port ]
	e, err := parseHost(s, i)
	if err != nil {
		return URI{}, err
	}
	u.Host = s[i:e]
	i = e
	if i < len(s) && s[i] == ':' {
		i++
		port := 0
		start := i
		for i < len(s) && isDigit(s[i]) {
			port = port*10 + int(s[i]-'0')
			if port > 65535 {
				return URI{}, newError(ErrPort, s, start)
			}
			i++
		}
		if i == start || port == 0 {
			return URI{}, fault(s, start, ErrPort)
		}
		if i < len(s) && s[i] != ';' && s[i] != '?' {
			return URI{}, fault(s, i, ErrPort)
		}
		u.Port = port
	}
	if i < len(s) && s[i] != ';' && s[i] != '?' {
		return URI{}, fault(s, i, ErrHost)
	}

	// uri-parameters = *( ";" uri-parameter )
	if i < len(s) && s[i] == ';' {
		e, err := parseSIPParams(s, i)
		if err != nil {
			return URI{}, err
		}
		u.Params = s[i:e]
		i = e
	}
	// headers = "?" header *( "&" header )
	if i < len(s) && s[i] == '?' {
		if err := checkHeaders(s, i); err != nil {
			return URI{}, err
		}
		u.Headers = s[i:]
	}
	return u, nil
}

// parseHost checks the host starting at s[i] and returns its end
// (RFC 3261 25.1 host = hostname / IPv4address / IPv6reference).
func parseHost(s string, i int) (int, error) {
	if i < len(s) && s[i] == '[' {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 || !isIPv6(s[i+1:i+end]) {
			return 0, newError(ErrHost, s, i)
		}
		return i + end + 1, nil
	}
	e, hostname := scanHostname(s, i)
	if e == i {
		return 0, fault(s, i, ErrHost) // also the empty host of "sip:" and "sip:user@"
	}
	if !hostname && !isIPv4(s[i:e]) {
		return 0, newError(ErrHost, s, i)
	}
	return e, nil
}

// scanHostname returns the end of the run of host characters (hostLo,
// hostHi: alphanum, "-", ".") that starts at s[i], and whether that run
// is a hostname: scan(s, i, hostLo, hostHi, false) and isHostname of the
// run in one pass, as it runs for the host of every SIP URI parsed.
func scanHostname(s string, i int) (end int, hostname bool) {
	e := i
	prev := byte('.') // as if a dot came before the first label
	bad := false
	for e < len(s) {
		c := s[e]
		if hostChar[c] == 0 {
			break
		}
		// As in isHostname; a trailing "." is part of the run here,
		// and it is flagged exactly when the run without it ends
		// with "." or "-", which isHostname rejects too.
		if c <= '.' && (prev == '.' || (c == '.' && prev == '-')) {
			bad = true
		}
		prev = c
		e++
	}
	t := e // end of the run without a trailing "."
	if t > i && s[t-1] == '.' {
		t--
	}
	if bad || t == i || s[t-1] == '-' || s[t-1] == '.' {
		return e, false
	}
	return e, isAlpha(s[i+strings.LastIndexByte(s[i:t], '.')+1])
}

// hostChar is 1 for the octets of (hostLo, hostHi), 0 for the others: a
// table load instead of the range tests of in, for the longest run of
// every URI. It is read-only after initialization.
var hostChar = func() (t [256]uint8) {
	for c := range 256 {
		if in(byte(c), hostLo, hostHi) {
			t[c] = 1
		}
	}
	return t
}()

// isHostname reports whether h is an RFC 3261 25.1 hostname:
//
//	hostname    = *( domainlabel "." ) toplabel [ "." ]
//	domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum
//	toplabel    = ALPHA / ALPHA *( alphanum / "-" ) alphanum
//
// h must hold only alphanum, "-" and "." (the callers scan it with hostLo,
// hostHi), so only the shape is left to check: no label empty or starting
// or ending with "-", and the last label starting with ALPHA. It is one
// pass with no call, as it runs for the host of every SIP URI.
func isHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || h[len(h)-1] == '.' || h[len(h)-1] == '-' {
		return false // "a..", "a-": last label empty or ending with "-"
	}
	prev := byte('.') // as if a dot came before the first label
	for i := 0; i < len(h); i++ {
		c := h[i]
		// A "." or "-" right after a "." starts a label badly (empty
		// or with "-"); a "." right after a "-" ends one badly.
		if (c == '.' || c == '-') && (prev == '.' || (c == '.' && prev == '-')) {
			return false
		}
		prev = c
	}
	return isAlpha(h[strings.LastIndexByte(h, '.')+1])
}

// isIPv4 reports whether h is an RFC 3261 25.1 IPv4address
// (1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT) whose octets are at
// most 255 (RFC 3986 3.2.2 dec-octet).
func isIPv4(h string) bool {
	for part := range 4 {
		n, digits := 0, 0
		for digits < len(h) && isDigit(h[digits]) {
			n = n*10 + int(h[digits]-'0')
			digits++
		}
		if digits == 0 || digits > 3 || n > 255 {
			return false
		}
		h = h[digits:]
		if part < 3 {
			if h == "" || h[0] != '.' {
				return false
			}
			h = h[1:]
		}
	}
	return h == ""
}

// isIPv6 reports whether a is an RFC 3261 25.1 IPv6address: the text
// between the brackets of an IPv6reference. Zones ("%eth0") are not part of
// the grammar.
func isIPv6(a string) bool {
	if a == "" || strings.IndexByte(a, '%') >= 0 {
		return false
	}
	ip, err := netip.ParseAddr(a)
	return err == nil && ip.Is6()
}

// parseSIPParams checks the uri-parameters starting with the ";" at s[i]
// and returns their end (RFC 3261 25.1):
//
//	uri-parameter = ... / other-param
//	other-param   = pname [ "=" pvalue ]
//	pname         = 1*paramchar
//	pvalue        = 1*paramchar
//
// The named forms (transport-param and the others) are all other-params
// syntactically; their values are checked by the code that uses them.
func parseSIPParams(s string, i int) (int, error) {
	start, n := i, 0
	for i < len(s) && s[i] == ';' {
		if n == MaxParams {
			return 0, newError(ErrTooManyParams, s, i)
		}
		i++
		e, _ := scan(s, i, paramLo, paramHi, true)
		if e == i {
			return 0, fault(s, i, ErrParam)
		}
		name, at := s[i:e], i
		i = e
		if i < len(s) && s[i] == '=' {
			i++
			e, _ = scan(s, i, paramLo, paramHi, true)
			if e == i {
				return 0, fault(s, i, ErrParam)
			}
			i = e
		}
		if i < len(s) && s[i] != ';' && s[i] != '?' {
			return 0, fault(s, i, ErrParam)
		}
		if err := checkDuplicate(s[start:at-1], name, s, at); err != nil {
			return 0, err
		}
		n++
	}
	return i, nil
}

// checkDuplicate reports ErrDuplicateParam when name, found at offset off
// of s, is equivalent (as [URI.Equal] compares names) to the name of one of
// the parameters in prev, the raw list before it.
func checkDuplicate(prev, name, s string, off int) error {
	for rest := trimLead(prev, ';'); rest != ""; {
		var n string
		n, _, _, rest = nextField(rest, ';')
		if equivEscaped(n, name) {
			return newError(ErrDuplicateParam, s, off)
		}
	}
	return nil
}

// checkHeaders checks the headers component starting with the "?" at s[i]
// and running to the end of s (RFC 3261 25.1):
//
//	headers = "?" header *( "&" header )
//	header  = hname "=" hvalue
//	hname   = 1*( hnv-unreserved / unreserved / escaped )
//	hvalue  = *( hnv-unreserved / unreserved / escaped )
func checkHeaders(s string, i int) error {
	n := 0
	for i < len(s) {
		if n == MaxParams {
			return newError(ErrTooManyParams, s, i)
		}
		i++ // "?" or "&"
		n++
		e, _ := scan(s, i, headerLo, headerHi, true)
		if e == i || e == len(s) || s[e] != '=' {
			return fault(s, e, ErrHeader)
		}
		i, _ = scan(s, e+1, headerLo, headerHi, true)
		if i < len(s) && s[i] != '&' {
			return fault(s, i, ErrHeader)
		}
	}
	return nil
}

// parseOpaque parses the part of a URI of another scheme after
// "scheme:", which starts at s[i]: a non-empty run of RFC 3261 25.1 uric
// (absoluteURI = scheme ":" ( hier-part / opaque-part )).
func parseOpaque(s string, i int, scheme string) (URI, error) {
	if i == len(s) {
		return URI{}, newError(ErrOpaque, s, i)
	}
	if e, _ := scan(s, i, uricLo, uricHi, true); e != len(s) {
		return URI{}, fault(s, e, ErrOpaque)
	}
	return URI{Scheme: strings.ToLower(scheme), Opaque: s[i:]}, nil
}
