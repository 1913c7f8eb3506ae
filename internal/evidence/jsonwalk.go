package evidence

import (
	"reflect"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The functions below read a record member by member from a Scanner, for the
// readers of JSON lists of findings (ASFF, Prowler OCSF, Prowler 3's JSON):
// DecodeRecord finds each member's field through a map, by its folded name
// when the struct does not name it, and skips such a member token by token;
// here a reader matches names in a switch and every member it does not read
// is skipped in one scan of its value. Values of the wrong type are the same
// errors as DecodeRecord's (a *json.SemanticError with the value's offset,
// its JSON pointer and the Go type expected), and null reads as the zero
// value, as DecodeRecord reads it.

// Go types named by type errors: JSONError words them ("expected a
// string", "expected an object", "expected a list").
var (
	stringType = reflect.TypeFor[string]()
	boolType   = reflect.TypeFor[bool]()
	objectType = reflect.TypeFor[struct{}]()
	listType   = reflect.TypeFor[[]struct{}]()
)

// ReadObject reads the object at s, calling member with each member's
// name (unquoted; valid only during the call). member reads the member's
// value and returns true, or returns false without reading it, and the
// value is skipped. A null reads as no object: present is false and
// member is not called. Another value is a type error.
func ReadObject(s *Scanner, member func(name []byte) (bool, error)) (present bool, err error) {
	k, err := s.PeekKind()
	if err != nil {
		return false, err
	}
	switch k {
	case '{':
	case 'n':
		_, err := s.ReadValue()
		return false, err
	default:
		return false, s.typeError(objectType)
	}
	if err := s.open(); err != nil {
		return false, err
	}
	for {
		name, more, err := s.nextName()
		if err != nil {
			return false, err
		}
		if !more {
			return true, nil
		}
		read, err := member(name)
		if err != nil {
			return false, err
		}
		if !read {
			if _, err := s.ReadValue(); err != nil {
				return false, err
			}
		}
	}
}

// ReadList reads the list at s, calling elem before each element; elem
// must read it. A null reads as an empty list. Another value is a type
// error.
func ReadList(s *Scanner, elem func() error) error {
	k, err := s.PeekKind()
	if err != nil {
		return err
	}
	switch k {
	case '[':
	case 'n':
		_, err := s.ReadValue()
		return err
	default:
		return s.typeError(listType)
	}
	if err := s.open(); err != nil {
		return err
	}
	for {
		more, err := s.next()
		if err != nil || !more {
			return err
		}
		if err := elem(); err != nil {
			return err
		}
	}
}

// ReadString reads the string at s into str; a null sets str to "".
func ReadString(s *Scanner, str *string) error {
	_, err := readString(s, str)
	return err
}

// ReadStringPtr reads the string at s into a new string *p points to; a
// null sets *p to nil.
func ReadStringPtr(s *Scanner, p **string) error {
	var str string
	ok, err := readString(s, &str)
	if err != nil {
		return err
	}
	*p = nil
	if ok {
		*p = &str
	}
	return nil
}

func readString(s *Scanner, str *string) (bool, error) {
	k, err := s.PeekKind()
	if err != nil {
		return false, err
	}
	switch k {
	case '"':
		raw, plain, err := s.readString()
		if err != nil {
			return false, err
		}
		s.done()
		if plain {
			*str = string(raw[1 : len(raw)-1])
		} else {
			// Escapes undone, invalid UTF-8 replaced, as jsontext does.
			b, _ := jsontext.AppendUnquote(nil, raw)
			*str = string(b)
		}
		return true, nil
	case 'n':
		*str = ""
		_, err := s.ReadValue()
		return false, err
	}
	return false, s.typeError(stringType)
}

// ReadBool reads the boolean at s into b; a null sets b to false.
func ReadBool(s *Scanner, b *bool) error {
	k, err := s.PeekKind()
	if err != nil {
		return err
	}
	switch k {
	case 't', 'f', 'n':
		raw, err := s.ReadValue()
		*b = err == nil && raw[0] == 't'
		return err
	}
	return s.typeError(boolType)
}

// StringFields is a pointer to a struct of strings that a reader fills
// from an object's members: Field returns where the string of the member
// name goes, nil for a member the reader skips.
type StringFields[T any] interface {
	*T
	Field(name []byte) *string
}

// ReadStrings reads the object at s into the strings field names (with
// ReadString), skipping the other members, and reports whether there was
// an object (false for null).
func ReadStrings(s *Scanner, field func(name []byte) *string) (present bool, err error) {
	return ReadObject(s, func(name []byte) (bool, error) {
		str := field(name)
		if str == nil {
			return false, nil
		}
		return true, ReadString(s, str)
	})
}

// ReadStruct reads the object at s into *v with ReadStrings; a null
// sets *v to its zero value. A second member of the same name adds to
// what the first read, as DecodeRecord does.
func ReadStruct[T any, P StringFields[T]](s *Scanner, v P) error {
	ok, err := ReadStrings(s, v.Field)
	if !ok {
		*v = *new(T)
	}
	return err
}

// ReadOptional reads the object at s, which may be null, into the
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

// ReadStructs reads the list of objects at s into *list, reusing its
// storage: each element with ReadStruct. A null reads as an empty list.
func ReadStructs[T any, P StringFields[T]](s *Scanner, list *[]T) error {
	*list = (*list)[:0]
	return ReadList(s, func() error {
		*list = append(*list, *new(T))
		return ReadStruct[T, P](s, &(*list)[len(*list)-1])
	})
}

// ReadRaw reads the value at s into *v, reusing its storage.
func ReadRaw(s *Scanner, v *jsontext.Value) error {
	raw, err := s.ReadValue()
	if err != nil {
		return err
	}
	*v = append((*v)[:0], raw...)
	return nil
}

// typeError returns the error of the next value, of another type than
// want, as DecodeRecord does: the error reading the value (a string is
// expected: the whole value; an object or a list: its first token), such
// as invalid JSON or the end of the input, else a type error naming the
// value's offset and JSON pointer. The reader stops at either, so the
// rest of an object or list is left unread.
func (s *Scanner) typeError(want reflect.Type) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	at, ptr := s.Offset(), s.pointer()
	if want.Kind() != reflect.String && (c == '{' || c == '[') {
		if err := s.open(); err != nil {
			return err
		}
	} else if _, err := s.ReadValue(); err != nil {
		return err
	}
	return &json.SemanticError{ByteOffset: at, JSONPointer: ptr, JSONKind: kindOf(c), GoType: want}
}
