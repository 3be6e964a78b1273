package transaction

import (
	"fmt"
	"time"
)

// Default timer values of RFC 3261 Appendix A (Table 4).
const (
	// DefaultT1 is the default RTT estimate, 500 ms (RFC 3261 17.1.1.1).
	DefaultT1 = 500 * time.Millisecond
	// DefaultT2 is the default maximum retransmit interval for non-INVITE
	// requests and INVITE responses, 4 s (RFC 3261 17.1.2.2).
	DefaultT2 = 4 * time.Second
	// DefaultT4 is the default maximum duration a message remains in the
	// network, 5 s (RFC 3261 17.1.2.2).
	DefaultT4 = 5 * time.Second
	// DefaultTimerD is the default Timer D for unreliable transports:
	// RFC 3261 17.1.1.2 asks for "a value of at least 32 seconds for
	// unreliable transports".
	DefaultTimerD = 32 * time.Second
)

// A TryingPolicy says whether an INVITE server transaction sends a 100
// (Trying) response by itself.
//
// RFC 3261 17.2.1: "The server transaction MUST generate a 100 (Trying)
// response unless it knows that the TU will generate a provisional or
// final response within 200 ms, in which case it MAY generate a 100
// (Trying) response."
type TryingPolicy uint8

const (
	// TryingImmediate sends a 100 (Trying) as soon as the INVITE arrives.
	// It is the default, the zero value: the transaction cannot know what
	// the TU will do.
	TryingImmediate TryingPolicy = iota
	// TryingNone sends no 100 (Trying): the node declares that its TU
	// always answers an INVITE within 200 ms (for instance a UAS that
	// answers at once, or a redirect server), which RFC 3261 17.2.1
	// allows.
	TryingNone
)

// String returns "immediate" or "none".
func (p TryingPolicy) String() string {
	switch p {
	case TryingImmediate:
		return "immediate"
	case TryingNone:
		return "none"
	}
	return fmt.Sprintf("TryingPolicy(%d)", uint8(p))
}

// Config holds the timer values and policies of one node's transactions.
// The zero Config is valid and means the defaults of RFC 3261.
type Config struct {
	// T1 is the round-trip time estimate (RFC 3261 17.1.1.1). Zero means
	// DefaultT1. Timers A, E and G start at T1; Timers B, F, H, J, L and
	// M are 64*T1.
	T1 time.Duration

	// T2 is the maximum retransmit interval of non-INVITE requests and of
	// INVITE responses (RFC 3261 17.1.2.2). Zero means DefaultT2. It
	// must not be below T1.
	T2 time.Duration

	// T4 is the maximum time a message stays in the network (RFC 3261
	// 17.1.2.2). Zero means DefaultT4. Timers I and K are T4 over
	// unreliable transports.
	T4 time.Duration

	// TimerD is how long an INVITE client transaction waits in
	// "Completed" for retransmitted final responses over an unreliable
	// transport (RFC 3261 17.1.1.2: at least 32 s). Zero means
	// DefaultTimerD, or 64*T1 when that is longer, so that a larger T1
	// keeps Timer D at least as long as the server's Timer H.
	TimerD time.Duration

	// Trying says whether an INVITE server transaction sends 100
	// (Trying) by itself (RFC 3261 17.2.1). The default is
	// TryingImmediate.
	Trying TryingPolicy
}

// withDefaults returns c with zero fields replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.T1 == 0 {
		c.T1 = DefaultT1
	}
	if c.T2 == 0 {
		c.T2 = DefaultT2
		if c.T2 < c.T1 {
			c.T2 = c.T1
		}
	}
	if c.T4 == 0 {
		c.T4 = DefaultT4
	}
	if c.TimerD == 0 {
		c.TimerD = max(DefaultTimerD, 64*c.T1)
	}
	return c
}

// Validate reports whether c, with defaults applied, is usable: no
// negative duration, T2 not below T1, and a known TryingPolicy. The error
// wraps [ErrConfig].
func (c Config) Validate() error {
	if c.T1 < 0 || c.T2 < 0 || c.T4 < 0 || c.TimerD < 0 {
		return fmt.Errorf("%w: negative timer value in %+v", ErrConfig, c)
	}
	d := c.withDefaults()
	if d.T2 < d.T1 {
		return fmt.Errorf("%w: T2 (%v) is below T1 (%v)", ErrConfig, d.T2, d.T1)
	}
	if c.Trying > TryingNone {
		return fmt.Errorf("%w: unknown Trying policy %d", ErrConfig, uint8(c.Trying))
	}
	return nil
}

// timer64 returns 64*T1, the value of Timers B, F, H, J, L and M.
func (c *Config) timer64() time.Duration { return 64 * c.T1 }
