package dialog

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sipsim/sipsim/sipstack"
)

// An ID identifies a dialog at one user agent (RFC 3261 12): the Call-ID, the
// local tag and the remote tag. The local tag at one UA is the remote tag at
// its peer, so the two ends of a dialog hold mirrored IDs.
//
// An empty tag is the null tag of an RFC 2543 peer, which sent no tag (RFC
// 3261 12.1.1, 12.1.2). ID is comparable and serves as a map key; [Table]
// uses it so.
type ID struct {
	// CallID is the Call-ID of every message in the dialog, compared byte
	// by byte (RFC 3261 8.1.1.4).
	CallID string
	// LocalTag is the tag this UA chose: the From tag of the requests it
	// sends as UAC, the To tag of the responses it sends as UAS.
	LocalTag string
	// RemoteTag is the tag the peer chose.
	RemoteTag string
}

// String returns the ID in a form for logs and traces:
// "Call-ID;local-tag=L;remote-tag=R".
func (id ID) String() string {
	return id.CallID + ";local-tag=" + id.LocalTag + ";remote-tag=" + id.RemoteTag
}

// Compare orders IDs by Call-ID, then local tag, then remote tag, and
// returns -1, 0 or +1 as [cmp.Compare] does.
func (id ID) Compare(o ID) int {
	if c := cmp.Compare(id.CallID, o.CallID); c != 0 {
		return c
	}
	if c := cmp.Compare(id.LocalTag, o.LocalTag); c != 0 {
		return c
	}
	return cmp.Compare(id.RemoteTag, o.RemoteTag)
}

// UACID returns the dialog ID of a message as the UAC of its transaction
// computes it (RFC 3261 12): the Call-ID, the From tag as local tag and the
// To tag as remote tag. A UA uses it for the responses it receives, and for
// the requests it sends.
func UACID(m sipstack.Message) (ID, error) {
	callID, from, to, err := idParts(m)
	if err != nil {
		return ID{}, err
	}
	return ID{CallID: callID, LocalTag: from, RemoteTag: to}, nil
}

// UASID returns the dialog ID of a message as the UAS of its transaction
// computes it (RFC 3261 12): the Call-ID, the To tag as local tag and the
// From tag as remote tag. A UA uses it for the requests it receives, and for
// the responses it sends.
func UASID(m sipstack.Message) (ID, error) {
	callID, from, to, err := idParts(m)
	if err != nil {
		return ID{}, err
	}
	return ID{CallID: callID, LocalTag: to, RemoteTag: from}, nil
}

// idParts returns the Call-ID and the From and To tags of m.
func idParts(m sipstack.Message) (callID, fromTag, toTag string, err error) {
	if isNil(m) {
		return "", "", "", fmt.Errorf("%w: no message", ErrMalformed)
	}
	h := m.Headers()
	callID = h.CallID()
	if callID == "" {
		return "", "", "", fmt.Errorf("%w: missing Call-ID", ErrMalformed)
	}
	from, err := h.From()
	if err != nil {
		return "", "", "", malformed(err)
	}
	to, err := h.To()
	if err != nil {
		return "", "", "", malformed(err)
	}
	return callID, from.Tag(), to.Tag(), nil
}

// isNil reports whether m is nil or a nil *Request or *Response.
func isNil(m sipstack.Message) bool {
	switch v := m.(type) {
	case nil:
		return true
	case *sipstack.Request:
		return v == nil
	case *sipstack.Response:
		return v == nil
	}
	return false
}

// malformed wraps a sipstack error in ErrMalformed.
func malformed(err error) error {
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}

// A Table holds the dialogs of one user agent by [ID] and matches incoming
// messages to them (RFC 3261 12.2.2: "the UAS core computes the dialog
// identifier corresponding to the request and compares it with existing
// dialogs"; RFC 3261 13.2.2.4 for the responses of a forked INVITE).
//
// The zero Table is empty and ready to use. Lookups cost one map access;
// [Table.IDs] sorts, so nothing a caller sees depends on map order.
type Table struct {
	m map[ID]*Dialog
}

// Add stores d under its ID. It returns an error wrapping [ErrMismatch] when
// a dialog with the same ID is already stored (a forked response creates a
// new dialog only when its To tag is new, RFC 3261 13.2.2.4), and refuses a
// nil d.
func (t *Table) Add(d *Dialog) error {
	if d == nil {
		return fmt.Errorf("%w: nil dialog", ErrMismatch)
	}
	if _, ok := t.m[d.id]; ok {
		return fmt.Errorf("%w: dialog %s already exists", ErrMismatch, d.id)
	}
	if t.m == nil {
		t.m = make(map[ID]*Dialog)
	}
	t.m[d.id] = d
	return nil
}

// Get returns the dialog stored under id, or nil.
func (t *Table) Get(id ID) *Dialog { return t.m[id] }

// Remove removes the dialog stored under id and reports whether there was
// one.
func (t *Table) Remove(id ID) bool {
	if _, ok := t.m[id]; !ok {
		return false
	}
	delete(t.m, id)
	return true
}

// Len returns the number of dialogs stored.
func (t *Table) Len() int { return len(t.m) }

// IDs returns the IDs of the stored dialogs in the order of [ID.Compare].
func (t *Table) IDs() []ID {
	ids := make([]ID, 0, len(t.m))
	for id := range t.m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, ID.Compare)
	return ids
}

// MatchRequest returns the dialog of a request received by this UA, found
// by [UASID], or nil when there is none. A request without a To tag is
// outside any dialog (RFC 3261 12.2.2) and gets nil. A request with a To tag
// that matches no dialog also gets nil; the UA then answers 481
// (Call/Transaction Does Not Exist) unless it recovers the dialog (RFC
// 3261 12.2.2). The error reports a malformed Call-ID, From or To.
func (t *Table) MatchRequest(req *sipstack.Request) (*Dialog, error) {
	if req == nil {
		return nil, fmt.Errorf("%w: no request", ErrMalformed)
	}
	id, err := UASID(req)
	if err != nil {
		return nil, err
	}
	if id.LocalTag == "" {
		return nil, nil
	}
	return t.m[id], nil
}

// MatchResponse returns the dialog of a response received by this UA, found
// by [UACID], or nil when there is none: a response that establishes a new
// dialog, such as the 2xx of a second fork (RFC 3261 13.2.2.4), or a
// response outside any dialog. The error reports a malformed Call-ID, From
// or To.
func (t *Table) MatchResponse(resp *sipstack.Response) (*Dialog, error) {
	if resp == nil {
		return nil, fmt.Errorf("%w: no response", ErrMalformed)
	}
	id, err := UACID(resp)
	if err != nil {
		return nil, err
	}
	return t.m[id], nil
}
