package transaction

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
)

// A Key identifies a transaction for matching (RFC 3261 17.1.3, 17.2.3).
// Keys are comparable: two messages of the same transaction give equal
// keys. The zero Key matches nothing.
//
// A client key is the top Via branch and the CSeq method. A server key for
// a request whose branch starts with the magic cookie is the branch, the
// sent-by and the method (INVITE for an ACK). A server key for an RFC 2543
// request (no magic cookie) is made of the Request-URI, the From and To
// tags, the Call-ID, the CSeq number and method, and the top Via.
type Key struct {
	// Server is set for a server transaction's key.
	Server bool
	// Method is the method of the request that created the transaction:
	// the CSeq method of a response, INVITE for an ACK.
	Method string
	// Branch is the top Via branch. In a server key it is set only when
	// it starts with the magic cookie [sipstack.BranchMagicCookie].
	Branch string
	// SentBy is the top Via sent-by of a server key with a branch, in a
	// canonical form: host in lower case, ":" and the port, or the host
	// alone when the Via has no port (RFC 3261 17.2.3 compares the
	// sent-by values; an absent port differs from an explicit 5060).
	SentBy string

	// The fields below are set for a server key of an RFC 2543 request
	// only (RFC 3261 17.2.3). Header values are compared as text in their
	// canonical serialized form, a simplification of RFC 3261's
	// per-header equality rules that keys need to stay comparable.

	// RequestURI is the Request-URI, serialized.
	RequestURI string
	// ToTag and FromTag are the tags of To and From.
	ToTag, FromTag string
	// CallID is the Call-ID.
	CallID string
	// CSeq is the CSeq number.
	CSeq uint32
	// Via is the top Via, serialized.
	Via string
}

// RFC2543 reports whether k is a server key built by the RFC 2543 rules.
func (k Key) RFC2543() bool { return k.Server && k.Branch == "" }

// String returns a one-line description of the key.
func (k Key) String() string {
	side := "client"
	if k.Server {
		side = "server"
	}
	if k.RFC2543() {
		return fmt.Sprintf("%s %s rfc2543 uri=%s to-tag=%q from-tag=%q call-id=%q cseq=%d via=%q",
			side, k.Method, k.RequestURI, k.ToTag, k.FromTag, k.CallID, k.CSeq, k.Via)
	}
	if k.Server {
		return side + " " + k.Method + " branch=" + k.Branch + " sent-by=" + k.SentBy
	}
	return side + " " + k.Method + " branch=" + k.Branch
}

// hasCookie reports whether a branch starts with the magic cookie
// (RFC 3261 8.1.1.7).
func hasCookie(branch string) bool {
	return strings.HasPrefix(branch, sipstack.BranchMagicCookie)
}

// ClientKey returns the key of the client transaction a request creates:
// its top Via branch and its method (RFC 3261 17.1.3). The branch must
// start with the magic cookie, which RFC 3261 8.1.1.7 requires of every
// request an RFC 3261 element sends.
func ClientKey(req *sipstack.Request) (Key, error) {
	via, err := req.Header.Via()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	b := via.Branch()
	if !hasCookie(b) {
		return Key{}, fmt.Errorf("%w: top Via branch %q lacks the magic cookie %s", ErrMessage, b, sipstack.BranchMagicCookie)
	}
	return Key{Method: req.Method, Branch: b}, nil
}

// ResponseKey returns the key of the client transaction a response
// matches. RFC 3261 17.1.3: "If the response has the same value of the
// branch parameter in the top Via header field as the branch parameter in
// the top Via header field of the request that created the transaction"
// and "If the method parameter in the CSeq header field matches the method
// of the request that created the transaction."
func ResponseKey(resp *sipstack.Response) (Key, error) {
	via, err := resp.Header.Via()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	cseq, err := resp.Header.CSeq()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	b := via.Branch()
	if b == "" {
		return Key{}, fmt.Errorf("%w: top Via has no branch", ErrMessage)
	}
	return Key{Method: cseq.Method, Branch: b}, nil
}

// ServerKey returns the key of the server transaction a request belongs
// to (RFC 3261 17.2.3). For an ACK the method is INVITE, since an ACK for
// a non-2xx response belongs to the INVITE's transaction. For a CANCEL the
// method stays CANCEL: a CANCEL is a transaction of its own; use
// [CancelTargetKey] for the INVITE it cancels.
//
// With the magic cookie: "the branch parameter in the request is equal to
// the one in the top Via header field of the request that created the
// transaction, the sent-by value in the top Via of the request is equal to
// the one in the request that created the transaction, and the method of
// the request matches the one that created the transaction, except for
// ACK, where the method of the request that created the transaction is
// INVITE."
//
// Without it (RFC 2543), the key holds the Request-URI, To tag, From tag,
// Call-ID, CSeq and top Via. For an ACK, RFC 3261 17.2.3 matches the To
// tag of the ACK with the To tag of the response sent, not of the INVITE;
// [Layer] does that, and the key of an ACK carries the ACK's To tag.
func ServerKey(req *sipstack.Request) (Key, error) {
	return serverKey(req, methodOf(req.Method))
}

// CancelTargetKey returns the key of the INVITE server transaction that a
// CANCEL request cancels. RFC 3261 9.2: "The TU determines the transaction
// to be cancelled by taking the CANCEL request, and then assuming that the
// request method is anything but CANCEL or ACK and applying the
// transaction matching procedures of Section 17.2.3." Only INVITE
// transactions can be cancelled in practice (RFC 3261 9.1), so the method
// is taken as INVITE.
func CancelTargetKey(cancel *sipstack.Request) (Key, error) {
	return serverKey(cancel, sipstack.INVITE)
}

// methodOf returns the method of the transaction a request belongs to.
func methodOf(m string) string {
	if m == sipstack.ACK {
		return sipstack.INVITE
	}
	return m
}

func serverKey(req *sipstack.Request, method string) (Key, error) {
	via, err := req.Header.Via()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	if b := via.Branch(); hasCookie(b) {
		return Key{Server: true, Method: method, Branch: b, SentBy: canonicalSentBy(via)}, nil
	}
	cseq, err := req.Header.CSeq()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	from, err := req.Header.From()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	to, err := req.Header.To()
	if err != nil {
		return Key{}, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	return Key{
		Server:     true,
		Method:     method,
		RequestURI: req.RequestURI.String(),
		ToTag:      to.Tag(),
		FromTag:    from.Tag(),
		CallID:     req.Header.CallID(),
		CSeq:       cseq.Seq,
		Via:        via.String(),
	}, nil
}

// canonicalSentBy returns the sent-by of via with the host in lower case.
func canonicalSentBy(via sipstack.Via) string {
	h := strings.ToLower(via.Host)
	if via.Port == 0 {
		return h
	}
	return h + ":" + strconv.Itoa(via.Port)
}
