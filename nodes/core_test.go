package nodes

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// coreHandler is a Handler made of funcs, for tests of the Core alone.
type coreHandler struct {
	request  func(tx transaction.ID, req *sipstack.Request, src transaction.Destination)
	response func(tx transaction.ID, resp *sipstack.Response)
	failed   func(tx transaction.ID, t transaction.Timer)
}

func (h *coreHandler) Request(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	if h.request != nil {
		h.request(tx, req, src)
	}
}

func (h *coreHandler) Response(tx transaction.ID, resp *sipstack.Response) {
	if h.response != nil {
		h.response(tx, resp)
	}
}

func (h *coreHandler) Failed(tx transaction.ID, t transaction.Timer) {
	if h.failed != nil {
		h.failed(tx, t)
	}
}

// coreNet builds hosts a (10.0.0.1) and b (10.0.0.2) joined by a 10 ms
// link, with a recorder on the trace.
func coreNet(t *testing.T, seed uint64) (*sim.Network, *sim.Recorder) {
	t.Helper()
	rec := &sim.Recorder{}
	n, err := sim.NewNetwork(sim.New(seed), sim.Options{Sink: rec})
	require.NoError(t, err)
	_, err = n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	require.NoError(t, err)
	_, err = n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	require.NoError(t, err)
	require.NoError(t, n.AddSymmetricLink("a", "b", sim.LinkConfig{Delay: 10 * time.Millisecond}))
	return n, rec
}

// coreOptions builds an OPTIONS from core c to bob at b.
func coreOptions(t *testing.T, c *Core) *sipstack.Request {
	t.Helper()
	u, err := uri.Parse("sip:bob@10.0.0.2")
	require.NoError(t, err)
	req := sipstack.NewRequest(sipstack.OPTIONS, u)
	req.Header.PrependVia(c.Via(transaction.UDP))
	req.Header.Add("Max-Forwards", "70")
	req.Header.Add("From", "<sip:alice@10.0.0.1>;tag="+c.IDs().Tag())
	req.Header.Add("To", "<sip:bob@10.0.0.2>")
	req.Header.Add("Call-ID", c.IDs().CallID())
	req.Header.Add("CSeq", "1 OPTIONS")
	return req
}

// wire lists the (time, from, to, label) of every datagram sent.
func wire(rec *sim.Recorder) []string {
	var out []string
	for _, e := range rec.OfKind(sim.KindSend) {
		out = append(out, e.Time.String()+" "+e.Src.Addr().String()+" -> "+e.Dst.Addr().String()+" "+e.Label)
	}
	return out
}

func TestCoreRequestResponse(t *testing.T) {
	n, rec := coreNet(t, 1)
	var got []int
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{
		response: func(_ transaction.ID, r *sipstack.Response) { got = append(got, r.StatusCode) },
	})
	require.NoError(t, err)
	var b *Core
	var from transaction.Destination
	b, err = NewCore(n, Config{Host: "b"}, &coreHandler{
		request: func(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
			from = src
			require.NoError(t, b.Respond(tx, sipstack.NewResponse(req, 200, "")))
		},
	})
	require.NoError(t, err)
	_, err = a.SendRequest(coreOptions(t, a), transaction.Destination{Addr: b.Addr()})
	require.NoError(t, err)
	n.Sim().Run()

	assert.Equal(t, []int{200}, got)
	assert.Equal(t, netip.MustParseAddrPort("10.0.0.1:5060"), from.Addr, "the handler learns the source")
	assert.Equal(t, []string{
		"0.000000000 10.0.0.1 -> 10.0.0.2 OPTIONS",
		"0.010000000 10.0.0.2 -> 10.0.0.1 200/OPTIONS",
	}, wire(rec))
	// Timer K (5 s) and Timer J (32 s) ran out: nothing is left.
	for _, c := range []*Core{a, b} {
		assert.Zero(t, c.Layer().Len(), c.Name())
		assert.Zero(t, c.Pending(), c.Name())
	}
	assert.Equal(t, sim.Time(32*time.Second+10*time.Millisecond), n.Sim().Now(), "Timer J ends the run")
}

