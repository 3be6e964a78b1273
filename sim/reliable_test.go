package sim

import (
	"bytes"
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// nwPayload returns n bytes that identify message i.
func nwPayload(i, n int) []byte {
	b := make([]byte, n)
	copy(b, fmt.Sprintf("msg-%06d:", i))
	for j := 11; j < n; j++ {
		b[j] = byte(i + j)
	}
	return b
}

// nwTCPPair returns a network of a and b joined by a link of one-way delay
// 50 ms with cfg applied to both directions.
func nwTCPPair(t *testing.T, tcp TCPConfig, cfg LinkConfig) *nwNet {
	tn := nwNew(t, 1, Options{TCP: tcp}, "a", "b")
	cfg.Delay = nwMs(50)
	tn.link("a", "b", cfg)
	return tn
}

func (tn *nwNet) sendTCP(from, to, label string, payload []byte) {
	tn.t.Helper()
	nwMust(tn.t, tn.n.Send(Datagram{Src: tn.ap(from), Dst: tn.ap(to), Payload: payload, Label: label, Transport: TCP}))
}

func TestTCPExactlyOnceInOrderUnder30PercentLoss(t *testing.T) {
	// The retry bounds are raised well above the default so that a
	// connection never gives up (at 30% loss each way a round trip fails
	// with probability 0.51, so 16 failures in a row are rare but not
	// negligible over hundreds of segments and several seeds).
	for _, run := range []struct {
		seed      uint64
		handshake bool
	}{{1, false}, {2, false}, {3, true}, {4, true}} {
		handshake := run.handshake
		tcp := TCPConfig{Handshake: handshake, MaxRetries: 40, MaxSYNRetries: 40}
		tn := nwNew(t, run.seed, Options{TCP: tcp}, "a", "r", "b")
		// 30% loss each way on a-r; r-b is lossless but has a smaller MTU
		// (so the MSS is 960) and queues.
		lossy := LinkConfig{Delay: nwMs(10), Loss: Bernoulli{P: 0.3}, Bandwidth: 10_000_000, Jitter: Uniform{Max: 0.005}}
		tn.link("a", "r", lossy)
		tn.link("r", "b", LinkConfig{Delay: nwMs(10), MTU: 1000, Bandwidth: 2_000_000})
		var wantB, wantA [][]byte
		for i := range 120 {
			size := 200 + (i*397)%4500 // many messages span several segments
			p := nwPayload(i, size)
			wantB = append(wantB, p)
			tn.s.At(Time(i)*Time(20*time.Millisecond), func() { tn.sendTCP("a", "b", "REQ", p) })
			if i%2 == 0 {
				q := nwPayload(1000+i, 300+i)
				wantA = append(wantA, q)
				tn.s.At(Time(i)*Time(20*time.Millisecond)+5, func() { tn.sendTCP("b", "a", "RESP", q) })
			}
		}
		tn.s.Run()
		for _, c := range []struct {
			host string
			want [][]byte
		}{{"b", wantB}, {"a", wantA}} {
			got := tn.got[c.host]
			if !nwEq(t, len(got), len(c.want), "messages delivered to ", c.host, " (handshake ", handshake, ")") {
				continue
			}
			for i := range got {
				if !bytes.Equal(got[i].d.Payload, c.want[i]) {
					t.Fatalf("message %d to %s: wrong payload or order (got %q...)", i, c.host, got[i].d.Payload[:11])
				}
			}
		}
		var segLost, retx, msgDrops int
		for _, e := range tn.rec.Events {
			switch {
			case e.Kind == KindDrop && e.Seg.Flags != 0:
				segLost++
			case e.Kind == KindDrop:
				msgDrops++
			case e.Kind == KindSend && e.Seg.Retransmit:
				retx++
			}
		}
		nwEq(t, msgDrops, 0, "messages lost")
		if segLost == 0 || retx == 0 {
			t.Errorf("30%% loss caused %d segment drops and %d retransmissions", segLost, retx)
		}
		nwEq(t, tn.s.Pending(), 0, "pending events after the run (timers left running)")
	}
}

func TestTCPRTOSchedule(t *testing.T) {
	// Losing the first k transmissions of a segment delays it by the RTO
	// schedule 1 s, 2 s, 4 s, ... (RFC 6298 2.1 and 5.5): it is delivered at
	// set-up + Σ_{i<k} 2^i s + the one-way delay.
	const oneWay = 50 * time.Millisecond
	for _, handshake := range []bool{false, true} {
		for k := range 5 {
			tn := nwTCPPair(t, TCPConfig{Handshake: handshake}, LinkConfig{})
			tn.n.AddDropFilter(DropFirst(k, OnHop("a", "b", "INVITE")))
			tn.sendTCP("a", "b", "INVITE", nwPayload(1, 500))
			tn.s.Run()
			var setup, backoff time.Duration
			if handshake {
				setup = 2 * oneWay // SYN, SYN-ACK; the RTT sample keeps RTO at 1 s (min)
			}
			for i := range k {
				backoff += time.Second << i
			}
			got := tn.got["b"]
			if !nwEq(t, len(got), 1, "deliveries") {
				continue
			}
			nwEq(t, got[0].at, nwAt(setup+backoff+oneWay), "delivery with ", k, " losses (handshake ", handshake, ")")
			var retx []Time
			for _, e := range tn.rec.OfKind(KindSend) {
				if e.Seg.Retransmit {
					retx = append(retx, e.Time)
				}
			}
			nwEq(t, len(retx), k, "retransmissions")
			nwEq(t, len(tn.rec.Filter(func(e *Event) bool { return e.Reason == ReasonFilter })), k, "filtered")
		}
	}
}

func TestTCPSYNLossReinitialisesRTO(t *testing.T) {
	// RFC 6298 5.7: after a SYN timeout, data starts with RTO = 3 s.
	tn := nwTCPPair(t, TCPConfig{Handshake: true}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, func(p *Packet) bool { return p.Seg.Flags == FlagSYN }))
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "")))
	tn.sendTCP("a", "b", "INVITE", nwPayload(1, 500))
	tn.s.Run()
	var syns []Time
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Seg.Flags == FlagSYN {
			syns = append(syns, e.Time)
			nwEq(t, e.Seg.Retransmit, len(syns) > 1, "SYN retransmit flag")
		}
	}
	nwEq(t, syns, []Time{0, nwAt(time.Second)}, "SYN transmissions")
	// Established at 1.1 s; the data is lost, retransmitted at 1.1 + 3 s.
	if nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		nwEq(t, tn.got["b"][0].at, nwAt(1100*time.Millisecond+3*time.Second+50*time.Millisecond), "delivery")
	}
}

