package topologies

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
)

// Unit syntax. Every value of a topology file carries its unit, so that a
// reader never has to guess it:
//
//	duration     50ms, 1.5s, 2m, 1h30m (time.ParseDuration; "0" alone is 0)
//	bandwidth    1000bit/s, 64kbit/s, 2Mbit/s, 1Gbit/s, 1Tbit/s (SI: k = 1000)
//	size         1500B, 64kB, 1MB (SI), 64KiB, 1MiB (binary)
//	probability  0.01, or 1% (a percentage)
//	rate         2/s, 30/min, 100/h (events per unit of time)
//	distribution constant 2s | uniform 1s 3s | exponential 2s |
//	             normal 2s 500ms | lognormal 2s 0.5 | pareto 1s 1.5
//
// A number and its unit may be separated by spaces ("2 Mbit/s").

// ParseDuration parses a non-negative duration such as "50ms", "1.5s" or
// "2m" (time.ParseDuration syntax). A bare number other than "0" has no
// unit and is an error.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	d, err := time.ParseDuration(t)
	if err != nil {
		if _, ferr := strconv.ParseFloat(t, 64); ferr == nil {
			return 0, fmt.Errorf("%q has no unit (want a duration such as 50ms, 1.5s, 2m)", s)
		}
		return 0, fmt.Errorf("%q is not a duration (want such as 50ms, 1.5s, 2m)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%s is negative", t)
	}
	return d, nil
}

// splitNumber splits s into a leading decimal number and the unit after
// it, spaces trimmed.
func splitNumber(s string) (num float64, unit string, ok bool) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == '-' || t[i] == '+' || t[i] == 'e' && i > 0 && i+1 < len(t) && (t[i+1] >= '0' && t[i+1] <= '9' || t[i+1] == '-' || t[i+1] == '+')) {
		i++
	}
	v, err := strconv.ParseFloat(t[:i], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, "", false
	}
	return v, strings.TrimSpace(t[i:]), true
}

// bandwidthUnits are the bandwidth units and their value in bit/s.
var bandwidthUnits = map[string]float64{
	"bit/s": 1, "kbit/s": 1e3, "Mbit/s": 1e6, "Gbit/s": 1e9, "Tbit/s": 1e12,
}

// ParseBandwidth parses a bandwidth such as "2Mbit/s", "64kbit/s",
// "1Gbit/s" or "1000bit/s" and returns it in bit/s, rounded to the nearest
// bit/s. It must be in [0, sim.MaxBandwidth]; zero means unlimited.
func ParseBandwidth(s string) (int64, error) {
	v, unit, ok := splitNumber(s)
	mult, known := bandwidthUnits[unit]
	if !ok || !known {
		return 0, fmt.Errorf("%q is not a bandwidth (want such as 64kbit/s, 2Mbit/s, 1Gbit/s)", s)
	}
	bits := math.Round(v * mult)
	if bits < 0 || bits > sim.MaxBandwidth {
		return 0, fmt.Errorf("%s is not in [0bit/s, %dbit/s]", strings.TrimSpace(s), int64(sim.MaxBandwidth))
	}
	return int64(bits), nil
}

// sizeUnits are the size units and their value in bytes.
var sizeUnits = map[string]float64{
	"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
}

// maxSize bounds sizes: 1 GiB is far more than any queue or MTU.
const maxSize = 1 << 30

// ParseSize parses a size in bytes such as "1500B", "64KiB" or "1MB". The
// result must be a whole number of bytes in [0, 1GiB].
func ParseSize(s string) (int, error) {
	v, unit, ok := splitNumber(s)
	mult, known := sizeUnits[unit]
	if !ok || !known {
		return 0, fmt.Errorf("%q is not a size (want such as 1500B, 64KiB, 1MB)", s)
	}
	b := v * mult
	switch {
	case b < 0 || b > maxSize:
		return 0, fmt.Errorf("%s is not in [0B, 1GiB]", strings.TrimSpace(s))
	case b != math.Trunc(b):
		return 0, fmt.Errorf("%s is not a whole number of bytes", strings.TrimSpace(s))
	}
	return int(b), nil
}

// ParseProbability parses a probability written as a number in [0, 1]
// ("0.01") or a percentage in [0%, 100%] ("1%").
func ParseProbability(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	num := strings.TrimSpace(strings.TrimSuffix(t, "%"))
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || strings.ContainsAny(num, "xXpP_") || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a probability (want such as 0.01 or 1%%)", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%s is not a probability", t)
	}
	return v, nil
}

// rateUnits are the units of a rate and their length in seconds.
var rateUnits = map[string]float64{"s": 1, "min": 60, "h": 3600}

