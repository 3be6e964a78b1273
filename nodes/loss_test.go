package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// The flows of the other test files that TestRFC3665UnderLoss and
// TestSeedCallFlowUnderLoss do not run under loss: RFC 3665 3.1, 3.2 and
// 2.1, parallel forking (first 2xx wins, a 6xx cancels) and a routing
// loop, each with 20% Bernoulli loss on every link for many seeds. Every
// flow ends as RFC 3261 lets it (its own outcome, a timeout, a proxy's
// 408/480/487/500 when its branches time out), and every element is idle
// at the end: no transaction, timer, dialog or response context. The last
// tests pin down, without loss, the element bugs these runs found.

// lsLoss is the share of datagrams every link loses each way.
const lsLoss = 0.2

// lsSeeds is how many seeds each flow runs: 40, 5 with -short.
func lsSeeds() uint64 {
	if testing.Short() {
		return 5
	}
	return 40
}

// lsRun is one run of a flow: its network, its elements and the call
// Alice places (nil for a registration).
type lsRun struct {
	net     *sim.Network
	rec     *sim.Recorder
	uas     []*UserAgent
	proxies []*StatefulProxy
	others  []*Core // registrars and other elements with no dialog
	call    *Call
}

// lsFromRFC turns an RFC 3665 scenario into a run.
func lsFromRFC(s *rfcScenario) *lsRun {
	r := &lsRun{net: s.rn.net, rec: s.rn.rec, uas: append([]*UserAgent{s.alice}, s.bobs...), proxies: s.proxies, call: s.call}
	if s.redirect != nil {
		r.others = append(r.others, s.redirect.Core())
	}
	return r
}

// assertIdle checks that no element has a transaction, a timer, a dialog
// or a response context left.
func (r *lsRun) assertIdle(t *testing.T, what string) {
	t.Helper()
	cores := append([]*Core(nil), r.others...)
	for _, ua := range r.uas {
		cores = append(cores, ua.Core())
		assert.Zero(t, ua.ActiveDialogs(), "%s: %s dialogs left", what, ua.Core().Name())
	}
	for _, p := range r.proxies {
		cores = append(cores, p.Core())
		assert.Zero(t, p.Contexts(), "%s: %s response contexts left", what, p.Core().Name())
	}
	for _, c := range cores {
		assert.Zero(t, c.Layer().Len(), "%s: %s transactions left", what, c.Name())
		assert.Zero(t, c.Pending(), "%s: %s timers left", what, c.Name())
	}
}

// drops counts the datagrams the links lost.
func (r *lsRun) drops() int { return len(r.rec.OfKind(sim.KindDrop)) }

// lsOutcome is "outcome/status" of a call, for the distributions logged.
func lsOutcome(c *Call) string { return c.Outcome().String() + "/" + strconv.Itoa(c.Status()) }

// lsProxyTimeouts are the final responses a stateful proxy sends when its
// branches time out or cannot be reached (RFC 3261 16.7 step 6, 16.9), or
// when it has no binding yet (480), and the 487 of a branch it cancelled
// itself when Timer C fired (16.8; seen in the loop at 50% loss).
var lsProxyTimeouts = []int{408, 480, 487, 500}

// lsCheckCall checks that the call of a flow ended as RFC 3261 lets it:
// completed, one of failures (the flow's own and the proxies'), or a
// timeout; Alice never cancels, and 401 and 407 are never final.
func lsCheckCall(t *testing.T, what string, c *Call, failures []int) {
	t.Helper()
	require.NotNil(t, c, what)
	assert.True(t, c.Ended(), "%s: call %v", what, c.Outcome())
	switch c.Outcome() {
	case CallCompleted, CallTimedOut:
	case CallFailed:
		assert.Contains(t, failures, c.Status(), "%s: failed", what)
	default:
		t.Errorf("%s: outcome %v %d", what, c.Outcome(), c.Status())
	}
}

// lsCalleesEnded checks that every call the callees received ended, as one
// of outcomes.
func lsCalleesEnded(t *testing.T, what string, uas []*UserAgent, outcomes ...CallOutcome) {
	t.Helper()
	for _, ua := range uas {
		for _, c := range ua.Calls() {
			assert.True(t, c.Ended(), "%s: %s's call %v", what, ua.Core().Name(), c.Outcome())
			assert.Contains(t, outcomes, c.Outcome(), "%s: %s's call ended %v/%d", what, ua.Core().Name(), c.Outcome(), c.Status())
		}
	}
}

