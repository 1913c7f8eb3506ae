package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The diff fixtures are pinned to model 2.0.0, whose IAM level 2 has two
// objectives, so that their levels do not move with the newest model.
const diffOld = `model: csmm@2.0.0
date: 2026-09-01
scopes: [production, development]
targets: {default: 3}
answers:
  IAM-2.1: yes
  IAM-2.2: {production: yes, development: half}
  IAM-3.1: {answer: some, note: "old note"}
  NET-2.1: no
  DAT-2.1: yes
`

const diffNew = `model: csmm@2.0.0
date: 2026-09-01
scopes: [production, development]
targets: {default: 3}
answers:
  IAM-2.1: yes
  IAM-2.2: yes
  IAM-3.1: {answer: some, note: "a note that changed, not the answer"}
  NET-2.1: no
  DAT-2.1: yes
  APP-2.1: {production: most}
exemptions:
  NET-2.1: {reason: "moving", approver: CISO, until: 2027-01-01}
`

func TestDiffJSON(t *testing.T) {
	oldPath, newPath := writeFile(t, "old.yaml", diffOld), writeFile(t, "new.yaml", diffNew)
	r := run(t, "", "diff", oldPath, newPath, "--format", "json", "--as-of", asOf).wantCode(t, 0)
	var got struct {
		Program struct {
			Old, New *float64
		} `json:"program"`
		Categories []struct {
			ID       string   `json:"id"`
			OldLevel *int     `json:"old_level"`
			NewLevel *int     `json:"new_level"`
			OldScore *float64 `json:"old_score"`
			NewScore *float64 `json:"new_score"`
		} `json:"categories"`
		Objectives []map[string]any `json:"objectives"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("diff JSON: %v\n%s", err, r.stdout)
	}
	if got.Program.Old == nil || got.Program.New == nil || *got.Program.New <= *got.Program.Old {
		t.Errorf("program = %+v; want old and new with new higher", got.Program)
	}
	var iam *struct {
		ID       string   `json:"id"`
		OldLevel *int     `json:"old_level"`
		NewLevel *int     `json:"new_level"`
		OldScore *float64 `json:"old_score"`
		NewScore *float64 `json:"new_score"`
	}
	for i := range got.Categories {
		if got.Categories[i].ID == "IAM" {
			iam = &got.Categories[i]
		}
	}
	if iam == nil || iam.OldLevel == nil || iam.NewLevel == nil || iam.OldScore == nil || iam.NewScore == nil {
		t.Fatalf("IAM category missing or incomplete: %+v", got.Categories)
	}
	// IAM-2.2 in development went from half to yes: IAM reaches level 2.
	if *iam.OldLevel != 1 || *iam.NewLevel != 2 {
		t.Errorf("IAM levels %d -> %d, want 1 -> 2", *iam.OldLevel, *iam.NewLevel)
	}
	want := []map[string]any{
		{"id": "IAM-2.2", "scope": "development", "old_answer": "half", "new_answer": "yes", "old_value": 0.5, "new_value": 1.0},
		{"id": "NET-2.1", "scope": "production", "old_answer": "no", "new_answer": "no", "old_value": 0.0, "new_value": nil},
		{"id": "NET-2.1", "scope": "development", "old_answer": "no", "new_answer": "no", "old_value": 0.0, "new_value": nil},
		{"id": "APP-2.1", "scope": "production", "old_answer": nil, "new_answer": "most", "old_value": 0.0, "new_value": 0.75},
	}
	if diff := cmp.Diff(want, reorder(got.Objectives, want)); diff != "" {
		t.Errorf("changed objectives (-want +got):\n%s", diff)
	}
}

// reorder returns got in the order of the IDs and scopes of want, followed by
// anything want does not list, so that the comparison is independent of the
// order of categories in the model.
func reorder(got, want []map[string]any) []map[string]any {
	key := func(o map[string]any) string { return o["id"].(string) + "/" + o["scope"].(string) }
	byKey := map[string]map[string]any{}
	for _, o := range got {
		byKey[key(o)] = o
	}
	var out []map[string]any
	for _, w := range want {
		if o, ok := byKey[key(w)]; ok {
			out = append(out, o)
			delete(byKey, key(w))
		}
	}
	for _, o := range got {
		if _, ok := byKey[key(o)]; ok {
			out = append(out, o)
		}
	}
	return out
}

// TestDiffTableNamesOnlyChangedObjectives checks that the table names the
// objectives whose answer or value changed and no other.
func TestDiffTableNamesOnlyChangedObjectives(t *testing.T) {
	oldPath, newPath := writeFile(t, "old.yaml", diffOld), writeFile(t, "new.yaml", diffNew)
	r := run(t, "", "diff", oldPath, newPath, "--as-of", asOf).wantCode(t, 0)
	ids := map[string]bool{}
	for _, id := range regexp.MustCompile(`\b[A-Z]{2,}-[2-5]\.[0-9]+\b`).FindAllString(r.stdout, -1) {
		ids[id] = true
	}
	want := map[string]bool{"IAM-2.2": true, "NET-2.1": true, "APP-2.1": true}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("objectives named in the table (-want +got):\n%s\n%s", diff, r.stdout)
	}
	for _, s := range []string{"half (0.5)", "yes (1)", "IAM", "1 -> 2", "Program score"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("table does not contain %q:\n%s", s, r.stdout)
		}
	}
}

func TestDiffSameFile(t *testing.T) {
	r := run(t, "", "diff", acme, acme, "--format", "json", "--as-of", asOf).wantCode(t, 0)
	if !strings.Contains(r.stdout, `"objectives": []`) {
		t.Errorf("diff of a file with itself lists objectives:\n%s", r.stdout)
	}
	r = run(t, "", "diff", acme, acme, "--as-of", asOf).wantCode(t, 0)
	if !strings.Contains(r.stdout, "No answer or value changed.") {
		t.Errorf("table:\n%s", r.stdout)
	}
}

func TestDiffUsage(t *testing.T) {
	r := run(t, "", "diff", acme).wantCode(t, 2)
	if !strings.Contains(r.stderr, "csmm: diff: missing argument; expected OLD NEW") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestDiffNewScope checks that a scope added in the new file lists only the
// objectives answered there.
func TestDiffNewScope(t *testing.T) {
	oldPath := writeFile(t, "old.yaml", "date: 2026-09-01\nscopes: [production]\nanswers:\n  IAM-2.1: yes\n")
	newPath := writeFile(t, "new.yaml", "date: 2026-09-01\nscopes: [production, staging]\nanswers:\n  IAM-2.1: {production: yes, staging: half}\n")
	r := run(t, "", "diff", oldPath, newPath, "--format", "json", "--as-of", asOf).wantCode(t, 0)
	var got struct {
		Objectives []map[string]any `json:"objectives"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"id": "IAM-2.1", "scope": "staging", "old_answer": nil, "new_answer": "half", "old_value": nil, "new_value": 0.5}}
	if diff := cmp.Diff(want, got.Objectives); diff != "" {
		t.Errorf("objectives (-want +got):\n%s", diff)
	}
	table := run(t, "", "diff", oldPath, newPath, "--as-of", asOf).wantCode(t, 0).stdout
	if !strings.Contains(table, "IAM-2.1    staging  (no such scope)  half (0.5)") {
		t.Errorf("table:\n%s", table)
	}
}
