package sim_test

import (
	"fmt"
	"time"

	"github.com/sipsim/sipsim/sim"
)

// A retransmission timer that a response makes unnecessary: the typical
// life of a SIP timer, scheduled and then cancelled before it fires.
func ExampleSimulator() {
	s := sim.New(1)
	timerA := s.After(500*time.Millisecond, func() {
		fmt.Println(s.Now(), "timer A fired: retransmit")
	})
	s.After(120*time.Millisecond, func() {
		fmt.Println(s.Now(), "response received")
		if s.Cancel(timerA) {
			fmt.Println(s.Now(), "timer A cancelled")
		}
	})
	s.Run()
	fmt.Println("events run:", s.Fired(), "pending:", s.Pending())
	// Output:
	// 0.120000000 response received
	// 0.120000000 timer A cancelled
	// events run: 1 pending: 0
}

// Events at the same instant run in the order they were scheduled.
func ExampleSimulator_At() {
	s := sim.New(1)
	for _, name := range []string{"first", "second", "third"} {
		s.At(sim.Time(time.Second), func() { fmt.Println(s.Now(), name) })
	}
	s.At(0, func() { fmt.Println(s.Now(), "earliest, scheduled last") })
	s.Run()
	// Output:
	// 0.000000000 earliest, scheduled last
	// 1.000000000 first
	// 1.000000000 second
	// 1.000000000 third
}

// AtArg and AfterArg take a long-lived function and an argument, so that
// scheduling allocates no closure.
func ExampleSimulator_AfterArg() {
	s := sim.New(1)
	type packet struct{ seq int }
	deliver := func(a any) { fmt.Println(s.Now(), "delivered packet", a.(*packet).seq) }
	for i := range 3 {
		s.AfterArg(time.Duration(i+1)*10*time.Millisecond, deliver, &packet{seq: i})
	}
	s.Run()
	// Output:
	// 0.010000000 delivered packet 0
	// 0.020000000 delivered packet 1
	// 0.030000000 delivered packet 2
}

// RunUntil runs the events due at or before its bound, including those
// exactly at it, and leaves Now at the bound.
func ExampleSimulator_RunUntil() {
	s := sim.New(1)
	for _, ms := range []int{100, 200, 300} {
		s.After(time.Duration(ms)*time.Millisecond, func() { fmt.Println(s.Now(), "tick") })
	}
	s.RunUntil(sim.Time(200 * time.Millisecond))
	fmt.Println("now", s.Now(), "pending", s.Pending())
	// Output:
	// 0.100000000 tick
	// 0.200000000 tick
	// now 0.200000000 pending 1
}

// An event limit bounds a run that would otherwise never end.
func ExampleSimulator_SetMaxEvents() {
	s := sim.New(1)
	var keepalive func()
	keepalive = func() { s.After(time.Second, keepalive) } // reschedules forever
	s.After(0, keepalive)
	s.SetMaxEvents(1000)
	s.Run()
	fmt.Println(s.Fired(), s.LimitReached(), s.Now())
	// Output:
	// 1000 true 999.000000000
}

// Each consumer draws from its own stream, derived from the run seed and its
// name: the same seed and name give the same draws, whatever other streams
// exist.
func ExampleNewStream() {
	a := sim.NewStream(7, "link/proxy1-proxy2")
	b := sim.NewStream(7, "link/proxy1-proxy2")
	fmt.Println(a.IntN(1000) == b.IntN(1000), a.Name())
	// Output:
	// true link/proxy1-proxy2
}

// A link delay drawn from a distribution in seconds.
func ExampleSampleDuration() {
	r := sim.NewStream(1, "link/a-b")
	delay := sim.Normal{Mu: 0.050, Sigma: 0.005}
	d := sim.SampleDuration(delay, r)
	fmt.Println(delay, d > 30*time.Millisecond && d < 70*time.Millisecond)
	fmt.Println(sim.SampleDuration(sim.Constant{V: -1}, r)) // clamped: delays are never negative
	// Output:
	// normal(mean=0.05,sd=0.005) true
	// 0s
}
