package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// recorder collects the labels of the events that ran, with their times.
type recorder struct {
	s   *Simulator
	got []string
}

func (r *recorder) ev(label string) func() {
	return func() { r.got = append(r.got, fmt.Sprintf("%s@%d", label, r.s.Now())) }
}

func (r *recorder) String() string { return strings.Join(r.got, " ") }

func TestOrderByTimeThenFIFO(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	s.At(30, r.ev("c"))
	s.At(10, r.ev("a1"))
	s.At(20, r.ev("b"))
	s.At(10, r.ev("a2"))
	s.At(10, r.ev("a3"))
	s.After(10*time.Nanosecond, r.ev("a4"))
	s.Run()
	if got, want := r.String(), "a1@10 a2@10 a3@10 a4@10 b@20 c@30"; got != want {
		t.Errorf("run order = %q, want %q", got, want)
	}
	if s.Pending() != 0 || s.Fired() != 6 || s.Now() != 30 {
		t.Errorf("after Run: Pending() = %d, Fired() = %d, Now() = %v, want 0, 6, 30", s.Pending(), s.Fired(), s.Now())
	}
}

// Same-instant events scheduled from inside an event run after those already
// scheduled for that instant, in their own scheduling order.
func TestSameInstantScheduledDuringEvent(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	s.At(5, func() {
		r.ev("first")()
		s.After(0, r.ev("nested1"))
		s.At(5, r.ev("nested2"))
	})
	s.At(5, r.ev("second"))
	s.Run()
	if got, want := r.String(), "first@5 second@5 nested1@5 nested2@5"; got != want {
		t.Errorf("run order = %q, want %q", got, want)
	}
}

