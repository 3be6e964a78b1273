package sipstack

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

// minimal is a request with exactly the mandatory headers.
const minimal = "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" +
	"To: <sip:bob@example.com>\r\n" +
	"From: <sip:alice@example.com>;tag=1\r\n" +
	"Call-ID: c1@h.example.com\r\n" +
	"CSeq: 1 OPTIONS\r\n"

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		err  error
		line int
	}{
		{"empty", "", ErrIncomplete, 0},
		{"no CRLF at all", "OPTIONS sip:a@b SIP/2.0", ErrIncomplete, 0},
		{"no empty line", minimal, ErrIncomplete, 0},
		{"bare LF start line", "OPTIONS sip:a@b SIP/2.0\n\r\n", ErrStartLine, 1},
		{"bare LF header", strings.Replace(minimal, "CSeq: 1 OPTIONS\r\n", "CSeq: 1 OPTIONS\n", 1) + "\r\n", ErrHeaderSyntax, 6},
		{"bare CR in value", minimal + "X-A: a\rb\r\n\r\n", ErrHeaderSyntax, 0},
		{"method not a token", strings.Replace(minimal, "OPTIONS sip", "OPT@ONS sip", 1) + "\r\n", ErrStartLine, 1},
		{"HTTP", "GET / HTTP/1.1\r\n\r\n", ErrStartLine, 1},
		{"SIP/2.1", strings.Replace(minimal, "SIP/2.0\r\n", "SIP/2.1\r\n", 1) + "\r\n", ErrVersion, 1},
		{"lower-case version", strings.Replace(minimal, "SIP/2.0\r\n", "sip/2.0\r\n", 1) + "\r\n", nil, 0},
		{"status 99", "SIP/2.0 099 Low\r\n\r\n", ErrStatusCode, 1},
		{"status 700", "SIP/2.0 700 High\r\n\r\n", ErrStatusCode, 1},
		{"status not digits", "SIP/2.0 2x0 OK\r\n\r\n", ErrStatusCode, 1},
		{"response SIP/3.0", "SIP/3.0 200 OK\r\n\r\n", ErrVersion, 1},
		{"control in reason", "SIP/2.0 200 O\x01K\r\n\r\n", ErrStartLine, 1},
		{"unparsable R-URI", "OPTIONS sip: SIP/2.0\r\n\r\n", ErrRequestURI, 1},
		{"folded start", minimal[:38] + " x\r\n" + minimal[38:] + "\r\n", ErrHeaderSyntax, 2},
		{"no colon", minimal + "Bogus\r\n\r\n", ErrHeaderSyntax, 7},
		{"bad name", minimal + "Bo gus: x\r\n\r\n", ErrHeaderSyntax, 7},
		{"empty name", minimal + ": x\r\n\r\n", ErrHeaderSyntax, 7},
		{"missing Via", strings.Replace(minimal, "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n", "", 1) + "\r\n", ErrMissingHeader, 0},
		{"missing CSeq", strings.Replace(minimal, "CSeq: 1 OPTIONS\r\n", "", 1) + "\r\n", ErrMissingHeader, 0},
		{"two To", minimal + "t: <sip:c@d>\r\n\r\n", ErrDuplicateHeader, 7},
		{"To with two values", strings.Replace(minimal, "To: <sip:bob@example.com>", "To: <sip:bob@example.com>, <sip:c@d>", 1) + "\r\n", ErrDuplicateHeader, 3},
		{"Call-ID with comma", strings.Replace(minimal, "c1@h.example.com", "a, b", 1) + "\r\n", ErrHeaderSyntax, 5},
		{"Call-ID with space", strings.Replace(minimal, "c1@h.example.com", "a b", 1) + "\r\n", ErrHeaderSyntax, 5},
		{"Max-Forwards 256", minimal + "Max-Forwards: 256\r\n\r\n", ErrHeaderSyntax, 7},
		{"Max-Forwards empty", minimal + "Max-Forwards:\r\n\r\n", ErrHeaderSyntax, 7},
		{"Expires too large", minimal + "Expires: 4294967296\r\n\r\n", ErrHeaderSyntax, 7},
		{"Content-Length words", minimal + "Content-Length: ten\r\n\r\n", ErrContentLength, 7},
		{"Content-Length too large", minimal + "Content-Length: 65536\r\n\r\n", ErrContentLength, 7},
		{"Content-Length beyond datagram", minimal + "Content-Length: 5\r\n\r\nabc", ErrContentLength, 7},
		{"Contact empty element", minimal + "Contact: <sip:a@b>,,<sip:c@d>\r\n\r\n", ErrHeaderSyntax, 7},
		{"Route bad", minimal + "Route: sip:a@b>\r\n\r\n", ErrHeaderSyntax, 7},
		{"CSeq mismatch", strings.Replace(minimal, "1 OPTIONS", "1 INVITE", 1) + "\r\n", ErrCSeqMethod, 6},
		{"response CSeq any method", "SIP/2.0 200 OK\r\n" + minimal[strings.Index(minimal, "\r\n")+2:] + "\r\n", nil, 0},
	}
	for _, tt := range tests {
		_, err := ParseMessage([]byte(tt.in))
		if tt.err == nil {
			if err != nil {
				t.Errorf("%s: ParseMessage(%q) = %v, want success", tt.name, tt.in, err)
			}
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.err) || pe.Line != tt.line {
			t.Errorf("%s: ParseMessage(%q) = %v, want %v at line %d", tt.name, tt.in, err, tt.err, tt.line)
		}
	}
}

