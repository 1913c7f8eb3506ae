package store

import (
	"context"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Review is a reviewer's mark on the answer to an objective in a scope. It
// keeps the answer's version and save time when it was reviewed: once the
// answer changes, the mark stays but no longer holds (Holds).
type Review struct {
	AssessmentID string `json:"assessment_id"`
	Objective    string `json:"objective"`
	Scope        string `json:"scope"`
	// AnswerVersion and AnswerUpdated are the reviewed answer's.
	AnswerVersion int       `json:"answer_version"`
	AnswerUpdated time.Time `json:"answer_updated"`
	// ReviewedBy is the reviewer's user ID; ReviewerName their name then.
	ReviewedBy   string    `json:"reviewed_by"`
	ReviewerName string    `json:"reviewer_name"`
	Reviewed     time.Time `json:"reviewed"`
	// State is reviewed while the mark holds for the stored answer, and
	// changed once the answer changed (or was deleted); set by ListReviews.
	State string `json:"state,omitempty" doc:"reviewed while the mark holds for the stored answer; changed once the answer changed or was deleted"`
}

// Review states of an answer, as ReviewState tells them.
const (
	ReviewNone    = "unreviewed"
	ReviewDone    = "reviewed"
	ReviewChanged = "changed"
)

// Holds reports whether the mark is on the answer as it is now: the same
// version saved at the same time (an answer deleted and given again starts
// again at version 1, but at another time).
func (r *Review) Holds(a *Answer) bool {
	return r != nil && a != nil && r.AnswerVersion == a.Version && r.AnswerUpdated.Truncate(time.Microsecond).Equal(a.Updated.Truncate(time.Microsecond))
}

// ReviewState is reviewed when the mark holds for the answer, changed when
// the answer changed after it was reviewed, and unreviewed otherwise.
func ReviewState(r *Review, a *Answer) string {
	switch {
	case r == nil || a == nil:
		return ReviewNone
	case r.Holds(a):
		return ReviewDone
	}
	return ReviewChanged
}

const reviewColumns = "assessment_id, objective, scope, answer_version, answer_updated_at, reviewed_by, reviewer_name, reviewed_at"

// MarkReviewed records that the actor reviewed the answer to an objective in
// a scope as it is now. It returns not_found when there is no answer or the
// assessment belongs to another organization, and conflict when the answer
// is no longer the version the reviewer saw (expectedVersion; 0 takes the
// current one).
func (s *Store) MarkReviewed(ctx context.Context, orgID string, actor Actor, assessmentID, objective, scope string, expectedVersion int) (_ *Review, err error) {
	defer wrap(&err, "mark reviewed(%s, %s, %s, %s)", orgID, assessmentID, objective, scope)
	var r *Review
	err = s.write(ctx, func(tx *tx) error {
		a, err := getAnswer(ctx, tx, orgID, assessmentID, objective, scope)
		if err != nil {
			return err
		}
		if expectedVersion != 0 && a.Version != expectedVersion {
			return &ConflictError{Current: a}
		}
		before, err := getReview(ctx, tx, orgID, assessmentID, objective, scope)
		if err != nil {
			return err
		}
		r = &Review{AssessmentID: assessmentID, Objective: objective, Scope: scope, AnswerVersion: a.Version, AnswerUpdated: a.Updated,
			ReviewedBy: actor.UserID, Reviewed: tx.now, State: ReviewDone}
		if actor.UserID != "" {
			if err := tx.queryRow(ctx, "SELECT name FROM users WHERE id = ?", actor.UserID).Scan(&r.ReviewerName); err != nil {
				return notFound(err, "user", actor.UserID)
			}
		}
		if _, err := tx.exec(ctx, "DELETE FROM answer_reviews WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?", orgID, assessmentID, objective, scope); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "INSERT INTO answer_reviews (org_id, "+reviewColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			orgID, assessmentID, objective, scope, r.AnswerVersion, micros(r.AnswerUpdated), r.ReviewedBy, r.ReviewerName, micros(r.Reviewed)); err != nil {
			return err
		}
		if err := raiseRevision(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		var b any
		if before != nil {
			b = before
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"answer.review", "answer", answerTarget(assessmentID, objective, scope), b, r})
	})
	return r, err
}

// ClearReview removes the review mark of an answer. It returns not_found
// when there is none or the assessment belongs to another organization.
func (s *Store) ClearReview(ctx context.Context, orgID string, actor Actor, assessmentID, objective, scope string) (err error) {
	defer wrap(&err, "clear review(%s, %s, %s, %s)", orgID, assessmentID, objective, scope)
	return s.write(ctx, func(tx *tx) error {
		before, err := getReview(ctx, tx, orgID, assessmentID, objective, scope)
		if err != nil {
			return err
		}
		if before == nil {
			return csmm.Errorf(csmm.ENOTFOUND, "the answer to %s in scope %s has no review mark", objective, scope)
		}
		if _, err := tx.exec(ctx, "DELETE FROM answer_reviews WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?", orgID, assessmentID, objective, scope); err != nil {
			return err
		}
		if err := raiseRevision(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"answer.unreview", "answer", answerTarget(assessmentID, objective, scope), before, nil})
	})
}

func scanReview(sc interface{ Scan(...any) error }) (*Review, error) {
	var r Review
	err := sc.Scan(&r.AssessmentID, &r.Objective, &r.Scope, &r.AnswerVersion, timeCol{&r.AnswerUpdated}, &r.ReviewedBy, &r.ReviewerName, timeCol{&r.Reviewed})
	return &r, err
}

// getReview returns the mark of an answer, nil when there is none.
func getReview(ctx context.Context, tx *tx, orgID, assessmentID, objective, scope string) (*Review, error) {
	r, err := scanReview(tx.queryRow(ctx, "SELECT "+reviewColumns+" FROM answer_reviews WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?",
		orgID, assessmentID, objective, scope))
	if err != nil {
		if csmm.ErrorCode(notFound(err, "", "")) == csmm.ENOTFOUND {
			return nil, nil
		}
		return nil, err
	}
	return r, nil
}

// ListReviews returns the review marks of an assessment, by objective and
// scope, whether they still hold or not. It returns not_found for another
// organization's assessment.
func (s *Store) ListReviews(ctx context.Context, orgID, assessmentID string) (_ []Review, err error) {
	defer wrap(&err, "list reviews(%s, %s)", orgID, assessmentID)
	var out []Review
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+reviewColumns+" FROM answer_reviews WHERE org_id = ? AND assessment_id = ? ORDER BY objective, scope", orgID, assessmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []Review{}
		for rows.Next() {
			r, err := scanReview(rows)
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		answers, err := listAnswers(ctx, tx, orgID, assessmentID)
		if err != nil {
			return err
		}
		stored := make(map[[2]string]*Answer, len(answers))
		for i := range answers {
			stored[[2]string{answers[i].Objective, answers[i].Scope}] = &answers[i]
		}
		for i := range out {
			r := &out[i]
			if r.State = ReviewState(r, stored[[2]string{r.Objective, r.Scope}]); r.State == ReviewNone {
				r.State = ReviewChanged
			}
		}
		return nil
	})
	return out, err
}
