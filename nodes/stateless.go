package nodes

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// StatelessOptions configures a [StatelessProxy].
type StatelessOptions struct {
	// Routes is the routing table: a domain (the host of a Request-URI,
	// compared case-insensitively) mapped to the URI of the next hop that
	// requests for it are sent to, such as "sip:proxy2.there.com" or
	// "sip:10.0.0.7:5060". The Request-URI itself is left unchanged (RFC
	// 3261 16.6 steps 6 and 7: the next hop plays the part of an outbound
	// proxy). The next hop is resolved like any URI (numeric address, host
	// of the network, or a domain of the Resolver's zone).
	Routes map[string]string
	// Resolver resolves Request-URIs whose domain is not in Routes, and
	// next hops that are domains. Nil means that only numeric addresses
	// and host names of the network are resolved; a request for another
	// domain is then answered with 404.
	Resolver *Resolver
}

// StatelessProxy is a stateless proxy (RFC 3261 16.11): it forwards each
// request and each response as it arrives, keeping no transaction, no
// response context and no timer. It must see every retransmission and
// every response as it is on the wire, which a transaction layer would
// absorb, so it receives datagrams from its host directly rather than
// through a [Core].
//
// A request is validated (RFC 3261 16.3), its Route pre-processed (16.4),
// sent to exactly one target chosen from the message and the routing table
// alone (16.11), with Max-Forwards decremented and a Via whose branch is a
// hash of the request: retransmissions, and the CANCEL and non-2xx ACK of
// an INVITE, get the INVITE's branch, so that the next hop matches them to
// its transactions. The proxy never retransmits, never forks and never
// sends 100 Trying. A response whose top Via is the proxy's loses that Via
// and goes to the next one; any other response is silently discarded.
//
// Every decision (a route chosen, a loop, a response discarded) is reported
// to the trace as an annotation. The proxy starts no goroutine, reads no
// clock and draws no random number.
type StatelessProxy struct {
	net    *sim.Network
	s      *sim.Simulator
	host   *sim.Host
	addr   netip.AddrPort
	cfg    Config
	sentBy string // the host of the proxy's Via sent-by
	routes map[string]uri.URI
	res    *Resolver
	fwdFn  func(any)
}

// ErrBadRoute is returned by [NewStatelessProxy] for a routing table entry
// whose next hop is not a SIP URI.
var ErrBadRoute = errors.New("nodes: bad route")

// NewStatelessProxy attaches a stateless proxy to the host cfg.Host of net.
// cfg.Timers is not used: a stateless proxy has no transaction.
// cfg.Transport chooses the transport of forwarded requests as for every
// element (RFC 3261 18.1.1); a transport named by the target wins.
func NewStatelessProxy(net *sim.Network, cfg Config, opts StatelessOptions) (*StatelessProxy, error) {
	host := net.Host(cfg.Host)
	if host == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoHost, cfg.Host)
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	routes := make(map[string]uri.URI, len(opts.Routes))
	for domain, next := range opts.Routes {
		u, err := uri.Parse(next)
		if err != nil || (u.Scheme != uri.SchemeSIP && u.Scheme != uri.SchemeSIPS) {
			return nil, fmt.Errorf("%w: %s -> %q: not a SIP URI", ErrBadRoute, domain, next)
		}
		routes[strings.ToLower(domain)] = u
	}
	p := &StatelessProxy{
		net: net, s: net.Sim(), host: host, addr: host.AddrPort(cfg.Port), cfg: cfg,
		sentBy: host.Addr().String(), routes: routes, res: opts.Resolver,
	}
	p.fwdFn = p.forwardLater
	host.SetReceiver(sim.ReceiverFunc(p.receive))
	return p, nil
}

// Addr returns the proxy's socket address.
func (p *StatelessProxy) Addr() netip.AddrPort { return p.addr }

// Name returns the proxy's host name.
func (p *StatelessProxy) Name() string { return p.cfg.Host }

// Config returns the proxy's configuration, with defaults applied.
func (p *StatelessProxy) Config() Config { return p.cfg }

// note reports a decision to the trace.
func (p *StatelessProxy) note(label, detail string) { p.net.Annotate(p.cfg.Host, label, detail) }

// receive handles one datagram: a request to forward or a response to
// send back along the Via path.
func (p *StatelessProxy) receive(d sim.Datagram) {
	if !p.host.Up() {
		return
	}
	msg, err := sipstack.ParseMessage(d.Payload)
	if err != nil {
		// RFC 3261 16.3 step 1 would have a 400 sent, but without a
		// parsed Via there is nowhere to send it (18.2.1).
		p.note("malformed", err.Error())
		return
	}
	src := transaction.Destination{Addr: d.Src, Transport: transaction.UDP}
	if d.Transport == sim.TCP {
		src.Transport = transaction.TCP
	}
	switch m := msg.(type) {
	case *sipstack.Request:
		p.request(m, src)
	case *sipstack.Response:
		p.response(m)
	}
}

