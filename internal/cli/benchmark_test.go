package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// TestBenchmarkExportImport fills a database with six opted-in
// organizations and one that did not opt in, exports the benchmarks and
// imports them as a named benchmark of another organization.
func TestBenchmarkExportImport(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "csmm.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		u, err := st.CreateUser(ctx, store.Actor{}, fmt.Sprintf("o%d@example.com", i), "Owner", "")
		if err != nil {
			t.Fatal(err)
		}
		org, err := st.CreateOrganization(ctx, store.Actor{UserID: u.ID}, fmt.Sprintf("Org %d", i), fmt.Sprintf("org-%d", i), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.SetProfile(ctx, org.ID, store.Actor{}, store.Profile{Industry: "finance", Providers: []string{"aws"}, BenchmarkOptIn: i < 6}); err != nil {
			t.Fatal(err)
		}
		a, err := st.CreateAssessment(ctx, org.ID, store.Actor{UserID: u.ID}, store.AssessmentInput{Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		var list []store.AnswerInput
		for _, o := range m.Objectives[:i*3] {
			list = append(list, store.AnswerInput{AssessmentID: a.ID, Objective: o.ID, Scope: assess.DefaultScope, Answer: assess.Yes})
		}
		if _, err := st.PutAnswers(ctx, org.ID, store.Actor{UserID: u.ID}, a.ID, list); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Finalize(ctx, org.ID, store.Actor{UserID: u.ID}, a.ID, "Owner", ""); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	out := run(t, "", "benchmark", "export", "--db", db).wantCode(t, 0).stdout
	var list []history.Benchmark
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("export is not a list of benchmarks: %v\n%s", err, out)
	}
	// The whole installation, finance and aws: three groups of the six opted in.
	if len(list) != 3 {
		t.Fatalf("exported %d groups, want 3: %s", len(list), out)
	}
	for _, b := range list {
		if b.Organizations == nil || *b.Organizations != 6 || b.Suppressed || b.You != nil || b.Program == nil {
			t.Errorf("group %+v: organizations %v, want 6 with figures and no you", b.Group, b.Organizations)
		}
	}
	csv := run(t, "", "benchmark", "export", "--db", db, "--format", "csv").wantCode(t, 0).stdout
	if !strings.HasPrefix(csv, strings.Join(history.BenchmarkCSVHeader, ",")+"\n") || !strings.Contains(csv, ",6,false,program,") {
		t.Errorf("CSV export lacks the header or the program row:\n%s", csv)
	}
	file := filepath.Join(t.TempDir(), "bench.json")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "", "benchmark", "import", "--db", db, "--org", "org-6", "--name", "Industry body", file).wantCode(t, 0)
	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := st.GetOrganizationBySlug(ctx, "org-6")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.Benchmark(ctx, org.ID, store.BenchmarkQuery{Source: "Industry body", Group: history.Group{Industry: "finance"}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Source != "Industry body" || b.Organizations == nil || *b.Organizations != 6 || b.You == nil {
		t.Errorf("imported benchmark = %+v, want the finance group labelled with its source and where org-6 stands", b)
	}
	run(t, "", "benchmark", "import", "--db", db, "--org", "org-6", file).wantCode(t, 2)
}
