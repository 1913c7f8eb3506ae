package store

import (
	"context"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
)

// TestAssignments checks that a category is assigned to a member, moved to
// another, removed, and refused for a non-member.
func TestAssignments(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		if err := s.Assign(ctx, f.org.ID, f.actor, f.assessment.ID, "IAM", f.actor.UserID); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListAssignments(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Target != "IAM" || list[0].UserID != f.actor.UserID {
			t.Fatalf("assignments %+v, want IAM to the actor", list)
		}
		if err := s.Assign(ctx, f.org.ID, f.actor, f.assessment.ID, "NET", "nobody"); csmm.ErrorCode(err) != csmm.EINVALID {
			t.Errorf("assigning to a non-member: %v, want invalid", err)
		}
		if err := s.Assign(ctx, f.org.ID, f.actor, f.assessment.ID, "IAM", ""); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.ListAssignments(ctx, f.org.ID, f.assessment.ID); len(list) != 0 {
			t.Errorf("after removing: %+v", list)
		}
		other := newFixture(t, s, "beta")
		if _, err := s.ListAssignments(ctx, other.org.ID, f.assessment.ID); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("another organization's assessment: %v, want not_found", err)
		}
	})
}
