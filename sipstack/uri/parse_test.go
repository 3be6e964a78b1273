package uri

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want URI
		str  string // String() of the result; "" means in itself
	}{
		// SIP: user, no user, password, hosts, port.
		{in: "sip:bob@biloxi.example.com", want: URI{Scheme: "sip", User: "bob", Host: "biloxi.example.com"}},
		{in: "sip:biloxi.example.com", want: URI{Scheme: "sip", Host: "biloxi.example.com"}},
		{in: "sips:bob@biloxi.example.com", want: URI{Scheme: "sips", User: "bob", Host: "biloxi.example.com"}},
		{in: "SIP:ALICE@AtLanTa.CoM", want: URI{Scheme: "sip", User: "ALICE", Host: "AtLanTa.CoM"}, str: "sip:ALICE@AtLanTa.CoM"},
		{in: "sip:alice:secretword@atlanta.com;transport=tcp", want: URI{Scheme: "sip", User: "alice", Password: "secretword", Host: "atlanta.com", Params: ";transport=tcp"}},
		// An empty password is allowed (password = *( ... )) and not kept.
		{in: "sip:alice:@atlanta.com", want: URI{Scheme: "sip", User: "alice", Host: "atlanta.com"}, str: "sip:alice@atlanta.com"},
		{in: "sip:alice@192.0.2.4", want: URI{Scheme: "sip", User: "alice", Host: "192.0.2.4"}},
		{in: "sip:alice@192.0.2.4:5060", want: URI{Scheme: "sip", User: "alice", Host: "192.0.2.4", Port: 5060}},
		{in: "sip:[2001:db8::1]", want: URI{Scheme: "sip", Host: "[2001:db8::1]"}},
		{in: "sip:bob@[2001:DB8::1]:5061;transport=tls", want: URI{Scheme: "sip", User: "bob", Host: "[2001:DB8::1]", Port: 5061, Params: ";transport=tls"}},
		{in: "sip:[::ffff:192.0.2.1]", want: URI{Scheme: "sip", Host: "[::ffff:192.0.2.1]"}},
		{in: "sip:bob@biloxi.com:6000", want: URI{Scheme: "sip", User: "bob", Host: "biloxi.com", Port: 6000}},
		// Leading zeros of a port are dropped.
		{in: "sip:bob@biloxi.com:05060", want: URI{Scheme: "sip", User: "bob", Host: "biloxi.com", Port: 5060}, str: "sip:bob@biloxi.com:5060"},
		{in: "sip:bob@biloxi.com:65535", want: URI{Scheme: "sip", User: "bob", Host: "biloxi.com", Port: 65535}},
		{in: "sip:host.example.com.", want: URI{Scheme: "sip", Host: "host.example.com."}},
		{in: "sip:a-b.c-d9.e", want: URI{Scheme: "sip", Host: "a-b.c-d9.e"}},
		{in: "sip:localhost", want: URI{Scheme: "sip", Host: "localhost"}},
		{in: "sip:1.example.com", want: URI{Scheme: "sip", Host: "1.example.com"}},
		{in: "sip:+1-212-555-1212:1234@gateway.com;user=phone", want: URI{Scheme: "sip", User: "+1-212-555-1212", Password: "1234", Host: "gateway.com", Params: ";user=phone"}},

		// Parameters with and without values, headers.
		{in: "sip:bob@biloxi.example.com;transport=tcp", want: URI{Scheme: "sip", User: "bob", Host: "biloxi.example.com", Params: ";transport=tcp"}},
		{in: "sip:p1.example.com;lr", want: URI{Scheme: "sip", Host: "p1.example.com", Params: ";lr"}},
		{in: "sip:alice@atlanta.com;maddr=239.255.255.1;ttl=15;lr;method=INVITE", want: URI{Scheme: "sip", User: "alice", Host: "atlanta.com", Params: ";maddr=239.255.255.1;ttl=15;lr;method=INVITE"}},
		{in: "sip:h;maddr=[2001:db8::9]", want: URI{Scheme: "sip", Host: "h", Params: ";maddr=[2001:db8::9]"}},
		{in: "sip:alice@atlanta.com?subject=project%20x&priority=urgent", want: URI{Scheme: "sip", User: "alice", Host: "atlanta.com", Headers: "?subject=project%20x&priority=urgent"}},
		{in: "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", want: URI{Scheme: "sip", Host: "biloxi.com", Params: ";transport=tcp;method=REGISTER", Headers: "?to=sip:bob%40biloxi.com"}},
		{in: "sip:h?empty=", want: URI{Scheme: "sip", Host: "h", Headers: "?empty="}},
		{in: "sip:h:5060?a=b&c=d", want: URI{Scheme: "sip", Host: "h", Port: 5060, Headers: "?a=b&c=d"}},

		// Escapes: unescaped once in the user part, kept in parameters.
		{in: "sip:%61lice@atlanta.com", want: URI{Scheme: "sip", User: "alice", Host: "atlanta.com"}, str: "sip:alice@atlanta.com"},
		{in: "sip:I%20have%20spaces@example.net", want: URI{Scheme: "sip", User: "I have spaces", Host: "example.net"}},
		{in: "sip:a%3ab@h", want: URI{Scheme: "sip", User: "a:b", Host: "h"}, str: "sip:a%3Ab@h"},
		{in: "sip:100%25@h", want: URI{Scheme: "sip", User: "100%", Host: "h"}},
		{in: "sip:u:p%40ss@h", want: URI{Scheme: "sip", User: "u", Password: "p@ss", Host: "h"}},
		{in: "sip:h;n%61me=v%61lue", want: URI{Scheme: "sip", Host: "h", Params: ";n%61me=v%61lue"}},

		// tel (RFC 3966 3).
		{in: "tel:+1-201-555-0123", want: URI{Scheme: "tel", User: "+1-201-555-0123"}},
		{in: "TEL:+12015550123", want: URI{Scheme: "tel", User: "+12015550123"}, str: "tel:+12015550123"},
		{in: "tel:7042;phone-context=example.com", want: URI{Scheme: "tel", User: "7042", Params: ";phone-context=example.com"}},
		{in: "tel:863-1234;phone-context=+1-914-555", want: URI{Scheme: "tel", User: "863-1234", Params: ";phone-context=+1-914-555"}},
		{in: "tel:+1-201-555-0123;ext=1234;isub=8978;foo=b%61r;flag", want: URI{Scheme: "tel", User: "+1-201-555-0123", Params: ";ext=1234;isub=8978;foo=b%61r;flag"}},
		{in: "tel:*67#;phone-context=example.com", want: URI{Scheme: "tel", User: "*67#", Params: ";phone-context=example.com"}},
		{in: "tel:+(1)201.555.0123", want: URI{Scheme: "tel", User: "+(1)201.555.0123"}},

		// Other schemes stay opaque (RFC 4475 3.3.2-3.3.4).
		{in: "nobodyKnowsThisScheme:totallyopaquecontent", want: URI{Scheme: "nobodyknowsthisscheme", Opaque: "totallyopaquecontent"}, str: "nobodyknowsthisscheme:totallyopaquecontent"},
		{in: "soap.beep://192.0.2.103:3002", want: URI{Scheme: "soap.beep", Opaque: "//192.0.2.103:3002"}},
		{in: "isbn:2983792873", want: URI{Scheme: "isbn", Opaque: "2983792873"}},
		{in: "http://www.example.com", want: URI{Scheme: "http", Opaque: "//www.example.com"}},
		{in: "name:John_Smith", want: URI{Scheme: "name", Opaque: "John_Smith"}},
		{in: "mailto:alice@example.com?subject=hi%20there", want: URI{Scheme: "mailto", Opaque: "alice@example.com?subject=hi%20there"}},
		{in: "http://[2001:db8::1]:80/a;b?c", want: URI{Scheme: "http", Opaque: "//[2001:db8::1]:80/a;b?c"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		str := tt.str
		if str == "" {
			str = tt.in
		}
		if s := got.String(); s != str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, str)
		}
	}
}

