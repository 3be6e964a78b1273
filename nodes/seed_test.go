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
	"github.com/sipsim/sipsim/sipstack/uri"
)

// seedWorld is the reference scenario of shared/seed/sip-signaling.txt:
// user1@here.com calls sip:user2@here.com through stateful proxy 1; a
// redirect server answers 302 (user2 is at there.com today); proxy 1 ACKs
// the 302 and tries sip:user2@there.com itself through a stateless proxy
// to stateful proxy 2 of there.com, which reaches user2. Both stateful
// proxies record-route.
type seedWorld struct {
	net            *sim.Network
	rec            *sim.Recorder
	user1, user2   *UserAgent
	proxy1, proxy2 *StatefulProxy
	redirect       *RedirectServer
	stateless      *StatelessProxy
	names          map[netip.Addr]string
}

func seedURI(t *testing.T, s string) uri.URI {
	t.Helper()
	u, err := uri.Parse(s)
	require.NoError(t, err)
	return u
}

func newSeedWorld(t *testing.T, seed uint64, loss float64) *seedWorld {
	t.Helper()
	w := &seedWorld{rec: &sim.Recorder{}, names: map[netip.Addr]string{}}
	var err error
	w.net, err = sim.NewNetwork(sim.New(seed), sim.Options{Sink: w.rec})
	require.NoError(t, err)
	hosts := []struct{ name, addr string }{
		{"user1", "10.0.1.1"}, {"proxy1", "10.0.1.2"}, {"redirect", "10.0.1.3"},
		{"stateless", "10.0.3.1"}, {"proxy2", "10.0.2.2"}, {"user2", "10.0.2.1"},
	}
	for _, h := range hosts {
		a := netip.MustParseAddr(h.addr)
		_, err := w.net.AddHost(h.name, a)
		require.NoError(t, err)
		w.names[a] = h.name
	}
	link := sim.LinkConfig{Delay: 10 * time.Millisecond}
	if loss > 0 {
		link.Loss = sim.Bernoulli{P: loss}
	}
	for _, l := range [][2]string{
		{"user1", "proxy1"}, {"proxy1", "redirect"}, {"proxy1", "stateless"},
		{"stateless", "proxy2"}, {"proxy2", "user2"},
	} {
		require.NoError(t, w.net.AddSymmetricLink(l[0], l[1], link))
	}

	w.redirect, err = NewRedirectServer(w.net, Config{Host: "redirect", Domain: "here.com"}, RedirectOptions{
		Static: map[string][]RedirectTarget{"sip:user2@here.com": {{Contact: "sip:user2@there.com"}}},
	})
	require.NoError(t, err)
	w.proxy1, err = NewStatefulProxy(w.net, Config{Host: "proxy1", Domain: "here.com"}, ProxyOptions{
		Domains:     []string{"here.com"},
		Routes:      map[string]uri.URI{"here.com": seedURI(t, "sip:10.0.1.3"), "there.com": seedURI(t, "sip:10.0.3.1")},
		RecordRoute: true,
		Recurse3xx:  true,
	})
	require.NoError(t, err)
	w.stateless, err = NewStatelessProxy(w.net, Config{Host: "stateless"}, StatelessOptions{
		Routes: map[string]string{"there.com": "sip:10.0.2.2"},
	})
	require.NoError(t, err)
	there := NewLocationService()
	there.Add(seedURI(t, "sip:user2@there.com"), Binding{Contact: seedURI(t, "sip:user2@10.0.2.1"), Q: 1000, Expires: sim.MaxTime})
	w.proxy2, err = NewStatefulProxy(w.net, Config{Host: "proxy2", Domain: "there.com"}, ProxyOptions{
		Domains: []string{"there.com"}, Location: there, RecordRoute: true,
	})
	require.NoError(t, err)
	w.user2, err = NewUserAgent(w.net, Config{Host: "user2", Domain: "there.com"}, UAOptions{
		AOR:    seedURI(t, "sip:user2@there.com"),
		Answer: AnswerOptions{RingTime: sim.Constant{V: 2}},
	})
	require.NoError(t, err)
	w.user1, err = NewUserAgent(w.net, Config{Host: "user1", Domain: "here.com"}, UAOptions{
		AOR:           seedURI(t, "sip:user1@here.com"),
		OutboundProxy: seedURI(t, "sip:10.0.1.2"),
		Call:          CallOptions{HoldTime: sim.Constant{V: 5}},
	})
	require.NoError(t, err)
	return w
}

