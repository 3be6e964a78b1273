package sipstack

import (
	"strconv"
	"strings"
)

// A HeaderField is one header line of a message: a name and its value.
//
// Name is the canonical long form for the headers this package knows
// (see [CanonicalHeaderName]) and the name as received for others. Value
// is the field value with surrounding LWS removed and each line fold
// (CRLF followed by SP or HTAB, RFC 3261 7.3.1) replaced by one SP. A
// value may hold several comma-separated values (RFC 3261 7.3.1) exactly
// as they were received.
type HeaderField struct {
	Name  string
	Value string
}

// A Header represents the header fields of a SIP message, in the order in
// which they appear on the wire. Order matters: the top Via is where the
// response goes, Route values are visited in order (RFC 3261 7.3.1), and
// unknown headers keep their position.
//
// Names given to Header methods may be in any case and in compact form
// ("v", "VIA" and "Via" are the same). Methods that add fields store the
// canonical name. Typed accessors ([Header.Via], [Header.CSeq],
// [Header.From], ...) parse the stored text on each call; they do not
// cache, so mutations through any method (or directly on the slice) are
// always seen.
//
// Fields of known headers must carry the canonical name: the parser and
// the methods that add fields store it, and code that edits the slice
// directly uses [CanonicalHeaderName].
//
// Reads do not allocate unless they return a slice. Mutating methods have
// pointer receivers; a Header returned by [ParseMessage] has spare capacity
// for a few added fields.
type Header []HeaderField

// index returns the position of the first field named name (given in any
// form), or -1.
func (h Header) index(name string) int { return h.indexOf(lookupHeader(name), name) }

// indexOf is index for a name whose id is known.
func (h Header) indexOf(id hdr, name string) int {
	if id != hUnknown {
		canon := headerTable[id].name
		for i := range h {
			if h[i].Name == canon {
				return i
			}
		}
		return -1
	}
	for i := range h {
		if equalFold(h[i].Name, name) {
			return i
		}
	}
	return -1
}

// same reports whether a stored field name refers to the header id or name.
func same(field string, id hdr, name string) bool {
	if id != hUnknown {
		return field == headerTable[id].name
	}
	return equalFold(field, name)
}

