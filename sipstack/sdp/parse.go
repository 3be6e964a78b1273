package sdp

import (
	"fmt"
	"strconv"
	"strings"
)

// Line ranks give the order of RFC 8866 5 within a section; a line may not
// follow a line of higher rank. t and r share a rank: r repeats belong to
// the t line before them.
const (
	rankV = iota
	rankO
	rankS
	rankI
	rankU
	rankE
	rankP
	rankC
	rankB
	rankT
	rankZ
	rankK
	rankA
)

// Media-level ranks.
const (
	mrankM = iota
	mrankI
	mrankC
	mrankB
	mrankK
	mrankA
)

func sessionRank(t byte) (rank int, repeatable bool, ok bool) {
	switch t {
	case 'v':
		return rankV, false, true
	case 'o':
		return rankO, false, true
	case 's':
		return rankS, false, true
	case 'i':
		return rankI, false, true
	case 'u':
		return rankU, false, true
	case 'e':
		return rankE, true, true
	case 'p':
		return rankP, true, true
	case 'c':
		return rankC, false, true
	case 'b':
		return rankB, true, true
	case 't', 'r':
		return rankT, true, true
	case 'z':
		return rankZ, false, true
	case 'k':
		return rankK, false, true
	case 'a':
		return rankA, true, true
	}
	return 0, false, false
}

func mediaRank(t byte) (rank int, repeatable bool, ok bool) {
	switch t {
	case 'i':
		return mrankI, false, true
	case 'c':
		return mrankC, false, true
	case 'b':
		return mrankB, true, true
	case 'k':
		return mrankK, false, true
	case 'a':
		return mrankA, true, true
	}
	return 0, false, false
}

// parser holds the state of one Parse call.
type parser struct {
	s        *Session
	line     int  // current line number, 1-based
	typ      byte // current line type
	inMedia  bool
	lastRank int
	lastType byte
	seen     [13]bool // session ranks seen
	section  section  // attribute state of the current section
	mLine    int      // line number of the current m= line
}

// section tracks the attributes of one section (session level or one
// media description) that may appear only once.
type section struct {
	dirSeen bool      // a direction attribute appeared
	rtpmaps [2]uint64 // payload types with an rtpmap, one bit each
}

func (p *parser) errf(sentinel error, format string, args ...any) error {
	return &ParseError{Line: p.line, Type: p.typ, Detail: fmt.Sprintf(format, args...), Err: sentinel}
}

