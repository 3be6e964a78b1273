package sdp

import (
	"errors"
	"strings"
	"testing"
)

// call sets up an audio-only call: Alice offers audio, Bob answers.
func call(t *testing.T) (offer, answer *Session) {
	t.Helper()
	offer, err := Offer(Capabilities{Media: []MediaCapability{audioCap}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	answer, err = Answer(offer, Capabilities{Media: []MediaCapability{{Type: "audio", Port: 3456, Codecs: []Codec{pcmu}}}}, bob)
	if err != nil {
		t.Fatal(err)
	}
	return offer, answer
}

func TestReoffer(t *testing.T) {
	offer, _ := call(t)
	re, err := Reoffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	// RFC 3264 8: same o= line but the version, incremented by one.
	want := offer.Origin
	want.SessionVersion++
	equal(t, "Origin", re.Origin, want)
	equal(t, "text", mustMarshal(t, re), strings.Replace(mustMarshal(t, offer), "2890844526 2890844526", "2890844526 2890844527", 1))
	re.Media[0].Port = 1
	equal(t, "previous offer untouched", offer.Media[0].Port, audioCap.Port)

	offer.Origin.SessionVersion = 1<<63 - 1
	if _, err := Reoffer(offer); !errors.Is(err, ErrVersionOverflow) {
		t.Errorf("Reoffer at max version: %v, want ErrVersionOverflow", err)
	}
	if _, err := Reoffer(nil); err == nil {
		t.Errorf("Reoffer(nil) succeeded")
	}
}

// TestAddVideo: the caller adds videoconferencing to an audio call with a
// re-INVITE (the seed's scenario); the new m line goes at the end
// (RFC 3264 8.1) and Bob's answer, built from his previous answer's
// origin plus one, accepts it.
func TestAddVideo(t *testing.T) {
	offer, answer := call(t)
	re, err := AddVideo(offer, MediaCapability{Port: 51372, Codecs: []Codec{h261}})
	if err != nil {
		t.Fatal(err)
	}
	want := mustMarshal(t, offer)
	want = strings.Replace(want, "2890844526 2890844526", "2890844526 2890844527", 1)
	want += "m=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"
	equal(t, "re-offer", mustMarshal(t, re), want)

	bobOrigin, err := answer.Origin.Next()
	if err != nil {
		t.Fatal(err)
	}
	reAnswer, err := Answer(re, Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 3456, Codecs: []Codec{pcmu}},
		{Type: "video", Port: 3458, Codecs: []Codec{h261}},
	}}, bobOrigin)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "answer version", reAnswer.Origin.SessionVersion, answer.Origin.SessionVersion+1)
	streams, err := Negotiate(re, reAnswer)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "active", []bool{streams[0].Active, streams[1].Active}, []bool{true, true})
	equal(t, "video codec", streams[1].Codecs, []Codec{h261})
}

// TestAddVideoReusesSlot: Bob, who answered an audio+video offer with audio
// only (video port 0), later adds video himself: his re-offer reuses the
// disabled video slot in place (RFC 3264 8.1).
func TestAddVideoReusesSlot(t *testing.T) {
	offer := mustParse(t, rfc3264Offer)
	answer, err := Answer(offer, Capabilities{Media: []MediaCapability{{Type: "audio", Port: 49174, Codecs: []Codec{pcmu}}}}, bob)
	if err != nil {
		t.Fatal(err)
	}
	re, err := AddVideo(answer, MediaCapability{Port: 49176, Codecs: []Codec{mpv}})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "m lines", len(re.Media), 2)
	equal(t, "video slot", re.Media[1].Port, 49176)
	equal(t, "audio kept", re.Media[0], answer.Media[0])
	// Alice answers with audio and video.
	reAnswer, err := Answer(re, Capabilities{Media: []MediaCapability{
		{Type: "audio", Port: 49170, Codecs: []Codec{pcmu}},
		{Type: "video", Port: 51372, Codecs: []Codec{h261, mpv}},
	}}, origin("alice", "host.atlanta.example.com", 2890844526, 2890844527))
	if err != nil {
		t.Fatal(err)
	}
	streams, err := Negotiate(re, reAnswer)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "video active", streams[1].Active, true)
	equal(t, "video codec", streams[1].Codecs[0].Name, "MPV")
}

// TestAddMediaOtherTypeAppends: a disabled slot of another media type is
// not reused.
func TestAddMediaOtherTypeAppends(t *testing.T) {
	s := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "m=audio 4000 RTP/AVP 0", "m=text 0 RTP/AVP 98"))
	re, err := AddVideo(s, videoCap)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "types", []string{re.Media[0].Type, re.Media[1].Type, re.Media[2].Type}, []string{"audio", "text", "video"})
	if _, err := AddVideo(s, MediaCapability{}); !errors.Is(err, ErrCapabilities) {
		t.Errorf("AddVideo with a bad capability: %v", err)
	}
}

