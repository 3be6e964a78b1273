package transaction

import (
	"testing"
	"time"
)

// Scenario tests of retransmission schedules: exact virtual times of every
// send and of the timeouts.

func TestInviteClientUnansweredUDP(t *testing.T) {
	// An unanswered INVITE over UDP is sent seven times, at intervals
	// that double from T1, and Timer B fires at 64*T1 (RFC 3261 17.1.1.2:
	// "The value of 64*T1 is equal to the amount of time required to send
	// seven requests in the case of an unreliable transport").
	for _, tc := range []struct {
		cfg     Config
		sends   string
		timeout time.Duration
	}{
		{Config{}, "0 0.5 1.5 3.5 7.5 15.5 31.5", 32 * time.Second},
		{Config{T1: 100 * time.Millisecond}, "0 0.1 0.3 0.7 1.5 3.1 6.3", 6400 * time.Millisecond},
		{Config{T1: time.Second, T2: 8 * time.Second}, "0 1 3 7 15 31 63", 64 * time.Second},
	} {
		c, err := NewInviteClient(tc.cfg, invite(t), udpPeer)
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, machineFire(c))
		h.apply(c.Start(nil))
		h.runOut()
		if got := seconds(h.times(ActionSend)); got != tc.sends {
			t.Errorf("T1=%v: INVITE sent at %s, want %s", tc.cfg.T1, got, tc.sends)
		}
		if got := h.times(ActionTimeout); len(got) != 1 || got[0] != tc.timeout {
			t.Errorf("T1=%v: timeout at %v, want [%v]", tc.cfg.T1, got, tc.timeout)
		}
		if got := h.times(ActionTerminated); len(got) != 1 || got[0] != tc.timeout {
			t.Errorf("T1=%v: terminated at %v, want [%v]", tc.cfg.T1, got, tc.timeout)
		}
		if c.State() != Terminated {
			t.Errorf("state %v, want Terminated", c.State())
		}
	}
}

func TestInviteClientRetransmitsSameBytes(t *testing.T) {
	// The INVITE is serialized once; every retransmission sends the same
	// slice.
	c, _ := NewInviteClient(Config{}, invite(t), udpPeer)
	h := newHarness(t, machineFire(c))
	h.apply(c.Start(nil))
	h.runOut()
	var first []byte
	for _, e := range h.log {
		if e.a.Kind != ActionSend {
			continue
		}
		if first == nil {
			first = e.a.Data
			if e.a.Dest != udpPeer {
				t.Errorf("sent to %v, want %v", e.a.Dest, udpPeer)
			}
			continue
		}
		if &e.a.Data[0] != &first[0] || len(e.a.Data) != len(first) {
			t.Fatalf("retransmission at %v is not the same slice", e.at)
		}
	}
}

func TestInviteClientUnansweredTCP(t *testing.T) {
	// Over TCP Timer A is not started: one INVITE, and Timer B at 32 s.
	c, _ := NewInviteClient(Config{}, invite(t), tcpPeer)
	h := newHarness(t, machineFire(c))
	h.apply(c.Start(nil))
	h.runOut()
	if got := seconds(h.times(ActionSend)); got != "0" {
		t.Errorf("INVITE sent at %s, want 0", got)
	}
	if got := seconds(h.times(ActionTimeout)); got != "32" {
		t.Errorf("timeout at %s, want 32", got)
	}
}

func TestNonInviteClientUnansweredUDP(t *testing.T) {
	// Timer E doubles from T1 and caps at T2 (RFC 3261 17.1.2.2: "intervals
	// of 500 ms, 1 s, 2 s, 4 s, 4 s, 4 s, etc."); Timer F fires at 64*T1.
	for _, tc := range []struct {
		cfg     Config
		sends   string
		timeout string
	}{
		{Config{}, "0 0.5 1.5 3.5 7.5 11.5 15.5 19.5 23.5 27.5 31.5", "32"},
		{Config{T1: 100 * time.Millisecond, T2: 400 * time.Millisecond}, "0 0.1 0.3 0.7 1.1 1.5 1.9 2.3 2.7 3.1 3.5 3.9 4.3 4.7 5.1 5.5 5.9 6.3", "6.4"},
	} {
		c, _ := NewNonInviteClient(tc.cfg, options(t), udpPeer)
		h := newHarness(t, machineFire(c))
		h.apply(c.Start(nil))
		h.runOut()
		if got := seconds(h.times(ActionSend)); got != tc.sends {
			t.Errorf("%+v: sent at %s, want %s", tc.cfg, got, tc.sends)
		}
		if got := seconds(h.times(ActionTimeout)); got != tc.timeout {
			t.Errorf("%+v: timeout at %s, want %s", tc.cfg, got, tc.timeout)
		}
	}
}

