package sim

import (
	"math"
	"testing"
	"time"
)

func TestSerializationExactToTheNanosecond(t *testing.T) {
	tests := []struct {
		wire int
		bw   int64
		want time.Duration
	}{
		// 1000-byte SIP payload over UDP/IPv4: 1028 bytes = 8224 bits at
		// 1 Mbit/s take exactly 8.224 ms.
		{udpWire(1000), 1_000_000, 8224 * time.Microsecond},
		{1500, 10_000_000, 1200 * time.Microsecond},
		{1500, 1_000_000_000, 12 * time.Microsecond},
		// Rounded up: 8 bits at 3 bit/s take 2.666...67 s.
		{1, 3, 2666666667 * time.Nanosecond},
		// 40-byte pure TCP ACK at 64 kbit/s: 320 bits = 5 ms.
		{tcpWire(0), 64_000, 5 * time.Millisecond},
		{MaxMTU, 1, time.Duration(MaxMTU) * 8 * time.Second},
		{100, 0, 0}, // infinite bandwidth
	}
	for _, tt := range tests {
		got, err := Serialization(tt.wire, tt.bw)
		nwMust(t, err)
		nwEq(t, got, tt.want, "Serialization(", tt.wire, ", ", tt.bw, ")")
	}
	for _, bad := range []struct {
		wire int
		bw   int64
	}{{-1, 1}, {MaxMTU + 1, 1}, {1, -1}, {1, MaxBandwidth + 1}} {
		if _, err := Serialization(bad.wire, bad.bw); err == nil {
			t.Errorf("Serialization(%d, %d): no error", bad.wire, bad.bw)
		}
	}
}

func TestFragmentsPerRFC791(t *testing.T) {
	tests := []struct {
		total, mtu            int
		wantN, wantFull, last int
	}{
		{1500, 1500, 1, 1500, 1500}, // fits exactly
		// 1501 bytes: 1481 data bytes; a 1500 MTU carries 1480 per fragment
		// (a multiple of 8), so 2 fragments: 20+1480 and 20+1.
		{1501, 1500, 2, 1500, 21},
		// 4028 bytes (a 4000-byte UDP payload) over 576: (576-20)&^7 = 552
		// data bytes per fragment, 4008 data bytes -> 8 fragments, the last
		// with 4008-7*552 = 144 bytes.
		{udpWire(4000), 576, 8, 572, 164},
		// A 1000 MTU: 980 data bytes is not a multiple of 8, 976 is.
		{2000, 1000, 3, 996, 1980 - 2*976 + 20},
		// The minimum MTU, 68: 48 data bytes per fragment.
		{200, MinMTU, 4, 68, 180 - 3*48 + 20},
	}
	for _, tt := range tests {
		n, full, last := fragments(tt.total, tt.mtu)
		nwEq(t, [3]int{n, full, last}, [3]int{tt.wantN, tt.wantFull, tt.last}, "fragments(", tt.total, ", ", tt.mtu, ")")
		if n > 1 {
			if (full-IPv4HeaderSize)%8 != 0 {
				t.Errorf("fragments(%d, %d): fragment data %d is not a multiple of 8", tt.total, tt.mtu, full-IPv4HeaderSize)
			}
			if full > tt.mtu || last > tt.mtu {
				t.Errorf("fragments(%d, %d): a fragment exceeds the MTU", tt.total, tt.mtu)
			}
			// The data is carried exactly once.
			nwEq(t, (n-1)*(full-IPv4HeaderSize)+last-IPv4HeaderSize, tt.total-IPv4HeaderSize, "data carried")
		}
	}
}

func TestFragmentedDatagramOverNetwork(t *testing.T) {
	// Each fragment is serialized on its own, with its own header: the
	// datagram arrives when its last fragment does.
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{Delay: nwMs(10), Bandwidth: 1_000_000, MTU: 576})
	tn.send("a", "b", "BIG", 4000, UDP)
	tn.s.Run()
	sends := tn.rec.OfKind(KindSend)
	if !nwEq(t, len(sends), 1, "send events") || !nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		t.FailNow()
	}
	wire := 7*572 + 164
	nwEq(t, sends[0].Frags, 8, "fragments")
	nwEq(t, sends[0].Wire, wire, "bytes on the wire")
	nwEq(t, tn.got["b"][0].at, nwAt(time.Duration(wire*8)*time.Microsecond+nwMs(10)), "arrival")
	nwEq(t, tn.got["b"][0].d.Size, 4000, "delivered size")
}

func TestBandwidthDeliveryTime(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{Delay: nwMs(20), Bandwidth: 1_000_000})
	tn.send("a", "b", "INVITE", 1000, UDP)
	tn.send("a", "b", "INVITE", 1000, UDP) // waits for the first
	tn.s.Run()
	ser := 8224 * time.Microsecond
	if nwEq(t, len(tn.got["b"]), 2, "deliveries") {
		nwEq(t, tn.got["b"][0].at, nwAt(ser+nwMs(20)), "first arrival")
		nwEq(t, tn.got["b"][1].at, nwAt(2*ser+nwMs(20)), "second arrival")
	}
}

