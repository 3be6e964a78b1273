package sipstack

import (
	"math/bits"
	"strings"
	"unsafe"
)

// ownedString returns b as a string without copying. The caller must have
// just allocated b and must never use it again, so that the string's
// bytes cannot change.
func ownedString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Character classes of the RFC 3261 section 25 grammar, as 128-bit masks
// (bits 0-63 and 64-127 of the ASCII range).
const (
	// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
	tokenLo = 1<<'!' | 1<<'%' | 1<<'\'' | 1<<'*' | 1<<'+' | 1<<'-' | 1<<'.' |
		1<<'0' | 1<<'1' | 1<<'2' | 1<<'3' | 1<<'4' | 1<<'5' | 1<<'6' | 1<<'7' | 1<<'8' | 1<<'9'
	tokenHi = (1<<26-1)<<('A'-64) | (1<<26-1)<<('a'-64) | 1<<('_'-64) | 1<<('`'-64) | 1<<('~'-64)
)

// inMask reports whether c is in the 128-bit set (lo, hi).
func inMask(c byte, lo, hi uint64) bool {
	if c < 64 {
		return lo&(1<<c) != 0
	}
	if c < 128 {
		return hi&(1<<(c-64)) != 0
	}
	return false
}

// Bits of charClass.
const (
	cToken    uint8 = 1 << iota // token
	cHost                       // isHostChar: token, "[", "]", ":"
	cWord                       // isWordChar
	cWS                         // SP, HTAB
	cHostname                   // alphanum, "-", "." (a Via's sent-by host)
)

// charClass holds the character classes above as one table, built from
// the masks: the scanning loops run once per octet of every header value,
// and a table load there is cheaper than the range tests and shifts. It is
// read-only after initialization.
var charClass = func() (t [256]uint8) {
	const (
		alnumLo = 0x3FF << '0'
		alnumHi = (1<<26-1)<<('A'-64) | (1<<26-1)<<('a'-64)
	)
	for i := range 256 {
		c := byte(i)
		if inMask(c, tokenLo, tokenHi) {
			t[i] |= cToken | cHost
		}
		if c == '[' || c == ']' || c == ':' {
			t[i] |= cHost
		}
		if inMask(c, wordLo, wordHi) {
			t[i] |= cWord
		}
		if c == ' ' || c == '\t' {
			t[i] |= cWS
		}
		if inMask(c, alnumLo, alnumHi) || c == '-' || c == '.' {
			t[i] |= cHostname
		}
	}
	return t
}()

// isTokenChar reports whether c may appear in an RFC 3261 token.
func isTokenChar(c byte) bool { return charClass[c]&cToken != 0 }

// isToken reports whether s is a non-empty RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

// isHostChar reports whether c may appear in a host or gen-value that is
// not a token: hostnames, IPv4 and bracketed IPv6 references.
func isHostChar(c byte) bool { return charClass[c]&cHost != 0 }

func isWS(c byte) bool { return c == ' ' || c == '\t' }

