package transaction

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/sipsim/sipsim/sipstack"
)

// TestLayerNoLeak drives a layer with random sequences of inputs (requests
// from the TU and from the network, responses, retransmissions, ACKs,
// stray messages, transport errors, late timers), then gives every
// transaction still waiting on a peer or on the TU its final input, lets
// all timers run out, and checks that no transaction and no timer is left.
// A failure names the seed that reproduces it.
func TestLayerNoLeak(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { leakRun(t, seed) })
	}
}

func leakRun(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 2543))
	cfg := Config{}
	if r.IntN(2) == 0 {
		cfg.T1 = time.Duration(50+r.IntN(500)) * time.Millisecond
		cfg.Trying = TryingNone
	}
	l := newLayer(t, cfg)
	h := newHarness(t, l.Timer)
	var ids []ID                          // every transaction created, in order
	seen := map[ID]bool{}                 // membership of ids
	var sent []*sipstack.Request          // requests sent by the TU
	var received []*sipstack.Request      // requests received from the network
	finals := map[ID]*sipstack.Response{} // final response sent per server transaction
	n := 0                                // unique branch counter
	kinds := map[Kind]int{}               // transactions created per kind
	dest := func() Destination {
		if r.IntN(3) == 0 {
			return tcpPeer
		}
		return udpPeer
	}
	note := func(out []Action) {
		for _, a := range out {
			if a.Tx != 0 && !seen[a.Tx] {
				seen[a.Tx] = true
				ids = append(ids, a.Tx)
				k, _ := l.Kind(a.Tx)
				kinds[k]++
			}
		}
		h.apply(out)
	}
	pick := func() ID {
		if len(ids) == 0 {
			return 0
		}
		return ids[r.IntN(len(ids))]
	}
	method := func() string { return [...]string{"INVITE", "OPTIONS", "INVITE", "BYE", "CANCEL"}[r.IntN(5)] }
	newRequest := func(m string, cookie bool) *sipstack.Request {
		n++
		text := strings.Replace(inviteText, "z9hG4bK776asdhds", fmt.Sprintf("z9hG4bKleak%d", n), 1)
		if !cookie {
			text = strings.Replace(inviteText, ";branch=z9hG4bK776asdhds", "", 1)
			text = strings.Replace(text, "314159", fmt.Sprint(n), 1)
		}
		return request(t, text, m)
	}

	for step := 0; step < 400; step++ {
		h.runUntil(h.now + time.Duration(r.IntN(3000))*time.Millisecond)
		switch r.IntN(10) {
		case 0: // the TU sends a request
			req := newRequest(method(), true)
			_, out, err := l.SendRequest(req, dest(), nil)
			if err != nil {
				t.Fatal(err)
			}
			sent = append(sent, req)
			note(out)
		case 1, 2: // a response arrives for a sent request
			if len(sent) == 0 {
				continue
			}
			req := sent[r.IntN(len(sent))]
			code := [...]int{100, 180, 200, 200, 486, 603}[r.IntN(6)]
			note(l.ReceiveResponse(response(req, code, "tag"), nil))
		case 3: // a new request arrives, with or without the magic cookie
			req := newRequest(method(), r.IntN(4) != 0)
			received = append(received, req)
			note(l.ReceiveRequest(req, dest(), nil))
		case 4: // a request is retransmitted
			if len(received) == 0 {
				continue
			}
			note(l.ReceiveRequest(received[r.IntN(len(received))], src, nil))
		case 5, 6: // the TU answers a server transaction
			id := pick()
			req, ok := l.Request(id)
			if !ok {
				continue
			}
			code := [...]int{180, 200, 486, 500}[r.IntN(4)]
			resp := response(req, code, fmt.Sprint("t", id))
			out, err := l.Respond(id, resp, nil)
			if err != nil && !errors.Is(err, ErrState) && !errors.Is(err, ErrNoTransaction) {
				t.Fatal(err)
			}
			if err == nil && code >= 200 {
				finals[id] = resp
			}
			note(out)
		case 7: // an ACK arrives for a final response
			if len(ids) == 0 {
				continue
			}
			id := pick()
			resp := finals[id]
			req, ok := l.Request(id)
			if resp == nil || !ok || req.Method != sipstack.INVITE {
				continue
			}
			note(l.ReceiveRequest(mustACK(t, req, resp), src, nil))
		case 8: // a transport error
			note(l.TransportError(pick(), nil))
		case 9: // a timer firing that is stale (stopped or never
			// started) or early (the caller's timer fires now)
			id, tm := pick(), Timer(1+r.IntN(int(TimerM)))
			h.cancel(id, tm)
			note(l.Timer(id, tm, nil))
		}
	}

	// Give every transaction still waiting on the TU or on a peer its final
	// input: the TU answers servers, the peer answers INVITE clients in
	// "Proceeding" (which no timer of this package ends: Timer C is the
	// proxy's).
	for _, id := range ids {
		state, ok := l.State(id)
		if !ok {
			continue
		}
		req, _ := l.Request(id)
		kind, _ := l.Kind(id)
		switch {
		case kind.Server() && (state == Trying || state == Proceeding):
			resp := response(req, 500, "drain")
			out, err := l.Respond(id, resp, nil)
			if err != nil {
				t.Fatal(err)
			}
			note(out)
		case kind == InviteClientKind && state == Proceeding:
			note(l.ReceiveResponse(response(req, 487, "drain"), nil))
		}
	}
	h.runOut()
	if len(ids) < 40 || len(kinds) != 4 {
		t.Fatalf("seed %d: the random sequence created too little: %d transactions, kinds %v", seed, len(ids), kinds)
	}
	if l.Len() != 0 {
		var live []string
		for _, id := range ids {
			if s, ok := l.State(id); ok {
				k, _ := l.Kind(id)
				live = append(live, fmt.Sprintf("%d %v %v", id, k, s))
			}
		}
		t.Fatalf("seed %d: %d transactions left: %v", seed, l.Len(), live)
	}
	if len(h.timers) != 0 {
		t.Fatalf("seed %d: timers left: %v", seed, h.timers)
	}
	if len(l.byKey) != 0 || len(l.byID) != 0 {
		t.Fatalf("seed %d: tables not empty: %d keys, %d ids", seed, len(l.byKey), len(l.byID))
	}
}
