package ident

import (
	"errors"

	"github.com/sipsim/sipsim/sipstack"
)

// A Source produces uniformly distributed 64-bit values. math/rand/v2's
// *rand.Rand satisfies it, and so does the simulator's per-node stream.
// A Source is not safe for concurrent use unless its implementation says so;
// neither is a [Generator] built on it.
type Source interface {
	Uint64() uint64
}

// Sizes of the identifiers, in characters after any fixed prefix. Each
// character carries 5 bits; a 13-character group encodes one 64-bit draw.
const (
	// BranchLen is the length of a branch parameter: the magic cookie
	// "z9hG4bK" (RFC 3261 8.1.1.7) and one 64-bit draw.
	BranchLen = len(sipstack.BranchMagicCookie) + groupLen

	// TagLen is the length of a tag: one 64-bit draw, twice the 32 bits of
	// randomness that RFC 3261 19.3 requires at least.
	TagLen = groupLen

	// CallIDLocalLen is the length of the local part of a Call-ID, before
	// "@host": two 64-bit draws (128 bits, the size of a UUID; RFC 3261
	// 8.1.1.4 asks for a globally unique identifier).
	CallIDLocalLen = 2 * groupLen
)

// groupLen is the number of characters that encode one 64-bit draw:
// ceil(64/5) = 13, the first character carrying the top 4 bits.
const groupLen = 13

// alphabet is base32 with digits first and lower-case letters (the
// "base32hex" alphabet of RFC 4648 7 in lower case). Every character is a
// token character and a host character of RFC 3261 25.1, so identifiers
// never need quoting in a parameter, and none changes under case folding.
const alphabet = "0123456789abcdefghijklmnopqrstuv"

// ErrNilSource is returned by [New] when the source is nil.
var ErrNilSource = errors.New("ident: nil random source")

// ErrHost is returned by [New] when the host is not a valid right-hand side
// of a Call-ID (RFC 3261 25.1: callid = word [ "@" word ]).
var ErrHost = errors.New("ident: host is not a Call-ID word")

// A Generator draws branches, tags and Call-IDs from one [Source], the
// random stream of the node that owns it. Two Generators on sources in the
// same state produce the same identifiers in the same order.
//
// Build one with [New]; the zero Generator has no source and must not be
// used. A Generator holds no other state: every call consumes one or two
// values of the source and nothing else.
type Generator struct {
	src  Source
	host string
}

// New returns a Generator that draws from src and appends "@host" to the
// Call-IDs it makes (RFC 3261 8.1.1.4: "Implementations MAY use the form
// localid@host"). An empty host gives Call-IDs without "@". The host must be
// a Call-ID word (RFC 3261 25.1), which every host name, IPv4 address and
// bracketed IPv6 reference is; otherwise New returns [ErrHost].
func New(src Source, host string) (*Generator, error) {
	if src == nil {
		return nil, ErrNilSource
	}
	if host != "" && !isWord(host) {
		return nil, ErrHost
	}
	return &Generator{src: src, host: host}, nil
}

// Host returns the host that the Generator's Call-IDs end with, "" if none.
func (g *Generator) Host() string { return g.host }

// Branch returns a new branch parameter value: the magic cookie "z9hG4bK"
// followed by a random token (RFC 3261 8.1.1.7: the branch "MUST be unique
// across space and time for all requests sent by the UA" and "MUST always
// begin with the characters z9hG4bK"). It consumes one value of the source
// and allocates only the returned string.
func (g *Generator) Branch() string {
	var b [BranchLen]byte
	return string(g.AppendBranch(b[:0]))
}

// AppendBranch appends a new branch parameter value, as [Generator.Branch]
// returns it, to b and returns the extended buffer. It does not allocate
// when b has room for [BranchLen] more bytes.
func (g *Generator) AppendBranch(b []byte) []byte {
	b = append(b, sipstack.BranchMagicCookie...)
	return appendGroup(b, g.src.Uint64())
}

// Tag returns a new tag for a From or To header field (RFC 3261 19.3: "it
// MUST be globally unique and cryptographically random with at least 32
// bits of randomness"; here 64 bits of the node's stream). It consumes one
// value of the source and allocates only the returned string.
func (g *Generator) Tag() string {
	var b [TagLen]byte
	return string(g.AppendTag(b[:0]))
}

// AppendTag appends a new tag, as [Generator.Tag] returns it, to b and
// returns the extended buffer. It does not allocate when b has room for
// [TagLen] more bytes.
func (g *Generator) AppendTag(b []byte) []byte {
	return appendGroup(b, g.src.Uint64())
}

// CallID returns a new Call-ID (RFC 3261 8.1.1.4): 128 random bits written
// as [CallIDLocalLen] characters, then "@" and the Generator's host when it
// has one. It consumes two values of the source and allocates only the
// returned string when the host is shorter than 64 bytes.
func (g *Generator) CallID() string {
	var b [CallIDLocalLen + 1 + 64]byte
	return string(g.AppendCallID(b[:0]))
}

// AppendCallID appends a new Call-ID, as [Generator.CallID] returns it, to
// b and returns the extended buffer. It does not allocate when b has room.
func (g *Generator) AppendCallID(b []byte) []byte {
	b = appendGroup(b, g.src.Uint64())
	b = appendGroup(b, g.src.Uint64())
	if g.host != "" {
		b = append(b, '@')
		b = append(b, g.host...)
	}
	return b
}

// appendGroup appends the 13-character encoding of v, most significant
// bits first, so that the encoding of a draw never depends on the buffer.
func appendGroup(b []byte, v uint64) []byte {
	var g [groupLen]byte
	for i := groupLen - 1; i >= 0; i-- {
		g[i] = alphabet[v&31]
		v >>= 5
	}
	return append(b, g[:]...)
}

// isWord reports whether s is a non-empty word of RFC 3261 25.1:
//
//	word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" /
//	       "~" / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" /
//	       "]" / "?" / "{" / "}" )
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		default:
			switch c {
			case '-', '.', '!', '%', '*', '_', '+', '`', '\'', '~', '(', ')',
				'<', '>', ':', '\\', '"', '/', '[', ']', '?', '{', '}':
			default:
				return false
			}
		}
	}
	return true
}
