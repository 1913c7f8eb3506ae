package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

// firstObjective returns the first objective of the newest built-in model
// that is (or is not) binary.
func firstObjective(t *testing.T, binary bool) string {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range m.Objectives {
		if o.Binary() == binary {
			return o.ID
		}
	}
	t.Fatalf("model %s has no objective with binary=%v", m.Ref(), binary)
	return ""
}

// TestAnswerScales checks that putAnswer refuses the middle words and
// measures on a binary objective with a 400 naming it, and takes measured
// answers on a coverage objective.
func TestAnswerScales(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ann := f.members[csmm.RoleAssessor]
		base := "/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/answers/"
		bin, cov := firstObjective(t, true), firstObjective(t, false)
		for _, body := range []map[string]any{
			{"answer": "half", "version": 0},
			{"answer": "some", "version": 0},
			{"answer": "most", "version": 0},
			{"measured": 3, "of": 4, "version": 0},
			{"answer": "75%", "version": 0},
		} {
			r := ann.json("PUT", base+bin+"/default", body)
			if r.StatusCode != http.StatusBadRequest || r.errorCode() != "invalid" || !strings.Contains(string(r.body), bin) || !strings.Contains(string(r.body), "binary") {
				t.Errorf("%v on binary %s: status %d, want 400 invalid naming the objective: %s", body, bin, r.StatusCode, r.body)
			}
		}
		if r := ann.json("PUT", base+bin+"/default", map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusOK {
			t.Errorf("yes on binary %s: status %d: %s", bin, r.StatusCode, r.body)
		}

		var saved struct {
			Answer  string
			Measure *struct {
				Measured, Of float64
				Percent      bool
			}
			Version int
		}
		r := ann.json("PUT", base+cov+"/default", map[string]any{"measured": 87, "of": 120, "version": 0})
		r.json(t, &saved)
		if r.StatusCode != http.StatusOK || saved.Measure == nil || saved.Measure.Measured != 87 || saved.Measure.Of != 120 || saved.Answer != "" {
			t.Fatalf("measured answer: %d %s", r.StatusCode, r.body)
		}
		r = ann.json("PUT", base+cov+"/default", map[string]any{"answer": "72.5%", "version": saved.Version})
		r.json(t, &saved)
		if r.StatusCode != http.StatusOK || saved.Measure == nil || !saved.Measure.Percent || saved.Measure.Measured != 72.5 {
			t.Fatalf("percentage answer: %d %s", r.StatusCode, r.body)
		}
		for _, body := range []map[string]any{
			{"measured": 121, "of": 120, "version": saved.Version},
			{"measured": 1, "version": saved.Version},
			{"answer": "120%", "version": saved.Version},
			{"answer": "yes", "measured": 1, "of": 2, "version": saved.Version},
		} {
			if r := ann.json("PUT", base+cov+"/default", body); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.body), cov) {
				t.Errorf("%v: status %d, want 400 naming %s: %s", body, r.StatusCode, cov, r.body)
			}
		}

		// The stored measured answer is scored: the objective's value is 0.725.
		var score struct {
			Scopes []struct {
				Objectives []struct {
					ID    string
					Value *float64
				}
			}
		}
		r = ann.get("/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/score")
		r.json(t, &score)
		found := false
		for _, o := range score.Scopes[0].Objectives {
			if o.ID == cov {
				found = true
				if o.Value == nil || *o.Value != 0.725 {
					t.Errorf("score of %s = %v, want 0.725", cov, o.Value)
				}
			}
		}
		if !found {
			t.Errorf("the score has no objective %s: %s", cov, r.body)
		}
	})
}

