package nodes

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
	"github.com/sipsim/sipsim/sipstack/sdp"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// uaTestNet is a network of named hosts on one 10 ms link each to alice,
// with a recorder on the trace and a zone where biloxi.example.com is bob
// and atlanta.example.com is alice.
type uaTestNet struct {
	net  *sim.Network
	rec  *sim.Recorder
	zone *Zone
}

// uaNewNet builds alice (10.0.0.1), bob (10.0.0.2) and the extra hosts
// (10.0.0.3, ...), each joined to alice, and bob to the others too.
func uaNewNet(t *testing.T, seed uint64, loss float64, extra ...string) *uaTestNet {
	t.Helper()
	rec := &sim.Recorder{}
	n, err := sim.NewNetwork(sim.New(seed), sim.Options{Sink: rec})
	require.NoError(t, err)
	names := append([]string{"alice", "bob"}, extra...)
	for i, h := range names {
		_, err := n.AddHost(h, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		require.NoError(t, err)
	}
	link := sim.LinkConfig{Delay: 10 * time.Millisecond}
	if loss > 0 {
		link.Loss = sim.Bernoulli{P: loss}
	}
	for _, h := range names[1:] {
		require.NoError(t, n.AddSymmetricLink("alice", h, link))
	}
	for _, h := range extra {
		require.NoError(t, n.AddSymmetricLink("bob", h, sim.LinkConfig{Delay: 30 * time.Millisecond}))
	}
	z := NewZone(n, 0)
	require.NoError(t, z.Add("biloxi.example.com", Server{Host: "bob", Port: DefaultPort}))
	require.NoError(t, z.Add("atlanta.example.com", Server{Host: "alice", Port: DefaultPort}))
	return &uaTestNet{net: n, rec: rec, zone: z}
}

// ua adds a user agent on host with RFC 3665 3.1's timers: no 100 Trying
// from a UA that rings at once.
func (tn *uaTestNet) ua(t *testing.T, host, aor string, opts UAOptions) *UserAgent {
	t.Helper()
	opts.AOR = uaURI(t, aor)
	if opts.Resolver == nil {
		opts.Resolver = NewResolver(tn.zone, 0)
	}
	ua, err := NewUserAgent(tn.net, Config{Host: host, Timers: transaction.Config{Trying: transaction.TryingNone}}, opts)
	require.NoError(t, err)
	return ua
}

// wire lists "from -> to label" for every datagram sent, by host name.
func (tn *uaTestNet) wire() []string {
	var out []string
	for _, e := range tn.rec.OfKind(sim.KindSend) {
		out = append(out, tn.net.HostByAddr(e.Src.Addr()).Name()+" -> "+tn.net.HostByAddr(e.Dst.Addr()).Name()+" "+e.Label)
	}
	return out
}

// messages parses every datagram sent.
func (tn *uaTestNet) messages(t *testing.T) []sipstack.Message {
	t.Helper()
	var out []sipstack.Message
	for _, e := range tn.rec.OfKind(sim.KindSend) {
		m, err := sipstack.ParseMessage(e.Payload)
		require.NoError(t, err)
		out = append(out, m)
	}
	return out
}

// notes lists the labels of the annotations of host.
func (tn *uaTestNet) notes(host string) []string {
	var out []string
	for _, e := range tn.rec.OfKind(sim.KindAnnotation) {
		if e.Host == host {
			out = append(out, e.Label)
		}
	}
	return out
}

func uaURI(t *testing.T, s string) uri.URI {
	t.Helper()
	u, err := uri.Parse(s)
	require.NoError(t, err)
	return u
}

// uaAssertIdle checks that nothing is left in the UAs: no transaction, no
// timer, no dialog.
func uaAssertIdle(t *testing.T, uas ...*UserAgent) {
	t.Helper()
	for _, ua := range uas {
		assert.Zero(t, ua.Core().Layer().Len(), "%s transactions", ua.Core().Name())
		assert.Zero(t, ua.Core().Pending(), "%s timers", ua.Core().Name())
		assert.Zero(t, ua.ActiveDialogs(), "%s dialogs", ua.Core().Name())
	}
}

// uaFlow reads an RFC 3665 .flow file as "from -> to label" lines, with
// host names in lower case and responses labelled CODE/METHOD.
func uaFlow(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("/work/shared/conformance/rfc3665/" + name)
	if err != nil {
		t.Skipf("conformance ladders not available: %v", err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^F\d+ (\S+) -> (\S+) (\S+).*cseq="\d+ (\w+)"`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		label := m[3]
		if label[0] >= '0' && label[0] <= '9' {
			label += "/" + m[4]
		}
		out = append(out, strings.ToLower(m[1])+" -> "+strings.ToLower(m[2])+" "+label)
	}
	require.NoError(t, sc.Err())
	return out
}

// TestUA3665Section3_1 replays RFC 3665 3.1: Alice calls Bob directly, Bob
// rings for a second, answers, and hangs up five seconds after the ACK.
func TestUA3665Section3_1(t *testing.T) {
	tn := uaNewNet(t, 1, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{DisplayName: "Alice"})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{DisplayName: "Bob",
		Answer: AnswerOptions{RingTime: sim.Constant{V: 1}, HoldTime: sim.Constant{V: 5}}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()

	want := uaFlow(t, "3.1.flow")
	require.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 200/INVITE",
		"alice -> bob ACK", "bob -> alice BYE", "alice -> bob 200/BYE",
	}, want, "the RFC ladder as read")
	assert.Equal(t, want, tn.wire())

	msgs := tn.messages(t)
	inv := msgs[0].(*sipstack.Request)
	assert.Equal(t, "sip:bob@biloxi.example.com", inv.RequestURI.String())
	mf, _ := inv.Header.MaxForwards()
	assert.Equal(t, 70, mf)
	assert.False(t, inv.Header.Has("Route"))
	assert.Equal(t, "application/sdp", inv.Header.ContentType())
	cs := func(m sipstack.Message) string { c, _ := m.Headers().CSeq(); return c.String() }
	toTag := func(m sipstack.Message) string { a, _ := m.Headers().To(); return a.Tag() }
	assert.Equal(t, []string{"1 INVITE", "1 INVITE", "1 INVITE", "1 ACK", "1 BYE", "1 BYE"},
		[]string{cs(msgs[0]), cs(msgs[1]), cs(msgs[2]), cs(msgs[3]), cs(msgs[4]), cs(msgs[5])})
	assert.Empty(t, toTag(msgs[0]))
	assert.NotEmpty(t, toTag(msgs[1]))
	assert.Equal(t, toTag(msgs[1]), toTag(msgs[2]), "180 and 200 carry the same To tag")
	assert.Equal(t, toTag(msgs[1]), toTag(msgs[3]), "the ACK is in the dialog")
	for _, m := range msgs {
		assert.Equal(t, inv.Header.CallID(), m.Headers().CallID())
		vias, err := m.Headers().Vias()
		require.NoError(t, err)
		assert.Len(t, vias, 1)
	}
	ack := msgs[3].(*sipstack.Request)
	assert.Equal(t, "sip:bob@10.0.0.2:5060", ack.RequestURI.String(), "the ACK goes to Bob's Contact (RFC 3665 3.1 F4)")
	invVia, _ := inv.Header.Via()
	ackVia, _ := ack.Header.Via()
	assert.NotEqual(t, invVia.Branch(), ackVia.Branch(), "the ACK of a 2xx is a new transaction")
	bye := msgs[4].(*sipstack.Request)
	assert.Equal(t, "sip:alice@10.0.0.1:5060", bye.RequestURI.String())
	from, _ := bye.Header.From()
	assert.Equal(t, toTag(msgs[1]), from.Tag(), "Bob's BYE is from Bob's tag")
	answer, err := sdp.Parse(msgs[2].Content())
	require.NoError(t, err)
	assert.Len(t, answer.Media, 1)

	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Equal(t, 200, call.Status())
	tm := call.Times()
	assert.Equal(t, sim.Time(0), tm.Invite)
	assert.Equal(t, sim.Time(20*time.Millisecond), tm.Provisional)
	assert.Equal(t, sim.Time(1020*time.Millisecond), tm.Answer)
	assert.Equal(t, tm.Answer, tm.Ack)
	assert.Equal(t, sim.Time(6040*time.Millisecond), tm.Bye, "Bob hangs up 5 s after the ACK reaches him (6.03 s); Alice receives the BYE 10 ms later")
	assert.Equal(t, UATimeUnset, tm.Trying)
	require.Len(t, bob.Calls(), 1)
	in := bob.Calls()[0]
	assert.True(t, in.Incoming())
	assert.Equal(t, CallCompleted, in.Outcome())
	assert.Equal(t, sim.Time(1030*time.Millisecond), in.Times().Ack)
	assert.Len(t, call.Streams(), 1)
	assert.Contains(t, tn.notes("alice"), "call-placed")
	assert.Contains(t, tn.notes("bob"), "answered")
	uaAssertIdle(t, alice, bob)
}

// TestUABusy: Bob is busy, the 486 is acknowledged by the transaction
// (RFC 3665 3.9 between the UAs).
func TestUABusy(t *testing.T) {
	tn := uaNewNet(t, 2, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{Busy: 1}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{"alice -> bob INVITE", "bob -> alice 486/INVITE", "alice -> bob ACK"}, tn.wire())
	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 486, call.Status())
	assert.Equal(t, CallFailed, bob.Calls()[0].Outcome())
	assert.Equal(t, 486, bob.Calls()[0].Status())
	msgs := tn.messages(t)
	invVia, _ := msgs[0].Headers().Via()
	ackVia, _ := msgs[2].Headers().Via()
	assert.Equal(t, invVia.Branch(), ackVia.Branch(), "the ACK of a non-2xx is part of the INVITE transaction")
	uaAssertIdle(t, alice, bob)
}

// TestUANoAnswerCancel: Bob never answers; Alice cancels after 3 s (RFC
// 3665 3.8 between the UAs).
func TestUANoAnswerCancel(t *testing.T) {
	tn := uaNewNet(t, 3, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{NoAnswer: 1}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{NoAnswerTimeout: 3 * time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 180/INVITE",
		"alice -> bob CANCEL", "bob -> alice 200/CANCEL", "bob -> alice 487/INVITE", "alice -> bob ACK",
	}, tn.wire())
	msgs := tn.messages(t)
	inv, cancel := msgs[0].(*sipstack.Request), msgs[2].(*sipstack.Request)
	iv, _ := inv.Header.Via()
	cv, _ := cancel.Header.Via()
	assert.Equal(t, iv.Branch(), cv.Branch(), "RFC 3261 9.1: the CANCEL has the INVITE's Via")
	cs, _ := cancel.Header.CSeq()
	assert.Equal(t, sipstack.CSeq{Seq: 1, Method: "CANCEL"}, cs)
	assert.Equal(t, CallCancelled, call.Outcome())
	assert.Equal(t, 487, call.Status())
	assert.Equal(t, sim.Time(3*time.Second+20*time.Millisecond), call.Times().End)
	assert.Equal(t, CallCancelled, bob.Calls()[0].Outcome())
	assert.Contains(t, tn.notes("alice"), "no-answer")
	uaAssertIdle(t, alice, bob)
}

// TestUACancelWaitsForProvisional: a CANCEL is not sent before a
// provisional response (RFC 3261 9.1); the INVITE then times out.
func TestUACancelWaitsForProvisional(t *testing.T) {
	tn := uaNewNet(t, 4, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	tn.net.AddDropFilter(func(p *sim.Packet) bool { return p.Label == "INVITE" })
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{NoAnswerTimeout: time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	for _, w := range tn.wire() {
		assert.Equal(t, "alice -> bob INVITE", w)
	}
	assert.Len(t, tn.wire(), 7, "Timer A retransmissions until Timer B")
	assert.Equal(t, CallTimedOut, call.Outcome())
	assert.Equal(t, sim.Time(32*time.Second), call.Times().End)
	uaAssertIdle(t, alice)
}

// TestUAReinviteVideo: Alice adds video one second into the call, the
// seed's "add videoconferencing"; a video user accepts it and an
// audio-only user rejects it with port 0.
func TestUAReinviteVideo(t *testing.T) {
	audio := sdp.MediaCapability{Type: "audio", Port: 49170, Codecs: []sdp.Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}
	video := sdp.MediaCapability{Type: "video", Port: 51372, Codecs: []sdp.Codec{{PayloadType: 31, Name: "H261", ClockRate: 90000}}}
	for _, tc := range []struct {
		name      string
		bobMedia  []sdp.MediaCapability
		videoPort bool
		active    int
	}{
		{"video user", []sdp.MediaCapability{audio, video}, true, 2},
		{"audio-only user", []sdp.MediaCapability{audio}, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := uaNewNet(t, 5, 0)
			alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{
				Media: sdp.Capabilities{Media: []sdp.MediaCapability{audio, video}}})
			bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{
				Media: sdp.Capabilities{Media: tc.bobMedia}})
			call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{
				HoldTime: sim.Constant{V: 5}, AddVideoAfter: time.Second})
			require.NoError(t, err)
			tn.net.Sim().Run()
			assert.Equal(t, []string{
				"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 200/INVITE", "alice -> bob ACK",
				"alice -> bob INVITE", "bob -> alice 200/INVITE", "alice -> bob ACK",
				"alice -> bob BYE", "bob -> alice 200/BYE",
			}, tn.wire())
			msgs := tn.messages(t)
			first, err := sdp.Parse(msgs[0].Content())
			require.NoError(t, err)
			assert.Len(t, first.Media, 1, "the first offer is audio only")
			reinv := msgs[4].(*sipstack.Request)
			cs, _ := reinv.Header.CSeq()
			assert.Equal(t, uint32(2), cs.Seq)
			to, _ := reinv.Header.To()
			assert.NotEmpty(t, to.Tag(), "the re-INVITE is in the dialog")
			offer, err := sdp.Parse(reinv.Body)
			require.NoError(t, err)
			require.Len(t, offer.Media, 2, "the re-offer has two m-lines")
			assert.Equal(t, first.Origin.SessionVersion+1, offer.Origin.SessionVersion)
			answer, err := sdp.Parse(msgs[5].Content())
			require.NoError(t, err)
			require.Len(t, answer.Media, 2)
			assert.Equal(t, tc.videoPort, answer.Media[1].Port != 0)
			ackCS, _ := msgs[6].Headers().CSeq()
			assert.Equal(t, sipstack.CSeq{Seq: 2, Method: "ACK"}, ackCS)
			active := 0
			for _, s := range call.Streams() {
				if s.Active {
					active++
				}
			}
			assert.Equal(t, tc.active, active)
			assert.Equal(t, CallCompleted, call.Outcome())
			uaAssertIdle(t, alice, bob)
		})
	}
}

// TestUARemoveVideoAndInfo: a video call, then an INFO, then video removed.
func TestUARemoveVideoAndInfo(t *testing.T) {
	audio := sdp.MediaCapability{Type: "audio", Port: 49170, Codecs: []sdp.Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}
	video := sdp.MediaCapability{Type: "video", Port: 51372, Codecs: []sdp.Codec{{PayloadType: 31, Name: "H261", ClockRate: 90000}}}
	caps := sdp.Capabilities{Media: []sdp.MediaCapability{audio, video}}
	tn := uaNewNet(t, 6, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{Media: caps})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Media: caps})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{Video: true,
		HoldTime: sim.Constant{V: 5}, InfoAfter: time.Second, RemoveVideoAfter: 2 * time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 200/INVITE", "alice -> bob ACK",
		"alice -> bob INFO", "bob -> alice 200/INFO",
		"alice -> bob INVITE", "bob -> alice 200/INVITE", "alice -> bob ACK",
		"alice -> bob BYE", "bob -> alice 200/BYE",
	}, tn.wire())
	msgs := tn.messages(t)
	offer, err := sdp.Parse(msgs[6].Content())
	require.NoError(t, err)
	require.Len(t, offer.Media, 2)
	assert.Zero(t, offer.Media[1].Port, "video disabled with port 0")
	active := 0
	for _, s := range call.Streams() {
		if s.Active {
			active++
		}
	}
	assert.Equal(t, 1, active)
	uaAssertIdle(t, alice, bob)
}

// TestUAOptions: OPTIONS is answered 200 with Allow, Accept, Supported and
// the capabilities in SDP (RFC 3261 11.2).
func TestUAOptions(t *testing.T) {
	tn := uaNewNet(t, 7, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{})
	var got *sipstack.Response
	alice.Options(uaURI(t, "sip:bob@biloxi.example.com"), func(r *sipstack.Response) { got = r })
	tn.net.Sim().Run()
	assert.Equal(t, []string{"alice -> bob OPTIONS", "bob -> alice 200/OPTIONS"}, tn.wire())
	require.NotNil(t, got)
	assert.Equal(t, 200, got.StatusCode)
	assert.Equal(t, []string{"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO"}, got.Header.Allow())
	assert.Equal(t, "application/sdp", got.Header.Get("Accept"))
	assert.True(t, got.Header.Has("Supported"))
	caps, err := sdp.Parse(got.Body)
	require.NoError(t, err)
	assert.Equal(t, "audio", caps.Media[0].Type)
	assert.Empty(t, bob.Calls(), "OPTIONS is not a call")
	uaAssertIdle(t, alice, bob)
}

// TestUARedirect: Bob declines and redirects to Carol (302 with Contact,
// the seed's "redirected to voice mail"); Alice's UA tries the Contact
// itself with a new CSeq and the same Call-ID (RFC 3261 8.1.3.4).
func TestUARedirect(t *testing.T) {
	tn := uaNewNet(t, 8, 0, "carol")
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{
		Decline: 1, RingTime: sim.Constant{V: 2}, RedirectTo: uaURI(t, "sip:voicemail@10.0.0.3")}})
	carol := tn.ua(t, "carol", "sip:voicemail@10.0.0.3", UAOptions{Answer: AnswerOptions{HoldTime: sim.Constant{V: 3}}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 302/INVITE", "alice -> bob ACK",
		"alice -> carol INVITE", "carol -> alice 180/INVITE", "carol -> alice 200/INVITE", "alice -> carol ACK",
		"carol -> alice BYE", "alice -> carol 200/BYE",
	}, tn.wire())
	msgs := tn.messages(t)
	second := msgs[4].(*sipstack.Request)
	assert.Equal(t, "sip:voicemail@10.0.0.3", second.RequestURI.String())
	assert.Equal(t, msgs[0].Headers().CallID(), second.Header.CallID())
	cs, _ := second.Header.CSeq()
	assert.Equal(t, uint32(2), cs.Seq)
	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Equal(t, "sip:voicemail@10.0.0.3", call.Target().String())
	assert.Equal(t, CallRedirected, bob.Calls()[0].Outcome())
	assert.Equal(t, 302, bob.Calls()[0].Status())
	assert.Equal(t, "sip:voicemail@10.0.0.3", bob.Calls()[0].RedirectedTo().String())
	assert.Contains(t, tn.notes("alice"), "redirected")
	uaAssertIdle(t, alice, bob, carol)
}

// uaTestHandler is a Handler of funcs, for the fake elements of these tests.
type uaTestHandler struct {
	request  func(tx transaction.ID, req *sipstack.Request, src transaction.Destination)
	response func(tx transaction.ID, resp *sipstack.Response)
}

func (h *uaTestHandler) Request(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	if h.request != nil {
		h.request(tx, req, src)
	}
}

func (h *uaTestHandler) Response(tx transaction.ID, resp *sipstack.Response) {
	if h.response != nil {
		h.response(tx, resp)
	}
}

func (h *uaTestHandler) Failed(transaction.ID, transaction.Timer) {}

// uaMD5 is an independent RFC 2617 digest for the fake registrar.
func uaMD5(parts ...string) string {
	s := md5.Sum([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(s[:])
}

// TestUARegisterDigest: the first REGISTER is challenged (401), the UA
// retries with Authorization, a higher CSeq and the same Call-ID (RFC 3261
// 22.2, RFC 3665 2.1), and refreshes at half the granted expiry.
func TestUARegisterDigest(t *testing.T) {
	tn := uaNewNet(t, 9, 0)
	const realm, nonce, password = "biloxi.example.com", "ea9c8e88df84f1cec4341ae6cbe5a359", "zanzibar"
	var reg *Core
	var verified int
	reg, err := NewCore(tn.net, Config{Host: "bob", Timers: transaction.Config{Trying: transaction.TryingNone}}, &uaTestHandler{request: func(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
		creds, err := req.Header.Authorization()
		require.NoError(t, err)
		if len(creds) == 0 {
			resp, err := dialog.NewUASResponse(req, 401, reg.IDs().Tag())
			require.NoError(t, err)
			resp.Header.Add("WWW-Authenticate", `Digest realm="`+realm+`", qop="auth", nonce="`+nonce+`", opaque="", stale=FALSE, algorithm=MD5`)
			require.NoError(t, reg.Respond(tx, resp))
			return
		}
		c := creds[0]
		ha1 := uaMD5(c.Username(), realm, password)
		ha2 := uaMD5(req.Method, c.URI())
		assert.Equal(t, uaMD5(ha1, nonce, c.NC(), c.CNonce(), c.QOP(), ha2), c.Response())
		assert.Equal(t, "auth", c.QOP())
		assert.Equal(t, req.RequestURI.String(), c.URI())
		verified++
		resp, err := dialog.NewUASResponse(req, 200, reg.IDs().Tag())
		require.NoError(t, err)
		if exp, _ := req.Header.Expires(); exp > 0 {
			cts, _ := req.Header.Contacts()
			resp.Header.Add("Contact", cts[0].Address.String()+";expires=60")
		}
		require.NoError(t, reg.Respond(tx, resp))
	}})
	require.NoError(t, err)
	alice := tn.ua(t, "alice", "sip:bob@biloxi.example.com", UAOptions{
		Credentials: []DigestCredentials{{Realm: realm, Username: "bob", Password: password}},
		Register:    RegisterOptions{Registrar: uaURI(t, "sip:biloxi.example.com"), Refresh: true},
	})
	tn.net.Sim().RunUntil(sim.Time(45 * time.Second))
	assert.Equal(t, []string{
		"alice -> bob REGISTER", "bob -> alice 401/REGISTER", "alice -> bob REGISTER", "bob -> alice 200/REGISTER",
		"alice -> bob REGISTER", "bob -> alice 401/REGISTER", "alice -> bob REGISTER", "bob -> alice 200/REGISTER",
	}, tn.wire())
	st := alice.Registration()
	assert.True(t, st.Registered)
	// The first 200 arrives at 40 ms, the refresh leaves 30 s later and its
	// 200 arrives at 30.08 s, granting 60 s more.
	assert.Equal(t, sim.Time(30*time.Second+80*time.Millisecond+60*time.Second), st.Expires)
	require.NoError(t, alice.Unregister())
	tn.net.Sim().Run()
	assert.False(t, alice.Registration().Registered)
	assert.Equal(t, 3, verified)
	msgs := tn.messages(t)
	var seqs []uint32
	for i, m := range msgs {
		req, ok := m.(*sipstack.Request)
		if !ok {
			continue
		}
		cs, _ := req.Header.CSeq()
		seqs = append(seqs, cs.Seq)
		assert.Equal(t, msgs[0].Headers().CallID(), req.Header.CallID(), "message %d", i)
	}
	assert.Equal(t, []uint32{1, 2, 3, 4, 5, 6}, seqs)
	assert.Equal(t, "0", msgs[len(msgs)-2].Headers().Get("Expires"))
	uaAssertIdle(t, alice)
	assert.Zero(t, reg.Layer().Len())
}

// TestUAInviteProxyAuth: a 407 to the INVITE is acknowledged by the
// transaction, and the INVITE is sent again with Proxy-Authorization, CSeq
// 2 and the same Call-ID (RFC 3665 3.2 F1-F4). The fake proxy here
// answers the call itself.
func TestUAInviteProxyAuth(t *testing.T) {
	tn := uaNewNet(t, 10, 0)
	var px *Core
	px, err := NewCore(tn.net, Config{Host: "bob", Timers: transaction.Config{Trying: transaction.TryingNone}}, &uaTestHandler{request: func(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
		if req.Method != sipstack.INVITE {
			if req.Method == sipstack.BYE {
				resp, _ := dialog.NewUASResponse(req, 200, "")
				require.NoError(t, px.Respond(tx, resp))
			}
			return
		}
		creds, _ := req.Header.ProxyAuthorization()
		if len(creds) == 0 {
			resp, _ := dialog.NewUASResponse(req, 407, px.IDs().Tag())
			resp.Header.Add("Proxy-Authenticate", `Digest realm="atlanta.example.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5`)
			require.NoError(t, px.Respond(tx, resp))
			return
		}
		c := creds[0]
		assert.Equal(t, uaMD5(uaMD5("alice", "atlanta.example.com", "secret"), c.Nonce(), uaMD5("INVITE", c.URI())), c.Response())
		assert.Empty(t, c.QOP())
		resp, _ := dialog.NewUASResponse(req, 486, px.IDs().Tag())
		require.NoError(t, px.Respond(tx, resp))
	}})
	require.NoError(t, err)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{
		OutboundProxy: uaURI(t, "sip:ss1.atlanta.example.com@10.0.0.2"), PreloadRoute: true,
		Credentials: []DigestCredentials{{Username: "alice", Password: "secret"}}})
	call, err := alice.Call(uaURI(t, "sip:carol@chicago.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 407/INVITE", "alice -> bob ACK",
		"alice -> bob INVITE", "bob -> alice 486/INVITE", "alice -> bob ACK",
	}, tn.wire())
	msgs := tn.messages(t)
	first, second := msgs[0].(*sipstack.Request), msgs[3].(*sipstack.Request)
	assert.Equal(t, "sip:carol@chicago.example.com", first.RequestURI.String())
	assert.Equal(t, "<sip:ss1.atlanta.example.com@10.0.0.2;lr>", first.Header.Get("Route"), "pre-loaded Route (RFC 3665 3.2 F1)")
	assert.False(t, first.Header.Has("Proxy-Authorization"))
	assert.True(t, second.Header.Has("Proxy-Authorization"))
	assert.Equal(t, first.Header.CallID(), second.Header.CallID())
	f1, _ := first.Header.From()
	f2, _ := second.Header.From()
	assert.Equal(t, f1.Tag(), f2.Tag())
	cs, _ := second.Header.CSeq()
	assert.Equal(t, uint32(2), cs.Seq)
	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 486, call.Status())
	uaAssertIdle(t, alice)
}

