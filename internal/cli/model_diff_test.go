package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	oldModel = "testdata/models/old.yaml"
	newModel = "testdata/models/new.yaml"
)

func TestModelDiff(t *testing.T) {
	r := run(t, "", "model", "diff", oldModel, newModel).wantCode(t, 0)
	golden(t, "model-diff.txt", []byte(r.stdout))
	r = run(t, "", "model", "diff", oldModel, newModel, "--format", "json").wantCode(t, 0)
	golden(t, "model-diff.json", []byte(r.stdout))

	var d struct {
		Added []struct {
			ID       string   `json:"id"`
			Replaces []string `json:"replaces"`
		} `json:"added"`
		Removed []struct {
			ID         string   `json:"id"`
			ReplacedBy []string `json:"replaced_by"`
		} `json:"removed"`
		Changed []struct {
			ID       string   `json:"id"`
			Reworded []string `json:"reworded"`
			Changes  []struct {
				Field, Old, New string
			} `json:"changes"`
			ChecksAdded             []string `json:"checks_added"`
			ChecksRemoved           []string `json:"checks_removed"`
			SupportingChecksAdded   []string `json:"supporting_checks_added"`
			SupportingChecksRemoved []string `json:"supporting_checks_removed"`
		} `json:"changed"`
		Unresolved []struct{ ID, Missing string } `json:"unresolved_replaces"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Added) != 1 || d.Added[0].ID != "AAA-4.3" || strings.Join(d.Added[0].Replaces, " ") != "AAA-4.1 AAA-4.2" {
		t.Errorf("added: %+v", d.Added)
	}
	var removed []string
	for _, x := range d.Removed {
		removed = append(removed, x.ID+"<"+strings.Join(x.ReplacedBy, ","))
	}
	if diff := cmp.Diff([]string{"AAA-4.1<AAA-4.3", "AAA-4.2<AAA-4.3", "AAA-5.1<", "OLD-2.1<", "OLD-3.1<", "OLD-4.1<", "OLD-5.1<"}, removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	byID := map[string]int{}
	for i, c := range d.Changed {
		byID[c.ID] = i
	}
	if _, ok := byID["AAA-2.1"]; ok {
		t.Errorf("an unchanged objective is listed as changed")
	}
	if c := d.Changed[byID["AAA-2.2"]]; strings.Join(c.Reworded, " ") != "question" || len(c.Changes) != 0 {
		t.Errorf("AAA-2.2: %+v", c)
	}
	c := d.Changed[byID["AAA-3.1"]]
	var fields []string
	for _, f := range c.Changes {
		fields = append(fields, f.Field+":"+f.Old+">"+f.New)
	}
	if diff := cmp.Diff([]string{"scale:coverage>binary", "mode:either>automated", "threshold:0.9>1"}, fields); diff != "" {
		t.Errorf("AAA-3.1 changes (-want +got):\n%s", diff)
	}
	if strings.Join(c.ChecksAdded, " ") != "prowler:aws:c" || strings.Join(c.ChecksRemoved, " ") != "prowler:aws:b" ||
		strings.Join(c.SupportingChecksAdded, " ") != "prowler:aws:b" || len(c.SupportingChecksRemoved) != 0 {
		t.Errorf("AAA-3.1 checks: %+v", c)
	}
	if len(d.Unresolved) != 1 || d.Unresolved[0].Missing != "AAA-5.9" {
		t.Errorf("unresolved replaces: %+v", d.Unresolved)
	}

	// Built-in versions by reference; the same model twice has no change.
	r = run(t, "", "model", "diff", "csmm@2.0.0", "csmm@2.0.0").wantCode(t, 0)
	if !strings.Contains(r.stdout, "0 added, 0 removed, 0 changed") {
		t.Errorf("same model: %s", r.stdout)
	}
	r = run(t, "", "model", "diff", "csmm@2.0.0", "csmm@7.0.0").wantCode(t, 1)
	if !strings.Contains(r.stderr, `no built-in model "csmm@7.0.0"`) {
		t.Errorf("unknown version: %s", r.stderr)
	}
	run(t, "", "model", "diff", oldModel).wantCode(t, 2)
}

func TestModelExportRevision2Fields(t *testing.T) {
	r := run(t, "", "model", "export", "--model", newModel, "--format", "csv").wantCode(t, 0)
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+5 {
		t.Fatalf("%d rows, want a header and one per objective", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	row := rows[4] // AAA-4.3
	for k, want := range map[string]string{
		"id": "AAA-4.3", "scale": "coverage", "ccm": "IAM-14", "cis": "6.5", "nist_csf": "", "effort_size": "L",
		"effort_person_weeks_min": "4", "effort_person_weeks_max": "10", "effort_spend": "service", "replaces": "AAA-4.1; AAA-4.2",
	} {
		if got := row[col[k]]; got != want {
			t.Errorf("csv %s: got %q, want %q", k, got, want)
		}
	}
	if got := rows[3][col["checks"]]; got != "prowler:aws:a; prowler:aws:c" {
		t.Errorf("csv checks of AAA-3.1: got %q", got)
	}

	r = run(t, "", "model", "export", "--model", newModel, "--format", "md").wantCode(t, 0)
	for _, want := range []string{
		"| 2 L2 | The basics are in place. |",
		"**scale:** binary",
		"- **Supporting checks** (shown beside the answer, never a value): `prowler:aws:b`",
		"- **References:** CSA CCM v4: IAM-14; CIS Controls v8.1: 6.5",
		"- **Effort:** L, 4 to 10 person-weeks, spend: service",
		"- **Replaces:** AAA-4.1, AAA-4.2",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}

	r = run(t, "", "model", "export", "--model", newModel).wantCode(t, 0)
	var m struct {
		Categories []struct {
			Levels []struct {
				Level       int    `json:"level"`
				Description string `json:"description"`
			} `json:"levels"`
		} `json:"categories"`
		Objectives []map[string]any `json:"objectives"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Categories[0].Levels) != 1 || m.Categories[0].Levels[0].Level != 2 {
		t.Errorf("category levels: %+v", m.Categories[0].Levels)
	}
	for _, o := range m.Objectives {
		for _, k := range []string{"scale", "supporting_checks", "references"} {
			if _, ok := o[k]; !ok {
				t.Errorf("objective %v has no %q", o["id"], k)
			}
		}
	}
	if e, _ := m.Objectives[3]["effort"].(map[string]any); e == nil || e["size"] != "L" {
		t.Errorf("AAA-4.3 effort: %v", m.Objectives[3]["effort"])
	}

	// The yaml export is a model file again, with the new fields.
	r = run(t, "", "model", "export", "--model", newModel, "--format", "yaml").wantCode(t, 0)
	again := writeFile(t, "again.yaml", r.stdout)
	r2 := run(t, "", "model", "diff", newModel, again).wantCode(t, 0)
	if !strings.Contains(r2.stdout, "0 added, 0 removed, 0 changed") {
		t.Errorf("yaml export does not round-trip: %s", r2.stdout)
	}
}
