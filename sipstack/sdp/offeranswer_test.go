package sdp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	pcmu   = Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000}
	pcma   = Codec{PayloadType: 8, Name: "PCMA", ClockRate: 8000}
	g729   = Codec{PayloadType: 18, Name: "G729", ClockRate: 8000, Fmtp: "annexb=no"}
	dtmf   = Codec{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Fmtp: "0-16"}
	opus   = Codec{PayloadType: 111, Name: "opus", ClockRate: 48000, Channels: 2}
	h261   = Codec{PayloadType: 31, Name: "H261", ClockRate: 90000}
	mpv    = Codec{PayloadType: 32, Name: "MPV", ClockRate: 90000}
	h264   = Codec{PayloadType: 96, Name: "H264", ClockRate: 90000, Fmtp: "profile-level-id=42e01f"}
	origin = func(user, addr string, id, ver uint64) Origin {
		return Origin{Username: user, SessionID: id, SessionVersion: ver, NetType: "IN", AddrType: "IP4", Address: addr}
	}
	alice = origin("alice", "192.0.2.101", 2890844526, 2890844526)
	bob   = origin("bob", "192.0.2.201", 2890844527, 2890844527)

	audioCap = MediaCapability{Type: "audio", Port: 49172, Codecs: []Codec{pcmu, pcma, dtmf}, Ptime: 20 * time.Millisecond}
	videoCap = MediaCapability{Type: "video", Port: 51372, Codecs: []Codec{h264, h261}}
)

func TestOfferGolden(t *testing.T) {
	s, err := Offer(Capabilities{Media: []MediaCapability{audioCap, videoCap}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(
		"v=0",
		"o=alice 2890844526 2890844526 IN IP4 192.0.2.101",
		"s=-",
		"c=IN IP4 192.0.2.101",
		"t=0 0",
		"m=audio 49172 RTP/AVP 0 8 101",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
		"a=ptime:20",
		"m=video 51372 RTP/AVP 96 31",
		"a=rtpmap:96 H264/90000",
		"a=rtpmap:31 H261/90000",
		"a=fmtp:96 profile-level-id=42e01f",
	)
	equal(t, "Offer", mustMarshal(t, s), want)
}

func TestOfferDirectionAndNonRTP(t *testing.T) {
	s, err := Offer(Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 4000, Codecs: []Codec{opus}, Direction: RecvOnly},
		{Type: "image", Port: 6000, Proto: "udptl", Codecs: []Codec{{Name: "t38"}}},
	}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	got := mustMarshal(t, s)
	for _, line := range []string{"m=audio 4000 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=recvonly\r\n", "m=image 6000 udptl t38\r\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("offer lacks %q:\n%s", line, got)
		}
	}
}

func TestCapabilityErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cap    MediaCapability
		origin Origin
	}{
		{"port 0", MediaCapability{Type: "audio", Codecs: []Codec{pcmu}}, alice},
		{"port too big", MediaCapability{Type: "audio", Port: 65536, Codecs: []Codec{pcmu}}, alice},
		{"no codecs", MediaCapability{Type: "audio", Port: 1}, alice},
		{"bad type", MediaCapability{Type: "au dio", Port: 1, Codecs: []Codec{pcmu}}, alice},
		{"payload type used twice", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{pcmu, {PayloadType: 0, Name: "X", ClockRate: 1}}}, alice},
		{"payload type 128", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{{PayloadType: 128, Name: "X", ClockRate: 1}}}, alice},
		{"codec without name", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{{PayloadType: 96, ClockRate: 8000}}}, alice},
		{"codec without clock rate", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{{PayloadType: 96, Name: "X"}}}, alice},
		{"bad direction", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{pcmu}, Direction: 9}, alice},
		{"negative ptime", MediaCapability{Type: "audio", Port: 1, Codecs: []Codec{pcmu}, Ptime: -1}, alice},
		{"origin without address", audioCap, Origin{Username: "a", NetType: "IN", AddrType: "IP4"}},
		{"origin version beyond int64 (RFC 3264 5)", audioCap, origin("a", "x", 1, 1<<63)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			caps := Capabilities{Media: []MediaCapability{tt.cap}}
			if _, err := Offer(caps, tt.origin); !errors.Is(err, ErrCapabilities) {
				t.Errorf("Offer error = %v, want ErrCapabilities", err)
			}
			offer := mustParse(t, rfc3665Offer)
			if _, err := Answer(offer, caps, tt.origin); !errors.Is(err, ErrCapabilities) {
				t.Errorf("Answer error = %v, want ErrCapabilities", err)
			}
		})
	}
	if _, err := Answer(nil, Capabilities{}, bob); !errors.Is(err, ErrCapabilities) {
		t.Errorf("Answer(nil) error = %v", err)
	}
}

