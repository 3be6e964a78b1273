package nodes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/dialog"
	"github.com/sipsim/sipsim/sipstack/sdp"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// drawAnswer draws the answer mode of a new INVITE from the UA's stream:
// one draw per INVITE, whatever the options, so that changing a
// probability never shifts the draws that follow.
func (ua *UserAgent) drawAnswer() AnswerMode {
	a := ua.opts.Answer
	x := ua.core.Rand().Float64()
	for _, m := range []struct {
		p    float64
		mode AnswerMode
	}{{a.Busy, AnswerBusy}, {a.Decline, AnswerDecline}, {a.Unavailable, AnswerUnavailable}, {a.NoAnswer, AnswerNever}} {
		if x < m.p {
			return m.mode
		}
		x -= m.p
	}
	return AnswerAccept
}

// uasInvite handles a new INVITE (RFC 3261 13.3.1). The server transaction
// sent 100 (Trying) already unless the node's TryingPolicy is TryingNone:
// a UA that rings at once answers within 200 ms, which RFC 3261 17.2.1
// lets it do without a 100, as RFC 3665 3.1 shows.
func (ua *UserAgent) uasInvite(tx transaction.ID, req *sipstack.Request, src transaction.Destination) {
	c := uaNewCall(ua, true)
	c.serverTx, c.req, c.src = tx, req, src
	c.callID = req.Header.CallID()
	c.target = req.RequestURI
	if to, err := req.Header.To(); err == nil {
		c.to = to.URI
	}
	c.localTag = ua.core.IDs().Tag()
	c.mark(&c.times.Invite)
	ua.inbound[tx] = c
	mode := ua.drawAnswer()
	ua.core.NoteCall("incoming", c.callID, mode.String())
	if len(req.Body) > 0 {
		if ct := req.Header.ContentType(); ct != "" && !strings.EqualFold(ct, "application/sdp") {
			// RFC 3261 21.4.13: a body the UA does not understand.
			ua.uasFinal(c, 415, CallFailed, func(r *sipstack.Response) { r.Header.Add("Accept", "application/sdp") })
			return
		}
		offer, err := sdp.Parse(req.Body)
		if err != nil {
			ua.uasFinal(c, 400, CallFailed, nil)
			return
		}
		c.remote = offer
	}
	if exp, ok := req.Header.Expires(); ok {
		// RFC 3261 13.3.1: "If the INVITE request contained an Expires
		// header field, and the UAS has not sent a final response when it
		// expires, the UAS generates a 487 (Request Terminated)".
		c.after(c.now().Add(time.Duration(exp)*time.Second), func() {
			ua.core.NoteCall("invite-expired", c.callID, "")
			ua.uasFinal(c, 487, CallCancelled, nil)
		})
	}
	a := ua.opts.Answer
	switch mode {
	case AnswerBusy:
		ua.uasFinal(c, 486, CallFailed, nil)
		return
	case AnswerUnavailable:
		ua.uasFinal(c, 480, CallFailed, nil)
		return
	}
	if !a.NoRinging && !ua.ring(c) {
		return
	}
	switch mode {
	case AnswerAccept:
		c.after(c.now().Add(ua.sampleSeconds(a.RingTime)), func() { ua.uasAccept(c) })
	case AnswerDecline:
		c.after(c.now().Add(ua.sampleSeconds(a.RingTime)), func() { ua.uasDecline(c, 603) })
	case AnswerNever:
		if !a.RedirectTo.IsZero() && a.NoAnswerTime > 0 {
			c.after(c.now().Add(a.NoAnswerTime), func() { ua.uasDecline(c, 0) })
		}
	}
	if a.MaxRing >= 0 {
		// The bound on ringing (AnswerOptions.MaxRing): without it a
		// caller whose INVITE timed out before any provisional reached it
		// can never CANCEL (RFC 3261 9.1), and the callee rings forever.
		maxRing := a.MaxRing
		if maxRing == 0 {
			maxRing = UADefaultMaxRing
		}
		c.after(c.now().Add(maxRing), func() {
			if !c.final {
				ua.core.NoteCall("ring-timeout", c.callID, "")
				ua.uasFinal(c, 480, CallTimedOut, nil)
			}
		})
	}
}

// ring sends 180 Ringing with the UA's To tag and Contact, which creates
// the early dialog (RFC 3261 13.3.1.1, 12.1.1).
func (ua *UserAgent) ring(c *Call) bool {
	resp, err := dialog.NewUASResponse(c.req, 180, c.localTag)
	if err != nil {
		ua.core.Note("respond-error", err.Error())
		return false
	}
	resp.Header.Add("Contact", ua.contact.String())
	if d, err := dialog.NewUAS(c.req, resp); err == nil {
		c.early = append(c.early, ua.addLeg(d, c))
	}
	if err := ua.core.Respond(c.serverTx, resp); err != nil {
		ua.core.Note("respond-error", err.Error())
		return false
	}
	c.mark(&c.times.Provisional)
	return true
}

