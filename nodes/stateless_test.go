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

// rtRaw is an endpoint without any transaction layer: it sends exactly
// the messages a test builds, retransmissions included, and keeps what it
// receives with the source of each.
type rtRaw struct {
	t    *testing.T
	n    *sim.Network
	host *sim.Host
	got  []sipstack.Message
	src  []transaction.Destination
}

func newRtRaw(t *testing.T, n *sim.Network, name string) *rtRaw {
	t.Helper()
	r := &rtRaw{t: t, n: n, host: n.Host(name)}
	r.host.SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		m, err := sipstack.ParseMessage(d.Payload)
		require.NoError(t, err)
		r.got = append(r.got, m)
		r.src = append(r.src, transaction.Destination{Addr: d.Src})
	}))
	return r
}

// send sends m to port 5060 of host to.
func (r *rtRaw) send(m sipstack.Message, to string) {
	r.t.Helper()
	require.NoError(r.t, r.n.Send(sim.Datagram{Src: r.host.AddrPort(DefaultPort), Dst: r.n.Host(to).AddrPort(DefaultPort), Payload: m.AppendTo(nil), Label: Label(m)}))
}

// answer sends a response with code to the i-th request received, where
// RFC 3261 18.2.2 says it goes, with the To tag "srv".
func (r *rtRaw) answer(i, code int) *sipstack.Response {
	r.t.Helper()
	req := r.got[i].(*sipstack.Request)
	resp := sipstack.NewResponse(req, code, "")
	to, err := resp.Header.To()
	require.NoError(r.t, err)
	to.Params = to.Params.Set("tag", "srv")
	resp.Header.Set("To", to.String())
	top, err := req.Header.Via()
	require.NoError(r.t, err)
	dest, err := transaction.ResponseDestination(top, r.src[i])
	require.NoError(r.t, err)
	require.NoError(r.t, r.n.Send(sim.Datagram{Src: r.host.AddrPort(DefaultPort), Dst: dest.Addr, Payload: resp.AppendTo(nil), Label: Label(resp)}))
	return resp
}

// request returns the i-th message received as a request.
func (r *rtRaw) request(i int) *sipstack.Request {
	r.t.Helper()
	require.Greater(r.t, len(r.got), i)
	req, ok := r.got[i].(*sipstack.Request)
	require.True(r.t, ok, "message %d is a request", i)
	return req
}

// rtSLInvite builds an INVITE from ua (10.0.9.1) for user2@there.com with
// the given top Via branch.
func rtSLInvite(t *testing.T, branch string) *sipstack.Request {
	t.Helper()
	req := rtInvite(t, "sip:user2@there.com")
	req.Header.PrependVia(sipstack.Via{Transport: "UDP", Host: "10.0.9.1", Port: 5060, Params: sipstack.Params(";branch=" + branch)})
	return req
}

// rtSLNet builds ua, the stateless proxy sl and srv, with sl routing
// there.com to srv.
func rtSLNet(t *testing.T, opts StatelessOptions) (*sim.Network, *sim.Recorder, *rtRaw, *StatelessProxy, *rtRaw) {
	t.Helper()
	n, rec := rtNet(t, 1, "ua", "sl", "srv")
	if opts.Routes == nil && opts.Resolver == nil {
		opts.Routes = map[string]string{"there.com": "sip:srv"}
	}
	sl, err := NewStatelessProxy(n, Config{Host: "sl", Domain: "here.com"}, opts)
	require.NoError(t, err)
	return n, rec, newRtRaw(t, n, "ua"), sl, newRtRaw(t, n, "srv")
}

