package nodes

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// spNet is a test network: hosts named in order get 10.0.0.1, 10.0.0.2, ...
// and every link has spDelay of propagation delay.
type spNet struct {
	t     testing.TB
	s     *sim.Simulator
	net   *sim.Network
	rec   *sim.Recorder
	cores []*Core
}

const spDelay = 10 * time.Millisecond

func spNewNet(t testing.TB, hosts ...string) *spNet {
	t.Helper()
	s := sim.New(1)
	rec := &sim.Recorder{}
	net, err := sim.NewNetwork(s, sim.Options{Sink: rec})
	require.NoError(t, err)
	for i, h := range hosts {
		_, err := net.AddHost(h, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		require.NoError(t, err)
	}
	return &spNet{t: t, s: s, net: net, rec: rec}
}

func (n *spNet) link(a, b string) {
	n.t.Helper()
	require.NoError(n.t, n.net.AddSymmetricLink(a, b, sim.LinkConfig{Delay: spDelay}))
}

// addr returns the SIP address of host h.
func (n *spNet) addr(h string) string { return n.net.Host(h).AddrPort(DefaultPort).String() }

// uri parses s after replacing {host} with the SIP address of host.
func (n *spNet) uri(s string) uri.URI {
	n.t.Helper()
	for _, h := range n.net.Hosts() {
		s = strings.ReplaceAll(s, "{"+h.Name()+"}", n.addr(h.Name()))
	}
	u, err := uri.Parse(s)
	require.NoError(n.t, err)
	return u
}

func (n *spNet) proxy(host, domain string, opts ProxyOptions) *StatefulProxy {
	n.t.Helper()
	p, err := NewStatefulProxy(n.net, Config{Host: host, Domain: domain}, opts)
	require.NoError(n.t, err)
	n.cores = append(n.cores, p.Core())
	return p
}

// wire returns every message sent, once each, as "from>to LABEL".
func (n *spNet) wire() []string {
	var out []string
	seen := map[uint64]bool{}
	for _, e := range n.rec.OfKind(sim.KindSend) {
		if seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		out = append(out, n.net.HostByAddr(e.Src.Addr()).Name()+">"+n.net.HostByAddr(e.Dst.Addr()).Name()+" "+e.Label)
	}
	return out
}

// msg returns the nth (from 0) message labelled label sent from one host
// to another, parsed.
func (n *spNet) msg(from, to, label string, nth int) sipstack.Message {
	n.t.Helper()
	seen := map[uint64]bool{}
	for _, e := range n.rec.OfKind(sim.KindSend) {
		if seen[e.ID] || e.Label != label {
			continue
		}
		seen[e.ID] = true
		if n.net.HostByAddr(e.Src.Addr()).Name() != from || n.net.HostByAddr(e.Dst.Addr()).Name() != to {
			continue
		}
		if nth > 0 {
			nth--
			continue
		}
		m, err := sipstack.ParseMessage(e.Payload)
		require.NoError(n.t, err)
		return m
	}
	n.t.Fatalf("no message %d %s %s>%s", nth, label, from, to)
	return nil
}

// notes returns the annotations labelled label, as "host: detail".
func (n *spNet) notes(label string) []string {
	var out []string
	for _, e := range n.rec.OfKind(sim.KindAnnotation) {
		if e.Label == label {
			out = append(out, e.Host+": "+e.Detail)
		}
	}
	return out
}

// run runs the simulation to its end and checks that every element is
// left with no transaction and no timer.
func (n *spNet) run() {
	n.t.Helper()
	n.s.SetMaxEvents(1_000_000)
	n.s.Run()
	require.False(n.t, n.s.LimitReached())
	for _, c := range n.cores {
		assert.Zero(n.t, c.Layer().Len(), "%s: transactions left", c.Name())
		assert.Zero(n.t, c.Pending(), "%s: timers left", c.Name())
	}
}

// spStep is one response of a stand-in UAS: code after delay from the
// request, with contact as its Contact (the UA's own for 1xx/2xx when
// empty).
type spStep struct {
	delay   time.Duration
	code    int
	contact string
}

// spUA is a minimal user agent for proxy tests: it sends INVITEs, ACKs
// their 2xx on the route set, sends BYE, and answers INVITEs with a script.
type spUA struct {
	n      *spNet
	core   *Core
	name   string
	steps  []spStep  // the callee's answer to an INVITE
	header [2]string // a header field the callee adds to its final non-2xx

	// Caller state.
	seq      uint32
	callID   string
	tag      string
	invite   *sipstack.Request
	firstHop string
	auth     [2]string // user and password to answer a 407 with
	method   string    // the method of call; "" means INVITE
	callMF   string    // Max-Forwards of the INVITE; "" means 70
	extra    [2]string // a header field to add to the INVITE

	// Callee state.
	toTag     string
	inviteTx  transaction.ID
	received  *sipstack.Request // the INVITE as received
	finalSent bool

	// What happened.
	responses []*sipstack.Response
	requests  []*sipstack.Request
	failed    []transaction.Timer
	dialogRR  []string // the callee's route set from the INVITE; the caller's from the 2xx (reversed)
	remote    uri.URI
}

func (n *spNet) ua(host string, steps ...spStep) *spUA {
	n.t.Helper()
	u := &spUA{n: n, name: host, steps: steps}
	c, err := NewCore(n.net, Config{Host: host}, u)
	require.NoError(n.t, err)
	u.core = c
	n.cores = append(n.cores, c)
	return u
}

func (u *spUA) contact() string { return "<sip:" + u.name + "@" + u.core.Addr().String() + ">" }

// call sends an INVITE for target through the proxy at firstHop (a host
// name), with a Route to it when route is set.
func (u *spUA) call(target, firstHop string, route bool) {
	u.callID = u.core.IDs().CallID()
	u.tag = u.core.IDs().Tag()
	u.firstHop = firstHop
	method := cmp.Or(u.method, sipstack.INVITE)
	req := sipstack.NewRequest(method, u.n.uri(target))
	req.Header.PrependVia(u.core.Via(transaction.UDP))
	if route {
		req.Header.Add("Route", "<sip:"+u.n.addr(firstHop)+";lr>")
	}
	req.Header.Add("Max-Forwards", cmp.Or(u.callMF, "70"))
	req.Header.Add("From", "<sip:"+u.name+"@atlanta.example.com>;tag="+u.tag)
	req.Header.Add("To", "<"+u.n.uri(target).String()+">")
	if u.extra[0] != "" {
		req.Header.Add(u.extra[0], u.extra[1])
	}
	req.Header.Add("Call-ID", u.callID)
	u.seq++
	req.Header.Add("CSeq", fmt.Sprintf("%d %s", u.seq, method))
	req.Header.Add("Contact", u.contact())
	u.send(req)
}

func (u *spUA) send(req *sipstack.Request) {
	u.invite = req
	_, err := u.core.SendRequest(req, transaction.Destination{Addr: u.n.net.Host(u.firstHop).AddrPort(DefaultPort)})
	require.NoError(u.n.t, err)
}

// Request implements Handler.
func (u *spUA) Request(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
	u.requests = append(u.requests, req)
	switch req.Method {
	case sipstack.INVITE:
		u.inviteTx, u.received, u.toTag = tx, req, u.core.IDs().Tag()
		rr, _ := req.Header.RecordRoutes()
		u.dialogRR = nil
		for _, a := range rr {
			u.dialogRR = append(u.dialogRR, a.String())
		}
		cs, _ := req.Header.Contacts()
		if len(cs) > 0 {
			u.remote = cs[0].URI
		}
		for _, st := range u.steps {
			u.core.after(st.delay, func() { u.answer(st) })
		}
	case sipstack.CANCEL:
		ok, err := dialog.NewCancelOK(req, u.toTag)
		require.NoError(u.n.t, err)
		require.NoError(u.n.t, u.core.Respond(tx, ok))
		if !u.finalSent {
			u.finalSent = true
			r, err := dialog.NewRequestTerminated(u.received, u.toTag)
			require.NoError(u.n.t, err)
			require.NoError(u.n.t, u.core.Respond(u.inviteTx, r))
		}
	case sipstack.BYE:
		require.NoError(u.n.t, u.core.Respond(tx, sipstack.NewResponse(req, 200, "")))
	}
}

func (u *spUA) answer(st spStep) {
	if u.finalSent {
		return
	}
	resp, err := dialog.NewUASResponse(u.received, st.code, u.toTag)
	require.NoError(u.n.t, err)
	switch {
	case st.contact != "":
		resp.Header.Add("Contact", "<"+u.n.uri(st.contact).String()+">")
	case st.code < 300:
		resp.Header.Add("Contact", u.contact())
	}
	if u.header[0] != "" && st.code >= 300 {
		resp.Header.Add(u.header[0], u.header[1])
	}
	if st.code >= 200 {
		u.finalSent = true
	}
	require.NoError(u.n.t, u.core.Respond(u.inviteTx, resp))
}

// Response implements Handler: the caller ACKs a 2xx on its route set and
// answers a 407 with credentials when it has some.
func (u *spUA) Response(_ transaction.ID, resp *sipstack.Response) {
	u.responses = append(u.responses, resp)
	cs, _ := resp.Header.CSeq()
	switch {
	case cs.Method == sipstack.INVITE && resp.StatusCode >= 200 && resp.StatusCode < 300:
		rr, _ := resp.Header.RecordRoutes()
		u.dialogRR = nil
		for _, a := range slices.Backward(rr) {
			u.dialogRR = append(u.dialogRR, a.String())
		}
		c, _ := resp.Header.Contacts()
		u.remote = c[0].URI
		to, _ := resp.Header.To()
		ack := u.inDialog(sipstack.ACK, cs.Seq, to)
		u.core.SendDirect(ack, u.nextHop(ack))
	case cs.Method == sipstack.INVITE && resp.StatusCode == 407 && u.auth[0] != "":
		ch, err := resp.Header.ProxyAuthenticate()
		require.NoError(u.n.t, err)
		req := u.invite.Clone()
		req.Header.PopVia()
		req.Header.PrependVia(u.core.Via(transaction.UDP))
		u.seq++
		req.Header.Set("CSeq", fmt.Sprintf("%d INVITE", u.seq))
		ruri := req.RequestURI.String()
		const nc, cnonce = "00000001", "0a4f113b"
		resp := digestResponse(u.auth[0], ch[0].Realm(), u.auth[1], sipstack.INVITE, ruri, ch[0].Nonce(), nc, cnonce, "auth")
		cred := sipstack.AuthParams("").With("username", u.auth[0], true).With("realm", ch[0].Realm(), true).
			With("nonce", ch[0].Nonce(), true).With("uri", ruri, true).With("response", resp, true).
			With("qop", "auth", false).With("nc", nc, false).With("cnonce", cnonce, true).With("algorithm", "MD5", false)
		req.Header.Add("Proxy-Authorization", "Digest "+string(cred))
		u.auth = [2]string{} // answer one challenge only
		u.send(req)
	}
}

// inDialog builds a request of the dialog: the remote target as
// Request-URI and the route set as Route (RFC 3261 12.2.1.1).
func (u *spUA) inDialog(method string, seq uint32, to sipstack.Address) *sipstack.Request {
	req := sipstack.NewRequest(method, u.remote)
	req.Header.PrependVia(u.core.Via(transaction.UDP))
	for _, r := range u.dialogRR {
		req.Header.Add("Route", r)
	}
	req.Header.Add("Max-Forwards", "70")
	if u.received != nil { // the callee: From and To swap
		from, _ := u.received.Header.To()
		from.Params = from.Params.Set("tag", u.toTag)
		to, _ := u.received.Header.From()
		req.Header.Add("From", from.String())
		req.Header.Add("To", to.String())
		req.Header.Add("Call-ID", u.received.Header.CallID())
	} else {
		req.Header.Add("From", "<sip:"+u.name+"@atlanta.example.com>;tag="+u.tag)
		req.Header.Add("To", to.String())
		req.Header.Add("Call-ID", u.callID)
	}
	req.Header.Add("CSeq", fmt.Sprintf("%d %s", seq, method))
	return req
}

// nextHop returns the address of the top Route, or of the Request-URI.
func (u *spUA) nextHop(req *sipstack.Request) transaction.Destination {
	target := req.RequestURI
	if r, ok, _ := req.Header.Route(); ok {
		target = r.URI
	}
	a, err := netip.ParseAddr(target.Host)
	require.NoError(u.n.t, err)
	return transaction.Destination{Addr: netip.AddrPortFrom(a, portOr(target.Port))}
}

// bye sends a BYE in the dialog established by the last INVITE.
func (u *spUA) bye() {
	var to sipstack.Address
	if u.received == nil {
		to, _ = u.responses[len(u.responses)-1].Header.To()
	}
	req := u.inDialog(sipstack.BYE, 1, to)
	if u.received == nil {
		req.Header.Set("CSeq", fmt.Sprintf("%d BYE", u.seq+1))
	}
	_, err := u.core.SendRequest(req, u.nextHop(req))
	require.NoError(u.n.t, err)
}

// Failed implements Handler.
func (u *spUA) Failed(_ transaction.ID, timer transaction.Timer) { u.failed = append(u.failed, timer) }

// finals returns the status codes of the final responses received.
func (u *spUA) finals() []int {
	var out []int
	for _, r := range u.responses {
		if r.StatusCode >= 200 {
			out = append(out, r.StatusCode)
		}
	}
	return out
}

// spTwoProxies builds RFC 3665 3.2's shape: alice -> p1 (atlanta) -> p2
// (biloxi, with bob's binding) -> bob, both proxies record-routing.
func spTwoProxies(t *testing.T, p1opts ProxyOptions, bobSteps ...spStep) (*spNet, *spUA, *spUA, *StatefulProxy, *StatefulProxy) {
	n := spNewNet(t, "alice", "bob", "p1", "p2")
	n.link("alice", "p1")
	n.link("p1", "p2")
	n.link("p2", "bob")
	loc := NewLocationService()
	loc.Add(n.uri("sip:bob@biloxi.example.com"), Binding{Contact: n.uri("sip:bob@{bob}"), Q: 1000, Expires: sim.MaxTime})
	p1opts.Domains = []string{"atlanta.example.com"}
	p1opts.Routes = map[string]uri.URI{"biloxi.example.com": n.uri("sip:{p2}")}
	p1opts.RecordRoute = true
	p1 := n.proxy("p1", "atlanta.example.com", p1opts)
	p2 := n.proxy("p2", "biloxi.example.com", ProxyOptions{Domains: []string{"biloxi.example.com"}, Location: loc, RecordRoute: true})
	alice := n.ua("alice")
	bob := n.ua("bob", bobSteps...)
	return n, alice, bob, p1, p2
}

// RFC 3665 3.2 without the challenge: the INVITE goes through both proxies,
// each pushing a Via and a Record-Route and decrementing Max-Forwards;
// responses come back along the Vias; the ACK and the BYE follow the route
// set, each proxy consuming its Route.
func TestStatefulProxyTwoProxies(t *testing.T) {
	n, alice, bob, p1, p2 := spTwoProxies(t, ProxyOptions{}, spStep{50 * time.Millisecond, 180, ""}, spStep{100 * time.Millisecond, 200, ""})
	alice.call("sip:bob@biloxi.example.com", "p1", true)
	n.s.At(sim.Time(2*time.Second), bob.bye)
	n.run()

	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p2 INVITE", "p2>p1 100/INVITE",
		"p2>bob INVITE", "bob>p2 100/INVITE",
		"bob>p2 180/INVITE", "p2>p1 180/INVITE", "p1>alice 180/INVITE",
		"bob>p2 200/INVITE", "p2>p1 200/INVITE", "p1>alice 200/INVITE",
		"alice>p1 ACK", "p1>p2 ACK", "p2>bob ACK",
		"bob>p2 BYE", "p2>p1 BYE", "p1>alice BYE",
		"alice>p1 200/BYE", "p1>p2 200/BYE", "p2>bob 200/BYE",
	}, n.wire())
	assert.Equal(t, []int{200}, alice.finals())

	rr1 := "<" + p1.RecordRouteURI().String() + ">"
	rr2 := "<" + p2.RecordRouteURI().String() + ">"
	// F1 -> F5 -> F7: Via +1, Max-Forwards -1, Record-Route prepended,
	// p1's Route consumed, Request-URI rewritten by p2's location service.
	f1 := n.msg("alice", "p1", "INVITE", 0).(*sipstack.Request)
	f5 := n.msg("p1", "p2", "INVITE", 0).(*sipstack.Request)
	f7 := n.msg("p2", "bob", "INVITE", 0).(*sipstack.Request)
	for i, r := range []*sipstack.Request{f1, f5, f7} {
		vias, err := r.Header.Vias()
		require.NoError(t, err)
		assert.Len(t, vias, i+1)
		mf, _ := r.Header.MaxForwards()
		assert.Equal(t, 70-i, mf)
	}
	assert.Equal(t, []string{"<sip:" + n.addr("p1") + ";lr>"}, f1.Header.Values("Route"))
	assert.Empty(t, f5.Header.Values("Route"))
	assert.Equal(t, []string{rr1}, f5.Header.Values("Record-Route"))
	assert.Equal(t, []string{rr2, rr1}, f7.Header.Values("Record-Route"))
	assert.Equal(t, "sip:bob@biloxi.example.com", f5.RequestURI.String())
	assert.Equal(t, "sip:bob@"+n.addr("bob"), f7.RequestURI.String())
	top5, _ := f5.Header.Via()
	top7, _ := f7.Header.Via()
	assert.Equal(t, n.addr("p1"), top5.SentBy())
	assert.Equal(t, n.addr("p2"), top7.SentBy())
	assert.True(t, strings.HasPrefix(top5.Branch(), sipstack.BranchMagicCookie))

	// F12 -> F13 -> F14: each hop pops its Via; Record-Route intact.
	for i, hop := range [][2]string{{"bob", "p2"}, {"p2", "p1"}, {"p1", "alice"}} {
		r := n.msg(hop[0], hop[1], "200/INVITE", 0).(*sipstack.Response)
		vias, _ := r.Header.Vias()
		assert.Len(t, vias, 3-i)
		assert.Equal(t, []string{rr2, rr1}, r.Header.Values("Record-Route"))
	}

	// F15 -> F16 -> F17: the ACK loses one Route per proxy and gains a Via.
	ack := []*sipstack.Request{
		n.msg("alice", "p1", "ACK", 0).(*sipstack.Request),
		n.msg("p1", "p2", "ACK", 0).(*sipstack.Request),
		n.msg("p2", "bob", "ACK", 0).(*sipstack.Request),
	}
	assert.Equal(t, []string{rr1, rr2}, ack[0].Header.Values("Route"))
	assert.Equal(t, []string{rr2}, ack[1].Header.Values("Route"))
	assert.Empty(t, ack[2].Header.Values("Route"))
	for i, r := range ack {
		vias, _ := r.Header.Vias()
		assert.Len(t, vias, i+1)
		mf, _ := r.Header.MaxForwards()
		assert.Equal(t, 70-i, mf)
		assert.Equal(t, "sip:bob@"+n.addr("bob"), r.RequestURI.String())
	}
	// F18 -> F19 -> F20: the BYE the other way.
	bye := []*sipstack.Request{
		n.msg("bob", "p2", "BYE", 0).(*sipstack.Request),
		n.msg("p2", "p1", "BYE", 0).(*sipstack.Request),
		n.msg("p1", "alice", "BYE", 0).(*sipstack.Request),
	}
	assert.Equal(t, []string{rr2, rr1}, bye[0].Header.Values("Route"))
	assert.Equal(t, []string{rr1}, bye[1].Header.Values("Route"))
	assert.Empty(t, bye[2].Header.Values("Route"))
	assert.Empty(t, bye[1].Header.Values("Record-Route"), "no Record-Route inside a dialog")
	for i, r := range bye {
		vias, _ := r.Header.Vias()
		assert.Len(t, vias, i+1)
		assert.Equal(t, "sip:alice@"+n.addr("alice"), r.RequestURI.String())
	}
	assert.Equal(t, []string{
		"p1: INVITE sip:bob@biloxi.example.com to " + n.addr("p2") + "/UDP (table)",
		"p2: INVITE sip:bob@" + n.addr("bob") + " to " + n.addr("bob") + "/UDP (location)",
		"p1: ACK sip:bob@" + n.addr("bob") + " to " + n.addr("p2") + "/UDP (route header, stateless)",
		"p2: ACK sip:bob@" + n.addr("bob") + " to " + n.addr("bob") + "/UDP (direct, stateless)",
		"p2: BYE sip:alice@" + n.addr("alice") + " to " + n.addr("p1") + "/UDP (route header)",
		"p1: BYE sip:alice@" + n.addr("alice") + " to " + n.addr("alice") + "/UDP (direct)",
	}, n.notes("route"))
	assert.Zero(t, p1.Contexts())
	assert.Zero(t, p2.Contexts())
}

