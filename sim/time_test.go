package sim

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTimeString(t *testing.T) {
	tests := []struct {
		t    Time
		want string
	}{
		{0, "0.000000000"},
		{1, "0.000000001"},
		{Time(1500 * time.Millisecond), "1.500000000"},
		{Time(90 * time.Second), "90.000000000"},
		{-1, "-0.000000001"},
		{Time(-2500 * time.Millisecond), "-2.500000000"},
		{MaxTime, "9223372036.854775807"},
		// Regression: negating the most negative Time overflowed.
		{minTime, "-9223372036.854775808"},
	}
	for _, tt := range tests {
		if got := tt.t.String(); got != tt.want {
			t.Errorf("Time(%d).String() = %q, want %q", int64(tt.t), got, tt.want)
		}
		if got := string(tt.t.AppendText([]byte("t="))); got != "t="+tt.want {
			t.Errorf("Time(%d).AppendText(\"t=\") = %q, want %q", int64(tt.t), got, "t="+tt.want)
		}
	}
}

// The String form sorts as text in the order of the times, for equal widths
// of the whole-second part, which is what trace files rely on.
func TestTimeStringSortsLikeTime(t *testing.T) {
	ts := []Time{3, 999999999, 1000000000, 1, 0, 500000000}
	slices.Sort(ts)
	strs := make([]string, len(ts))
	for i, v := range ts {
		strs[i] = v.String()
	}
	if !slices.IsSortedFunc(strs, strings.Compare) {
		t.Errorf("String forms %q do not sort like the times", strs)
	}
}

func TestTimeAdd(t *testing.T) {
	tests := []struct {
		t    Time
		d    time.Duration
		want Time
	}{
		{0, time.Second, Time(time.Second)},
		{Time(time.Second), -time.Second, 0},
		{10, -20, -10},
		{MaxTime - 5, 5, MaxTime},
		{MaxTime - 5, 6, MaxTime}, // saturates, does not wrap
		{MaxTime, time.Duration(MaxTime), MaxTime},
		{minTime + 5, -6, minTime}, // saturates below too
		{minTime, -1, minTime},
	}
	for _, tt := range tests {
		if got := tt.t.Add(tt.d); got != tt.want {
			t.Errorf("Time(%d).Add(%d) = %d, want %d", int64(tt.t), int64(tt.d), int64(got), int64(tt.want))
		}
	}
}

func TestTimeSub(t *testing.T) {
	tests := []struct {
		t, u Time
		want time.Duration
	}{
		{Time(3 * time.Second), Time(time.Second), 2 * time.Second},
		{Time(time.Second), Time(3 * time.Second), -2 * time.Second},
		{MaxTime, 0, time.Duration(MaxTime)},
		{MaxTime, -1, time.Duration(MaxTime)}, // saturates
		{minTime, 1, time.Duration(minTime)},  // saturates
		{-5, -7, 2},
	}
	for _, tt := range tests {
		if got := tt.t.Sub(tt.u); got != tt.want {
			t.Errorf("Time(%d).Sub(%d) = %d, want %d", int64(tt.t), int64(tt.u), int64(got), int64(tt.want))
		}
	}
}

func TestTimeSeconds(t *testing.T) {
	if got := Time(1500 * time.Millisecond).Seconds(); got != 1.5 {
		t.Errorf("Seconds() of 1.5 s = %v, want 1.5", got)
	}
	if got := Time(-250 * time.Millisecond).Seconds(); got != -0.25 {
		t.Errorf("Seconds() of -0.25 s = %v, want -0.25", got)
	}
}

func TestTimeAppendTextNoAlloc(t *testing.T) {
	buf := make([]byte, 0, 32)
	if a := testing.AllocsPerRun(100, func() { buf = Time(123456789012).AppendText(buf[:0]) }); a != 0 {
		t.Errorf("AppendText into a large enough buffer made %v allocations, want 0", a)
	}
}
