package cli_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

const (
	importCSV = "../../examples/model-import/objectives.csv"
	importMap = "../../examples/model-import/map.yaml"
)

// TestModelImportExample imports the example spreadsheet and checks the model
// it gives: categories created from columns, generated IDs, split cells,
// thresholds, defaults, and that answers can be scored against it.
func TestModelImportExample(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model.yaml")
	r := run(t, "", "model", "import", importCSV, "--map", importMap, "-o", out).wantCode(t, 0)
	if r.stdout != "" {
		t.Errorf("stdout with -o: %s", r.stdout)
	}
	m, err := model.Load(out)
	if err != nil {
		t.Fatalf("the imported model does not load: %v", err)
	}
	var cats, domains, ids []string
	for _, c := range m.Categories {
		cats = append(cats, c.ID+"/"+c.Domain+"/"+c.Name)
	}
	for _, d := range m.Domains {
		domains = append(domains, d.ID)
	}
	for _, o := range m.Objectives {
		ids = append(ids, o.ID)
	}
	if diff := cmp.Diff([]string{"ID/platform/Identity and access", "LOG/platform/Logging", "IR/operations/Incident response"}, cats); diff != "" {
		t.Errorf("categories (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"platform", "operations"}, domains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	wantIDs := []string{"ID-2.1", "ID-2.2", "ID-3.1", "ID-4.1", "ID-5.1", "LOG-2.1", "LOG-3.1", "LOG-4.1", "LOG-5.1", "IR-2.1", "IR-3.1", "IR-4.1", "IR-5.1"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("objective IDs (-want +got):\n%s", diff)
	}
	o, _ := m.Objective("ID-4.1")
	want := model.Objective{
		ID: "ID-4.1", Category: "ID", Level: 4, Title: "Least privilege guardrails",
		KPI:       "At least 95% of roles stay within permission boundaries",
		Question:  "Are roles kept within organization-wide permission guardrails?",
		Threshold: 0.95, Mode: model.ModeAutomated,
		Controls: model.Controls{
			AWS:   []string{"Service control policies", "Permission boundaries"},
			Azure: []string{"Azure Policy"}, GCP: []string{"Organization policies"},
		},
		Checks: []string{"prowler:aws:organizations_scp_check_deny_regions"},
		// Revision-2 fields the import leaves to their defaults.
		Scale: model.ScaleCoverage, SupportingChecks: []string{},
		References: model.References{CCM: []string{}, NISTCSF: []string{}, CIS: []string{}},
	}
	if diff := cmp.Diff(&want, o); diff != "" {
		t.Errorf("ID-4.1 (-want +got):\n%s", diff)
	}
	if o, _ := m.Objective("ID-2.2"); o.Mode != model.ModeManual || o.Threshold != 1 {
		t.Errorf("ID-2.2 mode %s threshold %v; want the defaults manual and 1", o.Mode, o.Threshold)
	}
	if o, _ := m.Objective("ID-2.1"); len(o.Controls.AWS) != 2 {
		t.Errorf("a cell split on ';' gave %q", o.Controls.AWS)
	}

	answers := writeFile(t, "a.yaml", "model: acme-cloud@1.0.0\ndate: 2026-09-01\ntargets: {default: 2}\nanswers:\n  ID-2.1: yes\n  ID-2.2: yes\n")
	r = run(t, "", "check", answers, "--model", out)
	if r.code != 1 || !strings.Contains(r.stdout, "LOG-2.1  Audit logs on") {
		t.Errorf("check against the imported model: status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestModelImportXLSX(t *testing.T) {
	rows := readCSV(t, importCSV)
	dir := t.TempDir()
	book := filepath.Join(dir, "objectives.xlsx")
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Objectives"); err != nil {
		t.Fatal(err)
	}
	// A title row above the headings, as spreadsheets often have.
	if err := f.SetCellValue("Objectives", "A1", "Acme cloud controls"); err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		values := make([]any, len(row))
		for j, v := range row {
			values[j] = v
		}
		if err := f.SetSheetRow("Objectives", cell, &values); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(book); err != nil {
		t.Fatal(err)
	}
	mapping := strings.Replace(readFile(t, importMap), "header_row: 1", "sheet: Objectives\nheader_row: 2", 1)
	mapPath := filepath.Join(dir, "map.yaml")
	if err := os.WriteFile(mapPath, []byte(mapping), 0o644); err != nil {
		t.Fatal(err)
	}
	fromCSV := run(t, "", "model", "import", importCSV, "--map", importMap).wantCode(t, 0)
	fromXLSX := run(t, "", "model", "import", book, "--map", mapPath).wantCode(t, 0)
	// The same model, apart from the comment naming the source.
	strip := func(s string) string { return s[strings.Index(s, "\n")+1:] }
	if diff := cmp.Diff(strip(fromCSV.stdout), strip(fromXLSX.stdout)); diff != "" {
		t.Errorf("xlsx and csv imports differ (-csv +xlsx):\n%s", diff)
	}

	wrongSheet := filepath.Join(dir, "wrong.yaml")
	if err := os.WriteFile(wrongSheet, []byte(strings.Replace(mapping, "sheet: Objectives", "sheet: Controls", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "model", "import", book, "--map", wrongSheet).wantCode(t, 1)
	if !strings.Contains(r.stderr, `no sheet named "Controls"; the sheets are Objectives`) {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestModelImportProblems checks that bad rows are reported by spreadsheet
// row and column, and that nothing is written.
func TestModelImportProblems(t *testing.T) {
	good := readFile(t, importCSV)
	lines := strings.Split(good, "\n")
	tests := []struct {
		name   string
		csv    string
		mapYML string
		want   []string
	}{
		{
			name: "bad level and threshold",
			csv:  strings.NewReplacer(",2,MFA", ",two,MFA", ",95%,", ",150%,").Replace(good),
			want: []string{
				`objectives.csv: row 2: column Maturity: "two" is not a level; expected a number from 2 to 5`,
				`objectives.csv: row 5: column Pass mark: "150%" is not a threshold`,
			},
		},
		{
			name: "bad mode is located by row after validation",
			csv:  strings.Replace(good, ",Review the identity provider's MFA report.,either,", ",Review the identity provider's MFA report.,sometimes,", 1),
			want: []string{`objectives.csv: row 2: column Evidence type: ID-2.1: value must be one of`},
		},
		{
			name:   "unknown category without a name column",
			csv:    good,
			mapYML: strings.Replace(readFile(t, importMap), "  category_name: Area name\n", "", 1),
			want:   []string{`objectives.csv: row 7: column Area: unknown category "LOG"; list it under categories in`},
		},
		{
			name:   "a mapped column that does not exist",
			csv:    good,
			mapYML: strings.Replace(readFile(t, importMap), "kpi: Measure", "kpi: KPI", 1),
			want:   []string{`map.yaml: columns.kpi: no column headed "KPI" in row 1 of`},
		},
		{
			name: "a level without objectives",
			csv:  strings.Join(lines[:len(lines)-2], "\n") + "\n",
			want: []string{"map.yaml: categories[2]: category IR has no objectives at level 5"},
		},
		{
			name:   "unknown key in the mapping",
			csv:    good,
			mapYML: readFile(t, importMap) + "colums: {}\n",
			want:   []string{"map.yaml:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "objectives.csv")
			if err := os.WriteFile(data, []byte(tt.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			mapPath := filepath.Join(dir, "map.yaml")
			mapping := tt.mapYML
			if mapping == "" {
				mapping = readFile(t, importMap)
			}
			if err := os.WriteFile(mapPath, []byte(mapping), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.yaml")
			r := run(t, "", "model", "import", data, "--map", mapPath, "-o", out).wantCode(t, 1)
			for _, w := range tt.want {
				found := false
				for _, line := range strings.Split(r.stderr, "\n") {
					if strings.HasPrefix(line, "csmm: ") && strings.Contains(line, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("no line of stderr contains %q:\n%s", w, r.stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a model with problems was written")
			}
		})
	}
}

func TestModelImportUsage(t *testing.T) {
	r := run(t, "", "model", "import", importCSV).wantCode(t, 2)
	if !strings.Contains(r.stderr, "missing --map") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = run(t, "", "model", "import", "objectives.ods", "--map", importMap).wantCode(t, 2)
	if !strings.Contains(r.stderr, "expected a .xlsx or .csv file") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
