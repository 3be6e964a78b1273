package sipstack

import (
	"strconv"

	"github.com/sipsim/sipsim/sipstack/uri"
)

// SIP methods of RFC 3261 and its common extensions. Methods are
// case-sensitive tokens (RFC 3261 7.1); any token is a valid method.
const (
	INVITE    = "INVITE"
	ACK       = "ACK"
	BYE       = "BYE"
	CANCEL    = "CANCEL"
	OPTIONS   = "OPTIONS"
	REGISTER  = "REGISTER"
	PRACK     = "PRACK"     // RFC 3262
	SUBSCRIBE = "SUBSCRIBE" // RFC 6665
	NOTIFY    = "NOTIFY"    // RFC 6665
	PUBLISH   = "PUBLISH"   // RFC 3903
	INFO      = "INFO"      // RFC 6086
	REFER     = "REFER"     // RFC 3515
	MESSAGE   = "MESSAGE"   // RFC 3428
	UPDATE    = "UPDATE"    // RFC 3311
)

// isKnownMethod reports whether m is one of the methods above.
func isKnownMethod(m string) bool {
	switch m {
	case INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, PRACK, SUBSCRIBE,
		NOTIFY, PUBLISH, INFO, REFER, MESSAGE, UPDATE:
		return true
	}
	return false
}

// Version is the only SIP-Version this package speaks (RFC 3261 7.1).
const Version = "SIP/2.0"

// A Message is a SIP request or response: a [*Request] or a [*Response].
// [ParseMessage] returns one; a type switch tells which.
type Message interface {
	// Headers returns the message's header fields, for reading and
	// for changing in place.
	Headers() *Header
	// Content returns the message body.
	Content() []byte
	// SetBody sets the body and its Content-Type (see [Request.SetBody]).
	SetBody(contentType string, body []byte)
	// AppendTo appends the message in canonical wire form to b.
	AppendTo(b []byte) []byte
	// String returns the message in canonical wire form.
	String() string

	sipMessage()
}

// A Request represents a SIP request (RFC 3261 7.1), either received and
// parsed by [ParseMessage] or [Framer], or built by a client or proxy to
// be sent with [Request.AppendTo].
//
// A parsed Request has passed the checks of [ParseMessage]: its start
// line, its mandatory headers and the scalar values that framing and
// transactions rely on are well-formed. Changing the fields afterwards is
// allowed and is how a proxy forwards a request (RFC 3261 16.6); nothing
// re-validates them.
//
// A Request holds no reference to the bytes it was parsed from, so the
// caller may reuse its buffer at once.
type Request struct {
	// Method is the request method, such as "INVITE" (see [INVITE] and
	// the other constants). It is case-sensitive.
	Method string

	// RequestURI is the Request-URI, the user or service addressed
	// (RFC 3261 8.1.1.1). It may have any scheme; elements answer 416
	// to schemes they do not support (RFC 3261 8.2.2.1).
	RequestURI uri.URI

	// Header holds the header fields in order.
	Header Header

	// Body is the message body, nil if there is none. When serialized,
	// Content-Length is always len(Body).
	Body []byte
}

// A Response represents a SIP response (RFC 3261 7.2), received and
// parsed by [ParseMessage] or [Framer], or built by a server with
// [NewResponse].
//
// As for [Request], a parsed Response has a well-formed status line and
// mandatory headers, and holds no reference to the parsed bytes.
type Response struct {
	// StatusCode is the status code, 100 to 699 (RFC 3261 21).
	StatusCode int

	// Reason is the reason phrase, possibly empty (RFC 4475 3.1.1.13)
	// and possibly UTF-8 (RFC 4475 3.1.1.12).
	Reason string

	// Header holds the header fields in order.
	Header Header

	// Body is the message body, nil if there is none.
	Body []byte
}

func (*Request) sipMessage()  {}
func (*Response) sipMessage() {}

// Headers returns &r.Header.
func (r *Request) Headers() *Header { return &r.Header }

// Headers returns &r.Header.
func (r *Response) Headers() *Header { return &r.Header }

// Content returns r.Body.
func (r *Request) Content() []byte { return r.Body }

// Content returns r.Body.
func (r *Response) Content() []byte { return r.Body }

// NewRequest returns a request with the given method and Request-URI and
// an empty header. The caller adds Via, From, To, Call-ID, CSeq and
// Max-Forwards (RFC 3261 8.1.1), then perhaps a body with
// [Request.SetBody].
func NewRequest(method string, requestURI uri.URI) *Request {
	return &Request{Method: method, RequestURI: requestURI,
		Header: Header{fields: make([]field, 0, 10), strs: make([]string, 0, 10)}}
}

