package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"
)

// testRecordReader reads records as the scanner's readers do: a check and
// a resource out of nested objects, a list of objects, the rest skipped;
// a record without a check is a field error.
func testRecordReader() RecordReader {
	var check, resource, status string
	return func(s *Scanner, rec int, emit Emit) error {
		check, resource, status = "", "", ""
		_, err := ReadObject(s, func(name []byte) (bool, error) {
			switch string(name) {
			case "check":
				return true, ReadString(s, &check)
			case "status":
				return true, ReadString(s, &status)
			case "meta":
				_, err := ReadStrings(s, func(name []byte) *string {
					if string(name) == "resource" {
						return &resource
					}
					return nil
				})
				return true, err
			case "list":
				return true, ReadList(s, func() error {
					_, err := ReadObject(s, func([]byte) (bool, error) { return false, nil })
					return err
				})
			}
			return false, nil
		})
		if err != nil {
			return err
		}
		if check == "" {
			return &FieldError{Field: "check", Message: "missing"}
		}
		if status == "stop" {
			return nil // emits nothing
		}
		return emit(Finding{CheckID: check, Resource: resource, Status: Pass})
	}
}

// readAll reads data with readRecords, in parallel or not, through a
// reader of it that gives it in pieces when pieces, and returns what was
// emitted and the error, as text. When failAt > 0, the emit of that
// finding fails.
func readAll(data []byte, inParallel, pieces bool, failAt int) string {
	var out strings.Builder
	n := 0
	emit := func(f Finding) error {
		n++
		if n == failAt {
			return errors.New("emit failed")
		}
		fmt.Fprintf(&out, "%s %s\n", f.CheckID, f.Resource)
		return nil
	}
	var r io.Reader = bytes.NewReader(data)
	if pieces {
		r = iotest.HalfReader(r)
	}
	err := readRecords("f.json", r, []string{"Findings"}, testRecordReader, emit, inParallel)
	fmt.Fprintf(&out, "error: %v\n", err)
	return out.String()
}

// smallBatches makes the parallel reading use tiny buffers, so that a
// test's records are spread over many batches.
func smallBatches(t testing.TB) {
	batch, read, ahead, value := recordBatch, scanRead, recordAhead, MaxValue
	recordBatch, scanRead, recordAhead, MaxValue = 64, 16, 512, 400
	t.Cleanup(func() { recordBatch, scanRead, recordAhead, MaxValue = batch, read, ahead, value })
}

// sameInParallel fails when reading data in parallel emits other findings
// or returns another error than reading it one record at a time.
func sameInParallel(t *testing.T, data []byte) {
	t.Helper()
	for _, failAt := range []int{0, 3} {
		want := readAll(data, false, false, failAt)
		for _, pieces := range []bool{false, true} {
			if got := readAll(data, true, pieces, failAt); got != want {
				t.Errorf("%s\nin parallel (pieces %v, emit failing at %d):\n%s\none at a time:\n%s", data, pieces, failAt, got, want)
			}
		}
	}
}