// Many events at one instant keep their scheduling order through the heap,
// whatever the interleaving with other instants.
func TestFIFOTiesManyEvents(t *testing.T) {
	s := New(1)
	var got []int
	for i := range 5000 {
		at := Time(i % 7)
		s.AtArg(at, func(a any) { got = append(got, a.(int)) }, i)
	}
	s.Run()
	want := make([]int, 0, 5000)
	for at := range 7 {
		for i := at; i < 5000; i += 7 {
			want = append(want, i)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("5000 events over 7 instants ran out of (time, scheduling) order; first difference at %d", firstDiff(got, want))
	}
}

func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestPastEventsRunAtNowAfterNowEvents(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	s.At(100, func() {
		r.ev("x")()
		s.At(50, r.ev("past"))           // in the past: runs at 100
		s.After(-time.Hour, r.ev("neg")) // negative span: runs at 100
	})
	s.At(100, r.ev("y"))
	s.At(101, r.ev("z"))
	s.Run()
	if got, want := r.String(), "x@100 y@100 past@100 neg@100 z@101"; got != want {
		t.Errorf("run order = %q, want %q", got, want)
	}
}

func TestCancel(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	a := s.At(10, r.ev("a"))
	b := s.At(20, r.ev("b"))
	c := s.At(30, r.ev("c"))

	if !s.Cancel(b) {
		t.Fatal("Cancel(pending b) = false, want true")
	}
	if s.Cancel(b) {
		t.Error("second Cancel(b) = true, want false")
	}
	if s.Cancel(EventID{}) {
		t.Error("Cancel(zero EventID) = true, want false")
	}
	if !(EventID{}).IsZero() || a.IsZero() {
		t.Errorf("IsZero: zero = %v, a = %v, want true, false", EventID{}.IsZero(), a.IsZero())
	}
	if s.Pending() != 2 {
		t.Errorf("Pending() = %d after one cancel, want 2", s.Pending())
	}
	s.RunUntil(10)
	if s.Cancel(a) {
		t.Error("Cancel(a) after it fired = true, want false")
	}
	s.Run()
	if got, want := r.String(), "a@10 c@30"; got != want {
		t.Errorf("run = %q, want %q", got, want)
	}
	if s.Cancel(c) {
		t.Error("Cancel(c) after Run = true, want false")
	}
}

// A cancelled event's slot is reused by the next schedule; the old EventID
// must not cancel the new event.
func TestCancelStaleIDAfterSlotReuse(t *testing.T) {
	s := New(1)
	ran := false
	old := s.At(10, func() { t.Error("cancelled event ran") })
	s.Cancel(old)
	fresh := s.At(10, func() { ran = true })
	if fresh.slot != old.slot {
		t.Fatalf("test premise: the new event got slot %d, not the freed slot %d", fresh.slot, old.slot)
	}
	if s.Cancel(old) {
		t.Error("Cancel(stale id) = true, want false")
	}
	// The same after the slot's event fired rather than being cancelled.
	s.Run()
	again := s.At(20, func() {})
	if again.slot != fresh.slot {
		t.Fatalf("test premise: slot %d not reused (got %d)", fresh.slot, again.slot)
	}
	if s.Cancel(fresh) {
		t.Error("Cancel(id of a fired event whose slot was reused) = true, want false")
	}
	if !ran || s.Pending() != 1 {
		t.Errorf("ran = %v, Pending() = %d, want true, 1", ran, s.Pending())
	}
	// An id from another simulator's larger slab is out of range here.
	if s.Cancel(EventID{slot: 1 << 20, gen: 0}) {
		t.Error("Cancel(out-of-range id) = true, want false")
	}
}

func TestCancelFromInsideEvent(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	var later EventID
	s.At(1, func() { r.ev("canceller")(); s.Cancel(later) })
	later = s.At(1, r.ev("victim")) // same instant, after the canceller
	s.At(2, r.ev("survivor"))
	s.Run()
	if got, want := r.String(), "canceller@1 survivor@2"; got != want {
		t.Errorf("run = %q, want %q", got, want)
	}
}

// Cancelling releases the callback at once, so that a cancelled timer keeps
// nothing it captured alive.
func TestCancelReleasesCallback(t *testing.T) {
	s := New(1)
	id := s.AtArg(10, func(any) {}, &struct{ big [1 << 10]byte }{})
	s.Cancel(id)
	sl := s.slots[id.slot-1]
	if sl.fnArg != nil || sl.arg != nil {
		t.Errorf("slot after Cancel holds fnArg=%v arg=%v, want both nil", sl.fnArg != nil, sl.arg != nil)
	}
}

func TestRunUntilBoundaries(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	s.At(10, r.ev("a"))
	s.At(20, r.ev("b1"))
	s.At(20, r.ev("b2"))
	s.At(21, r.ev("c"))
	s.RunUntil(20)
	if got, want := r.String(), "a@10 b1@20 b2@20"; got != want {
		t.Errorf("RunUntil(20) ran %q, want %q", got, want)
	}
	if s.Now() != 20 || s.Pending() != 1 {
		t.Errorf("after RunUntil(20): Now() = %v, Pending() = %d, want 20, 1", s.Now(), s.Pending())
	}
	// An event scheduled at exactly the boundary by an event at the boundary
	// runs too.
	s.At(25, func() { s.At(25, r.ev("d")) })
	s.RunUntil(25)
	if got, want := r.String(), "a@10 b1@20 b2@20 c@21 d@25"; got != want {
		t.Errorf("RunUntil(25) ran %q, want %q", got, want)
	}
	// With nothing due, Now still advances to t.
	s.RunUntil(1000)
	if s.Now() != 1000 {
		t.Errorf("Now() = %v after RunUntil(1000) on an empty queue, want 1000", s.Now())
	}
	// A boundary in the past neither runs anything nor moves Now back.
	s.At(2000, r.ev("e"))
	s.RunUntil(500)
	if s.Now() != 1000 || s.Pending() != 1 {
		t.Errorf("RunUntil(500) at 1000: Now() = %v, Pending() = %d, want 1000, 1", s.Now(), s.Pending())
	}
	s.RunFor(1000 * time.Nanosecond)
	if s.Now() != 2000 || s.Pending() != 0 {
		t.Errorf("RunFor(1000ns): Now() = %v, Pending() = %d, want 2000, 0", s.Now(), s.Pending())
	}
}

// Run on an empty simulator does not move Now to MaxTime.
func TestRunLeavesNowAtLastEvent(t *testing.T) {
	s := New(1)
	s.Run()
	if s.Now() != 0 {
		t.Errorf("Now() = %v after Run of nothing, want 0", s.Now())
	}
	s.At(7, func() {})
	s.Run()
	if s.Now() != 7 {
		t.Errorf("Now() = %v after Run, want 7", s.Now())
	}
}

func TestStopInsideEvent(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	s.At(1, r.ev("a"))
	s.At(2, func() { r.ev("stopper")(); s.Stop() })
	s.At(2, r.ev("same-instant"))
	s.At(3, r.ev("c"))
	s.RunUntil(100)
	if got, want := r.String(), "a@1 stopper@2"; got != want {
		t.Errorf("run until Stop = %q, want %q", got, want)
	}
	if s.Now() != 2 || s.Pending() != 2 {
		t.Errorf("after Stop: Now() = %v, Pending() = %d, want 2 (not the RunUntil bound), 2", s.Now(), s.Pending())
	}
	// A later run continues where the stopped one left off.
	s.Run()
	if got, want := r.String(), "a@1 stopper@2 same-instant@2 c@3"; got != want {
		t.Errorf("after resuming = %q, want %q", got, want)
	}
}

// Stop outside a run has no effect on the next run.
func TestStopOutsideRun(t *testing.T) {
	s := New(1)
	n := 0
	s.At(1, func() { n++ })
	s.Stop()
	s.Run()
	if n != 1 {
		t.Errorf("events run after Stop outside a run = %d, want 1", n)
	}
}

func TestStep(t *testing.T) {
	s := New(1)
	r := &recorder{s: s}
	if s.Step() {
		t.Error("Step() on an empty simulator = true, want false")
	}
	s.At(5, r.ev("a"))
	dead := s.At(6, r.ev("dead"))
	s.At(7, r.ev("b"))
	s.Cancel(dead)
	if !s.Step() || s.Now() != 5 {
		t.Fatalf("first Step: Now() = %v, want 5", s.Now())
	}
	if !s.Step() || s.Now() != 7 {
		t.Fatalf("second Step skips the cancelled event: Now() = %v, want 7", s.Now())
	}
	if s.Step() {
		t.Error("Step() with nothing pending = true, want false")
	}
	if got, want := r.String(), "a@5 b@7"; got != want {
		t.Errorf("steps ran %q, want %q", got, want)
	}
}

func TestNextTime(t *testing.T) {
	s := New(1)
	if _, ok := s.NextTime(); ok {
		t.Error("NextTime() on an empty simulator reports an event")
	}
	a := s.At(3, func() {})
	s.At(9, func() {})
	if at, ok := s.NextTime(); !ok || at != 3 {
		t.Errorf("NextTime() = %v, %v, want 3, true", at, ok)
	}
	s.Cancel(a)
	if at, ok := s.NextTime(); !ok || at != 9 {
		t.Errorf("NextTime() after cancelling the earliest = %v, %v, want 9, true", at, ok)
	}
}

func TestArgCallbacks(t *testing.T) {
	s := New(1)
	var got []string
	fn := func(a any) { got = append(got, fmt.Sprintf("%v@%d", a, s.Now())) }
	s.AtArg(4, fn, "x")
	s.AfterArg(2*time.Nanosecond, fn, 7)
	s.AtArg(4, fn, nil)
	s.Run()
	if want := []string{"7@2", "x@4", "<nil>@4"}; !slices.Equal(got, want) {
		t.Errorf("arg callbacks ran %q, want %q", got, want)
	}
}

func TestNilCallbackPanics(t *testing.T) {
	s := New(1)
	for name, f := range map[string]func(){
		"At":       func() { s.At(1, nil) },
		"After":    func() { s.After(1, nil) },
		"AtArg":    func() { s.AtArg(1, nil, 1) },
		"AfterArg": func() { s.AfterArg(1, nil, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a nil func did not panic", name)
				}
			}()
			f()
		}()
	}
	if s.Pending() != 0 {
		t.Errorf("Pending() = %d after rejected schedules, want 0", s.Pending())
	}
}

