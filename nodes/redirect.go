package nodes

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// RedirectTarget is one contact of a redirect server's static table: where
// to send callers of an address of record.
type RedirectTarget struct {
	// Contact is the URI returned in the Contact header, such as
	// "sip:user2@there.com".
	Contact string
	// Q is the preference in thousandths (RFC 3261 20.10: q=0.7 is 700);
	// zero means 1000 and no q parameter is written.
	Q int
	// Expires is how long the caller may cache the redirection, written
	// as the contact's expires parameter (RFC 3261 20.10, 21.3); zero
	// writes none.
	Expires time.Duration
}

// RedirectOptions configures a [RedirectServer].
type RedirectOptions struct {
	// Location is the location service whose bindings the server returns
	// (shared with the registrars of the domain); nil when only Static is
	// used.
	Location *LocationService
	// Static maps addresses of record ("sip:user2@here.com") to fixed
	// targets. It is consulted before Location; its users are always
	// known, and answered with 480 when their list is empty.
	Static map[string][]RedirectTarget
	// Permanent answers a single target with 301 (Moved Permanently)
	// instead of 302 (Moved Temporarily) (RFC 3261 21.3.2, 21.3.3).
	Permanent bool
}

// RedirectServer is a redirect server (RFC 3261 8.3): a UAS that answers
// every request for a user with the places where the user can be reached,
// and lets the caller try them. One target gives 302 (Moved Temporarily),
// or 301 when configured as permanent; several give 300 (Multiple Choices)
// with the Contacts in decreasing q order (RFC 3261 21.3.1). An unknown
// user gets 404 (Not Found), a known user with no binding now 480
// (Temporarily Unavailable) (RFC 3261 21.4.4, 21.4.18).
//
// It runs on a [Core]: the INVITE server transaction retransmits the 3xx
// over UDP and absorbs its ACK (RFC 3261 17.2.1), so nothing reaches the
// server after the response.
type RedirectServer struct {
	core   *Core
	loc    *LocationService
	static map[string][]rdTarget // AOR key -> targets, highest q first
	perm   bool
}

// rdTarget is a contact to return: its URI, q in thousandths and the
// expires parameter to write (zero writes none).
type rdTarget struct {
	contact uri.URI
	q       int
	expires time.Duration
}

// ErrBadTarget is returned by [NewRedirectServer] for a static entry that
// is not a URI.
var ErrBadTarget = errors.New("nodes: bad redirect target")

// NewRedirectServer attaches a redirect server to the host cfg.Host of net.
// The server answers every request at once, so its INVITE server
// transactions send no 100 (Trying) (RFC 3261 17.2.1 allows it when the TU
// answers within 200 ms): cfg.Timers.Trying is set to
// transaction.TryingNone.
func NewRedirectServer(net *sim.Network, cfg Config, opts RedirectOptions) (*RedirectServer, error) {
	cfg.Timers.Trying = transaction.TryingNone
	rs := &RedirectServer{loc: opts.Location, perm: opts.Permanent, static: map[string][]rdTarget{}}
	for aor, targets := range opts.Static {
		a, err := uri.Parse(aor)
		if err != nil {
			return nil, fmt.Errorf("%w: address of record %q: %v", ErrBadTarget, aor, err)
		}
		bs := make([]rdTarget, 0, len(targets))
		for _, t := range targets {
			c, err := uri.Parse(t.Contact)
			if err != nil {
				return nil, fmt.Errorf("%w: %q for %s: %v", ErrBadTarget, t.Contact, aor, err)
			}
			q := t.Q
			if q <= 0 || q > 1000 {
				q = 1000
			}
			bs = append(bs, rdTarget{contact: c, q: q, expires: t.Expires})
		}
		slices.SortStableFunc(bs, func(x, y rdTarget) int { return y.q - x.q })
		rs.static[a.AOR()] = bs
	}
	core, err := NewCore(net, cfg, rs)
	if err != nil {
		return nil, err
	}
	rs.core = core
	return rs, nil
}

// Core returns the server's core, for inspection.
func (rs *RedirectServer) Core() *Core { return rs.core }

