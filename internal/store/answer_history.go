package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// AnswerChange is one row of an answer's history: a save (the answer as
// saved) or a deletion (Deleted, no answer), with who made it and when.
// The history is appended to in the transaction of every change and never
// updated.
type AnswerChange struct {
	Objective string `json:"objective"`
	Scope     string `json:"scope"`
	// Seq numbers the changes of one objective and scope, from 1.
	Seq     int  `json:"seq"`
	Deleted bool `json:"deleted,omitempty"`
	// Answer is the answer as saved; its Version, UpdatedBy and Updated
	// are the change's. Empty for a deletion.
	Answer    Answer    `json:"answer"`
	ChangedBy string    `json:"changed_by,omitempty"`
	Changed   time.Time `json:"changed"`
}

// recordAnswer appends a saved answer (or, with deleted, the deletion of
// the answer a) to the history, numbered after the last change of its
// objective and scope, stamped with the transaction's time.
func recordAnswer(ctx context.Context, tx *tx, orgID string, actor Actor, a *Answer, deleted bool) error {
	row := *a
	if deleted {
		row = Answer{AssessmentID: a.AssessmentID, Objective: a.Objective, Scope: a.Scope, Version: a.Version}
	}
	measured, of, percent := measureCols(row.Measure)
	answeredAt := ""
	if !row.AnsweredAt.IsZero() {
		answeredAt = row.AnsweredAt.String()
	}
	_, err := tx.exec(ctx, `INSERT INTO answer_history (org_id, assessment_id, objective, scope, seq, deleted, answer, measured, measure_of, measure_percent,
		note, justification, answered_by, answered_at, version, changed_by, changed_at)
		VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(h.seq), 0) + 1 FROM answer_history h WHERE h.org_id = ? AND h.assessment_id = ? AND h.objective = ? AND h.scope = ?),
		?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		orgID, row.AssessmentID, row.Objective, row.Scope, orgID, row.AssessmentID, row.Objective, row.Scope,
		deleted, string(row.Answer), measured, of, percent, row.Note, row.Justification, row.AnsweredBy, answeredAt, row.Version,
		actorID(actor), micros(tx.now))
	return err
}

// answerHistory returns every change to the assessment's answers, by
// objective, scope and sequence.
func answerHistory(ctx context.Context, tx *tx, orgID, assessmentID string) ([]AnswerChange, error) {
	rows, err := tx.query(ctx, `SELECT objective, scope, seq, deleted, answer, measured, measure_of, measure_percent,
		note, justification, answered_by, answered_at, version, changed_by, changed_at
		FROM answer_history WHERE org_id = ? AND assessment_id = ? ORDER BY objective, scope, seq`, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AnswerChange{}
	for rows.Next() {
		var c AnswerChange
		var measured, of sql.NullFloat64
		var percent bool
		a := &c.Answer
		if err := rows.Scan(&c.Objective, &c.Scope, &c.Seq, &c.Deleted, &a.Answer, &measured, &of, &percent,
			&a.Note, &a.Justification, &a.AnsweredBy, dateCol{&a.AnsweredAt}, &a.Version, &c.ChangedBy, timeCol{&c.Changed}); err != nil {
			return nil, err
		}
		if measured.Valid {
			a.Measure = &assess.Measure{Measured: measured.Float64, Of: of.Float64, Percent: percent}
		}
		a.AssessmentID, a.Objective, a.Scope = assessmentID, c.Objective, c.Scope
		if !c.Deleted {
			a.UpdatedBy, a.Updated = c.ChangedBy, c.Changed
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AnswerHistory returns every change to an assessment's answers (saves and
// deletions, with who and when), by objective, scope and order of change.
// It returns not_found for another organization's assessment.
func (s *Store) AnswerHistory(ctx context.Context, orgID, assessmentID string) (_ []AnswerChange, err error) {
	defer wrap(&err, "answer history(%s, %s)", orgID, assessmentID)
	var out []AnswerChange
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = answerHistory(ctx, tx, orgID, assessmentID)
		return err
	})
	return out, err
}

// answersAsOf returns the answers known on asOf, from the history of
// changes (sorted by objective, scope and sequence), by objective and scope:
//
//   - The latest change recorded on or before asOf (UTC) decides: its
//     answer, or none when it was a deletion. An answer dated after asOf
//     stays in the result; scoring counts it as unanswered.
//   - When no change was recorded by asOf (the answer was entered later,
//     for example from an answers file dated earlier), the latest answer
//     saved after the last deletion and dated on or before asOf is used:
//     what the answers entered since say was true that day.
func answersAsOf(changes []AnswerChange, asOf assess.Date) []Answer {
	out := []Answer{}
	for i := 0; i < len(changes); {
		j := i
		for j < len(changes) && changes[j].Objective == changes[i].Objective && changes[j].Scope == changes[i].Scope {
			j++
		}
		key := changes[i:j]
		var known, stated *AnswerChange
		for k := range key {
			c := &key[k]
			if !assess.DateOf(c.Changed).After(asOf) {
				known = c
				continue
			}
			if c.Deleted {
				stated = nil
			} else if !c.Answer.AnsweredAt.After(asOf) {
				stated = c
			}
		}
		switch {
		case known != nil && !known.Deleted:
			out = append(out, known.Answer)
		case known == nil && stated != nil:
			out = append(out, stated.Answer)
		}
		i = j
	}
	return out
}
