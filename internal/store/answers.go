package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// Answer is the stored manual answer to one objective in one scope. Version
// counts the saves of this answer, from 1; a writer sends the version it saw
// so that two people editing the same answer cannot overwrite each other.
type Answer struct {
	AssessmentID string `json:"assessment_id"`
	Objective    string `json:"objective"`
	Scope        string `json:"scope"`
	// Answer is the word of the scale; "" (absent in JSON) for a measured answer.
	Answer assess.Answer `json:"answer,omitempty"`
	// Measure is a measured answer ({measured: 87, of: 120} or 72.5%);
	// nil for a word.
	Measure       *assess.Measure `json:"measure,omitempty"`
	Note          string          `json:"note,omitempty"`
	Justification string          `json:"justification,omitempty"`
	// AnsweredBy is who gave the answer, as written in the answers file.
	AnsweredBy string `json:"answered_by,omitempty"`
	// AnsweredAt is the date the answer is valid from, which staleness counts from.
	AnsweredAt assess.Date `json:"answered_at"`
	Version    int         `json:"version"`
	// UpdatedBy is the user or token that last saved the answer.
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated"`
}

// Response returns the answer as the scoring engine takes it.
func (a *Answer) Response() assess.Response {
	return assess.Response{Answer: a.Answer, Measure: a.Measure, Note: a.Note, Justification: a.Justification, By: a.AnsweredBy, Date: a.AnsweredAt}
}

// AnswerInput is one answer to save. ExpectedVersion is the version the
// writer last saw: 0 means "I expect no answer yet". AnsweredAt zero means today.
// An answer is a word (Answer) or a measured figure (Measure, Answer "").
type AnswerInput struct {
	AssessmentID    string
	Objective       string
	Scope           string
	Answer          assess.Answer
	Measure         *assess.Measure
	Note            string
	Justification   string
	AnsweredBy      string
	AnsweredAt      assess.Date
	ExpectedVersion int
}

// ConflictError is returned when a save expected another version than the
// stored one. It carries the stored answer (nil when there is none any more),
// so the caller can show it and let the user merge. Its code is conflict.
type ConflictError struct {
	Current *Answer
}

// Error describes the conflict.
func (e *ConflictError) Error() string {
	if e.Current == nil {
		return "the answer was deleted by someone else"
	}
	return fmt.Sprintf("the answer to %s in scope %s was changed by someone else (now version %d)", e.Current.Objective, e.Current.Scope, e.Current.Version)
}

// Unwrap gives the *csmm.Error with code conflict, so csmm.ErrorCode works.
func (e *ConflictError) Unwrap() error { return &csmm.Error{Code: csmm.ECONFLICT, Message: e.Error()} }

func answerTarget(assessmentID, objective, scope string) string {
	return assessmentID + "/" + objective + "/" + scope
}

func (in *AnswerInput) validate() error {
	in.Objective = strings.TrimSpace(in.Objective)
	switch {
	case in.Objective == "":
		return csmm.Errorf(csmm.EINVALID, "the answer has no objective")
	case in.Measure != nil && in.Answer != "":
		return csmm.Errorf(csmm.EINVALID, "%s: the answer is both the word %q and the measure %s: expected one of them", in.Objective, in.Answer, in.Measure)
	case in.Measure != nil && !in.Measure.Valid():
		return csmm.Errorf(csmm.EINVALID, "%s: the measure %s is not valid: expected 0 <= measured <= of and of > 0", in.Objective, in.Measure)
	case in.Measure == nil && !in.Answer.Valid():
		return csmm.Errorf(csmm.EINVALID, "%s: %q is not an answer: expected one of no, some, half, most, yes, na", in.Objective, in.Answer)
	case in.Answer == assess.NA && strings.TrimSpace(in.Justification) == "":
		return csmm.Errorf(csmm.EINVALID, "%s: the answer na needs a justification", in.Objective)
	case in.ExpectedVersion < 0:
		return csmm.Errorf(csmm.EINVALID, "%s: the expected version %d is negative", in.Objective, in.ExpectedVersion)
	}
	return textfield.Check(
		textfield.Note(in.Objective+": the note", in.Note),
		textfield.Note(in.Objective+": the justification", in.Justification),
		textfield.Name(in.Objective+": the name of who answered", in.AnsweredBy))
}

