package sdp

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Capabilities are what the local side can and wants to do in a session:
// the "designated capabilities" a user agent offers or answers with. A
// media type absent from Media is one the user does not want now (for
// example video when the user wants audio only): [Answer] rejects offered
// streams of that type.
type Capabilities struct {
	// Media lists the streams the local side wants, in the order an
	// [Offer] writes them.
	Media []MediaCapability
	// Order says whose preference orders the formats of an answer.
	Order FormatOrder
}

// FormatOrder chooses the order of the formats on an answer's m lines.
// Both orders list the same formats: those of the offer that the answerer
// supports (RFC 3264 6.1).
type FormatOrder uint8

const (
	// OfferOrder keeps the offerer's order of preference. It is the zero
	// value.
	OfferOrder FormatOrder = iota
	// LocalOrder lists formats in the order of the answerer's
	// [MediaCapability.Codecs].
	LocalOrder
)

// A MediaCapability is one stream the local side is willing to carry.
type MediaCapability struct {
	// Type is the media type, "audio" or "video" (or another token).
	Type string
	// Port is the local transport port for the stream's media, 1..65535.
	Port int
	// Proto is the transport protocol; "RTP/AVP" when empty. [Answer]
	// rejects an offered stream of another protocol.
	Proto string
	// Codecs are the formats the local side supports, most preferred
	// first. An [Offer] uses their payload types; an [Answer] uses the
	// offerer's payload type numbers for the codecs it matches.
	Codecs []Codec
	// Direction is what the local side wants: send and receive, send
	// only, receive only or neither. The zero value means [SendRecv].
	Direction Direction
	// Ptime, if not zero, is written as a=ptime (RFC 8866 6.4), in whole
	// or fractional milliseconds.
	Ptime time.Duration
}

func (c *MediaCapability) proto() string {
	if c.Proto == "" {
		return "RTP/AVP"
	}
	return c.Proto
}

func (c *MediaCapability) direction() Direction {
	if c.Direction == 0 {
		return SendRecv
	}
	return c.Direction
}

func (c *MediaCapability) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: media %q: %s", ErrCapabilities, c.Type, fmt.Sprintf(format, args...))
	}
	if !isToken(c.Type) {
		return bad("type is not a token")
	}
	if c.Port < 1 || c.Port > 65535 {
		return bad("port %d is not 1..65535", c.Port)
	}
	if !isProto(c.proto()) {
		return bad("protocol %q is not <token>[/<token>...]", c.Proto)
	}
	if c.Direction > Inactive {
		return bad("direction %d is not one of the four of RFC 8866 6.7", c.Direction)
	}
	if c.Ptime < 0 || c.Ptime > time.Hour {
		return bad("ptime %v is out of range", c.Ptime)
	}
	if len(c.Codecs) == 0 || len(c.Codecs) > MaxFormats {
		return bad("%d codecs, want 1..%d", len(c.Codecs), MaxFormats)
	}
	rtp := isRTPProto(c.proto())
	for i, k := range c.Codecs {
		if !isToken(k.Name) || !isText(k.Fmtp) {
			return bad("codec %d: name %q is not a token or fmtp contains a line break", i+1, k.Name)
		}
		if !rtp {
			continue
		}
		if k.PayloadType > 127 || k.ClockRate == 0 {
			return bad("codec %s: payload type %d is not 0..127 or clock rate is 0", k.Name, k.PayloadType)
		}
		for _, o := range c.Codecs[:i] {
			if o.PayloadType == k.PayloadType {
				return bad("payload type %d used twice", k.PayloadType)
			}
		}
	}
	return nil
}

// validateOrigin checks an Origin a caller passes in.
func validateOrigin(o Origin) error {
	if !isVisible(o.Username) || !isToken(o.NetType) || !isToken(o.AddrType) || !isVisible(o.Address) {
		return fmt.Errorf("%w: origin %+v has an empty field or one containing a space", ErrCapabilities, o)
	}
	if o.SessionID > maxInt63 || o.SessionVersion > maxInt63 {
		return fmt.Errorf("%w: session id and version must fit a 64-bit signed integer (RFC 3264 5)", ErrCapabilities)
	}
	return nil
}

// newSession starts a description for the local side: o= from origin,
// s=-, the session-level c= at the origin's address and t=0 0 (RFC 3264 5).
func newSession(origin Origin) *Session {
	return &Session{
		Origin:     origin,
		Name:       "-",
		Connection: &Connection{NetType: origin.NetType, AddrType: origin.AddrType, Address: origin.Address},
		Times:      []Timing{{}},
	}
}

