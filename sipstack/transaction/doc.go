// Package transaction implements the SIP transaction layer of RFC 3261
// section 17, with the corrections of RFC 6026, as sans-I/O state machines.
//
// # Machines
//
// There are four machines, one per kind of transaction:
//
//   - [InviteClient]: Figure 5 of RFC 3261, with the "Accepted" state and
//     Timer M of RFC 6026 7.2;
//   - [NonInviteClient]: Figure 6;
//   - [InviteServer]: Figure 7, with the "Accepted" state and Timer L of
//     RFC 6026 7.1, and RFC 6026's rule that a transport error does not
//     destroy the transaction;
//   - [NonInviteServer]: Figure 8, with erratum 1470 (a final response in
//     "Trying" enters "Completed").
//
// A machine holds no clock, starts no goroutine and performs no I/O. Each
// input is a method call: a message received from the network, a request or
// response from the transaction user (TU), a named timer firing, a transport
// error. The method appends what must happen to a caller-provided slice of
// [Action] and returns it: send these bytes to this [Destination], start or
// stop a named [Timer] for a duration, pass a message up to the TU, tell the
// TU about a timeout or a transport error, note a state change, or report
// that the transaction has terminated. Timers are durations from the moment
// the method is called; the caller adds them to its own notion of now (a
// virtual clock in sipsim, a real one elsewhere).
//
// Within the actions of one call, state changes, sends and timer changes
// come first, then what is reported to the TU (a message passed up, a
// timeout, a transport error), then ActionTerminated if the transaction
// ended. A caller may therefore hand reports to a TU that answers at once
// (a UAS sending 180 from inside its INVITE handler) and still send the
// transaction's own messages first, in the order the machine meant.
//
// Messages are serialized once: the bytes of a request or response are kept
// and the same slice is sent again on each retransmission. Callers must not
// modify the Data of a send action.
//
// # Reliable transports
//
// Over a reliable transport (TCP, TLS, SCTP) the retransmission timers A, E
// and G are never started, as RFC 3261 17.1.1.2, 17.1.2.2 and 17.2.1 say.
// Timers D, I, J and K, which RFC 3261 sets to zero seconds for reliable
// transports, are not started either: the machine moves through the state
// that would have started them and terminates within the same call. Timers
// B, F, H, L and M keep their values whatever the transport.
//
// # Unexpected input
//
// No method panics on input. A message from the network that a state does
// not expect (a 1xx after a final response, an ACK in "Proceeding", a timer
// that is not running) is ignored: the method appends nothing. A response
// from the TU that the state does not allow (a second final response, a
// response after termination) is refused with an error wrapping
// [ErrState], and nothing is appended.
//
// # The layer
//
// [Layer] owns the live transactions of one node. It matches responses to
// client transactions (RFC 3261 17.1.3) and requests to server transactions
// (RFC 3261 17.2.3, including the RFC 2543 rules for requests without the
// magic cookie), creates server transactions for new requests, routes timer
// firings by transaction [ID], and forgets each transaction the moment it
// terminates. Responses that match no client transaction and ACKs that match
// no server transaction (the ACK of a 2xx is a transaction of its own, RFC
// 3261 17) are passed straight to the TU with the zero ID.
//
// Timer values come from a [Config] (T1, T2, T4), never from globals. Timer
// C belongs to the proxy core (RFC 3261 16.6 step 11), not to this package.
package transaction