func TestParseLimits(t *testing.T) {
	big := make([]byte, MaxMessageSize+1)
	_, err := ParseMessage(big)
	assert.ErrorIs(t, err, ErrTooLarge)

	long := minimal + "X-Long: " + strings.Repeat("a", MaxLineLength) + "\r\n\r\n"
	_, err = ParseMessage([]byte(long))
	assert.ErrorIs(t, err, ErrTooLarge)

	many := minimal + strings.Repeat("X-A: 1\r\n", MaxHeaderCount) + "\r\n"
	_, err = ParseMessage([]byte(many))
	assert.ErrorIs(t, err, ErrTooLarge)

	ok := minimal + strings.Repeat("X-A: 1\r\n", MaxHeaderCount-6) + "\r\n"
	_, err = ParseMessage([]byte(ok))
	assert.NoError(t, err, "exactly MaxHeaderCount fields are accepted")
}

func TestParseDatagramBody(t *testing.T) {
	tests := []struct {
		name, in, body string
	}{
		{"no Content-Length: rest of datagram", minimal + "\r\nhello", "hello"},
		{"shorter Content-Length truncates", minimal + "Content-Length: 2\r\n\r\nhello", "he"},
		{"exact", minimal + "l: 5\r\n\r\nhello", "hello"},
		{"zero", minimal + "Content-Length: 0\r\n\r\n\r\n\r\n", ""},
		{"leading zeros and folding", minimal + "Content-Length:\r\n 005\r\n\r\nhello!", "hello"},
	}
	for _, tt := range tests {
		m, err := ParseMessage([]byte(tt.in))
		if err != nil || string(m.Content()) != tt.body {
			t.Errorf("%s: ParseMessage body = %q, %v, want %q", tt.name, m.Content(), err, tt.body)
		}
	}
}

func TestParseFolding(t *testing.T) {
	in := minimal + "Subject: first\r\n \t second\r\n\tthird \r\nX-Empty:\r\nX-Sp:   \r\n\r\n"
	m, err := ParseMessage([]byte(in))
	require.NoError(t, err)
	h := *m.Headers()
	assert.Equal(t, "first second third", h.Get("Subject"))
	assert.True(t, h.Has("X-Empty"))
	assert.Equal(t, "", h.Get("X-Sp"))
}

// TestParseIndependentOfInput checks that a parsed message keeps no
// reference to the caller's buffer.
func TestParseIndependentOfInput(t *testing.T) {
	data := []byte(minimal + "Content-Length: 5\r\n\r\nhello")
	m, err := ParseMessage(data)
	require.NoError(t, err)
	for i := range data {
		data[i] = 'X'
	}
	assert.Equal(t, "c1@h.example.com", m.Headers().CallID())
	assert.Equal(t, "hello", string(m.Content()))
	// Appending to the body never writes into the header bytes.
	r := m.(*Request)
	r.Body = append(r.Body, " world"...)
	assert.Equal(t, "c1@h.example.com", r.Header.CallID())
}

