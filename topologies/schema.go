package topologies

import (
	"net/netip"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// Kind is the role of a node of a topology.
type Kind string

// The kinds of node, as written in the kind field.
const (
	// KindUA is a user agent ([nodes.NewUserAgent]).
	KindUA Kind = "ua"
	// KindStatefulProxy is a transaction-stateful proxy
	// ([nodes.NewStatefulProxy]).
	KindStatefulProxy Kind = "stateful-proxy"
	// KindStatelessProxy is a stateless proxy ([nodes.NewStatelessProxy]).
	KindStatelessProxy Kind = "stateless-proxy"
	// KindRedirect is a redirect server ([nodes.NewRedirectServer]).
	KindRedirect Kind = "redirect"
	// KindRegistrar is a registrar ([nodes.NewRegistrar]).
	KindRegistrar Kind = "registrar"
)

// kinds lists the kinds in the order of the documentation.
var kinds = []Kind{KindUA, KindStatefulProxy, KindStatelessProxy, KindRedirect, KindRegistrar}

// Topology is a parsed and validated topology file: the network, its
// nodes, their configuration, a workload and faults. Values are in the
// types of the packages that use them (sim.LinkConfig, nodes.UAOptions,
// ...), so that [Build] is a thin mapping onto their constructors. A
// Topology is read-only once parsed: Build copies what it changes, so one
// Topology can be built many times (replications).
type Topology struct {
	// File is the file name given to [Parse], used in error messages.
	File string
	// Name is the topology's name.
	Name string
	// Description is a one-line description.
	Description string
	// TCP configures the simulated stream transport of the network.
	TCP sim.TCPConfig
	// Nodes are the network elements, in file order.
	Nodes []Node
	// Links join two nodes, in file order.
	Links []Link
	// DNS is the zone of the network: the SIP servers of domains.
	DNS DNS
	// Locations are the static bindings of the location services.
	Locations []Location
	// Workload is the calls to place.
	Workload Workload
	// Faults are the failures to inject.
	Faults Faults
}

// Node is one network element: a simulated host and the SIP element that
// runs on it. Exactly one of UA, Proxy, Stateless, Redirect and Registrar
// is set, the one of Kind.
type Node struct {
	// Name is the host name, unique in the topology.
	Name string
	// Kind is the element's role.
	Kind Kind
	// Address is the host's IPv4 address, unique in the topology.
	Address netip.Addr
	// Config is the element's common configuration (Host is Name; Port,
	// Timers and Transport have the topology's defaults applied).
	Config nodes.Config
	// Location is the domain of the location service the element uses
	// (stateful proxy, redirect server, registrar); empty for none.
	Location string
	// UA holds the options of a user agent (Resolver is set by Build).
	UA *nodes.UAOptions
	// Proxy holds the options of a stateful proxy (Location and Resolver
	// are set by Build).
	Proxy *nodes.ProxyOptions
	// Stateless holds the options of a stateless proxy (Resolver is set
	// by Build).
	Stateless *nodes.StatelessOptions
	// Redirect holds the options of a redirect server (Location is set by
	// Build).
	Redirect *nodes.RedirectOptions
	// Registrar holds the options of a registrar (Location is set by
	// Build).
	Registrar *nodes.RegistrarOptions
	// Line is the line of the node in the file.
	Line int
}

// Link is a bidirectional link between nodes A and B.
type Link struct {
	// A and B are the names of the two nodes.
	A, B string
	// AB configures the direction from A to B, BA the one from B to A.
	AB, BA sim.LinkConfig
	// Line is the line of the link in the file.
	Line int
}

// DNS is the simulated DNS zone (see [nodes.Zone]).
type DNS struct {
	// TTL is how long resolvers cache an answer; zero means one hour.
	TTL time.Duration
	// LookupDelay is the virtual time a lookup that misses the cache
	// costs each element.
	LookupDelay time.Duration
	// Domains are the domains with SIP servers, sorted by name.
	Domains []DNSDomain
}

// DNSDomain is a domain and its SIP servers (SRV records, RFC 3263).
type DNSDomain struct {
	// Domain is the domain name, such as "there.com".
	Domain string
	// Servers are the domain's servers; each Host is a node name.
	Servers []nodes.Server
}

// Location is the static bindings of one address of record, in the
// location service of the AOR's domain.
type Location struct {
	// AOR is the address of record, such as sip:user2@there.com.
	AOR uri.URI
	// Bindings are its contacts (Expires is a virtual time: sim.MaxTime
	// for a binding that never lapses).
	Bindings []nodes.Binding
}

// Workload is the traffic of a run.
type Workload struct {
	// Calls are explicit calls, placed by [Run.PlaceCalls].
	Calls []CallSpec
	// Generated, when not nil, describes calls drawn at random, placed
	// by [Run.PlaceGenerated].
	Generated *Generated
	// Pings are periodic OPTIONS requests, placed by [Run.PlacePings].
	Pings []PingSpec
}

// PingSpec is a periodic OPTIONS ping of a workload
// ([nodes.UserAgent.Options]).
type PingSpec struct {
	// From is the name of the UA node that sends the pings.
	From string
	// To is the URI pinged (the Request-URI of the OPTIONS).
	To uri.URI
	// Every is the interval between two pings; positive.
	Every time.Duration
	// Start is when the first ping is sent.
	Start time.Duration
	// Count is the number of pings; zero means no bound, which only a
	// run duration ([Run.Until]) can end.
	Count int
	// Line is the line of the ping in the file.
	Line int
}

// CallSpec is one explicit call of a workload.
type CallSpec struct {
	// Caller is the name of the calling UA node.
	Caller string
	// To is the callee's URI (the Request-URI of the INVITE).
	To uri.URI
	// At is when the call is placed, from the start of the run.
	At time.Duration
	// Options are the call's options (HoldTime, NoAnswerTimeout, ...).
	Options nodes.CallOptions
	// Line is the line of the call in the file.
	Line int
}

// Generated is a workload of calls arriving as a Poisson process.
type Generated struct {
	// Rate is the mean number of calls per second.
	Rate float64
	// Count bounds the number of calls; zero means no bound.
	Count int
	// Duration bounds the time during which calls arrive; zero means no
	// bound (at least one of Count and Duration is set).
	Duration time.Duration
	// Start is when arrivals begin.
	Start time.Duration
	// Callers are the names of the UA nodes that place calls, chosen
	// uniformly.
	Callers []string
	// Callees are the URIs called, chosen uniformly.
	Callees []uri.URI
	// HoldTime is the distribution of call durations in seconds; nil
	// leaves hanging up to the callee.
	HoldTime sim.Dist
	// Line is the line of the generated workload in the file.
	Line int
}

// Faults are the failures injected in a run.
type Faults struct {
	// Drops drop chosen messages.
	Drops []DropFault
	// Crashes crash nodes.
	Crashes []CrashFault
	// LinkDowns take link directions down for a while.
	LinkDowns []LinkDownFault
}

// DropFault drops the Nth data packet (counting from 1) that matches all
// of its set criteria, and the Count-1 matching ones after it.
type DropFault struct {
	// Nth is the rank of the first matching packet dropped (1 = first).
	Nth int
	// Count is the number of matching packets dropped; at least 1.
	Count int
	// Method matches requests of this method and responses to it (a
	// response's label is "STATUS/METHOD"); empty matches any.
	Method string
	// Status matches responses with this status code; zero matches any
	// message (a request included).
	Status int
	// From and To match the packet's source and destination node; empty
	// matches any.
	From, To string
	// LinkFrom and LinkTo, when set, match only the link direction
	// LinkFrom->LinkTo.
	LinkFrom, LinkTo string
	// Line is the line of the fault in the file.
	Line int
}

// CrashFault crashes a node at At and, when Recover is not zero, brings
// it back at Recover (see sim.Host.Crash).
type CrashFault struct {
	// Node is the name of the node.
	Node string
	// At is when the node crashes.
	At time.Duration
	// Recover is when it recovers; zero means never.
	Recover time.Duration
	// Line is the line of the fault in the file.
	Line int
}

// LinkDownFault takes a link down in [From, To): both directions, or only
// A->B when OneWay.
type LinkDownFault struct {
	// A and B are the link's nodes.
	A, B string
	// OneWay takes down only the direction A->B.
	OneWay bool
	// From and To bound the window.
	From, To time.Duration
	// Line is the line of the fault in the file.
	Line int
}
