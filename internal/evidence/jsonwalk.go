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
	stringType = reflect.TypeFor[string]()
	objectType = reflect.TypeFor[struct{}]()
	listType   = reflect.TypeFor[[]struct{}]()
)

// ReadObject reads the object at dec, calling member with each member's
// name (unquoted; valid only during the call). member reads the member's
// value and returns true, or returns false without reading it, and the
// value is skipped. A null reads as no object: present is false and
// member is not called. Another value is a type error.
func ReadObject(dec *jsontext.Decoder, member func(name []byte) (bool, error)) (present bool, err error) {
	switch dec.PeekKind() {
	case '{':
	case 'n':
		_, err := dec.ReadValue()
		return false, err
	default:
		return false, typeError(dec, objectType)
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
// error.
func ReadList(dec *jsontext.Decoder, elem func() error) error {
	switch dec.PeekKind() {
	case '[':
	case 'n':
		_, err := dec.ReadValue()
		return err
	default:
		return typeError(dec, listType)
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
	return false, typeError(dec, stringType)
}

// StringFields is a pointer to a struct of strings that a reader fills
// from an object's members: Field returns where the string of the member
// name goes, nil for a member the reader skips.
type StringFields[T any] interface {
	*T
	Field(name []byte) *string
}

// ReadStrings reads the object at dec into the strings field names (with
// ReadString), skipping the other members, and reports whether there was
// an object (false for null).
func ReadStrings(dec *jsontext.Decoder, field func(name []byte) *string) (present bool, err error) {
	return ReadObject(dec, func(name []byte) (bool, error) {
		s := field(name)
		if s == nil {
			return false, nil
		}
		return true, ReadString(dec, s)
	})
}

// ReadStruct reads the object at dec into *v with ReadStrings; a null
// sets *v to its zero value. A second member of the same name adds to
// what the first read, as DecodeRecord does.
func ReadStruct[T any, P StringFields[T]](dec *jsontext.Decoder, v P) error {
	ok, err := ReadStrings(dec, v.Field)
	if !ok {
		*v = *new(T)
	}
	return err
}

// ReadOptional reads the object at dec, which may be null, into the
// struct *p points to: read reads the members into store and reports
// whether there was an object. store is zeroed first unless *p already
// points to it (an earlier member of the same name, added to as
// DecodeRecord does); *p is then store, or nil for null.
func ReadOptional[T any](p **T, store *T, read func(*T) (bool, error)) error {
	if *p == nil {
		*store = *new(T)
	}
	ok, err := read(store)
	*p = nil
	if ok {
		*p = store
	}
	return err
}

// ReadStructs reads the list of objects at dec into *list, reusing its
// storage: each element with ReadStruct. A null reads as an empty list.
func ReadStructs[T any, P StringFields[T]](dec *jsontext.Decoder, list *[]T) error {
	*list = (*list)[:0]
	return ReadList(dec, func() error {
		*list = append(*list, *new(T))
		return ReadStruct[T, P](dec, &(*list)[len(*list)-1])
	})
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
