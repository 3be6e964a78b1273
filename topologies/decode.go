package topologies

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// maxAliases bounds the YAML aliases followed while decoding one file, so
// that a file of nested aliases cannot make decoding explode.
const maxAliases = 1000

// maxFileSize bounds the size of a topology file.
const maxFileSize = 4 << 20

// decoder walks the YAML tree of one file and fills a Topology, collecting
// every error with its line.
type decoder struct {
	file    string
	errs    Errors
	aliases int
	t       *Topology

	nodeIdx map[string]int     // node name -> index in t.Nodes
	addrIdx map[netip.Addr]int // node address -> index in t.Nodes
	links   map[[2]string]bool // linked pairs, both orders
	dns     map[string]bool    // domains of the zone
	refs    []nodeRef
	hops    []hopRef
	direct  []hopRef // callees of callers that may have no outbound proxy

	defaultLink sim.LinkConfig // defaults.link, under every link
}

// nodeRef is a reference to a node by name, checked once every node is
// known.
type nodeRef struct {
	line  int
	field string
	name  string
	kind  Kind // required kind, or ""
}

// hopRef is a URI a node must be able to send to: its host must be a node
// (by address or name) or a domain of the zone, and reachable over links.
type hopRef struct {
	line  int
	field string
	from  string // node that sends, "" for no reachability check
	u     uri.URI
}

// lineRE finds the line number in a YAML syntax error.
var lineRE = regexp.MustCompile(`line (\d+)`)

// Parse reads the topology file data, named file in error messages,
// validates it and returns it. On error it returns [Errors], every mistake
// found, one per line and sorted by line.
func Parse(file string, data []byte) (*Topology, error) {
	d := &decoder{file: file, t: &Topology{File: file},
		nodeIdx: map[string]int{}, addrIdx: map[netip.Addr]int{}, links: map[[2]string]bool{}, dns: map[string]bool{}}
	if len(data) > maxFileSize {
		return nil, Errors{{File: file, Line: 1, Msg: fmt.Sprintf("file of %d bytes is larger than %d bytes", len(data), maxFileSize)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line := 0
		if m := lineRE.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimSpace(lineRE.ReplaceAllString(msg, ""))
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, ":"), " ")
		return nil, Errors{{File: file, Line: line, Msg: "YAML syntax: " + msg}}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil, Errors{{File: file, Line: 1, Msg: "the file is empty: want a mapping with name, nodes and links"}}
	}
	d.top(root.Content[0])
	if len(d.errs) > 0 {
		d.errs.sort()
		return nil, d.errs
	}
	return d.t, nil
}

// add records an error about the value n of field.
func (d *decoder) add(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	d.addLine(line, field, format, args...)
}

// addLine records an error at line.
func (d *decoder) addLine(line int, field, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// sub returns the path of key under field.
func sub(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

// idx returns the path of element i of field.
func idx(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// resolve follows aliases, within the file's budget.
func (d *decoder) resolve(n *yaml.Node, field string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases > maxAliases {
			d.add(n, field, "more than %d aliases", maxAliases)
			return nil
		}
		n = n.Alias
	}
	return n
}

// pair is one key and value of a mapping.
type pair struct {
	key string
	k   *yaml.Node
	v   *yaml.Node
}

// mapping returns the entries of the mapping n in file order, reporting a
// value that is not a mapping and duplicate keys.
func (d *decoder) mapping(n *yaml.Node, field string) ([]pair, bool) {
	n = d.resolve(n, field)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		d.add(n, field, "want a mapping (key: value lines), not %s", describe(n))
		return nil, false
	}
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := d.resolve(n.Content[i], field)
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.add(k, field, "a key must be a plain value, not %s", describe(k))
			continue
		}
		if k.Value == "<<" {
			d.add(k, sub(field, k.Value), "merge keys are not supported")
			continue
		}
		if seen[k.Value] {
			d.add(k, sub(field, k.Value), "duplicate key")
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k.Value, k: k, v: n.Content[i+1]})
	}
	return out, true
}

