package topologies

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// linkKeys are the fields of a link direction.
var linkKeys = []string{"delay", "jitter", "fifo", "loss", "bandwidth", "queue", "mtu", "down"}

// linkList decodes the links section.
func (d *decoder) linkList(n *yaml.Node) {
	items, ok := d.list(n, "links")
	if !ok {
		return
	}
	for i, it := range items {
		d.link(it, idx("links", i))
	}
}

// endpoints decodes a pair of node names [a, b].
func (d *decoder) endpoints(n *yaml.Node, field string) (a, b string, ok bool) {
	names, ok := d.strList(n, field)
	if !ok {
		return "", "", false
	}
	if len(names) != 2 {
		d.add(n, field, "want two node names [a, b], not %d", len(names))
		return "", "", false
	}
	good := true
	for _, s := range names {
		if _, known := d.nodeIdx[s]; !known {
			d.add(n, field, "undefined node %q", s)
			good = false
		}
	}
	if good && names[0] == names[1] {
		d.add(n, field, "a link joins two different nodes, not %s to itself", names[0])
		good = false
	}
	return names[0], names[1], good
}

// link decodes one link.
func (d *decoder) link(n *yaml.Node, field string) {
	allowed := append([]string{"between", "forward", "reverse"}, linkKeys...)
	f, ok := d.fields(n, field, allowed, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	l := Link{Line: r.Line}
	good := true
	if v, ok := f["between"]; ok {
		l.A, l.B, good = d.endpoints(v, sub(field, "between"))
		if good && d.links[[2]string{l.A, l.B}] {
			d.add(v, sub(field, "between"), "duplicate link between %s and %s", l.A, l.B)
			good = false
		}
	} else {
		d.add(r, sub(field, "between"), "is missing (want [node, node])")
		good = false
	}
	shared := map[string]*yaml.Node{}
	for _, k := range linkKeys {
		if v, ok := f[k]; ok {
			shared[k] = v
		}
	}
	both := d.linkFields(shared, field, d.defaultLink)
	l.AB, l.BA = both, both
	if v, ok := f["forward"]; ok {
		l.AB, _ = d.linkConfig(v, sub(field, "forward"), both)
	}
	if v, ok := f["reverse"]; ok {
		l.BA, _ = d.linkConfig(v, sub(field, "reverse"), both)
	}
	if !good {
		return
	}
	d.links[[2]string{l.A, l.B}] = true
	d.links[[2]string{l.B, l.A}] = true
	d.t.Links = append(d.t.Links, l)
}

// linkConfig decodes a mapping of link direction fields over base.
func (d *decoder) linkConfig(n *yaml.Node, field string, base sim.LinkConfig) (sim.LinkConfig, bool) {
	f, ok := d.fields(n, field, linkKeys, nil)
	if !ok {
		return base, false
	}
	return d.linkFields(f, field, base), true
}

// linkFields decodes link direction fields over base.
func (d *decoder) linkFields(f map[string]*yaml.Node, field string, base sim.LinkConfig) sim.LinkConfig {
	c := base
	c.Down = slices.Clone(base.Down)
	if v, ok := f["delay"]; ok {
		c.Delay, _ = d.duration(v, sub(field, "delay"))
	}
	if v, ok := f["jitter"]; ok {
		c.Jitter, _ = d.dist(v, sub(field, "jitter"))
	}
	if v, ok := f["fifo"]; ok {
		c.FIFO, _ = d.boolean(v, sub(field, "fifo"))
	}
	if v, ok := f["loss"]; ok {
		c.Loss = d.loss(v, sub(field, "loss"))
	}
	if v, ok := f["bandwidth"]; ok {
		c.Bandwidth, _ = unit(d, v, sub(field, "bandwidth"), ParseBandwidth)
	}
	if v, ok := f["queue"]; ok {
		qf, ok := d.fields(v, sub(field, "queue"), []string{"packets", "bytes"}, nil)
		if ok {
			if pv, ok := qf["packets"]; ok {
				c.QueuePackets, _ = d.integer(pv, sub(field, "queue.packets"), 0, 1<<20)
			}
			if bv, ok := qf["bytes"]; ok {
				c.QueueBytes, _ = unit(d, bv, sub(field, "queue.bytes"), ParseSize)
			}
		}
	}
	if v, ok := f["mtu"]; ok {
		if m, ok := unit(d, v, sub(field, "mtu"), ParseSize); ok {
			if m < sim.MinMTU || m > sim.MaxMTU {
				d.add(v, sub(field, "mtu"), "%dB is not in [%dB, %dB]", m, sim.MinMTU, sim.MaxMTU)
			} else {
				c.MTU = m
			}
		}
	}
	if v, ok := f["down"]; ok {
		if items, ok := d.list(v, sub(field, "down")); ok {
			for i, it := range items {
				if w, ok := d.window(it, idx(sub(field, "down"), i)); ok {
					c.Down = append(c.Down, w)
				}
			}
		}
	}
	return c
}

// window decodes {from, to} into a window of virtual time.
func (d *decoder) window(n *yaml.Node, field string) (sim.Window, bool) {
	f, ok := d.fields(n, field, []string{"from", "to"}, nil)
	if !ok {
		return sim.Window{}, false
	}
	from, to, ok := d.span(n, f, field, "from", "to", true)
	return sim.Window{From: sim.Time(from), To: sim.Time(to)}, ok
}

// span decodes two times fromKey and toKey with from < to; to may be
// optional.
func (d *decoder) span(n *yaml.Node, f map[string]*yaml.Node, field, fromKey, toKey string, needTo bool) (from, to time.Duration, ok bool) {
	ok = true
	if v, has := f[fromKey]; has {
		from, ok = d.duration(v, sub(field, fromKey))
	} else {
		d.add(n, sub(field, fromKey), "is missing")
		ok = false
	}
	v, has := f[toKey]
	switch {
	case has:
		var tok bool
		if to, tok = d.duration(v, sub(field, toKey)); tok && ok && to <= from {
			d.add(v, sub(field, toKey), "%v is not after %s %v", to, fromKey, from)
			tok = false
		}
		ok = ok && tok
	case needTo:
		d.add(n, sub(field, toKey), "is missing")
		ok = false
	}
	return from, to, ok
}

// loss decodes a loss model: a probability (Bernoulli), or a burst model
// {rate, mean-burst} (Gilbert).
func (d *decoder) loss(n *yaml.Node, field string) sim.LossModel {
	r := d.resolve(n, field)
	if r == nil {
		return nil
	}
	if r.Kind != yaml.MappingNode {
		p, ok := d.probability(r, field)
		if !ok || p == 0 {
			return nil
		}
		return sim.Bernoulli{P: p}
	}
	f, ok := d.fields(r, field, []string{"rate", "mean-burst"}, nil)
	if !ok {
		return nil
	}
	rate, rok := 0.0, false
	if v, ok := f["rate"]; ok {
		rate, rok = d.probability(v, sub(field, "rate"))
	} else {
		d.add(r, sub(field, "rate"), "is missing")
	}
	burst, bok := 0.0, false
	if v, ok := f["mean-burst"]; ok {
		if s, ok := d.scalar(v, sub(field, "mean-burst")); ok {
			if x, _, ok := splitNumber(s); ok && x >= 1 && x <= 1e6 && strings.TrimSpace(s) != "" {
				if _, u, _ := splitNumber(s); u == "" || u == "packets" {
					burst, bok = x, true
				}
			}
			if !bok {
				d.add(v, sub(field, "mean-burst"), "%q is not a mean burst length (want a number of packets >= 1, such as 3)", s)
			}
		}
	} else {
		d.add(r, sub(field, "mean-burst"), "is missing")
	}
	if !rok || !bok {
		return nil
	}
	g, err := sim.NewGilbertElliottFromRate(rate, burst)
	if err != nil {
		d.add(r, field, "%s", strings.TrimPrefix(err.Error(), "sim: "))
		return nil
	}
	return g
}

// zone decodes the dns section.
func (d *decoder) zone(n *yaml.Node) {
	f, ok := d.fields(n, "dns", []string{"ttl", "lookup-delay", "domains"}, nil)
	if !ok {
		return
	}
	if v, ok := f["ttl"]; ok {
		d.t.DNS.TTL, _ = d.positive(v, "dns.ttl")
	}
	if v, ok := f["lookup-delay"]; ok {
		d.t.DNS.LookupDelay, _ = d.duration(v, "dns.lookup-delay")
	}
	v, ok := f["domains"]
	if !ok {
		return
	}
	ps, ok := d.mapping(v, "dns.domains")
	if !ok {
		return
	}
	for _, p := range ps {
		fd := "dns.domains." + p.key
		dom := DNSDomain{Domain: strings.ToLower(p.key)}
		if _, dup := d.nodeIdx[p.key]; dup {
			d.add(p.k, fd, "%q is a node name, not a domain", p.key)
		}
		items, ok := d.list(p.v, fd)
		if !ok {
			continue
		}
		if len(items) == 0 {
			d.add(p.v, fd, "has no server")
		}
		for i, it := range items {
			if s, ok := d.server(it, idx(fd, i)); ok {
				dom.Servers = append(dom.Servers, s)
			}
		}
		d.dns[dom.Domain] = true
		d.t.DNS.Domains = append(d.t.DNS.Domains, dom)
	}
	slices.SortStableFunc(d.t.DNS.Domains, func(a, b DNSDomain) int { return cmp.Compare(a.Domain, b.Domain) })
}

// server decodes one SIP server of a domain.
func (d *decoder) server(n *yaml.Node, field string) (nodes.Server, bool) {
	var s nodes.Server
	f, ok := d.fields(n, field, []string{"node", "port", "transport", "priority", "weight"}, nil)
	if !ok {
		return s, false
	}
	good := true
	if v, ok := f["node"]; ok {
		if name, ok := d.str(v, sub(field, "node")); ok {
			s.Host = name
			d.refs = append(d.refs, nodeRef{line: v.Line, field: sub(field, "node"), name: name})
		} else {
			good = false
		}
	} else {
		d.add(n, sub(field, "node"), "is missing")
		good = false
	}
	if v, ok := f["port"]; ok {
		p, _ := d.integer(v, sub(field, "port"), 1, 65535)
		s.Port = uint16(p)
	}
	if v, ok := f["transport"]; ok {
		s.Transport, _ = d.transport(v, sub(field, "transport"))
	}
	if v, ok := f["priority"]; ok {
		p, _ := d.integer(v, sub(field, "priority"), 0, 65535)
		s.Priority = uint16(p)
	}
	if v, ok := f["weight"]; ok {
		w, _ := d.integer(v, sub(field, "weight"), 0, 65535)
		s.Weight = uint16(w)
	}
	return s, good
}

// locations decodes the locations section: a list of {aor, bindings}.
func (d *decoder) locations(n *yaml.Node) {
	items, ok := d.list(n, "locations")
	if !ok {
		return
	}
	seen := map[string]int{} // AOR key -> line
	for i, it := range items {
		field := idx("locations", i)
		f, ok := d.fields(it, field, []string{"aor", "bindings"}, nil)
		if !ok {
			continue
		}
		var loc Location
		if v, ok := f["aor"]; ok {
			loc.AOR, ok = d.sipURI(v, sub(field, "aor"))
			if !ok {
				continue
			}
			if line, dup := seen[loc.AOR.AOR()]; dup {
				d.add(v, sub(field, "aor"), "duplicate address of record %s (first at line %d)", loc.AOR, line)
				continue
			}
			seen[loc.AOR.AOR()] = v.Line
		} else {
			d.add(it, sub(field, "aor"), "is missing")
			continue
		}
		v, ok := f["bindings"]
		if !ok {
			d.add(it, sub(field, "bindings"), "is missing")
			continue
		}
		bs, ok := d.list(v, sub(field, "bindings"))
		if !ok {
			continue
		}
		for j, b := range bs {
			if bd, ok := d.binding(b, idx(sub(field, "bindings"), j)); ok {
				loc.Bindings = append(loc.Bindings, bd)
			}
		}
		d.t.Locations = append(d.t.Locations, loc)
	}
}

// binding decodes one binding: a contact URI, or {contact, q, expires}
// where expires is a duration from the start or "never" (the default).
func (d *decoder) binding(n *yaml.Node, field string) (nodes.Binding, bool) {
	b := nodes.Binding{Q: 1000, Expires: sim.MaxTime}
	r := d.resolve(n, field)
	if r == nil {
		return b, false
	}
	if r.Kind == yaml.ScalarNode {
		u, ok := d.sipURI(r, field)
		b.Contact = u
		if ok {
			d.hops = append(d.hops, hopRef{line: r.Line, field: field, u: u})
		}
		return b, ok
	}
	f, ok := d.fields(r, field, []string{"contact", "q", "expires"}, nil)
	if !ok {
		return b, false
	}
	v, ok := f["contact"]
	if !ok {
		d.add(r, sub(field, "contact"), "is missing")
		return b, false
	}
	if b.Contact, ok = d.sipURI(v, sub(field, "contact")); !ok {
		return b, false
	}
	d.hops = append(d.hops, hopRef{line: v.Line, field: sub(field, "contact"), u: b.Contact})
	if v, ok := f["q"]; ok {
		b.Q, _ = d.q(v, sub(field, "q"))
	}
	if v, ok := f["expires"]; ok {
		if s, ok := d.scalar(v, sub(field, "expires")); ok && s != "never" {
			if e, ok := d.positive(v, sub(field, "expires")); ok {
				b.Expires = sim.Time(e)
			}
		}
	}
	return b, true
}

// workload decodes the workload section.
func (d *decoder) workload(n *yaml.Node) {
	f, ok := d.fields(n, "workload", []string{"calls", "generated", "pings"}, nil)
	if !ok {
		return
	}
	if v, ok := f["calls"]; ok {
		if items, ok := d.list(v, "workload.calls"); ok {
			for i, it := range items {
				d.call(it, idx("workload.calls", i))
			}
		}
	}
	if v, ok := f["generated"]; ok {
		d.generated(v, "workload.generated")
	}
	if v, ok := f["pings"]; ok {
		if items, ok := d.list(v, "workload.pings"); ok {
			for i, it := range items {
				d.ping(it, idx("workload.pings", i))
			}
		}
	}
}

// ping decodes one periodic OPTIONS ping.
func (d *decoder) ping(n *yaml.Node, field string) {
	f, ok := d.fields(n, field, []string{"from", "to", "every", "start", "count"}, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	p := PingSpec{Line: r.Line}
	var good bool
	p.From, p.To, good = d.uaTarget(f, r, field, "from")
	if v, ok := f["every"]; ok {
		p.Every, ok = d.positive(v, sub(field, "every"))
		good = good && ok
	} else {
		d.add(r, sub(field, "every"), "is missing (want such as 10s)")
		good = false
	}
	if v, ok := f["start"]; ok {
		p.Start, _ = d.duration(v, sub(field, "start"))
	}
	if v, ok := f["count"]; ok {
		p.Count, ok = d.integer(v, sub(field, "count"), 1, 100_000_000)
		good = good && ok
	}
	if good {
		d.t.Workload.Pings = append(d.t.Workload.Pings, p)
	}
}

// uaTarget decodes what a call and a ping share: the user agent that
// sends (under key uaKey, a node that must be a ua) and the SIP URI it
// sends to (under "to", which must be reachable from it). It reports
// whether both are good.
func (d *decoder) uaTarget(f map[string]*yaml.Node, r *yaml.Node, field, uaKey string) (ua string, to uri.URI, good bool) {
	good = true
	if v, ok := f[uaKey]; ok {
		if ua, ok = d.str(v, sub(field, uaKey)); ok {
			d.refs = append(d.refs, nodeRef{line: v.Line, field: sub(field, uaKey), name: ua, kind: KindUA})
		}
		good = ok
	} else {
		d.add(r, sub(field, uaKey), "is missing")
		good = false
	}
	if v, ok := f["to"]; ok {
		to, ok = d.sipURI(v, sub(field, "to"))
		good = good && ok
		if good {
			d.direct = append(d.direct, hopRef{line: v.Line, field: sub(field, "to"), from: ua, u: to})
		}
	} else {
		d.add(r, sub(field, "to"), "is missing")
		good = false
	}
	return ua, to, good
}

// call decodes one explicit call.
func (d *decoder) call(n *yaml.Node, field string) {
	allowed := append([]string{"caller", "to", "at"}, callKeys...)
	f, ok := d.fields(n, field, allowed, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	c := CallSpec{Line: r.Line}
	var good bool
	c.Caller, c.To, good = d.uaTarget(f, r, field, "caller")
	if v, ok := f["at"]; ok {
		c.At, _ = d.duration(v, sub(field, "at"))
	}
	c.Options = d.callOptions(r, field, f)
	if good {
		d.t.Workload.Calls = append(d.t.Workload.Calls, c)
	}
}

// generated decodes the generated workload.
func (d *decoder) generated(n *yaml.Node, field string) {
	f, ok := d.fields(n, field, []string{"rate", "count", "duration", "start", "callers", "callees", "hold-time"}, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	g := &Generated{Line: r.Line}
	if v, ok := f["rate"]; ok {
		g.Rate, _ = unit(d, v, sub(field, "rate"), ParseRate)
	} else {
		d.add(r, sub(field, "rate"), "is missing (want such as 2/s)")
	}
	if v, ok := f["count"]; ok {
		g.Count, _ = d.integer(v, sub(field, "count"), 1, 100_000_000)
	}
	if v, ok := f["duration"]; ok {
		g.Duration, _ = d.positive(v, sub(field, "duration"))
	}
	_, hasCount := f["count"]
	_, hasDur := f["duration"]
	if !hasCount && !hasDur {
		d.add(r, field, "needs a count or a duration, or it never ends")
	}
	if v, ok := f["start"]; ok {
		g.Start, _ = d.duration(v, sub(field, "start"))
	}
	if v, ok := f["callers"]; ok {
		names, _ := d.strList(v, sub(field, "callers"))
		for i, s := range names {
			if s != "" {
				g.Callers = append(g.Callers, s)
				d.refs = append(d.refs, nodeRef{line: v.Line, field: idx(sub(field, "callers"), i), name: s, kind: KindUA})
			}
		}
	} else {
		d.add(r, sub(field, "callers"), "is missing")
	}
	if v, ok := f["callees"]; ok {
		if items, ok := d.list(v, sub(field, "callees")); ok {
			if len(items) == 0 {
				d.add(v, sub(field, "callees"), "is empty")
			}
			for i, it := range items {
				if u, ok := d.sipURI(it, idx(sub(field, "callees"), i)); ok {
					g.Callees = append(g.Callees, u)
				}
			}
		}
	} else {
		d.add(r, sub(field, "callees"), "is missing")
	}
	if v, ok := f["hold-time"]; ok {
		g.HoldTime, _ = d.dist(v, sub(field, "hold-time"))
	}
	d.t.Workload.Generated = g
}

// faults decodes the faults section: a list of single-key mappings, drop,
// crash or link-down.
func (d *decoder) faults(n *yaml.Node) {
	items, ok := d.list(n, "faults")
	if !ok {
		return
	}
	for i, it := range items {
		field := idx("faults", i)
		ps, ok := d.mapping(it, field)
		if !ok {
			continue
		}
		if len(ps) != 1 {
			d.add(d.resolve(it, field), field, "want exactly one of drop, crash, link-down")
			continue
		}
		p := ps[0]
		fk := sub(field, p.key)
		switch p.key {
		case "drop":
			d.drop(p.v, fk)
		case "crash":
			d.crash(p.v, fk)
		case "link-down":
			d.linkDown(p.v, fk)
		default:
			d.add(p.k, fk, "unknown fault (want one of: drop, crash, link-down)")
		}
	}
}

// nodeName decodes a reference to a node.
func (d *decoder) nodeName(n *yaml.Node, field string, kind Kind) (string, bool) {
	s, ok := d.str(n, field)
	if ok {
		d.refs = append(d.refs, nodeRef{line: n.Line, field: field, name: s, kind: kind})
	}
	return s, ok
}

// drop decodes a drop fault.
func (d *decoder) drop(n *yaml.Node, field string) {
	f, ok := d.fields(n, field, []string{"nth", "count", "method", "status", "from", "to", "link"}, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	df := DropFault{Nth: 1, Count: 1, Line: r.Line}
	if v, ok := f["nth"]; ok {
		df.Nth, _ = d.integer(v, sub(field, "nth"), 1, 1_000_000)
	}
	if v, ok := f["count"]; ok {
		df.Count, _ = d.integer(v, sub(field, "count"), 1, 1_000_000)
	}
	if v, ok := f["method"]; ok {
		if s, ok := d.str(v, sub(field, "method")); ok {
			if strings.ContainsAny(s, " /\t") {
				d.add(v, sub(field, "method"), "%q is not a SIP method", s)
			}
			df.Method = s
		}
	}
	if v, ok := f["status"]; ok {
		df.Status, _ = d.integer(v, sub(field, "status"), 100, 699)
	}
	if v, ok := f["from"]; ok {
		df.From, _ = d.nodeName(v, sub(field, "from"), "")
	}
	if v, ok := f["to"]; ok {
		df.To, _ = d.nodeName(v, sub(field, "to"), "")
	}
	if v, ok := f["link"]; ok {
		if a, b, ok := d.endpoints(v, sub(field, "link")); ok {
			if !d.links[[2]string{a, b}] {
				d.add(v, sub(field, "link"), "no link between %s and %s", a, b)
			}
			df.LinkFrom, df.LinkTo = a, b
		}
	}
	d.t.Faults.Drops = append(d.t.Faults.Drops, df)
}

// crash decodes a crash fault.
func (d *decoder) crash(n *yaml.Node, field string) {
	f, ok := d.fields(n, field, []string{"node", "at", "recover"}, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	c := CrashFault{Line: r.Line}
	if v, ok := f["node"]; ok {
		c.Node, _ = d.nodeName(v, sub(field, "node"), "")
	} else {
		d.add(r, sub(field, "node"), "is missing")
	}
	c.At, c.Recover, _ = d.span(r, f, field, "at", "recover", false)
	d.t.Faults.Crashes = append(d.t.Faults.Crashes, c)
}

// linkDown decodes a link-down fault.
func (d *decoder) linkDown(n *yaml.Node, field string) {
	f, ok := d.fields(n, field, []string{"link", "from", "to", "one-way"}, nil)
	if !ok {
		return
	}
	r := d.resolve(n, field)
	l := LinkDownFault{Line: r.Line}
	if v, ok := f["link"]; ok {
		if a, b, ok := d.endpoints(v, sub(field, "link")); ok {
			if !d.links[[2]string{a, b}] {
				d.add(v, sub(field, "link"), "no link between %s and %s", a, b)
			}
			l.A, l.B = a, b
		}
	} else {
		d.add(r, sub(field, "link"), "is missing")
	}
	if v, ok := f["one-way"]; ok {
		l.OneWay, _ = d.boolean(v, sub(field, "one-way"))
	}
	l.From, l.To, _ = d.span(r, f, field, "from", "to", true)
	d.t.Faults.LinkDowns = append(d.t.Faults.LinkDowns, l)
}

// checkRefs checks the references to nodes, the hosts of next hops, and
// that every node can reach over links the nodes it must send to.
func (d *decoder) checkRefs() {
	for _, r := range d.refs {
		j, ok := d.nodeIdx[r.name]
		switch {
		case !ok:
			d.addLine(r.line, r.field, "undefined node %q", r.name)
		case r.kind != "" && d.t.Nodes[j].Kind != r.kind:
			d.addLine(r.line, r.field, "node %q is a %s, not a %s", r.name, d.t.Nodes[j].Kind, r.kind)
		}
	}
	comp := d.components()
	for _, h := range d.hops {
		targets, ok := d.hostNodes(h)
		if !ok || h.from == "" {
			continue
		}
		from, known := d.nodeIdx[h.from]
		if !known {
			continue
		}
		for _, t := range targets {
			if d.t.Nodes[t].Name != "" && t != from && comp[t] != comp[from] {
				d.addLine(h.line, h.field, "%s has no link path to %s (%s)", h.from, d.t.Nodes[t].Name, h.u.Host)
			}
		}
	}
	// Location contacts must be reachable from the elements that use the
	// location service.
	for i, nd := range d.t.Nodes {
		if nd.Location == "" || nd.Kind == KindRegistrar || nd.Kind == KindRedirect {
			continue
		}
		for _, h := range d.hops {
			if h.from != "" || !strings.EqualFold(d.locationOf(h), nd.Location) {
				continue
			}
			quiet := h
			quiet.line = -1
			targets, _ := d.hostNodes(quiet)
			for _, t := range targets {
				if d.t.Nodes[t].Name != "" && t != i && comp[t] != comp[i] {
					d.addLine(h.line, h.field, "%s (location service of %s) has no link path to %s (%s)", nd.Name, nd.Location, d.t.Nodes[t].Name, h.u.Host)
				}
			}
		}
	}
	// Callers of explicit calls without an outbound proxy must reach the
	// callee's host.
	for _, h := range d.direct {
		j, ok := d.nodeIdx[h.from]
		if !ok || d.t.Nodes[j].UA == nil || !d.t.Nodes[j].UA.OutboundProxy.IsZero() {
			continue
		}
		quiet := h
		quiet.line = -1
		targets, _ := d.hostNodes(quiet)
		for _, t := range targets {
			if d.t.Nodes[t].Name != "" && t != j && comp[t] != comp[j] {
				d.addLine(h.line, h.field, "%s has no link path to %s (%s)", h.from, d.t.Nodes[t].Name, h.u.Host)
			}
		}
	}
}

// locationOf returns the domain of the location whose binding h is.
func (d *decoder) locationOf(h hopRef) string {
	// h.field is "locations[i].bindings[j]..." : find i.
	var i int
	if _, err := fmt.Sscanf(h.field, "locations[%d]", &i); err != nil || i < 0 || i >= len(d.t.Locations) {
		return ""
	}
	return d.t.Locations[i].AOR.Host
}

// hostNodes returns the nodes that the host of h.u designates: the node of
// that address or name, or the servers of that DNS domain. It reports an
// undefined host (an address of no node, a name neither node nor domain)
// unless h.line < 0; ok is false then. Hosts of contacts in locations may
// be outside the topology only when they are names.
func (d *decoder) hostNodes(h hopRef) ([]int, bool) {
	host := h.u.Host
	if m := h.u.Maddr(); m != "" {
		host = m
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if j, ok := d.addrIdx[a]; ok {
			return []int{j}, true
		}
		if h.line >= 0 {
			d.addLine(h.line, h.field, "%v is not the address of any node", a)
		}
		return nil, false
	}
	if j, ok := d.nodeIdx[host]; ok {
		return []int{j}, true
	}
	if d.dns[strings.ToLower(host)] {
		var out []int
		for _, dom := range d.t.DNS.Domains {
			if dom.Domain == strings.ToLower(host) {
				for _, s := range dom.Servers {
					if j, ok := d.nodeIdx[s.Host]; ok {
						out = append(out, j)
					}
				}
			}
		}
		return out, true
	}
	if h.line >= 0 && h.from != "" {
		d.addLine(h.line, h.field, "host %q is neither a node, a node's address nor a dns domain", host)
	}
	return nil, false
}

// components labels each node with its connected component over links.
func (d *decoder) components() []int {
	parent := make([]int, len(d.t.Nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, l := range d.t.Links {
		a, b := find(d.nodeIdx[l.A]), find(d.nodeIdx[l.B])
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	out := make([]int, len(parent))
	for i := range out {
		out[i] = find(i)
	}
	return out
}
