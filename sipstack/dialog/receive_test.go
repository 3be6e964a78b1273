package dialog

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// bobDialog returns Bob's confirmed dialog for the default INVITE, whose
// CSeq number is 5, so the remote sequence number starts at 5.
func bobDialog(t testing.TB) *Dialog {
	t.Helper()
	inv := invite(t, "CSeq: 5 INVITE", "Record-Route: <sip:p1.example.com;lr>")
	d, err := NewUAS(inv, answer(t, inv, 200, "b1", "<sip:bob@client.biloxi.example.com>"))
	require.NoError(t, err)
	return d
}

// inDialog returns a request from Alice to Bob within Bob's dialog.
func inDialog(t testing.TB, method string, seq uint32, repls ...string) *sipstack.Request {
	t.Helper()
	lines := []string{
		method + " sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK" + method + strconv.Itoa(int(seq)),
		"Max-Forwards: 70",
		"Route: <sip:p1.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>;tag=b1",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: " + strconv.FormatUint(uint64(seq), 10) + " " + method,
	}
	return req(t, "", withLine(lines, repls...)...)
}

// TestCSeqOrder applies RFC 3261 12.2.2 to a sequence of requests received
// in one dialog, in order: each row sees the state the rows above left.
func TestCSeqOrder(t *testing.T) {
	d := bobDialog(t)
	tests := []struct {
		name   string
		req    *sipstack.Request
		status int
		err    error
		remote uint32 // remote sequence number afterwards
	}{
		{"lower CSeq: out of order, 500", inDialog(t, sipstack.INFO, 4), 500, ErrOutOfOrder, 5},
		{"equal CSeq: not in order either, 500", inDialog(t, sipstack.INFO, 5), 500, ErrOutOfOrder, 5},
		{"ACK of the INVITE: exempt, no change", inDialog(t, sipstack.ACK, 5), 0, nil, 5},
		{"CANCEL: exempt, no change", inDialog(t, sipstack.CANCEL, 5), 0, nil, 5},
		{"next CSeq: in order", inDialog(t, sipstack.INFO, 6), 0, nil, 6},
		{"a gap is not an error", inDialog(t, sipstack.OPTIONS, 100), 0, nil, 100},
		{"an older request after the gap: 500", inDialog(t, sipstack.INFO, 7), 500, ErrOutOfOrder, 100},
		{"largest CSeq", inDialog(t, sipstack.INFO, 1<<32-1), 0, nil, 1<<32 - 1},
		{"other To tag: 481", inDialog(t, sipstack.BYE, 1<<32-1, "To: <sip:bob@biloxi.example.com>;tag=zz"), 481, ErrMismatch, 1<<32 - 1},
		{"other Call-ID: 481", inDialog(t, sipstack.BYE, 1<<32-1, "Call-ID: x"), 481, ErrMismatch, 1<<32 - 1},
		{"no To tag: 481", inDialog(t, sipstack.BYE, 1<<32-1, "To: <sip:bob@biloxi.example.com>"), 481, ErrMismatch, 1<<32 - 1},
		{"nil: 400", nil, 400, ErrMalformed, 1<<32 - 1},
	}
	for _, tt := range tests {
		status, err := d.ReceiveRequest(tt.req)
		assert.Equal(t, tt.status, status, tt.name)
		if tt.err != nil {
			require.ErrorIs(t, err, tt.err, tt.name)
		} else {
			require.NoError(t, err, tt.name)
		}
		remote, ok := d.RemoteSeq()
		assert.True(t, ok)
		assert.Equal(t, tt.remote, remote, tt.name)
	}
}

// TestCheckRequestChangesNothing: CheckRequest answers like ReceiveRequest
// but leaves the dialog as it was (RFC 3261 12.2.2: requests are atomic).
func TestCheckRequestChangesNothing(t *testing.T) {
	d := bobDialog(t)
	reinv := inDialog(t, sipstack.INVITE, 9, "Contact: <sip:alice@new.atlanta.example.com>")
	status, err := d.CheckRequest(reinv)
	require.NoError(t, err)
	assert.Zero(t, status)
	remote, _ := d.RemoteSeq()
	assert.Equal(t, uint32(5), remote)
	assert.Equal(t, "sip:alice@client.atlanta.example.com", d.RemoteTarget().String())

	status, err = d.ReceiveRequest(reinv)
	require.NoError(t, err)
	assert.Zero(t, status)
	remote, _ = d.RemoteSeq()
	assert.Equal(t, uint32(9), remote)
	assert.Equal(t, "sip:alice@new.atlanta.example.com", d.RemoteTarget().String())
}

// TestMalformedRequest: a request whose CSeq does not parse gets 400.
func TestMalformedRequest(t *testing.T) {
	d := bobDialog(t)
	r := inDialog(t, sipstack.INFO, 6)
	r.Header.Set("CSeq", "six INFO")
	status, err := d.CheckRequest(r)
	assert.Equal(t, 400, status)
	require.ErrorIs(t, err, ErrMalformed)
	require.ErrorIs(t, err, sipstack.ErrHeaderSyntax)

	r = inDialog(t, sipstack.INFO, 6)
	r.Header.Set("From", "<sip:alice@atlanta.example.com")
	status, err = d.CheckRequest(r)
	assert.Equal(t, 400, status)
	require.ErrorIs(t, err, ErrMalformed)
}