func TestNonInviteClientProceedingResetsTimerEToT2(t *testing.T) {
	// A 100 arrives at 1 s, between the sends at 0.5 s and 1.5 s. The
	// pending Timer E still fires at 1.5 s; from then on it is reset to
	// T2 (RFC 3261 17.1.2.2: "Timer E MUST be reset with a value of T2
	// seconds"), and Timer F still fires at 32 s.
	req := options(t)
	c, _ := NewNonInviteClient(Config{}, req, udpPeer)
	h := newHarness(t, machineFire(c))
	h.apply(c.Start(nil))
	h.runUntil(time.Second)
	out := c.ReceiveResponse(response(req, 100, ""), nil)
	check(t, "100 in Trying", out, "state Proceeding", "pass 100")
	h.apply(out)
	h.runOut()
	if got, want := seconds(h.times(ActionSend)), "0 0.5 1.5 5.5 9.5 13.5 17.5 21.5 25.5 29.5"; got != want {
		t.Errorf("sent at %s, want %s", got, want)
	}
	if got := seconds(h.times(ActionTimeout)); got != "32" {
		t.Errorf("timeout at %s, want 32", got)
	}
}

func TestNonInviteClientCompletedTimerK(t *testing.T) {
	// A final response at 2 s stops E and F; Timer K (T4) ends the
	// transaction at 7 s over UDP. Over TCP it ends at once.
	for _, tc := range []struct {
		dest Destination
		end  string
	}{{udpPeer, "7"}, {tcpPeer, "2"}} {
		req := options(t)
		c, _ := NewNonInviteClient(Config{}, req, tc.dest)
		h := newHarness(t, machineFire(c))
		h.apply(c.Start(nil))
		h.runUntil(2 * time.Second)
		h.apply(c.ReceiveResponse(response(req, 200, "x"), nil))
		h.runOut()
		if got := seconds(h.times(ActionTerminated)); got != tc.end {
			t.Errorf("%v: terminated at %s, want %s", tc.dest.Transport, got, tc.end)
		}
		if got := len(h.times(ActionPassUp)); got != 1 {
			t.Errorf("%v: %d responses passed up, want 1", tc.dest.Transport, got)
		}
	}
}

func TestInviteServerTimerGUntilTimerH(t *testing.T) {
	// A 486 from the TU at 0 is retransmitted by Timer G at T1 doubling
	// up to T2 until Timer H fires at 64*T1 (RFC 3261 17.2.1), which
	// informs the TU of the failure.
	for _, tc := range []struct {
		cfg   Config
		sends string // of the 486
		end   string
	}{
		{Config{}, "0 0.5 1.5 3.5 7.5 11.5 15.5 19.5 23.5 27.5 31.5", "32"},
		{Config{T1: 100 * time.Millisecond}, "0 0.1 0.3 0.7 1.5 3.1 6.3", "6.4"},
	} {
		req := invite(t)
		s, _ := NewInviteServer(tc.cfg, req, udpPeer)
		h := newHarness(t, machineFire(s))
		h.apply(s.Start(nil))
		h.log = nil // forget the 100 Trying
		h.apply(must(t)(s.Respond(response(req, 486, "b1"), nil)))
		h.runOut()
		if got := seconds(h.times(ActionSend)); got != tc.sends {
			t.Errorf("T1=%v: 486 sent at %s, want %s", tc.cfg.T1, got, tc.sends)
		}
		if got := seconds(h.times(ActionTimeout)); got != tc.end {
			t.Errorf("T1=%v: timeout at %s, want %s", tc.cfg.T1, got, tc.end)
		}
	}
}

