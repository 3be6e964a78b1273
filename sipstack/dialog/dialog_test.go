package dialog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// inviteLines are the lines of a simple INVITE from Alice to Bob, sent
// directly (RFC 3665 3.1). Tests replace lines by prefix with withLine.
var inviteLines = []string{
	"INVITE sip:bob@biloxi.example.com SIP/2.0",
	"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
	"Max-Forwards: 70",
	"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
	"To: Bob <sip:bob@biloxi.example.com>",
	"Call-ID: 3848276298220188511@atlanta.example.com",
	"CSeq: 1 INVITE",
	"Contact: <sip:alice@client.atlanta.example.com>",
}

// withLine returns lines with the header line of the same name as repl
// replaced by repl, or repl appended when there is none. A Request-Line
// replaces the first line; an entry "-Name" removes the line of that
// header.
func withLine(lines []string, repls ...string) []string {
	out := append([]string(nil), lines...)
	for _, repl := range repls {
		if name, ok := strings.CutPrefix(repl, "-"); ok {
			for i, l := range out {
				if strings.HasPrefix(l, name+":") {
					out = append(out[:i], out[i+1:]...)
					break
				}
			}
			continue
		}
		if strings.HasSuffix(repl, " SIP/2.0") { // a Request-Line
			out[0] = repl
			continue
		}
		key := repl[:strings.IndexByte(repl, ':')+1]
		done := false
		for i, l := range out {
			if strings.HasPrefix(l, key) {
				out[i], done = repl, true
				break
			}
		}
		if !done {
			out = append(out, repl)
		}
	}
	return out
}

func invite(t testing.TB, repls ...string) *sipstack.Request {
	t.Helper()
	return req(t, "", withLine(inviteLines, repls...)...)
}

// response returns the response to the default INVITE with the given
// status line and replaced lines.
func response(t testing.TB, status string, repls ...string) *sipstack.Response {
	t.Helper()
	lines := withLine(withLine(inviteLines, "-Contact")[1:], repls...)
	return resp(t, "", append([]string{status}, lines...)...)
}