// uasDecline ends a ringing call: with 302 to AnswerOptions.RedirectTo when
// set (RFC 3261 8.3, 21.3.3), else with code.
func (ua *UserAgent) uasDecline(c *Call, code int) {
	if to := ua.opts.Answer.RedirectTo; !to.IsZero() {
		ua.core.NoteCall("redirect", c.callID, "to "+to.String())
		c.redirect = to
		ua.uasFinal(c, 302, CallRedirected, func(r *sipstack.Response) {
			r.Header.Add("Contact", sipstack.Address{URI: to}.String())
		})
		return
	}
	if code == 0 {
		return
	}
	ua.uasFinal(c, code, CallFailed, nil)
}

// uasFinal sends the non-2xx final response code to the call's INVITE and
// ends the call; the transaction retransmits it until the ACK (RFC 3261
// 17.2.1).
func (ua *UserAgent) uasFinal(c *Call, code int, o CallOutcome, edit func(*sipstack.Response)) {
	if c.final || c.ended {
		return
	}
	c.final = true
	delete(ua.inbound, c.serverTx)
	var resp *sipstack.Response
	var err error
	if code == 487 {
		resp, err = dialog.NewRequestTerminated(c.req, c.localTag)
	} else {
		resp, err = dialog.NewUASResponse(c.req, code, c.localTag)
	}
	if err == nil {
		if edit != nil {
			edit(resp)
		}
		err = ua.core.Respond(c.serverTx, resp)
	}
	if err != nil {
		ua.core.Note("respond-error", err.Error())
	}
	c.mark(&c.times.Final)
	ua.core.NoteCall("rejected", c.callID, strconv.Itoa(code))
	c.finish(o, code)
}

// uasAccept answers the call with 200 OK and an SDP answer of the user's
// capabilities (RFC 3261 13.3.1.4, RFC 3264 6), or 488 when no offered
// stream is acceptable (RFC 3261 13.3.1.3). An INVITE without an offer
// gets an offer in the 200; the answer comes in the ACK.
func (ua *UserAgent) uasAccept(c *Call) {
	if c.final || c.ended {
		return
	}
	var desc *sdp.Session
	var err error
	if c.remote != nil {
		desc, err = sdp.Answer(c.remote, ua.opts.Media, ua.origin())
		c.lastAnswerLocal = true
	} else {
		desc, err = sdp.Offer(ua.opts.Media, ua.origin())
	}
	var body []byte
	if err == nil {
		body, err = desc.Marshal()
	}
	if err != nil {
		ua.core.NoteCall("sdp", c.callID, err.Error())
		ua.uasFinal(c, 488, CallFailed, nil)
		return
	}
	resp, err := dialog.NewUASResponse(c.req, 200, c.localTag)
	if err != nil {
		ua.core.Note("respond-error", err.Error())
		return
	}
	resp.Header.Add("Contact", ua.contact.String())
	resp.SetBody("application/sdp", body)
	var leg *uaLeg
	if len(c.early) > 0 {
		leg = c.early[0]
		c.early = c.early[1:]
		if err := leg.d.Confirm(resp); err != nil {
			ua.core.Note("respond-error", err.Error())
		}
	} else {
		d, err := dialog.NewUAS(c.req, resp)
		if err != nil {
			ua.core.Note("respond-error", err.Error())
			ua.uasFinal(c, 500, CallFailed, nil)
			return
		}
		leg = ua.addLeg(d, c)
	}
	c.final = true
	c.leg = leg
	c.local = desc
	delete(ua.inbound, c.serverTx)
	if err := ua.core.Respond(c.serverTx, resp); err != nil {
		ua.core.Note("respond-error", err.Error())
	}
	c.status = 200
	c.outcome = CallAnswered
	c.mark(&c.times.Answer)
	c.mark(&c.times.Final)
	ua.core.NoteCall("answered", c.callID, "")
	ua.start2xx(leg, c.req, resp, c.src)
}

