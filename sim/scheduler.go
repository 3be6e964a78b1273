package sim

import "time"

// EventID names a scheduled event so that it can be cancelled. The zero
// EventID is valid and names no event: cancelling it does nothing. An EventID
// stays safe to use after its event fired or was cancelled; it never comes to
// name a later event.
type EventID struct {
	slot uint32 // index+1 into Simulator.slots; 0 means none
	gen  uint32 // generation of the slot when the event was scheduled
}

// IsZero reports whether id names no event.
func (id EventID) IsZero() bool { return id.slot == 0 }

// entry is one element of the pending-event heap. It is a value (24 bytes):
// the heap holds no pointers, so the garbage collector never scans it.
type entry struct {
	at   Time
	seq  uint64 // insertion order; breaks ties at the same instant
	slot uint32
	gen  uint32
}

func (e entry) before(f entry) bool {
	return e.at < f.at || (e.at == f.at && e.seq < f.seq)
}

// slot holds the callback of one pending event. Slots are recycled through a
// free list, so steady-state scheduling allocates nothing.
type slot struct {
	fn    func()
	fnArg func(any)
	arg   any
	gen   uint32
	live  bool
	next  uint32 // free-list link (index+1), valid while !live
}

// Simulator is a discrete-event scheduler over virtual time. It is a value
// owned by one run: there is no global simulator, and a Simulator must not be
// used from more than one goroutine.
//
// Events run in order of their time; events at the same instant run in the
// order they were scheduled. Pending events live in a 4-ary min-heap of
// value-typed entries; callbacks live in a recycled slab. Cancellation marks
// the event dead in O(1) and the heap drops dead entries when they surface or,
// when they outnumber the live ones, in one O(n) compaction, so cancelled
// timers never hold memory for long.
type Simulator struct {
	now     Time
	seq     uint64
	heap    []entry
	slots   []slot
	free    uint32 // head of the slot free list (index+1), 0 when empty
	live    int    // events scheduled and neither fired nor cancelled
	dead    int    // cancelled entries still in the heap
	stopped bool
	fired   uint64
	seed    uint64
}

// New returns a Simulator at time 0 whose random streams derive from seed.
func New(seed uint64) *Simulator {
	return &Simulator{seed: seed}
}

// Now returns the current virtual time. Cost: O(1).
func (s *Simulator) Now() Time { return s.now }

// Seed returns the run seed given to New.
func (s *Simulator) Seed() uint64 { return s.seed }

// Pending returns the number of events scheduled that have neither fired nor
// been cancelled. Cost: O(1).
func (s *Simulator) Pending() int { return s.live }

// Fired returns the number of events run so far. Cost: O(1).
func (s *Simulator) Fired() uint64 { return s.fired }

// At schedules fn to run at time at. A time in the past runs at Now, after
// the events already scheduled for Now. Cost: O(log n) for n pending events;
// no allocation once the slab and heap have grown to the pending population
// (fn itself allocates if it is a closure created per call).
func (s *Simulator) At(at Time, fn func()) EventID {
	return s.schedule(at, fn, nil, nil)
}

// After schedules fn to run d after Now. Cost: as At.
func (s *Simulator) After(d time.Duration, fn func()) EventID {
	return s.schedule(s.now.Add(d), fn, nil, nil)
}

// AtArg schedules fn(arg) to run at time at. Passing a long-lived fn and a
// pointer arg avoids the closure a call of At would need. Cost: as At.
func (s *Simulator) AtArg(at Time, fn func(any), arg any) EventID {
	return s.schedule(at, nil, fn, arg)
}

// AfterArg schedules fn(arg) to run d after Now. Cost: as At.
func (s *Simulator) AfterArg(d time.Duration, fn func(any), arg any) EventID {
	return s.schedule(s.now.Add(d), nil, fn, arg)
}

func (s *Simulator) schedule(at Time, fn func(), fnArg func(any), arg any) EventID {
	if fn == nil && fnArg == nil {
		panic("sim: schedule of a nil func")
	}
	if at < s.now {
		at = s.now
	}
	var idx uint32
	if s.free != 0 {
		idx = s.free - 1
		s.free = s.slots[idx].next
	} else {
		s.slots = append(s.slots, slot{})
		idx = uint32(len(s.slots) - 1)
	}
	sl := &s.slots[idx]
	sl.fn, sl.fnArg, sl.arg, sl.live = fn, fnArg, arg, true
	s.seq++
	s.push(entry{at: at, seq: s.seq, slot: idx + 1, gen: sl.gen})
	s.live++
	return EventID{slot: idx + 1, gen: sl.gen}
}