// RFC 3665 3.2 F1-F5: p1 challenges the INVITE with 407, alice ACKs it
// (absorbed by p1's server transaction) and resends with credentials,
// which p1 checks and removes before forwarding.
func TestStatefulProxyChallenge(t *testing.T) {
	opts := ProxyOptions{AuthRealm: "atlanta.example.com", Credentials: map[string]string{"alice": "secret"}}
	n, alice, _, _, _ := spTwoProxies(t, opts, spStep{0, 486, ""})
	alice.auth = [2]string{"alice", "secret"}
	alice.call("sip:bob@biloxi.example.com", "p1", true)
	n.run()

	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE", "p1>alice 407/INVITE", "alice>p1 ACK",
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p2 INVITE", "p2>p1 100/INVITE",
		"p2>bob INVITE", "bob>p2 100/INVITE", "bob>p2 486/INVITE",
		"p2>bob ACK", "p2>p1 486/INVITE",
		"p1>p2 ACK", "p1>alice 486/INVITE",
		"alice>p1 ACK",
	}, n.wire())
	assert.Equal(t, []int{407, 486}, alice.finals())
	c407 := n.msg("p1", "alice", "407/INVITE", 0).(*sipstack.Response)
	ch, err := c407.Header.ProxyAuthenticate()
	require.NoError(t, err)
	require.Len(t, ch, 1)
	assert.Equal(t, "atlanta.example.com", ch[0].Realm())
	to, _ := c407.Header.To()
	assert.NotEmpty(t, to.Tag())
	f4 := n.msg("alice", "p1", "INVITE", 1).(*sipstack.Request)
	f5 := n.msg("p1", "p2", "INVITE", 0).(*sipstack.Request)
	assert.True(t, f4.Header.Has("Proxy-Authorization"))
	assert.False(t, f5.Header.Has("Proxy-Authorization"), "p1 consumes its credentials")
	assert.Len(t, n.notes("challenge"), 1)
}

