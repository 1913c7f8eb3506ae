package evidence

import (
	"bytes"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// RecordReader reads one record, the next value of s, and emits what it
// finds in it. ReadRecords makes one for each goroutine that reads records.
type RecordReader func(s *Scanner, record int, emit Emit) error

// ReadRecords reads the JSON list of records of r as EachRecord does,
// with the readers newReader makes, and returns what EachRecord returns.
// On more than one processor the records of the list are read by several
// goroutines, a batch at a time, and their findings emitted in the order
// of the records: one goroutine finds where each record ends (see
// recordEnd), the others read the batches. A batch with a record that
// fails (invalid JSON, a field missing, a reader that panics, or an end
// other than the one found) is read again from that record on, one record
// at a time, as if the whole list had been: the error (or panic) is the
// one EachRecord gives, and the findings emitted before it are those of
// the records before it.
func ReadRecords(file string, r io.Reader, keys []string, newReader func() RecordReader, emit Emit) error {
	return readRecords(file, r, keys, newReader, emit, runtime.GOMAXPROCS(0) > 1)
}

func readRecords(file string, r io.Reader, keys []string, newReader func() RecordReader, emit Emit, inParallel bool) error {
	s := NewScanner(r)
	read := newReader()
	if inParallel {
		s.par = &parallel{newReader: newReader, emit: emit}
	}
	return EachRecord(file, s, keys, func(rec int) error { return read(s, rec, emit) })
}

// rereads counts the lists read again from a record that failed in
// parallel (for tests: a valid list is never read again).
var rereads atomic.Int64

// recordBatch is the size of the buffers whose complete records make a
// batch read in parallel (tests make it small).
var recordBatch = 1 << 20

// recordAhead is the most of one record read ahead to find its end.
var recordAhead = 16 << 20

// parallel is what a Scanner needs to read a list's records in parallel.
type parallel struct {
	newReader func() RecordReader
	emit      Emit
}

// batch is a run of records of the list, as they are in the input.
type batch struct {
	first int   // the number of the first record
	base  int64 // the input offset of data[0]
	// data runs from the end of the record before the first (or from the
	// list's opening bracket) to the end of the last record.
	data []byte
	ends []int  // the end of each record in data
	buf  []byte // the buffer data is in, reused once the batch is done

	found  []Finding // what the records emitted, in order
	starts []int64   // the input offset of the record of each finding
	recs   []int     // the record of each finding
	failed int       // the first record that failed to read, or 0
	done   chan struct{}
}

// recordStatus is what recordEnd found.
type recordStatus int

const (
	recordFound recordStatus = iota
	recordShort              // the data ends inside the record
	recordOther              // not ", {": the end of the list, or invalid JSON
)

// recordEnd finds the end of the record after b[i:]: white space, a comma
// unless first, white space, then an object. It finds the object's end by
// its strings and nesting alone (the reader of the record checks the
// rest), or, when the object starts a line, as the first closing brace to
// start a line with the same indentation: how pretty-printed JSON ends it
// (a line break is never inside a string), and far quicker to find. An end
// found either way that is not the object's is one the reader's end does
// not match.
func recordEnd(b []byte, i int, first bool) (int, recordStatus) {
	i = skipSpace(b, i)
	if !first {
		if i >= len(b) {
			return i, recordShort
		}
		if b[i] != ',' {
			return i, recordOther
		}
		i = skipSpace(b, i+1)
	}
	if i >= len(b) {
		return i, recordShort
	}
	if b[i] != '{' {
		return i, recordOther
	}
	from := max(0, i-64)
	if line := bytes.LastIndexByte(b[from:i], '\n'); line >= 0 && isIndent(b[from+line+1:i]) {
		p := b[from+line : i] // the line break and the indentation
		// The closing braces, rare, each checked for the line break and
		// indentation before it.
		for j := i + 1; ; {
			k := bytes.IndexByte(b[j:], '}')
			if k < 0 {
				break
			}
			j += k
			if bytes.Equal(b[j-len(p):j], p) {
				return j + 1, recordFound
			}
			j++
		}
		if len(b)-i < recordBatch {
			return i, recordShort
		}
		// A record as large as a batch: maybe not pretty-printed after all.
	}
	depth := 0
	for i < len(b) {
		// Bytes other than quotes and brackets, eight at a time.
		for i+8 <= len(b) {
			n := firstStructural(leUint64(b[i:]))
			i += n
			if n < 8 {
				break
			}
		}
		if i >= len(b) {
			break
		}
		switch b[i] {
		case '"':
			j := i + 1
			for {
				k := bytes.IndexByte(b[j:], '"')
				if k < 0 {
					return i, recordShort
				}
				j += k
				// Escaped if an odd number of backslashes come before.
				n := 0
				for j-1-n > i && b[j-1-n] == '\\' {
					n++
				}
				j++
				if n%2 == 0 {
					break
				}
			}
			i = j
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, recordFound
			}
		}
		i++
	}
	return i, recordShort
}

