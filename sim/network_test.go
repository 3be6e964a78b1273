package sim

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

// Test helpers of the network files carry the prefix nw so that they never
// collide with the helpers of the scheduler's tests in the same package.
//
// The module's go.sum lacks the dependencies of testify's assert package
// (go-spew, go-difflib, yaml), so these tests use small helpers of their own.

// nwZ999 is the two-sided 99.9% quantile of the standard normal law.
const nwZ999 = 3.2905267314919255

// nwMust stops the test on a non-nil error.
func nwMust(t testing.TB, err error, what ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprint(what...), err)
	}
}

// nwEq reports got != want (deep equality) and returns whether they were
// equal.
func nwEq[T any](t testing.TB, got, want T, what ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", fmt.Sprint(what...), got, want)
		return false
	}
	return true
}

// nwNear reports |got-want| > tol.
func nwNear(t testing.TB, got, want, tol float64, what ...any) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %v, want %v ± %v", fmt.Sprint(what...), got, want, tol)
	}
}

// nwDelivery is one datagram handed to a host's receiver.
type nwDelivery struct {
	at Time
	d  Datagram
}

// nwNet is a network under test: hosts named as given, with addresses
// 10.0.0.1, 10.0.0.2, ... in that order, each recording its deliveries.
type nwNet struct {
	t    testing.TB
	s    *Simulator
	n    *Network
	rec  *Recorder
	got  map[string][]nwDelivery
	addr map[string]netip.Addr
}

func nwNew(t testing.TB, seed uint64, opts Options, hosts ...string) *nwNet {
	t.Helper()
	return nwNewRec(t, seed, opts, true, hosts...)
}

// nwNewRec is nwNew where record false keeps no trace in tn.rec (for long
// statistical runs, which count what they need in opts.Sink).
func nwNewRec(t testing.TB, seed uint64, opts Options, record bool, hosts ...string) *nwNet {
	t.Helper()
	s := New(seed)
	rec := &Recorder{}
	switch {
	case !record:
	case opts.Sink == nil:
		opts.Sink = rec
	default:
		opts.Sink = Tee(opts.Sink, rec)
	}
	n, err := NewNetwork(s, opts)
	nwMust(t, err)
	tn := &nwNet{t: t, s: s, n: n, rec: rec, got: map[string][]nwDelivery{}, addr: map[string]netip.Addr{}}
	for i, name := range hosts {
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
		h, err := n.AddHost(name, a)
		nwMust(t, err)
		tn.addr[name] = a
		h.SetReceiver(ReceiverFunc(func(d Datagram) {
			tn.got[name] = append(tn.got[name], nwDelivery{at: s.Now(), d: d})
		}))
	}
	return tn
}

func (tn *nwNet) link(a, b string, c LinkConfig) {
	tn.t.Helper()
	nwMust(tn.t, tn.n.AddSymmetricLink(a, b, c), "link ", a, "-", b)
}

// ap returns host's SIP socket address.
func (tn *nwNet) ap(host string) netip.AddrPort { return netip.AddrPortFrom(tn.addr[host], 5060) }

func (tn *nwNet) send(from, to, label string, size int, tr Transport) {
	tn.t.Helper()
	nwMust(tn.t, tn.n.Send(Datagram{Src: tn.ap(from), Dst: tn.ap(to), Size: size, Label: label, Transport: tr}), "send")
}

func (tn *nwNet) drops() []Event { return tn.rec.OfKind(KindDrop) }