// request validates and forwards a request (RFC 3261 16.11 with 16.3-16.6).
func (p *StatelessProxy) request(req *sipstack.Request, src transaction.Destination) {
	top, err := req.Header.Via()
	if err != nil {
		p.note("malformed", err.Error())
		return
	}
	// RFC 3261 16.3 step 2: a scheme the proxy does not understand.
	if s := req.RequestURI.Scheme; s != uri.SchemeSIP && s != uri.SchemeSIPS {
		p.reject(req, top, src, 416, "scheme "+s)
		return
	}
	// RFC 3261 16.3 step 3: "If the Max-Forwards value is zero, the
	// element MUST NOT forward the request" and returns 483.
	mf, hasMF := req.Header.MaxForwards()
	if hasMF && mf == 0 {
		p.reject(req, top, src, 483, "Max-Forwards is 0")
		return
	}
	// RFC 3261 16.3 step 4, with the loop hash of RFC 5393: a Via of
	// ours whose loop part equals this request's means a loop, a
	// different one a spiral.
	if p.looped(req) {
		p.reject(req, top, src, 482, "request already forwarded by this proxy unchanged")
		return
	}
	// RFC 3261 16.3 step 5: the proxy supports no extension.
	if tags := req.Header.ProxyRequire(); len(tags) > 0 && req.Method != sipstack.ACK && req.Method != sipstack.CANCEL {
		resp := p.statelessResponse(req, 420, "")
		resp.Header.Add("Unsupported", strings.Join(tags, ", "))
		p.replyTo(resp, top, src, "Proxy-Require "+strings.Join(tags, ", "))
		return
	}
	// The branch is computed on the request as received: retransmissions
	// and the INVITE's CANCEL and ACK give the same one (RFC 3261 16.11).
	branch := slBranch(req, top)

	// RFC 3261 16.4: remove the top Route value if it names this proxy.
	if r, ok, err := req.Header.Route(); err == nil && ok && p.isSelf(r.URI) {
		_, _ = req.Header.PopRoute()
	}
	// RFC 3261 16.5 and 16.6 step 6-7: the next hop is the top Route, or
	// the routing table's entry, or the Request-URI itself.
	next, how := p.nextHop(req)
	targets, delay, err := p.resolve(next)
	if err != nil || len(targets) == 0 {
		p.reject(req, top, src, 404, fmt.Sprintf("no route for %s: %v", req.RequestURI.Host, err))
		return
	}
	// RFC 3261 16.11: "MUST choose one and only one target".
	dest := targets[0]

	// RFC 3261 16.6 step 3.
	if hasMF {
		req.Header.SetMaxForwards(mf - 1)
	} else {
		req.Header.SetMaxForwards(70)
	}
	// RFC 3261 18.2.1 and RFC 3581 4: record where the request came from
	// in the received Via, so that the response can be sent back there
	// without any state.
	p.stampReceived(req, top, src)
	// RFC 3261 16.6 step 8.
	req.Header.PrependVia(sipstack.Via{
		Transport: dest.Transport.String(),
		Host:      p.sentBy,
		Port:      int(p.addr.Port()),
		Params:    sipstack.Params(";branch=" + branch),
	})
	// RFC 3261 18.1.1: the configured transport, TCP for a large
	// request; the choice depends on the request alone, so a
	// retransmission takes the same one (16.11).
	dest = chooseTransport(p.cfg.Transport, req, dest)
	p.note("route", fmt.Sprintf("%s %s -> %v (%s)", req.Method, req.RequestURI.String(), dest, how))
	if delay > 0 {
		p.s.AfterArg(delay, p.fwdFn, &slPending{req: req, dest: dest})
		return
	}
	p.send(req, dest)
}

// slPending is a request waiting for its DNS lookup.
type slPending struct {
	req  *sipstack.Request
	dest transaction.Destination
}

// forwardLater sends a request once the resolver's delay has passed.
func (p *StatelessProxy) forwardLater(a any) {
	f := a.(*slPending)
	if p.host.Up() {
		p.send(f.req, f.dest)
	}
}

