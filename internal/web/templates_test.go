package web

import (
	"testing"

	"github.com/csmm/csmm/internal/model"
	"github.com/jba/templatecheck"
)

// TestTemplatesTypeCheck type-checks every page template, layout included,
// against the data type its handler renders it with.
func TestTemplatesTypeCheck(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]any{
		"error.html":           errorData{},
		"assessment_list.html": listData{},
		"assessment_new.html":  &newData{},
		"targets.html":         &targetsData{},
		"overview.html":        overviewData{},
		"category.html":        &categoryData{},
		"exemptions.html":      exemptionsData{},
		"report.html":          reportData{},
		"evidence.html":        &evidenceData{},
		"home.html":            homeData{},
		"account.html":         &accountData{},
		"settings.html":        settingsData{},
		"members.html":         &membersData{},
		"tokens.html":          &tokensData{},
		"models.html":          &modelsData{},
		"audit.html":           auditData{},
		"snapshots.html":       &snapshotsData{},
		"snapshot.html":        &snapshotData{},
		"trend.html":           &trendData{},
		"compare.html":         &compareData{},
		"benchmark.html":       &benchmarkData{},
		"manage.html":          &manageData{},
		"confirm.html":         confirmData{},
		"roadmap.html":         &roadmapData{},
	}
	files := p.files()
	if len(files) != len(types) {
		t.Fatalf("%d page templates but %d data types: every page needs a type here", len(files), len(types))
	}
	for file, tp := range files {
		t.Run(file, func(t *testing.T) {
			data, ok := types[file]
			if !ok {
				t.Fatalf("no data type for %s", file)
			}
			page := (*tp).Lookup("page")
			if page == nil {
				t.Fatal("no page template")
			}
			if err := templatecheck.CheckHTML(page, data); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The report's body is rendered on its own, then cached.
	t.Run("report.html body", func(t *testing.T) {
		body := p.report.Lookup("body")
		if body == nil {
			t.Fatal("no body template")
		}
		if err := templatecheck.CheckHTML(body, reportData{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPresets checks that every preset names only categories of the
// built-in model and levels the model has.
func TestPresets(t *testing.T) {
	ps, err := LoadPresets()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 3 {
		t.Fatalf("got %d presets, want at least startup, growing and regulated", len(ps))
	}
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		t.Run(p.ID, func(t *testing.T) {
			if u := p.Unknown(m); len(u) > 0 {
				t.Errorf("categories not in the built-in model: %v", u)
			}
			for _, c := range m.Categories {
				if l := p.Level(c.ID); l < model.MinLevel || l > model.MaxLevel {
					t.Errorf("%s: level %d", c.ID, l)
				}
			}
		})
	}
}

func TestParsePresetsErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"level out of range", "- {id: a, name: A, default: 6}", "default 6"},
		{"target out of range", "- {id: a, name: A, default: 2, targets: {IAM: 0}}", "targets.IAM is 0"},
		{"duplicate", "- {id: a, name: A, default: 2}\n- {id: a, name: B, default: 2}", `"a" is declared twice`},
		{"unknown field", "- {id: a, name: A, default: 2, colour: red}", "colour"},
		{"missing name", "- {id: a, default: 2}", "id and name are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePresets("p.yaml", []byte(tt.yaml))
			if err == nil || !contains(err.Error(), tt.want) || !contains(err.Error(), "p.yaml") {
				t.Fatalf("error %v, want one naming p.yaml and %q", err, tt.want)
			}
		})
	}
}
