package transaction

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// A UAS2xxTimer names a timer of a [UAS2xx]. RFC 3261 13.3.1.4 gives these
// timers no letter and they belong to the UAS core, not to a transaction,
// so they are a type of their own rather than [Timer] values: a caller
// keeps them apart from the timers of its [Layer].
type UAS2xxTimer uint8

// The timers of a [UAS2xx].
const (
	// UAS2xxTimerRetransmit is the retransmit interval of the 2xx: T1 at
	// first, doubling after each retransmission up to T2 (RFC 3261
	// 13.3.1.4: "an interval that starts at T1 seconds and doubles for each
	// retransmission until it reaches T2 seconds").
	UAS2xxTimerRetransmit UAS2xxTimer = iota + 1
	// UAS2xxTimerWaitACK is the wait for the ACK, 64*T1 from the first
	// send (RFC 3261 13.3.1.4: "If the server retransmits the 2xx response
	// for 64*T1 seconds without receiving an ACK").
	UAS2xxTimerWaitACK
)

// String returns "2xx retransmit" or "2xx wait ACK".
func (t UAS2xxTimer) String() string {
	switch t {
	case UAS2xxTimerRetransmit:
		return "2xx retransmit"
	case UAS2xxTimerWaitACK:
		return "2xx wait ACK"
	}
	return "UAS2xxTimer(" + strconv.Itoa(int(t)) + ")"
}

// bit returns the timer's bit in a set of armed timers.
func (t UAS2xxTimer) bit() uint8 { return 1 << t }

// A UAS2xxAction is one thing a [UAS2xx] asks of its caller. It uses the
// vocabulary of [Action] with a [UAS2xxTimer] in place of a [Timer]; the
// kinds used are:
//
//   - ActionSend: send Data to Dest. Every send carries the same slice;
//     it must not be modified.
//   - ActionStartTimer: start Timer to fire after Duration, replacing it
//     if it is running. When it fires, call [UAS2xx.Timer] with it.
//   - ActionStopTimer: cancel Timer. A timer that fires after it was
//     stopped is ignored, so cancelling is an optimisation.
//   - ActionTimeout: no ACK came within 64*T1 (Timer is
//     UAS2xxTimerWaitACK). RFC 3261 13.3.1.4: "the dialog is confirmed,
//     but the session SHOULD be terminated. This is accomplished with a
//     BYE"; sending that BYE is the UAS core's.
//   - ActionTerminated: the machine is done (ACK received, timeout, or
//     [UAS2xx.Stop]); every timer it had running was stopped by the
//     actions before this one.
type UAS2xxAction struct {
	// Kind says what to do.
	Kind ActionKind
	// Timer is the timer to start or stop, or the timer whose firing
	// caused a timeout.
	Timer UAS2xxTimer
	// Duration is the timer's duration, for ActionStartTimer.
	Duration time.Duration
	// Dest is where to send Data, for ActionSend.
	Dest Destination
	// Data is the serialized 2xx, for ActionSend.
	Data []byte
}

// String describes the action in one line, such as
// `send "SIP/2.0 200 OK" to 192.0.2.1:5060/UDP` or
// "start 2xx retransmit 500ms".
func (a UAS2xxAction) String() string {
	return string(appendSendOrTimer([]byte(a.Kind.String()), a.Kind, a.Data, a.Dest, a.Timer, a.Duration))
}

// A UAS2xxPolicy says whether a [UAS2xx] retransmits over a reliable
// transport.
type UAS2xxPolicy uint8

const (
	// UAS2xxRetransmitAlways retransmits whatever the transport. It is
	// the default, the zero value, and what RFC 3261 13.3.1.4 requires:
	// "This is independent of whatever transport protocols are used to
	// send the response. Since 2xx is retransmitted end-to-end, there may
	// be hops between UAS and UAC that are UDP. To ensure reliable
	// delivery across these hops, the response is retransmitted
	// periodically even if the transport at the UAS is reliable."
	UAS2xxRetransmitAlways UAS2xxPolicy = iota
	// UAS2xxRetransmitUnreliableOnly sends the 2xx once over a reliable
	// transport and only waits 64*T1 for the ACK. It departs from RFC
	// 3261 13.3.1.4 and is right only when the node knows that every hop
	// to the UAC is reliable (a direct connection, no proxy in between);
	// over UDP it retransmits as UAS2xxRetransmitAlways does.
	UAS2xxRetransmitUnreliableOnly
)

