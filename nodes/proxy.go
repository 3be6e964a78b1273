package nodes

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// DefaultTimerC is the Timer C of a [StatefulProxy] when
// [ProxyOptions.TimerC] is zero. RFC 3261 16.6 step 11: "Timer C MUST be
// set for each client transaction when an INVITE request is proxied. The
// timer MUST be larger than 3 minutes."
const DefaultTimerC = 3*time.Minute + 1*time.Second

// DefaultNonceLifetime is how long a nonce of a [StatefulProxy]'s 407
// challenge stays valid when [ProxyOptions.NonceLifetime] is zero.
const DefaultNonceLifetime = 5 * time.Minute

// ForkMode says how a [StatefulProxy] works through a target set with more
// than one target (RFC 3261 16.6: "the proxy MAY process the targets in
// parallel or sequentially").
type ForkMode uint8

const (
	// ForkParallel forwards the request to every target at once (the
	// zero value).
	ForkParallel ForkMode = iota
	// ForkSequential forwards to one target at a time, in decreasing q
	// order (RFC 3261 16.6: "in order of their q-value"), moving to the
	// next when a branch ends with a final response other than 2xx and
	// 6xx.
	ForkSequential
)

// String returns "parallel" or "sequential".
func (m ForkMode) String() string {
	switch m {
	case ForkParallel:
		return "parallel"
	case ForkSequential:
		return "sequential"
	}
	return "ForkMode(" + strconv.Itoa(int(m)) + ")"
}

// ProxyOptions configures a [StatefulProxy]. The zero value is a proxy
// responsible for no domain that forwards every request to its
// Request-URI, does not record-route, does not recurse, forks in parallel,
// and authenticates nobody.
//
// The 100 (Trying) that a proxy sends for an INVITE (RFC 3261 16.2) is the
// server transaction's, governed by [Config].Timers.Trying.
type ProxyOptions struct {
	// Domains are the domains the proxy is responsible for (RFC 3261
	// 16.5): a request whose Request-URI is in one of them, and has no
	// maddr, gets its targets from Location. Names compare
	// case-insensitively.
	Domains []string
	// Location is the location service of Domains. When nil, a request
	// for one of Domains is routed like one for a foreign domain (by
	// Routes, then Resolver), but the proxy stays responsible for it and
	// may recurse on 3xx responses (the reference scenario's proxy that
	// asks a redirect server).
	Location *LocationService
	// Routes is the domain routing table: the next-hop URI of a request
	// that has no Route and whose target's host is a domain of the table
	// (compared case-insensitively), tried before the Resolver (RFC 3261
	// 16.6 step 7 leaves the choice to "local policy"). The next-hop URI
	// is resolved like any other; the Request-URI is not changed and no
	// Route is pushed.
	Routes map[string]uri.URI
	// Resolver finds the servers of a next-hop URI (RFC 3263). When nil,
	// a next hop must be an IP address or the name of a host of the
	// network.
	Resolver *Resolver
	// RecordRoute makes the proxy insert <sip:address:port;lr> in
	// Record-Route of requests that may create a dialog, so that the rest
	// of the dialog goes through it (RFC 3261 16.6 step 4).
	RecordRoute bool
	// Recurse3xx makes the proxy recurse on the contacts of 3xx responses
	// on the caller's behalf, for requests of Domains only (RFC 3261 16.5,
	// 16.7 step 4); otherwise 3xx responses are candidates for the best
	// response like any other.
	Recurse3xx bool
	// Fork chooses parallel or sequential forking.
	Fork ForkMode
	// TimerC bounds how long an INVITE branch waits for a final response
	// after its last provisional one (RFC 3261 16.6 step 11, 16.8); zero
	// means DefaultTimerC.
	TimerC time.Duration
	// AuthRealm, when not empty, makes the proxy demand digest credentials
	// of that realm on requests outside a dialog (other than ACK and
	// CANCEL) and answer 407 (Proxy Authentication Required) without
	// them (RFC 3261 22.3).
	AuthRealm string
	// Credentials maps user names to passwords for AuthRealm. Only MD5
	// digests are checked (RFC 2617 3.2.2).
	Credentials map[string]string
	// NonceLifetime is how long a nonce of a challenge is accepted; zero
	// means DefaultNonceLifetime.
	NonceLifetime time.Duration
	// Supported lists the option tags the proxy understands in
	// Proxy-Require (RFC 3261 16.3 step 5); any other gets a 420.
	Supported []string
	// TimeoutStatus is the status code of the response a branch ends with
	// when its client transaction times out (Timer B or F) and no server
	// is left to try; zero means 408 (Request Timeout), as RFC 3261 16.7
	// step 6 and 16.8 treat a timeout. RFC 3665 3.10 shows a proxy that
	// answers 480 (Temporarily Unavailable, "No Response") instead.
	TimeoutStatus int
}

// StatefulProxy is a transaction-stateful proxy (RFC 3261 16): it validates
// each request (16.3), pre-processes its route (16.4), builds a target set
// from its location service or routing table (16.5), forwards to each
// target through a client transaction (16.6, with RFC 5393 loop detection
// in the branch), keeps a response context that forwards provisional and
// 2xx responses at once and the best final response at the end (16.7),
// runs Timer C (16.8), treats transport errors as 503 (16.9), and handles
// CANCEL (16.10). ACKs of 2xx responses are forwarded statelessly.
//
// It reports each decision to the trace with [Core.Note]: "route",
// "fork", "recurse", "loop", "challenge" and "best".
type StatefulProxy struct {
	core     *Core
	opts     ProxyOptions
	rr       uri.URI
	contexts map[transaction.ID]*spContext // by server transaction
	branches map[transaction.ID]*spBranch  // by client transaction
	nonces   map[string]sim.Time           // issued nonce -> expiry
	layer    *transaction.Layer            // the Core's layer the state belongs to
}

