package dialog

import (
	"fmt"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
)

// NewCancel builds the CANCEL of req, a request this element sent and has
// not seen a final response to (RFC 3261 9.1). "The Request-URI, Call-ID,
// To, the numeric part of CSeq, and From header fields in the CANCEL
// request MUST be identical to those in the request being cancelled,
// including tags. A CANCEL constructed by a client MUST have only a single
// Via header field value matching the top Via value in the request being
// cancelled ... the method part of the CSeq header field MUST have a value
// of CANCEL." And: "If the request being cancelled contains a Route header
// field, the CANCEL request MUST include that Route header field's values."
//
// So the CANCEL has the Request-URI of req, then Via (the top Via value of
// req, the same branch, so that the CANCEL matches req's transaction, RFC
// 3261 9.2 and 17.2.3), Max-Forwards 70, the Route fields of req, and
// From, To, Call-ID and CSeq (req's number, method CANCEL), each copied as
// written. It has no body and, as RFC 3261 9.1 requires, no Require or
// Proxy-Require; it carries no credentials either, since a CANCEL cannot be
// challenged (RFC 3261 9.2, 22.1).
//
// RFC 3261 9.1 says a CANCEL "SHOULD NOT be sent to cancel a request other
// than INVITE"; NewCancel leaves that choice to the caller but refuses to
// cancel an ACK or a CANCEL ([ErrMethod]). A missing or malformed top Via,
// From, To, Call-ID or CSeq gives [ErrMalformed]. The caller sends the
// CANCEL to the destination of req, after a provisional response (RFC 3261
// 9.1).
func NewCancel(req *sipstack.Request) (*sipstack.Request, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: nil request", ErrMalformed)
	}
	if req.Method == sipstack.ACK || req.Method == sipstack.CANCEL {
		return nil, fmt.Errorf("%w: CANCEL of a %s", ErrMethod, req.Method)
	}
	h := req.Header
	if _, err := h.Via(); err != nil {
		return nil, malformed(err)
	}
	vias := h.Values("Via")
	if len(vias) == 0 { // unreachable after Via() succeeded; kept for safety
		return nil, fmt.Errorf("%w: missing Via", ErrMalformed)
	}
	if _, err := h.From(); err != nil {
		return nil, malformed(err)
	}
	if _, err := h.To(); err != nil {
		return nil, malformed(err)
	}
	callID := h.CallID()
	if callID == "" {
		return nil, fmt.Errorf("%w: missing Call-ID", ErrMalformed)
	}
	if _, err := h.CSeq(); err != nil {
		return nil, malformed(err)
	}
	// The number as written, so that it is identical, not merely equal.
	number := strings.TrimLeft(h.Get("CSeq"), " \t")
	number = number[:len(number)-len(strings.TrimLeft(number, "0123456789"))]
	c := sipstack.NewRequest(sipstack.CANCEL, req.RequestURI)
	c.Header.Add("Via", vias[0])
	c.Header.Add("Max-Forwards", maxForwardsValue)
	for name, value := range h.All() {
		if name == "Route" {
			c.Header.Add(name, value)
		}
	}
	c.Header.Add("From", h.Get("From"))
	c.Header.Add("To", h.Get("To"))
	c.Header.Add("Call-ID", callID)
	c.Header.Add("CSeq", number+" "+sipstack.CANCEL)
	return c, nil
}

// NewRequestTerminated builds the 487 (Request Terminated) response that a
// UAS sends to invite when a CANCEL matches it before any final response
// (RFC 3261 9.2: "If the original request was an INVITE, the UAS SHOULD
// immediately respond to the INVITE with a 487 (Request Terminated)").
//
// The response copies Via, From, To, Call-ID and CSeq from invite (RFC
// 3261 8.2.6.2) and adds toTag to the To field, the tag of the UAS's
// provisional responses, if any. When the To field of invite already has a
// tag (a re-INVITE), that tag is kept, and toTag must be empty or equal to
// it ([ErrTag] otherwise). The transaction layer sends the 487 through the
// INVITE server transaction.
func NewRequestTerminated(invite *sipstack.Request, toTag string) (*sipstack.Response, error) {
	if invite == nil {
		return nil, fmt.Errorf("%w: nil request", ErrMalformed)
	}
	if invite.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: 487 to a %s", ErrMethod, invite.Method)
	}
	return NewUASResponse(invite, 487, toTag)
}

