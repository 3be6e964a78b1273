package diagram_test

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/analysis/diagram"
)

// This example draws the ladder of a short exchange, an INVITE lost then
// retransmitted, as a PNG image.
func Example() {
	recs := []analysis.Record{
		{TimeNs: 0, Event: "send", ID: 1, From: "alice", To: "bob", Method: "INVITE"},
		{TimeNs: 5_000_000, Event: "drop", ID: 1, From: "alice", To: "bob", Method: "INVITE", Reason: "loss", Hop: "alice->bob"},
		{TimeNs: 500_000_000, Event: "send", ID: 2, From: "alice", To: "bob", Method: "INVITE", Retransmission: true},
		{TimeNs: 510_000_000, Event: "send", ID: 3, From: "bob", To: "alice", Method: "INVITE", Status: 180, Reason: "Ringing"},
	}
	l := analysis.NewLadder(recs, analysis.LadderOptions{
		Columns:   []string{"alice", "bob"},
		Addresses: []string{"192.0.2.10", "198.51.100.20"},
	})
	d := diagram.Draw(l, diagram.Options{DPI: 72})
	var b bytes.Buffer
	if err := d.WritePNG(&b); err != nil { // or diagram.WriteFile("ladder.png", l)
		fmt.Println(err)
		return
	}
	cfg, err := png.DecodeConfig(&b)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := d.Size()
	fmt.Printf("%.0f x %.0f points, %d x %d pixels\n", w.Points(), h.Points(), cfg.Width, cfg.Height)
	// Output:
	// 443 x 185 points, 443 x 185 pixels
}