// PutAnswer saves one answer if the stored version is the expected one, and
// records it in the audit log. It returns the saved answer; invalid for a bad
// answer or an unknown scope; not_found for another organization's
// assessment; and a *ConflictError (code conflict) with the stored answer
// when the versions differ.
func (s *Store) PutAnswer(ctx context.Context, orgID string, actor Actor, in AnswerInput) (*Answer, error) {
	return s.SaveAnswer(ctx, orgID, actor, in, nil)
}

// AnswerCheck checks an answer against the model of its assessment, given
// as its reference (what AssessmentModelRef returns), and may set the
// answer's Answer or Measure from what it finds there.
type AnswerCheck func(modelRef string, in *AnswerInput) error

// SaveAnswer is PutAnswer with check, when not nil, called in the
// transaction once the assessment's model reference is read (with its
// scopes and the stored answer, in one query), before the answer is
// validated and written: an error of check is returned unchanged and
// nothing is saved.
func (s *Store) SaveAnswer(ctx context.Context, orgID string, actor Actor, in AnswerInput, check AnswerCheck) (_ *Answer, err error) {
	if check == nil {
		if err := in.validate(); err != nil {
			wrap(&err, "put answer(%s, %s)", orgID, in.AssessmentID)
			return nil, err
		}
	}
	r := &answerSave{ctx: ctx, orgID: orgID, actor: actor, in: in, check: check,
		done: make(chan struct{}), lead: make(chan struct{})}
	s.saves.enqueue(s, r)
	if r.err != nil && !r.checkErr {
		wrap(&r.err, "put answer(%s, %s)", orgID, in.AssessmentID)
	}
	return r.a, r.err
}

// saveAnswerTx is one answer save in tx: it reads the answer's slot, calls
// check, validates and writes the answer and raises the assessment's
// revision. usable reports whether tx can go on after an error: true when
// the error came before anything was written (an unknown assessment or
// scope, an invalid answer, a stale version, an error of check).
func saveAnswerTx(ctx context.Context, tx *tx, r *answerSave) (usable bool, err error) {
	slot, err := answerSlot(ctx, tx, r.orgID, r.in.AssessmentID, r.in.Objective, r.in.Scope)
	if err != nil {
		return csmm.ErrorCode(err) == csmm.ENOTFOUND, err
	}
	in, err := r.accept(slot)
	if err != nil {
		return true, err
	}
	a, err := saveAnswer(ctx, tx, r.orgID, r.actor, in.AssessmentID, slot.current, in)
	if err != nil {
		return false, err
	}
	rev, err := reviseAssessment(ctx, tx, r.orgID, in.AssessmentID, true)
	if err != nil {
		return false, err
	}
	r.a, r.rev, r.now = a, rev, tx.now
	return true, nil
}

// accept decides, given the answer's slot, whether r can be written: it
// calls r's check, validates the answer, and refuses an unknown scope and a
// stale version. It returns the answer to write; an error of the check is
// returned unchanged, with r.checkErr set.
func (r *answerSave) accept(slot *slot) (AnswerInput, error) {
	in := r.in
	if r.check != nil {
		if err := checkSafely(r.check, slot.modelRef, &in); err != nil {
			r.checkErr = true
			return in, err
		}
		if err := in.validate(); err != nil {
			return in, err
		}
	}
	if !slot.scope {
		return in, csmm.Errorf(csmm.EINVALID, "%s: the scope %q is not a scope of the assessment", in.Objective, in.Scope)
	}
	if version := slot.current.version(); version != in.ExpectedVersion {
		return in, &ConflictError{Current: slot.current}
	}
	return in, nil
}

// version is the version of a stored answer, 0 for none.
func (a *Answer) version() int {
	if a == nil {
		return 0
	}
	return a.Version
}

// slot is what saving one answer reads first: the assessment's model
// reference, whether the scope is one of its scopes, and the stored answer.
type slot struct {
	modelRef string
	scope    bool
	// current is the stored answer, nil when there is none.
	current *Answer
}

// slotColumns are the columns of an answer's slot, over assessments a,
// its scope s and its stored answer ans (both left joined), in the order
// of slotRow.dest.
const slotColumns = `a.model_id, a.model_version, s.scope IS NOT NULL, COALESCE(ans.version, 0),
		COALESCE(ans.answer, ''), COALESCE(ans.note, ''), COALESCE(ans.justification, ''), COALESCE(ans.answered_by, ''), ans.answered_at,
		COALESCE(ans.updated_by, ''), ans.updated_at, ans.measured, ans.measure_of, COALESCE(ans.measure_percent, FALSE)`

