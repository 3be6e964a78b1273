package sipstack

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// A HeaderField is one header line of a message: a name and its value,
// as [Header.Field] returns it and [NewHeader] takes it.
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
// ("v", "VIA" and "Via" are the same); fields of known headers are always
// read back with their canonical name. Typed accessors ([Header.Via],
// [Header.CSeq], [Header.From], ...) parse the stored text on each call;
// they do not cache, so changes through any method are always seen.
//
// The zero Header is empty and ready to use. A Header refers to its
// fields: like a slice, a copy of a Header shares them with the original,
// and [Header.Clone] makes an independent one. Reads do not allocate
// unless they return a slice. Mutating methods have pointer receivers; a
// Header returned by [ParseMessage] has spare capacity for a few added
// fields.
//
// Strings returned by a Header never change afterwards, whatever is done
// to the Header later.
type Header struct {
	// src is the text of the message the header was parsed from ("" for
	// a header built with Add): the parser's private copy of the
	// datagram, which nothing writes after parsing. Field spans point
	// into it, and the strings that reads return are substrings of it,
	// so they stay unchanged for as long as they live.
	src string
	// fields are the header fields in order. A field holds no pointer,
	// so the parser fills them without write barriers and the garbage
	// collector never scans them.
	fields []field
	// strs holds the names and values that are not in src: those given
	// to Add, Set, Prepend, ..., and folded values rebuilt on one line.
	// A slot is only ever overwritten by Set-like methods of the field
	// that owns it, with a new string; strings themselves are immutable.
	strs []string
}

// A field is one header field: where its value is, and its name. It is
// 8 octets, so that the field array that follows a parsed message's copy
// in the same allocation stays small.
type field struct {
	value span
	name  fname
}

// An fname is the name of a field: the id of a known header (below
// nameSrc), or where an unknown name is: nameSrc | length<<16 | offset
// for h.src[offset:offset+length] (parsed messages are at most
// MaxMessageSize octets and names at most MaxLineLength), nameStrs | i
// for h.strs[i].
type fname uint32

const (
	nameSrc  fname = 1 << 30
	nameStrs fname = 1 << 31
)

// srcName returns the fname of the unknown name src[off:off+n].
func srcName(off, n int) fname { return nameSrc | fname(n)<<16 | fname(off) }

// id returns the id of the field's name, hUnknown for an unknown name.
func (f *field) id() hdr {
	if f.name < nameSrc {
		return hdr(f.name)
	}
	return hUnknown
}

// A span locates a value: h.src[off:off+n] as n<<16 | off (parsed
// messages are at most MaxMessageSize octets, so off fits 16 bits, and a
// value is shorter than a line, at most MaxLineLength octets, so n fits
// 15), or h.strs[i] as inStrs | i.
type span uint32

const inStrs span = 1 << 31

// srcSpan returns the span of src[off:end].
func srcSpan(off, end int) span { return span(end-off)<<16 | span(off) }

// inStrs reports whether sp locates a string of h.strs.
func (sp span) inStrs() bool { return sp&inStrs != 0 }

// index returns the index in h.strs that sp locates.
func (sp span) index() int { return int(sp &^ inStrs) }

// off and end return the bounds in h.src of a span that is not inStrs.
func (sp span) off() int { return int(sp & 0xffff) }
func (sp span) end() int { return int(sp&0xffff) + int(sp>>16) }

// str returns the string that sp locates.
func (h *Header) str(sp span) string {
	if sp.inStrs() {
		return h.strs[sp.index()]
	}
	return h.src[sp.off():sp.end()]
}

// name returns the name of field f.
func (h *Header) name(f *field) string {
	if f.name < nameSrc {
		return headerTable[hdr(f.name)].name
	}
	return h.unknownName(f.name)
}

// unknownName returns the unknown name that n locates.
func (h *Header) unknownName(n fname) string {
	if n < nameStrs {
		off := int(n & 0xffff)
		return h.src[off : off+int(n>>16&0x3fff)]
	}
	return h.strs[n&^nameStrs]
}

// putName stores the unknown name s in h.strs and returns its fname.
func (h *Header) putName(s string) fname {
	return nameStrs | fname(h.putStr(s).index())
}

// putStr stores s in h.strs and returns its span.
func (h *Header) putStr(s string) span {
	if h.strs == nil {
		// Room for what a proxy changes: Max-Forwards, a Via, a
		// Record-Route.
		h.strs = make([]string, 0, 4)
	}
	h.strs = append(h.strs, s)
	return inStrs | span(len(h.strs)-1)
}

// setStr makes *sp locate s, reusing the slot of h.strs that *sp already
// owns.
func (h *Header) setStr(sp *span, s string) {
	if sp.inStrs() {
		h.strs[sp.index()] = s
		return
	}
	*sp = h.putStr(s)
}