// Offer builds an initial offer (RFC 3264 5): one m line per
// [MediaCapability] in order, each listing its codecs' payload types with an
// a=rtpmap for every one (static ones too, as RFC 3665 examples do), an
// a=fmtp where a codec has parameters, a=ptime if set, and a direction
// attribute unless the direction is sendrecv. The o= line is origin; its
// address is also the session-level c= address. The caller chooses the
// session id and version; nothing here is random.
func Offer(local Capabilities, origin Origin) (*Session, error) {
	if err := validateOrigin(origin); err != nil {
		return nil, err
	}
	if len(local.Media) > MaxMedia {
		return nil, fmt.Errorf("%w: %d media, limit %d", ErrCapabilities, len(local.Media), MaxMedia)
	}
	s := newSession(origin)
	for i := range local.Media {
		m, err := offerMedia(&local.Media[i])
		if err != nil {
			return nil, err
		}
		s.Media = append(s.Media, m)
	}
	return s, nil
}

// offerMedia builds the media description offering c.
func offerMedia(c *MediaCapability) (Media, error) {
	if err := c.validate(); err != nil {
		return Media{}, err
	}
	m := Media{Type: c.Type, Port: c.Port, Proto: c.proto()}
	rtp := isRTPProto(m.Proto)
	for _, k := range c.Codecs {
		if rtp {
			m.Formats = append(m.Formats, strconv.Itoa(int(k.PayloadType)))
		} else {
			m.Formats = append(m.Formats, k.Name)
		}
	}
	if rtp {
		for _, k := range c.Codecs {
			m.Attributes.Add("rtpmap", k.rtpMap().String())
		}
	}
	for i, k := range c.Codecs {
		if k.Fmtp != "" {
			m.Attributes.Add("fmtp", m.Formats[i]+" "+k.Fmtp)
		}
	}
	addPtime(&m, c.Ptime)
	if d := c.direction(); d != SendRecv {
		m.Attributes.SetDirection(d)
	}
	return m, nil
}

func addPtime(m *Media, d time.Duration) {
	if d > 0 {
		m.Attributes.Add("ptime", formatMillis(d))
	}
}

// Answer builds the answer to offer (RFC 3264 6) from the answerer's
// capabilities, with origin as its own o= line (its own session id and
// version, RFC 3264 6; for the answer to a re-offer, the version of the
// previous answer plus one, see [Origin.Next]).
//
// The answer has one m line per offered m line, in the same order
// (RFC 3264 6). An offered stream is accepted when it is active (port not
// zero), the answerer has an unused [MediaCapability] of the same media type
// and protocol, and they share at least one format; each capability accepts
// at most one stream, the first that fits. Every other stream is rejected:
// its m line has port zero, the offered protocol and formats, and no
// attributes (RFC 3264 6).
//
// Formats (RFC 3264 6.1): the answer lists the offered formats the
// answerer supports, keeping the offerer's payload type numbers. A static
// payload type matches by its number's RFC 3551 encoding (or its rtpmap,
// if the offer gives one); a dynamic one matches by the encoding name,
// clock rate and channels of its rtpmap. [Capabilities.Order] chooses the
// order. Format parameters are not compared; the answer carries the
// answerer's own fmtp for each matched codec.
//
// Direction (RFC 3264 6.1): the answerer sends only if the offer lets it
// receive and its capability wants to send, and receives only if the offer
// sends and it wants to receive. So sendonly is answered recvonly,
// recvonly sendonly, inactive inactive, and sendrecv with the answerer's
// wish. The effective offered direction honours session-level attributes.
//
// The t= lines are copied from the offer (RFC 3264 6). If the offer has at
// least one active stream and none can be accepted, Answer returns
// [ErrNoCommonMedia] and no answer: the user agent should send 488 Not
// Acceptable Here rather than accept a call without media. An offer whose
// streams are all disabled, or with no m lines, gets an answer. An offer
// that fails [Session.Validate] gives an error wrapping [ErrInvalidSession].
func Answer(offer *Session, local Capabilities, origin Origin) (*Session, error) {
	if offer == nil {
		return nil, fmt.Errorf("%w: nil offer", ErrCapabilities)
	}
	if err := offer.Validate(); err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	if err := validateOrigin(origin); err != nil {
		return nil, err
	}
	for i := range local.Media {
		if err := local.Media[i].validate(); err != nil {
			return nil, err
		}
	}
	s := newSession(origin)
	if len(offer.Times) > 0 {
		s.Times = cloneTimes(offer.Times)
	}
	used := make([]bool, len(local.Media))
	active, accepted := 0, 0
	for i := range offer.Media {
		om := &offer.Media[i]
		if !om.Disabled() {
			active++
		}
		m, ok := answerMedia(offer, i, local, used)
		if ok {
			accepted++
		}
		s.Media = append(s.Media, m)
	}
	if active > 0 && accepted == 0 {
		return nil, fmt.Errorf("%w: %d active streams offered, none matches the local capabilities", ErrNoCommonMedia, active)
	}
	return s, nil
}