// slotRow receives the slotColumns of one row.
type slotRow struct {
	custom, version *string
	scope           bool
	a               Answer
	measured, of    sql.NullFloat64
	percent         bool
}

// dest is what Scan fills with the slotColumns.
func (r *slotRow) dest() []any {
	return []any{&r.custom, &r.version, &r.scope, &r.a.Version,
		&r.a.Answer, &r.a.Note, &r.a.Justification, &r.a.AnsweredBy, dateCol{&r.a.AnsweredAt},
		&r.a.UpdatedBy, timeCol{&r.a.Updated}, &r.measured, &r.of, &r.percent}
}

// slot is the slot read for the answer of assessment id, objective and scope.
func (r *slotRow) slot(id, objective, scope string) *slot {
	sl := &slot{modelRef: storedModelRef(r.custom, r.version), scope: r.scope}
	if r.a.Version > 0 {
		a := r.a
		a.AssessmentID, a.Objective, a.Scope = id, objective, scope
		if r.measured.Valid {
			a.Measure = &assess.Measure{Measured: r.measured.Float64, Of: r.of.Float64, Percent: r.percent}
		}
		sl.current = &a
	}
	return sl
}

// answerSlot reads an answer's slot with one query, the objective trimmed
// as validate trims it. It returns not_found for an unknown ID or another
// organization's assessment.
func answerSlot(ctx context.Context, tx *tx, orgID, id, objective, scope string) (*slot, error) {
	objective = strings.TrimSpace(objective)
	var r slotRow
	err := tx.queryRow(ctx, `SELECT `+slotColumns+`
		FROM assessments a
		LEFT JOIN scopes s ON s.org_id = a.org_id AND s.assessment_id = a.id AND s.scope = ?
		LEFT JOIN answers ans ON ans.org_id = a.org_id AND ans.assessment_id = a.id AND ans.objective = ? AND ans.scope = ?
		WHERE a.org_id = ? AND a.id = ?`, scope, objective, scope, orgID, id).Scan(r.dest()...)
	if err != nil {
		return nil, notFound(dbError(err), "assessment", id)
	}
	return r.slot(id, objective, scope), nil
}

