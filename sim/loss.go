package sim

import (
	"fmt"
	"math"
)

// LossModel describes how a link direction loses packets. It is
// configuration: a value that may be shared by several link directions.
// Each direction calls NewProcess once and draws from its own process, so a
// stateful model (Gilbert-Elliott) keeps one state per direction.
//
// A link direction draws once per packet that reaches the wire: once per
// datagram, or once per fragment of a fragmented datagram (RFC 791), so a
// datagram of k fragments survives only if all k draws do.
type LossModel interface {
	// Validate reports whether the parameters are usable.
	Validate() error
	// LossRate returns the long-run fraction of packets lost.
	LossRate() float64
	// NewProcess returns a fresh loss process in the model's initial state.
	NewProcess() LossProcess
	// String describes the model, such as "bernoulli(p=0.01)".
	String() string
}

// LossProcess is the running state of a [LossModel] on one link direction.
type LossProcess interface {
	// Lost draws the fate of the next packet from r and reports whether the
	// packet is lost. Cost: O(1), no allocation.
	Lost(r *Stream) bool
}

// Bernoulli loses each packet independently with probability P.
type Bernoulli struct {
	// P is the loss probability of each packet, in [0, 1].
	P float64
}

// Validate reports an error unless 0 <= P <= 1.
func (b Bernoulli) Validate() error {
	if !(b.P >= 0 && b.P <= 1) {
		return fmt.Errorf("sim: bernoulli loss probability %v is not in [0, 1]", b.P)
	}
	return nil
}

// LossRate returns P.
func (b Bernoulli) LossRate() float64 { return b.P }

// NewProcess returns b itself: the model has no state.
func (b Bernoulli) NewProcess() LossProcess { return b }

// Lost reports a loss with probability P, drawing one uniform value (none
// when P is 0 or 1, so a lossless link consumes no random draws).
func (b Bernoulli) Lost(r *Stream) bool {
	switch {
	case b.P <= 0:
		return false
	case b.P >= 1:
		return true
	}
	return r.Float64() < b.P
}

// String returns "bernoulli(p=P)".
func (b Bernoulli) String() string { return fmt.Sprintf("bernoulli(p=%g)", b.P) }

// GilbertElliott is the two-state Markov burst-loss model of Gilbert (1960)
// and Elliott (1963). The channel is in a good state G or a bad state B. For
// each packet the chain first makes one transition (G to B with probability
// P, B to G with probability R), then the packet is lost with the loss
// probability of the new state (LossGood in G, LossBad in B). A process
// starts in G.
//
// Its stationary distribution is π_B = P/(P+R), π_G = R/(P+R), so the
// long-run loss rate is π_G*LossGood + π_B*LossBad. The sojourn in B is
// geometric with mean 1/R packets: with LossBad = 1 and LossGood = 0 (the
// Gilbert model) every loss burst is exactly one sojourn in B, so the mean
// burst length is 1/R and the loss rate is π_B. See
// [NewGilbertElliottFromRate] for the parameters users tune.
type GilbertElliott struct {
	// P is the probability of a transition from good to bad, per packet.
	P float64
	// R is the probability of a transition from bad to good, per packet.
	R float64
	// LossGood is the loss probability in the good state (often 0).
	LossGood float64
	// LossBad is the loss probability in the bad state (often 1).
	LossBad float64
}

// NewGilbertElliott returns the model with the given transition and loss
// probabilities, or an error if it is invalid (see Validate).
func NewGilbertElliott(p, r, lossGood, lossBad float64) (GilbertElliott, error) {
	g := GilbertElliott{P: p, R: r, LossGood: lossGood, LossBad: lossBad}
	return g, g.Validate()
}

// NewGilbertElliottFromRate returns the Gilbert model (LossGood = 0,
// LossBad = 1) with the given long-run loss rate and mean loss-burst length
// in packets:
//
//	R = 1/meanBurst            (the mean sojourn in B is 1/R)
//	P = rate*R/(1-rate)        (from π_B = P/(P+R) = rate)
//
// It returns an error unless 0 <= rate < 1, meanBurst >= 1 and the implied
// P is at most 1 (rate <= meanBurst/(meanBurst+1)).
func NewGilbertElliottFromRate(rate, meanBurst float64) (GilbertElliott, error) {
	if !(rate >= 0 && rate < 1) {
		return GilbertElliott{}, fmt.Errorf("sim: gilbert-elliott loss rate %v is not in [0, 1)", rate)
	}
	if !(meanBurst >= 1) || math.IsInf(meanBurst, 1) {
		return GilbertElliott{}, fmt.Errorf("sim: gilbert-elliott mean burst length %v is not a finite number >= 1", meanBurst)
	}
	r := 1 / meanBurst
	p := rate * r / (1 - rate)
	if p > 1 {
		return GilbertElliott{}, fmt.Errorf("sim: gilbert-elliott loss rate %v is unreachable with mean burst %v (at most %v)",
			rate, meanBurst, meanBurst/(meanBurst+1))
	}
	return NewGilbertElliott(p, r, 0, 1)
}

// Validate reports an error unless every probability is in [0, 1] and
// P+R > 0 (otherwise the chain never moves and has no long-run rate).
func (g GilbertElliott) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"P", g.P}, {"R", g.R}, {"LossGood", g.LossGood}, {"LossBad", g.LossBad}} {
		if !(f.v >= 0 && f.v <= 1) {
			return fmt.Errorf("sim: gilbert-elliott %s = %v is not in [0, 1]", f.name, f.v)
		}
	}
	if g.P+g.R == 0 {
		return fmt.Errorf("sim: gilbert-elliott P and R are both 0")
	}
	return nil
}

// BadFraction returns π_B = P/(P+R), the long-run fraction of packets sent
// in the bad state.
func (g GilbertElliott) BadFraction() float64 { return g.P / (g.P + g.R) }

// LossRate returns π_G*LossGood + π_B*LossBad.
func (g GilbertElliott) LossRate() float64 {
	b := g.BadFraction()
	return (1-b)*g.LossGood + b*g.LossBad
}

// MeanBurst returns 1/R, the mean sojourn in the bad state in packets: the
// mean loss-burst length when LossBad = 1 and LossGood = 0.
func (g GilbertElliott) MeanBurst() float64 { return 1 / g.R }

// NewProcess returns a process in the good state.
func (g GilbertElliott) NewProcess() LossProcess { return &geProcess{m: g} }

// String returns "gilbert-elliott(p=..,r=..,loss-good=..,loss-bad=..)".
func (g GilbertElliott) String() string {
	return fmt.Sprintf("gilbert-elliott(p=%g,r=%g,loss-good=%g,loss-bad=%g)", g.P, g.R, g.LossGood, g.LossBad)
}

// geProcess is one direction's Gilbert-Elliott chain.
type geProcess struct {
	m   GilbertElliott
	bad bool
}

// Lost makes one transition, then one loss draw in the new state. It draws
// two uniform values per packet (fewer when a probability is 0 or 1).
func (p *geProcess) Lost(r *Stream) bool {
	if p.bad {
		if draw(r, p.m.R) {
			p.bad = false
		}
	} else if draw(r, p.m.P) {
		p.bad = true
	}
	if p.bad {
		return draw(r, p.m.LossBad)
	}
	return draw(r, p.m.LossGood)
}

// draw returns true with probability q, without a draw when q is 0 or 1.
func draw(r *Stream, q float64) bool {
	switch {
	case q <= 0:
		return false
	case q >= 1:
		return true
	}
	return r.Float64() < q
}
