package nodes

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// Defaults of [RegistrarOptions].
const (
	// DefaultRegisterExpires is the binding lifetime when a REGISTER gives
	// none (RFC 3261 10.2.1.1: "a default of 3600 seconds").
	DefaultRegisterExpires = 3600 * time.Second
	// rgNonceMemory bounds the nonces a registrar remembers.
	rgNonceMemory = 64
)

// RegistrarOptions configures a [Registrar].
type RegistrarOptions struct {
	// Location is the location service the bindings go to; required.
	// Several registrars and proxies of a domain share one.
	Location *LocationService
	// Domains are the domains the registrar has bindings for (RFC 3261
	// 10.3 step 1), compared case-insensitively; empty means Config.Domain.
	Domains []string
	// Users maps user names to passwords. Nil disables authentication;
	// otherwise every REGISTER must carry Digest credentials (RFC 3261
	// 22.4, MD5) and a user may only change the bindings of the address
	// of record whose user part is its user name (RFC 3261 10.3 step 3).
	Users map[string]string
	// Realm is the digest realm of challenges; "" means the first domain.
	Realm string
	// RequireProvisioned answers 404 to a REGISTER for an address of
	// record that the location service does not know (see
	// [LocationService.Provision]) (RFC 3261 10.3 step 5).
	RequireProvisioned bool
	// DefaultExpires is the lifetime of a binding whose REGISTER gives
	// neither an expires parameter nor an Expires header; zero means
	// DefaultRegisterExpires (RFC 3261 10.2.1.1).
	DefaultExpires time.Duration
	// MinExpires is the shortest lifetime accepted: a shorter non-zero
	// one is refused with 423 (Interval Too Brief) and a Min-Expires
	// header (RFC 3261 10.3 step 7, 20.23). Zero accepts any.
	MinExpires time.Duration
	// MaxExpires caps the lifetime granted (RFC 3261 10.2.1.1: the
	// registrar may shorten it); zero means no cap.
	MaxExpires time.Duration
}

// Registrar is a registrar (RFC 3261 10.3): it accepts REGISTER requests
// for its domains, authenticates them when configured, and keeps the
// bindings of addresses of record in a [LocationService] shared with the
// domain's proxies. It answers 200 (OK) listing every current binding with
// its remaining lifetime, and refuses a request with 400, 401, 403, 404,
// 420 or 423 as steps 1 to 7 of RFC 3261 10.3 say; a refused request
// changes no binding (RFC 3261 10.3: "binding updates MUST be committed
// ... only if all binding updates and additions succeed").
//
// It runs on a [Core]: its server transactions retransmit its responses
// and absorb retransmitted requests.
type Registrar struct {
	core    *Core
	loc     *LocationService
	domains []string
	users   map[string]string
	realm   string
	opts    RegistrarOptions
	nonces  []string // issued nonces, oldest first, at most rgNonceMemory
}

// ErrNoLocation is returned by [NewRegistrar] without a location service.
var ErrNoLocation = errors.New("nodes: registrar needs a location service")

// NewRegistrar attaches a registrar to the host cfg.Host of net.
func NewRegistrar(net *sim.Network, cfg Config, opts RegistrarOptions) (*Registrar, error) {
	if opts.Location == nil {
		return nil, ErrNoLocation
	}
	if opts.DefaultExpires <= 0 {
		opts.DefaultExpires = DefaultRegisterExpires
	}
	domains := opts.Domains
	if len(domains) == 0 && cfg.Domain != "" {
		domains = []string{cfg.Domain}
	}
	rg := &Registrar{loc: opts.Location, users: opts.Users, opts: opts}
	for _, d := range domains {
		rg.domains = append(rg.domains, strings.ToLower(d))
	}
	rg.realm = opts.Realm
	if rg.realm == "" && len(rg.domains) > 0 {
		rg.realm = rg.domains[0]
	}
	core, err := NewCore(net, cfg, rg)
	if err != nil {
		return nil, err
	}
	rg.core = core
	return rg, nil
}

// Core returns the registrar's core, for inspection.
func (rg *Registrar) Core() *Core { return rg.core }

// Realm returns the digest realm of the registrar's challenges.
func (rg *Registrar) Realm() string { return rg.realm }