func TestQueueTailDropAtComputedIndex(t *testing.T) {
	const payload = 1000
	wire := udpWire(payload)
	tests := []struct {
		name string
		cfg  LinkConfig
		// firstDrop is the 1-based index in a burst of the first datagram
		// dropped: one goes straight to the idle transmitter, then the
		// queue takes what fits.
		firstDrop int
	}{
		{"packets", LinkConfig{QueuePackets: 5}, 1 + 5 + 1},
		{"bytes", LinkConfig{QueueBytes: 5000}, 1 + 5000/wire + 1},
		{"bytes exact fit", LinkConfig{QueueBytes: 3 * wire}, 1 + 3 + 1},
		{"both, packets bind", LinkConfig{QueuePackets: 2, QueueBytes: 100 * wire}, 1 + 2 + 1},
		{"both, bytes bind", LinkConfig{QueuePackets: 50, QueueBytes: 4*wire - 1}, 1 + 3 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tn := nwNew(t, 1, Options{}, "a", "b")
			cfg := tt.cfg
			cfg.Delay, cfg.Bandwidth = nwMs(1), 1_000_000
			tn.link("a", "b", cfg)
			const burst = 20
			for range burst {
				tn.send("a", "b", "M", payload, UDP)
			}
			// Once the queue has drained, the link takes datagrams again.
			tn.s.At(nwAt(time.Second), func() { tn.send("a", "b", "LATE", payload, UDP) })
			tn.s.Run()
			drops := tn.drops()
			nwEq(t, len(drops), burst-(tt.firstDrop-1), "drops")
			if len(drops) > 0 {
				nwEq(t, drops[0].ID, uint64(tt.firstDrop), "first dropped datagram")
				nwEq(t, drops[0].Reason, ReasonQueueOverflow, "reason")
				nwEq(t, drops[0].Hop, Hop{"a", "b"}, "hop")
			}
			got := tn.got["b"]
			if !nwEq(t, len(got), tt.firstDrop, "deliveries") {
				return
			}
			ser := serialization(wire, 1_000_000)
			for i, dl := range got[:len(got)-1] {
				nwEq(t, dl.at, nwAt(time.Duration(i+1)*ser+nwMs(1)), "arrival ", i)
			}
			nwEq(t, got[len(got)-1].d.Label, "LATE", "the late datagram is delivered")
		})
	}
}

func TestQueueFreesAsPacketsStartSerialization(t *testing.T) {
	// A one-packet queue: a datagram arriving when the previous one has
	// just started its serialization finds the queue empty again.
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{Bandwidth: 1_000_000, QueuePackets: 1})
	ser := serialization(udpWire(1000), 1_000_000)
	tn.send("a", "b", "1", 1000, UDP) // transmitter
	tn.send("a", "b", "2", 1000, UDP) // queue
	tn.send("a", "b", "3", 1000, UDP) // dropped
	tn.s.At(nwAt(ser), func() {
		tn.send("a", "b", "4", 1000, UDP) // 2 has just left the queue
		tn.send("a", "b", "5", 1000, UDP) // dropped
	})
	tn.s.Run()
	var labels []string
	for _, e := range tn.drops() {
		labels = append(labels, e.Label)
	}
	nwEq(t, labels, []string{"3", "5"}, "dropped")
}

// nwDirection builds a lone link direction for direct statistical runs.
func nwDirection(t testing.TB, seed uint64, cfg LinkConfig) *direction {
	t.Helper()
	nwMust(t, cfg.Validate())
	s := New(seed)
	a := &Host{name: "a"}
	b := &Host{name: "b"}
	return newDirection(s, a, b, cfg)
}

func TestMTULossProbability(t *testing.T) {
	// A datagram of k fragments survives only if its k fragments do:
	// P(loss) = 1-(1-p)^k.
	const n = 200_000
	const p = 0.02
	for _, payload := range []int{500, 3000, 9000} {
		d := nwDirection(t, 11, LinkConfig{Loss: Bernoulli{P: p}})
		total := udpWire(payload)
		k, _, _ := fragments(total, DefaultMTU)
		lost := 0
		for range n {
			tr := d.send(0, total)
			switch tr.reason {
			case ReasonNone:
			case ReasonMTU:
				if k == 1 {
					t.Fatalf("an unfragmented datagram was lost with reason mtu")
				}
				lost++
			case ReasonLoss:
				if k > 1 {
					t.Fatalf("a fragmented datagram was lost with reason loss")
				}
				lost++
			default:
				t.Fatalf("unexpected reason %v", tr.reason)
			}
			nwEq(t, tr.frags, k, "fragments")
		}
		q := 1 - math.Pow(1-p, float64(k))
		half := nwZ999 * math.Sqrt(q*(1-q)/n)
		nwNear(t, float64(lost)/n, q, half, "loss rate of ", k, " fragments")
	}
}

// nwMoments returns the sample mean and variance of xs.
func nwMoments(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		variance += (x - mean) * (x - mean)
	}
	return mean, variance / float64(len(xs)-1)
}