// lsFlow runs build for every seed, checks each run with check and that
// it is idle at the end, logs the outcomes and checks that datagrams were
// really lost.
func lsFlow(t *testing.T, name string, build func(t *testing.T, seed uint64) *lsRun, check func(t *testing.T, what string, r *lsRun) string) map[string]int {
	t.Helper()
	seeds := lsSeeds()
	outcomes := map[string]int{}
	drops := 0
	for seed := uint64(1); seed <= seeds; seed++ {
		what := name + " seed " + strconv.FormatUint(seed, 10)
		r := build(t, seed)
		r.net.Sim().Run()
		outcomes[check(t, what, r)]++
		r.assertIdle(t, what)
		drops += r.drops()
	}
	t.Logf("%s: %v, %d datagrams lost over %d seeds", name, outcomes, drops, seeds)
	assert.Greater(t, drops, int(seeds), "%s: the links really lose datagrams", name)
	return outcomes
}

// TestLossRFC3665Section3_1: Alice calls Bob directly (RFC 3665 3.1, the
// builder of TestUA3665Section3_1); the call completes or times out.
func TestLossRFC3665Section3_1(t *testing.T) {
	out := lsFlow(t, "3.1", func(t *testing.T, seed uint64) *lsRun {
		tn := uaNewNet(t, seed, lsLoss)
		alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{DisplayName: "Alice"})
		bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{DisplayName: "Bob",
			Answer: AnswerOptions{RingTime: sim.Constant{V: 1}, HoldTime: sim.Constant{V: 5}}})
		call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
		require.NoError(t, err)
		return &lsRun{net: tn.net, rec: tn.rec, uas: []*UserAgent{alice, bob}, call: call}
	}, func(t *testing.T, what string, r *lsRun) string {
		// No proxy: no 408/480/500 either, only the UAs' own timeouts.
		lsCheckCall(t, what, r.call, nil)
		lsCalleesEnded(t, what, r.uas[1:], CallCompleted, CallTimedOut)
		return lsOutcome(r.call)
	})
	assert.Positive(t, out["completed/200"], "most calls complete: %v", out)
}

// TestLossRFC3665Section3_2: RFC 3665 3.2 through two record-routing
// proxies, the first demanding credentials with 407, Bob registered at
// start through the registrar (uaBuild3_2). The 407 is only ever an
// intermediate step; the call completes, times out, or gets the 480 of
// Proxy 2 when Bob's registration has not gone through yet (Bob is
// provisioned: an unknown user would get 404) or a 408/500 when a proxy's
// branch times out.
func TestLossRFC3665Section3_2(t *testing.T) {
	out := lsFlow(t, "3.2", func(t *testing.T, seed uint64) *lsRun {
		w := uaBuild3_2(t, seed, lsLoss)
		r := &lsRun{net: w.net, rec: w.rec, uas: []*UserAgent{w.alice, w.bob},
			proxies: []*StatefulProxy{w.ss1, w.ss2}, others: []*Core{w.registrar.Core()}}
		// The call is placed at 1 s (an event scheduled before this
		// one): pick it up then.
		w.net.Sim().At(sim.Time(time.Second), func() { r.call = w.call })
		return r
	}, func(t *testing.T, what string, r *lsRun) string {
		lsCheckCall(t, what, r.call, lsProxyTimeouts)
		lsCalleesEnded(t, what, r.uas[1:], CallCompleted, CallTimedOut)
		if r.call.Outcome() == CallCompleted {
			assert.Contains(t, r.wire(), "ss1 -> alice 407/INVITE", "%s: answered after the challenge", what)
		}
		reg := r.uas[1].Registration()
		assert.Contains(t, []int{200, 408}, reg.Status, "%s: registration", what)
		return lsOutcome(r.call) + " reg " + strconv.Itoa(reg.Status)
	})
	assert.Positive(t, out["completed/200 reg 200"], "most calls complete: %v", out)
}