// fields decodes the mapping n whose keys must be among allowed, and
// returns its values by key. misplaced, when not nil, explains a key that
// is not allowed here but elsewhere (an option of another kind of node).
func (d *decoder) fields(n *yaml.Node, field string, allowed []string, misplaced func(key string) string) (map[string]*yaml.Node, bool) {
	ps, ok := d.mapping(n, field)
	if !ok {
		return nil, false
	}
	out := map[string]*yaml.Node{}
	for _, p := range ps {
		if !slices.Contains(allowed, p.key) {
			if misplaced != nil {
				if why := misplaced(p.key); why != "" {
					d.add(p.k, sub(field, p.key), "%s", why)
					continue
				}
			}
			d.add(p.k, sub(field, p.key), "unknown field (want one of: %s)", strings.Join(allowed, ", "))
			continue
		}
		out[p.key] = p.v
	}
	return out, true
}

// describe names the kind of a YAML node for error messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// list returns the elements of the sequence n.
func (d *decoder) list(n *yaml.Node, field string) ([]*yaml.Node, bool) {
	n = d.resolve(n, field)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		d.add(n, field, "want a list, not %s", describe(n))
		return nil, false
	}
	return n.Content, true
}

// scalar returns the text of the scalar n.
func (d *decoder) scalar(n *yaml.Node, field string) (string, bool) {
	n = d.resolve(n, field)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.add(n, field, "want a single value, not %s", describe(n))
		return "", false
	}
	if n.Tag == "!!null" {
		d.add(n, field, "has no value")
		return "", false
	}
	return n.Value, true
}

// str decodes a non-empty string.
func (d *decoder) str(n *yaml.Node, field string) (string, bool) {
	s, ok := d.scalar(n, field)
	if ok && strings.TrimSpace(s) == "" {
		d.add(n, field, "is empty")
		return "", false
	}
	return s, ok
}

// boolean decodes true or false.
func (d *decoder) boolean(n *yaml.Node, field string) (bool, bool) {
	s, ok := d.scalar(n, field)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	d.add(n, field, "%q is not a boolean (want true or false)", s)
	return false, false
}

// integer decodes a whole number in [lo, hi].
func (d *decoder) integer(n *yaml.Node, field string, lo, hi int) (int, bool) {
	s, ok := d.scalar(n, field)
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		d.add(n, field, "%q is not a whole number", s)
		return 0, false
	}
	if v < lo || v > hi {
		d.add(n, field, "%d is not in [%d, %d]", v, lo, hi)
		return 0, false
	}
	return v, true
}

// unit decodes a scalar with parse, reporting its error.
func unit[T any](d *decoder, n *yaml.Node, field string, parse func(string) (T, error)) (T, bool) {
	var zero T
	s, ok := d.scalar(n, field)
	if !ok {
		return zero, false
	}
	v, err := parse(s)
	if err != nil {
		d.add(n, field, "%v", err)
		return zero, false
	}
	return v, true
}

// duration decodes a non-negative duration.
func (d *decoder) duration(n *yaml.Node, field string) (time.Duration, bool) {
	return unit(d, n, field, ParseDuration)
}

// positive decodes a positive duration.
func (d *decoder) positive(n *yaml.Node, field string) (time.Duration, bool) {
	v, ok := d.duration(n, field)
	if ok && v == 0 {
		d.add(n, field, "must be positive")
		return 0, false
	}
	return v, ok
}

// probability decodes a probability.
func (d *decoder) probability(n *yaml.Node, field string) (float64, bool) {
	return unit(d, n, field, ParseProbability)
}

// dist decodes a distribution of durations.
func (d *decoder) dist(n *yaml.Node, field string) (sim.Dist, bool) {
	return unit(d, n, field, ParseDist)
}

