package service

import (
	"context"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// ReportEvidence reads what the report shows beside the scores: the links
// and files of the assessment's objectives, with who added them and when,
// and the review marks of its answers (Changed once the answer changed
// after the review). It returns not_found for another organization's
// assessment.
func ReportEvidence(ctx context.Context, st *store.Store, orgID, assessmentID string) ([]report.EvidenceItem, map[assess.Key]report.ReviewMark, error) {
	items, err := st.ListAttachments(ctx, orgID, assessmentID)
	if err != nil {
		return nil, nil, err
	}
	reviews, err := st.ListReviews(ctx, orgID, assessmentID)
	if err != nil {
		return nil, nil, err
	}
	evidence := make([]report.EvidenceItem, 0, len(items))
	for _, a := range items {
		evidence = append(evidence, report.EvidenceItem{ID: a.ID, Objective: a.Objective, Kind: a.Kind, Title: a.Title, URL: a.URL,
			Size: a.Size, By: a.AddedByName, Added: a.Added})
	}
	marks := make(map[assess.Key]report.ReviewMark, len(reviews))
	for _, r := range reviews {
		marks[assess.Key{Objective: r.Objective, Scope: r.Scope}] = report.ReviewMark{By: r.ReviewerName, At: r.Reviewed, Changed: r.State != store.ReviewDone}
	}
	return evidence, marks, nil
}

// WithAssessmentExtras fills in what a stored assessment's report shows
// beside its scores: the links and files of its objectives, the review
// marks of its answers and the work on its roadmap (res is the roll-up's
// result, whose roadmap the work follows). The API and the pages build
// their reports with it.
func WithAssessmentExtras(ctx context.Context, st *store.Store, orgID, assessmentID string, m *model.Model, res assess.Result, meta report.Meta) (report.Meta, error) {
	evidence, reviews, err := ReportEvidence(ctx, st, orgID, assessmentID)
	if err != nil {
		return meta, err
	}
	entries, err := Roadmap(ctx, st, orgID, assessmentID, m, res)
	if err != nil {
		return meta, err
	}
	meta.Evidence, meta.Reviews, meta.Work = evidence, reviews, WorkItems(entries)
	return meta, nil
}
