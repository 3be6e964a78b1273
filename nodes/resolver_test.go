package nodes

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// rsZone builds hosts a, b, c (10.0.9.1-3) and a zone whose there.com has
// the given servers, with a 10 s TTL.
func rsZone(t *testing.T, servers ...Server) (*sim.Network, *Zone) {
	t.Helper()
	n, _ := rtNet(t, 1, "a", "b", "c")
	z := NewZone(n, 10*time.Second)
	if len(servers) > 0 {
		require.NoError(t, z.Add("there.com", servers...))
	}
	return n, z
}

// rsAddrs lists the addresses of targets.
func rsAddrs(ts []Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Addr.String()+"/"+t.Transport.String())
	}
	return out
}

// TestResolveDirect: a numeric host, a host with an explicit port, a host
// name, and maddr are used as they are, at no cost (RFC 3263 4.1, 4.2;
// RFC 3261 19.1.1 for maddr and transport).
func TestResolveDirect(t *testing.T) {
	_, z := rsZone(t, Server{Host: "c"})
	r := NewResolver(z, 30*time.Millisecond)
	tests := []struct {
		uri  string
		want string
	}{
		{"sip:bob@10.0.0.9", "10.0.0.9:5060/UDP"},
		{"sip:bob@10.0.0.9:5070;transport=tcp", "10.0.0.9:5070/TCP"},
		{"sip:bob@b:5070", "10.0.9.2:5070/UDP"},
		{"sip:b", "10.0.9.2:5060/UDP"},
		{"sip:bob@there.com;maddr=10.0.9.1", "10.0.9.1:5060/UDP"},
		{"sip:bob@there.com;maddr=a;transport=tcp", "10.0.9.1:5060/TCP"},
	}
	for _, tt := range tests {
		ts, delay, err := r.Resolve(rtMustURI(t, tt.uri), 0, nil)
		require.NoError(t, err, tt.uri)
		assert.Equal(t, []string{tt.want}, rsAddrs(ts), "Resolve(%q)", tt.uri)
		assert.Zero(t, delay, "Resolve(%q) costs nothing", tt.uri)
	}
}

// TestResolveSRVPriorityAndTransport: servers come in priority order
// (lower first, RFC 2782), with their ports; a transport parameter
// overrides the servers' transport.
func TestResolveSRVPriorityAndTransport(t *testing.T) {
	_, z := rsZone(t,
		Server{Host: "a", Priority: 20, Weight: 100},
		Server{Host: "b", Priority: 10, Weight: 1, Port: 5080},
		Server{Host: "c", Priority: 30, Transport: transaction.TCP},
	)
	r := NewResolver(z, 0)
	ts, _, err := r.Resolve(rtMustURI(t, "sip:bob@there.com"), 0, sim.NewStream(1, "rs"))
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.9.2:5080/UDP", "10.0.9.1:5060/UDP", "10.0.9.3:5060/TCP"}, rsAddrs(ts))

	ts, _, err = r.Resolve(rtMustURI(t, "sip:bob@there.com;transport=tcp"), 0, sim.NewStream(1, "rs"))
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.9.2:5080/TCP", "10.0.9.1:5060/TCP", "10.0.9.3:5060/TCP"}, rsAddrs(ts))
}

