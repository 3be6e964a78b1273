package uri

import (
	"slices"
	"testing"
)

func TestParam(t *testing.T) {
	tests := []struct {
		in, name string
		value    string
		ok       bool
	}{
		{"sip:h;transport=tcp;lr", "transport", "tcp", true},
		{"sip:h;transport=tcp;lr", "TRANSPORT", "tcp", true},
		{"sip:h;transport=tcp;lr", "lr", "", true},
		{"sip:h;transport=tcp;lr", "maddr", "", false},
		{"sip:h;transport=tcp;lr", "l", "", false},
		{"sip:h;transport=tcp;lr", "lrx", "", false},
		{"sip:h", "lr", "", false},
		// RFC 4475 3.1.1.3: names match after unescaping, values unescape once.
		{"sip:caller@h;%6C%72;n%61me=v%61lue%25%34%31", "lr", "", true},
		{"sip:caller@h;%6C%72;n%61me=v%61lue%25%34%31", "name", "value%41", true},
		{"sip:h;maddr=[2001:db8::1]", "maddr", "[2001:db8::1]", true},
		{"sip:h;x=a%3Bb", "x", "a;b", true},
		// Headers are not parameters.
		{"sip:h?lr=1", "lr", "", false},
		{"tel:7042;phone-context=example.com;ext=12", "phone-context", "example.com", true},
		{"tel:7042;phone-context=example.com;ext=12", "EXT", "12", true},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.in)
		v, ok := u.Param(tt.name)
		if v != tt.value || ok != tt.ok {
			t.Errorf("Parse(%q).Param(%q) = %q, %v, want %q, %v", tt.in, tt.name, v, ok, tt.value, tt.ok)
		}
		if has := u.HasParam(tt.name); has != tt.ok {
			t.Errorf("Parse(%q).HasParam(%q) = %v, want %v", tt.in, tt.name, has, tt.ok)
		}
	}
}

func TestParamShortcuts(t *testing.T) {
	u := mustParse(t, "sip:+1@gw.example.com;Transport=TCP;maddr=192.0.2.1;user=Phone;lr")
	if got := u.Transport(); got != "tcp" {
		t.Errorf("Transport() = %q, want %q", got, "tcp")
	}
	if got := u.Maddr(); got != "192.0.2.1" {
		t.Errorf("Maddr() = %q, want %q", got, "192.0.2.1")
	}
	if got := u.UserParam(); got != "phone" {
		t.Errorf("UserParam() = %q, want %q", got, "phone")
	}
	if !u.LooseRouting() {
		t.Errorf("LooseRouting() = false, want true")
	}
	v := mustParse(t, "sip:h")
	if v.Transport() != "" || v.Maddr() != "" || v.UserParam() != "" || v.LooseRouting() {
		t.Errorf("shortcuts of %q are not all empty", v)
	}
}

func TestAllParamsHeaders(t *testing.T) {
	u := mustParse(t, "sip:h;a=1;%6C%72;n=v%25?x=%3Csip:a%3E&y=")
	var params, headers []string
	for n, v := range u.AllParams() {
		params = append(params, n+"="+v)
	}
	for n, v := range u.AllHeaders() {
		headers = append(headers, n+"="+v)
	}
	if want := []string{"a=1", "lr=", "n=v%"}; !slices.Equal(params, want) {
		t.Errorf("AllParams() = %q, want %q", params, want)
	}
	if want := []string{"x=<sip:a>", "y="}; !slices.Equal(headers, want) {
		t.Errorf("AllHeaders() = %q, want %q", headers, want)
	}
	// Stopping early is honoured.
	n := 0
	for range u.AllParams() {
		n++
		break
	}
	for range u.AllHeaders() {
		n++
		break
	}
	if n != 2 {
		t.Errorf("break in range over AllParams/AllHeaders: %d iterations, want 2", n)
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		in, name string
		value    string
		ok       bool
	}{
		{"sip:user@example.com?Route=%3Csip:sip.example.com%3E", "route", "<sip:sip.example.com>", true},
		{"sip:h?subject=project%20x&priority=urgent", "Priority", "urgent", true},
		{"sip:h?subject=project%20x&priority=urgent", "subject", "project x", true},
		{"sip:h?a=1&a=2", "a", "1", true},
		{"sip:h?a=", "a", "", true},
		{"sip:h?a=1", "b", "", false},
		{"sip:h;a=1", "a", "", false},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.in)
		if v, ok := u.Header(tt.name); v != tt.value || ok != tt.ok {
			t.Errorf("Parse(%q).Header(%q) = %q, %v, want %q, %v", tt.in, tt.name, v, ok, tt.value, tt.ok)
		}
	}
}

