package transaction

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// base holds what the four machines share: the configuration, the state,
// the peer, and the set of running timers.
type base struct {
	cfg   Config // with defaults applied
	state State
	dest  Destination // where requests (client) or responses (server) go
	armed uint16      // bit t set when timer t is running
	key   Key
}

// State returns the machine's current state.
func (b *base) State() State { return b.state }

// Key returns the key that matches messages to the transaction (RFC 3261
// 17.1.3, 17.2.3).
func (b *base) Key() Key { return b.key }

// Destination returns where the transaction sends its messages.
func (b *base) Destination() Destination { return b.dest }

// Running reports whether timer t is running.
func (b *base) Running(t Timer) bool { return b.armed&t.bit() != 0 }

// reliable reports whether the transaction's transport is reliable.
func (b *base) reliable() bool { return b.dest.Transport.Reliable() }

// enter moves to state s and records it.
func (b *base) enter(out []Action, s State) []Action {
	b.state = s
	return append(out, Action{Kind: ActionState, State: s})
}

// start starts (or restarts) timer t for d.
func (b *base) start(out []Action, t Timer, d time.Duration) []Action {
	b.armed |= t.bit()
	return append(out, Action{Kind: ActionStartTimer, Timer: t, Duration: d})
}

// stop stops timer t if it is running.
func (b *base) stop(out []Action, t Timer) []Action {
	if b.armed&t.bit() == 0 {
		return out
	}
	b.armed &^= t.bit()
	return append(out, Action{Kind: ActionStopTimer, Timer: t})
}

// fire reports whether timer t was running, and marks it as no longer
// running. A timer that fires while not running (the caller did not
// cancel it in time) is ignored by every machine.
func (b *base) fire(t Timer) bool {
	if b.armed&t.bit() == 0 {
		return false
	}
	b.armed &^= t.bit()
	return true
}

// send sends data to the transaction's destination.
func (b *base) send(out []Action, data []byte) []Action {
	return append(out, Action{Kind: ActionSend, Dest: b.dest, Data: data})
}

// terminate stops every running timer and enters "Terminated".
func (b *base) terminate(out []Action) []Action {
	return b.terminateWith(out, Action{})
}

// abandon terminates the transaction at the TU's request (see
// [Layer.Abandon]), reporting nothing to the TU.
func (b *base) abandon(out []Action) []Action {
	if b.state == Terminated {
		return out
	}
	return b.terminate(out)
}

// terminateWith stops every running timer, appends report (an
// ActionTimeout or ActionTransportError for the TU) unless it is the zero
// Action, and enters "Terminated".
func (b *base) terminateWith(out []Action, report Action) []Action {
	for t := TimerA; t <= TimerM; t++ {
		out = b.stop(out, t)
	}
	if report.Kind != 0 {
		out = append(out, report)
	}
	b.state = Terminated
	return append(out, Action{Kind: ActionTerminated})
}

// passRequest passes a request up to the TU.
func passRequest(out []Action, r *sipstack.Request) []Action {
	return append(out, Action{Kind: ActionPassUp, Request: r})
}

// passResponse passes a response up to the TU.
func passResponse(out []Action, r *sipstack.Response) []Action {
	return append(out, Action{Kind: ActionPassUp, Response: r})
}

// stateError returns an error wrapping ErrState.
func stateError(k Kind, s State, what string) error {
	return fmt.Errorf("%w: %s in state %s of an %s transaction", ErrState, what, s, k)
}

// checkStatus returns an error wrapping ErrStatus for a status code outside
// 100 to 699.
func checkStatus(code int) error {
	if code < 100 || code > 699 {
		return fmt.Errorf("%w: %d", ErrStatus, code)
	}
	return nil
}