// ladder lists the SIP messages on the wire as "FROM -> TO LABEL", one per
// datagram leaving its sender (multi-hop IP forwarding is not SIP).
func (w *seedWorld) ladder() []string {
	var out []string
	for _, e := range w.rec.OfKind(sim.KindSend) {
		out = append(out, w.names[e.Src.Addr()]+" -> "+w.names[e.Dst.Addr()]+" "+e.Label)
	}
	return out
}

// delivered returns the messages delivered to host with label, parsed.
func (w *seedWorld) delivered(t *testing.T, host, label string) []sipstack.Message {
	t.Helper()
	var out []sipstack.Message
	for _, e := range w.rec.OfKind(sim.KindDeliver) {
		if w.names[e.Dst.Addr()] == host && e.Label == label {
			m, err := sipstack.ParseMessage(e.Payload)
			require.NoError(t, err)
			out = append(out, m)
		}
	}
	return out
}

func TestSeedCallFlow(t *testing.T) {
	w := newSeedWorld(t, 1, 0)
	call, err := w.user1.Call(seedURI(t, "sip:user2@here.com"), CallOptions{})
	require.NoError(t, err)
	w.net.Sim().Run()

	t.Logf("the reference scenario, message by message:\n  %s", strings.Join(w.ladder(), "\n  "))
	assert.Equal(t, CallCompleted, call.Outcome(), "the call is answered, then hung up")
	// The seed's flow, message for message, with the provisional
	// responses it omits "for clarity". The stateless proxy forwards every
	// response, 100 included (RFC 3261 16.11: 16.7 does not apply), and
	// proxy 1 absorbs that 100 (16.7 step 5).
	assert.Equal(t, []string{
		"user1 -> proxy1 INVITE",
		"proxy1 -> user1 100/INVITE",
		"proxy1 -> redirect INVITE",
		"redirect -> proxy1 302/INVITE",
		"proxy1 -> redirect ACK",
		"proxy1 -> stateless INVITE",
		"stateless -> proxy2 INVITE",
		"proxy2 -> stateless 100/INVITE",
		"proxy2 -> user2 INVITE",
		"stateless -> proxy1 100/INVITE",
		"user2 -> proxy2 100/INVITE",
		"user2 -> proxy2 180/INVITE",
		"proxy2 -> stateless 180/INVITE",
		"stateless -> proxy1 180/INVITE",
		"proxy1 -> user1 180/INVITE",
		"user2 -> proxy2 200/INVITE",
		"proxy2 -> stateless 200/INVITE",
		"stateless -> proxy1 200/INVITE",
		"proxy1 -> user1 200/INVITE",
		"user1 -> proxy1 ACK",
		"proxy1 -> proxy2 ACK",
		"proxy2 -> user2 ACK",
		"user1 -> proxy1 BYE",
		"proxy1 -> proxy2 BYE",
		"proxy2 -> user2 BYE",
		"user2 -> proxy2 200/BYE",
		"proxy2 -> proxy1 200/BYE",
		"proxy1 -> user1 200/BYE",
	}, w.ladder())

	// Proxy 1 asks the redirect server, which answers 302; proxy 1 ACKs
	// it (the ACK of a non-2xx is hop by hop) and tries the new target.
	lad := w.ladder()
	assert.Contains(t, lad, "proxy1 -> redirect INVITE")
	assert.Contains(t, lad, "redirect -> proxy1 302/INVITE")
	assert.Contains(t, lad, "proxy1 -> redirect ACK")
	assert.NotContains(t, lad, "user1 -> proxy1 302/INVITE", "proxy 1 recurses instead of passing the 302 up")
	invites := w.delivered(t, "proxy2", "INVITE")
	require.NotEmpty(t, invites)
	inv := invites[0].(*sipstack.Request)
	assert.Equal(t, "sip:user2@there.com", inv.RequestURI.String(), "proxy 1 rewrote the Request-URI to the 302's Contact")
	vias, err := inv.Header.Vias()
	require.NoError(t, err)
	assert.Len(t, vias, 3, "Vias of user1, proxy1 and the stateless proxy")
	mf, _ := inv.Header.MaxForwards()
	assert.Equal(t, 68, mf, "two proxies decremented Max-Forwards")

	// user2 receives the INVITE with both stateful proxies in
	// Record-Route, and the 200 reaches user1 with them.
	toUser2 := w.delivered(t, "user2", "INVITE")
	require.NotEmpty(t, toUser2)
	rr, err := toUser2[0].(*sipstack.Request).Header.RecordRoutes()
	require.NoError(t, err)
	require.Len(t, rr, 2)
	assert.Equal(t, "10.0.2.2", rr[0].URI.Host)
	assert.Equal(t, "10.0.1.2", rr[1].URI.Host)

	// The ACK and the BYE follow the Record-Route path: user1, proxy1,
	// proxy2, user2; never the stateless proxy or the redirect server.
	for _, m := range []string{"ACK", "BYE"} {
		var path []string
		for _, l := range lad {
			if strings.HasSuffix(l, " "+m) && !strings.Contains(l, "redirect") {
				path = append(path, strings.TrimSuffix(l, " "+m))
			}
		}
		assert.Equal(t, []string{"user1 -> proxy1", "proxy1 -> proxy2", "proxy2 -> user2"}, path, "%s path", m)
	}

	// Nothing is left behind.
	for _, c := range []*Core{w.user1.Core(), w.user2.Core(), w.proxy1.Core(), w.proxy2.Core(), w.redirect.Core()} {
		assert.Zero(t, c.Layer().Len(), c.Name())
		assert.Zero(t, c.Pending(), c.Name())
	}
}

