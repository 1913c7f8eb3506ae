package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// Assessment is one organization's assessment against a model, with its
// scopes (in order) and targets (by category).
type Assessment struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Name  string `json:"name"`
	// ModelRef is the built-in model the assessment was made with
	// ("csmm@2.0.0"; it keeps scoring on that version until it is moved
	// with MigrateAssessment) or the ID of one of the organization's custom
	// models.
	ModelRef     string `json:"model_ref"`
	ValidityDays int    `json:"validity_days"`
	// EvidenceValidityDays is how long scanner evidence stays valid; 0
	// means assess.DefaultEvidenceValidityDays.
	EvidenceValidityDays int `json:"evidence_validity_days"`
	// TargetDefault is the target level given to categories without their
	// own, 0 when there is none; Targets already include it per category.
	TargetDefault int       `json:"target_default,omitempty"`
	CreatedBy     string    `json:"created_by"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
	Archived      time.Time `json:"archived,omitzero"`
	// Revision counts the changes to the assessment and everything that
	// scores it; it grows by one in the transaction of every change.
	Revision int64    `json:"revision"`
	Scopes   []Scope  `json:"scopes"`
	Targets  []Target `json:"targets"`
}

// Scope is a part of the estate assessed on its own; ID is its short name
// within the assessment ("production").
type Scope struct {
	ID     string  `json:"id"`
	Name   string  `json:"name,omitempty"`
	Weight float64 `json:"weight"`
}

// Target is the level an assessment aims for in one category, and why.
type Target struct {
	Category string `json:"category"`
	Level    int    `json:"level"`
	Reason   string `json:"reason,omitempty"`
}

// AssessmentInput is what a new assessment is made from. Without scopes the
// assessment has one scope, assess.DefaultScope. ValidityDays 0 means
// assess.DefaultValidityDays; ModelRef "" (or BuiltinModel) means the
// newest built-in model, a built-in reference such as "csmm@2.0.0" that
// version; EvidenceValidityDays 0 means assess.DefaultEvidenceValidityDays.
type AssessmentInput struct {
	Name                 string
	ModelRef             string
	ValidityDays         int
	EvidenceValidityDays int
	TargetDefault        int
	Scopes               []Scope
	Targets              []Target
}

// validStoredScopeID reports whether id is a scope ID the store accepts: a
// letter or digit, then up to 63 letters, digits, dots, underscores or
// hyphens. (A bounded-repeat regular expression is costly to compile at start.)
func validStoredScopeID(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func (in *AssessmentInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return csmm.Errorf(csmm.EINVALID, "the assessment name is empty")
	}
	if err := textfield.Name("the assessment name", in.Name); err != nil {
		return err
	}
	ref, err := canonicalModelRef(in.ModelRef)
	if err != nil {
		return err
	}
	in.ModelRef = ref
	if in.EvidenceValidityDays < 0 || in.EvidenceValidityDays > 36500 {
		return csmm.Errorf(csmm.EINVALID, "evidence_validity_days is %d: expected 0 (the default) or a whole number of days up to 36500", in.EvidenceValidityDays)
	}
	if in.ValidityDays == 0 {
		in.ValidityDays = assess.DefaultValidityDays
	}
	if in.ValidityDays < 1 || in.ValidityDays > 36500 {
		return csmm.Errorf(csmm.EINVALID, "validity_days is %d: expected a whole number from 1 to 36500", in.ValidityDays)
	}
	if in.TargetDefault < 0 || in.TargetDefault > 5 {
		return csmm.Errorf(csmm.EINVALID, "the default target is %d: expected 0 (none) or a level from 1 to 5", in.TargetDefault)
	}
	if len(in.Scopes) == 0 {
		in.Scopes = []Scope{{ID: assess.DefaultScope, Weight: 1}}
	}
	if err := validScopes(in.Scopes); err != nil {
		return err
	}
	return validTargets(in.Targets)
}

func validScopes(scopes []Scope) error {
	seen := map[string]bool{}
	for i := range scopes {
		sc := &scopes[i]
		if sc.Weight == 0 {
			sc.Weight = 1
		}
		switch {
		case !validStoredScopeID(sc.ID):
			return csmm.Errorf(csmm.EINVALID, "scope %d: the id %q is not valid: expected up to 64 letters, digits, '_', '.' or '-'", i+1, sc.ID)
		case seen[sc.ID]:
			return csmm.Errorf(csmm.EINVALID, "scope %d: the id %q is declared twice", i+1, sc.ID)
		case !(sc.Weight > 0) || sc.Weight > 1e6:
			return csmm.Errorf(csmm.EINVALID, "scope %q: the weight %v is not valid: expected a number above 0", sc.ID, sc.Weight)
		}
		if err := textfield.Name("the name of scope "+strconv.Quote(sc.ID), sc.Name); err != nil {
			return err
		}
		seen[sc.ID] = true
	}
	return nil
}

func validTargets(targets []Target) error {
	seen := map[string]bool{}
	for _, t := range targets {
		switch {
		case t.Category == "":
			return csmm.Errorf(csmm.EINVALID, "a target has no category")
		case seen[t.Category]:
			return csmm.Errorf(csmm.EINVALID, "the target of category %s is given twice", t.Category)
		case t.Level < 1 || t.Level > 5:
			return csmm.Errorf(csmm.EINVALID, "the target of category %s is %d: expected a level from 1 to 5", t.Category, t.Level)
		}
		if err := textfield.Note("the reason of the target of category "+t.Category, t.Reason); err != nil {
			return err
		}
		seen[t.Category] = true
	}
	return nil
}

// modelID is the stored model_id of a model reference: NULL for a built-in model.
func modelID(ref string) any {
	if IsBuiltinModelRef(ref) {
		return nil
	}
	return ref
}

// modelVersion is the stored model_version of a model reference: the
// built-in model's reference ("csmm@2.1.0"), NULL for a custom model.
func modelVersion(ref string) any {
	if !IsBuiltinModelRef(ref) {
		return nil
	}
	return ref
}

// CreateAssessment creates an assessment with its scopes and targets. It
// returns invalid for a bad name, validity, scope or target, and not_found
// when ModelRef names no custom model of the organization.
func (s *Store) CreateAssessment(ctx context.Context, orgID string, actor Actor, in AssessmentInput) (_ *Assessment, err error) {
	defer wrap(&err, "create assessment(%s)", orgID)
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var a *Assessment
	err = s.write(ctx, func(tx *tx) error {
		a, err = createAssessment(ctx, tx, orgID, actor, in)
		return err
	})
	return a, err
}

func createAssessment(ctx context.Context, tx *tx, orgID string, actor Actor, in AssessmentInput) (*Assessment, error) {
	if !IsBuiltinModelRef(in.ModelRef) {
		if _, err := customModel(ctx, tx, orgID, in.ModelRef); err != nil {
			return nil, err
		}
	}
	a := &Assessment{ID: NewID(), OrgID: orgID, Name: in.Name, ModelRef: in.ModelRef, ValidityDays: in.ValidityDays,
		EvidenceValidityDays: in.EvidenceValidityDays, TargetDefault: in.TargetDefault, CreatedBy: actor.UserID, Created: tx.now, Updated: tx.now}
	if _, err := tx.exec(ctx, `INSERT INTO assessments (id, org_id, name, model_id, model_version, validity_days, evidence_validity_days, target_default, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, orgID, a.Name, modelID(a.ModelRef), modelVersion(a.ModelRef), a.ValidityDays, a.EvidenceValidityDays, a.TargetDefault, a.CreatedBy, micros(a.Created), micros(a.Updated)); err != nil {
		return nil, err
	}
	if err := insertScopes(ctx, tx, orgID, a.ID, in.Scopes); err != nil {
		return nil, err
	}
	if err := insertTargets(ctx, tx, orgID, a.ID, in.Targets); err != nil {
		return nil, err
	}
	a.Scopes, a.Targets = in.Scopes, in.Targets
	if a.Targets == nil {
		a.Targets = []Target{}
	}
	return a, audit(ctx, tx, orgID, actor, auditRecord{"assessment.create", "assessment", a.ID, nil, a})
}