// nextHop returns the URI to resolve for req and how it was chosen.
func (p *StatelessProxy) nextHop(req *sipstack.Request) (uri.URI, string) {
	if r, ok, err := req.Header.Route(); err == nil && ok {
		if _, lr := r.URI.Param("lr"); !lr {
			// RFC 3261 16.6 step 6: a strict router next: the
			// Request-URI goes to the end of the route set and the
			// Route value becomes the Request-URI.
			_, _ = req.Header.PopRoute()
			req.Header.Add("Route", sipstack.Address{URI: req.RequestURI}.String())
			req.RequestURI = r.URI
			return r.URI, "strict route"
		}
		return r.URI, "route"
	}
	ru := req.RequestURI
	if ru.Maddr() == "" {
		if u, ok := p.routes[strings.ToLower(ru.Host)]; ok {
			return u, "table"
		}
	}
	return ru, "request-uri"
}

// resolve turns a URI into destinations, without any random draw: the
// choice must depend on the message alone (RFC 3261 16.11), so servers of
// equal priority are taken in the zone's order.
func (p *StatelessProxy) resolve(u uri.URI) ([]Target, time.Duration, error) {
	if p.res != nil {
		return p.res.Resolve(u, p.s.Now(), nil)
	}
	host := u.Host
	if m := u.Maddr(); m != "" {
		host = m
	}
	tr, _ := uriTransport(u)
	if a, err := netip.ParseAddr(host); err == nil {
		return []Target{{Addr: netip.AddrPortFrom(a, portOr(u.Port)), Transport: tr}}, 0, nil
	}
	if h := p.net.Host(host); h != nil {
		return []Target{{Addr: h.AddrPort(portOr(u.Port)), Transport: tr}}, 0, nil
	}
	return nil, 0, fmt.Errorf("%w: %s", ErrNoAddress, host)
}

// isSelf reports whether u names this proxy: its address, host name or
// domain, with its port or none when the proxy listens on 5060.
func (p *StatelessProxy) isSelf(u uri.URI) bool {
	port := u.Port
	if port == 0 {
		port = DefaultPort
	}
	if port != int(p.addr.Port()) {
		return false
	}
	h := strings.ToLower(u.Host)
	return h == p.sentBy || h == strings.ToLower(p.cfg.Host) || (p.cfg.Domain != "" && h == strings.ToLower(p.cfg.Domain))
}

// isOurVia reports whether v was put there by this proxy (RFC 3261 16.11:
// the sent-by value matches the proxy).
func (p *StatelessProxy) isOurVia(v sipstack.Via) bool {
	port := v.Port
	if port == 0 {
		port = DefaultPort
	}
	return port == int(p.addr.Port()) && (v.Host == p.sentBy || strings.EqualFold(v.Host, p.cfg.Host))
}

// looped reports whether req carries a Via of this proxy whose loop hash
// equals the one req would get now (RFC 3261 16.3 step 4).
func (p *StatelessProxy) looped(req *sipstack.Request) bool {
	vias, err := req.Header.Vias()
	if err != nil {
		return false
	}
	loop := slLoopHash(req)
	for _, v := range vias {
		if !p.isOurVia(v) {
			continue
		}
		b := v.Branch()
		if i := strings.LastIndexByte(b, '.'); i >= 0 && b[i+1:] == loop {
			return true
		}
	}
	return false
}

// stampReceived adds received (and the rport value when the client asked
// for it) to the top Via (RFC 3261 18.2.1, RFC 3581 4).
func (p *StatelessProxy) stampReceived(req *sipstack.Request, top sipstack.Via, src transaction.Destination) {
	params := top.Params
	srcHost := src.Addr.Addr().String()
	if top.Host != srcHost {
		params = params.Set("received", srcHost)
	}
	if port, ok := top.RPort(); ok && port == 0 {
		if top.Host == srcHost {
			params = params.Set("received", srcHost)
		}
		params = params.Set("rport", strconv.Itoa(int(src.Addr.Port())))
	}
	if params == top.Params {
		return
	}
	top.Params = params
	_, _ = req.Header.PopVia()
	req.Header.PrependVia(top)
}

// reject answers req statelessly with code, unless it is an ACK, which is
// never answered (RFC 3261 17).
func (p *StatelessProxy) reject(req *sipstack.Request, top sipstack.Via, src transaction.Destination, code int, why string) {
	if req.Method == sipstack.ACK {
		p.note("drop", fmt.Sprintf("ACK not forwarded: %s", why))
		return
	}
	p.replyTo(p.statelessResponse(req, code, ""), top, src, why)
}

