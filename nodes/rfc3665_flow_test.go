package nodes

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// This file holds the harness of the RFC 3665 end-to-end tests: a reader
// of the machine-readable ladders of /work/shared/conformance/rfc3665
// (README.md there gives the format), a network whose hosts carry the
// RFC's element names, and a comparer of what was sent on the wire with
// the ladder, message by message and attribute by attribute.

// rfcFlowDir holds the ladders.
const rfcFlowDir = "/work/shared/conformance/rfc3665/"

// rfcMsg is one message of a ladder: "Fn FROM -> TO LABEL | attributes".
// Label is the method of a request and "CODE/METHOD" of a response, as
// [Label] and the trace write it.
type rfcMsg struct {
	ID, From, To, Label string
	Attr                map[string]string
}

// String returns "from -> to label" in lower case names, as the wire
// ladder of rfcNet writes it.
func (m rfcMsg) String() string {
	return strings.ToLower(m.From) + " -> " + strings.ToLower(m.To) + " " + m.Label
}

var (
	rfcLineRE = regexp.MustCompile(`^(F\d+) (\S+) -> (\S+) (\S+)[^|]*\|(.*)$`)
	rfcAttrRE = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)
)

// rfcReadFlow reads a ladder. Comment lines (rfc-comment, hop, hop-by-hop,
// rfc-text-quirk) are skipped: the per-message attributes already say what
// the hops change.
func rfcReadFlow(t *testing.T, name string) []rfcMsg {
	t.Helper()
	f, err := os.Open(rfcFlowDir + name)
	if err != nil {
		t.Skipf("conformance ladders not available: %v", err)
	}
	defer f.Close()
	var out []rfcMsg
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := rfcLineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		msg := rfcMsg{ID: m[1], From: m[2], To: m[3], Label: m[4], Attr: map[string]string{}}
		for _, a := range rfcAttrRE.FindAllStringSubmatch(m[5], -1) {
			msg.Attr[a[1]] = strings.Trim(a[2], `"`)
		}
		if msg.Label[0] >= '0' && msg.Label[0] <= '9' {
			cs := strings.Fields(msg.Attr["cseq"])
			require.Len(t, cs, 2, "%s %s: cseq", name, msg.ID)
			msg.Label += "/" + cs[1]
		}
		out = append(out, msg)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out, name)
	return out
}

// rfcHost is a host of an RFC 3665 topology: the element's name in the
// ladders, lower-cased (alice, bob, proxy1, proxy2, proxy3, redirect), its
// address, and the host names the RFC's messages give it
// (client.atlanta.example.com, ss1.atlanta.example.com, ...).
type rfcHost struct {
	name  string
	addr  string
	names []string
}

// The hosts of every RFC 3665 topology. Bob's second device (bob2) is not
// the RFC's: it is the second fork of TestRFC3665ForkTwo2xxRaceCancel.
var rfcHosts = []rfcHost{
	{"alice", "10.0.0.1", []string{"client.atlanta.example.com"}},
	{"bob", "10.0.0.2", []string{"client.biloxi.example.com", "client.chicago.example.com"}},
	{"bob2", "10.0.0.3", nil},
	{"proxy1", "10.0.0.11", []string{"ss1.atlanta.example.com"}},
	{"proxy2", "10.0.0.12", []string{"ss2.biloxi.example.com"}},
	{"proxy3", "10.0.0.13", []string{"ss3.chicago.example.com"}},
	{"redirect", "10.0.0.14", []string{"redirect.biloxi.example.com"}},
}

// rfcNet is a network of the hosts of rfcHosts, each pair joined by a
// 10 ms link that loses a share loss of the datagrams each way, with a
// recorder on the trace and an empty zone that each flow fills.
type rfcNet struct {
	net   *sim.Network
	rec   *sim.Recorder
	zone  *Zone
	names map[netip.Addr]string
	// rfc turns the host names of the RFC's messages into ours: a
	// sent-by host:5060 or a URI host becomes address:5060.
	rfc *strings.Replacer
}

func newRFCNet(t *testing.T, seed uint64, loss float64) *rfcNet {
	t.Helper()
	rn := &rfcNet{rec: &sim.Recorder{}, names: map[netip.Addr]string{}}
	var err error
	rn.net, err = sim.NewNetwork(sim.New(seed), sim.Options{Sink: rn.rec})
	require.NoError(t, err)
	var pairs []string
	for _, h := range rfcHosts {
		a := netip.MustParseAddr(h.addr)
		_, err := rn.net.AddHost(h.name, a)
		require.NoError(t, err)
		rn.names[a] = h.name
		for _, n := range h.names {
			pairs = append(pairs, n+":5060", h.addr+":5060", n, h.addr+":5060")
		}
	}
	rn.rfc = strings.NewReplacer(pairs...)
	link := sim.LinkConfig{Delay: 10 * time.Millisecond}
	if loss > 0 {
		link.Loss = sim.Bernoulli{P: loss}
	}
	for i, a := range rfcHosts {
		for _, b := range rfcHosts[i+1:] {
			require.NoError(t, rn.net.AddSymmetricLink(a.name, b.name, link))
		}
	}
	rn.zone = NewZone(rn.net, 0)
	return rn
}

