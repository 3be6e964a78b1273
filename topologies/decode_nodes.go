package topologies

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// commonKeys are the fields of every node.
var commonKeys = []string{"name", "kind", "address", "port", "domain", "timers", "transport", "path-mtu"}

// kindKeys are the fields of each kind of node, beyond commonKeys.
var kindKeys = map[Kind][]string{
	KindUA: {"aor", "display-name", "contact-user", "outbound-proxy", "preload-route", "answer",
		"credentials", "register", "call", "max-redirects"},
	KindStatefulProxy: {"domains", "routes", "record-route", "recurse-3xx", "fork", "timer-c", "auth",
		"timeout-status", "location", "supported"},
	KindStatelessProxy: {"routes"},
	KindRedirect:       {"static", "location", "permanent"},
	KindRegistrar: {"domains", "users", "realm", "location", "require-provisioned",
		"default-expires", "min-expires", "max-expires"},
}

// nameRE is the syntax of node names.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// kindNames returns the kinds as "ua, stateful-proxy, ...".
func kindNames() string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// nodes decodes the nodes section.
func (d *decoder) nodes(n *yaml.Node, def nodeDefaults) {
	items, ok := d.list(n, "nodes")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.add(n, "nodes", "is empty: a topology needs at least one node")
	}
	for i, it := range items {
		d.node(it, idx("nodes", i), def)
	}
}

// node decodes one node.
func (d *decoder) node(n *yaml.Node, field string, def nodeDefaults) {
	r := d.resolve(n, field)
	if r == nil {
		return
	}
	// The kind first: it says which fields are allowed.
	kind := Kind("")
	if r.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(r.Content); i += 2 {
			if r.Content[i].Value == "kind" {
				if s, ok := d.scalar(r.Content[i+1], sub(field, "kind")); ok {
					if slices.Contains(kinds, Kind(s)) {
						kind = Kind(s)
					} else {
						d.add(r.Content[i+1], sub(field, "kind"), "%q is not a kind of node (want one of: %s)", s, kindNames())
					}
				}
				break
			}
		}
	}
	allowed := slices.Clone(commonKeys)
	if kind != "" {
		allowed = append(allowed, kindKeys[kind]...)
	} else {
		for _, k := range kinds {
			for _, key := range kindKeys[k] {
				if !slices.Contains(allowed, key) {
					allowed = append(allowed, key)
				}
			}
		}
	}
	misplaced := func(key string) string {
		var of []string
		for _, k := range kinds {
			if slices.Contains(kindKeys[k], key) {
				of = append(of, string(k))
			}
		}
		if len(of) == 0 {
			return ""
		}
		return fmt.Sprintf("not a field of a %s node (it is one of: %s)", kind, strings.Join(of, ", "))
	}
	f, ok := d.fields(r, field, allowed, misplaced)
	if !ok {
		return
	}
	nd := Node{Kind: kind, Line: r.Line}
	if _, ok := f["kind"]; !ok {
		d.add(r, sub(field, "kind"), "is missing (want one of: %s)", kindNames())
	}
	if v, ok := f["name"]; ok {
		if s, ok := d.str(v, sub(field, "name")); ok {
			switch j, dup := d.nodeIdx[s]; {
			case !nameRE.MatchString(s):
				d.add(v, sub(field, "name"), "%q is not a node name (letters, digits, '.', '_', '-')", s)
			case dup:
				d.add(v, sub(field, "name"), "duplicate node name %q (first at line %d)", s, d.t.Nodes[j].Line)
			default:
				nd.Name = s
			}
		}
	} else {
		d.add(r, sub(field, "name"), "is missing")
	}
	if v, ok := f["address"]; ok {
		if s, ok := d.str(v, sub(field, "address")); ok {
			a, err := netip.ParseAddr(strings.TrimSpace(s))
			switch j, dup := d.addrIdx[a]; {
			case err != nil || !a.Is4():
				d.add(v, sub(field, "address"), "%q is not an IPv4 address", s)
			case a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
				d.add(v, sub(field, "address"), "%v is not a host address", a)
			case dup:
				d.add(v, sub(field, "address"), "duplicate address %v (node %s, line %d)", a, d.t.Nodes[j].Name, d.t.Nodes[j].Line)
			default:
				nd.Address = a
			}
		}
	} else {
		d.add(r, sub(field, "address"), "is missing")
	}
	nd.Config = nodesConfig(nd.Name, def)
	if v, ok := f["port"]; ok {
		if p, ok := d.integer(v, sub(field, "port"), 1, 65535); ok {
			nd.Config.Port = uint16(p)
		}
	}
	if v, ok := f["domain"]; ok {
		nd.Config.Domain, _ = d.str(v, sub(field, "domain"))
	}
	if v, ok := f["timers"]; ok {
		nd.Config.Timers = d.timers(v, sub(field, "timers"), def.timers).cfg
	}
	if v, ok := f["transport"]; ok {
		nd.Config.Transport.Transport, _ = d.transport(v, sub(field, "transport"))
	}
	if v, ok := f["path-mtu"]; ok {
		nd.Config.Transport.PathMTU, _ = d.pathMTU(v, sub(field, "path-mtu"))
	}
	switch kind {
	case KindUA:
		nd.UA = d.ua(r, f, field, nd.Name)
	case KindStatefulProxy:
		nd.Proxy = d.proxy(f, field, nd.Name, &nd.Location)
	case KindStatelessProxy:
		nd.Stateless = d.stateless(f, field, nd.Name)
	case KindRedirect:
		nd.Redirect = d.redirect(f, field, &nd.Location)
	case KindRegistrar:
		nd.Registrar = d.registrar(r, f, field, nd.Config.Domain, &nd.Location)
	}
	if nd.Name != "" {
		d.nodeIdx[nd.Name] = len(d.t.Nodes)
	}
	if nd.Address.IsValid() {
		d.addrIdx[nd.Address] = len(d.t.Nodes)
	}
	d.t.Nodes = append(d.t.Nodes, nd)
}

