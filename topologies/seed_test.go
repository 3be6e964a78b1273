package topologies

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
)

// seedLadder is the ladder of nodes/seed_test.go TestSeedCallFlow, message
// for message.
var seedLadder = []string{
	"user1 -> proxy1 INVITE",
	"proxy1 -> user1 100/INVITE",
	"proxy1 -> redirect INVITE",
	"redirect -> proxy1 302/INVITE",
	"proxy1 -> redirect ACK",
	"proxy1 -> stateless INVITE",
	"stateless -> proxy2 INVITE",
	"proxy2 -> stateless 100/INVITE",
	"proxy2 -> user2 INVITE",
	"stateless -> proxy1 100/INVITE",
	"user2 -> proxy2 100/INVITE",
	"user2 -> proxy2 180/INVITE",
	"proxy2 -> stateless 180/INVITE",
	"stateless -> proxy1 180/INVITE",
	"proxy1 -> user1 180/INVITE",
	"user2 -> proxy2 200/INVITE",
	"proxy2 -> stateless 200/INVITE",
	"stateless -> proxy1 200/INVITE",
	"proxy1 -> user1 200/INVITE",
	"user1 -> proxy1 ACK",
	"proxy1 -> proxy2 ACK",
	"proxy2 -> user2 ACK",
	"user1 -> proxy1 BYE",
	"proxy1 -> proxy2 BYE",
	"proxy2 -> user2 BYE",
	"user2 -> proxy2 200/BYE",
	"proxy2 -> proxy1 200/BYE",
	"proxy1 -> user1 200/BYE",
}

func TestBuiltins(t *testing.T) {
	assert.Equal(t, []string{"direct", "forking", "here-there", "loop",
		"rfc3665-2.1", "rfc3665-3.1", "rfc3665-3.10", "rfc3665-3.11", "rfc3665-3.2", "rfc3665-3.4", "rfc3665-3.6", "rfc3665-3.8", "rfc3665-3.9",
		"stateful-hop", "stateless-hop", "voicemail"}, Builtins())
	for _, name := range Builtins() {
		top, err := LoadBuiltin(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, top.Name, "a built-in is named after its file")
		desc, err := BuiltinDescription(name)
		require.NoError(t, err)
		assert.NotEmpty(t, desc)
		assert.NotContains(t, desc, "\n", "one line")
	}
	_, err := Builtin("nowhere")
	assert.ErrorContains(t, err, `no built-in topology "nowhere"`)
}

// TestHereThereReproducesSeed builds the built-in here-there, places its
// call and checks that the run is the reference ladder of nodes'
// TestSeedCallFlow, with every element idle at the end.
func TestHereThereReproducesSeed(t *testing.T) {
	top, err := LoadBuiltin("here-there")
	require.NoError(t, err)
	rec := &sim.Recorder{}
	run, err := Build(top, 1, rec)
	require.NoError(t, err)
	run.PlaceCalls()
	run.Sim.Run()

	var ladder []string
	for _, e := range rec.OfKind(sim.KindSend) {
		ladder = append(ladder, run.NodeName(e.Src.Addr())+" -> "+run.NodeName(e.Dst.Addr())+" "+e.Label)
	}
	assert.Equal(t, seedLadder, ladder)
	calls := run.Calls()
	require.Len(t, calls, 1)
	require.NoError(t, calls[0].Err)
	assert.Equal(t, nodes.CallCompleted, calls[0].Call.Outcome())
	assert.Empty(t, run.Busy(), "every element is idle at the end")
	assert.Len(t, run.Cores(), 5, "all but the stateless proxy have a core")
}

// TestBuildIsRepeatable builds one Topology twice: the runs are identical
// event for event, and building does not change the Topology.
func TestBuildIsRepeatable(t *testing.T) {
	top, err := LoadBuiltin("here-there")
	require.NoError(t, err)
	var sums [2][32]byte
	for i := range sums {
		h := sim.NewHashSink()
		run, err := Build(top, 7, h)
		require.NoError(t, err)
		run.PlaceCalls()
		run.Sim.Run()
		sums[i] = h.Sum()
	}
	assert.Equal(t, sums[0], sums[1])
}
