package analysis_test

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

// logUniform returns n values whose logarithm is uniform on [0, ln maxNs):
// a distribution as wide as one can meet, from 1 ns to maxNs.
func logUniform(rng *sim.Stream, n int, maxNs float64) []int64 {
	vs := make([]int64, n)
	for i := range vs {
		vs[i] = int64(math.Exp(rng.Float64() * math.Log(maxNs)))
	}
	return vs
}

// exactQuantile is gonum's empirical quantile of vs, the reference.
func exactQuantile(q float64, vs []int64) float64 {
	xs := make([]float64, len(vs))
	for i, v := range vs {
		xs[i] = float64(v)
	}
	slices.Sort(xs)
	return stat.Quantile(q, stat.Empirical, xs, nil)
}

func TestHistogramZeroValue(t *testing.T) {
	var h analysis.Histogram
	assert.Zero(t, h.Count())
	assert.Zero(t, h.Min())
	assert.Zero(t, h.Max())
	assert.Zero(t, h.Sum())
	assert.True(t, math.IsNaN(h.Mean()), "Mean of empty")
	assert.True(t, math.IsNaN(h.Quantile(0.5)), "Quantile of empty")
	assert.Empty(t, h.Buckets())
	xs, ps := h.CDF()
	assert.Nil(t, xs)
	assert.Nil(t, ps)
	edges, counts := h.Bins(10)
	assert.Nil(t, edges)
	assert.Nil(t, counts)
	h.Merge(nil)
	h.Merge(&analysis.Histogram{})
	assert.Zero(t, h.Count())

	h.Add(42)
	assert.Equal(t, int64(1), h.Count())
	assert.Equal(t, 42.0, h.Quantile(0.5))
}

// TestHistogramRepeatedValueIsExact: simulated delays are often exactly
// 100 ms; every quantile and the CDF must then say 100 ms, not a bucket edge.
func TestHistogramRepeatedValueIsExact(t *testing.T) {
	var h analysis.Histogram
	for range 1000 {
		h.Add(100e6)
	}
	for _, q := range []float64{0, 0.5, 0.95, 0.99, 1} {
		assert.Equal(t, 1e8, h.Quantile(q), "Quantile(%v)", q)
	}
	assert.Equal(t, 1e8, h.Mean())
	assert.Equal(t, 1e11, h.Sum())
	xs, ps := h.CDF()
	assert.Equal(t, []float64{1e8}, xs)
	assert.Equal(t, []float64{1}, ps)
	assert.Equal(t, []analysis.Bucket{{Min: 1e8, Max: 1e8, Count: 1000}}, h.Buckets())
}

// TestHistogramTwoDelays: two delays that share no bucket keep exact
// quantiles on both sides of the step.
func TestHistogramTwoDelays(t *testing.T) {
	var h analysis.Histogram
	h.AddN(100e6, 900)
	h.AddN(600e6, 100)
	tests := []struct {
		q    float64
		want float64
	}{
		{0, 1e8}, {0.5, 1e8}, {0.9, 1e8}, {0.9001, 6e8}, {0.95, 6e8}, {1, 6e8},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, h.Quantile(tt.q), "Quantile(%v)", tt.q)
	}
	xs, ps := h.CDF()
	assert.Equal(t, []float64{1e8, 6e8}, xs)
	assert.Equal(t, []float64{0.9, 1}, ps)
	assert.Equal(t, (900*1e8+100*6e8)/1000, h.Mean())
}

func TestHistogramQuantileBadQ(t *testing.T) {
	var h analysis.Histogram
	h.Add(1)
	for _, q := range []float64{-0.1, 1.1, math.NaN()} {
		assert.True(t, math.IsNaN(h.Quantile(q)), "Quantile(%v)", q)
	}
}

// TestHistogramQuantileErrorBound checks the documented bound against
// gonum's empirical quantile of the sorted values: exact below 2048 ns,
// relative error under 1/1024 above.
func TestHistogramQuantileErrorBound(t *testing.T) {
	rng := sim.NewStream(1, "quantile-error")
	cases := map[string][]int64{
		"log-uniform 1ns..1e10": logUniform(rng, 100_000, 1e10),
		"small values":          logUniform(rng, 100_000, 5000),
	}
	for _, name := range []string{"log-uniform 1ns..1e10", "small values"} {
		vs := cases[name]
		var h analysis.Histogram
		for _, v := range vs {
			h.Add(v)
		}
		for _, q := range []float64{0, 0.001, 0.5, 0.95, 0.99, 1} {
			want := exactQuantile(q, vs)
			got := h.Quantile(q)
			if want < 2048 {
				assert.Equal(t, want, got, "%s: Quantile(%v)", name, q)
				continue
			}
			assert.Less(t, math.Abs(got-want), want/1024, "%s: Quantile(%v) = %v, want %v", name, q, got, want)
		}
		assert.Equal(t, float64(slices.Min(vs)), h.Quantile(0), name)
		assert.Equal(t, float64(slices.Max(vs)), h.Quantile(1), name)
	}
}

