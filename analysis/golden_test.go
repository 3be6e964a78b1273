package analysis_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
)

func TestSeedGolden(t *testing.T) {
	trace, call := anRunSeed(t, 1, 0)
	assert.Equal(t, nodes.CallCompleted, call.Outcome())
	anGolden(t, "seed.jsonl", trace)
	anGolden(t, "seed.ladder.txt", anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns}))
	anGolden(t, "seed-notes.ladder.txt", anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns, Timers: true, Decisions: true, Numbered: true}))
}

// TestLossyGolden runs the reference scenario with 20% loss on every link
// (seed 3: seven datagrams lost, the call still completes) and compares
// its trace and ladder with the golden files, in which the losses and
// the retransmissions that repair them are visible.
func TestLossyGolden(t *testing.T) {
	trace, call := anRunSeed(t, 3, 0.2)
	assert.Equal(t, nodes.CallCompleted, call.Outcome())
	anGolden(t, "lossy.jsonl", trace)
	anGolden(t, "lossy.ladder.txt", anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns, Timers: true}))
}

// TestDeterminism runs each scenario twice: the traces and the ladders are
// the same bytes.
func TestDeterminism(t *testing.T) {
	for _, loss := range []float64{0, 0.2} {
		a, _ := anRunSeed(t, 3, loss)
		b, _ := anRunSeed(t, 3, loss)
		require.NotEmpty(t, a)
		assert.True(t, bytes.Equal(a, b), "loss %v: the two traces differ", loss)
		opts := analysis.LadderOptions{Columns: anSeedColumns, Timers: true, Decisions: true}
		assert.Equal(t, string(anLadderText(t, a, opts)), string(anLadderText(t, b, opts)), "loss %v", loss)
	}
}

// TestSeedMessages checks the reference scenario's records against the
// call flow of the seed: every message on its SIP hop, in order, each
// sent once and delivered once.
func TestSeedMessages(t *testing.T) {
	trace, _ := anRunSeed(t, 1, 0)
	recs, err := analysis.ReadRecords(bytes.NewReader(trace))
	require.NoError(t, err)
	var sends []string
	recvs := map[uint64]int{}
	for _, r := range recs {
		switch r.Event {
		case analysis.EventSend:
			sends = append(sends, r.From+" -> "+r.To+" "+r.MessageText())
			assert.False(t, r.Retransmission, "no loss, no retransmission: %+v", r)
			assert.NotEmpty(t, r.CallID)
			assert.NotEmpty(t, r.Branch)
			assert.NotZero(t, r.CSeq)
		case analysis.EventRecv:
			recvs[r.ID]++
		case analysis.EventDrop:
			t.Errorf("no loss, yet a drop: %+v", r)
		}
	}
	assert.Equal(t, []string{
		"user1 -> proxy1 INVITE",
		"proxy1 -> user1 100 Trying",
		"proxy1 -> redirect INVITE",
		"redirect -> proxy1 302 Moved Temporarily",
		"proxy1 -> redirect ACK",
		"proxy1 -> stateless INVITE",
		"stateless -> proxy2 INVITE",
		"proxy2 -> stateless 100 Trying",
		"proxy2 -> user2 INVITE",
		"stateless -> proxy1 100 Trying",
		"user2 -> proxy2 100 Trying",
		"user2 -> proxy2 180 Ringing",
		"proxy2 -> stateless 180 Ringing",
		"stateless -> proxy1 180 Ringing",
		"proxy1 -> user1 180 Ringing",
		"user2 -> proxy2 200 OK",
		"proxy2 -> stateless 200 OK",
		"stateless -> proxy1 200 OK",
		"proxy1 -> user1 200 OK",
		"user1 -> proxy1 ACK",
		"proxy1 -> proxy2 ACK",
		"proxy2 -> user2 ACK",
		"user1 -> proxy1 BYE",
		"proxy1 -> proxy2 BYE",
		"proxy2 -> user2 BYE",
		"user2 -> proxy2 200 OK",
		"proxy2 -> proxy1 200 OK",
		"proxy1 -> user1 200 OK",
	}, sends)
	assert.Len(t, recvs, len(sends), "every message is delivered")
	for id, n := range recvs {
		assert.Equal(t, 1, n, "message %d delivered once", id)
	}
}