// TestParseTorture parses the URIs of the RFC 4475 torture messages.
func TestParseTorture(t *testing.T) {
	tests := []struct {
		name string // RFC 4475 test and section
		in   string
		want URI
	}{
		{"esc01 3.1.1.3 R-URI", "sip:sips%3Auser%40example.com@example.net",
			URI{Scheme: "sip", User: "sips:user@example.com", Host: "example.net"}},
		{"esc01 3.1.1.3 To", "sip:%75se%72@example.com",
			URI{Scheme: "sip", User: "user", Host: "example.com"}},
		{"esc01 3.1.1.3 Contact", "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
			URI{Scheme: "sip", User: "caller", Host: "host5.example.net", Params: ";%6C%72;n%61me=v%61lue%25%34%31"}},
		{"escnull 3.1.1.4 To", "sip:null-%00-null@example.com",
			URI{Scheme: "sip", User: "null-\x00-null", Host: "example.com"}},
		{"escnull 3.1.1.4 Contact 1", "sip:%00@host5.example.com",
			URI{Scheme: "sip", User: "\x00", Host: "host5.example.com"}},
		{"escnull 3.1.1.4 Contact 2", "sip:%00%00@host5.example.com",
			URI{Scheme: "sip", User: "\x00\x00", Host: "host5.example.com"}},
		{"semiuri 3.1.1.9", "sip:user;par=u%40example.net@example.com",
			URI{Scheme: "sip", User: "user;par=u@example.net", Host: "example.com"}},
		{"intmeth 3.1.1.2", "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
			URI{Scheme: "sip", User: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", Password: "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", Host: "example.com"}},
		{"longreq 3.1.1.7", "sip:user@example.com:6000;unknownparam1=verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongvalue;longparamnamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename=shortvalue;verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue",
			URI{Scheme: "sip", User: "user", Host: "example.com", Port: 6000, Params: ";unknownparam1=verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongvalue;longparamnamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename=shortvalue;verylonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglongParameterNameWithNoValue"}},
		{"unkscm 3.3.2", "nobodyKnowsThisScheme:totallyopaquecontent",
			URI{Scheme: "nobodyknowsthisscheme", Opaque: "totallyopaquecontent"}},
		{"novelsc 3.3.3", "soap.beep://192.0.2.103:3002",
			URI{Scheme: "soap.beep", Opaque: "//192.0.2.103:3002"}},
		{"unksm2 3.3.4 To", "isbn:2983792873", URI{Scheme: "isbn", Opaque: "2983792873"}},
		{"unksm2 3.3.4 From", "http://www.example.com", URI{Scheme: "http", Opaque: "//www.example.com"}},
		{"unksm2 3.3.4 Contact", "name:John_Smith", URI{Scheme: "name", Opaque: "John_Smith"}},
		{"cparam02 3.3.13", "sip:+19725552222@gw1.example.net;unknownparam",
			URI{Scheme: "sip", User: "+19725552222", Host: "gw1.example.net", Params: ";unknownparam"}},
		{"regescrt 3.3.14", "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
			URI{Scheme: "sip", User: "user", Host: "example.com", Headers: "?Route=%3Csip:sip.example.com%3E"}},
		// escruri 3.1.2.11: syntactically a SIP URI with headers; refusing
		// headers in a Request-URI is the message parser's job.
		{"escruri 3.1.2.11", "sip:user@example.com?Route=%3Csip:example.com%3E",
			URI{Scheme: "sip", User: "user", Host: "example.com", Headers: "?Route=%3Csip:example.com%3E"}},
		// The only "@" ends the userinfo, even after a "?" (user-unreserved).
		{"user with ?", "sip:h?a=b@c", URI{Scheme: "sip", User: "h?a=b", Host: "c"}},
		{"bcast 3.3.10", "sip:255.255.255.255", URI{Scheme: "sip", Host: "255.255.255.255"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("%s: Parse(%q) error: %v", tt.name, tt.in, err)
		} else if got != tt.want {
			t.Errorf("%s: Parse(%q) = %#v, want %#v", tt.name, tt.in, got, tt.want)
		}
	}
	// esc01: the value is unescaped once, never twice.
	u := mustParse(t, "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31")
	if !u.HasParam("lr") {
		t.Errorf("esc01: HasParam(%q) = false for ;%%6C%%72, want true", "lr")
	}
	if v, ok := u.Param("name"); v != "value%41" || !ok {
		t.Errorf("esc01: Param(%q) = %q, %v, want %q, true (unescape once, never valueA)", "name", v, ok, "value%41")
	}
	// escnull: the two contacts stay distinct, and the AOR is not cut at NUL.
	a := mustParse(t, "sip:%00@host5.example.com")
	b := mustParse(t, "sip:%00%00@host5.example.com")
	if a.Equal(b) {
		t.Errorf("escnull: %q.Equal(%q) = true, want false", a, b)
	}
	n := mustParse(t, "sip:null-%00-null@example.com")
	if got, want := n.AOR(), "sip:null-%00-null@example.com"; got != want {
		t.Errorf("escnull: AOR() = %q, want %q", got, want)
	}
}

// mustParse parses s or fails the test.
func mustParse(t testing.TB, s string) URI {
	t.Helper()
	u, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", s, err)
	}
	return u
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in     string
		err    error
		offset int
	}{
		{"", ErrEmpty, 0},
		{"sip:" + strings.Repeat("a", MaxLength), ErrTooLong, MaxLength},
		// Scheme.
		{"bob@biloxi.com", ErrScheme, 3},
		{"1sip:bob@biloxi.com", ErrScheme, 0},
		{":bob@biloxi.com", ErrScheme, 0},
		{"sip", ErrScheme, 3},
		{"si_p:x", ErrScheme, 2},
		// RFC 4475 3.1.2.7 (ltgtruri) and 3.1.2.8 (lwsruri).
		{"<sip:user@example.com>", ErrAngleBracket, 0},
		{"sip:user@example.com>", ErrAngleBracket, 20},
		{"sip:user@example.com; lr", ErrWhitespace, 21},
		{" sip:user@example.com", ErrWhitespace, 0},
		{"sip:user@example.com ", ErrWhitespace, 20},
		{"sip:us er@example.com", ErrWhitespace, 6},
		{"sip:user@example.com;\r\n lr", ErrWhitespace, 21},
		{"sip:user@example.com;transport=\ttcp", ErrWhitespace, 31},
		{"tel:+1 201", ErrWhitespace, 6},
		{"foo:bar baz", ErrWhitespace, 7},
		// User and password.
		{"sip:@biloxi.com", ErrUser, 4},
		{"sip::pw@biloxi.com", ErrUser, 4},
		{"sip:bo\"b@biloxi.com", ErrUser, 6},
		{"sip:bob:p:w@biloxi.com", ErrPassword, 9},
		{"sip:bob:p;w@biloxi.com", ErrPassword, 9},
		// Escapes.
		{"sip:a%zz@b", ErrEscape, 5},
		{"sip:a%4@b", ErrEscape, 5},
		{"sip:bob:%G0@b", ErrEscape, 8},
		{"sip:b;x=%", ErrEscape, 8},
		{"sip:b;%2=1", ErrEscape, 6},
		{"sip:b?h=%%", ErrEscape, 8},
		{"foo:%", ErrEscape, 4},
		// Host.
		{"sip:", ErrHost, 4},
		{"sip:bob@", ErrHost, 8},
		{"sip:bob@:5060", ErrHost, 8},
		{"sip:;lr", ErrHost, 4},
		{"sip:bob@-biloxi.com", ErrHost, 8},
		{"sip:bob@biloxi-.com", ErrHost, 8},
		{"sip:bob@biloxi..com", ErrHost, 8},
		{"sip:bob@biloxi.com..", ErrHost, 8},
		{"sip:bob@.", ErrHost, 8},
		{"sip:bob@biloxi.1com", ErrHost, 8},
		{"sip:bob@bi_loxi.com", ErrHost, 10},
		{"sip:bob@256.0.0.1", ErrHost, 8},
		{"sip:bob@1.2.3", ErrHost, 8},
		{"sip:bob@1.2.3.4.5", ErrHost, 8},
		{"sip:bob@1.2.3.0004", ErrHost, 8},
		{"sip:bob@[2001:db8::1", ErrHost, 8},
		{"sip:bob@[]", ErrHost, 8},
		{"sip:bob@[192.0.2.1]", ErrHost, 8},
		{"sip:bob@[fe80::1%25eth0]", ErrHost, 8},
		{"sip:bob@[2001:db8::1::2]", ErrHost, 8},
		{"sip:bob@[2001:db8::1]x", ErrHost, 21},
		{"sip:bob@host@x", ErrHost, 12},
		{"sip:bob@host/x", ErrHost, 12},
		// Port.
		{"sip:bob@biloxi.com:", ErrPort, 19},
		{"sip:bob@biloxi.com:0", ErrPort, 19},
		{"sip:bob@biloxi.com:65536", ErrPort, 19},
		{"sip:bob@biloxi.com:99999999999999999999999", ErrPort, 19},
		{"sip:bob@biloxi.com:50x60", ErrPort, 21},
		{"sip:bob@biloxi.com:-1", ErrPort, 19},
		{"sip:bob@biloxi.com:5060:5060", ErrPort, 23},
		// Parameters.
		{"sip:h;", ErrParam, 6},
		{"sip:h;;lr", ErrParam, 6},
		{"sip:h;=x", ErrParam, 6},
		{"sip:h;x=", ErrParam, 8},
		{"sip:h;x=;y", ErrParam, 8},
		{"sip:h;x=a=b", ErrParam, 9},
		{"sip:h;x=<a>", ErrAngleBracket, 8},
		{"sip:h;x=a\"", ErrParam, 9},
		{"sip:h;lr;LR", ErrDuplicateParam, 9},
		{"sip:h;transport=tcp;%74ransport=udp", ErrDuplicateParam, 20},
		{"sip:h;p" + paramsN(MaxParams), ErrDuplicateParam, 8},
		{"sip:h" + paramsN(MaxParams+1), ErrTooManyParams, 5 + len(paramsN(MaxParams))},
		// Headers.
		{"sip:h?", ErrHeader, 6},
		{"sip:h?a", ErrHeader, 7},
		{"sip:h?=b", ErrHeader, 6},
		{"sip:h?a=b&", ErrHeader, 10},
		{"sip:h?a=b=c", ErrHeader, 9},
		{"sip:h?a=b;c", ErrHeader, 9},
		{"sip:u@h?a=b@c", ErrHeader, 11},
		// tel.
		{"tel:", ErrTelNumber, 4},
		{"tel:+", ErrTelNumber, 4},
		{"tel:+-.", ErrTelNumber, 4},
		{"tel:7042", ErrTelNumber, 4},
		{"tel:--;phone-context=example.com", ErrTelNumber, 4},
		{"tel:+1x", ErrTelNumber, 6},
		{"tel:+1?a=b", ErrTelNumber, 6},
		{"tel:+1;", ErrParam, 7},
		{"tel:+1;a_b=1", ErrParam, 8},
		{"tel:+1;ext=", ErrParam, 11},
		{"tel:+1;ext=12a", ErrParam, 13},
		{"tel:+1;ext", ErrParam, 10},
		{"tel:+1;x=1;X=2", ErrDuplicateParam, 11},
		{"tel:123;phone-context=", ErrParam, 22},
		{"tel:123;phone-context=+", ErrParam, 22},
		{"tel:123;phone-context=a..b", ErrParam, 22},
		// Other schemes.
		{"foo:", ErrOpaque, 4},
		{"foo:a#frag", ErrOpaque, 5},
		{"foo:a\"b", ErrOpaque, 5},
		{"foo:\x00", ErrOpaque, 4},
	}
	for _, tt := range tests {
		u, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %#v, nil, want error %v", tt.in, u, tt.err)
			continue
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error is %T, want *Error", tt.in, err)
		} else if pe.Offset != tt.offset {
			t.Errorf("Parse(%q) error offset = %d, want %d (%v)", tt.in, pe.Offset, tt.offset, err)
		}
		if u != (URI{}) {
			t.Errorf("Parse(%q) = %#v with an error, want the zero URI", tt.in, u)
		}
	}
}