func TestHistogramSumMeanMinMax(t *testing.T) {
	var h analysis.Histogram
	for _, v := range []int64{7, 3, 5000, 1 << 40} {
		h.Add(v)
	}
	assert.Equal(t, int64(3), h.Min())
	assert.Equal(t, int64(1<<40), h.Max())
	assert.Equal(t, float64(7+3+5000+1<<40), h.Sum())
	assert.Equal(t, float64(7+3+5000+1<<40)/4, h.Mean())
}

// TestHistogramSumDoesNotOverflow: the sum of 4 values near 2^62 overflows
// int64; the 128-bit sum does not.
func TestHistogramSumDoesNotOverflow(t *testing.T) {
	var h analysis.Histogram
	h.AddN(math.MaxInt64, 4)
	assert.Equal(t, 4*float64(math.MaxInt64), h.Sum())
	assert.Equal(t, float64(math.MaxInt64), h.Mean())
	assert.Equal(t, float64(math.MaxInt64), h.Quantile(0.5))
}

func TestHistogramNegativeAndNonPositiveN(t *testing.T) {
	var h analysis.Histogram
	h.Add(-5)
	h.AddN(10, 0)
	h.AddN(10, -3)
	assert.Equal(t, int64(1), h.Count())
	assert.Equal(t, int64(0), h.Max())
	assert.Equal(t, 0.0, h.Quantile(1))
}

// TestHistogramMerge: merging histograms equals adding all their values to
// one, whatever the order.
func TestHistogramMerge(t *testing.T) {
	rng := sim.NewStream(2, "merge")
	var all, a, b, ba analysis.Histogram
	for i, v := range logUniform(rng, 20_000, 1e9) {
		all.Add(v)
		if i%3 == 0 {
			a.Add(v)
		} else {
			b.Add(v)
		}
	}
	var ab analysis.Histogram
	ab.Merge(&a)
	ab.Merge(&b)
	ba.Merge(&b)
	ba.Merge(&a)
	for _, h := range []*analysis.Histogram{&ab, &ba} {
		assert.Equal(t, all.Buckets(), h.Buckets())
		assert.Equal(t, all.Count(), h.Count())
		assert.Equal(t, all.Sum(), h.Sum())
		assert.Equal(t, all.Min(), h.Min())
		assert.Equal(t, all.Max(), h.Max())
		for _, q := range []float64{0.1, 0.5, 0.99} {
			assert.Equal(t, all.Quantile(q), h.Quantile(q))
		}
	}
}

func TestHistogramMergeSelf(t *testing.T) {
	var h analysis.Histogram
	h.AddN(5, 2)
	h.Add(3000)
	h.Merge(&h)
	assert.Equal(t, []analysis.Bucket{{Min: 5, Max: 5, Count: 4}, {Min: 3000, Max: 3000, Count: 2}}, h.Buckets())
	assert.Equal(t, int64(6), h.Count())
	assert.Equal(t, float64(2*(10+3000)), h.Sum())
}

// TestHistogramBucketsSortedAndBounded checks that buckets come sorted and
// disjoint whatever the order of the additions, and that 10^6 values from 1
// ns to 10^12 ns (17 minutes, below 2^40) take at most (40-9)·1024 = 31,744
// buckets.
func TestHistogramBucketsSortedAndBounded(t *testing.T) {
	rng := sim.NewStream(3, "bounded")
	var h analysis.Histogram
	for _, v := range logUniform(rng, 1_000_000, 1e12) {
		h.Add(v)
	}
	bs := h.Buckets()
	assert.LessOrEqual(t, len(bs), 31_744)
	var total int64
	for i, b := range bs {
		total += b.Count
		require.LessOrEqual(t, b.Min, b.Max, "bucket %d", i)
		require.Positive(t, b.Count, "bucket %d", i)
		if i > 0 {
			require.Less(t, bs[i-1].Max, b.Min, "bucket %d overlaps the one before", i)
		}
		if b.Min >= 1024 {
			require.Less(t, float64(b.Max-b.Min), float64(b.Min)/1024, "bucket %d too wide", i)
		}
	}
	assert.Equal(t, h.Count(), total)
}

