package nodes

import (
	"fmt"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// rtNet builds a network of the named hosts, at 10.0.9.1, 10.0.9.2, ... in
// order, every pair joined by a 10 ms link, with a recorder on the trace.
func rtNet(t *testing.T, seed uint64, names ...string) (*sim.Network, *sim.Recorder) {
	t.Helper()
	rec := &sim.Recorder{}
	n, err := sim.NewNetwork(sim.New(seed), sim.Options{Sink: rec})
	require.NoError(t, err)
	for i, name := range names {
		_, err := n.AddHost(name, netip.AddrFrom4([4]byte{10, 0, 9, byte(i + 1)}))
		require.NoError(t, err)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			require.NoError(t, n.AddSymmetricLink(names[i], names[j], sim.LinkConfig{Delay: 10 * time.Millisecond}))
		}
	}
	return n, rec
}

// rtWire lists "from -> to LABEL" for every datagram sent, by host name.
func rtWire(n *sim.Network, rec *sim.Recorder) []string {
	var out []string
	for _, e := range rec.OfKind(sim.KindSend) {
		out = append(out, n.HostByAddr(e.Src.Addr()).Name()+" -> "+n.HostByAddr(e.Dst.Addr()).Name()+" "+e.Label)
	}
	return out
}

// rtNotes lists "host label" of every annotation.
func rtNotes(rec *sim.Recorder) []string {
	var out []string
	for _, e := range rec.OfKind(sim.KindAnnotation) {
		out = append(out, e.Host+" "+e.Label)
	}
	return out
}

// rtUA is a user agent made of a bare Core that records what its
// transactions pass up.
type rtUA struct {
	core  *Core
	resps []*sipstack.Response
	fails int
}

func (u *rtUA) Request(transaction.ID, *sipstack.Request, transaction.Destination) {}
func (u *rtUA) Response(_ transaction.ID, r *sipstack.Response)                    { u.resps = append(u.resps, r) }
func (u *rtUA) Failed(transaction.ID, transaction.Timer)                           { u.fails++ }

func newRtUA(t *testing.T, n *sim.Network, host string) *rtUA {
	t.Helper()
	u := &rtUA{}
	c, err := NewCore(n, Config{Host: host}, u)
	require.NoError(t, err)
	u.core = c
	return u
}

// last returns the last final response passed up.
func (u *rtUA) last(t *testing.T) *sipstack.Response {
	t.Helper()
	require.NotEmpty(t, u.resps)
	return u.resps[len(u.resps)-1]
}

// send sends req to the element at host on port 5060.
func (u *rtUA) send(t *testing.T, n *sim.Network, req *sipstack.Request, host string) {
	t.Helper()
	req.Header.PrependVia(u.core.Via(transaction.UDP))
	_, err := u.core.SendRequest(req, transaction.Destination{Addr: n.Host(host).AddrPort(DefaultPort)})
	require.NoError(t, err)
}

// rtMustURI parses s.
func rtMustURI(t *testing.T, s string) uri.URI {
	t.Helper()
	u, err := uri.Parse(s)
	require.NoError(t, err)
	return u
}

// rtRegister builds Bob's REGISTER of RFC 3665 2.1 (without Via, which
// rtUA.send adds), with the given CSeq number and Contact values.
func rtRegister(t *testing.T, cseq int, contacts ...string) *sipstack.Request {
	t.Helper()
	req := sipstack.NewRequest(sipstack.REGISTER, rtMustURI(t, "sip:biloxi.example.com"))
	req.Header.Add("Max-Forwards", "70")
	req.Header.Add("From", "Bob <sip:bob@biloxi.example.com>;tag=a73kszlfl")
	req.Header.Add("To", "Bob <sip:bob@biloxi.example.com>")
	req.Header.Add("Call-ID", "1j9FpLxk3uxtm8tn@biloxi.example.com")
	req.Header.Add("CSeq", fmt.Sprintf("%d REGISTER", cseq))
	for _, c := range contacts {
		req.Header.Add("Contact", c)
	}
	return req
}

