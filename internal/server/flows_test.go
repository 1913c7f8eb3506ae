package server

import (
	"net/http"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

const exampleAnswers = `model: csmm@2.0.0
organization: Example Corp
date: 2026-11-01
scopes:
  - {id: production, weight: 2}
  - {id: development}
targets:
  default: 3
  IAM: 4
answers:
  IAM-2.1: yes
  IAM-2.2: {answer: some, note: "prod only", by: alice, date: 2026-10-01}
  NET-2.1: {answer: na, justification: "serverless only, no VPCs"}
`

func TestPutAnswerConflict(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		ann := f.members[csmm.RoleAssessor]
		path := "/api/v1/orgs/acme-corp/assessments/" + f.assessA + "/answers/IAM-2.1/default"
		var saved struct {
			Answer  string
			Version int
		}
		r := ann.json("PUT", path, map[string]any{"answer": "half", "version": 0})
		r.json(t, &saved)
		if r.StatusCode != http.StatusOK || saved.Version != 1 || saved.Answer != "half" {
			t.Fatalf("first save: %d %s", r.StatusCode, r.body)
		}
		// Another writer who also saw no answer is refused with the stored one.
		r = f.members[csmm.RoleAdmin].json("PUT", path, map[string]any{"answer": "yes", "version": 0})
		var conflict struct {
			Error struct {
				Code    string
				Current struct {
					Answer  string
					Version int
				}
			}
		}
		r.json(t, &conflict)
		if r.StatusCode != http.StatusConflict || conflict.Error.Code != "conflict" || conflict.Error.Current.Answer != "half" || conflict.Error.Current.Version != 1 {
			t.Fatalf("stale save: %d %s", r.StatusCode, r.body)
		}
		if r := ann.json("PUT", path, map[string]any{"answer": "yes", "version": 1}); r.StatusCode != http.StatusOK {
			t.Fatalf("save with the current version: %d %s", r.StatusCode, r.body)
		}
		for name, tt := range map[string]struct {
			path string
			body map[string]any
		}{
			"no version":          {path, map[string]any{"answer": "yes"}},
			"unknown word":        {path, map[string]any{"answer": "maybe", "version": 2}},
			"na unjustified":      {path, map[string]any{"answer": "na", "version": 2}},
			"unknown objective":   {strings.Replace(path, "IAM-2.1", "XYZ-9.9", 1), map[string]any{"answer": "yes", "version": 0}},
			"undeclared scope":    {strings.Replace(path, "/default", "/staging", 1), map[string]any{"answer": "yes", "version": 0}},
			"unknown field in it": {path, map[string]any{"answer": "yes", "version": 2, "colour": "red"}},
		} {
			t.Run(name, func(t *testing.T) {
				if r := ann.json("PUT", tt.path, tt.body); r.StatusCode != http.StatusBadRequest || r.errorCode() != "invalid" {
					t.Errorf("status %d, want 400 invalid: %s", r.StatusCode, r.body)
				}
			})
		}
	})
}

func TestImportScoreExport(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		admin := f.members[csmm.RoleAdmin]
		r := admin.do("POST", "/api/v1/orgs/acme-corp/assessments/import?name=Imported", "application/yaml", []byte(exampleAnswers))
		var as struct {
			ID     string
			Name   string
			Scopes []struct{ ID string }
		}
		r.json(t, &as)
		if r.StatusCode != http.StatusCreated || as.Name != "Imported" || len(as.Scopes) != 2 {
			t.Fatalf("import: %d %s", r.StatusCode, r.body)
		}
		base := "/api/v1/orgs/acme-corp/assessments/" + as.ID

		var score struct {
			AsOf    string `json:"as_of"`
			Program struct {
				Score        float64
				Completeness float64
			}
			Categories []struct {
				ID     string
				Target *int
			}
			Objectives []struct {
				ID     string
				Status string
			}
		}
		r = admin.get(base + "/score?as_of=2026-11-20")
		r.json(t, &score)
		if r.StatusCode != http.StatusOK || score.AsOf != "2026-11-20" || score.Program.Score < 1 {
			t.Fatalf("score: %d %.300s", r.StatusCode, r.body)
		}
		status := map[string]string{}
		for _, o := range score.Objectives {
			status[o.ID] = o.Status
		}
		if status["IAM-2.1"] != "answered" || status["NET-2.1"] != "na" {
			t.Errorf("objective statuses IAM-2.1=%q NET-2.1=%q, want answered and na", status["IAM-2.1"], status["NET-2.1"])
		}
		for _, c := range score.Categories {
			want := 3
			if c.ID == "IAM" {
				want = 4
			}
			if c.Target == nil || *c.Target != want {
				t.Errorf("category %s target %v, want %d", c.ID, c.Target, want)
			}
		}
		// A year and a half later, the answers are stale.
		r = admin.get(base + "/score?as_of=2028-06-01")
		r.json(t, &score)
		for _, o := range score.Objectives {
			if o.ID == "IAM-2.1" && o.Status != "stale" {
				t.Errorf("IAM-2.1 in 2028: %s, want stale", o.Status)
			}
		}
		if r := admin.get(base + "/score?as_of=tomorrow"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("bad as_of: %d, want 400", r.StatusCode)
		}

		r = admin.get(base + "/export?as_of=2026-11-20")
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/yaml") {
			t.Fatalf("export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		var exported map[string]any
		if err := yaml.Unmarshal(r.body, &exported); err != nil {
			t.Fatalf("export is not YAML: %v\n%s", err, r.body)
		}
		answers, _ := exported["answers"].(map[string]any)
		if len(answers) != 3 || exported["model"] != "csmm@2.0.0" {
			t.Errorf("export has model %v and %d answers, want csmm@2.0.0 and 3:\n%s", exported["model"], len(answers), r.body)
		}
		// The export imports again.
		if r := admin.do("POST", "/api/v1/orgs/acme-corp/assessments/import", "application/yaml", r.body); r.StatusCode != http.StatusCreated {
			t.Errorf("re-import of the export: %d %s", r.StatusCode, r.body)
		}

		// A file with problems is refused with every problem, and nothing is created.
		before, _ := f.e.st.ListAssessments(t.Context(), f.a.ID, true)
		bad := "date: 2026-13-01\nanswers:\n  IAM-2.1: maybe\n  ZZZ-2.1: yes\n"
		r = admin.do("POST", "/api/v1/orgs/acme-corp/assessments/import?filename=bad.yaml", "application/yaml", []byte(bad))
		var refused struct {
			Error struct {
				Code     string
				Problems []struct {
					File string
					Line int
					Key  string
				}
			}
		}
		r.json(t, &refused)
		if r.StatusCode != http.StatusBadRequest || refused.Error.Code != "invalid" || len(refused.Error.Problems) < 3 {
			t.Fatalf("bad file: %d %s", r.StatusCode, r.body)
		}
		for _, p := range refused.Error.Problems {
			if p.File != "bad.yaml" || p.Line == 0 {
				t.Errorf("problem %+v lacks the file or line", p)
			}
		}
		after, _ := f.e.st.ListAssessments(t.Context(), f.a.ID, true)
		if len(after) != len(before) {
			t.Errorf("%d assessments after a refused import, want %d", len(after), len(before))
		}
		if r := admin.do("POST", "/api/v1/orgs/acme-corp/assessments/import", "application/yaml", []byte("model: other@1.0\nanswers: {}\n")); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.body), "other@1.0") {
			t.Errorf("unknown model: %d %s", r.StatusCode, r.body)
		}

		// The HTML report allows its own inline style by hash, nothing inline otherwise.
		r = admin.get(base + "/report?format=html&as_of=2026-11-20")
		csp := r.Header.Get("Content-Security-Policy")
		if r.StatusCode != http.StatusOK || !strings.Contains(csp, "'sha256-") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("html report: %d, CSP %q", r.StatusCode, csp)
		}
		if r := admin.get(base + "/report?format=docx"); r.StatusCode != http.StatusBadRequest {
			t.Errorf("unknown report format: %d, want 400", r.StatusCode)
		}
	})
}

