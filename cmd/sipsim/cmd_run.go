package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/analysis/diagram"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

// defaultTopology is the topology `sipsim run` runs without an argument.
const defaultTopology = "here-there"

// maxLadderMessages is the largest number of messages sent for which run
// prints the ladder on standard output; a larger run prints the summary
// alone unless --ladder FILE asks for the ladder.
const maxLadderMessages = 200

func init() {
	register(&command{
		name:    "run",
		summary: "run a topology and print its ladder diagram and a summary",
		usage:   "[TOPOLOGY | FILE.yaml]",
		detail: `
Runs a built-in topology (default here-there; see 'sipsim topologies') or a
topology file (a path ending in .yaml or .yml; see 'sipsim topology show
NAME' for an example to edit) and prints the run's ladder diagram in the
style of RFC 3665 (one column per node, in the topology's order, messages
numbered F1, F2, ... in the order they were sent, timer firings as notes),
then a summary: calls attempted, answered, completed, failed (by status),
cancelled, timed out; the set-up delay (first INVITE sent to first 2xx
received) of the answered calls; the seed; the virtual time at the end;
the datagrams lost.

--calls-out FILE writes one row per call (.csv or .jsonl by extension),
computed from the trace: outcome, final status, set-up delay, the RFC
6076 delays (SRD, SDT, SDD), post-dial delay, hops, messages and
retransmissions. See the analysis package's CallColumns for the columns.

The ladder is printed only when the run sent at most 200 messages; with
--ladder FILE it is always written, to FILE, in the format its extension
names: .txt (the text ladder), .svg or .png (a drawing: lifelines with
node names and addresses, lost messages as red dashed arrows ending in a
cross, retransmissions in blue, timers marked), .puml (PlantUML) or .mmd
(Mermaid). --quiet prints the summary
alone. With --trace - the trace takes standard output, and the ladder and
summary go to standard error.

The overriding flags change the parsed topology before it is built, on
every node or every link (both directions; a direction's own settings are
replaced): --loss P replaces the loss model by Bernoulli loss P (0 removes
loss), --delay D sets the propagation delay, --jitter D sets the jitter to
uniform on [0, D) (0 removes jitter; FIFO ordering is kept as configured),
--bandwidth B sets every link's rate (0 removes the limit), --transport
sets every node's transport, --t1 every node's T1 (T2 is raised to T1 if
it was below).

--calls N replaces the workload by N calls: with a generated workload, its
first N arrivals (count N, no duration bound); otherwise N Poisson arrivals
at 10 calls per second, from the time of the first explicit call, of the
same caller calling the same URI with the same hold time (its other call
options are not kept). --rate R sets the generated workload's arrival
rate (5/s, 300/min, or a bare number per second).

--duration D bounds the run to D of virtual time: events after D are not
run, the generated workload stops arriving at D, and pings without a count
stop there. The summary then says the run was cut at D and how many calls
were still in progress. A workload's pings without a count need
--duration, or the run would never end.

Exit status: 0 when the run completed, 2 for bad input (unknown topology,
invalid file, bad flag value), with one line per problem on standard
error.`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			o := &runOptions{}
			fs.Uint64Var(&o.seed, "seed", 1, "seed `N` of the run's random streams")
			fs.IntVar(&o.calls, "calls", 0, "replace the workload by `N` calls of the topology's call pattern")
			fs.StringVar(&o.loss, "loss", "", "Bernoulli loss probability `P` (0.01 or 1%) on every link, both directions")
			fs.StringVar(&o.delay, "delay", "", "propagation delay `D` (such as 10ms) of every link")
			fs.StringVar(&o.jitter, "jitter", "", "jitter uniform on [0, `D`) on every link")
			fs.StringVar(&o.transport, "transport", "", "transport of every node: udp or tcp")
			fs.StringVar(&o.t1, "t1", "", "timer T1 `D` (such as 500ms) of every node")
			fs.StringVar(&o.bandwidth, "bandwidth", "", "rate `B` (such as 64kbit/s; 0 for none) of every link")
			fs.StringVar(&o.rate, "rate", "", "arrival rate `R` (such as 10/s) of the generated workload")
			fs.StringVar(&o.trace, "trace", "", "write the JSON-lines trace to `FILE` (- for standard output)")
			fs.StringVar(&o.ladder, "ladder", "", "write the ladder to `FILE` (.txt, .svg, .png, .puml, .mmd) instead of standard output")
			fs.StringVar(&o.callsOut, "calls-out", "", "write one row per call to `FILE` (.csv or .jsonl)")
			fs.BoolVar(&o.quiet, "quiet", false, "print the summary only")
			fs.StringVar(&o.duration, "duration", "", "cut the run at `D` of virtual time (such as 30s)")
			return func(e *env, args []string) int {
				o.callsSet = fs.Changed("calls")
				return runRun(e, args, o)
			}
		},
	})
}

