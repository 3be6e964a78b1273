package analysis

import (
	"math"
	"time"
)

var nan = math.NaN()

// RepStats aggregates the calls and registrations of one run (one
// replication of a sweep point) as they are handed over, keeping counts,
// sums and a histogram, never the calls themselves: its size does not
// grow with the number of calls.
type RepStats struct {
	// Calls counts the calls placed; the outcome counts below add up to
	// it.
	Calls, Answered, Rejected, Cancelled, TimedOut, TransportErrors, InProgress int
	// Completed counts the answered calls whose BYE got a final response.
	Completed int
	// Ongoing counts the answered calls whose session had not ended when
	// the trace did (no BYE yet: a run cut short).
	Ongoing int
	// ByStatus counts the rejected calls by final status code.
	ByStatus map[int]int
	// Redirected counts the calls whose final response was a 3xx (RFC
	// 6076 4.6 and 4.7 leave them out of SER's and SEER's denominator).
	Redirected int
	// Effective counts the calls that ended with 2xx, 480, 486, 600 or
	// 603 (RFC 6076 4.7's numerator).
	Effective int
	// Ineffective counts the calls that ended with 408, 500, 503 or 504,
	// a local timeout (408) or a transport error (503) included (RFC 6076
	// 4.8's numerator; RFC 3261 8.1.3.1 for the local codes).
	Ineffective int
	// Setup holds the set-up delays of the answered calls, in ns.
	Setup Histogram
	// SRD, PDD and SDD sum the delays of the calls that have one.
	SRD, PDD, SDD Sum
	// Messages and Retransmissions count the calls' SIP messages.
	Messages, Retransmissions int
	// InviteTransmissions[k] counts the calls whose first INVITE was sent
	// k times (index 0 unused).
	InviteTransmissions []int
	// Registrations counts REGISTER exchanges; RegistrationsOK those
	// answered 2xx, whose delays RRD sums (RFC 6076 4.1).
	Registrations, RegistrationsOK int
	RRD                            Sum
}

// Sum accumulates durations: their count and total.
type Sum struct {
	N     int
	Total time.Duration
}

// Add adds d unless it is Unset.
func (s *Sum) Add(d time.Duration) {
	if d >= 0 {
		s.N++
		s.Total += d
	}
}

// Mean returns the mean in seconds, NaN when empty.
func (s Sum) Mean() float64 {
	if s.N == 0 {
		return nan
	}
	return s.Total.Seconds() / float64(s.N)
}

// AddCall adds one call's metrics.
func (s *RepStats) AddCall(m *CallMetrics) {
	s.Calls++
	switch m.Outcome {
	case Answered:
		s.Answered++
		s.Setup.Add(int64(m.Setup))
	case Rejected:
		s.Rejected++
		if s.ByStatus == nil {
			s.ByStatus = map[int]int{}
		}
		s.ByStatus[m.Status]++
	case Cancelled:
		s.Cancelled++
	case TimedOut:
		s.TimedOut++
	case TransportError:
		s.TransportErrors++
	default:
		s.InProgress++
	}
	if m.Completed {
		s.Completed++
	}
	if m.Outcome == Answered && m.SDT == Unset {
		s.Ongoing++
	}
	switch st := m.Status; {
	case m.Outcome == InProgress:
	case st >= 300 && st < 400:
		s.Redirected++
	case st >= 200 && st < 300, st == 480, st == 486, st == 600, st == 603:
		s.Effective++
	case st == 408, st == 500, st == 503, st == 504:
		s.Ineffective++
	}
	s.SRD.Add(m.SRD)
	s.PDD.Add(m.PDD)
	s.SDD.Add(m.SDD)
	s.Messages += m.Messages
	s.Retransmissions += m.Retransmissions
	if k := m.InviteTransmissions; k > 0 {
		for len(s.InviteTransmissions) <= k {
			s.InviteTransmissions = append(s.InviteTransmissions, 0)
		}
		s.InviteTransmissions[k]++
	}
}