// A wrong password is challenged again.
func TestStatefulProxyChallengeWrongPassword(t *testing.T) {
	opts := ProxyOptions{AuthRealm: "atlanta.example.com", Credentials: map[string]string{"alice": "secret"}}
	n, alice, _, _, _ := spTwoProxies(t, opts)
	alice.auth = [2]string{"alice", "guess"}
	alice.call("sip:bob@biloxi.example.com", "p1", true)
	n.run()
	assert.Equal(t, []int{407, 407}, alice.finals())
	assert.Len(t, n.notes("challenge"), 2)
}

// spForkNet: alice -> p (biloxi, two bindings for bob) -> bob1, bob2.
func spForkNet(t testing.TB, opts ProxyOptions, b1, b2 []spStep) (*spNet, *spUA, *spUA, *spUA, *StatefulProxy) {
	n := spNewNet(t, "alice", "bob1", "bob2", "p")
	n.link("alice", "p")
	n.link("p", "bob1")
	n.link("p", "bob2")
	loc := NewLocationService()
	bob := n.uri("sip:bob@biloxi.example.com")
	loc.Add(bob, Binding{Contact: n.uri("sip:bob@{bob1}"), Q: 1000, Expires: sim.MaxTime})
	loc.Add(bob, Binding{Contact: n.uri("sip:bob@{bob2}"), Q: 500, Expires: sim.MaxTime})
	opts.Domains = []string{"biloxi.example.com"}
	opts.Location = loc
	p := n.proxy("p", "biloxi.example.com", opts)
	return n, n.ua("alice"), n.ua("bob1", b1...), n.ua("bob2", b2...), p
}

