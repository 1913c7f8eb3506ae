package evidence

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strconv"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Scanner reads JSON from a stream for the readers that walk their records
// member by member (ReadObject and the functions beside it). It accepts
// exactly what the decoder of NewJSONDecoder accepts (duplicate names,
// invalid UTF-8 in strings, nesting to 10,000 levels) and reports errors
// the same way: a *jsontext.SyntacticError with the byte offset of invalid
// JSON, wrapping io.ErrUnexpectedEOF when the input ends inside a value.
// It is faster than the decoder because it does no more than these
// readers need: no token values, no state kept for values it skips
// (scanned in one pass, strings eight bytes at a time), and only the names
// of the members being read kept for a type error's JSON pointer.
type Scanner struct {
	r    io.Reader
	buf  []byte
	pos  int   // the first byte not read
	end  int   // the end of the data in buf
	base int64 // the input offset of buf[0]
	rerr error // the error that ended the input: io.EOF, or a read error

	stack []frame // the open objects and lists

	par *parallel // set to read a list's records in parallel
}

// frame is an open object or list.
type frame struct {
	object bool
	n      int    // values (members) read
	name   []byte // the name of the member being read, unquoted (objects)
}

// maxScanDepth is the deepest nesting of objects and lists, as jsontext's.
const maxScanDepth = 10000

// MaxValue is the most a reader holds of one JSON value it reads or skips,
// or of one CSV record: findings hold nothing near it (an ASFF finding is
// at most 240 KB), and without it one long string in a small compressed
// upload would take the memory of its whole length. Tests make it small.
var MaxValue = 16 << 20

// SizeError is a value or record larger than MaxValue.
type SizeError struct {
	What   string // "JSON value", "CSV record"
	Offset int64  // where it starts
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("a %s of more than %d MiB; expected scanner findings, which hold none this large", e.What, MaxValue>>20)
}

// scanRead is the least a buffer is grown by when it is too full to read
// into (tests make it small).
var scanRead = 256 << 10

func leUint64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// trailingZeroBytes returns the number of zero bytes of m before the
// first that is not, from the least significant: 8 if m is 0.
func trailingZeroBytes(m uint64) int { return bits.TrailingZeros64(m) >> 3 }

// errShort is what a scan function returns when the data ends before the
// token or value does.
var errShort = errors.New("short")

// NewScanner returns a Scanner reading r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: r}
}

// Reset makes s read r from the start, keeping its storage.
func (s *Scanner) Reset(r io.Reader) {
	*s = Scanner{r: r, buf: s.buf[:0], stack: s.stack[:0]}
}

// Offset returns the input offset of the next byte to read.
func (s *Scanner) Offset() int64 { return s.base + int64(s.pos) }

// fill reads more input after buf[s.pos:s.end], dropping what comes before
// s.pos, and reports whether it read any.
func (s *Scanner) fill() bool {
	if s.rerr != nil {
		return false
	}
	if unread := s.end - s.pos; cap(s.buf)-unread < scanRead/2 {
		s.grow(max(min(2*cap(s.buf), MaxValue+scanRead), unread+scanRead))
	} else if s.pos > 0 {
		s.moveTo(s.buf)
	}
	s.buf = s.buf[:cap(s.buf)]
	// Fill the buffer: a value that does not fit is scanned again from
	// its start after each fill, so fills must be few.
	start := s.end
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.rerr = err
			break
		}
	}
	return s.end > start
}

// grow moves the unread data to a new buffer of size n (or more), first
// dropping what was read.
func (s *Scanner) grow(n int) {
	s.moveTo(make([]byte, n))
}

// moveTo moves the unread data to nb (or a new buffer if nb is too small)
// and makes it s's buffer.
func (s *Scanner) moveTo(nb []byte) {
	if cap(nb) < s.end-s.pos {
		nb = make([]byte, s.end-s.pos)
	}
	nb = nb[:cap(nb)]
	s.end = copy(nb, s.buf[s.pos:s.end])
	s.base += int64(s.pos)
	s.buf, s.pos = nb, 0
}

// syntaxError returns err at buffer position at as the decoder reports it.
func (s *Scanner) syntaxError(at int, err error) error {
	if (err == errShort || err == io.ErrUnexpectedEOF) && s.rerr != nil && s.rerr != io.EOF {
		return s.rerr
	}
	if err == errShort {
		err = io.ErrUnexpectedEOF
	}
	if err == errMismatchDelim {
		err = invalidChar(s.buf[:s.end], at, "at start of value")
	}
	return &jsontext.SyntacticError{ByteOffset: s.base + int64(at), JSONPointer: s.pointer(), Err: err}
}