func TestAfterSaturatesAtMaxTime(t *testing.T) {
	s := New(1)
	s.At(10, func() {})
	s.Step()
	ran := false
	s.After(time.Duration(1<<63-1), func() { ran = true })
	if at, _ := s.NextTime(); at != MaxTime {
		t.Errorf("After(max duration) at 10 is due at %v, want MaxTime", at)
	}
	s.Run()
	if !ran || s.Now() != MaxTime {
		t.Errorf("ran = %v, Now() = %v, want true, MaxTime", ran, s.Now())
	}
}

func TestMaxEvents(t *testing.T) {
	s := New(1)
	s.SetMaxEvents(3)
	if s.MaxEvents() != 3 {
		t.Errorf("MaxEvents() = %d, want 3", s.MaxEvents())
	}
	n := 0
	var tick func()
	tick = func() { n++; s.After(time.Millisecond, tick) } // a runaway model
	s.At(0, tick)
	s.Run()
	if n != 3 || !s.LimitReached() || s.Fired() != 3 || s.Pending() != 1 {
		t.Errorf("Run under a limit of 3: ran %d, LimitReached() = %v, Fired() = %d, Pending() = %d, want 3, true, 3, 1",
			n, s.LimitReached(), s.Fired(), s.Pending())
	}
	if s.Now() != Time(2*time.Millisecond) {
		t.Errorf("Now() = %v after the limit, want the last event's time 0.002", s.Now())
	}
	if s.Step() || !s.LimitReached() {
		t.Error("Step() past the limit ran an event")
	}
	s.RunUntil(MaxTime - 1)
	if n != 3 || s.Now() != Time(2*time.Millisecond) {
		t.Errorf("RunUntil past the limit: ran %d, Now() = %v; want 3, 0.002 (Now does not advance)", n, s.Now())
	}
	// Raising the limit resumes the run.
	s.SetMaxEvents(5)
	s.Run()
	if n != 5 || !s.LimitReached() {
		t.Errorf("after raising the limit to 5: ran %d, LimitReached() = %v, want 5, true", n, s.LimitReached())
	}
}

