package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/move"
)

// TestMeasuredAnswerRoundTrip saves measured answers (a count and a
// percentage), reads them back, exports them to an answers file and
// imports that file again, on every backend.
func TestMeasuredAnswerRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		fx := newFixture(t, s, "measured")
		m, err := s.LoadModel(ctx, fx.org.ID, fx.assessment.ModelRef)
		if err != nil {
			t.Fatal(err)
		}
		// The i-th objective on the coverage scale: measured answers and
		// half need one (a binary objective takes only no, yes and na).
		var coverage []string
		for _, o := range m.Objectives {
			if !o.Binary() {
				coverage = append(coverage, o.ID)
			}
		}
		obj := func(i int) string { return coverage[i] }
		date := assess.Date{Year: 2026, Month: 11, Day: 1}
		count := &assess.Measure{Measured: 87, Of: 120}
		percent := &assess.Measure{Measured: 72.5, Of: 100, Percent: true}
		saved, err := s.PutAnswers(ctx, fx.org.ID, fx.actor, fx.assessment.ID, []AnswerInput{
			{Objective: obj(0), Scope: "production", Measure: count, Note: "accounts federated", AnsweredAt: date},
			{Objective: obj(0), Scope: "development", Measure: percent, AnsweredAt: date},
			{Objective: obj(1), Scope: "production", Answer: assess.Yes, AnsweredAt: date},
		})
		if err != nil {
			t.Fatalf("PutAnswers: %v", err)
		}
		got, err := s.ListAnswers(ctx, fx.org.ID, fx.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(saved, got, cmpopts.IgnoreFields(Answer{}, "Updated"), cmpSortAnswers); d != "" {
			t.Errorf("stored answers differ from the saved ones (-saved +read):\n%s", d)
		}
		for _, a := range got {
			want := map[string]*assess.Measure{obj(0) + "/production": count, obj(0) + "/development": percent}[a.Objective+"/"+a.Scope]
			if d := cmp.Diff(want, a.Measure); d != "" {
				t.Errorf("%s in %s: measure (-want +got):\n%s", a.Objective, a.Scope, d)
			}
			if want != nil && a.Answer != "" {
				t.Errorf("%s in %s: a measured answer has the word %q", a.Objective, a.Scope, a.Answer)
			}
		}

		// A word replaces the measure and clears it.
		cur, err := s.GetAnswer(ctx, fx.org.ID, fx.assessment.ID, obj(0), "development")
		if err != nil {
			t.Fatal(err)
		}
		w, err := s.PutAnswer(ctx, fx.org.ID, fx.actor, AnswerInput{AssessmentID: fx.assessment.ID, Objective: obj(0), Scope: "development",
			Answer: assess.Half, AnsweredAt: date, ExpectedVersion: cur.Version})
		if err != nil {
			t.Fatal(err)
		}
		if back, _ := s.GetAnswer(ctx, fx.org.ID, fx.assessment.ID, obj(0), "development"); back.Measure != nil || back.Answer != assess.Half || back.Version != w.Version {
			t.Errorf("after answering half: %+v", back)
		}

		// Invalid measures are refused.
		for _, bad := range []AnswerInput{
			{Objective: obj(2), Scope: "production", Measure: &assess.Measure{Measured: 121, Of: 120}},
			{Objective: obj(2), Scope: "production", Measure: &assess.Measure{Measured: 1, Of: 0}},
			{Objective: obj(2), Scope: "production", Measure: &assess.Measure{Measured: 1, Of: 2}, Answer: assess.Yes},
		} {
			bad.AssessmentID = fx.assessment.ID
			_, err := s.PutAnswer(ctx, fx.org.ID, fx.actor, bad)
			wantCode(t, err, "invalid")
		}

		// Export and import keep the measure.
		f, em, err := s.ExportFile(ctx, fx.org.ID, fx.assessment.ID, date)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := assess.ParseFile("export.yaml", f.Encode(), em)
		if err != nil {
			t.Fatalf("exported file does not parse: %v\n%s", err, f.Encode())
		}
		r := parsed.Answers[assess.Key{Objective: obj(0), Scope: "production"}]
		if d := cmp.Diff(count, r.Measure); d != "" {
			t.Errorf("measure in the exported file (-want +got):\n%s\n%s", d, f.Encode())
		}
		imported, err := s.ImportFile(ctx, fx.org.ID, fx.actor, parsed, ImportOptions{Name: "copy", ModelRef: em.Ref()})
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.GetAnswer(ctx, fx.org.ID, imported.ID, obj(0), "production")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(count, back.Measure); d != "" {
			t.Errorf("measure after import (-want +got):\n%s", d)
		}
	})
}

