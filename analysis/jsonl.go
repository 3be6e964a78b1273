package analysis

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/sipsim/sipsim/sim"
)

// MaxLineSize bounds one line of a JSON-lines trace read by
// [RecordReader] (1 MiB): records carry no payload, so a longer line is
// not a trace.
const MaxLineSize = 1 << 20

// AppendJSON appends r as one JSON object, without a newline, with the
// fields in the order of the package documentation. The bytes depend on r
// alone: two equal records give the same bytes.
func AppendJSON(b []byte, r *Record) []byte {
	b = append(b, `{"t_ns":`...)
	b = strconv.AppendInt(b, r.TimeNs, 10)
	b = appendField(b, "event", r.Event)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, r.ID, 10)
	b = appendField(b, "node", r.Node)
	b = appendField(b, "from", r.From)
	b = appendField(b, "to", r.To)
	b = appendField(b, "transport", r.Transport)
	b = appendField(b, "method", r.Method)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = appendField(b, "reason", r.Reason)
	b = appendField(b, "call_id", r.CallID)
	b = append(b, `,"cseq":`...)
	b = strconv.AppendUint(b, uint64(r.CSeq), 10)
	b = appendField(b, "branch", r.Branch)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(r.Size), 10)
	b = append(b, `,"retransmission":`...)
	b = strconv.AppendBool(b, r.Retransmission)
	b = appendField(b, "hop", r.Hop)
	b = appendField(b, "label", r.Label)
	b = appendField(b, "detail", r.Detail)
	return append(b, '}')
}

// appendField appends ,"name":"value" with value escaped as a JSON string.
func appendField(b []byte, name, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, value)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string (RFC 8259 7): quote,
// backslash and control characters escaped, invalid UTF-8 replaced by
// U+FFFD as encoding/json does, every other character as it is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// TraceWriter is a [sim.Sink] that writes the JSON-lines trace of a run to
// an io.Writer as events arrive: one [Record] per line (see the package
// documentation for the schema), through a [Mapper]. It keeps no event:
// each line is written before Event returns. Writes go straight to the
// io.Writer, one per record: wrap a file in a bufio.Writer (and flush it
// after the run).
//
// A sink cannot return an error: the first write error is kept, the
// records after it are not written, and [TraceWriter.Err] reports it.
type TraceWriter struct {
	w   io.Writer
	m   *Mapper
	buf []byte
	n   int
	err error
}

// NewTraceWriter returns a TraceWriter to w that names hosts with names.
func NewTraceWriter(w io.Writer, names Names) *TraceWriter {
	return &TraceWriter{w: w, m: NewMapper(names)}
}

// Event writes the record of e, if it has one (see [Mapper.Map]).
func (t *TraceWriter) Event(e *sim.Event) {
	if t.err != nil {
		return
	}
	r, ok := t.m.Map(e)
	if !ok {
		return
	}
	t.buf = append(AppendJSON(t.buf[:0], &r), '\n')
	if _, err := t.w.Write(t.buf); err != nil {
		t.err = err
		return
	}
	t.n++
}

// Records returns the number of records written.
func (t *TraceWriter) Records() int { return t.n }

// Err returns the first write error, or nil.
func (t *TraceWriter) Err() error { return t.err }

// Collector is a [sim.Sink] that keeps the records of a run in memory,
// for a [Ladder] drawn without a trace file.
type Collector struct {
	// Records holds the records so far, in trace order.
	Records []Record
	m       *Mapper
}

// NewCollector returns a Collector that names hosts with names.
func NewCollector(names Names) *Collector { return &Collector{m: NewMapper(names)} }

// Event appends the record of e, if it has one (see [Mapper.Map]).
func (c *Collector) Event(e *sim.Event) {
	if r, ok := c.m.Map(e); ok {
		c.Records = append(c.Records, r)
	}
}

// ErrBadRecord is wrapped by the errors of [RecordReader] for a line that
// is not a record.
var ErrBadRecord = errors.New("analysis: bad trace record")

// RecordReader reads a JSON-lines trace written by [TraceWriter], one
// record at a time. Blank lines are skipped; unknown fields are ignored,
// so that a newer trace stays readable; a line that is not a JSON object
// or whose fields have the wrong types is an error naming its line.
type RecordReader struct {
	sc   *bufio.Scanner
	line int
}

// NewRecordReader returns a reader of the trace in r.
func NewRecordReader(r io.Reader) *RecordReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxLineSize)
	return &RecordReader{sc: sc}
}

// Next returns the next record, or io.EOF after the last one.
func (rr *RecordReader) Next() (Record, error) {
	for rr.sc.Scan() {
		rr.line++
		line := bytes.TrimSpace(rr.sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return Record{}, fmt.Errorf("%w: line %d: %v", ErrBadRecord, rr.line, err)
		}
		return r, nil
	}
	if err := rr.sc.Err(); err != nil {
		return Record{}, fmt.Errorf("%w: line %d: %v", ErrBadRecord, rr.line+1, err)
	}
	return Record{}, io.EOF
}

// ReadRecords reads a whole JSON-lines trace (see [RecordReader]).
func ReadRecords(r io.Reader) ([]Record, error) {
	rr := NewRecordReader(r)
	var out []Record
	for {
		rec, err := rr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
}