// Request processes a request: REGISTER per RFC 3261 10.3; CANCEL per 9.2;
// anything else gets 405 (Method Not Allowed) with Allow: REGISTER.
func (rg *Registrar) Request(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
	switch {
	case tx == 0 || req.Method == sipstack.ACK:
		return
	case req.Method == sipstack.CANCEL:
		code := 481
		if _, ok := rg.core.Layer().CancelTarget(req); ok {
			code = 200
		}
		rg.reply(tx, rg.response(req, code), "CANCEL")
	case req.Method != sipstack.REGISTER:
		resp := rg.response(req, 405)
		resp.Header.Add("Allow", "REGISTER")
		rg.reply(tx, resp, req.Method+" not handled")
	default:
		rg.register(tx, req)
	}
}

// register carries out RFC 3261 10.3 steps 1 to 8.
func (rg *Registrar) register(tx transaction.ID, req *sipstack.Request) {
	// Step 1: "The registrar inspects the Request-URI to determine whether
	// it has access to bindings for the domain identified". This element
	// is not a proxy and cannot forward; it answers 404.
	if !rg.ours(req.RequestURI) {
		rg.reply(tx, rg.response(req, 404), "domain "+req.RequestURI.Host+" is not served here")
		return
	}
	// Step 2: Require (RFC 3261 8.2.2.3).
	if tags := rgUnsupported(req); len(tags) > 0 {
		resp := rg.response(req, 420)
		resp.Header.Add("Unsupported", strings.Join(tags, ", "))
		rg.reply(tx, resp, "Require "+strings.Join(tags, ", "))
		return
	}
	// Step 5 comes first for what step 3 needs: the address of record.
	to, err := req.Header.To()
	if err != nil || (to.URI.Scheme != uri.SchemeSIP && to.URI.Scheme != uri.SchemeSIPS) {
		// RFC 4475 3.3.4 (unksm2): a To that is not a SIP URI.
		rg.reply(tx, rg.response(req, 400), "To is not a SIP address of record")
		return
	}
	aor := to.URI
	// Step 3: authentication (RFC 3261 22.4).
	if rg.users != nil {
		user, ok := rg.authenticate(tx, req)
		if !ok {
			return
		}
		// Step 4: authorization of the user for this address of record.
		if user != aor.User {
			rg.reply(tx, rg.response(req, 403), fmt.Sprintf("%s may not register %s", user, aor.AOR()))
			return
		}
	}
	// Step 5: "If the address-of-record is not valid for the domain in
	// the Request-URI, the registrar MUST send a 404 (Not Found)".
	if !rg.ours(aor) || (rg.opts.RequireProvisioned && !rg.loc.Known(aor)) {
		rg.reply(tx, rg.response(req, 404), aor.AOR()+" is not a user here")
		return
	}
	// Steps 6 and 7.
	now := rg.core.Sim().Now()
	code, why, hdr := rg.update(req, aor, now)
	if code != 200 {
		resp := rg.response(req, code)
		if hdr.Name != "" {
			resp.Header.Add(hdr.Name, hdr.Value)
		}
		rg.reply(tx, resp, why)
		return
	}
	// Step 8: "The registrar returns a 200 (OK) response ... MUST contain
	// Contact header field values enumerating all current bindings. Each
	// Contact value MUST feature an "expires" parameter indicating its
	// expiration interval chosen by the registrar."
	resp := rg.response(req, 200)
	var current []Binding
	if rg.loc.Known(aor) {
		current = rg.loc.Lookup(aor, now)
	}
	for _, b := range current {
		resp.Header.Add("Contact", rgContact(b.Contact, b.Q, max(b.Remaining(now), time.Second)))
	}
	rg.reply(tx, resp, fmt.Sprintf("%s: %s; %d binding(s)", aor.AOR(), why, len(current)))
}

// rgChange is one binding change of a REGISTER.
type rgChange struct {
	contact uri.URI
	q       int
	expires time.Duration // zero removes the binding
}