func nwMs(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func nwAt(d time.Duration) Time { return Time(0).Add(d) }

func nwKinds(evs []Event) []Kind {
	out := make([]Kind, len(evs))
	for i := range evs {
		out[i] = evs[i].Kind
	}
	return out
}

func nwErr[T any](_ T, err error) error { return err }

func TestRouteShortestByDelayWithTieBreaks(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b", "c", "d", "x", "y", "z", "lone")
	for _, l := range []struct {
		a, b  string
		delay time.Duration
	}{
		{"a", "b", nwMs(10)}, {"b", "d", nwMs(10)}, // a-b-d: 20 ms
		{"a", "c", nwMs(5)}, {"c", "d", nwMs(20)}, // a-c-d: 25 ms
		{"a", "y", nwMs(7)}, {"y", "z", nwMs(7)}, // a-y-z: 14 ms
		{"a", "x", nwMs(7)}, {"x", "z", nwMs(7)}, // a-x-z: 14 ms, x < y
		{"z", "d", nwMs(6)}, // a-x-z-d: 20 ms, but 3 hops
	} {
		tn.link(l.a, l.b, LinkConfig{Delay: l.delay})
	}
	tests := []struct {
		src, dst string
		want     []Hop
		ok       bool
	}{
		{"a", "b", []Hop{{"a", "b"}}, true},
		// Equal delay (20 ms) through b and through x, z: fewer hops wins.
		{"a", "d", []Hop{{"a", "b"}, {"b", "d"}}, true},
		// Equal delay and hops through x and through y: names decide.
		{"a", "z", []Hop{{"a", "x"}, {"x", "z"}}, true},
		{"z", "a", []Hop{{"z", "x"}, {"x", "a"}}, true},
		{"c", "b", []Hop{{"c", "a"}, {"a", "b"}}, true},
		{"a", "a", []Hop{}, true},
		{"a", "lone", nil, false},
		{"a", "nosuch", nil, false},
	}
	for _, tt := range tests {
		got, ok := tn.n.Route(tt.src, tt.dst)
		nwEq(t, ok, tt.ok, "Route(", tt.src, ", ", tt.dst, ") ok")
		if tt.ok {
			nwEq(t, got, tt.want, "Route(", tt.src, ", ", tt.dst, ")")
		}
	}
}

func TestRouteUsesEachDirectionsDelay(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b", "c")
	nwMust(t, tn.n.AddLink("a", "b", LinkConfig{Delay: nwMs(1)}, LinkConfig{Delay: nwMs(50)}))
	tn.link("b", "c", LinkConfig{Delay: nwMs(1)})
	tn.link("a", "c", LinkConfig{Delay: nwMs(10)})
	got, _ := tn.n.Route("a", "c")
	nwEq(t, got, []Hop{{"a", "b"}, {"b", "c"}}, "a->c uses the fast a->b direction")
	got, _ = tn.n.Route("c", "a")
	nwEq(t, got, []Hop{{"c", "a"}}, "c->a avoids the slow b->a direction")
}

func TestRouteCacheInvalidatedByTopologyChanges(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b", "c")
	tn.link("a", "b", LinkConfig{Delay: nwMs(10)})
	tn.link("b", "c", LinkConfig{Delay: nwMs(10)})
	got, ok := tn.n.Route("a", "c")
	nwEq(t, ok, true, "route a->c")
	nwEq(t, len(got), 2, "hops a->c")

	tn.link("a", "c", LinkConfig{Delay: nwMs(5)})
	got, _ = tn.n.Route("a", "c")
	nwEq(t, got, []Hop{{"a", "c"}}, "a new shorter link is used")

	nwMust(t, tn.n.RemoveLink("c", "a"))
	got, _ = tn.n.Route("a", "c")
	nwEq(t, got, []Hop{{"a", "b"}, {"b", "c"}}, "after removal the old path is back")

	nwMust(t, tn.n.RemoveLink("a", "b"))
	_, ok = tn.n.Route("a", "c")
	nwEq(t, ok, false, "route after the cut")
	nwEq(t, tn.n.RemoveLink("a", "b") != nil, true, "a removed link cannot be removed again")

	_, err := tn.n.AddHost("d", netip.MustParseAddr("10.0.0.9"))
	nwMust(t, err)
	tn.link("d", "a", LinkConfig{})
	got, _ = tn.n.Route("a", "d")
	nwEq(t, got, []Hop{{"a", "d"}}, "route to a new host")
}

func TestMultiHopDelayIsSumOfHops(t *testing.T) {
	// Every hop serializes the whole datagram (store and forward), then
	// propagates it.
	tn := nwNew(t, 1, Options{}, "a", "r", "b")
	tn.link("a", "r", LinkConfig{Delay: nwMs(10), Bandwidth: 1_000_000})
	tn.link("r", "b", LinkConfig{Delay: nwMs(20), Bandwidth: 2_000_000})
	tn.send("a", "b", "INVITE", 1000, UDP)
	tn.s.Run()
	if !nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		t.FailNow()
	}
	ser1 := time.Duration(1028*8) * time.Microsecond     // 1028 bytes at 1 Mbit/s
	ser2 := time.Duration(1028*8) * time.Microsecond / 2 // at 2 Mbit/s
	nwEq(t, tn.got["b"][0].at, nwAt(ser1+nwMs(10)+ser2+nwMs(20)), "delivery time")
	nwEq(t, len(tn.got["r"]), 0, "an intermediate host forwards, it does not receive")
	del := tn.rec.OfKind(KindDeliver)
	if nwEq(t, len(del), 1, "deliver events") {
		nwEq(t, del[0].Hop, Hop{"r", "b"}, "deliver hop")
	}
}

