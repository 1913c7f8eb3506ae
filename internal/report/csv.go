package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvHeader names the columns of the CSV export.
var csvHeader = []string{
	"scope", "domain", "category", "objective", "level", "title",
	"answer", "value", "met", "status", "source", "note", "answered_by", "date",
	"evidence", "exemption",
}

// WriteCSV writes one row per objective and scope, with a header, as RFC 4180
// (CRLF line ends, quoted where needed). Values are exact. Text that a
// spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
// is prefixed with a single quote.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	for _, s := range r.Scopes {
		for _, o := range s.Objectives {
			if err := cw.Write(csvRecord(o)); err != nil {
				return fmt.Errorf("write csv report: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

func csvRecord(o ObjectiveRow) []string {
	return []string{
		cell(o.Scope), o.Domain, o.Category, o.ID, strconv.Itoa(o.Level), cell(o.Title),
		string(o.Answer), value(o.Value), strconv.FormatBool(o.Met), string(o.Status), string(o.Source),
		cell(noteText(o)), cell(o.By), o.Date.String(),
		cell(evidenceText(o)), cell(exemptionText(o)),
	}
}

// value writes an exact value, or "" for an excluded objective.
func value(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// noteText joins the note and the justification of an answer.
func noteText(o ObjectiveRow) string {
	switch {
	case o.Note != "" && o.Justification != "":
		return o.Note + " / " + o.Justification
	case o.Justification != "":
		return o.Justification
	}
	return o.Note
}

func evidenceText(o ObjectiveRow) string {
	e := o.Evidence
	if e == nil {
		return ""
	}
	s := fmt.Sprintf("%d passed, %d failed", e.Passed, e.Failed)
	if e.Muted > 0 {
		s += fmt.Sprintf(", %d muted", e.Muted)
	}
	if e.Source != "" {
		s += " (" + e.Source + ")"
	}
	return s
}

func exemptionText(o ObjectiveRow) string {
	e := o.Exemption
	if e == nil {
		return ""
	}
	s := fmt.Sprintf("%s; approved by %s until %s", e.Reason, e.Approver, e.Until)
	if o.ExemptionExpired {
		s = "expired: " + s
	}
	return s
}

// cell keeps a spreadsheet from reading text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
