package uri

import (
	"errors"
	"strconv"
)

// Sentinel errors. [Parse] returns them wrapped in an [*Error] that says
// where the fault is; test for them with errors.Is.
var (
	// ErrEmpty reports an empty input.
	ErrEmpty = errors.New("uri: empty")
	// ErrTooLong reports an input longer than [MaxLength] bytes.
	ErrTooLong = errors.New("uri: longer than the limit")
	// ErrWhitespace reports linear white space (SP, HTAB, CR or LF) inside
	// a URI, which the RFC 3261 25.1 grammar never allows (RFC 4475 3.1.2.8).
	ErrWhitespace = errors.New("uri: white space inside a URI")
	// ErrAngleBracket reports a "<" or ">": Parse takes the bare URI, and the
	// caller strips the brackets of a name-addr (RFC 4475 3.1.2.7).
	ErrAngleBracket = errors.New("uri: angle bracket (pass the bare URI)")
	// ErrScheme reports a missing or malformed scheme (RFC 3261 25.1 scheme).
	ErrScheme = errors.New("uri: bad scheme")
	// ErrEscape reports a "%" not followed by two hexadecimal digits in a
	// production where %-escapes are allowed (RFC 3261 25.1 escaped).
	ErrEscape = errors.New("uri: bad %-escape")
	// ErrUser reports an empty user part or a character that RFC 3261 25.1
	// does not allow in it.
	ErrUser = errors.New("uri: bad user part")
	// ErrPassword reports a character that RFC 3261 25.1 does not allow in
	// a password.
	ErrPassword = errors.New("uri: bad password")
	// ErrHost reports a missing host or one that is neither a hostname, an
	// IPv4 address nor a bracketed IPv6 reference (RFC 3261 25.1 host).
	ErrHost = errors.New("uri: bad host")
	// ErrPort reports a port that is empty, not decimal, 0, or above 65535.
	ErrPort = errors.New("uri: bad port")
	// ErrParam reports a malformed uri-parameter (RFC 3261 25.1) or tel
	// parameter (RFC 3966 3), such as an empty name or value.
	ErrParam = errors.New("uri: bad parameter")
	// ErrDuplicateParam reports a parameter name given twice; RFC 3261
	// 19.1.1: "any given parameter-name MUST NOT appear more than once".
	ErrDuplicateParam = errors.New("uri: parameter given twice")
	// ErrTooManyParams reports more than [MaxParams] parameters or headers.
	ErrTooManyParams = errors.New("uri: too many parameters or headers")
	// ErrHeader reports a malformed header component (RFC 3261 25.1 headers).
	ErrHeader = errors.New("uri: bad header")
	// ErrTelNumber reports a tel URI whose telephone-subscriber is neither a
	// global nor a local number, or a local number without a phone-context
	// parameter (RFC 3966 3, 5.1.5).
	ErrTelNumber = errors.New("uri: bad telephone number")
	// ErrOpaque reports a URI of another scheme whose text is empty or holds
	// a character outside RFC 3261 25.1 uric.
	ErrOpaque = errors.New("uri: bad absolute URI")
)

// Error is the error type returned by [Parse]. Err is one of the sentinel
// errors of this package; errors.Is(err, [ErrPort]) and the like work
// through [Error.Unwrap].
type Error struct {
	// Err is the sentinel error saying what was wrong.
	Err error
	// Offset is the byte offset in the input at which the fault was found.
	Offset int
	// Near is up to 16 bytes of the input starting at Offset, for
	// messages; it is a substring of the input, not a copy.
	Near string
}

// nearLen bounds Error.Near.
const nearLen = 16

// newError returns an *Error for the fault err at offset off of s.
func newError(err error, s string, off int) *Error {
	off = max(0, min(off, len(s)))
	end := min(len(s), off+nearLen)
	return &Error{Err: err, Offset: off, Near: s[off:end]}
}

// Error returns a one-line description such as
// `uri: bad port at offset 12 near ":99999"`.
func (e *Error) Error() string {
	msg := "uri: error"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	msg += " at offset " + strconv.Itoa(e.Offset)
	if e.Near != "" {
		msg += " near " + strconv.Quote(e.Near)
	}
	return msg
}

// Unwrap returns the sentinel error e.Err.
func (e *Error) Unwrap() error { return e.Err }
