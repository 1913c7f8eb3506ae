package evidence

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
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
//
// Rows are split in place, in the reader's buffer, without copying: a field
// is valid only during the call of fn (Get clones what it returns). A row
// with quotes is read as RFC 4180 says (quoted fields may hold the
// delimiter, doubled quotes and line breaks); a quote inside an unquoted
// field is taken as it is.
func (c *CSVReader) Each(fn func(CSVRow) error) error {
	if b, _ := c.br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		c.br.Discard(3)
	}
	s := csvScanner{br: c.br, comma: byte(c.Comma)}
	if c.Comma >= 0x80 {
		return &ParseError{File: c.file, Message: "invalid CSV: the delimiter must be an ASCII character"}
	}
	header, err := s.next()
	if errors.Is(err, io.EOF) {
		return &ParseError{File: c.file, Message: "the file is empty; expected a header row"}
	}
	if err != nil {
		return csvError(c.file, err, s.start)
	}
	columns := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.ToLower(strings.Trim(strings.TrimSpace(h), `"`))
		if _, dup := columns[h]; !dup {
			columns[strings.Clone(h)] = i
		}
	}
	width := len(header)
	for rec := 1; ; rec++ {
		fields, err := s.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(c.file, err, s.start)
		}
		if len(fields) != width {
			return &ParseError{File: c.file, Line: s.line, Column: 1, Byte: s.start + 1,
				Message: "invalid CSV: wrong number of fields; expected as many as the header row"}
		}
		row := CSVRow{Line: s.line, Record: rec, fields: fields, columns: columns}
		if err := fn(row); err != nil {
			pe := &ParseError{File: c.file, Line: s.line, Byte: s.start + 1, Record: rec, Message: err.Error(), Err: err}
			var fe *FieldError
			if errors.As(err, &fe) {
				pe.Field, pe.Message = fe.Field, fe.Message
			}
			return pe
		}
	}
}

// csvScanner splits CSV records out of a buffered reader.
type csvScanner struct {
	br    *bufio.Reader
	comma byte
	// line and start are the 1-based line and 0-based byte offset of the
	// record last read; offset and lines count what has been consumed.
	line, lines int
	start       int64
	offset      int64
	fields      []string
	rec, quoted []byte
}

// next returns the fields of the next record that is not a blank line,
// valid until the following call.
func (s *csvScanner) next() ([]string, error) {
	for {
		s.start, s.line = s.offset, s.lines+1
		line, err := s.readLine()
		if len(line) == 0 && err != nil {
			return nil, err
		}
		if len(trimEOL(line)) == 0 {
			continue
		}
		if bytes.IndexByte(line, '"') < 0 {
			return s.split(trimEOL(line)), nil
		}
		// A record with quotes: whole once no quoted field is left open.
		s.rec = append(s.rec[:0], line...)
		for openQuote(s.rec, s.comma) {
			if len(s.rec) > MaxValue {
				return nil, &SizeError{What: "CSV record", Offset: s.start}
			}
			more, err := s.readLine()
			if err != nil && len(more) == 0 {
				break
			}
			s.rec = append(s.rec, more...)
			if err != nil {
				break
			}
		}
		return s.splitQuoted(trimEOL(s.rec))
	}
}

// readLine returns the next line with its line break; err is io.EOF at the
// end (with the last line, if it has no line break).
func (s *csvScanner) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(long) > MaxValue {
				return nil, &SizeError{What: "CSV record", Offset: s.offset}
			}
			line, err = s.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	s.offset += int64(len(line))
	if len(line) > 0 && line[len(line)-1] == '\n' {
		s.lines++
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return line, err
	}
	return line, err
}

// openQuote reports whether rec ends inside a quoted field (one that starts
// with a quote); a quote inside an unquoted field is a plain character.
func openQuote(rec []byte, comma byte) bool {
	in, start := false, true
	for i := 0; i < len(rec); i++ {
		c := rec[i]
		switch {
		case in:
			if c == '"' {
				if i+1 < len(rec) && rec[i+1] == '"' {
					i++
					continue
				}
				in = false
			}
		case c == '"' && start:
			in, start = true, false
		default:
			start = c == comma || c == '\n'
		}
	}
	return in
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// split splits a line without quotes at the delimiter, in place.
func (s *csvScanner) split(line []byte) []string {
	s.fields = s.fields[:0]
	for {
		i := bytes.IndexByte(line, s.comma)
		if i < 0 {
			s.fields = append(s.fields, view(line))
			return s.fields
		}
		s.fields = append(s.fields, view(line[:i]))
		line = line[i+1:]
	}
}

// splitQuoted splits a record with quotes: a field that starts with a quote
// runs to the matching quote, doubled quotes inside standing for one.
func (s *csvScanner) splitQuoted(rec []byte) ([]string, error) {
	s.fields = s.fields[:0]
	s.quoted = s.quoted[:0]
	for {
		if len(rec) == 0 || rec[0] != '"' {
			i := bytes.IndexByte(rec, s.comma)
			if i < 0 {
				s.fields = append(s.fields, string(rec))
				return s.fields, nil
			}
			s.fields = append(s.fields, string(rec[:i]))
			rec = rec[i+1:]
			continue
		}
		rec = rec[1:]
		var field []byte
		for {
			i := bytes.IndexByte(rec, '"')
			if i < 0 { // unterminated: the rest of the file
				field = append(field, rec...)
				rec = nil
				break
			}
			field = append(field, rec[:i]...)
			rec = rec[i+1:]
			if len(rec) > 0 && rec[0] == '"' {
				field = append(field, '"')
				rec = rec[1:]
				continue
			}
			break
		}
		// Text after the closing quote belongs to the field (lazy quotes).
		i := bytes.IndexByte(rec, s.comma)
		if i < 0 {
			field = append(field, rec...)
			s.fields = append(s.fields, string(field))
			return s.fields, nil
		}
		field = append(field, rec[:i]...)
		s.fields = append(s.fields, string(field))
		rec = rec[i+1:]
	}
}

// view is the bytes of b as a string without copying: valid while b is.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func csvError(file string, err error, start int64) error {
	if _, ok := errors.AsType[*SourceError](err); ok {
		return JSONError(file, start, 0, err)
	}
	if _, ok := errors.AsType[*SizeError](err); ok {
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