// paramsN returns n distinct flag parameters ";p0;p1...".
func paramsN(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(";p")
		b.WriteString(strings.Repeat("x", i))
	}
	return b.String()
}

func TestParseLimits(t *testing.T) {
	// Exactly MaxLength bytes are accepted.
	mustParse(t, "sip:"+strings.Repeat("a", MaxLength-4))
	// MaxParams parameters and MaxParams headers are accepted.
	mustParse(t, "sip:h"+paramsN(MaxParams))
	h := "?h0=" + strings.Repeat("&h=", MaxParams-1)
	mustParse(t, "sip:h"+h)
	if _, err := Parse("sip:h" + h + "&h="); !errors.Is(err, ErrTooManyParams) {
		t.Errorf("Parse with %d headers: error %v, want %v", MaxParams+1, err, ErrTooManyParams)
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"sip:bob@biloxi.com:99999", `uri: bad port at offset 19 near "99999"`},
		{"", "uri: empty at offset 0"},
		{"sip:bob@biloxi.com;x=a;X=b", `uri: parameter given twice at offset 23 near "X=b"`},
		{"<sip:a@b.c.d.e.f.g.h.i.j>", `uri: angle bracket (pass the bare URI) at offset 0 near "<sip:a@b.c.d.e.f"`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) error = %v, want %s", tt.in, err, tt.want)
		}
	}
	if got, want := (&Error{Offset: 3}).Error(), "uri: error at offset 3"; got != want {
		t.Errorf("Error{Offset: 3}.Error() = %q, want %q", got, want)
	}
}

// TestParseEscapeWhereNotAllowed checks that a well-formed escape where the
// grammar has none is reported as a fault of that component, not as a bad
// escape.
func TestParseEscapeWhereNotAllowed(t *testing.T) {
	tests := []struct {
		in  string
		err error
	}{
		{"tel:+1%41", ErrTelNumber},
		{"sip:b%61d.example.com", ErrHost},
		{"s%69p:x", ErrScheme},
		{"tel:+1;p%41=1", ErrParam},
	}
	for _, tt := range tests {
		if _, err := Parse(tt.in); !errors.Is(err, tt.err) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.err)
		}
	}
}