func TestParseRequestResponse(t *testing.T) {
	_, err := ParseRequest([]byte("SIP/2.0 200 OK\r\n" + minimal[strings.Index(minimal, "\r\n")+2:] + "\r\n"))
	assert.ErrorIs(t, err, ErrStartLine)
	_, err = ParseResponse([]byte(minimal + "\r\n"))
	assert.ErrorIs(t, err, ErrStartLine)
	r, err := ParseResponse([]byte("SIP/2.0 180\r\n" + minimal[strings.Index(minimal, "\r\n")+2:] + "\r\n"))
	require.NoError(t, err, "a Status-Line without reason phrase is accepted")
	assert.Equal(t, 180, r.StatusCode)
	assert.Equal(t, "SIP/2.0 180 \r\n", r.String()[:14])
}

func TestFramer(t *testing.T) {
	msg := minimal + "Content-Length: 5\r\n\r\nhello"
	stream := "\r\n\r\n" + msg + "\r\n" + msg + "\r\n\r\n"
	// Feed the stream one byte at a time: messages come out whole.
	var f Framer
	var got []string
	for i := 0; i < len(stream); i++ {
		_, err := f.Write([]byte{stream[i]})
		require.NoError(t, err)
		for {
			m, err := f.Next()
			require.NoError(t, err)
			if m == nil {
				break
			}
			got = append(got, string(m.Content()))
		}
	}
	assert.Equal(t, []string{"hello", "hello"}, got)
	assert.Equal(t, 0, f.Buffered())
}

func TestFramerErrors(t *testing.T) {
	// A malformed but well-framed message is reported, and the stream
	// goes on.
	bad := strings.Replace(minimal, "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1) + "Content-Length: 0\r\n\r\n"
	good := minimal + "Content-Length: 0\r\n\r\n"
	var f Framer
	f.Write([]byte(bad + good))
	_, err := f.Next()
	assert.ErrorIs(t, err, ErrCSeqMethod)
	m, err := f.Next()
	require.NoError(t, err)
	require.NotNil(t, m)

	// Framing errors are sticky.
	for _, tt := range []struct{ name, in string }{
		{"no Content-Length", minimal + "\r\n"},
		{"negative", minimal + "Content-Length: -1\r\n\r\n"},
		{"two values", minimal + "Content-Length: 1\r\nl: 2\r\n\r\nab"},
		{"too large", minimal + "Content-Length: 65535\r\n\r\n"},
	} {
		var f Framer
		f.Write([]byte(tt.in))
		_, err := f.Next()
		if !errors.Is(err, ErrContentLength) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: Next() = %v, want a framing error", tt.name, err)
		}
		_, err2 := f.Next()
		assert.Equal(t, err, err2, "%s: framing errors are sticky", tt.name)
		_, werr := f.Write([]byte(good))
		assert.Error(t, werr)
	}

	// A header section that never ends is bounded.
	var g Framer
	g.Write([]byte("OPTIONS sip:a@b SIP/2.0\r\n"))
	chunk := []byte("X-A: " + strings.Repeat("a", 1000) + "\r\n")
	var err3 error
	for i := 0; i < 100 && err3 == nil; i++ {
		g.Write(chunk)
		_, err3 = g.Next()
	}
	assert.ErrorIs(t, err3, ErrTooLarge)
}