// peek returns the next byte that is not white space, without reading it;
// at the end of the input, io.EOF if no value was begun, else
// io.ErrUnexpectedEOF (or the read error).
func (s *Scanner) peek() (byte, error) {
	for {
		s.pos = skipSpace(s.buf[:s.end], s.pos)
		if s.pos < s.end {
			return s.buf[s.pos], nil
		}
		if !s.fill() {
			if len(s.stack) == 0 && s.rerr == io.EOF {
				return 0, io.EOF
			}
			return 0, s.syntaxError(s.end, errShort)
		}
	}
}

// PeekKind returns the kind of the next value ('n', 't', 'f', '"', '0',
// '{', '['), or an error: what reading it would give.
func (s *Scanner) PeekKind() (jsontext.Kind, error) {
	c, err := s.peek()
	if err != nil {
		return 0, err
	}
	return kindOf(c), nil
}

// kindOf returns the kind of a value starting with c, or 0.
func kindOf(c byte) jsontext.Kind {
	switch c {
	case 'n', 't', 'f', '"', '{', '[':
		return jsontext.Kind(c)
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// scan runs f on the unread data from the next value on, reading more
// input while f needs it; f returns the end of what it read.
func (s *Scanner) scan(f func(b []byte, i int, eof bool) (int, error)) (start int, err error) {
	if _, err := s.peek(); err != nil {
		return 0, err
	}
	for {
		eof := s.rerr != nil
		end, err := f(s.buf[:s.end], s.pos, eof)
		if err == errShort && !eof && s.end-s.pos >= MaxValue {
			return 0, &SizeError{What: "JSON value", Offset: s.Offset()}
		}
		if err == errShort && (s.fill() || !eof) {
			continue // with more data, or knowing there is none
		}
		if err != nil {
			return 0, s.syntaxError(end, err)
		}
		if end-s.pos > MaxValue {
			return 0, &SizeError{What: "JSON value", Offset: s.Offset()}
		}
		start = s.pos
		s.pos = end
		return start, nil
	}
}

// ReadValue reads the next value whole and returns it, valid until the
// next call.
func (s *Scanner) ReadValue() (jsontext.Value, error) {
	start, err := s.scan(func(b []byte, i int, eof bool) (int, error) {
		return scanValue(b, i, eof, len(s.stack))
	})
	if err != nil {
		return nil, err
	}
	s.done()
	return s.buf[start:s.pos], nil
}

// readString reads the next value, a string, and returns it quoted and
// whether it is also its own text (no escapes, only ASCII).
func (s *Scanner) readString() (raw []byte, plain bool, err error) {
	start, err := s.scan(func(b []byte, i int, eof bool) (int, error) {
		if b[i] != '"' {
			return i, invalidChar(b, i, `at start of string (expecting '"')`)
		}
		var e int
		e, plain, err = scanString(b, i)
		return e, err
	})
	if err != nil {
		return nil, false, err
	}
	return s.buf[start:s.pos], plain, nil
}

// open reads the opening brace or bracket of the next value.
func (s *Scanner) open() error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	if len(s.stack) >= maxScanDepth {
		return s.syntaxError(s.pos, errMaxDepth)
	}
	s.pos++
	if len(s.stack) < cap(s.stack) {
		s.stack = s.stack[:len(s.stack)+1]
		f := &s.stack[len(s.stack)-1]
		f.object, f.n, f.name = c == '{', 0, f.name[:0]
	} else {
		s.stack = append(s.stack, frame{object: c == '{'})
	}
	return nil
}

// done counts a value read in the object or list it is in.
func (s *Scanner) done() {
	if len(s.stack) > 0 {
		s.stack[len(s.stack)-1].n++
	}
}

// next reads what comes after a value of the innermost object or list, or
// after its opening: the comma before the next value (true), or the closing
// brace or bracket (false), which ends it. Errors are worded as jsontext
// words them.
func (s *Scanner) next() (bool, error) {
	top := &s.stack[len(s.stack)-1]
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	first := s.Offset() // a fill may move the buffer
	var delim byte
	if c == ',' || c == ':' {
		delim = c
		s.pos++
		if c, err = s.peek(); err != nil {
			if top.n > 0 && delim == ',' {
				return false, err
			}
			c = '"' // what jsontext supposes comes next
		}
	}
	var need byte
	if top.n > 0 && c != '}' && c != ']' {
		need = ','
	}
	if need != delim {
		where := "at start of value"
		if need == ',' {
			where = top.afterValue()
		}
		bad := s.buf[s.pos:s.end]
		if delim != 0 {
			bad = []byte{delim}
		}
		return false, &jsontext.SyntacticError{ByteOffset: first, JSONPointer: s.pointer(), Err: invalidChar(bad, 0, where)}
	}
	switch {
	case c == '}' && top.object, c == ']' && !top.object:
		s.pos++
		s.stack = s.stack[:len(s.stack)-1]
		s.done()
		return false, nil
	case c == '}' || c == ']':
		where := "at start of value"
		if top.n > 0 {
			where = top.afterValue()
		}
		return false, s.syntaxError(s.pos, invalidChar(s.buf, s.pos, where))
	case top.object && c != '"':
		if kindOf(c) == 0 {
			return false, s.syntaxError(s.pos, invalidChar(s.buf, s.pos, "at start of value"))
		}
		return false, s.syntaxError(s.pos, jsontext.ErrNonStringName)
	}
	return true, nil
}

// afterValue words what a container expects after a value.
func (f *frame) afterValue() string {
	if f.object {
		return "after object value (expecting ',' or '}')"
	}
	return "after array element (expecting ',' or ']')"
}

// nextName reads the name of the next member of the innermost object and
// the colon after it, or the closing brace (false). The name is unquoted
// unless unquoting it fails (an escape that makes invalid UTF-8): then it
// is quoted, a name no reader asks for; it is valid until the next name.
func (s *Scanner) nextName() (name []byte, ok bool, err error) {
	if ok, err = s.next(); !ok {
		return nil, false, err
	}
	top := &s.stack[len(s.stack)-1]
	raw, plain, err := s.readString()
	if err != nil {
		return nil, false, err
	}
	if plain {
		top.name = append(top.name[:0], raw[1:len(raw)-1]...)
		name = top.name
	} else {
		var uerr error
		top.name, uerr = jsontext.AppendUnquote(top.name[:0], raw)
		name = top.name
		if uerr != nil {
			name = append([]byte(nil), raw...)
		}
	}
	c, err := s.peek()
	if err != nil {
		return nil, false, err
	}
	if c != ':' {
		return nil, false, s.syntaxError(s.pos, invalidChar(s.buf, s.pos, "after object name (expecting ':')"))
	}
	s.pos++
	return name, true, nil
}

// pointer returns the JSON pointer of the value being read.
func (s *Scanner) pointer() jsontext.Pointer {
	var p jsontext.Pointer
	for i := range s.stack {
		if f := &s.stack[i]; f.object {
			p = p.AppendToken(string(f.name))
		} else {
			p = p.AppendToken(strconv.Itoa(f.n))
		}
	}
	return p
}

var (
	errMaxDepth      = errors.New("exceeded max depth")
	errMismatchDelim = errors.New("mismatching structural token for object or array")
)

// invalidChar returns the error of an unexpected byte b[i], worded as
// jsontext words it.
func invalidChar(b []byte, i int, where string) error {
	what := "EOF"
	if i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			what = `'\x` + strconv.FormatUint(uint64(b[i]), 16) + `'`
		} else {
			what = strconv.QuoteRune(r)
		}
	}
	return errors.New("invalid character " + what + " " + where)
}

