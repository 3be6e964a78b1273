package sipstack

import (
	"strings"
	"testing"
)

// TestCharClass checks the table of character classes against the masks
// and definitions it is built from, for every octet.
func TestCharClass(t *testing.T) {
	for i := range 256 {
		c := byte(i)
		alnum := '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		for _, tc := range []struct {
			name      string
			got, want bool
		}{
			{"token", isTokenChar(c), inMask(c, tokenLo, tokenHi)},
			{"host", isHostChar(c), inMask(c, tokenLo, tokenHi) || c == '[' || c == ']' || c == ':'},
			{"word", isWordChar(c), inMask(c, wordLo, wordHi)},
			{"ws", charClass[c]&cWS != 0, c == ' ' || c == '\t'},
			{"hostname", charClass[c]&cHostname != 0, alnum || c == '-' || c == '.'},
		} {
			if tc.got != tc.want {
				t.Errorf("%s(%#x) = %v, want %v", tc.name, c, tc.got, tc.want)
			}
		}
	}
}

// TestHasCtlOrSP compares the word-at-a-time test with a plain loop, for
// every octet at every position of strings up to 21 octets, next to
// octets on either side of the boundaries the word test relies on.
func TestHasCtlOrSP(t *testing.T) {
	ref := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c == 0x7f {
				return true
			}
		}
		return false
	}
	base := []byte("abcdefghijklmnopqrstu")
	for n := 0; n <= len(base); n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				for _, other := range []byte{'a', 0x80, 0xff, 0x21, 0x7e, 0x20} {
					for op := 0; op < n; op++ {
						b := append([]byte(nil), base[:n]...)
						b[pos] = byte(c)
						if op != pos {
							b[op] = other
						}
						if got, want := hasCtlOrSP(string(b)), ref(string(b)); got != want {
							t.Fatalf("hasCtlOrSP(%q) = %v, want %v", b, got, want)
						}
					}
				}
			}
		}
	}
}

// TestLookupHeaderHash checks the hashed lookup of header names: every
// name in any case, and every one-octet change of a name, is found exactly
// when it equals a known name ignoring case.
func TestLookupHeaderHash(t *testing.T) {
	for id := hdr(1); id < hCount; id++ {
		name := headerTable[id].name
		for _, n := range []string{name, strings.ToUpper(name), strings.ToLower(name)} {
			if got := lookupHeader(n); got != id {
				t.Errorf("lookupHeader(%q) = %v, want %v", n, got, id)
			}
		}
		for i := 0; i < len(name); i++ {
			for c := 0; c < 256; c++ {
				b := []byte(name)
				b[i] = byte(c)
				want := hUnknown
				for other := hdr(1); other < hCount; other++ {
					if equalFold(string(b), headerTable[other].name) {
						want = other
					}
				}
				if got := lookupHeader(string(b)); got != want {
					t.Fatalf("lookupHeader(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

func TestIsToken(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"INVITE", true},
		{"NEWMETHOD-1.x!%*_+`'~", true}, // every token punctuation (RFC 3261 25.1)
		{"", false},
		{"IN VITE", false},
		{"a;b", false},
		{"é", false},
	} {
		if got := IsToken(tt.s); got != tt.want {
			t.Errorf("IsToken(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}
