package transaction

import (
	"errors"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

// Table tests of every transition of the four machines: Figures 5 to 8 of
// RFC 3261 with the changes of RFC 6026 (Accepted, Timers L and M,
// transport errors of the INVITE server). Each row drives a fresh machine
// to a state through its public methods, applies one input, and checks the
// actions and the state reached. Rows whose input is not expected in the
// state check that it is ignored.

// The fixed inputs of the tables.
var (
	resp100 = func(r *sipstack.Request) *sipstack.Response { return response(r, 100, "") }
	resp180 = func(r *sipstack.Request) *sipstack.Response { return response(r, 180, "b") }
	resp200 = func(r *sipstack.Request) *sipstack.Response { return response(r, 200, "b") }
	resp486 = func(r *sipstack.Request) *sipstack.Response { return response(r, 486, "b") }
)

func TestInviteClientTransitions(t *testing.T) {
	// to drives a machine to a state.
	to := map[State]func(*InviteClient, *sipstack.Request){
		Calling:    func(c *InviteClient, r *sipstack.Request) { c.Start(nil) },
		Proceeding: func(c *InviteClient, r *sipstack.Request) { c.Start(nil); c.ReceiveResponse(resp180(r), nil) },
		Completed:  func(c *InviteClient, r *sipstack.Request) { c.Start(nil); c.ReceiveResponse(resp486(r), nil) },
		Accepted:   func(c *InviteClient, r *sipstack.Request) { c.Start(nil); c.ReceiveResponse(resp200(r), nil) },
		Terminated: func(c *InviteClient, r *sipstack.Request) { c.Start(nil); c.TransportError(nil) },
	}
	type input func(*InviteClient, *sipstack.Request) []Action
	recv := func(f func(*sipstack.Request) *sipstack.Response) input {
		return func(c *InviteClient, r *sipstack.Request) []Action { return c.ReceiveResponse(f(r), nil) }
	}
	timer := func(tm Timer) input {
		return func(c *InviteClient, r *sipstack.Request) []Action { return c.Timer(tm, nil) }
	}
	terr := func(c *InviteClient, r *sipstack.Request) []Action { return c.TransportError(nil) }
	start := func(c *InviteClient, r *sipstack.Request) []Action { return c.Start(nil) }

	for _, tc := range []struct {
		name  string
		dest  Destination
		from  State // 0: a new machine
		in    input
		want  []string
		state State
	}{
		{"INVITE from TU", udpPeer, 0, start, []string{"state Calling", "send INVITE", "start Timer A 500ms", "start Timer B 32s"}, Calling},
		{"INVITE from TU, TCP", tcpPeer, 0, start, []string{"state Calling", "send INVITE", "start Timer B 32s"}, Calling},
		{"Start twice", udpPeer, Calling, start, nil, Calling},

		{"Calling: Timer A", udpPeer, Calling, timer(TimerA), []string{"send INVITE", "start Timer A 1s"}, Calling},
		{"Calling: Timer B", udpPeer, Calling, timer(TimerB), []string{"stop Timer A", "timeout Timer B", "terminated"}, Terminated},
		{"Calling: transport error", udpPeer, Calling, terr, []string{"stop Timer A", "stop Timer B", "transport error", "terminated"}, Terminated},
		{"Calling: 1xx", udpPeer, Calling, recv(resp180), []string{"stop Timer A", "stop Timer B", "state Proceeding", "pass 180"}, Proceeding},
		{"Calling: 2xx", udpPeer, Calling, recv(resp200), []string{"stop Timer A", "stop Timer B", "state Accepted", "start Timer M 32s", "pass 200"}, Accepted},
		{"Calling: 300-699", udpPeer, Calling, recv(resp486), []string{"stop Timer A", "stop Timer B", "state Completed", "send ACK", "start Timer D 32s", "pass 486"}, Completed},
		{"Calling: 300-699, TCP", tcpPeer, Calling, recv(resp486), []string{"stop Timer B", "state Completed", "send ACK", "pass 486", "terminated"}, Terminated},
		{"Calling: Timer D not running", udpPeer, Calling, timer(TimerD), nil, Calling},

		{"Proceeding: 1xx", udpPeer, Proceeding, recv(resp180), []string{"pass 180"}, Proceeding},
		{"Proceeding: 2xx", udpPeer, Proceeding, recv(resp200), []string{"state Accepted", "start Timer M 32s", "pass 200"}, Accepted},
		{"Proceeding: 300-699", udpPeer, Proceeding, recv(resp486), []string{"state Completed", "send ACK", "start Timer D 32s", "pass 486"}, Completed},
		{"Proceeding: 300-699, TCP", tcpPeer, Proceeding, recv(resp486), []string{"state Completed", "send ACK", "pass 486", "terminated"}, Terminated},
		{"Proceeding: transport error", udpPeer, Proceeding, terr, []string{"transport error", "terminated"}, Terminated},
		{"Proceeding: stale Timer A", udpPeer, Proceeding, timer(TimerA), nil, Proceeding},
		{"Proceeding: stale Timer B", udpPeer, Proceeding, timer(TimerB), nil, Proceeding},

		{"Completed: 300-699 again", udpPeer, Completed, recv(resp486), []string{"send ACK"}, Completed},
		{"Completed: 1xx", udpPeer, Completed, recv(resp180), nil, Completed},
		{"Completed: 2xx", udpPeer, Completed, recv(resp200), nil, Completed},
		{"Completed: Timer D", udpPeer, Completed, timer(TimerD), []string{"terminated"}, Terminated},
		{"Completed: transport error", udpPeer, Completed, terr, []string{"stop Timer D", "transport error", "terminated"}, Terminated},

		{"Accepted: 2xx", udpPeer, Accepted, recv(resp200), []string{"pass 200"}, Accepted},
		{"Accepted: 1xx", udpPeer, Accepted, recv(resp180), nil, Accepted},
		{"Accepted: 300-699", udpPeer, Accepted, recv(resp486), nil, Accepted},
		{"Accepted: Timer M", udpPeer, Accepted, timer(TimerM), []string{"terminated"}, Terminated},
		{"Accepted: transport error", udpPeer, Accepted, terr, nil, Accepted},

		{"Terminated: response", udpPeer, Terminated, recv(resp200), nil, Terminated},
		{"Terminated: Timer B", udpPeer, Terminated, timer(TimerB), nil, Terminated},
		{"Terminated: transport error", udpPeer, Terminated, terr, nil, Terminated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := invite(t)
			c, err := NewInviteClient(Config{}, req, tc.dest)
			if err != nil {
				t.Fatal(err)
			}
			if tc.from != 0 {
				to[tc.from](c, req)
				if c.State() != tc.from {
					t.Fatalf("set-up reached %v, want %v", c.State(), tc.from)
				}
			}
			check(t, "actions", tc.in(c, req), tc.want...)
			if c.State() != tc.state {
				t.Errorf("state %v, want %v", c.State(), tc.state)
			}
		})
	}
}

