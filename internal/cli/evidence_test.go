package cli_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The evidence fixtures: a small model and an answers file with two scopes,
// and one scanner file of each kind.
const (
	evModel   = "testdata/evidence/model.yaml"
	evAnswers = "testdata/evidence/answers.yaml"
	evProwler = "testdata/evidence/prowler.ocsf.json"
	evHub     = "testdata/evidence/securityhub.json"
	evCSV     = "testdata/evidence/findings.csv"
	evPipe    = "testdata/evidence/powerpipe.csv"
)

func TestEvidenceGolden(t *testing.T) {
	files := []string{evProwler, evHub, evCSV, evPipe}
	tests := []struct {
		name string
		args []string
	}{
		{"evidence.json", append([]string{"evidence", "--format", "json", "--model", evModel}, files...)},
		{"evidence.txt", append([]string{"evidence", "--model", evModel}, files...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, 0)
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			golden(t, tt.name, []byte(r.stdout))
		})
	}
}

// TestEvidenceJSON checks the evidence summary against the contract of
// formats.md: its field names and its counting rules.
func TestEvidenceJSON(t *testing.T) {
	r := run(t, "", "evidence", evProwler, evHub, "--format", "json", "--model", evModel).wantCode(t, 0)
	var raw struct {
		Files []map[string]json.RawMessage `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("evidence JSON does not decode: %v", err)
	}
	if len(raw.Files) != 2 {
		t.Fatalf("%d files, want 2", len(raw.Files))
	}
	for _, k := range []string{"path", "format", "findings", "status", "muted", "archived", "checks_mapped", "checks_unknown", "objectives"} {
		if _, ok := raw.Files[0][k]; !ok {
			t.Errorf("file summary has no %q", k)
		}
	}
	type summary struct {
		Path     string         `json:"path"`
		Format   string         `json:"format"`
		Findings int            `json:"findings"`
		Status   map[string]int `json:"status"`
		Muted    int            `json:"muted"`
		Archived int            `json:"archived"`
		Mapped   []string       `json:"checks_mapped"`
		Unknown  []string       `json:"checks_unknown"`
		Objs     []struct {
			ID     string `json:"id"`
			Passed int    `json:"passed"`
			Failed int    `json:"failed"`
		} `json:"objectives"`
	}
	var got struct {
		Files []summary `json:"files"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	p, h := got.Files[0], got.Files[1]
	if p.Path != evProwler || p.Format != "prowler-ocsf" || h.Format != "asff" {
		t.Errorf("path and formats = %s %s, %s; want %s prowler-ocsf, asff", p.Path, p.Format, h.Format, evProwler)
	}
	// 7 records, one muted FAIL counted as fail and as muted.
	if diff := cmp.Diff(map[string]int{"pass": 3, "fail": 3, "manual": 1, "other": 0}, p.Status); diff != "" || p.Findings != 7 || p.Muted != 1 {
		t.Errorf("prowler counts: findings %d, muted %d, status diff (-want +got):\n%s", p.Findings, p.Muted, diff)
	}
	// 3 records, one archived counted only as archived.
	if diff := cmp.Diff(map[string]int{"pass": 1, "fail": 1, "manual": 0, "other": 0}, h.Status); diff != "" || h.Findings != 3 || h.Archived != 1 {
		t.Errorf("asff counts: findings %d, archived %d, status diff (-want +got):\n%s", h.Findings, h.Archived, diff)
	}
	if !slices.Equal(h.Mapped, []string{"securityhub:S3.8"}) || !slices.Equal(h.Unknown, []string{"securityhub:EC2.19"}) {
		t.Errorf("asff checks mapped %v unknown %v", h.Mapped, h.Unknown)
	}
	// Muted and archived findings are left out of the objective counts.
	if len(p.Objs) == 0 || p.Objs[0].ID != "SEC-2.1" || p.Objs[0].Passed != 3 || p.Objs[0].Failed != 1 {
		t.Errorf("prowler objectives = %+v, want SEC-2.1 first with 3 passed, 1 failed", p.Objs)
	}
	if len(h.Objs) != 1 || h.Objs[0].Passed != 0 || h.Objs[0].Failed != 1 {
		t.Errorf("asff objectives = %+v, want SEC-2.1 with 0 passed, 1 failed", h.Objs)
	}
}

func TestEvidenceErrors(t *testing.T) {
	invalid := writeFile(t, "broken.json", "[\n  {\"status_code\": \"PASS\",\n  \"metadata\": }\n]")
	trivy := writeFile(t, "trivy.json", `{"SchemaVersion": 2, "ArtifactName": ".", "Results": []}`)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no file", []string{"evidence"}, 2, []string{"evidence: missing argument; expected FILE..."}},
		{"invalid json", []string{"evidence", invalid, evCSV}, 1, []string{invalid + ":3:15: record 1: invalid JSON: invalid character '}' looking for beginning of value"}},
		{"unsupported and missing", []string{"evidence", trivy, "testdata/evidence/none.json"}, 1, []string{
			trivy + ": unsupported format (Trivy JSON report)",
			"read evidence: open testdata/evidence/none.json: no such file or directory",
		}},
		{"unknown scope", []string{"score", evAnswers, "--model", evModel, "--evidence", "staging=" + evProwler}, 1, []string{
			`--evidence staging=` + evProwler + `: unknown scope "staging"; the answers file's scopes are production, development`,
		}},
		{"bad evidence for score", []string{"score", evAnswers, "--model", evModel, "--evidence", invalid}, 1, []string{invalid + ":3:15"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, tt.code)
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout is not empty:\n%s", r.stdout)
			}
		})
	}
}

