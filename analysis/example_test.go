package analysis_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

// This example sends one SIP request over a simulated link, writes the
// JSON-lines trace of the run, reads it back and draws its ladder.
func Example() {
	names := analysis.Names{
		netip.MustParseAddr("10.0.0.1"): "alice",
		netip.MustParseAddr("10.0.0.2"): "bob",
	}
	var trace bytes.Buffer
	tw := analysis.NewTraceWriter(&trace, names)
	net, _ := sim.NewNetwork(sim.New(1), sim.Options{Sink: tw})
	net.AddHost("alice", netip.MustParseAddr("10.0.0.1"))
	net.AddHost("bob", netip.MustParseAddr("10.0.0.2"))
	net.AddSymmetricLink("alice", "bob", sim.LinkConfig{Delay: 15 * time.Millisecond})
	options := "OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:alice@10.0.0.1>;tag=a\r\nTo: <sip:bob@10.0.0.2>\r\n" +
		"Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	net.Send(sim.Datagram{
		Src:     netip.MustParseAddrPort("10.0.0.1:5060"),
		Dst:     netip.MustParseAddrPort("10.0.0.2:5060"),
		Payload: []byte(options),
		Label:   "OPTIONS",
	})
	net.Sim().Run()
	fmt.Print(trace.String())

	recs, err := analysis.ReadRecords(&trace)
	if err != nil {
		fmt.Println(err)
		return
	}
	analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"alice", "bob"}}).WriteText(os.Stdout)
	// Output:
	// {"t_ns":0,"event":"send","id":1,"node":"","from":"alice","to":"bob","transport":"UDP","method":"OPTIONS","status":0,"reason":"","call_id":"c1","cseq":1,"branch":"z9hG4bK1","size":209,"retransmission":false,"hop":"","label":"OPTIONS","detail":""}
	// {"t_ns":15000000,"event":"recv","id":1,"node":"","from":"alice","to":"bob","transport":"UDP","method":"OPTIONS","status":0,"reason":"","call_id":"c1","cseq":1,"branch":"z9hG4bK1","size":209,"retransmission":false,"hop":"","label":"OPTIONS","detail":""}
	// t (ms)    alice        bob
	//             |           |
	//             |  OPTIONS  |
	//  0.000      |---------->|
	//             |           |
}