func TestMultiHopEachHopAppliesItsLoss(t *testing.T) {
	const n = 100_000
	p1, p2 := 0.1, 0.2
	var hop1, hop2 int
	count := SinkFunc(func(e *Event) {
		if e.Kind != KindDrop {
			return
		}
		switch {
		case e.Reason != ReasonLoss:
			t.Errorf("drop reason %v, want loss", e.Reason)
		case e.Hop == Hop{"a", "r"}:
			hop1++
		case e.Hop == Hop{"r", "b"}:
			hop2++
		default:
			t.Errorf("drop on unexpected hop %v", e.Hop)
		}
	})
	tn := nwNewRec(t, 7, Options{Sink: count}, false, "a", "r", "b")
	tn.link("a", "r", LinkConfig{Delay: nwMs(1), Loss: Bernoulli{P: p1}})
	tn.link("r", "b", LinkConfig{Delay: nwMs(1), Loss: Bernoulli{P: p2}})
	var tick func()
	sent := 0
	tick = func() {
		tn.send("a", "b", "M", 100, UDP)
		if sent++; sent < n {
			tn.s.After(time.Millisecond, tick)
		}
	}
	tick()
	tn.s.Run()
	// hop1 ~ Binomial(n, p1); given n1 survivors, hop2 ~ Binomial(n1, p2).
	within := func(name string, k, trials int, p float64) {
		mean := float64(trials) * p
		sd := math.Sqrt(float64(trials) * p * (1 - p))
		nwNear(t, float64(k), mean, nwZ999*sd, name, " losses")
	}
	within("first hop", hop1, n, p1)
	within("second hop", hop2, n-hop1, p2)
	nwEq(t, len(tn.got["b"]), n-hop1-hop2, "deliveries")
}

func TestNoRouteAndIntermediateCrash(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "r", "b", "lone")
	tn.link("a", "r", LinkConfig{Delay: nwMs(10)})
	tn.link("r", "b", LinkConfig{Delay: nwMs(10)})
	// To an address of no host, and to a host without a path.
	nwMust(t, tn.n.Send(Datagram{Src: tn.ap("a"), Dst: netip.MustParseAddrPort("192.0.2.1:5060"), Label: "X"}))
	tn.send("a", "lone", "Y", 10, UDP)
	tn.send("a", "lone", "Z", 10, TCP)
	// r crashes while the datagram crosses a->r.
	tn.send("a", "b", "W", 10, UDP)
	nwMust(t, tn.n.CrashHostAt("r", nwAt(5*time.Millisecond)))
	tn.s.Run()
	drops := tn.drops()
	if !nwEq(t, len(drops), 4, "drops") {
		t.FailNow()
	}
	for i, want := range []struct {
		label  string
		reason Reason
		hop    Hop
		at     Time
	}{
		{"X", ReasonNoRoute, Hop{}, 0},
		{"Y", ReasonNoRoute, Hop{}, 0},
		{"Z", ReasonNoRoute, Hop{}, 0},
		{"W", ReasonHostDown, Hop{"a", "r"}, nwAt(10 * time.Millisecond)},
	} {
		nwEq(t, drops[i].Label, want.label, "label of drop ", i)
		nwEq(t, drops[i].Reason, want.reason, "reason of drop of ", want.label)
		nwEq(t, drops[i].Hop, want.hop, "hop of drop of ", want.label)
		nwEq(t, drops[i].Time, want.at, "time of drop of ", want.label)
	}
	nwEq(t, len(tn.got["b"]), 0, "deliveries to b")
}

func TestSendToOwnHost(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a")
	tn.s.At(Time(time.Second), func() { tn.send("a", "a", "SELF", 10, UDP) })
	tn.s.Run()
	if nwEq(t, len(tn.got["a"]), 1, "deliveries") {
		nwEq(t, tn.got["a"][0].at, Time(time.Second), "delivery time")
	}
	nwEq(t, nwKinds(tn.rec.Events), []Kind{KindSend, KindDeliver}, "trace")
}

