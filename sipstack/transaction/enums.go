package transaction

import "fmt"

// A State is a state of a transaction machine (RFC 3261 17.1.1.2, 17.1.2.2,
// 17.2.1, 17.2.2; RFC 6026 7.1, 7.2). The zero State is not a state: it is
// the state of a machine that has not been started.
type State uint8

// The states of the four machines. Each machine uses a subset: INVITE
// client: Calling, Proceeding, Completed, Accepted, Terminated. Non-INVITE
// client and server: Trying, Proceeding, Completed, Terminated. INVITE
// server: Proceeding, Completed, Confirmed, Accepted, Terminated.
const (
	Calling State = iota + 1
	Trying
	Proceeding
	Completed
	Confirmed
	Accepted
	Terminated
)

// String returns the state's name as written in the RFC, such as
// "Proceeding".
func (s State) String() string {
	switch s {
	case 0:
		return "Idle"
	case Calling:
		return "Calling"
	case Trying:
		return "Trying"
	case Proceeding:
		return "Proceeding"
	case Completed:
		return "Completed"
	case Confirmed:
		return "Confirmed"
	case Accepted:
		return "Accepted"
	case Terminated:
		return "Terminated"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// A Timer names a transaction timer of RFC 3261 Appendix A and RFC 6026.
// Timer C is not here: it belongs to the proxy core (RFC 3261 16.6).
type Timer uint8

// The timers, with the value each is started with.
const (
	// TimerA is the INVITE retransmit interval, T1 doubling, UDP only
	// (RFC 3261 17.1.1.2).
	TimerA Timer = iota + 1
	// TimerB is the INVITE transaction timeout, 64*T1 (RFC 3261 17.1.1.2).
	TimerB
	// TimerD is the wait for response retransmissions in the INVITE
	// client's "Completed" state, Config.TimerD for UDP, zero for
	// reliable transports (RFC 3261 17.1.1.2).
	TimerD
	// TimerE is the non-INVITE retransmit interval, T1 doubling up to T2,
	// UDP only (RFC 3261 17.1.2.2).
	TimerE
	// TimerF is the non-INVITE transaction timeout, 64*T1 (RFC 3261
	// 17.1.2.2).
	TimerF
	// TimerG is the INVITE response retransmit interval, T1 doubling up
	// to T2, UDP only (RFC 3261 17.2.1).
	TimerG
	// TimerH is the wait for an ACK, 64*T1 (RFC 3261 17.2.1).
	TimerH
	// TimerI is the wait for ACK retransmissions, T4 for UDP, zero for
	// reliable transports (RFC 3261 17.2.1).
	TimerI
	// TimerJ is the wait for non-INVITE request retransmissions, 64*T1
	// for UDP, zero for reliable transports (RFC 3261 17.2.2).
	TimerJ
	// TimerK is the wait for non-INVITE response retransmissions, T4 for
	// UDP, zero for reliable transports (RFC 3261 17.1.2.2).
	TimerK
	// TimerL is the wait for INVITE retransmissions in the INVITE
	// server's "Accepted" state, 64*T1 (RFC 6026 7.1).
	TimerL
	// TimerM is the wait for 2xx retransmissions in the INVITE client's
	// "Accepted" state, 64*T1 (RFC 6026 7.2).
	TimerM
)

// String returns the timer's name as written in the RFC, such as
// "Timer A".
func (t Timer) String() string {
	if t >= TimerA && t <= TimerM {
		return "Timer " + string("ABDEFGHIJKLM"[t-TimerA])
	}
	return fmt.Sprintf("Timer(%d)", uint8(t))
}

// bit returns the timer's bit in a set of armed timers.
func (t Timer) bit() uint16 { return 1 << t }

// A Kind is one of the four kinds of transaction.
type Kind uint8

// The kinds of transaction (RFC 3261 17).
const (
	InviteClientKind Kind = iota + 1
	NonInviteClientKind
	InviteServerKind
	NonInviteServerKind
)

// String returns the kind's name, such as "INVITE client".
func (k Kind) String() string {
	switch k {
	case InviteClientKind:
		return "INVITE client"
	case NonInviteClientKind:
		return "non-INVITE client"
	case InviteServerKind:
		return "INVITE server"
	case NonInviteServerKind:
		return "non-INVITE server"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Server reports whether k is a server kind.
func (k Kind) Server() bool { return k == InviteServerKind || k == NonInviteServerKind }
