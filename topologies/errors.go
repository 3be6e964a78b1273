package topologies

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one mistake in a topology file: where it is and what is wrong,
// printed on one line as "file:line: field: message", such as
//
//	here-there.yaml:14: links[2].loss: 1.5 is not a probability
type Error struct {
	// File is the name of the topology file as given to [Parse].
	File string
	// Line is the 1-based line of the offending value (0 when unknown).
	Line int
	// Field is the path of the offending field, such as "links[2].loss";
	// empty for an error of the file as a whole (a YAML syntax error).
	Field string
	// Msg says what is wrong and, where it helps, what was expected.
	Msg string
}

// Error returns the one-line form "file:line: field: message".
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every mistake found in a topology file, sorted by line. Its
// Error method prints them one per line.
type Errors []Error

// Error returns the errors, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// sort orders es by line, keeping the order of discovery within a line.
func (es Errors) sort() {
	slices.SortStableFunc(es, func(a, b Error) int { return cmp.Compare(a.Line, b.Line) })
}
