package sim

import (
	"fmt"
	"math"
	"time"
)

// Dist is a probability distribution of real values, sampled from a caller's
// Stream so that every draw is reproducible. Links and workloads use Dists in
// seconds: see SampleDuration.
type Dist interface {
	// Sample draws one value using r.
	Sample(r *Stream) float64
	// Mean returns the distribution's expected value (+Inf when it has none).
	Mean() float64
	// String describes the distribution, such as "exponential(mean=0.5)".
	String() string
}

// SampleDuration draws a value in seconds from d and returns it as a
// duration, rounded to the nanosecond and clamped at zero: a delay can never
// be negative. Values beyond the range of time.Duration saturate.
func SampleDuration(d Dist, r *Stream) time.Duration {
	v := d.Sample(r)
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= float64(math.MaxInt64)/1e9:
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(math.Round(v * 1e9))
}

// Constant always yields V.
type Constant struct{ V float64 }

// Sample returns V; it draws nothing from the stream.
func (d Constant) Sample(*Stream) float64 { return d.V }

// Mean returns V.
func (d Constant) Mean() float64 { return d.V }

// String returns "constant(V)".
func (d Constant) String() string { return fmt.Sprintf("constant(%g)", d.V) }

// Uniform is the continuous uniform distribution on [Min, Max).
type Uniform struct{ Min, Max float64 }

// Sample draws one value in [Min, Max) from r (one Float64).
func (d Uniform) Sample(r *Stream) float64 { return d.Min + (d.Max-d.Min)*r.Float64() }

// Mean returns (Min+Max)/2.
func (d Uniform) Mean() float64 { return (d.Min + d.Max) / 2 }

// String returns "uniform(Min,Max)".
func (d Uniform) String() string { return fmt.Sprintf("uniform(%g,%g)", d.Min, d.Max) }

// Exponential is the exponential distribution with mean Mu (rate 1/Mu), the
// law of Poisson inter-arrival times. It samples with the ziggurat method of
// math/rand/v2's ExpFloat64.
type Exponential struct{ Mu float64 }

// Sample draws one value from r.
func (d Exponential) Sample(r *Stream) float64 { return d.Mu * r.ExpFloat64() }

// Mean returns Mu.
func (d Exponential) Mean() float64 { return d.Mu }

// String returns "exponential(mean=Mu)".
func (d Exponential) String() string { return fmt.Sprintf("exponential(mean=%g)", d.Mu) }

// Normal is the normal distribution with mean Mu and standard deviation
// Sigma. Used for delays it may yield negative values, which SampleDuration
// clamps to zero.
type Normal struct{ Mu, Sigma float64 }

// Sample draws one value from r.
func (d Normal) Sample(r *Stream) float64 { return d.Mu + d.Sigma*r.NormFloat64() }

// Mean returns Mu.
func (d Normal) Mean() float64 { return d.Mu }

// String returns "normal(mean=Mu,sd=Sigma)".
func (d Normal) String() string { return fmt.Sprintf("normal(mean=%g,sd=%g)", d.Mu, d.Sigma) }

// LogNormal is the distribution of exp(X) where X is normal with mean Mu and
// standard deviation Sigma (the parameters of the underlying normal, as in
// gonum's distuv.LogNormal). Its mean is exp(Mu + Sigma²/2).
type LogNormal struct{ Mu, Sigma float64 }

// Sample draws one value from r.
func (d LogNormal) Sample(r *Stream) float64 { return math.Exp(d.Mu + d.Sigma*r.NormFloat64()) }

// Mean returns exp(Mu + Sigma²/2).
func (d LogNormal) Mean() float64 { return math.Exp(d.Mu + d.Sigma*d.Sigma/2) }

// String returns "lognormal(mu=Mu,sigma=Sigma)".
func (d LogNormal) String() string {
	return fmt.Sprintf("lognormal(mu=%g,sigma=%g)", d.Mu, d.Sigma)
}

// Pareto is the Pareto (type I) distribution with scale Xm > 0 (its minimum)
// and shape Alpha > 0, the heavy-tailed law of hold times and bursty delays.
// Its mean is Alpha*Xm/(Alpha-1) for Alpha > 1 and infinite otherwise. It
// samples by inversion: Xm / U^(1/Alpha) with U uniform on (0, 1].
type Pareto struct{ Xm, Alpha float64 }

// Sample draws one value, at least Xm, from r.
func (d Pareto) Sample(r *Stream) float64 {
	u := 1 - r.Float64() // (0, 1]
	return d.Xm / math.Pow(u, 1/d.Alpha)
}

// Mean returns Alpha·Xm/(Alpha-1), or +Inf when Alpha <= 1.
func (d Pareto) Mean() float64 {
	if d.Alpha <= 1 {
		return math.Inf(1)
	}
	return d.Alpha * d.Xm / (d.Alpha - 1)
}

// String returns "pareto(xm=Xm,alpha=Alpha)".
func (d Pareto) String() string { return fmt.Sprintf("pareto(xm=%g,alpha=%g)", d.Xm, d.Alpha) }
