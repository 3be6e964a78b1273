package sdp

import (
	"fmt"
	"strconv"
	"strings"
)

// Marshal returns the session description as text with CRLF line ends
// (RFC 8866 5), after checking with [Session.Validate] that the text will
// parse. Lines are written in the order of RFC 8866 5 and attributes in the
// order of their slices, so the same Session always gives the same bytes.
func (s *Session) Marshal() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s.AppendTo(make([]byte, 0, s.sizeHint())), nil
}

// String returns the session description as text, or "" if it is not
// valid; see [Session.Marshal].
func (s *Session) String() string {
	b, err := s.Marshal()
	if err != nil {
		return ""
	}
	return string(b)
}

// AppendTo appends the session description to b and returns the extended
// buffer. It does not validate s: a value containing a line break or a
// malformed field gives text that [Parse] rejects. Use it on Sessions from
// Parse, [Offer], [Answer] or the modification helpers, or after
// [Session.Validate].
func (s *Session) AppendTo(b []byte) []byte {
	o := s.Origin
	b = append(b, "v=0\r\no="...)
	b = append(b, o.Username...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, o.SessionID, 10)
	b = append(b, ' ')
	b = strconv.AppendUint(b, o.SessionVersion, 10)
	b = append(b, ' ')
	b = append(b, o.NetType...)
	b = append(b, ' ')
	b = append(b, o.AddrType...)
	b = append(b, ' ')
	b = append(b, o.Address...)
	name := s.Name
	if name == "" {
		name = "-"
	}
	b = appendLine(b, 's', name)
	b = appendOpt(b, 'i', s.Info)
	b = appendOpt(b, 'u', s.URI)
	for _, e := range s.Emails {
		b = appendLine(b, 'e', e)
	}
	for _, p := range s.Phones {
		b = appendLine(b, 'p', p)
	}
	b = appendConn(b, s.Connection)
	b = appendBandwidths(b, s.Bandwidths)
	if len(s.Times) == 0 {
		b = append(b, "\r\nt=0 0"...)
	}
	for _, t := range s.Times {
		b = append(b, "\r\nt="...)
		b = strconv.AppendUint(b, t.Start, 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, t.Stop, 10)
		for _, r := range t.Repeats {
			b = appendLine(b, 'r', r)
		}
	}
	b = appendOpt(b, 'z', s.TimeZones)
	b = appendOpt(b, 'k', s.Key)
	b = appendAttributes(b, s.Attributes)
	for i := range s.Media {
		m := &s.Media[i]
		b = append(b, "\r\nm="...)
		b = append(b, m.Type...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.Port), 10)
		if m.PortCount > 0 {
			b = append(b, '/')
			b = strconv.AppendInt(b, int64(m.PortCount), 10)
		}
		b = append(b, ' ')
		b = append(b, m.Proto...)
		for _, f := range m.Formats {
			b = append(b, ' ')
			b = append(b, f...)
		}
		b = appendOpt(b, 'i', m.Info)
		b = appendConn(b, m.Connection)
		b = appendBandwidths(b, m.Bandwidths)
		b = appendOpt(b, 'k', m.Key)
		b = appendAttributes(b, m.Attributes)
	}
	return append(b, "\r\n"...)
}

func appendLine(b []byte, t byte, v string) []byte {
	b = append(b, '\r', '\n', t, '=')
	return append(b, v...)
}

func appendOpt(b []byte, t byte, v string) []byte {
	if v == "" {
		return b
	}
	return appendLine(b, t, v)
}

func appendConn(b []byte, c *Connection) []byte {
	if c == nil {
		return b
	}
	b = append(b, "\r\nc="...)
	b = append(b, c.NetType...)
	b = append(b, ' ')
	b = append(b, c.AddrType...)
	b = append(b, ' ')
	return append(b, c.Address...)
}

func appendBandwidths(b []byte, bws []Bandwidth) []byte {
	for _, bw := range bws {
		b = append(b, "\r\nb="...)
		b = append(b, bw.Type...)
		b = append(b, ':')
		b = strconv.AppendUint(b, bw.Value, 10)
	}
	return b
}

func appendAttributes(b []byte, as Attributes) []byte {
	for _, a := range as {
		b = append(b, "\r\na="...)
		b = append(b, a.Key...)
		if a.Value != "" {
			b = append(b, ':')
			b = append(b, a.Value...)
		}
	}
	return b
}

// sizeHint estimates the marshalled size so that Marshal allocates once.
func (s *Session) sizeHint() int {
	n := 128 + len(s.Origin.Username) + len(s.Origin.Address) + len(s.Name) + len(s.Info) + len(s.URI)
	for _, a := range s.Attributes {
		n += 5 + len(a.Key) + len(a.Value)
	}
	for i := range s.Media {
		n += 64
		for _, f := range s.Media[i].Formats {
			n += 1 + len(f)
		}
		for _, a := range s.Media[i].Attributes {
			n += 5 + len(a.Key) + len(a.Value)
		}
	}
	return n
}