// TestSeedCallFlowUnderLoss runs the reference scenario with 20% loss on
// every link for many seeds: each call completes, or fails only as RFC 3261
// lets it (a timeout, or the 408/480 a proxy answers when its branches
// time out), and no transaction or timer is left on any element.
func TestSeedCallFlowUnderLoss(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 5
	}
	outcomes := map[CallOutcome]int{}
	drops := 0
	for seed := range uint64(seeds) {
		w := newSeedWorld(t, seed+1, 0.2)
		call, err := w.user1.Call(seedURI(t, "sip:user2@here.com"), CallOptions{})
		require.NoError(t, err)
		w.net.Sim().Run()
		outcomes[call.Outcome()]++
		drops += len(w.rec.OfKind(sim.KindDrop))
		switch call.Outcome() {
		case CallCompleted:
		case CallFailed:
			assert.Contains(t, []int{408, 480, 500, 503}, call.Status(), "seed %d: failed with %d", seed+1, call.Status())
		case CallTimedOut:
		default:
			t.Errorf("seed %d: outcome %v, status %d", seed+1, call.Outcome(), call.Status())
		}
		for _, c := range []*Core{w.user1.Core(), w.user2.Core(), w.proxy1.Core(), w.proxy2.Core(), w.redirect.Core()} {
			assert.Zero(t, c.Layer().Len(), "seed %d: %s transactions left", seed+1, c.Name())
			assert.Zero(t, c.Pending(), "seed %d: %s timers left", seed+1, c.Name())
		}
	}
	t.Logf("outcomes over %d seeds: %v; %d datagrams lost", seeds, outcomes, drops)
	assert.Greater(t, drops, seeds, "the links really lose datagrams")
	assert.Positive(t, outcomes[CallCompleted], "most calls complete despite the loss")
}
