package store

import (
	"context"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Assignment gives a category or an objective of an assessment (Target, by
// its ID) to a member of the organization.
type Assignment struct {
	AssessmentID string    `json:"assessment_id"`
	Target       string    `json:"target"`
	UserID       string    `json:"user_id"`
	AssignedBy   string    `json:"assigned_by"`
	Assigned     time.Time `json:"assigned"`
}

// Assign gives a category or objective of an assessment to a member; an
// empty userID removes the assignment. It returns invalid for an empty
// target or a user who is not a member, and not_found for another
// organization's assessment.
func (s *Store) Assign(ctx context.Context, orgID string, actor Actor, assessmentID, target, userID string) (err error) {
	defer wrap(&err, "assign(%s, %s, %s)", orgID, assessmentID, target)
	target = strings.TrimSpace(target)
	if target == "" {
		return csmm.Errorf(csmm.EINVALID, "target: expected a category or objective ID")
	}
	return s.write(ctx, func(tx *tx) error {
		if err := liveAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		var before *Assignment
		if list, err := listAssignments(ctx, tx, orgID, assessmentID); err != nil {
			return err
		} else {
			for _, a := range list {
				if a.Target == target {
					before = &a
				}
			}
		}
		if _, err := tx.exec(ctx, "DELETE FROM assignments WHERE org_id = ? AND assessment_id = ? AND target = ?", orgID, assessmentID, target); err != nil {
			return err
		}
		var after *Assignment
		if userID != "" {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM memberships WHERE org_id = ? AND user_id = ?", orgID, userID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return csmm.Errorf(csmm.EINVALID, "user %q is not a member of the organization", userID)
			}
			after = &Assignment{AssessmentID: assessmentID, Target: target, UserID: userID, AssignedBy: actorID(actor), Assigned: tx.now}
			if _, err := tx.exec(ctx, "INSERT INTO assignments (org_id, assessment_id, target, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?, ?, ?)",
				orgID, assessmentID, target, userID, after.AssignedBy, micros(tx.now)); err != nil {
				return err
			}
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"assignment.set", "assessment", assessmentID, before, after})
	})
}

// ListAssignments returns the assignments of an assessment by target. It
// returns not_found for another organization's assessment.
func (s *Store) ListAssignments(ctx context.Context, orgID, assessmentID string) (_ []Assignment, err error) {
	defer wrap(&err, "list assignments(%s, %s)", orgID, assessmentID)
	var out []Assignment
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = listAssignments(ctx, tx, orgID, assessmentID)
		return err
	})
	return out, err
}

func listAssignments(ctx context.Context, tx *tx, orgID, assessmentID string) ([]Assignment, error) {
	rows, err := tx.query(ctx, "SELECT assessment_id, target, user_id, assigned_by, assigned_at FROM assignments WHERE org_id = ? AND assessment_id = ? ORDER BY target", orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Assignment{}
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.AssessmentID, &a.Target, &a.UserID, &a.AssignedBy, timeCol{&a.Assigned}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
