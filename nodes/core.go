package nodes

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/ident"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// DefaultPort is the SIP port every node listens on unless configured
// otherwise (RFC 3261 19.1.2).
const DefaultPort = 5060

// Config is what every network element needs, whatever its role.
type Config struct {
	// Host is the name of the simulated host the element runs on; it must
	// exist in the network.
	Host string
	// Port is the SIP port; zero means DefaultPort.
	Port uint16
	// Domain is the domain the element serves or belongs to, such as
	// "here.com"; it names the element in Via sent-by values when no
	// other name is given.
	Domain string
	// Timers holds T1, T2, T4 and the 100 Trying policy of the element's
	// transactions; zero fields take RFC 3261's defaults.
	Timers transaction.Config
	// Transport chooses UDP or TCP for requests (RFC 3261 18.1.1).
	Transport transaction.TransportPolicy
}

// Handler is the transaction user of a [Core]: the element's own logic. The
// Core calls it for what its transactions pass up. Every method runs inside
// a simulator event and may send at once.
type Handler interface {
	// Request is a request from the network: a new server transaction tx,
	// or tx == 0 for a request that belongs to no transaction (an ACK for
	// a 2xx, RFC 3261 17.2.3 and 13.3.1.4). src is where it came from.
	Request(tx transaction.ID, req *sipstack.Request, src transaction.Destination)
	// Response is a response passed up by client transaction tx, or tx ==
	// 0 for one that matches no transaction (a retransmitted 2xx, RFC 3261
	// 17.1.1.2; RFC 6026 7.2).
	Response(tx transaction.ID, resp *sipstack.Response)
	// Failed reports that transaction tx timed out (timer is B, F or H)
	// or met a transport error (timer is 0): a message it sent over TCP
	// was lost for good (see [Core]). tx may be a client transaction
	// (RFC 3261 8.1.3.1, 17.1.4; a proxy's branch, 16.9) or a server
	// transaction whose response was lost (17.2.4).
	Failed(tx transaction.ID, timer transaction.Timer)
}

// Core binds one SIP element to the simulated network: it owns the element's
// transaction layer and turns the layer's actions into datagrams and
// scheduled events, parses what arrives, draws identifiers from the
// element's own random stream, and reports to the trace. The element (user
// agent, proxy, registrar) is its [Handler].
//
// # Transport errors
//
// The simulated TCP tells the sending host when a message it wrote is lost
// for good: its connection was reset by a crash of either host, or gave up
// after TCPConfig.MaxRetries, or the message could not be written at all
// (see [sim.Host.SetLossHandler]). UDP losses are silent, as on a real
// network without ICMP. The Core keeps, for every message a live
// transaction sent over TCP, the network's id of the message and the
// transaction's ID; when such a message is lost it reports a
// "transport-loss" note, calls [transaction.Layer.TransportError] for the
// transaction and carries out what the layer decides, which passes the
// error up as Handler.Failed(tx, 0) (RFC 3261 17.1.4, 17.2.4) when the
// transaction is still in a state that sends. The entries of a
// transaction are removed when it terminates, so the memory kept is
// bounded by the live transactions. A message sent outside any
// transaction (SendDirect, SendRaw: an ACK for a 2xx, a 2xx retransmission,
// a stateless forward), or by a transaction that has already terminated,
// is reported by the note alone. A message delivered before its connection
// failed is never reported: TCP's delivery is the transport's success.
//
// A Core is driven by the simulator alone: it starts no goroutine and reads
// no clock.
type Core struct {
	net     *sim.Network
	s       *sim.Simulator
	host    *sim.Host
	addr    netip.AddrPort
	cfg     Config
	layer   *transaction.Layer
	ids     *ident.Generator
	rand    *sim.Stream
	h       Handler
	timers  map[timerKey]sim.EventID
	fireFn  func(any)
	scratch []transaction.Action
	crashed bool
	rxSrc   transaction.Destination // source of the message being received

	// sentBy maps the network id of each TCP message sent by a live
	// transaction to that transaction; txSent lists, per transaction,
	// its entries in sentBy, to remove them when it terminates.
	sentBy map[uint64]transaction.ID
	txSent map[transaction.ID][]uint64
}

// timerKey names a running transaction timer.
type timerKey struct {
	tx transaction.ID
	t  transaction.Timer
}

// timerFiring is the argument of a scheduled timer event.
type timerFiring struct {
	c   *Core
	key timerKey
}

