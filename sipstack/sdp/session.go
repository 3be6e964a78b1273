package sdp

import "strings"

// Bounds on the input [Parse] accepts. They are far above what a SIP call
// carries and keep a hostile or broken peer from making the parser allocate
// without limit.
const (
	// MaxSize is the largest session description, in bytes, that Parse
	// reads.
	MaxSize = 64 << 10
	// MaxLines is the largest number of lines Parse reads.
	MaxLines = 2048
	// MaxMedia is the largest number of media descriptions (m= lines) in
	// one session description.
	MaxMedia = 64
	// MaxFormats is the largest number of formats on one m= line; 128 is
	// the number of RTP payload types.
	MaxFormats = 128
)

// A Session is one session description (RFC 8866 5). The zero value is not
// valid: a session needs at least an [Origin]. Parse returns Sessions, and
// [Offer], [Answer] and the modification helpers build them. A Session is a
// plain value: callers may change its fields, and [Session.Clone] makes a
// copy that shares nothing.
//
// Optional text lines (i, u, k, z) are absent when their field is empty.
// The v= line is not stored: this package reads and writes version 0 only.
type Session struct {
	// Origin is the o= line (RFC 8866 5.2).
	Origin Origin
	// Name is the s= line (RFC 8866 5.3). Marshal writes "-" when it is
	// empty, as RFC 3264 5 recommends for unicast sessions.
	Name string
	// Info is the optional session-level i= line (RFC 8866 5.4).
	Info string
	// URI is the optional u= line (RFC 8866 5.5).
	URI string
	// Emails and Phones are the e= and p= lines (RFC 8866 5.6), in order.
	Emails []string
	Phones []string
	// Connection is the session-level c= line (RFC 8866 5.7), nil when
	// absent. Media without their own c= line use it.
	Connection *Connection
	// Bandwidths are the session-level b= lines (RFC 8866 5.8), in order.
	Bandwidths []Bandwidth
	// Times are the time descriptions, t= with its r= lines (RFC 8866
	// 5.9, 5.10). Marshal writes "t=0 0" when there is none, the value
	// RFC 3264 5 recommends.
	Times []Timing
	// TimeZones is the raw value of the optional z= line (RFC 8866 5.11).
	TimeZones string
	// Key is the raw value of the obsolete k= line (RFC 8866 5.12).
	Key string
	// Attributes are the session-level a= lines (RFC 8866 5.13), in order.
	Attributes Attributes
	// Media are the media descriptions (RFC 8866 5.14), in order. Their
	// positions matter: RFC 3264 6 pairs the m lines of an answer with
	// those of the offer by position.
	Media []Media
}

// An Origin is the o= line (RFC 8866 5.2): it names the session and its
// version. RFC 3264 5 requires SessionID and SessionVersion to fit a 64-bit
// signed integer and RFC 3264 8 requires each modification of a session to
// increment SessionVersion by one.
type Origin struct {
	Username       string // "-" when the user has no login name
	SessionID      uint64 // chosen by the creator, stays fixed for the session
	SessionVersion uint64 // incremented by one for every new offer or answer
	NetType        string // "IN"
	AddrType       string // "IP4" or "IP6"
	Address        string // unicast address or host name of the creator
}

// Next returns o with SessionVersion incremented by one, as RFC 3264 8
// requires of the o= line of every modified description. It fails with
// [ErrVersionOverflow] when the result would not fit a 64-bit signed
// integer (RFC 3264 5).
func (o Origin) Next() (Origin, error) {
	if o.SessionVersion >= maxInt63 {
		return o, ErrVersionOverflow
	}
	o.SessionVersion++
	return o, nil
}

const maxInt63 = 1<<63 - 1

// A Connection is a c= line (RFC 8866 5.7). Address is kept as written,
// including any /ttl and /count suffix of a multicast address.
type Connection struct {
	NetType  string // "IN"
	AddrType string // "IP4" or "IP6"
	Address  string // unicast address, host name, or multicast address
}

// A Bandwidth is a b= line (RFC 8866 5.8), such as "AS:64" (kilobits per
// second).
type Bandwidth struct {
	Type  string // "CT", "AS", or an extension type
	Value uint64 // in kilobits per second for CT and AS
}