// uasCancel answers a CANCEL (RFC 3261 9.2): 481 when it matches no
// transaction, else 200, and 487 to the INVITE if it has no final response
// yet.
func (ua *UserAgent) uasCancel(tx transaction.ID, req *sipstack.Request) {
	inv, ok := ua.core.Layer().CancelTarget(req)
	if !ok {
		ua.respond(tx, req, 481, ua.core.IDs().Tag(), nil)
		return
	}
	c := ua.inbound[inv]
	tag := ""
	if c != nil {
		tag = c.localTag
	} else {
		to, err := req.Header.To()
		if err == nil {
			tag = to.Tag()
		}
		if tag == "" {
			tag = ua.core.IDs().Tag()
		}
	}
	if resp, err := dialog.NewCancelOK(req, tag); err == nil {
		if err := ua.core.Respond(tx, resp); err != nil {
			ua.core.Note("respond-error", err.Error())
		}
	}
	if c != nil {
		ua.core.NoteCall("cancelled", c.callID, "")
		ua.uasFinal(c, 487, CallCancelled, nil)
	}
}

// uasACK handles an ACK outside any transaction, the ACK of a 2xx (RFC
// 3261 13.3.1.4): it stops the 2xx retransmissions, and the first one of
// the call starts the callee's hold time.
func (ua *UserAgent) uasACK(req *sipstack.Request) {
	id, err := dialog.UASID(req)
	if err != nil {
		return
	}
	leg := ua.legs[id]
	if leg == nil || leg.u2xx == nil || !leg.u2xx.MatchesACK(req) {
		return
	}
	first := !leg.u2xx.Acknowledged() && !leg.u2xx.Done()
	ua.apply2xx(leg, leg.u2xx.ReceiveACK(req, nil))
	if !first {
		return
	}
	if len(req.Body) > 0 {
		if desc, err := sdp.Parse(req.Body); err == nil {
			if c := leg.call; c != nil {
				c.remote = desc
			}
		}
	}
	c := leg.call
	if c == nil || leg != c.leg || leg.reinvite {
		leg.reinvite = false
		return
	}
	if c.times.Ack == UATimeUnset {
		c.mark(&c.times.Ack)
		c.scheduleSession(ua.opts.Answer.HoldTime)
	}
}

// uasReinvite handles an INVITE within a dialog (RFC 3261 14.2): 491 when
// a re-INVITE of this UA is pending, else an answer built with sdp.Answer
// against the user's capabilities, 488 if none is possible.
func (ua *UserAgent) uasReinvite(tx transaction.ID, req *sipstack.Request, src transaction.Destination, leg *uaLeg) {
	c := leg.call
	if code, err := leg.d.CheckRequest(req); code != 0 {
		ua.core.Note("rejected", fmt.Sprintf("re-INVITE: %d %v", code, err))
		ua.respond(tx, req, code, "", nil)
		return
	}
	if c == nil || c.reinvite || (leg.u2xx != nil && !leg.u2xx.Done()) {
		// RFC 3261 14.2: a re-INVITE while one is in progress gets 491
		// (Request Pending); one while the 2xx waits for its ACK gets 500.
		code := 491
		if c != nil && !c.reinvite {
			code = 500
		}
		ua.respond(tx, req, code, "", func(r *sipstack.Response) {
			if code == 500 {
				r.Header.Add("Retry-After", "1")
			}
		})
		return
	}
	offer, err := sdp.Parse(req.Body)
	var answer *sdp.Session
	if err == nil {
		origin := ua.origin()
		if c.local != nil {
			origin, err = c.local.Origin.Next()
		}
		if err == nil {
			answer, err = sdp.Answer(offer, ua.opts.Media, origin)
		}
	}
	var body []byte
	if err == nil {
		body, err = answer.Marshal()
	}
	if err != nil {
		ua.core.Note("sdp", fmt.Sprintf("re-INVITE: %v", err))
		ua.respond(tx, req, 488, "", nil)
		return
	}
	if _, err := leg.d.ReceiveRequest(req); err != nil {
		ua.respond(tx, req, 500, "", nil)
		return
	}
	resp := ua.respond(tx, req, 200, "", func(r *sipstack.Response) {
		r.Header.Add("Contact", ua.contact.String())
		r.SetBody("application/sdp", body)
	})
	if resp == nil {
		return
	}
	c.remote, c.local, c.lastAnswerLocal = offer, answer, true
	leg.reinvite = true
	ua.core.NoteCall("reinvite-answered", c.callID, fmt.Sprintf("%d streams active", uaActiveStreams(offer, answer)))
	ua.start2xx(leg, req, resp, src)
}

// uaActiveStreams counts the streams of an exchange that carry media.
func uaActiveStreams(offer, answer *sdp.Session) int {
	st, err := sdp.Negotiate(offer, answer)
	if err != nil {
		return 0
	}
	n := 0
	for _, s := range st {
		if s.Active {
			n++
		}
	}
	return n
}