// spContext is the response context of one proxied request (RFC 3261 16.7).
type spContext struct {
	server      transaction.ID
	req         *sipstack.Request // as it will be forwarded, before per-branch changes
	respDest    transaction.Destination
	hash        string // the loop-detection part of the branches
	topVia      string // the top Via received, for the other part
	responsible bool
	seen        []uri.URI   // every URI ever in the target set (16.5: once each)
	queue       []uri.URI   // targets not yet tried
	branches    []*spBranch // in creation order
	responses   []*sipstack.Response
	finalSent   bool
	noNew       bool // 6xx, CANCEL or final sent: no new branches
	cancelled   bool // a CANCEL arrived
}

// spBranch is one target being tried.
type spBranch struct {
	ctx         *spContext
	target      uri.URI
	req         *sipstack.Request // forwarded, without our Via
	sent        *sipstack.Request // last sent, with our Via
	why         string
	dests       []Target
	next        int
	dest        Target
	tx          transaction.ID
	provisional bool
	done        bool
	cancelWant  bool
	cancelSent  bool
	timer       sim.EventID // Timer C, or the wait for the answer to a CANCEL
}

// spAllow is the Allow value of the proxy's own answer to OPTIONS.
const spAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS"

// Errors of [NewStatefulProxy].
var ErrProxyOptions = errors.New("nodes: bad proxy options")

// NewStatefulProxy starts a stateful proxy with options opts on the host
// cfg.Host of net.
func NewStatefulProxy(net *sim.Network, cfg Config, opts ProxyOptions) (*StatefulProxy, error) {
	if opts.TimerC == 0 {
		opts.TimerC = DefaultTimerC
	}
	if opts.TimerC <= 3*time.Minute {
		return nil, fmt.Errorf("%w: Timer C %v is not above 3 minutes (RFC 3261 16.6 step 11)", ErrProxyOptions, opts.TimerC)
	}
	if opts.NonceLifetime <= 0 {
		opts.NonceLifetime = DefaultNonceLifetime
	}
	if opts.TimeoutStatus == 0 {
		opts.TimeoutStatus = 408
	}
	if opts.TimeoutStatus < 400 || opts.TimeoutStatus > 699 {
		return nil, fmt.Errorf("%w: timeout status %d is not a failure (4xx-6xx)", ErrProxyOptions, opts.TimeoutStatus)
	}
	if opts.Fork > ForkSequential {
		return nil, fmt.Errorf("%w: %v", ErrProxyOptions, opts.Fork)
	}
	domains := make([]string, len(opts.Domains))
	for i, d := range opts.Domains {
		domains[i] = strings.ToLower(d)
	}
	opts.Domains = domains
	routes := make(map[string]uri.URI, len(opts.Routes))
	for d, u := range opts.Routes { // a copy: order does not matter
		routes[strings.ToLower(d)] = u
	}
	opts.Routes = routes
	p := &StatefulProxy{
		opts:     opts,
		contexts: map[transaction.ID]*spContext{},
		branches: map[transaction.ID]*spBranch{},
		nonces:   map[string]sim.Time{},
	}
	c, err := NewCore(net, cfg, p)
	if err != nil {
		return nil, err
	}
	p.core = c
	p.layer = c.Layer()
	rr, err := uri.Parse("sip:" + c.Addr().String() + ";lr")
	if err != nil {
		return nil, err
	}
	p.rr = rr
	return p, nil
}

// Core returns the proxy's network binding.
func (p *StatefulProxy) Core() *Core { return p.core }

// RecordRouteURI returns the URI the proxy puts in Record-Route, and
// recognizes in Route, <sip:address:port;lr> (RFC 3261 16.6 step 4).
func (p *StatefulProxy) RecordRouteURI() uri.URI { return p.rr }

// Contexts returns the number of live response contexts, for tests and
// statistics.
func (p *StatefulProxy) Contexts() int { return len(p.contexts) }

// live drops every response context when the host has crashed since they
// were made (the Core then has a new, empty transaction layer), as a
// rebooted proxy forgets its calls, and reports whether the host is up.
func (p *StatefulProxy) live() bool {
	if p.core.Layer() != p.layer {
		servers := make([]transaction.ID, 0, len(p.contexts))
		for id := range p.contexts {
			servers = append(servers, id)
		}
		slices.Sort(servers)
		for _, id := range servers {
			for _, b := range p.contexts[id].branches {
				p.stopTimer(b)
				b.done = true
			}
		}
		clear(p.contexts)
		clear(p.branches)
		p.layer = p.core.Layer()
	}
	return !p.core.crashed
}

// Request implements [Handler]: a new request from the network.
func (p *StatefulProxy) Request(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	if !p.live() {
		return
	}
	switch req.Method {
	case sipstack.ACK:
		p.forwardACK(req)
		return
	case sipstack.CANCEL:
		if p.receiveCancel(tx, req) {
			return
		}
	}
	p.proxy(tx, req, src)
}

// proxy runs RFC 3261 16.3 to 16.6 on a new request of server transaction
// tx that came from src.
func (p *StatefulProxy) proxy(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	fwd, code, extra := p.validate(req)
	if code != 0 {
		p.reject(tx, req, code, extra)
		return
	}
	top, _ := req.Header.Via()
	dest, err := transaction.ResponseDestination(top, src)
	if err != nil {
		dest = src
	}
	if _, routed, _ := fwd.Header.Route(); !routed && p.isSelf(fwd.RequestURI) {
		// RFC 3261 16.5: a resource at this proxy. The proxy has none
		// but itself, which answers OPTIONS (RFC 3261 11.2).
		if req.Method == sipstack.OPTIONS {
			p.reject(tx, req, 200, []sipstack.HeaderField{{Name: "Allow", Value: spAllow}})
		} else {
			p.reject(tx, req, 404, nil)
		}
		return
	}
	ctx := &spContext{server: tx, req: fwd, respDest: dest, hash: p.hash(fwd), topVia: top.String()}
	targets, code, why := p.targetSet(fwd, ctx)
	if code != 0 {
		p.reject(tx, req, code, nil)
		return
	}
	p.contexts[tx] = ctx
	ctx.seen = slices.Clone(targets)
	ctx.queue = slices.Clone(targets)
	if len(targets) > 1 {
		list := make([]string, len(targets))
		for i, t := range targets {
			list[i] = t.String()
		}
		p.core.Note("fork", p.opts.Fork.String()+": "+strings.Join(list, ", "))
	}
	p.advance(ctx, why)
}