// Get returns the value of the first field named name, or "" if there is
// none. For a list header this is the whole field value, which may hold
// several comma-separated values; use [Header.Values] to split them.
func (h Header) Get(name string) string {
	if i := h.index(name); i >= 0 {
		return h[i].Value
	}
	return ""
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool { return h.index(name) >= 0 }

// Count returns the number of fields named name.
func (h Header) Count(name string) int {
	id := lookupHeader(name)
	n := 0
	for i := range h {
		if same(h[i].Name, id, name) {
			n++
		}
	}
	return n
}

// Values returns all values of the header named name in order. For a list
// header (Via, Route, Contact, Allow, ... RFC 3261 7.3.1) each field is
// split at commas outside quoted strings and angle brackets, and empty
// elements are dropped; for other headers (WWW-Authenticate, Date,
// Subject, unknown headers, ...) each field value is one value.
func (h Header) Values(name string) []string {
	id := lookupHeader(name)
	var out []string
	for i := range h {
		if !same(h[i].Name, id, name) {
			continue
		}
		if !isListHeader(id) {
			out = append(out, h[i].Value)
			continue
		}
		eachValue(h[i].Value, func(v string) bool {
			if v != "" {
				out = append(out, v)
			}
			return true
		})
	}
	return out
}

// Add appends a field at the end of the header. The name is stored in
// canonical form. CR and LF in value are written as SP when the message is
// serialized.
func (h *Header) Add(name, value string) {
	*h = append(*h, HeaderField{CanonicalHeaderName(name), value})
}

// Prepend inserts a field just before the first field of the same name,
// or at the top of the header when there is none: a proxy prepends its Via
// and Record-Route values this way (RFC 3261 16.6 steps 4 and 8).
func (h *Header) Prepend(name, value string) {
	id := lookupHeader(name)
	i := h.indexOf(id, name)
	if i < 0 {
		i = 0
	}
	if id != hUnknown {
		name = headerTable[id].name
	}
	h.insert(i, HeaderField{name, value})
}

// Insert inserts a field at position i, 0 <= i <= len(h).
func (h *Header) Insert(i int, name, value string) {
	h.insert(i, HeaderField{CanonicalHeaderName(name), value})
}

func (h *Header) insert(i int, f HeaderField) {
	s := append(*h, HeaderField{})
	copy(s[i+1:], s[i:])
	s[i] = f
	*h = s
}

// Set replaces the value of the first field named name and removes the
// others, or appends a field when there is none.
func (h *Header) Set(name, value string) {
	id := lookupHeader(name)
	i := h.indexOf(id, name)
	if i < 0 {
		h.Add(name, value)
		return
	}
	(*h)[i].Value = value
	h.delFrom(i+1, id, name)
}

// Del removes every field named name and returns how many it removed.
func (h *Header) Del(name string) int { return h.delFrom(0, lookupHeader(name), name) }

// delFrom removes the fields from start on that are named name, whose id
// is id.
func (h *Header) delFrom(start int, id hdr, name string) int {
	s := *h
	// Find the first field to remove before moving any: the fields before
	// it stay where they are, unwritten (each write of a field is two
	// pointer writes, with write barriers while the GC runs).
	j := start
	for j < len(s) && !same(s[j].Name, id, name) {
		j++
	}
	if j == len(s) {
		return 0
	}
	for i := j + 1; i < len(s); i++ {
		if same(s[i].Name, id, name) {
			continue
		}
		s[j] = s[i]
		j++
	}
	n := len(s) - j
	clear(s[j:])
	*h = s[:j]
	return n
}

// PopValue removes the first value of the header named name and returns
// it: the first comma-separated element of the first field for a list
// header, the whole first field otherwise. The field is removed when no
// value is left in it. It is how a proxy removes the top Route value (RFC
// 3261 16.4) and how a response loses its top Via (RFC 3261 16.7 step 3).
func (h *Header) PopValue(name string) (string, bool) {
	i := h.index(name)
	if i < 0 {
		return "", false
	}
	f := (*h)[i]
	if isListHeader(lookupHeader(name)) {
		v, rest, more, ok := nextValue(f.Value)
		if ok && more {
			if rest = trimWS(rest); rest != "" {
				(*h)[i].Value = rest
				return v, true
			}
		}
		if ok {
			f.Value = v
		}
	}
	s := *h
	copy(s[i:], s[i+1:])
	s[len(s)-1] = HeaderField{}
	*h = s[:len(s)-1]
	return f.Value, true
}

// Clone returns a copy of h that shares no memory that a [Header] method
// can modify. Field strings are immutable and shared.
func (h Header) Clone() Header {
	if h == nil {
		return nil
	}
	c := make(Header, len(h), len(h)+2)
	copy(c, h)
	return c
}

// AppendTo appends the header fields in canonical form, one
// "Name: value\r\n" line per field, to b. It does not write Content-Length
// (see [Request.AppendTo]). CR and LF inside values are written as SP so
// that a value can never start a new header line.
func (h Header) AppendTo(b []byte) []byte {
	for i := range h {
		b = appendField(b, h[i].Name, h[i].Value)
	}
	return b
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ':', ' ')
	if strings.IndexByte(value, '\r') < 0 && strings.IndexByte(value, '\n') < 0 {
		b = append(b, value...)
	} else {
		for i := 0; i < len(value); i++ {
			c := value[i]
			if c == '\r' || c == '\n' {
				c = ' '
			}
			b = append(b, c)
		}
	}
	return append(b, '\r', '\n')
}

// --- typed access ---

// firstValue returns the first value of a list header, or of a single one.
func (h Header) firstValue(id hdr) (string, bool) {
	i := h.index(headerTable[id].name)
	if i < 0 {
		return "", false
	}
	v := h[i].Value
	if isListHeader(id) {
		first, _, _, ok := nextValue(v)
		if !ok {
			return "", false
		}
		v = first
	}
	return v, true
}