// TestStatelessForwardsInviteAnd200: the INVITE gains a Via and loses one
// from Max-Forwards; the 200 loses that Via and goes back to the UA. No
// event is left behind: the proxy keeps no state.
func TestStatelessForwardsInviteAnd200(t *testing.T) {
	n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{})
	inv := rtSLInvite(t, "z9hG4bKua1")
	ua.send(inv, "sl")
	n.Sim().Run()

	fwd := srv.request(0)
	assert.Equal(t, "sip:user2@there.com", fwd.RequestURI.String(), "the Request-URI is not changed")
	mf, _ := fwd.Header.MaxForwards()
	assert.Equal(t, 69, mf)
	vias, err := fwd.Header.Vias()
	require.NoError(t, err)
	require.Len(t, vias, 2)
	assert.Equal(t, "10.0.9.2:5060", vias[0].SentBy())
	assert.Regexp(t, `^z9hG4bK[0-9a-f]{16}\.[0-9a-f]{8}$`, vias[0].Branch())
	assert.Equal(t, "SIP/2.0/UDP 10.0.9.1:5060;branch=z9hG4bKua1", vias[1].String(), "the UA's Via is untouched")
	assert.Equal(t, inv.Body, fwd.Body)

	srv.answer(0, 200)
	n.Sim().Run()
	require.Len(t, ua.got, 1)
	ok := ua.got[0].(*sipstack.Response)
	assert.Equal(t, 200, ok.StatusCode)
	assert.Equal(t, []string{"SIP/2.0/UDP 10.0.9.1:5060;branch=z9hG4bKua1"}, ok.Header.Values("Via"))
	assert.Equal(t, `"Bob" <sip:user2@there.com>;tag=srv`, ok.Header.Get("To"))

	assert.Equal(t, []string{
		"ua -> sl INVITE",
		"sl -> srv INVITE",
		"srv -> sl 200/INVITE",
		"sl -> ua 200/INVITE",
	}, rtWire(n, rec))
	assert.Equal(t, []string{"sl route"}, rtNotes(rec))
	assert.Zero(t, n.Sim().Pending(), "a stateless proxy schedules nothing")
}

// TestStatelessBranchIsStable: RFC 3261 16.11: a retransmission gets the
// same branch, and so do the INVITE's CANCEL and the ACK of its non-2xx
// response; another transaction (the ACK of a 2xx, a new INVITE) gets
// another branch. Every copy is forwarded: the proxy absorbs nothing.
func TestStatelessBranchIsStable(t *testing.T) {
	n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{})
	inv := rtSLInvite(t, "z9hG4bKua1")
	ua.send(inv, "sl")
	ua.send(inv, "sl") // retransmission

	cancel := sipstack.NewRequest(sipstack.CANCEL, inv.RequestURI)
	for _, name := range []string{"Via", "Max-Forwards", "From", "To", "Call-ID"} {
		cancel.Header.Add(name, inv.Header.Get(name))
	}
	cancel.Header.Add("CSeq", "1 CANCEL")
	ua.send(cancel, "sl")

	ack := sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	for _, name := range []string{"Via", "Max-Forwards", "From", "Call-ID"} {
		ack.Header.Add(name, inv.Header.Get(name))
	}
	ack.Header.Add("To", "Bob <sip:user2@there.com>;tag=srv")
	ack.Header.Add("CSeq", "1 ACK")
	ua.send(ack, "sl") // the ACK of a 487: same branch as the INVITE
	ua.send(ack, "sl") // and its retransmission

	ack2xx := ack.Clone()
	ack2xx.Header.Set("Via", "SIP/2.0/UDP 10.0.9.1:5060;branch=z9hG4bKua2")
	ua.send(ack2xx, "sl")
	other := rtSLInvite(t, "z9hG4bKua3")
	ua.send(other, "sl")
	n.Sim().Run()

	require.Len(t, srv.got, 7)
	branch := func(i int) string {
		v, err := srv.request(i).Header.Via()
		require.NoError(t, err)
		return v.Branch()
	}
	for i := 1; i <= 4; i++ {
		assert.Equal(t, branch(0), branch(i), "%s %d has the INVITE's branch", srv.request(i).Method, i)
	}
	assert.NotEqual(t, branch(0), branch(5), "the ACK of a 2xx is another transaction")
	assert.NotEqual(t, branch(0), branch(6))
	assert.NotEqual(t, branch(5), branch(6))
	assert.Equal(t, []string{
		"ua -> sl INVITE", "ua -> sl INVITE", "ua -> sl CANCEL", "ua -> sl ACK", "ua -> sl ACK", "ua -> sl ACK", "ua -> sl INVITE",
		"sl -> srv INVITE", "sl -> srv INVITE", "sl -> srv CANCEL", "sl -> srv ACK", "sl -> srv ACK", "sl -> srv ACK", "sl -> srv INVITE",
	}, rtWire(n, rec))
	assert.Zero(t, n.Sim().Pending())
}

