package charts_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/sipsim/sipsim/analysis/charts"
)

// Example draws the mean set-up delay of a small sweep against loss, one
// line per transport, with the 95% confidence intervals of the summary.
// A program would then call charts.Save(p, "setup.png").
func Example() {
	const summary = `loss,transport,reps,calls,setup_mean_s,setup_ci95_lo_s,setup_ci95_hi_s
0,udp,10,1000,0.12,0.11,0.13
0.1,udp,10,1000,0.5,0.45,0.55
0,tcp,10,1000,0.13,0.12,0.14
0.1,tcp,10,1000,0.3,0.28,0.32
`
	t, err := charts.ReadTable(strings.NewReader(summary))
	if err != nil {
		log.Fatal(err)
	}
	p, err := charts.Metric(t, "loss", "setup_mean_s", []string{"transport"}, charts.Options{Title: "Set-up delay under loss"})
	if err != nil {
		log.Fatal(err)
	}
	if err := charts.Write(p, io.Discard, ".svg"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Title.Text)
	fmt.Println(p.X.Label.Text, "|", p.Y.Label.Text)
	lo, hi := charts.CIColumns("setup_p95_s")
	fmt.Println(lo, hi)
	// Output:
	// Set-up delay under loss
	// 10 replications, 1000 calls per point
	// packet loss probability | set-up delay, mean (s)
	// setup_p95_ci95_lo_s setup_p95_ci95_hi_s
}

// ExampleECDF computes the points of an empirical distribution function
// from a distribution file's values and counts.
func ExampleECDF() {
	pts, err := charts.ECDF(charts.Series{Values: []float64{0.12, 0.62, 1.62}, Weights: []float64{6, 3, 1}})
	if err != nil {
		log.Fatal(err)
	}
	for _, pt := range pts {
		fmt.Printf("P(set-up delay <= %.2f s) = %.1f\n", pt.X, pt.Y)
	}
	// Output:
	// P(set-up delay <= 0.12 s) = 0.6
	// P(set-up delay <= 0.62 s) = 0.9
	// P(set-up delay <= 1.62 s) = 1.0
}
