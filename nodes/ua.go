package nodes

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
	"github.com/sipsim/sipsim/sipstack/sdp"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// UAOptions configure a [UserAgent]: the one user it serves and each of its
// behaviours. The zero value of every behaviour field is a documented
// default; AOR is required.
//
// # Routing of initial requests
//
// RFC 3261 8.1.2: a UAC with an outbound proxy sends every request outside
// a dialog (INVITE, REGISTER, OPTIONS) to it. Two ways are supported:
//
//   - OutboundProxy set, PreloadRoute true: the request carries a
//     pre-loaded Route <proxy;lr> and goes to the proxy, as Alice does in
//     RFC 3665 3.2 F1;
//   - OutboundProxy set, PreloadRoute false: the proxy is only the next hop,
//     the request carries no Route, as in RFC 3665 3.1 and 3.4;
//   - OutboundProxy zero: direct routing, the Request-URI is resolved with
//     the Resolver (RFC 3261 8.1.2, RFC 3263).
//
// Requests within a dialog follow its route set and remote target (RFC
// 3261 12.2.1.1), never the outbound proxy.
type UAOptions struct {
	// AOR is the user's address-of-record, such as sip:alice@atlanta.com:
	// the From of its requests and the To of its registrations (RFC 3261
	// 8.1.1.3, 10.2). Required.
	AOR uri.URI
	// DisplayName is written in the From header of the user's requests;
	// empty means none.
	DisplayName string
	// ContactUser is the user part of the Contact URI, whose host and port
	// are the UA's own address (RFC 3261 8.1.1.8); empty means the user
	// part of AOR.
	ContactUser string
	// OutboundProxy is the proxy that every request outside a dialog is
	// sent to (RFC 3261 8.1.2); zero means direct routing.
	OutboundProxy uri.URI
	// PreloadRoute adds a Route <OutboundProxy;lr> to those requests (RFC
	// 3261 8.1.2 pre-loaded route, RFC 3665 3.2); false sends them to the
	// proxy without a Route (RFC 3665 3.1, 3.4).
	PreloadRoute bool
	// Resolver turns a next-hop URI into addresses (RFC 3263). nil means a
	// resolver over an empty zone: IP literals and host names of the
	// network only.
	Resolver *Resolver
	// Media are the user's designated capabilities (RFC 3264): the
	// streams it offers and answers with. An audio-only user lists one
	// audio capability: sdp.Answer then rejects offered video with port 0.
	// A video capability is offered only when a call asks for video
	// (CallOptions.Video, [Call.AddVideo]). Empty means one audio stream
	// with PCMU on port 49170.
	Media sdp.Capabilities
	// Credentials answer digest challenges (RFC 3261 22.2, RFC 2617).
	Credentials []DigestCredentials
	// Register registers the user at a registrar (RFC 3261 10.2).
	Register RegisterOptions
	// Answer is the behaviour of the UA as UAS for incoming INVITEs.
	Answer AnswerOptions
	// Call holds the defaults of calls placed with [UserAgent.Call]: a
	// field left zero in the CallOptions given to Call takes the value
	// here.
	Call CallOptions
	// MaxRedirects bounds the Contacts of 3xx responses that one call
	// tries (RFC 3261 8.1.3.4); zero means 5, a negative value none.
	MaxRedirects int
}

// DigestCredentials are a user's secret for one realm (RFC 3261 22.1,
// RFC 2617 3.2.2).
type DigestCredentials struct {
	// Realm is the protection realm the credentials answer; empty answers
	// any realm.
	Realm string
	// Username is the user name sent in the username parameter.
	Username string
	// Password is the shared secret; it never appears on the wire.
	Password string
}

// RegisterOptions configure registration (RFC 3261 10.2).
type RegisterOptions struct {
	// Registrar is the Request-URI of REGISTER requests, such as
	// sip:registrar.biloxi.com (RFC 3261 10.2: "the domain of the location
	// service"); zero means the UA does not register.
	Registrar uri.URI
	// Expires is the lifetime asked for in the Expires header (RFC 3261
	// 10.2.1.1); zero means 3600 s.
	Expires time.Duration
	// Delay is when the first REGISTER is sent, after NewUserAgent.
	Delay time.Duration
	// Refresh keeps the registration alive: a new REGISTER with the same
	// Call-ID and a higher CSeq is sent when half the expiry granted by
	// the registrar has elapsed (RFC 3261 10.2.4: the UA refreshes "before
	// the expiration interval"; half the interval leaves room for a lost
	// request and its retransmissions). With Refresh the simulation never
	// runs out of events: run it with RunUntil, or call
	// [UserAgent.Unregister].
	Refresh bool
}

// AnswerMode is what a UAS decides to do with an incoming INVITE.
type AnswerMode uint8