// Validate reports whether s can be written as a session description that
// [Parse] accepts and reads back as s. It returns an error wrapping
// [ErrInvalidSession] that names the first bad field.
func (s *Session) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidSession, fmt.Sprintf(format, args...))
	}
	o := s.Origin
	if !isVisible(o.Username) || !isToken(o.NetType) || !isToken(o.AddrType) || !isVisible(o.Address) {
		return bad("origin %+v has an empty field or one containing a space", o)
	}
	for _, f := range []struct {
		name, v string
	}{{"session name", s.Name}, {"info", s.Info}, {"uri", s.URI}, {"time zones", s.TimeZones}, {"key", s.Key}} {
		if !isText(f.v) {
			return bad("%s %q contains a forbidden byte", f.name, f.v)
		}
	}
	for _, list := range [][]string{s.Emails, s.Phones} {
		for _, v := range list {
			if v == "" || !isText(v) {
				return bad("e= or p= value %q is empty or contains a forbidden byte", v)
			}
		}
	}
	if err := validateConn(s.Connection); err != nil {
		return bad("session %v", err)
	}
	if err := validateBandwidths(s.Bandwidths); err != nil {
		return bad("session %v", err)
	}
	for _, t := range s.Times {
		for _, r := range t.Repeats {
			if r == "" || !isText(r) {
				return bad("r= value %q is empty or contains a forbidden byte", r)
			}
		}
	}
	if err := validateAttributes(s.Attributes); err != nil {
		return bad("session %v", err)
	}
	if len(s.Media) > MaxMedia {
		return bad("%d media descriptions, limit %d", len(s.Media), MaxMedia)
	}
	for i := range s.Media {
		m := &s.Media[i]
		if err := m.validate(); err != nil {
			return bad("media %d (%s): %v", i+1, m.Type, err)
		}
		if m.Connection == nil && s.Connection == nil {
			return bad("media %d (%s) has no connection and the session has none (RFC 8866 5.7)", i+1, m.Type)
		}
	}
	return nil
}

func (m *Media) validate() error {
	if !isToken(m.Type) {
		return fmt.Errorf("media type %q is not a token", m.Type)
	}
	if m.Port < 0 || m.Port > 65535 || m.PortCount < 0 || m.PortCount > 65535 {
		return fmt.Errorf("port %d/%d out of range", m.Port, m.PortCount)
	}
	if !isProto(m.Proto) {
		return fmt.Errorf("protocol %q is not <token>[/<token>...]", m.Proto)
	}
	if len(m.Formats) == 0 || len(m.Formats) > MaxFormats {
		return fmt.Errorf("%d formats, want 1..%d", len(m.Formats), MaxFormats)
	}
	rtp := m.IsRTP()
	for i, f := range m.Formats {
		if _, ok := parsePayloadType(f); rtp && !ok {
			return fmt.Errorf("format %q is not an RTP payload type", f)
		}
		if !isToken(f) {
			return fmt.Errorf("format %q is not a token", f)
		}
		for _, g := range m.Formats[:i] {
			if f == g {
				return fmt.Errorf("format %q listed twice", f)
			}
		}
	}
	if !isText(m.Info) || !isText(m.Key) {
		return fmt.Errorf("info or key contains a forbidden byte")
	}
	if err := validateConn(m.Connection); err != nil {
		return err
	}
	if err := validateBandwidths(m.Bandwidths); err != nil {
		return err
	}
	return validateAttributes(m.Attributes)
}

func validateConn(c *Connection) error {
	if c != nil && (!isToken(c.NetType) || !isToken(c.AddrType) || !isVisible(c.Address)) {
		return fmt.Errorf("connection %+v has an empty field or one containing a space", *c)
	}
	return nil
}

func validateBandwidths(bws []Bandwidth) error {
	for _, bw := range bws {
		if !isToken(bw.Type) {
			return fmt.Errorf("bandwidth type %q is not a token", bw.Type)
		}
	}
	return nil
}

// validateAttributes checks attributes the way Parse does.
func validateAttributes(as Attributes) error {
	var sec section
	for _, a := range as {
		if !isText(a.Value) {
			return fmt.Errorf("attribute %q value contains a forbidden byte", a.Key)
		}
		if msg := sec.check(a.Key, a.Value); msg != "" {
			return fmt.Errorf("attribute %q: %s", a.Key, msg)
		}
	}
	return nil
}

// isText reports whether v can be a line value: no NUL, CR or LF
// (RFC 8866 9 byte-string).
func isText(v string) bool { return !strings.ContainsAny(v, "\x00\r\n") }

// isVisible reports whether v is non-empty text without spaces.
func isVisible(v string) bool { return v != "" && isText(v) && !strings.Contains(v, " ") }
