package prowler

import (
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// ParseCSV reads Prowler's CSV output with a header row: the ';'-separated
// CSV of Prowler 3 to 5 (CHECK_ID, STATUS, MUTED, PROVIDER, ACCOUNT_UID or
// ACCOUNT_ID, REGION, RESOURCE_UID or RESOURCE_ARN or RESOURCE_ID) and the
// ','-separated CSV of Prowler 2 (TITLE_TEXT "[checkNN] ...", CHECK_RESULT,
// ACCOUNT_NUM, REGION).
func ParseCSV(file string, data []byte) ([]evidence.Finding, error) {
	columns, comma := evidence.CSVHeader(data)
	v2 := evidence.HasColumns(columns, "CHECK_RESULT", "TITLE_ID")
	if !v2 && !evidence.HasColumns(columns, "CHECK_ID", "STATUS") {
		return nil, &evidence.ParseError{File: file, Line: 1, Message: "expected a Prowler CSV header with CHECK_ID and STATUS (or TITLE_ID and CHECK_RESULT)"}
	}
	var out []evidence.Finding
	err := evidence.EachCSVRow(file, data, comma, func(r evidence.CSVRow) error {
		if v2 {
			check := v2CheckID(r.Value("TITLE_TEXT"), r.Value("TITLE_ID"))
			if check == "" {
				return &evidence.FieldError{Field: "TITLE_TEXT", Message: `expected "[checkNN] title" or a TITLE_ID`}
			}
			st, _ := status(r.Value("CHECK_RESULT"))
			out = append(out, evidence.Finding{
				CheckID: CheckID("aws", check), Account: r.Value("ACCOUNT_NUM"), Region: r.Value("REGION"), Status: st,
			})
			return nil
		}
		check := r.Value("CHECK_ID")
		if !validCheck(check) {
			return &evidence.FieldError{Field: "CHECK_ID", Message: "empty; expected the Prowler check ID"}
		}
		provider := r.Value("PROVIDER")
		if provider == "" {
			provider = "aws"
		}
		st, muted := status(r.Value("STATUS"))
		out = append(out, evidence.Finding{
			CheckID:  CheckID(provider, check),
			Resource: r.Value("RESOURCE_UID", "RESOURCE_ARN", "RESOURCE_ID"),
			Account:  r.Value("ACCOUNT_UID", "ACCOUNT_ID"),
			Region:   r.Value("REGION"),
			Status:   st,
			Muted:    muted || strings.EqualFold(r.Value("MUTED"), "true"),
		})
		return nil
	})
	return out, err
}
