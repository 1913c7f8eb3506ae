package store

import (
	"context"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestImportEvidence(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		f := newFixture(t, s, "evidence")
		id := f.assessment.ID
		const src = "prowler-ocsf:scan.ocsf.json"
		imp := func(scope string, records ...Evidence) EvidenceImport {
			return EvidenceImport{Source: src, FileName: "scan.ocsf.json", Format: "prowler-ocsf", Scope: scope, Records: records}
		}
		counts := func(t *testing.T) map[assess.Key]assess.Evidence {
			t.Helper()
			in, _, err := s.Scoring(ctx, f.org.ID, id, assess.Date{Year: 2030, Month: 1, Day: 1})
			if err != nil {
				t.Fatal(err)
			}
			return in.Evidence
		}
		revision := func(t *testing.T) int64 {
			t.Helper()
			rev, err := s.AssessmentRevision(ctx, f.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return rev
		}

		t.Run("an import in every scope is stored with its file, format and importer", func(t *testing.T) {
			rev := revision(t)
			n, err := s.ImportEvidence(ctx, f.org.ID, f.actor, id, imp("",
				Evidence{Objective: "IAM-2.1", Scope: "production", Passed: 3, Failed: 1, Muted: 2},
				Evidence{Objective: "IAM-2.1", Scope: "development", Passed: 3, Failed: 1, Muted: 2}))
			if err != nil || n != 0 {
				t.Fatalf("ImportEvidence = %d, %v; want 0 replaced", n, err)
			}
			if got := revision(t); got != rev+1 {
				t.Errorf("revision %d after the import, want %d", got, rev+1)
			}
			list, err := s.ListEvidence(ctx, f.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			want := []Evidence{
				{AssessmentID: id, Objective: "IAM-2.1", Scope: "development", Source: src, FileName: "scan.ocsf.json", Format: "prowler-ocsf", Passed: 3, Failed: 1, Muted: 2, ImportedBy: f.owner.ID},
				{AssessmentID: id, Objective: "IAM-2.1", Scope: "production", Source: src, FileName: "scan.ocsf.json", Format: "prowler-ocsf", Passed: 3, Failed: 1, Muted: 2, ImportedBy: f.owner.ID},
			}
			if diff := cmp.Diff(want, list, cmpopts.IgnoreFields(Evidence{}, "Imported")); diff != "" {
				t.Errorf("stored evidence (-want +got):\n%s", diff)
			}
			if list[0].Imported.IsZero() {
				t.Error("the import time is not recorded")
			}
			page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "evidence.replace", TargetID: id})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Entries) != 1 || page.Entries[0].ActorUserID != f.owner.ID || !cmp.Equal(string(page.Entries[0].After),
				`{"source":"`+src+`","file_name":"scan.ocsf.json","format":"prowler-ocsf","records":2}`) {
				t.Errorf("audit entries: %+v", page.Entries)
			}
		})

		t.Run("an import in one scope replaces the source in that scope only", func(t *testing.T) {
			n, err := s.ImportEvidence(ctx, f.org.ID, f.actor, id, imp("production",
				Evidence{Objective: "IAM-2.2", Scope: "production", Passed: 1}))
			if err != nil || n != 1 {
				t.Fatalf("ImportEvidence = %d, %v; want 1 replaced", n, err)
			}
			want := map[assess.Key]assess.Evidence{
				{Objective: "IAM-2.1", Scope: "development"}: {Passed: 3, Failed: 1, Muted: 2, Source: src},
				{Objective: "IAM-2.2", Scope: "production"}:  {Passed: 1, Source: src},
			}
			if diff := cmp.Diff(want, counts(t)); diff != "" {
				t.Errorf("scoring evidence (-want +got):\n%s", diff)
			}
		})

		t.Run("a refused import changes nothing", func(t *testing.T) {
			rev := revision(t)
			before, _ := s.ListEvidence(ctx, f.org.ID, id)
			for _, tc := range []struct {
				name string
				imp  EvidenceImport
			}{
				{"unknown scope", imp("staging", Evidence{Objective: "IAM-2.1", Scope: "staging", Passed: 1})},
				{"record outside the import's scope", imp("production", Evidence{Objective: "IAM-2.1", Scope: "development", Passed: 1})},
				{"unknown record scope", imp("", Evidence{Objective: "IAM-2.1", Scope: "production", Passed: 1}, Evidence{Objective: "IAM-2.1", Scope: "staging", Passed: 1})},
				{"negative count", imp("", Evidence{Objective: "IAM-2.1", Scope: "production", Failed: -1})},
				{"no source", EvidenceImport{Records: []Evidence{{Objective: "IAM-2.1", Scope: "production"}}}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := s.ImportEvidence(ctx, f.org.ID, f.actor, id, tc.imp)
					wantCode(t, err, csmm.EINVALID)
				})
			}
			after, _ := s.ListEvidence(ctx, f.org.ID, id)
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("evidence changed by refused imports (-before +after):\n%s", diff)
			}
			if got := revision(t); got != rev {
				t.Errorf("revision %d after refused imports, want %d", got, rev)
			}
		})

		t.Run("sources group the records of each import", func(t *testing.T) {
			if err := s.ReplaceEvidence(ctx, f.org.ID, f.actor, id, "asff:hub.json", []Evidence{{Objective: "IAM-2.1", Scope: "production", Failed: 4}}); err != nil {
				t.Fatal(err)
			}
			list, err := s.ListEvidence(ctx, f.org.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			got := EvidenceSources(list)
			want := []EvidenceSource{
				{Source: "asff:hub.json", ImportedBy: f.owner.ID, Scopes: []string{"production"}, Objectives: 1, Records: 1, Failed: 4},
				{Source: src, FileName: "scan.ocsf.json", Format: "prowler-ocsf", ImportedBy: f.owner.ID, Scopes: []string{"development", "production"}, Objectives: 2, Records: 2, Passed: 4, Failed: 1, Muted: 2},
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(EvidenceSource{}, "Imported")); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
		})

		t.Run("deleting an import removes its records only", func(t *testing.T) {
			rev := revision(t)
			n, err := s.DeleteEvidence(ctx, f.org.ID, f.actor, id, src)
			if err != nil || n != 2 {
				t.Fatalf("DeleteEvidence = %d, %v; want 2", n, err)
			}
			want := map[assess.Key]assess.Evidence{{Objective: "IAM-2.1", Scope: "production"}: {Failed: 4, Source: "asff:hub.json"}}
			if diff := cmp.Diff(want, counts(t)); diff != "" {
				t.Errorf("scoring evidence (-want +got):\n%s", diff)
			}
			if got := revision(t); got != rev+1 {
				t.Errorf("revision %d after the deletion, want %d", got, rev+1)
			}
			_, err = s.DeleteEvidence(ctx, f.org.ID, f.actor, id, src)
			wantCode(t, err, csmm.ENOTFOUND)
			page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "evidence.delete"})
			if err != nil || len(page.Entries) != 1 {
				t.Errorf("evidence.delete audit entries: %+v, %v", page.Entries, err)
			}
		})

		t.Run("another organization's assessment is not found", func(t *testing.T) {
			other := newFixture(t, s, "other")
			_, err := s.ImportEvidence(ctx, other.org.ID, other.actor, id, imp("", Evidence{Objective: "IAM-2.1", Scope: "production", Passed: 1}))
			wantCode(t, err, csmm.ENOTFOUND)
			_, err = s.DeleteEvidence(ctx, other.org.ID, other.actor, id, "asff:hub.json")
			wantCode(t, err, csmm.ENOTFOUND)
		})
	})
}
