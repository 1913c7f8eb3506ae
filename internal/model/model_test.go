package model

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBuiltinModel(t *testing.T) {
	m, err := Builtin()
	if err != nil {
		t.Fatalf("built-in model does not load: %v", err)
	}
	if len(m.Levels) != 5 {
		t.Errorf("levels: got %d, want 5", len(m.Levels))
	}
	if len(m.Domains) != 3 {
		t.Errorf("domains: got %d, want 3", len(m.Domains))
	}
	wantCats := []string{"GOV", "ORG", "IAM", "MON", "NET", "WKL", "APP", "DAT", "RSK", "RES", "CMP", "IR"}
	var gotCats []string
	for _, c := range m.Categories {
		gotCats = append(gotCats, c.ID)
	}
	if strings.Join(gotCats, " ") != strings.Join(wantCats, " ") {
		t.Errorf("categories: got %v, want %v", gotCats, wantCats)
	}
	for _, d := range m.Domains {
		if n := len(m.DomainCategories(d.ID)); n != 4 {
			t.Errorf("domain %s has %d categories, want 4", d.ID, n)
		}
	}
	if n := len(m.Objectives); n < 96 || n > 144 {
		t.Errorf("objectives: got %d, want 96 to 144", n)
	}
	for _, c := range m.Categories {
		per := map[int]int{}
		for _, o := range m.CategoryObjectives(c.ID) {
			per[o.Level]++
		}
		for l := 2; l <= 5; l++ {
			if per[l] < 2 || per[l] > 3 {
				t.Errorf("%s level %d has %d objectives, want 2 or 3", c.ID, l, per[l])
			}
		}
	}
	measurable := regexp.MustCompile(`\d|every|all |each|no |none|zero|at least`)
	for _, o := range m.Objectives {
		if o.Title == "" || o.KPI == "" || o.Question == "" || o.Guidance == "" {
			t.Errorf("%s: title, kpi, question and guidance are all required", o.ID)
		}
		if !measurable.MatchString(strings.ToLower(o.KPI)) {
			t.Errorf("%s: KPI %q states no measure (percentage, count or period)", o.ID, o.KPI)
		}
		if len(o.Controls.AWS) == 0 || len(o.Controls.Azure) == 0 || len(o.Controls.GCP) == 0 {
			t.Errorf("%s: sample controls needed for aws, azure and gcp", o.ID)
		}
		switch o.Mode {
		case ModeManual:
			if len(o.Checks) > 0 {
				t.Errorf("%s: a manual objective lists scanner checks %v", o.ID, o.Checks)
			}
		case ModeAutomated, ModeEither:
			if len(o.Checks) == 0 {
				t.Errorf("%s: a %s objective needs scanner checks", o.ID, o.Mode)
			}
		}
	}
}

// TestBuiltinChecksAreReal checks every Prowler check ID of the built-in model
// against the list of Prowler's AWS checks in the shared samples.
func TestBuiltinChecksAreReal(t *testing.T) {
	dir := os.Getenv("CSMM_SAMPLES")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CSMM_SAMPLES is not set; ./scripts/test sets it when ../shared/samples exists")
		}
		t.Skip("CSMM_SAMPLES not set")
	}
	f, err := os.Open(filepath.Join(dir, "prowler-compliance", "prowler_aws_checks_at_3e000faa.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	known := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		known[strings.SplitN(sc.Text(), "\t", 2)[0]] = true
	}
	if len(known) < 600 {
		t.Fatalf("read only %d Prowler checks", len(known))
	}
	m, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	securityHub := regexp.MustCompile(`^securityhub:[A-Za-z0-9]+\.[0-9]+$`)
	for _, o := range m.Objectives {
		for _, c := range o.Checks {
			switch {
			case strings.HasPrefix(c, "prowler:aws:"):
				if !known[strings.TrimPrefix(c, "prowler:aws:")] {
					t.Errorf("%s: %s is not a Prowler AWS check", o.ID, c)
				}
			case securityHub.MatchString(c):
			default:
				t.Errorf("%s: check %q is neither prowler:aws:<id> nor securityhub:<control>", o.ID, c)
			}
		}
	}
}