func TestNewUAC(t *testing.T) {
	inv := invite(t)
	tests := []struct {
		name    string
		req     *sipstack.Request
		resp    *sipstack.Response
		state   State
		target  string
		routes  []string
		err     error
		remote  string // remote tag
		secure  bool
		localSq uint32
	}{
		{
			name:    "2xx: confirmed",
			req:     inv,
			resp:    response(t, "SIP/2.0 200 OK", "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356", "Contact: <sip:bob@client.biloxi.example.com>"),
			state:   Confirmed,
			target:  "sip:bob@client.biloxi.example.com",
			remote:  "8321234356",
			localSq: 1,
		},
		{
			name: "180 with To tag: early, Record-Route reversed",
			req:  inv,
			resp: response(t, "SIP/2.0 180 Ringing", "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356",
				"Contact: <sip:bob@client.biloxi.example.com>",
				"Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>"),
			state:   Early,
			target:  "sip:bob@client.biloxi.example.com",
			routes:  []string{"<sip:p1.atlanta.example.com;lr>", "<sip:p2.biloxi.example.com;lr>"},
			remote:  "8321234356",
			localSq: 1,
		},
		{
			name:    "183 without Contact: early, no remote target yet",
			req:     inv,
			resp:    response(t, "SIP/2.0 183 Session Progress", "To: Bob <sip:bob@biloxi.example.com>;tag=x"),
			state:   Early,
			remote:  "x",
			localSq: 1,
		},
		{
			name:    "2xx without To tag (RFC 2543 peer): null remote tag",
			req:     inv,
			resp:    response(t, "SIP/2.0 200 OK", "Contact: <sip:bob@client.biloxi.example.com>"),
			state:   Confirmed,
			target:  "sip:bob@client.biloxi.example.com",
			localSq: 1,
		},
		{
			name: "sips over TLS: secure",
			req: invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0",
				"Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9",
				"Contact: <sips:alice@client.atlanta.example.com>"),
			resp: response(t, "SIP/2.0 200 OK", "Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9",
				"To: Bob <sip:bob@biloxi.example.com>;tag=t", "Contact: <sips:bob@client.biloxi.example.com>"),
			state: Confirmed, target: "sips:bob@client.biloxi.example.com", remote: "t", secure: true, localSq: 1,
		},
		{
			name: "sips over UDP: not secure",
			req: invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0",
				"Contact: <sips:alice@client.atlanta.example.com>"),
			resp: response(t, "SIP/2.0 200 OK",
				"To: Bob <sip:bob@biloxi.example.com>;tag=t", "Contact: <sips:bob@client.biloxi.example.com>"),
			state: Confirmed, target: "sips:bob@client.biloxi.example.com", remote: "t", localSq: 1,
		},
		{
			name:  "largest CSeq",
			req:   invite(t, "CSeq: 4294967295 INVITE"),
			resp:  response(t, "SIP/2.0 200 OK", "CSeq: 4294967295 INVITE", "To: <sip:bob@biloxi.example.com>;tag=t", "Contact: <sip:bob@b>"),
			state: Confirmed, target: "sip:bob@b", remote: "t", localSq: 4294967295,
		},
		{name: "100 does not create a dialog", req: inv, resp: response(t, "SIP/2.0 100 Trying"), err: ErrNotDialogCreating},
		{name: "180 without To tag", req: inv, resp: response(t, "SIP/2.0 180 Ringing", "Contact: <sip:b@b>"), err: ErrNotDialogCreating},
		{name: "486", req: inv, resp: response(t, "SIP/2.0 486 Busy Here", "To: <sip:b@b>;tag=t"), err: ErrNotDialogCreating},
		{
			name: "2xx to OPTIONS",
			req:  invite(t, "OPTIONS sip:bob@biloxi.example.com SIP/2.0", "CSeq: 1 OPTIONS"),
			resp: response(t, "SIP/2.0 200 OK", "CSeq: 1 OPTIONS", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>"),
			err:  ErrNotDialogCreating,
		},
		{name: "2xx without Contact", req: inv, resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t"), err: ErrMissingContact},
		{name: "2xx with Contact *", req: inv, resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t", "Contact: *"), err: ErrBadContact},
		{name: "2xx with tel Contact", req: inv, resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t", "Contact: <tel:+15551234>"), err: ErrBadContact},
		{name: "INVITE without Contact", req: invite(t, "-Contact"), resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t"), err: ErrMissingContact},
		{
			name: "sips Request-URI, sip Contact",
			req:  invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0"),
			resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t", "Contact: <sips:b@b>"),
			err:  ErrSIPSRequired,
		},
		{
			name: "sips top Route, sip Contact",
			req:  invite(t, "Route: <sips:p1.example.com;lr>"),
			resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>"),
			err:  ErrSIPSRequired,
		},
		{name: "other Call-ID", req: inv, resp: response(t, "SIP/2.0 200 OK", "Call-ID: other", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>"), err: ErrMismatch},
		{name: "other From tag", req: inv, resp: response(t, "SIP/2.0 200 OK", "From: <sip:alice@atlanta.example.com>;tag=zz", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>"), err: ErrMismatch},
		{name: "other CSeq", req: inv, resp: response(t, "SIP/2.0 200 OK", "CSeq: 2 INVITE", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>"), err: ErrMismatch},
		{
			name: "tel Record-Route",
			req:  inv,
			resp: response(t, "SIP/2.0 200 OK", "To: <sip:b@b>;tag=t", "Contact: <sip:b@b>", "Record-Route: <tel:+15551234>"),
			err:  ErrBadRoute,
		},
		{name: "nil response", req: inv, resp: nil, err: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewUAC(tt.req, tt.resp)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, UAC, d.Role())
			assert.Equal(t, tt.state, d.State())
			assert.Equal(t, tt.target, d.RemoteTarget().String())
			var routes []string
			for _, a := range d.RouteSet() {
				routes = append(routes, a.String())
			}
			assert.Equal(t, tt.routes, routes)
			assert.Equal(t, ID{CallID: tt.req.Header.CallID(), LocalTag: "9fxced76sl", RemoteTag: tt.remote}, d.ID())
			assert.Equal(t, tt.secure, d.Secure())
			seq, ok := d.LocalSeq()
			assert.True(t, ok)
			assert.Equal(t, tt.localSq, seq)
			_, ok = d.RemoteSeq()
			assert.False(t, ok, "RFC 3261 12.1.2: the remote sequence number MUST be empty")
			assert.Equal(t, "sip:alice@atlanta.example.com", d.LocalURI().String())
			assert.Equal(t, "sip:bob@biloxi.example.com", d.RemoteURI().String())
		})
	}
}

func TestNewUAS(t *testing.T) {
	rr := "Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>"
	tests := []struct {
		name   string
		req    *sipstack.Request
		code   int
		tag    string
		ct     string
		state  State
		routes []string
		remote string
		secure bool
		err    error
	}{
		{name: "180: early, Record-Route in order", req: invite(t, rr), code: 180, tag: "b1", ct: "<sip:bob@client.biloxi.example.com>",
			state: Early, routes: []string{"<sip:p2.biloxi.example.com;lr>", "<sip:p1.atlanta.example.com;lr>"}, remote: "9fxced76sl"},
		{name: "200: confirmed", req: invite(t), code: 200, tag: "b1", ct: "<sip:bob@client.biloxi.example.com>", state: Confirmed, remote: "9fxced76sl"},
		{name: "request without From tag (RFC 2543): null remote tag", req: invite(t, "From: <sip:alice@atlanta.example.com>"), code: 200, tag: "b1",
			ct: "<sip:bob@client.biloxi.example.com>", state: Confirmed},
		{name: "sips over TLS: secure", req: invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0", "Via: SIP/2.0/TLS client.atlanta.example.com;branch=z9hG4bK1",
			"Contact: <sips:alice@client.atlanta.example.com>"), code: 200, tag: "b1", ct: "<sips:bob@client.biloxi.example.com>",
			state: Confirmed, remote: "9fxced76sl", secure: true},
		{name: "no To tag", req: invite(t), code: 200, ct: "<sip:bob@client.biloxi.example.com>", err: ErrTag},
		{name: "response without Contact", req: invite(t), code: 200, tag: "b1", err: ErrMissingContact},
		{name: "INVITE without Contact", req: invite(t, "-Contact"), code: 200, tag: "b1", ct: "<sip:b@b>", err: ErrMissingContact},
		{name: "sips Request-URI, sip Contact", req: invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0"), code: 200, tag: "b1", ct: "<sip:b@b>", err: ErrSIPSRequired},
		{name: "sips top Record-Route, sip Contact", req: invite(t, "Record-Route: <sips:p.example.com;lr>"), code: 200, tag: "b1", ct: "<sip:b@b>", err: ErrSIPSRequired},
		{name: "no Record-Route, sips Contact in request, sip Contact", req: invite(t, "Contact: <sips:alice@client.atlanta.example.com>"), code: 200, tag: "b1", ct: "<sip:b@b>", err: ErrSIPSRequired},
		{name: "3xx", req: invite(t), code: 302, tag: "b1", ct: "<sip:b@b>", err: ErrNotDialogCreating},
		{name: "100", req: invite(t), code: 100, tag: "b1", err: ErrNotDialogCreating},
		{name: "tel Contact in request", req: invite(t, "Contact: <tel:+15551234>"), code: 200, tag: "b1", ct: "<sip:b@b>", err: ErrBadContact},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewUAS(tt.req, answer(t, tt.req, tt.code, tt.tag, tt.ct))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, d)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, UAS, d.Role())
			assert.Equal(t, tt.state, d.State())
			assert.Equal(t, "sip:alice@client.atlanta.example.com", strings.Replace(d.RemoteTarget().String(), "sips:", "sip:", 1))
			var routes []string
			for _, a := range d.RouteSet() {
				routes = append(routes, a.String())
			}
			assert.Equal(t, tt.routes, routes)
			assert.Equal(t, ID{CallID: "3848276298220188511@atlanta.example.com", LocalTag: tt.tag, RemoteTag: tt.remote}, d.ID())
			assert.Equal(t, tt.secure, d.Secure())
			_, ok := d.LocalSeq()
			assert.False(t, ok, "RFC 3261 12.1.1: the local sequence number MUST be empty")
			seq, ok := d.RemoteSeq()
			assert.True(t, ok)
			assert.Equal(t, uint32(1), seq)
			assert.Equal(t, "sip:bob@biloxi.example.com", d.LocalURI().String())
			assert.Equal(t, "sip:alice@atlanta.example.com", d.RemoteURI().String())
			assert.Equal(t, tt.ct, d.LocalContact().String())
		})
	}
}

// TestEarlyThenConfirmed follows a UAC dialog from a 180 to the 200 that
// confirms it (RFC 3261 13.2.2.4): the route set is recomputed from the
// 2xx, the sequence numbers are kept, and the ACK takes the INVITE's CSeq
// even after a request sent in the early dialog.
func TestEarlyThenConfirmed(t *testing.T) {
	inv := invite(t)
	ringing := response(t, "SIP/2.0 180 Ringing", "To: Bob <sip:bob@biloxi.example.com>;tag=b1",
		"Contact: <sip:bob@early.biloxi.example.com>",
		"Record-Route: <sip:p1.atlanta.example.com;lr>")
	d, err := NewUAC(inv, ringing)
	require.NoError(t, err)
	require.Equal(t, Early, d.State())

	_, err = d.NewACK(inv)
	require.ErrorIs(t, err, ErrState, "no ACK before a 2xx")

	update, err := d.NewRequest(sipstack.UPDATE)
	require.NoError(t, err)
	assert.Equal(t, "2 UPDATE", update.Header.Get("CSeq"))
	assert.Equal(t, "sip:bob@early.biloxi.example.com", update.RequestURI.String())
	assert.Equal(t, "<sip:p1.atlanta.example.com;lr>", update.Header.Get("Route"))
	assert.Equal(t, "<sip:alice@client.atlanta.example.com>", update.Header.Get("Contact"), "UPDATE is a target refresh request")

	ok := response(t, "SIP/2.0 200 OK", "To: Bob <sip:bob@biloxi.example.com>;tag=b1",
		"Contact: <sip:bob@client.biloxi.example.com>",
		"Record-Route: <sip:p2.biloxi.example.com;lr>, <sip:p1.atlanta.example.com;lr>")
	require.NoError(t, d.Confirm(ok))
	assert.Equal(t, Confirmed, d.State())
	assert.Equal(t, "sip:bob@client.biloxi.example.com", d.RemoteTarget().String())
	seq, _ := d.LocalSeq()
	assert.Equal(t, uint32(2), seq, "13.2.2.4: the sequence numbers are not recomputed")

	ack, err := d.NewACK(inv)
	require.NoError(t, err)
	assert.Equal(t, "1 ACK", ack.Header.Get("CSeq"))
	assert.Equal(t, "<sip:p1.atlanta.example.com;lr>,<sip:p2.biloxi.example.com;lr>", ack.Header.Get("Route"))
	assert.Equal(t, "sip:bob@client.biloxi.example.com", ack.RequestURI.String())
	assert.False(t, ack.Header.Has("Contact"))

	bye, err := d.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "3 BYE", bye.Header.Get("CSeq"))
	assert.False(t, bye.Header.Has("Contact"), "BYE is not a target refresh request")

	require.NoError(t, d.Confirm(ok), "a retransmitted 2xx is harmless")
	d.Terminate()
	assert.Equal(t, Terminated, d.State())
	require.ErrorIs(t, d.Confirm(ok), ErrTerminated)
	_, err = d.NewRequest(sipstack.BYE)
	require.ErrorIs(t, err, ErrTerminated)
}

// TestEarlyWithoutContact: an early dialog from a 183 without Contact has
// no remote target, so it can send nothing until the 2xx gives one.
func TestEarlyWithoutContact(t *testing.T) {
	inv := invite(t)
	d, err := NewUAC(inv, response(t, "SIP/2.0 183 Session Progress", "To: <sip:bob@biloxi.example.com>;tag=b1"))
	require.NoError(t, err)
	_, err = d.NewRequest(sipstack.INFO)
	require.ErrorIs(t, err, ErrNoRemoteTarget)
	seq, _ := d.LocalSeq()
	assert.Equal(t, uint32(1), seq, "a failed NewRequest leaves the CSeq alone")

	require.ErrorIs(t, d.Confirm(response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=b1")), ErrMissingContact)
	require.NoError(t, d.Confirm(response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@c>")))
	info, err := d.NewRequest(sipstack.INFO)
	require.NoError(t, err)
	assert.Equal(t, "sip:bob@c", info.RequestURI.String())
	assert.Equal(t, "2 INFO", info.Header.Get("CSeq"))
}

func TestConfirmErrors(t *testing.T) {
	inv := invite(t)
	d, err := NewUAC(inv, response(t, "SIP/2.0 180 Ringing", "To: <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@c>"))
	require.NoError(t, err)
	tests := []struct {
		name string
		resp *sipstack.Response
		err  error
	}{
		{"provisional", response(t, "SIP/2.0 183 Session Progress", "To: <sip:bob@biloxi.example.com>;tag=b1"), ErrState},
		{"failure", response(t, "SIP/2.0 486 Busy Here", "To: <sip:bob@biloxi.example.com>;tag=b1"), ErrState},
		{"another fork", response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=b2", "Contact: <sip:bob@c>"), ErrMismatch},
		{"2xx to a non-INVITE", response(t, "SIP/2.0 200 OK", "CSeq: 2 INFO", "To: <sip:bob@biloxi.example.com>;tag=b1"), ErrMismatch},
		{"nil", nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, d.Confirm(tt.resp), tt.err)
			assert.Equal(t, Early, d.State())
		})
	}
}

// TestUASEarlyThenConfirmed: the UAS's dialog is early after its 180 and
// confirmed by its 200, whose Contact becomes the local contact.
func TestUASEarlyThenConfirmed(t *testing.T) {
	inv := invite(t)
	d, err := NewUAS(inv, answer(t, inv, 180, "b1", "<sip:bob@early.example.com>"))
	require.NoError(t, err)
	assert.Equal(t, Early, d.State())
	require.ErrorIs(t, d.Confirm(answer(t, inv, 200, "b2", "<sip:bob@x>")), ErrMismatch, "a To tag of another dialog")
	require.NoError(t, d.Confirm(answer(t, inv, 200, "b1", "<sip:bob@client.biloxi.example.com>")))
	assert.Equal(t, Confirmed, d.State())
	assert.Equal(t, "<sip:bob@client.biloxi.example.com>", d.LocalContact().String())

	reinv, err := d.NewRequest(sipstack.INVITE)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"Max-Forwards: 70",
		`From: "Bob" <sip:bob@biloxi.example.com>;tag=b1`,
		`To: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl`,
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:bob@client.biloxi.example.com>",
	}, fields(reinv.Header))
}

// TestForking: two 180s with different To tags make two early dialogs, and
// each 200 confirms its own (RFC 3261 13.2.2.4).
func TestForking(t *testing.T) {
	inv := invite(t)
	var table Table
	for _, tag := range []string{"fork1", "fork2"} {
		r := response(t, "SIP/2.0 180 Ringing", "To: <sip:bob@biloxi.example.com>;tag="+tag, "Contact: <sip:bob@"+tag+".example.com>")
		d, err := table.MatchResponse(r)
		require.NoError(t, err)
		require.Nil(t, d)
		d, err = NewUAC(inv, r)
		require.NoError(t, err)
		require.NoError(t, table.Add(d))
		require.ErrorIs(t, table.Add(d), ErrMismatch, "the same dialog twice")
	}
	require.Equal(t, 2, table.Len())
	ok2 := response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=fork2", "Contact: <sip:bob@fork2.example.com>")
	d, err := table.MatchResponse(ok2)
	require.NoError(t, err)
	require.NotNil(t, d)
	require.NoError(t, d.Confirm(ok2))
	assert.Equal(t, Confirmed, table.Get(ID{inv.Header.CallID(), "9fxced76sl", "fork2"}).State())
	assert.Equal(t, Early, table.Get(ID{inv.Header.CallID(), "9fxced76sl", "fork1"}).State())
}

func TestNewRequest(t *testing.T) {
	inv := invite(t)
	d, err := NewUAC(inv, response(t, "SIP/2.0 200 OK", "To: Bob <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@c.example.com>"))
	require.NoError(t, err)
	tests := []struct {
		method  string
		cseq    string
		contact bool
		err     error
	}{
		{sipstack.INFO, "2 INFO", false, nil},
		{sipstack.OPTIONS, "3 OPTIONS", false, nil},
		{sipstack.INVITE, "4 INVITE", true, nil},
		{sipstack.UPDATE, "5 UPDATE", true, nil},
		{sipstack.ACK, "", false, ErrMethod},
		{sipstack.CANCEL, "", false, ErrMethod},
		{"BAD METHOD", "", false, ErrMethod},
		{"", "", false, ErrMethod},
		{"X-EXT", "6 X-EXT", false, nil},
		{sipstack.BYE, "7 BYE", false, nil},
	}
	for _, tt := range tests {
		r, err := d.NewRequest(tt.method)
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.method)
			continue
		}
		require.NoError(t, err, tt.method)
		assert.Equal(t, tt.method, r.Method)
		assert.Equal(t, tt.cseq, r.Header.Get("CSeq"))
		assert.Equal(t, tt.contact, r.Header.Has("Contact"), tt.method)
		assert.Equal(t, "70", r.Header.Get("Max-Forwards"))
		assert.False(t, r.Header.Has("Via"), "the transport adds Via")
		reparse(t, send(t, r, "client.atlanta.example.com", "z9hG4bKx"))
	}
}

// TestNullTags: a null tag is omitted from the From or To of the requests
// of the dialog (RFC 3261 12.2.1.1).
func TestNullTags(t *testing.T) {
	uac, err := NewUAC(invite(t), response(t, "SIP/2.0 200 OK", "Contact: <sip:bob@c>"))
	require.NoError(t, err)
	bye, err := uac.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, `"Bob" <sip:bob@biloxi.example.com>`, bye.Header.Get("To"))

	inv := invite(t, "From: <sip:alice@atlanta.example.com>")
	uas, err := NewUAS(inv, answer(t, inv, 200, "b1", "<sip:bob@c>"))
	require.NoError(t, err)
	bye, err = uas.NewRequest(sipstack.BYE)
	require.NoError(t, err)
	assert.Equal(t, "<sip:alice@atlanta.example.com>", bye.Header.Get("To"))
	assert.Equal(t, `"Bob" <sip:bob@biloxi.example.com>;tag=b1`, bye.Header.Get("From"))
}