// TestAnswerRFC3665 answers the offer of RFC 3665 3.1 as Bob does there.
func TestAnswerRFC3665(t *testing.T) {
	offer := mustParse(t, rfc3665Offer)
	caps := Capabilities{Media: []MediaCapability{{Type: "audio", Port: 3456, Codecs: []Codec{pcmu}}}}
	ans, err := Answer(offer, caps, origin("bob", "192.0.2.201", 2890844527, 2890844527))
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(
		"v=0",
		"o=bob 2890844527 2890844527 IN IP4 192.0.2.201",
		"s=-",
		"c=IN IP4 192.0.2.201",
		"t=0 0",
		"m=audio 3456 RTP/AVP 0",
		"a=rtpmap:0 PCMU/8000",
	)
	equal(t, "Answer", mustMarshal(t, ans), want)
	streams, err := Negotiate(offer, ans)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "streams", streams, []Stream{{
		Index: 0, Type: "audio", Proto: "RTP/AVP", Active: true, Direction: SendRecv,
		Codecs:       []Codec{pcmu},
		OfferAddress: "192.0.2.101", OfferPort: 49172, AnswerAddress: "192.0.2.201", AnswerPort: 3456,
	}})
}

// TestAnswerAudioOnlyUser: the user's software supports video but the user
// wants audio only (the seed's "designated capabilities"): the video
// stream is rejected with port 0 in its place (RFC 3264 6).
func TestAnswerAudioOnlyUser(t *testing.T) {
	offer := mustParse(t, rfc3264Offer)
	caps := Capabilities{Media: []MediaCapability{{Type: "audio", Port: 49174, Codecs: []Codec{pcmu}}}}
	ans, err := Answer(offer, caps, bob)
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(
		"v=0",
		"o=bob 2890844527 2890844527 IN IP4 192.0.2.201",
		"s=-",
		"c=IN IP4 192.0.2.201",
		"t=0 0",
		"m=audio 49174 RTP/AVP 0",
		"a=rtpmap:0 PCMU/8000",
		"m=video 0 RTP/AVP 31 32",
	)
	equal(t, "Answer", mustMarshal(t, ans), want)
	streams, err := Negotiate(offer, ans)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "audio active", streams[0].Active, true)
	equal(t, "video active", streams[1].Active, false)
	equal(t, "video direction", streams[1].Direction, Inactive)
	equal(t, "video codecs", streams[1].Codecs, []Codec(nil))
}

// TestAnswerRFC3264Example is the exchange of RFC 3264 10.1: Bob accepts
// PCMU audio and MPV video.
func TestAnswerRFC3264Example(t *testing.T) {
	offer := mustParse(t, rfc3264Offer)
	caps := Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 49174, Codecs: []Codec{pcmu}},
		{Type: "video", Port: 49170, Codecs: []Codec{mpv}},
	}}
	ans, err := Answer(offer, caps, origin("bob", "host.biloxi.example.com", 2808844564, 2808844564))
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(
		"v=0",
		"o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com",
		"s=-",
		"c=IN IP4 host.biloxi.example.com",
		"t=0 0",
		"m=audio 49174 RTP/AVP 0",
		"a=rtpmap:0 PCMU/8000",
		"m=video 49170 RTP/AVP 32",
		"a=rtpmap:32 MPV/90000",
	)
	equal(t, "Answer", mustMarshal(t, ans), want)
}

