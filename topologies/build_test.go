package topologies

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
)

// registerAndCall is a topology with DNS, a registrar sharing its location
// service with a proxy, defaults, per-direction link settings and faults.
const registerAndCall = `name: register-and-call
description: bob registers, then alice calls him through the proxy of b.com
defaults:
  timers: {t1: 100ms}
  link: {delay: 5ms}
nodes:
  - {name: alice, kind: ua, address: 10.0.0.1, domain: a.com, aor: sip:alice@a.com,
     outbound-proxy: sip:10.0.0.2}
  - name: proxy
    kind: stateful-proxy
    address: 10.0.0.2
    domain: b.com
    domains: [b.com]
    location: b.com
    record-route: true
  - {name: reg, kind: registrar, address: 10.0.0.3, domains: [b.com]}
  - name: bob
    kind: ua
    address: 10.0.0.4
    aor: sip:bob@b.com
    register: {registrar: sip:b.com, expires: 1h}
    answer: {ring-time: uniform 1s 2s}
links:
  - between: [alice, proxy]
    forward: {delay: 20ms}
  - between: [proxy, reg]
  - between: [proxy, bob]
    jitter: constant 1ms
    bandwidth: 1Mbit/s
    queue: {packets: 16}
dns:
  domains:
    b.com: [{node: reg, priority: 0, weight: 1}]
workload:
  calls:
    - {caller: alice, to: sip:bob@b.com, at: 1s, hold-time: 2s}
faults:
  - drop: {nth: 1, method: INVITE, link: [alice, proxy]}
`

func TestBuildRegisterAndCall(t *testing.T) {
	top, err := Parse("rc.yaml", []byte(registerAndCall))
	require.NoError(t, err)
	assert.Equal(t, 100*time.Millisecond, top.Nodes[0].Config.Timers.T1, "defaults apply")
	assert.Equal(t, 20*time.Millisecond, top.Links[0].AB.Delay, "forward overrides")
	assert.Equal(t, 5*time.Millisecond, top.Links[0].BA.Delay, "defaults.link under the link")
	assert.Equal(t, "b.com", top.Nodes[2].Location, "a registrar's location defaults to its first domain")

	rec := &sim.Recorder{}
	run, err := Build(top, 3, rec)
	require.NoError(t, err)
	run.PlaceCalls()
	run.Sim.Run()

	assert.True(t, run.UAs["bob"].Registration().Registered, "bob registered at reg, found through DNS")
	calls := run.Calls()
	require.Len(t, calls, 1)
	require.NoError(t, calls[0].Err)
	assert.Equal(t, nodes.CallCompleted, calls[0].Call.Outcome(), "the call survives the dropped INVITE")
	var filtered int
	for _, e := range rec.OfKind(sim.KindDrop) {
		if e.Reason == sim.ReasonFilter {
			filtered++
			assert.Equal(t, "INVITE", e.Label)
		}
	}
	assert.Equal(t, 1, filtered, "the drop fault drops exactly the first INVITE")
	assert.Empty(t, run.Busy())
	assert.Equal(t, "alice", run.NodeName(top.Nodes[0].Address))
}

func TestBuildCrashAndLinkDown(t *testing.T) {
	src := twoNodes + `faults:
  - crash: {node: proxy, at: 1s, recover: 2s}
  - link-down: {link: [alice, proxy], from: 3s, to: 4s, one-way: true}
`
	top, err := Parse("t.yaml", []byte(src))
	require.NoError(t, err)
	run, err := Build(top, 1, nil)
	require.NoError(t, err)
	run.Sim.RunUntil(sim.Time(1500 * time.Millisecond))
	assert.False(t, run.Net.Host("proxy").Up())
	run.Sim.Run()
	assert.True(t, run.Net.Host("proxy").Up())
}

func TestPlaceGenerated(t *testing.T) {
	src := `name: gen
nodes:
  - {name: a, kind: ua, address: 10.0.0.1, aor: sip:a@x.com}
  - {name: b, kind: ua, address: 10.0.0.2, aor: sip:b@x.com}
links:
  - {between: [a, b], delay: 10ms}
workload:
  generated:
    rate: 1/s
    count: 5
    start: 1s
    callers: [a]
    callees: [sip:b@10.0.0.2]
    hold-time: exponential 2s
`
	top, err := Parse("gen.yaml", []byte(src))
	require.NoError(t, err)
	var starts [2][]time.Duration
	for i := range starts {
		run, err := Build(top, 9, nil)
		require.NoError(t, err)
		run.PlaceGenerated()
		run.Sim.Run()
		calls := run.Calls()
		require.Len(t, calls, 5, "count bounds the calls")
		for _, c := range calls {
			require.NoError(t, c.Err)
			assert.Equal(t, nodes.CallCompleted, c.Call.Outcome())
			assert.GreaterOrEqual(t, c.Spec.At, time.Second)
			starts[i] = append(starts[i], c.Spec.At)
		}
		assert.Empty(t, run.Busy())
	}
	assert.Equal(t, starts[0], starts[1], "the same seed gives the same arrivals")
}
