package dialog_test

import (
	"fmt"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
)

func parse(lines ...string) sipstack.Message {
	m, err := sipstack.ParseMessage([]byte(strings.Join(lines, "\r\n") + "\r\n\r\n"))
	if err != nil {
		panic(err) // the example's own messages are well-formed
	}
	return m
}

// The caller's side of RFC 3665 3.2: Alice's INVITE went through two
// record-routing proxies; the 200 creates her dialog, and the ACK and the
// BYE follow the route set.
func Example() {
	invite := parse(
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"Route: <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 2 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	).(*sipstack.Request)
	ok := parse(
		"SIP/2.0 200 OK",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>, <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>;tag=314159",
		"Call-ID: 3848276298220188511@atlanta.example.com",
		"CSeq: 2 INVITE",
		"Contact: <sip:bob@client.biloxi.example.com>",
	).(*sipstack.Response)

	d, err := dialog.NewUAC(invite, ok)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.State(), d.ID())

	ack, _ := d.NewACK(invite)
	fmt.Print(strings.ReplaceAll(ack.String(), "\r\n", "\n"))
	bye, _ := d.NewRequest(sipstack.BYE)
	fmt.Println(bye.Method, bye.RequestURI, bye.Header.Get("CSeq"))
	// Output:
	// confirmed 3848276298220188511@atlanta.example.com;local-tag=9fxced76sl;remote-tag=314159
	// ACK sip:bob@client.biloxi.example.com SIP/2.0
	// Route: <sip:ss1.atlanta.example.com;lr>,<sip:ss2.biloxi.example.com;lr>
	// Max-Forwards: 70
	// From: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl
	// To: "Bob" <sip:bob@biloxi.example.com>;tag=314159
	// Call-ID: 3848276298220188511@atlanta.example.com
	// CSeq: 2 ACK
	// Content-Length: 0
	//
	// BYE sip:bob@client.biloxi.example.com 3 BYE
}

// The callee's side: Bob creates his dialog from the INVITE and his 200,
// then checks the requests Alice sends in it (RFC 3261 12.2.2).
func ExampleDialog_ReceiveRequest() {
	invite := parse(
		"INVITE sip:bob@client.biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: a84b4c76e66710",
		"CSeq: 314159 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	).(*sipstack.Request)
	ok, err := dialog.NewUASResponse(invite, 200, "a6c85cf") // the tag from package ident
	if err != nil {
		fmt.Println(err)
		return
	}
	ok.Header.Add("Contact", "<sip:bob@client.biloxi.example.com>")
	d, err := dialog.NewUAS(invite, ok)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, seq := range []string{"314160", "314150"} {
		info := parse(
			"INFO sip:bob@client.biloxi.example.com SIP/2.0",
			"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK"+seq,
			"Max-Forwards: 70",
			"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
			"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf",
			"Call-ID: a84b4c76e66710",
			"CSeq: "+seq+" INFO",
		).(*sipstack.Request)
		status, err := d.ReceiveRequest(info)
		fmt.Println(seq, status, err)
	}
	// Output:
	// 314160 0 <nil>
	// 314150 500 dialog: request out of order: CSeq 314150, remote sequence number 314160
}

// A UAC cancels its pending INVITE (RFC 3261 9.1); the UAS answers the
// CANCEL and terminates the INVITE (RFC 3261 9.2).
func ExampleNewCancel() {
	invite := parse(
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"Route: <sip:ss1.atlanta.example.com;lr>",
		"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: Bob <sip:bob@biloxi.example.com>",
		"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	).(*sipstack.Request)
	cancel, err := dialog.NewCancel(invite)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(cancel.String(), "\r\n", "\n"))

	ok, _ := dialog.NewCancelOK(cancel, "314159")
	terminated, _ := dialog.NewRequestTerminated(invite, "314159")
	fmt.Println(ok.StatusCode, ok.Header.Get("CSeq"))
	fmt.Println(terminated.StatusCode, terminated.Reason, terminated.Header.Get("CSeq"))
	// Output:
	// CANCEL sip:bob@biloxi.example.com SIP/2.0
	// Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
	// Max-Forwards: 70
	// Route: <sip:ss1.atlanta.example.com;lr>
	// From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
	// To: Bob <sip:bob@biloxi.example.com>
	// Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com
	// CSeq: 1 CANCEL
	// Content-Length: 0
	//
	// 200 1 CANCEL
	// 487 Request Terminated 1 INVITE
}

// A user agent keeps its dialogs in a Table and finds the one an incoming
// message belongs to.
func ExampleTable() {
	invite := parse(
		"INVITE sip:bob@biloxi.example.com SIP/2.0",
		"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
		"Max-Forwards: 70",
		"From: <sip:alice@atlanta.example.com>;tag=9fxced76sl",
		"To: <sip:bob@biloxi.example.com>",
		"Call-ID: fork-example",
		"CSeq: 1 INVITE",
		"Contact: <sip:alice@client.atlanta.example.com>",
	).(*sipstack.Request)
	var table dialog.Table
	// Two forks answer with provisional responses of their own tags.
	for _, tag := range []string{"fork-b", "fork-a", "fork-b"} {
		ringing := parse(
			"SIP/2.0 180 Ringing",
			"Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9",
			"From: <sip:alice@atlanta.example.com>;tag=9fxced76sl",
			"To: <sip:bob@biloxi.example.com>;tag="+tag,
			"Call-ID: fork-example",
			"CSeq: 1 INVITE",
			"Contact: <sip:bob@"+tag+".example.com>",
		).(*sipstack.Response)
		if d, _ := table.MatchResponse(ringing); d != nil {
			fmt.Println("known dialog", d.ID().RemoteTag)
			continue
		}
		d, err := dialog.NewUAC(invite, ringing)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = table.Add(d)
	}
	for _, id := range table.IDs() {
		fmt.Println(id.RemoteTag, table.Get(id).State())
	}
	// Output:
	// known dialog fork-b
	// fork-a early
	// fork-b early
}
