package sdp

import (
	"reflect"
	"strings"
	"testing"
)

// crlf joins lines into a session description with CRLF line ends.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// lf joins lines with bare LF line ends.
func lf(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// mustParse parses text or fails the test.
func mustParse(t testing.TB, text string) *Session {
	t.Helper()
	s, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	return s
}

// mustMarshal marshals s or fails the test.
func mustMarshal(t testing.TB, s *Session) string {
	t.Helper()
	b, err := s.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return string(b)
}

// equal fails the test with both values when got != want.
func equal[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// rfc3665Offer is Alice's offer of RFC 3665 3.1 (F1 INVITE).
var rfc3665Offer = crlf(
	"v=0",
	"o=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com",
	"s=-",
	"c=IN IP4 192.0.2.101",
	"t=0 0",
	"m=audio 49172 RTP/AVP 0",
	"a=rtpmap:0 PCMU/8000",
)

// rfc3264Offer is the offer of RFC 3264 10.1: audio and video.
var rfc3264Offer = crlf(
	"v=0",
	"o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com",
	"s=",
	"c=IN IP4 host.atlanta.example.com",
	"t=0 0",
	"m=audio 49170 RTP/AVP 0 8 97",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:97 iLBC/8000",
	"m=video 51372 RTP/AVP 31 32",
	"a=rtpmap:31 H261/90000",
	"a=rtpmap:32 MPV/90000",
)

// typicalOffer is a typical SIP phone's audio offer, used by benchmarks.
var typicalOffer = crlf(
	"v=0",
	"o=user1 53655765 2353687637 IN IP4 192.0.2.10",
	"s=-",
	"c=IN IP4 192.0.2.10",
	"t=0 0",
	"m=audio 49170 RTP/AVP 0 8 18 101",
	"a=rtpmap:0 PCMU/8000",
	"a=rtpmap:8 PCMA/8000",
	"a=rtpmap:18 G729/8000",
	"a=fmtp:18 annexb=no",
	"a=rtpmap:101 telephone-event/8000",
	"a=fmtp:101 0-16",
	"a=ptime:20",
	"a=sendrecv",
)
