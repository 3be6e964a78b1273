package charts

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// A Table is a CSV file read by [ReadTable]: a header row naming the columns,
// then rows of string cells. Cells are kept as read; [Table.Float] reads one
// as a number.
type Table struct {
	// Header holds the column names, in file order, each one distinct.
	Header []string
	// Rows holds the data rows; every row has len(Header) cells.
	Rows [][]string
	// lines holds the file line where each row starts, for error messages.
	lines []int
}

// ReadTable reads a CSV table with a header row from r. Every row must have
// as many cells as the header, and the column names must be distinct and
// non-empty. A UTF-8 byte order mark before the header is ignored. Errors
// name the line (and, where it applies, the column) of the problem.
func ReadTable(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("line 1: no header row (empty file)")
	}
	if err != nil {
		return nil, csvError(err)
	}
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	seen := make(map[string]int, len(header))
	for i, name := range header {
		if name == "" {
			return nil, fmt.Errorf("line 1, column %d: empty column name", i+1)
		}
		if j, ok := seen[name]; ok {
			return nil, fmt.Errorf("line 1, column %d: duplicate column name %q (also column %d)", i+1, name, j+1)
		}
		seen[name] = i
	}
	t := &Table{Header: header}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		t.Rows = append(t.Rows, rec)
		t.lines = append(t.lines, line)
	}
	return t, nil
}

// csvError rewords an error of encoding/csv as "line N, byte M: what".
func csvError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return fmt.Errorf("line %d: wrong number of cells (the header has a different count)", pe.Line)
	}
	return fmt.Errorf("line %d, byte %d: %v", pe.Line, pe.Column, pe.Err)
}

// Column returns the index of the column called name, and whether there is
// one.
func (t *Table) Column(name string) (int, bool) {
	for i, h := range t.Header {
		if h == name {
			return i, true
		}
	}
	return 0, false
}

// Cell returns the text of the cell at row and column col.
func (t *Table) Cell(row, col int) string { return t.Rows[row][col] }

// Float returns the cell at row and column col as a number, and false when
// the cell is empty (an undefined value) or is not a finite number.
func (t *Table) Float(row, col int) (float64, bool) {
	s := strings.TrimSpace(t.Rows[row][col])
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// Line returns the file line where row starts (the header is line 1).
func (t *Table) Line(row int) int {
	if row < len(t.lines) {
		return t.lines[row]
	}
	return row + 2
}

// lookup is Column for a name the caller requires: its error names the
// columns there are.
func (t *Table) lookup(name string) (int, error) {
	if i, ok := t.Column(name); ok {
		return i, nil
	}
	return 0, fmt.Errorf("unknown column %q (columns: %s)", name, strings.Join(t.Header, ", "))
}

// number reads the cell at row and column col as a number: ok is false for
// an empty cell, and err says which line and column hold a cell that is
// neither empty nor a number.
func (t *Table) number(row, col int) (v float64, ok bool, err error) {
	if v, ok := t.Float(row, col); ok {
		return v, true, nil
	}
	if strings.TrimSpace(t.Rows[row][col]) == "" {
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("line %d, column %s: %q is not a number", t.Line(row), t.Header[col], t.Rows[row][col])
}