func TestInviteServerACKStopsTimerG(t *testing.T) {
	// The ACK at 2 s stops the retransmissions; Timer I (T4) ends the
	// transaction at 7 s. Over TCP no Timer G runs, and the ACK ends the
	// transaction at once.
	for _, tc := range []struct {
		dest  Destination
		sends string
		end   string
	}{{udpPeer, "0 0.5 1.5", "7"}, {tcpPeer, "0", "2"}} {
		req := invite(t)
		s, _ := NewInviteServer(Config{}, req, tc.dest)
		h := newHarness(t, machineFire(s))
		h.apply(s.Start(nil))
		h.log = nil
		resp := response(req, 486, "b1")
		h.apply(must(t)(s.Respond(resp, nil)))
		h.runUntil(2 * time.Second)
		h.apply(s.ReceiveRequest(mustACK(t, req, resp), nil))
		h.runOut()
		if got := seconds(h.times(ActionSend)); got != tc.sends {
			t.Errorf("%v: 486 sent at %s, want %s", tc.dest.Transport, got, tc.sends)
		}
		if got := seconds(h.times(ActionTerminated)); got != tc.end {
			t.Errorf("%v: terminated at %s, want %s", tc.dest.Transport, got, tc.end)
		}
	}
}

func TestNonInviteServerTimerJ(t *testing.T) {
	// Timer J is 64*T1 over UDP and zero over TCP (RFC 3261 17.2.2).
	for _, tc := range []struct {
		cfg  Config
		dest Destination
		end  string
	}{{Config{}, udpPeer, "33"}, {Config{T1: 100 * time.Millisecond}, udpPeer, "7.4"}, {Config{}, tcpPeer, "1"}} {
		req := options(t)
		s, _ := NewNonInviteServer(tc.cfg, req, tc.dest)
		h := newHarness(t, machineFire(s))
		h.apply(s.Start(nil))
		h.runUntil(time.Second)
		h.apply(must(t)(s.Respond(response(req, 200, "c"), nil)))
		h.runOut()
		if got := seconds(h.times(ActionTerminated)); got != tc.end {
			t.Errorf("%v %v: terminated at %s, want %s", tc.cfg.T1, tc.dest.Transport, got, tc.end)
		}
	}
}

func TestAcceptedTimers(t *testing.T) {
	// Timer L and Timer M are 64*T1 for all transports (RFC 6026).
	for _, dest := range []Destination{udpPeer, tcpPeer} {
		req := invite(t)
		s, _ := NewInviteServer(Config{}, req, dest)
		h := newHarness(t, machineFire(s))
		h.apply(s.Start(nil))
		h.runUntil(time.Second)
		h.apply(must(t)(s.Respond(response(req, 200, "b"), nil)))
		h.runOut()
		if got := seconds(h.times(ActionTerminated)); got != "33" {
			t.Errorf("%v: server terminated at %s, want 33 (Timer L)", dest.Transport, got)
		}

		c, _ := NewInviteClient(Config{}, req, dest)
		h = newHarness(t, machineFire(c))
		h.apply(c.Start(nil))
		h.runUntil(time.Second)
		h.apply(c.ReceiveResponse(response(req, 200, "b"), nil))
		h.runOut()
		if got := seconds(h.times(ActionTerminated)); got != "33" {
			t.Errorf("%v: client terminated at %s, want 33 (Timer M)", dest.Transport, got)
		}
	}
}

func TestInviteClientCompletedTimerD(t *testing.T) {
	// Timer D is 32 s over UDP whatever T1 (RFC 3261 17.1.1.2: "at least
	// 32 seconds"), longer when 64*T1 is, and zero over TCP.
	for _, tc := range []struct {
		cfg  Config
		dest Destination
		end  string
	}{
		{Config{}, udpPeer, "33"},
		{Config{T1: 100 * time.Millisecond}, udpPeer, "33"},
		{Config{T1: time.Second, T2: 4 * time.Second}, udpPeer, "65"},
		{Config{TimerD: 40 * time.Second}, udpPeer, "41"},
		{Config{}, tcpPeer, "1"},
	} {
		req := invite(t)
		c, _ := NewInviteClient(tc.cfg, req, tc.dest)
		h := newHarness(t, machineFire(c))
		h.apply(c.Start(nil))
		h.runUntil(time.Second)
		h.apply(c.ReceiveResponse(response(req, 404, "b"), nil))
		h.runOut()
		if got := seconds(h.times(ActionTerminated)); got != tc.end {
			t.Errorf("%+v %v: terminated at %s, want %s", tc.cfg, tc.dest.Transport, got, tc.end)
		}
	}
}
