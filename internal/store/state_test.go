package store

import (
	"context"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestRevisionCountsEveryChange checks that every change to an assessment
// or to what scores it raises its revision, in the change's own
// transaction, and that a refused change and a read do not.
func TestRevisionCountsEveryChange(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		org, id, actor := f.org.ID, f.assessment.ID, f.actor
		other := newFixture(t, s, "beta")
		var exemption *Exemption
		changes := []struct {
			name   string
			change func() error
		}{
			{"answer", func() error {
				_, err := s.PutAnswer(ctx, org, actor, AnswerInput{AssessmentID: id, Objective: "IAM-2.1", Scope: "production", Answer: assess.Yes})
				return err
			}},
			{"answers", func() error {
				_, err := s.PutAnswers(ctx, org, actor, id, []AnswerInput{{Objective: "IAM-2.2", Scope: "production", Answer: assess.Half}})
				return err
			}},
			{"answer deleted", func() error { return s.DeleteAnswer(ctx, org, actor, id, "IAM-2.2", "production", 1) }},
			{"exemption requested", func() error {
				var err error
				exemption, err = s.RequestExemption(ctx, org, actor, id, "DAT-4.2", "legacy", "alice", assess.Date{Year: 2030, Month: 1, Day: 1})
				return err
			}},
			{"exemption decided", func() error {
				_, err := s.DecideExemption(ctx, org, Actor{}, exemption.ID, true, "bob")
				return err
			}},
			{"evidence", func() error {
				return s.ReplaceEvidence(ctx, org, actor, id, "prowler", []Evidence{{Objective: "IAM-2.1", Scope: "production", Passed: 3}})
			}},
			{"targets", func() error { return s.SetTargets(ctx, org, actor, id, []Target{{Category: "IAM", Level: 3}}, 2) }},
			{"scopes", func() error {
				return s.SetScopes(ctx, org, actor, id, []Scope{{ID: "production", Weight: 3}, {ID: "development"}})
			}},
			{"name and validity", func() error {
				_, err := s.UpdateAssessment(ctx, org, actor, id, AssessmentUpdate{Name: "Renamed", ValidityDays: 100})
				return err
			}},
			{"archived", func() error { return s.ArchiveAssessment(ctx, org, actor, id, true) }},
			{"restored", func() error { return s.ArchiveAssessment(ctx, org, actor, id, false) }},
			{"file imported", func() error {
				file, _, err := s.ExportFile(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1})
				if err != nil {
					return err
				}
				_, err = s.ImportFile(ctx, org, actor, file, ImportOptions{AssessmentID: id})
				return err
			}},
		}
		rev, err := s.AssessmentRevision(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range changes {
			if err := c.change(); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, err := s.AssessmentRevision(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if got <= rev {
				t.Errorf("after %s: revision %d, want more than %d", c.name, got, rev)
			}
			rev = got
		}

		t.Run("refused changes and reads keep it", func(t *testing.T) {
			_, err := s.PutAnswer(ctx, org, actor, AnswerInput{AssessmentID: id, Objective: "IAM-2.1", Scope: "production", Answer: assess.No, ExpectedVersion: 99})
			wantCode(t, err, csmm.ECONFLICT)
			if _, err := s.State(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1}); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.AssessmentRevision(ctx, org, id); got != rev {
				t.Errorf("revision %d after a refused save and a read, want %d", got, rev)
			}
		})

		t.Run("state reads the same revision", func(t *testing.T) {
			st, err := s.State(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1})
			if err != nil {
				t.Fatal(err)
			}
			if st.Assessment.Revision != rev {
				t.Errorf("State revision %d, AssessmentRevision %d", st.Assessment.Revision, rev)
			}
			in, _, err := s.Scoring(ctx, org, id, assess.Date{Year: 2026, Month: 1, Day: 1})
			if err != nil {
				t.Fatal(err)
			}
			if in.Model != st.Input.Model {
				t.Error("State and Scoring give different models")
			}
			if diff := cmp.Diff(in, st.Input, cmpopts.IgnoreFields(assess.Input{}, "Model")); diff != "" {
				t.Errorf("State input differs from Scoring (-scoring +state):\n%s", diff)
			}
			if len(st.Answers) == 0 || len(st.Exemptions) == 0 {
				t.Errorf("State has %d answers and %d exemptions, want some of each", len(st.Answers), len(st.Exemptions))
			}
		})

		t.Run("another organization", func(t *testing.T) {
			_, err := s.AssessmentRevision(ctx, other.org.ID, id)
			wantCode(t, err, csmm.ENOTFOUND)
			_, err = s.State(ctx, other.org.ID, id, assess.Date{Year: 2026, Month: 1, Day: 1})
			wantCode(t, err, csmm.ENOTFOUND)
			_, err = s.AssessmentRevision(ctx, org, "nope")
			wantCode(t, err, csmm.ENOTFOUND)
		})
	})
}

// TestAssessmentModelRef checks the one-query model lookup that saving an
// answer uses: the assessment's model, and not_found for an unknown
// assessment or another organization's.
func TestAssessmentModelRef(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "alpha")
		other := newFixture(t, s, "beta")
		cases := []struct {
			name, org, id string
			want          string
			code          string
		}{
			{name: "own assessment", org: f.org.ID, id: f.assessment.ID, want: f.assessment.ModelRef},
			{name: "another organization's", org: other.org.ID, id: f.assessment.ID, code: csmm.ENOTFOUND},
			{name: "unknown", org: f.org.ID, id: "no-such-assessment", code: csmm.ENOTFOUND},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.AssessmentModelRef(ctx, c.org, c.id)
				if c.code != "" {
					wantCode(t, err, c.code)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != c.want || got == "" {
					t.Errorf("model %q, want %q", got, c.want)
				}
			})
		}
	})
}
