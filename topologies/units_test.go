package topologies

import (
	"math"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sim"
)

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"50ms", 50 * time.Millisecond, ""},
		{"1.5s", 1500 * time.Millisecond, ""},
		{"2m", 2 * time.Minute, ""},
		{" 1h30m ", 90 * time.Minute, ""},
		{"0", 0, ""},
		{"5", 0, `"5" has no unit (want a duration such as 50ms, 1.5s, 2m)`},
		{"-1s", 0, "-1s is negative"},
		{"fast", 0, `"fast" is not a duration (want such as 50ms, 1.5s, 2m)`},
		{"", 0, `"" is not a duration (want such as 50ms, 1.5s, 2m)`},
	} {
		got, err := ParseDuration(tt.in)
		checkUnit(t, "ParseDuration", tt.in, got, tt.want, err, tt.err)
	}
}

func TestParseBandwidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		err  string
	}{
		{"2Mbit/s", 2_000_000, ""},
		{"64kbit/s", 64_000, ""},
		{"1Gbit/s", 1_000_000_000, ""},
		{"1000bit/s", 1000, ""},
		{"1.5 Mbit/s", 1_500_000, ""},
		{"0bit/s", 0, ""},
		{"2Mbps", 0, `"2Mbps" is not a bandwidth (want such as 64kbit/s, 2Mbit/s, 1Gbit/s)`},
		{"2000", 0, `"2000" is not a bandwidth (want such as 64kbit/s, 2Mbit/s, 1Gbit/s)`},
		{"-1kbit/s", 0, "-1kbit/s is not in [0bit/s, 1000000000000000bit/s]"},
		{"2000Tbit/s", 0, "2000Tbit/s is not in [0bit/s, 1000000000000000bit/s]"},
		// Regression: a unit must not be a prefix match ("Mbit/sx").
		{"2Mbit/sx", 0, `"2Mbit/sx" is not a bandwidth (want such as 64kbit/s, 2Mbit/s, 1Gbit/s)`},
	} {
		got, err := ParseBandwidth(tt.in)
		checkUnit(t, "ParseBandwidth", tt.in, got, tt.want, err, tt.err)
	}
}

func TestParseSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		err  string
	}{
		{"1500B", 1500, ""},
		{"64KiB", 65536, ""},
		{"1.5KiB", 1536, ""},
		{"64kB", 64000, ""},
		{"1MiB", 1 << 20, ""},
		{"0B", 0, ""},
		{"1500", 0, `"1500" is not a size (want such as 1500B, 64KiB, 1MB)`},
		{"1.5B", 0, "1.5B is not a whole number of bytes"},
		{"2GiB", 0, "2GiB is not in [0B, 1GiB]"},
		{"-1B", 0, "-1B is not in [0B, 1GiB]"},
	} {
		got, err := ParseSize(tt.in)
		checkUnit(t, "ParseSize", tt.in, got, tt.want, err, tt.err)
	}
}

func TestParseProbability(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		err  string
	}{
		{"0.01", 0.01, ""},
		{"1%", 0.01, ""},
		{"100%", 1, ""},
		{"0", 0, ""},
		{"1", 1, ""},
		{"1.5", 0, "1.5 is not a probability"},
		{"150%", 0, "150% is not a probability"},
		{"-0.1", 0, "-0.1 is not a probability"},
		{"NaN", 0, `"NaN" is not a probability (want such as 0.01 or 1%)`},
		{"%", 0, `"%" is not a probability (want such as 0.01 or 1%)`},
		{"0x1p-2", 0, `"0x1p-2" is not a probability (want such as 0.01 or 1%)`},
	} {
		got, err := ParseProbability(tt.in)
		checkUnit(t, "ParseProbability", tt.in, got, tt.want, err, tt.err)
	}
}

func TestParseRate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		err  string
	}{
		{"2/s", 2, ""},
		{"30/min", 0.5, ""},
		{"3600/h", 1, ""},
		{"0/s", 0, "0/s is not a positive rate"},
		{"2", 0, `"2" is not a rate (want such as 2/s, 30/min, 100/h)`},
		{"2/day", 0, `"2/day" is not a rate (want such as 2/s, 30/min, 100/h)`},
	} {
		got, err := ParseRate(tt.in)
		checkUnit(t, "ParseRate", tt.in, got, tt.want, err, tt.err)
	}
}

