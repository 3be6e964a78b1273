package sim

import "math/rand/v2"

// Stream is one consumer's random stream: a PCG generator whose state derives
// from the run seed and the stream's name alone. Adding a node or a link to a
// topology therefore never changes the draws of the others.
type Stream struct {
	*rand.Rand
	name string
}

// Name returns the name the stream was derived from.
func (r *Stream) Name() string { return r.name }

// NewStream returns the stream named name under seed. Equal (seed, name)
// pairs give equal streams; the mapping mixes both through FNV-1a and
// SplitMix64 so that names differing in one byte give unrelated streams.
// Cost: O(len(name)), plus the allocation of the generator.
func NewStream(seed uint64, name string) *Stream {
	h := uint64(14695981039346656037) // FNV-1a offset basis
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	a := splitmix64(seed ^ splitmix64(h))
	b := splitmix64(a ^ h)
	return &Stream{Rand: rand.New(rand.NewPCG(a, b)), name: name}
}

// Stream returns the random stream of the named consumer under the
// simulator's seed. Each call returns a fresh stream at its start: a consumer
// asks once and keeps it. Cost: O(len(name)), plus the allocation of the generator.
func (s *Simulator) Stream(name string) *Stream { return NewStream(s.seed, name) }

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
