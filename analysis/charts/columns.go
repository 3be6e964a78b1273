package charts

import "strings"

// CIColumns returns the names of the columns that hold the lower and upper
// bounds of the 95% confidence interval of the metric column y, by the one
// rule of sipsim's summary files: a trailing "_s" (the unit) is set aside,
// a trailing "_mean" is dropped, then "_ci95_lo" and "_ci95_hi" are
// appended, followed by the unit again. So setup_mean_s has setup_ci95_lo_s
// and setup_ci95_hi_s, setup_p95_s has setup_p95_ci95_lo_s, and
// retransmissions_per_call has retransmissions_per_call_ci95_lo.
func CIColumns(y string) (lo, hi string) {
	base, unit := y, ""
	if s, ok := strings.CutSuffix(base, "_s"); ok && s != "" {
		base, unit = s, "_s"
	}
	if s, ok := strings.CutSuffix(base, "_mean"); ok && s != "" {
		base = s
	}
	return base + "_ci95_lo" + unit, base + "_ci95_hi" + unit
}

// labels maps the column names of sipsim's tables to axis labels. The RFC
// 6076 metrics keep their abbreviation, which is what readers search for.
var labels = map[string]string{
	// Parameters of a sweep.
	"loss":      "packet loss probability",
	"delay":     "link delay",
	"jitter":    "link jitter",
	"bandwidth": "link bandwidth",
	"transport": "transport",
	"t1":        "T1",
	"rate":      "call rate",

	// Counts of a summary row.
	"reps":      "replications",
	"calls":     "calls",
	"answered":  "answered calls",
	"failed":    "failed calls",
	"rejected":  "rejected calls",
	"cancelled": "cancelled calls",
	"timed_out": "timed-out calls",

	// Metrics of a summary row.
	"setup_mean_s":             "set-up delay, mean (s)",
	"setup_p50_s":              "set-up delay, median (s)",
	"setup_p95_s":              "set-up delay, 95th percentile (s)",
	"setup_p99_s":              "set-up delay, 99th percentile (s)",
	"srd_mean_s":               "session request delay (SRD), mean (s)",
	"pdd_mean_s":               "post-dial delay (PDD), mean (s)",
	"sdd_mean_s":               "session disconnect delay (SDD), mean (s)",
	"ser":                      "session establishment ratio (SER)",
	"seer":                     "session establishment effectiveness ratio (SEER)",
	"isa":                      "ineffective session attempts (ISA)",
	"scr":                      "session completion ratio (SCR)",
	"retransmissions_per_call": "retransmissions per call",
	"messages_per_call":        "messages per call",

	// Per-call and distribution files.
	"setup_s":         "set-up delay (s)",
	"srd_s":           "session request delay (SRD) (s)",
	"pdd_s":           "post-dial delay (PDD) (s)",
	"hops":            "hops",
	"messages":        "messages",
	"retransmissions": "retransmissions",
	"count":           "calls",
}

// Label returns the axis label of the column called name: a readable phrase
// for the columns sipsim writes ("setup_mean_s" is "set-up delay, mean
// (s)"), the name itself for any other.
func Label(name string) string {
	if l, ok := labels[name]; ok {
		return l
	}
	return name
}