// rtAuthorize adds Digest credentials answering the challenge of resp.
func rtAuthorize(t *testing.T, req *sipstack.Request, resp *sipstack.Response, user, password string) {
	t.Helper()
	chs, err := resp.Header.WWWAuthenticate()
	require.NoError(t, err)
	require.Len(t, chs, 1)
	ch := chs[0]
	require.Equal(t, "Digest", ch.Scheme)
	require.Equal(t, "auth", ch.QOP())
	digestURI := req.RequestURI.String()
	cred := sipstack.AuthParams("").With("username", user, true).With("realm", ch.Realm(), true).
		With("nonce", ch.Nonce(), true).With("uri", digestURI, true).
		With("response", digestResponse(user, ch.Realm(), password, req.Method, digestURI, ch.Nonce(), "00000001", "0a4f113b", "auth"), true).
		With("algorithm", "MD5", false).With("cnonce", "0a4f113b", true).With("qop", "auth", false).With("nc", "00000001", false)
	req.Header.Add("Authorization", "Digest "+string(cred))
}

// rtContacts returns the Contact values of resp as strings.
func rtContacts(t *testing.T, resp *sipstack.Response) []string {
	t.Helper()
	cs, err := resp.Header.Contacts()
	require.NoError(t, err)
	var out []string
	for _, c := range cs {
		out = append(out, c.String())
	}
	return out
}

// rtQuiet runs the simulation to its end and checks that no transaction
// and no timer is left on the given cores.
func rtQuiet(t *testing.T, n *sim.Network, cores ...*Core) {
	t.Helper()
	n.Sim().Run()
	for _, c := range cores {
		assert.Zero(t, c.Layer().Len(), "%s: transactions left", c.Name())
		assert.Zero(t, c.Pending(), "%s: timers left", c.Name())
	}
	assert.Zero(t, n.Sim().Pending(), "events left")
}

// rtRegistrarNet builds bob and a registrar of biloxi.example.com with the
// given options (Location is filled in when nil).
func rtRegistrarNet(t *testing.T, opts RegistrarOptions) (*sim.Network, *sim.Recorder, *rtUA, *Registrar) {
	t.Helper()
	n, rec := rtNet(t, 1, "bob", "registrar")
	if opts.Location == nil {
		opts.Location = NewLocationService()
	}
	rg, err := NewRegistrar(n, Config{Host: "registrar", Domain: "biloxi.example.com"}, opts)
	require.NoError(t, err)
	return n, rec, newRtUA(t, n, "bob"), rg
}

// TestRegistrarRFC3665Flow21 replays RFC 3665 2.1: REGISTER, 401 with a
// Digest challenge, REGISTER with credentials, 200 with the binding.
func TestRegistrarRFC3665Flow21(t *testing.T) {
	n, rec, bob, rg := rtRegistrarNet(t, RegistrarOptions{Users: map[string]string{"bob": "zanzibar"}})

	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "registrar") // F1
	n.Sim().Run()
	f2 := bob.last(t)
	require.Equal(t, 401, f2.StatusCode)
	to, err := f2.Header.To()
	require.NoError(t, err)
	assert.NotEmpty(t, to.Tag(), "F2 carries the registrar's To tag")
	chs, err := f2.Header.WWWAuthenticate()
	require.NoError(t, err)
	assert.Equal(t, "biloxi.example.com", chs[0].Realm())
	assert.Equal(t, "MD5", chs[0].Algorithm())
	assert.Len(t, chs[0].Nonce(), 16)
	assert.False(t, rg.loc.Known(rtMustURI(t, "sip:bob@biloxi.example.com")), "a refused REGISTER binds nothing")

	f3 := rtRegister(t, 2, "<sip:bob@client.biloxi.example.com>")
	f3.Header.Add("Expires", "7200")
	rtAuthorize(t, f3, f2, "bob", "zanzibar")
	bob.send(t, n, f3, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())

	f4 := bob.last(t)
	require.Equal(t, 200, f4.StatusCode)
	assert.Equal(t, []string{"<sip:bob@client.biloxi.example.com>;expires=7200"}, rtContacts(t, f4))
	assert.Equal(t, []string{
		"bob -> registrar REGISTER",
		"registrar -> bob 401/REGISTER",
		"bob -> registrar REGISTER",
		"registrar -> bob 200/REGISTER",
	}, rtWire(n, rec))
	assert.Equal(t, []string{"registrar 401", "registrar 200"}, rtNotes(rec))
	bs := rg.loc.Lookup(rtMustURI(t, "sip:bob@biloxi.example.com"), n.Sim().Now())
	require.Len(t, bs, 1)
	assert.Equal(t, "1j9FpLxk3uxtm8tn@biloxi.example.com", bs[0].CallID)
	assert.Equal(t, uint32(2), bs[0].CSeq)
}

