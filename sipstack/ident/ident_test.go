package ident

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

// newGen returns a Generator on a PCG stream seeded with seed.
func newGen(t testing.TB, seed uint64, host string) *Generator {
	t.Helper()
	g, err := New(rand.New(rand.NewPCG(seed, 0x5eed)), host)
	require.NoError(t, err)
	return g
}

func TestNew(t *testing.T) {
	src := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		src  Source
		host string
		err  error
	}{
		{"hostname", src, "here.com", nil},
		{"no host", src, "", nil},
		{"IPv4", src, "192.0.2.4", nil},
		{"IPv6 reference", src, "[2001:db8::1]", nil},
		{"nil source", nil, "here.com", ErrNilSource},
		{"space in host", src, "here .com", ErrHost},
		{"at sign in host", src, "a@b", ErrHost},
		{"semicolon in host", src, "a;b", ErrHost},
		{"non-ASCII host", src, "h\xc3\xa9re.com", ErrHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.src, tt.host)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Nil(t, g)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.host, g.Host())
		})
	}
}

// TestGolden pins the identifiers of one seed. A change here changes every
// recorded run of the simulator, so it must be deliberate.
func TestGolden(t *testing.T) {
	g := newGen(t, 1, "here.com")
	got := []string{g.Branch(), g.Tag(), g.CallID()}
	want := []string{
		"z9hG4bK44p1bfbfbgooi",
		"4iqudl0v7sal6",
		"c9g10opg1un9e2f64tcbm4b0d0@here.com",
	}
	assert.Equal(t, want, got)
}

// TestSameSeedSameIDs checks reproducibility: two Generators on streams with
// the same seed give the same identifiers, and a different seed does not.
func TestSameSeedSameIDs(t *testing.T) {
	draw := func(seed uint64) []string {
		g := newGen(t, seed, "there.com")
		var out []string
		for range 50 {
			out = append(out, g.Branch(), g.Tag(), g.CallID())
		}
		return out
	}
	a, b, c := draw(7), draw(7), draw(8)
	assert.Equal(t, a, b, "same seed")
	for i := range a {
		assert.NotEqual(t, a[i], c[i], "different seeds, draw %d", i)
	}
}

// TestAppendMatchesString checks that the Append forms consume the stream
// exactly as the string forms do.
func TestAppendMatchesString(t *testing.T) {
	g1, g2 := newGen(t, 3, "h.example"), newGen(t, 3, "h.example")
	buf := []byte("prefix:")
	assert.Equal(t, "prefix:"+g1.Branch(), string(g2.AppendBranch(buf)))
	assert.Equal(t, "prefix:"+g1.Tag(), string(g2.AppendTag(buf)))
	assert.Equal(t, "prefix:"+g1.CallID(), string(g2.AppendCallID(buf)))
}

func isAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// TestWellFormed checks every identifier's shape, then that the SIP parser
// accepts it in the header it is meant for and reads it back unchanged.
func TestWellFormed(t *testing.T) {
	for _, host := range []string{"here.com", "", "[2001:db8::1]"} {
		g := newGen(t, 11, host)
		for range 200 {
			branch, tag, callID := g.Branch(), g.Tag(), g.CallID()

			require.Len(t, branch, BranchLen)
			require.True(t, strings.HasPrefix(branch, sipstack.BranchMagicCookie), branch)
			require.True(t, isAlphabet(branch[len(sipstack.BranchMagicCookie):]), branch)
			require.Len(t, tag, TagLen)
			require.True(t, isAlphabet(tag), tag)
			local, h, found := strings.Cut(callID, "@")
			require.Equal(t, host != "", found, callID)
			require.Equal(t, host, h)
			require.Len(t, local, CallIDLocalLen)
			require.True(t, isAlphabet(local), callID)

			msg := "OPTIONS sip:b@there.com SIP/2.0\r\n" +
				"Via: SIP/2.0/UDP here.com;branch=" + branch + "\r\n" +
				"From: <sip:a@here.com>;tag=" + tag + "\r\n" +
				"To: <sip:b@there.com>\r\n" +
				"Call-ID: " + callID + "\r\n" +
				"CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n"
			req, err := sipstack.ParseRequest([]byte(msg))
			require.NoError(t, err, msg)
			via, err := req.Header.Via()
			require.NoError(t, err)
			assert.Equal(t, branch, via.Branch())
			from, err := req.Header.From()
			require.NoError(t, err)
			assert.Equal(t, tag, from.Tag())
			assert.Equal(t, callID, req.Header.CallID())
		}
	}
}

// TestDistinct draws many identifiers of each kind from one stream and from
// streams of neighbouring seeds, and finds no repeat.
func TestDistinct(t *testing.T) {
	const n = 20000
	seen := make(map[string]bool, 4*n)
	for seed := uint64(1); seed <= 4; seed++ {
		g := newGen(t, seed, "here.com")
		for range n / 4 {
			for _, id := range []string{g.Branch(), g.Tag(), g.CallID()} {
				require.False(t, seen[id], "repeated identifier %q", id)
				seen[id] = true
			}
		}
	}
}

// TestUsesAllBits checks that every one of the 64 bits of a draw reaches the
// output: flipping any bit of the source value changes the tag.
func TestUsesAllBits(t *testing.T) {
	base := string(appendGroup(nil, 0x0123456789abcdef))
	for bit := range 64 {
		flipped := string(appendGroup(nil, 0x0123456789abcdef^(1<<bit)))
		assert.NotEqual(t, base, flipped, "bit %d", bit)
	}
	assert.Equal(t, "0000000000000", string(appendGroup(nil, 0)))
	assert.Equal(t, "fvvvvvvvvvvvv", string(appendGroup(nil, ^uint64(0))))
}

// constSource returns the same value on every call, counting the calls.
type constSource struct {
	v     uint64
	calls int
}

func (s *constSource) Uint64() uint64 { s.calls++; return s.v }

// TestDrawCounts checks how many values each identifier consumes: a node's
// later draws (link jitter, think times) depend on it.
func TestDrawCounts(t *testing.T) {
	src := &constSource{v: 42}
	g, err := New(src, "x")
	require.NoError(t, err)
	g.Branch()
	assert.Equal(t, 1, src.calls, "Branch")
	g.Tag()
	assert.Equal(t, 2, src.calls, "Tag")
	g.CallID()
	assert.Equal(t, 4, src.calls, "CallID")
}

func TestAllocs(t *testing.T) {
	g := newGen(t, 5, "proxy1.here.com")
	buf := make([]byte, 0, 128)
	var sink string // keeps the results on the heap, as a caller's would be
	tests := []struct {
		name string
		f    func()
		want float64
	}{
		{"Branch", func() { sink = g.Branch() }, 1},
		{"Tag", func() { sink = g.Tag() }, 1},
		{"CallID", func() { sink = g.CallID() }, 1},
		{"AppendBranch", func() { buf = g.AppendBranch(buf[:0]) }, 0},
		{"AppendTag", func() { buf = g.AppendTag(buf[:0]) }, 0},
		{"AppendCallID", func() { buf = g.AppendCallID(buf[:0]) }, 0},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got > tt.want {
			t.Errorf("%s: %v allocations per call, want at most %v", tt.name, got, tt.want)
		}
	}
	assert.Len(t, sink, len("z6bi7gvs2k1hkqtfdvj5ub6k9o@proxy1.here.com"))
}
