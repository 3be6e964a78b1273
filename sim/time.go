package sim

import (
	"strconv"
	"time"
)

// Time is a point in virtual time: an integer count of nanoseconds since the
// run started. Spans between two Times are time.Duration values. Simulation
// code never mixes Time with the wall clock.
type Time int64

// MaxTime is the latest representable virtual time; RunUntil(MaxTime) is Run.
const MaxTime Time = 1<<63 - 1

// minTime is the earliest representable Time, where Add saturates below.
const minTime Time = -1 << 63

// Add returns t+d. It saturates at MaxTime (and at the most negative Time)
// instead of wrapping. Cost: O(1).
func (t Time) Add(d time.Duration) Time {
	s := t + Time(d)
	switch {
	case d > 0 && s < t:
		return MaxTime
	case d < 0 && s > t:
		return minTime
	}
	return s
}

// Sub returns the span t-u, saturating at the limits of time.Duration as
// time.Time.Sub does. Cost: O(1).
func (t Time) Sub(u Time) time.Duration {
	d := time.Duration(t - u)
	switch {
	case u < 0 && d < 0 && t >= 0:
		return time.Duration(MaxTime)
	case u > 0 && d > 0 && t < 0:
		return time.Duration(minTime)
	}
	return d
}

// Seconds returns t in seconds, for reports and plots only.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String formats t as seconds with nanosecond precision, such as "1.500000000",
// so that traces sort and compare as text.
func (t Time) String() string {
	return string(t.AppendText(make([]byte, 0, 24)))
}

// AppendText appends the String form of t to b. Cost: O(1), and no
// allocation when b has room.
func (t Time) AppendText(b []byte) []byte {
	v := uint64(t)
	if t < 0 {
		b = append(b, '-')
		v = -v // two's complement: also right for the most negative Time
	}
	b = strconv.AppendUint(b, v/1e9, 10)
	b = append(b, '.')
	frac := v % 1e9
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, digits[:]...)
}