func insertScopes(ctx context.Context, tx *tx, orgID, id string, scopes []Scope) error {
	for i, sc := range scopes {
		if _, err := tx.exec(ctx, "INSERT INTO scopes (org_id, assessment_id, scope, name, weight, position) VALUES (?, ?, ?, ?, ?, ?)",
			orgID, id, sc.ID, sc.Name, sc.Weight, i); err != nil {
			return err
		}
	}
	return nil
}

func insertTargets(ctx context.Context, tx *tx, orgID, id string, targets []Target) error {
	for _, t := range targets {
		if _, err := tx.exec(ctx, "INSERT INTO targets (org_id, assessment_id, category, level, reason) VALUES (?, ?, ?, ?, ?)",
			orgID, id, t.Category, t.Level, t.Reason); err != nil {
			return err
		}
	}
	return nil
}

// GetAssessment returns an assessment of the organization with its scopes and
// targets. It returns not_found for an unknown ID or another organization's
// assessment.
func (s *Store) GetAssessment(ctx context.Context, orgID, id string) (_ *Assessment, err error) {
	defer wrap(&err, "get assessment(%s, %s)", orgID, id)
	var a *Assessment
	err = s.read(ctx, func(tx *tx) error {
		a, err = getAssessment(ctx, tx, orgID, id)
		return err
	})
	return a, err
}

