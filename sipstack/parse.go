package sipstack

import (
	"strings"
	"time"
	"unsafe"

	"github.com/sipsim/sipsim/sipstack/uri"
)

// Limits on what the parser accepts. A message beyond any of them is
// rejected with an error wrapping [ErrTooLarge]; the parser's work and
// memory are bounded by them for any input.
const (
	// MaxMessageSize is the largest message, header and body, in octets:
	// the largest UDP payload. RFC 3261 18.1.1 sends messages above 1300
	// octets over a congestion-controlled transport, so real messages are
	// far smaller.
	MaxMessageSize = 65535

	// MaxHeaderCount is the largest number of header fields (lines not
	// counting continuation lines).
	MaxHeaderCount = 256

	// MaxLineLength is the longest start line or header field in octets,
	// continuation lines included.
	MaxLineLength = 8192
)

// headerSpare is the spare capacity of a parsed Header, so that a proxy
// can prepend Via and Record-Route fields without reallocating.
const headerSpare = 2

// ParseMessage parses one SIP message from a datagram, following the
// rules of RFC 3261 18.3 for message-oriented transports such as UDP:
//
//   - With Content-Length, the body is that many octets after the empty
//     line; octets beyond it are ignored (RFC 4475 3.1.1.8), and a
//     Content-Length larger than what is present is an error wrapping
//     [ErrContentLength] (RFC 4475 3.1.2.2).
//   - Without Content-Length, the body is the rest of the datagram
//     (RFC 4475 3.4.1).
//
// Use a [Framer] for stream transports, where Content-Length is required.
//
// The start line must be a Request-Line or Status-Line with SIP-Version
// SIP/2.0 (a different version wraps [ErrVersion], RFC 3261 8.2.2). Header
// names are case-insensitive and may be compact (RFC 3261 7.3.3); values
// may be folded over several lines (RFC 3261 7.3.1). The message must carry
// To, From, CSeq, Call-ID and Via, each single-valued header at most once,
// and a request's CSeq method must equal its method (RFC 3261 8.1.1,
// 8.2.2). Max-Forwards is optional so that RFC 2543 requests are accepted
// (RFC 4475 3.4.1). The values of Via, From, To, Contact, Route,
// Record-Route, CSeq, Call-ID, Max-Forwards, Content-Length, Expires and
// Date are checked against the RFC 3261 section 25 grammar; other headers
// are kept as they are and checked only when read with a typed accessor.
//
// The error is a [*ParseError] naming the line and header at fault and the
// status code with which to answer a bad request. ParseMessage never
// panics, and never keeps a reference to data.
func ParseMessage(data []byte) (Message, error) {
	if len(data) > MaxMessageSize {
		return nil, newError(ErrTooLarge, 0, "", "message larger than 65535 octets")
	}
	return parse(data, false)
}

// ParseRequest parses a datagram like [ParseMessage] and requires it to
// be a request.
func ParseRequest(data []byte) (*Request, error) {
	m, err := ParseMessage(data)
	if err != nil {
		return nil, err
	}
	r, ok := m.(*Request)
	if !ok {
		return nil, newError(ErrStartLine, 1, "", "message is a response, want a request")
	}
	return r, nil
}

// ParseResponse parses a datagram like [ParseMessage] and requires it to
// be a response.
func ParseResponse(data []byte) (*Response, error) {
	m, err := ParseMessage(data)
	if err != nil {
		return nil, err
	}
	r, ok := m.(*Response)
	if !ok {
		return nil, newError(ErrStartLine, 1, "", "message is a request, want a response")
	}
	return r, nil
}

