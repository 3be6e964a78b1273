package diagram

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
)

// TestLayoutFits checks the layout of the golden runs, numbered and with
// every note: lifelines left to right, rows top to bottom without
// sharing a line, every arrow's label within its arrow with room to spare,
// every note box inside the picture.
func TestLayoutFits(t *testing.T) {
	for _, name := range []string{"seed.jsonl", "lossy.jsonl"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", name))
		require.NoError(t, err)
		recs, err := analysis.ReadRecords(bytes.NewReader(data))
		require.NoError(t, err)
		l := analysis.NewLadder(recs, analysis.LadderOptions{
			Columns: []string{"user1", "proxy1", "redirect", "stateless", "proxy2", "user2"},
			Timers:  true, Decisions: true, Numbered: true,
		})
		d := Draw(l, Options{})
		fs := d.fs
		for i := 1; i < len(d.pos); i++ {
			assert.GreaterOrEqual(t, d.pos[i]-d.pos[i-1], minGap*fs, "%s: gap %d", name, i)
			assert.GreaterOrEqual(t, d.pos[i]-d.pos[i-1], (d.headW[i]+d.headW[i-1])/2+fs, "%s: headers %d and %d apart", name, i-1, i)
		}
		for i := range d.rows {
			r := &d.rows[i]
			if i > 0 {
				assert.GreaterOrEqual(t, d.y[i]-d.y[i-1], 1.5*fs, "%s: row %d below row %d", name, i, i-1)
			}
			switch r.Kind {
			case analysis.RowMessage:
				end := r.To
				if r.Lost {
					end = r.LostAt
				}
				if end == r.From {
					continue
				}
				span := d.pos[max(r.From, end)] - d.pos[min(r.From, end)]
				assert.GreaterOrEqual(t, span, width(d.label, messageLabel(r))+2*labelMargin*fs, "%s: row %d %q fits its arrow", name, i, r.Label())
			case analysis.RowNote:
				x := d.noteX[i]
				assert.Greater(t, x, d.timeRight, "%s: note %d right of the times", name, i)
				assert.LessOrEqual(t, x+width(d.label, r.Text), d.w, "%s: note %d inside", name, i)
			}
		}
		assert.Greater(t, d.lifeEnd, d.y[len(d.y)-1])
		assert.Greater(t, d.h, d.lifeEnd)
	}
}