// TestStatelessBranchWithoutCookie: an RFC 2543 client's branch has no
// magic cookie; the branch is then a hash of the top Via, tags, Call-ID,
// CSeq number and Request-URI (RFC 3261 16.11), the same for a
// retransmission and a CANCEL.
func TestStatelessBranchWithoutCookie(t *testing.T) {
	inv := rtSLInvite(t, "old1")
	cancel := inv.Clone()
	cancel.Method = sipstack.CANCEL
	cancel.Header.Set("CSeq", "1 CANCEL")
	cancel.Body = nil
	top, err := inv.Header.Via()
	require.NoError(t, err)
	assert.Equal(t, slBranch(inv, top), slBranch(inv.Clone(), top))
	assert.Equal(t, slBranch(inv, top), slBranch(cancel, top))
	next := inv.Clone()
	next.Header.Set("CSeq", "2 INVITE")
	assert.NotEqual(t, slBranch(inv, top), slBranch(next, top))
}

// TestStatelessMaxForwardsZero: RFC 3261 16.3 step 3: 483, sent
// statelessly with the same To tag for a retransmission; an ACK is never
// answered.
func TestStatelessMaxForwardsZero(t *testing.T) {
	n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{})
	inv := rtSLInvite(t, "z9hG4bKua1")
	inv.Header.SetMaxForwards(0)
	ua.send(inv, "sl")
	ua.send(inv, "sl")
	ack := inv.Clone()
	ack.Method = sipstack.ACK
	ack.Header.Set("CSeq", "1 ACK")
	ua.send(ack, "sl")
	n.Sim().Run()

	assert.Empty(t, srv.got)
	require.Len(t, ua.got, 2)
	r0, r1 := ua.got[0].(*sipstack.Response), ua.got[1].(*sipstack.Response)
	assert.Equal(t, 483, r0.StatusCode)
	assert.Equal(t, "Too Many Hops", r0.Reason)
	to, err := r0.Header.To()
	require.NoError(t, err)
	assert.NotEmpty(t, to.Tag())
	assert.Equal(t, r0.String(), r1.String(), "a retransmission gets the same response")
	assert.Equal(t, []string{
		"ua -> sl INVITE", "ua -> sl INVITE", "ua -> sl ACK",
		"sl -> ua 483/INVITE", "sl -> ua 483/INVITE",
	}, rtWire(n, rec))
	assert.Equal(t, []string{"sl 483", "sl 483", "sl drop"}, rtNotes(rec))
}

// TestStatelessDropsForeignResponse: RFC 3261 16.11: a response whose top
// Via is not the proxy's "MUST be silently discarded".
func TestStatelessDropsForeignResponse(t *testing.T) {
	n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{})
	inv := rtSLInvite(t, "z9hG4bKua1")
	resp := sipstack.NewResponse(inv, 200, "")
	srv.send(resp, "sl")
	n.Sim().Run()
	assert.Empty(t, ua.got)
	assert.Equal(t, []string{"srv -> sl 200/INVITE"}, rtWire(n, rec))
	assert.Equal(t, []string{"sl discard"}, rtNotes(rec))
}

