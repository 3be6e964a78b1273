package topologies_test

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/topologies"
)

// rfc3665FlowDir holds the machine-readable ladders of RFC 3665 (its
// README.md gives the format).
const rfc3665FlowDir = "/work/shared/conformance/rfc3665/"

// rfc3665LineRE matches a message line of a ladder: "Fn FROM -> TO LABEL
// ... cseq="N METHOD" ...". It is the part of the nodes package's test
// parser (nodes/ua_test.go, uaFlow) that the sequence needs.
var rfc3665LineRE = regexp.MustCompile(`^F\d+ (\S+) -> (\S+) (\S+).*cseq="\d+ (\w+)"`)

// rfc3665ReadFlow reads a ladder as "from -> to label" lines, with the
// element names in lower case and responses labelled CODE/METHOD, as
// builtinRun.sendLadder writes them.
func rfc3665ReadFlow(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open(rfc3665FlowDir + name)
	if err != nil {
		t.Skipf("conformance ladders not available: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := rfc3665LineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		label := m[3]
		if label[0] >= '0' && label[0] <= '9' {
			label += "/" + m[4]
		}
		out = append(out, strings.ToLower(m[1])+" -> "+strings.ToLower(m[2])+" "+label)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out, name)
	return out
}

// rfc3665Deviate applies to an RFC ladder the deviation documented at the
// top of nodes/rfc3665_test.go: a stateful proxy's INVITE server
// transaction sends its 100 (Trying) the moment the INVITE arrives (RFC
// 3261 17.2.1), before it forwards the INVITE or challenges it with 407.
// Every "proxy -> x 100/INVITE" of the RFC is dropped, and one is put
// right after each "x -> proxy INVITE" where proxy is a stateful proxy
// that is up (a crashed node receives nothing and answers nothing).
func rfc3665Deviate(top *topologies.Topology, rfc []string) []string {
	proxies := map[string]bool{}
	for _, n := range top.Nodes {
		if n.Kind == topologies.KindStatefulProxy {
			proxies[n.Name] = true
		}
	}
	for _, c := range top.Faults.Crashes {
		delete(proxies, c.Node)
	}
	var out []string
	for _, l := range rfc {
		from, rest, _ := strings.Cut(l, " -> ")
		to, label, _ := strings.Cut(rest, " ")
		if label == "100/INVITE" && proxies[from] {
			continue
		}
		out = append(out, l)
		if label == "INVITE" && proxies[to] {
			out = append(out, to+" -> "+from+" 100/INVITE")
		}
	}
	return out
}

// TestRFC3665BuiltinLadders runs every rfc3665-* built-in and compares
// its wire sequence (sender -> receiver, label) with its RFC 3665 ladder,
// after the documented deviation of the proxies' 100 (Trying).
func TestRFC3665BuiltinLadders(t *testing.T) {
	n := 0
	for _, name := range topologies.Builtins() {
		section, ok := strings.CutPrefix(name, "rfc3665-")
		if !ok {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			b := runBuiltin(t, name, 1)
			want := rfc3665Deviate(b.top, rfc3665ReadFlow(t, section+".flow"))
			assert.Equal(t, want, b.sendLadder())
		})
	}
	assert.Equal(t, 9, n, "the RFC 3665 built-ins")
}

// TestRFC3665Registration checks that Bob of rfc3665-2.1 ends registered
// after the 401 challenge.
func TestRFC3665Registration(t *testing.T) {
	b := runBuiltin(t, "rfc3665-2.1", 1)
	assert.True(t, b.run.UAs["bob"].Registration().Registered)
}

// TestRFC3665FailoverSameCall checks that in rfc3665-3.4 Alice fails the
// same INVITE over to Proxy 2 (RFC 3263 4.3): the INVITE to Proxy 2 keeps
// the Call-ID of the seven sent to the dead Proxy 1.
func TestRFC3665FailoverSameCall(t *testing.T) {
	b := runBuiltin(t, "rfc3665-3.4", 1)
	require.Greater(t, len(b.sends), 8)
	for _, r := range b.sends[1:8] {
		assert.Equal(t, b.sends[0].CallID, r.CallID, "%s -> %s %s", r.From, r.To, r.Label)
	}
}

// TestRFC3665DelayedOffer checks the SDP of rfc3665-3.6: Alice's INVITEs
// carry no offer, Bob offers in his 200 and Alice answers in her ACK.
func TestRFC3665DelayedOffer(t *testing.T) {
	top, err := topologies.LoadBuiltin("rfc3665-3.6")
	require.NoError(t, err)
	rec := &sim.Recorder{}
	run, err := topologies.Build(top, 1, rec)
	require.NoError(t, err)
	run.PlaceCalls()
	run.Sim.Run()
	sdp := map[string]bool{}
	for _, e := range rec.OfKind(sim.KindSend) {
		m, err := sipstack.ParseMessage(e.Payload)
		require.NoError(t, err)
		key := run.Net.HostByAddr(e.Src.Addr()).Name() + " " + e.Label
		sdp[key] = sdp[key] || m.Headers().ContentType() == "application/sdp"
	}
	assert.Equal(t, map[string]bool{
		"alice INVITE": false, "alice ACK": true, "proxy3 INVITE": false, "proxy3 ACK": true,
		"bob 200/INVITE": true, "proxy3 200/INVITE": true, "redirect 302/INVITE": false,
		"proxy3 180/INVITE": false, "bob 180/INVITE": false, "proxy3 100/INVITE": false,
		"bob BYE": false, "proxy3 BYE": false, "alice 200/BYE": false, "proxy3 200/BYE": false,
	}, sdp)
}