// TestMigrateAssessmentAPI makes an assessment on csmm@2.0.0, previews and
// applies its move to the newest built-in model, and checks the score
// follows the assessment's model.
func TestMigrateAssessmentAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		admin := f.members[csmm.RoleAdmin]
		newest, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		var as struct {
			ID                   string
			ModelRef             string `json:"model_ref"`
			EvidenceValidityDays int    `json:"evidence_validity_days"`
		}
		r := admin.json("POST", "/api/v1/orgs/acme-corp/assessments", map[string]any{"name": "On 2.0.0", "model": "csmm@2.0.0", "evidence_validity_days": 45})
		r.json(t, &as)
		if r.StatusCode != http.StatusCreated || as.ModelRef != "csmm@2.0.0" || as.EvidenceValidityDays != 45 {
			t.Fatalf("create on csmm@2.0.0: %d %s", r.StatusCode, r.body)
		}
		base := "/api/v1/orgs/acme-corp/assessments/" + as.ID
		if r := admin.json("PUT", base+"/answers/IAM-2.1/default", map[string]any{"answer": "yes", "version": 0}); r.StatusCode != http.StatusOK {
			t.Fatalf("answer: %d %s", r.StatusCode, r.body)
		}
		scoreModel := func() string {
			var s struct{ Model struct{ Version string } }
			admin.get(base+"/score").json(t, &s)
			return s.Model.Version
		}
		if v := scoreModel(); v != "2.0.0" {
			t.Errorf("score model before the move = %q, want 2.0.0", v)
		}
		var res struct {
			DryRun bool `json:"dry_run"`
			Plan   struct {
				From, To string
				Kept     []struct{ Objective, Scope, Answer string }
			}
			Assessment struct {
				ModelRef string `json:"model_ref"`
			}
		}
		r = admin.json("POST", base+"/migrate", map[string]any{"model": newest.Ref(), "dry_run": true})
		r.json(t, &res)
		if r.StatusCode != http.StatusOK || !res.DryRun || res.Plan.From != "csmm@2.0.0" || res.Plan.To != newest.Ref() || res.Assessment.ModelRef != "csmm@2.0.0" {
			t.Fatalf("dry run: %d %s", r.StatusCode, r.body)
		}
		if v := scoreModel(); v != "2.0.0" {
			t.Errorf("score model after the dry run = %q, want 2.0.0", v)
		}
		r = admin.json("POST", base+"/migrate", map[string]any{"model": newest.Ref()})
		r.json(t, &res)
		if r.StatusCode != http.StatusOK || res.DryRun || res.Assessment.ModelRef != newest.Ref() {
			t.Fatalf("move: %d %s", r.StatusCode, r.body)
		}
		if v := scoreModel(); v != newest.Version {
			t.Errorf("score model after the move = %q, want %s", v, newest.Version)
		}
		for _, body := range []map[string]any{{"model": "csmm@9.9.9"}, {"model": ""}, {"model": newest.Ref()}} {
			if r := admin.json("POST", base+"/migrate", body); r.StatusCode != http.StatusBadRequest {
				t.Errorf("%v: status %d, want 400: %s", body, r.StatusCode, r.body)
			}
		}
		var audit struct {
			Items []struct {
				Action   string
				TargetID string `json:"target_id"`
			} `json:"items"`
		}
		f.members[csmm.RoleOwner].get("/api/v1/orgs/acme-corp/audit?action=assessment.migrate").json(t, &audit)
		if len(audit.Items) != 1 || audit.Items[0].TargetID != as.ID {
			t.Errorf("audit of the move: %+v", audit.Items)
		}
		if r := admin.json("PATCH", base, map[string]any{"evidence_validity_days": 30}); r.StatusCode != http.StatusOK || !strings.Contains(string(r.body), `"evidence_validity_days":30`) {
			t.Errorf("evidence validity update: %d %s", r.StatusCode, r.body)
		}
	})
}

// TestReportCCMCSV fetches the CCM crosswalk of an assessment as CSV.
func TestReportCCMCSV(t *testing.T) {
	f := newFixture(t, newDSN(t, "sqlite"))
	r := f.members[csmm.RoleViewer].get("/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/report?format=ccm-csv")
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(string(r.body), "ccm_control,control_status,") || !strings.Contains(r.Header.Get("Content-Disposition"), ".ccm.csv") {
		t.Fatalf("ccm-csv report: %d %s %q %.200s", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"), r.body)
	}
}