// TestStatelessReceivedAndRport: RFC 3261 18.2.1 and RFC 3581: the proxy
// records the source in the client's Via, and the response goes back to
// that source although the sent-by is a name.
func TestStatelessReceivedAndRport(t *testing.T) {
	n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{})
	inv := rtInvite(t, "sip:user2@there.com")
	inv.Header.PrependVia(sipstack.Via{Transport: "UDP", Host: "client.here.com", Port: 5070, Params: ";branch=z9hG4bKua1;rport"})
	ua.send(inv, "sl")
	n.Sim().Run()
	vias := srv.request(0).Header.Values("Via")
	require.Len(t, vias, 2)
	assert.Equal(t, "SIP/2.0/UDP client.here.com:5070;branch=z9hG4bKua1;rport=5060;received=10.0.9.1", vias[1])
	srv.answer(0, 180)
	n.Sim().Run()
	require.Len(t, ua.got, 1)
	assert.Equal(t, []string{"ua -> sl INVITE", "sl -> srv INVITE", "srv -> sl 180/INVITE", "sl -> ua 180/INVITE"}, rtWire(n, rec))
}

// TestStatelessRoutes: 16.4 removes the proxy's own Route value and the
// next Route decides the hop; a strict router next gets the Request-URI
// at the end of the route set (16.6 step 6); no route at all gives 404.
func TestStatelessRoutes(t *testing.T) {
	t.Run("loose", func(t *testing.T) {
		n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{Routes: map[string]string{}})
		inv := rtSLInvite(t, "z9hG4bKua1")
		inv.Header.Add("Route", "<sip:10.0.9.2;lr>, <sip:srv;lr>")
		ua.send(inv, "sl")
		n.Sim().Run()
		assert.Equal(t, []string{"<sip:srv;lr>"}, srv.request(0).Header.Values("Route"))
		assert.Equal(t, []string{"ua -> sl INVITE", "sl -> srv INVITE"}, rtWire(n, rec))
	})
	t.Run("strict", func(t *testing.T) {
		n, rec, ua, _, srv := rtSLNet(t, StatelessOptions{Routes: map[string]string{}})
		inv := rtSLInvite(t, "z9hG4bKua1")
		inv.Header.Add("Route", "<sip:sl;lr>")
		inv.Header.Add("Route", "<sip:srv>")
		ua.send(inv, "sl")
		n.Sim().Run()
		fwd := srv.request(0)
		assert.Equal(t, "sip:srv", fwd.RequestURI.String())
		assert.Equal(t, []string{"<sip:user2@there.com>"}, fwd.Header.Values("Route"))
		assert.Equal(t, []string{"ua -> sl INVITE", "sl -> srv INVITE"}, rtWire(n, rec))
	})
	t.Run("unsupported scheme", func(t *testing.T) {
		n, rec, ua, _, _ := rtSLNet(t, StatelessOptions{})
		inv := rtSLInvite(t, "z9hG4bKua1")
		inv.RequestURI = rtMustURI(t, "tel:+15551234")
		ua.send(inv, "sl")
		n.Sim().Run()
		require.Len(t, ua.got, 1)
		assert.Equal(t, 416, ua.got[0].(*sipstack.Response).StatusCode, "RFC 3261 16.3 step 2")
		assert.Equal(t, []string{"ua -> sl INVITE", "sl -> ua 416/INVITE"}, rtWire(n, rec))
	})
	t.Run("unsupported Proxy-Require", func(t *testing.T) {
		n, rec, ua, _, _ := rtSLNet(t, StatelessOptions{})
		inv := rtSLInvite(t, "z9hG4bKua1")
		inv.Header.Add("Proxy-Require", "noProxiesSupportThis")
		ua.send(inv, "sl")
		n.Sim().Run()
		require.Len(t, ua.got, 1)
		resp := ua.got[0].(*sipstack.Response)
		assert.Equal(t, 420, resp.StatusCode, "RFC 3261 16.3 step 5")
		assert.Equal(t, "noProxiesSupportThis", resp.Header.Get("Unsupported"))
		assert.Equal(t, []string{"ua -> sl INVITE", "sl -> ua 420/INVITE"}, rtWire(n, rec))
	})
	t.Run("no route", func(t *testing.T) {
		n, rec, ua, _, _ := rtSLNet(t, StatelessOptions{Routes: map[string]string{}})
		ua.send(rtSLInvite(t, "z9hG4bKua1"), "sl")
		n.Sim().Run()
		require.Len(t, ua.got, 1)
		assert.Equal(t, 404, ua.got[0].(*sipstack.Response).StatusCode)
		assert.Equal(t, []string{"ua -> sl INVITE", "sl -> ua 404/INVITE"}, rtWire(n, rec))
	})
}