// The answer modes.
const (
	// AnswerAccept rings (180) for the ring time, then answers 200 OK
	// with an SDP answer (RFC 3261 13.3.1.4).
	AnswerAccept AnswerMode = iota + 1
	// AnswerBusy answers 486 Busy Here at once (RFC 3261 21.4.24).
	AnswerBusy
	// AnswerDecline rings for the ring time, then answers 603 Decline
	// (RFC 3261 21.6.2), or 302 to AnswerOptions.RedirectTo when set.
	AnswerDecline
	// AnswerUnavailable answers 480 Temporarily Unavailable at once (RFC
	// 3261 21.4.18).
	AnswerUnavailable
	// AnswerNever rings and never answers: the caller's CANCEL, the
	// INVITE's Expires, AnswerOptions.NoAnswerTime (with RedirectTo) or
	// AnswerOptions.MaxRing ends the attempt.
	AnswerNever
)

// String returns the mode's name.
func (m AnswerMode) String() string {
	switch m {
	case AnswerAccept:
		return "accept"
	case AnswerBusy:
		return "busy"
	case AnswerDecline:
		return "decline"
	case AnswerUnavailable:
		return "unavailable"
	case AnswerNever:
		return "never"
	}
	return "AnswerMode(" + strconv.Itoa(int(m)) + ")"
}

// AnswerOptions are the behaviour of the UA as UAS (RFC 3261 13.3.1). For
// each new INVITE the mode is drawn once from the UA's random stream:
// Busy, Decline, Unavailable and NoAnswer are probabilities (their sum at
// most 1) and the rest of the mass accepts. With all four zero the UA
// always accepts.
type AnswerOptions struct {
	// Busy is the probability of AnswerBusy.
	Busy float64
	// Decline is the probability of AnswerDecline.
	Decline float64
	// Unavailable is the probability of AnswerUnavailable.
	Unavailable float64
	// NoAnswer is the probability of AnswerNever.
	NoAnswer float64
	// RingTime is the time in seconds between the 180 Ringing and the
	// user's decision (answer or decline); nil means 0 s: 180 and the
	// final response leave at the same instant.
	RingTime sim.Dist
	// NoRinging answers without any provisional response: no 180 Ringing
	// (and, with the transaction's Trying policy none, no 100 either),
	// the final response after RingTime alone. RFC 3261 13.3.1.1 lets a
	// UAS answer at once without a provisional response; a 2xx then
	// creates the dialog directly (12.1.1). Without a provisional the
	// caller's INVITE client transaction keeps retransmitting (Timer A),
	// so a RingTime of T1 or more draws retransmissions.
	NoRinging bool
	// RedirectTo, when set, is where a declined or unanswered call is
	// redirected with 302 Moved Temporarily and a Contact, such as a
	// voicemail server (RFC 3261 8.3, 21.3.3).
	RedirectTo uri.URI
	// NoAnswerTime is how long an unanswered call rings before it is
	// redirected to RedirectTo; zero (or no RedirectTo) rings until
	// cancelled.
	NoAnswerTime time.Duration
	// MaxRing bounds how long a call rings unanswered, whatever the mode
	// and the ring time drawn: then the UA answers 480 Temporarily
	// Unavailable (RFC 3261 21.4.18), as RFC 3665 3.11 shows. Zero means
	// UADefaultMaxRing; a negative value rings without bound.
	MaxRing time.Duration
	// HoldTime, when not nil, is the call duration in seconds after which
	// the callee hangs up with BYE, counted from the ACK (RFC 3261 15:
	// not before the ACK, or the 2xx timeout). nil leaves it to the
	// caller.
	HoldTime sim.Dist
}

// CallOptions are the behaviour of one call placed by [UserAgent.Call].
// Zero fields take the UA's defaults (UAOptions.Call).
type CallOptions struct {
	// Video offers the video capability of the user with the audio one.
	Video bool
	// HoldTime is the call duration in seconds after which the caller
	// hangs up with BYE, counted from the ACK; nil means the caller never
	// hangs up (the callee's BYE ends the call).
	HoldTime sim.Dist
	// NoAnswerTimeout cancels the call when no final response has come
	// that long after the INVITE (RFC 3261 9.1); zero means never (Timer
	// B still ends an INVITE with no response at all).
	NoAnswerTimeout time.Duration
	// Expires, when not zero, is written in the INVITE's Expires header
	// (RFC 3261 13.2.1): the callee gives up with 487 when it elapses.
	Expires time.Duration
	// AddVideoAfter, when not zero, re-INVITEs to add video that long
	// after the ACK, the seed's "add videoconferencing" ([Call.AddVideo]).
	AddVideoAfter time.Duration
	// RemoveVideoAfter, when not zero, re-INVITEs to remove video that
	// long after the ACK ([Call.RemoveVideo]).
	RemoveVideoAfter time.Duration
	// InfoAfter, when not zero, sends an INFO that long after the ACK
	// ([Call.SendInfo], RFC 6086).
	InfoAfter time.Duration
	// DelayedOffer sends the INVITE without a session description: the
	// callee offers in its 2xx and the caller answers in the ACK (RFC
	// 3261 13.2.1, 13.2.2.4; RFC 3264 5; RFC 3665 3.6, "SDP in ACK").
	DelayedOffer bool
}