// contact returns sip:user@address:5060 of host, the Contact of a UA
// there (RFC 3665's sip:bob@client.biloxi.example.com).
func (rn *rfcNet) contact(t *testing.T, user, host string) uri.URI {
	t.Helper()
	return uaURI(t, "sip:"+user+"@"+rn.net.Host(host).Addr().String()+":5060")
}

// notesOf lists the labels of the annotations of host.
func (rn *rfcNet) notesOf(host string) []string {
	var out []string
	for _, e := range rn.rec.OfKind(sim.KindAnnotation) {
		if e.Host == host {
			out = append(out, e.Label)
		}
	}
	return out
}

// rfcWire is one datagram sent: its ladder line and the message parsed.
type rfcWire struct {
	line    string
	msg     sipstack.Message
	payload []byte
}

// wire lists every datagram sent, parsed, in order.
func (rn *rfcNet) wire(t *testing.T) []rfcWire {
	t.Helper()
	var out []rfcWire
	for _, e := range rn.rec.OfKind(sim.KindSend) {
		m, err := sipstack.ParseMessage(e.Payload)
		require.NoError(t, err)
		out = append(out, rfcWire{rn.names[e.Src.Addr()] + " -> " + rn.names[e.Dst.Addr()] + " " + e.Label, m, e.Payload})
	}
	return out
}

// lines returns the ladder lines of w.
func rfcLines(w []rfcWire) []string {
	out := make([]string, len(w))
	for i, x := range w {
		out[i] = x.line
	}
	return out
}

// rfcExpect says how our elements' ladder relates to the RFC's.
type rfcExpect struct {
	// Order is the expected sequence: ladder IDs ("F3"), and lines of
	// ours that the RFC does not show ("+proxy1 -> alice 100/INVITE"),
	// whose attributes are not compared. Nil means every message of the
	// ladder in its order.
	Order []string
	// Fix overrides attributes of the ladder (by message ID), each with
	// the reason in a comment where it is set: a defect of the RFC text,
	// or a documented difference of our elements.
	Fix map[string]map[string]string
	// Skip lists attributes not compared at all, with the reason where it
	// is set.
	Skip []string
}

// rfcCompare checks that got is exactly the ladder flow as exp edits it:
// the same sequence of "from -> to label", and for each message of the
// ladder the attributes it gives: Request-URI, CSeq, the number of Via
// values and the sent-by of the top one, Max-Forwards, Route,
// Record-Route, the presence of a To tag and of authentication headers,
// a retransmission (same_as) being the same bytes as the message it
// repeats, and Call-IDs that are the same where the RFC's are. Tags,
// branches and Call-IDs are ours: only their presence and equality are
// compared.
func rfcCompare(t *testing.T, rn *rfcNet, flow []rfcMsg, exp rfcExpect, got []rfcWire) {
	t.Helper()
	byID := map[string]rfcMsg{}
	for _, m := range flow {
		byID[m.ID] = m
	}
	order := exp.Order
	if order == nil {
		for _, m := range flow {
			order = append(order, m.ID)
		}
	}
	var want []string
	for _, id := range order {
		if strings.HasPrefix(id, "+") {
			want = append(want, id[1:])
			continue
		}
		m, ok := byID[id]
		require.True(t, ok, "no %s in the ladder", id)
		want = append(want, m.String())
	}
	require.Equal(t, want, rfcLines(got), "the ladder")

	index := map[string]int{} // ladder ID -> position in got
	callIDs := map[string]string{}
	for i, id := range order {
		if strings.HasPrefix(id, "+") {
			continue
		}
		index[id] = i
		m := byID[id]
		attr := map[string]string{}
		for k, v := range m.Attr {
			attr[k] = v
		}
		for k, v := range exp.Fix[id] {
			attr[k] = v
		}
		what := fmt.Sprintf("%s %s", id, m)
		rfcCheckMessage(t, rn, what, attr, exp.Skip, got[i].msg)
		if c, ok := attr["callid"]; ok {
			ours := got[i].msg.Headers().CallID()
			if prev, seen := callIDs[c]; seen {
				assert.Equal(t, prev, ours, "%s: Call-ID as in the RFC's earlier messages", what)
			}
			callIDs[c] = ours
		}
		if k, ok := attr["same_as"]; ok {
			j, seen := index[k]
			if assert.True(t, seen, "%s: same as %s, not seen", what, k) {
				assert.Equal(t, string(got[j].payload), string(got[i].payload), "%s: a retransmission of %s", what, k)
			}
		}
	}
}