// update validates the Contacts of req and, when all are acceptable,
// applies them to the bindings of aor (RFC 3261 10.3 steps 6 and 7). It
// returns the status code, a description for the trace, and a header to
// add to a refusal.
func (rg *Registrar) update(req *sipstack.Request, aor uri.URI, now sim.Time) (int, string, sipstack.HeaderField) {
	var none sipstack.HeaderField
	contacts, err := req.Header.Contacts()
	if err != nil {
		return 400, "bad Contact: " + err.Error(), none
	}
	if len(contacts) == 0 {
		return 200, "query", none // RFC 3261 10.2.3
	}
	var existing []Binding
	if rg.loc.Known(aor) {
		existing = rg.loc.Lookup(aor, now)
	}
	callID := req.Header.CallID()
	cs, _ := req.Header.CSeq()
	// Step 7: an older or repeated request for a binding of the same
	// Call-ID is refused.
	stale := func(b Binding) bool { return b.CallID == callID && cs.Seq <= b.CSeq }
	hdrExp, hasHdrExp := req.Header.Expires()

	if slices.ContainsFunc(contacts, func(c sipstack.Contact) bool { return c.Star }) {
		// Step 6: "*" is allowed only alone, with Expires: 0.
		if len(contacts) != 1 || !hasHdrExp || hdrExp != 0 {
			return 400, `Contact "*" needs to be alone and with Expires: 0`, none
		}
		for _, b := range existing {
			if stale(b) {
				return 400, fmt.Sprintf("CSeq %d is not above %d for %s", cs.Seq, b.CSeq, b.Contact.String()), none
			}
		}
		rg.loc.RemoveAll(aor)
		return 200, "all bindings removed", none
	}
	changes := make([]rgChange, 0, len(contacts))
	for _, c := range contacts {
		ch := rgChange{contact: c.URI, q: 1000}
		if q, ok := c.Q(); ok {
			ch.q = q
		}
		// Step 6: the expires parameter, else the Expires header, else
		// the registrar's default.
		switch e, ok := c.Expires(); {
		case ok:
			ch.expires = time.Duration(e) * time.Second
		case hasHdrExp:
			ch.expires = time.Duration(hdrExp) * time.Second
		default:
			ch.expires = rg.opts.DefaultExpires
		}
		if ch.expires > 0 && ch.expires < rg.opts.MinExpires {
			mh := sipstack.HeaderField{Name: "Min-Expires", Value: strconv.FormatInt(int64(rg.opts.MinExpires/time.Second), 10)}
			return 423, fmt.Sprintf("%s: %v is below %v", c.URI.String(), ch.expires, rg.opts.MinExpires), mh
		}
		if rg.opts.MaxExpires > 0 && ch.expires > rg.opts.MaxExpires {
			ch.expires = rg.opts.MaxExpires
		}
		for _, b := range existing {
			if b.Contact.Equal(c.URI) && stale(b) {
				return 400, fmt.Sprintf("CSeq %d is not above %d for %s", cs.Seq, b.CSeq, b.Contact.String()), none
			}
		}
		changes = append(changes, ch)
	}
	added, removed := 0, 0
	for _, ch := range changes {
		if ch.expires == 0 {
			if rg.loc.Remove(aor, ch.contact) {
				removed++
			}
			continue
		}
		rg.loc.Add(aor, Binding{Contact: ch.contact, Q: ch.q, Expires: now.Add(ch.expires), CallID: callID, CSeq: cs.Seq})
		added++
	}
	return 200, fmt.Sprintf("%d added or refreshed, %d removed", added, removed), none
}

// ours reports whether u's host is one of the registrar's domains.
func (rg *Registrar) ours(u uri.URI) bool {
	return slices.Contains(rg.domains, strings.ToLower(u.Host))
}