// parse parses a message. With stream set, data is exactly one message as
// cut by a Framer, and Content-Length must be present.
func parse(data []byte, stream bool) (Message, error) {
	if len(data) == 0 {
		return nil, newError(ErrIncomplete, 0, "", "empty message")
	}
	// The header section is parsed in place first: fields are noted as
	// offsets, which hold for the copy as well, and the checks keep no
	// string of data (d is only a view, never stored). Fields are noted
	// in a small array on the stack, without write barriers.
	d := unsafe.String(unsafe.SliceData(data), len(data))
	sl := strings.IndexByte(d, '\n')
	if sl < 0 {
		return nil, newError(ErrIncomplete, 0, "", "no line end after the start line")
	}
	if sl < 1 || d[sl-1] != '\r' {
		return nil, newError(ErrStartLine, 1, "", "start line not terminated by CRLF")
	}
	if sl-1 > MaxLineLength {
		return nil, newError(ErrTooLarge, 1, "", "start line longer than 8192 octets")
	}
	p := parser{head: d}
	var stack [48]field
	refs, bodyStart, err := p.headers(sl+1, stack[:0])
	if err != nil {
		// A bad start line is reported before a bad header line.
		var st startLine
		if serr := parseStartLine(d[:sl-1], &st); serr != nil {
			return nil, serr
		}
		return nil, err
	}

	// The one copy of the message, with the fields after it: one
	// allocation that the GC does not scan (fields hold no pointers).
	// Header strings and the start line's strings point into the message
	// part, which is never written after this copy; the body is a slice
	// of its tail whose capacity ends where the body ends, so that
	// writing to the body (or appending to it) can never change the bytes
	// under the strings. The fields part is the Header's own, with room
	// for a proxy's Via and Record-Route; growing it beyond that moves
	// the fields to an ordinary slice.
	const fieldSize = int(unsafe.Sizeof(field{}))
	off := (len(data) + fieldAlign - 1) &^ (fieldAlign - 1)
	nf := len(refs) + headerSpare
	mem := make([]byte, off+nf*fieldSize)
	buf := mem[:len(data):len(data)]
	copy(buf, data)
	s := unsafe.String(unsafe.SliceData(buf), len(buf))
	fields := unsafe.Slice((*field)(unsafe.Pointer(&mem[off])), nf)[:len(refs)]
	copy(fields, refs)

	var st startLine
	if err := parseStartLine(s[:sl-1], &st); err != nil {
		return nil, err
	}

	// Mandatory headers, RFC 3261 8.1.1.
	for _, id := range [...]hdr{hTo, hFrom, hCSeq, hCallID, hVia} {
		if p.count[id] == 0 {
			return nil, newError(ErrMissingHeader, 0, headerTable[id].name, "mandatory header is missing")
		}
	}
	if !st.status && p.cseq.Method != st.method {
		e := newError(ErrCSeqMethod, p.cseqLine, "CSeq",
			"method "+quote(p.cseq.Method)+" differs from request method "+quote(st.method))
		if !isKnownMethod(st.method) {
			e.Status = 501
		}
		return nil, e
	}

	// Body, RFC 3261 18.3.
	avail := len(buf) - bodyStart
	n := avail
	switch {
	case p.count[hContentLength] > 0:
		if p.contentLength > avail {
			return nil, newError(ErrContentLength, p.clLine, "Content-Length",
				"value exceeds the "+itoa(avail)+" octets after the header section")
		}
		n = p.contentLength
	case stream:
		return nil, newError(ErrContentLength, 0, "Content-Length", "header is required on stream transports")
	}
	var body []byte
	if n > 0 {
		body = buf[bodyStart : bodyStart+n : bodyStart+n]
	}
	// The message is built in one composite literal, so that its fields
	// are written without write barriers.
	h := Header{src: s, fields: fields, strs: p.unfolded}
	if !st.status {
		return &Request{Method: st.method, RequestURI: st.uri, Header: h, Body: body}, nil
	}
	return &Response{StatusCode: st.code, Reason: st.reason, Header: h, Body: body}, nil
}

// fieldAlign is the alignment of a field, whose array follows the
// message copy in the same allocation.
const fieldAlign = int(unsafe.Alignof(field{}))

// A startLine holds what a Request-Line or a Status-Line says.
type startLine struct {
	status bool // a Status-Line: code and reason are set, not method and uri
	method string
	uri    uri.URI
	code   int
	reason string
}

// parseStartLine parses a Request-Line or a Status-Line into *st.
func parseStartLine(start string, st *startLine) error {
	if isStatusLine(start) {
		st.status = true
		return parseStatusLine(start, st)
	}
	return parseRequestLine(start, st)
}

// parser holds the state of one header-section parse.
type parser struct {
	head          string
	unfolded      []string
	count         [hCount]uint8
	cseq          CSeq
	cseqLine      int
	contentLength int
	clLine        int
}

