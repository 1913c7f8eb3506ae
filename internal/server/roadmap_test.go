package server

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/apiclient"
	"github.com/csmm/csmm/internal/csmm"
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
