// Package load reads scanner files in any supported format: it tells the
// format from the first bytes of the content (not the file name) and hands
// the content, as a stream, to the reader of that format, which emits the
// findings one at a time to the file's per-check outcomes. A file is never
// held in memory whole: reading takes the same memory at 10 MB as at 2 GB.
//
// gzip content (a .gz file, or a stream that starts with the gzip magic
// bytes) is decompressed on the way; a zip archive (as Prowler writes its
// output folder) gives one file per member in a supported format, named
// archive.zip/member, the others being skipped. It is the entry point for
// the command line and the server.
package load

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"sync/atomic"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/asff"
	"github.com/csmm/csmm/internal/evidence/csmmcollect"
	"github.com/csmm/csmm/internal/evidence/genericcsv"
	"github.com/csmm/csmm/internal/evidence/powerpipe"
	"github.com/csmm/csmm/internal/evidence/prowler"
	"github.com/csmm/csmm/internal/evidence/scoutsuite"

	"github.com/csmm/csmm/internal/lazy"
)

// ReadFunc reads the findings of one format from r, emitting each.
type ReadFunc func(file string, r io.Reader, emit evidence.Emit) error

// readers are the reader of each format.
var readers = lazy.Value[map[evidence.Format]ReadFunc]{New: func() map[evidence.Format]ReadFunc {
	return map[evidence.Format]ReadFunc{
		evidence.ProwlerOCSF: prowler.ReadOCSF,
		evidence.ProwlerCSV:  prowler.ReadCSV,
		evidence.ProwlerJSON: prowler.ReadJSON,
		evidence.ASFF:        asff.Read,
		evidence.Powerpipe:   readPowerpipe,
		evidence.ScoutSuite:  scoutsuite.Read,
		evidence.GenericCSV:  genericcsv.Read,
		csmmcollect.Format:   csmmcollect.Read,
	}
}}

func readPowerpipe(file string, r io.Reader, emit evidence.Emit) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(4096)
	if b, _ := first(head); b == '{' {
		return powerpipe.ReadJSON(file, br, emit)
	}
	return powerpipe.ReadCSV(file, br, emit)
}

// Progress is what a reading has done so far, updated as it goes (safe to
// read from another goroutine while it runs).
type Progress struct {
	// Read counts the bytes read from the source (compressed ones for a
	// compressed source), of Total when known (0 if not).
	Read, Total atomic.Int64
	// Findings counts the findings read.
	Findings atomic.Int64
}

// Options are the options of a reading.
type Options struct {
	// Progress, when set, is updated during the reading.
	Progress *Progress
	// Skipped, when set, is told of each member of an archive that is not
	// in a supported format (and so not read).
	Skipped func(name string, err error)
	// TempDir is where an archive read from a stream is spooled (zip needs
	// random access); os.TempDir() when empty.
	TempDir string
}

// headSize bounds what detection looks at: the first record of a file.
const headSize = 1 << 20

// ReadFile reads the scanner file at path: one file, or one per supported
// member of a zip archive.
func ReadFile(path string, opt Options) ([]*evidence.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && opt.Progress != nil {
		opt.Progress.Total.Store(st.Size())
	}
	br := bufio.NewReaderSize(counting(f, opt.Progress), headSize)
	if isZip(br) {
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("read evidence: %w", err)
		}
		return readZip(path, f, st.Size(), opt)
	}
	reopen := func() (io.ReadCloser, error) { return os.Open(path) }
	file, err := readStream(path, br, reopen, opt)
	if err != nil {
		return nil, err
	}
	return []*evidence.File{file}, nil
}

