package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/apiclient"
	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestClientRoadmapItems lists an assessment's roadmap with the generated
// client, sets the work on one objective (owner, due date in the past,
// status, ticket) and finds it overdue in the list and in the Markdown
// report; a ticket that is not an http(s) link, an objective off the
// roadmap and a viewer are refused.
func TestClientRoadmapItems(t *testing.T) {
	e := newEnv(t, newDSN(t, "sqlite"))
	e.setup()
	ctx := context.Background()
	server := e.ts.URL + api.Prefix
	secret, _, err := CreateToken(ctx, e.st, NewToken{Organization: "acme-corp", Email: "owner@acme.example", Name: "roadmap", Role: csmm.RoleOwner}, storeActor())
	if err != nil {
		t.Fatal(err)
	}
	c := newAPIClient(t, server, secret)
	me, err := c.GetMeWithResponse(ctx, nil)
	must(t, "getMe", me, err, http.StatusOK, me != nil && me.JSON200 != nil)
	org, ownerID := me.JSON200.Organizations[0].Organization.Slug, me.JSON200.User.Id

	targetDefault := 3
	created, err := c.CreateAssessmentWithResponse(ctx, org, nil, apiclient.AssessmentCreate{Name: "Roadmap", TargetDefault: &targetDefault})
	must(t, "createAssessment", created, err, http.StatusCreated, created != nil && created.JSON201 != nil)
	id := created.JSON201.Id

	listed, err := c.ListRoadmapItemsWithResponse(ctx, org, id, nil)
	must(t, "listRoadmapItems", listed, err, http.StatusOK, listed != nil && listed.JSON200 != nil && len(listed.JSON200.Items) > 0)
	first := listed.JSON200.Items[0]
	if first.Phase != 1 || first.Status != apiclient.Planned || first.Overdue || first.OwnerId != nil {
		t.Errorf("a new roadmap's first item %+v, want phase 1, planned, not overdue, no owner", first)
	}

	due := openapi_types.Date{Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)} // before the server's today, 2026-11-20
	status, ticket := apiclient.InProgress, "https://tracker.example/SEC-7"
	updated, err := c.UpdateRoadmapItemWithResponse(ctx, org, id, first.Objective, nil, apiclient.RoadmapUpdate{OwnerId: &ownerID, Due: &due, Status: &status, Ticket: &ticket})
	must(t, "updateRoadmapItem", updated, err, http.StatusOK, updated != nil && updated.JSON200 != nil)
	if got := updated.JSON200; got.Status != apiclient.InProgress || !got.Overdue || got.Owner == nil || *got.Owner == "" || got.Ticket == nil || *got.Ticket != ticket {
		t.Errorf("updated item %+v, want in progress, overdue, with its owner's name and ticket", got)
	}
	listed, err = c.ListRoadmapItemsWithResponse(ctx, org, id, nil)
	must(t, "listRoadmapItems again", listed, err, http.StatusOK, listed != nil && listed.JSON200 != nil)
	overdue := 0
	for _, it := range listed.JSON200.Items {
		if it.Overdue {
			overdue++
		}
	}
	if overdue != 1 {
		t.Errorf("%d overdue items, want 1", overdue)
	}
	md := apiclient.GetReportParamsFormatMd
	report, err := c.GetReportWithResponse(ctx, org, id, &apiclient.GetReportParams{Format: &md})
	must(t, "getReport md", report, err, http.StatusOK, report != nil)
	for _, want := range []string{"### Overdue", first.Objective, "in progress", ticket, "Work on the roadmap: 0 of "} {
		if !bytes.Contains(report.Body, []byte(want)) {
			t.Errorf("the Markdown report lacks %q", want)
		}
	}

	bad := "javascript:alert(1)"
	refused, err := c.UpdateRoadmapItemWithResponse(ctx, org, id, first.Objective, nil, apiclient.RoadmapUpdate{Ticket: &bad})
	must(t, "updateRoadmapItem with a javascript: ticket", refused, err, http.StatusBadRequest, refused != nil && refused.JSON400 != nil)
	refused, err = c.UpdateRoadmapItemWithResponse(ctx, org, id, "NO-SUCH-1.1", nil, apiclient.RoadmapUpdate{})
	must(t, "updateRoadmapItem off the roadmap", refused, err, http.StatusBadRequest, refused != nil && refused.JSON400 != nil)

	viewer := apiclient.Viewer
	made, err := c.CreateTokenWithResponse(ctx, org, nil, apiclient.TokenRequest{Name: "viewer", Role: &viewer})
	must(t, "createToken", made, err, http.StatusCreated, made != nil && made.JSON201 != nil)
	v := newAPIClient(t, server, made.JSON201.Secret)
	forbidden, err := v.UpdateRoadmapItemWithResponse(ctx, org, id, first.Objective, nil, apiclient.RoadmapUpdate{})
	must(t, "updateRoadmapItem as a viewer", forbidden, err, http.StatusForbidden, forbidden != nil && forbidden.JSON403 != nil)
}

// roadmapAssessment creates an assessment with targets in the organization
// and returns its ID and the first objective of its roadmap.
func (f *fixture) roadmapAssessment(org *store.Organization) (string, string) {
	f.e.t.Helper()
	ctx := context.Background()
	a, err := f.e.st.CreateAssessment(ctx, org.ID, storeActor(), store.AssessmentInput{Name: fmt.Sprintf("Roadmap %d", f.next()), Targets: []store.Target{{Category: "IAM", Level: 3, Reason: "baseline"}}})
	if err != nil {
		f.e.t.Fatal(err)
	}
	in, _, err := f.e.st.Scoring(ctx, org.ID, a.ID, assess.Date{Year: 2026, Month: 11, Day: 20})
	if err != nil {
		f.e.t.Fatal(err)
	}
	res := assess.Score(in)
	if len(res.Roadmap) == 0 || len(res.Roadmap[0].Objectives) == 0 {
		f.e.t.Fatal("an assessment with a target of 3 for IAM and no answer has no roadmap")
	}
	return a.ID, res.Roadmap[0].Objectives[0].ID
}

// The roadmap's operations in the role matrix (and so in the document's
// checks): reading for viewers, setting the work for assessors.
func init() {
	builders["listRoadmapItems"] = func(f *fixture, o *store.Organization, _ *store.User) request {
		return request{method: "GET", path: "/orgs/" + o.Slug + "/assessments/" + f.assessment(o) + "/roadmap"}
	}
	builders["updateRoadmapItem"] = func(f *fixture, o *store.Organization, _ *store.User) request {
		id, obj := f.roadmapAssessment(o)
		return jsonReq("PUT", "/orgs/"+o.Slug+"/assessments/"+id+"/roadmap/"+obj, `{"status":"in_progress","due":"2026-12-31","ticket":"https://tracker.example/1"}`)
	}
	minRole["listRoadmapItems"] = csmm.RoleViewer
	minRole["updateRoadmapItem"] = csmm.RoleAssessor
}