// A run that ends on its own exactly at the limit did not hit it.
func TestMaxEventsNotReachedWhenQueueDrains(t *testing.T) {
	s := New(1)
	s.SetMaxEvents(2)
	s.At(1, func() {})
	s.At(2, func() {})
	s.At(3, func() {})
	s.RunUntil(2)
	if s.LimitReached() {
		t.Error("LimitReached() = true though no due event was left unrun")
	}
	s.RunUntil(3)
	if !s.LimitReached() || s.Pending() != 1 {
		t.Errorf("LimitReached() = %v, Pending() = %d, want true, 1", s.LimitReached(), s.Pending())
	}
}

// Mass cancellation: the heap sheds dead entries, keeps the order of the
// survivors, and gives back memory.
func TestCompactionAfterMassCancel(t *testing.T) {
	s := New(1)
	const n = 100000
	ids := make([]EventID, n)
	var got []int
	fn := func(a any) { got = append(got, a.(int)) }
	rng := rand.New(rand.NewPCG(1, 2))
	times := make([]Time, n)
	for i := range n {
		times[i] = Time(rng.IntN(1000)) // many ties
		ids[i] = s.AtArg(times[i], fn, i)
	}
	peakCap := cap(s.heap)
	var want []int
	for i := range n {
		if i%100 == 0 {
			want = append(want, i)
			continue
		}
		if !s.Cancel(ids[i]) {
			t.Fatalf("Cancel(%d) = false", i)
		}
		if max := 2*s.Pending() + 64 + 1 + hbase; len(s.heap) > max {
			t.Fatalf("after %d cancels the heap holds %d entries for %d pending, want at most %d", i, len(s.heap), s.Pending(), max)
		}
	}
	if s.Pending() != n/100 {
		t.Fatalf("Pending() = %d, want %d", s.Pending(), n/100)
	}
	if cap(s.heap) >= peakCap/4 {
		t.Errorf("heap capacity %d after cancelling 99%% (peak %d), want it given back", cap(s.heap), peakCap)
	}
	s.Run()
	slices.SortStableFunc(want, func(a, b int) int { return int(times[a] - times[b]) })
	if !slices.Equal(got, want) {
		t.Fatalf("survivors ran out of order; first difference at %d", firstDiff(got, want))
	}
	if len(s.heap) != hbase {
		t.Errorf("heap holds %d entries after Run, want none", len(s.heap)-hbase)
	}
}