// load64 returns the first eight octets of s as a little-endian word; the
// compiler turns it into one load with one bounds check.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// hasCtlOrSP reports whether s holds SP or a control character (an octet
// up to 0x20, or 0x7f). It tests eight octets at a time with the classic
// SWAR tests (a word w has an octet below n when (w - n*0x01..01) & ^w &
// 0x80..80 is not zero, for n <= 0x80, and an octet equal to v when w ^
// v*0x01..01 has a zero octet): it checks every URI of the header section,
// and this is several times faster than a loop over the octets. The
// results are exact: a borrow only starts at an octet that matches.
func hasCtlOrSP(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(s) >= 8 {
		w := load64(s)
		d := w ^ 0x7f*ones
		if ((w-0x21*ones)&^w|(d-ones)&^d)&highs != 0 {
			return true
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// indexCtlSPOrGT returns the index of the first octet of s at or after i
// that is '>', SP or a control character (as hasCtlOrSP), or len(s). It
// tests eight octets at a time like hasCtlOrSP; the lowest octet a test
// flags is always a match (a borrow only runs from a match upwards).
func indexCtlSPOrGT(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; len(s)-i >= 8; i += 8 {
		w := load64(s[i:])
		d := w ^ 0x7f*ones
		g := w ^ '>'*ones
		if m := ((w-0x21*ones)&^w | (d-ones)&^d | (g-ones)&^g) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '>' {
			return i
		}
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// trimWS removes leading and trailing SP and HTAB.
func trimWS(s string) string {
	i, j := 0, len(s)
	for i < j && isWS(s[i]) {
		i++
	}
	for j > i && isWS(s[j-1]) {
		j--
	}
	return s[i:j]
}

func skipWS(s string, i int) int {
	for i < len(s) && isWS(s[i]) {
		i++
	}
	return i
}

// quotedEnd returns the index just past the closing quote of the
// quoted-string that starts at s[i] == '"', or -1 if it is not terminated.
// RFC 3261 25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F).
func quotedEnd(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
			if j < len(s) && (s[j] == '\r' || s[j] == '\n') {
				return -1
			}
		case '"':
			return j + 1
		case '\r', '\n':
			return -1
		}
	}
	return -1
}

// unquote returns the content of a well-formed quoted-string q (quotes
// included) with quoted-pairs resolved. It allocates only when q holds a
// backslash.
func unquote(q string) string {
	q = q[1 : len(q)-1]
	if strings.IndexByte(q, '\\') < 0 {
		return q
	}
	b := make([]byte, 0, len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == '\\' && i+1 < len(q) {
			i++
		}
		b = append(b, q[i])
	}
	return string(b)
}

// appendQuoted appends s as a quoted-string, escaping '"', '\' and control
// characters with quoted-pairs. CR and LF cannot be represented and are
// written as SP.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' || c == '\n':
			b = append(b, ' ')
		case c == '"' || c == '\\' || (c < 0x20 && c != '\t') || c == 0x7f:
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// nextValue splits the comma-separated list s (RFC 3261 7.3.1) at the first
// comma that is outside quoted strings and angle brackets. It returns the
// first element with LWS trimmed and the text after the comma; ok is false
// when a quoted string or angle bracket is not closed.
func nextValue(s string) (value, rest string, more, ok bool) {
	angle := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			e := quotedEnd(s, i)
			if e < 0 {
				return "", "", false, false
			}
			i = e - 1
		case '<':
			angle = true
		case '>':
			angle = false
		case ',':
			if !angle {
				return trimWS(s[:i]), s[i+1:], true, true
			}
		}
	}
	if angle {
		return "", "", false, false
	}
	return trimWS(s), "", false, true
}

// eachValue calls f for each value of the comma-separated list s, until f
// returns false. Empty elements are passed to f, so that callers can
// reject them. It returns false if s has an unclosed quote or bracket.
func eachValue(s string, f func(v string) bool) bool {
	for {
		v, rest, more, ok := nextValue(s)
		if !ok {
			return false
		}
		if !f(v) || !more {
			return true
		}
		s = rest
	}
}

// parseParams parses s, which holds zero or more ";name[=value]" elements
// (RFC 3261 25.1 generic-param, with SEMI and EQUAL allowing LWS), and
// returns them in canonical form: no LWS, names and values as written. It
// allocates only when s contains LWS. Values are tokens, hosts (IPv4,
// [IPv6]) or quoted strings.
func parseParams(s string) (Params, bool) {
	p, end, ok := parseParamsAt(s, 0)
	return p, ok && end == len(s)
}

// parseParamsAt parses parameters starting at s[i] (after optional LWS)
// and stops at the end of s or at a comma that ends the value in a
// comma-separated list. end is the index of that comma, or len(s).
func parseParamsAt(s string, i int) (p Params, end int, ok bool) {
	i = skipWS(s, i)
	start := i
	clean := true
	last := i // end of the last complete parameter
	for i < len(s) && s[i] != ',' {
		// SEMI
		if s[i] != ';' {
			return "", i, false
		}
		i++
		if j := skipWS(s, i); j != i {
			clean = false
			i = j
		}
		// name
		n := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		if i == n {
			return "", i, false
		}
		last = i
		if j := skipWS(s, i); j != i {
			if j < len(s) && s[j] == '=' {
				clean = false
			}
			i = j
		}
		if i < len(s) && s[i] == '=' {
			i++
			if j := skipWS(s, i); j != i {
				clean = false
				i = j
			}
			if i < len(s) && s[i] == '"' {
				e := quotedEnd(s, i)
				if e < 0 {
					return "", i, false
				}
				i = e
			} else {
				v := i
				i = spanClass(s, i, cHost)
				if i == v {
					return "", i, false
				}
			}
			last = i
		}
		if j := skipWS(s, i); j != i {
			if j < len(s) && s[j] == ';' {
				clean = false
			}
			i = j
		}
	}
	if clean {
		return Params(s[start:last]), i, true
	}
	return Params(canonicalParams(s[start:last])), i, true
}

// paramsFast checks parameters at s[i] when they have the form of
// nearly all: ";" token [ "=" 1*host characters ], no white space, no
// quoted string, up to a comma or the end of s. It returns the index of
// that comma or end; ok false means only that the form is not this one,
// and parseParamsAt must decide. Every list it accepts, parseParamsAt
// accepts too with the same end, and as already canonical.
func paramsFast(s string, i int) (end int, ok bool) {
	for i < len(s) && s[i] == ';' {
		i++
		n := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		if i == n {
			return 0, false
		}
		if i < len(s) && s[i] == '=' {
			i++
			v := i
			if i = spanClass(s, i, cHost); i == v {
				return 0, false
			}
		}
	}
	if i < len(s) && s[i] != ',' {
		return 0, false
	}
	return i, true
}

// canonicalParams removes LWS outside quoted strings from a param list that
// parseParams has validated.
func canonicalParams(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isWS(c):
		case c == '"':
			e := quotedEnd(s, i)
			b = append(b, s[i:e]...)
			i = e - 1
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// parseUint parses a string of decimal digits whose value is at most max.
// Leading zeros are allowed (RFC 4475 3.1.1.1).
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}

// IsToken reports whether s is a non-empty token of RFC 3261 25.1, the
// syntax of methods, tags and parameter names, for callers that build
// messages and must not put anything else there.
func IsToken(s string) bool { return isToken(s) }

// spanClass returns the index of the first octet of s at or after i that
// is not in the character class c (bits of charClass), or len(s). It
// tests eight octets per step with one branch, for the runs of host,
// token and word characters of every header value, where a loop with a
// branch per octet spends its time on the branch.
func spanClass(s string, i int, c uint8) int {
	for ; len(s)-i >= 8; i += 8 {
		t := s[i : i+8]
		if charClass[t[0]]&charClass[t[1]]&charClass[t[2]]&charClass[t[3]]&
			charClass[t[4]]&charClass[t[5]]&charClass[t[6]]&charClass[t[7]]&c == 0 {
			break
		}
	}
	for i < len(s) && charClass[s[i]]&c != 0 {
		i++
	}
	return i
}