const assessmentColumns = "id, org_id, name, model_id, model_version, validity_days, evidence_validity_days, target_default, created_by, created_at, updated_at, archived_at, revision"

func scanAssessment(sc interface{ Scan(...any) error }) (*Assessment, error) {
	var a Assessment
	var custom, version *string
	if err := sc.Scan(&a.ID, &a.OrgID, &a.Name, &custom, &version, &a.ValidityDays, &a.EvidenceValidityDays, &a.TargetDefault, &a.CreatedBy,
		timeCol{&a.Created}, timeCol{&a.Updated}, timeCol{&a.Archived}, &a.Revision); err != nil {
		return nil, err
	}
	a.ModelRef = storedModelRef(custom, version)
	return &a, nil
}

// storedModelRef is the model reference of stored model_id and
// model_version columns: the custom model, else the built-in version, else
// (a row written before versions were recorded) csmm@2.0.0.
func storedModelRef(custom, version *string) string {
	switch {
	case custom != nil:
		return *custom
	case version != nil && *version != "":
		return *version
	}
	return FirstBuiltinModel
}

func getAssessment(ctx context.Context, tx *tx, orgID, id string) (*Assessment, error) {
	a, err := scanAssessment(tx.queryRow(ctx, "SELECT "+assessmentColumns+" FROM assessments WHERE org_id = ? AND id = ?", orgID, id))
	if err != nil {
		return nil, notFound(err, "assessment", id)
	}
	if a.Scopes, err = scopes(ctx, tx, orgID, id); err != nil {
		return nil, err
	}
	if a.Targets, err = targets(ctx, tx, orgID, id); err != nil {
		return nil, err
	}
	return a, nil
}

