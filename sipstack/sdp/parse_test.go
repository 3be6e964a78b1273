package sdp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseRFC3665Offer(t *testing.T) {
	s := mustParse(t, rfc3665Offer)
	equal(t, "Origin", s.Origin, Origin{
		Username: "alice", SessionID: 2890844526, SessionVersion: 2890844526,
		NetType: "IN", AddrType: "IP4", Address: "client.atlanta.example.com",
	})
	equal(t, "Name", s.Name, "-")
	equal(t, "Connection", s.Connection, &Connection{NetType: "IN", AddrType: "IP4", Address: "192.0.2.101"})
	equal(t, "Times", s.Times, []Timing{{Start: 0, Stop: 0}})
	if len(s.Media) != 1 {
		t.Fatalf("len(Media) = %d, want 1", len(s.Media))
	}
	m := &s.Media[0]
	equal(t, "Type", m.Type, "audio")
	equal(t, "Port", m.Port, 49172)
	equal(t, "Proto", m.Proto, "RTP/AVP")
	equal(t, "Formats", m.Formats, []string{"0"})
	equal(t, "PayloadTypes", m.PayloadTypes(), []uint8{0})
	r, ok := m.RTPMap(0)
	equal(t, "RTPMap(0)", r, RTPMap{PayloadType: 0, Encoding: "PCMU", ClockRate: 8000})
	equal(t, "RTPMap(0) ok", ok, true)
	equal(t, "MediaDirection", s.MediaDirection(0), SendRecv)
	equal(t, "MediaConnection", s.MediaConnection(0), s.Connection)
	// Parse then Marshal reproduces every line.
	equal(t, "Marshal", mustMarshal(t, s), rfc3665Offer)
}

// TestParseFull covers every line type in its place, and checks that
// Marshal writes the input back byte for byte.
func TestParseFull(t *testing.T) {
	text := crlf(
		"v=0",
		"o=- 1 2 IN IP6 2001:db8::1",
		"s=Full house",
		"i=A session with every line",
		"u=http://example.com/s",
		"e=alice@example.com",
		"e=bob@example.com",
		"p=+1 555 0100",
		"c=IN IP6 2001:db8::1",
		"b=CT:128",
		"t=3034423619 3042462419",
		"r=604800 3600 0 90000",
		"r=7d 1h 0 25h",
		"t=0 0",
		"z=2882844526 -1h 2898848070 0",
		"k=prompt",
		"a=recvonly",
		"a=tool:sipsim",
		"a=x-unknown:  kept as is ",
		"a=x-flag",
		"m=audio 49170/2 RTP/AVP 0 97",
		"i=voice",
		"c=IN IP4 224.2.1.1/127/2",
		"b=AS:64",
		"b=TIAS:64000",
		"k=clear:secret",
		"a=rtpmap:97 opus/48000/2",
		"a=fmtp:97 minptime=10;useinbandfec=1",
		"a=ptime:22.5",
		"a=sendonly",
		"a=x-media-thing:1 2 3",
		"m=video 0 RTP/SAVP 31",
		"m=application 9 TCP/MSRP *",
		"a=accept-types:text/plain",
		"m=image 6000 udptl t38",
	)
	s := mustParse(t, text)
	equal(t, "Emails", s.Emails, []string{"alice@example.com", "bob@example.com"})
	equal(t, "Phones", s.Phones, []string{"+1 555 0100"})
	equal(t, "Bandwidths", s.Bandwidths, []Bandwidth{{Type: "CT", Value: 128}})
	equal(t, "Times", s.Times, []Timing{
		{Start: 3034423619, Stop: 3042462419, Repeats: []string{"604800 3600 0 90000", "7d 1h 0 25h"}},
		{},
	})
	equal(t, "TimeZones", s.TimeZones, "2882844526 -1h 2898848070 0")
	v, _ := s.Attributes.Get("x-unknown")
	equal(t, "x-unknown", v, "  kept as is ")
	equal(t, "session direction", s.Attributes.Direction(), RecvOnly)
	a := &s.Media[0]
	equal(t, "PortCount", a.PortCount, 2)
	equal(t, "media c=", a.Connection.Address, "224.2.1.1/127/2")
	r, _ := a.RTPMap(97)
	equal(t, "RTPMap(97)", r, RTPMap{PayloadType: 97, Encoding: "opus", ClockRate: 48000, Params: "2"})
	fmtp, ok := a.Fmtp("97")
	equal(t, "Fmtp(97)", fmtp, "minptime=10;useinbandfec=1")
	equal(t, "Fmtp ok", ok, true)
	pt, ok := a.Ptime()
	equal(t, "Ptime", pt, 22500*time.Microsecond)
	equal(t, "Ptime ok", ok, true)
	equal(t, "Codecs", a.Codecs(), []Codec{
		{PayloadType: 0, Name: "PCMU", ClockRate: 8000},
		{PayloadType: 97, Name: "opus", ClockRate: 48000, Channels: 2, Fmtp: "minptime=10;useinbandfec=1"},
	})
	// Media-level direction overrides session-level (RFC 3264 5.1).
	equal(t, "MediaDirection(0)", s.MediaDirection(0), SendOnly)
	equal(t, "MediaDirection(1)", s.MediaDirection(1), RecvOnly)
	equal(t, "MediaDirection(9)", s.MediaDirection(9), Direction(0))
	equal(t, "video disabled", s.Media[1].Disabled(), true)
	equal(t, "video proto", s.Media[1].Proto, "RTP/SAVP")
	equal(t, "msrp formats", s.Media[2].Formats, []string{"*"})
	equal(t, "msrp IsRTP", s.Media[2].IsRTP(), false)
	equal(t, "msrp PayloadTypes", s.Media[2].PayloadTypes(), []uint8(nil))
	equal(t, "Marshal", mustMarshal(t, s), text)
}