// The slab of callbacks never outgrows the peak pending population, however
// many events pass through.
func TestSlabBoundedByPeakPending(t *testing.T) {
	s := New(1)
	var tick func()
	tick = func() {
		s.After(time.Millisecond, tick)
		id := s.After(time.Second, tick) // a timeout that is always cancelled
		s.Cancel(id)
	}
	for range 10 {
		s.After(0, tick)
	}
	s.SetMaxEvents(100000)
	s.Run()
	if len(s.slots) > 11 {
		t.Errorf("slab holds %d slots for a population of at most 11", len(s.slots))
	}
	if max := 2*s.Pending() + 64 + 1 + hbase; len(s.heap) > max {
		t.Errorf("heap holds %d entries for %d pending, want at most %d", len(s.heap), s.Pending(), max)
	}
}

// A large population churned by firing and cancelling keeps the slab within
// twice its peak (slots are kept a quarter free so that scheduling writes the
// slab in order), and the bitsets consistent with it.
func TestSlabBoundedLargePopulation(t *testing.T) {
	s := New(1)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 5000
	var timeouts []EventID
	var tick func()
	tick = func() {
		s.After(time.Duration(rng.IntN(1e6)), tick)
		if len(timeouts) > 0 && rng.IntN(2) == 0 {
			i := rng.IntN(len(timeouts))
			s.Cancel(timeouts[i])
			timeouts[i] = timeouts[len(timeouts)-1]
			timeouts = timeouts[:len(timeouts)-1]
		}
		if rng.IntN(2) == 0 {
			timeouts = append(timeouts, s.After(time.Second+time.Duration(rng.IntN(1e6)), func() {}))
		}
	}
	for range n {
		s.After(time.Duration(rng.IntN(1e6)), tick)
	}
	peak := 0
	for range 200000 {
		s.Step()
		peak = max(peak, s.Pending())
	}
	if max := 2*peak + 2; len(s.slots) > max {
		t.Errorf("slab holds %d slots for a peak population of %d, want at most %d", len(s.slots), peak, max)
	}
	used := len(s.hot)
	for i := range s.slots {
		if s.used[i>>6]&(1<<(i&63)) != 0 {
			used--
		}
	}
	if -used != s.Pending() {
		t.Errorf("%d slots marked used besides the %d reserved for reuse, want Pending() = %d", -used, len(s.hot), s.Pending())
	}
}

// Cancelling or running a plain func event drops the scheduler's reference
// to the func at once, as for AtArg events (TestCancelReleasesCallback).
func TestPlainFuncReleased(t *testing.T) {
	s := New(1)
	ran := 0
	cancelled := s.At(10, func() { t.Error("cancelled event ran") })
	fired := s.At(5, func() { ran++ })
	s.Cancel(cancelled)
	if s.fns[cancelled.slot-1] != nil {
		t.Error("the func of a cancelled event is still held")
	}
	s.Run()
	if s.fns[fired.slot-1] != nil {
		t.Error("the func of a fired event is still held")
	}
	if ran != 1 {
		t.Errorf("ran %d events, want 1", ran)
	}
}