func TestTCPAckLossCausesSpuriousRetransmitNotDuplicate(t *testing.T) {
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, func(p *Packet) bool { return p.Hop == Hop{"b", "a"} && p.Seg.Flags == FlagACK && p.Seg.Len == 0 }))
	tn.sendTCP("a", "b", "INVITE", nwPayload(1, 500))
	tn.s.Run()
	if nwEq(t, len(tn.got["b"]), 1, "deliveries: exactly once") {
		nwEq(t, tn.got["b"][0].at, nwAt(50*time.Millisecond), "delivery")
	}
	arrivals := 0
	for _, e := range tn.rec.OfKind(KindArrive) {
		if e.Hop == (Hop{"a", "b"}) {
			arrivals++
		}
	}
	nwEq(t, arrivals, 2, "data arrivals at b (original and spurious retransmission)")
	nwEq(t, tn.s.Now(), nwAt(time.Second+100*time.Millisecond), "the run ends when the retransmission is acknowledged")
}

func TestTCPHeadOfLineBlocking(t *testing.T) {
	// m2 arrives at 50 ms but waits for m1, lost once, delivered at 1.05 s.
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "m1")))
	tn.sendTCP("a", "b", "m1", nwPayload(1, 300))
	tn.sendTCP("a", "b", "m2", nwPayload(2, 300))
	tn.s.Run()
	got := tn.got["b"]
	if nwEq(t, len(got), 2, "deliveries") {
		nwEq(t, []string{got[0].d.Label, got[1].d.Label}, []string{"m1", "m2"}, "order")
		nwEq(t, got[1].at, nwAt(1050*time.Millisecond), "m2 delivery")
		nwEq(t, got[0].at, got[1].at, "m1 and m2 delivered at the same instant")
	}
}