// TestUAForkedSecond2xx: two 2xx with different To tags (two forks); both
// are acknowledged, the second dialog gets a BYE (RFC 3261 13.2.2.4), and
// a retransmission of the first 2xx is acknowledged again.
func TestUAForkedSecond2xx(t *testing.T) {
	tn := uaNewNet(t, 11, 0)
	var fk *Core
	fk, err := NewCore(tn.net, Config{Host: "bob", Timers: transaction.Config{Trying: transaction.TryingNone}}, &uaTestHandler{request: func(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
		switch req.Method {
		case sipstack.INVITE:
			for i, tag := range []string{"fork1", "fork2"} {
				resp, _ := dialog.NewUASResponse(req, 200, tag)
				resp.Header.Add("Contact", "<sip:bob@10.0.0.2>")
				if i == 0 {
					require.NoError(t, fk.Respond(tx, resp))
					fk.SendDirect(resp, src) // a retransmission of the first
				} else {
					fk.SendDirect(resp, src)
				}
			}
		case sipstack.BYE:
			resp, _ := dialog.NewUASResponse(req, 200, "")
			require.NoError(t, fk.Respond(tx, resp))
		}
	}})
	require.NoError(t, err)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{HoldTime: sim.Constant{V: 2}})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 200/INVITE", "bob -> alice 200/INVITE", "bob -> alice 200/INVITE",
		"alice -> bob ACK", "alice -> bob ACK", "alice -> bob ACK", "alice -> bob BYE", "bob -> alice 200/BYE",
		"alice -> bob BYE", "bob -> alice 200/BYE",
	}, tn.wire())
	msgs := tn.messages(t)
	toTag := func(m sipstack.Message) string { a, _ := m.Headers().To(); return a.Tag() }
	assert.Equal(t, []string{"fork1", "fork1", "fork2", "fork2", "fork1"},
		[]string{toTag(msgs[4]), toTag(msgs[5]), toTag(msgs[6]), toTag(msgs[7]), toTag(msgs[9])})
	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Contains(t, tn.notes("alice"), "fork-bye")
	uaAssertIdle(t, alice)
}