func TestObjectiveIDsMatchCategoryAndLevel(t *testing.T) {
	m, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]int{}
	for _, o := range m.Objectives {
		cat, level, n, ok := ParseObjectiveID(o.ID)
		if !ok || cat != o.Category || level != o.Level {
			t.Errorf("%s: ID does not match category %s level %d", o.ID, o.Category, o.Level)
		}
		k := cat + "-" + string(rune('0'+level))
		next[k]++
		if n != next[k] {
			t.Errorf("%s: objectives of %s are not numbered 1, 2, 3 in model order", o.ID, k)
		}
	}
}

const validModel = `id: test
version: 1.0.0
name: Test model
levels:
  - {level: 1, name: One}
  - {level: 2, name: Two}
  - {level: 3, name: Three}
  - {level: 4, name: Four}
  - {level: 5, name: Five}
domains:
  - {id: base, name: Base}
categories:
  - {id: AAA, domain: base, name: Alpha}
objectives:
  - {id: AAA-2.1, category: AAA, level: 2, title: T2, question: Q2, mode: manual}
  - {id: AAA-3.1, category: AAA, level: 3, title: T3, question: Q3, mode: either, threshold: 0.95, checks: ["prowler:aws:iam_root_mfa_enabled"]}
  - {id: AAA-4.1, category: AAA, level: 4, title: T4, question: Q4, mode: automated}
  - {id: AAA-5.1, category: AAA, level: 5, title: T5, question: Q5, mode: manual}
`

func TestParseValid(t *testing.T) {
	m, err := Parse("test.yaml", []byte(validModel))
	if err != nil {
		t.Fatal(err)
	}
	if m.Ref() != "test@1.0.0" {
		t.Errorf("ref: got %s", m.Ref())
	}
	o, ok := m.Objective("AAA-3.1")
	if !ok || o.Threshold != 0.95 {
		t.Errorf("AAA-3.1 threshold: got %+v", o)
	}
	if o, _ := m.Objective("AAA-2.1"); o.Threshold != 1 {
		t.Errorf("default threshold: got %v, want 1", o.Threshold)
	}
	if m.Domains[0].Weight != 1 || m.Categories[0].Weight != 1 {
		t.Errorf("default weights not 1")
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		line     int
		path     string
		message  string
	}{
		{"duplicate ID", "- {id: AAA-3.1, category: AAA, level: 3", "- {id: AAA-2.1, category: AAA, level: 2", 16, "objectives[1].id", "duplicate objective ID"},
		{"unknown category", "- {id: AAA-4.1, category: AAA,", "- {id: AAA-4.1, category: ZZZ,", 17, "objectives[2].category", `unknown category "ZZZ"`},
		{"level with no objectives", "- {id: AAA-5.1, category: AAA, level: 5", "- {id: AAA-4.2, category: AAA, level: 4", 13, "categories[0]", "no objectives at level 5"},
		{"bad threshold", "threshold: 0.95", "threshold: 1.5", 16, "objectives[1].threshold", "1.5"},
		{"zero threshold", "threshold: 0.95", "threshold: -1", 16, "objectives[1].threshold", "-1"},
		{"unknown mode", "mode: automated}", "mode: auto}", 17, "objectives[2].mode", "auto"},
		{"unknown domain", "domain: base, name: Alpha", "domain: basic, name: Alpha", 13, "categories[0].domain", `unknown domain "basic"`},
		{"ID does not match level", "- {id: AAA-5.1, category: AAA, level: 5", "- {id: AAA-5.1, category: AAA, level: 4", 18, "objectives[3].id", "does not match"},
		{"unknown key", "title: T5,", "titel: T5,", 18, "objectives[3]", "titel"},
		{"YAML syntax", "- {level: 2, name: Two}", "- {level: 2, name: Two", 5, "", "did not find"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(validModel, tt.old, tt.new, 1)
			if src == validModel {
				t.Fatalf("test does not change the model")
			}
			_, err := Parse("bad.yaml", []byte(src))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			for _, p := range ve.Problems {
				if p.File == "bad.yaml" && p.Path == tt.path && p.Line == tt.line && strings.Contains(p.Message+p.String(), tt.message) {
					return
				}
			}
			t.Errorf("no problem at line %d path %q mentioning %q; got:\n%v", tt.line, tt.path, tt.message, err)
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := strings.Replace(validModel, "mode: automated}", "mode: auto}", 1)
	src = strings.Replace(src, "category: ZZZ", "category: ZZZ", 1)
	src = strings.Replace(src, "threshold: 0.95", "threshold: 2", 1)
	_, err := Parse("bad.yaml", []byte(src))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) < 2 {
		t.Fatalf("want at least 2 problems, got %v", err)
	}
}
