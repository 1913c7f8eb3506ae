// Package genericcsv reads findings from a plain CSV file, for scanners that
// csmm does not read directly: export their results to CSV with these
// columns (header names without regard to case, ',' or ';' separated):
//
//	check     the check ID, matched as written against the checks of the
//	          model's objectives, which have the form source:name
//	          (custom:backup_enabled); also: check_id, control_id, rule
//	status    pass, fail, manual or other (also accepted: passed, ok,
//	          compliant; failed, alarm, non_compliant; info, skip, error, na
//	          are other)
//	resource  the resource evaluated (optional; also: resource_id, resource_arn)
//	account   the account, subscription or project (optional; also: account_id)
//	scope     the assessment scope the finding belongs to (optional): the
//	          finding then counts in that scope only, unless the file is
//	          given to a scope as a whole (--evidence SCOPE=FILE)
//	region    the region (optional)
//	muted     true when the finding is muted (optional; true/yes/1)
//	archived  true when the finding is no longer current (optional)
//	time      when the scan evaluated the resource (optional; also:
//	          timestamp, scanned, scan_time), such as 2026-11-20T08:00:00Z
//	          or 2026-11-20: evidence older than the evidence validity is
//	          stale; without it the file's import time stands for it
//
// Each row is one finding: one resource evaluated by one check.
package genericcsv

import (
	"fmt"
	"io"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// The accepted names of each column, the first being the documented one.
var (
	checkColumns    = []string{"check", "check_id", "control_id", "rule"}
	statusColumns   = []string{"status"}
	resourceColumns = []string{"resource", "resource_id", "resource_uid", "resource_arn"}
	accountColumns  = []string{"account", "account_id"}
	timeColumns     = []string{"time", "timestamp", "scanned", "scan_time"}
)

// Detect reports whether a CSV header has the columns of a generic CSV: a
// check column and a status column.
func Detect(columns []string) bool {
	return hasAny(columns, checkColumns) && hasAny(columns, statusColumns)
}

func hasAny(columns, names []string) bool {
	for _, n := range names {
		if evidence.HasColumns(columns, n) {
			return true
		}
	}
	return false
}

func status(s string) (evidence.Status, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pass", "passed", "ok", "compliant":
		return evidence.Pass, true
	case "fail", "failed", "alarm", "non_compliant", "noncompliant":
		return evidence.Fail, true
	case "manual":
		return evidence.Manual, true
	case "other", "info", "skip", "skipped", "error", "na", "n/a", "not_available", "unknown", "warning":
		return evidence.Other, true
	}
	return "", false
}

func flag(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "no", "0":
		return false, true
	case "true", "yes", "1":
		return true, true
	}
	return false, false
}

// Read reads a generic CSV file.
func Read(file string, r io.Reader, emit evidence.Emit) error {
	cr, err := evidence.NewCSVReader(file, r)
	if err != nil {
		return err
	}
	if !Detect(cr.Columns) {
		return &evidence.ParseError{File: file, Line: 1, Message: "expected a CSV header with the columns check and status (and optionally resource, account, region, scope, muted, archived, time)"}
	}
	var times evidence.TimeParser
	return cr.Each(func(r evidence.CSVRow) error {
		check := r.Value(checkColumns...)
		if check == "" {
			return &evidence.FieldError{Field: "check", Message: "empty; expected a check ID"}
		}
		st, ok := status(r.Value(statusColumns...))
		if !ok {
			return &evidence.FieldError{Field: "status", Message: fmt.Sprintf("%q; expected pass, fail, manual or other", r.Value(statusColumns...))}
		}
		muted, ok := flag(r.Value("muted"))
		if !ok {
			return &evidence.FieldError{Field: "muted", Message: fmt.Sprintf("%q; expected true or false", r.Value("muted"))}
		}
		archived, ok := flag(r.Value("archived"))
		if !ok {
			return &evidence.FieldError{Field: "archived", Message: fmt.Sprintf("%q; expected true or false", r.Value("archived"))}
		}
		when, err := times.Parse(r.Value(timeColumns...))
		if err != nil {
			return &evidence.FieldError{Field: "time", Message: err.Error()}
		}
		return emit(evidence.Finding{
			Time:    when,
			CheckID: check, Resource: r.Value(resourceColumns...), Account: r.Value(accountColumns...),
			Region: r.Value("region"), Scope: r.Value("scope"), Status: st, Muted: muted, Archived: archived,
		})
	})
}
