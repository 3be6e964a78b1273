package topologies

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoNodes is a valid topology of a UA and a proxy, which the tests below
// break one way each.
const twoNodes = `name: two
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
links:
  - between: [alice, proxy]
    delay: 5ms
`

// parseErrors parses src as "t.yaml" and returns its error lines.
func parseErrors(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse("t.yaml", []byte(src))
	if err == nil {
		return nil
	}
	var es Errors
	require.True(t, errors.As(err, &es), "Parse returns Errors, got %T", err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, len(es))
	return lines
}

func TestValidTopology(t *testing.T) {
	top, err := Parse("t.yaml", []byte(twoNodes))
	require.NoError(t, err)
	assert.Len(t, top.Nodes, 2)
	assert.Equal(t, uint16(5060), top.Nodes[0].Config.Port)
	assert.Equal(t, "alice", top.Nodes[0].Config.Host)
}

func TestValidationErrors(t *testing.T) {
	for _, tt := range []struct {
		class string
		src   string
		want  []string
	}{
		{"yaml syntax", "name: x\nnodes: [\n", []string{
			"t.yaml:2: YAML syntax: did not find expected node content"}},
		{"empty file", "", []string{
			"t.yaml:1: the file is empty: want a mapping with name, nodes and links"}},
		{"unknown top-level key", twoNodes + "colour: blue\n", []string{
			"t.yaml:16: colour: unknown field (want one of: name, description, defaults, tcp, nodes, links, dns, locations, workload, faults)"}},
		{"unknown node key", strings.Replace(twoNodes, "    aor:", "    aro: x\n    aor:", 1), []string{
			"t.yaml:6: nodes[0].aro: unknown field (want one of: name, kind, address, port, domain, timers, transport, path-mtu, aor, display-name, contact-user, outbound-proxy, preload-route, answer, credentials, register, call, max-redirects)"}},
		{"field of another kind", strings.Replace(twoNodes, "    aor:", "    record-route: true\n    aor:", 1), []string{
			"t.yaml:6: nodes[0].record-route: not a field of a ua node (it is one of: stateful-proxy)"}},
		{"unknown link key", twoNodes + "    latency: 5ms\n", []string{
			"t.yaml:16: links[0].latency: unknown field (want one of: between, forward, reverse, delay, jitter, fifo, loss, bandwidth, queue, mtu, down)"}},
		{"duplicate key", twoNodes + "    delay: 6ms\n", []string{
			"t.yaml:16: links[0].delay: duplicate key"}},
		{"bad kind", strings.Replace(twoNodes, "kind: stateful-proxy", "kind: b2bua", 1), []string{
			`t.yaml:9: nodes[1].kind: "b2bua" is not a kind of node (want one of: ua, stateful-proxy, stateless-proxy, redirect, registrar)`}},
		{"missing field", strings.Replace(twoNodes, "    aor: sip:alice@a.com\n", "", 1), []string{
			"t.yaml:3: nodes[0].aor: is missing: a ua needs its address of record"}},
		{"duplicate name", strings.Replace(twoNodes, "name: proxy", "name: alice", 1), []string{
			`t.yaml:8: nodes[1].name: duplicate node name "alice" (first at line 3)`,
			// the link then names alice twice and the proxy nowhere
			`t.yaml:14: links[0].between: undefined node "proxy"`}},
		{"duplicate address", strings.Replace(twoNodes, "10.0.0.2\n    domains", "10.0.0.1\n    domains", 1), []string{
			"t.yaml:7: nodes[0].outbound-proxy: 10.0.0.2 is not the address of any node",
			"t.yaml:10: nodes[1].address: duplicate address 10.0.0.1 (node alice, line 3)"}},
		{"bad IPv4", strings.Replace(twoNodes, "10.0.0.1", "10.0.0.256", 1), []string{
			`t.yaml:5: nodes[0].address: "10.0.0.256" is not an IPv4 address`}},
		{"IPv6 address", strings.Replace(twoNodes, "10.0.0.1", "::1", 1), []string{
			`t.yaml:5: nodes[0].address: "::1" is not an IPv4 address`}},
		{"port 0", strings.Replace(twoNodes, "    aor:", "    port: 0\n    aor:", 1), []string{
			"t.yaml:6: nodes[0].port: 0 is not in [1, 65535]"}},
		{"negative delay", strings.Replace(twoNodes, "delay: 5ms", "delay: -5ms", 1), []string{
			"t.yaml:15: links[0].delay: -5ms is negative"}},
		{"delay without unit", strings.Replace(twoNodes, "delay: 5ms", "delay: 5", 1), []string{
			`t.yaml:15: links[0].delay: "5" has no unit (want a duration such as 50ms, 1.5s, 2m)`}},
		{"loss above 1", twoNodes + "    loss: 1.5\n", []string{
			"t.yaml:16: links[0].loss: 1.5 is not a probability"}},
		{"burst loss unreachable", twoNodes + "    loss: {rate: 90%, mean-burst: 1}\n", []string{
			"t.yaml:16: links[0].loss: gilbert-elliott loss rate 0.9 is unreachable with mean burst 1 (at most 0.5)"}},
		{"bad bandwidth", twoNodes + "    bandwidth: 2Mbps\n", []string{
			`t.yaml:16: links[0].bandwidth: "2Mbps" is not a bandwidth (want such as 64kbit/s, 2Mbit/s, 1Gbit/s)`}},
		{"bad jitter", twoNodes + "    jitter: uniform 2ms 1ms\n", []string{
			`t.yaml:16: links[0].jitter: "uniform 2ms 1ms": minimum 2ms is above maximum 1ms`}},
		{"mtu too small", twoNodes + "    mtu: 60B\n", []string{
			"t.yaml:16: links[0].mtu: 60B is not in [68B, 65535B]"}},
		{"empty down window", twoNodes + "    down: [{from: 2s, to: 1s}]\n", []string{
			"t.yaml:16: links[0].down[0].to: 1s is not after from 2s"}},
		{"undefined link node", twoNodes + "  - between: [proxy, bob]\n", []string{
			`t.yaml:16: links[1].between: undefined node "bob"`}},
		{"self link", twoNodes + "  - between: [proxy, proxy]\n", []string{
			"t.yaml:16: links[1].between: a link joins two different nodes, not proxy to itself"}},
		{"duplicate link", twoNodes + "  - between: [proxy, alice]\n", []string{
			"t.yaml:16: links[1].between: duplicate link between proxy and alice"}},
		{"undefined route host", strings.Replace(twoNodes, "    location: a.com\n", "    routes: {b.com: sip:b.com}\n", 1), []string{
			`t.yaml:12: nodes[1].routes.b.com: host "b.com" is neither a node, a node's address nor a dns domain`}},
		{"undefined dns server", twoNodes + "dns:\n  domains:\n    a.com: [{node: proxy9}]\n", []string{
			`t.yaml:18: dns.domains.a.com[0].node: undefined node "proxy9"`}},
		{"undefined caller", twoNodes + "workload:\n  calls:\n    - {caller: bob, to: sip:x@a.com}\n", []string{
			`t.yaml:18: workload.calls[0].caller: undefined node "bob"`}},
		{"caller not a ua", twoNodes + "workload:\n  calls:\n    - {caller: proxy, to: sip:x@a.com}\n", []string{
			`t.yaml:18: workload.calls[0].caller: node "proxy" is a stateful-proxy, not a ua`}},
		{"generated workload", twoNodes + "workload:\n  generated: {rate: 0/s, callers: [alice], callees: [sip:x@a.com]}\n", []string{
			"t.yaml:17: workload.generated.rate: 0/s is not a positive rate",
			"t.yaml:17: workload.generated: needs a count or a duration, or it never ends"}},
		{"undefined fault node", twoNodes + "faults:\n  - crash: {node: bob, at: 1s, recover: 2s}\n", []string{
			`t.yaml:17: faults[0].crash.node: undefined node "bob"`}},
		{"fault window", twoNodes + "  - between: [proxy, carol]\n" +
			"faults:\n  - link-down: {link: [alice, proxy], from: 2s, to: 1s}\n", []string{
			`t.yaml:16: links[1].between: undefined node "carol"`,
			"t.yaml:18: faults[0].link-down.to: 1s is not after from 2s"}},
		{"fault on no link", strings.Replace(twoNodes, "links:", "  - {name: carol, kind: ua, address: 10.0.0.3, aor: sip:carol@a.com}\nlinks:", 1) +
			"faults:\n  - drop: {link: [alice, carol]}\n", []string{
			"t.yaml:18: faults[0].drop.link: no link between alice and carol"}},
		{"unknown fault", twoNodes + "faults:\n  - explode: {node: alice}\n", []string{
			"t.yaml:17: faults[0].explode: unknown fault (want one of: drop, crash, link-down)"}},
		{"drop status", twoNodes + "faults:\n  - drop: {status: 99, link: [alice, proxy]}\n", []string{
			"t.yaml:17: faults[0].drop.status: 99 is not in [100, 699]"}},
		{"unreachable", strings.Replace(twoNodes, "links:\n  - between: [alice, proxy]\n    delay: 5ms\n", "links: []\n", 1), []string{
			"t.yaml:7: nodes[0].outbound-proxy: alice has no link path to proxy (10.0.0.2)"}},
		{"unreachable callee", strings.Replace(twoNodes, "links:", "  - {name: bob, kind: ua, address: 10.0.0.3, aor: sip:bob@a.com}\nlinks:", 1) +
			"workload:\n  calls:\n    - caller: bob\n      to: sip:alice@10.0.0.1\n", []string{
			"t.yaml:20: workload.calls[0].to: bob has no link path to alice (10.0.0.1)"}},
		{"unreachable location contact", twoNodes + "  - between: [bob, carol]\n" +
			"locations:\n  - {aor: sip:bob@a.com, bindings: [sip:bob@10.0.0.3]}\n", []string{
			`t.yaml:16: links[1].between: undefined node "bob"`,
			`t.yaml:16: links[1].between: undefined node "carol"`,
			"t.yaml:18: locations[0].bindings[0]: 10.0.0.3 is not the address of any node"}},
		{"duplicate aor", twoNodes + "locations:\n  - {aor: sip:alice@a.com, bindings: [sip:alice@10.0.0.1]}\n  - {aor: sip:alice@A.com, bindings: []}\n", []string{
			"t.yaml:18: locations[1].aor: duplicate address of record sip:alice@A.com (first at line 17)"}},
		{"answer probabilities", strings.Replace(twoNodes, "    aor:", "    answer: {busy: 60%, decline: 0.5}\n    aor:", 1), []string{
			"t.yaml:6: nodes[0].answer: busy, decline, unavailable and no-answer sum to 1.1, above 1"}},
		{"timers", strings.Replace(twoNodes, "    aor:", "    timers: {t1: 5s, t2: 1s}\n    aor:", 1), []string{
			"t.yaml:6: nodes[0].timers.t2: T2 1s is below T1 5s (RFC 3261 17.1.2.2)"}},
		{"not a list", "name: x\nnodes: {alice: 1}\n", []string{
			`t.yaml:2: nodes: want a list, not a mapping`}},
	} {
		t.Run(tt.class, func(t *testing.T) {
			assert.Equal(t, tt.want, parseErrors(t, tt.src))
		})
	}
}