// NewCancelOK builds the 200 (OK) response to a CANCEL that matched a
// pending transaction (RFC 3261 9.2: "as long as the CANCEL matched an
// existing transaction, the UAS answers the CANCEL request itself with a
// 200 (OK) response ... the To tag of the response to the CANCEL and the To
// tag in the response to the original request SHOULD be the same"). toTag is
// that tag; the rules of [NewRequestTerminated] apply to it.
func NewCancelOK(cancel *sipstack.Request, toTag string) (*sipstack.Response, error) {
	if cancel == nil {
		return nil, fmt.Errorf("%w: nil request", ErrMalformed)
	}
	if cancel.Method != sipstack.CANCEL {
		return nil, fmt.Errorf("%w: 200 for CANCEL to a %s", ErrMethod, cancel.Method)
	}
	return NewUASResponse(cancel, 200, toTag)
}

// NewUASResponse builds the response of a UAS to req with the given status
// code, as [sipstack.NewResponse] does (Via, From, To, Call-ID and CSeq
// copied, and Record-Route for 101-299 to INVITE, RFC 3261 8.2.6.2 and
// 12.1.1), and applies the To tag rule of RFC 3261 8.2.6.2: "If a request
// contained a To tag in the request, the To header field in the response
// MUST equal that of the request. However, if the To header field in the
// request did not contain a tag, the URI in the To header field in the
// response MUST equal the URI in the To header field; additionally, the UAS
// MUST add a tag to the To header field in the response (with the exception
// of the 100 (Trying) response, in which a tag MAY be present)."
//
// So a To tag already in req is kept, and tag must then be empty or equal
// to it; otherwise tag, a token (RFC 3261 19.3; see package ident), is
// added, and may be empty only for a 100. The error wraps [ErrTag], or
// [ErrMalformed] for a request without Via, From, To, Call-ID or CSeq. A
// UAS that establishes a dialog adds its Contact to the response, then
// calls [NewUAS].
func NewUASResponse(req *sipstack.Request, code int, tag string) (*sipstack.Response, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: nil request", ErrMalformed)
	}
	if code < 100 || code > 699 {
		return nil, fmt.Errorf("%w: status code %d", ErrMalformed, code)
	}
	for _, name := range []string{"Via", "From", "To", "CSeq"} {
		if !req.Header.Has(name) {
			return nil, fmt.Errorf("%w: missing %s", ErrMalformed, name)
		}
	}
	if req.Header.CallID() == "" {
		return nil, fmt.Errorf("%w: missing Call-ID", ErrMalformed)
	}
	to, err := req.Header.To()
	if err != nil {
		return nil, malformed(err)
	}
	resp := sipstack.NewResponse(req, code, "")
	if have := to.Tag(); have != "" {
		if tag != "" && tag != have {
			return nil, fmt.Errorf("%w: To tag %q differs from the request's %q (RFC 3261 8.2.6.2)", ErrTag, tag, have)
		}
		return resp, nil
	}
	if tag == "" && code == 100 {
		return resp, nil
	}
	if !sipstack.IsToken(tag) {
		return nil, fmt.Errorf("%w: To tag %q is not a token (RFC 3261 19.3)", ErrTag, tag)
	}
	// Append the tag to the To value as written, so that the rest of the
	// field stays byte for byte the request's (RFC 3261 8.2.6.2: the URI
	// in the To of the response MUST equal the URI in the request's).
	resp.Header.Set("To", resp.Header.Get("To")+";tag="+tag)
	return resp, nil
}