// A Timing is a t= line with the r= lines that follow it (RFC 8866 5.9,
// 5.10). Start and Stop are NTP seconds; 0 0 means a permanent session,
// which is what SIP uses (RFC 3264 5).
type Timing struct {
	Start   uint64
	Stop    uint64
	Repeats []string // raw r= values, in order
}

// A Media is one media description (RFC 8866 5.14): an m= line and the
// lines that follow it up to the next m= line.
type Media struct {
	// Type is the media type: "audio", "video", "text", "application",
	// "message", "image", or another token.
	Type string
	// Port is the transport port, 0..65535. Port zero marks a disabled or
	// rejected stream (RFC 3264 5.1, 6, 8.2).
	Port int
	// PortCount is the number of ports of a "port/count" m line; 0 when
	// the line has no "/count".
	PortCount int
	// Proto is the transport protocol, such as "RTP/AVP" or "RTP/SAVP".
	Proto string
	// Formats are the media formats in order of preference. For RTP
	// protocols they are payload type numbers 0..127 in decimal.
	Formats []string
	// Info is the optional media-level i= line.
	Info string
	// Connection is the media-level c= line, nil when absent; it
	// overrides the session-level one (RFC 8866 5.7).
	Connection *Connection
	// Bandwidths are the media-level b= lines, in order.
	Bandwidths []Bandwidth
	// Key is the raw value of the obsolete media-level k= line.
	Key string
	// Attributes are the media-level a= lines, in order.
	Attributes Attributes
}

// Clone returns a deep copy of s: changing the copy never changes s.
func (s *Session) Clone() *Session {
	if s == nil {
		return nil
	}
	c := *s
	c.Emails = cloneSlice(s.Emails)
	c.Phones = cloneSlice(s.Phones)
	c.Connection = cloneConn(s.Connection)
	c.Bandwidths = cloneSlice(s.Bandwidths)
	c.Times = cloneTimes(s.Times)
	c.Attributes = cloneSlice(s.Attributes)
	if s.Media != nil {
		c.Media = make([]Media, len(s.Media))
		for i := range s.Media {
			c.Media[i] = s.Media[i].Clone()
		}
	}
	return &c
}

// Clone returns a deep copy of m.
func (m Media) Clone() Media {
	m.Formats = cloneSlice(m.Formats)
	m.Connection = cloneConn(m.Connection)
	m.Bandwidths = cloneSlice(m.Bandwidths)
	m.Attributes = cloneSlice(m.Attributes)
	return m
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

func cloneTimes(ts []Timing) []Timing {
	if ts == nil {
		return nil
	}
	out := make([]Timing, len(ts))
	for i, t := range ts {
		t.Repeats = cloneSlice(t.Repeats)
		out[i] = t
	}
	return out
}

func cloneConn(c *Connection) *Connection {
	if c == nil {
		return nil
	}
	cc := *c
	return &cc
}

// MediaDirection returns the effective direction of media description i:
// its own direction attribute if it has one, else the session-level one,
// else [SendRecv] (RFC 3264 5.1; RFC 8866 6.7: a media-level direction
// attribute overrides the session-level one). It returns 0 if i is out of
// range.
func (s *Session) MediaDirection(i int) Direction {
	if i < 0 || i >= len(s.Media) {
		return 0
	}
	if d := s.Media[i].Attributes.Direction(); d != 0 {
		return d
	}
	if d := s.Attributes.Direction(); d != 0 {
		return d
	}
	return SendRecv
}

// MediaConnection returns the connection of media description i: its own
// c= line if it has one, else the session-level one (RFC 8866 5.7). It
// returns nil if there is neither or i is out of range.
func (s *Session) MediaConnection(i int) *Connection {
	if i < 0 || i >= len(s.Media) {
		return nil
	}
	if c := s.Media[i].Connection; c != nil {
		return c
	}
	return s.Connection
}

// Disabled reports whether the stream is disabled or rejected: its port is
// zero (RFC 3264 5.1, 6, 8.2).
func (m *Media) Disabled() bool { return m.Port == 0 }

// IsRTP reports whether the transport protocol is an RTP profile
// ("RTP/AVP", "RTP/SAVP", "RTP/AVPF", "UDP/TLS/RTP/SAVPF" ...), whose
// formats are RTP payload type numbers (RFC 8866 5.14).
func (m *Media) IsRTP() bool { return isRTPProto(m.Proto) }

func isRTPProto(p string) bool {
	return strings.HasPrefix(p, "RTP/") || strings.Contains(p, "/RTP/")
}