// When sequence numbers run out, the pending events are renumbered without
// changing their order.
func TestSequenceRenumbering(t *testing.T) {
	s := New(1)
	s.seq = seqLimit - 50
	var got []int
	fn := func(a any) { got = append(got, a.(int)) }
	var ids []EventID
	for i := range 200 {
		ids = append(ids, s.AtArg(Time(i%3), fn, i))
	}
	// 49 schedules reach the limit; the 49 pending events become 1..49 and
	// the remaining 151 schedules continue from there.
	if s.seq != 200 {
		t.Fatalf("seq = %d after crossing the limit, want 200 (renumbered)", s.seq)
	}
	// Ids given out before the renumbering still cancel their events.
	for i := 0; i < 200; i += 2 {
		if !s.Cancel(ids[i]) {
			t.Fatalf("Cancel(id %d from before renumbering) = false", i)
		}
	}
	s.Run()
	var want []int
	for at := range 3 {
		for i := at; i < 200; i += 3 {
			if i%2 == 1 {
				want = append(want, i)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order across renumbering = %v, want %v", got, want)
	}
}

// The steady state of a hold model allocates nothing per event.
func TestNoAllocationPerEvent(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		s := New(1)
		rng := rand.New(rand.NewPCG(3, 4))
		var tick func()
		var timeout EventID
		tick = func() {
			s.After(time.Duration(rng.IntN(1e6)), tick)
			if cancel {
				s.Cancel(timeout)
				timeout = s.After(time.Second+time.Duration(rng.IntN(1e6)), tick)
			}
		}
		for range 1000 {
			s.After(time.Duration(rng.IntN(1e6)), tick)
		}
		for range 100000 { // grow slab and heap to their steady size
			s.Step()
		}
		if a := testing.AllocsPerRun(10000, func() { s.Step() }); a != 0 {
			t.Errorf("cancel=%v: %v allocations per event, want 0", cancel, a)
		}
	}
}

// refModel is the reference of the model-based test: a slice of pending
// events kept sorted by (time, sequence), searched linearly.
type refModel struct {
	now     Time
	seq     uint64
	pending []refEvent
}

type refEvent struct {
	at    Time
	seq   uint64
	label int
}

func (m *refModel) schedule(at Time, label int) uint64 {
	at = max(at, m.now)
	m.seq++
	e := refEvent{at, m.seq, label}
	i, _ := slices.BinarySearchFunc(m.pending, e, func(a, b refEvent) int {
		if a.at != b.at {
			return int(min(max(a.at-b.at, -1), 1))
		}
		return int(min(max(int64(a.seq)-int64(b.seq), -1), 1))
	})
	m.pending = slices.Insert(m.pending, i, e)
	return m.seq
}

func (m *refModel) cancel(seq uint64) bool {
	for i, e := range m.pending {
		if e.seq == seq {
			m.pending = slices.Delete(m.pending, i, i+1)
			return true
		}
	}
	return false
}

func (m *refModel) step() (int, bool) {
	if len(m.pending) == 0 {
		return 0, false
	}
	e := m.pending[0]
	m.pending = m.pending[1:]
	m.now = e.at
	return e.label, true
}

// TestModelBased drives the Simulator and refModel with the same random
// sequences of schedule, cancel (of live, fired, cancelled and zero ids),
// step and run-until operations, and requires identical observable
// behaviour after every operation. Events that run schedule further events,
// as real models do.
func TestModelBased(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 20
	}
	for seed := range uint64(seeds) {
		if !modelRun(t, seed) {
			t.Fatalf("model-based run failed; reproduce with seed %d", seed)
		}
	}
}

