package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// TestRoadmapItems checks that a roadmap item is stored, replaced, listed,
// audited, raises the revision, and is refused with a bad status, a ticket
// that is not an http(s) link, an owner who is not a member, or another
// organization's assessment.
func TestRoadmapItems(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		rev0, err := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		due := assess.Date{Year: 2026, Month: 3, Day: 31}
		in := RoadmapItem{Objective: "IAM-2.1", OwnerID: f.actor.UserID, Due: due, Status: RoadmapInProgress, Ticket: "https://tracker.example/SEC-12"}
		got, err := s.SetRoadmapItem(ctx, f.org.ID, f.actor, f.assessment.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if got.UpdatedBy != f.actor.UserID || got.Updated.IsZero() {
			t.Errorf("stored item %+v: want updated_by %s and a time", got, f.actor.UserID)
		}
		if _, err := s.SetRoadmapItem(ctx, f.org.ID, f.actor, f.assessment.ID, RoadmapItem{Objective: "NET-2.1"}); err != nil {
			t.Fatal(err)
		}
		// Replacing keeps one item per objective.
		in.Status = RoadmapDone
		if _, err := s.SetRoadmapItem(ctx, f.org.ID, f.actor, f.assessment.ID, in); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListRoadmapItems(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []RoadmapItem{
			{AssessmentID: f.assessment.ID, Objective: "IAM-2.1", OwnerID: f.actor.UserID, Due: due, Status: RoadmapDone, Ticket: "https://tracker.example/SEC-12", UpdatedBy: f.actor.UserID},
			{AssessmentID: f.assessment.ID, Objective: "NET-2.1", Status: RoadmapPlanned, UpdatedBy: f.actor.UserID},
		}
		if diff := cmp.Diff(want, list, cmpopts.IgnoreFields(RoadmapItem{}, "Updated")); diff != "" {
			t.Errorf("items (-want +got):\n%s", diff)
		}
		if rev, _ := s.AssessmentRevision(ctx, f.org.ID, f.assessment.ID); rev != rev0+3 {
			t.Errorf("revision %d after three changes, want %d", rev, rev0+3)
		}
		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "roadmap_item.set"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != 3 {
			t.Errorf("%d roadmap_item.set audit entries, want 3", len(page.Entries))
		}

		for _, tc := range []struct {
			name string
			item RoadmapItem
		}{
			{"empty objective", RoadmapItem{}},
			{"unknown status", RoadmapItem{Objective: "IAM-2.1", Status: "later"}},
			{"javascript ticket", RoadmapItem{Objective: "IAM-2.1", Ticket: "javascript:alert(1)"}},
			{"relative ticket", RoadmapItem{Objective: "IAM-2.1", Ticket: "/tickets/1"}},
			{"ticket without host", RoadmapItem{Objective: "IAM-2.1", Ticket: "https://"}},
			{"owner not a member", RoadmapItem{Objective: "IAM-2.1", OwnerID: "nobody"}},
		} {
			if _, err := s.SetRoadmapItem(ctx, f.org.ID, f.actor, f.assessment.ID, tc.item); csmm.ErrorCode(err) != csmm.EINVALID {
				t.Errorf("%s: %v, want invalid", tc.name, err)
			}
		}
		other := newFixture(t, s, "beta")
		if _, err := s.ListRoadmapItems(ctx, other.org.ID, f.assessment.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("listing another organization's assessment: %v, want not_found", err)
		}
		if _, err := s.SetRoadmapItem(ctx, other.org.ID, other.actor, f.assessment.ID, RoadmapItem{Objective: "IAM-2.1"}); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("setting in another organization's assessment: %v, want not_found", err)
		}
	})
}

// TestRoadmapItemOverdue checks the overdue rule: past the due date and not done.
func TestRoadmapItemOverdue(t *testing.T) {
	today := assess.Date{Year: 2026, Month: 4, Day: 10}
	for _, tc := range []struct {
		name string
		item RoadmapItem
		want bool
	}{
		{"no due date", RoadmapItem{Status: RoadmapPlanned}, false},
		{"due yesterday", RoadmapItem{Status: RoadmapPlanned, Due: today.AddDays(-1)}, true},
		{"due yesterday, in progress", RoadmapItem{Status: RoadmapInProgress, Due: today.AddDays(-1)}, true},
		{"due yesterday, done", RoadmapItem{Status: RoadmapDone, Due: today.AddDays(-1)}, false},
		{"due today", RoadmapItem{Status: RoadmapPlanned, Due: today}, false},
	} {
		if got := tc.item.Overdue(today); got != tc.want {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.want)
		}
	}
}