// Parse reads one session description (RFC 8866 5). Lines end in CRLF or
// LF; the last line may lack its line end, and blank lines after it are
// ignored (a blank line anywhere else is an error). Lines must come in the order of
// RFC 8866 5 (v o s i u e* p* c b* (t r*)+ z k a* then media, each m i c b*
// k a*). Every media description needs a connection address, its own or
// the session's (RFC 8866 5.7). An empty s= line, which RFC 8866 5.3
// forbids but the examples of RFC 3264 10 contain, is accepted and read as
// an empty [Session.Name].
//
// On error Parse returns a [*ParseError] naming the line and wrapping a
// sentinel error. Input is bounded by [MaxSize], [MaxLines], [MaxMedia] and
// [MaxFormats]. Parse does not keep a reference to b.
func Parse(b []byte) (*Session, error) {
	if len(b) > MaxSize {
		return nil, &ParseError{Err: ErrTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", len(b), MaxSize)}
	}
	p := &parser{s: &Session{}}
	// One copy of the input: every field of the Session is a substring
	// of it, so Parse allocates per line only where it must.
	in := string(b)
	for len(in) > 0 {
		var raw string
		if i := strings.IndexByte(in, '\n'); i >= 0 {
			raw, in = in[:i], in[i+1:]
		} else {
			raw, in = in, ""
		}
		p.line++
		p.typ = 0
		if p.line > MaxLines {
			return nil, &ParseError{Line: p.line, Err: ErrTooManyLines, Detail: fmt.Sprintf("more than %d lines", MaxLines)}
		}
		raw = strings.TrimSuffix(raw, "\r")
		if raw == "" && strings.Trim(in, "\r\n") == "" {
			p.line-- // blank lines at the very end, as some peers send
			break
		}
		if err := p.parseLine(raw); err != nil {
			return nil, err
		}
	}
	p.line++
	p.typ = 0
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.s, nil
}

func (p *parser) parseLine(raw string) error {
	if len(raw) < 2 || raw[1] != '=' {
		if len(raw) == 0 {
			return p.errf(ErrSyntax, "empty line")
		}
		return p.errf(ErrSyntax, "%q is not <type>=<value>", truncate(raw))
	}
	t := raw[0]
	if t < 'a' || t > 'z' {
		return p.errf(ErrSyntax, "type %q is not a lower-case letter", t)
	}
	p.typ = t
	if i := strings.IndexAny(raw[2:], "\x00\r"); i >= 0 {
		return p.errf(ErrSyntax, "value contains byte %#02x at column %d", raw[2+i], 3+i)
	}
	v := raw[2:]
	if p.line == 1 && t != 'v' {
		return p.errf(ErrMissingLine, "a session description starts with v=, not %c=", t)
	}
	if t == 'm' {
		return p.parseMedia(v)
	}
	if p.inMedia {
		return p.parseMediaLine(t, v)
	}
	return p.parseSessionLine(t, v)
}

func (p *parser) parseSessionLine(t byte, v string) error {
	rank, repeatable, ok := sessionRank(t)
	if !ok {
		return p.errf(ErrUnknownType, "%c= is not a session-level line of RFC 8866 5", t)
	}
	if p.line > 1 {
		if rank < p.lastRank {
			return p.errf(ErrLineOrder, "%c= must come before %c= (RFC 8866 5)", t, p.lastType)
		}
		if rank == p.lastRank && !repeatable {
			return p.errf(ErrLineOrder, "second %c= line", t)
		}
	}
	if t == 'r' && !p.seen[rankT] {
		return p.errf(ErrLineOrder, "r= must follow a t= line (RFC 8866 5.10)")
	}
	for _, req := range [...]struct {
		rank int
		t    byte
	}{{rankV, 'v'}, {rankO, 'o'}, {rankS, 's'}, {rankT, 't'}} {
		if req.rank < rank && !p.seen[req.rank] {
			return p.errf(ErrMissingLine, "missing %c= line before %c=", req.t, t)
		}
	}
	p.seen[rank] = true
	p.lastRank, p.lastType = rank, t
	s := p.s
	switch t {
	case 'v':
		if v != "0" {
			return p.errf(ErrVersion, "version %q, want 0 (RFC 8866 5.1)", v)
		}
	case 'o':
		o, err := p.parseOrigin(v)
		if err != nil {
			return err
		}
		s.Origin = o
	case 's':
		// RFC 8866 5.3 forbids an empty s=, but the examples of RFC 3264
		// 10 use one; accept it (Marshal then writes "s=-").
		s.Name = v
	case 'i':
		return p.text(&s.Info, v)
	case 'u':
		return p.text(&s.URI, v)
	case 'e':
		if v == "" {
			return p.errf(ErrEmptyValue, "empty e= value")
		}
		s.Emails = append(s.Emails, v)
	case 'p':
		if v == "" {
			return p.errf(ErrEmptyValue, "empty p= value")
		}
		s.Phones = append(s.Phones, v)
	case 'c':
		c, err := p.parseConnection(v)
		if err != nil {
			return err
		}
		s.Connection = &c
	case 'b':
		bw, err := p.parseBandwidth(v)
		if err != nil {
			return err
		}
		s.Bandwidths = append(s.Bandwidths, bw)
	case 't':
		tm, err := p.parseTiming(v)
		if err != nil {
			return err
		}
		s.Times = append(s.Times, tm)
	case 'r':
		if v == "" {
			return p.errf(ErrEmptyValue, "empty r= value")
		}
		last := &s.Times[len(s.Times)-1]
		last.Repeats = append(last.Repeats, v)
	case 'z':
		return p.text(&s.TimeZones, v)
	case 'k':
		return p.text(&s.Key, v)
	case 'a':
		return p.parseAttribute(&s.Attributes, v)
	}
	return nil
}

func (p *parser) parseMediaLine(t byte, v string) error {
	rank, repeatable, ok := mediaRank(t)
	if !ok {
		if _, _, sess := sessionRank(t); sess {
			return p.errf(ErrLineOrder, "%c= is a session-level line and must come before the first m= (RFC 8866 5)", t)
		}
		return p.errf(ErrUnknownType, "%c= is not a media-level line of RFC 8866 5", t)
	}
	if rank < p.lastRank {
		return p.errf(ErrLineOrder, "%c= must come before %c= (RFC 8866 5)", t, p.lastType)
	}
	if rank == p.lastRank && !repeatable {
		return p.errf(ErrLineOrder, "second %c= line in a media description", t)
	}
	p.lastRank, p.lastType = rank, t
	m := &p.s.Media[len(p.s.Media)-1]
	switch t {
	case 'i':
		return p.text(&m.Info, v)
	case 'c':
		c, err := p.parseConnection(v)
		if err != nil {
			return err
		}
		m.Connection = &c
	case 'b':
		bw, err := p.parseBandwidth(v)
		if err != nil {
			return err
		}
		m.Bandwidths = append(m.Bandwidths, bw)
	case 'k':
		return p.text(&m.Key, v)
	case 'a':
		return p.parseAttribute(&m.Attributes, v)
	}
	return nil
}

func (p *parser) text(dst *string, v string) error {
	if v == "" {
		return p.errf(ErrEmptyValue, "empty %c= value", p.typ)
	}
	*dst = v
	return nil
}

// finish checks the last media description and the required lines.
func (p *parser) finish() error {
	if err := p.endMedia(); err != nil {
		return err
	}
	for _, req := range [...]struct {
		rank int
		t    byte
	}{{rankV, 'v'}, {rankO, 'o'}, {rankS, 's'}, {rankT, 't'}} {
		if !p.seen[req.rank] {
			return p.errf(ErrMissingLine, "missing %c= line at end of input", req.t)
		}
	}
	return nil
}

// endMedia checks the media description that just ended.
func (p *parser) endMedia() error {
	if !p.inMedia {
		return nil
	}
	i := len(p.s.Media) - 1
	if p.s.Media[i].Connection == nil && p.s.Connection == nil {
		return &ParseError{Line: p.mLine, Type: 'm', Err: ErrConnection,
			Detail: fmt.Sprintf("media description %d (%s) has no c= line and the session has none (RFC 8866 5.7)", i+1, p.s.Media[i].Type)}
	}
	return nil
}

func (p *parser) parseMedia(v string) error {
	if !p.inMedia {
		for _, req := range [...]struct {
			rank int
			t    byte
		}{{rankV, 'v'}, {rankO, 'o'}, {rankS, 's'}, {rankT, 't'}} {
			if !p.seen[req.rank] {
				return p.errf(ErrMissingLine, "missing %c= line before the first m=", req.t)
			}
		}
	} else if err := p.endMedia(); err != nil {
		return err
	}
	if len(p.s.Media) >= MaxMedia {
		return p.errf(ErrTooManyMedia, "more than %d media descriptions", MaxMedia)
	}
	p.inMedia = true
	p.mLine = p.line
	p.lastRank, p.lastType = mrankM, 'm'
	p.section = section{}
	var f [3]string
	rest, ok := cutFields(v, f[:])
	if !ok {
		return p.errf(ErrMediaLine, "%q is not \"<media> <port> <proto> <fmt> ...\" (RFC 8866 5.14)", v)
	}
	if !isToken(f[0]) {
		return p.errf(ErrMediaLine, "media type %q is not a token", f[0])
	}
	m := Media{Type: f[0], Proto: f[2]}
	portStr, countStr, hasCount := strings.Cut(f[1], "/")
	port, ok := parseUintMax(portStr, 65535)
	if !ok {
		return p.errf(ErrMediaLine, "port %q is not 0..65535", portStr)
	}
	m.Port = int(port)
	if hasCount {
		n, ok := parseUintMax(countStr, 65535)
		if !ok || n == 0 {
			return p.errf(ErrMediaLine, "port count %q is not 1..65535", countStr)
		}
		m.PortCount = int(n)
	}
	if !isProto(m.Proto) {
		return p.errf(ErrMediaLine, "protocol %q is not <token>[/<token>...]", m.Proto)
	}
	if n := strings.Count(rest, " ") + 1; n > MaxFormats {
		return p.errf(ErrMediaLine, "%d formats, limit %d", n, MaxFormats)
	}
	fmts := strings.Split(rest, " ")
	rtp := isRTPProto(m.Proto)
	for i, x := range fmts {
		if rtp {
			if _, ok := parsePayloadType(x); !ok {
				return p.errf(ErrMediaLine, "format %q of RTP protocol %s is not a payload type 0..127", x, m.Proto)
			}
		} else if !isToken(x) {
			return p.errf(ErrMediaLine, "format %q is not a token", x)
		}
		for _, y := range fmts[:i] {
			if x == y {
				return p.errf(ErrMediaLine, "format %q listed twice", x)
			}
		}
	}
	m.Formats = fmts
	p.s.Media = append(p.s.Media, m)
	return nil
}

func (p *parser) parseOrigin(v string) (Origin, error) {
	var f [6]string
	rest, ok := cutFields(v, f[:5])
	if !ok || strings.Contains(rest, " ") {
		return Origin{}, p.errf(ErrOrigin, "%q is not \"<username> <sess-id> <sess-version> <nettype> <addrtype> <address>\", fields separated by one space (RFC 8866 5.2)", v)
	}
	f[5] = rest
	id, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil || !isDigits(f[1]) {
		return Origin{}, p.errf(ErrOrigin, "session id %q is not an unsigned 64-bit integer", f[1])
	}
	ver, err := strconv.ParseUint(f[2], 10, 64)
	if err != nil || !isDigits(f[2]) {
		return Origin{}, p.errf(ErrOrigin, "session version %q is not an unsigned 64-bit integer", f[2])
	}
	if !isToken(f[3]) || !isToken(f[4]) {
		return Origin{}, p.errf(ErrOrigin, "network type %q or address type %q is not a token", f[3], f[4])
	}
	return Origin{Username: f[0], SessionID: id, SessionVersion: ver, NetType: f[3], AddrType: f[4], Address: f[5]}, nil
}

func (p *parser) parseConnection(v string) (Connection, error) {
	var f [3]string
	rest, ok := cutFields(v, f[:2])
	f[2] = rest
	if !ok || strings.Contains(rest, " ") || !isToken(f[0]) || !isToken(f[1]) || f[2] == "" {
		return Connection{}, p.errf(ErrConnection, "%q is not \"<nettype> <addrtype> <connection-address>\" (RFC 8866 5.7)", v)
	}
	return Connection{NetType: f[0], AddrType: f[1], Address: f[2]}, nil
}

func (p *parser) parseBandwidth(v string) (Bandwidth, error) {
	typ, val, ok := strings.Cut(v, ":")
	n, err := strconv.ParseUint(val, 10, 64)
	if !ok || !isToken(typ) || err != nil || !isDigits(val) {
		return Bandwidth{}, p.errf(ErrBandwidth, "%q is not \"<bwtype>:<bandwidth>\" (RFC 8866 5.8)", v)
	}
	return Bandwidth{Type: typ, Value: n}, nil
}

func (p *parser) parseTiming(v string) (Timing, error) {
	a, b, ok := strings.Cut(v, " ")
	if !ok || strings.Contains(b, " ") {
		return Timing{}, p.errf(ErrTiming, "%q is not \"<start-time> <stop-time>\" (RFC 8866 5.9)", v)
	}
	start, err1 := strconv.ParseUint(a, 10, 64)
	stop, err2 := strconv.ParseUint(b, 10, 64)
	if err1 != nil || err2 != nil || !isDigits(a) || !isDigits(b) {
		return Timing{}, p.errf(ErrTiming, "%q: times must be unsigned decimal NTP seconds", v)
	}
	return Timing{Start: start, Stop: stop}, nil
}

// parseAttribute reads an a= value into as, checking the attributes this
// package interprets.
func (p *parser) parseAttribute(as *Attributes, v string) error {
	key, val, _ := strings.Cut(v, ":")
	if msg := p.section.check(key, val); msg != "" {
		return p.errf(ErrAttribute, "%s", msg)
	}
	as.Add(key, val)
	return nil
}

// check checks one attribute of the section: its name, and the value of
// the attributes this package interprets (direction, rtpmap, fmtp, ptime,
// maxptime). It returns "" or what is wrong.
func (sec *section) check(key, val string) string {
	if !isToken(key) {
		return fmt.Sprintf("attribute name %q is not a token (RFC 8866 5.13)", key)
	}
	switch key {
	case "sendrecv", "sendonly", "recvonly", "inactive":
		if val != "" {
			return fmt.Sprintf("direction attribute %s takes no value", key)
		}
		if sec.dirSeen {
			return fmt.Sprintf("second direction attribute %s in the same section: the direction is ambiguous (RFC 3264 5.1)", key)
		}
		sec.dirSeen = true
	case "rtpmap":
		r, msg := parseRTPMap(val)
		if msg != "" {
			return msg + " (RFC 8866 6.6)"
		}
		bit := uint64(1) << (r.PayloadType % 64)
		if sec.rtpmaps[r.PayloadType/64]&bit != 0 {
			return fmt.Sprintf("second rtpmap for payload type %d", r.PayloadType)
		}
		sec.rtpmaps[r.PayloadType/64] |= bit
	case "fmtp":
		f, params, ok := strings.Cut(val, " ")
		if !ok || !isToken(f) || params == "" {
			return fmt.Sprintf("fmtp %q is not \"<format> <parameters>\" (RFC 8866 6.15)", val)
		}
	case "ptime", "maxptime":
		if _, ok := parseMillis(val); !ok {
			return fmt.Sprintf("%s %q is not a positive number of milliseconds (RFC 8866 6.4, 6.5)", key, val)
		}
	}
	return ""
}

// cutFields splits the first len(dst) space-separated fields of v into
// dst and returns the rest of v after the separating space. ok is false if
// v has fewer fields or one of them is empty (fields are separated by
// exactly one space).
func cutFields(v string, dst []string) (rest string, ok bool) {
	for i := range dst {
		f, r, found := strings.Cut(v, " ")
		if !found || f == "" {
			return "", false
		}
		dst[i], v = f, r
	}
	return v, v != ""
}

// parseUintMax parses a decimal without sign, at most max.
func parseUintMax(s string, max uint64) (uint64, bool) {
	if !isDigits(s) || len(s) > 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}

// isProto reports whether s is token *("/" token) (RFC 8866 9).
func isProto(s string) bool {
	for part := range strings.SplitSeq(s, "/") {
		if !isToken(part) {
			return false
		}
	}
	return true
}

// truncate shortens b for an error message.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
