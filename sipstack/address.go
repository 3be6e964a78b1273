package sipstack

import (
	"strings"

	"github.com/sipsim/sipsim/sipstack/uri"
)

// An Address represents a name-addr or addr-spec with header parameters,
// the value of a From, To, Contact, Route, Record-Route or Reply-To header
// (RFC 3261 20.10, 20.20, 20.39, 20.30, 20.34).
//
// Parameters after the URI belong to the header, not to the URI: in
// "<sip:a@b;lr>;tag=1" lr is a URI parameter (in URI.Params) and tag a
// header parameter (in Params). Without angle brackets, every parameter
// after the URI is a header parameter (RFC 3261 20, RFC 4475 3.3.12).
type Address struct {
	// DisplayName is the display name with quotes removed and
	// quoted-pairs resolved; "" if absent.
	DisplayName string

	// URI is the address itself.
	URI uri.URI

	// Params are the header parameters (tag, expires, q, ...).
	Params Params
}

// Tag returns the tag parameter of a From or To address (RFC 3261 19.3),
// or "" if absent.
func (a Address) Tag() string { s, _ := a.Params.Get("tag"); return s }

// AppendTo appends the address in canonical name-addr form,
// `"Display Name" <uri>;params`, to b and returns the extended buffer. The
// URI is always enclosed in angle brackets, so its own parameters never
// become header parameters.
func (a Address) AppendTo(b []byte) []byte {
	if a.DisplayName != "" {
		b = appendQuoted(b, a.DisplayName)
		b = append(b, ' ')
	}
	b = append(b, '<')
	b = a.URI.AppendTo(b)
	b = append(b, '>')
	return append(b, a.Params...)
}

// String returns the address in canonical name-addr form.
func (a Address) String() string {
	return ownedString(a.AppendTo(make([]byte, 0, 64+len(a.DisplayName)+len(a.Params))))
}

// ParseAddress parses a single name-addr or addr-spec followed by header
// parameters (RFC 3261 25.1):
//
//	name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
//	display-name = *(token LWS) / quoted-string
//
// A display name made of tokens may be followed directly by "<" without
// LWS (RFC 4475 3.1.1.6). An addr-spec outside angle brackets must not
// contain '?' (RFC 3261 20: such URIs must be enclosed in brackets), and
// spaces are not allowed inside the brackets (RFC 4475 3.1.2.14).
func ParseAddress(s string) (Address, error) {
	a, msg := parseAddress(s)
	if msg != "" {
		return Address{}, newError(ErrHeaderSyntax, 0, "", msg)
	}
	return a, nil
}

func parseAddress(s string) (Address, string) {
	var a Address
	end, msg := parseAddressAt(s, 0, &a)
	if msg == "" && end != len(s) {
		return Address{}, "more than one value"
	}
	return a, msg
}

// parseAddressAt parses a name-addr or addr-spec with header parameters
// that starts at s[i] (after optional LWS) and ends at a comma outside
// quotes and brackets or at the end of s; end is the index of that comma
// or len(s). It stores the address in *a; with a nil it checks the
// structure and the URI scheme only, leaving the URI itself to be parsed
// when it is read (the parser checks every address this way, and not
// building an Address saves zeroing and copying one per check).
func parseAddressAt(s string, i int, a *Address) (end int, msg string) {
	full := a != nil
	i = skipWS(s, i)
	if i == len(s) || s[i] == ',' {
		return i, "empty address"
	}
	lt := -1
	if s[i] == '"' {
		e := quotedEnd(s, i)
		if e < 0 {
			return i, "unterminated quoted display name"
		}
		if full {
			a.DisplayName = unquote(s[i:e])
		}
		i = skipWS(s, e)
		if i >= len(s) || s[i] != '<' {
			return i, "quoted display name not followed by <"
		}
		lt = i
	} else {
		// Either *(token LWS) "<" or an addr-spec.
		j := i
		for j < len(s) && charClass[s[j]]&(cToken|cWS) != 0 {
			j++
		}
		if j < len(s) && s[j] == '<' {
			if full {
				a.DisplayName = trimWS(s[i:j])
			}
			lt = j
		}
	}
	if lt >= 0 && !full {
		// The common case in one pass: the first '>', with no SP or
		// control character before it, so that only the scheme is
		// left to check; anything else takes the general path below.
		if k := indexCtlSPOrGT(s, lt+1); k > lt+1 && k < len(s) && s[k] == '>' {
			if !hasScheme(s[lt+1 : k]) {
				return lt, "URI has no scheme"
			}
			if end, ok := paramsFast(s, k+1); ok {
				return end, ""
			}
			_, end, ok := parseParamsAt(s, k+1)
			if !ok {
				return end, "malformed header parameters"
			}
			return end, ""
		}
	}
	if lt >= 0 {
		gt := strings.IndexByte(s[lt:], '>')
		if gt < 0 {
			return lt, "missing > after URI"
		}
		gt += lt
		in := s[lt+1 : gt]
		if in == "" || isWS(in[0]) || isWS(in[len(in)-1]) {
			return lt, "spaces inside <> around the URI"
		}
		if msg := parseAddrURI(in, a); msg != "" {
			return lt, msg
		}
		i = gt + 1
	} else {
		// addr-spec: the URI ends at the first ';' (RFC 3261 20.10)
		// or ','; it may not contain '?' or LWS.
		k := i
		for k < len(s) && s[k] != ';' && s[k] != ',' && !isWS(s[k]) {
			if s[k] == '?' || s[k] == '<' || s[k] == '>' || s[k] == '"' {
				return k, "URI with '?' or a display name with special characters must be enclosed in <>"
			}
			k++
		}
		if j := skipWS(s, k); j < len(s) && s[j] != ';' && s[j] != ',' {
			return j, "space inside addr-spec or display name without <>"
		}
		if msg := parseAddrURI(s[i:k], a); msg != "" {
			return i, msg
		}
		i = k
	}
	p, end, ok := parseParamsAt(s, i)
	if !ok {
		return end, "malformed header parameters"
	}
	if full {
		a.Params = p
	}
	return end, ""
}

