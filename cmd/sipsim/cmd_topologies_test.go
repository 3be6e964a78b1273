package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/topologies"
)

func TestTopologiesList(t *testing.T) {
	stdout, stderr, code := runInProcess("", "topologies")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, len(topologies.Builtins()))
	for i, name := range topologies.Builtins() {
		d, err := topologies.BuiltinDescription(name)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(lines[i], name+" "), lines[i])
		assert.True(t, strings.HasSuffix(lines[i], "  "+d), lines[i])
	}
}

func TestTopologyShowRoundTripsThroughValidateAndRun(t *testing.T) {
	stdout, stderr, code := runInProcess("", "topology", "show", "here-there")
	require.Equal(t, 0, code, stderr)
	want, err := topologies.Builtin("here-there")
	require.NoError(t, err)
	assert.Equal(t, string(want), stdout)

	path := filepath.Join(t.TempDir(), "my.yaml")
	require.NoError(t, os.WriteFile(path, []byte(stdout), 0o644))
	out, stderr, code := runBin(t, "", "validate", path)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, path+": ok\n", out)

	// The copy runs like the built-in.
	fromFile, _, code := runInProcess("", "run", path)
	require.Equal(t, 0, code)
	builtin, _, _ := runInProcess("", "run")
	assert.Equal(t, builtin, fromFile)
}

func TestTopologyShowErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"topology", "show", "nope"}, `sipsim: unknown topology "nope" (built-ins: direct, forking, here-there, loop, rfc3665-2.1, rfc3665-3.1, rfc3665-3.10, rfc3665-3.11, rfc3665-3.2, rfc3665-3.4, rfc3665-3.6, rfc3665-3.8, rfc3665-3.9, stateful-hop, stateless-hop, voicemail; a file name must end in .yaml or .yml)` + "\n"},
		{[]string{"topology"}, "sipsim: topology: usage: sipsim topology show NAME\nRun 'sipsim help' for usage.\n"},
		{[]string{"topologies", "extra"}, "sipsim: topologies: takes no argument\nRun 'sipsim help' for usage.\n"},
	} {
		stdout, stderr, code := runBin(t, "", tc.args...)
		assert.Equal(t, 2, code, "%q", tc.args)
		assert.Empty(t, stdout)
		assert.Equal(t, tc.want, stderr, "%q", tc.args)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	data, err := topologies.Builtin("here-there")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(good, data, 0o644))
	require.NoError(t, os.WriteFile(bad, []byte(`name: broken
nodes:
  - name: a
    kind: ua
    address: 10.0.0.1
    aor: sip:a@here.com
  - name: b
    kind: ua
    address: 10.0.0.1
    aor: sip:b@here.com
links:
  - between: [a, b]
    delay: 10ms
    loss: 1.5
`), 0o644))

	stdout, stderr, code := runBin(t, "", "validate", good)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, good+": ok\n", stdout)

	stdout, stderr, code = runBin(t, "", "validate", good, bad)
	assert.Equal(t, 2, code)
	assert.Equal(t, good+": ok\n", stdout)
	assert.Equal(t, bad+":9: nodes[1].address: duplicate address 10.0.0.1 (node a, line 3)\n"+
		bad+":14: links[0].loss: 1.5 is not a probability\n", stderr)

	_, stderr, code = runBin(t, "", "validate")
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(stderr, "sipsim: validate: no FILE given\n"), stderr)

	_, stderr, code = runBin(t, "", "validate", filepath.Join(dir, "missing.yaml"))
	assert.Equal(t, 2, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.True(t, strings.HasPrefix(stderr, "sipsim: open "), stderr)
}
