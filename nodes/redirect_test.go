package nodes

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// rtInvite builds Alice's INVITE of RFC 3665 3.6 F1 to ruri (without Via,
// which rtUA.send adds).
func rtInvite(t *testing.T, ruri string) *sipstack.Request {
	t.Helper()
	req := sipstack.NewRequest(sipstack.INVITE, rtMustURI(t, ruri))
	req.Header.Add("Max-Forwards", "70")
	req.Header.Add("From", "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl")
	req.Header.Add("To", "Bob <"+ruri+">")
	req.Header.Add("Call-ID", "2xTb9vxSit55XU7p8@atlanta.example.com")
	req.Header.Add("CSeq", "1 INVITE")
	req.Header.Add("Contact", "<sip:alice@client.atlanta.example.com>")
	req.SetBody("application/sdp", []byte("v=0\r\n"))
	return req
}

// rtRedirectNet builds alice and a redirect server with the given options.
func rtRedirectNet(t *testing.T, opts RedirectOptions) (*sim.Network, *sim.Recorder, *rtUA, *RedirectServer) {
	t.Helper()
	n, rec := rtNet(t, 1, "alice", "redirect")
	rd, err := NewRedirectServer(n, Config{Host: "redirect", Domain: "biloxi.example.com"}, opts)
	require.NoError(t, err)
	return n, rec, newRtUA(t, n, "alice"), rd
}

// TestRedirectRFC3665Flow36: F1 INVITE, F2 302 with Bob's new Contact and
// the redirect server's To tag, F3 ACK absorbed by the INVITE server
// transaction (nothing more is sent; the server sees no ACK).
func TestRedirectRFC3665Flow36(t *testing.T) {
	loc := NewLocationService()
	loc.Add(rtMustURI(t, "sip:bob@biloxi.example.com"), Binding{Contact: rtMustURI(t, "sip:bob@chicago.example.com"), Q: 1000, Expires: sim.MaxTime})
	n, rec, alice, rd := rtRedirectNet(t, RedirectOptions{Location: loc})

	alice.send(t, n, rtInvite(t, "sip:bob@biloxi.example.com"), "redirect")
	rtQuiet(t, n, alice.core, rd.Core())

	require.Len(t, alice.resps, 1)
	f2 := alice.resps[0]
	assert.Equal(t, 302, f2.StatusCode)
	assert.Equal(t, "Moved Temporarily", f2.Reason)
	assert.Equal(t, []string{"<sip:bob@chicago.example.com>"}, rtContacts(t, f2), "a static binding has no expires")
	to, err := f2.Header.To()
	require.NoError(t, err)
	assert.NotEmpty(t, to.Tag())
	assert.Equal(t, []string{
		"alice -> redirect INVITE",
		"redirect -> alice 302/INVITE",
		"alice -> redirect ACK",
	}, rtWire(n, rec))
	assert.Equal(t, []string{"redirect 302"}, rtNotes(rec))
}

