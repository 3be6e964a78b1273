package transaction

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// An InviteClient is an INVITE client transaction (RFC 3261 17.1.1, Figure
// 5), with the "Accepted" state of RFC 6026 7.2: after a 2xx it stays
// alive for Timer M (64*T1) to pass retransmitted and forked 2xx responses
// to the TU.
//
// In "Proceeding" no timer of the transaction runs: Timer B guards
// "Calling" only (RFC 3261 17.1.1.2), and only a final response ends the
// transaction. Something above must bound a call that rings forever: the
// proxy's Timer C (RFC 3261 16.8) or the UAC's own policy, which CANCELs
// the INVITE and so draws a 487.
//
// Create it with [NewInviteClient], then call Start once. Its methods are
// not safe for concurrent use.
type InviteClient struct {
	base
	req    *sipstack.Request
	data   []byte        // the INVITE as sent
	ack    []byte        // the ACK of the final non-2xx response, once sent
	timerA time.Duration // the next Timer A interval
}

// NewInviteClient returns an INVITE client transaction for req, to be sent
// to dest. req must be an INVITE whose top Via has a branch with the magic
// cookie; it is serialized once, here, and must not be changed afterwards.
// An invalid cfg gives an error wrapping [ErrConfig].
func NewInviteClient(cfg Config, req *sipstack.Request, dest Destination) (*InviteClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if req.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: %s for an INVITE client transaction", ErrMethod, req.Method)
	}
	key, err := ClientKey(req)
	if err != nil {
		return nil, err
	}
	if _, err := req.Header.CSeq(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	c := &InviteClient{req: req}
	c.cfg = cfg.withDefaults()
	c.dest = dest
	c.key = key
	c.data = req.AppendTo(make([]byte, 0, 512))
	return c, nil
}

// Kind returns InviteClientKind.
func (c *InviteClient) Kind() Kind { return InviteClientKind }

// Request returns the INVITE.
func (c *InviteClient) Request() *sipstack.Request { return c.req }

// Start sends the INVITE and enters "Calling". It does nothing if the
// transaction has already started.
//
// RFC 3261 17.1.1.2: "The initial state, "Calling", MUST be entered when
// the TU initiates a new client transaction with an INVITE request. The
// client transaction MUST pass the request to the transport layer for
// transmission. If an unreliable transport is being used, the client
// transaction MUST start timer A with a value of T1. If a reliable
// transport is being used, the client transaction SHOULD NOT start timer
// A ... For any transport, the client transaction MUST start timer B with
// a value of 64*T1 seconds".
func (c *InviteClient) Start(out []Action) []Action {
	if c.state != 0 {
		return out
	}
	out = c.enter(out, Calling)
	out = c.send(out, c.data)
	if !c.reliable() {
		c.timerA = c.cfg.T1
		out = c.start(out, TimerA, c.timerA)
	}
	return c.start(out, TimerB, c.cfg.timer64())
}

// ReceiveResponse handles a response that matched the transaction. A
// response the current state does not expect is ignored.
func (c *InviteClient) ReceiveResponse(resp *sipstack.Response, out []Action) []Action {
	code := resp.StatusCode
	if checkStatus(code) != nil {
		return out
	}
	switch c.state {
	case Calling, Proceeding:
		return c.callingOrProceedingResponse(resp, out)
	case Completed:
		return c.completedResponse(resp, out)
	case Accepted:
		return c.acceptedResponse(resp, out)
	}
	return out
}

