package sdp

import (
	"bytes"
	"testing"
)

// FuzzParse checks that Parse never panics, that whatever it accepts
// marshals to text it accepts again, and that this text is a fixed point:
// parse -> marshal -> parse -> marshal gives the same bytes. Accepted
// sessions are also answered, and the answer must fit the offer.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		rfc3665Offer, rfc3264Offer, typicalOffer,
		lf("v=0", "o=- 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "a=sendonly", "m=audio 4000/2 RTP/AVP 0 97", "a=rtpmap:97 opus/48000/2", "a=ptime:22.5"),
		crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0", "m=image 4000 udptl t38", "c=IN IP4 x", "a=T38FaxVersion:0"),
		"v=0\r\n",
	} {
		f.Add([]byte(s))
	}
	caps := Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 5000, Codecs: []Codec{pcmu, pcma, opus, dtmf}},
		{Type: "video", Port: 5002, Codecs: []Codec{h264, h261}, Direction: RecvOnly},
		{Type: "image", Port: 5004, Proto: "udptl", Codecs: []Codec{{Name: "t38"}}},
	}}
	f.Fuzz(func(t *testing.T, in []byte) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		m1, err := s.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed session: %v\ninput %q", err, in)
		}
		s2, err := Parse(m1)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))): %v\ninput %q\nmarshal %q", err, in, m1)
		}
		m2, err := s2.Marshal()
		if err != nil || !bytes.Equal(m1, m2) {
			t.Fatalf("unstable round trip: %v\nfirst  %q\nsecond %q", err, m1, m2)
		}
		ans, err := Answer(s, caps, bob)
		if err != nil {
			return
		}
		if err := ValidateAnswer(s, ans); err != nil {
			t.Fatalf("answer does not fit its offer: %v\noffer %q", err, m1)
		}
		if _, err := ans.Marshal(); err != nil {
			t.Fatalf("answer does not marshal: %v\noffer %q", err, m1)
		}
		if _, err := Negotiate(s, ans); err != nil {
			t.Fatalf("Negotiate: %v", err)
		}
	})
}