// validate runs RFC 3261 16.3 and the route pre-processing of 16.4 on a
// copy of req. It returns the copy, or the status code to reject req with
// and header fields to add to the rejection.
func (p *StatefulProxy) validate(req *sipstack.Request) (*sipstack.Request, int, []sipstack.HeaderField) {
	// Step 1, syntax, was the parser's. Step 2: URI scheme.
	if !req.RequestURI.IsSIP() && !req.RequestURI.IsSIPS() {
		return nil, 416, nil
	}
	// Step 3: Max-Forwards.
	if mf, ok := req.Header.MaxForwards(); ok && mf == 0 {
		if req.Method == sipstack.OPTIONS {
			return nil, 200, []sipstack.HeaderField{{Name: "Allow", Value: spAllow}}
		}
		return nil, 483, nil
	}
	fwd := req.Clone()
	p.preRoute(fwd)
	// Step 4: loop detection (RFC 5393 4.2): a Via of ours whose branch
	// carries the hash this request gives now has come back unchanged.
	if p.looped(fwd) {
		p.core.Note("loop", fmt.Sprintf("%s %s came back (482)", req.Method, req.RequestURI))
		return nil, 482, nil
	}
	// Step 5: Proxy-Require.
	var unsupported []string
	for _, tag := range req.Header.ProxyRequire() {
		if !slices.ContainsFunc(p.opts.Supported, func(s string) bool { return strings.EqualFold(s, tag) }) {
			unsupported = append(unsupported, tag)
		}
	}
	if len(unsupported) > 0 {
		return nil, 420, []sipstack.HeaderField{{Name: "Unsupported", Value: strings.Join(unsupported, ", ")}}
	}
	// Step 6: Proxy-Authorization.
	if p.opts.AuthRealm != "" && p.needsAuth(req) {
		if ok, stale := p.authorized(fwd, req.RequestURI); !ok {
			nonce := p.newNonce()
			ch := sipstack.AuthParams("").
				With("realm", p.opts.AuthRealm, true).
				With("nonce", nonce, true).
				With("qop", "auth", true).
				With("algorithm", "MD5", false)
			if stale {
				ch = ch.With("stale", "TRUE", false)
			}
			p.core.Note("challenge", fmt.Sprintf("407 for %s %s, realm %q", req.Method, req.RequestURI, p.opts.AuthRealm))
			return nil, 407, []sipstack.HeaderField{{Name: "Proxy-Authenticate", Value: "Digest " + string(ch)}}
		}
	}
	return fwd, 0, nil
}

// preRoute applies RFC 3261 16.4 to req: a Request-URI that is our
// Record-Route value means a strict router upstream, and the last Route
// value becomes the Request-URI; a top Route naming us is removed.
func (p *StatefulProxy) preRoute(req *sipstack.Request) {
	if p.isSelf(req.RequestURI) && req.Header.Has("Route") {
		routes, err := req.Header.Routes()
		if err == nil && len(routes) > 0 {
			req.RequestURI = routes[len(routes)-1].URI
			req.Header.Del("Route")
			for _, r := range routes[:len(routes)-1] {
				req.Header.Add("Route", r.String())
			}
		}
	}
	if r, ok, err := req.Header.Route(); err == nil && ok && p.isSelf(r.URI) {
		_, _ = req.Header.PopRoute()
	}
}

// isSelf reports whether u names this proxy: its address or host name,
// with its port (RFC 3261 16.4: "indicates this proxy").
func (p *StatefulProxy) isSelf(u uri.URI) bool {
	if u.User != "" && !u.Equal(p.rr) {
		return false
	}
	a := p.core.Addr()
	host := strings.Trim(u.Host, "[]")
	if host != a.Addr().String() && !strings.EqualFold(host, p.core.Name()) {
		return false
	}
	return portOr(u.Port) == a.Port()
}

// isOurVia reports whether v has this proxy's sent-by.
func (p *StatefulProxy) isOurVia(v sipstack.Via) bool {
	a := p.core.Addr()
	host := strings.Trim(v.Host, "[]")
	if host != a.Addr().String() && !strings.EqualFold(host, p.core.Name()) {
		return false
	}
	return portOr(v.Port) == a.Port()
}

// looped reports whether req carries a Via of ours with the branch hash
// that req gives now (RFC 3261 16.3 step 4; RFC 5393 4.2).
func (p *StatefulProxy) looped(req *sipstack.Request) bool {
	vias, err := req.Header.Vias()
	if err != nil {
		return false
	}
	prefix := sipstack.BranchMagicCookie + p.hash(req) + "."
	for _, v := range vias {
		if p.isOurVia(v) && strings.HasPrefix(v.Branch(), prefix) {
			return true
		}
	}
	return false
}