// statelessResponse builds a response to req whose To tag is a hash of
// the request, so that the response to a retransmission is the same (RFC
// 3261 8.2.7 and 16.11: the proxy acts as a stateless UAS).
func (p *StatelessProxy) statelessResponse(req *sipstack.Request, code int, reason string) *sipstack.Response {
	resp := sipstack.NewResponse(req, code, reason)
	if to, err := resp.Header.To(); err == nil && to.Tag() == "" {
		to.Params = to.Params.Set("tag", slHash("tag", req.Header.CallID(), string(to.URI.AppendTo(nil)), req.Header.Get("CSeq"))[:10])
		resp.Header.Set("To", to.String())
	}
	return resp
}

// replyTo sends resp where the response to a request with top Via top,
// received from src, goes (RFC 3261 18.2.2).
func (p *StatelessProxy) replyTo(resp *sipstack.Response, top sipstack.Via, src transaction.Destination, why string) {
	dest, err := transaction.ResponseDestination(top, src)
	if err != nil {
		dest = src
	}
	p.note(strconv.Itoa(resp.StatusCode), why)
	p.send(resp, dest)
}

// response forwards a response along the Via path (RFC 3261 16.11).
func (p *StatelessProxy) response(resp *sipstack.Response) {
	vias, err := resp.Header.Vias()
	if err != nil || len(vias) == 0 || !p.isOurVia(vias[0]) {
		// RFC 3261 16.11: "If the address does not match the proxy, the
		// message MUST be silently discarded."
		p.note("discard", Label(resp)+": top Via is not this proxy's")
		return
	}
	if len(vias) < 2 {
		// A response to a request the proxy originated: it originates
		// none, so there is no one to give it to.
		p.note("discard", Label(resp)+": no Via left")
		return
	}
	_, _ = resp.Header.PopVia()
	next := vias[1]
	dest, err := transaction.ResponseDestination(next, viaDestination(p.net, next))
	if err != nil {
		p.note("discard", fmt.Sprintf("%s: %v", Label(resp), err))
		return
	}
	p.send(resp, dest)
}

// send serializes m and hands it to the network, labelled for the trace as
// [Label] does.
func (p *StatelessProxy) send(m sipstack.Message, dest transaction.Destination) {
	if !p.host.Up() {
		return
	}
	tr := sim.UDP
	if dest.Transport.Reliable() {
		tr = sim.TCP
	}
	if err := p.net.Send(sim.Datagram{Src: p.addr, Dst: dest.Addr, Payload: m.AppendTo(nil), Label: Label(m), Transport: tr}); err != nil {
		p.note("send-error", fmt.Sprintf("to %v: %v", dest, err))
	}
}

// slBranch returns the branch the proxy gives to req, whose top Via is top
// (RFC 3261 16.11): "z9hG4bK", then a hash of the received branch when it
// carries the magic cookie, or else of the top Via, the To tag, the From
// tag, the Call-ID, the CSeq number and the Request-URI; then "." and the
// loop hash ([slLoopHash]). The method is never hashed, so an INVITE, its
// CANCEL and the ACK of its non-2xx response get the same branch.
func slBranch(req *sipstack.Request, top sipstack.Via) string {
	var id string
	if b := top.Branch(); strings.HasPrefix(b, sipstack.BranchMagicCookie) {
		id = slHash("branch", b)
	} else {
		to, _ := req.Header.To()
		from, _ := req.Header.From()
		cs, _ := req.Header.CSeq()
		id = slHash("rfc2543", top.String(), to.Tag(), from.Tag(), req.Header.CallID(),
			strconv.FormatUint(uint64(cs.Seq), 10), req.RequestURI.String())
	}
	return sipstack.BranchMagicCookie + id[:16] + "." + slLoopHash(req)
}

// slLoopHash hashes what decides where a request goes and that an INVITE
// shares with its CANCEL and non-2xx ACK (RFC 3261 16.6 step 8, RFC 5393):
// the Request-URI as received, the From tag, the Call-ID, the CSeq number
// and the Route values. A request that comes back with all of them equal
// has looped; one whose Request-URI or route changed is spiraling.
func slLoopHash(req *sipstack.Request) string {
	from, _ := req.Header.From()
	cs, _ := req.Header.CSeq()
	parts := []string{req.RequestURI.String(), from.Tag(), req.Header.CallID(), strconv.FormatUint(uint64(cs.Seq), 10)}
	parts = append(parts, req.Header.Values("Route")...)
	return slHash("loop", parts...)[:8]
}

// slHash returns the hex SHA-256 of the parts, each length-prefixed so
// that no two lists give the same input.
func slHash(kind string, parts ...string) string {
	h := sha256.New()
	for _, s := range slices.Concat([]string{kind}, parts) {
		h.Write(strconv.AppendInt(nil, int64(len(s)), 10))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