// callingOrProceedingResponse handles a response in "Calling" or
// "Proceeding".
func (c *InviteClient) callingOrProceedingResponse(resp *sipstack.Response, out []Action) []Action {
	code := resp.StatusCode
	switch {
	case code < 200:
		if c.state == Calling {
			// RFC 3261 17.1.1.2: "If the client transaction receives a
			// provisional response while in the "Calling" state, it
			// transitions to the "Proceeding" state. In the
			// "Proceeding" state, the client transaction SHOULD NOT
			// retransmit the request any longer." Timer B guards
			// "Calling" only; Timer C of the proxy takes over.
			out = c.stop(out, TimerA)
			out = c.stop(out, TimerB)
			out = c.enter(out, Proceeding)
		}
		// "Furthermore, the provisional response MUST be passed to the
		// TU. Any further provisional responses MUST be passed up to
		// the TU while in the "Proceeding" state."
		return passResponse(out, resp)
	case code < 300:
		// RFC 6026 7.2: "If a 2xx response is received while the client
		// INVITE state machine is in the "Calling" or "Proceeding"
		// states, it MUST transition to the "Accepted" state, pass the
		// 2xx response to the TU, and set Timer M to 64*T1." RFC 6026
		// 8.4: "The client transaction MUST NOT generate an ACK to the
		// 2xx response -- its handling is delegated to the TU."
		out = c.stop(out, TimerA)
		out = c.stop(out, TimerB)
		out = c.enter(out, Accepted)
		out = c.start(out, TimerM, c.cfg.timer64())
		return passResponse(out, resp)
	default:
		// RFC 3261 17.1.1.2: "When in either the "Calling" or
		// "Proceeding" states, reception of a response with status code
		// from 300-699 MUST cause the client transaction to transition
		// to "Completed". The client transaction MUST pass the received
		// response up to the TU, and the client transaction MUST
		// generate an ACK request, even if the transport is reliable
		// ... and then pass the ACK to the transport layer for
		// transmission. The ACK MUST be sent to the same address, port,
		// and transport to which the original request was sent."
		out = c.stop(out, TimerA)
		out = c.stop(out, TimerB)
		out = c.enter(out, Completed)
		ack, err := NewACK(c.req, resp)
		if err == nil { // checked by NewInviteClient
			c.ack = ack.AppendTo(make([]byte, 0, 384))
			out = c.send(out, c.ack)
		}
		// "The client transaction SHOULD start timer D when it enters
		// the "Completed" state, with a value of at least 32 seconds for
		// unreliable transports, and a value of zero seconds for
		// reliable transports."
		if c.reliable() {
			out = passResponse(out, resp)
			return c.terminate(out)
		}
		out = c.start(out, TimerD, c.cfg.TimerD)
		return passResponse(out, resp)
	}
}

// completedResponse handles a response in "Completed".
func (c *InviteClient) completedResponse(resp *sipstack.Response, out []Action) []Action {
	if resp.StatusCode < 300 || c.ack == nil {
		return out
	}
	// RFC 3261 17.1.1.2: "Any retransmissions of the final response that
	// are received while in the "Completed" state MUST cause the ACK to be
	// re-passed to the transport layer for retransmission, but the newly
	// received response MUST NOT be passed up to the TU."
	return c.send(out, c.ack)
}

// acceptedResponse handles a response in "Accepted".
func (c *InviteClient) acceptedResponse(resp *sipstack.Response, out []Action) []Action {
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return out
	}
	// RFC 6026 8.4: "The purpose of the "Accepted" state is to allow the
	// client transaction to continue to exist to receive, and pass to the
	// TU, any retransmissions of the 2xx response and any additional 2xx
	// responses from other branches of the INVITE if it forked
	// downstream."
	return passResponse(out, resp)
}

// Timer handles the firing of timer t. A timer that is not running is
// ignored.
func (c *InviteClient) Timer(t Timer, out []Action) []Action {
	if !c.fire(t) {
		return out
	}
	switch {
	case t == TimerA && c.state == Calling:
		// RFC 3261 17.1.1.2: "When timer A fires, the client transaction
		// MUST retransmit the request by passing it to the transport
		// layer, and MUST reset the timer with a value of 2*T1. ... When
		// timer A fires 2*T1 seconds later, the request MUST be
		// retransmitted again (assuming the client transaction is still
		// in this state). This process MUST continue so that the request
		// is retransmitted with intervals that double after each
		// transmission."
		out = c.send(out, c.data)
		c.timerA *= 2
		return c.start(out, TimerA, c.timerA)
	case t == TimerB && c.state == Calling:
		// RFC 3261 17.1.1.2: "If the client transaction is still in the
		// "Calling" state when timer B fires, the client transaction
		// SHOULD inform the TU that a timeout has occurred. The client
		// transaction MUST NOT generate an ACK."
		return c.terminateWith(out, Action{Kind: ActionTimeout, Timer: TimerB})
	case t == TimerD && c.state == Completed:
		// RFC 3261 17.1.1.2: "If timer D fires while the client
		// transaction is in the "Completed" state, the client
		// transaction MUST move to the terminated state."
		return c.terminate(out)
	case t == TimerM && c.state == Accepted:
		// RFC 6026 8.4: "If Timer M fires while the client transaction
		// is in the "Accepted" state, the client transaction MUST move
		// to the "Terminated" state."
		return c.terminate(out)
	}
	return out
}

// TransportError handles the failure of a send of this transaction.
//
// RFC 3261 17.1.4: "The client transaction SHOULD inform the TU that a
// transport failure has occurred, and the client transaction SHOULD
// transition directly to the "Terminated" state." This applies in
// "Calling" and "Completed" (Figure 5) and in "Proceeding". In "Accepted"
// the transaction sends nothing (the ACK of a 2xx is the TU's), so the
// error is ignored, as in Figure 5 of RFC 6026.
func (c *InviteClient) TransportError(out []Action) []Action {
	switch c.state {
	case Calling, Proceeding, Completed:
		return c.terminateWith(out, Action{Kind: ActionTransportError})
	}
	return out
}