// String returns "always" or "unreliable only".
func (p UAS2xxPolicy) String() string {
	switch p {
	case UAS2xxRetransmitAlways:
		return "always"
	case UAS2xxRetransmitUnreliableOnly:
		return "unreliable only"
	}
	return fmt.Sprintf("UAS2xxPolicy(%d)", uint8(p))
}

// A UAS2xx is the UAS core's retransmission of one 2xx response to an
// INVITE until its ACK arrives (RFC 3261 13.3.1.4, as RFC 6026 7.1 leaves
// it: the INVITE server transaction sends the first 2xx and then absorbs
// INVITE retransmissions in "Accepted", while the core alone makes the 2xx
// reliable end to end).
//
// Started, it sends the 2xx, then retransmits it at T1, 2*T1, 4*T1 ...
// after the previous send, each interval capped at T2: with the defaults
// the sends are at 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5 ... 31.5 s. An ACK
// that matches the 2xx ([UAS2xx.MatchesACK]) stops it. If none has come
// 64*T1 after the first send, it reports a timeout (the core then confirms
// the dialog and sends a BYE) and stops. No retransmission is scheduled at
// or after that instant: the machine adds up the intervals it has waited,
// so the last send is the last one that falls strictly before 64*T1,
// whatever order a caller runs two timers due at the same instant in.
// It retransmits over reliable transports too, as RFC 3261 13.3.1.4
// requires, unless its [UAS2xxPolicy] says otherwise.
//
// Like the transaction machines it holds no clock, performs no I/O and
// appends what must happen to a caller-provided slice. Create it with
// [NewUAS2xx], then call Start (or StartRetransmissions, when the server
// transaction sent the 2xx) once. Its methods are not safe for concurrent
// use.
//
// A transport error on a retransmission is not an input: RFC 3261
// 13.3.1.4 does not make it end the retransmissions, and the ACK wait
// bounds them in any case.
type UAS2xx struct {
	cfg     Config // with defaults applied
	policy  UAS2xxPolicy
	dest    Destination
	data    []byte
	callID  string
	fromTag string
	toTag   string
	cseq    uint32

	started  bool
	done     bool
	acked    bool
	armed    uint8         // bit t set when timer t is running
	interval time.Duration // the running or next retransmit interval
	elapsed  time.Duration // time since the first send, as the sum of the intervals waited
}

// NewUAS2xx returns the retransmission machine of resp, a 2xx response to
// an INVITE, to be sent to dest (the destination of the INVITE server
// transaction's responses, see [ResponseDestination]). resp is serialized
// once, here; it must have a CSeq with method INVITE, a Call-ID, a From
// tag and a To tag (RFC 3261 12.1.1: the UAS "MUST add a tag to the To
// header field in the response"), which the ACK is matched against. The
// error wraps [ErrConfig] for an invalid cfg or policy, [ErrStatus] for a
// status outside 200-299, [ErrMethod] for a CSeq method other than
// INVITE, and [ErrMessage] for a missing field.
func NewUAS2xx(cfg Config, resp *sipstack.Response, dest Destination, policy UAS2xxPolicy) (*UAS2xx, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if policy > UAS2xxRetransmitUnreliableOnly {
		return nil, fmt.Errorf("%w: unknown 2xx retransmission policy %d", ErrConfig, uint8(policy))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%w: %d is not a 2xx response", ErrStatus, resp.StatusCode)
	}
	cseq, err := resp.Header.CSeq()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if cseq.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: 2xx to %s, not to INVITE", ErrMethod, cseq.Method)
	}
	callID := resp.Header.CallID()
	if callID == "" {
		return nil, fmt.Errorf("%w: 2xx without Call-ID", ErrMessage)
	}
	from, err := resp.Header.From()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	to, err := resp.Header.To()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if to.Tag() == "" {
		return nil, fmt.Errorf("%w: 2xx without a To tag", ErrMessage)
	}
	return &UAS2xx{
		cfg:     cfg.withDefaults(),
		policy:  policy,
		dest:    dest,
		data:    resp.AppendTo(make([]byte, 0, 512)),
		callID:  callID,
		fromTag: from.Tag(),
		toTag:   to.Tag(),
		cseq:    cseq.Seq,
	}, nil
}