// TestUAInDialogChecks: a BYE for no dialog gets 481, and a request whose
// CSeq is not above the remote sequence number gets 500 (RFC 3261 12.2.2).
func TestUAInDialogChecks(t *testing.T) {
	tn := uaNewNet(t, 12, 0)
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{})
	var codes []int
	var c *Core
	c, err := NewCore(tn.net, Config{Host: "alice"}, &uaTestHandler{response: func(_ transaction.ID, resp *sipstack.Response) {
		if cs, _ := resp.Header.CSeq(); resp.StatusCode >= 200 && cs.Method != sipstack.INVITE {
			codes = append(codes, resp.StatusCode)
		}
	}})
	require.NoError(t, err)
	bobURI := uaURI(t, "sip:bob@10.0.0.2")
	dest := transaction.Destination{Addr: netip.MustParseAddrPort("10.0.0.2:5060")}
	build := func(method, toTag, callID string, seq uint32) *sipstack.Request {
		req := sipstack.NewRequest(method, bobURI)
		req.Header.PrependVia(c.Via(transaction.UDP))
		req.Header.Add("Max-Forwards", "70")
		req.Header.Add("To", "<sip:bob@biloxi.example.com>"+toTag)
		req.Header.Add("From", "<sip:alice@atlanta.example.com>;tag=a1")
		req.Header.Add("Call-ID", callID)
		req.Header.Add("CSeq", sipstack.CSeq{Seq: seq, Method: method}.String())
		req.Header.Add("Contact", "<sip:alice@10.0.0.1>")
		return req
	}
	_, err = c.SendRequest(build("BYE", ";tag=nosuch", "x1", 5), dest)
	require.NoError(t, err)
	// A real dialog: INVITE answered at once, then an INFO with an old CSeq.
	var toTag string
	inv := build("INVITE", "", "x2", 10)
	_, err = c.SendRequest(inv, dest)
	require.NoError(t, err)
	tn.net.Sim().RunUntil(sim.Time(100 * time.Millisecond))
	require.Len(t, bob.Calls(), 1)
	toTag = bob.Calls()[0].localTag
	_, err = c.SendRequest(build("INFO", ";tag="+toTag, "x2", 9), dest)
	require.NoError(t, err)
	_, err = c.SendRequest(build("INFO", ";tag="+toTag, "x2", 11), dest)
	require.NoError(t, err)
	tn.net.Sim().RunUntil(sim.Time(40 * time.Second))
	assert.Equal(t, []int{481, 500, 200}, codes)
	assert.Contains(t, tn.notes("bob"), "no-ack", "the 2xx was never acknowledged")
	// RFC 3261 13.3.1.4: no ACK within 64*T1, so Bob sends a BYE, which
	// the fake caller never answers.
	tn.net.Sim().Run()
	assert.Equal(t, CallTimedOut, bob.Calls()[0].Outcome())
	assert.Equal(t, "alice BYE", func() string {
		var last string
		for _, w := range tn.wire() {
			if strings.HasPrefix(w, "bob -> alice BYE") {
				last = "alice BYE"
			}
		}
		return last
	}())
	uaAssertIdle(t, bob)
}