// rfcCheckMessage compares the attributes attr of a ladder message with
// ours.
func rfcCheckMessage(t *testing.T, rn *rfcNet, what string, attr map[string]string, skip []string, m sipstack.Message) {
	t.Helper()
	for _, k := range skip {
		delete(attr, k)
	}
	h := m.Headers()
	if v, ok := attr["ruri"]; ok {
		req, isReq := m.(*sipstack.Request)
		if assert.True(t, isReq, what) {
			assert.Equal(t, rn.rfc.Replace(v), req.RequestURI.String(), "%s: Request-URI", what)
		}
	}
	if v, ok := attr["cseq"]; ok {
		cs, err := h.CSeq()
		require.NoError(t, err, what)
		assert.Equal(t, v, cs.String(), "%s: CSeq", what)
	}
	vias, err := h.Vias()
	require.NoError(t, err, what)
	if v, ok := attr["via"]; ok {
		assert.Equal(t, v, strconv.Itoa(len(vias)), "%s: Via count", what)
	}
	if v, ok := attr["top"]; ok && len(vias) > 0 {
		sentBy, _, _ := strings.Cut(v, ";")
		assert.Equal(t, rn.rfc.Replace(sentBy), vias[0].Host+":"+strconv.Itoa(vias[0].Port), "%s: top Via sent-by", what)
	}
	if v, ok := attr["mf"]; ok {
		mf, present := h.MaxForwards()
		got := "-"
		if present {
			got = strconv.Itoa(mf)
		}
		assert.Equal(t, v, got, "%s: Max-Forwards", what)
	}
	if v, ok := attr["route"]; ok {
		rs, err := h.Routes()
		require.NoError(t, err, what)
		assert.Equal(t, rn.rfc.Replace(v), rfcAddrList(rs), "%s: Route", what)
	}
	if v, ok := attr["rr"]; ok {
		rs, err := h.RecordRoutes()
		require.NoError(t, err, what)
		assert.Equal(t, rn.rfc.Replace(v), rfcAddrList(rs), "%s: Record-Route", what)
	}
	if v, ok := attr["to_tag"]; ok {
		to, err := h.To()
		require.NoError(t, err, what)
		assert.Equal(t, v != "-", to.Tag() != "", "%s: To tag present (RFC %q, ours %q)", what, v, to.Tag())
	}
	// Authentication headers: present where the RFC shows them, absent
	// elsewhere.
	if slices.Contains(skip, "auth") {
		return
	}
	auth := strings.Split(attr["auth"], ",")
	for _, name := range []string{"Proxy-Authorization", "Proxy-Authenticate", "Authorization", "WWW-Authenticate"} {
		assert.Equal(t, slices.Contains(auth, name), h.Has(name), "%s: %s present", what, name)
	}
}

// rfcAddrList writes Route or Record-Route values as the ladders do:
// "<uri>,<uri>", or "-" for none.
func rfcAddrList(as []sipstack.Address) string {
	if len(as) == 0 {
		return "-"
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = "<" + a.URI.String() + ">"
	}
	return strings.Join(parts, ",")
}

// TestRFC3665FlowReader: the reader gives every message of a ladder with
// its attributes, as the README describes them.
func TestRFC3665FlowReader(t *testing.T) {
	flow := rfcReadFlow(t, "3.4.flow")
	require.Len(t, flow, 23)
	f9 := flow[8]
	assert.Equal(t, "F9", f9.ID)
	assert.Equal(t, "proxy2 -> alice 407/INVITE", f9.String())
	assert.Equal(t, "1 INVITE", f9.Attr["cseq"])
	assert.Equal(t, "Proxy-Authenticate", f9.Attr["auth"])
	assert.Equal(t, "F1", flow[1].Attr["same_as"])
	assert.Equal(t, "<sip:ss2.biloxi.example.com;lr>", flow[11].Attr["rr"])
	assert.Equal(t, "-", flow[11].Attr["route"])
	assert.Equal(t, "69", flow[11].Attr["mf"])
	rn := newRFCNet(t, 1, 0)
	assert.Equal(t, "sip:bob@10.0.0.2:5060", rn.rfc.Replace(flow[11].Attr["ruri"]))
	assert.Equal(t, "10.0.0.12:5060;branch=z9hG4bK721e4.1", rn.rfc.Replace(flow[11].Attr["top"]))
	assert.Equal(t, "<sip:10.0.0.12:5060;lr>", rn.rfc.Replace(flow[11].Attr["rr"]))
}