// runOptions are the flags of run.
type runOptions struct {
	seed                               uint64
	calls                              int
	callsSet                           bool
	loss, delay, jitter, transport, t1 string
	bandwidth, rate                    string
	trace, ladder, callsOut            string
	duration                           string
	until                              time.Duration // parsed duration; 0 for none
	quiet                              bool
}

// loadTopology loads a built-in topology by name, or a file when name ends
// in .yaml or .yml.
func loadTopology(name string) (*topologies.Topology, error) {
	if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		return topologies.LoadFile(name)
	}
	if !slices.Contains(topologies.Builtins(), name) {
		return nil, fmt.Errorf("unknown topology %q (built-ins: %s; a file name must end in .yaml or .yml)",
			name, strings.Join(topologies.Builtins(), ", "))
	}
	return topologies.LoadBuiltin(name)
}

// failTopology reports a topology error: each line of topologies.Errors as
// is, anything else as one "sipsim: " line.
func failTopology(e *env, err error) int {
	var es topologies.Errors
	if errors.As(err, &es) {
		for _, x := range es {
			fmt.Fprintln(e.stderr, x.Error())
		}
		return exitBadInput
	}
	return fail(e, err)
}

// applyOverrides changes t as the flags of o say: the link and node
// overrides, then the number of calls, then the rate (which needs the
// generated workload --calls makes).
func applyOverrides(t *topologies.Topology, o *runOptions) error {
	values := map[string]string{
		"loss": o.loss, "delay": o.delay, "jitter": o.jitter, "bandwidth": o.bandwidth,
		"transport": o.transport, "t1": o.t1,
	}
	for _, name := range topologies.Overrides {
		if v := values[name]; v != "" {
			if err := t.Override(name, v); err != nil {
				return fmt.Errorf("run: --%s: %v", name, err)
			}
		}
	}
	if o.duration != "" {
		d, err := positiveDuration(o.duration)
		if err != nil {
			return fmt.Errorf("run: --duration: %v", err)
		}
		o.until = d
	}
	if o.callsSet {
		if err := t.SetCallCount(o.calls); err != nil {
			return fmt.Errorf("run: --calls: %v", err)
		}
	}
	if o.rate != "" {
		if err := t.Override("rate", o.rate); err != nil {
			return fmt.Errorf("run: --rate: %v", err)
		}
	}
	return nil
}

// dropCounter counts the datagrams and TCP messages lost.
type dropCounter struct{ udp, tcp int }

func (d *dropCounter) Event(e *sim.Event) {
	if e.Kind != sim.KindDrop {
		return
	}
	if e.Transport == sim.UDP {
		d.udp++
	} else if e.Seg == (sim.Segment{}) {
		d.tcp++
	}
}

