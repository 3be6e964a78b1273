package sdp

import (
	"errors"
	"testing"
)

// TestMarshalGolden builds a Session by hand and checks the exact text:
// RFC 8866 5 order, CRLF line ends, t=0 0 and s=- filled in.
func TestMarshalGolden(t *testing.T) {
	s := &Session{
		Origin:     Origin{Username: "user1", SessionID: 1, SessionVersion: 7, NetType: "IN", AddrType: "IP4", Address: "192.0.2.10"},
		Info:       "call",
		Connection: &Connection{NetType: "IN", AddrType: "IP4", Address: "192.0.2.10"},
		Bandwidths: []Bandwidth{{Type: "AS", Value: 256}},
		Attributes: Attributes{{Key: "x-b"}, {Key: "x-a", Value: "2"}},
		Media: []Media{
			{Type: "audio", Port: 4000, Proto: "RTP/AVP", Formats: []string{"0", "101"},
				Attributes: Attributes{{Key: "rtpmap", Value: "101 telephone-event/8000"}, {Key: "fmtp", Value: "101 0-15"}, {Key: "sendonly"}}},
			{Type: "video", Port: 0, PortCount: 2, Proto: "RTP/AVP", Formats: []string{"31"},
				Connection: &Connection{NetType: "IN", AddrType: "IP4", Address: "192.0.2.11"}, Bandwidths: []Bandwidth{{Type: "TIAS", Value: 1}}},
		},
	}
	want := crlf(
		"v=0",
		"o=user1 1 7 IN IP4 192.0.2.10",
		"s=-",
		"i=call",
		"c=IN IP4 192.0.2.10",
		"b=AS:256",
		"t=0 0",
		"a=x-b",
		"a=x-a:2",
		"m=audio 4000 RTP/AVP 0 101",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendonly",
		"m=video 0/2 RTP/AVP 31",
		"c=IN IP4 192.0.2.11",
		"b=TIAS:1",
	)
	got := mustMarshal(t, s)
	if got != want {
		t.Errorf("Marshal = %q\nwant %q", got, want)
	}
	equal(t, "String", s.String(), want)
	equal(t, "AppendTo", string(s.AppendTo([]byte("x"))), "x"+want)
	// Same value, same bytes: the second Marshal is identical.
	equal(t, "Marshal twice", mustMarshal(t, s), want)
}

func TestValidateErrors(t *testing.T) {
	base := func() *Session {
		return &Session{
			Origin:     Origin{Username: "-", SessionID: 1, SessionVersion: 1, NetType: "IN", AddrType: "IP4", Address: "192.0.2.1"},
			Connection: &Connection{NetType: "IN", AddrType: "IP4", Address: "192.0.2.1"},
			Media:      []Media{{Type: "audio", Port: 4000, Proto: "RTP/AVP", Formats: []string{"0"}}},
		}
	}
	for _, tt := range []struct {
		name   string
		change func(s *Session)
	}{
		{"empty username", func(s *Session) { s.Origin.Username = "" }},
		{"space in address", func(s *Session) { s.Origin.Address = "a b" }},
		{"line break in name", func(s *Session) { s.Name = "x\r\nm=audio 1 RTP/AVP 0" }},
		{"empty email", func(s *Session) { s.Emails = []string{""} }},
		{"bad connection", func(s *Session) { s.Connection.NetType = "" }},
		{"bad bandwidth type", func(s *Session) { s.Bandwidths = []Bandwidth{{Type: "A S"}} }},
		{"empty repeat", func(s *Session) { s.Times = []Timing{{Repeats: []string{""}}} }},
		{"line break in attribute", func(s *Session) { s.Attributes.Add("x", "1\n2") }},
		{"bad rtpmap", func(s *Session) { s.Media[0].Attributes.Add("rtpmap", "x") }},
		{"two directions", func(s *Session) { s.Media[0].Attributes = Attributes{{Key: "sendonly"}, {Key: "inactive"}} }},
		{"no connection anywhere", func(s *Session) { s.Connection = nil }},
		{"bad media type", func(s *Session) { s.Media[0].Type = "" }},
		{"port out of range", func(s *Session) { s.Media[0].Port = 70000 }},
		{"bad proto", func(s *Session) { s.Media[0].Proto = "RTP/" }},
		{"no formats", func(s *Session) { s.Media[0].Formats = nil }},
		{"non-numeric RTP format", func(s *Session) { s.Media[0].Formats = []string{"PCMU"} }},
		{"format twice", func(s *Session) { s.Media[0].Formats = []string{"0", "0"} }},
		{"too many media", func(s *Session) {
			for range MaxMedia {
				s.Media = append(s.Media, s.Media[0])
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(s)
			b, err := s.Marshal()
			if !errors.Is(err, ErrInvalidSession) {
				t.Errorf("Marshal = %q, %v; want ErrInvalidSession", b, err)
			}
			if s.String() != "" {
				t.Errorf("String of an invalid session is not empty")
			}
		})
	}
	if err := base().Validate(); err != nil {
		t.Errorf("Validate(base) = %v", err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	s := mustParse(t, crlf("v=0", "o=a 1 1 IN IP4 x", "s=-", "e=a@b", "c=IN IP4 x", "b=AS:1", "t=0 0", "r=1 2 3", "a=x",
		"m=audio 1 RTP/AVP 0", "c=IN IP4 y", "b=AS:2", "a=y"))
	before := mustMarshal(t, s)
	c := s.Clone()
	c.Emails[0] = "z@z"
	c.Connection.Address = "z"
	c.Bandwidths[0].Value = 9
	c.Times[0].Repeats[0] = "9 9 9"
	c.Attributes[0].Key = "z"
	c.Media[0].Formats[0] = "8"
	c.Media[0].Connection.Address = "z"
	c.Media[0].Bandwidths[0].Value = 9
	c.Media[0].Attributes[0].Key = "z"
	equal(t, "original after changing the clone", mustMarshal(t, s), before)
	equal(t, "Clone(nil)", (*Session)(nil).Clone(), (*Session)(nil))
}

func TestAttributes(t *testing.T) {
	as := Attributes{{Key: "a", Value: "1"}, {Key: "sendonly"}, {Key: "a", Value: "2"}}
	v, ok := as.Get("a")
	equal(t, "Get", v, "1")
	equal(t, "Get ok", ok, true)
	equal(t, "Values", as.Values("a"), []string{"1", "2"})
	equal(t, "Has(b)", as.Has("b"), false)
	equal(t, "Direction", as.Direction(), SendOnly)
	as.SetDirection(Inactive)
	equal(t, "SetDirection in place", as, Attributes{{Key: "a", Value: "1"}, {Key: "inactive"}, {Key: "a", Value: "2"}})
	as.SetDirection(0)
	equal(t, "SetDirection(0)", as, Attributes{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}})
	as.SetDirection(RecvOnly)
	equal(t, "SetDirection appends", as.Direction(), RecvOnly)
	as.Delete("a")
	equal(t, "Delete", as, Attributes{{Key: "recvonly"}})
	for _, tt := range [][2]Direction{{SendRecv, SendRecv}, {SendOnly, RecvOnly}, {RecvOnly, SendOnly}, {Inactive, Inactive}} {
		equal(t, "Reverse("+tt[0].String()+")", tt[0].Reverse(), tt[1])
	}
	equal(t, "Direction(0).String", Direction(0).String(), "")
}