// isIndent reports whether b is only spaces and tabs.
func isIndent(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// firstStructural returns the index of the first of the eight bytes of x
// (read little-endian) that is a quote or a bracket, 8 if none is: the
// zero byte test of "Bit Twiddling Hacks" on x with each of them removed
// ('[' and '{', ']' and '}' differ in one bit).
func firstStructural(x uint64) int {
	q := x ^ (ones * '"')
	open := (x | ones*0x20) ^ (ones * '{')
	shut := (x | ones*0x20) ^ (ones * '}')
	m := ((q - ones) &^ q) | ((open - ones) &^ open) | ((shut - ones) &^ shut)
	return trailingZeroBytes(m & highs)
}

// readParallel reads the records of the list s is in from record first
// on, in parallel, while they are objects separated by commas. It returns
// the record to go on from, one at a time: the one after the last read, or
// the first that failed, with s reading the input from there as if it had
// read every record before it. An error is one emit returned.
func (s *Scanner) readParallel(file string, first int) (next int, err error) {
	p := s.par
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *batch, workers)
	order := make(chan *batch, 2*workers+1)
	quit := make(chan struct{})
	free := make(chan []byte, cap(order)+workers+2)
	prefix := append([]frame(nil), s.stack...)
	for i := range prefix {
		prefix[i].name = append([]byte(nil), prefix[i].name...)
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			read := p.newReader()
			var ws Scanner
			for b := range jobs {
				select {
				case <-quit:
				default:
					ws.readBatch(b, prefix, read)
				}
				close(b.done)
			}
		}()
	}
	produced := make(chan struct{})
	var panicked any // what the producer panicked with, panicked again here
	go func() {
		defer close(produced)
		defer close(jobs)
		defer close(order)
		defer func() { panicked = recover() }()
		s.produce(first, jobs, order, free, quit)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(quit)
		}
		<-produced
		wg.Wait()
	}
	defer func() {
		if panicked != nil {
			panic(panicked)
		}
	}()
	// Nothing reads r once this returns, even when emit panics.
	defer stop()

	next = first
	for b := range order {
		<-b.done
		for k, f := range b.found {
			if err := p.emit(f); err != nil {
				return 0, JSONError(file, b.starts[k], b.recs[k], err)
			}
		}
		if b.failed == 0 {
			next = b.first + len(b.ends)
			select {
			case free <- b.buf:
			default:
			}
			continue
		}
		// Read again from the record that failed: the input from the end
		// of the record before it.
		rereads.Add(1)
		next = b.failed
		from := 0
		if k := b.failed - b.first; k > 0 {
			from = b.ends[k-1]
		}
		rest := [][]byte{b.data[from:]}
		stop()
		for b := range order {
			rest = append(rest, b.data)
		}
		s.rewind(b.base+int64(from), rest, next-1)
		return next, nil
	}
	return next, nil
}