func TestSendRejectsMalformedDatagrams(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{})
	a, b := tn.ap("a"), tn.ap("b")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:5060")
	tests := []struct {
		name string
		d    Datagram
		want error
	}{
		{"zero source", Datagram{Dst: b}, ErrBadAddress},
		{"IPv6 destination", Datagram{Src: a, Dst: v6}, ErrBadAddress},
		{"unknown source", Datagram{Src: netip.MustParseAddrPort("10.9.9.9:5060"), Dst: b}, ErrUnknownSource},
		{"negative size", Datagram{Src: a, Dst: b, Size: -1}, ErrBadSize},
		{"size below payload", Datagram{Src: a, Dst: b, Payload: make([]byte, 10), Size: 5}, ErrBadSize},
		{"UDP too large", Datagram{Src: a, Dst: b, Size: MaxUDPPayload + 1}, ErrBadSize},
		{"empty TCP message", Datagram{Src: a, Dst: b, Transport: TCP}, ErrBadSize},
		{"TCP message too large", Datagram{Src: a, Dst: b, Size: MaxStreamMessage + 1, Transport: TCP}, ErrBadSize},
		{"unknown transport", Datagram{Src: a, Dst: b, Transport: 7}, ErrBadTransport},
	}
	for _, tt := range tests {
		err := tn.n.Send(tt.d)
		if !errors.Is(err, tt.want) {
			t.Errorf("Send(%s) = %v, want %v", tt.name, err, tt.want)
		}
	}
	nwEq(t, len(tn.rec.Events), 0, "a rejected datagram leaves no trace")
	nwMust(t, tn.n.Send(Datagram{Src: a, Dst: b, Size: MaxUDPPayload}), "the largest UDP payload")
}

