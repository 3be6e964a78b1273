package analysis

import (
	"math"
	"strconv"

	"github.com/sipsim/sipsim/sim"
)

// BootstrapResamples is the number of resamples of the bootstrap
// intervals of the set-up delay quantiles.
const BootstrapResamples = 1000

// Level is the confidence level of every interval in the sweep tables.
const Level = 0.95

// SummaryColumns are the columns of a sweep's summary table after the
// varied parameters (one column each, named after the parameter, its
// value in base units: a probability, seconds, bit/s, calls per second,
// or the transport's name). One row per point. An empty cell is a value
// that does not exist (no answered call, fewer than two replications for
// an interval).
//
//	reps, calls              replications, and calls placed over all of them
//	answered, failed         calls answered, and all the others
//	rejected, cancelled, timed_out, transport_errors, in_progress
//	                         the failed calls by outcome
//	setup_mean_s             set-up delay: mean over the replications of
//	                         each replication's mean over its answered calls
//	setup_ci95_lo_s, _hi_s   its Student-t 95% interval across replications
//	setup_pNN_s              the NNth percentile (50, 95, 99) of the set-up
//	                         delays of all answered calls, with its
//	                         percentile-bootstrap 95% interval across
//	                         replications (setup_pNN_ci95_lo_s, _hi_s)
//	srd_mean_s (+ ci95)      RFC 6076 4.3 Session Request Delay, as setup
//	pdd_mean_s, sdd_mean_s   post-dial delay, RFC 6076 4.4 Session
//	                         Disconnect Delay: means over all calls
//	ser, seer, isa, scr      RFC 6076 4.6-4.9 ratios over all calls, percent
//	retransmissions_per_call (+ ci95_lo, _hi) mean over replications
//	messages_per_call        SIP messages sent per call
//	rrd_mean_s               RFC 6076 4.1 Registration Request Delay
var SummaryColumns = []string{
	"reps", "calls", "answered", "failed", "rejected", "cancelled", "timed_out", "transport_errors", "in_progress",
	"setup_mean_s", "setup_ci95_lo_s", "setup_ci95_hi_s",
	"setup_p50_s", "setup_p50_ci95_lo_s", "setup_p50_ci95_hi_s",
	"setup_p95_s", "setup_p95_ci95_lo_s", "setup_p95_ci95_hi_s",
	"setup_p99_s", "setup_p99_ci95_lo_s", "setup_p99_ci95_hi_s",
	"srd_mean_s", "srd_ci95_lo_s", "srd_ci95_hi_s",
	"pdd_mean_s", "sdd_mean_s",
	"ser", "seer", "isa", "scr",
	"retransmissions_per_call", "retransmissions_per_call_ci95_lo", "retransmissions_per_call_ci95_hi",
	"messages_per_call", "rrd_mean_s",
}

// RepColumns are the columns of the per-replication table after the varied
// parameters: one row per replication, its figures alone.
var RepColumns = []string{
	"rep", "seed", "calls", "answered", "failed", "rejected", "cancelled", "timed_out", "transport_errors", "in_progress",
	"setup_mean_s", "setup_p50_s", "setup_p95_s", "setup_p99_s",
	"srd_mean_s", "pdd_mean_s", "sdd_mean_s",
	"ser", "seer", "isa", "scr",
	"retransmissions_per_call", "messages_per_call", "rrd_mean_s",
}

// DistColumns are the columns of the distribution table after the varied
// parameters: the set-up delays of a point's answered calls as (value,
// count) pairs in increasing order, all replications merged. A value is
// exact when the histogram bucket holds one distinct delay, and the
// bucket's largest delay otherwise (within 1/1024 of each delay in it).
var DistColumns = []string{"setup_s", "count"}

// Header returns the header row of a table of s: the parameters, then
// columns.
func (s *Sweep) Header(columns []string) []string {
	h := make([]string, 0, len(s.Params)+len(columns))
	for _, p := range s.Params {
		h = append(h, p.Name)
	}
	return append(h, columns...)
}

