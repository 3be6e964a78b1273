package dialog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// f1Lines is the INVITE of RFC 3665 3.8 F1 ("Unsuccessful No Answer"),
// with a Require and a Proxy-Require added, which a CANCEL must not copy.
var f1Lines = []string{
	"INVITE sip:bob@biloxi.example.com SIP/2.0",
	"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
	"Max-Forwards: 70",
	"Route: <sip:ss1.atlanta.example.com;lr>",
	"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
	"To: Bob <sip:bob@biloxi.example.com>",
	"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
	"CSeq: 1 INVITE",
	`Proxy-Authorization: Digest username="alice", realm="atlanta.example.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", opaque="", uri="sip:bob@biloxi.example.com", response="42ce3cef44b22f50c6a6071bc8"`,
	"Contact: <sip:alice@client.atlanta.example.com>",
	"Require: 100rel",
	"Proxy-Require: foo",
	"Content-Type: application/sdp",
}

// TestNewCancelRFC3665 builds Alice's CANCEL of RFC 3665 3.8 F9 from F1 and
// checks every header against RFC 3261 9.1.
func TestNewCancelRFC3665(t *testing.T) {
	f1 := req(t, sdpOffer, f1Lines...)
	c, err := NewCancel(f1)
	require.NoError(t, err)
	assert.Equal(t, sipstack.CANCEL, c.Method)
	assert.Equal(t, "sip:bob@biloxi.example.com", c.RequestURI.String())
	assert.Equal(t, []string{
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"Route: <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 CANCEL",
	}, fields(c.Header))
	assert.Nil(t, c.Body)

	// On the wire it parses, and it matches the INVITE's transaction: same
	// top Via branch and sent-by (RFC 3261 9.2, 17.2.3).
	w := reparse(t, c).(*sipstack.Request)
	v1, err := f1.Header.Via()
	require.NoError(t, err)
	vc, err := w.Header.Via()
	require.NoError(t, err)
	assert.Equal(t, v1.Branch(), vc.Branch())
	assert.Equal(t, v1.SentBy(), vc.SentBy())
	assert.Equal(t, 1, len(w.Header.Values("Via")))
	for _, h := range []string{"Require", "Proxy-Require", "Proxy-Authorization", "Contact", "Content-Type"} {
		assert.False(t, w.Header.Has(h), h)
	}
}

// TestNewCancel covers the other shapes of a request to cancel.
func TestNewCancel(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		via    string
		routes []string
		cseq   string
		err    error
	}{
		{
			name: "proxy's INVITE: only the top Via, from a comma-separated field",
			lines: withLine(f1Lines, "-Route",
				"Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1, SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101"),
			via: "SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1",
		},
		{
			name:   "several Route fields are all copied, in order",
			lines:  append(withLine(f1Lines, "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>"), "Route: <sip:p3.example.com;lr>"),
			via:    "SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
			routes: []string{"<sip:p1.example.com;lr>, <sip:p2.example.com;lr>", "<sip:p3.example.com;lr>"},
		},
		{
			name:   "the CSeq number is copied as written",
			lines:  withLine(f1Lines, "CSeq: 007 INVITE"),
			via:    "SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
			cseq:   "007 CANCEL",
			routes: []string{"<sip:ss1.atlanta.example.com;lr>"},
		},
		{
			name:  "ACK cannot be cancelled",
			lines: withLine(f1Lines, "ACK sip:bob@biloxi.example.com SIP/2.0", "CSeq: 1 ACK"),
			err:   ErrMethod,
		},
		{
			name:  "CANCEL cannot be cancelled",
			lines: withLine(f1Lines, "CANCEL sip:bob@biloxi.example.com SIP/2.0", "CSeq: 1 CANCEL"),
			err:   ErrMethod,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCancel(req(t, "", tt.lines...))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{tt.via}, c.Header.Values("Via"))
			var routes []string
			for name, value := range c.Header.All() {
				if name == "Route" {
					routes = append(routes, value)
				}
			}
			assert.Equal(t, tt.routes, routes)
			if tt.cseq != "" {
				assert.Equal(t, tt.cseq, c.Header.Get("CSeq"))
			}
		})
	}

	// Requests built by hand may lack what the parser insists on.
	bad := req(t, "", f1Lines...)
	bad.Header.Del("Via")
	_, err := NewCancel(bad)
	require.ErrorIs(t, err, ErrMalformed)
	bad = req(t, "", f1Lines...)
	bad.Header.Set("CSeq", "x INVITE")
	_, err = NewCancel(bad)
	require.ErrorIs(t, err, ErrMalformed)
	bad = req(t, "", f1Lines...)
	bad.Header.Del("Call-ID")
	_, err = NewCancel(bad)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = NewCancel(nil)
	require.ErrorIs(t, err, ErrMalformed)
}

