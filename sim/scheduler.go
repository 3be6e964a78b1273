package sim

import (
	"fmt"
	"slices"
	"time"
)

// EventID names a scheduled event so that it can be cancelled. The zero
// EventID is valid and names no event: cancelling it does nothing. An EventID
// stays safe to use after its event fired or was cancelled; it never comes to
// name a later event (a slot must be reused 2³² times before an old EventID
// could match it again).
type EventID struct {
	slot uint32 // index+1 into Simulator.slots; 0 means none
	gen  uint32 // generation of the slot when the event was scheduled
}

// IsZero reports whether id names no event. Cost: O(1).
func (id EventID) IsZero() bool { return id.slot == 0 }

// Key layout. A heap entry orders by (at, key) where key packs the insertion
// sequence number above the index of the event's slot:
//
//	key = seq<<slotBits | slot index
//
// Sequence numbers are unique among pending events, so comparing keys
// compares sequence numbers, and an entry is 16 bytes: two siblings of the
// binary heap share one cache line, four levels of it fit in one page.
const (
	slotBits = 28
	slotMask = 1<<slotBits - 1

	// MaxPending is the largest number of events that may be pending at
	// once. Scheduling beyond it panics: it means some model schedules
	// events without bound (the slab would then hold over 10 GiB).
	MaxPending = slotMask

	// seqLimit bounds the sequence numbers: when s.seq reaches it the
	// pending entries are renumbered from 1 in their order (see renumber).
	seqLimit = 1 << (64 - slotBits)
)

// entry is one element of the pending-event heap: a value holding no
// pointers, so the garbage collector never scans the heap.
type entry struct {
	at  Time   // never negative: events are never scheduled before time 0
	key uint64 // seq<<slotBits | slot index
}

// less reports whether a is ordered before b: earlier time first, then
// lower key, that is lower sequence number.
func less(a, b entry) bool { return a.at < b.at || (a.at == b.at && a.key < b.key) }

// slot holds the callback of one pending event. Slots are recycled through a
// free list, so steady-state scheduling allocates nothing.
type slot struct {
	fnArg func(any) // nil when the event is a plain func(), held in arg
	arg   any
	key   uint64 // key of the event's heap entry while pending; 0 while free
	gen   uint32 // bumped on every release: stale EventIDs no longer match
	next  uint32 // free-list link (index+1), valid while free
}

// hbase is the index of the heap's root. The heap is binary and 1-based:
// the children of p are 2p and 2p+1, its parent p/2. Each pair of siblings
// then starts at an even index, so the 32 bytes of a pair share a cache line
// on a 64-byte-aligned array (every large Go allocation is).
const hbase = 1

// Simulator is a discrete-event scheduler over virtual time. It is a value
// owned by one run: there is no global simulator, and a Simulator must not be
// used from more than one goroutine. Create one with New; the zero
// Simulator also works, as New(0).
//
// Events run in order of their time; events at the same instant run in the
// order they were scheduled. Pending events live in a binary min-heap of
// 16-byte value entries ordered by (time, sequence); callbacks live in a
// recycled slab indexed by the entry. Cancellation releases the callback at
// once and leaves a dead entry that the heap drops when it surfaces, or in one
// O(n) compaction when dead entries outnumber live ones, so the heap never
// holds more than about twice the pending population. Memory is bounded by
// the peak pending population.
//
// An optional event limit (SetMaxEvents) bounds every run.
type Simulator struct {
	now       Time
	seq       uint64 // last sequence number given out
	heap      []entry
	slots     []slot
	free      uint32 // head of the slot free list (index+1), 0 when empty
	live      int    // events scheduled and neither fired nor cancelled
	dead      int    // cancelled entries still in the heap
	stopped   bool
	limited   bool
	maxEvents uint64
	fired     uint64
	seed      uint64
}

// New returns a Simulator at time 0, with no events pending and no event
// limit, whose random streams derive from seed. Cost: O(1).
func New(seed uint64) *Simulator {
	return &Simulator{seed: seed, heap: make([]entry, hbase, 64)}
}

// Now returns the current virtual time: the time of the event running, or of
// the last one run, or the end of the last RunUntil. Cost: O(1).
func (s *Simulator) Now() Time { return s.now }

// Seed returns the run seed given to New. Cost: O(1).
func (s *Simulator) Seed() uint64 { return s.seed }

// Pending returns the number of events scheduled that have neither fired nor
// been cancelled. Cost: O(1).
func (s *Simulator) Pending() int { return s.live }

// Fired returns the number of events run so far. Cost: O(1).
func (s *Simulator) Fired() uint64 { return s.fired }

