package evidence

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FieldError is what a record handler returns for a record whose field is
// missing or wrong; the caller adds the file, position and record.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// SourceError is an error of the source a file is read from rather than of
// its content: a read error, or compressed data that is corrupt or cut
// short. Offset is the offset in the compressed data, when known (-1 if not).
type SourceError struct {
	What   string
	Offset int64
	Err    error
}

func (e *SourceError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s at byte %d: %v", e.What, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.What, e.Err)
}

// Unwrap returns the underlying error.
func (e *SourceError) Unwrap() error { return e.Err }

// NewJSONDecoder returns the streaming JSON decoder the readers use: it
// accepts duplicate names and invalid UTF-8 (scanners write both), and keeps
// no more than a buffer of the input.
func NewJSONDecoder(r io.Reader) *jsontext.Decoder {
	g := &valueGuard{r: r}
	g.dec = jsontext.NewDecoder(g, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	return g.dec
}

// valueGuard is the source of a decoder that refuses to read on once the
// decoder holds more than MaxValue of input it has not consumed: a value
// (a string, most often) that long. The decoder reports the SizeError as
// a read error.
type valueGuard struct {
	r    io.Reader
	dec  *jsontext.Decoder
	read int64
}

func (g *valueGuard) Read(p []byte) (int, error) {
	if g.read-g.dec.InputOffset() > int64(MaxValue) {
		return 0, &SizeError{What: "JSON value", Offset: NextStart(g.dec)}
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

// unmarshalOptions are the options of every record decoding.
var unmarshalOptions = json.JoinOptions(jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))

// DecodeRecord decodes the next JSON value of dec into v (a pointer to a
// struct whose fields name the keys wanted; the other keys are skipped
// without being kept).
func DecodeRecord(dec *jsontext.Decoder, v any) error {
	return json.UnmarshalDecode(dec, v, unmarshalOptions)
}

// JSONError turns an error met while decoding record (0 for none) of a
// file, whose value starts at offset start, into a ParseError naming the
// file, the byte at fault, the record and the field.
func JSONError(file string, start int64, record int, err error) error {
	if pe, ok := errors.AsType[*ParseError](err); ok {
		return pe
	}
	pe := &ParseError{File: file, Record: record, Err: err}
	var (
		se   *jsontext.SyntacticError
		me   *json.SemanticError
		fe   *FieldError
		so   *SourceError
		size *SizeError
	)
	switch {
	case errors.As(err, &size):
		pe.Byte = size.Offset + 1
		pe.Message = size.Error()
	case errors.As(err, &so):
		pe.Message = so.Error()
		pe.Byte = 0
	case errors.Is(err, io.ErrUnexpectedEOF):
		pe.Byte = start + 1
		if errors.As(err, &se) {
			pe.Byte = se.ByteOffset + 1
		}
		pe.Message = "invalid JSON: the file ends in the middle of a value"
	case errors.As(err, &se):
		pe.Byte = se.ByteOffset + 1
		msg := se.Err.Error()
		pe.Message = "invalid JSON: " + msg
	case errors.As(err, &me):
		pe.Byte = me.ByteOffset + 1
		pe.Field = pointerField(string(me.JSONPointer), record > 0)
		want := "a value of another type"
		if me.GoType != nil {
			want = kindName(me.GoType)
		}
		pe.Message = fmt.Sprintf("expected %s, found a JSON %s", want, kindWord(me.JSONKind))
		if me.JSONKind == 0 && me.Err != nil {
			pe.Message = me.Err.Error()
		}
	case errors.As(err, &fe):
		pe.Byte = start + 1
		pe.Field = fe.Field
		pe.Message = fe.Message
	default:
		pe.Byte = start + 1
		pe.Message = err.Error()
	}
	return pe
}

// pointerField turns a JSON pointer into a dotted field name, without the
// index of the record in its list when inList.
func pointerField(p string, inList bool) string {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if inList {
		// Drop everything up to and including the record's index in its list.
		for i := len(parts) - 1; i >= 0; i-- {
			if isIndex(parts[i]) && i < len(parts)-1 {
				parts = parts[i+1:]
				break
			}
		}
	}
	var b strings.Builder
	for _, s := range parts {
		if s == "" {
			continue
		}
		s = strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
		if isIndex(s) {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func kindWord(k jsontext.Kind) string {
	switch k {
	case '"':
		return "string"
	case '0':
		return "number"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '{':
		return "object"
	case '[':
		return "list"
	}
	return "value"
}

// kindName says what a Go type holds, with its article.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "a " + t.Kind().String()
}

// NextStart returns the offset of the next value of dec: its input offset
// past the white space, comma or colon that follow.
func NextStart(dec *jsontext.Decoder) int64 {
	off := dec.InputOffset()
	for _, b := range dec.UnreadBuffer() {
		switch b {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// JSONEnd checks that nothing but white space follows the value dec has read.
func JSONEnd(file string, dec *jsontext.Decoder) error {
	dec.PeekKind()
	at := NextStart(dec)
	if _, err := dec.ReadToken(); err == nil || !errors.Is(err, io.EOF) {
		if _, ok := errors.AsType[*SourceError](err); ok {
			return JSONError(file, dec.InputOffset(), 0, err)
		}
		return &ParseError{File: file, Byte: at + 1, Message: "unexpected data after the end of the JSON value"}
	}
	return nil
}

// EachJSONLine calls fn for every non-blank line of r, each a JSON value
// (JSON Lines, as Prowler 2 wrote its findings), with a decoder of the line.
func EachJSONLine(file string, r io.Reader, fn func(record int, dec *jsontext.Decoder) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	rec := 0
	var off int64
	var dec jsontext.Decoder
	var line []byte
	for {
		var err error
		line = line[:0]
		for {
			chunk, e := br.ReadSlice('\n')
			line = append(line, chunk...)
			if e != bufio.ErrBufferFull {
				err = e
				break
			}
			if len(line) > MaxValue {
				return JSONError(file, off, rec+1, &SizeError{What: "JSON line", Offset: off})
			}
		}
		if len(strings.TrimSpace(string(line))) > 0 {
			rec++
			dec.Reset(strings.NewReader(string(line)), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
			if e := fn(rec, &dec); e != nil {
				pe := JSONError(file, off, rec, e)
				if p, ok := errors.AsType[*ParseError](pe); ok && p.Byte > 0 && !errors.As(e, new(*FieldError)) {
					p.Byte += off
				}
				return pe
			}
			if e := JSONEnd(file, &dec); e != nil {
				p := e.(*ParseError)
				p.Byte += off
				p.Record = rec
				return p
			}
		}
		off += int64(len(line))
		if err == io.EOF {
			break
		}
		if err != nil {
			return JSONError(file, off, rec, err)
		}
	}
	if rec == 0 {
		return &ParseError{File: file, Message: "the file is empty; expected JSON findings, one per line"}
	}
	return nil
}