func TestNonInviteClientTransitions(t *testing.T) {
	to := map[State]func(*NonInviteClient, *sipstack.Request){
		Trying:     func(c *NonInviteClient, r *sipstack.Request) { c.Start(nil) },
		Proceeding: func(c *NonInviteClient, r *sipstack.Request) { c.Start(nil); c.ReceiveResponse(resp100(r), nil) },
		Completed:  func(c *NonInviteClient, r *sipstack.Request) { c.Start(nil); c.ReceiveResponse(resp200(r), nil) },
		Terminated: func(c *NonInviteClient, r *sipstack.Request) { c.Start(nil); c.Timer(TimerF, nil) },
	}
	type input func(*NonInviteClient, *sipstack.Request) []Action
	recv := func(f func(*sipstack.Request) *sipstack.Response) input {
		return func(c *NonInviteClient, r *sipstack.Request) []Action { return c.ReceiveResponse(f(r), nil) }
	}
	timer := func(tm Timer) input {
		return func(c *NonInviteClient, r *sipstack.Request) []Action { return c.Timer(tm, nil) }
	}
	terr := func(c *NonInviteClient, r *sipstack.Request) []Action { return c.TransportError(nil) }
	start := func(c *NonInviteClient, r *sipstack.Request) []Action { return c.Start(nil) }

	for _, tc := range []struct {
		name  string
		dest  Destination
		from  State
		in    input
		want  []string
		state State
	}{
		{"request from TU", udpPeer, 0, start, []string{"state Trying", "send OPTIONS", "start Timer E 500ms", "start Timer F 32s"}, Trying},
		{"request from TU, TCP", tcpPeer, 0, start, []string{"state Trying", "send OPTIONS", "start Timer F 32s"}, Trying},

		{"Trying: Timer E", udpPeer, Trying, timer(TimerE), []string{"send OPTIONS", "start Timer E 1s"}, Trying},
		{"Trying: Timer F", udpPeer, Trying, timer(TimerF), []string{"stop Timer E", "timeout Timer F", "terminated"}, Terminated},
		{"Trying: transport error", udpPeer, Trying, terr, []string{"stop Timer E", "stop Timer F", "transport error", "terminated"}, Terminated},
		{"Trying: 1xx", udpPeer, Trying, recv(resp100), []string{"state Proceeding", "pass 100"}, Proceeding},
		{"Trying: 200-699", udpPeer, Trying, recv(resp486), []string{"stop Timer E", "stop Timer F", "state Completed", "start Timer K 5s", "pass 486"}, Completed},
		{"Trying: 200-699, TCP", tcpPeer, Trying, recv(resp200), []string{"stop Timer F", "state Completed", "pass 200", "terminated"}, Terminated},

		{"Proceeding: Timer E", udpPeer, Proceeding, timer(TimerE), []string{"send OPTIONS", "start Timer E 4s"}, Proceeding},
		{"Proceeding: 1xx", udpPeer, Proceeding, recv(resp180), []string{"pass 180"}, Proceeding},
		{"Proceeding: 200-699", udpPeer, Proceeding, recv(resp200), []string{"stop Timer E", "stop Timer F", "state Completed", "start Timer K 5s", "pass 200"}, Completed},
		{"Proceeding: Timer F", udpPeer, Proceeding, timer(TimerF), []string{"stop Timer E", "timeout Timer F", "terminated"}, Terminated},
		{"Proceeding: transport error", udpPeer, Proceeding, terr, []string{"stop Timer E", "stop Timer F", "transport error", "terminated"}, Terminated},

		{"Completed: response again", udpPeer, Completed, recv(resp200), nil, Completed},
		{"Completed: 1xx", udpPeer, Completed, recv(resp180), nil, Completed},
		{"Completed: Timer K", udpPeer, Completed, timer(TimerK), []string{"terminated"}, Terminated},
		{"Completed: stale Timer E", udpPeer, Completed, timer(TimerE), nil, Completed},
		{"Completed: transport error", udpPeer, Completed, terr, nil, Completed},

		{"Terminated: response", udpPeer, Terminated, recv(resp200), nil, Terminated},
		{"Terminated: transport error", udpPeer, Terminated, terr, nil, Terminated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := options(t)
			c, err := NewNonInviteClient(Config{}, req, tc.dest)
			if err != nil {
				t.Fatal(err)
			}
			if tc.from != 0 {
				to[tc.from](c, req)
				if c.State() != tc.from {
					t.Fatalf("set-up reached %v, want %v", c.State(), tc.from)
				}
			}
			check(t, "actions", tc.in(c, req), tc.want...)
			if c.State() != tc.state {
				t.Errorf("state %v, want %v", c.State(), tc.state)
			}
		})
	}
}

