package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDurationCutsTheRun(t *testing.T) {
	full, stderr, code := runInProcess("", "run", "--calls", "20", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, full, "cut at:")

	stdout, stderr, code := runInProcess("", "run", "--calls", "20", "--rate", "1/s", "--duration", "5s", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "virtual time:   5.000 s\n")
	assert.Contains(t, stdout, "calls:          6 attempted, 3 answered (0 completed), 0 failed, 0 cancelled, 0 timed out\n")
	assert.Contains(t, stdout, "cut at:         5s (--duration): 6 calls in progress\n")

	// A bound past the end of the run changes nothing but the cut line
	// and the virtual time.
	long, stderr, code := runInProcess("", "run", "--calls", "20", "--duration", "1h", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, long, "calls:          20 attempted, 20 answered (20 completed)")
	assert.Contains(t, long, "cut at:         1h0m0s (--duration): 0 calls in progress\n")
}

func TestRunDurationBadValueExits2(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"0", "sipsim: run: --duration: 0 is not a positive duration"},
		{"0s", "sipsim: run: --duration: 0s is not a positive duration"},
		{"-1s", "sipsim: run: --duration: -1s is negative"},
		{"abc", `sipsim: run: --duration: "abc" is not a duration (want such as 50ms, 1.5s, 2m)`},
	} {
		stdout, stderr, code := runBin(t, "", "run", "--duration", tc.arg)
		assert.Equal(t, 2, code, tc.arg)
		assert.Empty(t, stdout, tc.arg)
		assert.Equal(t, tc.want+"\n", stderr, tc.arg)
	}
}

// withPings returns a here-there file whose workload also has pings.
func withPings(t *testing.T, pings string) string {
	return writeTopology(t, "pings.yaml", func(s string) string {
		require.True(t, strings.HasSuffix(s, "      hold-time: 5s\n"))
		return s + "  pings:\n" + pings
	})
}

func TestRunPings(t *testing.T) {
	// user1 pings its proxy (which answers OPTIONS to itself) and user2
	// through the proxies.
	path := withPings(t, "    - {from: user1, to: sip:10.0.1.2, every: 1s, count: 3}\n"+
		"    - {from: user1, to: sip:user2@there.com, every: 2s, start: 1s, count: 2}\n")
	stdout, stderr, code := runInProcess("", "run", path, "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "calls:          1 attempted, 1 answered (1 completed)")
	assert.Contains(t, stdout, "pings:          5 sent, 5 answered 200, 0 failed\n")

	// Without a count, the pings need --duration.
	unbounded := withPings(t, "    - {from: user1, to: sip:10.0.1.2, every: 1s}\n")
	data, err := readLines(unbounded)
	require.NoError(t, err)
	line := 0
	for i, l := range data {
		if strings.Contains(l, "every: 1s}") {
			line = i + 1
		}
	}
	stdout, stderr, code = runBin(t, "", "run", unbounded)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, unbounded+":"+strconv.Itoa(line)+
		": workload.pings[0]: needs a count or a run duration (--duration), or it never ends\n", stderr)

	stdout, stderr, code = runInProcess("", "run", unbounded, "--duration", "10s", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "pings:          10 sent, 10 answered 200, 0 failed\n")
	assert.Contains(t, stdout, "cut at:         10s (--duration): 0 calls in progress\n")
}

func readLines(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(data), "\n"), nil
}
