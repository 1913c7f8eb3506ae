// Package evidence turns scanner output into automated evidence for the
// maturity model. A scanner file is read into findings (one per resource a
// check evaluated) by the package of its format (prowler, asff, powerpipe,
// scoutsuite, genericcsv; the load package picks the right one), and this package counts
// them: per file for people (Summarize) and per objective for scoring
// (Tally), through the check IDs that model objectives list.
//
// A check ID is canonical across formats so that a model can name it once:
//
//	prowler:<provider>:<check_id>   a Prowler check (prowler:aws:iam_root_mfa_enabled)
//	securityhub:<ControlId>         an AWS Security Hub control (securityhub:IAM.6)
//	powerpipe:<control>             a Powerpipe or Steampipe control
//	scoutsuite:<provider>:<rule>    a ScoutSuite rule (scoutsuite:aws:iam-root-account-no-mfa)
//	<check>                         the check column of a generic CSV, as written
package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// Status is the outcome of one finding.
type Status string

// The outcomes of a finding. Only pass and fail are resource evaluations that
// count towards an automated value; manual and other are counted and shown.
const (
	// Pass: the resource meets the check.
	Pass Status = "pass"
	// Fail: the resource does not meet the check.
	Fail Status = "fail"
	// Manual: the check needs a person to verify it.
	Manual Status = "manual"
	// Other: informational, skipped, errored or not available.
	Other Status = "other"
)

// Finding is one evaluation of one resource by one check.
type Finding struct {
	// CheckID is the canonical check ID (see the package documentation).
	CheckID  string `json:"check_id"`
	Resource string `json:"resource,omitempty"`
	Account  string `json:"account,omitempty"`
	Region   string `json:"region,omitempty"`
	Status   Status `json:"status"`
	// Muted findings were suppressed in the scanner (mutelist, allowlist,
	// suppressed workflow): counted by outcome but left out of scoring.
	Muted bool `json:"muted,omitempty"`
	// Archived findings are no longer current (ASFF RecordState ARCHIVED):
	// counted only as archived.
	Archived bool `json:"archived,omitempty"`
	// Scope is the assessment scope the finding belongs to, when the file
	// says (the scope column of a generic CSV); empty for every scope.
	Scope string `json:"scope,omitempty"`
	// Time is when the scan evaluated the resource, when the file says;
	// zero otherwise (the file's import time then stands for it).
	Time time.Time `json:"time,omitzero"`
}

// Format names a supported input format.
type Format string

// The supported input formats.
const (
	ProwlerOCSF Format = "prowler-ocsf"
	ProwlerCSV  Format = "prowler-csv"
	ProwlerJSON Format = "prowler-json"
	ASFF        Format = "asff"
	Powerpipe   Format = "powerpipe"
	GenericCSV  Format = "generic-csv"
	ScoutSuite  Format = "scoutsuite"
	// CSMMCollect is the output of csmm collect (package csmmcollect).
	CSMMCollect Format = "csmm-collect"
)

// Formats lists every supported input format.
func Formats() []Format {
	return []Format{ProwlerOCSF, ProwlerCSV, ProwlerJSON, ASFF, Powerpipe, ScoutSuite, GenericCSV, CSMMCollect}
}