func runRun(e *env, args []string, o *runOptions) int {
	if len(args) > 1 {
		return fail(e, &usageError{fmt.Sprintf("run: want one TOPOLOGY or FILE, got %d arguments", len(args))})
	}
	name := defaultTopology
	if len(args) == 1 {
		name = args[0]
	}
	top, err := loadTopology(name)
	if err != nil {
		return failTopology(e, err)
	}
	if err := applyOverrides(top, o); err != nil {
		return fail(e, err)
	}
	if o.ladder != "" && !slices.Contains(diagram.Extensions(), strings.ToLower(filepath.Ext(o.ladder))) {
		return fail(e, fmt.Errorf("run: --ladder: %s: want a file name ending in %s", o.ladder, strings.Join(diagram.Extensions(), ", ")))
	}
	if err := top.UnboundedPings(sim.Time(o.until)); err != nil {
		return failTopology(e, err)
	}

	out := e.stdout
	names := analysis.Names{}
	cols := make([]string, len(top.Nodes))
	addrs := make([]string, len(top.Nodes))
	for i, n := range top.Nodes {
		names[n.Address] = n.Name
		cols[i] = n.Name
		addrs[i] = n.Address.String()
	}
	drops := &dropCounter{}
	stats := &runStats{}
	stats.sink = analysis.NewCallSink(names, stats.AddCall, stats.AddRegistration)
	sinks := []sim.Sink{drops, stats.sink}
	var traceOut *bufio.Writer
	var traceFile *os.File
	var tw *analysis.TraceWriter
	if o.trace != "" {
		if o.trace == "-" {
			traceOut = bufio.NewWriter(e.stdout)
			out = e.stderr
		} else {
			f, err := os.Create(o.trace)
			if err != nil {
				return fail(e, fmt.Errorf("run: --trace: %v", err))
			}
			traceFile = f
			defer f.Close()
			traceOut = bufio.NewWriter(f)
		}
		tw = analysis.NewTraceWriter(traceOut, names)
		sinks = append(sinks, tw)
	}
	var calls *callsOutput
	if o.callsOut != "" {
		c, err := newCallsOutput(o.callsOut, names)
		if err != nil {
			return fail(e, fmt.Errorf("run: --calls-out: %v", err))
		}
		defer c.file.Close()
		calls = c
		sinks = append(sinks, c.sink)
	}
	var col *analysis.Collector
	if !o.quiet || o.ladder != "" {
		col = analysis.NewCollector(names)
		sinks = append(sinks, col)
	}

	r, err := topologies.Build(top, o.seed, sim.Tee(sinks...))
	if err != nil {
		return failTopology(e, err)
	}
	if err := play(r, o.until); err != nil {
		return failTopology(e, err)
	}

	if traceOut != nil {
		if err := traceOut.Flush(); err != nil {
			return fail(e, fmt.Errorf("run: --trace: %v", err))
		}
		if tw.Err() != nil {
			return fail(e, fmt.Errorf("run: --trace: %v", tw.Err()))
		}
		if traceFile != nil {
			if err := traceFile.Close(); err != nil {
				return fail(e, fmt.Errorf("run: --trace: %v", err))
			}
		}
	}

	if calls != nil {
		if err := calls.close(); err != nil {
			return fail(e, fmt.Errorf("run: --calls-out: %v", err))
		}
	}

	if col != nil {
		sent := 0
		for i := range col.Records {
			if col.Records[i].Event == analysis.EventSend {
				sent++
			}
		}
		ladder := analysis.NewLadder(col.Records, analysis.LadderOptions{Columns: cols, Addresses: addrs, Timers: true, Numbered: true})
		switch {
		case o.ladder != "":
			if err := diagram.WriteFile(o.ladder, ladder); err != nil {
				return fail(e, fmt.Errorf("run: --ladder: %v", err))
			}
		case o.quiet:
		case sent <= maxLadderMessages:
			ladder.WriteText(out)
			fmt.Fprintln(out)
		default:
			fmt.Fprintf(out, "(ladder of %d messages not shown: more than %d; use --ladder FILE)\n\n", sent, maxLadderMessages)
		}
	}
	stats.sink.Flush()
	writeSummary(out, r, &stats.RepStats, o.seed, drops, o.until)
	return exitOK
}

// runStats folds the run's calls, from the trace, into the summary's
// figures.
type runStats struct {
	analysis.RepStats
	sink *analysis.CallSink
}

// callsOutput writes the per-call table of --calls-out as the run goes.
type callsOutput struct {
	file *os.File
	w    *analysis.CallWriter
	sink *analysis.CallSink
}

