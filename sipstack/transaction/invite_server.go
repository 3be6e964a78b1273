package transaction

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// An InviteServer is an INVITE server transaction (RFC 3261 17.2.1, Figure
// 7) as corrected by RFC 6026 7.1: a 2xx from the TU moves it to
// "Accepted", where it absorbs retransmitted INVITEs for Timer L (64*T1),
// sends the 2xx retransmissions that the TU makes, and passes ACKs to the
// TU; and a transport error informs the TU without destroying the
// transaction.
//
// In "Proceeding" no timer runs: the TU must eventually send a final
// response (a proxy does when its branches end or its Timer C fires, RFC
// 3261 16.8), and nothing else ends the transaction.
//
// Create it with [NewInviteServer], then call Start once. Its methods are
// not safe for concurrent use.
type InviteServer struct {
	base
	req         *sipstack.Request
	provisional []byte // the last provisional response sent
	final       []byte // the final response sent (the last 2xx in "Accepted")
	finalToTag  string // the To tag of the final response
	timerG      time.Duration
}

// NewInviteServer returns an INVITE server transaction for req, received
// from the network, whose responses go to dest (see
// [ResponseDestination]). req must be an INVITE. An invalid cfg gives an
// error wrapping [ErrConfig].
func NewInviteServer(cfg Config, req *sipstack.Request, dest Destination) (*InviteServer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if req.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: %s for an INVITE server transaction", ErrMethod, req.Method)
	}
	key, err := ServerKey(req)
	if err != nil {
		return nil, err
	}
	s := &InviteServer{req: req}
	s.cfg = cfg.withDefaults()
	s.dest = dest
	s.key = key
	return s, nil
}

// Kind returns InviteServerKind.
func (s *InviteServer) Kind() Kind { return InviteServerKind }

// Request returns the INVITE that created the transaction.
func (s *InviteServer) Request() *sipstack.Request { return s.req }

// FinalToTag returns the To tag of the final response sent, "" before one
// is sent. RFC 3261 17.2.3 matches an RFC 2543 ACK against it.
func (s *InviteServer) FinalToTag() string { return s.finalToTag }

// Start passes the INVITE to the TU, sends 100 (Trying) unless the
// configuration says the TU answers within 200 ms, and enters
// "Proceeding". It does nothing if the transaction has already started.
//
// RFC 3261 17.2.1: "When a server transaction is constructed for a
// request, it enters the "Proceeding" state. The server transaction MUST
// generate a 100 (Trying) response unless it knows that the TU will
// generate a provisional or final response within 200 ms, in which case it
// MAY generate a 100 (Trying) response. ... The request MUST be passed to
// the TU."
//
// The 100 (Trying) copies the Timestamp header of the INVITE (RFC 3261
// 8.2.6.1) and has no To tag.
func (s *InviteServer) Start(out []Action) []Action {
	if s.state != 0 {
		return out
	}
	out = s.enter(out, Proceeding)
	if s.cfg.Trying == TryingImmediate {
		trying := sipstack.NewResponse(s.req, 100, "")
		if ts := s.req.Header.Get("Timestamp"); ts != "" {
			trying.Header.Add("Timestamp", ts)
		}
		s.provisional = trying.AppendTo(make([]byte, 0, 384))
		out = s.send(out, s.provisional)
	}
	return passRequest(out, s.req)
}

// ReceiveRequest handles a request that matched the transaction: a
// retransmission of the INVITE, or an ACK. Anything else is ignored.
func (s *InviteServer) ReceiveRequest(req *sipstack.Request, out []Action) []Action {
	switch req.Method {
	case sipstack.INVITE:
		return s.receiveInvite(out)
	case sipstack.ACK:
		return s.receiveACK(req, out)
	}
	return out
}

