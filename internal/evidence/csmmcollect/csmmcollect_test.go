package csmmcollect_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/csmmcollect"
	"github.com/csmm/csmm/internal/evidence/load"
)

const doc = `{
  "format": "csmm-collect/1",
  "provider": "aws",
  "scan_time": "2026-12-01T12:00:00Z",
  "results": [
    {"check":"csmm:aws:root_mfa","resource":"1","account":"1","status":"pass","scope":"prod"},
    {"check":"csmm:aws:guardduty_enabled","resource":"1/eu-west-1","account":"1","region":"eu-west-1","status":"fail","scope":"prod","detail":"off"}
  ],
  "not_evaluated": [
    {"account":"2","checks":["csmm:aws:root_mfa","csmm:aws:root_access_keys"],"scope":"dev","reason":"assume_role_denied"}
  ],
  "scopes": [],
  "provenance": {"tool": "csmm"},
  "summary": {}
}`

// TestLoad reads a collection through format detection, as every evidence
// input does, and each finding as the reader hands it over.
func TestLoad(t *testing.T) {
	f, err := load.Parse("aws.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f.Format != csmmcollect.Format || f.Findings != 4 {
		t.Errorf("detected %s with %d findings; want %s with 4", f.Format, f.Findings, csmmcollect.Format)
	}
	var got []evidence.Finding
	if err := csmmcollect.Read("aws.json", strings.NewReader(doc), func(fd evidence.Finding) error {
		got = append(got, fd)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	scanned := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) // the document's scan_time
	want := []evidence.Finding{
		{CheckID: "csmm:aws:root_mfa", Resource: "1", Account: "1", Status: evidence.Pass, Scope: "prod", Time: scanned},
		{CheckID: "csmm:aws:guardduty_enabled", Resource: "1/eu-west-1", Account: "1", Region: "eu-west-1", Status: evidence.Fail, Scope: "prod", Time: scanned},
		{CheckID: "csmm:aws:root_mfa", Resource: "2", Account: "2", Status: evidence.Other, Scope: "dev"},
		{CheckID: "csmm:aws:root_access_keys", Resource: "2", Account: "2", Status: evidence.Other, Scope: "dev"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       evidence.ParseError
	}{
		{"bad status", `{"format":"csmm-collect/1","results":[{"check":"c","status":"ok"}]}`,
			evidence.ParseError{File: "f.json", Line: 1, Column: 39, Record: 1, Field: "status", Message: `"ok"; expected pass or fail`}},
		{"second record without check", "{\"format\":\"csmm-collect/1\",\"results\":[\n{\"check\":\"c\",\"status\":\"pass\"},\n{\"status\":\"pass\"}]}",
			evidence.ParseError{File: "f.json", Line: 3, Column: 1, Record: 2, Field: "check", Message: "missing; expected a check ID such as csmm:aws:guardduty_enabled"}},
		{"other version", `{"format":"csmm-collect/2","results":[]}`,
			evidence.ParseError{File: "f.json", Line: 1, Column: 11, Field: "format", Message: `unsupported version "csmm-collect/2"; this csmm reads csmm-collect/1`}},
		{"bad scan time", `{"format":"csmm-collect/1","scan_time":"yesterday","results":[]}`,
			evidence.ParseError{File: "f.json", Line: 1, Column: 40, Field: "scan_time", Message: `"yesterday"; expected a time such as 2026-12-01T12:00:00Z`}},
		{"results not a list", `{"format":"csmm-collect/1","results":{}}`,
			evidence.ParseError{File: "f.json", Line: 1, Column: 38, Field: "results", Message: "expected a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load.ParseAs("f.json", []byte(tt.data), csmmcollect.Format)
			var pe *evidence.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v; want a ParseError", err)
			}
			pe.Err, pe.Byte = nil, 0
			if d := cmp.Diff(tt.want, *pe); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
