package asff_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/asff"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	const acct = "111111111111"
	tests := []struct {
		file string
		want []evidence.Finding
	}{
		{"securityhub.json", []evidence.Finding{
			{CheckID: "securityhub:S3.8", Resource: "arn:aws:s3:::logs", Account: acct, Region: "eu-west-1", Status: evidence.Pass},
			{CheckID: "securityhub:S3.8", Resource: "arn:aws:s3:::web", Account: acct, Region: "eu-west-1", Status: evidence.Fail, Muted: true},
			{CheckID: "securityhub:IAM.6", Resource: "AWS::::Account:111111111111", Account: acct, Region: "us-east-1", Status: evidence.Fail, Archived: true},
			{CheckID: "securityhub:EC2.2", Resource: "sg-1", Account: acct, Region: "us-east-1", Status: evidence.Other},
			{CheckID: "securityhub:CloudTrail.2", Resource: "trail-1", Account: acct, Region: "us-east-2", Status: evidence.Other},
			{CheckID: "asff:arn:aws:guardduty:us-east-1:111111111111:detector/abc", Resource: "i-1", Account: acct, Region: "us-east-1", Status: evidence.Other},
		}},
		{"prowler.asff.json", []evidence.Finding{
			{CheckID: "prowler:aws:iam_root_mfa_enabled", Resource: "arn:aws:iam::111111111111:root", Account: acct, Region: "us-east-1", Status: evidence.Fail},
			{CheckID: "prowler:aws:account_maintain_current_contact_details", Resource: "111111111111", Account: acct, Region: "us-east-1", Status: evidence.Other},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := evidence.ReadAll(asff.Read, tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"no generator", "{\"Findings\": [\n  {\"Compliance\": {\"Status\": \"PASSED\"}}\n]}",
			"h.json:2:3 (byte 18): record 1: GeneratorId: missing; expected the ASFF GeneratorId of the finding"},
		{"findings not a list", `{"Findings": {"GeneratorId": "x"}}`,
			"h.json:1:14 (byte 14): Findings: expected a list of findings"},
		{"no findings key", `{"Items": []}`,
			`h.json:1:1 (byte 1): expected a JSON list of findings or an object with the key "Findings"`},
		{"compliance of the wrong type", "[\n{\"GeneratorId\": \"x\", \"Compliance\": \"PASSED\"}\n]",
			"h.json:2:36 (byte 38): record 1: Compliance: expected an object, found a JSON string"},
		{"trailing comma", "{\"Findings\": [\n{\"GeneratorId\": \"x\"},\n]}",
			"h.json:2:21 (byte 36): invalid JSON: invalid character ',' at start of value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := evidence.ReadAll(asff.Read, "h.json", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestLegacyStandardControls(t *testing.T) {
	tests := []struct {
		name, finding, want string
	}{
		{"cis 1.2.0 by rule id", `"GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/1.14", "ProductFields": {"RuleId": "1.14"}`, "securityhub:IAM.6"},
		{"cis 1.2.0 by generator only", `"GeneratorId": "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.3"`, "securityhub:EC2.2"},
		{"cis 1.4.0 by recommendation url", `"GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/3.7", "ProductFields": {"ControlId": "3.7", "RecommendationUrl": "https://docs.aws.amazon.com/console/securityhub/CloudTrail.2/remediation"}`, "securityhub:CloudTrail.2"},
		{"cis 1.4.0 without url keeps its generator", `"GeneratorId": "cis-aws-foundations-benchmark/v/1.4.0/4.9"`, "securityhub:cis-aws-foundations-benchmark/v/1.4.0/4.9"},
		{"pci by control id", `"GeneratorId": "pci-dss/v/3.2.1/PCI.S3.6", "ProductFields": {"ControlId": "PCI.S3.6"}`, "securityhub:S3.1"},
		{"pci by generator only", `"GeneratorId": "pci-dss/v/3.2.1/PCI.IAM.3"`, "securityhub:IAM.1"},
		{"security control id wins", `"GeneratorId": "pci-dss/v/3.2.1/PCI.IAM.3", "Compliance": {"Status": "PASSED", "SecurityControlId": "IAM.99"}`, "securityhub:IAM.99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := `[{"SchemaVersion": "2018-10-08", "Compliance": {"Status": "FAILED"}, ` + tt.finding + `}]`
			got, err := evidence.ReadAll(asff.Read, "h.json", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].CheckID != tt.want {
				t.Errorf("findings %+v, want one with check %s", got, tt.want)
			}
		})
	}
}

func TestFindingTime(t *testing.T) {
	tests := []struct {
		name, fields string
		want         time.Time
	}{
		{"updated wins", `"UpdatedAt": "2021-09-28T16:10:00.087Z", "LastObservedAt": "2200-01-12T07:30:38.000Z", "CreatedAt": "2020-08-06T02:18:23.076Z"`,
			time.Date(2021, 9, 28, 16, 10, 0, 87e6, time.UTC)},
		{"last observed without updated", `"LastObservedAt": "2023-03-18T15:43:31+01:00", "CreatedAt": "2020-08-06T02:18:23Z"`,
			time.Date(2023, 3, 18, 14, 43, 31, 0, time.UTC)},
		{"created alone", `"CreatedAt": "2020-08-06T02:18:23Z"`, time.Date(2020, 8, 6, 2, 18, 23, 0, time.UTC)},
		{"none", `"SchemaVersion": "2018-10-08"`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := `[{"GeneratorId": "security-control/S3.8", "Compliance": {"Status": "PASSED"}, ` + tt.fields + `}]`
			got, err := evidence.ReadAll(asff.Read, "h.json", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || !got[0].Time.Equal(tt.want) {
				t.Errorf("findings %+v, want one at %s", got, tt.want)
			}
		})
	}
	_, err := evidence.ReadAll(asff.Read, "h.json", []byte(`[{"GeneratorId": "x", "UpdatedAt": "last week"}]`))
	if want := `h.json:1:2 (byte 2): record 1: UpdatedAt: "last week"; expected ` + evidence.TimeForms; err == nil || err.Error() != want {
		t.Errorf("error\n got %v\nwant %s", err, want)
	}
}