// isSpace is true for JSON's white space.
var isSpace = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace[b[i]] {
		i++
		// Indentation: spaces eight at a time.
		for i+8 <= len(b) {
			if x := leUint64(b[i:]) ^ (ones * ' '); x != 0 {
				i += trailingZeroBytes(x)
				break
			}
			i += 8
		}
	}
	return i
}

// plainByte is true for the bytes a string holds as themselves: not a
// quote, a backslash, a control character or a byte of a multi-byte
// character (valid or not).
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// firstSpecial returns the index of the first of the eight bytes of x (read
// little-endian) that is not a plainByte: below 0x20, a quote, a backslash,
// 0x80 or above; 8 if none is. The tests are those of "Bit Twiddling Hacks"
// for a byte less than n and for a zero byte: a borrow can mark a byte
// after the first one found, never one before it.
func firstSpecial(x uint64) int {
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	m := ((x-ones*0x20)&^x | (quote-ones)&^quote | (slash-ones)&^slash | x) & highs
	return trailingZeroBytes(m)
}

// scanString scans the string at b[i] (a quote) and returns its end and
// whether it holds only plain bytes.
func scanString(b []byte, i int) (end int, plain bool, err error) {
	i++
	plain = true
	for {
		for {
			if i+8 > len(b) {
				for i < len(b) && plainByte[b[i]] {
					i++
				}
				break
			}
			n := firstSpecial(leUint64(b[i:]))
			i += n
			if n < 8 {
				break
			}
		}
		if i >= len(b) {
			return i, plain, errShort
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, plain, nil
		case c >= 0x80:
			plain = false
			if !utf8.FullRune(b[i:]) {
				// jsontext reports a character cut short at its start.
				return i, plain, errShort
			}
			i++
		case c == '\\':
			plain = false
			if i+1 >= len(b) {
				return i, plain, errShort
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(b) {
						return i, plain, errShort
					}
					if !isHex(b[i+k]) {
						return i, plain, invalidEscape(b[i : i+k+1])
					}
				}
				i += 6
			default:
				return i, plain, invalidEscape(b[i : i+2])
			}
		default: // a control character
			return i, plain, invalidChar(b, i, "in string (expecting non-control character)")
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func invalidEscape(what []byte) error {
	return errors.New("invalid escape sequence " + strconv.Quote(string(what)) + " in string")
}

// scanNumber scans the number at b[i]. A number is not self-terminating:
// one that reaches the end of b is short unless eof.
func scanNumber(b []byte, i int, eof bool) (int, error) {
	digits := func(i int) int {
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i
	}
	start := i
	short := func(i int) (int, error) {
		if eof {
			// jsontext reports a number cut short at its start.
			return start, io.ErrUnexpectedEOF
		}
		return i, errShort
	}
	if b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return short(i)
	case b[i] == '0':
		i++
	case '1' <= b[i] && b[i] <= '9':
		i = digits(i + 1)
	default:
		return i, invalidChar(b, i, "in number (expecting digit)")
	}
	// someDigits reads the digits a fraction or exponent must have.
	someDigits := func(i int) (int, error) {
		switch {
		case i >= len(b):
			return short(i)
		case b[i] < '0' || b[i] > '9':
			return i, invalidChar(b, i, "in number (expecting digit)")
		}
		return digits(i), nil
	}
	var err error
	if i < len(b) && b[i] == '.' {
		if i, err = someDigits(i + 1); err != nil {
			return i, err
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		if i, err = someDigits(i); err != nil {
			return i, err
		}
	}
	if i >= len(b) && !eof {
		return i, errShort
	}
	return i, nil
}

// scanLiteral scans null, true or false at b[i].
func scanLiteral(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return i + k, errShort
		}
		if b[i+k] != lit[k] {
			return i + k, invalidChar(b, i+k, "in literal "+lit+" (expecting "+strconv.QuoteRune(rune(lit[k]))+")")
		}
	}
	return i + len(lit), nil
}

