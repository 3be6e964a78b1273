package nodes_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// A stateless proxy routes there.com to the server "srv": it forwards the
// INVITE with its own Via and Max-Forwards one lower, and the 200 back to
// the caller without its Via. It keeps nothing: no event is left pending.
func ExampleNewStatelessProxy() {
	rec := &sim.Recorder{}
	net, _ := sim.NewNetwork(sim.New(1), sim.Options{Sink: rec})
	for i, h := range []string{"ua", "sl", "srv"} {
		net.AddHost(h, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
	}
	net.AddSymmetricLink("ua", "sl", sim.LinkConfig{Delay: 5 * time.Millisecond})
	net.AddSymmetricLink("sl", "srv", sim.LinkConfig{Delay: 5 * time.Millisecond})
	nodes.NewStatelessProxy(net, nodes.Config{Host: "sl"}, nodes.StatelessOptions{
		Routes: map[string]string{"there.com": "sip:srv"},
	})

	// srv answers every INVITE with 200 and prints what it got.
	srv := net.Host("srv")
	srv.SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		req, err := sipstack.ParseRequest(d.Payload)
		if err != nil {
			return
		}
		mf, _ := req.Header.MaxForwards()
		fmt.Println("srv got", req.Method, "Max-Forwards", mf, "Vias", len(req.Header.Values("Via")))
		resp := sipstack.NewResponse(req, 200, "")
		net.Send(sim.Datagram{Src: srv.AddrPort(5060), Dst: d.Src, Payload: resp.AppendTo(nil), Label: nodes.Label(resp)})
	}))
	net.Host("ua").SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		resp, _ := sipstack.ParseResponse(d.Payload)
		fmt.Println("ua got", resp.StatusCode, "Via", resp.Header.Values("Via"))
	}))

	u, _ := uri.Parse("sip:user2@there.com")
	inv := sipstack.NewRequest(sipstack.INVITE, u)
	inv.Header.Add("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKua1")
	inv.Header.Add("Max-Forwards", "70")
	inv.Header.Add("From", "<sip:user1@here.com>;tag=1")
	inv.Header.Add("To", "<sip:user2@there.com>")
	inv.Header.Add("Call-ID", "c1@here.com")
	inv.Header.Add("CSeq", "1 INVITE")
	net.Send(sim.Datagram{Src: netip.MustParseAddrPort("10.0.0.1:5060"), Dst: net.Host("sl").AddrPort(5060), Payload: inv.AppendTo(nil), Label: "INVITE"})
	net.Sim().Run()

	for _, e := range rec.OfKind(sim.KindSend) {
		fmt.Println(e.Time, net.HostByAddr(e.Src.Addr()).Name(), "->", net.HostByAddr(e.Dst.Addr()).Name(), e.Label)
	}
	fmt.Println("pending events:", net.Sim().Pending())
	// Output:
	// srv got INVITE Max-Forwards 69 Vias 2
	// ua got 200 Via [SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKua1]
	// 0.000000000 ua -> sl INVITE
	// 0.005000000 sl -> srv INVITE
	// 0.010000000 srv -> sl 200/INVITE
	// 0.015000000 sl -> ua 200/INVITE
	// pending events: 0
}
