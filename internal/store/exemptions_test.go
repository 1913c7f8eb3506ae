package store

import (
	"context"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
)

// TestExemptionFourEyes checks that the requester of an exemption cannot
// decide it, that another user can, and that the decision keeps its
// comment and the requester.
func TestExemptionFourEyes(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		ex, err := s.RequestExemption(ctx, f.org.ID, f.actor, f.assessment.ID, "DAT-4.2", "legacy", "Alice", assess.Date{Year: 2030, Month: 1, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ex.RequestedByID != f.actor.UserID || f.actor.UserID == "" {
			t.Fatalf("requested by %q, want the actor %q", ex.RequestedByID, f.actor.UserID)
		}
		_, err = s.DecideExemptionComment(ctx, f.org.ID, f.actor, ex.ID, true, "Alice", "fine by me")
		if csmm.ErrorCode(err) != csmm.EFORBIDDEN {
			t.Fatalf("the requester deciding: %v, want forbidden", err)
		}
		other := Actor{UserID: f.actor.UserID + "-other"}
		got, err := s.DecideExemptionComment(ctx, f.org.ID, other, ex.ID, false, "Bob", "  retire it first  ")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.ListExemptions(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Comment != "retire it first" || list[0].Status != ExemptionRefused || list[0].RequestedByID != f.actor.UserID || got.Approver != "Bob" {
			t.Errorf("stored %+v, want refused by Bob with the comment and the requester", list)
		}
	})
}