// objectiveIn returns an objective's score in a scope of a result.
func objectiveIn(t *testing.T, res *assess.Result, scope, id string) assess.ObjectiveScore {
	t.Helper()
	for _, s := range res.Scopes {
		if s.ID != scope {
			continue
		}
		for _, o := range s.Objectives {
			if o.ID == id {
				return o
			}
		}
	}
	t.Fatalf("no objective %s in scope %s", id, scope)
	return assess.ObjectiveScore{}
}

// valueOf is an objective's value and source, "-" for no value.
type valueOf struct {
	Value  any
	Source assess.Source
}

func value(o assess.ObjectiveScore) valueOf {
	if o.Value == nil {
		return valueOf{"-", o.Source}
	}
	return valueOf{*o.Value, o.Source}
}

// TestScoreWithEvidence scores the answers file with scanner evidence end to
// end: an automated objective whose checks passed 3 resources and failed 1
// scores 0.75 in the scopes the file applies to.
func TestScoreWithEvidence(t *testing.T) {
	auto, manual, none := assess.SourceAutomated, assess.SourceManual, assess.SourceNone
	tests := []struct {
		name     string
		evidence []string
		want     map[string]valueOf // scope/objective -> value
	}{
		{"no evidence", nil, map[string]valueOf{
			"production/SEC-2.1":  {0.0, none},
			"development/SEC-2.1": {0.0, none},
		}},
		{"a file for every scope", []string{evProwler}, map[string]valueOf{
			"production/SEC-2.1":  {0.75, auto},
			"development/SEC-2.1": {0.75, auto},
			"production/SEC-4.1":  {0.75, auto},
			// A manual objective ignores evidence.
			"production/SEC-2.2": {1.0, manual},
		}},
		{"a file for one scope", []string{"production=" + evProwler}, map[string]valueOf{
			"production/SEC-2.1":  {0.75, auto},
			"development/SEC-2.1": {0.0, none},
		}},
		{"files add up; archived findings do not count", []string{evProwler, "production=" + evHub}, map[string]valueOf{
			"production/SEC-2.1":  {0.6, auto},
			"development/SEC-2.1": {0.75, auto},
		}},
		{"either mode prefers a valid answer", []string{evCSV}, map[string]valueOf{
			"production/SEC-3.1":  {0.75, manual},
			"development/SEC-3.1": {0.5, auto},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"score", evAnswers, "--model", evModel, "--format", "json", "--as-of", asOf}
			for _, e := range tt.evidence {
				args = append(args, "--evidence", e)
			}
			r := run(t, "", args...).wantCode(t, 0)
			var res assess.Result
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatal(err)
			}
			got := map[string]valueOf{}
			for k := range tt.want {
				scope, id, _ := strings.Cut(k, "/")
				got[k] = value(objectiveIn(t, &res, scope, id))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScoreEvidenceShowsCounts(t *testing.T) {
	r := run(t, "", "score", evAnswers, "--model", evModel, "--format", "json", "--scope", "production",
		"--evidence", evProwler, "--as-of", asOf).wantCode(t, 0)
	var res assess.ScopeResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Objectives {
		if o.ID != "SEC-2.1" {
			continue
		}
		want := &assess.Evidence{Passed: 3, Failed: 1, Muted: 1, Source: "prowler-ocsf:" + evProwler}
		if diff := cmp.Diff(want, o.Evidence, cmpopts.IgnoreFields(assess.Evidence{}, "Checks")); diff != "" {
			t.Errorf("evidence of SEC-2.1 differs (-want +got):\n%s", diff)
		}
		return
	}
	t.Fatal("no SEC-2.1 in the production scope")
}

// TestCheckAndReportWithEvidence checks that check and report score with
// --evidence too: evidence that every resource passes lifts the category
// to its target.
func TestCheckAndReportWithEvidence(t *testing.T) {
	answers := writeFile(t, "answers.yaml", "organization: Evidence Test\ndate: 2026-09-01\ntargets:\n  default: 2\nanswers:\n  SEC-2.2: yes\n")
	allPass := writeFile(t, "scan.csv", "check,status,resource\nprowler:aws:s3_bucket_public_access,pass,a\nsecurityhub:S3.8,pass,b\n")
	run(t, "", "check", answers, "--model", evModel, "--as-of", asOf).wantCode(t, 1)
	r := run(t, "", "check", answers, "--model", evModel, "--as-of", asOf, "--evidence", allPass).wantCode(t, 0)
	if !strings.Contains(r.stdout, "all 1 targets met") {
		t.Errorf("check output:\n%s", r.stdout)
	}
	r = run(t, "", "report", answers, "--model", evModel, "--as-of", asOf, "--format", "json", "--evidence", allPass).wantCode(t, 0)
	if !strings.Contains(r.stdout, `"source": "generic-csv:`+allPass+`"`) {
		t.Errorf("report JSON does not name the evidence source:\n%.2000s", r.stdout)
	}
}

// TestScoreWithScopeColumn checks that the rows of a generic CSV with a
// scope column count in their scope only.
func TestScoreWithScopeColumn(t *testing.T) {
	scan := writeFile(t, "scan.csv", "check,status,resource,scope\n"+
		"prowler:aws:s3_bucket_public_access,pass,a,production\n"+
		"prowler:aws:s3_bucket_public_access,fail,b,development\n"+
		"prowler:aws:s3_bucket_public_access,pass,c,\n")
	r := run(t, "", "score", evAnswers, "--model", evModel, "--format", "json", "--as-of", asOf, "--evidence", scan).wantCode(t, 0)
	var res assess.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]valueOf{
		"production":  value(objectiveIn(t, &res, "production", "SEC-2.1")),
		"development": value(objectiveIn(t, &res, "development", "SEC-2.1")),
	}
	want := map[string]valueOf{"production": {1.0, assess.SourceAutomated}, "development": {0.5, assess.SourceAutomated}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SEC-2.1 values differ (-want +got):\n%s", diff)
	}

	bad := writeFile(t, "bad.csv", "check,status,scope\nprowler:aws:s3_bucket_public_access,pass,staging\n")
	r = run(t, "", "score", evAnswers, "--model", evModel, "--evidence", bad).wantCode(t, 1)
	if !strings.Contains(r.stderr, `unknown scope "staging" in the scope column`) {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestDiffWithEvidence checks that diff scores both files with the same
// evidence: an either-mode objective answered only in the new file goes
// from its automated value to the answer.
func TestDiffWithEvidence(t *testing.T) {
	old := writeFile(t, "old.yaml", "date: 2026-09-01\nscopes: [{id: production}, {id: development}]\nanswers:\n  SEC-2.2: yes\n")
	newer := writeFile(t, "new.yaml", "date: 2026-09-01\nscopes: [{id: production}, {id: development}]\nanswers:\n  SEC-2.2: yes\n  SEC-3.1: {development: yes}\n")
	type change struct {
		ID       string   `json:"id"`
		Scope    string   `json:"scope"`
		OldValue *float64 `json:"old_value"`
		NewValue *float64 `json:"new_value"`
	}
	tests := []struct {
		name     string
		evidence []string
		wantOld  float64
	}{
		{"without evidence", nil, 0},
		{"with evidence", []string{"--evidence", evCSV}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"diff", old, newer, "--model", evModel, "--format", "json", "--as-of", asOf}, tt.evidence...)
			r := run(t, "", args...).wantCode(t, 0)
			var d struct {
				Objectives []change `json:"objectives"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
				t.Fatal(err)
			}
			for _, c := range d.Objectives {
				if c.ID == "SEC-3.1" && c.Scope == "development" {
					if c.OldValue == nil || *c.OldValue != tt.wantOld || c.NewValue == nil || *c.NewValue != 1 {
						t.Errorf("SEC-3.1 in development: %+v, want old %v, new 1", c, tt.wantOld)
					}
					return
				}
			}
			t.Fatalf("SEC-3.1 in development not in the diff:\n%s", r.stdout)
		})
	}
}
