package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), string(got))
}

// TestRunCallsOutGolden pins the per-call table of a lossy run: 20 calls
// on direct with 20% loss, where retransmissions and set-up delays of
// one, two and more INVITE transmissions show.
func TestRunCallsOutGolden(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "calls.csv")
	jsonPath := filepath.Join(dir, "calls.JSONL")
	_, stderr, code := runInProcess("", "run", "direct", "--calls", "20", "--loss", "0.2", "--seed", "3", "--quiet", "--calls-out", csvPath)
	require.Equal(t, 0, code, stderr)
	got, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	checkGolden(t, "calls-direct-loss.golden.csv", got)

	_, stderr, code = runInProcess("", "run", "direct", "--calls", "20", "--loss", "0.2", "--seed", "3", "--quiet", "--calls-out", jsonPath)
	require.Equal(t, 0, code, stderr)
	f, err := os.Open(jsonPath)
	require.NoError(t, err)
	defer f.Close()
	rows := strings.Split(strings.TrimSpace(string(got)), "\n")
	header := strings.Split(rows[0], ",")
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var obj map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &obj), sc.Text())
		assert.Len(t, obj, len(header))
		n++
		// The same row as the CSV's, cell by cell.
		cells := strings.Split(rows[n], ",")
		for i, col := range header {
			v := obj[col]
			switch {
			case v == nil:
				assert.Empty(t, cells[i], col)
			default:
				assert.Equal(t, cells[i], strings.Trim(mustJSON(t, v), `"`), col)
			}
		}
	}
	assert.Equal(t, 20, n)
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestRunCallsOutBadNameExits2(t *testing.T) {
	stdout, stderr, code := runBin(t, "", "run", "--calls-out", filepath.Join(t.TempDir(), "calls.txt"))
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, "sipsim: run: --calls-out: "), stderr)
	assert.True(t, strings.HasSuffix(stderr, "calls.txt: want a file name ending in .csv or .jsonl\n"), stderr)
	assert.Equal(t, 1, strings.Count(stderr, "\n"))
}

// TestRunLadderFormats writes the reference scenario's ladder in every
// format --ladder knows and checks each is what its extension says.
func TestRunLadderFormats(t *testing.T) {
	dir := t.TempDir()
	text, _, code := runInProcess("", "run")
	require.Equal(t, 0, code)
	for ext, check := range map[string]func(b []byte){
		".txt":  func(b []byte) { assert.True(t, strings.HasPrefix(text, string(b)), "the ladder run prints") },
		".puml": func(b []byte) { assert.True(t, strings.HasPrefix(string(b), "@startuml\n")) },
		".mmd":  func(b []byte) { assert.True(t, strings.HasPrefix(string(b), "sequenceDiagram\n")) },
		".svg":  func(b []byte) { assert.Contains(t, string(b), "<svg") },
		".png": func(b []byte) {
			img, err := png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Greater(t, img.Bounds().Dx(), 800)
			assert.Greater(t, img.Bounds().Dy(), 1000)
		},
	} {
		path := filepath.Join(dir, "ladder"+ext)
		_, stderr, code := runInProcess("", "run", "--ladder", path)
		require.Equal(t, 0, code, stderr)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NotEmpty(t, b, ext)
		check(b)
	}
	_, stderr, code := runInProcess("", "run", "--ladder", filepath.Join(dir, "ladder.doc"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "want a file name ending in .txt, .svg, .png, .puml, .mmd\n")
}