// scanValue scans the value at b[i] (not white space), depth objects and
// lists deep, and returns its end.
func scanValue(b []byte, i int, eof bool, depth int) (int, error) {
	switch c := b[i]; c {
	case '"':
		end, _, err := scanString(b, i)
		return end, err
	case '{', '[':
		return scanContainer(b, i, eof, depth)
	case 'n':
		return scanLiteral(b, i, "null")
	case 't':
		return scanLiteral(b, i, "true")
	case 'f':
		return scanLiteral(b, i, "false")
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return scanNumber(b, i, eof)
	case ']', '}':
		return i, errMismatchDelim
	}
	return i, invalidChar(b, i, "at start of value")
}

// scanContainer scans the object or list at b[i].
func scanContainer(b []byte, i int, eof bool, depth int) (int, error) {
	if depth >= maxScanDepth {
		return i, errMaxDepth
	}
	object := b[i] == '{'
	closer := byte(']')
	if object {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i >= len(b) {
		return i, errShort
	}
	if b[i] == closer {
		return i + 1, nil
	}
	for {
		var err error
		if object {
			if b[i] != '"' {
				return i, invalidChar(b, i, `at start of string (expecting '"')`)
			}
			if i, _, err = scanString(b, i); err != nil {
				return i, err
			}
			if i = skipSpace(b, i); i >= len(b) {
				return i, errShort
			}
			if b[i] != ':' {
				return i, invalidChar(b, i, "after object name (expecting ':')")
			}
			if i = skipSpace(b, i+1); i >= len(b) {
				return i, errShort
			}
		}
		if i, err = scanValue(b, i, eof, depth+1); err != nil {
			return i, err
		}
		if i = skipSpace(b, i); i >= len(b) {
			return i, errShort
		}
		switch b[i] {
		case ',':
			if i = skipSpace(b, i+1); i >= len(b) {
				return i, errShort
			}
		case closer:
			return i + 1, nil
		default:
			if object {
				return i, invalidChar(b, i, "after object value (expecting ',' or '}')")
			}
			return i, invalidChar(b, i, "after array element (expecting ',' or ']')")
		}
	}
}

// EachRecord reads the JSON list of records of s, calling fn before each
// element; fn must read exactly that element (with ReadObject and the
// functions beside it). When keys are given, the list may also sit under
// one of those keys of a top-level object (ASFF's {"Findings": [...]});
// other keys are skipped. Invalid JSON, a top level of another shape and
// data after the list are errors naming the byte.
func EachRecord(file string, s *Scanner, keys []string, fn func(record int) error) error {
	c, err := s.peek()
	if err != nil {
		if err == io.EOF {
			return &ParseError{File: file, Message: "the file is empty; expected a JSON list of findings"}
		}
		return JSONError(file, s.Offset(), 0, err)
	}
	switch c {
	case '[':
		if err := s.open(); err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if err := s.eachElement(file, fn); err != nil {
			return err
		}
	case '{':
		if len(keys) == 0 {
			return &ParseError{File: file, Byte: s.Offset() + 1, Message: "expected a JSON list of findings, found an object"}
		}
		if err := s.open(); err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if err := s.eachUnderKey(file, keys, fn); err != nil {
			return err
		}
	default:
		if _, err := s.ReadValue(); err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		return &ParseError{File: file, Byte: s.Offset(), Message: "expected a JSON list of findings"}
	}
	return s.checkEnd(file)
}

// checkEnd checks that nothing but white space follows the value s has
// read; the error names the first byte that is not.
func (s *Scanner) checkEnd(file string) error {
	_, err := s.peek()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return JSONError(file, s.Offset(), 0, err)
	}
	return &ParseError{File: file, Byte: s.Offset() + 1, Message: "unexpected data after the end of the JSON value"}
}

