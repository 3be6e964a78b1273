package main

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// runInProcess runs the command line in this process with the given stdin.
func runInProcess(stdin string, args ...string) (string, string, int) {
	var stdout, stderr bytes.Buffer
	code := run(args, &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr})
	return stdout.String(), stderr.String(), code
}

// tortureDir holds the RFC 4475 messages and their index, as the sipstack
// tests use them.
const tortureDir = "../../sipstack/testdata/rfc4475"

// TestParseTortureVerdicts checks that `sipsim parse` gives, for each RFC
// 4475 message, the verdict of the library and the one RFC 4475 expects
// (liberal acceptance being allowed where index.tsv says so).
func TestParseTortureVerdicts(t *testing.T) {
	f, err := os.Open(filepath.Join(tortureDir, "index.tsv"))
	require.NoError(t, err)
	defer f.Close()
	liberal := map[string]bool{"lwsstart": true, "trws": true, "escruri": true, "baddate": true,
		"ltgtruri": true, "quotbal": true, "badaspec": true, "baddn": true}
	sc := bufio.NewScanner(f)
	sc.Scan() // column names
	n := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		require.GreaterOrEqual(t, len(cols), 4)
		file, expect := cols[0], cols[3]
		path := filepath.Join(tortureDir, file)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		_, libErr := sipstack.ParseMessage(data)
		stdout, stderr, code := runInProcess("", "parse", path)
		if libErr == nil {
			assert.Equal(t, 0, code, "%s: library accepts, CLI exit %d: %s", file, code, stderr)
			assert.NotEmpty(t, stdout, file)
		} else {
			assert.Equal(t, 1, code, "%s: library rejects, CLI exit", file)
			assert.Equal(t, path+": error: "+describeParseError(libErr)+"\n", stderr, file)
			assert.Empty(t, stdout, file)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".sip")
		switch {
		case expect == "accept":
			assert.Equal(t, 0, code, "%s must be accepted", file)
		case expect == "reject" && !liberal[name]:
			assert.Equal(t, 1, code, "%s must be rejected", file)
		}
		n++
	}
	require.NoError(t, sc.Err())
	assert.Equal(t, 50, n, "index.tsv rows")
}

const goodOptions = "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n" +
	"v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n" +
	"f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
	"t: <sip:bob@biloxi.example.com>\r\n" +
	"i: a84b4c76e66710\r\n" +
	"CSeq: 63104 OPTIONS\r\n" +
	"Max-Forwards: 70\r\n" +
	"X-Unknown: kept as is\r\n" +
	"Content-Length: 0\r\n" +
	"\r\n"

// TestParseCanonicalGolden checks the canonical form written for a message
// with compact header names and an unknown header.
func TestParseCanonicalGolden(t *testing.T) {
	stdout, stderr, code := runInProcess(goodOptions, "parse", "-")
	require.Equal(t, 0, code, stderr)
	golden := filepath.Join("testdata", "parse-options.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(stdout), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create the golden file")
	assert.Equal(t, string(want), stdout)
	// The canonical form parses to itself.
	again, _, code := runInProcess(stdout, "parse", "-")
	assert.Equal(t, 0, code)
	assert.Equal(t, stdout, again)
}

func TestParseStream(t *testing.T) {
	bad := strings.Replace(goodOptions, "CSeq: 63104 OPTIONS", "CSeq: 63104 INVITE", 1)
	tests := []struct {
		name       string
		input      string
		wantMsgs   int
		wantErrors []string
		wantCode   int
	}{
		{"two messages with keep-alives", "\r\n" + goodOptions + "\r\n\r\n" + goodOptions, 2, nil, 0},
		{"bad message in the middle is reported, the next one still read",
			goodOptions + bad + goodOptions, 2,
			[]string{"-: error: message 2: line 6: CSeq: method \"INVITE\" differs from request method \"OPTIONS\""}, 1},
		{"truncated last message", goodOptions + goodOptions[:40], 1,
			[]string{"-: error: message 2: stream ends inside a message (40 octets left)"}, 1},
		{"framing error stops the stream",
			goodOptions + strings.Replace(goodOptions, "Content-Length: 0", "Content-Length: -5", 1) + goodOptions, 1,
			nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runInProcess(tt.input, "parse", "--stream", "-")
			assert.Equal(t, tt.wantCode, code, stderr)
			assert.Equal(t, tt.wantMsgs, strings.Count(stdout, "OPTIONS sip:"), stdout)
			for _, w := range tt.wantErrors {
				assert.Contains(t, stderr, w)
			}
			if tt.wantCode != 0 {
				assert.NotEmpty(t, stderr)
				for _, line := range strings.Split(strings.TrimSuffix(stderr, "\n"), "\n") {
					assert.True(t, strings.HasPrefix(line, "-: error: "), "line %q", line)
				}
			}
		})
	}
}

// A datagram that holds a message followed by stray octets (RFC 4475
// 3.1.1.8) parses as the message alone; the same bytes as a stream give
// a second, malformed message.
func TestParseDatagramIgnoresTrailingOctets(t *testing.T) {
	in := goodOptions + "garbage"
	stdout, _, code := runInProcess(in, "parse", "-")
	assert.Equal(t, 0, code)
	assert.NotContains(t, stdout, "garbage")
}

func TestParseUnreadableFileExits2AndKeepsOtherResults(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sip")
	require.NoError(t, os.WriteFile(good, []byte(goodOptions), 0o644))
	missing := filepath.Join(dir, "missing.sip")
	stdout, stderr, code := runBin(t, "", "parse", missing, good)
	assert.Equal(t, 2, code)
	assert.Equal(t, missing+": error: no such file or directory\n", stderr)
	assert.Contains(t, stdout, "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n", "the good file is still printed")
}

func TestParseBinaryExitStatus(t *testing.T) {
	_, stderr, code := runBin(t, strings.Replace(goodOptions, "SIP/2.0\r\n", "SIP/7.0\r\n", 1), "parse", "-")
	assert.Equal(t, 1, code)
	assert.Equal(t, "-: error: line 1: SIP-Version \"SIP/7.0\" is not SIP/2.0\n", stderr)
	_, stderr, code = runBin(t, "", "parse")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "sipsim: parse: no FILE given")
}

func TestHelpParse(t *testing.T) {
	out, _, code := runBin(t, "", "help", "parse")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Usage: sipsim parse [flags] FILE...")
	assert.Contains(t, out, "--stream")
	out2, _, code := runBin(t, "", "parse", "--help")
	assert.Equal(t, 0, code)
	assert.Equal(t, out, out2)
}
