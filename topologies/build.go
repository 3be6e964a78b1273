package topologies

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
)

// Run is a topology built into a simulated network, ready to run: the
// simulator, the network and every element by name.
type Run struct {
	// Topology is what the run was built from.
	Topology *Topology
	// Sim is the run's simulator.
	Sim *sim.Simulator
	// Net is the run's network.
	Net *sim.Network
	// Zone is the DNS zone; nil when the topology has no dns domains.
	Zone *nodes.Zone
	// UAs are the user agents by node name.
	UAs map[string]*nodes.UserAgent
	// Proxies are the stateful proxies by node name.
	Proxies map[string]*nodes.StatefulProxy
	// Stateless are the stateless proxies by node name.
	Stateless map[string]*nodes.StatelessProxy
	// Redirects are the redirect servers by node name.
	Redirects map[string]*nodes.RedirectServer
	// Registrars are the registrars by node name.
	Registrars map[string]*nodes.Registrar
	// Locations are the location services by domain (lower case).
	Locations map[string]*nodes.LocationService

	// Until, when positive, is the virtual time at which the run is cut
	// (see sim.Simulator.RunUntil): the generated workload stops arriving
	// at Until, and pings without a count stop there. Set it before
	// placing the workload.
	Until time.Duration

	names  map[netip.Addr]string
	placed []PlacedCall
	forget bool // ForgetCalls
	pings  []PingResult
}

// PlacedCall is an explicit call of the workload once its start time has
// come: the call, or the error of [nodes.UserAgent.Call].
type PlacedCall struct {
	// Spec is the call as the topology describes it.
	Spec CallSpec
	// Call is the call placed; nil when Err is set.
	Call *nodes.Call
	// Err is why the call could not be placed.
	Err error
}

// Build creates a simulator seeded with seed, the network of t with sink
// as its trace sink (nil for none), its hosts, links, DNS zone, location
// services and every element, and installs t's faults. It places no call:
// see [Run.PlaceCalls]. Build does not modify t.
func Build(t *Topology, seed uint64, sink sim.Sink) (*Run, error) {
	s := sim.New(seed)
	net, err := sim.NewNetwork(s, sim.Options{Sink: sink, TCP: t.TCP})
	if err != nil {
		return nil, err
	}
	r := &Run{
		Topology: t, Sim: s, Net: net,
		UAs: map[string]*nodes.UserAgent{}, Proxies: map[string]*nodes.StatefulProxy{},
		Stateless: map[string]*nodes.StatelessProxy{}, Redirects: map[string]*nodes.RedirectServer{},
		Registrars: map[string]*nodes.Registrar{}, Locations: map[string]*nodes.LocationService{},
		names: map[netip.Addr]string{},
	}
	for _, n := range t.Nodes {
		if _, err := net.AddHost(n.Name, n.Address); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", t.File, n.Line, err)
		}
		r.names[n.Address] = n.Name
	}
	for _, l := range t.Links {
		if err := net.AddLink(l.A, l.B, l.AB, l.BA); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", t.File, l.Line, err)
		}
	}
	var resolver func() *nodes.Resolver
	if len(t.DNS.Domains) > 0 {
		r.Zone = nodes.NewZone(net, t.DNS.TTL)
		for _, d := range t.DNS.Domains {
			if err := r.Zone.Add(d.Domain, d.Servers...); err != nil {
				return nil, fmt.Errorf("%s: dns %s: %w", t.File, d.Domain, err)
			}
		}
		resolver = func() *nodes.Resolver { return nodes.NewResolver(r.Zone, t.DNS.LookupDelay) }
	} else {
		resolver = func() *nodes.Resolver { return nil }
	}
	location := func(domain string) *nodes.LocationService {
		if domain == "" {
			return nil
		}
		domain = strings.ToLower(domain)
		l := r.Locations[domain]
		if l == nil {
			l = nodes.NewLocationService()
			r.Locations[domain] = l
		}
		return l
	}
	for _, loc := range t.Locations {
		ls := location(loc.AOR.Host)
		ls.Provision(loc.AOR)
		for _, b := range loc.Bindings {
			ls.Add(loc.AOR, b)
		}
	}
	for _, n := range t.Nodes {
		if err := r.addNode(n, resolver(), location(n.Location)); err != nil {
			return nil, fmt.Errorf("%s:%d: node %s: %w", t.File, n.Line, n.Name, err)
		}
	}
	if err := r.addFaults(); err != nil {
		return nil, err
	}
	return r, nil
}

// addNode creates the element of n with copies of its options.
func (r *Run) addNode(n Node, res *nodes.Resolver, loc *nodes.LocationService) error {
	var err error
	switch n.Kind {
	case KindUA:
		o := *n.UA
		if res != nil {
			o.Resolver = res
		}
		r.UAs[n.Name], err = nodes.NewUserAgent(r.Net, n.Config, o)
	case KindStatefulProxy:
		o := *n.Proxy
		o.Resolver, o.Location = res, loc
		r.Proxies[n.Name], err = nodes.NewStatefulProxy(r.Net, n.Config, o)
	case KindStatelessProxy:
		o := *n.Stateless
		o.Resolver = res
		r.Stateless[n.Name], err = nodes.NewStatelessProxy(r.Net, n.Config, o)
	case KindRedirect:
		o := *n.Redirect
		o.Location = loc
		r.Redirects[n.Name], err = nodes.NewRedirectServer(r.Net, n.Config, o)
	case KindRegistrar:
		o := *n.Registrar
		o.Location = loc
		r.Registrars[n.Name], err = nodes.NewRegistrar(r.Net, n.Config, o)
	default:
		err = fmt.Errorf("unknown kind %q", n.Kind)
	}
	return err
}