func TestMessageBuild(t *testing.T) {
	m, err := ParseMessage([]byte(minimal + "Record-Route: <sip:p1;lr>\r\nContact: <sip:a@h>\r\nContent-Length: 0\r\n\r\n"))
	require.NoError(t, err)
	req := m.(*Request)
	resp := NewResponse(req, 200, "")
	assert.Equal(t, "OK", resp.Reason)
	var names []string
	for name := range resp.Header.All() {
		names = append(names, name)
	}
	assert.Equal(t, []string{"Via", "To", "From", "Call-ID", "CSeq"}, names, "no Record-Route in a 200 to OPTIONS")

	req.Method = INVITE
	req.Header.Set("CSeq", "1 INVITE")
	resp = NewResponse(req, 180, "Ringing")
	assert.True(t, resp.Header.Has("Record-Route"), "180 to INVITE copies Record-Route (RFC 3261 12.1.1)")
	assert.Equal(t, "Call/Transaction Does Not Exist", StatusText(481))
	assert.Equal(t, "", StatusText(999))

	// SetBody and Content-Length.
	req.SetBody("application/sdp", []byte("v=0\r\n"))
	out := req.String()
	assert.Contains(t, out, "Content-Type: application/sdp\r\n")
	assert.Contains(t, out, "Content-Length: 5\r\n")
	assert.True(t, strings.HasSuffix(out, "\r\n\r\nv=0\r\n"))
	req.SetBody("", nil)
	out = req.String()
	assert.NotContains(t, out, "Content-Type")
	assert.True(t, strings.HasSuffix(out, "Content-Length: 0\r\n\r\n"))
	assert.Equal(t, 1, strings.Count(out, "Content-Length"))

	// Clone is deep.
	req.SetBody("text/plain", []byte("abc"))
	c := req.Clone()
	c.Body[0] = 'X'
	c.Header.SetMaxForwards(1)
	c.Header.SetAt(0, "SIP/2.0/UDP other")
	c.Method = "BYE"
	assert.Equal(t, "abc", string(req.Body))
	assert.False(t, req.Header.Has("Max-Forwards"))
	assert.Equal(t, "SIP/2.0/UDP h.example.com;branch=z9hG4bK1", req.Header.Field(0).Value)
	assert.Equal(t, INVITE, req.Method)
	rc := resp.Clone()
	rc.Header.Del("Via")
	assert.True(t, resp.Header.Has("Via"))
}

// TestGolden compares the canonical serialization of every accepted
// torture message with testdata/golden/NAME.sip; run with -update to
// rewrite them.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "rfc4475", "valid", "*.sip"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range append(files, filepath.Join("testdata", "invite.sip"), filepath.Join("testdata", "ok200.sip"), filepath.Join("testdata", "ack.sip")) {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		m, err := ParseMessage(data)
		require.NoError(t, err, f)
		got := m.AppendTo(nil)
		golden := filepath.Join("testdata", "golden", filepath.Base(f))
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
			require.NoError(t, os.WriteFile(golden, got, 0o644))
			continue
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err, "run go test -run TestGolden -update")
		assert.Equal(t, string(want), string(got), "serialization of %s differs from %s", f, golden)
	}
}

// TestUnknownNameFarOffset checks unknown names far into a large message:
// a field's name is its offset (16 bits) and length (14 bits) in the
// message, which must hold up to MaxMessageSize and MaxLineLength.
func TestUnknownNameFarOffset(t *testing.T) {
	var b strings.Builder
	b.WriteString(minimal)
	long := strings.Repeat("x", MaxLineLength-100)
	for i := range 7 {
		fmt.Fprintf(&b, "X-Long-%d: %s\r\n", i, long)
	}
	name := "X-" + strings.Repeat("n", MaxLineLength-20)
	b.WriteString(name + ": far\r\nX-Last: v\r\n\r\n")
	m, err := ParseMessage([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	h := m.Headers()
	if got := h.Get("X-Long-6"); got != long {
		t.Errorf("Get(X-Long-6) has %d octets, want %d", len(got), len(long))
	}
	if got := h.Get("X-Last"); got != "v" {
		t.Errorf("Get(X-Last) = %q, want v", got)
	}
	if got := h.Get(name); got != "far" {
		t.Errorf("Get(long name) = %q, want far", got)
	}
	if f := h.Field(h.Len() - 1); f.Name != "X-Last" {
		t.Errorf("last field name = %q, want X-Last", f.Name)
	}
	m2, err := ParseMessage(m.AppendTo(nil))
	if err != nil || m2.Headers().Get("X-Last") != "v" {
		t.Errorf("round trip: %v", err)
	}
}