// parallelCases are lists pretty-printed and not, with records that fail
// in every way, and records whose end the indentation does not tell.
func parallelCases() []string {
	var pretty, compact strings.Builder
	pretty.WriteString("[\n")
	compact.WriteString("[")
	for i := range 40 {
		if i > 0 {
			pretty.WriteString(",\n")
			compact.WriteString(",")
		}
		fmt.Fprintf(&pretty, "  {\n    \"check\": \"c%d\",\n    \"meta\": {\n      \"resource\": \"r}%d\\\"\\n  }\"\n    },\n    \"list\": [\n      {\n        \"x\": \"}\"\n      }\n    ]\n  }", i, i)
		fmt.Fprintf(&compact, `{"check":"c%d","skip":{"a":[1,2,{"b":"]}"}]},"meta":{"resource":"r%d"}}`, i, i)
	}
	pretty.WriteString("\n]\n")
	compact.WriteString("]")
	p, c := pretty.String(), compact.String()
	cases := []string{p, c, `{"Findings": ` + p + `, "Next": null}`, `{"Other": 1, "Findings": ` + c + `}`}
	// Every way a record can go wrong, at the 25th record.
	at := strings.Index(p, `"c24"`)
	for _, bad := range []string{`"c24" x`, `"c24", "check": 1`, `"c24", "check": ""`, `"c24\u00"`, `"c24", "status": "stop"`, `"c24"` + "\n  },\n  {\n  \"check\": \"z\"\n  }", `"c24", "meta": {` + "\n  }"} {
		cases = append(cases, p[:at]+bad+p[at+len(`"c24"`):])
	}
	at = strings.Index(c, `"c24"`)
	for _, bad := range []string{`"c24"}`, `"c24",{`, `"c24\"`, `"c24", "list": {}`} {
		cases = append(cases, c[:at]+bad+c[at+len(`"c24"`):])
	}
	// A record larger than is read ahead, pretty-printed and not.
	big := strings.Repeat(`{"x": [1, "2", {"y": null}]}, `, 40)
	cases = append(cases, strings.Replace(p, `"c7"`, `"c7", "big": [`+big+`{}]`, 1), strings.Replace(c, `"c7"`, `"c7","big":[`+big+`{}]`, 1))
	// A value longer than MaxValue in a record shorter than recordAhead
	// (as smallBatches sets them): a worker meets it.
	cases = append(cases, strings.Replace(c, `"c9"`, `"c9","pad":"`+strings.Repeat("x", 420)+`"`, 1))
	// Cut short, and with something after the list.
	for _, n := range []int{1, 7, len(p) / 3, len(p) / 2, len(p) - 3} {
		cases = append(cases, p[:n], c[:n*len(c)/len(p)])
	}
	return append(cases, p+"x", c+",", `[]`, `[1]`, `[{"check": 1}, {"check": "a"}]`, "[\n  {\n    \"check\": \"\"\n  },\n  {\n    \"check\": \"a\"\n  }\n]", `[{"check":"a"},1,{"check":"b"}]`, `[{"00000":"000":`, `[   {     "check": "0"     }     ]  ,      `, "[\n  {\"a\": {\"b\": \"\\u\n  }", "[\n  {\n    \"check\": \"c0\"\n  \n  },\n  {\n    \"check\": \"c3\",\n    \"meta\": {\n      \"rc#\": \"r}38\\\"\\n  }\"\n    },\n    \"Yist\": [\n      {\n        \"z\": \"a\"\n      }\n    ]\n  },\n  {\n    \"ck\": \"cc9\",\n    \"#A'a\": {\n      \"#ez&&c2 \": \"rc39\\\" }\n]\n", ``, `{"Findings": 1}`)
}

func TestReadRecordsInParallel(t *testing.T) {
	smallBatches(t)
	for _, c := range parallelCases() {
		sameInParallel(t, []byte(c))
	}
}

// A valid list is read in parallel to its end, pretty-printed or not: no
// record is read again one at a time.
func TestReadRecordsInParallelValid(t *testing.T) {
	smallBatches(t)
	for _, c := range parallelCases()[:4] {
		before := rereads.Load()
		readAll([]byte(c), true, false, 0)
		if n := rereads.Load() - before; n != 0 {
			t.Errorf("%s\nread again %d times", c, n)
		}
	}
}

