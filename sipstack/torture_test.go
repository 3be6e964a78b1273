package sipstack

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tortureCase is one row of testdata/rfc4475/index.tsv.
type tortureCase struct {
	file, section, title, expect string
	size                         int
	sha256                       string
}

func readTortureIndex(t testing.TB) []tortureCase {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "rfc4475", "index.tsv"))
	require.NoError(t, err)
	defer f.Close()
	var out []tortureCase
	sc := bufio.NewScanner(f)
	header := true
	for sc.Scan() {
		if header {
			header = false
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		require.Len(t, cols, 7, "index.tsv row %q", sc.Text())
		n, err := strconv.Atoi(cols[4])
		require.NoError(t, err)
		out = append(out, tortureCase{cols[0], cols[1], cols[2], cols[3], n, cols[5]})
	}
	require.NoError(t, sc.Err())
	return out
}

func readTorture(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rfc4475", filepath.FromSlash(file)))
	require.NoError(t, err)
	return b
}

// liberal lists the invalid messages that RFC 4475 allows an element to
// accept, provided it does not forward the defect. This parser rejects
// them all; the test also accepts acceptance without the defect, should a
// later change make the parser more liberal.
var liberal = map[string]string{
	"invalid/lwsstart.sip": "  ",                            // multiple SP in the Request-Line
	"invalid/trws.sip":     "SIP/2.0 \r\n",                  // SP at the end of the Request-Line
	"invalid/escruri.sip":  "?Route=",                       // headers in the Request-URI
	"invalid/baddate.sip":  "EST",                           // non-GMT Date
	"invalid/ltgtruri.sip": "INVITE <",                      // <> around the Request-URI
	"invalid/quotbal.sip":  "\"Mr. J. User <",               // unbalanced quote
	"invalid/badaspec.sip": "< sip:",                        // spaces in addr-spec
	"invalid/baddn.sip":    "Bell, Alexander <sip:a.g.bell", // non-token display name
}

// TestTorture runs every message of RFC 4475 through the parser and the
// serializer. No message is skipped.
func TestTorture(t *testing.T) {
	cases := readTortureIndex(t)
	require.Len(t, cases, 50, "index.tsv lists the 49 torture messages and test.sip")
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			data := readTorture(t, c.file)
			sum := sha256.Sum256(data)
			require.Equal(t, c.sha256, hex.EncodeToString(sum[:]), "bytes differ from index.tsv")
			require.Len(t, data, c.size)

			m, err := ParseMessage(data)
			switch c.expect {
			case "accept":
				require.NoError(t, err, "RFC 4475 %s (%s): a parser must accept", c.section, c.title)
				checkRoundTrip(t, m)
			case "reject":
				if defect, ok := liberal[c.file]; ok && err == nil {
					out := m.String()
					assert.NotContains(t, out, defect, "accepted liberally, but the defect is forwarded")
					checkRoundTrip(t, m)
					return
				}
				require.Error(t, err, "RFC 4475 %s (%s): must be rejected", c.section, c.title)
				var pe *ParseError
				require.True(t, errors.As(err, &pe), "error %v is not a *ParseError", err)
				assert.NotEmpty(t, pe.Msg)
				assert.Contains(t, []int{400, 501, 505}, pe.Status)
			case "none":
				// unclassified/test.sip is in the RFC 4475 archive but no
				// section describes it. Its Request-Line has no
				// SIP-Version, so a strict parser rejects it.
				require.Equal(t, "unclassified/test.sip", c.file)
				require.ErrorIs(t, err, ErrStartLine)
			default:
				t.Fatalf("unknown expectation %q in index.tsv", c.expect)
			}
		})
	}
}

// checkRoundTrip checks that parse(serialize(m)) equals m and that
// serialization is stable.
func checkRoundTrip(t *testing.T, m Message) {
	t.Helper()
	out := m.AppendTo(nil)
	m2, err := ParseMessage(out)
	require.NoError(t, err, "re-parse of\n%s", out)
	assertSameMessage(t, m, m2)
	assert.Equal(t, string(out), string(m2.AppendTo(nil)), "second serialization differs")
}

