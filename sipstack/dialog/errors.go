package dialog

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them, and
// when the cause is a malformed header also the [sipstack] error that
// reports it, so [errors.Is] answers for both.
var (
	// ErrNotDialogCreating reports a request and response pair that does
	// not establish a dialog: RFC 3261 12.1 says only 2xx and 101-199
	// responses with a To tag, where the request was INVITE, do.
	ErrNotDialogCreating = errors.New("dialog: message does not establish a dialog")

	// ErrMismatch reports a message that does not belong to the dialog or
	// request it was given with: another Call-ID, tag or CSeq.
	ErrMismatch = errors.New("dialog: message does not match the dialog")

	// ErrMalformed reports a header that the dialog needs and that is
	// missing or does not parse (Call-ID, From, To, CSeq, Contact,
	// Record-Route, Via).
	ErrMalformed = errors.New("dialog: malformed message")

	// ErrMissingContact reports a message without the Contact header that
	// RFC 3261 12.1.1 and 12.1.2 require: the INVITE, the response of the
	// UAS, and a 2xx received by the UAC.
	ErrMissingContact = errors.New("dialog: missing Contact")

	// ErrBadContact reports a Contact that cannot be a remote target or a
	// local contact: "*", or a URI that is not SIP or SIPS (RFC 3261
	// 12.1.1: "The URI provided in the Contact header field MUST be a SIP
	// or SIPS URI").
	ErrBadContact = errors.New("dialog: Contact is not a SIP or SIPS URI")

	// ErrSIPSRequired reports a local Contact that is not a SIPS URI where
	// RFC 3261 8.1.1.8, 12.1.1 and 12.2.1.1 require one.
	ErrSIPSRequired = errors.New("dialog: Contact must be a SIPS URI")

	// ErrBadRoute reports a Record-Route value whose URI is not SIP or SIPS,
	// which no route set can hold (RFC 3261 20.30 and 16.6 step 4).
	ErrBadRoute = errors.New("dialog: Record-Route URI is not SIP or SIPS")

	// ErrNoRemoteTarget reports a request that cannot be built because the
	// dialog has no remote target yet: an early dialog created by a
	// provisional response without Contact.
	ErrNoRemoteTarget = errors.New("dialog: no remote target")

	// ErrTerminated reports an operation on a terminated dialog.
	ErrTerminated = errors.New("dialog: terminated")

	// ErrState reports an operation that the dialog's state does not allow,
	// such as an ACK for a 2xx in an early dialog.
	ErrState = errors.New("dialog: operation not allowed in this state")

	// ErrMethod reports a method that the operation does not build or
	// accept: ACK and CANCEL through [Dialog.NewRequest], a method that is
	// not a token, a CANCEL of an ACK or of a CANCEL.
	ErrMethod = errors.New("dialog: method not allowed here")

	// ErrCSeqExhausted reports that the local sequence number has reached
	// 2**32-1, the largest CSeq (RFC 3261 8.1.1.5), so no further request
	// can be sent in the dialog.
	ErrCSeqExhausted = errors.New("dialog: local CSeq exhausted")

	// ErrCSeqChosen reports a call of [Dialog.SetFirstLocalSeq] after the
	// local sequence number was set.
	ErrCSeqChosen = errors.New("dialog: local CSeq already set")

	// ErrCSeqRange reports a first CSeq number outside 1 to 2**31-1
	// (RFC 3261 8.1.1.5).
	ErrCSeqRange = errors.New("dialog: CSeq number out of range")

	// ErrOutOfOrder reports a request whose CSeq number is not above the
	// remote sequence number (RFC 3261 12.2.2); the UAS answers 500.
	ErrOutOfOrder = errors.New("dialog: request out of order")

	// ErrTag reports a tag that is not a token, a missing To tag where one
	// is required, or a To tag that differs from the one the request
	// already carries (RFC 3261 8.2.6.2, 19.3).
	ErrTag = errors.New("dialog: bad or missing tag")
)