// eachUnderKey reads the members of the object s is in and walks the list
// under the first of keys found.
func (s *Scanner) eachUnderKey(file string, keys []string, fn func(int) error) error {
	found := false
	for {
		name, more, err := s.nextName()
		if err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if !more {
			break
		}
		wanted := false
		for _, k := range keys {
			if string(name) == k {
				wanted = true
			}
		}
		if !wanted || found {
			if _, err := s.ReadValue(); err != nil {
				return JSONError(file, s.Offset(), 0, err)
			}
			continue
		}
		found = true
		key := string(name)
		c, err := s.peek()
		if err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if c != '[' {
			if kindOf(c) == 0 {
				_, err := s.ReadValue()
				return JSONError(file, s.Offset(), 0, err)
			}
			return &ParseError{File: file, Byte: s.Offset() + 1, Field: key, Message: "expected a list of findings"}
		}
		if err := s.open(); err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if err := s.eachElement(file, fn); err != nil {
			return err
		}
	}
	if !found {
		return &ParseError{File: file, Byte: 1, Message: fmt.Sprintf("expected a JSON list of findings or an object with the key %q", keys[0])}
	}
	return nil
}

// eachElement walks the elements of the list whose opening bracket s has
// just read, through the closing bracket.
func (s *Scanner) eachElement(file string, fn func(int) error) error {
	i := 1
	if s.par != nil {
		var err error
		if i, err = s.readParallel(file, i); err != nil {
			return err
		}
	}
	for ; ; i++ {
		more, err := s.next()
		if err != nil {
			return JSONError(file, s.Offset(), 0, err)
		}
		if !more {
			return nil
		}
		start := s.Offset()
		if err := fn(i); err != nil {
			return JSONError(file, start, i, err)
		}
	}
}
