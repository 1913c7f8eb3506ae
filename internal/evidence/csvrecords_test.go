package evidence

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// FuzzCSVScanner checks the in-place CSV splitter against encoding/csv: on
// every input encoding/csv reads without error (strict quotes, no carriage
// returns), both give the same records.
func FuzzCSVScanner(f *testing.F) {
	for _, s := range []string{
		"a;b;c\n1;2;3\n",
		"check,status\n\"custom:a,b\",pass\n\"x\"\"y\",\"multi\nline\"\n",
		"a,b\n\n1,2\n,\n",
		"a\n\"\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.IndexByte(data, '\r') >= 0 {
			return
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.FieldsPerRecord = -1
		want, err := r.ReadAll()
		if err != nil {
			return
		}
		s := csvScanner{br: bufio.NewReader(bytes.NewReader(data)), comma: ','}
		var got [][]string
		for {
			fields, err := s.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("error %v; encoding/csv read %q", err, want)
			}
			var rec []string // the fields are views of the buffer: copied
			for _, f := range fields {
				rec = append(rec, strings.Clone(f))
			}
			got = append(got, rec)
		}
		if len(got) != len(want) {
			t.Fatalf("%d records %q, encoding/csv %d %q", len(got), got, len(want), want)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Fatalf("record %d: %q, encoding/csv %q", i+1, got[i], want[i])
			}
		}
	})
}

func TestCSVScannerLazyQuotes(t *testing.T) {
	data := "a,b\n5\" disk,x\n\"q,1\",\"multi\nline\"\nlast,\"open\n"
	s := csvScanner{br: bufio.NewReader(strings.NewReader(data)), comma: ','}
	got := records(&s)
	want := [][]string{{"a", "b"}, {"5\" disk", "x"}, {"q,1", "multi\nline"}, {"last", "open"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records %q, want %q", got, want)
	}
}

// A quoted field whose next line is longer than the reader's buffer keeps
// its first line (the long line was read into the record's own storage).
func TestCSVScannerLongContinuation(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	data := "a,b\n1,\"first\n" + long + "\"\n2,3\n"
	s := csvScanner{br: bufio.NewReaderSize(strings.NewReader(data), 16<<10), comma: ','}
	got := records(&s)
	want := [][]string{{"a", "b"}, {"1", "first\n" + long}, {"2", "3"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records %.200q, want the second's field to be \"first\\n\" and %d x", got, len(long))
	}
}

// records returns the records s reads up to the first error, the fields
// copied out of its buffer.
func records(s *csvScanner) [][]string {
	var got [][]string
	for {
		fields, err := s.next()
		if err != nil {
			return got
		}
		var rec []string
		for _, f := range fields {
			rec = append(rec, strings.Clone(f))
		}
		got = append(got, rec)
	}
}
