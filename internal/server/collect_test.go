package server

import (
	"context"
	"net/http"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/store"
)

// TestImportCollected imports the output of csmm collect (csmm-collect/1)
// through importEvidence: it is told from its content like a scanner file,
// its results are findings and its not-evaluated parts count as other.
func TestImportCollected(t *testing.T) {
	doc := []byte(`{
  "format": "csmm-collect/1", "provider": "aws", "scan_time": "2026-12-01T12:00:00Z",
  "results": [
    {"check":"csmm:aws:root_mfa","resource":"1","account":"1","status":"pass"},
    {"check":"` + rootMFACheck + `","resource":"1","account":"1","status":"fail"}
  ],
  "not_evaluated": [{"account":"2","checks":["csmm:aws:root_mfa"],"reason":"assume_role_denied"}],
  "scopes": [], "provenance": {"tool": "csmm"}, "summary": {}
}`)
	obj := checkedObjective(t)
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		as, err := f.e.st.CreateAssessment(context.Background(), f.a.ID, storeActor(), store.AssessmentInput{Name: "Collected"})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/orgs/acme-corp/assessments/" + as.ID
		r := f.members[csmm.RoleAssessor].do("POST", path+"/evidence?name=csmm-collect-aws.json", "application/json", doc)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("import: %d %s", r.StatusCode, r.body)
		}
		var got struct{ Files []evidence.Summary }
		r.json(t, &got)
		if len(got.Files) != 1 || got.Files[0].Format != evidence.CSMMCollect || got.Files[0].Findings != 3 ||
			got.Files[0].Status != (evidence.StatusCounts{Pass: 1, Fail: 1, Other: 1}) {
			t.Fatalf("summary: %s", r.body)
		}
		if len(got.Files[0].Objectives) == 0 || got.Files[0].Objectives[0].ID != obj.ID || got.Files[0].Objectives[0].Failed != 1 {
			t.Errorf("objectives: %+v", got.Files[0].Objectives)
		}
	})
}
