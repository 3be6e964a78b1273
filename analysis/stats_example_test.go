package analysis_test

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

// A histogram of set-up delays: delays that repeat one value keep it
// exactly, in quantiles and in the CDF.
func ExampleHistogram() {
	var h analysis.Histogram
	h.AddN(int64(100*time.Millisecond), 900)
	h.AddN(int64(600*time.Millisecond), 100)
	fmt.Println("p50:", time.Duration(h.Quantile(0.5)))
	fmt.Println("p95:", time.Duration(h.Quantile(0.95)))
	xs, ps := h.CDF()
	for i := range xs {
		fmt.Printf("P(delay <= %v) = %.2f\n", time.Duration(xs[i]), ps[i])
	}
	// Output:
	// p50: 100ms
	// p95: 600ms
	// P(delay <= 100ms) = 0.90
	// P(delay <= 600ms) = 1.00
}

// Replications of a sweep point: the mean delay per replication gives a
// Student-t interval, the histograms a bootstrap interval for the p95.
func ExampleQuantileCI() {
	rng := sim.NewStream(1, "example")
	var reps []*analysis.Histogram
	var means []float64
	for range 10 {
		h := &analysis.Histogram{}
		offset := 20 * rng.Float64()
		for range 1000 {
			ms := 100 + offset + 10*rng.ExpFloat64()
			h.Add(int64(ms * float64(time.Millisecond)))
		}
		reps = append(reps, h)
		means = append(means, h.Mean()/1e6)
	}
	mean, lo, hi := analysis.MeanCI(means, 0.95)
	fmt.Printf("mean %.1f ms, 95%% CI [%.1f, %.1f]\n", mean, lo, hi)
	est, lo, hi := analysis.QuantileCI(reps, 0.95, 0.95, 1000, sim.NewStream(1, "bootstrap"))
	fmt.Printf("p95 %.1f ms, 95%% CI [%.1f, %.1f]\n", est/1e6, lo/1e6, hi/1e6)
	// Output:
	// mean 120.5 ms, 95% CI [116.0, 125.0]
	// p95 142.5 ms, 95% CI [138.6, 145.3]
}
