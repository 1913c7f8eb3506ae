package asff

import (
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/evidence/evidencetest"
)

// decoded is a finding's fields with the pointers followed.
type decoded struct {
	GeneratorID                             *string
	AwsAccountID, Region, ProductArn, State string
	UpdatedAt, LastObservedAt, CreatedAt    string
	ProductFields                           productFields
	Compliance                              *compliance
	Workflow                                *workflow
	Resources                               []resource
}

func view(f *finding) decoded {
	d := decoded{GeneratorID: f.GeneratorID, AwsAccountID: f.AwsAccountID, Region: f.Region, ProductArn: f.ProductArn, State: f.RecordState,
		UpdatedAt: f.UpdatedAt, LastObservedAt: f.LastObservedAt, CreatedAt: f.CreatedAt, ProductFields: f.ProductFields,
		Compliance: f.Compliance, Workflow: f.Workflow, Resources: f.Resources}
	if len(d.Resources) == 0 {
		d.Resources = nil
	}
	return d
}

// findingSeeds are the findings of the test files, findings with members
// of every wrong type, null, escaped names and duplicates, and inputs that
// are no finding.
func findingSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"securityhub.json", "prowler.asff.json"} {
		seeds = append(seeds, evidencetest.Records(t, filepath.Join("testdata", name))...)
	}
	for _, s := range append([]string{
		`{"GeneratorId": null, "Compliance": null, "Workflow": null, "Resources": null, "ProductFields": null}`,
		`{"GeneratorId": 1}`,
		`{"Compliance": "PASSED"}`,
		`{"Compliance": {"Status": ["PASSED"]}}`,
		`{"Resources": {"Id": "x"}}`,
		`{"Resources": [1]}`,
		`{"Resources": [{"Id": true}]}`,
		`{"ProductFields": {"ControlId": {}}}`,
		`{"Workflow": {"Status": null}, "Region": null}`,
		`{"Gen\u0065ratorId": "g", "Region": "a", "Region": "b"}`,
		`{"Gen\u0065ratorId\ud800": "g"}`,
		`{"Compliance": {"Status": "FAILED"}, "Compliance": {"SecurityControlId": "S3.1"}}`,
		`{"Compliance": {"Status": "FAILED"}, "Compliance": null, "Compliance": {"SecurityControlId": "S3.1"}}`,
		`{"Workflow": {"Status": "SUPPRESSED"}, "Workflow": null, "Workflow": {}}`,
		`{"ProductFields": {"ControlId": "c"}, "ProductFields": null, "Workflow": {"Status": "x"}, "Workflow": null}`,
		`{"Resources": [{"Id": "a"}], "Resources": [{"Region": "r"}]}`,
		`{"Remediation": {"Recommendation": {"Text": "x", "Url": [1, {"a": null}]}}, "GeneratorId": "g"}`,
		`{"Remediation": {"Recommendation": }`,
		`{"GeneratorId": "g"`,
		`{"Resources":{0`,
		`{"Region": `,
		`{"Compliance": A}`,
		`{"Compliance":{"Status":[`,
	}, evidencetest.MalformedRecords...) {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeFindingAsDecodeRecord(t *testing.T) {
	evidencetest.TestSameAsDecodeRecord(t, findingSeeds(t), decodeFinding, view)
}

func FuzzDecodeFinding(f *testing.F) {
	evidencetest.FuzzSameAsDecodeRecord(f, findingSeeds(f), decodeFinding, view)
}