// assertSameMessage compares two messages semantically: start line, header
// fields in order (Content-Length aside, which the serializer rewrites
// from the body) and body.
func assertSameMessage(t *testing.T, a, b Message) {
	t.Helper()
	switch a := a.(type) {
	case *Request:
		b, ok := b.(*Request)
		require.True(t, ok, "request became a response")
		assert.Equal(t, a.Method, b.Method)
		assert.True(t, a.RequestURI.Equal(b.RequestURI), "Request-URI %q became %q", a.RequestURI, b.RequestURI)
		assert.Equal(t, a.RequestURI.String(), b.RequestURI.String())
	case *Response:
		b, ok := b.(*Response)
		require.True(t, ok, "response became a request")
		assert.Equal(t, a.StatusCode, b.StatusCode)
		assert.Equal(t, a.Reason, b.Reason)
	}
	assert.Equal(t, withoutCL(*a.Headers()), withoutCL(*b.Headers()))
	assert.Equal(t, a.Content(), b.Content())
	n, ok := b.Headers().ContentLength()
	assert.True(t, ok)
	assert.Equal(t, len(b.Content()), n)
}

func withoutCL(h Header) []HeaderField {
	c := h.Clone()
	c.Del("Content-Length")
	return fieldsOf(c)
}

// fieldsOf returns the fields of h in order.
func fieldsOf(h Header) []HeaderField {
	var out []HeaderField
	for name, value := range h.All() {
		out = append(out, HeaderField{name, value})
	}
	return out
}

func parseTorture(t *testing.T, file string) Message {
	t.Helper()
	m, err := ParseMessage(readTorture(t, file))
	require.NoError(t, err)
	return m
}