// TestAllErrorsSortedByLine checks that every error is reported, not just
// the first, in line order.
func TestAllErrorsSortedByLine(t *testing.T) {
	src := `name: many
links:
  - between: [a, b]
    loss: 2
nodes:
  - name: a
    kind: ua
    address: 10.0.0.300
    aor: sip:a@x.com
    port: 0
`
	assert.Equal(t, []string{
		`many.yaml:3: links[0].between: undefined node "b"`,
		"many.yaml:4: links[0].loss: 2 is not a probability",
		`many.yaml:8: nodes[0].address: "10.0.0.300" is not an IPv4 address`,
		"many.yaml:10: nodes[0].port: 0 is not in [1, 65535]",
	}, strings.Split(mustErr(t, "many.yaml", src), "\n"))
}

func mustErr(t *testing.T, file, src string) string {
	t.Helper()
	_, err := Parse(file, []byte(src))
	require.Error(t, err)
	return err.Error()
}

func TestErrorFormat(t *testing.T) {
	e := Error{File: "here-there.yaml", Line: 14, Field: "links[2].loss", Msg: "1.5 is not a probability"}
	assert.Equal(t, "here-there.yaml:14: links[2].loss: 1.5 is not a probability", e.Error())
	assert.Equal(t, "f.yaml: empty", Error{File: "f.yaml", Msg: "empty"}.Error())
}