func TestTCPSegmentationFromPathMTU(t *testing.T) {
	// The smallest MTU on the path (576) gives MSS 536: a 4000-byte message
	// is 7 segments of 536 and one of 248.
	tn := nwNew(t, 1, Options{}, "a", "r", "b")
	tn.link("a", "r", LinkConfig{Delay: nwMs(5)})
	tn.link("r", "b", LinkConfig{Delay: nwMs(5), MTU: 576})
	p := nwPayload(7, 4000)
	tn.sendTCP("a", "b", "BIG", p)
	tn.s.Run()
	var lens []int
	var seqs []uint64
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Src == tn.ap("a") {
			lens = append(lens, e.Seg.Len)
			seqs = append(seqs, e.Seg.Seq)
			nwEq(t, e.Frags, 1, "a segment is never fragmented")
		}
	}
	nwEq(t, lens, []int{536, 536, 536, 536, 536, 536, 536, 248}, "segment sizes")
	nwEq(t, seqs, []uint64{0, 536, 1072, 1608, 2144, 2680, 3216, 3752}, "segment offsets")
	if nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		nwEq(t, bytes.Equal(tn.got["b"][0].d.Payload, p), true, "payload intact")
	}
}

func TestTCPWindowLimitsInFlight(t *testing.T) {
	// A 3000-byte window and 1460-byte segments: two segments in flight,
	// the third waits for an ACK (one RTT later).
	tn := nwTCPPair(t, TCPConfig{Window: 3000}, LinkConfig{})
	tn.sendTCP("a", "b", "BIG", nwPayload(1, 4000))
	tn.s.Run()
	var times []Time
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Src == tn.ap("a") && e.Seg.Len > 0 {
			times = append(times, e.Time)
		}
	}
	nwEq(t, times, []Time{0, 0, nwAt(100 * time.Millisecond)}, "data segment send times")
}

func TestTCPRTTEstimator(t *testing.T) {
	// RFC 6298 2.2 and 2.3 in integer nanoseconds, MinRTO lowered so that
	// the computed value shows.
	n, err := NewNetwork(New(1), Options{TCP: TCPConfig{MinRTO: time.Millisecond}})
	nwMust(t, err)
	ep := &endpoint{rto: time.Second}
	steps := []struct {
		r                 time.Duration
		srtt, rttvar, rto time.Duration
	}{
		{100 * time.Millisecond, 100 * time.Millisecond, 50 * time.Millisecond, 300 * time.Millisecond},
		// RTTVAR = 3/4·50 + 1/4·|100-200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5.
		{200 * time.Millisecond, 112500 * time.Microsecond, 62500 * time.Microsecond, 362500 * time.Microsecond},
		{112500 * time.Microsecond, 112500 * time.Microsecond, 46875 * time.Microsecond, 300 * time.Millisecond},
	}
	for i, s := range steps {
		n.sample(ep, s.r)
		nwEq(t, [3]time.Duration{ep.srtt, ep.rttvar, ep.rto}, [3]time.Duration{s.srtt, s.rttvar, s.rto}, "SRTT, RTTVAR, RTO after sample ", i)
	}
	// Bounds: MinRTO (2.4) and MaxRTO (2.5).
	for range 200 {
		n.sample(ep, 0)
	}
	nwEq(t, ep.rto, time.Millisecond, "RTO floor")
	n.sample(ep, 10*time.Minute)
	nwEq(t, ep.rto, 60*time.Second, "RTO ceiling")
}

func TestTCPKarnNoSampleFromRetransmission(t *testing.T) {
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "")))
	tn.sendTCP("a", "b", "m1", nwPayload(1, 100))
	tn.s.Run()
	c := tn.n.conns[connKey{tn.ap("a"), tn.ap("b")}]
	if c == nil {
		t.Fatal("no connection")
	}
	ep := &c.ep[0]
	nwEq(t, ep.sampled, false, "sampled after an ACK of a retransmitted segment (Karn)")
	nwEq(t, ep.rto, 2*time.Second, "the backed-off RTO is kept until a valid sample")
	tn.sendTCP("a", "b", "m2", nwPayload(2, 100))
	tn.s.Run()
	nwEq(t, [3]time.Duration{ep.srtt, ep.rttvar, ep.rto}, [3]time.Duration{100 * time.Millisecond, 50 * time.Millisecond, time.Second}, "first valid sample")
}

