package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// uaRegistration is the registration state of a UA (RFC 3261 10.2).
type uaRegistration struct {
	callID    string // one Call-ID for every REGISTER of the UA (RFC 3261 10.2.4)
	cseq      uint32
	expires   sim.Time // end of the granted binding, 0 when not registered
	status    int
	attempts  int
	refreshEv sim.EventID
	stopped   bool
	// busy: a REGISTER (its challenge retries included) awaits its
	// final response; unregister: Unregister was called meanwhile, and
	// the REGISTER of Expires 0 waits for it (RFC 3261 10.2).
	busy, unregister bool
}

// UARegistration is the registration state of a [UserAgent].
type UARegistration struct {
	// Registered reports a binding granted and not yet expired.
	Registered bool
	// Expires is when the granted binding ends.
	Expires sim.Time
	// Status is the status code of the last final response to a
	// REGISTER, 0 before any, 408 or 503 for a timeout or transport error.
	Status int
	// Requests counts the REGISTER requests sent, challenges included.
	Requests int
}

// Registration returns the UA's registration state.
func (ua *UserAgent) Registration() UARegistration {
	r := ua.reg
	return UARegistration{Registered: r.expires > ua.core.Sim().Now(), Expires: r.expires, Status: r.status, Requests: r.attempts}
}

// register sends a REGISTER asking for RegisterOptions.Expires.
func (ua *UserAgent) register() {
	ua.sendRegister(ua.opts.Register.Expires)
}

// Unregister removes the user's binding with a REGISTER of Expires 0 (RFC
// 3261 10.2.2) and stops the refreshes. With a REGISTER still awaiting its
// final response, the removal is sent once that one is answered or has
// timed out (RFC 3261 10.2).
func (ua *UserAgent) Unregister() error {
	if ua.opts.Register.Registrar.IsZero() {
		return ErrUANoRegister
	}
	ua.reg.stopped = true
	ua.core.Sim().Cancel(ua.reg.refreshEv)
	if ua.reg.busy {
		// RFC 3261 10.2: "A UA SHOULD NOT send a new registration ...
		// until it has received a final response from the registrar for
		// the previous one or the previous REGISTER request has timed
		// out." Sent at once, the removal could reach the registrar
		// before a refresh still in flight, which would then bind the
		// contact again.
		ua.reg.unregister = true
		return nil
	}
	ua.sendRegister(0)
	return nil
}

// registerDone ends the pending REGISTER, and sends the removal that
// Unregister deferred, if any.
func (ua *UserAgent) registerDone() {
	r := &ua.reg
	r.busy = false
	if r.unregister {
		r.unregister = false
		ua.sendRegister(0)
	}
}

// sendRegister sends a REGISTER for the user's Contact with the given
// expiry (RFC 3261 10.2.1): To and From the AOR, the UA's registration
// Call-ID, the next CSeq.
func (ua *UserAgent) sendRegister(expires time.Duration) {
	r := &ua.reg
	if r.callID == "" {
		r.callID = ua.core.IDs().CallID()
	}
	r.cseq++
	registrar := ua.opts.Register.Registrar
	req, hop := ua.initialRequest(sipstack.REGISTER, registrar, ua.opts.AOR, ua.core.IDs().Tag(), r.callID, r.cseq)
	req.Header.Add("Contact", ua.contact.String())
	secs := int64(expires / time.Second)
	req.Header.Add("Expires", strconv.FormatInt(secs, 10))
	ua.core.Note("register", fmt.Sprintf("%s expires=%d", registrar.String(), secs))
	challenged := 0
	ct := &uaClientTx{req: req}
	ct.onResp = func(ct *uaClientTx, resp *sipstack.Response) {
		code := resp.StatusCode
		if code < 200 {
			return
		}
		done := true
		defer func() {
			if done {
				ua.registerDone()
			}
		}()
		r.status = code
		if (code == 401 || code == 407) && challenged < 2 && ua.authorize(ct.req, resp) {
			// RFC 3261 22.2: resubmit with credentials, the same Call-ID
			// and a higher CSeq (RFC 3261 8.1.3.5).
			challenged++
			r.cseq++
			ct.req.Header.Set("CSeq", sipstack.CSeq{Seq: r.cseq, Method: sipstack.REGISTER}.String())
			ct.heard = false
			ua.core.Note("challenged", fmt.Sprintf("REGISTER: %d, retrying with credentials", code))
			r.attempts++
			done = false
			ua.send(ct, hop)
			return
		}
		if code >= 300 {
			r.expires = 0
			ua.core.Note("register-failed", strconv.Itoa(code))
			return
		}
		granted := ua.granted(resp, secs)
		if granted <= 0 {
			r.expires = 0
			ua.core.Note("unregistered", "")
			return
		}
		now := ua.core.Sim().Now()
		r.expires = now.Add(granted)
		ua.core.Note("registered", fmt.Sprintf("for %v", granted))
		if ua.opts.Register.Refresh && !r.stopped {
			// Refresh at half the granted expiry (see RegisterOptions).
			r.refreshEv = ua.core.after(granted/2, ua.register)
		}
	}
	ct.onFail = func(_ *uaClientTx, timer transaction.Timer) {
		r.status = 408
		if timer == 0 {
			r.status = 503
		}
		ua.core.Note("register-failed", "no response")
		ua.registerDone()
	}
	r.attempts++
	r.busy = true
	ua.send(ct, hop)
}

