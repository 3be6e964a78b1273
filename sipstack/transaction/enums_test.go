package transaction

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

func TestStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{TimerA.String(), "Timer A"},
		{TimerB.String(), "Timer B"},
		{TimerD.String(), "Timer D"},
		{TimerG.String(), "Timer G"},
		{TimerK.String(), "Timer K"},
		{TimerL.String(), "Timer L"},
		{TimerM.String(), "Timer M"},
		{Timer(0).String(), "Timer(0)"},
		{Timer(13).String(), "Timer(13)"},
		{State(0).String(), "Idle"},
		{Calling.String(), "Calling"},
		{Trying.String(), "Trying"},
		{Proceeding.String(), "Proceeding"},
		{Completed.String(), "Completed"},
		{Confirmed.String(), "Confirmed"},
		{Accepted.String(), "Accepted"},
		{Terminated.String(), "Terminated"},
		{State(42).String(), "State(42)"},
		{InviteClientKind.String(), "INVITE client"},
		{NonInviteClientKind.String(), "non-INVITE client"},
		{InviteServerKind.String(), "INVITE server"},
		{NonInviteServerKind.String(), "non-INVITE server"},
		{Kind(0).String(), "Kind(0)"},
		{TryingImmediate.String(), "immediate"},
		{TryingNone.String(), "none"},
		{TryingPolicy(7).String(), "TryingPolicy(7)"},
		{ActionKind(0).String(), "ActionKind(0)"},
		{Action{Kind: ActionTimeout, Tx: 3, Timer: TimerB}.String(), "timeout tx 3 Timer B"},
		{Action{Kind: ActionStopTimer, Timer: TimerE}.String(), "stop Timer E"},
		{Action{Kind: ActionTransportError}.String(), "transport error"},
		{Action{Kind: ActionPassUp, Request: &sipstack.Request{Method: "BYE"}}.String(), "pass up BYE"},
		{Action{Kind: ActionSend, Data: []byte("OPTIONS sip:a SIP/2.0\r\n"), Dest: udpPeer}.String(), `send "OPTIONS sip:a SIP/2.0" to 192.0.2.10:5060/UDP`},
		{Action{Kind: ActionState, State: Confirmed}.String(), "state Confirmed"},
	} {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
	if !InviteServerKind.Server() || !NonInviteServerKind.Server() || InviteClientKind.Server() || NonInviteClientKind.Server() {
		t.Error("Kind.Server is wrong")
	}
}

func TestConfig(t *testing.T) {
	d := Config{}.withDefaults()
	if d.T1 != 500*time.Millisecond || d.T2 != 4*time.Second || d.T4 != 5*time.Second || d.TimerD != 32*time.Second || d.Trying != TryingImmediate {
		t.Errorf("defaults = %+v", d)
	}
	// A large T1 raises the default T2 to T1 and Timer D to 64*T1.
	d = Config{T1: 5 * time.Second}.withDefaults()
	if d.T2 != 5*time.Second || d.TimerD != 320*time.Second {
		t.Errorf("T1 = 5s gives %+v", d)
	}
	for _, tc := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{}, true},
		{Config{T1: 100 * time.Millisecond, T2: 100 * time.Millisecond}, true},
		{Config{T1: -time.Second}, false},
		{Config{T4: -1}, false},
		{Config{TimerD: -1}, false},
		{Config{T1: time.Second, T2: 500 * time.Millisecond}, false},
		{Config{Trying: 9}, false},
	} {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrConfig)) {
			t.Errorf("Validate(%+v) = %v, want ok %v", tc.cfg, err, tc.ok)
		}
	}
}

func TestConstructorErrors(t *testing.T) {
	inv, opt := invite(t), options(t)
	ack := request(t, inviteText, "ACK")
	noBranch := invite(t)
	noBranch.Header.Set("Via", "SIP/2.0/UDP a.example.com")
	noVia := options(t)
	noVia.Header.Del("Via")
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"INVITE client with OPTIONS", second(NewInviteClient(Config{}, opt, udpPeer)), ErrMethod},
		{"INVITE client without branch", second(NewInviteClient(Config{}, noBranch, udpPeer)), ErrMessage},
		{"non-INVITE client with INVITE", second(NewNonInviteClient(Config{}, inv, udpPeer)), ErrMethod},
		{"non-INVITE client with ACK", second(NewNonInviteClient(Config{}, ack, udpPeer)), ErrMethod},
		{"non-INVITE client without Via", second(NewNonInviteClient(Config{}, noVia, udpPeer)), ErrMessage},
		{"INVITE server with OPTIONS", second(NewInviteServer(Config{}, opt, udpPeer)), ErrMethod},
		{"non-INVITE server with INVITE", second(NewNonInviteServer(Config{}, inv, udpPeer)), ErrMethod},
		{"non-INVITE server with ACK", second(NewNonInviteServer(Config{}, ack, udpPeer)), ErrMethod},
		{"non-INVITE server without Via", second(NewNonInviteServer(Config{}, noVia, udpPeer)), ErrMessage},
		{"INVITE client, bad config", second(NewInviteClient(Config{T1: -1}, inv, udpPeer)), ErrConfig},
		{"non-INVITE client, bad config", second(NewNonInviteClient(Config{T4: -1}, opt, udpPeer)), ErrConfig},
		{"INVITE server, bad config", second(NewInviteServer(Config{T1: 2 * time.Second, T2: time.Second}, inv, udpPeer)), ErrConfig},
		{"non-INVITE server, bad config", second(NewNonInviteServer(Config{Trying: 5}, opt, udpPeer)), ErrConfig},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	// A status code outside 100-699 is refused by the servers and ignored
	// by the clients.
	s, _ := NewInviteServer(Config{}, inv, udpPeer)
	s.Start(nil)
	if out, err := s.Respond(&sipstack.Response{StatusCode: 700}, nil); !errors.Is(err, ErrStatus) || len(out) != 0 {
		t.Errorf("INVITE server, 700: %v %v", out, err)
	}
	ns, _ := NewNonInviteServer(Config{}, opt, udpPeer)
	ns.Start(nil)
	if _, err := ns.Respond(&sipstack.Response{StatusCode: 99}, nil); !errors.Is(err, ErrStatus) {
		t.Errorf("non-INVITE server, 99: %v", err)
	}
	c, _ := NewInviteClient(Config{}, inv, udpPeer)
	c.Start(nil)
	if out := c.ReceiveResponse(&sipstack.Response{StatusCode: 99}, nil); len(out) != 0 {
		t.Errorf("INVITE client, 99: %v", out)
	}
}

