package topologies

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

func TestOverrideChangesEveryLinkAndNode(t *testing.T) {
	top, err := LoadBuiltin("stateful-hop")
	require.NoError(t, err)
	shared := top.Links[0].AB
	for _, kv := range [][2]string{
		{"loss", "5%"}, {"delay", "20ms"}, {"jitter", "4ms"}, {"bandwidth", "64kbit/s"},
		{"transport", "TCP"}, {"t1", "5s"},
	} {
		require.NoError(t, top.Override(kv[0], kv[1]), kv[0])
	}
	for _, l := range top.Links {
		for _, c := range []sim.LinkConfig{l.AB, l.BA} {
			assert.Equal(t, sim.Bernoulli{P: 0.05}, c.Loss)
			assert.Equal(t, 20*time.Millisecond, c.Delay)
			assert.Equal(t, sim.Uniform{Min: 0, Max: 0.004}, c.Jitter)
			assert.Equal(t, int64(64000), c.Bandwidth)
		}
	}
	for _, n := range top.Nodes {
		assert.Equal(t, transaction.TCP, n.Config.Transport.Transport, n.Name)
		assert.Equal(t, 5*time.Second, n.Config.Timers.T1, n.Name)
		assert.Equal(t, 5*time.Second, n.Config.Timers.T2, n.Name, "T2 raised to T1")
	}
	reloaded, err := LoadBuiltin("stateful-hop")
	require.NoError(t, err)
	assert.Equal(t, shared, reloaded.Links[0].AB, "built-ins are parsed afresh")

	// Zero removes loss, jitter and the bandwidth limit.
	for _, name := range []string{"loss", "jitter", "bandwidth"} {
		require.NoError(t, top.Override(name, "0"), name)
	}
	assert.Nil(t, top.Links[0].AB.Loss)
	assert.Nil(t, top.Links[0].AB.Jitter)
	assert.Zero(t, top.Links[0].BA.Bandwidth)
}

func TestOverrideRateAndCallCount(t *testing.T) {
	top, err := LoadBuiltin("direct")
	require.NoError(t, err)
	assert.EqualError(t, top.Override("rate", "5"),
		"topology direct has no generated workload to set the rate of (give a number of calls too)")
	require.NoError(t, top.SetCallCount(100))
	g := top.Workload.Generated
	require.NotNil(t, g)
	assert.Equal(t, 100, g.Count)
	assert.Equal(t, float64(DefaultCallRate), g.Rate)
	assert.Equal(t, []string{"alice"}, g.Callers)
	assert.Empty(t, top.Workload.Calls)
	for _, tc := range []struct {
		v    string
		want float64
	}{{"5", 5}, {"2.5/s", 2.5}, {"600/min", 10}} {
		require.NoError(t, top.Override("rate", tc.v))
		assert.Equal(t, tc.want, top.Workload.Generated.Rate, tc.v)
	}
	assert.EqualError(t, top.SetCallCount(0), "0 is not a positive number of calls")
}

func TestOverrideRejectsBadValues(t *testing.T) {
	top, err := LoadBuiltin("direct")
	require.NoError(t, err)
	for _, tc := range []struct{ name, value, want string }{
		{"loss", "1.5", "1.5 is not a probability"},
		{"delay", "-1ms", "-1ms is negative"},
		{"jitter", "x", `"x" is not a duration (want such as 50ms, 1.5s, 2m)`},
		{"transport", "sctp", `"sctp" is not a transport (want udp or tcp)`},
		{"t1", "0s", "0s is not a positive duration"},
		{"colour", "red", `unknown parameter "colour" (want one of loss, delay, jitter, bandwidth, transport, t1, rate)`},
	} {
		assert.EqualError(t, top.Override(tc.name, tc.value), tc.want, tc.name)
	}
	require.NoError(t, top.SetCallCount(3))
	assert.EqualError(t, top.Override("rate", "-2"), `"-2" is not a positive rate (want such as 10, 10/s or 600/min)`)
}
