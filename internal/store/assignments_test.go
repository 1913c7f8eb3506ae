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

// TestArchivedReadOnly checks that an archived assessment refuses every
// change (an answer, targets, scopes, a rename, an assignment) with
// conflict and keeps its data, and takes changes again once restored.
func TestArchivedReadOnly(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		org, id := f.org.ID, f.assessment.ID
		if err := s.ArchiveAssessment(ctx, org, f.actor, id, true); err != nil {
			t.Fatal(err)
		}
		scope := f.assessment.Scopes[0].ID
		changes := []struct {
			name string
			do   func() error
		}{
			{"answer", func() error {
				_, err := s.PutAnswer(ctx, org, f.actor, AnswerInput{AssessmentID: id, Objective: "IAM-1.1", Scope: scope, Answer: "yes", AnsweredBy: "o"})
				return err
			}},
			{"targets", func() error { return s.SetTargets(ctx, org, f.actor, id, []Target{{Category: "IAM", Level: 3}}, 0) }},
			{"scopes", func() error {
				return s.SetScopes(ctx, org, f.actor, id, append(f.assessment.Scopes, Scope{ID: "extra", Weight: 1}))
			}},
			{"rename", func() error {
				_, err := s.UpdateAssessment(ctx, org, f.actor, id, AssessmentUpdate{Name: "New name", ValidityDays: 365})
				return err
			}},
			{"assign", func() error { return s.Assign(ctx, org, f.actor, id, "IAM", f.actor.UserID) }},
		}
		for _, c := range changes {
			if err := c.do(); csmm.ErrorCode(err) != csmm.ECONFLICT {
				t.Errorf("%s on an archived assessment: %v, want conflict", c.name, err)
			}
		}
		a, err := s.GetAssessment(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != f.assessment.Name || len(a.Scopes) != len(f.assessment.Scopes) || len(a.Targets) != len(f.assessment.Targets) {
			t.Errorf("archived assessment changed: %+v", a)
		}
		if err := s.ArchiveAssessment(ctx, org, f.actor, id, false); err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			if err := c.do(); err != nil {
				t.Errorf("%s on the restored assessment: %v", c.name, err)
			}
		}
	})
}

// TestRemoveScope checks that removing a scope deletes its answers and
// keeps the other scope's, and that the last scope and an unknown one are
// refused.
func TestRemoveScope(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		org, id := f.org.ID, f.assessment.ID
		for _, sc := range []string{"production", "development"} {
			if _, err := s.PutAnswer(ctx, org, f.actor, AnswerInput{AssessmentID: id, Objective: "IAM-1.1", Scope: sc, Answer: "yes", AnsweredBy: "o"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SetScopes(ctx, org, f.actor, id, f.assessment.Scopes[:1]); csmm.ErrorCode(err) != csmm.ECONFLICT {
			t.Errorf("SetScopes dropping a scope with answers: %v, want conflict", err)
		}
		if err := s.RemoveScope(ctx, org, f.actor, id, "development"); err != nil {
			t.Fatal(err)
		}
		a, err := s.GetAssessment(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Scopes) != 1 || a.Scopes[0].ID != "production" {
			t.Errorf("scopes after removing development: %+v", a.Scopes)
		}
		if _, err := s.GetAnswer(ctx, org, id, "IAM-1.1", "development"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("development's answer: %v, want not_found", err)
		}
		if _, err := s.GetAnswer(ctx, org, id, "IAM-1.1", "production"); err != nil {
			t.Errorf("production's answer: %v", err)
		}
		if err := s.RemoveScope(ctx, org, f.actor, id, "production"); csmm.ErrorCode(err) != csmm.EINVALID {
			t.Errorf("removing the last scope: %v, want invalid", err)
		}
		if err := s.RemoveScope(ctx, org, f.actor, id, "staging"); csmm.ErrorCode(err) != csmm.ENOTFOUND {
			t.Errorf("removing an unknown scope: %v, want not_found", err)
		}
	})
}