// granted returns the expiry the registrar granted in a 2xx to REGISTER
// (RFC 3261 10.2.4): the expires parameter of the Contact that is the
// UA's, else the Expires header, else what was asked.
func (ua *UserAgent) granted(resp *sipstack.Response, asked int64) time.Duration {
	if contacts, err := resp.Header.Contacts(); err == nil {
		for _, c := range contacts {
			if !c.Star && c.URI.Equal(ua.contact.URI) {
				if e, ok := c.Expires(); ok {
					return time.Duration(e) * time.Second
				}
			}
		}
	}
	if e, ok := resp.Header.Expires(); ok {
		return time.Duration(e) * time.Second
	}
	return time.Duration(asked) * time.Second
}

// authorize adds to req, which drew the 401 or 407 resp, the credentials
// that answer its challenges (RFC 3261 22.2, 22.3): an Authorization for
// each WWW-Authenticate, a Proxy-Authorization for each
// Proxy-Authenticate, replacing those of an earlier attempt for the same
// realm. It reports false when no challenge can be answered: no Digest
// MD5 challenge, or no credentials for its realm.
func (ua *UserAgent) authorize(req *sipstack.Request, resp *sipstack.Response) bool {
	var chs []sipstack.Challenge
	var err error
	name := "Authorization"
	if resp.StatusCode == 407 {
		chs, err = resp.Header.ProxyAuthenticate()
		name = "Proxy-Authorization"
	} else {
		chs, err = resp.Header.WWWAuthenticate()
	}
	if err != nil || len(chs) == 0 {
		return false
	}
	answered := false
	for _, ch := range chs {
		if !strings.EqualFold(ch.Scheme, "Digest") || (ch.Algorithm() != "" && !strings.EqualFold(ch.Algorithm(), "MD5")) {
			continue
		}
		cred, ok := ua.credentials(ch.Realm())
		if !ok {
			continue
		}
		ua.dropCredentials(req, name, ch.Realm())
		cnonce := ua.core.IDs().Tag()
		req.Header.Add(name, uaDigest(req.Method, req.RequestURI.String(), ch, cred, cnonce).String())
		answered = true
	}
	if !answered {
		ua.core.Note("auth-failed", fmt.Sprintf("%s: no credentials for the challenge", req.Method))
	}
	return answered
}

// credentials returns the user's credentials for realm.
func (ua *UserAgent) credentials(realm string) (DigestCredentials, bool) {
	for _, c := range ua.opts.Credentials {
		if c.Realm == realm || c.Realm == "" {
			return c, true
		}
	}
	return DigestCredentials{}, false
}

// dropCredentials removes from req the fields name whose realm is realm.
func (ua *UserAgent) dropCredentials(req *sipstack.Request, name, realm string) {
	req.Header.DeleteFunc(func(fname, value string) bool {
		if !strings.EqualFold(fname, name) {
			return false
		}
		c := sipstack.Credentials{Params: sipstack.AuthParams(value)}
		if i := strings.IndexByte(value, ' '); i > 0 {
			c.Params = sipstack.AuthParams(value[i+1:])
		}
		return c.Realm() == realm
	})
}

// uaDigest computes the Digest credentials answering challenge ch for a
// request with this method and digest-uri (RFC 2617 3.2.2, RFC 3261 22.4):
// with qop=auth when the challenge offers it (nonce count 00000001 and
// cnonce), without qop otherwise (RFC 2069 compatibility, RFC 2617
// 3.2.2.1).
func uaDigest(method, digestURI string, ch sipstack.Challenge, cred DigestCredentials, cnonce string) sipstack.Credentials {
	qop := ""
	for _, q := range strings.Split(ch.QOP(), ",") {
		if strings.TrimSpace(q) == "auth" {
			qop = "auth"
		}
	}
	const nc = "00000001"
	ncField, cnonceField := "", ""
	if qop != "" {
		ncField, cnonceField = nc, cnonce
	}
	response := digestResponse(cred.Username, ch.Realm(), cred.Password, method, digestURI, ch.Nonce(), ncField, cnonceField, qop)
	p := sipstack.AuthParams("").
		With("username", cred.Username, true).
		With("realm", ch.Realm(), true).
		With("nonce", ch.Nonce(), true).
		With("uri", digestURI, true).
		With("response", response, true).
		With("algorithm", "MD5", false)
	if o := ch.Opaque(); o != "" {
		p = p.With("opaque", o, true)
	}
	if qop != "" {
		p = p.With("qop", qop, false).With("nc", nc, false).With("cnonce", cnonce, true)
	}
	return sipstack.Credentials{Scheme: "Digest", Params: p}
}
