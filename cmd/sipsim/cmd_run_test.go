package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/topologies"
)

// TestRunDefaultGolden checks the ladder and summary of `sipsim run`: the
// reference scenario with seed 1, its 28 messages from INVITE F1 to the
// BYE's 200 OK F28.
func TestRunDefaultGolden(t *testing.T) {
	stdout, stderr, code := runInProcess("", "run")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stderr)
	golden := filepath.Join("testdata", "run-here-there.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(stdout), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), stdout)
	for _, s := range []string{"INVITE F1", "302 Moved Temporarily F4", "ACK F20", "BYE F23", "200 OK F28",
		"1 attempted, 1 answered (1 completed), 0 failed", "seed:           1", "datagrams lost: 0"} {
		assert.Contains(t, stdout, s)
	}
	assert.NotContains(t, stdout, "F29")
	// Naming the built-in gives the same run.
	named, _, _ := runInProcess("", "run", "here-there")
	assert.Equal(t, stdout, named)
}

func TestRunTraceStdoutIsJSONL(t *testing.T) {
	stdout, stderr, code := runInProcess("", "run", "--trace", "-")
	require.Equal(t, 0, code, stderr)
	recs, err := analysis.ReadRecords(strings.NewReader(stdout))
	require.NoError(t, err)
	sends := 0
	for _, r := range recs {
		if r.Event == analysis.EventSend {
			sends++
		}
	}
	assert.Equal(t, 28, sends)
	// The ladder and summary went to standard error.
	assert.Contains(t, stderr, "INVITE F1")
	assert.Contains(t, stderr, "seed:")
}

func TestRunTraceFileAndLadderFile(t *testing.T) {
	dir := t.TempDir()
	trace, ladder := filepath.Join(dir, "t.jsonl"), filepath.Join(dir, "l.txt")
	stdout, stderr, code := runInProcess("", "run", "--trace", trace, "--ladder", ladder)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "INVITE F1")
	assert.Contains(t, stdout, "seed:")
	f, err := os.Open(trace)
	require.NoError(t, err)
	defer f.Close()
	recs, err := analysis.ReadRecords(f)
	require.NoError(t, err)
	assert.NotEmpty(t, recs)
	l, err := os.ReadFile(ladder)
	require.NoError(t, err)
	assert.Contains(t, string(l), "200 OK F28")
}

// withoutSeed returns the output of run without its summary's seed line.
func withoutSeed(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "seed:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

func TestRunSeed(t *testing.T) {
	// Without loss the seed only changes the random identifiers, not the
	// flow, the timing or the counts.
	a, _, _ := runInProcess("", "run", "--seed", "1")
	b, _, code := runInProcess("", "run", "--seed", "2")
	require.Equal(t, 0, code)
	assert.Contains(t, b, "seed:           2\n")
	assert.Equal(t, withoutSeed(a), withoutSeed(b))
	// With loss two seeds differ, and the same seed twice is identical.
	l1, _, _ := runInProcess("", "run", "--loss", "0.2", "--seed", "1", "--trace", "-")
	l2, _, _ := runInProcess("", "run", "--loss", "0.2", "--seed", "2", "--trace", "-")
	l1again, _, _ := runInProcess("", "run", "--loss", "20%", "--seed", "1", "--trace", "-")
	assert.NotEqual(t, l1, l2)
	assert.Equal(t, l1, l1again)
	assert.Contains(t, l1, `"event":"drop"`)
}

func TestRunCalls(t *testing.T) {
	stdout, stderr, code := runInProcess("", "run", "--calls", "20")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "calls:          20 attempted, 20 answered (20 completed), 0 failed, 0 cancelled, 0 timed out\n")
	assert.Contains(t, stdout, "set-up delay:   mean 2100.0 ms, max 2100.0 ms (20 answered calls)\n")
	// 560 messages: too many for a ladder on standard output.
	assert.Contains(t, stdout, "ladder of 560 messages not shown")
	assert.NotContains(t, stdout, "INVITE F1")

	quiet, _, code := runInProcess("", "run", "--calls", "3", "--quiet")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(quiet, "topology:"), quiet)
	assert.Contains(t, quiet, "3 attempted, 3 answered")
}

