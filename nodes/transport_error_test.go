package nodes

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// Transport errors over the simulated TCP (RFC 3261 8.1.3.1, 16.9,
// 17.1.4, 17.2.4): the network tells the sending host when a TCP message
// is lost for good, and the Core turns that into a transport error of the
// transaction that sent it.
//
// The stream transport gives up after tpeMaxRetries expiries of its
// retransmission timer: a message sent at t to a host that is down is
// retransmitted at t+1 s and t+3 s and reported lost at t+7 s (RTO 1, 2,
// 4 s), well before Timer B (64*T1 = 32 s) would time the INVITE out.
const tpeMaxRetries = 2

// tpeTCP is the transport policy of every element: TCP (RFC 3261 18.1.1).
var tpeTCP = transaction.TransportPolicy{Transport: transaction.TCP}

// tpeNet is alice (10.0.0.1), p1 (10.0.0.2) and the callees bob
// (10.0.0.3) and bob2 (10.0.0.4), each callee and alice joined to p1 by a
// 10 ms link, with the extra hosts (10.0.0.5, ...) joined to alice and p1.
type tpeNet struct {
	t     *testing.T
	net   *sim.Network
	rec   *sim.Recorder
	hash  *sim.HashSink
	zone  *Zone
	cores []*Core
}

func tpeNewNet(t *testing.T, extra ...string) *tpeNet {
	t.Helper()
	tn := &tpeNet{t: t, rec: &sim.Recorder{}, hash: sim.NewHashSink()}
	n, err := sim.NewNetwork(sim.New(1), sim.Options{
		Sink: sim.Tee(tn.rec, tn.hash),
		TCP:  sim.TCPConfig{MaxRetries: tpeMaxRetries},
	})
	require.NoError(t, err)
	tn.net = n
	names := append([]string{"alice", "p1", "bob", "bob2"}, extra...)
	for i, h := range names {
		_, err := n.AddHost(h, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		require.NoError(t, err)
	}
	link := sim.LinkConfig{Delay: 10 * time.Millisecond}
	for _, h := range []string{"alice", "bob", "bob2"} {
		require.NoError(t, n.AddSymmetricLink("p1", h, link))
	}
	for _, h := range extra {
		require.NoError(t, n.AddSymmetricLink("alice", h, link))
		require.NoError(t, n.AddSymmetricLink("p1", h, link))
	}
	tn.zone = NewZone(n, 0)
	return tn
}

// proxy adds a stateful proxy on host that resolves next hops in the zone
// and forwards over TCP.
func (tn *tpeNet) proxy(host string) *StatefulProxy {
	tn.t.Helper()
	p, err := NewStatefulProxy(tn.net, Config{Host: host, Transport: tpeTCP}, ProxyOptions{Resolver: NewResolver(tn.zone, 0)})
	require.NoError(tn.t, err)
	tn.cores = append(tn.cores, p.Core())
	return p
}

// ua adds a user agent whose requests outside a dialog go to outbound
// over TCP (or by the zone when outbound names a domain of it).
func (tn *tpeNet) ua(host, aor, outbound string) *UserAgent {
	tn.t.Helper()
	opts := UAOptions{AOR: uaURI(tn.t, aor), Resolver: NewResolver(tn.zone, 0)}
	if outbound != "" {
		opts.OutboundProxy = uaURI(tn.t, outbound)
	}
	ua, err := NewUserAgent(tn.net, Config{Host: host, Transport: tpeTCP}, opts)
	require.NoError(tn.t, err)
	tn.cores = append(tn.cores, ua.Core())
	return ua
}

// run runs to the end and checks that every element is left with no
// transaction, no timer and no message waiting for a transport error.
func (tn *tpeNet) run() {
	tn.t.Helper()
	s := tn.net.Sim()
	s.SetMaxEvents(1_000_000)
	s.Run()
	require.False(tn.t, s.LimitReached())
	for _, c := range tn.cores {
		assert.Zero(tn.t, c.Layer().Len(), "%s: transactions left", c.Name())
		assert.Zero(tn.t, c.Pending(), "%s: timers left", c.Name())
		assert.Empty(tn.t, c.sentBy, "%s: messages remembered", c.Name())
		assert.Empty(tn.t, c.txSent, "%s: transactions remembered", c.Name())
	}
}

// drops lists "from>to label reason" for the TCP messages lost for good.
func (tn *tpeNet) drops() []string {
	var out []string
	for _, e := range tn.rec.Filter(func(e *sim.Event) bool {
		return e.Kind == sim.KindDrop && e.Transport == sim.TCP && e.Seg == (sim.Segment{})
	}) {
		out = append(out, tn.name(e.Src)+">"+tn.name(e.Dst)+" "+e.Label+" "+e.Reason.String()+" at "+e.Time.String())
	}
	return out
}

func (tn *tpeNet) name(a netip.AddrPort) string { return tn.net.HostByAddr(a.Addr()).Name() }

// notes lists "host: label detail" of the annotations with one of labels.
func (tn *tpeNet) notes(labels ...string) []string {
	var out []string
	for _, e := range tn.rec.OfKind(sim.KindAnnotation) {
		for _, l := range labels {
			if e.Label == l {
				out = append(out, e.Host+": "+e.Label+" "+e.Detail)
			}
		}
	}
	return out
}

// sent lists "from>to label/transport" of the messages written: UDP
// datagrams as sent, TCP messages as written to their connection.
func (tn *tpeNet) sent() []string {
	var out []string
	for _, e := range tn.rec.Filter(func(e *sim.Event) bool {
		return e.Kind == sim.KindWrite || e.Kind == sim.KindSend && e.Transport == sim.UDP
	}) {
		out = append(out, tn.name(e.Src)+">"+tn.name(e.Dst)+" "+e.Label+"/"+e.Transport.String())
	}
	return out
}

// tpeAt is the virtual time d after the start.
func tpeAt(d time.Duration) sim.Time { return sim.Time(0).Add(d) }

// tpeCall places alice's call to bob@biloxi.example.com with a one-second
// hold time, in an event at 0 (after the crashes scheduled at 0, so that
// the INVITE is written to a host already down rather than reset by its
// crash); *call is set then.
func tpeCall(t *testing.T, alice *UserAgent) **Call {
	t.Helper()
	call := new(*Call)
	alice.Core().Sim().At(0, func() {
		c, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{HoldTime: sim.Constant{V: 1}})
		require.NoError(t, err)
		*call = c
	})
	return call
}