func newCallsOutput(path string, names analysis.Names) (*callsOutput, error) {
	format, err := analysis.ParseCallFormat(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	c := &callsOutput{file: f, w: analysis.NewCallWriter(f, format)}
	c.sink = analysis.NewCallSink(names, func(m *analysis.CallMetrics) { c.w.Write(m) }, nil)
	return c, nil
}

// close emits the calls still held, flushes and closes the file.
func (c *callsOutput) close() error {
	c.sink.Flush()
	if err := c.w.Flush(); err != nil {
		return err
	}
	return c.file.Close()
}

// writeSummary prints the counts of the run's calls and its figures, all
// computed from the trace (stats), as every output is.
func writeSummary(w io.Writer, r *topologies.Run, st *analysis.RepStats, seed uint64, drops *dropCounter, until time.Duration) {
	fmt.Fprintf(w, "topology:       %s (%d nodes, %d links)\n", r.Topology.Name, len(r.Topology.Nodes), len(r.Topology.Links))
	fmt.Fprintf(w, "calls:          %d attempted, %d answered (%d completed), %d failed, %d cancelled, %d timed out",
		st.Calls, st.Answered, st.Completed, st.Rejected, st.Cancelled, st.TimedOut)
	if st.TransportErrors > 0 {
		fmt.Fprintf(w, ", %d transport errors", st.TransportErrors)
	}
	if until <= 0 && st.InProgress > 0 {
		fmt.Fprintf(w, ", %d other", st.InProgress) // calls that never ended
	}
	fmt.Fprintln(w)
	if pings := r.Pings(); len(pings) > 0 {
		var ok, bad, pending int
		for _, p := range pings {
			switch {
			case !p.Done:
				pending++
			case p.Status == 200:
				ok++
			default:
				bad++
			}
		}
		fmt.Fprintf(w, "pings:          %d sent, %d answered 200, %d failed", len(pings), ok, bad)
		if pending > 0 {
			fmt.Fprintf(w, ", %d in progress", pending)
		}
		fmt.Fprintln(w)
	}
	if st.Rejected > 0 {
		codes := make([]int, 0, len(st.ByStatus))
		for s := range st.ByStatus {
			codes = append(codes, s)
		}
		slices.Sort(codes)
		parts := make([]string, len(codes))
		for i, s := range codes {
			parts[i] = strconv.Itoa(s) + ": " + strconv.Itoa(st.ByStatus[s])
		}
		fmt.Fprintf(w, "failed by status: %s\n", strings.Join(parts, ", "))
	}
	if n := st.Setup.Count(); n > 0 {
		plural := "s"
		if n == 1 {
			plural = ""
		}
		fmt.Fprintf(w, "set-up delay:   mean %.1f ms, max %.1f ms (%d answered call%s)\n",
			st.Setup.Mean()/1e6, float64(st.Setup.Max())/1e6, n, plural)
	} else {
		fmt.Fprintln(w, "set-up delay:   - (no call answered)")
	}
	if st.Registrations > 0 {
		fmt.Fprintf(w, "registrations:  %d, %d answered 2xx", st.Registrations, st.RegistrationsOK)
		if st.RRD.N > 0 {
			fmt.Fprintf(w, ", RRD mean %.1f ms", st.RRD.Mean()*1e3)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "seed:           %d\n", seed)
	fmt.Fprintf(w, "virtual time:   %.3f s\n", r.Sim.Now().Seconds())
	if until > 0 {
		fmt.Fprintf(w, "cut at:         %s (--duration): %d calls in progress\n", until, st.InProgress+st.Ongoing)
	}
	fmt.Fprintf(w, "datagrams lost: %d", drops.udp)
	if drops.tcp > 0 {
		fmt.Fprintf(w, " (and %d TCP messages)", drops.tcp)
	}
	fmt.Fprintln(w)
	if busy := r.Busy(); len(busy) > 0 {
		fmt.Fprintf(w, "still busy:     %s\n", strings.Join(busy, ", "))
	}
}

// play places a built run's workload (its calls, generated calls and
// pings) and runs it to the end, or to until when it is positive. The run
// forgets its calls: every figure comes from the trace, as in a sweep.
func play(r *topologies.Run, until time.Duration) error {
	r.Until = until
	r.ForgetCalls()
	r.PlaceCalls()
	r.PlaceGenerated()
	if err := r.PlacePings(); err != nil {
		return err
	}
	if until > 0 {
		r.Sim.RunUntil(sim.Time(until))
	} else {
		r.Sim.Run()
	}
	return nil
}

// positiveDuration parses a duration that must be above zero (--duration).
func positiveDuration(s string) (time.Duration, error) {
	d, err := topologies.ParseDuration(s)
	if err == nil && d <= 0 {
		err = fmt.Errorf("%s is not a positive duration", strings.TrimSpace(s))
	}
	return d, err
}
