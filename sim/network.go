package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Options configures a [Network]. The zero value is usable: no sink and the
// default stream transport.
type Options struct {
	// Sink receives every trace event; nil keeps none (events are then not
	// even built).
	Sink Sink
	// TCP configures the stream transport.
	TCP TCPConfig
}

// Network moves opaque datagrams between hosts over links, in the virtual
// time of one Simulator. It knows nothing of SIP.
//
// Hosts and links form a directed graph (each link is two directions with
// their own model). A datagram between hosts with no direct link follows
// the shortest path by total propagation delay (LinkConfig.Delay), found by
// Dijkstra's algorithm; ties go to the path with fewer hops, then to the
// path whose sequence of host names is lexicographically smallest. Every hop
// applies its link model; intermediate hosts store and forward whole
// datagrams (a fragmented datagram is reassembled at the end of each hop:
// real IPv4 routers forward fragments and reassemble only at the
// destination, which changes delay slightly but not the loss probability).
// Routes are computed once per source and cached; adding or removing a host
// or a link invalidates the cache. Routing is static: it does not avoid
// links that are down or hosts that crashed; datagrams sent that way are
// dropped there.
//
// A Network belongs to one run, like its Simulator, and must not be used
// from more than one goroutine. The per-datagram path allocates nothing in
// steady state (see the benchmarks in network_bench_test.go).
type Network struct {
	sim  *Simulator
	sink Sink
	ev   Event
	tcp  TCPConfig

	hosts  []*Host
	byName map[string]*Host
	byAddr map[netip.Addr]*Host
	links  map[[2]int]*direction
	routes [][]route // per source host index; nil until computed

	filters    []filterEntry
	nextFilter FilterID

	nextID uint64
	free   *flight
	conns  map[connKey]*conn

	arriveFn  func(any)
	rtoFn     func(any)
	synFn     func(any)
	crashFn   func(any)
	recoverFn func(any)
}

// NewNetwork returns an empty network driven by s, or an error if opts is
// invalid.
func NewNetwork(s *Simulator, opts Options) (*Network, error) {
	if s == nil {
		return nil, fmt.Errorf("sim: NewNetwork needs a simulator")
	}
	tcp, err := opts.TCP.withDefaults()
	if err != nil {
		return nil, err
	}
	n := &Network{
		sim:    s,
		sink:   opts.Sink,
		tcp:    tcp,
		byName: make(map[string]*Host),
		byAddr: make(map[netip.Addr]*Host),
		links:  make(map[[2]int]*direction),
		conns:  make(map[connKey]*conn),
	}
	n.arriveFn = n.arrive
	n.rtoFn = n.onRTO
	n.synFn = n.onSYNTimer
	n.crashFn = func(a any) { a.(*Host).Crash() }
	n.recoverFn = func(a any) { a.(*Host).Recover() }
	return n, nil
}

// Sim returns the simulator that drives the network.
func (n *Network) Sim() *Simulator { return n.sim }

// SetSink replaces the trace sink (nil for none).
func (n *Network) SetSink(s Sink) { n.sink = s }

// AddHost adds a host with a unique non-empty name and a unique IPv4
// address. It invalidates the route cache.
func (n *Network) AddHost(name string, addr netip.Addr) (*Host, error) {
	switch {
	case name == "":
		return nil, fmt.Errorf("sim: host name is empty")
	case !addr.Is4():
		return nil, fmt.Errorf("sim: host %q address %v is not an IPv4 address", name, addr)
	case n.byName[name] != nil:
		return nil, fmt.Errorf("sim: host %q already exists", name)
	case n.byAddr[addr] != nil:
		return nil, fmt.Errorf("sim: host %q address %v is already used by host %q", name, addr, n.byAddr[addr].name)
	}
	h := &Host{net: n, name: name, addr: addr, index: len(n.hosts), up: true}
	n.hosts = append(n.hosts, h)
	n.byName[name] = h
	n.byAddr[addr] = h
	n.routes = nil
	return h, nil
}

// Host returns the host named name, or nil.
func (n *Network) Host(name string) *Host { return n.byName[name] }

// HostByAddr returns the host with address a, or nil.
func (n *Network) HostByAddr(a netip.Addr) *Host { return n.byAddr[a] }

// Hosts returns the hosts sorted by name.
func (n *Network) Hosts() []*Host {
	hs := slices.Clone(n.hosts)
	slices.SortFunc(hs, func(a, b *Host) int { return strings.Compare(a.name, b.name) })
	return hs
}

