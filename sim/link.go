package sim

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// MaxBandwidth bounds LinkConfig.Bandwidth (1 Pbit/s), which keeps the
// integer serialization arithmetic exact and free of overflow.
const MaxBandwidth = 1_000_000_000_000_000

// Window is a span of virtual time [From, To): From included, To excluded.
type Window struct {
	From, To Time
}

// Contains reports whether t is in [From, To).
func (w Window) Contains(t Time) bool { return t >= w.From && t < w.To }

// LinkConfig is the model of one direction of a link. The zero value is an
// ideal direction: no delay, no loss, infinite bandwidth, the default MTU.
//
// A datagram entering a direction at time t (at the sending host) goes
// through these steps, in order:
//
//  1. Down: if t is in a down window, it is dropped (ReasonLinkDown).
//  2. Filter: the network's drop filters may drop it (ReasonFilter).
//  3. Fragmentation: an IPv4 datagram longer than MTU is cut into
//     fragments (RFC 791); each fragment is a packet of its own below.
//  4. Queue: each packet waits for the transmitter in a FIFO queue; a
//     packet that finds the queue full is dropped (tail drop,
//     ReasonQueueOverflow).
//  5. Serialization: the packet occupies the transmitter for
//     ceil(8*wire*1e9/Bandwidth) ns (see Serialization), where wire is its
//     IPv4 total length: a UDP datagram's payload + 8 (UDP header) + 20
//     (IPv4 header), a TCP segment's payload + 20 (TCP) + 20 (IPv4), a
//     fragment's data + 20. Link-layer framing (Ethernet header, preamble,
//     inter-frame gap) is not counted.
//  6. Loss: each packet that is serialized draws once from the loss model;
//     a lost fragment loses the datagram (ReasonMTU), a lost unfragmented
//     datagram is ReasonLoss.
//  7. Propagation: each packet arrives Delay plus a jitter draw after its
//     last bit is sent; a fragmented datagram arrives with its last
//     fragment.
//
// The fate of a datagram is decided when it enters the direction, and a drop
// is reported at that instant. A datagram accepted by a direction completes
// its transit even if the direction goes down afterwards (the model is an
// interface that refuses new traffic while down).
type LinkConfig struct {
	// Delay is the propagation delay, at least 0. Routing minimizes the
	// sum of Delay along the path.
	Delay time.Duration
	// Jitter, when not nil, is added to Delay for each packet: a value in
	// seconds drawn from the direction's own stream, rounded to the
	// nanosecond and clamped at 0 (see SampleDuration).
	Jitter Dist
	// FIFO keeps arrival order equal to sending order despite jitter: a
	// packet never arrives before an earlier packet of the same direction
	// (its arrival is delayed to that packet's arrival instead).
	FIFO bool
	// Loss is the loss model; nil loses nothing.
	Loss LossModel
	// Bandwidth is the transmitter's rate in bits per second; 0 means
	// infinite (no serialization delay and no queueing). At most
	// MaxBandwidth.
	Bandwidth int64
	// QueuePackets bounds the number of packets waiting for the
	// transmitter (the one being serialized does not count); 0 means no
	// bound. Ignored when Bandwidth is 0.
	QueuePackets int
	// QueueBytes bounds the sum of the wire sizes of the packets waiting for
	// the transmitter (the one being serialized does not count); 0 means no
	// bound. Ignored when Bandwidth is 0. A packet that finds the
	// transmitter idle is sent at once, whatever its size.
	QueueBytes int
	// MTU is the largest IPv4 packet (total length, header included) the
	// direction carries unfragmented; 0 means DefaultMTU. It must be in
	// [MinMTU, MaxMTU]. The stream transport sizes its segments from the
	// smallest MTU on its path.
	MTU int
	// Down lists windows of virtual time during which the direction is
	// down. They may overlap and come in any order.
	Down []Window
}

