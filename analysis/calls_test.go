package analysis_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

// runCalls runs a topology (with its explicit workload) and returns the
// metrics of its calls, computed from the trace, and the run.
func runCalls(t *testing.T, top *topologies.Topology, seed uint64) ([]analysis.CallMetrics, *topologies.Run) {
	t.Helper()
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	var got []analysis.CallMetrics
	sink := analysis.NewCallSink(names, func(m *analysis.CallMetrics) { got = append(got, *m) }, nil)
	r, err := topologies.Build(top, seed, sink)
	require.NoError(t, err)
	r.PlaceCalls()
	r.PlaceGenerated()
	r.Sim.Run()
	sink.Flush()
	assert.Zero(t, sink.Tracker.Active())
	return got, r
}

func TestCallMetricsOfTheSeedFlow(t *testing.T) {
	top, err := topologies.LoadBuiltin("here-there")
	require.NoError(t, err)
	got, _ := runCalls(t, top, 1)
	require.Len(t, got, 1)
	m := got[0]
	// The ladder in testdata/seed.ladder.txt: INVITE at 0, 180 Ringing
	// at 100 ms, 200 OK at 2100 ms, BYE at 7100 ms, its 200 at 7180 ms.
	assert.Equal(t, analysis.CallMetrics{
		Index: 1, CallID: m.CallID, Caller: "user1", Callee: "sip:user2@here.com",
		Outcome: analysis.Answered, Status: 200, Reason: "OK",
		Setup: 2100 * time.Millisecond, SRD: 100 * time.Millisecond, PDD: 100 * time.Millisecond,
		SDT: 5 * time.Second, SDD: 80 * time.Millisecond,
		Hops: 4, Messages: 28, InviteTransmissions: 1, Completed: true,
	}, m)
}

// TestCallMetricsAgreeWithTheUserAgents checks the trace-derived metrics
// against what each caller's user agent recorded on the side (which the
// metrics must never use): outcome, status and set-up delay, on every
// built-in, without and with loss.
func TestCallMetricsAgreeWithTheUserAgents(t *testing.T) {
	for _, name := range topologies.Builtins() {
		type variant struct {
			loss, transport string
			calls           int
		}
		variants := []variant{{"0", "", 0}, {"0.2", "", 0}, {"0.2", "tcp", 0}}
		if name == "direct" || name == "here-there" {
			// Many calls at once: late answers, head-of-line blocking on
			// TCP, calls that outlive Timer B.
			variants = append(variants, variant{"0.2", "", 60}, variant{"0.2", "tcp", 60})
		}
		for _, v := range variants {
			for seed := uint64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("%s/loss=%s/tcp=%v/calls=%d/seed=%d", name, v.loss, v.transport != "", v.calls, seed), func(t *testing.T) {
					top, err := topologies.LoadBuiltin(name)
					require.NoError(t, err)
					require.NoError(t, top.Override("loss", v.loss))
					if v.transport != "" {
						require.NoError(t, top.Override("transport", v.transport))
					}
					if v.calls > 0 {
						require.NoError(t, top.SetCallCount(v.calls))
					}
					got, r := runCalls(t, top, seed)
					byID := map[string]analysis.CallMetrics{}
					for _, m := range got {
						byID[m.CallID] = m
					}
					for _, pc := range r.Calls() {
						if pc.Call == nil {
							continue
						}
						c := pc.Call
						m, ok := byID[c.CallID()]
						require.True(t, ok, "call %s has no metrics", c.CallID())
						want := map[nodes.CallOutcome]analysis.Outcome{
							nodes.CallPending: analysis.InProgress, nodes.CallAnswered: analysis.Answered,
							nodes.CallCompleted: analysis.Answered, nodes.CallFailed: analysis.Rejected,
							nodes.CallCancelled: analysis.Cancelled, nodes.CallTimedOut: analysis.TimedOut,
							nodes.CallTransportError: analysis.TransportError,
						}[c.Outcome()]
						assert.Equal(t, want, m.Outcome, "outcome of %+v %+v", m, c.Times())
						if c.Outcome() != nodes.CallPending {
							assert.Equal(t, c.Status(), m.Status, "status %+v %+v", m, c.Times())
						}
						if m.SDD != analysis.Unset {
							assert.Equal(t, c.Outcome() == nodes.CallCompleted, m.Completed, "completed %+v %+v", m, c.Times())
						} else {
							// The BYE got no answer: the user agent ends
							// the session all the same (RFC 3261 15.1.1),
							// but RFC 6076 4.9 does not count it complete.
							assert.False(t, m.Completed, "completed without an answer to the BYE")
						}
						ts := c.Times()
						if ts.Answer != nodes.UATimeUnset {
							assert.Equal(t, ts.Answer.Sub(ts.Invite), m.Setup, "set-up delay")
						} else {
							assert.Equal(t, analysis.Unset, m.Setup)
						}
						assert.GreaterOrEqual(t, m.InviteTransmissions, 1)
						assert.LessOrEqual(t, m.Retransmissions, m.Messages)
					}
				})
			}
		}
	}
}