// compact drops the slots of h.strs that no field refers to any more, so
// that adding and removing fields does not grow it without bound. It
// builds new fields and strs rather than renumbering in place, so that a
// copy of h made earlier still reads what it read before.
func (h *Header) compact() {
	fields := make([]field, len(h.fields), cap(h.fields))
	copy(fields, h.fields)
	strs := make([]string, 0, len(h.fields)+4)
	for i := range fields {
		f := &fields[i]
		if f.name >= nameStrs {
			strs = append(strs, h.strs[f.name&^nameStrs])
			f.name = nameStrs | fname(len(strs)-1)
		}
		if f.value.inStrs() {
			strs = append(strs, h.strs[f.value.index()])
			f.value = inStrs | span(len(strs)-1)
		}
	}
	h.fields, h.strs = fields, strs
}

// newField returns a field for name and value, stored in h.strs.
func (h *Header) newField(id hdr, name, value string) field {
	// Only new fields grow h.strs for good (a field's own slots are
	// reused), so this is where it is compacted: before taking slots,
	// since compacting renumbers them.
	if len(h.strs) >= 2*len(h.fields)+8 {
		h.compact()
	}
	f := field{name: fname(id)}
	if id == hUnknown {
		f.name = h.putName(name)
	}
	f.value = h.putStr(value)
	return f
}

// NewHeader returns a Header holding the given fields in order, as if
// each were added with [Header.Add].
func NewHeader(fields ...HeaderField) Header {
	h := Header{fields: make([]field, 0, len(fields)+headerSpare), strs: make([]string, 0, len(fields))}
	for _, f := range fields {
		h.Add(f.Name, f.Value)
	}
	return h
}

// Len returns the number of header fields.
func (h Header) Len() int { return len(h.fields) }

// Field returns the field at position i, 0 <= i < h.Len().
func (h Header) Field(i int) HeaderField {
	f := &h.fields[i]
	return HeaderField{h.name(f), h.str(f.value)}
}

// All returns an iterator over the fields in order, yielding each name
// and value. The header must not be changed during the iteration.
func (h Header) All() iter.Seq2[string, string] {
	return func(yield func(name, value string) bool) {
		for i := range h.fields {
			f := &h.fields[i]
			if !yield(h.name(f), h.str(f.value)) {
				return
			}
		}
	}
}

// index returns the position of the first field named name (given in any
// form), or -1.
func (h *Header) index(name string) int { return h.indexOf(lookupHeader(name), name) }

// indexOf is index for a name whose id is known.
func (h *Header) indexOf(id hdr, name string) int {
	if id != hUnknown {
		for i := range h.fields {
			if h.fields[i].id() == id {
				return i
			}
		}
		return -1
	}
	for i := range h.fields {
		if h.same(&h.fields[i], id, name) {
			return i
		}
	}
	return -1
}

// same reports whether field f is named by the header id or, for an
// unknown header, name.
func (h *Header) same(f *field, id hdr, name string) bool {
	if id != hUnknown {
		return f.id() == id
	}
	return f.id() == hUnknown && equalFold(h.name(f), name)
}

// Get returns the value of the first field named name, or "" if there is
// none. For a list header this is the whole field value, which may hold
// several comma-separated values; use [Header.Values] to split them.
func (h Header) Get(name string) string {
	if i := h.index(name); i >= 0 {
		return h.str(h.fields[i].value)
	}
	return ""
}

// Has reports whether a field named name is present.
func (h Header) Has(name string) bool { return h.index(name) >= 0 }

