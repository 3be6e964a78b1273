package analysis_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
	"github.com/sipsim/sipsim/sim"
)

// FuzzReadRecords checks that any input either fails to read or gives
// records that write and read back unchanged, and whose ladder draws
// without failing.
func FuzzReadRecords(f *testing.F) {
	// The first lines of the golden traces: whole traces make each
	// execution of the coverage-guided fuzzer far slower.
	for _, name := range []string{"seed.jsonl", "lossy.jsonl"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(f, err)
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 6)], nil))
	}
	f.Add([]byte(`{"event":"send","from":"a","to":"a"}` + "\n" + `{"event":"drop","id":9,"from":"b","to":"a","hop":"b->a"}`))
	f.Add([]byte(`{"event":"send","id":1,"from":"a","to":"b"}` + "\n" + `{"event":"drop","id":1,"hop":"x->y"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := analysis.ReadRecords(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		for i := range recs {
			buf.Write(append(analysis.AppendJSON(nil, &recs[i]), '\n'))
		}
		again, err := analysis.ReadRecords(&buf)
		require.NoError(t, err)
		assert.Equal(t, recs, again)
		l := analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"a", "b"}, Timers: true, Decisions: true})
		require.NoError(t, l.WriteText(io.Discard))
	})
}

// BenchmarkTraceWriter measures the cost of one SIP send event: parse the
// payload, digest it for retransmission detection, encode the line.
func BenchmarkTraceWriter(b *testing.B) {
	tw := analysis.NewTraceWriter(io.Discard, anNames)
	e := sim.Event{Kind: sim.KindSend, ID: 1, Src: anA, Dst: anB, Size: len(anInvite), Label: "INVITE", Payload: []byte(anInvite)}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Time = sim.Time(i)
		tw.Event(&e)
	}
}
