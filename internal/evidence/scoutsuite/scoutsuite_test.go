package scoutsuite_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/scoutsuite"
	"github.com/google/go-cmp/cmp"
)

func TestRead(t *testing.T) {
	data, err := os.ReadFile("testdata/results.js")
	if err != nil {
		t.Fatal(err)
	}
	const acct = "111111111111"
	// Every finding carries the run's time, last_run.time (+0200).
	run := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	want := []evidence.Finding{
		// Held until provider_code, which comes after the services.
		{CheckID: "scoutsuite:aws:iam-root-account-no-mfa", Resource: "iam.credential_reports.<root_account>.mfa_active", Account: acct, Status: evidence.Fail, Time: run},
		{CheckID: "scoutsuite:aws:iam-password-policy-no-expiration", Account: acct, Status: evidence.Pass, Time: run},
		{CheckID: "scoutsuite:aws:s3-bucket-no-logging", Resource: "s3.buckets.b1.logging", Account: acct, Status: evidence.Fail, Time: run},
		{CheckID: "scoutsuite:aws:s3-bucket-no-logging", Resource: "s3.buckets.b2.logging", Account: acct, Status: evidence.Fail, Time: run},
		{CheckID: "scoutsuite:aws:s3-bucket-no-logging", Account: acct, Status: evidence.Pass, Time: run},
		// s3-bucket-world-acl checked nothing: no finding.
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"with the JavaScript prefix", data},
		{"plain JSON", data[bytes.IndexByte(data, '{'):]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evidence.ReadAll(scoutsuite.Read, "results.js", tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"no object", "scoutsuite_results = 42", "s.js: expected \"scoutsuite_results =\" followed by a JSON object"},
		{"other prefix", "var x = {}", `s.js: expected "scoutsuite_results =" followed by a JSON object, found "var x ="`},
		{"no provider", `{"services": {"iam": {"findings": {"r": {"checked_items": 1, "flagged_items": 0, "items": []}}}}}`, "s.js: provider_code: missing"},
		{"no rules", `{"provider_code": "aws", "services": {}}`, "s.js: services: no rule findings"},
		{"checked items missing", `{"provider_code": "aws", "services": {"iam": {"findings": {"r": {"flagged_items": 0}}}}}`, "s.js: findings.r.checked_items: missing"},
		{"bad run time", `{"provider_code": "aws", "last_run": {"time": "01/01/2025"}, "services": {}}`, `s.js: last_run.time: "01/01/2025"; expected a date and time`},
		{"truncated", "scoutsuite_results =\n{\"provider_code\": \"aws\", \"services\": {\"iam\": {\"findings\": {\"r\": {\"checked_i", "s.js:2:76 (byte 97): invalid JSON: the file ends in the middle of a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := evidence.ReadAll(scoutsuite.Read, "s.js", []byte(tt.data))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %v\nwant %s...", err, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	fuzzReader(f, scoutsuite.Read, "results.js")
}

// fuzzReader checks that no input makes a reader panic, that an error names
// the file and is a *evidence.ParseError, and that every finding has a
// check ID and a known outcome.
func fuzzReader(f *testing.F, read func(string, io.Reader, evidence.Emit) error, seeds ...string) {
	for _, s := range seeds {
		data, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		err := read("fuzz.in", bytes.NewReader(data), func(fd evidence.Finding) error {
			n++
			if fd.CheckID == "" {
				t.Errorf("finding %d has no check ID", n)
			}
			switch fd.Status {
			case evidence.Pass, evidence.Fail, evidence.Manual, evidence.Other:
			default:
				t.Errorf("finding %d has status %q", n, fd.Status)
			}
			return nil
		})
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.in") {
			t.Errorf("error does not start with the file name: %v", err)
		}
	})
}