// A reader that panics on a record panics in the goroutine that reads the
// file, as one at a time, with the findings of the records before it
// emitted: a server's recovery from a handler's panic still covers it.
func TestReadRecordsInParallelPanic(t *testing.T) {
	smallBatches(t)
	var b strings.Builder
	b.WriteString("[")
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"check": "c%d"}`, i)
	}
	b.WriteString("]")
	panicking := func() RecordReader {
		read := testRecordReader()
		return func(s *Scanner, rec int, emit Emit) error {
			if rec == 30 {
				panic("record 30")
			}
			return read(s, rec, emit)
		}
	}
	var emitted int
	got := func() (v any) {
		defer func() { v = recover() }()
		readRecords("f.json", strings.NewReader(b.String()), nil, panicking, func(Finding) error { emitted++; return nil }, true)
		return nil
	}()
	if got != "record 30" || emitted != 29 {
		t.Errorf("panicked with %v after %d findings, want record 30 after 29", got, emitted)
	}
	// A source that panics, read by the goroutine that finds the records.
	got = func() (v any) {
		defer func() { v = recover() }()
		r := io.MultiReader(strings.NewReader(b.String()[:300]), panicReader{})
		readRecords("f.json", r, nil, testRecordReader, func(Finding) error { return nil }, true)
		return nil
	}()
	if got != "source" {
		t.Errorf("panicked with %v, want the source's panic", got)
	}
}

// An emit that panics stops the goroutines reading the file before the
// panic leaves ReadRecords: none reads the source after.
func TestReadRecordsInParallelEmitPanic(t *testing.T) {
	smallBatches(t)
	data := parallelCases()[1]
	var returned, readAfter atomic.Bool
	rest := data
	// The list, slowly, a byte at a time.
	src := readFunc(func(p []byte) (int, error) {
		if returned.Load() {
			readAfter.Store(true)
		}
		if rest == "" {
			return 0, io.EOF
		}
		time.Sleep(20 * time.Microsecond)
		p[0], rest = rest[0], rest[1:]
		return 1, nil
	})
	got := func() (v any) {
		defer func() { v = recover() }()
		readRecords("f.json", src, nil, testRecordReader, func(Finding) error { panic("emit") }, true)
		return nil
	}()
	returned.Store(true)
	if got != "emit" {
		t.Fatalf("panicked with %v, want emit's panic", got)
	}
	time.Sleep(20 * time.Millisecond)
	if readAfter.Load() {
		t.Errorf("the source was read after ReadRecords returned")
	}
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("source") }

// A record larger than recordAhead is not held whole to find its end: the
// list of small objects the reader walks is read a value at a time.
func TestReadRecordsInParallelLargeRecord(t *testing.T) {
	var b strings.Builder
	b.WriteString(`[{"check": "a"}, {"check": "b", "list": [`)
	for i := range 400000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"n": %d}`, i)
	}
	b.WriteString(`]}, {"check": "c"}]`)
	data := b.String() // 5.5 MB
	ahead := recordAhead
	recordAhead = 1 << 20
	t.Cleanup(func() { recordAhead = ahead })
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	err := readRecords("f.json", strings.NewReader(data), nil, testRecordReader, func(Finding) error { n++; return nil }, true)
	runtime.ReadMemStats(&after)
	if err != nil || n != 3 {
		t.Fatalf("%d findings, error %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("%d bytes allocated reading a record of %d bytes: it was held whole", alloc, len(data))
	}
}

// A buffer reused for data larger than it is not used.
func TestMoveTo(t *testing.T) {
	s := NewScanner(strings.NewReader(""))
	s.buf, s.pos, s.end = []byte("xxabcdefgh"), 2, 10
	s.moveTo(make([]byte, 4))
	if got := string(s.buf[s.pos:s.end]); got != "abcdefgh" || s.base != 2 {
		t.Errorf("after moveTo: %q at %d, want \"abcdefgh\" at 2", got, s.base)
	}
}

// With the batches of the program, a file of many batches.
func TestReadRecordsInParallelLarge(t *testing.T) {
	var b strings.Builder
	b.WriteString("[\n")
	for i := range 30000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, "  {\n    \"check\": \"c%d\",\n    \"meta\": {\n      \"resource\": \"r%d\"\n    },\n    \"pad\": %q\n  }", i, i, strings.Repeat("x", i%500))
	}
	b.WriteString("\n]")
	data := b.String()
	sameInParallel(t, []byte(data))
	at := strings.Index(data, `"c29000"`)
	sameInParallel(t, []byte(data[:at]+`"c29000" ]`+data[at+8:]))
}

func FuzzReadRecordsInParallel(f *testing.F) {
	for _, c := range parallelCases() {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		smallBatches(t)
		sameInParallel(t, data)
	})
}
