package sdp

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestStaticCodec(t *testing.T) {
	for _, tt := range []struct {
		pt   uint8
		want string // "name/rate[/channels]", "" for unassigned
	}{
		{0, "PCMU/8000"}, {1, ""}, {2, ""}, {3, "GSM/8000"}, {4, "G723/8000"}, {5, "DVI4/8000"}, {6, "DVI4/16000"},
		{7, "LPC/8000"}, {8, "PCMA/8000"}, {9, "G722/8000"}, {10, "L16/44100/2"}, {11, "L16/44100"},
		{12, "QCELP/8000"}, {13, "CN/8000"}, {14, "MPA/90000"}, {15, "G728/8000"}, {16, "DVI4/11025"},
		{17, "DVI4/22050"}, {18, "G729/8000"}, {19, ""}, {24, ""}, {25, "CelB/90000"}, {26, "JPEG/90000"},
		{27, ""}, {28, "nv/90000"}, {31, "H261/90000"}, {32, "MPV/90000"}, {33, "MP2T/90000"},
		{34, "H263/90000"}, {35, ""}, {95, ""}, {96, ""}, {127, ""}, {255, ""},
	} {
		c, ok := StaticCodec(tt.pt)
		got := ""
		if ok {
			r := c.rtpMap()
			got = strings.TrimPrefix(r.String(), strconv.Itoa(int(tt.pt))+" ")
			if c.PayloadType != tt.pt {
				t.Errorf("StaticCodec(%d).PayloadType = %d", tt.pt, c.PayloadType)
			}
		}
		if got != tt.want {
			t.Errorf("StaticCodec(%d) = %q, want %q", tt.pt, got, tt.want)
		}
	}
}

func TestCodecMatches(t *testing.T) {
	for _, tt := range []struct {
		a, b Codec
		want bool
	}{
		{pcmu, Codec{PayloadType: 96, Name: "pcmu", ClockRate: 8000}, true},
		{pcmu, Codec{Name: "PCMU", ClockRate: 8000, Channels: 1}, true},
		{pcmu, Codec{Name: "PCMU", ClockRate: 16000}, false},
		{pcmu, Codec{Name: "PCMU", ClockRate: 8000, Channels: 2}, false},
		{pcmu, pcma, false},
	} {
		if got := tt.a.Matches(tt.b); got != tt.want {
			t.Errorf("%v.Matches(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseErrorString(t *testing.T) {
	for _, tt := range []struct {
		err  *ParseError
		want string
	}{
		{&ParseError{Err: ErrTooLarge, Detail: "70000 bytes, limit 65536"}, "sdp: session description too large: 70000 bytes, limit 65536"},
		{&ParseError{Line: 3, Err: ErrSyntax, Detail: "empty line"}, "sdp: line 3: empty line"},
		{&ParseError{Line: 4, Type: 'c', Err: ErrConnection, Detail: "bad"}, "sdp: line 4 (c=): bad"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, tt.err.Err) {
			t.Errorf("errors.Is(%v, %v) = false", tt.err, tt.err.Err)
		}
	}
}