// TestRemoveVideo: a re-offer disabling video keeps the m line with port 0
// (RFC 3264 8.2); the answer must reject it too.
func TestRemoveVideo(t *testing.T) {
	offer, err := Offer(Capabilities{Media: []MediaCapability{audioCap, videoCap}}, alice)
	if err != nil {
		t.Fatal(err)
	}
	re, err := RemoveVideo(offer)
	if err != nil {
		t.Fatal(err)
	}
	text := mustMarshal(t, re)
	if !strings.HasSuffix(text, "a=ptime:20\r\nm=video 0 RTP/AVP 96\r\n") {
		t.Errorf("re-offer does not end with a bare disabled video line:\n%s", text)
	}
	equal(t, "version", re.Origin.SessionVersion, offer.Origin.SessionVersion+1)
	ans, err := Answer(re, Capabilities{Media: []MediaCapability{audioCap, videoCap}}, bob)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "answer video port", ans.Media[1].Port, 0)
	streams, err := Negotiate(re, ans)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "active", []bool{streams[0].Active, streams[1].Active}, []bool{true, false})
	// A hand-built stream without formats does not make RemoveMedia panic.
	odd := offer.Clone()
	odd.Media[1].Formats = nil
	if _, err := RemoveVideo(odd); err != nil {
		t.Errorf("RemoveVideo(no formats) = %v", err)
	}
	if _, err := RemoveVideo(re); !errors.Is(err, ErrNoSuchMedia) {
		t.Errorf("RemoveVideo twice: %v, want ErrNoSuchMedia", err)
	}
}

// TestHold: hold is a re-offer with sendonly (RFC 3264 8.4); the answer is
// recvonly and media flows only from the holder. Resume restores sendrecv.
func TestHold(t *testing.T) {
	offer, answer := call(t)
	held, err := Hold(offer)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "held direction", held.MediaDirection(0), SendOnly)
	bobOrigin, _ := answer.Origin.Next()
	ans, err := Answer(held, Capabilities{Media: []MediaCapability{{Type: "audio", Port: 3456, Codecs: []Codec{pcmu}}}}, bobOrigin)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "answer direction", ans.MediaDirection(0), RecvOnly)
	if !strings.Contains(mustMarshal(t, ans), "a=recvonly\r\n") {
		t.Errorf("answer lacks a=recvonly")
	}
	streams, err := Negotiate(held, ans)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "flow", streams[0].Direction, SendOnly)

	resumed, err := Resume(held)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "resumed direction", resumed.MediaDirection(0), SendRecv)
	equal(t, "no redundant a=sendrecv", resumed.Media[0].Attributes.Has("sendrecv"), false)
	equal(t, "version", resumed.Origin.SessionVersion, offer.Origin.SessionVersion+2)

	for _, tt := range []struct{ before, held, resumed Direction }{
		{SendRecv, SendOnly, SendRecv},
		{RecvOnly, Inactive, RecvOnly},
		{SendOnly, SendOnly, SendRecv},
		{Inactive, Inactive, RecvOnly},
	} {
		s := offer.Clone()
		s.Media[0].Attributes.SetDirection(tt.before)
		h, _ := Hold(s)
		r, _ := Resume(h)
		equal(t, "Hold("+tt.before.String()+")", h.MediaDirection(0), tt.held)
		equal(t, "Resume(Hold("+tt.before.String()+"))", r.MediaDirection(0), tt.resumed)
	}
}

// TestHoldSessionLevelDirection: a media-level direction overrides a
// session-level one, so Hold writes it at media level.
func TestHoldSessionLevelDirection(t *testing.T) {
	s := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "a=recvonly", "m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 31"))
	h, err := Hold(s)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "audio", h.MediaDirection(0), Inactive)
	equal(t, "disabled video untouched", h.Media[1].Attributes, Attributes(nil))
	r, err := Resume(h)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "audio resumed", r.MediaDirection(0), RecvOnly)
	// Under a session-level sendonly, a resumed sendrecv stream must say
	// a=sendrecv explicitly, or the session-level attribute would apply.
	s.Attributes = Attributes{{Key: "sendonly"}}
	r, _ = Resume(s)
	equal(t, "explicit sendrecv over session sendonly", r.Media[0].Attributes, Attributes{{Key: "sendrecv"}})
	equal(t, "effective", r.MediaDirection(0), SendRecv)
}
