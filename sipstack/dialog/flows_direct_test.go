package dialog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// TestRFC3665Session31 replays RFC 3665 3.1, "Successful Session
// Establishment": Alice calls Bob directly, so the dialog has no route set
// and every in-dialog request goes to the peer's Contact. Expected values
// are those of conformance/rfc3665/3.1.flow.
func TestRFC3665Session31(t *testing.T) {
	f1 := req(t, sdpOffer,
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
		"Content-Type: application/sdp",
	)
	// F2: the 180 creates an early dialog on both sides.
	f2 := answer(t, f1, 180, "8321234356", "<sip:bob@client.biloxi.example.com>")
	alice, err := NewUAC(f1, f2)
	require.NoError(t, err)
	bob, err := NewUAS(f1, f2)
	require.NoError(t, err)
	assert.Equal(t, Early, alice.State())
	assert.Equal(t, Early, bob.State())

	// F3: the 200 confirms them.
	f3 := answer(t, f1, 200, "8321234356", "<sip:bob@client.biloxi.example.com>")
	require.NoError(t, alice.Confirm(f3))
	require.NoError(t, bob.Confirm(f3))
	assert.Empty(t, alice.RouteSet())
	assert.Empty(t, bob.RouteSet())

	// F4: the ACK goes straight to Bob's Contact with the INVITE's number.
	ack, err := alice.NewACK(f1)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@client.biloxi.example.com", ack.RequestURI.String())
	assert.False(t, ack.Header.Has("Route"))
	assert.Equal(t, "1 ACK", ack.Header.Get("CSeq"))
	status, err := bob.ReceiveRequest(send(t, ack, "client.atlanta.example.com", "z9hG4bK74bd5"))
	require.NoError(t, err)
	assert.Zero(t, status)

	// F5: Bob hangs up with CSeq 1, his own first request (the RFC's
	// comment: "the CSeq is NOT 2").
	bye, err := bob.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", bye.RequestURI.String())
	assert.False(t, bye.Header.Has("Route"))
	assert.Equal(t, "1 BYE", bye.Header.Get("CSeq"))
	to, err := bye.Header.To()
	require.NoError(t, err)
	assert.Equal(t, "9fxced76sl", to.Tag())
	from, err := bye.Header.From()
	require.NoError(t, err)
	assert.Equal(t, "8321234356", from.Tag())

	// F6: Alice matches it and accepts it.
	status, err = alice.ReceiveRequest(send(t, bye, "client.biloxi.example.com", "z9hG4bKnashds7"))
	require.NoError(t, err)
	assert.Zero(t, status)
}

// TestRFC3665Session37 replays RFC 3665 3.7, "Session with re-INVITE (IP
// Address Change)": Proxy 2 does not record-route, so the ACK, the
// re-INVITE and the BYE go directly between the UAs; Bob's re-INVITE
// carries a new Contact that becomes Alice's remote target, so her BYE
// goes to Bob's new address. Expected values are those of
// conformance/rfc3665/3.7.flow.
func TestRFC3665Session37(t *testing.T) {
	f1 := req(t, sdpOffer,
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
		"Content-Type: application/sdp",
	)
	// F2: the INVITE as Proxy 2 forwards it to Bob, without Record-Route.
	f2 := req(t, sdpOffer,
		"INVITE sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK2d4790.1",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"Max-Forwards: 69",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
		"Content-Type: application/sdp",
	)
	// F6, F7: Bob answers; Proxy 2 removes its Via.
	f6 := answer(t, f2, 200, "314159", "<sip:bob@client.biloxi.example.com>")
	bob, err := NewUAS(f2, f6)
	require.NoError(t, err)
	alice, err := NewUAC(f1, forward(t, f6))
	require.NoError(t, err)
	assert.Empty(t, alice.RouteSet())

	// F8: the ACK goes directly to Bob.
	ack, err := alice.NewACK(f1)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@client.biloxi.example.com", ack.RequestURI.String())
	assert.False(t, ack.Header.Has("Route"))
	assert.Equal(t, "1 ACK", ack.Header.Get("CSeq"))
	status, err := bob.ReceiveRequest(send(t, ack, "client.atlanta.example.com", "z9hG4bK74b7b"))
	require.NoError(t, err)
	assert.Zero(t, status)

	// F9: Bob moves to a new address and re-INVITEs Alice. His CSeq space
	// starts where he chose (14 in the RFC).
	require.NoError(t, bob.SetFirstLocalSeq(14))
	moved, err := sipstack.ParseAddress("<sip:bob@client.chicago.example.com>")
	require.NoError(t, err)
	require.NoError(t, bob.SetLocalContact(moved))
	reinvite, err := bob.NewRequest(sipstack.INVITE)
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", reinvite.RequestURI.String())
	assert.False(t, reinvite.Header.Has("Route"))
	assert.Equal(t, "14 INVITE", reinvite.Header.Get("CSeq"))
	assert.Equal(t, "<sip:bob@client.chicago.example.com>", reinvite.Header.Get("Contact"))
	f9 := send(t, reinvite, "client.chicago.example.com", "z9hG4bKlkld5l")

	// Alice accepts the re-INVITE, a target refresh: Bob's new Contact
	// becomes her remote target.
	status, err = alice.ReceiveRequest(f9)
	require.NoError(t, err)
	assert.Zero(t, status)
	assert.Equal(t, "sip:bob@client.chicago.example.com", alice.RemoteTarget().String())

	// F10, F11: Alice's 200 and Bob's ACK with the re-INVITE's number.
	f10 := answer(t, f9, 200, "", "<sip:alice@client.atlanta.example.com>")
	require.NoError(t, bob.ReceiveResponse(reinvite, f10))
	ack2, err := bob.NewACK(reinvite)
	require.NoError(t, err)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", ack2.RequestURI.String())
	assert.Equal(t, "14 ACK", ack2.Header.Get("CSeq"))

	// F12: Alice hangs up, to Bob's new address, with her next number.
	bye, err := alice.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@client.chicago.example.com", bye.RequestURI.String())
	assert.False(t, bye.Header.Has("Route"))
	assert.Equal(t, "2 BYE", bye.Header.Get("CSeq"))
	status, err = bob.ReceiveRequest(send(t, bye, "client.atlanta.example.com", "z9hG4bK74bo4"))
	require.NoError(t, err)
	assert.Zero(t, status)
}

func TestSetFirstLocalSeq(t *testing.T) {
	f1 := req(t, "",
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: <sip:alice@atlanta.example.com>;tag=a",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: seq@atlanta.example.com",
		"CSeq: 7 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	f2 := answer(t, f1, 200, "b", "<sip:bob@client.biloxi.example.com>")
	bob, err := NewUAS(f1, f2)
	require.NoError(t, err)
	assert.ErrorIs(t, bob.SetFirstLocalSeq(0), ErrCSeqRange)
	assert.ErrorIs(t, bob.SetFirstLocalSeq(1<<31), ErrCSeqRange)
	require.NoError(t, bob.SetFirstLocalSeq(1<<31-1))
	bye, err := bob.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "2147483647 BYE", bye.Header.Get("CSeq"))
	assert.ErrorIs(t, bob.SetFirstLocalSeq(5), ErrCSeqChosen, "once a request was sent")

	// The caller's side has its number from the INVITE already.
	alice, err := NewUAC(f1, f2)
	require.NoError(t, err)
	assert.ErrorIs(t, alice.SetFirstLocalSeq(5), ErrCSeqChosen)
}
