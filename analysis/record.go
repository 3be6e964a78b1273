package analysis

import (
	"crypto/sha256"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
)

// The values of [Record].Event.
const (
	// EventSend: a SIP message left its sender (a UDP datagram, or a
	// message written to the TCP stream transport).
	EventSend = "send"
	// EventRecv: a SIP message was delivered to the node it was addressed
	// to.
	EventRecv = "recv"
	// EventDrop: a SIP message was lost; Reason says why, Hop where.
	EventDrop = "drop"
	// EventTimer: a node reported that one of its timers fired (an
	// annotation labelled "timeout", "no-answer", "invite-expired" or
	// ending in "-timeout").
	EventTimer = "timer"
	// EventDecision: any other annotation of a node (a route, a fork, a
	// call placed, a transport error).
	EventDecision = "decision"
	// EventHostDown: the host of Node crashed.
	EventHostDown = "host-down"
	// EventHostUp: the host of Node recovered.
	EventHostUp = "host-up"
)

// RetransmitWindow is how long a [Mapper] remembers a message it saw sent,
// to flag an identical one from the same sender to the same destination as
// a retransmission: 64*T1 with RFC 3261's default T1 of 500 ms, the longest
// span over which a transaction retransmits (RFC 3261 17.1.1.2 Timer B,
// 17.2.1 Timer H, 13.3.1.4). Consecutive retransmissions are never further
// apart than T2 (4 s), so a longer T1 still fits.
const RetransmitWindow = 64 * 500 * time.Millisecond

// Names maps the address of each simulated host to the node name shown in
// records and ladders. An address not in the map is shown as itself
// ("10.0.9.9").
type Names map[netip.Addr]string

