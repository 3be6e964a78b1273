package nodes

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// A Server is one SIP server of a domain, as a DNS SRV record names it
// (RFC 2782): a host of the simulated network, its port and transport, and
// the record's priority and weight.
type Server struct {
	// Host is the name of a host of the network.
	Host string
	// Port is the SIP port; zero means DefaultPort.
	Port uint16
	// Transport is the transport to use.
	Transport transaction.Transport
	// Priority orders servers: lower first (RFC 2782).
	Priority uint16
	// Weight shares load among servers of equal priority by RFC 2782's
	// selection: zero weights first in a running sum, a uniform draw in
	// [0, sum], the first server whose running sum reaches it. (With
	// weights 1 and 3 the first is chosen 2 times in 5; a zero weight
	// has a small chance, 1/(sum+1).)
	Weight uint16
}

// Zone is the DNS of a simulated network, reduced to what SIP uses: for
// each domain, the servers that handle it (RFC 3263 4.2, SRV). It is shared
// by every element; each element reads it through its own [Resolver].
type Zone struct {
	net     *sim.Network
	domains map[string][]Server
	ttl     time.Duration
}

// Errors of resolution.
var (
	ErrNoServers = errors.New("nodes: domain has no SIP servers")
	ErrNoAddress = errors.New("nodes: URI host is neither an address nor a known host or domain")
)

// NewZone returns an empty zone over net whose records live ttl in
// resolver caches (zero means one hour).
func NewZone(net *sim.Network, ttl time.Duration) *Zone {
	if ttl <= 0 {
		ttl = time.Hour
	}
	return &Zone{net: net, domains: map[string][]Server{}, ttl: ttl}
}

// Add adds servers to domain. Server hosts must exist in the network.
func (z *Zone) Add(domain string, servers ...Server) error {
	for _, s := range servers {
		if z.net.Host(s.Host) == nil {
			return fmt.Errorf("%w: %q (server of %s)", ErrNoHost, s.Host, domain)
		}
	}
	z.domains[domain] = append(z.domains[domain], servers...)
	return nil
}

// A Resolver is one element's view of the [Zone]: lookups cost Delay of
// virtual time unless the answer is cached (RFC 3263 in spirit; the cache
// keeps an answer for the zone's TTL).
type Resolver struct {
	zone  *Zone
	delay time.Duration
	cache map[string]cached
}

type cached struct {
	servers []Server
	until   sim.Time
}

// NewResolver returns a resolver of zone whose lookups take delay.
func NewResolver(zone *Zone, delay time.Duration) *Resolver {
	return &Resolver{zone: zone, delay: delay, cache: map[string]cached{}}
}

// A Target is a place to send a request: an address and a transport.
type Target = transaction.Destination

// Resolve returns, for the URI u that a request is to be sent to, the
// destinations to try in order, and the virtual time the lookup costs now.
//
// RFC 3263 4.1 and 4.2: a numeric host, or a host with an explicit port,
// is used as it is (a name is then a host of the network); otherwise the
// host is a domain whose servers are ordered by priority, and within a
// priority by a weighted random draw from r (RFC 2782). The transport
// parameter of u, when present, overrides the servers' (RFC 3263 4.1).
// A failed lookup (no such domain or host) costs the delay too.
func (rs *Resolver) Resolve(u uri.URI, now sim.Time, r *sim.Stream) ([]Target, time.Duration, error) {
	host := u.Host
	if m := u.Maddr(); m != "" {
		host = m // RFC 3261 16.5, 19.1.1: maddr overrides the host
	}
	tr, trSet := uriTransport(u)
	if a, err := netip.ParseAddr(host); err == nil {
		return []Target{{Addr: netip.AddrPortFrom(a, portOr(u.Port)), Transport: tr}}, 0, nil
	}
	if u.Port != 0 || rs.zone.domains[host] == nil {
		if h := rs.zone.net.Host(host); h != nil {
			return []Target{{Addr: h.AddrPort(portOr(u.Port)), Transport: tr}}, 0, nil
		}
	}
	servers, delay, err := rs.lookup(host, now)
	if err != nil {
		return nil, delay, err
	}
	if u.Port != 0 {
		// RFC 3263 4.2: with an explicit port there is no SRV lookup,
		// only an address lookup of the name; the domain's addresses are
		// its servers' hosts, tried in priority order, on the given port.
		out := make([]Target, 0, len(servers))
		for _, s := range orderSRV(servers, nil) {
			out = append(out, Target{Addr: rs.zone.net.Host(s.Host).AddrPort(portOr(u.Port)), Transport: tr})
		}
		return out, delay, nil
	}
	out := make([]Target, 0, len(servers))
	for _, s := range orderSRV(servers, r) {
		t := s.Transport
		if trSet {
			t = tr
		}
		out = append(out, Target{Addr: rs.zone.net.Host(s.Host).AddrPort(portOr(int(s.Port))), Transport: t})
	}
	return out, delay, nil
}

// lookup returns the servers of domain, from the cache or from the zone.
func (rs *Resolver) lookup(domain string, now sim.Time) ([]Server, time.Duration, error) {
	if c, ok := rs.cache[domain]; ok && c.until > now {
		return c.servers, 0, nil
	}
	servers := rs.zone.domains[domain]
	if len(servers) == 0 {
		return nil, rs.delay, fmt.Errorf("%w: %s", ErrNoServers, domain)
	}
	rs.cache[domain] = cached{servers: servers, until: now.Add(rs.delay + rs.zone.ttl)}
	return servers, rs.delay, nil
}

// orderSRV sorts servers by priority, and within a priority by RFC 2782's
// weighted random selection: repeatedly pick a server with probability
// proportional to its weight (zero weights have a small chance, as the RFC
// places them first in the running sum).
func orderSRV(servers []Server, r *sim.Stream) []Server {
	s := slices.Clone(servers)
	slices.SortStableFunc(s, func(a, b Server) int { return cmp.Compare(a.Priority, b.Priority) })
	out := s[:0:0]
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j].Priority == s[i].Priority {
			j++
		}
		group := slices.Clone(s[i:j])
		// RFC 2782: zero-weight records first in the running sum.
		slices.SortStableFunc(group, func(a, b Server) int { return cmp.Compare(min(a.Weight, 1), min(b.Weight, 1)) })
		for len(group) > 0 {
			total := 0
			for _, g := range group {
				total += int(g.Weight)
			}
			pick := 0
			if total > 0 && r != nil {
				x := r.IntN(total + 1)
				sum := 0
				for k, g := range group {
					sum += int(g.Weight)
					if sum >= x {
						pick = k
						break
					}
				}
			}
			out = append(out, group[pick])
			group = slices.Delete(group, pick, pick+1)
		}
		i = j
	}
	return out
}

func portOr(p int) uint16 {
	if p <= 0 || p > 65535 {
		return DefaultPort
	}
	return uint16(p)
}

// uriTransport returns the transport parameter of u (RFC 3261 19.1.1),
// UDP when absent, and whether it was present.
func uriTransport(u uri.URI) (transaction.Transport, bool) {
	t := u.Transport()
	if t == "" {
		return transaction.UDP, false
	}
	tr, err := transaction.ParseTransport(t)
	if err != nil {
		return transaction.UDP, false
	}
	return tr, true
}
