package powerpipe_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/powerpipe"
	"github.com/google/go-cmp/cmp"
)

const (
	rootMFA = "powerpipe:aws_compliance.control.iam_root_user_mfa_enabled"
	s3      = "powerpipe:aws_compliance.control.s3_bucket_restrict_public_access"
)

func reader(read func(string, io.Reader, evidence.Emit) error) func(string, []byte) ([]evidence.Finding, error) {
	return func(name string, data []byte) ([]evidence.Finding, error) {
		return evidence.ReadAll(read, name, data)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		file  string
		parse func(string, []byte) ([]evidence.Finding, error)
		want  []evidence.Finding
	}{
		{"benchmark.json", reader(powerpipe.ReadJSON), []evidence.Finding{
			// A group's own controls come before those of its subgroups.
			{CheckID: s3, Resource: "arn:aws:s3:::logs", Region: "eu-west-1", Status: evidence.Pass},
			{CheckID: s3, Resource: "arn:aws:s3:::none", Status: evidence.Other},
			{CheckID: s3, Resource: "arn:aws:s3:::secret", Status: evidence.Other},
			{CheckID: rootMFA, Resource: "arn:aws:::111111111111", Account: "111111111111", Region: "global", Status: evidence.Pass},
			{CheckID: rootMFA, Resource: "arn:aws:::222222222222", Account: "222222222222", Region: "global", Status: evidence.Fail},
		}},
		{"results.csv", reader(powerpipe.ReadCSV), []evidence.Finding{
			{CheckID: rootMFA, Resource: "arn:aws:::111111111111", Account: "111111111111", Region: "global", Status: evidence.Pass},
			{CheckID: rootMFA, Resource: "arn:aws:::222222222222", Account: "222222222222", Region: "global", Status: evidence.Fail},
			{CheckID: s3, Resource: "arn:aws:s3:::logs", Account: "111111111111", Region: "eu-west-1", Status: evidence.Other},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.parse(tt.file, data)
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
		name  string
		parse func(string, []byte) ([]evidence.Finding, error)
		data  string
		want  string
	}{
		{"json unknown status", reader(powerpipe.ReadJSON),
			`{"group_id": "r", "groups": [{"group_id": "g", "controls": [{"control_id": "c", "results": [{"status": "ok"}, {"status": "maybe"}]}]}]}`,
			`p.json: record 2: groups[0].controls[0].results[1].status: "maybe"; expected ok, alarm, skip, info or error`},
		{"json control without id", reader(powerpipe.ReadJSON),
			`{"group_id": "r", "controls": [{"results": []}]}`,
			`p.json: record 1: controls[0].control_id: missing; expected the control's name`},
		{"json groups of the wrong type", reader(powerpipe.ReadJSON),
			"{\"group_id\": \"r\",\n \"groups\": 3}",
			`p.json:2:12 (byte 30): groups: expected a list, found a JSON number`},
		{"csv unknown status", reader(powerpipe.ReadCSV),
			"control_id,reason,resource,status\nc,r,res,ok\nc,r,res,ALARMING\n",
			`p.json:3 (byte 46): record 2: status: "ALARMING"; expected ok, alarm, skip, info or error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.parse("p.json", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