// AddLink joins hosts a and b with a link whose direction a->b follows ab
// and direction b->a follows ba. Each direction draws loss and jitter from
// its own streams, named "link:a->b/loss" and "link:a->b/jitter". It
// returns an error if a host is unknown, a == b, the hosts are already
// linked, or a configuration is invalid. It invalidates the route cache.
func (n *Network) AddLink(a, b string, ab, ba LinkConfig) error {
	ha, hb := n.byName[a], n.byName[b]
	switch {
	case ha == nil:
		return fmt.Errorf("sim: link %s-%s: unknown host %q", a, b, a)
	case hb == nil:
		return fmt.Errorf("sim: link %s-%s: unknown host %q", a, b, b)
	case ha == hb:
		return errSameHost
	case n.links[[2]int{ha.index, hb.index}] != nil:
		return fmt.Errorf("sim: hosts %q and %q are already linked", a, b)
	}
	if err := ab.Validate(); err != nil {
		return fmt.Errorf("sim: link %s->%s: %w", a, b, err)
	}
	if err := ba.Validate(); err != nil {
		return fmt.Errorf("sim: link %s->%s: %w", b, a, err)
	}
	n.addDirection(ha, hb, ab)
	n.addDirection(hb, ha, ba)
	n.routes = nil
	return nil
}

// AddSymmetricLink is AddLink with the same configuration both ways. The
// two directions still have separate loss processes, queues and streams.
func (n *Network) AddSymmetricLink(a, b string, c LinkConfig) error {
	return n.AddLink(a, b, c, c)
}

func (n *Network) addDirection(from, to *Host, c LinkConfig) {
	d := newDirection(n.sim, from, to, c)
	n.links[[2]int{from.index, to.index}] = d
	i, _ := slices.BinarySearchFunc(from.links, to.name, func(x *direction, name string) int {
		return strings.Compare(x.to.name, name)
	})
	from.links = slices.Insert(from.links, i, d)
}

// RemoveLink removes the link between a and b (both directions). Datagrams
// already on it complete their hop; datagrams whose cached path used it are
// dropped with ReasonNoRoute when they reach it. It invalidates the route
// cache.
func (n *Network) RemoveLink(a, b string) error {
	ha, hb := n.byName[a], n.byName[b]
	if ha == nil || hb == nil || n.links[[2]int{ha.index, hb.index}] == nil {
		return fmt.Errorf("sim: no link between %q and %q", a, b)
	}
	for _, p := range [][2]*Host{{ha, hb}, {hb, ha}} {
		k := [2]int{p[0].index, p[1].index}
		d := n.links[k]
		d.removed = true
		delete(n.links, k)
		p[0].links = slices.DeleteFunc(p[0].links, func(x *direction) bool { return x == d })
	}
	n.routes = nil
	return nil
}

// SetLinkDown adds a down window [from, to) to the direction src->dst (see
// LinkConfig.Down). It returns an error if there is no such link or the
// window is empty or negative.
func (n *Network) SetLinkDown(src, dst string, from, to Time) error {
	d := n.direction(src, dst)
	if d == nil {
		return fmt.Errorf("sim: no link direction %s->%s", src, dst)
	}
	if from < 0 || to <= from {
		return fmt.Errorf("sim: link down window [%v, %v) is empty or negative", from, to)
	}
	d.addDown(Window{From: from, To: to})
	return nil
}

func (n *Network) direction(src, dst string) *direction {
	a, b := n.byName[src], n.byName[dst]
	if a == nil || b == nil {
		return nil
	}
	return n.links[[2]int{a.index, b.index}]
}

// route is the cached path from one source to one destination.
type route struct {
	path []*direction
	ok   bool
}

// Route returns the hops of the path a datagram from host src to host dst
// follows, and false when there is none (or a host is unknown). A host's
// route to itself is empty and ok. Cost: O(V²·L) for the first query from
// src after a topology change (Dijkstra over V hosts, paths of L hops
// compared by name), then O(hops).
func (n *Network) Route(src, dst string) ([]Hop, bool) {
	a, b := n.byName[src], n.byName[dst]
	if a == nil || b == nil {
		return nil, false
	}
	path, ok := n.route(a, b)
	if !ok {
		return nil, false
	}
	hops := make([]Hop, len(path))
	for i, d := range path {
		hops[i] = d.hop
	}
	return hops, true
}

func (n *Network) route(src, dst *Host) ([]*direction, bool) {
	if src == dst {
		return nil, true
	}
	if n.routes == nil {
		n.routes = make([][]route, len(n.hosts))
	}
	r := n.routes[src.index]
	if r == nil {
		r = n.shortestPaths(src)
		n.routes[src.index] = r
	}
	e := r[dst.index]
	return e.path, e.ok
}

// label is a Dijkstra label: total delay, hop count, and the path's host
// indices (source first).
type label struct {
	delay   time.Duration
	path    []int
	reached bool
	done    bool
}

