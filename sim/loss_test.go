package sim

import (
	"math"
	"testing"
)

func TestBernoulliLossRateWithinCI(t *testing.T) {
	const n = 1_000_000
	for _, p := range []float64{0.001, 0.05, 0.3} {
		proc := Bernoulli{P: p}.NewProcess()
		r := NewStream(2026, "bernoulli-test")
		lost := 0
		for range n {
			if proc.Lost(r) {
				lost++
			}
		}
		// The count is Binomial(n, p): the 99.9% interval of the rate is
		// p ± z·√(p(1-p)/n).
		half := nwZ999 * math.Sqrt(p*(1-p)/n)
		nwNear(t, float64(lost)/n, p, half, "bernoulli(", p, ") loss rate")
	}
}

func TestBernoulliEdgesDrawNothing(t *testing.T) {
	r := NewStream(1, "x")
	ref := NewStream(1, "x")
	for range 100 {
		if (Bernoulli{P: 0}).Lost(r) {
			t.Fatal("p=0 lost a packet")
		}
		if !(Bernoulli{P: 1}).Lost(r) {
			t.Fatal("p=1 kept a packet")
		}
	}
	nwEq(t, r.Uint64(), ref.Uint64(), "a lossless or always-lossy model consumes no draws")
}

// nwBursts runs a Gilbert model n packets and returns the loss count and
// the lengths of the runs of consecutive losses.
func nwBursts(g GilbertElliott, n int, seed uint64) (lost int, bursts []int) {
	proc := g.NewProcess()
	r := NewStream(seed, "ge-test")
	run := 0
	for range n {
		if proc.Lost(r) {
			lost++
			run++
			continue
		}
		if run > 0 {
			bursts = append(bursts, run)
			run = 0
		}
	}
	return lost, bursts
}

func TestGilbertElliottRateAndBurstWithinCI(t *testing.T) {
	const n = 1_000_000
	tests := []struct {
		rate, burst float64
	}{
		{0.01, 1.5},
		{0.05, 3},
		{0.2, 8},
	}
	for _, tt := range tests {
		g, err := NewGilbertElliottFromRate(tt.rate, tt.burst)
		nwMust(t, err)
		nwNear(t, g.LossRate(), tt.rate, 1e-12, "LossRate()")
		nwNear(t, g.MeanBurst(), tt.burst, 1e-12, "MeanBurst()")
		lost, bursts := nwBursts(g, n, 99)

		// Loss indicators form a two-state Markov chain with second
		// eigenvalue λ = 1-P-R, so the variance of the loss count is
		// asymptotically n·π_B·π_G·(1+λ)/(1-λ) (not n·π_B·π_G: losses are
		// correlated).
		piB := g.BadFraction()
		lambda := 1 - g.P - g.R
		sd := math.Sqrt(piB * (1 - piB) * (1 + lambda) / (1 - lambda) / n)
		nwNear(t, float64(lost)/n, tt.rate, nwZ999*sd, "gilbert loss rate (rate ", tt.rate, ", burst ", tt.burst, ")")

		// Each burst is one sojourn in the bad state: geometric with success
		// probability R, mean 1/R, variance (1-R)/R², independent of the
		// others.
		sum := 0
		for _, b := range bursts {
			sum += b
		}
		m := float64(len(bursts))
		half := nwZ999 * math.Sqrt((1-g.R)/(g.R*g.R)/m)
		nwNear(t, float64(sum)/m, tt.burst, half, "mean burst length (rate ", tt.rate, ", burst ", tt.burst, ")")
	}
}

func TestGilbertElliottGeneralModelRate(t *testing.T) {
	// With losses in both states the long-run rate is
	// π_G·LossGood + π_B·LossBad. Given the state path, losses are
	// independent draws, so the variance of the rate is at most the state
	// chain's term times (LossBad-LossGood)² plus the Bernoulli term.
	const n = 1_000_000
	g, err := NewGilbertElliott(0.02, 0.2, 0.01, 0.6)
	nwMust(t, err)
	want := (0.2/0.22)*0.01 + (0.02/0.22)*0.6
	nwNear(t, g.LossRate(), want, 1e-12, "LossRate()")
	lost, _ := nwBursts(g, n, 5)
	piB := g.BadFraction()
	lambda := 1 - g.P - g.R
	chain := piB * (1 - piB) * (1 + lambda) / (1 - lambda) * (g.LossBad - g.LossGood) * (g.LossBad - g.LossGood)
	bern := want * (1 - want)
	sd := math.Sqrt((chain + bern) / n)
	nwNear(t, float64(lost)/n, want, nwZ999*sd, "gilbert-elliott loss rate")
}

func TestGilbertElliottProcessesAreIndependent(t *testing.T) {
	// Two directions built from one model value do not share state.
	g, err := NewGilbertElliott(1, 0, 0, 1) // enters B at once and stays
	nwMust(t, err)
	p1, p2 := g.NewProcess(), g.NewProcess()
	r := NewStream(1, "x")
	nwEq(t, p1.Lost(r), true, "first process in B")
	nwEq(t, p1.(*geProcess).bad, true, "p1 state")
	nwEq(t, p2.(*geProcess).bad, false, "a fresh process starts in G")
}

func TestLossModelValidation(t *testing.T) {
	tests := []struct {
		name string
		m    LossModel
		ok   bool
	}{
		{"bernoulli 0", Bernoulli{P: 0}, true},
		{"bernoulli 1", Bernoulli{P: 1}, true},
		{"bernoulli negative", Bernoulli{P: -0.1}, false},
		{"bernoulli NaN", Bernoulli{P: math.NaN()}, false},
		{"gilbert", GilbertElliott{P: 0.1, R: 0.5, LossBad: 1}, true},
		{"gilbert frozen chain", GilbertElliott{LossBad: 1}, false},
		{"gilbert P above 1", GilbertElliott{P: 1.1, R: 0.5}, false},
		{"gilbert loss NaN", GilbertElliott{P: 0.1, R: 0.5, LossGood: math.NaN()}, false},
	}
	for _, tt := range tests {
		err := tt.m.Validate()
		nwEq(t, err == nil, tt.ok, tt.name, " valid (", err, ")")
	}
	for _, bad := range []struct{ rate, burst float64 }{
		{-0.1, 2}, {1, 2}, {0.1, 0.5}, {0.1, math.Inf(1)}, {0.1, math.NaN()},
		{0.9, 2}, // needs P = 0.9·0.5/0.1 = 4.5 > 1
	} {
		if _, err := NewGilbertElliottFromRate(bad.rate, bad.burst); err == nil {
			t.Errorf("NewGilbertElliottFromRate(%v, %v): no error", bad.rate, bad.burst)
		}
	}
	g, err := NewGilbertElliottFromRate(0.1, 4)
	nwMust(t, err)
	// R = 1/4, P = 0.1·0.25/0.9.
	nwNear(t, g.R, 0.25, 1e-15, "R")
	nwNear(t, g.P, 0.1*0.25/0.9, 1e-15, "P")
	nwEq(t, g.String(), "gilbert-elliott(p=0.02777777777777778,r=0.25,loss-good=0,loss-bad=1)", "String()")
	nwEq(t, Bernoulli{P: 0.25}.String(), "bernoulli(p=0.25)", "String()")
}
