package dialog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// A State is the state of a dialog (RFC 3261 12).
type State uint8

const (
	// Early is the state of a dialog created by a provisional response
	// (RFC 3261 12: "A dialog can also be in the "early" state, which
	// occurs when it is created with a provisional response").
	Early State = iota + 1
	// Confirmed is the state of a dialog once a 2xx final response has
	// been sent or received (RFC 3261 12, 13.2.2.4).
	Confirmed
	// Terminated is the state of a dialog that has ended: by BYE (RFC 3261
	// 15), or an early dialog by a non-2xx final response (RFC 3261 12.3).
	Terminated
)

// String returns "early", "confirmed" or "terminated".
func (s State) String() string {
	switch s {
	case Early:
		return "early"
	case Confirmed:
		return "confirmed"
	case Terminated:
		return "terminated"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// A Role says which side of the dialog-creating INVITE a UA was on. It only
// decides how the route set is read from a 2xx (RFC 3261 13.2.2.4);
// within the dialog, either side sends requests as UAC (RFC 3261 12.2).
type Role uint8

const (
	// UAC is the role of the UA that sent the INVITE (RFC 3261 12.1.2).
	UAC Role = iota + 1
	// UAS is the role of the UA that answered it (RFC 3261 12.1.1).
	UAS
)

// String returns "UAC" or "UAS".
func (r Role) String() string {
	switch r {
	case UAC:
		return "UAC"
	case UAS:
		return "UAS"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// MaxForwards is the Max-Forwards value of the requests this package builds
// (RFC 3261 8.1.1.6: a value that "SHOULD be 70").
const MaxForwards = 70

// A Dialog is the state of one dialog at one user agent (RFC 3261 12): its
// ID, the local and remote sequence numbers, the local and remote URIs, the
// remote target, the secure flag and the route set, its [State], and the
// local Contact that target refresh requests carry.
//
// Create one with [NewUAC] or [NewUAS]; the zero Dialog is not usable. Its
// fields change only through its methods, each documented with the RFC
// rule it applies. A Dialog is not safe for concurrent use.
type Dialog struct {
	id    ID
	role  Role
	state State

	localSeq, remoteSeq       uint32
	hasLocalSeq, hasRemoteSeq bool
	firstSeq                  uint32 // CSeq of the first request of a UAS dialog; 0 means 1

	local, remote sipstack.Address // From and To addresses, without tag
	localContact  sipstack.Address
	remoteTarget  uri.URI // zero while unknown
	routeSet      []sipstack.Address
	secure        bool

	// Header values that every request of the dialog carries, computed
	// when the state they derive from changes.
	fromValue, toValue, contactValue string
	requestURI                       uri.URI
	routeValue                       string
}

// creatingPair checks that resp to req can create a dialog (RFC 3261 12.1:
// a 101-299 response to an INVITE) and reads what both sides of a dialog
// take from the pair. It returns the response's status code.
func creatingPair(req *sipstack.Request, resp *sipstack.Response) (pair, int, error) {
	if req == nil || resp == nil {
		return pair{}, 0, fmt.Errorf("%w: nil message", ErrMalformed)
	}
	code := resp.StatusCode
	if req.Method != sipstack.INVITE || code < 101 || code > 299 {
		return pair{}, 0, fmt.Errorf("%w: %d response to %s", ErrNotDialogCreating, code, req.Method)
	}
	m, err := readPair(req, resp)
	return m, code, err
}

// NewUAC creates the dialog that the response resp to the INVITE req
// establishes at the UAC that sent req (RFC 3261 12.1.2). resp must be a 2xx
// (the dialog is then [Confirmed]) or a 101-199 with a To tag ([Early]); req
// is the INVITE as sent, with its From tag, CSeq and Contact.
//
// The state is set as RFC 3261 12.1.2 says: the route set is the
// Record-Route of resp in reverse order, URI parameters kept; the remote
// target is the Contact URI of resp; the local sequence number is the CSeq
// number of req and the remote one is empty; the ID is the Call-ID, the From
// tag of req as local tag and the To tag of resp as remote tag (empty for an
// RFC 2543 peer); the remote URI is the To URI and the local URI the From
// URI; the secure flag is set when req was sent over TLS (its top Via says
// TLS) to a SIPS Request-URI.
//
// A provisional response may lack a Contact: the early dialog then has no
// remote target, and [Dialog.NewRequest] fails with [ErrNoRemoteTarget]
// until a later response provides one. A 2xx without Contact is an error
// ([ErrMissingContact]), as is an INVITE without Contact or with a non-SIPS
// Contact where RFC 3261 12.1.2 requires SIPS.
func NewUAC(req *sipstack.Request, resp *sipstack.Response) (*Dialog, error) {
	m, code, err := creatingPair(req, resp)
	if err != nil {
		return nil, err
	}
	if code < 200 && m.toTag == "" {
		return nil, fmt.Errorf("%w: %d response without To tag", ErrNotDialogCreating, code)
	}
	localContact, ok, err := firstContact(req.Header)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: the INVITE has none (RFC 3261 12.1.2)", ErrMissingContact)
	}
	// RFC 3261 12.1.2: a SIPS Request-URI or top Route asks for a SIPS
	// Contact.
	if !localContact.URI.IsSIPS() {
		if req.RequestURI.IsSIPS() {
			return nil, fmt.Errorf("%w: the Request-URI is SIPS (RFC 3261 12.1.2)", ErrSIPSRequired)
		}
		if top, ok, err := req.Header.Route(); err != nil {
			return nil, malformed(err)
		} else if ok && top.URI.IsSIPS() {
			return nil, fmt.Errorf("%w: the top Route is SIPS (RFC 3261 12.1.2)", ErrSIPSRequired)
		}
	}
	d := &Dialog{
		id:           ID{CallID: m.callID, LocalTag: m.fromTag, RemoteTag: m.toTag},
		role:         UAC,
		state:        Early,
		localSeq:     m.seq,
		hasLocalSeq:  true,
		local:        m.from,
		remote:       m.to,
		localContact: localContact,
	}
	if code >= 200 {
		d.state = Confirmed
	}
	// RFC 3261 12.1.2: "If the request was sent over TLS, and the
	// Request-URI contained a SIPS URI, the "secure" flag is set to TRUE."
	// The top Via of the request, echoed in the response, names the
	// transport it was sent over.
	via, err := resp.Header.Via()
	if err != nil {
		return nil, malformed(err)
	}
	d.secure = req.RequestURI.IsSIPS() && strings.EqualFold(via.Transport, "TLS")
	if err := d.learnFromResponse(resp, code >= 200); err != nil {
		return nil, err
	}
	d.updateHeaders()
	return d, nil
}

// learnFromResponse sets the route set and remote target of a UAC dialog
// from a response that establishes or confirms it (RFC 3261 12.1.2,
// 13.2.2.4). The Contact is required when final is set.
func (d *Dialog) learnFromResponse(resp *sipstack.Response, final bool) error {
	routes, err := recordRoutes(resp.Header)
	if err != nil {
		return err
	}
	slices.Reverse(routes)
	target, ok, err := firstContact(resp.Header)
	if err != nil {
		return err
	}
	if !ok && final {
		return fmt.Errorf("%w: the %d response has none (RFC 3261 12.1.2)", ErrMissingContact, resp.StatusCode)
	}
	d.routeSet = routes
	if ok {
		d.remoteTarget = target.URI
	}
	d.updateRouting()
	return nil
}

// NewUAS creates the dialog that the UAS establishes when it answers the
// INVITE req with resp (RFC 3261 12.1.1): a 2xx ([Confirmed]) or a 101-199
// ([Early]) that carries the UAS's To tag and Contact.
//
// The state is set as RFC 3261 12.1.1 says: the route set is the
// Record-Route of req in order, URI parameters kept; the remote target is
// the Contact URI of req; the remote sequence number is the CSeq number of
// req and the local one is empty; the ID is the Call-ID, the To tag of resp
// as local tag and the From tag of req as remote tag (empty for an RFC 2543
// peer); the remote URI is the From URI and the local URI the To URI; the
// secure flag is set when req arrived over TLS (its top Via says TLS) with a
// SIPS Request-URI.
//
// resp must carry a Contact, a SIPS one when req had a SIPS Request-URI, or
// a SIPS top Record-Route, or no Record-Route and a SIPS Contact (RFC 3261
// 12.1.1); req must carry a Contact.
func NewUAS(req *sipstack.Request, resp *sipstack.Response) (*Dialog, error) {
	m, code, err := creatingPair(req, resp)
	if err != nil {
		return nil, err
	}
	if m.toTag == "" {
		return nil, fmt.Errorf("%w: the response has no To tag (RFC 3261 12.1.1)", ErrTag)
	}
	target, ok, err := firstContact(req.Header)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: the INVITE has none (RFC 3261 12.1.1)", ErrMissingContact)
	}
	localContact, ok, err := firstContact(resp.Header)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: the response has none (RFC 3261 12.1.1)", ErrMissingContact)
	}
	routes, err := recordRoutes(req.Header)
	if err != nil {
		return nil, err
	}
	// RFC 3261 12.1.1: the Contact of the response MUST be SIPS when the
	// request had a SIPS URI "in the Request-URI or in the top
	// Record-Route header field value, if there was any, or the Contact
	// header field if there was no Record-Route header field".
	needSIPS := req.RequestURI.IsSIPS() ||
		len(routes) > 0 && routes[0].URI.IsSIPS() ||
		len(routes) == 0 && target.URI.IsSIPS()
	if needSIPS && !localContact.URI.IsSIPS() {
		return nil, fmt.Errorf("%w: RFC 3261 12.1.1", ErrSIPSRequired)
	}
	via, err := req.Header.Via()
	if err != nil {
		return nil, malformed(err)
	}
	d := &Dialog{
		id:           ID{CallID: m.callID, LocalTag: m.toTag, RemoteTag: m.fromTag},
		role:         UAS,
		state:        Early,
		remoteSeq:    m.seq,
		hasRemoteSeq: true,
		local:        m.to,
		remote:       m.from,
		localContact: localContact,
		remoteTarget: target.URI,
		routeSet:     routes,
		// RFC 3261 12.1.1: "If the request arrived over TLS, and the
		// Request-URI contained a SIPS URI, the "secure" flag is set to
		// TRUE."
		secure: req.RequestURI.IsSIPS() && strings.EqualFold(via.Transport, "TLS"),
	}
	if code >= 200 {
		d.state = Confirmed
	}
	d.updateRouting()
	d.updateHeaders()
	return d, nil
}

// pair holds what a dialog takes from its INVITE and the response to it.
type pair struct {
	callID         string
	from, to       sipstack.Address // without tag
	fromTag, toTag string           // From tag of the request, To tag of the response
	seq            uint32
}

// readPair reads the dialog-forming fields of an INVITE and its response
// and checks that the response answers that INVITE: same Call-ID, same From
// tag, same CSeq.
func readPair(req *sipstack.Request, resp *sipstack.Response) (pair, error) {
	var p pair
	p.callID = req.Header.CallID()
	if p.callID == "" {
		return p, fmt.Errorf("%w: missing Call-ID", ErrMalformed)
	}
	if c := resp.Header.CallID(); c != p.callID {
		return p, fmt.Errorf("%w: Call-ID %q of the response differs from %q", ErrMismatch, c, p.callID)
	}
	from, err := req.Header.From()
	if err != nil {
		return p, malformed(err)
	}
	to, err := req.Header.To()
	if err != nil {
		return p, malformed(err)
	}
	rfrom, err := resp.Header.From()
	if err != nil {
		return p, malformed(err)
	}
	rto, err := resp.Header.To()
	if err != nil {
		return p, malformed(err)
	}
	if rfrom.Tag() != from.Tag() {
		return p, fmt.Errorf("%w: From tag %q of the response differs from %q", ErrMismatch, rfrom.Tag(), from.Tag())
	}
	if t := to.Tag(); t != "" && t != rto.Tag() {
		return p, fmt.Errorf("%w: To tag %q of the response differs from %q", ErrMismatch, rto.Tag(), t)
	}
	cseq, err := req.Header.CSeq()
	if err != nil {
		return p, malformed(err)
	}
	rcseq, err := resp.Header.CSeq()
	if err != nil {
		return p, malformed(err)
	}
	if rcseq != cseq {
		return p, fmt.Errorf("%w: CSeq %q of the response differs from %q", ErrMismatch, rcseq, cseq)
	}
	p.fromTag, p.toTag, p.seq = from.Tag(), rto.Tag(), cseq.Seq
	p.from, p.to = withoutTag(from), withoutTag(to)
	return p, nil
}

// withoutTag returns a with its tag parameter removed.
func withoutTag(a sipstack.Address) sipstack.Address {
	a.Params = a.Params.Del("tag")
	return a
}

// withTag returns the header value of a with the tag parameter set to tag,
// or without one when tag is null (RFC 3261 12.2.1.1: "If the value of the
// remote or local tags is null, the tag parameter MUST be omitted").
func withTag(a sipstack.Address, tag string) string {
	if tag != "" {
		a.Params = a.Params.Set("tag", tag)
	}
	return a.String()
}

// firstContact returns the first Contact of h, checked to be a SIP or SIPS
// URI (RFC 3261 12.1.1, 12.1.2), and whether there is one.
func firstContact(h sipstack.Header) (sipstack.Address, bool, error) {
	if !h.Has("Contact") {
		return sipstack.Address{}, false, nil
	}
	cs, err := h.Contacts()
	if err != nil {
		return sipstack.Address{}, false, malformed(err)
	}
	if len(cs) == 0 {
		return sipstack.Address{}, false, nil
	}
	c := cs[0]
	if c.Star || !c.URI.IsSIP() {
		return sipstack.Address{}, false, fmt.Errorf("%w: %s", ErrBadContact, c)
	}
	return c.Address, true, nil
}

// recordRoutes returns the Record-Route values of h in order, each checked
// to be a SIP or SIPS URI.
func recordRoutes(h sipstack.Header) ([]sipstack.Address, error) {
	rr, err := h.RecordRoutes()
	if err != nil {
		return nil, malformed(err)
	}
	for _, a := range rr {
		if !a.URI.IsSIP() {
			return nil, fmt.Errorf("%w: %s", ErrBadRoute, a)
		}
	}
	return rr, nil
}

// updateHeaders recomputes the From, To and Contact values of the requests
// the dialog sends (RFC 3261 12.2.1.1).
func (d *Dialog) updateHeaders() {
	d.fromValue = withTag(d.local, d.id.LocalTag)
	d.toValue = withTag(d.remote, d.id.RemoteTag)
	d.contactValue = d.localContact.String()
}

// updateRouting recomputes the Request-URI and Route value of the requests
// the dialog sends from the route set and remote target (RFC 3261
// 12.2.1.1).
func (d *Dialog) updateRouting() {
	d.requestURI, d.routeValue = routing(d.remoteTarget, d.routeSet)
}

// routing returns the Request-URI and the Route header value (empty for no
// Route header) of a request sent to remote target through route set
// routes (RFC 3261 12.2.1.1):
//
//   - an empty route set gives the remote target as Request-URI and no
//     Route;
//   - a route set whose first URI has the lr parameter (a loose router)
//     gives the remote target as Request-URI and the route set, in order
//     and with all parameters, as Route;
//   - otherwise the first URI is a strict router: it becomes the
//     Request-URI, "stripping any parameters that are not allowed in a
//     Request-URI", and Route holds the rest of the route set followed by
//     the remote target.
//
// The parameters not allowed in a Request-URI are the method parameter and
// the headers (RFC 3261 19.1.1, Table 1); they are stripped from the remote
// target too when it becomes the Request-URI.
func routing(target uri.URI, routes []sipstack.Address) (uri.URI, string) {
	if len(routes) == 0 {
		return requestURI(target), ""
	}
	var b []byte
	rest := routes
	ruri := target
	strict := !routes[0].URI.LooseRouting()
	if strict {
		ruri, rest = routes[0].URI, routes[1:]
	}
	for i, a := range rest {
		if i > 0 {
			b = append(b, ',')
		}
		b = a.AppendTo(b)
	}
	if strict {
		if len(rest) > 0 {
			b = append(b, ',')
		}
		b = append(b, '<')
		b = target.AppendTo(b)
		b = append(b, '>')
	}
	return requestURI(ruri), string(b)
}

// requestURI returns u without the components that Table 1 of RFC 3261
// 19.1.1 does not allow in a Request-URI: the method parameter and the
// headers.
func requestURI(u uri.URI) uri.URI {
	u.Headers = ""
	return u.WithoutParam(uri.ParamMethod)
}

// ID returns the dialog ID.
func (d *Dialog) ID() ID { return d.id }

// Role returns the side this UA had in the dialog-creating INVITE.
func (d *Dialog) Role() Role { return d.role }

// State returns the dialog's state.
func (d *Dialog) State() State { return d.state }

// SetFirstLocalSeq chooses the CSeq number of the first request this side
// sends in a dialog whose local sequence number is still empty, the callee's
// side (RFC 3261 12.1.1). RFC 3261 8.1.1.5: the number is arbitrary but
// "MUST be expressible as a 32-bit unsigned integer and MUST be less than
// 2**31"; a user agent draws it from its random stream, a test picks the
// one a ladder shows (RFC 3665 3.7 F9 has 14). Without a call the first
// request carries 1. It returns [ErrCSeqChosen] once the local sequence
// number is set, and [ErrCSeqRange] for 0 or 2**31 and above.
func (d *Dialog) SetFirstLocalSeq(n uint32) error {
	if d.hasLocalSeq {
		return ErrCSeqChosen
	}
	if n == 0 || n >= 1<<31 {
		return fmt.Errorf("%w: %d", ErrCSeqRange, n)
	}
	d.firstSeq = n
	return nil
}

// LocalSeq returns the local sequence number, the CSeq number of the last
// request this UA sent in the dialog, and false while it is empty (a UAS
// that has sent no request yet, RFC 3261 12.1.1).
func (d *Dialog) LocalSeq() (uint32, bool) { return d.localSeq, d.hasLocalSeq }

// RemoteSeq returns the remote sequence number, the CSeq number of the last
// request accepted from the peer, and false while it is empty (a UAC whose
// peer has sent no request yet, RFC 3261 12.1.2).
func (d *Dialog) RemoteSeq() (uint32, bool) { return d.remoteSeq, d.hasRemoteSeq }

// LocalURI returns the local URI, the URI of the From field of the requests
// this UA sends in the dialog (RFC 3261 12.2.1.1).
func (d *Dialog) LocalURI() uri.URI { return d.local.URI }

// RemoteURI returns the remote URI, the URI of the To field of the requests
// this UA sends in the dialog (RFC 3261 12.2.1.1).
func (d *Dialog) RemoteURI() uri.URI { return d.remote.URI }

// RemoteTarget returns the remote target, the peer's Contact URI, or the
// zero URI while it is unknown.
func (d *Dialog) RemoteTarget() uri.URI { return d.remoteTarget }

// RouteSet returns a copy of the route set: the Record-Route values, as
// addresses with their URI and header parameters, in the order in which
// requests of this UA visit them.
func (d *Dialog) RouteSet() []sipstack.Address { return slices.Clone(d.routeSet) }

// Secure reports the secure flag (RFC 3261 12.1.1, 12.1.2): the dialog was
// created over TLS with a SIPS Request-URI, and its requests must use SIPS
// Contacts.
func (d *Dialog) Secure() bool { return d.secure }

// LocalContact returns the Contact that target refresh requests of this UA
// carry (RFC 3261 12.2.1.1).
func (d *Dialog) LocalContact() sipstack.Address { return d.localContact }

// SetLocalContact changes the Contact that later target refresh requests
// carry, as a UA does when its address changes (RFC 3261 12.2.1.1; RFC 3665
// 3.7). The URI must be SIP or SIPS, and SIPS when the dialog is secure.
func (d *Dialog) SetLocalContact(c sipstack.Address) error {
	if !c.URI.IsSIP() {
		return fmt.Errorf("%w: %s", ErrBadContact, c)
	}
	if d.secure && !c.URI.IsSIPS() {
		return fmt.Errorf("%w: the dialog is secure (RFC 3261 12.2.1.1)", ErrSIPSRequired)
	}
	d.localContact = c
	d.contactValue = c.String()
	return nil
}

// Confirm moves an early dialog to the confirmed state when a 2xx to the
// dialog-creating INVITE is received (UAC) or sent (UAS), and is a no-op on
// a dialog already confirmed, as for a retransmitted 2xx.
//
// At the UAC, resp is the 2xx received; RFC 3261 13.2.2.4: "the dialog MUST
// be transitioned to the "confirmed" state, and the route set for the dialog
// MUST be recomputed based on the 2xx response". The remote target is also
// taken from the 2xx's Contact, which is where the ACK goes (RFC 3261
// 12.1.2, 12.2.1.2); the sequence numbers are kept. At the UAS, resp is the
// 2xx sent, and its Contact becomes the local contact.
func (d *Dialog) Confirm(resp *sipstack.Response) error {
	if resp == nil {
		return fmt.Errorf("%w: nil response", ErrMalformed)
	}
	if d.state == Terminated {
		return ErrTerminated
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %d does not confirm a dialog (RFC 3261 13.2.2.4)", ErrState, resp.StatusCode)
	}
	cseq, err := resp.Header.CSeq()
	if err != nil {
		return malformed(err)
	}
	if cseq.Method != sipstack.INVITE {
		return fmt.Errorf("%w: 2xx to %s does not confirm a dialog", ErrMismatch, cseq.Method)
	}
	idOf := UACID
	if d.role == UAS {
		idOf = UASID
	}
	id, err := idOf(resp)
	if err != nil {
		return err
	}
	if id != d.id {
		return fmt.Errorf("%w: response of dialog %s", ErrMismatch, id)
	}
	if d.role == UAC {
		if err := d.learnFromResponse(resp, true); err != nil {
			return err
		}
	} else {
		c, ok, err := firstContact(resp.Header)
		if err != nil {
			return err
		}
		if ok {
			if err := d.SetLocalContact(c); err != nil {
				return err
			}
		}
	}
	d.state = Confirmed
	return nil
}

// Terminate moves the dialog to the terminated state: after a BYE (RFC 3261
// 15), or for an early dialog when the INVITE gets a non-2xx final response
// (RFC 3261 12.3). A terminated dialog builds no request and accepts none.
func (d *Dialog) Terminate() { d.state = Terminated }