// RFC 3261 16.9 and 16.7 step 6: bob is down, so the TCP connection p1
// opens to forward the INVITE gives up at 7.01 s; p1's client transaction
// gets a transport error, the branch ends as if a 503 had come, and as the
// best (only) response is a 503 p1 answers alice 500.
func TestTransportErrorProxyAnswers500(t *testing.T) {
	tn := tpeNewNet(t)
	require.NoError(t, tn.zone.Add("biloxi.example.com", Server{Host: "bob", Transport: transaction.TCP}))
	p1 := tn.proxy("p1")
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
	tn.ua("bob", "sip:bob@biloxi.example.com", "")
	require.NoError(t, tn.net.CrashHostAt("bob", 0))
	callp := tpeCall(t, alice)
	tn.run()
	call := *callp

	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 500, call.Status())
	assert.Equal(t, []string{"p1>bob INVITE timeout at 7.010000000"}, tn.drops())
	assert.Equal(t, []string{
		"alice>p1 INVITE/TCP", "p1>alice 100/INVITE/TCP", "p1>bob INVITE/TCP",
		"p1>alice 500/INVITE/TCP", "alice>p1 ACK/TCP",
	}, tn.sent())
	notes := tn.notes("transport-loss", "transport-error", "best")
	require.Len(t, notes, 3)
	assert.True(t, strings.HasPrefix(notes[0], "p1: transport-loss INVITE to 10.0.0.3:5060/TCP: timeout (transaction "), notes[0])
	assert.True(t, strings.HasPrefix(notes[1], "p1: transport-error transaction "), notes[1])
	assert.Equal(t, "p1: best 500 chosen from [503]", notes[2])
	assert.Zero(t, p1.Contexts())
	for _, e := range tn.rec.OfKind(sim.KindSend) {
		if e.Label == "500/INVITE" {
			assert.Equal(t, tpeAt(7010*time.Millisecond), e.Time, "the 500 leaves as the loss is known")
		}
	}
}