func TestCallTrackerMemoryStaysFlat(t *testing.T) {
	top, err := topologies.LoadBuiltin("direct")
	require.NoError(t, err)
	require.NoError(t, top.SetCallCount(2000))
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	n, most := 0, 0
	sink := analysis.NewCallSink(names, func(*analysis.CallMetrics) { n++ }, nil)
	r, err := topologies.Build(top, 7, sim.SinkFunc(func(e *sim.Event) {
		sink.Event(e)
		most = max(most, sink.Tracker.Active())
	}))
	require.NoError(t, err)
	r.PlaceGenerated()
	r.Sim.Run()
	sink.Flush()
	assert.Equal(t, 2000, n)
	// 10 calls per second, each held 1 s, then kept for RetransmitWindow
	// (32 s) of stragglers and up to half that again until the next
	// sweep: about 500 at a time, whatever the number of calls.
	assert.Less(t, most, 700)
}

func TestSecondsIsExact(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {analysis.Unset, ""}, {time.Nanosecond, "0.000000001"},
		{2100 * time.Millisecond, "2.1"}, {1483027835 * time.Nanosecond, "1.483027835"},
		{90 * time.Second, "90"}, {-5, ""},
	} {
		assert.Equal(t, tc.want, analysis.Seconds(tc.d), "%d", tc.d)
	}
}

// TestSweepMemoryStaysFlat runs a replication as sweep does (calls
// forgotten by the run and the user agents, metrics folded as they
// stream) with 1000 and 8000 calls, and compares the live heap at the
// end: it must not grow with the number of calls.
func TestSweepMemoryStaysFlat(t *testing.T) {
	live := func(calls int) uint64 {
		top, err := topologies.LoadBuiltin("direct")
		require.NoError(t, err)
		require.NoError(t, top.Override("loss", "0.1"))
		require.NoError(t, top.SetCallCount(calls))
		names := analysis.Names{}
		for _, n := range top.Nodes {
			names[n.Address] = n.Name
		}
		var st analysis.RepStats
		sink := analysis.NewCallSink(names, st.AddCall, st.AddRegistration)
		r, err := topologies.Build(top, 5, sink)
		require.NoError(t, err)
		r.ForgetCalls()
		r.PlaceGenerated()
		r.Sim.Run()
		sink.Flush()
		require.Equal(t, calls, st.Calls)
		assert.Empty(t, r.Calls())
		for _, ua := range r.UAs {
			assert.Empty(t, ua.Calls())
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		runtime.KeepAlive(r)
		runtime.KeepAlive(sink)
		return ms.HeapAlloc
	}
	small, large := live(1000), live(10000)
	t.Logf("live heap: %d KB after 1000 calls, %d KB after 10000", small/1024, large/1024)
	assert.Less(t, float64(large), 1.5*float64(small)+2<<20, "the heap grows with the number of calls")
}

// TestFailedCallsAndRegistrations pins the metrics of RFC 3665 flows
// that fail or register: SRD is measured to the failure when no
// provisional response came first (RFC 6076 4.3.2), and RRD from the
// first REGISTER through the 401 challenge to the 200 (RFC 6076 4.1).
func TestFailedCallsAndRegistrations(t *testing.T) {
	for _, tc := range []struct {
		topology string
		want     analysis.CallMetrics
	}{
		{"rfc3665-3.9", analysis.CallMetrics{Outcome: analysis.Rejected, Status: 486, Reason: "Busy Here", SRD: 60 * time.Millisecond, Hops: 3, Messages: 11, InviteTransmissions: 1}},
		{"loop", analysis.CallMetrics{Outcome: analysis.Rejected, Status: 482, Reason: "Loop Detected", SRD: 60 * time.Millisecond, Hops: 4, Messages: 12, InviteTransmissions: 1}},
		{"rfc3665-3.8", analysis.CallMetrics{Outcome: analysis.Cancelled, Status: 487, Reason: "Request Terminated", SRD: 60 * time.Millisecond, PDD: 60 * time.Millisecond, Hops: 3, Messages: 20, InviteTransmissions: 1}},
	} {
		t.Run(tc.topology, func(t *testing.T) {
			top, err := topologies.LoadBuiltin(tc.topology)
			require.NoError(t, err)
			got, _ := runCalls(t, top, 1)
			require.Len(t, got, 1)
			m := got[0]
			want := tc.want
			want.Index, want.CallID, want.Caller, want.Callee, want.Placed = 1, m.CallID, m.Caller, m.Callee, m.Placed
			want.Setup, want.SDT, want.SDD = analysis.Unset, analysis.Unset, analysis.Unset
			if want.PDD == 0 {
				want.PDD = analysis.Unset
			}
			assert.Equal(t, want, m)
		})
	}

	top, err := topologies.LoadBuiltin("rfc3665-2.1")
	require.NoError(t, err)
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	var regs []analysis.RegistrationMetrics
	sink := analysis.NewCallSink(names, nil, func(m *analysis.RegistrationMetrics) { regs = append(regs, *m) })
	r, err := topologies.Build(top, 1, sink)
	require.NoError(t, err)
	r.Sim.Run()
	sink.Flush()
	require.NotEmpty(t, regs)
	assert.Equal(t, "bob", regs[0].Node)
	assert.Equal(t, 200, regs[0].Status)
	assert.Equal(t, 40*time.Millisecond, regs[0].RRD, "REGISTER, 401, REGISTER with credentials, 200: 4 x 10 ms")
	var st analysis.RepStats
	for i := range regs {
		st.AddRegistration(&regs[i])
	}
	assert.InDelta(t, 0.04, st.RRD.Mean(), 1e-12)
}