// At schedules fn to run at time at. A time in the past runs at Now, after
// the events already scheduled for Now. It panics if fn is nil or if
// MaxPending events are already pending. Cost: O(log n) worst case for n
// pending events, O(1) on average when times are random; no allocation once
// the slab and heap have grown to the pending population (fn itself
// allocates if it is a closure created per call).
func (s *Simulator) At(at Time, fn func()) EventID {
	if fn == nil {
		panic("sim: At with a nil func")
	}
	return s.schedule(at, nil, fn)
}

// After schedules fn to run d after Now; a negative d means Now. Cost: as
// At.
func (s *Simulator) After(d time.Duration, fn func()) EventID {
	if fn == nil {
		panic("sim: After with a nil func")
	}
	return s.schedule(s.now.Add(d), nil, fn)
}

// AtArg schedules fn(arg) to run at time at. Passing a long-lived fn and a
// pointer arg avoids the closure a call of At would need. Cost: as At.
func (s *Simulator) AtArg(at Time, fn func(any), arg any) EventID {
	if fn == nil {
		panic("sim: AtArg with a nil func")
	}
	return s.schedule(at, fn, arg)
}

// AfterArg schedules fn(arg) to run d after Now. Cost: as At.
func (s *Simulator) AfterArg(d time.Duration, fn func(any), arg any) EventID {
	if fn == nil {
		panic("sim: AfterArg with a nil func")
	}
	return s.schedule(s.now.Add(d), fn, arg)
}

// schedule stores the callback (fnArg, arg), or the plain func held in arg
// when fnArg is nil, and pushes its entry.
func (s *Simulator) schedule(at Time, fnArg func(any), arg any) EventID {
	if at < s.now {
		at = s.now
	}
	var idx uint32
	if s.free != 0 {
		idx = s.free - 1
		s.free = s.slots[idx].next
	} else {
		if len(s.slots) >= MaxPending {
			panic(fmt.Sprintf("sim: more than %d events pending", MaxPending))
		}
		s.slots = append(s.slots, slot{})
		idx = uint32(len(s.slots) - 1)
	}
	if s.seq+1 >= seqLimit {
		s.renumber()
	}
	s.seq++
	key := s.seq<<slotBits | uint64(idx)
	sl := &s.slots[idx]
	sl.fnArg, sl.arg, sl.key = fnArg, arg, key
	s.push(entry{at: at, key: key})
	s.live++
	return EventID{slot: idx + 1, gen: sl.gen}
}

// Cancel stops a pending event from running and reports whether it did: false
// when id is zero or its event already ran or was cancelled. The event's
// callback and argument are released at once. Cost: O(1) amortized (an O(n)
// compaction runs when dead entries outnumber live ones, so at most once per
// n/2 cancellations).
func (s *Simulator) Cancel(id EventID) bool {
	if id.slot == 0 || int(id.slot) > len(s.slots) {
		return false
	}
	sl := &s.slots[id.slot-1]
	if sl.key == 0 || sl.gen != id.gen {
		return false
	}
	s.release(id.slot - 1)
	s.live--
	s.dead++
	if s.dead > 64 && s.dead > s.live {
		s.compact()
	}
	return true
}

// release returns a slot to the free list and bumps its generation so that
// stale EventIDs and heap entries no longer match it.
func (s *Simulator) release(idx uint32) {
	sl := &s.slots[idx]
	sl.fnArg, sl.arg, sl.key = nil, nil, 0
	sl.gen++
	sl.next = s.free
	s.free = idx + 1
}

// SetMaxEvents bounds the number of events the simulator runs over its
// lifetime: once Fired reaches n, Step, Run and RunUntil run nothing more and
// LimitReached reports true. Zero, the default, means no limit. Cost: O(1).
func (s *Simulator) SetMaxEvents(n uint64) { s.maxEvents = n }

// MaxEvents returns the limit set by SetMaxEvents, 0 for none. Cost: O(1).
func (s *Simulator) MaxEvents() uint64 { return s.maxEvents }

// LimitReached reports whether the last Step, Run or RunUntil left an event
// unrun because the limit of SetMaxEvents was reached. Cost: O(1).
func (s *Simulator) LimitReached() bool { return s.limited }

// Step runs the earliest pending event and reports whether there was one.
// It returns false without running anything when no event is pending or the
// event limit is reached. Cost: O(log n).
func (s *Simulator) Step() bool {
	s.limited = false
	if !s.dropDeadTop() {
		return false
	}
	if s.maxEvents != 0 && s.fired >= s.maxEvents {
		s.limited = true
		return false
	}
	s.runTop()
	return true
}

// runTop pops the root entry, which must be live, and runs its event.
func (s *Simulator) runTop() {
	e := s.heap[hbase]
	idx := uint32(e.key & slotMask)
	sl := &s.slots[idx]
	fnArg, arg := sl.fnArg, sl.arg
	s.popRoot()
	s.release(idx)
	s.live--
	s.now = e.at
	s.fired++
	if fnArg != nil {
		fnArg(arg)
	} else {
		arg.(func())()
	}
}