// addFaults installs the topology's faults.
func (r *Run) addFaults() error {
	t := r.Topology
	for _, f := range t.Faults.Drops {
		r.Net.AddDropFilter(r.dropFilter(f))
	}
	for _, c := range t.Faults.Crashes {
		if err := r.Net.CrashHostAt(c.Node, sim.Time(c.At)); err != nil {
			return fmt.Errorf("%s:%d: %w", t.File, c.Line, err)
		}
		if c.Recover > 0 {
			if err := r.Net.RecoverHostAt(c.Node, sim.Time(c.Recover)); err != nil {
				return fmt.Errorf("%s:%d: %w", t.File, c.Line, err)
			}
		}
	}
	for _, l := range t.Faults.LinkDowns {
		dirs := [][2]string{{l.A, l.B}}
		if !l.OneWay {
			dirs = append(dirs, [2]string{l.B, l.A})
		}
		for _, d := range dirs {
			if err := r.Net.SetLinkDown(d[0], d[1], sim.Time(l.From), sim.Time(l.To)); err != nil {
				return fmt.Errorf("%s:%d: %w", t.File, l.Line, err)
			}
		}
	}
	return nil
}

// dropFilter returns the filter of f. Without a link, a datagram is
// counted once, on the first link it enters.
func (r *Run) dropFilter(f DropFault) sim.DropFilter {
	seen := 0
	var from, to netip.Addr
	if f.From != "" {
		from = r.Net.Host(f.From).Addr()
	}
	if f.To != "" {
		to = r.Net.Host(f.To).Addr()
	}
	status := ""
	if f.Status != 0 {
		status = strconv.Itoa(f.Status) + "/"
	}
	return func(p *sim.Packet) bool {
		switch {
		case !p.IsData():
			return false
		case f.LinkFrom != "" && (p.Hop.From != f.LinkFrom || p.Hop.To != f.LinkTo):
			return false
		case f.LinkFrom == "" && p.Hop.From != r.names[p.Src.Addr()]:
			return false
		case from.IsValid() && p.Src.Addr() != from, to.IsValid() && p.Dst.Addr() != to:
			return false
		case status != "" && !strings.HasPrefix(p.Label, status):
			return false
		case f.Method != "" && p.Label != f.Method && !strings.HasSuffix(p.Label, "/"+f.Method):
			return false
		}
		seen++
		return seen >= f.Nth && seen < f.Nth+f.Count
	}
}

// PlaceCalls schedules every explicit call of the workload at its start
// time: [nodes.UserAgent.Call] of the caller with the call's options. The
// calls are then listed by [Run.Calls] in the order they start. Call it
// once, before running the simulator.
func (r *Run) PlaceCalls() {
	for _, c := range r.Topology.Workload.Calls {
		ua := r.UAs[c.Caller]
		r.Sim.At(sim.Time(c.At), func() {
			call, err := ua.Call(c.To, c.Options)
			if !r.forget {
				r.placed = append(r.placed, PlacedCall{Spec: c, Call: call, Err: err})
			}
		})
	}
}

// Calls returns the calls placed so far by [Run.PlaceCalls], in the order
// they started.
func (r *Run) Calls() []PlacedCall { return append([]PlacedCall(nil), r.placed...) }

// ForgetCalls makes the run keep no record of the calls it places, and
// its user agents none of their ended calls (nodes.UserAgent.
// ForgetEndedCalls): Calls returns nothing, and memory stays flat however
// many calls the workload places. Call it before placing calls; the
// figures then come from the trace alone (analysis.CallSink).
func (r *Run) ForgetCalls() {
	r.forget = true
	for _, ua := range r.UAs {
		ua.ForgetEndedCalls()
	}
}

// NodeName returns the name of the node with address a, or "" for none.
func (r *Run) NodeName(a netip.Addr) string { return r.names[a] }

// Cores returns the transaction cores of the elements that have one
// (every kind but the stateless proxy), in file order.
func (r *Run) Cores() []*nodes.Core {
	var out []*nodes.Core
	for _, n := range r.Topology.Nodes {
		switch n.Kind {
		case KindUA:
			out = append(out, r.UAs[n.Name].Core())
		case KindStatefulProxy:
			out = append(out, r.Proxies[n.Name].Core())
		case KindRedirect:
			out = append(out, r.Redirects[n.Name].Core())
		case KindRegistrar:
			out = append(out, r.Registrars[n.Name].Core())
		}
	}
	return out
}

// Busy returns the names of the elements that still hold transactions or
// timers, in file order: none at the end of a run that ended cleanly.
func (r *Run) Busy() []string {
	var out []string
	for _, c := range r.Cores() {
		if c.Layer().Len() > 0 || c.Pending() > 0 {
			out = append(out, c.Name())
		}
	}
	return out
}
