package analysis_test

import (
	"bytes"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// anSeedColumns is the column order of the reference scenario's ladder:
// the caller's side on the left, the callee's on the right.
var anSeedColumns = []string{"user1", "proxy1", "redirect", "stateless", "proxy2", "user2"}

// anSeedWorld is the reference scenario of nodes/seed_test.go (whose
// construction is copied here, since it lives in package nodes' tests):
// user1@here.com calls sip:user2@here.com through stateful proxy 1; a
// redirect server answers 302; proxy 1 ACKs it and tries
// sip:user2@there.com through a stateless proxy to stateful proxy 2, which
// reaches user2. Both stateful proxies record-route. Its sink is a
// TraceWriter to trace.
type anSeedWorld struct {
	net   *sim.Network
	trace bytes.Buffer
	tw    *analysis.TraceWriter
	user1 *nodes.UserAgent
	names analysis.Names
}

func anSeedURI(t *testing.T, s string) uri.URI {
	t.Helper()
	u, err := uri.Parse(s)
	require.NoError(t, err)
	return u
}

func anNewSeedWorld(t *testing.T, seed uint64, loss float64) *anSeedWorld {
	t.Helper()
	return anBuildSeed(t, anSeedSpec{seed: seed, loss: loss})
}

// anSeedSpec varies the reference scenario.
type anSeedSpec struct {
	seed uint64
	loss float64 // loss probability of every link
	// tcp makes every element send its requests over TCP (RFC 3261
	// 18.1.1); responses follow their requests.
	tcp bool
	// extra makes another sink beside the TraceWriter from the
	// scenario's names (nil for none).
	extra func(analysis.Names) sim.Sink
}

// anBuildSeed builds the reference scenario as spec says.
func anBuildSeed(t *testing.T, spec anSeedSpec) *anSeedWorld {
	t.Helper()
	seed, loss, extra := spec.seed, spec.loss, spec.extra
	var policy transaction.TransportPolicy
	if spec.tcp {
		policy.Transport = transaction.TCP
	}
	w := &anSeedWorld{names: analysis.Names{}}
	hosts := []struct{ name, addr string }{
		{"user1", "10.0.1.1"}, {"proxy1", "10.0.1.2"}, {"redirect", "10.0.1.3"},
		{"stateless", "10.0.3.1"}, {"proxy2", "10.0.2.2"}, {"user2", "10.0.2.1"},
	}
	for _, h := range hosts {
		w.names[netip.MustParseAddr(h.addr)] = h.name
	}
	w.tw = analysis.NewTraceWriter(&w.trace, w.names)
	var err error
	var sink sim.Sink = w.tw
	if extra != nil {
		sink = sim.Tee(w.tw, extra(w.names))
	}
	w.net, err = sim.NewNetwork(sim.New(seed), sim.Options{Sink: sink})
	require.NoError(t, err)
	for _, h := range hosts {
		_, err := w.net.AddHost(h.name, netip.MustParseAddr(h.addr))
		require.NoError(t, err)
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

	_, err = nodes.NewRedirectServer(w.net, nodes.Config{Transport: policy, Host: "redirect", Domain: "here.com"}, nodes.RedirectOptions{
		Static: map[string][]nodes.RedirectTarget{"sip:user2@here.com": {{Contact: "sip:user2@there.com"}}},
	})
	require.NoError(t, err)
	_, err = nodes.NewStatefulProxy(w.net, nodes.Config{Transport: policy, Host: "proxy1", Domain: "here.com"}, nodes.ProxyOptions{
		Domains:     []string{"here.com"},
		Routes:      map[string]uri.URI{"here.com": anSeedURI(t, "sip:10.0.1.3"), "there.com": anSeedURI(t, "sip:10.0.3.1")},
		RecordRoute: true,
		Recurse3xx:  true,
	})
	require.NoError(t, err)
	_, err = nodes.NewStatelessProxy(w.net, nodes.Config{Transport: policy, Host: "stateless"}, nodes.StatelessOptions{
		Routes: map[string]string{"there.com": "sip:10.0.2.2"},
	})
	require.NoError(t, err)
	there := nodes.NewLocationService()
	there.Add(anSeedURI(t, "sip:user2@there.com"), nodes.Binding{Contact: anSeedURI(t, "sip:user2@10.0.2.1"), Q: 1000, Expires: sim.MaxTime})
	_, err = nodes.NewStatefulProxy(w.net, nodes.Config{Transport: policy, Host: "proxy2", Domain: "there.com"}, nodes.ProxyOptions{
		Domains: []string{"there.com"}, Location: there, RecordRoute: true,
	})
	require.NoError(t, err)
	_, err = nodes.NewUserAgent(w.net, nodes.Config{Transport: policy, Host: "user2", Domain: "there.com"}, nodes.UAOptions{
		AOR:    anSeedURI(t, "sip:user2@there.com"),
		Answer: nodes.AnswerOptions{RingTime: sim.Constant{V: 2}},
	})
	require.NoError(t, err)
	w.user1, err = nodes.NewUserAgent(w.net, nodes.Config{Transport: policy, Host: "user1", Domain: "here.com"}, nodes.UAOptions{
		AOR:           anSeedURI(t, "sip:user1@here.com"),
		OutboundProxy: anSeedURI(t, "sip:10.0.1.2"),
		Call:          nodes.CallOptions{HoldTime: sim.Constant{V: 5}},
	})
	require.NoError(t, err)
	return w
}

// anRunSeed runs the reference call and returns the JSON-lines trace and
// the call.
func anRunSeed(t *testing.T, seed uint64, loss float64) ([]byte, *nodes.Call) {
	t.Helper()
	w := anNewSeedWorld(t, seed, loss)
	call, err := w.user1.Call(anSeedURI(t, "sip:user2@here.com"), nodes.CallOptions{})
	require.NoError(t, err)
	w.net.Sim().Run()
	require.NoError(t, w.tw.Err())
	return w.trace.Bytes(), call
}

// anLadderText draws the ladder of a JSON-lines trace, read back from its
// bytes as a saved trace would be.
func anLadderText(t *testing.T, trace []byte, opts analysis.LadderOptions) []byte {
	t.Helper()
	recs, err := analysis.ReadRecords(bytes.NewReader(trace))
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, analysis.NewLadder(recs, opts).WriteText(&out))
	return out.Bytes()
}

// anGolden compares got with testdata/name, or rewrites it with -update.
func anGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./analysis -update to create it")
	assert.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test ./analysis -update and review the diff", path)
}
