package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/topologies"
)

// maxSweepValues bounds the values of one --vary range, against a typo
// such as a step of 0.0001.
const maxSweepValues = 1000

func init() {
	register(&command{
		name:    "sweep",
		summary: "run a topology over a grid of parameters with replications and tabulate the metrics",
		usage:   "TOPOLOGY --vary NAME=VALUES [--vary ...] --out FILE.csv",
		detail: `
Runs TOPOLOGY (a built-in or a .yaml file, as for 'sipsim run') for every
combination of the varied parameters, --reps times each with seeds
derived from --seed, the point and the replication, and writes one row per
point to --out: the parameters, then the calls and their outcomes, the
set-up delay (mean with its Student-t 95% interval across replications;
50th, 95th and 99th percentiles with percentile-bootstrap 95% intervals),
the RFC 6076 metrics (SRD, SDD, SER, SEER, ISA, SCR, RRD), post-dial delay,
messages and retransmissions per call. Every figure comes from the trace
of the runs, aggregated as it streams: no trace is kept, so memory does not
grow with --calls.

--vary NAME=V1,V2,... or NAME=FROM:TO:STEP (a range, both ends included)
varies one parameter; give --vary once per parameter. NAME is one of
loss, delay, jitter, bandwidth, transport, t1, rate, applied as the 'run'
flag of the same name (loss=0:0.3:0.05, delay=10ms,50ms,
bandwidth=64kbit/s,1Mbit/s, transport=udp,tcp, t1=500ms,1s, rate=5,10,20).
Points are the cartesian product; the first --vary varies slowest. In the
tables a parameter's column holds its value in base units: a probability,
seconds, bit/s, calls per second, or the transport's name.

Each replication places --calls calls: a generated workload's first N
arrivals, or, for a topology with explicit calls (such as the validation
topologies direct, stateful-hop and stateless-hop), N Poisson arrivals at
10 per second of its first call (alice calling bob, hold time 1 s).

Replications run on --workers goroutines (default: every core), each with
its own simulator; results are merged in a fixed order, so the output is
byte for byte the same for any --workers. The metadata (topology, seed,
version, command line, parameters) go to a JSON sidecar next to --out
(FILE.json). --per-rep writes one row per replication, --dist the set-up
delay distribution of each point (value, count), --plot draws the mean
set-up delay against the first parameter with one series per value of the
second, with 95% error bars, and --cdf the set-up delay CDF of every point
(.png, .svg or .pdf). 'sipsim plot' redraws from the CSV files.

A progress bar with an ETA is shown on standard error when it is a
terminal.

Exit status: 0 when the sweep completed, 2 for bad input.`,
		flags: func(fs *pflag.FlagSet) func(*env, []string) int {
			o := &sweepOptions{}
			fs.StringArrayVar(&o.vary, "vary", nil, "vary parameter `NAME=V1,V2,...` or NAME=FROM:TO:STEP (repeatable)")
			fs.IntVar(&o.reps, "reps", 10, "replications per point")
			fs.IntVar(&o.calls, "calls", 100, "calls per replication")
			fs.Uint64Var(&o.seed, "seed", 1, "seed `S` the replications' seeds derive from")
			fs.IntVar(&o.workers, "workers", 0, "replications run at once (0: one per core)")
			fs.StringVar(&o.out, "out", "", "write the summary table to `FILE.csv`")
			fs.StringVar(&o.perRep, "per-rep", "", "write one row per replication to `FILE.csv`")
			fs.StringVar(&o.dist, "dist", "", "write each point's set-up delay distribution to `FILE.csv`")
			fs.StringVar(&o.plot, "plot", "", "draw the mean set-up delay against the first parameter to `FILE` (.png, .svg, .pdf)")
			fs.StringVar(&o.cdf, "cdf", "", "draw the set-up delay CDF of every point to `FILE` (.png, .svg, .pdf)")
			fs.StringVar(&o.duration, "duration", "", "cut each replication at `D` of virtual time")
			return func(e *env, args []string) int { return runSweep(e, args, o) }
		},
	})
}