func TestTCPOneConnectionPerPair(t *testing.T) {
	// b's response travels on the connection a opened: one SYN exchange.
	tn := nwTCPPair(t, TCPConfig{Handshake: true}, LinkConfig{})
	tn.n.Host("b").SetReceiver(ReceiverFunc(func(d Datagram) {
		tn.got["b"] = append(tn.got["b"], nwDelivery{tn.s.Now(), d})
		tn.sendTCP("b", "a", "200/INVITE", nwPayload(2, 400))
	}))
	tn.sendTCP("a", "b", "INVITE", nwPayload(1, 800))
	tn.s.Run()
	syns := tn.rec.Filter(func(e *Event) bool { return e.Kind == KindSend && e.Seg.Flags&FlagSYN != 0 })
	nwEq(t, len(syns), 2, "SYN and SYN-ACK")
	nwEq(t, len(tn.n.conns), 1, "connections")
	if nwEq(t, len(tn.got["a"]), 1, "responses") {
		// INVITE at 150 ms (set-up 100 + 50), response 50 ms later.
		nwEq(t, tn.got["a"][0].at, nwAt(200*time.Millisecond), "response delivery")
	}
}

func TestTCPCrashResetsConnections(t *testing.T) {
	tn := nwTCPPair(t, TCPConfig{Handshake: true}, LinkConfig{})
	var states []string
	tn.n.Host("b").SetStateHandler(func(h *Host, up bool) {
		states = append(states, fmt.Sprintf("%s %v at %v", h.Name(), up, tn.s.Now()))
	})
	// m1 is delivered at 150 ms; m2, sent at 160 ms, is in flight when b
	// crashes at 180 ms; m3 is queued behind it.
	tn.sendTCP("a", "b", "m1", nwPayload(1, 100))
	tn.s.At(nwAt(nwMs(160)), func() {
		tn.sendTCP("a", "b", "m2", nwPayload(2, 100))
		tn.sendTCP("a", "b", "m3", nwPayload(3, 100))
	})
	nwMust(t, tn.n.HostDown("b", nwAt(nwMs(180)), nwAt(nwMs(500))))
	tn.s.At(nwAt(nwMs(600)), func() { tn.sendTCP("a", "b", "m4", nwPayload(4, 100)) })
	tn.s.Run()
	var labels []string
	for _, d := range tn.got["b"] {
		labels = append(labels, d.d.Label)
	}
	nwEq(t, labels, []string{"m1", "m4"}, "delivered")
	resets := tn.rec.Filter(func(e *Event) bool { return e.Kind == KindDrop && e.Reason == ReasonReset })
	var reset []string
	for _, e := range resets {
		reset = append(reset, e.Label)
	}
	// m2 and m3 are reported lost at the crash (message level); b's ACK of
	// m1, on its way to a, is dropped as stale when it arrives at 200 ms.
	nwEq(t, reset, []string{"m2", "m3", ""}, "reset drops")
	if len(resets) == 3 {
		nwEq(t, []Time{resets[0].Time, resets[1].Time, resets[2].Time}, []Time{nwAt(nwMs(180)), nwAt(nwMs(180)), nwAt(nwMs(200))}, "reset times")
		nwEq(t, resets[2].Seg.Flags, FlagACK, "the stale segment is an ACK")
	}
	// The segments of m2 and m3 reach b while it is down.
	down := tn.rec.Filter(func(e *Event) bool { return e.Kind == KindDrop && e.Reason == ReasonHostDown })
	nwEq(t, len(down), 2, "segments dropped at the crashed host")
	nwEq(t, states, []string{"b false at 0.180000000", "b true at 0.500000000"}, "state handler calls")
	// m4 opened a new connection: a second SYN exchange at 600 ms.
	syns := tn.rec.Filter(func(e *Event) bool { return e.Kind == KindSend && e.Seg.Flags == FlagSYN })
	nwEq(t, len(syns), 2, "SYNs")
	nwEq(t, tn.got["b"][1].at, nwAt(nwMs(750)), "m4 delivery")
}

