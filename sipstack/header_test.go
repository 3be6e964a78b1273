package sipstack

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalHeaderName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"via", "Via"}, {"V", "Via"}, {"v", "Via"}, {"VIA", "Via"},
		{"cseq", "CSeq"}, {"CSEQ", "CSeq"},
		{"call-id", "Call-ID"}, {"i", "Call-ID"},
		{"m", "Contact"}, {"e", "Content-Encoding"}, {"l", "Content-Length"},
		{"c", "Content-Type"}, {"f", "From"}, {"s", "Subject"}, {"k", "Supported"},
		{"t", "To"}, {"o", "Event"}, {"r", "Refer-To"}, {"u", "Allow-Events"},
		{"x", "Session-Expires"}, {"y", "Identity"}, {"b", "Referred-By"},
		{"j", "Reject-Contact"}, {"d", "Request-Disposition"}, {"a", "Accept-Contact"},
		{"www-authenticate", "WWW-Authenticate"}, {"max-forwards", "Max-Forwards"},
		{"Refer-To", "Refer-To"}, {"reply-to", "Reply-To"},
		{"record-route", "Record-Route"}, {"mime-version", "MIME-Version"},
		// Unknown names are returned unchanged.
		{"X-Custom", "X-Custom"}, {"C%6Fntact", "C%6Fntact"}, {"z", "z"}, {"", ""},
		{"Viaa", "Viaa"}, {"Tox", "Tox"},
	}
	for _, tt := range tests {
		if got := CanonicalHeaderName(tt.in); got != tt.want {
			t.Errorf("CanonicalHeaderName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHeaderTable checks that every entry of the one name table is found
// by its long and compact names in any case.
func TestHeaderTable(t *testing.T) {
	for id := hdr(1); id < hCount; id++ {
		e := headerTable[id]
		require.NotEmpty(t, e.name, "table entry %d is empty", id)
		for _, n := range []string{e.name, strings.ToLower(e.name), strings.ToUpper(e.name)} {
			if got := lookupHeader(n); got != id {
				t.Errorf("lookupHeader(%q) = %d, want %d", n, got, id)
			}
		}
		if e.compact != 0 {
			c, ok := CompactHeaderName(e.name)
			if !ok || c != string(e.compact) {
				t.Errorf("CompactHeaderName(%q) = %q, %v, want %q", e.name, c, ok, string(e.compact))
			}
			if got := lookupHeader(strings.ToUpper(c)); got != id {
				t.Errorf("lookupHeader(%q) = %d, want %d", strings.ToUpper(c), got, id)
			}
		}
	}
}

func TestParseVia(t *testing.T) {
	tests := []struct {
		in   string
		want Via
	}{
		{"SIP/2.0/UDP host.example.com", Via{"UDP", "host.example.com", 0, ""}},
		{"SIP/2.0/TCP 192.0.2.1:5061;branch=z9hG4bK1", Via{"TCP", "192.0.2.1", 5061, ";branch=z9hG4bK1"}},
		{"sip / 2.0 / tls [2001:db8::1]:5061 ; branch = z9 ; rport", Via{"tls", "[2001:db8::1]", 5061, ";branch=z9;rport"}},
		{"SIP/2.0/UDP h;received=192.0.2.9;rport=5070;maddr=224.2.0.1;ttl=16;x",
			Via{"UDP", "h", 0, ";received=192.0.2.9;rport=5070;maddr=224.2.0.1;ttl=16;x"}},
		{"SIP/2.0/SCTP h;x=\"a;b\"", Via{"SCTP", "h", 0, ";x=\"a;b\""}},
	}
	for _, tt := range tests {
		got, err := ParseVia(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseVia(%q) = %+v, %v, want %+v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", "SIP/2.0", "SIP/2.0/UDP", "SIP/3.0/UDP h", "HTTP/2.0/UDP h", "SIP/2.0/UDP h;",
		"SIP/2.0/UDP h;;x", "SIP/2.0/UDP h:99999", "SIP/2.0/UDP h:port", "SIP/2.0/UDP [::1",
		"SIP/2.0/UDPh", "SIP/2.0/UDP h, SIP/2.0/UDP g", "SIP/2.0/UDP h;x=", "SIP/2.0/UDP h x",
	}
	for _, in := range bad {
		if v, err := ParseVia(in); !errors.Is(err, ErrHeaderSyntax) {
			t.Errorf("ParseVia(%q) = %+v, %v, want ErrHeaderSyntax", in, v, err)
		}
	}
}

func TestViaParams(t *testing.T) {
	v, err := ParseVia("SIP/2.0/UDP h;branch=z9hG4bKx;received=192.0.2.9;rport;maddr=224.2.0.1;ttl=16")
	require.NoError(t, err)
	assert.Equal(t, "z9hG4bKx", v.Branch())
	assert.Equal(t, "192.0.2.9", v.Received())
	assert.Equal(t, "224.2.0.1", v.Maddr())
	port, ok := v.RPort()
	assert.True(t, ok, "bare rport is present")
	assert.Equal(t, 0, port)
	ttl, ok := v.TTL()
	assert.True(t, ok)
	assert.Equal(t, 16, ttl)

	v, err = ParseVia("SIP/2.0/UDP h:5060;rport=5070")
	require.NoError(t, err)
	port, ok = v.RPort()
	assert.True(t, ok)
	assert.Equal(t, 5070, port)
	assert.Equal(t, "h:5060", v.SentBy())
	_, ok = v.TTL()
	assert.False(t, ok)
	assert.Equal(t, "SIP/2.0/UDP h:5060;rport=5070", v.String())
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in                   string
		display, uri, params string
	}{
		{"<sip:a@b>", "", "sip:a@b", ""},
		{"sip:a@b;tag=1", "", "sip:a@b", ";tag=1"},
		{`"A \"B\"" <sip:a@b;lr>;tag=x`, `A "B"`, "sip:a@b;lr", ";tag=x"},
		{"Alice Smith <sip:a@b> ; tag = 7", "Alice Smith", "sip:a@b", ";tag=7"},
		{"caller<sip:a@b>", "caller", "sip:a@b", ""},               // RFC 4475 3.1.1.6
		{"sip:a@b;unknownparam", "", "sip:a@b", ";unknownparam"},   // RFC 4475 3.3.12
		{"<sip:a@b;unknownparam>", "", "sip:a@b;unknownparam", ""}, // RFC 4475 3.3.13
		{"<tel:+1-201-555-0123>", "", "tel:+1-201-555-0123", ""},
		{`<sip:a@b>;+sip.instance="<urn:uuid:1>"`, "", "sip:a@b", `;+sip.instance="<urn:uuid:1>"`},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		if err != nil || a.DisplayName != tt.display || a.URI.String() != tt.uri || string(a.Params) != tt.params {
			t.Errorf("ParseAddress(%q) = %q %q %q, %v, want %q %q %q", tt.in,
				a.DisplayName, a.URI.String(), a.Params, err, tt.display, tt.uri, tt.params)
		}
	}
	bad := []string{
		"", `"unterminated <sip:a@b>`, "< sip:a@b >", "<sip:a@b", "sip:a@b?x=y",
		"Bell, Alexander <sip:a@b>", "a b sip:a@b", "<sip:a@b>;", "<sip:a@b> x", "<nosscheme>",
		"dis<play <sip:a@b>",
	}
	for _, in := range bad {
		if a, err := ParseAddress(in); !errors.Is(err, ErrHeaderSyntax) {
			t.Errorf("ParseAddress(%q) = %+v, %v, want ErrHeaderSyntax", in, a, err)
		}
	}
}

func TestAddressString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:a@b;tag=1", "<sip:a@b>;tag=1"},
		{`"A \"B\"" <sip:a@b>`, `"A \"B\"" <sip:a@b>`},
		{"caller<sip:a@b>", `"caller" <sip:a@b>`},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		require.NoError(t, err)
		if got := a.String(); got != tt.want {
			t.Errorf("ParseAddress(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestContacts(t *testing.T) {
	h := NewHeader([]HeaderField{
		{"Contact", `<sip:a@b>;expires=3600;q=0.7, "X" <sip:c@d>`},
		{"Contact", "sip:e@f;q=1"},
	}...)
	cs, err := h.Contacts()
	require.NoError(t, err)
	require.Len(t, cs, 3)
	exp, ok := cs[0].Expires()
	assert.True(t, ok)
	assert.Equal(t, uint32(3600), exp)
	q, ok := cs[0].Q()
	assert.True(t, ok)
	assert.Equal(t, 700, q)
	assert.Equal(t, "X", cs[1].DisplayName)
	_, ok = cs[1].Q()
	assert.False(t, ok)
	q, _ = cs[2].Q()
	assert.Equal(t, 1000, q)

	cs, err = NewHeader([]HeaderField{{"Contact", "*"}}...).Contacts()
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.True(t, cs[0].Star)
	assert.Equal(t, "*", cs[0].String())

	for _, v := range []string{"<sip:a@b>;q=1.5", "<sip:a@b>;expires=99999999999", "<sip:a@b>;;", "<sip:a@b>,"} {
		if _, err := (NewHeader([]HeaderField{{"Contact", v}}...)).Contacts(); err == nil {
			t.Errorf("Contacts(%q) succeeded, want an error", v)
		}
	}
}

func TestQValue(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"0", 0, true}, {"1", 1000, true}, {"0.5", 500, true}, {"0.333", 333, true},
		{"1.000", 1000, true}, {"1.001", 0, false}, {"0.1234", 0, false}, {"2", 0, false},
		{".5", 0, false}, {"", 0, false}, {"0.a", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseQValue(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseQValue(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCSeq(t *testing.T) {
	tests := []struct {
		in   string
		want CSeq
		ok   bool
	}{
		{"1 INVITE", CSeq{1, "INVITE"}, true},
		{"0009   INVITE", CSeq{9, "INVITE"}, true},
		{"4294967295 ACK", CSeq{4294967295, "ACK"}, true},
		{"4294967296 ACK", CSeq{}, false},
		{"36893488147419103232 REGISTER", CSeq{}, false},
		{"-1 INVITE", CSeq{}, false},
		{"1INVITE", CSeq{}, false},
		{"1", CSeq{}, false},
		{"INVITE", CSeq{}, false},
		{"1 INV ITE", CSeq{}, false},
	}
	for _, tt := range tests {
		got, err := ParseCSeq(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseCSeq(%q) = %+v, %v, want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParams(t *testing.T) {
	p := Params(`;lr;transport=TCP;x="a;b\"c"`)
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"lr", "", true}, {"LR", "", true}, {"transport", "TCP", true},
		{"x", `a;b"c`, true}, {"y", "", false}, {"l", "", false},
	}
	for _, tt := range tests {
		got, ok := p.Get(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Params(%q).Get(%q) = %q, %v, want %q, %v", p, tt.name, got, ok, tt.want, tt.ok)
		}
	}
	assert.Equal(t, 3, p.Len())
	var names []string
	for n := range p.All() {
		names = append(names, n)
	}
	assert.Equal(t, []string{"lr", "transport", "x"}, names)
	assert.Equal(t, Params(`;lr;transport=UDP;x="a;b\"c"`), p.Set("Transport", "UDP"))
	assert.Equal(t, Params(`;lr;transport=TCP;x="a;b\"c";branch=z9`), p.Set("branch", "z9"))
	assert.Equal(t, Params(`;lr;transport=TCP;x="a;b\"c";d="a b"`), p.Set("d", "a b"))
	assert.Equal(t, Params(`;lr;x="a;b\"c"`), p.Del("transport"))
	assert.Equal(t, p, p.Del("nothere"))
}

func TestParseParamsCanonical(t *testing.T) {
	tests := []struct {
		in   string
		want Params
		ok   bool
	}{
		{"", "", true},
		{";a", ";a", true},
		{" ; a = 1 ;b", ";a=1;b", true},
		{";a=\"x y\" ; b", ";a=\"x y\";b", true},
		{";a=[2001:db8::1]", ";a=[2001:db8::1]", true},
		{";", "", false}, {";;a", "", false}, {";a=", "", false}, {"a", "", false},
		{";a=\"x", "", false}, {";a b", "", false},
	}
	for _, tt := range tests {
		got, ok := parseParams(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseParams(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAuth(t *testing.T) {
	h := NewHeader([]HeaderField{
		{"WWW-Authenticate", `Digest realm="atlanta.example.com", domain="sip:ss1.example.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=TRUE, algorithm=MD5`},
		{"Proxy-Authenticate", `Digest realm="biloxi.example.com", nonce="n2"`},
		{"Authorization", `Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.example.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"`},
		{"Proxy-Authorization", `Digest username="alice", response="r"`},
	}...)
	ch, err := h.WWWAuthenticate()
	require.NoError(t, err)
	require.Len(t, ch, 1)
	c := ch[0]
	assert.Equal(t, "Digest", c.Scheme)
	assert.Equal(t, "atlanta.example.com", c.Realm())
	assert.Equal(t, "sip:ss1.example.com", c.Domain())
	assert.Equal(t, "auth,auth-int", c.QOP())
	assert.Equal(t, "f84f1cec41e6cbe5aea9c8e88d359", c.Nonce())
	assert.Equal(t, "", c.Opaque())
	assert.Equal(t, "MD5", c.Algorithm())
	assert.True(t, c.Stale())

	pc, err := h.ProxyAuthenticate()
	require.NoError(t, err)
	require.Len(t, pc, 1)
	assert.Equal(t, "biloxi.example.com", pc[0].Realm())
	assert.False(t, pc[0].Stale())

	cr, err := h.Authorization()
	require.NoError(t, err)
	require.Len(t, cr, 1)
	a := cr[0]
	assert.Equal(t, "bob", a.Username())
	assert.Equal(t, "biloxi.example.com", a.Realm())
	assert.Equal(t, "dcd98b7102dd2f0e8b11d0f600bfb0c093", a.Nonce())
	assert.Equal(t, "sip:bob@biloxi.example.com", a.URI())
	assert.Equal(t, "auth", a.QOP())
	assert.Equal(t, "00000001", a.NC())
	assert.Equal(t, "0a4f113b", a.CNonce())
	assert.Equal(t, "6629fae49393a05397450978507c4ef1", a.Response())
	assert.Equal(t, "5ccc069c403ebaf9f0171e9517f40e41", a.Opaque())
	assert.Equal(t, "", a.Algorithm())

	pa, err := h.ProxyAuthorization()
	require.NoError(t, err)
	require.Len(t, pa, 1)
	assert.Equal(t, "alice", pa[0].Username())

	built := Credentials{Scheme: "Digest", Params: AuthParams("").With("username", "bob", true).With("nc", "00000001", false)}
	assert.Equal(t, `Digest username="bob", nc=00000001`, built.String())

	for _, v := range []string{"", `Digest realm="x`, "Digest realm", "Digest realm=x,", "Digest ,realm=x", `Digest a=b c=d`} {
		if _, err := (NewHeader([]HeaderField{{"Authorization", v}}...)).Authorization(); err == nil {
			t.Errorf("Authorization(%q) succeeded, want an error", v)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	h := NewHeader([]HeaderField{
		{"Allow", "INVITE, ACK,CANCEL"},
		{"Allow", "BYE"},
		{"Supported", "replaces, timer"},
		{"Require", "100rel"},
		{"Proxy-Require", "foo"},
		{"Unsupported", "bar, baz"},
		{"Subject", "a, b"},
		{"Route", `<sip:p1;lr>, "x, y" <sip:p2;lr>`},
	}...)
	tests := []struct {
		name string
		want []string
	}{
		{"Allow", []string{"INVITE", "ACK", "CANCEL", "BYE"}},
		{"k", []string{"replaces", "timer"}},
		{"Subject", []string{"a, b"}}, // not a list header
		{"Route", []string{"<sip:p1;lr>", `"x, y" <sip:p2;lr>`}},
		{"X-None", nil},
	}
	for _, tt := range tests {
		if got := h.Values(tt.name); !assert.ObjectsAreEqual(tt.want, got) {
			t.Errorf("Values(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	assert.Equal(t, []string{"INVITE", "ACK", "CANCEL", "BYE"}, h.Allow())
	assert.Equal(t, []string{"replaces", "timer"}, h.Supported())
	assert.Equal(t, []string{"100rel"}, h.Require())
	assert.Equal(t, []string{"foo"}, h.ProxyRequire())
	assert.Equal(t, []string{"bar", "baz"}, h.Unsupported())
	rs, err := h.Routes()
	require.NoError(t, err)
	require.Len(t, rs, 2)
	assert.Equal(t, "x, y", rs[1].DisplayName)
}

func TestHeaderMutation(t *testing.T) {
	h := NewHeader([]HeaderField{
		{"Via", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2"},
		{"Max-Forwards", "70"},
		{"Route", "<sip:p1;lr>, <sip:p2;lr>"},
		{"X-A", "1"},
		{"Route", "<sip:p3;lr>"},
		{"X-a", "2"},
	}...)
	assert.Equal(t, 2, h.Count("x-a"))
	assert.Equal(t, "1", h.Get("X-A"))

	h.PrependVia(Via{Transport: "TCP", Host: "p0", Params: ";branch=z9hG4bK0"})
	vias, err := h.Vias()
	require.NoError(t, err)
	require.Len(t, vias, 3)
	assert.Equal(t, "p0", vias[0].Host)
	assert.Equal(t, "Via", h.Field(0).Name)

	top, err := h.PopVia()
	require.NoError(t, err)
	assert.Equal(t, "p0", top.Host)
	top, err = h.PopVia()
	require.NoError(t, err)
	assert.Equal(t, "a", top.Host)
	assert.Equal(t, "SIP/2.0/UDP b;branch=z9hG4bK2", h.Get("v"), "the rest of the field stays")

	h.SetMaxForwards(69)
	n, ok := h.MaxForwards()
	assert.True(t, ok)
	assert.Equal(t, 69, n)

	r, ok, err := h.Route()
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "sip:p1;lr", r.URI.String())
	for _, want := range []string{"sip:p1;lr", "sip:p2;lr", "sip:p3;lr"} {
		got, err := h.PopRoute()
		require.NoError(t, err)
		assert.Equal(t, want, got.URI.String())
	}
	_, err = h.PopRoute()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, ok, err = h.Route()
	assert.False(t, ok)
	assert.NoError(t, err)

	h.Prepend("Record-Route", "<sip:p9;lr>")
	assert.Equal(t, "Record-Route", h.Field(0).Name, "Prepend without a field of that name puts it on top")
	h.Set("x-a", "3")
	assert.Equal(t, []string{"3"}, h.Values("X-A"))
	h.Insert(1, "k", "timer")
	assert.Equal(t, HeaderField{"Supported", "timer"}, h.Field(1))
	assert.Equal(t, 1, h.Del("Supported"))
	assert.Equal(t, 0, h.Del("Supported"))
	h.Add("c", "application/sdp")
	assert.Equal(t, "application/sdp", h.ContentType())

	c := h.Clone()
	c.SetAt(0, "changed")
	c.Add("X-New", "1")
	assert.Equal(t, "<sip:p9;lr>", h.Field(0).Value, "mutating a clone never changes the original")
	assert.False(t, h.Has("X-New"))
}

func TestHeaderMissing(t *testing.T) {
	var h Header
	_, err := h.Via()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, err = h.From()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, err = h.To()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, err = h.CSeq()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, err = h.PopVia()
	assert.ErrorIs(t, err, ErrMissingHeader)
	_, ok := h.MaxForwards()
	assert.False(t, ok)
	_, ok = h.ContentLength()
	assert.False(t, ok)
	_, ok = h.Expires()
	assert.False(t, ok)
	assert.Equal(t, "", h.CallID())
	_, ok = h.PopValue("Route")
	assert.False(t, ok)
}

func TestAppendFieldNoInjection(t *testing.T) {
	h := NewHeader([]HeaderField{{"Subject", "a\r\nInjected: yes"}}...)
	assert.Equal(t, "Subject: a  Injected: yes\r\n", string(h.AppendTo(nil)))
}

func TestScalarHeaders(t *testing.T) {
	tests := []struct {
		value string
		want  uint64
		maxOK bool // valid as Max-Forwards (0-255)
		lenOK bool // valid as Content-Length (0-65535)
		expOK bool // valid as Expires (0-2**32-1)
	}{
		{"70", 70, true, true, true},
		{"0068", 68, true, true, true}, // leading zeros, RFC 4475 3.1.1.1
		{"0", 0, true, true, true},
		{"255", 255, true, true, true},
		{"256", 256, false, true, true},
		{"65535", 65535, false, true, true},
		{"65536", 65536, false, false, true},
		{"4294967295", 4294967295, false, false, true},
		{"4294967296", 0, false, false, false},
		{"-1", 0, false, false, false},
		{"", 0, false, false, false},
		{"1 2", 0, false, false, false},
		{"0x10", 0, false, false, false},
	}
	for _, tt := range tests {
		h := NewHeader([]HeaderField{{"Max-Forwards", tt.value}, {"Content-Length", tt.value}, {"Expires", tt.value}}...)
		if n, ok := h.MaxForwards(); ok != tt.maxOK || (ok && uint64(n) != tt.want) {
			t.Errorf("MaxForwards(%q) = %d, %v, want %d, %v", tt.value, n, ok, tt.want, tt.maxOK)
		}
		if n, ok := h.ContentLength(); ok != tt.lenOK || (ok && uint64(n) != tt.want) {
			t.Errorf("ContentLength(%q) = %d, %v, want %d, %v", tt.value, n, ok, tt.want, tt.lenOK)
		}
		if n, ok := h.Expires(); ok != tt.expOK || (ok && uint64(n) != tt.want) {
			t.Errorf("Expires(%q) = %d, %v, want %d, %v", tt.value, n, ok, tt.want, tt.expOK)
		}
	}
}

// TestHeaderStringsStay checks the invariant of the offset representation:
// strings a Header returned never change, whatever is done to it or to a
// copy afterwards, and the side table stays bounded.
func TestHeaderStringsStay(t *testing.T) {
	m, err := ParseMessage([]byte(minimal + "X-A: one\r\nContent-Length: 0\r\n\r\n"))
	require.NoError(t, err)
	h := m.Headers()
	via, xa := h.Get("Via"), h.Get("X-A")
	alias := *h
	h.Set("Via", "SIP/2.0/UDP changed;branch=z9hG4bKc")
	h.Prepend("X-A", "zero")
	h.Del("X-A")
	for i := range 100 {
		h.Add("X-B", strconv.Itoa(i))
		h.Del("X-B")
	}
	assert.Equal(t, "SIP/2.0/UDP h.example.com;branch=z9hG4bK1", via)
	assert.Equal(t, "one", xa)
	assert.LessOrEqual(t, len(h.strs), 2*h.Len()+8, "the side table is compacted")
	assert.Equal(t, "SIP/2.0/UDP changed;branch=z9hG4bKc", h.Get("Via"))
	assert.False(t, h.Has("X-A"))
	assert.Equal(t, alias.Len(), h.Len()+1, "a copy keeps its own length, like a slice")

	h.SetAt(0, "SIP/2.0/UDP a;branch=z9hG4bKa, SIP/2.0/UDP b;branch=z9hG4bKb")
	top, ok := h.PopValue("Via")
	assert.True(t, ok)
	assert.Equal(t, "SIP/2.0/UDP a;branch=z9hG4bKa", top)
	assert.Equal(t, "SIP/2.0/UDP b;branch=z9hG4bKb", h.Field(0).Value)
	assert.Equal(t, 1, h.DeleteFunc(func(name, _ string) bool { return name == "Via" }))
	assert.False(t, h.Has("Via"))

	n := NewHeader(HeaderField{"v", "x"}, HeaderField{"X-C", "y"})
	assert.Equal(t, []HeaderField{{"Via", "x"}, {"X-C", "y"}}, fieldsOf(n))
}