// TestRedirectOutcomes: 404 for an unknown user, 480 for a known one with
// no binding, 300 with contacts in q order, 301 when permanent, and the
// static table.
func TestRedirectOutcomes(t *testing.T) {
	bobAOR := "sip:bob@biloxi.example.com"
	tests := []struct {
		name     string
		setup    func(t *testing.T, loc *LocationService)
		opts     RedirectOptions
		ruri     string
		code     int
		contacts []string
	}{
		{"unknown user", nil, RedirectOptions{}, "sip:nobody@biloxi.example.com", 404, nil},
		{"provisioned, not registered", func(t *testing.T, loc *LocationService) {
			loc.Provision(rtMustURI(t, bobAOR))
		}, RedirectOptions{}, bobAOR, 480, nil},
		{"binding expired", func(t *testing.T, loc *LocationService) {
			loc.Add(rtMustURI(t, bobAOR), Binding{Contact: rtMustURI(t, "sip:bob@old.example.com"), Q: 1000, Expires: sim.Time(time.Millisecond)})
		}, RedirectOptions{}, bobAOR, 480, nil},
		{"two contacts in q order", func(t *testing.T, loc *LocationService) {
			loc.Add(rtMustURI(t, bobAOR), Binding{Contact: rtMustURI(t, "sip:bob@desk.example.com"), Q: 500, Expires: sim.Time(100 * time.Second)})
			loc.Add(rtMustURI(t, bobAOR), Binding{Contact: rtMustURI(t, "sip:bob@mobile.example.com"), Q: 900, Expires: sim.Time(50 * time.Second)})
		}, RedirectOptions{}, bobAOR, 300, []string{
			// The INVITE arrives at 10 ms: 49.99 s and 99.99 s are left.
			"<sip:bob@mobile.example.com>;q=0.9;expires=49",
			"<sip:bob@desk.example.com>;q=0.5;expires=99",
		}},
		{"permanent", func(t *testing.T, loc *LocationService) {
			loc.Add(rtMustURI(t, bobAOR), Binding{Contact: rtMustURI(t, "sip:bob@chicago.example.com"), Q: 1000, Expires: sim.MaxTime})
		}, RedirectOptions{Permanent: true}, bobAOR, 301, []string{"<sip:bob@chicago.example.com>"}},
		{"static table", nil, RedirectOptions{Static: map[string][]RedirectTarget{
			"sip:user2@here.com": {{Contact: "sip:user2@there.com", Expires: time.Hour}},
		}}, "sip:user2@here.com", 302, []string{"<sip:user2@there.com>;expires=3600"}},
		{"static user with no target", nil, RedirectOptions{Static: map[string][]RedirectTarget{
			"sip:user2@here.com": nil,
		}}, "sip:user2@here.com", 480, nil},
		{"scheme not supported", nil, RedirectOptions{}, "tel:+15551234", 416, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := NewLocationService()
			if tt.setup != nil {
				tt.setup(t, loc)
			}
			tt.opts.Location = loc
			n, rec, alice, rd := rtRedirectNet(t, tt.opts)
			alice.send(t, n, rtInvite(t, tt.ruri), "redirect")
			rtQuiet(t, n, alice.core, rd.Core())
			require.Len(t, alice.resps, 1)
			assert.Equal(t, tt.code, alice.resps[0].StatusCode)
			assert.Equal(t, tt.contacts, rtContacts(t, alice.resps[0]))
			assert.Len(t, rtWire(n, rec), 3, "INVITE, final response, ACK")
			if tt.code == 404 {
				assert.False(t, loc.Known(rtMustURI(t, tt.ruri)), "a lookup does not make a user known")
			}
		})
	}
}

// TestRedirectCancelAfterAnswer: RFC 3261 9.2: a CANCEL of an INVITE that
// was answered gets 200 while the INVITE transaction lives.
func TestRedirectCancelAfterAnswer(t *testing.T) {
	n, rec, alice, rd := rtRedirectNet(t, RedirectOptions{})
	inv := rtInvite(t, "sip:nobody@biloxi.example.com")
	alice.send(t, n, inv, "redirect")
	n.Sim().RunFor(15 * time.Millisecond) // the INVITE has arrived, the 404 is on its way
	cancel := sipstack.NewRequest(sipstack.CANCEL, inv.RequestURI)
	for _, name := range []string{"Via", "Max-Forwards", "From", "To", "Call-ID"} {
		cancel.Header.Add(name, inv.Header.Get(name))
	}
	cancel.Header.Add("CSeq", "1 CANCEL")
	_, err := alice.core.SendRequest(cancel, transaction.Destination{Addr: n.Host("redirect").AddrPort(DefaultPort)})
	require.NoError(t, err)
	rtQuiet(t, n, alice.core, rd.Core())
	assert.Equal(t, []string{
		"alice -> redirect INVITE",
		"redirect -> alice 404/INVITE",
		"alice -> redirect CANCEL",
		"alice -> redirect ACK",
		"redirect -> alice 200/CANCEL",
	}, rtWire(n, rec))
}