func TestTCPGivesUpAfterMaxRetries(t *testing.T) {
	tn := nwTCPPair(t, TCPConfig{MaxRetries: 3}, LinkConfig{})
	nwMust(t, tn.n.SetLinkDown("a", "b", 0, MaxTime))
	tn.sendTCP("a", "b", "INVITE", nwPayload(1, 100))
	tn.s.Run()
	timeouts := tn.rec.Filter(func(e *Event) bool { return e.Reason == ReasonTimeout })
	if nwEq(t, len(timeouts), 1, "timeout drops") {
		// Sent at 0, retransmitted at 1, 3, 7 s; gives up at 15 s.
		nwEq(t, timeouts[0].Time, nwAt(15*time.Second), "give-up time")
		nwEq(t, timeouts[0].Label, "INVITE", "label")
	}
	nwEq(t, len(tn.n.conns), 0, "connections left")
	nwEq(t, len(tn.n.Host("a").conns), 0, "a's connections")

	// A SYN that is never answered: 1 + MaxSYNRetries transmissions.
	tn = nwTCPPair(t, TCPConfig{Handshake: true, MaxSYNRetries: 2}, LinkConfig{})
	nwMust(t, tn.n.SetLinkDown("a", "b", 0, MaxTime))
	tn.sendTCP("a", "b", "INVITE", nwPayload(1, 100))
	tn.s.Run()
	timeouts = tn.rec.Filter(func(e *Event) bool { return e.Reason == ReasonTimeout })
	if nwEq(t, len(timeouts), 1, "SYN timeout drops") {
		nwEq(t, timeouts[0].Time, nwAt(7*time.Second), "SYN give-up time")
	}
}

func TestTCPGoBackNAfterTimeout(t *testing.T) {
	// Three messages written at 0, 100 ms and 200 ms while the a->b
	// direction is down until 2.5 s are all lost. The timer expires at 1 s
	// (lost again: still down) and at 3 s: the retransmission of m1 is
	// acknowledged at 3.1 s, and m2 and m3, presumed lost since that
	// timeout, go out at once (RFC 5681 3.1) instead of each waiting for
	// a further doubled RTO: all three are delivered by 3.15 s.
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	nwMust(t, tn.n.SetLinkDown("a", "b", 0, nwAt(2500*time.Millisecond)))
	tn.sendTCP("a", "b", "m1", nwPayload(1, 300))
	tn.s.At(nwAt(100*time.Millisecond), func() { tn.sendTCP("a", "b", "m2", nwPayload(2, 300)) })
	tn.s.At(nwAt(200*time.Millisecond), func() { tn.sendTCP("a", "b", "m3", nwPayload(3, 300)) })
	tn.s.Run()
	got := tn.got["b"]
	if nwEq(t, len(got), 3, "deliveries") {
		nwEq(t, []string{got[0].d.Label, got[1].d.Label, got[2].d.Label}, []string{"m1", "m2", "m3"}, "order")
		nwEq(t, got[0].at, nwAt(3050*time.Millisecond), "m1 delivery: RTO 1 s, then 2 s")
		nwEq(t, got[1].at, nwAt(3150*time.Millisecond), "m2 delivery: resent on the ACK of m1")
		nwEq(t, got[2].at, nwAt(3150*time.Millisecond), "m3 delivery: resent on the ACK of m1")
	}
	var retx []string
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Seg.Retransmit && e.Seg.Len > 0 {
			retx = append(retx, e.Time.String()+" "+e.Label)
		}
	}
	nwEq(t, retx, []string{"1.000000000 m1", "3.000000000 m1", "3.100000000 m2", "3.100000000 m3"}, "retransmissions")
}

// tlLoss is one call of a loss handler, as seen by tlWatch.
type tlLoss struct {
	host  string
	at    Time
	label string
	id    uint64
	r     Reason
	up    bool
}

func (l tlLoss) String() string {
	return fmt.Sprintf("%s %v %s #%d %v up=%v", l.host, l.at, l.label, l.id, l.r, l.up)
}

