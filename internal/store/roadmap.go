package store

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// RoadmapStatus is how far the work on a roadmap item is.
type RoadmapStatus string

// The statuses of a roadmap item, in the order work goes.
const (
	RoadmapPlanned    RoadmapStatus = "planned"
	RoadmapInProgress RoadmapStatus = "in_progress"
	RoadmapDone       RoadmapStatus = "done"
)

// RoadmapStatuses lists every status of a roadmap item, in the order work goes.
var RoadmapStatuses = []RoadmapStatus{RoadmapPlanned, RoadmapInProgress, RoadmapDone}

// Label is the status as people read it: "in progress".
func (s RoadmapStatus) Label() string { return strings.ReplaceAll(string(s), "_", " ") }

// valid reports whether s is one of RoadmapStatuses.
func (s RoadmapStatus) valid() bool {
	for _, v := range RoadmapStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// MaxTicketLength bounds a roadmap item's ticket link.
const MaxTicketLength = 2000

// RoadmapItem is the work on one objective of an assessment's roadmap: who
// owns it, when it is due, how far it is and where it is tracked. An
// objective on the roadmap without a stored item is planned, with no owner,
// due date or ticket.
type RoadmapItem struct {
	AssessmentID string `json:"assessment_id"`
	Objective    string `json:"objective"`
	// OwnerID is the member who owns the work; "" for nobody.
	OwnerID string        `json:"owner_id,omitempty" doc:"The user ID of the member who owns the work; absent for nobody"`
	Due     assess.Date   `json:"due,omitzero" doc:"The date the work is due; absent for none"`
	Status  RoadmapStatus `json:"status"`
	// Ticket links the work in a tracker (http or https); "" for none.
	Ticket    string    `json:"ticket,omitempty" doc:"A link (http or https) to the work in a tracker"`
	UpdatedBy string    `json:"updated_by,omitempty" doc:"The user ID of who last changed the item"`
	Updated   time.Time `json:"updated,omitzero"`
}

// Overdue reports whether the item is past its due date on day today and
// not done.
func (it RoadmapItem) Overdue(today assess.Date) bool {
	return !it.Due.IsZero() && today.After(it.Due) && it.Status != RoadmapDone
}

// CheckTicket checks a ticket link: empty, or an absolute http or https URL
// with a host, at most MaxTicketLength characters.
func CheckTicket(ticket string) error {
	if ticket == "" {
		return nil
	}
	if len(ticket) > MaxTicketLength {
		return csmm.Errorf(csmm.EINVALID, "ticket: at most %d characters, got %d", MaxTicketLength, len(ticket))
	}
	u, err := url.Parse(ticket)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(ticket, " \t\r\n") {
		return csmm.Errorf(csmm.EINVALID, "ticket %q: expected an http:// or https:// link", ticket)
	}
	return nil
}

// SetRoadmapItem stores the owner, due date, status and ticket of one
// objective's roadmap item, replacing what was stored; the caller checks
// that the objective is on the assessment's roadmap. It returns invalid for
// an empty objective, an unknown status, a ticket that is not an http(s)
// link or an owner who is not a member, and not_found for another
// organization's assessment. The change is audited (roadmap_item.set) and
// raises the assessment's revision, so reports show it.
func (s *Store) SetRoadmapItem(ctx context.Context, orgID string, actor Actor, assessmentID string, item RoadmapItem) (_ *RoadmapItem, err error) {
	defer wrap(&err, "set roadmap item(%s, %s, %s)", orgID, assessmentID, item.Objective)
	item.Objective = strings.TrimSpace(item.Objective)
	item.Ticket = strings.TrimSpace(item.Ticket)
	if item.Objective == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "objective: expected an objective ID")
	}
	if item.Status == "" {
		item.Status = RoadmapPlanned
	}
	if !item.Status.valid() {
		return nil, csmm.Errorf(csmm.EINVALID, "status %q: expected planned, in_progress or done", item.Status)
	}
	if err := CheckTicket(item.Ticket); err != nil {
		return nil, err
	}
	var out *RoadmapItem
	err = s.write(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		if item.OwnerID != "" {
			var n int
			if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM memberships WHERE org_id = ? AND user_id = ?", orgID, item.OwnerID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return csmm.Errorf(csmm.EINVALID, "owner %q is not a member of the organization", item.OwnerID)
			}
		}
		before, err := getRoadmapItem(ctx, tx, orgID, assessmentID, item.Objective)
		if err != nil {
			return err
		}
		after := item
		after.AssessmentID, after.UpdatedBy, after.Updated = assessmentID, actorID(actor), tx.now
		if _, err := tx.exec(ctx, "DELETE FROM roadmap_items WHERE org_id = ? AND assessment_id = ? AND objective = ?", orgID, assessmentID, item.Objective); err != nil {
			return err
		}
		due := ""
		if !after.Due.IsZero() {
			due = after.Due.String()
		}
		if _, err := tx.exec(ctx, "INSERT INTO roadmap_items (org_id, assessment_id, objective, owner_id, due, status, ticket, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			orgID, assessmentID, after.Objective, after.OwnerID, due, string(after.Status), after.Ticket, after.UpdatedBy, micros(tx.now)); err != nil {
			return err
		}
		// The report shows the roadmap's work: a change is a new revision.
		if err := touchAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out = &after
		var b any
		if before != nil {
			b = before
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"roadmap_item.set", "assessment", assessmentID, b, after})
	})
	return out, err
}

// ListRoadmapItems returns the stored roadmap items of an assessment by
// objective. It returns not_found for another organization's assessment.
func (s *Store) ListRoadmapItems(ctx context.Context, orgID, assessmentID string) (_ []RoadmapItem, err error) {
	defer wrap(&err, "list roadmap items(%s, %s)", orgID, assessmentID)
	var out []RoadmapItem
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		out, err = listRoadmapItems(ctx, tx, orgID, assessmentID, "")
		return err
	})
	return out, err
}

const roadmapColumns = "assessment_id, objective, owner_id, due, status, ticket, updated_by, updated_at"

func getRoadmapItem(ctx context.Context, tx *tx, orgID, assessmentID, objective string) (*RoadmapItem, error) {
	list, err := listRoadmapItems(ctx, tx, orgID, assessmentID, objective)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// listRoadmapItems lists an assessment's items, or only one objective's when
// objective is not "".
func listRoadmapItems(ctx context.Context, tx *tx, orgID, assessmentID, objective string) ([]RoadmapItem, error) {
	q := "SELECT " + roadmapColumns + " FROM roadmap_items WHERE org_id = ? AND assessment_id = ?"
	args := []any{orgID, assessmentID}
	if objective != "" {
		q += " AND objective = ?"
		args = append(args, objective)
	}
	rows, err := tx.query(ctx, q+" ORDER BY objective", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RoadmapItem{}
	for rows.Next() {
		var it RoadmapItem
		var status string
		if err := rows.Scan(&it.AssessmentID, &it.Objective, &it.OwnerID, dateCol{&it.Due}, &status, &it.Ticket, &it.UpdatedBy, timeCol{&it.Updated}); err != nil {
			return nil, err
		}
		it.Status = RoadmapStatus(status)
		out = append(out, it)
	}
	return out, rows.Err()
}