var cmpSortAnswers = cmp.Transformer("", func(in []Answer) map[string]Answer {
	out := map[string]Answer{}
	for _, a := range in {
		out[a.Objective+"/"+a.Scope] = a
	}
	return out
})

// TestAssessmentModelVersion checks that an assessment records the built-in
// version it is made with and keeps it, that rows without a version read
// as csmm@2.0.0, and that evidence validity is kept per assessment.
func TestAssessmentModelVersion(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		fx := newFixture(t, s, "version")
		newest, err := model.Builtin()
		if err != nil {
			t.Fatal(err)
		}
		if fx.assessment.ModelRef != newest.Ref() {
			t.Errorf("new assessment's model = %q, want the newest built-in %q", fx.assessment.ModelRef, newest.Ref())
		}
		old, err := s.CreateAssessment(ctx, fx.org.ID, fx.actor, AssessmentInput{Name: "old", ModelRef: "csmm@2.0.0", EvidenceValidityDays: 30})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetAssessment(ctx, fx.org.ID, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ModelRef != "csmm@2.0.0" || got.EvidenceValidityDays != 30 {
			t.Errorf("stored assessment: model %q, evidence validity %d; want csmm@2.0.0 and 30", got.ModelRef, got.EvidenceValidityDays)
		}
		in, _, err := s.Scoring(ctx, fx.org.ID, old.ID, assess.Date{Year: 2026, Month: 12, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		if in.Model.Ref() != "csmm@2.0.0" || in.EvidenceValidityDays != 30 {
			t.Errorf("scoring input: model %s, evidence validity %d; want csmm@2.0.0 and 30", in.Model.Ref(), in.EvidenceValidityDays)
		}
		if ref, err := s.AssessmentModelRef(ctx, fx.org.ID, old.ID); err != nil || ref != "csmm@2.0.0" {
			t.Errorf("AssessmentModelRef = %q, %v; want csmm@2.0.0", ref, err)
		}
		_, err = s.CreateAssessment(ctx, fx.org.ID, fx.actor, AssessmentInput{Name: "bad", ModelRef: "csmm@9.9.9"})
		wantCode(t, err, "invalid")

		// A row written before versions were recorded reads as csmm@2.0.0.
		if err := s.write(ctx, func(tx *tx) error {
			_, err := tx.exec(ctx, "UPDATE assessments SET model_version = NULL WHERE id = ?", fx.assessment.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetAssessment(ctx, fx.org.ID, fx.assessment.ID); got.ModelRef != FirstBuiltinModel {
			t.Errorf("unversioned row reads as %q, want %s", got.ModelRef, FirstBuiltinModel)
		}

		days := 7
		u, err := s.UpdateAssessment(ctx, fx.org.ID, fx.actor, old.ID, AssessmentUpdate{Name: "old", ValidityDays: 365, EvidenceValidityDays: &days})
		if err != nil || u.EvidenceValidityDays != 7 {
			t.Errorf("UpdateAssessment evidence validity = %v, %v; want 7", u, err)
		}
	})
}

// TestEvidenceChecksRoundTrip stores evidence with per-check counts and
// scan dates and reads them back; a check without a scan date is dated by
// its import.
func TestEvidenceChecksRoundTrip(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		fx := newFixture(t, s, "checks")
		m, err := s.LoadModel(ctx, fx.org.ID, fx.assessment.ModelRef)
		if err != nil {
			t.Fatal(err)
		}
		obj := m.Objectives[0].ID
		scanned := assess.Date{Year: 2026, Month: 6, Day: 1}
		checks := []assess.CheckEvidence{
			{Check: "prowler:aws:a", Scanned: scanned, Passed: 3, Failed: 1, Muted: 2, Source: "prowler-csv:x.csv"},
			{Check: "prowler:aws:b", Supporting: true, Failed: 4},
		}
		if _, err := s.ImportEvidence(ctx, fx.org.ID, fx.actor, fx.assessment.ID, EvidenceImport{Source: "prowler-csv:x.csv",
			Records: []Evidence{{Objective: obj, Scope: "production", Passed: 3, Failed: 1, Muted: 2, Checks: checks}}}); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListEvidence(ctx, fx.org.ID, fx.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("got %d records, want 1", len(list))
		}
		// The undated check is stored with the import's date.
		want := append([]assess.CheckEvidence(nil), checks...)
		want[1].Scanned = assess.DateOf(list[0].Imported.UTC())
		if d := cmp.Diff(want, list[0].Checks); d != "" {
			t.Errorf("per-check counts (-stored +read):\n%s", d)
		}
		in, _, err := s.Scoring(ctx, fx.org.ID, fx.assessment.ID, assess.Date{Year: 2026, Month: 12, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		e := in.Evidence[assess.Key{Objective: obj, Scope: "production"}]
		if len(e.Checks) != 2 || e.Checks[0].Scanned != scanned || e.Checks[1].Scanned != assess.DateOf(list[0].Imported.UTC()) {
			t.Errorf("scoring evidence checks = %+v; want the scan date kept and the import date for the undated one", e.Checks)
		}
	})
}

// TestMigrateAssessment moves a stored assessment between two versions of
// a custom model: a dry run changes nothing; the move keeps the answers of
// kept IDs, deletes the others, switches the model and is audited.
func TestMigrateAssessment(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		fx := newFixture(t, s, "migrate")
		read := func(name string) string {
			data, err := os.ReadFile(filepath.Join("..", "move", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
		oldM, err := s.CreateModel(ctx, fx.org.ID, fx.actor, CustomModel{Name: "movetest", Version: "1", YAML: read("old.yaml")})
		if err != nil {
			t.Fatal(err)
		}
		newM, err := s.CreateModel(ctx, fx.org.ID, fx.actor, CustomModel{Name: "movetest", Version: "2", YAML: read("new.yaml")})
		if err != nil {
			t.Fatal(err)
		}
		from, err := s.LoadModel(ctx, fx.org.ID, oldM.ID)
		if err != nil {
			t.Fatal(err)
		}
		f, err := assess.ParseFile("answers.yaml", []byte(read("answers.yaml")), from)
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.ImportFile(ctx, fx.org.ID, fx.actor, f, ImportOptions{ModelRef: oldM.ID})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := s.ListAnswers(ctx, fx.org.ID, a.ID)

		plan, got, err := s.MigrateAssessment(ctx, fx.org.ID, fx.actor, a.ID, newM.ID, true)
		if err != nil {
			t.Fatalf("dry run: %v", err)
		}
		if got.ModelRef != oldM.ID || len(plan.Kept) != 3 || len(plan.NeedsAnswer) == 0 {
			t.Errorf("dry run: model %q, %d kept, %d to answer", got.ModelRef, len(plan.Kept), len(plan.NeedsAnswer))
		}
		if after, _ := s.ListAnswers(ctx, fx.org.ID, a.ID); len(after) != len(before) {
			t.Errorf("the dry run changed the answers: %d before, %d after", len(before), len(after))
		}

		plan2, got, err := s.MigrateAssessment(ctx, fx.org.ID, fx.actor, a.ID, newM.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(plan, plan2, cmp.AllowUnexported(move.Plan{})); d != "" {
			t.Errorf("the move differs from its preview (-preview +move):\n%s", d)
		}
		if got.ModelRef != newM.ID {
			t.Errorf("model after the move = %q, want %q", got.ModelRef, newM.ID)
		}
		var targets []string
		for _, tg := range got.Targets {
			targets = append(targets, tg.Category)
		}
		if d := cmp.Diff([]string{"ACC"}, targets); d != "" {
			t.Errorf("targets after the move (-want +got):\n%s", d)
		}
		after, err := s.ListAnswers(ctx, fx.org.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, x := range after {
			kept = append(kept, x.Objective+"/"+x.Scope+"="+x.Response().Label())
		}
		if d := cmp.Diff([]string{"ACC-2.1/development=half", "ACC-2.1/production=yes", "ACC-2.2/development=yes"}, kept); d != "" {
			t.Errorf("answers after the move (-want +got):\n%s", d)
		}
		ex, _ := s.ListExemptions(ctx, fx.org.ID, a.ID)
		if len(ex) != 1 || ex[0].Objective != "ACC-2.1" {
			t.Errorf("exemptions after the move = %+v, want only ACC-2.1's", ex)
		}
		page, err := s.ListAudit(ctx, fx.org.ID, AuditFilter{Action: "assessment.migrate"})
		if err != nil || len(page.Entries) != 1 || page.Entries[0].TargetID != a.ID {
			t.Errorf("audit of the move = %+v, %v; want one assessment.migrate entry", page.Entries, err)
		}
		_, _, err = s.MigrateAssessment(ctx, fx.org.ID, fx.actor, a.ID, newM.ID, false)
		wantCode(t, err, "invalid")
		if _, err := s.LoadModel(ctx, fx.org.ID, got.ModelRef); err != nil {
			t.Errorf("the moved assessment's model does not load: %v", err)
		}
	})
}