// tlWatch installs a loss handler on each named host of tn that records its
// calls in *out.
func tlWatch(tn *nwNet, out *[]tlLoss, hosts ...string) {
	for _, name := range hosts {
		h := tn.n.Host(name)
		h.SetLossHandler(func(d Datagram, id uint64, r Reason) {
			*out = append(*out, tlLoss{host: name, at: tn.s.Now(), label: d.Label, id: id, r: r, up: h.Up()})
		})
	}
}

// tlSend sends a TCP message and returns its id.
func tlSend(tn *nwNet, from, to, label string, size int) uint64 {
	tn.t.Helper()
	id, err := tn.n.SendID(Datagram{Src: tn.ap(from), Dst: tn.ap(to), Payload: nwPayload(int(tn.n.nextID), size), Label: label, Transport: TCP})
	nwMust(tn.t, err)
	return id
}

func TestTCPLossHandlerTimeout(t *testing.T) {
	// The connection gives up at 15 s (RTO 1, 2, 4, 8 s with MaxRetries
	// 3): a's handler learns of the INVITE then, with the id SendID gave
	// it, and may send at once: its new message opens a new connection
	// (delivered 50 ms later once the link is back).
	tn := nwTCPPair(t, TCPConfig{MaxRetries: 3}, LinkConfig{})
	nwMust(t, tn.n.SetLinkDown("a", "b", 0, nwAt(10*time.Second)))
	var losses []tlLoss
	tlWatch(tn, &losses, "b")
	var retryID uint64
	tn.n.Host("a").SetLossHandler(func(d Datagram, id uint64, r Reason) {
		losses = append(losses, tlLoss{host: "a", at: tn.s.Now(), label: d.Label, id: id, r: r, up: true})
		if !bytes.Equal(d.Payload, nwPayload(0, 100)) || d.Transport != TCP || d.Dst != tn.ap("b") {
			t.Errorf("lost datagram %+v is not the one sent", d)
		}
		retryID = tlSend(tn, "a", "b", "RETRY", 100)
	})
	id := tlSend(tn, "a", "b", "INVITE", 100)
	nwEq(t, id, uint64(1), "first id")
	tn.s.Run()
	nwEq(t, fmt.Sprint(losses), fmt.Sprint([]tlLoss{{host: "a", at: nwAt(15 * time.Second), label: "INVITE", id: 1, r: ReasonTimeout, up: true}}), "losses")
	nwEq(t, retryID, uint64(2), "the handler's send")
	if nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		nwEq(t, tn.got["b"][0].d.Label, "RETRY", "delivered")
		nwEq(t, tn.got["b"][0].at, nwAt(15*time.Second+nwMs(50)), "delivery time")
	}
	// The trace's drop and the handler agree.
	drops := tn.rec.Filter(func(e *Event) bool { return e.Kind == KindDrop && e.Seg == (Segment{}) })
	if nwEq(t, len(drops), 1, "message drops") {
		nwEq(t, drops[0].ID, uint64(1), "dropped id")
	}
}

func TestTCPLossHandlerReset(t *testing.T) {
	// As TestTCPCrashResetsConnections: m2 and m3 (a to b) are undelivered
	// when b crashes at 180 ms, and so is b's "resp" to a, written at
	// 170 ms. Each loss goes to its writer at the crash instant, after
	// b's state handler: a learns of m2 then m3, b (down) of resp.
	tn := nwTCPPair(t, TCPConfig{Handshake: true}, LinkConfig{})
	var losses []tlLoss
	tlWatch(tn, &losses, "a", "b")
	var order []string
	tn.n.Host("b").SetStateHandler(func(h *Host, up bool) {
		order = append(order, fmt.Sprintf("state %v", up))
	})
	ids := map[string]uint64{}
	ids["m1"] = tlSend(tn, "a", "b", "m1", 100)
	tn.s.At(nwAt(nwMs(160)), func() {
		ids["m2"] = tlSend(tn, "a", "b", "m2", 100)
		ids["m3"] = tlSend(tn, "a", "b", "m3", 3000) // three segments
	})
	tn.s.At(nwAt(nwMs(170)), func() { ids["resp"] = tlSend(tn, "b", "a", "resp", 100) })
	nwMust(t, tn.n.HostDown("b", nwAt(nwMs(180)), nwAt(nwMs(500))))
	tn.s.Run()
	crash := nwAt(nwMs(180))
	nwEq(t, fmt.Sprint(losses), fmt.Sprint([]tlLoss{
		{host: "a", at: crash, label: "m2", id: ids["m2"], r: ReasonReset, up: true},
		{host: "a", at: crash, label: "m3", id: ids["m3"], r: ReasonReset, up: true},
		{host: "b", at: crash, label: "resp", id: ids["resp"], r: ReasonReset, up: false},
	}), "losses")
	nwEq(t, order, []string{"state false", "state true"}, "state handler calls")
	var labels []string
	for _, d := range tn.got["b"] {
		labels = append(labels, d.d.Label)
	}
	nwEq(t, labels, []string{"m1"}, "delivered to b: m1 is never reported")
}