// TestResolveSRVWeights: within a priority the first server is drawn as
// RFC 2782 says: a uniform number in [0, sum] against running sums with
// zero weights first. For weights 1 and 3 the first is drawn with
// probability 2/5 (not 1/4); for weights 0 and 10 the zero-weight one
// with probability 1/11.
func TestResolveSRVWeights(t *testing.T) {
	const draws = 20000
	tests := []struct {
		w1, w2 uint16
		want   float64 // probability that the first server comes first
	}{
		{1, 3, 2.0 / 5},
		{3, 1, 4.0 / 5},
		{0, 10, 1.0 / 11},
		{10, 0, 10.0 / 11},
		{1, 1, 2.0 / 3},
	}
	for _, tt := range tests {
		_, z := rsZone(t, Server{Host: "a", Priority: 1, Weight: tt.w1}, Server{Host: "b", Priority: 1, Weight: tt.w2})
		r := NewResolver(z, 0)
		rng := sim.NewStream(7, "weights")
		first := 0
		for range draws {
			ts, _, err := r.Resolve(rtMustURI(t, "sip:there.com"), 0, rng)
			require.NoError(t, err)
			require.Len(t, ts, 2)
			if ts[0].Addr.Addr() == netip.MustParseAddr("10.0.9.1") {
				first++
			}
		}
		assert.InDelta(t, tt.want, float64(first)/draws, 0.015, "weights %d, %d", tt.w1, tt.w2)
	}
}

// TestResolveSRVDeterministic: the same stream state gives the same order,
// and a nil stream always the first of each priority (what a stateless
// proxy needs, RFC 3261 16.11).
func TestResolveSRVDeterministic(t *testing.T) {
	_, z := rsZone(t, Server{Host: "a", Weight: 5}, Server{Host: "b", Weight: 5}, Server{Host: "c", Weight: 5})
	r := NewResolver(z, 0)
	var runs [2][]string
	for i := range runs {
		rng := sim.NewStream(3, "same")
		for range 20 {
			ts, _, err := r.Resolve(rtMustURI(t, "sip:there.com"), 0, rng)
			require.NoError(t, err)
			runs[i] = append(runs[i], rsAddrs(ts)...)
		}
	}
	assert.Equal(t, runs[0], runs[1])
	ts, _, err := r.Resolve(rtMustURI(t, "sip:there.com"), 0, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.9.1:5060/UDP", "10.0.9.2:5060/UDP", "10.0.9.3:5060/UDP"}, rsAddrs(ts))
}

// TestResolveCacheAndDelay: a lookup costs the delay, a cached answer
// nothing until the TTL runs out; a failed lookup costs the delay too and
// is not cached.
func TestResolveCacheAndDelay(t *testing.T) {
	_, z := rsZone(t, Server{Host: "a"})
	r := NewResolver(z, 30*time.Millisecond)
	u := rtMustURI(t, "sip:bob@there.com")
	at := func(d time.Duration) time.Duration {
		_, delay, err := r.Resolve(u, sim.Time(d), nil)
		require.NoError(t, err)
		return delay
	}
	assert.Equal(t, 30*time.Millisecond, at(0))
	assert.Zero(t, at(time.Second))
	assert.Zero(t, at(10*time.Second), "cached until 10.03 s")
	assert.Equal(t, 30*time.Millisecond, at(10030*time.Millisecond), "expired")

	for range 2 {
		_, delay, err := r.Resolve(rtMustURI(t, "sip:bob@nowhere.com"), 0, nil)
		assert.ErrorIs(t, err, ErrNoServers)
		assert.Equal(t, 30*time.Millisecond, delay)
	}
}

// TestResolveExplicitPortOnDomain: RFC 3263 4.2: "If the TARGET was not a
// numeric IP address, but a port is present in the URI, the client
// performs an A or AAAA record lookup of the domain name" — no SRV.
func TestResolveExplicitPortOnDomain(t *testing.T) {
	_, z := rsZone(t, Server{Host: "a", Port: 5080})
	r := NewResolver(z, 0)
	ts, _, err := r.Resolve(rtMustURI(t, "sip:bob@there.com:5070"), 0, nil)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	assert.Equal(t, uint16(5070), ts[0].Addr.Port(), "the URI's port, not the SRV record's 5080")
}

// TestZoneAddUnknownHost: servers must be hosts of the network.
func TestZoneAddUnknownHost(t *testing.T) {
	_, z := rsZone(t)
	assert.ErrorIs(t, z.Add("there.com", Server{Host: "nowhere"}), ErrNoHost)
}
