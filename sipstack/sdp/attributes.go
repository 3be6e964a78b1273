package sdp

import (
	"strconv"
	"strings"
	"time"
)

// An Attribute is one a= line (RFC 8866 5.13): a property attribute
// ("a=sendonly") has an empty Value; a value attribute ("a=ptime:20") has
// Key "ptime" and Value "20". Parse reads "a=name:" with an empty value as
// the property attribute "a=name".
type Attribute struct {
	Key   string
	Value string
}

// Attributes are a= lines in the order they appear. Lookups compare names
// exactly (the names this package interprets are lower case).
type Attributes []Attribute

// Get returns the value of the first attribute named key.
func (as Attributes) Get(key string) (value string, ok bool) {
	for _, a := range as {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// Has reports whether an attribute named key is present.
func (as Attributes) Has(key string) bool {
	_, ok := as.Get(key)
	return ok
}

// Values returns the values of every attribute named key, in order.
func (as Attributes) Values(key string) []string {
	var vs []string
	for _, a := range as {
		if a.Key == key {
			vs = append(vs, a.Value)
		}
	}
	return vs
}

// Add appends an attribute.
func (as *Attributes) Add(key, value string) {
	*as = append(*as, Attribute{Key: key, Value: value})
}

// Delete removes every attribute named key, keeping the others in order.
func (as *Attributes) Delete(key string) {
	out := (*as)[:0]
	for _, a := range *as {
		if a.Key != key {
			out = append(out, a)
		}
	}
	clear((*as)[len(out):])
	*as = out
}

// Direction returns the direction attribute present (RFC 3264 5.1,
// RFC 8866 6.7), or 0 if there is none.
func (as Attributes) Direction() Direction {
	for _, a := range as {
		if d := directionOfName(a.Key); d != 0 && a.Value == "" {
			return d
		}
	}
	return 0
}

// SetDirection makes d the only direction attribute: it replaces the first
// existing one in place, or appends d if there was none. A zero d removes
// every direction attribute.
func (as *Attributes) SetDirection(d Direction) {
	out := (*as)[:0]
	placed := false
	for _, a := range *as {
		if directionOfName(a.Key) != 0 && a.Value == "" {
			if placed || d == 0 {
				continue
			}
			a.Key = d.String()
			placed = true
		}
		out = append(out, a)
	}
	clear((*as)[len(out):])
	if !placed && d != 0 {
		out = append(out, Attribute{Key: d.String()})
	}
	*as = out
}

// A Direction says whether a stream's media flows to the side that wrote
// the description, from it, both ways or not at all (RFC 3264 5.1, RFC 8866
// 6.7). The zero value means "not specified".
type Direction uint8

// The four direction attributes of RFC 8866 6.7.
const (
	SendRecv Direction = iota + 1 // a=sendrecv: send and receive (the default)
	SendOnly                      // a=sendonly: send only
	RecvOnly                      // a=recvonly: receive only
	Inactive                      // a=inactive: neither
)

// String returns the attribute name ("sendrecv" ...), or "" for 0.
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return ""
}

// Sends reports whether the side that wrote d sends media.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether the side that wrote d receives media.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// Reverse returns d as seen from the other side: sendonly becomes recvonly
// and recvonly becomes sendonly (RFC 3264 6.1).
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// makeDirection returns the direction of a side that sends if send and
// receives if recv.
func makeDirection(send, recv bool) Direction {
	switch {
	case send && recv:
		return SendRecv
	case send:
		return SendOnly
	case recv:
		return RecvOnly
	}
	return Inactive
}

func directionOfName(name string) Direction {
	switch name {
	case "sendrecv":
		return SendRecv
	case "sendonly":
		return SendOnly
	case "recvonly":
		return RecvOnly
	case "inactive":
		return Inactive
	}
	return 0
}

// An RTPMap is the value of an a=rtpmap attribute (RFC 8866 6.6):
// "<payload type> <encoding name>/<clock rate>[/<encoding parameters>]".
type RTPMap struct {
	PayloadType uint8  // 0..127
	Encoding    string // "PCMU", "opus", "H264", "telephone-event" ...
	ClockRate   uint32 // in hertz
	Params      string // encoding parameters: channel count for audio, "" if absent
}

// parseRTPMap parses an rtpmap attribute value.
func parseRTPMap(v string) (RTPMap, string) {
	ptStr, rest, ok := strings.Cut(v, " ")
	if !ok {
		return RTPMap{}, "rtpmap needs \"<payload type> <encoding>/<clock rate>\""
	}
	pt, ok := parsePayloadType(ptStr)
	if !ok {
		return RTPMap{}, "rtpmap payload type " + strconv.Quote(ptStr) + " is not 0..127"
	}
	name, rest, ok := strings.Cut(rest, "/")
	if !ok || name == "" || !isToken(name) {
		return RTPMap{}, "rtpmap encoding " + strconv.Quote(name) + " is not <token>/<clock rate>"
	}
	rateStr, params, _ := strings.Cut(rest, "/")
	rate, err := strconv.ParseUint(rateStr, 10, 32)
	if err != nil || !isDigits(rateStr) || rate == 0 {
		return RTPMap{}, "rtpmap clock rate " + strconv.Quote(rateStr) + " is not a positive integer"
	}
	if strings.ContainsAny(params, " /") || (params == "" && strings.Count(rest, "/") > 0) {
		return RTPMap{}, "rtpmap encoding parameters " + strconv.Quote(params) + " are malformed"
	}
	return RTPMap{PayloadType: pt, Encoding: name, ClockRate: uint32(rate), Params: params}, ""
}

// String formats the rtpmap attribute value.
func (r RTPMap) String() string {
	s := strconv.Itoa(int(r.PayloadType)) + " " + r.Encoding + "/" + strconv.FormatUint(uint64(r.ClockRate), 10)
	if r.Params != "" {
		s += "/" + r.Params
	}
	return s
}

// RTPMap returns the mapping of payload type pt: from the media's
// a=rtpmap attribute if it has one (RFC 8866 6.6), else from the static
// assignments of RFC 3551 6. ok is false for a payload type with neither.
func (m *Media) RTPMap(pt uint8) (r RTPMap, ok bool) {
	for _, a := range m.Attributes {
		if a.Key != "rtpmap" {
			continue
		}
		if r, msg := parseRTPMap(a.Value); msg == "" && r.PayloadType == pt {
			return r, true
		}
	}
	if c, ok := StaticCodec(pt); ok {
		return c.rtpMap(), true
	}
	return RTPMap{}, false
}

// Fmtp returns the format parameters of format (the value of
// "a=fmtp:<format> <parameters>", RFC 8866 6.15) without the format.
func (m *Media) Fmtp(format string) (params string, ok bool) {
	for _, a := range m.Attributes {
		if a.Key != "fmtp" {
			continue
		}
		if f, p, _ := strings.Cut(a.Value, " "); f == format {
			return p, true
		}
	}
	return "", false
}

// Ptime returns the packet time of a=ptime (RFC 8866 6.4), the length of
// media in one packet. ok is false when the attribute is absent.
func (m *Media) Ptime() (d time.Duration, ok bool) {
	v, ok := m.Attributes.Get("ptime")
	if !ok {
		return 0, false
	}
	d, ok = parseMillis(v)
	return d, ok
}

// PayloadTypes returns the formats of an RTP media description as payload
// type numbers, in order. It returns nil for a non-RTP protocol.
func (m *Media) PayloadTypes() []uint8 {
	if !m.IsRTP() {
		return nil
	}
	pts := make([]uint8, 0, len(m.Formats))
	for _, f := range m.Formats {
		if pt, ok := parsePayloadType(f); ok {
			pts = append(pts, pt)
		}
	}
	return pts
}

// parseMillis parses a positive decimal count of milliseconds with up to
// six fractional digits ("20", "22.5"), the form of ptime and maxptime
// (RFC 8866 6.4, 6.5).
func parseMillis(v string) (time.Duration, bool) {
	ip, fp, hasFrac := strings.Cut(v, ".")
	if !isDigits(ip) || (hasFrac && (!isDigits(fp) || len(fp) > 6)) {
		return 0, false
	}
	n, err := strconv.ParseUint(ip, 10, 32)
	if err != nil {
		return 0, false
	}
	d := time.Duration(n) * time.Millisecond
	if hasFrac {
		f, _ := strconv.ParseUint(fp+strings.Repeat("0", 6-len(fp)), 10, 32)
		d += time.Duration(f) * time.Nanosecond
	}
	if d <= 0 {
		return 0, false
	}
	return d, true
}

// formatMillis formats d as parseMillis reads it.
func formatMillis(d time.Duration) string {
	ms := d / time.Millisecond
	ns := d % time.Millisecond
	s := strconv.FormatInt(int64(ms), 10)
	if ns != 0 {
		f := strconv.FormatInt(int64(ns)+1e6, 10)[1:]
		s += "." + strings.TrimRight(f, "0")
	}
	return s
}

// parsePayloadType parses a decimal RTP payload type 0..127 without sign or
// leading zeros beyond a single "0".
func parsePayloadType(s string) (uint8, bool) {
	if !isDigits(s) || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	if n > 127 {
		return 0, false
	}
	return uint8(n), true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isToken reports whether s is an RFC 8866 9 token: one or more of
// the visible ASCII characters other than the separators.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