func TestParseLineEnds(t *testing.T) {
	lines := []string{"v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0"}
	want := crlf(lines...)
	for _, tt := range []struct {
		name, text string
	}{
		{"CRLF", want},
		{"LF (RFC 8866 5: be tolerant of LF)", lf(lines...)},
		{"no final line end", strings.TrimSuffix(lf(lines...), "\n")},
		{"blank lines at the end", crlf(lines...) + "\r\n\n"},
		{"mixed", "v=0\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\nc=IN IP4 192.0.2.1\r\nt=0 0\nm=audio 4000 RTP/AVP 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.text)
			if got := mustMarshal(t, s); got != want {
				t.Errorf("Marshal(Parse(%q)) = %q, want %q", tt.text, got, want)
			}
		})
	}
}

// TestParseEmptySessionName: RFC 3264 10 examples use "s=" although
// RFC 8866 5.3 forbids it; it is read and written back as "s=-".
func TestParseEmptySessionName(t *testing.T) {
	s := mustParse(t, rfc3264Offer)
	equal(t, "Name", s.Name, "")
	want := strings.Replace(rfc3264Offer, "s=\r\n", "s=-\r\n", 1)
	equal(t, "Marshal", mustMarshal(t, s), want)
}

func TestParseErrors(t *testing.T) {
	head := []string{"v=0", "o=a 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0"}
	with := func(lines ...string) string { return crlf(append(append([]string(nil), head...), lines...)...) }
	audio := "m=audio 4000 RTP/AVP 0"
	for _, tt := range []struct {
		name string
		text string
		line int
		err  error
	}{
		{"empty input", "", 1, ErrMissingLine},
		{"too large", strings.Repeat("a", MaxSize+1), 0, ErrTooLarge},
		{"too many lines", with(strings.Repeat("a=x\r\n", MaxLines)), MaxLines + 1, ErrTooManyLines},
		{"too many media", with(strings.Repeat(audio+"\r\n", MaxMedia+1)), len(head) + MaxMedia + 1, ErrTooManyMedia},
		{"version 1", crlf("v=1", "o=a 1 1 IN IP4 x", "s=-", "t=0 0"), 1, ErrVersion},
		{"no v first", crlf("o=a 1 1 IN IP4 x", "v=0", "s=-", "t=0 0"), 1, ErrMissingLine},
		{"no equals", with("a"), 6, ErrSyntax},
		{"space before equals", with("a =x"), 6, ErrSyntax},
		{"upper-case type", with("A=x"), 6, ErrSyntax},
		{"empty line", crlf("v=0", "", "o=a 1 1 IN IP4 x"), 2, ErrSyntax},
		{"NUL in value", with("a=x\x00y"), 6, ErrSyntax},
		{"stray CR in value", with("a=x\ry"), 6, ErrSyntax},
		{"unknown session type", with("x=1"), 6, ErrUnknownType},
		{"unknown media type", with(audio, "y=1"), 7, ErrUnknownType},
		{"session line in media", with(audio, "t=0 0"), 7, ErrLineOrder},
		{"o after s", crlf("v=0", "s=-", "o=a 1 1 IN IP4 x", "t=0 0"), 2, ErrMissingLine},
		{"c after t", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0", "c=IN IP4 x"), 5, ErrLineOrder},
		{"i after c", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "i=info", "t=0 0"), 5, ErrLineOrder},
		{"b after a", with("a=x", "b=AS:1"), 7, ErrLineOrder},
		{"second o", crlf("v=0", "o=a 1 1 IN IP4 x", "o=a 1 1 IN IP4 x"), 3, ErrLineOrder},
		{"second v", crlf("v=0", "v=0"), 2, ErrLineOrder},
		{"second session c", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "c=IN IP4 y", "t=0 0"), 5, ErrLineOrder},
		{"r before t", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "r=1 2 3"), 4, ErrLineOrder},
		{"missing t before a", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "a=x"), 4, ErrMissingLine},
		{"missing t before m", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", audio), 5, ErrMissingLine},
		{"missing t at end", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-"), 4, ErrMissingLine},
		{"missing s", crlf("v=0", "o=a 1 1 IN IP4 x", "t=0 0"), 3, ErrMissingLine},
		{"second media c", with(audio, "c=IN IP4 x", "c=IN IP4 y"), 8, ErrLineOrder},
		{"media i after c", with(audio, "c=IN IP4 x", "i=x"), 8, ErrLineOrder},
		{"media b after a", with(audio, "a=x", "b=AS:1"), 8, ErrLineOrder},
		{"origin 5 fields", crlf("v=0", "o=a 1 1 IN IP4", "s=-", "t=0 0"), 2, ErrOrigin},
		{"origin double space", crlf("v=0", "o=a  1 1 IN IP4 x", "s=-", "t=0 0"), 2, ErrOrigin},
		{"origin id not a number", crlf("v=0", "o=a x 1 IN IP4 x", "s=-", "t=0 0"), 2, ErrOrigin},
		{"origin version overflows 64 bits", crlf("v=0", "o=a 1 18446744073709551616 IN IP4 x", "s=-", "t=0 0"), 2, ErrOrigin},
		{"origin signed id", crlf("v=0", "o=a +1 1 IN IP4 x", "s=-", "t=0 0"), 2, ErrOrigin},
		{"empty i", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "i=", "t=0 0"), 4, ErrEmptyValue},
		{"empty media i", with(audio, "i="), 7, ErrEmptyValue},
		{"empty e", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "e=", "t=0 0"), 4, ErrEmptyValue},
		{"connection 2 fields", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4", "t=0 0"), 4, ErrConnection},
		{"media without any c", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0", audio, "a=x", "m=video 0 RTP/AVP 31"), 5, ErrConnection},
		{"last media without any c", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0", audio, "c=IN IP4 x", "m=video 0 RTP/AVP 31"), 7, ErrConnection},
		{"bandwidth no colon", with("a=x", "m=audio 1 RTP/AVP 0", "b=AS"), 8, ErrBandwidth},
		{"bandwidth not a number", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "b=AS:x", "t=0 0"), 4, ErrBandwidth},
		{"timing one field", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0"), 4, ErrTiming},
		{"timing not numbers", crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=now later"), 4, ErrTiming},
		{"media 3 fields", with("m=audio 4000 RTP/AVP"), 6, ErrMediaLine},
		{"media bad type", with("m=au(dio 4000 RTP/AVP 0"), 6, ErrMediaLine},
		{"media port not a number", with("m=audio x RTP/AVP 0"), 6, ErrMediaLine},
		{"media port too big", with("m=audio 65536 RTP/AVP 0"), 6, ErrMediaLine},
		{"media negative port", with("m=audio -1 RTP/AVP 0"), 6, ErrMediaLine},
		{"media port count 0", with("m=audio 4000/0 RTP/AVP 0"), 6, ErrMediaLine},
		{"media bad proto", with("m=audio 4000 RTP//AVP 0"), 6, ErrMediaLine},
		{"RTP format not a number", with("m=audio 4000 RTP/AVP PCMU"), 6, ErrMediaLine},
		{"RTP format 128", with("m=audio 4000 RTP/AVP 128"), 6, ErrMediaLine},
		{"RTP format leading zero", with("m=audio 4000 RTP/AVP 08"), 6, ErrMediaLine},
		{"format twice", with("m=audio 4000 RTP/AVP 0 8 0"), 6, ErrMediaLine},
		{"too many formats", with("m=audio 4000 udp" + strings.Repeat(" f", MaxFormats+1)), 6, ErrMediaLine},
		{"attribute name not a token", with("a=x y:1"), 6, ErrAttribute},
		{"attribute empty name", with("a=:1"), 6, ErrAttribute},
		{"rtpmap without encoding", with(audio, "a=rtpmap:0"), 7, ErrAttribute},
		{"rtpmap payload type 200", with(audio, "a=rtpmap:200 X/8000"), 7, ErrAttribute},
		{"rtpmap without clock rate", with(audio, "a=rtpmap:0 PCMU"), 7, ErrAttribute},
		{"rtpmap clock rate 0", with(audio, "a=rtpmap:0 PCMU/0"), 7, ErrAttribute},
		{"rtpmap trailing slash", with(audio, "a=rtpmap:0 PCMU/8000/"), 7, ErrAttribute},
		{"rtpmap twice for one payload type", with(audio, "a=rtpmap:0 PCMU/8000", "a=rtpmap:0 PCMA/8000"), 8, ErrAttribute},
		{"fmtp without parameters", with(audio, "a=fmtp:0"), 7, ErrAttribute},
		{"ptime not a number", with(audio, "a=ptime:twenty"), 7, ErrAttribute},
		{"ptime zero", with(audio, "a=ptime:0"), 7, ErrAttribute},
		{"maxptime too precise", with(audio, "a=maxptime:1.0000001"), 7, ErrAttribute},
		{"direction with a value", with(audio, "a=sendonly:yes"), 7, ErrAttribute},
		{"two directions in a media", with(audio, "a=sendonly", "a=recvonly"), 8, ErrAttribute},
		{"two session directions", with("a=inactive", "a=sendrecv"), 7, ErrAttribute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse([]byte(tt.text))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error %v", tt.text, s, tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Parse(%q) error = %v, want %v", tt.text, err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("Parse(%q) error line = %d, want %d (%v)", tt.text, pe.Line, tt.line, err)
			}
			if s != nil {
				t.Errorf("Parse returned a session with an error")
			}
			if tt.line > 0 && !strings.Contains(err.Error(), "line ") {
				t.Errorf("error %q does not name the line", err)
			}
		})
	}
}

