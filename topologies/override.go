package topologies

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack/transaction"
	"github.com/sipsim/sipsim/sipstack/uri"
)

// Overrides names the parameters [Topology.Override] changes, in the order
// a sweep lists them. `sipsim run` has a flag and `sipsim sweep` a --vary
// name for each.
var Overrides = []string{"loss", "delay", "jitter", "bandwidth", "transport", "t1", "rate"}

// DefaultCallRate is the arrival rate, in calls per second, of the
// workload [Topology.SetCallCount] makes from a topology's explicit
// calls: 10 per second, the load the validation topologies (direct,
// stateful-hop, stateless-hop) are measured at.
const DefaultCallRate = 10

// Override changes the parsed topology before it is built, on every link
// (both directions, replacing each direction's own setting) or every
// node:
//
//	loss       Bernoulli loss with probability P (0.01 or 1%; 0 removes loss)
//	delay      propagation delay D (10ms)
//	jitter     jitter uniform on [0, D) (0 removes jitter; FIFO is kept)
//	bandwidth  link rate (10Mbit/s; 0 removes the limit)
//	transport  every node's transport, udp or tcp
//	t1         every node's T1 (T2 is raised to T1 if it was below)
//	rate       the generated workload's arrival rate (5/s, 300/min, or a
//	           bare number of calls per second)
//
// rate needs a generated workload: call [Topology.SetCallCount] first on a
// topology with explicit calls. The error names the value and why it is
// not usable, not the parameter: callers prefix it with their own name
// for it ("--loss", "loss=").
func (t *Topology) Override(name, value string) error {
	switch name {
	case "loss":
		p, err := ParseProbability(value)
		if err != nil {
			return err
		}
		t.eachLink(func(c *sim.LinkConfig) {
			c.Loss = nil
			if p > 0 {
				c.Loss = sim.Bernoulli{P: p}
			}
		})
	case "delay":
		d, err := nonNegativeDuration(value)
		if err != nil {
			return err
		}
		t.eachLink(func(c *sim.LinkConfig) { c.Delay = d })
	case "jitter":
		d, err := nonNegativeDuration(value)
		if err != nil {
			return err
		}
		t.eachLink(func(c *sim.LinkConfig) {
			c.Jitter = nil
			if d > 0 {
				c.Jitter = sim.Uniform{Min: 0, Max: d.Seconds()}
			}
		})
	case "bandwidth":
		var bps int64
		if strings.TrimSpace(value) != "0" {
			b, err := ParseBandwidth(value)
			if err != nil {
				return err
			}
			bps = b
		}
		t.eachLink(func(c *sim.LinkConfig) { c.Bandwidth = bps })
	case "transport":
		var tr transaction.Transport
		switch strings.ToLower(strings.TrimSpace(value)) {
		case "udp":
			tr = transaction.UDP
		case "tcp":
			tr = transaction.TCP
		default:
			return fmt.Errorf("%q is not a transport (want udp or tcp)", value)
		}
		t.eachNode(func(c *nodes.Config) { c.Transport.Transport = tr })
	case "t1":
		d, err := ParseDuration(value)
		if err == nil && d <= 0 {
			err = fmt.Errorf("%s is not a positive duration", strings.TrimSpace(value))
		}
		if err != nil {
			return err
		}
		t.eachNode(func(c *nodes.Config) {
			c.Timers.T1 = d
			t2 := c.Timers.T2
			if t2 == 0 {
				t2 = transaction.DefaultT2
			}
			if t2 < d {
				c.Timers.T2 = d
			}
		})
	case "rate":
		r, err := parseCallRate(value)
		if err != nil {
			return err
		}
		if t.Workload.Generated == nil {
			return fmt.Errorf("topology %s has no generated workload to set the rate of (give a number of calls too)", t.Name)
		}
		g := *t.Workload.Generated
		g.Rate = r
		t.Workload.Generated = &g
	default:
		return fmt.Errorf("unknown parameter %q (want one of %s)", name, strings.Join(Overrides, ", "))
	}
	return nil
}

