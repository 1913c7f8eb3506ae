package store

import (
	"context"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
)

// Evidence is what one scanner source found for one objective in one scope
// of an assessment. Scoring adds up the sources of an objective and scope.
type Evidence struct {
	AssessmentID string    `json:"assessment_id"`
	Objective    string    `json:"objective"`
	Scope        string    `json:"scope"`
	Source       string    `json:"source"`
	Passed       int       `json:"passed"`
	Failed       int       `json:"failed"`
	Muted        int       `json:"muted"`
	Imported     time.Time `json:"imported"`
}

// ReplaceEvidence replaces every evidence record of one source in an
// assessment with the given ones (their AssessmentID, Source and Imported
// are set here), in one transaction: a new scan supersedes the last one of
// the same source. It returns invalid for an empty source, a negative count
// or an unknown scope, and not_found for another organization's assessment.
func (s *Store) ReplaceEvidence(ctx context.Context, orgID string, actor Actor, assessmentID, source string, list []Evidence) (err error) {
	defer wrap(&err, "replace evidence(%s, %s, %s)", orgID, assessmentID, source)
	source = strings.TrimSpace(source)
	if source == "" {
		return csmm.Errorf(csmm.EINVALID, "evidence needs a source")
	}
	for _, e := range list {
		if e.Objective == "" || e.Passed < 0 || e.Failed < 0 || e.Muted < 0 {
			return csmm.Errorf(csmm.EINVALID, "evidence for %q: expected an objective and counts of 0 or more", e.Objective)
		}
	}
	return s.write(ctx, func(tx *tx) error {
		as, err := getAssessment(ctx, tx, orgID, assessmentID)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM evidence WHERE org_id = ? AND assessment_id = ? AND source = ?", orgID, assessmentID, source)
		if err != nil {
			return err
		}
		removed, _ := res.RowsAffected()
		for _, e := range list {
			if !hasScope(as, e.Scope) {
				return csmm.Errorf(csmm.EINVALID, "evidence for %s: the scope %q is not a scope of the assessment", e.Objective, e.Scope)
			}
			if _, err := tx.exec(ctx, `INSERT INTO evidence (org_id, assessment_id, objective, scope, source, passed, failed, muted, imported_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				orgID, assessmentID, e.Objective, e.Scope, source, e.Passed, e.Failed, e.Muted, micros(tx.now)); err != nil {
				return uniqueConflict(err, "evidence for %s in scope %s is given twice", e.Objective, e.Scope)
			}
		}
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		type summary struct {
			Source  string `json:"source"`
			Records int64  `json:"records"`
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"evidence.replace", "assessment", assessmentID,
			summary{source, removed}, summary{source, int64(len(list))}})
	})
}

// ListEvidence returns every evidence record of an assessment, by objective,
// scope and source. It returns not_found for another organization's assessment.
func (s *Store) ListEvidence(ctx context.Context, orgID, assessmentID string) (_ []Evidence, err error) {
	defer wrap(&err, "list evidence(%s, %s)", orgID, assessmentID)
	var out []Evidence
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = listEvidence(ctx, tx, orgID, assessmentID)
		return err
	})
	return out, err
}

func listEvidence(ctx context.Context, tx *tx, orgID, assessmentID string) ([]Evidence, error) {
	rows, err := tx.query(ctx, `SELECT assessment_id, objective, scope, source, passed, failed, muted, imported_at
		FROM evidence WHERE org_id = ? AND assessment_id = ? ORDER BY objective, scope, source`, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.AssessmentID, &e.Objective, &e.Scope, &e.Source, &e.Passed, &e.Failed, &e.Muted, timeCol{&e.Imported}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
