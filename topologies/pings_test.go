package topologies

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
)

// withBob returns a topology of twoNodes's alice and proxy and a UA bob
// linked to the proxy, with workload appended.
func withBob(workload string) string {
	return `name: pings
nodes:
  - name: alice
    kind: ua
    address: 10.0.0.1
    aor: sip:alice@a.com
    outbound-proxy: sip:10.0.0.2
  - name: proxy
    kind: stateful-proxy
    address: 10.0.0.2
    domains: [a.com]
    location: a.com
  - name: bob
    kind: ua
    address: 10.0.0.3
    aor: sip:bob@a.com
links:
  - between: [alice, proxy]
    delay: 5ms
  - between: [proxy, bob]
    delay: 5ms
` + workload
}

func TestPingValidation(t *testing.T) {
	for _, tt := range []struct {
		class string
		src   string
		want  []string
	}{
		{"from not a ua", twoNodes + "workload:\n  pings:\n    - {from: proxy, to: sip:10.0.0.2, every: 1s, count: 1}\n", []string{
			`t.yaml:18: workload.pings[0].from: node "proxy" is a stateful-proxy, not a ua`}},
		{"undefined from", twoNodes + "workload:\n  pings:\n    - {from: bob, to: sip:10.0.0.2, every: 1s, count: 1}\n", []string{
			`t.yaml:18: workload.pings[0].from: undefined node "bob"`}},
		{"every zero", twoNodes + "workload:\n  pings:\n    - {from: alice, to: sip:10.0.0.2, every: 0s, count: 1}\n", []string{
			"t.yaml:18: workload.pings[0].every: must be positive"}},
		{"count zero", twoNodes + "workload:\n  pings:\n    - {from: alice, to: sip:10.0.0.2, every: 1s, count: 0}\n", []string{
			"t.yaml:18: workload.pings[0].count: 0 is not in [1, 100000000]"}},
		{"missing fields", twoNodes + "workload:\n  pings:\n    - {count: 1}\n", []string{
			"t.yaml:18: workload.pings[0].from: is missing",
			"t.yaml:18: workload.pings[0].to: is missing",
			"t.yaml:18: workload.pings[0].every: is missing (want such as 10s)"}},
		{"unknown key", twoNodes + "workload:\n  pings:\n    - {from: alice, to: sip:10.0.0.2, every: 1s, at: 1s}\n", []string{
			"t.yaml:18: workload.pings[0].at: unknown field (want one of: from, to, every, start, count)"}},
	} {
		t.Run(tt.class, func(t *testing.T) {
			assert.Equal(t, tt.want, parseErrors(t, tt.src))
		})
	}
}

func TestUnboundedPings(t *testing.T) {
	top, err := Parse("t.yaml", []byte(twoNodes+"workload:\n  pings:\n    - {from: alice, to: sip:10.0.0.2, every: 1s}\n"))
	require.NoError(t, err)
	require.Len(t, top.Workload.Pings, 1)
	err = top.UnboundedPings(0)
	require.Error(t, err)
	assert.Equal(t, "t.yaml:18: workload.pings[0]: needs a count or a run duration (--duration), or it never ends", err.Error())
	assert.NoError(t, top.UnboundedPings(sim.Time(10*time.Second)))

	r, err := Build(top, 1, nil)
	require.NoError(t, err)
	assert.Error(t, r.PlacePings())
	assert.Empty(t, r.Pings())
}

func TestPlacePings(t *testing.T) {
	top, err := Parse("p.yaml", []byte(withBob(`workload:
  pings:
    - {from: alice, to: sip:10.0.0.2, every: 2s, start: 1s, count: 3}
    - {from: alice, to: sip:bob@10.0.0.3, every: 5s, count: 2}
`)))
	require.NoError(t, err)
	r, err := Build(top, 1, nil)
	require.NoError(t, err)
	require.NoError(t, r.PlacePings())
	r.Sim.Run()
	pings := r.Pings()
	require.Len(t, pings, 5)
	var toProxy, toBob []sim.Time
	for _, p := range pings {
		assert.True(t, p.Done, "%+v", p)
		assert.Equal(t, 200, p.Status, "%+v", p)
		if p.Spec.To.String() == "sip:10.0.0.2" {
			toProxy = append(toProxy, p.At)
		} else {
			toBob = append(toBob, p.At)
		}
	}
	assert.Equal(t, []sim.Time{sim.Time(time.Second), sim.Time(3 * time.Second), sim.Time(5 * time.Second)}, toProxy)
	assert.Equal(t, []sim.Time{0, sim.Time(5 * time.Second)}, toBob)
	assert.Empty(t, r.Busy())
}

func TestPlacePingsUntil(t *testing.T) {
	top, err := Parse("p.yaml", []byte(withBob("workload:\n  pings:\n    - {from: alice, to: sip:bob@10.0.0.3, every: 1s}\n")))
	require.NoError(t, err)
	r, err := Build(top, 1, nil)
	require.NoError(t, err)
	r.Until = 10 * time.Second
	require.NoError(t, r.PlacePings())
	r.Sim.RunUntil(sim.Time(r.Until))
	pings := r.Pings()
	require.Len(t, pings, 10) // at 0s, 1s, ..., 9s: none at the cut
	for _, p := range pings {
		assert.Equal(t, 200, p.Status, "%+v", p)
	}
}

func TestPingTimeout(t *testing.T) {
	// bob is crashed: the pings time out.
	top, err := Parse("p.yaml", []byte(withBob(`workload:
  pings:
    - {from: alice, to: sip:bob@10.0.0.3, every: 1s, count: 2}
faults:
  - crash: {node: bob, at: 0s}
`)))
	require.NoError(t, err)
	r, err := Build(top, 1, nil)
	require.NoError(t, err)
	require.NoError(t, r.PlacePings())
	r.Sim.Run()
	pings := r.Pings()
	require.Len(t, pings, 2)
	for _, p := range pings {
		assert.True(t, p.Done, "%+v", p)
		assert.Zero(t, p.Status, "%+v", p) // a timeout: no final response
	}
}