func scopes(ctx context.Context, tx *tx, orgID, id string) ([]Scope, error) {
	rows, err := tx.query(ctx, "SELECT scope, name, weight FROM scopes WHERE org_id = ? AND assessment_id = ? ORDER BY position", orgID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Scope{}
	for rows.Next() {
		var sc Scope
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Weight); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

func targets(ctx context.Context, tx *tx, orgID, id string) ([]Target, error) {
	rows, err := tx.query(ctx, "SELECT category, level, reason FROM targets WHERE org_id = ? AND assessment_id = ? ORDER BY category", orgID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Target{}
	for rows.Next() {
		var t Target
		if err := rows.Scan(&t.Category, &t.Level, &t.Reason); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ListAssessments returns the organization's assessments, newest first,
// without their scopes and targets; archived ones only when asked.
func (s *Store) ListAssessments(ctx context.Context, orgID string, includeArchived bool) (_ []Assessment, err error) {
	defer wrap(&err, "list assessments(%s)", orgID)
	q := "SELECT " + assessmentColumns + " FROM assessments WHERE org_id = ?"
	if !includeArchived {
		q += " AND archived_at IS NULL"
	}
	q += " ORDER BY created_at DESC, id"
	var out []Assessment
	err = s.read(ctx, func(tx *tx) error {
		rows, err := tx.query(ctx, q, orgID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAssessment(rows)
			if err != nil {
				return err
			}
			out = append(out, *a)
		}
		return rows.Err()
	})
	return out, err
}

// AssessmentUpdate is the settings of an assessment that can change after
// it is created.
type AssessmentUpdate struct {
	Name         string
	ValidityDays int
	// EvidenceValidityDays, when set, changes how long scanner evidence
	// stays valid (0: the default); nil keeps it.
	EvidenceValidityDays *int
}

// UpdateAssessment renames an assessment and changes its answer validity
// (and its evidence validity when given).
// It returns invalid for an empty name or a validity out of range and
// not_found for another organization's assessment.
func (s *Store) UpdateAssessment(ctx context.Context, orgID string, actor Actor, id string, u AssessmentUpdate) (_ *Assessment, err error) {
	defer wrap(&err, "update assessment(%s, %s)", orgID, id)
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "the assessment name is empty")
	}
	if err := textfield.Name("the assessment name", u.Name); err != nil {
		return nil, err
	}
	if u.ValidityDays < 1 || u.ValidityDays > 36500 {
		return nil, csmm.Errorf(csmm.EINVALID, "validity_days is %d: expected a whole number from 1 to 36500", u.ValidityDays)
	}
	if e := u.EvidenceValidityDays; e != nil && (*e < 0 || *e > 36500) {
		return nil, csmm.Errorf(csmm.EINVALID, "evidence_validity_days is %d: expected 0 (the default) or a whole number of days up to 36500", *e)
	}
	var a *Assessment
	err = s.write(ctx, func(tx *tx) error {
		before, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if !before.Archived.IsZero() {
			return errArchived()
		}
		evidenceDays := before.EvidenceValidityDays
		if u.EvidenceValidityDays != nil {
			evidenceDays = *u.EvidenceValidityDays
		}
		if _, err := tx.exec(ctx, "UPDATE assessments SET name = ?, validity_days = ?, evidence_validity_days = ?, updated_at = ?, revision = revision + 1 WHERE org_id = ? AND id = ?",
			u.Name, u.ValidityDays, evidenceDays, micros(tx.now), orgID, id); err != nil {
			return err
		}
		after := *before
		after.Name, after.ValidityDays, after.EvidenceValidityDays, after.Updated, after.Revision = u.Name, u.ValidityDays, evidenceDays, tx.now, before.Revision+1
		a = &after
		return audit(ctx, tx, orgID, actor, auditRecord{"assessment.update", "assessment", id, before, after})
	})
	return a, err
}

// ArchiveAssessment archives an assessment (hidden from lists, kept with its
// history), or restores it when archived is false. It returns not_found for
// another organization's assessment.
func (s *Store) ArchiveAssessment(ctx context.Context, orgID string, actor Actor, id string, archived bool) (err error) {
	defer wrap(&err, "archive assessment(%s, %s)", orgID, id)
	return s.write(ctx, func(tx *tx) error {
		before, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		after := *before
		after.Archived = time.Time{}
		action := "assessment.unarchive"
		if archived {
			after.Archived = tx.now
			action = "assessment.archive"
		}
		if _, err := tx.exec(ctx, "UPDATE assessments SET archived_at = ?, updated_at = ?, revision = revision + 1 WHERE org_id = ? AND id = ?",
			micros(after.Archived), micros(tx.now), orgID, id); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{action, "assessment", id, before, after})
	})
}

// DeleteAssessment deletes an assessment with its answers, exemptions and
// evidence; the audit log keeps its history. It returns not_found for
// another organization's assessment.
func (s *Store) DeleteAssessment(ctx context.Context, orgID string, actor Actor, id string) (err error) {
	defer wrap(&err, "delete assessment(%s, %s)", orgID, id)
	return s.write(ctx, func(tx *tx) error {
		before, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, "DELETE FROM assessments WHERE org_id = ? AND id = ?", orgID, id); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"assessment.delete", "assessment", id, before, nil})
	})
}

// SetScopes replaces an assessment's scopes, in order. It returns invalid for
// a bad scope, not_found for another organization's assessment, and conflict
// when a scope that would be removed has answers or evidence.
func (s *Store) SetScopes(ctx context.Context, orgID string, actor Actor, id string, list []Scope) (err error) {
	defer wrap(&err, "set scopes(%s, %s)", orgID, id)
	list = append([]Scope(nil), list...)
	if len(list) == 0 {
		return csmm.Errorf(csmm.EINVALID, "an assessment needs at least one scope")
	}
	if err := validScopes(list); err != nil {
		return err
	}
	return s.write(ctx, func(tx *tx) error {
		a, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		return setScopes(ctx, tx, orgID, actor, a, list, false)
	})
}