func TestTCPLossHandlerRunsAsAnEvent(t *testing.T) {
	// A message written by a host that is down, or to an address of no
	// host, is dropped inside Send; the handler runs afterwards, at the
	// same virtual time, as an event of its own.
	tn := nwNew(t, 1, Options{}, "a", "b", "c")
	tn.link("a", "b", LinkConfig{Delay: nwMs(10)})
	var losses []tlLoss
	tlWatch(tn, &losses, "a", "b", "c")
	nwMust(t, tn.n.HostDown("b", nwAt(nwMs(5)), nwAt(nwMs(50))))
	var during []int
	tn.s.At(nwAt(nwMs(20)), func() {
		tlSend(tn, "b", "a", "from-down", 100)
		tlSend(tn, "a", "a", "to-self", 100) // delivered: never reported
		nwMust(t, tn.n.Send(Datagram{Src: tn.ap("a"), Dst: netip.MustParseAddrPort("192.0.2.9:5060"), Payload: []byte("x"), Label: "nowhere", Transport: TCP}))
		tlSend(tn, "a", "c", "no-path", 100) // c has no link
		during = append(during, len(losses))
	})
	tn.s.Run()
	nwEq(t, during, []int{0}, "losses reported inside Send")
	nwEq(t, fmt.Sprint(losses), fmt.Sprint([]tlLoss{
		{host: "b", at: nwAt(nwMs(20)), label: "from-down", id: 1, r: ReasonHostDown, up: false},
		{host: "a", at: nwAt(nwMs(20)), label: "nowhere", id: 3, r: ReasonNoRoute, up: true},
		{host: "a", at: nwAt(nwMs(20)), label: "no-path", id: 4, r: ReasonNoRoute, up: true},
	}), "losses")
	nwEq(t, len(tn.got["a"]), 1, "a's message to itself")
}

func TestTCPLossHandlerIgnoresUDPAndRemoval(t *testing.T) {
	tn := nwTCPPair(t, TCPConfig{MaxRetries: 1}, LinkConfig{})
	nwMust(t, tn.n.SetLinkDown("a", "b", 0, MaxTime))
	var losses []tlLoss
	tlWatch(tn, &losses, "a")
	// A UDP datagram lost on the link, or sent to no host: not reported
	// (ICMP is not modelled).
	tn.send("a", "b", "udp", 100, UDP)
	nwMust(t, tn.n.Send(Datagram{Src: tn.ap("a"), Dst: netip.MustParseAddrPort("192.0.2.9:5060"), Size: 10, Label: "udp-nowhere"}))
	// A TCP message whose loss comes after the handler is removed: not
	// reported either.
	tlSend(tn, "a", "b", "tcp", 100)
	tn.s.At(nwAt(time.Second+nwMs(1)), func() { tn.n.Host("a").SetLossHandler(nil) })
	tn.s.Run()
	nwEq(t, len(losses), 0, "losses reported")
	nwEq(t, len(tn.rec.Filter(func(e *Event) bool { return e.Reason == ReasonTimeout })), 1, "the TCP message is dropped")
}