// AddVideo re-INVITEs to add the user's video capability to the session
// (RFC 3264 8.1, RFC 3261 14.1), the seed's "add videoconferencing". The
// offer is sdp.AddVideo on the last description this side sent.
func (c *Call) AddVideo() error {
	var video *sdp.MediaCapability
	for i := range c.ua.opts.Media.Media {
		if c.ua.opts.Media.Media[i].Type == "video" {
			video = &c.ua.opts.Media.Media[i]
			break
		}
	}
	if video == nil {
		return ErrUANoVideo
	}
	return c.modify(func(prev *sdp.Session) (*sdp.Session, error) { return sdp.AddVideo(prev, *video) })
}

// RemoveVideo re-INVITEs to disable the session's video streams (RFC 3264
// 8.2): sdp.RemoveVideo on the last description this side sent.
func (c *Call) RemoveVideo() error {
	return c.modify(sdp.RemoveVideo)
}

// modify sends a re-INVITE with the offer that change builds from the last
// local description (RFC 3261 14.1). The new offer and the answer replace
// the session's descriptions when a 2xx comes; otherwise the session is
// unchanged (RFC 3261 14.1: "the session description ... remains
// unchanged").
func (c *Call) modify(change func(*sdp.Session) (*sdp.Session, error)) error {
	ua := c.ua
	if c.ended || c.leg == nil || c.byeSent || c.reinvite || c.local == nil {
		return ErrUACallState
	}
	leg := c.leg
	if leg.u2xx != nil && !leg.u2xx.Done() {
		return ErrUACallState // RFC 3261 14.1: not before the ACK of our 2xx
	}
	offer, err := change(c.local)
	if err != nil {
		return err
	}
	body, err := offer.Marshal()
	if err != nil {
		return err
	}
	req, err := leg.d.NewRequest(sipstack.INVITE)
	if err != nil {
		return err
	}
	req.SetBody("application/sdp", body)
	c.reinvite = true
	ua.core.NoteCall("reinvite", c.callID, fmt.Sprintf("%d m-lines", len(offer.Media)))
	ct := &uaClientTx{req: req}
	ct.onResp = func(ct *uaClientTx, resp *sipstack.Response) {
		if resp.StatusCode < 200 {
			return
		}
		c.reinvite = false
		if resp.StatusCode >= 300 {
			ua.core.NoteCall("reinvite-failed", c.callID, strconv.Itoa(resp.StatusCode))
			if resp.StatusCode == 481 || resp.StatusCode == 408 {
				c.hangup() // RFC 3261 12.2.1.2, 14.1
			}
			return
		}
		if err := leg.d.ReceiveResponse(ct.sent, resp); err != nil {
			ua.core.Note("reinvite-failed", err.Error())
		}
		ack, err := leg.d.NewACK(ct.sent)
		if err != nil {
			ua.core.Note("reinvite-failed", err.Error())
			return
		}
		ua.sendDirect(ack, func(sent *sipstack.Request, dest transaction.Destination) { leg.ack, leg.ackDest = sent, dest })
		if answer, err := sdp.Parse(resp.Body); err == nil {
			c.local, c.remote, c.lastAnswerLocal = offer, answer, false
			ua.core.NoteCall("reinvite-answered", c.callID, fmt.Sprintf("%d streams active", uaActiveStreams(offer, answer)))
		}
	}
	ct.onFail = func(*uaClientTx, transaction.Timer) {
		c.reinvite = false
		ua.core.NoteCall("reinvite-failed", c.callID, "no response")
		c.hangup() // RFC 3261 14.1: a timeout ends the dialog
	}
	ua.send(ct, uaNextHop(req))
	return nil
}

// SendInfo sends an INFO with body in the call's dialog (RFC 6086, RFC 3261
// 12.2.1.1); its response is only reported to the trace.
func (c *Call) SendInfo(contentType string, body []byte) error {
	ua := c.ua
	if c.ended || c.leg == nil || c.byeSent {
		return ErrUACallState
	}
	req, err := c.leg.d.NewRequest(sipstack.INFO)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		req.SetBody(contentType, slices.Clone(body))
	}
	ct := &uaClientTx{req: req,
		onResp: func(_ *uaClientTx, resp *sipstack.Response) {
			if resp.StatusCode >= 200 {
				ua.core.NoteCall("info-answered", c.callID, strconv.Itoa(resp.StatusCode))
			}
		},
		onFail: func(*uaClientTx, transaction.Timer) { ua.core.NoteCall("info-failed", c.callID, "") },
	}
	ua.send(ct, uaNextHop(req))
	return nil
}
