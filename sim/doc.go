// Package sim is the discrete-event kernel and the simulated network under
// sipsim. It knows nothing of SIP: it runs callbacks in virtual time and
// moves opaque datagrams between hosts.
//
// # The kernel
//
// [Time] is virtual time, an integer count of nanoseconds since the start of
// the run; spans between Times are [time.Duration] values. A [Simulator],
// made by [New], holds the clock and the set of pending events. [Simulator.At]
// and [Simulator.After] schedule a callback, [Simulator.AtArg] and
// [Simulator.AfterArg] a long-lived callback with an argument (no closure,
// no allocation), and [Simulator.Cancel] withdraws one by its [EventID].
// [Simulator.Run], [Simulator.RunUntil], [Simulator.RunFor] and
// [Simulator.Step] run events in order; [Simulator.Stop] ends a run from
// inside an event, and [Simulator.SetMaxEvents] bounds every run. Each
// method's doc comment states its cost: scheduling is O(log n) in the
// number n of pending events, cancelling O(1) amortized, and neither
// allocates once the simulator has grown to its peak population.
//
// Randomness comes from [Stream]s: [NewStream] or [Simulator.Stream] derive a
// PCG generator from the run seed and the consumer's name. The [Dist]
// implementations ([Constant], [Uniform], [Exponential], [Normal],
// [LogNormal], [Pareto]) draw from a caller's stream; [SampleDuration] turns
// a draw in seconds into a non-negative delay.
//
// # The network
//
// On top of the kernel, a Network of named hosts with addresses joined by
// links carries Datagrams: each link direction has its own delay, jitter,
// loss model, bandwidth and bounded queue, faults take hosts and links down
// and up at scheduled times, and every send, delivery and drop is reported
// to a trace sink with its virtual time. The trace is the single source of
// every output that sipsim produces.
//
// # Determinism
//
// The same seed gives the same run, byte for byte. The package keeps to
// these rules, and code built on it must too:
//
//   - Simulation code never reads the wall clock: time is [Simulator.Now].
//     Waiting is scheduling an event, never sleeping.
//   - Every random draw comes from a [Stream] named after its consumer (a
//     link, a node, a workload), never from math/rand's global source or
//     crypto/rand. Adding a consumer therefore changes nobody else's draws.
//   - Events at the same instant run in the order they were scheduled.
//   - No output or decision depends on map iteration order.
//   - A Simulator belongs to one goroutine, and simulation code starts none:
//     parallelism is across independent replications, each with its own
//     Simulator, merged in replication order.
//
// The test in internal/lint fails the build when non-test code of the module
// reads the wall clock, uses a global random source or starts a goroutine.
package sim