func TestUploadModel(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		admin := f.members[csmm.RoleAdmin]
		bad := strings.Replace(string(model.BuiltinYAML()), "id: IAM-2.1", "id: IAM-2.x", 1)
		bad = versionLine.ReplaceAllString(bad, "version: [1, 2]")
		r := admin.do("POST", "/api/v1/orgs/acme-corp/models?filename=mine.yaml", "application/yaml", []byte(bad))
		var refused struct {
			Error struct {
				Code     string
				Message  string
				Problems []struct {
					File, Path, Message string
					Line                int
				}
			}
		}
		r.json(t, &refused)
		if r.StatusCode != http.StatusBadRequest || refused.Error.Code != "invalid" || len(refused.Error.Problems) == 0 {
			t.Fatalf("invalid model: %d %s", r.StatusCode, r.body)
		}
		for _, p := range refused.Error.Problems {
			if p.File != "mine.yaml" || p.Message == "" {
				t.Errorf("problem %+v lacks its file or message", p)
			}
		}
		if ms, _ := f.e.st.ListModels(t.Context(), f.a.ID); len(ms) != 0 {
			t.Errorf("%d models stored after a refused upload, want 0", len(ms))
		}

		good := idLine.ReplaceAllString(string(model.BuiltinYAML()), "id: acme")
		r = admin.do("POST", "/api/v1/orgs/acme-corp/models", "application/yaml", []byte(good))
		var cm struct{ ID, Name, Version string }
		r.json(t, &cm)
		if r.StatusCode != http.StatusCreated || cm.Name != "acme" {
			t.Fatalf("valid model: %d %s", r.StatusCode, r.body)
		}
		if r := admin.do("POST", "/api/v1/orgs/acme-corp/models", "application/yaml", []byte(good)); r.StatusCode != http.StatusConflict {
			t.Errorf("same model again: %d, want 409", r.StatusCode)
		}
		var m struct{ ID, Version string }
		admin.get("/api/v1/orgs/acme-corp/models/"+cm.ID).json(t, &m)
		if m.ID != "acme" {
			t.Errorf("getModel of the custom model: id %q", m.ID)
		}
		// An assessment on the custom model, imported from a file naming it.
		r = admin.do("POST", "/api/v1/orgs/acme-corp/assessments/import", "application/yaml", []byte("model: acme@"+cm.Version+"\ndate: 2026-11-01\nanswers:\n  IAM-2.1: yes\n"))
		var as struct {
			ModelRef string `json:"model_ref"`
		}
		r.json(t, &as)
		if r.StatusCode != http.StatusCreated || as.ModelRef != cm.ID {
			t.Errorf("import on the custom model: %d %s", r.StatusCode, r.body)
		}
		// Organization B cannot read A's model.
		if r := f.e.bearerFor(t, "owner@beta.example", "beta-ltd").get("/api/v1/orgs/beta-ltd/models/" + cm.ID); r.StatusCode != http.StatusNotFound {
			t.Errorf("B reads A's model: %d, want 404", r.StatusCode)
		}
	})
}
