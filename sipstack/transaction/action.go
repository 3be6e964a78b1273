package transaction

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// An ActionKind says what an [Action] asks of the caller.
type ActionKind uint8

// The kinds of action.
const (
	// ActionSend: send Data to Dest. Data is the serialized message; a
	// retransmission carries the same slice as the first transmission.
	ActionSend ActionKind = iota + 1
	// ActionStartTimer: start Timer to fire after Duration, replacing
	// it if it is already running for this transaction. When it fires,
	// call the machine's Timer method (or [Layer.Timer]) with it.
	ActionStartTimer
	// ActionStopTimer: cancel Timer. A machine also ignores a timer that
	// fires after it was stopped, so cancelling is an optimisation.
	ActionStopTimer
	// ActionPassUp: pass Request or Response (one is set) to the TU.
	ActionPassUp
	// ActionTimeout: inform the TU that the transaction timed out;
	// Timer is the timer that fired (B, F or H).
	ActionTimeout
	// ActionTransportError: inform the TU of a transport error (RFC 3261
	// 17.1.4, 17.2.4).
	ActionTransportError
	// ActionState: the machine entered State (not Terminated, which is
	// ActionTerminated). It is for traces.
	ActionState
	// ActionTerminated: the machine entered "Terminated". It must be
	// destroyed (RFC 3261 17.1.1.2: "The client transaction MUST be
	// destroyed the instant it enters the "Terminated" state"); every
	// timer it had running was stopped by the actions before this one.
	ActionTerminated
)

// String returns the kind's name, such as "send".
func (k ActionKind) String() string {
	switch k {
	case ActionSend:
		return "send"
	case ActionStartTimer:
		return "start"
	case ActionStopTimer:
		return "stop"
	case ActionPassUp:
		return "pass up"
	case ActionTimeout:
		return "timeout"
	case ActionTransportError:
		return "transport error"
	case ActionState:
		return "state"
	case ActionTerminated:
		return "terminated"
	}
	return "ActionKind(" + strconv.Itoa(int(k)) + ")"
}

// An Action is one thing a transaction asks its caller to do. Which fields
// are set depends on Kind (see the constants of [ActionKind]).
type Action struct {
	// Kind says what to do.
	Kind ActionKind
	// Tx is the transaction the action belongs to, set by [Layer]; it is
	// zero for actions of a machine used alone, and for messages that
	// the layer passes up without a transaction (stray responses and ACKs
	// of 2xx responses).
	Tx ID
	// Timer is the timer to start or stop, or the timer whose firing
	// caused a timeout.
	Timer Timer
	// State is the state entered, for ActionState.
	State State
	// Duration is the timer's duration, for ActionStartTimer.
	Duration time.Duration
	// Dest is where to send Data, for ActionSend.
	Dest Destination
	// Data is the serialized message, for ActionSend. It must not be
	// modified.
	Data []byte
	// Request is the request passed up, for ActionPassUp.
	Request *sipstack.Request
	// Response is the response passed up, for ActionPassUp.
	Response *sipstack.Response
}

// String describes the action in one line, for logs and test failures,
// such as `send "SIP/2.0 180 Ringing" to 192.0.2.1:5060/UDP` or
// "start Timer A 500ms".
func (a Action) String() string {
	b := []byte(a.Kind.String())
	if a.Tx != 0 {
		b = append(b, " tx "...)
		b = strconv.AppendUint(b, uint64(a.Tx), 10)
	}
	b = appendSendOrTimer(b, a.Kind, a.Data, a.Dest, a.Timer, a.Duration)
	switch a.Kind {
	case ActionState:
		b = append(b, ' ')
		b = append(b, a.State.String()...)
	case ActionPassUp:
		switch {
		case a.Request != nil:
			b = append(b, ' ')
			b = append(b, a.Request.Method...)
		case a.Response != nil:
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(a.Response.StatusCode), 10)
		}
	}
	return string(b)
}

// appendSendOrTimer appends what [Action.String] and [UAS2xxAction.String]
// say alike of a send (its first line and destination) and of a timer
// action (the timer and, when started, its duration).
func appendSendOrTimer(b []byte, k ActionKind, data []byte, dest Destination, timer fmt.Stringer, d time.Duration) []byte {
	switch k {
	case ActionSend:
		line := data
		if i := bytes.IndexByte(line, '\r'); i >= 0 {
			line = line[:i]
		}
		b = append(b, ' ')
		b = strconv.AppendQuote(b, string(line))
		b = append(b, " to "...)
		b = append(b, dest.String()...)
	case ActionStartTimer:
		b = append(b, ' ')
		b = append(b, timer.String()...)
		b = append(b, ' ')
		b = append(b, d.String()...)
	case ActionStopTimer, ActionTimeout:
		b = append(b, ' ')
		b = append(b, timer.String()...)
	}
	return b
}
