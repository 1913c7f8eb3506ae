package prowler

import (
	"io"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// ReadCSV reads Prowler's CSV output with a header row: the ';'-separated
// CSV of Prowler 3 to 5 (CHECK_ID, STATUS, MUTED, PROVIDER, ACCOUNT_UID or
// ACCOUNT_ID, REGION, RESOURCE_UID or RESOURCE_ARN or RESOURCE_ID) and the
// ','-separated CSV of Prowler 2 (TITLE_TEXT "[checkNN] ...", CHECK_RESULT,
// ACCOUNT_NUM, REGION). Only the columns kept are copied out of each row.
// The finding's time is TIMESTAMP (Prowler 4 and 5) or ASSESSMENT_START_TIME
// (Prowler 3); Prowler 2's CSV has none.
func ReadCSV(file string, r io.Reader, emit evidence.Emit) error {
	cr, err := evidence.NewCSVReader(file, r)
	if err != nil {
		return err
	}
	columns := cr.Columns
	v2 := evidence.HasColumns(columns, "CHECK_RESULT", "TITLE_ID")
	if !v2 && !evidence.HasColumns(columns, "CHECK_ID", "STATUS") {
		return &evidence.ParseError{File: file, Line: 1, Message: "expected a Prowler CSV header with CHECK_ID and STATUS (or TITLE_ID and CHECK_RESULT)"}
	}
	var ids idCache
	var times evidence.TimeParser
	var col struct{ check, status, provider, resource, account, region, muted, time int }
	first := true
	var timeName string
	return cr.Each(func(r evidence.CSVRow) error {
		if v2 {
			check := v2CheckID(r.Value("TITLE_TEXT"), r.Value("TITLE_ID"))
			if check == "" {
				return &evidence.FieldError{Field: "TITLE_TEXT", Message: `expected "[checkNN] title" or a TITLE_ID`}
			}
			st, _ := status(r.Value("CHECK_RESULT"))
			return emit(evidence.Finding{
				CheckID: ids.get("aws", check), Account: r.Value("ACCOUNT_NUM"), Region: r.Value("REGION"), Status: st,
			})
		}
		if first {
			first = false
			col.check, col.status, col.provider = r.Column("CHECK_ID"), r.Column("STATUS"), r.Column("PROVIDER")
			col.resource = r.Column("RESOURCE_UID", "RESOURCE_ARN", "RESOURCE_ID")
			col.account, col.region, col.muted = r.Column("ACCOUNT_UID", "ACCOUNT_ID"), r.Column("REGION"), r.Column("MUTED")
			col.time, timeName = r.Column("TIMESTAMP"), "TIMESTAMP"
			if col.time < 0 {
				col.time, timeName = r.Column("ASSESSMENT_START_TIME"), "ASSESSMENT_START_TIME"
			}
		}
		check := r.Field(col.check)
		if !validCheck(check) {
			return &evidence.FieldError{Field: "CHECK_ID", Message: "empty; expected the Prowler check ID"}
		}
		provider := r.Field(col.provider)
		if provider == "" {
			provider = "aws"
		}
		st, muted := status(r.Field(col.status))
		when, err := times.Parse(r.Field(col.time))
		if err != nil {
			return &evidence.FieldError{Field: timeName, Message: err.Error()}
		}
		return emit(evidence.Finding{
			Time:     when,
			CheckID:  ids.get(provider, check),
			Resource: r.Field(col.resource),
			Account:  r.Field(col.account),
			Region:   r.Field(col.region),
			Status:   st,
			Muted:    muted || strings.EqualFold(r.Field(col.muted), "true"),
		})
	})
}