// nodesConfig returns the configuration of node name from the defaults.
func nodesConfig(name string, def nodeDefaults) nodes.Config {
	c := nodes.Config{Host: name, Port: def.port, Timers: def.timers.cfg, Transport: def.transport}
	if c.Port == 0 {
		c.Port = nodes.DefaultPort
	}
	return c
}

// hop records that node from must be able to send to u.
func (d *decoder) hop(n *yaml.Node, field, from string, u uri.URI) {
	d.hops = append(d.hops, hopRef{line: n.Line, field: field, from: from, u: u})
}

// ua decodes the options of a user agent.
func (d *decoder) ua(r *yaml.Node, f map[string]*yaml.Node, field, name string) *nodes.UAOptions {
	o := &nodes.UAOptions{}
	if v, ok := f["aor"]; ok {
		o.AOR, _ = d.sipURI(v, sub(field, "aor"))
	} else {
		d.add(r, sub(field, "aor"), "is missing: a ua needs its address of record")
	}
	if v, ok := f["display-name"]; ok {
		o.DisplayName, _ = d.str(v, sub(field, "display-name"))
	}
	if v, ok := f["contact-user"]; ok {
		o.ContactUser, _ = d.str(v, sub(field, "contact-user"))
	}
	if v, ok := f["outbound-proxy"]; ok {
		if u, ok := d.sipURI(v, sub(field, "outbound-proxy")); ok {
			o.OutboundProxy = u
			d.hop(v, sub(field, "outbound-proxy"), name, u)
		}
	}
	if v, ok := f["preload-route"]; ok {
		o.PreloadRoute, _ = d.boolean(v, sub(field, "preload-route"))
		if _, has := f["outbound-proxy"]; o.PreloadRoute && !has {
			d.add(v, sub(field, "preload-route"), "needs an outbound-proxy")
		}
	}
	if v, ok := f["answer"]; ok {
		o.Answer = d.answer(v, sub(field, "answer"))
	}
	if v, ok := f["credentials"]; ok {
		o.Credentials = d.credentials(v, sub(field, "credentials"))
	}
	if v, ok := f["register"]; ok {
		o.Register = d.register(v, sub(field, "register"), name)
	}
	if v, ok := f["call"]; ok {
		o.Call = d.callOptions(v, sub(field, "call"), nil)
	}
	if v, ok := f["max-redirects"]; ok {
		o.MaxRedirects, _ = d.integer(v, sub(field, "max-redirects"), -1, 100)
	}
	return o
}