// TestParseAcceptsDirectionAtBothLevels: one direction attribute per
// section is fine, even if session and media differ.
func TestParseAcceptsDirectionAtBothLevels(t *testing.T) {
	s := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "c=IN IP4 x", "t=0 0", "a=sendonly",
		"m=audio 1 RTP/AVP 0", "a=recvonly", "m=audio 2 RTP/AVP 0", "a=inactive", "m=audio 3 RTP/AVP 0"))
	for i, want := range []Direction{RecvOnly, Inactive, SendOnly} {
		equal(t, "MediaDirection", s.MediaDirection(i), want)
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse([]byte(crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "t=0 0", "m=audio 99999 RTP/AVP 0")))
	want := `sdp: line 5 (m=): port "99999" is not 0..65535`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestParseMillis(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"20", 20 * time.Millisecond, true},
		{"22.5", 22500 * time.Microsecond, true},
		{"0.000001", time.Nanosecond, true},
		{"0.0000001", 0, false},
		{"0", 0, false},
		{"", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		{"-20", 0, false},
		{"99999999999", 0, false},
	} {
		got, ok := parseMillis(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseMillis(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok {
			if s := formatMillis(got); s != tt.in {
				t.Errorf("formatMillis(%v) = %q, want %q", got, s, tt.in)
			}
		}
	}
}
