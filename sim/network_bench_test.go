package sim

import (
	"net/netip"
	"testing"
	"time"
)

// nwBenchNet builds a chain of hops+1 hosts h0..hN joined by links of cfg.
func nwBenchNet(b *testing.B, hops int, cfg LinkConfig, opts Options) (*Simulator, *Network, Datagram) {
	b.Helper()
	s := New(1)
	n, err := NewNetwork(s, opts)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, hops+1)
	for i := range names {
		names[i] = "h" + string(rune('a'+i))
		h, err := n.AddHost(names[i], netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		if err != nil {
			b.Fatal(err)
		}
		h.SetReceiver(ReceiverFunc(func(Datagram) {}))
		if i > 0 {
			if err := n.AddSymmetricLink(names[i-1], names[i], cfg); err != nil {
				b.Fatal(err)
			}
		}
	}
	d := Datagram{
		Src:     netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, 1}), 5060),
		Dst:     netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(hops + 1)}), 5060),
		Payload: make([]byte, 800),
		Label:   "INVITE",
	}
	return s, n, d
}

var nwBenchLink = LinkConfig{
	Delay:        10 * time.Millisecond,
	Jitter:       Uniform{Min: 0, Max: 0.002},
	Loss:         Bernoulli{P: 0.01},
	Bandwidth:    100_000_000,
	QueuePackets: 100,
}

// BenchmarkSendUDPOneLink measures one datagram sent over one link and
// delivered (or lost), events included: the per-datagram path.
func BenchmarkSendUDPOneLink(b *testing.B) {
	for _, bc := range []struct {
		name string
		sink func() Sink
	}{
		{"no-sink", func() Sink { return nil }},
		{"hash-sink", func() Sink { return NewHashSink() }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, n, d := nwBenchNet(b, 1, nwBenchLink, Options{Sink: bc.sink()})
			b.ReportAllocs()
			for b.Loop() {
				if err := n.Send(d); err != nil {
					b.Fatal(err)
				}
				s.Run()
			}
		})
	}
}

// BenchmarkSendUDPFragmented measures a 4000-byte datagram cut into three
// fragments on a 1500-byte MTU link.
func BenchmarkSendUDPFragmented(b *testing.B) {
	s, n, d := nwBenchNet(b, 1, nwBenchLink, Options{})
	d.Payload = make([]byte, 4000)
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Send(d); err != nil {
			b.Fatal(err)
		}
		s.Run()
	}
}

// BenchmarkSendUDPFourHops measures store and forward across four links.
func BenchmarkSendUDPFourHops(b *testing.B) {
	s, n, d := nwBenchNet(b, 4, nwBenchLink, Options{})
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Send(d); err != nil {
			b.Fatal(err)
		}
		s.Run()
	}
}

// BenchmarkSendUDPBurst measures a steady stream: 1000 datagrams in flight
// at once on one link (queue and event heap populated).
func BenchmarkSendUDPBurst(b *testing.B) {
	cfg := nwBenchLink
	cfg.QueuePackets = 0
	s, n, d := nwBenchNet(b, 1, cfg, Options{})
	b.ReportAllocs()
	for b.Loop() {
		for range 1000 {
			if err := n.Send(d); err != nil {
				b.Fatal(err)
			}
		}
		s.Run()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/datagram")
}

// BenchmarkSendTCPMessage measures one 800-byte message over an open
// connection: a data segment, its ACK, the timer.
func BenchmarkSendTCPMessage(b *testing.B) {
	s, n, d := nwBenchNet(b, 1, LinkConfig{Delay: 10 * time.Millisecond, Bandwidth: 100_000_000}, Options{})
	d.Transport = TCP
	b.ReportAllocs()
	for b.Loop() {
		if err := n.Send(d); err != nil {
			b.Fatal(err)
		}
		s.Run()
	}
}