// answer decodes the answer behaviour of a UA.
func (d *decoder) answer(n *yaml.Node, field string) nodes.AnswerOptions {
	var a nodes.AnswerOptions
	f, ok := d.fields(n, field, []string{"busy", "decline", "unavailable", "no-answer", "ring-time",
		"no-ringing", "redirect-to", "no-answer-time", "max-ring", "hold-time"}, nil)
	if !ok {
		return a
	}
	for _, e := range []struct {
		key string
		dst *float64
	}{{"busy", &a.Busy}, {"decline", &a.Decline}, {"unavailable", &a.Unavailable}, {"no-answer", &a.NoAnswer}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.probability(v, sub(field, e.key))
		}
	}
	if sum := a.Busy + a.Decline + a.Unavailable + a.NoAnswer; sum > 1+1e-12 {
		d.add(n, field, "busy, decline, unavailable and no-answer sum to %g, above 1", sum)
	}
	if v, ok := f["ring-time"]; ok {
		a.RingTime, _ = d.dist(v, sub(field, "ring-time"))
	}
	if v, ok := f["no-ringing"]; ok {
		a.NoRinging, _ = d.boolean(v, sub(field, "no-ringing"))
	}
	if v, ok := f["hold-time"]; ok {
		a.HoldTime, _ = d.dist(v, sub(field, "hold-time"))
	}
	if v, ok := f["redirect-to"]; ok {
		a.RedirectTo, _ = d.sipURI(v, sub(field, "redirect-to"))
	}
	if v, ok := f["no-answer-time"]; ok {
		a.NoAnswerTime, _ = d.duration(v, sub(field, "no-answer-time"))
	}
	if v, ok := f["max-ring"]; ok {
		if s, ok := d.scalar(v, sub(field, "max-ring")); ok && s == "unbounded" {
			a.MaxRing = -1
		} else {
			a.MaxRing, _ = d.duration(v, sub(field, "max-ring"))
		}
	}
	return a
}

// credentials decodes a UA's digest credentials.
func (d *decoder) credentials(n *yaml.Node, field string) []nodes.DigestCredentials {
	items, ok := d.list(n, field)
	if !ok {
		return nil
	}
	var out []nodes.DigestCredentials
	for i, it := range items {
		fi := idx(field, i)
		f, ok := d.fields(it, fi, []string{"realm", "username", "password"}, nil)
		if !ok {
			continue
		}
		var c nodes.DigestCredentials
		if v, ok := f["realm"]; ok {
			c.Realm, _ = d.str(v, sub(fi, "realm"))
		}
		for _, e := range []struct {
			key string
			dst *string
		}{{"username", &c.Username}, {"password", &c.Password}} {
			if v, ok := f[e.key]; ok {
				*e.dst, _ = d.str(v, sub(fi, e.key))
			} else {
				d.add(it, sub(fi, e.key), "is missing")
			}
		}
		out = append(out, c)
	}
	return out
}

// register decodes a UA's registration.
func (d *decoder) register(n *yaml.Node, field, name string) nodes.RegisterOptions {
	var o nodes.RegisterOptions
	f, ok := d.fields(n, field, []string{"registrar", "expires", "delay", "refresh"}, nil)
	if !ok {
		return o
	}
	if v, ok := f["registrar"]; ok {
		if u, ok := d.sipURI(v, sub(field, "registrar")); ok {
			o.Registrar = u
			d.hop(v, sub(field, "registrar"), name, u)
		}
	} else {
		d.add(n, sub(field, "registrar"), "is missing")
	}
	if v, ok := f["expires"]; ok {
		o.Expires, _ = d.positive(v, sub(field, "expires"))
	}
	if v, ok := f["delay"]; ok {
		o.Delay, _ = d.duration(v, sub(field, "delay"))
	}
	if v, ok := f["refresh"]; ok {
		o.Refresh, _ = d.boolean(v, sub(field, "refresh"))
	}
	return o
}

// callKeys are the fields of a call's options.
var callKeys = []string{"hold-time", "no-answer-timeout", "expires", "video", "delayed-offer",
	"add-video-after", "remove-video-after", "info-after"}