func TestWithParam(t *testing.T) {
	tests := []struct {
		in, name, value string
		want            string
	}{
		{"sip:h", "lr", "", "sip:h;lr"},
		{"sip:h", "transport", "tcp", "sip:h;transport=tcp"},
		{"sip:h;transport=udp;lr", "Transport", "tcp", "sip:h;lr;Transport=tcp"},
		{"sip:h;%74ransport=udp", "transport", "tcp", "sip:h;transport=tcp"},
		{"sip:h?a=b", "x", "a;b c", "sip:h;x=a%3Bb%20c?a=b"},
		{"sip:h", "", "x", "sip:h"},
		{"tel:+1", "ext", "12", "tel:+1;ext=12"},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.in)
		got := u.WithParam(tt.name, tt.value)
		if s := got.String(); s != tt.want {
			t.Errorf("Parse(%q).WithParam(%q, %q) = %q, want %q", tt.in, tt.name, tt.value, s, tt.want)
		}
		if _, err := Parse(got.String()); err != nil {
			t.Errorf("Parse(%q).WithParam(%q, %q) gives an invalid URI: %v", tt.in, tt.name, tt.value, err)
		}
		if tt.name != "" {
			if v, _ := got.Param(tt.name); v != tt.value {
				t.Errorf("Parse(%q).WithParam(%q, %q).Param = %q, want %q", tt.in, tt.name, tt.value, v, tt.value)
			}
		}
	}
	// The original is unchanged.
	u := mustParse(t, "sip:h;lr")
	_ = u.WithParam("x", "1")
	if u.Params != ";lr" {
		t.Errorf("WithParam changed its receiver: Params = %q", u.Params)
	}
}

func TestWithoutParam(t *testing.T) {
	tests := []struct {
		in, name string
		want     string
	}{
		{"sip:h;a=1;lr;b=2", "lr", "sip:h;a=1;b=2"},
		{"sip:h;a=1;lr;b=2", "A", "sip:h;lr;b=2"},
		{"sip:h;a=1;lr;b=2", "b", "sip:h;a=1;lr"},
		{"sip:h;lr", "lr", "sip:h"},
		{"sip:h;%6C%72?x=y", "lr", "sip:h?x=y"},
		{"sip:h;lr", "x", "sip:h;lr"},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.in).WithoutParam(tt.name)
		if s := got.String(); s != tt.want {
			t.Errorf("Parse(%q).WithoutParam(%q) = %q, want %q", tt.in, tt.name, s, tt.want)
		}
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		in                 string
		isSIP, isSIPS, tel bool
	}{
		{"sip:h", true, false, false},
		{"sips:h", true, true, false},
		{"tel:+1", false, false, true},
		{"im:alice@example.com", false, false, false},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.in)
		if u.IsSIP() != tt.isSIP || u.IsSIPS() != tt.isSIPS || u.IsTel() != tt.tel {
			t.Errorf("Parse(%q): IsSIP, IsSIPS, IsTel = %v, %v, %v, want %v, %v, %v", tt.in,
				u.IsSIP(), u.IsSIPS(), u.IsTel(), tt.isSIP, tt.isSIPS, tt.tel)
		}
	}
	if !(URI{}).IsZero() || mustParse(t, "sip:h").IsZero() {
		t.Errorf("IsZero is wrong")
	}
}

