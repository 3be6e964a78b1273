package sipstack

import (
	"bytes"
)

// A Framer cuts a byte stream from a stream transport (TCP, TLS, SCTP)
// into SIP messages and parses them, following RFC 3261 18.3: a message
// ends after Content-Length octets of body, so Content-Length is required
// on streams. CRLFs before a start line are skipped (RFC 3261 7.5), so
// keep-alives (RFC 5626 4.4.1, "\r\n\r\n" pings) pass through unseen.
//
// A Framer does no I/O: the caller feeds it the bytes read from a
// connection with [Framer.Write] and takes messages with [Framer.Next]
// until Next returns nil. Next enforces [MaxMessageSize], so a caller that
// calls Next after every Write holds at most one message and one read in
// memory.
// The zero value is ready to use. A Framer is not safe for concurrent use.
//
// Two kinds of error come out of Next. A message that is framed correctly
// but malformed (a bad header, a missing To) is consumed and its error
// returned; the next call goes on with the following message, so that a
// server can answer 400 and keep the connection. A framing error (a
// missing, malformed, negative or conflicting Content-Length, a message
// beyond [MaxMessageSize]) leaves the stream position unknown: the error
// is sticky, every later call returns it, and the connection should be
// closed (RFC 4475 3.1.2.3).
type Framer struct {
	buf []byte
	off int
	err error
}

// Write appends p to the bytes waiting to be framed. It always consumes
// all of p and returns len(p); after a framing error it returns that
// error and discards p.
func (f *Framer) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.off > 0 && f.off == len(f.buf) {
		f.buf, f.off = f.buf[:0], 0
	}
	f.buf = append(f.buf, p...)
	return len(p), nil
}

// Buffered returns the number of bytes written but not yet consumed.
func (f *Framer) Buffered() int { return len(f.buf) - f.off }

// Next returns the next complete message. It returns nil, nil when the
// buffered bytes do not yet hold a complete message: the caller writes
// more and calls Next again.
func (f *Framer) Next() (Message, error) {
	if f.err != nil {
		return nil, f.err
	}
	b := f.buf[f.off:]
	skip := 0
	for skip+1 < len(b) && b[skip] == '\r' && b[skip+1] == '\n' {
		skip += 2
	}
	if skip == len(b) || (skip+1 == len(b) && b[skip] == '\r') {
		// Only keep-alive CRLFs so far; keep a lone CR for the LF to come.
		f.off += skip
		f.compact()
		return nil, nil
	}
	f.off += skip
	b = b[skip:]
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) > MaxMessageSize {
			return nil, f.fail(newError(ErrTooLarge, 0, "", "header section longer than 65535 octets"))
		}
		f.compact()
		return nil, nil
	}
	n, perr := frameContentLength(b[:end+2])
	if perr != nil {
		return nil, f.fail(perr)
	}
	total := end + 4 + n
	if total > MaxMessageSize {
		return nil, f.fail(newError(ErrTooLarge, 0, "", "message larger than 65535 octets"))
	}
	if len(b) < total {
		f.compact()
		return nil, nil
	}
	m, err := parse(b[:total], true)
	f.off += total
	f.compact()
	return m, err
}

func (f *Framer) fail(err *ParseError) error {
	f.err = err
	f.buf, f.off = nil, 0
	return err
}

// compact moves unconsumed bytes to the front once the consumed prefix is
// at least half the buffer, so memory stays bounded by the largest message.
func (f *Framer) compact() {
	if f.off == 0 {
		return
	}
	if f.off == len(f.buf) {
		f.buf, f.off = f.buf[:0], 0
		return
	}
	if f.off >= len(f.buf)-f.off {
		n := copy(f.buf, f.buf[f.off:])
		f.buf, f.off = f.buf[:n], 0
	}
}

// frameContentLength finds the Content-Length of a header section (start
// line and header lines, each ending in CRLF) without parsing the rest.
func frameContentLength(head []byte) (int, *ParseError) {
	found := false
	n := 0
	line := 0
	for i := 0; i < len(head); {
		e := bytes.IndexByte(head[i:], '\n')
		if e < 0 {
			break
		}
		e += i
		line++
		ln := head[i:e]
		i = e + 1
		if line == 1 || len(ln) == 0 || isWS(ln[0]) {
			continue
		}
		colon := bytes.IndexByte(ln, ':')
		if colon < 0 {
			continue
		}
		name := bytes.TrimRight(ln[:colon], " \t")
		if !(len(name) == 1 && lower(name[0]) == 'l') && !equalFoldBytes(name, "Content-Length") {
			continue
		}
		if found {
			return 0, newError(ErrContentLength, line, "Content-Length", "more than one Content-Length")
		}
		found = true
		// The value runs to the end of the last continuation line.
		start := i - len(ln) - 1 + colon + 1
		for i < len(head) && isWS(head[i]) {
			e := bytes.IndexByte(head[i:], '\n')
			if e < 0 {
				break
			}
			i += e + 1
		}
		val, ok := parseLengthBytes(head[start:i], MaxMessageSize)
		if !ok {
			return 0, newError(ErrContentLength, line, "Content-Length", "value is not a number of octets up to 65535")
		}
		n = int(val)
	}
	if !found {
		return 0, newError(ErrContentLength, 0, "Content-Length", "header is required on stream transports")
	}
	return n, nil
}

func equalFoldBytes(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// parseLengthBytes parses LWS 1*DIGIT LWS, where LWS may include line
// folds, with a value of at most max.
func parseLengthBytes(s []byte, max uint64) (uint64, bool) {
	i := 0
	for i < len(s) && (isWS(s[i]) || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	j := i
	var n uint64
	for j < len(s) && isDigit(s[j]) {
		n = n*10 + uint64(s[j]-'0')
		if n > max {
			return 0, false
		}
		j++
	}
	if j == i {
		return 0, false
	}
	for ; j < len(s); j++ {
		if !isWS(s[j]) && s[j] != '\r' && s[j] != '\n' {
			return 0, false
		}
	}
	return n, true
}