// TestAnswerFormats covers the payload type intersection of RFC 3264 6.1.
func TestAnswerFormats(t *testing.T) {
	offerText := func(fmts string, attrs ...string) string {
		return crlf(append([]string{"v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
			"m=audio 4000 RTP/AVP " + fmts}, attrs...)...)
	}
	for _, tt := range []struct {
		name   string
		offer  string
		codecs []Codec
		order  FormatOrder
		want   string // answer media formats and attributes, "" for rejected
	}{
		{"static payload types without rtpmap match the RFC 3551 table",
			offerText("8 0"), []Codec{pcmu, pcma}, OfferOrder,
			"m=audio 5000 RTP/AVP 8 0\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"},
		{"local order puts the answerer's preference first",
			offerText("8 0"), []Codec{pcmu, pcma}, LocalOrder,
			"m=audio 5000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"},
		{"dynamic payload types match by rtpmap and keep the offer's numbers",
			offerText("97 98", "a=rtpmap:97 OPUS/48000/2", "a=rtpmap:98 telephone-event/8000"),
			[]Codec{opus, dtmf}, OfferOrder,
			"m=audio 5000 RTP/AVP 97 98\r\na=rtpmap:97 OPUS/48000/2\r\na=rtpmap:98 telephone-event/8000\r\na=fmtp:98 0-16\r\n"},
		{"channel count must match",
			offerText("97 0", "a=rtpmap:97 opus/48000"), []Codec{opus, pcmu}, OfferOrder,
			"m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"},
		{"clock rate must match",
			offerText("96 0", "a=rtpmap:96 telephone-event/48000"), []Codec{dtmf, pcmu}, OfferOrder,
			"m=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"},
		{"dynamic payload type without rtpmap is unknown",
			offerText("96 8"), []Codec{{PayloadType: 96, Name: "X", ClockRate: 8000}, pcma}, OfferOrder,
			"m=audio 5000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n"},
		{"an rtpmap overrides the static assignment",
			offerText("0", "a=rtpmap:0 G729/8000"), []Codec{pcmu}, OfferOrder, ""},
		{"answerer's fmtp is written under the offer's number",
			offerText("100", "a=rtpmap:100 G729/8000"), []Codec{g729}, OfferOrder,
			"m=audio 5000 RTP/AVP 100\r\na=rtpmap:100 G729/8000\r\na=fmtp:100 annexb=no\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			offer := mustParse(t, tt.offer)
			offer.Media = append(offer.Media, Media{Type: "video", Port: 6000, Proto: "RTP/AVP", Formats: []string{"31"}})
			caps := Capabilities{Order: tt.order, Media: []MediaCapability{
				{Type: "audio", Port: 5000, Codecs: tt.codecs},
				{Type: "video", Port: 6002, Codecs: []Codec{h261}},
			}}
			ans, err := Answer(offer, caps, bob)
			if err != nil {
				t.Fatal(err)
			}
			text := mustMarshal(t, ans)
			_, media, _ := strings.Cut(text, "m=audio")
			media, _, _ = strings.Cut("m=audio"+media, "m=video")
			want := tt.want
			if want == "" {
				want = "m=audio 0 RTP/AVP " + strings.Join(offer.Media[0].Formats, " ") + "\r\n"
			}
			if media != want {
				t.Errorf("answer audio = %q, want %q", media, want)
			}
			if err := ValidateAnswer(offer, ans); err != nil {
				t.Errorf("ValidateAnswer: %v", err)
			}
		})
	}
}

// TestAnswerDirection covers RFC 3264 6.1: sendonly is answered recvonly,
// recvonly sendonly, inactive inactive, sendrecv with the answerer's wish.
func TestAnswerDirection(t *testing.T) {
	all := []Direction{SendRecv, SendOnly, RecvOnly, Inactive}
	want := map[[2]Direction]Direction{ // (offered, wanted) -> answered
		{SendRecv, SendRecv}: SendRecv, {SendRecv, SendOnly}: SendOnly, {SendRecv, RecvOnly}: RecvOnly, {SendRecv, Inactive}: Inactive,
		{SendOnly, SendRecv}: RecvOnly, {SendOnly, SendOnly}: Inactive, {SendOnly, RecvOnly}: RecvOnly, {SendOnly, Inactive}: Inactive,
		{RecvOnly, SendRecv}: SendOnly, {RecvOnly, SendOnly}: SendOnly, {RecvOnly, RecvOnly}: Inactive, {RecvOnly, Inactive}: Inactive,
		{Inactive, SendRecv}: Inactive, {Inactive, SendOnly}: Inactive, {Inactive, RecvOnly}: Inactive, {Inactive, Inactive}: Inactive,
	}
	for _, sessionLevel := range []bool{false, true} {
		for _, off := range all {
			for _, wish := range all {
				dirLine := "a=" + off.String()
				lines := []string{"v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0"}
				if sessionLevel {
					lines = append(lines, dirLine, "m=audio 4000 RTP/AVP 0")
				} else {
					lines = append(lines, "m=audio 4000 RTP/AVP 0", dirLine)
				}
				offer := mustParse(t, crlf(lines...))
				caps := Capabilities{Media: []MediaCapability{{Type: "audio", Port: 5000, Codecs: []Codec{pcmu}, Direction: wish}}}
				ans, err := Answer(offer, caps, bob)
				if err != nil {
					t.Fatal(err)
				}
				got := ans.MediaDirection(0)
				if w := want[[2]Direction{off, wish}]; got != w {
					t.Errorf("offer %s (session level %v), answerer wants %s: answer %s, want %s", off, sessionLevel, wish, got, w)
				}
				if got == SendRecv && ans.Media[0].Attributes.Has("sendrecv") {
					t.Errorf("sendrecv answer carries a redundant a=sendrecv")
				}
				if err := ValidateAnswer(offer, ans); err != nil {
					t.Errorf("ValidateAnswer(%s/%s): %v", off, wish, err)
				}
				streams, _ := Negotiate(offer, ans)
				// The offerer sends iff it offered to send and the answer receives.
				wantFlow := makeDirection(off.Sends() && got.Receives(), off.Receives() && got.Sends())
				equal(t, "stream direction", streams[0].Direction, wantFlow)
			}
		}
	}
}