// sipURI decodes a sip or sips URI.
func (d *decoder) sipURI(n *yaml.Node, field string) (uri.URI, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return uri.URI{}, false
	}
	u, err := uri.Parse(strings.TrimSpace(s))
	if err != nil || !u.IsSIP() {
		d.add(n, field, "%q is not a SIP URI (want such as sip:user@example.com or sip:10.0.0.1)", s)
		return uri.URI{}, false
	}
	return u, true
}

// strList decodes a list of non-empty strings, or a single one.
func (d *decoder) strList(n *yaml.Node, field string) ([]string, bool) {
	r := d.resolve(n, field)
	if r == nil {
		return nil, false
	}
	if r.Kind == yaml.ScalarNode {
		s, ok := d.str(r, field)
		return []string{s}, ok
	}
	items, ok := d.list(r, field)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	good := true
	for i, it := range items {
		s, ok := d.str(it, idx(field, i))
		good = good && ok
		out = append(out, s)
	}
	return out, good
}

// top decodes the document's root mapping.
func (d *decoder) top(n *yaml.Node) {
	f, ok := d.fields(n, "", []string{"name", "description", "defaults", "tcp", "nodes", "links", "dns", "locations", "workload", "faults"}, nil)
	if !ok {
		return
	}
	if v, ok := f["name"]; ok {
		d.t.Name, _ = d.str(v, "name")
	} else {
		d.add(n, "name", "is missing")
	}
	if v, ok := f["description"]; ok {
		d.t.Description, _ = d.scalar(v, "description")
	}
	def := d.defaults(f["defaults"])
	if v, ok := f["tcp"]; ok {
		d.tcp(v)
	}
	if v, ok := f["nodes"]; ok {
		d.nodes(v, def)
	} else {
		d.add(n, "nodes", "is missing")
	}
	// The zone before the references to its domains.
	if v, ok := f["dns"]; ok {
		d.zone(v)
	}
	if v, ok := f["links"]; ok {
		d.linkList(v)
	}
	if v, ok := f["locations"]; ok {
		d.locations(v)
	}
	if v, ok := f["workload"]; ok {
		d.workload(v)
	}
	if v, ok := f["faults"]; ok {
		d.faults(v)
	}
	d.checkRefs()
}

// nodeDefaults are the defaults section: values that every node takes
// unless it sets its own.
type nodeDefaults struct {
	port      uint16
	timers    timerFields
	transport transaction.TransportPolicy
	trSet     bool
	mtuSet    bool
	linkBase  sim.LinkConfig
}

// timerFields are the timer values of a timers section, with which of
// them were set.
type timerFields struct {
	cfg transaction.Config
	set map[string]bool
}

// defaults decodes the defaults section.
func (d *decoder) defaults(n *yaml.Node) nodeDefaults {
	def := nodeDefaults{timers: timerFields{set: map[string]bool{}}}
	if n == nil {
		return def
	}
	f, ok := d.fields(n, "defaults", []string{"port", "timers", "transport", "path-mtu", "link"}, nil)
	if !ok {
		return def
	}
	if v, ok := f["port"]; ok {
		p, _ := d.integer(v, "defaults.port", 1, 65535)
		def.port = uint16(p)
	}
	if v, ok := f["timers"]; ok {
		def.timers = d.timers(v, "defaults.timers", def.timers)
	}
	if v, ok := f["transport"]; ok {
		def.transport.Transport, def.trSet = d.transport(v, "defaults.transport")
	}
	if v, ok := f["path-mtu"]; ok {
		def.transport.PathMTU, def.mtuSet = d.pathMTU(v, "defaults.path-mtu")
	}
	if v, ok := f["link"]; ok {
		def.linkBase, _ = d.linkConfig(v, "defaults.link", sim.LinkConfig{})
	}
	d.defaultLink = def.linkBase
	return def
}