// TestUALoss: twenty calls over a link that loses 20% of datagrams each
// way. Every call ends, completed or by a timeout only (RFC 3261
// 17.1.1.2, 13.3.1.4, 15.1.1), and both UAs are left with no transaction,
// timer or dialog.
func TestUALoss(t *testing.T) {
	for _, seed := range []uint64{21, 22, 23} {
		tn := uaNewNet(t, seed, 0.2)
		alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{
			Call: CallOptions{HoldTime: sim.Exponential{Mu: 3}}})
		bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{
			Answer: AnswerOptions{RingTime: sim.Uniform{Min: 0.5, Max: 2}, Busy: 0.1}})
		s := tn.net.Sim()
		for i := range 20 {
			s.At(sim.Time(time.Duration(i)*90*time.Second), func() {
				_, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
				require.NoError(t, err)
			})
		}
		s.Run()
		counts := map[CallOutcome]int{}
		for _, c := range alice.Calls() {
			assert.True(t, c.Ended(), "seed %d call %s", seed, c.CallID())
			counts[c.Outcome()]++
			switch c.Outcome() {
			case CallCompleted:
				assert.Equal(t, 200, c.Status())
				assert.NotEqual(t, UATimeUnset, c.Times().Ack)
			case CallFailed:
				assert.Equal(t, 486, c.Status())
			case CallTimedOut:
			default:
				t.Errorf("seed %d: call %s ended %v", seed, c.CallID(), c.Outcome())
			}
		}
		assert.Len(t, alice.Calls(), 20)
		assert.Positive(t, counts[CallCompleted], "seed %d: %v", seed, counts)
		t.Logf("seed %d: %v, %d drops", seed, counts, len(tn.rec.OfKind(sim.KindDrop)))
		for _, c := range bob.Calls() {
			assert.True(t, c.Ended(), "seed %d bob call %s %v", seed, c.CallID(), c.Outcome())
		}
		assert.NotEmpty(t, tn.rec.OfKind(sim.KindDrop))
		uaAssertIdle(t, alice, bob)
	}
}