// TestTortureFacts checks facts that the notes of RFC 4475 state about
// particular messages.
func TestTortureFacts(t *testing.T) {
	t.Run("wsinv folding and LWS", func(t *testing.T) {
		m := parseTorture(t, "valid/wsinv.sip").(*Request)
		h := m.Header
		to, err := h.To()
		require.NoError(t, err)
		assert.Equal(t, "1918181833n", to.Tag())
		from, err := h.From()
		require.NoError(t, err)
		assert.Equal(t, `J Rosenberg \"`, from.DisplayName)
		assert.Equal(t, "98asjd8", from.Tag())
		mf, ok := h.MaxForwards()
		assert.True(t, ok)
		assert.Equal(t, 68, mf)
		cs, err := h.CSeq()
		require.NoError(t, err)
		assert.Equal(t, CSeq{9, "INVITE"}, cs)
		vias, err := h.Vias()
		require.NoError(t, err)
		require.Len(t, vias, 3)
		assert.Equal(t, Via{"UDP", "192.0.2.2", 0, ";branch=390skdjuw"}, vias[0])
		assert.Equal(t, Via{"TCP", "spindle.example.com", 0, ";branch=z9hG4bK9ikj8"}, vias[1])
		assert.Equal(t, Via{"UDP", "192.168.255.111", 0, ";branch=z9hG4bK30239"}, vias[2])
		assert.Equal(t, "newfangled value continued newfangled value", h.Get("NewFangledHeader"))
		assert.Equal(t, ";;,,;;,;", h.Get("UnknownHeaderWithUnusualValue"))
		assert.True(t, h.Has("Subject"))
		assert.Equal(t, "", h.Get("Subject"))
		cs2, err := h.Contacts()
		require.NoError(t, err)
		require.Len(t, cs2, 1)
		assert.Equal(t, `Quoted string ""`, cs2[0].DisplayName)
		q, ok := cs2[0].Q()
		assert.True(t, ok)
		assert.Equal(t, 330, q)
		v, _ := cs2[0].Params.Get("newparam")
		assert.Equal(t, "newvalue", v)
		assert.Len(t, m.Body, 150)
	})
	t.Run("intmeth unusual characters", func(t *testing.T) {
		m := parseTorture(t, "valid/intmeth.sip").(*Request)
		assert.Equal(t, "!interesting-Method0123456789_*+`.%indeed'~", m.Method)
		to, err := m.Header.To()
		require.NoError(t, err)
		assert.Equal(t, "BEL:\x07 NUL:\x00 DEL:\x7f", to.DisplayName)
		v, err := m.Header.Via()
		require.NoError(t, err)
		assert.Equal(t, "z9hG4bK-.!%66*_+`'~", v.Branch())
	})
	t.Run("esc02 has two Contact values, not three", func(t *testing.T) {
		m := parseTorture(t, "valid/esc02.sip").(*Request)
		assert.Equal(t, "RE%47IST%45R", m.Method, "the method is not REGISTER")
		cs, err := m.Header.Contacts()
		require.NoError(t, err)
		require.Len(t, cs, 2)
		assert.Equal(t, "host1.example.com", cs[0].URI.Host)
		assert.Equal(t, "host3.example.com", cs[1].URI.Host)
		assert.Equal(t, "<sip:alias2@host2.example.com>", m.Header.Get("C%6Fntact"))
		to, err := m.Header.To()
		require.NoError(t, err)
		assert.Equal(t, "%Z%45", to.DisplayName)
	})
	t.Run("escnull registers two distinct contacts", func(t *testing.T) {
		m := parseTorture(t, "valid/escnull.sip").(*Request)
		cs, err := m.Header.Contacts()
		require.NoError(t, err)
		require.Len(t, cs, 2)
		assert.Equal(t, "\x00", cs[0].URI.User)
		assert.Equal(t, "\x00\x00", cs[1].URI.User)
		assert.False(t, cs[0].URI.Equal(cs[1].URI))
		to, err := m.Header.To()
		require.NoError(t, err)
		assert.Equal(t, "null-\x00-null", to.URI.User)
	})
	t.Run("dblreq trailing octets are ignored", func(t *testing.T) {
		data := readTorture(t, "valid/dblreq.sip")
		m := parseTorture(t, "valid/dblreq.sip").(*Request)
		assert.Equal(t, REGISTER, m.Method)
		assert.Empty(t, m.Body)
		assert.True(t, bytes.Contains(data, []byte("INVITE sip:joe@example.com")))
		assert.NotContains(t, m.String(), "INVITE")
	})
	t.Run("semiuri user part", func(t *testing.T) {
		m := parseTorture(t, "valid/semiuri.sip").(*Request)
		assert.Equal(t, "user;par=u@example.net", m.RequestURI.User)
		assert.Equal(t, "example.com", m.RequestURI.Host)
		assert.Equal(t, "", m.RequestURI.Params)
		assert.Len(t, m.Header.Values("Accept"), 6)
	})
	t.Run("transports", func(t *testing.T) {
		m := parseTorture(t, "valid/transports.sip").(*Request)
		vias, err := m.Header.Vias()
		require.NoError(t, err)
		var got []string
		for _, v := range vias {
			got = append(got, v.Transport)
		}
		assert.Equal(t, []string{"UDP", "SCTP", "TLS", "UNKNOWN", "TCP"}, got)
	})
	t.Run("mpart01 body is framed by Content-Length", func(t *testing.T) {
		m := parseTorture(t, "valid/mpart01.sip").(*Request)
		n, ok := m.Header.ContentLength()
		require.True(t, ok)
		assert.Equal(t, 553, n)
		assert.Len(t, m.Body, 553)
		assert.True(t, bytes.IndexByte(m.Body, 0) >= 0, "binary part keeps its NUL octets")
	})
	t.Run("unreason and noreason", func(t *testing.T) {
		r := parseTorture(t, "valid/unreason.sip").(*Response)
		assert.Equal(t, 200, r.StatusCode)
		assert.Equal(t, "= 2**3 * 5**2 но сто девяносто девять - простое", r.Reason)
		r = parseTorture(t, "valid/noreason.sip").(*Response)
		assert.Equal(t, 100, r.StatusCode)
		assert.Equal(t, "", r.Reason)
	})
	t.Run("inv2543 has no Content-Length: body is the rest of the datagram", func(t *testing.T) {
		data := readTorture(t, "valid/inv2543.sip")
		m := parseTorture(t, "valid/inv2543.sip").(*Request)
		assert.False(t, m.Header.Has("Content-Length"))
		assert.False(t, m.Header.Has("Max-Forwards"))
		end := bytes.Index(data, []byte("\r\n\r\n")) + 4
		assert.Equal(t, data[end:], m.Body)
		from, err := m.Header.From()
		require.NoError(t, err)
		assert.Equal(t, "", from.Tag())
		v, err := m.Header.Via()
		require.NoError(t, err)
		assert.Equal(t, "", v.Branch())
	})
	t.Run("cparam01 unknownparam is a contact-param", func(t *testing.T) {
		m := parseTorture(t, "valid/cparam01.sip").(*Request)
		cs, err := m.Header.Contacts()
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.True(t, cs[0].Params.Has("unknownparam"))
		assert.False(t, cs[0].URI.HasParam("unknownparam"))
	})
	t.Run("cparam02 unknownparam is a url-parameter", func(t *testing.T) {
		m := parseTorture(t, "valid/cparam02.sip").(*Request)
		cs, err := m.Header.Contacts()
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.False(t, cs[0].Params.Has("unknownparam"))
		assert.True(t, cs[0].URI.HasParam("unknownparam"))
	})
	t.Run("regescrt keeps the escaped header in the contact URI", func(t *testing.T) {
		m := parseTorture(t, "valid/regescrt.sip").(*Request)
		cs, err := m.Header.Contacts()
		require.NoError(t, err)
		require.Len(t, cs, 1)
		assert.Contains(t, cs[0].URI.Headers, "Route=")
		assert.Contains(t, cs[0].String(), "?Route=")
	})
	t.Run("unknown schemes", func(t *testing.T) {
		m := parseTorture(t, "valid/unkscm.sip").(*Request)
		assert.Equal(t, "nobodyknowsthisscheme", m.RequestURI.Scheme)
		m = parseTorture(t, "valid/novelsc.sip").(*Request)
		assert.Equal(t, "soap.beep", m.RequestURI.Scheme)
		m = parseTorture(t, "valid/unksm2.sip").(*Request)
		to, err := m.Header.To()
		require.NoError(t, err)
		assert.Equal(t, "isbn", to.URI.Scheme)
	})
	t.Run("bext01 option tags", func(t *testing.T) {
		m := parseTorture(t, "valid/bext01.sip").(*Request)
		assert.Equal(t, []string{"nothingSupportsThis", "nothingSupportsThisEither"}, m.Header.Require())
		assert.Equal(t, []string{"noProxiesSupportThis", "norDoAnyProxiesSupportThis"}, m.Header.ProxyRequire())
	})
	t.Run("regaut01 unknown authorization scheme", func(t *testing.T) {
		m := parseTorture(t, "valid/regaut01.sip").(*Request)
		cr, err := m.Header.Authorization()
		require.NoError(t, err)
		require.Len(t, cr, 1)
		assert.Equal(t, "NoOneKnowsThisScheme", cr[0].Scheme)
		v, ok := cr[0].Params.Get("opaque-data")
		assert.True(t, ok)
		assert.Equal(t, "here", v)
	})
	t.Run("bcast second Via", func(t *testing.T) {
		r := parseTorture(t, "valid/bcast.sip").(*Response)
		vias, err := r.Header.Vias()
		require.NoError(t, err)
		require.Len(t, vias, 2)
		assert.Equal(t, "255.255.255.255", vias[1].Host)
	})
	t.Run("zeromf", func(t *testing.T) {
		m := parseTorture(t, "valid/zeromf.sip").(*Request)
		n, ok := m.Header.MaxForwards()
		assert.True(t, ok)
		assert.Equal(t, 0, n)
	})
	t.Run("badbranch is syntactically valid", func(t *testing.T) {
		m := parseTorture(t, "valid/badbranch.sip").(*Request)
		v, err := m.Header.Via()
		require.NoError(t, err)
		assert.Equal(t, BranchMagicCookie, v.Branch())
	})
	t.Run("lwsdisp display name without LWS", func(t *testing.T) {
		m := parseTorture(t, "valid/lwsdisp.sip").(*Request)
		from, err := m.Header.From()
		require.NoError(t, err)
		assert.Equal(t, "caller", from.DisplayName)
	})
}

