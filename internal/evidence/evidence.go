// Package evidence turns scanner output into automated evidence for the
// maturity model. A scanner file is read into findings (one per resource a
// check evaluated) by the package of its format (prowler, asff, powerpipe,
// genericcsv; the load package picks the right one), and this package counts
// them: per file for people (Summarize) and per objective for scoring
// (Tally), through the check IDs that model objectives list.
//
// A check ID is canonical across formats so that a model can name it once:
//
//	prowler:<provider>:<check_id>   a Prowler check (prowler:aws:iam_root_mfa_enabled)
//	securityhub:<ControlId>         an AWS Security Hub control (securityhub:IAM.6)
//	powerpipe:<control>             a Powerpipe or Steampipe control
//	<check>                         the check column of a generic CSV, as written
package evidence

import (
	"errors"
	"fmt"
	"strings"
	"time"
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
)

// Formats lists every supported input format.
func Formats() []Format {
	return []Format{ProwlerOCSF, ProwlerCSV, ProwlerJSON, ASFF, Powerpipe, GenericCSV}
}

// formatList is Formats for error messages.
func formatList() string {
	var s []string
	for _, f := range Formats() {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// File is one scanner file read into findings.
type File struct {
	Path     string
	Format   Format
	Findings []Finding
	// Imported is when the file was imported: the scan time of findings
	// that carry none. Zero when unknown (such evidence never goes stale).
	Imported time.Time
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

// ParseError locates a problem in a scanner file: the file, the line (and
// column when known), the record (1-based: the element of a JSON list or the
// data row of a CSV), and what was expected.
type ParseError struct {
	File   string
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
