package store

import (
	"context"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// The states of an exemption.
const (
	ExemptionRequested = "requested"
	ExemptionApproved  = "approved"
	ExemptionRefused   = "refused"
)

// Exemption is a request to exclude an objective from an assessment until a
// date, and its decision. Only approved exemptions count in scoring.
type Exemption struct {
	ID           string      `json:"id"`
	AssessmentID string      `json:"assessment_id"`
	Objective    string      `json:"objective"`
	Reason       string      `json:"reason"`
	RequestedBy  string      `json:"requested_by"`
	Requested    time.Time   `json:"requested"`
	Approver     string      `json:"approver,omitempty"`
	Status       string      `json:"status"`
	Until        assess.Date `json:"until"`
	DecidedBy    string      `json:"decided_by,omitempty"`
	Decided      time.Time   `json:"decided,omitzero"`
	// RequestedByID is the user who requested the exemption: that user
	// may not decide it.
	RequestedByID string `json:"requested_by_id,omitempty"`
	// Comment is what the decider said with the decision.
	Comment string `json:"comment,omitempty"`
}

const exemptionColumns = "id, assessment_id, objective, reason, requested_by, requested_at, approver, status, until, decided_by, decided_at, requested_by_id, decision_comment"

func scanExemption(sc interface{ Scan(...any) error }) (*Exemption, error) {
	var e Exemption
	err := sc.Scan(&e.ID, &e.AssessmentID, &e.Objective, &e.Reason, &e.RequestedBy, timeCol{&e.Requested}, &e.Approver,
		&e.Status, dateCol{&e.Until}, &e.DecidedBy, timeCol{&e.Decided}, &e.RequestedByID, &e.Comment)
	return &e, err
}

// RequestExemption asks for an objective of an assessment to be excluded
// until a date; requestedBy is the name shown. It returns invalid for an
// empty objective or reason or a missing date, and not_found for another
// organization's assessment.
func (s *Store) RequestExemption(ctx context.Context, orgID string, actor Actor, assessmentID, objective, reason, requestedBy string, until assess.Date) (_ *Exemption, err error) {
	defer wrap(&err, "request exemption(%s, %s)", orgID, assessmentID)
	if strings.TrimSpace(objective) == "" || strings.TrimSpace(reason) == "" || until.IsZero() {
		return nil, csmm.Errorf(csmm.EINVALID, "an exemption needs an objective, a reason and an expiry date")
	}
	if err := textfield.Check(textfield.Note("the reason", reason), textfield.Name("the name of who requests", requestedBy)); err != nil {
		return nil, err
	}
	var e *Exemption
	err = s.write(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		e = &Exemption{ID: NewID(), AssessmentID: assessmentID, Objective: objective, Reason: reason, RequestedBy: requestedBy,
			Requested: tx.now, Status: ExemptionRequested, Until: until, RequestedByID: actor.UserID}
		if err := insertExemption(ctx, tx, orgID, e); err != nil {
			return err
		}
		// A request changes no score, but it is part of the assessment.
		if err := raiseRevision(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"exemption.request", "exemption", e.ID, nil, e})
	})
	return e, err
}

func insertExemption(ctx context.Context, tx *tx, orgID string, e *Exemption) error {
	_, err := tx.exec(ctx, "INSERT INTO exemptions (org_id, "+exemptionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		orgID, e.ID, e.AssessmentID, e.Objective, e.Reason, e.RequestedBy, micros(e.Requested), e.Approver, e.Status,
		e.Until.String(), e.DecidedBy, micros(e.Decided), e.RequestedByID, e.Comment)
	return err
}

// DecideExemption approves or refuses a requested exemption without a
// comment; see DecideExemptionComment.
func (s *Store) DecideExemption(ctx context.Context, orgID string, actor Actor, id string, approve bool, approver string) (*Exemption, error) {
	return s.DecideExemptionComment(ctx, orgID, actor, id, approve, approver, "")
}

// DecideExemptionComment approves or refuses a requested exemption with a
// comment; approver is the name recorded as approving (shown in reports).
// Four eyes: the user who requested an exemption may not decide it
// (forbidden). Approving an exemption ends any other approved exemption of
// the same objective. It returns not_found for another organization's
// exemption and conflict when it was already decided.
func (s *Store) DecideExemptionComment(ctx context.Context, orgID string, actor Actor, id string, approve bool, approver, comment string) (_ *Exemption, err error) {
	defer wrap(&err, "decide exemption(%s, %s)", orgID, id)
	if err := textfield.Name("the name of who decides", approver); err != nil {
		return nil, err
	}
	var e *Exemption
	err = s.write(ctx, func(tx *tx) error {
		before, err := scanExemption(tx.queryRow(ctx, "SELECT "+exemptionColumns+" FROM exemptions WHERE org_id = ? AND id = ?", orgID, id))
		if err != nil {
			return notFound(err, "exemption", id)
		}
		if before.Status != ExemptionRequested {
			return csmm.Errorf(csmm.ECONFLICT, "the exemption was already %s", before.Status)
		}
		if before.RequestedByID != "" && before.RequestedByID == actor.UserID {
			return csmm.Errorf(csmm.EFORBIDDEN, "Four eyes: you requested this exemption, so another admin decides it")
		}
		after := *before
		after.Status, after.Approver, after.DecidedBy, after.Decided = ExemptionRefused, approver, actorID(actor), tx.now
		after.Comment = strings.TrimSpace(comment)
		if approve {
			after.Status = ExemptionApproved
			if _, err := tx.exec(ctx, "UPDATE exemptions SET status = ?, decided_at = ? WHERE org_id = ? AND assessment_id = ? AND objective = ? AND status = ?",
				ExemptionRefused, micros(tx.now), orgID, before.AssessmentID, before.Objective, ExemptionApproved); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, "UPDATE exemptions SET status = ?, approver = ?, decided_by = ?, decided_at = ?, decision_comment = ? WHERE org_id = ? AND id = ?",
			after.Status, after.Approver, after.DecidedBy, micros(after.Decided), after.Comment, orgID, id); err != nil {
			return err
		}
		e = &after
		if err := touchAssessment(ctx, tx, orgID, before.AssessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"exemption.decide", "exemption", id, before, after})
	})
	return e, err
}

// ListExemptions returns every exemption of an assessment, newest first. It
// returns not_found for another organization's assessment.
func (s *Store) ListExemptions(ctx context.Context, orgID, assessmentID string) (_ []Exemption, err error) {
	defer wrap(&err, "list exemptions(%s, %s)", orgID, assessmentID)
	var out []Exemption
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = listExemptions(ctx, tx, orgID, assessmentID)
		return err
	})
	return out, err
}

func listExemptions(ctx context.Context, tx *tx, orgID, assessmentID string) ([]Exemption, error) {
	rows, err := tx.query(ctx, "SELECT "+exemptionColumns+" FROM exemptions WHERE org_id = ? AND assessment_id = ? ORDER BY requested_at DESC, id", orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Exemption{}
	for rows.Next() {
		e, err := scanExemption(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}
