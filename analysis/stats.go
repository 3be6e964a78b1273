package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sipsim/sipsim/sim"
)

// MeanCI returns the sample mean of xs, one value per independent
// replication, and the two-sided Student-t confidence interval at level
// (0.95 for 95%): mean ± t(1-(1-level)/2, n-1)·s/√n, the fixed-sample-size
// procedure for terminating simulations (Law, Simulation Modeling and
// Analysis, ch. 9). The interval assumes the replication means are roughly
// normal; it is NaN for fewer than two values or a level outside (0, 1).
// All NaN when xs is empty. When every value is equal, mean, lo and hi are
// that value exactly, with no rounding error.
func MeanCI(xs []float64, level float64) (mean, lo, hi float64) {
	nan := math.NaN()
	switch {
	case len(xs) == 0:
		return nan, nan, nan
	case len(xs) == 1:
		return xs[0], nan, nan
	}
	if allEqual(xs) {
		mean = xs[0]
		if !(level > 0 && level < 1) {
			return mean, nan, nan
		}
		return mean, mean, mean
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	if !(level > 0 && level < 1) {
		return mean, nan, nan
	}
	n := float64(len(xs))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 1}.Quantile(1 - (1-level)/2)
	half := t * sd / math.Sqrt(n)
	return mean, mean - half, mean + half
}

// allEqual reports whether all of xs equal xs[0] (false if xs[0] is NaN).
func allEqual(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

// QuantileCI returns the q-quantile est of all replications merged, and a
// percentile bootstrap interval [lo, hi] at level (Efron and Tibshirani, An
// Introduction to the Bootstrap, 1993, ch. 13): the (1-level)/2 and
// (1+level)/2 empirical quantiles of est over resamples resamples. Each
// resample draws len(reps) replications with replacement, not calls: the
// replications are the independent units, while calls within one run are
// correlated through shared queues (resampling the top level of
// hierarchical data, Davison and Hinkley, Bootstrap Methods and their
// Application, 1997, sec. 3.8). A resample's quantile is exactly the
// [Histogram.Quantile] of its replications merged.
//
// Replications that are nil or empty hold no values and are left out. lo
// and hi are NaN when fewer than two replications remain, level is outside
// (0, 1), resamples < 1 or rng is nil; est is NaN when there is no value or
// q is outside [0, 1]. A percentile interval need not contain est when the
// bootstrap distribution is very skewed. The draws come from rng alone, so
// the same stream state gives the same interval. Cost: O(R·U) memory for R
// replications with U distinct buckets in all, and O(resamples·R·log U)
// time after sorting each replication's buckets once.
func QuantileCI(reps []*Histogram, q, level float64, resamples int, rng *sim.Stream) (est, lo, hi float64) {
	var all Histogram
	var units [][]Bucket
	for _, r := range reps {
		if r == nil || r.Count() == 0 {
			continue
		}
		all.Merge(r)
		units = append(units, r.Buckets())
	}
	est = all.Quantile(q)
	lo, hi = math.NaN(), math.NaN()
	if len(units) < 2 || math.IsNaN(est) || !(level > 0 && level < 1) || resamples < 1 || rng == nil {
		return est, lo, hi
	}

	// cum[r*u+j] counts the values of replication r in the first j+1
	// buckets of the union, so a resample's cumulative count at bucket j
	// is a weighted sum of R numbers, increasing in j: a binary search
	// finds the bucket of the quantile's rank.
	union := all.Buckets()
	nr, u := len(units), len(union)
	cum := make([]int64, nr*u)
	for r, bs := range units {
		row := cum[r*u : (r+1)*u]
		var c int64
		i := 0
		for j, ub := range union {
			if i < len(bs) && bs[i].Min <= ub.Max {
				c += bs[i].Count
				i++
			}
			row[j] = c
		}
	}
	merged := func(w []int64, j int) int64 {
		if j < 0 {
			return 0
		}
		var s int64
		for r, wr := range w {
			if wr != 0 {
				s += wr * cum[r*u+j]
			}
		}
		return s
	}

	w := make([]int64, nr)
	ests := make([]float64, resamples)
	for s := range ests {
		clear(w)
		for range nr {
			w[rng.IntN(nr)]++
		}
		k := rank(q, merged(w, u-1))
		j, end := 0, u-1 // smallest j with merged(w, j) >= k
		for j < end {
			mid := int(uint(j+end) >> 1)
			if merged(w, mid) >= k {
				end = mid
			} else {
				j = mid + 1
			}
		}
		before := merged(w, j-1)
		b := Bucket{Min: union[j].Max, Max: union[j].Min, Count: merged(w, j) - before}
		key := bucketKey(union[j].Min)
		for r, wr := range w {
			if wr == 0 {
				continue
			}
			bs := units[r]
			i, ok := slices.BinarySearchFunc(bs, key, func(x Bucket, k int32) int { return int(bucketKey(x.Min) - k) })
			if ok {
				b.Min = min(b.Min, bs[i].Min)
				b.Max = max(b.Max, bs[i].Max)
			}
		}
		ests[s] = interpolate(b, k-before)
	}
	slices.Sort(ests)
	lo = stat.Quantile((1-level)/2, stat.Empirical, ests, nil)
	hi = stat.Quantile((1+level)/2, stat.Empirical, ests, nil)
	return est, lo, hi
}
