// Package ident draws the identifiers of RFC 3261 from a caller's seeded
// random stream: Via branch parameters (RFC 3261 8.1.1.7), From and To tags
// (RFC 3261 19.3) and Call-IDs (RFC 3261 8.1.1.4).
//
// The RFC asks for cryptographically random identifiers so that they are
// unique over space and time. A simulator wants the opposite property as
// well: the same seed must give the same run, byte for byte. Both hold when
// every node draws its identifiers from its own stream, derived from the
// run's seed and the node's name, with enough bits that two draws never
// collide in practice. A [Generator] therefore takes its randomness from a
// [Source] the caller owns (a math/rand/v2 *rand.Rand, or the simulator's
// per-node stream) and never from a global or operating-system source.
//
// Identifiers are written in a 32-character alphabet of digits and
// lower-case letters, which are token characters (RFC 3261 25.1) that no
// case folding can change: an element that compares tags or branches
// ignoring case still sees them as distinct.
package ident
