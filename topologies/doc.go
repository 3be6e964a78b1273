// Package topologies reads topology files: the YAML description of a
// simulated SIP network, its elements, a workload and faults. [Parse]
// validates a file strictly and reports every mistake, one line each
// ("file:line: field: message", see [Error]); [Build] turns a [Topology]
// into a running [sim.Network] of [nodes] elements; [Builtin] returns the
// embedded built-in topologies, such as "here-there", the reference
// scenario.
//
// # Schema
//
// Every value carries its unit (see [ParseDuration], [ParseBandwidth],
// [ParseSize], [ParseProbability], [ParseRate], [ParseDist]). Keys are
// checked: an unknown key, or an option of another kind of node, is an
// error. Sections:
//
//	name: here-there                 # required
//	description: one line
//	defaults:                        # for every node unless it sets its own
//	  port: 5060
//	  timers: {t1: 500ms, t2: 4s, t4: 5s, timer-d: 32s, trying: immediate|none}
//	  transport: udp|tcp|tls|sctp
//	  path-mtu: 1500B
//	  link: {delay: 10ms, ...}       # under every link (fields of a link)
//	tcp: {handshake: true, initial-rto: 1s, min-rto: 1s, max-rto: 60s,
//	      max-retries: 15, max-syn-retries: 6, window: 64KiB}
//	nodes:
//	  - name: user1                  # letters, digits, . _ -; unique
//	    kind: ua | stateful-proxy | stateless-proxy | redirect | registrar
//	    address: 10.0.1.1            # IPv4, unique
//	    port: 5060
//	    domain: here.com
//	    timers: {...}                # as in defaults, field by field
//	    transport: udp
//	    path-mtu: 1500B
//	    # ua:
//	    aor: sip:user1@here.com      # required
//	    display-name: User One
//	    contact-user: u1
//	    outbound-proxy: sip:10.0.1.2
//	    preload-route: true          # needs outbound-proxy
//	    answer: {busy: 10%, decline: 0, unavailable: 0, no-answer: 0,
//	             ring-time: constant 2s, no-ringing: false, redirect-to: sip:vm@here.com,
//	             no-answer-time: 20s, max-ring: 3m | unbounded, hold-time: exponential 2m}
//	    # no-ringing: true answers with no 180 (RFC 3261 13.3.1.1); with
//	    # timers.trying: none, no provisional response at all
//	    credentials: [{realm: here.com, username: user1, password: secret}]
//	    register: {registrar: sip:here.com, expires: 1h, delay: 0s, refresh: false}
//	    call: {hold-time: 5s, no-answer-timeout: 30s, expires: 1m, video: false,
//	           delayed-offer: false, add-video-after: 2s, remove-video-after: 4s, info-after: 1s}
//	    max-redirects: 5             # -1: none
//	    # stateful-proxy:
//	    domains: [here.com]
//	    routes: {there.com: sip:10.0.3.1}   # domain -> next hop
//	    record-route: true
//	    recurse-3xx: true
//	    fork: parallel | sequential
//	    timer-c: 3m1s                # above 3m
//	    auth: {realm: here.com, users: {user1: secret}}
//	    timeout-status: 480
//	    location: there.com          # the location service of that domain
//	    supported: [100rel]
//	    # stateless-proxy:
//	    routes: {there.com: sip:10.0.2.2}
//	    # redirect:
//	    static: {sip:user2@here.com: [sip:user2@there.com, {contact: sip:vm@here.com, q: 0.5, expires: 1h}]}
//	    location: here.com
//	    permanent: false
//	    # registrar:
//	    domains: [here.com]          # location defaults to the first, or to domain
//	    users: {user1: secret}
//	    realm: here.com
//	    location: here.com
//	    require-provisioned: false
//	    default-expires: 1h
//	    min-expires: 1m
//	    max-expires: 2h
//	links:
//	  - between: [user1, proxy1]     # both directions get these fields:
//	    delay: 10ms
//	    jitter: uniform 0s 2ms       # a distribution
//	    fifo: true                   # jitter never reorders
//	    loss: 1%                     # Bernoulli, or a burst model (Gilbert):
//	    # loss: {rate: 1%, mean-burst: 3}
//	    bandwidth: 2Mbit/s           # 0 or absent: unlimited
//	    queue: {packets: 64, bytes: 64KiB}
//	    mtu: 1500B
//	    down: [{from: 1s, to: 2s}]
//	    forward: {loss: 5%}          # overrides for user1 -> proxy1
//	    reverse: {delay: 20ms}       # overrides for proxy1 -> user1
//	dns:
//	  ttl: 1h
//	  lookup-delay: 0s
//	  domains:
//	    there.com: [{node: proxy2, port: 5060, transport: udp, priority: 0, weight: 1}]
//	locations:                       # static bindings; the AOR's domain names the service
//	  - aor: sip:user2@there.com
//	    bindings: [sip:user2@10.0.2.1, {contact: sip:user2@10.0.2.9, q: 0.5, expires: never}]
//	workload:
//	  calls:                         # placed by Run.PlaceCalls
//	    - {caller: user1, to: sip:user2@here.com, at: 0s, hold-time: 5s}
//	  generated:                     # placed by Run.PlaceGenerated (Poisson arrivals)
//	    rate: 2/s
//	    count: 100                   # and/or duration: 10m
//	    start: 0s
//	    callers: [user1]
//	    callees: [sip:user2@here.com]
//	    hold-time: exponential 2m
//	  pings:                         # OPTIONS, placed by Run.PlacePings
//	    - {from: user1, to: sip:here.com, every: 10s, start: 0s, count: 5}
//	    # count may be left out only when the run has a duration bound
//	    # (Run.Until, sipsim run --duration), or the pings never end
//	  # registrations are not part of the workload: they are configured on
//	  # the ua, with its register option (see the ua's register: above;
//	  # sent at delay from the start, refreshed when refresh: true)
//	faults:
//	  - drop: {nth: 1, count: 1, method: ACK, status: 200, from: proxy1, to: proxy2, link: [proxy1, proxy2]}
//	  - crash: {node: proxy2, at: 1s, recover: 5s}
//	  - link-down: {link: [proxy1, stateless], from: 1s, to: 2s, one-way: false}
//
// # Validation
//
// Besides the syntax of each value, [Parse] checks that names and
// addresses are unique, that links, DNS servers, workload callers and
// faults name defined nodes (callers and ping senders must be user agents), that a next hop
// (outbound proxy, registrar, route) designates a node by address or name
// or a DNS domain, and that every node has a path of links to each node
// it must reach: its next hops, and for a proxy the contacts of its
// location service's static bindings.
package topologies