// name returns the name of the host at a, or a in text.
func (n Names) name(a netip.Addr) string {
	if s, ok := n[a]; ok {
		return s
	}
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// Record is one line of the JSON-lines trace: a SIP message sent,
// delivered or dropped, or a node's timer, decision or state change. The
// JSON names and their order are given in the package documentation; every
// field is always written, zero when it does not apply.
type Record struct {
	// TimeNs is the virtual time in nanoseconds since the run started.
	TimeNs int64 `json:"t_ns"`
	// Event is one of EventSend, EventRecv, EventDrop, EventTimer,
	// EventDecision, EventHostDown, EventHostUp.
	Event string `json:"event"`
	// ID is the network's id of the message (the same on its send, recv
	// and drop records), 0 for the other events.
	ID uint64 `json:"id"`
	// Node is the node of a timer, decision or host event, "" otherwise.
	Node string `json:"node"`
	// From is the node that sent the message.
	From string `json:"from"`
	// To is the node the message is addressed to, whatever routers it
	// crosses.
	To string `json:"to"`
	// Transport is "UDP" or "TCP" for a message, "" otherwise.
	Transport string `json:"transport"`
	// Method is the request's method, or the CSeq method of a response.
	Method string `json:"method"`
	// Status is the response's status code, 0 for a request.
	Status int `json:"status"`
	// Reason is the response's reason phrase, or for a drop why the
	// message was lost ("loss", "queue-overflow", "host-down", ...).
	Reason string `json:"reason"`
	// CallID is the Call-ID header field value of a message, or the
	// Call-ID of the call a timer or decision is about ("" when it is not
	// about one call).
	CallID string `json:"call_id"`
	// CSeq is the CSeq sequence number.
	CSeq uint32 `json:"cseq"`
	// Branch is the branch parameter of the top Via.
	Branch string `json:"branch"`
	// Size is the message size in bytes.
	Size int `json:"size"`
	// Retransmission reports, on a send record, that the sender sent the
	// same bytes to the same destination before (within
	// RetransmitWindow): a SIP retransmission.
	Retransmission bool `json:"retransmission"`
	// Hop is the link direction where a message was dropped, as
	// "from->to" host names, "" when it never entered a link.
	Hop string `json:"hop"`
	// Label is the network's label of a message ("INVITE",
	// "200/INVITE"), or the label of a timer or decision ("route").
	Label string `json:"label"`
	// Detail is the free text of a timer or decision.
	Detail string `json:"detail"`
}

// Time returns the record's virtual time.
func (r *Record) Time() sim.Time { return sim.Time(r.TimeNs) }

// IsMessage reports whether r is about a SIP message (send, recv, drop).
func (r *Record) IsMessage() bool {
	return r.Event == EventSend || r.Event == EventRecv || r.Event == EventDrop
}

// MessageText returns how a ladder names the message: the method of a
// request, "status reason" of a response ("302 Moved Temporarily"), or the
// network label when the payload did not parse.
func (r *Record) MessageText() string {
	switch {
	case r.Status != 0:
		phrase := r.Reason
		if r.Event == EventDrop {
			// Reason says why it was lost: show the standard phrase.
			phrase = sipstack.StatusText(r.Status)
		}
		if phrase == "" {
			return strconv.Itoa(r.Status)
		}
		return strconv.Itoa(r.Status) + " " + phrase
	case r.Method != "":
		return r.Method
	}
	return r.Label
}

// Mapper turns trace events into records. It keeps, for retransmission
// detection, a digest of each message sent within the last
// RetransmitWindow, so its memory is bounded by the traffic of that
// window. A Mapper is not safe for concurrent use; one serves one run.
type Mapper struct {
	names     Names
	seen      map[sentKey]sim.Time
	lastSweep sim.Time
}

// sentKey identifies a message sent: sender, destination and the SHA-256
// of its bytes.
type sentKey struct {
	src, dst netip.AddrPort
	sum      [sha256.Size]byte
}

// NewMapper returns a Mapper that names hosts with names.
func NewMapper(names Names) *Mapper {
	return &Mapper{names: names, seen: map[sentKey]sim.Time{}}
}

// Map returns the record of e, and false for events that are not SIP
// messages nor node events: TCP segments (KindSend, KindArrive and
// segment drops of the TCP transport), which carry pieces of messages
// whose own write, delivery or loss is recorded. e is not retained.
//
// The kinds map as follows: KindSend of a UDP datagram and KindWrite of a
// TCP message give EventSend; KindDeliver gives EventRecv; KindDrop of a
// UDP datagram or of a whole TCP message gives EventDrop;
// KindAnnotation gives EventTimer or EventDecision (see those); KindHostDown
// and KindHostUp give EventHostDown and EventHostUp.
func (m *Mapper) Map(e *sim.Event) (Record, bool) {
	r := Record{TimeNs: int64(e.Time)}
	switch e.Kind {
	case sim.KindSend:
		if e.Transport == sim.TCP {
			return Record{}, false
		}
		r.Event = EventSend
	case sim.KindWrite:
		r.Event = EventSend
	case sim.KindDeliver:
		r.Event = EventRecv
	case sim.KindDrop:
		if e.Transport == sim.TCP && e.Seg != (sim.Segment{}) {
			return Record{}, false
		}
		r.Event = EventDrop
	case sim.KindAnnotation:
		r.Event = EventDecision
		if isTimerLabel(e.Label) {
			r.Event = EventTimer
		}
		r.Node, r.Label, r.Detail, r.CallID = e.Host, e.Label, e.Detail, e.Subject
		return r, true
	case sim.KindHostDown:
		r.Event, r.Node = EventHostDown, e.Host
		return r, true
	case sim.KindHostUp:
		r.Event, r.Node = EventHostUp, e.Host
		return r, true
	default:
		return Record{}, false
	}
	r.ID = e.ID
	r.From, r.To = m.names.name(e.Src.Addr()), m.names.name(e.Dst.Addr())
	r.Transport = e.Transport.String()
	r.Size = e.Size
	r.Label = e.Label
	r.Hop = e.Hop.String()
	fillSIP(&r, e.Payload)
	if r.Event == EventDrop {
		r.Reason = e.Reason.String()
	} else {
		r.Hop = ""
	}
	if r.Event == EventSend {
		r.Retransmission = m.seenBefore(e)
	}
	return r, true
}

// isTimerLabel reports whether an annotation label names a timer that
// fired: a transaction's timeout (RFC 3261 17.1.1.2 Timer B, 17.1.2.2
// Timer F, 17.2.1 Timer H) or a proxy's Timer C (16.8) ("timeout"), a
// user agent's no-answer timer, an INVITE's Expires (13.3.1), and the
// "-timeout" family ("ring-timeout", "call-timeout", "cancel-timeout").
func isTimerLabel(label string) bool {
	switch label {
	case "timeout", "no-answer", "invite-expired":
		return true
	}
	return strings.HasSuffix(label, "-timeout")
}

// fillSIP sets the SIP fields of r from a serialized message. A payload
// that does not parse leaves them as they are: the record keeps what the
// network knows (the label, the size).
func fillSIP(r *Record, payload []byte) {
	if len(payload) == 0 {
		return
	}
	msg, err := sipstack.ParseMessage(payload)
	if err != nil {
		return
	}
	h := msg.Headers()
	switch m := msg.(type) {
	case *sipstack.Request:
		r.Method = m.Method
	case *sipstack.Response:
		r.Status, r.Reason = m.StatusCode, m.Reason
	}
	if cs, err := h.CSeq(); err == nil {
		r.CSeq = cs.Seq
		if r.Method == "" {
			r.Method = cs.Method
		}
	}
	r.CallID = h.CallID()
	if v, err := h.Via(); err == nil {
		r.Branch = v.Branch()
	}
}

// seenBefore reports whether the sender of e sent the same bytes to the
// same destination within RetransmitWindow, and remembers this send.
func (m *Mapper) seenBefore(e *sim.Event) bool {
	if len(e.Payload) == 0 {
		return false // bytes not materialised: nothing to compare
	}
	now := e.Time
	if now.Sub(m.lastSweep) > RetransmitWindow {
		// Forget what is too old to be retransmitted; the order of the
		// deletions does not matter.
		for k, t := range m.seen {
			if now.Sub(t) > RetransmitWindow {
				delete(m.seen, k)
			}
		}
		m.lastSweep = now
	}
	k := sentKey{src: e.Src, dst: e.Dst, sum: sha256.Sum256(e.Payload)}
	t, ok := m.seen[k]
	m.seen[k] = now
	return ok && now.Sub(t) <= RetransmitWindow
}
