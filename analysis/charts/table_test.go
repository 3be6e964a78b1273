package charts

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadTable(t *testing.T) {
	tab, err := ReadTable(strings.NewReader("\ufeffloss,transport,setup_mean_s\n0.05,udp,0.12\n0.1,tcp,\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"loss", "transport", "setup_mean_s"}, tab.Header)
	require.Len(t, tab.Rows, 2)
	c, ok := tab.Column("setup_mean_s")
	require.True(t, ok)
	assert.Equal(t, 2, c)
	_, ok = tab.Column("nope")
	assert.False(t, ok)

	v, ok := tab.Float(0, 0)
	assert.True(t, ok)
	assert.Equal(t, 0.05, v)
	_, ok = tab.Float(0, 1) // "udp"
	assert.False(t, ok)
	_, ok = tab.Float(1, 2) // empty: undefined
	assert.False(t, ok)
	assert.Equal(t, "tcp", tab.Cell(1, 1))
	assert.Equal(t, 3, tab.Line(1))
}

func TestReadTableErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "line 1: no header row (empty file)"},
		{"a,,c\n", "line 1, column 2: empty column name"},
		{"a,b,a\n", `line 1, column 3: duplicate column name "a" (also column 1)`},
		{"a,b\n1,2\n3\n", "line 3: wrong number of cells (the header has a different count)"},
		{"a,b\n1,\"2\n", `line 2, byte 6: extraneous or missing " in quoted-field`},
	} {
		_, err := ReadTable(strings.NewReader(tc.in))
		if assert.Error(t, err, "%q", tc.in) {
			assert.Equal(t, tc.want, err.Error(), "%q", tc.in)
		}
	}
}

func TestNumberErrorNamesLineAndColumn(t *testing.T) {
	tab, err := ReadTable(strings.NewReader("loss,setup_mean_s\n0,0.1\n0.1,fast\n"))
	require.NoError(t, err)
	_, err = Metric(tab, "loss", "setup_mean_s", nil, Options{})
	require.Error(t, err)
	assert.Equal(t, `line 3, column setup_mean_s: "fast" is not a number`, err.Error())
}