// sweepOptions are the flags of sweep.
type sweepOptions struct {
	vary                 []string
	reps, calls, workers int
	seed                 uint64
	out, perRep, dist    string
	plot, cdf, duration  string

	until       time.Duration
	topology    string
	params      []analysis.Param
	load        func() (*topologies.Topology, error)
	commandLine []string
	// The tables' writers; repCW and distCW are nil when not asked for.
	summaryCW, repCW, distCW *csv.Writer
	// cdfSeries collects each point's set-up delay distribution for --cdf.
	cdfSeries []cdfSeries
}

func runSweep(e *env, args []string, o *sweepOptions) int {
	if len(args) != 1 {
		return fail(e, &usageError{fmt.Sprintf("sweep: want one TOPOLOGY or FILE, got %d arguments", len(args))})
	}
	if err := o.check(args[0]); err != nil {
		return failTopology(e, err)
	}
	s := &analysis.Sweep{Params: o.params, Reps: o.reps, Seed: o.seed, Workers: o.workers, Run: o.runOne}
	files, err := o.openOutputs(s)
	if err != nil {
		return fail(e, err)
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	bar := newProgress(e.stderr, s.Points()*s.Reps)
	s.Progress = bar.set
	err = s.Execute(func(p *analysis.Point) error {
		if err := o.summaryCW.Write(s.SummaryRow(p)); err != nil {
			return fmt.Errorf("--out: %v", err)
		}
		if o.repCW != nil {
			if err := o.repCW.WriteAll(s.RepRows(p)); err != nil {
				return fmt.Errorf("--per-rep: %v", err)
			}
		}
		if o.distCW != nil {
			if err := o.distCW.WriteAll(s.DistRows(p)); err != nil {
				return fmt.Errorf("--dist: %v", err)
			}
		}
		if o.cdf != "" {
			o.addCDFSeries(s, p)
		}
		return nil
	})
	bar.finish()
	// The points done are written out even when a later one failed.
	for _, w := range []*csv.Writer{o.summaryCW, o.repCW, o.distCW} {
		if w == nil {
			continue
		}
		w.Flush()
		if werr := w.Error(); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return fail(e, fmt.Errorf("sweep: %v", err))
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			return fail(e, fmt.Errorf("sweep: %v", err))
		}
	}
	if err := o.writeSidecar(s); err != nil {
		return fail(e, fmt.Errorf("sweep: sidecar: %v", err))
	}
	if err := o.drawPlots(s); err != nil {
		return fail(e, fmt.Errorf("sweep: %v", err))
	}
	return exitOK
}

// check validates the options and the topology before anything runs, so
// that bad input fails at once, with exit status 2.
func (o *sweepOptions) check(topology string) error {
	o.topology = topology
	o.commandLine = append([]string{"sipsim"}, os.Args[1:]...)
	if o.out == "" {
		return errors.New("sweep: --out FILE.csv is required")
	}
	if o.reps < 1 {
		return fmt.Errorf("sweep: --reps: %d is not a positive number of replications", o.reps)
	}
	if o.calls < 1 {
		return fmt.Errorf("sweep: --calls: %d is not a positive number of calls", o.calls)
	}
	if o.workers < 0 {
		return fmt.Errorf("sweep: --workers: %d is negative", o.workers)
	}
	if len(o.vary) == 0 {
		return errors.New("sweep: give at least one --vary NAME=VALUES")
	}
	if o.duration != "" {
		d, err := positiveDuration(o.duration)
		if err != nil {
			return fmt.Errorf("sweep: --duration: %v", err)
		}
		o.until = d
	}
	for _, spec := range o.vary {
		p, err := parseVary(spec)
		if err != nil {
			return fmt.Errorf("sweep: --vary %s: %v", spec, err)
		}
		if slices.ContainsFunc(o.params, func(q analysis.Param) bool { return q.Name == p.Name }) {
			return fmt.Errorf("sweep: --vary %s: %s is already varied", spec, p.Name)
		}
		o.params = append(o.params, p)
	}
	if strings.HasSuffix(topology, ".yaml") || strings.HasSuffix(topology, ".yml") {
		data, err := os.ReadFile(topology)
		if err != nil {
			return fmt.Errorf("sweep: %v", err)
		}
		o.load = func() (*topologies.Topology, error) { return topologies.Parse(topology, data) }
	} else {
		if _, err := loadTopology(topology); err != nil {
			return err
		}
		o.load = func() (*topologies.Topology, error) { return topologies.LoadBuiltin(topology) }
	}
	// Every value must apply: try each on the topology once.
	for _, p := range o.params {
		for _, v := range p.Values {
			top, err := o.prepare(map[string]string{p.Name: v})
			if err != nil {
				return err
			}
			if err := top.UnboundedPings(sim.Time(o.until)); err != nil {
				return err
			}
		}
	}
	return nil
}

