package nodes

import (
	"cmp"
	"slices"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// A Binding is one contact address registered for an address of record
// (RFC 3261 10.3): where the user can be reached, until when, and with
// which preference.
type Binding struct {
	// Contact is the URI to reach the user at.
	Contact uri.URI
	// Q is the preference in thousandths (RFC 3261 20.10: q=0.7 is 700);
	// 1000 when the registration gave none.
	Q int
	// Expires is the virtual time the binding lapses; sim.MaxTime for a
	// static binding that never does.
	Expires sim.Time
	// CallID and CSeq are those of the REGISTER that made the binding:
	// RFC 3261 10.3 step 7 ignores an older or repeated one.
	CallID string
	CSeq   uint32
}

// LocationService maps addresses of record to bindings (RFC 3261 10.2,
// 16.5). Registrars write it and proxies read it; several proxies and
// registrars of one domain share one LocationService.
//
// Keys are addresses of record as uri.URI.AOR gives them (scheme, user,
// lower-case host), so that sip:Bob@Biloxi.example.com and
// sip:Bob@biloxi.example.com are one record. Lookups never depend on map
// order: bindings come out sorted.
type LocationService struct {
	records map[string][]Binding
}

// NewLocationService returns an empty location service.
func NewLocationService() *LocationService {
	return &LocationService{records: map[string][]Binding{}}
}

// Add adds or refreshes the binding b of aor: a binding with an equal
// Contact (RFC 3261 19.1.4) is replaced.
func (l *LocationService) Add(aor uri.URI, b Binding) {
	k := aor.AOR()
	bs := l.records[k]
	for i := range bs {
		if bs[i].Contact.Equal(b.Contact) {
			bs[i] = b
			return
		}
	}
	l.records[k] = append(bs, b)
}

// Remove removes the binding of aor whose contact equals contact, and
// reports whether there was one (RFC 3261 10.3 step 7, Expires 0).
func (l *LocationService) Remove(aor uri.URI, contact uri.URI) bool {
	k := aor.AOR()
	bs := l.records[k]
	for i := range bs {
		if bs[i].Contact.Equal(contact) {
			l.records[k] = slices.Delete(bs, i, i+1)
			return true
		}
	}
	return false
}

// RemoveAll removes every binding of aor (RFC 3261 10.2.2, "Contact: *");
// the user stays known.
func (l *LocationService) RemoveAll(aor uri.URI) {
	if _, ok := l.records[aor.AOR()]; ok {
		l.records[aor.AOR()] = nil
	}
}

// Provision makes aor a known user of the domain, with no binding yet, as
// a registrar's user database does.
func (l *LocationService) Provision(aor uri.URI) {
	if _, ok := l.records[aor.AOR()]; !ok {
		l.records[aor.AOR()] = nil
	}
}

// Known reports whether aor is a user of the domain: provisioned, or ever
// bound. A proxy answers 404 for an unknown user and 480 for a known one
// with no binding now (RFC 3261 16.5, 21.4.18).
func (l *LocationService) Known(aor uri.URI) bool { _, ok := l.records[aor.AOR()]; return ok }

// Lookup returns the bindings of aor that have not expired at now, highest
// q first; equal q keep their registration order. Expired bindings are
// dropped from the record.
func (l *LocationService) Lookup(aor uri.URI, now sim.Time) []Binding {
	k := aor.AOR()
	bs, ok := l.records[k]
	if !ok {
		return nil // an unknown user stays unknown (404, not 480)
	}
	live := bs[:0]
	for _, b := range bs {
		if b.Expires > now {
			live = append(live, b)
		}
	}
	clear(bs[len(live):])
	if len(live) == 0 {
		// The user stays known (RFC 3261 16.5: 480, not 404).
		l.records[k] = live
		return nil
	}
	l.records[k] = live
	out := slices.Clone(live)
	slices.SortStableFunc(out, func(a, b Binding) int { return cmp.Compare(b.Q, a.Q) })
	return out
}

// Remaining returns how long b stays valid after now, rounded down to
// whole seconds as a Contact expires parameter carries it (RFC 3261 10.3
// step 8).
func (b Binding) Remaining(now sim.Time) time.Duration {
	if b.Expires <= now {
		return 0
	}
	return b.Expires.Sub(now).Truncate(time.Second)
}
