package transaction

import (
	"testing"
	"time"
)

// Scenario tests in the style of golang.org/x/net/quic: deliver a message,
// advance to the next timer, and expect what happens, step by step.

// next fires the next timer and checks its time, its name and the actions.
func (h *harness) next(at time.Duration, t Timer, want ...string) {
	h.tb.Helper()
	if len(h.timers) == 0 {
		h.tb.Fatalf("no timer running; want %v at %v", t, at)
	}
	if p := h.timers[0]; p.at != at || p.t != t {
		h.tb.Fatalf("next timer is %v at %v, want %v at %v", p.t, p.at, t, at)
	}
	n := len(h.log)
	h.advance()
	got := make([]Action, 0, len(h.log)-n)
	for _, e := range h.log[n:] {
		got = append(got, e.a)
	}
	check(h.tb, t.String()+" at "+at.String(), got, want...)
}

// do applies actions at the current time and checks them.
func (h *harness) do(what string, out []Action, want ...string) {
	h.tb.Helper()
	check(h.tb, what, out, want...)
	h.apply(out)
}

func TestScenarioInviteServerRejectOverUDP(t *testing.T) {
	req := invite(t)
	s, _ := NewInviteServer(Config{}, req, udpPeer)
	h := newHarness(t, machineFire(s))

	// The INVITE arrives: 100 Trying goes out at once, the INVITE goes up.
	h.do("INVITE", s.Start(nil), "state Proceeding", "send 100", "pass INVITE")
	// The TU rejects it at 0.1 s: the 486 goes out, Timers G and H start.
	h.runUntil(100 * time.Millisecond)
	busy := response(req, 486, "b")
	h.do("486 from the TU", must(t)(s.Respond(busy, nil)), "send 486", "state Completed", "start Timer G 500ms", "start Timer H 32s")
	// The 486 is lost: Timer G resends it at 0.6 s, then waits 1 s.
	h.next(600*time.Millisecond, TimerG, "send 486", "start Timer G 1s")
	// The client, not having seen a final response, resends the INVITE
	// at 1 s: the 486 is resent.
	h.runUntil(time.Second)
	h.do("INVITE retransmission", s.ReceiveRequest(invite(t), nil), "send 486")
	// Timer G at 1.6 s, now 2 s.
	h.next(1600*time.Millisecond, TimerG, "send 486", "start Timer G 2s")
	// The ACK arrives at 2 s: retransmissions stop, Timer I starts.
	h.runUntil(2 * time.Second)
	h.do("ACK", s.ReceiveRequest(mustACK(t, req, busy), nil), "stop Timer G", "stop Timer H", "state Confirmed", "start Timer I 5s")
	// A retransmitted ACK is absorbed.
	h.do("ACK retransmission", s.ReceiveRequest(mustACK(t, req, busy), nil))
	// Timer I ends the transaction at 7 s.
	h.next(7*time.Second, TimerI, "terminated")
	if len(h.timers) != 0 {
		t.Errorf("timers left: %v", h.timers)
	}
}

func TestScenarioNonInviteClientOverUDP(t *testing.T) {
	req := options(t)
	c, _ := NewNonInviteClient(Config{}, req, udpPeer)
	h := newHarness(t, machineFire(c))

	h.do("OPTIONS from the TU", c.Start(nil), "state Trying", "send OPTIONS", "start Timer E 500ms", "start Timer F 32s")
	h.next(500*time.Millisecond, TimerE, "send OPTIONS", "start Timer E 1s")
	h.next(1500*time.Millisecond, TimerE, "send OPTIONS", "start Timer E 2s")
	h.next(3500*time.Millisecond, TimerE, "send OPTIONS", "start Timer E 4s")
	// Capped at T2.
	h.next(7500*time.Millisecond, TimerE, "send OPTIONS", "start Timer E 4s")
	// A 200 at 8 s: passed up, Timer K starts; a retransmitted 200 is
	// absorbed.
	h.runUntil(8 * time.Second)
	ok := response(req, 200, "c")
	h.do("200", c.ReceiveResponse(ok, nil), "stop Timer E", "stop Timer F", "state Completed", "start Timer K 5s", "pass 200")
	h.do("200 again", c.ReceiveResponse(ok, nil))
	h.next(13*time.Second, TimerK, "terminated")
}
