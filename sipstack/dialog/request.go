package dialog

import (
	"fmt"
	"strconv"

	"github.com/sipsim/sipsim/sipstack"
)

// IsTargetRefresh reports whether a request with this method is a target
// refresh request in a dialog established by INVITE: re-INVITE (RFC 3261
// 12.2: "the only target refresh request defined is re-INVITE") and UPDATE
// (RFC 3311 5). ACK is not (RFC 3261 12.2: "an ACK is NOT a target refresh
// request").
func IsTargetRefresh(method string) bool {
	return method == sipstack.INVITE || method == sipstack.UPDATE
}

// NewRequest builds the next request of this UA in the dialog, such as BYE,
// re-INVITE, UPDATE, INFO or OPTIONS (RFC 3261 12.2.1.1), and advances the
// local sequence number. ACK and CANCEL are built by [Dialog.NewACK] and
// [NewCancel], as their CSeq numbers are those of the requests they
// acknowledge or cancel.
//
// The request carries, in this order:
//
//   - Route: the route set, or for a strict router the rest of it and the
//     remote target, as [Dialog.RouteSet] and RFC 3261 12.2.1.1 say; absent
//     when the route set is empty. The Request-URI is the remote target, or
//     the strict router's URI;
//   - Max-Forwards: 70 (RFC 3261 8.1.1.6);
//   - From: the local URI with the local tag, To: the remote URI with the
//     remote tag, each without tag when the tag is null;
//   - Call-ID: the dialog's;
//   - CSeq: the local sequence number plus one, or 1 when it is empty (RFC
//     3261 8.1.1.5 lets the UA choose any initial value below 2**31; 1 is
//     what RFC 3665 shows), and the method;
//   - Contact: the local contact, for target refresh requests only (RFC
//     3261 12.2.1.1: a UAC "SHOULD include a Contact header field in any
//     target refresh requests").
//
// It adds no Via: the transport adds the top Via, with a new branch, once
// it has chosen the next hop (RFC 3261 8.1.1.7). The caller adds any body
// with [sipstack.Request.SetBody] and other headers as the method needs.
//
// The errors are [ErrMethod] for ACK, CANCEL or a method that is not a
// token, [ErrTerminated], [ErrNoRemoteTarget] for an early dialog whose
// peer gave no Contact yet, and [ErrCSeqExhausted]. The dialog does not
// change when NewRequest fails.
func (d *Dialog) NewRequest(method string) (*sipstack.Request, error) {
	if method == sipstack.ACK || method == sipstack.CANCEL || !sipstack.IsToken(method) {
		return nil, fmt.Errorf("%w: %q through NewRequest", ErrMethod, method)
	}
	if err := d.canSend(); err != nil {
		return nil, err
	}
	seq := d.firstSeq
	if seq == 0 {
		seq = 1
	}
	if d.hasLocalSeq {
		if d.localSeq == 1<<32-1 {
			return nil, ErrCSeqExhausted
		}
		seq = d.localSeq + 1
	}
	req := d.build(method, seq)
	if IsTargetRefresh(method) {
		req.Header.Add("Contact", d.contactValue)
	}
	d.localSeq, d.hasLocalSeq = seq, true
	return req, nil
}

// NewACK builds the ACK for a 2xx response to invite, an INVITE or
// re-INVITE this UA sent in the dialog (RFC 3261 13.2.2.4). The dialog must
// be confirmed: [Dialog.Confirm] has taken the 2xx into account.
//
// RFC 3261 13.2.2.4: "The header fields of the ACK are constructed in the
// same way as for any request sent within a dialog (see Section 12) with
// the exception of the CSeq and the header fields related to
// authentication. The sequence number of the CSeq header field MUST be the
// same as the INVITE being acknowledged, but the CSeq method MUST be ACK.
// The ACK MUST contain the same credentials as the INVITE." So the ACK has
// the Request-URI and Route of [Dialog.NewRequest], Max-Forwards, From, To,
// Call-ID, the CSeq number of invite with method ACK, and copies of the
// Authorization and Proxy-Authorization fields of invite; the local
// sequence number does not change.
//
// The ACK has no body: if the 2xx carried an offer, the caller adds the
// answer with [sipstack.Request.SetBody] (RFC 3261 13.2.2.4: "If the 2xx
// contains an offer ..., the ACK MUST carry an answer in its body"). As for
// any request, the transport adds the Via with a new branch: the ACK of a
// 2xx is a transaction of its own. The UA keeps the ACK and sends it again
// for each retransmission of the 2xx.
func (d *Dialog) NewACK(invite *sipstack.Request) (*sipstack.Request, error) {
	if invite == nil {
		return nil, fmt.Errorf("%w: nil INVITE", ErrMalformed)
	}
	if invite.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: ACK of a %s", ErrMethod, invite.Method)
	}
	if d.state != Confirmed {
		return nil, fmt.Errorf("%w: ACK in a %s dialog", ErrState, d.state)
	}
	if d.remoteTarget.IsZero() {
		return nil, ErrNoRemoteTarget
	}
	cseq, err := invite.Header.CSeq()
	if err != nil {
		return nil, malformed(err)
	}
	if c := invite.Header.CallID(); c != d.id.CallID {
		return nil, fmt.Errorf("%w: INVITE of Call-ID %q", ErrMismatch, c)
	}
	from, err := invite.Header.From()
	if err != nil {
		return nil, malformed(err)
	}
	if from.Tag() != d.id.LocalTag {
		return nil, fmt.Errorf("%w: INVITE with From tag %q", ErrMismatch, from.Tag())
	}
	req := d.build(sipstack.ACK, cseq.Seq)
	for name, value := range invite.Header.All() {
		if name == "Authorization" || name == "Proxy-Authorization" {
			req.Header.Add(name, value)
		}
	}
	return req, nil
}

// canSend reports whether the dialog can send a request now.
func (d *Dialog) canSend() error {
	if d.state == Terminated {
		return ErrTerminated
	}
	if d.remoteTarget.IsZero() {
		return ErrNoRemoteTarget
	}
	return nil
}

// build returns a request of the dialog with the given method and CSeq
// number and the headers every request of the dialog has.
func (d *Dialog) build(method string, seq uint32) *sipstack.Request {
	req := sipstack.NewRequest(method, d.requestURI)
	if d.routeValue != "" {
		req.Header.Add("Route", d.routeValue)
	}
	var cseq [10 + 1 + 16]byte
	b := strconv.AppendUint(cseq[:0], uint64(seq), 10)
	b = append(b, ' ')
	b = append(b, method...)
	req.Header.Add("Max-Forwards", maxForwardsValue)
	req.Header.Add("From", d.fromValue)
	req.Header.Add("To", d.toValue)
	req.Header.Add("Call-ID", d.id.CallID)
	req.Header.Add("CSeq", string(b))
	return req
}

// maxForwardsValue is MaxForwards as header text.
const maxForwardsValue = "70"