// rejectMedia returns the answer's m line rejecting om (RFC 3264 6).
func rejectMedia(om *Media) Media {
	return Media{Type: om.Type, Port: 0, Proto: om.Proto, Formats: cloneSlice(om.Formats)}
}

// answerMedia answers offered media description i.
func answerMedia(offer *Session, i int, local Capabilities, used []bool) (Media, bool) {
	om := &offer.Media[i]
	if om.Disabled() {
		return rejectMedia(om), false
	}
	for j := range local.Media {
		c := &local.Media[j]
		if used[j] || c.Type != om.Type || c.proto() != om.Proto {
			continue
		}
		formats, codecs := matchFormats(om, c, local.Order)
		if len(formats) == 0 {
			continue
		}
		used[j] = true
		m := Media{Type: om.Type, Port: c.Port, Proto: om.Proto, Formats: formats}
		if om.IsRTP() {
			for _, k := range codecs {
				r, _ := om.RTPMap(k.PayloadType)
				m.Attributes.Add("rtpmap", r.String())
			}
		}
		for k, f := range formats {
			if codecs[k].Fmtp != "" {
				m.Attributes.Add("fmtp", f+" "+codecs[k].Fmtp)
			}
		}
		addPtime(&m, c.Ptime)
		off := offer.MediaDirection(i)
		want := c.direction()
		d := makeDirection(want.Sends() && off.Receives(), want.Receives() && off.Sends())
		if d != SendRecv {
			m.Attributes.SetDirection(d)
		}
		return m, true
	}
	return rejectMedia(om), false
}

// matchFormats returns the offered formats of om that c supports, and for
// each the local codec with the offer's payload type.
func matchFormats(om *Media, c *MediaCapability, order FormatOrder) ([]string, []Codec) {
	var formats []string
	var codecs []Codec
	take := func(f string, k Codec) {
		for _, g := range formats {
			if g == f {
				return
			}
		}
		formats = append(formats, f)
		codecs = append(codecs, k)
	}
	rtp := om.IsRTP()
	// matches reports whether offered format f is local codec k, and
	// returns k renumbered to the offer's payload type.
	matches := func(f string, k Codec) (Codec, bool) {
		if !rtp {
			return k, f == k.Name
		}
		oc, ok := om.codec(f)
		if !ok || !oc.Matches(k) {
			return k, false
		}
		k.PayloadType = oc.PayloadType
		return k, true
	}
	if order == LocalOrder {
		for _, k := range c.Codecs {
			for _, f := range om.Formats {
				if kk, ok := matches(f, k); ok {
					take(f, kk)
				}
			}
		}
		return formats, codecs
	}
	for _, f := range om.Formats {
		for _, k := range c.Codecs {
			if kk, ok := matches(f, k); ok {
				take(f, kk)
				break
			}
		}
	}
	return formats, codecs
}

// A Stream is the outcome of offer/answer for one m line position.
type Stream struct {
	// Index is the position of the m line, from 0.
	Index int
	// Type and Proto are the media type and transport protocol.
	Type  string
	Proto string
	// Active is true when neither side set the port to zero and the
	// answer lists at least one offered format: media may flow. An active
	// stream can still be [Inactive].
	Active bool
	// Direction is the direction of media from the offerer's point of
	// view: SendOnly means the offerer sends and the answerer receives.
	// Use [Direction.Reverse] for the answerer's view. It is [Inactive]
	// for a stream that is not active.
	Direction Direction
	// Codecs are the formats both sides use, in the answer's order, with
	// the payload types of the offer. The first is the one to send
	// (RFC 3264 6.1, 7).
	Codecs []Codec
	// OfferAddress and OfferPort are where the offerer receives media;
	// AnswerAddress and AnswerPort are where the answerer receives media.
	// Addresses are those of the effective c= lines (RFC 8866 5.7).
	OfferAddress  string
	OfferPort     int
	AnswerAddress string
	AnswerPort    int
}

