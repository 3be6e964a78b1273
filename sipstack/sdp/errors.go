package sdp

import (
	"errors"
	"fmt"
)

// Sentinel errors. Parse errors are [*ParseError] values that wrap one of
// these, so callers test them with [errors.Is].
var (
	// ErrTooLarge reports input larger than [MaxSize] bytes.
	ErrTooLarge = errors.New("sdp: session description too large")
	// ErrTooManyLines reports input with more than [MaxLines] lines.
	ErrTooManyLines = errors.New("sdp: too many lines")
	// ErrTooManyMedia reports more than [MaxMedia] media descriptions.
	ErrTooManyMedia = errors.New("sdp: too many media descriptions")
	// ErrSyntax reports a line that is not of the form <type>=<value>
	// (RFC 8866 5), or a value containing a byte SDP forbids.
	ErrSyntax = errors.New("sdp: malformed line")
	// ErrUnknownType reports a type letter that RFC 8866 5 does not define;
	// RFC 8866 5 lets a parser reject the whole description in that case.
	ErrUnknownType = errors.New("sdp: unknown line type")
	// ErrLineOrder reports a line out of the order of RFC 8866 5, or a
	// line that may appear only once appearing twice.
	ErrLineOrder = errors.New("sdp: line out of order")
	// ErrMissingLine reports a required line (v, o, s, t) that is absent.
	ErrMissingLine = errors.New("sdp: required line missing")
	// ErrVersion reports a v= line other than "v=0" (RFC 8866 5.1).
	ErrVersion = errors.New("sdp: unsupported protocol version")
	// ErrOrigin reports a malformed o= line (RFC 8866 5.2).
	ErrOrigin = errors.New("sdp: malformed origin")
	// ErrEmptyValue reports a text line (s, i, u, e, p, r, z, k) with an
	// empty value.
	ErrEmptyValue = errors.New("sdp: empty value")
	// ErrConnection reports a malformed c= line (RFC 8866 5.7), or a media
	// description with no connection address at either level.
	ErrConnection = errors.New("sdp: malformed or missing connection")
	// ErrBandwidth reports a malformed b= line (RFC 8866 5.8).
	ErrBandwidth = errors.New("sdp: malformed bandwidth")
	// ErrTiming reports a malformed t= line (RFC 8866 5.9).
	ErrTiming = errors.New("sdp: malformed timing")
	// ErrMediaLine reports a malformed m= line (RFC 8866 5.14).
	ErrMediaLine = errors.New("sdp: malformed media line")
	// ErrAttribute reports a malformed a= line, or a malformed value of an
	// attribute this package interprets (rtpmap, fmtp, ptime, direction).
	ErrAttribute = errors.New("sdp: malformed attribute")

	// ErrCapabilities reports local [Capabilities] or an [Origin] that
	// cannot produce a valid session description.
	ErrCapabilities = errors.New("sdp: invalid local capabilities")
	// ErrNoCommonMedia reports an offer none of whose active streams the
	// answerer can accept. A SIP user agent answers such an INVITE with 488
	// Not Acceptable Here instead of a 200 carrying an all-rejected answer.
	ErrNoCommonMedia = errors.New("sdp: no acceptable media stream in offer")
	// ErrAnswerMismatch reports an answer that does not fit its offer
	// (RFC 3264 6).
	ErrAnswerMismatch = errors.New("sdp: answer does not match offer")
	// ErrVersionOverflow reports an o= version that cannot be incremented
	// without exceeding the 64-bit signed range RFC 3264 5 requires.
	ErrVersionOverflow = errors.New("sdp: session version overflow")
	// ErrNoSuchMedia reports a modification of a media type the session
	// has no active stream of.
	ErrNoSuchMedia = errors.New("sdp: no such media stream")
	// ErrInvalidSession reports a [Session] value that cannot be written
	// as a valid session description.
	ErrInvalidSession = errors.New("sdp: invalid session")
)

// A ParseError describes why [Parse] rejected its input. Err is one of the
// sentinel errors of this package; Line is the 1-based line number (0 when
// the error concerns the whole input, such as [ErrTooLarge]).
type ParseError struct {
	Line   int    // 1-based line number, 0 for the whole input
	Type   byte   // type letter of the offending line, 0 if unknown
	Detail string // what was wrong, for people
	Err    error  // sentinel error, for programs
}

// Error formats the error as "sdp: line N (x=): detail".
func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%v: %s", e.Err, e.Detail)
	case e.Type == 0:
		return fmt.Sprintf("sdp: line %d: %s", e.Line, e.Detail)
	default:
		return fmt.Sprintf("sdp: line %d (%c=): %s", e.Line, e.Type, e.Detail)
	}
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }
