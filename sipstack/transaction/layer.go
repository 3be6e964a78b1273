package transaction

import (
	"fmt"

	"github.com/sipsim/sipsim/sipstack"
)

// An ID names a live transaction of a [Layer]. IDs are given in creation
// order starting at 1 and never reused by a Layer, so a stale ID (of a
// terminated transaction) names nothing. The zero ID names no transaction.
type ID uint64

// machine is what the Layer needs of every transaction.
type machine interface {
	Kind() Kind
	State() State
	Key() Key
	Timer(t Timer, out []Action) []Action
	TransportError(out []Action) []Action
	abandon(out []Action) []Action
}

// entry is a live transaction of a Layer.
type entry struct {
	id ID
	m  machine
}

// A Layer is the transaction layer of one node (RFC 3261 17): it owns the
// live transactions, matches incoming messages to them, creates server
// transactions for new requests, and routes timer firings and transport
// errors by [ID].
//
// Every action a Layer appends carries the ID of its transaction in
// Action.Tx. The caller keeps its timers per (ID, Timer): an
// ActionStartTimer replaces a running timer of the same name, and when the
// timer fires the caller calls [Layer.Timer] with them. When a transaction
// terminates (ActionTerminated) the layer forgets it at once, so that
// nothing leaks whatever the sequence of inputs; a later timer firing or
// transport error for its ID is ignored.
//
// Messages with no transaction are passed up with the zero ID: responses
// that match no client transaction (RFC 3261 17.1.3), and ACKs that match
// no INVITE server transaction, which are the ACKs of 2xx responses (RFC
// 3261 17: "If the response was a 2xx, the ACK is not considered part of
// the transaction"). What to do with a stray response is the TU's
// decision: a stateful proxy forwards a 2xx statelessly (RFC 3261 16.7),
// within the limits RFC 6026 set on stray responses; a UA discards it.
//
// The layer keeps its transactions in maps but never iterates over them, so
// nothing depends on map order. A Layer is not safe for concurrent use.
type Layer struct {
	cfg   Config
	last  ID
	byID  map[ID]*entry
	byKey map[Key]*entry
}

// NewLayer returns an empty transaction layer whose transactions use cfg.
func NewLayer(cfg Config) (*Layer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Layer{
		cfg:   cfg.withDefaults(),
		byID:  make(map[ID]*entry),
		byKey: make(map[Key]*entry),
	}, nil
}

// Config returns the layer's configuration, with defaults applied.
func (l *Layer) Config() Config { return l.cfg }

// Len returns the number of live transactions.
func (l *Layer) Len() int { return len(l.byID) }

// State returns the state of transaction id, and false if id names no live
// transaction.
func (l *Layer) State(id ID) (State, bool) {
	e := l.byID[id]
	if e == nil {
		return 0, false
	}
	return e.m.State(), true
}

// Kind returns the kind of transaction id, and false if id names no live
// transaction.
func (l *Layer) Kind(id ID) (Kind, bool) {
	e := l.byID[id]
	if e == nil {
		return 0, false
	}
	return e.m.Kind(), true
}

// Key returns the matching key of transaction id, and false if id names
// no live transaction.
func (l *Layer) Key(id ID) (Key, bool) {
	e := l.byID[id]
	if e == nil {
		return Key{}, false
	}
	return e.m.Key(), true
}

// Request returns the request that created transaction id, and false if
// id names no live transaction.
func (l *Layer) Request(id ID) (*sipstack.Request, bool) {
	e := l.byID[id]
	if e == nil {
		return nil, false
	}
	switch m := e.m.(type) {
	case *InviteClient:
		return m.Request(), true
	case *NonInviteClient:
		return m.Request(), true
	case *InviteServer:
		return m.Request(), true
	case *NonInviteServer:
		return m.Request(), true
	}
	return nil, false
}

// add registers a new transaction and returns its entry.
func (l *Layer) add(m machine) *entry {
	l.last++
	e := &entry{id: l.last, m: m}
	l.byID[e.id] = e
	l.byKey[m.Key()] = e
	return e
}

// finish tags the actions appended since n with the transaction's ID and
// forgets the transaction if it has terminated.
func (l *Layer) finish(e *entry, out []Action, n int) []Action {
	for i := n; i < len(out); i++ {
		out[i].Tx = e.id
	}
	if e.m.State() == Terminated {
		delete(l.byID, e.id)
		if l.byKey[e.m.Key()] == e {
			delete(l.byKey, e.m.Key())
		}
	}
	return out
}

// SendRequest creates a client transaction for req, a request from the TU,
// to be sent to dest, and starts it: an INVITE gets an INVITE client
// transaction, any other method but ACK a non-INVITE one. It returns the
// new transaction's ID.
//
// req's top Via must have a unique branch with the magic cookie (RFC 3261
// 8.1.1.7); a branch and method already in use give an error wrapping
// [ErrExists]. An ACK gives an error wrapping [ErrMethod]: the ACK of a
// non-2xx is sent by the INVITE client transaction, and the ACK of a 2xx
// is sent by the TU straight to the transport (RFC 3261 13.2.2.4). A
// CANCEL (RFC 3261 9.1) is an ordinary non-INVITE request here.
func (l *Layer) SendRequest(req *sipstack.Request, dest Destination, out []Action) (ID, []Action, error) {
	var m interface {
		machine
		Start([]Action) []Action
	}
	var err error
	switch req.Method {
	case sipstack.ACK:
		return 0, out, fmt.Errorf("%w: an ACK is not sent through a client transaction", ErrMethod)
	case sipstack.INVITE:
		m, err = NewInviteClient(l.cfg, req, dest)
	default:
		m, err = NewNonInviteClient(l.cfg, req, dest)
	}
	if err != nil {
		return 0, out, err
	}
	if l.byKey[m.Key()] != nil {
		return 0, out, fmt.Errorf("%w: %s", ErrExists, m.Key())
	}
	e := l.add(m)
	n := len(out)
	out = m.Start(out)
	return e.id, l.finish(e, out, n), nil
}

// Respond passes a response from the TU to server transaction id. The
// error wraps [ErrNoTransaction] when id names no live server transaction,
// and [ErrState] when the transaction's state does not allow the response
// (see [InviteServer.Respond] and [NonInviteServer.Respond]).
func (l *Layer) Respond(id ID, resp *sipstack.Response, out []Action) ([]Action, error) {
	e := l.byID[id]
	if e == nil {
		return out, fmt.Errorf("%w: %d", ErrNoTransaction, id)
	}
	n := len(out)
	var err error
	switch m := e.m.(type) {
	case *InviteServer:
		out, err = m.Respond(resp, out)
	case *NonInviteServer:
		out, err = m.Respond(resp, out)
	default:
		return out, fmt.Errorf("%w: %d is a %s transaction", ErrNoTransaction, id, e.m.Kind())
	}
	return l.finish(e, out, n), err
}

// Timer handles the firing of timer t of transaction id. A firing for a
// transaction that no longer exists, or for a timer it is not running, is
// ignored.
func (l *Layer) Timer(id ID, t Timer, out []Action) []Action {
	e := l.byID[id]
	if e == nil {
		return out
	}
	n := len(out)
	out = e.m.Timer(t, out)
	return l.finish(e, out, n)
}

// TransportError reports that a send of transaction id failed (RFC 3261
// 17.1.4, 17.2.4; RFC 6026 7.1). An ID that names no live transaction is
// ignored.
func (l *Layer) TransportError(id ID, out []Action) []Action {
	e := l.byID[id]
	if e == nil {
		return out
	}
	n := len(out)
	out = e.m.TransportError(out)
	return l.finish(e, out, n)
}

// Abandon destroys transaction id at its TU's request: its timers stop,
// nothing is sent or passed up, and it terminates at once. RFC 3261 9.1
// needs it: "If there is no final response for the original request in
// 64*T1 seconds ... the client SHOULD then consider the original
// transaction cancelled and SHOULD destroy the client transaction handling
// the original request", since an INVITE client transaction in
// "Proceeding" runs no timer of its own. A node whose host crashes also
// abandons every transaction it had. An ID that names no live transaction
// is ignored.
func (l *Layer) Abandon(id ID, out []Action) []Action {
	e := l.byID[id]
	if e == nil {
		return out
	}
	n := len(out)
	out = e.m.abandon(out)
	return l.finish(e, out, n)
}

// ReceiveMessage handles a message received from the network from source:
// it calls [Layer.ReceiveRequest] or [Layer.ReceiveResponse].
func (l *Layer) ReceiveMessage(msg sipstack.Message, source Destination, out []Action) []Action {
	switch m := msg.(type) {
	case *sipstack.Request:
		return l.ReceiveRequest(m, source, out)
	case *sipstack.Response:
		return l.ReceiveResponse(m, out)
	}
	return out
}

