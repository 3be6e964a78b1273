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

// Add returns t+d. It saturates at MaxTime instead of wrapping.
func (t Time) Add(d time.Duration) Time {
	s := t + Time(d)
	if d > 0 && s < t {
		return MaxTime
	}
	return s
}

// Sub returns the span t-u.
func (t Time) Sub(u Time) time.Duration { return time.Duration(t - u) }

// Seconds returns t in seconds, for reports and plots only.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// String formats t as seconds with nanosecond precision, such as "1.500000000",
// so that traces sort and compare as text.
func (t Time) String() string {
	return string(t.AppendText(make([]byte, 0, 24)))
}

// AppendText appends the String form of t to b.
func (t Time) AppendText(b []byte) []byte {
	v := int64(t)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/1e9, 10)
	b = append(b, '.')
	frac := v % 1e9
	var digits [9]byte
	for i := 8; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, digits[:]...)
}
