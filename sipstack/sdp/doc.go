// Package sdp reads and writes the subset of the Session Description
// Protocol (RFC 8866, which obsoletes RFC 4566) that SIP calls carry, and
// implements the RFC 3264 offer/answer model on top of it.
//
// # Syntax
//
// [Parse] reads a session description: the session-level lines v, o, s, i,
// u, e, p, c, b, t, r, z, k and a, then zero or more media descriptions, each
// an m line followed by its i, c, b, k and a lines. Lines must come in the
// order of RFC 8866 section 5; a line out of order, a repeated single line,
// an unknown type letter or a malformed value is an error of type
// [*ParseError] that names the line number and wraps one of the sentinel
// errors of errors.go. Lines may end in CRLF or in a bare LF (RFC 8866 5:
// parsers should be tolerant of LF); [Session.Marshal] always writes CRLF.
//
// Attribute lines are kept in their original order, and attributes this
// package does not interpret are preserved byte for byte, so that
// Parse followed by Marshal reproduces every line it accepted (an empty s=
// line, which some peers send, comes back as "s=-"; "a=name:" with an empty
// value comes back as "a=name"). The attributes
// offer/answer needs are interpreted and checked: rtpmap, fmtp, ptime and the
// direction attributes sendrecv, sendonly, recvonly and inactive.
//
// # Bounds
//
// Parse rejects input larger than [MaxSize] bytes, with more than [MaxLines]
// lines, more than [MaxMedia] media descriptions or more than [MaxFormats]
// formats on one m line. Parse never panics, whatever its input.
//
// # Offer/answer
//
// [Offer] builds an initial offer from local [Capabilities]; [Answer] builds
// the RFC 3264 section 6 answer to an offer: one m line per offered m line,
// in the same order, rejecting with port zero every stream the answerer
// cannot or does not want to take. [ValidateAnswer] checks that an answer
// fits its offer and [Negotiate] derives the resulting [Stream]s: which are
// active, with which codecs, in which direction.
//
// Modifying a session (RFC 3264 section 8) starts from the previous local
// description: [Reoffer] copies it and increments the o= version;
// [AddMedia], [RemoveMedia], [AddVideo], [RemoveVideo], [Hold] and [Resume]
// build on it.
//
// # Determinism
//
// Nothing in this package draws random numbers, reads a clock, starts a
// goroutine or keeps mutable package state. Session ids, versions, addresses
// and ports are inputs chosen by the caller, and all output follows the order
// of its inputs.
package sdp
