package transaction

import (
	"bytes"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// This file is the scenario harness: a fake clock holding the pending
// timers of the transactions under test, sorted by (time, order of
// scheduling). A test delivers an input, applies the actions, advances to
// the next timer, and checks what was done at which virtual time. Nothing
// sleeps.

// event is one action with the virtual time at which it was produced.
type event struct {
	at time.Duration
	a  Action
}

// pending is a running timer.
type pending struct {
	at  time.Duration
	seq uint64
	tx  ID
	t   Timer
}

// harness is a fake clock and the record of every action.
type harness struct {
	tb     testing.TB
	now    time.Duration
	seq    uint64
	timers []pending
	log    []event
	// fire delivers a timer firing to the code under test.
	fire func(tx ID, t Timer, out []Action) []Action
	buf  []Action
}

func newHarness(tb testing.TB, fire func(tx ID, t Timer, out []Action) []Action) *harness {
	return &harness{tb: tb, fire: fire}
}

// machineFire adapts a machine's Timer method to the harness.
func machineFire(m interface {
	Timer(Timer, []Action) []Action
}) func(ID, Timer, []Action) []Action {
	return func(_ ID, t Timer, out []Action) []Action { return m.Timer(t, out) }
}

// apply records actions at the current time and keeps the timer list.
func (h *harness) apply(actions []Action) {
	h.tb.Helper()
	for _, a := range actions {
		h.log = append(h.log, event{h.now, a})
		switch a.Kind {
		case ActionStartTimer:
			if a.Duration <= 0 {
				h.tb.Fatalf("at %v: %v: a timer must have a positive duration (zero timers are immediate transitions)", h.now, a)
			}
			h.cancel(a.Tx, a.Timer)
			h.seq++
			p := pending{h.now + a.Duration, h.seq, a.Tx, a.Timer}
			i, _ := slices.BinarySearchFunc(h.timers, p, func(x, y pending) int {
				if x.at != y.at {
					return int(x.at - y.at)
				}
				return int(x.seq) - int(y.seq)
			})
			h.timers = slices.Insert(h.timers, i, p)
		case ActionStopTimer:
			if !h.cancel(a.Tx, a.Timer) {
				h.tb.Fatalf("at %v: %v: stopping a timer that is not running", h.now, a)
			}
		case ActionTerminated:
			for _, p := range h.timers {
				if p.tx == a.Tx {
					h.tb.Fatalf("at %v: tx %d terminated with %v still running", h.now, a.Tx, p.t)
				}
			}
		}
	}
}

// cancel removes the pending timer t of tx and reports whether there was
// one.
func (h *harness) cancel(tx ID, t Timer) bool {
	for i, p := range h.timers {
		if p.tx == tx && p.t == t {
			h.timers = slices.Delete(h.timers, i, i+1)
			return true
		}
	}
	return false
}

// advance fires the next timer and reports whether there was one.
func (h *harness) advance() bool {
	h.tb.Helper()
	if len(h.timers) == 0 {
		return false
	}
	p := h.timers[0]
	h.timers = h.timers[1:]
	h.now = p.at
	h.buf = h.fire(p.tx, p.t, h.buf[:0])
	h.apply(h.buf)
	return true
}

// runUntil fires every timer due at or before at, then sets the clock to
// at.
func (h *harness) runUntil(at time.Duration) {
	h.tb.Helper()
	for len(h.timers) > 0 && h.timers[0].at <= at {
		h.advance()
	}
	h.now = at
}

// runOut fires timers until none is left; it fails after a bound, which
// catches a transaction that never ends.
func (h *harness) runOut() {
	h.tb.Helper()
	for i := 0; h.advance(); i++ {
		if i > 10000 {
			h.tb.Fatalf("timers still running after 10000 firings: %v", h.timers)
		}
	}
}

// times returns the times of the logged actions of kind k.
func (h *harness) times(k ActionKind) []time.Duration {
	var out []time.Duration
	for _, e := range h.log {
		if e.a.Kind == k {
			out = append(out, e.at)
		}
	}
	return out
}

// describe returns a short description of each action, for comparing with
// a table: "send INVITE", "send 180", "start Timer A 500ms",
// "stop Timer B", "state Proceeding", "pass 180", "pass ACK",
// "timeout Timer B", "transport error", "terminated".
func describe(actions []Action) []string {
	out := make([]string, 0, len(actions))
	for _, a := range actions {
		switch a.Kind {
		case ActionSend:
			out = append(out, "send "+firstWord(a.Data))
		case ActionPassUp:
			if a.Request != nil {
				out = append(out, "pass "+a.Request.Method)
			} else {
				out = append(out, "pass "+strconv.Itoa(a.Response.StatusCode))
			}
		case ActionStartTimer:
			out = append(out, "start "+a.Timer.String()+" "+a.Duration.String())
		case ActionStopTimer, ActionTimeout:
			out = append(out, a.Kind.String()+" "+a.Timer.String())
		case ActionState:
			out = append(out, "state "+a.State.String())
		default:
			out = append(out, a.Kind.String())
		}
	}
	return out
}

// firstWord returns the method of a serialized request or the status code
// of a serialized response.
func firstWord(data []byte) string {
	if rest, ok := bytes.CutPrefix(data, []byte("SIP/2.0 ")); ok {
		code, _, _ := bytes.Cut(rest, []byte(" "))
		return string(code)
	}
	m, _, _ := bytes.Cut(data, []byte(" "))
	return string(m)
}

// seconds formats durations as seconds, for schedule comparisons.
func seconds(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	}
	return strings.Join(s, " ")
}