// TestTargetRefreshRequest: re-INVITE and UPDATE replace the remote target
// with their Contact (RFC 3261 12.2.2, RFC 3311); other requests, and a
// rejected one, do not.
func TestTargetRefreshRequest(t *testing.T) {
	tests := []struct {
		name   string
		req    *sipstack.Request
		status int
		err    error
		target string
	}{
		{"re-INVITE with Contact", inDialog(t, sipstack.INVITE, 6, "Contact: <sip:alice@192.0.2.201>"), 0, nil, "sip:alice@192.0.2.201"},
		{"UPDATE with Contact", inDialog(t, sipstack.UPDATE, 6, "Contact: <sip:alice@192.0.2.202;transport=tcp>"), 0, nil, "sip:alice@192.0.2.202;transport=tcp"},
		{"re-INVITE without Contact", inDialog(t, sipstack.INVITE, 6), 0, nil, "sip:alice@client.atlanta.example.com"},
		{"INFO with Contact: not a target refresh", inDialog(t, sipstack.INFO, 6, "Contact: <sip:alice@192.0.2.203>"), 0, nil, "sip:alice@client.atlanta.example.com"},
		{"ACK with Contact: not a target refresh", inDialog(t, sipstack.ACK, 5, "Contact: <sip:alice@192.0.2.204>"), 0, nil, "sip:alice@client.atlanta.example.com"},
		{"re-INVITE with tel Contact: 400", inDialog(t, sipstack.INVITE, 6, "Contact: <tel:+15551234>"), 400, ErrBadContact, "sip:alice@client.atlanta.example.com"},
		{"out-of-order re-INVITE: 500, target kept", inDialog(t, sipstack.INVITE, 4, "Contact: <sip:alice@192.0.2.205>"), 500, ErrOutOfOrder, "sip:alice@client.atlanta.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := bobDialog(t)
			status, err := d.ReceiveRequest(tt.req)
			assert.Equal(t, tt.status, status)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.target, d.RemoteTarget().String())
			bye, err := d.NewRequest(sipstack.BYE)
			require.NoError(t, err)
			assert.Equal(t, tt.target, bye.RequestURI.String(), "the next request goes to the remote target")
		})
	}
}

// TestReceiveResponse: a 2xx to a target refresh request sent in the dialog
// replaces the remote target (RFC 3261 12.2.1.2); other responses do not.
func TestReceiveResponse(t *testing.T) {
	newAlice := func(t *testing.T) *Dialog {
		inv := invite(t)
		d, err := NewUAC(inv, response(t, "SIP/2.0 200 OK", "To: Bob <sip:bob@biloxi.example.com>;tag=b1", "Contact: <sip:bob@client.biloxi.example.com>"))
		require.NoError(t, err)
		return d
	}
	tests := []struct {
		name    string
		method  string
		code    int
		contact string
		target  string
		err     error
	}{
		{"200 to re-INVITE", sipstack.INVITE, 200, "<sip:bob@192.0.2.201>", "sip:bob@192.0.2.201", nil},
		{"200 to UPDATE", sipstack.UPDATE, 200, "<sip:bob@192.0.2.202>", "sip:bob@192.0.2.202", nil},
		{"200 to re-INVITE without Contact", sipstack.INVITE, 200, "", "sip:bob@client.biloxi.example.com", nil},
		{"488 to re-INVITE", sipstack.INVITE, 488, "<sip:bob@192.0.2.203>", "sip:bob@client.biloxi.example.com", nil},
		{"183 to re-INVITE", sipstack.INVITE, 183, "<sip:bob@192.0.2.204>", "sip:bob@client.biloxi.example.com", nil},
		{"200 to INFO", sipstack.INFO, 200, "<sip:bob@192.0.2.205>", "sip:bob@client.biloxi.example.com", nil},
		{"200 to re-INVITE with Contact *", sipstack.INVITE, 200, "*", "sip:bob@client.biloxi.example.com", ErrBadContact},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newAlice(t)
			r, err := d.NewRequest(tt.method)
			require.NoError(t, err)
			r = send(t, r, "client.atlanta.example.com", "z9hG4bKr")
			rs := answer(t, r, tt.code, "", tt.contact)
			err = d.ReceiveResponse(r, rs)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.target, d.RemoteTarget().String())
		})
	}

	d := newAlice(t)
	r, err := d.NewRequest(sipstack.INVITE)
	require.NoError(t, err)
	r = send(t, r, "client.atlanta.example.com", "z9hG4bKr")
	other := answer(t, r, 200, "", "<sip:x@y>")
	other.Header.Set("CSeq", "9 INVITE")
	require.ErrorIs(t, d.ReceiveResponse(r, other), ErrMismatch, "a response to another request")
	other = answer(t, r, 200, "", "<sip:x@y>")
	other.Header.Set("Call-ID", "x")
	require.ErrorIs(t, d.ReceiveResponse(r, other), ErrMismatch, "a response of another dialog")
	require.ErrorIs(t, d.ReceiveResponse(r, nil), ErrMalformed)
	d.Terminate()
	require.ErrorIs(t, d.ReceiveResponse(r, answer(t, r, 200, "", "")), ErrTerminated)
	status, err := d.CheckRequest(inDialog(t, sipstack.BYE, 1))
	assert.Equal(t, 481, status)
	require.Error(t, err)
}

func TestIsTargetRefresh(t *testing.T) {
	for m, want := range map[string]bool{
		sipstack.INVITE: true, sipstack.UPDATE: true,
		sipstack.ACK: false, sipstack.BYE: false, sipstack.INFO: false, sipstack.OPTIONS: false, "invite": false,
	} {
		assert.Equal(t, want, IsTargetRefresh(m), m)
	}
}