// Errors of [NewCore].
var (
	ErrNoHost = errors.New("nodes: no such host")
)

// NewCore attaches an element with handler h to the host cfg.Host of net.
// The element's random stream is named after the host, so its identifiers
// are reproducible and independent of every other element's.
func NewCore(net *sim.Network, cfg Config, h Handler) (*Core, error) {
	host := net.Host(cfg.Host)
	if host == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoHost, cfg.Host)
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	layer, err := transaction.NewLayer(cfg.Timers)
	if err != nil {
		return nil, err
	}
	if err := cfg.Transport.Validate(); err != nil {
		return nil, err
	}
	r := net.Sim().Stream("node/" + cfg.Host)
	ids, err := ident.New(r, host.Addr().String())
	if err != nil {
		return nil, err
	}
	c := &Core{
		net: net, s: net.Sim(), host: host, addr: host.AddrPort(cfg.Port), cfg: cfg,
		layer: layer, ids: ids, rand: r, h: h, timers: map[timerKey]sim.EventID{},
		sentBy: map[uint64]transaction.ID{}, txSent: map[transaction.ID][]uint64{},
	}
	c.fireFn = c.fire
	host.SetReceiver(sim.ReceiverFunc(c.receive))
	host.SetStateHandler(c.stateChanged)
	host.SetLossHandler(c.lost)
	return c, nil
}

// Addr returns the element's socket address.
func (c *Core) Addr() netip.AddrPort { return c.addr }

// Name returns the element's host name.
func (c *Core) Name() string { return c.cfg.Host }

// Config returns the element's configuration, with defaults applied.
func (c *Core) Config() Config { return c.cfg }

// IDs returns the element's identifier generator (branches, tags, Call-IDs).
func (c *Core) IDs() *ident.Generator { return c.ids }

// Rand returns the element's random stream, for its behaviours (ring times,
// answers); identifiers come from the same stream through IDs.
func (c *Core) Rand() *sim.Stream { return c.rand }

// Sim returns the simulator.
func (c *Core) Sim() *sim.Simulator { return c.s }

// Layer returns the element's transaction layer, for inspection.
func (c *Core) Layer() *transaction.Layer { return c.layer }

// Pending returns the number of transaction timers scheduled.
func (c *Core) Pending() int { return len(c.timers) }

// Note reports a decision of the element (a routing choice, a fork, a loop
// detected, a challenge) to the trace, so that a ladder can explain a call.
func (c *Core) Note(label, detail string) { c.net.Annotate(c.cfg.Host, label, detail) }

// NoteCall reports a decision or timer about one call, whose Call-ID the
// trace carries as the event's subject (the call_id of its record), so
// that per-call metrics can tell how each call ended from the trace alone.
func (c *Core) NoteCall(label, callID, detail string) {
	c.net.AnnotateSubject(c.cfg.Host, label, callID, detail)
}

// Via returns a new top Via for a request this element sends or forwards:
// its own address and transport, with a new branch from its stream (RFC
// 3261 8.1.1.7, 16.6 step 8).
func (c *Core) Via(t transaction.Transport) sipstack.Via {
	return sipstack.Via{
		Transport: t.String(),
		Host:      c.addr.Addr().String(),
		Port:      int(c.addr.Port()),
		Params:    sipstack.Params(";branch=" + c.ids.Branch()),
	}
}

// SendRequest sends req, which carries its top Via already, to dest
// through a new client transaction and returns its ID. The caller has
// chosen dest.Transport, normally with Config.Transport.PrepareRequest,
// which also moves a large request to TCP and rewrites its Via (RFC 3261
// 18.1.1).
func (c *Core) SendRequest(req *sipstack.Request, dest transaction.Destination) (transaction.ID, error) {
	if c.crashed {
		return 0, ErrCrashed
	}
	id, out, err := c.layer.SendRequest(req, dest, c.scratch[:0])
	c.apply(out)
	return id, err
}

// Respond sends resp through server transaction tx.
func (c *Core) Respond(tx transaction.ID, resp *sipstack.Response) error {
	if c.crashed {
		return ErrCrashed
	}
	out, err := c.layer.Respond(tx, resp, c.scratch[:0])
	c.apply(out)
	return err
}

// Transport returns the destination of req, whose top Via is this
// element's, sent towards dest (RFC 3261 18.1.1): the element's transport
// policy, unless resolution named a transport other than UDP (RFC 3263
// 4.1), and TCP for a request too large for UDP; the top Via is rewritten
// to name the transport chosen. User agents and proxies call it before
// SendRequest or SendDirect.
func (c *Core) Transport(req *sipstack.Request, dest Target) Target {
	return chooseTransport(c.cfg.Transport, req, dest)
}

