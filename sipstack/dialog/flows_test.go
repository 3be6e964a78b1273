package dialog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

const sdpOffer = "v=0\r\no=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\ns=-\r\nc=IN IP4 192.0.2.101\r\nt=0 0\r\nm=audio 49172 RTP/AVP 0\r\n"

// TestRFC3665Session32 replays the dialog of RFC 3665 3.2, "Session
// Establishment Through Two Proxies": both proxies record-route, so the ACK
// (F15-F17) and the BYE (F18-F20) go through ss1 and ss2. The expected
// Request-URIs, Route values, CSeqs and tags are those of
// conformance/rfc3665/3.2.flow.
func TestRFC3665Session32(t *testing.T) {
	// F4: Alice's INVITE with credentials, as she sent it.
	f4 := req(t, sdpOffer,
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"Route: <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 2 INVITE",
		`Proxy-Authorization: Digest username="alice", realm="atlanta.example.com", nonce="dc3a5ab2530aa93112cf5904ba7d88fa", opaque="", uri="sip:bob@biloxi.example.com", response="702138b27d869ac8741e10ec643d55be"`,
		"Contact: <sip:alice@client.atlanta.example.com>",
		"Content-Type: application/sdp",
	)
	// F7: the INVITE as Bob receives it from ss2, with both Record-Route
	// values in one folded field.
	f7 := req(t, sdpOffer,
		"INVITE sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
		"Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"Max-Forwards: 68",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>,",
		" <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 2 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
		"Content-Type: application/sdp",
	)

	// F9 and F12: Bob rings, then answers; both establish his dialog.
	f9 := answer(t, f7, 180, "314159", "<sip:bob@client.biloxi.example.com>")
	bob, err := NewUAS(f7, f9)
	require.NoError(t, err)
	assert.Equal(t, Early, bob.State())
	f12 := answer(t, f7, 200, "314159", "<sip:bob@client.biloxi.example.com>")
	require.NoError(t, bob.Confirm(f12))
	assert.Equal(t, Confirmed, bob.State())
	assert.Equal(t, ID{"3848276298220188511@atlanta.example.com", "314159", "9fxced76sl"}, bob.ID())

	// F14: the 200 reaches Alice with the Record-Route intact.
	f14 := forward(t, forward(t, f12))
	alice, err := NewUAC(f4, f14)
	require.NoError(t, err)
	assert.Equal(t, Confirmed, alice.State())
	assert.Equal(t, ID{"3848276298220188511@atlanta.example.com", "9fxced76sl", "314159"}, alice.ID())
	assert.Equal(t, "sip:bob@client.biloxi.example.com", alice.RemoteTarget().String())

	// F15: Alice's ACK goes to ss1, then ss2, then Bob (F16, F17).
	ack, err := alice.NewACK(f4)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@client.biloxi.example.com", ack.RequestURI.String())
	assert.Equal(t, []string{
		"Route: <sip:ss1.atlanta.example.com;lr>,<sip:ss2.biloxi.example.com;lr>",
		"Max-Forwards: 70",
		`From: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl`,
		`To: "Bob" <sip:bob@biloxi.example.com>;tag=314159`,
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 2 ACK",
		// RFC 3261 13.2.2.4: "The ACK MUST contain the same credentials
		// as the INVITE." (RFC 3665 F15 shows none.)
		"Proxy-Authorization: " + f4.Header.Get("Proxy-Authorization"),
	}, fields(ack.Header))
	assert.Empty(t, ack.Body, "the ACK does not copy the INVITE's offer")
	hosts, routes := hops(t, send(t, ack, "client.atlanta.example.com", "z9hG4bK74b76"))
	assert.Equal(t, []string{"ss1.atlanta.example.com", "ss2.biloxi.example.com", "client.biloxi.example.com"}, hosts)
	assert.Equal(t, []string{ // F15, F16, F17
		"<sip:ss1.atlanta.example.com;lr>,<sip:ss2.biloxi.example.com;lr>",
		"<sip:ss2.biloxi.example.com;lr>",
		"",
	}, routes)
	local, has := alice.LocalSeq()
	assert.Equal(t, uint32(2), local, "the ACK does not advance the local CSeq")
	assert.True(t, has)

	// Bob's side receives the ACK: no change to the dialog.
	status, cerr := bob.ReceiveRequest(send(t, ack, "client.atlanta.example.com", "z9hG4bK74b76"))
	require.NoError(t, cerr)
	assert.Zero(t, status)

	// F18: Bob hangs up. His CSeq space is his own: 1, not 3.
	bye, err := bob.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", bye.RequestURI.String())
	assert.Equal(t, []string{
		"Route: <sip:ss2.biloxi.example.com;lr>,<sip:ss1.atlanta.example.com;lr>",
		"Max-Forwards: 70",
		`From: "Bob" <sip:bob@biloxi.example.com>;tag=314159`,
		`To: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl`,
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 BYE",
	}, fields(bye.Header))
	wireBye := send(t, bye, "client.biloxi.example.com", "z9hG4bKnashds7")
	hosts, routes = hops(t, wireBye)
	assert.Equal(t, []string{"ss2.biloxi.example.com", "ss1.atlanta.example.com", "client.atlanta.example.com"}, hosts)
	assert.Equal(t, []string{ // F18, F19, F20
		"<sip:ss2.biloxi.example.com;lr>,<sip:ss1.atlanta.example.com;lr>",
		"<sip:ss1.atlanta.example.com;lr>",
		"",
	}, routes)

	// F20: Alice matches the BYE to her dialog and accepts it.
	var table Table
	require.NoError(t, table.Add(alice))
	d, err := table.MatchRequest(wireBye)
	require.NoError(t, err)
	require.Same(t, alice, d)
	status, cerr = alice.ReceiveRequest(wireBye)
	require.NoError(t, cerr)
	assert.Zero(t, status)
	remote, ok := alice.RemoteSeq()
	assert.Equal(t, uint32(1), remote)
	assert.True(t, ok)
}