func TestHostPortAOR(t *testing.T) {
	tests := []struct {
		in       string
		hostPort string
		aor      string
	}{
		{"sip:bob@Biloxi.Example.COM;transport=tcp?subject=x", "Biloxi.Example.COM", "sip:bob@biloxi.example.com"},
		{"SIPS:Bob:secret@biloxi.com:5061;lr", "biloxi.com:5061", "sips:Bob@biloxi.com:5061"},
		{"sip:%62ob@[2001:DB8:0::1]:5060", "[2001:DB8:0::1]:5060", "sip:bob@[2001:db8::1]:5060"},
		{"sip:user;par=u%40example.net@example.com", "example.com", "sip:user;par=u%40example.net@example.com"},
		{"sip:biloxi.com", "biloxi.com", "sip:biloxi.com"},
		{"tel:+1-201-555-0123;ext=1", "", "tel:+12015550123"},
		{"tel:86-31A;Phone-Context=Example.COM", "", "tel:8631a;phone-context=example.com"},
		{"tel:863-1234;phone-context=+1-914-555", "", "tel:8631234;phone-context=+1914555"},
		{"Name:John_Smith", "", "name:John_Smith"},
	}
	for _, tt := range tests {
		u := mustParse(t, tt.in)
		if got := u.HostPort(); got != tt.hostPort {
			t.Errorf("Parse(%q).HostPort() = %q, want %q", tt.in, got, tt.hostPort)
		}
		if got := u.AOR(); got != tt.aor {
			t.Errorf("Parse(%q).AOR() = %q, want %q", tt.in, got, tt.aor)
		}
	}
}

func TestAppendTo(t *testing.T) {
	u := mustParse(t, "sip:I%20have%20spaces:p%3Aw@example.net:5070;lr?a=b")
	b := []byte("<")
	b = u.AppendTo(b)
	b = append(b, '>')
	if got, want := string(b), "<sip:I%20have%20spaces:p%3Aw@example.net:5070;lr?a=b>"; got != want {
		t.Errorf("AppendTo = %q, want %q", got, want)
	}
	if got := (URI{}).AppendTo(nil); len(got) != 0 {
		t.Errorf("URI{}.AppendTo(nil) = %q, want empty", got)
	}
	if got := (URI{}).String(); got != "" {
		t.Errorf("URI{}.String() = %q, want empty", got)
	}
	// A hand-built URI: the user part is escaped where RFC 3261 25.1 demands.
	h := URI{Scheme: "sip", User: "a@b:c%d\x00é", Password: "p:w@", Host: "h", Port: 5060}
	if got, want := h.String(), "sip:a%40b%3Ac%25d%00%C3%A9:p%3Aw%40@h:5060"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	back := mustParse(t, h.String())
	if back != h {
		t.Errorf("Parse(%q) = %#v, want %#v", h.String(), back, h)
	}
}

// TestStringSize checks that String sizes its buffer exactly: at most two
// allocations, the buffer and the string.
func TestStringSize(t *testing.T) {
	for _, s := range []string{
		"sip:I%20have%20spaces:p%3Aw@example.net:5070;lr?a=b",
		"tel:+1-201;ext=1",
		"foo:bar",
		"sips:[::1]:65535",
		"sip:h:9",
		"sip:h:10",
	} {
		u := mustParse(t, s)
		if got := u.size(); got != len(u.String()) {
			t.Errorf("Parse(%q).size() = %d, want %d", s, got, len(u.String()))
		}
		if n := testing.AllocsPerRun(10, func() { _ = u.String() }); n > 2 {
			t.Errorf("Parse(%q).String() allocates %v times, want at most 2", s, n)
		}
	}
}

// TestParseAllocs checks that Parse does not allocate when the user part and
// password hold no escape, and that AppendTo does not allocate into a big
// enough buffer.
func TestParseAllocs(t *testing.T) {
	for _, s := range []string{
		"sip:bob@biloxi.example.com;transport=tcp",
		"sips:alice:pw@[2001:db8::1]:5061;lr;maddr=192.0.2.1?subject=a%20b",
		"tel:+1-201-555-0123;ext=12",
		"soap.beep://192.0.2.103:3002",
	} {
		if n := testing.AllocsPerRun(100, func() { _, _ = Parse(s) }); n != 0 {
			t.Errorf("Parse(%q) allocates %v times, want 0", s, n)
		}
		u := mustParse(t, s)
		buf := make([]byte, 0, 256)
		if n := testing.AllocsPerRun(100, func() { buf = u.AppendTo(buf[:0]) }); n != 0 {
			t.Errorf("Parse(%q).AppendTo allocates %v times, want 0", s, n)
		}
		v := mustParse(t, s)
		if n := testing.AllocsPerRun(100, func() { _ = u.Equal(v) }); n != 0 {
			t.Errorf("Parse(%q).Equal allocates %v times, want 0", s, n)
		}
	}
}