// lsRegister builds RFC 3665 2.1: Bob's UA registers at the registrar of
// biloxi.example.com (on proxy2, ss2.biloxi.example.com in the RFC),
// which challenges with 401; Bob answers with his credentials. He asks
// for 60 s and refreshes at half the expiry granted (RFC 3261 10.2.4),
// each refresh challenged again: a handful of 2.1 exchanges per run. Every
// link loses a share loss of the datagrams.
func lsRegister(t *testing.T, seed uint64, loss float64) (*lsRun, *LocationService) {
	t.Helper()
	rn := newRFCNet(t, seed, loss)
	require.NoError(t, rn.zone.Add("biloxi.example.com", Server{Host: "proxy2"}))
	loc := NewLocationService()
	rg, err := NewRegistrar(rn.net, Config{Host: "proxy2", Domain: "biloxi.example.com"}, RegistrarOptions{
		Location: loc, Domains: []string{"biloxi.example.com"}, Users: map[string]string{"bob": "zanzibar"}})
	require.NoError(t, err)
	bob := rfcUA(t, rn, "bob", "sip:bob@biloxi.example.com", UAOptions{
		Credentials: []DigestCredentials{{Realm: "biloxi.example.com", Username: "bob", Password: "zanzibar"}},
		Register:    RegisterOptions{Registrar: uaURI(t, "sip:biloxi.example.com"), Expires: time.Minute, Refresh: true}})
	return &lsRun{net: rn.net, rec: rn.rec, uas: []*UserAgent{bob}, others: []*Core{rg.Core()}}, loc
}

// TestLossRFC3665Section2_1: the registration of RFC 3665 2.1, 401
// challenge included, and its refreshes succeed or fail by a timeout only
// (408), and the binding is in the location service when the last one
// succeeded. After 100 s Bob unregisters (Expires 0, RFC 3261 10.2.2),
// which also succeeds, removing the binding, or times out.
func TestLossRFC3665Section2_1(t *testing.T) {
	var loc *LocationService
	var mid string
	out := lsFlow(t, "2.1", func(t *testing.T, seed uint64) *lsRun {
		r, l := lsRegister(t, seed, lsLoss)
		loc = l
		bob := r.uas[0]
		what := "2.1 seed " + strconv.FormatUint(seed, 10)
		r.net.Sim().At(sim.Time(100*time.Second), func() {
			defer func() { require.NoError(t, bob.Unregister()) }()
			if bob.reg.busy {
				// A refresh is in flight: its status may be the 401 of
				// its challenge for now.
				mid = "busy"
				return
			}
			st := bob.Registration()
			mid = strconv.Itoa(st.Status)
			switch st.Status {
			case 200:
				assert.True(t, st.Registered, what)
				assert.GreaterOrEqual(t, st.Requests, 2, "%s: challenged, then with credentials", what)
				bs := loc.Lookup(bob.AOR(), r.net.Sim().Now())
				if assert.Len(t, bs, 1, "%s: the binding", what) {
					assert.Equal(t, bob.Contact().URI.String(), bs[0].Contact.String(), what)
				}
			case 408:
				// Every copy of a request or of its final response was
				// lost: the registrar may have bound the contact anyway.
			default:
				t.Errorf("%s: registration ended %d", what, st.Status)
			}
		})
		return r
	}, func(t *testing.T, what string, r *lsRun) string {
		bob := r.uas[0]
		st := bob.Registration()
		switch st.Status {
		case 200:
			assert.False(t, st.Registered, what)
			assert.Empty(t, loc.Lookup(bob.AOR(), r.net.Sim().Now()), "%s: unregistered", what)
		case 408:
			// The removal timed out: the binding may still be there,
			// and Bob cannot know.
		default:
			t.Errorf("%s: unregistration ended %d", what, st.Status)
		}
		return "reg " + mid + " unreg " + strconv.Itoa(st.Status)
	})
	assert.Positive(t, out["reg 200 unreg 200"], "most registrations succeed: %v", out)
}

// lsFork builds parallel forking by Proxy 2 (rfcFork's topology, every
// link losing a share loss) to Bob's two devices with the given
// behaviours; Alice hangs up two seconds after an answer.
func lsFork(t *testing.T, seed uint64, loss float64, bob, bob2 AnswerOptions) *lsRun {
	t.Helper()
	rn := newRFCNet(t, seed, loss)
	require.NoError(t, rn.zone.Add("biloxi.example.com", Server{Host: "proxy2"}))
	s := &rfcScenario{rn: rn}
	s.proxies = append(s.proxies, rfcProxy(t, rn, "proxy2", ProxyOptions{Domains: []string{"biloxi.example.com"},
		Location: rfcBobLocation(t, rn, "sip:bob@biloxi.example.com", "bob", "bob2")}))
	for i, a := range []AnswerOptions{bob, bob2} {
		s.bobs = append(s.bobs, rfcUA(t, rn, []string{"bob", "bob2"}[i], "sip:bob@biloxi.example.com", UAOptions{Answer: a}))
	}
	s.alice = rfcUA(t, rn, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	var err error
	s.call, err = s.alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{HoldTime: sim.Constant{V: 2}})
	require.NoError(t, err)
	return lsFromRFC(s)
}

