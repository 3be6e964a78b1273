package sim

import (
	"net/netip"
	"testing"
)

func nwSampleEvent() Event {
	return Event{
		Time: 1500, Kind: KindSend, ID: 7,
		Src: netip.MustParseAddrPort("10.0.0.1:5060"), Dst: netip.MustParseAddrPort("10.0.0.2:5060"),
		Hop: Hop{"a", "b"}, Size: 3, Wire: 43, Frags: 1, Label: "INVITE", Transport: TCP,
		Payload: []byte("abc"), Seg: Segment{Flags: FlagACK, Seq: 10, Ack: 20, Len: 3},
	}
}

func nwHash(evs ...Event) [32]byte {
	h := NewHashSink()
	for i := range evs {
		h.Event(&evs[i])
	}
	return h.Sum()
}

func TestHashSinkCoversEveryField(t *testing.T) {
	base := nwSampleEvent()
	ref := nwHash(base)
	nwEq(t, nwHash(nwSampleEvent()), ref, "equal events hash equal")
	mutations := []struct {
		name string
		f    func(e *Event)
	}{
		{"time", func(e *Event) { e.Time++ }},
		{"kind", func(e *Event) { e.Kind = KindDeliver }},
		{"reason", func(e *Event) { e.Reason = ReasonLoss }},
		{"id", func(e *Event) { e.ID++ }},
		{"src addr", func(e *Event) { e.Src = netip.MustParseAddrPort("10.0.0.9:5060") }},
		{"src port", func(e *Event) { e.Src = netip.MustParseAddrPort("10.0.0.1:5061") }},
		{"dst", func(e *Event) { e.Dst = netip.AddrPort{} }},
		{"hop from", func(e *Event) { e.Hop.From = "ab" }},
		{"hop to", func(e *Event) { e.Hop.To = "" }},
		{"size", func(e *Event) { e.Size++ }},
		{"wire", func(e *Event) { e.Wire++ }},
		{"frags", func(e *Event) { e.Frags++ }},
		{"label", func(e *Event) { e.Label = "ACK" }},
		{"transport", func(e *Event) { e.Transport = UDP }},
		{"payload byte", func(e *Event) { e.Payload = []byte("abd") }},
		{"payload length", func(e *Event) { e.Payload = []byte("ab") }},
		{"seg flags", func(e *Event) { e.Seg.Flags = FlagSYN }},
		{"seg seq", func(e *Event) { e.Seg.Seq++ }},
		{"seg ack", func(e *Event) { e.Seg.Ack++ }},
		{"seg len", func(e *Event) { e.Seg.Len++ }},
		{"retransmit", func(e *Event) { e.Seg.Retransmit = true }},
		{"host", func(e *Event) { e.Host = "x" }},
		{"detail", func(e *Event) { e.Detail = "x" }},
	}
	for _, m := range mutations {
		e := nwSampleEvent()
		m.f(&e)
		if nwHash(e) == ref {
			t.Errorf("changing the %s does not change the hash", m.name)
		}
	}
	// Boundaries between strings are encoded: ("ab","c") differs from
	// ("a","bc").
	e1, e2 := nwSampleEvent(), nwSampleEvent()
	e1.Hop, e2.Hop = Hop{"ab", "c"}, Hop{"a", "bc"}
	if nwHash(e1) == nwHash(e2) {
		t.Errorf("hop names are not length-prefixed")
	}
	// Order matters.
	a, b := nwSampleEvent(), nwSampleEvent()
	b.ID = 99
	if nwHash(a, b) == nwHash(b, a) {
		t.Errorf("the hash does not depend on event order")
	}
}

func TestHashSinkSumIsNonDestructive(t *testing.T) {
	evs := []Event{nwSampleEvent(), nwSampleEvent()}
	evs[1].Time = 99
	h := NewHashSink()
	h.Event(&evs[0])
	_ = h.Sum()
	h.Event(&evs[1])
	nwEq(t, h.Sum(), nwHash(evs...), "sum after an intermediate Sum")
	nwEq(t, h.Count(), uint64(2), "count")
	nwEq(t, NewHashSink().Sum() == h.Sum(), false, "empty hash differs")
}

