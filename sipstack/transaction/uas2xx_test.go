package transaction

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

const u2Invite = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKu2a\r\n" +
	"Max-Forwards: 70\r\n" +
	"To: Bob <sip:bob@biloxi.example.com>\r\n" +
	"From: Alice <sip:alice@atlanta.example.com>;tag=u2from\r\n" +
	"Call-ID: u2call@atlanta.example.com\r\n" +
	"CSeq: 7 INVITE\r\n" +
	"Content-Length: 0\r\n\r\n"

var (
	u2UDP = Destination{Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Transport: UDP}
	u2TCP = Destination{Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Transport: TCP}
)

// u2OK returns the INVITE of u2Invite and a 200 to it with To tag "u2to".
func u2OK(tb testing.TB) (*sipstack.Request, *sipstack.Response) {
	tb.Helper()
	inv, err := sipstack.ParseRequest([]byte(u2Invite))
	if err != nil {
		tb.Fatal(err)
	}
	ok := sipstack.NewResponse(inv, 200, "")
	ok.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=u2to")
	return inv, ok
}

// u2ACK returns the ACK of the 2xx of u2OK (a new branch, RFC 3261
// 13.2.2.4), with the given CSeq number and tags.
func u2ACK(seq, fromTag, toTag string) *sipstack.Request {
	inv, _ := sipstack.ParseRequest([]byte(u2Invite))
	ack := sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	ack.Header.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKu2ack")
	ack.Header.Add("Max-Forwards", "70")
	ack.Header.Add("From", "Alice <sip:alice@atlanta.example.com>;tag="+fromTag)
	ack.Header.Add("To", "Bob <sip:bob@biloxi.example.com>;tag="+toTag)
	ack.Header.Add("Call-ID", "u2call@atlanta.example.com")
	ack.Header.Add("CSeq", seq+" ACK")
	return ack
}

// u2Result is what a run of a UAS2xx did, at which virtual times.
type u2Result struct {
	sends   []time.Duration
	timeout time.Duration // -1: none
	end     time.Duration // when ActionTerminated came; -1: never
	log     []string
}

// u2Run drives u on a fake clock: Start at 0, the ACK (if ack is not nil)
// delivered at ackAt, timers fired in (time, scheduling order), or with
// retransmitFirst in (time, retransmit timer first). It checks
// the action invariants on the way: only running timers are stopped,
// ActionTerminated comes last, and nothing follows it.
func u2Run(t *testing.T, u *UAS2xx, ack *sipstack.Request, ackAt time.Duration, retransmitFirst bool) u2Result {
	t.Helper()
	type timer struct {
		at  time.Duration
		seq int
	}
	running := map[UAS2xxTimer]timer{}
	seq := 0
	res := u2Result{timeout: -1, end: -1}
	now := time.Duration(0)
	apply := func(out []UAS2xxAction) {
		for i, a := range out {
			res.log = append(res.log, now.String()+" "+a.String())
			if res.end >= 0 {
				t.Fatalf("%v: action %v after ActionTerminated", now, a)
			}
			switch a.Kind {
			case ActionSend:
				if a.Dest != u.Destination() || string(a.Data) != string(u.Data()) {
					t.Fatalf("%v: send of %q to %v, want the 2xx to %v", now, a.Data, a.Dest, u.Destination())
				}
				res.sends = append(res.sends, now)
			case ActionStartTimer:
				seq++
				running[a.Timer] = timer{now + a.Duration, seq}
			case ActionStopTimer:
				if _, ok := running[a.Timer]; !ok {
					t.Fatalf("%v: stop of %v, which is not running", now, a.Timer)
				}
				delete(running, a.Timer)
			case ActionTimeout:
				res.timeout = now
			case ActionTerminated:
				if i != len(out)-1 {
					t.Fatalf("%v: ActionTerminated is not the last action of %v", now, out)
				}
				if len(running) != 0 {
					t.Fatalf("%v: terminated with timers running: %v", now, running)
				}
				res.end = now
			default:
				t.Fatalf("%v: unexpected action %v", now, a)
			}
		}
	}
	apply(u.Start(nil))
	ackDone := ack == nil
	for steps := 0; res.end < 0; steps++ {
		if steps > 1000 {
			t.Fatal("the machine runs for ever")
		}
		var next UAS2xxTimer
		for _, name := range [...]UAS2xxTimer{UAS2xxTimerRetransmit, UAS2xxTimerWaitACK} {
			tm, ok := running[name]
			if !ok {
				continue
			}
			if next == 0 {
				next = name
				continue
			}
			best := running[next]
			if tm.at < best.at || (tm.at == best.at && !retransmitFirst && tm.seq < best.seq) {
				next = name
			}
		}
		if !ackDone && (next == 0 || ackAt <= running[next].at) {
			now, ackDone = ackAt, true
			apply(u.ReceiveACK(ack, nil))
			continue
		}
		if next == 0 {
			break
		}
		now = running[next].at
		delete(running, next)
		apply(u.Timer(next, nil))
	}
	return res
}

