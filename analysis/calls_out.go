package analysis

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CallColumns are the columns of the per-call table ([CallWriter]), in
// order. Times are in seconds; a delay that does not apply is empty in
// CSV and null in JSON lines.
//
//	call                  placement rank, from 1
//	call_id               the Call-ID
//	caller, callee        the node that placed the call, the URI it called
//	placed_s              when the call was placed
//	outcome               answered, rejected, cancelled, timed-out,
//	                      transport-error or in-progress
//	status, reason        the final status the caller got and why
//	setup_s               first INVITE sent to first 2xx received
//	srd_s                 RFC 6076 4.3 Session Request Delay
//	pdd_s                 post-dial delay, first INVITE to first 180/183
//	sdt_s                 RFC 6076 4.5 Session Duration Time
//	sdd_s                 RFC 6076 4.4 Session Disconnect Delay
//	hops                  SIP hops of the decisive final response
//	messages              SIP messages sent with the Call-ID
//	retransmissions       how many of them were retransmissions
//	invite_transmissions  transmissions of the caller's first INVITE
//	completed             answered and ended by a BYE that got a final response
var CallColumns = []string{
	"call", "call_id", "caller", "callee", "placed_s", "outcome", "status", "reason",
	"setup_s", "srd_s", "pdd_s", "sdt_s", "sdd_s",
	"hops", "messages", "retransmissions", "invite_transmissions", "completed",
}

// CallFormat is the format of a per-call table.
type CallFormat uint8

// The formats of a per-call table.
const (
	CallsCSV   CallFormat = iota // RFC 4180 CSV with a header row
	CallsJSONL                   // one JSON object per line, keys as CallColumns
)

// CallWriter writes one row per call, as the calls are handed over (it
// keeps none of them).
type CallWriter struct {
	w      *bufio.Writer
	format CallFormat
	csv    *csv.Writer
	buf    []byte
	row    []string
	err    error
}

// NewCallWriter returns a writer of the per-call table to w. The CSV
// header is written with the first row, or by Flush for an empty table.
func NewCallWriter(w io.Writer, format CallFormat) *CallWriter {
	cw := &CallWriter{w: bufio.NewWriter(w), format: format}
	if format == CallsCSV {
		cw.csv = csv.NewWriter(cw.w)
	}
	return cw
}

// Write writes the row of m.
func (cw *CallWriter) Write(m *CallMetrics) error {
	if cw.err != nil {
		return cw.err
	}
	if cw.csv != nil && cw.row == nil {
		cw.err = cw.csv.Write(CallColumns)
	}
	cw.row = callRow(cw.row[:0], m)
	if cw.csv != nil {
		if cw.err == nil {
			cw.err = cw.csv.Write(cw.row)
		}
		return cw.err
	}
	b := append(cw.buf[:0], '{')
	for i, col := range CallColumns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, col)
		b = append(b, ':')
		v := cw.row[i]
		switch {
		case v == "" && isDelayColumn(col):
			b = append(b, "null"...)
		case isNumberColumn(col) || col == "completed":
			b = append(b, v...)
		default:
			b = appendJSONString(b, v)
		}
	}
	b = append(b, '}', '\n')
	cw.buf = b
	_, cw.err = cw.w.Write(b)
	return cw.err
}

// Flush writes what is buffered (and the CSV header of an empty table).
func (cw *CallWriter) Flush() error {
	if cw.err != nil {
		return cw.err
	}
	if cw.csv != nil {
		if cw.row == nil {
			cw.row = []string{}
			if err := cw.csv.Write(CallColumns); err != nil {
				return err
			}
		}
		cw.csv.Flush()
		if err := cw.csv.Error(); err != nil {
			return err
		}
	}
	return cw.w.Flush()
}

func isDelayColumn(col string) bool {
	switch col {
	case "setup_s", "srd_s", "pdd_s", "sdt_s", "sdd_s":
		return true
	}
	return false
}

func isNumberColumn(col string) bool {
	switch col {
	case "call", "placed_s", "status", "hops", "messages", "retransmissions", "invite_transmissions":
		return true
	}
	return isDelayColumn(col)
}

// callRow appends the cells of m, in CallColumns order, to row.
func callRow(row []string, m *CallMetrics) []string {
	return append(row,
		strconv.Itoa(m.Index), m.CallID, m.Caller, m.Callee,
		Seconds(time.Duration(m.Placed)), m.Outcome.String(), strconv.Itoa(m.Status), m.Reason,
		Seconds(m.Setup), Seconds(m.SRD), Seconds(m.PDD), Seconds(m.SDT), Seconds(m.SDD),
		strconv.Itoa(m.Hops), strconv.Itoa(m.Messages), strconv.Itoa(m.Retransmissions),
		strconv.Itoa(m.InviteTransmissions), strconv.FormatBool(m.Completed),
	)
}

// Seconds formats d in seconds, exactly: the whole nanoseconds written as
// a decimal with trailing zeros dropped ("2.1", "0.000000001"); Unset (any
// negative d) as "".
func Seconds(d time.Duration) string {
	if d < 0 {
		return ""
	}
	b := strconv.AppendInt(nil, int64(d/time.Second), 10)
	if frac := int64(d % time.Second); frac != 0 {
		digits := strconv.AppendInt(nil, 1e9+frac, 10)[1:] // 9 digits, leading zeros kept
		for digits[len(digits)-1] == '0' {
			digits = digits[:len(digits)-1]
		}
		b = append(append(b, '.'), digits...)
	}
	return string(b)
}

// ParseCallFormat returns the format a file name's extension asks for:
// .csv or .jsonl.
func ParseCallFormat(path string) (CallFormat, error) {
	switch {
	case hasSuffixFold(path, ".csv"):
		return CallsCSV, nil
	case hasSuffixFold(path, ".jsonl"):
		return CallsJSONL, nil
	}
	return 0, fmt.Errorf("%s: want a file name ending in .csv or .jsonl", path)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
