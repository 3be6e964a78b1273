package analysis_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

func TestMeanCI(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name         string
		xs           []float64
		level        float64
		mean, lo, hi float64
	}{
		// mean 3, s = √2.5 = 1.5811, t(0.975, 4) = 2.776445:
		// half-width 2.776445·1.5811/√5 = 1.963243.
		{"1..5 at 95%", []float64{1, 2, 3, 4, 5}, 0.95, 3, 3 - 1.963243, 3 + 1.963243},
		// t(0.95, 4) = 2.131847: half-width 1.507443.
		{"1..5 at 90%", []float64{5, 4, 3, 2, 1}, 0.90, 3, 3 - 1.507443, 3 + 1.507443},
		{"empty", nil, 0.95, nan, nan, nan},
		{"one value", []float64{7}, 0.95, 7, nan, nan},
		// A regression guard: summing ten 0.1s gives 0.9999999999999999,
		// so the mean must not come from the sum.
		{"all equal is exact", []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 0.95, 0.1, 0.1, 0.1},
		{"level 1", []float64{1, 2}, 1, 1.5, nan, nan},
		{"level 0", []float64{1, 2}, 0, 1.5, nan, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mean, lo, hi := analysis.MeanCI(tt.xs, tt.level)
			for _, c := range []struct {
				what      string
				got, want float64
			}{{"mean", mean, tt.mean}, {"lo", lo, tt.lo}, {"hi", hi, tt.hi}} {
				switch {
				case math.IsNaN(c.want):
					assert.True(t, math.IsNaN(c.got), "%s = %v, want NaN", c.what, c.got)
				case tt.name == "all equal is exact":
					assert.Equal(t, c.want, c.got, c.what)
				default:
					assert.InDelta(t, c.want, c.got, 1e-6, c.what)
				}
			}
		})
	}
}

// TestMeanCIAgainstGonum recomputes the interval from gonum's pieces.
func TestMeanCIAgainstGonum(t *testing.T) {
	rng := sim.NewStream(6, "meanci")
	xs := make([]float64, 30)
	for i := range xs {
		xs[i] = 100 + 10*rng.NormFloat64()
	}
	mean, lo, hi := analysis.MeanCI(xs, 0.99)
	m, s := stat.MeanStdDev(xs, nil)
	half := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 29}.Quantile(0.995) * s / math.Sqrt(30)
	assert.Equal(t, m, mean)
	assert.InDelta(t, m-half, lo, 1e-12)
	assert.InDelta(t, m+half, hi, 1e-12)
}

// replications returns n histograms of calls whose delays have a
// per-replication offset, as when runs differ in their queues.
func replications(seed uint64, n, calls int) []*analysis.Histogram {
	rng := sim.NewStream(seed, "replications")
	reps := make([]*analysis.Histogram, n)
	for r := range reps {
		reps[r] = &analysis.Histogram{}
		offset := 50e6 * rng.Float64()
		for range calls {
			reps[r].Add(int64(100e6 + offset + 20e6*rng.ExpFloat64()))
		}
	}
	return reps
}

func TestQuantileCI(t *testing.T) {
	reps := replications(7, 10, 2000)
	var all analysis.Histogram
	for _, r := range reps {
		all.Merge(r)
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		est, lo, hi := analysis.QuantileCI(reps, q, 0.95, 1000, sim.NewStream(1, "bootstrap"))
		assert.Equal(t, all.Quantile(q), est, "q=%v", q)
		assert.LessOrEqual(t, lo, est, "q=%v", q)
		assert.GreaterOrEqual(t, hi, est, "q=%v", q)
		assert.Less(t, lo, hi, "q=%v: replications differ, so must the resamples", q)

		est2, lo2, hi2 := analysis.QuantileCI(reps, q, 0.95, 1000, sim.NewStream(1, "bootstrap"))
		assert.Equal(t, []float64{est, lo, hi}, []float64{est2, lo2, hi2}, "q=%v: same seed, same interval", q)
	}
	// A wider level gives a wider interval from the same draws.
	_, lo95, hi95 := analysis.QuantileCI(reps, 0.5, 0.95, 1000, sim.NewStream(1, "bootstrap"))
	_, lo50, hi50 := analysis.QuantileCI(reps, 0.5, 0.50, 1000, sim.NewStream(1, "bootstrap"))
	assert.LessOrEqual(t, lo95, lo50)
	assert.GreaterOrEqual(t, hi95, hi50)
}

