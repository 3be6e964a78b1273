package sipstack

// The parser as it was before the fast path of headers (commit 702cfdb),
// kept as the reference that the differential test compares ParseMessage
// with: the two must accept and reject the same messages, with the same
// errors and the same parsed fields. It builds fields in the current
// representation (the reference is for the parsing logic, not for the
// layout of a field).

import (
	"strings"
	"time"
	"unsafe"

	"github.com/sipsim/sipsim/sipstack/uri"
)

// parse parses a message. With stream set, data is exactly one message as
// cut by a Framer, and Content-Length must be present.
func refParse(data []byte, stream bool) (Message, error) {
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
	p := refParser{head: d}
	var stack [48]field
	refs, bodyStart, err := p.refHeaders(sl+1, stack[:0])
	if err != nil {
		// A bad start line is reported before a bad header line.
		if _, _, serr := refParseStartLine(d[:sl-1]); serr != nil {
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

	req, resp, err := refParseStartLine(s[:sl-1])
	if err != nil {
		return nil, err
	}
	h := Header{src: s, fields: fields, strs: p.unfolded}
	if req != nil {
		req.Header = h
	} else {
		resp.Header = h
	}

	// Mandatory headers, RFC 3261 8.1.1.
	for _, id := range [...]hdr{hTo, hFrom, hCSeq, hCallID, hVia} {
		if p.count[id] == 0 {
			return nil, newError(ErrMissingHeader, 0, headerTable[id].name, "mandatory header is missing")
		}
	}
	if req != nil && p.cseq.Method != req.Method {
		e := newError(ErrCSeqMethod, p.cseqLine, "CSeq",
			"method "+quote(p.cseq.Method)+" differs from request method "+quote(req.Method))
		if !isKnownMethod(req.Method) {
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
	if req != nil {
		req.Body = body
		return req, nil
	}
	resp.Body = body
	return resp, nil
}

// parseStartLine parses a Request-Line or a Status-Line into a new
// Request or Response.
func refParseStartLine(start string) (*Request, *Response, error) {
	if isStatusLine(start) {
		resp := &Response{}
		if err := refParseStatusLine(start, resp); err != nil {
			return nil, nil, err
		}
		return nil, resp, nil
	}
	req := &Request{}
	if err := refParseRequestLine(start, req); err != nil {
		return nil, nil, err
	}
	return req, nil, nil
}

// headers parses header lines from p.head[i:] into h, up to the empty
// line that ends the header section, and returns the index of the body.
func (p *refParser) refHeaders(i int, h []field) ([]field, int, error) {
	s := p.head
	line := 1
	for {
		if i >= len(s) {
			return nil, 0, newError(ErrIncomplete, 0, "", "no empty line after the header section")
		}
		line++
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			// Every CR of the header section must end a line: one
			// per physical line, start line and empty line included.
			if strings.Count(s[:i+2], "\r") != line {
				return nil, 0, newError(ErrHeaderSyntax, 0, "", "CR not followed by LF in the header section")
			}
			return h, i + 2, nil
		}
		startLine := line
		// Find the end of the logical line: a LF not followed by SP or
		// HTAB.
		e := strings.IndexByte(s[i:], '\n')
		if e < 0 {
			return nil, 0, newError(ErrIncomplete, 0, "", "no empty line after the header section")
		}
		e += i
		folded := false
		for e+1 < len(s) && isWS(s[e+1]) {
			folded = true
			line++
			f := strings.IndexByte(s[e+1:], '\n')
			if f < 0 {
				return nil, 0, newError(ErrIncomplete, 0, "", "no empty line after the header section")
			}
			e += f + 1
		}
		if e-i > MaxLineLength {
			return nil, 0, newError(ErrTooLarge, startLine, "", "header line longer than 8192 octets")
		}
		if e <= i+1 || s[e-1] != '\r' {
			return nil, 0, newError(ErrHeaderSyntax, startLine, "", "line not terminated by CRLF")
		}
		raw := s[i : e-1] // without the final CRLF
		i0 := i
		i = e + 1
		if isWS(raw[0]) {
			return nil, 0, newError(ErrHeaderSyntax, startLine, "", "continuation line without a header to continue")
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
			return nil, 0, newError(ErrHeaderSyntax, startLine, "", "header line is not \"token: value\"")
		}
		ref := field{name: srcName(i0, len(name))}
		var value string
		if folded {
			v, ok := unfold(raw[k+1:])
			if !ok {
				return nil, 0, newError(ErrHeaderSyntax, startLine, "", "CR or LF inside a header line")
			}
			value = v
			ref.value = inStrs | span(len(p.unfolded))
			p.unfolded = append(p.unfolded, v)
		} else {
			j, e := k+1, len(raw)
			for j < e && isWS(raw[j]) {
				j++
			}
			for e > j && isWS(raw[e-1]) {
				e--
			}
			value = raw[j:e]
			ref.value = srcSpan(i0+j, i0+e)
		}
		if len(h) == MaxHeaderCount {
			return nil, 0, newError(ErrTooLarge, startLine, "", "more than 256 header fields")
		}
		// lookupHeader, with its common case inline: a long name
		// written in canonical case.
		var id hdr
		if len(name) > 1 {
			if c := headerByHash[headerHash(name)]; c != hUnknown && name == headerTable[c].name {
				id = c
			} else {
				id = lookupHeader(name)
			}
		} else {
			id = lookupHeader(name)
		}
		if id != hUnknown {
			ref.name = fname(id)
			if p.count[id] < 255 {
				p.count[id]++
			}
			if err := p.refCheck(id, value, startLine); err != nil {
				return nil, 0, err
			}
		}
		h = append(h, ref)
	}
}

// check validates the value of a known header as soon as it is read.
func (p *refParser) refCheck(id hdr, v string, line int) error {
	name := headerTable[id].name
	if headerTable[id].kind&kSingle != 0 && p.count[id] > 1 {
		if id == hContentLength {
			return newError(ErrContentLength, line, name, "more than one Content-Length")
		}
		return newError(ErrDuplicateHeader, line, name, "header occurs more than once")
	}
	bad := func(msg string) error { return newError(ErrHeaderSyntax, line, name, msg) }
	switch id {
	case hVia:
		return listCheck(v, line, name, func(s string, i int) (int, string) {
			_, end, msg := parseViaAt(s, i)
			return end, msg
		})
	case hContact:
		if v == "*" {
			return nil
		}
		return listCheck(v, line, name, checkAddress)
	case hRoute, hRecordRoute:
		return listCheck(v, line, name, checkAddress)
	case hFrom, hTo:
		end, msg := checkAddress(v, 0)
		if msg != "" {
			return bad(msg)
		}
		if end != len(v) {
			return newError(ErrDuplicateHeader, line, name, "header has more than one value")
		}
	case hCSeq:
		c, msg := parseCSeq(v)
		if msg != "" {
			return bad(msg)
		}
		p.cseq, p.cseqLine = c, line
	case hCallID:
		if msg := checkCallID(v); msg != "" {
			return bad(msg)
		}
	case hMaxForwards:
		if _, ok := parseUint(v, 255); !ok {
			return bad("value is not 0 to 255")
		}
	case hContentLength:
		n, ok := parseUint(v, MaxMessageSize)
		if !ok {
			return newError(ErrContentLength, line, name, "value is not a number of octets up to 65535")
		}
		p.contentLength, p.clLine = int(n), line
	case hExpires:
		if _, ok := parseUint(v, 1<<32-1); !ok {
			return bad("value is not 0 to 2**32-1 seconds")
		}
	case hDate:
		// RFC 3261 20.17: rfc1123-date, and only GMT.
		if _, err := time.Parse("Mon, 02 Jan 2006 15:04:05 GMT", v); err != nil {
			return bad("not an RFC 1123 date in GMT")
		}
	}
	return nil
}

// parseStatusLine parses Status-Line = SIP-Version SP Status-Code SP
// Reason-Phrase (RFC 3261 7.2).
func refParseStatusLine(s string, r *Response) error {
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
	r.StatusCode, r.Reason = n, reason
	return nil
}

// parseRequestLine parses Request-Line = Method SP Request-URI SP
// SIP-Version (RFC 3261 7.1): exactly one SP between the elements, none
// at the end (RFC 4475 3.1.2.9, 3.1.2.10).
func refParseRequestLine(s string, r *Request) error {
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
	if hasCtlOrSP(target) {
		return newError(ErrRequestURI, 1, "", "white space or control character in Request-URI")
	}
	u, err := uri.Parse(target)
	if err != nil {
		return newError(ErrRequestURI, 1, "", err.Error())
	}
	if u.Headers != "" {
		return newError(ErrRequestURI, 1, "", "Request-URI carries headers (RFC 3261 19.1.1)")
	}
	r.Method, r.RequestURI = method, u
	return nil
}

// parser holds the state of one header-section parse.
type refParser struct {
	head          string
	unfolded      []string
	count         [hCount]uint8
	cseq          CSeq
	cseqLine      int
	contentLength int
	clLine        int
}

// listCheck validates each value of the comma-separated list v with f,
// which parses one value starting at s[i] and returns the index of the
// comma or end after it, or an error message. Empty values are errors (RFC
// 4475 3.1.2.1).
func listCheck(v string, line int, name string, f func(s string, i int) (int, string)) error {
	i := 0
	for {
		j := skipWS(v, i)
		if j == len(v) || v[j] == ',' {
			return newError(ErrHeaderSyntax, line, name, "empty value in comma-separated list")
		}
		end, msg := f(v, j)
		if msg != "" {
			return newError(ErrHeaderSyntax, line, name, msg)
		}
		if end >= len(v) {
			return nil
		}
		i = end + 1
	}
}
