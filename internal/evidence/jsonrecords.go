package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// RecordFunc handles one record of a scanner file: its 1-based index and its
// raw JSON. An error it returns is located at the record: a
// *json.UnmarshalTypeError gets the line and field, a *FieldError the field.
type RecordFunc func(record int, raw json.RawMessage) error

// FieldError is what a RecordFunc returns for a record whose field is
// missing or wrong; the caller adds the file, line and record.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Position returns the 1-based line and column of a byte offset in data.
func Position(data []byte, offset int64) (line, column int) {
	if offset < 0 {
		offset = 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = 1 + bytes.Count(before, []byte{'\n'})
	column = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, column
}

// JSONError turns an error of encoding/json met in data, in the value that
// starts at offset base, into a ParseError naming the file, line, column and
// record (0 when none). data must be the whole of one JSON document: the
// place of a syntax error is found again in it.
func JSONError(file string, data []byte, base int64, record int, err error) error {
	err = absolute(data, err)
	pe := &ParseError{File: file, Record: record, Err: err}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var fe *FieldError
	switch {
	case errors.As(err, &se):
		// The offset of a syntax error counts the byte at fault.
		off := max(se.Offset-1, 0)
		pe.Line, pe.Column = Position(data, off)
		pe.Message = "invalid JSON: " + syntaxMessage(se.Error(), data, off)
	case errors.As(err, &te):
		// A type error is met after reading Offset bytes: point at the
		// last byte of the value at fault.
		pe.Line, pe.Column = Position(data, base+max(te.Offset-1, 0))
		pe.Field = te.Field
		pe.Message = fmt.Sprintf("expected %s, found a JSON %s", kindName(te.Type.Kind().String()), te.Value)
	case errors.As(err, &fe):
		pe.Line, pe.Column = Position(data, base)
		pe.Field = fe.Field
		pe.Message = fe.Message
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		pe.Line, pe.Column = Position(data, int64(len(data)))
		pe.Message = "invalid JSON: the file ends in the middle of a value"
	default:
		pe.Line, pe.Column = Position(data, base)
		pe.Message = err.Error()
	}
	return pe
}

// absolute returns a syntax error of a json.Decoder with its offset counted
// from the start of data, found again by checking the whole of data (the
// decoder counts from a point of its own). Other errors are returned as they are.
func absolute(data []byte, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return err
	}
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); errors.As(err, &se) {
		return se
	}
	return err
}

// syntaxMessage names a non-ASCII character at fault by its code point:
// encoding/json quotes only its first byte.
func syntaxMessage(msg string, data []byte, off int64) string {
	if off >= int64(len(data)) || data[off] < utf8.RuneSelf {
		return msg
	}
	r, _ := utf8.DecodeRune(data[off:])
	return strings.Replace(msg, "'"+string(rune(data[off]))+"'", fmt.Sprintf("%U", r), 1)
}

// kindName says what a Go kind holds, with its article.
func kindName(k string) string {
	switch k {
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	}
	return "a " + k
}

// EachJSONRecord calls fn for every element of the JSON list in data. When
// keys are given, the list may also sit under one of those keys of a
// top-level object (ASFF's {"Findings": [...]}); other keys are skipped.
// Invalid JSON, a top level of another shape and data after the list are
// errors naming the line and column.
func EachJSONRecord(file string, data []byte, keys []string, fn RecordFunc) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return &ParseError{File: file, Message: "the file is empty; expected a JSON list of findings"}
		}
		return JSONError(file, data, dec.InputOffset(), 0, err)
	}
	switch tok {
	case json.Delim('['):
		if err := eachElement(file, data, dec, fn); err != nil {
			return err
		}
	case json.Delim('{'):
		if len(keys) == 0 {
			return &ParseError{File: file, Line: 1, Message: "expected a JSON list of findings, found an object"}
		}
		if err := eachUnderKey(file, data, dec, keys, fn); err != nil {
			return err
		}
	default:
		line, col := Position(data, dec.InputOffset())
		return &ParseError{File: file, Line: line, Column: col, Message: "expected a JSON list of findings"}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		line, col := Position(data, dec.InputOffset())
		return &ParseError{File: file, Line: line, Column: col, Message: "unexpected data after the end of the JSON value"}
	}
	return nil
}

// eachUnderKey reads the members of the object the decoder is in and walks
// the list under the first of keys found.
func eachUnderKey(file string, data []byte, dec *json.Decoder, keys []string, fn RecordFunc) error {
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return JSONError(file, data, dec.InputOffset(), 0, err)
		}
		key, _ := tok.(string)
		wanted := false
		for _, k := range keys {
			if key == k {
				wanted = true
			}
		}
		if !wanted || found {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return JSONError(file, data, dec.InputOffset(), 0, err)
			}
			continue
		}
		found = true
		off := skipSpace(data, dec.InputOffset())
		if off < int64(len(data)) && data[off] == ':' {
			off = skipSpace(data, off+1)
		}
		tok, err = dec.Token()
		if err != nil {
			return JSONError(file, data, dec.InputOffset(), 0, err)
		}
		if tok != json.Delim('[') {
			line, col := Position(data, off)
			return &ParseError{File: file, Line: line, Column: col, Field: key, Message: "expected a list of findings"}
		}
		if err := eachElement(file, data, dec, fn); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return JSONError(file, data, dec.InputOffset(), 0, err)
	}
	if !found {
		return &ParseError{File: file, Line: 1, Message: fmt.Sprintf("expected a JSON list of findings or an object with the key %q", keys[0])}
	}
	return nil
}

// eachElement walks the elements of the list whose opening bracket the
// decoder has just read, through the closing bracket.
func eachElement(file string, data []byte, dec *json.Decoder, fn RecordFunc) error {
	for i := 1; dec.More(); i++ {
		start := skipSpace(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return JSONError(file, data, start, i, err)
		}
		if err := fn(i, raw); err != nil {
			return JSONError(file, data, start, i, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return JSONError(file, data, dec.InputOffset(), 0, err)
	}
	return nil
}

// skipSpace returns the offset of the first byte at or after off that is
// neither white space nor the comma between list elements.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',':
			off++
		default:
			return off
		}
	}
	return off
}

// EachJSONLine calls fn for every non-blank line of data, each a JSON value
// (JSON Lines, as Prowler 2 wrote its findings).
func EachJSONLine(file string, data []byte, fn RecordFunc) error {
	rec := 0
	var off int64
	for len(data[off:]) > 0 {
		end := bytes.IndexByte(data[off:], '\n')
		line := data[off:]
		if end >= 0 {
			line = data[off : off+int64(end)]
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			rec++
			if !json.Valid(t) {
				var v any
				err := json.Unmarshal(t, &v)
				pe := &ParseError{File: file, Record: rec, Err: err, Message: "invalid JSON: " + err.Error()}
				var se *json.SyntaxError
				lineStart := off + int64(bytes.Index(line, t))
				if errors.As(err, &se) {
					pos := lineStart + max(se.Offset-1, 0)
					pe.Line, pe.Column = Position(data, pos)
					pe.Message = "invalid JSON: " + syntaxMessage(se.Error(), data, pos)
				} else {
					pe.Line, pe.Column = Position(data, lineStart)
				}
				return pe
			}
			if err := fn(rec, t); err != nil {
				return JSONError(file, data, off, rec, err)
			}
		}
		if end < 0 {
			break
		}
		off += int64(end) + 1
	}
	if rec == 0 {
		return &ParseError{File: file, Message: "the file is empty; expected JSON findings, one per line"}
	}
	return nil
}
