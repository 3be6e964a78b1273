package uri

import "testing"

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
		why  string
	}{
		// RFC 3261 19.1.4: the equivalent examples.
		{"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true, "RFC 3261 19.1.4 example"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true, "RFC 3261 19.1.4 example"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=on", true, "RFC 3261 19.1.4 example"},
		{"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", true, "RFC 3261 19.1.4 example"},
		{"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true, "RFC 3261 19.1.4 example"},
		{"sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true, "RFC 3261 19.1.4 example"},
		// RFC 3261 19.1.4: the non-equivalent examples.
		{"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false, "different usernames"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false, "can resolve to different ports"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false, "can resolve to different transports"},
		{"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp", false, "can resolve to different port and transports"},
		{"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", false, "different header component"},
		{"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false, "even though that's what phone21.boxesbybob.com resolves to"},
		// RFC 3261 19.1.4: equality is not transitive.
		{"sip:carol@chicago.com", "sip:carol@chicago.com;security=off", true, "RFC 3261 19.1.4 not transitive"},
		{"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", false, "RFC 3261 19.1.4 not transitive"},

		// Scheme, user, password.
		{"sip:bob@biloxi.com", "sips:bob@biloxi.com", false, "SIP and SIPS URIs are never equivalent"},
		{"sip:bob@biloxi.com", "SIP:bob@biloxi.com", true, "scheme ignores case"},
		{"sip:bob@biloxi.com", "sip:biloxi.com", false, "user present in only one"},
		{"sip:bob@biloxi.com", "sip:Bob@biloxi.com", false, "user is case-sensitive"},
		{"sip:b%6Fb@biloxi.com", "sip:bob@biloxi.com", true, "escape of an unreserved character"},
		{"sip:bob:x@biloxi.com", "sip:bob@biloxi.com", false, "password present in only one"},
		{"sip:bob:x@biloxi.com", "sip:bob:X@biloxi.com", false, "password is case-sensitive"},
		{"sip:bob:x@biloxi.com", "sip:bob:%78@biloxi.com", true, "password after unescaping"},
		{"sip:%00@host5.example.com", "sip:%00%00@host5.example.com", false, "RFC 4475 3.1.1.4 escaped NULs"},
		// Host and port.
		{"sip:bob@[2001:db8::1]", "sip:bob@[2001:DB8:0:0::1]", true, "IPv6 references compare as addresses"},
		{"sip:bob@[2001:db8::1]", "sip:bob@[2001:db8::2]", false, "different IPv6 addresses"},
		{"sip:bob@192.0.2.4", "sip:bob@192.0.2.4:5060", false, "port present in only one"},
		{"sip:bob@biloxi.com:5060", "sip:bob@biloxi.com:05060", true, "same port"},
		{"sip:bob@biloxi.com.", "sip:bob@biloxi.com", false, "trailing dot is compared as text"},
		// Parameters.
		{"sip:h;user=phone", "sip:h;user=ip", false, "different user parameters"},
		{"sip:h;user=phone", "sip:h", false, "user parameter in only one"},
		{"sip:h;ttl=11", "sip:h;ttl=10", false, "different ttl parameters"},
		{"sip:h", "sip:h;ttl=10", false, "ttl parameter in only one"},
		{"sip:h", "sip:h;method=INVITE", false, "method parameter in only one"},
		{"sip:h;method=INVITE", "sip:h;method=invite", true, "values ignore case"},
		{"sip:h;maddr=239.255.255.1", "sip:h", false, "maddr parameter in only one"},
		{"sip:h;%74ransport=TCP", "sip:h;transport=tcp", true, "escaped name"},
		{"sip:h;lr", "sip:h", true, "lr in only one is ignored"},
		{"sip:h;lr", "sip:h;lr=on", false, "a value against no value"},
		{"sip:h;x=%61", "sip:h;x=A", true, "escaped unreserved value, case ignored"},
		{"sip:h;x=a%2Fb", "sip:h;x=a/b", false, "escaped reserved character differs from itself"},
		{"sip:h;x=a%2fb", "sip:h;x=a%2Fb", true, "escape hex digits ignore case"},
		{"sip:h;a=1;b=2", "sip:h;b=2;a=1", true, "order of parameters"},
		// Headers.
		{"sip:h?a=1&b=2", "sip:h?b=2&a=1", true, "order of headers"},
		{"sip:h?A=x", "sip:h?a=X", true, "headers ignore case"},
		{"sip:h?a=1&a=1", "sip:h?a=1", false, "repeated header"},
		{"sip:h?a=1&a=2", "sip:h?a=2&a=1", true, "repeated header in another order"},
		{"sip:h?a=1&a=1", "sip:h?a=1&a=2", false, "same names, different multiset"},
		{"sip:h?subject=a%20b", "sip:h?subject=a%20c", false, "different header values"},
		{"sip:h?subject=a%20b", "sip:h?subject=a%20B", true, "header values ignore case"},
		// tel, RFC 3966 4.
		{"tel:+1-201-555-0123", "tel:+12015550123", true, "visual separators ignored"},
		{"tel:+1-201-555-0123", "tel:+1.201.(555).0123", true, "visual separators ignored"},
		{"tel:+12015550123", "tel:+12015550124", false, "different numbers"},
		{"tel:+1201", "tel:1201;phone-context=+1", false, "global against local"},
		{"tel:7042;phone-context=Example.COM", "tel:7042;phone-context=example.com", true, "domain context ignores case"},
		{"tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555", true, "digit context without separators"},
		{"tel:7042;phone-context=example.com", "tel:7042;phone-context=example.org", false, "different contexts"},
		{"tel:abcd;phone-context=example.com", "tel:ABCD;phone-context=example.com", true, "hex digits ignore case"},
		{"tel:+1;ext=1-2", "tel:+1;ext=12", true, "extension without separators"},
		{"tel:+1;a=1;b=2", "tel:+1;B=2;A=1", true, "parameters in any order"},
		{"tel:+1;a=1", "tel:+1", false, "a parameter in only one"},
		{"tel:+1", "tel:+1;a=1", false, "a parameter in only one"},
		{"tel:+1;a=1", "tel:+1;a=2", false, "different values"},
		{"tel:+1;a=x", "tel:+1;a=%58", true, "escaped value, case ignored"},
		// Across kinds, other schemes.
		{"tel:+1", "sip:+1@h;user=phone", false, "different schemes"},
		{"isbn:2983792873", "ISBN:2983792873", true, "scheme ignores case"},
		{"name:John_Smith", "name:john_smith", false, "opaque part is compared byte for byte"},
		{"http://www.example.com", "https://www.example.com", false, "different schemes"},
	}
	for _, tt := range tests {
		a, b := mustParse(t, tt.a), mustParse(t, tt.b)
		if got := a.Equal(b); got != tt.want {
			t.Errorf("Parse(%q).Equal(Parse(%q)) = %v, want %v (%s)", tt.a, tt.b, got, tt.want, tt.why)
		}
		if got := b.Equal(a); got != tt.want {
			t.Errorf("Parse(%q).Equal(Parse(%q)) = %v, want %v (%s; symmetry)", tt.b, tt.a, got, tt.want, tt.why)
		}
		for _, u := range []URI{a, b} {
			if !u.Equal(u) {
				t.Errorf("%q.Equal(itself) = false, want true", u)
			}
		}
	}
}

// TestEqualHandBuilt checks that Equal never panics on fields that Parse
// would never produce.
func TestEqualHandBuilt(t *testing.T) {
	odd := []URI{
		{},
		{Scheme: "sip", Params: "no-leading-semicolon;=;;x=", Headers: "&&=?=="},
		{Scheme: "sip", Params: ";%", Headers: "?%4"},
		{Scheme: "tel", User: "", Params: ";phone-context"},
		{Scheme: "sip", Host: "[", Port: -1},
		{Scheme: "SIP", Host: "[]"},
	}
	for _, a := range odd {
		for _, b := range odd {
			_ = a.Equal(b)
		}
		_ = a.String()
		_ = a.AOR()
		_, _ = a.Param("x")
		_, _ = a.Header("x")
		_ = a.WithParam("x", "y").WithoutParam("x")
		for range a.AllParams() {
		}
		for range a.AllHeaders() {
		}
	}
}
