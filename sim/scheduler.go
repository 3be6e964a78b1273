package sim

import (
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// EventID names a scheduled event so that it can be cancelled. The zero
// EventID is valid and names no event: cancelling it does nothing. An EventID
// stays safe to use after its event fired or was cancelled; it never comes to
// name a later event (that would take a later event given the same slot
// exactly a multiple of 2³² schedulings later).
type EventID struct {
	slot uint32 // index+1 into Simulator.slots; 0 means none
	gen  uint32 // low half of Simulator.serial when the event was scheduled
}

// IsZero reports whether id names no event. Cost: O(1).
func (id EventID) IsZero() bool { return id.slot == 0 }

// Key layout. A heap entry orders by (at, key) where key packs the insertion
// sequence number above a flag and the index of the event's slot:
//
//	key = seq<<seqShift | argBit (AtArg events) | slot index
//
// Sequence numbers are unique among pending events, so comparing keys
// compares sequence numbers, and an entry is 16 bytes: two siblings of the
// binary heap share one cache line, four levels of it fit in one page.
const (
	slotBits = 28
	slotMask = 1<<slotBits - 1

	// argBit marks the entry of an AtArg event, whose callback is in its
	// slot rather than in fns. It lies below the sequence number, so it
	// never decides an order.
	argBit   = 1 << slotBits
	seqShift = slotBits + 1

	// MaxPending is the largest number of events that may be pending at
	// once. Scheduling beyond it panics: it means some model schedules
	// events without bound (the slab would then hold over 10 GiB).
	MaxPending = slotMask

	// seqLimit bounds the sequence numbers: when s.seq reaches it the
	// pending entries are renumbered from 1 in their order (see renumber).
	seqLimit = 1 << (64 - seqShift)
)

// entry is one element of the pending-event heap: a value holding no
// pointers, so the garbage collector never scans the heap.
type entry struct {
	at  Time   // never negative: events are never scheduled before time 0
	key uint64 // seq<<seqShift | argBit if AtArg | slot index
}

// less reports whether a is ordered before b: earlier time first, then
// lower key, that is lower sequence number.
func less(a, b *entry) bool { return a.at < b.at || (a.at == b.at && a.key < b.key) }

// slot holds the cold part of one event's state: what Cancel checks, and the
// callback of an AtArg event. Its hot part lives in dense per-slot arrays of
// the Simulator (fns, keys, and the used and dirty bitsets), so that running
// a plain func() event reads 8 bytes of fns rather than a slot. A slot is in
// use from the scheduling of its event until the event fires or is
// cancelled; the used bitset tells which. Firing a plain func() event leaves
// its slot untouched.
type slot struct {
	fnArg func(any) // callback of a pending AtArg event, else nil
	arg   any       // its argument, else nil
	gen   uint32    // EventID.gen of the event last scheduled into the slot
	ndead uint32    // cancelled entries in the heap that name this slot
}

// hbase is the index of the heap's root. The heap is binary and 1-based:
// the children of p are 2p and 2p+1, its parent p/2. Each pair of siblings
// then starts at an even index, so the 32 bytes of a pair share a cache line
// on a 64-byte-aligned array (every large Go allocation is), and so do the
// four grandchildren 4p..4p+3 of p.
const hbase = 1

// Simulator is a discrete-event scheduler over virtual time. It is a value
// owned by one run: there is no global simulator, and a Simulator must not be
// used from more than one goroutine. Create one with New; the zero
// Simulator also works, as New(0).
//
// Events run in order of their time; events at the same instant run in the
// order they were scheduled. Pending events live in a binary min-heap of
// 16-byte value entries ordered by (time, sequence), each naming a slot of a
// recycled slab; a plain func() callback is kept in a dense per-slot array
// (8 bytes a slot), an AtArg callback and argument in the slot itself.
// Cancellation releases the callback and frees the slot at once and leaves
// a dead entry that the heap drops when it surfaces, or in one O(n)
// compaction when dead entries outnumber live ones, so the heap never holds
// more than about twice the pending population.
//
// Running an event touches as little memory at random places as possible,
// since once the population outgrows the caches every such access is a
// cache and TLB miss. A slot named by a dead entry is flagged in a bitset
// (one bit per slot, small enough to stay in cache), so that telling a live
// entry from a dead one reads nothing else unless the slot is flagged; a
// plain func() event is then run by reading its func and clearing its bit in
// the used bitset, and its slot is not touched. A new event takes a slot that
// Cancel freed if there is one (its memory is warm), else the next free slot
// after the previous one in slab order, so that scheduling writes the slab
// and the per-slot arrays sequentially rather than at the random slot of the
// event that just fired. For that the slab is kept at least a quarter free
// once past 64 slots: it holds at most about twice the peak pending
// population. Memory is bounded by the peak pending population.
//
// An optional event limit (SetMaxEvents) bounds every run.
type Simulator struct {
	now       Time
	seq       uint64 // last sequence number given out
	serial    uint64 // events scheduled so far: EventID.gen is its low half
	heap      []entry
	slots     []slot
	keys      []uint64 // per slot: key of its event's entry while pending; 0 after Cancel
	fns       []func() // per slot: the callback of a pending plain func() event
	used      []uint64 // bitset: slot in use (pending, or in hot); bits past len(slots) set
	dirty     []uint64 // bitset: slot's ndead != 0
	cursor    int      // word of used where the search for a free slot starts
	hot       []uint32 // slots freed by Cancel, still marked used: taken first
	live      int      // events scheduled and neither fired nor cancelled
	dead      int      // cancelled entries still in the heap
	stopped   bool
	limited   bool
	maxEvents uint64
	fired     uint64
	seed      uint64
	touched   Time // written by siftDown, so that its touching loads are kept
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
// MaxPending events are already pending. Cost: O(log n) for n pending
// events, O(1) on average when times are random (plus the search for a free
// slot and the growth of slab and heap, O(1) amortized); no allocation once
// the slab and heap have grown to the pending population (fn itself
// allocates if it is a closure created per call).
func (s *Simulator) At(at Time, fn func()) EventID {
	if fn == nil {
		panic("sim: At with a nil func")
	}
	return s.schedule(at, fn, nil, nil)
}

// After schedules fn to run d after Now; a negative d means Now. Cost: as
// At.
func (s *Simulator) After(d time.Duration, fn func()) EventID {
	if fn == nil {
		panic("sim: After with a nil func")
	}
	return s.schedule(s.now.Add(d), fn, nil, nil)
}

// AtArg schedules fn(arg) to run at time at. Passing a long-lived fn and a
// pointer arg avoids the closure a call of At would need. Cost: as At.
func (s *Simulator) AtArg(at Time, fn func(any), arg any) EventID {
	if fn == nil {
		panic("sim: AtArg with a nil func")
	}
	return s.schedule(at, nil, fn, arg)
}

// AfterArg schedules fn(arg) to run d after Now. Cost: as At.
func (s *Simulator) AfterArg(d time.Duration, fn func(any), arg any) EventID {
	if fn == nil {
		panic("sim: AfterArg with a nil func")
	}
	return s.schedule(s.now.Add(d), nil, fn, arg)
}

// schedule takes a slot, stores the callback (fn in fns for a plain func()
// event, fnArg and arg in the slot for an AtArg event) and pushes the
// event's entry.
func (s *Simulator) schedule(at Time, fn func(), fnArg func(any), arg any) EventID {
	if at < s.now {
		at = s.now
	}
	if s.seq+1 >= seqLimit {
		s.renumber()
	}
	idx := s.alloc()
	s.seq++
	key := s.seq<<seqShift | uint64(idx)
	s.serial++
	gen := uint32(s.serial)
	sl := &s.slots[idx]
	sl.gen = gen
	if fnArg != nil {
		sl.fnArg, sl.arg = fnArg, arg
		key |= argBit
	} else {
		s.fns[idx] = fn
	}
	s.keys[idx] = key
	s.push(entry{at: at, key: key})
	s.live++
	return EventID{slot: idx + 1, gen: gen}
}

// alloc returns a free slot, marked used: the one Cancel freed last if any,
// else the first free slot from the cursor on. Cost: O(1) amortized, as the
// slab is kept at least a quarter free (once past 64 slots) and the cursor
// only moves forward, wrapping around.
func (s *Simulator) alloc() uint32 {
	if n := len(s.hot); n > 0 {
		idx := s.hot[n-1]
		s.hot = s.hot[:n-1]
		return idx
	}
	// Every slot not in hot is used exactly when pending.
	if m := len(s.slots); s.live == m || m >= 64 && s.live >= m-m/4 {
		s.grow()
	}
	u := s.used
	i := s.cursor
	for {
		if i >= len(u) {
			i = 0
		}
		if w := u[i]; w != ^uint64(0) {
			b := bits.TrailingZeros64(^w)
			u[i] = w | 1<<b
			s.cursor = i
			return uint32(i<<6 + b)
		}
		i++
	}
}

// grow adds free slots: one at a time while the slab is under 64 slots,
// then enough to make it twice the live population.
func (s *Simulator) grow() {
	m := len(s.slots)
	n := m + 1
	if m >= 64 {
		n = 2 * (s.live + 1)
	}
	if n = min(n, MaxPending); n <= m {
		if s.live < m {
			return // at the limit, but a slot is free
		}
		panic(fmt.Sprintf("sim: more than %d events pending", MaxPending))
	}
	s.slots = append(s.slots, make([]slot, n-m)...)
	s.keys = append(s.keys, make([]uint64, n-m)...)
	s.fns = append(s.fns, make([]func(), n-m)...)
	for len(s.used) < (n+63)>>6 {
		s.used = append(s.used, ^uint64(0))
		s.dirty = append(s.dirty, 0)
	}
	for i := m; i < n; i++ {
		s.used[i>>6] &^= 1 << (i & 63)
	}
}

// Cancel stops a pending event from running and reports whether it did: false
// when id is zero or its event already ran or was cancelled. The event's slot
// is freed and its callback and argument released at once. Cost: O(1)
// amortized (an O(n) compaction runs when dead entries outnumber live ones,
// so at most once per n/2 cancellations).
func (s *Simulator) Cancel(id EventID) bool {
	if id.slot == 0 || int(id.slot) > len(s.slots) {
		return false
	}
	idx := id.slot - 1
	sl := &s.slots[idx]
	if s.used[idx>>6]&(1<<(idx&63)) == 0 || s.keys[idx] == 0 || sl.gen != id.gen {
		return false
	}
	sl.ndead++
	sl.fnArg, sl.arg = nil, nil
	s.keys[idx] = 0
	s.fns[idx] = nil
	s.dirty[idx>>6] |= 1 << (idx & 63)
	s.hot = append(s.hot, idx)
	s.live--
	s.dead++
	if s.dead > 64 && s.dead > s.live {
		s.compact()
	}
	return true
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

// runTop pops the root entry, which must be live, frees its slot and runs
// its event. A plain func() event is run from fns, and its slot freed by
// clearing its used bit: the slot itself is not touched.
func (s *Simulator) runTop() {
	e := s.heap[hbase]
	idx := uint32(e.key & slotMask)
	if e.key&argBit == 0 {
		fn := s.fns[idx]
		s.fns[idx] = nil
		s.popRoot()
		s.used[idx>>6] &^= 1 << (idx & 63)
		s.live--
		s.now = e.at
		s.fired++
		fn()
		return
	}
	sl := &s.slots[idx]
	fnArg, arg := sl.fnArg, sl.arg
	sl.fnArg, sl.arg = nil, nil
	s.popRoot()
	s.used[idx>>6] &^= 1 << (idx & 63)
	s.live--
	s.now = e.at
	s.fired++
	fnArg(arg)
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

// isLive reports whether the heap entry e is live. Every cancelled entry
// still in the heap is counted in its slot's ndead, so an entry whose slot
// has no dirty bit is live without reading more; otherwise it is live when
// its slot is in use with its key.
func (s *Simulator) isLive(e *entry) bool {
	idx := e.key & slotMask
	w, b := idx>>6, uint64(1)<<(idx&63)
	return s.dirty[w]&b == 0 || s.used[w]&b != 0 && s.keys[idx] == e.key
}

// dropDeadTop pops cancelled entries off the top and reports whether a live
// entry remains.
func (s *Simulator) dropDeadTop() bool {
	for len(s.heap) > hbase {
		e := &s.heap[hbase]
		if s.isLive(e) {
			return true
		}
		idx := e.key & slotMask
		sl := &s.slots[idx]
		if sl.ndead--; sl.ndead == 0 {
			s.dirty[idx>>6] &^= 1 << (idx & 63)
		}
		s.popRoot()
		s.dead--
	}
	return false
}

// compact rebuilds the heap from its live entries in O(n), and gives back
// the heap's memory when it is four times larger than needed.
func (s *Simulator) compact() {
	// This is isLive without branches, which would mispredict here, and
	// without reading keys for a clean slot (keys[0] instead, in cache).
	old := s.heap
	j := hbase
	for i := hbase; i < len(old); i++ {
		e := old[i]
		idx := e.key & slotMask
		w, sh := idx>>6, idx&63
		d := s.dirty[w] >> sh & 1
		var match uint64
		if s.keys[idx&-d] == e.key {
			match = 1
		}
		old[j] = e
		j += int(d ^ 1 | s.used[w]>>sh&match)
	}
	h := old[:j]
	clear(old[j:])
	if c := cap(h); c > 1024 && len(h) < c/4 {
		h = append(make([]entry, 0, 2*len(h)), h...)
	}
	s.heap = h
	s.dead = 0
	// No dead entry is left: no slot is dirty.
	for w, b := range s.dirty {
		for b != 0 {
			s.slots[w<<6+bits.TrailingZeros64(b)].ndead = 0
			b &= b - 1
		}
		s.dirty[w] = 0
	}
	n := len(h)
	// Floyd's heap construction: sift down every internal node, last first.
	for p := (n - 1) >> 1; p >= hbase; p-- {
		s.siftDown(p)
	}
}

// renumber gives the pending events the sequence numbers 1..n in their
// order, so that sequence numbers never overflow the key. It runs once per
// 2³⁵ schedules: O(n log n). EventIDs do not depend on sequence numbers and
// stay valid.
func (s *Simulator) renumber() {
	s.compact()
	h := s.heap[hbase:]
	slices.SortFunc(h, func(a, b entry) int {
		switch {
		case less(&a, &b):
			return -1
		case less(&b, &a):
			return 1
		}
		return 0
	})
	// A sorted array is a valid heap: every parent precedes its children.
	for i := range h {
		idx := h[i].key & slotMask
		h[i].key = uint64(i+1)<<seqShift | h[i].key&(argBit|slotMask)
		s.keys[idx] = h[i].key
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
		if !less(&e, &h[p]) {
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
// child and so starts the next level's load early; touching the
// grandchildren starts the load after that too.
func (s *Simulator) siftDown(p int) {
	h := s.heap
	n := len(h)
	e := h[p]
	var t Time
	for {
		c := 2 * p
		if c >= n {
			break
		}
		// Touch the grandchildren (one cache line) while this level's
		// comparisons wait: their line then loads in the shadow of this
		// level's, and the walk below the cached top of the heap waits for
		// memory about once per two levels rather than once per level.
		if g := 2 * c; g < n {
			t += h[g].at
		}
		if c+1 < n && less(&h[c+1], &h[c]) {
			c++
		}
		if !less(&h[c], &e) {
			break
		}
		h[p] = h[c]
		p = c
	}
	h[p] = e
	s.touched = t
}
