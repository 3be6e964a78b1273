package charts

import "testing"

func TestCIColumns(t *testing.T) {
	for _, tc := range []struct{ y, lo, hi string }{
		{"setup_mean_s", "setup_ci95_lo_s", "setup_ci95_hi_s"},
		{"setup_p50_s", "setup_p50_ci95_lo_s", "setup_p50_ci95_hi_s"},
		{"setup_p95_s", "setup_p95_ci95_lo_s", "setup_p95_ci95_hi_s"},
		{"srd_mean_s", "srd_ci95_lo_s", "srd_ci95_hi_s"},
		{"retransmissions_per_call", "retransmissions_per_call_ci95_lo", "retransmissions_per_call_ci95_hi"},
		{"ser", "ser_ci95_lo", "ser_ci95_hi"},
		{"x_mean", "x_ci95_lo", "x_ci95_hi"},
		// A name that is only a suffix keeps it: there is nothing to strip it from.
		{"_s", "_s_ci95_lo", "_s_ci95_hi"},
		{"_mean_s", "_mean_ci95_lo_s", "_mean_ci95_hi_s"},
	} {
		lo, hi := CIColumns(tc.y)
		if lo != tc.lo || hi != tc.hi {
			t.Errorf("CIColumns(%q) = %q, %q, want %q, %q", tc.y, lo, hi, tc.lo, tc.hi)
		}
	}
}

func TestLabel(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"setup_mean_s", "set-up delay, mean (s)"},
		{"loss", "packet loss probability"},
		{"no_such_column", "no_such_column"},
	} {
		if got := Label(tc.name); got != tc.want {
			t.Errorf("Label(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 0.3, []string{"0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"}},
		{0, 4.2, []string{"0", "1", "2", "3", "4"}},
		{0, 1, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{-1, 1, []string{"-1.0", "-0.5", "0.0", "0.5", "1.0"}},
		{0, 950, []string{"0", "200", "400", "600", "800"}},
	} {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("ticks of [%g, %g] = %q, want %q", tc.lo, tc.hi, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("ticks of [%g, %g] = %q, want %q", tc.lo, tc.hi, got, tc.want)
				break
			}
		}
	}
}