// less orders labels by delay, then hop count, then the host names along
// the path. The order is preserved by extending two paths with the same
// link, so Dijkstra's algorithm finds the least path under it.
func (n *Network) less(a, b *label) bool {
	if a.delay != b.delay {
		return a.delay < b.delay
	}
	if len(a.path) != len(b.path) {
		return len(a.path) < len(b.path)
	}
	for i := range a.path {
		if c := strings.Compare(n.hosts[a.path[i]].name, n.hosts[b.path[i]].name); c != 0 {
			return c < 0
		}
	}
	return false
}

// shortestPaths runs Dijkstra's algorithm from src with an O(V) scan for the
// next host (topologies are small) and returns a route to every host.
func (n *Network) shortestPaths(src *Host) []route {
	labels := make([]label, len(n.hosts))
	labels[src.index] = label{path: []int{src.index}, reached: true}
	for {
		u := -1
		for i := range labels {
			if labels[i].reached && !labels[i].done && (u < 0 || n.less(&labels[i], &labels[u])) {
				u = i
			}
		}
		if u < 0 {
			break
		}
		labels[u].done = true
		for _, d := range n.hosts[u].links {
			v := d.to.index
			if labels[v].done {
				continue
			}
			delay := labels[u].delay + d.cfg.Delay
			if delay < labels[u].delay { // saturate instead of wrapping
				delay = time.Duration(MaxTime)
			}
			cand := label{delay: delay, path: append(slices.Clip(labels[u].path), v), reached: true}
			if !labels[v].reached || n.less(&cand, &labels[v]) {
				labels[v] = cand
			}
		}
	}
	routes := make([]route, len(n.hosts))
	for i := range labels {
		if !labels[i].reached {
			continue
		}
		p := labels[i].path
		path := make([]*direction, len(p)-1)
		for j := 1; j < len(p); j++ {
			path[j-1] = n.links[[2]int{p[j-1], p[j]}]
		}
		routes[i] = route{path: path, ok: true}
	}
	return routes
}

// flight is a datagram or segment in transit, recycled through a free list
// so that the per-datagram path does not allocate.
type flight struct {
	Packet
	src, dst *Host
	route    []*direction
	hop      int // index in route of the hop being crossed
	tr       transit
	conn     *conn    // TCP only
	seg      *segment // TCP data segments only
	end      int      // TCP: index of the receiving endpoint in conn
	next     *flight
}

func (n *Network) newFlight() *flight {
	fl := n.free
	if fl == nil {
		return new(flight)
	}
	n.free = fl.next
	fl.next = nil
	return fl
}

func (n *Network) release(fl *flight) {
	*fl = flight{next: n.free}
	n.free = fl
}

// wire returns the IPv4 total length of the flight's datagram or segment.
func (fl *flight) wire() int {
	if fl.Transport == TCP {
		return tcpWire(fl.Seg.Len)
	}
	return udpWire(fl.Size)
}

// Send hands d to the network at the current virtual time. With Transport
// UDP it is carried as one datagram; with TCP as one message of the stream
// connection between d.Src and d.Dst, created on first use (see
// reliable.go). Send assigns the datagram the next id (1, 2, ...), visible
// in trace events.
//
// Send returns an error, and sends nothing, only when d itself is malformed:
// addresses that are not valid IPv4 socket addresses (ErrBadAddress), a
// source address of no host (ErrUnknownSource), a bad size (ErrBadSize:
// negative, below len(Payload), a UDP payload over MaxUDPPayload, or a TCP
// message that is empty or over MaxStreamMessage), or an unknown transport.
// Everything the network does to a well-formed datagram — including no
// route and a crashed sender — is reported to the trace sink.
//
// The payload is sent by reference: the sender must not modify it after
// Send. Cost: O(hops) events, no allocation for UDP in steady state.
func (n *Network) Send(d Datagram) error {
	_, err := n.SendID(d)
	return err
}

// SendID is [Network.Send] that also returns the id given to d (0 with an
// error): the id of trace events about d, and the one a host's loss
// handler receives if d, sent with Transport TCP, is lost for good (see
// [Host.SetLossHandler]). A loss is never reported before SendID returns.
func (n *Network) SendID(d Datagram) (uint64, error) {
	if !d.Src.IsValid() || !d.Dst.IsValid() || !d.Src.Addr().Is4() || !d.Dst.Addr().Is4() {
		return 0, ErrBadAddress
	}
	if d.Size < 0 || (d.Size != 0 && d.Size < len(d.Payload)) {
		return 0, ErrBadSize
	}
	if d.Size == 0 {
		d.Size = len(d.Payload)
	}
	switch d.Transport {
	case UDP:
		if d.Size > MaxUDPPayload {
			return 0, ErrBadSize
		}
	case TCP:
		if d.Size == 0 || d.Size > MaxStreamMessage {
			return 0, ErrBadSize
		}
	default:
		return 0, ErrBadTransport
	}
	src := n.byAddr[d.Src.Addr()]
	if src == nil {
		return 0, ErrUnknownSource
	}
	n.nextID++
	id := n.nextID
	if d.Transport == TCP {
		n.write(src, d, id)
		return id, nil
	}
	fl := n.newFlight()
	fl.Datagram = d
	fl.ID = id
	n.launch(fl, src)
	return id, nil
}

