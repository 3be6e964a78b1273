package dialog

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// wire joins header lines into a message with CRLF line ends, an empty
// line and body, and a Content-Length that fits the body.
func wire(body string, lines ...string) []byte {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.WriteString(body)
	return []byte(b.String())
}

// req parses a request given as lines.
func req(t testing.TB, body string, lines ...string) *sipstack.Request {
	t.Helper()
	r, err := sipstack.ParseRequest(wire(body, lines...))
	require.NoError(t, err)
	return r
}

// resp parses a response given as lines.
func resp(t testing.TB, body string, lines ...string) *sipstack.Response {
	t.Helper()
	r, err := sipstack.ParseResponse(wire(body, lines...))
	require.NoError(t, err)
	return r
}

// answer builds the response of a UAS to r with the given code, To tag and
// Contact, as a user agent would: NewResponse copies Via, From, To,
// Call-ID, CSeq and, for 101-299 to INVITE, Record-Route (RFC 3261 8.2.6.2,
// 12.1.1).
func answer(t testing.TB, r *sipstack.Request, code int, tag, contact string) *sipstack.Response {
	t.Helper()
	rs := sipstack.NewResponse(r, code, "")
	if tag != "" {
		rs.Header.Set("To", rs.Header.Get("To")+";tag="+tag)
	}
	if contact != "" {
		rs.Header.Add("Contact", contact)
	}
	return reparse(t, rs).(*sipstack.Response)
}

// reparse serializes m and parses it again, as the next hop would, so a
// test sees exactly what goes on the wire.
func reparse(t testing.TB, m sipstack.Message) sipstack.Message {
	t.Helper()
	out, err := sipstack.ParseMessage(m.AppendTo(nil))
	require.NoError(t, err, "%s", m)
	return out
}

// send adds the top Via that the transport would add and returns the
// request as the next hop parses it.
func send(t testing.TB, r *sipstack.Request, sentBy, branch string) *sipstack.Request {
	t.Helper()
	c := r.Clone()
	c.Header.PrependVia(sipstack.Via{Transport: "UDP", Host: sentBy, Port: 5060, Params: sipstack.Params(";branch=" + branch)})
	return reparse(t, c).(*sipstack.Request)
}

// forward returns the response as the next hop upstream receives it: the
// top Via removed (RFC 3261 16.7 step 3).
func forward(t testing.TB, r *sipstack.Response) *sipstack.Response {
	t.Helper()
	c := r.Clone()
	_, err := c.Header.PopVia()
	require.NoError(t, err)
	return reparse(t, c).(*sipstack.Response)
}

// hops returns the hosts a request visits on its way when every element on
// the path is a loose router that removes the Route value naming itself and
// forwards to the next one, or to the Request-URI when none is left (RFC
// 3261 16.4, 16.12). It also returns the Route value each hop receives.
func hops(t testing.TB, r *sipstack.Request) (hosts, routes []string) {
	t.Helper()
	c := r.Clone()
	for range 16 {
		routes = append(routes, c.Header.Get("Route"))
		top, ok, err := c.Header.Route()
		require.NoError(t, err)
		if !ok {
			return append(hosts, c.RequestURI.Host), routes
		}
		require.True(t, top.URI.LooseRouting(), "hop %s is not a loose router", top.URI)
		hosts = append(hosts, top.URI.Host)
		_, err = c.Header.PopRoute()
		require.NoError(t, err)
	}
	t.Fatalf("routing loop: %v", hosts)
	return nil, nil
}

// mustURI parses a URI.
func mustURI(t testing.TB, s string) uri.URI {
	t.Helper()
	u, err := uri.Parse(s)
	require.NoError(t, err)
	return u
}

// fields returns the header of r as "Name: value" lines, for comparing a
// built request with its expected header exactly.
func fields(h sipstack.Header) []string {
	var out []string
	for name, value := range h.All() {
		out = append(out, name+": "+value)
	}
	return out
}
