package analysis_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

// directTheory is what RFC 3261's timers predict for one call on the
// direct topology: alice and bob on one link of one-way delay d, each
// datagram lost independently with probability p in either direction;
// bob sends no provisional response and answers every INVITE at once with
// 200 OK; UDP, T1 = 500 ms, T2 = 4 s.
//
// The derivation:
//
//   - alice sends the INVITE at a_k = T1 (2^(k-1) - 1), k = 1..7 (0, 0.5,
//     1.5, ..., 31.5 s): Timer A starts at T1 and doubles, without the T2
//     cap of non-INVITE requests, until Timer B fires at 64 T1 = 32 s
//     (RFC 3261 17.1.1.2). Let K be the first transmission that reaches
//     bob: P(K = k) = p^(k-1) (1 - p).
//   - bob's UAS core sends the 200 when that INVITE arrives, at a_K + d,
//     and retransmits it at offsets b_j: intervals T1, 2 T1, 4 T1, then
//     T2 (0, 0.5, 1.5, 3.5, 7.5, 11.5, ..., 31.5 s), until an ACK comes or
//     64 T1 have passed (RFC 3261 13.3.1.4). Let J be the first
//     transmission that reaches alice: P(J = j) = p^(j-1) (1 - p),
//     independent of K.
//   - Later copies of the INVITE do not change this: bob's server
//     transaction is in the Accepted state and absorbs them (RFC 6026
//     8.7), and alice stops sending when the 200 arrives.
//
// So the set-up delay is S = a_K + d + b_J + d, and the call is answered
// if S < 64 T1 (Timer B has not fired); alice sends the INVITE
// N = #{k : a_k < S} times (never equal: S is a_K + b_J plus 2d = 100 ms,
// off the half-second grid). Summing over (K, J) gives the exact mean of
// S and the distribution of N for the answered calls.
type directTheory struct {
	answered float64         // P(answered)
	mean     float64         // E[S | answered], seconds
	invites  map[int]float64 // P(N = n | answered)
}

func deriveDirect(p, d, t1, t2 float64) directTheory {
	timerB := 64 * t1
	var a []float64
	for k := 0; k < 7; k++ {
		a = append(a, t1*(math.Pow(2, float64(k))-1))
	}
	var b []float64
	for off, step := 0.0, t1; off < timerB; off, step = off+step, math.Min(2*step, t2) {
		b = append(b, off)
	}
	th := directTheory{invites: map[int]float64{}}
	for k, ak := range a {
		pk := math.Pow(p, float64(k)) * (1 - p)
		for j, bj := range b {
			pj := math.Pow(p, float64(j)) * (1 - p)
			s := ak + d + bj + d
			if s >= timerB {
				continue
			}
			n := 0
			for _, x := range a {
				if x < s {
					n++
				}
			}
			th.answered += pk * pj
			th.mean += pk * pj * s
			th.invites[n] += pk * pj
		}
	}
	th.mean /= th.answered
	for n := range th.invites {
		th.invites[n] /= th.answered
	}
	return th
}

// TestSetupDelayMatchesRFC3261Timers runs direct with Bernoulli loss and
// checks, against deriveDirect, the mean set-up delay (99% Student-t
// interval over the calls, which are independent here: no queue, no
// bandwidth limit) and the probability of each number of INVITE
// transmissions (99% Wilson score interval).
func TestSetupDelayMatchesRFC3261Timers(t *testing.T) {
	const calls = 8000
	for _, p := range []float64{0.05, 0.2} {
		t.Run(fmt.Sprint("p=", p), func(t *testing.T) {
			th := deriveDirect(p, 0.05, 0.5, 4)
			top, err := topologies.LoadBuiltin("direct")
			require.NoError(t, err)
			require.NoError(t, top.Override("loss", fmt.Sprint(p)))
			require.NoError(t, top.SetCallCount(calls))
			var setups []float64
			invites := map[int]int{}
			runMetrics(t, top, 1, func(m *analysis.CallMetrics) {
				if m.Outcome == analysis.Answered {
					setups = append(setups, m.Setup.Seconds())
					invites[m.InviteTransmissions]++
				}
			})
			require.Greater(t, len(setups), calls*99/100)

			mean, lo, hi := analysis.MeanCI(setups, 0.99)
			t.Logf("mean set-up delay %.4f s, 99%% CI [%.4f, %.4f], theory %.4f s (%d answered)", mean, lo, hi, th.mean, len(setups))
			assert.True(t, lo <= th.mean && th.mean <= hi, "theory %.4f outside [%.4f, %.4f]", th.mean, lo, hi)
			// The check has power: a model with T1 off by a factor of
			// two is rejected.
			wrong := deriveDirect(p, 0.05, 0.25, 4)
			assert.False(t, lo <= wrong.mean && wrong.mean <= hi, "T1 = 250 ms (%.4f s) fits too", wrong.mean)

			z := distuv.UnitNormal.Quantile(0.995)
			n := float64(len(setups))
			for k := 1; k <= 7; k++ {
				want := th.invites[k]
				if want*n < 5 && invites[k] == 0 {
					continue // too rare to be seen in this many calls
				}
				lo, hi := wilson(float64(invites[k]), n, z)
				t.Logf("P(%d INVITE transmissions) = %.4f, 99%% CI [%.4f, %.4f], theory %.4f", k, float64(invites[k])/n, lo, hi, want)
				assert.True(t, lo <= want && want <= hi, "k=%d: theory %.4f outside [%.4f, %.4f]", k, want, lo, hi)
			}
		})
	}
}

// wilson returns the Wilson score interval of a proportion of x in n at
// the normal quantile z (Wilson 1927), which stays inside [0, 1] and is
// accurate for proportions near 0, unlike the normal approximation.
func wilson(x, n, z float64) (lo, hi float64) {
	ph := x / n
	den := 1 + z*z/n
	c := (ph + z*z/(2*n)) / den
	h := z * math.Sqrt(ph*(1-ph)/n+z*z/(4*n*n)) / den
	return c - h, c + h
}

// TestSetupDelayWithoutLossIsTheSumOfLinkDelays checks every call of the
// validation topologies at loss 0: the INVITE's path and the 200's path
// back, 50 ms a link.
func TestSetupDelayWithoutLossIsTheSumOfLinkDelays(t *testing.T) {
	for name, want := range map[string]time.Duration{
		"direct":        100 * time.Millisecond, // alice-bob and back
		"stateful-hop":  200 * time.Millisecond, // alice-proxy-bob and back
		"stateless-hop": 200 * time.Millisecond,
	} {
		t.Run(name, func(t *testing.T) {
			top, err := topologies.LoadBuiltin(name)
			require.NoError(t, err)
			require.NoError(t, top.SetCallCount(500))
			n := 0
			runMetrics(t, top, 3, func(m *analysis.CallMetrics) {
				n++
				assert.Equal(t, analysis.Answered, m.Outcome)
				assert.Equal(t, want, m.Setup, "call %d", m.Index)
				assert.Equal(t, 1, m.InviteTransmissions)
				assert.Zero(t, m.Retransmissions)
			})
			assert.Equal(t, 500, n)
		})
	}
}

// runMetrics runs top's workload and hands each call's metrics to f.
func runMetrics(t *testing.T, top *topologies.Topology, seed uint64, f func(*analysis.CallMetrics)) {
	t.Helper()
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	sink := analysis.NewCallSink(names, f, nil)
	r, err := topologies.Build(top, seed, sim.Tee(sink))
	require.NoError(t, err)
	r.PlaceCalls()
	r.PlaceGenerated()
	r.Sim.Run()
	sink.Flush()
}