// TestRegistrarRFC3665Flow25 replays RFC 3665 2.5: wrong credentials are
// challenged again and bind nothing.
func TestRegistrarRFC3665Flow25(t *testing.T) {
	n, rec, bob, rg := rtRegistrarNet(t, RegistrarOptions{Users: map[string]string{"bob": "zanzibar"}})
	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "registrar")
	n.Sim().Run()
	f3 := rtRegister(t, 2, "<sip:bob@client.biloxi.example.com>")
	rtAuthorize(t, f3, bob.last(t), "bob", "wrong password")
	bob.send(t, n, f3, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())

	assert.Equal(t, 401, bob.last(t).StatusCode)
	assert.Equal(t, []string{
		"bob -> registrar REGISTER",
		"registrar -> bob 401/REGISTER",
		"bob -> registrar REGISTER",
		"registrar -> bob 401/REGISTER",
	}, rtWire(n, rec))
	assert.False(t, rg.loc.Known(rtMustURI(t, "sip:bob@biloxi.example.com")))
}

// TestRegistrarAuthorization: an authenticated user may not register
// another user's address of record (RFC 3261 10.3 step 4).
func TestRegistrarAuthorization(t *testing.T) {
	n, _, bob, rg := rtRegistrarNet(t, RegistrarOptions{Users: map[string]string{"bob": "zanzibar", "eve": "x"}})
	bob.send(t, n, rtRegister(t, 1, "<sip:eve@client.biloxi.example.com>"), "registrar")
	n.Sim().Run()
	f3 := rtRegister(t, 2, "<sip:eve@client.biloxi.example.com>")
	rtAuthorize(t, f3, bob.last(t), "eve", "x")
	bob.send(t, n, f3, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())
	assert.Equal(t, 403, bob.last(t).StatusCode)
}

// TestRegistrarDigestURI: RFC 2617 3.2.2.5: the digest-uri must name the
// Request-URI: an equal URI (RFC 3261 19.1.4) passes, another gets 400.
func TestRegistrarDigestURI(t *testing.T) {
	n, _, bob, rg := rtRegistrarNet(t, RegistrarOptions{Users: map[string]string{"bob": "zanzibar"}})
	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "registrar")
	n.Sim().Run()
	challenge := bob.last(t)
	for i, tt := range []struct {
		digestURI string
		code      int
	}{{"sip:BILOXI.example.com", 200}, {"sip:biloxi.example.com:5060", 400}} {
		req := rtRegister(t, 2+i, "<sip:bob@client.biloxi.example.com>")
		req.RequestURI = rtMustURI(t, tt.digestURI)
		rtAuthorize(t, req, challenge, "bob", "zanzibar")
		req.RequestURI = rtMustURI(t, "sip:biloxi.example.com")
		bob.send(t, n, req, "registrar")
		n.Sim().Run()
		assert.Equal(t, tt.code, bob.last(t).StatusCode, "digest-uri %s", tt.digestURI)
	}
	rtQuiet(t, n, bob.core, rg.Core())
}

// TestRegistrarStaleNonce: a correct answer to a nonce the registrar does
// not remember is challenged with stale=TRUE (RFC 2617 3.2.1).
func TestRegistrarStaleNonce(t *testing.T) {
	n, _, bob, rg := rtRegistrarNet(t, RegistrarOptions{Users: map[string]string{"bob": "zanzibar"}})
	forged := sipstack.NewResponse(rtRegister(t, 1), 401, "")
	forged.Header.Add("WWW-Authenticate", `Digest realm="biloxi.example.com", qop="auth", nonce="0123456789abcdef", algorithm=MD5`)
	req := rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>")
	rtAuthorize(t, req, forged, "bob", "zanzibar")
	bob.send(t, n, req, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())
	resp := bob.last(t)
	require.Equal(t, 401, resp.StatusCode)
	chs, err := resp.Header.WWWAuthenticate()
	require.NoError(t, err)
	assert.True(t, chs[0].Stale())
}

