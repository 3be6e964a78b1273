package nodes_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// ExampleNewStatefulProxy replays RFC 3665 3.2: Alice calls Bob through
// her proxy (atlanta, which challenges her with 407) and Bob's (biloxi,
// which finds him in its location service). Both proxies record-route, so
// the ACK and Bob's BYE go through them too.
func ExampleNewStatefulProxy() {
	rec := &sim.Recorder{}
	net, _ := sim.NewNetwork(sim.New(1), sim.Options{Sink: rec})
	for i, h := range []string{"alice", "ss1", "ss2", "bob"} {
		net.AddHost(h, netip.AddrFrom4([4]byte{192, 0, 2, byte(10 * (i + 1))}))
	}
	link := sim.LinkConfig{Delay: 10 * time.Millisecond}
	net.AddSymmetricLink("alice", "ss1", link)
	net.AddSymmetricLink("ss1", "ss2", link)
	net.AddSymmetricLink("ss2", "bob", link)
	zone := nodes.NewZone(net, 0)
	zone.Add("biloxi.example.com", nodes.Server{Host: "ss2"})

	aliceAOR, _ := uri.Parse("sip:alice@atlanta.example.com")
	bobAOR, _ := uri.Parse("sip:bob@biloxi.example.com")
	bobContact, _ := uri.Parse("sip:bob@192.0.2.40")
	ss1URI, _ := uri.Parse("sip:192.0.2.20")
	location := nodes.NewLocationService()
	location.Add(bobAOR, nodes.Binding{Contact: bobContact, Q: 1000, Expires: sim.MaxTime})

	nodes.NewStatefulProxy(net, nodes.Config{Host: "ss1"}, nodes.ProxyOptions{
		Domains:     []string{"atlanta.example.com"},
		Resolver:    nodes.NewResolver(zone, 0),
		RecordRoute: true,
		AuthRealm:   "atlanta.example.com",
		Credentials: map[string]string{"alice": "secret"},
	})
	nodes.NewStatefulProxy(net, nodes.Config{Host: "ss2"}, nodes.ProxyOptions{
		Domains:     []string{"biloxi.example.com"},
		Location:    location,
		RecordRoute: true,
	})
	alice, _ := nodes.NewUserAgent(net, nodes.Config{Host: "alice"}, nodes.UAOptions{
		AOR: aliceAOR, OutboundProxy: ss1URI, PreloadRoute: true,
		Credentials: []nodes.DigestCredentials{{Realm: "atlanta.example.com", Username: "alice", Password: "secret"}},
	})
	nodes.NewUserAgent(net, nodes.Config{Host: "bob"}, nodes.UAOptions{AOR: bobAOR,
		Answer: nodes.AnswerOptions{RingTime: sim.Constant{V: 1}, HoldTime: sim.Constant{V: 2}}})

	alice.Call(bobAOR, nodes.CallOptions{})
	net.Sim().Run()
	seen := map[uint64]bool{}
	for _, e := range rec.OfKind(sim.KindSend) {
		if !seen[e.ID] {
			seen[e.ID] = true
			fmt.Println(time.Duration(e.Time), net.HostByAddr(e.Src.Addr()).Name(), "->", net.HostByAddr(e.Dst.Addr()).Name(), e.Label)
		}
	}
	for _, e := range rec.OfKind(sim.KindAnnotation) {
		if e.Label == "challenge" {
			fmt.Println(e.Host, e.Label+":", e.Detail)
		}
	}
	// Output:
	// 0s alice -> ss1 INVITE
	// 10ms ss1 -> alice 100/INVITE
	// 10ms ss1 -> alice 407/INVITE
	// 20ms alice -> ss1 ACK
	// 20ms alice -> ss1 INVITE
	// 30ms ss1 -> alice 100/INVITE
	// 30ms ss1 -> ss2 INVITE
	// 40ms ss2 -> ss1 100/INVITE
	// 40ms ss2 -> bob INVITE
	// 50ms bob -> ss2 100/INVITE
	// 50ms bob -> ss2 180/INVITE
	// 60ms ss2 -> ss1 180/INVITE
	// 70ms ss1 -> alice 180/INVITE
	// 1.05s bob -> ss2 200/INVITE
	// 1.06s ss2 -> ss1 200/INVITE
	// 1.07s ss1 -> alice 200/INVITE
	// 1.08s alice -> ss1 ACK
	// 1.09s ss1 -> ss2 ACK
	// 1.1s ss2 -> bob ACK
	// 3.11s bob -> ss2 BYE
	// 3.12s ss2 -> ss1 BYE
	// 3.13s ss1 -> alice BYE
	// 3.14s alice -> ss1 200/BYE
	// 3.15s ss1 -> ss2 200/BYE
	// 3.16s ss2 -> bob 200/BYE
	// ss1 challenge: 407 for INVITE sip:bob@biloxi.example.com, realm "atlanta.example.com"
}