func TestInviteServerTransitions(t *testing.T) {
	respond := func(s *InviteServer, r *sipstack.Response) {
		if _, err := s.Respond(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	to := map[State]func(*InviteServer, *sipstack.Request){
		Proceeding: func(s *InviteServer, r *sipstack.Request) { s.Start(nil) },
		Completed:  func(s *InviteServer, r *sipstack.Request) { s.Start(nil); respond(s, resp486(r)) },
		Confirmed: func(s *InviteServer, r *sipstack.Request) {
			s.Start(nil)
			respond(s, resp486(r))
			s.ReceiveRequest(mustACK(t, r, resp486(r)), nil)
		},
		Accepted:   func(s *InviteServer, r *sipstack.Request) { s.Start(nil); respond(s, resp200(r)) },
		Terminated: func(s *InviteServer, r *sipstack.Request) { s.Start(nil); respond(s, resp200(r)); s.Timer(TimerL, nil) },
	}
	type input func(*InviteServer, *sipstack.Request) ([]Action, error)
	noErr := func(f func(*InviteServer, *sipstack.Request) []Action) input {
		return func(s *InviteServer, r *sipstack.Request) ([]Action, error) { return f(s, r), nil }
	}
	tu := func(f func(*sipstack.Request) *sipstack.Response) input {
		return func(s *InviteServer, r *sipstack.Request) ([]Action, error) { return s.Respond(f(r), nil) }
	}
	retrans := noErr(func(s *InviteServer, r *sipstack.Request) []Action { return s.ReceiveRequest(invite(t), nil) })
	ack := noErr(func(s *InviteServer, r *sipstack.Request) []Action {
		return s.ReceiveRequest(mustACK(t, r, resp486(r)), nil)
	})
	timer := func(tm Timer) input {
		return noErr(func(s *InviteServer, r *sipstack.Request) []Action { return s.Timer(tm, nil) })
	}
	terr := noErr(func(s *InviteServer, r *sipstack.Request) []Action { return s.TransportError(nil) })
	start := noErr(func(s *InviteServer, r *sipstack.Request) []Action { return s.Start(nil) })

	for _, tc := range []struct {
		name    string
		cfg     Config
		dest    Destination
		from    State
		prep    func(*InviteServer, *sipstack.Request) // extra set-up after from
		in      input
		want    []string
		state   State
		wantErr error
	}{
		{"INVITE", Config{}, udpPeer, 0, nil, start, []string{"state Proceeding", "send 100", "pass INVITE"}, Proceeding, nil},
		{"INVITE, TU answers within 200 ms", Config{Trying: TryingNone}, udpPeer, 0, nil, start, []string{"state Proceeding", "pass INVITE"}, Proceeding, nil},

		{"Proceeding: INVITE resends 100", Config{}, udpPeer, Proceeding, nil, retrans, []string{"send 100"}, Proceeding, nil},
		{"Proceeding: INVITE resends last provisional", Config{}, udpPeer, Proceeding,
			func(s *InviteServer, r *sipstack.Request) { respond(s, resp180(r)) }, retrans, []string{"send 180"}, Proceeding, nil},
		{"Proceeding: INVITE, no provisional yet", Config{Trying: TryingNone}, udpPeer, Proceeding, nil, retrans, nil, Proceeding, nil},
		{"Proceeding: 1xx from TU", Config{}, udpPeer, Proceeding, nil, tu(resp180), []string{"send 180"}, Proceeding, nil},
		{"Proceeding: 2xx from TU", Config{}, udpPeer, Proceeding, nil, tu(resp200), []string{"send 200", "state Accepted", "start Timer L 32s"}, Accepted, nil},
		{"Proceeding: 300-699 from TU", Config{}, udpPeer, Proceeding, nil, tu(resp486), []string{"send 486", "state Completed", "start Timer G 500ms", "start Timer H 32s"}, Completed, nil},
		{"Proceeding: 300-699 from TU, TCP", Config{}, tcpPeer, Proceeding, nil, tu(resp486), []string{"send 486", "state Completed", "start Timer H 32s"}, Completed, nil},
		{"Proceeding: transport error", Config{}, udpPeer, Proceeding, nil, terr, []string{"transport error"}, Proceeding, nil},
		{"Proceeding: ACK", Config{}, udpPeer, Proceeding, nil, ack, nil, Proceeding, nil},

		{"Completed: INVITE resends final", Config{}, udpPeer, Completed, nil, retrans, []string{"send 486"}, Completed, nil},
		{"Completed: Timer G", Config{}, udpPeer, Completed, nil, timer(TimerG), []string{"send 486", "start Timer G 1s"}, Completed, nil},
		{"Completed: Timer H", Config{}, udpPeer, Completed, nil, timer(TimerH), []string{"stop Timer G", "timeout Timer H", "terminated"}, Terminated, nil},
		{"Completed: ACK", Config{}, udpPeer, Completed, nil, ack, []string{"stop Timer G", "stop Timer H", "state Confirmed", "start Timer I 5s"}, Confirmed, nil},
		{"Completed: ACK, TCP", Config{}, tcpPeer, Completed, nil, ack, []string{"stop Timer H", "state Confirmed", "terminated"}, Terminated, nil},
		{"Completed: transport error", Config{}, udpPeer, Completed, nil, terr, []string{"transport error"}, Completed, nil},
		{"Completed: second final from TU", Config{}, udpPeer, Completed, nil, tu(resp200), nil, Completed, ErrState},
		{"Completed: 1xx from TU", Config{}, udpPeer, Completed, nil, tu(resp180), nil, Completed, ErrState},

		{"Confirmed: ACK absorbed", Config{}, udpPeer, Confirmed, nil, ack, nil, Confirmed, nil},
		{"Confirmed: INVITE absorbed", Config{}, udpPeer, Confirmed, nil, retrans, nil, Confirmed, nil},
		{"Confirmed: stale Timer G", Config{}, udpPeer, Confirmed, nil, timer(TimerG), nil, Confirmed, nil},
		{"Confirmed: Timer I", Config{}, udpPeer, Confirmed, nil, timer(TimerI), []string{"terminated"}, Terminated, nil},
		{"Confirmed: transport error", Config{}, udpPeer, Confirmed, nil, terr, nil, Confirmed, nil},

		{"Accepted: INVITE absorbed", Config{}, udpPeer, Accepted, nil, retrans, nil, Accepted, nil},
		{"Accepted: ACK to TU", Config{}, udpPeer, Accepted, nil, ack, []string{"pass ACK"}, Accepted, nil},
		{"Accepted: 2xx from TU", Config{}, udpPeer, Accepted, nil, tu(resp200), []string{"send 200"}, Accepted, nil},
		{"Accepted: 300-699 from TU", Config{}, udpPeer, Accepted, nil, tu(resp486), nil, Accepted, ErrState},
		{"Accepted: transport error", Config{}, udpPeer, Accepted, nil, terr, []string{"transport error"}, Accepted, nil},
		{"Accepted: Timer L", Config{}, udpPeer, Accepted, nil, timer(TimerL), []string{"terminated"}, Terminated, nil},

		{"Terminated: INVITE", Config{}, udpPeer, Terminated, nil, retrans, nil, Terminated, nil},
		{"Terminated: 2xx from TU", Config{}, udpPeer, Terminated, nil, tu(resp200), nil, Terminated, ErrState},
		{"Terminated: transport error", Config{}, udpPeer, Terminated, nil, terr, nil, Terminated, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := invite(t)
			s, err := NewInviteServer(tc.cfg, req, tc.dest)
			if err != nil {
				t.Fatal(err)
			}
			if tc.from != 0 {
				to[tc.from](s, req)
				if s.State() != tc.from {
					t.Fatalf("set-up reached %v, want %v", s.State(), tc.from)
				}
			}
			if tc.prep != nil {
				tc.prep(s, req)
			}
			out, err := tc.in(s, req)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			check(t, "actions", out, tc.want...)
			if s.State() != tc.state {
				t.Errorf("state %v, want %v", s.State(), tc.state)
			}
		})
	}
}

func TestNonInviteServerTransitions(t *testing.T) {
	respond := func(s *NonInviteServer, r *sipstack.Response) {
		if _, err := s.Respond(r, nil); err != nil {
			t.Fatal(err)
		}
	}
	to := map[State]func(*NonInviteServer, *sipstack.Request){
		Trying:     func(s *NonInviteServer, r *sipstack.Request) { s.Start(nil) },
		Proceeding: func(s *NonInviteServer, r *sipstack.Request) { s.Start(nil); respond(s, resp180(r)) },
		Completed:  func(s *NonInviteServer, r *sipstack.Request) { s.Start(nil); respond(s, resp200(r)) },
		Terminated: func(s *NonInviteServer, r *sipstack.Request) {
			s.Start(nil)
			respond(s, resp200(r))
			s.Timer(TimerJ, nil)
		},
	}
	type input func(*NonInviteServer, *sipstack.Request) ([]Action, error)
	noErr := func(f func(*NonInviteServer, *sipstack.Request) []Action) input {
		return func(s *NonInviteServer, r *sipstack.Request) ([]Action, error) { return f(s, r), nil }
	}
	tu := func(f func(*sipstack.Request) *sipstack.Response) input {
		return func(s *NonInviteServer, r *sipstack.Request) ([]Action, error) { return s.Respond(f(r), nil) }
	}
	retrans := noErr(func(s *NonInviteServer, r *sipstack.Request) []Action { return s.ReceiveRequest(options(t), nil) })
	timer := func(tm Timer) input {
		return noErr(func(s *NonInviteServer, r *sipstack.Request) []Action { return s.Timer(tm, nil) })
	}
	terr := noErr(func(s *NonInviteServer, r *sipstack.Request) []Action { return s.TransportError(nil) })
	start := noErr(func(s *NonInviteServer, r *sipstack.Request) []Action { return s.Start(nil) })

	for _, tc := range []struct {
		name    string
		dest    Destination
		from    State
		in      input
		want    []string
		state   State
		wantErr error
	}{
		{"request", udpPeer, 0, start, []string{"state Trying", "pass OPTIONS"}, Trying, nil},

		{"Trying: retransmission discarded", udpPeer, Trying, retrans, nil, Trying, nil},
		{"Trying: 1xx from TU", udpPeer, Trying, tu(resp100), []string{"send 100", "state Proceeding"}, Proceeding, nil},
		{"Trying: 200-699 from TU", udpPeer, Trying, tu(resp486), []string{"send 486", "state Completed", "start Timer J 32s"}, Completed, nil},
		{"Trying: 200-699 from TU, TCP", tcpPeer, Trying, tu(resp200), []string{"send 200", "state Completed", "terminated"}, Terminated, nil},
		{"Trying: transport error", udpPeer, Trying, terr, nil, Trying, nil},

		{"Proceeding: retransmission resends provisional", udpPeer, Proceeding, retrans, []string{"send 180"}, Proceeding, nil},
		{"Proceeding: 1xx from TU", udpPeer, Proceeding, tu(resp100), []string{"send 100"}, Proceeding, nil},
		{"Proceeding: 200-699 from TU", udpPeer, Proceeding, tu(resp200), []string{"send 200", "state Completed", "start Timer J 32s"}, Completed, nil},
		{"Proceeding: transport error", udpPeer, Proceeding, terr, []string{"transport error", "terminated"}, Terminated, nil},

		{"Completed: retransmission resends final", udpPeer, Completed, retrans, []string{"send 200"}, Completed, nil},
		{"Completed: Timer J", udpPeer, Completed, timer(TimerJ), []string{"terminated"}, Terminated, nil},
		{"Completed: transport error", udpPeer, Completed, terr, []string{"stop Timer J", "transport error", "terminated"}, Terminated, nil},
		{"Completed: second final from TU", udpPeer, Completed, tu(resp486), nil, Completed, ErrState},

		{"Terminated: retransmission", udpPeer, Terminated, retrans, nil, Terminated, nil},
		{"Terminated: response from TU", udpPeer, Terminated, tu(resp200), nil, Terminated, ErrState},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := options(t)
			s, err := NewNonInviteServer(Config{}, req, tc.dest)
			if err != nil {
				t.Fatal(err)
			}
			if tc.from != 0 {
				to[tc.from](s, req)
				if s.State() != tc.from {
					t.Fatalf("set-up reached %v, want %v", s.State(), tc.from)
				}
			}
			out, err := tc.in(s, req)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			check(t, "actions", out, tc.want...)
			if s.State() != tc.state {
				t.Errorf("state %v, want %v", s.State(), tc.state)
			}
		})
	}
}