// Parallel forking: bob2 answers first; bob1, ringing, is cancelled and
// answers 487, which p absorbs (the 2xx is already forwarded).
func TestStatefulProxyParallelFork(t *testing.T) {
	n, alice, bob1, bob2, p := spForkNet(t, ProxyOptions{RecordRoute: true},
		[]spStep{{20 * time.Millisecond, 180, ""}, {time.Second, 200, ""}},
		[]spStep{{50 * time.Millisecond, 200, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p INVITE", "p>alice 100/INVITE",
		"p>bob1 INVITE", "p>bob2 INVITE",
		"bob1>p 100/INVITE", "bob2>p 100/INVITE",
		"bob1>p 180/INVITE", "p>alice 180/INVITE",
		"bob2>p 200/INVITE", "p>alice 200/INVITE", "p>bob1 CANCEL",
		"alice>p ACK", "bob1>p 200/CANCEL", "bob1>p 487/INVITE",
		"p>bob2 ACK", "p>bob1 ACK",
	}, n.wire())
	assert.Equal(t, []int{200}, alice.finals())
	assert.Equal(t, []string{"p: parallel: sip:bob@" + n.addr("bob1") + ", sip:bob@" + n.addr("bob2")}, n.notes("fork"))
	assert.Empty(t, n.notes("best"), "a 2xx is forwarded at once, not chosen")
	// The CANCEL has the branch of the INVITE it cancels (RFC 3261 9.1).
	inv, _ := n.msg("p", "bob1", "INVITE", 0).(*sipstack.Request).Header.Via()
	cancel, _ := n.msg("p", "bob1", "CANCEL", 0).(*sipstack.Request).Header.Via()
	assert.Equal(t, inv.Branch(), cancel.Branch())
	assert.Equal(t, 1, countMethod(bob1.requests, sipstack.CANCEL))
	assert.Equal(t, 1, countMethod(bob2.requests, sipstack.ACK))
	assert.Zero(t, p.Contexts())
}

func countMethod(rs []*sipstack.Request, m string) int {
	n := 0
	for _, r := range rs {
		if r.Method == m {
			n++
		}
	}
	return n
}

// A 6xx on one branch cancels the others, and is the response forwarded
// even though the cancelled branch answers 487 (RFC 3261 16.7 step 5, 6).
func TestStatefulProxy6xxCancelsBranches(t *testing.T) {
	n, alice, _, _, _ := spForkNet(t, ProxyOptions{},
		[]spStep{{20 * time.Millisecond, 180, ""}},
		[]spStep{{50 * time.Millisecond, 603, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p INVITE", "p>alice 100/INVITE",
		"p>bob1 INVITE", "p>bob2 INVITE",
		"bob1>p 100/INVITE", "bob2>p 100/INVITE",
		"bob1>p 180/INVITE", "p>alice 180/INVITE",
		"bob2>p 603/INVITE", "p>bob2 ACK", "p>bob1 CANCEL",
		"bob1>p 200/CANCEL", "bob1>p 487/INVITE", "p>bob1 ACK",
		"p>alice 603/INVITE", "alice>p ACK",
	}, n.wire())
	assert.Equal(t, []int{603}, alice.finals())
	assert.Equal(t, []string{"p: 603 chosen from [603 487]"}, n.notes("best"))
}

// Sequential forking by q: bob1 (q=1) is busy, then bob2 (q=0.5) answers.
func TestStatefulProxySequentialFork(t *testing.T) {
	n, alice, _, _, _ := spForkNet(t, ProxyOptions{Fork: ForkSequential},
		[]spStep{{20 * time.Millisecond, 486, ""}},
		[]spStep{{20 * time.Millisecond, 200, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p INVITE", "p>alice 100/INVITE",
		"p>bob1 INVITE", "bob1>p 100/INVITE", "bob1>p 486/INVITE", "p>bob1 ACK",
		"p>bob2 INVITE", "bob2>p 100/INVITE", "bob2>p 200/INVITE", "p>alice 200/INVITE",
		"alice>bob2 ACK",
	}, n.wire())
	assert.Equal(t, []int{200}, alice.finals())
}

// Every branch fails, with 500 and 486: the lowest class wins (RFC 3261
// 16.7 step 6).
func TestStatefulProxyBestOfFailures(t *testing.T) {
	n, alice, _, _, _ := spForkNet(t, ProxyOptions{},
		[]spStep{{20 * time.Millisecond, 500, ""}},
		[]spStep{{30 * time.Millisecond, 486, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []int{486}, alice.finals())
	assert.Equal(t, []string{"p: 486 chosen from [500 486]"}, n.notes("best"))
}

func TestSpBest(t *testing.T) {
	mk := func(codes ...int) []*sipstack.Response {
		var out []*sipstack.Response
		for _, c := range codes {
			out = append(out, &sipstack.Response{StatusCode: c})
		}
		return out
	}
	for _, tc := range []struct {
		codes []int
		want  int
	}{
		{nil, 0},
		{[]int{503, 407, 501, 404}, 407}, // RFC 3261 16.7 step 6's example
		{[]int{486, 302, 404}, 302},
		{[]int{486, 404, 600, 200}, 600},
		{[]int{404, 486}, 404},
		{[]int{404, 484}, 484},
		{[]int{503}, 503}, // sendBest turns it into 500
	} {
		got := spBest(mk(tc.codes...))
		code := 0
		if got != nil {
			code = got.StatusCode
		}
		assert.Equal(t, tc.want, code, "spBest(%v)", tc.codes)
	}
}

// A CANCEL from the caller: p answers 200, cancels both ringing branches,
// and forwards 487 once both have answered 487.
func TestStatefulProxyCancel(t *testing.T) {
	n, alice, _, _, p := spForkNet(t, ProxyOptions{},
		[]spStep{{20 * time.Millisecond, 180, ""}},
		[]spStep{{20 * time.Millisecond, 180, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.s.At(sim.Time(500*time.Millisecond), func() {
		cancel, err := dialog.NewCancel(alice.invite)
		require.NoError(t, err)
		_, err = alice.core.SendRequest(cancel, transaction.Destination{Addr: n.net.Host("p").AddrPort(DefaultPort)})
		require.NoError(t, err)
	})
	n.run()
	assert.Equal(t, []string{
		"alice>p INVITE", "p>alice 100/INVITE",
		"p>bob1 INVITE", "p>bob2 INVITE",
		"bob1>p 100/INVITE", "bob2>p 100/INVITE",
		"bob1>p 180/INVITE", "bob2>p 180/INVITE",
		"p>alice 180/INVITE", "p>alice 180/INVITE",
		"alice>p CANCEL", "p>alice 200/CANCEL", "p>bob1 CANCEL", "p>bob2 CANCEL",
		"bob1>p 200/CANCEL", "bob1>p 487/INVITE", "bob2>p 200/CANCEL", "bob2>p 487/INVITE",
		"p>bob1 ACK", "p>bob2 ACK",
		"p>alice 487/INVITE", "alice>p ACK",
	}, n.wire())
	assert.Equal(t, []int{200, 487}, alice.finals())
	assert.Zero(t, p.Contexts())
}

// Recursion on 3xx (the reference scenario): p1, responsible for
// here.com but without a location service, asks a redirect server, ACKs
// its 302 and tries the contact itself.
func TestStatefulProxyRecursion(t *testing.T) {
	n := spNewNet(t, "alice", "bob", "p1", "redirect")
	n.link("alice", "p1")
	n.link("p1", "redirect")
	n.link("p1", "bob")
	p1 := n.proxy("p1", "here.com", ProxyOptions{
		Domains:    []string{"here.com"},
		Routes:     map[string]uri.URI{"here.com": n.uri("sip:{redirect}")},
		Recurse3xx: true,
	})
	alice := n.ua("alice")
	n.ua("redirect", spStep{0, 302, "sip:user2@{bob}"})
	n.ua("bob", spStep{20 * time.Millisecond, 200, ""})
	alice.call("sip:user2@here.com", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>redirect INVITE",
		"redirect>p1 100/INVITE", "redirect>p1 302/INVITE", "p1>redirect ACK",
		"p1>bob INVITE", "bob>p1 100/INVITE", "bob>p1 200/INVITE", "p1>alice 200/INVITE",
		"alice>bob ACK",
	}, n.wire())
	assert.Equal(t, []string{"p1: 302: sip:user2@" + n.addr("bob")}, n.notes("recurse"))
	assert.Equal(t, "sip:user2@"+n.addr("bob"), n.msg("p1", "bob", "INVITE", 0).(*sipstack.Request).RequestURI.String())
	assert.Zero(t, p1.Contexts())
}

// Without Recurse3xx the 302 is the best response and reaches the caller.
func TestStatefulProxyNoRecursion(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "redirect")
	n.link("alice", "p1")
	n.link("p1", "redirect")
	n.proxy("p1", "here.com", ProxyOptions{
		Domains: []string{"here.com"},
		Routes:  map[string]uri.URI{"here.com": n.uri("sip:{redirect}")},
	})
	alice := n.ua("alice")
	n.ua("redirect", spStep{0, 302, "sip:user2@there.com"})
	alice.call("sip:user2@here.com", "p1", false)
	n.run()
	assert.Equal(t, []int{302}, alice.finals())
	c, _ := alice.responses[len(alice.responses)-1].Header.Contacts()
	require.Len(t, c, 1)
	assert.Equal(t, "sip:user2@there.com", c[0].URI.String())
}

// A 302 whose only contact is the Request-URI already tried adds nothing
// to the target set (RFC 3261 16.5: once each) and is forwarded.
func TestStatefulProxyRecursionOnce(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "redirect")
	n.link("alice", "p1")
	n.link("p1", "redirect")
	n.proxy("p1", "here.com", ProxyOptions{
		Domains:    []string{"here.com"},
		Routes:     map[string]uri.URI{"here.com": n.uri("sip:{redirect}")},
		Recurse3xx: true,
	})
	alice := n.ua("alice")
	n.ua("redirect", spStep{0, 302, "sip:user2@here.com"})
	alice.call("sip:user2@here.com", "p1", false)
	n.run()
	assert.Equal(t, []int{302}, alice.finals())
	assert.Empty(t, n.notes("recurse"))
	assert.Equal(t, 1, strings.Count(strings.Join(n.wire(), " "), "p1>redirect INVITE"))
}

// Both forks answer 200 at the same instant: p forwards both 2xx
// (RFC 3261 16.7 step 5), the second through the server transaction's
// "Accepted" state (RFC 6026), and alice ACKs each through p.
func TestStatefulProxyForked2xx(t *testing.T) {
	n, alice, bob1, bob2, p := spForkNet(t, ProxyOptions{RecordRoute: true},
		[]spStep{{20 * time.Millisecond, 200, ""}},
		[]spStep{{20 * time.Millisecond, 200, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p INVITE", "p>alice 100/INVITE",
		"p>bob1 INVITE", "p>bob2 INVITE",
		"bob1>p 100/INVITE", "bob2>p 100/INVITE",
		"bob1>p 200/INVITE", "bob2>p 200/INVITE",
		"p>alice 200/INVITE", "p>bob2 CANCEL", "p>alice 200/INVITE",
		"alice>p ACK", "bob2>p 200/CANCEL", "alice>p ACK",
		"p>bob1 ACK", "p>bob2 ACK",
	}, n.wire())
	assert.Equal(t, []int{200, 200}, alice.finals())
	assert.Equal(t, 1, countMethod(bob1.requests, sipstack.ACK))
	assert.Equal(t, 1, countMethod(bob2.requests, sipstack.ACK))
	assert.Zero(t, p.Contexts())
}

// A misrouted table sends biloxi.example.com from p1 to p2 and back to
// p1: p1 finds its own Via with the branch hash it would compute now and
// answers 482 (RFC 3261 16.3 step 4).
func TestStatefulProxyLoop(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "p2")
	n.link("alice", "p1")
	n.link("p1", "p2")
	n.proxy("p1", "atlanta.example.com", ProxyOptions{Routes: map[string]uri.URI{"biloxi.example.com": n.uri("sip:{p2}")}})
	n.proxy("p2", "elsewhere.example.com", ProxyOptions{Routes: map[string]uri.URI{"biloxi.example.com": n.uri("sip:{p1}")}})
	alice := n.ua("alice")
	alice.call("sip:bob@biloxi.example.com", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p2 INVITE", "p2>p1 100/INVITE",
		"p2>p1 INVITE", "p1>p2 100/INVITE", "p1>p2 482/INVITE",
		"p2>p1 ACK", "p2>p1 482/INVITE",
		"p1>p2 ACK", "p1>alice 482/INVITE",
		"alice>p1 ACK",
	}, n.wire())
	assert.Equal(t, []int{482}, alice.finals())
	assert.Equal(t, []string{"p1: INVITE sip:bob@biloxi.example.com came back (482)"}, n.notes("loop"))
}

// Max-Forwards runs out: p1 forwards with Max-Forwards 0, and p2 answers
// 483 (RFC 3261 16.3 step 3).
func TestStatefulProxyTooManyHops(t *testing.T) {
	n, alice, _, _, _ := spTwoProxies(t, ProxyOptions{})
	alice.callMF = "1"
	alice.call("sip:bob@biloxi.example.com", "p1", true)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p2 INVITE", "p2>p1 100/INVITE", "p2>p1 483/INVITE",
		"p1>p2 ACK", "p1>alice 483/INVITE",
		"alice>p1 ACK",
	}, n.wire())
	assert.Equal(t, []int{483}, alice.finals())
}

// RFC 3665 3.4: the resolver lists two servers for biloxi.example.com; the
// first is down, so after Timer B the INVITE goes to the second.
func TestStatefulProxyFailover(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "dead", "p2", "bob")
	n.link("alice", "p1")
	n.link("p1", "dead")
	n.link("p1", "p2")
	n.link("p2", "bob")
	require.NoError(t, n.net.HostDown("dead", 0, sim.MaxTime))
	zone := NewZone(n.net, 0)
	require.NoError(t, zone.Add("biloxi.example.com", Server{Host: "dead", Priority: 1}, Server{Host: "p2", Priority: 2}))
	cfg := transaction.Config{T1: 50 * time.Millisecond, T2: 400 * time.Millisecond}
	p1, err := NewStatefulProxy(n.net, Config{Host: "p1", Timers: cfg}, ProxyOptions{Resolver: NewResolver(zone, 0)})
	require.NoError(t, err)
	n.cores = append(n.cores, p1.Core())
	loc := NewLocationService()
	loc.Add(n.uri("sip:bob@biloxi.example.com"), Binding{Contact: n.uri("sip:bob@{bob}"), Q: 1000, Expires: sim.MaxTime})
	n.proxy("p2", "biloxi.example.com", ProxyOptions{Domains: []string{"biloxi.example.com"}, Location: loc})
	alice := n.ua("alice")
	n.ua("bob", spStep{0, 486, ""})
	alice.call("sip:bob@biloxi.example.com", "p1", false)
	n.run()
	want := []string{"alice>p1 INVITE", "p1>alice 100/INVITE"}
	for range 7 { // the first send and six Timer A retransmissions within Timer B = 64*T1, as RFC 3665 3.4 F1-F7
		want = append(want, "p1>dead INVITE")
	}
	want = append(want,
		"p1>p2 INVITE", "p2>p1 100/INVITE", "p2>bob INVITE",
		"bob>p2 100/INVITE", "bob>p2 486/INVITE", "p2>bob ACK", "p2>p1 486/INVITE",
		"p1>p2 ACK", "p1>alice 486/INVITE", "alice>p1 ACK")
	assert.Equal(t, want, n.wire())
	assert.Equal(t, []int{486}, alice.finals())
	assert.Equal(t, []string{
		"p1: INVITE sip:bob@biloxi.example.com to " + n.addr("dead") + "/UDP (resolver)",
		"p1: " + n.addr("dead") + "/UDP failed (408), next server",
		"p1: INVITE sip:bob@biloxi.example.com to " + n.addr("p2") + "/UDP (resolver)",
		"p2: INVITE sip:bob@" + n.addr("bob") + " to " + n.addr("bob") + "/UDP (location)",
	}, n.notes("route"))
}

// A 503 from the first server also moves the branch to the next one. The
// lookup costs 50 ms of virtual time, once: the answer is cached.
func TestStatefulProxyFailover503(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "busy", "bob")
	n.link("alice", "p1")
	n.link("p1", "busy")
	n.link("p1", "bob")
	zone := NewZone(n.net, 0)
	require.NoError(t, zone.Add("biloxi.example.com", Server{Host: "busy", Priority: 1}, Server{Host: "bob", Priority: 2}))
	n.proxy("p1", "atlanta.example.com", ProxyOptions{Resolver: NewResolver(zone, 50*time.Millisecond)})
	alice := n.ua("alice")
	n.ua("busy", spStep{0, 503, ""})
	n.ua("bob", spStep{0, 200, ""})
	alice.call("sip:bob@biloxi.example.com", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>busy INVITE",
		"busy>p1 100/INVITE", "busy>p1 503/INVITE", "p1>busy ACK",
		"p1>bob INVITE", "bob>p1 100/INVITE", "bob>p1 200/INVITE", "p1>alice 200/INVITE",
		"alice>bob ACK",
	}, n.wire())
	assert.Equal(t, []int{200}, alice.finals())
	for _, e := range n.rec.OfKind(sim.KindSend) {
		if e.Label == sipstack.INVITE && n.net.HostByAddr(e.Src.Addr()).Name() == "p1" {
			// The INVITE reaches p1 at 10 ms; the first is sent after the
			// 50 ms lookup, the second as soon as the 503 is in (80 ms).
			assert.Contains(t, []sim.Time{sim.Time(60 * time.Millisecond), sim.Time(80 * time.Millisecond)}, e.Time)
		}
	}
	assert.Equal(t, []string{
		"p1: INVITE sip:bob@biloxi.example.com to " + n.addr("busy") + "/UDP (resolver)",
		"p1: INVITE sip:bob@biloxi.example.com to " + n.addr("bob") + "/UDP (resolver)",
	}, n.notes("route"))
}

