package evidence

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSVRow is one data row of a CSV file with a header row. Its values are
// valid only during the call that receives it: the reader reuses its memory
// for the next row (Get clones what it returns).
type CSVRow struct {
	// Line is the 1-based line the row starts on; Record its 1-based index
	// among the data rows.
	Line, Record int
	fields       []string
	columns      map[string]int
}

// Get returns the value of the first of the named columns the file has
// (names are matched without regard to case), and whether one was present.
// The value is a copy, safe to keep.
func (r CSVRow) Get(names ...string) (string, bool) {
	for _, n := range names {
		if i, ok := r.columns[strings.ToLower(n)]; ok && i < len(r.fields) {
			return strings.Clone(strings.TrimSpace(r.fields[i])), true
		}
	}
	return "", false
}

// Value is Get without the presence flag.
func (r CSVRow) Value(names ...string) string {
	v, _ := r.Get(names...)
	return v
}

// Column returns the index of the first of the named columns the file has,
// or -1; Field returns the value at such an index without copying it.
func (r CSVRow) Column(names ...string) int {
	for _, n := range names {
		if i, ok := r.columns[strings.ToLower(n)]; ok {
			return i
		}
	}
	return -1
}

// Field returns the value of the column at index i (from Column), trimmed,
// without copying it: valid only during the call that received the row.
func (r CSVRow) Field(i int) string {
	if i < 0 || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
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

// CSVReader is a CSV file with a header row, read as a stream.
type CSVReader struct {
	file    string
	br      *bufio.Reader
	Columns []string
	Comma   rune
}

// NewCSVReader reads the header line of r (from its first bytes, without
// consuming them) for its columns and delimiter.
func NewCSVReader(file string, r io.Reader) (*CSVReader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	// The header line, within the buffer.
	var head []byte
	for n := 4096; ; n *= 2 {
		b, err := br.Peek(min(n, br.Size()))
		head = b
		if bytes.IndexByte(b, '\n') >= 0 || err != nil || n >= br.Size() {
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
				return nil, JSONError(file, 0, 0, err)
			}
			break
		}
	}
	cols, comma := CSVHeader(head)
	return &CSVReader{file: file, br: br, Columns: cols, Comma: comma}, nil
}

// Each calls fn for every data row. Every row must have as many fields as
// the header; a malformed row is an error naming the file, line and byte. An
// error fn returns is located at the row.
func (c *CSVReader) Each(fn func(CSVRow) error) error {
	if b, _ := c.br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		c.br.Discard(3)
	}
	r := csv.NewReader(c.br)
	r.Comma = c.Comma
	r.LazyQuotes = true
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return &ParseError{File: c.file, Message: "the file is empty; expected a header row"}
	}
	if err != nil {
		return csvError(c.file, err, r.InputOffset())
	}
	columns := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))
		if _, dup := columns[h]; !dup {
			columns[h] = i
		}
	}
	for rec := 1; ; rec++ {
		start := r.InputOffset()
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(c.file, err, start)
		}
		line, _ := r.FieldPos(0)
		row := CSVRow{Line: line, Record: rec, fields: fields, columns: columns}
		if err := fn(row); err != nil {
			pe := &ParseError{File: c.file, Line: line, Byte: start + 1, Record: rec, Message: err.Error(), Err: err}
			var fe *FieldError
			if errors.As(err, &fe) {
				pe.Field, pe.Message = fe.Field, fe.Message
			}
			return pe
		}
	}
}

func csvError(file string, err error, start int64) error {
	if _, ok := errors.AsType[*SourceError](err); ok {
		return JSONError(file, start, 0, err)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "wrong number of fields; expected as many as the header row"
		}
		return &ParseError{File: file, Line: pe.Line, Column: pe.Column, Byte: start + 1, Message: "invalid CSV: " + msg, Err: err}
	}
	return &ParseError{File: file, Byte: start + 1, Message: fmt.Sprintf("invalid CSV: %v", err), Err: err}
}

// Locate sets the line and column of a ParseError that names only its
// byte, counting them in the content read again from r (the whole content
// from its first byte). Other errors are left as they are.
func Locate(err error, r io.Reader) {
	pe, ok := errors.AsType[*ParseError](err)
	if !ok || pe.Byte <= 0 || pe.Line > 0 {
		return
	}
	br := bufio.NewReaderSize(r, 64<<10)
	line, col := 1, 1
	for off := int64(1); off < pe.Byte; off++ {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		if b == '\n' {
			line, col = line+1, 1
		} else if b < 0x80 || b >= 0xc0 {
			col++
		}
	}
	pe.Line, pe.Column = line, col
}