// Count returns the number of fields named name.
func (h Header) Count(name string) int {
	id := lookupHeader(name)
	n := 0
	for i := range h.fields {
		if h.same(&h.fields[i], id, name) {
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
	for i := range h.fields {
		if !h.same(&h.fields[i], id, name) {
			continue
		}
		v := h.str(h.fields[i].value)
		if !isListHeader(id) {
			out = append(out, v)
			continue
		}
		eachValue(v, func(v string) bool {
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
	h.fields = append(h.fields, h.newField(lookupHeader(name), name, value))
}

// Prepend inserts a field just before the first field of the same name,
// or at the top of the header when there is none: a proxy prepends its Via
// and Record-Route values this way (RFC 3261 16.6 steps 4 and 8).
func (h *Header) Prepend(name, value string) { h.prepend(lookupHeader(name), name, value) }

// prepend is Prepend for a name whose id is known.
func (h *Header) prepend(id hdr, name, value string) {
	i := h.indexOf(id, name)
	if i < 0 {
		i = 0
	}
	h.insert(i, h.newField(id, name, value))
}

// Insert inserts a field at position i, 0 <= i <= h.Len().
func (h *Header) Insert(i int, name, value string) {
	h.insert(i, h.newField(lookupHeader(name), name, value))
}

func (h *Header) insert(i int, f field) {
	h.fields = slices.Insert(h.fields, i, f)
}

// Set replaces the value of the first field named name and removes the
// others, or appends a field when there is none.
func (h *Header) Set(name, value string) { h.set(lookupHeader(name), name, value) }

// set is Set for a name whose id is known.
func (h *Header) set(id hdr, name, value string) {
	i := h.indexOf(id, name)
	if i < 0 {
		h.fields = append(h.fields, h.newField(id, name, value))
		return
	}
	h.setStr(&h.fields[i].value, value)
	h.delFrom(i+1, id, name)
}

// SetAt replaces the value of the field at position i, 0 <= i < h.Len(),
// keeping its name and position.
func (h *Header) SetAt(i int, value string) {
	h.setStr(&h.fields[i].value, value)
}

// Del removes every field named name and returns how many it removed.
func (h *Header) Del(name string) int { return h.delFrom(0, lookupHeader(name), name) }

// DeleteFunc removes every field for which del returns true, keeping the
// others in order, and returns how many it removed.
func (h *Header) DeleteFunc(del func(name, value string) bool) int {
	n := len(h.fields)
	h.fields = slices.DeleteFunc(h.fields, func(f field) bool {
		return del(h.name(&f), h.str(f.value))
	})
	return n - len(h.fields)
}

// delFrom removes the fields from start on that are named name, whose id
// is id.
func (h *Header) delFrom(start int, id hdr, name string) int {
	s := h.fields
	j := start
	for j < len(s) && !h.same(&s[j], id, name) {
		j++
	}
	if j == len(s) {
		return 0
	}
	for i := j + 1; i < len(s); i++ {
		if h.same(&s[i], id, name) {
			continue
		}
		s[j] = s[i]
		j++
	}
	n := len(s) - j
	h.fields = s[:j]
	return n
}

// PopValue removes the first value of the header named name and returns
// it: the first comma-separated element of the first field for a list
// header, the whole first field otherwise. The field is removed when no
// value is left in it. It is how a proxy removes the top Route value (RFC
// 3261 16.4) and how a response loses its top Via (RFC 3261 16.7 step 3).
func (h *Header) PopValue(name string) (string, bool) {
	id := lookupHeader(name)
	i := h.indexOf(id, name)
	if i < 0 {
		return "", false
	}
	f := &h.fields[i]
	val := h.str(f.value)
	if isListHeader(id) {
		v, rest, more, ok := nextValue(val)
		if ok && more {
			if rest = trimWS(rest); rest != "" {
				if !f.value.inStrs() && strings.HasSuffix(val, rest) {
					// The rest is the tail of the value in src.
					end := f.value.end()
					f.value = srcSpan(end-len(rest), end)
				} else {
					h.setStr(&f.value, rest)
				}
				return v, true
			}
		}
		if ok {
			val = v
		}
	}
	h.fields = slices.Delete(h.fields, i, i+1)
	return val, true
}

// Clone returns a copy of h that shares no memory that a [Header] method
// can modify. Field strings are immutable and shared.
func (h Header) Clone() Header {
	c := Header{src: h.src}
	if h.fields != nil {
		c.fields = make([]field, len(h.fields), len(h.fields)+headerSpare)
		copy(c.fields, h.fields)
	}
	if h.strs != nil {
		c.strs = slices.Clone(h.strs)
	}
	return c
}

// copyField appends field i of src to h. A field whose text is in the
// message that both headers were parsed from keeps pointing into it.
func (h *Header) copyField(src *Header, i int) {
	f := src.fields[i]
	if h.src == "" {
		// No field of h is in a src yet.
		h.src = src.src
	}
	shared := len(h.src) == len(src.src) && unsafe.StringData(h.src) == unsafe.StringData(src.src)
	if f.name >= nameSrc && (f.name >= nameStrs || !shared) {
		f.name = h.putName(src.name(&f))
	}
	if f.value.inStrs() || !shared {
		f.value = h.putStr(src.str(f.value))
	}
	h.fields = append(h.fields, f)
}

// AppendTo appends the header fields in canonical form, one
// "Name: value\r\n" line per field, to b. It does not write Content-Length
// (see [Request.AppendTo]). CR and LF inside values are written as SP so
// that a value can never start a new header line.
func (h Header) AppendTo(b []byte) []byte {
	for i := range h.fields {
		f := &h.fields[i]
		b = appendField(b, h.name(f), h.str(f.value))
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
	i := h.indexOf(id, "")
	if i < 0 {
		return "", false
	}
	v := h.str(h.fields[i].value)
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
	h.prepend(hVia, "", v.String())
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
	for i := range h.fields {
		if h.fields[i].id() != id {
			continue
		}
		ok := eachValue(h.str(h.fields[i].value), func(s string) bool {
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
	i := h.indexOf(hCSeq, "")
	if i < 0 {
		return CSeq{}, missing("CSeq")
	}
	return ParseCSeq(h.str(h.fields[i].value))
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
	h.set(hMaxForwards, "", strconv.Itoa(n))
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
