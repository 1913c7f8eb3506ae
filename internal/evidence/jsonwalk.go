package evidence

import (
	"bytes"
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The functions below read a record member by member, for the readers of
// the largest files (ASFF, Prowler OCSF): DecodeRecord finds each member's
// field through a map, by its folded name when the struct does not name
// it, and skips such a member token by token; here a reader matches names
// in a switch and every member it does not read is skipped in one scan of
// its value. Values of the wrong type are the same errors as
// DecodeRecord's (a *json.SemanticError with the value's offset, its
// JSON pointer and the Go type expected), and null reads as the zero
// value, as DecodeRecord reads it.

// Go types named by type errors: JSONError words them ("expected a
// string", "expected an object", "expected a list").
var (
	StringType = reflect.TypeFor[string]()
	ObjectType = reflect.TypeFor[struct{}]()
	ListType   = reflect.TypeFor[[]struct{}]()
)

// ReadObject reads the object at dec, calling member with each member's
// name (unquoted; valid only during the call). member reads the member's
// value and returns true, or returns false without reading it, and the
// value is skipped. A null reads as no object: present is false and
// member is not called. Another value is a type error naming want.
func ReadObject(dec *jsontext.Decoder, want reflect.Type, member func(name []byte) (bool, error)) (present bool, err error) {
	switch dec.PeekKind() {
	case '{':
	case 'n':
		_, err := dec.ReadValue()
		return false, err
	default:
		return false, typeError(dec, want)
	}
	if _, err := dec.ReadToken(); err != nil {
		return false, err
	}
	var buf []byte
	for dec.PeekKind() == '"' {
		raw, err := dec.ReadValue()
		if err != nil {
			return false, err
		}
		name := raw[1 : len(raw)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			// An escape that makes invalid UTF-8 (the decoder allows it)
			// is an error to AppendUnquote: such a name is none that a
			// reader asks for, and its quoted form matches none either.
			if buf, err = jsontext.AppendUnquote(buf[:0], raw); err == nil {
				name = buf
			} else {
				name = raw
			}
		}
		read, err := member(name)
		if err != nil {
			return false, err
		}
		if !read {
			if _, err := dec.ReadValue(); err != nil {
				return false, err
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil { // the closing brace
		return false, err
	}
	return true, nil
}

// ReadList reads the list at dec, calling elem before each element; elem
// must read it. A null reads as an empty list. Another value is a type
// error naming want.
func ReadList(dec *jsontext.Decoder, want reflect.Type, elem func() error) error {
	switch dec.PeekKind() {
	case '[':
	case 'n':
		_, err := dec.ReadValue()
		return err
	default:
		return typeError(dec, want)
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for k := dec.PeekKind(); k != ']' && k != 0; k = dec.PeekKind() {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken() // the closing bracket, or the error at the end
	return err
}

// ReadString reads the string at dec into s; a null sets s to "".
func ReadString(dec *jsontext.Decoder, s *string) error {
	_, err := readString(dec, s)
	return err
}

// ReadStringPtr reads the string at dec into a new string *p points to; a
// null sets *p to nil.
func ReadStringPtr(dec *jsontext.Decoder, p **string) error {
	var s string
	ok, err := readString(dec, &s)
	if err != nil {
		return err
	}
	*p = nil
	if ok {
		*p = &s
	}
	return nil
}

func readString(dec *jsontext.Decoder, s *string) (bool, error) {
	switch dec.PeekKind() {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return false, err
		}
		*s = tok.String()
		return true, nil
	case 'n':
		*s = ""
		_, err := dec.ReadValue()
		return false, err
	}
	return false, typeError(dec, StringType)
}

// ReadRaw reads the value at dec into *v, reusing its storage.
func ReadRaw(dec *jsontext.Decoder, v *jsontext.Value) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	*v = append((*v)[:0], raw...)
	return nil
}

// typeError returns the error of a value of another type than want at
// dec, as DecodeRecord does: the error reading the value (a string is
// expected: the whole value; an object or a list: its first token), such
// as invalid JSON or the end of the input, else a type error. The reader
// stops at either, so the rest of an object or list is left unread.
func typeError(dec *jsontext.Decoder, want reflect.Type) error {
	at := NextStart(dec)
	var kind jsontext.Kind
	if want.Kind() == reflect.String {
		raw, err := dec.ReadValue()
		if err != nil {
			return err
		}
		kind = raw.Kind()
	} else {
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		kind = tok.Kind()
	}
	return &json.SemanticError{ByteOffset: at, JSONPointer: dec.StackPointer(), JSONKind: kind, GoType: want}
}