// TestLossForkFirst2xxWins: bob answers after a second, bob2 would ring
// for ten: the first 200 is forwarded and bob2's branch is CANCELled, which
// bob2 answers 487 (RFC 3261 16.7 step 10). Under loss bob2's call may
// also time out (CANCEL lost until its ring time, then its 2xx forwarded
// too and ended with BYE: completed; or its 2xx never acknowledged).
func TestLossForkFirst2xxWins(t *testing.T) {
	cancelled := 0
	out := lsFlow(t, "fork 2xx", func(t *testing.T, seed uint64) *lsRun {
		return lsFork(t, seed, lsLoss, AnswerOptions{RingTime: sim.Constant{V: 1}}, AnswerOptions{RingTime: sim.Constant{V: 10}})
	}, func(t *testing.T, what string, r *lsRun) string {
		lsCheckCall(t, what, r.call, lsProxyTimeouts)
		// bob's INVITE may reach him only after bob2 answered: cancelled.
		lsCalleesEnded(t, what, r.uas[1:], CallCompleted, CallCancelled, CallTimedOut)
		b2 := "none"
		if cs := r.uas[2].Calls(); len(cs) > 0 {
			b2 = lsOutcome(cs[0])
			if cs[0].Outcome() == CallCancelled {
				cancelled++
			}
		}
		return lsOutcome(r.call) + " bob2 " + b2
	})
	assert.Positive(t, cancelled, "the losing branch is cancelled: %v", out)
}

// TestLossFork6xxCancels: bob2 declines (603) after half a second, bob
// would ring for ten: the 6xx cancels bob's branch (487) and is the
// response Alice gets (RFC 3261 16.7 steps 5, 6, 10). Under loss Alice may
// also time out or get a 408/480/500; bob's branch may outlive a lost
// CANCEL, answer, and the late 2xx is forwarded (16.7 step 5) and ended by
// Alice with BYE.
func TestLossFork6xxCancels(t *testing.T) {
	out := lsFlow(t, "fork 6xx", func(t *testing.T, seed uint64) *lsRun {
		return lsFork(t, seed, lsLoss, AnswerOptions{RingTime: sim.Constant{V: 10}}, AnswerOptions{Decline: 1, RingTime: sim.Constant{V: 0.5}})
	}, func(t *testing.T, what string, r *lsRun) string {
		lsCheckCall(t, what, r.call, append([]int{603}, lsProxyTimeouts...))
		lsCalleesEnded(t, what, r.uas[1:2], CallCancelled, CallCompleted, CallTimedOut)
		// bob2's INVITE may reach it only after bob answered: cancelled.
		lsCalleesEnded(t, what, r.uas[2:], CallFailed, CallCancelled, CallTimedOut)
		b := "none"
		if cs := r.uas[1].Calls(); len(cs) > 0 {
			b = lsOutcome(cs[0])
		}
		return lsOutcome(r.call) + " bob " + b
	})
	assert.Positive(t, out["failed/603 bob cancelled/487"], "the 6xx cancels the other branch: %v", out)
}

// lsLoop builds the misrouted tables of TestStatefulProxyLoop with the
// package's UA: Proxy 1 (atlanta.example.com) routes biloxi.example.com to
// Proxy 2, which routes it back to Proxy 1; Alice calls Bob through Proxy
// 1.
func lsLoop(t *testing.T, seed uint64, loss float64) *lsRun {
	t.Helper()
	rn := newRFCNet(t, seed, loss)
	s := &rfcScenario{rn: rn}
	for _, p := range [][3]string{{"proxy1", "atlanta.example.com", "sip:10.0.0.12:5060"}, {"proxy2", "elsewhere.example.com", "sip:10.0.0.11:5060"}} {
		s.proxies = append(s.proxies, rfcProxy(t, rn, p[0], ProxyOptions{Domains: []string{p[1]},
			Routes: map[string]uri.URI{"biloxi.example.com": uaURI(t, p[2])}}))
	}
	s.alice = rfcUA(t, rn, "alice", "sip:alice@atlanta.example.com", UAOptions{OutboundProxy: uaURI(t, "sip:10.0.0.11:5060")})
	var err error
	s.call, err = s.alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	return lsFromRFC(s)
}