// prepare loads the topology and applies the varied values, then the
// number of calls, then the rate (which needs the generated workload the
// number of calls makes).
func (o *sweepOptions) prepare(values map[string]string) (*topologies.Topology, error) {
	top, err := o.load()
	if err != nil {
		return nil, err
	}
	for _, name := range topologies.Overrides {
		if v, ok := values[name]; ok && name != "rate" {
			if err := top.Override(name, v); err != nil {
				return nil, fmt.Errorf("sweep: --vary %s=%s: %v", name, v, err)
			}
		}
	}
	if err := top.SetCallCount(o.calls); err != nil {
		return nil, fmt.Errorf("sweep: --calls: %v", err)
	}
	if v, ok := values["rate"]; ok {
		if err := top.Override("rate", v); err != nil {
			return nil, fmt.Errorf("sweep: --vary rate=%s: %v", v, err)
		}
	}
	return top, nil
}

// runOne runs one replication and folds its calls into its stats as the
// trace streams.
func (o *sweepOptions) runOne(values []string, seed uint64) (*analysis.RepStats, error) {
	vs := make(map[string]string, len(values))
	for i, v := range values {
		vs[o.params[i].Name] = v
	}
	top, err := o.prepare(vs)
	if err != nil {
		return nil, err
	}
	names := analysis.Names{}
	for _, n := range top.Nodes {
		names[n.Address] = n.Name
	}
	st := &analysis.RepStats{}
	sink := analysis.NewCallSink(names, st.AddCall, st.AddRegistration)
	r, err := topologies.Build(top, seed, sink)
	if err != nil {
		return nil, err
	}
	if err := play(r, o.until); err != nil {
		return nil, err
	}
	sink.Flush()
	return st, nil
}

// parseVary parses NAME=V1,V2,... or NAME=FROM:TO:STEP.
func parseVary(spec string) (analysis.Param, error) {
	name, list, ok := strings.Cut(spec, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(list) == "" {
		return analysis.Param{}, errors.New("want NAME=V1,V2,... or NAME=FROM:TO:STEP")
	}
	if !slices.Contains(topologies.Overrides, name) {
		return analysis.Param{}, fmt.Errorf("unknown parameter %q (want one of %s)", name, strings.Join(topologies.Overrides, ", "))
	}
	p := analysis.Param{Name: name}
	if strings.Contains(list, ":") {
		return expandRange(p, list)
	}
	numeric := true
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		x, isNum, err := topologies.OverrideNumber(name, v)
		if err != nil {
			return p, err
		}
		if name == "transport" {
			v = strings.ToLower(v)
			if v != "udp" && v != "tcp" {
				return p, fmt.Errorf("%q is not a transport (want udp or tcp)", v)
			}
		}
		numeric = isNum
		p.Values = append(p.Values, v)
		p.Numbers = append(p.Numbers, x)
	}
	if !numeric {
		p.Numbers = nil
	}
	return p, nil
}

// expandRange expands FROM:TO:STEP, both ends included, computing each
// value as FROM + i*STEP (no accumulated rounding) rounded to 12
// significant digits.
func expandRange(p analysis.Param, spec string) (analysis.Param, error) {
	parts := strings.Split(spec, ":")
	if len(parts) != 3 {
		return p, fmt.Errorf("%q is not a range (want FROM:TO:STEP)", spec)
	}
	var x [3]float64
	for i, s := range parts {
		v, isNum, err := topologies.OverrideNumber(p.Name, strings.TrimSpace(s))
		if err != nil {
			return p, err
		}
		if !isNum {
			return p, fmt.Errorf("%s is not a number: list its values instead of a range", p.Name)
		}
		x[i] = v
	}
	from, to, step := x[0], x[1], x[2]
	if step <= 0 || to < from {
		return p, fmt.Errorf("range %s: want FROM <= TO and STEP > 0", spec)
	}
	n := int(math.Floor((to-from)/step+1e-9)) + 1
	if n > maxSweepValues {
		return p, fmt.Errorf("range %s has %d values, more than %d", spec, n, maxSweepValues)
	}
	for i := range n {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(from+float64(i)*step, 'g', 12, 64), 64)
		p.Values = append(p.Values, topologies.FormatOverride(p.Name, v))
		p.Numbers = append(p.Numbers, v)
	}
	return p, nil
}