// Read reads a scanner file from a stream (an upload): one file, or one per
// supported member of a zip archive, which is spooled to a temporary file
// first. Errors are located by byte only (the stream cannot be read again
// for lines).
func Read(name string, r io.Reader, opt Options) ([]*evidence.File, error) {
	br := bufio.NewReaderSize(counting(r, opt.Progress), headSize)
	if isZip(br) {
		tmp, err := os.CreateTemp(opt.TempDir, "csmm-evidence-*.zip")
		if err != nil {
			return nil, fmt.Errorf("spool %s: %w", name, err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		n, err := io.Copy(tmp, br)
		if err != nil {
			return nil, &evidence.ParseError{File: name, Message: (&evidence.SourceError{What: "read the archive", Offset: -1, Err: err}).Error(), Err: err}
		}
		return readZip(name, tmp, n, opt)
	}
	file, err := readStream(name, br, nil, opt)
	if err != nil {
		return nil, err
	}
	return []*evidence.File{file}, nil
}

// Parse reads one scanner file held in memory (gzip allowed); errors are
// located by line and column too.
func Parse(name string, data []byte) (*evidence.File, error) {
	br := bufio.NewReaderSize(bytes.NewReader(data), headSize)
	reopen := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	return readStream(name, br, reopen, Options{})
}

// ParseAs reads data in the given format, without detection.
func ParseAs(name string, data []byte, f evidence.Format) (*evidence.File, error) {
	read, ok := readers.Get()[f]
	if !ok {
		return nil, &evidence.UnsupportedError{File: name, What: fmt.Sprintf("format %q", f)}
	}
	file := evidence.NewFile(name, f)
	if err := read(name, bytes.NewReader(data), file.Emit); err != nil {
		evidence.Locate(err, bytes.NewReader(data))
		return nil, err
	}
	return file, nil
}

func isZip(br *bufio.Reader) bool {
	b, _ := br.Peek(4)
	return bytes.Equal(b, []byte("PK\x03\x04"))
}

func isGzip(br *bufio.Reader) bool {
	b, _ := br.Peek(2)
	return len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b
}

// readStream reads one file from br, decompressing gzip, detecting the format
// from its first bytes. reopen, when set, opens the source again to find the
// line and column of an error.
func readStream(name string, br *bufio.Reader, reopen func() (io.ReadCloser, error), opt Options) (*evidence.File, error) {
	content := br
	gz := isGzip(br)
	if gz {
		src := &sourceReader{r: br, what: "invalid gzip data"}
		zr, err := gzip.NewReader(src)
		if err != nil {
			return nil, &evidence.ParseError{File: name, Message: "invalid gzip data: " + err.Error(), Err: err}
		}
		defer zr.Close()
		content = bufio.NewReaderSize(&sourceReader{r: zr, what: "invalid gzip data", compressed: src}, headSize)
	}
	head, err := content.Peek(headSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &evidence.ParseError{File: name, Message: err.Error(), Err: err}
	}
	format, err := Detect(name, head)
	if err != nil {
		if reopen != nil {
			locate(err, gz, reopen)
		}
		return nil, err
	}
	file := evidence.NewFile(name, format)
	emit := file.Emit
	if p := opt.Progress; p != nil {
		emit = func(fd evidence.Finding) error {
			file.Add(fd)
			p.Findings.Add(1)
			return nil
		}
	}
	if err := readers.Get()[format](name, content, emit); err != nil {
		if reopen != nil {
			locate(err, gz, reopen)
		}
		return nil, err
	}
	return file, nil
}

// locate finds the line and column of a parse error in the content read again.
func locate(err error, gz bool, reopen func() (io.ReadCloser, error)) {
	pe, ok := errors.AsType[*evidence.ParseError](err)
	if !ok || pe.Byte <= 0 || pe.Line > 0 {
		return
	}
	rc, e := reopen()
	if e != nil {
		return
	}
	defer rc.Close()
	var r io.Reader = rc
	if gz {
		zr, e := gzip.NewReader(rc)
		if e != nil {
			return
		}
		r = zr
	}
	evidence.Locate(err, r)
}

// readZip reads every member of a zip archive in a supported format.
func readZip(name string, ra io.ReaderAt, size int64, opt Options) ([]*evidence.File, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, &evidence.ParseError{File: name, Message: "invalid zip archive: " + err.Error(), Err: err}
	}
	var files []*evidence.File
	var skipped []string
	for _, m := range zr.File {
		if m.FileInfo().IsDir() {
			continue
		}
		member := name + "/" + path.Clean(m.Name)
		open := func() (io.ReadCloser, error) { return m.Open() }
		rc, err := open()
		if err != nil {
			return nil, &evidence.ParseError{File: member, Message: "invalid zip member: " + err.Error(), Err: err}
		}
		f, err := readStream(member, bufio.NewReaderSize(rc, headSize), open, Options{Progress: opt.Progress})
		rc.Close()
		if errors.Is(err, evidence.ErrUnsupported) {
			skipped = append(skipped, m.Name)
			if opt.Skipped != nil {
				opt.Skipped(member, err)
			}
			continue
		}
		if pe, ok := errors.AsType[*evidence.ParseError](err); ok && strings.HasPrefix(pe.Message, "the file is empty") {
			skipped = append(skipped, m.Name)
			if opt.Skipped != nil {
				opt.Skipped(member, err)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, &evidence.UnsupportedError{File: name, What: fmt.Sprintf("a zip archive with no scanner file in a supported format among %d members", len(skipped))}
	}
	return files, nil
}

// sourceReader marks the errors of a source (corrupt or truncated
// compressed data, a failed read) as *evidence.SourceError, with the offset
// reached in the compressed data.
type sourceReader struct {
	r          io.Reader
	what       string
	n          int64
	compressed *sourceReader
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.n += int64(n)
	if err != nil && err != io.EOF {
		if _, ok := errors.AsType[*evidence.SourceError](err); ok {
			return n, err
		}
		off := s.n
		if s.compressed != nil {
			off = s.compressed.n
		}
		what := s.what
		if errors.Is(err, io.ErrUnexpectedEOF) {
			what += " (cut short)"
		}
		return n, &evidence.SourceError{What: what, Offset: off, Err: err}
	}
	return n, err
}

// countingReader counts the bytes read into a Progress.
type countingReader struct {
	r io.Reader
	p *Progress
}

func counting(r io.Reader, p *Progress) io.Reader {
	if p == nil {
		return r
	}
	return &countingReader{r, p}
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Read.Add(int64(n))
	return n, err
}