// TestRegistrarRFC3665Flows22to24 replays RFC 3665 2.2 (add a contact),
// 2.3 (query) and 2.4 (remove all), without authentication.
func TestRegistrarRFC3665Flows22to24(t *testing.T) {
	n, rec, bob, rg := rtRegistrarNet(t, RegistrarOptions{})
	aor := rtMustURI(t, "sip:bob@biloxi.example.com")

	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "registrar")
	n.Sim().Run()
	require.Equal(t, []string{"<sip:bob@client.biloxi.example.com>;expires=3600"}, rtContacts(t, bob.last(t)))

	// 2.2: "Contact: <mailto:bob@biloxi.example.com>;q=0.1" is added. The
	// first binding was made at 10 ms; the server transaction's Timer J
	// (32 s) has run the clock to 32.01 s, and the new REGISTER arrives at
	// 32.02 s, when 3567.99 s are left.
	require.Equal(t, sim.Time(32010*time.Millisecond), n.Sim().Now())
	bob.send(t, n, rtRegister(t, 2, "<mailto:bob@biloxi.example.com>;q=0.1"), "registrar")
	n.Sim().Run()
	assert.Equal(t, []string{
		"<sip:bob@client.biloxi.example.com>;expires=3567",
		"<mailto:bob@biloxi.example.com>;q=0.1;expires=3600",
	}, rtContacts(t, bob.last(t)))

	// 2.3: a REGISTER without Contact asks for the list and changes nothing.
	bob.send(t, n, rtRegister(t, 3), "registrar")
	n.Sim().Run()
	assert.Equal(t, 200, bob.last(t).StatusCode)
	assert.Len(t, rtContacts(t, bob.last(t)), 2)

	// 2.4: "Contact: *" with "Expires: 0" removes every binding.
	req := rtRegister(t, 4, "*")
	req.Header.Add("Expires", "0")
	bob.send(t, n, req, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())
	assert.Equal(t, 200, bob.last(t).StatusCode)
	assert.Empty(t, rtContacts(t, bob.last(t)))
	assert.Empty(t, rg.loc.Lookup(aor, n.Sim().Now()))
	assert.True(t, rg.loc.Known(aor), "the user stays known: a proxy answers 480, not 404")
	assert.Len(t, rtWire(n, rec), 8)
}

// TestRegistrarRefusals covers the refusals of RFC 3261 10.3, each of which
// changes no binding.
func TestRegistrarRefusals(t *testing.T) {
	tests := []struct {
		name   string
		opts   RegistrarOptions
		build  func(t *testing.T) *sipstack.Request
		code   int
		header [2]string // a header the response must carry
	}{
		{"star with another contact", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1, "*", "<sip:bob@client.biloxi.example.com>")
			r.Header.Add("Expires", "0")
			return r
		}, 400, [2]string{}},
		{"star without Expires 0", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1, "*")
			r.Header.Add("Expires", "60")
			return r
		}, 400, [2]string{}},
		{"interval too brief", RegistrarOptions{MinExpires: time.Minute}, func(t *testing.T) *sipstack.Request {
			return rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>;expires=30")
		}, 423, [2]string{"Min-Expires", "60"}},
		{"foreign domain", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>")
			r.RequestURI = rtMustURI(t, "sip:atlanta.example.com")
			return r
		}, 404, [2]string{}},
		{"address of record of another domain", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>")
			r.Header.Set("To", "<sip:bob@atlanta.example.com>")
			return r
		}, 404, [2]string{}},
		{"unprovisioned user", RegistrarOptions{RequireProvisioned: true}, func(t *testing.T) *sipstack.Request {
			return rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>")
		}, 404, [2]string{}},
		{"unsupported extension", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>")
			r.Header.Add("Require", "nothingSupportsThis")
			return r
		}, 420, [2]string{"Unsupported", "nothingSupportsThis"}},
		{"not a REGISTER", RegistrarOptions{}, func(t *testing.T) *sipstack.Request {
			r := rtRegister(t, 1)
			r.Method = sipstack.OPTIONS
			r.Header.Set("CSeq", "1 OPTIONS")
			return r
		}, 405, [2]string{"Allow", "REGISTER"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, _, bob, rg := rtRegistrarNet(t, tt.opts)
			bob.send(t, n, tt.build(t), "registrar")
			rtQuiet(t, n, bob.core, rg.Core())
			resp := bob.last(t)
			assert.Equal(t, tt.code, resp.StatusCode)
			if tt.header[0] != "" {
				assert.Equal(t, tt.header[1], resp.Header.Get(tt.header[0]))
			}
			assert.False(t, rg.loc.Known(rtMustURI(t, "sip:bob@biloxi.example.com")), "nothing was bound")
		})
	}
}