// A crash of bob while the INVITE is on the p1-bob link resets the
// connection: p1 learns at once (15 ms), not after the retries.
func TestTransportErrorResetAnswers500AtOnce(t *testing.T) {
	tn := tpeNewNet(t)
	require.NoError(t, tn.zone.Add("biloxi.example.com", Server{Host: "bob", Transport: transaction.TCP}))
	p1 := tn.proxy("p1")
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
	tn.ua("bob", "sip:bob@biloxi.example.com", "")
	// The INVITE reaches p1 at 10 ms and bob at 20 ms.
	require.NoError(t, tn.net.CrashHostAt("bob", tpeAt(15*time.Millisecond)))
	callp := tpeCall(t, alice)
	tn.run()
	call := *callp

	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 500, call.Status())
	assert.Equal(t, []string{"p1>bob INVITE reset at 0.015000000"}, tn.drops())
	assert.Equal(t, tpeAt(25*time.Millisecond), call.Times().Final, "the 500 reaches alice 10 ms after the reset")
	assert.Zero(t, p1.Contexts())
}

// RFC 3263 4.3, RFC 3665 3.4: with two servers for biloxi.example.com, the
// transport error on the first (down) moves the branch to the second,
// which answers; the call completes.
func TestTransportErrorProxyFailsOver(t *testing.T) {
	tn := tpeNewNet(t)
	require.NoError(t, tn.zone.Add("biloxi.example.com",
		Server{Host: "bob", Transport: transaction.TCP, Priority: 1},
		Server{Host: "bob2", Transport: transaction.TCP, Priority: 2}))
	p1 := tn.proxy("p1")
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
	tn.ua("bob", "sip:bob@biloxi.example.com", "")
	bob2 := tn.ua("bob2", "sip:bob@biloxi.example.com", "")
	require.NoError(t, tn.net.CrashHostAt("bob", 0))
	callp := tpeCall(t, alice)
	tn.run()
	call := *callp

	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Equal(t, 200, call.Status())
	require.Len(t, bob2.Calls(), 1)
	assert.Equal(t, CallCompleted, bob2.Calls()[0].Outcome())
	assert.Equal(t, []string{"p1>bob INVITE timeout at 7.010000000"}, tn.drops())
	assert.Equal(t, []string{
		"p1: route INVITE sip:bob@biloxi.example.com to 10.0.0.3:5060/TCP (resolver)",
		"p1: route 10.0.0.3:5060/TCP failed (503), next server",
		"p1: route INVITE sip:bob@biloxi.example.com to 10.0.0.4:5060/TCP (resolver)",
	}, tn.notes("route"))
	assert.Equal(t, tpeAt(7040*time.Millisecond), call.Times().Final, "bob2 answers at once: 200 at 7.04 s")
	assert.Zero(t, p1.Contexts())
	uaAssertIdle(t, alice, bob2)
}

// RFC 3261 8.1.3.1, RFC 3263 4.3: the UA's own INVITE meets the transport
// error when the first server of its outbound proxy's domain is down, and
// fails over to the second.
func TestTransportErrorUAFailsOver(t *testing.T) {
	tn := tpeNewNet(t, "pdead")
	require.NoError(t, tn.zone.Add("proxies.example.com",
		Server{Host: "pdead", Transport: transaction.TCP, Priority: 1},
		Server{Host: "p1", Transport: transaction.TCP, Priority: 2}))
	require.NoError(t, tn.zone.Add("biloxi.example.com", Server{Host: "bob", Transport: transaction.TCP}))
	tn.proxy("p1")
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:proxies.example.com")
	bob := tn.ua("bob", "sip:bob@biloxi.example.com", "")
	require.NoError(t, tn.net.CrashHostAt("pdead", 0))
	callp := tpeCall(t, alice)
	tn.run()
	call := *callp

	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Equal(t, []string{"alice>pdead INVITE timeout at 7.000000000"}, tn.drops())
	assert.Contains(t, tn.notes("failover"), "alice: failover INVITE to 10.0.0.2:5060/TCP")
	uaAssertIdle(t, alice, bob)
}

// With a single server, the UA's INVITE fails with the transport error
// (RFC 3261 8.1.3.1: treated as a 503).
func TestTransportErrorUACallFails(t *testing.T) {
	tn := tpeNewNet(t)
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
	require.NoError(t, tn.net.CrashHostAt("p1", 0))
	callp := tpeCall(t, alice)
	tn.run()
	call := *callp
	assert.Equal(t, CallTransportError, call.Outcome())
	assert.Equal(t, 503, call.Status())
	assert.Equal(t, tpeAt(7*time.Second), call.Times().End)
	uaAssertIdle(t, alice)
}