// --- messages ---

var (
	udpPeer = Destination{netip.MustParseAddrPort("192.0.2.10:5060"), UDP}
	tcpPeer = Destination{netip.MustParseAddrPort("192.0.2.10:5060"), TCP}
)

const inviteText = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds\r\n" +
	"Route: <sip:p1.example.com;lr>\r\n" +
	"Route: <sip:p2.example.com;lr>\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@biloxi.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
	"CSeq: 314159 INVITE\r\n" +
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
	"Content-Length: 0\r\n\r\n"

const optionsText = "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: <sip:carol@chicago.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
	"Call-ID: a84b4c76e66710\r\n" +
	"CSeq: 63104 OPTIONS\r\n" +
	"Content-Length: 0\r\n\r\n"

// request parses a request, changing the method of the request line and
// CSeq when method is not "".
func request(tb testing.TB, text, method string) *sipstack.Request {
	tb.Helper()
	if method != "" {
		old, _, _ := strings.Cut(text, " ")
		text = method + strings.TrimPrefix(text, old)
		text = strings.Replace(text, " "+old+"\r\n", " "+method+"\r\n", 1)
	}
	req, err := sipstack.ParseRequest([]byte(text))
	if err != nil {
		tb.Fatalf("ParseRequest: %v\n%s", err, text)
	}
	return req
}

func invite(tb testing.TB) *sipstack.Request  { return request(tb, inviteText, "") }
func options(tb testing.TB) *sipstack.Request { return request(tb, optionsText, "") }

// response returns a response to req with the given code and, when toTag
// is not "", a To tag.
func response(req *sipstack.Request, code int, toTag string) *sipstack.Response {
	r := sipstack.NewResponse(req, code, "")
	if toTag != "" {
		r.Header.Set("To", req.Header.Get("To")+";tag="+toTag)
	}
	return r
}

// must returns a function that fails the test when a server machine's
// Respond returns an error, and returns its actions otherwise:
// must(t)(s.Respond(resp, nil)).
func must(tb testing.TB) func([]Action, error) []Action {
	return func(out []Action, err error) []Action {
		tb.Helper()
		if err != nil {
			tb.Fatalf("Respond: %v", err)
		}
		return out
	}
}

// mustACK builds the ACK of resp to req, failing the test on error.
func mustACK(tb testing.TB, req *sipstack.Request, resp *sipstack.Response) *sipstack.Request {
	tb.Helper()
	ack, err := NewACK(req, resp)
	if err != nil {
		tb.Fatal(err)
	}
	return ack
}

// check compares described actions with want.
func check(tb testing.TB, what string, got []Action, want ...string) {
	tb.Helper()
	g := describe(got)
	if !slices.Equal(g, want) {
		tb.Errorf("%s:\n got  %q\n want %q", what, g, want)
	}
}

func TestHarnessDescribe(t *testing.T) {
	a := []Action{{Kind: ActionSend, Data: []byte("SIP/2.0 180 Ringing\r\n")}, {Kind: ActionStartTimer, Timer: TimerA, Duration: time.Second}}
	if got := fmt.Sprint(describe(a)); got != "[send 180 start Timer A 1s]" {
		t.Errorf("describe = %s", got)
	}
}