// TestUADeterministic: the same seed gives the same bytes on the wire.
func TestUADeterministic(t *testing.T) {
	run := func() []string {
		tn := uaNewNet(t, 99, 0.2)
		alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
		tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{RingTime: sim.Exponential{Mu: 1}, HoldTime: sim.Constant{V: 2}}})
		_, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
		require.NoError(t, err)
		tn.net.Sim().Run()
		var out []string
		for _, e := range tn.rec.Events {
			out = append(out, e.Time.String()+" "+e.Kind.String()+" "+string(e.Payload))
		}
		return out
	}
	assert.Equal(t, run(), run())
}

// TestUAOptionsValidation: bad options are refused with an error.
func TestUAOptionsValidation(t *testing.T) {
	tn := uaNewNet(t, 1, 0)
	_, err := NewUserAgent(tn.net, Config{Host: "alice"}, UAOptions{})
	assert.ErrorIs(t, err, ErrUANoAOR)
	_, err = NewUserAgent(tn.net, Config{Host: "alice"}, UAOptions{AOR: uaURI(t, "sip:a@b"), Answer: AnswerOptions{Busy: 0.7, Decline: 0.7}})
	assert.ErrorIs(t, err, ErrUAOptions)
	_, err = NewUserAgent(tn.net, Config{Host: "nosuch"}, UAOptions{AOR: uaURI(t, "sip:a@b")})
	assert.ErrorIs(t, err, ErrNoHost)
}