// Negotiate returns the streams that result from an offer and the answer
// to it, one per m line in order, after checking the answer with
// [ValidateAnswer]. Codecs of a stream are the answer's formats resolved
// through the answer's rtpmap lines, else the offer's, else the static
// table; the answer's fmtp lines are kept.
func Negotiate(offer, answer *Session) ([]Stream, error) {
	if err := ValidateAnswer(offer, answer); err != nil {
		return nil, err
	}
	streams := make([]Stream, len(offer.Media))
	for i := range offer.Media {
		om, am := &offer.Media[i], &answer.Media[i]
		st := Stream{Index: i, Type: om.Type, Proto: om.Proto, Direction: Inactive, OfferPort: om.Port, AnswerPort: am.Port}
		if c := offer.MediaConnection(i); c != nil {
			st.OfferAddress = c.Address
		}
		if c := answer.MediaConnection(i); c != nil {
			st.AnswerAddress = c.Address
		}
		if !om.Disabled() && !am.Disabled() {
			st.Codecs = commonCodecs(om, am)
			st.Active = true
			od, ad := offer.MediaDirection(i), answer.MediaDirection(i)
			st.Direction = makeDirection(od.Sends() && ad.Receives(), od.Receives() && ad.Sends())
		}
		streams[i] = st
	}
	return streams, nil
}

// commonCodecs resolves the answer's formats that the offer also lists.
func commonCodecs(om, am *Media) []Codec {
	var out []Codec
	for _, f := range am.Formats {
		if !hasFormat(om, f) {
			continue
		}
		if !om.IsRTP() {
			out = append(out, Codec{Name: f})
			continue
		}
		c, ok := am.codec(f)
		if !ok {
			c, ok = om.codec(f)
			c.Fmtp, _ = am.Fmtp(f)
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

func hasFormat(m *Media, f string) bool {
	for _, g := range m.Formats {
		if g == f {
			return true
		}
	}
	return false
}

// ValidateAnswer checks that answer fits offer (RFC 3264 6): it has as many
// m lines, with the same media types in the same order; a stream the offer
// disabled stays disabled; an accepted stream keeps the offered protocol,
// lists at least one offered format, and has a direction the offered one
// allows (RFC 3264 6.1: sendonly answered by recvonly or inactive, recvonly
// by sendonly or inactive, inactive by inactive). Errors wrap
// [ErrAnswerMismatch] and name the m line (from 1).
func ValidateAnswer(offer, answer *Session) error {
	if offer == nil || answer == nil {
		return fmt.Errorf("%w: nil offer or answer", ErrAnswerMismatch)
	}
	if len(answer.Media) != len(offer.Media) {
		return fmt.Errorf("%w: %d m lines answer %d offered (RFC 3264 6)", ErrAnswerMismatch, len(answer.Media), len(offer.Media))
	}
	for i := range offer.Media {
		om, am := &offer.Media[i], &answer.Media[i]
		if am.Type != om.Type {
			return fmt.Errorf("%w: m line %d is %s in the answer, %s in the offer (RFC 3264 6)", ErrAnswerMismatch, i+1, am.Type, om.Type)
		}
		if am.Disabled() {
			continue
		}
		if om.Disabled() {
			return fmt.Errorf("%w: m line %d (%s) was offered with port 0 but answered with port %d (RFC 3264 6)", ErrAnswerMismatch, i+1, om.Type, am.Port)
		}
		if am.Proto != om.Proto {
			return fmt.Errorf("%w: m line %d (%s) answers protocol %s to %s", ErrAnswerMismatch, i+1, om.Type, am.Proto, om.Proto)
		}
		common := false
		for _, f := range am.Formats {
			if hasFormat(om, f) {
				common = true
				break
			}
		}
		if !common {
			return fmt.Errorf("%w: m line %d (%s) lists none of the offered formats %s (RFC 3264 6.1)", ErrAnswerMismatch, i+1, om.Type, strings.Join(om.Formats, " "))
		}
		od, ad := offer.MediaDirection(i), answer.MediaDirection(i)
		if (ad.Sends() && !od.Receives()) || (ad.Receives() && !od.Sends()) {
			return fmt.Errorf("%w: m line %d (%s) answers %s to %s (RFC 3264 6.1)", ErrAnswerMismatch, i+1, om.Type, ad, od)
		}
	}
	return nil
}