// headers parses header lines from p.head[i:] into h, up to the empty
// line that ends the header section, and returns the index of the body.
//
// Each line is first tried on a fast path that takes the way nearly every
// header line is written: a token name directly followed by ':', one line
// ended by CRLF, not folded, within MaxLineLength. Anything else (the empty
// line, folding, a bare LF, white space before the colon, a long line, an
// error) goes through the general path from the line's start, so errors
// and their order are those of the general path.
func (p *parser) headers(i int, h []field) ([]field, int, error) {
	s := p.head
	line := 1
	for {
		if i >= len(s) {
			return nil, 0, newError(ErrIncomplete, 0, "", "no empty line after the header section")
		}
		line++
		startLine := line
		var ref field
		var value string
		var id hdr
		// Fast path.
		k := i
		for k < len(s) && charClass[s[k]]&cToken != 0 {
			k++
		}
		fast := false
		if k > i && k < len(s) && s[k] == ':' {
			j := k + 1
			for j < len(s) && isWS(s[j]) {
				j++
			}
			if e := strings.IndexByte(s[j:], '\n'); e > 0 {
				e += j
				// e > j, so s[e-1] is within the value; a CR there
				// ends the line, which is at most MaxLineLength.
				if s[e-1] == '\r' && e-i <= MaxLineLength && (e+1 >= len(s) || !isWS(s[e+1])) {
					v := e - 1
					for v > j && isWS(s[v-1]) {
						v--
					}
					value = s[j:v]
					ref = field{name: srcName(i, k-i), value: srcSpan(j, v)}
					id = lookupAt(s, i, k-i)
					i = e + 1
					fast = true
				}
			}
		}
		if !fast {
			var err error
			var done bool
			ref, value, id, i, line, done, err = p.slowLine(i, line)
			if err != nil {
				return nil, 0, err
			}
			if done {
				return h, i, nil
			}
		}
		if len(h) == MaxHeaderCount {
			return nil, 0, newError(ErrTooLarge, startLine, "", "more than 256 header fields")
		}
		if id != hUnknown {
			ref.name = fname(id)
			if p.count[id] < 255 {
				p.count[id]++
			}
			if headerCheck[id] {
				if err := p.check(id, value, startLine); err != nil {
					return nil, 0, err
				}
			}
		}
		h = append(h, ref)
	}
}

// headerCheck marks the headers that [parser.check] has work for: the
// single-valued ones (a second field is an error) and those whose values
// it checks. It is read-only after initialization.
var headerCheck = func() (t [hCount]bool) {
	for id := range t {
		t[id] = headerTable[id].kind&kSingle != 0
	}
	for _, id := range [...]hdr{hVia, hContact, hRoute, hRecordRoute, hFrom, hTo, hCSeq,
		hCallID, hMaxForwards, hContentLength, hExpires, hDate} {
		t[id] = true
	}
	t[hUnknown] = false
	return t
}()