// ReceiveResponse handles a response received from the network. A
// response that matches a client transaction (RFC 3261 17.1.3) goes to it;
// any other is passed up with the zero ID.
func (l *Layer) ReceiveResponse(resp *sipstack.Response, out []Action) []Action {
	key, err := ResponseKey(resp)
	var e *entry
	if err == nil {
		e = l.byKey[key]
	}
	if e == nil {
		return append(out, Action{Kind: ActionPassUp, Response: resp})
	}
	n := len(out)
	switch m := e.m.(type) {
	case *InviteClient:
		out = m.ReceiveResponse(resp, out)
	case *NonInviteClient:
		out = m.ReceiveResponse(resp, out)
	}
	return l.finish(e, out, n)
}

// ReceiveRequest handles a request received from the network from source
// (the address, port and transport it came from).
//
//   - A request that matches a server transaction (RFC 3261 17.2.3) goes
//     to it: a retransmission is absorbed or answered with the last
//     response, an ACK for a non-2xx final response confirms the INVITE
//     transaction.
//   - An ACK that matches none is passed up with the zero ID: it
//     acknowledges a 2xx and is the TU's.
//   - Any other request creates a server transaction, which passes the
//     request up with its new ID (and, for an INVITE, may send 100
//     Trying). Its responses go to [ResponseDestination] of the top Via
//     and source; if that names an unresolved host (a maddr host name),
//     they go to the source address with the sent-by port instead.
//
// A request without a usable top Via (which [sipstack.ParseMessage] never
// returns) is dropped: nothing is appended.
func (l *Layer) ReceiveRequest(req *sipstack.Request, source Destination, out []Action) []Action {
	if req.Method == sipstack.ACK {
		e := l.matchACK(req)
		if e == nil {
			return append(out, Action{Kind: ActionPassUp, Request: req})
		}
		n := len(out)
		out = e.m.(*InviteServer).ReceiveRequest(req, out)
		return l.finish(e, out, n)
	}
	key, err := ServerKey(req)
	if err != nil {
		return out
	}
	if e := l.byKey[key]; e != nil {
		n := len(out)
		switch m := e.m.(type) {
		case *InviteServer:
			out = m.ReceiveRequest(req, out)
		case *NonInviteServer:
			out = m.ReceiveRequest(req, out)
		}
		return l.finish(e, out, n)
	}
	via, _ := req.Header.Via() // ServerKey parsed it
	dest, _ := ResponseDestination(via, source)
	var m interface {
		machine
		Start([]Action) []Action
	}
	if req.Method == sipstack.INVITE {
		m, err = NewInviteServer(l.cfg, req, dest)
	} else {
		m, err = NewNonInviteServer(l.cfg, req, dest)
	}
	if err != nil {
		return out
	}
	e := l.add(m)
	n := len(out)
	out = m.Start(out)
	return l.finish(e, out, n)
}

// matchACK returns the INVITE server transaction an ACK belongs to, or nil.
//
// With the magic cookie the key decides (RFC 3261 17.2.3). Without it:
// "The ACK request matches a transaction if the Request-URI, From tag,
// Call-ID, CSeq number (not the method), and top Via header field match
// those of the INVITE request which created the transaction, and the To
// tag of the ACK matches the To tag of the response sent by the server
// transaction." The INVITE's To tag is either the ACK's (a re-INVITE
// within a dialog) or none (an initial INVITE), so both are tried.
func (l *Layer) matchACK(ack *sipstack.Request) *entry {
	key, err := ServerKey(ack)
	if err != nil {
		return nil
	}
	if !key.RFC2543() {
		return l.inviteServer(key)
	}
	tag := key.ToTag
	for _, inviteTag := range [2]string{tag, ""} {
		key.ToTag = inviteTag
		if e := l.inviteServer(key); e != nil && e.m.(*InviteServer).FinalToTag() == tag {
			return e
		}
		if tag == "" {
			break
		}
	}
	return nil
}

// inviteServer returns the INVITE server transaction of key, or nil.
func (l *Layer) inviteServer(key Key) *entry {
	e := l.byKey[key]
	if e == nil {
		return nil
	}
	if _, ok := e.m.(*InviteServer); !ok {
		return nil
	}
	return e
}

// CancelTarget returns the ID of the INVITE server transaction that a
// CANCEL request targets, and false when there is none (RFC 3261 9.2: "If
// the UAS did not find a matching transaction for the CANCEL according to
// the procedure above, it SHOULD respond to the CANCEL with a 481"). The
// CANCEL itself is a non-INVITE server transaction of its own, created by
// [Layer.ReceiveRequest].
func (l *Layer) CancelTarget(cancel *sipstack.Request) (ID, bool) {
	if cancel.Method != sipstack.CANCEL {
		return 0, false
	}
	key, err := CancelTargetKey(cancel)
	if err != nil {
		return 0, false
	}
	e := l.inviteServer(key)
	if e == nil {
		return 0, false
	}
	return e.id, true
}