// PutAnswers saves several answers of one assessment in one transaction: all
// are saved or none. It returns the same errors as PutAnswer, for the first
// answer that fails.
func (s *Store) PutAnswers(ctx context.Context, orgID string, actor Actor, assessmentID string, list []AnswerInput) (_ []Answer, err error) {
	defer wrap(&err, "put answers(%s, %s)", orgID, assessmentID)
	for i := range list {
		list[i].AssessmentID = assessmentID
		if err := list[i].validate(); err != nil {
			return nil, err
		}
	}
	var out []Answer
	var rev int64
	var now time.Time
	err = s.write(ctx, func(tx *tx) error {
		out = nil
		as, err := assessmentScopes(ctx, tx, orgID, assessmentID)
		if err != nil {
			return err
		}
		for _, in := range list {
			a, err := putAnswer(ctx, tx, orgID, actor, as, in)
			if err != nil {
				return err
			}
			out = append(out, *a)
		}
		now = tx.now
		rev, err = reviseAssessment(ctx, tx, orgID, as.ID, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.live.answersSaved(orgID, assessmentID, rev, now, out)
	return out, nil
}

// assessmentScopes returns an assessment of the organization with only its
// ID and scopes set, in one query: what saving an answer checks. It returns
// not_found for an unknown ID or another organization's assessment.
func assessmentScopes(ctx context.Context, tx *tx, orgID, id string) (*Assessment, error) {
	rows, err := tx.query(ctx, `SELECT s.scope FROM assessments a
		LEFT JOIN scopes s ON s.org_id = a.org_id AND s.assessment_id = a.id
		WHERE a.org_id = ? AND a.id = ? ORDER BY s.position`, orgID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as *Assessment
	for rows.Next() {
		var scope sql.NullString
		if err := rows.Scan(&scope); err != nil {
			return nil, err
		}
		if as == nil {
			as = &Assessment{ID: id, Scopes: []Scope{}}
		}
		if scope.Valid {
			as.Scopes = append(as.Scopes, Scope{ID: scope.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if as == nil {
		return nil, csmm.Errorf(csmm.ENOTFOUND, "assessment %q not found", id)
	}
	return as, nil
}

// putAnswer saves one answer of as, whose ID and scopes must be set.
func putAnswer(ctx context.Context, tx *tx, orgID string, actor Actor, as *Assessment, in AnswerInput) (*Answer, error) {
	if !hasScope(as, in.Scope) {
		return nil, csmm.Errorf(csmm.EINVALID, "%s: the scope %q is not a scope of the assessment", in.Objective, in.Scope)
	}
	cur, err := getAnswer(ctx, tx, orgID, as.ID, in.Objective, in.Scope)
	if err != nil && csmm.ErrorCode(err) != csmm.ENOTFOUND {
		return nil, err
	}
	return saveAnswer(ctx, tx, orgID, actor, as.ID, cur, in)
}

// saveAnswer saves one answer of the assessment id in a scope of it, whose
// stored answer is cur (nil for none), if cur's version is the expected one.
func saveAnswer(ctx context.Context, tx *tx, orgID string, actor Actor, id string, cur *Answer, in AnswerInput) (*Answer, error) {
	var err error
	version := 0
	if cur != nil {
		version = cur.Version
	}
	if version != in.ExpectedVersion {
		return nil, &ConflictError{Current: cur}
	}
	a := newAnswer(id, cur, actor, in, tx.now)
	if cur == nil {
		measured, of, percent := measureCols(a.Measure)
		_, err = tx.exec(ctx, `INSERT INTO answers (org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at, measured, measure_of, measure_percent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			orgID, a.AssessmentID, a.Objective, a.Scope, string(a.Answer), a.Note, a.Justification, a.AnsweredBy, a.AnsweredAt.String(), a.Version, a.UpdatedBy, micros(a.Updated),
			measured, of, percent)
		if csmm.ErrorCode(err) == csmm.ECONFLICT {
			return nil, &ConflictError{}
		}
	} else {
		var res interface{ RowsAffected() (int64, error) }
		measured, of, percent := measureCols(a.Measure)
		res, err = tx.exec(ctx, `UPDATE answers SET answer = ?, note = ?, justification = ?, answered_by = ?, answered_at = ?, version = ?, updated_by = ?, updated_at = ?,
			measured = ?, measure_of = ?, measure_percent = ?
			WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ? AND version = ?`,
			string(a.Answer), a.Note, a.Justification, a.AnsweredBy, a.AnsweredAt.String(), a.Version, a.UpdatedBy, micros(a.Updated),
			measured, of, percent, orgID, a.AssessmentID, a.Objective, a.Scope, version)
		if err == nil {
			if n, _ := res.RowsAffected(); n != 1 {
				return nil, &ConflictError{Current: cur}
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if err := recordAnswer(ctx, tx, orgID, actor, a, false); err != nil {
		return nil, err
	}
	var before any
	if cur != nil {
		before = cur
	}
	return a, audit(ctx, tx, orgID, actor, auditRecord{"answer.put", "answer", answerTarget(a.AssessmentID, a.Objective, a.Scope), before, a})
}

// newAnswer is the answer that saving in over cur (nil for none) stores at now.
func newAnswer(id string, cur *Answer, actor Actor, in AnswerInput, now time.Time) *Answer {
	a := &Answer{AssessmentID: id, Objective: in.Objective, Scope: in.Scope, Answer: in.Answer, Measure: in.Measure, Note: in.Note,
		Justification: in.Justification, AnsweredBy: in.AnsweredBy, AnsweredAt: in.AnsweredAt, Version: cur.version() + 1,
		UpdatedBy: actorID(actor), Updated: now}
	if a.AnsweredAt.IsZero() {
		a.AnsweredAt = assess.DateOf(now)
	}
	return a
}

// actorID is the ID that a change is stamped with: the token when there is one.
func actorID(a Actor) string {
	if a.TokenID != "" {
		return a.TokenID
	}
	return a.UserID
}

func hasScope(a *Assessment, scope string) bool {
	for _, sc := range a.Scopes {
		if sc.ID == scope {
			return true
		}
	}
	return false
}

const answerColumns = "assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at, measured, measure_of, measure_percent"

// listAnswerColumns are answerColumns but assessment_id, which a list of
// one assessment's answers knows.
const listAnswerColumns = "objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at, measured, measure_of, measure_percent"

func scanAnswer(sc interface{ Scan(...any) error }) (*Answer, error) {
	var a Answer
	err := scanAnswerTo(sc, &a, true)
	return &a, err
}

// scanAnswerTo scans answerColumns into a, or, without withAssessment, the
// columns after assessment_id (listAnswerColumns).
func scanAnswerTo(sc interface{ Scan(...any) error }, a *Answer, withAssessment bool) error {
	var m struct {
		measured, of sql.NullFloat64
		percent      bool
	}
	dest := []any{&a.AssessmentID, &a.Objective, &a.Scope, &a.Answer, &a.Note, &a.Justification, &a.AnsweredBy,
		dateCol{&a.AnsweredAt}, &a.Version, &a.UpdatedBy, timeCol{&a.Updated}, &m.measured, &m.of, &m.percent}
	if !withAssessment {
		dest = dest[1:]
	}
	err := sc.Scan(dest...)
	if m.measured.Valid {
		a.Measure = &assess.Measure{Measured: m.measured.Float64, Of: m.of.Float64, Percent: m.percent}
	}
	return err
}

// measureCols are the stored measured, measure_of and measure_percent
// columns of a measure: NULL, NULL and false for a word.
func measureCols(m *assess.Measure) (measured, of any, percent bool) {
	if m == nil {
		return nil, nil, false
	}
	return m.Measured, m.Of, m.Percent
}

func getAnswer(ctx context.Context, tx *tx, orgID, assessmentID, objective, scope string) (*Answer, error) {
	a, err := scanAnswer(tx.queryRow(ctx, "SELECT "+answerColumns+" FROM answers WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?",
		orgID, assessmentID, objective, scope))
	if err != nil {
		return nil, notFound(err, "answer", objective+" in scope "+scope)
	}
	return a, nil
}

// GetAnswer returns one answer, or not_found when there is none or the
// assessment belongs to another organization.
func (s *Store) GetAnswer(ctx context.Context, orgID, assessmentID, objective, scope string) (_ *Answer, err error) {
	defer wrap(&err, "get answer(%s, %s)", orgID, assessmentID)
	var a *Answer
	err = s.read(ctx, func(tx *tx) error {
		a, err = getAnswer(ctx, tx, orgID, assessmentID, objective, scope)
		return err
	})
	return a, err
}

// ListAnswers returns every answer of an assessment, by objective and scope.
// It returns not_found for another organization's assessment.
func (s *Store) ListAnswers(ctx context.Context, orgID, assessmentID string) (_ []Answer, err error) {
	defer wrap(&err, "list answers(%s, %s)", orgID, assessmentID)
	var out []Answer
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = listAnswers(ctx, tx, orgID, assessmentID)
		return err
	})
	return out, err
}

func listAnswers(ctx context.Context, tx *tx, orgID, assessmentID string) ([]Answer, error) {
	rows, err := tx.query(ctx, "SELECT "+listAnswerColumns+" FROM answers WHERE org_id = ? AND assessment_id = ? ORDER BY objective, scope", orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Answer{}
	for rows.Next() {
		// Each answer is scanned in place, and shares the assessment's ID,
		// which the WHERE matches exactly.
		out = append(out, Answer{AssessmentID: assessmentID})
		if err := scanAnswerTo(rows, &out[len(out)-1], false); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// DeleteAnswer clears an answer if the stored version is the expected one.
// It returns not_found when there is no answer or the assessment belongs to
// another organization, and a *ConflictError when the versions differ.
func (s *Store) DeleteAnswer(ctx context.Context, orgID string, actor Actor, assessmentID, objective, scope string, expectedVersion int) (err error) {
	defer wrap(&err, "delete answer(%s, %s)", orgID, assessmentID)
	return s.write(ctx, func(tx *tx) error {
		cur, err := getAnswer(ctx, tx, orgID, assessmentID, objective, scope)
		if err != nil {
			return err
		}
		if cur.Version != expectedVersion {
			return &ConflictError{Current: cur}
		}
		if _, err := tx.exec(ctx, "DELETE FROM answers WHERE org_id = ? AND assessment_id = ? AND objective = ? AND scope = ?",
			orgID, assessmentID, objective, scope); err != nil {
			return err
		}
		if err := recordAnswer(ctx, tx, orgID, actor, cur, true); err != nil {
			return err
		}
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"answer.delete", "answer", answerTarget(assessmentID, objective, scope), cur, nil})
	})
}
