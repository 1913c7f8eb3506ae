package genericcsv_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/genericcsv"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	const acct = "111111111111"
	tests := []struct {
		file string
		want []evidence.Finding
	}{
		{"findings.csv", []evidence.Finding{
			{CheckID: "custom:backup_enabled", Resource: "db-1", Account: acct, Region: "eu-west-1", Status: evidence.Pass},
			{CheckID: "custom:backup_enabled", Resource: "db-2", Account: acct, Region: "eu-west-1", Status: evidence.Fail},
			{CheckID: "custom:backup_enabled", Resource: "db-3", Account: acct, Region: "eu-west-1", Status: evidence.Fail, Muted: true},
			{CheckID: "custom:backup_enabled", Resource: "db-4", Account: acct, Region: "eu-west-1", Status: evidence.Pass, Archived: true},
			{CheckID: "custom:tls, strict", Resource: "lb-1", Status: evidence.Pass},
			{CheckID: "custom:runbook", Status: evidence.Manual},
			{CheckID: "custom:scan", Status: evidence.Other},
		}},
		{"semicolon.csv", []evidence.Finding{
			// The timestamp column, in UTC.
			{CheckID: "prowler:aws:s3_bucket_public_access", Resource: "arn:aws:s3:::web", Scope: "production", Status: evidence.Fail,
				Time: time.Date(2026, 11, 20, 7, 0, 0, 0, time.UTC)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := evidence.ReadAll(genericcsv.Read, tt.file, data)
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
		{"unknown status", "check,status\na:1,pass\na:2,green\n", `g.csv:3 (byte 23): record 2: status: "green"; expected pass, fail, manual or other`},
		{"empty status", "check,status\na:1,\n", `g.csv:2 (byte 14): record 1: status: ""; expected pass, fail, manual or other`},
		{"empty check", "check,status\n,pass\n", `g.csv:2 (byte 14): record 1: check: empty; expected a check ID`},
		{"bad muted", "check,status,muted\na:1,pass,perhaps\n", `g.csv:2 (byte 20): record 1: muted: "perhaps"; expected true or false`},
		{"bad time", "check,status,time\na:1,pass,2026-11-20\na:2,pass,20/11/2026\n", `g.csv:3 (byte 39): record 2: time: "20/11/2026"; expected ` + evidence.TimeForms},
		{"no status column", "check,result\na:1,pass\n", `g.csv:1: expected a CSV header with the columns check and status (and optionally resource, account, region, scope, muted, archived, time)`},
		{"unterminated quote", "check,status\n\"a:1,pass\n", `g.csv:2:1 (byte 14): invalid CSV: wrong number of fields; expected as many as the header row`},
		{"empty", "", `g.csv:1: expected a CSV header with the columns check and status (and optionally resource, account, region, scope, muted, archived, time)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := evidence.ReadAll(genericcsv.Read, "g.csv", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
