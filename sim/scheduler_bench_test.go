package sim

import (
	"fmt"
	"math"
	"sync"
	"testing"
	"time"
)

// The hold model (Jones, "An empirical comparison of priority-queue and
// event-set implementations", CACM 1986) is the classic benchmark of event
// sets: the set is prefilled with N events, and each processed event schedules
// one new event at now plus a random delay, so the population stays N. One
// b.N iteration is one event processed, so ns/op is the cost of one
// pop-and-push at population N and 1e9/(ns/op) is the event rate.
//
// The delays come from a table computed once (holdDelays), identical for the
// scheduler, the reference heap, and bench/ns3/hold.cc, which computes the
// same table with the same generator: the random-number cost stays out of the
// measurement and every scheduler sees the same keys.

// holdTableSize is the length of the delay table: a power of two, so that
// indexing is a mask, and large enough that the population never sees a
// periodic pattern at the sizes measured.
const holdTableSize = 1 << 20

// holdMean is the mean delay of the hold model.
const holdMean = time.Second

// holdDelays is the table of exponential delays with mean holdMean. Entry i is
// -mean*ln(1-u_i), u_i being the top 53 bits of splitmix64(i) scaled to
// [0, 1): the same formula as bench/ns3/hold.cc, so that the Go and C++
// benchmarks process the same keys.
// It is computed on first use, so that test runs without benchmarks skip it.
var holdDelays = sync.OnceValue(func() []time.Duration {
	t := make([]time.Duration, holdTableSize)
	for i := range t {
		u := float64(splitmix64(uint64(i))>>11) * 0x1p-53
		t[i] = time.Duration(-float64(holdMean) * math.Log1p(-u))
	}
	return t
})

// holdSizes are the populations measured.
var holdSizes = []int{1000, 100000, 1000000}

// holdModel drives a Simulator through the hold model. Its callback is a
// method value bound once, so that scheduling allocates nothing.
type holdModel struct {
	s      *Simulator
	delays []time.Duration
	next   uint32
	fire   func()
}

func newHoldModel(n int) *holdModel {
	h := &holdModel{s: New(1), delays: holdDelays()}
	h.fire = h.onFire
	for range n {
		h.s.At(Time(h.delay()), h.fire)
	}
	return h
}

func (h *holdModel) delay() time.Duration {
	d := h.delays[h.next&(holdTableSize-1)]
	h.next++
	return d
}

func (h *holdModel) onFire() { h.s.After(h.delay(), h.fire) }

// BenchmarkHold measures the hold model on the Simulator
// (BenchmarkHold/pending=N) and on refHeap, a minimal value-typed binary heap
// of (time, sequence) pairs doing the same work without callbacks
// (BenchmarkHold/ref-binary-heap/pending=N). The scheduler's target is at
// least 70% of the reference's event rate at N = 100000, with 0 allocs/op.
func BenchmarkHold(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			h := newHoldModel(n)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.s.Step()
			}
			b.StopTimer()
			if h.s.Pending() != n {
				b.Fatalf("Pending() = %d after the run, want %d", h.s.Pending(), n)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("ref-binary-heap/pending=%d", n), func(b *testing.B) {
			var r refHeap
			delays := holdDelays()
			next := uint32(0)
			delay := func() Time {
				d := delays[next&(holdTableSize-1)]
				next++
				return Time(d)
			}
			for range n {
				r.push(delay())
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				e := r.pop()
				r.push(e.at + delay())
			}
			b.StopTimer()
			if len(r.h) != n {
				b.Fatalf("reference heap holds %d after the run, want %d", len(r.h), n)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// holdCancelModel is the hold model with cancellation, shaped like SIP
// timers: each processed event schedules one timer that will fire (the
// survivor) and nine that will be cancelled (the doomed), and cancels the
// nine doomed timers that the previous event scheduled. Doomed timers are
// scheduled at now + holdMean + delay, so they lie deep in the heap, as a
// transaction timeout does, and are cancelled while still pending; the live
// population stays N + 9 while nine dead entries per event pass through the
// scheduler.
type holdCancelModel struct {
	s      *Simulator
	delays []time.Duration
	next   uint32
	doomed [9]EventID
	fire   func()
	boom   func()
	bad    int
}

func newHoldCancelModel(n int) *holdCancelModel {
	h := &holdCancelModel{s: New(1), delays: holdDelays()}
	h.fire = h.onFire
	h.boom = func() { h.bad++ }
	for range n {
		h.s.At(Time(h.delay()), h.fire)
	}
	return h
}

func (h *holdCancelModel) delay() time.Duration {
	d := h.delays[h.next&(holdTableSize-1)]
	h.next++
	return d
}

func (h *holdCancelModel) onFire() {
	h.s.After(h.delay(), h.fire)
	for i := range h.doomed {
		h.s.Cancel(h.doomed[i])
		h.doomed[i] = h.s.After(holdMean+h.delay(), h.boom)
	}
}

// BenchmarkHoldCancel measures the hold model with nine of ten timers
// cancelled before they fire (see holdCancelModel). One b.N iteration is one
// event processed, which also schedules ten timers and cancels nine.
func BenchmarkHoldCancel(b *testing.B) {
	for _, n := range holdSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			h := newHoldCancelModel(n)
			// Warm up past the first compactions (one per about n/9
			// events), so that the heap has reached its steady size and
			// the timed loop measures the steady state.
			for range n / 2 {
				h.s.Step()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				h.s.Step()
			}
			b.StopTimer()
			if h.bad != 0 {
				b.Fatalf("%d doomed timers fired before being cancelled", h.bad)
			}
			if want := n + 9; b.N > 0 && h.s.Pending() != want {
				b.Fatalf("Pending() = %d after the run, want %d", h.s.Pending(), want)
			}
			if max := 2*h.s.Pending() + 64 + 10; len(h.s.heap) > max {
				b.Fatalf("heap holds %d entries for %d pending, want at most %d", len(h.s.heap), h.s.Pending(), max)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkScheduleCancel measures scheduling and cancelling one event against a
// standing population of 1000, the cost a SIP transaction pays for a timer
// that a response makes unnecessary.
func BenchmarkScheduleCancel(b *testing.B) {
	s := New(1)
	delays := holdDelays()
	fn := func() {}
	for i := range 1000 {
		s.At(Time(delays[i]), fn)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		id := s.After(delays[i&(holdTableSize-1)], fn)
		s.Cancel(id)
	}
}

// refEntry is an element of refHeap: a time and an insertion sequence.
type refEntry struct {
	at  Time
	seq uint64
}

// refHeap is the reference of the performance target: the simplest
// value-typed binary min-heap of (time, sequence) pairs, with no callbacks
// and no cancellation.
type refHeap struct {
	h   []refEntry
	seq uint64
}

func (r *refHeap) push(at Time) {
	r.seq++
	e := refEntry{at, r.seq}
	r.h = append(r.h, e)
	h := r.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].at < e.at || (h[p].at == e.at && h[p].seq < e.seq) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

func (r *refHeap) pop() refEntry {
	h := r.h
	top := h[0]
	n := len(h) - 1
	e := h[n]
	h = h[:n]
	r.h = h
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && (h[c+1].at < h[c].at || (h[c+1].at == h[c].at && h[c+1].seq < h[c].seq)) {
			c++
		}
		if e.at < h[c].at || (e.at == h[c].at && e.seq < h[c].seq) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = e
	return top
}
