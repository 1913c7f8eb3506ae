package prowler

import (
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/evidence/evidencetest"
)

// decodedOCSF is a finding's fields with the pointers followed and raw
// values as text.
type decodedOCSF struct {
	StatusCode                      *string
	Status, Time, TimeDT, EventTime string
	Metadata                        ocsfMetadata
	FindingInfo                     ocsfFindingInfo
	Cloud                           *ocsfCloud
	Resources                       []ocsfResource
	Muted                           string
}

func viewOCSF(f *ocsfFinding) decodedOCSF {
	d := decodedOCSF{StatusCode: f.StatusCode, Status: f.Status, Time: string(f.Time), TimeDT: f.TimeDT, EventTime: f.EventTime,
		Metadata: f.Metadata, FindingInfo: f.FindingInfo, Cloud: f.Cloud, Resources: f.Resources, Muted: string(f.Unmapped.Muted)}
	if len(d.Resources) == 0 {
		d.Resources = nil
	}
	return d
}

// ocsfSeeds are the findings of the test file, findings with members of
// every wrong type, null, escaped names and duplicates, and inputs that
// are no finding.
func ocsfSeeds(t testing.TB) [][]byte {
	seeds := evidencetest.Records(t, filepath.Join("testdata", "ocsf.json"))
	for _, s := range append([]string{
		`{"status_code": null, "cloud": null, "resources": null, "metadata": null, "finding_info": null, "unmapped": null, "time": null}`,
		`{"status_code": 1, "time": "1739543258"}`,
		`{"cloud": "aws"}`,
		`{"cloud": {"account": []}}`,
		`{"cloud": {"provider": "aws", "account": {"uid": "1"}}, "cloud": {"region": "r"}}`,
		`{"cloud": {"provider": "aws"}, "cloud": null}`,
		`{"cloud": {"provider": "aws"}, "cloud": null, "cloud": {"region": "r"}}`,
		`{"metadata": {"event_code": "c"}, "metadata": {"version": "1"}, "finding_info": {"uid": "u"}, "finding_info": {}}`,
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
		`{"metadata":{"event_code":[`,
	}, evidencetest.MalformedRecords...) {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeOCSFAsDecodeRecord(t *testing.T) {
	evidencetest.TestSameAsDecodeRecord(t, ocsfSeeds(t), decodeOCSF, viewOCSF)
}

func FuzzDecodeOCSF(f *testing.F) {
	evidencetest.FuzzSameAsDecodeRecord(f, ocsfSeeds(f), decodeOCSF, viewOCSF)
}

// v3Seeds are the findings of the test file, findings with members of
// every wrong type, null, escaped names and duplicates, and inputs that
// are no finding.
func v3Seeds(t testing.TB) [][]byte {
	seeds := evidencetest.Records(t, filepath.Join("testdata", "v3.json"))
	for _, s := range append([]string{
		`{"CheckID": null, "Status": null, "Muted": null, "Region": null}`,
		`{"CheckID": "c", "Status": "PASS", "Muted": true}`,
		`{"CheckID": "c", "Status": "PASS", "Muted": false}`,
		`{"CheckID": "c", "Muted": false, "Muted": true, "Status": "FAIL", "Status": null}`,
		`{"Muted": "true"}`,
		`{"Muted": 1}`,
		`{"Muted": {"a": 1}}`,
		`{"Muted": [true]}`,
		`{"Muted": tru}`,
		`{"Status": 1, "CheckID": "c"}`,
		`{"Status": {"x": [1, 2]}}`,
		`{"Provider": ["aws"]}`,
		`{"Ch\u0065ckID": "c", "CheckID": "d", "Details": {"a": [1, {"b": null}]}}`,
		`{"CheckID": "c", "Status": "PASS"`,
		`{"Muted": true, "CheckID": }`,
	}, evidencetest.MalformedRecords...) {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

func TestDecodeV3AsDecodeRecord(t *testing.T) {
	evidencetest.TestSameAsDecodeRecord(t, v3Seeds(t), decodeV3, func(f *v3Finding) v3Finding { return *f })
}

func FuzzDecodeV3(f *testing.F) {
	evidencetest.FuzzSameAsDecodeRecord(f, v3Seeds(f), decodeV3, func(f *v3Finding) v3Finding { return *f })
}
