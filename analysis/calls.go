package analysis

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
)

// Outcome says how a call ended, as its caller saw it.
type Outcome uint8

// The outcomes of a call.
const (
	// InProgress: the trace ended before the caller received a final
	// response or gave up.
	InProgress Outcome = iota
	// Answered: the caller received a 2xx to its INVITE.
	Answered
	// Rejected: the last final response the caller received was 3xx-6xx
	// (and the caller did not retry, as after a 302 or a 407).
	Rejected
	// Cancelled: the caller sent CANCEL and the call ended without a 2xx.
	Cancelled
	// TimedOut: the caller's INVITE transaction timed out (Timer B, RFC
	// 3261 17.1.1.2) or its user agent gave up waiting.
	TimedOut
	// TransportError: the caller's transport failed to deliver the INVITE
	// (RFC 3261 8.1.3.1, 18.4).
	TransportError
)

var outcomeNames = [...]string{"in-progress", "answered", "rejected", "cancelled", "timed-out", "transport-error"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// Unset marks a CallMetrics delay that does not apply to the call (no
// ringing, no answer, no BYE).
const Unset = time.Duration(-1)

// CallMetrics are one call's figures, computed from the trace alone: a
// call is what a user agent placed (its "call-placed" decision), followed
// by every message and node event carrying its Call-ID. Delays are
// measured as RFC 6076 section 3 asks, at the caller: from the first
// transmission of a request to the receipt of a response.
type CallMetrics struct {
	// Index is the call's rank in placement order, from 1.
	Index int
	// CallID is the Call-ID.
	CallID string
	// Caller is the node that placed the call; Callee the URI it called.
	Caller, Callee string
	// Placed is when the caller placed the call.
	Placed sim.Time
	// Outcome is how the call ended.
	Outcome Outcome
	// Status is the final status code the caller received: the 2xx of an
	// answered call, the failure of a rejected or cancelled one; 408 for
	// a timed-out call and 503 for a transport error (the codes RFC 3261
	// 8.1.3.1 tells a UAC to act on); 0 when no final response came.
	Status int
	// Reason says why, in words: the reason phrase received, or the
	// caller's own account of a timeout or transport error.
	Reason string

	// Setup is the set-up delay: from the first transmission of the
	// initial INVITE to the receipt of the first 2xx (through any
	// challenge or redirection in between).
	Setup time.Duration
	// SRD is RFC 6076 4.3's Session Request Delay: from the first INVITE
	// to the first response that says how the request fares, that is a
	// provisional response other than 100 or a final response that ends
	// the attempt (a 3xx the caller follows or a 401/407 it answers with
	// credentials does not count).
	SRD time.Duration
	// PDD is the post-dial delay: from the first INVITE to the first 180
	// or 183, the moment the caller hears ring-back. Unset without one.
	PDD time.Duration
	// SDT is RFC 6076 4.5's Session Duration Time: from the receipt of
	// the 2xx to the first BYE either party sent.
	SDT time.Duration
	// SDD is RFC 6076 4.4's Session Disconnect Delay: from that BYE to
	// its sender's receipt of the final response.
	SDD time.Duration

	// Hops is the number of SIP hops the decisive final response (the
	// 2xx of an answered call) crossed to reach the caller, following
	// each element's first receipt of that status back to the element
	// that sent it first; 0 when no final response reached the caller.
	Hops int
	// Messages is the number of SIP messages sent with the call's Call-ID
	// by every node, retransmissions included.
	Messages int
	// Retransmissions is how many of those were retransmissions.
	Retransmissions int
	// InviteTransmissions is the number of times the caller sent its
	// first INVITE (1 plus its retransmissions, RFC 3261 17.1.1.2 Timer
	// A).
	InviteTransmissions int
	// Completed reports that the call was answered and its BYE got a
	// final response: RFC 6076 4.9's session completed "without failing
	// due to a lack of response". Any final response ends the session
	// (RFC 3261 15.1.1); a BYE that times out does not complete it.
	Completed bool
}

// RegistrationMetrics are one registration's figures: a REGISTER request
// and its retries with credentials, up to the final response.
type RegistrationMetrics struct {
	// Node is the registering node; CallID its REGISTER's Call-ID.
	Node, CallID string
	// Sent is when the first REGISTER of the registration was sent.
	Sent sim.Time
	// Status is the final status code received, 0 if none came.
	Status int
	// RRD is RFC 6076 4.1's Registration Request Delay: from the first
	// REGISTER to the final response (Unset without one).
	RRD time.Duration
}

// CallTracker computes CallMetrics from the records of a trace, fed in
// trace order. Its memory holds the calls in progress only: a call is
// handed to the emit function, and forgotten, once it has ended (a
// final outcome, or a BYE of an answered call) and nothing about it has
// been seen for RetransmitWindow, so that late retransmissions still
// count. Flush hands over the calls still held at the end of the trace.
// Calls are emitted in batches; inside a batch, in placement order.
type CallTracker struct {
	emitCall func(*CallMetrics)
	emitReg  func(*RegistrationMetrics)
	calls    map[string]*callState
	regs     map[regKey]*regState
	placed   int
	swept    sim.Time
}

// NewCallTracker returns a tracker that hands each finished call to
// emitCall and each registration to emitReg (either may be nil). The
// values passed are not retained.
func NewCallTracker(emitCall func(*CallMetrics), emitReg func(*RegistrationMetrics)) *CallTracker {
	return &CallTracker{emitCall: emitCall, emitReg: emitReg, calls: map[string]*callState{}, regs: map[regKey]*regState{}}
}

// callState is what the tracker keeps of a call in progress.
type callState struct {
	m           CallMetrics
	last        sim.Time // the latest record about the call
	invite      sim.Time // first INVITE sent by the caller; -1 before
	inviteCSeq  uint32
	answer      sim.Time
	indicative  bool // SRD measured
	final       int  // last failure received and not retried (0 none)
	finalReason string
	finalCSeq   uint32
	finalAt     sim.Time
	cancelled   bool
	timedOut    bool
	transport   bool
	bye         sim.Time // first BYE sent by anyone; -1 before
	byeFrom     string
	byeCSeq     uint32
	byeDone     bool
	// firstFinal maps an element and a final status to the element it
	// first received that status from, for Hops.
	firstFinal map[hopKey]string
}

type hopKey struct {
	node   string
	status int
}

type regKey struct{ node, callID string }

type regState struct {
	start sim.Time
}

// Record feeds one record. Records must come in trace order.
func (t *CallTracker) Record(r *Record) {
	now := r.Time()
	if now.Sub(t.swept) > RetransmitWindow/2 {
		t.sweep(now, false)
	}
	if r.CallID == "" {
		return
	}
	c := t.calls[r.CallID]
	if c == nil {
		if r.Event == EventDecision && r.Label == "call-placed" {
			t.placed++
			c = &callState{invite: -1, answer: -1, bye: -1, firstFinal: map[hopKey]string{}}
			c.m = CallMetrics{
				Index: t.placed, CallID: r.CallID, Caller: r.Node,
				Callee: strings.TrimPrefix(r.Detail, "to "), Placed: now,
				Setup: Unset, SRD: Unset, PDD: Unset, SDT: Unset, SDD: Unset,
			}
			t.calls[r.CallID] = c
			c.last = now
			return
		}
		if r.Method == sipstack.REGISTER && r.IsMessage() {
			t.register(r)
		}
		return
	}
	c.last = now
	switch r.Event {
	case EventSend:
		c.sent(r)
	case EventRecv:
		c.received(r)
	case EventTimer, EventDecision:
		if r.Node != c.m.Caller {
			return
		}
		switch r.Label {
		case "call-timeout":
			c.timedOut = true
			c.finalReason = r.Detail
		case "call-failed":
			if r.Detail == "transport error" {
				c.transport = true
			}
		}
	}
}

// sent handles a message sent with the call's Call-ID.
func (c *callState) sent(r *Record) {
	c.m.Messages++
	if r.Retransmission {
		c.m.Retransmissions++
	}
	if r.Status != 0 {
		return
	}
	switch r.Method {
	case sipstack.INVITE:
		if r.From != c.m.Caller {
			return
		}
		if c.invite < 0 {
			c.invite, c.inviteCSeq = r.Time(), r.CSeq
		}
		if r.CSeq == c.inviteCSeq {
			c.m.InviteTransmissions++
		}
		if c.final != 0 && r.CSeq > c.finalCSeq {
			c.final, c.finalReason = 0, "" // a retry after a 3xx or a challenge
		}
	case sipstack.CANCEL:
		if r.From == c.m.Caller {
			c.cancelled = true
		}
	case sipstack.BYE:
		// The session ends with the first BYE after the caller has its
		// 2xx; a callee's BYE before that (no ACK came, RFC 3261
		// 13.3.1.4) ends a session the caller never had.
		if c.bye < 0 && c.answer >= 0 {
			c.bye, c.byeFrom, c.byeCSeq = r.Time(), r.From, r.CSeq
		}
	}
}

// received handles a message delivered with the call's Call-ID.
func (c *callState) received(r *Record) {
	if r.Status < 200 {
		if r.Status > 100 && r.Method == sipstack.INVITE && r.To == c.m.Caller && c.invite >= 0 {
			if !c.indicative {
				c.indicative = true
				c.m.SRD = r.Time().Sub(c.invite)
			}
			if (r.Status == 180 || r.Status == 183) && c.m.PDD == Unset {
				c.m.PDD = r.Time().Sub(c.invite)
			}
		}
		return
	}
	switch r.Method {
	case sipstack.INVITE:
		k := hopKey{r.To, r.Status}
		if _, seen := c.firstFinal[k]; !seen {
			c.firstFinal[k] = r.From
		}
		if r.To != c.m.Caller || c.invite < 0 {
			return
		}
		if r.Status < 300 {
			if c.timedOut || c.transport || c.final != 0 {
				// Too late: the caller gave up, or already took a
				// failure as the final answer to this INVITE (a proxy
				// sends a non-2xx only when no branch answered, RFC 3261
				// 16.7 step 6, so this 2xx is a stray).
				return
			}
			if c.answer < 0 {
				c.answer = r.Time()
				c.m.Setup = r.Time().Sub(c.invite)
				c.m.Status, c.m.Reason = r.Status, r.Reason
				if !c.indicative {
					c.indicative = true
					c.m.SRD = c.m.Setup
				}
			}
			return
		}
		if c.final != 0 && r.CSeq <= c.finalCSeq {
			return // the first final response to an INVITE is its answer
		}
		c.final, c.finalReason, c.finalCSeq, c.finalAt = r.Status, r.Reason, r.CSeq, r.Time()
	case sipstack.BYE:
		if c.bye >= 0 && !c.byeDone && r.To == c.byeFrom && r.CSeq == c.byeCSeq {
			c.byeDone = true
			c.m.SDD = r.Time().Sub(c.bye)
			c.m.Completed = c.answer >= 0
		}
	}
}

// ended reports whether the call has its outcome and needs nothing more
// but its stragglers.
func (c *callState) ended() bool {
	if c.answer >= 0 {
		return c.bye >= 0
	}
	return c.final != 0 || c.timedOut || c.transport
}

// finish fills the outcome fields of c.m.
func (c *callState) finish() *CallMetrics {
	m := &c.m
	switch {
	case c.answer >= 0:
		m.Outcome = Answered
		if c.bye >= 0 {
			m.SDT = c.bye.Sub(c.answer)
		}
	case c.transport:
		m.Outcome, m.Status, m.Reason = TransportError, 503, "transport error"
	case c.timedOut:
		m.Outcome, m.Status = TimedOut, 408
		m.Reason = c.finalReason
		if m.Reason == "" {
			m.Reason = "timeout"
		}
	case c.final != 0 && c.cancelled && c.final == 487:
		m.Outcome, m.Status, m.Reason = Cancelled, c.final, c.finalReason
	case c.final != 0:
		m.Outcome, m.Status, m.Reason = Rejected, c.final, c.finalReason
	case c.cancelled:
		m.Outcome = Cancelled
	default:
		m.Outcome = InProgress
	}
	if (m.Outcome == Rejected || m.Outcome == Cancelled) && c.final != 0 && m.SRD == Unset {
		// The failure that ended the attempt is its indicative response
		// (RFC 6076 4.3.2) when no provisional response came first.
		m.SRD = c.finalAt.Sub(c.invite)
	}
	if m.Status >= 200 {
		m.Hops = c.hops(m.Status)
	}
	return m
}

// hops follows the first receipts of status back from the caller.
func (c *callState) hops(status int) int {
	n, at := 0, c.m.Caller
	for n <= len(c.firstFinal) {
		from, ok := c.firstFinal[hopKey{at, status}]
		if !ok {
			break
		}
		n++
		at = from
	}
	return n
}

// register tracks REGISTER exchanges for RRD.
func (t *CallTracker) register(r *Record) {
	switch {
	case r.Event == EventSend && r.Status == 0:
		k := regKey{r.From, r.CallID}
		if t.regs[k] == nil {
			t.regs[k] = &regState{start: r.Time()}
		}
	case r.Event == EventRecv && r.Status >= 200:
		k := regKey{r.To, r.CallID}
		s := t.regs[k]
		if s == nil {
			return
		}
		if r.Status == 401 || r.Status == 407 {
			return // the retry with credentials continues the registration
		}
		delete(t.regs, k)
		if t.emitReg != nil {
			t.emitReg(&RegistrationMetrics{Node: k.node, CallID: k.callID, Sent: s.start, Status: r.Status, RRD: r.Time().Sub(s.start)})
		}
	}
}

// sweep emits the calls that have ended and been quiet for
// RetransmitWindow, or every call when all is set (Flush).
func (t *CallTracker) sweep(now sim.Time, all bool) {
	t.swept = now
	var done []*callState
	for id, c := range t.calls {
		if all || (c.ended() && now.Sub(c.last) > RetransmitWindow) {
			done = append(done, c)
			delete(t.calls, id)
		}
	}
	slices.SortFunc(done, func(a, b *callState) int { return a.m.Index - b.m.Index })
	for _, c := range done {
		m := c.finish()
		if t.emitCall != nil {
			t.emitCall(m)
		}
	}
}

// Flush emits every call still held, with the outcome it has so far
// (InProgress for a call without a final response), and every
// registration without a final response, at the end of a trace.
func (t *CallTracker) Flush() {
	t.sweep(t.swept, true)
	keys := make([]regKey, 0, len(t.regs))
	for k := range t.regs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b regKey) int {
		if c := strings.Compare(a.node, b.node); c != 0 {
			return c
		}
		return strings.Compare(a.callID, b.callID)
	})
	for _, k := range keys {
		if t.emitReg != nil {
			t.emitReg(&RegistrationMetrics{Node: k.node, CallID: k.callID, Sent: t.regs[k].start, RRD: Unset})
		}
		delete(t.regs, k)
	}
}

// Active returns the number of calls the tracker holds.
func (t *CallTracker) Active() int { return len(t.calls) }

// CallSink is a sim.Sink that maps trace events to records and feeds a
// CallTracker: the per-call metrics of a run without keeping its trace.
type CallSink struct {
	mapper  *Mapper
	Tracker *CallTracker
}

// NewCallSink returns a sink that names hosts with names and hands calls
// and registrations to emitCall and emitReg as NewCallTracker does.
func NewCallSink(names Names, emitCall func(*CallMetrics), emitReg func(*RegistrationMetrics)) *CallSink {
	return &CallSink{mapper: NewMapper(names), Tracker: NewCallTracker(emitCall, emitReg)}
}

// Event implements sim.Sink.
func (s *CallSink) Event(e *sim.Event) {
	if r, ok := s.mapper.Map(e); ok {
		s.Tracker.Record(&r)
	}
}

// Flush emits what the tracker still holds; call it when the run ends.
func (s *CallSink) Flush() { s.Tracker.Flush() }
