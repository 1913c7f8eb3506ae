package prowler

import (
	"encoding/json"
	"regexp"

	"github.com/csmm/csmm/internal/evidence"
)

// v3Finding is a finding of Prowler 3's native JSON output.
type v3Finding struct {
	Provider    string  `json:"Provider"`
	CheckID     string  `json:"CheckID"`
	Status      *string `json:"Status"`
	Muted       bool    `json:"Muted"`
	AccountID   string  `json:"AccountId"`
	Region      string  `json:"Region"`
	ResourceArn string  `json:"ResourceArn"`
	ResourceID  string  `json:"ResourceId"`
}

// v2Finding is a line of Prowler 2's JSON output.
type v2Finding struct {
	Account   string  `json:"Account Number"`
	Control   string  `json:"Control"`
	ControlID string  `json:"Control ID"`
	Status    *string `json:"Status"`
	Region    string  `json:"Region"`
	Resource  string  `json:"Resource ID"`
}

// ParseJSON reads Prowler's native JSON output: the JSON list of Prowler 3
// (CheckID, Status PASS/FAIL/INFO/WARNING, Provider, AccountId, Region,
// ResourceArn) or the JSON Lines of Prowler 2 (one object per line with
// Control, Control ID and Status). Prowler 3 wrote WARNING for an allowlisted
// finding: it is read as muted with outcome other.
func ParseJSON(file string, data []byte) ([]evidence.Finding, error) {
	if first := firstByte(data); first == '{' {
		return parseV2JSON(file, data)
	}
	var out []evidence.Finding
	err := evidence.EachJSONRecord(file, data, nil, func(rec int, raw json.RawMessage) error {
		var f v3Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		if !validCheck(f.CheckID) {
			return &evidence.FieldError{Field: "CheckID", Message: "missing; expected the Prowler check ID"}
		}
		if f.Status == nil {
			return &evidence.FieldError{Field: "Status", Message: "missing; expected PASS, FAIL, INFO or WARNING"}
		}
		provider := f.Provider
		if provider == "" {
			provider = "aws"
		}
		st, muted := status(*f.Status)
		res := f.ResourceArn
		if res == "" {
			res = f.ResourceID
		}
		out = append(out, evidence.Finding{
			CheckID: CheckID(provider, f.CheckID), Resource: res, Account: f.AccountID,
			Region: f.Region, Status: st, Muted: muted || f.Muted,
		})
		return nil
	})
	return out, err
}

// v2Check reads the check name of a Prowler 2 title: "[check114] Ensure ...".
var v2Check = regexp.MustCompile(`^\s*\[([A-Za-z0-9_]+)\]`)

func parseV2JSON(file string, data []byte) ([]evidence.Finding, error) {
	var out []evidence.Finding
	err := evidence.EachJSONLine(file, data, func(rec int, raw json.RawMessage) error {
		var f v2Finding
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		check := v2CheckID(f.Control, f.ControlID)
		if check == "" {
			return &evidence.FieldError{Field: "Control", Message: `missing; expected "[checkNN] title" or a Control ID`}
		}
		if f.Status == nil {
			return &evidence.FieldError{Field: "Status", Message: "missing; expected PASS, FAIL, INFO or WARNING"}
		}
		st, _ := status(*f.Status)
		out = append(out, evidence.Finding{
			CheckID: CheckID("aws", check), Resource: f.Resource, Account: f.Account, Region: f.Region, Status: st,
		})
		return nil
	})
	return out, err
}

// v2CheckID returns the check of a Prowler 2 finding from its title, else
// its control number.
func v2CheckID(title, id string) string {
	if m := v2Check.FindStringSubmatch(title); m != nil {
		return m[1]
	}
	if validCheck(id) {
		return id
	}
	return ""
}

func firstByte(data []byte) byte {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xef, 0xbb, 0xbf: // a UTF-8 byte order mark
			continue
		}
		return b
	}
	return 0
}