// Destination returns where the 2xx is sent.
func (u *UAS2xx) Destination() Destination { return u.dest }

// Data returns the serialized 2xx. It must not be modified.
func (u *UAS2xx) Data() []byte { return u.data }

// Done reports whether the machine has terminated: the ACK came, the wait
// for it timed out, or Stop was called.
func (u *UAS2xx) Done() bool { return u.done }

// Acknowledged reports whether a matching ACK stopped the machine.
func (u *UAS2xx) Acknowledged() bool { return u.acked }

// Running reports whether timer t is running.
func (u *UAS2xx) Running(t UAS2xxTimer) bool { return u.armed&t.bit() != 0 }

// retransmits reports whether the 2xx is retransmitted at all.
func (u *UAS2xx) retransmits() bool {
	return u.policy == UAS2xxRetransmitAlways || !u.dest.Transport.Reliable()
}

// Start sends the 2xx and starts the timers. It does nothing if the
// machine has already started.
//
// RFC 3261 13.3.1.4: "it is necessary to periodically pass the response
// directly to the transport until the ACK arrives. The 2xx response is
// passed to the transport with an interval that starts at T1 seconds and
// doubles for each retransmission until it reaches T2 seconds".
func (u *UAS2xx) Start(out []UAS2xxAction) []UAS2xxAction {
	if u.started {
		return out
	}
	return u.startTimers(u.send(out))
}

// StartRetransmissions starts the timers without sending: the first
// transmission of the 2xx was made by the INVITE server transaction (RFC
// 6026 8.5: the server transaction "MUST pass this response to the
// transport layer for transmission"; "retransmissions of 2xx responses are
// handled by the TU"). Call it at the instant of that transmission, which
// is the origin of the intervals and of the 64*T1 wait. It does nothing
// if the machine has already started.
func (u *UAS2xx) StartRetransmissions(out []UAS2xxAction) []UAS2xxAction {
	if u.started {
		return out
	}
	return u.startTimers(out)
}

// startTimers starts the retransmit timer (unless the policy says not to)
// and the wait for the ACK.
func (u *UAS2xx) startTimers(out []UAS2xxAction) []UAS2xxAction {
	u.started = true
	if u.retransmits() {
		u.interval = u.cfg.T1
		out = u.startRetransmit(out)
	}
	return u.start(out, UAS2xxTimerWaitACK, u.cfg.timer64())
}

// Timer handles the firing of timer t. A timer that is not running is
// ignored.
func (u *UAS2xx) Timer(t UAS2xxTimer, out []UAS2xxAction) []UAS2xxAction {
	if u.done || u.armed&t.bit() == 0 {
		return out
	}
	u.armed &^= t.bit()
	switch t {
	case UAS2xxTimerRetransmit:
		// RFC 3261 13.3.1.4: the interval "doubles for each
		// retransmission until it reaches T2 seconds".
		u.elapsed += u.interval
		out = u.send(out)
		u.interval = min(2*u.interval, u.cfg.T2)
		return u.startRetransmit(out)
	case UAS2xxTimerWaitACK:
		// RFC 3261 13.3.1.4: "If the server retransmits the 2xx response
		// for 64*T1 seconds without receiving an ACK, the dialog is
		// confirmed, but the session SHOULD be terminated."
		return u.terminate(out, UAS2xxAction{Kind: ActionTimeout, Timer: UAS2xxTimerWaitACK})
	}
	return out
}

