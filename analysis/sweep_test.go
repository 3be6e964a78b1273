package analysis_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

// fakeRun makes a replication's stats from its seed alone, slower for some
// seeds so that workers finish out of order.
func fakeRun(values []string, seed uint64) (*analysis.RepStats, error) {
	rs := sim.NewStream(seed, "fake")
	var st analysis.RepStats
	n := 20 + int(seed%7)
	for i := range n {
		m := analysis.CallMetrics{Index: i + 1, Outcome: analysis.Answered, Status: 200,
			Setup: time.Duration(100+rs.IntN(900)) * time.Millisecond, SRD: analysis.Unset, PDD: analysis.Unset,
			SDT: analysis.Unset, SDD: analysis.Unset, InviteTransmissions: 1 + rs.IntN(3)}
		if values[0] == "0.3" && i%4 == 0 {
			m.Outcome, m.Status, m.Setup = analysis.TimedOut, 408, analysis.Unset
		}
		st.AddCall(&m)
	}
	if seed%3 == 0 {
		time.Sleep(time.Millisecond)
	}
	return &st, nil
}

func sweepCSV(t *testing.T, workers int) string {
	s := &analysis.Sweep{
		Params: []analysis.Param{
			{Name: "loss", Values: []string{"0", "0.1", "0.3"}, Numbers: []float64{0, 0.1, 0.3}},
			{Name: "transport", Values: []string{"udp", "tcp"}},
		},
		Reps: 5, Seed: 42, Workers: workers, Run: fakeRun,
	}
	var b strings.Builder
	b.WriteString(strings.Join(s.Header(analysis.SummaryColumns), ",") + "\n")
	var order []int
	require.NoError(t, s.Execute(func(p *analysis.Point) error {
		order = append(order, p.Index)
		b.WriteString(strings.Join(s.SummaryRow(p), ",") + "\n")
		for _, r := range s.RepRows(p) {
			b.WriteString(strings.Join(r, ",") + "\n")
		}
		return nil
	}))
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5}, order)
	return b.String()
}

func TestSweepIsTheSameForAnyNumberOfWorkers(t *testing.T) {
	one := sweepCSV(t, 1)
	for _, w := range []int{2, 4, 8} {
		assert.Equal(t, one, sweepCSV(t, w), "workers %d", w)
	}
	lines := strings.Split(one, "\n")
	assert.True(t, strings.HasPrefix(lines[0], "loss,transport,reps,calls,answered,failed,"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "0,udp,5,"), lines[1])
	assert.True(t, strings.HasPrefix(lines[1+6*5], "0.3,tcp,5,"), lines[1+6*5])
}

func TestSweepStopsAtTheFirstError(t *testing.T) {
	s := &analysis.Sweep{
		Params: []analysis.Param{{Name: "loss", Values: []string{"0", "bad", "0.2"}}},
		Reps:   3, Workers: 2,
		Run: func(v []string, seed uint64) (*analysis.RepStats, error) {
			if v[0] == "bad" {
				return nil, errors.New("no such loss")
			}
			return &analysis.RepStats{}, nil
		},
	}
	err := s.Execute(func(*analysis.Point) error { return nil })
	require.Error(t, err)
	assert.Regexp(t, `^point 1 \(loss=bad\), replication \d: no such loss$`, err.Error())

	s.Params[0].Values[1] = "0.1"
	emitErr := errors.New("disk full")
	assert.Equal(t, emitErr, s.Execute(func(*analysis.Point) error { return emitErr }))
}

func TestRepSeedsAreDistinct(t *testing.T) {
	seen := map[uint64]string{}
	for point := range 50 {
		for rep := range 50 {
			s := analysis.RepSeed(1, point, rep)
			k := fmt.Sprint(point, "/", rep)
			require.NotContains(t, seen, s, "%s and %s", k, seen[s])
			seen[s] = k
		}
	}
	assert.NotEqual(t, analysis.RepSeed(1, 0, 0), analysis.RepSeed(2, 0, 0))
}
