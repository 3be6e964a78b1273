package topologies

import (
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
)

// PingResult is one OPTIONS ping of the workload once sent: its final
// status, or zero while none has come or when the transaction failed.
type PingResult struct {
	// Spec is the ping as the topology describes it.
	Spec PingSpec
	// At is when the ping was sent.
	At sim.Time
	// Done reports that the transaction ended: with a final response
	// (Status set) or with a failure (Status zero: a timeout or a
	// transport error).
	Done bool
	// Status is the final response's status code; zero for none.
	Status int
}

// UnboundedPings returns the errors of the pings that have no count when
// the run has no duration bound (until <= 0): such a ping would never
// end. The errors are nil when every ping is bounded.
func (t *Topology) UnboundedPings(until sim.Time) error {
	if until > 0 {
		return nil
	}
	var es Errors
	for i, p := range t.Workload.Pings {
		if p.Count == 0 {
			es = append(es, Error{File: t.File, Line: p.Line, Field: idx("workload.pings", i),
				Msg: "needs a count or a run duration (--duration), or it never ends"})
		}
	}
	if len(es) == 0 {
		return nil
	}
	return es
}

// PlacePings schedules the pings of the workload: each sends an OPTIONS
// ([nodes.UserAgent.Options]) from its UA every Every from Start, Count
// times, or until [Run.Until] when Count is zero (or both, whichever
// ends first). Their outcomes are listed by [Run.Pings] in the order they
// were sent. It returns the errors of [Topology.UnboundedPings] and
// places nothing then. Call it once, before running the simulator.
func (r *Run) PlacePings() error {
	if err := r.Topology.UnboundedPings(sim.Time(r.Until)); err != nil {
		return err
	}
	end := sim.MaxTime
	if r.Until > 0 {
		end = sim.Time(r.Until)
	}
	for _, p := range r.Topology.Workload.Pings {
		ua := r.UAs[p.From]
		sent := 0
		var next func(at sim.Time)
		next = func(at sim.Time) {
			if at >= end || (p.Count > 0 && sent >= p.Count) {
				return
			}
			r.Sim.At(at, func() {
				sent++
				i := len(r.pings)
				r.pings = append(r.pings, PingResult{Spec: p, At: at})
				ua.Options(p.To, func(resp *sipstack.Response) {
					r.pings[i].Done = true
					if resp != nil {
						r.pings[i].Status = resp.StatusCode
					}
				})
				next(at.Add(p.Every))
			})
		}
		next(sim.Time(p.Start))
	}
	return nil
}

// Pings returns the pings sent so far by [Run.PlacePings], in the order
// they were sent.
func (r *Run) Pings() []PingResult { return append([]PingResult(nil), r.pings...) }