// TestLossLoop: a misrouted table sends biloxi.example.com from Proxy 1 to
// Proxy 2 and back (RFC 3261 16.3 step 4: 482, or 483 should Max-Forwards
// run out first). Under loss the call still ends with 482/483, a proxy's
// 408/480/500, or a timeout, and the simulation ends: a bounded number of
// events, never the event limit.
func TestLossLoop(t *testing.T) {
	const maxEvents = 10000
	var fired uint64
	out := lsFlow(t, "loop", func(t *testing.T, seed uint64) *lsRun {
		r := lsLoop(t, seed, lsLoss)
		r.net.Sim().SetMaxEvents(maxEvents)
		return r
	}, func(t *testing.T, what string, r *lsRun) string {
		sm := r.net.Sim()
		assert.False(t, sm.LimitReached(), "%s: the event limit was reached", what)
		assert.Less(t, sm.Fired(), uint64(maxEvents), what)
		assert.Zero(t, sm.Pending(), "%s: events left", what)
		fired = max(fired, sm.Fired())
		lsCheckCall(t, what, r.call, append([]int{482, 483}, lsProxyTimeouts...))
		return lsOutcome(r.call)
	})
	t.Logf("at most %d events in a run", fired)
	assert.Positive(t, out["failed/482"]+out["failed/483"], "the loop is detected: %v", out)
}

// TestLossForkRaces: the two fork tests with ring times drawn per seed so
// that the branches' final responses race the proxy's CANCELs: bob2's 200
// may cross the CANCEL (both 2xx forwarded, Alice ends the second dialog
// with BYE, RFC 3261 13.2.2.4), and bob's 200 may beat, cross or follow
// bob2's 603 (a 2xx is always forwarded, 16.7 step 5).
func TestLossForkRaces(t *testing.T) {
	t.Run("2xx", func(t *testing.T) {
		lsFlow(t, "race 2xx", func(t *testing.T, seed uint64) *lsRun {
			return lsFork(t, seed, lsLoss, AnswerOptions{RingTime: sim.Constant{V: 1}}, AnswerOptions{RingTime: sim.Uniform{Min: 0.95, Max: 1.2}})
		}, func(t *testing.T, what string, r *lsRun) string {
			lsCheckCall(t, what, r.call, lsProxyTimeouts)
			lsCalleesEnded(t, what, r.uas[1:], CallCancelled, CallCompleted, CallTimedOut)
			b2 := "none"
			if cs := r.uas[2].Calls(); len(cs) > 0 {
				b2 = lsOutcome(cs[0])
			}
			return lsOutcome(r.call) + " bob2 " + b2
		})
	})
	t.Run("6xx", func(t *testing.T) {
		lsFlow(t, "race 6xx", func(t *testing.T, seed uint64) *lsRun {
			return lsFork(t, seed, lsLoss, AnswerOptions{RingTime: sim.Uniform{Min: 0.3, Max: 0.8}}, AnswerOptions{Decline: 1, RingTime: sim.Constant{V: 0.5}})
		}, func(t *testing.T, what string, r *lsRun) string {
			lsCheckCall(t, what, r.call, append([]int{603}, lsProxyTimeouts...))
			lsCalleesEnded(t, what, r.uas[1:2], CallCancelled, CallCompleted, CallTimedOut)
			lsCalleesEnded(t, what, r.uas[2:], CallFailed, CallCancelled, CallTimedOut)
			var bs []string
			for _, b := range r.uas[1:] {
				if cs := b.Calls(); len(cs) > 0 {
					bs = append(bs, lsOutcome(cs[0]))
				}
			}
			return lsOutcome(r.call) + " bobs " + fmt.Sprint(bs)
		})
	})
}

// wire lists "from -> to label" for every datagram sent, by host name.
func (r *lsRun) wire() []string {
	var out []string
	for _, e := range r.rec.OfKind(sim.KindSend) {
		out = append(out, r.net.HostByAddr(e.Src.Addr()).Name()+" -> "+r.net.HostByAddr(e.Dst.Addr()).Name()+" "+e.Label)
	}
	return out
}

