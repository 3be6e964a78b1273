package nodes_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// ExampleUserAgent_Call replays RFC 3665 3.1: Alice calls Bob, who rings
// for one second, answers, and hangs up two seconds after the ACK.
func ExampleUserAgent_Call() {
	rec := &sim.Recorder{}
	net, _ := sim.NewNetwork(sim.New(1), sim.Options{Sink: rec})
	net.AddHost("alice", netip.MustParseAddr("192.0.2.101"))
	net.AddHost("bob", netip.MustParseAddr("192.0.2.201"))
	net.AddSymmetricLink("alice", "bob", sim.LinkConfig{Delay: 10 * time.Millisecond})
	zone := nodes.NewZone(net, 0)
	zone.Add("biloxi.example.com", nodes.Server{Host: "bob"})

	// A UA that rings at once sends no 100 Trying (RFC 3261 17.2.1).
	timers := transaction.Config{Trying: transaction.TryingNone}
	aliceAOR, _ := uri.Parse("sip:alice@atlanta.example.com")
	bobAOR, _ := uri.Parse("sip:bob@biloxi.example.com")
	alice, _ := nodes.NewUserAgent(net, nodes.Config{Host: "alice", Timers: timers},
		nodes.UAOptions{AOR: aliceAOR, Resolver: nodes.NewResolver(zone, 0)})
	nodes.NewUserAgent(net, nodes.Config{Host: "bob", Timers: timers},
		nodes.UAOptions{AOR: bobAOR, Answer: nodes.AnswerOptions{
			RingTime: sim.Constant{V: 1}, HoldTime: sim.Constant{V: 2}}})

	call, err := alice.Call(bobAOR, nodes.CallOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	net.Sim().Run()
	for _, e := range rec.OfKind(sim.KindSend) {
		fmt.Println(time.Duration(e.Time), net.HostByAddr(e.Src.Addr()).Name(), "->", net.HostByAddr(e.Dst.Addr()).Name(), e.Label)
	}
	t := call.Times()
	fmt.Println(call.Outcome(), call.Status(), "answered after", time.Duration(t.Answer-t.Invite))
	// Output:
	// 0s alice -> bob INVITE
	// 10ms bob -> alice 180/INVITE
	// 1.01s bob -> alice 200/INVITE
	// 1.02s alice -> bob ACK
	// 3.03s bob -> alice BYE
	// 3.04s alice -> bob 200/BYE
	// completed 200 answered after 1.02s
}