// Validate reports the first invalid field of c, if any.
func (c LinkConfig) Validate() error {
	switch {
	case c.Delay < 0:
		return fmt.Errorf("sim: link delay %v is negative", c.Delay)
	case c.Bandwidth < 0 || c.Bandwidth > MaxBandwidth:
		return fmt.Errorf("sim: link bandwidth %d bit/s is not in [0, %d]", c.Bandwidth, int64(MaxBandwidth))
	case c.QueuePackets < 0:
		return fmt.Errorf("sim: link queue of %d packets is negative", c.QueuePackets)
	case c.QueueBytes < 0:
		return fmt.Errorf("sim: link queue of %d bytes is negative", c.QueueBytes)
	case c.MTU != 0 && (c.MTU < MinMTU || c.MTU > MaxMTU):
		return fmt.Errorf("sim: link MTU %d is not in [%d, %d]", c.MTU, MinMTU, MaxMTU)
	}
	for _, w := range c.Down {
		if w.From < 0 || w.To <= w.From {
			return fmt.Errorf("sim: link down window [%v, %v) is empty or negative", w.From, w.To)
		}
	}
	if c.Loss != nil {
		if err := c.Loss.Validate(); err != nil {
			return err
		}
		if c.Loss.NewProcess() == nil {
			return fmt.Errorf("sim: loss model %v has no process", c.Loss)
		}
	}
	return nil
}

// mtu returns the effective MTU.
func (c *LinkConfig) mtu() int {
	if c.MTU == 0 {
		return DefaultMTU
	}
	return c.MTU
}

// Serialization returns the time a transmitter of bw bit/s takes to send
// wire bytes: ceil(8*wire*1e9/bw) nanoseconds, computed in integers and
// rounded up (the last bit has not left before that instant). Each packet is
// rounded on its own, so a burst never finishes early. It returns 0 when bw
// is 0 (infinite) and an error when bw or wire is out of range.
func Serialization(wire int, bw int64) (time.Duration, error) {
	if bw < 0 || bw > MaxBandwidth {
		return 0, fmt.Errorf("sim: bandwidth %d bit/s is not in [0, %d]", bw, int64(MaxBandwidth))
	}
	if wire < 0 || wire > MaxMTU {
		return 0, fmt.Errorf("sim: packet of %d bytes is not in [0, %d]", wire, MaxMTU)
	}
	return serialization(wire, bw), nil
}

// serialization is Serialization for validated arguments: wire <= 65535
// gives at most 5.3e14 bit·ns, and bw <= 1e15, so the sum fits in int64.
func serialization(wire int, bw int64) time.Duration {
	if bw == 0 {
		return 0
	}
	bitNs := int64(wire) * 8 * int64(time.Second)
	return time.Duration((bitNs + bw - 1) / bw)
}

// errSameHost is returned by AddLink for a link from a host to itself.
var errSameHost = errors.New("sim: a link cannot join a host to itself")

// qent is a packet waiting for the transmitter of a direction: the instant
// its serialization starts and its wire size.
type qent struct {
	start Time
	wire  int
}

// direction is one direction of a link: its model and its running state.
type direction struct {
	from, to   *Host
	cfg        LinkConfig
	hop        Hop
	loss       LossProcess
	lossRand   *Stream
	jitterRand *Stream
	removed    bool

	busyUntil   Time // when the transmitter finishes its last packet
	lastArrival Time // latest arrival scheduled, for FIFO
	queue       []qent
	qhead       int
	qbytes      int
}

func newDirection(s *Simulator, from, to *Host, cfg LinkConfig) *direction {
	cfg.Down = slices.Clone(cfg.Down)
	slices.SortFunc(cfg.Down, func(a, b Window) int {
		if a.From != b.From {
			return cmpTime(a.From, b.From)
		}
		return cmpTime(a.To, b.To)
	})
	d := &direction{from: from, to: to, cfg: cfg, hop: Hop{From: from.name, To: to.name}}
	name := "link:" + from.name + "->" + to.name
	if cfg.Loss != nil {
		d.loss = cfg.Loss.NewProcess()
		d.lossRand = s.Stream(name + "/loss")
	}
	if cfg.Jitter != nil {
		d.jitterRand = s.Stream(name + "/jitter")
	}
	return d
}

