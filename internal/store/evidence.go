package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// Evidence is what one scanner source found for one objective in one scope
// of an assessment. Scoring adds up the sources of an objective and scope.
type Evidence struct {
	AssessmentID string `json:"assessment_id"`
	Objective    string `json:"objective"`
	Scope        string `json:"scope"`
	// Source names the import the record came from (format and file name,
	// such as "prowler-ocsf:prowler-output.ocsf.json"); an import of the
	// same source replaces its records.
	Source string `json:"source"`
	// FileName and Format are the scanner file of the import, when known.
	FileName string    `json:"file_name,omitempty"`
	Format   string    `json:"format,omitempty"`
	Passed   int       `json:"passed"`
	Failed   int       `json:"failed"`
	Muted    int       `json:"muted"`
	Imported time.Time `json:"imported"`
	// ImportedBy is the ID of the user who imported the file, when known.
	ImportedBy string `json:"imported_by,omitempty"`
	// Checks keeps the counts per check and scan date (deciding and
	// supporting checks), which stale evidence and contradictions are
	// judged on; empty for records stored before they were kept.
	Checks []assess.CheckEvidence `json:"checks,omitempty"`
}

// checksJSON is the stored checks_json of a record: "" when it has none.
func checksJSON(list []assess.CheckEvidence) (string, error) {
	if len(list) == 0 {
		return "", nil
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// Assess returns the record as the scoring engine takes it. A check count
// without a scan date (its findings had no time) is dated by the record's
// import, as scoring.md says.
func (e *Evidence) Assess() assess.Evidence {
	checks := slices.Clone(e.Checks)
	for i := range checks {
		if checks[i].Scanned.IsZero() && !e.Imported.IsZero() {
			checks[i].Scanned = assess.DateOf(e.Imported.UTC())
		}
	}
	return assess.Evidence{Passed: e.Passed, Failed: e.Failed, Muted: e.Muted, Source: e.Source, Checks: checks}
}

// EvidenceImport is the evidence of one scanner file, to store in an
// assessment with ImportEvidence.
type EvidenceImport struct {
	// Source identifies the import: a later import of the same source
	// replaces this one's records in the scopes it applies to.
	Source   string
	FileName string
	Format   string
	// Scope is the one scope the file applies to; "" for every scope of
	// the assessment. Records outside it are refused.
	Scope string
	// Records are the counts per objective and scope; their AssessmentID,
	// Source, FileName, Format, Imported and ImportedBy are set on storing.
	Records []Evidence
}

// EvidenceSource is one stored import of an assessment: its records
// grouped, as a list of imports shows it.
type EvidenceSource struct {
	Source     string    `json:"source"`
	FileName   string    `json:"file_name,omitempty"`
	Format     string    `json:"format,omitempty"`
	Imported   time.Time `json:"imported"`
	ImportedBy string    `json:"imported_by,omitempty"`
	// Scopes are the scopes the import has records in, sorted.
	Scopes []string `json:"scopes"`
	// Objectives counts the distinct objectives it has records for.
	Objectives int `json:"objectives"`
	// Records counts its records (objective and scope pairs).
	Records int `json:"records"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Muted   int `json:"muted"`
}

// EvidenceSources groups evidence records by source, newest import first
// (then by source).
func EvidenceSources(list []Evidence) []EvidenceSource {
	bySource := map[string]*EvidenceSource{}
	objectives := map[string]map[string]bool{}
	var order []string
	for _, e := range list {
		src := bySource[e.Source]
		if src == nil {
			src = &EvidenceSource{Source: e.Source, FileName: e.FileName, Format: e.Format, Imported: e.Imported, ImportedBy: e.ImportedBy, Scopes: []string{}}
			bySource[e.Source] = src
			objectives[e.Source] = map[string]bool{}
			order = append(order, e.Source)
		}
		if e.Imported.After(src.Imported) {
			src.Imported, src.ImportedBy = e.Imported, e.ImportedBy
		}
		if !slices.Contains(src.Scopes, e.Scope) {
			src.Scopes = append(src.Scopes, e.Scope)
		}
		objectives[e.Source][e.Objective] = true
		src.Records++
		src.Passed += e.Passed
		src.Failed += e.Failed
		src.Muted += e.Muted
	}
	out := make([]EvidenceSource, 0, len(order))
	for _, s := range order {
		src := bySource[s]
		sort.Strings(src.Scopes)
		src.Objectives = len(objectives[s])
		out = append(out, *src)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Imported.Equal(out[j].Imported) {
			return out[i].Imported.After(out[j].Imported)
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// ReplaceEvidence replaces every evidence record of one source in an
// assessment with the given ones (their AssessmentID, Source and Imported
// are set here), in one transaction: a new scan supersedes the last one of
// the same source. It returns invalid for an empty source, a negative count
// or an unknown scope, and not_found for another organization's assessment.
func (s *Store) ReplaceEvidence(ctx context.Context, orgID string, actor Actor, assessmentID, source string, list []Evidence) error {
	_, err := s.ImportEvidence(ctx, orgID, actor, assessmentID, EvidenceImport{Source: source, Records: list})
	return err
}

// ImportEvidence stores the evidence of one scanner file in an assessment,
// in one transaction: the records of the same source in the scopes the
// import applies to (imp.Scope, or every scope) are replaced by imp.Records,
// the assessment's revision is raised (so cached scores and reports are
// rebuilt) and the audit log records the import. It returns how many
// records were replaced; invalid for an empty source, a record without an
// objective, a negative count, an unknown scope or a record outside
// imp.Scope; not_found for another organization's assessment.
func (s *Store) ImportEvidence(ctx context.Context, orgID string, actor Actor, assessmentID string, imp EvidenceImport) (replaced int, err error) {
	defer wrap(&err, "import evidence(%s, %s, %s)", orgID, assessmentID, imp.Source)
	imp.Source = strings.TrimSpace(imp.Source)
	if imp.Source == "" {
		return 0, csmm.Errorf(csmm.EINVALID, "evidence needs a source")
	}
	for _, e := range imp.Records {
		if e.Objective == "" || e.Passed < 0 || e.Failed < 0 || e.Muted < 0 {
			return 0, csmm.Errorf(csmm.EINVALID, "evidence for %q: expected an objective and counts of 0 or more", e.Objective)
		}
		if imp.Scope != "" && e.Scope != imp.Scope {
			return 0, csmm.Errorf(csmm.EINVALID, "evidence for %s is in scope %q; the import applies to scope %q only", e.Objective, e.Scope, imp.Scope)
		}
	}
	err = s.write(ctx, func(tx *tx) error {
		as, err := getAssessment(ctx, tx, orgID, assessmentID)
		if err != nil {
			return err
		}
		if imp.Scope != "" && !hasScope(as, imp.Scope) {
			return csmm.Errorf(csmm.EINVALID, "the scope %q is not a scope of the assessment; its scopes are %s", imp.Scope, scopeList(as))
		}
		q := "DELETE FROM evidence WHERE org_id = ? AND assessment_id = ? AND source = ?"
		args := []any{orgID, assessmentID, imp.Source}
		if imp.Scope != "" {
			q += " AND scope = ?"
			args = append(args, imp.Scope)
		}
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		replaced = int(n)
		for _, e := range imp.Records {
			if !hasScope(as, e.Scope) {
				return csmm.Errorf(csmm.EINVALID, "evidence for %s: the scope %q is not a scope of the assessment; its scopes are %s", e.Objective, e.Scope, scopeList(as))
			}
			// A check without its own scan time was scanned no later than its import.
			e.Checks = slices.Clone(e.Checks)
			for i := range e.Checks {
				if e.Checks[i].Scanned.IsZero() {
					e.Checks[i].Scanned = assess.DateOf(tx.now.UTC())
				}
			}
			checks, err := checksJSON(e.Checks)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO evidence (org_id, assessment_id, objective, scope, source, passed, failed, muted, imported_at, file_name, format, imported_by, checks_json)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				orgID, assessmentID, e.Objective, e.Scope, imp.Source, e.Passed, e.Failed, e.Muted, micros(tx.now), imp.FileName, imp.Format, actor.UserID, checks); err != nil {
				return uniqueConflict(err, "evidence for %s in scope %s is given twice", e.Objective, e.Scope)
			}
		}
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		type summary struct {
			Source   string `json:"source"`
			FileName string `json:"file_name,omitempty"`
			Format   string `json:"format,omitempty"`
			Scope    string `json:"scope,omitempty"`
			Records  int    `json:"records"`
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"evidence.replace", "assessment", assessmentID,
			summary{Source: imp.Source, Scope: imp.Scope, Records: replaced},
			summary{imp.Source, imp.FileName, imp.Format, imp.Scope, len(imp.Records)}})
	})
	return replaced, err
}

// DeleteEvidence removes every evidence record of one source from an
// assessment, raising its revision and writing an audit entry, in one
// transaction. It returns how many records it removed; not_found when the
// assessment has no evidence of that source or belongs to another
// organization.
func (s *Store) DeleteEvidence(ctx context.Context, orgID string, actor Actor, assessmentID, source string) (removed int, err error) {
	defer wrap(&err, "delete evidence(%s, %s, %s)", orgID, assessmentID, source)
	err = s.write(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		res, err := tx.exec(ctx, "DELETE FROM evidence WHERE org_id = ? AND assessment_id = ? AND source = ?", orgID, assessmentID, source)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if n == 0 {
			return csmm.Errorf(csmm.ENOTFOUND, "the assessment has no evidence from %q", source)
		}
		removed = int(n)
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		type summary struct {
			Source  string `json:"source"`
			Records int    `json:"records"`
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"evidence.delete", "assessment", assessmentID,
			summary{source, removed}, nil})
	})
	return removed, err
}

// scopeList names the scopes of an assessment for messages.
func scopeList(a *Assessment) string {
	ids := make([]string, len(a.Scopes))
	for i, sc := range a.Scopes {
		ids[i] = sc.ID
	}
	return strings.Join(ids, ", ")
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
	rows, err := tx.query(ctx, `SELECT assessment_id, objective, scope, source, passed, failed, muted, imported_at, file_name, format, imported_by, checks_json
		FROM evidence WHERE org_id = ? AND assessment_id = ? ORDER BY objective, scope, source`, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		var e Evidence
		var checks string
		if err := rows.Scan(&e.AssessmentID, &e.Objective, &e.Scope, &e.Source, &e.Passed, &e.Failed, &e.Muted, timeCol{&e.Imported}, &e.FileName, &e.Format, &e.ImportedBy, &checks); err != nil {
			return nil, err
		}
		if checks != "" {
			if err := json.Unmarshal([]byte(checks), &e.Checks); err != nil {
				return nil, fmt.Errorf("evidence for %s in scope %s from %s: the stored per-check counts do not read: %w", e.Objective, e.Scope, e.Source, err)
			}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
