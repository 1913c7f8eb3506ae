package evidence

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSVRow is one data row of a CSV file with a header row.
type CSVRow struct {
	// Line is the 1-based line the row starts on; Record its 1-based index
	// among the data rows.
	Line, Record int
	fields       []string
	columns      map[string]int
}

// Get returns the value of the first of the named columns the file has
// (names are matched without regard to case), and whether one was present.
func (r CSVRow) Get(names ...string) (string, bool) {
	for _, n := range names {
		if i, ok := r.columns[strings.ToLower(n)]; ok && i < len(r.fields) {
			return strings.TrimSpace(r.fields[i]), true
		}
	}
	return "", false
}

// Value is Get without the presence flag.
func (r CSVRow) Value(names ...string) string {
	v, _ := r.Get(names...)
	return v
}

// CSVHeader returns the column names of the first line of data, split at
// the delimiter among ';' and ',' that the line uses most, and that delimiter.
func CSVHeader(data []byte) (columns []string, comma rune) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	line = bytes.TrimRight(line, "\r")
	comma = ','
	if bytes.Count(line, []byte{';'}) > bytes.Count(line, []byte{','}) {
		comma = ';'
	}
	for _, c := range strings.Split(string(line), string(comma)) {
		columns = append(columns, strings.Trim(strings.TrimSpace(c), `"`))
	}
	return columns, comma
}

// HasColumns reports whether columns holds every one of names, without regard to case.
func HasColumns(columns []string, names ...string) bool {
	for _, n := range names {
		found := false
		for _, c := range columns {
			if strings.EqualFold(c, n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// EachCSVRow reads data as CSV with a header row, split at comma, and calls
// fn for every data row. Every row must have as many fields as the header;
// a malformed row is an error naming the file and line. An error fn returns
// is located at the row.
func EachCSVRow(file string, data []byte, comma rune, fn func(CSVRow) error) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	r.LazyQuotes = true
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &ParseError{File: file, Message: "the file is empty; expected a header row"}
	}
	if err != nil {
		return csvError(file, err)
	}
	columns := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))
		if _, dup := columns[h]; !dup {
			columns[h] = i
		}
	}
	for rec := 1; ; rec++ {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(file, err)
		}
		line, _ := r.FieldPos(0)
		row := CSVRow{Line: line, Record: rec, fields: fields, columns: columns}
		if err := fn(row); err != nil {
			pe := &ParseError{File: file, Line: line, Record: rec, Message: err.Error(), Err: err}
			var fe *FieldError
			if errors.As(err, &fe) {
				pe.Field, pe.Message = fe.Field, fe.Message
			}
			return pe
		}
	}
}

func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "wrong number of fields; expected as many as the header row"
		}
		return &ParseError{File: file, Line: pe.Line, Column: pe.Column, Message: "invalid CSV: " + msg, Err: err}
	}
	return &ParseError{File: file, Message: fmt.Sprintf("invalid CSV: %v", err), Err: err}
}
