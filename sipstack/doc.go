// Package sipstack implements the SIP message layer of RFC 3261: the
// [Request] and [Response] types, their ordered [Header] with typed access
// to the headers that user agents and proxies need, a strict parser
// ([ParseMessage] for datagrams, [Framer] for streams) and a canonical
// serializer ([Request.AppendTo], [Response.AppendTo]).
//
// URIs live in package sipstack/uri, session descriptions in
// sipstack/sdp; transactions and dialogs are built on this package.
//
// # Parsing
//
// The parser follows RFC 3261 section 7 and the section 25 grammar. It is
// strict where RFC 3261 is strict and accepts every well-formed message of
// RFC 4475, including the liberal case of 3.1.1.6 (no LWS between a
// display name and "<"). It rejects all RFC 4475 invalid messages, among
// them those that an element may accept liberally; testdata/rfc4475 holds
// the 49 torture messages and torture_test.go says what is checked for
// each. Errors are [*ParseError] values that name the line and header at
// fault, unwrap to one of the sentinel errors of errors.go, and say which
// response (400, 501, 505) a server should send to a bad request.
//
// The parser never panics, and it bounds what it accepts: [MaxMessageSize],
// [MaxHeaderCount] and [MaxLineLength].
//
// # Representation
//
// A parsed message is one copy of the received bytes, which nothing
// writes after parsing: header names are the static canonical strings of
// this package, header values and the fields of typed values ([Via],
// [Address], [CSeq], ...) are substrings of that copy, and the body is a
// slice of its tail. A [Header] notes each field as the id of its name
// and the offsets of its value in the copy, so that its fields hold no
// pointers; values given to [Header.Set], [Header.Add], ... are kept
// beside them. Typed accessors parse on each call and do not cache, so
// changes made through any method are always seen. The fields follow the
// message copy in the same allocation, so a typical INVITE is parsed with
// two allocations (that one and the [Request]) and serialized into a
// reused buffer with none.
//
// # Serialization
//
// The canonical form has one header line per stored field with the long
// header name, values as stored, and Content-Length always written from
// the body. For any message m accepted by the parser, parsing the
// serialization of m gives m again (same start line, the same header
// fields in the same order with the same values, the same body), and
// serializing that gives the same bytes.
package sipstack