func TestParseDist(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want sim.Dist
		err  string
	}{
		{"constant 2s", sim.Constant{V: 2}, ""},
		{"5s", sim.Constant{V: 5}, ""},
		{"uniform 1s 3s", sim.Uniform{Min: 1, Max: 3}, ""},
		{"exponential 2s", sim.Exponential{Mu: 2}, ""},
		{"normal 2s 500ms", sim.Normal{Mu: 2, Sigma: 0.5}, ""},
		{"lognormal 1s 0.5", sim.LogNormal{Mu: 0, Sigma: 0.5}, ""},
		{"pareto 1s 1.5", sim.Pareto{Xm: 1, Alpha: 1.5}, ""},
		{"  uniform   0s  0s ", sim.Uniform{}, ""},
		{"", nil, "empty distribution: " + errDist.Error()},
		{"gamma 1s", nil, `"gamma 1s": unknown distribution: ` + errDist.Error()},
		{"uniform 3s 1s", nil, `"uniform 3s 1s": minimum 3s is above maximum 1s`},
		{"uniform 1s", nil, `"uniform 1s": uniform takes 2 parameter(s), not 1: ` + errDist.Error()},
		{"exponential 0s", nil, `"exponential 0s": mean must be positive`},
		{"exponential 2", nil, `"exponential 2": "2" has no unit (want a duration such as 50ms, 1.5s, 2m)`},
		{"pareto 1s -1", nil, `"pareto 1s -1": shape -1 is not positive`},
		{"lognormal 1s x", nil, `"lognormal 1s x": "x" is not a number`},
	} {
		got, err := ParseDist(tt.in)
		checkUnit(t, "ParseDist", tt.in, got, tt.want, err, tt.err)
	}
}

// checkUnit reports a mismatch of one row of a unit parser's table.
func checkUnit[T comparable](t *testing.T, fn, in string, got, want T, err error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || err.Error() != wantErr {
			t.Errorf("%s(%q) error = %v, want %q", fn, in, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Errorf("%s(%q) error = %v", fn, in, err)
		return
	}
	if got != want {
		t.Errorf("%s(%q) = %v, want %v", fn, in, got, want)
	}
}

// The fuzz tests check that the parsers never panic and that what they
// accept is in range.

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"50ms", "1.5s", "2m", "0", "-1s", "5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := ParseDuration(s); err == nil && d < 0 {
			t.Errorf("ParseDuration(%q) = %v, negative", s, d)
		}
	})
}

func FuzzParseBandwidth(f *testing.F) {
	for _, s := range []string{"2Mbit/s", "64kbit/s", "1Gbit/s", "1000bit/s", "1e3 bit/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseBandwidth(s); err == nil && (b < 0 || b > sim.MaxBandwidth) {
			t.Errorf("ParseBandwidth(%q) = %d, out of range", s, b)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"1500B", "64KiB", "1.5KiB", "1MB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if b, err := ParseSize(s); err == nil && (b < 0 || b > maxSize) {
			t.Errorf("ParseSize(%q) = %d, out of range", s, b)
		}
	})
}

func FuzzParseProbability(f *testing.F) {
	for _, s := range []string{"0.01", "1%", "1.5", "100%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := ParseProbability(s); err == nil && !(p >= 0 && p <= 1) {
			t.Errorf("ParseProbability(%q) = %v, not a probability", s, p)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"2/s", "30/min", "100/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRate(s); err == nil && !(r > 0) {
			t.Errorf("ParseRate(%q) = %v, not positive", s, r)
		}
	})
}

func FuzzParseDist(f *testing.F) {
	for _, s := range []string{"constant 2s", "uniform 1s 3s", "exponential 2s", "normal 2s 500ms", "lognormal 2s 0.5", "pareto 1s 1.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDist(s)
		if err != nil {
			return
		}
		if m := d.Mean(); math.IsNaN(m) {
			t.Errorf("ParseDist(%q) = %v, mean NaN", s, d)
		}
		_ = d.String()
	})
}
