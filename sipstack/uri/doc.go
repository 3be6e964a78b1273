// Package uri parses, serializes and compares the URIs that SIP carries:
// SIP and SIPS URIs (RFC 3261 19.1), tel URIs (RFC 3966) and, opaquely, any
// other absolute URI (RFC 3261 25.1 absoluteURI, as in RFC 4475 3.3.2-3.3.4).
//
// [Parse] takes a bare URI, as found in a Request-Line or between the angle
// brackets of a name-addr; stripping "<" and ">" is the caller's job. It
// follows the RFC 3261 25.1 grammar strictly: linear white space, bad
// %-escapes, an empty host, a bad port or a repeated uri-parameter are
// errors, reported as an [*Error] that wraps one of the sentinel errors of
// this package and gives the byte offset of the fault.
//
// A parsed [URI] refers to its input: when the user part and password hold no
// %-escape, every field is a substring of the input, so parsing does not
// allocate. The user part and password are unescaped exactly once
// (RFC 4475 3.1.1.3); parameters and headers are kept as written, and the
// accessors [URI.Param] and [URI.Header] unescape the values they return.
//
// [URI.AppendTo] and [URI.String] write the canonical form: the scheme in
// lower case, the user part and password re-escaped where RFC 3261 25.1
// demands it, a port without leading zeros, parameters and headers as they
// are. For any input that Parse accepts, Parse(u.String()) succeeds and gives
// a URI that is [URI.Equal] to u and has the same String.
//
// [URI.Equal] applies the comparison rules of RFC 3261 19.1.4 to SIP and SIPS
// URIs and those of RFC 3966 4 to tel URIs.
//
// Nothing here panics on any input, keeps mutable global state, or starts a
// goroutine; a URI is a plain value, safe to copy and to share.
package uri
