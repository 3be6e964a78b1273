package topologies_test

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// builtinOutcome is what a built-in's run must end with: for every user
// agent, the outcome and final status of each call it took part in, in
// the order the calls started ("completed 200"; an outgoing call first).
type builtinOutcome map[string][]string

// builtinOutcomes lists the expected outcomes of every built-in; a new
// built-in without an entry fails TestBuiltinsRun.
var builtinOutcomes = map[string]builtinOutcome{
	"here-there": {
		"user1": {"completed 200"},
		"user2": {"completed 200"},
	},
	"direct": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	"stateful-hop": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	"stateless-hop": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	// The lab phone answers and wins; the office phone is CANCELled and
	// answers 487.
	"forking": {
		"alice":  {"completed 200"},
		"lab":    {"completed 200"},
		"office": {"cancelled 487"},
	},
	// bob redirects to voicemail with 302; the proxy recurses and the
	// voicemail server answers.
	"voicemail": {
		"alice":     {"completed 200"},
		"bob":       {"redirected 302"},
		"voicemail": {"completed 200"},
	},
	"loop": {
		"alice": {"failed 482"},
	},
	// RFC 3665 (TestRFC3665BuiltinLadders compares their ladders with
	// the RFC's). 2.1 is a registration: no call.
	"rfc3665-2.1": {},
	"rfc3665-3.1": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	"rfc3665-3.2": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	// Proxy 1 is down: Alice's INVITE fails over to Proxy 2.
	"rfc3665-3.4": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	"rfc3665-3.6": {
		"alice": {"completed 200"},
		"bob":   {"completed 200"},
	},
	"rfc3665-3.8": {
		"alice": {"cancelled 487"},
		"bob":   {"cancelled 487"},
	},
	"rfc3665-3.9": {
		"alice": {"failed 486"},
		"bob":   {"failed 486"},
	},
	// Bob's host is down: he never sees the INVITE; Proxy 2 answers 480
	// after Timer B.
	"rfc3665-3.10": {
		"alice": {"failed 480"},
	},
	// Bob rings 10 s unanswered and answers 480 himself.
	"rfc3665-3.11": {
		"alice": {"failed 480"},
		"bob":   {"timeout 480"},
	},
}

// builtinRun is one run of a built-in at a seed, with its ladder and
// JSON-lines trace.
type builtinRun struct {
	top    *topologies.Topology
	run    *topologies.Run
	ladder []byte
	trace  []byte
	sends  []analysis.Record
}

// runBuiltin builds and runs the built-in name as `sipsim run` does, with
// a trace writer and a collector for the ladder.
func runBuiltin(t *testing.T, name string, seed uint64) *builtinRun {
	t.Helper()
	top, err := topologies.LoadBuiltin(name)
	require.NoError(t, err, "%s validates", name)
	names := analysis.Names{}
	cols := make([]string, len(top.Nodes))
	for i, n := range top.Nodes {
		names[n.Address] = n.Name
		cols[i] = n.Name
	}
	var trace bytes.Buffer
	bw := bufio.NewWriter(&trace)
	tw := analysis.NewTraceWriter(bw, names)
	col := analysis.NewCollector(names)
	run, err := topologies.Build(top, seed, sim.Tee(tw, col))
	require.NoError(t, err, "%s builds", name)
	run.PlaceCalls()
	run.PlaceGenerated()
	run.Sim.Run()
	require.NoError(t, bw.Flush())
	require.NoError(t, tw.Err())

	var ladder bytes.Buffer
	l := analysis.NewLadder(col.Records, analysis.LadderOptions{Columns: cols, Timers: true, Numbered: true})
	require.NoError(t, l.WriteText(&ladder))
	br := &builtinRun{top: top, run: run, ladder: ladder.Bytes(), trace: trace.Bytes()}
	for _, r := range col.Records {
		if r.Event == analysis.EventSend {
			br.sends = append(br.sends, r)
		}
	}
	return br
}

// outcomes returns the outcome and status of every call of every UA.
func (b *builtinRun) outcomes() builtinOutcome {
	out := builtinOutcome{}
	for name, ua := range b.run.UAs {
		for _, c := range ua.Calls() {
			out[name] = append(out[name], fmt.Sprintf("%s %d", c.Outcome(), c.Status()))
		}
	}
	return out
}

// sendLadder returns the messages sent as "from -> to label" lines.
func (b *builtinRun) sendLadder() []string {
	var out []string
	for _, r := range b.sends {
		out = append(out, r.From+" -> "+r.To+" "+r.Label)
	}
	return out
}

// TestBuiltinsRun runs every built-in at seed 1: it validates, builds,
// runs to completion with every element idle, and its calls end as
// builtinOutcomes says. The ladder and the trace match the golden files
// under testdata/golden (rewritten with -update).
func TestBuiltinsRun(t *testing.T) {
	for _, name := range topologies.Builtins() {
		t.Run(name, func(t *testing.T) {
			want, ok := builtinOutcomes[name]
			require.True(t, ok, "built-in %s has no expected outcome in builtinOutcomes", name)
			b := runBuiltin(t, name, 1)
			assert.Empty(t, b.run.Busy(), "every element is idle at the end")
			for _, c := range b.run.Cores() {
				assert.Zero(t, c.Layer().Len(), "%s: transactions left", c.Name())
				assert.Zero(t, c.Pending(), "%s: timers left", c.Name())
			}
			calls := b.run.Calls()
			require.Len(t, calls, len(b.top.Workload.Calls))
			for _, c := range calls {
				require.NoError(t, c.Err)
				assert.True(t, c.Call.Ended(), "call %s ended", c.Call.CallID())
			}
			assert.Equal(t, want, b.outcomes())

			checkGolden(t, filepath.Join("testdata", "golden", name+".ladder.txt"), b.ladder)
			checkGolden(t, filepath.Join("testdata", "golden", name+".jsonl"), b.trace)
		})
	}
}

