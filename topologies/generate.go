package topologies

import (
	"github.com/sipsim/sipsim/nodes"
	"github.com/sipsim/sipsim/sim"
)

// GeneratedStream is the name of the random stream the generated workload
// draws from, so that its arrivals depend on the seed and on nothing else
// in the topology.
const GeneratedStream = "workload/generated"

// PlaceGenerated schedules the calls of the generated workload, if any:
// arrivals of a Poisson process of rate Generated.Rate from
// Generated.Start (exponential gaps), until Generated.Count calls have
// arrived or Generated.Duration has elapsed, whichever comes first, and
// none at or after [Run.Until] when it is set. Each
// arrival draws its caller and its callee uniformly from the lists and
// calls with the workload's hold time. Only one arrival is pending at a
// time: each schedules the next. The calls are listed by [Run.Calls] with
// the explicit ones, in the order they start. Call it once, before running
// the simulator.
func (r *Run) PlaceGenerated() {
	g := r.Topology.Workload.Generated
	if g == nil || g.Rate <= 0 || len(g.Callers) == 0 || len(g.Callees) == 0 {
		return
	}
	rs := r.Sim.Stream(GeneratedStream)
	gap := sim.Exponential{Mu: 1 / g.Rate}
	end := sim.MaxTime
	if g.Duration > 0 {
		end = sim.Time(g.Start).Add(g.Duration)
	}
	if r.Until > 0 {
		end = min(end, sim.Time(r.Until))
	}
	placed := 0
	var next func(at sim.Time)
	next = func(at sim.Time) {
		at = at.Add(sim.SampleDuration(gap, rs))
		if at >= end || (g.Count > 0 && placed >= g.Count) {
			return
		}
		r.Sim.At(at, func() {
			placed++
			spec := CallSpec{
				Caller:  g.Callers[rs.IntN(len(g.Callers))],
				To:      g.Callees[rs.IntN(len(g.Callees))],
				At:      r.Sim.Now().Sub(0),
				Options: nodes.CallOptions{HoldTime: g.HoldTime},
				Line:    g.Line,
			}
			call, err := r.UAs[spec.Caller].Call(spec.To, spec.Options)
			if !r.forget {
				r.placed = append(r.placed, PlacedCall{Spec: spec, Call: call, Err: err})
			}
			next(at)
		})
	}
	next(sim.Time(g.Start))
}
