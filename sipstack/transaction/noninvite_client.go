package transaction

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// A NonInviteClient is a non-INVITE client transaction (RFC 3261 17.1.2,
// Figure 6).
//
// Create it with [NewNonInviteClient], then call Start once. Its methods
// are not safe for concurrent use.
type NonInviteClient struct {
	base
	req    *sipstack.Request
	data   []byte        // the request as sent
	timerE time.Duration // the current Timer E interval
}

// NewNonInviteClient returns a non-INVITE client transaction for req, to
// be sent to dest. req must not be an INVITE or an ACK, and its top Via
// must have a branch with the magic cookie; it is serialized once, here,
// and must not be changed afterwards. An invalid cfg gives an error
// wrapping [ErrConfig].
func NewNonInviteClient(cfg Config, req *sipstack.Request, dest Destination) (*NonInviteClient, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if req.Method == sipstack.INVITE || req.Method == sipstack.ACK {
		return nil, fmt.Errorf("%w: %s for a non-INVITE client transaction", ErrMethod, req.Method)
	}
	key, err := ClientKey(req)
	if err != nil {
		return nil, err
	}
	c := &NonInviteClient{req: req}
	c.cfg = cfg.withDefaults()
	c.dest = dest
	c.key = key
	c.data = req.AppendTo(make([]byte, 0, 512))
	return c, nil
}

// Kind returns NonInviteClientKind.
func (c *NonInviteClient) Kind() Kind { return NonInviteClientKind }

// Request returns the request.
func (c *NonInviteClient) Request() *sipstack.Request { return c.req }

// Start sends the request and enters "Trying". It does nothing if the
// transaction has already started.
//
// RFC 3261 17.1.2.2: "The "Trying" state is entered when the TU initiates
// a new client transaction with a request. When entering this state, the
// client transaction SHOULD set timer F to fire in 64*T1 seconds. The
// request MUST be passed to the transport layer for transmission. If an
// unreliable transport is in use, the client transaction MUST set timer E
// to fire in T1 seconds."
func (c *NonInviteClient) Start(out []Action) []Action {
	if c.state != 0 {
		return out
	}
	out = c.enter(out, Trying)
	out = c.send(out, c.data)
	if !c.reliable() {
		c.timerE = c.cfg.T1
		out = c.start(out, TimerE, c.timerE)
	}
	return c.start(out, TimerF, c.cfg.timer64())
}

// ReceiveResponse handles a response that matched the transaction. A
// response the current state does not expect is ignored.
func (c *NonInviteClient) ReceiveResponse(resp *sipstack.Response, out []Action) []Action {
	code := resp.StatusCode
	if checkStatus(code) != nil {
		return out
	}
	switch c.state {
	case Trying, Proceeding:
		if code < 200 {
			if c.state == Trying {
				// RFC 3261 17.1.2.2: "If a provisional response is
				// received while in the "Trying" state, the response
				// MUST be passed to the TU, and then the client
				// transaction SHOULD move to the "Proceeding" state."
				out = c.enter(out, Proceeding)
			}
			// "If a provisional response is received while in the
			// "Proceeding" state, it MUST be passed to the TU."
			return passResponse(out, resp)
		}
		// RFC 3261 17.1.2.2: "If a final response (status codes 200-699)
		// is received while in the "Trying" state, the response MUST be
		// passed to the TU, and the client transaction MUST transition
		// to the "Completed" state." ... "If a final response (status
		// codes 200-699) is received while in the "Proceeding" state,
		// the response MUST be passed to the TU, and the client
		// transaction MUST transition to the "Completed" state."
		out = c.stop(out, TimerE)
		out = c.stop(out, TimerF)
		out = c.enter(out, Completed)
		// "Once the client transaction enters the "Completed" state, it
		// MUST set Timer K to fire in T4 seconds for unreliable
		// transports, and zero seconds for reliable transports."
		if c.reliable() {
			out = passResponse(out, resp)
			return c.terminate(out)
		}
		out = c.start(out, TimerK, c.cfg.T4)
		return passResponse(out, resp)
	}
	// RFC 3261 17.1.2.2: "The "Completed" state exists to buffer any
	// additional response retransmissions that may be received (which is
	// why the client transaction remains there only for unreliable
	// transports)." They are absorbed.
	return out
}

// Timer handles the firing of timer t. A timer that is not running is
// ignored.
func (c *NonInviteClient) Timer(t Timer, out []Action) []Action {
	if !c.fire(t) {
		return out
	}
	switch {
	case t == TimerE && c.state == Trying:
		// RFC 3261 17.1.2.2: "If timer E fires while still in this
		// state, the timer is reset, but this time with a value of
		// MIN(2*T1, T2). When the timer fires again, it is reset to a
		// MIN(4*T1, T2). This process continues so that retransmissions
		// occur with an exponentially increasing interval that caps at
		// T2."
		out = c.send(out, c.data)
		c.timerE = min(2*c.timerE, c.cfg.T2)
		return c.start(out, TimerE, c.timerE)
	case t == TimerE && c.state == Proceeding:
		// RFC 3261 17.1.2.2: "If Timer E fires while in the "Proceeding"
		// state, the request MUST be passed to the transport layer for
		// retransmission, and Timer E MUST be reset with a value of T2
		// seconds."
		out = c.send(out, c.data)
		c.timerE = c.cfg.T2
		return c.start(out, TimerE, c.timerE)
	case t == TimerF && (c.state == Trying || c.state == Proceeding):
		// RFC 3261 17.1.2.2: "If Timer F fires while the client
		// transaction is still in the "Trying" state, the client
		// transaction SHOULD inform the TU about the timeout, and then
		// it SHOULD enter the "Terminated" state." ... "If timer F fires
		// while in the "Proceeding" state, the TU MUST be informed of a
		// timeout, and the client transaction MUST transition to the
		// terminated state."
		return c.terminateWith(out, Action{Kind: ActionTimeout, Timer: TimerF})
	case t == TimerK && c.state == Completed:
		// RFC 3261 17.1.2.2: "If Timer K fires while in this state, the
		// client transaction MUST transition to the "Terminated" state."
		return c.terminate(out)
	}
	return out
}

// TransportError handles the failure of a send of this transaction.
//
// RFC 3261 17.1.4: "The client transaction SHOULD inform the TU that a
// transport failure has occurred, and the client transaction SHOULD
// transition directly to the "Terminated" state." Figure 6 shows it in
// "Trying" and "Proceeding". In "Completed" the transaction sends nothing,
// so the error is ignored.
func (c *NonInviteClient) TransportError(out []Action) []Action {
	switch c.state {
	case Trying, Proceeding:
		return c.terminateWith(out, Action{Kind: ActionTransportError})
	}
	return out
}