// TestCancelResponses: Bob's answers to a CANCEL that matches his pending
// INVITE (RFC 3261 9.2; RFC 3665 3.8 F14, F15): 200 to the CANCEL and 487
// to the INVITE, with the To tag of his 180.
func TestCancelResponses(t *testing.T) {
	f4 := req(t, "",
		"INVITE sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
		"Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"Max-Forwards: 68",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	)
	f13 := req(t, "",
		"CANCEL sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
		"Max-Forwards: 70",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 CANCEL",
	)
	r487, err := NewRequestTerminated(f4, "314159")
	require.NoError(t, err)
	assert.Equal(t, 487, r487.StatusCode)
	assert.Equal(t, "Request Terminated", r487.Reason)
	assert.Equal(t, []string{
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
		"Via: SIP/2.0/UDP ss1.atlanta.example.com:5060;branch=z9hG4bK2d4790.1;received=192.0.2.111",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>;tag=314159",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 INVITE",
	}, fields(r487.Header), "no Record-Route in a 487")

	// RFC 3665 F14 shows no To tag; RFC 3261 8.2.6.2 requires one and 9.2
	// says it SHOULD be the 487's.
	ok, err := NewCancelOK(f13, "314159")
	require.NoError(t, err)
	assert.Equal(t, 200, ok.StatusCode)
	assert.Equal(t, []string{
		"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4.1",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>;tag=314159",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 CANCEL",
	}, fields(ok.Header))
	reparse(t, r487)
	reparse(t, ok)

	tests := []struct {
		name string
		f    func() (*sipstack.Response, error)
		to   string
		err  error
	}{
		{"re-INVITE: its To tag is kept", func() (*sipstack.Response, error) {
			return NewRequestTerminated(req(t, "", withLine(f1Lines, "To: <sip:bob@b>;tag=t9")...), "")
		}, "<sip:bob@b>;tag=t9", nil},
		{"re-INVITE, same tag given", func() (*sipstack.Response, error) {
			return NewRequestTerminated(req(t, "", withLine(f1Lines, "To: <sip:bob@b>;tag=t9")...), "t9")
		}, "<sip:bob@b>;tag=t9", nil},
		{"re-INVITE, another tag given", func() (*sipstack.Response, error) {
			return NewRequestTerminated(req(t, "", withLine(f1Lines, "To: <sip:bob@b>;tag=t9")...), "t8")
		}, "", ErrTag},
		{"no tag", func() (*sipstack.Response, error) { return NewRequestTerminated(f4, "") }, "", ErrTag},
		{"tag not a token", func() (*sipstack.Response, error) { return NewRequestTerminated(f4, "a b") }, "", ErrTag},
		{"487 to a BYE", func() (*sipstack.Response, error) {
			return NewRequestTerminated(req(t, "", withLine(f1Lines, "BYE sip:bob@b SIP/2.0", "CSeq: 1 BYE")...), "t")
		}, "", ErrMethod},
		{"CANCEL OK to an INVITE", func() (*sipstack.Response, error) { return NewCancelOK(f4, "t") }, "", ErrMethod},
		{"nil INVITE", func() (*sipstack.Response, error) { return NewRequestTerminated(nil, "t") }, "", ErrMalformed},
		{"nil CANCEL", func() (*sipstack.Response, error) { return NewCancelOK(nil, "t") }, "", ErrMalformed},
		{"INVITE without Via", func() (*sipstack.Response, error) {
			r := req(t, "", f1Lines...)
			r.Header.Del("Via")
			return NewRequestTerminated(r, "t")
		}, "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.f()
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, r)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.to, r.Header.Get("To"))
		})
	}
}

func TestNewUASResponse(t *testing.T) {
	inv := req(t, "", withLine(f1Lines, "Record-Route: <sip:ss1.atlanta.example.com;lr>")...)
	tests := []struct {
		name string
		req  *sipstack.Request
		code int
		tag  string
		to   string
		rr   bool
		err  error
	}{
		{"180 with tag and Record-Route", inv, 180, "b1", "Bob <sip:bob@biloxi.example.com>;tag=b1", true, nil},
		{"200 with tag and Record-Route", inv, 200, "b1", "Bob <sip:bob@biloxi.example.com>;tag=b1", true, nil},
		{"486: no Record-Route", inv, 486, "b1", "Bob <sip:bob@biloxi.example.com>;tag=b1", false, nil},
		{"100 may go without tag", inv, 100, "", "Bob <sip:bob@biloxi.example.com>", false, nil},
		{"180 needs a tag", inv, 180, "", "", false, ErrTag},
		{"status code out of range", inv, 700, "b1", "", false, ErrMalformed},
		{"nil request", nil, 200, "b1", "", false, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewUASResponse(tt.req, tt.code, tt.tag)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.code, r.StatusCode)
			assert.Equal(t, tt.to, r.Header.Get("To"))
			assert.Equal(t, tt.rr, r.Header.Has("Record-Route"))
			reparse(t, r)
		})
	}

	// A UAS dialog from NewUASResponse and a Contact.
	ok, err := NewUASResponse(inv, 200, "b1")
	require.NoError(t, err)
	ok.Header.Add("Contact", "<sip:bob@client.biloxi.example.com>")
	d, err := NewUAS(inv, ok)
	require.NoError(t, err)
	assert.Equal(t, "b1", d.ID().LocalTag)
}