// TestRegistrarCSeqOrdering: RFC 3261 10.3 step 7: a REGISTER of the same
// Call-ID whose CSeq is not higher than the binding's fails and changes
// nothing; another Call-ID replaces the binding whatever its CSeq.
func TestRegistrarCSeqOrdering(t *testing.T) {
	n, _, bob, rg := rtRegistrarNet(t, RegistrarOptions{})
	aor := rtMustURI(t, "sip:bob@biloxi.example.com")
	bob.send(t, n, rtRegister(t, 5, "<sip:bob@client.biloxi.example.com>;expires=100"), "registrar")
	n.Sim().Run()
	require.Equal(t, 200, bob.last(t).StatusCode)

	bob.send(t, n, rtRegister(t, 5, "<sip:bob@client.biloxi.example.com>;expires=0"), "registrar")
	n.Sim().Run()
	assert.Equal(t, 400, bob.last(t).StatusCode, "the same CSeq again")
	require.Len(t, rg.loc.Lookup(aor, n.Sim().Now()), 1)

	other := rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>;expires=0")
	other.Header.Set("Call-ID", "another-call-id")
	bob.send(t, n, other, "registrar")
	rtQuiet(t, n, bob.core, rg.Core())
	assert.Equal(t, 200, bob.last(t).StatusCode)
	assert.Empty(t, rg.loc.Lookup(aor, n.Sim().Now()), "another Call-ID removes the binding")
}

// TestRegistrarExpiry: bindings lapse in virtual time, and the 200 gives
// the remaining lifetime (RFC 3261 10.3 step 8).
func TestRegistrarExpiry(t *testing.T) {
	n, _, bob, rg := rtRegistrarNet(t, RegistrarOptions{MaxExpires: 2 * time.Minute})
	s := n.Sim()
	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "registrar")
	s.Run()
	assert.Equal(t, []string{"<sip:bob@client.biloxi.example.com>;expires=120"}, rtContacts(t, bob.last(t)), "capped by MaxExpires")

	// The binding was made at 10 ms; a query at 60 s sees 60 s left.
	s.At(sim.Time(60*time.Second), func() { bob.send(t, n, rtRegister(t, 2), "registrar") })
	s.Run()
	assert.Equal(t, []string{"<sip:bob@client.biloxi.example.com>;expires=60"}, rtContacts(t, bob.last(t)))

	s.At(sim.Time(121*time.Second), func() { bob.send(t, n, rtRegister(t, 3), "registrar") })
	rtQuiet(t, n, bob.core, rg.Core())
	assert.Empty(t, rtContacts(t, bob.last(t)), "expired")
}

// TestRegistrarsShareLocation: two registrars of one domain write the same
// location service, and a redirect server reads it.
func TestRegistrarsShareLocation(t *testing.T) {
	n, rec := rtNet(t, 1, "bob", "reg1", "reg2", "redirect", "alice")
	loc := NewLocationService()
	cfg := func(h string) Config { return Config{Host: h, Domain: "biloxi.example.com"} }
	reg1, err := NewRegistrar(n, cfg("reg1"), RegistrarOptions{Location: loc})
	require.NoError(t, err)
	reg2, err := NewRegistrar(n, cfg("reg2"), RegistrarOptions{Location: loc})
	require.NoError(t, err)
	rd, err := NewRedirectServer(n, cfg("redirect"), RedirectOptions{Location: loc})
	require.NoError(t, err)
	bob := newRtUA(t, n, "bob")
	alice := newRtUA(t, n, "alice")

	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>"), "reg1")
	n.Sim().Run()
	bob.send(t, n, rtRegister(t, 2, "<sip:bob@desk.biloxi.example.com>;q=0.5"), "reg2")
	n.Sim().Run()
	assert.Equal(t, []string{
		"<sip:bob@client.biloxi.example.com>;expires=3567", // made 32 s earlier (Timer J)
		"<sip:bob@desk.biloxi.example.com>;q=0.5;expires=3600",
	}, rtContacts(t, bob.last(t)), "reg2 sees reg1's binding")

	alice.send(t, n, rtInvite(t, "sip:bob@biloxi.example.com"), "redirect")
	rtQuiet(t, n, bob.core, alice.core, reg1.Core(), reg2.Core(), rd.Core())
	resp := alice.last(t)
	assert.Equal(t, 300, resp.StatusCode)
	assert.Len(t, rtContacts(t, resp), 2)
	assert.Equal(t, []string{
		"bob -> reg1 REGISTER", "reg1 -> bob 200/REGISTER",
		"bob -> reg2 REGISTER", "reg2 -> bob 200/REGISTER",
		"alice -> redirect INVITE", "redirect -> alice 300/INVITE", "alice -> redirect ACK",
	}, rtWire(n, rec))
}