func TestHistogramCDF(t *testing.T) {
	var h analysis.Histogram
	h.AddN(10, 1)
	h.AddN(20, 2)
	h.AddN(1_000_000, 1)
	h.AddN(1_000_100, 4) // shares the bucket of 1_000_000
	xs, ps := h.CDF()
	assert.Equal(t, []float64{10, 20, 1_000_100}, xs)
	assert.Equal(t, []float64{1.0 / 8, 3.0 / 8, 1}, ps)
}

func TestHistogramBins(t *testing.T) {
	var h analysis.Histogram
	h.AddN(0, 1)
	h.AddN(49, 2)
	h.AddN(50, 3)
	h.AddN(100, 4)
	edges, counts := h.Bins(2)
	assert.Equal(t, []float64{0, 50, 100}, edges)
	assert.Equal(t, []float64{3, 7}, counts, "50 opens the second bin; the Max goes in the last")

	var one analysis.Histogram
	one.AddN(1e8, 5)
	edges, counts = one.Bins(4)
	assert.Equal(t, []float64{1e8, 1e8 + 0.25, 1e8 + 0.5, 1e8 + 0.75, 1e8 + 1}, edges)
	assert.Equal(t, []float64{5, 0, 0, 0}, counts)

	edges, counts = h.Bins(0)
	assert.Nil(t, edges)
	assert.Nil(t, counts)
}

// TestHistogramBinsTotal: the bins count every value, however many bins.
func TestHistogramBinsTotal(t *testing.T) {
	rng := sim.NewStream(4, "bins")
	var h analysis.Histogram
	for _, v := range logUniform(rng, 10_000, 1e9) {
		h.Add(v)
	}
	for _, n := range []int{1, 7, 100, 5000} {
		edges, counts := h.Bins(n)
		require.Len(t, edges, n+1)
		require.Len(t, counts, n)
		assert.Equal(t, float64(h.Min()), edges[0])
		assert.Equal(t, float64(h.Max()), edges[n])
		var total float64
		for _, c := range counts {
			total += c
		}
		assert.Equal(t, float64(h.Count()), total, "Bins(%d)", n)
	}
}

// FuzzHistogram adds arbitrary values, read as little-endian int64s, and
// checks the invariants against the sorted values.
func FuzzHistogram(f *testing.F) {
	le := func(vs ...int64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
		return b
	}
	f.Add(le(100e6, 100e6, 600e6))
	f.Add(le(0, 1, 1023, 1024, 2047, 2048, 2049))
	f.Add(le(-1, math.MaxInt64, math.MinInt64, 1<<53+1))
	f.Fuzz(func(t *testing.T, data []byte) {
		var h analysis.Histogram
		var vs []int64
		for ; len(data) >= 8; data = data[8:] {
			v := int64(binary.LittleEndian.Uint64(data))
			h.Add(v)
			vs = append(vs, max(v, 0))
		}
		require.Equal(t, int64(len(vs)), h.Count())
		if len(vs) == 0 {
			require.True(t, math.IsNaN(h.Quantile(0.5)))
			return
		}
		slices.Sort(vs)
		require.Equal(t, vs[0], h.Min())
		require.Equal(t, vs[len(vs)-1], h.Max())
		var total int64
		for _, b := range h.Buckets() {
			total += b.Count
		}
		require.Equal(t, h.Count(), total)
		prev := math.Inf(-1)
		for i := 0; i <= 20; i++ {
			q := float64(i) / 20
			got := h.Quantile(q)
			require.GreaterOrEqual(t, got, float64(h.Min()), "Quantile(%v)", q)
			require.LessOrEqual(t, got, float64(h.Max()), "Quantile(%v)", q)
			require.GreaterOrEqual(t, got, prev, "Quantile(%v) decreases", q)
			prev = got
			want := exactQuantile(q, vs)
			require.LessOrEqual(t, math.Abs(got-want), max(want/1024, 1), "Quantile(%v) = %v, want %v", q, got, want)
		}
		_, ps := h.CDF()
		require.Equal(t, 1.0, ps[len(ps)-1])
	})
}

// BenchmarkHistogramAdd measures adding a value to a warmed-up histogram,
// which allocates nothing.
func BenchmarkHistogramAdd(b *testing.B) {
	vs := logUniform(sim.NewStream(5, "bench-add"), 1<<16, 1e10)
	var h analysis.Histogram
	for _, v := range vs {
		h.Add(v)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.Add(vs[i&(len(vs)-1)])
		i++
	}
}