// authenticate checks the Digest credentials of req (RFC 3261 22.4, RFC
// 2617 3.2.2) and returns the user name. Without valid credentials it
// sends 401 with a new challenge and returns false; a correct answer to a
// nonce the registrar no longer remembers gets stale=true.
func (rg *Registrar) authenticate(tx transaction.ID, req *sipstack.Request) (string, bool) {
	creds, err := req.Header.Authorization()
	if err != nil {
		rg.reply(tx, rg.response(req, 400), "bad Authorization: "+err.Error())
		return "", false
	}
	why, stale := "no credentials", false
	for _, c := range creds {
		if !strings.EqualFold(c.Scheme, "Digest") || c.Realm() != rg.realm {
			continue
		}
		pw, known := rg.users[c.Username()]
		if !known {
			why = "unknown user " + c.Username()
			break
		}
		if a := c.Algorithm(); a != "" && !strings.EqualFold(a, "MD5") {
			why = "algorithm " + a
			break
		}
		// RFC 2617 3.2.2.5: the digest-uri must name the Request-URI,
		// or the server "SHOULD return a 400 Bad Request error".
		if du, err := uri.Parse(c.URI()); err != nil || !du.Equal(req.RequestURI) {
			rg.reply(tx, rg.response(req, 400), fmt.Sprintf("digest uri %q is not the Request-URI", c.URI()))
			return "", false
		}
		want := digestResponse(c.Username(), rg.realm, pw, req.Method, c.URI(), c.Nonce(), c.NC(), c.CNonce(), c.QOP())
		if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response()))) != 1 {
			why = "wrong digest response for " + c.Username()
			break
		}
		if !slices.Contains(rg.nonces, c.Nonce()) {
			why, stale = "stale nonce", true
			break
		}
		return c.Username(), true
	}
	nonce := rg.newNonce()
	ch := sipstack.AuthParams("").With("realm", rg.realm, true).With("qop", "auth", true).
		With("nonce", nonce, true).With("algorithm", "MD5", false)
	if stale {
		ch = ch.With("stale", "TRUE", false)
	}
	resp := rg.response(req, 401)
	resp.Header.Add("WWW-Authenticate", "Digest "+string(ch))
	rg.reply(tx, resp, "challenge: "+why)
	return "", false
}

// newNonce draws a nonce from the registrar's stream and remembers it,
// forgetting the oldest beyond rgNonceMemory.
func (rg *Registrar) newNonce() string {
	var b [8]byte
	v := rg.core.Rand().Uint64()
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	n := hex.EncodeToString(b[:])
	if len(rg.nonces) == rgNonceMemory {
		rg.nonces = slices.Delete(rg.nonces, 0, 1)
	}
	rg.nonces = append(rg.nonces, n)
	return n
}

// response builds a response with the registrar's To tag (RFC 3261
// 8.2.6.2).
func (rg *Registrar) response(req *sipstack.Request, code int) *sipstack.Response {
	resp := sipstack.NewResponse(req, code, "")
	if to, err := resp.Header.To(); err == nil && to.Tag() == "" {
		to.Params = to.Params.Set("tag", rg.core.IDs().Tag())
		resp.Header.Set("To", to.String())
	}
	return resp
}

// reply sends resp on tx and reports why to the trace.
func (rg *Registrar) reply(tx transaction.ID, resp *sipstack.Response, why string) {
	rg.core.Note(strconv.Itoa(resp.StatusCode), why)
	if err := rg.core.Respond(tx, resp); err != nil {
		rg.core.Note("respond-error", err.Error())
	}
}

// Response is never called: a registrar sends no request.
func (rg *Registrar) Response(transaction.ID, *sipstack.Response) {}

// Failed is never called for a server transaction answered at once; a
// transport error on a response is already in the trace.
func (rg *Registrar) Failed(transaction.ID, transaction.Timer) {}

// rgUnsupported returns the option tags of req's Require header, none of
// which these elements support (RFC 3261 8.2.2.3); CANCEL and ACK are not
// checked.
func rgUnsupported(req *sipstack.Request) []string {
	if req.Method == sipstack.CANCEL || req.Method == sipstack.ACK {
		return nil
	}
	return req.Header.Require()
}

// rgContact formats a Contact value for a 200 to REGISTER or a 3xx: the
// URI with q (when not 1000) and expires (when non-zero, whole seconds)
// parameters (RFC 3261 10.3 step 8, 20.10).
func rgContact(u uri.URI, q int, expires time.Duration) string {
	var p sipstack.Params
	if q != 1000 && q >= 0 {
		p = p.Set("q", rgQ(q))
	}
	if expires > 0 {
		p = p.Set("expires", strconv.FormatInt(int64(expires/time.Second), 10))
	}
	return sipstack.Address{URI: u, Params: p}.String()
}

// rgQ writes q thousandths as a qvalue: "0.7", "0.25", "1" (RFC 3261 25.1).
func rgQ(q int) string {
	if q >= 1000 {
		return "1"
	}
	s := strings.TrimRight(fmt.Sprintf("0.%03d", q), "0")
	if s == "0." {
		return "0"
	}
	return s
}