// TestAnswerNoCommonCodec: when no offered stream can be accepted, Answer
// returns ErrNoCommonMedia (the UA answers 488) rather than an answer with
// every stream rejected.
func TestAnswerNoCommonCodec(t *testing.T) {
	offer := mustParse(t, rfc3264Offer)
	caps := Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 5000, Codecs: []Codec{g729}},
		{Type: "video", Port: 5002, Codecs: []Codec{h264}},
	}}
	ans, err := Answer(offer, caps, bob)
	if !errors.Is(err, ErrNoCommonMedia) || ans != nil {
		t.Errorf("Answer = %v, %v; want nil, ErrNoCommonMedia", ans, err)
	}
	// No capability of the offered type at all: the same.
	if _, err := Answer(offer, Capabilities{}, bob); !errors.Is(err, ErrNoCommonMedia) {
		t.Errorf("Answer with no capabilities: %v, want ErrNoCommonMedia", err)
	}
}

func TestAnswerEdgeCases(t *testing.T) {
	t.Run("all streams disabled in the offer", func(t *testing.T) {
		offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "m=audio 0 RTP/AVP 0", "m=video 0 RTP/AVP 31"))
		ans, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "ports", []int{ans.Media[0].Port, ans.Media[1].Port}, []int{0, 0})
	})
	t.Run("no m lines", func(t *testing.T) {
		offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0"))
		ans, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob)
		if err != nil || len(ans.Media) != 0 {
			t.Errorf("Answer = %v, %v; want an answer without media", ans, err)
		}
	})
	t.Run("one capability accepts one stream", func(t *testing.T) {
		offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "m=audio 4000 RTP/AVP 0", "m=audio 4002 RTP/AVP 0"))
		ans, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "ports", []int{ans.Media[0].Port, ans.Media[1].Port}, []int{audioCap.Port, 0})
	})
	t.Run("protocol mismatch rejects the stream", func(t *testing.T) {
		offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "m=audio 4000 RTP/SAVP 0", "m=audio 4002 RTP/AVP 0"))
		ans, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "ports", []int{ans.Media[0].Port, ans.Media[1].Port}, []int{0, audioCap.Port})
		equal(t, "rejected proto", ans.Media[0].Proto, "RTP/SAVP")
	})
	t.Run("non-RTP formats match by name", func(t *testing.T) {
		offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "m=image 4000 udptl t38"))
		caps := Capabilities{Media: []MediaCapability{{Type: "image", Port: 6000, Proto: "udptl", Codecs: []Codec{{Name: "t38"}}}}}
		ans, err := Answer(offer, caps, bob)
		if err != nil {
			t.Fatal(err)
		}
		streams, err := Negotiate(offer, ans)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "codecs", streams[0].Codecs, []Codec{{Name: "t38"}})
	})
	t.Run("invalid hand-built offer", func(t *testing.T) {
		offer := mustParse(t, rfc3665Offer)
		offer.Media[0].Formats = nil
		if _, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob); !errors.Is(err, ErrInvalidSession) {
			t.Errorf("Answer = %v, want ErrInvalidSession", err)
		}
	})
	t.Run("t= copied, offer untouched", func(t *testing.T) {
		text := crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=3034423619 3042462419", "m=audio 4000 RTP/AVP 0", "a=sendonly")
		offer := mustParse(t, text)
		ans, err := Answer(offer, Capabilities{Media: []MediaCapability{audioCap}}, bob)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "Times", ans.Times, offer.Times)
		equal(t, "offer after Answer", mustMarshal(t, offer), text)
		ans.Times[0].Start = 1
		equal(t, "offer Times after changing the answer", offer.Times[0].Start, uint64(3034423619))
	})
}