// UADefaultMaxRing is the default bound on ringing of a UAS
// (AnswerOptions.MaxRing): three minutes, the shortest Timer C a proxy may
// use (RFC 3261 16.6 step 11).
const UADefaultMaxRing = 3 * time.Minute

// UAAllow lists the methods a [UserAgent] accepts, for Allow headers (RFC
// 3261 20.5).
const UAAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO"

// Errors of [NewUserAgent] and the call methods.
var (
	ErrUANoAOR      = errors.New("nodes: user agent needs a SIP AOR")
	ErrUAOptions    = errors.New("nodes: invalid user agent options")
	ErrUACallState  = errors.New("nodes: call is not in a state for this operation")
	ErrUANoVideo    = errors.New("nodes: user has no video capability")
	ErrUANoRegister = errors.New("nodes: user agent has no registrar")
)

// A UserAgent is a SIP user agent, UAC and UAS in one (RFC 3261 8), serving
// one user: it places calls ([UserAgent.Call]), answers them per its
// AnswerOptions, registers, answers OPTIONS and INFO, and modifies sessions
// with re-INVITE. It runs on a [Core], draws every identifier from
// Core.IDs and every behaviour from Core.Rand, and reports its decisions to
// the trace with Core.Note. Every call it placed or received is kept, in
// order, in [UserAgent.Calls].
//
// The UA's transaction timers and 100 (Trying) policy come from
// Config.Timers. RFC 3261 17.2.1 lets an INVITE server transaction skip the
// 100 when the TU answers within 200 ms; a UA rings (180) the moment an
// INVITE arrives, so Timers.Trying = transaction.TryingNone gives the
// ladders of RFC 3665 3.1, where the UA sends no 100, while the default
// TryingImmediate sends one anyway.
//
// As UAC, the UA acknowledges every 2xx to its INVITE with dialog.NewACK
// sent outside any transaction, retransmissions and forked 2xx included,
// and ends the dialogs of forks after the first with BYE (RFC 3261
// 13.2.2.4); it follows 3xx Contacts in q order (8.1.3.4) and answers
// digest challenges once per request (22.2). As UAS, it makes its 2xx
// reliable with a transaction.UAS2xx until the ACK and sends a BYE when
// none comes within 64*T1 (13.3.1.4).
//
// Not modelled: re-INVITE glare is answered 491 but not retried after the
// random wait of RFC 3261 14.1; merged requests (8.2.2.2) are not detected;
// a host crash loses the UA's pending calls without ending them.
type UserAgent struct {
	core     *Core
	opts     UAOptions
	contact  sipstack.Address
	resolver *Resolver
	session  uint64 // SDP session id counter

	calls    []*Call
	outgoing map[string]*Call               // by Call-ID, calls placed
	txs      map[transaction.ID]*uaClientTx // live client transactions
	inbound  map[transaction.ID]*Call       // INVITE server transaction -> call
	legs     map[dialog.ID]*uaLeg           // dialogs by local ID

	reg uaRegistration
	// forget drops ended calls (ForgetEndedCalls); ended holds the calls
	// placed and ended, in order of the time to forget them.
	forget bool
	ended  []endedCall
}

// ForgetEndedCalls makes ua keep no record of a call once it has ended
// and 64*T1 more have passed (until then a late 2xx is still acknowledged,
// RFC 3261 13.2.2.4): Calls no longer lists them, and the memory of a run
// stays flat however many calls it places. Sweeps use it, taking every
// figure from the trace instead.
func (ua *UserAgent) ForgetEndedCalls() { ua.forget = true }

