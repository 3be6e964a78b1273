package transaction

import (
	"fmt"

	"github.com/sipsim/sipsim/sipstack"
)

// A NonInviteServer is a non-INVITE server transaction (RFC 3261 17.2.2,
// Figure 8), with erratum 1470: a final response in "Trying" enters
// "Completed" as in the figure.
//
// In "Trying" and "Proceeding" no timer runs: the TU must send a final
// response, and nothing else ends the transaction.
//
// Create it with [NewNonInviteServer], then call Start once. Its methods
// are not safe for concurrent use.
type NonInviteServer struct {
	base
	req  *sipstack.Request
	last []byte // the last response sent
}

// NewNonInviteServer returns a non-INVITE server transaction for req,
// received from the network, whose responses go to dest (see
// [ResponseDestination]). req must not be an INVITE or an ACK. An invalid
// cfg gives an error wrapping [ErrConfig].
func NewNonInviteServer(cfg Config, req *sipstack.Request, dest Destination) (*NonInviteServer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if req.Method == sipstack.INVITE || req.Method == sipstack.ACK {
		return nil, fmt.Errorf("%w: %s for a non-INVITE server transaction", ErrMethod, req.Method)
	}
	key, err := ServerKey(req)
	if err != nil {
		return nil, err
	}
	s := &NonInviteServer{req: req}
	s.cfg = cfg.withDefaults()
	s.dest = dest
	s.key = key
	return s, nil
}

// Kind returns NonInviteServerKind.
func (s *NonInviteServer) Kind() Kind { return NonInviteServerKind }

// Request returns the request that created the transaction.
func (s *NonInviteServer) Request() *sipstack.Request { return s.req }

// Start passes the request to the TU and enters "Trying". It does nothing
// if the transaction has already started.
//
// RFC 3261 17.2.2: "The state machine is initialized in the "Trying"
// state and is passed a request other than INVITE or ACK when initialized.
// This request is passed up to the TU."
func (s *NonInviteServer) Start(out []Action) []Action {
	if s.state != 0 {
		return out
	}
	out = s.enter(out, Trying)
	return passRequest(out, s.req)
}

// ReceiveRequest handles a retransmission of the request.
func (s *NonInviteServer) ReceiveRequest(req *sipstack.Request, out []Action) []Action {
	switch s.state {
	case Trying:
		// RFC 3261 17.2.2: "Once in the "Trying" state, any further
		// request retransmissions are discarded."
	case Proceeding, Completed:
		// RFC 3261 17.2.2: "If a retransmission of the request is
		// received while in the "Proceeding" state, the most recently
		// sent provisional response MUST be passed to the transport layer
		// for retransmission." ... "While in the "Completed" state, the
		// server transaction MUST pass the final response to the
		// transport layer for retransmission whenever a retransmission of
		// the request is received."
		return s.send(out, s.last)
	}
	return out
}

// Respond sends a response from the TU. It returns an error wrapping
// ErrState, and appends nothing, after a final response.
func (s *NonInviteServer) Respond(resp *sipstack.Response, out []Action) ([]Action, error) {
	code := resp.StatusCode
	if err := checkStatus(code); err != nil {
		return out, err
	}
	if s.state != Trying && s.state != Proceeding {
		return out, stateError(NonInviteServerKind, s.state, fmt.Sprintf("response %d from the TU", code))
	}
	s.last = resp.AppendTo(make([]byte, 0, 512))
	out = s.send(out, s.last)
	if code < 200 {
		// RFC 3261 17.2.2: "While in the "Trying" state, if the TU
		// passes a provisional response to the server transaction, the
		// server transaction MUST enter the "Proceeding" state. The
		// response MUST be passed to the transport layer for
		// transmission. Any further provisional responses that are
		// received from the TU while in the "Proceeding" state MUST be
		// passed to the transport layer for transmission."
		if s.state == Trying {
			out = s.enter(out, Proceeding)
		}
		return out, nil
	}
	// RFC 3261 17.2.2 (with erratum 1470): "If the TU passes a final
	// response (status codes 200-699) to the server while in the "Trying"
	// or "Proceeding" state, the transaction MUST enter the "Completed"
	// state, and the response MUST be passed to the transport layer for
	// transmission." ... "When the server transaction enters the
	// "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for
	// unreliable transports, and zero seconds for reliable transports."
	out = s.enter(out, Completed)
	if s.reliable() {
		return s.terminate(out), nil
	}
	return s.start(out, TimerJ, s.cfg.timer64()), nil
}

// Timer handles the firing of timer t. A timer that is not running is
// ignored.
func (s *NonInviteServer) Timer(t Timer, out []Action) []Action {
	if !s.fire(t) {
		return out
	}
	if t == TimerJ && s.state == Completed {
		// RFC 3261 17.2.2: "The server transaction remains in this state
		// until Timer J fires, at which point it MUST transition to the
		// "Terminated" state."
		return s.terminate(out)
	}
	return out
}

// TransportError handles the failure of a send of this transaction.
//
// RFC 3261 17.2.4: "If those should all fail, based on the definition of
// failure in [4], the server transaction SHOULD inform the TU that a
// failure has occurred, and SHOULD transition to the terminated state."
// Figure 8 shows it in "Proceeding" and "Completed". In "Trying" nothing
// has been sent, and the error is ignored.
//
// RFC 6026 8.8 rewrites that sentence of 17.2.4 to "MUST remain in the
// current state", but gives its reason (absorbing retransmissions of an
// INVITE) and new figure for the INVITE server only, and leaves Figure 8
// unchanged; this machine follows Figure 8. Over UDP a non-INVITE request
// retransmitted after the termination creates a new transaction, which the
// TU answers again.
func (s *NonInviteServer) TransportError(out []Action) []Action {
	switch s.state {
	case Proceeding, Completed:
		return s.terminateWith(out, Action{Kind: ActionTransportError})
	}
	return out
}