// Run runs events until none is pending, Stop is called, or the event limit
// is reached. Cost: O(log n) per event.
func (s *Simulator) Run() { s.RunUntil(MaxTime) }

// RunUntil runs every event scheduled at or before t, unless Stop is called
// or the event limit is reached first, then advances Now to t (if the run
// ended neither way and t is later). Events scheduled for after t stay
// pending. Cost: O(log n) per event.
func (s *Simulator) RunUntil(t Time) {
	s.stopped, s.limited = false, false
	for !s.stopped {
		if !s.dropDeadTop() || s.heap[hbase].at > t {
			break
		}
		if s.maxEvents != 0 && s.fired >= s.maxEvents {
			s.limited = true
			return
		}
		s.runTop()
	}
	if !s.stopped && t != MaxTime && t > s.now {
		s.now = t
	}
}

// RunFor runs for the span d of virtual time from Now. Cost: as RunUntil.
func (s *Simulator) RunFor(d time.Duration) { s.RunUntil(s.now.Add(d)) }

// Stop makes the current Run or RunUntil return after the event now running;
// Now stays at that event's time. Pending events stay scheduled, and a later
// Run continues them. Each Run or RunUntil starts unstopped, so a Stop called
// outside a run has no effect. Cost: O(1).
func (s *Simulator) Stop() { s.stopped = true }

// NextTime returns the time of the earliest pending event, and false when
// none is pending. Cost: O(1) amortized.
func (s *Simulator) NextTime() (Time, bool) {
	if !s.dropDeadTop() {
		return 0, false
	}
	return s.heap[hbase].at, true
}

// dropDeadTop pops cancelled entries off the top and reports whether a live
// entry remains.
func (s *Simulator) dropDeadTop() bool {
	for len(s.heap) > hbase {
		e := s.heap[hbase]
		if s.slots[e.key&slotMask].key == e.key {
			return true
		}
		s.popRoot()
		s.dead--
	}
	return false
}

// compact rebuilds the heap from its live entries in O(n), and gives back
// the heap's memory when it is four times larger than needed.
func (s *Simulator) compact() {
	h := s.heap[:hbase]
	for _, e := range s.heap[hbase:] {
		if s.slots[e.key&slotMask].key == e.key {
			h = append(h, e)
		}
	}
	clear(s.heap[len(h):])
	if c := cap(h); c > 1024 && len(h) < c/4 {
		h = append(make([]entry, 0, 2*len(h)), h...)
	}
	s.heap = h
	s.dead = 0
	n := len(h)
	// Floyd's heap construction: sift down every internal node, last first.
	for p := (n - 1) >> 1; p >= hbase; p-- {
		s.siftDown(p)
	}
}

// renumber gives the pending events the sequence numbers 1..n in their
// order, so that sequence numbers never overflow the key. It runs once per
// 2³⁶ schedules: O(n log n).
func (s *Simulator) renumber() {
	s.compact()
	h := s.heap[hbase:]
	slices.SortFunc(h, func(a, b entry) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
	// A sorted array is a valid heap: every parent precedes its children.
	for i := range h {
		idx := h[i].key & slotMask
		h[i].key = uint64(i+1)<<slotBits | idx
		s.slots[idx].key = h[i].key
	}
	s.seq = uint64(len(h))
}

// push adds e to the heap: a sift-up, O(log n) worst case and O(1) on
// average for random keys.
func (s *Simulator) push(e entry) {
	if len(s.heap) < hbase { // a zero Simulator, not made by New
		s.heap = make([]entry, hbase, 64)
	}
	s.heap = append(s.heap, e)
	h := s.heap
	i := len(h) - 1
	for i > hbase {
		p := i >> 1
		if !less(e, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// popRoot removes the root: it moves the last entry to the root and sifts
// it down. O(log n).
func (s *Simulator) popRoot() {
	h := s.heap
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	s.heap = h
	if n > hbase {
		h[hbase] = last
		s.siftDown(hbase)
	}
}

// siftDown moves the entry at p down to its place: O(log n). A binary heap
// with a branchy comparison measured fastest here (against 4-ary layouts,
// branch-free sibling selection and Wegener's bottom-up pop): while a
// comparison waits for memory the processor speculates down the likelier
// child and so starts the next level's load early.
func (s *Simulator) siftDown(p int) {
	h := s.heap
	n := len(h)
	e := h[p]
	for {
		c := 2 * p
		if c >= n {
			break
		}
		if c+1 < n && less(h[c+1], h[c]) {
			c++
		}
		if !less(h[c], e) {
			break
		}
		h[p] = h[c]
		p = c
	}
	h[p] = e
}
