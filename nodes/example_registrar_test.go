package nodes_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// exUA is the smallest transaction user: it prints final responses.
type exUA struct{}

func (exUA) Request(transaction.ID, *sipstack.Request, transaction.Destination) {}
func (exUA) Response(_ transaction.ID, r *sipstack.Response) {
	if r.StatusCode >= 200 {
		fmt.Println(r.StatusCode, r.Reason, r.Header.Values("Contact"))
	}
}
func (exUA) Failed(transaction.ID, transaction.Timer) {}

// A registrar and a redirect server share one location service: Bob
// registers for 600 s, and an INVITE for him is redirected to where he
// registered, with the binding's remaining lifetime. (Bob's REGISTER
// transaction waits for Timer K, and the registrar's for Timer J, 32 s,
// before the simulation runs dry.)
func ExampleNewRegistrar() {
	rec := &sim.Recorder{}
	net, _ := sim.NewNetwork(sim.New(1), sim.Options{Sink: rec})
	for i, h := range []string{"bob", "registrar", "redirect"} {
		net.AddHost(h, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
	}
	net.AddSymmetricLink("bob", "registrar", sim.LinkConfig{Delay: 5 * time.Millisecond})
	net.AddSymmetricLink("bob", "redirect", sim.LinkConfig{Delay: 5 * time.Millisecond})

	loc := nodes.NewLocationService()
	cfg := func(h string) nodes.Config { return nodes.Config{Host: h, Domain: "biloxi.example.com"} }
	nodes.NewRegistrar(net, cfg("registrar"), nodes.RegistrarOptions{Location: loc})
	nodes.NewRedirectServer(net, cfg("redirect"), nodes.RedirectOptions{Location: loc})
	bob, _ := nodes.NewCore(net, nodes.Config{Host: "bob"}, exUA{})

	send := func(method, ruri, to string, extra ...string) {
		u, _ := uri.Parse(ruri)
		req := sipstack.NewRequest(method, u)
		req.Header.PrependVia(bob.Via(transaction.UDP))
		req.Header.Add("Max-Forwards", "70")
		req.Header.Add("From", "<sip:bob@biloxi.example.com>;tag="+bob.IDs().Tag())
		req.Header.Add("To", "<sip:bob@biloxi.example.com>")
		req.Header.Add("Call-ID", bob.IDs().CallID())
		req.Header.Add("CSeq", "1 "+method)
		for i := 0; i+1 < len(extra); i += 2 {
			req.Header.Add(extra[i], extra[i+1])
		}
		bob.SendRequest(req, transaction.Destination{Addr: net.Host(to).AddrPort(nodes.DefaultPort)})
	}
	send(sipstack.REGISTER, "sip:biloxi.example.com", "registrar", "Contact", "<sip:bob@client.biloxi.example.com>", "Expires", "600")
	net.Sim().Run()
	send(sipstack.INVITE, "sip:bob@biloxi.example.com", "redirect")
	net.Sim().Run()

	for _, e := range rec.OfKind(sim.KindSend) {
		fmt.Println(e.Time, net.HostByAddr(e.Src.Addr()).Name(), "->", net.HostByAddr(e.Dst.Addr()).Name(), e.Label)
	}
	// Output:
	// 200 OK [<sip:bob@client.biloxi.example.com>;expires=600]
	// 302 Moved Temporarily [<sip:bob@client.biloxi.example.com>;expires=567]
	// 0.000000000 bob -> registrar REGISTER
	// 0.005000000 registrar -> bob 200/REGISTER
	// 32.005000000 bob -> redirect INVITE
	// 32.010000000 redirect -> bob 302/INVITE
	// 32.015000000 bob -> redirect ACK
}