// SetCallCount replaces the workload by n calls. A generated workload
// keeps its pattern and stops after its first n arrivals (its duration
// bound is dropped). Explicit calls become a generated workload of n
// Poisson arrivals at DefaultCallRate, from the time of the first call,
// of its caller calling its URI with its hold time (its other options are
// not kept).
func (t *Topology) SetCallCount(n int) error {
	if n <= 0 {
		return fmt.Errorf("%d is not a positive number of calls", n)
	}
	w := &t.Workload
	switch {
	case w.Generated != nil:
		g := *w.Generated
		g.Count, g.Duration = n, 0
		w.Generated = &g
	case len(w.Calls) > 0:
		c := w.Calls[0]
		w.Generated = &Generated{
			Rate: DefaultCallRate, Count: n, Start: c.At,
			Callers: []string{c.Caller}, Callees: []uri.URI{c.To},
			HoldTime: c.Options.HoldTime, Line: c.Line,
		}
	default:
		return fmt.Errorf("topology %s has no workload to repeat", t.Name)
	}
	w.Calls = nil
	return nil
}

// eachLink applies f to both directions of every link, on a copy of the
// link list so that a topology shared with other runs is not changed.
func (t *Topology) eachLink(f func(c *sim.LinkConfig)) {
	t.Links = slices.Clone(t.Links)
	for i := range t.Links {
		f(&t.Links[i].AB)
		f(&t.Links[i].BA)
	}
}

// eachNode applies f to every node's configuration, on a copy of the node
// list.
func (t *Topology) eachNode(f func(c *nodes.Config)) {
	t.Nodes = slices.Clone(t.Nodes)
	for i := range t.Nodes {
		f(&t.Nodes[i].Config)
	}
}

// nonNegativeDuration parses a duration that may be zero.
func nonNegativeDuration(s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", strings.TrimSpace(s))
	}
	return d, nil
}

// parseCallRate parses a rate as ParseRate does, or a bare positive number
// of calls per second.
func parseCallRate(s string) (float64, error) {
	if strings.Contains(s, "/") {
		return ParseRate(s)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return 0, fmt.Errorf("%q is not a positive rate (want such as 10, 10/s or 600/min)", s)
	}
	return v, nil
}

// OverrideNumber returns value, as Override would read it for name, as a
// number in base units: a probability for loss, seconds for delay, jitter
// and t1, bit/s for bandwidth, calls per second for rate. It returns
// false for transport, which is not a number.
func OverrideNumber(name, value string) (float64, bool, error) {
	switch name {
	case "loss":
		p, err := ParseProbability(value)
		return p, true, err
	case "delay", "jitter":
		d, err := nonNegativeDuration(value)
		return d.Seconds(), true, err
	case "t1":
		d, err := ParseDuration(value)
		if err == nil && d <= 0 {
			err = fmt.Errorf("%s is not a positive duration", strings.TrimSpace(value))
		}
		return d.Seconds(), true, err
	case "bandwidth":
		if strings.TrimSpace(value) == "0" {
			return 0, true, nil
		}
		b, err := ParseBandwidth(value)
		return float64(b), true, err
	case "rate":
		r, err := parseCallRate(value)
		return r, true, err
	case "transport":
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("unknown parameter %q (want one of %s)", name, strings.Join(Overrides, ", "))
}

// FormatOverride writes x, a number in the base units of OverrideNumber,
// as a value Override accepts for name: "0.05" for loss, "50ms" for a
// duration, "64000bit/s" for bandwidth, "10" for rate.
func FormatOverride(name string, x float64) string {
	switch name {
	case "delay", "jitter", "t1":
		return time.Duration(math.Round(x * 1e9)).String()
	case "bandwidth":
		return strconv.FormatInt(int64(math.Round(x)), 10) + "bit/s"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}