// Requests answered by the proxy itself (RFC 3261 16.3, 16.5).
func TestStatefulProxyRejects(t *testing.T) {
	for _, tc := range []struct {
		name, method, target, mf string
		header                   [2]string
		want                     int
	}{
		{"unknown user", "", "sip:carol@biloxi.example.com", "", [2]string{}, 404},
		{"no binding", "", "sip:dave@biloxi.example.com", "", [2]string{}, 480},
		{"unsupported scheme", "", "tel:+15551234", "", [2]string{}, 416},
		{"proxy-require", "", "sip:bob@biloxi.example.com", "", [2]string{"Proxy-Require", "foo"}, 420},
		{"max-forwards 0", "", "sip:bob@biloxi.example.com", "0", [2]string{}, 483},
		{"OPTIONS max-forwards 0", sipstack.OPTIONS, "sip:bob@biloxi.example.com", "0", [2]string{}, 200},
		{"OPTIONS to the proxy", sipstack.OPTIONS, "sip:{p}", "", [2]string{}, 200},
		{"INVITE to the proxy", "", "sip:{p}", "", [2]string{}, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := spNewNet(t, "alice", "p")
			n.link("alice", "p")
			loc := NewLocationService()
			loc.Provision(n.uri("sip:dave@biloxi.example.com"))
			loc.Add(n.uri("sip:bob@biloxi.example.com"), Binding{Contact: n.uri("sip:bob@10.9.9.9"), Q: 1000, Expires: sim.MaxTime})
			n.proxy("p", "biloxi.example.com", ProxyOptions{Domains: []string{"biloxi.example.com"}, Location: loc})
			alice := n.ua("alice")
			alice.method, alice.callMF, alice.extra = tc.method, tc.mf, tc.header
			alice.call(tc.target, "p", false)
			n.run()
			label := fmt.Sprintf("%d/%s", tc.want, cmp.Or(tc.method, sipstack.INVITE))
			want := []string{"alice>p INVITE", "p>alice 100/INVITE", "p>alice " + label, "alice>p ACK"}
			if tc.method == sipstack.OPTIONS {
				want = []string{"alice>p OPTIONS", "p>alice " + label}
			}
			assert.Equal(t, want, n.wire())
			r := n.msg("p", "alice", label, 0).(*sipstack.Response)
			to, _ := r.Header.To()
			assert.NotEmpty(t, to.Tag(), "the proxy answers as a UAS, with a To tag")
			switch tc.want {
			case 420:
				assert.Equal(t, []string{"foo"}, r.Header.Unsupported())
			case 200:
				assert.Equal(t, []string{"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"}, r.Header.Allow())
			}
		})
	}
}

