package dialog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// addrs parses Record-Route style values into a route set.
func addrs(t testing.TB, values ...string) []sipstack.Address {
	t.Helper()
	var out []sipstack.Address
	for _, v := range values {
		a, err := sipstack.ParseAddress(v)
		require.NoError(t, err, v)
		out = append(out, a)
	}
	return out
}

// TestRouting checks the Request-URI and Route of RFC 3261 12.2.1.1 for
// loose and strict first routes.
func TestRouting(t *testing.T) {
	tests := []struct {
		name   string
		target string
		routes []string
		ruri   string
		route  string
	}{
		{
			name:   "empty route set: remote target, no Route",
			target: "sip:bob@client.biloxi.example.com",
			ruri:   "sip:bob@client.biloxi.example.com",
		},
		{
			name:   "loose first route: remote target, whole route set",
			target: "sip:bob@client.biloxi.example.com",
			routes: []string{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"},
			ruri:   "sip:bob@client.biloxi.example.com",
			route:  "<sip:ss1.atlanta.example.com;lr>,<sip:ss2.biloxi.example.com;lr>",
		},
		{
			name:   "loose first route keeps every URI and header parameter, and a strict router later in the set",
			target: "sip:bob@192.0.2.4:5062;transport=tcp",
			routes: []string{`"P1" <sip:p1.example.com:5070;lr;transport=tcp;ftag=x>;rr-x=1`, "<sip:p2.example.com>"},
			ruri:   "sip:bob@192.0.2.4:5062;transport=tcp",
			route:  `"P1" <sip:p1.example.com:5070;lr;transport=tcp;ftag=x>;rr-x=1,<sip:p2.example.com>`,
		},
		{
			// The example of RFC 3261 12.2.1.1.
			name:   "strict first route: RFC 3261 12.2.1.1 example",
			target: "sip:user@remoteua",
			routes: []string{"<sip:proxy1>", "<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>"},
			ruri:   "sip:proxy1",
			route:  "<sip:proxy2>,<sip:proxy3;lr>,<sip:proxy4>,<sip:user@remoteua>",
		},
		{
			name:   "single strict route: the remote target becomes the only Route",
			target: "sip:bob@client.biloxi.example.com;transport=udp",
			routes: []string{"<sip:strict.example.com;transport=udp>"},
			ruri:   "sip:strict.example.com;transport=udp",
			route:  "<sip:bob@client.biloxi.example.com;transport=udp>",
		},
		{
			name:   "strict route: method parameter and headers are not allowed in a Request-URI",
			target: "sip:bob@b.example.com",
			routes: []string{"<sip:old.example.com;method=INVITE;maddr=192.0.2.9?Subject=x>", "<sip:p2.example.com;lr>"},
			ruri:   "sip:old.example.com;maddr=192.0.2.9",
			route:  "<sip:p2.example.com;lr>,<sip:bob@b.example.com>",
		},
		{
			name:   "remote target with method and headers: stripped from the Request-URI",
			target: "sip:bob@b.example.com;method=BYE?Subject=x",
			routes: nil,
			ruri:   "sip:bob@b.example.com",
		},
		{
			name:   "sips route set",
			target: "sips:bob@b.example.com",
			routes: []string{"<sips:p1.example.com;lr>"},
			ruri:   "sips:bob@b.example.com",
			route:  "<sips:p1.example.com;lr>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ruri, route := routing(mustURI(t, tt.target), addrs(t, tt.routes...))
			assert.Equal(t, tt.ruri, ruri.String(), "Request-URI")
			assert.Equal(t, tt.route, route, "Route")
		})
	}
}