// TestUADigestRFC2617: the digest of RFC 2617 3.5's example.
func TestUADigestRFC2617(t *testing.T) {
	ch := sipstack.Challenge{Scheme: "Digest", Params: `realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`}
	c := uaDigest("GET", "/dir/index.html", ch, DigestCredentials{Username: "Mufasa", Password: "Circle Of Life"}, "0a4f113b")
	assert.Equal(t, "6629fae49393a05397450978507c4ef1", c.Response())
	assert.Equal(t, "auth", c.QOP())
	assert.Equal(t, "00000001", c.NC())
	assert.Equal(t, "5ccc069c403ebaf9f0171e9517f40e41", c.Opaque())
}

// TestUAInviteExpires: the INVITE's Expires elapses with no answer and the
// callee answers 487 (RFC 3261 13.3.1).
func TestUAInviteExpires(t *testing.T) {
	tn := uaNewNet(t, 13, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{NoAnswer: 1}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{Expires: 2 * time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 487/INVITE", "alice -> bob ACK"}, tn.wire())
	assert.Equal(t, "2", tn.messages(t)[0].Headers().Get("Expires"))
	assert.Equal(t, 487, call.Status())
	assert.Equal(t, CallCancelled, bob.Calls()[0].Outcome())
	assert.Equal(t, sim.Time(2*time.Second+10*time.Millisecond), bob.Calls()[0].Times().Final)
	assert.Contains(t, tn.notes("bob"), "invite-expired")
	uaAssertIdle(t, alice, bob)
}

// TestUANoAnswerRedirect: Bob rings for NoAnswerTime, then redirects to
// voicemail (302); Alice follows.
func TestUANoAnswerRedirect(t *testing.T) {
	tn := uaNewNet(t, 14, 0, "vm")
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{Call: CallOptions{HoldTime: sim.Constant{V: 1}}})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{
		NoAnswer: 1, NoAnswerTime: 4 * time.Second, RedirectTo: uaURI(t, "sip:vm@10.0.0.3")}})
	vm := tn.ua(t, "vm", "sip:vm@10.0.0.3", UAOptions{})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 302/INVITE", "alice -> bob ACK",
		"alice -> vm INVITE", "vm -> alice 180/INVITE", "vm -> alice 200/INVITE", "alice -> vm ACK",
		"alice -> vm BYE", "vm -> alice 200/BYE",
	}, tn.wire())
	assert.Equal(t, sim.Time(4*time.Second+20*time.Millisecond), call.Times().Final)
	assert.Equal(t, CallRedirected, bob.Calls()[0].Outcome())
	assert.Equal(t, CallCompleted, call.Outcome())
	uaAssertIdle(t, alice, bob, vm)
}

// TestUARedirectQOrder: a 302 with two Contacts; the UAC tries the higher
// q first and the other when that one fails (RFC 3261 8.1.3.4).
func TestUARedirectQOrder(t *testing.T) {
	tn := uaNewNet(t, 15, 0, "carol")
	var rs *Core
	rs, err := NewCore(tn.net, Config{Host: "bob", Timers: transaction.Config{Trying: transaction.TryingNone}}, &uaTestHandler{request: func(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
		var code int
		switch req.RequestURI.User {
		case "bob":
			code = 302
		case "low":
			code = 480
		default:
			return
		}
		resp, _ := dialog.NewUASResponse(req, code, rs.IDs().Tag())
		if code == 302 {
			resp.Header.Add("Contact", "<sip:low@10.0.0.2>;q=0.5, <sip:carol@10.0.0.3>;q=1.0")
		}
		require.NoError(t, rs.Respond(tx, resp))
	}})
	require.NoError(t, err)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	carol := tn.ua(t, "carol", "sip:carol@10.0.0.3", UAOptions{Answer: AnswerOptions{Busy: 1}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE", "bob -> alice 302/INVITE", "alice -> bob ACK",
		"alice -> carol INVITE", "carol -> alice 486/INVITE", "alice -> carol ACK",
		"alice -> bob INVITE", "bob -> alice 480/INVITE", "alice -> bob ACK",
	}, tn.wire())
	msgs := tn.messages(t)
	var seqs []uint32
	for _, i := range []int{0, 3, 6} {
		cs, _ := msgs[i].Headers().CSeq()
		seqs = append(seqs, cs.Seq)
	}
	assert.Equal(t, []uint32{1, 2, 3}, seqs)
	assert.Equal(t, "sip:low@10.0.0.2", msgs[6].(*sipstack.Request).RequestURI.String())
	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 480, call.Status(), "the last final response")
	uaAssertIdle(t, alice, carol)
}