// parseAddrURI parses the URI of an address into a.URI, or with a nil
// checks only that it starts with a scheme (RFC 3261 25.1: scheme = ALPHA
// *( ALPHA / DIGIT / "+" / "-" / "." )) and holds no LWS or control
// character.
func parseAddrURI(s string, a *Address) string {
	if a != nil {
		u, err := uri.Parse(s)
		if err != nil {
			return "bad URI: " + err.Error()
		}
		a.URI = u
		return ""
	}
	i := schemeEnd(s)
	if i == 0 || i == len(s) || s[i] != ':' {
		return "URI has no scheme"
	}
	if hasCtlOrSP(s[i:]) {
		return "white space or control character in URI"
	}
	return ""
}

// schemeEnd returns the end of the scheme (RFC 3261 25.1: scheme = ALPHA
// *( ALPHA / DIGIT / "+" / "-" / "." )) at the start of s, 0 if there is
// none.
func schemeEnd(s string) int {
	// "sip:" in any case, the scheme of nearly every address.
	if len(s) > 4 && s[3] == ':' && s[0]|0x20 == 's' && s[1]|0x20 == 'i' && s[2]|0x20 == 'p' {
		return 3
	}
	i := 0
	if i < len(s) && isAlpha(s[i]) {
		i++
		for i < len(s) && (isAlnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.') {
			i++
		}
	}
	return i
}

// hasScheme reports whether s starts with a scheme and a colon with
// something after it, as parseAddrURI requires.
func hasScheme(s string) bool {
	i := schemeEnd(s)
	return i != 0 && i != len(s) && s[i] == ':'
}

func isAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// A Contact represents one value of a Contact header field (RFC 3261
// 20.10): an address where the user can be reached, or the wildcard "*"
// that a REGISTER uses to remove all bindings (RFC 3261 10.2.2).
type Contact struct {
	// Star reports the wildcard value "*"; the other fields are then
	// zero.
	Star bool

	// Address is the contact address with its contact-params.
	Address
}

// Expires returns the expires contact-param in seconds (RFC 3261 20.10)
// and whether it is present.
func (c Contact) Expires() (uint32, bool) {
	s, ok := c.Params.Get("expires")
	if !ok {
		return 0, false
	}
	n, ok := parseUint(s, 1<<32-1)
	return uint32(n), ok
}

// Q returns the q contact-param (RFC 3261 20.10, qvalue 0 to 1) in
// thousandths, 0 to 1000, and whether it is present and well-formed.
func (c Contact) Q() (int, bool) {
	s, ok := c.Params.Get("q")
	if !ok {
		return 0, false
	}
	return parseQValue(s)
}

// parseQValue parses qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
func parseQValue(s string) (int, bool) {
	if s == "" || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	n := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return n, true
	}
	if s[1] != '.' || len(s) > 5 {
		return 0, false
	}
	scale := 100
	for i := 2; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n += int(s[i]-'0') * scale
		scale /= 10
	}
	if n > 1000 {
		return 0, false
	}
	return n, true
}

// AppendTo appends the contact in canonical form to b.
func (c Contact) AppendTo(b []byte) []byte {
	if c.Star {
		return append(b, '*')
	}
	return c.Address.AppendTo(b)
}

// String returns the contact in canonical form.
func (c Contact) String() string {
	if c.Star {
		return "*"
	}
	return c.Address.String()
}

func parseContact(s string) (Contact, string) {
	if trimWS(s) == "*" {
		return Contact{Star: true}, ""
	}
	a, msg := parseAddress(s)
	if msg != "" {
		return Contact{}, msg
	}
	c := Contact{Address: a}
	if _, ok := c.Params.Get("expires"); ok {
		if _, ok := c.Expires(); !ok {
			return Contact{}, "expires is not 0 to 2**32-1"
		}
	}
	if _, ok := c.Params.Get("q"); ok {
		if _, ok := c.Q(); !ok {
			return Contact{}, "q is not a qvalue"
		}
	}
	return c, ""
}