// produce finds the records of the list from record first on and sends
// them in batches to jobs and order, until the list holds something else
// than an object after a comma, the input ends or quit is closed. s is
// left at the end of the last record sent. A batch is the complete records
// of s's buffer, which goes with it: s goes on in a new buffer.
func (s *Scanner) produce(first int, jobs, order chan<- *batch, free <-chan []byte, quit <-chan struct{}) {
	rec := first
	if cap(s.buf) < recordBatch {
		s.grow(recordBatch)
	}
	for {
		b := &batch{first: rec, base: s.base + int64(s.pos), done: make(chan struct{})}
		i := s.pos // the end of the last record found
		var st recordStatus
		for {
			var end int
			end, st = recordEnd(s.buf[:s.end], i, rec == 1)
			if st != recordFound {
				break
			}
			b.ends = append(b.ends, end-s.pos)
			i = end
			rec++
		}
		if len(b.ends) > 0 {
			b.data, b.buf = s.buf[s.pos:i:i], s.buf
			// In order first: a batch in order is read again after a
			// failure even if no worker got it.
			select {
			case order <- b:
			case <-quit:
				return
			}
			s.stack[len(s.stack)-1].n += len(b.ends)
			s.pos = i
			// The batch keeps the buffer: s goes on in another.
			select {
			case nb := <-free:
				s.moveTo(nb)
			default:
				s.grow(recordBatch)
			}
			select {
			case jobs <- b:
			case <-quit:
				return
			}
		}
		// A record larger than recordAhead is left to the reading one
		// record at a time, which keeps no more than a value of it.
		if st == recordOther || s.end-s.pos > recordAhead || !s.fill() {
			return
		}
		select {
		case <-quit:
			return
		default:
		}
	}
}

// readBatch reads the records of b with read, s scanning b's data inside
// the objects and lists of prefix.
func (s *Scanner) readBatch(b *batch, prefix []frame, read RecordReader) {
	s.resetAt(nil, b.base, prefix, b.first-1)
	s.buf, s.end, s.rerr = b.data, len(b.data), io.EOF
	var start int64
	var rec int
	collect := func(f Finding) error {
		b.found = append(b.found, f)
		b.starts = append(b.starts, start)
		b.recs = append(b.recs, rec)
		return nil
	}
	n := 0 // the findings before the record being read
	fail := func() {
		b.found, b.starts, b.recs = b.found[:n], b.starts[:n], b.recs[:n]
		b.failed = rec
	}
	// A reader that panics fails its record, which is then read again in
	// the goroutine that called ReadRecords, and panics there, as it would
	// have without the batches (where net/http recovers it, for one).
	defer func() {
		if recover() != nil {
			fail()
		}
	}()
	for k, end := range b.ends {
		rec, n = b.first+k, len(b.found)
		more, err := s.next()
		if err != nil || !more {
			fail()
			return
		}
		start = s.Offset()
		if err := read(s, rec, collect); err != nil || s.Offset() != b.base+int64(end) {
			fail()
			return
		}
	}
}

// resetAt makes s read r, whose first byte is at input offset base,
// inside the objects and lists of prefix, n values into the last.
func (s *Scanner) resetAt(r io.Reader, base int64, prefix []frame, n int) {
	s.Reset(r)
	s.base = base
	for _, f := range prefix {
		s.stack = append(s.stack, frame{object: f.object, n: f.n, name: append([]byte(nil), f.name...)})
	}
	s.stack[len(s.stack)-1].n = n
}

// rewind makes s read the input again from offset base, where rest starts
// (the rest of the input follows), n values into the list it is in.
func (s *Scanner) rewind(base int64, rest [][]byte, n int) {
	readers := make([]io.Reader, 0, len(rest)+2)
	for _, b := range rest {
		readers = append(readers, bytes.NewReader(b))
	}
	readers = append(readers, bytes.NewReader(append([]byte(nil), s.buf[s.pos:s.end]...)))
	switch {
	case s.rerr == nil:
		readers = append(readers, s.r)
	case s.rerr != io.EOF:
		readers = append(readers, errReader{s.rerr})
	}
	s.r = io.MultiReader(readers...)
	s.base, s.pos, s.end, s.rerr = base, 0, 0, nil
	s.stack[len(s.stack)-1].n = n
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