// TestStatelessLoop: a route back to the proxy itself brings the request
// back unchanged: 482 (RFC 3261 16.3 step 4), which the proxy then
// forwards to the UA like any response.
func TestStatelessLoop(t *testing.T) {
	n, rec, ua, _, _ := rtSLNet(t, StatelessOptions{Routes: map[string]string{"there.com": "sip:10.0.9.2"}})
	ua.send(rtSLInvite(t, "z9hG4bKua1"), "sl")
	n.Sim().Run()
	require.Len(t, ua.got, 1)
	assert.Equal(t, 482, ua.got[0].(*sipstack.Response).StatusCode)
	assert.Equal(t, []string{"ua -> sl INVITE", "sl -> sl INVITE", "sl -> sl 482/INVITE", "sl -> ua 482/INVITE"}, rtWire(n, rec))
	assert.Equal(t, []string{"sl route", "sl 482"}, rtNotes(rec))
}

// TestStatelessResolverDelay: without a table entry the Request-URI's
// domain is resolved; the lookup's delay postpones the forwarding once,
// and the cached answer is free.
func TestStatelessResolverDelay(t *testing.T) {
	n, rec := rtNet(t, 1, "ua", "sl", "srv", "srv2")
	zone := NewZone(n, time.Hour)
	require.NoError(t, zone.Add("there.com",
		Server{Host: "srv2", Priority: 20, Weight: 10},
		Server{Host: "srv", Priority: 10, Weight: 0},
		Server{Host: "srv2", Priority: 10, Weight: 0, Port: 5070},
	))
	_, err := NewStatelessProxy(n, Config{Host: "sl"}, StatelessOptions{Resolver: NewResolver(zone, 50*time.Millisecond)})
	require.NoError(t, err)
	ua := newRtRaw(t, n, "ua")
	srv := newRtRaw(t, n, "srv")
	ua.send(rtSLInvite(t, "z9hG4bKua1"), "sl")
	n.Sim().RunFor(time.Second)
	ua.send(rtSLInvite(t, "z9hG4bKua2"), "sl")
	n.Sim().Run()
	require.Len(t, srv.got, 2, "priority 10, first of equal weights: always srv")
	var at []time.Duration
	for _, e := range rec.OfKind(sim.KindSend) {
		at = append(at, time.Duration(e.Time))
	}
	assert.Equal(t, []time.Duration{0, 60 * time.Millisecond, time.Second, time.Second + 10*time.Millisecond}, at)
}

// TestNewStatelessProxyErrors covers configuration errors.
func TestNewStatelessProxyErrors(t *testing.T) {
	n, _ := rtNet(t, 1, "sl")
	_, err := NewStatelessProxy(n, Config{Host: "nowhere"}, StatelessOptions{})
	assert.ErrorIs(t, err, ErrNoHost)
	_, err = NewStatelessProxy(n, Config{Host: "sl"}, StatelessOptions{Routes: map[string]string{"there.com": "mailto:x@y"}})
	assert.ErrorIs(t, err, ErrBadRoute)
}

// TestStatelessDeterministic: two runs with the same seed give the same
// trace, byte for byte.
func TestStatelessDeterministic(t *testing.T) {
	run := func() [32]byte {
		n, _, ua, _, srv := rtSLNet(t, StatelessOptions{})
		h := sim.NewHashSink()
		n.SetSink(h)
		inv := rtSLInvite(t, "z9hG4bKua1")
		ua.send(inv, "sl")
		n.Sim().Run()
		srv.answer(0, 200)
		n.Sim().Run()
		require.Equal(t, uint64(9), h.Count(), "4 sends, 4 deliveries, 1 annotation")
		return h.Sum()
	}
	assert.Equal(t, run(), run())
}