func missing(name string) error {
	return newError(ErrMissingHeader, 0, name, "header is missing")
}

func syntaxError(name, msg string) error {
	return newError(ErrHeaderSyntax, 0, name, msg)
}

// Via returns the top Via value, the one that says where a response goes
// (RFC 3261 18.2.2). The error wraps [ErrMissingHeader] when there is no
// Via and [ErrHeaderSyntax] when it does not parse.
func (h Header) Via() (Via, error) {
	s, ok := h.firstValue(hVia)
	if !ok {
		return Via{}, missing("Via")
	}
	v, msg := parseVia(s)
	if msg != "" {
		return Via{}, syntaxError("Via", msg)
	}
	return v, nil
}

// Vias returns every Via value, top first.
func (h Header) Vias() ([]Via, error) { return listValues(h, hVia, parseVia) }

// PrependVia adds v as the new top Via value (RFC 3261 8.1.1.7, 16.6
// step 8), in a field of its own before the first Via field.
func (h *Header) PrependVia(v Via) {
	h.Prepend("Via", v.String())
}

// PopVia removes the top Via value and returns it (RFC 3261 16.7 step 3:
// a proxy removes its own Via from a response before forwarding it).
func (h *Header) PopVia() (Via, error) {
	s, ok := h.PopValue("Via")
	if !ok {
		return Via{}, missing("Via")
	}
	v, msg := parseVia(s)
	if msg != "" {
		return Via{}, syntaxError("Via", msg)
	}
	return v, nil
}

func (h Header) address(id hdr) (Address, error) {
	name := headerTable[id].name
	s, ok := h.firstValue(id)
	if !ok {
		return Address{}, missing(name)
	}
	a, msg := parseAddress(s)
	if msg != "" {
		return Address{}, syntaxError(name, msg)
	}
	return a, nil
}

func (h Header) addresses(id hdr) ([]Address, error) { return listValues(h, id, parseAddress) }

// listValues parses every value of the list header id, in order, across
// all its fields (RFC 3261 7.3.1: several fields of a list header are one
// comma-separated list). The error names the header and the first value
// that does not parse.
func listValues[T any](h Header, id hdr, parse func(string) (T, string)) ([]T, error) {
	var out []T
	var msg string
	for i := range h {
		if !same(h[i].Name, id, "") {
			continue
		}
		ok := eachValue(h[i].Value, func(s string) bool {
			var v T
			v, msg = parse(s)
			out = append(out, v)
			return msg == ""
		})
		if !ok {
			msg = "unbalanced quotes or brackets"
		}
		if msg != "" {
			return nil, syntaxError(headerTable[id].name, msg)
		}
	}
	return out, nil
}

// From returns the From address (RFC 3261 20.20), whose tag identifies the
// caller's side of a dialog.
func (h Header) From() (Address, error) { return h.address(hFrom) }

// To returns the To address (RFC 3261 20.39).
func (h Header) To() (Address, error) { return h.address(hTo) }

// Routes returns every Route value in order (RFC 3261 20.34).
func (h Header) Routes() ([]Address, error) { return h.addresses(hRoute) }

// RecordRoutes returns every Record-Route value in order (RFC 3261 20.30).
func (h Header) RecordRoutes() ([]Address, error) { return h.addresses(hRecordRoute) }

// Route returns the top Route value, the next hop of a loose-routed
// request (RFC 3261 16.12), and false when the request has no Route.
func (h Header) Route() (Address, bool, error) {
	if !h.Has("Route") {
		return Address{}, false, nil
	}
	a, err := h.address(hRoute)
	return a, true, err
}

// PopRoute removes the top Route value and returns it (RFC 3261 16.4: a
// proxy removes a Route value that names itself). The error wraps
// [ErrMissingHeader] when there is no Route.
func (h *Header) PopRoute() (Address, error) {
	s, ok := h.PopValue("Route")
	if !ok {
		return Address{}, missing("Route")
	}
	a, msg := parseAddress(s)
	if msg != "" {
		return Address{}, syntaxError("Route", msg)
	}
	return a, nil
}