func TestTopologyErrors(t *testing.T) {
	n, err := NewNetwork(New(1), Options{})
	nwMust(t, err)
	_, err = n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	nwMust(t, err)
	_, err = n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	nwMust(t, err)
	tests := []struct {
		name string
		err  error
	}{
		{"empty name", nwErr(n.AddHost("", netip.MustParseAddr("10.0.0.3")))},
		{"IPv6 address", nwErr(n.AddHost("c", netip.MustParseAddr("2001:db8::1")))},
		{"duplicate name", nwErr(n.AddHost("a", netip.MustParseAddr("10.0.0.3")))},
		{"duplicate address", nwErr(n.AddHost("c", netip.MustParseAddr("10.0.0.1")))},
		{"unknown host", n.AddSymmetricLink("a", "zz", LinkConfig{})},
		{"self link", n.AddSymmetricLink("a", "a", LinkConfig{})},
		{"negative delay", n.AddSymmetricLink("a", "b", LinkConfig{Delay: -1})},
		{"bad loss", n.AddSymmetricLink("a", "b", LinkConfig{Loss: Bernoulli{P: 1.5}})},
		{"loss without process", n.AddSymmetricLink("a", "b", LinkConfig{Loss: nwNoProcess{}})},
		{"small MTU", n.AddSymmetricLink("a", "b", LinkConfig{MTU: MinMTU - 1})},
		{"big MTU", n.AddSymmetricLink("a", "b", LinkConfig{MTU: MaxMTU + 1})},
		{"negative bandwidth", n.AddSymmetricLink("a", "b", LinkConfig{Bandwidth: -5})},
		{"huge bandwidth", n.AddSymmetricLink("a", "b", LinkConfig{Bandwidth: MaxBandwidth + 1})},
		{"queue packets", n.AddSymmetricLink("a", "b", LinkConfig{QueuePackets: -1})},
		{"queue bytes", n.AddSymmetricLink("a", "b", LinkConfig{QueueBytes: -1})},
		{"empty down window", n.AddSymmetricLink("a", "b", LinkConfig{Down: []Window{{From: 5, To: 5}}})},
		{"bad TCP config", nwErr(NewNetwork(New(1), Options{TCP: TCPConfig{MaxRetries: -1}}))},
		{"TCP min above max", nwErr(NewNetwork(New(1), Options{TCP: TCPConfig{MinRTO: time.Minute, MaxRTO: time.Second}}))},
		{"nil simulator", nwErr(NewNetwork(nil, Options{}))},
		{"link down unknown", n.SetLinkDown("a", "b", 0, 1)},
		{"crash unknown", n.CrashHostAt("zz", 0)},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	nwMust(t, n.AddSymmetricLink("a", "b", LinkConfig{}))
	nwEq(t, n.AddSymmetricLink("b", "a", LinkConfig{}) != nil, true, "already linked is an error")
	nwEq(t, n.SetLinkDown("a", "b", 10, 5) != nil, true, "an inverted window is an error")
	hs := n.Hosts()
	nwEq(t, []string{hs[0].Name(), hs[1].Name()}, []string{"a", "b"}, "Hosts()")
}

// nwDeterminismRun runs a small multi-host topology with loss, jitter,
// bandwidth, queues, fragmentation, a TCP flow and a crash, and returns the
// hash of its whole trace and the number of events.
func nwDeterminismRun(t *testing.T, seed uint64) ([32]byte, uint64) {
	h := NewHashSink()
	tn := nwNew(t, seed, Options{Sink: h, TCP: TCPConfig{Handshake: true}}, "ua1", "p1", "p2", "ua2")
	lossy := LinkConfig{
		Delay: nwMs(5), Jitter: Uniform{Min: 0, Max: 0.004}, Loss: Bernoulli{P: 0.1},
		Bandwidth: 2_000_000, QueuePackets: 8, MTU: 1000,
	}
	ge, err := NewGilbertElliottFromRate(0.05, 3)
	nwMust(t, err)
	bursty := LinkConfig{Delay: nwMs(20), Jitter: Normal{Mu: 0.002, Sigma: 0.001}, FIFO: true, Loss: ge, Bandwidth: 10_000_000}
	tn.link("ua1", "p1", lossy)
	tn.link("p1", "p2", bursty)
	tn.link("p2", "ua2", lossy)
	payload := make([]byte, 1500)
	for i := range payload {
		payload[i] = byte(i)
	}
	for i := range 200 {
		at := Time(i) * Time(10*time.Millisecond)
		tn.s.At(at, func() {
			nwMust(t, tn.n.Send(Datagram{Src: tn.ap("ua1"), Dst: tn.ap("ua2"), Payload: payload[:100+i*7], Label: "INVITE"}))
			nwMust(t, tn.n.Send(Datagram{Src: tn.ap("ua2"), Dst: tn.ap("ua1"), Payload: payload[:300+i], Label: "200/INVITE", Transport: TCP}))
		})
	}
	nwMust(t, tn.n.HostDown("p2", nwAt(1500*time.Millisecond), nwAt(1700*time.Millisecond)))
	tn.s.Run()
	kinds := map[Kind]int{}
	for _, e := range tn.rec.Events {
		kinds[e.Kind]++
	}
	for _, k := range []Kind{KindSend, KindWrite, KindArrive, KindDeliver, KindDrop, KindHostDown, KindHostUp} {
		if kinds[k] == 0 {
			t.Errorf("the determinism run has no %v event: it does not exercise enough", k)
		}
	}
	return h.Sum(), h.Count()
}

func TestDeterminismSameSeedSameTrace(t *testing.T) {
	h1, n1 := nwDeterminismRun(t, 42)
	h2, n2 := nwDeterminismRun(t, 42)
	nwEq(t, n1 > 1000, true, "the run produces a substantial trace (", n1, " events)")
	nwEq(t, n2, n1, "event count of the second run")
	nwEq(t, h2, h1, "the same seed must give the same trace hash")
	h3, _ := nwDeterminismRun(t, 43)
	nwEq(t, h3 != h1, true, "a different seed must give a different trace hash")
}

// TestConservationUnderRandomScenarios checks, over random topologies,
// link models and faults, that every datagram and every TCP message ends
// exactly once: delivered or dropped, never both, never twice, never
// forgotten, and that no timer outlives the traffic.
func TestConservationUnderRandomScenarios(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		r := NewStream(seed, "scenario")
		names := []string{"h0", "h1", "h2", "h3", "h4", "h5"}
		ends := map[uint64]int{}
		ids := map[uint64]Transport{}
		var outcomes [2][2]int // [transport][delivered, dropped]
		count := SinkFunc(func(e *Event) {
			switch {
			case e.Kind == KindDeliver:
				ends[e.ID]++
				outcomes[e.Transport][0]++
			case e.Kind == KindDrop && (e.Transport == UDP || e.Seg.Flags == 0):
				// A UDP datagram, or a TCP message (segments carry flags).
				ends[e.ID]++
				outcomes[e.Transport][1]++
			}
		})
		tcp := TCPConfig{Handshake: seed%2 == 0, MaxRetries: 4, MaxSYNRetries: 3}
		tn := nwNewRec(t, seed, Options{Sink: count, TCP: tcp}, false, names...)
		for i := 1; i < len(names); i++ {
			// A random tree plus a few chords.
			peers := []int{r.IntN(i)}
			if i > 2 && r.IntN(2) == 0 {
				peers = append(peers, r.IntN(i))
			}
			for _, j := range peers {
				if tn.n.direction(names[i], names[j]) != nil {
					continue
				}
				cfg := LinkConfig{
					Delay:        time.Duration(1+r.IntN(30)) * time.Millisecond,
					Jitter:       Exponential{Mu: 0.002 * r.Float64()},
					FIFO:         r.IntN(2) == 0,
					Loss:         Bernoulli{P: 0.2 * r.Float64()},
					Bandwidth:    int64(100_000 + r.IntN(10_000_000)),
					QueuePackets: r.IntN(20),
					QueueBytes:   r.IntN(40_000),
					MTU:          []int{0, 576, 1000, 9000}[r.IntN(4)],
					Down:         []Window{{From: nwAt(time.Duration(r.IntN(3000)) * time.Millisecond), To: nwAt(time.Duration(3000+r.IntN(1000)) * time.Millisecond)}},
				}
				if r.IntN(3) == 0 {
					ge, err := NewGilbertElliottFromRate(0.1*r.Float64(), 1+4*r.Float64())
					nwMust(t, err)
					cfg.Loss = ge
				}
				tn.link(names[i], names[j], cfg)
			}
		}
		nwMust(t, tn.n.HostDown(names[r.IntN(len(names))], nwAt(nwMs(800)), nwAt(nwMs(1900))))
		tn.n.AddDropFilter(DropFirst(3, func(p *Packet) bool { return p.Label == "ACK" }))
		for i := range 400 {
			src, dst := names[r.IntN(len(names))], names[r.IntN(len(names))]
			tr := Transport(r.IntN(2))
			size := 1 + r.IntN(6000)
			label := []string{"INVITE", "ACK", "BYE"}[r.IntN(3)]
			tn.s.At(nwAt(time.Duration(i)*10*time.Millisecond), func() {
				nwMust(t, tn.n.Send(Datagram{Src: tn.ap(src), Dst: tn.ap(dst), Size: size, Label: label, Transport: tr}))
				ids[tn.n.nextID] = tr
			})
		}
		tn.s.Run()
		nwEq(t, len(ids), 400, "sent (seed ", seed, ")")
		for id, tr := range ids {
			if ends[id] != 1 {
				t.Errorf("seed %d: %v datagram %d ended %d times", seed, tr, id, ends[id])
			}
		}
		nwEq(t, tn.s.Pending(), 0, "events left (seed ", seed, ")")
		// The scenario must exercise both outcomes of both transports.
		for tr := range 2 {
			for outcome := range 2 {
				if outcomes[tr][outcome] == 0 {
					t.Errorf("seed %d: no %v datagram was %s", seed, Transport(tr), []string{"delivered", "dropped"}[outcome])
				}
			}
		}
	}
}