// ParseRate parses a positive rate of events such as "2/s", "30/min" or
// "100/h" and returns it per second.
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	num, unit, found := strings.Cut(t, "/")
	per, known := rateUnits[strings.TrimSpace(unit)]
	num = strings.TrimSpace(num)
	v, err := strconv.ParseFloat(num, 64)
	if !found || !known || err != nil || strings.ContainsAny(num, "xXpP_") || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a rate (want such as 2/s, 30/min, 100/h)", s)
	}
	if v <= 0 {
		return 0, fmt.Errorf("%s is not a positive rate", t)
	}
	return v / per, nil
}

// errDist is the usage of the distribution syntax, for error messages.
var errDist = errors.New("want constant D | uniform MIN MAX | exponential MEAN | normal MEAN SD | lognormal MEDIAN SIGMA | pareto MIN ALPHA, durations such as 2s")

// ParseDist parses a distribution of durations and returns it as a
// sim.Dist in seconds. The syntax is a name and its parameters, separated
// by spaces:
//
//	constant D           always D (a bare duration "D" means the same)
//	uniform MIN MAX      uniform on [MIN, MAX), 0 <= MIN <= MAX
//	exponential MEAN     exponential with mean MEAN > 0
//	normal MEAN SD       normal (negative draws count as 0), SD >= 0
//	lognormal MEDIAN S   exp(N(ln MEDIAN, S²)): MEDIAN > 0 a duration,
//	                     S >= 0 a plain number (the sigma of the log)
//	pareto MIN ALPHA     Pareto type I with minimum MIN > 0 and shape
//	                     ALPHA > 0 a plain number
//
// MEAN, MIN, MAX, D, SD and MEDIAN are durations ("2s", "500ms").
func ParseDist(s string) (sim.Dist, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, fmt.Errorf("empty distribution: %w", errDist)
	}
	bad := func(format string, args ...any) (sim.Dist, error) {
		return nil, fmt.Errorf("%q: "+format, append([]any{strings.Join(f, " ")}, args...)...)
	}
	args := f[1:]
	want := map[string]int{"constant": 1, "uniform": 2, "exponential": 1, "normal": 2, "lognormal": 2, "pareto": 2}
	n, known := want[f[0]]
	if !known {
		if len(f) == 1 {
			if d, err := ParseDuration(f[0]); err == nil {
				return sim.Constant{V: d.Seconds()}, nil
			}
		}
		return bad("unknown distribution: %w", errDist)
	}
	if len(args) != n {
		return bad("%s takes %d parameter(s), not %d: %w", f[0], n, len(args), errDist)
	}
	durs := make([]float64, n)
	durOK := make([]error, n)
	for i, a := range args {
		d, err := ParseDuration(a)
		durs[i], durOK[i] = d.Seconds(), err
	}
	number := func(a string) (float64, error) {
		v, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(a, "xXpP_") {
			return 0, fmt.Errorf("%q is not a number", a)
		}
		return v, nil
	}
	needDur := func(i int) error {
		if durOK[i] != nil {
			return durOK[i]
		}
		return nil
	}
	switch f[0] {
	case "constant":
		if err := needDur(0); err != nil {
			return bad("%v", err)
		}
		return sim.Constant{V: durs[0]}, nil
	case "uniform":
		for i := range 2 {
			if err := needDur(i); err != nil {
				return bad("%v", err)
			}
		}
		if durs[0] > durs[1] {
			return bad("minimum %s is above maximum %s", args[0], args[1])
		}
		return sim.Uniform{Min: durs[0], Max: durs[1]}, nil
	case "exponential":
		if err := needDur(0); err != nil {
			return bad("%v", err)
		}
		if durs[0] <= 0 {
			return bad("mean must be positive")
		}
		return sim.Exponential{Mu: durs[0]}, nil
	case "normal":
		for i := range 2 {
			if err := needDur(i); err != nil {
				return bad("%v", err)
			}
		}
		return sim.Normal{Mu: durs[0], Sigma: durs[1]}, nil
	case "lognormal":
		if err := needDur(0); err != nil {
			return bad("%v", err)
		}
		if durs[0] <= 0 {
			return bad("median must be positive")
		}
		sigma, err := number(args[1])
		if err != nil {
			return bad("%v", err)
		}
		if sigma < 0 {
			return bad("sigma %s is negative", args[1])
		}
		return sim.LogNormal{Mu: math.Log(durs[0]), Sigma: sigma}, nil
	default: // pareto
		if err := needDur(0); err != nil {
			return bad("%v", err)
		}
		if durs[0] <= 0 {
			return bad("minimum must be positive")
		}
		alpha, err := number(args[1])
		if err != nil {
			return bad("%v", err)
		}
		if alpha <= 0 {
			return bad("shape %s is not positive", args[1])
		}
		return sim.Pareto{Xm: durs[0], Alpha: alpha}, nil
	}
}