// The same run twice gives the same trace.
func TestTransportErrorDeterministic(t *testing.T) {
	run := func() [32]byte {
		tn := tpeNewNet(t)
		require.NoError(t, tn.zone.Add("biloxi.example.com",
			Server{Host: "bob", Transport: transaction.TCP, Priority: 1},
			Server{Host: "bob2", Transport: transaction.TCP, Priority: 2}))
		tn.proxy("p1")
		alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
		tn.ua("bob", "sip:bob@biloxi.example.com", "")
		tn.ua("bob2", "sip:bob@biloxi.example.com", "")
		require.NoError(t, tn.net.HostDown("bob", 0, tpeAt(20*time.Second)))
		tpeCall(t, alice)
		tn.run()
		return tn.hash.Sum()
	}
	assert.Equal(t, run(), run())
}

// tpeCoreNet is coreNet with TCP giving up after tpeMaxRetries.
func tpeCoreNet(t *testing.T) (*sim.Network, *sim.Recorder) {
	t.Helper()
	rec := &sim.Recorder{}
	n, err := sim.NewNetwork(sim.New(1), sim.Options{Sink: rec, TCP: sim.TCPConfig{MaxRetries: tpeMaxRetries}})
	require.NoError(t, err)
	_, err = n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	require.NoError(t, err)
	_, err = n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	require.NoError(t, err)
	require.NoError(t, n.AddSymmetricLink("a", "b", sim.LinkConfig{Delay: 10 * time.Millisecond}))
	return n, rec
}

// tpeNotes lists "host: label detail" of the annotations with label.
func tpeNotes(rec *sim.Recorder, label string) []string {
	var out []string
	for _, e := range rec.OfKind(sim.KindAnnotation) {
		if e.Label == label {
			out = append(out, e.Host+": "+e.Detail+" at "+e.Time.String())
		}
	}
	return out
}

// A client transaction: an OPTIONS over TCP to a host that is down fails
// with a transport error at 7 s (RFC 3261 17.1.4), once; a message sent
// outside any transaction (at 1 s, queued on the same connection, so lost
// with the OPTIONS) is only noted.
func TestCoreTransportErrorClient(t *testing.T) {
	n, rec := tpeCoreNet(t)
	type failure struct {
		tx    transaction.ID
		timer transaction.Timer
		at    sim.Time
	}
	var failed []failure
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{
		failed: func(tx transaction.ID, tm transaction.Timer) { failed = append(failed, failure{tx, tm, n.Sim().Now()}) },
	})
	require.NoError(t, err)
	_, err = NewCore(n, Config{Host: "b"}, &coreHandler{})
	require.NoError(t, err)
	require.NoError(t, n.CrashHostAt("b", 0))
	dest := transaction.Destination{Addr: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: transaction.TCP}
	req := coreOptions(t, a)
	req.Header.Set("Via", a.Via(transaction.TCP).String())
	var tx transaction.ID
	n.Sim().At(0, func() { // after b's crash
		tx, err = a.SendRequest(req, dest)
		require.NoError(t, err)
		assert.Len(t, a.sentBy, 1, "the OPTIONS is remembered")
	})
	// An ACK for a 2xx, outside any transaction, 1 s later.
	n.Sim().At(tpeAt(time.Second), func() {
		ack := coreOptions(t, a)
		ack.Method = sipstack.ACK
		ack.Header.Set("CSeq", "1 ACK")
		a.SendDirect(ack, dest)
	})
	n.Sim().Run()

	assert.Equal(t, []failure{{tx, 0, tpeAt(7 * time.Second)}}, failed)
	assert.Equal(t, []string{
		"a: OPTIONS to 10.0.0.2:5060/TCP: timeout (transaction 1) at 7.000000000",
		"a: ACK to 10.0.0.2:5060/TCP: timeout (no transaction) at 7.000000000",
	}, tpeNotes(rec, "transport-loss"))
	assert.Equal(t, []string{"a: transaction 1 at 7.000000000"}, tpeNotes(rec, "transport-error"))
	assert.Zero(t, a.Layer().Len())
	assert.Zero(t, a.Pending())
	assert.Empty(t, a.sentBy)
	assert.Empty(t, a.txSent)
}

