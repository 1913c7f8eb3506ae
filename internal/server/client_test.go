package server

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/apiclient"
	"github.com/csmm/csmm/internal/csmm"
)

var update = flag.Bool("update", false, "rewrite the generated API client (internal/apiclient/client.gen.go) from the served document")

// clientFile is the Go client generated from the served OpenAPI document.
const clientFile = "../apiclient/client.gen.go"

// TestGeneratedClient generates the Go client from the document the server
// serves, with the oapi-codegen version go.mod pins as a tool, and checks
// that it is the client the journey test compiles and drives: a change to
// the API that changes the client fails here until the client is
// regenerated (-update).
func TestGeneratedClient(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	r := e.client().get(api.Prefix + "/openapi.json")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	doc := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(doc, r.body, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-generate", "types,client", "-package", "apiclient", doc)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool oapi-codegen: %v\n%s", err, stderr.String())
	}
	if *update {
		if err := os.WriteFile(clientFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(clientFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the client oapi-codegen generates from the served document; run go test ./internal/server -run TestGeneratedClient -update", clientFile)
	}
}

// TestClientJourney drives a whole journey with the generated client
// against a real server, knowing only the server's address: every typed
// response decodes into its type, success and error alike.
func TestClientJourney(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	ctx := context.Background()

	// The address alone finds the API: the document's server, resolved
	// against the document's own URL.
	docURL := e.ts.URL + api.Prefix + "/openapi.json"
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
	}
	r := e.client().get(api.Prefix + "/openapi.json")
	r.json(t, &doc)
	if len(doc.Servers) == 0 {
		t.Fatal("the document has no servers")
	}
	base, err := url.Parse(docURL)
	if err != nil {
		t.Fatal(err)
	}
	server := base.ResolveReference(mustURL(doc.Servers[0].URL)).String()

	secret, _, err := CreateToken(ctx, e.st, NewToken{Organization: "acme-corp", Email: "owner@acme.example", Name: "journey", Role: csmm.RoleOwner}, storeActor())
	if err != nil {
		t.Fatal(err)
	}
	c := newAPIClient(t, server, secret)

	me, err := c.GetMeWithResponse(ctx, nil)
	must(t, "getMe", me, err, http.StatusOK, me != nil && me.JSON200 != nil)
	if len(me.JSON200.Organizations) != 1 || me.JSON200.Token == nil {
		t.Fatalf("getMe: %+v", me.JSON200)
	}
	org := me.JSON200.Organizations[0].Organization.Slug

	name := "Journey"
	scopes := []apiclient.Scope{{Id: "production", Weight: 2}, {Id: "development", Weight: 1}}
	targetDefault := 3
	created, err := c.CreateAssessmentWithResponse(ctx, org, nil, apiclient.AssessmentCreate{Name: name, Scopes: &scopes, TargetDefault: &targetDefault})
	must(t, "createAssessment", created, err, http.StatusCreated, created != nil && created.JSON201 != nil)
	id := created.JSON201.Id

	// Answers with versions, and a conflicting write.
	put := func(answer apiclient.AssessAnswer, version int) *apiclient.PutAnswerResponse {
		t.Helper()
		note := "from the generated client"
		res, err := c.PutAnswerWithResponse(ctx, org, id, "IAM-2.1", "production", nil, apiclient.AnswerPut{Answer: &answer, Note: &note, Version: version})
		if err != nil {
			t.Fatalf("putAnswer: %v", err)
		}
		return res
	}
	first := put(apiclient.AssessAnswerMost, 0)
	must(t, "putAnswer", first, nil, http.StatusOK, first.JSON200 != nil)
	second := put(apiclient.AssessAnswerYes, first.JSON200.Version)
	must(t, "putAnswer again", second, nil, http.StatusOK, second.JSON200 != nil)
	if second.JSON200.Version != first.JSON200.Version+1 {
		t.Errorf("versions %d then %d", first.JSON200.Version, second.JSON200.Version)
	}
	stale := put(apiclient.AssessAnswerNo, first.JSON200.Version)
	must(t, "putAnswer with a stale version", stale, nil, http.StatusConflict, stale.JSON409 != nil)
	if cur := stale.JSON409.Error.Current; cur == nil || cur.Version != second.JSON200.Version || cur.Answer == nil || *cur.Answer != apiclient.AssessAnswerYes {
		t.Errorf("the conflict's current answer: %+v", cur)
	}
	if stale.JSON409.Error.Code != apiclient.ErrorCodeConflict {
		t.Errorf("the conflict's code: %q", stale.JSON409.Error.Code)
	}
	answers, err := c.ListAnswersWithResponse(ctx, org, id, nil)
	must(t, "listAnswers", answers, err, http.StatusOK, answers != nil && answers.JSON200 != nil && len(answers.JSON200.Items) == 1)

	// Evidence.
	scope, fileName := "production", "scan.csv"
	imported, err := c.ImportEvidenceWithBodyWithResponse(ctx, org, id, &apiclient.ImportEvidenceParams{Scope: &scope, Name: &fileName},
		"text/csv", strings.NewReader("check,status\nprowler:aws:iam_root_mfa_enabled,pass\n"))
	must(t, "importEvidence", imported, err, http.StatusOK, imported != nil && imported.JSON200 != nil)
	if len(imported.JSON200.Files) != 1 || imported.JSON200.Stored.FileName != fileName {
		t.Errorf("importEvidence: %+v", imported.JSON200)
	}
	evidence, err := c.ListEvidenceWithResponse(ctx, org, id, nil)
	must(t, "listEvidence", evidence, err, http.StatusOK, evidence != nil && evidence.JSON200 != nil && len(evidence.JSON200.Imports) == 1)
	bad, err := c.ImportEvidenceWithBodyWithResponse(ctx, org, id, nil, "application/json", strings.NewReader("{not json"))
	must(t, "importEvidence of a broken file", bad, err, http.StatusBadRequest, bad != nil && bad.JSON400 != nil && bad.JSON400.Error.Problems != nil)

	// Exemptions: a request; four eyes, so its requester may not decide it.
	until := apiclient.ExemptionRequest{Objective: "IAM-2.2", Reason: "replaced next quarter"}
	until.Until.Time = time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	requested, err := c.RequestExemptionWithResponse(ctx, org, id, nil, until)
	must(t, "requestExemption", requested, err, http.StatusCreated, requested != nil && requested.JSON201 != nil)
	approver := "CISO"
	decided, err := c.DecideExemptionWithResponse(ctx, org, id, requested.JSON201.Id, nil, apiclient.ExemptionDecision{Approve: true, Approver: &approver})
	must(t, "decideExemption by its requester", decided, err, http.StatusForbidden, decided != nil && decided.GetJSON403() != nil)

	// The score and the reports.
	asOf := apiclient.GetScoreParams{}
	score, err := c.GetScoreWithResponse(ctx, org, id, &asOf)
	must(t, "getScore", score, err, http.StatusOK, score != nil && score.JSON200 != nil && score.JSON200.Scopes != nil)
	found := false
	for _, sc := range *score.JSON200.Scopes {
		if sc.Id != "production" || sc.Objectives == nil {
			continue
		}
		for _, o := range *sc.Objectives {
			if o.Id == "IAM-2.1" {
				found = true
				if o.Status != apiclient.StatusAnswered || o.Answer == nil || o.Answer.Answer == nil || *o.Answer.Answer != apiclient.AssessAnswerYes {
					t.Errorf("IAM-2.1 in production: %+v, want answered yes", o)
				}
			}
		}
	}
	if !found {
		t.Error("the score has no IAM-2.1 in the production scope")
	}
	jsonFormat := apiclient.GetReportParamsFormatJson
	report, err := c.GetReportWithResponse(ctx, org, id, &apiclient.GetReportParams{Format: &jsonFormat})
	must(t, "getReport json", report, err, http.StatusOK, report != nil && report.JSON200 != nil && report.JSON200.Assessment == name)
	md := apiclient.GetReportParamsFormatMd
	report, err = c.GetReportWithResponse(ctx, org, id, &apiclient.GetReportParams{Format: &md})
	must(t, "getReport md", report, err, http.StatusOK, report != nil && bytes.Contains(report.Body, []byte("# ")))
	exported, err := c.ExportAssessmentWithResponse(ctx, org, id, nil)
	must(t, "exportAssessment", exported, err, http.StatusOK, exported != nil && exported.YAML200 != nil && (*exported.YAML200)["answers"] != nil)

	// Tokens: create one, list, use, revoke; the revoked one is refused.
	viewer := apiclient.Viewer
	made, err := c.CreateTokenWithResponse(ctx, org, nil, apiclient.TokenRequest{Name: "CI", Role: &viewer})
	must(t, "createToken", made, err, http.StatusCreated, made != nil && made.JSON201 != nil && made.JSON201.Secret != "")
	tokens, err := c.ListTokensWithResponse(ctx, org, nil)
	must(t, "listTokens", tokens, err, http.StatusOK, tokens != nil && tokens.JSON200 != nil && len(tokens.JSON200.Items) == 2)
	ci := newAPIClient(t, server, made.JSON201.Secret)
	asViewer, err := ci.GetAssessmentWithResponse(ctx, org, id, nil)
	must(t, "getAssessment with the new token", asViewer, err, http.StatusOK, asViewer != nil && asViewer.JSON200 != nil && asViewer.JSON200.Name == name)
	refused, err := ci.DeleteAssessmentWithResponse(ctx, org, id, nil)
	must(t, "deleteAssessment as a viewer", refused, err, http.StatusForbidden, refused != nil && refused.JSON403 != nil)
	revoked, err := c.RevokeTokenWithResponse(ctx, org, made.JSON201.Token.Id, nil)
	must(t, "revokeToken", revoked, err, http.StatusNoContent, revoked != nil)
	gone, err := ci.GetAssessmentWithResponse(ctx, org, id, nil)
	must(t, "getAssessment with the revoked token", gone, err, http.StatusUnauthorized, gone != nil && gone.JSON401 != nil)

	audit, err := c.ListAuditWithResponse(ctx, org, nil)
	must(t, "listAudit", audit, err, http.StatusOK, audit != nil && audit.JSON200 != nil && len(audit.JSON200.Items) > 0)
	missing, err := c.GetAssessmentWithResponse(ctx, org, "no-such-assessment", nil)
	must(t, "getAssessment of a missing one", missing, err, http.StatusNotFound, missing != nil && missing.JSON404 != nil && missing.JSON404.Error.Code == apiclient.ErrorCodeNotFound)
}

// newAPIClient returns a generated client that sends an API token.
func newAPIClient(t *testing.T, server, token string) *apiclient.ClientWithResponses {
	t.Helper()
	c, err := apiclient.NewClientWithResponses(server, apiclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// statusResponse is what every generated response has.
type statusResponse interface{ StatusCode() int }

// must fails the test unless the call succeeded in decoding its response,
// with the status and the typed field (ok) expected.
func must(t *testing.T, what string, res statusResponse, err error, status int, ok bool) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: the response did not decode into its type: %v", what, err)
	}
	if res == nil || res.StatusCode() != status || !ok {
		body := ""
		if b, e := json.Marshal(res); e == nil {
			body = string(b)
		}
		t.Fatalf("%s: status %d, want %d with its typed body: %.500s", what, res.StatusCode(), status, body)
	}
}
