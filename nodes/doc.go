// Package nodes holds the SIP network elements of a simulation: user
// agents, stateful and stateless proxies, redirect servers, registrars,
// the location service they share, and DNS-like resolution.
//
// Each element is a thin adapter: sipstack's sans-I/O machines decide, and a
// [Core] binds them to the simulated network, turning send actions into
// datagrams of package sim, timer actions into scheduled events, and
// deliveries into parsed messages. Elements draw every identifier and every
// behaviour from their own random stream, named after their host, so a run
// is reproducible and adding an element never changes the draws of another.
// They report what they decide (a route, a fork, a challenge, a loop) to the
// trace with [Core.Note], so that a ladder can explain a call.
package nodes