// formatList is Formats for error messages.
func formatList() string {
	var s []string
	for _, f := range Formats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// Emit receives the findings of a scanner file one at a time, in file
// order, from the reader of its format. The strings of a finding may share
// memory with the reader's buffers and are valid only during the call: an
// Emit clones what it keeps (File.Add keeps per-check outcomes only). An
// error Emit returns stops the reading and is returned, located at the
// record.
type Emit func(Finding) error

// Outcome is what a file says about one check in one scope: its findings
// counted by outcome. It is what evidence keeps of a file, whatever its size.
type Outcome struct {
	CheckID string `json:"check_id"`
	// Scope is the scope of the findings (the scope column of a generic
	// CSV); empty for every scope.
	Scope string `json:"scope,omitempty"`
	// Scanned is the day the scan evaluated these findings (UTC), from each
	// finding's own time, zero when the findings carry no time: findings of
	// one check seen on different days are different outcomes, so each goes
	// stale on its own (scoring.md, "the finding's own time").
	Scanned assess.Date `json:"scanned,omitzero"`
	// Status counts the findings that are not archived by outcome, muted
	// ones included; Muted counts the muted ones among them.
	Status StatusCounts `json:"status"`
	Muted  StatusCounts `json:"muted"`
	// Archived counts the archived findings, which appear nowhere else.
	Archived int `json:"archived"`
}

// File is one scanner file read into outcomes per check and scope. The
// findings themselves are not kept: a reader emits them to Add one at a time.
type File struct {
	Path   string
	Format Format
	// Imported is when the file was imported: the scan time of findings
	// that carry none. Zero when unknown (such evidence never goes stale).
	Imported time.Time
	// Findings counts every finding added, archived and muted included.
	Findings int
	// Outcomes are per check, scope and scan day, in order of first
	// appearance.
	Outcomes []*Outcome
	index    map[outcomeKey]*Outcome
	// last is the outcome of the previous finding: scanners write the
	// findings of a check together.
	last *Outcome
}

type outcomeKey struct {
	check, scope string
	scanned      assess.Date
}

// NewFile returns an empty file of a format, ready for Add, holding the
// given findings when there are any.
func NewFile(path string, format Format, findings ...Finding) *File {
	f := &File{Path: path, Format: format}
	for _, fd := range findings {
		f.Add(fd)
	}
	return f
}

// Add counts one finding in the outcome of its check, scope and scan day.
func (f *File) Add(fd Finding) {
	f.Findings++
	var day assess.Date
	if !fd.Time.IsZero() {
		day = assess.DateOf(fd.Time.UTC())
	}
	o := f.last
	if o == nil || o.CheckID != fd.CheckID || o.Scope != fd.Scope || o.Scanned != day {
		o = f.index[outcomeKey{fd.CheckID, fd.Scope, day}]
	}
	if o == nil {
		if f.index == nil {
			f.index = map[outcomeKey]*Outcome{}
		}
		// Copies: the finding's strings may share memory with a larger
		// buffer of the reader.
		o = &Outcome{CheckID: strings.Clone(fd.CheckID), Scope: strings.Clone(fd.Scope), Scanned: day}
		f.index[outcomeKey{o.CheckID, o.Scope, day}] = o
		f.Outcomes = append(f.Outcomes, o)
	}
	f.last = o
	if fd.Archived {
		o.Archived++
		return
	}
	o.Status.add(fd.Status)
	if fd.Muted {
		o.Muted.add(fd.Status)
	}
}

// Emit is an Emit that adds each finding to the file.
func (f *File) Emit(fd Finding) error {
	f.Add(fd)
	return nil
}

// ErrUnsupported is the error, wrapped, of a file that is not in a supported
// format (another tool's output, or no findings file at all).
var ErrUnsupported = errors.New("unsupported format")

// UnsupportedError says which file is not in a supported format and, when it
// is recognised, what it is.
type UnsupportedError struct {
	File string
	// What describes the file, such as "ScoutSuite results"; may be empty.
	What string
}

func (e *UnsupportedError) Error() string {
	what := ""
	if e.What != "" {
		what = " (" + e.What + ")"
	}
	return fmt.Sprintf("%s: unsupported format%s; csmm reads %s", e.File, what, formatList())
}

// Unwrap makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// ParseError locates a problem in a scanner file: the file, the byte
// offset, the line (and column when known), the record (1-based: the
// element of a JSON list or the data row of a CSV), and what was expected.
type ParseError struct {
	File string
	// Byte is the 1-based position of the byte at fault in the content
	// (after decompression), 0 when unknown; Line and Column are 1-based, 0
	// when unknown (a stream is located by its byte only, a file also by
	// line and column: see Locate).
	Byte   int64
	Line   int
	Column int
	Record int
	// Field is the field of the record at fault, when known.
	Field   string
	Message string
	Err     error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	if e.Byte > 0 {
		fmt.Fprintf(&b, " (byte %d)", e.Byte)
	}
	if e.Record > 0 {
		fmt.Fprintf(&b, ": record %d", e.Record)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *ParseError) Unwrap() error { return e.Err }

// ReadAll reads data with the reader of a format and returns all its
// findings (their strings cloned), an error located by line and column too:
// for small inputs and tests; files are read with Emit to a File.
func ReadAll(read func(file string, r io.Reader, emit Emit) error, file string, data []byte) ([]Finding, error) {
	var out []Finding
	err := read(file, bytes.NewReader(data), func(fd Finding) error {
		fd.CheckID, fd.Resource, fd.Account = strings.Clone(fd.CheckID), strings.Clone(fd.Resource), strings.Clone(fd.Account)
		fd.Region, fd.Scope = strings.Clone(fd.Region), strings.Clone(fd.Scope)
		out = append(out, fd)
		return nil
	})
	if err != nil {
		Locate(err, bytes.NewReader(data))
		return nil, err
	}
	return out, nil
}

// ScanDays returns the earliest and the latest scan day of the file's
// outcomes that carry one; both zero
// when no finding carries a time.
func (f *File) ScanDays() (first, last assess.Date) {
	for _, o := range f.Outcomes {
		if o.Scanned.IsZero() {
			continue
		}
		if first.IsZero() || first.After(o.Scanned) {
			first = o.Scanned
		}
		if last.IsZero() || o.Scanned.After(last) {
			last = o.Scanned
		}
	}
	return first, last
}