// chooseTransport applies the transport policy pol to req sent towards
// dest (see [Core.Transport]); the stateless proxy, which has no Core,
// shares it.
func chooseTransport(pol transaction.TransportPolicy, req *sipstack.Request, dest Target) Target {
	if dest.Transport != transaction.UDP {
		pol.Transport = dest.Transport
	}
	d, _, err := pol.PrepareRequest(req, dest.Addr)
	if err != nil {
		return dest
	}
	return d
}

// Abandon destroys transaction tx (see [transaction.Layer.Abandon]).
func (c *Core) Abandon(tx transaction.ID) { c.apply(c.layer.Abandon(tx, c.scratch[:0])) }

// SendDirect sends a message outside any transaction: an ACK for a 2xx
// (RFC 3261 13.2.2.4), a response forwarded statelessly (16.7 step 9,
// 16.11), a request forwarded by a stateless proxy, a 2xx retransmission of
// the UAS core (13.3.1.4).
func (c *Core) SendDirect(m sipstack.Message, dest transaction.Destination) {
	if c.crashed {
		return
	}
	c.send(0, dest, m.AppendTo(nil))
}

// SendRaw sends already serialized bytes outside any transaction, such as
// the retransmissions a [transaction.UAS2xx] asks for (RFC 3261 13.3.1.4).
// data must not be modified afterwards.
func (c *Core) SendRaw(dest transaction.Destination, data []byte) {
	if c.crashed {
		return
	}
	c.send(0, dest, data)
}

// ErrCrashed is returned when an element whose host is down is asked to send.
var ErrCrashed = errors.New("nodes: host is down")

// Label returns the trace label of a serialized message: the method of a
// request, "CODE/METHOD" of a response, as drop filters and ladders expect.
func Label(m sipstack.Message) string {
	switch m := m.(type) {
	case *sipstack.Request:
		return m.Method
	case *sipstack.Response:
		cs, _ := m.Header.CSeq()
		return strconv.Itoa(m.StatusCode) + "/" + cs.Method
	}
	return ""
}

// wireLabel returns the Label of a message serialized by sipstack: the
// first token of a request line, or the status code and the CSeq method of
// a response. It reads the canonical form only (long header names), which
// is all this package sends, and never fails: unknown shapes give "".
func wireLabel(data []byte) string {
	const status = "SIP/2.0 "
	if len(data) > len(status)+3 && string(data[:len(status)]) == status {
		code := data[len(status) : len(status)+3]
		i := bytes.Index(data, []byte("\r\nCSeq: "))
		if i < 0 {
			return string(code)
		}
		line := data[i+len("\r\nCSeq: "):]
		if end := bytes.IndexByte(line, '\r'); end >= 0 {
			line = line[:end]
		}
		if sp := bytes.LastIndexByte(line, ' '); sp >= 0 {
			line = line[sp+1:]
		}
		return string(code) + "/" + string(line)
	}
	if sp := bytes.IndexByte(data, ' '); sp > 0 {
		return string(data[:sp])
	}
	return ""
}

// send hands bytes to the network for transaction tx (0 for none). A
// message the network refuses (which only a broken address does) is
// reported to the trace. A TCP message of a transaction is remembered
// until the transaction terminates, so that its loss reaches it (see
// [Core.lost]).
func (c *Core) send(tx transaction.ID, dest transaction.Destination, data []byte) {
	tr := sim.UDP
	if dest.Transport.Reliable() {
		tr = sim.TCP
	}
	id, err := c.net.SendID(sim.Datagram{Src: c.addr, Dst: dest.Addr, Payload: data, Label: wireLabel(data), Transport: tr})
	if err != nil {
		c.Note("send-error", fmt.Sprintf("to %v: %v", dest, err))
		return
	}
	if tr == sim.TCP && tx != 0 {
		c.sentBy[id] = tx
		c.txSent[tx] = append(c.txSent[tx], id)
	}
}

// forget drops what send remembered of transaction tx, which terminated.
func (c *Core) forget(tx transaction.ID) {
	for _, id := range c.txSent[tx] {
		delete(c.sentBy, id)
	}
	delete(c.txSent, tx)
}

