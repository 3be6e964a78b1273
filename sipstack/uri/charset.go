package uri

// Character classes of RFC 3261 25.1 and RFC 3966 3, as 128-bit sets split
// into two constant words (lo: bytes 0-63, hi: bytes 64-127). Constants keep
// the package free of global state; a lookup is a shift and a mask.

const (
	digitLo    = 0x3FF << '0' // DIGIT
	alphaHi    = (1<<26-1)<<('A'-64) | (1<<26-1)<<('a'-64)
	hexLo      = digitLo
	hexHi      = 0x3F<<('A'-64) | 0x3F<<('a'-64) // A-F a-f
	alphanumLo = digitLo
	alphanumHi = alphaHi

	// mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
	markLo = 1<<'-' | 1<<'.' | 1<<'!' | 1<<'*' | 1<<'\'' | 1<<'(' | 1<<')'
	markHi = 1<<('_'-64) | 1<<('~'-64)

	// unreserved = alphanum / mark
	unreservedLo = alphanumLo | markLo
	unreservedHi = alphanumHi | markHi

	// reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","
	reservedLo = 1<<';' | 1<<'/' | 1<<'?' | 1<<':' | 1<<'&' | 1<<'=' | 1<<'+' | 1<<'$' | 1<<','
	reservedHi = 1 << ('@' - 64)

	// user = 1*( unreserved / escaped / user-unreserved )
	// user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
	userLo = unreservedLo | 1<<'&' | 1<<'=' | 1<<'+' | 1<<'$' | 1<<',' | 1<<';' | 1<<'?' | 1<<'/'
	userHi = unreservedHi

	// password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
	passwordLo = unreservedLo | 1<<'&' | 1<<'=' | 1<<'+' | 1<<'$' | 1<<','
	passwordHi = unreservedHi

	// paramchar = param-unreserved / unreserved / escaped
	// param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"
	// (RFC 3966 3 paramchar for tel pvalue is the same set.)
	paramLo = unreservedLo | 1<<'/' | 1<<':' | 1<<'&' | 1<<'+' | 1<<'$'
	paramHi = unreservedHi | 1<<('['-64) | 1<<(']'-64)

	// hname/hvalue = *( hnv-unreserved / unreserved / escaped )
	// hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"
	headerLo = unreservedLo | 1<<'/' | 1<<'?' | 1<<':' | 1<<'+' | 1<<'$'
	headerHi = unreservedHi | 1<<('['-64) | 1<<(']'-64)

	// uric = reserved / unreserved / escaped, plus "[" and "]" for IPv6
	// literals (RFC 2732 2) in URIs of other schemes.
	uricLo = reservedLo | unreservedLo
	uricHi = reservedHi | unreservedHi | 1<<('['-64) | 1<<(']'-64)

	// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
	schemeLo = digitLo | 1<<'+' | 1<<'-' | 1<<'.'
	schemeHi = alphaHi

	// Host characters: alphanum, "-" and "." (hostname, IPv4address).
	hostLo = alphanumLo | 1<<'-' | 1<<'.'
	hostHi = alphanumHi

	// RFC 3966 3 pname = 1*( alphanum / "-" )
	telPnameLo = alphanumLo | 1<<'-'
	telPnameHi = alphanumHi

	// RFC 3966 3 visual-separator = "-" / "." / "(" / ")"
	visualLo = 1<<'-' | 1<<'.' | 1<<'(' | 1<<')'

	// phonedigit = DIGIT / [ visual-separator ]
	phoneLo = digitLo | visualLo
	// phonedigit-hex = HEXDIG / "*" / "#" / [ visual-separator ]
	phoneHexLo = phoneLo | 1<<'*' | 1<<'#'
	phoneHexHi = hexHi
)

