package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/go-json-experiment/json/jsontext"
)

// scanned is what reading one value gives: the value, or whether the
// error is a syntactic one and its offset.
type scanned struct {
	Value     string
	Syntactic bool
	Offset    int64
	EOF       bool
	Rest      string // the white space and data after the value
}

func scanWith(read func() (jsontext.Value, error), offset func() int64) scanned {
	v, err := read()
	if err != nil {
		var se *jsontext.SyntacticError
		if errors.As(err, &se) {
			return scanned{Syntactic: true, Offset: se.ByteOffset}
		}
		return scanned{EOF: err == io.EOF, Offset: -1}
	}
	return scanned{Value: string(v), Offset: offset()}
}

// sameAsDecoder reads the first value of data with a Scanner (through r,
// which may return it in pieces) and with jsontext's decoder, and fails
// when they disagree on the value, its end, or whether and where it is
// invalid.
func sameAsDecoder(t *testing.T, data []byte, r io.Reader) {
	t.Helper()
	s := NewScanner(r)
	got := scanWith(s.ReadValue, s.Offset)
	dec := NewJSONDecoder(bytes.NewReader(data))
	want := scanWith(func() (jsontext.Value, error) { return dec.ReadValue() }, dec.InputOffset)
	if got != want {
		t.Errorf("%q:\n got %+v\nwant %+v", data, got, want)
	}
}

var scannerCases = []string{
	``, ` `, `null`, `nul`, `nulx`, `true`, `false`, `fals`, `0`, `-`, `-0`, `01`, `1.`, `1.5`, `1e`, `1e+`, `1e+5`, `1E-05x`,
	`-x`, `1.x`, `12345678901234567890`, `"`, `"a"`, `"a`, `"\"`, `"\u00e9\u12"`, `"\u00zz"`, `"\q"`, "\"\x01\"", "\"\xff\xfe\"",
	`"a long string of more than eight bytes, with \"escapes\" and \\ slashes\/"`, "\"tab\tinside\"",
	`[]`, `[`, `[1`, `[1,`, `[1,]`, `[,1]`, `[1 2]`, `[1}`, `{}`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`,
	`{1:2}`, `{"a":1 "b":2}`, `{"a":}`, `{"a":[{"b":[1,{"c":null}]}],"d":{"e":"f"}}`, `]`, `}`, `x`, `  [ 1 , 2 ] `, `[1]x`,
	`{"a":1}}`, `"é"`, "\"\xe0", "\"\xc3\xa9\xe2\x82", "\"\xe2\xe2\x82", "\"\\u0000\"", `[` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `]`,
	`{"x":"` + strings.Repeat("abcdefgh", 40000) + `","y":[` + strings.Repeat(`1.5,`, 100000) + `2]}`,
}

func TestScannerAsDecoder(t *testing.T) {
	for _, c := range scannerCases {
		sameAsDecoder(t, []byte(c), bytes.NewReader([]byte(c)))
		sameAsDecoder(t, []byte(c), iotest.HalfReader(bytes.NewReader([]byte(c))))
		if len(c) < 1000 {
			sameAsDecoder(t, []byte(c), iotest.OneByteReader(bytes.NewReader([]byte(c))))
		}
	}
}

func TestScannerDepth(t *testing.T) {
	for _, n := range []int{maxScanDepth - 1, maxScanDepth, maxScanDepth + 1} {
		c := []byte(strings.Repeat(`[`, n) + strings.Repeat(`]`, n))
		sameAsDecoder(t, c, bytes.NewReader(c))
	}
}

func TestFirstSpecial(t *testing.T) {
	first := func(b []byte) int {
		for i, c := range b {
			if !plainByte[c] {
				return i
			}
		}
		return 8
	}
	check := func(b []byte) {
		if got, want := firstSpecial(binary.LittleEndian.Uint64(b)), first(b); got != want {
			t.Errorf("% x: first special byte %d, want %d", b, got, want)
		}
	}
	for c := range 256 {
		for at := range 8 {
			b := []byte("abcdefgh")
			b[at] = byte(c)
			check(b)
			// Every byte after it too, borrows and all.
			for d := range 256 {
				for k := at + 1; k < 8; k++ {
					b2 := append([]byte(nil), b...)
					b2[k] = byte(d)
					check(b2)
				}
			}
		}
	}
}

// A read error is returned as it is, not as invalid JSON.
func TestScannerReadError(t *testing.T) {
	fail := errors.New("disk on fire")
	s := NewScanner(io.MultiReader(strings.NewReader(`{"a": "b`), iotest.ErrReader(fail)))
	if _, err := s.ReadValue(); err != fail {
		t.Fatalf("got %v, want %v", err, fail)
	}
}

func FuzzScanner(f *testing.F) {
	for _, c := range scannerCases {
		if len(c) < 4096 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsDecoder(t, data, bytes.NewReader(data))
		sameAsDecoder(t, data, iotest.OneByteReader(bytes.NewReader(data)))
	})
}