// lost handles a TCP message the network reports lost for good (the loss
// handler of the host, run as an event of its own): a message of a live
// transaction becomes a transport error of that transaction (RFC 3261
// 17.1.4, 17.2.4); any other is only noted. A crashed element learns
// nothing: its transactions are gone.
func (c *Core) lost(d sim.Datagram, id uint64, r sim.Reason) {
	if c.crashed {
		return
	}
	tx, ok := c.sentBy[id]
	if !ok {
		c.Note("transport-loss", fmt.Sprintf("%s to %v/TCP: %v (no transaction)", d.Label, d.Dst, r))
		return
	}
	delete(c.sentBy, id)
	if ids := slices.DeleteFunc(c.txSent[tx], func(x uint64) bool { return x == id }); len(ids) > 0 {
		c.txSent[tx] = ids
	} else {
		delete(c.txSent, tx)
	}
	c.Note("transport-loss", fmt.Sprintf("%s to %v/TCP: %v (transaction %d)", d.Label, d.Dst, r, tx))
	c.apply(c.layer.TransportError(tx, c.scratch[:0]))
}

// receive parses a delivery and hands it to the transaction layer. A
// message that does not parse is reported and dropped: without a parsed
// Via there is nowhere to send a 400 (RFC 3261 18.1.2, 18.2.1).
func (c *Core) receive(d sim.Datagram) {
	if c.crashed {
		return
	}
	msg, err := sipstack.ParseMessage(d.Payload)
	if err != nil {
		c.Note("malformed", err.Error())
		return
	}
	tr := transaction.UDP
	if d.Transport == sim.TCP {
		tr = transaction.TCP
	}
	c.rxSrc = transaction.Destination{Addr: d.Src, Transport: tr}
	c.apply(c.layer.ReceiveMessage(msg, c.rxSrc, c.scratch[:0]))
}

// apply carries out the layer's actions in order.
func (c *Core) apply(out []transaction.Action) {
	for _, a := range out {
		switch a.Kind {
		case transaction.ActionSend:
			c.send(a.Tx, a.Dest, a.Data)
		case transaction.ActionStartTimer:
			k := timerKey{a.Tx, a.Timer}
			c.s.Cancel(c.timers[k])
			c.timers[k] = c.s.AfterArg(a.Duration, c.fireFn, &timerFiring{c, k})
		case transaction.ActionStopTimer:
			k := timerKey{a.Tx, a.Timer}
			c.s.Cancel(c.timers[k])
			delete(c.timers, k)
		case transaction.ActionPassUp:
			if a.Request != nil {
				c.h.Request(a.Tx, a.Request, c.rxSrc)
			} else {
				c.h.Response(a.Tx, a.Response)
			}
		case transaction.ActionTimeout:
			c.Note("timeout", fmt.Sprintf("transaction %d: %v", a.Tx, a.Timer))
			c.h.Failed(a.Tx, a.Timer)
		case transaction.ActionTransportError:
			c.Note("transport-error", fmt.Sprintf("transaction %d", a.Tx))
			c.h.Failed(a.Tx, 0)
		case transaction.ActionTerminated:
			c.forget(a.Tx)
		}
	}
}

// fire runs a transaction timer.
func (c *Core) fire(arg any) {
	f := arg.(*timerFiring)
	delete(c.timers, f.key)
	if c.crashed {
		return
	}
	c.apply(c.layer.Timer(f.key.tx, f.key.t, c.scratch[:0]))
}

// stateChanged handles a crash or recovery of the host: a crash loses every
// transaction and timer, as a rebooted server would.
func (c *Core) stateChanged(_ *sim.Host, up bool) {
	if up {
		c.crashed = false
		c.Note("recovered", "")
		return
	}
	c.crashed = true
	keys := make([]timerKey, 0, len(c.timers))
	for k := range c.timers {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b timerKey) int {
		if a.tx != b.tx {
			return int(a.tx) - int(b.tx)
		}
		return int(a.t) - int(b.t)
	})
	for _, k := range keys {
		c.s.Cancel(c.timers[k])
	}
	clear(c.timers)
	clear(c.sentBy)
	clear(c.txSent)
	layer, _ := transaction.NewLayer(c.cfg.Timers)
	c.layer = layer
	c.Note("crashed", "transactions and timers lost")
}

// after runs fn d after now, for the element's own timers (ring time, hold
// time, Timer C); it returns the event so that it can be cancelled.
func (c *Core) after(d time.Duration, fn func()) sim.EventID { return c.s.After(d, fn) }
