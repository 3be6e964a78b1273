package analysis

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
)

// subBits is the number of mantissa bits a bucket keeps: values of the same
// binary exponent split into 1<<subBits buckets, so that a bucket is never
// wider than 1/1024 of the values it holds.
const subBits = 10

// A Bucket is one bucket of a [Histogram]: Count values, all between Min
// and Max inclusive. Min and Max are values that were added, so a bucket
// with Min == Max holds Count copies of one value, known exactly.
type Bucket struct {
	Min, Max int64 // nanoseconds
	Count    int64
}

// A Histogram aggregates non-negative int64 values (nanoseconds: call set-up
// delays) in memory bounded independently of their number, so that a sweep
// of millions of calls per replication stays flat in memory.
//
// Buckets are log-linear, as in Gil Tene's HdrHistogram: each value below
// 1024 has its own bucket, and a larger value with binary exponent e falls
// in one of 1024 buckets of width 2^(e-10) given by the top 10 bits of its
// mantissa, so a bucket's width is below 1/1024 of any value in it. Only
// buckets that hold values are stored (about 40 bytes each); there are at
// most (k-9)·1024 of them for values below 2^k (31,744 below 2^40 ns ≈ 18
// minutes) and 55,296 in all. Each bucket keeps the Min and Max of its
// values besides its Count, so a bucket holding one distinct value (a
// delay of exactly 100 ms, as simulations often give) reports it exactly.
//
// The zero Histogram is empty and ready to use. Copying a Histogram value
// shares its storage: copy by merging into a zero Histogram. A Histogram
// is not safe for concurrent use; read-only methods allocate but never
// modify it.
type Histogram struct {
	buckets []Bucket        // in order of creation
	index   map[int32]int32 // bucket key to position in buckets
	count   int64
	sumHi   uint64 // the exact sum of the values, 128 bits
	sumLo   uint64
	min     int64
	max     int64
}

// bucketKey returns the key of v's bucket; keys grow with the values.
func bucketKey(v int64) int32 {
	u := uint64(v)
	if u < 1<<subBits {
		return int32(u)
	}
	e := bits.Len64(u) - 1 // >= subBits
	m := (u >> (e - subBits)) & (1<<subBits - 1)
	return int32((e-subBits+1)<<subBits | int(m))
}

// Add adds one value v. See [Histogram.AddN].
func (h *Histogram) Add(v int64) { h.AddN(v, 1) }

// AddN adds n copies of the value v, in amortised O(1) time; it allocates
// only when v opens a new bucket. A negative v counts as 0: a causal
// simulation never yields a negative delay, and clamping keeps Count equal
// to the number of calls added. n <= 0 adds nothing. The count must stay
// below 2^63.
func (h *Histogram) AddN(v, n int64) {
	if n <= 0 {
		return
	}
	v = max(v, 0)
	k := bucketKey(v)
	i, ok := h.index[k]
	if !ok {
		if h.index == nil {
			h.index = make(map[int32]int32)
		}
		i = int32(len(h.buckets))
		h.index[k] = i
		h.buckets = append(h.buckets, Bucket{Min: v, Max: v})
	}
	b := &h.buckets[i]
	b.Count += n
	b.Min = min(b.Min, v)
	b.Max = max(b.Max, v)
	if h.count == 0 {
		h.min, h.max = v, v
	}
	h.min = min(h.min, v)
	h.max = max(h.max, v)
	h.count += n
	hi, lo := bits.Mul64(uint64(v), uint64(n))
	h.addSum(hi, lo)
}

func (h *Histogram) addSum(hi, lo uint64) {
	var carry uint64
	h.sumLo, carry = bits.Add64(h.sumLo, lo, 0)
	h.sumHi += hi + carry
}

// Merge adds every value of o to h, as if each had been added to h; o is
// unchanged (h.Merge(h) doubles h). A nil o adds nothing.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.count == 0 {
		return
	}
	sumHi, sumLo, count, lo, hi := o.sumHi, o.sumLo, o.count, o.min, o.max
	for i, n := 0, len(o.buckets); i < n; i++ {
		b := o.buckets[i]
		k := bucketKey(b.Min)
		j, ok := h.index[k]
		if !ok {
			if h.index == nil {
				h.index = make(map[int32]int32)
			}
			h.index[k] = int32(len(h.buckets))
			h.buckets = append(h.buckets, b)
			continue
		}
		c := &h.buckets[j]
		c.Count += b.Count
		c.Min = min(c.Min, b.Min)
		c.Max = max(c.Max, b.Max)
	}
	if h.count == 0 {
		h.min, h.max = lo, hi
	}
	h.min = min(h.min, lo)
	h.max = max(h.max, hi)
	h.count += count
	h.addSum(sumHi, sumLo)
}

// Count returns the number of values added.
func (h *Histogram) Count() int64 { return h.count }

// Sum returns the sum of the values in nanoseconds. The sum is kept exactly
// in 128 bits, so it never overflows; the result is that sum rounded to a
// float64 (exact below 2^53 ns, about 104 days).
func (h *Histogram) Sum() float64 { return float64(h.sumHi)*0x1p64 + float64(h.sumLo) }

