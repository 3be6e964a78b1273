package sdp

import (
	"strconv"
	"strings"
)

// A Codec is one media format a side can use: an RTP payload type with its
// encoding (RFC 8866 6.6 rtpmap) and optional format parameters (RFC 8866
// 6.15 fmtp). For a non-RTP protocol only Name is used, compared with the
// m= format token (for example "t38").
type Codec struct {
	// PayloadType is the RTP payload type: a static number 0..95 from
	// RFC 3551 6, or a dynamic one 96..127 that only means something
	// together with an rtpmap (RFC 3264 6.1).
	PayloadType uint8
	// Name is the encoding name ("PCMU", "opus", "H264"); compared
	// without regard to case.
	Name string
	// ClockRate is the RTP clock rate in hertz.
	ClockRate uint32
	// Channels is the audio channel count; 0 means the default, 1.
	Channels uint16
	// Fmtp holds format parameters written as "a=fmtp:<pt> <Fmtp>"; empty
	// for none. Matching ignores it.
	Fmtp string
}

// Matches reports whether c and o are the same encoding: equal names
// (ignoring case), clock rates and channel counts. Payload type numbers are
// not compared: RFC 3264 6.1 matches dynamic payload types by their rtpmap.
func (c Codec) Matches(o Codec) bool {
	return strings.EqualFold(c.Name, o.Name) && c.ClockRate == o.ClockRate && c.channels() == o.channels()
}

func (c Codec) channels() uint16 {
	if c.Channels == 0 {
		return 1
	}
	return c.Channels
}

func (c Codec) rtpMap() RTPMap {
	r := RTPMap{PayloadType: c.PayloadType, Encoding: c.Name, ClockRate: c.ClockRate}
	if c.Channels > 1 {
		r.Params = strconv.Itoa(int(c.Channels))
	}
	return r
}

func codecOf(r RTPMap) Codec {
	c := Codec{PayloadType: r.PayloadType, Name: r.Encoding, ClockRate: r.ClockRate}
	if n, err := strconv.ParseUint(r.Params, 10, 16); err == nil && n > 1 {
		c.Channels = uint16(n)
	}
	return c
}

// StaticCodec returns the static RTP payload type assignment pt of RFC 3551
// 6 (tables 4 and 5), such as 0 PCMU/8000 or 34 H263/90000. ok is false for
// an unassigned or dynamic payload type.
func StaticCodec(pt uint8) (c Codec, ok bool) {
	name, rate, ch := "", uint32(0), uint16(0)
	switch pt {
	case 0:
		name, rate = "PCMU", 8000
	case 3:
		name, rate = "GSM", 8000
	case 4:
		name, rate = "G723", 8000
	case 5:
		name, rate = "DVI4", 8000
	case 6:
		name, rate = "DVI4", 16000
	case 7:
		name, rate = "LPC", 8000
	case 8:
		name, rate = "PCMA", 8000
	case 9:
		name, rate = "G722", 8000
	case 10:
		name, rate, ch = "L16", 44100, 2
	case 11:
		name, rate = "L16", 44100
	case 12:
		name, rate = "QCELP", 8000
	case 13:
		name, rate = "CN", 8000
	case 14:
		name, rate = "MPA", 90000
	case 15:
		name, rate = "G728", 8000
	case 16:
		name, rate = "DVI4", 11025
	case 17:
		name, rate = "DVI4", 22050
	case 18:
		name, rate = "G729", 8000
	case 25:
		name, rate = "CelB", 90000
	case 26:
		name, rate = "JPEG", 90000
	case 28:
		name, rate = "nv", 90000
	case 31:
		name, rate = "H261", 90000
	case 32:
		name, rate = "MPV", 90000
	case 33:
		name, rate = "MP2T", 90000
	case 34:
		name, rate = "H263", 90000
	default:
		return Codec{}, false
	}
	return Codec{PayloadType: pt, Name: name, ClockRate: rate, Channels: ch}, true
}

// Codecs returns the formats of an RTP media description resolved to
// codecs, in the order of the m= line: each payload type's rtpmap (or
// static assignment) and fmtp. Payload types with neither an rtpmap nor a
// static assignment are left out. It returns nil for a non-RTP protocol.
func (m *Media) Codecs() []Codec {
	if !m.IsRTP() {
		return nil
	}
	out := make([]Codec, 0, len(m.Formats))
	for _, f := range m.Formats {
		c, ok := m.codec(f)
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// codec resolves one format of an RTP media description.
func (m *Media) codec(format string) (Codec, bool) {
	pt, ok := parsePayloadType(format)
	if !ok {
		return Codec{}, false
	}
	r, ok := m.RTPMap(pt)
	if !ok {
		return Codec{}, false
	}
	c := codecOf(r)
	c.Fmtp, _ = m.Fmtp(format)
	return c, true
}