// TestLossByeEarlyOtherFork: bob answers, bob2 rings, and every copy of
// the 200 is lost on its way to Alice. Bob gives up waiting for the ACK
// and sends BYE (RFC 3261 13.3.1.4); the proxy has cancelled bob2 and
// forwards no final response but the lost 2xx. Alice cancels the INVITE,
// and 64*T1 later the call ends as timed out; nothing is left anywhere.
//
// "other fork's early dialog": bob's 180 is lost too, so the BYE matches
// no dialog (481) while Alice has bob2's early dialog, which will never
// be answered. Before the fix she cancelled only with no early dialog
// left, and waited for ever, a transaction and a dialog left.
//
// "late CANCEL": bob2's INVITE is delayed (its first two copies lost), so
// the proxy's CANCEL to it leaves late, and bob2 still holds that CANCEL's
// server transaction when Alice's CANCEL comes, after the proxy's INVITE
// transaction has ended. The proxy forwards Alice's CANCEL to both
// devices with the INVITE's branch (16.6 step 8), bob2 matches it to its
// earlier CANCEL transaction and resends its 200, with the proxy's Via
// alone (17.2.3). Before the fix the proxy dropped that 200 as the answer
// to its own CANCEL, keeping a response context and a server transaction
// for ever, and Alice's CANCEL unanswered.
func TestLossByeEarlyOtherFork(t *testing.T) {
	for _, tc := range []struct {
		name  string
		drops []sim.DropFilter
		want  []string
	}{
		{"other fork's early dialog", []sim.DropFilter{
			sim.DropFirst(1, sim.OnHop("proxy2", "alice", "180/INVITE")),
		}, []string{"alice -> proxy2 481/BYE"}},
		{"late CANCEL", []sim.DropFilter{
			sim.DropFirst(2, sim.OnHop("proxy2", "bob2", "INVITE")),
		}, []string{"bob2 -> proxy2 200/CANCEL", "proxy2 -> alice 200/CANCEL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := lsFork(t, 1, 0, AnswerOptions{RingTime: sim.Constant{V: 1}}, AnswerOptions{RingTime: sim.Constant{V: 10}})
			for _, d := range tc.drops {
				r.net.AddDropFilter(d)
			}
			r.net.AddDropFilter(sim.DropFirst(1000, sim.OnHop("proxy2", "alice", "200/INVITE")))
			r.net.Sim().Run()
			lines := r.wire()
			assert.Contains(t, lines, "bob -> proxy2 BYE", "bob's 2xx was never acknowledged")
			assert.Contains(t, lines, "alice -> proxy2 CANCEL")
			for _, w := range tc.want {
				assert.Contains(t, lines, w)
			}
			assert.Equal(t, CallTimedOut, r.call.Outcome())
			assert.Equal(t, 408, r.call.Status())
			assert.Equal(t, CallTimedOut, r.uas[1].Calls()[0].Outcome(), "bob: no ACK")
			assert.Equal(t, CallCancelled, r.uas[2].Calls()[0].Outcome(), "bob2: cancelled")
			r.assertIdle(t, tc.name)
		})
	}
}

// TestLossUnregisterWaitsForRefresh: Bob unregisters while a refresh is in
// flight, the refresh's credentialed REGISTER lost once. The removal waits
// for the refresh's final response (RFC 3261 10.2: no new registration
// before the previous one is answered or timed out), then removes the
// binding. Before the fix it was sent at once, reached the registrar
// first, and the retransmitted refresh bound the contact again: Bob ended
// registered, for a minute more, against his will.
func TestLossUnregisterWaitsForRefresh(t *testing.T) {
	r, loc := lsRegister(t, 1, 0)
	bob := r.uas[0]
	s := r.net.Sim()
	// The first registration ends at 40 ms, the refresh leaves at 30.04 s,
	// is challenged at 30.06 s and sent again with credentials then.
	r.net.AddDropFilter(sim.DropFirst(1, func(p *sim.Packet) bool {
		return p.Label == "REGISTER" && s.Now() == sim.Time(30060*time.Millisecond)
	}))
	s.At(sim.Time(30050*time.Millisecond), func() { require.NoError(t, bob.Unregister()) })
	s.Run()
	var regs []string
	for _, l := range r.wire() {
		if strings.HasPrefix(l, "bob -> proxy2") {
			regs = append(regs, l)
		}
	}
	assert.Len(t, regs, 7, "two exchanges of two REGISTERs, the lost one resent, then the removal's two: %v", regs)
	st := bob.Registration()
	assert.False(t, st.Registered)
	assert.Equal(t, 200, st.Status)
	assert.Empty(t, loc.Lookup(bob.AOR(), s.Now()), "the binding is removed")
	r.assertIdle(t, "unregister")
}
