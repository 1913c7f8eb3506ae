package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

// answersYAML is an answers file that uses every feature of the format, on
// objectives taken from the model (no objective is named in code).
func answersYAML(t *testing.T, m *model.Model) string {
	t.Helper()
	if len(m.Objectives) < 7 {
		t.Fatalf("the built-in model has only %d objectives; the test needs 7", len(m.Objectives))
	}
	o := func(i int) string { return m.Objectives[i].ID }
	return fmt.Sprintf(`organization: Org alpha
assessment: Yearly review
date: 2026-10-01
validity_days: 400
scopes:
  - {id: production, weight: 2}
  - {id: development, name: "Dev & test"}
targets:
  default: 3
  %s: 4
answers:
  %s: yes
  %s: {answer: some, note: "prod only", by: alice, date: 2026-09-01}
  %s: {answer: na, justification: "serverless only, no VPCs"}
  %s: {production: yes, development: half}
  %s: {production: {answer: most, note: "rollout"}}
exemptions:
  %s: {reason: "legacy system", approver: "CISO", until: 2027-03-31}
`, m.Categories[0].ID, o(0), o(1), o(2), o(3), o(4), o(5))
}

func TestFileRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		fx := newFixture(t, s, "alpha")
		m, err := Builtin() // the model of stored built-in assessments
		if err != nil {
			t.Fatal(err)
		}
		asOf := assess.Date{Year: 2026, Month: 11, Day: 20}
		file, err := assess.ParseFile("answers.yaml", []byte(answersYAML(t, m)), m)
		if err != nil {
			t.Fatal(err)
		}
		want := assess.Score(file.Input(m, asOf))

		a, err := s.ImportFile(ctx, fx.org.ID, fx.actor, file, ImportOptions{})
		if err != nil {
			t.Fatalf("ImportFile: %v", err)
		}
		if a.Name != "Yearly review" || a.ValidityDays != 400 || len(a.Scopes) != 2 || a.Scopes[1].Name != "Dev & test" {
			t.Errorf("imported assessment = %+v", a)
		}
		in, _, err := s.Scoring(ctx, fx.org.ID, a.ID, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, assess.Score(in)); diff != "" {
			t.Errorf("score of the stored assessment differs from the file's (-file +stored):\n%s", diff)
		}

		exported, em, err := s.ExportFile(ctx, fx.org.ID, a.ID, assess.Date{Year: 2026, Month: 10, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		encoded := exported.Encode()
		reparsed, err := assess.ParseFile("export.yaml", encoded, em)
		if err != nil {
			t.Fatalf("the exported file does not parse: %v\n%s", err, encoded)
		}
		if diff := cmp.Diff(want, assess.Score(reparsed.Input(m, asOf))); diff != "" {
			t.Errorf("score after export and re-import differs (-file +exported):\n%s\n%s", diff, encoded)
		}

		t.Run("replace the answers of an existing assessment", func(t *testing.T) {
			f2, err := assess.ParseFile("answers.yaml", []byte(answersYAML(t, m)), m)
			if err != nil {
				t.Fatal(err)
			}
			k0 := assess.Key{Objective: m.Objectives[0].ID, Scope: "production"}
			r := f2.Answers[k0]
			r.Answer = assess.Half
			f2.Answers[k0] = r
			delete(f2.Answers, assess.Key{Objective: m.Objectives[1].ID, Scope: "development"})
			delete(f2.Exemptions, m.Objectives[5].ID)
			f2.Scopes = f2.Scopes[:1]
			for k := range f2.Answers {
				if k.Scope != "production" {
					delete(f2.Answers, k)
				}
			}
			before, _ := s.GetAnswer(ctx, fx.org.ID, a.ID, k0.Objective, k0.Scope)
			if _, err := s.ImportFile(ctx, fx.org.ID, fx.actor, f2, ImportOptions{AssessmentID: a.ID}); err != nil {
				t.Fatalf("ImportFile into %s: %v", a.ID, err)
			}
			in, stored, err := s.Scoring(ctx, fx.org.ID, a.ID, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(assess.Score(f2.Input(m, asOf)), assess.Score(in)); diff != "" {
				t.Errorf("score after replacing differs from the new file's (-file +stored):\n%s", diff)
			}
			if len(stored.Scopes) != 1 {
				t.Errorf("scopes after replacing = %v, want production only", stored.Scopes)
			}
			after, _ := s.GetAnswer(ctx, fx.org.ID, a.ID, k0.Objective, k0.Scope)
			if after.Version != before.Version+1 {
				t.Errorf("replaced answer version = %d, want %d", after.Version, before.Version+1)
			}
		})

		t.Run("evidence from several sources adds up", func(t *testing.T) {
			o := m.Objectives[6].ID
			if err := s.ReplaceEvidence(ctx, fx.org.ID, fx.actor, a.ID, "prowler", []Evidence{{Objective: o, Scope: "production", Passed: 3, Failed: 1, Muted: 2}}); err != nil {
				t.Fatal(err)
			}
			if err := s.ReplaceEvidence(ctx, fx.org.ID, fx.actor, a.ID, "asff", []Evidence{{Objective: o, Scope: "production", Passed: 1, Failed: 1}}); err != nil {
				t.Fatal(err)
			}
			in, _, err := s.Scoring(ctx, fx.org.ID, a.ID, asOf)
			if err != nil {
				t.Fatal(err)
			}
			want := assess.Evidence{Passed: 4, Failed: 2, Muted: 2, Source: "asff, prowler"}
			if diff := cmp.Diff(want, in.Evidence[assess.Key{Objective: o, Scope: "production"}]); diff != "" {
				t.Errorf("evidence (-want +got):\n%s", diff)
			}
			if err := s.ReplaceEvidence(ctx, fx.org.ID, fx.actor, a.ID, "prowler", nil); err != nil {
				t.Fatal(err)
			}
			list, _ := s.ListEvidence(ctx, fx.org.ID, a.ID)
			if len(list) != 1 || list[0].Source != "asff" {
				t.Errorf("after replacing prowler's evidence with none: %+v", list)
			}
		})
	})
}
