package service

import (
	"context"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
)

// RoadmapEntry is one objective of an assessment's roadmap with the work
// on it: its phase, owner, due date, status and ticket link, and whether it
// is overdue (past its due date on the scoring date and not done).
type RoadmapEntry struct {
	Phase     int    `json:"phase" doc:"The roadmap phase the objective is in, from 1"`
	Objective string `json:"objective"`
	Title     string `json:"title"`
	Category  string `json:"category"`
	OwnerID   string `json:"owner_id,omitempty" doc:"The user ID of the member who owns the work; absent for nobody"`
	// Owner is the owner's name (their email when they have none).
	Owner   string              `json:"owner,omitempty" doc:"The owner's name, or their email address when they have no name"`
	Due     assess.Date         `json:"due,omitzero" doc:"The date the work is due; absent for none"`
	Status  store.RoadmapStatus `json:"status"`
	Ticket  string              `json:"ticket,omitempty" doc:"A link (http or https) to the work in a tracker"`
	Overdue bool                `json:"overdue" doc:"true when the due date is past on the scoring date and the work is not done"`
	// UpdatedBy and Updated say who last changed the work and when; absent
	// when nobody has.
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}

// RoadmapUpdate is the work on one roadmap objective as a person sets it:
// every field replaces the stored one, an absent one clears it.
type RoadmapUpdate struct {
	OwnerID string              `json:"owner_id,omitempty" doc:"The user ID of a member of the organization; absent for nobody"`
	Due     assess.Date         `json:"due,omitzero" doc:"The date the work is due (YYYY-MM-DD); absent for none"`
	Status  store.RoadmapStatus `json:"status,omitempty" doc:"planned when absent"`
	Ticket  string              `json:"ticket,omitempty" doc:"An http or https link to the work in a tracker"`
}

// Roadmap lists the objectives of a scored assessment's roadmap, phase by
// phase, with the stored work on each (planned, with no owner, when none).
func Roadmap(ctx context.Context, st *store.Store, orgID, assessmentID string, m *model.Model, res assess.Result) ([]RoadmapEntry, error) {
	items, err := st.ListRoadmapItems(ctx, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	byObjective := make(map[string]store.RoadmapItem, len(items))
	owned := false
	for _, it := range items {
		byObjective[it.Objective] = it
		owned = owned || it.OwnerID != ""
	}
	names := map[string]string{}
	if owned {
		members, err := st.ListMembers(ctx, orgID)
		if err != nil {
			return nil, err
		}
		for _, mb := range members {
			names[mb.User.ID] = MemberName(mb.User)
		}
	}
	out := []RoadmapEntry{}
	for _, ph := range res.Roadmap {
		for _, po := range ph.Objectives {
			e := RoadmapEntry{Phase: ph.Phase, Objective: po.ID, Title: po.ID, Category: po.Category, Status: store.RoadmapPlanned}
			if o, ok := m.Objective(po.ID); ok {
				e.Title = o.Title
			}
			if it, ok := byObjective[po.ID]; ok {
				e.OwnerID, e.Due, e.Status, e.Ticket, e.UpdatedBy, e.Updated = it.OwnerID, it.Due, it.Status, it.Ticket, it.UpdatedBy, it.Updated
				e.Overdue = it.Overdue(res.AsOf)
				if e.OwnerID != "" {
					e.Owner = names[e.OwnerID]
					if e.Owner == "" {
						e.Owner = "former member"
					}
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// MemberName is how pages and reports name a member: their name, else
// their email address.
func MemberName(u store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// WorkItems turns roadmap entries into the report's work items.
func WorkItems(entries []RoadmapEntry) []report.WorkItem {
	out := make([]report.WorkItem, 0, len(entries))
	for _, e := range entries {
		out = append(out, report.WorkItem{Objective: e.Objective, Owner: e.Owner, Due: e.Due, Status: string(e.Status), Ticket: e.Ticket})
	}
	return out
}

// UpdateRoadmapItem sets the work on one objective of the assessment's
// roadmap, as scored in res. It returns invalid when the objective is not
// on the roadmap (met already, or above every target), and the store's
// errors for a bad status, ticket or owner.
func UpdateRoadmapItem(ctx context.Context, st *store.Store, orgID string, actor store.Actor, assessmentID, objective string, res assess.Result, u RoadmapUpdate) (*store.RoadmapItem, error) {
	on := false
	for _, ph := range res.Roadmap {
		for _, po := range ph.Objectives {
			on = on || po.ID == objective
		}
	}
	if !on {
		return nil, csmm.Errorf(csmm.EINVALID, "objective %q is not on the assessment's roadmap: only objectives still to meet for a target have roadmap work", objective)
	}
	return st.SetRoadmapItem(ctx, orgID, actor, assessmentID, store.RoadmapItem{
		Objective: objective, OwnerID: u.OwnerID, Due: u.Due, Status: u.Status, Ticket: u.Ticket,
	})
}