// openOutputs creates the output files and writes their header rows.
func (o *sweepOptions) openOutputs(s *analysis.Sweep) ([]*os.File, error) {
	var files []*os.File
	open := func(flag, path string, cols []string) (*csv.Writer, error) {
		if !strings.HasSuffix(strings.ToLower(path), ".csv") {
			return nil, fmt.Errorf("sweep: %s: %s: want a file name ending in .csv", flag, path)
		}
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("sweep: %s: %v", flag, err)
		}
		files = append(files, f)
		w := csv.NewWriter(f) // buffered: csv.Writer has its own bufio.Writer
		return w, w.Write(s.Header(cols))
	}
	for _, img := range []struct{ flag, path string }{{"--plot", o.plot}, {"--cdf", o.cdf}} {
		if img.path != "" {
			if err := checkImageName(img.path); err != nil {
				return nil, fmt.Errorf("sweep: %s: %v", img.flag, err)
			}
		}
	}
	var err error
	if o.summaryCW, err = open("--out", o.out, analysis.SummaryColumns); err != nil {
		return files, err
	}
	if o.perRep != "" {
		if o.repCW, err = open("--per-rep", o.perRep, analysis.RepColumns); err != nil {
			return files, err
		}
	}
	if o.dist != "" {
		if o.distCW, err = open("--dist", o.dist, analysis.DistColumns); err != nil {
			return files, err
		}
	}
	return files, nil
}

// sidecarPath returns the JSON sidecar's path: --out with .json for .csv.
func sidecarPath(out string) string {
	return strings.TrimSuffix(out, ".csv") + ".json"
}

// sweepMeta is the JSON sidecar of a sweep's tables.
type sweepMeta struct {
	Tool        string      `json:"tool"`
	Version     string      `json:"version"`
	CommandLine []string    `json:"command_line"`
	Topology    string      `json:"topology"`
	Seed        uint64      `json:"seed"`
	Reps        int         `json:"reps"`
	Calls       int         `json:"calls_per_replication"`
	Duration    string      `json:"duration,omitempty"`
	Parameters  []metaParam `json:"parameters"`
	Points      int         `json:"points"`
	Level       float64     `json:"confidence_level"`
	Resamples   int         `json:"bootstrap_resamples"`
	Outputs     []string    `json:"outputs"`
}

type metaParam struct {
	Name   string    `json:"name"`
	Values []string  `json:"values"`
	Base   []float64 `json:"base_units,omitempty"`
}

func (o *sweepOptions) writeSidecar(s *analysis.Sweep) error {
	m := sweepMeta{
		Tool: "sipsim", Version: version, CommandLine: o.commandLine, Topology: o.topology,
		Seed: o.seed, Reps: o.reps, Calls: o.calls, Points: s.Points(),
		Level: analysis.Level, Resamples: analysis.BootstrapResamples,
	}
	if o.until > 0 {
		m.Duration = o.until.String()
	}
	for _, p := range o.params {
		m.Parameters = append(m.Parameters, metaParam{Name: p.Name, Values: p.Values, Base: p.Numbers})
	}
	for _, f := range []string{o.out, o.perRep, o.dist, o.plot, o.cdf} {
		if f != "" {
			m.Outputs = append(m.Outputs, f)
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(sidecarPath(o.out), append(b, '\n'), 0o644)
}

// progress shows a sweep's progress on a terminal; elsewhere it is
// silent, so that logs and pipes get the tables alone.
type progress struct {
	w     io.Writer
	total int
	bar   progressBar
}

// progressBar is what progress needs of a bar.
type progressBar interface {
	Set(int) error
	Finish() error
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		p.bar = newTerminalBar(f, total)
	}
	return p
}

func (p *progress) set(done, total int) {
	if p.bar != nil {
		p.bar.Set(done)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
