package prowler

import (
	"bufio"
	"io"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/lazyregexp"
)

// v3Finding is a finding of Prowler 3's native JSON output, read by
// decodeV3. The struct tags name the same members for DecodeRecord, which
// the tests hold decodeV3's results and errors equal to.
type v3Finding struct {
	Provider    string  `json:"Provider"`
	CheckID     string  `json:"CheckID"`
	Status      *string `json:"Status"`
	Muted       bool    `json:"Muted"`
	AccountID   string  `json:"AccountId"`
	Region      string  `json:"Region"`
	ResourceArn string  `json:"ResourceArn"`
	ResourceID  string  `json:"ResourceId"`
	// AssessmentStartTime is when the scan started.
	AssessmentStartTime string `json:"AssessmentStartTime"`
}

// v2Finding is a line of Prowler 2's JSON output.
type v2Finding struct {
	Account   string  `json:"Account Number"`
	Control   string  `json:"Control"`
	ControlID string  `json:"Control ID"`
	Status    *string `json:"Status"`
	Region    string  `json:"Region"`
	Resource  string  `json:"Resource ID"`
	Timestamp string  `json:"Timestamp"`
}

// ReadJSON reads Prowler's native JSON output: the JSON list of Prowler 3
// (CheckID, Status PASS/FAIL/INFO/WARNING, Provider, AccountId, Region,
// ResourceArn) or the JSON Lines of Prowler 2 (one object per line with
// Control, Control ID and Status). Prowler 3 wrote WARNING for an allowlisted
// finding: it is read as muted with outcome other.
func ReadJSON(file string, r io.Reader, emit evidence.Emit) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if firstByte(br) == '{' {
		return readV2JSON(file, br, emit)
	}
	return evidence.ReadRecords(file, br, nil, newV3Reader, emit)
}

// decodeV3 reads the finding at dec into f, which it resets first.
func decodeV3(dec *evidence.Scanner, f *v3Finding) error {
	*f = v3Finding{}
	_, err := evidence.ReadObject(dec, func(name []byte) (bool, error) {
		switch string(name) {
		case "Status":
			return true, evidence.ReadStringPtr(dec, &f.Status)
		case "Muted":
			return true, evidence.ReadBool(dec, &f.Muted)
		}
		if s := f.Field(name); s != nil {
			return true, evidence.ReadString(dec, s)
		}
		return false, nil
	})
	return err
}

// Field returns the string member name of a Prowler 3 finding goes into.
func (f *v3Finding) Field(name []byte) *string {
	switch string(name) {
	case "Provider":
		return &f.Provider
	case "CheckID":
		return &f.CheckID
	case "AccountId":
		return &f.AccountID
	case "Region":
		return &f.Region
	case "ResourceArn":
		return &f.ResourceArn
	case "ResourceId":
		return &f.ResourceID
	case "AssessmentStartTime":
		return &f.AssessmentStartTime
	}
	return nil
}

// newV3Reader returns a reader of Prowler 3 findings with its own storage.
func newV3Reader() evidence.RecordReader {
	var ids idCache
	var times evidence.TimeParser
	var f v3Finding
	return func(dec *evidence.Scanner, rec int, emit evidence.Emit) error {
		if err := decodeV3(dec, &f); err != nil {
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
		when, err := times.Field("AssessmentStartTime", f.AssessmentStartTime)
		if err != nil {
			return err
		}
		res := f.ResourceArn
		if res == "" {
			res = f.ResourceID
		}
		return emit(evidence.Finding{
			CheckID: ids.get(provider, f.CheckID), Resource: res, Account: f.AccountID,
			Region: f.Region, Status: st, Muted: muted || f.Muted, Time: when,
		})
	}
}

// v2Check reads the check name of a Prowler 2 title: "[check114] Ensure ...".
var v2Check = lazyregexp.New(`^\s*\[([A-Za-z0-9_]+)\]`)

func readV2JSON(file string, r io.Reader, emit evidence.Emit) error {
	var ids idCache
	var times evidence.TimeParser
	return evidence.EachJSONLine(file, r, func(rec int, dec *jsontext.Decoder) error {
		var f v2Finding
		if err := evidence.DecodeRecord(dec, &f); err != nil {
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
		when, err := times.Field("Timestamp", f.Timestamp)
		if err != nil {
			return err
		}
		return emit(evidence.Finding{
			CheckID: ids.get("aws", check), Resource: f.Resource, Account: f.Account, Region: f.Region, Status: st, Time: when,
		})
	})
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

// firstByte returns the first byte of r that is not white space or a byte
// order mark, without consuming it.
func firstByte(r *bufio.Reader) byte {
	for n := 64; n <= r.Size(); n *= 2 {
		data, err := r.Peek(n)
		for _, b := range data {
			switch b {
			case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
				continue
			}
			return b
		}
		if err != nil {
			return 0
		}
	}
	return 0
}