// Contacts returns every Contact value in order (RFC 3261 20.10),
// including the wildcard "*".
func (h Header) Contacts() ([]Contact, error) { return listValues(h, hContact, parseContact) }

// CallID returns the Call-ID (RFC 3261 20.8), or "" if absent.
func (h Header) CallID() string { return h.Get("Call-ID") }

// A CSeq represents the CSeq header field (RFC 3261 20.16): a sequence
// number and the request method, which orders requests within a dialog
// and matches a response to its request.
type CSeq struct {
	// Seq is the sequence number, 0 to 2**32-1 (RFC 3261 8.1.1.5).
	Seq uint32
	// Method is the method of the request, case-sensitive.
	Method string
}

// String returns the CSeq value, "seq METHOD".
func (c CSeq) String() string { return strconv.FormatUint(uint64(c.Seq), 10) + " " + c.Method }

// ParseCSeq parses a CSeq value: CSeq = 1*DIGIT LWS Method.
func ParseCSeq(s string) (CSeq, error) {
	c, msg := parseCSeq(s)
	if msg != "" {
		return CSeq{}, syntaxError("CSeq", msg)
	}
	return c, nil
}

func parseCSeq(s string) (CSeq, string) {
	s = trimWS(s)
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	n, ok := parseUint(s[:i], 1<<32-1)
	if !ok {
		return CSeq{}, "sequence number is not 0 to 2**32-1"
	}
	j := skipWS(s, i)
	if j == i || !isToken(s[j:]) {
		return CSeq{}, "want \"number METHOD\""
	}
	return CSeq{Seq: uint32(n), Method: s[j:]}, ""
}

// CSeq returns the parsed CSeq header.
func (h Header) CSeq() (CSeq, error) {
	i := h.index("CSeq")
	if i < 0 {
		return CSeq{}, missing("CSeq")
	}
	return ParseCSeq(h[i].Value)
}

// MaxForwards returns the Max-Forwards value, 0 to 255 (RFC 3261 20.22),
// and false when the header is absent or malformed. A proxy that finds no
// Max-Forwards adds one with the value 70 (RFC 3261 16.6 step 3).
func (h Header) MaxForwards() (int, bool) {
	n, ok := parseUint(trimWS(h.Get("Max-Forwards")), 255)
	return int(n), ok
}

// SetMaxForwards sets the Max-Forwards header to n (RFC 3261 16.6 step
// 3: a proxy decrements it by one). It does not allocate for n < 100.
func (h *Header) SetMaxForwards(n int) {
	h.Set("Max-Forwards", strconv.Itoa(n))
}

// ContentLength returns the Content-Length value (RFC 3261 20.14) and
// whether the header is present and well-formed. When serializing, the
// length is always taken from the body, not from this header.
func (h Header) ContentLength() (int, bool) {
	n, ok := parseUint(trimWS(h.Get("Content-Length")), MaxMessageSize)
	return int(n), ok
}

// ContentType returns the Content-Type value (RFC 3261 20.15), a media
// type such as "application/sdp", or "" if absent.
func (h Header) ContentType() string { return h.Get("Content-Type") }

// Expires returns the Expires value in seconds (RFC 3261 20.19) and
// whether it is present and within 0 to 2**32-1.
func (h Header) Expires() (uint32, bool) {
	n, ok := parseUint(trimWS(h.Get("Expires")), 1<<32-1)
	return uint32(n), ok
}

// Allow returns the methods listed in Allow headers (RFC 3261 20.5).
func (h Header) Allow() []string { return h.Values("Allow") }

// Supported returns the option tags of Supported headers (RFC 3261 20.37).
func (h Header) Supported() []string { return h.Values("Supported") }

// Require returns the option tags of Require headers (RFC 3261 20.32).
func (h Header) Require() []string { return h.Values("Require") }

// ProxyRequire returns the option tags of Proxy-Require headers (RFC 3261
// 20.29).
func (h Header) ProxyRequire() []string { return h.Values("Proxy-Require") }

// Unsupported returns the option tags of Unsupported headers (RFC 3261
// 20.40).
func (h Header) Unsupported() []string { return h.Values("Unsupported") }