// callOptions decodes the options of a call from f (or from the mapping n
// when f is nil).
func (d *decoder) callOptions(n *yaml.Node, field string, f map[string]*yaml.Node) nodes.CallOptions {
	var o nodes.CallOptions
	if f == nil {
		var ok bool
		if f, ok = d.fields(n, field, callKeys, nil); !ok {
			return o
		}
	}
	if v, ok := f["hold-time"]; ok {
		o.HoldTime, _ = d.dist(v, sub(field, "hold-time"))
	}
	for _, e := range []struct {
		key string
		dst *bool
	}{{"video", &o.Video}, {"delayed-offer", &o.DelayedOffer}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.boolean(v, sub(field, e.key))
		}
	}
	for _, e := range []struct {
		key string
		dst *timeDuration
	}{{"no-answer-timeout", &o.NoAnswerTimeout}, {"expires", &o.Expires}, {"add-video-after", &o.AddVideoAfter},
		{"remove-video-after", &o.RemoveVideoAfter}, {"info-after", &o.InfoAfter}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.positive(v, sub(field, e.key))
		}
	}
	return o
}

// domainRoutes decodes a routing table: domain -> next-hop SIP URI.
func (d *decoder) domainRoutes(n *yaml.Node, field, name string) map[string]uri.URI {
	ps, ok := d.mapping(n, field)
	if !ok {
		return nil
	}
	out := map[string]uri.URI{}
	for _, p := range ps {
		fk := sub(field, p.key)
		if u, ok := d.sipURI(p.v, fk); ok {
			out[p.key] = u
			d.hop(p.v, fk, name, u)
		}
	}
	return out
}

// passwords decodes a mapping of user names to passwords.
func (d *decoder) passwords(n *yaml.Node, field string) map[string]string {
	ps, ok := d.mapping(n, field)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.key], _ = d.str(p.v, sub(field, p.key))
	}
	return out
}

// locationDomain decodes the location field of a node.
func (d *decoder) locationDomain(f map[string]*yaml.Node, field string) string {
	v, ok := f["location"]
	if !ok {
		return ""
	}
	s, _ := d.str(v, sub(field, "location"))
	return strings.ToLower(s)
}

// proxy decodes the options of a stateful proxy.
func (d *decoder) proxy(f map[string]*yaml.Node, field, name string, loc *string) *nodes.ProxyOptions {
	o := &nodes.ProxyOptions{}
	if v, ok := f["domains"]; ok {
		o.Domains, _ = d.strList(v, sub(field, "domains"))
	}
	if v, ok := f["routes"]; ok {
		o.Routes = d.domainRoutes(v, sub(field, "routes"), name)
	}
	for _, e := range []struct {
		key string
		dst *bool
	}{{"record-route", &o.RecordRoute}, {"recurse-3xx", &o.Recurse3xx}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.boolean(v, sub(field, e.key))
		}
	}
	if v, ok := f["fork"]; ok {
		if s, ok := d.scalar(v, sub(field, "fork")); ok {
			switch s {
			case "parallel":
				o.Fork = nodes.ForkParallel
			case "sequential":
				o.Fork = nodes.ForkSequential
			default:
				d.add(v, sub(field, "fork"), "%q is not a fork mode (want parallel or sequential)", s)
			}
		}
	}
	if v, ok := f["timer-c"]; ok {
		if t, ok := d.duration(v, sub(field, "timer-c")); ok {
			if t <= 3*60*1e9 {
				d.add(v, sub(field, "timer-c"), "%v is not above 3m (RFC 3261 16.6 step 11)", t)
			}
			o.TimerC = t
		}
	}
	if v, ok := f["auth"]; ok {
		af, ok := d.fields(v, sub(field, "auth"), []string{"realm", "users"}, nil)
		if ok {
			if rv, ok := af["realm"]; ok {
				o.AuthRealm, _ = d.str(rv, sub(field, "auth.realm"))
			} else {
				d.add(v, sub(field, "auth.realm"), "is missing")
			}
			if uv, ok := af["users"]; ok {
				o.Credentials = d.passwords(uv, sub(field, "auth.users"))
			}
		}
	}
	if v, ok := f["timeout-status"]; ok {
		o.TimeoutStatus, _ = d.integer(v, sub(field, "timeout-status"), 400, 699)
	}
	if v, ok := f["supported"]; ok {
		o.Supported, _ = d.strList(v, sub(field, "supported"))
	}
	*loc = d.locationDomain(f, field)
	return o
}

// stateless decodes the options of a stateless proxy.
func (d *decoder) stateless(f map[string]*yaml.Node, field, name string) *nodes.StatelessOptions {
	o := &nodes.StatelessOptions{}
	if v, ok := f["routes"]; ok {
		rs := d.domainRoutes(v, sub(field, "routes"), name)
		o.Routes = make(map[string]string, len(rs))
		for k, u := range rs { // copying a map: order does not matter
			o.Routes[k] = u.String()
		}
	}
	return o
}