// TestQuantileCIResampleIsMerge checks the fast resample path against the
// slow definition: when the replications are identical, every resample
// merges to the whole, so the interval collapses to est exactly.
func TestQuantileCIResampleIsMerge(t *testing.T) {
	rep := replications(8, 1, 5000)[0]
	var all analysis.Histogram
	for range 3 {
		all.Merge(rep)
	}
	for _, q := range []float64{0, 0.3, 0.5, 0.95, 1} {
		est, lo, hi := analysis.QuantileCI([]*analysis.Histogram{rep, rep, rep}, q, 0.9, 200, sim.NewStream(2, "bootstrap"))
		assert.Equal(t, all.Quantile(q), est, "q=%v", q)
		assert.Equal(t, est, lo, "q=%v", q)
		assert.Equal(t, est, hi, "q=%v", q)
	}
}

func TestQuantileCIDegenerate(t *testing.T) {
	one := replications(9, 1, 100)
	rng := sim.NewStream(3, "bootstrap")
	tests := []struct {
		name      string
		reps      []*analysis.Histogram
		q, level  float64
		resamples int
		rng       *sim.Stream
		estNaN    bool
	}{
		{"no replication", nil, 0.5, 0.95, 100, rng, true},
		{"one replication", one, 0.5, 0.95, 100, rng, false},
		{"one replication and empty ones", []*analysis.Histogram{nil, one[0], {}}, 0.5, 0.95, 100, rng, false},
		{"level 1", append(one, one[0]), 0.5, 1, 100, rng, false},
		{"no resample", append(one, one[0]), 0.5, 0.95, 0, rng, false},
		{"nil rng", append(one, one[0]), 0.5, 0.95, 100, nil, false},
		{"q out of range", append(one, one[0]), 1.5, 0.95, 100, rng, true},
	}
	for _, tt := range tests {
		est, lo, hi := analysis.QuantileCI(tt.reps, tt.q, tt.level, tt.resamples, tt.rng)
		assert.Equal(t, tt.estNaN, math.IsNaN(est), "%s: est = %v", tt.name, est)
		assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "%s: [%v, %v], want NaN", tt.name, lo, hi)
	}
}

// TestQuantileCIMatchesSlowBootstrap checks the fast path against the
// definition: each resample's replications merged into a new Histogram,
// drawn in the same order from the same stream.
func TestQuantileCIMatchesSlowBootstrap(t *testing.T) {
	reps := replications(11, 6, 1000)
	const resamples, level = 100, 0.9
	for _, q := range []float64{0, 0.25, 0.5, 0.9, 0.99, 1} {
		_, lo, hi := analysis.QuantileCI(reps, q, level, resamples, sim.NewStream(4, "bootstrap"))

		rng := sim.NewStream(4, "bootstrap")
		ests := make([]float64, resamples)
		for s := range ests {
			var h analysis.Histogram
			for range reps {
				h.Merge(reps[rng.IntN(len(reps))])
			}
			ests[s] = h.Quantile(q)
		}
		slices.Sort(ests)
		assert.Equal(t, stat.Quantile((1-level)/2, stat.Empirical, ests, nil), lo, "q=%v: lo", q)
		assert.Equal(t, stat.Quantile((1+level)/2, stat.Empirical, ests, nil), hi, "q=%v: hi", q)
	}
}

// TestQuantileCIBucketsPerReplication keeps the benchmark honest: its
// replications must have hundreds of buckets each, as real runs do.
func TestQuantileCIBucketsPerReplication(t *testing.T) {
	reps := replications(10, 10, 2000)
	n := len(reps[0].Buckets())
	t.Logf("%d buckets in the first replication", n)
	require.Greater(t, n, 300, "the benchmark's replications should have hundreds of buckets")
}

func BenchmarkQuantileCI(b *testing.B) {
	reps := replications(10, 10, 2000)
	b.ReportAllocs()
	for b.Loop() {
		analysis.QuantileCI(reps, 0.95, 0.95, 1000, sim.NewStream(1, "bootstrap"))
	}
}
