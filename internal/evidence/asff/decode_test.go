package asff

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/evidence"
)

// decoded is what a decoding of a finding gives: its fields with the
// pointers followed, and the error as a reader reports it.
type decoded struct {
	GeneratorID                             *string
	AwsAccountID, Region, ProductArn, State string
	UpdatedAt, LastObservedAt, CreatedAt    string
	ProductFields                           productFields
	Compliance                              *compliance
	Workflow                                *workflow
	Resources                               []resource
	Err                                     string
}

func decodedOf(f *finding, err error) decoded {
	d := decoded{GeneratorID: f.GeneratorID, AwsAccountID: f.AwsAccountID, Region: f.Region, ProductArn: f.ProductArn, State: f.RecordState,
		UpdatedAt: f.UpdatedAt, LastObservedAt: f.LastObservedAt, CreatedAt: f.CreatedAt, ProductFields: f.ProductFields,
		Compliance: f.Compliance, Workflow: f.Workflow, Resources: f.Resources}
	if len(d.Resources) == 0 {
		d.Resources = nil
	}
	if err != nil {
		d = decoded{Err: evidence.JSONError("f.json", 0, 1, err).Error()}
		// Invalid JSON is invalid to both; where and in which words it is
		// reported may differ (one decoder meets it reading a value whole,
		// the other token by token: "{{" is reported at the second brace
		// by one and past it by the other).
		if _, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
			d.Err = "invalid JSON"
		}
	}
	return d
}

// checkAsDecodeRecord decodes data with decodeFinding into a finding that
// holds the previous record's values, and with DecodeRecord (the struct
// tags of finding) into a fresh one, and fails when they differ.
func checkAsDecodeRecord(t *testing.T, f *finding, data []byte) {
	t.Helper()
	err := decodeFinding(evidence.NewJSONDecoder(bytes.NewReader(data)), f)
	got := decodedOf(f, err)
	var ref finding
	err = evidence.DecodeRecord(evidence.NewJSONDecoder(bytes.NewReader(data)), &ref)
	want := decodedOf(&ref, err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s\ndecodeFinding differs from DecodeRecord (-DecodeRecord +decodeFinding):\n%s", data, diff)
	}
}

// findingSeeds are the findings of the test files, and findings with
// members of every wrong type, null, escaped names and duplicates.
func findingSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, name := range []string{"securityhub.json", "prowler.asff.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		var file struct{ Findings []json.RawMessage }
		if err := json.Unmarshal(data, &file.Findings); err != nil {
			if err := json.Unmarshal(data, &file); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range file.Findings {
			seeds = append(seeds, f)
		}
	}
	for _, s := range []string{
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
		`{"Compliance": {"Status": "FAILED"}, "Compliance": {"SecurityControlId": "S3.1"}}`,
		`{"Resources": [{"Id": "a"}], "Resources": [{"Region": "r"}]}`,
		`{"Remediation": {"Recommendation": {"Text": "x", "Url": [1, {"a": null}]}}, "GeneratorId": "g"}`,
		`{"Remediation": {"Recommendation": }`,
		`{"GeneratorId": "g"`,
		`{{`,
		``,
		`A0`,
		`"0`,
		`{"Compliance":{"Status":[`,
		`{"ProductFields": {"ControlId": "c"}, "ProductFields": null, "Workflow": {"Status": "x"}, "Workflow": null}`,
		"{\"\\b\xff\":0}",
		`{"Gen\u0065ratorId\ud800": "g"}`,
		`{"Compliance": A}`,
		`{"Region": `,
		`{"Resources":{0`,
		`null`,
		`"finding"`,
		`[]`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeFindingAsDecodeRecord(t *testing.T) {
	var f finding
	for _, s := range findingSeeds(t) {
		checkAsDecodeRecord(t, &f, s)
	}
}

func FuzzDecodeFinding(f *testing.F) {
	for _, s := range findingSeeds(f) {
		f.Add(s)
	}
	var prev finding
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAsDecodeRecord(t, &prev, data)
	})
}
