package analysis_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/analysis"
)

// anSeedAddresses are the addresses of anSeedColumns' nodes.
var anSeedAddresses = []string{"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.3.1", "10.0.2.2", "10.0.2.1"}

// anUML returns the PlantUML and Mermaid ladders of l.
func anUML(t *testing.T, l *analysis.Ladder) (puml, mmd string) {
	t.Helper()
	var p, m bytes.Buffer
	require.NoError(t, l.WritePlantUML(&p))
	require.NoError(t, l.WriteMermaid(&m))
	return p.String(), m.String()
}

// anReadTrace reads the records of testdata/name.
func anReadTrace(t *testing.T, name string) []analysis.Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	recs, err := analysis.ReadRecords(bytes.NewReader(data))
	require.NoError(t, err)
	return recs
}

// TestUMLGolden compares the PlantUML and Mermaid ladders of the seed
// (numbered, with every note), lossy and timeout runs with their golden
// files.
func TestUMLGolden(t *testing.T) {
	timeout, _ := anRunSeed(t, 59, 0.2)
	timeoutRecs, err := analysis.ReadRecords(bytes.NewReader(timeout))
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		recs []analysis.Record
		opts analysis.LadderOptions
	}{
		{"seed", anReadTrace(t, "seed.jsonl"), analysis.LadderOptions{Timers: true, Decisions: true, Numbered: true}},
		{"lossy", anReadTrace(t, "lossy.jsonl"), analysis.LadderOptions{Timers: true}},
		{"timeout", timeoutRecs, analysis.LadderOptions{Timers: true}},
	} {
		tt.opts.Columns, tt.opts.Addresses = anSeedColumns, anSeedAddresses
		puml, mmd := anUML(t, analysis.NewLadder(tt.recs, tt.opts))
		anGolden(t, tt.name+".puml", []byte(puml))
		anGolden(t, tt.name+".mmd", []byte(mmd))
	}
}

// TestUMLShapes draws each kind of row once, as TestLadderShapes does, and
// checks the PlantUML and Mermaid lines of each.
func TestUMLShapes(t *testing.T) {
	recs := []analysis.Record{
		{TimeNs: 0, Event: "send", ID: 1, From: "a", To: "b", Method: "INVITE"},
		{TimeNs: 2_000_000, Event: "send", ID: 2, From: "c", To: "a", Method: "INVITE", Status: 302, Reason: "Moved Temporarily"},
		{TimeNs: 2_500_000, Event: "timer", Node: "c", Label: "timeout", Detail: "transaction 3: B"},
		{TimeNs: 3_000_000, Event: "send", ID: 3, From: "a", To: "c", Method: "ACK", Retransmission: true},
		{TimeNs: 3_000_000, Event: "drop", ID: 3, From: "a", To: "c", Method: "ACK", Reason: "loss", Hop: "a->b"},
		{TimeNs: 4_000_000, Event: "send", ID: 4, From: "a", To: "c", Method: "BYE"},
		{TimeNs: 4_500_000, Event: "drop", ID: 4, From: "a", To: "c", Method: "BYE", Reason: "queue-overflow", Hop: "b->c"},
		{TimeNs: 5_000_000, Event: "drop", ID: 5, From: "c", To: "a", Method: "BYE", Status: 200, Reason: "host-down"},
		{TimeNs: 6_000_000, Event: "send", ID: 6, From: "b", To: "b", Method: "OPTIONS"},
		{TimeNs: 7_000_000, Event: "decision", Node: "b", Label: "route", Detail: "to c"},
		{TimeNs: 2_008_000_000, Event: "send", ID: 7, From: "b", To: "a", Method: "OPTIONS", Status: 200, Reason: "OK", Retransmission: true},
	}
	l := analysis.NewLadder(recs, analysis.LadderOptions{Columns: []string{"a", "b", "c"}, Addresses: []string{"10.0.0.1"}, Timers: true, Decisions: true})
	puml, mmd := anUML(t, l)
	for _, want := range []string{
		"@startuml\n",
		"participant \"a\\n10.0.0.1\" as a\n",
		"participant \"b\" as b\n",
		"a -> b : [0.000 ms] INVITE\n",
		"c -> a : [2.000 ms] 302 Moved Temporarily\n",
		"note over c #FFE8C0 : [2.500 ms] timeout: transaction 3: B\n",
		"a -[#CC0000]->x b : [3.000 ms] ACK for c (retransmission, lost: loss)\n",
		"a -[#CC0000]>x c : [4.000 ms] BYE (lost: queue-overflow)\n",
		"c -[#CC0000]>x c : [5.000 ms] 200 OK for a (lost: host-down)\n",
		"b -> b : [6.000 ms] OPTIONS\n",
		"note over b : [7.000 ms] route: to c\n",
		"... 2001 ms ...\nb -[#1F5FBF]-> a : [2008.000 ms] 200 OK (retransmission)\n",
		"legend right\n",
		"endlegend\n@enduml\n",
	} {
		assert.Contains(t, puml, want)
	}
	for _, want := range []string{
		"sequenceDiagram\n",
		"    participant a as a<br/>10.0.0.1\n",
		"    participant c as c\n",
		"    a->>b: [0.000 ms] INVITE\n",
		"    Note over c: [2.500 ms] timeout: transaction 3: B\n",
		"    a--xb: [3.000 ms] ACK for c (retransmission, lost: loss)\n",
		"    a-xc: [4.000 ms] BYE (lost: queue-overflow)\n",
		"    c-xc: [5.000 ms] 200 OK for a (lost: host-down)\n",
		"    b->>b: [6.000 ms] OPTIONS\n",
		"    b-->>a: [2008.000 ms] 200 OK (retransmission)\n",
	} {
		assert.Contains(t, mmd, want)
	}
	assert.NotContains(t, mmd, "...", "Mermaid has no delays")
}

// TestUMLEscape checks that names and texts that mean something to
// PlantUML or Mermaid are shown as written: keywords and odd names get
// aliases, markup and statement separators become character references.
func TestUMLEscape(t *testing.T) {
	recs := []analysis.Record{
		{Event: "send", ID: 1, From: "end", To: "b-2", Method: "INVITE"},
		{Event: "decision", Node: "end", Label: "route", Detail: `a;b #1 "q" <b>x</b> **y** // \n ~z & w` + "\nline"},
	}
	l := analysis.NewLadder(recs, analysis.LadderOptions{Decisions: true})
	puml, mmd := anUML(t, l)
	assert.Contains(t, puml, `participant "end" as n1`+"\n")
	assert.Contains(t, puml, `participant "b-2" as n2`+"\n")
	assert.Contains(t, puml, "n1 -> n2 : [0.000 ms] INVITE\n")
	assert.Contains(t, puml, `note over n1 : [0.000 ms] route: a;b #1 &#34;q&#34; &#60;b>x&#60;/b> *&#42;y*&#42; /&#47; &#92;n &#126;z &#38; w\nline`+"\n")
	assert.Contains(t, mmd, "    participant n1 as end\n")
	assert.Contains(t, mmd, "    n1->>n2: [0.000 ms] INVITE\n")
	assert.Contains(t, mmd, `    Note over n1: [0.000 ms] route: a#59;b #35;1 #quot;q#quot; #lt;b#gt;x#lt;/b#gt; **y** // \n ~z #amp; w<br/>line`+"\n")
	for _, out := range []string{puml, mmd} {
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			assert.NotEmpty(t, line, "no blank line: every line is a statement")
		}
	}
}