// TestBuiltinsRepeatable runs every built-in twice at one seed: the traces
// are identical byte for byte.
func TestBuiltinsRepeatable(t *testing.T) {
	for _, name := range topologies.Builtins() {
		a, b := runBuiltin(t, name, 3), runBuiltin(t, name, 3)
		assert.Equal(t, string(a.trace), string(b.trace), name)
	}
}

// TestBuiltinsListed checks that every built-in file has a one-line
// description, as `sipsim topologies` lists them.
func TestBuiltinsListed(t *testing.T) {
	for _, name := range []string{"direct", "stateful-hop", "stateless-hop", "forking", "voicemail", "loop"} {
		assert.Contains(t, topologies.Builtins(), name)
	}
	for _, name := range topologies.Builtins() {
		d, err := topologies.BuiltinDescription(name)
		require.NoError(t, err)
		assert.NotEmpty(t, d, name)
		assert.NotContains(t, d, "\n", name)
	}
}

// TestSimpleBuiltinLadders pins the message sequence of the three
// validation topologies of latency sweeps, message for message, with the
// times of the set-up (one 50 ms hop per link crossed).
func TestSimpleBuiltinLadders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ladder []string
		// setup is the set-up delay: INVITE sent to 200 received.
		setup time.Duration
	}{
		{"direct", []string{
			"alice -> bob INVITE",
			"bob -> alice 200/INVITE",
			"alice -> bob ACK",
			"alice -> bob BYE",
			"bob -> alice 200/BYE",
		}, 100 * time.Millisecond},
		{"stateful-hop", []string{
			"alice -> proxy INVITE",
			"proxy -> alice 100/INVITE",
			"proxy -> bob INVITE",
			"bob -> proxy 200/INVITE",
			"proxy -> alice 200/INVITE",
			"alice -> proxy ACK",
			"proxy -> bob ACK",
			"alice -> proxy BYE",
			"proxy -> bob BYE",
			"bob -> proxy 200/BYE",
			"proxy -> alice 200/BYE",
		}, 200 * time.Millisecond},
		{"stateless-hop", []string{
			"alice -> proxy INVITE",
			"proxy -> bob INVITE",
			"bob -> proxy 200/INVITE",
			"proxy -> alice 200/INVITE",
			// No Record-Route: the ACK and the BYE go to bob's Contact
			// (through the proxy's host, which does not see them as SIP).
			"alice -> bob ACK",
			"alice -> bob BYE",
			"bob -> alice 200/BYE",
		}, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := runBuiltin(t, tc.name, 1)
			assert.Equal(t, tc.ladder, b.sendLadder())
			require.NotEmpty(t, b.sends)
			var invite, ok200 int64 = -1, -1
			for _, r := range b.sends {
				if r.Label == "INVITE" && invite < 0 {
					invite = r.TimeNs
				}
				if r.Label == "200/INVITE" && r.To == "alice" {
					ok200 = r.TimeNs + int64(50*time.Millisecond) // delivered one hop later
				}
			}
			assert.Equal(t, int64(tc.setup), ok200-invite, "set-up delay")
			// The BYE leaves 1 s (the hold time) after the ACK.
			var ack, bye int64
			for _, r := range b.sends {
				switch {
				case r.Label == "ACK" && r.From == "alice":
					ack = r.TimeNs
				case r.Label == "BYE" && r.From == "alice":
					bye = r.TimeNs
				}
			}
			assert.Equal(t, int64(time.Second), bye-ack, "hold time")
		})
	}
}

// checkGolden compares got with the golden file path, or rewrites it with
// -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	if !bytes.Equal(want, got) {
		assert.Equal(t, string(want), string(got), "%s differs (run with -update after review)", path)
		t.Logf("first difference at line %d", firstDiffLine(string(want), string(got)))
	}
}

// firstDiffLine returns the 1-based number of the first line where a and
// b differ.
func firstDiffLine(a, b string) int {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

// TestNoRingingKey decodes answer.no-ringing, and rejects a value that is
// not a boolean.
func TestNoRingingKey(t *testing.T) {
	data, err := topologies.Builtin("direct")
	require.NoError(t, err)
	top, err := topologies.Parse("direct.yaml", data)
	require.NoError(t, err)
	assert.False(t, top.Nodes[0].UA.Answer.NoRinging, "alice rings as usual")
	assert.True(t, top.Nodes[1].UA.Answer.NoRinging, "bob answers without provisional")

	bad := strings.Replace(string(data), "no-ringing: true", "no-ringing: perhaps", 1)
	_, err = topologies.Parse("direct.yaml", []byte(bad))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-ringing")
}