// slowLine is the general path of headers for the line that starts at
// s[i], the line-th line of the message. It returns the field, its value
// and header id, the index of the next line and the line number of the
// last physical line read; done reports the empty line that ends the
// header section, with next the index of the body.
func (p *parser) slowLine(i, line int) (ref field, value string, id hdr, next, lastLine int, done bool, err error) {
	s := p.head
	fail := func(err error) (field, string, hdr, int, int, bool, error) {
		return field{}, "", 0, 0, 0, false, err
	}
	if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
		// Every CR of the header section must end a line: one
		// per physical line, start line and empty line included.
		if strings.Count(s[:i+2], "\r") != line {
			return fail(newError(ErrHeaderSyntax, 0, "", "CR not followed by LF in the header section"))
		}
		return field{}, "", 0, i + 2, line, true, nil
	}
	startLine := line
	// Find the end of the logical line: a LF not followed by SP or
	// HTAB.
	e := strings.IndexByte(s[i:], '\n')
	if e < 0 {
		return fail(newError(ErrIncomplete, 0, "", "no empty line after the header section"))
	}
	e += i
	folded := false
	for e+1 < len(s) && isWS(s[e+1]) {
		folded = true
		line++
		f := strings.IndexByte(s[e+1:], '\n')
		if f < 0 {
			return fail(newError(ErrIncomplete, 0, "", "no empty line after the header section"))
		}
		e += f + 1
	}
	if e-i > MaxLineLength {
		return fail(newError(ErrTooLarge, startLine, "", "header line longer than 8192 octets"))
	}
	if e <= i+1 || s[e-1] != '\r' {
		return fail(newError(ErrHeaderSyntax, startLine, "", "line not terminated by CRLF"))
	}
	raw := s[i : e-1] // without the final CRLF
	i0 := i
	if isWS(raw[0]) {
		return fail(newError(ErrHeaderSyntax, startLine, "", "continuation line without a header to continue"))
	}
	// header-name HCOLON: a token, optional SP/HTAB, then ':'.
	k := 0
	for k < len(raw) && isTokenChar(raw[k]) {
		k++
	}
	name := raw[:k]
	for k < len(raw) && isWS(raw[k]) {
		k++
	}
	if k == len(raw) || raw[k] != ':' || name == "" {
		return fail(newError(ErrHeaderSyntax, startLine, "", "header line is not \"token: value\""))
	}
	ref = field{name: srcName(i0, len(name))}
	if folded {
		v, ok := unfold(raw[k+1:])
		if !ok {
			return fail(newError(ErrHeaderSyntax, startLine, "", "CR or LF inside a header line"))
		}
		value = v
		ref.value = inStrs | span(len(p.unfolded))
		p.unfolded = append(p.unfolded, v)
	} else {
		j, end := k+1, len(raw)
		for j < end && isWS(raw[j]) {
			j++
		}
		for end > j && isWS(raw[end-1]) {
			end--
		}
		value = raw[j:end]
		ref.value = srcSpan(i0+j, i0+end)
	}
	return ref, value, lookupHeader(name), e + 1, line, false, nil
}

// unfold replaces each line fold (optional WSP, CRLF, WSP) of a header
// value by one SP and trims the value (RFC 3261 7.3.1). ok is false if the
// value holds a CR or LF that is not part of a fold.
func unfold(v string) (string, bool) {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '\r':
			if i+2 >= len(v) || v[i+1] != '\n' || !isWS(v[i+2]) {
				return "", false
			}
			for len(b) > 0 && isWS(b[len(b)-1]) {
				b = b[:len(b)-1]
			}
			b = append(b, ' ')
			i += 2
			for i+1 < len(v) && isWS(v[i+1]) {
				i++
			}
		case '\n':
			return "", false
		default:
			b = append(b, c)
		}
	}
	return trimWS(string(b)), true
}

// check validates the value of a known header as soon as it is read.
func (p *parser) check(id hdr, v string, line int) error {
	if headerTable[id].kind&kSingle != 0 && p.count[id] > 1 {
		if id == hContentLength {
			return newError(ErrContentLength, line, "Content-Length", "more than one Content-Length")
		}
		return newError(ErrDuplicateHeader, line, headerTable[id].name, "header occurs more than once")
	}
	var msg string
	switch id {
	case hVia:
		msg = checkViaList(v)
	case hContact:
		if v != "*" {
			msg = checkAddressList(v)
		}
	case hRoute, hRecordRoute:
		msg = checkAddressList(v)
	case hFrom, hTo:
		var end int
		end, msg = checkAddress(v, 0)
		if msg == "" && end != len(v) {
			return newError(ErrDuplicateHeader, line, headerTable[id].name, "header has more than one value")
		}
	case hCSeq:
		p.cseq, msg = parseCSeq(v)
		p.cseqLine = line
	case hCallID:
		msg = checkCallID(v)
	case hMaxForwards:
		if _, ok := parseUint(v, 255); !ok {
			msg = "value is not 0 to 255"
		}
	case hContentLength:
		n, ok := parseUint(v, MaxMessageSize)
		if !ok {
			return newError(ErrContentLength, line, "Content-Length", "value is not a number of octets up to 65535")
		}
		p.contentLength, p.clLine = int(n), line
	case hExpires:
		if _, ok := parseUint(v, 1<<32-1); !ok {
			msg = "value is not 0 to 2**32-1 seconds"
		}
	case hDate:
		// RFC 3261 20.17: rfc1123-date, and only GMT.
		if _, err := time.Parse("Mon, 02 Jan 2006 15:04:05 GMT", v); err != nil {
			msg = "not an RFC 1123 date in GMT"
		}
	}
	if msg != "" {
		return newError(ErrHeaderSyntax, line, headerTable[id].name, msg)
	}
	return nil
}

