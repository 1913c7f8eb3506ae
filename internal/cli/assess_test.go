package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

func readAnswers(t *testing.T, path string) *assess.File {
	t.Helper()
	// The model the file names (csmm@2.0.0 for the example), else the newest.
	_, f, err := readAnswersAndModel(path)
	if err != nil {
		t.Fatalf("the file written by assess does not parse: %v", err)
	}
	return f
}

func TestAssess(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	today, _ := assess.ParseDate(asOf)
	first, second := m.Objectives[0], m.Objectives[1]
	path := filepath.Join(t.TempDir(), "a.yaml")
	run(t, "", "init", "-o", path, "--scopes", "production,development").wantCode(t, 0)

	// The first objective: yes in production with a note, "maybe" rejected,
	// then na with a justification asked twice in development; the second
	// objective: skipped in production, then quit.
	input := strings.Join([]string{
		"yes", "checked by the audit",
		"maybe", "na", "", "no servers here", "",
		"skip", "quit",
	}, "\n") + "\n"
	r := run(t, input, "assess", path, "--by", "alice").wantCode(t, 0)
	for _, s := range []string{first.ID, oneLine(first.Question), oneLine(first.KPI), "for production", "for development",
		`"maybe" is not an answer`, "Why does it not apply?", "2 answers saved"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the session does not show %q:\n%s", s, r.stdout)
		}
	}
	f := readAnswers(t, path)
	want := map[assess.Key]assess.Response{
		{Objective: first.ID, Scope: "production"}:  {Answer: assess.Yes, Note: "checked by the audit", By: "alice", Date: today},
		{Objective: first.ID, Scope: "development"}: {Answer: assess.NA, Justification: "no servers here", By: "alice", Date: today},
	}
	if diff := cmp.Diff(want, f.Answers); diff != "" {
		t.Errorf("answers after the first session (-want +got):\n%s", diff)
	}

	// Resuming starts at the first unanswered objective: the second one.
	r = run(t, "most\n\n", "assess", path).wantCode(t, 0)
	if strings.Contains(r.stdout, first.ID+" ") {
		t.Errorf("the resumed session asks the answered objective %s again:\n%s", first.ID, r.stdout)
	}
	if !strings.Contains(r.stdout, second.ID) {
		t.Errorf("the resumed session does not start at %s:\n%s", second.ID, r.stdout)
	}
	f = readAnswers(t, path)
	if got := f.Answers[assess.Key{Objective: second.ID, Scope: "production"}].Answer; got != assess.Most {
		t.Errorf("%s in production = %q, want most (input ended after it)", second.ID, got)
	}
	if len(f.Answers) != 3 {
		t.Errorf("got %d answers, want 3", len(f.Answers))
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestAssessCategory(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "a.yaml", "date: 2026-09-01\nanswers:\n")
	objs := m.CategoryObjectives("NET")
	r := run(t, strings.Repeat("half\n\n", len(objs)+3), "assess", path, "--category", "NET").wantCode(t, 0)
	f := readAnswers(t, path)
	if len(f.Answers) != len(objs) {
		t.Errorf("got %d answers, want %d (every NET objective, nothing else):\n%s", len(f.Answers), len(objs), r.stdout)
	}
	for k := range f.Answers {
		if !strings.HasPrefix(k.Objective, "NET-") {
			t.Errorf("answered %s outside --category NET", k.Objective)
		}
	}
	if !strings.Contains(r.stdout, "Every objective is answered") && !strings.Contains(r.stdout, "left unanswered") {
		t.Errorf("no summary:\n%s", r.stdout)
	}
	run(t, "", "assess", path, "--category", "XYZ").wantCode(t, 2)
}

// TestAssessKeepsExistingContent checks that answers, targets, exemptions and
// scopes of the file survive a session.
func TestAssessKeepsExistingContent(t *testing.T) {
	src := readFile(t, acme)
	path := writeFile(t, "acme.yaml", src)
	before := readAnswers(t, path)
	run(t, "no\n\n", "assess", path).wantCode(t, 0)
	after := readAnswers(t, path)
	if len(after.Answers) != len(before.Answers)+1 {
		t.Errorf("answers %d -> %d, want one more", len(before.Answers), len(after.Answers))
	}
	for k, v := range before.Answers {
		if diff := cmp.Diff(v, after.Answers[k]); diff != "" {
			t.Errorf("answer %v changed:\n%s", k, diff)
		}
	}
	if diff := cmp.Diff(before.Targets, after.Targets); diff != "" {
		t.Errorf("targets changed:\n%s", diff)
	}
	if diff := cmp.Diff(before.Exemptions, after.Exemptions); diff != "" {
		t.Errorf("exemptions changed:\n%s", diff)
	}
	if diff := cmp.Diff(before.Scopes, after.Scopes); diff != "" {
		t.Errorf("scopes changed:\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the answers file: %v", entries)
	}
}

func TestAssessBadFile(t *testing.T) {
	path := writeFile(t, "a.yaml", "answers:\n  IAM-2.1: perhaps\n")
	r := run(t, "yes\n", "assess", path).wantCode(t, 1)
	if !strings.Contains(r.stderr, path+`:2: answers.IAM-2.1: unknown answer "perhaps"`) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestAssessMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.yaml")
	r := run(t, "yes\n", "assess", path).wantCode(t, 1)
	if !strings.Contains(r.stderr, "create it first with: csmm init -o "+path) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestAssessRevision2 answers a coverage objective with a measure and a
// binary objective, which refuses half.
func TestAssessRevision2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.yaml")
	run(t, "", "init", "-o", path).wantCode(t, 0)
	input := strings.Join([]string{
		"130/120", "87/120", "", // IAM-2.1: an impossible measure, then 87 of 120, no note
		"skip",                   // IAM-2.2
		"half", "72%", "yes", "", // IAM-2.3 is binary: half and a percentage refused
		"quit",
	}, "\n") + "\n"
	r := run(t, input, "assess", path, "--category", "IAM").wantCode(t, 0)
	for _, want := range []string{
		"a measure needs 0 <= measured <= of, got 130 of 120",
		"Answer [no/yes/na/skip/quit]: ",
		`"half" is not an answer; expected no, yes, na, skip or quit (a yes/no fact)`,
		`"72%" is not an answer; expected no, yes, na`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	f := readAnswers(t, path)
	got := f.Answers[assess.Key{Objective: "IAM-2.1", Scope: assess.DefaultScope}]
	if got.Measure == nil || got.Measure.Measured != 87 || got.Measure.Of != 120 {
		t.Errorf("IAM-2.1: got %+v, want 87 of 120", got)
	}
	if got := f.Answers[assess.Key{Objective: "IAM-2.3", Scope: assess.DefaultScope}]; got.Answer != assess.Yes {
		t.Errorf("IAM-2.3: got %+v, want yes", got)
	}
}