// u2Seconds converts seconds to a slice of durations.
func u2Seconds(s ...float64) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, v := range s {
		d[i] = time.Duration(v * float64(time.Second))
	}
	return d
}

// TestUAS2xxSchedule checks the exact send times of RFC 3261 13.3.1.4:
// "an interval that starts at T1 seconds and doubles for each
// retransmission until it reaches T2 seconds", until the ACK or 64*T1.
func TestUAS2xxSchedule(t *testing.T) {
	never := time.Duration(-1)
	tests := []struct {
		name    string
		cfg     Config
		dest    Destination
		policy  UAS2xxPolicy
		ackAt   time.Duration // -1: no ACK
		sends   []time.Duration
		timeout time.Duration
		end     time.Duration
	}{
		{
			name: "defaults, no ACK: 11 sends, the last at 31.5 s, timeout at 32 s",
			dest: u2UDP, ackAt: never,
			sends:   u2Seconds(0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5),
			timeout: 32 * time.Second, end: 32 * time.Second,
		},
		{
			name: "ACK at 2 s stops it after the sends at 0, 0.5 and 1.5 s",
			dest: u2UDP, ackAt: 2 * time.Second,
			sends:   u2Seconds(0, 0.5, 1.5),
			timeout: never, end: 2 * time.Second,
		},
		{
			name: "ACK at the instant of a retransmission, delivered first, prevents it",
			dest: u2UDP, ackAt: 3500 * time.Millisecond,
			sends:   u2Seconds(0, 0.5, 1.5),
			timeout: never, end: 3500 * time.Millisecond,
		},
		{
			name: "ACK before any retransmission",
			dest: u2UDP, ackAt: 100 * time.Millisecond,
			sends:   u2Seconds(0),
			timeout: never, end: 100 * time.Millisecond,
		},
		{
			name: "T1 100ms, T2 400ms: 0.1, 0.2, 0.4, 0.4 ... until 6.4 s",
			cfg:  Config{T1: 100 * time.Millisecond, T2: 400 * time.Millisecond},
			dest: u2UDP, ackAt: never,
			sends: u2Seconds(0, 0.1, 0.3, 0.7, 1.1, 1.5, 1.9, 2.3, 2.7, 3.1, 3.5, 3.9,
				4.3, 4.7, 5.1, 5.5, 5.9, 6.3),
			timeout: 6400 * time.Millisecond, end: 6400 * time.Millisecond,
		},
		{
			// A retransmission due at exactly 64*T1 is not sent: 64
			// sends at 0, T1, ..., 63*T1.
			name: "T2 = T1 = 1 s: a send every second, none at 64 s",
			cfg:  Config{T1: time.Second, T2: time.Second},
			dest: u2UDP, ackAt: never,
			sends: func() []time.Duration {
				var d []time.Duration
				for i := range 64 {
					d = append(d, time.Duration(i)*time.Second)
				}
				return d
			}(),
			timeout: 64 * time.Second, end: 64 * time.Second,
		},
		{
			name: "T1 1 s, T2 8 s, ACK at 20 s",
			cfg:  Config{T1: time.Second, T2: 8 * time.Second},
			dest: u2UDP, ackAt: 20 * time.Second,
			sends:   u2Seconds(0, 1, 3, 7, 15),
			timeout: never, end: 20 * time.Second,
		},
		{
			name: "TCP: retransmitted all the same (RFC 3261 13.3.1.4)",
			dest: u2TCP, ackAt: 4 * time.Second,
			sends:   u2Seconds(0, 0.5, 1.5, 3.5),
			timeout: never, end: 4 * time.Second,
		},
		{
			name: "TCP, unreliable-only policy: one send, timeout at 64*T1",
			dest: u2TCP, policy: UAS2xxRetransmitUnreliableOnly, ackAt: never,
			sends:   u2Seconds(0),
			timeout: 32 * time.Second, end: 32 * time.Second,
		},
		{
			name: "TCP, unreliable-only policy, ACK at 1 s",
			dest: u2TCP, policy: UAS2xxRetransmitUnreliableOnly, ackAt: time.Second,
			sends:   u2Seconds(0),
			timeout: never, end: time.Second,
		},
		{
			name: "UDP, unreliable-only policy: retransmitted",
			dest: u2UDP, policy: UAS2xxRetransmitUnreliableOnly, ackAt: 2 * time.Second,
			sends:   u2Seconds(0, 0.5, 1.5),
			timeout: never, end: 2 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := u2OK(t)
			u, err := NewUAS2xx(tt.cfg, ok, tt.dest, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			var ack *sipstack.Request
			if tt.ackAt >= 0 {
				ack = u2ACK("7", "u2from", "u2to")
			}
			res := u2Run(t, u, ack, tt.ackAt, false)
			// The same schedule when a caller runs the retransmit
			// timer before the ACK wait at the same instant.
			u2, err := NewUAS2xx(tt.cfg, ok, tt.dest, tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			res2 := u2Run(t, u2, ack, tt.ackAt, true)
			if !slices.Equal(res.sends, res2.sends) || res.end != res2.end || res.timeout != res2.timeout {
				t.Errorf("running the retransmit timer first gives sends %v, end %v; want %v, %v", res2.sends, res2.end, res.sends, res.end)
			}
			if !slices.Equal(res.sends, tt.sends) {
				t.Errorf("sends at %v, want %v", res.sends, tt.sends)
			}
			if res.timeout != tt.timeout || res.end != tt.end {
				t.Errorf("timeout at %v, end at %v; want %v, %v", res.timeout, res.end, tt.timeout, tt.end)
			}
			if !u.Done() || u.Acknowledged() != (tt.ackAt >= 0) {
				t.Errorf("Done() = %v, Acknowledged() = %v after the run", u.Done(), u.Acknowledged())
			}
			if t.Failed() {
				t.Log(strings.Join(res.log, "\n"))
			}
		})
	}
}

// TestUAS2xxActions checks the exact actions of two short lives, and that
// inputs after the end are ignored.
func TestUAS2xxActions(t *testing.T) {
	_, ok := u2OK(t)
	var log []string
	show := func(what string, out []UAS2xxAction) {
		log = append(log, what+":")
		for _, a := range out {
			log = append(log, "  "+a.String())
		}
	}
	u, err := NewUAS2xx(Config{}, ok, u2UDP, UAS2xxRetransmitAlways)
	if err != nil {
		t.Fatal(err)
	}
	show("ACK before start", u.ReceiveACK(u2ACK("7", "u2from", "u2to"), nil))
	show("stop before start", u.Stop(nil))
	show("start", u.Start(nil))
	show("start again", u.Start(nil))
	show("retransmit", u.Timer(UAS2xxTimerRetransmit, nil))
	show("ACK of another 2xx", u.ReceiveACK(u2ACK("7", "u2from", "other"), nil))
	show("ACK", u.ReceiveACK(u2ACK("7", "u2from", "u2to"), nil))
	show("ACK again", u.ReceiveACK(u2ACK("7", "u2from", "u2to"), nil))
	show("late retransmit", u.Timer(UAS2xxTimerRetransmit, nil))
	show("late wait", u.Timer(UAS2xxTimerWaitACK, nil))
	show("stop", u.Stop(nil))

	r, err := NewUAS2xx(Config{}, ok, u2TCP, UAS2xxRetransmitUnreliableOnly)
	if err != nil {
		t.Fatal(err)
	}
	show("TCP start", r.Start(nil))
	show("TCP retransmit timer not running", r.Timer(UAS2xxTimerRetransmit, nil))
	show("TCP wait", r.Timer(UAS2xxTimerWaitACK, nil))

	s, err := NewUAS2xx(Config{}, ok, u2UDP, UAS2xxRetransmitAlways)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(nil)
	show("stop by the core", s.Stop(nil))

	want := []string{
		"ACK before start:",
		"stop before start:",
		"start:",
		`  send "SIP/2.0 200 OK" to 192.0.2.1:5060/UDP`,
		"  start 2xx retransmit 500ms",
		"  start 2xx wait ACK 32s",
		"start again:",
		"retransmit:",
		`  send "SIP/2.0 200 OK" to 192.0.2.1:5060/UDP`,
		"  start 2xx retransmit 1s",
		"ACK of another 2xx:",
		"ACK:",
		"  stop 2xx retransmit",
		"  stop 2xx wait ACK",
		"  terminated",
		"ACK again:",
		"late retransmit:",
		"late wait:",
		"stop:",
		"TCP start:",
		`  send "SIP/2.0 200 OK" to 192.0.2.1:5060/TCP`,
		"  start 2xx wait ACK 32s",
		"TCP retransmit timer not running:",
		"TCP wait:",
		"  timeout 2xx wait ACK",
		"  terminated",
		"stop by the core:",
		"  stop 2xx retransmit",
		"  stop 2xx wait ACK",
		"  terminated",
	}
	if !slices.Equal(log, want) {
		t.Fatalf("actions:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if !u.Acknowledged() || r.Acknowledged() || s.Acknowledged() {
		t.Errorf("Acknowledged() = %v, %v, %v; want true, false, false", u.Acknowledged(), r.Acknowledged(), s.Acknowledged())
	}
}

// TestUAS2xxMatchesACK checks which ACKs acknowledge the 2xx.
func TestUAS2xxMatchesACK(t *testing.T) {
	_, ok := u2OK(t)
	u, err := NewUAS2xx(Config{}, ok, u2UDP, UAS2xxRetransmitAlways)
	if err != nil {
		t.Fatal(err)
	}
	other := func(f func(r *sipstack.Request)) *sipstack.Request {
		r := u2ACK("7", "u2from", "u2to")
		f(r)
		return r
	}
	tests := []struct {
		name string
		ack  *sipstack.Request
		want bool
	}{
		{"the ACK", u2ACK("7", "u2from", "u2to"), true},
		{"other CSeq number", u2ACK("8", "u2from", "u2to"), false},
		{"other From tag", u2ACK("7", "x", "u2to"), false},
		{"other To tag (another fork's 2xx)", u2ACK("7", "u2from", "x"), false},
		{"other Call-ID", other(func(r *sipstack.Request) { r.Header.Set("Call-ID", "x@y") }), false},
		{"not an ACK", other(func(r *sipstack.Request) { r.Method = sipstack.BYE }), false},
		{"CSeq method not ACK", other(func(r *sipstack.Request) { r.Header.Set("CSeq", "7 INVITE") }), false},
		{"malformed CSeq", other(func(r *sipstack.Request) { r.Header.Set("CSeq", "seven ACK") }), false},
		{"no To", other(func(r *sipstack.Request) { r.Header.Del("To") }), false},
		{"no From", other(func(r *sipstack.Request) { r.Header.Del("From") }), false},
	}
	for _, tt := range tests {
		if got := u.MatchesACK(tt.ack); got != tt.want {
			t.Errorf("MatchesACK(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestNewUAS2xxErrors checks what NewUAS2xx refuses.
func TestNewUAS2xxErrors(t *testing.T) {
	inv, ok := u2OK(t)
	with := func(code int, f func(r *sipstack.Response)) *sipstack.Response {
		r := sipstack.NewResponse(inv, code, "")
		r.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=u2to")
		if f != nil {
			f(r)
		}
		return r
	}
	tests := []struct {
		name   string
		cfg    Config
		resp   *sipstack.Response
		policy UAS2xxPolicy
		want   error
	}{
		{"180", Config{}, with(180, nil), 0, ErrStatus},
		{"486", Config{}, with(486, nil), 0, ErrStatus},
		{"T2 below T1", Config{T1: time.Second, T2: time.Millisecond}, ok, 0, ErrConfig},
		{"unknown policy", Config{}, ok, UAS2xxRetransmitUnreliableOnly + 1, ErrConfig},
		{"2xx to BYE", Config{}, with(200, func(r *sipstack.Response) { r.Header.Set("CSeq", "7 BYE") }), 0, ErrMethod},
		{"no CSeq", Config{}, with(200, func(r *sipstack.Response) { r.Header.Del("CSeq") }), 0, ErrMessage},
		{"no Call-ID", Config{}, with(200, func(r *sipstack.Response) { r.Header.Del("Call-ID") }), 0, ErrMessage},
		{"no From", Config{}, with(200, func(r *sipstack.Response) { r.Header.Del("From") }), 0, ErrMessage},
		{"no To tag", Config{}, with(200, func(r *sipstack.Response) { r.Header.Set("To", "<sip:bob@biloxi.example.com>") }), 0, ErrMessage},
	}
	for _, tt := range tests {
		u, err := NewUAS2xx(tt.cfg, tt.resp, u2UDP, tt.policy)
		if !errors.Is(err, tt.want) || u != nil {
			t.Errorf("NewUAS2xx(%s) = %v, %v; want nil, an error wrapping %v", tt.name, u, err, tt.want)
		}
	}
	if _, err := NewUAS2xx(Config{}, with(202, nil), u2UDP, 0); err != nil {
		t.Errorf("NewUAS2xx(202) = %v, want success", err)
	}
}

// TestUAS2xxStrings checks the names of the new enums.
func TestUAS2xxStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{UAS2xxTimerRetransmit.String(), "2xx retransmit"},
		{UAS2xxTimerWaitACK.String(), "2xx wait ACK"},
		{UAS2xxTimer(9).String(), "UAS2xxTimer(9)"},
		{UAS2xxRetransmitAlways.String(), "always"},
		{UAS2xxRetransmitUnreliableOnly.String(), "unreliable only"},
		{UAS2xxPolicy(7).String(), "UAS2xxPolicy(7)"},
		{UAS2xxAction{Kind: ActionStopTimer, Timer: UAS2xxTimerWaitACK}.String(), "stop 2xx wait ACK"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("String() = %q, want %q", tt.got, tt.want)
		}
	}
}

// A UAS core retransmits its 200 to an INVITE after the server transaction
// sent it (RFC 6026 8.5), and stops when the ACK arrives (RFC 3261
// 13.3.1.4). The caller fires the timers at the times they ask for.
func ExampleUAS2xx() {
	inv, err := sipstack.ParseRequest([]byte(u2Invite))
	if err != nil {
		panic(err)
	}
	ok := sipstack.NewResponse(inv, 200, "")
	ok.Header.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=u2to")
	dest := Destination{Addr: netip.MustParseAddrPort("192.0.2.1:5060"), Transport: UDP}
	u, err := NewUAS2xx(Config{}, ok, dest, UAS2xxRetransmitAlways)
	if err != nil {
		panic(err)
	}
	var out []UAS2xxAction
	show := func(when string) {
		fmt.Println(when + ":")
		for _, a := range out {
			fmt.Println("  ", a)
		}
	}
	out = u.StartRetransmissions(out[:0]) // at 0 s, when the transaction sent the 200
	show("2xx sent by the transaction")
	out = u.Timer(UAS2xxTimerRetransmit, out[:0]) // at 0.5 s
	show("retransmit timer")
	ack := sipstack.NewRequest(sipstack.ACK, inv.RequestURI)
	ack.Header.Add("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKu2ack")
	ack.Header.Add("From", inv.Header.Get("From"))
	ack.Header.Add("To", ok.Header.Get("To"))
	ack.Header.Add("Call-ID", inv.Header.CallID())
	ack.Header.Add("CSeq", "7 ACK")
	out = u.ReceiveACK(ack, out[:0]) // at 0.8 s
	show("ACK")
	// Output:
	// 2xx sent by the transaction:
	//    start 2xx retransmit 500ms
	//    start 2xx wait ACK 32s
	// retransmit timer:
	//    send "SIP/2.0 200 OK" to 192.0.2.1:5060/UDP
	//    start 2xx retransmit 1s
	// ACK:
	//    stop 2xx retransmit
	//    stop 2xx wait ACK
	//    terminated
}