// checkAddress checks the structure of the address that starts at s[i]
// (see parseAddressAt) and returns the index of the comma or end after it.
func checkAddress(s string, i int) (int, string) {
	return parseAddressAt(s, i, nil)
}

// checkAddressList checks each address of the comma-separated list v
// and returns what is wrong, or "". Empty values are errors (RFC 4475
// 3.1.2.1).
func checkAddressList(v string) string {
	i := 0
	for {
		j := skipWS(v, i)
		if j == len(v) || v[j] == ',' {
			return "empty value in comma-separated list"
		}
		end, msg := parseAddressAt(v, j, nil)
		if msg != "" {
			return msg
		}
		if end >= len(v) {
			return ""
		}
		i = end + 1
	}
}

// checkViaList checks each via-parm of the comma-separated list v like
// checkAddressList.
func checkViaList(v string) string {
	i := 0
	for {
		j := skipWS(v, i)
		if j == len(v) || v[j] == ',' {
			return "empty value in comma-separated list"
		}
		end, ok := viaFast(v, j)
		if !ok {
			var msg string
			if _, end, msg = parseViaAt(v, j); msg != "" {
				return msg
			}
		}
		if end >= len(v) {
			return ""
		}
		i = end + 1
	}
}

// viaFast checks the via-parm at s[j] when it has the form of nearly
// every Via: "SIP/2.0/", a transport, one SP, a hostname, an optional
// port, parameters of a token name and an optional value of host
// characters, no other white space, no quoted string. It returns the
// index of the comma or end after it; ok false means only that the form
// is not this one, and parseViaAt must decide. Every via-parm it accepts,
// parseViaAt accepts too, with the same end.
func viaFast(s string, i int) (end int, ok bool) {
	const sip20 = 's' | 'i'<<8 | 'p'<<16 | '/'<<24 | '2'<<32 | '.'<<40 | '0'<<48 | '/'<<56
	// c|0x20 is 's', 'i' or 'p' exactly for those letters in either case.
	if len(s)-i < 8 || load64(s[i:])|0x202020 != sip20 {
		return 0, false
	}
	i += 8
	t := i
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == t || i >= len(s) || s[i] != ' ' {
		return 0, false
	}
	i++
	h := i
	if i = spanClass(s, i, cHostname); i == h {
		return 0, false
	}
	if i < len(s) && s[i] == ':' {
		i++
		p, n := i, 0
		for i < len(s) && isDigit(s[i]) && i-p < 5 {
			n = n*10 + int(s[i]-'0')
			i++
		}
		if i == p || n > 65535 || (i < len(s) && isDigit(s[i])) {
			return 0, false
		}
	}
	return paramsFast(s, i)
}

// checkCallID validates callid = word [ "@" word ] (RFC 3261 25.1).
func checkCallID(v string) string {
	if v == "" {
		return "empty Call-ID"
	}
	at := false
	for i := spanClass(v, 0, cWord); i < len(v); i = spanClass(v, i+1, cWord) {
		switch c := v[i]; {
		case c == '@':
			if at || i == 0 || i == len(v)-1 {
				return "Call-ID is not word[@word]"
			}
			at = true
		case c == ',':
			return "Call-ID has more than one value"
		default:
			return "Call-ID holds a character outside word"
		}
	}
	return ""
}

// The word characters of RFC 3261 25.1: a token character or one of
// ( ) < > : \ DQUOTE / [ ] ? { }.
const (
	wordLo uint64 = tokenLo | 1<<'(' | 1<<')' | 1<<'<' | 1<<'>' | 1<<':' | 1<<'"' | 1<<'/' | 1<<'?'
	wordHi uint64 = tokenHi | 1<<('\\'-64) | 1<<('['-64) | 1<<(']'-64) | 1<<('{'-64) | 1<<('}'-64)
)

