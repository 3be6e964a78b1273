package sim_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/sim"
)

// Two hosts joined by a 1 Mbit/s link with 10 ms of propagation delay: a
// 1000-byte UDP payload is 1028 bytes on the wire, serialized in 8.224 ms.
func ExampleNetwork_Send() {
	s := sim.New(1)
	n, _ := sim.NewNetwork(s, sim.Options{})
	ua1, _ := n.AddHost("ua1", netip.MustParseAddr("192.0.2.1"))
	ua2, _ := n.AddHost("ua2", netip.MustParseAddr("192.0.2.2"))
	_ = n.AddSymmetricLink("ua1", "ua2", sim.LinkConfig{Delay: 10 * time.Millisecond, Bandwidth: 1_000_000})
	ua2.SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		fmt.Printf("%v %s from %v, %d bytes\n", s.Now(), d.Label, d.Src, d.Size)
	}))
	_ = n.Send(sim.Datagram{Src: ua1.AddrPort(5060), Dst: ua2.AddrPort(5060), Payload: make([]byte, 1000), Label: "INVITE"})
	s.Run()
	// Output:
	// 0.018224000 INVITE from 192.0.2.1:5060, 1000 bytes
}

// A drop filter for targeted loss: drop the first datagram labelled ACK on
// the link direction p1->p2 and nothing else.
func ExampleDropFirst() {
	s := sim.New(1)
	trace := sim.SinkFunc(func(e *sim.Event) {
		switch e.Kind {
		case sim.KindDrop:
			fmt.Printf("%v drop (%v) #%d %s on %v\n", e.Time, e.Reason, e.ID, e.Label, e.Hop)
		case sim.KindDeliver:
			fmt.Printf("%v deliver #%d %s from %v\n", e.Time, e.ID, e.Label, e.Hop)
		}
	})
	n, _ := sim.NewNetwork(s, sim.Options{Sink: trace})
	p1, _ := n.AddHost("p1", netip.MustParseAddr("10.0.0.1"))
	p2, _ := n.AddHost("p2", netip.MustParseAddr("10.0.0.2"))
	_ = n.AddSymmetricLink("p1", "p2", sim.LinkConfig{Delay: 5 * time.Millisecond})
	n.AddDropFilter(sim.DropFirst(1, func(p *sim.Packet) bool {
		return p.Label == "ACK" && p.Hop == sim.Hop{From: "p1", To: "p2"}
	}))
	for _, label := range []string{"INVITE", "ACK", "ACK"} {
		_ = n.Send(sim.Datagram{Src: p1.AddrPort(5060), Dst: p2.AddrPort(5060), Size: 300, Label: label})
	}
	s.Run()
	// Output:
	// 0.000000000 drop (filter) #2 ACK on p1->p2
	// 0.005000000 deliver #1 INVITE from p1->p2
	// 0.005000000 deliver #3 ACK from p1->p2
}

// Over the stream transport a lost segment costs an RTO instead of the
// message: here the SYN exchange takes one round trip (100 ms), the first
// data segment is lost and retransmitted after RTO = 1 s (RFC 6298).
func ExampleNetwork_Send_tcp() {
	s := sim.New(1)
	n, _ := sim.NewNetwork(s, sim.Options{TCP: sim.TCPConfig{Handshake: true}})
	a, _ := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
	b, _ := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	_ = n.AddSymmetricLink("a", "b", sim.LinkConfig{Delay: 50 * time.Millisecond})
	n.AddDropFilter(sim.DropFirst(1, sim.OnHop("a", "b", "INVITE")))
	b.SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		fmt.Printf("%v %s over %v\n", s.Now(), d.Label, d.Transport)
	}))
	_ = n.Send(sim.Datagram{Src: a.AddrPort(5060), Dst: b.AddrPort(5060), Size: 900, Label: "INVITE", Transport: sim.TCP})
	s.Run()
	// Output:
	// 1.150000000 INVITE over TCP
}

// The Gilbert model from what users tune: 5% loss in bursts of 4 packets
// on average.
func ExampleNewGilbertElliottFromRate() {
	g, err := sim.NewGilbertElliottFromRate(0.05, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("P(good->bad)=%.6f P(bad->good)=%.2f loss=%.2f burst=%.0f\n", g.P, g.R, g.LossRate(), g.MeanBurst())
	// Output:
	// P(good->bad)=0.013158 P(bad->good)=0.25 loss=0.05 burst=4
}

// Two runs with the same seed give the same trace, proven by a hash of
// every event.
func ExampleHashSink() {
	run := func(seed uint64) [32]byte {
		s := sim.New(seed)
		h := sim.NewHashSink()
		n, _ := sim.NewNetwork(s, sim.Options{Sink: h})
		a, _ := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
		b, _ := n.AddHost("b", netip.MustParseAddr("10.0.0.2"))
		_ = n.AddSymmetricLink("a", "b", sim.LinkConfig{
			Delay: 20 * time.Millisecond, Jitter: sim.Uniform{Max: 0.01}, Loss: sim.Bernoulli{P: 0.2},
		})
		for i := range 100 {
			s.At(sim.Time(i)*sim.Time(time.Millisecond), func() {
				_ = n.Send(sim.Datagram{Src: a.AddrPort(5060), Dst: b.AddrPort(5060), Size: 500, Label: "OPTIONS"})
			})
		}
		s.Run()
		return h.Sum()
	}
	first, again, other := run(1), run(1), run(2)
	fmt.Println(first == again, first == other)
	// Output:
	// true false
}
