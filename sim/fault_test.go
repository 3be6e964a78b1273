package sim

import (
	"fmt"
	"testing"
	"time"
)

func TestHostCrashAndRecovery(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{Delay: nwMs(10)})
	var calls []string
	tn.n.Host("b").SetStateHandler(func(h *Host, up bool) {
		calls = append(calls, fmt.Sprintf("%s up=%v at %v", h.Name(), up, tn.s.Now()))
		if up != h.Up() {
			t.Errorf("state handler told up=%v while Up() = %v", up, h.Up())
		}
	})
	nwMust(t, tn.n.HostDown("b", nwAt(nwMs(100)), nwAt(nwMs(200))))
	// A second crash while down and a recovery while up change nothing.
	nwMust(t, tn.n.CrashHostAt("b", nwAt(nwMs(150))))
	nwMust(t, tn.n.RecoverHostAt("b", nwAt(nwMs(250))))
	for _, at := range []float64{50, 95, 150, 195} {
		tn.s.At(nwAt(nwMs(at)), func() { tn.send("a", "b", fmt.Sprint(at), 10, UDP) })
	}
	tn.s.At(nwAt(nwMs(150)), func() { tn.send("b", "a", "from-crashed", 10, UDP) })
	tn.s.Run()

	nwEq(t, calls, []string{"b up=false at 0.100000000", "b up=true at 0.200000000"}, "state handler calls")
	var delivered []string
	for _, d := range tn.got["b"] {
		delivered = append(delivered, d.d.Label)
	}
	nwEq(t, delivered, []string{"50", "195"}, "delivered to b")
	nwEq(t, len(tn.got["a"]), 0, "a crashed host sends nothing")
	type drop struct {
		label string
		at    Time
		hop   Hop
	}
	var drops []drop
	for _, e := range tn.drops() {
		nwEq(t, e.Reason, ReasonHostDown, "reason of ", e.Label)
		drops = append(drops, drop{e.Label, e.Time, e.Hop})
	}
	nwEq(t, drops, []drop{
		{"95", nwAt(nwMs(105)), Hop{"a", "b"}},
		{"from-crashed", nwAt(nwMs(150)), Hop{}},
		{"150", nwAt(nwMs(160)), Hop{"a", "b"}},
	}, "drops")
	for _, e := range tn.rec.OfKind(KindSend) {
		if e.Label == "from-crashed" {
			t.Errorf("a crashed host's datagram was traced as sent")
		}
	}
	var hostEvents []string
	for _, e := range tn.rec.Events {
		if e.Kind == KindHostDown || e.Kind == KindHostUp {
			hostEvents = append(hostEvents, fmt.Sprintf("%v %s %v", e.Kind, e.Host, e.Time))
		}
	}
	nwEq(t, hostEvents, []string{"host-down b 0.100000000", "host-up b 0.200000000"}, "host events")
}

func TestFaultScheduleErrors(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a")
	tn.s.RunUntil(nwAt(time.Second))
	for name, err := range map[string]error{
		"crash in the past":   tn.n.CrashHostAt("a", 0),
		"recover in the past": tn.n.RecoverHostAt("a", 0),
		"recover unknown":     tn.n.RecoverHostAt("zz", nwAt(2*time.Second)),
		"empty down window":   tn.n.HostDown("a", nwAt(3*time.Second), nwAt(3*time.Second)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	nwEq(t, tn.s.Pending(), 0, "nothing scheduled by a rejected fault")
}

func TestDropFilterDropsFirstMatchOnly(t *testing.T) {
	// "Drop the first datagram whose label is ACK on link p1->p2."
	tn := nwNew(t, 1, Options{}, "p1", "p2", "p3")
	tn.link("p1", "p2", LinkConfig{Delay: nwMs(5)})
	tn.link("p2", "p3", LinkConfig{Delay: nwMs(5)})
	var seen []string
	tn.n.AddDropFilter(func(p *Packet) bool {
		seen = append(seen, fmt.Sprintf("%d %s %v", p.ID, p.Label, p.Hop))
		return false
	})
	tn.n.AddDropFilter(DropFirst(1, func(p *Packet) bool {
		return p.Label == "ACK" && p.Hop == Hop{From: "p1", To: "p2"}
	}))
	tn.send("p2", "p3", "ACK", 10, UDP)    // 1: ACK, but on p2->p3
	tn.send("p1", "p3", "INVITE", 10, UDP) // 2
	tn.send("p1", "p3", "ACK", 10, UDP)    // 3: the first match: dropped
	tn.send("p1", "p3", "ACK", 10, UDP)    // 4: passes
	tn.send("p3", "p1", "ACK", 10, UDP)    // 5: p3->p2->p1, passes
	tn.s.Run()
	drops := tn.drops()
	if nwEq(t, len(drops), 1, "drops") {
		nwEq(t, drops[0].ID, uint64(3), "dropped datagram")
		nwEq(t, drops[0].Reason, ReasonFilter, "reason")
		nwEq(t, drops[0].Hop, Hop{"p1", "p2"}, "hop")
		nwEq(t, drops[0].Time, Time(0), "time")
	}
	nwEq(t, len(tn.got["p3"]), 3, "deliveries to p3")
	nwEq(t, len(tn.got["p1"]), 1, "deliveries to p1")
	// Filters see every hop of every datagram, in installation order.
	nwEq(t, seen[:4], []string{"1 ACK p2->p3", "2 INVITE p1->p2", "3 ACK p1->p2", "4 ACK p1->p2"}, "filter calls at send time")
}

func TestDropFilterRemoval(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{})
	all := tn.n.AddDropFilter(func(*Packet) bool { return true })
	never := tn.n.AddDropFilter(func(*Packet) bool { t.Error("a filter after a dropping one was called"); return false })
	tn.send("a", "b", "X", 1, UDP)
	tn.s.Run()
	nwEq(t, len(tn.drops()), 1, "drops with the filter")
	nwEq(t, tn.n.RemoveDropFilter(all), true, "remove installed")
	nwEq(t, tn.n.RemoveDropFilter(all), false, "remove twice")
	nwEq(t, tn.n.RemoveDropFilter(never), true, "remove second")
	tn.send("a", "b", "Y", 1, UDP)
	tn.s.Run()
	nwEq(t, len(tn.got["b"]), 1, "deliveries after removal")
	nwEq(t, tn.n.RemoveDropFilter(tn.n.AddDropFilter(nil)), false, "a nil filter is not installed")
}

func TestDropFirstCountsAndOnHop(t *testing.T) {
	f := DropFirst(2, OnHop("a", "b", "ACK"))
	pk := func(label string, hop Hop, tr Transport, segLen int) *Packet {
		return &Packet{Datagram: Datagram{Label: label, Transport: tr}, Hop: hop, Seg: Segment{Len: segLen}}
	}
	ab := Hop{"a", "b"}
	var got []bool
	for _, p := range []*Packet{
		pk("ACK", Hop{"b", "a"}, UDP, 0), // wrong hop
		pk("INVITE", ab, UDP, 0),         // wrong label
		pk("ACK", ab, TCP, 0),            // a TCP control segment is not data
		pk("ACK", ab, UDP, 0),            // 1st match
		pk("ACK", ab, TCP, 100),          // 2nd match
		pk("ACK", ab, UDP, 0),            // count exhausted
	} {
		got = append(got, f(p))
	}
	nwEq(t, got, []bool{false, false, false, true, true, false}, "drops")
}