// NewUserAgent creates the user agent of opts.AOR on host cfg.Host of net.
// It schedules the first REGISTER when opts.Register.Registrar is set.
func NewUserAgent(net *sim.Network, cfg Config, opts UAOptions) (*UserAgent, error) {
	if !opts.AOR.IsSIP() && !opts.AOR.IsSIPS() {
		return nil, ErrUANoAOR
	}
	a := opts.Answer
	if a.Busy < 0 || a.Decline < 0 || a.Unavailable < 0 || a.NoAnswer < 0 || a.Busy+a.Decline+a.Unavailable+a.NoAnswer > 1 {
		return nil, fmt.Errorf("%w: answer probabilities must be non-negative with a sum at most 1", ErrUAOptions)
	}
	if opts.Register.Expires < 0 || opts.Register.Delay < 0 || opts.Call.NoAnswerTimeout < 0 || opts.Answer.NoAnswerTime < 0 {
		return nil, fmt.Errorf("%w: negative duration", ErrUAOptions)
	}
	if len(opts.Media.Media) == 0 {
		opts.Media = sdp.Capabilities{Media: []sdp.MediaCapability{{Type: "audio", Port: 49170,
			Codecs: []sdp.Codec{{PayloadType: 0, Name: "PCMU", ClockRate: 8000}}}}}
	}
	if _, err := sdp.Offer(opts.Media, sdp.Origin{Username: "-", SessionID: 1, SessionVersion: 1,
		NetType: "IN", AddrType: "IP4", Address: "192.0.2.1"}); err != nil {
		return nil, fmt.Errorf("%w: media: %w", ErrUAOptions, err)
	}
	if opts.MaxRedirects == 0 {
		opts.MaxRedirects = 5
	}
	if opts.Register.Expires == 0 {
		opts.Register.Expires = time.Hour
	}
	ua := &UserAgent{
		opts:     opts,
		outgoing: map[string]*Call{},
		txs:      map[transaction.ID]*uaClientTx{},
		inbound:  map[transaction.ID]*Call{},
		legs:     map[dialog.ID]*uaLeg{},
	}
	core, err := NewCore(net, cfg, uaHandler{ua})
	if err != nil {
		return nil, err
	}
	ua.core = core
	ua.resolver = opts.Resolver
	if ua.resolver == nil {
		ua.resolver = NewResolver(NewZone(net, 0), 0)
	}
	user := opts.ContactUser
	if user == "" {
		user = opts.AOR.User
	}
	ua.contact = sipstack.Address{URI: uri.URI{Scheme: uri.SchemeSIP, User: user,
		Host: core.Addr().Addr().String(), Port: int(core.Addr().Port())}}
	if !opts.Register.Registrar.IsZero() {
		core.after(opts.Register.Delay, ua.register)
	}
	return ua, nil
}

// Core returns the UA's core, for inspection (its transaction layer, its
// address).
func (ua *UserAgent) Core() *Core { return ua.core }

// AOR returns the user's address-of-record.
func (ua *UserAgent) AOR() uri.URI { return ua.opts.AOR }

// Contact returns the UA's Contact address (RFC 3261 8.1.1.8).
func (ua *UserAgent) Contact() sipstack.Address { return ua.contact }

// Calls returns every call placed or received, in the order they began.
// The slice is a copy; the calls are live and keep changing while the
// simulation runs.
func (ua *UserAgent) Calls() []*Call { return append([]*Call(nil), ua.calls...) }

// ActiveDialogs returns the number of dialogs the UA holds, early or
// confirmed; it is 0 when every call has ended.
func (ua *UserAgent) ActiveDialogs() int { return len(ua.legs) }

// uaClientTx is a client transaction of the UA and what to do with its
// outcome. One uaClientTx may go through several transactions when the
// request fails over to the next resolved target (RFC 3263 4.3).
type uaClientTx struct {
	req     *sipstack.Request // as built, without Via
	sent    *sipstack.Request // as last sent, with Via
	dest    transaction.Destination
	targets []Target
	next    int
	tx      transaction.ID
	heard   bool // a response arrived
	onResp  func(ct *uaClientTx, resp *sipstack.Response)
	onFail  func(ct *uaClientTx, timer transaction.Timer)
}

// uaNextHop returns the URI that req goes to first: the top Route when it is
// a loose router, else the Request-URI (RFC 3261 8.1.2, 12.2.1.1, 16.12).
func uaNextHop(req *sipstack.Request) uri.URI {
	if r, ok, err := req.Header.Route(); err == nil && ok && r.URI.LooseRouting() {
		return r.URI
	}
	return req.RequestURI
}