// TestUACancelAbandon: every 487 is lost; 64*T1 after the CANCEL the UAC
// abandons the INVITE transaction and the call ends as cancelled.
func TestUACancelAbandon(t *testing.T) {
	tn := uaNewNet(t, 16, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{NoAnswer: 1}})
	tn.net.AddDropFilter(func(p *sim.Packet) bool { return p.Label == "487/INVITE" })
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{NoAnswerTimeout: time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, CallCancelled, call.Outcome())
	assert.Zero(t, call.Status(), "no final response came")
	assert.Equal(t, sim.Time(time.Second+32*time.Second), call.Times().End)
	assert.Contains(t, tn.notes("alice"), "cancel-timeout")
	uaAssertIdle(t, alice, bob)
}

// TestUAOutboundProxyNoRoute: with an outbound proxy and no pre-loaded
// Route, the INVITE goes to the proxy's address with the callee's
// Request-URI and no Route (RFC 3665 3.4).
func TestUAOutboundProxyNoRoute(t *testing.T) {
	tn := uaNewNet(t, 17, 0, "proxy")
	var got *sipstack.Request
	_, err := NewCore(tn.net, Config{Host: "proxy"}, &uaTestHandler{request: func(_ transaction.ID, req *sipstack.Request, _ transaction.Destination) {
		got = req
	}})
	require.NoError(t, err)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{OutboundProxy: uaURI(t, "sip:10.0.0.3")})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{NoAnswerTimeout: time.Second})
	require.NoError(t, err)
	tn.net.Sim().Run()
	require.NotNil(t, got)
	assert.Equal(t, "sip:bob@biloxi.example.com", got.RequestURI.String())
	assert.False(t, got.Header.Has("Route"))
	assert.Equal(t, "alice -> proxy INVITE", tn.wire()[0])
	assert.Equal(t, "proxy -> alice 100/INVITE", tn.wire()[1])
	assert.Equal(t, "alice -> proxy CANCEL", tn.wire()[2], "the 100 allows the CANCEL (RFC 3261 9.1)")
	// The fake proxy answers nothing else, so the INVITE is abandoned
	// 64*T1 after the CANCEL.
	assert.Equal(t, CallCancelled, call.Outcome())
	assert.Equal(t, sim.Time(33*time.Second), call.Times().End)
	uaAssertIdle(t, alice)
}

// TestUADeclineAndNotAcceptable: 603 after ringing; 488 when no offered
// stream fits the callee's capabilities (RFC 3261 13.3.1.3).
func TestUADeclineAndNotAcceptable(t *testing.T) {
	video := sdp.MediaCapability{Type: "video", Port: 51372, Codecs: []sdp.Codec{{PayloadType: 31, Name: "H261", ClockRate: 90000}}}
	for _, tc := range []struct {
		name   string
		bob    UAOptions
		wire   []string
		status int
	}{
		{"decline", UAOptions{Answer: AnswerOptions{Decline: 1, RingTime: sim.Constant{V: 1}}},
			[]string{"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 603/INVITE", "alice -> bob ACK"}, 603},
		{"video only", UAOptions{Media: sdp.Capabilities{Media: []sdp.MediaCapability{video}}},
			[]string{"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 488/INVITE", "alice -> bob ACK"}, 488},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := uaNewNet(t, 18, 0)
			alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
			bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", tc.bob)
			call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
			require.NoError(t, err)
			tn.net.Sim().Run()
			assert.Equal(t, tc.wire, tn.wire())
			assert.Equal(t, CallFailed, call.Outcome())
			assert.Equal(t, tc.status, call.Status())
			assert.Equal(t, tc.status, bob.Calls()[0].Status())
			uaAssertIdle(t, alice, bob)
		})
	}
}