func modelRun(t *testing.T, seed uint64) bool {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	s := New(seed)
	m := &refModel{}
	type handle struct {
		id  EventID
		seq uint64
	}
	var handles []handle
	var ranSim []int
	label := 0
	timeSpan := 1 + rng.IntN(200) // small spans give many ties
	var schedule func(at Time)
	fire := func(a any) {
		l := a.(int)
		ranSim = append(ranSim, l)
		if l%5 == 0 { // some events schedule a follow-up, possibly at Now
			schedule(s.Now() + Time(rng.IntN(3)))
		}
	}
	// schedule mirrors every schedule, including the follow-ups that
	// callbacks make, into the reference. Half the events are plain funcs
	// (carried in the heap entry), half AtArg (carried in the slot).
	schedule = func(at Time) {
		label++
		var id EventID
		if rng.IntN(2) == 0 {
			id = s.AtArg(at, fire, label)
		} else {
			l := label
			id = s.At(at, func() { fire(l) })
		}
		seq := m.schedule(at, label)
		handles = append(handles, handle{id, seq})
	}
	ops := 1 + rng.IntN(2000)
	for op := range ops {
		switch k := rng.IntN(100); {
		case k < 45:
			schedule(s.Now() + Time(rng.IntN(timeSpan)) - Time(rng.IntN(3)))
		case k < 65 && len(handles) > 0:
			h := handles[rng.IntN(len(handles))]
			if rng.IntN(10) == 0 {
				h = handle{} // the zero id cancels nothing
			}
			if got, want := s.Cancel(h.id), h.seq != 0 && m.cancel(h.seq); got != want {
				t.Errorf("seed %d op %d: Cancel = %v, reference %v", seed, op, got, want)
				return false
			}
		case k < 90:
			before := len(ranSim)
			okSim := s.Step()
			if okSim != (len(m.pending) > 0) {
				t.Errorf("seed %d op %d: Step = %v with %d pending in the reference", seed, op, okSim, len(m.pending))
				return false
			}
			if okSim {
				l, _ := m.step()
				if ranSim[before] != l {
					t.Errorf("seed %d op %d: Step ran %d, reference %d", seed, op, ranSim[before], l)
					return false
				}
			}
		default:
			until := s.Now() + Time(rng.IntN(timeSpan))
			before := len(ranSim)
			s.RunUntil(until)
			for i := before; i < len(ranSim); i++ {
				l, ok := m.step()
				if !ok || l != ranSim[i] {
					t.Errorf("seed %d op %d: RunUntil(%v) ran %v, reference diverged at %d", seed, op, until, ranSim[before:], i-before)
					return false
				}
			}
			if len(m.pending) > 0 && m.pending[0].at <= until {
				t.Errorf("seed %d op %d: RunUntil(%v) left the event due at %v", seed, op, until, m.pending[0].at)
				return false
			}
			m.now = max(m.now, until)
		}
		if s.Pending() != len(m.pending) || s.Now() != m.now {
			t.Errorf("seed %d op %d: Pending() = %d, Now() = %v; reference %d, %v", seed, op, s.Pending(), s.Now(), len(m.pending), m.now)
			return false
		}
		next, ok := s.NextTime()
		if ok != (len(m.pending) > 0) || ok && next != m.pending[0].at {
			t.Errorf("seed %d op %d: NextTime() = %v, %v; reference %v", seed, op, next, ok, m.pending)
			return false
		}
		if max := 2*s.Pending() + 64 + 1 + hbase; len(s.heap) > max {
			t.Errorf("seed %d op %d: heap holds %d entries for %d pending", seed, op, len(s.heap), s.Pending())
			return false
		}
	}
	return true
}

// FuzzModel runs the model-based comparison on fuzzer-chosen seeds: go test
// -fuzz FuzzModel ./sim/ explores operation sequences beyond the fixed ones.
func FuzzModel(f *testing.F) {
	for _, seed := range []uint64{0, 1, 0xfeed, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		if !modelRun(t, seed) {
			t.Fatalf("model-based run failed for seed %d", seed)
		}
	})
}

func TestZeroSimulator(t *testing.T) {
	var s Simulator
	r := &recorder{s: &s}
	s.At(2, r.ev("b"))
	s.At(1, r.ev("a"))
	s.Run()
	if got, want := r.String(), "a@1 b@2"; got != want {
		t.Errorf("zero Simulator ran %q, want %q", got, want)
	}
}