// paramCells appends the cells of point p's parameter values.
func (s *Sweep) paramCells(row []string, p *Point) []string {
	for k, v := range p.Values {
		row = append(row, s.Params[k].Cell(v))
	}
	return row
}

// SummaryRow returns point p's row of the summary table (SummaryColumns).
// Its bootstrap draws come from a stream of the sweep's seed named after
// the point, so the row depends on the point's results alone.
func (s *Sweep) SummaryRow(p *Point) []string {
	var all RepStats
	var setup, srd, rtx []float64
	hists := make([]*Histogram, len(p.Reps))
	for i, r := range p.Reps {
		all.Merge(r)
		hists[i] = &r.Setup
		if m := r.SetupMean(); !math.IsNaN(m) {
			setup = append(setup, m)
		}
		if m := r.SRD.Mean(); !math.IsNaN(m) {
			srd = append(srd, m)
		}
		rtx = append(rtx, r.RetransmissionsPerCall())
	}
	row := s.paramCells(nil, p)
	row = append(row, ints(len(p.Reps), all.Calls, all.Answered, all.Failed(), all.Rejected,
		all.Cancelled, all.TimedOut, all.TransportErrors, all.InProgress)...)
	m, lo, hi := MeanCI(setup, Level)
	row = append(row, floats(m, lo, hi)...)
	rng := sim.NewStream(s.Seed, "bootstrap/"+strconv.Itoa(p.Index))
	for _, q := range []float64{0.50, 0.95, 0.99} {
		est, lo, hi := QuantileCI(hists, q, Level, BootstrapResamples, rng)
		row = append(row, floats(est/1e9, lo/1e9, hi/1e9)...)
	}
	m, lo, hi = MeanCI(srd, Level)
	row = append(row, floats(m, lo, hi)...)
	row = append(row, floats(all.PDD.Mean(), all.SDD.Mean(), all.SER(), all.SEER(), all.ISA(), all.SCR())...)
	m, lo, hi = MeanCI(rtx, Level)
	row = append(row, floats(m, lo, hi)...)
	return append(row, floats(all.MessagesPerCall(), all.RRD.Mean())...)
}

// RepRows returns point p's rows of the per-replication table
// (RepColumns).
func (s *Sweep) RepRows(p *Point) [][]string {
	rows := make([][]string, len(p.Reps))
	for i, r := range p.Reps {
		row := s.paramCells(nil, p)
		row = append(row, strconv.Itoa(i), strconv.FormatUint(p.Seeds[i], 10))
		row = append(row, ints(r.Calls, r.Answered, r.Failed(), r.Rejected, r.Cancelled,
			r.TimedOut, r.TransportErrors, r.InProgress)...)
		row = append(row, floats(r.SetupMean(), r.Setup.Quantile(0.50)/1e9, r.Setup.Quantile(0.95)/1e9,
			r.Setup.Quantile(0.99)/1e9, r.SRD.Mean(), r.PDD.Mean(), r.SDD.Mean(),
			r.SER(), r.SEER(), r.ISA(), r.SCR(), r.RetransmissionsPerCall(), r.MessagesPerCall(), r.RRD.Mean())...)
		rows[i] = row
	}
	return rows
}

// DistRows returns point p's rows of the distribution table
// (DistColumns).
func (s *Sweep) DistRows(p *Point) [][]string {
	var h Histogram
	for _, r := range p.Reps {
		h.Merge(&r.Setup)
	}
	bs := h.Buckets()
	rows := make([][]string, len(bs))
	for i, b := range bs {
		row := s.paramCells(nil, p)
		rows[i] = append(row, formatFloat(float64(b.Max)/1e9), strconv.FormatInt(b.Count, 10))
	}
	return rows
}

func ints(vs ...int) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.Itoa(v)
	}
	return out
}

func floats(vs ...float64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = formatFloat(v)
	}
	return out
}

// formatFloat writes x rounded to 12 significant digits (more than any
// figure here means, few enough to hide the binary rounding of means such
// as 0.21600000000000003), without an exponent; NaN (a value that does not
// exist) as "".
func formatFloat(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 12, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}