// receiveInvite handles a retransmitted INVITE.
func (s *InviteServer) receiveInvite(out []Action) []Action {
	switch s.state {
	case Proceeding:
		// RFC 3261 17.2.1: "If a request retransmission is received while
		// in the "Proceeding" state, the most recent provisional response
		// that was received from the TU MUST be passed to the transport
		// layer for retransmission." With no provisional sent yet there
		// is nothing to resend.
		if s.provisional != nil {
			return s.send(out, s.provisional)
		}
	case Completed:
		// RFC 3261 17.2.1: "while in the "Completed" state, if a request
		// retransmission is received, the server SHOULD pass the
		// response to the transport for retransmission."
		return s.send(out, s.final)
	case Accepted:
		// RFC 6026 8.7: "The purpose of the "Accepted" state is to absorb
		// retransmissions of an accepted INVITE request. Any such
		// retransmissions are absorbed entirely within the server
		// transaction. They are not passed up to the TU since any
		// downstream UAS cores that accepted the request have taken
		// responsibility for reliability and will already retransmit
		// their 2xx responses if necessary."
	case Confirmed:
		// RFC 3261 17.2.1: "The purpose of the "Confirmed" state is to
		// absorb any additional ACK messages that arrive, triggered from
		// retransmissions of the final response." A late INVITE is
		// absorbed too.
	}
	return out
}

// receiveACK handles an ACK.
func (s *InviteServer) receiveACK(ack *sipstack.Request, out []Action) []Action {
	switch s.state {
	case Completed:
		// RFC 3261 17.2.1: "If an ACK is received while the server
		// transaction is in the "Completed" state, the server transaction
		// MUST transition to the "Confirmed" state. As Timer G is ignored
		// in this state, any retransmissions of the response will cease."
		out = s.stop(out, TimerG)
		out = s.stop(out, TimerH)
		out = s.enter(out, Confirmed)
		// "When this state is entered, timer I is set to fire in T4
		// seconds for unreliable transports, and zero seconds for
		// reliable transports."
		if s.reliable() {
			return s.terminate(out)
		}
		return s.start(out, TimerI, s.cfg.T4)
	case Accepted:
		// RFC 6026 Figure 5 (the new Figure 7): in "Accepted", "ACK / to
		// TU": the ACK of the 2xx is passed to the TU.
		return passRequest(out, ack)
	}
	// "Proceeding": no final response has been sent, nothing to
	// acknowledge. "Confirmed": RFC 3261 17.2.1 "absorb any additional
	// ACK messages".
	return out
}

// Respond sends a response from the TU. It returns an error wrapping
// ErrState, and appends nothing, when the state does not allow a response
// of that class: in "Proceeding" any response is allowed, in "Accepted"
// only a 2xx (a retransmission by the TU, or the 2xx of another fork of a
// proxy), and none elsewhere.
func (s *InviteServer) Respond(resp *sipstack.Response, out []Action) ([]Action, error) {
	code := resp.StatusCode
	if err := checkStatus(code); err != nil {
		return out, err
	}
	switch {
	case s.state == Proceeding && code < 200:
		// RFC 3261 17.2.1: "The TU passes any number of provisional
		// responses to the server transaction. So long as the server
		// transaction is in the "Proceeding" state, each of these MUST
		// be passed to the transport layer for transmission."
		s.provisional = resp.AppendTo(make([]byte, 0, 512))
		return s.send(out, s.provisional), nil
	case s.state == Proceeding && code < 300:
		// RFC 6026 8.5: "If, while in the "Proceeding" state, the TU
		// passes a 2xx response to the server transaction, the server
		// transaction MUST pass this response to the transport layer for
		// transmission. It is not retransmitted by the server
		// transaction; retransmissions of 2xx responses are handled by
		// the TU. The server transaction MUST then transition to the
		// "Accepted" state."
		s.setFinal(resp)
		out = s.send(out, s.final)
		out = s.enter(out, Accepted)
		// RFC 6026 8.7: "When the INVITE server transaction enters the
		// "Accepted" state, Timer L MUST be set to fire in 64*T1 for all
		// transports."
		return s.start(out, TimerL, s.cfg.timer64()), nil
	case s.state == Proceeding:
		// RFC 3261 17.2.1: "While in the "Proceeding" state, if the TU
		// passes a response with status code from 300 to 699 to the
		// server transaction, the response MUST be passed to the
		// transport layer for transmission, and the state machine MUST
		// enter the "Completed" state. For unreliable transports, timer
		// G is set to fire in T1 seconds, and is not set to fire for
		// reliable transports." ... "When the "Completed" state is
		// entered, timer H MUST be set to fire in 64*T1 seconds for all
		// transports."
		s.setFinal(resp)
		out = s.send(out, s.final)
		out = s.enter(out, Completed)
		if !s.reliable() {
			s.timerG = s.cfg.T1
			out = s.start(out, TimerG, s.timerG)
		}
		return s.start(out, TimerH, s.cfg.timer64()), nil
	case s.state == Accepted && code >= 200 && code < 300:
		// RFC 6026 8.7: "While in the "Accepted" state, if the TU passes
		// a 2xx response, the server transaction MUST pass the response
		// to the transport layer for transmission."
		s.setFinal(resp)
		return s.send(out, s.final), nil
	}
	return out, stateError(InviteServerKind, s.state, fmt.Sprintf("response %d from the TU", code))
}

