package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sipsimBin is the sipsim binary built once by TestMain, so that end-to-end
// tests see exactly what a user sees: real exit statuses, real streams.
var sipsimBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sipsim-e2e")
	if err != nil {
		panic(err)
	}
	sipsimBin = filepath.Join(dir, "sipsim")
	out, err := exec.Command("go", "build", "-o", sipsimBin, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBin runs the built binary with args and stdin, returning its stdout,
// stderr and exit status.
func runBin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(sipsimBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "running sipsim: %v", err)
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}

func TestVersion(t *testing.T) {
	out, _, code := runBin(t, "", "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "sipsim "+version+"\n", out)
}

func TestHelpListsEveryCommand(t *testing.T) {
	out, _, code := runBin(t, "", "help")
	require.Equal(t, 0, code)
	for name, c := range commands {
		assert.Contains(t, out, name, "help must list %s", name)
		assert.Contains(t, out, c.summary)
	}
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"no-such-command"},
		{"help", "no-such-command"},
		{"parse", "--no-such-flag"},
	} {
		_, stderr, code := runBin(t, "", args...)
		assert.Equal(t, 2, code, "sipsim %q: exit status", args)
		assert.NotContains(t, stderr, "panic", "sipsim %q", args)
		assert.NotContains(t, stderr, "goroutine", "sipsim %q", args)
		if len(args) > 0 {
			assert.True(t, strings.HasPrefix(stderr, "sipsim: "), "sipsim %q: stderr %q", args, stderr)
		}
	}
}
