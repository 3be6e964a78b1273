package sdp_test

import (
	"fmt"
	"strings"

	"github.com/sipsim/sipsim/sipstack/sdp"
)

// show prints a session description with LF line ends.
func show(s *sdp.Session) {
	b, err := s.Marshal()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Print(strings.ReplaceAll(string(b), "\r\n", "\n"))
}

func ExampleParse() {
	body := "v=0\r\n" +
		"o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.101\r\n" +
		"t=0 0\r\n" +
		"m=audio 49172 RTP/AVP 0 101\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-15\r\n" +
		"a=ptime:20\r\n" +
		"a=sendonly\r\n"
	s, err := sdp.Parse([]byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := &s.Media[0]
	fmt.Println(m.Type, m.Port, m.Proto, m.Formats)
	for _, c := range m.Codecs() {
		fmt.Printf("%d %s/%d %q\n", c.PayloadType, c.Name, c.ClockRate, c.Fmtp)
	}
	ptime, _ := m.Ptime()
	fmt.Println("ptime", ptime, "direction", s.MediaDirection(0), "to", s.MediaConnection(0).Address)

	_, err = sdp.Parse([]byte("v=0\r\ns=-\r\n"))
	fmt.Println(err)
	// Output:
	// audio 49172 RTP/AVP [0 101]
	// 0 PCMU/8000 ""
	// 101 telephone-event/8000 "0-15"
	// ptime 20ms direction sendonly to 192.0.2.101
	// sdp: line 2 (s=): missing o= line before s=
}

func ExampleOffer() {
	caps := sdp.Capabilities{Media: []sdp.MediaCapability{
		{Type: "audio", Port: 49170, Codecs: []sdp.Codec{
			{PayloadType: 0, Name: "PCMU", ClockRate: 8000},
			{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Fmtp: "0-15"},
		}},
		{Type: "video", Port: 51372, Codecs: []sdp.Codec{
			{PayloadType: 31, Name: "H261", ClockRate: 90000},
		}},
	}}
	origin := sdp.Origin{Username: "user1", SessionID: 1001, SessionVersion: 1, NetType: "IN", AddrType: "IP4", Address: "192.0.2.10"}
	offer, err := sdp.Offer(caps, origin)
	if err != nil {
		fmt.Println(err)
		return
	}
	show(offer)
	// Output:
	// v=0
	// o=user1 1001 1 IN IP4 192.0.2.10
	// s=-
	// c=IN IP4 192.0.2.10
	// t=0 0
	// m=audio 49170 RTP/AVP 0 101
	// a=rtpmap:0 PCMU/8000
	// a=rtpmap:101 telephone-event/8000
	// a=fmtp:101 0-15
	// m=video 51372 RTP/AVP 31
	// a=rtpmap:31 H261/90000
}

// The called user's software could do video, but the user wants audio
// only: the answer rejects the offered video stream with port 0.
func ExampleAnswer() {
	offer, _ := sdp.Parse([]byte("v=0\r\n" +
		"o=user1 1001 1 IN IP4 192.0.2.10\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.10\r\n" +
		"t=0 0\r\n" +
		"m=audio 49170 RTP/AVP 0 97\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:97 iLBC/8000\r\n" +
		"m=video 51372 RTP/AVP 31\r\n" +
		"a=rtpmap:31 H261/90000\r\n"))
	audioOnly := sdp.Capabilities{Media: []sdp.MediaCapability{
		// iLBC has another dynamic payload type here; it matches by name.
		{Type: "audio", Port: 3456, Codecs: []sdp.Codec{{PayloadType: 98, Name: "iLBC", ClockRate: 8000}}},
	}}
	origin := sdp.Origin{Username: "user2", SessionID: 2002, SessionVersion: 1, NetType: "IN", AddrType: "IP4", Address: "192.0.2.20"}
	answer, err := sdp.Answer(offer, audioOnly, origin)
	if err != nil {
		fmt.Println(err) // ErrNoCommonMedia: reply 488 Not Acceptable Here
		return
	}
	show(answer)
	streams, _ := sdp.Negotiate(offer, answer)
	for _, st := range streams {
		fmt.Println(st.Type, "active:", st.Active, st.Direction, st.Codecs)
	}
	// Output:
	// v=0
	// o=user2 2002 1 IN IP4 192.0.2.20
	// s=-
	// c=IN IP4 192.0.2.20
	// t=0 0
	// m=audio 3456 RTP/AVP 97
	// a=rtpmap:97 iLBC/8000
	// m=video 0 RTP/AVP 31
	// audio active: true sendrecv [{97 iLBC 8000 0 }]
	// video active: false inactive []
}

// Later in the call, the user adds videoconferencing with a re-INVITE: the
// re-offer starts from the previous local description, increments the o=
// version, keeps the audio m line and adds a video one (RFC 3264 8.1).
func ExampleAddVideo() {
	prev, _ := sdp.Parse([]byte("v=0\r\n" +
		"o=user1 1001 1 IN IP4 192.0.2.10\r\n" +
		"s=-\r\n" +
		"c=IN IP4 192.0.2.10\r\n" +
		"t=0 0\r\n" +
		"m=audio 49170 RTP/AVP 0\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n"))
	reoffer, err := sdp.AddVideo(prev, sdp.MediaCapability{
		Port:   51372,
		Codecs: []sdp.Codec{{PayloadType: 96, Name: "H264", ClockRate: 90000, Fmtp: "profile-level-id=42e01f"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	show(reoffer)

	// Removing video again disables the stream in place.
	removed, _ := sdp.RemoveVideo(reoffer)
	fmt.Println(removed.Origin.SessionVersion, removed.Media[1].Type, removed.Media[1].Port)
	// Output:
	// v=0
	// o=user1 1001 2 IN IP4 192.0.2.10
	// s=-
	// c=IN IP4 192.0.2.10
	// t=0 0
	// m=audio 49170 RTP/AVP 0
	// a=rtpmap:0 PCMU/8000
	// m=video 51372 RTP/AVP 96
	// a=rtpmap:96 H264/90000
	// a=fmtp:96 profile-level-id=42e01f
	// 3 video 0
}