func TestRunTransportTCP(t *testing.T) {
	stdout, stderr, code := runInProcess("", "run", "--transport", "tcp", "--trace", "-")
	require.Equal(t, 0, code, stderr)
	recs, err := analysis.ReadRecords(strings.NewReader(stdout))
	require.NoError(t, err)
	sends := 0
	for _, r := range recs {
		if r.Event == analysis.EventSend {
			sends++
			assert.Equal(t, "TCP", r.Transport, "%+v", r)
		}
	}
	assert.Positive(t, sends)
	assert.Contains(t, stderr, "1 attempted, 1 answered (1 completed)")
}

func TestRunOverrides(t *testing.T) {
	stdout, stderr, code := runInProcess("", "run", "--delay", "20ms", "--quiet")
	require.Equal(t, 0, code, stderr)
	// Ten hops of 20 ms instead of 10 ms around the 2 s of ringing.
	assert.Contains(t, stdout, "mean 2200.0 ms")
	stdout, stderr, code = runInProcess("", "run", "--jitter", "5ms", "--t1", "1s", "--quiet")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "1 answered")
}

// writeTopology writes the here-there YAML changed by edit to a file of
// t.TempDir().
func writeTopology(t *testing.T, name string, edit func(string) string) string {
	t.Helper()
	data, err := topologies.Builtin("here-there")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(edit(string(data))), 0o644))
	return path
}

func TestRunBadInputExits2(t *testing.T) {
	unknownKey := writeTopology(t, "unknown-key.yaml", func(s string) string {
		return strings.Replace(s, "name: here-there\n", "name: here-there\ncolour: blue\n", 1)
	})
	badLoss := writeTopology(t, "bad-loss.yaml", func(s string) string {
		return strings.Replace(s, "    delay: 10ms\n", "    delay: 10ms\n    loss: 1.5\n", 1)
	})
	lineOf := func(path, text string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for i, l := range strings.Split(string(data), "\n") {
			if l == text {
				return path + ":" + strconv.Itoa(i+1)
			}
		}
		t.Fatalf("%s: no line %q", path, text)
		return ""
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "nope"}, `sipsim: unknown topology "nope" (built-ins: direct, forking, here-there, loop, rfc3665-2.1, rfc3665-3.1, rfc3665-3.10, rfc3665-3.11, rfc3665-3.2, rfc3665-3.4, rfc3665-3.6, rfc3665-3.8, rfc3665-3.9, stateful-hop, stateless-hop, voicemail; a file name must end in .yaml or .yml)`},
		{[]string{"run", "--loss", "1.5"}, "sipsim: run: --loss: 1.5 is not a probability"},
		{[]string{"run", "--transport", "smoke"}, `sipsim: run: --transport: "smoke" is not a transport (want udp or tcp)`},
		{[]string{"run", "--calls", "0"}, "sipsim: run: --calls: 0 is not a positive number of calls"},
		{[]string{"run", unknownKey}, lineOf(unknownKey, "colour: blue") +
			": colour: unknown field (want one of: name, description, defaults, tcp, nodes, links, dns, locations, workload, faults)"},
		{[]string{"run", badLoss}, lineOf(badLoss, "    loss: 1.5") + ": links[0].loss: 1.5 is not a probability"},
		{[]string{"run", filepath.Join(t.TempDir(), "missing.yaml")}, ""},
	} {
		stdout, stderr, code := runBin(t, "", tc.args...)
		assert.Equal(t, 2, code, "%q", tc.args)
		assert.Empty(t, stdout, "%q", tc.args)
		assert.NotContains(t, stderr, "panic")
		if tc.want != "" {
			assert.Equal(t, tc.want+"\n", stderr, "%q", tc.args)
		} else {
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "%q: %q", tc.args, stderr)
			assert.True(t, strings.HasPrefix(stderr, "sipsim: "), stderr)
		}
	}
}
