package sim

import (
	"math"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// closedForm is what gonum's distuv knows of a distribution: the reference
// the samplers are checked against.
type closedForm interface {
	CDF(x float64) float64
	Quantile(p float64) float64
	Mean() float64
	Variance() float64
	ExKurtosis() float64
}

// distCases pairs each sampler with gonum's closed forms of the same law.
var distCases = []struct {
	d   Dist
	ref closedForm
}{
	{Uniform{Min: 0.01, Max: 0.05}, distuv.Uniform{Min: 0.01, Max: 0.05}},
	{Uniform{Min: -3, Max: 7}, distuv.Uniform{Min: -3, Max: 7}},
	{Exponential{Mu: 0.5}, distuv.Exponential{Rate: 2}},
	{Exponential{Mu: 0.02}, distuv.Exponential{Rate: 50}},
	{Normal{Mu: 0.05, Sigma: 0.01}, distuv.Normal{Mu: 0.05, Sigma: 0.01}},
	{Normal{Mu: -2, Sigma: 3}, distuv.Normal{Mu: -2, Sigma: 3}},
	{LogNormal{Mu: -3, Sigma: 0.5}, distuv.LogNormal{Mu: -3, Sigma: 0.5}},
	{LogNormal{Mu: 0, Sigma: 1}, distuv.LogNormal{Mu: 0, Sigma: 1}},
	{Pareto{Xm: 0.01, Alpha: 5}, distuv.Pareto{Xm: 0.01, Alpha: 5}},
	{Pareto{Xm: 1, Alpha: 1.5}, distuv.Pareto{Xm: 1, Alpha: 1.5}}, // infinite variance
	{Pareto{Xm: 2, Alpha: 0.8}, distuv.Pareto{Xm: 2, Alpha: 0.8}}, // infinite mean
}

// TestDistAgainstGonum draws a fixed-seed sample from each distribution and
// checks it against gonum's closed forms: the Kolmogorov-Smirnov distance
// to the CDF, the fraction of the sample below five quantiles, and, where
// the moments exist, the sample mean and variance, each within a bound that
// a correct sampler exceeds with probability well under 1e-3.
func TestDistAgainstGonum(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i, c := range distCases {
		r := NewStream(uint64(i), "dist-test")
		xs := make([]float64, n)
		for j := range xs {
			xs[j] = c.d.Sample(r)
		}
		name := c.d.String()

		if dm, rm := c.d.Mean(), c.ref.Mean(); !closeRel(dm, rm, 1e-12) {
			t.Errorf("%s: Mean() = %v, gonum %v", name, dm, rm)
		}

		mean, variance := stat.MeanVariance(xs, nil)
		if v := c.ref.Variance(); !math.IsInf(v, 0) && !math.IsNaN(v) {
			// The sample mean is about N(mean, v/n).
			if diff, bound := math.Abs(mean-c.ref.Mean()), 5*math.Sqrt(v/float64(n)); diff > bound {
				t.Errorf("%s: sample mean %v, gonum %v: off by %.3g > %.3g", name, mean, c.ref.Mean(), diff, bound)
			}
			// The sample variance is about N(v, v²(kurtosis-1)/n).
			if k := c.ref.ExKurtosis(); !math.IsInf(k, 0) && !math.IsNaN(k) {
				if diff, bound := math.Abs(variance-v), 6*v*math.Sqrt((k+2)/float64(n)); diff > bound {
					t.Errorf("%s: sample variance %v, gonum %v: off by %.3g > %.3g", name, variance, v, diff, bound)
				}
			}
		}

		for _, p := range []float64{0.01, 0.1, 0.5, 0.9, 0.99} {
			q := c.ref.Quantile(p)
			below := 0
			for _, x := range xs {
				if x <= q {
					below++
				}
			}
			frac := float64(below) / float64(n)
			if diff, bound := math.Abs(frac-p), 5*math.Sqrt(p*(1-p)/float64(n)); diff > bound {
				t.Errorf("%s: %.4f of the sample lies below gonum's %g-quantile %v, want %g ± %.4f", name, frac, p, q, p, bound)
			}
		}

		if d, crit := ksDistance(xs, c.ref.CDF), ksCritical(n); d > crit {
			t.Errorf("%s: KS distance to gonum's CDF %.5f > %.5f", name, d, crit)
		}
	}
}

// The checks above have power: a sampler of a slightly different law fails
// them. Without this, a KS bound too loose to fail would go unnoticed.
func TestDistCheckDetectsWrongLaw(t *testing.T) {
	const n = 20000
	tests := []struct {
		d   Dist
		ref closedForm
	}{
		{Exponential{Mu: 0.5}, distuv.Exponential{Rate: 1.9}},             // mean 5% off
		{Normal{Mu: 0, Sigma: 1}, distuv.Normal{Mu: 0.05, Sigma: 1}},      // shifted by 0.05 sd
		{LogNormal{Mu: 0, Sigma: 1}, distuv.LogNormal{Mu: 0, Sigma: 1.1}}, // wider
		{Pareto{Xm: 1, Alpha: 2}, distuv.Pareto{Xm: 1, Alpha: 2.2}},       // lighter tail
		{Uniform{Min: 0, Max: 1}, distuv.Uniform{Min: 0, Max: 1.05}},
	}
	for _, tt := range tests {
		r := NewStream(99, "power")
		xs := make([]float64, n)
		for j := range xs {
			xs[j] = tt.d.Sample(r)
		}
		if d, crit := ksDistance(xs, tt.ref.CDF), ksCritical(n); d <= crit {
			t.Errorf("%s against a different law: KS distance %.5f <= %.5f; the check cannot tell them apart", tt.d, d, crit)
		}
	}
}

func TestConstant(t *testing.T) {
	r := NewStream(1, "c")
	d := Constant{V: 0.25}
	for range 10 {
		if got := d.Sample(r); got != 0.25 {
			t.Fatalf("Constant{0.25}.Sample = %v, want 0.25", got)
		}
	}
	if d.Mean() != 0.25 {
		t.Errorf("Constant{0.25}.Mean() = %v, want 0.25", d.Mean())
	}
	// A constant consumes no randomness: the stream is untouched.
	if got, want := r.Uint64(), NewStream(1, "c").Uint64(); got != want {
		t.Error("Constant.Sample consumed draws from its stream")
	}
}

func TestUniformRange(t *testing.T) {
	r := NewStream(1, "u")
	d := Uniform{Min: 2, Max: 3}
	for range 100000 {
		if x := d.Sample(r); x < 2 || x >= 3 {
			t.Fatalf("Uniform{2, 3}.Sample = %v, outside [2, 3)", x)
		}
	}
}

func TestParetoMinimum(t *testing.T) {
	r := NewStream(1, "p")
	d := Pareto{Xm: 0.5, Alpha: 1.2}
	for range 100000 {
		if x := d.Sample(r); x < 0.5 || math.IsInf(x, 0) || math.IsNaN(x) {
			t.Fatalf("Pareto{0.5, 1.2}.Sample = %v, want a finite value >= 0.5", x)
		}
	}
}

func TestDistString(t *testing.T) {
	tests := []struct {
		d    Dist
		want string
	}{
		{Constant{V: 0.05}, "constant(0.05)"},
		{Uniform{Min: 0.01, Max: 0.02}, "uniform(0.01,0.02)"},
		{Exponential{Mu: 0.5}, "exponential(mean=0.5)"},
		{Normal{Mu: 0.05, Sigma: 0.01}, "normal(mean=0.05,sd=0.01)"},
		{LogNormal{Mu: -3, Sigma: 0.5}, "lognormal(mu=-3,sigma=0.5)"},
		{Pareto{Xm: 0.01, Alpha: 1.5}, "pareto(xm=0.01,alpha=1.5)"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestParetoMeanInfinite(t *testing.T) {
	for _, a := range []float64{0.5, 1} {
		if m := (Pareto{Xm: 1, Alpha: a}).Mean(); !math.IsInf(m, 1) {
			t.Errorf("Pareto{1, %v}.Mean() = %v, want +Inf", a, m)
		}
	}
}

func TestSampleDuration(t *testing.T) {
	r := NewStream(1, "sd")
	tests := []struct {
		v    float64
		want time.Duration
	}{
		{0.05, 50 * time.Millisecond},
		{1.5, 1500 * time.Millisecond},
		{1.2e-9, 1}, // rounds to the nanosecond
		{0.4e-9, 0}, // rounds down to zero
		{0, 0},
		{-0.01, 0}, // a negative delay clamps to zero
		{math.Inf(-1), 0},
		{math.NaN(), 0},
		{1e300, time.Duration(math.MaxInt64)}, // saturates
		{math.Inf(1), time.Duration(math.MaxInt64)},
		{9.3e9, time.Duration(math.MaxInt64)}, // just beyond the range
	}
	for _, tt := range tests {
		if got := SampleDuration(Constant{V: tt.v}, r); got != tt.want {
			t.Errorf("SampleDuration(Constant{%v}) = %v, want %v", tt.v, got, tt.want)
		}
	}
	// A normal with most of its mass below zero clamps, never goes negative.
	d := Normal{Mu: -1, Sigma: 1}
	for range 1000 {
		if got := SampleDuration(d, r); got < 0 {
			t.Fatalf("SampleDuration(%v) = %v, want >= 0", d, got)
		}
	}
}

func closeRel(a, b, tol float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}
