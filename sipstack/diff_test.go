package sipstack

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// diffSeeds returns the messages of testdata (benchmark messages, goldens,
// RFC 4475 torture messages) and the committed FuzzParseMessage corpus.
func diffSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(path, string(filepath.Separator)+"fuzz"+string(filepath.Separator)) {
			// go test fuzz v1, one []byte("...") line.
			for _, l := range strings.Split(string(data), "\n") {
				if q, ok := strings.CutPrefix(l, "[]byte("); ok {
					if s, err := strconv.Unquote(strings.TrimSuffix(q, ")")); err == nil {
						seeds = append(seeds, []byte(s))
					}
				}
			}
			return nil
		}
		if strings.HasSuffix(path, ".tsv") {
			return nil
		}
		seeds = append(seeds, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seeds = append(seeds, []byte(minimal+"\r\n"), []byte(minimal+"Content-Length: 3\r\n\r\nabcdef"))
	return seeds
}

// checkSameParse checks that parse and refParse, the parser before the
// fast path of headers, give the same verdict on data: the same error, or
// the same message down to the header's internal fields.
func checkSameParse(t testing.TB, data []byte) {
	t.Helper()
	for _, stream := range []bool{false, true} {
		m, err := parse(data, stream)
		rm, rerr := refParse(data, stream)
		if !reflect.DeepEqual(err, rerr) {
			t.Fatalf("stream %v: errors differ on %q:\n new %#v\n ref %#v", stream, data, err, rerr)
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(m, rm) {
			t.Fatalf("stream %v: messages differ on %q:\n new %#v\n ref %#v", stream, data, m, rm)
		}
		if a, b := m.AppendTo(nil), rm.AppendTo(nil); !bytes.Equal(a, b) {
			t.Fatalf("stream %v: serializations differ on %q:\n new %q\n ref %q", stream, data, a, b)
		}
	}
}

// diffMutations are the octets that TestParseDiffMutations inserts and
// substitutes: the ones the grammar gives a meaning to, and a plain one.
const diffMutations = " \t\r\n:;,=\"<>[]@/\\x0*.%?\x00\x80"

var diffFull = flag.Bool("difffull", false, "TestParseDiffMutations: edit every position of every seed")

// TestParseDiffMutations compares ParseMessage with the reference parser
// on the seeds and on messages one edit away from them: an octet deleted,
// or one of diffMutations inserted or substituted, at positions of the
// header section (every position with -difffull, about 60 per seed
// otherwise, none with -short).
func TestParseDiffMutations(t *testing.T) {
	seeds := diffSeeds(t)
	n := 0
	for k, s := range seeds {
		checkSameParse(t, s)
		n++
		if testing.Short() {
			continue
		}
		end := bytes.Index(s, []byte("\r\n\r\n"))
		if end < 0 {
			end = len(s)
		}
		end = min(end+4, len(s))
		buf := make([]byte, 0, len(s)+1)
		step := 1
		if !*diffFull {
			step = 1 + end/60
		}
		for i := k % step; i <= end; i += step {
			if i < len(s) {
				buf = append(append(buf[:0], s[:i]...), s[i+1:]...)
				checkSameParse(t, buf)
				n++
			}
			for _, c := range []byte(diffMutations) {
				buf = append(append(append(buf[:0], s[:i]...), c), s[i:]...)
				checkSameParse(t, buf)
				if i < len(s) {
					buf = append(append(append(buf[:0], s[:i]...), c), s[i+1:]...)
					checkSameParse(t, buf)
				}
				n += 2
			}
		}
	}
	t.Logf("%d seeds, %d messages", len(seeds), n)
}

// FuzzParseDiff compares ParseMessage with the reference parser on
// arbitrary input, seeded with diffSeeds.
func FuzzParseDiff(f *testing.F) {
	for _, s := range diffSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > MaxMessageSize {
			return
		}
		checkSameParse(t, data)
	})
}