// TestStrictRouteDialog builds a dialog through a strict router (an RFC
// 2543 proxy that record-routed without lr) and a loose one, and checks the
// BYE of each side and that it survives the wire.
func TestStrictRouteDialog(t *testing.T) {
	inv := req(t, "",
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP strict.example.com;branch=z9hG4bKs",
		"Via: SIP/2.0/UDP loose.example.com;branch=z9hG4bKl",
		"Via: SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bKa",
		"Record-Route: <sip:strict.example.com;transport=udp>, <sip:loose.example.com;lr>",
		"From: <sip:alice@atlanta.example.com>;tag=a1",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: strict-1",
		"CSeq: 10 INVITE",
		"Max-Forwards: 68",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	ok := answer(t, inv, 200, "b1", "<sip:bob@client.biloxi.example.com>")
	bob, err := NewUAS(inv, ok)
	require.NoError(t, err)

	// Bob's first hop is the strict router: it is the Request-URI.
	bye, err := bob.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	bye = send(t, bye, "client.biloxi.example.com", "z9hG4bKb")
	assert.Equal(t, "sip:strict.example.com;transport=udp", bye.RequestURI.String())
	assert.Equal(t, "<sip:loose.example.com;lr>,<sip:alice@client.atlanta.example.com>", bye.Header.Get("Route"))

	// Alice's route set is reversed: the loose router first, so the
	// strict one stays in the Route header and Alice's Request-URI is
	// Bob's contact.
	aliceInv := req(t, "",
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bKa",
		"From: <sip:alice@atlanta.example.com>;tag=a1",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: strict-1",
		"CSeq: 10 INVITE",
		"Max-Forwards: 70",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	alice, err := NewUAC(aliceInv, forward(t, forward(t, ok)))
	require.NoError(t, err)
	info, err := alice.NewRequest(sipstack.INFO)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@client.biloxi.example.com", info.RequestURI.String())
	assert.Equal(t, "<sip:loose.example.com;lr>,<sip:strict.example.com;transport=udp>", info.Header.Get("Route"))
	assert.Equal(t, "11 INFO", info.Header.Get("CSeq"))

	// A strict first route that is the only one.
	inv2 := req(t, "",
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP strict.example.com;branch=z9hG4bKs",
		"Record-Route: <sip:strict.example.com>",
		"From: <sip:alice@atlanta.example.com>;tag=a2",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: strict-2",
		"CSeq: 1 INVITE",
		"Max-Forwards: 69",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	bob2, err := NewUAS(inv2, answer(t, inv2, 200, "b2", "<sip:bob@client.biloxi.example.com>"))
	require.NoError(t, err)
	opt, err := bob2.NewRequest(sipstack.OPTIONS)
	require.NoError(t, err)
	assert.Equal(t, "sip:strict.example.com", opt.RequestURI.String())
	assert.Equal(t, "<sip:alice@client.atlanta.example.com>", opt.Header.Get("Route"))
}

// walk follows a request from the UA that sends it to the UA that receives
// it and returns the hosts it visits. routers maps each proxy host to true
// for a loose router (RFC 3261 16.4, 16.6 steps 6-7) and false for an RFC
// 2543 strict router, which replaces the Request-URI with the first Route
// value. strictFirst says that the sender's route set starts with a strict
// router, so its first hop is the Request-URI (RFC 3261 8.1.2). A host not
// in routers is the receiving UA; walk also returns the Request-URI and the
// Route value that this UA receives.
func walk(t testing.TB, r *sipstack.Request, routers map[string]bool, strictFirst bool) (hosts []string, ruri, route string) {
	t.Helper()
	c := r.Clone()
	routes := func() []sipstack.Address {
		rs, err := c.Header.Routes()
		require.NoError(t, err)
		return rs
	}
	setRoutes := func(rs []sipstack.Address) {
		c.Header.Del("Route")
		var b []byte
		for i, a := range rs {
			if i > 0 {
				b = append(b, ',')
			}
			b = a.AppendTo(b)
		}
		if len(b) > 0 {
			c.Header.Add("Route", string(b))
		}
	}
	next := func(reformatted bool) string {
		if rs := routes(); len(rs) > 0 && !reformatted {
			return rs[0].URI.Host
		}
		return c.RequestURI.Host
	}
	host := next(strictFirst)
	for range 16 {
		hosts = append(hosts, host)
		loose, ok := routers[host]
		if !ok {
			return hosts, c.RequestURI.String(), c.Header.Get("Route")
		}
		rs := routes()
		if !loose { // RFC 2543: the first Route value becomes the Request-URI
			require.NotEmpty(t, rs, "strict router %s without Route", host)
			c.RequestURI = rs[0].URI
			setRoutes(rs[1:])
			host = c.RequestURI.Host
			continue
		}
		// RFC 3261 16.4: a Request-URI this proxy record-routed means a
		// strict router upstream: take the last Route value back.
		if c.RequestURI.Host == host && len(rs) > 0 {
			c.RequestURI = rs[len(rs)-1].URI
			rs = rs[:len(rs)-1]
		}
		// RFC 3261 16.4: remove the first Route value if it names this
		// proxy.
		if len(rs) > 0 && rs[0].URI.Host == host {
			rs = rs[1:]
		}
		// RFC 3261 16.6 step 6: reformat for a strict next hop.
		reformatted := false
		if len(rs) > 0 && !rs[0].URI.LooseRouting() {
			rs = append(rs, sipstack.Address{URI: c.RequestURI})
			c.RequestURI = rs[0].URI
			rs = rs[1:]
			reformatted = true
		}
		setRoutes(rs)
		host = next(reformatted)
	}
	t.Fatalf("routing loop: %v", hosts)
	return nil, "", ""
}

// TestStrictRouteWalk sends the requests of a dialog whose path holds an
// RFC 2543 strict router and an RFC 3261 loose router, in both directions,
// and checks that each one visits both proxies and reaches the peer.
func TestStrictRouteWalk(t *testing.T) {
	routers := map[string]bool{"strict.example.com": false, "loose.example.com": true}
	// The INVITE went Alice -> loose -> strict -> Bob.
	inv := req(t, "",
		"INVITE sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP strict.example.com;branch=z9hG4bKs",
		"Via: SIP/2.0/UDP loose.example.com;branch=z9hG4bKl",
		"Via: SIP/2.0/UDP client.atlanta.example.com;branch=z9hG4bKa",
		"Record-Route: <sip:strict.example.com>, <sip:loose.example.com;lr>",
		"From: <sip:alice@atlanta.example.com>;tag=a1",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: walk-1",
		"CSeq: 1 INVITE",
		"Max-Forwards: 68",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	ok := answer(t, inv, 200, "b1", "<sip:bob@client.biloxi.example.com>")
	bob, err := NewUAS(inv, ok)
	require.NoError(t, err)
	aliceInv := inv.Clone()
	for range 2 {
		_, err := aliceInv.Header.PopVia()
		require.NoError(t, err)
	}
	aliceInv.Header.Del("Record-Route")
	alice, err := NewUAC(aliceInv, forward(t, forward(t, ok)))
	require.NoError(t, err)

	bye, err := bob.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	hosts, ruri, route := walk(t, bye, routers, !bob.RouteSet()[0].URI.LooseRouting())
	assert.Equal(t, []string{"strict.example.com", "loose.example.com", "client.atlanta.example.com"}, hosts)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", ruri, "the remote target is back in the Request-URI")
	assert.Empty(t, route)

	ack, err := alice.NewACK(aliceInv)
	require.NoError(t, err)
	hosts, ruri, route = walk(t, ack, routers, !alice.RouteSet()[0].URI.LooseRouting())
	assert.Equal(t, []string{"loose.example.com", "strict.example.com", "client.biloxi.example.com"}, hosts)
	assert.Equal(t, "sip:bob@client.biloxi.example.com", ruri)
	assert.Empty(t, route)
}