func TestTeeAndRecorder(t *testing.T) {
	var order []string
	s1 := SinkFunc(func(e *Event) { order = append(order, "s1:"+e.Label) })
	s2 := SinkFunc(func(e *Event) { order = append(order, "s2:"+e.Label) })
	rec := &Recorder{}
	tee := Tee(s1, nil, rec, s2)
	e := nwSampleEvent()
	tee.Event(&e)
	e.Label = "changed" // sinks must copy: the network reuses its event
	nwEq(t, order, []string{"s1:INVITE", "s2:INVITE"}, "tee order")
	nwEq(t, rec.Events[0].Label, "INVITE", "the recorder keeps a copy")
}

func TestAnnotate(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a")
	tn.s.At(nwAt(nwMs(5)), func() { tn.n.Annotate("a", "timer", "Timer A fired") })
	tn.s.Run()
	nwEq(t, tn.rec.Events, []Event{{Time: nwAt(nwMs(5)), Kind: KindAnnotation, Host: "a", Label: "timer", Detail: "Timer A fired"}}, "annotation")
	tn.n.SetSink(nil)
	tn.n.Annotate("a", "x", "y") // no sink: nothing happens, no panic
	nwEq(t, len(tn.rec.Events), 1, "events after removing the sink")
}

func TestEnumStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{KindSend.String(), "send"},
		{KindWrite.String(), "write"},
		{KindArrive.String(), "arrive"},
		{KindDeliver.String(), "deliver"},
		{KindDrop.String(), "drop"},
		{KindHostDown.String(), "host-down"},
		{KindHostUp.String(), "host-up"},
		{KindAnnotation.String(), "annotation"},
		{Kind(0).String(), "Kind(0)"},
		{Kind(200).String(), "Kind(200)"},
		{ReasonNone.String(), ""},
		{ReasonLoss.String(), "loss"},
		{ReasonQueueOverflow.String(), "queue-overflow"},
		{ReasonMTU.String(), "mtu"},
		{ReasonLinkDown.String(), "link-down"},
		{ReasonHostDown.String(), "host-down"},
		{ReasonNoRoute.String(), "no-route"},
		{ReasonFilter.String(), "filter"},
		{ReasonReset.String(), "reset"},
		{ReasonTimeout.String(), "timeout"},
		{Reason(99).String(), "Reason(99)"},
		{UDP.String(), "UDP"},
		{TCP.String(), "TCP"},
		{Transport(5).String(), "Transport(5)"},
		{FlagSYN.String(), "SYN"},
		{(FlagSYN | FlagACK).String(), "SYN|ACK"},
		{SegFlag(0).String(), ""},
		{SegFlag(8).String(), "SegFlag(8)"},
		{Hop{"a", "b"}.String(), "a->b"},
		{Hop{}.String(), ""},
	}
	for _, tt := range tests {
		nwEq(t, tt.got, tt.want, "String()")
	}
}

func TestTraceCarriesPayloadByReference(t *testing.T) {
	tn := nwNew(t, 1, Options{}, "a", "b")
	tn.link("a", "b", LinkConfig{})
	p := []byte("INVITE sip:b SIP/2.0\r\n\r\n")
	nwMust(t, tn.n.Send(Datagram{Src: tn.ap("a"), Dst: tn.ap("b"), Payload: p, Label: "INVITE"}))
	tn.s.Run()
	for _, e := range tn.rec.Events {
		if len(e.Payload) != len(p) || &e.Payload[0] != &p[0] {
			t.Errorf("%v event does not reference the sender's payload", e.Kind)
		}
		nwEq(t, e.Size, len(p), "size of ", e.Kind)
		nwEq(t, e.Wire, len(p)+28, "wire size of ", e.Kind)
	}
	if nwEq(t, len(tn.got["b"]), 1, "deliveries") {
		nwEq(t, &tn.got["b"][0].d.Payload[0] == &p[0], true, "delivered payload is the sender's")
	}
}