func TestAddingALinkDoesNotChangeOtherLinksDraws(t *testing.T) {
	// Each direction draws from streams named after it, so traffic on a-b
	// is the same with or without the c-d link and its traffic.
	run := func(extra bool) []Time {
		tn := nwNew(t, 9, Options{}, "a", "b", "c", "d")
		lossy := LinkConfig{Delay: nwMs(10), Jitter: Exponential{Mu: 0.005}, Loss: Bernoulli{P: 0.3}}
		if extra {
			tn.link("c", "d", lossy)
		}
		tn.link("a", "b", lossy)
		for i := range 200 {
			tn.s.At(Time(i)*Time(time.Millisecond), func() {
				if extra {
					tn.send("c", "d", "OTHER", 100, UDP)
				}
				tn.send("a", "b", "M", 100, UDP)
			})
		}
		tn.s.Run()
		var at []Time
		for _, d := range tn.got["b"] {
			at = append(at, d.at)
		}
		return at
	}
	alone, with := run(false), run(true)
	nwEq(t, len(alone) > 100 && len(alone) < 200, true, "some but not all datagrams lost (", len(alone), ")")
	nwEq(t, with, alone, "a-b deliveries with another link present")
}

// nwNoProcess is a broken user loss model.
type nwNoProcess struct{ Bernoulli }

func (nwNoProcess) NewProcess() LossProcess { return nil }