// Cancel stops a pending event from running and reports whether it did: false
// when id is zero or its event already ran or was cancelled. Cost: O(1)
// amortized (an O(n) compaction runs when dead entries outnumber live ones).
func (s *Simulator) Cancel(id EventID) bool {
	if id.slot == 0 || int(id.slot) > len(s.slots) {
		return false
	}
	sl := &s.slots[id.slot-1]
	if !sl.live || sl.gen != id.gen {
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
	sl.fn, sl.fnArg, sl.arg, sl.live = nil, nil, nil, false
	sl.gen++
	sl.next = s.free
	s.free = idx + 1
}

// Step runs the earliest pending event and reports whether there was one.
// Cost: O(log n).
func (s *Simulator) Step() bool {
	for len(s.heap) > 0 {
		e := s.pop()
		sl := &s.slots[e.slot-1]
		if !sl.live || sl.gen != e.gen {
			s.dead--
			continue
		}
		fn, fnArg, arg := sl.fn, sl.fnArg, sl.arg
		s.release(e.slot - 1)
		s.live--
		s.now = e.at
		s.fired++
		if fn != nil {
			fn()
		} else {
			fnArg(arg)
		}
		return true
	}
	return false
}

// Run runs events until none is pending or Stop is called. Cost: O(log n)
// per event.
func (s *Simulator) Run() { s.RunUntil(MaxTime) }

// RunUntil runs every event scheduled at or before t, unless Stop is called
// first, then advances Now to t (if the run was not stopped and t is later).
// Events scheduled for after t stay pending. Cost: O(log n) per event.
func (s *Simulator) RunUntil(t Time) {
	s.stopped = false
	for !s.stopped {
		if !s.dropDeadTop() || s.heap[0].at > t {
			break
		}
		s.Step()
	}
	if !s.stopped && t != MaxTime && t > s.now {
		s.now = t
	}
}

// RunFor runs for the span d of virtual time from Now. Cost: as RunUntil.
func (s *Simulator) RunFor(d time.Duration) { s.RunUntil(s.now.Add(d)) }

// Stop makes the current Run or RunUntil return after the event now running.
// Pending events stay scheduled; a later Run continues them. Cost: O(1).
func (s *Simulator) Stop() { s.stopped = true }

// NextTime returns the time of the earliest pending event, and false when
// none is pending. Cost: O(1) amortized.
func (s *Simulator) NextTime() (Time, bool) {
	if !s.dropDeadTop() {
		return 0, false
	}
	return s.heap[0].at, true
}

// dropDeadTop pops cancelled entries off the top and reports whether a live
// entry remains.
func (s *Simulator) dropDeadTop() bool {
	for len(s.heap) > 0 {
		e := s.heap[0]
		sl := &s.slots[e.slot-1]
		if sl.live && sl.gen == e.gen {
			return true
		}
		s.pop()
		s.dead--
	}
	return false
}

// compact rebuilds the heap from its live entries: O(n).
func (s *Simulator) compact() {
	h := s.heap[:0]
	for _, e := range s.heap {
		sl := &s.slots[e.slot-1]
		if sl.live && sl.gen == e.gen {
			h = append(h, e)
		}
	}
	clear(s.heap[len(h):])
	s.heap = h
	s.dead = 0
	for i := (len(h) - 2) / 4; i >= 0; i-- {
		s.down(i)
	}
}

// The heap is 4-ary: children of i are 4i+1..4i+4. A wider node halves the
// depth of a binary heap and keeps siblings in one or two cache lines.

func (s *Simulator) push(e entry) {
	s.heap = append(s.heap, e)
	h := s.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !e.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

func (s *Simulator) pop() entry {
	h := s.heap
	top := h[0]
	n := len(h) - 1
	last := h[n]
	s.heap = h[:n]
	if n > 0 {
		s.heap[0] = last
		s.down(0)
	}
	return top
}

func (s *Simulator) down(i int) {
	h := s.heap
	n := len(h)
	e := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h[j].before(h[m]) {
				m = j
			}
		}
		if !h[m].before(e) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = e
}