func TestValidateAnswer(t *testing.T) {
	offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0",
		"m=audio 4000 RTP/AVP 0 8", "a=sendonly", "m=video 0 RTP/AVP 31"))
	answer := func(lines ...string) *Session {
		return mustParse(t, crlf(append([]string{"v=0", "o=b 2 2 IN IP4 y", "s=-", "c=IN IP4 y", "t=0 0"}, lines...)...))
	}
	for _, tt := range []struct {
		name string
		ans  *Session
		ok   bool
	}{
		{"good", answer("m=audio 5000 RTP/AVP 8", "a=recvonly", "m=video 0 RTP/AVP 31"), true},
		{"good, audio rejected too", answer("m=audio 0 RTP/AVP 0", "m=video 0 RTP/AVP 31"), true},
		{"good, inactive", answer("m=audio 5000 RTP/AVP 0", "a=inactive", "m=video 0 RTP/AVP 31"), true},
		{"fewer m lines", answer("m=audio 5000 RTP/AVP 8", "a=recvonly"), false},
		{"more m lines", answer("m=audio 5000 RTP/AVP 8", "a=recvonly", "m=video 0 RTP/AVP 31", "m=text 0 RTP/AVP 98"), false},
		{"types swapped", answer("m=video 0 RTP/AVP 31", "m=audio 5000 RTP/AVP 8", "a=recvonly"), false},
		{"disabled stream answered with a port", answer("m=audio 5000 RTP/AVP 8", "a=recvonly", "m=video 5002 RTP/AVP 31"), false},
		{"protocol changed", answer("m=audio 5000 RTP/SAVP 8", "a=recvonly", "m=video 0 RTP/AVP 31"), false},
		{"no offered format", answer("m=audio 5000 RTP/AVP 18", "a=recvonly", "m=video 0 RTP/AVP 31"), false},
		{"sendrecv to a sendonly offer", answer("m=audio 5000 RTP/AVP 8", "m=video 0 RTP/AVP 31"), false},
		{"sendonly to a sendonly offer", answer("m=audio 5000 RTP/AVP 8", "a=sendonly", "m=video 0 RTP/AVP 31"), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAnswer(offer, tt.ans)
			if tt.ok && err != nil {
				t.Errorf("ValidateAnswer = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrAnswerMismatch) {
				t.Errorf("ValidateAnswer = %v, want ErrAnswerMismatch", err)
			}
			if _, nerr := Negotiate(offer, tt.ans); (nerr == nil) != tt.ok {
				t.Errorf("Negotiate error = %v, want error %v", nerr, !tt.ok)
			}
		})
	}
	if err := ValidateAnswer(nil, offer); !errors.Is(err, ErrAnswerMismatch) {
		t.Errorf("ValidateAnswer(nil) = %v", err)
	}
}

func TestNegotiateCodecs(t *testing.T) {
	offer := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
		"m=audio 4000 RTP/AVP 97 0 101", "c=IN IP4 192.0.2.9", "a=rtpmap:97 iLBC/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15"))
	// The answer omits rtpmap lines; Negotiate falls back to the offer's.
	ans := mustParse(t, crlf("v=0", "o=b 2 2 IN IP4 192.0.2.2", "s=-", "c=IN IP4 192.0.2.2", "t=0 0",
		"m=audio 5000 RTP/AVP 101 97 18", "a=fmtp:101 0-11"))
	streams, err := Negotiate(offer, ans)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "codecs", streams[0].Codecs, []Codec{
		{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Fmtp: "0-11"},
		{PayloadType: 97, Name: "iLBC", ClockRate: 8000},
	})
	equal(t, "offer address is the media-level c=", streams[0].OfferAddress, "192.0.2.9")
	equal(t, "answer address", streams[0].AnswerAddress, "192.0.2.2")
}