// A strict router upstream put p's Record-Route value in the
// Request-URI and the real target last in Route: p restores it (RFC
// 3261 16.4).
func TestStatefulProxyStrictRouter(t *testing.T) {
	n := spNewNet(t, "alice", "p", "bob")
	n.link("alice", "p")
	n.link("p", "bob")
	p := n.proxy("p", "atlanta.example.com", ProxyOptions{})
	alice := n.ua("alice")
	bob := n.ua("bob", spStep{0, 486, ""})
	alice.firstHop = "p"
	req := sipstack.NewRequest(sipstack.INVITE, p.RecordRouteURI())
	req.Header.PrependVia(alice.core.Via(transaction.UDP))
	req.Header.Add("Route", "<sip:bob@"+n.addr("bob")+">")
	req.Header.Add("Max-Forwards", "70")
	req.Header.Add("From", "<sip:alice@atlanta.example.com>;tag=1")
	req.Header.Add("To", "<sip:bob@biloxi.example.com>")
	req.Header.Add("Call-ID", "strict@test")
	req.Header.Add("CSeq", "1 INVITE")
	alice.send(req)
	n.run()
	assert.Equal(t, []int{486}, alice.finals())
	require.Len(t, bob.requests, 1)
	got := bob.requests[0]
	assert.Equal(t, "sip:bob@"+n.addr("bob"), got.RequestURI.String())
	assert.False(t, got.Header.Has("Route"))
}