// TestLossyMarks checks that the lossy golden run shows what it is there
// for: lost messages and the retransmissions that repair them.
func TestLossyMarks(t *testing.T) {
	trace, _ := anRunSeed(t, 3, 0.2)
	text := string(anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns}))
	assert.Contains(t, text, "INVITE (lost: loss)")
	assert.Contains(t, text, "INVITE (retx)")
	assert.Contains(t, text, "x---")
	assert.Contains(t, text, "---x")
}

// TestCollectorMatchesFile checks that a ladder drawn from the records
// collected during a run is the one drawn from its trace file.
func TestCollectorMatchesFile(t *testing.T) {
	var col *analysis.Collector
	w2 := anBuildSeed(t, anSeedSpec{seed: 3, loss: 0.2, extra: func(names analysis.Names) sim.Sink {
		col = analysis.NewCollector(names)
		return col
	}})
	call, err := w2.user1.Call(anSeedURI(t, "sip:user2@here.com"), nodes.CallOptions{})
	require.NoError(t, err)
	w2.net.Sim().Run()
	require.Equal(t, nodes.CallCompleted, call.Outcome())
	opts := analysis.LadderOptions{Columns: anSeedColumns, Timers: true, Decisions: true}
	var live bytes.Buffer
	require.NoError(t, analysis.NewLadder(col.Records, opts).WriteText(&live))
	assert.Equal(t, string(anLadderText(t, w2.trace.Bytes(), opts)), live.String())
}

// TestTCPGolden runs the reference scenario with every element configured
// for TCP: each SIP message is one send record (its write), never one per
// segment. The stateless proxy forwards over UDP whatever its
// configuration (so proxy 2 answers it over UDP, RFC 3261 18.2.2): that
// hop is not checked here.
func TestTCPGolden(t *testing.T) {
	w := anBuildSeed(t, anSeedSpec{seed: 1, tcp: true})
	call, err := w.user1.Call(anSeedURI(t, "sip:user2@here.com"), nodes.CallOptions{})
	require.NoError(t, err)
	w.net.Sim().Run()
	require.NoError(t, w.tw.Err())
	assert.Equal(t, nodes.CallCompleted, call.Outcome())
	trace := w.trace.Bytes()
	recs, err := analysis.ReadRecords(bytes.NewReader(trace))
	require.NoError(t, err)
	sends := 0
	for _, r := range recs {
		if r.Event == analysis.EventSend {
			sends++
			assert.Equal(t, "TCP", r.Transport, "every hop, the stateless proxy's too: %+v", r)
			assert.NotEmpty(t, r.Method, "a whole message parses: %+v", r)
		}
	}
	assert.Equal(t, 28, sends, "the 28 messages of the UDP run")
	anGolden(t, "tcp.ladder.txt", anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns}))
}

// TestTimeoutGolden draws the one run of the first 60 lossy seeds in which
// a timer fires (seed 59): every 200 OK to user1 is lost, user2 gives up
// waiting for the ACK and sends BYE (RFC 3261 13.3.1.4), user1 answers
// 481 and cancels its INVITE, and its cancel timer fires; the ladder shows
// the timer as a note in user1's column.
func TestTimeoutGolden(t *testing.T) {
	trace, call := anRunSeed(t, 59, 0.2)
	assert.Equal(t, nodes.CallTimedOut, call.Outcome())
	text := anLadderText(t, trace, analysis.LadderOptions{Columns: anSeedColumns, Timers: true})
	assert.Contains(t, string(text), "* cancel-timeout: ")
	anGolden(t, "timeout.ladder.txt", text)
}

// TestTraceFileRoundTrip reads the golden traces and writes them again:
// the same bytes.
func TestTraceFileRoundTrip(t *testing.T) {
	for _, name := range []string{"seed.jsonl", "lossy.jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		recs, err := analysis.ReadRecords(bytes.NewReader(data))
		require.NoError(t, err)
		require.NotEmpty(t, recs)
		var out []byte
		for i := range recs {
			out = append(analysis.AppendJSON(out, &recs[i]), '\n')
		}
		assert.Equal(t, string(data), string(out), name)
	}
}