// setFinal keeps the serialized final response and its To tag.
func (s *InviteServer) setFinal(resp *sipstack.Response) {
	s.final = resp.AppendTo(make([]byte, 0, 512))
	if to, err := resp.Header.To(); err == nil {
		s.finalToTag = to.Tag()
	}
}

// Timer handles the firing of timer t. A timer that is not running is
// ignored.
func (s *InviteServer) Timer(t Timer, out []Action) []Action {
	if !s.fire(t) {
		return out
	}
	switch {
	case t == TimerG && s.state == Completed:
		// RFC 3261 17.2.1: "If timer G fires, the response is passed to
		// the transport layer once more for retransmission, and timer G
		// is set to fire in MIN(2*T1, T2) seconds. From then on, when
		// timer G fires, the response is passed to the transport again
		// for transmission, and timer G is reset with a value that
		// doubles, unless that value exceeds T2, in which case it is
		// reset with the value of T2."
		out = s.send(out, s.final)
		s.timerG = min(2*s.timerG, s.cfg.T2)
		return s.start(out, TimerG, s.timerG)
	case t == TimerH && s.state == Completed:
		// RFC 3261 17.2.1: "If timer H fires while in the "Completed"
		// state, it implies that the ACK was never received. In this
		// case, the server transaction MUST transition to the
		// "Terminated" state, and MUST indicate to the TU that a
		// transaction failure has occurred."
		return s.terminateWith(out, Action{Kind: ActionTimeout, Timer: TimerH})
	case t == TimerI && s.state == Confirmed:
		// RFC 3261 17.2.1: "Once timer I fires, the server MUST
		// transition to the "Terminated" state."
		return s.terminate(out)
	case t == TimerL && s.state == Accepted:
		// RFC 6026 8.7: "If Timer L fires while the INVITE server
		// transaction is in the "Accepted" state, the transaction MUST
		// transition to the "Terminated" state."
		return s.terminate(out)
	}
	return out
}

// TransportError handles the failure of a send of this transaction.
//
// RFC 6026 7.1: "An element encountering an unrecoverable transport error
// when trying to send a response to an INVITE request MUST NOT immediately
// destroy the associated INVITE server transaction state. This state is
// necessary to ensure correct processing of retransmissions of the
// request." RFC 6026 8.8 (the new text of RFC 3261 17.2.4): "the server
// transaction SHOULD inform the TU that a failure has occurred, and MUST
// remain in the current state." Its Figure 5 (the new Figure 7) does so in
// "Proceeding", "Completed" and "Accepted"; Timers H and L still end the
// transaction, and in "Proceeding" the TU still owes a final response. In
// "Confirmed" nothing is sent and the error is ignored.
func (s *InviteServer) TransportError(out []Action) []Action {
	switch s.state {
	case Proceeding, Completed, Accepted:
		return append(out, Action{Kind: ActionTransportError})
	}
	return out
}
