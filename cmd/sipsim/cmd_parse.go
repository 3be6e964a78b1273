package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/sipsim/sipsim/sipstack"
)

func init() {
	register(&command{
		name:    "parse",
		summary: "check SIP messages and print them in canonical form",
		usage:   "FILE...",
		detail: `
Each FILE (or - for standard input) is read as one UDP datagram (RFC 3261
18.3): a Content-Length shorter than the body truncates it, a longer one is
an error, and without Content-Length the body is the rest of the datagram.
With --stream, each FILE is a byte stream of several messages framed by
Content-Length, as on TCP.

Every well-formed message is printed to standard output in canonical form
(long header names, Content-Length recomputed); the output of several files
is itself a valid stream. Each malformed message gets one line
"FILE: error: ..." on standard error.

Exit status: 0 when every message is well formed, 1 when any is malformed,
2 when a file cannot be read or the command line is wrong.`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			stream := fs.Bool("stream", false, "frame each file as a stream of messages (TCP) instead of one datagram (UDP)")
			return func(e *env, args []string) int { return runParse(e, args, *stream) }
		},
	})
}

func runParse(e *env, files []string, stream bool) int {
	if len(files) == 0 {
		return fail(e, &usageError{"parse: no FILE given (use - for standard input)"})
	}
	status := exitOK
	worse := func(s int) {
		if s > status {
			status = s
		}
	}
	out := make([]byte, 0, 4096)
	for _, name := range files {
		data, err := readInput(e, name)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: error: %v\n", name, err)
			worse(exitBadInput)
			continue
		}
		if !stream {
			m, err := sipstack.ParseMessage(data)
			if err != nil {
				fmt.Fprintf(e.stderr, "%s: error: %s\n", name, describeParseError(err))
				worse(exitProblem)
				continue
			}
			out = m.AppendTo(out[:0])
			e.stdout.Write(out)
			continue
		}
		var f sipstack.Framer
		f.Write(data)
		for n := 1; ; n++ {
			m, err := f.Next()
			if err != nil {
				fmt.Fprintf(e.stderr, "%s: error: message %d: %s\n", name, n, describeParseError(err))
				worse(exitProblem)
				if f.Buffered() == 0 || isFramingError(err) {
					break
				}
				continue
			}
			if m == nil {
				if rest := f.Buffered(); rest > 0 {
					fmt.Fprintf(e.stderr, "%s: error: message %d: stream ends inside a message (%d octets left)\n", name, n, rest)
					worse(exitProblem)
				}
				break
			}
			out = m.AppendTo(out[:0])
			e.stdout.Write(out)
		}
	}
	return status
}

// isFramingError reports whether err left a stream's position unknown, so
// that no later message can be read from it (see [sipstack.Framer]).
func isFramingError(err error) bool {
	return errors.Is(err, sipstack.ErrContentLength) || errors.Is(err, sipstack.ErrTooLarge)
}

// describeParseError formats err without the package prefix, as
// "line N: Header: what was wrong".
func describeParseError(err error) string {
	var pe *sipstack.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	s := ""
	if pe.Line > 0 {
		s = "line " + strconv.Itoa(pe.Line) + ": "
	}
	if pe.Header != "" {
		s += pe.Header + ": "
	}
	return s + pe.Msg
}

// readInput reads the file name, or standard input for "-", up to one more
// octet than the largest message so that an oversized input is reported
// rather than read without bound.
func readInput(e *env, name string) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = e.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, pe.Err
			}
			return nil, err
		}
		defer f.Close()
		r = f
	}
	const limit = 64 << 20 // a stream file of many messages may exceed one message's bound
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("larger than %d octets", limit)
	}
	return data, nil
}
