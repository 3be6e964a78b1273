package dialog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sipstack"
)

func TestMessageIDs(t *testing.T) {
	r := response(t, "SIP/2.0 200 OK", "To: <sip:bob@biloxi.example.com>;tag=b1")
	uac, err := UACID(r)
	require.NoError(t, err)
	assert.Equal(t, ID{"3848276298220188511@atlanta.example.com", "9fxced76sl", "b1"}, uac)
	uas, err := UASID(r)
	require.NoError(t, err)
	assert.Equal(t, ID{"3848276298220188511@atlanta.example.com", "b1", "9fxced76sl"}, uas)
	assert.Equal(t, "3848276298220188511@atlanta.example.com;local-tag=b1;remote-tag=9fxced76sl", uas.String())

	bad := []struct {
		name string
		m    sipstack.Message
	}{
		{"nil", nil},
		{"nil request", (*sipstack.Request)(nil)},
		{"nil response", (*sipstack.Response)(nil)},
	}
	for _, tt := range bad {
		_, err := UACID(tt.m)
		require.ErrorIs(t, err, ErrMalformed, tt.name)
		_, err = UASID(tt.m)
		require.ErrorIs(t, err, ErrMalformed, tt.name)
	}
	for _, name := range []string{"Call-ID", "From", "To"} {
		m := invite(t)
		m.Header.Del(name)
		_, err := UASID(m)
		require.ErrorIs(t, err, ErrMalformed, name)
	}
}

func TestIDCompare(t *testing.T) {
	tests := []struct {
		a, b ID
		want int
	}{
		{ID{"a", "x", "y"}, ID{"a", "x", "y"}, 0},
		{ID{"a", "x", "y"}, ID{"b", "a", "a"}, -1},
		{ID{"a", "y", "a"}, ID{"a", "x", "z"}, 1},
		{ID{"a", "x", "a"}, ID{"a", "x", "b"}, -1},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.a.Compare(tt.b), "%v vs %v", tt.a, tt.b)
	}
}

func TestTable(t *testing.T) {
	var table Table
	assert.Zero(t, table.Len())
	assert.Nil(t, table.Get(ID{}))
	assert.Empty(t, table.IDs())

	var ds []*Dialog
	for _, tag := range []string{"c", "a", "b"} {
		inv := invite(t)
		d, err := NewUAS(inv, answer(t, inv, 200, tag, "<sip:bob@c>"))
		require.NoError(t, err)
		require.NoError(t, table.Add(d))
		ds = append(ds, d)
	}
	require.ErrorIs(t, table.Add(ds[0]), ErrMismatch)
	require.ErrorIs(t, table.Add(nil), ErrMismatch)
	assert.Equal(t, 3, table.Len())
	var tags []string
	for _, id := range table.IDs() {
		tags = append(tags, id.LocalTag)
	}
	assert.Equal(t, []string{"a", "b", "c"}, tags, "IDs are sorted")

	// A request received in dialog "b".
	d, err := table.MatchRequest(inDialogTo(t, "b"))
	require.NoError(t, err)
	assert.Same(t, ds[2], d)
	// A request with an unknown To tag, or none.
	d, err = table.MatchRequest(inDialogTo(t, "zz"))
	require.NoError(t, err)
	assert.Nil(t, d)
	d, err = table.MatchRequest(invite(t))
	require.NoError(t, err)
	assert.Nil(t, d, "a request without To tag is outside any dialog")
	_, err = table.MatchRequest(nil)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = table.MatchResponse(nil)
	require.ErrorIs(t, err, ErrMalformed)
	broken := invite(t)
	broken.Header.Del("Call-ID")
	_, err = table.MatchRequest(broken)
	require.ErrorIs(t, err, ErrMalformed)

	assert.True(t, table.Remove(ds[1].ID()))
	assert.False(t, table.Remove(ds[1].ID()))
	assert.Equal(t, 2, table.Len())
}

// inDialogTo returns a request from Alice within the UAS dialog whose local
// tag is tag.
func inDialogTo(t testing.TB, tag string) *sipstack.Request {
	t.Helper()
	return inDialog(t, sipstack.BYE, 6, "To: <sip:bob@biloxi.example.com>;tag="+tag)
}
