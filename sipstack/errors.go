package sipstack

import (
	"errors"
	"strconv"
)

// Sentinel errors. A [*ParseError] unwraps to exactly one of them, so callers
// test the class of a failure with [errors.Is] and read the details from the
// ParseError itself.
var (
	// ErrStartLine reports a malformed Request-Line or Status-Line
	// (RFC 3261 7.1, 7.2): wrong number of elements, extra or missing SP,
	// a method that is not a token, a reason phrase with control characters.
	ErrStartLine = errors.New("sipstack: malformed start line")

	// ErrVersion reports a SIP-Version other than SIP/2.0. RFC 3261 8.2.2
	// and RFC 4475 3.1.2.16: a UAS answers such a request with 505 (Version
	// Not Supported).
	ErrVersion = errors.New("sipstack: unsupported SIP version")

	// ErrRequestURI reports a Request-URI that does not parse, is enclosed
	// in "<>", or carries URI headers (RFC 3261 19.1.1 table 1).
	ErrRequestURI = errors.New("sipstack: malformed Request-URI")

	// ErrStatusCode reports a Status-Code outside 100-699 (RFC 3261 7.2, 21).
	ErrStatusCode = errors.New("sipstack: invalid status code")

	// ErrHeaderSyntax reports a header line or header value that does not
	// follow the RFC 3261 section 25 grammar.
	ErrHeaderSyntax = errors.New("sipstack: malformed header")

	// ErrMissingHeader reports that a mandatory header field is absent
	// (RFC 3261 8.1.1: To, From, CSeq, Call-ID and Via).
	ErrMissingHeader = errors.New("sipstack: missing mandatory header")

	// ErrDuplicateHeader reports that a header field which allows a single
	// value occurs more than once (RFC 3261 7.3.1, RFC 4475 3.3.8).
	ErrDuplicateHeader = errors.New("sipstack: header must have a single value")

	// ErrCSeqMethod reports a CSeq method that differs from the request
	// method (RFC 3261 8.1.1.5, RFC 4475 3.1.2.17).
	ErrCSeqMethod = errors.New("sipstack: CSeq method does not match request method")

	// ErrContentLength reports a Content-Length that is malformed, negative,
	// conflicting, or larger than the octets present (RFC 3261 18.3, 20.14).
	ErrContentLength = errors.New("sipstack: bad Content-Length")

	// ErrIncomplete reports a message that ends before its header section
	// (the empty line after the headers is missing) or before its body.
	ErrIncomplete = errors.New("sipstack: incomplete message")

	// ErrTooLarge reports input beyond one of the documented limits:
	// [MaxMessageSize], [MaxHeaderCount] or [MaxLineLength].
	ErrTooLarge = errors.New("sipstack: message exceeds a size limit")
)

// A ParseError describes why a message was rejected. It names the line
// and, for header errors, the header, and says which response an element
// should send back when the message was a request.
//
// ParseError values are returned as *ParseError; Unwrap returns one of the
// sentinel errors of this package (ErrStartLine, ErrHeaderSyntax, ...).
type ParseError struct {
	// Line is the 1-based line number of the offending line in the
	// message (the start line is line 1). A folded header counts as the
	// line on which it starts. Line is 0 when the error concerns the
	// message as a whole (a missing header, framing).
	Line int

	// Header is the canonical name of the header field at fault, or ""
	// when the error is not about one header field.
	Header string

	// Msg says what was wrong, in words, without the line and header.
	Msg string

	// Err is the sentinel error that classifies the failure.
	Err error

	// Status is the response status code that a server should answer a
	// malformed request with: 400 (Bad Request) for syntax errors, 505
	// (Version Not Supported) for [ErrVersion], 513 (Message Too Large)
	// for [ErrTooLarge], 501 (Not Implemented) for a CSeq mismatch on an
	// unknown method (RFC 4475 3.1.2.18). Over a stream transport, a
	// framing error leaves nothing to answer on: the connection is closed
	// (see [Framer]). Malformed
	// responses are discarded, never answered (RFC 3261 18.1.2); for them
	// Status is still filled in, and callers ignore it.
	Status int
}

// Error formats the error as "sipstack: line N: Header: message".
func (e *ParseError) Error() string {
	b := make([]byte, 0, 64+len(e.Msg))
	b = append(b, "sipstack: "...)
	if e.Line > 0 {
		b = append(b, "line "...)
		b = strconv.AppendInt(b, int64(e.Line), 10)
		b = append(b, ": "...)
	}
	if e.Header != "" {
		b = append(b, e.Header...)
		b = append(b, ": "...)
	}
	b = append(b, e.Msg...)
	return string(b)
}

// Unwrap returns the sentinel error that classifies e.
func (e *ParseError) Unwrap() error { return e.Err }

// newError builds a ParseError whose Status follows from its sentinel.
func newError(sentinel error, line int, header, msg string) *ParseError {
	status := 400
	switch sentinel {
	case ErrVersion:
		status = 505
	case ErrTooLarge:
		status = 513
	}
	return &ParseError{Line: line, Header: header, Msg: msg, Err: sentinel, Status: status}
}
