package nodes

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
)

// ltContacts lists the contacts of bs as strings.
func ltContacts(bs []Binding) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Contact.String())
	}
	return out
}

// TestLocationQOrder: Lookup gives the highest q first, equal q in
// registration order, and a refresh replaces a binding in place.
func TestLocationQOrder(t *testing.T) {
	l := NewLocationService()
	aor := rtMustURI(t, "sip:bob@biloxi.example.com")
	forever := sim.MaxTime
	l.Add(aor, Binding{Contact: rtMustURI(t, "sip:a@h"), Q: 500, Expires: forever})
	l.Add(aor, Binding{Contact: rtMustURI(t, "sip:b@h"), Q: 1000, Expires: forever})
	l.Add(aor, Binding{Contact: rtMustURI(t, "sip:c@h"), Q: 500, Expires: forever})
	assert.Equal(t, []string{"sip:b@h", "sip:a@h", "sip:c@h"}, ltContacts(l.Lookup(aor, 0)))

	// RFC 3261 19.1.4: hosts compare case-insensitively, so sip:a@H
	// refreshes sip:a@h.
	l.Add(aor, Binding{Contact: rtMustURI(t, "sip:a@H"), Q: 900, Expires: forever})
	assert.Equal(t, []string{"sip:b@h", "sip:a@H", "sip:c@h"}, ltContacts(l.Lookup(aor, 0)))

	// The key is the address of record: case of the host and URI
	// parameters do not matter.
	assert.Len(t, l.Lookup(rtMustURI(t, "sip:bob@BILOXI.example.com;transport=tcp"), 0), 3)
	assert.Empty(t, l.Lookup(rtMustURI(t, "sip:Bob@biloxi.example.com"), 0), "the user part is case-sensitive")
}

// TestLocationExpiry: a binding is live strictly before its Expires, and
// Remaining is whole seconds.
func TestLocationExpiry(t *testing.T) {
	l := NewLocationService()
	aor := rtMustURI(t, "sip:bob@biloxi.example.com")
	exp := sim.Time(10 * time.Second)
	l.Add(aor, Binding{Contact: rtMustURI(t, "sip:bob@h"), Q: 1000, Expires: exp})
	bs := l.Lookup(aor, sim.Time(8500*time.Millisecond))
	require.Len(t, bs, 1)
	assert.Equal(t, time.Second, bs[0].Remaining(sim.Time(8500*time.Millisecond)), "1.5 s left is written 1")
	assert.Equal(t, time.Duration(0), bs[0].Remaining(exp))
	assert.Empty(t, l.Lookup(aor, exp), "expired at its Expires")
	assert.True(t, l.Known(aor), "an expired user stays known")
}

// TestLocationProvisionAndRemove: Provision makes a user known without a
// binding; Remove and RemoveAll keep it known.
func TestLocationProvisionAndRemove(t *testing.T) {
	l := NewLocationService()
	alice := rtMustURI(t, "sip:alice@atlanta.example.com")
	bob := rtMustURI(t, "sip:bob@biloxi.example.com")
	assert.False(t, l.Known(alice))
	l.Provision(alice)
	assert.True(t, l.Known(alice))
	assert.Empty(t, l.Lookup(alice, 0))

	l.Add(bob, Binding{Contact: rtMustURI(t, "sip:bob@h1"), Q: 1000, Expires: sim.MaxTime})
	l.Add(bob, Binding{Contact: rtMustURI(t, "sip:bob@h2"), Q: 1000, Expires: sim.MaxTime})
	l.Provision(bob) // provisioning a bound user keeps its bindings
	assert.True(t, l.Remove(bob, rtMustURI(t, "sip:bob@h1")))
	assert.False(t, l.Remove(bob, rtMustURI(t, "sip:bob@h1")), "already removed")
	assert.Equal(t, []string{"sip:bob@h2"}, ltContacts(l.Lookup(bob, 0)))
	l.RemoveAll(bob)
	assert.Empty(t, l.Lookup(bob, 0))
	assert.True(t, l.Known(bob))
}

// TestLocationLookupDoesNotProvision: looking up a user nobody provisioned
// or registered must leave it unknown, or a proxy would answer 480 instead
// of 404 (RFC 3261 16.5) for every name it was once asked about.
func TestLocationLookupDoesNotProvision(t *testing.T) {
	l := NewLocationService()
	nobody := rtMustURI(t, "sip:nobody@biloxi.example.com")
	assert.Empty(t, l.Lookup(nobody, 0))
	assert.False(t, l.Known(nobody))
}