// initialRequest returns a request outside any dialog with the headers of
// RFC 3261 8.1.1 in the order of RFC 3665: Max-Forwards, the pre-loaded
// Route, To, From, Call-ID, CSeq, and where it goes first.
func (ua *UserAgent) initialRequest(method string, ruri, to uri.URI, fromTag, callID string, cseq uint32) (*sipstack.Request, uri.URI) {
	req := sipstack.NewRequest(method, ruri)
	req.Header.Add("Max-Forwards", strconv.Itoa(dialog.MaxForwards))
	hop := ruri
	if p := ua.opts.OutboundProxy; !p.IsZero() {
		hop = p
		if ua.opts.PreloadRoute {
			if !p.LooseRouting() {
				p = p.WithParam("lr", "")
			}
			req.Header.Add("Route", sipstack.Address{URI: p}.String())
		}
	}
	req.Header.Add("To", sipstack.Address{URI: to}.String())
	req.Header.Add("From", sipstack.Address{DisplayName: ua.opts.DisplayName, URI: ua.opts.AOR,
		Params: sipstack.Params("").Set("tag", fromTag)}.String())
	req.Header.Add("Call-ID", callID)
	req.Header.Add("CSeq", sipstack.CSeq{Seq: cseq, Method: method}.String())
	return req, hop
}

// send resolves hop and sends ct.req through a client transaction, after
// the resolver's delay. Resolution failure is reported as a transport
// error (timer 0), at the instant the lookup would have answered.
func (ua *UserAgent) send(ct *uaClientTx, hop uri.URI) {
	targets, delay, err := ua.resolver.Resolve(hop, ua.core.Sim().Now(), ua.core.Rand())
	if err != nil || len(targets) == 0 {
		ua.core.Note("resolve-failed", fmt.Sprintf("%s %s: %v", ct.req.Method, hop.String(), err))
		ua.core.after(delay, func() { ct.onFail(ct, 0) })
		return
	}
	ct.targets, ct.next = targets, 0
	if delay > 0 {
		ua.core.after(delay, func() { ua.transmit(ct) })
		return
	}
	ua.transmit(ct)
}

// transmit sends ct.req to its next target with a new top Via (RFC 3261
// 8.1.1.7).
func (ua *UserAgent) transmit(ct *uaClientTx) {
	t := ct.targets[ct.next]
	ct.next++
	r := ct.req.Clone()
	r.Header.PrependVia(ua.core.Via(t.Transport))
	t = ua.core.Transport(r, t)
	ct.sent, ct.dest = r, t
	tx, err := ua.core.SendRequest(r, t)
	if err != nil {
		ua.core.Note("send-failed", fmt.Sprintf("%s: %v", r.Method, err))
		ua.core.after(0, func() { ct.onFail(ct, 0) })
		return
	}
	ct.tx = tx
	ua.txs[tx] = ct
}

// sendDirect resolves the next hop of req, a request outside any
// transaction (the ACK of a 2xx, RFC 3261 13.2.2.4), adds a Via with a new
// branch and sends it; done, if not nil, receives the request as sent and
// its destination, for retransmissions.
func (ua *UserAgent) sendDirect(req *sipstack.Request, done func(*sipstack.Request, transaction.Destination)) {
	targets, delay, err := ua.resolver.Resolve(uaNextHop(req), ua.core.Sim().Now(), ua.core.Rand())
	if err != nil || len(targets) == 0 {
		ua.core.Note("resolve-failed", fmt.Sprintf("%s: %v", req.Method, err))
		return
	}
	t := targets[0]
	req.Header.PrependVia(ua.core.Via(t.Transport))
	t = ua.core.Transport(req, t)
	fire := func() {
		ua.core.SendDirect(req, t)
		if done != nil {
			done(req, t)
		}
	}
	if delay > 0 {
		ua.core.after(delay, fire)
		return
	}
	fire()
}

// uaHandler is the [Handler] of a UA's Core; it keeps the Handler methods
// off the UserAgent's exported API.
type uaHandler struct{ ua *UserAgent }

// Request passes a request up to the UA.
func (h uaHandler) Request(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	h.ua.request(tx, req, src)
}

// Response passes a response up to the UA.
func (h uaHandler) Response(tx transaction.ID, resp *sipstack.Response) { h.ua.response(tx, resp) }

// Failed reports a failed client transaction to the UA.
func (h uaHandler) Failed(tx transaction.ID, timer transaction.Timer) { h.ua.failed(tx, timer) }

// request handles a request from the network.
func (ua *UserAgent) request(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	if tx == 0 {
		if req.Method == sipstack.ACK {
			ua.uasACK(req)
		}
		return
	}
	if req.Method == sipstack.CANCEL {
		ua.uasCancel(tx, req)
		return
	}
	to, err := req.Header.To()
	if err != nil {
		ua.respond(tx, req, 400, "", nil)
		return
	}
	if to.Tag() != "" {
		ua.inDialogRequest(tx, req, src)
		return
	}
	switch req.Method {
	case sipstack.INVITE:
		ua.uasInvite(tx, req, src)
	case sipstack.OPTIONS:
		ua.answerOptions(tx, req, "")
	case sipstack.BYE, sipstack.INFO:
		// RFC 3261 15.1.2, 12.2.2: a request for no dialog.
		ua.respond(tx, req, 481, ua.core.IDs().Tag(), nil)
	default:
		// RFC 3261 8.2.1: a method the UA does not support gets 405
		// with Allow.
		ua.respond(tx, req, 405, ua.core.IDs().Tag(), func(r *sipstack.Response) { r.Header.Add("Allow", UAAllow) })
	}
}