// AddRegistration adds one registration's metrics.
func (s *RepStats) AddRegistration(m *RegistrationMetrics) {
	s.Registrations++
	if m.Status >= 200 && m.Status < 300 {
		s.RegistrationsOK++
		s.RRD.Add(m.RRD)
	}
}

// Failed returns the calls not answered, whatever the reason.
func (s *RepStats) Failed() int { return s.Calls - s.Answered }

// SER returns RFC 6076 4.6's Session Establishment Ratio, in percent:
// answered calls over the calls that did not end in a 3xx. NaN when there
// is no such call.
func (s *RepStats) SER() float64 { return percent(s.Answered, s.Calls-s.Redirected) }

// SEER returns RFC 6076 4.7's Session Establishment Effectiveness Ratio,
// in percent: calls answered or ended by the called user (480, 486, 600,
// 603) over the calls that did not end in a 3xx.
func (s *RepStats) SEER() float64 { return percent(s.Effective, s.Calls-s.Redirected) }

// ISA returns RFC 6076 4.8's Ineffective Session Attempts, in percent:
// calls ended by 408, 500, 503 or 504 (a local timeout or transport error
// included) over all calls.
func (s *RepStats) ISA() float64 { return percent(s.Ineffective, s.Calls) }

// SCR returns RFC 6076 4.9's Session Completion Ratio, in percent:
// completed calls (answered, and ended by a BYE that got a final response) over all
// calls.
func (s *RepStats) SCR() float64 { return percent(s.Completed, s.Calls) }

// RetransmissionsPerCall returns the SIP retransmissions per call placed.
func (s *RepStats) RetransmissionsPerCall() float64 { return ratio(s.Retransmissions, s.Calls) }

// MessagesPerCall returns the SIP messages per call placed.
func (s *RepStats) MessagesPerCall() float64 { return ratio(s.Messages, s.Calls) }

// SetupMean returns the mean set-up delay of the answered calls in
// seconds, NaN when none was answered.
func (s *RepStats) SetupMean() float64 {
	if s.Setup.Count() == 0 {
		return nan
	}
	return s.Setup.Mean() / 1e9
}

// Merge adds o's counts, sums and histogram to s.
func (s *RepStats) Merge(o *RepStats) {
	s.Calls += o.Calls
	s.Answered += o.Answered
	s.Rejected += o.Rejected
	s.Cancelled += o.Cancelled
	s.TimedOut += o.TimedOut
	s.TransportErrors += o.TransportErrors
	s.InProgress += o.InProgress
	s.Completed += o.Completed
	s.Ongoing += o.Ongoing
	for code, n := range o.ByStatus {
		if s.ByStatus == nil {
			s.ByStatus = map[int]int{}
		}
		s.ByStatus[code] += n
	}
	s.Redirected += o.Redirected
	s.Effective += o.Effective
	s.Ineffective += o.Ineffective
	s.Setup.Merge(&o.Setup)
	for _, p := range [][2]*Sum{{&s.SRD, &o.SRD}, {&s.PDD, &o.PDD}, {&s.SDD, &o.SDD}, {&s.RRD, &o.RRD}} {
		p[0].N += p[1].N
		p[0].Total += p[1].Total
	}
	s.Messages += o.Messages
	s.Retransmissions += o.Retransmissions
	for k, n := range o.InviteTransmissions {
		for len(s.InviteTransmissions) <= k {
			s.InviteTransmissions = append(s.InviteTransmissions, 0)
		}
		s.InviteTransmissions[k] += n
	}
	s.Registrations += o.Registrations
	s.RegistrationsOK += o.RegistrationsOK
}

func percent(n, d int) float64 { return 100 * ratio(n, d) }

func ratio(n, d int) float64 {
	if d <= 0 {
		return nan
	}
	return float64(n) / float64(d)
}