func second[T any](_ T, err error) error { return err }

func TestKeys(t *testing.T) {
	inv := invite(t)
	ck, err := ClientKey(inv)
	if err != nil || ck != (Key{Method: "INVITE", Branch: "z9hG4bK776asdhds"}) {
		t.Errorf("ClientKey = %+v, %v", ck, err)
	}
	rk, err := ResponseKey(response(inv, 200, "x"))
	if err != nil || rk != ck {
		t.Errorf("ResponseKey = %+v, %v; want %+v", rk, err, ck)
	}
	sk, err := ServerKey(inv)
	want := Key{Server: true, Method: "INVITE", Branch: "z9hG4bK776asdhds", SentBy: "pc33.atlanta.example.com:5060"}
	if err != nil || sk != want {
		t.Errorf("ServerKey = %+v, %v; want %+v", sk, err, want)
	}
	if got := sk.String(); got != "server INVITE branch=z9hG4bK776asdhds sent-by=pc33.atlanta.example.com:5060" {
		t.Errorf("String() = %q", got)
	}
	if got := ck.String(); got != "client INVITE branch=z9hG4bK776asdhds" {
		t.Errorf("String() = %q", got)
	}
	ak, _ := ServerKey(request(t, inviteText, "ACK"))
	if ak != sk {
		t.Errorf("ACK key %+v, want the INVITE's %+v", ak, sk)
	}
	cancel := request(t, inviteText, "CANCEL")
	if k, _ := ServerKey(cancel); k.Method != "CANCEL" {
		t.Errorf("CANCEL key %+v", k)
	}
	if k, _ := CancelTargetKey(cancel); k != sk {
		t.Errorf("CancelTargetKey = %+v, want %+v", k, sk)
	}
	old := request(t, strings.Replace(inviteText, ";branch=z9hG4bK776asdhds", ";branch=1", 1), "")
	ok, err := ServerKey(old)
	want = Key{Server: true, Method: "INVITE", RequestURI: "sip:bob@biloxi.example.com", FromTag: "1928301774",
		CallID: "a84b4c76e66710@pc33.atlanta.example.com", CSeq: 314159, Via: "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=1"}
	if err != nil || ok != want || !ok.RFC2543() {
		t.Errorf("RFC 2543 ServerKey = %+v, %v; want %+v", ok, err, want)
	}
	if !strings.Contains(ok.String(), "rfc2543") {
		t.Errorf("String() = %q", ok.String())
	}
	if _, err := ClientKey(old); !errors.Is(err, ErrMessage) {
		t.Errorf("ClientKey without cookie: %v", err)
	}
	r := response(inv, 200, "")
	r.Header.Set("Via", "SIP/2.0/UDP a.example.com")
	if _, err := ResponseKey(r); !errors.Is(err, ErrMessage) {
		t.Errorf("ResponseKey without branch: %v", err)
	}
}

func TestMachineAccessors(t *testing.T) {
	req := invite(t)
	c, _ := NewInviteClient(Config{}, req, udpPeer)
	if c.Kind() != InviteClientKind || c.Request() != req || c.Destination() != udpPeer || c.State() != 0 {
		t.Errorf("new INVITE client: %v %v %v %v", c.Kind(), c.Request() == req, c.Destination(), c.State())
	}
	c.Start(nil)
	if !c.Running(TimerA) || !c.Running(TimerB) || c.Running(TimerD) {
		t.Errorf("running after Start: A %v B %v D %v", c.Running(TimerA), c.Running(TimerB), c.Running(TimerD))
	}
	s, _ := NewInviteServer(Config{}, req, udpPeer)
	s.Start(nil)
	if s.Kind() != InviteServerKind || s.Request() != req || s.FinalToTag() != "" {
		t.Errorf("INVITE server accessors")
	}
	if out := s.Start(nil); len(out) != 0 {
		t.Errorf("second Start: %v", out)
	}
	// A request of another method given to an INVITE server is ignored.
	if out := s.ReceiveRequest(options(t), nil); len(out) != 0 {
		t.Errorf("OPTIONS to an INVITE server: %v", out)
	}
	must(t)(s.Respond(response(req, 603, "dec"), nil))
	if s.FinalToTag() != "dec" {
		t.Errorf("FinalToTag = %q", s.FinalToTag())
	}
	o := options(t)
	nc, _ := NewNonInviteClient(Config{}, o, tcpPeer)
	ns, _ := NewNonInviteServer(Config{}, o, tcpPeer)
	if nc.Kind() != NonInviteClientKind || nc.Request() != o || ns.Kind() != NonInviteServerKind || ns.Request() != o {
		t.Error("non-INVITE accessors")
	}
	nc.Start(nil)
	ns.Start(nil)
	if len(nc.Start(nil)) != 0 || len(ns.Start(nil)) != 0 {
		t.Error("second Start did something")
	}
}