// The next hop is a strict router (its Route URI has no lr): p puts it
// in the Request-URI and the Request-URI last in Route (RFC 3261 16.6
// step 6).
func TestStatefulProxyStrictNextHop(t *testing.T) {
	n := spNewNet(t, "alice", "p", "bob")
	n.link("alice", "p")
	n.link("p", "bob")
	n.proxy("p", "atlanta.example.com", ProxyOptions{})
	alice := n.ua("alice")
	bob := n.ua("bob", spStep{0, 486, ""})
	alice.extra = [2]string{"Route", "<sip:" + n.addr("bob") + ">"}
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []int{486}, alice.finals())
	require.Len(t, bob.requests, 1)
	got := bob.requests[0]
	assert.Equal(t, "sip:"+n.addr("bob"), got.RequestURI.String())
	assert.Equal(t, []string{"<sip:bob@biloxi.example.com>"}, got.Header.Values("Route"))
	assert.Equal(t, []string{
		"p: INVITE sip:bob@biloxi.example.com to " + n.addr("bob") + "/UDP (strict route)",
	}, n.notes("route"))
}

// A nonce that has expired is refused with a new challenge marked stale
// (RFC 2617 3.2.1).
func TestStatefulProxyStaleNonce(t *testing.T) {
	opts := ProxyOptions{AuthRealm: "atlanta.example.com", Credentials: map[string]string{"alice": "secret"}, NonceLifetime: time.Millisecond}
	n, alice, _, _, _ := spTwoProxies(t, opts)
	alice.auth = [2]string{"alice", "secret"}
	alice.call("sip:bob@biloxi.example.com", "p1", true)
	n.run()
	assert.Equal(t, []int{407, 407}, alice.finals())
	first, _ := n.msg("p1", "alice", "407/INVITE", 0).(*sipstack.Response).Header.ProxyAuthenticate()
	second, _ := n.msg("p1", "alice", "407/INVITE", 1).(*sipstack.Response).Header.ProxyAuthenticate()
	assert.False(t, first[0].Stale())
	assert.True(t, second[0].Stale())
	assert.NotEqual(t, first[0].Nonce(), second[0].Nonce())
}

// A spiral (RFC 3261 16.3 step 4): p1 maps sales@atlanta to
// bob@biloxi, p2 maps that to bob@atlanta, and the request comes back to
// p1 with a new Request-URI; p1 goes on and reaches bob.
func TestStatefulProxySpiral(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "p2", "bob")
	n.link("alice", "p1")
	n.link("p1", "p2")
	n.link("p1", "bob")
	loc1 := NewLocationService()
	loc1.Add(n.uri("sip:sales@atlanta.example.com"), Binding{Contact: n.uri("sip:bob@biloxi.example.com"), Q: 1000, Expires: sim.MaxTime})
	loc1.Add(n.uri("sip:bob@atlanta.example.com"), Binding{Contact: n.uri("sip:bob@{bob}"), Q: 1000, Expires: sim.MaxTime})
	loc2 := NewLocationService()
	loc2.Add(n.uri("sip:bob@biloxi.example.com"), Binding{Contact: n.uri("sip:bob@atlanta.example.com"), Q: 1000, Expires: sim.MaxTime})
	n.proxy("p1", "atlanta.example.com", ProxyOptions{Domains: []string{"atlanta.example.com"}, Location: loc1,
		Routes: map[string]uri.URI{"biloxi.example.com": n.uri("sip:{p2}")}})
	n.proxy("p2", "biloxi.example.com", ProxyOptions{Domains: []string{"biloxi.example.com"}, Location: loc2,
		Routes: map[string]uri.URI{"atlanta.example.com": n.uri("sip:{p1}")}})
	alice := n.ua("alice")
	n.ua("bob", spStep{0, 200, ""})
	alice.call("sip:sales@atlanta.example.com", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p2 INVITE", "p2>p1 100/INVITE",
		"p2>p1 INVITE", "p1>p2 100/INVITE",
		"p1>bob INVITE", "bob>p1 100/INVITE", "bob>p1 200/INVITE",
		"p1>p2 200/INVITE", "p2>p1 200/INVITE", "p1>alice 200/INVITE",
		"alice>bob ACK",
	}, n.wire())
	assert.Empty(t, n.notes("loop"))
	vias, _ := n.msg("p1", "bob", "INVITE", 0).(*sipstack.Request).Header.Vias()
	assert.Len(t, vias, 4, "p1, p2, p1 and alice")
}

// The same request forwarded to p1 itself again and again: the first
// return has a new Request-URI (a spiral), the second has not (a loop).
func TestStatefulProxySelfLoop(t *testing.T) {
	n := spNewNet(t, "alice", "p1")
	n.link("alice", "p1")
	loc := NewLocationService()
	loc.Add(n.uri("sip:sales@atlanta.example.com"), Binding{Contact: n.uri("sip:bob@atlanta.example.com;maddr=" + n.net.Host("p1").Addr().String()), Q: 1000, Expires: sim.MaxTime})
	n.proxy("p1", "atlanta.example.com", ProxyOptions{Domains: []string{"atlanta.example.com"}, Location: loc})
	alice := n.ua("alice")
	alice.call("sip:sales@atlanta.example.com", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>p1 INVITE", "p1>p1 100/INVITE",
		"p1>p1 INVITE", "p1>p1 100/INVITE", "p1>p1 482/INVITE", "p1>p1 ACK",
		"p1>p1 482/INVITE", "p1>p1 ACK",
		"p1>alice 482/INVITE", "alice>p1 ACK",
	}, n.wire())
	assert.Len(t, n.notes("loop"), 1)
}

// 16.7 step 7: the 401 and 407 of two branches are merged into the one
// forwarded, with both challenges.
func TestStatefulProxyAggregatesChallenges(t *testing.T) {
	n, alice, bob1, bob2, _ := spForkNet(t, ProxyOptions{},
		[]spStep{{20 * time.Millisecond, 401, ""}},
		[]spStep{{30 * time.Millisecond, 407, ""}})
	bob1.header = [2]string{"WWW-Authenticate", `Digest realm="bob1", nonce="1"`}
	bob2.header = [2]string{"Proxy-Authenticate", `Digest realm="bob2", nonce="2"`}
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []int{401}, alice.finals())
	r := n.msg("p", "alice", "401/INVITE", 0).(*sipstack.Response)
	assert.Equal(t, []string{`Digest realm="bob1", nonce="1"`}, r.Header.Values("WWW-Authenticate"))
	assert.Equal(t, []string{`Digest realm="bob2", nonce="2"`}, r.Header.Values("Proxy-Authenticate"))
}