// q decodes a q-value in [0, 1] into thousandths (RFC 3261 20.10).
func (d *decoder) q(n *yaml.Node, field string) (int, bool) {
	s, ok := d.scalar(n, field)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0 && v <= 1) || strings.ContainsAny(s, "xXpP_") {
		d.add(n, field, "%q is not a q-value in [0, 1]", s)
		return 0, false
	}
	return int(math.Round(v * 1000)), true
}

// redirect decodes the options of a redirect server.
func (d *decoder) redirect(f map[string]*yaml.Node, field string, loc *string) *nodes.RedirectOptions {
	o := &nodes.RedirectOptions{}
	if v, ok := f["static"]; ok {
		ps, ok := d.mapping(v, sub(field, "static"))
		if ok {
			o.Static = map[string][]nodes.RedirectTarget{}
		}
		for _, p := range ps {
			fk := sub(field, "static."+p.key)
			if u, err := uri.Parse(p.key); err != nil || !u.IsSIP() {
				d.add(p.k, fk, "%q is not a SIP URI", p.key)
				continue
			}
			r := d.resolve(p.v, fk)
			if r == nil {
				continue
			}
			var items []*yaml.Node
			if r.Kind == yaml.SequenceNode {
				items = r.Content
			} else {
				items = []*yaml.Node{r}
			}
			targets := []nodes.RedirectTarget{}
			for i, it := range items {
				if t, ok := d.redirectTarget(it, idx(fk, i)); ok {
					targets = append(targets, t)
				}
			}
			o.Static[p.key] = targets
		}
	}
	if v, ok := f["permanent"]; ok {
		o.Permanent, _ = d.boolean(v, sub(field, "permanent"))
	}
	*loc = d.locationDomain(f, field)
	return o
}

// redirectTarget decodes one target: a URI, or {contact, q, expires}.
func (d *decoder) redirectTarget(n *yaml.Node, field string) (nodes.RedirectTarget, bool) {
	var t nodes.RedirectTarget
	r := d.resolve(n, field)
	if r == nil {
		return t, false
	}
	if r.Kind == yaml.ScalarNode {
		u, ok := d.sipURI(r, field)
		t.Contact = u.String()
		return t, ok
	}
	f, ok := d.fields(r, field, []string{"contact", "q", "expires"}, nil)
	if !ok {
		return t, false
	}
	good := true
	if v, ok := f["contact"]; ok {
		u, ok := d.sipURI(v, sub(field, "contact"))
		t.Contact, good = u.String(), ok
	} else {
		d.add(r, sub(field, "contact"), "is missing")
		good = false
	}
	if v, ok := f["q"]; ok {
		t.Q, _ = d.q(v, sub(field, "q"))
	}
	if v, ok := f["expires"]; ok {
		t.Expires, _ = d.positive(v, sub(field, "expires"))
	}
	return t, good
}

// registrar decodes the options of a registrar.
func (d *decoder) registrar(r *yaml.Node, f map[string]*yaml.Node, field, domain string, loc *string) *nodes.RegistrarOptions {
	o := &nodes.RegistrarOptions{}
	if v, ok := f["domains"]; ok {
		o.Domains, _ = d.strList(v, sub(field, "domains"))
	}
	if v, ok := f["users"]; ok {
		o.Users = d.passwords(v, sub(field, "users"))
	}
	if v, ok := f["realm"]; ok {
		o.Realm, _ = d.str(v, sub(field, "realm"))
	}
	if v, ok := f["require-provisioned"]; ok {
		o.RequireProvisioned, _ = d.boolean(v, sub(field, "require-provisioned"))
	}
	for _, e := range []struct {
		key string
		dst *timeDuration
	}{{"default-expires", &o.DefaultExpires}, {"min-expires", &o.MinExpires}, {"max-expires", &o.MaxExpires}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.positive(v, sub(field, e.key))
		}
	}
	*loc = d.locationDomain(f, field)
	if *loc == "" {
		switch {
		case len(o.Domains) > 0:
			*loc = strings.ToLower(o.Domains[0])
		case domain != "":
			*loc = strings.ToLower(domain)
		default:
			d.add(r, sub(field, "location"), "is missing: a registrar needs a location, domains or a domain")
		}
	}
	return o
}

// timeDuration shortens the tables of duration fields.
type timeDuration = time.Duration
