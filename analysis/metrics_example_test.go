package analysis_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/topologies"
)

// A CallSink on a run's trace gives each call's metrics as the call ends.
func ExampleCallSink() {
	top, _ := topologies.LoadBuiltin("here-there")
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	sink := analysis.NewCallSink(names, func(m *analysis.CallMetrics) {
		fmt.Printf("%s: %s %d, set-up %v, SRD %v, %d hops, %d messages\n",
			m.Caller, m.Outcome, m.Status, m.Setup, m.SRD, m.Hops, m.Messages)
	}, nil)
	r, _ := topologies.Build(top, 1, sink)
	r.PlaceCalls()
	r.Sim.Run()
	sink.Flush()
	// Output:
	// user1: answered 200, set-up 2.1s, SRD 100ms, 4 hops, 28 messages
}

// A Sweep runs every point of its parameters' product, replications in
// parallel, and hands the points over in order.
func ExampleSweep() {
	s := &analysis.Sweep{
		Params: []analysis.Param{{Name: "loss", Values: []string{"0", "0.1"}, Numbers: []float64{0, 0.1}}},
		Reps:   3,
		Seed:   1,
		Run: func(values []string, seed uint64) (*analysis.RepStats, error) {
			// A real Run builds and runs a topology with these values
			// and this seed (see cmd/sipsim); here, two made-up calls.
			var st analysis.RepStats
			d := 100 * time.Millisecond
			if values[0] == "0.1" {
				d = 600 * time.Millisecond
			}
			for i := range 2 {
				st.AddCall(&analysis.CallMetrics{Index: i + 1, Outcome: analysis.Answered, Status: 200,
					Setup: d, SRD: d, PDD: analysis.Unset, SDT: analysis.Unset, SDD: analysis.Unset})
			}
			return &st, nil
		},
	}
	header := s.Header(analysis.SummaryColumns)
	_ = s.Execute(func(p *analysis.Point) error {
		row := s.SummaryRow(p)
		var out []string
		for i, col := range header {
			switch col {
			case "loss", "calls", "setup_mean_s", "ser":
				out = append(out, col+" "+row[i])
			}
		}
		fmt.Println(strings.Join(out, " "))
		return nil
	})
	// Output:
	// loss 0 calls 6 setup_mean_s 0.1 ser 100
	// loss 0.1 calls 6 setup_mean_s 0.6 ser 100
}