// TestRegistrarTortureUnksm2: RFC 4475 3.3.4 (unksm2), a REGISTER whose To
// is not a SIP URI, is refused with 400.
func TestRegistrarTortureUnksm2(t *testing.T) {
	data, err := os.ReadFile("../sipstack/testdata/rfc4475/valid/unksm2.sip")
	require.NoError(t, err)
	n, rec := rtNet(t, 1, "client", "registrar")
	rg, err := NewRegistrar(n, Config{Host: "registrar", Domain: "example.com"}, RegistrarOptions{Location: NewLocationService()})
	require.NoError(t, err)
	var got []sipstack.Message
	client := n.Host("client")
	client.SetReceiver(sim.ReceiverFunc(func(d sim.Datagram) {
		m, err := sipstack.ParseMessage(d.Payload)
		require.NoError(t, err)
		got = append(got, m)
	}))
	// The message's Via names 192.0.2.21, outside the network: it is
	// rewritten to the client's address so that the 400 comes back.
	req, err := sipstack.ParseRequest(data)
	require.NoError(t, err)
	req.Header.Set("Via", "SIP/2.0/UDP "+client.Addr().String()+":5060;branch=z9hG4bKkdjuw")
	require.NoError(t, n.Send(sim.Datagram{Src: client.AddrPort(5060), Dst: n.Host("registrar").AddrPort(5060), Payload: req.AppendTo(nil), Label: Label(req)}))
	rtQuiet(t, n, rg.Core())
	require.Len(t, got, 1)
	assert.Equal(t, 400, got[0].(*sipstack.Response).StatusCode)
	assert.Equal(t, []string{"client -> registrar REGISTER", "registrar -> client 400/REGISTER"}, rtWire(n, rec))
}

// TestRgQ checks qvalue formatting (RFC 3261 25.1).
func TestRgQ(t *testing.T) {
	for q, want := range map[int]string{1000: "1", 700: "0.7", 250: "0.25", 5: "0.005", 0: "0"} {
		assert.Equal(t, want, rgQ(q), "rgQ(%d)", q)
	}
}

// TestRegistrarLostResponse: when the 200 is lost, the client's
// retransmission is answered by the registrar's server transaction with
// the same 200; the registrar sees the REGISTER once, so the CSeq check of
// RFC 3261 10.3 step 7 does not refuse it.
func TestRegistrarLostResponse(t *testing.T) {
	n, rec, bob, rg := rtRegistrarNet(t, RegistrarOptions{})
	dropped := false
	n.AddDropFilter(func(p *sim.Packet) bool {
		if p.Label == "200/REGISTER" && !dropped {
			dropped = true
			return true
		}
		return false
	})
	bob.send(t, n, rtRegister(t, 1, "<sip:bob@client.biloxi.example.com>;expires=60", "<sip:bob@desk.biloxi.example.com>"), "registrar")
	rtQuiet(t, n, bob.core, rg.Core())
	require.Len(t, bob.resps, 1)
	assert.Equal(t, 200, bob.resps[0].StatusCode)
	assert.Equal(t, []string{
		"<sip:bob@client.biloxi.example.com>;expires=60",
		"<sip:bob@desk.biloxi.example.com>;expires=3600",
	}, rtContacts(t, bob.resps[0]), "the expires parameter, else the default")
	assert.Equal(t, []string{
		"bob -> registrar REGISTER",
		"registrar -> bob 200/REGISTER", // lost
		"bob -> registrar REGISTER",     // Timer E at T1
		"registrar -> bob 200/REGISTER",
	}, rtWire(n, rec))
	assert.Equal(t, []string{"registrar 200"}, rtNotes(rec), "the retransmission never reaches the registrar")
}
