package server

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/apiclient"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/store"
)

// TestObjectiveEvidenceAPI drives the evidence and review operations with
// the generated client on both databases: a file uploaded and downloaded
// byte for byte with safe headers, a file over the limit refused with 413
// and nothing stored, a javascript: link refused, removal by another
// assessor refused, and a review mark that turns "changed" when the answer
// changes.
func TestObjectiveEvidenceAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		e, ctx := f.e, context.Background()
		server := e.ts.URL + api.Prefix
		token := func(role csmm.Role) *apiclient.ClientWithResponses {
			secret, _, err := CreateToken(ctx, e.st, NewToken{Organization: f.a.Slug, Email: f.users[role].Email, Name: "test", Role: role}, storeActor())
			if err != nil {
				t.Fatal(err)
			}
			return newAPIClient(t, server, secret)
		}
		assessor, admin := token(csmm.RoleAssessor), token(csmm.RoleAdmin)
		org, id := f.a.Slug, f.assessA

		data := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 0xff, 0x10}, 2000)...)
		up, err := assessor.UploadEvidenceFileWithBodyWithResponse(ctx, org, id, "IAM-2.1", &apiclient.UploadEvidenceFileParams{Name: "diagram.png"}, "image/png", bytes.NewReader(data))
		must(t, "uploadEvidenceFile", up, err, http.StatusCreated, up != nil && up.JSON201 != nil && up.JSON201.Title == "diagram.png" && *up.JSON201.Size == int64(len(data)))
		att := up.JSON201

		down, err := assessor.DownloadEvidenceFileWithResponse(ctx, org, id, att.Id, nil)
		must(t, "downloadEvidenceFile", down, err, http.StatusOK, down != nil && bytes.Equal(down.Body, data))
		for h, want := range map[string]string{
			"Content-Type":           "image/png",
			"Content-Disposition":    `attachment; filename="diagram.png"`,
			"X-Content-Type-Options": "nosniff",
		} {
			if got := down.HTTPResponse.Header.Get(h); got != want {
				t.Errorf("download %s = %q, want %q", h, got, want)
			}
		}

		big := make([]byte, store.MaxAttachmentBytes+1)
		tooBig, err := assessor.UploadEvidenceFileWithBodyWithResponse(ctx, org, id, "IAM-2.1", &apiclient.UploadEvidenceFileParams{Name: "big.bin"}, "application/octet-stream", bytes.NewReader(big))
		must(t, "uploadEvidenceFile over the limit", tooBig, err, http.StatusRequestEntityTooLarge, tooBig != nil && tooBig.JSON413 != nil)
		if list, _ := e.st.ListAttachments(ctx, f.a.ID, id); len(list) != 1 {
			t.Errorf("%d attachments after the refused upload, want 1", len(list))
		}

		bad, err := assessor.AddEvidenceLinkWithResponse(ctx, org, id, "IAM-2.1", nil, apiclient.LinkAdd{Url: "javascript:alert(1)"})
		must(t, "addEvidenceLink javascript:", bad, err, http.StatusBadRequest, bad != nil && bad.JSON400 != nil)
		link, err := admin.AddEvidenceLinkWithResponse(ctx, org, id, "IAM-2.1", nil, apiclient.LinkAdd{Url: "https://wiki.example.com/iam", Title: ptr("IAM wiki")})
		must(t, "addEvidenceLink", link, err, http.StatusCreated, link != nil && link.JSON201 != nil && link.JSON201.AddedByName != "")

		listed, err := assessor.ListObjectiveEvidenceWithResponse(ctx, org, id, &apiclient.ListObjectiveEvidenceParams{Objective: ptr("IAM-2.1")})
		must(t, "listObjectiveEvidence", listed, err, http.StatusOK, listed != nil && listed.JSON200 != nil && len(listed.JSON200.Items) == 2)

		// The assessor may not remove the admin's link; the admin may
		// remove the assessor's file.
		refused, err := assessor.DeleteObjectiveEvidenceWithResponse(ctx, org, id, link.JSON201.Id, nil)
		must(t, "deleteObjectiveEvidence of another's link", refused, err, http.StatusForbidden, refused != nil && refused.JSON403 != nil)
		gone, err := admin.DeleteObjectiveEvidenceWithResponse(ctx, org, id, att.Id, nil)
		must(t, "deleteObjectiveEvidence by an admin", gone, err, http.StatusNoContent, gone != nil)

		// Review: marked, then changed by a new answer.
		id = f.answered(f.a, "IAM-2.2")
		mark, err := admin.MarkReviewedWithResponse(ctx, org, id, "IAM-2.2", "default", nil, apiclient.ReviewMark{Version: ptr(1)})
		must(t, "markReviewed", mark, err, http.StatusOK, mark != nil && mark.JSON200 != nil && mark.JSON200.ReviewerName != "")
		stale, err := admin.MarkReviewedWithResponse(ctx, org, id, "IAM-2.2", "default", nil, apiclient.ReviewMark{Version: ptr(7)})
		must(t, "markReviewed of another version", stale, err, http.StatusConflict, stale != nil && stale.JSON409 != nil)
		if _, err := e.st.PutAnswer(ctx, f.a.ID, storeActor(), store.AnswerInput{AssessmentID: id, Objective: "IAM-2.2", Scope: "default", Answer: "yes", AnsweredBy: "Ann", ExpectedVersion: 1}); err != nil {
			t.Fatal(err)
		}
		rs, err := assessor.ListReviewsWithResponse(ctx, org, id, nil)
		must(t, "listReviews", rs, err, http.StatusOK, rs != nil && rs.JSON200 != nil && len(rs.JSON200.Items) == 1)
		if got := rs.JSON200.Items[0].State; got == nil || *got != store.ReviewChanged {
			t.Errorf("review state after the answer changed: %v, want changed", got)
		}
	})
}

func ptr[T any](v T) *T { return &v }