// response handles the responses of client transactions, and 2xx
// retransmissions that match no transaction (RFC 3261 13.2.2.4).
func (ua *UserAgent) response(tx transaction.ID, resp *sipstack.Response) {
	ct := ua.txs[tx]
	if tx == 0 || ct == nil {
		ua.strayResponse(resp)
		return
	}
	ct.heard = true
	if resp.StatusCode >= 200 {
		delete(ua.txs, tx)
	}
	ct.onResp(ct, resp)
}

// failed handles a client transaction that timed out or met a transport
// error. Before any response, the request fails over to the
// next resolved target (RFC 3263 4.3).
func (ua *UserAgent) failed(tx transaction.ID, timer transaction.Timer) {
	ct := ua.txs[tx]
	if ct == nil {
		return
	}
	delete(ua.txs, tx)
	if !ct.heard && ct.next < len(ct.targets) {
		ua.core.Note("failover", fmt.Sprintf("%s to %v", ct.req.Method, ct.targets[ct.next]))
		ua.transmit(ct)
		return
	}
	ct.onFail(ct, timer)
}

// strayResponse handles a response that matches no live client
// transaction: a retransmitted 2xx to an INVITE, which is acknowledged
// again, or the 2xx of another fork (RFC 3261 13.2.2.4). Others are
// discarded (RFC 3261 8.1.3.1, 17.1.3).
func (ua *UserAgent) strayResponse(resp *sipstack.Response) {
	cs, err := resp.Header.CSeq()
	if err != nil || cs.Method != sipstack.INVITE || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return
	}
	id, err := dialog.UACID(resp)
	if err != nil {
		return
	}
	if leg := ua.legs[id]; leg != nil && leg.d.State() == dialog.Confirmed {
		var invite *sipstack.Request
		if c := leg.call; c != nil && !c.incoming {
			invite = c.inviteSent
		}
		ua.reACK(leg, resp, invite)
		return
	}
	if c := ua.outgoing[resp.Header.CallID()]; c != nil && c.invite != nil {
		ua.uac2xx(c, c.inviteSent, resp)
	}
}

// respond builds a response of the UA to req with NewUASResponse and
// sends it through server transaction tx; edit, if not nil, adds headers.
func (ua *UserAgent) respond(tx transaction.ID, req *sipstack.Request, code int, tag string, edit func(*sipstack.Response)) *sipstack.Response {
	resp, err := dialog.NewUASResponse(req, code, tag)
	if err != nil {
		ua.core.Note("respond-error", err.Error())
		return nil
	}
	if edit != nil {
		edit(resp)
	}
	if err := ua.core.Respond(tx, resp); err != nil {
		ua.core.Note("respond-error", err.Error())
	}
	return resp
}

// answerOptions answers OPTIONS with 200 (RFC 3261 11.2): Allow, Accept,
// Supported, and an SDP description of the user's capabilities.
func (ua *UserAgent) answerOptions(tx transaction.ID, req *sipstack.Request, tag string) {
	if tag == "" {
		tag = ua.core.IDs().Tag()
	}
	ua.respond(tx, req, 200, tag, func(r *sipstack.Response) {
		r.Header.Add("Contact", ua.contact.String())
		r.Header.Add("Allow", UAAllow)
		r.Header.Add("Accept", "application/sdp")
		r.Header.Add("Accept-Encoding", "identity")
		r.Header.Add("Supported", "")
		if offer, err := sdp.Offer(ua.opts.Media, ua.origin()); err == nil {
			if b, err := offer.Marshal(); err == nil {
				r.SetBody("application/sdp", b)
			}
		}
	})
}

// origin returns the o= line of a new session description of this UA,
// with a session id of its own (RFC 3264 5).
func (ua *UserAgent) origin() sdp.Origin {
	ua.session++
	user := ua.opts.AOR.User
	if user == "" {
		user = "-"
	}
	return sdp.Origin{Username: user, SessionID: uint64(ua.core.Sim().Now())/1000 + ua.session,
		SessionVersion: 1, NetType: "IN", AddrType: "IP4", Address: ua.core.Addr().Addr().String()}
}