// Request answers a request (RFC 3261 8.3): a 3xx with the user's
// contacts, or 404, 480, 416 or 420.
func (rs *RedirectServer) Request(tx transaction.ID, req *sipstack.Request, _ transaction.Destination) {
	if tx == 0 || req.Method == sipstack.ACK {
		return // the ACK of a 2xx: a redirect server sends none
	}
	if req.Method == sipstack.CANCEL {
		// RFC 3261 9.2: the INVITE was answered at once; the CANCEL
		// gets 200 if its transaction is still there, 481 otherwise.
		code := 481
		if _, ok := rs.core.Layer().CancelTarget(req); ok {
			code = 200
		}
		rs.respond(tx, req, code, nil, "CANCEL")
		return
	}
	if tags := rgUnsupported(req); len(tags) > 0 {
		resp := rs.response(req, 420)
		resp.Header.Add("Unsupported", strings.Join(tags, ", "))
		rs.core.Note("420", "Require "+strings.Join(tags, ", "))
		_ = rs.core.Respond(tx, resp)
		return
	}
	ru := req.RequestURI
	if ru.Scheme != uri.SchemeSIP && ru.Scheme != uri.SchemeSIPS {
		rs.respond(tx, req, 416, nil, "scheme "+ru.Scheme)
		return
	}
	targets, known := rs.lookup(ru)
	switch {
	case !known:
		rs.respond(tx, req, 404, nil, ru.AOR()+" unknown")
	case len(targets) == 0:
		rs.respond(tx, req, 480, nil, ru.AOR()+" has no binding")
	case len(targets) > 1:
		rs.respond(tx, req, 300, targets, fmt.Sprintf("%s: %d targets", ru.AOR(), len(targets)))
	case rs.perm:
		rs.respond(tx, req, 301, targets, ru.AOR()+" -> "+targets[0].contact.String())
	default:
		rs.respond(tx, req, 302, targets, ru.AOR()+" -> "+targets[0].contact.String())
	}
}

// lookup returns the targets of the user ru names, highest q first, and
// whether the user is known. A binding's expires is its remaining life.
func (rs *RedirectServer) lookup(ru uri.URI) ([]rdTarget, bool) {
	if bs, ok := rs.static[ru.AOR()]; ok {
		return bs, true
	}
	// Known first: a lookup of an unknown user must not make it known.
	if rs.loc == nil || !rs.loc.Known(ru) {
		return nil, false
	}
	now := rs.core.Sim().Now()
	var out []rdTarget
	for _, b := range rs.loc.Lookup(ru, now) {
		t := rdTarget{contact: b.Contact, q: b.Q}
		if b.Expires != sim.MaxTime {
			t.expires = b.Remaining(now)
		}
		out = append(out, t)
	}
	return out, true
}

// response builds a response with the server's To tag (RFC 3261 8.2.6.2).
func (rs *RedirectServer) response(req *sipstack.Request, code int) *sipstack.Response {
	resp := sipstack.NewResponse(req, code, "")
	if to, err := resp.Header.To(); err == nil && to.Tag() == "" {
		to.Params = to.Params.Set("tag", rs.core.IDs().Tag())
		resp.Header.Set("To", to.String())
	}
	return resp
}

// respond sends a response with the given contacts (RFC 3261 8.3: "the
// Contact header field ... the URIs for the alternative locations"), each
// with its q and expires parameters.
func (rs *RedirectServer) respond(tx transaction.ID, req *sipstack.Request, code int, targets []rdTarget, why string) {
	resp := rs.response(req, code)
	for _, t := range targets {
		resp.Header.Add("Contact", rgContact(t.contact, t.q, t.expires))
	}
	rs.core.Note(strconv.Itoa(code), why)
	if err := rs.core.Respond(tx, resp); err != nil {
		rs.core.Note("respond-error", err.Error())
	}
}

// Response is never called: a redirect server sends no request.
func (rs *RedirectServer) Response(transaction.ID, *sipstack.Response) {}

// Failed is never called for a server transaction that is answered at
// once; a transport error on a response is already in the trace.
func (rs *RedirectServer) Failed(transaction.ID, transaction.Timer) {}
