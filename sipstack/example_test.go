package sipstack_test

import (
	"fmt"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/uri"
)

func ExampleParseMessage() {
	data := []byte("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
		"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n" +
		"Max-Forwards: 70\r\n" +
		"t: Bob <sip:bob@biloxi.example.com>\r\n" +
		"f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
		"i: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
		"CSeq: 314159 INVITE\r\n" +
		"l: 0\r\n" +
		"\r\n")
	m, err := sipstack.ParseMessage(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	req := m.(*sipstack.Request)
	via, _ := req.Header.Via()
	from, _ := req.Header.From()
	cseq, _ := req.Header.CSeq()
	fmt.Println(req.Method, req.RequestURI)
	fmt.Println("top Via:", via.Host, via.Transport, via.Branch())
	fmt.Println("From:", from.DisplayName, from.URI, "tag", from.Tag())
	fmt.Println("CSeq:", cseq.Seq, cseq.Method)
	fmt.Println("Call-ID:", req.Header.CallID())
	// Output:
	// INVITE sip:bob@biloxi.example.com
	// top Via: pc33.atlanta.example.com UDP z9hG4bK776asdhds
	// From: Alice sip:alice@atlanta.example.com tag 1928301774
	// CSeq: 314159 INVITE
	// Call-ID: a84b4c76e66710@pc33.atlanta.example.com
}

func ExampleParseMessage_error() {
	_, err := sipstack.ParseMessage([]byte("OPTIONS sip:user@example.com SIP/7.0\r\n\r\n"))
	if pe, ok := err.(*sipstack.ParseError); ok {
		fmt.Println(pe.Line, pe.Status, pe)
	}
	// Output:
	// 1 505 sipstack: line 1: SIP-Version "SIP/7.0" is not SIP/2.0
}

func ExampleNewRequest() {
	target, err := uri.Parse("sip:bob@biloxi.example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	alice, _ := uri.Parse("sip:alice@atlanta.example.com")
	bob := target

	req := sipstack.NewRequest(sipstack.INVITE, target)
	req.Header.PrependVia(sipstack.Via{
		Transport: "UDP",
		Host:      "pc33.atlanta.example.com",
		Params:    sipstack.Params("").Set("branch", sipstack.BranchMagicCookie+"776asdhds"),
	})
	req.Header.SetMaxForwards(70)
	req.Header.Add("To", sipstack.Address{DisplayName: "Bob", URI: bob}.String())
	req.Header.Add("From", sipstack.Address{DisplayName: "Alice", URI: alice, Params: ";tag=1928301774"}.String())
	req.Header.Add("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com")
	req.Header.Add("CSeq", sipstack.CSeq{Seq: 314159, Method: sipstack.INVITE}.String())
	req.Header.Add("Contact", "<sip:alice@pc33.atlanta.example.com>")
	req.SetBody("application/sdp", []byte("v=0\r\n"+
		"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"+
		"s=-\r\n"+
		"c=IN IP4 pc33.atlanta.example.com\r\n"+
		"t=0 0\r\n"+
		"m=audio 49172 RTP/AVP 0\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"))

	// Lines end in CRLF on the wire; print them with LF only.
	fmt.Print(strings.ReplaceAll(string(req.AppendTo(nil)), "\r\n", "\n"))
	// Output:
	// INVITE sip:bob@biloxi.example.com SIP/2.0
	// Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds
	// Max-Forwards: 70
	// To: "Bob" <sip:bob@biloxi.example.com>
	// From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774
	// Call-ID: a84b4c76e66710@pc33.atlanta.example.com
	// CSeq: 314159 INVITE
	// Contact: <sip:alice@pc33.atlanta.example.com>
	// Content-Type: application/sdp
	// Content-Length: 162
	//
	// v=0
	// o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com
	// s=-
	// c=IN IP4 pc33.atlanta.example.com
	// t=0 0
	// m=audio 49172 RTP/AVP 0
	// a=rtpmap:0 PCMU/8000
}

func ExampleFramer() {
	var f sipstack.Framer
	msg := "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\r\n" +
		"To: <sip:carol@chicago.example.com>\r\n" +
		"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
		"Call-ID: a84b4c76e66710\r\n" +
		"CSeq: 63104 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	// A keep-alive, then two messages, arriving in pieces.
	stream := "\r\n\r\n" + msg + msg
	for i := 0; i < len(stream); i += 100 {
		f.Write([]byte(stream[i:min(i+100, len(stream))]))
		for {
			m, err := f.Next()
			if err != nil {
				fmt.Println(err)
				return
			}
			if m == nil {
				break
			}
			cseq, _ := m.Headers().CSeq()
			fmt.Println("got", cseq)
		}
	}
	// Output:
	// got 63104 OPTIONS
	// got 63104 OPTIONS
}