// MatchesACK reports whether ack acknowledges the 2xx: an ACK with the
// Call-ID, From tag and To tag of the 2xx (its dialog, RFC 3261 12.2.2)
// and the CSeq number of the INVITE (RFC 3261 13.2.2.4: "The sequence
// number of the CSeq header field MUST be the same as the INVITE being
// acknowledged, but the CSeq method MUST be ACK"). Call-IDs and tags are
// compared byte by byte (RFC 3261 20.8). An ACK with a malformed CSeq,
// From or To does not match.
func (u *UAS2xx) MatchesACK(ack *sipstack.Request) bool {
	if ack.Method != sipstack.ACK || ack.Header.CallID() != u.callID {
		return false
	}
	cseq, err := ack.Header.CSeq()
	if err != nil || cseq.Seq != u.cseq || cseq.Method != sipstack.ACK {
		return false
	}
	from, err := ack.Header.From()
	if err != nil || from.Tag() != u.fromTag {
		return false
	}
	to, err := ack.Header.To()
	return err == nil && to.Tag() == u.toTag
}

// ReceiveACK handles an ACK received by the UAS core. An ACK that does not
// match the 2xx ([UAS2xx.MatchesACK]), or that comes before Start or after
// the machine is done, is ignored: nothing is appended. A matching one
// stops the retransmissions and terminates the machine (RFC 3261 13.3.1.4:
// "Response retransmissions cease when an ACK request for the response is
// received").
func (u *UAS2xx) ReceiveACK(ack *sipstack.Request, out []UAS2xxAction) []UAS2xxAction {
	if !u.started || u.done || !u.MatchesACK(ack) {
		return out
	}
	u.acked = true
	return u.terminate(out, UAS2xxAction{})
}

// Stop ends the retransmissions without an ACK, for a core that has
// given up on the dialog some other way (a BYE received from the UAC
// after an ACK that was lost, for instance). It stops the timers and
// terminates the machine, without a timeout report. It does nothing when
// the machine is done or has not started.
func (u *UAS2xx) Stop(out []UAS2xxAction) []UAS2xxAction {
	if !u.started || u.done {
		return out
	}
	return u.terminate(out, UAS2xxAction{})
}

// send sends the 2xx.
func (u *UAS2xx) send(out []UAS2xxAction) []UAS2xxAction {
	return append(out, UAS2xxAction{Kind: ActionSend, Dest: u.dest, Data: u.data})
}

// startRetransmit starts the retransmit timer with the current interval,
// unless the retransmission would fall at or after the end of the wait
// for the ACK.
func (u *UAS2xx) startRetransmit(out []UAS2xxAction) []UAS2xxAction {
	if u.elapsed+u.interval >= u.cfg.timer64() {
		return out
	}
	return u.start(out, UAS2xxTimerRetransmit, u.interval)
}

// start starts (or restarts) timer t for d.
func (u *UAS2xx) start(out []UAS2xxAction, t UAS2xxTimer, d time.Duration) []UAS2xxAction {
	u.armed |= t.bit()
	return append(out, UAS2xxAction{Kind: ActionStartTimer, Timer: t, Duration: d})
}

// terminate stops the running timers, appends report unless it is the
// zero action, and ends the machine.
func (u *UAS2xx) terminate(out []UAS2xxAction, report UAS2xxAction) []UAS2xxAction {
	for _, t := range [...]UAS2xxTimer{UAS2xxTimerRetransmit, UAS2xxTimerWaitACK} {
		if u.armed&t.bit() != 0 {
			u.armed &^= t.bit()
			out = append(out, UAS2xxAction{Kind: ActionStopTimer, Timer: t})
		}
	}
	if report.Kind != 0 {
		out = append(out, report)
	}
	u.done = true
	return append(out, UAS2xxAction{Kind: ActionTerminated})
}
