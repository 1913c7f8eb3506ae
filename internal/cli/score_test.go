package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
)

func TestScoreGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"acme.score.txt", []string{"score", acme, "--as-of", asOf}},
		{"acme.score.json", []string{"score", acme, "--format", "json", "--as-of", asOf}},
		{"acme.score-production.txt", []string{"score", "--scope", "production", acme, "--as-of", asOf}},
		{"acme.score-development.json", []string{"score", acme, "--scope", "development", "--format=json", "--as-of", asOf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, 0)
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			golden(t, tt.name, []byte(r.stdout))
		})
	}
}

// TestScoreJSONIsTheResult checks that the JSON carries the exact result of
// the scoring engine, with the fields of the score format.
func TestScoreJSONIsTheResult(t *testing.T) {
	r := run(t, "", "score", acme, "--format", "json", "--as-of", asOf).wantCode(t, 0)
	m, f, err := readAnswersAndModel(acme)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := assess.ParseDate(asOf)
	want := assess.Score(f.Input(m, d))
	var got assess.Result
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("score JSON does not decode: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("score JSON differs from assess.Score (-want +got):\n%s", diff)
	}

	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"model", "as_of", "program", "domains", "categories", "objectives", "scopes"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("score JSON has no %q", k)
		}
	}
	if raw["as_of"] != asOf {
		t.Errorf("as_of = %v, want %s", raw["as_of"], asOf)
	}
	cat := raw["categories"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "domain", "level", "score", "target", "gap", "completeness"} {
		if _, ok := cat[k]; !ok {
			t.Errorf("category has no %q", k)
		}
	}
	obj := raw["objectives"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "value", "met", "status", "source"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("objective has no %q", k)
		}
	}
}

func TestScopeJSON(t *testing.T) {
	r := run(t, "", "score", acme, "--format", "json", "--scope", "production", "--as-of", asOf).wantCode(t, 0)
	var got struct {
		Model      assess.ModelRef        `json:"model"`
		AsOf       string                 `json:"as_of"`
		ID         string                 `json:"id"`
		Program    assess.Program         `json:"program"`
		Categories []assess.CategoryScore `json:"categories"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "production" || got.AsOf != asOf || got.Model.ID == "" || len(got.Categories) == 0 {
		t.Errorf("scope JSON = %+v; want the production scope with model and as_of", got)
	}
	full := run(t, "", "score", acme, "--format", "json", "--as-of", asOf)
	var res assess.Result
	if err := json.Unmarshal([]byte(full.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(res.Scopes[0].Program, got.Program); diff != "" {
		t.Errorf("scope program differs from the roll-up's scope entry:\n%s", diff)
	}
}

func TestScoreUnknownScope(t *testing.T) {
	r := run(t, "", "score", acme, "--scope", "staging").wantCode(t, 2)
	if !strings.Contains(r.stderr, `unknown scope "staging"; the file's scopes are production, development`) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestScoreTableTruncates checks that displayed scores are truncated, never
// rounded: 2 + (1 + 0.75)/2 = 2.875 shows as 2.8, and the gap beside it is
// the target minus the displayed score.
func TestScoreTableTruncates(t *testing.T) {
	path := writeFile(t, "a.yaml", `model: csmm@2.0.0
date: 2026-09-01
targets: {ORG: 3}
answers:
  ORG-2.1: yes
  ORG-2.2: yes
  ORG-3.1: yes
  ORG-3.2: most
`)
	r := run(t, "", "score", path, "--as-of", asOf).wantCode(t, 0)
	var row []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "ORG ") {
			row = strings.Fields(line)
		}
	}
	if row == nil {
		t.Fatalf("no ORG row:\n%s", r.stdout)
	}
	// ID, name words..., level, score, target, gap, completeness, status.
	n := len(row)
	got := []string{row[n-7], row[n-6], row[n-5], row[n-4], row[n-3], row[n-1]}
	m, err := model.BuiltinRef("csmm@2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	complete := fmt.Sprintf("%d%%", 400/len(m.CategoryObjectives("ORG"))) // 4 answered
	want := []string{"2", "2.8", "3", "0.2", complete, "target"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ORG row %q (-want +got):\n%s", row, diff)
	}
}

func TestScoreAsOfDefaultsToToday(t *testing.T) {
	r := run(t, "", "score", acme, "--format", "json").wantCode(t, 0)
	if !strings.Contains(r.stdout, `"as_of": "2026-10-01"`) {
		t.Errorf("as_of is not the date of the clock:\n%.200s", r.stdout)
	}
}

func TestScoreWithModelFlag(t *testing.T) {
	other := writeFile(t, "other.yaml", strings.Replace(string(model.BuiltinYAML()), "version: 2.1.0", "version: 9.9.9", 1))
	r := run(t, "", "score", acme, "--model", other).wantCode(t, 1)
	if !strings.Contains(r.stderr, `the answers are for model "csmm@2.0.0" but the model in use is "csmm@9.9.9"`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	answers := writeFile(t, "a.yaml", "model: csmm@9.9.9\ndate: 2026-09-01\nanswers: {IAM-2.1: yes}\n")
	run(t, "", "score", answers, "--model", other, "--format", "json").wantCode(t, 0)
	run(t, "", "score", answers).wantCode(t, 1)
}

// BenchmarkScoreCommand runs the whole command in-process: read the model and
// the answers, score, encode the JSON.
func BenchmarkScoreCommand(b *testing.B) {
	for b.Loop() {
		r := run(b, "", "score", acme, "--format", "json", "--as-of", asOf)
		if r.code != 0 {
			b.Fatal(r.stderr)
		}
	}
}