// launch puts a flight on its way from src: route, first hop, send event.
func (n *Network) launch(fl *flight, src *Host) {
	fl.src = src
	if !src.up {
		n.drop(fl, ReasonHostDown)
		return
	}
	dst := n.byAddr[fl.Dst.Addr()]
	if dst == nil {
		n.drop(fl, ReasonNoRoute)
		return
	}
	path, ok := n.route(src, dst)
	if !ok {
		n.drop(fl, ReasonNoRoute)
		return
	}
	fl.dst, fl.route, fl.hop = dst, path, 0
	if len(path) == 0 {
		n.emitFlight(KindSend, ReasonNone, fl)
		n.sim.AtArg(n.sim.now, n.arriveFn, fl)
		return
	}
	n.forward(fl, true)
}

// forward makes the flight enter the direction route[hop] now.
func (n *Network) forward(fl *flight, first bool) {
	d := fl.route[fl.hop]
	fl.Hop = d.hop
	fl.tr = transit{}
	now := n.sim.now
	reason := ReasonNone
	switch {
	case d.removed:
		reason = ReasonNoRoute
	case d.isDown(now):
		reason = ReasonLinkDown
	case n.filtered(&fl.Packet):
		reason = ReasonFilter
	default:
		fl.tr = d.send(now, fl.wire())
		reason = fl.tr.reason
	}
	if first {
		n.emitFlight(KindSend, ReasonNone, fl)
	}
	if reason != ReasonNone {
		n.drop(fl, reason)
		return
	}
	n.sim.AtArg(fl.tr.arrival, n.arriveFn, fl)
}

// arrive runs when a flight reaches the end of its current hop (or, for a
// datagram to its own host, at once).
func (n *Network) arrive(a any) {
	fl := a.(*flight)
	if fl.hop < len(fl.route) {
		if !fl.route[fl.hop].to.up {
			n.drop(fl, ReasonHostDown)
			return
		}
		fl.hop++
		if fl.hop < len(fl.route) {
			n.forward(fl, false)
			return
		}
	} else if !fl.dst.up {
		n.drop(fl, ReasonHostDown)
		return
	}
	if fl.Transport == TCP {
		n.segmentArrived(fl)
		return
	}
	n.emitFlight(KindDeliver, ReasonNone, fl)
	d, h := fl.Datagram, fl.dst
	n.release(fl)
	if h.recv != nil {
		h.recv.Receive(d)
	}
}

// drop reports and recycles a flight.
func (n *Network) drop(fl *flight, r Reason) {
	n.emitFlight(KindDrop, r, fl)
	n.release(fl)
}

// event resets the network's reusable event to kind at Now.
func (n *Network) event(k Kind) *Event {
	n.ev = Event{Time: n.sim.now, Kind: k}
	return &n.ev
}

func (n *Network) emitFlight(k Kind, r Reason, fl *flight) {
	if n.sink == nil {
		return
	}
	e := n.event(k)
	e.Reason = r
	e.ID = fl.ID
	e.Src, e.Dst = fl.Src, fl.Dst
	e.Hop = fl.Hop
	e.Size = fl.Size
	e.Wire, e.Frags = fl.tr.wire, fl.tr.frags
	e.Label = fl.Label
	e.Transport = fl.Transport
	e.Payload = fl.Payload
	e.Seg = fl.Seg
	n.sink.Event(e)
}

// Annotate reports an upper layer's own event (a timer, a state change, a
// SIP message) into the trace at the current virtual time, as KindAnnotation
// with the given host name, label and detail. It does nothing without a
// sink. Cost: one sink call.
func (n *Network) Annotate(host, label, detail string) {
	if n.sink == nil {
		return
	}
	e := n.event(KindAnnotation)
	e.Host, e.Label, e.Detail = host, label, detail
	n.sink.Event(e)
}

// AnnotateSubject is Annotate for an event about one subject the upper
// layer names (a SIP call's Call-ID, say): the trace carries the subject
// in Event.Subject, so that a reader can group events by it without
// parsing the detail.
func (n *Network) AnnotateSubject(host, label, subject, detail string) {
	if n.sink == nil {
		return
	}
	e := n.event(KindAnnotation)
	e.Host, e.Label, e.Subject, e.Detail = host, label, subject, detail
	n.sink.Event(e)
}