// 16.7 step 6: only 503s came back, so the proxy answers 500.
func TestStatefulProxy503Becomes500(t *testing.T) {
	n, alice, _, _, _ := spForkNet(t, ProxyOptions{},
		[]spStep{{20 * time.Millisecond, 503, ""}},
		[]spStep{{30 * time.Millisecond, 503, ""}})
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []int{500}, alice.finals())
	assert.Equal(t, []string{"p: 500 chosen from [503 503]"}, n.notes("best"))
}

// p1 crashes while bob rings and comes back before bob answers: it has
// forgotten the call, and forwards bob's 2xx statelessly by its Via (RFC
// 3261 16.7, RFC 6026 7.2), so alice still gets it.
func TestStatefulProxyCrashForgetsCalls(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "bob")
	n.link("alice", "p1")
	n.link("p1", "bob")
	require.NoError(t, n.net.HostDown("p1", sim.Time(time.Second), sim.Time(2*time.Second)))
	p1 := n.proxy("p1", "atlanta.example.com", ProxyOptions{})
	alice := n.ua("alice")
	n.ua("bob", spStep{20 * time.Millisecond, 180, ""}, spStep{5 * time.Second, 200, ""})
	alice.call("sip:bob@{bob}", "p1", false)
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>bob INVITE", "bob>p1 100/INVITE", "bob>p1 180/INVITE", "p1>alice 180/INVITE",
		"bob>p1 200/INVITE", "p1>alice 200/INVITE", "alice>bob ACK",
	}, n.wire())
	assert.Equal(t, []int{200}, alice.finals())
	assert.Zero(t, p1.Contexts())
}

// p1 crashes while bob rings and comes back; alice then CANCELs. p1 has
// no INVITE transaction to match, so it proxies the CANCEL like any
// request (RFC 3261 16.10), relays its 200, and forwards bob's 487
// statelessly (16.7: no context); alice's ACK for it goes on statelessly
// too.
func TestStatefulProxyCancelAfterCrash(t *testing.T) {
	n := spNewNet(t, "alice", "p1", "bob")
	n.link("alice", "p1")
	n.link("p1", "bob")
	require.NoError(t, n.net.HostDown("p1", sim.Time(time.Second), sim.Time(2*time.Second)))
	p1 := n.proxy("p1", "atlanta.example.com", ProxyOptions{})
	alice := n.ua("alice")
	bob := n.ua("bob", spStep{20 * time.Millisecond, 180, ""})
	alice.call("sip:bob@{bob}", "p1", false)
	n.s.At(sim.Time(3*time.Second), func() {
		cancel, err := dialog.NewCancel(alice.invite)
		require.NoError(t, err)
		_, err = alice.core.SendRequest(cancel, transaction.Destination{Addr: n.net.Host("p1").AddrPort(DefaultPort)})
		require.NoError(t, err)
	})
	n.run()
	assert.Equal(t, []string{
		"alice>p1 INVITE", "p1>alice 100/INVITE",
		"p1>bob INVITE", "bob>p1 100/INVITE", "bob>p1 180/INVITE", "p1>alice 180/INVITE",
		"alice>p1 CANCEL", "p1>bob CANCEL", "bob>p1 200/CANCEL", "bob>p1 487/INVITE",
		"p1>alice 200/CANCEL", "p1>alice 487/INVITE", "alice>p1 ACK", "p1>bob ACK",
	}, n.wire())
	assert.Equal(t, []int{200, 487}, alice.finals())
	assert.Equal(t, 1, countMethod(bob.requests, sipstack.CANCEL))
	// The branches are functions of the request (RFC 3261 16.6 step 8):
	// the CANCEL and the ACK forwarded after the crash carry the
	// INVITE's, so bob's INVITE transaction absorbs the ACK.
	inv, _ := n.msg("p1", "bob", "INVITE", 0).(*sipstack.Request).Header.Via()
	cancel, _ := n.msg("p1", "bob", "CANCEL", 0).(*sipstack.Request).Header.Via()
	ack, _ := n.msg("p1", "bob", "ACK", 0).(*sipstack.Request).Header.Via()
	assert.Equal(t, inv.Branch(), cancel.Branch())
	assert.Equal(t, inv.Branch(), ack.Branch())
	assert.Zero(t, countMethod(bob.requests, sipstack.ACK))
	assert.Zero(t, p1.Contexts())
}

// Timer C: bob1 rings for ever and bob2 is down. Timer B ends bob2's
// branch (408); Timer C, restarted by bob1's 180, CANCELs bob1's branch
// (RFC 3261 16.8), which ends with 487; the best of 408 and 487 is the
// first 4xx, 408.
func TestStatefulProxyTimerC(t *testing.T) {
	n, alice, bob1, _, _ := spForkNet(t, ProxyOptions{TimerC: 200 * time.Second},
		[]spStep{{20 * time.Millisecond, 180, ""}}, nil)
	require.NoError(t, n.net.HostDown("bob2", 0, sim.MaxTime))
	alice.call("sip:bob@biloxi.example.com", "p", false)
	n.run()
	assert.Equal(t, []int{408}, alice.finals())
	assert.Equal(t, 1, countMethod(bob1.requests, sipstack.CANCEL))
	var cancelAt sim.Time
	for _, e := range n.rec.OfKind(sim.KindSend) {
		if e.Label == sipstack.CANCEL {
			cancelAt = e.Time
		}
	}
	// The 180 reaches p at 10+10+20+10 ms; Timer C fires 200 s later.
	assert.Equal(t, sim.Time(200*time.Second+50*time.Millisecond), cancelAt)
	assert.Equal(t, []string{"p: 408 chosen from [408 487]"}, n.notes("best"))
}

func TestNewStatefulProxyOptions(t *testing.T) {
	n := spNewNet(t, "p")
	_, err := NewStatefulProxy(n.net, Config{Host: "p"}, ProxyOptions{TimerC: time.Minute})
	assert.ErrorIs(t, err, ErrProxyOptions)
	_, err = NewStatefulProxy(n.net, Config{Host: "nowhere"}, ProxyOptions{})
	assert.ErrorIs(t, err, ErrNoHost)
}

// The same seed gives the same bytes on the wire.
func TestStatefulProxyDeterministic(t *testing.T) {
	run := func() []string {
		n, alice, _, _, _ := spForkNet(t, ProxyOptions{RecordRoute: true},
			[]spStep{{20 * time.Millisecond, 180, ""}, {time.Second, 200, ""}},
			[]spStep{{50 * time.Millisecond, 486, ""}})
		alice.call("sip:bob@biloxi.example.com", "p", false)
		n.run()
		var out []string
		for _, e := range n.rec.OfKind(sim.KindSend) {
			out = append(out, fmt.Sprint(e.Time, " ", string(e.Payload)))
		}
		return out
	}
	first := run()
	require.NotEmpty(t, first)
	assert.Equal(t, first, run())
}

// BenchmarkStatefulProxyCall measures one call set-up and ACK through a
// stateful proxy that forks to two phones, one of which answers.
func BenchmarkStatefulProxyCall(b *testing.B) {
	for b.Loop() {
		n, alice, _, _, _ := spForkNet(b, ProxyOptions{RecordRoute: true},
			[]spStep{{20 * time.Millisecond, 180, ""}, {time.Second, 200, ""}},
			[]spStep{{50 * time.Millisecond, 486, ""}})
		alice.call("sip:bob@biloxi.example.com", "p", false)
		n.s.Run()
	}
}