// RemoveScope removes one scope of an assessment with its answers and
// evidence, which a person has confirmed. It returns invalid for the last
// scope, not_found for a scope the assessment does not have (or another
// organization's assessment) and conflict for an archived assessment.
func (s *Store) RemoveScope(ctx context.Context, orgID string, actor Actor, id, scope string) (err error) {
	defer wrap(&err, "remove scope(%s, %s, %s)", orgID, id, scope)
	return s.write(ctx, func(tx *tx) error {
		a, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		var keep []Scope
		for _, sc := range a.Scopes {
			if sc.ID != scope {
				keep = append(keep, sc)
			}
		}
		switch {
		case len(keep) == len(a.Scopes):
			return csmm.Errorf(csmm.ENOTFOUND, "scope %q not found in the assessment", scope)
		case len(keep) == 0:
			return csmm.Errorf(csmm.EINVALID, "scope %q is the only scope: an assessment needs at least one", scope)
		case !a.Archived.IsZero():
			return errArchived()
		}
		return setScopes(ctx, tx, orgID, actor, a, keep, true)
	})
}

// setScopes replaces the scopes of a; with dropData, answers and evidence of
// removed scopes are deleted, else their presence is a conflict.
func setScopes(ctx context.Context, tx *tx, orgID string, actor Actor, a *Assessment, list []Scope, dropData bool) error {
	keep := map[string]bool{}
	for _, sc := range list {
		keep[sc.ID] = true
	}
	for _, old := range a.Scopes {
		if keep[old.ID] {
			continue
		}
		if !dropData {
			var n int
			if err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM answers WHERE org_id = ? AND assessment_id = ? AND scope = ?)
				+ (SELECT COUNT(*) FROM evidence WHERE org_id = ? AND assessment_id = ? AND scope = ?)`,
				orgID, a.ID, old.ID, orgID, a.ID, old.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return csmm.Errorf(csmm.ECONFLICT, "scope %q has %d answer(s) or evidence record(s); clear them before removing it", old.ID, n)
			}
		}
		if _, err := tx.exec(ctx, "DELETE FROM scopes WHERE org_id = ? AND assessment_id = ? AND scope = ?", orgID, a.ID, old.ID); err != nil {
			return err
		}
	}
	for i, sc := range list {
		res, err := tx.exec(ctx, "UPDATE scopes SET name = ?, weight = ?, position = ? WHERE org_id = ? AND assessment_id = ? AND scope = ?",
			sc.Name, sc.Weight, i, orgID, a.ID, sc.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.exec(ctx, "INSERT INTO scopes (org_id, assessment_id, scope, name, weight, position) VALUES (?, ?, ?, ?, ?, ?)",
				orgID, a.ID, sc.ID, sc.Name, sc.Weight, i); err != nil {
				return err
			}
		}
	}
	if err := touchAssessment(ctx, tx, orgID, a.ID); err != nil {
		return err
	}
	return audit(ctx, tx, orgID, actor, auditRecord{"assessment.scopes", "assessment", a.ID, a.Scopes, list})
}

// SetTargets replaces an assessment's targets and default target. It returns
// invalid for a bad target and not_found for another organization's assessment.
func (s *Store) SetTargets(ctx context.Context, orgID string, actor Actor, id string, list []Target, targetDefault int) (err error) {
	defer wrap(&err, "set targets(%s, %s)", orgID, id)
	if err := validTargets(list); err != nil {
		return err
	}
	if targetDefault < 0 || targetDefault > 5 {
		return csmm.Errorf(csmm.EINVALID, "the default target is %d: expected 0 (none) or a level from 1 to 5", targetDefault)
	}
	return s.write(ctx, func(tx *tx) error {
		a, err := getAssessment(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		return setTargets(ctx, tx, orgID, actor, a, list, targetDefault)
	})
}

func setTargets(ctx context.Context, tx *tx, orgID string, actor Actor, a *Assessment, list []Target, targetDefault int) error {
	if !a.Archived.IsZero() {
		return errArchived()
	}
	if _, err := tx.exec(ctx, "DELETE FROM targets WHERE org_id = ? AND assessment_id = ?", orgID, a.ID); err != nil {
		return err
	}
	if err := insertTargets(ctx, tx, orgID, a.ID, list); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE assessments SET target_default = ?, updated_at = ?, revision = revision + 1 WHERE org_id = ? AND id = ?",
		targetDefault, micros(tx.now), orgID, a.ID); err != nil {
		return err
	}
	type targetsState struct {
		Default int      `json:"default,omitempty"`
		Targets []Target `json:"targets"`
	}
	if list == nil {
		list = []Target{}
	}
	return audit(ctx, tx, orgID, actor, auditRecord{"assessment.targets", "assessment", a.ID,
		targetsState{a.TargetDefault, a.Targets}, targetsState{targetDefault, list}})
}

// reviseAssessment counts a change in an assessment's revision, which the
// caches of scores and reports follow, and returns the new revision; with
// stamp it also stamps the assessment as changed now (its last change).
// An archived assessment is read-only: the change is refused with
// conflict, and its transaction rolls back; another organization's
// assessment is not_found.
func reviseAssessment(ctx context.Context, tx *tx, orgID, id string, stamp bool) (int64, error) {
	q, args := "UPDATE assessments SET revision = revision + 1", []any{}
	if stamp {
		q, args = q+", updated_at = ?", append(args, micros(tx.now))
	}
	var rev int64
	err := tx.queryRow(ctx, q+" WHERE org_id = ? AND id = ? AND archived_at IS NULL RETURNING revision", append(args, orgID, id)...).Scan(&rev)
	if errNoRows(err) {
		return 0, liveAssessment(ctx, tx, orgID, id)
	}
	return rev, notFound(dbError(err), "assessment", id)
}

// touchAssessment stamps an assessment as changed now and counts the change
// in its revision (reviseAssessment).
func touchAssessment(ctx context.Context, tx *tx, orgID, id string) error {
	_, err := reviseAssessment(ctx, tx, orgID, id, true)
	return err
}

// raiseRevision counts a change in an assessment's revision without
// changing its last change: links, files, review marks and exemption
// requests change no answer, but reports show them (reviseAssessment).
func raiseRevision(ctx context.Context, tx *tx, orgID, id string) error {
	_, err := reviseAssessment(ctx, tx, orgID, id, false)
	return err
}

// errArchived refuses a change to an archived assessment.
func errArchived() error {
	return csmm.Errorf(csmm.ECONFLICT, "the assessment is archived and read-only: restore it before changing it")
}

// liveAssessment returns conflict when the assessment is archived and
// not_found when it does not exist in the organization.
func liveAssessment(ctx context.Context, tx *tx, orgID, id string) error {
	var archived *int64
	if err := tx.queryRow(ctx, "SELECT archived_at FROM assessments WHERE org_id = ? AND id = ?", orgID, id).Scan(&archived); err != nil {
		return notFound(err, "assessment", id)
	}
	if archived != nil {
		return errArchived()
	}
	return nil
}

// AssessmentModelRef returns the model reference of an assessment of the
// organization (the built-in reference, such as csmm@2.0.0, for a built-in
// model) with one indexed query,
// outside any transaction: what saving an answer needs to check the
// objective, without reading the assessment's scopes and targets. It returns
// not_found for an unknown ID or another organization's assessment.
func (s *Store) AssessmentModelRef(ctx context.Context, orgID, id string) (_ string, err error) {
	defer wrap(&err, "assessment model(%s, %s)", orgID, id)
	var custom, version *string
	err = s.readQuick(ctx, func(tx *tx) error {
		return tx.queryRow(ctx, "SELECT model_id, model_version FROM assessments WHERE id = ? AND org_id = ?", id, orgID).Scan(&custom, &version)
	})
	if err != nil {
		return "", notFound(dbError(err), "assessment", id)
	}
	return storedModelRef(custom, version), nil
}

// AssessmentRevision returns the revision of an assessment of the
// organization (see Assessment.Revision) with one indexed query, outside any
// transaction: what a cache checks before it serves a report built at a
// revision. It returns not_found for an unknown ID or another
// organization's assessment.
func (s *Store) AssessmentRevision(ctx context.Context, orgID, id string) (_ int64, err error) {
	defer wrap(&err, "assessment revision(%s, %s)", orgID, id)
	var rev int64
	err = s.readQuick(ctx, func(tx *tx) error {
		return tx.queryRow(ctx, "SELECT revision FROM assessments WHERE id = ? AND org_id = ?", id, orgID).Scan(&rev)
	})
	if err != nil {
		return 0, notFound(dbError(err), "assessment", id)
	}
	return rev, nil
}
