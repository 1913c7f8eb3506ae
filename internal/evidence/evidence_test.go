package evidence_test

import (
	"slices"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func testModel(t *testing.T) *model.Model {
	t.Helper()
	m, err := model.Load("testdata/model.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

const (
	s3   = "prowler:aws:s3_bucket_public_access"
	s38  = "securityhub:S3.8"
	root = "prowler:aws:iam_root_mfa_enabled"
)

// file is a scanner file with one finding of every kind the counting rules
// tell apart.
func file() *evidence.File {
	return evidence.NewFile("scan.json", evidence.ProwlerOCSF, []evidence.Finding{
		{CheckID: s3, Resource: "a", Status: evidence.Pass},
		{CheckID: s3, Resource: "b", Status: evidence.Pass},
		{CheckID: s3, Resource: "c", Status: evidence.Fail},
		{CheckID: s3, Resource: "d", Status: evidence.Fail, Muted: true},
		{CheckID: s3, Resource: "e", Status: evidence.Pass, Archived: true},
		{CheckID: s3, Resource: "f", Status: evidence.Fail, Archived: true, Muted: true},
		{CheckID: s38, Resource: "g", Status: evidence.Pass},
		{CheckID: s38, Resource: "h", Status: evidence.Other},
		{CheckID: root, Resource: "i", Status: evidence.Manual},
		{CheckID: root, Resource: "j", Status: evidence.Manual, Muted: true},
		{CheckID: "prowler:aws:new_check", Resource: "k", Status: evidence.Fail},
		{CheckID: "prowler:aws:another_check", Resource: "l", Status: evidence.Other},
	}...)
}

func TestSummarize(t *testing.T) {
	got := evidence.Summarize(file(), testModel(t))
	want := evidence.Summary{
		Path: "scan.json", Format: evidence.ProwlerOCSF,
		// Every record, archived and muted included.
		Findings: 12,
		// Archived findings only as archived; muted ones by outcome too.
		Status:        evidence.StatusCounts{Pass: 3, Fail: 3, Manual: 2, Other: 2},
		Muted:         2,
		Archived:      2,
		ChecksMapped:  []string{root, s3, s38},
		ChecksUnknown: []string{"prowler:aws:another_check", "prowler:aws:new_check"},
		Objectives: []evidence.ObjectiveCount{
			{ID: "SEC-2.1", Passed: 3, Failed: 1, Muted: 1},
			// Listed although its findings are manual: its checks are present.
			{ID: "SEC-2.2"},
			{ID: "SEC-4.1", Passed: 2, Failed: 1, Muted: 1},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summary differs (-want +got):\n%s", diff)
	}
	if sum := got.Status.Pass + got.Status.Fail + got.Status.Manual + got.Status.Other + got.Archived; sum != got.Findings {
		t.Errorf("status counts and archived add up to %d, want findings %d", sum, got.Findings)
	}
}

func TestSummarizeEmptyListsAreNotNull(t *testing.T) {
	got := evidence.Summarize(&evidence.File{Path: "x", Format: evidence.GenericCSV}, testModel(t))
	if got.ChecksMapped == nil || got.ChecksUnknown == nil || got.Objectives == nil {
		t.Errorf("empty lists must be [] in JSON, got %+v", got)
	}
}

func TestIndexObjectives(t *testing.T) {
	ix := evidence.NewIndex(testModel(t))
	tests := []struct {
		check string
		want  []string
	}{
		{s3, []string{"SEC-2.1", "SEC-4.1"}},
		{s38, []string{"SEC-2.1"}},
		{"custom:backup_enabled", []string{"SEC-3.1"}},
		{"prowler:aws:S3_BUCKET_PUBLIC_ACCESS", nil},
	}
	for _, tt := range tests {
		t.Run(tt.check, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ix.Objectives(tt.check)); diff != "" {
				t.Errorf("objectives differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvidence(t *testing.T) {
	ix := evidence.NewIndex(testModel(t))
	prod := evidence.NewFile("prod.csv", evidence.GenericCSV, []evidence.Finding{
		{CheckID: "custom:backup_enabled", Status: evidence.Pass},
		{CheckID: "custom:backup_enabled", Status: evidence.Fail},
	}...)
	rows := evidence.NewFile("rows.csv", evidence.GenericCSV, []evidence.Finding{
		{CheckID: "custom:backup_enabled", Status: evidence.Pass, Scope: "production"},
		{CheckID: "custom:backup_enabled", Status: evidence.Fail, Scope: "development"},
		{CheckID: "custom:backup_enabled", Status: evidence.Pass},
		{CheckID: "custom:backup_enabled", Status: evidence.Fail},
	}...)
	scopes := []string{"production", "development"}
	tests := []struct {
		name  string
		files []evidence.Scoped
		want  map[assess.Key]assess.Evidence
	}{
		{"a file without scope counts in every scope", []evidence.Scoped{{File: file()}}, map[assess.Key]assess.Evidence{
			{Objective: "SEC-2.1", Scope: "production"}:  {Passed: 3, Failed: 1, Muted: 1, Source: "prowler-ocsf:scan.json"},
			{Objective: "SEC-2.1", Scope: "development"}: {Passed: 3, Failed: 1, Muted: 1, Source: "prowler-ocsf:scan.json"},
			{Objective: "SEC-2.2", Scope: "production"}:  {Source: "prowler-ocsf:scan.json"},
			{Objective: "SEC-2.2", Scope: "development"}: {Source: "prowler-ocsf:scan.json"},
			{Objective: "SEC-4.1", Scope: "production"}:  {Passed: 2, Failed: 1, Muted: 1, Source: "prowler-ocsf:scan.json"},
			{Objective: "SEC-4.1", Scope: "development"}: {Passed: 2, Failed: 1, Muted: 1, Source: "prowler-ocsf:scan.json"},
		}},
		{"files add up, a scoped file in its scope only", []evidence.Scoped{{Scope: "production", File: prod}, {Scope: "production", File: prod}, {Scope: "development", File: prod}}, map[assess.Key]assess.Evidence{
			{Objective: "SEC-3.1", Scope: "production"}:  {Passed: 2, Failed: 2, Source: "generic-csv:prod.csv"},
			{Objective: "SEC-3.1", Scope: "development"}: {Passed: 1, Failed: 1, Source: "generic-csv:prod.csv"},
		}},
		{"findings with a scope count in that scope only", []evidence.Scoped{{File: rows}}, map[assess.Key]assess.Evidence{
			{Objective: "SEC-3.1", Scope: "production"}:  {Passed: 2, Failed: 1, Source: "generic-csv:rows.csv"},
			{Objective: "SEC-3.1", Scope: "development"}: {Passed: 1, Failed: 2, Source: "generic-csv:rows.csv"},
		}},
		{"a file's scope overrides its findings' scopes", []evidence.Scoped{{Scope: "development", File: rows}}, map[assess.Key]assess.Evidence{
			{Objective: "SEC-3.1", Scope: "development"}: {Passed: 2, Failed: 2, Source: "generic-csv:rows.csv"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ix.Evidence(tt.files, scopes)
			if err != nil {
				t.Fatal(err)
			}
			// Totals here; the per-check counts are TestEvidencePerCheck's.
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(assess.Evidence{}, "Checks")); diff != "" {
				t.Errorf("evidence differs (-want +got):\n%s", diff)
			}
		})
	}
	staging := evidence.NewFile("staging.csv", evidence.GenericCSV, []evidence.Finding{
		{CheckID: "custom:backup_enabled", Status: evidence.Pass, Scope: "staging"},
	}...)
	errTests := []struct {
		name  string
		files []evidence.Scoped
		want  string
	}{
		{"unknown file scope", []evidence.Scoped{{Scope: "staging", File: prod}},
			`evidence prod.csv: unknown scope "staging"; the assessment's scopes are production, development`},
		{"unknown finding scope", []evidence.Scoped{{File: staging}},
			`evidence staging.csv: unknown scope "staging" in the scope column; the assessment's scopes are production, development`},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.Evidence(tt.files, scopes)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

// TestEvidenceScores checks the whole path into scoring: an automated
// objective with 3 passed and 1 failed resource has the value 0.75.
func TestEvidenceScores(t *testing.T) {
	m := testModel(t)
	ev, err := evidence.NewIndex(m).Evidence([]evidence.Scoped{{File: file()}}, []string{assess.DefaultScope})
	if err != nil {
		t.Fatal(err)
	}
	res := assess.Score(assess.Input{Model: m, Evidence: ev, AsOf: assess.Date{Year: 2026, Month: 1, Day: 1}})
	values := map[string]*float64{}
	sources := map[string]assess.Source{}
	for _, o := range res.Objectives {
		values[o.ID], sources[o.ID] = o.Value, o.Source
	}
	if v := values["SEC-2.1"]; v == nil || *v != 0.75 || sources["SEC-2.1"] != assess.SourceAutomated {
		t.Errorf("SEC-2.1 = %v from %s, want 0.75 from automated", deref(v), sources["SEC-2.1"])
	}
	// A manual objective ignores evidence.
	if sources["SEC-2.2"] != assess.SourceNone {
		t.Errorf("SEC-2.2 source = %s, want none", sources["SEC-2.2"])
	}
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestEvidencePerCheck(t *testing.T) {
	m := testModel(t)
	day := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	date := func(s string) assess.Date { d, _ := assess.ParseDate(s); return d }
	f := evidence.NewFile("scan.json", evidence.ProwlerOCSF, []evidence.Finding{
		{CheckID: s3, Status: evidence.Pass, Time: day("2026-11-01T23:30:00-02:00")}, // 2026-11-02 in UTC
		{CheckID: s3, Status: evidence.Fail, Time: day("2026-11-02T10:00:00Z")},
		{CheckID: s3, Status: evidence.Fail, Muted: true},
		{CheckID: s38, Status: evidence.Pass, Time: day("2026-06-01T00:00:00Z")},
		{CheckID: "custom:review_logged", Status: evidence.Fail, Time: day("2026-11-10T00:00:00Z")},
		{CheckID: "custom:review_logged", Status: evidence.Fail, Time: day("2026-11-10T05:00:00Z")},
	}...)
	f.Imported = day("2026-11-15T08:00:00Z")
	got, err := evidence.NewIndex(m).Evidence([]evidence.Scoped{{File: f}}, []string{assess.DefaultScope})
	if err != nil {
		t.Fatal(err)
	}
	src := "prowler-ocsf:scan.json"
	k := func(id string) assess.Key { return assess.Key{Objective: id, Scope: assess.DefaultScope} }
	want := map[assess.Key]assess.Evidence{
		k("SEC-2.1"): {Passed: 2, Failed: 1, Muted: 1, Source: src, Checks: []assess.CheckEvidence{
			{Check: s3, Scanned: date("2026-11-02"), Passed: 1, Failed: 1, Source: src},
			{Check: s3, Scanned: date("2026-11-15"), Muted: 1, Source: src},
			{Check: s38, Scanned: date("2026-06-01"), Passed: 1, Source: src},
		}},
		k("SEC-4.1"): {Passed: 1, Failed: 1, Muted: 1, Source: src, Checks: []assess.CheckEvidence{
			{Check: s3, Scanned: date("2026-11-02"), Passed: 1, Failed: 1, Source: src},
			{Check: s3, Scanned: date("2026-11-15"), Muted: 1, Source: src},
		}},
		// A supporting check: per-check counts, no totals.
		k("SEC-5.1"): {Source: src, Checks: []assess.CheckEvidence{
			{Check: "custom:review_logged", Supporting: true, Scanned: date("2026-11-10"), Failed: 2, Source: src},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("evidence differs (-want +got):\n%s", diff)
	}

	// Through scoring: the June scan of S3.8 is stale on 2026-11-20 and
	// leaves SEC-2.1 at 1 of 2; a manual yes on SEC-5.1 is contradicted by
	// its supporting check.
	res := assess.Score(assess.Input{Model: m, Evidence: got, AsOf: date("2026-11-20"),
		Answers: map[assess.Key]assess.Response{k("SEC-5.1"): {Answer: assess.Yes, Date: date("2026-11-20")}}})
	for _, o := range res.Objectives {
		switch o.ID {
		case "SEC-2.1":
			if o.Value == nil || *o.Value != 0.5 || len(o.StaleEvidence) != 1 || o.StaleEvidence[0].Check != s38 {
				t.Errorf("SEC-2.1: value %v, stale %+v; want 0.5 with S3.8 stale", deref(o.Value), o.StaleEvidence)
			}
		case "SEC-5.1":
			wantC := []assess.Contradiction{{Check: "custom:review_logged", Scope: assess.DefaultScope, Failed: 2}}
			if diff := cmp.Diff(wantC, o.Contradicted); diff != "" || o.Value == nil || *o.Value != 1 {
				t.Errorf("SEC-5.1: value %v, contradicted (-want +got):\n%s", deref(o.Value), diff)
			}
		}
	}

	// The summary lists a supporting check as mapped, and counts only
	// deciding checks per objective.
	sum := evidence.Summarize(f, m)
	if !slices.Contains(sum.ChecksMapped, "custom:review_logged") {
		t.Errorf("checks_mapped lacks the supporting check: %v", sum.ChecksMapped)
	}
	for _, o := range sum.Objectives {
		if o.ID == "SEC-5.1" {
			t.Errorf("summary counts supporting checks as a value: %+v", o)
		}
	}
}