// NewResponse returns a response to req with the given status code and
// reason phrase (the standard phrase of [StatusText] when reason is ""). It
// copies the Via, From, To, Call-ID and CSeq fields of the request, in
// order, as RFC 3261 8.2.6.2 requires; the UAS adds a To tag where needed.
// The Record-Route fields are copied into responses that can establish a
// dialog, 101-299 to an INVITE (RFC 3261 12.1.1).
func NewResponse(req *Request, code int, reason string) *Response {
	if reason == "" {
		reason = StatusText(code)
	}
	resp := &Response{StatusCode: code, Reason: reason, Header: Header{fields: make([]field, 0, 8)}}
	copyRR := req.Method == INVITE && code > 100 && code < 300
	for i := range req.Header.fields {
		switch req.Header.fields[i].id() {
		case hVia, hFrom, hTo, hCallID, hCSeq:
			resp.Header.copyField(&req.Header, i)
		case hRecordRoute:
			if copyRR {
				resp.Header.copyField(&req.Header, i)
			}
		}
	}
	return resp
}

// SetBody sets the body and the Content-Type header; an empty contentType
// removes Content-Type. Content-Length follows the body when serialized.
// The body is not copied.
func (r *Request) SetBody(contentType string, body []byte) {
	setBody(&r.Header, &r.Body, contentType, body)
}

// SetBody sets the body and the Content-Type header, like
// [Request.SetBody].
func (r *Response) SetBody(contentType string, body []byte) {
	setBody(&r.Header, &r.Body, contentType, body)
}

func setBody(h *Header, dst *[]byte, contentType string, body []byte) {
	*dst = body
	if contentType == "" {
		h.Del("Content-Type")
	} else {
		h.Set("Content-Type", contentType)
	}
}

// Clone returns a deep copy of r: changing the copy's fields, header or
// body never changes r.
func (r *Request) Clone() *Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = cloneBytes(r.Body)
	return &c
}

// Clone returns a deep copy of r.
func (r *Response) Clone() *Response {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = cloneBytes(r.Body)
	return &c
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// AppendTo appends the request in canonical wire form to b and returns
// the extended buffer. It does no I/O and, given a buffer with room
// enough, does not allocate.
//
// The canonical form is the Request-Line, then one line per header field
// in order with the long header name, then Content-Length set to
// len(r.Body) (at the place of the first Content-Length field, or last if
// there was none; other Content-Length fields are dropped), an empty line
// and the body (RFC 3261 7).
func (r *Request) AppendTo(b []byte) []byte {
	b = append(b, r.Method...)
	b = append(b, ' ')
	b = r.RequestURI.AppendTo(b)
	b = append(b, " SIP/2.0\r\n"...)
	return appendRest(b, r.Header, r.Body)
}

// AppendTo appends the response in canonical wire form to b, like
// [Request.AppendTo].
func (r *Response) AppendTo(b []byte) []byte {
	b = append(b, "SIP/2.0 "...)
	b = strconv.AppendInt(b, int64(r.StatusCode), 10)
	b = append(b, ' ')
	for i := 0; i < len(r.Reason); i++ {
		c := r.Reason[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	b = append(b, '\r', '\n')
	return appendRest(b, r.Header, r.Body)
}

func appendRest(b []byte, h Header, body []byte) []byte {
	wrote := false
	for i := range h.fields {
		f := &h.fields[i]
		if f.id() == hContentLength {
			if !wrote {
				b = appendContentLength(b, len(body))
				wrote = true
			}
			continue
		}
		b = appendField(b, h.name(f), h.str(f.value))
	}
	if !wrote {
		b = appendContentLength(b, len(body))
	}
	b = append(b, '\r', '\n')
	return append(b, body...)
}

func appendContentLength(b []byte, n int) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, '\r', '\n')
}

// String returns the request in canonical wire form.
func (r *Request) String() string { return ownedString(r.AppendTo(nil)) }

// String returns the response in canonical wire form.
func (r *Response) String() string { return ownedString(r.AppendTo(nil)) }

// StatusText returns the reason phrase of RFC 3261 21 (and of common
// extensions) for a status code, or "" if the code is unknown.
func StatusText(code int) string {
	switch code {
	case 100:
		return "Trying"
	case 180:
		return "Ringing"
	case 181:
		return "Call Is Being Forwarded"
	case 182:
		return "Queued"
	case 183:
		return "Session Progress"
	case 200:
		return "OK"
	case 202:
		return "Accepted"
	case 300:
		return "Multiple Choices"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Moved Temporarily"
	case 305:
		return "Use Proxy"
	case 380:
		return "Alternative Service"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 402:
		return "Payment Required"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 407:
		return "Proxy Authentication Required"
	case 408:
		return "Request Timeout"
	case 410:
		return "Gone"
	case 413:
		return "Request Entity Too Large"
	case 414:
		return "Request-URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Unsupported URI Scheme"
	case 420:
		return "Bad Extension"
	case 421:
		return "Extension Required"
	case 423:
		return "Interval Too Brief"
	case 480:
		return "Temporarily Unavailable"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 482:
		return "Loop Detected"
	case 483:
		return "Too Many Hops"
	case 484:
		return "Address Incomplete"
	case 485:
		return "Ambiguous"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 491:
		return "Request Pending"
	case 493:
		return "Undecipherable"
	case 500:
		return "Server Internal Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Server Time-out"
	case 505:
		return "Version Not Supported"
	case 513:
		return "Message Too Large"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	case 604:
		return "Does Not Exist Anywhere"
	case 606:
		return "Not Acceptable"
	}
	return ""
}
