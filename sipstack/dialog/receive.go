package dialog

import (
	"fmt"

	"github.com/sipsim/sipsim/sipstack"
)

// CheckRequest applies the checks of RFC 3261 12.2.2 to a request received
// in the dialog, without changing the dialog, and returns the status code
// the UAS must answer with, or 0 when the request may be processed.
//
//   - 481 (Call/Transaction Does Not Exist) with [ErrMismatch] when the
//     request's dialog ID ([UASID]) is not this dialog's, and with
//     [ErrTerminated] when the dialog has ended;
//   - 400 (Bad Request) with [ErrMalformed] when its CSeq, From, To or
//     Call-ID does not parse, and with [ErrBadContact] when a target
//     refresh request carries a Contact that is not a SIP or SIPS URI;
//   - 500 (Server Internal Error) with [ErrOutOfOrder] when the remote
//     sequence number is not empty and the request's CSeq number is not
//     greater. RFC 3261 12.2.2: "If the remote sequence number was not
//     empty, but the sequence number of the request is lower than the
//     remote sequence number, the request is out of order and MUST be
//     rejected with a 500 (Server Internal Error) response." An equal
//     number is refused too: numbers in a dialog are "strictly
//     monotonically increasing" (RFC 3261 12.2.1.1), so a new request that
//     repeats one is not in order either.
//
// ACK and CANCEL are exempt from the order check, since their CSeq numbers
// are those of the requests they acknowledge or cancel (RFC 3261
// 12.2.1.1). The error is nil exactly when the status is 0.
func (d *Dialog) CheckRequest(req *sipstack.Request) (int, error) {
	if req == nil {
		return 400, fmt.Errorf("%w: nil request", ErrMalformed)
	}
	id, err := UASID(req)
	if err != nil {
		return 400, err
	}
	if id != d.id {
		return 481, fmt.Errorf("%w: request of dialog %s", ErrMismatch, id)
	}
	if d.state == Terminated {
		return 481, ErrTerminated
	}
	cseq, err := req.Header.CSeq()
	if err != nil {
		return 400, malformed(err)
	}
	if req.Method == sipstack.ACK || req.Method == sipstack.CANCEL {
		return 0, nil
	}
	if d.hasRemoteSeq && cseq.Seq <= d.remoteSeq {
		return 500, fmt.Errorf("%w: CSeq %d, remote sequence number %d", ErrOutOfOrder, cseq.Seq, d.remoteSeq)
	}
	if IsTargetRefresh(req.Method) {
		if _, _, err := firstContact(req.Header); err != nil {
			return 400, err
		}
	}
	return 0, nil
}

// ReceiveRequest applies RFC 3261 12.2.2 to a request received in the
// dialog: it runs [Dialog.CheckRequest], and when the request passes it
// sets the remote sequence number to the request's CSeq number and, for a
// target refresh request with a Contact, replaces the remote target with
// the Contact URI ("When a UAS receives a target refresh request, it MUST
// replace the dialog's remote target URI with the URI from the Contact
// header field in that request, if present"). ACK and CANCEL change
// nothing. It returns what CheckRequest returns; the dialog does not change
// when the status is not 0.
//
// RFC 3261 12.2.2 makes requests atomic: "If the request is rejected, none
// of the state changes are performed." A UA that may still reject a request
// for its own reasons (a re-INVITE answered 491 or 488) calls CheckRequest
// first and ReceiveRequest once it accepts the request.
func (d *Dialog) ReceiveRequest(req *sipstack.Request) (int, error) {
	status, err := d.CheckRequest(req)
	if status != 0 || err != nil {
		return status, err
	}
	if req.Method == sipstack.ACK || req.Method == sipstack.CANCEL {
		return 0, nil
	}
	cseq, _ := req.Header.CSeq() // checked by CheckRequest
	d.remoteSeq, d.hasRemoteSeq = cseq.Seq, true
	if IsTargetRefresh(req.Method) {
		if c, ok, _ := firstContact(req.Header); ok { // checked by CheckRequest
			d.remoteTarget = c.URI
			d.updateRouting()
		}
	}
	return 0, nil
}

// ReceiveResponse applies RFC 3261 12.2.1.2 to resp, a response to req, a
// request this UA sent in the dialog: "When a UAC receives a 2xx response to
// a target refresh request, it MUST replace the dialog's remote target URI
// with the URI from the Contact header field in that response, if present."
// Other responses leave the dialog as it is.
//
// The 2xx that confirms the dialog is given to [Dialog.Confirm] instead.
// RFC 3261 12.2.1.2 also says that a 481 or 408 response, or none at all,
// SHOULD end the dialog; for a dialog of an INVITE that is done by sending
// a BYE, which the UA decides.
func (d *Dialog) ReceiveResponse(req *sipstack.Request, resp *sipstack.Response) error {
	if req == nil || resp == nil {
		return fmt.Errorf("%w: nil message", ErrMalformed)
	}
	id, err := UACID(resp)
	if err != nil {
		return err
	}
	if id != d.id {
		return fmt.Errorf("%w: response of dialog %s", ErrMismatch, id)
	}
	cseq, err := req.Header.CSeq()
	if err != nil {
		return malformed(err)
	}
	rcseq, err := resp.Header.CSeq()
	if err != nil {
		return malformed(err)
	}
	if rcseq != cseq || cseq.Method != req.Method {
		return fmt.Errorf("%w: response CSeq %q to request CSeq %q", ErrMismatch, rcseq, cseq)
	}
	if d.state == Terminated {
		return ErrTerminated
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 || !IsTargetRefresh(req.Method) {
		return nil
	}
	c, ok, err := firstContact(resp.Header)
	if err != nil {
		return err
	}
	if ok {
		d.remoteTarget = c.URI
		d.updateRouting()
	}
	return nil
}