// isWordChar reports whether c is allowed in an RFC 3261 word.
func isWordChar(c byte) bool { return charClass[c]&cWord != 0 }

// isStatusLine reports whether a start line begins with SIP-Version
// ("SIP/" then a digit, case-insensitive), so it is a Status-Line: a method
// is a token and cannot contain '/'.
func isStatusLine(s string) bool {
	return len(s) > 4 && equalFold(s[:4], "SIP/") && isDigit(s[4])
}

// checkVersion checks SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT and that
// it is 2.0 (RFC 3261 7.1: case-insensitive).
func checkVersion(v string, line int) error {
	if v == Version || equalFold(v, Version) {
		return nil
	}
	ok := len(v) > 4 && equalFold(v[:4], "SIP/")
	if ok {
		dot := strings.IndexByte(v[4:], '.')
		ok = dot > 0 && isDigits(v[4:4+dot]) && isDigits(v[5+dot:])
	}
	if !ok {
		return newError(ErrStartLine, line, "", "malformed SIP-Version "+quote(v))
	}
	return newError(ErrVersion, line, "", "SIP-Version "+quote(v)+" is not SIP/2.0")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseStatusLine parses Status-Line = SIP-Version SP Status-Code SP
// Reason-Phrase (RFC 3261 7.2).
func parseStatusLine(s string, r *startLine) error {
	sp := strings.IndexByte(s, ' ')
	if sp < 0 {
		return newError(ErrStartLine, 1, "", "status line has no status code")
	}
	if err := checkVersion(s[:sp], 1); err != nil {
		return err
	}
	rest := s[sp+1:]
	code, reason := rest, ""
	if sp2 := strings.IndexByte(rest, ' '); sp2 >= 0 {
		code, reason = rest[:sp2], rest[sp2+1:]
	}
	if len(code) != 3 || !isDigits(code) {
		return newError(ErrStatusCode, 1, "", "status code "+quote(code)+" is not three digits")
	}
	n := int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if n < 100 || n > 699 {
		return newError(ErrStatusCode, 1, "", "status code "+code+" is not 100 to 699")
	}
	for i := 0; i < len(reason); i++ {
		if c := reason[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return newError(ErrStartLine, 1, "", "control character in reason phrase")
		}
	}
	r.code, r.reason = n, reason
	return nil
}

// parseRequestLine parses Request-Line = Method SP Request-URI SP
// SIP-Version (RFC 3261 7.1): exactly one SP between the elements, none
// at the end (RFC 4475 3.1.2.9, 3.1.2.10).
func parseRequestLine(s string, r *startLine) error {
	sp := strings.IndexByte(s, ' ')
	last := strings.LastIndexByte(s, ' ')
	if sp < 0 || sp == last {
		return newError(ErrStartLine, 1, "", "request line is not \"Method SP Request-URI SP SIP-Version\"")
	}
	method, target, version := s[:sp], s[sp+1:last], s[last+1:]
	if !isToken(method) {
		return newError(ErrStartLine, 1, "", "method "+quote(method)+" is not a token")
	}
	if version == "" {
		return newError(ErrStartLine, 1, "", "SP after SIP-Version")
	}
	if err := checkVersion(version, 1); err != nil {
		return err
	}
	if target == "" || target[0] == ' ' || target[len(target)-1] == ' ' {
		return newError(ErrStartLine, 1, "", "more than one SP between request line elements")
	}
	if target[0] == '<' {
		return newError(ErrRequestURI, 1, "", "Request-URI enclosed in <>")
	}
	var err error
	if r.uri, err = uri.Parse(target); err != nil {
		// A URI that uri.Parse accepts holds no SP or control
		// character (none of its character classes has one), so
		// this test is needed only to choose the message.
		if hasCtlOrSP(target) {
			return newError(ErrRequestURI, 1, "", "white space or control character in Request-URI")
		}
		return newError(ErrRequestURI, 1, "", err.Error())
	}
	if r.uri.Headers != "" {
		return newError(ErrRequestURI, 1, "", "Request-URI carries headers (RFC 3261 19.1.1)")
	}
	r.method = method
	return nil
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return string(appendQuoted(nil, s))
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