// timers decodes a timers section over base.
func (d *decoder) timers(n *yaml.Node, field string, base timerFields) timerFields {
	out := timerFields{cfg: base.cfg, set: map[string]bool{}}
	for k := range base.set {
		out.set[k] = true
	}
	f, ok := d.fields(n, field, []string{"t1", "t2", "t4", "timer-d", "trying"}, nil)
	if !ok {
		return out
	}
	set := func(key string, dst *time.Duration) {
		if v, ok := f[key]; ok {
			if x, ok := d.positive(v, sub(field, key)); ok {
				*dst = x
				out.set[key] = true
			}
		}
	}
	set("t1", &out.cfg.T1)
	set("t2", &out.cfg.T2)
	set("t4", &out.cfg.T4)
	set("timer-d", &out.cfg.TimerD)
	if v, ok := f["trying"]; ok {
		if s, ok := d.scalar(v, sub(field, "trying")); ok {
			switch s {
			case "immediate":
				out.cfg.Trying = transaction.TryingImmediate
			case "none":
				out.cfg.Trying = transaction.TryingNone
			default:
				d.add(v, sub(field, "trying"), "%q is not a 100 Trying policy (want immediate or none)", s)
			}
		}
	}
	// With RFC 3261's defaults for what is not set (an unset T2 follows a
	// T1 above 4s).
	t1, t2 := out.cfg.T1, out.cfg.T2
	if t1 == 0 {
		t1 = transaction.DefaultT1
	}
	if t2 == 0 {
		t2 = max(transaction.DefaultT2, t1)
	}
	if t2 < t1 {
		d.add(n, sub(field, "t2"), "T2 %v is below T1 %v (RFC 3261 17.1.2.2)", t2, t1)
	}
	return out
}

// transport decodes a transport name.
func (d *decoder) transport(n *yaml.Node, field string) (transaction.Transport, bool) {
	s, ok := d.scalar(n, field)
	if !ok {
		return 0, false
	}
	t, err := transaction.ParseTransport(s)
	if err != nil {
		d.add(n, field, "%q is not a transport (want udp, tcp, tls or sctp)", s)
		return 0, false
	}
	return t, true
}

// pathMTU decodes a path MTU size.
func (d *decoder) pathMTU(n *yaml.Node, field string) (int, bool) {
	v, ok := unit(d, n, field, ParseSize)
	if ok && (v < 68 || v > 65535) {
		d.add(n, field, "%dB is not in [68B, 65535B]", v)
		return 0, false
	}
	return v, ok
}

// tcp decodes the tcp section.
func (d *decoder) tcp(n *yaml.Node) {
	f, ok := d.fields(n, "tcp", []string{"handshake", "initial-rto", "min-rto", "max-rto", "max-retries", "max-syn-retries", "window"}, nil)
	if !ok {
		return
	}
	c := &d.t.TCP
	if v, ok := f["handshake"]; ok {
		c.Handshake, _ = d.boolean(v, "tcp.handshake")
	}
	for _, e := range []struct {
		key string
		dst *time.Duration
	}{{"initial-rto", &c.InitialRTO}, {"min-rto", &c.MinRTO}, {"max-rto", &c.MaxRTO}} {
		if v, ok := f[e.key]; ok {
			*e.dst, _ = d.positive(v, "tcp."+e.key)
		}
	}
	if v, ok := f["max-retries"]; ok {
		c.MaxRetries, _ = d.integer(v, "tcp.max-retries", 1, 100)
	}
	if v, ok := f["max-syn-retries"]; ok {
		c.MaxSYNRetries, _ = d.integer(v, "tcp.max-syn-retries", 1, 100)
	}
	if v, ok := f["window"]; ok {
		if w, ok := unit(d, v, "tcp.window", ParseSize); ok {
			if w == 0 {
				d.add(v, "tcp.window", "must be positive")
			}
			c.Window = w
		}
	}
	if err := c.Validate(); err != nil {
		d.add(n, "tcp", "%v", strings.TrimPrefix(err.Error(), "sim: "))
	}
}