func TestJitterMeanAndSpread(t *testing.T) {
	// One-way delays over a link with uniform jitter on [0, w) added to a
	// fixed delay: mean delay+w/2, variance w²/12. The sample mean is
	// within z·σ/√n; the sample variance within z·√((μ4-σ⁴)/n), with
	// μ4 = w⁴/80 for the uniform law.
	const n = 20_000
	const w = 0.010 // seconds
	base := nwMs(5)
	type arrival struct {
		id uint64
		at Time
	}
	arrivals := make([]arrival, 0, n)
	sink := SinkFunc(func(e *Event) {
		if e.Kind == KindDeliver {
			arrivals = append(arrivals, arrival{e.ID, e.Time})
		}
	})
	tn := nwNewRec(t, 3, Options{Sink: sink}, false, "a", "b")
	tn.link("a", "b", LinkConfig{Delay: base, Jitter: Uniform{Min: 0, Max: w}})
	sentAt := make([]Time, 0, n)
	var tick func()
	tick = func() {
		sentAt = append(sentAt, tn.s.Now())
		nwMust(t, tn.n.Send(Datagram{Src: tn.ap("a"), Dst: tn.ap("b"), Size: 100}))
		if len(sentAt) < n {
			tn.s.After(time.Millisecond, tick)
		}
	}
	tick()
	tn.s.Run()
	if !nwEq(t, len(arrivals), n, "deliveries") {
		t.FailNow()
	}
	delays := make([]float64, n)
	reordered := 0
	for i, a := range arrivals {
		delays[i] = a.at.Sub(sentAt[a.id-1]).Seconds()
		if i > 0 && a.id < arrivals[i-1].id {
			reordered++
		}
	}
	mean, variance := nwMoments(delays)
	sigma2 := w * w / 12
	mu4 := w * w * w * w / 80
	nwNear(t, mean, base.Seconds()+w/2, nwZ999*math.Sqrt(sigma2/n), "mean delay")
	nwNear(t, variance, sigma2, nwZ999*math.Sqrt((mu4-sigma2*sigma2)/n), "delay variance")
	if reordered == 0 {
		t.Errorf("10 ms of jitter on datagrams 1 ms apart reordered none: jitter is not applied per datagram")
	}
}

func TestJitterFIFOKeepsOrder(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		tn := nwNew(t, 5, Options{}, "a", "b")
		tn.link("a", "b", LinkConfig{Delay: nwMs(50), Jitter: Normal{Mu: 0, Sigma: 0.02}, FIFO: fifo})
		for i := range 500 {
			tn.s.At(Time(i)*Time(time.Millisecond), func() { tn.send("a", "b", "M", 100, UDP) })
		}
		tn.s.Run()
		inversions := 0
		var last Time
		for i, e := range tn.rec.OfKind(KindDeliver) {
			if e.ID != uint64(i+1) {
				inversions++
			}
			if e.Time < last {
				t.Fatalf("deliveries out of time order")
			}
			last = e.Time
		}
		if fifo {
			nwEq(t, inversions, 0, "FIFO reorderings")
		} else if inversions == 0 {
			t.Errorf("without FIFO, 20 ms jitter on datagrams 1 ms apart reordered none")
		}
	}
}

func TestLinkDownWindowsAndInFlightRule(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{Delay: nwMs(100), Down: []Window{{From: nwAt(nwMs(300)), To: nwAt(nwMs(400))}}})
	nwMust(t, tn.n.SetLinkDown("a", "b", nwAt(nwMs(600)), nwAt(nwMs(700))))
	for _, at := range []float64{250, 299, 300, 350, 399, 400, 550, 650, 700} {
		tn.s.At(nwAt(nwMs(at)), func() { tn.send("a", "b", "M", 10, UDP) })
	}
	tn.s.Run()
	var delivered, dropped []Time
	for _, e := range tn.rec.Events {
		switch e.Kind {
		case KindDeliver:
			delivered = append(delivered, e.Time)
		case KindDrop:
			nwEq(t, e.Reason, ReasonLinkDown, "reason")
			nwEq(t, e.Hop, Hop{"a", "b"}, "hop")
			dropped = append(dropped, e.Time)
		}
	}
	// 250 and 299 were on the wire when the link went down at 300: they
	// arrive. 300, 350, 399 and 650 entered a down direction.
	nwEq(t, dropped, []Time{nwAt(nwMs(300)), nwAt(nwMs(350)), nwAt(nwMs(399)), nwAt(nwMs(650))}, "drops")
	nwEq(t, delivered, []Time{nwAt(nwMs(350)), nwAt(nwMs(399)), nwAt(nwMs(500)), nwAt(nwMs(650)), nwAt(nwMs(800))}, "deliveries")
	// The reverse direction has its own windows: none.
	tn.s.At(nwAt(nwMs(1300)), func() { tn.send("b", "a", "R", 10, UDP) })
	nwMust(t, tn.n.SetLinkDown("a", "b", nwAt(nwMs(1200)), nwAt(nwMs(1400))))
	tn.s.Run()
	nwEq(t, len(tn.got["a"]), 1, "reverse deliveries")
}
