package prowler

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

// decodedOCSF is what a decoding of a finding gives: its fields with the
// pointers followed, raw values as text, and the error as a reader
// reports it.
type decodedOCSF struct {
	StatusCode                     *string
	Status, Time, TimeDT, EventTim string
	Metadata                       ocsfMetadata
	FindingInfo                    ocsfFindingInfo
	Cloud                          *ocsfCloud
	Resources                      []ocsfResource
	Muted                          string
	Err                            string
}

func decodedOCSFOf(f *ocsfFinding, err error) decodedOCSF {
	d := decodedOCSF{StatusCode: f.StatusCode, Status: f.Status, Time: string(f.Time), TimeDT: f.TimeDT, EventTim: f.EventTime,
		Metadata: f.Metadata, FindingInfo: f.FindingInfo, Cloud: f.Cloud, Resources: f.Resources, Muted: string(f.Unmapped.Muted)}
	if len(d.Resources) == 0 {
		d.Resources = nil
	}
	if err != nil {
		d = decodedOCSF{Err: evidence.JSONError("f.json", 0, 1, err).Error()}
		// Invalid JSON is invalid to both; where and in which words it is
		// reported may differ (one decoder meets it reading a value whole,
		// the other token by token).
		if _, ok := errors.AsType[*jsontext.SyntacticError](err); ok {
			d.Err = "invalid JSON"
		}
	}
	return d
}

// checkOCSFAsDecodeRecord decodes data with decodeOCSF into a finding that
// holds the previous record's values, and with DecodeRecord (the struct
// tags of ocsfFinding) into a fresh one, and fails when they differ.
func checkOCSFAsDecodeRecord(t *testing.T, f *ocsfFinding, data []byte) {
	t.Helper()
	err := decodeOCSF(evidence.NewJSONDecoder(bytes.NewReader(data)), f)
	got := decodedOCSFOf(f, err)
	var ref ocsfFinding
	err = evidence.DecodeRecord(evidence.NewJSONDecoder(bytes.NewReader(data)), &ref)
	want := decodedOCSFOf(&ref, err)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s\ndecodeOCSF differs from DecodeRecord (-DecodeRecord +decodeOCSF):\n%s", data, diff)
	}
}

// ocsfSeeds are the findings of the test file, and findings with members
// of every wrong type, null, escaped names and duplicates.
func ocsfSeeds(t testing.TB) [][]byte {
	data, err := os.ReadFile(filepath.Join("testdata", "ocsf.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatal(err)
	}
	var seeds [][]byte
	for _, f := range list {
		seeds = append(seeds, f)
	}
	for _, s := range []string{
		`{"status_code": null, "cloud": null, "resources": null, "metadata": null, "finding_info": null, "unmapped": null, "time": null}`,
		`{"status_code": 1, "time": "1739543258"}`,
		`{"cloud": "aws"}`,
		`{"cloud": {"account": []}}`,
		`{"cloud": {"provider": "aws", "account": {"uid": "1"}}, "cloud": {"region": "r"}}`,
		`{"cloud": {"provider": "aws"}, "cloud": null}`,
		`{"cloud": {"account": {"uid": "1"}, "account": null}}`,
		`{"metadata": {"event_code": "c"}, "metadata": null, "finding_info": {"uid": "u"}, "finding_info": null}`,
		`{"unmapped": {"muted": true}, "unmapped": null}`,
		`{"unmapped": {"muted": {"a": [1, 2]}}, "time": {"x": 1}}`,
		`{"resources": {"uid": "x"}}`,
		`{"resources": [1]}`,
		`{"resources": [{"uid": true}]}`,
		`{"resources": [{"uid": "a"}, {"name": "b", "region": null}], "resources": [{"namespace": "n"}]}`,
		`{"metad\u0061ta": {"event_\u0063ode": "c"}, "status": "a", "status": "b"}`,
		`{"remediation": {"desc": "x", "references": [1, {"a": null}]}, "status_code": "PASS"}`,
		`{"remediation": {"desc": }`,
		`{"status_code": "PASS"`,
		`{{`,
		``,
		`A0`,
		`"0`,
		`{"metadata":{"event_code":[`,
		"{\"\\b\xff\":0}",
		`null`,
		`[]`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeOCSFAsDecodeRecord(t *testing.T) {
	var f ocsfFinding
	for _, s := range ocsfSeeds(t) {
		checkOCSFAsDecodeRecord(t, &f, s)
	}
}

func FuzzDecodeOCSF(f *testing.F) {
	for _, s := range ocsfSeeds(f) {
		f.Add(s)
	}
	var prev ocsfFinding
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOCSFAsDecodeRecord(t, &prev, data)
	})
}
