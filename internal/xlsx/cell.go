package xlsx

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
)

type cellKind uint8

const (
	kindEmpty cellKind = iota
	kindString
	kindNumber
	kindBool
)

// Cell is the value and style of one cell. The zero Cell is empty.
type Cell struct {
	kind  cellKind
	style StyleID
	str   string
	num   float64
}

// String is a text cell. Text is stored as it is, never as a formula, so
// that "=1+1" shows as those four characters; characters XML 1.0 cannot
// hold (control characters other than tab, line feed and carriage return)
// are left out and text past MaxCellChars is cut.
func String(s string) Cell { return Cell{kind: kindString, str: s} }

// Number is a numeric cell. NaN and the infinities, which a workbook cannot
// hold as numbers, are written as the text NaN, +Inf and -Inf.
func Number(f float64) Cell {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return String(strconv.FormatFloat(f, 'g', -1, 64))
	}
	return Cell{kind: kindNumber, num: f}
}

// Int is a numeric cell of an integer.
func Int(i int) Cell { return Number(float64(i)) }

// Bool is a boolean cell, shown as TRUE or FALSE.
func Bool(b bool) Cell {
	c := Cell{kind: kindBool}
	if b {
		c.num = 1
	}
	return c
}

// Empty is a cell without a value, written only when it has a style.
func Empty() Cell { return Cell{} }

// Value is the cell of a Go value: nil is empty, strings are text, the
// integer and floating-point kinds numbers, bool a boolean and anything
// else the text fmt.Sprint gives.
func Value(v any) Cell {
	switch v := v.(type) {
	case nil:
		return Empty()
	case Cell:
		return v
	case string:
		return String(v)
	case float64:
		return Number(v)
	case int:
		return Int(v)
	case bool:
		return Bool(v)
	case fmt.Stringer:
		return String(v.String())
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return String(rv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Number(float64(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return Number(float64(rv.Uint()))
	case reflect.Float32, reflect.Float64:
		return Number(rv.Float())
	case reflect.Bool:
		return Bool(rv.Bool())
	}
	return String(fmt.Sprint(v))
}

// Values returns the cells of values, as Value gives them.
func Values(values ...any) []Cell {
	cells := make([]Cell, len(values))
	for i, v := range values {
		cells[i] = Value(v)
	}
	return cells
}

// WithStyle returns the cell with the style id (from Writer.AddStyle; 0 is
// the default style).
func (c Cell) WithStyle(id StyleID) Cell {
	c.style = id
	return c
}

// Style is the cell's style id.
func (c Cell) Style() StyleID { return c.style }

// IsEmpty reports whether the cell has no value.
func (c Cell) IsEmpty() bool { return c.kind == kindEmpty }

// appendNumber writes f as Excel reads it: plain digits unless the
// exponent is far from 0.
func appendNumber(b []byte, f float64) []byte {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.AppendFloat(b, f, 'E', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// ColumnName is the letters of column col (from 1): A, B, ... Z, AA, ...
func ColumnName(col int) string { return string(appendColumnName(nil, col)) }

func appendColumnName(b []byte, col int) []byte {
	var letters [8]byte
	i := len(letters)
	for col > 0 {
		col--
		i--
		letters[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, letters[i:]...)
}

// CellName is the reference of the cell at column col and row row (both
// from 1), such as B7.
func CellName(col, row int) string {
	return string(strconv.AppendInt(appendColumnName(nil, col), int64(row), 10))
}

// validXMLChar reports whether XML 1.0 can hold r.
func validXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= utf8.MaxRune
}

// needsPreserve reports whether s begins or ends with white space, which
// XML readers drop unless told to preserve it.
func needsPreserve(s string) bool {
	if s == "" {
		return false
	}
	space := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	return space(s[0]) || space(s[len(s)-1])
}

// AppendText appends s escaped as the text of an XML element of a workbook:
// &, < and > as entities, carriage returns as a character reference (so
// that XML readers do not turn them into line feeds), invalid UTF-8 as
// U+FFFD, characters XML 1.0 cannot hold left out, and the underscore of
// text that looks like an escape of the workbook format (_x0041_) escaped
// itself as _x005F_, so that readers show it as written. Text longer than
// MaxCellChars UTF-16 code units is cut there.
func AppendText(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendEscaped is AppendText, and in an attribute value (attr) also
// escapes double quotes, tabs and line feeds.
func appendEscaped(b []byte, s string, attr bool) []byte {
	units := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		n := 1
		if r >= 0x10000 {
			n = 2
		}
		if validXMLChar(r) || r == utf8.RuneError {
			if units+n > MaxCellChars {
				break
			}
			units += n
		}
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, "\uFFFD"...)
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case attr && r == '"':
			b = append(b, "&quot;"...)
		case attr && r == '\t':
			b = append(b, "&#x9;"...)
		case attr && r == '\n':
			b = append(b, "&#xA;"...)
		case r == '_' && looksEscaped(s[i:]):
			b = append(b, "_x005F"...)
			b = append(b, '_')
		case !validXMLChar(r):
			// left out
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// looksEscaped reports whether s begins with _xHHHH_ (H a hex digit).
func looksEscaped(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