// in reports whether c is in the set (lo, hi).
func in(c byte, lo, hi uint64) bool {
	if c < 64 {
		return lo>>c&1 != 0
	}
	if c < 128 {
		return hi>>(c-64)&1 != 0
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return in(c, 0, alphaHi) }
func isAlnum(c byte) bool { return in(c, alphanumLo, alphanumHi) }
func isHex(c byte) bool   { return in(c, hexLo, hexHi) }

// isLWS reports whether c is a character of RFC 3261 25.1 LWS.
func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// unhex returns the value of the hexadecimal digit c (0 for a non-digit).
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

// lower returns c in lower case if it is an ASCII letter.
func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// upperHex is the digit alphabet of the escapes this package writes
// (RFC 3986 2.1 recommends upper case).
const upperHex = "0123456789ABCDEF"

// escapeAt reports whether s[i:] starts with a well-formed "%" HEX HEX.
func escapeAt(s string, i int) bool {
	return i+2 < len(s) && s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2])
}

// scan returns the end of the longest run of s starting at i made of
// characters of (lo, hi) and, when escapes is set, well-formed %-escapes. It
// also reports whether the run holds an escape. A "%" that is not a
// well-formed escape ends the run: the caller reports s[end].
func scan(s string, i int, lo, hi uint64, escapes bool) (end int, escaped bool) {
	for i < len(s) {
		c := s[i]
		switch {
		case in(c, lo, hi):
			i++
		case c == '%' && escapes && escapeAt(s, i):
			i += 3
			escaped = true
		default:
			return i, escaped
		}
	}
	return i, escaped
}

// unescape decodes every %-escape of s once (RFC 4475 3.1.1.3: value%2541
// becomes value%41, never valueA). s must hold only well-formed escapes; a
// "%" that does not start one is kept as it is.
func unescape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if escapeAt(s, i) {
			n++
			i += 2
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		if escapeAt(s, i) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// appendEscaped appends s to b, writing every byte outside (lo, hi) as an
// upper-case "%" HEX HEX escape.
func appendEscaped(b []byte, s string, lo, hi uint64) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if in(c, lo, hi) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperHex[c>>4], upperHex[c&15])
	}
	return b
}

// escapedLen returns the length of appendEscaped(nil, s, lo, hi).
func escapedLen(s string, lo, hi uint64) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !in(s[i], lo, hi) {
			n += 2
		}
	}
	return n
}

// decodeAt decodes the character at s[i]: a %-escape gives the byte it
// stands for, with reserved set when that byte is in RFC 3261 25.1 reserved
// (an escaped reserved character is not equivalent to the character itself,
// RFC 3261 19.1.4). It returns the number of bytes consumed.
func decodeAt(s string, i int) (c byte, reserved bool, n int) {
	if escapeAt(s, i) {
		c = unhex(s[i+1])<<4 | unhex(s[i+2])
		return c, in(c, reservedLo, reservedHi), 3
	}
	return s[i], false, 1
}

// equivEscaped reports whether a and b are equal under RFC 3261 19.1.4:
// ASCII case-insensitive, and with a %-escape of a character outside
// reserved equal to the character itself.
func equivEscaped(a, b string) bool {
	if len(a) == len(b) {
		// Fast path for text without escapes: an ASCII case-folding compare.
		k := 0
		for ; k < len(a); k++ {
			ca, cb := a[k], b[k]
			if ca == '%' || cb == '%' {
				break
			}
			if ca != cb && lower(ca) != lower(cb) {
				return false
			}
		}
		if k == len(a) {
			return true
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, ra, na := decodeAt(a, i)
		cb, rb, nb := decodeAt(b, j)
		if ra != rb || lower(ca) != lower(cb) {
			return false
		}
		i += na
		j += nb
	}
	return i == len(a) && j == len(b)
}

// equalFoldName reports whether the raw (possibly escaped) parameter or
// header name raw, once unescaped, equals name ignoring ASCII case.
func equalFoldName(raw, name string) bool {
	i, j := 0, 0
	for i < len(raw) && j < len(name) {
		c, _, n := decodeAt(raw, i)
		if lower(c) != lower(name[j]) {
			return false
		}
		i += n
		j++
	}
	return i == len(raw) && j == len(name)
}