// Options sends an OPTIONS request to to outside any dialog (RFC 3261 11.1)
// and calls done with the final response, or nil when the transaction
// failed.
func (ua *UserAgent) Options(to uri.URI, done func(resp *sipstack.Response)) {
	req, hop := ua.initialRequest(sipstack.OPTIONS, to, to, ua.core.IDs().Tag(), ua.core.IDs().CallID(), 1)
	req.Header.Add("Contact", ua.contact.String())
	req.Header.Add("Accept", "application/sdp")
	ct := &uaClientTx{req: req}
	tries := 0
	ct.onResp = func(ct *uaClientTx, resp *sipstack.Response) {
		if resp.StatusCode < 200 {
			return
		}
		if (resp.StatusCode == 401 || resp.StatusCode == 407) && tries == 0 && ua.authorize(ct.req, resp) {
			// RFC 3261 8.1.3.5: the same Call-ID, a higher CSeq.
			tries++
			ct.req.Header.Set("CSeq", sipstack.CSeq{Seq: 2, Method: sipstack.OPTIONS}.String())
			ct.heard = false
			ua.send(ct, hop)
			return
		}
		ua.core.Note("options", fmt.Sprintf("%s: %d", to.String(), resp.StatusCode))
		if done != nil {
			done(resp)
		}
	}
	ct.onFail = func(*uaClientTx, transaction.Timer) {
		ua.core.Note("options", to.String()+": no response")
		if done != nil {
			done(nil)
		}
	}
	ua.send(ct, hop)
}

// uaLeg is a dialog of the UA with what the UA core keeps beside it: the
// ACK of the last 2xx it received as UAC, the 2xx it retransmits as UAS,
// and the call the dialog belongs to.
type uaLeg struct {
	d        *dialog.Dialog
	call     *Call
	ack      *sipstack.Request // the ACK sent for the last 2xx, with Via
	ackDest  transaction.Destination
	u2xx     *transaction.UAS2xx
	u2xxEv   [3]sim.EventID // UAS2xx timers by UAS2xxTimer
	reinvite bool           // an ACK for a 2xx to a re-INVITE is awaited
}

// addLeg stores the dialog d of call c.
func (ua *UserAgent) addLeg(d *dialog.Dialog, c *Call) *uaLeg {
	leg := &uaLeg{d: d, call: c}
	ua.legs[d.ID()] = leg
	return leg
}

// removeLeg terminates leg's dialog and forgets it; a UAS2xx still
// running is stopped.
func (ua *UserAgent) removeLeg(leg *uaLeg) {
	if leg == nil {
		return
	}
	ua.stopUAS2xx(leg)
	leg.d.Terminate()
	delete(ua.legs, leg.d.ID())
}

// start2xx makes the 2xx resp, which server transaction tx of req has just
// sent, reliable end to end until its ACK (RFC 3261 13.3.1.4, RFC 6026
// 8.5).
func (ua *UserAgent) start2xx(leg *uaLeg, req *sipstack.Request, resp *sipstack.Response, src transaction.Destination) {
	ua.stopUAS2xx(leg)
	via, err := req.Header.Via()
	if err != nil {
		return
	}
	dest, err := transaction.ResponseDestination(via, src)
	if err != nil {
		ua.core.Note("respond-error", err.Error())
		return
	}
	u, err := transaction.NewUAS2xx(ua.core.Config().Timers, resp, dest, transaction.UAS2xxRetransmitAlways)
	if err != nil {
		ua.core.Note("respond-error", err.Error())
		return
	}
	leg.u2xx = u
	ua.apply2xx(leg, u.StartRetransmissions(nil))
}

// stopUAS2xx ends the 2xx retransmissions of leg, if any.
func (ua *UserAgent) stopUAS2xx(leg *uaLeg) {
	if leg.u2xx != nil && !leg.u2xx.Done() {
		ua.apply2xx(leg, leg.u2xx.Stop(nil))
	}
}

// uaTimer2xx is the argument of a scheduled UAS2xx timer.
type uaTimer2xx struct {
	ua  *UserAgent
	leg *uaLeg
	u   *transaction.UAS2xx
	t   transaction.UAS2xxTimer
}

// uaFire2xx runs a UAS2xx timer.
func uaFire2xx(arg any) {
	f := arg.(*uaTimer2xx)
	f.leg.u2xxEv[f.t] = sim.EventID{}
	if f.leg.u2xx != f.u {
		return
	}
	f.ua.apply2xx(f.leg, f.u.Timer(f.t, nil))
}