// Mean returns the mean of the values in nanoseconds, from the exact sum:
// its only error is the float64 rounding. NaN when empty.
func (h *Histogram) Mean() float64 {
	if h.count == 0 {
		return math.NaN()
	}
	return h.Sum() / float64(h.count)
}

// Min returns the smallest value added, exactly; 0 when empty.
func (h *Histogram) Min() int64 { return h.min }

// Max returns the largest value added, exactly; 0 when empty.
func (h *Histogram) Max() int64 { return h.max }

// Buckets returns the non-empty buckets in ascending order of their values,
// whatever the order of the additions. Buckets never overlap: each one's Max
// is below the next one's Min. Cost: O(B log B) for B buckets.
func (h *Histogram) Buckets() []Bucket {
	bs := slices.Clone(h.buckets)
	slices.SortFunc(bs, func(a, b Bucket) int { return cmp.Compare(a.Min, b.Min) })
	return bs
}

// Quantile returns the empirical q-quantile in nanoseconds, as gonum's
// stat.Quantile with stat.Empirical defines it (Hyndman and Fan's type 1):
// the value of rank ceil(q·Count) in ascending order, the smallest x whose
// empirical CDF reaches q. Within a bucket holding several distinct values
// the ranks are interpolated linearly between the bucket's Min and Max, so
// the result lies in the same bucket as the true quantile and its error is
// below the bucket width: exact below 2048 ns, under 1/1024 of the true
// value above. It is exact whenever that bucket holds one distinct value,
// and for the first and last rank of any bucket (so Quantile(0) is Min and
// Quantile(1) is Max). NaN when h is empty or q is outside [0, 1].
// Cost: O(B log B).
func (h *Histogram) Quantile(q float64) float64 {
	if h.count == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	k := rank(q, h.count)
	var before int64
	for _, b := range h.Buckets() {
		if before+b.Count >= k {
			return interpolate(b, k-before)
		}
		before += b.Count
	}
	return float64(h.max) // unreachable: the counts sum to h.count
}

// rank returns the 1-based rank of the empirical q-quantile of n values:
// the smallest r with r >= q·n, computed in float64 as gonum does.
func rank(q float64, n int64) int64 {
	return min(max(int64(math.Ceil(q*float64(n))), 1), n)
}

// interpolate returns the value of rank r (1-based) among the bucket's
// values, spread evenly from its Min (rank 1) to its Max (rank Count).
func interpolate(b Bucket, r int64) float64 {
	lo, hi := float64(b.Min), float64(b.Max)
	if b.Min == b.Max || b.Count < 2 {
		return lo
	}
	// Above 2^53 the sum may round past Max.
	return min(lo+float64(b.Max-b.Min)*float64(r-1)/float64(b.Count-1), hi)
}

// CDF returns step points of the empirical CDF: one point per bucket, at
// the bucket's Max, with ps[i] the fraction of values <= xs[i]. Each point
// lies exactly on the empirical CDF; between points the CDF is only known
// to rise, within the next bucket (exactly at its one value when its Min ==
// Max). Plotted as a right-continuous staircase, the points are exact for
// simulated delays that take few distinct values. Nil when empty.
func (h *Histogram) CDF() (xs, ps []float64) {
	if h.count == 0 {
		return nil, nil
	}
	bs := h.Buckets()
	xs = make([]float64, len(bs))
	ps = make([]float64, len(bs))
	var cum int64
	for i, b := range bs {
		cum += b.Count
		xs[i] = float64(b.Max)
		ps[i] = float64(cum) / float64(h.count)
	}
	return xs, ps
}

// Bins returns n equal-width bins from Min to Max for drawing a histogram:
// n+1 edges in nanoseconds and n counts. A value v falls in bin i when
// edges[i] <= v < edges[i+1], and Max in the last bin. A bucket with one
// distinct value is placed exactly; one with Min < Max is placed whole at
// its midpoint, which misplaces values only when a bin is narrower than
// about 1/1024 of the values. When Min == Max, the bins span [Min, Min+1).
// Nil when empty or n < 1.
func (h *Histogram) Bins(n int) (edges, counts []float64) {
	if h.count == 0 || n < 1 {
		return nil, nil
	}
	lo, hi := float64(h.min), float64(h.max)
	if hi == lo {
		hi = lo + 1
	}
	width := (hi - lo) / float64(n)
	edges = make([]float64, n+1)
	for i := range edges {
		edges[i] = lo + float64(i)*width
	}
	edges[n] = hi
	counts = make([]float64, n)
	for _, b := range h.buckets {
		x := float64(b.Min)
		if b.Min != b.Max {
			x = float64(b.Min) + float64(b.Max-b.Min)/2
		}
		i := min(max(int((x-lo)/width), 0), n-1)
		// Division rounding may put x one bin off its edges.
		if x < edges[i] && i > 0 {
			i--
		} else if i+1 < n && x >= edges[i+1] {
			i++
		}
		counts[i] += float64(b.Count)
	}
	return edges, counts
}