func cmpTime(a, b Time) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// isDown reports whether the direction is down at t. Cost: O(w) for w
// windows starting at or before t.
func (d *direction) isDown(t Time) bool {
	for _, w := range d.cfg.Down {
		if w.From > t {
			return false
		}
		if t < w.To {
			return true
		}
	}
	return false
}

// addDown inserts a down window, keeping the list sorted.
func (d *direction) addDown(w Window) {
	i, _ := slices.BinarySearchFunc(d.cfg.Down, w, func(a, b Window) int {
		if a.From != b.From {
			return cmpTime(a.From, b.From)
		}
		return cmpTime(a.To, b.To)
	})
	d.cfg.Down = slices.Insert(d.cfg.Down, i, w)
}

// admit runs the queue and transmitter for one packet of wire bytes entering
// at now. It returns the instant its last bit is sent, or false when the
// queue is full (tail drop). Cost: O(1) amortized, no allocation once the
// queue slice has grown to its bound.
func (d *direction) admit(now Time, wire int) (Time, bool) {
	bw := d.cfg.Bandwidth
	if bw == 0 {
		return now, true
	}
	start := max(now, d.busyUntil)
	if d.cfg.QueuePackets > 0 || d.cfg.QueueBytes > 0 {
		// Packets whose serialization has started have left the queue.
		for d.qhead < len(d.queue) && d.queue[d.qhead].start <= now {
			d.qbytes -= d.queue[d.qhead].wire
			d.qhead++
		}
		if d.qhead == len(d.queue) {
			d.queue, d.qhead = d.queue[:0], 0
		} else if d.qhead >= 64 && 2*d.qhead >= len(d.queue) {
			n := copy(d.queue, d.queue[d.qhead:])
			d.queue, d.qhead = d.queue[:n], 0
		}
		if start > now {
			waiting := len(d.queue) - d.qhead
			if (d.cfg.QueuePackets > 0 && waiting >= d.cfg.QueuePackets) ||
				(d.cfg.QueueBytes > 0 && d.qbytes+wire > d.cfg.QueueBytes) {
				return 0, false
			}
			d.queue = append(d.queue, qent{start: start, wire: wire})
			d.qbytes += wire
		}
	}
	end := start.Add(serialization(wire, bw))
	d.busyUntil = end
	return end, true
}

// propagate returns the arrival time of a packet whose last bit left at end.
func (d *direction) propagate(end Time) Time {
	at := end.Add(d.cfg.Delay)
	if d.jitterRand != nil {
		at = at.Add(SampleDuration(d.cfg.Jitter, d.jitterRand))
	}
	if d.cfg.FIFO {
		at = max(at, d.lastArrival)
	}
	d.lastArrival = max(d.lastArrival, at)
	return at
}

// transit is the outcome of a datagram entering a direction.
type transit struct {
	arrival Time
	reason  Reason // ReasonNone when it arrives
	wire    int    // bytes put on the wire (accepted fragments)
	frags   int
}

// send decides the fate of a datagram of IPv4 total length total entering
// the direction at now (steps 3 to 7 of LinkConfig). Every fragment is
// offered to the queue, and every fragment that reaches the wire draws from
// the loss model, even after another fragment was lost: the channel state
// (Gilbert-Elliott) and the transmitter see every fragment, as a real link
// would.
func (d *direction) send(now Time, total int) transit {
	n, full, last := fragments(total, d.cfg.mtu())
	t := transit{frags: n}
	for i := range n {
		size := full
		if i == n-1 {
			size = last
		}
		end, ok := d.admit(now, size)
		if !ok {
			if t.reason == ReasonNone {
				t.reason = ReasonQueueOverflow
			}
			continue
		}
		t.wire += size
		if d.loss != nil && d.loss.Lost(d.lossRand) {
			if t.reason == ReasonNone {
				t.reason = ReasonLoss
				if n > 1 {
					t.reason = ReasonMTU
				}
			}
			continue
		}
		if t.reason == ReasonNone {
			t.arrival = max(t.arrival, d.propagate(end))
		}
	}
	return t
}