// apply2xx binds the actions of a UAS2xx to the simulator: sends are raw
// datagrams of the core, timers are events, and a timeout ends the
// session with a BYE (RFC 3261 13.3.1.4).
func (ua *UserAgent) apply2xx(leg *uaLeg, out []transaction.UAS2xxAction) {
	s := ua.core.Sim()
	for _, a := range out {
		switch a.Kind {
		case transaction.ActionSend:
			ua.core.SendRaw(a.Dest, a.Data)
		case transaction.ActionStartTimer:
			s.Cancel(leg.u2xxEv[a.Timer])
			leg.u2xxEv[a.Timer] = s.AfterArg(a.Duration, uaFire2xx, &uaTimer2xx{ua, leg, leg.u2xx, a.Timer})
		case transaction.ActionStopTimer:
			s.Cancel(leg.u2xxEv[a.Timer])
			leg.u2xxEv[a.Timer] = sim.EventID{}
		case transaction.ActionTimeout:
			ua.core.Note("no-ack", leg.d.ID().String())
			if c := leg.call; c != nil && leg == c.leg {
				c.ackTimeout = true
				c.hangup()
			}
		}
	}
}

// inDialogRequest handles a request with a To tag (RFC 3261 12.2.2).
func (ua *UserAgent) inDialogRequest(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	id, err := dialog.UASID(req)
	leg := ua.legs[id]
	if err != nil || leg == nil {
		// RFC 3261 12.2.2: "If the UAS wishes to reject the request
		// because it does not wish to recreate the dialog, it MUST
		// respond to the request with a 481".
		ua.respond(tx, req, 481, "", nil)
		if c := ua.outgoing[req.Header.CallID()]; err == nil && req.Method == sipstack.BYE &&
			c != nil && c.localTag == id.LocalTag && !c.final && !c.ended {
			// The callee ends a session whose 2xx, and every
			// provisional with its tag, never arrived (RFC 3261
			// 13.3.1.4): the INVITE will not be answered now, and is
			// cancelled as for a BYE in an early dialog (below), even
			// with early dialogs of other forks left.
			ua.core.Note("bye-early", id.String())
			c.byeEarly = true
			c.Cancel()
		}
		return
	}
	c := leg.call
	if req.Method == sipstack.INVITE {
		ua.uasReinvite(tx, req, src, leg)
		return
	}
	if code, err := leg.d.ReceiveRequest(req); code != 0 {
		ua.core.Note("rejected", fmt.Sprintf("%s in %s: %d %v", req.Method, id.String(), code, err))
		ua.respond(tx, req, code, "", nil)
		return
	}
	switch req.Method {
	case sipstack.BYE:
		// RFC 3261 15.1.2: the UAS "MUST still respond to any pending
		// requests received for that dialog" and answers the BYE 200.
		ua.respond(tx, req, 200, "", nil)
		switch {
		case c != nil && leg == c.leg:
			c.byeReceived()
		case c != nil && c.incoming && !c.final:
			// RFC 3261 15.1.2: a BYE in an early dialog of a pending
			// INVITE; the UAS answers the INVITE 487.
			ua.core.Note("bye-early", id.String())
			ua.uasFinal(c, 487, CallCancelled, nil)
		case c != nil && !c.incoming && !c.final && !c.ended:
			// A BYE from the callee in what is still an early dialog
			// here: the callee sent a 2xx that never arrived, gave up
			// waiting for the ACK and ended the session (RFC 3261
			// 13.3.1.4). The INVITE client transaction, in Proceeding,
			// has no timer left (17.1.1.2) and its 2xx will not come:
			// the INVITE is cancelled (9.1), which ends the call at the
			// latest 64*T1 later. It is cancelled even when early
			// dialogs of other forks remain: a callee sends BYE only
			// after its 2xx (15), which a forking proxy forwarded,
			// cancelling every other branch and forwarding no final
			// response but a 2xx from then on (16.7 steps 5, 10), so
			// waiting on them could wait for ever. A 2xx that still
			// comes is acknowledged and ended with BYE.
			ua.removeLeg(leg)
			c.early = slices.DeleteFunc(c.early, func(l *uaLeg) bool { return l == leg })
			ua.core.Note("bye-early", id.String())
			c.byeEarly = true
			c.Cancel()
		default:
			ua.removeLeg(leg)
		}
	case sipstack.INFO:
		ua.respond(tx, req, 200, "", nil)
		ua.core.Note("info", id.String())
	case sipstack.OPTIONS:
		ua.answerOptions(tx, req, id.LocalTag)
	default:
		ua.respond(tx, req, 405, "", func(r *sipstack.Response) { r.Header.Add("Allow", UAAllow) })
	}
}

// sampleSeconds draws a duration in seconds from d with the UA's stream;
// nil gives 0.
func (ua *UserAgent) sampleSeconds(d sim.Dist) time.Duration {
	if d == nil {
		return 0
	}
	return sim.SampleDuration(d, ua.core.Rand())
}

// t1 returns the UA's T1 (RFC 3261 17.1.1.1).
func (ua *UserAgent) t1() time.Duration {
	if t := ua.core.Config().Timers.T1; t > 0 {
		return t
	}
	return transaction.DefaultT1
}
