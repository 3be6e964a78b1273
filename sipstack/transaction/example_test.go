package transaction_test

import (
	"fmt"
	"net/netip"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

const exampleInvite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bf9\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@biloxi.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n" +
	"Call-ID: 3848276298220188511@atlanta.example.com\r\n" +
	"CSeq: 1 INVITE\r\n" +
	"Content-Length: 0\r\n\r\n"

// An INVITE client transaction over UDP: the INVITE is sent and Timer A
// retransmits it once; a 486 arrives, is passed up, and the transaction
// acknowledges it and waits for Timer D in "Completed".
func ExampleInviteClient() {
	req, err := sipstack.ParseRequest([]byte(exampleInvite))
	if err != nil {
		panic(err)
	}
	dest := transaction.Destination{Addr: netip.MustParseAddrPort("192.0.2.10:5060"), Transport: transaction.UDP}
	c, err := transaction.NewInviteClient(transaction.Config{}, req, dest)
	if err != nil {
		panic(err)
	}
	var out []transaction.Action
	show := func(when string) {
		fmt.Println(when + ":")
		for _, a := range out {
			fmt.Println("  ", a)
		}
	}

	out = c.Start(out[:0])
	show("start")
	out = c.Timer(transaction.TimerA, out[:0]) // at 0.5 s
	show("Timer A")
	busy := sipstack.NewResponse(req, 486, "")
	busy.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=314159")
	out = c.ReceiveResponse(busy, out[:0])
	show("486 received")
	out = c.Timer(transaction.TimerD, out[:0]) // 32 s later
	show("Timer D")
	// Output:
	// start:
	//    state Calling
	//    send "INVITE sip:bob@biloxi.example.com SIP/2.0" to 192.0.2.10:5060/UDP
	//    start Timer A 500ms
	//    start Timer B 32s
	// Timer A:
	//    send "INVITE sip:bob@biloxi.example.com SIP/2.0" to 192.0.2.10:5060/UDP
	//    start Timer A 1s
	// 486 received:
	//    stop Timer A
	//    stop Timer B
	//    state Completed
	//    send "ACK sip:bob@biloxi.example.com SIP/2.0" to 192.0.2.10:5060/UDP
	//    start Timer D 32s
	//    pass up 486
	// Timer D:
	//    terminated
}

// A layer on the server side: an INVITE creates a server transaction,
// which passes it up and sends 100 Trying to the address of the top Via; a
// retransmission of the INVITE is answered with the 100; the TU answers
// 200, and the transaction absorbs INVITE retransmissions in "Accepted"
// until Timer L. The ACK of the 2xx has a branch of its own, matches no
// transaction and goes straight to the TU.
func ExampleLayer() {
	l, err := transaction.NewLayer(transaction.Config{})
	if err != nil {
		panic(err)
	}
	source := transaction.Destination{Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Transport: transaction.UDP}
	var out []transaction.Action
	show := func(when string) {
		fmt.Println(when + ":")
		for _, a := range out {
			fmt.Println("  ", a)
		}
	}

	inv, _ := sipstack.ParseRequest([]byte(exampleInvite))
	out = l.ReceiveRequest(inv, source, out[:0])
	show("INVITE received")
	id := out[0].Tx

	again, _ := sipstack.ParseRequest([]byte(exampleInvite))
	out = l.ReceiveRequest(again, source, out[:0])
	show("INVITE retransmitted")

	ok := sipstack.NewResponse(inv, 200, "")
	ok.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=8321234356")
	out, err = l.Respond(id, ok, out[:0])
	if err != nil {
		panic(err)
	}
	show("200 from the TU")

	out = l.ReceiveRequest(again, source, out[:0])
	show("INVITE retransmitted in Accepted")

	ack := sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	ack.Header.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK74bfa")
	ack.Header.Add("From", inv.Header.Get("From"))
	ack.Header.Add("To", ok.Header.Get("To"))
	ack.Header.Add("Call-ID", inv.Header.CallID())
	ack.Header.Add("CSeq", "1 ACK")
	out = l.ReceiveRequest(ack, source, out[:0])
	show("ACK of the 2xx")

	out = l.Timer(id, transaction.TimerL, out[:0])
	show("Timer L")
	fmt.Println("live transactions:", l.Len())
	// Output:
	// INVITE received:
	//    state tx 1 Proceeding
	//    send tx 1 "SIP/2.0 100 Trying" to 192.0.2.1:5060/UDP
	//    pass up tx 1 INVITE
	// INVITE retransmitted:
	//    send tx 1 "SIP/2.0 100 Trying" to 192.0.2.1:5060/UDP
	// 200 from the TU:
	//    send tx 1 "SIP/2.0 200 OK" to 192.0.2.1:5060/UDP
	//    state tx 1 Accepted
	//    start tx 1 Timer L 32s
	// INVITE retransmitted in Accepted:
	// ACK of the 2xx:
	//    pass up ACK
	// Timer L:
	//    terminated tx 1
	// live transactions: 0
}