func TestCoreTimeoutReachesHandler(t *testing.T) {
	// b never answers: Timer F fires at 64*T1 = 32 s (RFC 3261 17.1.2.2).
	n, rec := coreNet(t, 1)
	var failedAt sim.Time
	var timer transaction.Timer
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{
		failed: func(_ transaction.ID, tm transaction.Timer) { failedAt, timer = n.Sim().Now(), tm },
	})
	require.NoError(t, err)
	b, err := NewCore(n, Config{Host: "b"}, &coreHandler{})
	require.NoError(t, err)
	_, err = a.SendRequest(coreOptions(t, a), transaction.Destination{Addr: b.Addr()})
	require.NoError(t, err)
	n.Sim().Run()
	assert.Equal(t, transaction.TimerF, timer)
	assert.Equal(t, sim.Time(32*time.Second), failedAt)
	assert.Len(t, wire(rec), 11, "sent at 0, 0.5, 1.5, 3.5, 7.5, 11.5, ... 31.5 s")
	assert.Zero(t, a.Layer().Len())
	assert.Zero(t, a.Pending())
}

func TestCoreCrashLosesState(t *testing.T) {
	// b answers, then crashes at 1 s with its server transaction waiting
	// in Completed for Timer J: the crash loses it and its timer, and b
	// sends nothing while down.
	n, _ := coreNet(t, 1)
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{})
	require.NoError(t, err)
	var b *Core
	b, err = NewCore(n, Config{Host: "b"}, &coreHandler{
		request: func(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
			require.NoError(t, b.Respond(tx, sipstack.NewResponse(req, 200, "")))
		},
	})
	require.NoError(t, err)
	require.NoError(t, n.HostDown("b", sim.Time(time.Second), sim.Time(2*time.Second)))
	_, err = a.SendRequest(coreOptions(t, a), transaction.Destination{Addr: b.Addr()})
	require.NoError(t, err)
	n.Sim().RunUntil(sim.Time(1500 * time.Millisecond))
	assert.Zero(t, b.Layer().Len())
	assert.Zero(t, b.Pending())
	assert.ErrorIs(t, b.Respond(1, nil), ErrCrashed)
	n.Sim().Run()
	assert.Zero(t, a.Layer().Len())
}

func TestWireLabel(t *testing.T) {
	n, _ := coreNet(t, 1)
	a, err := NewCore(n, Config{Host: "a"}, &coreHandler{})
	require.NoError(t, err)
	req := coreOptions(t, a)
	resp := sipstack.NewResponse(req, 486, "")
	for _, tt := range []struct {
		data []byte
		want string
	}{
		{req.AppendTo(nil), "OPTIONS"},
		{resp.AppendTo(nil), "486/OPTIONS"},
		{[]byte("SIP/2.0 200 OK\r\n\r\n"), "200"},
		{[]byte(""), ""},
		{[]byte("garbage"), ""},
	} {
		assert.Equal(t, tt.want, wireLabel(tt.data), "wireLabel(%q)", tt.data)
		if m, err := sipstack.ParseMessage(tt.data); err == nil {
			assert.Equal(t, Label(m), wireLabel(tt.data), "Label and wireLabel agree on %q", tt.data)
		}
	}
}

func TestNewCoreErrors(t *testing.T) {
	n, _ := coreNet(t, 1)
	_, err := NewCore(n, Config{Host: "nowhere"}, &coreHandler{})
	assert.ErrorIs(t, err, ErrNoHost)
	_, err = NewCore(n, Config{Host: "a", Timers: transaction.Config{T1: -1}}, &coreHandler{})
	assert.Error(t, err)
}

// TestCoreTransport checks the transport choice of RFC 3261 18.1.1 that
// user agents and proxies share: the configured transport, a non-UDP
// transport named by resolution, and TCP for a request too large for UDP,
// with the top Via rewritten to match.
func TestCoreTransport(t *testing.T) {
	n, _ := coreNet(t, 1)
	big := strings.Repeat("x", 1400)
	for _, tt := range []struct {
		name   string
		policy transaction.Transport
		dest   transaction.Transport
		body   string
		want   transaction.Transport
	}{
		{"default UDP", transaction.UDP, transaction.UDP, "", transaction.UDP},
		{"configured TCP", transaction.TCP, transaction.UDP, "", transaction.TCP},
		{"resolved TCP wins over configured UDP", transaction.UDP, transaction.TCP, "", transaction.TCP},
		{"too large for UDP", transaction.UDP, transaction.UDP, big, transaction.TCP},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCore(n, Config{Host: "a", Transport: transaction.TransportPolicy{Transport: tt.policy}}, &coreHandler{})
			require.NoError(t, err)
			req := coreOptions(t, c)
			if tt.body != "" {
				req.SetBody("text/plain", []byte(tt.body))
			}
			got := c.Transport(req, transaction.Destination{Addr: netip.MustParseAddrPort("10.0.0.2:5060"), Transport: tt.dest})
			assert.Equal(t, tt.want, got.Transport)
			via, err := req.Header.Via()
			require.NoError(t, err)
			assert.Equal(t, tt.want.String(), via.Transport, "the top Via names the transport")
		})
	}
}