// TestRFC3665Session36 replays RFC 3665 3.6, where one proxy (ss3)
// record-routes and the ACK carries Alice's offer, since her INVITE had
// none (F11).
func TestRFC3665Session36(t *testing.T) {
	f4 := req(t, "",
		"INVITE sip:bob@chicago.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 2 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	f5 := req(t, "",
		"INVITE sip:bob@client.chicago.example.com SIP/2.0",
		"Via: SIP/2.0/UDP ss3.chicago.example.com:5060;branch=z9hG4bK721e.1",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"Max-Forwards: 69",
		"Record-Route: <sip:ss3.chicago.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 2 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	f9 := answer(t, f5, 200, "314159", "<sip:bob@client.chicago.example.com>")
	bob, err := NewUAS(f5, f9)
	require.NoError(t, err)
	alice, err := NewUAC(f4, forward(t, f9))
	require.NoError(t, err)

	ack, err := alice.NewACK(f4)
	require.NoError(t, err)
	ack.SetBody("application/sdp", []byte(sdpOffer)) // the answer to Bob's offer
	wireAck := send(t, ack, "client.atlanta.example.com", "z9hG4bK74bq9")
	assert.Equal(t, "sip:bob@client.chicago.example.com", wireAck.RequestURI.String()) // F11
	assert.Equal(t, "<sip:ss3.chicago.example.com;lr>", wireAck.Header.Get("Route"))
	assert.Equal(t, "2 ACK", wireAck.Header.Get("CSeq"))
	assert.Equal(t, sdpOffer, string(wireAck.Body))

	bye, err := bob.NewRequest(sipstack.BYE) // F13
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", bye.RequestURI.String())
	assert.Equal(t, "<sip:ss3.chicago.example.com;lr>", bye.Header.Get("Route"))
	assert.Equal(t, "1 BYE", bye.Header.Get("CSeq"))
	assert.Equal(t, `"Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl`, bye.Header.Get("To"))
}

// TestSeedFlow replays the reference scenario of seed/sip-signaling.txt:
// user1@here.com calls user2, whom the redirect server has placed at
// there.com. The INVITE goes user1 -> proxy1 (stateful, record-routes) ->
// stateless proxy -> proxy2 (stateful, record-routes) -> user2. "Both
// Stateful Proxy Servers indicated in the INVITE requests they routed on
// that they wanted to remain in the signaling path for the duration of the
// call. As a consequence, the ACK is routed through both of these proxies,
// as will any subsequent SIP messages related to this call, such as those
// for call tear down." The stateless proxy, which did not record-route, is
// on neither path.
func TestSeedFlow(t *testing.T) {
	const callID = "c9g10opg1un9e2f64tcbm4b0d0@here.com"
	invite := req(t, sdpOffer,
		"INVITE sip:user2@here.com SIP/2.0",
		"Via: SIP/2.0/UDP user1.here.com:5060;branch=z9hG4bK44p1bfbfbgooi",
		"Max-Forwards: 70",
		"Route: <sip:proxy1.here.com;lr>",
		"From: <sip:user1@here.com>;tag=4iqudl0v7sal6",
		"To: <sip:user2@here.com>",
		"Call-ID: "+callID,
		"CSeq: 1 INVITE",
		"Contact: <sip:user1@user1.here.com>",
		"Content-Type: application/sdp",
	)
	// As user2 receives it: proxy1 retargeted it to there.com after the
	// 302, the stateless proxy added only its Via, proxy2 its Via and
	// Record-Route and the contact of user2.
	atUser2 := req(t, sdpOffer,
		"INVITE sip:user2@user2.there.com SIP/2.0",
		"Via: SIP/2.0/UDP proxy2.there.com:5060;branch=z9hG4bKp2",
		"Via: SIP/2.0/UDP stateless.example.net:5060;branch=z9hG4bKsl",
		"Via: SIP/2.0/UDP proxy1.here.com:5060;branch=z9hG4bKp1",
		"Via: SIP/2.0/UDP user1.here.com:5060;branch=z9hG4bK44p1bfbfbgooi",
		"Max-Forwards: 67",
		"Record-Route: <sip:proxy2.there.com;lr>",
		"Record-Route: <sip:proxy1.here.com;lr>",
		"From: <sip:user1@here.com>;tag=4iqudl0v7sal6",
		"To: <sip:user2@here.com>",
		"Call-ID: "+callID,
		"CSeq: 1 INVITE",
		"Contact: <sip:user1@user1.here.com>",
		"Content-Type: application/sdp",
	)
	ok := answer(t, atUser2, 200, "ttag2", "<sip:user2@user2.there.com>")
	user2, err := NewUAS(atUser2, ok)
	require.NoError(t, err)
	user1, err := NewUAC(invite, forward(t, forward(t, forward(t, ok))))
	require.NoError(t, err)

	ack, err := user1.NewACK(invite)
	require.NoError(t, err)
	hosts, _ := hops(t, send(t, ack, "user1.here.com", "z9hG4bKack"))
	assert.Equal(t, []string{"proxy1.here.com", "proxy2.there.com", "user2.there.com"}, hosts)

	bye, err := user2.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	hosts, _ = hops(t, send(t, bye, "user2.there.com", "z9hG4bKbye"))
	assert.Equal(t, []string{"proxy2.there.com", "proxy1.here.com", "user1.here.com"}, hosts)

	bye1, err := user1.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "2 BYE", bye1.Header.Get("CSeq"))
	hosts, _ = hops(t, send(t, bye1, "user1.here.com", "z9hG4bKbye1"))
	assert.Equal(t, []string{"proxy1.here.com", "proxy2.there.com", "user2.there.com"}, hosts)
	for _, r := range []*sipstack.Request{ack, bye, bye1} {
		assert.NotContains(t, r.Header.Get("Route"), "stateless")
	}
}