func TestCSeqExhausted(t *testing.T) {
	inv := invite(t, "CSeq: 4294967294 INVITE")
	d, err := NewUAC(inv, response(t, "SIP/2.0 200 OK", "CSeq: 4294967294 INVITE", "To: <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@c>"))
	require.NoError(t, err)
	r, err := d.NewRequest(sipstack.INFO)
	require.NoError(t, err)
	assert.Equal(t, "4294967295 INFO", r.Header.Get("CSeq"))
	_, err = d.NewRequest(sipstack.BYE)
	require.ErrorIs(t, err, ErrCSeqExhausted)
}

func TestNewACKErrors(t *testing.T) {
	inv := invite(t)
	d, err := NewUAC(inv, response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@c>"))
	require.NoError(t, err)
	tests := []struct {
		name string
		req  *sipstack.Request
		err  error
	}{
		{"not an INVITE", invite(t, "BYE sip:bob@c SIP/2.0", "CSeq: 2 BYE"), ErrMethod},
		{"other Call-ID", invite(t, "Call-ID: other"), ErrMismatch},
		{"other From tag", invite(t, "From: <sip:alice@atlanta.example.com>;tag=zz"), ErrMismatch},
		{"nil", nil, ErrMalformed},
	}
	for _, tt := range tests {
		_, err := d.NewACK(tt.req)
		require.ErrorIs(t, err, tt.err, tt.name)
	}
	// The ACK of a re-INVITE takes the re-INVITE's CSeq.
	reinv, err := d.NewRequest(sipstack.INVITE)
	require.NoError(t, err)
	reinv.Header.Add("Authorization", `Digest username="alice"`)
	ack, err := d.NewACK(reinv)
	require.NoError(t, err)
	assert.Equal(t, "2 ACK", ack.Header.Get("CSeq"))
	assert.Equal(t, `Digest username="alice"`, ack.Header.Get("Authorization"))
}

func TestSetLocalContact(t *testing.T) {
	inv := invite(t, "INVITE sips:bob@biloxi.example.com SIP/2.0", "Via: SIP/2.0/TLS client.atlanta.example.com;branch=z9hG4bK1",
		"Contact: <sips:alice@client.atlanta.example.com>")
	d, err := NewUAS(inv, answer(t, inv, 200, "b1", "<sips:bob@c>"))
	require.NoError(t, err)
	require.True(t, d.Secure())
	sip, _ := sipstack.ParseAddress("<sip:bob@new.example.com>")
	sips, _ := sipstack.ParseAddress("<sips:bob@new.example.com>")
	tel, _ := sipstack.ParseAddress("<tel:+15551234>")
	require.ErrorIs(t, d.SetLocalContact(sip), ErrSIPSRequired)
	require.ErrorIs(t, d.SetLocalContact(tel), ErrBadContact)
	require.NoError(t, d.SetLocalContact(sips))
	r, err := d.NewRequest(sipstack.INVITE)
	require.NoError(t, err)
	assert.Equal(t, "<sips:bob@new.example.com>", r.Header.Get("Contact"))
}

func TestStateRoleStrings(t *testing.T) {
	assert.Equal(t, "early", Early.String())
	assert.Equal(t, "confirmed", Confirmed.String())
	assert.Equal(t, "terminated", Terminated.String())
	assert.Equal(t, "State(0)", State(0).String())
	assert.Equal(t, "UAC", UAC.String())
	assert.Equal(t, "UAS", UAS.String())
	assert.Equal(t, "Role(9)", Role(9).String())
}
