package topologies_test

import (
	"fmt"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

// Example loads the built-in reference scenario, builds it, places its
// call and runs it.
func Example() {
	top, err := topologies.LoadBuiltin("here-there")
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := &sim.Recorder{}
	run, err := topologies.Build(top, 1, rec)
	if err != nil {
		fmt.Println(err)
		return
	}
	run.PlaceCalls()
	run.Sim.Run()
	c := run.Calls()[0].Call
	fmt.Println(top.Name, "-", len(top.Nodes), "nodes,", len(top.Links), "links")
	fmt.Println("call:", c.Outcome(), "after", len(rec.OfKind(sim.KindSend)), "messages")
	fmt.Println("idle:", len(run.Busy()) == 0)
	// Output:
	// here-there - 6 nodes, 5 links
	// call: completed after 28 messages
	// idle: true
}

// ExampleParse shows the one-line errors of a broken file: all of them,
// in line order.
func ExampleParse() {
	_, err := topologies.Parse("here-there.yaml", []byte(`name: broken
nodes:
  - name: a
    kind: ua
    address: 10.0.0.1
    aor: sip:a@here.com
  - name: b
    kind: ua
    address: 10.0.0.1
    aor: sip:b@here.com
links:
  - between: [a, b]
    delay: 10ms
    loss: 1.5
`))
	fmt.Println(err)
	// Output:
	// here-there.yaml:9: nodes[1].address: duplicate address 10.0.0.1 (node a, line 3)
	// here-there.yaml:14: links[0].loss: 1.5 is not a probability
}