// TestUAFailover: the domain's first server is down; after Timer B the
// INVITE goes to the next one (RFC 3263 4.3; RFC 3665 3.4 with the UA
// doing the failover), and the resolver's delay comes first.
func TestUAFailover(t *testing.T) {
	tn := uaNewNet(t, 19, 0, "dead")
	require.NoError(t, tn.net.HostDown("dead", 0, sim.MaxTime))
	require.NoError(t, tn.zone.Add("multi.example.com", Server{Host: "dead", Priority: 0}, Server{Host: "bob", Priority: 1}))
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{Resolver: NewResolver(tn.zone, 50*time.Millisecond)})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{HoldTime: sim.Constant{V: 1}}})
	call, err := alice.Call(uaURI(t, "sip:bob@multi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	w := tn.wire()
	require.Len(t, w, 13)
	for _, x := range w[:7] {
		assert.Equal(t, "alice -> dead INVITE", x)
	}
	assert.Equal(t, []string{"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 200/INVITE",
		"alice -> bob ACK", "bob -> alice BYE", "alice -> bob 200/BYE"}, w[7:])
	sends := tn.rec.OfKind(sim.KindSend)
	assert.Equal(t, sim.Time(50*time.Millisecond), sends[0].Time, "the lookup takes 50 ms")
	assert.Equal(t, sim.Time(50*time.Millisecond+32*time.Second), sends[7].Time, "Timer B, then the next server")
	assert.Equal(t, CallCompleted, call.Outcome())
	assert.Contains(t, tn.notes("alice"), "failover")
	uaAssertIdle(t, alice, bob)
}

// TestUAUnresolvable: a Request-URI that resolves nowhere fails the call
// with a transport error and sends nothing.
func TestUAUnresolvable(t *testing.T) {
	tn := uaNewNet(t, 20, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	call, err := alice.Call(uaURI(t, "sip:x@nowhere.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Empty(t, tn.wire())
	assert.Equal(t, CallTransportError, call.Outcome())
	assert.Equal(t, 503, call.Status())
	assert.Contains(t, tn.notes("alice"), "resolve-failed")
	_, err = alice.Call(uri.URI{}, CallOptions{})
	assert.ErrorIs(t, err, ErrUAOptions)
	uaAssertIdle(t, alice)
}

// TestUAHangupAPI: Hangup of an answered call sends BYE; of a ringing one,
// CANCEL; of an ended one, an error.
func TestUAHangupAPI(t *testing.T) {
	tn := uaNewNet(t, 24, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{RingTime: sim.Constant{V: 2}}})
	answered, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	ringing, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	s := tn.net.Sim()
	s.At(sim.Time(time.Second), func() { assert.NoError(t, ringing.Hangup()) })
	s.At(sim.Time(5*time.Second), func() {
		assert.NoError(t, answered.Hangup())
		assert.ErrorIs(t, answered.Hangup(), ErrUACallState, "a BYE is on its way already")
		assert.NoError(t, bob.Calls()[0].SendInfo("text/plain", nil), "the callee may send INFO too")
	})
	s.Run()
	assert.Equal(t, CallCompleted, answered.Outcome())
	assert.Equal(t, CallCancelled, ringing.Outcome())
	assert.ErrorIs(t, ringing.Hangup(), ErrUACallState)
	assert.ErrorIs(t, answered.AddVideo(), ErrUANoVideo)
	assert.ErrorIs(t, answered.RemoveVideo(), ErrUACallState)
	uaAssertIdle(t, alice, bob)
}

// TestUAUnsupportedAndStrayCancel: an unknown method gets 405 with Allow
// (RFC 3261 8.2.1); a CANCEL that matches nothing gets 481 (RFC 3261 9.2).
func TestUAUnsupportedAndStrayCancel(t *testing.T) {
	tn := uaNewNet(t, 25, 0)
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{})
	var got []*sipstack.Response
	c, err := NewCore(tn.net, Config{Host: "alice"}, &uaTestHandler{response: func(_ transaction.ID, resp *sipstack.Response) {
		got = append(got, resp)
	}})
	require.NoError(t, err)
	dest := transaction.Destination{Addr: netip.MustParseAddrPort("10.0.0.2:5060")}
	for _, m := range []string{"SUBSCRIBE", "CANCEL"} {
		req := sipstack.NewRequest(m, uaURI(t, "sip:bob@10.0.0.2"))
		req.Header.PrependVia(c.Via(transaction.UDP))
		req.Header.Add("Max-Forwards", "70")
		req.Header.Add("To", "<sip:bob@biloxi.example.com>")
		req.Header.Add("From", "<sip:alice@atlanta.example.com>;tag=a1")
		req.Header.Add("Call-ID", "stray")
		req.Header.Add("CSeq", "1 "+m)
		_, err := c.SendRequest(req, dest)
		require.NoError(t, err)
	}
	tn.net.Sim().Run()
	require.Len(t, got, 2)
	assert.Equal(t, 405, got[0].StatusCode)
	assert.Equal(t, UAAllow, got[0].Header.Get("Allow"))
	assert.Equal(t, 481, got[1].StatusCode)
	assert.Empty(t, bob.Calls())
	uaAssertIdle(t, bob)
}

// TestUABadMedia: capabilities that cannot make an offer are refused.
func TestUABadMedia(t *testing.T) {
	tn := uaNewNet(t, 1, 0)
	_, err := NewUserAgent(tn.net, Config{Host: "alice"}, UAOptions{AOR: uaURI(t, "sip:a@b"),
		Media: sdp.Capabilities{Media: []sdp.MediaCapability{{Type: "audio", Port: 0}}}})
	assert.ErrorIs(t, err, ErrUAOptions)
}

// TestUAMaxRing: a user who never answers is bounded by MaxRing: 480
// (RFC 3665 3.11's response, from the UA itself).
func TestUAMaxRing(t *testing.T) {
	tn := uaNewNet(t, 26, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{NoAnswer: 1, MaxRing: 10 * time.Second}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{"alice -> bob INVITE", "bob -> alice 180/INVITE", "bob -> alice 480/INVITE", "alice -> bob ACK"}, tn.wire())
	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 480, call.Status())
	assert.Equal(t, CallTimedOut, bob.Calls()[0].Outcome())
	assert.Equal(t, sim.Time(10*time.Second+10*time.Millisecond), bob.Calls()[0].Times().Final)
	assert.Contains(t, tn.notes("bob"), "ring-timeout")
	uaAssertIdle(t, alice, bob)
}

// TestUALossProperty: under 30% loss, calls with every behaviour (busy,
// never answering, cancel on no answer, INFO, re-INVITE adding video,
// either side hanging up) all end, and leave no transaction, timer or
// dialog behind, whatever the seed.
func TestUALossProperty(t *testing.T) {
	audio := sdp.MediaCapability{Type: "audio", Port: 49170, Codecs: []sdp.Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}
	video := sdp.MediaCapability{Type: "video", Port: 51372, Codecs: []sdp.Codec{{PayloadType: 31, Name: "H261", ClockRate: 90000}}}
	caps := sdp.Capabilities{Media: []sdp.MediaCapability{audio, video}}
	outcomes := map[CallOutcome]int{}
	for seed := uint64(100); seed < 160; seed++ {
		tn := uaNewNet(t, seed, 0.3)
		alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{Media: caps,
			Call: CallOptions{HoldTime: sim.Exponential{Mu: 3}, NoAnswerTimeout: 4 * time.Second,
				AddVideoAfter: time.Second, InfoAfter: 500 * time.Millisecond}})
		bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Media: caps,
			Answer: AnswerOptions{RingTime: sim.Uniform{Min: 0.5, Max: 6}, Busy: 0.1, NoAnswer: 0.1,
				HoldTime: sim.Exponential{Mu: 3}}})
		s := tn.net.Sim()
		for i := range 10 {
			s.At(sim.Time(time.Duration(i)*100*time.Second), func() {
				_, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
				assert.NoError(t, err)
			})
		}
		s.Run()
		for _, c := range append(alice.Calls(), bob.Calls()...) {
			outcomes[c.Outcome()]++
			assert.True(t, c.Ended(), "seed %d: call %s (incoming %v) %v", seed, c.CallID(), c.Incoming(), c.Outcome())
		}
		uaAssertIdle(t, alice, bob)
	}
	for _, o := range []CallOutcome{CallCompleted, CallFailed, CallCancelled} {
		assert.Positive(t, outcomes[o], "%v: %v", o, outcomes)
	}
}
