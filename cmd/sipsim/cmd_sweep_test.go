package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sweepArgs is a small sweep: 2 x 2 points, 3 replications of 30 calls.
func sweepArgs(dir string, workers string) []string {
	return []string{"sweep", "direct", "--vary", "loss=0:0.2:0.2", "--vary", "transport=udp,tcp",
		"--reps", "3", "--calls", "30", "--seed", "7", "--workers", workers,
		"--out", filepath.Join(dir, "sweep.csv"), "--per-rep", filepath.Join(dir, "reps.csv"),
		"--dist", filepath.Join(dir, "dist.csv")}
}

func readAll(t *testing.T, dir string, names ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		require.NoError(t, err)
		out[n] = string(b)
	}
	return out
}

// TestSweepGolden pins the summary and per-replication tables of a small
// sweep at a fixed seed, and checks that --workers 1 and --workers 4 give
// the same bytes.
func TestSweepGolden(t *testing.T) {
	one, four := t.TempDir(), t.TempDir()
	stdout, stderr, code := runInProcess("", sweepArgs(one, "1")...)
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, stdout)
	assert.Empty(t, stderr, "no progress bar off a terminal")
	_, stderr, code = runInProcess("", sweepArgs(four, "4")...)
	require.Equal(t, 0, code, stderr)

	files := []string{"sweep.csv", "reps.csv", "dist.csv"}
	a, b := readAll(t, one, files...), readAll(t, four, files...)
	assert.Equal(t, a, b, "--workers 1 and --workers 4 differ")
	checkGolden(t, "sweep-direct.golden.csv", []byte(a["sweep.csv"]))
	checkGolden(t, "sweep-direct-reps.golden.csv", []byte(a["reps.csv"]))

	var meta map[string]any
	side, err := os.ReadFile(filepath.Join(one, "sweep.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(side, &meta))
	assert.Equal(t, "direct", meta["topology"])
	assert.Equal(t, float64(7), meta["seed"])
	assert.Equal(t, float64(4), meta["points"])
	assert.Equal(t, version, meta["version"])
	assert.NotEmpty(t, meta["command_line"])
}

func TestSweepPlots(t *testing.T) {
	dir := t.TempDir()
	args := append(sweepArgs(dir, "2"), "--plot", filepath.Join(dir, "mean.png"), "--cdf", filepath.Join(dir, "cdf.svg"))
	_, stderr, code := runInProcess("", args...)
	require.Equal(t, 0, code, stderr)
	f, err := os.Open(filepath.Join(dir, "mean.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 1600, img.Bounds().Dx())
	svg, err := os.ReadFile(filepath.Join(dir, "cdf.svg"))
	require.NoError(t, err)
	assert.Contains(t, string(svg), "<svg")
	assert.Greater(t, len(svg), 5000)

	// sipsim plot redraws the same figure from the table.
	_, stderr, code = runInProcess("", "plot", filepath.Join(dir, "sweep.csv"), "--x", "loss", "--y", "retransmissions_per_call",
		"--series", "transport", "-o", filepath.Join(dir, "rtx.pdf"))
	require.Equal(t, 0, code, stderr)
}

func TestSweepBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "s.csv")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"direct", "--vary", "loss=0,0.1"}, "sipsim: sweep: --out FILE.csv is required"},
		{[]string{"direct", "--out", out}, "sipsim: sweep: give at least one --vary NAME=VALUES"},
		{[]string{"direct", "--vary", "colour=red", "--out", out}, `sipsim: sweep: --vary colour=red: unknown parameter "colour" (want one of loss, delay, jitter, bandwidth, transport, t1, rate)`},
		{[]string{"direct", "--vary", "loss=0:0.3", "--out", out}, `sipsim: sweep: --vary loss=0:0.3: "0:0.3" is not a range (want FROM:TO:STEP)`},
		{[]string{"direct", "--vary", "loss=0.3:0:0.1", "--out", out}, "sipsim: sweep: --vary loss=0.3:0:0.1: range 0.3:0:0.1: want FROM <= TO and STEP > 0"},
		{[]string{"direct", "--vary", "loss=0,2", "--out", out}, "sipsim: sweep: --vary loss=0,2: 2 is not a probability"},
		{[]string{"direct", "--vary", "transport=udp,sctp", "--out", out}, `sipsim: sweep: --vary transport=udp,sctp: "sctp" is not a transport (want udp or tcp)`},
		{[]string{"direct", "--vary", "loss=0", "--vary", "loss=0.1", "--out", out}, "sipsim: sweep: --vary loss=0.1: loss is already varied"},
		{[]string{"direct", "--vary", "loss=0", "--reps", "0", "--out", out}, "sipsim: sweep: --reps: 0 is not a positive number of replications"},
		{[]string{"direct", "--vary", "loss=0", "--out", filepath.Join(dir, "s.txt")}, "sipsim: sweep: --out: " + filepath.Join(dir, "s.txt") + ": want a file name ending in .csv"},
		{[]string{"direct", "--vary", "loss=0", "--out", out, "--plot", filepath.Join(dir, "p.gif")}, "sipsim: sweep: --plot: " + filepath.Join(dir, "p.gif") + ": want a file name ending in .png, .svg or .pdf"},
		{[]string{"nowhere", "--vary", "loss=0", "--out", out}, `sipsim: unknown topology "nowhere"`},
	} {
		stdout, stderr, code := runBin(t, "", append([]string{"sweep"}, tc.args...)...)
		assert.Equal(t, 2, code, "%v", tc.args)
		assert.Empty(t, stdout)
		assert.True(t, strings.HasPrefix(stderr, tc.want), "%v:\n got %q\nwant %q", tc.args, stderr, tc.want)
		assert.NotContains(t, stderr, "goroutine", "no stack trace")
	}
}