// hash is the first part of the branch parameter (RFC 3261 16.6 step 8,
// the loop-detection part that RFC 5393 makes mandatory for forking
// proxies): a hash of the fields that decide where req goes from here, so
// that a request that comes back with them unchanged has looped and one
// that comes back changed (a new Request-URI from a location service) is
// spiralling (16.3 step 4). The fields are the Request-URI after route
// pre-processing (16.4), the From tag, the Call-ID, the CSeq number, and
// the Route, Proxy-Require and Proxy-Authorization values that will be
// forwarded (this proxy's own Route and credentials taken out). Left out
// are the method ("The request method MUST NOT be included in the
// calculation of the branch parameter"), Max-Forwards, and two fields of
// RFC 3261's example recipe: the To tag, which the ACK of a non-2xx
// response has and its INVITE has not, although both MUST have the same
// branch; and the topmost Via, since a request that loops through other
// elements back to this one always arrives with another topmost Via, and
// with it in the hash no such loop would ever be detected.
func (p *StatefulProxy) hash(req *sipstack.Request) string {
	h := fnv.New64a()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(req.RequestURI.String())
	from, _ := req.Header.From()
	w(from.Tag())
	w(req.Header.CallID())
	cs, _ := req.Header.CSeq()
	w(strconv.FormatUint(uint64(cs.Seq), 10))
	for _, r := range req.Header.Values("Route") {
		w(r)
	}
	for _, r := range req.Header.Values("Proxy-Require") {
		w(r)
	}
	creds, _ := req.Header.ProxyAuthorization()
	for _, c := range creds {
		if p.opts.AuthRealm == "" || c.Realm() != p.opts.AuthRealm {
			w(c.String())
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

// via returns the proxy's Via for a request it forwards over transport t
// with the given branch (RFC 3261 16.6 step 8).
func (p *StatefulProxy) via(t transaction.Transport, branch string) sipstack.Via {
	a := p.core.Addr()
	return sipstack.Via{
		Transport: t.String(),
		Host:      a.Addr().String(),
		Port:      int(a.Port()),
		Params:    sipstack.Params("").Set("branch", branch),
	}
}

// spBranchID returns the branch of the request forwarded to target on
// the given attempt (0 for its first destination, 1 for the next server,
// ...), for a received request whose loop-detection hash is h and whose
// top Via is top (RFC 3261 16.6 step 8): the magic cookie, h, and a hash
// of top, target and attempt that tells the branches and transactions
// apart.
//
// The branch is a function of the request alone, as a stateless proxy's is
// (16.11), so that a CANCEL, or an ACK of a non-2xx response, forwarded
// after the proxy lost the INVITE's state (a crash) gets the branch of the
// INVITE it follows, as 16.6 step 8 requires ("CANCEL and ACK requests
// (for non-2xx responses) MUST have the same branch value as the
// corresponding request they cancel or acknowledge"), and matches the
// transaction downstream.
func spBranchID(h, top string, target uri.URI, attempt int) string {
	f := fnv.New64a()
	f.Write([]byte(top))
	f.Write([]byte{0})
	f.Write([]byte(target.String()))
	f.Write([]byte{0})
	f.Write([]byte(strconv.Itoa(attempt)))
	return sipstack.BranchMagicCookie + h + "." + strconv.FormatUint(f.Sum64(), 36)
}

// reject answers req itself with code through server transaction tx, as a
// UAS would (RFC 3261 16.3: "the element MUST behave as a user agent
// server"), with a To tag of its own.
func (p *StatefulProxy) reject(tx transaction.ID, req *sipstack.Request, code int, extra []sipstack.HeaderField) {
	resp := p.localResponse(req, code)
	for _, f := range extra {
		resp.Header.Add(f.Name, f.Value)
	}
	_ = p.core.Respond(tx, resp)
}

// localResponse builds a response of the proxy itself to req, with a To
// tag when req has none (RFC 3261 8.2.6.2).
func (p *StatefulProxy) localResponse(req *sipstack.Request, code int) *sipstack.Response {
	resp := sipstack.NewResponse(req, code, "")
	if to, err := resp.Header.To(); err == nil && to.Tag() == "" && code > 100 {
		to.Params = to.Params.Set("tag", p.core.IDs().Tag())
		resp.Header.Set("To", to.String())
	}
	return resp
}

// targetSet builds the target set of req (RFC 3261 16.5). It returns a
// status code instead when there is nobody to forward to: 404 for an
// unknown user of our domain, 480 for a known one with no binding now.
func (p *StatefulProxy) targetSet(req *sipstack.Request, ctx *spContext) ([]uri.URI, int, string) {
	u := req.RequestURI
	if u.Maddr() != "" || !p.ownDomain(u.Host) {
		return []uri.URI{u}, 0, ""
	}
	ctx.responsible = true
	if p.opts.Location == nil {
		return []uri.URI{u}, 0, ""
	}
	if !p.opts.Location.Known(u) {
		p.core.Note("route", u.String()+": unknown user (404)")
		return nil, 404, ""
	}
	bs := p.opts.Location.Lookup(u, p.core.Sim().Now())
	if len(bs) == 0 {
		p.core.Note("route", u.String()+": no binding now (480)")
		return nil, 480, ""
	}
	out := make([]uri.URI, 0, len(bs))
	for _, b := range bs {
		if !slices.ContainsFunc(out, b.Contact.Equal) {
			out = append(out, b.Contact)
		}
	}
	return out, 0, "location"
}

// ownDomain reports whether host is one of the proxy's domains.
func (p *StatefulProxy) ownDomain(host string) bool {
	return slices.Contains(p.opts.Domains, strings.ToLower(host))
}

// needsAuth reports whether req must carry credentials: a request outside
// a dialog, other than ACK and CANCEL, which cannot be challenged (RFC
// 3261 22.1).
func (p *StatefulProxy) needsAuth(req *sipstack.Request) bool {
	if req.Method == sipstack.CANCEL || req.Method == sipstack.ACK {
		return false
	}
	to, err := req.Header.To()
	return err == nil && to.Tag() == ""
}

// authorized checks the Proxy-Authorization credentials of our realm in
// fwd (RFC 3261 22.3, RFC 2617 3.2.2): a known user, an MD5 digest of the
// right password over the method and the digest-uri, which must be the
// Request-URI received (ruri), and a nonce this proxy issued. Valid
// credentials are removed from fwd, which is forwarded without them. stale
// reports credentials that were right but for a nonce that has expired or
// that the proxy forgot (RFC 2617 3.2.1: the client may retry at once).
func (p *StatefulProxy) authorized(fwd *sipstack.Request, ruri uri.URI) (ok, stale bool) {
	creds, err := fwd.Header.ProxyAuthorization()
	if err != nil || len(creds) == 0 {
		return false, false
	}
	now := p.core.Sim().Now()
	var keep []string
	for _, c := range creds {
		if c.Realm() != p.opts.AuthRealm {
			keep = append(keep, c.String())
			continue
		}
		pw, known := p.opts.Credentials[c.Username()]
		if !known || !strings.EqualFold(c.Scheme, "Digest") {
			continue
		}
		if alg := c.Algorithm(); alg != "" && !strings.EqualFold(alg, "MD5") {
			continue
		}
		if u, err := uri.Parse(c.URI()); err != nil || !u.Equal(ruri) {
			continue
		}
		if digestResponse(c.Username(), p.opts.AuthRealm, pw, fwd.Method, c.URI(), c.Nonce(), c.NC(), c.CNonce(), c.QOP()) != strings.ToLower(c.Response()) {
			continue
		}
		if exp, issued := p.nonces[c.Nonce()]; !issued || exp <= now {
			stale = true
			continue
		}
		ok = true
	}
	if ok {
		fwd.Header.Del("Proxy-Authorization")
		for _, k := range keep {
			fwd.Header.Add("Proxy-Authorization", k)
		}
	}
	return ok, stale && !ok
}

// newNonce issues a nonce from the proxy's stream and forgets expired ones.
func (p *StatefulProxy) newNonce() string {
	now := p.core.Sim().Now()
	for n, exp := range p.nonces { // deletion only: order does not matter
		if exp <= now {
			delete(p.nonces, n)
		}
	}
	n := p.core.IDs().Tag() + p.core.IDs().Tag()
	p.nonces[n] = now.Add(p.opts.NonceLifetime)
	return n
}

// advance starts branches for queued targets, all of them in parallel
// mode and one at a time in sequential mode, and forwards the best
// response when nothing is left to try (RFC 3261 16.7 step 6).
func (p *StatefulProxy) advance(ctx *spContext, why string) {
	for !ctx.noNew && len(ctx.queue) > 0 {
		if p.opts.Fork == ForkSequential && ctx.active() > 0 {
			break
		}
		t := ctx.queue[0]
		ctx.queue = ctx.queue[1:]
		p.startBranch(ctx, t, why)
	}
	if ctx.active() > 0 {
		return
	}
	if !ctx.finalSent {
		p.sendBest(ctx)
	}
	delete(p.contexts, ctx.server)
}

// active returns the number of branches without a final response.
func (ctx *spContext) active() int {
	n := 0
	for _, b := range ctx.branches {
		if !b.done {
			n++
		}
	}
	return n
}

// startBranch forwards the request of ctx to target (RFC 3261 16.6).
func (p *StatefulProxy) startBranch(ctx *spContext, target uri.URI, why string) {
	req := ctx.req.Clone()
	req.RequestURI = target // step 2
	if mf, ok := req.Header.MaxForwards(); ok {
		req.Header.SetMaxForwards(mf - 1) // step 3
	} else {
		req.Header.SetMaxForwards(70)
	}
	if p.opts.RecordRoute && spMayCreateDialog(req) { // step 4
		spPrependRecordRoute(&req.Header, "<"+p.rr.String()+">")
	}
	b := &spBranch{ctx: ctx, target: target, req: req}
	ctx.branches = append(ctx.branches, b)
	// Step 6 (the proxy pushes no Route of its own) and step 7.
	hop, how := p.nextHop(req)
	if why == "" {
		why = how
	}
	b.why = why
	dests, delay, err := p.resolve(hop)
	if err != nil {
		p.core.Note("route", fmt.Sprintf("%s: %v (%s)", target, err, why))
		p.branchFinal(b, p.localResponse(ctx.req, 503)) // RFC 3263: no server is as if 503
		return
	}
	b.dests = dests
	if delay > 0 {
		p.core.after(delay, func() {
			if p.live() && !b.done {
				p.attempt(b)
			}
		})
		return
	}
	p.attempt(b)
}

// spPrependRecordRoute inserts rr before the existing Record-Route
// values, or after the Via fields when there are none, where RFC 3665's
// messages have it.
func spPrependRecordRoute(h *sipstack.Header, rr string) {
	if h.Has("Record-Route") {
		h.Prepend("Record-Route", rr)
		return
	}
	at := 0
	for i := range h.Len() {
		if h.Field(i).Name == "Via" {
			at = i + 1
		}
	}
	h.Insert(at, "Record-Route", rr)
}

// spMayCreateDialog reports whether a proxy that wants to stay on the
// dialog path record-routes req: a request outside a dialog that may
// create one (RFC 3261 16.6 step 4, 12.1).
func spMayCreateDialog(req *sipstack.Request) bool {
	switch req.Method {
	case sipstack.REGISTER, sipstack.CANCEL, sipstack.ACK, sipstack.OPTIONS:
		return false
	}
	to, err := req.Header.To()
	return err == nil && to.Tag() == ""
}

// nextHop returns the URI that decides where req goes (RFC 3261 16.6
// step 7): the top Route, else the routing table entry of the target's
// domain, else the target itself; and how it was chosen.
//
// A top Route without lr names a strict router (RFC 3261 16.6 step 6):
// req is rewritten for it, its URI becoming the Request-URI and the
// Request-URI the last Route value, and it is the next hop.
func (p *StatefulProxy) nextHop(req *sipstack.Request) (uri.URI, string) {
	if r, ok, err := req.Header.Route(); err == nil && ok {
		if r.URI.LooseRouting() {
			return r.URI, "route header"
		}
		routes, err := req.Header.Routes()
		if err == nil {
			req.Header.Del("Route")
			for _, v := range routes[1:] {
				req.Header.Add("Route", v.String())
			}
			req.Header.Add("Route", "<"+req.RequestURI.String()+">")
			req.RequestURI = r.URI
			return r.URI, "strict route"
		}
	}
	u := req.RequestURI
	if u.Maddr() == "" {
		if hop, ok := p.opts.Routes[strings.ToLower(u.Host)]; ok {
			return hop, "table"
		}
	}
	if p.opts.Resolver != nil {
		return u, "resolver"
	}
	return u, "direct"
}

// resolve returns the destinations of u, in the order to try them.
func (p *StatefulProxy) resolve(u uri.URI) ([]Target, time.Duration, error) {
	if p.opts.Resolver != nil {
		return p.opts.Resolver.Resolve(u, p.core.Sim().Now(), p.core.Rand())
	}
	host := u.Host
	if m := u.Maddr(); m != "" {
		host = m
	}
	tr, _ := uriTransport(u)
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return []Target{{Addr: netip.AddrPortFrom(a, portOr(u.Port)), Transport: tr}}, 0, nil
	}
	if h := p.core.net.Host(host); h != nil {
		return []Target{{Addr: h.AddrPort(portOr(u.Port)), Transport: tr}}, 0, nil
	}
	return nil, 0, fmt.Errorf("%w: %s", ErrNoAddress, host)
}

// attempt sends the branch's request to its next destination through a
// new client transaction, with a new Via (RFC 3261 16.6 steps 8 and 10),
// and starts Timer C for an INVITE (step 11).
func (p *StatefulProxy) attempt(b *spBranch) {
	ctx := b.ctx
	if b.next >= len(b.dests) {
		p.branchFinal(b, p.localResponse(ctx.req, 503))
		return
	}
	b.dest = b.dests[b.next]
	req := b.req.Clone()
	req.Header.PrependVia(p.via(b.dest.Transport, spBranchID(ctx.hash, ctx.topVia, b.target, b.next)))
	b.next++
	b.dest = p.core.Transport(req, b.dest)
	b.sent = req
	p.core.Note("route", fmt.Sprintf("%s %s to %v (%s)", req.Method, b.target, b.dest, b.why))
	tx, err := p.core.SendRequest(req, b.dest)
	if err != nil {
		b.tx = 0
		p.branchFailed(b, 503) // RFC 3261 16.9
		return
	}
	b.tx = tx
	p.branches[tx] = b
	if req.Method == sipstack.INVITE {
		p.startTimerC(b)
	}
}

// startTimerC (re)starts Timer C of b (RFC 3261 16.6 step 11, 16.7 step 2).
func (p *StatefulProxy) startTimerC(b *spBranch) {
	p.core.Sim().Cancel(b.timer)
	b.timer = p.core.after(p.opts.TimerC, func() { p.timerC(b) })
}

// timerC handles the firing of Timer C (RFC 3261 16.8): "If the client
// transaction has received a provisional response, the proxy MUST generate
// a CANCEL request matching that transaction. If the client transaction
// has not received a provisional response, the proxy MUST behave as if the
// transaction received a 408 (Request Timeout) response."
func (p *StatefulProxy) timerC(b *spBranch) {
	b.timer = sim.EventID{}
	if !p.live() || b.done {
		return
	}
	p.core.Note("timeout", fmt.Sprintf("Timer C on %s", b.target))
	if b.provisional {
		p.sendCancel(b)
		return
	}
	p.core.Abandon(b.tx)
	delete(p.branches, b.tx)
	p.branchFinal(b, p.localResponse(b.ctx.req, 408))
}

// cancelBranch cancels b (RFC 3261 16.10): at once when it has had a
// provisional response, else as soon as it has one (RFC 3261 9.1: "If no
// provisional response has been received, the CANCEL request MUST NOT be
// sent"). A branch that is still resolving ends without sending.
func (p *StatefulProxy) cancelBranch(b *spBranch) {
	if b.done || b.cancelSent || b.sent == nil || b.sent.Method != sipstack.INVITE {
		if !b.done && b.sent == nil {
			p.branchFinal(b, p.localResponse(b.ctx.req, 487))
		}
		return
	}
	if !b.provisional {
		b.cancelWant = true
		return
	}
	p.sendCancel(b)
}

// sendCancel sends the CANCEL of b's INVITE to the same destination, and
// gives the INVITE 64*T1 to end, after which its transaction is destroyed
// (RFC 3261 9.1).
func (p *StatefulProxy) sendCancel(b *spBranch) {
	if b.cancelSent {
		return
	}
	b.cancelSent = true
	cancel, err := dialog.NewCancel(b.sent)
	if err == nil {
		_, _ = p.core.SendRequest(cancel, b.dest)
	}
	p.core.Sim().Cancel(b.timer)
	wait := 64 * p.core.Layer().Config().T1
	b.timer = p.core.after(wait, func() {
		b.timer = sim.EventID{}
		if !p.live() || b.done {
			return
		}
		p.core.Abandon(b.tx)
		delete(p.branches, b.tx)
		code := 408
		if b.ctx.cancelled {
			code = 487
		}
		p.branchFinal(b, p.localResponse(b.ctx.req, code))
	})
}

// receiveCancel handles a CANCEL that matches an INVITE server
// transaction (RFC 3261 16.10): 200 to it and CANCEL of every pending
// branch of its response context; the branches' 487 responses then make
// the best response. It reports false for a CANCEL that matches none,
// which "MUST" then be forwarded (16.10) and is proxied like any other
// request: through a transaction of its own rather than statelessly, so
// that the answer to it comes back to the caller (a proxy that crashed
// and forgot the INVITE still lets it be cancelled).
func (p *StatefulProxy) receiveCancel(tx transaction.ID, req *sipstack.Request) bool {
	inv, ok := p.core.Layer().CancelTarget(req)
	if !ok {
		return false
	}
	ok200, err := dialog.NewCancelOK(req, "")
	if err != nil {
		ok200 = sipstack.NewResponse(req, 200, "")
	}
	_ = p.core.Respond(tx, ok200)
	ctx := p.contexts[inv]
	if ctx == nil || ctx.finalSent {
		return true
	}
	ctx.cancelled = true
	ctx.noNew = true
	ctx.queue = nil
	for _, b := range slices.Clone(ctx.branches) {
		p.cancelBranch(b)
	}
	return true
}

// Response implements [Handler]: a response from client transaction tx
// (RFC 3261 16.7), or one that matches none.
func (p *StatefulProxy) Response(tx transaction.ID, resp *sipstack.Response) {
	if !p.live() {
		return
	}
	top, err := resp.Header.PopVia() // step 3
	if err != nil || !p.isOurVia(top) {
		return
	}
	b := p.branches[tx]
	if tx == 0 {
		b = nil
	}
	if len(resp.Header.Values("Via")) == 0 {
		if b == nil {
			return // the response to our own CANCEL
		}
		// A branch's response with our Via alone: the next hop matched
		// the request to an earlier server transaction of the same
		// branch and sent that one's response again (RFC 3261 17.2.3).
		// It happens to a CANCEL forwarded after the INVITE's context is
		// gone: it has the INVITE's branch (16.6 step 8), as had the
		// CANCEL this proxy generated itself before (16.10), whose
		// transaction the UAS still holds. Its status answers this
		// request too: rebuild it over the request's Vias, or the branch
		// would never end and the caller never hear.
		local := sipstack.NewResponse(b.ctx.req, resp.StatusCode, resp.Reason)
		if to := resp.Header.Get("To"); to != "" {
			local.Header.Set("To", to)
		}
		resp = local
	}
	if b == nil {
		// 16.7: "If none is found, the element MUST process the
		// response as if it were a stateless proxy": a further 2xx of
		// a forked INVITE, whose branch is over, or any response that
		// outlived the proxy's state (a crash) still reaches the caller.
		p.forwardStateless(resp)
		return
	}
	ctx := b.ctx
	code := resp.StatusCode
	cs, _ := resp.Header.CSeq()
	invite := cs.Method == sipstack.INVITE
	if code < 200 {
		b.provisional = true
		if b.cancelWant {
			p.sendCancel(b)
		}
		if code == 100 {
			return // step 5: never forward 100
		}
		if invite && !b.cancelSent {
			p.startTimerC(b) // step 2
		}
		if !ctx.finalSent {
			_ = p.core.Respond(ctx.server, resp)
		}
		return
	}
	if code < 300 {
		p.stopTimer(b)
		b.done = true
		// Further 2xx of a forked INVITE come through the client
		// transaction's "Accepted" state and are forwarded statelessly.
		delete(p.branches, tx)
		if invite || !ctx.finalSent {
			p.forward2xx(ctx, resp)
		}
		p.finished(ctx)
		return
	}
	if code == 503 && !ctx.noNew && !b.cancelWant && b.next < len(b.dests) {
		// RFC 3665 3.4, RFC 3263 4.3: try the next server.
		p.stopTimer(b)
		delete(p.branches, tx)
		p.attempt(b)
		return
	}
	delete(p.branches, tx)
	p.branchFinal(b, resp)
}

// forward2xx forwards a 2xx at once (16.7 step 5): through the server
// transaction, or statelessly when it is gone (16.7 step 9).
func (p *StatefulProxy) forward2xx(ctx *spContext, resp *sipstack.Response) {
	ctx.finalSent = true
	ctx.noNew = true
	if err := p.core.Respond(ctx.server, resp); err != nil {
		p.core.SendDirect(resp, ctx.respDest)
	}
}

// forwardStateless sends resp, whose own Via is already removed, to the
// element of its next Via (RFC 3261 16.11, 18.2.2).
func (p *StatefulProxy) forwardStateless(resp *sipstack.Response) {
	v, err := resp.Header.Via()
	if err != nil {
		return
	}
	p.core.SendDirect(resp, viaDestination(p.core.net, v))
}

// finished runs once a final response has been forwarded (16.10, 16.7
// step 10): every pending branch is cancelled.
func (p *StatefulProxy) finished(ctx *spContext) {
	ctx.queue = nil
	for _, b := range slices.Clone(ctx.branches) {
		p.cancelBranch(b)
	}
	if ctx.active() == 0 {
		delete(p.contexts, ctx.server)
	}
}

// stopTimer stops b's Timer C or CANCEL wait.
func (p *StatefulProxy) stopTimer(b *spBranch) {
	p.core.Sim().Cancel(b.timer)
	b.timer = sim.EventID{}
}

// Failed implements [Handler]: a client transaction timed out or met a
// transport error. The next server of the branch's destination list is
// tried (RFC 3263 4.3, RFC 3665 3.4); when none is left the branch ends as
// if 408 (timeout) or 503 (transport error, RFC 3261 16.9) had arrived.
func (p *StatefulProxy) Failed(tx transaction.ID, timer transaction.Timer) {
	if !p.live() {
		return
	}
	b := p.branches[tx]
	if b == nil || b.done {
		return
	}
	delete(p.branches, tx)
	code := p.opts.TimeoutStatus
	if timer == 0 {
		code = 503
	}
	p.branchFailed(b, code)
}

// branchFailed moves b to its next destination, or ends it with code.
func (p *StatefulProxy) branchFailed(b *spBranch, code int) {
	p.stopTimer(b)
	if !b.ctx.noNew && !b.cancelWant && b.next < len(b.dests) {
		p.core.Note("route", fmt.Sprintf("%v failed (%d), next server", b.dest, code))
		p.attempt(b)
		return
	}
	p.branchFinal(b, p.localResponse(b.ctx.req, code))
}

// branchFinal ends b with a non-2xx final response resp (received, with
// our Via removed, or made up), adds it to the response context (16.7
// step 4), recursing on 3xx contacts and cancelling on 6xx, and moves on.
func (p *StatefulProxy) branchFinal(b *spBranch, resp *sipstack.Response) {
	ctx := b.ctx
	p.stopTimer(b)
	b.done = true
	if ctx.finalSent {
		if ctx.active() == 0 {
			delete(p.contexts, ctx.server)
		}
		return
	}
	code := resp.StatusCode
	keep := true
	switch {
	case code >= 300 && code < 400 && p.opts.Recurse3xx && ctx.responsible && !ctx.noNew:
		keep = p.recurse(ctx, resp)
	case code >= 600:
		ctx.noNew = true
		ctx.queue = nil
		ctx.responses = append(ctx.responses, resp)
		keep = false
		for _, o := range slices.Clone(ctx.branches) {
			p.cancelBranch(o)
		}
	}
	if keep {
		ctx.responses = append(ctx.responses, resp)
	}
	p.advance(ctx, "")
}

// recurse adds the contacts of a 3xx to the target set, once each, and
// removes them from the response (RFC 3261 16.7 step 4). It reports
// whether the response is still to be kept: not when every contact was
// taken.
func (p *StatefulProxy) recurse(ctx *spContext, resp *sipstack.Response) bool {
	contacts, err := resp.Header.Contacts()
	if err != nil || len(contacts) == 0 {
		return true
	}
	slices.SortStableFunc(contacts, func(a, b sipstack.Contact) int {
		qa, _ := spQ(a)
		qb, _ := spQ(b)
		return qb - qa
	})
	var left, taken []string
	for _, c := range contacts {
		u := c.URI
		if c.Star || (ctx.req.RequestURI.IsSIPS() && !u.IsSIPS()) || (!u.IsSIP() && !u.IsSIPS()) {
			left = append(left, c.String())
			continue
		}
		if slices.ContainsFunc(ctx.seen, u.Equal) {
			// 16.5: a URI enters the target set once; it stays in
			// the response, which may then be forwarded.
			left = append(left, c.String())
			continue
		}
		taken = append(taken, u.String())
		ctx.seen = append(ctx.seen, u)
		ctx.queue = append(ctx.queue, u)
	}
	if len(taken) > 0 {
		p.core.Note("recurse", fmt.Sprintf("%d: %s", resp.StatusCode, strings.Join(taken, ", ")))
	}
	resp.Header.Del("Contact")
	for _, c := range left {
		resp.Header.Add("Contact", c)
	}
	return len(left) > 0
}

// spQ returns the q of c in thousandths, 1000 when absent.
func spQ(c sipstack.Contact) (int, bool) {
	q, ok := c.Q()
	if !ok {
		return 1000, false
	}
	return q, true
}

// sendBest forwards the best final response of ctx (RFC 3261 16.7 steps
// 6, 7 and 9) and cancels what is left (step 10).
func (p *StatefulProxy) sendBest(ctx *spContext) {
	best := spBest(ctx.responses)
	switch {
	case best == nil:
		best = p.localResponse(ctx.req, 408)
	case best.StatusCode == 503:
		// 16.7 step 6: "the proxy SHOULD generate a 500 response".
		best = p.localResponse(ctx.req, 500)
	case best.StatusCode == 401 || best.StatusCode == 407:
		best = spAggregateAuth(best, ctx.responses)
	}
	codes := make([]string, len(ctx.responses))
	for i, r := range ctx.responses {
		codes[i] = strconv.Itoa(r.StatusCode)
	}
	p.core.Note("best", fmt.Sprintf("%d chosen from [%s]", best.StatusCode, strings.Join(codes, " ")))
	ctx.finalSent = true
	ctx.noNew = true
	_ = p.core.Respond(ctx.server, best)
	p.finished(ctx)
}

// spBest chooses the response to forward (RFC 3261 16.7 step 6): a 6xx if
// any, else one of the lowest class, preferring within 4xx the responses
// that say how to resubmit (401, 407, 415, 420, 484); the earliest among
// equals. It returns nil when there is none.
func spBest(rs []*sipstack.Response) *sipstack.Response {
	var best *sipstack.Response
	rank := func(r *sipstack.Response) int {
		c := r.StatusCode
		if c >= 600 {
			return 0
		}
		k := (c / 100) * 10
		if c/100 == 4 {
			switch c {
			case 401, 407, 415, 420, 484:
			default:
				k++
			}
		}
		return k
	}
	for _, r := range rs {
		if best == nil || rank(r) < rank(best) {
			best = r
		}
	}
	return best
}

// spAggregateAuth returns a copy of best carrying the WWW-Authenticate and
// Proxy-Authenticate values of every 401 and 407 in rs (RFC 3261 16.7 step
// 7), each once, in order of arrival.
func spAggregateAuth(best *sipstack.Response, rs []*sipstack.Response) *sipstack.Response {
	out := best.Clone()
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		var vals []string
		for _, r := range rs {
			if r.StatusCode != 401 && r.StatusCode != 407 {
				continue
			}
			for _, v := range r.Header.Values(name) {
				if !slices.Contains(vals, v) {
					vals = append(vals, v)
				}
			}
		}
		out.Header.Del(name)
		for _, v := range vals {
			out.Header.Add(name, v)
		}
	}
	return out
}

// forwardACK forwards an ACK of a 2xx, or any ACK that matches no server
// transaction, statelessly (RFC 3261 16.11 with 16.4 and 16.12): route
// pre-processing, one target, Max-Forwards decremented, a Via of ours.
func (p *StatefulProxy) forwardACK(req *sipstack.Request) {
	if mf, ok := req.Header.MaxForwards(); ok && mf == 0 {
		return
	}
	fwd := req.Clone()
	p.preRoute(fwd)
	p.dropOwnCredentials(fwd)
	h := p.hash(fwd)
	top, _ := req.Header.Via()
	_, routed, _ := fwd.Header.Route()
	if !routed && p.isSelf(fwd.RequestURI) {
		return // an ACK for the proxy itself: nothing to acknowledge here
	}
	if !routed && fwd.RequestURI.Maddr() == "" && p.ownDomain(fwd.RequestURI.Host) && p.opts.Location != nil {
		bs := p.opts.Location.Lookup(fwd.RequestURI, p.core.Sim().Now())
		if len(bs) == 0 {
			return
		}
		fwd.RequestURI = bs[0].Contact
	}
	if mf, ok := fwd.Header.MaxForwards(); ok {
		fwd.Header.SetMaxForwards(mf - 1)
	} else {
		fwd.Header.SetMaxForwards(70)
	}
	target := fwd.RequestURI
	hop, how := p.nextHop(fwd)
	dests, delay, err := p.resolve(hop)
	if err != nil || len(dests) == 0 {
		p.core.Note("route", fmt.Sprintf("ACK %s: no destination", fwd.RequestURI))
		return
	}
	fwd.Header.PrependVia(p.via(dests[0].Transport, spBranchID(h, top.String(), target, 0)))
	dest := p.core.Transport(fwd, dests[0])
	p.core.Note("route", fmt.Sprintf("ACK %s to %v (%s, stateless)", fwd.RequestURI, dest, how))
	if delay > 0 {
		p.core.after(delay, func() { p.core.SendDirect(fwd, dest) })
		return
	}
	p.core.SendDirect(fwd, dest)
}

// dropOwnCredentials removes from req, an ACK of a 2xx, the
// Proxy-Authorization values of the proxy's realm. RFC 3261 13.2.2.4 has
// the ACK carry the INVITE's credentials, which the proxy consumed when it
// forwarded the INVITE (22.3); the ACK goes on without them, as the INVITE
// did (RFC 3665 3.4 F19).
func (p *StatefulProxy) dropOwnCredentials(req *sipstack.Request) {
	if p.opts.AuthRealm == "" || !req.Header.Has("Proxy-Authorization") {
		return
	}
	creds, err := req.Header.ProxyAuthorization()
	if err != nil {
		return
	}
	req.Header.Del("Proxy-Authorization")
	for _, c := range creds {
		if c.Realm() != p.opts.AuthRealm {
			req.Header.Add("Proxy-Authorization", c.String())
		}
	}
}
