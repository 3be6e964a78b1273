package transaction

import "errors"

// Errors returned by this package. Returned errors wrap one of these; test
// with errors.Is.
var (
	// ErrConfig reports an unusable [Config], such as a negative timer
	// value or T2 below T1.
	ErrConfig = errors.New("transaction: invalid configuration")
	// ErrState reports a TU input that the transaction's state does not
	// allow, such as a second final response.
	ErrState = errors.New("transaction: input not allowed in this state")
	// ErrMethod reports a request whose method does not suit the
	// transaction kind, such as an ACK given to a client transaction
	// (RFC 3261 17.1.1.3: the ACK of a non-2xx is built by the INVITE
	// client transaction; the ACK of a 2xx is sent by the TU without a
	// transaction).
	ErrMethod = errors.New("transaction: wrong request method")
	// ErrMessage reports a message lacking what a transaction needs: a
	// top Via with a branch, a CSeq.
	ErrMessage = errors.New("transaction: message unusable for a transaction")
	// ErrStatus reports a status code outside 100 to 699.
	ErrStatus = errors.New("transaction: status code outside 100-699")
	// ErrNoTransaction reports an ID that names no live transaction.
	ErrNoTransaction = errors.New("transaction: no such transaction")
	// ErrExists reports a client request whose branch and method are
	// those of a live client transaction (RFC 3261 8.1.1.7: the branch
	// must be unique).
	ErrExists = errors.New("transaction: a transaction with this key already exists")
)
