package uri

import "testing"

// FuzzParse checks that Parse never panics and that every accepted URI
// survives a round trip: Parse(u.String()) succeeds, gives a URI Equal to u,
// and serializes to the same String. The seed corpus is committed under
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"sip:bob@biloxi.example.com;transport=tcp",
		"sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
		"sip:user;par=u%40example.net@example.com",
		"tel:863-1234;phone-context=+1-914-555",
		"soap.beep://192.0.2.103:3002",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := Parse(s)
		if err != nil {
			if u != (URI{}) {
				t.Fatalf("Parse(%q) = %#v with error %v, want the zero URI", s, u, err)
			}
			return
		}
		// sipstack's Request-Line relies on this: an accepted URI
		// holds no SP or control character.
		for i := 0; i < len(s); i++ {
			if c := s[i]; c <= ' ' || c == 0x7f {
				t.Fatalf("Parse(%q) accepts octet %#x at %d", s, c, i)
			}
		}
		if !u.Equal(u) {
			t.Fatalf("Parse(%q).Equal(itself) = false", s)
		}
		str := u.String()
		v, err := Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v; Parse(String() = %q) error: %v", s, u, str, err)
		}
		if !u.Equal(v) || !v.Equal(u) {
			t.Fatalf("Parse(%q) = %#v and Parse(%q) = %#v are not Equal", s, u, str, v)
		}
		if again := v.String(); again != str {
			t.Fatalf("Parse(%q).String() = %q, then %q", s, str, again)
		}
		// The accessors never panic on a parsed URI.
		_ = u.AOR()
		_ = u.HostPort()
		_ = u.Transport()
		_, _ = u.Header("subject")
		for range u.AllHeaders() {
		}
		n := 0
		for range u.AllParams() {
			n++
		}
		if w := u.WithParam("x-fuzz", "a b;c").WithoutParam("lr"); u.IsSIP() && n < MaxParams {
			if _, err := Parse(w.String()); err != nil {
				t.Fatalf("Parse(%q).WithParam gives %q, which does not parse: %v", s, w.String(), err)
			}
		}
	})
}
