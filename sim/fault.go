package sim

import "fmt"

// DropFilter is a hook for targeted loss. The network calls it for every
// datagram or TCP segment about to enter a link direction (after the
// down-window check, before fragmentation, queueing and loss), with the
// packet and its hop; returning true drops it with ReasonFilter. A filter
// must not retain or modify p and must not call back into the network. It
// may keep its own state (see DropFirst).
type DropFilter func(p *Packet) bool

// FilterID names a filter added with AddDropFilter.
type FilterID uint64

type filterEntry struct {
	id FilterID
	f  DropFilter
}

// AddDropFilter installs f after the filters already installed and returns
// its id. Filters run in installation order; the first that returns true
// drops the packet and the later ones are not called. A nil f is ignored
// (the id returned names nothing).
func (n *Network) AddDropFilter(f DropFilter) FilterID {
	n.nextFilter++
	if f != nil {
		n.filters = append(n.filters, filterEntry{id: n.nextFilter, f: f})
	}
	return n.nextFilter
}

// RemoveDropFilter uninstalls the filter id and reports whether it was
// installed.
func (n *Network) RemoveDropFilter(id FilterID) bool {
	for i, e := range n.filters {
		if e.id == id {
			n.filters = append(n.filters[:i:i], n.filters[i+1:]...)
			return true
		}
	}
	return false
}

func (n *Network) filtered(p *Packet) bool {
	for _, e := range n.filters {
		if e.f(p) {
			return true
		}
	}
	return false
}

// DropFirst returns a filter that drops the first count packets for which
// match returns true, and lets every other packet pass. For example, to
// drop the first datagram labelled "ACK" on the direction p1->p2:
//
//	n.AddDropFilter(sim.DropFirst(1, func(p *sim.Packet) bool {
//		return p.Label == "ACK" && p.Hop == sim.Hop{From: "p1", To: "p2"}
//	}))
func DropFirst(count int, match func(p *Packet) bool) DropFilter {
	left := count
	return func(p *Packet) bool {
		if left <= 0 || !match(p) {
			return false
		}
		left--
		return true
	}
}

// OnHop returns a match function for DropFirst that accepts data packets
// (UDP datagrams and TCP segments carrying data) with the given label on
// the direction from->to; an empty label matches any.
func OnHop(from, to, label string) func(p *Packet) bool {
	h := Hop{From: from, To: to}
	return func(p *Packet) bool {
		return p.Hop == h && p.IsData() && (label == "" || p.Label == label)
	}
}

// CrashHostAt schedules the crash of the named host at virtual time at (see
// Host.Crash). It returns an error for an unknown host or a time before Now.
func (n *Network) CrashHostAt(name string, at Time) error {
	h, err := n.faultHost(name, at)
	if err != nil {
		return err
	}
	n.sim.AtArg(at, n.crashFn, h)
	return nil
}

// RecoverHostAt schedules the recovery of the named host at virtual time at
// (see Host.Recover). It returns an error for an unknown host or a time
// before Now.
func (n *Network) RecoverHostAt(name string, at Time) error {
	h, err := n.faultHost(name, at)
	if err != nil {
		return err
	}
	n.sim.AtArg(at, n.recoverFn, h)
	return nil
}

// HostDown schedules a crash of the named host at from and its recovery at
// to. It returns an error for an unknown host, from before Now or to not
// after from.
func (n *Network) HostDown(name string, from, to Time) error {
	if to <= from {
		return fmt.Errorf("sim: host %q down window [%v, %v) is empty", name, from, to)
	}
	if err := n.CrashHostAt(name, from); err != nil {
		return err
	}
	return n.RecoverHostAt(name, to)
}

func (n *Network) faultHost(name string, at Time) (*Host, error) {
	h := n.byName[name]
	if h == nil {
		return nil, fmt.Errorf("sim: unknown host %q", name)
	}
	if at < n.sim.now {
		return nil, fmt.Errorf("sim: fault time %v for host %q is before now (%v)", at, name, n.sim.now)
	}
	return h, nil
}
