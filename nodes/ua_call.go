package nodes

import (
	"cmp"
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

// CallOutcome is how a call ended, or that it has not yet.
type CallOutcome uint8

// The outcomes of a call.
const (
	// CallPending: no final response yet.
	CallPending CallOutcome = iota
	// CallAnswered: a 2xx was received (UAC) or sent (UAS); the session is
	// up.
	CallAnswered
	// CallCompleted: the session was up and ended with BYE (RFC 3261 15).
	CallCompleted
	// CallFailed: a final response 3xx-6xx ended the attempt (RFC 3261
	// 8.1.3, 13.2.2.3), received by the UAC or sent by the UAS; Status
	// says which.
	CallFailed
	// CallCancelled: the INVITE was cancelled (RFC 3261 9): the caller
	// gave up before an answer (a 487 came, or none within 64*T1 of the
	// CANCEL and the INVITE transaction was abandoned), or the callee's
	// INVITE expired.
	CallCancelled
	// CallRedirected: the UAS redirected the call with a 3xx (RFC 3261
	// 8.3), such as to voicemail.
	CallRedirected
	// CallTimedOut: for a call placed, no final response came (Timer B,
	// RFC 3261 17.1.1.2); for a call received, the user did not answer
	// within AnswerOptions.MaxRing (480 sent) or the 2xx was never
	// acknowledged (RFC 3261 13.3.1.4).
	CallTimedOut
	// CallTransportError: the INVITE could not be sent or resolved (RFC
	// 3261 8.1.3.1).
	CallTransportError
)

// String returns the outcome's name.
func (o CallOutcome) String() string {
	switch o {
	case CallPending:
		return "pending"
	case CallAnswered:
		return "answered"
	case CallCompleted:
		return "completed"
	case CallFailed:
		return "failed"
	case CallCancelled:
		return "cancelled"
	case CallRedirected:
		return "redirected"
	case CallTimedOut:
		return "timeout"
	case CallTransportError:
		return "transport-error"
	}
	return "CallOutcome(" + strconv.Itoa(int(o)) + ")"
}

// UATimeUnset is the value of a [CallTimes] field for an event that has
// not happened.
const UATimeUnset sim.Time = -1

// CallTimes are the instants of a call's milestones, in virtual time, for
// metrics such as the session request delay of RFC 6076; each is
// UATimeUnset until it happens. For a call placed they are times of
// sending (INVITE, ACK, BYE) or receiving (responses); for a call received,
// the reverse.
type CallTimes struct {
	// Invite is the first INVITE of the call: for a call placed, when
	// [UserAgent.Call] ran (the INVITE leaves after any resolver delay).
	Invite sim.Time
	// Trying is the first 100 (Trying).
	Trying sim.Time
	// Provisional is the first provisional response 101-199, such as 180.
	Provisional sim.Time
	// Answer is the first 2xx.
	Answer sim.Time
	// Final is the final response that ended the attempt, 2xx or not.
	Final sim.Time
	// Ack is the first ACK of the 2xx.
	Ack sim.Time
	// Bye is the BYE that ended the session.
	Bye sim.Time
	// End is when the call ended: the BYE's response or timeout, the
	// non-2xx final response, the timeout.
	End sim.Time
}

// A Call is one call placed or received by a [UserAgent]: an INVITE and
// what followed, kept as a record for later metrics. Its methods that
// change the session (Hangup, Cancel, AddVideo, RemoveVideo, SendInfo)
// run inside the simulation, from an event.
type Call struct {
	ua       *UserAgent
	incoming bool
	callID   string
	localTag string
	to       uri.URI // the callee asked for (UAC) or the To URI (UAS)
	target   uri.URI // the Request-URI of the last INVITE sent
	opts     CallOptions
	outcome  CallOutcome
	status   int
	times    CallTimes
	redirect uri.URI

	// UAC state.
	cseq        uint32
	invite      *sipstack.Request // template of the current INVITE, without Via
	inviteSent  *sipstack.Request // the INVITE as last sent, with Via
	inv         *uaClientTx
	hop         uri.URI
	authTries   int
	targets     []uri.URI // 3xx Contacts still to try
	tried       []uri.URI
	redirects   int
	provisional bool
	sameServer  []Target // where the next INVITE goes, instead of resolving hop
	cancelWant  bool
	byeEarly    bool // cancelled because the callee sent BYE before any 2xx arrived
	cancelSent  bool
	noAnswerEv  sim.EventID

	// UAS state.
	serverTx   transaction.ID
	req        *sipstack.Request
	src        transaction.Destination
	ackTimeout bool

	// Both.
	final           bool         // a final response to the INVITE was received or sent
	early           []*uaLeg     // early dialogs
	leg             *uaLeg       // the confirmed dialog
	local           *sdp.Session // last description sent (offer or answer)
	remote          *sdp.Session // last description received
	reinvite        bool         // a re-INVITE of ours is pending
	lastAnswerLocal bool         // the last offer/answer exchange was answered here
	hangupEv        sim.EventID
	byeSent         bool
	ended           bool
	events          []sim.EventID
}

// Incoming reports whether the call was received (UAS) rather than placed.
func (c *Call) Incoming() bool { return c.incoming }

// CallID returns the call's Call-ID.
func (c *Call) CallID() string { return c.callID }

// To returns the URI called: the one given to [UserAgent.Call], or the To
// URI of an INVITE received.
func (c *Call) To() uri.URI { return c.to }

// Target returns the Request-URI of the last INVITE sent, which differs
// from To after a redirection (RFC 3261 8.1.3.4), or of the INVITE
// received.
func (c *Call) Target() uri.URI { return c.target }

// Outcome returns how the call ended so far.
func (c *Call) Outcome() CallOutcome { return c.outcome }

// Status returns the status code of the final response to the INVITE,
// received or sent, or 0 when there was none.
func (c *Call) Status() int { return c.status }

// Times returns the instants of the call's milestones.
func (c *Call) Times() CallTimes { return c.times }

// RedirectedTo returns the Contact of the 3xx the UAS sent, zero otherwise.
func (c *Call) RedirectedTo() uri.URI { return c.redirect }

// Ended reports whether the call is over: nothing more will be sent for it.
func (c *Call) Ended() bool { return c.ended }

// Streams returns the media streams of the last completed offer/answer
// exchange (RFC 3264), from the offerer's point of view, or nil.
func (c *Call) Streams() []sdp.Stream {
	if c.local == nil || c.remote == nil {
		return nil
	}
	offer, answer := c.local, c.remote
	if c.lastAnswerLocal {
		offer, answer = c.remote, c.local
	}
	st, err := sdp.Negotiate(offer, answer)
	if err != nil {
		return nil
	}
	return st
}

// uaNewCall records a new call of ua, with no milestone reached yet.
func uaNewCall(ua *UserAgent, incoming bool) *Call {
	c := &Call{ua: ua, incoming: incoming, times: CallTimes{UATimeUnset, UATimeUnset, UATimeUnset,
		UATimeUnset, UATimeUnset, UATimeUnset, UATimeUnset, UATimeUnset}}
	if !ua.forget {
		ua.calls = append(ua.calls, c)
	}
	return c
}

// now returns the current virtual time.
func (c *Call) now() sim.Time { return c.ua.core.Sim().Now() }

// mark sets *t to now unless it is set.
func (c *Call) mark(t *sim.Time) {
	if *t == UATimeUnset {
		*t = c.now()
	}
}

// after schedules fn for the call and remembers the event, so that the
// end of the call cancels it.
func (c *Call) after(d sim.Time, fn func()) sim.EventID {
	id := c.ua.core.Sim().At(d, fn)
	c.events = append(c.events, id)
	return id
}

// finish ends the call with outcome o and status code (0 to keep the
// current one), cancels its pending timers and forgets its dialogs.
func (c *Call) finish(o CallOutcome, code int) {
	if c.ended {
		return
	}
	c.ended = true
	c.outcome = o
	if code != 0 {
		c.status = code
	}
	c.mark(&c.times.End)
	s := c.ua.core.Sim()
	for _, e := range c.events {
		s.Cancel(e)
	}
	c.events = nil
	for _, l := range c.early {
		c.ua.removeLeg(l)
	}
	c.early = nil
	if c.leg != nil {
		c.ua.removeLeg(c.leg)
	}
	if c.ua.forget && !c.incoming {
		c.ua.ended = append(c.ua.ended, endedCall{c, c.now().Add(64 * c.ua.core.Layer().Config().T1)})
		c.ua.pruneEnded()
	}
}

// endedCall is a call placed and ended, to forget at the given time.
type endedCall struct {
	c  *Call
	at sim.Time
}

// pruneEnded forgets the ended calls whose time has come. It runs when a
// call is placed or ends rather than on a timer of its own, so that
// forgetting never extends a run's virtual time.
func (ua *UserAgent) pruneEnded() {
	now := ua.core.Sim().Now()
	n := 0
	for n < len(ua.ended) && ua.ended[n].at <= now {
		if c := ua.ended[n].c; ua.outgoing[c.callID] == c {
			delete(ua.outgoing, c.callID)
		}
		n++
	}
	ua.ended = append(ua.ended[:0], ua.ended[n:]...)
}

// Call places a call to to (RFC 3261 13.2.1): an INVITE with an SDP offer
// of the user's capabilities (audio, and video when opts.Video), sent to
// the outbound proxy or to to itself. Zero fields of opts take the UA's
// defaults. The returned Call records what follows.
func (ua *UserAgent) Call(to uri.URI, opts CallOptions) (*Call, error) {
	if to.IsZero() {
		return nil, fmt.Errorf("%w: empty Request-URI", ErrUAOptions)
	}
	d := ua.opts.Call
	if !opts.Video {
		opts.Video = d.Video
	}
	if !opts.DelayedOffer {
		opts.DelayedOffer = d.DelayedOffer
	}
	if opts.HoldTime == nil {
		opts.HoldTime = d.HoldTime
	}
	for _, p := range []struct{ v, def *time.Duration }{
		{&opts.NoAnswerTimeout, &d.NoAnswerTimeout}, {&opts.Expires, &d.Expires},
		{&opts.AddVideoAfter, &d.AddVideoAfter}, {&opts.RemoveVideoAfter, &d.RemoveVideoAfter},
		{&opts.InfoAfter, &d.InfoAfter},
	} {
		if *p.v == 0 {
			*p.v = *p.def
		}
		if *p.v < 0 {
			return nil, fmt.Errorf("%w: negative duration", ErrUAOptions)
		}
	}
	caps := ua.callCaps(opts)
	offer, err := sdp.Offer(caps, ua.origin())
	if err != nil {
		return nil, err
	}
	body, err := offer.Marshal()
	if err != nil {
		return nil, err
	}
	c := uaNewCall(ua, false)
	c.opts = opts
	c.to, c.target = to, to
	c.callID = ua.core.IDs().CallID()
	c.localTag = ua.core.IDs().Tag()
	c.cseq = 1
	if !opts.DelayedOffer {
		c.local = offer
	}
	ua.outgoing[c.callID] = c
	if ua.forget {
		ua.pruneEnded()
	}
	req, hop := ua.initialRequest(sipstack.INVITE, to, to, c.localTag, c.callID, c.cseq)
	req.Header.Add("Contact", ua.contact.String())
	if opts.Expires > 0 {
		req.Header.Add("Expires", strconv.FormatInt(int64(opts.Expires/time.Second), 10))
	}
	if !opts.DelayedOffer {
		req.SetBody("application/sdp", body)
	}
	c.invite, c.hop = req, hop
	c.mark(&c.times.Invite)
	ua.core.NoteCall("call-placed", c.callID, "to "+to.String())
	if opts.NoAnswerTimeout > 0 {
		c.noAnswerEv = c.after(c.now().Add(opts.NoAnswerTimeout), func() {
			ua.core.NoteCall("no-answer", c.callID, "")
			c.Cancel()
		})
	}
	c.sendInvite()
	return c, nil
}

// sendInvite sends c.invite through a new client transaction.
func (c *Call) sendInvite() {
	c.provisional, c.final = false, false
	ct := &uaClientTx{req: c.invite, onResp: c.inviteResponse, onFail: c.inviteFailed}
	c.inv = ct
	if t := c.sameServer; len(t) > 0 {
		c.sameServer = nil
		ct.targets, ct.next = t, 0
		c.ua.transmit(ct)
		return
	}
	c.ua.send(ct, c.hop)
}

// resendInvite sends c.invite again as a new request, with the next CSeq,
// the same Call-ID and From tag (RFC 3261 8.1.3.4, 8.1.3.5, 22.2).
func (c *Call) resendInvite(ruri uri.URI) {
	c.cseq++
	r := c.invite.Clone()
	r.RequestURI = ruri
	r.Header.Set("CSeq", sipstack.CSeq{Seq: c.cseq, Method: sipstack.INVITE}.String())
	c.invite, c.target = r, ruri
	if c.ua.opts.OutboundProxy.IsZero() {
		c.hop = ruri
	}
	c.sendInvite()
}

// inviteResponse handles a response to the call's INVITE (RFC 3261 13.2.2).
func (c *Call) inviteResponse(ct *uaClientTx, resp *sipstack.Response) {
	if ct != c.inv {
		return // the response of an INVITE the call no longer uses
	}
	c.inviteSent = ct.sent
	code := resp.StatusCode
	switch {
	case code < 200:
		c.inviteProvisional(ct, resp)
	case code < 300:
		c.final = true
		c.ua.uac2xx(c, ct.sent, resp)
	default:
		c.final = true
		c.inviteFinal(ct, resp)
	}
}

// inviteProvisional handles a 1xx (RFC 3261 13.2.2.1): a provisional with a
// To tag creates an early dialog (RFC 3261 12.1.2), and a pending CANCEL
// may now be sent (RFC 3261 9.1).
func (c *Call) inviteProvisional(ct *uaClientTx, resp *sipstack.Response) {
	if c.ended {
		return
	}
	if resp.StatusCode == 100 {
		c.mark(&c.times.Trying)
	} else {
		c.mark(&c.times.Provisional)
	}
	c.provisional = true
	if to, err := resp.Header.To(); err == nil && to.Tag() != "" && resp.StatusCode > 100 {
		if id, err := dialog.UACID(resp); err == nil && c.ua.legs[id] == nil {
			if d, err := dialog.NewUAC(ct.sent, resp); err == nil {
				c.early = append(c.early, c.ua.addLeg(d, c))
			}
		}
	}
	if c.cancelWant && !c.cancelSent {
		c.sendCancel()
	}
}

// inviteFinal handles a 3xx-6xx final response (RFC 3261 13.2.2.3, 8.1.3).
// The ACK was sent by the transaction (RFC 3261 17.1.1.3).
func (c *Call) inviteFinal(ct *uaClientTx, resp *sipstack.Response) {
	ua := c.ua
	code := resp.StatusCode
	c.mark(&c.times.Final)
	for _, l := range c.early {
		ua.removeLeg(l)
	}
	c.early = nil
	if c.ended {
		return
	}
	if (code == 401 || code == 407) && !c.cancelWant && c.authTries < 2 && ua.authorize(c.invite, resp) {
		c.authTries++
		ua.core.NoteCall("challenged", c.callID, fmt.Sprintf("%d, retrying with credentials", code))
		// The credentials answer the challenge (and nonce) of the server
		// that sent it, so the new INVITE goes to that server, not to the
		// first one resolution gives: after a failover (RFC 3263 4.3,
		// RFC 3665 3.4 F9-F11) that one is dead. The servers after it
		// stay as fallbacks.
		if ct.next > 0 && ct.next <= len(ct.targets) {
			c.sameServer = slices.Clone(ct.targets[ct.next-1:])
		}
		c.resendInvite(c.target)
		return
	}
	if code >= 300 && !c.cancelWant {
		// RFC 3261 8.1.3.4: the Contacts of a 3xx are tried in q order;
		// a failure of one of them moves on to the next.
		if code < 400 {
			c.addRedirectTargets(resp)
		}
		if len(c.targets) > 0 && c.redirects < ua.opts.MaxRedirects {
			next := c.targets[0]
			c.targets = c.targets[1:]
			c.redirects++
			c.tried = append(c.tried, next)
			ua.core.NoteCall("redirected", c.callID, fmt.Sprintf("%d, trying %s", code, next.String()))
			c.resendInvite(next)
			return
		}
	}
	if code == 487 && c.cancelWant {
		ua.core.NoteCall("cancelled", c.callID, "487")
		c.finish(CallCancelled, code)
		return
	}
	ua.core.NoteCall("call-failed", c.callID, fmt.Sprintf("%d %s", code, resp.Reason))
	c.finish(CallFailed, code)
}

// addRedirectTargets adds the SIP Contacts of a 3xx to the targets to try,
// highest q first, in the order of the response among equal q values (RFC
// 3261 8.1.3.4), without URIs already tried.
func (c *Call) addRedirectTargets(resp *sipstack.Response) {
	contacts, err := resp.Header.Contacts()
	if err != nil {
		return
	}
	type qc struct {
		q int
		u uri.URI
	}
	var list []qc
	for _, ct := range contacts {
		if ct.Star || (!ct.URI.IsSIP() && !ct.URI.IsSIPS()) {
			continue
		}
		if slices.ContainsFunc(c.tried, ct.URI.Equal) || ct.URI.Equal(c.target) || slices.ContainsFunc(c.targets, ct.URI.Equal) {
			continue
		}
		q, ok := ct.Q()
		if !ok {
			q = 1000
		}
		list = append(list, qc{q, ct.URI})
	}
	slices.SortStableFunc(list, func(a, b qc) int { return cmp.Compare(b.q, a.q) })
	for _, e := range list {
		c.targets = append(c.targets, e.u)
	}
}

// inviteFailed handles the timeout (Timer B) or transport error of the
// INVITE (RFC 3261 8.1.3.1): the call fails with 408 or 503 as a local
// status.
func (c *Call) inviteFailed(ct *uaClientTx, timer transaction.Timer) {
	if ct != c.inv || c.final {
		return
	}
	c.final = true
	for _, l := range c.early {
		c.ua.removeLeg(l)
	}
	c.early = nil
	if timer == 0 {
		c.ua.core.NoteCall("call-failed", c.callID, "transport error")
		c.finish(CallTransportError, 503)
		return
	}
	c.ua.core.NoteCall("call-timeout", c.callID, fmt.Sprintf("timer %v", timer))
	c.finish(CallTimedOut, 408)
}

// uac2xx handles a 2xx to the call's INVITE sent as invite, first or
// retransmitted, from any fork (RFC 3261 13.2.2.4): every 2xx is
// acknowledged; a 2xx from a second fork creates a dialog that is
// acknowledged and ended with a BYE at once.
func (ua *UserAgent) uac2xx(c *Call, invite *sipstack.Request, resp *sipstack.Response) {
	id, err := dialog.UACID(resp)
	if err != nil || invite == nil {
		return
	}
	if c.ended && c.leg != nil && c.leg.d.ID() == id {
		// A late retransmission of the 2xx of a session already over:
		// acknowledged again, nothing more.
		ua.reACK(c.leg, resp, invite)
		return
	}
	leg := ua.legs[id]
	if leg != nil && leg.d.State() == dialog.Confirmed {
		ua.reACK(leg, resp, invite)
		return
	}
	if leg == nil {
		d, err := dialog.NewUAC(invite, resp)
		if err != nil {
			ua.core.Note("bad-2xx", err.Error())
			return
		}
		leg = ua.addLeg(d, c)
	} else {
		if err := leg.d.Confirm(resp); err != nil {
			ua.core.Note("bad-2xx", err.Error())
			return
		}
		c.early = slices.DeleteFunc(c.early, func(l *uaLeg) bool { return l == leg })
	}
	ack, err := leg.d.NewACK(invite)
	if err != nil {
		ua.core.Note("bad-2xx", err.Error())
		return
	}
	// RFC 3261 13.2.2.4: "If the 2xx contains an offer ..., the ACK MUST
	// carry an answer in its body" (an INVITE sent without an offer).
	var offer, answer *sdp.Session
	unacceptable := false
	if len(invite.Body) == 0 && len(resp.Body) > 0 {
		var body []byte
		offer, err = sdp.Parse(resp.Body)
		if err == nil {
			answer, err = sdp.Answer(offer, ua.callCaps(c.opts), ua.origin())
		}
		if err == nil {
			body, err = answer.Marshal()
		}
		if err != nil {
			// "If the offer in the 2xx response is not acceptable, the
			// UAC core MUST generate a valid answer in the ACK and then
			// send a BYE immediately": the ACK goes without one here.
			ua.core.NoteCall("sdp", c.callID, fmt.Sprintf("offer in 2xx: %v", err))
			unacceptable = true
		} else {
			ack.SetBody("application/sdp", body)
		}
	}
	ua.sendDirect(ack, func(sent *sipstack.Request, dest transaction.Destination) { leg.ack, leg.ackDest = sent, dest })
	if c.leg != nil || c.ended {
		// RFC 3261 13.2.2.4: a UAC that does not want the session of
		// another fork "MUST generate a BYE request" once it has sent
		// the ACK.
		leg.call = nil
		ua.core.Note("fork-bye", id.String())
		ua.legBye(leg)
		return
	}
	c.leg = leg
	c.mark(&c.times.Answer)
	c.mark(&c.times.Final)
	c.mark(&c.times.Ack)
	c.status = resp.StatusCode
	c.outcome = CallAnswered
	for _, l := range c.early {
		ua.removeLeg(l)
	}
	c.early = nil
	c.ua.core.Sim().Cancel(c.noAnswerEv)
	if answer != nil {
		c.remote, c.local, c.lastAnswerLocal = offer, answer, true
	} else if answer, err := sdp.Parse(resp.Body); err == nil {
		c.remote = answer
	}
	ua.core.NoteCall("answered", c.callID, strconv.Itoa(resp.StatusCode))
	if c.cancelWant {
		// RFC 3261 9.1 and 15: the 2xx crossed the CANCEL; the caller
		// still wants no session, so it hangs up.
		ua.core.NoteCall("cancel-crossed", c.callID, "")
		c.hangup()
		return
	}
	if unacceptable {
		c.hangup() // RFC 3261 13.2.2.4: "then send a BYE immediately"
		return
	}
	c.scheduleSession(c.opts.HoldTime)
	o := c.opts
	if o.AddVideoAfter > 0 {
		c.after(c.now().Add(o.AddVideoAfter), func() { c.note(c.AddVideo()) })
	}
	if o.RemoveVideoAfter > 0 {
		c.after(c.now().Add(o.RemoveVideoAfter), func() { c.note(c.RemoveVideo()) })
	}
	if o.InfoAfter > 0 {
		c.after(c.now().Add(o.InfoAfter), func() { c.note(c.SendInfo("application/dtmf-relay", []byte("Signal=1\r\nDuration=160\r\n"))) })
	}
}

// callCaps returns the capabilities a call offers or answers with: the
// user's, without video unless the call asks for it.
func (ua *UserAgent) callCaps(opts CallOptions) sdp.Capabilities {
	caps := ua.opts.Media
	if !opts.Video {
		caps.Media = slices.DeleteFunc(slices.Clone(caps.Media), func(m sdp.MediaCapability) bool { return m.Type == "video" })
	}
	return caps
}

// reACK acknowledges again a retransmission resp of a 2xx in leg's
// dialog (RFC 3261 13.2.2.4): with the ACK already sent when it
// acknowledged the same CSeq, else with a new ACK built from invite, the
// request resp answers, when given.
func (ua *UserAgent) reACK(leg *uaLeg, resp *sipstack.Response, invite *sipstack.Request) {
	cs, err := resp.Header.CSeq()
	if err != nil {
		return
	}
	if leg.ack != nil {
		if acs, err := leg.ack.Header.CSeq(); err == nil && acs.Seq == cs.Seq {
			ua.core.SendDirect(leg.ack, leg.ackDest)
			return
		}
	}
	if invite == nil {
		return
	}
	if ics, err := invite.Header.CSeq(); err != nil || ics.Seq != cs.Seq {
		return
	}
	if ack, err := leg.d.NewACK(invite); err == nil {
		ua.sendDirect(ack, nil)
	}
}

// note reports err, if any, of a scheduled operation.
func (c *Call) note(err error) {
	if err != nil {
		c.ua.core.NoteCall("call-error", c.callID, err.Error())
	}
}

// scheduleSession schedules the hang-up after a hold time drawn from d.
func (c *Call) scheduleSession(d sim.Dist) {
	if d == nil {
		return
	}
	hold := c.ua.sampleSeconds(d)
	c.hangupEv = c.after(c.now().Add(hold), func() {
		c.ua.core.NoteCall("hangup", c.callID, fmt.Sprintf("after %v", hold))
		c.hangup()
	})
}

// Hangup ends the call: a BYE for an answered call (RFC 3261 15.1.1),
// a CANCEL for one placed and not yet answered (RFC 3261 9.1). It returns
// ErrUACallState for a call already over, or received and not answered.
func (c *Call) Hangup() error {
	if c.ended || c.byeSent {
		return ErrUACallState
	}
	if c.leg != nil {
		c.hangup()
		return nil
	}
	if !c.incoming {
		c.Cancel()
		return nil
	}
	return ErrUACallState
}

// hangup sends the BYE of the call's dialog.
func (c *Call) hangup() {
	if c.byeSent || c.leg == nil || c.ended {
		return
	}
	c.byeSent = true
	c.mark(&c.times.Bye)
	leg := c.leg
	c.ua.core.Sim().Cancel(c.hangupEv)
	c.ua.legBye(leg)
}

// legBye sends a BYE in leg's dialog; the call, if any, ends when its
// response or timeout comes (RFC 3261 15.1.1: the session ends "whether
// or not a response is received").
func (ua *UserAgent) legBye(leg *uaLeg) {
	bye, err := leg.d.NewRequest(sipstack.BYE)
	if err != nil {
		ua.core.Note("bye-error", err.Error())
		ua.endLeg(leg)
		return
	}
	ua.stopUAS2xx(leg)
	done := func(*uaClientTx) { ua.endLeg(leg) }
	ct := &uaClientTx{req: bye,
		onResp: func(ct *uaClientTx, resp *sipstack.Response) {
			if resp.StatusCode >= 200 {
				done(ct)
			}
		},
		onFail: func(ct *uaClientTx, _ transaction.Timer) { done(ct) },
	}
	ua.send(ct, uaNextHop(bye))
}

// endLeg ends leg's dialog and its call, after a BYE.
func (ua *UserAgent) endLeg(leg *uaLeg) {
	ua.removeLeg(leg)
	if c := leg.call; c != nil && c.leg == leg {
		if c.ackTimeout {
			c.finish(CallTimedOut, 0)
			return
		}
		c.finish(CallCompleted, 0)
	}
}

// byeReceived ends the call after the peer's BYE, answered 200 (RFC 3261
// 15.1.2).
func (c *Call) byeReceived() {
	c.mark(&c.times.Bye)
	c.ua.core.NoteCall("bye-received", c.callID, "")
	leg := c.leg
	c.finish(CallCompleted, 0)
	c.ua.removeLeg(leg)
}

// Cancel cancels a call placed and not yet answered (RFC 3261 9.1). The
// CANCEL is sent at once if a provisional response has come, otherwise
// when one comes; if none comes the INVITE times out. 64*T1 after the
// CANCEL without a final response, the INVITE transaction is abandoned and
// the call ends as cancelled.
func (c *Call) Cancel() {
	if c.incoming || c.ended || c.final || c.cancelWant {
		return
	}
	c.cancelWant = true
	if c.provisional {
		c.sendCancel()
	}
}

// sendCancel sends the CANCEL of the pending INVITE through its own client
// transaction, to the INVITE's destination (RFC 3261 9.1).
func (c *Call) sendCancel() {
	ua := c.ua
	inv := c.inv
	if inv == nil || inv.sent == nil || c.final {
		return
	}
	cancel, err := dialog.NewCancel(inv.sent)
	if err != nil {
		ua.core.Note("cancel-error", err.Error())
		return
	}
	c.cancelSent = true
	ua.core.NoteCall("cancel", c.callID, "")
	ct := &uaClientTx{req: cancel, sent: cancel, dest: inv.dest,
		onResp: func(*uaClientTx, *sipstack.Response) {},
		onFail: func(*uaClientTx, transaction.Timer) {}}
	tx, err := ua.core.SendRequest(cancel, inv.dest)
	if err != nil {
		ua.core.Note("cancel-error", err.Error())
		return
	}
	ct.tx = tx
	ua.txs[tx] = ct
	c.after(c.now().Add(64*ua.t1()), func() {
		if c.final || c.ended {
			return
		}
		c.final = true
		ua.core.NoteCall("cancel-timeout", c.callID, "abandoning the INVITE transaction")
		delete(ua.txs, inv.tx)
		ua.core.Abandon(inv.tx)
		if c.byeEarly {
			// Not the user's CANCEL: the callee ended a session whose
			// 2xx never came, so no final response did.
			c.finish(CallTimedOut, 408)
			return
		}
		c.finish(CallCancelled, 0)
	})
}