// TestTortureErrors pins the error class and status of each invalid
// message, and the line the error names.
func TestTortureErrors(t *testing.T) {
	tests := []struct {
		file   string
		err    error
		status int
		header string
	}{
		{"invalid/badinv01.sip", ErrHeaderSyntax, 400, "Via"},
		{"invalid/clerr.sip", ErrContentLength, 400, "Content-Length"},
		{"invalid/ncl.sip", ErrContentLength, 400, "Content-Length"},
		{"invalid/scalar02.sip", ErrHeaderSyntax, 400, "CSeq"},
		{"invalid/scalarlg.sip", ErrHeaderSyntax, 400, "CSeq"},
		{"invalid/quotbal.sip", ErrHeaderSyntax, 400, "To"},
		{"invalid/ltgtruri.sip", ErrRequestURI, 400, ""},
		{"invalid/lwsruri.sip", ErrRequestURI, 400, ""},
		{"invalid/lwsstart.sip", ErrStartLine, 400, ""},
		{"invalid/trws.sip", ErrStartLine, 400, ""},
		{"invalid/escruri.sip", ErrRequestURI, 400, ""},
		{"invalid/baddate.sip", ErrHeaderSyntax, 400, "Date"},
		{"invalid/regbadct.sip", ErrHeaderSyntax, 400, "Contact"},
		{"invalid/badaspec.sip", ErrHeaderSyntax, 400, "To"},
		{"invalid/baddn.sip", ErrHeaderSyntax, 400, "From"},
		{"invalid/badvers.sip", ErrVersion, 505, ""},
		{"invalid/mismatch01.sip", ErrCSeqMethod, 400, "CSeq"},
		{"invalid/mismatch02.sip", ErrCSeqMethod, 501, "CSeq"},
		{"invalid/bigcode.sip", ErrStatusCode, 400, ""},
		{"invalid/insuf.sip", ErrMissingHeader, 400, "To"},
		{"invalid/multi01.sip", ErrDuplicateHeader, 400, "CSeq"},
		{"invalid/mcl01.sip", ErrContentLength, 400, "Content-Length"},
		{"unclassified/test.sip", ErrStartLine, 400, ""},
	}
	for _, tt := range tests {
		_, err := ParseMessage(readTorture(t, tt.file))
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("ParseMessage(%s) = %v, want a *ParseError", tt.file, err)
			continue
		}
		if !errors.Is(err, tt.err) || pe.Status != tt.status || pe.Header != tt.header {
			t.Errorf("ParseMessage(%s) = %v (status %d, header %q), want %v (status %d, header %q)",
				tt.file, err, pe.Status, pe.Header, tt.err, tt.status, tt.header)
		}
	}
}

// TestBaddnWithFinalCRLF checks baddn.sip as other archives have it, with
// the empty line that ends the header section: the unquoted comma in the
// display name then makes From two values.
func TestBaddnWithFinalCRLF(t *testing.T) {
	data := append(readTorture(t, "invalid/baddn.sip"), "\r\n"...)
	_, err := ParseMessage(data)
	require.ErrorIs(t, err, ErrHeaderSyntax, "From: Bell, Alexander <...> starts with an addr-spec without a scheme")
}