// A server transaction: b's 180 to a's INVITE is on the link when a
// crashes; the reset reaches b's INVITE server transaction, which passes
// the error up (RFC 3261 17.2.4) and stays in "Proceeding" until the TU
// decides. A crashed element learns nothing of its own losses.
func TestCoreTransportErrorServer(t *testing.T) {
	n, rec := tpeCoreNet(t)
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{
		failed: func(transaction.ID, transaction.Timer) { t.Error("a, crashed, was told of a transport error") },
	})
	require.NoError(t, err)
	var b *Core
	var server transaction.ID
	var failed []transaction.ID
	b, err = NewCore(n, Config{Host: "b", Timers: transaction.Config{Trying: transaction.TryingNone}}, &coreHandler{
		request: func(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
			server = tx
			require.NoError(t, b.Respond(tx, sipstack.NewResponse(req, 180, "")))
		},
		failed: func(tx transaction.ID, tm transaction.Timer) {
			assert.Equal(t, transaction.Timer(0), tm)
			failed = append(failed, tx)
			st, ok := b.Layer().State(tx)
			assert.True(t, ok)
			assert.Equal(t, transaction.Proceeding, st)
			b.Abandon(tx)
		},
	})
	require.NoError(t, err)
	req := coreOptions(t, a)
	req.Method = sipstack.INVITE
	req.Header.Set("CSeq", "1 INVITE")
	req.Header.Set("Via", a.Via(transaction.TCP).String())
	_, err = a.SendRequest(req, transaction.Destination{Addr: b.Addr(), Transport: transaction.TCP})
	require.NoError(t, err)
	// The INVITE reaches b at 10 ms; the 180 would reach a at 20 ms.
	require.NoError(t, n.CrashHostAt("a", tpeAt(15*time.Millisecond)))
	n.Sim().Run()

	assert.Equal(t, []transaction.ID{server}, failed)
	assert.Equal(t, []string{
		"b: 180/INVITE to 10.0.0.1:5060/TCP: reset (transaction 1) at 0.015000000",
	}, tpeNotes(rec, "transport-loss"))
	for _, c := range []*Core{a, b} {
		assert.Zero(t, c.Layer().Len(), c.Name())
		assert.Zero(t, c.Pending(), c.Name())
		assert.Empty(t, c.sentBy, c.Name())
		assert.Empty(t, c.txSent, c.Name())
	}
}

// The caller crashes while its INVITE is being answered: p1's and bob's
// responses to it are lost (p1's server transaction is told, RFC 3261
// 17.2.4, and the proxy carries on), and every element still ends with
// no transaction and no timer.
func TestTransportErrorCallerCrashes(t *testing.T) {
	tn := tpeNewNet(t)
	require.NoError(t, tn.zone.Add("biloxi.example.com", Server{Host: "bob", Transport: transaction.TCP}))
	p1 := tn.proxy("p1")
	alice := tn.ua("alice", "sip:alice@atlanta.example.com", "sip:p1;transport=tcp")
	bob := tn.ua("bob", "sip:bob@biloxi.example.com", "")
	// The INVITE reaches p1 at 10 ms and bob at 20 ms; bob's 180 and 200
	// reach p1 at 30 ms and would reach alice at 40 ms.
	require.NoError(t, tn.net.CrashHostAt("alice", tpeAt(35*time.Millisecond)))
	tpeCall(t, alice)
	tn.run()

	assert.Contains(t, tn.drops(), "p1>alice 200/INVITE reset at 0.035000000")
	assert.Zero(t, p1.Contexts())
	require.Len(t, bob.Calls(), 1)
	// The 180 and the 200 on the connection p1 reset are reported to the
	// server transaction; bob's 2xx retransmissions, which p1 forwards
	// statelessly over new connections that give up, only as notes.
	notes := tn.notes("transport-loss", "transport-error")
	require.Greater(t, len(notes), 4)
	assert.Equal(t, []string{
		"p1: transport-loss 180/INVITE to 10.0.0.1:5060/TCP: reset (transaction 1)",
		"p1: transport-error transaction 1",
		"p1: transport-loss 200/INVITE to 10.0.0.1:5060/TCP: reset (transaction 1)",
		"p1: transport-error transaction 1",
	}, notes[:4])
	// bob's BYE after the missing ACK (13.3.1.4) follows its configured
	// transport, TCP, to the crashed caller: a transport error of its own
	// transaction.
	var byeLoss []string
	for _, n := range notes[4:] {
		if strings.HasPrefix(n, "bob: ") {
			byeLoss = append(byeLoss, n)
			continue
		}
		assert.Equal(t, "p1: transport-loss 200/INVITE to 10.0.0.1:5060/TCP: timeout (no transaction)", n)
	}
	assert.Equal(t, []string{
		"bob: transport-loss BYE to 10.0.0.1:5060/TCP: timeout (transaction 2)",
		"bob: transport-error transaction 2",
	}, byeLoss)
	// RFC 3261 13.3.1.4: no ACK ever comes for bob's 2xx.
	assert.Equal(t, CallTimedOut, bob.Calls()[0].Outcome())
	uaAssertIdle(t, bob)
}