func TestTCPLossHandlerDoesNotChangeTheRun(t *testing.T) {
	// With or without handlers, the trace is the same: the handler's
	// events are extra and send nothing here.
	run := func(watch bool) ([32]byte, int) {
		h := NewHashSink()
		tn := nwNew(t, 7, Options{Sink: h, TCP: TCPConfig{MaxRetries: 2}}, "a", "b")
		tn.link("a", "b", LinkConfig{Delay: nwMs(20), Loss: Bernoulli{P: 0.4}})
		var losses []tlLoss
		if watch {
			tlWatch(tn, &losses, "a", "b")
		}
		for i := range 40 {
			tn.s.At(Time(i)*Time(nwMs(100)), func() { tlSend(tn, "a", "b", "m", 500) })
			tn.s.At(Time(i)*Time(nwMs(100))+1, func() { tlSend(tn, "b", "a", "r", 300) })
		}
		nwMust(t, tn.n.HostDown("b", nwAt(2*time.Second), nwAt(3*time.Second)))
		tn.s.Run()
		drops := len(tn.rec.Filter(func(e *Event) bool { return e.Kind == KindDrop && e.Transport == TCP && e.Seg == (Segment{}) }))
		if watch {
			nwEq(t, len(losses), drops, "one report per message drop")
		}
		return h.Sum(), drops
	}
	sumA, dropsA := run(false)
	sumB, dropsB := run(true)
	nwEq(t, sumA, sumB, "trace hash")
	if dropsA == 0 || dropsA != dropsB {
		t.Errorf("message drops %d and %d, want equal and non-zero", dropsA, dropsB)
	}
}

func TestTCPFastRetransmit(t *testing.T) {
	// m1..m5 written 10 ms apart; m1's first segment is lost. m2, m3 and
	// m4 arrive beyond the hole at 60, 70 and 80 ms; their duplicate ACKs
	// reach a at 110, 120 and 130 ms, and the third retransmits m1 at
	// once (RFC 5681 3.2), long before the 1 s RTO: m1 is delivered at
	// 180 ms, with m2-m4 behind it.
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "m1")))
	for i := 1; i <= 5; i++ {
		i := i
		tn.s.At(nwAt(time.Duration(i-1)*10*time.Millisecond), func() {
			tn.sendTCP("a", "b", fmt.Sprint("m", i), nwPayload(i, 300))
		})
	}
	tn.s.Run()
	got := tn.got["b"]
	if nwEq(t, len(got), 5, "deliveries") {
		nwEq(t, got[0].d.Label, "m1", "first delivery")
		nwEq(t, got[0].at, nwAt(180*time.Millisecond), "m1 delivery: fast retransmit at 130 ms")
		nwEq(t, got[3].at, nwAt(180*time.Millisecond), "m4 waits for m1")
	}
	var retx []string
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Seg.Retransmit && e.Seg.Len > 0 {
			retx = append(retx, e.Time.String()+" "+e.Label)
		}
	}
	nwEq(t, retx, []string{"0.130000000 m1"}, "retransmissions")
}

func TestTCPPartialAckRetransmitsTheNextHole(t *testing.T) {
	// m1 and m3 are both lost. The duplicate ACKs of m2, m4 and m5 reach
	// a at 110, 130 and 140 ms: m1 is resent at 140 ms and delivered at
	// 190 ms. Its ACK at 240 ms covers m1 and m2 only, a partial ACK,
	// which resends m3 at once (RFC 6582 3.2) rather than after a
	// timeout: m3 is delivered at 290 ms.
	tn := nwTCPPair(t, TCPConfig{}, LinkConfig{})
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "m1")))
	tn.n.AddDropFilter(DropFirst(1, OnHop("a", "b", "m3")))
	for i := 1; i <= 6; i++ {
		i := i
		tn.s.At(nwAt(time.Duration(i-1)*10*time.Millisecond), func() {
			tn.sendTCP("a", "b", fmt.Sprint("m", i), nwPayload(i, 300))
		})
	}
	tn.s.Run()
	got := tn.got["b"]
	if nwEq(t, len(got), 6, "deliveries") {
		nwEq(t, got[0].at, nwAt(190*time.Millisecond), "m1 delivery")
		nwEq(t, got[2].d.Label, "m3", "third delivery")
		nwEq(t, got[2].at, nwAt(290*time.Millisecond), "m3 delivery: resent on the partial ACK at 240 ms")
	}
	var retx []string
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Seg.Retransmit && e.Seg.Len > 0 {
			retx = append(retx, e.Time.String()+" "+e.Label)
		}
	}
	nwEq(t, retx, []string{"0.140000000 m1", "0.240000000 m3"}, "retransmissions")
}
